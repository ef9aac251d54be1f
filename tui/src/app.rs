//! The municipal level (gemeentelijk stembureau, GSB) on the [`crate::shell`]: the polling
//! stations' paper reports typed twice, the coordinator's decisions, the municipal total and
//! its export (510b). [`Municipal`] is its [`Level`]: its screens and their keys, pure.
//!
//! What lasts (a completed field, a started entry, a decision, the screen) leaves the key
//! handler as [`Effect::Persist`]; the runner writes it to the journal, applies it to the
//! [`Tally`], and only then reports it back. So the cursor moves past a field only once the
//! field is in the journal.

use crossterm::event::{KeyCode, KeyEvent};
use tally_export::JournalMark;

use tally_core::double_entry::Role;
use tally_core::people::PersonId;
use tally_ledger::batch::ParallelError;
use tally_ledger::people::{People, PeopleRecord};

use crate::entry_mode::BatchDone;
use crate::form::{FieldId, FieldValue, Form};
use crate::parallel::{BatchShown, Progress, VerifiedFile};
use crate::services::{ExportDone, Medium, Refusal, VerifiedDefinition};
use crate::session::SessionForm;
use crate::shell::people::{Guard, PinFor};
use crate::shell::runner::Ctx;
use crate::shell::{self, Level};
use crate::text::{Lang, Msg};
use tally_ledger::municipal::{
    ApplyError, Decision, Loaded, Place, Record, Slot, Status, Tally, parse_count,
};

/// The municipal level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Municipal;

/// The terminal's state at the municipal level.
pub type State = shell::State<Municipal>;
/// An event at the municipal level.
pub type Event = shell::Event<Municipal>;
/// An effect at the municipal level.
pub type Effect = shell::Effect<Municipal>;

/// What the municipal level needs besides the shell's services.
pub trait MunicipalServices {
    /// Writes the municipal count (510b) of the tally's definitive results, with the
    /// session's papers, as a signed medium.
    fn export(
        &mut self,
        tally: &Tally,
        journal: Option<JournalMark>,
    ) -> Result<ExportDone, Refusal>;

    /// Verifies an entry-batch medium (root, certificate, signature, files, role
    /// `GSB-entry`, election) and gives its signer and batch file.
    fn verify_batch(&mut self, medium: &Medium) -> Result<VerifiedFile, Refusal> {
        let _ = medium;
        not_here(Msg::RefusedOther, "no entry batches here")
    }

    /// Keeps an imported batch file in the data directory under its SHA-256 (before the
    /// record that names it is journaled: replay reads it).
    fn keep_batch(&mut self, sha256: &str, bytes: &[u8]) -> Result<(), Refusal> {
        let _ = (sha256, bytes);
        not_here(Msg::RefusedOther, "no kept files here")
    }

    /// Writes the signed assignment medium (`entry-assignment`) of the tally's assignment.
    fn export_assignment(
        &mut self,
        tally: &Tally,
        journal: Option<JournalMark>,
    ) -> Result<ExportDone, Refusal> {
        let _ = (tally, journal);
        not_here(Msg::ExportNotMade, "no assignment export here")
    }

    /// On an entry appliance: verifies an assignment medium (root, certificate, signature,
    /// files, kind `entry-assignment`, election, signed by this body's GSB) and gives its file.
    fn verify_assignment(&mut self, medium: &Medium) -> Result<VerifiedFile, Refusal> {
        let _ = medium;
        not_here(Msg::RefusedOther, "no assignments here")
    }

    /// On an entry appliance `appliance`: writes the signed entry batch (`entry-batch`) of
    /// every complete entry the loaded assignment gives it.
    fn export_batch(
        &mut self,
        tally: &Tally,
        journal: Option<JournalMark>,
        appliance: &str,
    ) -> Result<BatchDone, Refusal> {
        let _ = (tally, journal, appliance);
        not_here(Msg::ExportNotMade, "no entry batches here")
    }

    /// Writes the progress overview (PDF) as a signed medium (`progress-overview`).
    fn progress_report(
        &mut self,
        tally: &Tally,
        journal: Option<JournalMark>,
    ) -> Result<ExportDone, Refusal> {
        let _ = (tally, journal);
        not_here(Msg::ExportNotMade, "no progress overview here")
    }
}

/// What a municipal service the terminal runs without refuses (the benchmark's services
/// offer only the export).
fn not_here<T>(msg: Msg, what: &str) -> Result<T, Refusal> {
    Err(Refusal::with(msg, &[], what))
}

/// What a registered person's PIN opens at the municipal level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MunicipalAct {
    /// Start or resume an entry (the typist's PIN).
    Entry {
        /// The station.
        station: u32,
        /// Which entry.
        slot: Slot,
    },
    /// A station's decisions (a coordinator's PIN).
    Coordinate {
        /// The station.
        station: u32,
    },
    /// Write the signed result (a coordinator's PIN).
    Export,
    /// Open a next session (a coordinator's PIN).
    OpenSession,
    /// Record an investigation of a station (a coordinator's PIN).
    Request {
        /// The station.
        station: u32,
    },
    /// Record the session's attendance, objections and remarks (a coordinator's PIN).
    Notes,
    /// Enter the municipality's eligible voters (a coordinator's PIN).
    EligibleVoters,
    /// Record the outcome of a station's investigation (a coordinator's PIN).
    Conclude {
        /// The station.
        station: u32,
    },
    /// Parallel entry: the progress, assignments, batches (a coordinator's PIN).
    Progress,
    /// On an entry appliance: write the signed entry batch (a coordinator's PIN).
    ExportBatch,
}

