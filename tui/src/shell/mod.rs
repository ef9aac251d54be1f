//! The one terminal every level runs on: the [`State`], a pure [`update`] from an [`Event`]
//! to [`Effect`]s, and the screens every level has (start, media, the definition's hash
//! codes, the journal failed). A level (the municipality's GSB, the HSB and the CSB) is a
//! [`Level`]: its ledger, its own screens and their keys, and its own effects. The
//! [`runner::Runner`] carries out the effects for every level: the journal first, then the
//! state; [`view::view`] draws the chrome (header, notice, key bar, help) and the screens.
//!
//! What it must not do: know any level's records or screens beyond the [`Level`] trait, or
//! do I/O in [`update`].

pub mod people;
pub mod runner;
pub mod view;

use std::fmt::Debug;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use tally_core::people::PersonId;
use tally_ledger::people::{People, PeopleRecord};

use self::people::{Guard, NewPerson, PeopleForm, PinFor, PinKey, PinPrompt, Secret};
use crate::hash_groups::{GroupsInput, PaperFile};
use crate::services::{Identity, Medium, Refusal};
use crate::text::{Lang, Msg};
use tally_ledger::persist::{ChainHead, Ledger};

/// The role an entry appliance's certificate shows at start (`GSB-entry`, as the start
/// screen writes roles): the municipal level runs in its entry mode
/// ([`crate::entry_mode`]).
pub const ENTRY_ROLE: &str = "GSB-ENTRY";

/// A journal record of level `L`.
pub type Record<L> = <<L as Level>::Ledger as Ledger>::Record;

