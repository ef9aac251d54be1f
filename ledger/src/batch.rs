//! Parallel entry (`docs/parallel-entry.md`): the coordinating appliance of a GSB assigns
//! each polling station's first and second entry to an entry appliance, and imports the
//! signed **entry batches** those appliances export.
//!
//! - [`EntryAssignment`] and [`EntryBatch`]: what the two media hold, with their byte
//!   format (JSON, unknown fields refused, at most [`MAX_MEDIUM_BYTES`]).
//! - [`ParallelRecord`]: the coordinator's journal records ([`crate::municipal::Record::Parallel`]):
//!   an assignment, a batch imported (the record names the batch file by its SHA-256; the
//!   file is kept in the data directory, and persist and replay hand it back, so a replay
//!   places the same entries the same way).
//! - [`import`]: the coordinating import as a pure function over the municipal ledger: the
//!   signature and the signer's role were checked by the caller; this checks body,
//!   election, signer and assignment, and says per entry what happens (placed, reconciled,
//!   refused and why) before anything is journaled.
//! - [`entry_batch`]: the batch an entry appliance exports from its own ledger; the
//!   assignment it types by is journaled there ([`ParallelRecord::AssignmentLoaded`],
//!   checked by [`check_assignment`]), and so is every batch it wrote
//!   ([`ParallelRecord::BatchWritten`]).
//!
//! What it must not do: read media or check signatures (the caller did), word messages
//! (errors are typed), or compare entries itself (the core's double entry does, once the
//! entries are placed).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tally_core::double_entry::{
    Action, Event, Role as CoreRole, StationStatus, StatusKind, Timestamp as CoreTime,
    TransitionError, TypedEntry, UserName,
};
use tally_core::entry::{FieldValue, PollingStationEntry};
use tally_core::ids::PollingStationNumber;
use tally_core::people::{PersonId, PersonName, same_name};

use crate::form::FieldId;
use crate::municipal::{ApplyError, Slot, Tally};

/// The first line of meaning of an entry batch file: its format and version.
pub const BATCH_FORMAT: &str = "tally-entry-batch v1";
/// The format of an assignment file.
pub const ASSIGNMENT_FORMAT: &str = "tally-entry-assignment v1";
/// The name of the batch file on an `entry-batch` medium.
pub const BATCH_FILE: &str = "entry-batch.json";
/// The name of the assignment file on an `entry-assignment` medium.
pub const ASSIGNMENT_FILE: &str = "entry-assignment.json";
/// The largest batch or assignment file read (bytes): 450 stations typed twice with the
/// 1,085 candidates of a Tweede Kamer kieskring are about 30 MB.
pub const MAX_MEDIUM_BYTES: usize = 96 * 1024 * 1024;

/// The journal head of the entry appliance at export: its records and chain value (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalHead {
    /// Records in the appliance's journal.
    pub records: u64,
    /// The chain value after the last record (64 lowercase hex digits).
    pub head: String,
}

/// The typist of an entry, as registered on the entry appliance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Typist {
    /// Their id in that appliance's registry (not the coordinator's).
    pub person: PersonId,
    /// Their name (checked as every registered name is).
    pub name: PersonName,
}

/// One complete entry of a polling station's paper report, typed on an entry appliance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchEntry {
    /// The polling station.
    pub station: u32,
    /// Whether it is the station's first or second entry (as assigned).
    pub slot: Slot,
    /// Every field of the form with its value as typed, in the order of the paper.
    pub fields: Vec<(FieldId, FieldValue)>,
    /// Who typed it.
    pub typist: Typist,
    /// When it was started (milliseconds since 1970).
    pub started_at: i64,
    /// When it was saved as complete.
    pub finished_at: i64,
    /// The findings (`W.201`, ...) the typist was shown and acknowledged.
    pub acknowledged: Vec<String>,
}

/// An entry batch: what an entry appliance exports (`entry-batch` medium, file
/// [`BATCH_FILE`], signed by the appliance's `GSB-entry` certificate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryBatch {
    /// [`BATCH_FORMAT`].
    pub format: String,
    /// The election.
    pub election: String,
    /// The body (municipality code).
    pub body: String,
    /// The entry appliance (`0042-E3`): its certificate's identifier.
    pub appliance: String,
    /// The appliance's journal head at export.
    pub journal: JournalHead,
    /// When it was exported (milliseconds since 1970).
    pub exported_at: i64,
    /// The complete entries, each station and slot at most once.
    pub entries: Vec<BatchEntry>,
}

/// One line of an assignment: which appliance types which entry of which station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The polling station.
    pub station: u32,
    /// Its first or second entry.
    pub slot: Slot,
    /// The entry appliance (`0042-E3`).
    pub appliance: String,
}

/// The assignment medium's content (`entry-assignment`, file [`ASSIGNMENT_FILE`], signed
/// by the GSB): what the entry appliances may type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryAssignment {
    /// [`ASSIGNMENT_FORMAT`].
    pub format: String,
    /// The election.
    pub election: String,
    /// The body (municipality code).
    pub body: String,
    /// Every assigned entry, by station and slot.
    pub assignments: Vec<Assignment>,
}

