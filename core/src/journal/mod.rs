//! The append-only journal of data entry: every event is written and forced to disk
//! before the caller acknowledges it, and the whole state is rebuilt from it at start.
//!
//! Format (documented in `docs/journal.md`): a header binding the file to one election
//! (the definition's SHA-256), then records, each length-prefixed (with the length's
//! complement), numbered, and chained by SHA-256 over the previous record's hash.
//!
//! Reading never repairs silently. A torn last record (the power failed while it was
//! being written) is dropped with a [`TornTail`] notice and everything before it kept;
//! every other damage (a changed, removed or reordered record, a wrong election) is an
//! error naming the record and the byte offset.
//!
//! [`read`] is pure (bytes in, records out); [`JournalWriter`] does the file I/O;
//! [`events`] puts [`crate::double_entry::Event`]s in the records.

pub mod codec;
pub mod events;
#[doc(hidden)]
pub mod fuzz;

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The magic bytes at the start of every journal.
pub const MAGIC: [u8; 8] = *b"TALLYJNL";
/// The format version this code writes and reads.
pub const VERSION: u32 = 1;
/// Header: magic (8), version (4), election hash (32), SHA-256 of those 44 bytes (32).
pub const HEADER_LEN: usize = 76;
/// Record framing: length (4), length complement (4), sequence number (8), then the
/// payload, then the chain hash (32).
pub const RECORD_OVERHEAD: usize = 48;
/// The largest payload accepted (1 MiB); a longer length is damage, not a record.
pub const MAX_PAYLOAD: u32 = 1 << 20;

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// The header bytes of a journal for this election.
pub fn header(election_hash: &Hash) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    let (body, check) = h.split_at_mut(44);
    let (magic, rest) = body.split_at_mut(8);
    let (version, hash) = rest.split_at_mut(4);
    magic.copy_from_slice(&MAGIC);
    version.copy_from_slice(&VERSION.to_le_bytes());
    hash.copy_from_slice(election_hash);
    let digest: Hash = Sha256::digest(&*body).into();
    check.copy_from_slice(&digest);
    h
}

/// The chain hash of a record: SHA-256(previous hash ‖ seq ‖ length ‖ payload). The
/// "previous hash" of record 1 is the header's own check value.
pub fn chain_hash(prev: &Hash, seq: u64, payload: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(seq.to_le_bytes());
    hasher.update(
        u64::try_from(payload.len())
            .unwrap_or(u64::MAX)
            .to_le_bytes(),
    );
    hasher.update(payload);
    hasher.finalize().into()
}

/// One record as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its number, from 1.
    pub seq: u64,
    /// Byte offset of the record in the file.
    pub offset: u64,
    /// The payload.
    pub payload: Vec<u8>,
    /// Its chain hash.
    pub hash: Hash,
}

/// Notice that the end of the file held an incomplete last record, which was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TornTail {
    /// Where the intact part ends (the file is cut back to here when opened for writing).
    pub valid_len: u64,
    /// How many bytes after it were dropped.
    pub dropped_bytes: u64,
}

/// What a journal holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalContents {
    /// Every intact record, in order.
    pub records: Vec<Record>,
    /// Set when an incomplete last record (or an incomplete header) was dropped.
    pub torn: Option<TornTail>,
    /// The chain hash of the last record (the header's check value if there is none):
    /// show or print it to anchor the journal outside the file.
    pub last_hash: Hash,
    /// Length of the intact part.
    pub valid_len: u64,
}

/// Damage or a mismatch. Never repaired: the officials decide what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    /// Not a journal.
    #[error("not a tally journal (bad magic bytes)")]
    NotAJournal,
    /// A version this program does not read.
    #[error("journal format version {0} is not supported (this program reads version {VERSION})")]
    UnsupportedVersion(u32),
    /// The journal belongs to another election.
    #[error(
        "the journal belongs to another election (definition hash {found}, expected {expected})"
    )]
    WrongElection {
        /// Hex of the hash in the file.
        found: String,
        /// Hex of the hash expected.
        expected: String,
    },
    /// The header's check value does not match.
    #[error("the journal header is damaged")]
    HeaderDamaged,
    /// A length field and its complement disagree, or the length is absurd.
    #[error("record {seq} at byte {offset}: damaged length field")]
    BadLength {
        /// The record number expected here.
        seq: u64,
        /// Its byte offset.
        offset: u64,
    },
    /// A record's number is not the next one: a record was removed or the order changed.
    #[error(
        "record at byte {offset} has number {found}, expected {expected}: records removed or reordered"
    )]
    OutOfSequence {
        /// Byte offset.
        offset: u64,
        /// Number found.
        found: u64,
        /// Number expected.
        expected: u64,
    },
    /// A record's chain hash does not match: the record (or one before it) was changed.
    #[error(
        "record {seq} at byte {offset}: chain hash mismatch (record changed, removed or reordered)"
    )]
    HashMismatch {
        /// The record's number.
        seq: u64,
        /// Byte offset.
        offset: u64,
    },
    /// Reading or writing the file failed.
    #[error("journal {path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A previous write failed; the journal refuses to continue (restart and replay).
    #[error("an earlier write to the journal failed; restart to recover from the journal")]
    Poisoned,
    /// A payload longer than [`MAX_PAYLOAD`].
    #[error("record payload of {0} bytes exceeds the maximum")]
    PayloadTooLarge(usize),
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

