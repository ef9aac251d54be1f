//! The HSB/CSB ledger (`tally_ledger::higher`) on the demo's Juinen election and its tied
//! 510b: the level follows the certificate, nothing applies before the definition, lots
//! must be the drawing asked for, records read back as written; the refused files the
//! overview lists, the media each level imports and exports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tally_core::aggregate::{AggregationLevel, ImportOutcome};
use tally_core::apportionment::{CandidateLot, SeatLot};
use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::hashcode::Sha256Digest;
use tally_core::ids::ListNumber;
use tally_ledger::higher::*;
use tally_ledger::persist::KeptFile;

fn juinen() -> Definition {
    let election = load_election(
        &SourceFile::new("110a.xml", tally_demo::JUINEN_110A),
        &[SourceFile::new("230b.xml", tally_demo::JUINEN_230B)],
        None,
    )
    .unwrap();
    Definition {
        level: level_of("CSB", "CSB", &election).unwrap(),
        election,
        body_id: "CSB".into(),
        body_name: "Centraal stembureau Juinen".into(),
        signer: "test".into(),
        sha256_110a: Sha256Digest::of(tally_demo::JUINEN_110A).to_hex(),
        lists_230b: Vec::new(),
        files: vec![("110a.xml".into(), "aa".into())],
        list_files: ListFiles::default(),
    }
}

fn import(bytes: &[u8]) -> Record {
    Record::Import {
        file_name: "510b.xml".into(),
        sha256: Sha256Digest::of(bytes).to_hex(),
        signer: "GSB 0042".into(),
    }
}

#[test]
fn the_level_follows_the_certificate_and_the_tree() {
    let def = juinen();
    assert_eq!(def.level, AggregationLevel::MunicipalCentral);
    assert_eq!(
        level_of("HSB", "HSB12", &def.election),
        Ok(AggregationLevel::District { kieskring: 12 })
    );
    assert!(level_of("HSB", "CSB", &def.election).is_err());
    assert!(level_of("GSB", "0042", &def.election).is_err());
}

#[test]
fn nothing_applies_before_the_definition_is_accepted_as_kept() {
    let bytes = tally_demo::tied_510b().unwrap();
    let mut l = Ledger::default();
    assert_eq!(
        l.apply(&import(&bytes), Some(KeptFile::Bytes(&bytes))),
        Err(ApplyError::NoDefinition)
    );
    l.load(juinen()).unwrap();
    assert_eq!(
        l.apply(&import(&bytes), Some(KeptFile::Bytes(&bytes))),
        Err(ApplyError::NoDefinition)
    );
    let other = Record::DefinitionAccepted {
        files: vec![("110a.xml".into(), "bb".into())],
    };
    assert_eq!(l.apply(&other, None), Err(ApplyError::OtherDefinition));
    let files = l.definition.as_ref().unwrap().files.clone();
    l.apply(&Record::DefinitionAccepted { files }, None)
        .unwrap();
    // The kept file must be the one the record names.
    assert_eq!(
        l.apply(&import(&bytes), Some(KeptFile::Bytes(b"other bytes"))),
        Err(ApplyError::MissingFile("510b.xml".into()))
    );
    assert_eq!(
        l.apply(&import(&bytes), None),
        Err(ApplyError::MissingFile("510b.xml".into()))
    );
    assert!(matches!(
        l.apply(&import(&bytes), Some(KeptFile::Bytes(&bytes))),
        Ok(Applied::Import(ImportOutcome::Imported { .. }))
    ));
}

