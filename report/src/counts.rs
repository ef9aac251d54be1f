//! The municipal report (model Na 31-2, with its annex per polling station) and the district
//! report (hoofdstembureau, with its annex per municipality): the same structure at two
//! levels.

use std::collections::BTreeMap;

use tally_core::counts::{CandidateRef, ReportingUnitCounts, VoteCounts};
use tally_core::election::{Candidate, Election, PoliticalList};
use tally_core::ids::ContestId;

use crate::figures::{ComparisonFigures, FigureRow, comparison_figures, format_count};
use crate::layout::{BODY, Column, Doc, WIDTH, heads};
use crate::render::{Align, Style};
use crate::{ReportError, ReportMeta};

/// The input of [`municipal_report`] and [`district_report`].
#[derive(Debug, Clone)]
pub struct CountReportInput<'a> {
    /// The contest (kieskring) whose candidate lists name the candidates: `geen` for a
    /// municipal council, the kieskring number for the Tweede Kamer.
    pub contest: &'a ContestId,
    /// The total of the file (`TotalVotes`).
    pub total: &'a VoteCounts,
    /// The reporting units (polling stations of a 510b, municipalities of a 510c).
    pub units: &'a [ReportingUnitCounts],
    /// Body, hash code, creation time, demo.
    pub meta: ReportMeta<'a>,
    /// What the session decided and recorded besides the numbers (the municipal report);
    /// `None` prints no such sections (the district report).
    pub proceedings: Option<&'a Proceedings<'a>>,
}

/// A coordinator's decision as the report lists it, in its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionLine {
    /// The polling station's number.
    pub station: u32,
    /// What was decided ("eerste invoer bewaard", "waarschuwingen geaccepteerd (W.201)").
    pub what: String,
    /// Who decided.
    pub by: String,
    /// When, in Dutch local time (`29-08-2025 21:03`).
    pub at: String,
}

/// The session's decisions and records besides the numbers: the coordinator's decisions
/// (the acknowledged warnings with who and when among them), the members present, the
/// objections and the remarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proceedings<'a> {
    /// The coordinator's decisions, in the order they were taken.
    pub decisions: Vec<DecisionLine>,
    /// The members present.
    pub present: &'a [crate::Present<'a>],
    /// The objections, as written down.
    pub objections: &'a [&'a str],
    /// The remarks.
    pub remarks: &'a [&'a str],
}

/// The sections of [`Proceedings`], numbered from `first`.
fn proceedings(doc: &mut Doc<'_>, p: &Proceedings<'_>, first: usize) -> Result<(), ReportError> {
    doc.heading(
        &format!("{first}. Besluiten van de coördinator"),
        11.0,
        40.0,
    )?;
    if p.decisions.is_empty() {
        doc.paragraph("Geen.", Style::Regular, BODY, 0.0)?;
    }
    let station = Column::new(0.0, 40.0, Align::Left);
    let what = Column::new(44.0, 250.0, Align::Left);
    let by = Column::new(300.0, 110.0, Align::Left);
    let at = Column::new(414.0, WIDTH - 414.0, Align::Left);
    if !p.decisions.is_empty() {
        let header = heads(&[
            (station, "sb."),
            (what, "besluit"),
            (by, "door"),
            (at, "op"),
        ]);
        doc.row(&header.0, header.1)?;
    }
    for d in &p.decisions {
        doc.row(
            &[
                (station, d.station.to_string(), Style::Regular),
                (what, d.what.clone(), Style::Regular),
                (by, d.by.clone(), Style::Regular),
                (at, d.at.clone(), Style::Regular),
            ],
            BODY,
        )?;
    }
    doc.heading(&format!("{}. Aanwezige leden", first + 1), 11.0, 40.0)?;
    if p.present.is_empty() {
        doc.paragraph("Niet vastgelegd.", Style::Regular, BODY, 0.0)?;
    }
    for m in p.present {
        doc.paragraph(
            &format!("{}, van {} tot {}", m.member, m.from, m.until),
            Style::Regular,
            BODY,
            0.0,
        )?;
    }
    for (n, title, items) in [
        (first + 2, "Bezwaren", p.objections),
        (first + 3, "Opmerkingen", p.remarks),
    ] {
        doc.heading(&format!("{n}. {title}"), 11.0, 40.0)?;
        if items.is_empty() {
            doc.paragraph("Geen.", Style::Regular, BODY, 0.0)?;
        }
        for (i, item) in items.iter().enumerate() {
            doc.paragraph(&format!("{}. {item}", i + 1), Style::Regular, BODY, 0.0)?;
        }
    }
    Ok(())
}

