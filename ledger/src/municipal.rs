//! What a municipality's (GSB's) appliance remembers: the records it writes to the journal,
//! and the state those records build up ([`Tally`]). The state changes only by applying a
//! record, and a record is applied only after it is in the journal: replaying the journal
//! after a crash gives back exactly the state before it.

use crate::persist::RecordLine;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
pub use tally_core::double_entry::Decision;
use tally_core::double_entry::{
    Action, DataEntry, EntrySlot, HistoryRecord, PersonEvent, Role, StationStatus, Timestamp,
    TransitionError, TypedEntry, WarningsBy,
};
use tally_core::entry::{CheckResult, EntryCount, FieldValue, PollingStationEntry, check};
use tally_core::ids::ElectionId;
use tally_core::ids::PollingStationNumber;
use tally_core::municipal::municipal_total;
use tally_report::ComparisonFigures;

use tally_core::people::{PersonId, RegistryError};

use crate::form::{ElectionInfo, FieldId, Form};
use crate::people::{People, PeopleRecord};
use crate::session::{
    ClosedSession, Conclusion, Investigation, InvestigationReason, SessionNote, Sessions,
};

/// Which of the two entries of a polling station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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

    /// The core's name for this slot.
    pub fn core(self) -> EntrySlot {
        match self {
            Slot::First => EntrySlot::First,
            Slot::Second => EntrySlot::Second,
        }
    }

    /// This slot, from the core's name.
    pub fn of(slot: EntrySlot) -> Slot {
        match slot {
            EntrySlot::First => Slot::First,
            EntrySlot::Second => Slot::Second,
        }
    }
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

/// One line of the journal. The records of data entry carry the moment they happened
/// (`at`, milliseconds since 1970, stamped by the runner) for the core's double entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// The verified definition was loaded (its files are kept in the data directory).
    ElectionLoaded {
        /// The election identifier.
        election: ElectionId,
        /// SHA-256 of the definition's files, name and hex digest.
        files: Vec<(String, String)>,
    },
    /// A typist started an entry (after their PIN).
    EntryStarted {
        /// Station number.
        station: u32,
        /// Which entry.
        slot: Slot,
        /// The registered typist.
        person: PersonId,
        /// When.
        at: i64,
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
        /// When.
        at: i64,
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
    /// The typist saved the entry as complete (warnings are the coordinator's to
    /// acknowledge).
    EntryFinished {
        /// Station number.
        station: u32,
        /// Which entry.
        slot: Slot,
        /// When.
        at: i64,
    },
    /// A coordinator decided (after their PIN and a confirmation).
    Decided {
        /// Station number.
        station: u32,
        /// The decision.
        decision: Decision,
        /// The registered coordinator.
        by: PersonId,
        /// When.
        at: i64,
    },
    /// The signed result was written.
    Exported {
        /// Where.
        path: String,
        /// SHA-256 of the 510b, hex.
        sha256: String,
        /// The coordinator who had it written.
        by: PersonId,
    },
    /// A change to the people of the session, or a PIN typed.
    People(PeopleRecord),
    /// A coordinator opened a next session: the session before ends with its export (which
    /// stays on record); investigations can be asked (`docs/next-session.md`).
    SessionOpened {
        /// The coordinator.
        by: PersonId,
        /// When.
        at: i64,
    },
    /// A coordinator recorded a request to investigate a definitive polling station.
    InvestigationRequested {
        /// Station number.
        station: u32,
        /// Why (the EML_NL reason code).
        reason: InvestigationReason,
        /// What is to be investigated ("aanleiding van het onderzoek").
        instruction: String,
        /// The coordinator.
        by: PersonId,
        /// When.
        at: i64,
    },
    /// A coordinator recorded who of the committee was there, an objection or a remark, for
    /// the report of the session open now (the first or a next one).
    SessionNoted {
        /// The line.
        note: SessionNote,
        /// The coordinator.
        by: PersonId,
        /// When.
        at: i64,
    },
    /// A coordinator entered the municipality's number of eligible voters (the 510b total's
    /// `Cast`), checked against the 110b's stations where those have numbers.
    EligibleVoters {
        /// The number.
        count: u64,
        /// The coordinator.
        by: PersonId,
        /// When.
        at: i64,
    },
    /// A coordinator recorded the committee's conclusion of an investigation. When the
    /// result changed, the station is opened for a new double entry; its result so far is
    /// kept beside it.
    InvestigationConcluded {
        /// Station number.
        station: u32,
        /// The findings, whether recounted, whether corrected.
        conclusion: Conclusion,
        /// The coordinator.
        by: PersonId,
        /// When.
        at: i64,
    },
    /// The screen changed.
    Moved {
        /// The new screen.
        place: Place,
    },
    /// Parallel entry: an assignment, or an entry batch imported (`docs/parallel-entry.md`).
    Parallel(crate::batch::ParallelRecord),
}

