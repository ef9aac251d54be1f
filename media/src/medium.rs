//! One interface for real sticks and demo folders: a [`Medium`] can be opened for import
//! (mounted read-only, for a stick) and written to by a verified export.
//!
//! [`UsbStick`] is a usable USB volume ([`crate::detect::Verdict::Usable`]) mounted in a private
//! directory below the caller's runtime dir. [`FolderMedium`] is a plain folder standing in for a
//! stick (`--media-dir`: each subfolder is one stick); it goes through the same reader, the same
//! refusals, the same export steps (minus mounting) and the same audit events.

use std::path::{Path, PathBuf};

use crate::audit::{AuditEvent, AuditKind, AuditSink};
use crate::detect::{Classification, DeviceIdentity, Verdict, Volume};
use crate::error::MediaError;
use crate::export::{
    ExportFailure, ExportReport, ExportRequest, ExportStep, StepHook, StickState, Written,
    check_phase, check_request, undo_write, write_phase,
};
use crate::fsprobe::MediaFilesystems;
use crate::mount::{Mount, MountMode};
use crate::reader::{FileDigest, MediumReader, ReadLimits};
use crate::verify::{FolderView, MediumVerifier};

/// An open medium for import: the reader and, for a stick, its read-only mount. Dropping it
/// detaches the mount lazily; [`ImportSession::close`] unmounts and audits what was read.
#[derive(Debug)]
pub struct ImportSession {
    reader: MediumReader,
    mount: Option<Mount>,
    identity: DeviceIdentity,
    /// The mounted volume's device node (a stick; `None` for a demo folder).
    device: Option<PathBuf>,
}

impl ImportSession {
    /// The reader over the medium's root.
    pub fn reader(&self) -> &MediumReader {
        &self.reader
    }

    /// The top-level folders of the medium (candidates for signed media), sorted.
    pub fn folders(&self) -> Result<Vec<String>, MediaError> {
        Ok(self
            .reader
            .list_dir("")?
            .into_iter()
            .filter(|e| e.kind == crate::reader::EntryKind::Directory)
            .map(|e| e.name)
            .collect())
    }

    /// Runs `verifier` over `folder` and audits the outcome (with the hashes of the files read).
    /// The error is the verifier's reason; reading errors (a link, a device file, a file over
    /// the cap) reach the verifier through [`FolderView`] and come back in it, except a failing
    /// or pulled stick, which is reported as the I/O error it is.
    pub fn verify(
        &self,
        folder: &str,
        verifier: &dyn MediumVerifier,
        audit: &mut dyn AuditSink,
    ) -> Result<String, MediaError> {
        self.verify_with(folder, |view| verifier.verify(view), |s| s.clone(), audit)
    }

