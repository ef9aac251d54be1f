//! Drawing the HSB's and CSB's own screens (the chrome around them is the shell's,
//! [`crate::shell::view`]). Colour is never the only signal: the cursor has `>`, errors `X`,
//! waiting decisions `!`. Frames and marks are ASCII.

use ratatui::Frame;
use ratatui::layout::Rect;

use ratatui::text::Line;
use tally_core::aggregate::{BodyState, CountDifference};
use tally_core::apportionment::{ElectedBy, SeatStep};
use tally_core::hashcode::Sha256Digest;
use tally_report::format_count;

use super::app::{
    DeceasedChoice, DrawingWords, PendingDrawing, Screen, State, is_central, list_label,
    pending_lot,
};
use crate::shell::view::{BOLD, ERR, ascii, groups_lines, hash_code, hash_code_rows, wrapped};
use crate::text::{Lang, Msg};
use tally_core::aggregate::outcome::DeceasedRef;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_ledger::higher::{Computation, ComputedResult, ListOutcome};

fn line(text: impl AsRef<str>) -> Line<'static> {
    Line::from(ascii(text.as_ref()))
}

/// The title of an HSB or CSB screen: the body (the screen's own title is in its body).
pub fn title(state: &State, _screen: &Screen) -> String {
    // The role is in the header already.
    format!("{} {}", state.identity.identifier, state.identity.name)
}

/// Draws an HSB or CSB screen's body.
pub fn draw(state: &State, screen: &Screen, frame: &mut Frame, body: Rect) {
    let (lines, _) = body_lines(state, screen);
    let mut p = wrapped(lines);
    if super::app::scrolls(screen) {
        p = p.scroll((u16::try_from(state.level.scroll).unwrap_or(u16::MAX), 0));
    }
    frame.render_widget(p, body);
}

/// The keys of an HSB or CSB screen.
pub fn keys(state: &State, screen: &Screen) -> Vec<Msg> {
    vec![body_lines(state, screen).1]
}

