//! Drawing the municipal level's screens (the chrome around them is the shell's,
//! [`crate::shell::view`]): the overview, the typist, the entry, its findings, the
//! coordinator and the total. Colour is never the only signal: the cursor has `>`, errors
//! `X`, warnings `!`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tally_core::entry::{CheckResult, FieldValue, Severity, check};

use crate::app::{Screen, State, status_msg, value_text};
use crate::form::FieldId;
use crate::shell::view::{
    BOLD, CURSOR, DIM, ERR, WARN, fitting, hash_code_rows, problem_line, rows, rows_of, wrapped,
};
use crate::text::{Lang, Msg};
use tally_ledger::municipal::{Slot, Status};

/// The title of a municipal screen.
pub fn title(state: &State, screen: &Screen) -> String {
    let lang = state.lang;
    match screen {
        Screen::Overview { .. } if crate::entry_mode::appliance(state).is_some() => {
            Msg::EntryOverviewTitle.text(lang).to_string()
        }
        Screen::Overview { .. } => Msg::OverviewTitle.text(lang).to_string(),
        Screen::Entry { station, slot, .. } | Screen::Finish { station, slot, .. } => {
            let typist = state
                .ledger
                .entry(*station, *slot)
                .map(|e| e.typist.clone())
                .unwrap_or_default();
            let slot = crate::entry_mode::named_slot(state, *station, *slot);
            Msg::EntryTitle.fill(
                lang,
                &[&station.to_string(), &slot.number().to_string(), &typist],
            )
        }
        Screen::Coordinator { station, .. } | Screen::Confirm { station, .. } => {
            Msg::CoordinatorTitle.fill(lang, &[&station.to_string()])
        }
        Screen::Total => Msg::TotalTitle.text(lang).to_string(),
        Screen::Session(_) => Msg::SessionTitle.text(lang).to_string(),
        Screen::Progress(_) => Msg::ProgressTitle.text(lang).to_string(),
        Screen::Batch(shown) => Msg::BatchTitle.fill(lang, &[&shown.appliance]),
    }
}

/// Draws a municipal screen's body.
pub fn draw(state: &State, screen: &Screen, frame: &mut Frame, body: Rect) {
    let lang = state.lang;
    match screen {
        Screen::Overview { selected } => overview(state, frame, body, *selected),
        Screen::Entry {
            station,
            slot,
            input,
            dirty,
            ..
        } => entry(state, frame, body, *station, *slot, Some((input, *dirty))),
        Screen::Finish {
            station,
            slot,
            scroll,
        } => finish(state, frame, body, *station, *slot, *scroll),
        Screen::Coordinator { station, scroll } => {
            coordinator(state, frame, body, *station, *scroll)
        }
        Screen::Total => total(state, frame, body),
        Screen::Progress(p) => crate::parallel::draw_progress(state, p, frame, body),
        Screen::Batch(shown) => crate::parallel::draw_batch(state, shown, frame, body),
        Screen::Session(form) => {
            let lines = crate::session::lines(state, form);
            frame.render_widget(wrapped(lines), body);
        }
        Screen::Confirm {
            station,
            decision,
            typed,
        } => {
            let lines = vec![
                Line::styled(decision_text(state, *station, decision), BOLD),
                Line::from(""),
                Line::from(Msg::ConfirmPrompt.fill(lang, &[&station.to_string()])),
                Line::from(""),
                Line::from(vec![
                    Span::raw("> "),
                    Span::styled(format!("{typed}_"), BOLD),
                ]),
            ];
            frame.render_widget(wrapped(lines), body);
        }
    }
}

/// What a coordinator's decision does, in words (the confirmation screen).
fn decision_text(
    state: &State,
    station: u32,
    decision: &tally_ledger::municipal::Decision,
) -> String {
    use tally_ledger::municipal::Decision;
    let lang = state.lang;
    match decision {
        Decision::ReturnFields { slot, fields } => {
            let slot = Slot::of(*slot);
            let typist = state
                .ledger
                .entry(station, slot)
                .map(|e| e.typist.clone())
                .unwrap_or_default();
            Msg::ConfirmReturnFields.fill(
                lang,
                &[
                    &station.to_string(),
                    &fields.len().to_string(),
                    &field_codes(fields),
                    &typist,
                    &slot.number().to_string(),
                ],
            )
        }
        other => decision_msg(other).fill(lang, &[&station.to_string()]),
    }
}

/// The fields' codes as on the coordinator's screen (`A, L1.K1, L1.T`: a candidate's
/// number alone does not say its list), in the given order.
fn field_codes(fields: &[FieldId]) -> String {
    let codes: Vec<String> = fields.iter().map(ToString::to_string).collect();
    codes.join(", ")
}

