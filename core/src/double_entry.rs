//! Double entry as a state machine per polling station.
//!
//! ```text
//! FirstEntryNotStarted --start--> FirstEntryInProgress --finalise, errors--> FirstEntryHasErrors
//!                                        |                                   | send back -> FirstEntryInProgress
//!                                        |                                   | discard   -> FirstEntryNotStarted
//!                                        +--finalise, no errors--> SecondEntryNotStarted
//! SecondEntryNotStarted --start (other typist)--> SecondEntryInProgress --finalise-->
//!     equal to the first: Definitive
//!     different:          EntriesDifferent (W.001, the differing fields)
//!                              keep first  -> Definitive (first)
//!                              keep second -> Definitive (second; refused if it has errors)
//!                              discard both -> FirstEntryNotStarted
//!                              return the differing fields to the first or second typist
//!                                  -> FieldsReturned (only those fields cleared, the other entry kept)
//! FieldsReturned --finalise (that typist)--> compared again: equal -> Definitive (or
//!     WarningsToAcknowledge; FirstEntryHasErrors if the agreed entry has errors),
//!     different -> EntriesDifferent
//! Definitive --reopen (coordinator)--> FirstEntryNotStarted (correction by a new double entry)
//! ```
//!
//! Who acknowledges warnings ([`WarningsBy`]): by default the typist, when finalising
//! (`Finalise { acknowledge_warnings: true }`). With [`DataEntry::warnings_by`]
//! `(WarningsBy::Coordinator)` the typist saves without acknowledging, and a result with
//! warnings that would become definitive (equal entries, keep first, keep second) waits in
//! `WarningsToAcknowledge` until the coordinator decides:
//!
//! ```text
//! WarningsToAcknowledge --acknowledge warnings (coordinator)--> Definitive
//!                       --discard both (coordinator)--------> FirstEntryNotStarted
//! ```
//!
//! Every change comes in as an [`Event`] carrying who and when (the time is given by the
//! caller: nothing in this crate reads a clock). The same events are what the journal
//! stores, so replaying the journal rebuilds exactly this state. An illegal event is
//! refused with a [`TransitionError`] and changes nothing.
//!
//! Who acts comes in two forms. An [`Event`] names a self-declared user ([`UserName`]) and
//! a role; two names count as one person when [`same_name`] says so (case, white space,
//! invisible characters and Unicode look-alikes ignored). A [`PersonEvent`] names a person
//! of the session's [`Registry`] by [`PersonId`], and [`DataEntry::apply_person`] takes
//! the role from the registry: a typist never makes a coordinator's decision and a
//! coordinator never types (`docs/people.md`); two entries by registered people are
//! compared by their ids. Either way, the second entry of a station is refused when it is
//! by the person who typed the first.

use std::collections::BTreeMap;
use std::fmt;

use crate::entry::checks::{CheckCode, CheckResult, Severity, check};
use crate::entry::{EntryError, EntryShape, FieldId, FieldValue, PollingStationEntry};
use crate::ids::PollingStationNumber;
use crate::people::{PersonId, Registry, RegistryError, same_name};

/// A moment, in milliseconds since 1970-01-01T00:00:00Z, as given by the caller.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Timestamp(pub i64);

/// The name of a typist or coordinator, as they identified themselves.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct UserName(pub String);

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The role in which a user acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Types in paper reports.
    Typist,
    /// Resolves differences and errors.
    Coordinator,
}

/// Which of the two entries of a polling station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrySlot {
    /// The first entry.
    First,
    /// The second entry.
    Second,
}

/// A coordinator's decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Entries different: the first entry is right; it becomes definitive.
    KeepFirst,
    /// Entries different: the second entry is right; it becomes definitive.
    KeepSecond,
    /// Entries different: both are discarded; both typists start again.
    DiscardBoth,
    /// First entry has errors: send it back to its typist to correct.
    SendBack,
    /// First entry has errors: discard it; the first entry starts again.
    DiscardFirst,
    /// Definitive: reopen for a correction by a new double entry.
    Reopen,
    /// Warnings to acknowledge: the coordinator has checked the warnings against the paper;
    /// the result becomes definitive.
    AcknowledgeWarnings,
    /// Entries different: the differing fields go back to the typist of one entry, who
    /// retypes only those (cleared); the rest of both entries stays. `fields` must be
    /// exactly the differing fields, in the order of the paper (the journal records them).
    ReturnFields {
        /// Whose entry is corrected.
        slot: EntrySlot,
        /// The fields to retype.
        fields: Vec<FieldId>,
    },
}

/// Who acknowledges the warnings (W) of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum WarningsBy {
    /// The typist, when finalising the entry (the default).
    #[default]
    Typist,
    /// The coordinator, before the result becomes definitive; the typist saves without.
    Coordinator,
}

