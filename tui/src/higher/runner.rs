//! Carries out the effects of [`update`] at a higher level: the journal first, then the
//! ledger. A record is applied to a copy of the ledger; only when it fits is it written
//! (forced to disk) and the copy kept. A restart replays the journal over the kept
//! definition and the kept files.

use std::collections::VecDeque;

use crossterm::event::KeyEvent;
use tally_signing::{ContentKind, Timestamp};

use super::app::{Effect, Event, State, update};
use super::model::{Applied, ApplyError, Definition, Record, build_export};
use super::services::{HigherServices, Refusal};
use crate::journaled::{self, ChainHead, ReplayError, persist, replay};
use crate::services::Journal;
use crate::text::{Lang, Msg};

/// Why the terminal cannot start from its journal.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The journal could not be read.
    #[error("cannot read the journal: {0}")]
    Read(#[from] std::io::Error),
    /// A record is not one.
    #[error("journal record {0} is damaged: {1}")]
    Damaged(usize, String),
    /// A record does not fit.
    #[error("journal record {0} does not fit: {1}")]
    Apply(usize, Box<ApplyError>),
    /// The kept definition cannot be used.
    #[error("the kept election definition cannot be used: {}", .0.text(Lang::En))]
    Definition(Refusal),
    /// A kept file is missing.
    #[error("journal record {record}: {}", .refusal.text(Lang::En))]
    File {
        /// The record's number.
        record: usize,
        /// Why.
        refusal: Refusal,
    },
}

/// The HSB/CSB terminal without its screen.
pub struct HigherRunner<S: HigherServices, J: Journal> {
    /// The state.
    pub state: State,
    /// The services.
    pub services: S,
    /// The journal.
    pub journal: J,
    /// Whether the program should stop.
    pub quit: bool,
}

/// What the journal is bound to: the SHA-256 of the election's 110a.
fn election_hash(def: &Definition) -> [u8; 32] {
    crate::runner::digest_of_hex(&def.sha256_110a)
}

enum PersistError {
    Refused(Refusal, String),
    Journal(String),
}

/// The creation time now: `YYYY-MM-DDTHH:MM:SS` and the report's [`tally_report::CreationTime`].
fn now() -> (String, Option<tally_report::CreationTime>) {
    let text = Timestamp::now().to_string();
    let dt = text.trim_end_matches('Z').to_owned();
    let num = |a: usize, b: usize| dt.get(a..b).and_then(|s| s.parse::<u32>().ok());
    let created = match (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    ) {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) => {
            tally_report::CreationTime::new(y, mo, d, h, mi, s).ok()
        }
        _ => None,
    };
    (dt, created)
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
    }
}

impl<S: HigherServices, J: Journal> HigherRunner<S, J> {
    /// Opens the terminal: loads the kept definition and replays the journal.
    ///
    /// # Errors
    /// See [`OpenError`].
    pub fn open(
        mut state: State,
        mut services: S,
        mut journal: J,
    ) -> Result<HigherRunner<S, J>, OpenError> {
        if let Some(def) = services.kept_definition().map_err(OpenError::Definition)? {
            journal.bind(election_hash(&def))?;
            state.journal_head = Some(ChainHead::start(&election_hash(&def)));
            state
                .ledger
                .load(def)
                .map_err(|e| OpenError::Apply(0, Box::new(ApplyError::Aggregate(e))))?;
        }
        replay(
            &mut state.ledger,
            &mut state.journal_head,
            &mut journal,
            |record| match record {
                Record::Import { sha256, .. } => services.kept_file(sha256).map(Some),
                _ => Ok(None),
            },
        )
        .map_err(|e| match e {
            ReplayError::Read(e) => OpenError::Read(e),
            ReplayError::Damaged(n, why) => OpenError::Damaged(n, why),
            ReplayError::Apply(n, e) => OpenError::Apply(n, Box::new(e)),
            ReplayError::File(record, refusal) => OpenError::File { record, refusal },
        })?;
        state.refresh();
        Ok(HigherRunner {
            state,
            services,
            journal,
            quit: false,
        })
    }

