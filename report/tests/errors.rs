//! What the report refuses: a character the font lacks (a name is never printed altered),
//! an unknown contest, a creation time out of range, an overflowing sum.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tally_core::counts::CountFile;
use tally_core::election::{Election, ElectionDate, ElectionSubcategory};
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_candidate_lists};
use tally_core::hashcode::Sha256Digest;
use tally_core::ids::ContestId;
use tally_report::{
    CountReportInput, CreationTime, ReportError, ReportMeta, comparison_figures, municipal_report,
};

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/");

fn setup() -> (Vec<u8>, CountFile, Election) {
    let eml = std::fs::read(format!("{REAL}Telling_GR2022_WestMaasenWaal.eml.xml")).unwrap();
    let file = read_count(&eml).unwrap();
    let name = "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml";
    let bytes = std::fs::read(format!("{REAL}{name}")).unwrap();
    let cl = load_candidate_lists(&SourceFile::new(name, &bytes)).unwrap();
    let election = Election {
        id: cl.election.id.clone(),
        name: cl.election.name.clone().unwrap_or_default(),
        category: cl.election.category,
        subcategory: ElectionSubcategory::GR1,
        date: cl.election.date,
        nomination_date: ElectionDate {
            year: 2022,
            month: 1,
            day: 31,
        },
        domain: cl.election.domain.clone(),
        number_of_seats: 17,
        preference_threshold: 50,
        regions: Vec::new(),
        contests: cl.contests,
        polling_stations: None,
        sources: vec![cl.source],
        parse_warnings: Vec::new(),
        eml_version: Default::default(),
    };
    (eml, file, election)
}

fn meta(eml: &[u8]) -> ReportMeta<'static> {
    ReportMeta {
        body_id: "0668",
        body_name: "Gemeentelijk stembureau West Maas en Waal",
        eml_hash: Sha256Digest::of(eml),
        eml_file_name: None,
        created: CreationTime::new(2022, 3, 17, 14, 5, 9).unwrap(),
        demo: false,
        journal: None,
    }
}

#[test]
fn a_character_outside_the_font_is_refused_not_replaced() {
    let (eml, file, mut election) = setup();
    election.contests[0].lists[0].candidates[0].last_name = "Reuvers 漢".to_string();
    let input = CountReportInput {
        contest: &file.header.contest_id,
        total: &file.total,
        units: &file.units,
        meta: meta(&eml),
        proceedings: None,
    };
    match municipal_report(&election, &input) {
        Err(ReportError::Character { character, text }) => {
            assert_eq!(character, '漢');
            assert!(text.contains("Reuvers 漢"), "{text}");
        }
        other => panic!("expected a character error, got {other:?}"),
    }
}

#[test]
fn an_unknown_contest_is_refused() {
    let (eml, file, election) = setup();
    let contest = ContestId("7".into());
    let input = CountReportInput {
        contest: &contest,
        total: &file.total,
        units: &file.units,
        meta: meta(&eml),
        proceedings: None,
    };
    assert_eq!(
        municipal_report(&election, &input),
        Err(ReportError::UnknownContest("7".into()))
    );
}

#[test]
fn creation_time_fields_are_range_checked() {
    assert!(CreationTime::new(2022, 3, 17, 14, 5, 9).is_ok());
    for (args, field) in [
        ((2022, 13, 1, 0, 0, 0), "month"),
        ((2022, 0, 1, 0, 0, 0), "month"),
        ((2022, 1, 32, 0, 0, 0), "day"),
        ((2022, 1, 1, 24, 0, 0), "hour"),
        ((2022, 1, 1, 0, 60, 0), "minute"),
        ((2022, 1, 1, 0, 0, 60), "second"),
        ((99_999, 1, 1, 0, 0, 0), "year"),
    ] {
        let (y, mo, d, h, mi, s) = args;
        match CreationTime::new(y, mo, d, h, mi, s) {
            Err(ReportError::Time { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{args:?}: {other:?}"),
        }
    }
    assert_eq!(
        CreationTime::new(2022, 3, 7, 9, 5, 1).unwrap().to_string(),
        "07-03-2022 09:05:01"
    );
}

#[test]
fn an_overflowing_total_is_an_error() {
    let (_, mut file, election) = setup();
    file.total.blank = u64::MAX;
    assert!(matches!(
        comparison_figures(&election, &file.header.contest_id, &file.total),
        Err(ReportError::Overflow { .. })
    ));
}

#[test]
fn the_comparison_figures_are_the_eml_numbers() {
    let (_, file, election) = setup();
    let f = comparison_figures(&election, &file.header.contest_id, &file.total).unwrap();
    assert_eq!(f.admitted_voters, file.total.voters.admitted_voters);
    assert_eq!(f.blank, file.total.blank);
    assert_eq!(f.invalid, file.total.invalid);
    assert_eq!(f.lists.len(), file.total.lists.len());
    for (got, want) in f.lists.iter().zip(&file.total.lists) {
        assert_eq!((got.list, got.votes), (want.list, want.total));
        assert!(!got.name.is_empty());
    }
    let codes: Vec<String> = f.rows().into_iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        [
            "A", "B", "C", "D", "E.1", "E.2", "E.3", "E.4", "E.5", "E.6", "E.7", "E.8", "E", "F",
            "G", "H", "I", "J"
        ]
    );
}