/// What happens.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Action {
    /// A typist starts the first or the second entry.
    StartEntry,
    /// A typist completes one field.
    SetField {
        /// The field.
        field: FieldId,
        /// Its new value.
        value: FieldValue,
    },
    /// A typist interrupts the entry (to resume later); nothing changes but the record.
    Save,
    /// A typist finalises the entry, acknowledging the warnings (W) if there are any.
    Finalise {
        /// Whether the typist acknowledged every warning shown.
        acknowledge_warnings: bool,
    },
    /// A coordinator decides.
    Decide {
        /// The decision.
        decision: Decision,
    },
}

/// One event of data entry: who did what to which polling station's entry, when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    /// The polling station.
    #[serde(with = "station_number")]
    pub station: PollingStationNumber,
    /// Who.
    pub user: UserName,
    /// In which role.
    pub role: Role,
    /// When (given by the caller).
    pub at: Timestamp,
    /// What.
    pub action: Action,
}

mod station_number {
    use crate::ids::PollingStationNumber;

    pub fn serialize<S: serde::Serializer>(
        n: &PollingStationNumber,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_u32(n.0)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<PollingStationNumber, D::Error> {
        <u32 as serde::Deserialize>::deserialize(d).map(PollingStationNumber)
    }
}

/// One event of data entry by a registered person: who did what to which polling
/// station's entry, when. The role is the person's, from the [`Registry`]
/// ([`DataEntry::apply_person`]). This is what the terminal journals once the people of
/// the session are registered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersonEvent {
    /// The polling station.
    #[serde(with = "station_number")]
    pub station: PollingStationNumber,
    /// Who (the terminal has verified their PIN).
    pub person: PersonId,
    /// When (given by the caller).
    pub at: Timestamp,
    /// What.
    pub action: Action,
}

/// One entry of a paper report by one typist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedEntry {
    /// Who types it.
    pub typist: UserName,
    /// The registered person who types it (`None` for a self-declared name).
    pub person: Option<PersonId>,
    /// What is typed so far.
    pub entry: PollingStationEntry,
    /// When it was started.
    pub started_at: Timestamp,
    /// When a field was last completed (or the entry started).
    pub last_edit_at: Timestamp,
}

/// Where a polling station's double entry stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StationStatus {
    /// Nobody has started.
    FirstEntryNotStarted,
    /// The first typist is typing (or has interrupted).
    FirstEntryInProgress {
        /// The first entry.
        first: TypedEntry,
    },
    /// The first entry was finalised with errors (F); the coordinator decides.
    FirstEntryHasErrors {
        /// The first entry.
        first: TypedEntry,
        /// The checks that failed.
        results: Vec<CheckResult>,
    },
    /// The first entry is finalised without errors; the second has not started.
    SecondEntryNotStarted {
        /// The first entry.
        first: TypedEntry,
    },
    /// The second typist is typing.
    SecondEntryInProgress {
        /// The first entry (never shown to the second typist).
        first: TypedEntry,
        /// The second entry.
        second: TypedEntry,
    },
    /// Both entries are in and differ (W.001); the coordinator decides.
    EntriesDifferent {
        /// The first entry.
        first: TypedEntry,
        /// The second entry.
        second: TypedEntry,
        /// The differing fields, in the order of the paper.
        differences: Vec<FieldId>,
    },
    /// The entry that would become definitive has warnings the coordinator has not
    /// acknowledged yet (only with [`WarningsBy::Coordinator`]).
    WarningsToAcknowledge {
        /// The entry that becomes definitive once acknowledged.
        result: TypedEntry,
        /// The other typist.
        other_typist: UserName,
        /// The warnings to acknowledge.
        warnings: Vec<CheckResult>,
    },
    /// The coordinator returned the differing fields of one entry to its typist, who
    /// retypes them (they are cleared; no other field of that entry may change).
    FieldsReturned {
        /// The first entry.
        first: TypedEntry,
        /// The second entry.
        second: TypedEntry,
        /// Which of the two is being corrected.
        slot: EntrySlot,
        /// The fields to retype, in the order of the paper.
        fields: Vec<FieldId>,
    },
    /// The station's result is definitive.
    Definitive {
        /// The entry that became definitive.
        result: TypedEntry,
        /// The other typist (the matching second entry, or the entry the coordinator
        /// did not keep).
        other_typist: UserName,
    },
}

/// The name of a status, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum StatusKind {
    FirstEntryNotStarted,
    FirstEntryInProgress,
    FirstEntryHasErrors,
    SecondEntryNotStarted,
    SecondEntryInProgress,
    EntriesDifferent,
    FieldsReturned,
    WarningsToAcknowledge,
    Definitive,
}

