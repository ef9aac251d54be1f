//! Carries out the effects of [`update`] for every level: the journal first, then the state.
//! A record is applied to a copy of the ledger and written (forced to disk) before the copy
//! is kept ([`tally_ledger::persist`]); a restart replays the journal over the kept definition.

use std::collections::VecDeque;

use crossterm::event::KeyEvent;

use tally_core::double_entry::Timestamp;
use tally_core::people::{PersonId, PinHash};
use tally_ledger::people::PeopleRecord;
use tally_signing::pin::PinVerdict;

use super::people::{NewPerson, PinFor, Secret, registry_refusal};
use super::{Effect, Event, Level, Record, Screen, State, update};
use crate::services::{Medium, Refusal, Services};
use crate::text::{Lang, Msg};
use tally_ledger::journal::Journal;
use tally_ledger::persist::{self, ChainHead, Ledger, PersistError, ReplayError, replay};

/// Why the terminal cannot start from its journal.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The journal could not be read.
    #[error("cannot read the journal: {0}")]
    Read(#[from] std::io::Error),
    /// A journal record is not a record.
    #[error("journal record {0} is damaged: {1}")]
    Damaged(usize, String),
    /// A record does not fit.
    #[error("journal record {0} does not fit: {detail}", detail = .1.text(Lang::En))]
    Apply(usize, Refusal),
    /// The kept definition is missing, does not verify or does not fit.
    #[error("the kept election definition cannot be used: {}", .0.text(Lang::En))]
    Definition(Refusal),
    /// A file a record names cannot be had.
    #[error("journal record {record}: {}", .refusal.text(Lang::En))]
    File {
        /// The record's number (from 1).
        record: usize,
        /// Why.
        refusal: Refusal,
    },
}

/// The terminal without its screen: state, services and journal.
pub struct Runner<L: Level, S: Services<L>, J: Journal> {
    /// The state.
    pub state: State<L>,
    /// The services.
    pub services: S,
    /// The journal.
    pub journal: J,
    /// Whether the program should stop.
    pub quit: bool,
    /// When the last key came (the screen locks after [`IDLE_LOCK`] without one).
    pub last_key: std::time::Instant,
    /// The clock the PIN delays are judged by, in milliseconds since 1970: the system's;
    /// a test sets its own, so that a delay does not run out while a slow machine works.
    pub now: fn() -> i64,
}

/// How long without a key before a screen that belongs to a person locks.
pub const IDLE_LOCK: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// What a level's effect may use: the state, the services, and [`Ctx::persist`].
pub struct Ctx<'a, L: Level> {
    /// The state.
    pub state: &'a mut State<L>,
    /// The services.
    pub services: &'a mut dyn Services<L>,
    journal: &'a mut dyn Journal,
}

/// What applying a record of level `L` reports.
pub type Applied<L> = <<L as Level>::Ledger as Ledger>::Applied;
/// Why the ledger of level `L` refuses a record.
pub type ApplyError<L> = <<L as Level>::Ledger as Ledger>::Error;
/// A record written and what applying it reported, or why it was not kept.
pub type Persisted<L> = Result<(Record<L>, Applied<L>), PersistError<ApplyError<L>>>;

impl<L: Level> Ctx<'_, L> {
    /// The level's own services.
    pub fn level(&mut self) -> &mut L::Services {
        self.services.level()
    }

    /// Stamps `record`, applies it to a copy of the ledger, writes it to the journal, keeps
    /// the copy and writes the record's audit line; returns the record as written.
    ///
    /// # Errors
    /// The ledger refused it, or the journal could not be written: nothing changed.
    pub fn persist(
        &mut self,
        mut record: Record<L>,
        file: Option<persist::KeptFile<'_>>,
    ) -> Persisted<L> {
        L::stamp(&mut record, now_ms());
        L::sign(&mut record, self.state.signed_in);
        let applied = persist::persist(
            &mut self.state.ledger,
            &mut self.state.journal_head,
            self.journal,
            &record,
            file,
        )?;
        if let Some(line) = self.state.ledger.audit_line(&record) {
            let event = tally_media::AuditEvent::record(&line.act, line.person, line.detail);
            self.services.record(event);
        }
        Ok((record, applied))
    }

    /// [`Ctx::persist`] of `record` (naming the kept `file`), then `then` once it is kept;
    /// the failure alone when it is not.
    pub fn persist_then(
        &mut self,
        record: Record<L>,
        file: Option<persist::KeptFile<'_>>,
        then: Event<L>,
    ) -> Vec<Event<L>> {
        match self.persist(record, file) {
            Ok((record, _)) => vec![Event::Applied(record), then],
            Err(e) => vec![failed(&e)],
        }
    }

    /// [`Ctx::persist`], with its outcome as the event the screen gets.
    pub fn persist_event(&mut self, record: Record<L>) -> Event<L> {
        match self.persist(record, None) {
            Ok((record, _)) => Event::Applied(record),
            Err(e) => failed(&e),
        }
    }
}