/// What a level adds to the shell. Every function is pure: effects go through
/// [`Level::Effect`] and are carried out by [`Level::effect`] in the runner.
pub trait Level: Sized + 'static {
    /// A verified election definition, as the level reads it.
    type Definition: Clone + Debug + PartialEq;
    /// What the journal builds.
    type Ledger: Ledger + Default + Debug;
    /// The level's own screens.
    type Screen: Clone + Debug + PartialEq;
    /// The outcomes of the level's own effects.
    type Event: Clone + Debug;
    /// The level's own effects.
    type Effect: Clone + Debug;
    /// The level's state beyond the ledger (what is typed or scrolled on its screens).
    type Extra: Clone + Debug + Default;
    /// The level's own services (`dyn` trait of what its effects need).
    type Services: ?Sized;
    /// What a registered person's PIN opens at this level (a screen, a decision).
    type Act: Clone + Debug + PartialEq;

    /// The people of the session in the ledger.
    fn people(ledger: &Self::Ledger) -> &People;
    /// A record about the people, as a record of this level.
    fn people_record(record: PeopleRecord) -> Record<Self>;
    /// Who may see a level screen: `None` for everyone (an overview), or the PIN that opens
    /// it (the screen is shown again after that PIN: after a restart, or the screen locked).
    fn guard(state: &State<Self>, screen: &Self::Screen) -> Option<Guard<Self::Act>>;
    /// A registered person's PIN was right for `act`: carry it out.
    fn authorized(state: &mut State<Self>, person: PersonId, act: Self::Act) -> Vec<Effect<Self>>;
    /// The screen nobody is signed in on (the overview), where a locked screen goes.
    fn locked(state: &State<Self>) -> Self::Screen;
    /// What the PIN for `act` will open, in words (shown on the PIN prompt).
    fn act_text(state: &State<Self>, act: &Self::Act, lang: Lang) -> String;

    /// The SHA-256 (hex) of the 110a, and the 230b files (name, SHA-256 hex) of which one is
    /// asked on the definition screen.
    fn paper_hashes(def: &Self::Definition) -> (String, Vec<(String, String)>);
    /// Which of the 230b files is asked (index into [`Level::paper_hashes`]'s list).
    fn asked_230b(def: &Self::Definition, seed: u64) -> usize {
        let n = Self::paper_hashes(def).1.len().max(1);
        usize::try_from(seed % u64::try_from(n).unwrap_or(1)).unwrap_or(0)
    }
    /// The definition in words, for the definition screen.
    fn describe(def: &Self::Definition, lang: Lang) -> Vec<(Msg, String)>;
    /// Makes the verified definition the ledger's (at start from the kept one, or after the
    /// official accepted it). Not journaled itself: see [`Level::accepted`].
    ///
    /// # Errors
    /// The definition does not fit the ledger.
    fn load(ledger: &mut Self::Ledger, def: &Self::Definition) -> Result<(), Refusal>;
    /// The records that journal the acceptance of a kept definition.
    fn accepted(def: &Self::Definition) -> Vec<Record<Self>>;
    /// Whether the ledger holds an accepted definition (then the start leads to the work).
    fn has_definition(state: &State<Self>) -> bool;
    /// The level screen where the work is (after the passphrase, a restart, a decision).
    fn resume(state: &State<Self>) -> Self::Screen;
    /// A key on one of the level's screens.
    fn key(state: &mut State<Self>, key: KeyEvent) -> Vec<Effect<Self>>;
    /// The outcome of one of the level's effects.
    fn event(state: &mut State<Self>, event: Self::Event) -> Vec<Effect<Self>>;
    /// A record is in the journal and applied to the ledger.
    fn applied(state: &mut State<Self>, record: &Record<Self>);
    /// A medium was chosen on the media screen for an import (levels that import).
    fn import_chosen(state: &mut State<Self>, medium: Medium) -> Vec<Effect<Self>> {
        let _ = (state, medium);
        Vec::new()
    }
    /// Esc on the media list of an import: where the official came from (the level's
    /// overview unless the level says otherwise).
    fn import_left(state: &mut State<Self>) -> Vec<Effect<Self>> {
        state.resume()
    }
    /// Recomputes what the level derives from the ledger (after a replay or a change).
    fn refresh(state: &mut State<Self>) {
        let _ = state;
    }
    /// Why the ledger refused a record, in the catalogue's words.
    fn refusal(error: &<Self::Ledger as Ledger>::Error) -> Refusal;
    /// Puts the time on a record before it is written (milliseconds since 1970).
    fn stamp(record: &mut Record<Self>, now_ms: i64) {
        let _ = (record, now_ms);
    }
    /// Names the person signed in (whose PIN opened the act) on a decision record before it
    /// is written, where the level's records carry one that way.
    fn sign(record: &mut Record<Self>, person: Option<PersonId>) {
        let _ = (record, person);
    }
    /// The SHA-256 (hex) of the kept file a record names, which replay must hand it.
    fn kept_file(record: &Record<Self>) -> Option<String> {
        let _ = record;
        None
    }
    /// Carries out one of the level's effects.
    fn effect(ctx: &mut runner::Ctx<'_, Self>, effect: Self::Effect) -> Vec<Event<Self>>;
    /// The title of a level screen (in the header).
    fn title(state: &State<Self>, screen: &Self::Screen) -> String;
    /// The election's identifier for the header, once there is one.
    fn election_id(state: &State<Self>) -> Option<String>;
    /// Draws a level screen's body.
    fn draw(
        state: &State<Self>,
        screen: &Self::Screen,
        frame: &mut ratatui::Frame,
        area: ratatui::layout::Rect,
    );
    /// The keys of a level screen, for the key bar.
    fn keys(state: &State<Self>, screen: &Self::Screen) -> Vec<Msg>;
    /// The help of a level screen.
    fn help(state: &State<Self>, screen: &Self::Screen) -> Msg;
    /// A prompt shown in the notice row instead of the notice (a number being typed).
    fn prompt(state: &State<Self>, screen: &Self::Screen) -> Option<String> {
        let _ = (state, screen);
        None
    }
}

/// What a media list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The election definition.
    Definition,
    /// A result of the level below.
    Import,
}

/// A list of media to choose from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaList {
    /// What for.
    pub purpose: Purpose,
    /// The media found.
    pub items: Vec<Medium>,
    /// The highlighted one.
    pub selected: usize,
    /// Why the last one chosen was refused.
    pub error: Option<Refusal>,
}

impl MediaList {
    /// An empty list (filled by the scan that follows).
    pub fn new(purpose: Purpose) -> MediaList {
        MediaList {
            purpose,
            items: Vec::new(),
            selected: 0,
            error: None,
        }
    }
}

/// The screens: those every level has, and the level's own.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen<L: Level> {
    /// The fingerprints and the passphrase.
    Start,
    /// Choosing a medium.
    Media(MediaList),
    /// The verified definition, checked against the paper's hash codes.
    Definition {
        /// The definition.
        def: Box<L::Definition>,
        /// The medium it came from.
        medium: Medium,
        /// The groups asked and typed.
        groups: GroupsInput,
    },
    /// The journal cannot be written: nothing more is accepted.
    Fatal(String),
    /// A registered person and their PIN, before a screen or an act.
    Pin(PinPrompt<L::Act>),
    /// Registering the people of the session.
    People(PeopleForm),
    /// A screen of the level.
    Level(L::Screen),
}

