//! The screen logic of the HSB and CSB: the [`State`], and a pure [`update`] from an
//! [`Event`] to [`Effect`]s. `update` does no I/O; every decision leaves it as
//! [`Effect::Persist`] (or as an effect whose outcome the runner journals), and the screen
//! moves on only when the runner reports it applied.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tally_core::aggregate::{AggregateError, AggregationLevel, BodyState, ImportOutcome};
use tally_core::apportionment::{CandidateDrawing, CandidateLot, SeatDrawing, SeatLot};
use tally_core::counts::CountFile;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_signing::ContentKind;

use super::model::{Computation, Definition, Ledger, ListOutcome, Record, RefusedFile};
use super::services::{ExportDone, Identity, MediumEntry, Refusal, VerifiedCount};
use crate::text::{Lang, Msg};

/// What a media list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The election definition.
    Definition,
    /// A result of the level below.
    Import,
}

/// Two hash-code groups being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    /// The groups asked (indices from 0).
    pub asked: [usize; 2],
    /// What is typed so far.
    pub typed: [String; 2],
    /// The field being typed (0 or 1).
    pub field: usize,
}

impl Groups {
    fn new(seed: u64) -> Groups {
        Groups {
            asked: crate::hash_groups::asked::<1>(seed)[0],
            typed: [String::new(), String::new()],
            field: 0,
        }
    }

    fn key(&mut self, code: KeyCode) {
        let field = if self.field == 0 {
            &mut self.typed[0]
        } else {
            &mut self.typed[1]
        };
        match code {
            KeyCode::Char(c) if c.is_ascii_hexdigit() && field.len() < 4 => {
                field.push(c.to_ascii_lowercase());
                if field.len() == 4 && self.field == 0 {
                    self.field = 1;
                }
            }
            KeyCode::Backspace if field.pop().is_none() && self.field == 1 => {
                self.field = 0;
            }
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
                self.field = 1 - self.field.min(1);
            }
            _ => {}
        }
    }

    /// Checks the typed groups; on a mismatch which of the two (0 or 1) and why.
    fn check(&self, sha256_hex: &str) -> Result<(), (usize, Refusal)> {
        let [ta, tb] = &self.typed;
        crate::hash_groups::check(sha256_hex, self.asked, [ta, tb])
    }
}

/// The screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Identity and passphrase.
    Start,
    /// A list of signed media on the stick.
    Media {
        /// What for.
        purpose: Purpose,
        /// The media.
        items: Vec<MediumEntry>,
        /// The highlighted one.
        cursor: usize,
    },
    /// The verified definition, checked against the paper.
    DefinitionCheck {
        /// The definition.
        def: Box<Definition>,
        /// The medium it came from.
        medium: MediumEntry,
        /// The 110a's hash-code groups typed.
        groups: Groups,
        /// The groups of one 230b's hash code typed.
        lists: Groups,
        /// Which 230b ([`Definition::lists_230b`]) is asked.
        list_file: usize,
        /// Which is being typed: 0 the 110a's groups, 1 the 230b's.
        part: usize,
    },
    /// Which bodies are in, missing, refused.
    Overview,
    /// A verified file, checked against the paper report.
    ImportCheck {
        /// The file.
        count: Box<VerifiedCount>,
        /// Its hash-code groups typed.
        groups: Groups,
    },
    /// A correction side by side.
    Correction,
    /// The comparison figures of the total.
    Figures,
    /// The apportionment, step by step.
    Seats,
    /// A drawing of lots.
    Lot,
    /// The elected candidates.
    Candidates,
    /// The result written.
    Done,
}

/// A line for the official: a text, and whether it is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// An error (shown with `X`).
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

/// The terminal's state at a higher level.
#[derive(Debug, Clone)]
pub struct State {
    /// Language.
    pub lang: Lang,
    /// Demo mode.
    pub demo: bool,
    /// What the start screen shows.
    pub identity: Identity,
    /// The screen.
    pub screen: Screen,
    /// Everything decided (replaced by the runner only).
    pub ledger: Ledger,
    /// The passphrase or the lot being typed.
    pub input: String,
    /// The last message.
    pub note: Option<Note>,
    /// Scroll offset of long screens.
    pub scroll: u16,
    /// The total when every body is in, as shown (refreshed after every change).
    pub total: Option<Result<CountFile, AggregateError>>,
    /// The calculation at a CSB (refreshed after every change).
    pub outcome: Option<Result<Computation, String>>,
    /// The help of the screen is shown (F1).
    pub help: bool,
    seed: u64,
    /// The journal's record count and chain hash, followed as records are written.
    pub journal_head: Option<crate::journaled::ChainHead>,
}

