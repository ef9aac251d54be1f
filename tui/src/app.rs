//! The screen logic: the state, and a pure [`update`] from an event to effects.
//!
//! [`update`] never does I/O. What must last (a completed field, a started entry, a
//! decision, the screen) leaves it as [`Effect::Persist`]; the runner writes it to the
//! journal, applies it to [`State::tally`], and only then reports it back as
//! [`Event::Applied`]. So the cursor moves past a field only once the field is in the journal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use tally_core::ids::CandidatePosition;

use crate::form::{FieldId, FieldValue};
use crate::model::{Decision, Place, Record, Slot, Status, Tally, parse_count};
use crate::services::{ExportReport, Identity, Medium, Refusal, VerifiedDefinition};
use crate::text::{Lang, Msg};

/// Something that happened: a key, or the outcome of an effect.
#[derive(Debug, Clone)]
pub enum Event {
    /// A key press.
    Key(KeyEvent),
    /// The outcome of [`Effect::Unlock`].
    Unlocked(Result<(), Refusal>),
    /// The outcome of [`Effect::ScanMedia`].
    MediaFound(Vec<Medium>),
    /// The outcome of [`Effect::Verify`].
    Verified(Result<Box<VerifiedDefinition>, Refusal>),
    /// The outcome of [`Effect::Keep`]: the definition is kept and pending in the tally.
    Kept(Result<Box<VerifiedDefinition>, Refusal>),
    /// The outcome of [`Effect::Export`].
    Exported(Result<ExportReport, Refusal>),
    /// A record is in the journal and applied to the tally.
    Applied(Record),
    /// The journal could not be written (or read back); nothing more is accepted.
    JournalFailed(String),
    /// The core refused a step (nothing was written); shown as a problem.
    Refused(String),
}

/// Something the runner must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Write the record to the journal, then apply it.
    Persist(Record),
    /// Unlock the body key.
    Unlock(String),
    /// Look for media.
    ScanMedia,
    /// Verify a definition medium.
    Verify(Medium),
    /// Keep the verified definition in the data directory.
    Keep(Box<VerifiedDefinition>),
    /// Write the signed result.
    Export,
    /// Stop the program.
    Quit,
}

/// The screen on show, with what is typed on it but not yet completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Fingerprints and the passphrase.
    Start {
        /// Typed so far (never shown).
        passphrase: String,
        /// Why the last attempt was refused.
        error: Option<Refusal>,
    },
    /// Choosing the definition medium.
    Media {
        /// The media found.
        media: Vec<Medium>,
        /// The highlighted one.
        selected: usize,
        /// Why the last one was refused.
        error: Option<Refusal>,
    },
    /// Checking the verified definition against the paper.
    Definition {
        /// The verified definition.
        definition: Box<VerifiedDefinition>,
        /// The four typed groups (two of the 110a, two of the 230b).
        inputs: [String; 4],
        /// The group being typed.
        focus: usize,
        /// Which group did not match: (index into `inputs`).
        mismatch: Option<usize>,
    },
    /// The polling stations.
    Overview {
        /// The highlighted station (index into the election's stations).
        selected: usize,
    },
    /// The typist's name before an entry.
    Typist {
        /// The station.
        station: u32,
        /// Which entry.
        slot: Slot,
        /// Typed so far.
        name: String,
        /// Why the name was refused.
        error: Option<String>,
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
    /// The municipal total and the export.
    Total,
    /// The journal failed: nothing more is accepted.
    Fatal(String),
}

/// A line at the bottom: what just happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Whether it reports a problem.
    pub problem: bool,
    /// The text.
    pub text: String,
}

/// The whole state of the terminal.
#[derive(Debug, Clone)]
pub struct State {
    /// The language.
    pub lang: Lang,
    /// Whether this is the demo (marked on every screen).
    pub demo: bool,
    /// What the start screen shows.
    pub identity: Identity,
    /// What the journal has built up.
    pub tally: Tally,
    /// The screen.
    pub screen: Screen,
    /// Whether the help is open over the screen.
    pub help: bool,
    /// The last notice.
    pub notice: Option<Notice>,
    /// Which hash-code groups (0..16) the official types: two of the 110a, two of the 230b.
    pub hash_groups: [usize; 4],
    /// Whether the body key is unlocked.
    pub unlocked: bool,
    /// Whether the total screen shows the 510b's hash code large.
    pub big_hash: bool,
    /// The first comparison figure shown on the total screen (when they do not all fit).
    pub figures_scroll: usize,
    /// The largest useful `figures_scroll` at the last render (the view knows how many
    /// rows fit; it notes it here so Down stops where the view does).
    pub figures_max_scroll: std::cell::Cell<usize>,
    /// The number and chain hash of the journal's last record, as the runner wrote or read
    /// it (shown short on the overview, so a journal cut short is noticed).
    pub journal_head: Option<crate::runner::ChainHead>,
    /// The station selected on the overview when the total was opened, so that Esc from
    /// the total returns to it (not to station 1).
    pub overview_selected: usize,
}

