//! Writing a signed medium to a stick so that success means "verified on the stick".
//!
//! The steps (each one announced to a [`StepHook`] first, so tests can inject a failure at any of
//! them): mount read-write -> create a temporary folder -> per file: write, fsync -> fsync the
//! temporary folder -> rename it to its final name (`RENAME_NOREPLACE`: an export never
//! overwrites) -> fsync the root -> unmount -> mount read-only -> read every file back and
//! compare hashes -> run the caller's verifier over what was read back -> unmount. Only then is
//! the export reported as done.
//!
//! On failure the caller's bytes are untouched (they are only borrowed) and the stick is put back
//! as it was when possible: the temporary folder is removed, and a folder already renamed is
//! removed again (remounting read-write if needed). [`ExportFailure::stick`] says what is left.

use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use nix::fcntl::{AtFlags, OFlag, openat};
use nix::sys::stat::{Mode, fstatat};

use crate::error::MediaError;
use crate::reader::{FileDigest, MediumReader, ReadLimits, check_component, sha256_hex};
use crate::verify::{FolderView, MediumVerifier};

/// One step of an export, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportStep {
    /// Mount the stick read-write (not for demo folders).
    MountReadWrite,
    /// Create the temporary folder.
    CreateTempDir,
    /// Write one file's bytes (announced once per file).
    WriteFile,
    /// fsync one file (announced once per file).
    SyncFile,
    /// fsync the temporary folder.
    SyncTempDir,
    /// Rename the temporary folder to its final name.
    Rename,
    /// fsync the root folder (makes the rename durable).
    SyncRoot,
    /// Unmount the read-write mount (not for demo folders).
    UnmountReadWrite,
    /// Mount read-only again (not for demo folders).
    MountReadOnly,
    /// Read every file back and compare hashes.
    ReadBack,
    /// Run the caller's verifier over the files read back.
    Verify,
    /// Unmount the read-only mount (not for demo folders).
    UnmountReadOnly,
}

impl ExportStep {
    /// Every step, in order (tests iterate over it).
    pub const ALL: [ExportStep; 12] = [
        ExportStep::MountReadWrite,
        ExportStep::CreateTempDir,
        ExportStep::WriteFile,
        ExportStep::SyncFile,
        ExportStep::SyncTempDir,
        ExportStep::Rename,
        ExportStep::SyncRoot,
        ExportStep::UnmountReadWrite,
        ExportStep::MountReadOnly,
        ExportStep::ReadBack,
        ExportStep::Verify,
        ExportStep::UnmountReadOnly,
    ];
}

/// Called before every step; an error stops the export there (fault injection in tests; a
/// progress display in the program).
pub trait StepHook {
    /// About to run `step`.
    fn before(&mut self, step: ExportStep) -> Result<(), MediaError>;
}

/// The hook of a normal run: never fails.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoFaults;

impl StepHook for NoFaults {
    fn before(&mut self, _step: ExportStep) -> Result<(), MediaError> {
        Ok(())
    }
}

/// Fails the first time `step` is announced, with [`MediaError::Injected`]; records every step
/// it saw.
#[derive(Debug, Clone)]
pub struct FailAt {
    /// The step to fail.
    pub step: ExportStep,
    /// The steps announced so far, in order.
    pub seen: Vec<ExportStep>,
}

impl FailAt {
    /// Fails at `step`.
    pub fn new(step: ExportStep) -> Self {
        FailAt {
            step,
            seen: Vec::new(),
        }
    }
}

impl StepHook for FailAt {
    fn before(&mut self, step: ExportStep) -> Result<(), MediaError> {
        self.seen.push(step);
        if step == self.step {
            Err(MediaError::Injected(step))
        } else {
            Ok(())
        }
    }
}

/// One file to export: a plain name and the caller's bytes (borrowed, never changed).
#[derive(Debug, Clone, Copy)]
pub struct ExportFile<'a> {
    /// File name inside the export folder.
    pub name: &'a str,
    /// Its content.
    pub bytes: &'a [u8],
}

/// What to export: a folder of files (a signed medium as the signing crate lays it out).
#[derive(Debug, Clone)]
pub struct ExportRequest<'a> {
    /// The folder's name at the medium's root; must not exist yet.
    pub folder: &'a str,
    /// The files.
    pub files: Vec<ExportFile<'a>>,
}

/// A completed, verified export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// The folder written.
    pub folder: String,
    /// Every file as read back from the medium (hashes equal to those written).
    pub files: Vec<FileDigest>,
    /// What the verifier said.
    pub verified: String,
}

/// What is on the stick after a failed export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StickState {
    /// As before: nothing of this export is on it (or it was removed again).
    Unchanged,
    /// The export folder (or its temporary folder) may still be on it: removing it failed,
    /// typically because the stick was pulled out. Its content is not verified.
    MayHoldPartialExport,
}

