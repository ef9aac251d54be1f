//! The central electoral committee's report (model P 22-2): the totals, the seat
//! apportionment step by step, and the elected candidates.

use tally_core::aggregate::outcome::{DeceasedCandidate, DeceasedRef};
use tally_core::apportionment::{CandidateElection, ElectedBy, SeatApportionment};
use tally_core::counts::VoteCounts;
use tally_core::election::{Candidate, Election};
use tally_core::ids::ContestId;

use crate::counts::{figure_table, signatures};
use crate::figures::{comparison_figures, format_count};
use crate::layout::{BODY, Column, Doc, WIDTH, heads};
use crate::render::{Align, Style};
use crate::{ReportError, ReportMeta};

/// The input of [`central_report`].
#[derive(Debug, Clone)]
pub struct CentralReportInput<'a> {
    /// The contest whose candidate lists name the candidates (`geen` for a municipal
    /// council).
    pub contest: &'a ContestId,
    /// The total count (the 510d's `TotalVotes`, or the GSB's 510b total for a council).
    pub total: &'a VoteCounts,
    /// The complete seat apportionment.
    pub seats: &'a SeatApportionment,
    /// The elected candidates.
    pub candidates: &'a CandidateElection,
    /// The candidates the committee marked deceased (P 19a), as journaled; every one is
    /// named in the report, also on a list without seats.
    pub deceased: &'a [DeceasedCandidate],
    /// The committee's requests to municipalities to investigate polling stations, in the
    /// order made: municipality, station, reason (EML_NL code), what to investigate.
    pub requests: &'a [(&'a str, u32, &'a str, &'a str)],
    /// Body, hash code, creation time, demo.
    pub meta: ReportMeta<'a>,
}

