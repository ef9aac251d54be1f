//! Tampered real files: one changed number gives exactly the violations it must, naming
//! the unit, the list, the candidate and both numbers. And hostile or broken input gives a
//! precise error, never a panic.
//!
//! The numbers before tampering are read from the XML text in the test itself.

// Test code: a panic is a failed test. clippy.toml allows unwrap/expect/panic/indexing in
// `#[test]` functions; the helpers of this test crate are test code as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use tally_core::counts::{CandidateRef, CountField, CountPlace, CountViolation, check_arithmetic};
use tally_core::eml::count::{CountReadError, read_count};
use tally_core::eml::limits::InputProblem;
use tally_core::ids::{CandidatePosition, ListNumber, ReportingUnitId};

fn real(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eml/real")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Byte range of the number in the `ValidVotes` that follows `after` (the first match of
/// `needle` at or after `from`), and the number.
fn valid_votes_after(xml: &str, from: usize, needle: &str) -> (std::ops::Range<usize>, u64) {
    let at = from + xml[from..].find(needle).expect("needle not found");
    let open = at + xml[at..].find("<ValidVotes>").unwrap() + "<ValidVotes>".len();
    let close = open + xml[open..].find("</ValidVotes>").unwrap();
    (open..close, xml[open..close].parse().unwrap())
}

fn unit_start(xml: &str, id: &str) -> usize {
    xml.find(&format!("<ReportingUnitIdentifier Id=\"{id}\">"))
        .unwrap_or_else(|| panic!("unit {id} not in file"))
}

fn total_start(xml: &str) -> usize {
    xml.find("<TotalVotes>").unwrap()
}

fn replace(xml: &str, range: std::ops::Range<usize>, value: u64) -> String {
    format!("{}{value}{}", &xml[..range.start], &xml[range.end..])
}

fn unit(id: &str) -> CountPlace {
    CountPlace::Unit(ReportingUnitId(id.to_owned()))
}

#[test]
fn a_changed_candidate_vote_in_a_polling_station() {
    let xml = real("Telling_GR2022_WestMaasenWaal.eml.xml");
    // SB1, list 2, candidate 1.
    let sb1 = unit_start(&xml, "0668::SB1");
    let (_, list_total) = valid_votes_after(&xml, sb1, "<AffiliationIdentifier Id=\"2\">");
    let list2 = sb1 + xml[sb1..].find("<AffiliationIdentifier Id=\"2\">").unwrap();
    let (range, votes) = valid_votes_after(&xml, list2, "<CandidateIdentifier Id=\"1\">");
    assert_eq!(
        (list_total, votes),
        (181, 137),
        "the file is not the one expected"
    );
    // The same candidate in TotalVotes.
    let tv = total_start(&xml);
    let tv_list2 = tv + xml[tv..].find("<AffiliationIdentifier Id=\"2\">").unwrap();
    let (_, in_total) = valid_votes_after(&xml, tv_list2, "<CandidateIdentifier Id=\"1\">");
    assert_eq!(in_total, 619);

    let tampered = replace(&xml, range, votes + 1);
    let file = read_count(tampered.as_bytes()).unwrap();
    assert_eq!(
        check_arithmetic(&file),
        vec![
            CountViolation::ListNotSumOfCandidates {
                place: unit("0668::SB1"),
                list: ListNumber(2),
                list_total: 181,
                sum_of_candidates: 182,
            },
            CountViolation::CandidateNotSumOfUnits {
                list: ListNumber(2),
                candidate: CandidateRef::Position(CandidatePosition(1)),
                total: 619,
                sum_of_units: 620,
            },
        ]
    );
    let messages: Vec<String> = check_arithmetic(&file)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        [
            "reporting unit 0668::SB1, list 2: list total 181 != sum of candidates 182",
            "TotalVotes list 2, candidate 1: 619 != sum of reporting units 620",
        ]
    );
}