/// The municipal level's own effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MunicipalEffect {
    /// Write the signed result.
    Export,
    /// Verify and import an entry batch from the medium.
    ImportBatch(Medium),
    /// Write the signed assignment medium.
    ExportAssignment,
    /// Write the progress overview (PDF), signed.
    ProgressReport,
    /// On an entry appliance: verify, check and journal the assignment on the medium.
    ReadAssignment(Medium),
    /// On an entry appliance: write the signed entry batch.
    ExportBatch,
}

/// The outcomes of the municipal level's effects.
#[derive(Debug, Clone)]
pub enum MunicipalEvent {
    /// The outcome of [`MunicipalEffect::Export`].
    Exported(Result<ExportDone, Refusal>),
    /// A batch imported (or imported before), or why not (nothing changed).
    BatchDone(Result<BatchShown, Refusal>),
    /// The assignment medium written, or why not.
    AssignmentExported(Result<ExportDone, Refusal>),
    /// The progress overview written, or why not.
    ProgressWritten(Result<ExportDone, Refusal>),
    /// On an entry appliance: the assignment read (how many stations it gives here), the
    /// same read before (`None`), or why not (nothing changed).
    AssignmentDone(Result<Option<usize>, Refusal>),
    /// On an entry appliance: the batch written, or why not.
    BatchExported(Result<BatchDone, Refusal>),
}

/// The municipal level's screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The polling stations.
    Overview {
        /// The highlighted station (index into the election's stations).
        selected: usize,
    },
    /// Typing an entry.
    Entry {
        /// The station.
        station: u32,
        /// Which entry.
        slot: Slot,
        /// The field's text as typed.
        input: String,
        /// Whether the typist changed the field since the cursor arrived.
        dirty: bool,
        /// The candidate number being typed after `k` or `/` (jump to a candidate of the
        /// list on screen), when the typist asked for it.
        jump: Option<String>,
    },
    /// Confirming a complete entry.
    Finish {
        /// The first finding shown (Up/Down scroll the list).
        scroll: usize,
        /// The station.
        station: u32,
        /// Which entry.
        slot: Slot,
    },
    /// The coordinator's decisions for one station.
    Coordinator {
        /// The station.
        station: u32,
        /// First line of the differences shown.
        scroll: usize,
    },
    /// A coordinator's decision, said in words, confirmed by typing the station's number.
    Confirm {
        /// The station.
        station: u32,
        /// The decision.
        decision: Decision,
        /// The number typed so far.
        typed: String,
    },
    /// The municipal total and the export.
    Total,
    /// A step of a next session.
    Session(SessionForm),
    /// Parallel entry: where every station's entries are, assignments, batch import.
    Progress(Progress),
    /// What an imported entry batch did, per entry.
    Batch(BatchShown),
}

impl Screen {
    /// The station the screen is about, if it is about one.
    pub fn station(&self) -> Option<u32> {
        match self {
            Screen::Entry { station, .. }
            | Screen::Finish { station, .. }
            | Screen::Coordinator { station, .. }
            | Screen::Confirm { station, .. }
            | Screen::Session(
                SessionForm::Request { station, .. } | SessionForm::Conclude { station, .. },
            ) => Some(*station),
            _ => None,
        }
    }
}

/// The municipal state beyond the tally.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// Whether the total screen shows the 510b's hash code large.
    pub big_hash: bool,
    /// The first comparison figure shown on the total screen (when they do not all fit).
    pub figures_scroll: usize,
    /// The largest useful `figures_scroll` at the last render (the view knows how many
    /// rows fit; it notes it here so Down stops where the view does).
    pub figures_max_scroll: std::cell::Cell<usize>,
    /// The station selected on the overview when the total was opened, so that Esc from
    /// the total returns to it (not to station 1).
    pub overview_selected: usize,
    /// The progress screen as it was left for a batch import (it comes back after).
    pub progress: Progress,
}

/// The station numbers in overview order (on an entry appliance: those it lists).
pub fn station_numbers(state: &State) -> Vec<u32> {
    if crate::entry_mode::appliance(state).is_some() {
        return tally_ledger::progress::entry_stations(&state.ledger);
    }
    state.ledger.stations.keys().copied().collect()
}

/// The screen for a place.
pub fn screen_for(state: &State, place: Place) -> Screen {
    match place {
        Place::Overview => Screen::Overview {
            selected: match state.level_screen() {
                Some(Screen::Overview { selected }) => *selected,
                Some(Screen::Total) => state.level.overview_selected,
                screen => screen
                    .and_then(Screen::station)
                    .and_then(|s| station_numbers(state).iter().position(|n| *n == s))
                    .unwrap_or(0),
            },
        },
        Place::Entry { station, slot } => Screen::Entry {
            station,
            slot,
            input: current_text(state, station, slot),
            dirty: false,
            jump: None,
        },
        Place::Coordinator { station } => Screen::Coordinator { station, scroll: 0 },
        Place::Total => Screen::Total,
    }
}

/// The field under the cursor of an entry, with its index.
pub fn cursor_field(state: &State, station: u32, slot: Slot) -> Option<(usize, FieldId)> {
    let form = state.ledger.form()?;
    let entry = state.ledger.entry(station, slot)?;
    let field = form.fields.get(entry.cursor)?;
    Some((entry.cursor, field.id))
}

/// The stored value of the field under the cursor, as text.
fn current_text(state: &State, station: u32, slot: Slot) -> String {
    let Some((_, field)) = cursor_field(state, station, slot) else {
        return String::new();
    };
    let value = state
        .ledger
        .entry(station, slot)
        .and_then(|e| e.values.get(field));
    value_text(value)
}

/// A field's value as the typist sees it: digits, `x` for a ticked box, empty.
pub fn value_text(value: Option<FieldValue>) -> String {
    match value {
        Some(FieldValue::Count(c)) => c.to_string(),
        Some(FieldValue::Mark(true)) => "x".into(),
        _ => String::new(),
    }
}