fn body_lines(state: &State, screen: &Screen) -> (Vec<Line<'static>>, Msg) {
    let lang = state.lang;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let title = |lines: &mut Vec<Line<'static>>, text: String| {
        lines.push(Line::styled(ascii(&text), BOLD));
        lines.push(Line::from(""));
    };
    let keys = match screen {
        Screen::Overview => {
            overview(state, &mut lines);
            if is_central(state) {
                Msg::KeysOverviewCsb
            } else {
                Msg::KeysOverview
            }
        }
        Screen::ImportCheck { count, groups } => {
            let name = state.ledger.body_name(&count.body);
            title(
                &mut lines,
                Msg::ImportTitle.fill(lang, &[&count.body, &name]),
            );
            lines.push(line(Msg::ImportFile.fill(lang, &[&count.file_name])));
            lines.push(line(Msg::ImportSigner.fill(lang, &[&count.signer])));
            if state.demo {
                lines.push(line(
                    Msg::DemoPaperSays.fill(lang, &[&hash_code(&count.sha256)]),
                ));
            }
            lines.push(Line::from(""));
            lines.push(line(Msg::ImportTypeGroups.text(lang)));
            let mut typed = Vec::new();
            groups_lines(&mut typed, groups, false, lang);
            lines.extend(typed);
            Msg::KeysGroups
        }
        Screen::ConfirmCorrection {
            body,
            accept,
            typed,
        } => {
            let what = if *accept {
                Msg::ConfirmCorrectionAccept
            } else {
                Msg::ConfirmCorrectionReject
            };
            title(&mut lines, what.fill(lang, &[body]));
            lines.push(line(Msg::ConfirmCorrectionPrompt.fill(lang, &[body])));
            lines.push(Line::from(""));
            lines.push(Line::styled(format!("> {typed}_"), BOLD));
            Msg::KeysConfirm
        }
        Screen::Correction => {
            correction(state, &mut lines);
            Msg::KeysCorrection
        }
        Screen::Figures => {
            title(&mut lines, Msg::FiguresTitle.text(lang).into());
            if let (Some(def), Some(Ok(total))) =
                (state.ledger.definition.as_ref(), state.level.total.as_ref())
            {
                match tally_report::comparison_figures(&def.election, &def.contest(), &total.total)
                {
                    Ok(f) => {
                        for r in f.rows() {
                            lines.push(line(format!(
                                "{:<5} {:<44} {:>14}",
                                r.code,
                                r.label.chars().take(44).collect::<String>(),
                                r.value
                            )));
                        }
                    }
                    Err(e) => lines.push(line(e.to_string())),
                }
            }
            if is_central(state) {
                Msg::KeysFiguresCsb
            } else {
                Msg::KeysFiguresHsb
            }
        }
        Screen::Seats => {
            title(&mut lines, Msg::SeatsTitle.text(lang).into());
            seats(state, &mut lines);
            Msg::KeysSeats
        }
        Screen::Lot => {
            title(&mut lines, Msg::LotTitle.text(lang).into());
            lot(state, &mut lines);
            Msg::KeysLot
        }
        Screen::Candidates => {
            title(&mut lines, Msg::CandidatesTitle.text(lang).into());
            candidates(state, &mut lines);
            Msg::KeysCandidates
        }
        Screen::Deceased { choice, typed } => {
            let (head, explain) = if choice.undo {
                (Msg::DeceasedTitleUndo, Msg::DeceasedExplainUndo)
            } else {
                (Msg::DeceasedTitleMark, Msg::DeceasedExplainMark)
            };
            title(&mut lines, head.text(lang).into());
            lines.push(line(explain.text(lang)));
            lines.push(Line::from(""));
            if !state.ledger.decisions.deceased.is_empty() {
                deceased_marks(state, &mut lines);
                lines.push(Line::from(""));
            }
            deceased_input(state, &mut lines, choice, typed);
            if choice.candidate.is_some() {
                Msg::KeysConfirmDeceased
            } else {
                Msg::KeysDeceased
            }
        }
        Screen::Request {
            municipality,
            station,
            reason,
            text,
            step,
        } => {
            title(&mut lines, Msg::CsbRequestTitle.text(lang).into());
            let cursor = |i: u8| if *step == i { "_" } else { "" };
            lines.push(line(format!(
                "{} {municipality}{}",
                Msg::CsbRequestMunicipality.text(lang),
                cursor(0)
            )));
            if *step >= 1 {
                lines.push(line(format!(
                    "{} {station}{}",
                    Msg::CsbRequestStation.text(lang),
                    cursor(1)
                )));
            }
            if *step == 2 {
                lines.push(line(Msg::CsbRequestReason.text(lang)));
            }
            if let Some(r) = reason {
                lines.push(line(
                    Msg::RequestReason.fill(lang, &[crate::session::reason_msg(*r).text(lang)]),
                ));
            }
            if *step == 3 {
                lines.push(line(Msg::CsbRequestInstruction.text(lang)));
                lines.push(Line::styled(format!("> {}_", ascii(text)), BOLD));
            }
            Msg::KeysCsbRequest
        }
        Screen::Done => {
            title(&mut lines, Msg::DoneTitle.text(lang).into());
            if let Some(e) = &state.ledger.exported {
                lines.push(line(Msg::DoneWhere.fill(lang, &[&e.path])));
                if let Some((name, sha)) = e.files.first() {
                    lines.push(line(Msg::DoneHash.fill(lang, &[name])));
                    lines.extend(
                        hash_code_rows(sha, 4, " ")
                            .iter()
                            .map(|r| line(format!("    {r}"))),
                    );
                }
                for (name, _) in e.files.iter().skip(1) {
                    lines.push(line(format!("  + {name}")));
                }
            }
            Msg::KeysDone
        }
    };
    (lines, keys)
}