/// What happens to the state.
#[derive(Debug, Clone)]
pub enum Event {
    /// A key.
    Key(KeyEvent),
    /// The key was unlocked, or not.
    Unlocked(Result<(), Refusal>),
    /// The media present.
    Media(Vec<MediumEntry>),
    /// A definition medium verified.
    DefinitionVerified(Result<Box<Definition>, Refusal>),
    /// The definition kept and accepted (journaled).
    DefinitionKept(Result<(), Refusal>),
    /// A count medium verified.
    CountVerified(MediumEntry, Result<Box<VerifiedCount>, Refusal>),
    /// An import's outcome (journaled), or its refusal (journaled as refused).
    Imported(Result<ImportOutcome, Refusal>),
    /// A record was written to the journal and applied.
    Applied(Record),
    /// A record did not fit; nothing changed.
    Refused(String),
    /// The journal cannot be written; nothing changed.
    JournalFailed(String),
    /// The export's outcome.
    Exported(Result<ExportDone, Refusal>),
}

/// What the runner must do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Unlock the key.
    Unlock(String),
    /// Look for media.
    Scan,
    /// Verify a definition medium.
    VerifyDefinition(MediumEntry),
    /// Keep the definition, bind the journal, journal its acceptance.
    Keep(MediumEntry, Box<Definition>),
    /// Verify a count medium of this kind.
    VerifyCount(MediumEntry, ContentKind),
    /// Keep the file and journal its import (or its refusal by the registry).
    Import(Box<VerifiedCount>),
    /// Journal and apply a record.
    Persist(Record),
    /// Build, sign and write the result; journal it.
    Export,
    /// Stop.
    Quit,
}

impl State {
    /// The state at start.
    pub fn new(lang: Lang, demo: bool, identity: Identity, seed: u64) -> State {
        State {
            lang,
            demo,
            identity,
            screen: Screen::Start,
            ledger: Ledger::default(),
            input: String::new(),
            note: None,
            scroll: 0,
            total: None,
            outcome: None,
            help: false,
            journal_head: None,
            seed,
        }
    }

    fn next_seed(&mut self) -> u64 {
        self.seed = self
            .seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.seed
    }

    /// Recomputes the calculation from the ledger.
    pub fn refresh(&mut self) {
        self.total = self.ledger.shown_total();
        self.outcome = self.ledger.outcome_of(self.total.as_ref());
    }

    fn info(&mut self, msg: Msg, args: &[&str]) {
        self.note = Some(Note {
            error: false,
            prefix: None,
            text: Refusal::with(msg, args, ""),
        });
    }

    fn error(&mut self, text: Refusal) {
        self.note = Some(Note {
            error: true,
            prefix: None,
            text,
        });
    }

    fn refused(&mut self, prefix: Msg, text: Refusal) {
        self.note = Some(Note {
            error: true,
            prefix: Some(prefix),
            text,
        });
    }

    fn go(&mut self, screen: Screen) {
        self.screen = screen;
        self.scroll = 0;
    }