/// Why a batch or an assignment file is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// Larger than [`MAX_MEDIUM_BYTES`].
    #[error("the file is larger than {MAX_MEDIUM_BYTES} bytes")]
    TooLarge,
    /// Not the JSON of the format (or a field unknown, missing, of the wrong kind).
    #[error("the file does not read: {0}")]
    Json(String),
    /// Another format or version.
    #[error("the file is of format {found:?}, not {expected:?}")]
    Format {
        /// What the file says.
        found: String,
        /// What is read.
        expected: &'static str,
    },
}

fn read_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    expected: &'static str,
    format: impl Fn(&T) -> &str,
) -> Result<T, FormatError> {
    if bytes.len() > MAX_MEDIUM_BYTES {
        return Err(FormatError::TooLarge);
    }
    let value: T = serde_json::from_slice(bytes).map_err(|e| FormatError::Json(e.to_string()))?;
    let found = format(&value);
    if found != expected {
        return Err(FormatError::Format {
            found: found.chars().take(80).collect(),
            expected,
        });
    }
    Ok(value)
}

impl EntryBatch {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a batch file (its form only; [`import`] checks what it says).
    ///
    /// # Errors
    /// See [`FormatError`].
    pub fn from_bytes(bytes: &[u8]) -> Result<EntryBatch, FormatError> {
        read_json(bytes, BATCH_FORMAT, |b: &EntryBatch| &b.format)
    }
}

impl EntryAssignment {
    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads an assignment file.
    ///
    /// # Errors
    /// See [`FormatError`].
    pub fn from_bytes(bytes: &[u8]) -> Result<EntryAssignment, FormatError> {
        read_json(bytes, ASSIGNMENT_FORMAT, |a: &EntryAssignment| &a.format)
    }

    /// The slots of the stations assigned to `appliance`.
    pub fn of(&self, appliance: &str) -> Vec<(u32, Slot)> {
        self.assignments
            .iter()
            .filter(|a| a.appliance == appliance)
            .map(|a| (a.station, a.slot))
            .collect()
    }
}

/// What the coordinator allows when importing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportPolicy {
    /// Whether a station's two entries may come from one appliance (by default not).
    pub same_appliance_allowed: bool,
}

/// A journal record of parallel entry on the coordinating appliance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "parallel", rename_all = "snake_case")]
pub enum ParallelRecord {
    /// A coordinator assigned entries to appliances (a later assignment of a slot replaces
    /// an earlier one while no entry of it is in).
    Assigned {
        /// The assignments.
        assignments: Vec<Assignment>,
        /// The coordinator.
        by: PersonId,
        /// When.
        at: i64,
    },
    /// A coordinator imported a verified entry batch. The batch file is kept in the data
    /// directory under its SHA-256 (as a higher level keeps the counts it imports: a batch is
    /// larger than a journal record may be), and given to [`crate::persist::Ledger::apply`]
    /// on persist and on replay.
    BatchImported {
        /// SHA-256 of the batch file (hex): the kept file's name; a batch is imported once.
        sha256: String,
        /// The entry appliance that signed it (the batch names the same).
        appliance: String,
        /// How many entries it holds.
        entries: usize,
        /// The policy it was imported under.
        policy: ImportPolicy,
        /// The coordinator.
        by: PersonId,
        /// When.
        at: i64,
    },
    /// On an entry appliance: a verified assignment medium was read (signed by the body's
    /// GSB); it replaces the one loaded before. Checked by [`check_assignment`].
    AssignmentLoaded {
        /// The assignment, as the medium's file gives it.
        assignment: EntryAssignment,
        /// This entry appliance (its certificate's identifier, `0042-E3`).
        appliance: String,
        /// SHA-256 of the assignment file (hex).
        sha256: String,
        /// When the medium was signed (seconds since 1970): an older one is refused.
        signed_at: i64,
        /// When it was read.
        at: i64,
    },
    /// On an entry appliance: a signed entry batch was written to a stick.
    BatchWritten {
        /// Where (the folder).
        path: String,
        /// SHA-256 of the batch file (hex).
        sha256: String,
        /// How many entries it holds.
        entries: usize,
        /// The coordinator whose PIN had it written.
        by: PersonId,
        /// When.
        at: i64,
    },
}

/// The assignment an entry appliance types by (the last one read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedAssignment {
    /// The assignment.
    pub assignment: EntryAssignment,
    /// This entry appliance.
    pub appliance: String,
    /// SHA-256 of the assignment file (hex).
    pub sha256: String,
    /// When the medium was signed (seconds since 1970).
    pub signed_at: i64,
    /// When it was read (milliseconds since 1970).
    pub at: i64,
}

impl LoadedAssignment {
    /// The slot of `station` assigned to this appliance, if any.
    pub fn slot_of(&self, station: u32) -> Option<Slot> {
        self.assignment
            .assignments
            .iter()
            .find(|a| a.station == station && a.appliance == self.appliance)
            .map(|a| a.slot)
    }

    /// The appliances `station` is assigned to now (first, then second entry).
    pub fn appliances_of(&self, station: u32) -> Vec<&str> {
        let mut out: Vec<(Slot, &str)> = self
            .assignment
            .assignments
            .iter()
            .filter(|a| a.station == station)
            .map(|a| (a.slot, a.appliance.as_str()))
            .collect();
        out.sort_by_key(|(slot, _)| slot.number());
        out.into_iter().map(|(_, a)| a).collect()
    }
}