fn overview(state: &State, lines: &mut Vec<Line<'static>>) {
    let lang = state.lang;
    let Some(agg) = &state.ledger.aggregation else {
        return;
    };
    let total = agg.bodies().len();
    let inn = total.saturating_sub(agg.missing().len());
    lines.push(Line::styled(
        Msg::OverviewBodiesIn.fill(lang, &[&inn.to_string(), &total.to_string()]),
        BOLD,
    ));
    if agg.is_complete() {
        lines.push(line(Msg::OverviewComplete.text(lang)));
    }
    // The committee's requests for investigation so far (the CSB).
    for r in &state.ledger.requests {
        lines.push(line(Msg::CsbRequestLine.fill(
            lang,
            &[
                &r.municipality,
                &r.station.to_string(),
                &ascii(&r.instruction),
            ],
        )));
    }
    let pending = agg.pending_correction().map(|p| p.body.clone());
    for (body, st) in agg.bodies() {
        let refused = state.ledger.last_refusal(&body.id);
        let (mark, what) = match st {
            BodyState::Imported(f) => {
                let groups = f.sha256.groups();
                let code: Vec<&str> = groups.iter().take(2).map(String::as_str).collect();
                if pending.as_deref() == Some(&body.id) {
                    (
                        "!",
                        format!("{} {}", Msg::StateCorrection.text(lang), code.join(" ")),
                    )
                } else {
                    (
                        " ",
                        format!("{} {}", Msg::StateIn.text(lang), code.join(" ")),
                    )
                }
            }
            _ => match refused {
                Some(r) => (
                    "X",
                    format!(
                        "{}: {}",
                        Msg::StateRefused.text(lang),
                        match lang {
                            Lang::Nl => &r.nl,
                            Lang::En => &r.en,
                        }
                    ),
                ),
                None => (" ", Msg::StateMissing.text(lang).to_owned()),
            },
        };
        lines.push(line(format!(
            "{mark} {:<6} {:<24} {what}",
            body.id,
            body.name.chars().take(24).collect::<String>()
        )));
    }
    let other = state.ledger.refusals_of_no_body();
    if !other.is_empty() {
        lines.push(Line::from(""));
        lines.push(line(Msg::OverviewRefusedHeading.text(lang)));
        for r in other {
            let why = match lang {
                Lang::Nl => &r.nl,
                Lang::En => &r.en,
            };
            lines.push(line(format!("X {}: {why}", r.file_name)));
        }
    }
    // The journal's head, as on the municipal overview: officials who note it when they stop
    // notice a journal that lost its tail.
    if state.journal_head.is_some() {
        lines.push(Line::from(""));
        lines.extend(crate::shell::view::journal_lines(state));
    }
}

fn show(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_owned(), format_count)
}

/// The rows of `differences`: what, the current value and the new one.
fn difference_lines(differences: &[CountDifference], lines: &mut Vec<Line<'static>>) {
    for d in differences {
        let (what, a, b) = match d {
            CountDifference::Field {
                field,
                expected,
                found,
            } => (field.label().to_owned(), *expected, *found),
            CountDifference::List {
                list,
                expected,
                found,
            } => (format!("E.{list} lijst {list}"), *expected, *found),
            CountDifference::Candidate {
                list,
                candidate,
                expected,
                found,
            } => (
                format!(
                    "lijst {list} kandidaat {}",
                    candidate
                        .position()
                        .map_or_else(|| candidate.to_string(), |p| p.to_string())
                ),
                *expected,
                *found,
            ),
            CountDifference::Explanation {
                code,
                expected,
                found,
            } => (code.clone(), *expected, *found),
        };
        lines.push(line(format!(
            "{:<38} {:>12}  {:>15}",
            what.chars().take(38).collect::<String>(),
            show(a),
            show(b)
        )));
    }
}

fn correction(state: &State, lines: &mut Vec<Line<'static>>) {
    let lang = state.lang;
    let Some(p) = state
        .ledger
        .aggregation
        .as_ref()
        .and_then(|a| a.pending_correction())
    else {
        return;
    };
    let name = state.ledger.body_name(&p.body);
    lines.push(Line::styled(
        ascii(&Msg::CorrectionTitle.fill(lang, &[&p.body, &name])),
        BOLD,
    ));
    lines.push(line(Msg::CorrectionQuestion.text(lang)));
    let code = |d: &Sha256Digest| {
        d.groups()
            .iter()
            .take(4)
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    };
    lines.push(line(Msg::CorrectionCurrent.fill(
        lang,
        &[&format!(
            "{} {}",
            p.current.file_name,
            code(&p.current.sha256)
        )],
    )));
    lines.push(line(Msg::CorrectionProposed.fill(
        lang,
        &[&format!(
            "{} {}",
            p.proposed.file_name,
            code(&p.proposed.sha256)
        )],
    )));
    lines.push(Line::styled(Msg::CorrectionColumns.text(lang), BOLD));
    if p.differences.is_empty() {
        lines.push(line(Msg::CorrectionNoDifference.text(lang)));
    }
    difference_lines(&p.differences, lines);
    // Then per reporting unit of the new file, each that differs.
    for (unit, differences) in &p.unit_differences {
        lines.push(Line::styled(ascii(&format!("{unit}:")), BOLD));
        difference_lines(differences, lines);
    }
}

