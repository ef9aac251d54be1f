//! Loading election definitions (110a, 230b, 110b) from the real Kiesraad files in
//! `shared/eml/`, the Kiesraad's synthetic Juinen election, and every definition file of
//! `eml-nl`'s own test set; and refusing broken or mismatched ones with the error that
//! names the actual defect.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use tally_core::election::{ElectionCategory, ElectionSubcategory, RegionCategory, SourceKind};
use tally_core::eml::definition::{
    DefinitionError, DefinitionProblem, SourceFile, load_candidate_lists, load_definition,
    load_election, load_polling_stations, sort_medium_files,
};
use tally_core::eml::limits::{InputProblem, MAX_FILE_BYTES};
use tally_core::eml::{ByteSpan, EmlIssue, EmlProblem};
use tally_core::hashcode::Sha256Digest;
use tally_core::ids::{
    CandidatePosition, ContestId, ListNumber, MunicipalityCode, PollingStationNumber,
};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml");

/// A file's name and bytes.
struct Owned {
    name: String,
    bytes: Vec<u8>,
}

impl Owned {
    fn file(&self) -> SourceFile<'_> {
        SourceFile::new(&self.name, &self.bytes)
    }

    /// The same file with `from` replaced by `to` exactly once (the test fails if `from`
    /// does not occur exactly once).
    fn edited(&self, from: &str, to: &str) -> Owned {
        let text = std::str::from_utf8(&self.bytes).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{from:?} in {}", self.name);
        Owned {
            name: format!("edited-{}", self.name),
            bytes: text.replacen(from, to, 1).into_bytes(),
        }
    }
}

fn read(path: &Path) -> Owned {
    Owned {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        bytes: std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    }
}

fn real(name: &str) -> Owned {
    read(&Path::new(SHARED).join("real").join(name))
}

fn synthetic(name: &str) -> Owned {
    read(&Path::new(SHARED).join("synthetic").join(name))
}

/// `eml-nl` 0.8.1's `test-files/` in the cargo registry (present wherever the crate was
/// built).
fn eml_nl_test_files() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let src = cargo_home.join("registry").join("src");
    for index in std::fs::read_dir(&src).unwrap() {
        let dir = index
            .unwrap()
            .path()
            .join("eml-nl-0.8.1")
            .join("test-files");
        if dir.is_dir() {
            return dir;
        }
    }
    panic!("eml-nl-0.8.1/test-files not found under {}", src.display());
}

fn kr(path: &str) -> Owned {
    read(&eml_nl_test_files().join(path))
}

fn problem(result: Result<impl std::fmt::Debug, DefinitionError>) -> DefinitionProblem {
    result.unwrap_err().problem
}

/// The issues of an `eml-nl` refusal, without spans.
fn issues(p: DefinitionProblem) -> Vec<EmlProblem> {
    match p {
        DefinitionProblem::Eml { issues } => issues.into_iter().map(|i| i.problem).collect(),
        other => panic!("expected an eml-nl refusal, got {other:?}"),
    }
}

fn count(haystack: &[u8], needle: &str) -> usize {
    std::str::from_utf8(haystack)
        .unwrap()
        .matches(needle)
        .count()
}

// ------------------------------------------------------------------ real files, loading