    /// The screen to show after the passphrase (or after a restart): where the work is.
    pub fn resume_screen(&self) -> Screen {
        let l = &self.ledger;
        if !l.accepted {
            return Screen::Media {
                purpose: Purpose::Definition,
                items: Vec::new(),
                cursor: 0,
            };
        }
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

    /// The kind of medium this level imports.
    pub fn import_kind(&self) -> ContentKind {
        match self.ledger.definition.as_ref().map(|d| d.level) {
            Some(AggregationLevel::Central) => ContentKind::Results510c,
            _ => ContentKind::Results510b,
        }
    }

    /// Whether this is a CSB (by the certificate).
    pub fn is_central(&self) -> bool {
        self.identity.role == "CSB"
    }

    fn after_lot_screen(&self) -> Screen {
        match &self.outcome {
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

/// The pure screen logic: the state changes for `event`, and what the runner must do.
pub fn update(state: &mut State, event: Event) -> Vec<Effect> {
    match event {
        Event::Key(key) => on_key(state, key),
        Event::Unlocked(Ok(())) => {
            state.input.clear();
            state.note = None;
            state.refresh();
            let screen = state.resume_screen();
            let scan = matches!(screen, Screen::Media { .. });
            state.go(screen);
            if scan { vec![Effect::Scan] } else { vec![] }
        }
        Event::Unlocked(Err(r)) => {
            state.input.clear();
            state.error(r);
            vec![]
        }
        Event::Media(found) => {
            if let Screen::Media { items, cursor, .. } = &mut state.screen {
                *items = found;
                *cursor = (*cursor).min(items.len().saturating_sub(1));
            }
            vec![]
        }
        Event::DefinitionVerified(Ok(def)) => {
            let medium = match &state.screen {
                Screen::Media { items, cursor, .. } => items.get(*cursor).cloned(),
                _ => None,
            };
            if let Some(medium) = medium {
                let groups = Groups::new(state.next_seed());
                let lists = Groups::new(state.next_seed());
                let n = def.lists_230b.len().max(1);
                let list_file = usize::try_from(state.next_seed() % (n as u64)).unwrap_or(0);
                state.note = None;
                state.go(Screen::DefinitionCheck {
                    def,
                    medium,
                    groups,
                    lists,
                    list_file,
                    part: 0,
                });
            }
            vec![]
        }
        Event::DefinitionVerified(Err(r)) => {
            state.refused(Msg::DefinitionRefused, r);
            vec![]
        }
        Event::DefinitionKept(Ok(())) => {
            state.info(Msg::DefinitionAccepted, &[]);
            state.refresh();
            let screen = state.resume_screen();
            state.go(screen);
            vec![]
        }
        Event::DefinitionKept(Err(r)) => {
            state.refused(Msg::DefinitionRefused, r);
            vec![]
        }
        Event::CountVerified(_, Ok(count)) => {
            let again = state.ledger.aggregation.as_ref().and_then(|agg| {
                agg.bodies().iter().find_map(|(b, s)| match s {
                    BodyState::Imported(f) if f.sha256.to_hex() == count.sha256 => {
                        Some(b.id.clone())
                    }
                    _ => None,
                })
            });
            if let Some(body) = again {
                state.info(Msg::AlreadyImported, &[&body]);
                state.go(Screen::Overview);
                return vec![];
            }
            let groups = Groups::new(state.next_seed());
            state.note = None;
            state.go(Screen::ImportCheck { count, groups });
            vec![]
        }
        Event::CountVerified(medium, Err(r)) => {
            let record = refused_record(&medium.label, "", None, &r);
            state.refused(Msg::FileRefused, r.clone());
            state.go(Screen::Overview);
            vec![Effect::Persist(record)]
        }
        Event::Imported(Ok(outcome)) => {
            match outcome {
                ImportOutcome::Imported { body } => {
                    state.info(Msg::Imported, &[&body]);
                    state.go(Screen::Overview);
                }
                ImportOutcome::AlreadyImported { body } => {
                    state.info(Msg::AlreadyImported, &[&body]);
                    state.go(Screen::Overview);
                }
                ImportOutcome::CorrectionPending(_) => {
                    state.note = None;
                    state.go(Screen::Correction);
                }
            }
            state.refresh();
            vec![]
        }
        Event::Imported(Err(r)) => {
            state.refused(Msg::FileRefused, r.clone());
            state.go(Screen::Overview);
            vec![]
        }
        Event::Applied(record) => {
            state.refresh();
            match record {
                Record::CorrectionDecided { body, accept } => {
                    let msg = if accept {
                        Msg::CorrectionAccepted
                    } else {
                        Msg::CorrectionRejected
                    };
                    state.info(msg, &[&body]);
                    let screen = state.resume_screen();
                    state.go(screen);
                }
                Record::SeatLot(_) | Record::CandidateLot(_) => {
                    state.input.clear();
                    state.note = None;
                    let screen = match state.after_lot_screen() {
                        Screen::Candidates if matches!(record, Record::SeatLot(_)) => Screen::Seats,
                        s => s,
                    };
                    state.go(screen);
                }
                Record::Exported { .. } => state.go(Screen::Done),
                _ => {}
            }
            vec![]
        }
        Event::Refused(why) => {
            state.error(Refusal::with(Msg::StepRefused, &[&why], ""));
            vec![]
        }
        Event::JournalFailed(why) => {
            state.error(Refusal::with(Msg::JournalFailedNothingChanged, &[&why], ""));
            vec![]
        }
        Event::Exported(Ok(_)) => vec![],
        Event::Exported(Err(r)) => {
            state.error(r);
            vec![]
        }
    }
}

fn letter(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(c.to_ascii_lowercase())
        }
        _ => None,
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('q') {
        return vec![Effect::Quit];
    }
    if key.code == KeyCode::F(2) {
        state.lang = state.lang.toggled();
        return vec![];
    }
    if key.code == KeyCode::F(1) {
        state.help = !state.help;
        return vec![];
    }
    if state.help {
        // Any other key closes the help first.
        state.help = false;
        return vec![];
    }
    // A message stays until the next key.
    state.note = None;
    match key.code {
        KeyCode::PageDown => {
            state.scroll = state.scroll.saturating_add(10);
            return vec![];
        }
        KeyCode::PageUp => {
            state.scroll = state.scroll.saturating_sub(10);
            return vec![];
        }
        _ => {}
    }
    let scrolls = matches!(
        state.screen,
        Screen::Overview
            | Screen::Correction
            | Screen::Figures
            | Screen::Seats
            | Screen::Candidates
    );
    if scrolls {
        match key.code {
            KeyCode::Down => {
                state.scroll = state.scroll.saturating_add(1);
                return vec![];
            }
            KeyCode::Up => {
                state.scroll = state.scroll.saturating_sub(1);
                return vec![];
            }
            _ => {}
        }
    }
    let screen = state.screen.clone();
    match screen {
        Screen::Start => match key.code {
            KeyCode::Enter if !state.input.is_empty() => {
                vec![Effect::Unlock(std::mem::take(&mut state.input))]
            }
            KeyCode::Backspace => {
                state.input.pop();
                vec![]
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                if state.input.len() < 256 {
                    state.input.push(c);
                }
                vec![]
            }
            _ => vec![],
        },
        Screen::Media {
            purpose,
            items,
            cursor,
        } => match key.code {
            KeyCode::Up => {
                if let Screen::Media { cursor, .. } = &mut state.screen {
                    *cursor = cursor.saturating_sub(1);
                }
                vec![]
            }
            KeyCode::Down => {
                if let Screen::Media { cursor, items, .. } = &mut state.screen {
                    *cursor = (*cursor + 1).min(items.len().saturating_sub(1));
                }
                vec![]
            }
            KeyCode::Enter => match items.get(cursor) {
                Some(m) if purpose == Purpose::Definition => {
                    vec![Effect::VerifyDefinition(m.clone())]
                }
                Some(m) => vec![Effect::VerifyCount(m.clone(), state.import_kind())],
                None => vec![],
            },
            KeyCode::Esc if purpose == Purpose::Import => {
                state.go(Screen::Overview);
                vec![]
            }
            _ if letter(&key) == Some('r') => vec![Effect::Scan],
            _ => vec![],
        },
        Screen::DefinitionCheck { def, medium, .. } => match key.code {
            KeyCode::Esc => {
                state.go(Screen::Media {
                    purpose: Purpose::Definition,
                    items: Vec::new(),
                    cursor: 0,
                });
                vec![Effect::Scan]
            }
            KeyCode::Enter => {
                let Screen::DefinitionCheck {
                    groups,
                    lists,
                    list_file,
                    ..
                } = &state.screen
                else {
                    return vec![];
                };
                // The refusal of the first group that does not match.
                let checked = groups
                    .check(&def.sha256_110a)
                    .map_err(|(w, r)| (0, w, r))
                    .and_then(|()| match def.lists_230b.get(*list_file) {
                        Some((name, sha)) => lists.check(sha).map_err(|(w, mut r)| {
                            r.detail = name.clone();
                            (1, w, r)
                        }),
                        None => Ok(()),
                    });
                match checked {
                    Ok(()) => vec![Effect::Keep(medium, def)],
                    Err((_, _, r)) => {
                        state.error(r);
                        if let Screen::DefinitionCheck {
                            groups,
                            lists,
                            part,
                            ..
                        } = &mut state.screen
                        {
                            for g in [groups, lists] {
                                g.typed = [String::new(), String::new()];
                                g.field = 0;
                            }
                            *part = 0;
                        }
                        vec![]
                    }
                }
            }
            code => {
                if let Screen::DefinitionCheck {
                    groups,
                    lists,
                    part,
                    def,
                    ..
                } = &mut state.screen
                {
                    let has_lists = !def.lists_230b.is_empty();
                    let forward = matches!(code, KeyCode::Tab | KeyCode::Down);
                    let back = matches!(code, KeyCode::BackTab | KeyCode::Up);
                    match *part {
                        0 if has_lists && forward && groups.field == 1 => {
                            *part = 1;
                            lists.field = 0;
                        }
                        0 if has_lists && back && groups.field == 0 => {
                            *part = 1;
                            lists.field = 1;
                        }
                        0 => {
                            groups.key(code);
                            let full = groups.field == 1 && groups.typed[1].len() == 4;
                            if has_lists && full && matches!(code, KeyCode::Char(_)) {
                                *part = 1;
                                lists.field = 0;
                            }
                        }
                        _ if (forward && lists.field == 1) || (back && lists.field == 0) => {
                            *part = 0;
                            groups.field = if forward { 0 } else { 1 };
                        }
                        _ if code == KeyCode::Backspace
                            && lists.field == 0
                            && lists.typed[0].is_empty() =>
                        {
                            *part = 0;
                            groups.field = 1;
                        }
                        _ => lists.key(code),
                    }
                }
                vec![]
            }
        },
        Screen::Overview => match letter(&key) {
            Some('i') => {
                state.note = None;
                state.go(Screen::Media {
                    purpose: Purpose::Import,
                    items: Vec::new(),
                    cursor: 0,
                });
                vec![Effect::Scan]
            }
            Some('k') => {
                let pending = state
                    .ledger
                    .aggregation
                    .as_ref()
                    .is_some_and(|a| a.pending_correction().is_some());
                if pending {
                    state.go(Screen::Correction);
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
                    Some((true, _)) => state.go(Screen::Figures),
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
        Screen::ImportCheck { count, .. } => match key.code {
            KeyCode::Esc => {
                state.go(Screen::Overview);
                vec![]
            }
            KeyCode::Enter => {
                let Screen::ImportCheck { groups, .. } = &state.screen else {
                    return vec![];
                };
                match groups.check(&count.sha256).map_err(|(_, r)| r) {
                    Ok(()) => vec![Effect::Import(count)],
                    Err(r) => {
                        let record = refused_record(&count.file_name, &count.sha256, None, &r);
                        state.refused(Msg::FileRefused, r.clone());
                        state.go(Screen::Overview);
                        vec![Effect::Persist(record)]
                    }
                }
            }
            code => {
                if let Screen::ImportCheck { groups, .. } = &mut state.screen {
                    groups.key(code);
                }
                vec![]
            }
        },
        Screen::Correction => {
            let body = state
                .ledger
                .aggregation
                .as_ref()
                .and_then(|a| a.pending_correction())
                .map(|p| p.body.clone());
            match (key.code, body) {
                (KeyCode::Char('1'), Some(body)) => {
                    vec![Effect::Persist(Record::CorrectionDecided {
                        body,
                        accept: true,
                    })]
                }
                (KeyCode::Char('2'), Some(body)) => {
                    vec![Effect::Persist(Record::CorrectionDecided {
                        body,
                        accept: false,
                    })]
                }
                (KeyCode::Esc, _) => {
                    state.go(Screen::Overview);
                    vec![]
                }
                _ => vec![],
            }
        }
        Screen::Figures => match (key.code, letter(&key)) {
            (KeyCode::Esc, _) => {
                state.go(Screen::Overview);
                vec![]
            }
            (_, Some('e')) if !state.is_central() => vec![Effect::Export],
            (_, Some('z')) if state.is_central() => {
                state.refresh();
                let screen = match &state.outcome {
                    Some(Ok(Computation::SeatLotsNeeded(_))) => Screen::Lot,
                    _ => Screen::Seats,
                };
                state.go(screen);
                vec![]
            }
            _ => vec![],
        },
        Screen::Seats => match key.code {
            KeyCode::Esc => {
                state.go(Screen::Figures);
                vec![]
            }
            KeyCode::Enter => {
                let screen = state.after_lot_screen();
                state.go(screen);
                vec![]
            }
            _ => vec![],
        },
        Screen::Lot => match key.code {
            KeyCode::Esc => {
                state.input.clear();
                state.go(Screen::Seats);
                vec![]
            }
            KeyCode::Backspace => {
                state.input.pop();
                vec![]
            }
            KeyCode::Char(c) if c.is_ascii_digit() && state.input.len() < 4 => {
                state.input.push(c);
                vec![]
            }
            KeyCode::Enter => lot_entered(state),
            _ => vec![],
        },
        Screen::Candidates => match (key.code, letter(&key)) {
            (KeyCode::Esc, _) => {
                state.go(Screen::Seats);
                vec![]
            }
            (_, Some('e')) => vec![Effect::Export],
            _ => vec![],
        },
        Screen::Done => vec![],
    }
}

/// A drawing of lots the calculation waits for, as the core asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingDrawing {
    /// Between lists, for a seat.
    Seat(SeatDrawing),
    /// Between candidates of a list, for a preference seat.
    Candidate(CandidateDrawing),
}

impl PendingDrawing {
    /// The list, for a drawing between candidates.
    pub fn list(&self) -> Option<u32> {
        match self {
            PendingDrawing::Seat(_) => None,
            PendingDrawing::Candidate(d) => Some(d.list.0),
        }
    }

    /// The tied numbers (lists or candidate positions).
    pub fn tied(&self) -> Vec<u32> {
        match self {
            PendingDrawing::Seat(d) => d.tied.iter().map(|l| l.0).collect(),
            PendingDrawing::Candidate(d) => d.tied.iter().map(|p| p.0).collect(),
        }
    }

    /// The drawing in words, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            PendingDrawing::Seat(d) => seat_drawing_text(d, lang),
            PendingDrawing::Candidate(d) => candidate_drawing_text(d, lang),
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
    match state.outcome.as_ref()? {
        Ok(Computation::SeatLotsNeeded(n)) => Some(PendingDrawing::Seat(n.drawing.clone())),
        Ok(Computation::Complete(r)) => r.candidates.iter().find_map(|c| match c {
            ListOutcome::LotsNeeded { drawing, .. } => {
                Some(PendingDrawing::Candidate(drawing.clone()))
            }
            _ => None,
        }),
        Err(_) => None,
    }
}

/// The drawing the calculation waits for: (list for a candidate drawing, its text, the
/// tied numbers).
pub fn pending_drawing(state: &State) -> Option<(Option<u32>, String, Vec<u32>)> {
    pending_lot(state).map(|p| (p.list(), p.text(state.lang), p.tied()))
}

fn lot_entered(state: &mut State) -> Vec<Effect> {
    let Some(pending) = pending_lot(state) else {
        return vec![];
    };
    let typed = state.input.clone();
    let Some(drawn) = typed
        .parse::<u32>()
        .ok()
        .filter(|n| pending.tied().contains(n))
    else {
        state.error(Refusal::with(Msg::LotNotTied, &[&typed], ""));
        state.input.clear();
        return vec![];
    };
    let record = match pending {
        PendingDrawing::Seat(drawing) => Record::SeatLot(SeatLot {
            drawing,
            drawn: ListNumber(drawn),
        }),
        PendingDrawing::Candidate(drawing) => Record::CandidateLot(CandidateLot {
            drawing,
            drawn: CandidatePosition(drawn),
        }),
    };
    vec![Effect::Persist(record)]
}