impl State {
    /// A fresh state at the start screen. `seed` chooses the hash-code groups asked for.
    pub fn new(lang: Lang, demo: bool, identity: Identity, seed: u64) -> State {
        State {
            lang,
            demo,
            identity,
            tally: Tally::default(),
            screen: Screen::Start {
                passphrase: String::new(),
                error: None,
            },
            help: false,
            notice: None,
            hash_groups: choose_groups(seed),
            unlocked: false,
            big_hash: false,
            figures_scroll: 0,
            figures_max_scroll: std::cell::Cell::new(0),
            journal_head: None,
            overview_selected: 0,
        }
    }

    fn notice(&mut self, problem: bool, text: String) {
        self.notice = Some(Notice { problem, text });
    }

    fn info(&mut self, msg: Msg) {
        let t = msg.text(self.lang).to_string();
        self.notice(false, t);
    }

    fn problem(&mut self, text: String) {
        self.notice(true, text);
    }

    /// The station numbers in overview order.
    pub fn station_numbers(&self) -> Vec<u32> {
        self.tally.stations.keys().copied().collect()
    }

    /// The screen for a place.
    pub fn screen_for(&self, place: Place) -> Screen {
        match place {
            Place::Overview => Screen::Overview {
                selected: match &self.screen {
                    Screen::Overview { selected } => *selected,
                    Screen::Entry { station, .. }
                    | Screen::Typist { station, .. }
                    | Screen::Finish { station, .. }
                    | Screen::Coordinator { station, .. } => self
                        .station_numbers()
                        .iter()
                        .position(|s| s == station)
                        .unwrap_or(0),
                    Screen::Total => self.overview_selected,
                    _ => 0,
                },
            },
            Place::Entry { station, slot } => Screen::Entry {
                station,
                slot,
                input: self.current_text(station, slot),
                dirty: false,
                jump: None,
            },
            Place::Coordinator { station } => Screen::Coordinator { station, scroll: 0 },
            Place::Total => Screen::Total,
        }
    }

    /// The field under the cursor of an entry, with its index.
    pub fn cursor_field(&self, station: u32, slot: Slot) -> Option<(usize, FieldId)> {
        let form = self.tally.form()?;
        let entry = self.tally.stations.get(&station)?.slot(slot)?;
        let field = form.fields.get(entry.cursor)?;
        Some((entry.cursor, field.id))
    }

    /// The stored value of the field under the cursor, as text.
    fn current_text(&self, station: u32, slot: Slot) -> String {
        let Some((_, field)) = self.cursor_field(station, slot) else {
            return String::new();
        };
        let value = self
            .tally
            .stations
            .get(&station)
            .and_then(|s| s.slot(slot))
            .and_then(|e| e.values.get(field));
        value_text(value)
    }
}

/// A field's value as the typist sees it: digits, `x` for a ticked box, empty.
pub fn value_text(value: Option<FieldValue>) -> String {
    match value {
        Some(FieldValue::Count(c)) => c.to_string(),
        Some(FieldValue::Mark(true)) => "x".into(),
        _ => String::new(),
    }
}

/// Two distinct groups of the 110a and two of the 230b, from a seed: the core's choice
/// (see [`crate::hash_groups`]).
pub fn choose_groups(seed: u64) -> [usize; 4] {
    let [[a, b], [c, d]] = crate::hash_groups::asked::<2>(seed);
    [a, b, c, d]
}

/// Group `i` (0..16) of a hex SHA-256 as printed on paper.
pub fn hash_group(hex: &str, i: usize) -> &str {
    hex.get(i.saturating_mul(4)..i.saturating_mul(4).saturating_add(4))
        .unwrap_or("")
}