/// The municipal report, model Na 31-2: the municipality's totals (A-D, E.1-E.n, E-H, I-J),
/// the votes per candidate, the signatures, and as annex the results per polling station.
///
/// # Errors
/// A character the font lacks, an overflowing sum, an unknown contest.
pub fn municipal_report(
    election: &Election,
    input: &CountReportInput<'_>,
) -> Result<Vec<u8>, ReportError> {
    count_report(election, input, Level::Municipality)
}

/// The district report of a principal electoral committee (hoofdstembureau): the same
/// figures for the kieskring, with as annex the results per municipality.
///
/// # Errors
/// A character the font lacks, an overflowing sum, an unknown contest.
pub fn district_report(
    election: &Election,
    input: &CountReportInput<'_>,
) -> Result<Vec<u8>, ReportError> {
    count_report(election, input, Level::District)
}

/// The corrected result of one polling station after a next session, model Na 14-1
/// version 2: its figures and the votes per candidate, as the station's own report would
/// have them, marked as the second version; `input.total` is the station's counts, `units`
/// is empty. The GSB issues one per station whose result it corrected.
///
/// # Errors
/// A character the font lacks, an overflowing sum, an unknown contest.
pub fn station_report_v2(
    election: &Election,
    input: &CountReportInput<'_>,
    station: &str,
) -> Result<Vec<u8>, ReportError> {
    count_report(election, input, Level::Station(station))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level<'a> {
    Municipality,
    District,
    /// One polling station's corrected result (its name).
    Station(&'a str),
}

/// The candidate a count refers to, by position or short code.
fn find_candidate<'e>(list: Option<&'e PoliticalList>, r: &CandidateRef) -> Option<&'e Candidate> {
    let list = list?;
    match r.position() {
        Some(p) => list.candidates.iter().find(|c| c.position == p),
        None => list
            .candidates
            .iter()
            .find(|c| c.short_code.as_deref() == r.short_code()),
    }
}

/// A two-column table of figure rows: code, label, value.
pub(crate) fn figure_table(doc: &mut Doc<'_>, rows: &[FigureRow]) -> Result<(), ReportError> {
    let code = Column::new(0.0, 34.0, Align::Left);
    let label = Column::new(36.0, 360.0, Align::Left);
    let value = Column::new(400.0, WIDTH - 400.0, Align::Right);
    for r in rows {
        doc.row(
            &[
                (code, r.code.clone(), Style::Bold),
                (label, r.label.clone(), Style::Regular),
                (value, r.value.clone(), Style::Bold),
            ],
            BODY,
        )?;
    }
    Ok(())
}

/// Lines for the signatures of the chair and the members.
pub(crate) fn signatures(doc: &mut Doc<'_>, body: &str) -> Result<(), ReportError> {
    doc.heading("Ondertekening", 11.0, 150.0)?;
    doc.paragraph(
        &format!(
            "Aldus vastgesteld en ondertekend door de voorzitter en de leden van {body}. \
             Controleer voor ondertekening dat de cijfers op dit proces-verbaal gelijk zijn \
             aan die op het scherm, en dat de hashcode onderaan elke pagina gelijk is aan die van het \
             EML-bestand."
        ),
        Style::Regular,
        BODY,
        0.0,
    )?;
    doc.space(8.0);
    let name = Column::new(0.0, 150.0, Align::Left);
    let line = Column::new(160.0, 320.0, Align::Left);
    for who in ["Voorzitter", "Lid", "Lid", "Lid", "Lid"] {
        doc.space(14.0);
        doc.row(
            &[
                (name, who.to_string(), Style::Regular),
                (
                    line,
                    "Handtekening: ______________________________".to_string(),
                    Style::Regular,
                ),
            ],
            BODY,
        )?;
    }
    Ok(())
}

