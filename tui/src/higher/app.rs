//! The levels that add up the results of the level below, on the [`crate::shell`]: the
//! principal electoral committee (hoofdstembureau, HSB) and the central electoral committee
//! (centraal stembureau, CSB). [`Higher`] is their [`Level`]: importing signed results
//! (checked against the paper's hash code), corrections, the total and its figures, at the
//! CSB the seats, the drawings of lots and the elected candidates, and the signed export.
//! Its key handling is pure; every decision leaves it as [`Effect::Persist`] or as an effect
//! whose outcome [`Higher::effect`] journals.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tally_core::aggregate::{AggregateError, ImportOutcome};
use tally_core::apportionment::{CandidateDrawing, GroupDrawing, SeatDrawing};
use tally_core::counts::CountFile;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_core::people::PersonId;
use tally_export::{Created, ExportError, ExportFile, JournalMark};
use tally_ledger::people::{People, PeopleRecord};
use tally_signing::ContentKind;

use super::services::VerifiedCount;
use crate::hash_groups::{GroupsInput, PaperFile};
use crate::services::ExportDone;
use crate::services::{Medium, Refusal};
use crate::shell::people::Guard;
use crate::shell::runner::{Ctx, failed};
use crate::shell::{self, Level, Purpose};
use crate::text::{Lang, Msg};
use tally_ledger::higher::{
    Applied, ApplyError, Computation, DeceasedError, Definition, Ledger, ListOutcome, Record,
    RefusedFile, is_marked_deceased,
};
use tally_ledger::persist::PersistError;
use tally_ledger::session::GSB_REASONS;

/// The HSB and CSB level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Higher;

/// The terminal's state at a higher level.
pub type State = shell::State<Higher>;
/// An event at a higher level.
pub type Event = shell::Event<Higher>;
/// An effect at a higher level.
pub type Effect = shell::Effect<Higher>;

/// What the HSB and CSB need besides the shell's services.
pub trait HigherServices {
    /// Verifies a count medium of `kind`: the signature, the signer's role, the election,
    /// and that the signer is the body the file speaks for.
    fn verify_count(
        &mut self,
        medium: &Medium,
        kind: ContentKind,
    ) -> Result<VerifiedCount, Refusal>;
    /// Where the verified file is kept under its SHA-256 (kept, synced, by
    /// [`HigherServices::verify_count`]).
    fn kept_path(&mut self, sha256: &str) -> Result<std::path::PathBuf, Refusal>;
    /// Signs the files `build` makes as a medium of `kind` and writes it to the stick
    /// (verified read-back; see `folder::Body::export`).
    fn export(
        &mut self,
        kind: ContentKind,
        election: &str,
        journal: Option<JournalMark>,
        build: &dyn Fn(&Created) -> Result<Vec<ExportFile>, ExportError>,
    ) -> Result<ExportDone, Refusal>;
}

/// The higher levels' own effects.
#[derive(Debug, Clone)]
pub enum HigherEffect {
    /// Verify a count medium of this kind.
    VerifyCount(Medium, ContentKind),
    /// Keep the file and journal its import (or its refusal by the registry).
    Import(Box<VerifiedCount>),
    /// Build, sign and write the result; journal it.
    Export,
}

/// The outcomes of the higher levels' effects.
#[derive(Debug, Clone)]
pub enum HigherEvent {
    /// A count medium verified.
    CountVerified(Medium, Result<Box<VerifiedCount>, Refusal>),
    /// An import's outcome (journaled), or its refusal (journaled as refused).
    Imported(Result<ImportOutcome, Refusal>),
    /// The export failed (a written export is journaled and applied as its record).
    ExportFailed(Refusal),
}

/// The screens of the HSB and CSB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Which bodies are in, missing, refused.
    Overview,
    /// A verified file, checked against the paper report.
    ImportCheck {
        /// The file.
        count: Box<VerifiedCount>,
        /// Its hash-code groups typed.
        groups: GroupsInput,
    },
    /// A correction side by side.
    Correction,
    /// A decision on a correction, said in words, confirmed by typing the body's code.
    ConfirmCorrection {
        /// The body (`0014`, `HSB1`).
        body: String,
        /// Whether the new file is taken.
        accept: bool,
        /// The code typed so far.
        typed: String,
    },
    /// The comparison figures of the total.
    Figures,
    /// The apportionment, step by step.
    Seats,
    /// A drawing of lots.
    Lot,
    /// The elected candidates.
    Candidates,
    /// A candidate marked deceased (P 19a), or such a mark made in error undone: the list, for
    /// a list that differs between kieskringen the kieskring, and the candidate typed by
    /// number, then the decision said in words and confirmed by typing the candidate's number
    /// again. Only digits are typed here; no letter acts.
    Deceased {
        /// What is chosen so far.
        choice: DeceasedChoice,
        /// The digits typed so far.
        typed: String,
    },
    /// A request to a municipality to investigate a polling station (the CSB): its code,
    /// the station's number, the reason (1 or 2), then what to investigate; each ended with
    /// Enter.
    Request {
        /// The municipality's code typed.
        municipality: String,
        /// The station's number typed.
        station: String,
        /// The reason, once chosen.
        reason: Option<tally_ledger::session::InvestigationReason>,
        /// What to investigate, typed.
        text: String,
        /// Which of the four is being typed (0 to 3).
        step: u8,
    },
    /// The result written.
    Done,
}