fn offset(at: usize) -> u64 {
    u64::try_from(at).unwrap_or(u64::MAX)
}

/// Reads and verifies a whole journal from its bytes.
pub fn read(bytes: &[u8], election_hash: &Hash) -> Result<JournalContents, JournalError> {
    let expected = header(election_hash);
    let total = offset(bytes.len());
    if bytes.len() < HEADER_LEN {
        // The file was cut while its header was being written: only acceptable if what is
        // there is the start of this election's header.
        if expected.starts_with(bytes) {
            return Ok(JournalContents {
                records: Vec::new(),
                torn: Some(TornTail {
                    valid_len: 0,
                    dropped_bytes: total,
                }),
                last_hash: [0; 32],
                valid_len: 0,
            });
        }
    }
    check_header(bytes, election_hash)?;
    let mut prev: Hash = [0; 32];
    if let Some(check) = expected.get(44..HEADER_LEN) {
        prev.copy_from_slice(check);
    }
    let mut records = Vec::new();
    let mut at = HEADER_LEN;
    let mut seq: u64 = 1;
    loop {
        let rest = bytes.get(at..).unwrap_or(&[]);
        if rest.is_empty() {
            return Ok(JournalContents {
                records,
                torn: None,
                last_hash: prev,
                valid_len: offset(at),
            });
        }
        let torn = || JournalContents {
            records: Vec::new(),
            torn: Some(TornTail {
                valid_len: offset(at),
                dropped_bytes: offset(rest.len()),
            }),
            last_hash: prev,
            valid_len: offset(at),
        };
        // After a power cut the file system may leave the end of the last write as zero
        // bytes. `written` is the part of the rest before such trailing zeros.
        let written = rest
            .iter()
            .rposition(|b| *b != 0)
            .map_or(0, |p| p.saturating_add(1));
        if written < 8 {
            // Not even a whole length field: a torn record (a real record never starts
            // with zero bytes up to its end).
            return Ok(JournalContents { records, ..torn() });
        }
        let (Some(len), Some(len_check)) = (u32_at(rest, 0), u32_at(rest, 4)) else {
            return Ok(JournalContents { records, ..torn() });
        };
        if len_check != !len || len > MAX_PAYLOAD {
            return Err(JournalError::BadLength {
                seq,
                offset: offset(at),
            });
        }
        let payload_len = usize::try_from(len).map_err(|_| JournalError::BadLength {
            seq,
            offset: offset(at),
        })?;
        let record_len = payload_len.saturating_add(RECORD_OVERHEAD);
        if rest.len() < record_len {
            return Ok(JournalContents { records, ..torn() });
        }
        let found_seq = u64_at(rest, 8).unwrap_or(0);
        let payload = rest.get(16..16 + payload_len).unwrap_or(&[]);
        let stored = rest.get(16 + payload_len..record_len).unwrap_or(&[]);
        let hash = chain_hash(&prev, seq, payload);
        let intact = found_seq == seq && stored == hash;
        if !intact && written < record_len {
            // The record does not verify and everything from inside it to the end of the
            // file is zero: the last write was cut short.
            return Ok(JournalContents { records, ..torn() });
        }
        if found_seq != seq {
            return Err(JournalError::OutOfSequence {
                offset: offset(at),
                found: found_seq,
                expected: seq,
            });
        }
        if stored != hash {
            return Err(JournalError::HashMismatch {
                seq,
                offset: offset(at),
            });
        }
        records.push(Record {
            seq,
            offset: offset(at),
            payload: payload.to_vec(),
            hash,
        });
        prev = hash;
        at = at.saturating_add(record_len);
        seq = seq.saturating_add(1);
    }
}