#[test]
fn tk2025_definition_with_nijmegen_and_haarlem() {
    let def = real("Verkiezingsdefinitie_TK2025.eml.xml");
    let nijmegen = real("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let haarlem = real("Kandidatenlijsten_TK2025_Haarlem.eml.xml");
    let e = load_election(&def.file(), &[nijmegen.file(), haarlem.file()], None).unwrap();

    assert_eq!(e.id.0, "TK2025");
    assert_eq!(e.name, "Tweede Kamer der Staten-Generaal 2025");
    assert_eq!(e.category, ElectionCategory::TK);
    assert_eq!(e.subcategory, ElectionSubcategory::TK);
    assert_eq!(e.date.to_string(), "2025-10-29");
    assert_eq!(e.nomination_date.to_string(), "2025-09-15");
    assert_eq!(e.domain, None);
    assert_eq!(e.number_of_seats, 150);
    assert_eq!(e.preference_threshold, 25);
    assert!(e.has_voter_cards());
    // The tree: counted in the file's text, independently of the loader.
    assert_eq!(e.regions.len(), count(&def.bytes, "<kr:Region "));
    assert_eq!(
        e.municipalities().count(),
        count(&def.bytes, "RegionCategory=\"GEMEENTE\"")
    );
    assert_eq!(e.kieskringen().count(), 20);
    assert_eq!(
        e.regions[0].key.category,
        RegionCategory::State,
        "the state comes first"
    );

    // West Maas en Waal (0668) lies in kieskring 6 Nijmegen, whose lists are contest 6.
    let wmw = MunicipalityCode("0668".into());
    assert_eq!(
        e.municipality_region(&wmw).unwrap().name,
        "West Maas en Waal"
    );
    assert_eq!(e.kieskring_of(&wmw).unwrap().name, "Nijmegen");
    assert_eq!(e.contest_for_municipality(&wmw).unwrap().id.0, "6");

    let six = ContestId("6".into());
    let ten = ContestId("10".into());
    assert_eq!(e.contests.len(), 2);
    assert_eq!(e.contest(&six).unwrap().name.as_deref(), Some("Nijmegen"));
    assert_eq!(
        e.lists(&six).len(),
        count(&nijmegen.bytes, "<AffiliationIdentifier ")
    );
    assert_eq!(e.lists(&six).len(), 24);
    assert_eq!(e.lists(&ten).len(), 23);
    let numbers: Vec<u32> = e.lists(&ten).iter().map(|l| l.number.0).collect();
    assert_eq!(&numbers[numbers.len() - 3..], &[21, 23, 25]);
    let pvv = e.list(&six, ListNumber(1)).unwrap();
    assert_eq!(pvv.name, "PVV (Partij voor de Vrijheid)");
    let wilders = &pvv.candidates[0];
    assert_eq!(wilders.position, CandidatePosition(1));
    assert_eq!(wilders.initials, "G.");
    assert_eq!(wilders.first_name.as_deref(), Some("Geert"));
    assert_eq!(wilders.last_name, "Wilders");
    assert_eq!(wilders.locality.as_deref(), Some("'s-Gravenhage"));
    assert_eq!(wilders.gender.as_deref(), Some("male"));
    let van_dijck = &pvv.candidates[7];
    assert_eq!(
        (van_dijck.prefix.as_deref(), van_dijck.last_name.as_str()),
        (Some("van"), "Dijck")
    );
    let candidates: usize = e
        .contests
        .iter()
        .flat_map(|c| &c.lists)
        .map(|l| l.candidates.len())
        .sum();
    assert_eq!(
        candidates,
        count(&nijmegen.bytes, "<Candidate>") + count(&haarlem.bytes, "<Candidate>")
    );

    // The sources: the 110a then the 230b files, each with the SHA-256 of its bytes.
    let kinds: Vec<SourceKind> = e.sources.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SourceKind::Definition,
            SourceKind::CandidateLists,
            SourceKind::CandidateLists
        ]
    );
    assert_eq!(
        e.sources[1].name,
        "Kandidatenlijsten_TK2025_Nijmegen.eml.xml"
    );
    assert_eq!(e.sources[2].sha256, Sha256Digest::of(&haarlem.bytes));
    assert!(e.parse_warnings.is_empty(), "{:?}", e.parse_warnings);
}