/// What a coordinator's decision does, in words (the confirmation screen).
fn decision_msg(decision: &tally_ledger::municipal::Decision) -> Msg {
    use tally_ledger::municipal::Decision;
    match decision {
        Decision::ReturnFields { .. } => Msg::FieldsReturnedNote,
        Decision::KeepFirst => Msg::ConfirmKeepFirst,
        Decision::KeepSecond => Msg::ConfirmKeepSecond,
        Decision::DiscardBoth | Decision::Reopen => Msg::ConfirmDiscardBoth,
        Decision::SendBack => Msg::ConfirmSendBack,
        Decision::DiscardFirst => Msg::ConfirmDiscardFirst,
        Decision::AcknowledgeWarnings => Msg::ConfirmAcknowledge,
    }
}

/// The keys of a municipal screen.
pub fn keys(state: &State, screen: &Screen) -> Vec<Msg> {
    use Msg::*;
    match screen {
        // An entry appliance: type, read the assignment, write a batch.
        Screen::Overview { .. } if crate::entry_mode::appliance(state).is_some() => vec![
            KeyHelp,
            KeyMove,
            KeyEnter,
            KeyReadAssignment,
            KeyExportBatch,
            KeyQuit,
        ],
        Screen::Overview { .. } if state.ledger.sessions.is_next() => vec![
            KeyHelp,
            KeyMove,
            KeyEnter,
            KeyCoordinator,
            KeyInvestigate,
            KeyNotes,
            KeyTotal,
            KeyQuit,
        ],
        // P (parallel entry) is in F1's list; in the bar once entries are assigned.
        Screen::Overview { .. } if !state.ledger.parallel.assigned.is_empty() => vec![
            KeyHelp,
            KeyMove,
            KeyEnter,
            KeyCoordinator,
            KeyProgress,
            KeyTotal,
            KeyQuit,
        ],
        Screen::Overview { .. } => vec![
            KeyHelp,
            KeyMove,
            KeyEnter,
            KeyCoordinator,
            KeyTotal,
            KeyQuit,
        ],
        Screen::Progress(p) if p.prompt.is_some() => vec![KeyHelp, KeyTypeNumber, KeyBack],
        // Up/Down and PgUp/PgDn are in F1's list.
        Screen::Progress(_) => vec![
            KeyHelp,
            KeyRoundRobin,
            KeyAssignSlot,
            KeyExportAssignment,
            KeyImportBatch,
            KeyProgressPdf,
            KeyBack,
        ],
        Screen::Batch(_) => vec![KeyHelp, KeyScrollList, KeyBack],
        Screen::Entry { .. } => vec![
            KeyHelp,
            KeyNextField,
            KeyPrevField,
            KeyBlocks,
            KeyFinish,
            KeyLeave,
        ],
        Screen::Finish { .. } => vec![KeyHelp, KeySave, KeyScrollFindings, KeyBack],
        Screen::Coordinator { station, .. } => match state.ledger.status(*station) {
            Some(Status::EntriesDifferent) => vec![
                KeyHelp,
                KeyKeepEither,
                KeyReturnEither,
                KeyDiscardBoth,
                KeyBack,
            ],
            Some(Status::FieldsReturned) => vec![KeyHelp, KeyDiscardBoth, KeyBack],
            Some(Status::Definitive) => vec![KeyHelp, KeyScrollResult, KeyBack],
            Some(Status::FirstEntryHasErrors) => vec![KeyHelp, KeySendBack, KeyDiscard, KeyBack],
            Some(Status::WarningsToAcknowledge) => {
                vec![KeyHelp, KeyAcknowledge, KeyDiscardBoth, KeyBack]
            }
            _ => vec![KeyHelp, KeyBack],
        },
        Screen::Confirm { .. } => vec![KeyHelp, KeyConfirmNumber, KeyBack],
        Screen::Session(form) => vec![
            KeyHelp,
            match form {
                crate::session::SessionForm::Request { reason: None, .. } => KeyChooseReason,
                crate::session::SessionForm::Notes { kind: None, .. } => KeyChooseNote,
                crate::session::SessionForm::Notes { .. } => KeyTypeText,
                crate::session::SessionForm::Voters { .. } => KeyConfirmNumber,
                crate::session::SessionForm::Request { .. }
                | crate::session::SessionForm::Conclude { written: false, .. } => KeyTypeText,
                crate::session::SessionForm::Conclude {
                    recounted: None, ..
                }
                | crate::session::SessionForm::Conclude {
                    corrected: None, ..
                } => KeyYesNo,
                _ => KeyConfirmNumber,
            },
            KeyBack,
        ],
        Screen::Total => {
            if state.ledger.exportable() && state.ledger.exported.is_none() {
                vec![KeyHelp, KeyExport, KeyVoters, KeyScroll, KeyBack]
            } else if state.ledger.exported.is_some() {
                // Up/Down (the figures) is in F1's list: the bar keeps Esc.
                vec![KeyHelp, KeyAnotherStick, KeyBigHash, KeySession, KeyBack]
            } else {
                vec![KeyHelp, KeyBack]
            }
        }
    }
}