fn check_header(bytes: &[u8], election_hash: &Hash) -> Result<(), JournalError> {
    if bytes.get(0..8) != Some(&MAGIC[..]) {
        return Err(JournalError::NotAJournal);
    }
    let version = u32_at(bytes, 8).ok_or(JournalError::HeaderDamaged)?;
    if version != VERSION {
        return Err(JournalError::UnsupportedVersion(version));
    }
    let found = bytes.get(12..44).ok_or(JournalError::HeaderDamaged)?;
    let body = bytes.get(0..44).ok_or(JournalError::HeaderDamaged)?;
    let check = bytes
        .get(44..HEADER_LEN)
        .ok_or(JournalError::HeaderDamaged)?;
    let digest: Hash = Sha256::digest(body).into();
    if check != digest {
        return Err(JournalError::HeaderDamaged);
    }
    if found != election_hash {
        return Err(JournalError::WrongElection {
            found: hex::encode(found),
            expected: hex::encode(election_hash),
        });
    }
    Ok(())
}

/// Encodes one record (for the writer, and for tests that build journals by hand).
pub fn encode_record(
    prev: &Hash,
    seq: u64,
    payload: &[u8],
) -> Result<(Vec<u8>, Hash), JournalError> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|l| *l <= MAX_PAYLOAD)
        .ok_or(JournalError::PayloadTooLarge(payload.len()))?;
    let hash = chain_hash(prev, seq, payload);
    let mut out = Vec::with_capacity(payload.len() + RECORD_OVERHEAD);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&hash);
    Ok((out, hash))
}

/// Appends records to a journal file, each forced to disk before [`JournalWriter::append`]
/// returns.
#[derive(Debug)]
pub struct JournalWriter {
    file: File,
    path: PathBuf,
    last_hash: Hash,
    next_seq: u64,
    poisoned: bool,
}

fn io_err(path: &Path, e: std::io::Error) -> JournalError {
    JournalError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn sync_parent(path: &Path) -> Result<(), JournalError> {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_err(dir, e))?;
    }
    Ok(())
}

impl JournalWriter {
    /// Creates a new journal for this election. Refuses to overwrite an existing file.
    pub fn create(path: &Path, election_hash: &Hash) -> Result<JournalWriter, JournalError> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| io_err(path, e))?;
        let h = header(election_hash);
        file.write_all(&h)
            .and_then(|()| file.sync_all())
            .map_err(|e| io_err(path, e))?;
        sync_parent(path)?;
        let mut last_hash = [0u8; 32];
        if let Some(check) = h.get(44..HEADER_LEN) {
            last_hash.copy_from_slice(check);
        }
        Ok(JournalWriter {
            file,
            path: path.to_path_buf(),
            last_hash,
            next_seq: 1,
            poisoned: false,
        })
    }

    /// Opens an existing journal: reads and verifies it, cuts off a torn last record
    /// (reported in the returned contents), and positions for appending.
    pub fn open(
        path: &Path,
        election_hash: &Hash,
    ) -> Result<(JournalWriter, JournalContents), JournalError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io_err(path, e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| io_err(path, e))?;
        let contents = read(&bytes, election_hash)?;
        if contents.torn.is_some() {
            if contents.valid_len == 0 {
                // Not even the header survived: write it again.
                file.set_len(0).map_err(|e| io_err(path, e))?;
                let h = header(election_hash);
                std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(0))
                    .map_err(|e| io_err(path, e))?;
                file.write_all(&h).map_err(|e| io_err(path, e))?;
            } else {
                file.set_len(contents.valid_len)
                    .map_err(|e| io_err(path, e))?;
            }
            file.sync_all().map_err(|e| io_err(path, e))?;
        }
        let mut last_hash = contents.last_hash;
        if contents.valid_len == 0
            && let Some(check) = header(election_hash).get(44..HEADER_LEN)
        {
            last_hash.copy_from_slice(check);
        }
        std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).map_err(|e| io_err(path, e))?;
        let next_seq = offset(contents.records.len()).saturating_add(1);
        Ok((
            JournalWriter {
                file,
                path: path.to_path_buf(),
                last_hash,
                next_seq,
                poisoned: false,
            },
            contents,
        ))
    }

    /// Appends one record and forces it to disk (`fdatasync`) before returning its number.
    /// After a failed write the writer refuses every further append.
    pub fn append(&mut self, payload: &[u8]) -> Result<u64, JournalError> {
        if self.poisoned {
            return Err(JournalError::Poisoned);
        }
        let seq = self.next_seq;
        let (bytes, hash) = encode_record(&self.last_hash, seq, payload)?;
        if let Err(e) = self
            .file
            .write_all(&bytes)
            .and_then(|()| self.file.sync_data())
        {
            self.poisoned = true;
            return Err(io_err(&self.path, e));
        }
        self.last_hash = hash;
        self.next_seq = seq.saturating_add(1);
        Ok(seq)
    }

    /// The chain hash of the last record written.
    pub fn last_hash(&self) -> Hash {
        self.last_hash
    }

    /// The number the next record will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }
}
