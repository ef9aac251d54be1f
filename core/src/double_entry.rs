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
//! Definitive --reopen (coordinator)--> FirstEntryNotStarted (correction by a new double entry)
//! ```
//!
//! Every change comes in as an [`Event`] carrying who and when (the time is given by the
//! caller: nothing in this crate reads a clock). The same events are what the journal
//! stores, so replaying the journal rebuilds exactly this state. An illegal event is
//! refused with a [`TransitionError`] and changes nothing.

use std::collections::BTreeMap;
use std::fmt;

use crate::entry::checks::{CheckCode, CheckResult, Severity, check};
use crate::entry::{EntryError, EntryShape, FieldId, FieldValue, PollingStationEntry};
use crate::ids::PollingStationNumber;

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

/// A coordinator's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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

/// One entry of a paper report by one typist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedEntry {
    /// Who types it.
    pub typist: UserName,
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
    Definitive,
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
        },
    }
}

/// The data entry of a whole municipality: every polling station's double entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataEntry {
    shape: EntryShape,
    stations: BTreeMap<PollingStationNumber, StationEntry>,
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
        DataEntry { shape, stations }
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

    /// Applies one event, or refuses it and changes nothing.
    pub fn apply(&mut self, event: &Event) -> Result<(), TransitionError> {
        let station_no = event.station;
        if event.user.0.trim().is_empty() {
            return Err(TransitionError::EmptyName);
        }
        let shape = &self.shape;
        let station = self
            .stations
            .get_mut(&station_no)
            .ok_or(TransitionError::UnknownStation(station_no))?;
        let from = station.status.kind();
        let not_allowed = || TransitionError::NotAllowed {
            station: station_no,
            action: action_name(&event.action),
            status: from,
        };
        let need_role = |role: Role| {
            if event.role == role {
                Ok(())
            } else {
                Err(TransitionError::WrongRole {
                    user: event.user.clone(),
                    role: event.role,
                    action: action_name(&event.action),
                })
            }
        };
        let owned = |typed: &TypedEntry| {
            if typed.typist == event.user {
                Ok(())
            } else {
                Err(TransitionError::NotYourEntry {
                    station: station_no,
                    owner: typed.typist.clone(),
                    user: event.user.clone(),
                })
            }
        };

        // Field edits change the entry in place (validated before any change).
        if let Action::SetField { field, value } = &event.action {
            need_role(Role::Typist)?;
            let typed = match &mut station.status {
                StationStatus::FirstEntryInProgress { first } => first,
                StationStatus::SecondEntryInProgress { second, .. } => second,
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
            typed.last_edit_at = event.at;
            return Ok(());
        }

        let new_entry = || TypedEntry {
            typist: event.user.clone(),
            entry: PollingStationEntry::empty(shape),
            started_at: event.at,
            last_edit_at: event.at,
        };

        let next: StationStatus = match (&event.action, &station.status) {
            (Action::StartEntry, StationStatus::FirstEntryNotStarted) => {
                need_role(Role::Typist)?;
                StationStatus::FirstEntryInProgress { first: new_entry() }
            }
            (Action::StartEntry, StationStatus::SecondEntryNotStarted { first }) => {
                need_role(Role::Typist)?;
                if first.typist == event.user {
                    return Err(TransitionError::SameTypist {
                        station: station_no,
                        typist: event.user.clone(),
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
                    require_acknowledged(station_no, &results, *acknowledge_warnings)?;
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
                if !results.iter().any(|r| r.severity() == Severity::Error) {
                    require_acknowledged(station_no, &results, *acknowledge_warnings)?;
                }
                let differences = first.entry.differences(&second.entry, shape);
                if differences.is_empty() {
                    StationStatus::Definitive {
                        result: first.clone(),
                        other_typist: second.typist.clone(),
                    }
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
                    | (Decision::Reopen, StationStatus::Definitive { .. }) => {
                        StationStatus::FirstEntryNotStarted
                    }
                    (
                        Decision::KeepFirst,
                        StationStatus::EntriesDifferent { first, second, .. },
                    ) => StationStatus::Definitive {
                        result: first.clone(),
                        other_typist: second.typist.clone(),
                    },
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
                        StationStatus::Definitive {
                            result: second.clone(),
                            other_typist: first.typist.clone(),
                        }
                    }
                    _ => return Err(not_allowed()),
                }
            }
            _ => return Err(not_allowed()),
        };
        let to = next.kind();
        station.status = next;
        station.history.push(HistoryRecord {
            at: event.at,
            user: event.user.clone(),
            role: event.role,
            action: event.action.clone(),
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
