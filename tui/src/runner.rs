//! Carries out the effects of [`update`]: the journal first, then the state.

use std::collections::VecDeque;

use crossterm::event::KeyEvent;

use crate::app::{Effect, Event, State, update};
use crate::form::Form;
use crate::journaled::{PersistError, ReplayError, persist, replay};
use crate::model::{ApplyError, Loaded, Record};
use crate::services::{Journal, Refusal, Services, VerifiedDefinition};

/// Why the terminal cannot start from its journal.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The journal could not be read.
    #[error("cannot read the journal: {0}")]
    Read(#[from] std::io::Error),
    /// A journal line is not a record.
    #[error("journal record {0} is damaged: {1}")]
    Damaged(usize, String),
    /// A record does not fit.
    #[error("journal record {0} does not fit: {1}")]
    Apply(usize, crate::model::ApplyError),
    /// The kept definition is missing or does not verify.
    #[error("the kept election definition cannot be used: {0:?}")]
    Definition(Refusal),
}

/// The terminal without its screen: state, services and journal.
pub struct Runner<S: Services, J: Journal> {
    /// The state.
    pub state: State,
    /// The services.
    pub services: S,
    /// The journal.
    pub journal: J,
    /// Whether the program should stop.
    pub quit: bool,
}

fn loaded(def: &VerifiedDefinition) -> Loaded {
    Loaded {
        form: Form::new(&def.info),
        info: def.info.clone(),
        files: def.files.clone(),
    }
}

/// Milliseconds since 1970 (0 if the clock is before 1970).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub use crate::journaled::ChainHead;

/// What the journal is bound to: the SHA-256 of the election's 110a.
fn election_hash(def: &VerifiedDefinition) -> [u8; 32] {
    digest_of_hex(&def.sha256_110a)
}

/// The bytes of a hex SHA-256; zeros where the text does not give them.
pub(crate) fn digest_of_hex(hex: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(bytes) = hex::decode(hex) {
        for (o, b) in out.iter_mut().zip(bytes) {
            *o = b;
        }
    }
    out
}

impl<S: Services, J: Journal> Runner<S, J> {
    /// Opens the terminal: replays the journal into `state`.
    pub fn open(
        mut state: State,
        mut services: S,
        mut journal: J,
    ) -> Result<Runner<S, J>, OpenError> {
        let mut head = None;
        if let Some(def) = services.kept_definition().map_err(OpenError::Definition)? {
            journal.bind(election_hash(&def))?;
            head = Some(ChainHead::start(&election_hash(&def)));
            state.tally.pending = Some(loaded(&def));
        }
        replay(&mut state.tally, &mut head, &mut journal, |_| {
            Ok::<_, ()>(None)
        })
        .map_err(|e| match e {
            ReplayError::Read(e) => OpenError::Read(e),
            ReplayError::Damaged(n, why) => OpenError::Damaged(n, why),
            ReplayError::Apply(n, e) => OpenError::Apply(n, e),
            ReplayError::File(n, ()) => OpenError::Damaged(n, "no file".into()),
        })?;
        state.journal_head = head;
        Ok(Runner {
            state,
            services,
            journal,
            quit: false,
        })
    }

    /// Handles a key.
    pub fn key(&mut self, key: KeyEvent) {
        self.dispatch(Event::Key(key));
    }

    /// The sticks changed (one inserted or removed): the media screen lists them again.
    /// Elsewhere nothing happens (the next visit of the media screen scans anyway).
    pub fn media_changed(&mut self) {
        if matches!(self.state.screen, crate::app::Screen::Media { .. }) {
            let found = self.services.scan_media();
            self.dispatch(Event::MediaFound(found));
        }
    }

    /// Handles an event and everything it leads to.
    pub fn dispatch(&mut self, event: Event) {
        let mut events = VecDeque::from([event]);
        while let Some(ev) = events.pop_front() {
            let effects = update(&mut self.state, ev);
            let mut effects = VecDeque::from(effects);
            while let Some(effect) = effects.pop_front() {
                match effect {
                    Effect::Persist(mut record) => {
                        record.stamp(now_ms());
                        match self.persist(&record) {
                            Ok(()) => {}
                            Err(PersistError::Refused(why)) => {
                                let why = why.to_string();
                                // The core refused the step: nothing was written or changed.
                                effects.clear();
                                events.push_back(Event::Refused(why));
                                break;
                            }
                            Err(PersistError::Journal(why)) => {
                                effects.clear();
                                events.clear();
                                events.push_back(Event::JournalFailed(why));
                                break;
                            }
                        }
                        // Applied events are handled before the next effect, so the
                        // screen follows the journal record by record.
                        let extra = update(&mut self.state, Event::Applied(record));
                        for (i, e) in extra.into_iter().enumerate() {
                            effects.insert(i, e);
                        }
                    }
                    Effect::Unlock(pass) => {
                        events.push_back(Event::Unlocked(self.services.unlock(&pass)))
                    }
                    Effect::ScanMedia => {
                        events.push_back(Event::MediaFound(self.services.scan_media()))
                    }
                    Effect::Verify(m) => events.push_back(Event::Verified(
                        self.services.verify_definition(&m).map(Box::new),
                    )),
                    Effect::Keep(def) => {
                        let result = self.services.keep_definition(&def).and_then(|()| {
                            self.journal.bind(election_hash(&def)).map_err(|e| {
                                Refusal::new(crate::text::Msg::JournalFailed, e.to_string())
                            })?;
                            self.state.tally.pending = Some(loaded(&def));
                            self.state.journal_head = Some(ChainHead::start(&election_hash(&def)));
                            Ok(def)
                        });
                        events.push_back(Event::Kept(result));
                    }
                    Effect::Export => {
                        let result =
                            match (&self.state.tally.election, &self.state.tally.data_entry) {
                                (Some(e), Some(data)) => self.services.export(&e.info, data),
                                _ => Err(Refusal::new(crate::text::Msg::NotAllDefinitive, "")),
                            };
                        events.push_back(Event::Exported(result));
                    }
                    Effect::Quit => self.quit = true,
                }
            }
        }
    }

    fn persist(&mut self, record: &Record) -> Result<(), PersistError<ApplyError>> {
        persist(
            &mut self.state.tally,
            &mut self.state.journal_head,
            &mut self.journal,
            record,
            None,
        )
    }
}