fn seats(state: &State, lines: &mut Vec<Line<'static>>) {
    let lang = state.lang;
    match &state.level.outcome {
        Some(Ok(Computation::Complete(ComputedResult { seats, lists, .. }))) => {
            lines.push(line(Msg::SeatsSummary.fill(
                lang,
                &[
                    &seats.seats.to_string(),
                    &format_count(seats.total_votes),
                    &seats.quota.to_string(),
                ],
            )));
            for notice in seats.notices() {
                let text = match lang {
                    Lang::Nl => notice.label(),
                    Lang::En => notice.label_en(),
                };
                lines.push(Line::styled(
                    ascii(&Msg::SeatsNotice.fill(lang, &[&text])),
                    ERR,
                ));
            }
            let law = match lang {
                Lang::Nl => seats.law.label(),
                Lang::En => seats.law.label_en(),
            };
            lines.push(line(Msg::SeatsLaw.fill(lang, &[law])));
            lines.push(Line::styled(Msg::SeatsColumns.text(lang), BOLD));
            for l in &seats.lists {
                let from_file = lists
                    .iter()
                    .find(|c| c.list == l.list)
                    .map(|c| c.name.clone())
                    .filter(|n| !n.trim().is_empty());
                let name = from_file
                    .or_else(|| {
                        let d = state.ledger.definition.as_ref()?;
                        d.election
                            .list(&d.contest(), l.list)
                            .map(|p| p.name.clone())
                    })
                    .unwrap_or_default()
                    .chars()
                    .take(20)
                    .collect::<String>();
                lines.push(line(format!(
                    "{:>5} {:<20} {:>10} {:>5} {:>18} {:>4} {:>5}",
                    l.list.0,
                    name,
                    format_count(l.votes),
                    l.full_seats,
                    l.remainder.to_string(),
                    l.remaining_seats,
                    l.seats
                )));
            }
            lines.push(line(Msg::SeatsStepsNote.text(lang)));
            steps(&seats.steps, lines);
        }
        Some(Ok(Computation::SeatLotsNeeded(n))) => {
            lines.push(line(Msg::SeatsQuota.fill(lang, &[&n.quota.to_string()])));
            lines.push(line(Msg::SeatsStepsNote.text(lang)));
            steps(&n.steps, lines);
            lines.push(Line::styled(
                ascii(&format!(
                    "! {}",
                    super::app::seat_drawing_text(&n.drawing, lang)
                )),
                ERR,
            ));
        }
        Some(Err(e)) => lines.push(line(Msg::CalculationFailed.fill(lang, &[&e.to_string()]))),
        None => {}
    }
}

fn steps(steps: &[SeatStep], lines: &mut Vec<Line<'static>>) {
    for s in steps {
        for l in s.to_string().lines() {
            lines.push(line(l));
        }
    }
}