/// A failed export: the error, the step, what the stick holds. The appliance's data is untouched.
#[derive(Debug, thiserror::Error)]
#[error("export failed at {step:?}: {error}")]
pub struct ExportFailure {
    /// The step that failed.
    pub step: ExportStep,
    /// Why.
    #[source]
    pub error: MediaError,
    /// What the stick holds now.
    pub stick: StickState,
}

/// The temporary folder name for `folder`.
pub fn temp_name(folder: &str) -> String {
    format!(".{folder}.tmp")
}

/// Checks a file or folder name for export: also portable to FAT (letters, digits, `.`, `-`,
/// `_`, no leading dot, at most 200 bytes).
pub fn check_export_name(name: &str) -> Result<(), MediaError> {
    check_component(name)?;
    let bad = |why| {
        Err(MediaError::BadName {
            name: name.to_owned(),
            why,
        })
    };
    if name.starts_with('.') {
        return bad("starts with a dot");
    }
    if name.len() > 200 {
        return bad("longer than 200 bytes");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return bad("only letters, digits, '.', '-' and '_' are portable to FAT");
    }
    Ok(())
}

fn open_dir(path: &Path) -> Result<OwnedFd, MediaError> {
    nix::fcntl::open(
        path,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| MediaError::sys("open directory", path, e))
}

fn exists_at(dir: &OwnedFd, name: &str, shown: &Path) -> Result<bool, MediaError> {
    match fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW) {
        Ok(_) => Ok(true),
        Err(nix::errno::Errno::ENOENT) => Ok(false),
        Err(e) => Err(MediaError::sys("stat", shown, e)),
    }
}

/// Where the write phase got to, for the cleanup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    /// Nothing created.
    Nothing,
    /// The temporary folder exists.
    Temp,
    /// The final folder exists.
    Final,
}

/// The write phase on a writable root folder: temp folder, files, fsyncs, rename, fsync.
/// `progress` tells the caller how far it got, also on error.
pub(crate) fn write_phase(
    root: &Path,
    req: &ExportRequest<'_>,
    hook: &mut dyn StepHook,
    progress: &mut Written,
) -> Result<Vec<FileDigest>, (ExportStep, MediaError)> {
    let root_fd = open_dir(root).map_err(|e| (ExportStep::CreateTempDir, e))?;
    let temp = temp_name(req.folder);
    let final_path = root.join(req.folder);
    let temp_path = root.join(&temp);
    let step = ExportStep::CreateTempDir;
    hook.before(step).map_err(|e| (step, e))?;
    if exists_at(&root_fd, req.folder, &final_path).map_err(|e| (step, e))? {
        return Err((
            step,
            MediaError::ExportExists {
                name: req.folder.to_owned(),
            },
        ));
    }
    if exists_at(&root_fd, &temp, &temp_path).map_err(|e| (step, e))? {
        // A leftover of an earlier failed export of the same folder: ours by name.
        std::fs::remove_dir_all(&temp_path)
            .map_err(|e| (step, MediaError::io("remove", &temp_path, e)))?;
    }
    nix::sys::stat::mkdirat(root_fd.as_fd(), temp.as_str(), Mode::S_IRWXU)
        .map_err(|e| (step, MediaError::sys("mkdir", &temp_path, e)))?;
    *progress = Written::Temp;
    let temp_fd = openat(
        root_fd.as_fd(),
        temp.as_str(),
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| (step, MediaError::sys("open directory", &temp_path, e)))?;
    let mut digests = Vec::with_capacity(req.files.len());
    for file in &req.files {
        let path = temp_path.join(file.name);
        let step = ExportStep::WriteFile;
        hook.before(step).map_err(|e| (step, e))?;
        let fd = openat(
            temp_fd.as_fd(),
            file.name,
            OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::S_IRUSR | Mode::S_IWUSR,
        )
        .map_err(|e| (step, MediaError::sys("create", &path, e)))?;
        let mut out = std::fs::File::from(fd);
        out.write_all(file.bytes)
            .map_err(|e| (step, MediaError::io("write", &path, e)))?;
        let step = ExportStep::SyncFile;
        hook.before(step).map_err(|e| (step, e))?;
        out.sync_all()
            .map_err(|e| (step, MediaError::io("fsync", &path, e)))?;
        digests.push(FileDigest {
            path: format!("{}/{}", req.folder, file.name),
            bytes: u64::try_from(file.bytes.len()).unwrap_or(u64::MAX),
            sha256: sha256_hex(file.bytes),
        });
    }
    let step = ExportStep::SyncTempDir;
    hook.before(step).map_err(|e| (step, e))?;
    nix::unistd::fsync(temp_fd.as_fd())
        .map_err(|e| (step, MediaError::sys("fsync", &temp_path, e)))?;
    drop(temp_fd);
    let step = ExportStep::Rename;
    hook.before(step).map_err(|e| (step, e))?;
    // rustix's renameat2 (a raw system call): nix has it only for glibc, and the init, which
    // links this crate for the mount service (mountd), is built for musl.
    rustix::fs::renameat_with(
        root_fd.as_fd(),
        temp.as_str(),
        root_fd.as_fd(),
        req.folder,
        rustix::fs::RenameFlags::NOREPLACE,
    )
    .map_err(|e| match e {
        rustix::io::Errno::EXIST | rustix::io::Errno::NOTEMPTY => (
            step,
            MediaError::ExportExists {
                name: req.folder.to_owned(),
            },
        ),
        e => (
            step,
            MediaError::sys(
                "rename",
                &final_path,
                nix::errno::Errno::from_raw(e.raw_os_error()),
            ),
        ),
    })?;
    *progress = Written::Final;
    let step = ExportStep::SyncRoot;
    hook.before(step).map_err(|e| (step, e))?;
    nix::unistd::fsync(root_fd.as_fd()).map_err(|e| (step, MediaError::sys("fsync", root, e)))?;
    Ok(digests)
}