impl StatusKind {
    /// Whether the coordinator must act: errors in the first entry, two entries that differ,
    /// or warnings to acknowledge.
    pub fn needs_coordinator(self) -> bool {
        matches!(
            self,
            StatusKind::FirstEntryHasErrors
                | StatusKind::EntriesDifferent
                | StatusKind::WarningsToAcknowledge
        )
    }
}

impl fmt::Display for StatusKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl StationStatus {
    /// The status's name.
    pub fn kind(&self) -> StatusKind {
        match self {
            StationStatus::FirstEntryNotStarted => StatusKind::FirstEntryNotStarted,
            StationStatus::FirstEntryInProgress { .. } => StatusKind::FirstEntryInProgress,
            StationStatus::FirstEntryHasErrors { .. } => StatusKind::FirstEntryHasErrors,
            StationStatus::SecondEntryNotStarted { .. } => StatusKind::SecondEntryNotStarted,
            StationStatus::SecondEntryInProgress { .. } => StatusKind::SecondEntryInProgress,
            StationStatus::EntriesDifferent { .. } => StatusKind::EntriesDifferent,
            StationStatus::FieldsReturned { .. } => StatusKind::FieldsReturned,
            StationStatus::WarningsToAcknowledge { .. } => StatusKind::WarningsToAcknowledge,
            StationStatus::Definitive { .. } => StatusKind::Definitive,
        }
    }

    /// The W.001 result when the entries differ.
    pub fn difference_warning(&self) -> Option<CheckResult> {
        match self {
            StationStatus::EntriesDifferent { differences, .. } => Some(CheckResult {
                code: CheckCode::W001,
                list: None,
                fields: differences.clone(),
            }),
            _ => None,
        }
    }
}

/// One recorded transition: who did what, when, from which status to which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRecord {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub user: UserName,
    /// The registered person (`None` for a self-declared name).
    pub person: Option<PersonId>,
    /// In which role.
    pub role: Role,
    /// What (never a field edit: those are in the journal only).
    pub action: Action,
    /// Status before.
    pub from: StatusKind,
    /// Status after.
    pub to: StatusKind,
}

/// A polling station's double entry and its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationEntry {
    /// Where it stands.
    pub status: StationStatus,
    /// Every transition (every event but field edits), oldest first.
    pub history: Vec<HistoryRecord>,
}

/// Why an event was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The polling station is not in this election.
    #[error("polling station {0} is not in this election")]
    UnknownStation(PollingStationNumber),
    /// The action is not possible in the current status.
    #[error("polling station {station}: {action} is not possible while the status is {status}")]
    NotAllowed {
        /// The station.
        station: PollingStationNumber,
        /// The action, named.
        action: &'static str,
        /// The current status.
        status: StatusKind,
    },
    /// A typist's action by a coordinator or the other way round.
    #[error("{user} acts as {role:?}, but {action} needs the other role")]
    WrongRole {
        /// Who.
        user: UserName,
        /// In which role.
        role: Role,
        /// The action, named.
        action: &'static str,
    },
    /// The second entry must be typed by someone else than the first.
    #[error(
        "polling station {station}: {typist} typed the first entry and may not type the second"
    )]
    SameTypist {
        /// The station.
        station: PollingStationNumber,
        /// The typist.
        typist: UserName,
    },
    /// Only the typist who started an entry may continue it.
    #[error("polling station {station}: the entry belongs to {owner}, not {user}")]
    NotYourEntry {
        /// The station.
        station: PollingStationNumber,
        /// Who holds the entry.
        owner: UserName,
        /// Who tried.
        user: UserName,
    },
    /// An empty user name.
    #[error("a user name may not be empty")]
    EmptyName,
    /// The person of a [`PersonEvent`] cannot act: not registered or deactivated.
    #[error("{0}")]
    Person(RegistryError),
    /// The field or value was refused.
    #[error("polling station {station}: {source}")]
    Field {
        /// The station.
        station: PollingStationNumber,
        /// Why.
        source: EntryError,
    },
    /// Finalising with warnings that were not acknowledged.
    #[error("polling station {station}: acknowledge the warnings first: {codes:?}")]
    WarningsNotAcknowledged {
        /// The station.
        station: PollingStationNumber,
        /// The warnings.
        codes: Vec<CheckCode>,
    },
    /// A field that was not returned for correction.
    #[error("polling station {station}: field {field} was not returned for correction")]
    FieldNotReturned {
        /// The station.
        station: PollingStationNumber,
        /// The field.
        field: FieldId,
    },
    /// Fields returned for correction that are not exactly the differing fields.
    #[error("polling station {station}: only the differing fields {differences:?} can be returned")]
    NotTheDifferences {
        /// The station.
        station: PollingStationNumber,
        /// The differing fields.
        differences: Vec<FieldId>,
    },
    /// The coordinator tried to keep an entry that has errors.
    #[error("polling station {station}: the entry to keep has errors {codes:?}; discard instead")]
    KeptEntryHasErrors {
        /// The station.
        station: PollingStationNumber,
        /// The errors.
        codes: Vec<CheckCode>,
    },
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::StartEntry => "start entry",
        Action::SetField { .. } => "set field",
        Action::Save => "save",
        Action::Finalise { .. } => "finalise",
        Action::Decide { decision } => match decision {
            Decision::KeepFirst => "keep first entry",
            Decision::KeepSecond => "keep second entry",
            Decision::DiscardBoth => "discard both entries",
            Decision::SendBack => "send back",
            Decision::DiscardFirst => "discard first entry",
            Decision::Reopen => "reopen",
            Decision::AcknowledgeWarnings => "acknowledge warnings",
            Decision::ReturnFields { .. } => "return fields",
        },
    }
}