/// Something that happened: a key, or the outcome of an effect.
#[derive(Debug, Clone)]
pub enum Event<L: Level> {
    /// A key press.
    Key(KeyEvent),
    /// The outcome of [`Effect::Unlock`].
    Unlocked(Result<(), Refusal>),
    /// The outcome of [`Effect::Scan`].
    Media(Vec<Medium>),
    /// The outcome of [`Effect::VerifyDefinition`].
    DefinitionVerified(Result<Box<L::Definition>, Refusal>),
    /// The outcome of [`Effect::Keep`]: kept, loaded and its acceptance journaled.
    DefinitionKept(Result<(), Refusal>),
    /// A record is in the journal and applied.
    Applied(Record<L>),
    /// The ledger refused a record: nothing was written or changed.
    Refused(Refusal),
    /// The journal could not be written: nothing more is accepted.
    JournalFailed(String),
    /// The outcome of [`Effect::CheckPin`] (the try is in the journal).
    PinChecked {
        /// Whose PIN.
        person: PersonId,
        /// What it was for.
        act: PinFor<L::Act>,
        /// Right, or why not.
        result: Result<(), Refusal>,
    },
    /// The outcome of [`Effect::Register`]: the name registered, or why not.
    Registered(Result<String, Refusal>),
    /// No key for the idle time: the screen locks.
    Idle,
    /// The outcome of a level's effect.
    Level(L::Event),
}

/// Something the runner must do.
#[derive(Debug, Clone)]
pub enum Effect<L: Level> {
    /// Unlock the body key with the passphrase (wiped when dropped).
    Unlock(Secret),
    /// Look for media.
    Scan,
    /// Verify a definition medium.
    VerifyDefinition(Medium),
    /// Keep the definition, bind the journal, journal its acceptance.
    Keep(Medium, Box<L::Definition>),
    /// Write the record to the journal, then apply it.
    Persist(Record<L>),
    /// Check a person's PIN (the delay after wrong ones first), journal the try.
    CheckPin {
        /// Whose PIN.
        person: PersonId,
        /// As typed.
        pin: Secret,
        /// What it opens.
        act: PinFor<L::Act>,
    },
    /// Hash the PIN and journal the registration.
    Register(NewPerson),
    /// Stop the program.
    Quit,
    /// A level's effect.
    Level(L::Effect),
}

/// A line for the official below the screen: a catalogue text (so it follows a change of
/// language), and whether it reports a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// A problem (shown with `X`).
    pub error: bool,
    /// A text around it (`Geweigerd: {0}`), when any.
    pub prefix: Option<Msg>,
    /// The text.
    pub text: Refusal,
}

impl Note {
    /// The note in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let inner = self.text.text(lang);
        match self.prefix {
            Some(p) => p.fill(lang, &[&inner]),
            None => inner,
        }
    }
}

/// The whole state of the terminal at level `L`.
#[derive(Debug, Clone)]
pub struct State<L: Level> {
    /// The language.
    pub lang: Lang,
    /// Whether this is the demo (marked on every screen).
    pub demo: bool,
    /// What the start screen shows.
    pub identity: Identity,
    /// The screen.
    pub screen: Screen<L>,
    /// What the journal has built (changed by the runner only).
    pub ledger: L::Ledger,
    /// The level's state beyond the ledger.
    pub level: L::Extra,
    /// The passphrase being typed (never shown).
    pub passphrase: Secret,
    /// Why the last unlock was refused.
    pub unlock_error: Option<Refusal>,
    /// Whether the body key is unlocked.
    pub unlocked: bool,
    /// Whether the help is open over the screen.
    pub help: bool,
    /// The first row of the help shown (Up/Down and PgUp/PgDn scroll a help longer than
    /// the screen).
    pub help_scroll: usize,
    /// How far the help can scroll, as the view last found it.
    pub help_max_scroll: std::cell::Cell<usize>,
    /// The last note.
    pub note: Option<Note>,
    /// The journal's record count and chain hash, as the runner wrote or read it.
    pub journal_head: Option<ChainHead>,
    /// The person whose PIN opened the act on screen (cleared when the screen locks).
    pub signed_in: Option<PersonId>,
    /// The PC's clock (seconds since 1970) as the runner last read it, for the start screen.
    pub clock: Option<i64>,
    /// The version and source commit of the running system (`--system-version`; the
    /// appliance's init passes what is built into the image), for the start screen.
    pub system_version: Option<String>,
    seed: u64,
}

