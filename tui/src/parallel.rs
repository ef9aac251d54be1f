//! Parallel entry on the coordinating appliance (`docs/parallel-entry.md`, issue 18): the
//! progress screen (per polling station where its two entries are, per entry appliance
//! what it still holds), the assignment of entries to entry appliances, the import of a
//! signed entry batch with its outcome per entry, and the words for what the ledger's
//! [`tally_ledger::batch`] refuses.
//!
//! What it must not do: decide anything about an entry itself (the ledger's
//! [`batch::import`] does, and the core's double entry compares), or read media (the
//! municipal services verify and keep).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use tally_core::people::PersonId;
use tally_ledger::batch::{
    self, AssignError, Assignment, BatchError, EntryOrigin, EntryOutcome, EntryRefusal,
    FormatError, Import, ImportOutcome, ImportPolicy, ParallelRecord,
};
use tally_ledger::municipal::{Record, Slot, Status};
use tally_ledger::progress::{Half, Summary, appliances, body, round_robin, rows};

use crate::app::{Effect, Event, MunicipalEffect, MunicipalEvent, Screen, State, status_msg};
use crate::services::{Arg, Medium, Refusal};
use crate::shell::runner::Ctx;
use crate::shell::view::{BOLD, CURSOR, DIM, ERR, WARN, ascii, fitting, wrapped};
use crate::shell::{self, Purpose};
use crate::text::{Lang, Msg};

/// What is typed on the progress screen after `R`, `1` or `2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// How many entry appliances to assign every unassigned station over.
    RoundRobin(String),
    /// The entry appliance's number for one station's entry.
    Slot {
        /// The station.
        station: u32,
        /// Its entry.
        slot: Slot,
        /// The number typed.
        typed: String,
    },
}

/// The progress screen's state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    /// The selected station (index in number order).
    pub selected: usize,
    /// A number being typed.
    pub prompt: Option<Prompt>,
    /// Imports allow a station's two entries from one appliance (`A` switches; off by
    /// default and after a restart: each import records the policy it used).
    pub same_appliance: bool,
}

/// What an imported batch did, shown per entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchShown {
    /// The entry appliance that signed it.
    pub appliance: String,
    /// Imported before: nothing changed.
    pub already: bool,
    /// Per entry.
    pub outcome: ImportOutcome,
    /// The first line shown.
    pub scroll: usize,
}

/// A parallel-entry medium verified (an entry batch, an assignment): its signer and file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedFile {
    /// The signing certificate's identifier (`0042-E3` for a batch).
    pub signer: String,
    /// The file's bytes, as verified.
    pub bytes: Vec<u8>,
    /// Their SHA-256 (hex).
    pub sha256: String,
    /// When the medium was signed (seconds since 1970).
    pub signed_at: i64,
}

fn assigned_record(assignments: Vec<Assignment>, by: PersonId) -> Effect {
    shell::Effect::Persist(Record::Parallel(ParallelRecord::Assigned {
        assignments,
        by,
        at: 0,
    }))
}