#[test]
fn a_kept_file_is_imported_from_its_path_and_checked_while_read() {
    let bytes = tally_demo::tied_510b().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kept.eml.xml");
    let mut l = Ledger::default();
    l.load(juinen()).unwrap();
    let files = l.definition.as_ref().unwrap().files.clone();
    l.apply(&Record::DefinitionAccepted { files }, None)
        .unwrap();
    let missing = Err(ApplyError::MissingFile("510b.xml".into()));
    // No file there; a file of other bytes; the same length with one byte changed (read to
    // its end, its SHA-256 is not the record's): nothing imported.
    assert_eq!(
        l.apply(&import(&bytes), Some(KeptFile::Path(&path))),
        missing
    );
    std::fs::write(&path, b"other bytes").unwrap();
    assert_eq!(
        l.apply(&import(&bytes), Some(KeptFile::Path(&path))),
        missing
    );
    let mut changed = bytes.clone();
    let i = changed.iter().rposition(u8::is_ascii_digit).unwrap();
    changed[i] = if changed[i] == b'1' { b'2' } else { b'1' };
    std::fs::write(&path, &changed).unwrap();
    assert_eq!(
        l.apply(&import(&bytes), Some(KeptFile::Path(&path))),
        missing
    );
    // Not XML at all, of the same length: still the wrong file, not a refused count.
    std::fs::write(&path, vec![b'x'; bytes.len()]).unwrap();
    assert_eq!(
        l.apply(&import(&bytes), Some(KeptFile::Path(&path))),
        missing
    );
    let agg = l.aggregation.as_ref().unwrap();
    assert_eq!(agg.missing().len(), agg.bodies().len());
    // The file itself: imported as from its bytes.
    std::fs::write(&path, &bytes).unwrap();
    let mut from_bytes = l.clone();
    assert!(matches!(
        l.apply(&import(&bytes), Some(KeptFile::Path(&path))),
        Ok(Applied::Import(ImportOutcome::Imported { .. }))
    ));
    from_bytes
        .apply(&import(&bytes), Some(KeptFile::Bytes(&bytes)))
        .unwrap();
    assert_eq!(l.outcome(), from_bytes.outcome());
}

#[test]
fn a_lot_must_be_the_drawing_asked_for_and_name_a_tied_list() {
    let bytes = tally_demo::tied_510b().unwrap();
    let mut l = Ledger::default();
    l.load(juinen()).unwrap();
    let files = l.definition.as_ref().unwrap().files.clone();
    l.apply(&Record::DefinitionAccepted { files }, None)
        .unwrap();
    l.apply(&import(&bytes), Some(KeptFile::Bytes(&bytes)))
        .unwrap();
    let Some(Ok(Computation::SeatLotsNeeded(n))) = l.outcome() else {
        panic!("lists 3 and 4 are tied: {:?}", l.outcome());
    };
    let drawing = n.drawing.clone();
    assert_eq!(n.drawing.tied, vec![ListNumber(3), ListNumber(4)]);
    let mut another = drawing.clone();
    another.tied = vec![ListNumber(2), ListNumber(3)];
    for bad in [
        Record::SeatLot {
            lot: SeatLot {
                drawing: drawing.clone(),
                drawn: ListNumber(1),
            },
            by: None,
        },
        Record::SeatLot {
            lot: SeatLot {
                drawing: another,
                drawn: ListNumber(3),
            },
            by: None,
        },
        Record::CandidateLot {
            lot: CandidateLot {
                drawing: tally_core::apportionment::CandidateDrawing {
                    list: ListNumber(3),
                    seat: 1,
                    tied: vec![
                        tally_core::ids::CandidatePosition(1),
                        tally_core::ids::CandidatePosition(2),
                    ],
                },
                drawn: tally_core::ids::CandidatePosition(1),
            },
            by: None,
        },
    ] {
        assert!(
            matches!(l.apply(&bad, None), Err(ApplyError::Lot(_))),
            "{bad:?}"
        );
    }
    l.apply(
        &Record::SeatLot {
            lot: SeatLot {
                drawing,
                drawn: ListNumber(3),
            },
            by: None,
        },
        None,
    )
    .unwrap();
    let Some(Ok(Computation::Complete(outcome))) = l.outcome() else {
        panic!("{:?}", l.outcome());
    };
    let seats = &outcome.seats;
    assert_eq!(seats.seats_of(ListNumber(3)), Some(23));
    assert_eq!(seats.seats_of(ListNumber(4)), Some(22));
    assert!(outcome.elected().is_some());
    // Once exported nothing changes.
    l.apply(
        &Record::Exported {
            path: "x".into(),
            files: Vec::new(),
            by: None,
        },
        None,
    )
    .unwrap();
    assert_eq!(
        l.apply(&import(&bytes), Some(KeptFile::Bytes(&bytes))),
        Err(ApplyError::Closed)
    );
}