/// The data entry of a whole municipality: every polling station's double entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataEntry {
    shape: EntryShape,
    stations: BTreeMap<PollingStationNumber, StationEntry>,
    warnings_by: WarningsBy,
}

impl DataEntry {
    /// Nothing entered yet for these polling stations.
    pub fn new(
        shape: EntryShape,
        stations: impl IntoIterator<Item = PollingStationNumber>,
    ) -> DataEntry {
        let stations = stations
            .into_iter()
            .map(|n| {
                (
                    n,
                    StationEntry {
                        status: StationStatus::FirstEntryNotStarted,
                        history: Vec::new(),
                    },
                )
            })
            .collect();
        DataEntry {
            shape,
            stations,
            warnings_by: WarningsBy::Typist,
        }
    }

    /// Who acknowledges warnings (set before the first event; the journal's replay must
    /// use the same).
    pub fn warnings_by(mut self, by: WarningsBy) -> DataEntry {
        self.warnings_by = by;
        self
    }

    /// Who acknowledges warnings.
    pub fn acknowledged_by(&self) -> WarningsBy {
        self.warnings_by
    }

    /// The form's shape.
    pub fn shape(&self) -> &EntryShape {
        &self.shape
    }

    /// One station.
    pub fn station(&self, number: PollingStationNumber) -> Option<&StationEntry> {
        self.stations.get(&number)
    }

    /// Every station, by number.
    pub fn stations(&self) -> impl Iterator<Item = (PollingStationNumber, &StationEntry)> {
        self.stations.iter().map(|(n, s)| (*n, s))
    }

    /// Applies one event of a self-declared user, or refuses it and changes nothing.
    pub fn apply(&mut self, event: &Event) -> Result<(), TransitionError> {
        if event.user.0.trim().is_empty() {
            return Err(TransitionError::EmptyName);
        }
        let actor = Actor {
            user: &event.user,
            person: None,
            role: event.role,
        };
        self.apply_as(&actor, event.station, event.at, &event.action)
    }

    /// Applies one event of a registered person, or refuses it and changes nothing. The
    /// person must be in `people` and active; they act in their registered role (so a
    /// typist's [`Action::Decide`] is refused as [`TransitionError::WrongRole`], as is a
    /// coordinator's entry), and their entries are theirs by [`PersonId`]. Replay the
    /// registry's and these events in the order of the journal: a person deactivated later
    /// was active when they acted.
    pub fn apply_person(
        &mut self,
        people: &Registry,
        event: &PersonEvent,
    ) -> Result<(), TransitionError> {
        let person = people.person(event.person).ok_or(TransitionError::Person(
            RegistryError::UnknownPerson(event.person),
        ))?;
        if !person.active {
            return Err(TransitionError::Person(RegistryError::Deactivated(
                event.person,
            )));
        }
        let user = UserName(person.name.as_str().to_owned());
        let actor = Actor {
            user: &user,
            person: Some(person.id),
            role: person.role,
        };
        self.apply_as(&actor, event.station, event.at, &event.action)
    }