/// A batch an entry appliance wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenBatch {
    /// Where.
    pub path: String,
    /// SHA-256 of the batch file (hex).
    pub sha256: String,
    /// How many entries.
    pub entries: usize,
    /// When (milliseconds since 1970).
    pub at: i64,
}

/// Why an entry appliance does not take an assignment (nothing changes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The file is not an assignment.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// No election is loaded.
    #[error("no election is loaded")]
    NoElection,
    /// Of another election.
    #[error("the assignment is of election {assignment}, this appliance counts {loaded}")]
    OtherElection {
        /// The assignment's.
        assignment: String,
        /// The loaded one.
        loaded: String,
    },
    /// Of another body (or this appliance is not one of the body's).
    #[error("the assignment is of body {assignment}, this appliance is {appliance}")]
    OtherBody {
        /// The assignment's body.
        assignment: String,
        /// This appliance.
        appliance: String,
    },
    /// A station not in the election.
    #[error("polling station {0} is not in this election")]
    NoSuchStation(u32),
    /// An entry assigned to something that is not an entry appliance of the body.
    #[error("{0:?} is not an entry appliance of this body")]
    NotAnAppliance(String),
    /// A station's entry twice, or both of a station's entries on this appliance.
    #[error("polling station {0} is assigned twice, or both its entries to this appliance")]
    Twice(u32),
    /// Signed before the assignment loaded now.
    #[error("the assignment was signed at {offered}, before the one loaded ({loaded})")]
    Older {
        /// The loaded one's signing time (seconds since 1970).
        loaded: i64,
        /// The offered one's.
        offered: i64,
    },
}

/// Whether an entry appliance `appliance` with ledger `tally` takes `assignment` signed at
/// `signed_at` (seconds): of its election and body, every station in the election, every
/// entry to an entry appliance of the body, no station's entry twice and never both of a station's entries on it, not older than the
/// assignment loaded.
///
/// # Errors
/// See [`LoadError`].
pub fn check_assignment(
    tally: &Tally,
    assignment: &EntryAssignment,
    appliance: &str,
    signed_at: i64,
) -> Result<(), LoadError> {
    let info = &tally.election.as_ref().ok_or(LoadError::NoElection)?.info;
    if assignment.election != info.id.0 {
        return Err(LoadError::OtherElection {
            assignment: assignment.election.clone(),
            loaded: info.id.0.clone(),
        });
    }
    let body = &info.municipality_code.0;
    if assignment.body != *body || !is_appliance_of(appliance, body) {
        return Err(LoadError::OtherBody {
            assignment: assignment.body.clone(),
            appliance: appliance.to_owned(),
        });
    }
    let mut seen = BTreeSet::new();
    let mut mine = BTreeSet::new();
    for a in &assignment.assignments {
        if !tally.stations.contains_key(&a.station) {
            return Err(LoadError::NoSuchStation(a.station));
        }
        // Also bounds the record's size: a station's two entries, each a short name.
        if !is_appliance_of(&a.appliance, body) {
            return Err(LoadError::NotAnAppliance(
                a.appliance.chars().take(40).collect(),
            ));
        }
        if !seen.insert((a.station, a.slot))
            || (a.appliance == appliance && !mine.insert(a.station))
        {
            return Err(LoadError::Twice(a.station));
        }
    }
    if let Some(loaded) = &tally.parallel.loaded
        && signed_at < loaded.signed_at
    {
        return Err(LoadError::Older {
            loaded: loaded.signed_at,
            offered: signed_at,
        });
    }
    Ok(())
}

/// What reading an assignment medium's file `bytes` signed at `signed_at` (seconds) does on
/// the entry appliance `appliance`: the record to journal and how many entries it gives this
/// appliance, or `None` when this very medium (the same file signed at the same moment) is
/// loaded already. Nothing changes until the record is journaled.
///
/// # Errors
/// [`LoadError`]: not an assignment file, or one [`check_assignment`] refuses.
pub fn load_assignment(
    tally: &Tally,
    appliance: &str,
    bytes: &[u8],
    signed_at: i64,
) -> Result<Option<(crate::municipal::Record, usize)>, LoadError> {
    let assignment = EntryAssignment::from_bytes(bytes)?;
    let sha256 = tally_core::hashcode::Sha256Digest::of(bytes).to_hex();
    if tally
        .parallel
        .loaded
        .as_ref()
        .is_some_and(|l| l.sha256 == sha256 && l.signed_at == signed_at)
    {
        return Ok(None);
    }
    check_assignment(tally, &assignment, appliance, signed_at)?;
    let mine = assignment.of(appliance).len();
    let record = crate::municipal::Record::Parallel(ParallelRecord::AssignmentLoaded {
        assignment,
        appliance: appliance.to_owned(),
        sha256,
        signed_at,
        at: 0,
    });
    Ok(Some((record, mine)))
}

/// Where an entry the coordinator holds came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryOrigin {
    /// The entry appliance, or `None` for an entry typed on the coordinating appliance.
    pub appliance: Option<String>,
    /// The typist's name.
    pub typist: String,
}

/// An entry imported from a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The entry appliance.
    pub appliance: String,
    /// The entry as the batch gave it (shared: the ledger is copied for every record).
    pub entry: Arc<BatchEntry>,
}