#[test]
fn tk2025_copies_in_eml_nl_load_too() {
    let def = kr("election_definition/Verkiezingsdefinitie_TK2025.eml.xml");
    let n = kr("csv/Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let h = kr("csv/Kandidatenlijsten_TK2025_Haarlem.eml.xml");
    let e = load_election(&def.file(), &[h.file(), n.file()], None).unwrap();
    let ids: Vec<&str> = e.contests.iter().map(|c| c.id.0.as_str()).collect();
    assert_eq!(ids, ["10", "6"]);
}

#[test]
fn tk2021_definition_with_groningen() {
    let def = real("Verkiezingsdefinitie_TK2021.eml.xml");
    let gr = real("Kandidatenlijsten_TK2021_Groningen.eml.xml");
    let e = load_election(&def.file(), &[gr.file()], None).unwrap();
    assert_eq!(e.id.0, "TK2021");
    assert_eq!(e.number_of_seats, 150);
    assert_eq!(
        e.municipalities().count(),
        count(&def.bytes, "RegionCategory=\"GEMEENTE\"")
    );
    let one = ContestId("1".into());
    let lists = e.lists(&one);
    assert_eq!(lists.len(), 31);
    // List numbers 30 and 31 were not assigned in Groningen: 29 is followed by 32, 33.
    let last: Vec<u32> = lists[28..].iter().map(|l| l.number.0).collect();
    assert_eq!(last, [29, 32, 33]);
    for l in lists {
        for (i, c) in l.candidates.iter().enumerate() {
            assert_eq!(c.position.0 as usize, i + 1);
        }
    }
    // The CSB's committee name is in the tree.
    let state = &e.regions[0];
    assert_eq!(state.committees[0].name.as_deref(), Some("De Kiesraad"));
}

#[test]
fn municipal_and_provincial_definitions_load_alone() {
    let sk =
        load_definition(&real("Verkiezingsdefinitie_GR2026_Stadskanaal.eml.xml").file()).unwrap();
    assert_eq!(sk.category, ElectionCategory::GR);
    assert_eq!(sk.subcategory, ElectionSubcategory::GR2);
    assert_eq!(sk.number_of_seats, 23);
    assert_eq!(
        sk.domain_municipality(),
        Some((MunicipalityCode("0037".into()), "Stadskanaal"))
    );
    assert_eq!(sk.municipality().unwrap().0.0, "0037");
    assert!(!sk.has_voter_cards());
    assert!(sk.contests.is_empty());

    let gld =
        load_definition(&real("Verkiezingsdefinitie_PS2023_Gelderland.eml.xml").file()).unwrap();
    assert_eq!(gld.category, ElectionCategory::PS);
    assert_eq!(gld.subcategory, ElectionSubcategory::PS2);
    assert_eq!(gld.number_of_seats, 55);
    let domain = gld.domain.as_ref().unwrap();
    assert_eq!(
        (domain.id.as_deref(), domain.name.as_str()),
        (None, "Gelderland")
    );
    assert_eq!(gld.domain_municipality(), None);
    let kieskringen: Vec<&str> = gld.kieskringen().map(|r| r.name.as_str()).collect();
    assert_eq!(kieskringen, ["Arnhem", "Nijmegen"]);
}

#[test]
fn gr2022_candidate_lists_load_without_a_definition() {
    for (file, lists) in [
        (real("Kandidatenlijsten_GR2022_Groningen.eml.xml"), 16),
        (real("Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml"), 8),
        (kr("csv/Kandidatenlijsten_GR2022_Groningen.eml.xml"), 16),
        (kr("csv/Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml"), 8),
        (
            kr("csv/Kandidatenlijsten_GR2026_Assen.eml.xml"),
            count(
                &kr("csv/Kandidatenlijsten_GR2026_Assen.eml.xml").bytes,
                "<Affiliation>",
            ),
        ),
    ] {
        let cl = load_candidate_lists(&file.file()).unwrap();
        assert_eq!(cl.election.category, ElectionCategory::GR, "{}", file.name);
        assert_eq!(cl.contests.len(), 1);
        assert_eq!(cl.contests[0].id.0, "geen");
        assert_eq!(cl.contests[0].lists.len(), lists, "{}", file.name);
        assert_eq!(
            cl.contests[0]
                .lists
                .iter()
                .map(|l| l.candidates.len())
                .sum::<usize>(),
            count(&file.bytes, "<Candidate>"),
            "{}",
            file.name
        );
        assert_eq!(cl.source.sha256, Sha256Digest::of(&file.bytes));
    }
    let wmw = load_candidate_lists(&real("Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml").file())
        .unwrap();
    assert_eq!(wmw.election.id.0, "GR2022_WestMaasenWaal");
    assert_eq!(wmw.election.subcategory, Some(ElectionSubcategory::GR1));
    let d = wmw.election.domain.unwrap();
    assert_eq!(
        (d.id.as_deref(), d.name.as_str()),
        (Some("0668"), "West Maas en Waal")
    );
}

#[test]
fn juinen_definition_lists_and_polling_stations() {
    let def = synthetic("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let cl = synthetic("eml230b_kandidatenlijsten-juinen.eml.xml");
    let ps = synthetic("eml110b_stembureaulijst-juinen.eml.xml");
    let e = load_election(&def.file(), &[cl.file()], Some(&ps.file())).unwrap();
    assert_eq!(e.id.0, "GR2025_Juinen");
    assert_eq!(e.name, "Gemeenteraad 2025 Juinen");
    assert_eq!(e.number_of_seats, 45);
    assert!(!e.has_voter_cards());
    assert_eq!(
        e.municipality(),
        Some((MunicipalityCode("0042".into()), "Juinen"))
    );
    let geen = ContestId("geen".into());
    let names: Vec<&str> = e.lists(&geen).iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Lijst Hekking",
            "De Tegenpartij",
            "Juinen Vooruit",
            "Stadspartij Juinen"
        ]
    );
    let stations = &e.polling_stations.as_ref().unwrap().stations;
    assert_eq!(stations.len(), 3);
    let first = e.polling_station(PollingStationNumber(1)).unwrap();
    assert_eq!(first.name, "Studio The Rules");
    assert_eq!(first.postcode.as_deref(), Some("2541 AA"));
    assert_eq!(first.eligible_voters, Some(1));
    assert_eq!(
        e.polling_station(PollingStationNumber(3)).unwrap().name,
        "De Positivozaal"
    );
    let kinds: Vec<SourceKind> = e.sources.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SourceKind::Definition,
            SourceKind::CandidateLists,
            SourceKind::PollingStations
        ]
    );
    assert_eq!(
        e.definition_digest().unwrap().sha256,
        Sha256Digest::of(&def.bytes)
    );

    // The binding digest changes with any byte of any source.
    let before = e.sources_digest();
    let ps2 = ps.edited("De Positivozaal", "De Positivozaal ");
    let e2 = load_election(&def.file(), &[cl.file()], Some(&ps2.file())).unwrap();
    assert_ne!(e2.sources_digest(), before);
    let again = load_election(&def.file(), &[cl.file()], Some(&ps.file())).unwrap();
    assert_eq!(again.sources_digest(), before);
}

// ------------------------------------------------------------- eml-nl's own test files

#[test]
fn eml_nl_matching_sets_load() {
    let def = kr("election_definition/eml110a_test.eml.xml");
    let e = load_election(
        &def.file(),
        &[kr("candidate_lists/eml230b_test.eml.xml").file()],
        Some(&kr("polling_stations/eml110b_test.eml.xml").file()),
    )
    .unwrap();
    assert_eq!(e.id.0, "GR2022_Test");
    assert_eq!(e.municipality().unwrap().0.0, "0000");
    // eml-nl skips the NominationDate that this 110b has and should not have; we keep
    // its remark.
    assert_eq!(e.parse_warnings.len(), 1, "{:?}", e.parse_warnings);
    assert!(e.parse_warnings[0].contains("NominationDate"));

    load_election(
        &def.file(),
        &[kr("candidate_lists/eml230b_test_without_addresses.eml.xml").file()],
        None,
    )
    .unwrap();

    // A 110a without a domain accepts the 230b's domain: the check applies where both
    // give one.
    let e = load_election(
        &kr("election_definition/eml110a_election_missing_election_domain.eml.xml").file(),
        &[kr("candidate_lists/eml230b_test.eml.xml").file()],
        Some(&kr("polling_stations/eml110b_test.eml.xml").file()),
    )
    .unwrap();
    assert_eq!(e.domain, None);
    // Then the 110b's municipality must be in the tree (region 000 is 0000).
    assert_eq!(e.municipality().unwrap().0.0, "0000");

    let e = load_election(
        &kr("election_definition/eml110a_election_definition_construction_output.eml.xml").file(),
        &[kr("candidate_lists/eml230b_candidate_lists_construction_output.eml.xml").file()],
        None,
    )
    .unwrap();
    assert_eq!(e.id.0, "GR2026_Test");
    assert_eq!(e.number_of_seats, 10);
    assert_eq!(e.preference_threshold, 50);
    assert_eq!(e.subcategory, ElectionSubcategory::GR1);
}

