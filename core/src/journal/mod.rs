//! The append-only journal of data entry: every record is written and forced to disk
//! before the caller acknowledges it, and the whole state is rebuilt from it at start.
//!
//! Format version 2 (documented in `docs/journal.md`): a header binding the file to one
//! election (the definition's SHA-256) and to one body (an identifier derived from the
//! journal key), then records, each length-prefixed (with the length's complement),
//! numbered, and chained by an HMAC-SHA-256 tag over the previous record's tag. The key is
//! the body's journal key ([`JournalKey`], 32 bytes derived from the body's private key by
//! the signing crate after unlock), so a journal changed, shortened in the middle, reordered
//! or spliced on a machine without the body's key is refused at the first bad record.
//!
//! Reading never repairs silently. A torn last record (the power failed while it was
//! being written) is dropped with a [`TornTail`] notice and everything before it kept;
//! every other damage (a changed, removed or reordered record, a wrong election or body,
//! an unkeyed version-1 journal) is an error naming the record and the byte offset.
//!
//! [`read`] is pure (bytes in, records out); [`JournalWriter`] does the file I/O and
//! reports the chain head ([`JournalWriter::head`]); [`events`] puts
//! [`crate::double_entry::Event`]s in the records.
//!
//! This crate does no key handling beyond taking the 32 key bytes: deriving them from the
//! body key, and wiping them, is the signing crate's job.

pub mod codec;
pub mod events;
#[doc(hidden)]
pub mod fuzz;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The magic bytes at the start of every journal.
pub const MAGIC: [u8; 8] = *b"TALLYJNL";
/// The format version this code writes and reads: 2, every record authenticated with the
/// body's journal key.
pub const VERSION: u32 = 2;
/// The unkeyed format of before (a bare SHA-256 chain), refused with its own message.
pub const UNKEYED_VERSION: u32 = 1;
/// Header: magic (8), version (4), election hash (32), body identifier (32), header tag
/// (32).
pub const HEADER_LEN: usize = 108;
/// Record framing: length (4), length complement (4), sequence number (8), then the
/// payload, then the record's tag (32).
pub const RECORD_OVERHEAD: usize = 48;
/// The largest payload accepted (1 MiB); a longer length is damage, not a record.
pub const MAX_PAYLOAD: u32 = 1 << 20;

/// A SHA-256 or HMAC-SHA-256 value.
pub type Hash = [u8; 32];

/// Domain-separation labels: every HMAC input starts with one, so a value computed for one
/// purpose never verifies as another.
const LABEL_BODY_ID: &[u8] = b"tally-journal v2 body-id\0";
const LABEL_HEADER: &[u8] = b"tally-journal v2 header\0";
const LABEL_RECORD: &[u8] = b"tally-journal v2 record\0";

/// The 32-byte key that authenticates a journal: derived from the body's private key
/// (`tally_signing::journal_key`), never stored. Holds the keyed HMAC state only; never
/// printed.
#[derive(Clone)]
pub struct JournalKey {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for JournalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JournalKey(..)")
    }
}

impl JournalKey {
    /// The key from its 32 bytes.
    pub fn new(bytes: &[u8; 32]) -> JournalKey {
        // HMAC pads a key shorter than the hash's block (64 bytes) with zeros: padding it
        // here gives the same MAC, through the constructor that cannot fail.
        let mut block = [0u8; 64];
        for (b, k) in block.iter_mut().zip(bytes) {
            *b = *k;
        }
        let mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
        JournalKey { mac }
    }

    fn tag(&self, parts: &[&[u8]]) -> Hash {
        let mut mac = self.mac.clone();
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    }

    /// The body identifier written in the header: HMAC(key, label). It tells a journal of
    /// another body (another key) from a forged one, and reveals nothing about the key.
    pub fn body_id(&self) -> Hash {
        self.tag(&[LABEL_BODY_ID])
    }
}

/// The header bytes of a journal for this election and body.
pub fn header(election_hash: &Hash, key: &JournalKey) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    let (body, tag) = h.split_at_mut(76);
    let (magic, rest) = body.split_at_mut(8);
    let (version, rest) = rest.split_at_mut(4);
    let (election, id) = rest.split_at_mut(32);
    magic.copy_from_slice(&MAGIC);
    version.copy_from_slice(&VERSION.to_le_bytes());
    election.copy_from_slice(election_hash);
    id.copy_from_slice(&key.body_id());
    tag.copy_from_slice(&key.tag(&[LABEL_HEADER, body]));
    h
}

