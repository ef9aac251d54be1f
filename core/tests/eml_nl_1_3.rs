//! EML_NL 1.3 and 1.3.1 counts: the `eml-nl` 0.8.1 package's own test files are read by
//! both readers with every value kept (version, phase, counting method, investigations,
//! previous values), what 1.2.2 cannot carry is refused in a 1.2.2 file, and the corrected
//! 510b of [`tally_core::corrigendum`] is read back by eml-nl in `Strict` mode with the
//! same numbers.
//!
//! Expected numbers were read from the XML files by hand.

// Test code: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use eml_nl::documents::election_count::{ElectionCount, RejectedVotesReason};
use eml_nl::io::EMLParsingMode;
use tally_core::corrigendum::{
    CorrigendumError, InvestigationReason, UnitInvestigation, corrigendum, write_corrigendum,
};
use tally_core::counts::{
    CandidateRef, CountFile, CountPhase, CountingMethod, PreviousCounts, PreviousListVotes,
    check_arithmetic,
};
use tally_core::eml::count::{read_count, read_count_eml_nl, write_count, write_count_own};
use tally_core::eml::names::EmlVersion;
use tally_core::ids::{CandidatePosition, ListNumber, ReportingUnitId};

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

/// A file of eml-nl 0.8.1's `test-files/election_count`, from cargo's registry source.
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

/// Both readers give the same file; returned once.
fn read_both(name: &str, bytes: &[u8]) -> CountFile {
    let own = read_count(bytes).unwrap_or_else(|e| panic!("{name}, own reader: {e}"));
    let eml = read_count_eml_nl(bytes).unwrap_or_else(|e| panic!("{name}, eml-nl: {e}"));
    assert_eq!(own, eml, "{name}: the two readers differ");
    own
}

/// Written by `write_count`, read back by both readers to the same file, and parsed by
/// eml-nl in `Strict` mode.
fn round_trip(name: &str, file: &CountFile) -> Vec<u8> {
    // The own writer (every 510d) writes the same elements: same file back, eml-nl agrees.
    let own = write_count_own(file).unwrap_or_else(|e| panic!("{name}: own writer: {e}"));
    assert_eq!(&read_both(name, &own), file, "{name}: own writer → read");
    strict(name, std::str::from_utf8(&own).unwrap());
    let bytes = write_count(file).unwrap_or_else(|e| panic!("{name}: write: {e}"));
    let again = read_both(name, &bytes);
    assert_eq!(&again, file, "{name}: write → read changed the file");
    strict(name, std::str::from_utf8(&bytes).unwrap());
    bytes
}

/// eml-nl in `Strict` mode, without a single issue (an unexpected element is only a
/// warning there, so the warnings are checked too).
fn strict(name: &str, text: &str) -> ElectionCount {
    let (doc, issues) =
        tally_core::eml::parse_with_mode::<ElectionCount>(text, EMLParsingMode::Strict)
            .unwrap_or_else(|e| panic!("{name}: eml-nl Strict refuses what we wrote: {e:?}"));
    assert!(
        issues.is_empty(),
        "{name}: eml-nl Strict reports {issues:?}"
    );
    doc
}

fn pos(p: u32) -> CandidateRef {
    CandidateRef::Position(CandidatePosition(p))
}

#[test]
fn previous_values_of_1_3_1_are_kept() {
    let name = "deserialize_eml510b_test_1_3_1_with_previous_values.eml.xml";
    let file = read_both(name, &eml_nl_test_file(name));
    assert_eq!(file.header.edition.version, EmlVersion::V1_3_1);
    assert_eq!(file.header.edition.phase, None);
    let expected = PreviousCounts {
        cast: Some(100),
        lists: vec![PreviousListVotes {
            list: ListNumber(1),
            total: Some(99),
            candidates: vec![(pos(1), 49), (pos(2), 50)],
        }],
        total_counted: Some(99),
        blank: Some(0),
        invalid: Some(1),
        uncounted: Vec::new(),
    };
    assert_eq!(file.total.previous, expected, "TotalVotes");
    assert_eq!(file.units.len(), 1);
    assert_eq!(
        file.units[0].counts.previous, expected,
        "ReportingUnitVotes"
    );
    // The current numbers beside them.
    assert_eq!(file.total.cast, 100);
    assert_eq!(file.total.total_counted, 100);
    assert_eq!((file.total.blank, file.total.invalid), (0, 0));
    assert_eq!(file.total.lists[0].total, 100);
    round_trip(name, &file);
}