/// A key on the progress screen.
pub fn progress_key(state: &mut State, key: KeyEvent, mut screen: Progress) -> Vec<Effect> {
    let by = state.signed_in.unwrap_or(PersonId(0));
    let rows = rows(&state.ledger);
    let stay = |state: &mut State, screen: Progress| state.go(Screen::Progress(screen));
    if let Some(prompt) = screen.prompt.take() {
        let (typed, done) = match prompt {
            Prompt::RoundRobin(mut t) => {
                if key.code != KeyCode::Enter {
                    if key.code != KeyCode::Esc {
                        crate::session::type_number(&mut t, &key, 3);
                        screen.prompt = Some(Prompt::RoundRobin(t));
                    }
                    stay(state, screen);
                    return Vec::new();
                }
                (t, None)
            }
            Prompt::Slot {
                station,
                slot,
                mut typed,
            } => {
                if key.code != KeyCode::Enter {
                    if key.code != KeyCode::Esc {
                        crate::session::type_number(&mut typed, &key, 3);
                        screen.prompt = Some(Prompt::Slot {
                            station,
                            slot,
                            typed,
                        });
                    }
                    stay(state, screen);
                    return Vec::new();
                }
                (typed, Some((station, slot)))
            }
        };
        let n = typed.parse::<u32>().ok().filter(|n| (1..=999).contains(n));
        let Some(n) = n else {
            stay(state, screen);
            state.error(Refusal::with(Msg::ApplianceNumber, &[], ""));
            return Vec::new();
        };
        let Some(code) = body(&state.ledger) else {
            return Vec::new();
        };
        match done {
            None if n < 2 => {
                stay(state, screen);
                state.error(Refusal::with(Msg::RoundRobinTooFew, &[], ""));
                Vec::new()
            }
            None => {
                let list = round_robin(&state.ledger, n);
                stay(state, screen);
                if list.is_empty() {
                    state.info(Msg::NothingUnassigned, &[]);
                    return Vec::new();
                }
                vec![assigned_record(list, by)]
            }
            Some((station, slot)) => {
                let appliance = format!("{code}-E{n}");
                let other = match slot {
                    Slot::First => Slot::Second,
                    Slot::Second => Slot::First,
                };
                stay(state, screen);
                if state.ledger.parallel.assigned.get(&(station, other)) == Some(&appliance) {
                    state.error(Refusal::with(
                        Msg::SlotSameAppliance,
                        &[&station.to_string(), &appliance],
                        "",
                    ));
                    return Vec::new();
                }
                vec![assigned_record(
                    vec![Assignment {
                        station,
                        slot,
                        appliance,
                    }],
                    by,
                )]
            }
        }
    } else {
        let last = rows.len().saturating_sub(1);
        if shell::scroll(&mut screen.selected, key.code, true, last) {
            stay(state, screen);
            return Vec::new();
        }
        let selected = rows.get(screen.selected).map(|r| r.station);
        let out = match key.code {
            KeyCode::Esc => {
                return vec![shell::Effect::Persist(Record::Moved {
                    place: tally_ledger::municipal::Place::Overview,
                })];
            }
            KeyCode::Char('r' | 'R') => {
                screen.prompt = Some(Prompt::RoundRobin(String::new()));
                Vec::new()
            }
            KeyCode::Char(c @ ('1' | '2')) => {
                if let Some(station) = selected {
                    screen.prompt = Some(Prompt::Slot {
                        station,
                        slot: if c == '1' { Slot::First } else { Slot::Second },
                        typed: String::new(),
                    });
                }
                Vec::new()
            }
            KeyCode::Char('a' | 'A') => {
                screen.same_appliance = !screen.same_appliance;
                state.info(
                    if screen.same_appliance {
                        Msg::SameApplianceOn
                    } else {
                        Msg::SameApplianceOff
                    },
                    &[],
                );
                Vec::new()
            }
            KeyCode::Char('i' | 'I') => {
                state.level.progress = screen;
                return state.media(Purpose::Import);
            }
            KeyCode::Char('e' | 'E') => {
                if state.ledger.parallel.assigned.is_empty() {
                    state.error(Refusal::with(Msg::NothingAssigned, &[], ""));
                    Vec::new()
                } else {
                    vec![shell::Effect::Level(MunicipalEffect::ExportAssignment)]
                }
            }
            KeyCode::Char('o' | 'O') => {
                vec![shell::Effect::Level(MunicipalEffect::ProgressReport)]
            }
            _ => Vec::new(),
        };
        stay(state, screen);
        out
    }
}

/// A key on the batch outcome screen.
pub fn batch_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Esc {
        let back = state.level.progress.clone();
        state.go(Screen::Progress(back));
    }
    Vec::new()
}