impl Record {
    /// Sets the moment of a data-entry record.
    pub fn stamp(&mut self, now: i64) {
        match self {
            Record::EntryStarted { at, .. }
            | Record::FieldSet { at, .. }
            | Record::EntryFinished { at, .. }
            | Record::Decided { at, .. }
            | Record::SessionOpened { at, .. }
            | Record::SessionNoted { at, .. }
            | Record::EligibleVoters { at, .. }
            | Record::InvestigationRequested { at, .. }
            | Record::InvestigationConcluded { at, .. }
            | Record::Parallel(
                crate::batch::ParallelRecord::Assigned { at, .. }
                | crate::batch::ParallelRecord::BatchImported { at, .. }
                | crate::batch::ParallelRecord::AssignmentLoaded { at, .. }
                | crate::batch::ParallelRecord::BatchWritten { at, .. },
            ) => *at = now,
            _ => {}
        }
    }
}

/// One typist's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The typist's name.
    pub typist: String,
    /// The registered typist.
    pub person: Option<PersonId>,
    /// The values typed so far.
    pub values: PollingStationEntry,
    /// The field the cursor is on.
    pub cursor: usize,
    /// Whether the typist saved it as complete.
    pub finished: bool,
}

impl Entry {
    /// How far the entry has come, in percent: the share of `form`'s counts that hold a
    /// number (an entry sent back for correction keeps its values), or the share of the
    /// fields the cursor has passed, whichever is more; 100 only once saved as complete.
    /// Tick boxes are left out of the share of values: an unticked box is a value too, so
    /// it says nothing about how far the typist came (the core gives every box as a
    /// `Mark`, and every empty count as `Empty`).
    pub fn percent(&self, form: &Form) -> usize {
        if self.finished {
            return 100;
        }
        let (mut counts, mut typed) = (0usize, 0usize);
        for field in form.fields.iter().filter(|f| !f.id.is_mark()) {
            counts = counts.saturating_add(1);
            if matches!(self.values.get(field.id), Some(FieldValue::Count(_))) {
                typed = typed.saturating_add(1);
            }
        }
        let by_values = typed.saturating_mul(100) / counts.max(1);
        let by_cursor = self.cursor.saturating_mul(100) / form.fields.len().max(1);
        by_values.max(by_cursor).min(99)
    }
}

/// Where a polling station stands: the core's double-entry status.
pub use tally_core::double_entry::StatusKind as Status;

/// One polling station's entries, as the screens see them: a projection of the core's
/// double-entry state ([`tally_core::double_entry`]) plus the typists' cursors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationData {
    /// The first entry.
    pub first: Option<Entry>,
    /// The second entry.
    pub second: Option<Entry>,
    /// Where the station stands.
    pub status: Status,
    /// The definitive result.
    pub result: Option<PollingStationEntry>,
    /// While fields are returned for correction: whose entry, and the fields to retype.
    pub returned: Option<(Slot, Vec<FieldId>)>,
}

impl StationData {
    /// The entry in a slot.
    pub fn slot(&self, slot: Slot) -> Option<&Entry> {
        match slot {
            Slot::First => self.first.as_ref(),
            Slot::Second => self.second.as_ref(),
        }
    }

