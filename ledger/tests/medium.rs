//! A verified definition medium's files read as the level's election: the 230b of the
//! municipality's kieskring, and each refusal as its typed error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tally_ledger::higher::{BodyOf, Definition};
use tally_ledger::medium::{MediumError, kieskring_lists, municipal};

fn shared(name: &str) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/");
    std::fs::read(format!("{dir}{name}")).unwrap()
}

fn demo(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../demo/files/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn juinen() -> Vec<(String, Vec<u8>)> {
    [
        "eml110a_verkiezingsdefinitie-juinen.eml.xml",
        "eml230b_kandidatenlijsten-juinen.eml.xml",
        "eml110b_stembureaulijst-juinen.eml.xml",
    ]
    .iter()
    .map(|n| ((*n).to_owned(), demo(n)))
    .collect()
}

fn named(files: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect()
}

#[test]
fn the_hash_code_asked_is_of_the_municipalitys_kieskring_lists() {
    let haarlem = shared("Kandidatenlijsten_TK2025_Haarlem.eml.xml");
    let nijmegen = shared("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let lists: [(&str, &[u8]); 2] = [("haarlem.xml", &haarlem), ("nijmegen.xml", &nijmegen)];
    // Kieskring 6 is Nijmegen, 10 is Haarlem; the order on the medium does not matter.
    assert_eq!(kieskring_lists(&lists, "6"), Some(1));
    assert_eq!(kieskring_lists(&lists, "10"), Some(0));
    let swapped = [lists[1], lists[0]];
    assert_eq!(kieskring_lists(&swapped, "6"), Some(0));
    // A kieskring not on the medium, and a file that is no 230b, give none.
    assert_eq!(kieskring_lists(&lists, "3"), None);
    assert_eq!(kieskring_lists(&[("x.xml", b"<x/>")], "6"), None);
}

#[test]
fn a_municipality_reads_its_own_medium_and_refuses_another_ones() {
    let files = juinen();
    let read = municipal(&named(&files), "0042").unwrap();
    assert_eq!(read.info.municipality_code.0, "0042");
    assert_eq!(read.read.definition, 0);
    assert_eq!(read.lists_230b, 1);
    assert_eq!(read.read.polling_stations, Some(2));
    // Another municipality's certificate: refused, naming both.
    match municipal(&named(&files), "0043") {
        Err(MediumError::OtherMunicipality { medium, body }) => {
            assert_eq!((medium.as_str(), body.as_str()), ("0042", "0043"));
        }
        other => panic!("{other:?}"),
    }
    // Without the 110b: refused.
    assert!(matches!(
        municipal(&named(&files[..2]), "0042"),
        Err(MediumError::No110b)
    ));
    // Two 110a files: not one definition.
    let twice = [files[0].clone(), files[0].clone(), files[1].clone()];
    assert!(matches!(
        municipal(&named(&twice), "0042"),
        Err(MediumError::Files(_))
    ));
}

#[test]
fn a_csb_reads_the_definition_of_its_election_only() {
    let files = juinen();
    let with_sha: Vec<(&str, &[u8], String)> = files[..2]
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice(), "ab".repeat(32)))
        .collect();
    let body = |election| BodyOf {
        role: "CSB",
        identifier: "CSB",
        name: "Juinen",
        election,
    };
    let def = Definition::from_medium(&with_sha, body("GR2025_Juinen"), "DEMO".into()).unwrap();
    assert_eq!(def.body_name, "Centraal stembureau Juinen");
    assert_eq!(def.lists_230b.len(), 1);
    assert_eq!(def.files.len(), 2);
    match Definition::from_medium(&with_sha, body("GR2026_Juinen"), "DEMO".into()) {
        Err(MediumError::OtherElection { medium, body }) => {
            assert_eq!(
                (medium.as_str(), body.as_str()),
                ("GR2025_Juinen", "GR2026_Juinen")
            );
        }
        other => panic!("{other:?}"),
    }
}