impl<L: Level> State<L> {
    /// A fresh state at the start screen. `seed` (from the OS's random source) chooses the
    /// hash-code groups asked.
    pub fn new(lang: Lang, demo: bool, identity: Identity, seed: u64) -> State<L> {
        State {
            lang,
            demo,
            identity,
            screen: Screen::Start,
            ledger: L::Ledger::default(),
            level: L::Extra::default(),
            passphrase: Secret::default(),
            unlock_error: None,
            unlocked: false,
            help: false,
            help_scroll: 0,
            help_max_scroll: std::cell::Cell::new(0),
            note: None,
            journal_head: None,
            signed_in: None,
            clock: None,
            system_version: None,
            seed,
        }
    }

    /// Sets the seed of the hash-code groups: the real screen reads the OS's random source on
    /// a thread and sets it after the first screen is drawn, before the first key is handled
    /// ([`crate::screen::SeedSource`]).
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
    }

    /// The next seed for a choice of hash-code groups (a 64-bit LCG step from the OS seed).
    pub fn next_seed(&mut self) -> u64 {
        self.seed = self
            .seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.seed
    }

    /// A note that informs.
    pub fn info(&mut self, msg: Msg, args: &[&str]) {
        self.note = Some(Note {
            error: false,
            prefix: None,
            text: Refusal::with(msg, args, ""),
        });
    }

    /// A note that reports a problem.
    pub fn error(&mut self, text: Refusal) {
        self.note = Some(Note {
            error: true,
            prefix: None,
            text,
        });
    }

    /// A problem with a text around it.
    pub fn refused(&mut self, prefix: Msg, text: Refusal) {
        self.note = Some(Note {
            error: true,
            prefix: Some(prefix),
            text,
        });
    }

    /// A refusal shown where the screen on show has its own (the media list, the PIN prompt,
    /// the people's form), else as the note.
    pub fn refused_here(&mut self, r: Refusal) {
        match &mut self.screen {
            Screen::Media(list) => list.error = Some(r),
            Screen::Pin(prompt) => prompt.error = Some(r),
            Screen::People(form) => form.error = Some(r),
            _ => self.error(r),
        }
    }

    /// Goes to a level screen.
    pub fn go(&mut self, screen: L::Screen) {
        self.screen = Screen::Level(screen);
    }

    /// The level screen on show, if one is.
    pub fn level_screen(&self) -> Option<&L::Screen> {
        match &self.screen {
            Screen::Level(s) => Some(s),
            _ => None,
        }
    }

    /// Opens a media list and asks for a scan.
    pub fn media(&mut self, purpose: Purpose) -> Vec<Effect<L>> {
        self.screen = Screen::Media(MediaList::new(purpose));
        vec![Effect::Scan]
    }

    /// Back to where the level is: the definition, the first registration, or the level's
    /// own screen (through its PIN guard).
    pub fn resume(&mut self) -> Vec<Effect<L>> {
        if !L::has_definition(self) {
            return self.media(Purpose::Definition);
        }
        if L::people(&self.ledger).registry.is_empty() {
            // The first coordinator is registered before any work.
            self.screen = Screen::People(PeopleForm::new(None));
            return Vec::new();
        }
        let screen = L::resume(self);
        self.guarded(screen);
        Vec::new()
    }

    /// Goes to a level screen, through the PIN prompt when the screen asks for one.
    pub fn guarded(&mut self, screen: L::Screen) {
        match L::guard(self, &screen) {
            Some(g) => self.pin(Guard {
                role: g.role,
                only: g.only,
                except: g.except,
                act: PinFor::Level(g.act),
            }),
            None => self.go(screen),
        }
    }

    /// Asks for a registered person's PIN before `guard.act`.
    pub fn pin(&mut self, guard: Guard<PinFor<L::Act>>) {
        self.screen = Screen::Pin(PinPrompt::new(guard));
    }

    /// Asks for a coordinator's PIN before the level's `act`.
    pub fn coordinator(&mut self, act: L::Act) {
        self.pin(Guard::coordinator(PinFor::Level(act)));
    }

    /// Locks the screen: back where nobody is signed in; the next act asks a PIN again.
    /// A screen that belongs to a person goes back behind that person's PIN prompt (Esc
    /// there leads to the overview); a PIN prompt or the people's form goes to the overview.
    pub fn lock(&mut self) {
        self.signed_in = None;
        let guarded = match &self.screen {
            Screen::Level(s) if L::guard(self, s).is_some() => Some(s.clone()),
            _ => None,
        };
        match guarded {
            Some(screen) => self.guarded(screen),
            None => {
                let screen = L::locked(self);
                self.go(screen);
            }
        }
        self.info(Msg::ScreenLocked, &[]);
    }

    /// Whether a screen that belongs to a person (or a PIN being typed) is on show.
    fn personal(&self) -> bool {
        match &self.screen {
            Screen::Pin(_) => true,
            Screen::People(_) => !L::people(&self.ledger).registry.is_empty(),
            Screen::Level(s) => L::guard(self, s).is_some(),
            _ => false,
        }
    }
}