    fn apply_as(
        &mut self,
        actor: &Actor<'_>,
        station_no: PollingStationNumber,
        at: Timestamp,
        action: &Action,
    ) -> Result<(), TransitionError> {
        let shape = &self.shape;
        let by_typist = self.warnings_by == WarningsBy::Typist;
        let station = self
            .stations
            .get_mut(&station_no)
            .ok_or(TransitionError::UnknownStation(station_no))?;
        let from = station.status.kind();
        let not_allowed = || TransitionError::NotAllowed {
            station: station_no,
            action: action_name(action),
            status: from,
        };
        let need_role = |role: Role| {
            if actor.role == role {
                Ok(())
            } else {
                Err(TransitionError::WrongRole {
                    user: actor.user.clone(),
                    role: actor.role,
                    action: action_name(action),
                })
            }
        };
        let owned = |typed: &TypedEntry| {
            if actor.is(typed) {
                Ok(())
            } else {
                Err(TransitionError::NotYourEntry {
                    station: station_no,
                    owner: typed.typist.clone(),
                    user: actor.user.clone(),
                })
            }
        };

        // Field edits change the entry in place (validated before any change).
        if let Action::SetField { field, value } = action {
            need_role(Role::Typist)?;
            let typed = match &mut station.status {
                StationStatus::FirstEntryInProgress { first } => first,
                StationStatus::SecondEntryInProgress { second, .. } => second,
                StationStatus::FieldsReturned {
                    first,
                    second,
                    slot,
                    fields,
                } => {
                    let corrected = match slot {
                        EntrySlot::First => first,
                        EntrySlot::Second => second,
                    };
                    // Whose entry it is comes first: the other typist hears that.
                    owned(corrected)?;
                    if !fields.contains(field) {
                        return Err(TransitionError::FieldNotReturned {
                            station: station_no,
                            field: *field,
                        });
                    }
                    corrected
                }
                _ => return Err(not_allowed()),
            };
            owned(typed)?;
            typed
                .entry
                .set(shape, *field, *value)
                .map_err(|source| TransitionError::Field {
                    station: station_no,
                    source,
                })?;
            typed.last_edit_at = at;
            return Ok(());
        }

        let new_entry = || TypedEntry {
            typist: actor.user.clone(),
            person: actor.person,
            entry: PollingStationEntry::empty(shape),
            started_at: at,
            last_edit_at: at,
        };

        let next: StationStatus = match (action, &station.status) {
            (Action::StartEntry, StationStatus::FirstEntryNotStarted) => {
                need_role(Role::Typist)?;
                StationStatus::FirstEntryInProgress { first: new_entry() }
            }
            (Action::StartEntry, StationStatus::SecondEntryNotStarted { first }) => {
                need_role(Role::Typist)?;
                if actor.is(first) {
                    return Err(TransitionError::SameTypist {
                        station: station_no,
                        typist: actor.user.clone(),
                    });
                }
                StationStatus::SecondEntryInProgress {
                    first: first.clone(),
                    second: new_entry(),
                }
            }
            (Action::Save, StationStatus::FirstEntryInProgress { first: typed })
            | (Action::Save, StationStatus::SecondEntryInProgress { second: typed, .. }) => {
                need_role(Role::Typist)?;
                owned(typed)?;
                station.status.clone()
            }
            (
                Action::Save,
                StationStatus::FieldsReturned {
                    first,
                    second,
                    slot,
                    ..
                },
            ) => {
                need_role(Role::Typist)?;
                owned(match slot {
                    EntrySlot::First => first,
                    EntrySlot::Second => second,
                })?;
                station.status.clone()
            }
            (
                Action::Finalise {
                    acknowledge_warnings,
                },
                StationStatus::FieldsReturned {
                    first,
                    second,
                    slot,
                    ..
                },
            ) => {
                need_role(Role::Typist)?;
                let corrected = match slot {
                    EntrySlot::First => first,
                    EntrySlot::Second => second,
                };
                owned(corrected)?;
                let results = check(&corrected.entry, shape);
                let errors = results.iter().any(|r| r.severity() == Severity::Error);
                if by_typist && !errors {
                    require_acknowledged(station_no, &results, *acknowledge_warnings)?;
                }
                let differences = first.entry.differences(&second.entry, shape);
                if !differences.is_empty() {
                    StationStatus::EntriesDifferent {
                        first: first.clone(),
                        second: second.clone(),
                        differences,
                    }
                } else if errors {
                    // Both typists read the same errors off the paper: the coordinator
                    // sends the (agreed) entry back or discards it, as for a first entry.
                    StationStatus::FirstEntryHasErrors {
                        first: first.clone(),
                        results,
                    }
                } else {
                    agreed(by_typist, shape, first, &second.typist)
                }
            }
            (
                Action::Finalise {
                    acknowledge_warnings,
                },
                StationStatus::FirstEntryInProgress { first },
            ) => {
                need_role(Role::Typist)?;
                owned(first)?;
                let results = check(&first.entry, shape);
                if results.iter().any(|r| r.severity() == Severity::Error) {
                    StationStatus::FirstEntryHasErrors {
                        first: first.clone(),
                        results,
                    }
                } else {
                    if by_typist {
                        require_acknowledged(station_no, &results, *acknowledge_warnings)?;
                    }
                    StationStatus::SecondEntryNotStarted {
                        first: first.clone(),
                    }
                }
            }
            (
                Action::Finalise {
                    acknowledge_warnings,
                },
                StationStatus::SecondEntryInProgress { first, second },
            ) => {
                need_role(Role::Typist)?;
                owned(second)?;
                let results = check(&second.entry, shape);
                if by_typist && !results.iter().any(|r| r.severity() == Severity::Error) {
                    require_acknowledged(station_no, &results, *acknowledge_warnings)?;
                }
                let differences = first.entry.differences(&second.entry, shape);
                if differences.is_empty() {
                    agreed(by_typist, shape, first, &second.typist)
                } else {
                    StationStatus::EntriesDifferent {
                        first: first.clone(),
                        second: second.clone(),
                        differences,
                    }
                }
            }
            (Action::Decide { decision }, status) => {
                need_role(Role::Coordinator)?;
                match (decision, status) {
                    (Decision::SendBack, StationStatus::FirstEntryHasErrors { first, .. }) => {
                        StationStatus::FirstEntryInProgress {
                            first: first.clone(),
                        }
                    }
                    (Decision::DiscardFirst, StationStatus::FirstEntryHasErrors { .. })
                    | (Decision::DiscardBoth, StationStatus::EntriesDifferent { .. })
                    | (Decision::DiscardBoth, StationStatus::WarningsToAcknowledge { .. })
                    | (Decision::DiscardBoth, StationStatus::FieldsReturned { .. })
                    | (Decision::Reopen, StationStatus::Definitive { .. }) => {
                        StationStatus::FirstEntryNotStarted
                    }
                    (
                        Decision::AcknowledgeWarnings,
                        StationStatus::WarningsToAcknowledge {
                            result,
                            other_typist,
                            ..
                        },
                    ) => StationStatus::Definitive {
                        result: result.clone(),
                        other_typist: other_typist.clone(),
                    },
                    (
                        Decision::KeepFirst,
                        StationStatus::EntriesDifferent { first, second, .. },
                    ) => agreed(by_typist, shape, first, &second.typist),
                    (
                        Decision::ReturnFields { slot, fields },
                        StationStatus::EntriesDifferent {
                            first,
                            second,
                            differences,
                        },
                    ) => {
                        if fields != differences {
                            return Err(TransitionError::NotTheDifferences {
                                station: station_no,
                                differences: differences.clone(),
                            });
                        }
                        let (mut first, mut second) = (first.clone(), second.clone());
                        let corrected = match slot {
                            EntrySlot::First => &mut first,
                            EntrySlot::Second => &mut second,
                        };
                        for field in fields {
                            corrected
                                .entry
                                .set(shape, *field, FieldValue::Empty)
                                .map_err(|source| TransitionError::Field {
                                    station: station_no,
                                    source,
                                })?;
                        }
                        StationStatus::FieldsReturned {
                            first,
                            second,
                            slot: *slot,
                            fields: fields.clone(),
                        }
                    }
                    (
                        Decision::KeepSecond,
                        StationStatus::EntriesDifferent { first, second, .. },
                    ) => {
                        let errors: Vec<CheckCode> = check(&second.entry, shape)
                            .into_iter()
                            .filter(|r| r.severity() == Severity::Error)
                            .map(|r| r.code)
                            .collect();
                        if !errors.is_empty() {
                            return Err(TransitionError::KeptEntryHasErrors {
                                station: station_no,
                                codes: errors,
                            });
                        }
                        agreed(by_typist, shape, second, &first.typist)
                    }
                    _ => return Err(not_allowed()),
                }
            }
            _ => return Err(not_allowed()),
        };
        let to = next.kind();
        station.status = next;
        station.history.push(HistoryRecord {
            at,
            user: actor.user.clone(),
            person: actor.person,
            role: actor.role,
            action: action.clone(),
            from,
            to,
        });
        Ok(())
    }

