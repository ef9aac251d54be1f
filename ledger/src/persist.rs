//! The one rule of every level's runner, written once: a record is applied to a copy of the
//! ledger; only when it fits is it written to the journal (forced to disk) and the copy kept.
//! At start the journal is replayed record by record. The journal's chain head (the journal's
//! own, [`Journal::head`]) is followed on both paths, so the screen can show it.
//!
//! What it must not do: know any level's records or screens (that is the level's runner).

use std::io;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::journal::Journal;

/// The kept file a record names (an HSB's or CSB's imported count, a GSB's imported entry
/// batch), as given to [`Ledger::apply`].
#[derive(Debug, Clone, Copy)]
pub enum KeptFile<'a> {
    /// Its bytes.
    Bytes(&'a [u8]),
    /// Where it is kept: read as a stream when the record is applied (an Amsterdam-sized
    /// 510b is about 90 MB; it is never held whole).
    Path(&'a std::path::Path),
}

/// The kept file at `path` and its size: a regular file, not a link (the body's own data
/// partition), of at most `cap` bytes; `None` otherwise. The one way a ledger opens a kept
/// file.
pub fn open_kept(path: &std::path::Path, cap: u64) -> Option<(std::fs::File, u64)> {
    let file = tally_signing::medium::open_regular(path, cap).ok()?;
    let len = file.metadata().ok()?.len();
    (len <= cap).then_some((file, len))
}

/// What a journal of records builds: the municipal tally, a higher level's ledger.
pub trait Ledger: Clone {
    /// One journal record.
    type Record: Serialize + DeserializeOwned + Clone + std::fmt::Debug;
    /// What applying a record reports.
    type Applied;
    /// Why a record does not fit.
    type Error;

    /// Applies `record`; `file` is the kept file the record names, when it names one.
    ///
    /// # Errors
    /// The record does not fit; the ledger may then be changed (callers apply to a copy).
    fn apply(
        &mut self,
        record: &Self::Record,
        file: Option<KeptFile<'_>>,
    ) -> Result<Self::Applied, Self::Error>;

    /// The audit log's line for `record` (`self` with the record applied: the registry gives
    /// the names), if it gets one: what was done and by whom (`docs/audit.md`). The record
    /// itself is in the journal; the line is the evidence that travels in the signed export.
    fn audit_line(&self, record: &Self::Record) -> Option<RecordLine> {
        let _ = record;
        None
    }
}

/// A journal record as the audit log says it: the act (`entry_started`, `decided:keep_first`,
/// `imported`, ...), the person by name, and the detail, in English (the log is for auditors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLine {
    /// What was done.
    pub act: String,
    /// Who did it, by name, when a person did.
    pub person: Option<String>,
    /// The detail.
    pub detail: String,
}

impl RecordLine {
    /// A line of `act` by `person` with `detail`.
    pub fn new(act: &str, person: Option<String>, detail: impl Into<String>) -> RecordLine {
        RecordLine {
            act: act.to_owned(),
            person,
            detail: detail.into(),
        }
    }
}

/// The position and hash at the end of the journal: its record count and the chain value
/// after the last record. For the journal on disk it is the journal's own head
/// ([`Journal::head`]: the HMAC-SHA-256 tag of the last record under the body's key); a
/// journal in memory (tests, benchmarks) has no key and follows an unkeyed SHA-256 chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    /// Records so far.
    pub seq: u64,
    /// The chain value after the last record.
    pub hash: [u8; 32],
}

impl ChainHead {
    /// The mark printed on a report: the records and the full chain head.
    pub fn mark(&self) -> tally_export::JournalMark {
        tally_export::JournalMark {
            records: self.seq,
            head: tally_core::hashcode::Sha256Digest(self.hash),
        }
    }
}

impl From<tally_core::journal::JournalHead> for ChainHead {
    fn from(h: tally_core::journal::JournalHead) -> ChainHead {
        ChainHead {
            seq: h.records,
            hash: h.hash,
        }
    }
}

impl ChainHead {
    /// The head of an empty journal in memory of the election whose 110a has SHA-256
    /// `election`.
    pub fn start(election: &[u8; 32]) -> ChainHead {
        use sha2::Digest;
        ChainHead {
            seq: 0,
            hash: sha2::Sha256::digest(election).into(),
        }
    }

    /// The head of a journal in memory after one more record with this payload.
    pub fn next(self, payload: &[u8]) -> ChainHead {
        use sha2::Digest;
        let seq = self.seq.saturating_add(1);
        let len = u64::try_from(payload.len()).unwrap_or(u64::MAX);
        let mut h = sha2::Sha256::new();
        h.update(self.hash);
        h.update(seq.to_le_bytes());
        h.update(len.to_le_bytes());
        h.update(payload);
        ChainHead {
            seq,
            hash: h.finalize().into(),
        }
    }
}

/// Why a record was not kept.
#[derive(Debug)]
pub enum PersistError<E> {
    /// The ledger refused it: nothing was written or changed.
    Refused(E),
    /// The journal could not be written: nothing changed, and nothing more may be accepted.
    Journal(String),
}