fn count_report(
    election: &Election,
    input: &CountReportInput<'_>,
    level: Level<'_>,
) -> Result<Vec<u8>, ReportError> {
    let contest = election
        .contest(input.contest)
        .ok_or_else(|| ReportError::UnknownContest(input.contest.0.clone()))?;
    let (title, model, unit_word) = match level {
        Level::Station(_) => (
            "Proces-verbaal, versie 2 (na onderzoek)",
            "Model Na 14-1 versie 2 – Gecorrigeerde uitkomst van een stembureau",
            "stembureau",
        ),
        Level::Municipality => (
            "Proces-verbaal van het gemeentelijk stembureau",
            "Model Na 31-2 – Proces-verbaal van het gemeentelijk stembureau",
            "stembureau",
        ),
        Level::District => (
            "Proces-verbaal van het hoofdstembureau",
            "Proces-verbaal van het hoofdstembureau – uitkomsten van de kieskring",
            "gemeente",
        ),
    };
    let meta = &input.meta;
    let mut doc = Doc::titled(meta, election, model, title)?;
    if let Level::Station(name) = level {
        doc.paragraph(
            &format!("{name}: de uitkomst zoals gecorrigeerd in een volgende zitting"),
            Style::Bold,
            11.0,
            0.0,
        )?;
        doc.space(6.0);
    }
    let figures = comparison_figures(election, input.contest, input.total)?;
    doc.heading("1. Aantal toegelaten kiezers", 11.0, 40.0)?;
    let voters = figures.voter_rows();
    if voters.is_empty() {
        doc.paragraph(
            "Niet opgegeven in het EML-bestand.",
            Style::Regular,
            BODY,
            0.0,
        )?;
    }
    figure_table(&mut doc, &voters)?;
    doc.heading("2. Aantal uitgebrachte stemmen", 11.0, 40.0)?;
    figure_table(&mut doc, &figures.vote_rows())?;
    let differences = figures.difference_rows();
    if !differences.is_empty() {
        doc.heading(
            "3. Verschil tussen toegelaten kiezers en uitgebrachte stemmen",
            11.0,
            30.0,
        )?;
        figure_table(&mut doc, &differences)?;
    }

    doc.heading("4. Stemmen per kandidaat", 11.0, 60.0)?;
    let nr = Column::new(0.0, 24.0, Align::Right);
    let name = Column::new(32.0, 270.0, Align::Left);
    let place = Column::new(306.0, 120.0, Align::Left);
    let votes = Column::new(430.0, WIDTH - 430.0, Align::Right);
    for list in &input.total.lists {
        let def = contest.lists.iter().find(|l| l.number == list.list);
        let list_name = if list.name.trim().is_empty() {
            def.map(|d| d.name.clone()).unwrap_or_default()
        } else {
            list.name.clone()
        };
        doc.heading(&format!("Lijst {} {}", list.list, list_name), 10.0, 40.0)?;
        let header = heads(&[
            (nr, "nr."),
            (name, "naam"),
            (place, "woonplaats"),
            (votes, "stemmen"),
        ]);
        doc.row(&header.0, header.1)?;
        // On a new page the list is named again before the column heads.
        let whole = Column::new(0.0, WIDTH, Align::Left);
        let mut continued = vec![(
            vec![(
                whole,
                format!("Lijst {} {} (vervolg)", list.list, list_name),
                Style::Bold,
            )],
            10.0,
        )];
        continued.push(header);
        doc.repeat_header(Some(continued));
        for (r, n) in &list.candidates {
            let c = find_candidate(def, r);
            doc.row(
                &[
                    (
                        nr,
                        r.position().map(|p| p.to_string()).unwrap_or_default(),
                        Style::Regular,
                    ),
                    (
                        name,
                        c.map(Candidate::display_name)
                            .unwrap_or_else(|| r.short_code().unwrap_or("").to_string()),
                        Style::Regular,
                    ),
                    (
                        place,
                        c.and_then(|c| c.locality.clone()).unwrap_or_default(),
                        Style::Regular,
                    ),
                    (votes, format_count(*n), Style::Regular),
                ],
                BODY,
            )?;
        }
        doc.repeat_header(None);
        doc.rule();
        doc.row(
            &[
                (name, format!("Totaal lijst {}", list.list), Style::Bold),
                (votes, format_count(list.total), Style::Bold),
            ],
            BODY,
        )?;
        doc.space(4.0);
    }
    if let Some(p) = input.proceedings {
        proceedings(&mut doc, p, 5)?;
    }
    signatures(&mut doc, &format!("het {}", meta.body_name))?;

    if !input.units.is_empty() {
        annex(&mut doc, election, input, &figures, unit_word)?;
    }
    doc.finish(&format!("{title} – {}", election.name))
}