    /// The projection of the core's status, with the cursors of the entries in progress.
    fn project(status: &StationStatus, cursor: impl Fn(Slot) -> usize) -> StationData {
        let entry = |t: &TypedEntry, slot: Slot, finished: bool| {
            Some(Entry {
                typist: t.typist.0.clone(),
                person: t.person,
                values: t.entry.clone(),
                cursor: if finished { 0 } else { cursor(slot) },
                finished,
            })
        };
        let (first, second, result) = match status {
            StationStatus::FirstEntryNotStarted => (None, None, None),
            StationStatus::FirstEntryInProgress { first } => {
                (entry(first, Slot::First, false), None, None)
            }
            StationStatus::FirstEntryHasErrors { first, .. }
            | StationStatus::SecondEntryNotStarted { first } => {
                (entry(first, Slot::First, true), None, None)
            }
            StationStatus::SecondEntryInProgress { first, second } => (
                entry(first, Slot::First, true),
                entry(second, Slot::Second, false),
                None,
            ),
            StationStatus::EntriesDifferent { first, second, .. } => (
                entry(first, Slot::First, true),
                entry(second, Slot::Second, true),
                None,
            ),
            StationStatus::FieldsReturned {
                first,
                second,
                slot,
                ..
            } => (
                entry(first, Slot::First, *slot != EntrySlot::First),
                entry(second, Slot::Second, *slot != EntrySlot::Second),
                None,
            ),
            StationStatus::WarningsToAcknowledge { result, .. } => {
                (entry(result, Slot::First, true), None, None)
            }
            StationStatus::Definitive { result, .. } => (
                entry(result, Slot::First, true),
                None,
                Some(result.entry.clone()),
            ),
        };
        let returned = match status {
            StationStatus::FieldsReturned { slot, fields, .. } => {
                Some((Slot::of(*slot), fields.clone()))
            }
            _ => None,
        };
        StationData {
            first,
            second,
            status: status.kind(),
            result,
            returned,
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
    WrongElection(ElectionId),
    /// A record before the election was loaded.
    #[error("journal record before an election was loaded")]
    NoElection,
    /// A station that does not exist.
    #[error("polling station {0} does not exist in this election")]
    NoSuchStation(u32),
    /// An entry that is not in the state the record needs.
    #[error("polling station {0}, entry {1}: {2}")]
    BadEntryState(u32, u8, &'static str),
    /// An entry typed on an entry appliance waits for its typist (returned fields, or sent
    /// back), who is not registered on this appliance under that name.
    #[error(
        "polling station {station}, entry {slot}: typed by {typist} on an entry appliance, who is not registered here"
    )]
    TypistNotHere {
        /// The station.
        station: u32,
        /// The entry (1 or 2).
        slot: u8,
        /// The typist's name, as the entry appliance had it.
        typist: String,
    },
    /// The core's double entry refused the step (a person not registered, in the wrong
    /// role, or the second entry by the first typist).
    #[error("{0}")]
    Refused(TransitionError),
    /// The registry refused a change to the people of the session.
    #[error("{0}")]
    People(RegistryError),
    /// A session record that does not fit the sessions so far.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The eligible voters entered differ from the sum of the 110b's stations.
    #[error(transparent)]
    EligibleVoters(tally_core::municipal::TotalError),
    /// A record of parallel entry that does not fit.
    #[error(transparent)]
    Parallel(#[from] crate::batch::ParallelError),
}

/// Why a record of the sessions does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// A next session is opened only after the session before was exported.
    #[error("session {0} has not been exported: no next session can be opened")]
    NotExported(u32),
    /// Investigations are asked and concluded only in a next session.
    #[error("investigations belong to a next session, not to the first")]
    FirstSession,
    /// Only a definitive station is investigated.
    #[error("polling station {0} is not definitive")]
    NotDefinitive(u32),
    /// A station is investigated once per session.
    #[error("polling station {0} is investigated already in this session")]
    AlreadyRequested(u32),
    /// A conclusion without a request.
    #[error("polling station {0} has no investigation in this session")]
    NoRequest(u32),
    /// A second conclusion.
    #[error("the investigation of polling station {0} is concluded already")]
    AlreadyConcluded(u32),
    /// The instruction or the findings are empty, or longer than the paper has room for.
    #[error("{0} must be 1 to {MAX_SESSION_TEXT} characters")]
    Text(&'static str),
    /// A reason a GSB does not record (central counting's, or "uitslag gecorrigeerd", which
    /// follows from the conclusion).
    #[error("{0:?} is not a reason a municipal committee investigates for")]
    NotAGsbReason(InvestigationReason),
    /// A time of attendance that is not `HH:MM` (00:00 to 23:59).
    #[error("{0:?} is not a time HH:MM")]
    Time(String),
    /// The export of a next session waits for every investigation's conclusion.
    #[error("investigations without a conclusion: polling stations {0:?}")]
    OpenInvestigations(Vec<u32>),
}

/// The longest instruction or findings text (characters).
pub const MAX_SESSION_TEXT: usize = 1000;

/// `H:MM` or `HH:MM`, 00:00 to 23:59.
fn is_time(text: &str) -> bool {
    let Some((h, m)) = text.trim().split_once(':') else {
        return false;
    };
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    digits(h, 1..=2)
        && digits(m, 2..=2)
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}

fn session_text(text: &str, what: &'static str) -> Result<(), SessionError> {
    let n = text.trim().chars().count();
    if n == 0 || n > MAX_SESSION_TEXT {
        return Err(SessionError::Text(what));
    }
    Ok(())
}

/// Everything the journal has built up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// The election, once loaded.
    pub election: Option<Loaded>,
    /// The definition verified and kept in the data directory, waiting for its
    /// `ElectionLoaded` record.
    pub pending: Option<Loaded>,
    /// The core's double entry of every station.
    pub data_entry: Option<DataEntry>,
    /// The cursor of each entry in progress.
    pub cursors: BTreeMap<(u32, Slot), usize>,
    /// Per polling station, as the screens see it (projected from `data_entry`).
    pub stations: BTreeMap<u32, StationData>,
    /// The export, once written: (path, SHA-256 of the 510b).
    pub exported: Option<(String, String)>,
    /// The people of the session.
    pub people: People,
    /// The sessions: the ones closed with their exports, the investigations of this one.
    pub sessions: Sessions,
    /// The municipality's eligible voters as a coordinator entered them (the 510b total's
    /// `Cast`); `None`: the sum of the 110b's stations.
    pub eligible_voters: Option<u64>,
    /// The last screen.
    pub place: Option<Place>,
    /// Parallel entry: assignments, batches imported, entries placed or held.
    pub parallel: crate::batch::Parallel,
    /// [`Tally::comparison_figures`], made once per [`Tally::apply`] (the total screen draws
    /// them at every key and tick).
    figures: FiguresCache,
}

/// Derived state: the comparison figures once made; emptied by every [`Tally::apply`] and
/// left out of `==` (two tallies built from the same records are equal).
/// Why the comparison figures cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FiguresError {
    /// The core's municipal total.
    #[error(transparent)]
    Total(tally_core::municipal::TotalError),
    /// The report's figures.
    #[error(transparent)]
    Report(tally_report::ReportError),
}