fn loaded(def: &VerifiedDefinition) -> Loaded {
    Loaded {
        form: Form::new(&def.info),
        info: def.info.clone(),
        files: def.files.clone(),
    }
}

fn moved(place: Place) -> Effect {
    Effect::Persist(Record::Moved { place })
}

impl Level for Municipal {
    type Definition = VerifiedDefinition;
    type Ledger = Tally;
    type Screen = Screen;
    type Event = MunicipalEvent;
    type Effect = MunicipalEffect;
    type Extra = Extra;
    type Services = dyn MunicipalServices;
    type Act = MunicipalAct;

    fn paper_hashes(def: &VerifiedDefinition) -> (String, Vec<(String, String)>) {
        (
            def.sha256_110a.clone(),
            vec![("230b".to_owned(), def.sha256_230b.clone())],
        )
    }

    fn describe(def: &VerifiedDefinition, _lang: Lang) -> Vec<(Msg, String)> {
        let info = &def.info;
        vec![
            (Msg::SignedBy, def.signer.clone()),
            (Msg::Election, format!("{} ({})", info.name, info.id)),
            (Msg::Date, info.date.clone()),
            (
                Msg::ContestLabel,
                info.contest_name
                    .clone()
                    .unwrap_or_else(|| info.municipality_name.clone()),
            ),
            (Msg::Seats, info.seats.to_string()),
            (Msg::Lists, info.lists.len().to_string()),
            (Msg::Candidates, info.candidate_count().to_string()),
            (Msg::PollingStations, info.stations.len().to_string()),
        ]
    }

    fn load(ledger: &mut Tally, def: &VerifiedDefinition) -> Result<(), Refusal> {
        ledger.pending = Some(loaded(def));
        Ok(())
    }

    fn accepted(def: &VerifiedDefinition) -> Vec<Record> {
        vec![
            Record::ElectionLoaded {
                election: def.info.id.clone(),
                files: def.files.clone(),
            },
            Record::Moved {
                place: Place::Overview,
            },
        ]
    }

    fn has_definition(state: &State) -> bool {
        state.ledger.election.is_some()
    }

    fn resume(state: &State) -> Screen {
        let place = match state.ledger.place {
            // On an entry appliance, an entry of a station assigned elsewhere since is not
            // opened again.
            Some(Place::Entry { station, .. })
                if crate::entry_mode::appliance(state).is_some()
                    && !matches!(
                        tally_ledger::progress::here(&state.ledger, station),
                        Some(tally_ledger::progress::Here::Assigned(_))
                    ) =>
            {
                Place::Overview
            }
            place => place.unwrap_or(Place::Overview),
        };
        screen_for(state, place)
    }

    fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
        on_key(state, key)
    }

    fn people(ledger: &Tally) -> &People {
        &ledger.people
    }

    fn people_record(record: PeopleRecord) -> Record {
        Record::People(record)
    }

    fn guard(state: &State, screen: &Screen) -> Option<Guard<MunicipalAct>> {
        match screen {
            Screen::Entry { station, slot, .. } | Screen::Finish { station, slot, .. } => {
                Some(Guard {
                    role: Role::Typist,
                    only: state.ledger.typist(*station, *slot).ok(),
                    except: None,
                    act: MunicipalAct::Entry {
                        station: *station,
                        slot: *slot,
                    },
                })
            }
            Screen::Coordinator { station, .. } | Screen::Confirm { station, .. } => {
                Some(Guard::coordinator(MunicipalAct::Coordinate {
                    station: *station,
                }))
            }
            Screen::Session(form) => Some(Guard::coordinator(form.act())),
            Screen::Progress(_) | Screen::Batch(_) => {
                Some(Guard::coordinator(MunicipalAct::Progress))
            }
            Screen::Overview { .. } | Screen::Total => None,
        }
    }

    fn authorized(state: &mut State, person: PersonId, act: MunicipalAct) -> Vec<Effect> {
        match act {
            MunicipalAct::Entry { station, slot } => {
                let started = state.ledger.entry(station, slot).is_some();
                let mut out = Vec::new();
                if !started {
                    out.push(Effect::Persist(Record::EntryStarted {
                        station,
                        slot,
                        person,
                        at: 0,
                    }));
                }
                out.push(moved(Place::Entry { station, slot }));
                out
            }
            MunicipalAct::Coordinate { station } => vec![moved(Place::Coordinator { station })],
            MunicipalAct::Export => {
                state.go(Screen::Total);
                vec![Effect::Level(MunicipalEffect::Export)]
            }
            MunicipalAct::Progress => {
                let screen = state.level.progress.clone();
                state.go(Screen::Progress(screen));
                Vec::new()
            }
            MunicipalAct::ExportBatch => {
                let screen = screen_for(state, Place::Overview);
                state.go(screen);
                vec![Effect::Level(MunicipalEffect::ExportBatch)]
            }
            // The coordinator's forms beside the entries.
            act => {
                if let Some(form) = SessionForm::of(act) {
                    state.go(Screen::Session(form));
                }
                Vec::new()
            }
        }
    }

    fn locked(state: &State) -> Screen {
        screen_for(state, Place::Overview)
    }

    fn act_text(state: &State, act: &MunicipalAct, lang: Lang) -> String {
        match act {
            MunicipalAct::Entry { station, slot } => {
                let slot = crate::entry_mode::named_slot(state, *station, *slot);
                Msg::ActEntry.fill(lang, &[&station.to_string(), &slot.number().to_string()])
            }
            MunicipalAct::Coordinate { station } => {
                Msg::ActCoordinate.fill(lang, &[&station.to_string()])
            }
            MunicipalAct::Export => Msg::ActExport.text(lang).to_owned(),
            MunicipalAct::OpenSession => Msg::ActSessionOpen.text(lang).to_owned(),
            MunicipalAct::Notes => Msg::ActNotes.text(lang).to_owned(),
            MunicipalAct::EligibleVoters => Msg::ActVoters.text(lang).to_owned(),
            MunicipalAct::Request { station } => {
                Msg::ActRequest.fill(lang, &[&station.to_string()])
            }
            MunicipalAct::Conclude { station } => {
                Msg::ActConclude.fill(lang, &[&station.to_string()])
            }
            MunicipalAct::Progress => Msg::ActProgress.text(lang).to_owned(),
            MunicipalAct::ExportBatch => Msg::ActExportBatch.text(lang).to_owned(),
        }
    }

    fn import_chosen(state: &mut State, medium: Medium) -> Vec<Effect> {
        // An entry appliance reads an assignment; the coordinating GSB imports batches.
        if crate::entry_mode::appliance(state).is_some() {
            return vec![Effect::Level(MunicipalEffect::ReadAssignment(medium))];
        }
        vec![Effect::Level(MunicipalEffect::ImportBatch(medium))]
    }

    /// The coordinator's batch media list is opened from the progress screen (`I`): Esc
    /// goes back there; an entry appliance's assignment list, from the overview.
    fn import_left(state: &mut State) -> Vec<Effect> {
        if crate::entry_mode::appliance(state).is_some() {
            return state.resume();
        }
        let back = state.level.progress.clone();
        state.go(Screen::Progress(back));
        Vec::new()
    }

    fn kept_file(record: &Record) -> Option<String> {
        match record {
            Record::Parallel(tally_ledger::batch::ParallelRecord::BatchImported {
                sha256, ..
            }) => Some(sha256.clone()),
            _ => None,
        }
    }

    fn event(state: &mut State, event: MunicipalEvent) -> Vec<Effect> {
        match event {
            MunicipalEvent::BatchDone(Ok(shown)) => {
                state.go(Screen::Batch(shown));
                Vec::new()
            }
            // Under the media list the medium was chosen from.
            MunicipalEvent::BatchDone(Err(r)) | MunicipalEvent::AssignmentDone(Err(r)) => {
                state.refused_here(r);
                Vec::new()
            }
            MunicipalEvent::AssignmentExported(Ok(done)) => {
                state.info(Msg::AssignmentWritten, &[&done.path]);
                Vec::new()
            }
            MunicipalEvent::ProgressWritten(Ok(done)) => {
                state.info(Msg::ProgressWritten, &[&done.path]);
                Vec::new()
            }
            MunicipalEvent::AssignmentExported(Err(r))
            | MunicipalEvent::ProgressWritten(Err(r)) => {
                state.error(r);
                Vec::new()
            }
            MunicipalEvent::Exported(Ok(report)) => vec![Effect::Persist(Record::Exported {
                by: state.signed_in.unwrap_or(PersonId(0)),
                sha256: report
                    .files
                    .iter()
                    .find(|(name, _)| name.ends_with(".eml.xml"))
                    .map(|(_, sha)| sha.clone())
                    .unwrap_or_default(),
                path: report.path,
            })],
            MunicipalEvent::Exported(Err(r)) | MunicipalEvent::BatchExported(Err(r)) => {
                // A refusal that already says the export failed is shown as it is.
                if matches!(
                    r.msg,
                    Msg::ExportFailed
                        | Msg::ExportFailedUnchanged
                        | Msg::ExportFailedPartial
                        | Msg::ExportNoStick
                        | Msg::ExportSeveralSticks
                        | Msg::ExportFolderExists
                ) {
                    state.error(r);
                } else {
                    state.refused(Msg::ExportFailed, r);
                }
                Vec::new()
            }
            MunicipalEvent::BatchExported(Ok(done)) => {
                vec![crate::entry_mode::written(done, state.signed_in)]
            }
            MunicipalEvent::AssignmentDone(Ok(read)) => {
                let screen = screen_for(state, Place::Overview);
                state.go(screen);
                match read {
                    Some(n) => state.info(Msg::AssignmentRead, &[&n.to_string()]),
                    None => state.info(Msg::AssignmentSame, &[]),
                }
                Vec::new()
            }
        }
    }

    fn applied(state: &mut State, record: &Record) {
        match record {
            Record::Moved { place } => {
                state.level.figures_scroll = 0;
                let screen = screen_for(state, *place);
                state.go(screen);
            }
            Record::FieldSet { station, slot, .. } | Record::Cursor { station, slot, .. } => {
                let text = current_text(state, *station, *slot);
                if let shell::Screen::Level(Screen::Entry {
                    station: s,
                    slot: sl,
                    input,
                    dirty,
                    ..
                }) = &mut state.screen
                    && s == station
                    && sl == slot
                {
                    *dirty = false;
                    *input = text;
                }
            }
            Record::EntryFinished { .. } => state.info(Msg::EntrySaved, &[]),
            Record::Decided { decision, .. } => state.info(
                match decision {
                    Decision::ReturnFields { .. } => Msg::FieldsReturnedNote,
                    Decision::SendBack => Msg::SentBack,
                    Decision::DiscardFirst => Msg::Discarded,
                    Decision::DiscardBoth | Decision::Reopen => Msg::DiscardedBoth,
                    Decision::KeepFirst | Decision::KeepSecond => Msg::KeptOne,
                    Decision::AcknowledgeWarnings => Msg::WarningsAcknowledged,
                },
                &[],
            ),
            Record::Exported { path, .. } => {
                state.level.big_hash = true;
                state.info(Msg::ExportWritten, &[path]);
            }
            Record::SessionOpened { .. } => {
                // The export's hash code belongs to the session before.
                state.level.big_hash = false;
                let n = state.ledger.sessions.number().to_string();
                state.info(Msg::SessionOpenedNote, &[&n]);
            }
            Record::InvestigationRequested { station, .. } => {
                state.info(Msg::RequestRecorded, &[&station.to_string()]);
            }
            Record::SessionNoted { .. } | Record::EligibleVoters { .. } => {
                state.info(Msg::NoteRecorded, &[]);
            }
            Record::InvestigationConcluded { station, .. } => {
                state.info(Msg::ConclusionRecorded, &[&station.to_string()]);
            }
            Record::Parallel(tally_ledger::batch::ParallelRecord::BatchWritten {
                path,
                entries,
                ..
            }) => state.info(Msg::BatchWrittenNote, &[&entries.to_string(), path]),
            Record::Parallel(tally_ledger::batch::ParallelRecord::Assigned {
                assignments, ..
            }) => state.info(Msg::AssignedNote, &[&assignments.len().to_string()]),
            Record::ElectionLoaded { .. }
            | Record::EntryStarted { .. }
            | Record::People(_)
            | Record::Parallel(_) => {}
        }
    }

    fn refusal(error: &ApplyError) -> Refusal {
        use tally_ledger::municipal::SessionError as S;
        match error {
            ApplyError::EligibleVoters(tally_core::municipal::TotalError::EligibleVoters {
                entered,
                sum_of_stations,
            }) => Refusal::with(
                Msg::VotersMismatch,
                &[&entered.to_string(), &sum_of_stations.to_string()],
                "",
            ),
            ApplyError::Session(S::Time(t)) => Refusal::with(Msg::NotATime, &[t], ""),
            ApplyError::Session(S::Text(_)) => Refusal::with(Msg::SessionTextEmpty, &[], ""),
            ApplyError::Session(S::OpenInvestigations(open)) => {
                let open: Vec<String> = open.iter().map(u32::to_string).collect();
                Refusal::with(Msg::OpenInvestigations, &[&open.join(", ")], "")
            }
            // The station is the one on screen: the text says why it cannot be done.
            ApplyError::Session(S::NotDefinitive(_) | S::AlreadyRequested(_) | S::NoRequest(_)) => {
                Refusal::with(Msg::NotInvestigable, &[], "")
            }
            ApplyError::Parallel(ParallelError::Assign(e)) => crate::parallel::assign_refusal(e),
            ApplyError::Parallel(ParallelError::Batch(e)) => crate::parallel::batch_refusal(e),
            _ => Refusal::with(Msg::StepRefused, &[&error.to_string()], ""),
        }
    }

    fn stamp(record: &mut Record, now_ms: i64) {
        record.stamp(now_ms);
    }

    fn effect(ctx: &mut Ctx<'_, Municipal>, effect: MunicipalEffect) -> Vec<Event> {
        match effect {
            MunicipalEffect::Export => {
                let journal = ctx.state.journal_head.as_ref().map(|h| h.mark());
                // Read while the services export (disjoint borrows: nothing copied).
                let result = ctx.services.level().export(&ctx.state.ledger, journal);
                vec![shell::Event::Level(MunicipalEvent::Exported(result))]
            }
            MunicipalEffect::ImportBatch(medium) => crate::parallel::import(ctx, &medium),
            MunicipalEffect::ExportAssignment => {
                let journal = ctx.state.journal_head.as_ref().map(|h| h.mark());
                let result = ctx
                    .services
                    .level()
                    .export_assignment(&ctx.state.ledger, journal);
                vec![shell::Event::Level(MunicipalEvent::AssignmentExported(
                    result,
                ))]
            }
            MunicipalEffect::ProgressReport => {
                let journal = ctx.state.journal_head.as_ref().map(|h| h.mark());
                let result = ctx
                    .services
                    .level()
                    .progress_report(&ctx.state.ledger, journal);
                vec![shell::Event::Level(MunicipalEvent::ProgressWritten(result))]
            }
            MunicipalEffect::ReadAssignment(medium) => {
                crate::entry_mode::read_assignment(ctx, &medium)
            }
            MunicipalEffect::ExportBatch => crate::entry_mode::export_batch(ctx),
        }
    }

    fn title(state: &State, screen: &Screen) -> String {
        crate::view::title(state, screen)
    }

    fn election_id(state: &State) -> Option<String> {
        state.ledger.election.as_ref().map(|e| e.info.id.0.clone())
    }

    fn draw(
        state: &State,
        screen: &Screen,
        frame: &mut ratatui::Frame,
        area: ratatui::layout::Rect,
    ) {
        crate::view::draw(state, screen, frame, area);
    }

    fn keys(state: &State, screen: &Screen) -> Vec<Msg> {
        crate::view::keys(state, screen)
    }

    fn help(state: &State, screen: &Screen) -> Msg {
        match screen {
            Screen::Overview { .. } if crate::entry_mode::appliance(state).is_some() => {
                Msg::HelpOverviewEntry
            }
            Screen::Overview { .. } => Msg::HelpOverview,
            Screen::Entry { .. } | Screen::Finish { .. } => Msg::HelpEntry,
            Screen::Coordinator { .. } | Screen::Confirm { .. } => Msg::HelpCoordinator,
            Screen::Total => Msg::HelpTotal,
            Screen::Session(_) => Msg::HelpSession,
            Screen::Progress(_) => Msg::HelpProgress,
            Screen::Batch(_) => Msg::HelpBatch,
        }
    }

    fn prompt(state: &State, screen: &Screen) -> Option<String> {
        match screen {
            Screen::Entry {
                jump: Some(typed), ..
            } => Some(Msg::JumpPrompt.fill(state.lang, &[typed])),
            _ => None,
        }
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let entry_appliance = crate::entry_mode::appliance(state).is_some();
    match state.level_screen() {
        // An entry appliance's overview: its own keys (the same screen).
        Some(Screen::Overview { selected }) if entry_appliance => {
            let selected = *selected;
            crate::entry_mode::overview_key(state, key, selected)
        }
        Some(Screen::Overview { .. }) => overview_key(state, key),
        Some(Screen::Entry { .. }) => entry_key(state, key),
        Some(Screen::Finish { .. }) => finish_key(state, key),
        Some(Screen::Coordinator { .. }) => coordinator_key(state, key),
        Some(Screen::Confirm { .. }) => confirm_key(state, key),
        Some(Screen::Session(form)) => {
            let form = form.clone();
            crate::session::key(state, form, key)
        }
        Some(Screen::Progress(p)) => {
            let p = p.clone();
            crate::parallel::progress_key(state, key, p)
        }
        Some(Screen::Batch(_)) => {
            // Scrolled in place: the outcome of a large batch is not copied for every key.
            if let shell::Screen::Level(Screen::Batch(shown)) = &mut state.screen {
                let last = shown.outcome.entries.len().saturating_sub(1);
                if shell::scroll(&mut shown.scroll, key.code, true, last) {
                    return Vec::new();
                }
            }
            crate::parallel::batch_key(state, key)
        }
        Some(Screen::Total) => total_key(state, key),
        None => Vec::new(),
    }
}