/// The central electoral committee's report, model P 22-2: the totals (A-D, E.1-E.n, E-H),
/// the quota, full and remaining seats per list, every step of the apportionment (P 7-P 10)
/// with the values compared, the preference threshold and the elected candidates per list.
///
/// # Errors
/// A character the font lacks, an overflowing sum, an unknown contest.
pub fn central_report(
    election: &Election,
    input: &CentralReportInput<'_>,
) -> Result<Vec<u8>, ReportError> {
    let contest = election
        .contest(input.contest)
        .ok_or_else(|| ReportError::UnknownContest(input.contest.0.clone()))?;
    let meta = &input.meta;
    let title = "Proces-verbaal van het centraal stembureau";
    let mut doc = Doc::titled(
        meta,
        election,
        "Model P 22-2 – Proces-verbaal uitslag van de verkiezing",
        title,
    )?;
    let figures = comparison_figures(election, input.contest, input.total)?;
    doc.heading("1. Uitkomsten", 11.0, 40.0)?;
    figure_table(&mut doc, &figures.voter_rows())?;
    figure_table(&mut doc, &figures.vote_rows())?;

    let s = input.seats;
    doc.heading("2. Zetelverdeling", 11.0, 80.0)?;
    figure_table(
        &mut doc,
        &[
            crate::FigureRow {
                code: String::new(),
                label: "Aantal te verdelen zetels".into(),
                value: s.seats.to_string(),
            },
            crate::FigureRow {
                code: "P 5".into(),
                label: "Stemmen op lijsten".into(),
                value: format_count(s.total_votes),
            },
            crate::FigureRow {
                code: "P 5".into(),
                label: "Kiesdeler (stemmen op lijsten / zetels)".into(),
                value: s.quota.to_string(),
            },
            crate::FigureRow {
                code: "P 6".into(),
                label: "Volle zetels".into(),
                value: s.full_seats.to_string(),
            },
            crate::FigureRow {
                code: "P 7/8".into(),
                label: "Restzetels".into(),
                value: s.remaining_seats.to_string(),
            },
        ],
    )?;
    doc.space(6.0);
    let lijst = Column::new(0.0, 30.0, Align::Right);
    let naam = Column::new(36.0, 150.0, Align::Left);
    let stemmen = Column::new(190.0, 60.0, Align::Right);
    let volle = Column::new(254.0, 44.0, Align::Right);
    let overschot = Column::new(302.0, 110.0, Align::Right);
    let rest = Column::new(416.0, 44.0, Align::Right);
    let totaal = Column::new(464.0, WIDTH - 464.0, Align::Right);
    let header = heads(&[
        (lijst, "lijst"),
        (naam, "naam"),
        (stemmen, "stemmen"),
        (volle, "volle"),
        (overschot, "overschot"),
        (rest, "rest"),
        (totaal, "zetels"),
    ]);
    doc.row(&header.0, header.1)?;
    doc.repeat_header(Some(vec![header]));
    for l in &s.lists {
        let name = contest
            .lists
            .iter()
            .find(|d| d.number == l.list)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        doc.row(
            &[
                (lijst, l.list.to_string(), Style::Regular),
                (naam, name, Style::Regular),
                (stemmen, format_count(l.votes), Style::Regular),
                (volle, l.full_seats.to_string(), Style::Regular),
                (overschot, l.remainder.to_string(), Style::Regular),
                (rest, l.remaining_seats.to_string(), Style::Regular),
                (totaal, l.seats.to_string(), Style::Bold),
            ],
            BODY,
        )?;
    }
    doc.repeat_header(None);
    doc.rule();
    doc.row(
        &[
            (naam, "Totaal".to_string(), Style::Bold),
            (stemmen, format_count(s.total_votes), Style::Bold),
            (volle, s.full_seats.to_string(), Style::Bold),
            (rest, s.remaining_seats.to_string(), Style::Bold),
            (
                totaal,
                s.full_seats.saturating_add(s.remaining_seats).to_string(),
                Style::Bold,
            ),
        ],
        BODY,
    )?;
    if s.unfilled_seats > 0 {
        doc.row(
            &[
                (naam, "Onbezet (P 10)".to_string(), Style::Bold),
                (totaal, s.unfilled_seats.to_string(), Style::Bold),
            ],
            BODY,
        )?;
    }

    doc.heading(
        "3. Toewijzing van de restzetels, stap voor stap",
        11.0,
        40.0,
    )?;
    doc.paragraph(
        &format!("Restzetels volgens: {}.", s.law),
        Style::Regular,
        BODY,
        0.0,
    )?;
    doc.space(2.0);
    if s.steps.is_empty() {
        doc.paragraph("Geen restzetels te verdelen.", Style::Regular, BODY, 0.0)?;
    }
    for (i, step) in s.steps.iter().enumerate() {
        let text = step.to_string();
        for (k, line) in text.lines().enumerate() {
            let (style, indent, line) = if k == 0 {
                (Style::Regular, 0.0, format!("{}. {}", i + 1, line.trim()))
            } else {
                (Style::Regular, 18.0, line.trim().to_string())
            };
            doc.paragraph(&line, style, if k == 0 { BODY } else { 8.0 }, indent)?;
        }
        doc.space(2.0);
    }
    for notice in s.notices() {
        doc.paragraph(
            &format!("Let op: {}", notice.label()),
            Style::Bold,
            BODY,
            0.0,
        )?;
        doc.space(2.0);
    }
    if !s.lots.is_empty() {
        doc.heading("Loting", 10.0, 20.0)?;
        for lot in &s.lots {
            doc.paragraph(
                &format!("{}: getrokken lijst {}", lot.drawing, lot.drawn),
                Style::Regular,
                BODY,
                0.0,
            )?;
        }
    }

    let c = input.candidates;
    doc.heading("4. Gekozen kandidaten", 11.0, 60.0)?;
    doc.paragraph(
        &format!(
            "Voorkeursdrempel (P 15): {} % van de kiesdeler = {} stemmen. Kandidaten met \
             meer stemmen dan de drempel (groter dan, niet gelijk aan) zijn eerst gekozen, in \
             volgorde van hun stemmen; de overige zetels gaan in de volgorde van de lijst \
             (P 17).",
            c.threshold_percent, c.threshold
        ),
        Style::Regular,
        BODY,
        0.0,
    )?;
    doc.space(4.0);
    let nr = Column::new(0.0, 24.0, Align::Right);
    let cname = Column::new(32.0, 250.0, Align::Left);
    let place = Column::new(286.0, 100.0, Align::Left);
    let cvotes = Column::new(388.0, 56.0, Align::Right);
    let how = Column::new(452.0, WIDTH - 452.0, Align::Left);
    for l in &c.lists {
        // The list's name from the contest given, else from any contest that has the list (a
        // list not submitted in every kieskring).
        let def = contest
            .lists
            .iter()
            .find(|d| d.number == l.list)
            .or_else(|| {
                election
                    .contests
                    .iter()
                    .find_map(|c| c.lists.iter().find(|d| d.number == l.list))
            });
        doc.heading(
            &format!(
                "Lijst {} {} – {} {}",
                l.list,
                def.map(|d| d.name.as_str()).unwrap_or(""),
                l.seats,
                if l.seats == 1 { "zetel" } else { "zetels" }
            ),
            10.0,
            30.0,
        )?;
        if l.elected.is_empty() {
            doc.paragraph("Geen gekozen kandidaten.", Style::Regular, BODY, 0.0)?;
        }
        for e in &l.elected {
            // A list elected across kieskringen (P 12 - P 18) is named from the 230b of the
            // kieskring it was elected on, or of any it stands on (the core's lookup).
            let cand = election.elected_candidate(&contest.id, l.list, e);
            let mut by = match e.by {
                ElectedBy::Preference => "voorkeur".to_string(),
                ElectedBy::ListOrder => "lijstvolgorde".to_string(),
            };
            if e.by_lot {
                by.push_str(", loting");
            }
            doc.row(
                &[
                    (nr, e.position.to_string(), Style::Regular),
                    (
                        cname,
                        cand.map(Candidate::display_name).unwrap_or_default(),
                        Style::Regular,
                    ),
                    (
                        place,
                        cand.and_then(|x| x.locality.clone()).unwrap_or_default(),
                        Style::Regular,
                    ),
                    (cvotes, format_count(e.votes), Style::Regular),
                    (how, by, Style::Regular),
                ],
                BODY,
            )?;
        }
        if !l.deceased.is_empty() {
            let d: Vec<String> = l.deceased.iter().map(ToString::to_string).collect();
            doc.paragraph(
                &format!("Overleden, overgeslagen (P 19a): {}", d.join(", ")),
                Style::Regular,
                8.0,
                32.0,
            )?;
        }
    }
    if !c.lots.is_empty() {
        doc.heading("Loting tussen kandidaten", 10.0, 20.0)?;
        for lot in &c.lots {
            doc.paragraph(
                &format!(
                    "Lijst {}, zetel {}: getrokken kandidaat {}",
                    lot.drawing.list, lot.drawing.seat, lot.drawn
                ),
                Style::Regular,
                BODY,
                0.0,
            )?;
        }
    }
    if !input.deceased.is_empty() {
        deceased_section(&mut doc, election, contest, input.deceased)?;
    }
    if !input.requests.is_empty() {
        doc.heading("Verzoeken tot onderzoek", 11.0, 40.0)?;
        for (municipality, station, reason, instruction) in input.requests {
            doc.paragraph(
                &format!("Gemeente {municipality}, stembureau {station}: {reason}. {instruction}"),
                Style::Regular,
                BODY,
                0.0,
            )?;
        }
    }
    signatures(&mut doc, &format!("het {}", meta.body_name))?;
    doc.finish(&format!("{title} – {}", election.name))
}