#[derive(Debug, Clone, Default)]
struct FiguresCache(std::cell::OnceCell<Option<Result<ComparisonFigures, FiguresError>>>);

impl PartialEq for FiguresCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for FiguresCache {}

impl Tally {
    /// The form of the loaded election.
    pub fn form(&self) -> Option<&Form> {
        self.election.as_ref().map(|l| &l.form)
    }

    /// Station `station`'s entry `slot`, once started.
    pub fn entry(&self, station: u32, slot: Slot) -> Option<&Entry> {
        self.stations.get(&station)?.slot(slot)
    }

    /// The fields returned for correction to station `station`'s entry `slot`, while they
    /// are (the cursor goes only through those).
    pub fn returned_to(&self, station: u32, slot: Slot) -> Option<&[FieldId]> {
        let (to, fields) = self.stations.get(&station)?.returned.as_ref()?;
        (*to == slot).then_some(fields.as_slice())
    }

    /// The sum of the stations' eligible voters as the 110b gives them (what the count
    /// carries when the coordinator enters no number); `None` without an election or when the
    /// sum does not fit.
    pub fn stations_eligible_voters(&self) -> Option<u64> {
        let stations = &self.election.as_ref()?.info.stations;
        stations.iter().try_fold(0u64, |sum, s| {
            sum.checked_add(s.eligible_voters.unwrap_or(0))
        })
    }

    /// The status of a station.
    pub fn status(&self, station: u32) -> Option<Status> {
        self.form()?;
        Some(
            self.stations
                .get(&station)
                .map_or(Status::FirstEntryNotStarted, |s| s.status),
        )
    }

    /// Whether every station is definitive.
    pub fn all_definitive(&self) -> bool {
        !self.stations.is_empty()
            && self
                .stations
                .values()
                .all(|s| s.status == Status::Definitive)
    }