/// The overview of the polling stations; on an entry appliance the same screen lists the
/// stations assigned to it (and those typed here since assigned elsewhere), with the entry
/// each is here, and its batches below.
fn overview(state: &State, frame: &mut Frame, area: Rect, selected: usize) {
    let lang = state.lang;
    let entry_appliance = crate::entry_mode::appliance(state).is_some();
    let mut lines = vec![Line::styled(
        format!(
            "  {:>3}  {:<28} {:<15} {:<14} {}",
            Msg::ColNumber.text(lang),
            Msg::ColName.text(lang),
            Msg::ColState.text(lang),
            Msg::ColProgress.text(lang),
            if entry_appliance {
                Msg::ColEntry
            } else {
                Msg::ColAction
            }
            .text(lang)
        ),
        BOLD,
    )];
    let Some(election) = &state.ledger.election else {
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    let mut definitive = 0usize;
    // Below the stations: a blank line, the progress and the journal's head (on an entry
    // appliance also its last batch).
    let below = if state.ledger.sessions.is_next() || entry_appliance {
        5
    } else {
        4
    };
    let height = usize::from(area.height).saturating_sub(below);
    let first = selected.saturating_sub(height.saturating_sub(1));
    let listed = entry_appliance.then(|| tally_ledger::progress::entry_stations(&state.ledger));
    if entry_appliance && state.ledger.parallel.loaded.is_none() {
        lines.push(Line::styled(Msg::NoAssignmentYet.text(lang), WARN));
        lines.push(Line::from(Msg::NoAssignmentKey.text(lang)));
    } else if listed.as_ref().is_some_and(Vec::is_empty) {
        let me = crate::entry_mode::appliance(state).unwrap_or_default();
        lines.push(Line::styled(
            Msg::NothingAssignedHere.fill(lang, &[me]),
            WARN,
        ));
    }
    let shown = election
        .info
        .stations
        .iter()
        .filter(|s| listed.as_ref().is_none_or(|l| l.contains(&s.number.0)));
    for (i, station) in shown.enumerate() {
        let n = station.number.0;
        let status = state
            .ledger
            .status(n)
            .unwrap_or(Status::FirstEntryNotStarted);
        if status == Status::Definitive {
            definitive += 1;
        }
        if i < first || i >= first.saturating_add(height) {
            continue;
        }
        let progress = |slot: Slot| {
            state
                .ledger
                .entry(n, slot)
                .map(|e| format!("{}%", e.percent(&election.form)))
        };
        let prog = match (progress(Slot::First), progress(Slot::Second)) {
            (Some(a), Some(b)) => format!("{a} / {b}"),
            (Some(a), None) => a,
            _ => "-".into(),
        };
        let investigation = state.ledger.sessions.investigations.get(&n);
        let action = if entry_appliance {
            crate::entry_mode::here_text(state, n, lang)
        } else if status.needs_coordinator() {
            format!(
                "{} {}",
                Msg::WarningMark.text(lang),
                Msg::NeedsCoordinator.text(lang)
            )
        } else if investigation.is_some_and(|i| i.conclusion.is_none()) {
            format!(
                "{} {}",
                Msg::WarningMark.text(lang),
                Msg::Investigating.text(lang)
            )
        } else if investigation.is_some() {
            Msg::Investigated.text(lang).to_string()
        } else {
            String::new()
        };
        let sel = i == selected;
        let name: String = station.name.chars().take(28).collect();
        lines.push(Line::styled(
            format!(
                "{} {:>3}  {:<28} {:<15} {:<14} {}",
                if sel { ">" } else { " " },
                n,
                name,
                if entry_appliance {
                    crate::entry_mode::status_text(state, n, status)
                } else {
                    status_msg(status)
                }
                .text(lang),
                prog,
                action
            ),
            if sel {
                CURSOR
            } else if status.needs_coordinator() {
                WARN
            } else {
                Style::new()
            },
        ));
    }
    lines.push(Line::from(""));
    if state.ledger.sessions.is_next() {
        let n = state.ledger.sessions.number().to_string();
        lines.push(Line::styled(Msg::SessionLine.fill(lang, &[&n]), BOLD));
    }
    if entry_appliance {
        let (typed, assigned) = tally_ledger::progress::typed(&state.ledger);
        if state.ledger.parallel.loaded.is_some() {
            lines.push(Line::from(
                Msg::EntryProgressLine.fill(lang, &[&typed.to_string(), &assigned.to_string()]),
            ));
        }
        lines.push(Line::from(match state.ledger.parallel.written.last() {
            Some(b) => Msg::LastBatchLine.fill(lang, &[&b.entries.to_string(), &time_of_day(b.at)]),
            None => Msg::NoBatchYet.text(lang).to_owned(),
        }));
    } else {
        lines.push(Line::from(Msg::ProgressLine.fill(
            lang,
            &[
                &definitive.to_string(),
                &election.info.stations.len().to_string(),
            ],
        )));
    }
    lines.extend(crate::shell::view::journal_lines(state));
    frame.render_widget(Paragraph::new(lines), area);
}

/// The codes of the findings that concern a field, marked.
fn field_marks(findings: &[CheckResult], field: FieldId) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    for f in findings.iter().filter(|f| f.fields.contains(&field)) {
        let (mark, style) = match f.severity() {
            Severity::Error => (Msg::ErrorMark.nl(), ERR),
            Severity::Warning => (Msg::WarningMark.nl(), WARN),
        };
        out.push(Span::styled(format!(" {mark} {}", f.code.as_str()), style));
    }
    out
}