/// Applies `record` to a copy of `ledger`, writes it to `journal` and only then keeps the
/// copy and moves `head`.
///
/// # Errors
/// See [`PersistError`].
pub fn persist<L: Ledger, J: Journal + ?Sized>(
    ledger: &mut L,
    head: &mut Option<ChainHead>,
    journal: &mut J,
    record: &L::Record,
    file: Option<KeptFile<'_>>,
) -> Result<L::Applied, PersistError<L::Error>> {
    let mut next = ledger.clone();
    let applied = next.apply(record, file).map_err(PersistError::Refused)?;
    let bytes = serde_json::to_vec(record).map_err(|e| PersistError::Journal(e.to_string()))?;
    journal
        .append(&bytes)
        .map_err(|e| PersistError::Journal(e.to_string()))?;
    *head = journal
        .head()
        .map(ChainHead::from)
        .or_else(|| head.map(|h| h.next(&bytes)));
    *ledger = next;
    Ok(applied)
}

/// Why the journal cannot be replayed.
#[derive(Debug)]
pub enum ReplayError<A, F> {
    /// The journal cannot be read.
    Read(io::Error),
    /// Record `n` (from 1) is not a record.
    Damaged(usize, String),
    /// Record `n` does not fit the ledger.
    Apply(usize, A),
    /// The file record `n` names cannot be had.
    File(usize, F),
}

/// Replays every record of `journal` into `ledger`, moving `head` along. `file_of` gives
/// where the kept file a record names is (or `None`): it is read when the record is applied
/// (a stream, never held whole).
///
/// # Errors
/// See [`ReplayError`].
pub fn replay<L: Ledger, J: Journal + ?Sized, F>(
    ledger: &mut L,
    head: &mut Option<ChainHead>,
    journal: &mut J,
    mut file_of: impl FnMut(&L::Record) -> Result<Option<std::path::PathBuf>, F>,
) -> Result<(), ReplayError<L::Error, F>> {
    for (i, bytes) in journal
        .read_all()
        .map_err(ReplayError::Read)?
        .iter()
        .enumerate()
    {
        let n = i.saturating_add(1);
        *head = head.map(|h| h.next(bytes));
        let record: L::Record =
            serde_json::from_slice(bytes).map_err(|e| ReplayError::Damaged(n, e.to_string()))?;
        let file = file_of(&record).map_err(|e| ReplayError::File(n, e))?;
        ledger
            .apply(&record, file.as_deref().map(KeptFile::Path))
            .map_err(|e| ReplayError::Apply(n, e))?;
    }
    if let Some(h) = journal.head() {
        *head = Some(h.into());
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A kept file is opened only when it is a regular file within the cap: a link to one
    /// (not followed) and a FIFO (not waited on) are refused like a file that is too long.
    #[test]
    fn a_kept_file_is_a_regular_file_within_its_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kept");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(open_kept(&file, 10).map(|(_, len)| len), Some(10));
        assert!(open_kept(&file, 9).is_none());
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(open_kept(&link, 10).is_none());
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert!(open_kept(&fifo, 10).is_none());
        assert!(open_kept(&dir.path().join("missing"), 10).is_none());
    }

    /// A ledger that adds numbers and refuses negative ones.
    #[derive(Debug, Clone, Default, PartialEq)]
    struct Sum(i64);

    impl Ledger for Sum {
        type Record = i64;
        type Applied = i64;
        type Error = String;
        fn apply(&mut self, r: &i64, _: Option<KeptFile<'_>>) -> Result<i64, String> {
            if *r < 0 {
                return Err(format!("{r} < 0"));
            }
            self.0 += r;
            Ok(self.0)
        }
    }

    #[derive(Default)]
    struct Memory(Vec<Vec<u8>>, bool);

    impl Journal for Memory {
        fn append(&mut self, record: &[u8]) -> io::Result<()> {
            if self.1 {
                return Err(io::Error::other("full"));
            }
            self.0.push(record.to_vec());
            Ok(())
        }
        fn read_all(&mut self) -> io::Result<Vec<Vec<u8>>> {
            Ok(self.0.clone())
        }
    }

    #[test]
    fn a_record_is_kept_only_when_it_fits_and_is_written() {
        let mut ledger = Sum::default();
        let mut head = Some(ChainHead::start(&[7; 32]));
        let mut journal = Memory::default();
        assert_eq!(
            persist(&mut ledger, &mut head, &mut journal, &3, None).unwrap(),
            3
        );
        assert!(matches!(
            persist(&mut ledger, &mut head, &mut journal, &-1, None),
            Err(PersistError::Refused(_))
        ));
        journal.1 = true;
        assert!(matches!(
            persist(&mut ledger, &mut head, &mut journal, &4, None),
            Err(PersistError::Journal(_))
        ));
        assert_eq!(ledger, Sum(3));
        assert_eq!(head.unwrap().seq, 1);
        // Replay gives the same ledger and head.
        let mut again = Sum::default();
        let mut head_again = Some(ChainHead::start(&[7; 32]));
        replay::<_, _, ()>(&mut again, &mut head_again, &mut journal, |_| Ok(None)).unwrap();
        assert_eq!(again, ledger);
        assert_eq!(head_again, head);
    }
}
