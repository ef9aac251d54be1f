//! Writing a 510 from counts built in code (as the municipal appliance does from its
//! polling stations), and hostile bytes against both readers.

// Test code: a panic is a failed test. clippy.toml allows unwrap/expect/panic/indexing in
// `#[test]` functions; the helpers of this test crate are test code as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use tally_core::counts::{
    CandidateRef, CountFile, CountHeader, CountLevel, ListVotes, ReportingUnitCounts, VoteCounts,
    VoterCounts, check_arithmetic,
};
use tally_core::election::ElectionCategory;
use tally_core::eml::count::{
    CountWriteError, count_file_name, read_count, read_count_own, write_count, write_count_own,
};
use tally_core::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, ReportingUnitId};

fn shared(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

fn assert_valid_510(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("written.eml.xml");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(shared("xsd/EML_NL-v1.2.2/510-count-kiesraad-strict.xsd"))
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint could not be started ({e}): install the Debian package libxml2-utils")
        });
    assert!(
        out.status.success(),
        "does not validate:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn station(n: u32, l1: [u64; 3], l2: [u64; 2], blank: u64, invalid: u64) -> ReportingUnitCounts {
    let e1: u64 = l1.iter().sum();
    let e2: u64 = l2.iter().sum();
    let pos = |p| CandidateRef::Position(CandidatePosition(p));
    ReportingUnitCounts {
        id: ReportingUnitId(format!("0042::SB{n}")),
        name: format!("Stembureau \"De Brink\" & 't Hof {n}"),
        counts: VoteCounts {
            previous: Default::default(),
            cast: 0,
            lists: vec![
                ListVotes {
                    list: ListNumber(1),
                    name: "Partij <A> & 'B'".to_owned(),
                    total: e1,
                    candidates: vec![(pos(1), l1[0]), (pos(2), l1[1]), (pos(3), l1[2])],
                },
                ListVotes {
                    list: ListNumber(2),
                    name: String::new(),
                    total: e2,
                    candidates: vec![(pos(1), l2[0]), (pos(2), l2[1])],
                },
            ],
            total_counted: e1 + e2,
            blank,
            invalid,
            voters: VoterCounts {
                poll_cards: Some(e1 + e2 + blank + invalid - 1),
                proxy_certificates: Some(1),
                voter_cards: None,
                admitted_voters: Some(e1 + e2 + blank + invalid),
                more_ballots_counted: Some(0),
                fewer_ballots_counted: Some(0),
                other: vec![("geen verklaring".to_owned(), 0)],
            },
        },
        investigations: vec![],
    }
}

/// A municipal council 510b of the fictional Juinen, built in code.
fn juinen() -> CountFile {
    let units = vec![
        station(1, [10, 2, 0], [7, 1], 1, 0),
        station(2, [3, 0, 4], [20, 5], 0, 2),
    ];
    let mut total = units[0].counts.clone();
    let second = &units[1].counts;
    for (t, s) in total.lists.iter_mut().zip(&second.lists) {
        t.total += s.total;
        for (tc, sc) in t.candidates.iter_mut().zip(&s.candidates) {
            tc.1 += sc.1;
        }
    }
    total.total_counted += second.total_counted;
    total.blank += second.blank;
    total.invalid += second.invalid;
    let add = |a: Option<u64>, b: Option<u64>| Some(a.unwrap() + b.unwrap());
    total.voters.poll_cards = add(total.voters.poll_cards, second.voters.poll_cards);
    total.voters.proxy_certificates = add(
        total.voters.proxy_certificates,
        second.voters.proxy_certificates,
    );
    total.voters.admitted_voters = add(total.voters.admitted_voters, second.voters.admitted_voters);
    total.cast = 2000;
    CountFile {
        header: CountHeader {
            edition: Default::default(),
            level: CountLevel::Municipality,
            transaction_id: 1,
            authority_id: "0042".to_owned(),
            authority_name: Some("Juinen".to_owned()),
            creation_date_time: "2026-03-18T21:14:03.120".to_owned(),
            election_id: ElectionId("GR2026_Juinen".to_owned()),
            election_name: Some("Gemeenteraad Juinen 2026".to_owned()),
            category: ElectionCategory::GR,
            subcategory: Some("GR1".to_owned()),
            domain: Some((Some("0042".to_owned()), "Juinen".to_owned())),
            election_date: "2026-03-18".to_owned(),
            contest_id: ContestId("geen".to_owned()),
            contest_name: None,
        },
        total,
        units,
    }
}