    /// The sticks changed (USB mode): a media screen lists them again.
    pub fn media_changed(&mut self) {
        if matches!(self.state.screen, super::app::Screen::Media { .. }) {
            let items = self.services.scan();
            self.dispatch(Event::Media(items));
        }
    }

    /// Handles a key.
    pub fn key(&mut self, key: KeyEvent) {
        self.dispatch(Event::Key(key));
    }

    /// Handles an event and everything it leads to.
    pub fn dispatch(&mut self, event: Event) {
        let mut events = VecDeque::from([event]);
        while let Some(ev) = events.pop_front() {
            let mut effects = VecDeque::from(update(&mut self.state, ev));
            while let Some(effect) = effects.pop_front() {
                if let Some(next) = self.effect(effect) {
                    let failed = matches!(next, Event::JournalFailed(_) | Event::Refused(_));
                    events.push_back(next);
                    if failed {
                        effects.clear();
                    }
                }
            }
        }
    }

    fn effect(&mut self, effect: Effect) -> Option<Event> {
        match effect {
            Effect::Unlock(pass) => Some(Event::Unlocked(self.services.unlock(&pass))),
            Effect::Scan => Some(Event::Media(self.services.scan())),
            Effect::VerifyDefinition(m) => Some(Event::DefinitionVerified(
                self.services.verify_definition(&m).map(Box::new),
            )),
            Effect::Keep(medium, def) => Some(Event::DefinitionKept(self.keep(&medium, *def))),
            Effect::VerifyCount(m, kind) => {
                let result = self.services.verify_count(&m, kind).map(Box::new);
                Some(Event::CountVerified(m, result))
            }
            Effect::Import(count) => Some(self.import(&count)),
            Effect::Persist(record) => Some(match self.persist(&record, None) {
                Ok(_) => {
                    self.audit(&record);
                    Event::Applied(record)
                }
                Err(PersistError::Refused(_, why)) => Event::Refused(why),
                Err(PersistError::Journal(why)) => Event::JournalFailed(why),
            }),
            Effect::Export => Some(self.export()),
            Effect::Quit => {
                self.quit = true;
                None
            }
        }
    }

    fn keep(
        &mut self,
        medium: &super::services::MediumEntry,
        def: Definition,
    ) -> Result<(), Refusal> {
        let other = |e: String| Refusal::with(Msg::RefusedOther, &[], e);
        self.services.keep_definition(medium, &def)?;
        self.journal
            .bind(election_hash(&def))
            .map_err(|e| Refusal::with(Msg::JournalFailedNothingChanged, &[&e.to_string()], ""))?;
        self.state.journal_head = Some(ChainHead::start(&election_hash(&def)));
        let files = def.files.clone();
        self.state
            .ledger
            .load(def)
            .map_err(|e| other(e.to_string()))?;
        match self.persist(&Record::DefinitionAccepted { files }, None) {
            Ok(_) => Ok(()),
            Err(PersistError::Refused(r, _)) => Err(r),
            Err(PersistError::Journal(why)) => {
                Err(Refusal::with(Msg::JournalFailedNothingChanged, &[&why], ""))
            }
        }
    }