impl Imported {
    /// What identifies an entry once discarded: station, slot, appliance, and when it was
    /// finished.
    fn key(&self) -> (u32, Slot, String, i64) {
        (
            self.entry.station,
            self.entry.slot,
            self.appliance.clone(),
            self.entry.finished_at,
        )
    }

    fn origin(&self) -> EntryOrigin {
        EntryOrigin {
            appliance: Some(self.appliance.clone()),
            typist: self.entry.typist.name.as_str().to_owned(),
        }
    }
}

/// Parallel entry's part of the municipal ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parallel {
    /// Which appliance types which entry.
    pub assigned: BTreeMap<(u32, Slot), String>,
    /// The batches imported, by SHA-256 (hex): each is imported once.
    pub batches: BTreeSet<String>,
    /// Entries placed in the double entry, by station and slot.
    pub placed: BTreeMap<(u32, Slot), Imported>,
    /// Second entries that came before their station's first: placed when it comes.
    pub held: BTreeMap<u32, Imported>,
    /// Entries the coordinator discarded: never placed again (an appliance's later batch
    /// holds them still).
    pub discarded: BTreeSet<(u32, Slot, String, i64)>,
    /// On an entry appliance: the assignment it types by.
    pub loaded: Option<LoadedAssignment>,
    /// On an entry appliance: the batches it wrote, oldest first.
    pub written: Vec<WrittenBatch>,
}

impl Parallel {
    /// The coordinator took a station back to its start: the entries placed for it are
    /// discarded (kept out of every later batch).
    pub(crate) fn discard_placed(&mut self, station: u32) {
        for slot in [Slot::First, Slot::Second] {
            if let Some(gone) = self.placed.remove(&(station, slot)) {
                self.discarded.insert(gone.key());
            }
        }
    }
}

/// Why a batch is refused as a whole (nothing changes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// The file is not a batch.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// No election is loaded.
    #[error("no election is loaded")]
    NoElection,
    /// The batch is of another election.
    #[error("the batch is of election {batch}, this count is of {loaded}")]
    OtherElection {
        /// The batch's.
        batch: String,
        /// The loaded one.
        loaded: String,
    },
    /// The batch, or the certificate that signed it, is of another body.
    #[error("the batch is of body {batch} (signed by {signer}), this count is of {body}")]
    OtherBody {
        /// The body the batch names.
        batch: String,
        /// The signing certificate's identifier.
        signer: String,
        /// This body.
        body: String,
    },
    /// The batch names another appliance than the certificate that signed it.
    #[error("the batch says it is of entry appliance {batch}, but {signer} signed it")]
    OtherSigner {
        /// The appliance the batch names.
        batch: String,
        /// The signing certificate's identifier.
        signer: String,
    },
    /// A station and slot twice in one batch.
    #[error("polling station {station}, entry {}: twice in the batch", slot.number())]
    Twice {
        /// The station.
        station: u32,
        /// The slot.
        slot: Slot,
    },
    /// A record of an import that is not a fresh batch (a damaged journal).
    #[error("the batch {0} was imported before")]
    Replayed(String),
    /// The kept batch file an import record names is missing, or not that batch.
    #[error("the kept batch file {0} is missing or not the batch imported")]
    KeptFile(String),
}

/// Why one entry of a batch was not placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryRefusal {
    /// No such station in this election.
    #[error("no such polling station")]
    NoSuchStation,
    /// The entry is assigned to another appliance, or to none.
    #[error("assigned to {assigned:?}, not to this appliance")]
    NotAssigned {
        /// The appliance it is assigned to, if any.
        assigned: Option<String>,
    },
    /// A field not on the form, a field twice, or a value of the wrong kind.
    #[error("field {field}: not on the form, twice, or of the wrong kind")]
    BadField {
        /// The field.
        field: FieldId,
    },
    /// A finding acknowledged that is not a warning code (`W.201`).
    #[error("{0:?} is not a warning code")]
    BadFinding(String),
    /// Another entry is already in this station's slot: both named.
    #[error(
        "another entry is in already, by {} on {:?}; this one is by {} on {:?}",
        present.typist, present.appliance, offered.typist, offered.appliance
    )]
    Differs {
        /// The entry that is in.
        present: EntryOrigin,
        /// The batch's entry.
        offered: EntryOrigin,
    },
    /// The station's other entry is by the same person.
    #[error("the other entry is by the same person, {} on {:?}", other.typist, other.appliance)]
    SamePerson {
        /// The other entry.
        other: EntryOrigin,
    },
    /// The station's other entry came from the same appliance (refused by default).
    #[error("the other entry came from the same appliance {:?}", other.appliance)]
    SameAppliance {
        /// The other entry.
        other: EntryOrigin,
    },
    /// The station takes no entry in this slot now (definitive, being decided, ...).
    #[error("the station takes no entry now: {0}")]
    NotOpen(StatusKind),
    /// The coordinator discarded this entry before.
    #[error("the coordinator discarded this entry")]
    Discarded,
    /// The core's double entry refused it (not expected after the checks before it).
    #[error("{0}")]
    Core(TransitionError),
}

/// What became of one entry of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryOutcome {
    /// Placed as the station's first or second entry.
    Placed,
    /// A second entry held until the station's first is in.
    Held,
    /// The same entry was in already, byte for byte: nothing changed.
    Reconciled,
    /// Refused, and why.
    Refused(EntryRefusal),
}