/// The event for a record not kept.
pub fn failed<L: Level>(e: &PersistError<ApplyError<L>>) -> Event<L> {
    match e {
        PersistError::Refused(e) => Event::Refused(L::refusal(e)),
        PersistError::Journal(why) => Event::JournalFailed(why.clone()),
    }
}

/// Milliseconds since 1970 (0 if the clock is before 1970).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The bytes of a hex SHA-256; zeros where the text does not give them.
pub fn digest_of_hex(hex: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(bytes) = hex::decode(hex) {
        for (o, b) in out.iter_mut().zip(bytes) {
            *o = b;
        }
    }
    out
}

/// What the journal is bound to: the SHA-256 of the election's 110a.
fn election_hash<L: Level>(def: &L::Definition) -> [u8; 32] {
    digest_of_hex(&L::paper_hashes(def).0)
}

impl<L: Level, S: Services<L>, J: Journal> Runner<L, S, J> {
    /// Opens the terminal: checks the kept definition. The journal is bound and replayed only
    /// once the body is unlocked ([`Effect::Unlock`]): every record is checked with the
    /// body's journal key, which the passphrase opens.
    ///
    /// # Errors
    /// See [`OpenError`].
    pub fn open(
        mut state: State<L>,
        mut services: S,
        mut journal: J,
    ) -> Result<Runner<L, S, J>, OpenError> {
        if services
            .kept_definition()
            .map_err(OpenError::Definition)?
            .is_none()
        {
            // A journal whose definition is missing is refused here (nothing is read of it).
            journal.read_all()?;
        }
        L::refresh(&mut state);
        state.clock = Some(now_ms() / 1000);
        Ok(Runner {
            state,
            services,
            journal,
            quit: false,
            last_key: std::time::Instant::now(),
            now: now_ms,
        })
    }

    /// After the unlock: binds the journal to the kept definition and the body's key and
    /// replays it (once; a journal already bound is not read again). The ledger is rebuilt on
    /// a copy, kept only when the whole journal verifies and fits.
    ///
    /// # Errors
    /// The journal is refused (changed without the key, another election's or body's, an
    /// old format, damaged) or does not fit; nothing of it is used.
    fn resume(&mut self) -> Result<(), OpenError> {
        if self.state.journal_head.is_some() {
            return Ok(());
        }
        let Some(def) = self
            .services
            .kept_definition()
            .map_err(OpenError::Definition)?
        else {
            return Ok(());
        };
        let hash = election_hash::<L>(&def);
        let key = self.services.journal_key();
        self.journal.bind(hash, key.as_ref())?;
        let mut head = Some(
            self.journal
                .head()
                .map_or_else(|| ChainHead::start(&hash), ChainHead::from),
        );
        let mut ledger = self.state.ledger.clone();
        L::load(&mut ledger, &def).map_err(OpenError::Definition)?;
        let services = &mut self.services;
        replay(
            &mut ledger,
            &mut head,
            &mut self.journal,
            |record| match L::kept_file(record) {
                Some(sha) => services.kept_file(&sha).map(Some),
                None => Ok(None),
            },
        )
        .map_err(|e| match e {
            ReplayError::Read(e) => OpenError::Read(e),
            ReplayError::Damaged(n, why) => OpenError::Damaged(n, why),
            ReplayError::Apply(n, e) => OpenError::Apply(n, L::refusal(&e)),
            ReplayError::File(record, refusal) => OpenError::File { record, refusal },
        })?;
        self.state.ledger = ledger;
        self.state.journal_head = head;
        // A record cut short by a power cut is dropped by the journal, never silently:
        // the official sees it after the passphrase, the audit log keeps it.
        if let Some((kept, dropped)) = self.journal.torn() {
            let (kept, dropped) = (kept.to_string(), dropped.to_string());
            self.services.note(&format!(
                "journal: an incomplete last record was dropped ({dropped} bytes after byte {kept})"
            ));
            self.state
                .error(Refusal::with(Msg::JournalTornTail, &[&dropped], ""));
        }
        L::refresh(&mut self.state);
        Ok(())
    }

