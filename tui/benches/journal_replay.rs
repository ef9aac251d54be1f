//! Unlock and replay of a 25,000-record journal through the terminal (#14 point 3): the demo
//! terminal (real keys, `FolderServices`, `CoreJournal` on a file), a journal of the
//! terminal's own records made by typing (a typist entering and correcting the first fields of
//! a station, back and forth, until the journal holds 25,000 records), then the terminal
//! opened and unlocked again: Argon2id unlock of the body key, the journal key derived, every
//! record's HMAC-SHA-256 tag verified, every record decoded and applied to the ledger.
//!
//! Measured apart: the same unlock with no journal to read (Argon2id alone), so the journal's
//! own share is the difference. Files in `/dev/shm` where it exists (so typing 25,000 records
//! with an fsync each takes seconds, not minutes; reading is what is measured).
//!
//! Run: `cargo bench -p tally-tui --bench journal_replay`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use common::{Demo, key, load_definition, open, paths, start_entry, type_str, unlock};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use tally_ledger::journal::Journal;
use tally_tui::text::Lang;

const RECORDS: u64 = 25_000;

fn records(r: &Demo) -> u64 {
    r.journal.head().map_or(0, |h| h.records)
}

fn bench(c: &mut Criterion) {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm").unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    // The journal: the definition loaded, then a typist at station 1 types and corrects
    // the first two fields until there are 25,000 records.
    let full = paths(&base.path().join("full"));
    let mut r = open(&full, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    start_entry(&mut r, 0, "Anna");
    let mut n = 0u64;
    let retype = |r: &mut Demo, value: u64| {
        for _ in 0..4 {
            key(r, KeyCode::Backspace);
        }
        type_str(r, &value.to_string());
    };
    while records(&r) < RECORDS {
        retype(&mut r, 100 + n % 800);
        key(&mut r, KeyCode::Enter);
        retype(&mut r, 200 + n % 700);
        key(&mut r, KeyCode::Up);
        n += 1;
        assert!(n < 2 * RECORDS, "the keys make no records");
    }
    let head = r.journal.head().unwrap();
    let size = std::fs::metadata(full.journal()).unwrap().len();
    drop(r);
    eprintln!(
        "terminal journal: {} records, {size} bytes ({} bytes a record)",
        head.records,
        size / head.records
    );
    // The same keys, no journal to read (the definition not loaded yet).
    let empty = paths(&base.path().join("empty"));
    drop(open(&empty, Lang::Nl));

    let mut g = c.benchmark_group("terminal_journal_25000");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("open and unlock, no journal (Argon2id only)", |b| {
        b.iter(|| {
            let mut r = open(&empty, Lang::Nl);
            unlock(&mut r);
            assert!(r.state.unlocked);
            r
        })
    });
    g.bench_function(
        "open, unlock, verify and replay 25,000 records into the ledger",
        |b| {
            b.iter(|| {
                let mut r = open(&full, Lang::Nl);
                unlock(&mut r);
                assert!(r.state.unlocked);
                assert_eq!(r.journal.head(), Some(head));
                r
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