/// A hex SHA-256 as 16 groups of four.
pub fn hash_code(hex: &str) -> String {
    (0..16)
        .map(|i| hash_group(hex, i))
        .collect::<Vec<_>>()
        .join(" ")
}

fn ctrl(k: &KeyEvent, c: char) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char(c)
}

/// The pure update: changes what is typed on screen, and asks for everything else.
pub fn update(state: &mut State, event: Event) -> Vec<Effect> {
    match event {
        Event::Key(key) => on_key(state, key),
        Event::Unlocked(Ok(())) => {
            state.unlocked = true;
            if state.tally.election.is_some() {
                state.screen = state.screen_for(state.tally.place.unwrap_or(Place::Overview));
                Vec::new()
            } else {
                state.screen = Screen::Media {
                    media: Vec::new(),
                    selected: 0,
                    error: None,
                };
                vec![Effect::ScanMedia]
            }
        }
        Event::Unlocked(Err(r)) => {
            state.screen = Screen::Start {
                passphrase: String::new(),
                error: Some(r),
            };
            Vec::new()
        }
        Event::MediaFound(found) => {
            if let Screen::Media {
                media, selected, ..
            } = &mut state.screen
            {
                *media = found;
                *selected = (*selected).min(media.len().saturating_sub(1));
            }
            Vec::new()
        }
        Event::Verified(Ok(definition)) => {
            state.screen = Screen::Definition {
                definition,
                inputs: Default::default(),
                focus: 0,
                mismatch: None,
            };
            Vec::new()
        }
        Event::Verified(Err(r)) => {
            if let Screen::Media { error, .. } = &mut state.screen {
                *error = Some(r);
            }
            Vec::new()
        }
        Event::Kept(Ok(definition)) => vec![
            Effect::Persist(Record::ElectionLoaded {
                election: definition.info.id.clone(),
                files: definition.files.clone(),
            }),
            Effect::Persist(Record::Moved {
                place: Place::Overview,
            }),
        ],
        Event::Kept(Err(r)) => {
            let t = r.text(state.lang);
            state.problem(t);
            Vec::new()
        }
        Event::Exported(Ok(report)) => vec![Effect::Persist(Record::Exported {
            path: report.path,
            sha256: report.sha256,
        })],
        Event::Exported(Err(r)) => {
            // A refusal that already says the export failed is shown as it is.
            let t = if matches!(
                r.msg,
                Msg::ExportFailed
                    | Msg::ExportNoStick
                    | Msg::ExportSeveralSticks
                    | Msg::ExportFolderExists
            ) {
                r.text(state.lang)
            } else {
                Msg::ExportFailed.fill(state.lang, &[&r.text(state.lang)])
            };
            state.problem(t);
            Vec::new()
        }
        Event::Applied(record) => {
            on_applied(state, &record);
            Vec::new()
        }
        Event::Refused(why) => {
            state.problem(why);
            Vec::new()
        }
        Event::JournalFailed(why) => {
            state.screen = Screen::Fatal(why);
            Vec::new()
        }
    }
}

fn on_applied(state: &mut State, record: &Record) {
    match record {
        Record::Moved { place } => {
            state.figures_scroll = 0;
            state.screen = state.screen_for(*place);
        }
        Record::FieldSet { station, slot, .. } | Record::Cursor { station, slot, .. } => {
            if let Screen::Entry {
                station: s,
                slot: sl,
                input,
                dirty,
                ..
            } = &mut state.screen
                && s == station
                && sl == slot
            {
                *dirty = false;
                *input = String::new();
                let text = state.current_text(*station, *slot);
                if let Screen::Entry { input, .. } = &mut state.screen {
                    *input = text;
                }
            }
        }
        Record::ElectionLoaded { .. } => state.info(Msg::DefinitionLoaded),
        Record::EntryFinished { .. } => state.info(Msg::EntrySaved),
        Record::Decided { decision, .. } => state.info(match decision {
            Decision::SendBack => Msg::SentBack,
            Decision::DiscardFirst => Msg::Discarded,
            Decision::DiscardBoth | Decision::Reopen => Msg::DiscardedBoth,
            Decision::KeepFirst | Decision::KeepSecond => Msg::KeptOne,
            Decision::AcknowledgeWarnings => Msg::WarningsAcknowledged,
        }),
        Record::Exported { path, .. } => {
            state.big_hash = true;
            let t = Msg::ExportWritten.fill(state.lang, &[path]);
            state.notice(false, t);
        }
        Record::EntryStarted { .. } => {}
    }
}