fn finding_text(f: &CheckResult, lang: Lang) -> String {
    match lang {
        Lang::Nl => f.message_nl(),
        Lang::En => f.message_en(),
    }
}

fn finding_line(f: &CheckResult, lang: Lang) -> Line<'static> {
    let (mark, style) = match f.severity() {
        Severity::Error => (Msg::ErrorMark.nl(), ERR),
        Severity::Warning => (Msg::WarningMark.nl(), WARN),
    };
    Line::from(vec![
        Span::styled(format!("{mark} "), style),
        Span::raw(finding_text(f, lang)),
    ])
}

fn entry(
    state: &State,
    frame: &mut Frame,
    area: Rect,
    station: u32,
    slot: Slot,
    typing: Option<(&String, bool)>,
) {
    let lang = state.lang;
    let (Some(form), Some(e)) = (state.ledger.form(), state.ledger.entry(station, slot)) else {
        return;
    };
    let cursor = e.cursor;
    let block = form.fields.get(cursor).map_or(0, |f| f.block);
    let findings = form.passed_findings(&e.values, cursor, e.finished);
    // Fields returned for correction are marked `*`; the others stay as they were.
    let returned = state.ledger.returned_to(station, slot);
    let [title, fields_area, findings_area] = rows(area, &[1, 0, 4]);
    let block_title = form
        .blocks
        .get(block)
        .map(|b| crate::form::title(b, lang))
        .unwrap_or_default();
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(block_title, BOLD),
            Span::styled(format!("  ({}/{})", block + 1, form.blocks.len()), DIM),
            Span::styled(
                returned
                    .map(|_| format!("  {}", Msg::RetypeMarked.text(lang)))
                    .unwrap_or_default(),
                WARN,
            ),
        ])),
        title,
    );
    let in_block: Vec<(usize, FieldId)> = form
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.block == block)
        .map(|(i, f)| (i, f.id))
        .collect();
    let height = usize::from(fields_area.height);
    // The label column: what is left of the row beside the code, the value and one mark. A
    // longer label (a long list name) goes on under the field, never cut.
    let label_width = usize::from(fields_area.width).saturating_sub(29).max(20);
    let label_of = |id: FieldId| {
        let label = crate::form::label(form, id, lang);
        if label.is_empty() {
            id.to_string()
        } else {
            label
        }
    };
    let split = |label: &str| -> (String, Option<String>) {
        if label.chars().count() <= label_width {
            return (label.to_owned(), None);
        }
        let head: String = label.chars().take(label_width).collect();
        let cut = head.rfind(' ').filter(|&c| c > 0).unwrap_or(head.len());
        let (first, rest) = label.split_at(cut);
        (first.to_owned(), Some(rest.trim_start().to_owned()))
    };
    // Each field's label once per draw (a Tweede Kamer list has some 80 candidates), and how
    // many rows it takes.
    let labels: Vec<(String, Option<String>)> = in_block
        .iter()
        .map(|(_, id)| split(&label_of(*id)))
        .collect();
    // rows_before[k]: the rows of the block's fields before field k.
    let mut rows_before = Vec::with_capacity(labels.len() + 1);
    rows_before.push(0usize);
    for (_, more) in &labels {
        let last = rows_before.last().copied().unwrap_or(0);
        rows_before.push(last + 1 + usize::from(more.is_some()));
    }
    let rows_between = |from: usize, to: usize| -> usize {
        let end = rows_before.get(to + 1).copied().unwrap_or(0);
        end.saturating_sub(rows_before.get(from).copied().unwrap_or(0))
    };
    let pos = in_block.iter().position(|(i, _)| *i == cursor).unwrap_or(0);
    // The first field shown: the cursor's field about in the middle, all of it on screen.
    let mut first = pos.saturating_sub(height.saturating_sub(1) / 2);
    while first < pos && rows_between(first, pos) > height {
        first += 1;
    }
    // No empty room below the block's last field when earlier fields could fill it.
    while first > 0 && rows_between(first - 1, in_block.len().saturating_sub(1)) <= height {
        first -= 1;
    }
    let mut lines = Vec::with_capacity(height);
    for (&(i, id), (label, more)) in in_block.iter().zip(&labels).skip(first) {
        if lines.len() >= height {
            break;
        }
        let here = i == cursor;
        let text = match typing {
            Some((input, _)) if here => input.clone(),
            _ => value_text(e.values.get(id)),
        };
        let shown = if id.is_mark() {
            if text == "x" {
                Msg::Ticked.text(lang).to_string()
            } else {
                Msg::NotTicked.text(lang).to_string()
            }
        } else if here {
            format!("{text:>9}_")
        } else {
            format!("{text:>9} ")
        };
        let again = returned.is_some_and(|r| r.contains(&id));
        let mut spans = vec![
            Span::raw(match (here, again) {
                (true, _) => "> ",
                (false, true) => "* ",
                (false, false) => "  ",
            }),
            Span::styled(format!("{:>5} ", form.code(id)), DIM),
            Span::raw(format!("{label:<label_width$} ")),
            Span::styled(
                format!("[{shown:>10}]"),
                match (here, returned.is_some() && !again) {
                    (true, _) => CURSOR,
                    (false, true) => DIM,
                    (false, false) => BOLD,
                },
            ),
        ];
        spans.extend(field_marks(&findings, id));
        lines.push(Line::from(spans));
        if let Some(more) = more {
            lines.push(Line::from(format!("        {more}")));
        }
    }
    frame.render_widget(Paragraph::new(lines), fields_area);
    // The findings wrap (a message is never cut); those that do not fit are counted, and
    // F10 lists them all.
    let width = usize::from(findings_area.width).max(1);
    let room = usize::from(findings_area.height);
    let mut used = 0usize;
    let mut lines: Vec<Line> = Vec::new();
    for (k, f) in findings.iter().enumerate() {
        let line = finding_line(f, lang);
        let need = rows_of(&line, width);
        let left_after = findings.len() - k - 1;
        let reserve = usize::from(left_after > 0);
        if used + need + reserve > room {
            let more = findings.len() - k;
            lines.push(Line::styled(
                Msg::MoreFindings.fill(lang, &[&more.to_string()]),
                DIM,
            ));
            break;
        }
        used += need;
        lines.push(line);
    }
    frame.render_widget(wrapped(lines), findings_area);
}