    /// The stations that are not definitive yet, with their status.
    pub fn not_definitive(&self) -> Vec<(PollingStationNumber, StatusKind)> {
        self.stations
            .iter()
            .filter(|(_, s)| s.status.kind() != StatusKind::Definitive)
            .map(|(n, s)| (*n, s.status.kind()))
            .collect()
    }
}

/// Who acts, as the state machine sees them.
struct Actor<'a> {
    user: &'a UserName,
    person: Option<PersonId>,
    role: Role,
}

impl Actor<'_> {
    /// Whether `typed` is this actor's entry: the same registered person when both are
    /// registered; otherwise names that [`same_name`] takes for one.
    fn is(&self, typed: &TypedEntry) -> bool {
        match (typed.person, self.person) {
            (Some(a), Some(b)) => a == b,
            _ => typed.typist == *self.user || same_name(&typed.typist.0, &self.user.0),
        }
    }
}

/// The status of an entry that is to become definitive: definitive, or waiting for the
/// coordinator to acknowledge its warnings when they acknowledge them.
fn agreed(
    by_typist: bool,
    shape: &EntryShape,
    result: &TypedEntry,
    other_typist: &UserName,
) -> StationStatus {
    let warnings: Vec<CheckResult> = if by_typist {
        Vec::new()
    } else {
        check(&result.entry, shape)
            .into_iter()
            .filter(|r| r.severity() == Severity::Warning)
            .collect()
    };
    if warnings.is_empty() {
        StationStatus::Definitive {
            result: result.clone(),
            other_typist: other_typist.clone(),
        }
    } else {
        StationStatus::WarningsToAcknowledge {
            result: result.clone(),
            other_typist: other_typist.clone(),
            warnings,
        }
    }
}

