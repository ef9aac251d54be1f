//! What the terminal remembers: the records it writes to the journal, and the state those
//! records build up ([`Tally`]). The state changes only by applying a record, and a record
//! is applied only after it is in the journal: replaying the journal after a crash gives
//! back exactly the state before it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tally_core::entry::checks::has_errors;
use tally_core::entry::{
    CheckResult, EntryCount, FieldValue, PollingStationEntry, Severity, check,
};

use crate::form::{ElectionInfo, FieldId, Form};

/// Which of the two entries of a polling station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Slot {
    /// The first entry.
    First,
    /// The second entry.
    Second,
}

impl Slot {
    /// 1 or 2.
    pub fn number(self) -> u8 {
        match self {
            Slot::First => 1,
            Slot::Second => 2,
        }
    }
}

/// What the coordinator decided about two differing entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resolution {
    /// Keep the first entry as the definitive result.
    KeepFirst,
    /// Keep the second entry as the definitive result.
    KeepSecond,
    /// Discard both; the station starts again.
    DiscardBoth,
}

/// The screens that survive a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// The overview of polling stations.
    Overview,
    /// Typing an entry.
    Entry {
        /// Station number.
        station: u32,
        /// Which entry.
        slot: Slot,
    },
    /// The coordinator's screen for a station.
    Coordinator {
        /// Station number.
        station: u32,
    },
    /// The municipal total.
    Total,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// The verified definition was loaded (its files are kept in the data directory).
    ElectionLoaded {
        /// The election identifier.
        election: String,
        /// SHA-256 of the definition's files, name and hex digest.
        files: Vec<(String, String)>,
    },
    /// A typist started an entry.
    EntryStarted {
        /// Station number.
        station: u32,
        /// Which entry.
        slot: Slot,
        /// The typist's name.
        typist: String,
    },
    /// A field was completed; the cursor goes to `next`.
    FieldSet {
        /// Station number.
        station: u32,
        /// Which entry.
        slot: Slot,
        /// The field.
        field: FieldId,
        /// Its value.
        value: FieldValue,
        /// The cursor afterwards.
        next: usize,
    },
    /// The cursor moved without a change.
    Cursor {
        /// Station number.
        station: u32,
        /// Which entry.
        slot: Slot,
        /// The cursor.
        index: usize,
    },
    /// The typist saved the entry as complete.
    EntryFinished {
        /// Station number.
        station: u32,
        /// Which entry.
        slot: Slot,
    },
    /// The coordinator sent an entry with errors back to its typist.
    SentBack {
        /// Station number.
        station: u32,
        /// Which entry.
        slot: Slot,
    },
    /// The coordinator discarded an entry.
    Discarded {
        /// Station number.
        station: u32,
        /// Which entry.
        slot: Slot,
    },
    /// The coordinator resolved differences.
    Resolved {
        /// Station number.
        station: u32,
        /// The decision.
        resolution: Resolution,
    },
    /// The coordinator accepted the warnings of a definitive result.
    WarningsAccepted {
        /// Station number.
        station: u32,
    },
    /// The signed result was written.
    Exported {
        /// Where.
        path: String,
        /// SHA-256 of the 510b, hex.
        sha256: String,
    },
    /// The screen changed.
    Moved {
        /// The new screen.
        place: Place,
    },
}

/// One typist's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The typist's name.
    pub typist: String,
    /// The values typed so far.
    pub values: PollingStationEntry,
    /// The field the cursor is on.
    pub cursor: usize,
    /// Whether the typist saved it as complete.
    pub finished: bool,
}

/// Where a polling station stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing typed.
    Empty,
    /// The first entry is being typed.
    FirstEntry,
    /// The first entry is saved with errors: the coordinator decides.
    FirstErrors,
    /// The first entry is in; a second typist is needed.
    WaitingSecond,
    /// The second entry is being typed.
    SecondEntry,
    /// The second entry has errors (and equals nothing): the coordinator decides.
    SecondErrors,
    /// The two entries differ: the coordinator decides.
    Differences,
    /// Both agree, with warnings to accept.
    Warnings,
    /// Both agree: definitive.
    Definitive,
}

impl Status {
    /// Whether the coordinator must act.
    pub fn needs_coordinator(self) -> bool {
        matches!(
            self,
            Status::FirstErrors | Status::SecondErrors | Status::Differences | Status::Warnings
        )
    }
}

/// One polling station's entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StationData {
    /// The first entry.
    pub first: Option<Entry>,
    /// The second entry.
    pub second: Option<Entry>,
    /// Whether the coordinator accepted the warnings of the agreed result.
    pub warnings_accepted: bool,
}