/// Verifies the chosen batch medium, imports it, keeps the file, journals the record.
pub fn import(ctx: &mut Ctx<'_, crate::app::Municipal>, medium: &Medium) -> Vec<Event> {
    let done = |r| vec![shell::Event::Level(MunicipalEvent::BatchDone(r))];
    let verified = match ctx.level().verify_batch(medium) {
        Ok(v) => v,
        Err(r) => return done(Err(r)),
    };
    let by = ctx.state.signed_in.unwrap_or(PersonId(0));
    let import = batch::import(
        &ctx.state.ledger,
        &verified.signer,
        &verified.bytes,
        ImportPolicy {
            same_appliance_allowed: ctx.state.level.progress.same_appliance,
        },
        by,
        0,
    );
    let (record, outcome) = match import {
        Err(e) => {
            return done(Err(Refusal::said(
                Msg::BatchRefused,
                vec![batch_refusal(&e).into()],
            )));
        }
        Ok(Import::AlreadyImported { .. }) => {
            return done(Ok(BatchShown {
                appliance: verified.signer,
                already: true,
                outcome: ImportOutcome {
                    entries: Vec::new(),
                },
                scroll: 0,
            }));
        }
        Ok(Import::New { record, outcome }) => (record, outcome),
    };
    // The file first, then the record that names it: replay needs the file.
    if let Err(r) = ctx.level().keep_batch(&verified.sha256, &verified.bytes) {
        return done(Err(r));
    }
    let shown = shell::Event::Level(MunicipalEvent::BatchDone(Ok(BatchShown {
        appliance: verified.signer,
        already: false,
        outcome,
        scroll: 0,
    })));
    let file = tally_ledger::persist::KeptFile::Bytes(&verified.bytes);
    ctx.persist_then(record, Some(file), shown)
}

/// Why a batch is refused as a whole, in the catalogue's words.
pub fn batch_refusal(e: &BatchError) -> Refusal {
    match e {
        BatchError::Format(FormatError::Format { found, .. }) => {
            Refusal::with(Msg::BatchFormat, &[found], "")
        }
        BatchError::Format(f) => Refusal::with(Msg::BatchFormat, &[&f.to_string()], ""),
        BatchError::OtherElection { batch, loaded } => {
            Refusal::with(Msg::BatchOtherElection, &[batch, loaded], "")
        }
        BatchError::OtherBody {
            batch,
            signer,
            body,
        } => Refusal::with(Msg::BatchOtherBody, &[batch, signer, body], ""),
        BatchError::OtherSigner { batch, signer } => {
            Refusal::with(Msg::BatchOtherSigner, &[batch, signer], "")
        }
        BatchError::Twice { station, slot } => Refusal::with(
            Msg::BatchTwice,
            &[&station.to_string(), &slot.number().to_string()],
            "",
        ),
        other => Refusal::with(Msg::StepRefused, &[&other.to_string()], ""),
    }
}

/// Why an assignment is refused, in the catalogue's words.
pub fn assign_refusal(e: &AssignError) -> Refusal {
    match e {
        AssignError::NoElection => Refusal::with(Msg::AssignNoElection, &[], ""),
        AssignError::NoSuchStation(station) => {
            Refusal::with(Msg::AssignNoStation, &[&station.to_string()], "")
        }
        AssignError::NotAnAppliance(appliance) => {
            Refusal::with(Msg::AssignNotAppliance, &[&ascii(appliance)], "")
        }
        AssignError::EntryIn {
            station,
            slot,
            appliance,
        } => Refusal::with(
            Msg::AssignEntryIn,
            &[&station.to_string(), &slot.number().to_string(), appliance],
            "",
        ),
    }
}

fn origin(o: &EntryOrigin) -> Refusal {
    let typist = ascii(&o.typist);
    match &o.appliance {
        Some(a) => Refusal::with(Msg::OriginOn, &[&typist, a], ""),
        None => Refusal::with(Msg::OriginHere, &[&typist], ""),
    }
}

