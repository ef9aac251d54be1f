//! The audit trail: every insertion, mount, verification, refusal, write and removal, with the
//! device's identity and the SHA-256 of every file read or written.
//!
//! The caller provides the sink ([`AuditSink`]); [`JsonLinesAudit`] appends one JSON object per
//! line to a file and syncs it, [`MemoryAudit`] keeps events in memory (tests, demo).
//!
//! Each line is chained and tagged (`tally_core::audit`, `docs/audit.md`): its sequence number,
//! the previous line's tag, and its own tag, an HMAC-SHA-256 under the body's audit key once
//! the body is unlocked ([`JsonLinesAudit::with_key`]), a plain SHA-256 before. A torn last line
//! (a power cut while writing it) is cut off at the next write, with a notice line saying how
//! many bytes were dropped.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use tally_core::audit::{AuditKey, ChainState};

use serde::Serialize;

use crate::detect::DeviceIdentity;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A USB block device appeared (or was present at start).
    Inserted,
    /// A USB block device disappeared.
    Removed,
    /// A device was classified as not usable (no usable partition, unsupported file system...).
    Unusable,
    /// A second stick was inserted while one is in use; it is left alone.
    SecondStickIgnored,
    /// A file system was mounted (read-only or read-write).
    Mounted,
    /// A file system was unmounted.
    Unmounted,
    /// A file was read from the medium (with its hash).
    Read,
    /// Something on the medium was refused (symlink, device file, too large, ...).
    Refused,
    /// The caller's verifier accepted the medium.
    Verified,
    /// The caller's verifier rejected the medium.
    VerifyFailed,
    /// A file was written and synced (with its hash).
    Written,
    /// An export was completed and verified after reading it back.
    ExportDone,
    /// An export failed; the data stays on the appliance.
    ExportFailed,
    /// The terminal program stopped on an internal error (a panic); the detail says where.
    Panic,
    /// A journal record: an entry started or finished, a decision, an import, an export, a
    /// person registered, a PIN typed (`act`, and `person` by name).
    Record,
    /// Something the officials are told (a journal refused, a record or line dropped).
    Notice,
    /// The body checked its own log with its key (before an export): the outcome.
    ChainChecked,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// UTC time, RFC 3339.
    pub time: String,
    /// What happened.
    pub kind: AuditKind,
    /// The device, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceIdentity>,
    /// The file concerned (relative to the medium's root), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Its size in bytes, if a file was read or written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// SHA-256 of the file's bytes, hex, if a file was read or written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// What a journal record did (`entry_started`, `decided`, `exported`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<String>,
    /// Who did it, by name (the registered person).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// Free text: the reason of a refusal, the mount options, the error.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl AuditEvent {
    /// An event of `kind` now, for `device`, with `detail`.
    pub fn new(
        kind: AuditKind,
        device: Option<&DeviceIdentity>,
        detail: impl Into<String>,
    ) -> Self {
        AuditEvent {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            kind,
            device: device.cloned(),
            file: None,
            bytes: None,
            sha256: None,
            act: None,
            person: None,
            detail: detail.into(),
        }
    }

    /// A journal record's line: what it did, by whom (by name), and in words.
    pub fn record(act: &str, person: Option<String>, detail: impl Into<String>) -> Self {
        let mut e = AuditEvent::new(AuditKind::Record, None, detail);
        e.act = Some(act.to_owned());
        e.person = person;
        e
    }

    /// The same event, naming a file with its size and SHA-256.
    pub fn with_file(
        mut self,
        file: impl Into<String>,
        bytes: u64,
        sha256: impl Into<String>,
    ) -> Self {
        self.file = Some(file.into());
        self.bytes = Some(bytes);
        self.sha256 = Some(sha256.into());
        self
    }
}