/// The chain value before the first record: the header's tag.
pub fn start_hash(election_hash: &Hash, key: &JournalKey) -> Hash {
    let h = header(election_hash, key);
    let mut out = [0u8; 32];
    if let Some(tag) = h.get(76..HEADER_LEN) {
        out.copy_from_slice(tag);
    }
    out
}

/// The tag of a record: HMAC-SHA-256(key, label ‖ previous tag ‖ seq (u64) ‖ length (u64)
/// ‖ payload). The "previous tag" of record 1 is the header's tag ([`start_hash`]).
pub fn chain_hash(key: &JournalKey, prev: &Hash, seq: u64, payload: &[u8]) -> Hash {
    let len = u64::try_from(payload.len())
        .unwrap_or(u64::MAX)
        .to_le_bytes();
    key.tag(&[LABEL_RECORD, prev, &seq.to_le_bytes(), &len, payload])
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
    /// Its tag (the chain value after it).
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

/// Where a journal ends: how many records it holds and the tag of the last one (the
/// header's tag when there is none). Shown on screen, printed on the report and recorded in
/// the export, it anchors the journal outside the file: a copy with fewer records (a
/// rolled-back stick) shows a smaller count and another head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalHead {
    /// Records in the journal.
    pub records: u64,
    /// The chain value after the last record.
    pub hash: Hash,
}

impl JournalHead {
    /// All 64 lowercase hexadecimal digits of the head.
    pub fn hex(&self) -> String {
        hex::encode(self.hash)
    }

    /// The 64 digits in 16 groups of 4, separated by spaces (as hash codes on paper).
    pub fn grouped(&self) -> String {
        let hex = self.hex();
        let mut out = String::with_capacity(79);
        for (i, c) in hex.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Display for JournalHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} records, chain head {}", self.records, self.grouped())
    }
}

/// What a journal holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalContents {
    /// Every intact record, in order.
    pub records: Vec<Record>,
    /// Set when an incomplete last record (or an incomplete header) was dropped.
    pub torn: Option<TornTail>,
    /// The tag of the last record (the header's tag if there is none): show or print it to
    /// anchor the journal outside the file.
    pub last_hash: Hash,
    /// Length of the intact part.
    pub valid_len: u64,
}

impl JournalContents {
    /// The record count and the chain head.
    pub fn head(&self) -> JournalHead {
        JournalHead {
            records: offset(self.records.len()),
            hash: self.last_hash,
        }
    }
}

/// Damage, tampering or a mismatch. Never repaired: the officials decide what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    /// Not a journal.
    #[error("not a tally journal (bad magic bytes)")]
    NotAJournal,
    /// The unkeyed format of before: nobody can tell whether it was rewritten.
    #[error(
        "the journal has format version 1, which is not authenticated with the body's key: \
         it is refused, because whether it was changed cannot be checked (start a new journal \
         with this program; the old file stays as it is)"
    )]
    UnkeyedVersion1,
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
    /// The journal was written with another key: another body's journal (or this body's
    /// with another key pair).
    #[error(
        "the journal belongs to another counting body (it was not written with this body's key)"
    )]
    WrongBody,
    /// The header does not verify with this body's key: damaged or forged.
    #[error("the journal header does not verify with this body's key: damaged or changed")]
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
    /// A record's tag does not verify with the body's key: this record (or the order of the
    /// records) was changed, a record before it removed, or it comes from another journal.
    /// Nothing from this record on is used.
    #[error(
        "record {seq} at byte {offset} does not verify with this body's key: changed, \
         removed, reordered or taken from another journal (nothing from here on is used)"
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

impl JournalError {
    /// The record number the error names, when it names one (the first bad record).
    pub fn record(&self) -> Option<u64> {
        match self {
            JournalError::BadLength { seq, .. } | JournalError::HashMismatch { seq, .. } => {
                Some(*seq)
            }
            JournalError::OutOfSequence { expected, .. } => Some(*expected),
            _ => None,
        }
    }
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

/// Reads and verifies a whole journal from its bytes: the header must be this election's
/// and this body's, and every record's tag must verify with `key`. The first record that
/// does not verify is an error naming it; nothing after it is returned.
pub fn read(
    bytes: &[u8],
    election_hash: &Hash,
    key: &JournalKey,
) -> Result<JournalContents, JournalError> {
    let expected = header(election_hash, key);
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
                last_hash: start_hash(election_hash, key),
                valid_len: 0,
            });
        }
    }
    check_header(bytes, election_hash, key)?;
    let mut prev: Hash = start_hash(election_hash, key);
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
        let hash = chain_hash(key, &prev, seq, payload);
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