#[test]
fn eml_nl_polling_station_files_load_alone() {
    for (name, stations) in [
        ("eml110b_1_station.eml.xml", 1),
        ("eml110b_less_than_10_stations.eml.xml", 9),
        ("eml110b_not_matching_election_id.eml.xml", 0),
        ("eml110b_empty_number_of_voters.eml.xml", 0),
        ("eml110b_polling_stations_construction_output.eml.xml", 1),
        ("eml110b_test.eml.xml", 0),
    ] {
        let f = kr(&format!("polling_stations/{name}"));
        let ps = load_polling_stations(&f.file()).unwrap();
        let expected = if stations == 0 {
            count(&f.bytes, "<PollingStation ")
        } else {
            stations
        };
        assert_eq!(ps.list.stations.len(), expected, "{name}");
        let numbers: Vec<u32> = ps.list.stations.iter().map(|s| s.number.0).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{name}");
    }
    let one =
        load_polling_stations(&kr("polling_stations/eml110b_1_station.eml.xml").file()).unwrap();
    assert_eq!(one.list.municipality.0, "0000");
    assert_eq!(one.list.stations[0].eligible_voters, Some(1273));
    assert_eq!(one.list.stations[0].name, "Stadhuis");
    assert_eq!(one.list.stations[0].postcode.as_deref(), Some("1011 PN"));
}