fn finish(state: &State, frame: &mut Frame, area: Rect, station: u32, slot: Slot, scroll: usize) {
    let lang = state.lang;
    let findings = state.ledger.findings(station, slot);
    // The title and the question stay; the findings between them scroll, with the position
    // shown, and each wraps (a message is never cut).
    let closing = if findings.iter().any(|f| f.severity() == Severity::Error) {
        Some(Msg::SaveWithErrors)
    } else if !findings.is_empty() {
        Some(Msg::WarningsSeen)
    } else {
        None
    };
    let width = usize::from(area.width).max(1);
    let closing_height = closing.map_or(0, |m| m.text(lang).chars().count().div_ceil(width));
    let [title, list, _, question] = rows(
        area,
        &[2, 0, 1, u16::try_from(closing_height).unwrap_or(u16::MAX)],
    );
    let room = usize::from(list.height);
    let mut head = Msg::FinishTitle.text(lang).to_string();
    let first = scroll.min(findings.len().saturating_sub(1));
    let shown = findings.iter().skip(first).map(|f| finding_line(f, lang));
    let mut lines = fitting(shown, width, room);
    let last = first + lines.len();
    if findings.is_empty() {
        lines.push(Line::from(Msg::NoFindings.text(lang)));
    } else {
        head.push(' ');
        head.push_str(&Msg::FindingsShown.rows_shown(lang, first, last, findings.len()));
    }
    frame.render_widget(wrapped(Line::styled(head, BOLD)), title);
    frame.render_widget(wrapped(lines), list);
    if let Some(m) = closing {
        frame.render_widget(wrapped(Line::from(m.text(lang).to_string())), question);
    }
}

