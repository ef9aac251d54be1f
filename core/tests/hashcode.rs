//! Hash codes against the Kiesraad's published codes for the Juinen test election
//! (`shared/eml/synthetic/Hashcodes-Juinen.txt`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::hashcode::{
    GROUPS, HashCodeError, Sha256Digest, check_typed_groups, choose_groups, hash_code,
};

const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/synthetic");

/// The published codes: pairs of (file name, hash code). The file starts with a UTF-8
/// byte order mark; each `eml_hash NAME` line is followed by the code.
fn published() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(Path::new(SYNTHETIC).join("Hashcodes-Juinen.txt")).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "the published file starts with a BOM"
    );
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut out = Vec::new();
    while let Some(line) = lines.next() {
        let name = line
            .strip_prefix("eml_hash ")
            .unwrap_or_else(|| panic!("{line:?}"));
        let code = lines.next().unwrap();
        out.push((name.to_string(), code.to_string()));
    }
    out
}

#[test]
fn juinen_hash_codes_equal_the_published_ones() {
    let codes = published();
    let names: Vec<&str> = codes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "eml110a_verkiezingsdefinitie-juinen.eml.xml",
            "eml230b_kandidatenlijsten-juinen.eml.xml"
        ]
    );
    for (name, code) in &codes {
        assert_eq!(code.split(' ').count(), GROUPS);
        let bytes = std::fs::read(Path::new(SYNTHETIC).join(name)).unwrap();
        assert_eq!(&hash_code(&bytes), code, "{name}");
        assert_eq!(Sha256Digest::of(&bytes).to_hex(), code.replace(' ', ""));
    }
}

#[test]
fn the_loaded_election_carries_the_published_codes() {
    let codes = published();
    let def = std::fs::read(Path::new(SYNTHETIC).join(&codes[0].0)).unwrap();
    let cl = std::fs::read(Path::new(SYNTHETIC).join(&codes[1].0)).unwrap();
    let e = load_election(
        &SourceFile::new(&codes[0].0, &def),
        &[SourceFile::new(&codes[1].0, &cl)],
        None,
    )
    .unwrap();
    assert_eq!(e.sources[0].sha256.hash_code(), codes[0].1);
    assert_eq!(e.sources[1].sha256.hash_code(), codes[1].1);
}

#[test]
fn typing_two_groups_from_the_paper() {
    let codes = published();
    let paper: Vec<&str> = codes[0].1.split(' ').collect();
    let bytes = std::fs::read(Path::new(SYNTHETIC).join(&codes[0].0)).unwrap();
    let digest = Sha256Digest::of(&bytes);
    for seed in [0u64, 1, 42, u64::MAX, 0x5eed_5eed_5eed_5eed] {
        let [a, b] = choose_groups(seed);
        assert_ne!(a, b);
        // As typed from the paper, with stray spaces and capitals.
        let ta = format!("  {} ", paper[a].to_uppercase());
        assert_eq!(
            check_typed_groups(&digest, [(a, &ta), (b, paper[b])]),
            Ok(())
        );
        // The 230b's paper held against the 110a's file: refused, naming the group.
        let wrong: Vec<&str> = codes[1].1.split(' ').collect();
        assert_eq!(
            check_typed_groups(&digest, [(a, paper[a]), (b, wrong[b])]),
            Err(HashCodeError::Mismatch {
                index: b,
                expected: paper[b].to_string(),
                typed: wrong[b].to_string()
            })
        );
    }
    // The published first group of the 110a, as printed.
    assert_eq!(paper[0], "fae2");
    let e = check_typed_groups(&digest, [(0, "fae3"), (1, paper[1])]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "group 1 does not match the file: the paper says \"fae3\", the file has \"fae2\""
    );
}