fn moved(place: Place) -> Effect {
    Effect::Persist(Record::Moved { place })
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if matches!(state.screen, Screen::Fatal(_)) {
        return if ctrl(&key, 'q') {
            vec![Effect::Quit]
        } else {
            Vec::new()
        };
    }
    if state.help {
        if matches!(key.code, KeyCode::F(1) | KeyCode::Esc) {
            state.help = false;
        }
        return Vec::new();
    }
    if key.code == KeyCode::F(1) {
        state.help = true;
        return Vec::new();
    }
    if ctrl(&key, 'q') {
        return vec![Effect::Quit];
    }
    state.notice = None;
    let lang = state.lang;
    match &mut state.screen {
        Screen::Start { passphrase, error } => match key.code {
            KeyCode::F(2) => {
                state.lang = state.lang.toggled();
                Vec::new()
            }
            KeyCode::Char(c) => {
                passphrase.push(c);
                *error = None;
                Vec::new()
            }
            KeyCode::Backspace => {
                passphrase.pop();
                Vec::new()
            }
            KeyCode::Enter => vec![Effect::Unlock(std::mem::take(passphrase))],
            _ => Vec::new(),
        },
        Screen::Media {
            media,
            selected,
            error,
        } => match key.code {
            KeyCode::Up => {
                *selected = selected.saturating_sub(1);
                Vec::new()
            }
            KeyCode::Down => {
                if selected.saturating_add(1) < media.len() {
                    *selected += 1;
                }
                Vec::new()
            }
            KeyCode::F(5) => {
                *error = None;
                vec![Effect::ScanMedia]
            }
            KeyCode::Enter => match media.get(*selected) {
                Some(m) => {
                    *error = None;
                    vec![Effect::Verify(m.clone())]
                }
                None => vec![Effect::ScanMedia],
            },
            _ => Vec::new(),
        },
        Screen::Definition {
            definition,
            inputs,
            focus,
            mismatch,
        } => match key.code {
            KeyCode::Esc => {
                state.screen = Screen::Media {
                    media: Vec::new(),
                    selected: 0,
                    error: None,
                };
                vec![Effect::ScanMedia]
            }
            KeyCode::Char(c) if c.is_ascii_hexdigit() => {
                if let Some(i) = inputs.get_mut(*focus)
                    && i.len() < 4
                {
                    i.push(c.to_ascii_lowercase());
                }
                Vec::new()
            }
            KeyCode::Char(' ') => Vec::new(),
            KeyCode::Backspace => {
                if let Some(i) = inputs.get_mut(*focus) {
                    if i.is_empty() && *focus > 0 {
                        *focus -= 1;
                    } else {
                        i.pop();
                    }
                }
                Vec::new()
            }
            KeyCode::BackTab | KeyCode::Up => {
                *focus = focus.saturating_sub(1);
                Vec::new()
            }
            KeyCode::Enter | KeyCode::Tab => {
                if *focus < 3 {
                    *focus += 1;
                    return Vec::new();
                }
                // The core checks what was typed (trimmed, either case), per file.
                let [g0, g1, g2, g3] = state.hash_groups;
                let typed = |i: usize| inputs.get(i).map(String::as_str).unwrap_or("");
                let checked = crate::hash_groups::check(
                    &definition.sha256_110a,
                    [g0, g1],
                    [typed(0), typed(1)],
                )
                .map_err(|(w, _)| w)
                .and_then(|()| {
                    crate::hash_groups::check(
                        &definition.sha256_230b,
                        [g2, g3],
                        [typed(2), typed(3)],
                    )
                    .map_err(|(w, _)| w + 2)
                });
                if let Err(i) = checked {
                    *mismatch = Some(i);
                    *focus = i;
                    if let Some(t) = inputs.get_mut(i) {
                        t.clear();
                    }
                    return Vec::new();
                }
                *mismatch = None;
                vec![Effect::Keep(definition.clone())]
            }
            _ => Vec::new(),
        },
        Screen::Overview { selected } => {
            let stations = state.tally.stations.keys().copied().collect::<Vec<_>>();
            match key.code {
                KeyCode::Up => {
                    *selected = selected.saturating_sub(1);
                    Vec::new()
                }
                KeyCode::Down => {
                    if selected.saturating_add(1) < stations.len() {
                        *selected += 1;
                    }
                    Vec::new()
                }
                KeyCode::Enter => {
                    let Some(&station) = stations.get(*selected) else {
                        return Vec::new();
                    };
                    let status = state.tally.status(station).unwrap_or(Status::Empty);
                    let slot = match status {
                        Status::Empty | Status::FirstEntry => Slot::First,
                        Status::WaitingSecond | Status::SecondEntry => Slot::Second,
                        other => {
                            let t =
                                Msg::NotOpenForEntry.fill(lang, &[status_msg(other).text(lang)]);
                            state.problem(t);
                            return Vec::new();
                        }
                    };
                    state.screen = Screen::Typist {
                        station,
                        slot,
                        name: String::new(),
                        error: None,
                    };
                    Vec::new()
                }
                KeyCode::Char('c' | 'C') => {
                    let Some(&station) = stations.get(*selected) else {
                        return Vec::new();
                    };
                    // The coordinator acts, or reads who acknowledged the warnings.
                    if state
                        .tally
                        .status(station)
                        .is_some_and(Status::needs_coordinator)
                        || state.tally.acknowledgement(station).is_some()
                    {
                        vec![moved(Place::Coordinator { station })]
                    } else {
                        state.info(Msg::NothingToDo);
                        Vec::new()
                    }
                }
                KeyCode::Char('t' | 'T') => {
                    state.overview_selected = *selected;
                    vec![moved(Place::Total)]
                }
                _ => Vec::new(),
            }
        }
        Screen::Typist {
            station,
            slot,
            name,
            error,
        } => match key.code {
            KeyCode::Esc => {
                state.screen = state.screen_for(Place::Overview);
                Vec::new()
            }
            KeyCode::Char(c) if !c.is_control() => {
                if name.chars().count() < 40 {
                    name.push(c);
                }
                *error = None;
                Vec::new()
            }
            KeyCode::Backspace => {
                name.pop();
                Vec::new()
            }
            KeyCode::Enter => {
                let typed = name.trim().to_string();
                let (station, slot) = (*station, *slot);
                if typed.is_empty() {
                    *error = Some(Msg::NameEmpty.text(lang).into());
                    return Vec::new();
                }
                let data = state.tally.stations.get(&station);
                let same = |a: &str| a.trim().to_lowercase() == typed.to_lowercase();
                if let Some(e) = data.and_then(|d| d.slot(slot)) {
                    if e.finished {
                        return Vec::new();
                    }
                    if !same(&e.typist) {
                        *error = Some(Msg::EntryBusy.fill(lang, &[&e.typist]));
                        return Vec::new();
                    }
                    return vec![moved(Place::Entry { station, slot })];
                }
                if slot == Slot::Second
                    && let Some(first) = data.and_then(|d| d.first.as_ref())
                    && same(&first.typist)
                {
                    *error = Some(Msg::SecondSameTypist.fill(lang, &[&first.typist]));
                    return Vec::new();
                }
                vec![
                    Effect::Persist(Record::EntryStarted {
                        station,
                        slot,
                        typist: typed,
                        at: 0,
                    }),
                    moved(Place::Entry { station, slot }),
                ]
            }
            _ => Vec::new(),
        },
        Screen::Entry {
            station,
            slot,
            input,
            dirty,
            jump,
        } => {
            let (station, slot) = (*station, *slot);
            let Some(form) = state.tally.form() else {
                return Vec::new();
            };
            let Some(entry) = state
                .tally
                .stations
                .get(&station)
                .and_then(|d| d.slot(slot))
            else {
                return Vec::new();
            };
            let cursor = entry.cursor;
            let Some(field) = form.fields.get(cursor).map(|f| f.id) else {
                return Vec::new();
            };
            let last = form.fields.len().saturating_sub(1);
            let mark = field.is_mark();
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
            let block = form.fields.get(cursor).map_or(0, |f| f.block);
            let list_of_block =
                form.fields
                    .iter()
                    .filter(|f| f.block == block)
                    .find_map(|f| match f.id {
                        FieldId::CandidateVotes(l, _) | FieldId::ListTotal(l) => Some(l),
                        _ => None,
                    });
            let total_of_block = form
                .fields
                .iter()
                .position(|f| f.block == block && matches!(f.id, FieldId::ListTotal(_)));
            if let Some(typed) = jump {
                match key.code {
                    KeyCode::Char(c) if c.is_ascii_digit() => {
                        if typed.len() < 4 {
                            typed.push(c);
                        }
                        return Vec::new();
                    }
                    KeyCode::Backspace => {
                        typed.pop();
                        return Vec::new();
                    }
                    KeyCode::Enter => {
                        let wanted = typed.parse::<u32>().ok();
                        *jump = None;
                        let target = list_of_block.zip(wanted).and_then(|(l, n)| {
                            form.fields.iter().position(|f| {
                                f.id == FieldId::CandidateVotes(l, CandidatePosition(n))
                            })
                        });
                        return match target {
                            Some(target) => commit(input, *dirty, target).into_iter().collect(),
                            None => {
                                state.problem(Msg::NoSuchCandidate.fill(
                                    lang,
                                    &[
                                        &wanted.map(|n| n.to_string()).unwrap_or_default(),
                                        &list_of_block.map(|l| l.to_string()).unwrap_or_default(),
                                    ],
                                ));
                                Vec::new()
                            }
                        };
                    }
                    KeyCode::Esc => {
                        *jump = None;
                        return Vec::new();
                    }
                    _ => return Vec::new(),
                }
            }
            match key.code {
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
                            state.problem(Msg::TickHint.text(lang).into());
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
                    state.problem(Msg::DigitsOnly.text(lang).into());
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
                    let next = if cursor >= last { cursor } else { cursor + 1 };
                    let effect = commit(input, *dirty, next);
                    if cursor >= last && key.code == KeyCode::Enter {
                        state.screen = Screen::Finish {
                            station,
                            slot,
                            scroll: 0,
                        };
                    }
                    effect.into_iter().collect()
                }
                KeyCode::BackTab | KeyCode::Up => commit(input, *dirty, cursor.saturating_sub(1))
                    .into_iter()
                    .collect(),
                KeyCode::PageDown | KeyCode::PageUp => {
                    let target = if key.code == KeyCode::PageDown {
                        // A list's total is never skipped: from a candidate, PgDn goes to
                        // the list's total first, from the total to the next block.
                        match total_of_block {
                            Some(total) if cursor < total => total,
                            _ => form
                                .fields
                                .iter()
                                .position(|f| f.block > block)
                                .unwrap_or(last),
                        }
                    } else {
                        let start = form
                            .fields
                            .iter()
                            .position(|f| f.block == block)
                            .unwrap_or(0);
                        if start < cursor {
                            start
                        } else {
                            let prev = block.saturating_sub(1);
                            form.fields
                                .iter()
                                .position(|f| f.block == prev)
                                .unwrap_or(0)
                        }
                    };
                    commit(input, *dirty, target).into_iter().collect()
                }
                KeyCode::F(10) => {
                    let effect = commit(input, *dirty, cursor);
                    state.screen = Screen::Finish {
                        station,
                        slot,
                        scroll: 0,
                    };
                    effect.into_iter().collect()
                }
                KeyCode::Esc => {
                    let mut out: Vec<Effect> = commit(input, *dirty, cursor).into_iter().collect();
                    out.push(moved(Place::Overview));
                    state.info(Msg::EntryPaused);
                    out
                }
                _ => Vec::new(),
            }
        }
        Screen::Finish {
            station,
            slot,
            scroll,
        } => {
            let (station, slot) = (*station, *slot);
            match key.code {
                KeyCode::Up => {
                    *scroll = scroll.saturating_sub(1);
                    Vec::new()
                }
                KeyCode::Down => {
                    let n = state.tally.findings(station, slot).len();
                    if *scroll + 1 < n {
                        *scroll += 1;
                    }
                    Vec::new()
                }
                KeyCode::Enter => vec![
                    Effect::Persist(Record::EntryFinished {
                        station,
                        slot,
                        at: 0,
                    }),
                    moved(Place::Overview),
                ],
                KeyCode::Esc | KeyCode::BackTab => {
                    state.screen = state.screen_for(Place::Entry { station, slot });
                    Vec::new()
                }
                _ => Vec::new(),
            }
        }
        Screen::Coordinator { station, scroll } => {
            let station = *station;
            let status = state.tally.status(station).unwrap_or(Status::Empty);
            let decide = |decision: Decision| {
                vec![
                    Effect::Persist(Record::Decided {
                        station,
                        decision,
                        at: 0,
                    }),
                    moved(Place::Overview),
                ]
            };
            match (status, key.code) {
                (_, KeyCode::Esc) => vec![moved(Place::Overview)],
                (Status::Differences, KeyCode::Up) => {
                    *scroll = scroll.saturating_sub(1);
                    Vec::new()
                }
                (Status::Differences, KeyCode::Down) => {
                    *scroll = scroll.saturating_add(1);
                    Vec::new()
                }
                (Status::Differences, KeyCode::Char('1')) => decide(Decision::KeepFirst),
                (Status::Differences, KeyCode::Char('2'))
                    if state
                        .tally
                        .findings(station, Slot::Second)
                        .iter()
                        .any(|f| f.severity() == tally_core::entry::Severity::Error) =>
                {
                    state.problem(Msg::KeepHasErrors.text(lang).into());
                    Vec::new()
                }
                (Status::Differences, KeyCode::Char('2')) => decide(Decision::KeepSecond),
                (Status::Differences, KeyCode::Char('0')) => decide(Decision::DiscardBoth),
                (Status::FirstErrors, KeyCode::Char('r' | 'R')) => decide(Decision::SendBack),
                (Status::FirstErrors, KeyCode::Char('d' | 'D')) => decide(Decision::DiscardFirst),
                (Status::Warnings, KeyCode::Char('a' | 'A')) => {
                    decide(Decision::AcknowledgeWarnings)
                }
                (Status::Warnings, KeyCode::Char('0')) => decide(Decision::DiscardBoth),
                _ => Vec::new(),
            }
        }
        Screen::Total => match key.code {
            KeyCode::Esc if state.big_hash => {
                state.big_hash = false;
                Vec::new()
            }
            KeyCode::Esc => vec![moved(Place::Overview)],
            KeyCode::Up => {
                state.figures_scroll = state.figures_scroll.saturating_sub(1);
                Vec::new()
            }
            KeyCode::PageUp => {
                state.figures_scroll = state.figures_scroll.saturating_sub(10);
                Vec::new()
            }
            KeyCode::Down | KeyCode::PageDown => {
                let step = if key.code == KeyCode::Down { 1 } else { 10 };
                let last = state.figures_max_scroll.get();
                state.figures_scroll = state.figures_scroll.saturating_add(step).min(last);
                Vec::new()
            }
            KeyCode::Char('h' | 'H') if state.tally.exported.is_some() => {
                state.big_hash = !state.big_hash;
                Vec::new()
            }
            // Also after an export: the same signed result onto another stick.
            KeyCode::Char('e' | 'E') if state.tally.all_definitive() => vec![Effect::Export],
            _ => Vec::new(),
        },
        Screen::Fatal(_) => Vec::new(),
    }
}

