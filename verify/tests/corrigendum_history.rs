//! `tally-verify check` on a municipality's versions (`docs/next-session.md`): the real
//! GR2022 West Maas en Waal 510b as the first session and a corrigendum of it made by the
//! core (three votes more for list 1's first candidate in the first polling station): the
//! history is shown and agrees; a forged previous value, and a change without an
//! investigation, are each a discrepancy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tally_core::corrigendum::{InvestigationReason, UnitInvestigation, corrigendum};
use tally_core::counts::CountFile;
use tally_core::eml::count::{read_count, write_count};
use tally_signing::Timestamp;
use tally_verify::{CheckOptions, Report, Severity, check_folder};

const FIRST: &str = "Telling_GR2022_WestMaasenWaal.eml.xml";

fn first() -> (Vec<u8>, CountFile) {
    let bytes = std::fs::read(format!(
        "{}/../../shared/eml/real/{FIRST}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let file = read_count(&bytes).unwrap();
    (bytes, file)
}

/// The first session's count with three votes more for list 1's first candidate in the
/// first unit, its totals following.
fn corrected(first: &CountFile) -> CountFile {
    let mut c = first.clone();
    for vc in [&mut c.total, &mut c.units[0].counts] {
        vc.lists[0].candidates[0].1 += 3;
        vc.lists[0].total += 3;
        vc.total_counted += 3;
        if let Some(a) = vc.voters.admitted_voters.as_mut() {
            *a += 3;
        }
        if let Some(p) = vc.voters.poll_cards.as_mut() {
            *p += 3;
        }
    }
    c
}

fn check(files: &[(&str, &[u8])]) -> Report {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    check_unsigned(dir.path())
}

/// `tally-verify check` of `folder` without a root key (the files are not signed here).
fn check_unsigned(folder: &std::path::Path) -> Report {
    check_folder(
        folder,
        &CheckOptions {
            root_key: None,
            at: Timestamp::now(),
            require_all: false,
        },
    )
    .unwrap()
}

fn lines(report: &Report, severity: Severity) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(ToString::to_string)
        .collect()
}

fn investigated(first: &CountFile) -> Vec<UnitInvestigation> {
    vec![UnitInvestigation {
        unit: first.units[0].id.clone(),
        reasons: vec![
            (InvestigationReason::UnexplainedDifference, true),
            (InvestigationReason::ResultCorrected, true),
        ],
    }]
}

#[test]
fn a_corrigendum_is_checked_against_the_first_session_and_becomes_current() {
    let (first_bytes, first) = first();
    let file = corrigendum(&first, &corrected(&first), &investigated(&first)).unwrap();
    let bytes = write_count(&file).unwrap();
    let report = check(&[(FIRST, &first_bytes), ("Corrigendum.eml.xml", &bytes)]);
    let ok = lines(&report, Severity::Ok).join("\n");
    assert!(
        lines(&report, Severity::Discrepancy).is_empty(),
        "{report:#?}"
    );
    assert!(
        ok.contains("corrigendum of 0668: 1 unit(s) changed, each investigated; every previous value equals Telling_GR2022_WestMaasenWaal.eml.xml"),
        "{ok}"
    );
    assert!(
        ok.contains("history of 0668: Telling_GR2022_WestMaasenWaal.eml.xml (first session), Corrigendum.eml.xml (corrigendum of"),
        "{ok}"
    );
    // The current version is the one whose sums are checked; the first is no surplus file.
    assert!(
        ok.lines()
            .any(|l| l.starts_with("OK Corrigendum.eml.xml: 510b of 0668: TotalVotes equals")),
        "{ok}"
    );
}

#[test]
fn a_forged_previous_value_and_an_unexplained_change_are_discrepancies() {
    let (first_bytes, first) = first();
    let good = corrigendum(&first, &corrected(&first), &investigated(&first)).unwrap();

    // A previous value that is not the first session's.
    let mut forged = good.clone();
    let p = forged.units[0]
        .counts
        .previous
        .total_counted
        .as_mut()
        .unwrap();
    *p += 1;
    let bytes = write_count(&forged).unwrap();
    let report = check(&[(FIRST, &first_bytes), ("Corrigendum.eml.xml", &bytes)]);
    let bad = lines(&report, Severity::Discrepancy).join("\n");
    assert!(
        bad.contains("previous values that are not the first session's"),
        "{bad}"
    );

    // A unit changed without its investigation.
    let mut unexplained = good.clone();
    unexplained.units[0].investigations.clear();
    let bytes = write_count(&unexplained).unwrap();
    let report = check(&[(FIRST, &first_bytes), ("Corrigendum.eml.xml", &bytes)]);
    let bad = lines(&report, Severity::Discrepancy).join("\n");
    assert!(
        bad.contains("its numbers changed, but it has no investigation"),
        "{bad}"
    );

    // A corrigendum without its first session: its previous values are not checked, and
    // the report says so (never "agrees").
    let bytes = write_count(&good).unwrap();
    let report = check(&[("Corrigendum.eml.xml", &bytes)]);
    let unchecked = lines(&report, Severity::Unchecked).join("\n");
    assert!(
        unchecked.contains("without its first-session 510b in the folder"),
        "{unchecked}"
    );
    assert!(
        report
            .not_checked
            .iter()
            .any(|(what, _)| what == "the previous values of the corrigendum")
    );
}

/// The SHA-256 of `bytes` in lowercase hex.
fn sha_hex(bytes: &[u8]) -> String {
    tally_signing::sha256(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The two versions in two media folders (as the appliance's exports are), the corrigendum's
/// with its `_vervangt.txt` naming `replaces`.
fn check_media(first_bytes: &[u8], corrigendum: &[u8], replaces: Option<&str>) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a-first-session.tally");
    let b = dir.path().join("b-corrigendum.tally");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join(FIRST), first_bytes).unwrap();
    std::fs::write(b.join("Corrigendum.eml.xml"), corrigendum).unwrap();
    if let Some(sha) = replaces {
        std::fs::write(
            b.join("Corrigendum_vervangt.txt"),
            format!("corrigendum: Corrigendum.eml.xml\nsession: 2\nreplaces-sha256: {sha}\n"),
        )
        .unwrap();
    }
    check_unsigned(dir.path())
}

#[test]
fn the_replaced_510b_a_corrigendum_names_must_be_the_version_before_it() {
    let (first_bytes, first) = first();
    let file = corrigendum(&first, &corrected(&first), &investigated(&first)).unwrap();
    let bytes = write_count(&file).unwrap();

    // Named right: the first session's 510b.
    let report = check_media(&first_bytes, &bytes, Some(&sha_hex(&first_bytes)));
    assert!(
        lines(&report, Severity::Discrepancy).is_empty(),
        "{report:#?}"
    );
    let ok = lines(&report, Severity::Ok).join("\n");
    assert!(
        ok.contains(
            "the corrigendum b-corrigendum.tally/Corrigendum.eml.xml names the 510b it replaces: a-first-session.tally/Telling_GR2022_WestMaasenWaal.eml.xml"
        ),
        "{ok}"
    );

    // Named wrong: another file's SHA-256 (the corrigendum's own).
    let report = check_media(&first_bytes, &bytes, Some(&sha_hex(&bytes)));
    let bad = lines(&report, Severity::Discrepancy).join("\n");
    assert!(
        bad.contains("says it replaces the 510b with SHA-256")
            && bad.contains("but the version before it is a-first-session.tally/"),
        "{bad}"
    );

    // Unreadable: not a SHA-256.
    let report = check_media(&first_bytes, &bytes, Some("fae2 12ff"));
    let bad = lines(&report, Severity::Discrepancy).join("\n");
    assert!(
        bad.contains("the line naming the replaced 510b is unreadable"),
        "{bad}"
    );

    // Without the line (another program's corrigendum): a note, the history still agrees.
    let report = check_media(&first_bytes, &bytes, None);
    assert!(
        lines(&report, Severity::Discrepancy).is_empty(),
        "{report:#?}"
    );
    let notes = lines(&report, Severity::Note).join("\n");
    assert!(
        notes.contains("does not name the 510b it replaces"),
        "{notes}"
    );
}