    /// Like [`ImportSession::verify`] for a verifier that returns more than a summary (the
    /// signing crate's `verify_medium` returns the verified bytes): `f` runs over the folder,
    /// `summary` gives the line for the audit log.
    pub fn verify_with<T, E: std::fmt::Display>(
        &self,
        folder: &str,
        f: impl FnOnce(&FolderView<'_>) -> Result<T, E>,
        summary: impl FnOnce(&T) -> String,
        audit: &mut dyn AuditSink,
    ) -> Result<T, MediaError> {
        let view = FolderView::new(&self.reader, folder)?;
        let before = self.reader.digests().len();
        let refused_before = self.reader.refusals().len();
        let outcome = f(&view);
        for r in self.reader.refusals().iter().skip(refused_before) {
            audit.record(AuditEvent::new(
                AuditKind::Refused,
                Some(&self.identity),
                r.clone(),
            ))?;
        }
        for d in self.reader.digests().iter().skip(before) {
            audit.record(
                AuditEvent::new(AuditKind::Read, Some(&self.identity), "").with_file(
                    d.path.clone(),
                    d.bytes,
                    d.sha256.clone(),
                ),
            )?;
        }
        match outcome {
            Ok(value) => {
                audit.record(AuditEvent::new(
                    AuditKind::Verified,
                    Some(&self.identity),
                    format!("{folder}: {}", summary(&value)),
                ))?;
                Ok(value)
            }
            Err(reason) => {
                let reason = reason.to_string();
                audit.record(AuditEvent::new(
                    AuditKind::VerifyFailed,
                    Some(&self.identity),
                    format!("{folder}: {reason}"),
                ))?;
                // A stick that failed under the verifier is reported as such. vfat answers a
                // lookup on a vanished device with ENOENT ("Directory bread failed"), which
                // reaches the verifier as a missing file: before blaming the medium, ask
                // whether the device is still there.
                if let Some(e) = self.reader.removal_error() {
                    return Err(e);
                }
                if let Some(device) = &self.device
                    && let Some(gone) = device_gone(device)
                {
                    audit.record(AuditEvent::new(
                        AuditKind::Removed,
                        Some(&self.identity),
                        format!("during verification of {folder}: {gone}"),
                    ))?;
                    return Err(MediaError::Removed {
                        device: device.clone(),
                        why: gone,
                    });
                }
                Err(MediaError::VerifyFailed(reason))
            }
        }
    }

    /// Every file read so far with its hash.
    pub fn digests(&self) -> Vec<FileDigest> {
        self.reader.digests()
    }

    /// Unmounts (for a stick) and audits it. Also call this after a failed verification.
    pub fn close(self, audit: &mut dyn AuditSink) -> Result<(), MediaError> {
        let ImportSession {
            reader,
            mount,
            identity,
            device: _,
        } = self;
        drop(reader);
        if let Some(mount) = mount {
            let target = mount.path().display().to_string();
            let result = mount.unmount();
            audit.record(AuditEvent::new(
                AuditKind::Unmounted,
                Some(&identity),
                match &result {
                    Ok(()) => target,
                    Err(e) => format!("{target}: {e} (lazily detached)"),
                },
            ))?;
            result?;
        }
        Ok(())
    }
}

/// How often, and how far apart, [`device_gone`] asks the device: the kernel takes a moment
/// to drop a vanished stick, so one healthy answer is not yet proof (at most 0.6 s, and only
/// after a verification has already failed).
const DEVICE_CHECKS: u32 = 4;
const DEVICE_CHECK_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

/// Whether the block device `node` has gone (a pulled stick): its node is gone, or opening or
/// reading its first sector bypassing the page cache (`O_DIRECT`, so a cached sector does not
/// answer for a dead device) fails with an error of a vanished device. `Some(what was seen)`
/// when gone.
pub fn device_gone(node: &Path) -> Option<String> {
    for attempt in 0..DEVICE_CHECKS {
        if attempt > 0 {
            std::thread::sleep(DEVICE_CHECK_PAUSE);
        }
        if let Some(why) = device_answer(node) {
            return Some(why);
        }
    }
    None
}

fn device_answer(node: &Path) -> Option<String> {
    use nix::fcntl::{OFlag, open};
    // Unprivileged under the appliance's init: the init reads the device.
    if let Ok(name) = crate::mountd::DeviceName::of_node(node)
        && let Some(answer) = crate::mountd::call(&crate::mountd::Request::Present(name))
    {
        return match answer {
            Ok(crate::mountd::Response::Present(gone)) => gone,
            _ => None,
        };
    }
    use nix::sys::stat::Mode;
    match std::fs::symlink_metadata(node) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(format!("{} is gone", node.display()));
        }
        _ => {}
    }
    let gone = |op: &str, errno: nix::errno::Errno| {
        use nix::errno::Errno::*;
        matches!(errno, ENOENT | ENODEV | ENXIO | EIO | ENOMEDIUM | ESHUTDOWN)
            .then(|| format!("{op} {}: {errno}", node.display()))
    };
    let fd = match open(
        node,
        OFlag::O_RDONLY | OFlag::O_DIRECT | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK,
        Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(e) => return gone("open", e),
    };
    // O_DIRECT needs a buffer aligned to the logical block size: 4096 covers every stick.
    let mut buf = vec![0u8; 8192];
    let offset = buf.as_ptr().align_offset(4096);
    let aligned = buf.get_mut(offset..offset.saturating_add(4096))?;
    match nix::sys::uio::pread(&fd, aligned, 0) {
        Ok(_) => None,
        Err(e) => gone("read", e),
    }
}