/// What an import does, per entry of the batch, in the batch's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Station, slot and what became of it.
    pub entries: Vec<(u32, Slot, EntryOutcome)>,
}

impl ImportOutcome {
    /// The entries refused.
    pub fn refused(&self) -> impl Iterator<Item = (u32, Slot, &EntryRefusal)> {
        self.entries.iter().filter_map(|(s, slot, o)| match o {
            EntryOutcome::Refused(r) => Some((*s, *slot, r)),
            _ => None,
        })
    }

    /// How many entries had this outcome (refusals counted by kind of outcome only).
    pub fn count(&self, f: impl Fn(&EntryOutcome) -> bool) -> usize {
        self.entries.iter().filter(|(_, _, o)| f(o)).count()
    }
}

/// What [`import`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Import {
    /// The same batch was imported before: nothing changes, nothing is journaled.
    AlreadyImported {
        /// The batch's SHA-256 (hex).
        sha256: String,
    },
    /// A new batch: keep the batch file under its SHA-256, then journal `record` with the
    /// file (with [`crate::persist::persist`]) to do `outcome`.
    New {
        /// The record to journal.
        record: crate::municipal::Record,
        /// What it does.
        outcome: ImportOutcome,
    },
}

/// Why an assignment was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    /// No election is loaded.
    #[error("no election is loaded")]
    NoElection,
    /// No such station.
    #[error("polling station {0} does not exist in this election")]
    NoSuchStation(u32),
    /// Not an entry appliance of this body.
    #[error("{0:?} is not an entry appliance of this body")]
    NotAnAppliance(String),
    /// The entry is in already, from another appliance.
    #[error("polling station {station}, entry {}: the entry of {appliance} is in already", slot.number())]
    EntryIn {
        /// The station.
        station: u32,
        /// The slot.
        slot: Slot,
        /// Whose entry is in.
        appliance: String,
    },
}