/// Every `*_invalid_*` definition file of eml-nl is refused, each with its own defect.
#[test]
fn eml_nl_invalid_definitions_are_refused_for_their_defect() {
    let def = |name: &str| {
        problem(load_definition(
            &kr(&format!("election_definition/{name}")).file(),
        ))
    };
    let missing = |element: &str| {
        vec![EmlProblem::MissingElement {
            element: element.into(),
        }]
    };

    let date = issues(def("eml110a_invalid_election_date_format.eml.xml"));
    assert!(
        matches!(&date[..], [EmlProblem::InvalidValue { field, .. }] if field == "kr:ElectionDate"),
        "{date:?}"
    );
    let nom = issues(def(
        "eml110a_invalid_election_date_nomination_format.eml.xml",
    ));
    assert!(
        matches!(&nom[..], [EmlProblem::InvalidValue { field, .. }] if field == "kr:NominationDate"),
        "{nom:?}"
    );
    assert_eq!(
        issues(def(
            "eml110a_invalid_election_mismatch_preference_threshold.eml.xml"
        )),
        [EmlProblem::PreferenceThreshold]
    );
    assert_eq!(
        issues(def(
            "eml110a_invalid_election_mismatch_preference_threshold_small_election.eml.xml"
        )),
        [EmlProblem::PreferenceThreshold]
    );
    assert_eq!(
        issues(def(
            "eml110a_invalid_election_missing_election_tree.eml.xml"
        )),
        missing("kr:ElectionTree")
    );
    assert_eq!(
        issues(def(
            "eml110a_invalid_election_missing_nomination_date.eml.xml"
        )),
        missing("kr:NominationDate")
    );
    assert_eq!(
        issues(def(
            "eml110a_invalid_election_missing_number_of_seats.eml.xml"
        )),
        missing("kr:NumberOfSeats")
    );
    assert_eq!(
        issues(def(
            "eml110a_invalid_election_missing_preference_threshold.eml.xml"
        )),
        missing("kr:PreferenceThreshold")
    );
    assert_eq!(
        issues(def("eml110a_invalid_election_missing_subcategory.eml.xml")),
        missing("kr:ElectionSubcategory")
    );
    // GR2 with 9 seats.
    assert_eq!(
        issues(def("eml110a_invalid_election_number_of_seats.eml.xml")),
        [EmlProblem::NumberOfSeats]
    );
    // GR1 with 45 seats and threshold 25: both are wrong for GR1.
    assert_eq!(
        issues(def("eml110a_invalid_election_subcategory.eml.xml")),
        [EmlProblem::PreferenceThreshold, EmlProblem::NumberOfSeats]
    );
    let vm = issues(def("eml110a_invalid_election_voting_method.eml.xml"));
    assert!(
        matches!(&vm[..], [EmlProblem::InvalidValue { field, reason }]
            if field == "VotingMethod" && reason.contains("EPV")),
        "{vm:?}"
    );
    let xml = def("eml110a_invalid_xml.eml.xml");
    match &xml {
        DefinitionProblem::Eml { issues } => {
            assert!(matches!(
                issues.as_slice(),
                [EmlIssue {
                    span: Some(ByteSpan { .. }),
                    problem: EmlProblem::Xml { .. }
                }]
            ));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn eml_nl_invalid_candidate_lists_are_refused_for_their_defect() {
    let cl = |name: &str| {
        problem(load_candidate_lists(
            &kr(&format!("candidate_lists/{name}")).file(),
        ))
    };
    let missing = |element: &str| {
        vec![EmlProblem::MissingElement {
            element: element.into(),
        }]
    };
    // A 110a where a 230b is expected: refused by the kind check, before parsing.
    assert_eq!(
        cl("eml230b_invalid_document_type.eml.xml"),
        DefinitionProblem::Input(InputProblem::WrongDocumentKind {
            expected: "230b".into(),
            found: "110a".into()
        })
    );
    assert_eq!(
        issues(cl("eml230b_invalid_empty_affiliates.eml.xml")),
        missing("Affiliation")
    );
    assert_eq!(
        issues(cl("eml230b_invalid_empty_candidates.eml.xml")),
        missing("Candidate")
    );
    // Category TK with subcategory GR2.
    assert_eq!(
        issues(cl("eml230b_invalid_incorrect_election_category.eml.xml")),
        [EmlProblem::Subcategory]
    );
    assert_eq!(
        issues(cl("eml230b_invalid_incorrect_election_date.eml.xml")),
        [EmlProblem::NominationDate]
    );
    let domain = issues(cl("eml230b_invalid_incorrect_election_domain.eml.xml"));
    assert!(
        matches!(&domain[..], [EmlProblem::InvalidValue { field, reason }]
            if field == "Id" && reason.contains("-1")),
        "{domain:?}"
    );
    assert_eq!(
        issues(cl("eml230b_invalid_missing_authority.eml.xml")),
        missing("ManagingAuthority")
    );
}

#[test]
fn eml_nl_invalid_polling_stations_are_refused_for_their_defect() {
    let ps = |name: &str| {
        problem(load_polling_stations(
            &kr(&format!("polling_stations/{name}")).file(),
        ))
    };
    let voters = issues(ps("eml110b_invalid_number_of_voters.eml.xml"));
    assert!(
        matches!(&voters[..], [EmlProblem::InvalidValue { field, .. }] if field == "MaxVotes"),
        "{voters:?}"
    );
    // Not named invalid, but a 110b without any polling station cannot be counted with;
    // eml-nl's Strict mode refuses it and so do we.
    assert_eq!(
        issues(ps("eml110b_empty_polling_station.eml.xml")),
        [EmlProblem::MissingElement {
            element: "PollingPlace".into()
        }]
    );
}

// --------------------------------------------------------------- cross-file mismatches

#[test]
fn a_file_of_another_election_is_refused() {
    let e = load_election(
        &real("Verkiezingsdefinitie_TK2021.eml.xml").file(),
        &[real("Kandidatenlijsten_TK2025_Nijmegen.eml.xml").file()],
        None,
    )
    .unwrap_err();
    assert_eq!(e.file, "Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    assert_eq!(
        e.problem,
        DefinitionProblem::OtherElection {
            field: "ElectionIdentifier Id",
            expected: "TK2021".into(),
            found: "TK2025".into()
        }
    );

    let def = synthetic("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let cl = synthetic("eml230b_kandidatenlijsten-juinen.eml.xml");
    let other_day = cl.edited(
        "<kr:ElectionDate>2025-08-29</kr:ElectionDate>",
        "<kr:ElectionDate>2025-08-30</kr:ElectionDate>",
    );
    assert_eq!(
        problem(load_election(&def.file(), &[other_day.file()], None)),
        DefinitionProblem::OtherElection {
            field: "kr:ElectionDate",
            expected: "2025-08-29".into(),
            found: "2025-08-30".into()
        }
    );
    let other_domain = cl.edited(
        "<kr:ElectionDomain Id=\"0042\">Juinen</kr:ElectionDomain>",
        "<kr:ElectionDomain Id=\"0043\">Juinen</kr:ElectionDomain>",
    );
    assert_eq!(
        problem(load_election(&def.file(), &[other_domain.file()], None)),
        DefinitionProblem::OtherElection {
            field: "kr:ElectionDomain",
            expected: "0042 Juinen".into(),
            found: "0043 Juinen".into()
        }
    );
    let other_sub = cl.edited(
        "<kr:ElectionSubcategory>GR2</kr:ElectionSubcategory>",
        "<kr:ElectionSubcategory>GR1</kr:ElectionSubcategory>",
    );
    assert_eq!(
        problem(load_election(&def.file(), &[other_sub.file()], None)),
        DefinitionProblem::OtherElection {
            field: "kr:ElectionSubcategory",
            expected: "GR2".into(),
            found: "GR1".into()
        }
    );
    // A 110b of another election.
    let e = load_election(
        &def.file(),
        &[cl.file()],
        Some(&kr("polling_stations/eml110b_test.eml.xml").file()),
    )
    .unwrap_err();
    assert_eq!(e.file, "eml110b_test.eml.xml");
    assert_eq!(
        e.problem,
        DefinitionProblem::OtherElection {
            field: "ElectionIdentifier Id",
            expected: "GR2025_Juinen".into(),
            found: "GR2022_Test".into()
        }
    );
}

#[test]
fn a_contest_outside_the_tree_is_refused() {
    let def = real("Verkiezingsdefinitie_TK2025.eml.xml");
    let nijmegen = real("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let k21 = nijmegen.edited(
        "<ContestIdentifier Id=\"6\">",
        "<ContestIdentifier Id=\"21\">",
    );
    let p = problem(load_election(&def.file(), &[k21.file()], None));
    match p {
        DefinitionProblem::ContestNotInTree { contest, expected } => {
            assert_eq!(contest, "21");
            assert!(
                expected.starts_with("one of the kieskringen 1, 2, 3"),
                "{expected}"
            );
            assert!(expected.ends_with(", 20"), "{expected}");
        }
        other => panic!("{other:?}"),
    }
    // `geen` where the election has kieskringen.
    let geen = nijmegen.edited(
        "<ContestIdentifier Id=\"6\">",
        "<ContestIdentifier Id=\"geen\">",
    );
    assert!(matches!(
        problem(load_election(&def.file(), &[geen.file()], None)),
        DefinitionProblem::ContestNotInTree { contest, .. } if contest == "geen"
    ));
    // A kieskring number where the election has none.
    let jdef = synthetic("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let jcl = synthetic("eml230b_kandidatenlijsten-juinen.eml.xml").edited(
        "<ContestIdentifier Id=\"geen\"/>",
        "<ContestIdentifier Id=\"3\"/>",
    );
    assert_eq!(
        problem(load_election(&jdef.file(), &[jcl.file()], None)),
        DefinitionProblem::ContestNotInTree {
            contest: "3".into(),
            expected: "geen (this election has no kieskring contests)".into()
        }
    );
    // The same kieskring twice.
    let e = load_election(&def.file(), &[nijmegen.file(), nijmegen.file()], None).unwrap_err();
    assert_eq!(
        e.problem,
        DefinitionProblem::DuplicateContest {
            contest: "6".into(),
            other_file: "Kandidatenlijsten_TK2025_Nijmegen.eml.xml".into()
        }
    );
    // No 230b at all.
    assert_eq!(
        problem(load_election(&def.file(), &[], None)),
        DefinitionProblem::NoCandidateLists
    );
}

#[test]
fn a_file_of_the_wrong_kind_is_refused_by_its_kind() {
    let nijmegen = real("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let e = load_election(&nijmegen.file(), &[nijmegen.file()], None).unwrap_err();
    assert_eq!(e.file, "Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    assert_eq!(
        e.problem,
        DefinitionProblem::Input(InputProblem::WrongDocumentKind {
            expected: "110a".into(),
            found: "230b".into()
        })
    );
    assert_eq!(
        e.to_string(),
        "Kandidatenlijsten_TK2025_Nijmegen.eml.xml: wrong document kind: expected 110a, found 230b"
    );
    // A 510b given as 110b.
    let count = real("Telling_GR2022_WestMaasenWaal.eml.xml");
    assert_eq!(
        problem(load_polling_stations(&count.file())),
        DefinitionProblem::Input(InputProblem::WrongDocumentKind {
            expected: "110b".into(),
            found: "510b".into()
        })
    );
}

#[test]
fn doctype_entities_oversize_and_bad_utf8_are_refused_before_parsing() {
    let def = synthetic("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>";
    let text = std::str::from_utf8(&def.bytes).unwrap();
    assert!(text.starts_with(decl));

    let doctype = def.edited(
        decl,
        &format!("{decl}\n<!DOCTYPE EML [<!ENTITY lol \"lol\">]>"),
    );
    assert_eq!(
        problem(load_definition(&doctype.file())),
        DefinitionProblem::Input(InputProblem::Doctype {
            offset: decl.len() + 1
        })
    );
    // An entity declaration later in the file, whatever its letter case.
    let entity = def.edited(
        "<ElectionEvent>",
        "<!entity x SYSTEM \"file:///etc/passwd\"><ElectionEvent>",
    );
    let at = std::str::from_utf8(&entity.bytes)
        .unwrap()
        .find("<!entity")
        .unwrap();
    assert_eq!(
        problem(load_definition(&entity.file())),
        DefinitionProblem::Input(InputProblem::EntityDeclaration { offset: at })
    );

    let mut big = def.bytes.clone();
    big.resize(MAX_FILE_BYTES + 1, b' ');
    assert_eq!(
        problem(load_definition(&SourceFile::new("big.xml", &big))),
        DefinitionProblem::Input(InputProblem::TooLarge {
            size: MAX_FILE_BYTES + 1,
            limit: MAX_FILE_BYTES
        })
    );

    let mut latin1 = def.bytes.clone();
    let at = text.find("Juinen").unwrap();
    latin1[at] = 0xCA; // a lone Latin-1 byte: not UTF-8
    assert_eq!(
        problem(load_definition(&SourceFile::new("latin1.xml", &latin1))),
        DefinitionProblem::Input(InputProblem::NotUtf8 { offset: at })
    );
}

#[test]
fn list_numbers_and_candidate_positions_are_checked() {
    let def = synthetic("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let cl = synthetic("eml230b_kandidatenlijsten-juinen.eml.xml");
    let dup = cl.edited(
        "<AffiliationIdentifier Id=\"2\">",
        "<AffiliationIdentifier Id=\"1\">",
    );
    let e = load_election(&def.file(), &[dup.file()], None).unwrap_err();
    assert_eq!(e.file, "edited-eml230b_kandidatenlijsten-juinen.eml.xml");
    assert_eq!(
        e.problem,
        DefinitionProblem::DuplicateListNumber {
            contest: "geen".into(),
            number: 1
        }
    );
    let down = cl.edited(
        "<AffiliationIdentifier Id=\"3\">",
        "<AffiliationIdentifier Id=\"1\">",
    );
    assert_eq!(
        problem(load_candidate_lists(&down.file())),
        DefinitionProblem::ListNumbersNotIncreasing {
            contest: "geen".into(),
            previous: 2,
            found: 1
        }
    );
    // The second candidate of list 4 numbered 3: positions 1, 3, 3, ...
    let text = std::str::from_utf8(&cl.bytes).unwrap();
    let list4 = text.find("<AffiliationIdentifier Id=\"4\">").unwrap();
    let second = list4
        + text[list4..]
            .find("<CandidateIdentifier Id=\"2\"/>")
            .unwrap();
    let mut skipped = cl.bytes.clone();
    skipped.splice(
        second..second + "<CandidateIdentifier Id=\"2\"/>".len(),
        "<CandidateIdentifier Id=\"3\"/>".bytes(),
    );
    assert_eq!(
        problem(load_candidate_lists(&SourceFile::new(
            "skipped.xml",
            &skipped
        ))),
        DefinitionProblem::CandidatePosition {
            contest: "geen".into(),
            list: 4,
            expected: 2,
            found: 3
        }
    );
}

#[test]
fn a_polling_station_list_of_another_municipality_is_refused() {
    let def = synthetic("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let cl = synthetic("eml230b_kandidatenlijsten-juinen.eml.xml");
    let ps = synthetic("eml110b_stembureaulijst-juinen.eml.xml");
    let other = ps.edited(
        "<ReportingUnitIdentifier Id=\"0042\">",
        "<ReportingUnitIdentifier Id=\"0043\">",
    );
    assert_eq!(
        problem(load_election(
            &def.file(),
            &[cl.file()],
            Some(&other.file())
        )),
        DefinitionProblem::MunicipalityNotInElection {
            found: "0043".into(),
            expected: "0042 Juinen (the election's domain)".into()
        }
    );
    let twice = ps.edited("<PollingStation Id=\"2\">", "<PollingStation Id=\"1\">");
    assert_eq!(
        problem(load_election(
            &def.file(),
            &[cl.file()],
            Some(&twice.file())
        )),
        DefinitionProblem::DuplicatePollingStation { number: 1 }
    );
    let voters = ps.edited(
        "<PollingStation Id=\"3\">3</PollingStation>",
        "<PollingStation Id=\"3\">drie</PollingStation>",
    );
    assert!(matches!(
        problem(load_polling_stations(&voters.file())),
        DefinitionProblem::Value { field, found, .. }
            if field == "PollingStation 3 (eligible voters)" && found == "drie"
    ));
    // Without a domain, the tree decides: a municipality outside it is refused.
    let no_domain = kr("election_definition/eml110a_election_missing_election_domain.eml.xml");
    let test_cl = kr("candidate_lists/eml230b_test.eml.xml");
    let test_ps = kr("polling_stations/eml110b_test.eml.xml").edited(
        "<ReportingUnitIdentifier Id=\"0000\">",
        "<ReportingUnitIdentifier Id=\"0668\">",
    );
    assert_eq!(
        problem(load_election(
            &no_domain.file(),
            &[test_cl.file()],
            Some(&test_ps.file())
        )),
        DefinitionProblem::MunicipalityNotInElection {
            found: "0668".into(),
            expected: "a municipality of the 110a's election tree".into()
        }
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let def = synthetic("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(&def.bytes);
    let e = load_definition(&SourceFile::new("bom.xml", &bom)).unwrap();
    assert_eq!(e.id.0, "GR2025_Juinen");
    assert_eq!(e.sources[0].sha256, Sha256Digest::of(&bom));
}

mod hostile_bytes {
    use proptest::prelude::*;
    use tally_core::eml::definition::{
        SourceFile, load_candidate_lists, load_definition, load_polling_stations,
    };
    use tally_core::eml::limits::check_xml_input;

    fn juinen(name: &str) -> Vec<u8> {
        std::fs::read(
            std::path::Path::new(super::SHARED)
                .join("synthetic")
                .join(name),
        )
        .unwrap()
    }

    /// An end tag that does not match its start tag (one letter of `<Election>` changed) is
    /// a precise XML error. eml-nl 0.8.1 alone panics on it (its depth counter goes below
    /// zero); the well-formedness pass in front of it refuses the file first.
    #[test]
    fn a_mismatched_end_tag_is_an_xml_error_not_a_panic() {
        let good = juinen("eml230b_kandidatenlijsten-juinen.eml.xml");
        let text = String::from_utf8(good).unwrap();
        let bad = text.replacen("<Election>", "<Exection>", 1);
        assert_ne!(bad, text);
        let err = load_candidate_lists(&SourceFile::new("230b", bad.as_bytes())).unwrap_err();
        match &err.problem {
            tally_core::eml::definition::DefinitionProblem::Eml { issues } => {
                assert!(
                    matches!(
                        issues.last().map(|i| &i.problem),
                        Some(tally_core::eml::EmlProblem::Xml { message }) if message.contains("Election")
                    ),
                    "{err}"
                );
            }
            other => panic!("expected an XML error, got {other}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Arbitrary bytes never make the guards panic.
        #[test]
        fn guards_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = check_xml_input("random", &bytes);
        }

        /// Damaged real files (bytes overwritten, the file cut short) are loaded or refused,
        /// never a panic.
        #[test]
        fn damaged_files_never_panic(
            which in 0usize..3,
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let name = [
                "eml110a_verkiezingsdefinitie-juinen.eml.xml",
                "eml230b_kandidatenlijsten-juinen.eml.xml",
                "eml110b_stembureaulijst-juinen.eml.xml",
            ][which];
            let mut bytes = juinen(name);
            for (at, b) in edits {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            let f = SourceFile::new(name, &bytes);
            let _ = load_definition(&f);
            let _ = load_candidate_lists(&f);
            let _ = load_polling_stations(&f);
        }
    }
}

/// The ballot's contest of a municipality: its kieskring's (by the 110a's tree), refused when
/// that kieskring's 230b is not loaded, and ambiguous when the tree does not place it.
#[test]
fn ballot_contest_of_a_municipality() {
    use tally_core::election::BallotContestError;
    let def = real("Verkiezingsdefinitie_TK2025.eml.xml");
    let nijmegen = real("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let haarlem = real("Kandidatenlijsten_TK2025_Haarlem.eml.xml");
    let both = load_election(&def.file(), &[haarlem.file(), nijmegen.file()], None).unwrap();
    let west_maas = MunicipalityCode("0668".into());
    assert_eq!(
        both.ballot_contest(&west_maas).unwrap().id,
        ContestId("6".into())
    );
    let haarlem_only = load_election(&def.file(), &[haarlem.file()], None).unwrap();
    match haarlem_only.ballot_contest(&west_maas) {
        Err(BallotContestError::KieskringListsMissing {
            kieskring,
            on_medium,
            ..
        }) => {
            assert_eq!(kieskring, "6");
            assert_eq!(on_medium, vec![ContestId("10".into())]);
        }
        other => panic!("{other:?}"),
    }
    let mut untreed = both.clone();
    untreed
        .regions
        .retain(|r| r.municipality_code() != Some(west_maas.clone()));
    assert!(matches!(
        untreed.ballot_contest(&west_maas),
        Err(BallotContestError::Ambiguous { .. })
    ));
}

/// A definition medium's files are told apart by what they are (the root's `Id`), never by
/// their names: misleading names change nothing, and a medium missing a document, holding
/// one twice, or holding another EML document is refused naming what is wrong.
#[test]
fn a_definition_mediums_files_are_sorted_by_content_not_name() {
    let def = synthetic("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let cl = synthetic("eml230b_kandidatenlijsten-juinen.eml.xml");
    let ps = synthetic("eml110b_stembureaulijst-juinen.eml.xml");
    let named = |o: &Owned, name: &str| Owned {
        name: name.to_string(),
        bytes: o.bytes.clone(),
    };
    // The 110a called a 230b, the 230b called a 110b, the 110b called a 110a.
    let files = [
        named(&ps, "eml110a_verkiezingsdefinitie.xml"),
        named(&def, "Kandidatenlijsten_x.xml"),
        named(&cl, "stembureaulijst.xml"),
    ];
    let sources: Vec<SourceFile<'_>> = files.iter().map(Owned::file).collect();
    let sorted = sort_medium_files(&sources).unwrap();
    assert_eq!(sorted.definition, 1);
    assert_eq!(sorted.candidate_lists, vec![2]);
    assert_eq!(sorted.polling_stations, Some(0));

    // No 110b is allowed (the higher levels' media); no 230b is not.
    let sorted = sort_medium_files(&[def.file(), cl.file()]).unwrap();
    assert_eq!(sorted.polling_stations, None);
    let e = sort_medium_files(&[def.file(), ps.file()]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "(the medium): the medium holds 0 230b file(s); it must hold at least one"
    );
    let e = sort_medium_files(&[def.file(), def.file(), cl.file()]).unwrap_err();
    assert!(e.to_string().contains("holds 2 110a file(s)"), "{e}");
    let e = sort_medium_files(&[def.file(), cl.file(), ps.file(), ps.file()]).unwrap_err();
    assert!(e.to_string().contains("holds 2 110b file(s)"), "{e}");

    // Another EML document, or no EML at all, is refused with the file's name.
    let count =
        synthetic("eml230b_kandidatenlijsten-juinen.eml.xml").edited("Id=\"230b\"", "Id=\"510b\"");
    let e = sort_medium_files(&[def.file(), cl.file(), count.file()]).unwrap_err();
    assert_eq!(e.file, count.name);
    assert!(e.to_string().contains("510b"), "{e}");
    let junk = Owned {
        name: "README.txt".into(),
        bytes: b"not xml".to_vec(),
    };
    let e = sort_medium_files(&[def.file(), cl.file(), junk.file()]).unwrap_err();
    assert_eq!(e.file, "README.txt");
}