    /// The unlock, then the journal ([`Runner::resume`]); a journal refused is an unlock
    /// refused, with the reason (naming the first bad record), and written to the audit log.
    fn unlock(&mut self, passphrase: &str) -> Result<(), Refusal> {
        self.services.unlock(passphrase)?;
        self.resume().map_err(|e| {
            let why = e.to_string();
            self.services
                .note(&format!("journal refused at unlock: {why}"));
            Refusal::new(Msg::JournalRefused, why)
        })
    }

    /// Handles a key.
    pub fn key(&mut self, key: KeyEvent) {
        self.last_key = std::time::Instant::now();
        self.dispatch(Event::Key(key));
    }

    /// No key came: at `now`, after [`IDLE_LOCK`] since the last one, a screen that belongs
    /// to a person locks (once).
    pub fn idle(&mut self, now: std::time::Instant) {
        self.state.clock = Some(now_ms() / 1000);
        if now.saturating_duration_since(self.last_key) >= IDLE_LOCK {
            self.last_key = now;
            self.dispatch(Event::Idle);
        }
    }

    /// The sticks changed (one inserted or removed): a media screen lists them again.
    /// Elsewhere nothing happens (the next media screen scans anyway).
    pub fn media_changed(&mut self) {
        if matches!(self.state.screen, Screen::Media(_)) {
            let found = self.services.scan();
            self.dispatch(Event::Media(found));
        }
    }

    /// Handles an event and everything it leads to. A record applied is shown before the
    /// next effect, so the screen follows the journal record by record; a refusal or a
    /// journal failure drops the effects that were to follow.
    pub fn dispatch(&mut self, event: Event<L>) {
        let mut events = VecDeque::from([event]);
        while let Some(ev) = events.pop_front() {
            let mut effects = VecDeque::from(update(&mut self.state, ev));
            while let Some(effect) = effects.pop_front() {
                for next in self.effect(effect) {
                    match next {
                        Event::Applied(_) => {
                            let extra = update(&mut self.state, next);
                            for (i, e) in extra.into_iter().enumerate() {
                                effects.insert(i, e);
                            }
                        }
                        Event::Refused(_) => {
                            effects.clear();
                            events.push_back(next);
                        }
                        Event::JournalFailed(_) => {
                            effects.clear();
                            events.clear();
                            events.push_back(next);
                        }
                        other => events.push_back(other),
                    }
                }
            }
        }
    }