/// The candidates the committee found deceased (P 19a), each by list, position, name and
/// locality from the candidate lists, in the order marked.
fn deceased_section(
    doc: &mut Doc<'_>,
    election: &Election,
    contest: &tally_core::election::Contest,
    deceased: &[DeceasedCandidate],
) -> Result<(), ReportError> {
    doc.heading("5. Overleden kandidaten (P 19a)", 11.0, 40.0)?;
    doc.paragraph(
        "Het centraal stembureau heeft vastgesteld dat de volgende kandidaten zijn overleden. \
         Zij zijn bij de toewijzing van de zetels aan de kandidaten buiten beschouwing gelaten \
         (artikel P 19a Kieswet): een zetel die hun zou zijn toegekomen, gaat naar de \
         volgende kandidaat.",
        Style::Regular,
        BODY,
        0.0,
    )?;
    doc.space(4.0);
    // Wide enough for "Lijst 12 (kieskring 20)" (a list that differs between kieskringen).
    let list = Column::new(0.0, 100.0, Align::Left);
    let nr = Column::new(102.0, 24.0, Align::Right);
    let cname = Column::new(134.0, 212.0, Align::Left);
    let place = Column::new(350.0, WIDTH - 350.0, Align::Left);
    let header = heads(&[
        (list, "lijst"),
        (nr, "nr"),
        (cname, "naam"),
        (place, "woonplaats"),
    ]);
    doc.row(&header.0, header.1)?;
    for d in deceased {
        let political = contest
            .lists
            .iter()
            .find(|l| l.number == d.list)
            .or_else(|| {
                election
                    .contests
                    .iter()
                    .find_map(|c| c.lists.iter().find(|l| l.number == d.list))
            });
        // A list that differs between kieskringen: the candidate is the one at the position
        // on that kieskring's list.
        let on_list = |kieskring: u32| {
            election
                .contests
                .iter()
                .find(|c| c.id.0 == kieskring.to_string())
                .and_then(|c| c.lists.iter().find(|l| l.number == d.list))
        };
        let (position, cand) = match &d.candidate {
            DeceasedRef::Position(p) => (
                p.to_string(),
                political.and_then(|l| l.candidates.iter().find(|c| c.position == *p)),
            ),
            DeceasedRef::OnList {
                kieskring,
                position: p,
            } => (
                p.to_string(),
                on_list(*kieskring).and_then(|l| l.candidates.iter().find(|c| c.position == *p)),
            ),
            DeceasedRef::ShortCode(code) => (
                code.clone(),
                political.and_then(|l| {
                    l.candidates
                        .iter()
                        .find(|c| c.short_code.as_deref() == Some(code.as_str()))
                }),
            ),
        };
        doc.row(
            &[
                (
                    list,
                    match &d.candidate {
                        DeceasedRef::OnList { kieskring, .. } => {
                            format!("Lijst {} (kieskring {kieskring})", d.list)
                        }
                        _ => format!("Lijst {}", d.list),
                    },
                    Style::Regular,
                ),
                (nr, position, Style::Regular),
                (
                    cname,
                    cand.map(Candidate::display_name).unwrap_or_default(),
                    Style::Regular,
                ),
                (
                    place,
                    cand.and_then(|c| c.locality.clone()).unwrap_or_default(),
                    Style::Regular,
                ),
            ],
            BODY,
        )?;
    }
    Ok(())
}