fn require_acknowledged(
    station: PollingStationNumber,
    results: &[CheckResult],
    acknowledged: bool,
) -> Result<(), TransitionError> {
    let warnings: Vec<CheckCode> = results
        .iter()
        .filter(|r| r.severity() == Severity::Warning)
        .map(|r| r.code)
        .collect();
    if warnings.is_empty() || acknowledged {
        Ok(())
    } else {
        Err(TransitionError::WarningsNotAcknowledged {
            station,
            codes: warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::entry::{EntryCount, FieldId, FieldValue};
    use crate::ids::{CandidatePosition, ListNumber};

    const SB: PollingStationNumber = PollingStationNumber(3);

    fn shape() -> EntryShape {
        EntryShape {
            has_voter_cards: false,
            lists: vec![(ListNumber(1), 2)],
        }
    }

    fn ev(user: &str, role: Role, at: i64, action: Action) -> Event {
        Event {
            station: SB,
            user: UserName(user.into()),
            role,
            at: Timestamp(at),
            action,
        }
    }

    /// A typist's whole entry of a report whose totals agree, with `blank` blank votes
    /// (40 of 120 votes cast is far above 3 %: warning W.201; 1 is no warning).
    fn entry(de: &mut DataEntry, user: &str, blank: u64) {
        typed(de, user, blank, false).unwrap();
    }

    /// [`entry`], finalised with or without acknowledging; the finalisation's outcome.
    fn typed(
        de: &mut DataEntry,
        user: &str,
        blank: u64,
        acknowledge_warnings: bool,
    ) -> Result<(), TransitionError> {
        let (c1, c2) = (50u64, 29u64);
        let e = c1 + c2;
        let h = e + blank;
        let set = |field, n: u64| Action::SetField {
            field,
            value: FieldValue::Count(EntryCount::new(n).unwrap()),
        };
        let actions = vec![
            Action::StartEntry,
            set(FieldId::PollCards, h),
            set(FieldId::AdmittedVoters, h),
            set(FieldId::ListVotes(ListNumber(1)), e),
            set(FieldId::VotesOnCandidates, e),
            set(FieldId::BlankVotes, blank),
            set(FieldId::InvalidVotes, 0),
            set(FieldId::VotesCast, h),
            Action::SetField {
                field: FieldId::AdmittedEqualsCast,
                value: FieldValue::Mark(true),
            },
            set(
                FieldId::CandidateVotes(ListNumber(1), CandidatePosition(1)),
                c1,
            ),
            set(
                FieldId::CandidateVotes(ListNumber(1), CandidatePosition(2)),
                c2,
            ),
            set(FieldId::ListTotal(ListNumber(1)), e),
        ];
        for (i, a) in actions.into_iter().enumerate() {
            let at = 1_000 + i64::try_from(i).unwrap();
            de.apply(&ev(user, Role::Typist, at, a))
                .unwrap_or_else(|err| panic!("{user}: {err}"));
        }
        de.apply(&ev(
            user,
            Role::Typist,
            2_000,
            Action::Finalise {
                acknowledge_warnings,
            },
        ))
    }

    fn by_coordinator() -> DataEntry {
        DataEntry::new(shape(), [SB]).warnings_by(WarningsBy::Coordinator)
    }

    fn decide(de: &mut DataEntry, role: Role, d: Decision) -> Result<(), TransitionError> {
        de.apply(&ev("Coco", role, 5_000, Action::Decide { decision: d }))
    }

    fn kind(de: &DataEntry) -> StatusKind {
        de.station(SB).unwrap().status.kind()
    }

    #[test]
    fn the_coordinator_acknowledges_the_warnings_of_an_agreed_result() {
        let mut de = by_coordinator();
        entry(&mut de, "Anna", 40);
        // The typist's save without acknowledgement is accepted.
        assert_eq!(kind(&de), StatusKind::SecondEntryNotStarted);
        entry(&mut de, "Bert", 40);
        let StationStatus::WarningsToAcknowledge {
            result,
            other_typist,
            warnings,
        } = &de.station(SB).unwrap().status
        else {
            panic!("{:?}", de.station(SB));
        };
        assert_eq!(result.typist.0, "Anna");
        assert_eq!(other_typist.0, "Bert");
        let codes: Vec<CheckCode> = warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, vec![CheckCode::W201]);
        assert_eq!(
            warnings[0].fields,
            vec![FieldId::BlankVotes, FieldId::VotesCast]
        );
        // Not definitive yet: the municipal total must wait.
        assert_eq!(
            de.not_definitive(),
            vec![(SB, StatusKind::WarningsToAcknowledge)]
        );
        // A typist may not acknowledge; nothing changes.
        let before = de.clone();
        assert!(matches!(
            decide(&mut de, Role::Typist, Decision::AcknowledgeWarnings),
            Err(TransitionError::WrongRole { .. })
        ));
        assert_eq!(de, before);
        // Other decisions do not fit this status.
        assert!(matches!(
            decide(&mut de, Role::Coordinator, Decision::KeepFirst),
            Err(TransitionError::NotAllowed { .. })
        ));
        decide(&mut de, Role::Coordinator, Decision::AcknowledgeWarnings).unwrap();
        let station = de.station(SB).unwrap();
        let StationStatus::Definitive {
            result,
            other_typist,
        } = &station.status
        else {
            panic!("{:?}", station.status);
        };
        assert_eq!(
            (result.typist.0.as_str(), other_typist.0.as_str()),
            ("Anna", "Bert")
        );
        // Who and when are in the history.
        let last = station.history.last().unwrap();
        assert_eq!(last.user.0, "Coco");
        assert_eq!(last.role, Role::Coordinator);
        assert_eq!(last.at, Timestamp(5_000));
        assert_eq!(last.from, StatusKind::WarningsToAcknowledge);
        assert_eq!(last.to, StatusKind::Definitive);
        // Once definitive, there is nothing left to acknowledge.
        assert!(matches!(
            decide(&mut de, Role::Coordinator, Decision::AcknowledgeWarnings),
            Err(TransitionError::NotAllowed { .. })
        ));
    }

    #[test]
    fn a_result_without_warnings_is_definitive_at_once_and_discard_starts_again() {
        let mut de = by_coordinator();
        entry(&mut de, "Anna", 1);
        entry(&mut de, "Bert", 1);
        assert_eq!(kind(&de), StatusKind::Definitive);

        let mut de = by_coordinator();
        entry(&mut de, "Anna", 40);
        entry(&mut de, "Bert", 40);
        decide(&mut de, Role::Coordinator, Decision::DiscardBoth).unwrap();
        assert_eq!(kind(&de), StatusKind::FirstEntryNotStarted);
    }

    #[test]
    fn keeping_one_of_two_different_entries_waits_for_its_warnings() {
        let mut de = by_coordinator();
        entry(&mut de, "Anna", 40);
        entry(&mut de, "Bert", 1);
        assert_eq!(kind(&de), StatusKind::EntriesDifferent);
        decide(&mut de, Role::Coordinator, Decision::KeepFirst).unwrap();
        assert_eq!(kind(&de), StatusKind::WarningsToAcknowledge);

        let mut de = by_coordinator();
        entry(&mut de, "Anna", 40);
        entry(&mut de, "Bert", 1);
        decide(&mut de, Role::Coordinator, Decision::KeepSecond).unwrap();
        assert_eq!(kind(&de), StatusKind::Definitive);
    }

    #[test]
    fn the_acknowledgement_survives_the_journal_codec() {
        let event = ev(
            "Coco",
            Role::Coordinator,
            5_000,
            Action::Decide {
                decision: Decision::AcknowledgeWarnings,
            },
        );
        let bytes = crate::journal::codec::encode_event(&event).unwrap();
        assert_eq!(crate::journal::codec::decode_event(&bytes).unwrap(), event);
    }

    #[test]
    fn by_default_the_typist_acknowledges_and_the_coordinator_has_nothing_to() {
        let mut de = DataEntry::new(shape(), [SB]);
        assert_eq!(de.acknowledged_by(), WarningsBy::Typist);
        // Unacknowledged: refused, as before.
        assert!(matches!(
            typed(&mut de, "Anna", 40, false),
            Err(TransitionError::WarningsNotAcknowledged { .. })
        ));
        de.apply(&ev(
            "Anna",
            Role::Typist,
            2_001,
            Action::Finalise {
                acknowledge_warnings: true,
            },
        ))
        .unwrap();
        typed(&mut de, "Bert", 40, true).unwrap();
        assert_eq!(kind(&de), StatusKind::Definitive);
        assert!(matches!(
            decide(&mut de, Role::Coordinator, Decision::AcknowledgeWarnings),
            Err(TransitionError::NotAllowed { .. })
        ));
    }
}
