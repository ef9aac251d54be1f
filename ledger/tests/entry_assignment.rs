//! The entry appliance's own records (`docs/parallel-entry.md`): the assignment it types by
//! (`ParallelRecord::AssignmentLoaded`, checked by `batch::check_assignment` before it is
//! journaled and again when applied) and the batches it wrote (`BatchWritten`). Every
//! refusal changes nothing; a newer assignment replaces the older; a station assigned away
//! after it was typed stays in the ledger but leaves the batch; the records read back from
//! their JSON apply the same way (replay).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tally_core::people::PersonId;
use tally_ledger::batch::{
    self, ASSIGNMENT_FORMAT, Assignment, EntryAssignment, JournalHead, LoadError, ParallelRecord,
};
use tally_ledger::form::ElectionInfo;
use tally_ledger::medium::municipal;
use tally_ledger::municipal::{Record, Slot, Tally};
use tally_ledger::persist::Ledger;

#[path = "support/paper.rs"]
#[allow(dead_code)]
mod support_paper;
use support_paper::{ledger, pending, typing};

const ME: &str = "0042-E1";

fn juinen() -> ElectionInfo {
    let names = [
        "eml110a_verkiezingsdefinitie-juinen.eml.xml",
        "eml230b_kandidatenlijsten-juinen.eml.xml",
        "eml110b_stembureaulijst-juinen.eml.xml",
    ];
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| {
            let path = format!("{}/../demo/files/{n}", env!("CARGO_MANIFEST_DIR"));
            ((*n).to_owned(), std::fs::read(path).unwrap())
        })
        .collect();
    let named: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    municipal(&named, "0042").unwrap().info
}

fn appliance(info: &ElectionInfo) -> Tally {
    let mut tally = pending(info);
    for r in &ledger(info, &["Anna"]) {
        Ledger::apply(&mut tally, r, None).unwrap();
    }
    tally
}

/// An assignment of Juinen's three stations: `lines` (station, slot, appliance).
fn assignment(lines: &[(u32, Slot, &str)]) -> EntryAssignment {
    EntryAssignment {
        format: ASSIGNMENT_FORMAT.into(),
        election: "GR2025_Juinen".into(),
        body: "0042".into(),
        assignments: lines
            .iter()
            .map(|(station, slot, a)| Assignment {
                station: *station,
                slot: *slot,
                appliance: (*a).into(),
            })
            .collect(),
    }
}

fn loaded(a: &EntryAssignment, signed_at: i64) -> Record {
    Record::Parallel(ParallelRecord::AssignmentLoaded {
        assignment: a.clone(),
        appliance: ME.into(),
        sha256: tally_core::hashcode::Sha256Digest::of(&a.to_bytes()).to_hex(),
        signed_at,
        at: signed_at * 1000 + 5,
    })
}