    fn ctx(&mut self) -> Ctx<'_, L> {
        Ctx {
            state: &mut self.state,
            services: &mut self.services,
            journal: &mut self.journal,
        }
    }

    fn effect(&mut self, effect: Effect<L>) -> Vec<Event<L>> {
        match effect {
            Effect::Unlock(pass) => vec![Event::Unlocked(self.unlock(&pass.0))],
            Effect::Scan => vec![Event::Media(self.services.scan())],
            Effect::VerifyDefinition(m) => vec![Event::DefinitionVerified(
                self.services.verify_definition(&m).map(Box::new),
            )],
            Effect::Keep(medium, def) => self.keep(&medium, &def),
            Effect::Persist(record) => vec![self.ctx().persist_event(record)],
            Effect::CheckPin { person, pin, act } => self.check_pin(person, &pin, act),
            Effect::Register(person) => self.register(person),
            Effect::Quit => {
                self.quit = true;
                Vec::new()
            }
            Effect::Level(e) => L::effect(&mut self.ctx(), e),
        }
    }

    /// Checks a person's PIN: refused without a try while the delay after wrong PINs runs;
    /// a try, right or wrong, is journaled (the delay survives a restart).
    fn check_pin(&mut self, person: PersonId, pin: &Secret, act: PinFor<L::Act>) -> Vec<Event<L>> {
        let now = Timestamp((self.now)());
        let people = L::people(&self.state.ledger);
        let refused = |r: Refusal| {
            vec![Event::PinChecked {
                person,
                act: act.clone(),
                result: Err(r),
            }]
        };
        let Some(hash) = people
            .registry
            .person(person)
            .filter(|p| p.active)
            .map(|p| p.pin_hash.as_str().to_owned())
        else {
            return refused(Refusal::with(Msg::PersonDeactivated, &[], ""));
        };
        if let Err(wait) = people.throttle.check(person, now) {
            let seconds = (wait.wait_ms.saturating_add(999) / 1000).max(1);
            return refused(Refusal::with(Msg::PinWait, &[&seconds.to_string()], ""));
        }
        let (record, result) = match tally_signing::pin::verify_pin(&hash, &pin.0) {
            Ok(PinVerdict::Correct) => (PeopleRecord::PinAccepted { person, at: now }, Ok(())),
            Ok(PinVerdict::Wrong) => (
                PeopleRecord::WrongPin { person, at: now },
                Err(Refusal::with(Msg::PinWrong, &[], "")),
            ),
            Err(e) => return refused(Refusal::with(Msg::PinUnusable, &[], e.to_string())),
        };
        let applied = match self.ctx().persist(L::people_record(record), None) {
            Ok((record, _)) => Event::Applied(record),
            Err(e) => return vec![failed(&e)],
        };
        vec![
            applied,
            Event::PinChecked {
                person,
                act,
                result,
            },
        ]
    }

    /// Hashes a new person's PIN (a random salt) and journals the registration.
    fn register(&mut self, person: NewPerson) -> Vec<Event<L>> {
        let refused = |r: Refusal| vec![Event::Registered(Err(r))];
        let hash = match tally_signing::pin::hash_pin(&person.pin.0)
            .map_err(|e| e.to_string())
            .and_then(|h| PinHash::parse(h).map_err(|e| e.to_string()))
        {
            Ok(hash) => hash,
            Err(e) => return refused(Refusal::with(Msg::PinUnusable, &[], e)),
        };
        let name = person.name.as_str().to_owned();
        let event = match L::people(&self.state.ledger).registry.registration(
            person.by,
            Timestamp(now_ms()),
            person.name,
            person.role,
            hash,
        ) {
            Ok(event) => event,
            Err(e) => return refused(registry_refusal(&e)),
        };
        match self
            .ctx()
            .persist(L::people_record(PeopleRecord::Registry { event }), None)
        {
            Ok((record, _)) => vec![Event::Applied(record), Event::Registered(Ok(name))],
            Err(PersistError::Refused(e)) => refused(L::refusal(&e)),
            Err(PersistError::Journal(why)) => vec![Event::JournalFailed(why)],
        }
    }

    /// Keeps the definition, binds the journal to it, loads it and journals its acceptance.
    fn keep(&mut self, medium: &Medium, def: &L::Definition) -> Vec<Event<L>> {
        let refused = |r: Refusal| vec![Event::DefinitionKept(Err(r))];
        if let Err(r) = self.services.keep_definition(medium, def) {
            return refused(r);
        }
        let hash = election_hash::<L>(def);
        let key = self.services.journal_key();
        if let Err(e) = self.journal.bind(hash, key.as_ref()) {
            return refused(Refusal::with(
                Msg::JournalFailedNothingChanged,
                &[&e.to_string()],
                "",
            ));
        }
        self.state.journal_head = Some(
            self.journal
                .head()
                .map_or_else(|| ChainHead::start(&hash), ChainHead::from),
        );
        if let Err(r) = L::load(&mut self.state.ledger, def) {
            return refused(r);
        }
        let mut out = Vec::new();
        for record in L::accepted(def) {
            match self.ctx().persist(record, None) {
                Ok((record, _)) => out.push(Event::Applied(record)),
                Err(PersistError::Refused(e)) => return refused(L::refusal(&e)),
                Err(PersistError::Journal(why)) => return vec![Event::JournalFailed(why)],
            }
        }
        out.push(Event::DefinitionKept(Ok(())));
        out
    }
}
