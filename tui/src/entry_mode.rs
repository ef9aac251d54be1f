//! The entry appliance's mode of the municipal level (`docs/parallel-entry.md`, issue 18):
//! an appliance booted with a `GSB-entry` certificate (`0042-E3`) runs the municipal
//! screens, with an overview of the stations its coordinating GSB assigned it. `I` reads
//! the signed assignment medium (journaled: a restart replays it), Enter types an assigned
//! station once (the local first entry, with the GSB's entry form and its live checks), `E`
//! and a coordinator's PIN write the signed entry batch of every complete entry.
//!
//! What it must not do: let a station be typed that is not assigned here, or offer what the
//! coordinating GSB does (second entry, differences, total, 510b): those keys say why.

use crossterm::event::{KeyCode, KeyEvent};
use tally_core::double_entry::Role;
use tally_core::people::PersonId;
use tally_ledger::batch::{self, LoadError, ParallelRecord};
use tally_ledger::municipal::{Record, Slot, Status};
use tally_ledger::progress::{Here, entry_stations, here, typed};

use crate::app::{Effect, Event, MunicipalAct, MunicipalEvent, Screen, State, status_msg};
use crate::services::{ExportDone, Medium, Refusal};
use crate::shell::people::{Guard, PinFor};
use crate::shell::runner::Ctx;
use crate::shell::{self, ENTRY_ROLE, Purpose};
use crate::text::{Lang, Msg};

/// A batch written: where, and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchDone {
    /// The signed medium written.
    pub done: ExportDone,
    /// SHA-256 of the batch file (hex).
    pub sha256: String,
    /// How many entries.
    pub entries: usize,
}

/// This entry appliance's identifier (`0042-E3`), when the terminal runs as one.
pub fn appliance(state: &State) -> Option<&str> {
    (state.identity.role == ENTRY_ROLE).then_some(state.identity.identifier.as_str())
}

/// The entry a screen names for `station`'s entry `slot`: on an entry appliance the one its
/// assignment gives (typed here as the local first entry), else `slot`.
pub fn named_slot(state: &State, station: u32, slot: Slot) -> Slot {
    match (appliance(state), here(&state.ledger, station)) {
        (Some(_), Some(Here::Assigned(assigned))) => assigned,
        _ => slot,
    }
}

/// A station's state in words on an entry appliance (its one entry here), or that it is
/// assigned elsewhere now.
pub fn status_text(state: &State, station: u32, status: Status) -> Msg {
    if let Some(Here::Away(_)) = here(&state.ledger, station) {
        return Msg::StAway;
    }
    match status {
        Status::SecondEntryNotStarted => Msg::StTyped,
        Status::FirstEntryHasErrors => Msg::StTypedErrors,
        other => status_msg(other),
    }
}

/// A listed station's last column: its slot, or where it is now.
pub fn here_text(state: &State, station: u32, lang: Lang) -> String {
    match here(&state.ledger, station) {
        Some(Here::Assigned(slot)) => Msg::EntrySlotCol.fill(lang, &[&slot.number().to_string()]),
        Some(Here::Away(now)) => {
            // Short (`E2`): the column has 14 characters.
            let short: Vec<String> = now
                .iter()
                .map(|a| a.rsplit_once('-').map_or(a.as_str(), |(_, n)| n).to_owned())
                .collect();
            Msg::ReassignedAway.fill(lang, &[&now_text(&short)])
        }
        None => String::new(),
    }
}

fn now_text(appliances: &[String]) -> String {
    if appliances.is_empty() {
        "-".to_owned()
    } else {
        appliances.join(", ")
    }
}