/// Why one entry was refused, in the catalogue's words.
pub fn entry_refusal(r: &EntryRefusal) -> Refusal {
    match r {
        EntryRefusal::NoSuchStation => Refusal::with(Msg::RNoSuchStation, &[], ""),
        EntryRefusal::NotAssigned { assigned: Some(a) } => {
            Refusal::with(Msg::RNotAssigned, &[a], "")
        }
        EntryRefusal::NotAssigned { assigned: None } => {
            Refusal::with(Msg::RNotAssignedNone, &[], "")
        }
        EntryRefusal::BadField { field } => {
            Refusal::with(Msg::RBadField, &[&field.to_string()], "")
        }
        EntryRefusal::BadFinding(code) => Refusal::with(Msg::RBadFinding, &[&ascii(code)], ""),
        EntryRefusal::Differs { present, offered } => Refusal::said(
            Msg::RDiffers,
            vec![origin(present).into(), origin(offered).into()],
        ),
        EntryRefusal::SamePerson { other } => {
            Refusal::said(Msg::RSamePerson, vec![origin(other).into()])
        }
        EntryRefusal::SameAppliance { other } => {
            Refusal::said(Msg::RSameAppliance, vec![origin(other).into()])
        }
        EntryRefusal::NotOpen(kind) => Refusal::said(
            Msg::RNotOpen,
            vec![Arg::Said(Box::new(Refusal::with(
                status_msg(*kind),
                &[],
                "",
            )))],
        ),
        EntryRefusal::Discarded => Refusal::with(Msg::RDiscarded, &[], ""),
        EntryRefusal::Core(e) => Refusal::with(Msg::StepRefused, &[&e.to_string()], ""),
    }
}

/// One entry's outcome in words.
pub fn outcome_text(o: &EntryOutcome, lang: Lang) -> String {
    match o {
        EntryOutcome::Placed => Msg::OutPlaced.text(lang).to_owned(),
        EntryOutcome::Held => Msg::OutHeld.text(lang).to_owned(),
        EntryOutcome::Reconciled => Msg::OutReconciled.text(lang).to_owned(),
        EntryOutcome::Refused(r) => Msg::OutRefused.fill(lang, &[&entry_refusal(r).text(lang)]),
    }
}

/// The summary line of an import.
pub fn summary(shown: &BatchShown, lang: Lang) -> String {
    if shown.already {
        return Msg::BatchAlready.text(lang).to_owned();
    }
    let o = &shown.outcome;
    let n = |f: &dyn Fn(&EntryOutcome) -> bool| o.count(f).to_string();
    Msg::BatchSummary.fill(
        lang,
        &[
            &o.entries.len().to_string(),
            &n(&|e| matches!(e, EntryOutcome::Placed)),
            &n(&|e| matches!(e, EntryOutcome::Held)),
            &n(&|e| matches!(e, EntryOutcome::Reconciled)),
            &n(&|e| matches!(e, EntryOutcome::Refused(_))),
        ],
    )
}

/// The short form of an appliance on the screen: `E3` for `0042-E3`.
fn short(a: &str) -> String {
    a.rsplit_once('-')
        .map_or_else(|| a.to_owned(), |(_, n)| n.to_owned())
}

fn half_text(h: &Half, lang: Lang) -> String {
    let text = match h {
        Half::Unassigned => "-".to_owned(),
        Half::Assigned(a) => Msg::EntryOpen.fill(lang, &[&short(a)]),
        Half::In { appliance, typist } => {
            let at = appliance
                .as_deref()
                .map_or_else(|| Msg::Here.text(lang).to_owned(), short);
            format!("{at} {}", ascii(typist))
        }
    };
    text.chars().take(20).collect()
}

/// `text` in rows of at most `width` characters, broken at spaces (the rows after the
/// first are indented by four, so they get four fewer).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let body = text.trim_start();
    let mut rows: Vec<String> = Vec::new();
    let mut row = " ".repeat(text.len() - body.len());
    let mut fresh = true;
    for word in body.split(' ') {
        let room = if rows.is_empty() { width } else { width - 4 };
        if !fresh && row.chars().count() + 1 + word.chars().count() > room {
            rows.push(std::mem::take(&mut row));
            fresh = true;
        }
        if !fresh {
            row.push(' ');
        }
        row.push_str(word);
        fresh = false;
    }
    rows.push(row);
    rows
}