fn coordinator(state: &State, frame: &mut Frame, area: Rect, station: u32, scroll: usize) {
    let lang = state.lang;
    let (Some(form), Some(data)) = (state.ledger.form(), state.ledger.stations.get(&station))
    else {
        return;
    };
    let status = data.status;
    let mut lines = Vec::new();
    match status {
        Status::EntriesDifferent => {
            let (Some(a), Some(b)) = (&data.first, &data.second) else {
                return;
            };
            lines.push(Line::from(Msg::DifferencesHeading.text(lang)));
            // What each key does, with the typists' names (the key bar has room for less).
            let options = Msg::DifferencesOptions.fill(lang, &[&a.typist, &b.typist]);
            let options_rows = options
                .chars()
                .count()
                .div_ceil(usize::from(area.width).max(1));
            lines.push(Line::styled(options, DIM));
            lines.push(Line::styled(
                format!(
                    "  {:<44} {:>14} {:>14}",
                    Msg::ColField.text(lang),
                    Msg::ColFirst.fill(lang, &[&a.typist.chars().take(8).collect::<String>()]),
                    Msg::ColSecond.fill(lang, &[&b.typist.chars().take(8).collect::<String>()])
                ),
                BOLD,
            ));
            let diffs = state.ledger.differences(station);
            let height = usize::from(area.height).saturating_sub(3 + options_rows);
            for id in diffs
                .iter()
                .skip(scroll.min(diffs.len().saturating_sub(1)))
                .take(height)
            {
                let label: String = format!("{} {}", id, crate::form::label(form, *id, lang))
                    .chars()
                    .take(44)
                    .collect();
                lines.push(Line::from(vec![
                    Span::styled(format!("{} ", Msg::WarningMark.text(lang)), WARN),
                    Span::raw(format!("{label:<44} ")),
                    Span::styled(
                        format!(
                            "{:>14} {:>14}",
                            value_text(a.values.get(*id)),
                            value_text(b.values.get(*id))
                        ),
                        BOLD,
                    ),
                ]));
            }
        }
        Status::FirstEntryHasErrors => {
            let Some(e) = &data.first else { return };
            lines.push(Line::from(Msg::ErrorsHeading.fill(lang, &[&e.typist])));
            for f in check(&e.values, &form.shape).iter().take(16) {
                lines.push(finding_line(f, lang));
            }
        }
        Status::WarningsToAcknowledge => {
            let (Some(e), Some((other, warnings))) =
                (&data.first, state.ledger.warnings_to_acknowledge(station))
            else {
                return;
            };
            lines.push(Line::from(
                Msg::WarningsHeading.fill(lang, &[&e.typist, other]),
            ));
            lines.push(Line::from(""));
            for w in warnings {
                lines.push(finding_line(w, lang));
                let fields = w
                    .fields
                    .iter()
                    .map(|id| {
                        let label: String = crate::form::label(form, *id, lang)
                            .chars()
                            .take(30)
                            .collect();
                        let value = value_text(e.values.get(*id));
                        format!("{} {label} = {value}", form.code(*id))
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                lines.push(Line::styled(
                    format!("    {} {fields}", Msg::WarningFields.text(lang)),
                    DIM,
                ));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Msg::WarningsExplain.text(lang)));
        }
        Status::FieldsReturned => {
            let Some((slot, fields)) = &data.returned else {
                return;
            };
            let typist = data
                .slot(*slot)
                .map(|e| e.typist.clone())
                .unwrap_or_default();
            lines.push(Line::from(Msg::ReturnedHeading.fill(
                lang,
                &[&field_codes(fields), &typist, &slot.number().to_string()],
            )));
        }
        Status::Definitive => {
            definitive(state, frame, area, station, scroll);
            return;
        }
        _ => {
            lines.push(Line::from(Msg::NothingToDo.text(lang)));
            // Who acknowledged the warnings, and when (the core's history, from the journal).
            if let Some((who, at)) = state.ledger.acknowledgement(station) {
                lines.push(Line::from(
                    Msg::AcknowledgedBy.fill(lang, &[who, &time_of_day(at)]),
                ));
            }
        }
    }
    frame.render_widget(wrapped(lines), area);
}

/// A definitive station's result, read-only: who typed it, who acknowledged its warnings,
/// then every field of the paper with its value, scrolled from `scroll`.
fn definitive(state: &State, frame: &mut Frame, area: Rect, station: u32, scroll: usize) {
    let lang = state.lang;
    let (Some(form), Some(data)) = (state.ledger.form(), state.ledger.stations.get(&station))
    else {
        return;
    };
    let Some(result) = &data.first else { return };
    let other = state.ledger.other_typist(station).unwrap_or_default();
    let mut head = vec![Line::styled(
        Msg::DefinitiveHeading.fill(lang, &[&result.typist, &other]),
        BOLD,
    )];
    if let Some((who, at)) = state.ledger.acknowledgement(station) {
        head.push(Line::from(
            Msg::AcknowledgedBy.fill(lang, &[who, &time_of_day(at)]),
        ));
    }
    // A station corrected in this session: the previous session's numbers beside the new.
    let previous = state.ledger.sessions.previous.get(&station);
    if previous.is_some() {
        head.push(Line::styled(Msg::PreviousBeside.text(lang), DIM));
    }
    let width = usize::from(area.width).max(1);
    let head_rows: usize = head.iter().map(|l| rows_of(l, width)).sum::<usize>() + 1;
    let [top, _, list] = rows(
        area,
        &[
            u16::try_from(head_rows.saturating_sub(1)).unwrap_or(2),
            1,
            0,
        ],
    );
    frame.render_widget(wrapped(head), top);
    let room = usize::from(list.height).saturating_sub(1).max(1);
    let total = form.fields.len();
    let first = scroll.min(total.saturating_sub(room));
    // Down stops where the list ends on screen (the key handler reads this).
    state
        .level
        .figures_max_scroll
        .set(total.saturating_sub(room));
    let extra = if previous.is_some() { 13 } else { 0 };
    let label_width = usize::from(list.width).saturating_sub(22 + extra).max(10);
    let mut lines = Vec::with_capacity(room + 1);
    for field in form.fields.iter().skip(first).take(room) {
        let label: String = crate::form::label(form, field.id, lang)
            .chars()
            .take(label_width)
            .collect();
        let value = if field.id.is_mark() {
            if result.values.get(field.id) == Some(FieldValue::Mark(true)) {
                Msg::Ticked.text(lang).to_string()
            } else {
                Msg::NotTicked.text(lang).to_string()
            }
        } else {
            value_text(result.values.get(field.id))
        };
        let mut spans = vec![
            Span::styled(format!("{:>6} ", field.id.to_string()), DIM),
            Span::raw(format!("{label:<label_width$} ")),
            Span::styled(format!("{value:>11}"), BOLD),
        ];
        if let Some(previous) = previous {
            let was = previous.get(field.id);
            let changed = was != result.values.get(field.id);
            let was = if field.id.is_mark() {
                value_text(was).replace('x', Msg::Ticked.text(lang))
            } else {
                value_text(was)
            };
            let mark = if changed { "*" } else { " " };
            spans.push(Span::styled(
                format!(" {mark}{was:>11}"),
                if changed { WARN } else { DIM },
            ));
        }
        lines.push(Line::from(spans));
    }
    let last = (first + room).min(total);
    lines.push(Line::styled(
        Msg::ResultShown.rows_shown(lang, first, last, total),
        DIM,
    ));
    frame.render_widget(Paragraph::new(lines), list);
}

/// `hh:mm:ss` in Dutch local time (Europe/Amsterdam: CET or CEST as the date says) of a moment
/// in milliseconds since 1970. A moment outside the representable range (a damaged journal)
/// is shown as `--:--:--`.
pub fn time_of_day(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => {
            let d = tally_body::AMSTERDAM.to_datetime(t);
            format!("{:02}:{:02}:{:02}", d.hour(), d.minute(), d.second())
        }
        Err(_) => "--:--:--".to_owned(),
    }
}

