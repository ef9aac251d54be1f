//! The 520 (result) reader and writer on the real `Resultaat_TK2021.eml.xml`.
//!
//! Expected numbers come from the Kiesraad's published seats
//! (`shared/results/uitslag_TK20210317_Nederland.csv`, read here by a few lines of test
//! code) and from counting elements in the raw file text, never from the code under test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;

use tally_core::apportionment::ElectedBy;
use tally_core::eml::result::{ResultReadError, read_result, result_file_name, write_result};
use tally_core::ids::{CandidatePosition, ElectionId, ListNumber};

const RESULT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/eml/real/Resultaat_TK2021.eml.xml"
);
const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/results/uitslag_TK20210317_Nederland.csv"
);
const XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/xsd/EML_NL-v1.2.2/520-result-kiesraad-strict.xsd"
);

/// Published seats per party name from the CSV (rows of type `Partij` with seats).
fn published_seats() -> Vec<(String, usize)> {
    let bytes = std::fs::read(CSV).unwrap();
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
    let text: String = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').map(str::trim).collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (t, p, s) = (col("Type"), col("Partij"), col("AantalZetels"));
    lines
        .map(|l| l.split(';').map(str::trim).collect::<Vec<_>>())
        .filter(|f| f.len() > s && f[t] == "Partij" && !f[s].is_empty() && f[s] != "0")
        .map(|f| (f[p].to_string(), f[s].parse().unwrap()))
        .collect()
}

fn xmllint(path: &std::path::Path) -> (bool, String) {
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", XSD])
        .arg(path)
        .output()
        .expect("xmllint (Debian package libxml2-utils) must be installed");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn reads_the_real_tk2021_result() {
    let bytes = std::fs::read(RESULT).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    let file = read_result(&bytes).unwrap();
    assert_eq!(file.header.election_id, ElectionId("TK2021".into()));
    assert_eq!(file.header.authority_id, "CSB");
    assert_eq!(file.header.contest_id.0, "alle");

    // 150 elected candidates, as many as <Candidate> elements; 17 lists.
    assert_eq!(text.matches("<Candidate>").count(), 150);
    assert_eq!(file.total_seats(), 150);
    assert_eq!(file.lists.len(), 17);

    // Seats per list as published in the CSV (matched by registered name where the CSV
    // uses the same name, which it does for all 17).
    let published = published_seats();
    assert_eq!(published.len(), 17);
    for (name, seats) in &published {
        let list = file
            .lists
            .iter()
            .find(|l| &l.name == name)
            .unwrap_or_else(|| panic!("list {name} not in the 520"));
        assert_eq!(list.seats(), *seats, "{name}");
    }
    assert_eq!(file.seats_of(ListNumber(1)), 34);
    assert_eq!(file.seats_of(ListNumber(23)), 1);
    assert_eq!(file.seats_of(ListNumber(16)), 0);

    // Rankings: 43 times 1 (preference), 107 times 2 (list order), as in the raw text.
    let pref = text.matches("<Ranking>1</Ranking>").count();
    let order = text.matches("<Ranking>2</Ranking>").count();
    assert_eq!((pref, order), (43, 107));
    let by = |b| {
        file.lists
            .iter()
            .flat_map(|l| &l.candidates)
            .filter(|c| c.by == Some(b))
            .count()
    };
    assert_eq!(by(ElectedBy::Preference), pref);
    assert_eq!(by(ElectedBy::ListOrder), order);

    // The non-ASCII ShortCode is kept as written (why StrictFallback is needed).
    let vvd = &file.lists[0];
    let third = &vvd.candidates[2].candidate;
    assert_eq!(third.position, CandidatePosition(3));
    assert_eq!(third.short_code.as_deref(), Some("YeşilgözZegerD"));
    assert_eq!(third.last_name, "Yeşilgöz-Zegerius");
    assert_eq!(vvd.candidates[0].candidate.last_name, "Rutte");
}

#[test]
fn writes_a_result_that_validates_and_reads_back_equal() {
    let bytes = std::fs::read(RESULT).unwrap();
    let file = read_result(&bytes).unwrap();
    let written = write_result(&file).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(result_file_name(&file.header.election_id));
    assert!(path.ends_with("Resultaat_TK2021.eml.xml"));
    std::fs::write(&path, &written).unwrap();
    let (ok, stderr) = xmllint(&path);
    assert!(ok, "xmllint: {stderr}");
    let again = read_result(&written).unwrap();
    assert_eq!(again, file);
}

#[test]
fn refuses_what_is_not_a_520() {
    let count = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/eml/real/Telling_TK2021_kieskring_Groningen.eml.xml"
    ))
    .unwrap();
    assert!(matches!(
        read_result(&count),
        Err(ResultReadError::Input(_))
    ));

    let bytes = std::fs::read(RESULT).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    // A candidate not elected: a 520 names only what was elected.
    let broken = text.replacen("<Elected>yes</Elected>", "<Elected>no</Elected>", 2);
    let err = read_result(broken.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("Elected must be yes"), "{err}");
    // A candidate before any list.
    let start = text.find("<Selection><AffiliationIdentifier").unwrap();
    let end = start + text[start..].find("</Selection>").unwrap() + "</Selection>".len();
    let mut no_list = text.clone();
    no_list.replace_range(start..end, "");
    let err = read_result(no_list.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("before any list"), "{err}");
    // Truncated bytes never panic.
    for cut in [0, 10, 1000, text.len() / 2] {
        assert!(read_result(&text.as_bytes()[..cut]).is_err());
    }
}

/// An end tag that does not match its start tag (`<Exection>...</Election>`) is refused as
/// malformed XML; eml-nl 0.8.1 would panic on it (its depth counter goes below zero).
#[test]
fn a_mismatched_end_tag_is_refused_not_a_panic() {
    let text = String::from_utf8(std::fs::read(RESULT).unwrap()).unwrap();
    let bad = text.replacen("<Election>", "<Exection>", 1);
    assert_ne!(bad, text);
    match read_result(bad.as_bytes()) {
        Err(ResultReadError::Eml(why)) => assert!(why.contains("Election"), "{why}"),
        other => panic!("expected an XML error, got {other:?}"),
    }
}
