//! The audit trail: every insertion, mount, verification, refusal, write and removal, with the
//! device's identity and the SHA-256 of every file read or written.
//!
//! The caller provides the sink ([`AuditSink`]); [`JsonLinesAudit`] appends one JSON object per
//! line to a file and syncs it, [`MemoryAudit`] keeps events in memory (tests, demo).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

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
            detail: detail.into(),
        }
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

/// Append-only JSON-lines file: one event per line, synced after every line.
#[derive(Debug)]
pub struct JsonLinesAudit {
    path: PathBuf,
    file: File,
}

impl JsonLinesAudit {
    /// Opens (creating if needed) `path` for appending.
    pub fn open(path: &Path) -> Result<Self, AuditError> {
        let file = OpenOptions::new()
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
        })
    }
}

impl AuditSink for JsonLinesAudit {
    fn record(&mut self, event: AuditEvent) -> Result<(), AuditError> {
        let mut line = serde_json::to_vec(&event)?;
        line.push(b'\n');
        let io = |source| AuditError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&line).map_err(io)?;
        self.file.sync_data().map_err(|source| AuditError::Io {
            path: self.path.clone(),
            source,
        })
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
}