/// The overview of the polling stations (on a coordinating or single appliance).
fn overview_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let lang = state.lang;
    let shell::Screen::Level(Screen::Overview { selected }) = &mut state.screen else {
        return Vec::new();
    };
    let stations = state.ledger.stations.keys().copied().collect::<Vec<_>>();
    if shell::scroll(selected, key.code, false, stations.len().saturating_sub(1)) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Enter => {
            let Some(&station) = stations.get(*selected) else {
                return Vec::new();
            };
            let slot = match state.ledger.open_entry(station) {
                Ok(slot) => slot,
                Err(status) => {
                    state.error(Refusal::with(
                        Msg::NotOpenForEntry,
                        &[status_msg(status).text(lang)],
                        "",
                    ));
                    return Vec::new();
                }
            };
            if let Err(ApplyError::TypistNotHere { typist, .. }) =
                state.ledger.typist(station, slot)
            {
                state.error(Refusal::with(Msg::TypistNotHere, &[&typist], ""));
                return Vec::new();
            }
            let (only, except) = state.ledger.entry_typists(station, slot);
            state.pin(Guard {
                role: Role::Typist,
                only,
                except,
                act: PinFor::Level(MunicipalAct::Entry { station, slot }),
            });
            Vec::new()
        }
        KeyCode::Char('s' | 'S') if state.ledger.election.is_some() => {
            state.coordinator(MunicipalAct::Notes);
            Vec::new()
        }
        KeyCode::Char('o' | 'O') => {
            let Some(&station) = stations.get(*selected) else {
                return Vec::new();
            };
            let sessions = &state.ledger.sessions;
            if sessions.is_next()
                && !sessions.investigations.contains_key(&station)
                && state.ledger.status(station) == Some(Status::Definitive)
            {
                state.coordinator(MunicipalAct::Request { station });
            } else {
                state.info(Msg::NotInvestigable, &[]);
            }
            Vec::new()
        }
        KeyCode::Char('c' | 'C') => {
            let Some(&station) = stations.get(*selected) else {
                return Vec::new();
            };
            // An investigation waiting for its outcome: the outcome first.
            if state
                .ledger
                .sessions
                .open_investigations()
                .contains(&station)
            {
                state.coordinator(MunicipalAct::Conclude { station });
                return Vec::new();
            }
            // The coordinator acts, or reads a definitive result (who acknowledged
            // its warnings) or to whom fields were returned.
            if state.ledger.status(station).is_some_and(|s| {
                s.needs_coordinator() || matches!(s, Status::Definitive | Status::FieldsReturned)
            }) || state.ledger.acknowledgement(station).is_some()
            {
                state.coordinator(MunicipalAct::Coordinate { station });
                Vec::new()
            } else {
                state.info(Msg::NothingToDo, &[]);
                Vec::new()
            }
        }
        KeyCode::Char('t' | 'T') => {
            state.level.overview_selected = *selected;
            vec![moved(Place::Total)]
        }
        KeyCode::Char('p' | 'P') => {
            state.coordinator(MunicipalAct::Progress);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Typing an entry: digits, ticks, the cursor (Enter, Tab, PgDn, `t` to the list's total,
/// `k` to a candidate), F10 and Esc.
fn entry_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let shell::Screen::Level(Screen::Entry {
        station,
        slot,
        input,
        dirty,
        jump,
    }) = &mut state.screen
    else {
        return Vec::new();
    };
    let (station, slot) = (*station, *slot);
    let Some(form) = state.ledger.form() else {
        return Vec::new();
    };
    let Some(entry) = state.ledger.entry(station, slot) else {
        return Vec::new();
    };
    let cursor = entry.cursor;
    let Some(field) = form.fields.get(cursor).map(|f| f.id) else {
        return Vec::new();
    };
    let last = form.fields.len().saturating_sub(1);
    let mark = field.is_mark();
    // Fields returned for correction: the cursor goes only through those.
    let allowed: Option<Vec<usize>> = state
        .ledger
        .returned_to(station, slot)
        .map(|fields| form.indexes_of(fields));
    // The effect that completes the field and puts the cursor at `next`.
    let commit = |input: &str, dirty: bool, next: usize| -> Option<Effect> {
        if !dirty {
            return (next != cursor).then_some(Effect::Persist(Record::Cursor {
                station,
                slot,
                index: next,
            }));
        }
        let value = if mark {
            FieldValue::Mark(input == "x")
        } else {
            parse_count(input)?
        };
        Some(Effect::Persist(Record::FieldSet {
            station,
            slot,
            field,
            value,
            next,
            at: 0,
        }))
    };
    // The list of the block on screen, and where its total is.
    let list_of_block = form.list_of_block(cursor);
    let total_of_block = form.total_of_block(cursor);
    // Where Enter and Shift+Tab go: the next and previous field, or with fields
    // returned for correction the next and previous of those.
    let (after, before) = match &allowed {
        Some(allowed) => (
            allowed.iter().copied().find(|&i| i > cursor),
            allowed.iter().copied().rev().find(|&i| i < cursor),
        ),
        None => ((cursor < last).then_some(cursor + 1), cursor.checked_sub(1)),
    };
    let returned = allowed.is_some();
    if let Some(typed) = jump {
        match key.code {
            KeyCode::Enter => {
                let wanted = typed.parse::<u32>().ok();
                *jump = None;
                let target = list_of_block
                    .zip(wanted)
                    .and_then(|(l, n)| form.candidate_index(l, n));
                return match target {
                    Some(target) => commit(input, *dirty, target).into_iter().collect(),
                    None => {
                        state.error(Refusal::with(
                            Msg::NoSuchCandidate,
                            &[
                                &wanted.map(|n| n.to_string()).unwrap_or_default(),
                                &list_of_block.map(|l| l.to_string()).unwrap_or_default(),
                            ],
                            "",
                        ));
                        Vec::new()
                    }
                };
            }
            KeyCode::Esc => *jump = None,
            _ => crate::session::type_number(typed, &key, 4),
        }
        return Vec::new();
    }
    match key.code {
        // No jumps to other fields: only the returned ones are typed again.
        KeyCode::Char('k' | 'K' | '/' | 't' | 'T') if !mark && returned => {
            state.error(Refusal::with(Msg::OnlyReturnedFields, &[], ""));
            Vec::new()
        }
        KeyCode::Char('k' | 'K' | '/') if !mark && list_of_block.is_some() => {
            *jump = Some(String::new());
            Vec::new()
        }
        KeyCode::Char('t' | 'T') if !mark && total_of_block.is_some() => {
            let target = total_of_block.unwrap_or(cursor);
            commit(input, *dirty, target).into_iter().collect()
        }
        KeyCode::Char(' ') if mark => {
            // Space ticks an empty box and clears a ticked one.
            if input == "x" {
                input.clear();
            } else {
                *input = "x".into();
            }
            *dirty = true;
            Vec::new()
        }
        KeyCode::Char(c) if mark => {
            match c {
                'x' | 'X' | '1' | 'j' | 'J' | 'y' | 'Y' => *input = "x".into(),
                '0' | 'n' | 'N' => input.clear(),
                _ => {
                    state.error(Refusal::with(Msg::TickHint, &[], ""));
                    return Vec::new();
                }
            }
            *dirty = true;
            Vec::new()
        }
        KeyCode::Char(c) if c.is_ascii_digit() => {
            if !*dirty {
                input.clear();
                *dirty = true;
            }
            if input.len() < 9 {
                input.push(c);
            }
            Vec::new()
        }
        KeyCode::Char(_) => {
            state.error(Refusal::with(Msg::DigitsOnly, &[], ""));
            Vec::new()
        }
        KeyCode::Backspace | KeyCode::Delete => {
            *dirty = true;
            if mark {
                input.clear();
            } else {
                input.pop();
            }
            Vec::new()
        }
        KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
            let effect = commit(input, *dirty, after.unwrap_or(cursor));
            if after.is_none() && key.code == KeyCode::Enter {
                state.go(Screen::Finish {
                    station,
                    slot,
                    scroll: 0,
                });
            }
            effect.into_iter().collect()
        }
        KeyCode::PageDown if returned => commit(input, *dirty, after.unwrap_or(cursor))
            .into_iter()
            .collect(),
        KeyCode::BackTab | KeyCode::Up => commit(input, *dirty, before.unwrap_or(cursor))
            .into_iter()
            .collect(),
        KeyCode::PageUp if returned => commit(input, *dirty, before.unwrap_or(cursor))
            .into_iter()
            .collect(),
        KeyCode::PageDown | KeyCode::PageUp => {
            // A list's total is never skipped (the form says where PgDn goes).
            let target = if key.code == KeyCode::PageDown {
                form.page_down(cursor)
            } else {
                form.page_up(cursor)
            };
            commit(input, *dirty, target).into_iter().collect()
        }
        KeyCode::F(10) => {
            let effect = commit(input, *dirty, cursor);
            state.go(Screen::Finish {
                station,
                slot,
                scroll: 0,
            });
            effect.into_iter().collect()
        }
        KeyCode::Esc => {
            let mut out: Vec<Effect> = commit(input, *dirty, cursor).into_iter().collect();
            out.push(moved(Place::Overview));
            state.info(Msg::EntryPaused, &[]);
            out
        }
        _ => Vec::new(),
    }
}