/// The catalogue text of a status.
pub fn status_msg(status: Status) -> Msg {
    match status {
        Status::Empty => Msg::StEmpty,
        Status::FirstEntry => Msg::StFirst,
        Status::FirstErrors => Msg::StErrors,
        Status::WaitingSecond => Msg::StWaitingSecond,
        Status::SecondEntry => Msg::StSecond,
        Status::Differences => Msg::StDifferences,
        Status::Warnings => Msg::StWarnings,
        Status::Definitive => Msg::StDefinitive,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn state(lang: Lang) -> State {
        let id = Identity::default();
        State::new(lang, false, id, 1)
    }

    #[test]
    fn a_failed_export_says_so_once() {
        let mut s = state(Lang::Nl);
        let r = Refusal::new(Msg::ExportFailed, "de stick is vol");
        update(&mut s, Event::Exported(Err(r)));
        let n = s.notice.clone().unwrap();
        assert!(n.problem);
        assert_eq!(n.text, "Exporteren mislukt: de stick is vol");

        // A refusal of another kind gets the prefix, in the chosen language.
        let mut s = state(Lang::En);
        let r = Refusal::new(Msg::NotAllDefinitive, "");
        update(&mut s, Event::Exported(Err(r)));
        assert_eq!(
            s.notice.unwrap().text,
            "Export failed: Not every polling station is definitive yet."
        );
    }
}