/// Removes what the write phase left (best effort) and syncs; true when the root is as before.
pub(crate) fn undo_write(root: &Path, folder: &str, progress: Written) -> bool {
    // After a rename that was not yet durable (the root not fsynced when the stick failed), the
    // temporary name can be back after a remount: remove whichever of the two exists.
    let targets = match progress {
        Written::Nothing => return true,
        Written::Temp => vec![root.join(temp_name(folder))],
        Written::Final => vec![root.join(folder), root.join(temp_name(folder))],
    };
    let mut removed = true;
    for target in targets {
        // remove_dir_all never follows symbolic links.
        if let Err(e) = std::fs::remove_dir_all(&target) {
            removed &= e.kind() == std::io::ErrorKind::NotFound;
        }
    }
    let synced = open_dir(root)
        .and_then(|fd| {
            nix::unistd::fsync(fd.as_fd()).map_err(|e| MediaError::sys("fsync", root, e))
        })
        .is_ok();
    removed && synced
}

/// The check phase on a readable root: every written file read back through a capped
/// [`MediumReader`] with equal hashes, no other entry in the folder, then the verifier.
pub(crate) fn check_phase(
    root: &Path,
    req: &ExportRequest<'_>,
    written: &[FileDigest],
    verifier: &dyn MediumVerifier,
    hook: &mut dyn StepHook,
) -> Result<(Vec<FileDigest>, String), (ExportStep, MediaError)> {
    let step = ExportStep::ReadBack;
    hook.before(step).map_err(|e| (step, e))?;
    let largest = req
        .files
        .iter()
        .map(|f| u64::try_from(f.bytes.len()).unwrap_or(u64::MAX))
        .max()
        .unwrap_or(0);
    let total = req
        .files
        .iter()
        .map(|f| u64::try_from(f.bytes.len()).unwrap_or(u64::MAX))
        .fold(0u64, u64::saturating_add);
    let limits = ReadLimits {
        max_file_bytes: largest.max(ReadLimits::default().max_file_bytes),
        max_total_bytes: total
            .saturating_mul(2)
            .max(ReadLimits::default().max_total_bytes),
        max_entries: req.files.len().saturating_add(16),
    };
    let reader = MediumReader::open(root, limits).map_err(|e| (step, e))?;
    let listed = reader.list_dir(req.folder).map_err(|e| (step, e))?;
    for entry in &listed {
        if !req.files.iter().any(|f| f.name == entry.name) {
            return Err((
                step,
                MediaError::VerifyFailed(format!(
                    "unexpected entry {} in {}",
                    entry.name, req.folder
                )),
            ));
        }
    }
    for w in written {
        let bytes = reader.read_file(&w.path).map_err(|e| (step, e))?;
        let got = sha256_hex(&bytes);
        if got != w.sha256 {
            return Err((
                step,
                MediaError::ReadBackMismatch {
                    file: w.path.clone(),
                    written: w.sha256.clone(),
                    read: got,
                },
            ));
        }
    }
    let read_back = reader.digests();
    let step = ExportStep::Verify;
    hook.before(step).map_err(|e| (step, e))?;
    let view = FolderView::new(&reader, req.folder).map_err(|e| (step, e))?;
    // A verifier that failed because the stick failed under it: report the I/O error.
    let summary = verifier.verify(&view).map_err(|e| {
        (
            step,
            reader
                .removal_error()
                .unwrap_or(MediaError::VerifyFailed(e)),
        )
    })?;
    Ok((read_back, summary))
}

/// Checks the request's names before anything is touched.
pub(crate) fn check_request(req: &ExportRequest<'_>) -> Result<(), MediaError> {
    check_export_name(req.folder)?;
    for (i, f) in req.files.iter().enumerate() {
        check_export_name(f.name)?;
        if req.files.iter().take(i).any(|g| g.name == f.name) {
            return Err(MediaError::BadName {
                name: f.name.to_owned(),
                why: "appears twice in the export",
            });
        }
    }
    Ok(())
}
