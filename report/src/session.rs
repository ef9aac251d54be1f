//! The papers of a next session of a municipal electoral committee (GSB): the report of the
//! session (model P 2a: attendance, each investigation with its reason, cause and findings,
//! objections and remarks) and the corrigendum (model Na 14-2: per corrected polling station
//! every changed figure, the previous value beside the new one), each with the hash code of
//! the corrected 510b and the journal's head on every page (`docs/next-session.md`).

use tally_core::election::Election;
use tally_core::hashcode::Sha256Digest;

use crate::counts::signatures;
use crate::layout::{BODY, Column, Doc, WIDTH, heads};
use crate::render::{Align, Style};
use crate::{ReportError, ReportMeta};

/// One investigation as the papers list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvestigationLine<'a> {
    /// The polling station's number.
    pub station: u32,
    /// Its name.
    pub station_name: &'a str,
    /// The EML_NL reason ("onderzocht vanwege onverklaard verschil").
    pub reason: &'a str,
    /// The cause ("aanleiding van het onderzoek").
    pub instruction: &'a str,
    /// The findings.
    pub findings: &'a str,
    /// Whether the ballots were recounted.
    pub recounted: bool,
    /// Whether the result changed.
    pub corrected: bool,
}

/// A member of the committee present, with times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present<'a> {
    /// The member.
    pub member: &'a str,
    /// From (`19:30`).
    pub from: &'a str,
    /// Until.
    pub until: &'a str,
}

/// A changed figure of a corrected station: its code (`A`, `E.1`, `1.12` for a candidate),
/// label, previous and new value, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFigure {
    /// The code.
    pub code: String,
    /// The label.
    pub label: String,
    /// The value the previous session found.
    pub previous: String,
    /// The value now.
    pub new: String,
}

/// A corrected station and its changed figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction<'a> {
    /// The polling station's number.
    pub station: u32,
    /// Its name.
    pub station_name: &'a str,
    /// Every figure that changed.
    pub changed: Vec<ChangedFigure>,
}

/// The input of [`session_report`] and [`corrigendum_report`].
#[derive(Debug, Clone)]
pub struct SessionReportInput<'a> {
    /// The session's number (2 for the first next session).
    pub session: u32,
    /// The investigations of the session.
    pub investigations: &'a [InvestigationLine<'a>],
    /// The members present.
    pub present: &'a [Present<'a>],
    /// Objections made, as written down.
    pub objections: &'a [&'a str],
    /// Remarks.
    pub remarks: &'a [&'a str],
    /// The corrected stations.
    pub corrections: &'a [Correction<'a>],
    /// The SHA-256 of the signed 510b this session's corrigendum replaces (the last one
    /// exported), when there is a corrigendum.
    pub replaces: Option<Sha256Digest>,
    /// Body, hash code of the corrected 510b, creation time, journal, demo.
    pub meta: ReportMeta<'a>,
}

fn yes_no(b: bool) -> &'static str {
    if b { "ja" } else { "nee" }
}

fn list_or_none(doc: &mut Doc<'_>, items: &[&str]) -> Result<(), ReportError> {
    if items.is_empty() {
        return doc.paragraph("Geen.", Style::Regular, BODY, 0.0);
    }
    for (i, item) in items.iter().enumerate() {
        doc.paragraph(&format!("{}. {item}", i + 1), Style::Regular, BODY, 0.0)?;
    }
    Ok(())
}