#[test]
fn records_read_back_as_written() {
    let records = vec![
        Record::DefinitionAccepted {
            files: vec![("a".into(), "b".into())],
        },
        import(b"x"),
        Record::Refused(RefusedFile {
            file_name: "f".into(),
            sha256: String::new(),
            body: Some("0042".into()),
            nl: "geweigerd".into(),
            en: "refused".into(),
        }),
        Record::CorrectionDecided {
            body: "0042".into(),
            accept: true,
            by: None,
        },
        Record::SeatLot {
            lot: SeatLot {
                drawing: tally_core::apportionment::SeatDrawing {
                    purpose: tally_core::apportionment::SeatDrawingPurpose::RemainingSeat {
                        seat: 4,
                        rule: tally_core::apportionment::SeatRule::LargestRemainders,
                    },
                    tied: vec![ListNumber(3), ListNumber(4)],
                },
                drawn: ListNumber(3),
            },
            by: None,
        },
        Record::CandidateLot {
            lot: CandidateLot {
                drawing: tally_core::apportionment::CandidateDrawing {
                    list: ListNumber(1),
                    seat: 2,
                    tied: vec![
                        tally_core::ids::CandidatePosition(2),
                        tally_core::ids::CandidatePosition(5),
                    ],
                },
                drawn: tally_core::ids::CandidatePosition(2),
            },
            by: None,
        },
        Record::Deceased {
            list: ListNumber(3),
            candidate: tally_core::ids::CandidatePosition(1),
            kieskring: None,
            at: 1_764_000_000_000,
            by: None,
        },
        Record::DeceasedUndone {
            list: ListNumber(3),
            candidate: tally_core::ids::CandidatePosition(1),
            kieskring: None,
            at: 1_764_000_000_001,
            by: None,
        },
        Record::Exported {
            path: "p".into(),
            files: vec![("a".into(), "b".into())],
            by: None,
        },
    ];
    for r in &records {
        let json = serde_json::to_vec(r).unwrap();
        assert!(!json.contains(&b'\n'));
        assert_eq!(&serde_json::from_slice::<Record>(&json).unwrap(), r);
    }
    // A drawing is journaled as data, not as its English wording.
    let lot = serde_json::to_string(&records[4]).unwrap();
    assert!(lot.contains("\"largest_remainders\""), "{lot}");
    assert!(lot.contains("\"tied\":[3,4]"), "{lot}");
    assert!(!lot.contains("remaining seat 4"), "{lot}");
    let dead = serde_json::to_string(&records[6]).unwrap();
    assert_eq!(
        dead,
        r#"{"type":"deceased","list":3,"candidate":1,"at":1764000000000}"#
    );
}