/// The audit log could not be written.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Opening, writing or syncing the log file failed.
    #[error("{path}: {source}")]
    Io {
        /// The log file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The event could not be serialised (cannot happen for these types; kept for honesty).
    #[error("serialising an audit event: {0}")]
    Json(#[from] serde_json::Error),
}

/// Where audit events go. The caller provides it; the media code records through it and stops an
/// operation when recording fails.
pub trait AuditSink {
    /// Records one event durably.
    fn record(&mut self, event: AuditEvent) -> Result<(), AuditError>;
}

/// Append-only JSON-lines file: one event per line, chained and tagged, synced after every line.
#[derive(Debug)]
pub struct JsonLinesAudit {
    path: PathBuf,
    file: File,
    key: Option<AuditKey>,
}

/// How far back a writer looks for the last line at first (doubled until it is found).
const TAIL_WINDOW: u64 = 8 * 1024;
/// The longest last line the chain is read from (a line of the appliance's own is well under
/// a kilobyte): beyond it, the data partition was changed elsewhere, and the tail is taken as
/// a line that is not chained, without reading more into memory.
const MAX_TAIL_WINDOW: u64 = 1024 * 1024;

impl JsonLinesAudit {
    /// Opens (creating if needed) `path` for appending; lines are unkeyed until
    /// [`JsonLinesAudit::with_key`].
    pub fn open(path: &Path) -> Result<Self, AuditError> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|source| AuditError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(JsonLinesAudit {
            path: path.to_path_buf(),
            file,
            key: None,
        })
    }

    /// Tags the lines written from now on with the body's audit key (`None`: unkeyed, before
    /// the unlock).
    pub fn with_key(mut self, key: Option<AuditKey>) -> Self {
        self.key = key;
        self
    }

    fn io(&self, source: std::io::Error) -> AuditError {
        AuditError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// The chain after a last line that is not chained (`last`, ending at byte `upto`): its
    /// place is the count of line ends before `upto`, read in pieces (never the whole file at
    /// once), and its tag the line's SHA-256.
    fn unchained(&self, last: &[u8], upto: u64) -> std::io::Result<ChainState> {
        let mut lines = 0u64;
        let mut at = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        while at < upto {
            let n = usize::try_from((upto - at).min(buf.len() as u64))
                .map_err(std::io::Error::other)?;
            let piece = buf.get_mut(..n).unwrap_or_default();
            self.file.read_exact_at(piece, at)?;
            lines += piece.iter().filter(|&&b| b == b'\n').count() as u64;
            at += n as u64;
        }
        Ok(ChainState {
            seq: lines,
            tag: tally_signing::sha256(last),
        })
    }

    /// Where the chain stands at the file's end, and a torn last line (bytes after the last
    /// newline: where they start, how many). Read at every write, so two writers of the same
    /// file (one opened while another is) never fork the chain.
    fn tail(&self) -> std::io::Result<(ChainState, Option<(u64, u64)>)> {
        let len = self.file.metadata()?.len();
        if len == 0 {
            return Ok((ChainState::default(), None));
        }
        let mut window = TAIL_WINDOW;
        loop {
            let from = len.saturating_sub(window);
            let size = usize::try_from(len - from).map_err(std::io::Error::other)?;
            let mut buf = vec![0u8; size];
            self.file.read_exact_at(&mut buf, from)?;
            // The end of the last whole line, and the start of that line.
            let end = buf.iter().rposition(|&b| b == b'\n').map(|i| i + 1);
            let torn = match end {
                Some(e) if e == buf.len() => None,
                Some(e) => Some((from + e as u64, (buf.len() - e) as u64)),
                None if from == 0 => Some((0, len)),
                None => None,
            };
            let Some(end) = end else {
                if from == 0 {
                    return Ok((ChainState::default(), torn));
                }
                if window >= MAX_TAIL_WINDOW {
                    // No line end in the last megabyte: not a line of this appliance.
                    return Ok((self.unchained(&buf, len)?, None));
                }
                window = window.saturating_mul(2);
                continue;
            };
            let whole = buf.get(..end.saturating_sub(1)).unwrap_or_default();
            let start = whole.iter().rposition(|&b| b == b'\n').map(|i| i + 1);
            if start.is_none() && from > 0 {
                if window >= MAX_TAIL_WINDOW {
                    return Ok((self.unchained(whole, from + end as u64)?, torn));
                }
                window = window.saturating_mul(2);
                continue;
            }
            let last = whole.get(start.unwrap_or(0)..).unwrap_or_default();
            let state = std::str::from_utf8(last)
                .ok()
                .and_then(tally_core::audit::state_after);
            let state = match state {
                Some(s) => s,
                // Not a chained line (damaged, or written by an older version): the chain goes
                // on from its SHA-256 and its place; the check names that line.
                None => self.unchained(last, from + end as u64)?,
            };
            return Ok((state, torn));
        }
    }

    fn append(&mut self, event: &AuditEvent, state: ChainState) -> Result<ChainState, AuditError> {
        let json = serde_json::to_string(event)?;
        let (line, next) = tally_core::audit::seal(&json, state, self.key.as_ref());
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| self.io(e))?;
        self.file.sync_data().map_err(|e| self.io(e))?;
        Ok(next)
    }
}

