//! Real 510 files: they read, they add up, they survive write → read, and what we write
//! validates against the Kiesraad's XSD.
//!
//! Expected numbers in the spot checks were read from the XML by hand (and with a small
//! independent script), never computed with the code under test.

// Test code: a panic is a failed test. clippy.toml allows unwrap/expect/panic/indexing in
// `#[test]` functions; the helpers of this test crate are test code as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use tally_core::counts::{
    CandidateRef, CountFile, CountLevel, CountPlace, CountViolation, ListVotes, VoteCounts,
    check_arithmetic,
};
use tally_core::eml::count::{
    read_count, read_count_eml_nl, read_count_own, write_count, write_count_own,
};
use tally_core::ids::{CandidatePosition, ListNumber, ReportingUnitId};

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

fn real(name: &str) -> Vec<u8> {
    let path = shared(&format!("eml/real/{name}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// eml-nl's own test files (`test-files/election_count`), found in cargo's registry
/// source of eml-nl 0.8.1 (cargo unpacks it to build the dependency).
fn eml_nl_test_file(name: &str) -> Vec<u8> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("neither CARGO_HOME nor HOME is set");
    let src = home.join("registry/src");
    for index in std::fs::read_dir(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display())) {
        let path = index
            .unwrap()
            .path()
            .join("eml-nl-0.8.1/test-files/election_count")
            .join(name);
        if path.exists() {
            return std::fs::read(path).unwrap();
        }
    }
    panic!(
        "eml-nl 0.8.1 test file {name} not found under {}",
        src.display()
    );
}

/// Each real file parsed once per test binary (the tests run in parallel threads and the
/// Groningen 510b is 9.9 MB): `read_count` of the file, shared by all tests.
fn parsed(name: &'static str) -> &'static CountFile {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, &'static OnceLock<CountFile>>>> =
        OnceLock::new();
    let cell: &'static OnceLock<CountFile> = {
        let mut map = CACHE.get_or_init(Default::default).lock().unwrap();
        map.entry(name)
            .or_insert_with(|| Box::leak(Box::new(OnceLock::new())))
    };
    cell.get_or_init(|| read_count(&real(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

const REAL_510: [&str; 5] = [
    "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
    "Telling_GR2022_WestMaasenWaal.eml.xml",
    "Telling_GR2022_Groningen.eml.xml",
    "Telling_TK2021_kieskring_Groningen.eml.xml",
    "Totaaltelling_TK2021.eml.xml",
];

const EML_NL_CONSISTENT: [&str; 3] = [
    "deserialize_eml510b_test.eml.xml",
    "deserialize_eml510d_test.eml.xml",
    "eml510b_with_investigations.eml.xml",
];

/// Validates bytes against the 510 XSD with xmllint, or fails with a clear message.
fn assert_valid_510(bytes: &[u8], what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("written.eml.xml");
    std::fs::write(&file, bytes).unwrap();
    let xsd = shared("xsd/EML_NL-v1.2.2/510-count-kiesraad-strict.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint could not be started ({e}): install the Debian package libxml2-utils")
        });
    assert!(
        out.status.success(),
        "{what}: the written 510 does not validate against {}:\n{}",
        xsd.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn list(counts: &VoteCounts, number: u32) -> &ListVotes {
    counts
        .lists
        .iter()
        .find(|l| l.list == ListNumber(number))
        .unwrap_or_else(|| panic!("list {number} missing"))
}

fn unit<'a>(file: &'a CountFile, id: &str) -> &'a VoteCounts {
    &file
        .units
        .iter()
        .find(|u| u.id == ReportingUnitId(id.to_owned()))
        .unwrap_or_else(|| panic!("unit {id} missing"))
        .counts
}

fn pos(n: u32) -> CandidateRef {
    CandidateRef::Position(CandidatePosition(n))
}

#[test]
fn every_real_510_adds_up() {
    for name in REAL_510 {
        let file = parsed(name);
        let violations = check_arithmetic(file);
        assert!(
            violations.is_empty(),
            "{name}: {}",
            violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(!file.units.is_empty(), "{name}: no reporting units");
    }
}

#[test]
fn eml_nl_test_files_add_up() {
    for name in EML_NL_CONSISTENT {
        let file = read_count(&eml_nl_test_file(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(check_arithmetic(&file), vec![], "{name}");
    }
}

/// eml-nl's builder demo does not add up; the checks must say exactly where.
#[test]
fn eml_nl_construction_output_violations_are_precise() {
    let file = read_count(&eml_nl_test_file("eml510b_construction_output.eml.xml")).unwrap();
    let sb = ReportingUnitId("SB1234".to_owned());
    assert_eq!(
        check_arithmetic(&file),
        vec![
            CountViolation::TotalCountedNotSumOfLists {
                place: CountPlace::Total,
                total_counted: 65,
                sum_of_lists: 16,
            },
            CountViolation::TotalCountedNotSumOfLists {
                place: CountPlace::Unit(sb),
                total_counted: 10,
                sum_of_lists: 16,
            },
            CountViolation::FieldNotSumOfUnits {
                field: tally_core::counts::CountField::TotalCounted,
                total: Some(65),
                sum_of_units: Some(10),
            },
            CountViolation::FieldNotSumOfUnits {
                field: tally_core::counts::CountField::Blank,
                total: Some(100),
                sum_of_units: Some(10),
            },
            CountViolation::FieldNotSumOfUnits {
                field: tally_core::counts::CountField::AdmittedVoters,
                total: Some(10),
                sum_of_units: Some(5),
            },
        ]
    );
}

#[test]
fn tk2025_west_maas_en_waal_numbers() {
    let f = parsed("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml");
    let h = &f.header;
    assert_eq!(h.level, CountLevel::Municipality);
    assert_eq!(h.election_id.0, "TK2025");
    assert_eq!(
        h.election_name.as_deref(),
        Some("Tweede Kamer der Staten-Generaal 2025")
    );
    assert_eq!(h.category, tally_core::election::ElectionCategory::TK);
    assert_eq!(h.subcategory.as_deref(), Some("TK"));
    assert_eq!(h.election_date, "2025-10-29");
    assert_eq!(h.authority_id, "0668");
    assert_eq!(h.authority_name.as_deref(), Some("West Maas en Waal"));
    assert_eq!(h.contest_id.0, "6");
    assert_eq!(h.contest_name.as_deref(), Some("Nijmegen"));
    assert_eq!(f.units.len(), 11);

    // TotalVotes
    assert_eq!(f.total.cast, 16290);
    assert_eq!(f.total.total_counted, 13627);
    assert_eq!(f.total.blank, 57);
    assert_eq!(f.total.invalid, 13);
    assert_eq!(f.total.voters.poll_cards, Some(12373));
    assert_eq!(f.total.voters.proxy_certificates, Some(1284));
    assert_eq!(f.total.voters.voter_cards, Some(40));
    assert_eq!(f.total.voters.admitted_voters, Some(13697));
    let pvv = list(&f.total, 1);
    assert_eq!(pvv.name, "PVV (Partij voor de Vrijheid)");
    assert_eq!(pvv.total, 3216);
    assert_eq!(pvv.candidates.first(), Some(&(pos(1), 3072)));
    assert_eq!(pvv.candidates.get(1), Some(&(pos(2), 10)));

    // The first and the last polling station.
    let sb1 = unit(f, "0668::SB1");
    assert_eq!(sb1.total_counted, 2318);
    assert_eq!(sb1.voters.admitted_voters, Some(2332));
    assert_eq!(sb1.cast, 0);
    assert_eq!(list(sb1, 1).total, 568);
    assert_eq!(list(sb1, 2).candidates.first(), Some(&(pos(1), 61)));
    let sb11 = unit(f, "0668::SB11");
    assert_eq!(sb11.total_counted, 1181);
    assert_eq!(sb11.invalid, 4);
    assert_eq!(sb11.blank, 5);
    assert_eq!(sb11.voters.poll_cards, Some(1052));
    assert_eq!(sb11.voters.proxy_certificates, Some(138));
    assert_eq!(sb11.voters.admitted_voters, Some(1190));
    assert_eq!(list(sb11, 1).total, 273);
    assert_eq!(
        f.units.last().map(|u| u.name.as_str()),
        Some("Stembureau Dorpshuis De Hucht (postcode: 6626 AC)")
    );
}

#[test]
fn gr2022_numbers() {
    let f = parsed("Telling_GR2022_WestMaasenWaal.eml.xml");
    assert_eq!(f.header.election_id.0, "GR2022_WestMaasenWaal");
    assert_eq!(f.header.subcategory.as_deref(), Some("GR1"));
    assert_eq!(
        f.header.domain,
        Some((Some("0668".to_owned()), "West Maas en Waal".to_owned()))
    );
    assert_eq!(f.header.contest_id.0, "geen");
    assert_eq!(f.units.len(), 21);
    assert_eq!(f.total.total_counted, 9350);
    assert_eq!(list(&f.total, 1).total, 1893);
    assert_eq!(list(&f.total, 1).candidates.first(), Some(&(pos(1), 581)));
    assert_eq!(list(&f.total, 2).candidates.get(1), Some(&(pos(2), 85)));
    let sb1 = unit(f, "0668::SB1");
    assert_eq!(list(sb1, 1).total, 3);
    assert_eq!(list(sb1, 2).total, 181);
    assert_eq!(list(sb1, 2).candidates.first(), Some(&(pos(1), 137)));
    assert_eq!(sb1.voters.admitted_voters, Some(690));

    let g = parsed("Telling_GR2022_Groningen.eml.xml");
    assert_eq!(g.units.len(), 180);
    assert_eq!(g.total.cast, 194113);
    assert_eq!(g.total.total_counted, 105110);
    assert_eq!(g.total.voters.admitted_voters, Some(105559));
    assert_eq!(g.total.voters.more_ballots_counted, Some(18));
    assert_eq!(g.total.voters.fewer_ballots_counted, Some(30));
    assert!(
        g.total
            .voters
            .other
            .contains(&("geen verklaring".to_owned(), 19))
    );
    let sb101 = unit(g, "0014::SB101");
    assert_eq!(sb101.cast, 1396);
    assert_eq!(sb101.total_counted, 598);
    assert_eq!(sb101.invalid, 1);
    assert_eq!(sb101.voters.poll_cards, Some(560));
    assert_eq!(sb101.voters.proxy_certificates, Some(39));
    assert_eq!(sb101.voters.admitted_voters, Some(599));
    assert_eq!(list(sb101, 1).candidates.first(), Some(&(pos(1), 53)));
}

#[test]
fn tk2021_district_and_national_numbers() {
    let c = parsed("Telling_TK2021_kieskring_Groningen.eml.xml");
    assert_eq!(c.header.level, CountLevel::District);
    assert_eq!(c.header.authority_id, "HSB1");
    assert_eq!(c.units.len(), 10);
    assert_eq!(c.total.total_counted, 359230);
    assert_eq!(c.total.cast, 461525);
    // TK2021 510c files give neither A nor D.
    assert_eq!(c.total.voters.poll_cards, None);
    assert_eq!(c.total.voters.admitted_voters, None);
    assert_eq!(c.total.voters.proxy_certificates, Some(26850));
    let gron = unit(c, "HSB1::0014");
    assert_eq!(gron.total_counted, 145714);
    assert_eq!(list(gron, 1).total, 19897);
    assert_eq!(list(gron, 1).candidates.first(), Some(&(pos(1), 15547)));

    let d = parsed("Totaaltelling_TK2021.eml.xml");
    assert_eq!(d.header.level, CountLevel::Total);
    assert_eq!(d.header.authority_id, "CSB");
    assert_eq!(d.header.contest_id.0, "alle");
    assert_eq!(d.units.len(), 20);
    assert_eq!(d.total.lists.len(), 37);
    assert_eq!(d.total.total_counted, 10422852);
    assert_eq!(d.total.cast, 13187770);
    let vvd = list(&d.total, 1);
    assert_eq!(vvd.total, 2279130);
    assert_eq!(
        vvd.candidates.first(),
        Some(&(CandidateRef::ShortCode("RutteM".to_owned()), 1977651))
    );
    assert!(
        vvd.candidates
            .contains(&(CandidateRef::ShortCode("YeşilgözZegerD".to_owned()), 45630))
    );
    let hsb1 = unit(d, "HSB1");
    assert_eq!(list(hsb1, 1).total, 53539);
    assert_eq!(
        list(hsb1, 1).candidates.first(),
        Some(&(
            CandidateRef::PositionAndShortCode(CandidatePosition(1), "RutteM".to_owned()),
            43812
        ))
    );
    // The national total's kieskring HSB1 equals the kieskring's own 510c TotalVotes.
    assert_eq!(hsb1.total_counted, c.total.total_counted);
    assert_eq!(hsb1.blank, c.total.blank);
    assert_eq!(hsb1.invalid, c.total.invalid);
}

/// The own streaming reader (used for every 510) and the eml-nl path agree on every file
/// eml-nl reads.
#[test]
fn own_reader_agrees_with_eml_nl() {
    for name in REAL_510 {
        if name.starts_with("Totaaltelling") {
            continue;
        }
        let eml_nl = read_count_eml_nl(&real(name)).unwrap();
        assert!(
            *parsed(name) == eml_nl,
            "{name}: the own reader differs from eml-nl"
        );
    }
    for name in [
        "deserialize_eml510b_test.eml.xml",
        "eml510b_with_investigations.eml.xml",
        "eml510b_construction_output.eml.xml",
    ] {
        let bytes = eml_nl_test_file(name);
        assert_eq!(
            read_count_eml_nl(&bytes).unwrap(),
            read_count_own(&bytes).unwrap(),
            "{name}"
        );
    }
}

fn round_trip(name: &str, first: &CountFile) {
    let written = write_count(first).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_valid_510(&written, name);
    let again = read_count(&written).unwrap_or_else(|e| panic!("{name} (written): {e}"));
    // No assert_eq!: printing two 10 MB structures helps nobody.
    assert!(
        *first == again,
        "{name}: read → write → read changed the counts"
    );
    // The own writer too (write_count uses it for 510d only).
    let own = write_count_own(first).unwrap();
    assert_valid_510(&own, &format!("{name} (own writer)"));
    assert!(
        *first == read_count(&own).unwrap(),
        "{name}: read → own writer → read changed the counts"
    );
}

// One test per file, so that they run in parallel.
#[test]
fn round_trip_and_validate_tk2025_west_maas_en_waal() {
    round_trip(
        "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
        parsed("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"),
    );
}

#[test]
fn round_trip_and_validate_gr2022_west_maas_en_waal() {
    round_trip(
        "Telling_GR2022_WestMaasenWaal.eml.xml",
        parsed("Telling_GR2022_WestMaasenWaal.eml.xml"),
    );
}

#[test]
fn round_trip_and_validate_gr2022_groningen() {
    round_trip(
        "Telling_GR2022_Groningen.eml.xml",
        parsed("Telling_GR2022_Groningen.eml.xml"),
    );
}

#[test]
fn round_trip_and_validate_tk2021_kieskring_groningen() {
    round_trip(
        "Telling_TK2021_kieskring_Groningen.eml.xml",
        parsed("Telling_TK2021_kieskring_Groningen.eml.xml"),
    );
}

#[test]
fn round_trip_and_validate_tk2021_national() {
    round_trip(
        "Totaaltelling_TK2021.eml.xml",
        parsed("Totaaltelling_TK2021.eml.xml"),
    );
}

#[test]
fn eml_nl_test_files_round_trip_and_validate() {
    for name in EML_NL_CONSISTENT
        .into_iter()
        .chain(["eml510b_construction_output.eml.xml"])
    {
        round_trip(name, &read_count(&eml_nl_test_file(name)).unwrap());
    }
}

/// The original real files validate too (so the XSD check itself is meaningful), and an
/// invalid file is caught by it.
#[test]
fn xsd_check_accepts_real_and_rejects_broken() {
    assert_valid_510(&real("Telling_GR2022_WestMaasenWaal.eml.xml"), "original");
    let broken = String::from_utf8(real("Telling_GR2022_WestMaasenWaal.eml.xml"))
        .unwrap()
        .replacen("<TotalCounted>", "<TotalCountedX>", 1)
        .replacen("</TotalCounted>", "</TotalCountedX>", 1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.eml.xml");
    std::fs::write(&file, broken).unwrap();
    let status = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(shared("xsd/EML_NL-v1.2.2/510-count-kiesraad-strict.xsd"))
        .arg(&file)
        .output()
        .expect("xmllint missing: install libxml2-utils")
        .status;
    assert!(!status.success());
}