/// Applies `record` as replay does: from its JSON.
fn apply(tally: &mut Tally, record: &Record) -> Result<(), String> {
    let json = serde_json::to_vec(record).unwrap();
    let read: Record = serde_json::from_slice(&json).unwrap();
    assert_eq!(&read, record);
    Ledger::apply(tally, &read, None)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[test]
fn an_entry_appliance_takes_only_its_bodys_assignment_and_a_newer_one_replaces_it() {
    let info = juinen();
    let mut tally = appliance(&info);
    let good = assignment(&[
        (1, Slot::First, ME),
        (1, Slot::Second, "0042-E2"),
        (2, Slot::Second, ME),
        (3, Slot::First, "0042-E2"),
    ]);
    // Each refused by the check the terminal makes before journaling, and by the ledger.
    let mut other_election = good.clone();
    other_election.election = "TK2025".into();
    let mut other_body = good.clone();
    other_body.body = "0043".into();
    let cases: Vec<(EntryAssignment, &str, LoadError)> = vec![
        (
            other_election,
            ME,
            LoadError::OtherElection {
                assignment: "TK2025".into(),
                loaded: "GR2025_Juinen".into(),
            },
        ),
        (
            other_body,
            ME,
            LoadError::OtherBody {
                assignment: "0043".into(),
                appliance: ME.into(),
            },
        ),
        (
            good.clone(),
            "0043-E1",
            LoadError::OtherBody {
                assignment: "0042".into(),
                appliance: "0043-E1".into(),
            },
        ),
        (
            assignment(&[(99, Slot::First, ME)]),
            ME,
            LoadError::NoSuchStation(99),
        ),
        (
            assignment(&[(2, Slot::First, ME), (3, Slot::First, "0043-E2")]),
            ME,
            LoadError::NotAnAppliance("0043-E2".into()),
        ),
        (
            assignment(&[(2, Slot::First, &"E".repeat(100_000))]),
            ME,
            LoadError::NotAnAppliance("E".repeat(40)),
        ),
        (
            assignment(&[(2, Slot::First, ME), (2, Slot::First, "0042-E2")]),
            ME,
            LoadError::Twice(2),
        ),
        (
            assignment(&[(2, Slot::First, ME), (2, Slot::Second, ME)]),
            ME,
            LoadError::Twice(2),
        ),
    ];
    for (a, me, why) in cases {
        assert_eq!(batch::check_assignment(&tally, &a, me, 100), Err(why));
        let before = tally.clone();
        let mut record = loaded(&a, 100);
        if let Record::Parallel(ParallelRecord::AssignmentLoaded { appliance, .. }) = &mut record {
            *appliance = me.into();
        }
        assert!(apply(&mut tally, &record).is_err());
        assert_eq!(tally, before);
    }

    // Taken: stations 1 (first) and 2 (second) here.
    apply(&mut tally, &loaded(&good, 100)).unwrap();
    let l = tally.parallel.loaded.clone().unwrap();
    assert_eq!(l.slot_of(1), Some(Slot::First));
    assert_eq!(l.slot_of(2), Some(Slot::Second));
    assert_eq!(l.slot_of(3), None);
    assert_eq!(l.appliances_of(1), vec![ME, "0042-E2"]);

    // Anna types stations 1 and 2 (each the local first entry).
    let form = tally.form().unwrap().clone();
    for s in [1, 2] {
        for r in &typing(&form, s, Slot::First, PersonId(2), 0, 1_000 * i64::from(s)) {
            Ledger::apply(&mut tally, r, None).unwrap();
        }
    }
    let head = || JournalHead {
        records: 1,
        head: "0".repeat(64),
    };
    let b = batch::entry_batch(&tally, &l.assignment, ME, head(), 9).unwrap();
    let got: Vec<(u32, Slot)> = b.entries.iter().map(|e| (e.station, e.slot)).collect();
    assert_eq!(got, vec![(1, Slot::First), (2, Slot::Second)]);

    // An older assignment is refused; a newer one replaces it: station 2 assigned away.
    let newer = assignment(&[(1, Slot::First, ME), (2, Slot::Second, "0042-E3")]);
    assert_eq!(
        batch::check_assignment(&tally, &newer, ME, 99),
        Err(LoadError::Older {
            loaded: 100,
            offered: 99
        })
    );
    let before = tally.clone();
    assert!(apply(&mut tally, &loaded(&newer, 99)).is_err());
    assert_eq!(tally, before);
    apply(&mut tally, &loaded(&newer, 200)).unwrap();
    let l = tally.parallel.loaded.clone().unwrap();
    assert_eq!(l.assignment, newer);
    assert_eq!(l.slot_of(2), None);
    // Its entry stays in the ledger, out of the batch.
    assert!(tally.stations[&2].first.is_some());
    let b = batch::entry_batch(&tally, &l.assignment, ME, head(), 9).unwrap();
    assert_eq!(b.entries.len(), 1);

    // A batch written is on record, by a coordinator (not by the typist).
    let by_typist = Record::Parallel(ParallelRecord::BatchWritten {
        path: "stick".into(),
        sha256: "ab".repeat(32),
        entries: 1,
        by: PersonId(2),
        at: 300_000,
    });
    assert!(apply(&mut tally, &by_typist).is_err());
    assert!(tally.parallel.written.is_empty());
    apply(
        &mut tally,
        &Record::Parallel(ParallelRecord::BatchWritten {
            path: "stick".into(),
            sha256: "ab".repeat(32),
            entries: 1,
            by: PersonId(1),
            at: 300_000,
        }),
    )
    .unwrap();
    assert_eq!(tally.parallel.written.len(), 1);
    assert_eq!(tally.parallel.written[0].entries, 1);
}

/// What the terminal does with a verified assignment medium (`batch::load_assignment`): a
/// file that is no assignment and one the check refuses are refused, a good one gives its
/// record and how many entries are here, the same medium again gives nothing to journal,
/// and the batch file written at a moment (`batch::batch_file`) is the batch of that moment
/// with the journal head of it.
#[test]
fn an_assignment_medium_is_loaded_once_and_the_batch_file_is_that_of_its_moment() {
    use tally_export::{Created, CreationTime, ExportError, JournalMark};
    let info = juinen();
    let mut tally = appliance(&info);
    let created = |journal: Option<JournalMark>| Created {
        at: 9,
        eml: "2025-08-29T23:00:09".into(),
        report: CreationTime::new(2025, 8, 29, 23, 0, 9).unwrap(),
        journal,
    };
    assert_eq!(
        batch::batch_file(&tally, ME, &created(None)).map(|(_, n)| n),
        Err(ExportError::Incomplete)
    );
    assert!(matches!(
        batch::load_assignment(&tally, ME, b"{}", 100),
        Err(LoadError::Format(_))
    ));
    let good = assignment(&[(1, Slot::First, ME), (2, Slot::Second, ME)]);
    let mut other = good.clone();
    other.body = "0043".into();
    assert_eq!(
        batch::load_assignment(&tally, ME, &other.to_bytes(), 100),
        Err(LoadError::OtherBody {
            assignment: "0043".into(),
            appliance: ME.into(),
        })
    );
    let (record, mine) = batch::load_assignment(&tally, ME, &good.to_bytes(), 100)
        .unwrap()
        .unwrap();
    assert_eq!(mine, 2);
    let mut expected = loaded(&good, 100);
    if let Record::Parallel(ParallelRecord::AssignmentLoaded { at, .. }) = &mut expected {
        *at = 0;
    }
    assert_eq!(record, expected);
    apply(&mut tally, &record).unwrap();
    // The same medium again: nothing to journal; the same file signed later: loaded anew.
    assert_eq!(
        batch::load_assignment(&tally, ME, &good.to_bytes(), 100),
        Ok(None)
    );
    assert!(matches!(
        batch::load_assignment(&tally, ME, &good.to_bytes(), 101),
        Ok(Some(_))
    ));

    // Loaded, nothing typed yet: no batch (never an empty one).
    assert_eq!(
        batch::batch_file(&tally, ME, &created(None)).map(|(_, n)| n),
        Err(ExportError::Incomplete)
    );
    let form = tally.form().unwrap().clone();
    for r in &typing(&form, 1, Slot::First, PersonId(2), 0, 1_000) {
        Ledger::apply(&mut tally, r, None).unwrap();
    }
    let mark = JournalMark {
        records: 7,
        head: tally_core::hashcode::Sha256Digest::of(b"journal"),
    };
    for (journal, head) in [
        (
            None,
            JournalHead {
                records: 0,
                head: "0".repeat(64),
            },
        ),
        (
            Some(mark.clone()),
            JournalHead {
                records: 7,
                head: mark.head.to_hex(),
            },
        ),
    ] {
        let (file, n) = batch::batch_file(&tally, ME, &created(journal)).unwrap();
        assert_eq!(file.name, batch::BATCH_FILE);
        assert_eq!(n, 1);
        let made = batch::entry_batch(&tally, &good, ME, head, 9_000).unwrap();
        assert_eq!(file.bytes, made.to_bytes());
    }
}