impl StationData {
    /// The entry in a slot.
    pub fn slot(&self, slot: Slot) -> Option<&Entry> {
        match slot {
            Slot::First => self.first.as_ref(),
            Slot::Second => self.second.as_ref(),
        }
    }

    fn slot_mut(&mut self, slot: Slot) -> &mut Option<Entry> {
        match slot {
            Slot::First => &mut self.first,
            Slot::Second => &mut self.second,
        }
    }

    /// Where the station stands.
    pub fn status(&self, form: &Form) -> Status {
        let Some(first) = &self.first else {
            return Status::Empty;
        };
        if !first.finished {
            return Status::FirstEntry;
        }
        if has_errors(&check(&first.values, &form.shape)) {
            return Status::FirstErrors;
        }
        let Some(second) = &self.second else {
            return Status::WaitingSecond;
        };
        if !second.finished {
            return Status::SecondEntry;
        }
        if !first
            .values
            .differences(&second.values, &form.shape)
            .is_empty()
        {
            return Status::Differences;
        }
        if has_errors(&check(&second.values, &form.shape)) {
            return Status::SecondErrors;
        }
        let warnings = check(&first.values, &form.shape)
            .iter()
            .any(|c| c.severity() == Severity::Warning);
        if warnings && !self.warnings_accepted {
            Status::Warnings
        } else {
            Status::Definitive
        }
    }

    /// The agreed result, when definitive.
    pub fn definitive(&self, form: &Form) -> Option<&PollingStationEntry> {
        match self.status(form) {
            Status::Definitive => self.first.as_ref().map(|e| &e.values),
            _ => None,
        }
    }
}

/// The loaded election and its paper form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The election.
    pub info: ElectionInfo,
    /// Its form.
    pub form: Form,
    /// The definition's files and their SHA-256.
    pub files: Vec<(String, String)>,
}

/// A journal record that does not fit the state (a damaged or foreign journal).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// A record about an election while none (or another) is loaded.
    #[error("journal record for election {0:?} does not match the loaded definition")]
    WrongElection(String),
    /// A record before the election was loaded.
    #[error("journal record before an election was loaded")]
    NoElection,
    /// A station that does not exist.
    #[error("polling station {0} does not exist in this election")]
    NoSuchStation(u32),
    /// An entry that is not in the state the record needs.
    #[error("polling station {0}, entry {1}: {2}")]
    BadEntryState(u32, u8, &'static str),
    /// A field value the form refuses.
    #[error("polling station {0}: {1}")]
    Field(u32, String),
}

/// Everything the journal has built up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// The election, once loaded.
    pub election: Option<Loaded>,
    /// The definition verified and kept in the data directory, waiting for its
    /// `ElectionLoaded` record.
    pub pending: Option<Loaded>,
    /// Per polling station.
    pub stations: BTreeMap<u32, StationData>,
    /// The export, once written: (path, SHA-256 of the 510b).
    pub exported: Option<(String, String)>,
    /// The last screen.
    pub place: Option<Place>,
}

impl Tally {
    /// The form of the loaded election.
    pub fn form(&self) -> Option<&Form> {
        self.election.as_ref().map(|l| &l.form)
    }

    /// The status of a station.
    pub fn status(&self, station: u32) -> Option<Status> {
        let form = self.form()?;
        Some(
            self.stations
                .get(&station)
                .map_or(Status::Empty, |s| s.status(form)),
        )
    }

    /// Whether every station is definitive.
    pub fn all_definitive(&self) -> bool {
        !self.stations.is_empty()
            && self
                .stations
                .keys()
                .all(|s| self.status(*s) == Some(Status::Definitive))
    }

    /// The findings of an entry.
    pub fn findings(&self, station: u32, slot: Slot) -> Vec<CheckResult> {
        match (
            self.form(),
            self.stations.get(&station).and_then(|s| s.slot(slot)),
        ) {
            (Some(form), Some(e)) => check(&e.values, &form.shape),
            _ => Vec::new(),
        }
    }

    fn station_mut(&mut self, station: u32) -> Result<(&Form, &mut StationData), ApplyError> {
        let form = self
            .election
            .as_ref()
            .map(|l| &l.form)
            .ok_or(ApplyError::NoElection)?;
        let data = self
            .stations
            .get_mut(&station)
            .ok_or(ApplyError::NoSuchStation(station))?;
        Ok((form, data))
    }

