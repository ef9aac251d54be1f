//! The one error type of this crate: every failure names the operation and the path or device,
//! in English for the logs; the terminal words it for the officials.

use std::path::PathBuf;

use crate::export::ExportStep;

/// Everything that can go wrong between the kernel and the verified bytes of a medium.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// A system call on a file or directory failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done (`"open"`, `"read"`, `"fsync"`, ...).
        op: &'static str,
        /// The file, directory or device it was done on.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Writing the copy of a file read from the medium failed: the destination (the
    /// appliance's data partition), not the stick. Never taken for a removed stick.
    #[error("write the copy of {path}: {source}")]
    WriteCopy {
        /// The file on the medium whose copy was being written.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// `mount(2)` failed.
    #[error("mount {device} on {target} as {fs_type} ({mode}): {source}")]
    Mount {
        /// The block device.
        device: PathBuf,
        /// The private mount point.
        target: PathBuf,
        /// The file system type given to the kernel.
        fs_type: &'static str,
        /// `"read-only"` or `"read-write"`.
        mode: &'static str,
        /// The kernel's error.
        #[source]
        source: std::io::Error,
    },
    /// `umount2(2)` failed, also with `MNT_DETACH`.
    #[error("unmount {target}: {source}")]
    Unmount {
        /// The mount point.
        target: PathBuf,
        /// The kernel's error.
        #[source]
        source: std::io::Error,
    },
    /// The kernel mounted without one of the required options (a kernel older than 5.10 ignores
    /// `MS_NOSYMFOLLOW`); the mount was undone.
    #[error("mount {target} lacks required options: {missing:?}")]
    OptionsNotInForce {
        /// The mount point.
        target: PathBuf,
        /// The options not found in /proc/self/mountinfo.
        missing: Vec<String>,
    },
    /// A symbolic link on the medium: never followed, never read.
    #[error("symbolic link refused: {path}")]
    Symlink {
        /// The link, relative to the medium's root.
        path: String,
    },
    /// A device node, FIFO, socket or other non-regular file where a file was expected.
    #[error("not a regular file ({kind}) refused: {path}")]
    NotRegular {
        /// The entry, relative to the medium's root.
        path: String,
        /// What it is instead.
        kind: &'static str,
    },
    /// A file larger than the cap.
    #[error("file too large: {path} has {size} bytes, the limit is {limit}")]
    TooLarge {
        /// The file, relative to the medium's root.
        path: String,
        /// Its size (or the number of bytes read before the cap was hit).
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// More bytes in total than the cap for one medium.
    #[error("medium too large: reading {path} would bring the total to more than {limit} bytes")]
    TotalTooLarge {
        /// The file whose reading went over the cap.
        path: String,
        /// The cap.
        limit: u64,
    },
    /// A directory with more entries than the cap.
    #[error("too many entries in {path}: the limit is {limit}")]
    TooManyEntries {
        /// The directory, relative to the medium's root.
        path: String,
        /// The cap.
        limit: usize,
    },
    /// A path or file name that this crate does not accept (empty, `..`, a slash, a control
    /// character, too long, not portable to FAT).
    #[error("invalid name {name:?}: {why}")]
    BadName {
        /// The name as given.
        name: String,
        /// Which rule it breaks.
        why: &'static str,
    },
    /// The export folder already exists on the medium; an export never overwrites.
    #[error("export folder {name} already exists on the medium")]
    ExportExists {
        /// The folder name.
        name: String,
    },
    /// The bytes read back after the export differ from the bytes written.
    #[error(
        "read-back of {file} differs from what was written (sha256 {written} written, {read} read)"
    )]
    ReadBackMismatch {
        /// The file name.
        file: String,
        /// SHA-256 of the bytes written, hex.
        written: String,
        /// SHA-256 of the bytes read back, hex.
        read: String,
    },
    /// The caller's verifier rejected the exported medium.
    #[error("verification of the exported medium failed: {0}")]
    VerifyFailed(String),
    /// A fault injected by a test at a step of the export.
    #[error("fault injected at export step {0:?}")]
    Injected(ExportStep),
    /// The stick went away while it was being read (its device node is gone, or the device
    /// no longer answers), whatever the reading itself reported (vfat answers lookups on a
    /// vanished device with ENOENT).
    #[error("the stick {device} was removed while it was being read ({why})")]
    Removed {
        /// The volume's device node.
        device: PathBuf,
        /// What showed it (the node gone, or the error of opening or reading it).
        why: String,
    },
    /// The device is not usable (see [`crate::detect::Verdict`]).
    #[error("device {device} is not usable: {reason}")]
    NotUsable {
        /// The device node.
        device: PathBuf,
        /// Why (the verdict, in English).
        reason: String,
    },
    /// The audit log could not be written; nothing continues without an audit trail.
    #[error("audit log: {0}")]
    Audit(#[from] crate::audit::AuditError),
    /// Following the devices failed (the kernel's uevent socket could not be opened or read).
    #[error("devices {op}: {source}")]
    Devices {
        /// What was being done.
        op: &'static str,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

impl MediaError {
    /// Builds an [`MediaError::Io`] from a nix error.
    pub(crate) fn sys(
        op: &'static str,
        path: impl Into<PathBuf>,
        errno: nix::errno::Errno,
    ) -> Self {
        MediaError::Io {
            op,
            path: path.into(),
            source: std::io::Error::from(errno),
        }
    }

    /// Builds an [`MediaError::Io`] from a std error.
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        MediaError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// True when the error looks like a stick that was pulled out or failed: EIO, ENODEV, ENXIO,
    /// ENOMEDIUM, ESHUTDOWN (what the kernel returns for a vanished USB device).
    pub fn looks_removed(&self) -> bool {
        let os = match self {
            MediaError::Removed { .. } => return true,
            MediaError::Io { source, .. }
            | MediaError::Mount { source, .. }
            | MediaError::Unmount { source, .. } => source.raw_os_error(),
            _ => None,
        };
        matches!(
            os,
            Some(nix::libc::EIO)
                | Some(nix::libc::ENODEV)
                | Some(nix::libc::ENXIO)
                | Some(nix::libc::ENOMEDIUM)
                | Some(nix::libc::ESHUTDOWN)
        )
    }
}