fn lot(state: &State, lines: &mut Vec<Line<'static>>) {
    let lang = state.lang;
    let Some(pending) = pending_lot(state) else {
        return;
    };
    let drawing = pending.text(lang);
    let prompt = pending.prompt();
    let tied: Vec<String> = pending.tied().iter().map(ToString::to_string).collect();
    let list = match &pending {
        PendingDrawing::Candidate(d) => Some(d.list.0),
        _ => None,
    };
    let what = match &pending {
        PendingDrawing::Seat(_) => Msg::LotSeat.fill(lang, &[&tied.join(", ")]),
        PendingDrawing::Candidate(d) => {
            Msg::LotCandidate.fill(lang, &[&d.list.to_string(), &tied.join(", ")])
        }
        PendingDrawing::Group(_) => drawing.clone(),
    };
    lines.push(Line::styled(ascii(&format!("! {what}")), ERR));
    if !matches!(pending, PendingDrawing::Group(_)) {
        lines.push(line(format!("  ({drawing})")));
    }
    // The votes of the tied, as the count gives them (display only).
    let counted = state
        .level
        .total
        .as_ref()
        .and_then(|t| t.as_ref().ok())
        .and_then(|t| tally_core::aggregate::outcome::counted_lists(t).ok())
        .unwrap_or_default();
    let votes_shown = !matches!(pending, PendingDrawing::Group(_));
    for n in tied.iter().filter(|_| votes_shown) {
        let votes = match list {
            None => counted
                .iter()
                .find(|c| c.list.0.to_string() == *n)
                .map(|c| c.votes),
            Some(l) => counted
                .iter()
                .find(|c| c.list.0 == l)
                .and_then(|c| c.candidates.iter().find(|(p, _, _)| p.0.to_string() == *n))
                .map(|(_, _, v)| *v),
        };
        if let Some(v) = votes {
            lines.push(line(Msg::LotVotes.fill(lang, &[n, &format_count(v)])));
        }
    }
    if let Some(Ok(Computation::SeatLotsNeeded(n))) = &state.level.outcome
        && let Some(SeatStep::RemainingSeat(last)) = n.steps.last()
    {
        lines.push(line(format!(
            "  {}",
            super::app::rule_msg(last.rule).text(lang)
        )));
    }
    lines.push(Line::from(""));
    lines.push(line(Msg::LotExplain.text(lang)));
    lines.push(Line::from(""));
    lines.push(line(format!(
        "{} {}_",
        prompt.text(lang),
        state.level.input
    )));
}

fn candidates(state: &State, lines: &mut Vec<Line<'static>>) {
    let lang = state.lang;
    let Some(Ok(Computation::Complete(ComputedResult {
        candidates, seats, ..
    }))) = &state.level.outcome
    else {
        return;
    };
    let contest = state.ledger.definition.as_ref().map(|d| d.contest());
    let election = state.ledger.definition.as_ref().map(|d| &d.election);
    if let Some(d) = state.ledger.definition.as_ref() {
        let percent = d.election.preference_threshold;
        if let Some(threshold) = seats.quota.scaled(u64::from(percent), 100) {
            lines.push(line(
                Msg::CandidatesThreshold
                    .fill(lang, &[&percent.to_string(), &threshold.to_string()]),
            ));
        }
    }
    deceased_marks(state, lines);
    for c in candidates {
        match c {
            ListOutcome::Elected(l) => {
                let list = contest.as_ref().and_then(|ct| {
                    state
                        .ledger
                        .definition
                        .as_ref()
                        .and_then(|d| d.election.list(ct, l.list))
                });
                lines.push(Line::styled(
                    ascii(&Msg::ListSeats.fill(
                        lang,
                        &[
                            &l.list.to_string(),
                            list.map(|p| p.name.as_str()).unwrap_or(""),
                            &seats.seats_of(l.list).unwrap_or(l.seats).to_string(),
                        ],
                    )),
                    BOLD,
                ));
                for e in &l.elected {
                    let name = election
                        .zip(contest.as_ref())
                        .and_then(|(el, ct)| el.elected_candidate(ct, l.list, e))
                        .map(|c| c.display_name())
                        .unwrap_or_default();
                    let by = match e.by {
                        ElectedBy::Preference => Msg::ByPreference.text(lang),
                        ElectedBy::ListOrder => Msg::ByListOrder.text(lang),
                    };
                    lines.push(line(format!(
                        "  {:>3} {:<34} {:>10}  {by}{}",
                        e.position.0,
                        name.chars().take(34).collect::<String>(),
                        format_count(e.votes),
                        if e.by_lot { " (lot)" } else { "" }
                    )));
                }
            }
            ListOutcome::Unsupported { list, reason } => {
                lines.push(line(
                    Msg::ListUnsupported.fill(lang, &[&list.to_string(), reason]),
                ));
            }
            ListOutcome::Refused { list, error } => {
                lines.push(line(
                    Msg::ListUnsupported.fill(lang, &[&list.to_string(), &error.to_string()]),
                ));
            }
            ListOutcome::LotsNeeded { drawing: d, .. } => {
                lines.push(Line::styled(
                    ascii(&format!(
                        "! {}",
                        super::app::candidate_drawing_text(d, lang)
                    )),
                    ERR,
                ));
            }
        }
    }
}