#[test]
fn a_changed_list_total_in_a_polling_station() {
    let xml = real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml");
    let sb11 = unit_start(&xml, "0668::SB11");
    let (range, list_total) = valid_votes_after(&xml, sb11, "<AffiliationIdentifier Id=\"1\">");
    assert_eq!(list_total, 273);
    let tampered = replace(&xml, range, 270);
    let file = read_count(tampered.as_bytes()).unwrap();
    assert_eq!(
        check_arithmetic(&file),
        vec![
            CountViolation::ListNotSumOfCandidates {
                place: unit("0668::SB11"),
                list: ListNumber(1),
                list_total: 270,
                sum_of_candidates: 273,
            },
            CountViolation::TotalCountedNotSumOfLists {
                place: unit("0668::SB11"),
                total_counted: 1181,
                sum_of_lists: 1178,
            },
            CountViolation::ListNotSumOfUnits {
                list: ListNumber(1),
                total: 3216,
                sum_of_units: 3213,
            },
        ]
    );
}

#[test]
fn a_changed_total_blank_count() {
    let xml = real("Telling_GR2022_Groningen.eml.xml");
    let tv = total_start(&xml);
    let needle = "<RejectedVotes ReasonCode=\"blanco\">";
    let open = tv + xml[tv..].find(needle).unwrap() + needle.len();
    let close = open + xml[open..].find('<').unwrap();
    assert_eq!(&xml[open..close], "222");
    let tampered = replace(&xml, open..close, 223);
    let file = read_count(tampered.as_bytes()).unwrap();
    assert_eq!(
        check_arithmetic(&file),
        vec![CountViolation::FieldNotSumOfUnits {
            field: CountField::Blank,
            total: Some(223),
            sum_of_units: Some(222),
        }]
    );
}

#[test]
fn a_changed_national_candidate_known_by_short_code() {
    let xml = real("Totaaltelling_TK2021.eml.xml");
    let tv = total_start(&xml);
    let (range, votes) = valid_votes_after(&xml, tv, "ShortCode=\"RutteM\"");
    assert_eq!(votes, 1977651);
    let tampered = replace(&xml, range, votes - 10);
    let file = read_count(tampered.as_bytes()).unwrap();
    assert_eq!(
        check_arithmetic(&file),
        vec![
            CountViolation::ListNotSumOfCandidates {
                place: CountPlace::Total,
                list: ListNumber(1),
                list_total: 2279130,
                sum_of_candidates: 2279120,
            },
            CountViolation::CandidateNotSumOfUnits {
                list: ListNumber(1),
                candidate: CandidateRef::ShortCode("RutteM".to_owned()),
                total: 1977641,
                sum_of_units: 1977651,
            },
        ]
    );
}

#[test]
fn a_changed_kieskring_in_the_national_total() {
    let xml = real("Totaaltelling_TK2021.eml.xml");
    let hsb3 = unit_start(&xml, "HSB3");
    let needle = "<TotalCounted>";
    let open = hsb3 + xml[hsb3..].find(needle).unwrap() + needle.len();
    let close = open + xml[open..].find('<').unwrap();
    let e: u64 = xml[open..close].parse().unwrap();
    let tampered = replace(&xml, open..close, e + 5);
    let file = read_count(tampered.as_bytes()).unwrap();
    assert_eq!(
        check_arithmetic(&file),
        vec![
            CountViolation::TotalCountedNotSumOfLists {
                place: unit("HSB3"),
                total_counted: e + 5,
                sum_of_lists: e,
            },
            CountViolation::FieldNotSumOfUnits {
                field: CountField::TotalCounted,
                total: Some(10422852),
                sum_of_units: Some(10422857),
            },
        ]
    );
}