    fn import(&mut self, count: &super::services::VerifiedCount) -> Event {
        if let Err(r) = self.services.keep_file(&count.sha256, &count.bytes) {
            return Event::Imported(Err(r));
        }
        let record = Record::Import {
            file_name: count.file_name.clone(),
            sha256: count.sha256.clone(),
            signer: count.signer.clone(),
        };
        match self.persist(&record, Some(&count.bytes)) {
            Ok(Applied::Import(outcome)) => {
                if let tally_core::aggregate::ImportOutcome::CorrectionPending(p) = &outcome {
                    self.services.note(&format!(
                        "correction proposed for {}: imported {} ({}), new {} ({})",
                        p.body,
                        p.current.file_name,
                        p.current.sha256.to_hex(),
                        p.proposed.file_name,
                        p.proposed.sha256.to_hex()
                    ));
                }
                Event::Imported(Ok(outcome))
            }
            Ok(Applied::Done) => Event::Refused("import".into()),
            Err(PersistError::Refused(r, _)) => {
                // Refused by the registry: journaled as refused, nothing imported.
                let body = match &r.msg {
                    Msg::RefusedUnknownBody | Msg::RefusedEmlElection | Msg::RefusedLevel => None,
                    _ => Some(count.body.clone()),
                };
                let refused = Record::Refused(super::model::RefusedFile {
                    file_name: count.file_name.clone(),
                    sha256: count.sha256.clone(),
                    body,
                    nl: r.text(Lang::Nl),
                    en: r.text(Lang::En),
                });
                match self.persist(&refused, None) {
                    Ok(_) => {
                        self.audit(&refused);
                        Event::Imported(Err(r))
                    }
                    Err(PersistError::Journal(why)) => Event::JournalFailed(why),
                    Err(PersistError::Refused(_, why)) => Event::Refused(why),
                }
            }
            Err(PersistError::Journal(why)) => Event::JournalFailed(why),
        }
    }

    fn export(&mut self) -> Event {
        let (dt, created) = now();
        let Some(created) = created else {
            return Event::Exported(Err(Refusal::with(Msg::WriteFailed, &["clock"], "")));
        };
        let Some(def) = self.state.ledger.definition.clone() else {
            return Event::Exported(Err(Refusal::with(Msg::WriteFailed, &["definition"], "")));
        };
        let files = match build_export(&self.state.ledger, &dt, created, self.state.demo) {
            Ok(f) => f.files,
            Err(e) => {
                return Event::Exported(Err(Refusal::with(
                    Msg::WriteFailed,
                    &[&e.to_string()],
                    "",
                )));
            }
        };
        let kind = if def.is_central() {
            ContentKind::Results510d520
        } else {
            ContentKind::Results510c
        };
        let done = match self.services.export(kind, &def.election.id.0, files) {
            Ok(d) => d,
            Err(r) => return Event::Exported(Err(r)),
        };
        let record = Record::Exported {
            path: done.path.clone(),
            files: done.files.clone(),
        };
        match self.persist(&record, None) {
            Ok(_) => {
                self.audit(&record);
                self.dispatch_applied(record);
                Event::Exported(Ok(done))
            }
            Err(PersistError::Refused(_, why)) => Event::Refused(why),
            Err(PersistError::Journal(why)) => Event::JournalFailed(why),
        }
    }

    fn dispatch_applied(&mut self, record: Record) {
        let _ = update(&mut self.state, Event::Applied(record));
    }

    fn audit(&mut self, record: &Record) {
        let line = match record {
            Record::CorrectionDecided { body, accept } => format!(
                "correction for {body} {}",
                if *accept { "accepted" } else { "rejected" }
            ),
            Record::SeatLot(lot) => format!("lot: {}: list {}", lot.drawing, lot.drawn),
            Record::CandidateLot(lot) => format!(
                "lot: list {}: {}: candidate {}",
                lot.drawing.list, lot.drawing, lot.drawn
            ),
            Record::Refused(r) => format!("refused {} {}: {}", r.file_name, r.sha256, r.en),
            Record::Exported { path, files } => format!("exported {path}: {files:?}"),
            _ => return,
        };
        self.services.note(&line);
    }

    fn persist(&mut self, record: &Record, bytes: Option<&[u8]>) -> Result<Applied, PersistError> {
        persist(
            &mut self.state.ledger,
            &mut self.state.journal_head,
            &mut self.journal,
            record,
            bytes,
        )
        .map_err(|e| match e {
            journaled::PersistError::Refused(ApplyError::Import(ie)) => {
                let why = ie.to_string();
                PersistError::Refused(import_refusal(&ie), why)
            }
            journaled::PersistError::Refused(e) => PersistError::Refused(
                Refusal::with(Msg::StepRefused, &[&e.to_string()], ""),
                e.to_string(),
            ),
            journaled::PersistError::Journal(why) => PersistError::Journal(why),
        })
    }
}
