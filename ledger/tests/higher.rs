//! The HSB/CSB ledger (`tally_ledger::higher`) as the terminal reads it, on the demo's Juinen
//! election: the refused files its overview lists, the media it imports and exports (the
//! other tests of this ledger are the terminal's, `tui/tests/higher_ledger.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tally_core::aggregate::AggregationLevel;
use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::hashcode::Sha256Digest;
use tally_ledger::higher::{Definition, Ledger, ListFiles, RefusedFile, level_of};
use tally_signing::ContentKind;

fn juinen() -> Definition {
    let file = |name: &str| {
        std::fs::read(format!(
            "{}/../demo/files/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let a = file("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let l = file("eml230b_kandidatenlijsten-juinen.eml.xml");
    let election = load_election(
        &SourceFile::new("110a.xml", &a),
        &[SourceFile::new("230b.xml", &l)],
        None,
    )
    .unwrap();
    Definition {
        level: level_of("CSB", "CSB", &election).unwrap(),
        election,
        body_id: "CSB".into(),
        body_name: "Centraal stembureau Juinen".into(),
        signer: "test".into(),
        sha256_110a: Sha256Digest::of(&a).to_hex(),
        lists_230b: Vec::new(),
        files: vec![("110a.xml".into(), "aa".into())],
        list_files: ListFiles::default(),
    }
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
    assert_eq!(l.import_kind(), ContentKind::Results510b);
    let mut def = juinen();
    assert_eq!(def.level, AggregationLevel::MunicipalCentral);
    assert_eq!(def.export_kind(), ContentKind::Results510d520);
    l.definition = Some(def.clone());
    assert_eq!(l.import_kind(), ContentKind::Results510b);
    def.level = AggregationLevel::Central;
    assert_eq!(def.export_kind(), ContentKind::Results510d520);
    l.definition = Some(def.clone());
    assert_eq!(l.import_kind(), ContentKind::Results510c);
    def.level = AggregationLevel::District { kieskring: 3 };
    assert_eq!(def.export_kind(), ContentKind::Results510c);
    l.definition = Some(def);
    assert_eq!(l.import_kind(), ContentKind::Results510b);
}
