//! Crash safety and tamper evidence of the journal, on a realistic session.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod journal_session;

use journal_session::{ELECTION, fresh, key, session};
use tally_core::double_entry::{DataEntry, StatusKind};
use tally_core::journal::events::{EntryJournal, ReplayError, replay};
use tally_core::journal::{HEADER_LEN, JournalError, RECORD_OVERHEAD, read};

/// Writes the session through the journal; returns the file's bytes, the end offset of
/// every record, and the state after each number of events (index k: after k events).
fn written() -> (Vec<u8>, Vec<usize>, Vec<DataEntry>) {
    written_first(usize::MAX)
}

/// The same for the first `n` events of the session.
fn written_first(n: usize) -> (Vec<u8>, Vec<usize>, Vec<DataEntry>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    let mut events = session();
    events.truncate(n);
    let mut j = EntryJournal::create(&path, &ELECTION, &key(), fresh()).unwrap();
    let mut states = vec![fresh()];
    for e in &events {
        j.record(e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
        states.push(j.state().clone());
    }
    let bytes = std::fs::read(&path).unwrap();
    let contents = read(&bytes, &ELECTION, &key()).unwrap();
    let ends: Vec<usize> = contents
        .records
        .iter()
        .map(|r| r.offset as usize + r.payload.len() + RECORD_OVERHEAD)
        .collect();
    assert_eq!(ends.len(), events.len());
    assert_eq!(*ends.last().unwrap(), bytes.len());
    (bytes, ends, states)
}

#[test]
fn the_session_is_realistic() {
    let (bytes, ends, states) = written();
    assert!(ends.len() >= 300, "{} events", ends.len());
    let last = states.last().unwrap();
    assert_eq!(last.not_definitive(), vec![]);
    // Every transition is recorded (starts, saves, finalisations, decisions).
    let transitions: usize = last.stations().map(|(_, s)| s.history.len()).sum();
    assert_eq!(transitions, 4 * 4 + 1 + 1 + 2);
    eprintln!("{} events, {} bytes", ends.len(), bytes.len());
}

#[test]
fn cut_at_every_byte_offset_recovers_every_whole_record_and_nothing_more() {
    // The first 200 events (a difference resolved by the coordinator, an entry with
    // errors sent back and corrected, entries interrupted and finished): every byte
    // offset. (Every offset of all 342 takes minutes in a debug build; the other tests
    // cut the whole session at record boundaries and a stride of offsets.)
    let (bytes, ends, states) = written_first(200);
    assert_eq!(ends.len(), 200);
    let last = states.last().unwrap();
    assert!(last.stations().any(|(_, s)| {
        s.history
            .iter()
            .any(|h| h.role == tally_core::double_entry::Role::Coordinator)
    }));
    for cut in 0..=bytes.len() {
        let (state, report) = replay(&bytes[..cut], &ELECTION, &key(), fresh())
            .unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        let k = ends.iter().take_while(|end| **end <= cut).count();
        assert_eq!(report.events, k as u64, "cut at {cut}");
        assert_eq!(state, states[k], "cut at {cut}");
        let at_boundary = cut == HEADER_LEN || ends.contains(&cut);
        assert_eq!(
            report.torn.is_none(),
            at_boundary,
            "cut at {cut}: {:?}",
            report.torn
        );
        if let Some(t) = report.torn {
            assert_eq!(t.valid_len + t.dropped_bytes, cut as u64);
        }
    }
}

#[test]
fn a_zero_filled_tail_is_a_torn_write() {
    let (bytes, ends, states) = written();
    for k in [0, 1, 57, ends.len() - 1] {
        let start = if k == 0 { HEADER_LEN } else { ends[k - 1] };
        for extra in [1, 7, 8, 100] {
            let mut b = bytes[..start + 3].to_vec();
            b.extend(std::iter::repeat_n(0u8, extra));
            let (state, report) = replay(&b, &ELECTION, &key(), fresh()).unwrap();
            assert_eq!(state, states[k]);
            assert!(report.torn.is_some());
        }
    }
}

#[test]
fn after_a_cut_the_journal_opens_and_goes_on() {
    let (bytes, ends, states) = written();
    let events = session();
    let dir = tempfile::tempdir().unwrap();
    let mut cuts: Vec<usize> = (0..bytes.len()).step_by(1999).collect();
    for end in ends.iter().step_by(97) {
        cuts.extend([end - 1, *end, end + 1]);
    }
    for (n, cut) in cuts.into_iter().filter(|c| *c <= bytes.len()).enumerate() {
        let path = dir.path().join(format!("j{n}"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let (mut j, report) = EntryJournal::open(&path, &ELECTION, &key(), fresh()).unwrap();
        let k = ends.iter().take_while(|end| **end <= cut).count();
        assert_eq!(report.events, k as u64);
        assert_eq!(j.state(), &states[k]);
        // The typist goes on where the journal ends.
        for e in &events[k..] {
            j.record(e).unwrap();
        }
        assert_eq!(j.state(), states.last().unwrap());
        drop(j);
        let (j, report) = EntryJournal::open(&path, &ELECTION, &key(), fresh()).unwrap();
        assert_eq!(report.torn, None);
        assert_eq!(report.events, events.len() as u64);
        assert_eq!(j.state(), states.last().unwrap());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "cut at {cut}: the same bytes again"
        );
    }
}

fn record_span(ends: &[usize], i: usize) -> (usize, usize) {
    let start = if i == 0 { HEADER_LEN } else { ends[i - 1] };
    (start, ends[i])
}

#[test]
fn a_changed_byte_anywhere_is_detected() {
    let (bytes, ends, _) = written();
    // Every byte of the header and the first records, and of the last record.
    let last = record_span(&ends, ends.len() - 1);
    let positions = (0..ends[4]).chain(last.0..last.1);
    for pos in positions {
        for flip in [0x01u8, 0x80] {
            let mut b = bytes.clone();
            b[pos] ^= flip;
            let result = read(&b, &ELECTION, &key());
            // The one case that is not an error: the flip turned the file's last bytes
            // into zeros, which is exactly what a cut-short last write looks like; it is
            // then reported as a torn record and that record is not used.
            let zero_tail = pos >= last.0 && b[pos..].iter().all(|x| *x == 0);
            match result {
                Err(_) => {}
                Ok(c) if zero_tail => {
                    assert_eq!(c.records.len(), ends.len() - 1);
                    assert!(c.torn.is_some());
                }
                Ok(_) => panic!("flip {flip:#x} at byte {pos} not detected"),
            }
        }
    }
    // In every record: its length, number, payload and hash.
    for i in 0..ends.len() {
        let (start, end) = record_span(&ends, i);
        for (pos, what) in [
            (start, "length"),
            (start + 5, "length check"),
            (start + 8, "number"),
            ((start + 16 + end - 32) / 2, "payload"),
            (end - 1, "hash"),
        ] {
            let mut b = bytes.clone();
            b[pos] ^= 0x20;
            let err = read(&b, &ELECTION, &key()).unwrap_err();
            let expected = match what {
                "length" | "length check" => {
                    matches!(err, JournalError::BadLength { seq, .. } if seq == i as u64 + 1)
                }
                "number" => matches!(err, JournalError::OutOfSequence { .. }),
                _ => matches!(err, JournalError::HashMismatch { seq, .. } if seq == i as u64 + 1),
            };
            assert!(expected, "record {} {what}: {err}", i + 1);
        }
    }
}

#[test]
fn a_removed_record_is_detected() {
    let (bytes, ends, states) = written();
    for i in 0..ends.len() - 1 {
        let (start, end) = record_span(&ends, i);
        let mut b = bytes[..start].to_vec();
        b.extend_from_slice(&bytes[end..]);
        let err = read(&b, &ELECTION, &key()).unwrap_err();
        assert!(
            matches!(err, JournalError::OutOfSequence { expected, .. } if expected == i as u64 + 1),
            "{err}"
        );
    }
    // Removing the very last record leaves a valid, shorter journal: only the last
    // chain hash (shown on screen and printed) reveals it.
    let full = read(&bytes, &ELECTION, &key()).unwrap();
    let (start, _) = record_span(&ends, ends.len() - 1);
    let (state, report) = replay(&bytes[..start], &ELECTION, &key(), fresh()).unwrap();
    assert_eq!(state, states[ends.len() - 1]);
    assert_ne!(report.last_hash, full.last_hash);
}

#[test]
fn swapped_or_duplicated_records_are_detected() {
    let (bytes, ends, _) = written();
    for i in 0..ends.len() - 1 {
        let (s1, e1) = record_span(&ends, i);
        let (s2, e2) = record_span(&ends, i + 1);
        let mut b = bytes[..s1].to_vec();
        b.extend_from_slice(&bytes[s2..e2]);
        b.extend_from_slice(&bytes[s1..e1]);
        b.extend_from_slice(&bytes[e2..]);
        assert!(read(&b, &ELECTION, &key()).is_err(), "swap {i}");
        let mut d = bytes[..e1].to_vec();
        d.extend_from_slice(&bytes[s1..]);
        assert!(read(&d, &ELECTION, &key()).is_err(), "duplicate {i}");
    }
}

#[test]
fn a_journal_of_another_election_is_refused() {
    let (bytes, _, _) = written();
    let other = [0xa5; 32];
    let err = replay(&bytes, &other, &key(), fresh()).unwrap_err();
    assert!(
        matches!(
            err,
            ReplayError::Journal(JournalError::WrongElection { .. })
        ),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        EntryJournal::open(&path, &other, &key(), fresh()),
        Err(ReplayError::Journal(JournalError::WrongElection { .. }))
    ));
    // The file is left untouched.
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    // Not a journal at all.
    assert!(matches!(read(b"<?xml version=\"1.0\"?><EML/>..............................................................", &ELECTION, &key()), Err(JournalError::NotAJournal)));
}

#[test]
fn an_existing_journal_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    std::fs::write(&path, b"x").unwrap();
    assert!(EntryJournal::create(&path, &ELECTION, &key(), fresh()).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), b"x");
}

#[test]
fn a_refused_event_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let mut j = EntryJournal::create(&path, &ELECTION, &key(), fresh()).unwrap();
    let events = session();
    j.record(&events[0]).unwrap();
    let before = std::fs::read(&path).unwrap();
    // Starting the same entry again is refused.
    assert!(j.record(&events[0]).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        j.state().station(events[0].station).unwrap().status.kind(),
        StatusKind::FirstEntryInProgress
    );
}