#[test]
fn a_510b_built_in_code_is_written_valid_and_reads_back() {
    let file = juinen();
    assert_eq!(check_arithmetic(&file), vec![]);
    for written in [write_count(&file).unwrap(), write_count_own(&file).unwrap()] {
        assert_valid_510(&written);
        let text = String::from_utf8(written.clone()).unwrap();
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(text.contains("Id=\"510b\""));
        assert!(text.contains("<AuthorityIdentifier Id=\"0042\">Juinen</AuthorityIdentifier>"));
        // Markup characters in names are escaped, and come back as they were.
        assert!(!text.contains("Partij <A>"));
        assert_eq!(read_count(&written).unwrap(), file);
        assert_eq!(read_count_own(&written).unwrap(), file);
    }
    assert_eq!(
        count_file_name(CountLevel::Municipality, "GR2026_Juinen", "Juinen"),
        "Telling_GR2026_Juinen_gemeente_Juinen.eml.xml"
    );
}

#[test]
fn a_510d_built_in_code_with_short_code_candidates() {
    let mut file = juinen();
    file.header.level = CountLevel::Total;
    file.header.authority_id = "CSB".to_owned();
    file.header.contest_id = ContestId("alle".to_owned());
    for (cand, _) in &mut file.total.lists[0].candidates {
        if let CandidateRef::Position(p) = cand {
            *cand = CandidateRef::ShortCode(format!("KandidaatÖ{}", p.0));
        }
    }
    let written = write_count(&file).unwrap();
    assert_valid_510(&written);
    assert_eq!(read_count(&written).unwrap(), file);
}

#[test]
fn what_cannot_be_written_is_refused_precisely() {
    // eml-nl (510b) cannot write a candidate without position.
    let mut file = juinen();
    file.units[1].counts.lists[1].candidates[0].0 = CandidateRef::ShortCode("X".to_owned());
    assert_eq!(
        write_count(&file).unwrap_err(),
        CountWriteError::Value {
            field: "ReportingUnitVotes 0042::SB2, list 2, candidate X".to_owned(),
            message: "eml-nl cannot write a candidate without position (use a 510d)".to_owned(),
        }
    );

    // An authority identifier EML_NL does not allow, through both writers.
    let mut file = juinen();
    file.header.authority_id = "Juinen".to_owned();
    for result in [write_count(&file), write_count_own(&file)] {
        match result {
            Err(CountWriteError::Value { field, .. }) => {
                assert_eq!(field, "AuthorityIdentifier Id")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    // An explanation code that is not one.
    let mut file = juinen();
    file.total
        .voters
        .other
        .push(("omdat het kan".to_owned(), 1));
    assert!(matches!(
        write_count(&file),
        Err(CountWriteError::Value { field, .. }) if field == "UncountedVotes"
    ));

    // A unit without lists.
    let mut file = juinen();
    file.units[0].counts.lists.clear();
    assert!(write_count(&file).is_err());
    assert!(write_count_own(&file).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Random byte changes to a valid 510b never make either reader panic.
    #[test]
    fn mutated_files_never_panic(
        changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut bytes = write_count(&juinen()).unwrap();
        for (at, byte) in changes {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = read_count(&bytes);
        let _ = read_count_own(&bytes);
    }

    /// Random text inserted at a random place never makes either reader panic.
    #[test]
    fn inserted_markup_never_panics(
        at in any::<prop::sample::Index>(),
        insert in "(<[A-Za-z:]{1,12}( Id=\"[0-9a-z]{0,4}\")?/?>|</[A-Za-z]{1,10}>|&[a-z#0-9]{0,5};|[0-9]{1,25}){1,4}"
    ) {
        let text = String::from_utf8(write_count_own(&juinen()).unwrap()).unwrap();
        let mut i = at.index(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        let mutated = format!("{}{insert}{}", &text[..i], &text[i..]);
        let _ = read_count(mutated.as_bytes());
        let _ = read_count_own(mutated.as_bytes());
    }
}

/// A UTF-8 byte order mark before the XML declaration is accepted by both paths.
#[test]
fn a_byte_order_mark_is_accepted() {
    let file = juinen();
    for written in [write_count(&file).unwrap(), write_count_own(&file).unwrap()] {
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(&written);
        assert_eq!(read_count(&with_bom).unwrap(), file);
        assert_eq!(read_count_own(&with_bom).unwrap(), file);
    }
}
