//! Data-entry events in the journal: the payload of each record is one
//! [`Event`] in the binary encoding of [`super::codec`]. Replaying the journal applies every event in order to a fresh
//! [`DataEntry`]; an event that does not decode or is refused is reported, never skipped.

use std::path::Path;

use super::codec::{decode_event, encode_event};
use super::{Hash, JournalContents, JournalError, JournalKey, JournalWriter, TornTail, read};
use crate::double_entry::{DataEntry, Event, TransitionError};

/// Why replaying a journal failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The journal itself is damaged or belongs to another election.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A record's payload is not an event.
    #[error("record {seq}: not a data-entry event: {message}")]
    BadEvent {
        /// The record.
        seq: u64,
        /// The decoder's message.
        message: String,
    },
    /// An event the state machine refuses: the journal does not belong to this state.
    #[error("record {seq}: event refused on replay: {source}")]
    Refused {
        /// The record.
        seq: u64,
        /// Why.
        source: TransitionError,
    },
}

/// What replaying found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    /// The number of events applied.
    pub events: u64,
    /// Set when a torn last record was dropped.
    pub torn: Option<TornTail>,
    /// The chain hash of the last record.
    pub last_hash: Hash,
}

/// Decodes and applies every record of `contents` to `state`.
fn apply_all(contents: &JournalContents, state: &mut DataEntry) -> Result<(), ReplayError> {
    for record in &contents.records {
        let event: Event = decode_event(&record.payload).map_err(|e| ReplayError::BadEvent {
            seq: record.seq,
            message: e.to_string(),
        })?;
        state.apply(&event).map_err(|source| ReplayError::Refused {
            seq: record.seq,
            source,
        })?;
    }
    Ok(())
}

/// Rebuilds the state from a journal's bytes (pure: no file access).
pub fn replay(
    bytes: &[u8],
    election_hash: &Hash,
    key: &JournalKey,
    mut state: DataEntry,
) -> Result<(DataEntry, ReplayReport), ReplayError> {
    let contents = read(bytes, election_hash, key)?;
    apply_all(&contents, &mut state)?;
    let report = ReplayReport {
        events: u64::try_from(contents.records.len()).unwrap_or(u64::MAX),
        torn: contents.torn,
        last_hash: contents.last_hash,
    };
    Ok((state, report))
}

/// Why recording an event failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The event cannot be encoded (a user name over 255 bytes); nothing changed.
    #[error("event cannot be journaled: {0}")]
    Unencodable(String),
    /// The event was refused; nothing was written and nothing changed.
    #[error(transparent)]
    Refused(#[from] TransitionError),
    /// Writing failed; the event is not acknowledged and the journal refuses to go on
    /// (restart: the state is rebuilt from what is on disk).
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// The data-entry state together with its journal: every accepted event is on disk
/// before [`EntryJournal::record`] returns.
#[derive(Debug)]
pub struct EntryJournal {
    writer: JournalWriter,
    state: DataEntry,
    poisoned: bool,
}

impl EntryJournal {
    /// Starts a new journal for an election with nothing entered yet.
    pub fn create(
        path: &Path,
        election_hash: &Hash,
        key: &JournalKey,
        initial: DataEntry,
    ) -> Result<EntryJournal, ReplayError> {
        let writer = JournalWriter::create(path, election_hash, key)?;
        Ok(EntryJournal {
            writer,
            state: initial,
            poisoned: false,
        })
    }

    /// Opens an existing journal and rebuilds the state from it. `initial` is the state
    /// with nothing entered (built from the election definition).
    pub fn open(
        path: &Path,
        election_hash: &Hash,
        key: &JournalKey,
        initial: DataEntry,
    ) -> Result<(EntryJournal, ReplayReport), ReplayError> {
        let (writer, contents) = JournalWriter::open(path, election_hash, key)?;
        let mut state = initial;
        apply_all(&contents, &mut state)?;
        let report = ReplayReport {
            events: u64::try_from(contents.records.len()).unwrap_or(u64::MAX),
            torn: contents.torn,
            last_hash: writer.last_hash(),
        };
        Ok((
            EntryJournal {
                writer,
                state,
                poisoned: false,
            },
            report,
        ))
    }

    /// Checks the event against the state, writes it to the journal and forces it to disk,
    /// then applies it. A refused event writes nothing.
    pub fn record(&mut self, event: &Event) -> Result<(), RecordError> {
        if self.poisoned {
            return Err(JournalError::Poisoned.into());
        }
        let payload = encode_event(event).map_err(|e| RecordError::Unencodable(e.to_string()))?;
        // Apply to the in-memory state first (it refuses without changing anything);
        // if the write then fails, the in-memory state is ahead of the disk, so refuse
        // everything from then on: the caller restarts and replays.
        self.state.apply(event)?;
        if let Err(e) = self.writer.append(&payload) {
            self.poisoned = true;
            return Err(e.into());
        }
        Ok(())
    }

    /// The current state.
    pub fn state(&self) -> &DataEntry {
        &self.state
    }

    /// The chain hash of the last record.
    pub fn last_hash(&self) -> Hash {
        self.writer.last_hash()
    }

    /// The record count and the chain head.
    pub fn head(&self) -> super::JournalHead {
        self.writer.head()
    }
}