/// What a coordinator's PIN opens at the HSB and CSB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HigherAct {
    /// Typing the outcome of a drawing of lots.
    Lot,
    /// A decision on a correction (confirmed with the body's code next).
    Correction {
        /// The body.
        body: String,
        /// Whether the new file is taken.
        accept: bool,
    },
    /// Writing the signed result, from the screen it was asked on.
    Export(Box<Screen>),
    /// Marking a candidate deceased (or undoing a mark made in error).
    Deceased {
        /// Undoing a mark.
        undo: bool,
    },
    /// Asking a municipality to investigate a polling station (the CSB).
    Request,
}

/// The higher state beyond the ledger.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// The lot being typed.
    pub input: String,
    /// Scroll offset of long screens.
    pub scroll: usize,
    /// The total when every body is in, as shown (refreshed after every change).
    pub total: Option<Result<CountFile, AggregateError>>,
    /// The calculation at a CSB (refreshed after every change).
    pub outcome: Option<Result<Computation, tally_ledger::higher::OutcomeFailure>>,
}

/// Whether this is a CSB (by the certificate).
pub fn is_central(state: &State) -> bool {
    state.identity.role == "CSB"
}

/// Goes to a screen; a drawing of lots is typed by a coordinator signed in with their PIN.
fn go(state: &mut State, screen: Screen) {
    state.level.scroll = 0;
    if screen == Screen::Lot && state.signed_in.is_none() {
        state.guarded(screen);
    } else {
        state.go(screen);
    }
}

fn after_lot_screen(state: &State) -> Screen {
    match &state.level.outcome {
        Some(Ok(Computation::SeatLotsNeeded(_))) => Screen::Lot,
        Some(Ok(Computation::Complete(r))) => {
            let candidates = &r.candidates;
            if candidates
                .iter()
                .any(|c| matches!(c, ListOutcome::LotsNeeded { .. }))
            {
                Screen::Lot
            } else if r.elected().is_some() || !candidates.is_empty() {
                Screen::Candidates
            } else {
                Screen::Seats
            }
        }
        _ => Screen::Seats,
    }
}

fn refused_record(file_name: &str, sha256: &str, body: Option<String>, r: &Refusal) -> Record {
    Record::Refused(RefusedFile {
        file_name: file_name.to_owned(),
        sha256: sha256.to_owned(),
        body,
        nl: r.text(Lang::Nl),
        en: r.text(Lang::En),
    })
}

fn import_refusal(e: &tally_core::aggregate::ImportError) -> Refusal {
    use tally_core::aggregate::ImportRefusal as R;
    let detail = e.reason.to_string();
    match &e.reason {
        R::Unreadable(_) => Refusal::with(Msg::RefusedNotCount, &[], detail),
        R::WrongElection { expected, found } => {
            Refusal::with(Msg::RefusedEmlElection, &[&found.0, &expected.0], "")
        }
        R::WrongLevel { expected, found } => {
            Refusal::with(Msg::RefusedLevel, &[found, expected], "")
        }
        R::UnknownBody { found } => Refusal::with(Msg::RefusedUnknownBody, &[found], ""),
        R::WrongContest {
            body,
            expected,
            found,
        } => Refusal::with(Msg::RefusedContest, &[body, &found.0, &expected.0], ""),
        R::Arithmetic { .. } => Refusal::with(Msg::RefusedSums, &[], detail),
        R::UnknownListOrCandidate { what, .. } => {
            Refusal::with(Msg::RefusedListCandidate, &[what], "")
        }
        R::CorrectionAlreadyPending { body } => {
            Refusal::with(Msg::RefusedCorrectionPending, &[body], "")
        }
        R::Corrigendum { body, why } => {
            Refusal::with(Msg::RefusedCorrigendum, &[body], why.to_string())
        }
    }
}

impl Level for Higher {
    type Definition = Definition;
    type Ledger = Ledger;
    type Screen = Screen;
    type Event = HigherEvent;
    type Effect = HigherEffect;
    type Extra = Extra;
    type Services = dyn HigherServices;
    type Act = HigherAct;

    fn people(ledger: &Ledger) -> &People {
        &ledger.people
    }

    fn people_record(record: PeopleRecord) -> Record {
        Record::People(record)
    }

    fn guard(_state: &State, screen: &Screen) -> Option<Guard<HigherAct>> {
        let act = match screen {
            Screen::Lot => HigherAct::Lot,
            Screen::Deceased { choice, .. } => HigherAct::Deceased { undo: choice.undo },
            Screen::Request { .. } => HigherAct::Request,
            Screen::ConfirmCorrection { body, accept, .. } => HigherAct::Correction {
                body: body.clone(),
                accept: *accept,
            },
            _ => return None,
        };
        Some(Guard::coordinator(act))
    }

    fn authorized(state: &mut State, _person: PersonId, act: HigherAct) -> Vec<Effect> {
        match act {
            HigherAct::Lot => {
                state.go(Screen::Lot);
                vec![]
            }
            HigherAct::Correction { body, accept } => {
                state.go(Screen::ConfirmCorrection {
                    body,
                    accept,
                    typed: String::new(),
                });
                vec![]
            }
            HigherAct::Export(back) => {
                state.go(*back);
                vec![Effect::Level(HigherEffect::Export)]
            }
            HigherAct::Deceased { undo } => {
                go(state, deceased_screen(DeceasedChoice::new(undo)));
                vec![]
            }
            HigherAct::Request => {
                go(
                    state,
                    Screen::Request {
                        municipality: String::new(),
                        station: String::new(),
                        reason: None,
                        text: String::new(),
                        step: 0,
                    },
                );
                vec![]
            }
        }
    }