    /// Whether the result can be exported: every station definitive and, in a next session,
    /// every investigation concluded.
    pub fn exportable(&self) -> bool {
        self.all_definitive() && self.sessions.open_investigations().is_empty()
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

    /// The warnings the coordinator must acknowledge before the station is definitive,
    /// with the name of the other typist (the one whose entry is not the result).
    pub fn warnings_to_acknowledge(&self, station: u32) -> Option<(&str, &[CheckResult])> {
        match self
            .data_entry
            .as_ref()
            .and_then(|d| d.station(PollingStationNumber(station)))
            .map(|s| &s.status)
        {
            Some(StationStatus::WarningsToAcknowledge {
                warnings,
                other_typist,
                ..
            }) => Some((other_typist.0.as_str(), warnings.as_slice())),
            _ => None,
        }
    }

    /// The typist whose entry is not a definitive station's result (the matching second
    /// entry, or the entry the coordinator did not keep).
    pub fn other_typist(&self, station: u32) -> Option<String> {
        match self
            .data_entry
            .as_ref()
            .and_then(|d| d.station(PollingStationNumber(station)))
            .map(|s| &s.status)
        {
            Some(StationStatus::Definitive { other_typist, .. }) => Some(other_typist.0.clone()),
            _ => None,
        }
    }

    /// Who acknowledged the warnings of a station, and when (the last time).
    pub fn acknowledgement(&self, station: u32) -> Option<(&str, i64)> {
        self.history(station)
            .iter()
            .rev()
            .find(|h| {
                h.action
                    == (Action::Decide {
                        decision: Decision::AcknowledgeWarnings,
                    })
            })
            .map(|h| (h.user.0.as_str(), h.at.0))
    }

    /// The fields in which the two entries of a station differ (empty unless they do).
    pub fn differences(&self, station: u32) -> Vec<FieldId> {
        self.data_entry
            .as_ref()
            .and_then(|d| d.station(PollingStationNumber(station)))
            .and_then(|s| s.status.difference_warning())
            .map(|w| w.fields)
            .unwrap_or_default()
    }

    /// Every recorded step of a station (who, in which role, when, what), oldest first.
    pub fn history(&self, station: u32) -> &[HistoryRecord] {
        self.data_entry
            .as_ref()
            .and_then(|d| d.station(PollingStationNumber(station)))
            .map_or(&[], |s| s.history.as_slice())
    }

    /// The figures the officials compare between this screen and the printed report
    /// (`tally_report::comparison_figures` of the core's municipal total, the same rows the
    /// PDF prints). `None` while a station is not definitive or the election was not loaded
    /// from files; an error when the total cannot be made. Made once after each change.
    pub fn comparison_figures(&self) -> Option<&Result<ComparisonFigures, FiguresError>> {
        self.figures
            .0
            .get_or_init(|| self.make_comparison_figures())
            .as_ref()
    }

    fn make_comparison_figures(&self) -> Option<Result<ComparisonFigures, FiguresError>> {
        let loaded = self.election.as_ref()?;
        let election = loaded.info.election.as_deref()?;
        let data = self.data_entry.as_ref()?;
        if !self.all_definitive() {
            return None;
        }
        let info = &loaded.info;
        // The stations' names do not reach the figures (they are sums over the stations).
        let mut spec = crate::form::municipality_spec(info);
        spec.total_cast = self.eligible_voters;
        Some(
            municipal_total(data, &spec)
                .map_err(FiguresError::Total)
                .and_then(|t| {
                    tally_report::comparison_figures(election, &info.contest_id, &t.total)
                        .map_err(FiguresError::Report)
                }),
        )
    }

    /// The entry of `station` that is open for typing now: the one whose fields were
    /// returned, else the first or the second (not started or in progress). Else the status
    /// that keeps it closed (differences, errors, definitive: the coordinator's).
    ///
    /// # Errors
    /// The status, when no entry is open.
    pub fn open_entry(&self, station: u32) -> Result<Slot, Status> {
        let status = self.status(station).unwrap_or(Status::FirstEntryNotStarted);
        let returned = self
            .stations
            .get(&station)
            .and_then(|d| d.returned.as_ref())
            .map(|(slot, _)| *slot);
        match (status, returned) {
            (Status::FieldsReturned, Some(slot)) => Ok(slot),
            (Status::FirstEntryNotStarted | Status::FirstEntryInProgress, _) => Ok(Slot::First),
            (Status::SecondEntryNotStarted | Status::SecondEntryInProgress, _) => Ok(Slot::Second),
            (other, _) => Err(other),
        }
    }

    /// Who may type entry `slot` of `station`: `only` the typist of an entry in progress goes
    /// on with it; a new entry is anyone's `except`, for the second, the first typist.
    pub fn entry_typists(&self, station: u32, slot: Slot) -> (Option<PersonId>, Option<PersonId>) {
        let only = self.typist(station, slot).ok();
        let except = match slot {
            Slot::Second => self
                .stations
                .get(&station)
                .and_then(|d| d.first.as_ref())
                .and_then(|e| e.person.or_else(|| self.person_named(&e.typist))),
            Slot::First => None,
        };
        (only, except)
    }

    /// The person registered here under `name` (the people library's confusable-safe
    /// comparison): how an entry imported from an entry appliance, which carries its
    /// typist's name, finds its typist on this appliance.
    fn person_named(&self, name: &str) -> Option<PersonId> {
        self.people
            .registry
            .people()
            .find(|p| tally_core::people::same_name(p.name.as_str(), name))
            .map(|p| p.id)
    }

    /// The typist of the entry in progress in `slot`: the registered person who typed it,
    /// or, for an entry imported from an entry appliance, the person registered here under
    /// its typist's name ([`ApplyError::TypistNotHere`] when there is none).
    pub fn typist(&self, station: u32, slot: Slot) -> Result<PersonId, ApplyError> {
        match self.stations.get(&station).and_then(|s| s.slot(slot)) {
            Some(Entry {
                finished: false,
                person: Some(p),
                ..
            }) => Ok(*p),
            Some(Entry {
                finished: false,
                person: None,
                typist,
                ..
            }) => self
                .person_named(typist)
                .ok_or_else(|| ApplyError::TypistNotHere {
                    station,
                    slot: slot.number(),
                    typist: typist.clone(),
                }),
            _ => Err(ApplyError::BadEntryState(
                station,
                slot.number(),
                "no entry in progress",
            )),
        }
    }

    fn event(
        &mut self,
        station: u32,
        person: PersonId,
        at: i64,
        action: Action,
    ) -> Result<(), ApplyError> {
        let de = self.data_entry.as_mut().ok_or(ApplyError::NoElection)?;
        de.apply_person(
            &self.people.registry,
            &PersonEvent {
                station: PollingStationNumber(station),
                person,
                at: Timestamp(at),
                action,
            },
        )
        .map_err(ApplyError::Refused)
    }

    pub(crate) fn project(&mut self, station: u32) {
        let cursors = &self.cursors;
        let Some(status) = self
            .data_entry
            .as_ref()
            .and_then(|d| d.station(PollingStationNumber(station)))
            .map(|s| &s.status)
        else {
            return;
        };
        let data = StationData::project(status, |slot| {
            cursors.get(&(station, slot)).copied().unwrap_or(0)
        });
        // A station back at its start (both entries discarded, a first with errors
        // discarded, a definitive station reopened) has no entry in: the imported entries
        // it had are discarded, so a later batch cannot bring them back.
        if data.status == Status::FirstEntryNotStarted {
            self.parallel.discard_placed(station);
        }
        self.stations.insert(station, data);
    }

    /// Applies one record; a record the state does not allow changes nothing.
    pub fn apply(&mut self, record: &Record) -> Result<(), ApplyError> {
        self.apply_with(record, None)
    }

    /// [`Tally::apply`], with the kept file the record names (the batch of a
    /// [`crate::batch::ParallelRecord::BatchImported`]).
    pub fn apply_with(&mut self, record: &Record, file: Option<&[u8]>) -> Result<(), ApplyError> {
        self.figures = FiguresCache::default();
        let len = self.form().map_or(0, |f| f.fields.len());
        let clamp = |i: usize| i.min(len.saturating_sub(1));
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
                    self.pending = Some(pending);
                    return Err(ApplyError::WrongElection(election.clone()));
                }
                let numbers: Vec<u32> = pending.info.stations.iter().map(|s| s.number.0).collect();
                // Warnings are acknowledged by the coordinator, not by the typist.
                self.data_entry = Some(
                    DataEntry::new(
                        pending.form.shape.clone(),
                        numbers.iter().map(|n| PollingStationNumber(*n)),
                    )
                    .warnings_by(WarningsBy::Coordinator),
                );
                self.election = Some(pending);
                for n in numbers {
                    self.project(n);
                }
            }
            Record::EntryStarted {
                station,
                slot,
                person,
                at,
            } => {
                let expected = match self.status(*station) {
                    Some(Status::FirstEntryNotStarted) => Slot::First,
                    Some(Status::SecondEntryNotStarted) => Slot::Second,
                    _ => {
                        return Err(ApplyError::BadEntryState(
                            *station,
                            slot.number(),
                            "cannot start",
                        ));
                    }
                };
                if expected != *slot {
                    return Err(ApplyError::BadEntryState(
                        *station,
                        slot.number(),
                        "wrong entry",
                    ));
                }
                self.event(*station, *person, *at, Action::StartEntry)?;
                self.cursors.insert((*station, *slot), 0);
                self.project(*station);
            }
            Record::FieldSet {
                station,
                slot,
                field,
                value,
                next,
                at,
            } => {
                let typist = self.typist(*station, *slot)?;
                self.event(
                    *station,
                    typist,
                    *at,
                    Action::SetField {
                        field: *field,
                        value: *value,
                    },
                )?;
                self.cursors.insert((*station, *slot), clamp(*next));
                self.project(*station);
            }
            Record::Cursor {
                station,
                slot,
                index,
            } => {
                self.typist(*station, *slot)?;
                self.cursors.insert((*station, *slot), clamp(*index));
                self.project(*station);
            }
            Record::EntryFinished { station, slot, at } => {
                let typist = self.typist(*station, *slot)?;
                self.event(
                    *station,
                    typist,
                    *at,
                    Action::Finalise {
                        acknowledge_warnings: false,
                    },
                )?;
                self.project(*station);
            }
            Record::Decided {
                station,
                decision,
                by,
                at,
            } => {
                self.event(
                    *station,
                    *by,
                    *at,
                    Action::Decide {
                        decision: decision.clone(),
                    },
                )?;
                match decision {
                    Decision::SendBack => {
                        self.cursors.insert((*station, Slot::First), 0);
                    }
                    // The typist starts at the first field to retype.
                    Decision::ReturnFields { slot, fields } => {
                        let at = self
                            .form()
                            .and_then(|f| {
                                f.fields.iter().position(|x| fields.first() == Some(&x.id))
                            })
                            .unwrap_or(0);
                        self.cursors.insert((*station, Slot::of(*slot)), at);
                    }
                    _ => {}
                }
                self.project(*station);
            }
            Record::Exported { path, sha256, by } => {
                if !self.all_definitive() {
                    return Err(ApplyError::NoElection);
                }
                let open = self.sessions.open_investigations();
                if !open.is_empty() {
                    return Err(SessionError::OpenInvestigations(open).into());
                }
                self.people
                    .registry
                    .may_act(*by, Role::Coordinator)
                    .map_err(|e| ApplyError::Refused(TransitionError::Person(e)))?;
                self.exported = Some((path.clone(), sha256.clone()));
            }
            Record::Moved { place } => self.place = Some(*place),
            Record::Parallel(r) => self.apply_parallel(r, file)?,
            Record::People(r) => self.people.apply(r).map_err(ApplyError::People)?,
            Record::SessionOpened { by, .. } => {
                self.coordinator(*by)?;
                let number = self.sessions.number();
                let exported = self
                    .exported
                    .take()
                    .ok_or(SessionError::NotExported(number))?;
                let investigations = std::mem::take(&mut self.sessions.investigations);
                let notes = std::mem::take(&mut self.sessions.notes);
                self.sessions.previous.clear();
                self.sessions.closed.push(ClosedSession {
                    number,
                    exported,
                    investigations,
                    notes,
                });
            }
            Record::EligibleVoters { count, by, .. } => {
                self.coordinator(*by)?;
                let info = &self.election.as_ref().ok_or(ApplyError::NoElection)?.info;
                let spec = crate::form::municipality_spec(info);
                tally_core::municipal::total_eligible_voters(&spec.stations, Some(*count))
                    .map_err(ApplyError::EligibleVoters)?;
                self.eligible_voters = Some(*count);
            }
            Record::SessionNoted { note, by, .. } => {
                self.coordinator(*by)?;
                for (what, text) in note.texts() {
                    session_text(text, what)?;
                }
                if let SessionNote::Attendance { from, until, .. } = note {
                    for t in [from, until] {
                        if !is_time(t) {
                            return Err(SessionError::Time(t.clone()).into());
                        }
                    }
                }
                self.sessions.notes.push(note.clone());
            }
            Record::InvestigationRequested {
                station,
                reason,
                instruction,
                by,
                ..
            } => {
                self.coordinator(*by)?;
                if !self.sessions.is_next() {
                    return Err(SessionError::FirstSession.into());
                }
                if self.sessions.investigations.contains_key(station) {
                    return Err(SessionError::AlreadyRequested(*station).into());
                }
                if !crate::session::GSB_REASONS.contains(reason) {
                    return Err(SessionError::NotAGsbReason(*reason).into());
                }
                if !self.stations.contains_key(station) {
                    return Err(ApplyError::NoSuchStation(*station));
                }
                if self.status(*station) != Some(Status::Definitive) {
                    return Err(SessionError::NotDefinitive(*station).into());
                }
                session_text(instruction, "the instruction")?;
                self.sessions.investigations.insert(
                    *station,
                    Investigation {
                        reason: *reason,
                        instruction: instruction.trim().to_owned(),
                        requested_by: *by,
                        conclusion: None,
                        concluded_by: None,
                    },
                );
            }
            Record::InvestigationConcluded {
                station,
                conclusion,
                by,
                at,
            } => {
                self.coordinator(*by)?;
                let investigation = self
                    .sessions
                    .investigations
                    .get(station)
                    .ok_or(SessionError::NoRequest(*station))?;
                if investigation.conclusion.is_some() {
                    return Err(SessionError::AlreadyConcluded(*station).into());
                }
                session_text(&conclusion.findings, "the findings")?;
                if conclusion.corrected {
                    // The result so far is kept beside the new double entry.
                    let result = self
                        .stations
                        .get(station)
                        .and_then(|d| d.result.clone())
                        .ok_or(SessionError::NotDefinitive(*station))?;
                    self.event(
                        *station,
                        *by,
                        *at,
                        Action::Decide {
                            decision: Decision::Reopen,
                        },
                    )?;
                    self.sessions
                        .first
                        .entry(*station)
                        .or_insert_with(|| result.clone());
                    self.sessions.previous.insert(*station, result);
                    self.cursors.remove(&(*station, Slot::First));
                    self.cursors.remove(&(*station, Slot::Second));
                    self.project(*station);
                }
                if let Some(i) = self.sessions.investigations.get_mut(station) {
                    i.conclusion = Some(Conclusion {
                        findings: conclusion.findings.trim().to_owned(),
                        ..conclusion.clone()
                    });
                    i.concluded_by = Some(*by);
                }
            }
        }
        Ok(())
    }

    /// `person` may act as a coordinator.
    pub(crate) fn coordinator_may(&self, person: PersonId) -> Result<(), ApplyError> {
        self.coordinator(person)
    }

    /// `person` may act as a coordinator.
    fn coordinator(&self, person: PersonId) -> Result<(), ApplyError> {
        self.people
            .registry
            .may_act(person, Role::Coordinator)
            .map(|_| ())
            .map_err(|e| ApplyError::Refused(TransitionError::Person(e)))
    }
}