fn check_header(bytes: &[u8], election_hash: &Hash, key: &JournalKey) -> Result<(), JournalError> {
    if bytes.get(0..8) != Some(&MAGIC[..]) {
        return Err(JournalError::NotAJournal);
    }
    let version = u32_at(bytes, 8).ok_or(JournalError::HeaderDamaged)?;
    if version == UNKEYED_VERSION {
        return Err(JournalError::UnkeyedVersion1);
    }
    if version != VERSION {
        return Err(JournalError::UnsupportedVersion(version));
    }
    let found = bytes.get(12..44).ok_or(JournalError::HeaderDamaged)?;
    let found_id = bytes.get(44..76).ok_or(JournalError::HeaderDamaged)?;
    let tag = bytes
        .get(76..HEADER_LEN)
        .ok_or(JournalError::HeaderDamaged)?;
    // The election first (a journal of another election is named as such, whoever wrote
    // it), then the body, then the tag over all of it.
    if found != election_hash {
        return Err(JournalError::WrongElection {
            found: hex::encode(found),
            expected: hex::encode(election_hash),
        });
    }
    if found_id != key.body_id() {
        return Err(JournalError::WrongBody);
    }
    if tag != start_hash(election_hash, key) {
        return Err(JournalError::HeaderDamaged);
    }
    Ok(())
}

/// Encodes one record (for the writer, and for tests that build journals by hand).
pub fn encode_record(
    key: &JournalKey,
    prev: &Hash,
    seq: u64,
    payload: &[u8],
) -> Result<(Vec<u8>, Hash), JournalError> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|l| *l <= MAX_PAYLOAD)
        .ok_or(JournalError::PayloadTooLarge(payload.len()))?;
    let hash = chain_hash(key, prev, seq, payload);
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
    key: JournalKey,
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
    /// Creates a new journal for this election and body. Refuses to overwrite an existing
    /// file.
    pub fn create(
        path: &Path,
        election_hash: &Hash,
        key: &JournalKey,
    ) -> Result<JournalWriter, JournalError> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| io_err(path, e))?;
        let h = header(election_hash, key);
        file.write_all(&h)
            .and_then(|()| file.sync_all())
            .map_err(|e| io_err(path, e))?;
        sync_parent(path)?;
        let last_hash = start_hash(election_hash, key);
        Ok(JournalWriter {
            file,
            key: key.clone(),
            path: path.to_path_buf(),
            last_hash,
            next_seq: 1,
            poisoned: false,
        })
    }

    /// Opens an existing journal: reads and verifies it with `key` (see [`read`]), cuts off
    /// a torn last record (reported in the returned contents), and positions for appending.
    /// A journal refused is left exactly as it is.
    pub fn open(
        path: &Path,
        election_hash: &Hash,
        key: &JournalKey,
    ) -> Result<(JournalWriter, JournalContents), JournalError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io_err(path, e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| io_err(path, e))?;
        let contents = read(&bytes, election_hash, key)?;
        if contents.torn.is_some() {
            if contents.valid_len == 0 {
                // Not even the header survived: write it again.
                file.set_len(0).map_err(|e| io_err(path, e))?;
                let h = header(election_hash, key);
                std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(0))
                    .map_err(|e| io_err(path, e))?;
                file.write_all(&h).map_err(|e| io_err(path, e))?;
            } else {
                file.set_len(contents.valid_len)
                    .map_err(|e| io_err(path, e))?;
            }
            file.sync_all().map_err(|e| io_err(path, e))?;
        }
        let last_hash = if contents.valid_len == 0 {
            start_hash(election_hash, key)
        } else {
            contents.last_hash
        };
        std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).map_err(|e| io_err(path, e))?;
        let next_seq = offset(contents.records.len()).saturating_add(1);
        Ok((
            JournalWriter {
                file,
                key: key.clone(),
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
        let (bytes, hash) = encode_record(&self.key, &self.last_hash, seq, payload)?;
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

    /// The tag of the last record written (the chain head).
    pub fn last_hash(&self) -> Hash {
        self.last_hash
    }

    /// The record count and the chain head (all 32 bytes), for the screen, the printed
    /// report and the export.
    pub fn head(&self) -> JournalHead {
        JournalHead {
            records: self.next_seq.saturating_sub(1),
            hash: self.last_hash,
        }
    }

    /// The number the next record will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }
}