/// The annex: per reporting unit its figures, with up to 6 units side by side.
fn annex(
    doc: &mut Doc<'_>,
    election: &Election,
    input: &CountReportInput<'_>,
    total: &ComparisonFigures,
    unit_word: &str,
) -> Result<(), ReportError> {
    const PER_PAGE: usize = 6;
    let label_width = 150.0;
    let col_width = (WIDTH - label_width) / PER_PAGE as f32;
    // Each unit with its printed rows, by the form's letter.
    let units: Vec<(&ReportingUnitCounts, BTreeMap<String, String>)> = input
        .units
        .iter()
        .map(|u| {
            comparison_figures(election, input.contest, &u.counts).map(|f| {
                let rows = f.rows().into_iter().map(|r| (r.code, r.value)).collect();
                (u, rows)
            })
        })
        .collect::<Result<_, _>>()?;
    let total_rows = total.rows();
    for (i, chunk) in units.chunks(PER_PAGE).enumerate() {
        doc.new_page()?;
        doc.heading(
            &format!(
                "Bijlage: uitkomsten per {unit_word} ({} van {})",
                i + 1,
                units.len().div_ceil(PER_PAGE)
            ),
            11.0,
            80.0,
        )?;
        let label = Column::new(0.0, label_width - 4.0, Align::Left);
        let col = |k: usize| {
            Column::new(
                label_width + col_width * k as f32,
                col_width - 3.0,
                Align::Right,
            )
        };
        // Header: identifier and name (over up to three lines) of each unit.
        let mut ids = vec![(label, String::new(), Style::Bold)];
        let id_size = 7.0;
        let mut names: Vec<Vec<(crate::layout::Column, String, Style)>> = vec![Vec::new(); 3];
        for (k, (u, _)) in chunk.iter().enumerate() {
            ids.push((col(k), u.id.0.clone(), Style::Bold));
            let lines = crate::layout::wrap(&u.name, Style::Regular, 6.5, col_width - 3.0)?;
            for (line_no, line) in lines.into_iter().take(3).enumerate() {
                if let Some(row) = names.get_mut(line_no) {
                    row.push((col(k), line, Style::Regular));
                }
            }
        }
        let mut header = vec![(ids, id_size)];
        for row in names.into_iter().filter(|r| !r.is_empty()) {
            header.push((row, 6.5));
        }
        for (cells, size) in &header {
            doc.row(cells, *size)?;
        }
        doc.rule();
        doc.repeat_header(Some(header));
        for template in &total_rows {
            let mut cells = vec![(
                label,
                format!("{} {}", template.code, template.label),
                Style::Regular,
            )];
            for (k, (_, f)) in chunk.iter().enumerate() {
                let value = f
                    .get(&template.code)
                    .cloned()
                    .unwrap_or_else(|| "–".to_string());
                cells.push((col(k), value, Style::Regular));
            }
            doc.row(&cells, 8.0)?;
        }
        doc.repeat_header(None);
    }
    Ok(())
}
