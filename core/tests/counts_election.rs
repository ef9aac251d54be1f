//! Real count files against real elections (110a + 230b, loaded by `eml::definition`):
//! a count of the election fits it; a count of another election, another kieskring, or
//! with an invented list or candidate, gives the precise mismatch.

// Test code: a panic is a failed test. clippy.toml allows unwrap/expect/panic/indexing in
// `#[test]` functions; the helpers of this test crate are test code as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use tally_core::counts::{CandidateRef, CountPlace, ElectionMismatch, check_against_election};
use tally_core::election::Election;
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::ids::{CandidatePosition, ListNumber, ReportingUnitId};

fn real(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eml/real")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn election(definition: &str, lists: &[&str]) -> Election {
    let def = real(definition);
    let list_bytes: Vec<Vec<u8>> = lists.iter().map(|n| real(n)).collect();
    let files: Vec<SourceFile<'_>> = lists
        .iter()
        .zip(&list_bytes)
        .map(|(n, b)| SourceFile::new(n, b))
        .collect();
    load_election(&SourceFile::new(definition, &def), &files, None).unwrap()
}

#[test]
fn tk2025_municipal_count_fits_its_election() {
    let e = election(
        "Verkiezingsdefinitie_TK2025.eml.xml",
        &["Kandidatenlijsten_TK2025_Nijmegen.eml.xml"],
    );
    let count = read_count(&real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")).unwrap();
    assert_eq!(check_against_election(&count, &e), vec![]);
}

#[test]
fn tk2021_district_count_fits_its_election() {
    let e = election(
        "Verkiezingsdefinitie_TK2021.eml.xml",
        &["Kandidatenlijsten_TK2021_Groningen.eml.xml"],
    );
    let count = read_count(&real("Telling_TK2021_kieskring_Groningen.eml.xml")).unwrap();
    assert_eq!(check_against_election(&count, &e), vec![]);
}

#[test]
fn a_count_of_another_kieskring_is_refused() {
    // West Maas en Waal is in kieskring 6 (Nijmegen); only Haarlem's lists are loaded.
    let e = election(
        "Verkiezingsdefinitie_TK2025.eml.xml",
        &["Kandidatenlijsten_TK2025_Haarlem.eml.xml"],
    );
    let count = read_count(&real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")).unwrap();
    assert_eq!(
        check_against_election(&count, &e),
        vec![ElectionMismatch::UnknownContest {
            place: CountPlace::Total,
            contest: "6".to_owned(),
        }]
    );
}

#[test]
fn a_count_of_another_election_is_refused() {
    let e = election(
        "Verkiezingsdefinitie_TK2025.eml.xml",
        &["Kandidatenlijsten_TK2025_Nijmegen.eml.xml"],
    );
    let count = read_count(&real("Telling_TK2021_kieskring_Groningen.eml.xml")).unwrap();
    let found = check_against_election(&count, &e);
    assert_eq!(
        found.first(),
        Some(&ElectionMismatch::ElectionId {
            file: "TK2021".to_owned(),
            election: "TK2025".to_owned(),
        })
    );
    assert_eq!(
        found.get(1),
        Some(&ElectionMismatch::ElectionDate {
            file: "2021-03-17".to_owned(),
            election: "2025-10-29".to_owned(),
        })
    );
    assert_eq!(
        found.get(2),
        Some(&ElectionMismatch::UnknownContest {
            place: CountPlace::Total,
            contest: "1".to_owned(),
        })
    );
    assert_eq!(found.len(), 3);
}

#[test]
fn an_invented_list_and_candidate_are_named() {
    let e = election(
        "Verkiezingsdefinitie_TK2025.eml.xml",
        &["Kandidatenlijsten_TK2025_Nijmegen.eml.xml"],
    );
    let mut count = read_count(&real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")).unwrap();
    // Polling station SB3: list 1 gets a candidate at a position the list does not have,
    // and the last list is renumbered to 99.
    let sb3 = count
        .units
        .iter_mut()
        .find(|u| u.id.0 == "0668::SB3")
        .unwrap();
    let list1 = sb3
        .counts
        .lists
        .iter_mut()
        .find(|l| l.list == ListNumber(1))
        .unwrap();
    let beyond = list1.candidates.len() as u32 + 1;
    list1
        .candidates
        .push((CandidateRef::Position(CandidatePosition(beyond)), 0));
    sb3.counts.lists.last_mut().unwrap().list = ListNumber(99);
    assert_eq!(
        check_against_election(&count, &e),
        vec![
            ElectionMismatch::UnknownCandidate {
                place: CountPlace::Unit(ReportingUnitId("0668::SB3".to_owned())),
                contest: "6".to_owned(),
                list: ListNumber(1),
                candidate: CandidateRef::Position(CandidatePosition(beyond)),
            },
            ElectionMismatch::UnknownList {
                place: CountPlace::Unit(ReportingUnitId("0668::SB3".to_owned())),
                contest: "6".to_owned(),
                list: ListNumber(99),
            },
        ]
    );
}

/// The national total against an election with only kieskring 1 loaded: kieskring 1 fits
/// (its candidates by position and ShortCode), the other 19 kieskringen are unknown
/// contests, and every list and `ShortCode` of the national total that kieskring 1 has
/// fits too.
#[test]
fn tk2021_national_total_against_kieskring_groningen() {
    let e = election(
        "Verkiezingsdefinitie_TK2021.eml.xml",
        &["Kandidatenlijsten_TK2021_Groningen.eml.xml"],
    );
    let count = read_count(&real("Totaaltelling_TK2021.eml.xml")).unwrap();
    let found = check_against_election(&count, &e);
    let unknown_contests: Vec<&ElectionMismatch> = found
        .iter()
        .filter(|m| matches!(m, ElectionMismatch::UnknownContest { .. }))
        .collect();
    assert_eq!(unknown_contests.len(), 19);
    assert!(!found.iter().any(|m| matches!(
        m,
        ElectionMismatch::UnknownCandidate { place: CountPlace::Unit(u), .. }
            | ElectionMismatch::UnknownList { place: CountPlace::Unit(u), .. }
            if u.0 == "HSB1"
    )));
    // The national total has 37 lists, Groningen's 230b has 31: the other 6 are unknown
    // with only kieskring 1 loaded; every ShortCode-only candidate is found.
    let rest: Vec<&ElectionMismatch> = found
        .iter()
        .filter(|m| !matches!(m, ElectionMismatch::UnknownContest { .. }))
        .collect();
    assert_eq!(rest.len(), 6, "{rest:?}");
    assert!(rest.iter().all(|m| matches!(
        m,
        ElectionMismatch::UnknownList {
            place: CountPlace::Total,
            ..
        }
    )));

    // A ShortCode no kieskring gives is named.
    let mut tampered = count.clone();
    let vvd = tampered
        .total
        .lists
        .iter_mut()
        .find(|l| l.list == ListNumber(1))
        .unwrap();
    vvd.candidates.first_mut().unwrap().0 = CandidateRef::ShortCode("RutteX".to_owned());
    let found = check_against_election(&tampered, &e);
    assert!(found.contains(&ElectionMismatch::UnknownCandidate {
        place: CountPlace::Total,
        contest: "alle".to_owned(),
        list: ListNumber(1),
        candidate: CandidateRef::ShortCode("RutteX".to_owned()),
    }));
}