/// Parses what the typist typed into a count field: empty is an empty field.
pub fn parse_count(input: &str) -> Option<FieldValue> {
    if input.is_empty() {
        return Some(FieldValue::Empty);
    }
    EntryCount::parse(input).ok().map(FieldValue::Count)
}

impl crate::persist::Ledger for Tally {
    type Record = Record;
    type Applied = ();
    type Error = ApplyError;

    fn apply(
        &mut self,
        record: &Record,
        file: Option<crate::persist::KeptFile<'_>>,
    ) -> Result<(), ApplyError> {
        // The kept file of a municipal record is an entry batch (at most
        // `batch::MAX_MEDIUM_BYTES`), read whole; one that cannot be read is not the file the
        // record names, which the batch's own check says.
        match file {
            None => Tally::apply_with(self, record, None),
            Some(crate::persist::KeptFile::Bytes(b)) => Tally::apply_with(self, record, Some(b)),
            Some(crate::persist::KeptFile::Path(path)) => {
                let bytes = tally_signing::medium::read_regular_file(
                    path,
                    u64::try_from(crate::batch::MAX_MEDIUM_BYTES).unwrap_or(u64::MAX),
                )
                .ok();
                Tally::apply_with(self, record, bytes.as_deref())
            }
        }
    }

    fn audit_line(&self, record: &Record) -> Option<RecordLine> {
        let ledger = self;
        let name = |id: &tally_core::people::PersonId| Some(ledger.people.name(*id));
        // Who finished an entry: the station's last transition (the entry itself is gone
        // from the projection once the station is definitive): the registered person, else
        // the name typed.
        let typist = |station: &u32| {
            let last = ledger
                .data_entry
                .as_ref()?
                .station(tally_core::ids::PollingStationNumber(*station))?
                .history
                .last()?;
            Some(
                last.person
                    .map_or_else(|| last.user.0.clone(), |p| ledger.people.name(p)),
            )
        };
        let slot_word = |slot: &Slot| match slot {
            Slot::First => "first",
            Slot::Second => "second",
        };
        Some(match record {
            Record::ElectionLoaded { election, files } => RecordLine::new(
                "definition_accepted",
                None,
                format!("definition of {election:?} loaded: {files:?}"),
            ),
            Record::EntryStarted {
                station,
                slot,
                person,
                ..
            } => RecordLine::new(
                "entry_started",
                name(person),
                format!("station {station}, {} entry", slot_word(slot)),
            ),
            Record::EntryFinished { station, slot, .. } => RecordLine::new(
                "entry_finished",
                typist(station),
                format!("station {station}, {} entry", slot_word(slot)),
            ),
            Record::Decided {
                station,
                decision,
                by,
                ..
            } => {
                // `decided:<decision>` as the journal spells it (`keep_first`,
                // `acknowledge_warnings`, ...).
                let kind = serde_json::to_value(decision)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                RecordLine::new(
                    &format!("decided:{kind}"),
                    name(by),
                    format!("station {station}: {kind}"),
                )
            }
            Record::Exported { path, sha256, by } => RecordLine::new(
                "exported",
                name(by),
                format!("exported {path}: 510b {sha256}"),
            ),
            Record::People(p) => crate::people::audit_line(&ledger.people, p),
            Record::SessionOpened { by, .. } => RecordLine::new(
                "session_opened",
                name(by),
                format!("session {} opened", ledger.sessions.number()),
            ),
            Record::EligibleVoters { count, by, .. } => RecordLine::new(
                "eligible_voters",
                name(by),
                format!("eligible voters entered: {count}"),
            ),
            Record::SessionNoted { note, by, .. } => RecordLine::new(
                "session_noted",
                name(by),
                match note {
                    SessionNote::Attendance {
                        member,
                        from,
                        until,
                    } => {
                        format!("present: {member} {from}-{until}")
                    }
                    SessionNote::Objection { .. } => "an objection".to_owned(),
                    SessionNote::Remark { .. } => "a remark".to_owned(),
                },
            ),
            Record::InvestigationRequested {
                station,
                reason,
                by,
                ..
            } => RecordLine::new(
                "investigation_requested",
                name(by),
                format!("station {station}: {}", reason.eml_value()),
            ),
            Record::InvestigationConcluded {
                station,
                conclusion,
                by,
                ..
            } => RecordLine::new(
                "investigation_concluded",
                name(by),
                format!(
                    "station {station}: recounted {}, corrected {}",
                    conclusion.recounted, conclusion.corrected
                ),
            ),
            Record::Parallel(crate::batch::ParallelRecord::Assigned {
                assignments, by, ..
            }) => RecordLine::new(
                "entries_assigned",
                name(by),
                format!("{} entries assigned to entry appliances", assignments.len()),
            ),
            Record::Parallel(crate::batch::ParallelRecord::BatchImported {
                sha256,
                appliance,
                entries,
                by,
                ..
            }) => RecordLine::new(
                "batch_imported",
                name(by),
                format!("entry batch of {appliance} ({entries} entries) imported: {sha256}"),
            ),
            Record::Parallel(crate::batch::ParallelRecord::AssignmentLoaded {
                assignment,
                appliance,
                sha256,
                ..
            }) => RecordLine::new(
                "assignment_loaded",
                None,
                format!(
                    "assignment read: {} entries for {appliance} of {}: {sha256}",
                    assignment.of(appliance).len(),
                    assignment.assignments.len()
                ),
            ),
            Record::Parallel(crate::batch::ParallelRecord::BatchWritten {
                path,
                sha256,
                entries,
                by,
                ..
            }) => RecordLine::new(
                "batch_written",
                name(by),
                format!("entry batch of {entries} entries written to {path}: {sha256}"),
            ),
            _ => return None,
        })
    }
}