/// Moves a cursor or scrolls a list by a key: Up and Down one, and where `pages`, PgUp and
/// PgDn ten; down no further than `max`. The same keys on every screen and level. Whether
/// the key was one of these.
pub fn scroll(at: &mut usize, code: KeyCode, pages: bool, max: usize) -> bool {
    match code {
        KeyCode::Up => *at = at.saturating_sub(1),
        KeyCode::PageUp if pages => *at = at.saturating_sub(10),
        KeyCode::Down => *at = at.saturating_add(1).min(max.max(*at)),
        KeyCode::PageDown if pages => *at = at.saturating_add(10).min(max.max(*at)),
        _ => return false,
    }
    true
}

/// Whether `key` is Ctrl + `c`.
pub fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

/// The pure update: changes what is typed on screen, and asks for everything else.
pub fn update<L: Level>(state: &mut State<L>, event: Event<L>) -> Vec<Effect<L>> {
    match event {
        Event::Key(key) => on_key(state, key),
        Event::Unlocked(Ok(())) => {
            state.unlocked = true;
            state.unlock_error = None;
            // A note from the start (a torn journal record) stays until the next key.
            if state.note.as_ref().is_some_and(|n| !n.error) {
                state.note = None;
            }
            L::refresh(state);
            state.resume()
        }
        Event::Unlocked(Err(r)) => {
            state.passphrase = Secret::default();
            state.unlock_error = Some(r);
            Vec::new()
        }
        Event::Media(found) => {
            if let Screen::Media(list) = &mut state.screen {
                list.items = found;
                list.selected = list.selected.min(list.items.len().saturating_sub(1));
            }
            Vec::new()
        }
        Event::DefinitionVerified(Ok(def)) => {
            let medium = match &state.screen {
                Screen::Media(list) => list.items.get(list.selected).cloned(),
                _ => None,
            };
            if let Some(medium) = medium {
                let (sha_110a, lists) = L::paper_hashes(&def);
                let seed = state.next_seed();
                let which = L::asked_230b(&def, seed);
                let mut files = vec![PaperFile::new("110a", "110a", &sha_110a)];
                if let Some((name, sha)) = lists.get(which) {
                    files.push(PaperFile::new("230b", name, sha));
                }
                let groups = GroupsInput::new(files, state.next_seed());
                state.note = None;
                state.screen = Screen::Definition {
                    def,
                    medium,
                    groups,
                };
            }
            Vec::new()
        }
        // Shown on the media screen, wrapped; the refusal says "refused" itself.
        Event::DefinitionVerified(Err(r))
        | Event::PinChecked { result: Err(r), .. }
        | Event::Registered(Err(r)) => {
            state.refused_here(r);
            Vec::new()
        }
        Event::DefinitionKept(Err(r)) => {
            state.error(r);
            Vec::new()
        }
        Event::DefinitionKept(Ok(())) => {
            L::refresh(state);
            let effects = state.resume();
            state.info(Msg::DefinitionLoaded, &[]);
            effects
        }
        Event::Applied(record) => {
            L::refresh(state);
            L::applied(state, &record);
            Vec::new()
        }
        Event::Refused(r) => {
            state.error(r);
            Vec::new()
        }
        Event::JournalFailed(why) => {
            state.screen = Screen::Fatal(why);
            Vec::new()
        }
        Event::PinChecked {
            person,
            act,
            result: Ok(()),
        } => {
            state.signed_in = Some(person);
            match act {
                PinFor::People => {
                    state.screen = Screen::People(PeopleForm::new(Some(person)));
                    Vec::new()
                }
                PinFor::Level(act) => L::authorized(state, person, act),
            }
        }
        Event::Registered(Ok(name)) => {
            if let Screen::People(form) = &state.screen {
                if form.by.is_none() {
                    let effects = state.resume();
                    state.info(Msg::PersonRegistered, &[&name]);
                    return effects;
                }
                state.screen = Screen::People(PeopleForm::new(form.by));
            }
            state.info(Msg::PersonRegistered, &[&name]);
            Vec::new()
        }
        Event::Idle => {
            if state.personal() && !state.help {
                state.lock();
            }
            Vec::new()
        }
        Event::Level(e) => L::event(state, e),
    }
}