/// Confirming a complete entry, its findings scrolled.
fn finish_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let shell::Screen::Level(Screen::Finish {
        station,
        slot,
        scroll,
    }) = &mut state.screen
    else {
        return Vec::new();
    };
    let (station, slot) = (*station, *slot);
    let last = state.ledger.findings(station, slot).len().saturating_sub(1);
    if shell::scroll(scroll, key.code, false, last) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Enter => vec![
            Effect::Persist(Record::EntryFinished {
                station,
                slot,
                at: 0,
            }),
            moved(Place::Overview),
        ],
        KeyCode::Esc | KeyCode::BackTab => {
            let screen = screen_for(state, Place::Entry { station, slot });
            state.go(screen);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The coordinator's decisions for one station: each is said, then confirmed on the next
/// screen.
fn coordinator_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let shell::Screen::Level(Screen::Coordinator { station, scroll }) = &mut state.screen else {
        return Vec::new();
    };
    let station = *station;
    let status = state
        .ledger
        .status(station)
        .unwrap_or(Status::FirstEntryNotStarted);
    // A decision is not taken by one key: the next screen says what will happen and
    // asks for the station's number (a name typed blind has no digits).
    let decide = |decision: Decision| {
        Some(Screen::Confirm {
            station,
            decision,
            typed: String::new(),
        })
    };
    // A definitive result as far as the view found room for (it notes the last
    // useful scroll); the differences line by line.
    let definitive = status == Status::Definitive;
    let last = match status {
        Status::Definitive => state.level.figures_max_scroll.get(),
        _ => usize::MAX,
    };
    if (definitive || status == Status::EntriesDifferent)
        && shell::scroll(scroll, key.code, definitive, last)
    {
        return Vec::new();
    }
    let differences = state.ledger.differences(station);
    let next = match (status, key.code) {
        (_, KeyCode::Esc) => return vec![moved(Place::Overview)],
        (Status::EntriesDifferent, KeyCode::Char('3')) => decide(Decision::ReturnFields {
            slot: Slot::First.core(),
            fields: differences,
        }),
        (Status::EntriesDifferent, KeyCode::Char('4')) => decide(Decision::ReturnFields {
            slot: Slot::Second.core(),
            fields: differences,
        }),
        (Status::FieldsReturned, KeyCode::Char('0')) => decide(Decision::DiscardBoth),
        (Status::EntriesDifferent, KeyCode::Char('1')) => decide(Decision::KeepFirst),
        (Status::EntriesDifferent, KeyCode::Char('2'))
            if state
                .ledger
                .findings(station, Slot::Second)
                .iter()
                .any(|f| f.severity() == tally_core::entry::Severity::Error) =>
        {
            state.error(Refusal::with(Msg::KeepHasErrors, &[], ""));
            None
        }
        (Status::EntriesDifferent, KeyCode::Char('2')) => decide(Decision::KeepSecond),
        (Status::EntriesDifferent, KeyCode::Char('0')) => decide(Decision::DiscardBoth),
        (Status::FirstEntryHasErrors, KeyCode::Char('r' | 'R')) => decide(Decision::SendBack),
        (Status::FirstEntryHasErrors, KeyCode::Char('d' | 'D')) => decide(Decision::DiscardFirst),
        (Status::WarningsToAcknowledge, KeyCode::Char('a' | 'A')) => {
            decide(Decision::AcknowledgeWarnings)
        }
        (Status::WarningsToAcknowledge, KeyCode::Char('0')) => decide(Decision::DiscardBoth),
        _ => None,
    };
    if let Some(screen) = next {
        state.go(screen);
    }
    Vec::new()
}