#[test]
fn previous_values_in_a_1_2_2_file_are_refused_by_both_readers() {
    let name = "deserialize_eml510b_test_1_2_2_with_previous_values.eml.xml";
    let bytes = eml_nl_test_file(name);
    let own = read_count(&bytes).unwrap_err().to_string();
    assert!(own.contains("need EML_NL 1.3.1"), "{own}");
    assert!(read_count_eml_nl(&bytes).is_err());
}

#[test]
fn phase_and_counting_method_of_1_3_are_kept() {
    let name = "eml_510b_1_3_with_phase.xml";
    let file = read_both(name, &eml_nl_test_file(name));
    assert_eq!(file.header.edition.version, EmlVersion::V1_3);
    assert_eq!(file.header.edition.phase, Some(CountPhase::FirstSession));
    round_trip(name, &file);

    let name = "eml_510b_1_3_with_counting_method.xml";
    let file = read_both(name, &eml_nl_test_file(name));
    assert_eq!(file.header.edition.version, EmlVersion::V1_3);
    assert_eq!(
        file.header.edition.counting_method,
        Some(CountingMethod::Central)
    );
    round_trip(name, &file);

    // The same elements in a file without kr:Schema (1.2.2): refused by both readers.
    for name in [
        "eml_510b_1_2_2_with_phase.xml",
        "eml_510b_1_2_2_with_counting_method.xml",
    ] {
        let bytes = eml_nl_test_file(name);
        assert!(read_count(&bytes).is_err(), "{name}: own reader accepts it");
        assert!(
            read_count_eml_nl(&bytes).is_err(),
            "{name}: eml-nl accepts it"
        );
    }
}

#[test]
fn investigations_are_kept_in_schema_order() {
    let name = "eml510b_with_investigations.eml.xml";
    let file = read_both(name, &eml_nl_test_file(name));
    assert_eq!(
        file.units[0].investigations,
        vec![
            ("toegelaten kiezers opnieuw vastgesteld".to_owned(), true),
            ("onderzocht vanwege andere reden".to_owned(), false),
            ("stembiljetten deels herteld".to_owned(), false),
        ]
    );
    round_trip(name, &file);
}

fn wmw_gr2022() -> CountFile {
    read_count(&std::fs::read(shared("eml/real/Telling_GR2022_WestMaasenWaal.eml.xml")).unwrap())
        .unwrap()
}

/// The first session's 510b of West Maas en Waal (GR2022, 21 stations), and a corrected
/// count: at station 3, two votes of list 1's first candidate were blank votes after all.
fn first_and_corrected() -> (CountFile, CountFile) {
    let first = wmw_gr2022();
    assert_eq!(first.header.edition.version, EmlVersion::V1_2_2);
    let mut corrected = first.clone();
    corrected.header.transaction_id = first.header.transaction_id + 1;
    for counts in [&mut corrected.units[2].counts, &mut corrected.total] {
        let list = &mut counts.lists[0];
        list.candidates[0].1 -= 2;
        list.total -= 2;
        counts.total_counted -= 2;
        counts.blank += 2;
    }
    assert_eq!(check_arithmetic(&corrected), vec![]);
    (first, corrected)
}

fn investigations(first: &CountFile) -> Vec<UnitInvestigation> {
    vec![
        UnitInvestigation {
            unit: first.units[2].id.clone(),
            reasons: vec![
                (InvestigationReason::ResultCorrected, true),
                (InvestigationReason::UnexplainedDifference, true),
            ],
        },
        UnitInvestigation {
            unit: first.units[5].id.clone(),
            reasons: vec![
                (InvestigationReason::OtherError, true),
                (InvestigationReason::ResultCorrected, false),
            ],
        },
    ]
}