/// A key on the overview of an entry appliance.
pub fn overview_key(state: &mut State, key: KeyEvent, mut selected: usize) -> Vec<Effect> {
    let list = entry_stations(&state.ledger);
    if shell::scroll(&mut selected, key.code, false, list.len().saturating_sub(1)) {
        state.go(Screen::Overview { selected });
        return Vec::new();
    }
    let loaded = state.ledger.parallel.loaded.is_some();
    match key.code {
        KeyCode::Enter => {
            let Some(&station) = list.get(selected) else {
                if !loaded {
                    state.error(Refusal::with(Msg::NoAssignmentKey, &[], ""));
                }
                return Vec::new();
            };
            if let Some(Here::Away(now)) = here(&state.ledger, station) {
                state.error(Refusal::with(
                    Msg::NotAssignedHere,
                    &[&station.to_string(), &now_text(&now)],
                    "",
                ));
                return Vec::new();
            }
            // Each station is typed here once: its local first entry.
            match state.ledger.open_entry(station) {
                Ok(Slot::First) => {
                    let (only, except) = state.ledger.entry_typists(station, Slot::First);
                    state.pin(Guard {
                        role: Role::Typist,
                        only,
                        except,
                        act: PinFor::Level(MunicipalAct::Entry {
                            station,
                            slot: Slot::First,
                        }),
                    });
                }
                Ok(Slot::Second) => state.error(Refusal::with(
                    Msg::NotOpenForEntry,
                    &[Msg::StTyped.text(state.lang)],
                    "",
                )),
                Err(status) => state.error(Refusal::with(
                    Msg::NotOpenForEntry,
                    &[status_text(state, station, status).text(state.lang)],
                    "",
                )),
            }
            Vec::new()
        }
        KeyCode::Char('i' | 'I') => state.media(Purpose::Import),
        KeyCode::Char('e' | 'E') => {
            if !loaded {
                state.error(Refusal::with(Msg::NoAssignmentYet, &[], ""));
            } else if typed(&state.ledger).0 == 0 {
                state.error(Refusal::with(Msg::NothingToExportYet, &[], ""));
            } else {
                state.coordinator(MunicipalAct::ExportBatch);
            }
            Vec::new()
        }
        // What the coordinating GSB does (coordinator, total, investigation, session,
        // progress): said, not done.
        KeyCode::Char('c' | 'C' | 't' | 'T' | 'o' | 'O' | 's' | 'S' | 'p' | 'P') => {
            state.error(Refusal::with(Msg::NotOnEntryAppliance, &[], ""));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Why an assignment is not taken, in the catalogue's words (inside
/// [`Msg::AssignmentRefused`]).
pub fn load_refusal(e: &LoadError) -> Refusal {
    let inner = match e {
        LoadError::Format(batch::FormatError::Format { found, .. }) => {
            Refusal::with(Msg::AssignmentFormat, &[found], "")
        }
        LoadError::Format(f) => Refusal::with(Msg::AssignmentFormat, &[&f.to_string()], ""),
        LoadError::NoElection => Refusal::with(Msg::StepRefused, &[&e.to_string()], ""),
        LoadError::OtherElection { assignment, loaded } => {
            Refusal::with(Msg::AssignmentOtherElection, &[assignment, loaded], "")
        }
        LoadError::OtherBody {
            assignment,
            appliance,
        } => Refusal::with(Msg::AssignmentOtherBody, &[assignment, appliance], ""),
        LoadError::NoSuchStation(s) => {
            Refusal::with(Msg::AssignmentNoStation, &[&s.to_string()], "")
        }
        LoadError::NotAnAppliance(a) => Refusal::with(Msg::AssignmentNotAppliance, &[a], ""),
        LoadError::Twice(s) => Refusal::with(Msg::AssignmentTwice, &[&s.to_string()], ""),
        LoadError::Older { loaded, offered } => Refusal::with(
            Msg::AssignmentOlder,
            &[&moment(*offered), &moment(*loaded)],
            "",
        ),
    };
    Refusal::said(Msg::AssignmentRefused, vec![inner.into()])
}

/// A signing time (seconds since 1970) as the official reads it: date and time in Dutch
/// local time (Europe/Amsterdam), like every time on the screens.
fn moment(seconds: i64) -> String {
    match jiff::Timestamp::from_second(seconds) {
        Ok(t) => {
            let d = tally_body::AMSTERDAM.to_datetime(t);
            format!(
                "{:02}-{:02}-{:04} {}",
                d.day(),
                d.month(),
                d.year(),
                crate::view::time_of_day(seconds.saturating_mul(1000))
            )
        }
        Err(_) => "--".to_owned(),
    }
}

/// Verifies the chosen assignment medium, checks it against the ledger, journals it.
pub fn read_assignment(ctx: &mut Ctx<'_, crate::app::Municipal>, medium: &Medium) -> Vec<Event> {
    let done = |r| vec![shell::Event::Level(MunicipalEvent::AssignmentDone(r))];
    let Some(appliance) = appliance(ctx.state).map(str::to_owned) else {
        return done(Err(Refusal::with(Msg::NotOnEntryAppliance, &[], "")));
    };
    let verified = match ctx.level().verify_assignment(medium) {
        Ok(v) => v,
        Err(r) => return done(Err(r)),
    };
    let (record, mine) = match batch::load_assignment(
        &ctx.state.ledger,
        &appliance,
        &verified.bytes,
        verified.signed_at,
    ) {
        Ok(Some(loaded)) => loaded,
        Ok(None) => return done(Ok(None)),
        Err(e) => return done(Err(load_refusal(&e))),
    };
    let read = shell::Event::Level(MunicipalEvent::AssignmentDone(Ok(Some(mine))));
    ctx.persist_then(record, None, read)
}

/// Writes the signed entry batch of every complete entry to the stick.
pub fn export_batch(ctx: &mut Ctx<'_, crate::app::Municipal>) -> Vec<Event> {
    let result = match appliance(ctx.state).map(str::to_owned) {
        Some(appliance) => {
            let journal = ctx.state.journal_head.as_ref().map(|h| h.mark());
            ctx.services
                .level()
                .export_batch(&ctx.state.ledger, journal, &appliance)
        }
        None => Err(Refusal::with(Msg::NotOnEntryAppliance, &[], "")),
    };
    vec![shell::Event::Level(MunicipalEvent::BatchExported(result))]
}

/// The record of a batch written, by the person whose PIN had it written.
pub fn written(done: BatchDone, by: Option<PersonId>) -> Effect {
    shell::Effect::Persist(Record::Parallel(ParallelRecord::BatchWritten {
        path: done.done.path,
        sha256: done.sha256,
        entries: done.entries,
        by: by.unwrap_or(PersonId(0)),
        at: 0,
    }))
}