/// A stick or a demo folder.
pub trait Medium {
    /// Who it is (for messages and the audit log).
    fn identity(&self) -> &DeviceIdentity;

    /// Opens the medium for reading (a stick: mounted read-only with nosuid, nodev, noexec,
    /// nosymfollow), audited.
    fn open_import(
        &self,
        limits: ReadLimits,
        audit: &mut dyn AuditSink,
    ) -> Result<ImportSession, MediaError>;

    /// Writes `req` as a new folder, reads it back and verifies it; see [`crate::export`].
    fn export(
        &self,
        req: &ExportRequest<'_>,
        verifier: &dyn MediumVerifier,
        hook: &mut dyn StepHook,
        audit: &mut dyn AuditSink,
    ) -> Result<ExportReport, ExportFailure>;
}

/// A usable USB volume.
#[derive(Debug, Clone)]
pub struct UsbStick {
    identity: DeviceIdentity,
    volume: Volume,
    runtime_dir: PathBuf,
    filesystems: MediaFilesystems,
}

impl UsbStick {
    /// The stick of a [`Verdict::Usable`] classification; `runtime_dir` is where private mount
    /// points are made (e.g. `/run/tally`, on a tmpfs, mode 0700). `None` for any other verdict.
    pub fn from_classification(c: &Classification, runtime_dir: &Path) -> Option<UsbStick> {
        match &c.verdict {
            Verdict::Usable(volume) => Some(UsbStick {
                identity: c.identity.clone(),
                volume: volume.clone(),
                runtime_dir: runtime_dir.to_path_buf(),
                filesystems: MediaFilesystems::STRANGERS,
            }),
            _ => None,
        }
    }

    /// A stick from its parts (tests on loop devices; the image's integration). It is mounted
    /// only if its file system is one a stranger's stick may carry
    /// ([`MediaFilesystems::STRANGERS`]).
    pub fn new(identity: DeviceIdentity, volume: Volume, runtime_dir: &Path) -> UsbStick {
        UsbStick {
            identity,
            volume,
            runtime_dir: runtime_dir.to_path_buf(),
            filesystems: MediaFilesystems::STRANGERS,
        }
    }

    /// The same stick under another file-system policy: only the host tests' ext4 policy
    /// (`MediaFilesystems::host_tests_with_ext4`, feature `host-tests-ext4`) differs.
    pub fn allowing(mut self, filesystems: MediaFilesystems) -> UsbStick {
        self.filesystems = filesystems;
        self
    }

    /// The volume that is mounted.
    pub fn volume(&self) -> &Volume {
        &self.volume
    }

    fn mount(&self, mode: MountMode, audit: &mut dyn AuditSink) -> Result<Mount, MediaError> {
        let result = Mount::new(
            &self.volume.devnode,
            self.volume.fs,
            self.filesystems,
            mode,
            &self.runtime_dir,
        );
        let detail = match (&result, mode) {
            (Ok(m), MountMode::ReadOnly) => {
                format!("{} ro,nosuid,nodev,noexec,nosymfollow", m.path().display())
            }
            (Ok(m), MountMode::ReadWrite) => {
                format!("{} rw,nosuid,nodev,noexec,nosymfollow", m.path().display())
            }
            (Err(e), _) => e.to_string(),
        };
        let kind = if result.is_ok() {
            AuditKind::Mounted
        } else {
            AuditKind::Refused
        };
        audit.record(AuditEvent::new(kind, Some(&self.identity), detail))?;
        result
    }

    fn unmount(&self, mount: Mount, audit: &mut dyn AuditSink) -> Result<(), MediaError> {
        let target = mount.path().display().to_string();
        let result = mount.unmount();
        audit.record(AuditEvent::new(
            AuditKind::Unmounted,
            Some(&self.identity),
            match &result {
                Ok(()) => target,
                Err(e) => format!("{target}: {e} (lazily detached)"),
            },
        ))?;
        result
    }