/// The report of a next session, model P 2a.
///
/// # Errors
/// A character the font lacks.
pub fn session_report(
    election: &Election,
    input: &SessionReportInput<'_>,
) -> Result<Vec<u8>, ReportError> {
    let meta = &input.meta;
    let mut doc = Doc::titled(
        meta,
        election,
        "Model P 2a – Verslag van een volgende zitting",
        &format!("Verslag van zitting {} (volgende zitting)", input.session),
    )?;
    doc.heading("1. Aanwezige leden van het stembureau", 11.0, 40.0)?;
    if input.present.is_empty() {
        doc.paragraph("Niet vastgelegd.", Style::Regular, BODY, 0.0)?;
    }
    let member = Column::new(0.0, 300.0, Align::Left);
    let from = Column::new(310.0, 80.0, Align::Left);
    let until = Column::new(400.0, WIDTH - 400.0, Align::Left);
    for p in input.present {
        doc.row(
            &[
                (member, p.member.to_owned(), Style::Regular),
                (from, format!("vanaf {}", p.from), Style::Regular),
                (until, format!("tot {}", p.until), Style::Regular),
            ],
            BODY,
        )?;
    }
    doc.heading("2. Onderzoeken", 11.0, 60.0)?;
    if input.investigations.is_empty() {
        doc.paragraph("Geen.", Style::Regular, BODY, 0.0)?;
    }
    for i in input.investigations {
        doc.heading(
            &format!("Stembureau {} {}", i.station, i.station_name),
            10.0,
            60.0,
        )?;
        for (label, text) in [
            ("Reden", i.reason),
            ("Aanleiding", i.instruction),
            ("Bevindingen", i.findings),
            ("Herteld", yes_no(i.recounted)),
            ("Uitslag gewijzigd", yes_no(i.corrected)),
        ] {
            doc.paragraph(&format!("{label}: {text}"), Style::Regular, BODY, 0.0)?;
        }
    }
    doc.heading("3. Bezwaren", 11.0, 40.0)?;
    list_or_none(&mut doc, input.objections)?;
    doc.heading("4. Opmerkingen", 11.0, 40.0)?;
    list_or_none(&mut doc, input.remarks)?;
    let corrected = input.corrections.len();
    doc.heading("5. Gevolg", 11.0, 40.0)?;
    doc.paragraph(
        &if corrected == 0 {
            "Geen uitslag is gewijzigd; er is geen corrigendum.".to_owned()
        } else {
            format!(
                "De uitslag van {corrected} stembureau(s) is gewijzigd: zie het corrigendum \
                 (model Na 14-2) en het gecorrigeerde EML-bestand met de hashcode hieronder."
            )
        },
        Style::Regular,
        BODY,
        0.0,
    )?;
    if let Some(replaces) = &input.replaces {
        doc.paragraph(
            &format!(
                "Het gecorrigeerde EML-bestand vervangt het ondertekende bestand met hashcode {}.",
                replaces.hash_code()
            ),
            Style::Regular,
            BODY,
            0.0,
        )?;
    }
    signatures(&mut doc, meta.body_name)?;
    doc.finish(&format!("P 2a zitting {}", input.session))
}

/// The corrigendum of the GSB, model Na 14-2: per corrected polling station every changed
/// figure with its previous and new value.
///
/// # Errors
/// A character the font lacks.
pub fn corrigendum_report(
    election: &Election,
    input: &SessionReportInput<'_>,
) -> Result<Vec<u8>, ReportError> {
    let meta = &input.meta;
    let mut doc = Doc::titled(
        meta,
        election,
        "Model Na 14-2 – Corrigendum van het gemeentelijk stembureau",
        &format!("Corrigendum, zitting {}", input.session),
    )?;
    let code = Column::new(0.0, 44.0, Align::Left);
    let label = Column::new(48.0, 290.0, Align::Left);
    let previous = Column::new(340.0, 80.0, Align::Right);
    let new = Column::new(430.0, WIDTH - 430.0, Align::Right);
    for c in input.corrections {
        doc.heading(
            &format!("Stembureau {} {}", c.station, c.station_name),
            11.0,
            60.0,
        )?;
        let header = heads(&[
            (code, "code"),
            (label, "omschrijving"),
            (previous, "was"),
            (new, "wordt"),
        ]);
        doc.row(&header.0, header.1)?;
        for f in &c.changed {
            doc.row(
                &[
                    (code, f.code.clone(), Style::Bold),
                    (label, f.label.clone(), Style::Regular),
                    (previous, f.previous.clone(), Style::Regular),
                    (new, f.new.clone(), Style::Bold),
                ],
                BODY,
            )?;
        }
        if c.changed.is_empty() {
            doc.paragraph("Geen getal gewijzigd.", Style::Regular, BODY, 0.0)?;
        }
    }
    signatures(&mut doc, meta.body_name)?;
    doc.finish(&format!("Na 14-2 zitting {}", input.session))
}