impl AuditSink for JsonLinesAudit {
    fn record(&mut self, event: AuditEvent) -> Result<(), AuditError> {
        let (mut state, torn) = self.tail().map_err(|e| self.io(e))?;
        if let Some((kept, dropped)) = torn {
            // A line cut short by a power cut: dropped, never silently.
            self.file.set_len(kept).map_err(|e| self.io(e))?;
            let notice = AuditEvent::new(
                AuditKind::Notice,
                None,
                format!(
                    "audit log: an incomplete last line was dropped ({dropped} bytes after byte {kept})"
                ),
            );
            state = self.append(&notice, state)?;
        }
        self.append(&event, state).map(|_| ())
    }
}

/// Keeps events in memory (tests and demo mode).
#[derive(Debug, Default, Clone)]
pub struct MemoryAudit {
    /// The events in the order they were recorded.
    pub events: Vec<AuditEvent>,
}

impl AuditSink for MemoryAudit {
    fn record(&mut self, event: AuditEvent) -> Result<(), AuditError> {
        self.events.push(event);
        Ok(())
    }
}

impl MemoryAudit {
    /// The kinds of the recorded events, in order.
    pub fn kinds(&self) -> Vec<AuditKind> {
        self.events.iter().map(|e| e.kind).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_appends_one_parseable_line_per_event() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let id = DeviceIdentity {
            vendor: Some("QEMU".into()),
            model: Some("QEMU HARDDISK".into()),
            serial: Some("1-0000:00:04.0-1".into()),
            devnode: "/dev/sda".into(),
        };
        {
            let mut log = JsonLinesAudit::open(&path).unwrap();
            log.record(AuditEvent::new(AuditKind::Inserted, Some(&id), ""))
                .unwrap();
        }
        {
            let mut log = JsonLinesAudit::open(&path).unwrap();
            log.record(AuditEvent::new(AuditKind::Read, Some(&id), "").with_file(
                "a/manifest.json",
                3,
                "ab",
            ))
            .unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(first["kind"], "inserted");
        assert_eq!(first["device"]["serial"], "1-0000:00:04.0-1");
        assert!(first.get("sha256").is_none());
        let second: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(second["kind"], "read");
        assert_eq!(second["file"], "a/manifest.json");
        assert_eq!(second["bytes"], 3);
        assert_eq!(second["sha256"], "ab");
    }

    fn lines(path: &Path) -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn lines_are_chained_unkeyed_before_the_key_and_tagged_with_it_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let key = AuditKey::new(&[5; 32]);
        JsonLinesAudit::open(&path)
            .unwrap()
            .record(AuditEvent::new(
                AuditKind::Inserted,
                None,
                "before the unlock",
            ))
            .unwrap();
        {
            let mut log = JsonLinesAudit::open(&path)
                .unwrap()
                .with_key(Some(key.clone()));
            // A second writer open at the same time continues the same chain.
            let mut other = JsonLinesAudit::open(&path)
                .unwrap()
                .with_key(Some(key.clone()));
            log.record(AuditEvent::record(
                "entry_started",
                Some("Anna".into()),
                "station 1",
            ))
            .unwrap();
            other
                .record(AuditEvent::record(
                    "decided",
                    Some("Carla".into()),
                    "station 1",
                ))
                .unwrap();
            log.record(AuditEvent::new(AuditKind::Written, None, "").with_file("a", 1, "ff"))
                .unwrap();
        }
        let bytes = std::fs::read(&path).unwrap();
        let checked = tally_core::audit::check(&bytes, Some(&key));
        assert!(checked.broken.is_empty(), "{:?}", checked.broken);
        assert_eq!((checked.unkeyed, checked.keyed), (1, 3));
        let v = lines(&path);
        assert_eq!(v[0]["auth"], "none");
        assert_eq!(v[1]["auth"], "body");
        assert_eq!(v[1]["person"], "Anna");
        assert_eq!(v[1]["act"], "entry_started");
        assert_eq!(v[1]["kind"], "record");
        assert_eq!(v[2]["seq"], 3);
        assert_eq!(v[2]["prev"], v[1]["tag"]);
        // Another body's key does not verify them.
        let other = tally_core::audit::check(&bytes, Some(&AuditKey::new(&[6; 32])));
        assert_eq!(other.broken.len(), 3);
    }