    fn locked(_state: &State) -> Screen {
        Screen::Overview
    }

    fn act_text(_state: &State, act: &HigherAct, lang: Lang) -> String {
        match act {
            HigherAct::Lot => Msg::ActLot.text(lang).to_owned(),
            HigherAct::Correction { body, accept } => {
                let how = if *accept {
                    Msg::ActCorrectionAccept
                } else {
                    Msg::ActCorrectionReject
                };
                Msg::ActCorrection.fill(lang, &[body, how.text(lang)])
            }
            HigherAct::Export(_) => Msg::ActExport.text(lang).to_owned(),
            HigherAct::Deceased { undo: false } => Msg::ActDeceased.text(lang).to_owned(),
            HigherAct::Deceased { undo: true } => Msg::ActDeceasedUndo.text(lang).to_owned(),
            HigherAct::Request => Msg::ActCsbRequest.text(lang).to_owned(),
        }
    }

    fn paper_hashes(def: &Definition) -> (String, Vec<(String, String)>) {
        (def.sha256_110a.clone(), def.lists_230b.clone())
    }

    fn describe(def: &Definition, _lang: Lang) -> Vec<(Msg, String)> {
        let e = &def.election;
        let lists = e.contests.first().map_or(0, |c| c.lists.len());
        let bodies = def.registry().map_or(0, |a| a.bodies().len());
        vec![
            (Msg::SignedBy, def.signer.clone()),
            (Msg::Election, format!("{} ({})", e.name, e.id.0)),
            (Msg::Seats, e.number_of_seats.to_string()),
            (Msg::Lists, lists.to_string()),
            (Msg::Body, format!("{} {}", def.body_id, def.body_name)),
            (Msg::BodiesExpected, bodies.to_string()),
        ]
    }

    fn load(ledger: &mut Ledger, def: &Definition) -> Result<(), Refusal> {
        ledger
            .load(def.clone())
            .map_err(|e| Refusal::with(Msg::RefusedOther, &[], e.to_string()))
    }

    fn accepted(def: &Definition) -> Vec<Record> {
        vec![Record::DefinitionAccepted {
            files: def.files.clone(),
        }]
    }

    fn has_definition(state: &State) -> bool {
        state.ledger.accepted
    }

    fn resume(state: &State) -> Screen {
        let l = &state.ledger;
        if l.exported.is_some() {
            return Screen::Done;
        }
        let Some(agg) = &l.aggregation else {
            return Screen::Overview;
        };
        if agg.pending_correction().is_some() {
            Screen::Correction
        } else if agg.is_complete() {
            Screen::Figures
        } else {
            Screen::Overview
        }
    }

    fn refresh(state: &mut State) {
        state.level.total = state.ledger.shown_total();
        state.level.outcome = state.ledger.outcome_of(state.level.total.as_ref());
    }

    fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
        on_key(state, key)
    }

    fn import_chosen(state: &mut State, medium: Medium) -> Vec<Effect> {
        vec![Effect::Level(HigherEffect::VerifyCount(
            medium,
            state.ledger.import_kind(),
        ))]
    }

    fn event(state: &mut State, event: HigherEvent) -> Vec<Effect> {
        match event {
            HigherEvent::CountVerified(_, Ok(count)) => {
                if let Some(body) = state.ledger.imported_by(&count.sha256) {
                    state.info(Msg::AlreadyImported, &[&body]);
                    go(state, Screen::Overview);
                    return vec![];
                }
                let label = if state.ledger.import_kind() == ContentKind::Results510c {
                    "510c"
                } else {
                    "510b"
                };
                let file = PaperFile::new(label, &count.file_name, &count.sha256);
                let groups = GroupsInput::new(vec![file], state.next_seed());
                state.note = None;
                go(state, Screen::ImportCheck { count, groups });
                vec![]
            }
            HigherEvent::CountVerified(medium, Err(r)) => {
                // The refusal says "Stick geweigerd" itself.
                let record = refused_record(&medium.folder, "", None, &r);
                state.error(r);
                go(state, Screen::Overview);
                vec![Effect::Persist(record)]
            }
            HigherEvent::Imported(Ok(outcome)) => {
                match outcome {
                    ImportOutcome::Imported { body } => {
                        state.info(Msg::Imported, &[&body]);
                        go(state, Screen::Overview);
                    }
                    ImportOutcome::AlreadyImported { body } => {
                        state.info(Msg::AlreadyImported, &[&body]);
                        go(state, Screen::Overview);
                    }
                    ImportOutcome::CorrectionPending(_) => {
                        state.note = None;
                        go(state, Screen::Correction);
                    }
                }
                vec![]
            }
            HigherEvent::Imported(Err(r)) => {
                state.refused(Msg::FileRefused, r);
                go(state, Screen::Overview);
                vec![]
            }
            HigherEvent::ExportFailed(r) => {
                state.error(r);
                vec![]
            }
        }
    }

    fn applied(state: &mut State, record: &Record) {
        match record {
            Record::CorrectionDecided { body, accept, .. } => {
                let msg = if *accept {
                    Msg::CorrectionAccepted
                } else {
                    Msg::CorrectionRejected
                };
                state.info(msg, &[body]);
                let screen = Higher::resume(state);
                go(state, screen);
            }
            Record::SeatLot { .. } | Record::CandidateLot { .. } => {
                state.level.input.clear();
                state.note = None;
                let screen = match after_lot_screen(state) {
                    Screen::Candidates if matches!(record, Record::SeatLot { .. }) => Screen::Seats,
                    s => s,
                };
                go(state, screen);
            }
            Record::Deceased {
                list,
                candidate,
                kieskring,
                ..
            }
            | Record::DeceasedUndone {
                list,
                candidate,
                kieskring,
                ..
            } => {
                let msg = if matches!(record, Record::Deceased { .. }) {
                    Msg::DeceasedDone
                } else {
                    Msg::DeceasedUndoneDone
                };
                state.info(
                    msg,
                    &[&list_label(*list, *kieskring), &candidate.to_string()],
                );
                // The candidates again (or a drawing of lots the new outcome asks for).
                let screen = after_lot_screen(state);
                go(state, screen);
            }
            Record::Exported { .. } => go(state, Screen::Done),
            _ => {}
        }
    }

    fn sign(record: &mut Record, person: Option<PersonId>) {
        if record.by().is_none() {
            record.set_by(person);
        }
    }

    fn stamp(record: &mut Record, now_ms: i64) {
        if let Record::Deceased { at, .. } | Record::DeceasedUndone { at, .. } = record {
            *at = now_ms;
        }
    }

    fn refusal(error: &ApplyError) -> Refusal {
        match error {
            ApplyError::Import(ie) => import_refusal(ie),
            ApplyError::Deceased(d) => deceased_refusal(d),
            ApplyError::Request(tally_ledger::higher::RequestError::UnknownMunicipality(m)) => {
                Refusal::with(Msg::CsbUnknownMunicipality, &[m], "")
            }
            e => Refusal::with(Msg::StepRefused, &[&e.to_string()], ""),
        }
    }

    fn kept_file(record: &Record) -> Option<String> {
        match record {
            Record::Import { sha256, .. } => Some(sha256.clone()),
            _ => None,
        }
    }

    fn effect(ctx: &mut Ctx<'_, Higher>, effect: HigherEffect) -> Vec<Event> {
        let event = match effect {
            HigherEffect::VerifyCount(m, kind) => {
                let result = ctx.level().verify_count(&m, kind).map(Box::new);
                HigherEvent::CountVerified(m, result)
            }
            HigherEffect::Import(count) => return import(ctx, &count),
            HigherEffect::Export => return export(ctx),
        };
        vec![shell::Event::Level(event)]
    }

    fn title(state: &State, screen: &Screen) -> String {
        super::view::title(state, screen)
    }

    fn election_id(state: &State) -> Option<String> {
        state
            .ledger
            .definition
            .as_ref()
            .map(|d| d.election.id.0.clone())
    }

    fn draw(
        state: &State,
        screen: &Screen,
        frame: &mut ratatui::Frame,
        area: ratatui::layout::Rect,
    ) {
        super::view::draw(state, screen, frame, area);
    }

    fn keys(state: &State, screen: &Screen) -> Vec<Msg> {
        super::view::keys(state, screen)
    }

    fn help(_state: &State, screen: &Screen) -> Msg {
        match screen {
            Screen::ImportCheck { .. } => Msg::HelpGroups,
            Screen::Overview => Msg::HelpOverviewBodies,
            Screen::Correction | Screen::ConfirmCorrection { .. } => Msg::HelpCorrection,
            Screen::Figures => Msg::HelpFigures,
            Screen::Seats => Msg::HelpSeats,
            Screen::Lot => Msg::HelpLot,
            Screen::Candidates => Msg::HelpCandidates,
            Screen::Deceased { .. } => Msg::HelpDeceased,
            Screen::Request { .. } => Msg::HelpCsbRequest,
            Screen::Done => Msg::HelpDone,
        }
    }
}

/// Keeps the file and journals its import; a file the registry refuses is journaled as
/// refused, and nothing is imported.
fn import(ctx: &mut Ctx<'_, Higher>, count: &VerifiedCount) -> Vec<Event> {
    let imported = |r| vec![shell::Event::Level(HigherEvent::Imported(r))];
    let path = match ctx.level().kept_path(&count.sha256) {
        Ok(path) => path,
        Err(r) => return imported(Err(r)),
    };
    let record = Record::Import {
        file_name: count.file_name.clone(),
        sha256: count.sha256.clone(),
        signer: count.signer.clone(),
    };
    match ctx.persist(record, Some(tally_ledger::persist::KeptFile::Path(&path))) {
        Ok((record, Applied::Import(outcome))) => {
            if let ImportOutcome::CorrectionPending(p) = &outcome {
                ctx.services.note(&format!(
                    "correction proposed for {}: imported {} ({}), new {} ({})",
                    p.body,
                    p.current.file_name,
                    p.current.sha256.to_hex(),
                    p.proposed.file_name,
                    p.proposed.sha256.to_hex()
                ));
            }
            vec![
                shell::Event::Applied(record),
                shell::Event::Level(HigherEvent::Imported(Ok(outcome))),
            ]
        }
        Ok((record, Applied::Done)) => vec![shell::Event::Applied(record)],
        Err(PersistError::Refused(ApplyError::Import(e))) => {
            let r = import_refusal(&e);
            // Refused by the registry: journaled as refused, nothing imported.
            let body = match &r.msg {
                Msg::RefusedUnknownBody | Msg::RefusedEmlElection | Msg::RefusedLevel => None,
                _ => Some(count.body.clone()),
            };
            let refused = refused_record(&count.file_name, &count.sha256, body, &r);
            ctx.persist_then(
                refused,
                None,
                shell::Event::Level(HigherEvent::Imported(Err(r))),
            )
        }
        Err(e) => vec![failed(&e)],
    }
}