    /// After a failure past the rename: mount read-write again and remove the folder.
    fn roll_back(&self, folder: &str, progress: Written, audit: &mut dyn AuditSink) -> bool {
        // A file system that failed a moment ago may still be held by the kernel through the
        // mount that was just detached; a fresh mount then meets the same failed superblock.
        // A few short, bounded retries let it go; a stick that is really gone fails every time.
        for attempt in 0..ROLL_BACK_ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(ROLL_BACK_PAUSE);
            }
            let Ok(mount) = self.mount(MountMode::ReadWrite, audit) else {
                continue;
            };
            let undone = undo_write(mount.path(), folder, progress);
            let unmounted = self.unmount(mount, audit).is_ok();
            if undone && unmounted {
                return true;
            }
        }
        false
    }

    fn export_inner(
        &self,
        req: &ExportRequest<'_>,
        verifier: &dyn MediumVerifier,
        hook: &mut dyn StepHook,
        audit: &mut dyn AuditSink,
        progress: &mut Written,
    ) -> Result<ExportReport, (ExportStep, MediaError)> {
        check_request(req).map_err(|e| (ExportStep::MountReadWrite, e))?;
        let step = ExportStep::MountReadWrite;
        hook.before(step).map_err(|e| (step, e))?;
        let rw = self
            .mount(MountMode::ReadWrite, audit)
            .map_err(|e| (step, e))?;
        let written = match write_phase(rw.path(), req, hook, progress) {
            Ok(w) => w,
            Err(e) => {
                // Undo while still mounted read-write, then unmount.
                let undone = undo_write(rw.path(), req.folder, *progress);
                if undone {
                    *progress = Written::Nothing;
                }
                let _ = self.unmount(rw, audit);
                return Err(e);
            }
        };
        for w in &written {
            audit
                .record(
                    AuditEvent::new(AuditKind::Written, Some(&self.identity), "fsynced").with_file(
                        w.path.clone(),
                        w.bytes,
                        w.sha256.clone(),
                    ),
                )
                .map_err(|e| (ExportStep::SyncRoot, e.into()))?;
        }
        let step = ExportStep::UnmountReadWrite;
        if let Err(e) = hook.before(step) {
            drop(rw);
            return Err((step, e));
        }
        self.unmount(rw, audit).map_err(|e| (step, e))?;
        let step = ExportStep::MountReadOnly;
        hook.before(step).map_err(|e| (step, e))?;
        let ro = self
            .mount(MountMode::ReadOnly, audit)
            .map_err(|e| (step, e))?;
        let (digests, summary) = check_phase(ro.path(), req, &written, verifier, hook)?;
        let step = ExportStep::UnmountReadOnly;
        if let Err(e) = hook.before(step) {
            drop(ro);
            return Err((step, e));
        }
        self.unmount(ro, audit).map_err(|e| (step, e))?;
        Ok(ExportReport {
            folder: req.folder.to_owned(),
            files: digests,
            verified: summary,
        })
    }
}

fn finish_export(
    identity: &DeviceIdentity,
    result: Result<ExportReport, (ExportStep, MediaError)>,
    stick: StickState,
    audit: &mut dyn AuditSink,
) -> Result<ExportReport, ExportFailure> {
    match result {
        Ok(report) => {
            audit
                .record(AuditEvent::new(
                    AuditKind::ExportDone,
                    Some(identity),
                    format!("{}: {}", report.folder, report.verified),
                ))
                .map_err(|e| ExportFailure {
                    step: ExportStep::UnmountReadOnly,
                    error: e.into(),
                    stick: StickState::Unchanged,
                })?;
            Ok(report)
        }
        Err((step, error)) => {
            let failure = ExportFailure { step, error, stick };
            // The failure is returned even when auditing it fails too.
            let _ = audit.record(AuditEvent::new(
                AuditKind::ExportFailed,
                Some(identity),
                format!("{failure} (stick: {stick:?})"),
            ));
            Err(failure)
        }
    }
}

impl Medium for UsbStick {
    fn identity(&self) -> &DeviceIdentity {
        &self.identity
    }

    fn open_import(
        &self,
        limits: ReadLimits,
        audit: &mut dyn AuditSink,
    ) -> Result<ImportSession, MediaError> {
        let mount = self.mount(MountMode::ReadOnly, audit)?;
        let reader = MediumReader::open(mount.path(), limits)?;
        Ok(ImportSession {
            reader,
            mount: Some(mount),
            identity: self.identity.clone(),
            device: Some(self.volume.devnode.clone()),
        })
    }