/// A decision confirmed by typing the station's number.
fn confirm_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let shell::Screen::Level(Screen::Confirm {
        station,
        decision,
        typed,
    }) = &mut state.screen
    else {
        return Vec::new();
    };
    let (station, decision) = (*station, decision.clone());
    match key.code {
        KeyCode::Esc => {
            state.go(Screen::Coordinator { station, scroll: 0 });
            Vec::new()
        }
        KeyCode::Enter if typed.parse::<u32>().ok() == Some(station) => vec![
            Effect::Persist(Record::Decided {
                station,
                decision,
                by: state.signed_in.unwrap_or(PersonId(0)),
                at: 0,
            }),
            moved(Place::Overview),
        ],
        KeyCode::Enter => {
            typed.clear();
            state.error(Refusal::with(
                Msg::ConfirmWrongNumber,
                &[&station.to_string()],
                "",
            ));
            Vec::new()
        }
        _ => {
            crate::session::type_number(typed, &key, 6);
            Vec::new()
        }
    }
}

/// The municipal total: its figures scrolled, the export, the eligible voters, the next
/// session.
fn total_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let last = state.level.figures_max_scroll.get();
    if shell::scroll(&mut state.level.figures_scroll, key.code, true, last) {
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc if state.level.big_hash => {
            state.level.big_hash = false;
            Vec::new()
        }
        KeyCode::Esc => vec![moved(Place::Overview)],
        KeyCode::Char('h' | 'H') if state.ledger.exported.is_some() => {
            state.level.big_hash = !state.level.big_hash;
            Vec::new()
        }
        KeyCode::Char('k' | 'K') if state.ledger.exported.is_none() => {
            state.coordinator(MunicipalAct::EligibleVoters);
            Vec::new()
        }
        KeyCode::Char('z' | 'Z') if state.ledger.exported.is_some() => {
            state.coordinator(MunicipalAct::OpenSession);
            Vec::new()
        }
        // Also after an export: the same signed result onto another stick.
        KeyCode::Char('e' | 'E') if state.ledger.exportable() => {
            state.coordinator(MunicipalAct::Export);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The catalogue text of a status.
pub fn status_msg(status: Status) -> Msg {
    match status {
        Status::FirstEntryNotStarted => Msg::StEmpty,
        Status::FirstEntryInProgress => Msg::StFirst,
        Status::FirstEntryHasErrors => Msg::StErrors,
        Status::SecondEntryNotStarted => Msg::StWaitingSecond,
        Status::SecondEntryInProgress => Msg::StSecond,
        Status::EntriesDifferent => Msg::StDifferences,
        Status::FieldsReturned => Msg::StReturned,
        Status::WarningsToAcknowledge => Msg::StWarnings,
        Status::Definitive => Msg::StDefinitive,
    }
}