/// Draws the progress screen.
pub fn draw_progress(state: &State, screen: &Progress, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    let rows = rows(&state.ledger);
    let appliances = appliances(&rows);
    let n = Summary::of(&rows);
    let counts = [n.stations, n.definitive, n.different, n.unassigned].map(|c| c.to_string());
    let mut head = vec![Line::styled(
        Msg::ProgressSummary.fill(lang, &counts.each_ref().map(String::as_str)),
        BOLD,
    )];
    let prompt = match &screen.prompt {
        Some(Prompt::RoundRobin(t)) => Some(Msg::RoundRobinPrompt.fill(lang, &[t])),
        Some(Prompt::Slot {
            station,
            slot,
            typed,
        }) => Some(Msg::SlotPrompt.fill(
            lang,
            &[&station.to_string(), &slot.number().to_string(), typed],
        )),
        None => None,
    };
    if let Some(p) = prompt {
        head.push(Line::styled(p, WARN));
    }
    if screen.same_appliance {
        head.push(Line::styled(Msg::SameApplianceShown.text(lang), WARN));
    }
    let mut lines: Vec<Line> = vec![Line::styled(Msg::ProgressAppliances.text(lang), BOLD)];
    if appliances.is_empty() {
        lines.push(Line::styled(Msg::NoAppliances.text(lang), DIM));
    }
    for a in &appliances {
        let holds = if a.holds.is_empty() {
            Msg::HoldsNothing.text(lang).to_owned()
        } else {
            tally_report::number_ranges(&a.holds)
        };
        let line = Msg::ApplianceLine.fill(lang, &[&a.appliance, &a.delivered.to_string(), &holds]);
        // Wrapped by hand at the ranges (so the scrolling below counts rows).
        for (i, row) in wrap_words(&line, usize::from(area.width).max(20))
            .into_iter()
            .enumerate()
        {
            lines.push(Line::from(if i == 0 { row } else { format!("    {row}") }));
        }
    }
    lines.push(Line::styled(Msg::ProgressHead.text(lang), BOLD));
    let first_station = lines.len();
    for (i, r) in rows.iter().enumerate() {
        let stage = status_msg(r.status).text(lang);
        let mark = if i == screen.selected { "> " } else { "  " };
        let text = format!(
            "{mark}{:>3} {:<21} {:<21} {stage}",
            r.station,
            half_text(&r.first, lang),
            half_text(&r.second, lang),
        );
        let style = if i == screen.selected {
            CURSOR
        } else if r.status == Status::EntriesDifferent {
            ERR
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::styled(
            text.chars().take(80).collect::<String>(),
            style,
        ));
    }
    let room = usize::from(area.height).saturating_sub(head.len());
    // Scroll so the selected station is on screen (the appliances scroll away above it).
    let cursor = first_station + screen.selected;
    let offset = (cursor + 1).saturating_sub(room);
    let mut shown = head;
    shown.extend(lines.into_iter().skip(offset).take(room));
    frame.render_widget(Paragraph::new(shown), area);
}

/// Draws the batch outcome screen.
pub fn draw_batch(state: &State, shown: &BatchShown, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    let summary = summary(shown, lang);
    let width = usize::from(area.width).max(1);
    let total = shown.outcome.entries.len();
    // Only the entries from the first shown are worded (a batch may hold thousands).
    let first = shown.scroll.min(total.saturating_sub(1));
    let rows = shown
        .outcome
        .entries
        .iter()
        .skip(first)
        .map(|(station, slot, o)| {
            let style = match o {
                EntryOutcome::Refused(_) => ERR,
                EntryOutcome::Held => WARN,
                _ => ratatui::style::Style::new(),
            };
            let text = format!(
                "{:>4} {:<4} {}",
                station,
                Msg::SlotShort.fill(lang, &[&slot.number().to_string()]),
                outcome_text(o, lang)
            );
            Line::from(Span::styled(text, style))
        });
    let room = usize::from(area.height).saturating_sub(summary.chars().count().div_ceil(width) + 1);
    // The first shown entry is shown even when it needs more rows than there are.
    let shown = fitting(rows, width, room);
    // Which entries are shown, when not all fit (on the empty second line).
    let last = first + shown.len();
    let mut body = vec![Line::styled(summary, BOLD), Line::from("")];
    body.extend(shown);
    if first > 0 || last < total {
        let at = Msg::EntriesShown.rows_shown(lang, first, last, total);
        if let Some(line) = body.get_mut(1) {
            *line = Line::styled(at, DIM);
        }
    }
    frame.render_widget(wrapped(body), area);
}