/// Why a parallel record does not fit the ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParallelError {
    /// An assignment refused.
    #[error(transparent)]
    Assign(#[from] AssignError),
    /// A batch refused.
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// An assignment not taken by an entry appliance.
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Whether `appliance` names an entry appliance of `body`: `<body>-E<n>`, n from 1 to 999.
pub fn is_appliance_of(appliance: &str, body: &str) -> bool {
    appliance.split_once("-E").is_some_and(|(code, n)| {
        code == body
            && (1..=3).contains(&n.len())
            && n.bytes().all(|b| b.is_ascii_digit())
            && !n.starts_with('0')
    })
}

/// The coordinating import of a verified entry batch: `signer` is the identifier of the
/// `GSB-entry` certificate that signed the medium (the caller verified the signature, the
/// certificate and the role), `bytes` the verified batch file. Checks the batch's election,
/// body and appliance against the count and the signer, and works out per entry what
/// happens; nothing changes until the returned record is journaled.
///
/// # Errors
/// [`BatchError`]: the batch as a whole is refused.
pub fn import(
    tally: &Tally,
    signer: &str,
    bytes: &[u8],
    policy: ImportPolicy,
    by: PersonId,
    at: i64,
) -> Result<Import, BatchError> {
    let batch = EntryBatch::from_bytes(bytes)?;
    check_signer(tally, signer, &batch)?;
    let sha256 = tally_core::hashcode::Sha256Digest::of(bytes).to_hex();
    if tally.parallel.batches.contains(&sha256) {
        return Ok(Import::AlreadyImported { sha256 });
    }
    let mut copy = tally.clone();
    let outcome = copy.import_batch(&sha256, &batch, policy)?;
    Ok(Import::New {
        record: crate::municipal::Record::Parallel(ParallelRecord::BatchImported {
            sha256,
            appliance: batch.appliance,
            entries: batch.entries.len(),
            policy,
            by,
            at,
        }),
        outcome,
    })
}

/// The signer is an entry appliance of this body, and the one the batch names.
fn check_signer(tally: &Tally, signer: &str, batch: &EntryBatch) -> Result<(), BatchError> {
    let body = tally
        .election
        .as_ref()
        .ok_or(BatchError::NoElection)?
        .info
        .municipality_code
        .0
        .clone();
    if !is_appliance_of(signer, &body) {
        return Err(BatchError::OtherBody {
            batch: batch.body.clone(),
            signer: signer.to_owned(),
            body,
        });
    }
    if batch.appliance != signer {
        return Err(BatchError::OtherSigner {
            batch: batch.appliance.clone(),
            signer: signer.to_owned(),
        });
    }
    Ok(())
}

/// The assignment medium's content of the loaded count: every assigned entry.
pub fn assignment(tally: &Tally) -> Option<EntryAssignment> {
    let info = &tally.election.as_ref()?.info;
    Some(EntryAssignment {
        format: ASSIGNMENT_FORMAT.to_owned(),
        election: info.id.0.clone(),
        body: info.municipality_code.0.clone(),
        assignments: tally
            .parallel
            .assigned
            .iter()
            .map(|((station, slot), appliance)| Assignment {
                station: *station,
                slot: *slot,
                appliance: appliance.clone(),
            })
            .collect(),
    })
}

/// The batch an entry appliance exports from its own ledger `tally`: for every station
/// `assignment` gives `appliance`, the entry typed and saved as complete there (its only
/// entry: on an entry appliance each station is typed once), with the typist, the times and
/// the warnings shown. Entries not complete are left out (a batch holds complete halves).
pub fn entry_batch(
    tally: &Tally,
    assignment: &EntryAssignment,
    appliance: &str,
    journal: JournalHead,
    exported_at: i64,
) -> Option<EntryBatch> {
    let loaded = tally.election.as_ref()?;
    let data = tally.data_entry.as_ref()?;
    let shape = &loaded.form.shape;
    let mut entries = Vec::new();
    for (station, slot) in assignment.of(appliance) {
        let Some(s) = data.station(PollingStationNumber(station)) else {
            continue;
        };
        let typed: &TypedEntry = match &s.status {
            StationStatus::SecondEntryNotStarted { first }
            | StationStatus::FirstEntryHasErrors { first, .. } => first,
            _ => continue,
        };
        let Some(person) = typed.person else {
            continue;
        };
        let Ok(name) = PersonName::parse(&typed.typist.0) else {
            continue;
        };
        let finished_at = s.history.last().map_or(typed.last_edit_at.0, |h| h.at.0);
        let acknowledged = tally_core::entry::check(&typed.entry, shape)
            .into_iter()
            .filter(|r| r.code.as_str().starts_with('W'))
            .map(|r| r.code.as_str().to_owned())
            .collect();
        entries.push(BatchEntry {
            station,
            slot,
            fields: shape
                .fields()
                .into_iter()
                .filter_map(|f| typed.entry.get(f).map(|v| (f, v)))
                .collect(),
            typist: Typist { person, name },
            started_at: typed.started_at.0,
            finished_at,
            acknowledged,
        });
    }
    Some(EntryBatch {
        format: BATCH_FORMAT.to_owned(),
        election: loaded.info.id.0.clone(),
        body: loaded.info.municipality_code.0.clone(),
        appliance: appliance.to_owned(),
        journal,
        exported_at,
        entries,
    })
}

/// The batch file an entry appliance `appliance` writes at `created` (its journal head then,
/// zeros without a journal) from the assignment it loaded, and how many entries it holds:
/// the same entries at the same moment give the same file.
///
/// # Errors
/// [`tally_export::ExportError::Incomplete`] without a loaded election or assignment, or
/// without a complete entry to send (a batch is never empty).
pub fn batch_file(
    tally: &Tally,
    appliance: &str,
    created: &tally_export::Created,
) -> Result<(tally_export::ExportFile, usize), tally_export::ExportError> {
    let loaded = tally
        .parallel
        .loaded
        .as_ref()
        .ok_or(tally_export::ExportError::Incomplete)?;
    let head = created.journal.as_ref().map_or_else(
        || JournalHead {
            records: 0,
            head: "0".repeat(64),
        },
        |j| JournalHead {
            records: j.records,
            head: j.head.to_hex(),
        },
    );
    let at = created.at.saturating_mul(1000);
    let batch = entry_batch(tally, &loaded.assignment, appliance, head, at)
        .filter(|b| !b.entries.is_empty())
        .ok_or(tally_export::ExportError::Incomplete)?;
    let file = tally_export::ExportFile {
        name: BATCH_FILE.to_owned(),
        bytes: batch.to_bytes(),
    };
    Ok((file, batch.entries.len()))
}

/// The entry of `slot` of a station as the core holds it, if it has one.
fn core_entry(status: &StationStatus, slot: Slot) -> Option<&TypedEntry> {
    use StationStatus as S;
    match (status, slot) {
        (
            S::FirstEntryInProgress { first }
            | S::FirstEntryHasErrors { first, .. }
            | S::SecondEntryNotStarted { first }
            | S::SecondEntryInProgress { first, .. }
            | S::EntriesDifferent { first, .. }
            | S::FieldsReturned { first, .. },
            Slot::First,
        )
        | (
            S::SecondEntryInProgress { second: first, .. }
            | S::EntriesDifferent { second: first, .. }
            | S::FieldsReturned { second: first, .. },
            Slot::Second,
        ) => Some(first),
        _ => None,
    }
}

impl Tally {
    /// Applies a parallel-entry record; `file` is the kept batch file an import names.
    pub(crate) fn apply_parallel(
        &mut self,
        record: &ParallelRecord,
        file: Option<&[u8]>,
    ) -> Result<(), ApplyError> {
        match record {
            ParallelRecord::Assigned {
                assignments, by, ..
            } => {
                self.coordinator_may(*by)?;
                self.assign(assignments).map_err(ParallelError::from)?;
            }
            ParallelRecord::BatchImported {
                sha256,
                appliance,
                entries,
                policy,
                by,
                ..
            } => {
                self.coordinator_may(*by)?;
                if self.parallel.batches.contains(sha256) {
                    return Err(ParallelError::from(BatchError::Replayed(sha256.clone())).into());
                }
                // The kept file must be the one the record names.
                let kept = file
                    .filter(|f| tally_core::hashcode::Sha256Digest::of(f).to_hex() == *sha256)
                    .ok_or_else(|| ParallelError::from(BatchError::KeptFile(sha256.clone())))?;
                let batch = EntryBatch::from_bytes(kept)
                    .map_err(|e| ParallelError::from(BatchError::from(e)))?;
                if batch.appliance != *appliance || batch.entries.len() != *entries {
                    return Err(ParallelError::from(BatchError::KeptFile(sha256.clone())).into());
                }
                self.import_batch(sha256, &batch, *policy)
                    .map_err(ParallelError::from)?;
            }
            ParallelRecord::AssignmentLoaded {
                assignment,
                appliance,
                sha256,
                signed_at,
                at,
            } => {
                check_assignment(self, assignment, appliance, *signed_at)
                    .map_err(ParallelError::from)?;
                self.parallel.loaded = Some(LoadedAssignment {
                    assignment: assignment.clone(),
                    appliance: appliance.clone(),
                    sha256: sha256.clone(),
                    signed_at: *signed_at,
                    at: *at,
                });
            }
            ParallelRecord::BatchWritten {
                path,
                sha256,
                entries,
                by,
                at,
            } => {
                // Written after a coordinator's PIN.
                self.coordinator_may(*by)?;
                self.parallel.written.push(WrittenBatch {
                    path: path.clone(),
                    sha256: sha256.clone(),
                    entries: *entries,
                    at: *at,
                });
            }
        }
        Ok(())
    }

    fn assign(&mut self, assignments: &[Assignment]) -> Result<(), AssignError> {
        let info = &self.election.as_ref().ok_or(AssignError::NoElection)?.info;
        let body = info.municipality_code.0.clone();
        for a in assignments {
            if !info.stations.iter().any(|s| s.number.0 == a.station) {
                return Err(AssignError::NoSuchStation(a.station));
            }
            if !is_appliance_of(&a.appliance, &body) {
                return Err(AssignError::NotAnAppliance(a.appliance.clone()));
            }
            let key = (a.station, a.slot);
            let in_already = self.parallel.placed.get(&key).or(match a.slot {
                Slot::Second => self.parallel.held.get(&a.station),
                Slot::First => None,
            });
            if let Some(i) = in_already
                && i.appliance != a.appliance
            {
                return Err(AssignError::EntryIn {
                    station: a.station,
                    slot: a.slot,
                    appliance: i.appliance.clone(),
                });
            }
            self.parallel.assigned.insert(key, a.appliance.clone());
        }
        Ok(())
    }

    /// Imports `batch` into this ledger (a copy, from [`import`]; the ledger itself, on
    /// apply and replay): the batch-level checks, then each entry in order.
    fn import_batch(
        &mut self,
        sha256: &str,
        batch: &EntryBatch,
        policy: ImportPolicy,
    ) -> Result<ImportOutcome, BatchError> {
        let info = &self.election.as_ref().ok_or(BatchError::NoElection)?.info;
        if batch.election != info.id.0 {
            return Err(BatchError::OtherElection {
                batch: batch.election.clone(),
                loaded: info.id.0.clone(),
            });
        }
        let body = info.municipality_code.0.clone();
        if batch.body != body || !is_appliance_of(&batch.appliance, &body) {
            return Err(BatchError::OtherBody {
                batch: batch.body.clone(),
                signer: batch.appliance.clone(),
                body,
            });
        }
        let mut seen = BTreeSet::new();
        for e in &batch.entries {
            if !seen.insert((e.station, e.slot)) {
                return Err(BatchError::Twice {
                    station: e.station,
                    slot: e.slot,
                });
            }
        }
        let mut outcome = ImportOutcome {
            entries: Vec::with_capacity(batch.entries.len()),
        };
        for e in &batch.entries {
            let imported = Imported {
                appliance: batch.appliance.clone(),
                entry: Arc::new(e.clone()),
            };
            let result = self.import_entry(imported, policy);
            outcome.entries.push((e.station, e.slot, result));
        }
        self.parallel.batches.insert(sha256.to_owned());
        Ok(outcome)
    }

    fn import_entry(&mut self, imported: Imported, policy: ImportPolicy) -> EntryOutcome {
        match self.try_entry(imported, policy) {
            Ok(o) => o,
            Err(r) => EntryOutcome::Refused(r),
        }
    }

    fn try_entry(
        &mut self,
        imported: Imported,
        policy: ImportPolicy,
    ) -> Result<EntryOutcome, EntryRefusal> {
        let e = &imported.entry;
        let (station, slot) = (e.station, e.slot);
        let Some(loaded) = self.election.as_ref() else {
            return Err(EntryRefusal::NoSuchStation);
        };
        let shape = loaded.form.shape.clone();
        let status = self
            .data_entry
            .as_ref()
            .and_then(|d| d.station(PollingStationNumber(station)))
            .map(|s| s.status.clone())
            .ok_or(EntryRefusal::NoSuchStation)?;
        // Entries discarded by the coordinator stay out (`Parallel::discard_placed`).
        if self.parallel.discarded.contains(&imported.key()) {
            return Err(EntryRefusal::Discarded);
        }
        // Only the appliance the entry is assigned to sends it (an entry in is always from
        // the appliance assigned: a slot with an entry in is not assigned elsewhere).
        let assigned = self.parallel.assigned.get(&(station, slot));
        if assigned != Some(&imported.appliance) {
            return Err(EntryRefusal::NotAssigned {
                assigned: assigned.cloned(),
            });
        }
        // The same entry again: nothing to do.
        let present = match slot {
            Slot::First => self.parallel.placed.get(&(station, slot)),
            Slot::Second => self
                .parallel
                .placed
                .get(&(station, slot))
                .or(self.parallel.held.get(&station)),
        };
        if let Some(p) = present {
            if p.appliance == imported.appliance && p.entry == imported.entry {
                return Ok(EntryOutcome::Reconciled);
            }
            return Err(EntryRefusal::Differs {
                present: p.origin(),
                offered: imported.origin(),
            });
        }
        if let Some(typed) = core_entry(&status, slot) {
            return Err(EntryRefusal::Differs {
                present: EntryOrigin {
                    appliance: None,
                    typist: typed.typist.0.clone(),
                },
                offered: imported.origin(),
            });
        }
        // The entry must fit the form, each field once.
        let mut values = PollingStationEntry::empty(&shape);
        let mut fields = BTreeSet::new();
        for (field, value) in &e.fields {
            if !fields.insert(*field) || values.set(&shape, *field, *value).is_err() {
                return Err(EntryRefusal::BadField { field: *field });
            }
        }
        if let Some(bad) = e.acknowledged.iter().find(|c| !is_warning_code(c)) {
            return Err(EntryRefusal::BadFinding(bad.chars().take(20).collect()));
        }
        // The station's other entry: another person, by default another appliance.
        let other_slot = match slot {
            Slot::First => Slot::Second,
            Slot::Second => Slot::First,
        };
        let other = match other_slot {
            Slot::First => self
                .parallel
                .placed
                .get(&(station, Slot::First))
                .map(|i| (i.origin(), Some(i.entry.typist.person))),
            Slot::Second => self
                .parallel
                .placed
                .get(&(station, Slot::Second))
                .or(self.parallel.held.get(&station))
                .map(|i| (i.origin(), Some(i.entry.typist.person))),
        }
        .or_else(|| {
            core_entry(&status, other_slot).map(|t| {
                (
                    EntryOrigin {
                        appliance: None,
                        typist: t.typist.0.clone(),
                    },
                    None,
                )
            })
        });
        if let Some((other, person)) = other {
            let same_appliance = other.appliance.as_deref() == Some(imported.appliance.as_str());
            if same_name(&other.typist, e.typist.name.as_str())
                || (same_appliance && person == Some(e.typist.person))
            {
                return Err(EntryRefusal::SamePerson { other });
            }
            if same_appliance && !policy.same_appliance_allowed {
                return Err(EntryRefusal::SameAppliance { other });
            }
        }
        // Place it: a first entry when the station has none; a second when its first is
        // complete; a second before its first is held.
        match (slot, status.kind()) {
            (Slot::First, StatusKind::FirstEntryNotStarted) => {
                self.place(&imported, &shape).map_err(EntryRefusal::Core)?;
                self.parallel.placed.insert((station, slot), imported);
                // The held second entry follows (checked against this first when it came);
                // a first with errors waits for the coordinator, the second stays held.
                if self.status(station) == Some(StatusKind::SecondEntryNotStarted)
                    && let Some(second) = self.parallel.held.remove(&station)
                {
                    // The first is placed either way; a second the core does not take
                    // stays held (not lost), and the first's outcome is still `Placed`.
                    if self.place(&second, &shape).is_ok() {
                        self.parallel.placed.insert((station, Slot::Second), second);
                    } else {
                        self.parallel.held.insert(station, second);
                    }
                }
                Ok(EntryOutcome::Placed)
            }
            (Slot::Second, StatusKind::SecondEntryNotStarted) => {
                self.place(&imported, &shape).map_err(EntryRefusal::Core)?;
                self.parallel.placed.insert((station, slot), imported);
                Ok(EntryOutcome::Placed)
            }
            (Slot::Second, StatusKind::FirstEntryNotStarted) => {
                self.parallel.held.insert(station, imported);
                Ok(EntryOutcome::Held)
            }
            (_, kind) => Err(EntryRefusal::NotOpen(kind)),
        }
    }

    /// Types `imported` into the core's double entry as its typist (a self-declared name:
    /// the appliance's person ids are not this registry's), then saves it as complete.
    fn place(
        &mut self,
        imported: &Imported,
        shape: &tally_core::entry::EntryShape,
    ) -> Result<(), TransitionError> {
        let e = &imported.entry;
        let Some(data) = self.data_entry.as_mut() else {
            return Ok(());
        };
        let user = UserName(e.typist.name.as_str().to_owned());
        let event = |at: i64, action: Action| Event {
            station: PollingStationNumber(e.station),
            user: user.clone(),
            role: CoreRole::Typist,
            at: CoreTime(at),
            action,
        };
        // Checked before: the status takes an entry, the typist is not the other entry's,
        // every field fits the form.
        let mut steps = vec![event(e.started_at, Action::StartEntry)];
        steps.extend(
            e.fields
                .iter()
                .filter(|(f, v)| *v != FieldValue::Empty && shape.has_field(*f))
                .map(|(field, value)| {
                    event(
                        e.finished_at,
                        Action::SetField {
                            field: *field,
                            value: *value,
                        },
                    )
                }),
        );
        steps.push(event(
            e.finished_at,
            Action::Finalise {
                acknowledge_warnings: false,
            },
        ));
        let result = steps.iter().try_for_each(|step| data.apply(step));
        self.project(e.station);
        result
    }
}

/// `W.` and three digits.
fn is_warning_code(code: &str) -> bool {
    code.strip_prefix("W.")
        .is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()))
}