/// A deceased candidate (P 19a) is marked by list and position, only on a list the count has
/// and a candidate it names; the mark passes the candidate over (the next on the list is
/// elected); a mark is undone by a record of its own, and only a mark that is there.
#[test]
fn a_deceased_candidate_is_passed_over_and_a_wrong_mark_undone() {
    use tally_core::ids::CandidatePosition as P;
    let bytes = tally_demo::tied_510b().unwrap();
    let mut l = Ledger::default();
    l.load(juinen()).unwrap();
    let files = l.definition.as_ref().unwrap().files.clone();
    l.apply(&Record::DefinitionAccepted { files }, None)
        .unwrap();
    let dead = |list: u32, c: u32| Record::Deceased {
        list: ListNumber(list),
        candidate: P(c),
        kieskring: None,
        at: 0,
        by: None,
    };
    let undo = |list: u32, c: u32| Record::DeceasedUndone {
        list: ListNumber(list),
        candidate: P(c),
        kieskring: None,
        at: 0,
        by: None,
    };
    // Before the total there is nothing to pass a candidate over in.
    assert_eq!(
        l.apply(&dead(3, 1), None),
        Err(ApplyError::Deceased(DeceasedError::NoCalculation))
    );
    l.apply(&import(&bytes), Some(KeptFile::Bytes(&bytes)))
        .unwrap();
    let Some(Ok(Computation::SeatLotsNeeded(n))) = l.outcome() else {
        panic!("{:?}", l.outcome());
    };
    l.apply(
        &Record::SeatLot {
            lot: SeatLot {
                drawing: n.drawing,
                drawn: ListNumber(3),
            },
            by: None,
        },
        None,
    )
    .unwrap();
    let elected = |l: &Ledger, list: u32| -> Vec<u32> {
        let Some(Ok(Computation::Complete(r))) = l.outcome() else {
            panic!("{:?}", l.outcome());
        };
        r.elected()
            .unwrap()
            .iter()
            .find(|e| e.list == ListNumber(list))
            .unwrap()
            .elected
            .iter()
            .map(|e| e.position.0)
            .collect()
    };
    let before = elected(&l, 3);
    assert_eq!(before.len(), 23);
    assert_eq!(before[0], 1, "candidate 1 by preference");
    assert!(!before.contains(&24));
    // Not on the list (list 3 has 30 candidates), no such list: refused, nothing marked.
    for bad in [dead(3, 31), dead(9, 1), dead(3, 0)] {
        assert!(
            matches!(
                l.apply(&bad, None),
                Err(ApplyError::Deceased(DeceasedError::NotOnList { .. }))
            ),
            "{bad:?}"
        );
    }
    assert!(l.decisions.deceased.is_empty());
    assert!(matches!(
        l.apply(&undo(3, 1), None),
        Err(ApplyError::Deceased(DeceasedError::NotMarked { .. }))
    ));
    l.apply(&dead(3, 1), None).unwrap();
    assert!(is_marked_deceased(&l.decisions, ListNumber(3), P(1), None));
    assert!(matches!(
        l.apply(&dead(3, 1), None),
        Err(ApplyError::Deceased(DeceasedError::AlreadyMarked { .. }))
    ));
    let after = elected(&l, 3);
    assert_eq!(after.len(), 23);
    assert!(!after.contains(&1), "passed over: {after:?}");
    assert_eq!(after, (2..=24).collect::<Vec<_>>());
    // A wrong mark, undone by a record of its own.
    l.apply(&dead(4, 5), None).unwrap();
    assert!(!elected(&l, 4).contains(&5));
    l.apply(&undo(4, 5), None).unwrap();
    assert!(elected(&l, 4).contains(&5));
    assert_eq!(
        l.decisions.deceased,
        vec![deceased(ListNumber(3), P(1), None)]
    );
}

/// The refused files the overview lists: per body its last (`Ledger::last_refusal`), and
/// apart those of no body the registry expects (`Ledger::refusals_of_no_body`).
#[test]
fn refused_files_are_listed_by_their_body_or_apart() {
    let refused = |name: &str, body: Option<&str>| RefusedFile {
        file_name: name.into(),
        sha256: String::new(),
        body: body.map(str::to_owned),
        nl: "geweigerd".into(),
        en: "refused".into(),
    };
    let mut l = Ledger::default();
    l.load(juinen()).unwrap();
    l.refusals = vec![
        refused("a.xml", Some("0042")),
        refused("b.xml", None),
        refused("c.xml", Some("9999")),
        refused("d.xml", Some("0042")),
    ];
    assert_eq!(l.last_refusal("0042").unwrap().file_name, "d.xml");
    assert!(l.last_refusal("9999").is_some());
    assert!(l.last_refusal("0043").is_none());
    let apart: Vec<&str> = l
        .refusals_of_no_body()
        .iter()
        .map(|r| r.file_name.as_str())
        .collect();
    assert_eq!(apart, ["b.xml", "c.xml"]);
}

/// A CSB over kieskringen imports the HSBs' 510c, every other level (and a ledger without a
/// definition) the municipalities' 510b; a CSB exports its 510d and 520, an HSB its 510c.
#[test]
fn the_media_imported_and_exported_follow_the_level() {
    let mut l = Ledger::default();
    assert_eq!(l.import_kind(), tally_signing::ContentKind::Results510b);
    let mut def = juinen();
    assert_eq!(def.level, AggregationLevel::MunicipalCentral);
    assert_eq!(
        def.export_kind(),
        tally_signing::ContentKind::Results510d520
    );
    l.definition = Some(def.clone());
    assert_eq!(l.import_kind(), tally_signing::ContentKind::Results510b);
    def.level = AggregationLevel::Central;
    assert_eq!(
        def.export_kind(),
        tally_signing::ContentKind::Results510d520
    );
    l.definition = Some(def.clone());
    assert_eq!(l.import_kind(), tally_signing::ContentKind::Results510c);
    def.level = AggregationLevel::District { kieskring: 3 };
    assert_eq!(def.export_kind(), tally_signing::ContentKind::Results510c);
    l.definition = Some(def);
    assert_eq!(l.import_kind(), tally_signing::ContentKind::Results510b);
}