/// The candidates marked deceased, one line each (list, number, name).
fn deceased_marks(state: &State, lines: &mut Vec<Line<'static>>) {
    let lang = state.lang;
    for d in &state.ledger.decisions.deceased {
        let (list, position, name) = match &d.candidate {
            DeceasedRef::Position(p) => (
                d.list.to_string(),
                p.to_string(),
                name_of(state, d.list, None, *p),
            ),
            DeceasedRef::OnList {
                kieskring,
                position,
            } => (
                list_label(d.list, Some(*kieskring)),
                position.to_string(),
                name_of(state, d.list, Some(*kieskring), *position),
            ),
            DeceasedRef::ShortCode(code) => (d.list.to_string(), code.clone(), String::new()),
        };
        lines.push(line(
            Msg::CandidatesDeceased.fill(lang, &[&list, &position, &name]),
        ));
    }
}

/// A candidate's name as the candidate lists give it (empty when the CSB does not hold them).
fn name_of(
    state: &State,
    list: ListNumber,
    kieskring: Option<u32>,
    position: CandidatePosition,
) -> String {
    state
        .ledger
        .kieskring_candidate(list, kieskring, position)
        .map(|c| c.display_name())
        .unwrap_or_default()
}

/// What is typed on the deceased screen: the list, for a list that differs between
/// kieskringen the kieskring, the candidate, then the decision in words and the confirmation.
fn deceased_input(
    state: &State,
    lines: &mut Vec<Line<'static>>,
    choice: &DeceasedChoice,
    typed: &str,
) {
    let DeceasedChoice {
        undo,
        list,
        ref kieskringen,
        kieskring,
        candidate,
    } = *choice;
    let lang = state.lang;
    let prompt = Msg::DeceasedPromptList.text(lang);
    let Some(l) = list else {
        lines.push(Line::styled(ascii(&format!("{prompt} {typed}_")), BOLD));
        return;
    };
    let list_name = state
        .ledger
        .listed_candidate(l, None)
        .map(|(p, _)| p.name.clone())
        .unwrap_or_default();
    lines.push(line(format!("{prompt} {l} {list_name}")));
    if !kieskringen.is_empty() {
        let prompt = Msg::DeceasedPromptKieskring.fill(
            lang,
            &[&l.to_string(), &tally_report::number_ranges(kieskringen)],
        );
        let Some(k) = kieskring else {
            lines.push(Line::styled(ascii(&format!("{prompt} {typed}_")), BOLD));
            return;
        };
        lines.push(line(format!("{prompt} {k}")));
    }
    let label = list_label(l, kieskring);
    let prompt = Msg::DeceasedPromptCandidate.fill(lang, &[&label]);
    let Some(c) = candidate else {
        lines.push(Line::styled(ascii(&format!("{prompt} {typed}_")), BOLD));
        return;
    };
    let cand = state.ledger.kieskring_candidate(l, kieskring, c);
    let name = cand.map(|c| c.display_name()).unwrap_or_default();
    let place = cand.and_then(|c| c.locality.clone()).unwrap_or_default();
    lines.push(line(format!("{prompt} {c} {name}")));
    lines.push(Line::from(""));
    let who = if place.is_empty() {
        name
    } else {
        format!("{name} ({place})")
    };
    let what = if undo {
        Msg::ConfirmDeceasedUndo
    } else {
        Msg::ConfirmDeceased
    };
    lines.push(Line::styled(
        ascii(&what.fill(lang, &[&label, &c.to_string(), &who])),
        BOLD,
    ));
    lines.push(line(
        Msg::ConfirmDeceasedPrompt.fill(lang, &[&c.to_string()]),
    ));
    lines.push(Line::styled(format!("> {typed}_"), BOLD));
}