/// A 3x5 glyph of a hex digit, in `#`, which every console draws.
fn glyph(c: char) -> [&'static str; 5] {
    match c {
        '0' => ["###", "# #", "# #", "# #", "###"],
        '1' => [" # ", "## ", " # ", " # ", "###"],
        '2' => ["###", "  #", "###", "#  ", "###"],
        '3' => ["###", "  #", "###", "  #", "###"],
        '4' => ["# #", "# #", "###", "  #", "  #"],
        '5' => ["###", "#  ", "###", "  #", "###"],
        '6' => ["###", "#  ", "###", "# #", "###"],
        '7' => ["###", "  #", "  #", "  #", "  #"],
        '8' => ["###", "# #", "###", "# #", "###"],
        '9' => ["###", "# #", "###", "  #", "###"],
        'a' => [" # ", "# #", "###", "# #", "# #"],
        'b' => ["## ", "# #", "## ", "# #", "## "],
        'c' => ["###", "#  ", "#  ", "#  ", "###"],
        'd' => ["## ", "# #", "# #", "# #", "## "],
        'e' => ["###", "#  ", "## ", "#  ", "###"],
        'f' => ["###", "#  ", "## ", "#  ", "#  "],
        _ => ["   ", "   ", "   ", "   ", "   "],
    }
}

/// The five text lines that draw `text` (hex digits and spaces) large.
pub fn big_text(text: &str) -> [String; 5] {
    let mut rows: [String; 5] = Default::default();
    for (i, c) in text.chars().enumerate() {
        for (row, part) in rows.iter_mut().zip(glyph(c)) {
            if i > 0 {
                row.push(' ');
            }
            row.push_str(part);
        }
    }
    rows
}