#[test]
fn the_corrigendum_is_read_back_by_eml_nl_strict_with_the_same_numbers() {
    let (first, corrected) = first_and_corrected();
    let bytes = write_corrigendum(&first, &corrected, &investigations(&first)).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(
        text.contains(r#"<kr:Schema Version="1.3.1"/>"#),
        "{}",
        &text[..600]
    );
    assert!(text.contains(r#"<kr:Phase PhaseCode="corrigendum"/>"#));

    // eml-nl, Strict: the numbers of the corrected count, the previous values of exactly
    // the changed numbers, the investigations.
    let doc = strict("corrigendum", text);
    assert_eq!(doc.version, eml_nl::EMLVersion::V1_3_1);
    let contest = &doc.count.election.contests[0];
    let total = contest.total_votes.as_ref().unwrap();
    let first_total = &first.total;
    assert_eq!(
        total
            .previous_candidate_votes_count
            .as_ref()
            .map(|v| v.copied_value().unwrap()),
        Some(first_total.total_counted)
    );
    assert_eq!(
        total.candidate_votes_count.copied_value().unwrap(),
        first_total.total_counted - 2
    );
    assert_eq!(
        total.previous_rejected_votes[&RejectedVotesReason::Blank]
            .copied_value()
            .unwrap(),
        first_total.blank
    );
    assert!(
        !total
            .previous_rejected_votes
            .contains_key(&RejectedVotesReason::Invalid)
    );
    assert!(
        total.previous_eligible_voter_count.is_none(),
        "Cast did not change"
    );
    let with_previous: Vec<usize> = total
        .selections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.previous_valid_votes.is_some())
        .map(|(i, _)| i)
        .collect();
    // List 1's own Selection and its first candidate's, nothing else.
    assert_eq!(with_previous, vec![0, 1]);
    assert_eq!(
        total.selections[1]
            .previous_valid_votes
            .as_ref()
            .unwrap()
            .copied_value()
            .unwrap(),
        first_total.lists[0].candidates[0].1
    );
    for (i, unit) in contest.reporting_unit_votes.iter().enumerate() {
        let changed = i == 2;
        assert_eq!(
            unit.previous_candidate_votes_count.is_some(),
            changed,
            "unit {i}"
        );
        assert_eq!(
            unit.selections
                .iter()
                .any(|s| s.previous_valid_votes.is_some()),
            changed,
            "unit {i}"
        );
        let investigated: Vec<(&str, bool)> = unit
            .investigations
            .iter()
            .map(|(r, v)| (r.to_eml_value(), v.copied_value().unwrap()))
            .collect();
        let expected: Vec<(&str, bool)> = match i {
            2 => vec![
                ("onderzocht vanwege onverklaard verschil", true),
                ("uitslag gecorrigeerd", true),
            ],
            5 => vec![
                ("onderzocht vanwege andere fout", true),
                ("uitslag gecorrigeerd", false),
            ],
            _ => vec![],
        };
        assert_eq!(investigated, expected, "unit {i}");
    }

    // Our readers give back the corrigendum exactly, and its numbers are the corrected ones.
    let built = corrigendum(&first, &corrected, &investigations(&first)).unwrap();
    let own = read_both("corrigendum", &bytes);
    assert_eq!(own, built);
    round_trip("corrigendum", &built);
    assert_eq!(own.header.edition.phase, Some(CountPhase::Corrigendum));
    assert_eq!(
        own.header.edition.counting_method,
        Some(CountingMethod::Decentral)
    );
    for (a, b) in own.units.iter().zip(&corrected.units) {
        let mut a = a.counts.clone();
        a.previous = PreviousCounts::default();
        assert_eq!(a, b.counts);
    }
    // Each previous value is the first session's number.
    let p = &own.units[2].counts.previous;
    let f = &first.units[2].counts;
    assert_eq!(p.total_counted, Some(f.total_counted));
    assert_eq!(p.blank, Some(f.blank));
    assert_eq!(
        p.lists,
        vec![PreviousListVotes {
            list: f.lists[0].list,
            total: Some(f.lists[0].total),
            candidates: vec![(
                f.lists[0].candidates[0].0.clone(),
                f.lists[0].candidates[0].1
            )],
        }]
    );
}

#[test]
fn a_corrigendum_without_its_investigation_is_refused() {
    let (first, corrected) = first_and_corrected();
    let unit = first.units[2].id.clone();
    // No investigation of the changed station.
    assert_eq!(
        corrigendum(&first, &corrected, &investigations(&first)[1..]).unwrap_err(),
        CorrigendumError::Unexplained(unit.clone())
    );
    // "uitslag gecorrigeerd" false although its numbers changed.
    let mut inv = investigations(&first);
    inv[0].reasons[0].1 = false;
    assert!(matches!(
        corrigendum(&first, &corrected, &inv).unwrap_err(),
        CorrigendumError::CorrectedFlag { changed: true, .. }
    ));
    // A central-counting reason in a decentral count.
    let mut inv = investigations(&first);
    inv[1]
        .reasons
        .push((InvestigationReason::PartiallyRecountedBallots, true));
    assert!(matches!(
        corrigendum(&first, &corrected, &inv).unwrap_err(),
        CorrigendumError::WrongMethod { .. }
    ));
    // A unit that is not in the count.
    let mut inv = investigations(&first);
    inv[1].unit = ReportingUnitId("0668::SB99".into());
    assert_eq!(
        corrigendum(&first, &corrected, &inv).unwrap_err(),
        CorrigendumError::UnknownUnit(ReportingUnitId("0668::SB99".into()))
    );
    // A corrected count that does not add up.
    let mut broken = corrected.clone();
    broken.units[2].counts.blank += 1;
    assert!(matches!(
        corrigendum(&first, &broken, &investigations(&first)).unwrap_err(),
        CorrigendumError::Arithmetic(_)
    ));
    // Another list name: not a correction of the same count.
    let mut other = corrected.clone();
    other.units[0].counts.lists[0].name.push('x');
    assert!(matches!(
        corrigendum(&first, &other, &investigations(&first)).unwrap_err(),
        CorrigendumError::Differs { .. }
    ));
    // The corrigendum of a corrigendum names its previous values after the first session.
    let once = corrigendum(&first, &corrected, &investigations(&first)).unwrap();
    assert_eq!(
        corrigendum(&once, &corrected, &investigations(&first)).unwrap_err(),
        CorrigendumError::FirstIsCorrigendum
    );
}

/// xmllint against an XSD of `../shared/xsd`; returns whether the file validates, and
/// xmllint's message.
fn xmllint(bytes: &[u8], xsd: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("count.eml.xml");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(shared(xsd))
        .arg(&file)
        .output()
        .expect("xmllint missing: install libxml2-utils");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const XSD_2026_06: &str = "xsd/EML_NL-main-2026-06/xsd/510-count-kiesraad-strict.xsd";

/// The Electoral Council's schemas of June 2026 (after 1.3.1) name the previous values
/// `kr:Initial*`. Our corrigendum (1.3.1, `kr:Previous*`, as eml-nl 0.8.1 writes) differs
/// from what they accept in exactly that name: renamed, it validates; as written, it does
/// not (docs/eml-nl-1.3.md). A first session's 510b in 1.3.1 (schema version, phase,
/// counting method) validates against them as written.
#[test]
fn the_june_2026_schemas_differ_from_1_3_1_only_in_the_previous_names() {
    let (first, corrected) = first_and_corrected();
    let bytes = write_corrigendum(&first, &corrected, &investigations(&first)).unwrap();
    let (ok, msg) = xmllint(&bytes, XSD_2026_06);
    assert!(!ok, "the kr:Previous* names are not those of June 2026");
    assert!(msg.contains("PreviousTotalCounted"), "{msg}");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("kr:PreviousValidVotes"));
    let renamed = text.replace("kr:Previous", "kr:Initial");
    let (ok, msg) = xmllint(renamed.as_bytes(), XSD_2026_06);
    assert!(
        ok,
        "renamed to kr:Initial*, the corrigendum must validate: {msg}"
    );

    let mut first_session = first.clone();
    first_session.header.edition = tally_core::counts::CountEdition {
        version: EmlVersion::V1_3_1,
        phase: Some(CountPhase::FirstSession),
        counting_method: Some(CountingMethod::Decentral),
    };
    let bytes = round_trip("first session 1.3.1", &first_session);
    let (ok, msg) = xmllint(&bytes, XSD_2026_06);
    assert!(ok, "{msg}");
    // The same first session in 1.2.2 (no kr:Schema, phase or method) against 1.2.2.
    let bytes = write_count(&first).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("kr:Schema"));
    let (ok, msg) = xmllint(&bytes, "xsd/EML_NL-v1.2.2/510-count-kiesraad-strict.xsd");
    assert!(ok, "{msg}");
}

/// The 510b is written in the version of the election's definition: Juinen's 110a as
/// published (no `kr:Schema`, 1.2.2) gives a 1.2.2 header without phase; the same 110a
/// marked 1.3.1 gives a 1.3.1 header with the phase "eerste zitting" and decentral
/// counting.
#[test]
fn the_definition_decides_the_version() {
    use tally_core::eml::definition::{SourceFile, load_definition};
    use tally_core::ids::{ContestId, MunicipalityCode};
    use tally_core::municipal::header_for;
    let published = std::fs::read(shared(
        "eml/synthetic/eml110a_verkiezingsdefinitie-juinen.eml.xml",
    ))
    .unwrap();
    let text = String::from_utf8(published.clone()).unwrap();
    let marked = text.replacen(
        "<kr:CreationDateTime>",
        "<kr:Schema Version=\"1.3.1\"/>\n    <kr:CreationDateTime>",
        1,
    );
    assert_ne!(marked, text);
    let header = |bytes: &[u8]| {
        let e = load_definition(&SourceFile::new("110a", bytes)).unwrap();
        (
            e.eml_version,
            header_for(
                &e,
                &ContestId("geen".into()),
                &MunicipalityCode("0042".into()),
                "Juinen",
                "2025-08-29T22:00:00",
            )
            .edition,
        )
    };
    let (version, edition) = header(&published);
    assert_eq!(version, EmlVersion::V1_2_2);
    assert_eq!(edition, tally_core::counts::CountEdition::default());
    let (version, edition) = header(marked.as_bytes());
    assert_eq!(version, EmlVersion::V1_3_1);
    assert_eq!(
        edition,
        tally_core::counts::CountEdition {
            version: EmlVersion::V1_3_1,
            phase: Some(CountPhase::FirstSession),
            counting_method: Some(CountingMethod::Decentral),
        }
    );
}

/// A file with the June 2026 names (`kr:Initial*`) is refused by the appliance's reader,
/// in a Selection and beside Cast, rather than read without its previous values. eml-nl in
/// `Strict` mode refuses the one in a Selection and only reports the one beside Cast (an
/// unexpected element, skipped).
#[test]
fn initial_values_of_june_2026_are_refused() {
    let name = "deserialize_eml510b_test_1_3_1_with_previous_values.eml.xml";
    let text = String::from_utf8(eml_nl_test_file(name)).unwrap();
    for (from, element) in [
        ("kr:PreviousValidVotes", "kr:InitialValidVotes"),
        ("kr:PreviousCast", "kr:InitialCast"),
    ] {
        let renamed = text.replace(from, element);
        assert_ne!(renamed, text);
        let own = read_count(renamed.as_bytes()).unwrap_err().to_string();
        assert!(own.contains(element), "{own}");
        // eml-nl, Strict: refused (in a Selection) or reported as an unexpected element.
        match tally_core::eml::parse_with_mode::<ElectionCount>(&renamed, EMLParsingMode::Strict) {
            Err(issues) => assert!(!issues.is_empty()),
            Ok((_, issues)) => assert!(
                issues.iter().any(|i| i.to_string().contains(&element[3..])),
                "{element}: {issues:?}"
            ),
        }
    }
}

/// An explanation code typed in the first session and left empty in the corrected count is
/// written as 0 with its previous value beside it, not dropped.
#[test]
fn an_explanation_left_empty_in_the_correction_keeps_its_previous_value() {
    let (mut first, mut corrected) = first_and_corrected();
    // The published file has "geen verklaring" at every station; give station 3 a 1 there
    // in the first session (and the total), and none at all in the corrected count.
    let code = "geen verklaring";
    for counts in [&mut first.units[2].counts, &mut first.total] {
        let slot = counts
            .voters
            .other
            .iter_mut()
            .find(|(c, _)| c == code)
            .unwrap();
        slot.1 += 1;
    }
    let before_total = first
        .total
        .voters
        .other
        .iter()
        .find(|(c, _)| c == code)
        .unwrap()
        .1;
    for counts in [&mut corrected.units[2].counts, &mut corrected.total] {
        let at = counts
            .voters
            .other
            .iter()
            .position(|(c, _)| c == code)
            .unwrap();
        let removed = counts.voters.other.remove(at);
        // What the station's absence takes from the total.
        if removed.1 > 0 {
            counts.voters.other.insert(at, (code.to_owned(), removed.1));
        }
    }
    let bytes = write_corrigendum(&first, &corrected, &investigations(&first)).unwrap();
    let own = read_both("corrigendum", &bytes);
    let unit = &own.units[2].counts;
    assert_eq!(
        unit.voters.other.iter().find(|(c, _)| c == code),
        Some(&(code.to_owned(), 0))
    );
    assert!(unit.previous.uncounted.contains(&(code.to_owned(), 1)));
    let total_now = own
        .total
        .voters
        .other
        .iter()
        .find(|(c, _)| c == code)
        .unwrap()
        .1;
    assert_eq!(total_now, before_total - 1);
    assert!(
        own.total
            .previous
            .uncounted
            .contains(&(code.to_owned(), before_total))
    );
}