    fn export(
        &self,
        req: &ExportRequest<'_>,
        verifier: &dyn MediumVerifier,
        hook: &mut dyn StepHook,
        audit: &mut dyn AuditSink,
    ) -> Result<ExportReport, ExportFailure> {
        let mut progress = Written::Nothing;
        let result = self.export_inner(req, verifier, hook, audit, &mut progress);
        let stick = match (&result, progress) {
            (Ok(_), _) | (Err(_), Written::Nothing) => StickState::Unchanged,
            (Err(_), p) => {
                if self.roll_back(req.folder, p, audit) {
                    StickState::Unchanged
                } else {
                    StickState::MayHoldPartialExport
                }
            }
        };
        finish_export(&self.identity, result, stick, audit)
    }
}

/// How often a failed export's rollback tries to mount the stick again, and the pause between
/// tries: at most about a second in all, so a pulled stick never holds the program up for long.
const ROLL_BACK_ATTEMPTS: u32 = 5;
const ROLL_BACK_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// A plain folder standing in for a stick (demo mode).
#[derive(Debug, Clone)]
pub struct FolderMedium {
    identity: DeviceIdentity,
    path: PathBuf,
}

impl FolderMedium {
    /// The folder `path` as a medium; its identity names the folder.
    pub fn new(path: &Path) -> FolderMedium {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        FolderMedium {
            identity: DeviceIdentity {
                vendor: Some("demo".into()),
                model: name,
                serial: None,
                devnode: path.display().to_string(),
            },
            path: path.to_path_buf(),
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every subfolder of `media_dir` (sorted by name) as a medium: `--media-dir` demo mode.
    /// Links and other non-folders in `media_dir` are skipped.
    pub fn all_in(media_dir: &Path) -> Result<Vec<FolderMedium>, MediaError> {
        let mut out = Vec::new();
        let entries = std::fs::read_dir(media_dir)
            .map_err(|e| MediaError::io("read directory", media_dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| MediaError::io("read directory", media_dir, e))?;
            let kind = entry
                .file_type()
                .map_err(|e| MediaError::io("stat", entry.path(), e))?;
            if kind.is_dir() {
                out.push(FolderMedium::new(&entry.path()));
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}

impl Medium for FolderMedium {
    fn identity(&self) -> &DeviceIdentity {
        &self.identity
    }

    fn open_import(
        &self,
        limits: ReadLimits,
        audit: &mut dyn AuditSink,
    ) -> Result<ImportSession, MediaError> {
        let reader = MediumReader::open(&self.path, limits)?;
        audit.record(AuditEvent::new(
            AuditKind::Mounted,
            Some(&self.identity),
            "demo folder, no mount",
        ))?;
        Ok(ImportSession {
            reader,
            mount: None,
            identity: self.identity.clone(),
            device: None,
        })
    }

    fn export(
        &self,
        req: &ExportRequest<'_>,
        verifier: &dyn MediumVerifier,
        hook: &mut dyn StepHook,
        audit: &mut dyn AuditSink,
    ) -> Result<ExportReport, ExportFailure> {
        let mut progress = Written::Nothing;
        let result = (|| {
            check_request(req).map_err(|e| (ExportStep::CreateTempDir, e))?;
            let written = write_phase(&self.path, req, hook, &mut progress)?;
            for w in &written {
                audit
                    .record(
                        AuditEvent::new(AuditKind::Written, Some(&self.identity), "fsynced")
                            .with_file(w.path.clone(), w.bytes, w.sha256.clone()),
                    )
                    .map_err(|e| (ExportStep::SyncRoot, MediaError::from(e)))?;
            }
            let (files, verified) = check_phase(&self.path, req, &written, verifier, hook)?;
            Ok(ExportReport {
                folder: req.folder.to_owned(),
                files,
                verified,
            })
        })();
        let stick = match (&result, progress) {
            (Ok(_), _) | (Err(_), Written::Nothing) => StickState::Unchanged,
            (Err(_), p) => {
                if undo_write(&self.path, req.folder, p) {
                    StickState::Unchanged
                } else {
                    StickState::MayHoldPartialExport
                }
            }
        };
        finish_export(&self.identity, result, stick, audit)
    }
}