fn total(state: &State, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    if let (true, Some((_, sha))) = (state.level.big_hash, &state.ledger.exported) {
        // The hash code large: four rows of four groups, 20 lines; the heading above them
        // only when it fits (a long notice below takes rows: the code is never cut).
        let mut lines = Vec::new();
        if area.height > 20 {
            lines.push(Line::styled(Msg::HashCode510.text(lang).to_string(), BOLD));
        }
        for row in hash_code_rows(sha, 4, " ") {
            for l in big_text(&row) {
                lines.push(Line::styled(format!("  {l}"), BOLD));
            }
        }
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    if !state.ledger.all_definitive() {
        let lines = vec![problem_line(Msg::NotAllDefinitive.text(lang))];
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let open = state.ledger.sessions.open_investigations();
    if !open.is_empty() {
        let stations: Vec<String> = open.iter().map(u32::to_string).collect();
        let text = Msg::OpenInvestigations.fill(lang, &[&stations.join(", ")]);
        let lines = vec![problem_line(&text)];
        frame.render_widget(wrapped(lines), area);
        return;
    }
    let width = usize::from(area.width.max(1));
    // Above the figures: the hash code once exported; below them: what E does.
    let mut top: Vec<Line> = Vec::new();
    let mut bottom: Vec<Line> = Vec::new();
    match &state.ledger.exported {
        None => {
            bottom.push(Line::from(""));
            bottom.push(Line::from(Msg::ReadyToExport.text(lang)));
            // The eligible voters the 510b will carry: entered, or the stations' sum.
            let voters = match state.ledger.eligible_voters {
                Some(n) => Msg::VotersLine.fill(lang, &[&n.to_string()]),
                None => {
                    let sum = state.ledger.stations_eligible_voters().unwrap_or(0);
                    Msg::VotersSum.fill(lang, &[&sum.to_string()])
                }
            };
            bottom.push(Line::from(voters));
        }
        Some((path, sha)) => {
            top.push(Line::from(Msg::HashCode510.text(lang)));
            for row in hash_code_rows(sha, 4, "    ") {
                top.push(Line::styled(
                    format!("      {row}"),
                    BOLD.add_modifier(Modifier::REVERSED),
                ));
            }
            top.push(Line::from(Msg::ExportWritten.fill(lang, &[path])));
        }
    }
    let height = |lines: &[Line]| -> usize { lines.iter().map(|l| rows_of(l, width)).sum() };
    let mut middle: Vec<Line> = Vec::new();
    match state.ledger.comparison_figures() {
        Some(Ok(figures)) => {
            let rows = figure_rows(figures, lang);
            let avail = usize::from(area.height)
                .saturating_sub(height(&top))
                .saturating_sub(height(&bottom));
            // Before the export the report does not exist yet: the figures are what it will
            // say. After the export (the report is on the stick): compare with the print.
            let base = if state.ledger.exported.is_some() {
                Msg::CompareFigures.text(lang)
            } else {
                Msg::FiguresForReport.text(lang)
            };
            let lines_of = |text: &str| text.chars().count().max(1).div_ceil(width);
            let mut room = avail.saturating_sub(lines_of(base)).max(1);
            let mut heading = base.to_string();
            if rows.len() > room {
                // The heading says which figures are shown (and may take a line more).
                let n = rows.len().to_string();
                let widest = Msg::FiguresShown.fill(lang, &[&n, &n, &n]);
                room = avail
                    .saturating_sub(lines_of(&format!("{base} {widest}")))
                    .max(1);
            }
            let max_first = rows.len().saturating_sub(room);
            state.level.figures_max_scroll.set(max_first);
            let first = state.level.figures_scroll.min(max_first);
            let last = first.saturating_add(room).min(rows.len());
            if rows.len() > room {
                heading.push(' ');
                heading.push_str(&Msg::FiguresShown.rows_shown(lang, first, last, rows.len()));
            }
            middle.push(Line::styled(heading, BOLD));
            for (code, label, value) in rows.get(first..last).unwrap_or_default() {
                let label: String = label.chars().take(54).collect();
                middle.push(Line::from(vec![
                    Span::styled(format!("  {code:<5} "), DIM),
                    Span::raw(format!("{label:<54} ")),
                    Span::styled(format!("{value:>12}"), BOLD),
                ]));
            }
        }
        Some(Err(why)) => middle.push(problem_line(&why.to_string())),
        None => {}
    }
    let mut lines = top;
    lines.extend(middle);
    lines.extend(bottom);
    frame.render_widget(wrapped(lines), area);
}

/// The comparison figures as (code, label, value) in the order of the paper form: the
/// Dutch labels exactly as the printed report has them, or their English translations.
pub fn figure_rows(
    figures: &tally_report::ComparisonFigures,
    lang: Lang,
) -> Vec<(String, String, String)> {
    figures
        .rows()
        .into_iter()
        .map(|r| {
            let label = match lang {
                Lang::Nl => r.label,
                Lang::En => english_figure_label(figures, &r.code).unwrap_or(r.label),
            };
            (r.code, label, r.value)
        })
        .collect()
}

fn english_figure_label(figures: &tally_report::ComparisonFigures, code: &str) -> Option<String> {
    let Some(n) = code.strip_prefix("E.") else {
        let field = code.parse().ok().and_then(crate::form::field_msg)?;
        return Some(field.en().to_string());
    };
    let list = figures.lists.iter().find(|l| l.list.to_string() == n)?;
    Some(
        Msg::FigureList
            .fill(Lang::En, &[n, &list.name])
            .trim_end()
            .to_string(),
    )
}
