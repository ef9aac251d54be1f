//! The papers of a next session (P 2a and Na 14-2) on the Kiesraad's Juinen test election:
//! what pdftotext reads in them is what went in (attendance, each investigation, objections,
//! remarks; every changed figure with its previous and new value), and the files pass
//! `qpdf --check`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use tally_core::hashcode::Sha256Digest;
use tally_report::{
    ChangedFigure, Correction, CreationTime, InvestigationLine, Present, ReportMeta,
    SessionReportInput, corrigendum_report, session_report,
};

fn text_of(pdf: &[u8], name: &str) -> String {
    common::text(&common::written(pdf, "session-papers", name))
}

#[test]
fn the_session_report_and_the_corrigendum_say_what_the_session_did() {
    let election = common::juinen();
    let investigations = [
        InvestigationLine {
            station: 1,
            station_name: "Stembureau Gemeentehuis",
            reason: "onderzocht vanwege onverklaard verschil",
            instruction: "Verzoek CSB: verschil van 3 stembiljetten",
            findings: "Herteld: lijst 1 kandidaat 1 heeft 3 stemmen meer",
            recounted: true,
            corrected: true,
        },
        InvestigationLine {
            station: 2,
            station_name: "Stembureau Sporthal",
            reason: "onderzocht vanwege andere fout",
            instruction: "Eigen onderzoek",
            findings: "Geen fout gevonden",
            recounted: false,
            corrected: false,
        },
    ];
    let corrections = [Correction {
        station: 1,
        station_name: "Stembureau Gemeentehuis",
        changed: vec![
            ChangedFigure {
                code: "1.1".into(),
                label: "Lijst 1 kandidaat 1".into(),
                previous: "12".into(),
                new: "15".into(),
            },
            ChangedFigure {
                code: "E.1".into(),
                label: "Totaal lijst 1".into(),
                previous: "140".into(),
                new: "143".into(),
            },
        ],
    }];
    let input = SessionReportInput {
        session: 2,
        investigations: &investigations,
        present: &[Present {
            member: "Petra de Vries",
            from: "19:30",
            until: "22:15",
        }],
        objections: &["Een kiezer betwist de hertelling"],
        remarks: &[],
        corrections: &corrections,
        replaces: Some(Sha256Digest::of(b"first 510b")),
        meta: ReportMeta {
            body_id: "0042",
            body_name: "Gemeentelijk stembureau Juinen",
            eml_hash: Sha256Digest::of(b"corrected 510b"),
            eml_file_name: Some("Telling_GR2025_Juinen_gemeente_Juinen.eml.xml"),
            created: CreationTime::new(2025, 9, 5, 20, 0, 0).unwrap(),
            demo: false,
            journal: None,
        },
    };
    let p2a = text_of(&session_report(&election, &input).unwrap(), "p2a.pdf");
    for expected in [
        "Verslag van zitting 2 (volgende zitting)",
        "Petra de Vries",
        "vanaf 19:30",
        "tot 22:15",
        "Stembureau 1 Stembureau Gemeentehuis",
        "Reden: onderzocht vanwege onverklaard verschil",
        "Aanleiding: Verzoek CSB: verschil van 3 stembiljetten",
        "Bevindingen: Herteld: lijst 1 kandidaat 1 heeft 3 stemmen meer",
        "Herteld: ja",
        "Uitslag gewijzigd: nee",
        "1. Een kiezer betwist de hertelling",
        "De uitslag van 1 stembureau(s) is gewijzigd",
        // (the line wraps after the first groups of the code)
        &format!(
            "vervangt het ondertekende bestand met hashcode {}",
            &Sha256Digest::of(b"first 510b").hash_code()[..14]
        ),
        &Sha256Digest::of(b"corrected 510b").hash_code(),
    ] {
        assert!(p2a.contains(expected), "{expected:?} not in:\n{p2a}");
    }
    let na14_2 = text_of(
        &corrigendum_report(&election, &input).unwrap(),
        "na14-2.pdf",
    );
    assert!(na14_2.contains("Corrigendum, zitting 2"), "{na14_2}");
    let row = |code: &str| {
        na14_2
            .lines()
            .find(|l| l.trim_start().starts_with(code))
            .unwrap_or_else(|| panic!("no row {code} in:\n{na14_2}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(row("1.1").ends_with("12 15"), "{}", row("1.1"));
    assert!(row("E.1").ends_with("140 143"), "{}", row("E.1"));
}