    #[test]
    fn a_forged_line_is_found_changed_removed_or_swapped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let key = AuditKey::new(&[5; 32]);
        let mut log = JsonLinesAudit::open(&path)
            .unwrap()
            .with_key(Some(key.clone()));
        for who in ["Anna", "Bert", "Carla", "Dora"] {
            log.record(AuditEvent::record("entry_started", Some(who.into()), ""))
                .unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let l: Vec<&str> = text.split_inclusive('\n').collect();
        let broken = |t: String| {
            tally_core::audit::check(t.as_bytes(), Some(&key))
                .broken
                .iter()
                .map(|b| b.line)
                .collect::<Vec<_>>()
        };
        assert_eq!(broken(text.replace("Bert", "Bart")), [2]);
        assert_eq!(broken([l[0], l[2], l[3]].concat()), [2, 2]);
        assert_eq!(
            broken([l[0], l[2], l[1], l[3]].concat()),
            [2, 2, 3, 3, 4, 4]
        );
    }

    #[test]
    fn a_last_line_of_megabytes_is_not_read_whole_and_the_chain_goes_on() {
        // A data partition changed elsewhere: 3 MB without a line end, then a line that is
        // not chained. Appending reads at most a megabyte of it at once, and goes on.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut junk = vec![b'x'; 3 * 1024 * 1024];
        junk.extend_from_slice(b"\nnot a chained line\n");
        std::fs::write(&path, &junk).unwrap();
        let mut log = JsonLinesAudit::open(&path).unwrap();
        log.record(AuditEvent::record("entry_started", Some("Anna".into()), ""))
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(&junk));
        let last = bytes.split(|&b| b == b'\n').rev().nth(1).unwrap();
        let v: serde_json::Value = serde_json::from_slice(last).unwrap();
        assert_eq!(v["seq"], 3, "{v}");
        // Without any line end at all: the same, and nothing is cut.
        std::fs::write(&path, vec![b'y'; 3 * 1024 * 1024]).unwrap();
        let mut log = JsonLinesAudit::open(&path).unwrap();
        log.record(AuditEvent::record("entry_started", Some("Anna".into()), ""))
            .unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 3 * 1024 * 1024);
    }

    #[test]
    fn a_torn_last_line_is_dropped_with_a_notice_and_the_chain_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let key = AuditKey::new(&[5; 32]);
        let mut log = JsonLinesAudit::open(&path)
            .unwrap()
            .with_key(Some(key.clone()));
        log.record(AuditEvent::record("entry_started", Some("Anna".into()), ""))
            .unwrap();
        log.record(AuditEvent::record(
            "entry_finished",
            Some("Anna".into()),
            "",
        ))
        .unwrap();
        let full = std::fs::read(&path).unwrap();
        std::fs::write(&path, &full[..full.len() - 30]).unwrap();
        log.record(AuditEvent::record("decided", Some("Carla".into()), ""))
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let checked = tally_core::audit::check(&bytes, Some(&key));
        assert!(checked.broken.is_empty(), "{:?}", checked.broken);
        let v = lines(&path);
        assert_eq!(v.len(), 3);
        assert_eq!(v[1]["kind"], "notice");
        assert!(
            v[1]["detail"]
                .as_str()
                .unwrap()
                .contains("incomplete last line was dropped")
        );
        assert_eq!(v[2]["person"], "Carla");
        assert_eq!(v[2]["seq"], 3);
    }

    #[test]
    fn a_long_last_line_is_found_beyond_the_first_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut log = JsonLinesAudit::open(&path).unwrap();
        log.record(AuditEvent::new(AuditKind::Notice, None, "x".repeat(20_000)))
            .unwrap();
        log.record(AuditEvent::new(AuditKind::Notice, None, "short"))
            .unwrap();
        let checked = tally_core::audit::check(&std::fs::read(&path).unwrap(), None);
        assert!(checked.broken.is_empty(), "{:?}", checked.broken);
        assert_eq!(checked.lines.len(), 2);
    }
}
