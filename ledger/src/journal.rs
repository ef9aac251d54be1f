//! The journal of a body's appliance: the [`Journal`] seam, and [`CoreJournal`] on the core's append-only journal (records
//! length-prefixed, numbered, chained by HMAC-SHA-256 tags under the body's journal key,
//! bound to the election and the body, each forced to disk before `append` returns; a torn
//! last record is dropped, any other damage, and any change made without the key,
//! refused). It is bound, and read, only once the body is unlocked.
//! Its payloads are the levels' records ([`crate::municipal::Record`],
//! [`crate::higher::Record`]) as JSON.
//!
//! [`MemoryJournal`] is a store for tests and benchmarks.

use std::io;
use std::path::{Path, PathBuf};

/// The append-only journal: every record is on disk (fsync'ed) when `append` returns.
pub trait Journal {
    /// Appends one record.
    fn append(&mut self, record: &[u8]) -> io::Result<()>;
    /// Every complete record, in order.
    fn read_all(&mut self) -> io::Result<Vec<Vec<u8>>>;
    /// Binds the journal to one election (the SHA-256 of its 110a) and to the body (its
    /// journal key, known once the body is unlocked): a journal of another election or
    /// body, or one changed without the key, is refused. Called before the first record is
    /// read or written.
    fn bind(
        &mut self,
        election: [u8; 32],
        key: Option<&tally_core::journal::JournalKey>,
    ) -> io::Result<()> {
        let _ = (election, key);
        Ok(())
    }
    /// The record count and the chain head (all 32 bytes) of the journal on disk, when the
    /// journal has one (a journal in memory has none).
    fn head(&self) -> Option<tally_core::journal::JournalHead> {
        None
    }
    /// What [`Journal::bind`] dropped: an incomplete last record (a power cut while it was
    /// written), as `(intact length, bytes dropped)`. Never silent: the runner shows it and
    /// writes it to the audit log.
    fn torn(&self) -> Option<(u64, u64)> {
        None
    }
}

/// The core's journal file, bound to the election when it is loaded.
#[derive(Debug)]
pub struct CoreJournal {
    path: PathBuf,
    writer: Option<tally_core::journal::JournalWriter>,
    records: Vec<Vec<u8>>,
    torn: Option<tally_core::journal::TornTail>,
}

impl CoreJournal {
    /// The journal at `path` (created when the election is bound).
    pub fn new(path: &Path) -> CoreJournal {
        CoreJournal {
            path: path.to_path_buf(),
            writer: None,
            records: Vec::new(),
            torn: None,
        }
    }
}

fn core_err(e: tally_core::journal::JournalError) -> io::Error {
    io::Error::other(e.to_string())
}

impl Journal for CoreJournal {
    fn bind(
        &mut self,
        election: [u8; 32],
        key: Option<&tally_core::journal::JournalKey>,
    ) -> io::Result<()> {
        use tally_core::journal::JournalWriter;
        // Nothing is read before the body's key is there: every record is checked with it.
        let key = key.ok_or_else(|| {
            io::Error::other("the body is not unlocked: its journal cannot be checked")
        })?;
        self.writer = None;
        self.records.clear();
        self.torn = None;
        if self.path.exists() {
            let (writer, contents) =
                JournalWriter::open(&self.path, &election, key).map_err(core_err)?;
            self.records = contents.records.into_iter().map(|r| r.payload).collect();
            self.torn = contents.torn;
            self.writer = Some(writer);
        } else {
            self.writer =
                Some(JournalWriter::create(&self.path, &election, key).map_err(core_err)?);
        }
        Ok(())
    }

    fn head(&self) -> Option<tally_core::journal::JournalHead> {
        self.writer
            .as_ref()
            .map(tally_core::journal::JournalWriter::head)
    }

    fn torn(&self) -> Option<(u64, u64)> {
        self.torn.map(|t| (t.valid_len, t.dropped_bytes))
    }

    fn append(&mut self, record: &[u8]) -> io::Result<()> {
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| io::Error::other("the journal is not bound to an election"))?;
        writer.append(record).map_err(core_err)?;
        Ok(())
    }

    fn read_all(&mut self) -> io::Result<Vec<Vec<u8>>> {
        if self.writer.is_none() && self.path.exists() {
            return Err(io::Error::other(
                "a journal exists but the election definition it belongs to is missing",
            ));
        }
        Ok(self.records.clone())
    }
}

/// A journal in memory, for benchmarks and tests of the screen logic (it survives
/// nothing; the appliance always uses [`CoreJournal`]).
#[derive(Debug, Default, Clone)]
pub struct MemoryJournal {
    /// The records.
    pub records: Vec<Vec<u8>>,
}

impl Journal for MemoryJournal {
    fn append(&mut self, record: &[u8]) -> io::Result<()> {
        self.records.push(record.to_vec());
        Ok(())
    }

    fn read_all(&mut self) -> io::Result<Vec<Vec<u8>>> {
        Ok(self.records.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_core::journal::JournalKey;

    #[test]
    fn core_journal_binds_to_one_election() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = CoreJournal::new(&path);
        assert!(j.append(b"x").is_err());
        let key = JournalKey::new(&[5; 32]);
        assert!(j.bind([1; 32], None).is_err());
        j.bind([1; 32], Some(&key)).unwrap();
        assert_eq!(j.head().unwrap().records, 0);
        j.append(b"{\"a\":1}").unwrap();
        j.append(b"{\"a\":2}").unwrap();
        let head = j.head().unwrap();
        assert_eq!(head.records, 2);
        drop(j);
        let mut j = CoreJournal::new(&path);
        assert!(j.read_all().is_err());
        assert!(j.bind([2; 32], Some(&key)).is_err());
        // Another body's key: refused, with its own message.
        let err = j
            .bind([1; 32], Some(&JournalKey::new(&[6; 32])))
            .unwrap_err();
        assert!(err.to_string().contains("another counting body"), "{err}");
        j.bind([1; 32], Some(&key)).unwrap();
        assert_eq!(j.head(), Some(head));
        assert_eq!(
            j.read_all().unwrap(),
            vec![b"{\"a\":1}".to_vec(), b"{\"a\":2}".to_vec()]
        );
    }
}