/// Builds the result's files from the ledger, signs and writes them, and journals it.
fn export(ctx: &mut Ctx<'_, Higher>) -> Vec<Event> {
    let not_written = |r| vec![shell::Event::Level(HigherEvent::ExportFailed(r))];
    // The ledger is only read while the services sign and write (disjoint borrows: nothing
    // of the state is copied).
    let (ledger, demo) = (&ctx.state.ledger, ctx.state.demo);
    let Some(def) = ledger.definition.as_ref() else {
        return not_written(Refusal::with(Msg::WriteFailed, &["definition"], ""));
    };
    let build = |created: &Created| ledger.export_files(created, demo);
    let kind = def.export_kind();
    let journal = ctx.state.journal_head.as_ref().map(|h| h.mark());
    let done = match ctx
        .services
        .level()
        .export(kind, &def.election.id.0, journal, &build)
    {
        Ok(d) => d,
        Err(r) => return not_written(r),
    };
    let record = Record::Exported {
        path: done.path.clone(),
        files: done.files.clone(),
        by: None,
    };
    vec![ctx.persist_event(record)]
}

/// The export asked: a coordinator's PIN, then back to this screen and the export.
fn export_asked(state: &mut State) -> Vec<Effect> {
    let back = Box::new(state.level_screen().cloned().unwrap_or(Screen::Overview));
    state.coordinator(HigherAct::Export(back));
    vec![]
}