#[test]
fn hostile_and_broken_input_is_refused_precisely() {
    let xml = real("Telling_GR2022_WestMaasenWaal.eml.xml");

    // A DOCTYPE with an entity ("billion laughs" style) is refused before parsing.
    let doctype = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE EML [<!ENTITY a \"aaaa\">]>{}",
        &xml
    );
    assert!(matches!(
        read_count(doctype.as_bytes()),
        Err(CountReadError::Input(InputProblem::Doctype { .. }))
    ));

    // Not UTF-8.
    let mut latin1 = xml.clone().into_bytes();
    latin1.insert(300, 0xE9);
    assert!(matches!(
        read_count(&latin1),
        Err(CountReadError::Input(InputProblem::NotUtf8 { offset: 300 }))
    ));

    // Another document kind.
    let definition = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/eml/real/Verkiezingsdefinitie_TK2025.eml.xml"),
    )
    .unwrap();
    assert!(matches!(
        read_count(&definition),
        Err(CountReadError::Input(
            InputProblem::WrongDocumentKind { .. }
        ))
    ));

    // A vote count that is not a number: eml-nl (510b) and the own reader (510d).
    let sb1 = unit_start(&xml, "0668::SB1");
    let (range, _) = valid_votes_after(&xml, sb1, "<AffiliationIdentifier Id=\"1\">");
    let bad = format!("{}-3{}", &xml[..range.start], &xml[range.end..]);
    let err = read_count(bad.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("ValidVotes"),
        "unexpected error: {err}"
    );

    let national = real("Totaaltelling_TK2021.eml.xml");
    let hsb2 = unit_start(&national, "HSB2");
    let (range, _) = valid_votes_after(&national, hsb2, "<AffiliationIdentifier Id=\"1\">");
    let bad = format!("{}12x{}", &national[..range.start], &national[range.end..]);
    assert_eq!(
        read_count(bad.as_bytes()).unwrap_err(),
        CountReadError::Invalid {
            element: "ReportingUnitVotes HSB2/Selection/ValidVotes".to_owned(),
            message: format!(
                "\"12x\" is not a whole number (at byte {})",
                range.start - "<ValidVotes>".len()
            ),
        }
    );

    // A truncated file.
    let truncated = &national[..national.len() / 2];
    assert!(matches!(
        read_count(truncated.as_bytes()),
        Err(CountReadError::Xml { .. } | CountReadError::Invalid { .. })
    ));
    assert!(read_count(&xml.as_bytes()[..xml.len() / 3]).is_err());

    // Two Contests.
    let two = national.replacen("</Contest>", "</Contest><Contest></Contest>", 1);
    assert!(
        read_count(two.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("exactly one Contest")
    );
}

/// The place in an error of a reporting unit's own elements (made only when there is an
/// error, from pieces): the same text as before, `ReportingUnitVotes <id>/<element>`.
#[test]
fn a_units_error_names_its_place() {
    let xml = real("Telling_GR2022_WestMaasenWaal.eml.xml");
    let sb1 = unit_start(&xml, "0668::SB1");
    let in_sb1 = |from: &str, to: &str| {
        let at = sb1 + xml[sb1..].find(from).unwrap();
        let mut changed = xml.clone();
        changed.replace_range(at..at + from.len(), to);
        changed
    };
    let cases = [
        (
            in_sb1("<Cast>1415</Cast>", "<Cast>x</Cast>"),
            "ReportingUnitVotes 0668::SB1/Cast",
        ),
        (
            in_sb1(
                "<UncountedVotes ReasonCode=\"geldige stempassen\">619<",
                "<UncountedVotes ReasonCode=\"geldige stempassen\">y<",
            ),
            "ReportingUnitVotes 0668::SB1/UncountedVotes geldige stempassen",
        ),
        (
            in_sb1("<RejectedVotes ReasonCode=\"blanco\">2</RejectedVotes>", ""),
            "ReportingUnitVotes 0668::SB1/RejectedVotes",
        ),
        (
            in_sb1("<TotalCounted>687</TotalCounted>", ""),
            "ReportingUnitVotes 0668::SB1",
        ),
    ];
    for (changed, place) in cases {
        match read_count(changed.as_bytes()) {
            Err(CountReadError::Invalid { element, .. }) => assert_eq!(element, place),
            other => panic!("{place}: {other:?}"),
        }
    }
}