fn on_key<L: Level>(state: &mut State<L>, key: KeyEvent) -> Vec<Effect<L>> {
    if ctrl(&key, 'q') {
        return vec![Effect::Quit];
    }
    if matches!(state.screen, Screen::Fatal(_)) {
        return Vec::new();
    }
    if state.help {
        // Only F1 or Esc close the help, and the arrows scroll it: no key acts on a screen
        // the official cannot see.
        if matches!(key.code, KeyCode::F(1) | KeyCode::Esc) {
            state.help = false;
        } else {
            let max = state.help_max_scroll.get();
            scroll(&mut state.help_scroll, key.code, true, max);
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::F(1) => {
            state.help = true;
            state.help_scroll = 0;
            return Vec::new();
        }
        KeyCode::F(2) => {
            state.lang = state.lang.toggled();
            return Vec::new();
        }
        // The lock key: wherever a person is signed in, back to where nobody is.
        KeyCode::F(12) if state.personal() => {
            state.lock();
            return Vec::new();
        }
        _ => {}
    }
    // A note stays until the next key (on the start screen until the passphrase is taken:
    // a journal record dropped at start must be seen after the passphrase too).
    if !matches!(state.screen, Screen::Start) {
        state.note = None;
    }
    // The people key: on a screen nobody is signed in on, a coordinator registers.
    if key.code == KeyCode::F(9)
        && let Screen::Level(screen) = &state.screen
        && L::guard(state, screen).is_none()
    {
        state.pin(Guard::coordinator(PinFor::People));
        return Vec::new();
    }
    match &mut state.screen {
        Screen::Start => {
            match key.code {
                KeyCode::Enter if !state.passphrase.0.is_empty() => {
                    return vec![Effect::Unlock(std::mem::take(&mut state.passphrase))];
                }
                KeyCode::Backspace => {
                    state.passphrase.0.pop();
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    if state.passphrase.0.chars().count() < 256 {
                        state.passphrase.0.push(c);
                    }
                    state.unlock_error = None;
                }
                _ => {}
            }
            Vec::new()
        }
        Screen::Media(list) => {
            let last = list.items.len().saturating_sub(1);
            if scroll(&mut list.selected, key.code, false, last) {
                return Vec::new();
            }
            match key.code {
                KeyCode::F(5) => {
                    list.error = None;
                    vec![Effect::Scan]
                }
                KeyCode::Enter => match (list.items.get(list.selected).cloned(), list.purpose) {
                    (None, _) => vec![Effect::Scan],
                    (Some(m), Purpose::Definition) => {
                        list.error = None;
                        vec![Effect::VerifyDefinition(m)]
                    }
                    (Some(m), Purpose::Import) => L::import_chosen(state, m),
                },
                KeyCode::Esc if list.purpose == Purpose::Import => L::import_left(state),
                _ => Vec::new(),
            }
        }
        Screen::Definition {
            def,
            medium,
            groups,
        } => match key.code {
            KeyCode::Esc => state.media(Purpose::Definition),
            KeyCode::Enter if groups.complete() => match groups.check() {
                Ok(()) => vec![Effect::Keep(medium.clone(), def.clone())],
                Err(r) => {
                    state.error(r);
                    Vec::new()
                }
            },
            code => {
                groups.key(code);
                Vec::new()
            }
        },
        Screen::Fatal(_) => Vec::new(),
        Screen::Pin(prompt) => match prompt.key(&key, &L::people(&state.ledger).registry) {
            PinKey::Typed => Vec::new(),
            PinKey::Check(person, pin) => vec![Effect::CheckPin {
                person,
                pin,
                act: prompt.guard.act.clone(),
            }],
            PinKey::Leave => {
                let screen = L::locked(state);
                state.go(screen);
                Vec::new()
            }
        },
        Screen::People(form) => {
            let registry = &L::people(&state.ledger).registry;
            if key.code == KeyCode::Esc {
                // The first coordinator must be registered before anything else.
                if !registry.is_empty() {
                    let screen = L::locked(state);
                    state.go(screen);
                }
                return Vec::new();
            }
            form.key(&key, registry)
                .map(Effect::Register)
                .into_iter()
                .collect()
        }
        Screen::Level(_) => L::key(state, key),
    }
}