fn letter(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(c.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// Whether a screen is a long text that Up, Down, PgUp and PgDn scroll.
pub fn scrolls(screen: &Screen) -> bool {
    matches!(
        screen,
        Screen::Overview
            | Screen::Correction
            | Screen::Figures
            | Screen::Seats
            | Screen::Candidates
    )
}

/// A key on the import check: typed into the groups; the count is taken off the screen only
/// when it is imported or refused, never copied per key.
fn import_check_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let shell::Screen::Level(Screen::ImportCheck { groups, .. }) = &mut state.screen else {
        return vec![];
    };
    if key.code == KeyCode::Esc {
        go(state, Screen::Overview);
        return vec![];
    }
    if key.code != KeyCode::Enter || !groups.complete() {
        groups.key(key.code);
        return vec![];
    }
    let checked = groups.check();
    let shell::Screen::Level(Screen::ImportCheck { count, .. }) =
        std::mem::replace(&mut state.screen, shell::Screen::Level(Screen::Overview))
    else {
        return vec![];
    };
    match checked {
        Ok(()) => vec![Effect::Level(HigherEffect::Import(count))],
        Err(r) => {
            // A wrong hash code refuses the file (journaled); the overview says so.
            let record = refused_record(&count.file_name, &count.sha256, None, &r);
            state.refused(Msg::FileRefused, r);
            go(state, Screen::Overview);
            vec![Effect::Persist(record)]
        }
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match &mut state.screen {
        shell::Screen::Level(Screen::ImportCheck { .. }) => return import_check_key(state, key),
        shell::Screen::Level(Screen::ConfirmCorrection {
            body,
            accept,
            typed,
        }) => {
            match key.code {
                KeyCode::Esc => go(state, Screen::Correction),
                KeyCode::Enter if typed.trim().eq_ignore_ascii_case(body) => {
                    let (body, accept) = (body.clone(), *accept);
                    return vec![Effect::Persist(Record::CorrectionDecided {
                        body,
                        accept,
                        by: None,
                    })];
                }
                KeyCode::Enter => {
                    typed.clear();
                    let refusal = Refusal::with(Msg::ConfirmWrongBody, &[body], "");
                    state.error(refusal);
                }
                KeyCode::Char(c) if c.is_ascii_alphanumeric() && typed.len() < 16 => {
                    typed.push(c);
                }
                KeyCode::Backspace => {
                    typed.pop();
                }
                _ => {}
            }
            return vec![];
        }
        shell::Screen::Level(Screen::Request {
            municipality,
            station,
            reason,
            text,
            step,
        }) => {
            match key.code {
                KeyCode::Esc => go(state, Screen::Overview),
                KeyCode::Enter => match *step {
                    0 if !municipality.is_empty() => *step = 1,
                    1 if station.parse::<u32>().is_ok_and(|n| n > 0) => *step = 2,
                    3 if !text.trim().is_empty() => {
                        let (Ok(n), Some(r)) = (station.parse::<u32>(), *reason) else {
                            return vec![];
                        };
                        let record = Record::InvestigationAsked {
                            municipality: std::mem::take(municipality),
                            station: n,
                            reason: r,
                            instruction: text.trim().to_owned(),
                            by: None,
                        };
                        go(state, Screen::Overview);
                        return vec![Effect::Persist(record)];
                    }
                    _ => state.error(Refusal::with(Msg::SessionTextEmpty, &[], "")),
                },
                KeyCode::Char(c @ ('1' | '2')) if *step == 2 => {
                    *reason = GSB_REASONS.get(usize::from(c == '2')).copied();
                    *step = 3;
                }
                _ => match step {
                    0 => crate::session::type_number(municipality, &key, 4),
                    1 => crate::session::type_number(station, &key, 6),
                    3 => crate::session::type_text(text, &key),
                    _ => {}
                },
            }
            return vec![];
        }
        _ => {}
    }
    let Some(screen) = state.level_screen().cloned() else {
        return vec![];
    };
    if scrolls(&screen) && shell::scroll(&mut state.level.scroll, key.code, true, u16::MAX.into()) {
        return vec![];
    }
    match screen {
        Screen::Overview => match letter(&key) {
            Some('v') if is_central(state) => {
                state.coordinator(HigherAct::Request);
                vec![]
            }
            Some('i') => {
                state.note = None;
                state.media(Purpose::Import)
            }
            Some('k') => {
                let pending = state
                    .ledger
                    .aggregation
                    .as_ref()
                    .is_some_and(|a| a.pending_correction().is_some());
                if pending {
                    go(state, Screen::Correction);
                }
                vec![]
            }
            Some('t') => {
                let status: Option<(bool, Vec<String>)> =
                    state.ledger.aggregation.as_ref().map(|a| {
                        let missing = a
                            .missing()
                            .iter()
                            .map(|b| format!("{} {}", b.id, b.name))
                            .collect();
                        (a.is_complete(), missing)
                    });
                match status {
                    Some((true, _)) => go(state, Screen::Figures),
                    Some((false, m)) if m.is_empty() => {
                        state.info(Msg::TotalCorrectionFirst, &[]);
                    }
                    Some((false, m)) => {
                        let mut names = m.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
                        if m.len() > 3 {
                            names.push_str(", ...");
                        }
                        state.info(Msg::TotalNotYet, &[&m.len().to_string(), &names]);
                    }
                    None => {}
                }
                vec![]
            }
            _ => vec![],
        },
        // Handled above, without copying the file on every key.
        Screen::ImportCheck { .. } => vec![],
        Screen::Correction => {
            let body = state
                .ledger
                .aggregation
                .as_ref()
                .and_then(|a| a.pending_correction())
                .map(|p| p.body.clone());
            // Never one key: a coordinator's PIN, then the next screen says what will happen
            // and asks for the body's code (as the GSB's coordinator confirms with the
            // station's number).
            match (key.code, body) {
                (KeyCode::Char('1'), Some(body)) => {
                    state.coordinator(HigherAct::Correction { body, accept: true })
                }
                (KeyCode::Char('2'), Some(body)) => state.coordinator(HigherAct::Correction {
                    body,
                    accept: false,
                }),
                (KeyCode::Esc, _) => go(state, Screen::Overview),
                _ => {}
            }
            vec![]
        }
        // Handled above, typed in place.
        Screen::ConfirmCorrection { .. } | Screen::Request { .. } => vec![],
        Screen::Figures => match (key.code, letter(&key)) {
            (KeyCode::Esc, _) => {
                go(state, Screen::Overview);
                vec![]
            }
            (_, Some('e')) if !is_central(state) => export_asked(state),
            (_, Some('z')) if is_central(state) => {
                let screen = match &state.level.outcome {
                    Some(Ok(Computation::SeatLotsNeeded(_))) => Screen::Lot,
                    _ => Screen::Seats,
                };
                go(state, screen);
                vec![]
            }
            _ => vec![],
        },
        Screen::Seats => match key.code {
            KeyCode::Esc => {
                go(state, Screen::Figures);
                vec![]
            }
            KeyCode::Enter => {
                let screen = after_lot_screen(state);
                go(state, screen);
                vec![]
            }
            _ => vec![],
        },
        Screen::Lot => match key.code {
            KeyCode::Esc => {
                state.level.input.clear();
                go(state, Screen::Seats);
                vec![]
            }
            KeyCode::Enter => lot_entered(state),
            _ => {
                crate::session::type_number(&mut state.level.input, &key, 4);
                vec![]
            }
        },
        Screen::Candidates => match (key.code, letter(&key)) {
            (KeyCode::Esc, _) => {
                go(state, Screen::Seats);
                vec![]
            }
            (_, Some('e')) => export_asked(state),
            (_, Some('o')) => {
                state.coordinator(HigherAct::Deceased { undo: false });
                vec![]
            }
            (_, Some('h')) if state.ledger.decisions.deceased.is_empty() => {
                state.info(Msg::DeceasedNone, &[]);
                vec![]
            }
            (_, Some('h')) => {
                state.coordinator(HigherAct::Deceased { undo: true });
                vec![]
            }
            _ => vec![],
        },
        Screen::Deceased { choice, typed } => deceased_key(state, key, choice, typed),
        // Another stick: the same signed files (the kept export).
        Screen::Done => match letter(&key) {
            Some('e') => export_asked(state),
            _ => vec![],
        },
    }
}

/// A mark of a deceased candidate the ledger refused, in the catalogue's words.
fn deceased_refusal(e: &DeceasedError) -> Refusal {
    let (msg, list, candidate, detail) = match e {
        DeceasedError::AlreadyMarked { list, candidate } => {
            (Msg::DeceasedAlready, list, candidate, "")
        }
        DeceasedError::NotMarked { list, candidate } => {
            (Msg::DeceasedNotMarked, list, candidate, "")
        }
        DeceasedError::NotOnList {
            list,
            candidate,
            hint,
        } => (Msg::DeceasedNoCandidate, list, candidate, hint.as_str()),
        DeceasedError::LotNoLongerFits {
            list,
            candidate,
            drawing,
        } => {
            return Refusal::with(
                Msg::DeceasedLotNoLongerFits,
                &[&list.to_string(), &candidate.to_string()],
                drawing.as_str(),
            );
        }
        DeceasedError::NoCalculation => {
            return Refusal::with(Msg::StepRefused, &[&e.to_string()], "");
        }
    };
    Refusal::with(
        msg,
        &[&list.to_string(), &candidate.to_string()],
        detail.trim(),
    )
}

fn deceased_screen(choice: DeceasedChoice) -> Screen {
    Screen::Deceased {
        choice,
        typed: String::new(),
    }
}

/// What is chosen so far on the deceased screen: the list, for a list that differs between
/// kieskringen the kieskring, and the candidate, each once typed and found (then the
/// candidate's number typed again confirms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeceasedChoice {
    /// Undo a mark instead of making one.
    pub undo: bool,
    /// The list.
    pub list: Option<ListNumber>,
    /// For a list that differs between kieskringen: the kieskringen it stands in (the
    /// kieskring is asked next); empty for a list that is the same everywhere.
    pub kieskringen: Vec<u32>,
    /// The kieskring whose list the candidate's number is on.
    pub kieskring: Option<u32>,
    /// The candidate.
    pub candidate: Option<CandidatePosition>,
}

impl DeceasedChoice {
    fn new(undo: bool) -> DeceasedChoice {
        DeceasedChoice {
            undo,
            list: None,
            kieskringen: Vec::new(),
            kieskring: None,
            candidate: None,
        }
    }
}

/// The list as the deceased screen and its messages name it: `5`, or `5 (kieskring 3)` for
/// a list that differs between kieskringen.
pub fn list_label(list: ListNumber, kieskring: Option<u32>) -> String {
    match kieskring {
        None => list.to_string(),
        Some(k) => format!("{list} (kieskring {k})"),
    }
}

/// A key while a deceased candidate is chosen and confirmed: digits, Backspace, Enter and Esc
/// only (no letter acts while a number is typed). The list, for a list that differs between
/// kieskringen the kieskring, the candidate, then the candidate's number again.
fn deceased_key(
    state: &mut State,
    key: KeyEvent,
    choice: DeceasedChoice,
    mut typed: String,
) -> Vec<Effect> {
    let stay = |state: &mut State, choice: DeceasedChoice, typed: String| {
        state.go(Screen::Deceased { choice, typed });
    };
    match key.code {
        KeyCode::Esc => {
            go(state, Screen::Candidates);
            return vec![];
        }
        KeyCode::Char(_) if key.modifiers.contains(KeyModifiers::CONTROL) => {}
        KeyCode::Enter => {
            let Some(n) = typed.parse::<u32>().ok() else {
                stay(state, choice, typed);
                return vec![];
            };
            let mut next = choice.clone();
            match (choice.list, choice.kieskring, choice.candidate) {
                (None, _, _) => {
                    let l = ListNumber(n);
                    if state.ledger.listed_candidate(l, None).is_some() {
                        next.list = Some(l);
                        next.kieskringen = state.ledger.list_kieskringen(l).unwrap_or_default();
                        go(state, deceased_screen(next));
                    } else {
                        state.error(Refusal::with(Msg::DeceasedNoList, &[&typed], ""));
                        stay(state, choice, String::new());
                    }
                }
                (Some(l), None, None) if !choice.kieskringen.is_empty() => {
                    if choice.kieskringen.contains(&n) {
                        next.kieskring = Some(n);
                        go(state, deceased_screen(next));
                    } else {
                        state.error(Refusal::with(
                            Msg::DeceasedNoKieskring,
                            &[
                                &l.to_string(),
                                &typed,
                                &tally_report::number_ranges(&choice.kieskringen),
                            ],
                            "",
                        ));
                        stay(state, choice, String::new());
                    }
                }
                (Some(l), k, None) => {
                    let c = CandidatePosition(n);
                    // A kieskring whose candidate list (230b) the CSB does not hold: the
                    // count's own list of that kieskring decides (the ledger refuses a
                    // position it does not have).
                    let found = state.ledger.kieskring_candidate(l, k, c).is_some()
                        || k.is_some_and(|k| state.ledger.kieskring_list(l, k).is_none());
                    let marked = is_marked_deceased(&state.ledger.decisions, l, c, k);
                    let args = [list_label(l, k), c.to_string()];
                    let args = [args[0].as_str(), args[1].as_str()];
                    let refused = if !found {
                        Some(Msg::DeceasedNoCandidate)
                    } else if marked && !choice.undo {
                        Some(Msg::DeceasedAlready)
                    } else if !marked && choice.undo {
                        Some(Msg::DeceasedNotMarked)
                    } else {
                        None
                    };
                    match refused {
                        Some(msg) => {
                            state.error(Refusal::with(msg, &args, ""));
                            stay(state, choice, String::new());
                        }
                        None => {
                            next.candidate = Some(c);
                            go(state, deceased_screen(next));
                        }
                    }
                }
                (Some(l), k, Some(c)) if n == c.0 => {
                    let record = if choice.undo {
                        Record::DeceasedUndone {
                            list: l,
                            candidate: c,
                            kieskring: k,
                            at: 0,
                            by: None,
                        }
                    } else {
                        Record::Deceased {
                            list: l,
                            candidate: c,
                            kieskring: k,
                            at: 0,
                            by: None,
                        }
                    };
                    stay(state, choice, String::new());
                    return vec![Effect::Persist(record)];
                }
                (Some(_), _, Some(c)) => {
                    state.error(Refusal::with(
                        Msg::ConfirmWrongCandidate,
                        &[&c.to_string()],
                        "",
                    ));
                    stay(state, choice, String::new());
                }
            }
            return vec![];
        }
        // At most 4 digits; a letter (or a fifth digit) is not typed and does nothing.
        _ => crate::session::type_number(&mut typed, &key, 4),
    }
    stay(state, choice, typed);
    vec![]
}

pub use tally_ledger::higher::PendingDrawing;

/// A drawing of lots in the catalogue's words.
pub trait DrawingWords {
    /// The drawing in words, in `lang`.
    fn text(&self, lang: Lang) -> String;
    /// What the official types, in the catalogue's words.
    fn prompt(&self) -> Msg;
}

impl DrawingWords for PendingDrawing {
    fn text(&self, lang: Lang) -> String {
        match self {
            PendingDrawing::Seat(d) => seat_drawing_text(d, lang),
            PendingDrawing::Candidate(d) => candidate_drawing_text(d, lang),
            PendingDrawing::Group(GroupDrawing::RemainingSeat { group, seat, tied }) => {
                Msg::DrawingGroupSeat
                    .fill(lang, &[&group.to_string(), &seat.to_string(), &join(tied)])
            }
            PendingDrawing::Group(GroupDrawing::PreferenceSeat { group, seat, tied }) => {
                let tied: Vec<String> = tied
                    .iter()
                    .enumerate()
                    .map(|(i, key)| format!("{}: {key}", i.saturating_add(1)))
                    .collect();
                Msg::DrawingGroupPreference.fill(
                    lang,
                    &[&group.to_string(), &seat.to_string(), &tied.join(", ")],
                )
            }
            PendingDrawing::Group(GroupDrawing::Retraction {
                group,
                candidate,
                tied,
            }) => Msg::DrawingGroupRetraction
                .fill(lang, &[&group.to_string(), candidate, &join(tied)]),
        }
    }

    fn prompt(&self) -> Msg {
        match self {
            PendingDrawing::Seat(_) => Msg::LotPromptList,
            PendingDrawing::Candidate(_) => Msg::LotPromptCandidate,
            PendingDrawing::Group(GroupDrawing::PreferenceSeat { .. }) => Msg::LotPromptTieNumber,
            PendingDrawing::Group(_) => Msg::LotPromptKieskring,
        }
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A drawing of lots between lists, in `lang` (the core's `Display` is English).
pub fn seat_drawing_text(d: &SeatDrawing, lang: Lang) -> String {
    use tally_core::apportionment::SeatDrawingPurpose;
    match d.purpose {
        SeatDrawingPurpose::RemainingSeat { seat, rule } => {
            let rule = rule_msg(rule);
            Msg::DrawingRemainingSeat
                .fill(lang, &[&seat.to_string(), rule.text(lang), &join(&d.tied)])
        }
        SeatDrawingPurpose::AbsoluteMajorityRetraction => {
            Msg::DrawingRetraction.fill(lang, &[&join(&d.tied)])
        }
    }
}

/// The name of a remaining-seat rule, as a catalogue text.
pub fn rule_msg(rule: tally_core::apportionment::SeatRule) -> Msg {
    use tally_core::apportionment::SeatRule;
    match rule {
        SeatRule::HighestAverages => Msg::RuleHighestAverages,
        SeatRule::LargestRemainders => Msg::RuleLargestRemainders,
        SeatRule::HighestAveragesOnePerList => Msg::RuleOnePerList,
        SeatRule::HighestAveragesUnlimited => Msg::RuleUnlimited,
    }
}

/// A drawing of lots between candidates, in `lang`.
pub fn candidate_drawing_text(d: &CandidateDrawing, lang: Lang) -> String {
    Msg::DrawingPreferenceSeat.fill(
        lang,
        &[&d.list.to_string(), &d.seat.to_string(), &join(&d.tied)],
    )
}

/// The drawing the calculation waits for.
pub fn pending_lot(state: &State) -> Option<PendingDrawing> {
    state.level.outcome.as_ref().and_then(PendingDrawing::of)
}

fn lot_entered(state: &mut State) -> Vec<Effect> {
    let Some(pending) = pending_lot(state) else {
        return vec![];
    };
    let typed = state.level.input.clone();
    let Some(drawn) = typed
        .parse::<u32>()
        .ok()
        .filter(|n| pending.tied().contains(n))
    else {
        state.error(Refusal::with(Msg::LotNotTied, &[&typed], ""));
        state.level.input.clear();
        return vec![];
    };
    match pending.record(drawn) {
        Some(record) => vec![Effect::Persist(record)],
        None => vec![],
    }
}
