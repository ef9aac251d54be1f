//! Runs the journal fuzz target's entry function on the checked-in seed inputs
//! (`fuzz/seeds/journal/`), so that the normal test run exercises it. The fuzzer itself
//! runs with `cargo fuzz` (see `docs/journal.md`).
//! `cargo test --test journal_fuzz_seeds -- --ignored` writes the seeds anew.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tally_core::double_entry::{Action, DataEntry, Decision, Event, Role, Timestamp, UserName};
use tally_core::entry::{EntryCount, EntryShape, FieldId, FieldValue};
use tally_core::ids::{CandidatePosition, ListNumber, PollingStationNumber};
use tally_core::journal::codec::encode_event;
use tally_core::journal::{HEADER_LEN, encode_record, fuzz, header, start_hash};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/seeds/journal");

fn ev(station: u32, user: &str, role: Role, t: i64, action: Action) -> Event {
    Event {
        station: PollingStationNumber(station),
        user: UserName(user.into()),
        role,
        at: Timestamp(t),
        action,
    }
}

/// A short session on the fuzz target's form (lists of 3 and 2 candidates, C present).
fn session() -> Vec<Event> {
    let mut out = Vec::new();
    for (t0, user) in [(0, "Anna"), (100, "Bert")] {
        out.push(ev(1, user, Role::Typist, t0, Action::StartEntry));
        let counts = [
            (FieldId::PollCards, 8),
            (FieldId::ProxyCertificates, 1),
            (FieldId::VoterCards, 1),
            (FieldId::AdmittedVoters, 10),
            (FieldId::ListVotes(ListNumber(1)), 6),
            (FieldId::ListVotes(ListNumber(2)), 3),
            (FieldId::VotesOnCandidates, 9),
            (FieldId::BlankVotes, 1),
            (FieldId::InvalidVotes, 0),
            (FieldId::VotesCast, 10),
            (
                FieldId::CandidateVotes(ListNumber(1), CandidatePosition(1)),
                4,
            ),
            (
                FieldId::CandidateVotes(ListNumber(1), CandidatePosition(2)),
                2,
            ),
            (
                FieldId::CandidateVotes(ListNumber(1), CandidatePosition(3)),
                0,
            ),
            (FieldId::ListTotal(ListNumber(1)), 6),
            (
                FieldId::CandidateVotes(ListNumber(2), CandidatePosition(1)),
                3,
            ),
            (
                FieldId::CandidateVotes(ListNumber(2), CandidatePosition(2)),
                0,
            ),
            (FieldId::ListTotal(ListNumber(2)), 3),
        ];
        for (i, (field, n)) in counts.into_iter().enumerate() {
            let value = FieldValue::Count(EntryCount::new(n).unwrap());
            out.push(ev(
                1,
                user,
                Role::Typist,
                t0 + i as i64 + 1,
                Action::SetField { field, value },
            ));
        }
        let value = FieldValue::Mark(true);
        out.push(ev(
            1,
            user,
            Role::Typist,
            t0 + 50,
            Action::SetField {
                field: FieldId::AdmittedEqualsCast,
                value,
            },
        ));
        out.push(ev(
            1,
            user,
            Role::Typist,
            t0 + 51,
            Action::Finalise {
                acknowledge_warnings: true,
            },
        ));
    }
    out.push(ev(2, "Carla", Role::Typist, 200, Action::StartEntry));
    out.push(ev(2, "Carla", Role::Typist, 201, Action::Save));
    out.push(ev(
        1,
        "Dirk",
        Role::Coordinator,
        300,
        Action::Decide {
            decision: Decision::Reopen,
        },
    ));
    out
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let events = session();
    // Check that the session is accepted on the fuzz target's form.
    let shape = EntryShape {
        has_voter_cards: true,
        lists: vec![(ListNumber(1), 3), (ListNumber(2), 2)],
    };
    let mut de = DataEntry::new(shape, [PollingStationNumber(1), PollingStationNumber(2)]);
    for e in &events {
        de.apply(e).unwrap();
    }
    let election = [0x42u8; 32];
    let key = fuzz::key();
    let mut file = header(&election, &key).to_vec();
    let mut prev = start_hash(&election, &key);
    let mut payloads = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let p = encode_event(e).unwrap();
        let (rec, hash) = encode_record(&key, &prev, i as u64 + 1, &p).unwrap();
        file.extend_from_slice(&rec);
        prev = hash;
        payloads.push(p);
    }
    let mut out = Vec::new();
    out.push(("file-session".to_string(), [&[0u8][..], &file].concat()));
    out.push((
        "file-torn".to_string(),
        [&[0u8][..], &file[..file.len() - 20]].concat(),
    ));
    out.push((
        "file-header-only".to_string(),
        [&[0u8][..], &file[..HEADER_LEN]].concat(),
    ));
    let mut framed = vec![1u8];
    for (i, p) in payloads.iter().enumerate() {
        if i > 0 {
            framed.extend_from_slice(&[0xFF, 0xFE]);
        }
        framed.extend_from_slice(p);
    }
    out.push(("framed-session".to_string(), framed));
    for (i, p) in payloads.iter().enumerate().step_by(7) {
        out.push((format!("event-{i}"), [&[2u8][..], p].concat()));
    }
    out
}

#[test]
fn the_fuzz_entry_function_passes_on_every_seed() {
    let mut n = 0;
    for entry in std::fs::read_dir(SEEDS).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        fuzz::journal(&bytes);
        // And on every prefix: a cut-short input is a torn journal or a bad event.
        for cut in (0..bytes.len()).step_by(13) {
            fuzz::journal(&bytes[..cut]);
        }
        n += 1;
    }
    assert!(n >= 5, "{n} seeds");
}

#[test]
fn the_checked_in_seeds_are_current() {
    for (name, bytes) in seeds() {
        let on_disk = std::fs::read(format!("{SEEDS}/{name}")).unwrap();
        assert_eq!(on_disk, bytes, "{name}: run the ignored test write_seeds");
    }
}

#[test]
#[ignore]
fn write_seeds() {
    for (name, bytes) in seeds() {
        std::fs::write(format!("{SEEDS}/{name}"), bytes).unwrap();
    }
}