    /// Applies one record.
    pub fn apply(&mut self, record: &Record) -> Result<(), ApplyError> {
        match record {
            Record::ElectionLoaded { election, files } => {
                let pending = self
                    .pending
                    .take()
                    .ok_or_else(|| ApplyError::WrongElection(election.clone()))?;
                if &pending.info.id != election
                    || &pending.files != files
                    || self.election.is_some()
                {
                    return Err(ApplyError::WrongElection(election.clone()));
                }
                self.stations = pending
                    .info
                    .stations
                    .iter()
                    .map(|s| (s.number.0, StationData::default()))
                    .collect();
                self.election = Some(pending);
            }
            Record::EntryStarted {
                station,
                slot,
                typist,
            } => {
                let (form, data) = self.station_mut(*station)?;
                let n = slot.number();
                if data.slot(*slot).is_some() {
                    return Err(ApplyError::BadEntryState(*station, n, "already started"));
                }
                if *slot == Slot::Second && !data.first.as_ref().is_some_and(|e| e.finished) {
                    return Err(ApplyError::BadEntryState(
                        *station,
                        n,
                        "first entry not finished",
                    ));
                }
                *data.slot_mut(*slot) = Some(Entry {
                    typist: typist.clone(),
                    values: PollingStationEntry::empty(&form.shape),
                    cursor: 0,
                    finished: false,
                });
            }
            Record::FieldSet {
                station,
                slot,
                field,
                value,
                next,
            } => {
                let (form, data) = self.station_mut(*station)?;
                let len = form.fields.len();
                let shape = form.shape.clone();
                let entry = open_entry(data, *station, *slot)?;
                entry
                    .values
                    .set(&shape, *field, *value)
                    .map_err(|e| ApplyError::Field(*station, e.to_string()))?;
                entry.cursor = (*next).min(len.saturating_sub(1));
            }
            Record::Cursor {
                station,
                slot,
                index,
            } => {
                let (form, data) = self.station_mut(*station)?;
                let len = form.fields.len();
                let entry = open_entry(data, *station, *slot)?;
                entry.cursor = (*index).min(len.saturating_sub(1));
            }
            Record::EntryFinished { station, slot } => {
                let (_, data) = self.station_mut(*station)?;
                open_entry(data, *station, *slot)?.finished = true;
            }
            Record::SentBack { station, slot } => {
                let (_, data) = self.station_mut(*station)?;
                match data.slot_mut(*slot) {
                    Some(e) if e.finished => {
                        e.finished = false;
                        e.cursor = 0;
                    }
                    _ => {
                        return Err(ApplyError::BadEntryState(
                            *station,
                            slot.number(),
                            "not finished",
                        ));
                    }
                }
            }
            Record::Discarded { station, slot } => {
                let (_, data) = self.station_mut(*station)?;
                if data.slot_mut(*slot).take().is_none() {
                    return Err(ApplyError::BadEntryState(
                        *station,
                        slot.number(),
                        "no entry",
                    ));
                }
                if *slot == Slot::First {
                    // A second entry cannot stand without a first.
                    data.first = data.second.take();
                }
                data.warnings_accepted = false;
            }
            Record::Resolved {
                station,
                resolution,
            } => {
                let (_, data) = self.station_mut(*station)?;
                if data.first.is_none() || data.second.is_none() {
                    return Err(ApplyError::BadEntryState(*station, 2, "nothing to resolve"));
                }
                // The kept entry becomes the definitive result (as in the core's double
                // entry): both slots then hold it, so the station is definitive.
                match resolution {
                    Resolution::KeepFirst => data.second = data.first.clone(),
                    Resolution::KeepSecond => data.first = data.second.clone(),
                    Resolution::DiscardBoth => {
                        data.first = None;
                        data.second = None;
                    }
                }
                data.warnings_accepted = false;
            }
            Record::WarningsAccepted { station } => {
                let (_, data) = self.station_mut(*station)?;
                data.warnings_accepted = true;
            }
            Record::Exported { path, sha256 } => {
                if !self.all_definitive() {
                    return Err(ApplyError::NoElection);
                }
                self.exported = Some((path.clone(), sha256.clone()));
            }
            Record::Moved { place } => self.place = Some(*place),
        }
        Ok(())
    }
}

fn open_entry(data: &mut StationData, station: u32, slot: Slot) -> Result<&mut Entry, ApplyError> {
    match data.slot_mut(slot) {
        Some(e) if !e.finished => Ok(e),
        Some(_) => Err(ApplyError::BadEntryState(
            station,
            slot.number(),
            "already finished",
        )),
        None => Err(ApplyError::BadEntryState(
            station,
            slot.number(),
            "not started",
        )),
    }
}

/// Parses what the typist typed into a count field: empty is an empty field.
pub fn parse_count(input: &str) -> Option<FieldValue> {
    if input.is_empty() {
        return Some(FieldValue::Empty);
    }
    EntryCount::parse(input).ok().map(FieldValue::Count)
}
