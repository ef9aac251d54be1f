//! Reading a medium without trusting it: every path component opened relative to the medium's
//! root with `O_NOFOLLOW`, the type checked with `fstatat`/`fstat` before and after opening,
//! sizes capped before and while reading, every file read hashed for the audit log.
//!
//! The same reader serves a mounted stick and a demo folder, so the demo exercises the same
//! refusals (a symlink or a FIFO in a demo folder is refused just as on a stick).

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::fcntl::{AtFlags, OFlag, openat};
use nix::sys::stat::{FileStat, Mode, SFlag, fstat, fstatat};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::MediaError;

/// Caps on what is read from one medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest single file, in bytes.
    pub max_file_bytes: u64,
    /// Largest total over all files read through one reader, in bytes.
    pub max_total_bytes: u64,
    /// Most entries listed in one directory.
    pub max_entries: usize,
}

impl Default for ReadLimits {
    /// 256 MiB per file, 512 MiB in total, 10 000 entries per directory: the largest EML
    /// file of a Dutch election, a Tweede Kamer 510b of Amsterdam, is 60 to 120 MB (the
    /// signing crate's verifier caps a medium at 256 MiB per file and 320 MiB in all).
    fn default() -> Self {
        ReadLimits {
            max_file_bytes: 256 * 1024 * 1024,
            max_total_bytes: 512 * 1024 * 1024,
            max_entries: 10_000,
        }
    }
}

/// What kind of entry a directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
    /// A symbolic link (never followed).
    Symlink,
    /// A character or block device node.
    Device,
    /// A FIFO or socket.
    Special,
}

impl EntryKind {
    fn of(stat: &FileStat) -> EntryKind {
        let fmt = SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT;
        if fmt == SFlag::S_IFREG {
            EntryKind::File
        } else if fmt == SFlag::S_IFDIR {
            EntryKind::Directory
        } else if fmt == SFlag::S_IFLNK {
            EntryKind::Symlink
        } else if fmt == SFlag::S_IFCHR || fmt == SFlag::S_IFBLK {
            EntryKind::Device
        } else {
            EntryKind::Special
        }
    }

    fn label(self) -> &'static str {
        match self {
            EntryKind::File => "file",
            EntryKind::Directory => "directory",
            EntryKind::Symlink => "symbolic link",
            EntryKind::Device => "device node",
            EntryKind::Special => "fifo or socket",
        }
    }
}

/// One entry of a listed directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirEntryInfo {
    /// The name (entries whose names are not valid UTF-8 make the listing fail).
    pub name: String,
    /// What it is, without following links.
    pub kind: EntryKind,
    /// Its size in bytes as the file system reports it.
    pub size: u64,
}

/// A file read from a medium: its path, size and SHA-256 (for the audit log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDigest {
    /// Path relative to the medium's root.
    pub path: String,
    /// Number of bytes read.
    pub bytes: u64,
    /// SHA-256 of those bytes, hex.
    pub sha256: String,
}

/// SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks one path component: non-empty, not `.`/`..`, no slash, no NUL or control character,
/// at most 255 bytes.
pub fn check_component(name: &str) -> Result<(), MediaError> {
    let bad = |why| {
        Err(MediaError::BadName {
            name: name.to_owned(),
            why,
        })
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name == "." || name == ".." {
        return bad("dot or dot-dot");
    }
    if name.contains('/') {
        return bad("contains a slash");
    }
    if name.chars().any(char::is_control) {
        return bad("contains a control character");
    }
    if name.len() > 255 {
        return bad("longer than 255 bytes");
    }
    Ok(())
}

/// Splits a relative path (`"folder/file.xml"`) into checked components.
fn components(rel: &str) -> Result<Vec<&str>, MediaError> {
    if rel.starts_with('/') {
        return Err(MediaError::BadName {
            name: rel.to_owned(),
            why: "absolute path",
        });
    }
    let parts: Vec<&str> = rel.split('/').collect();
    for p in &parts {
        check_component(p)?;
    }
    Ok(parts)
}

/// A read-only view of a medium's files, rooted at a directory (a private mount point or a demo
/// folder). Reads never follow symbolic links, never open device files, FIFOs or sockets, and
/// stop at the caps. Every file read is hashed; [`MediumReader::digests`] gives the list.
#[derive(Debug)]
pub struct MediumReader {
    root: OwnedFd,
    root_path: PathBuf,
    limits: ReadLimits,
    total: Cell<u64>,
    digests: RefCell<Vec<FileDigest>>,
    removal: RefCell<Option<(PathBuf, i32)>>,
    refusals: RefCell<Vec<String>>,
}

fn dir_flags() -> OFlag {
    OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC
}

impl MediumReader {
    /// Opens `root` (which must be a directory, not a link to one).
    pub fn open(root: &Path, limits: ReadLimits) -> Result<Self, MediaError> {
        let fd = nix::fcntl::open(root, dir_flags(), Mode::empty())
            .map_err(|e| MediaError::sys("open directory", root, e))?;
        Ok(MediumReader {
            root: fd,
            root_path: root.to_path_buf(),
            limits,
            total: Cell::new(0),
            digests: RefCell::new(Vec::new()),
            removal: RefCell::new(None),
            refusals: RefCell::new(Vec::new()),
        })
    }

    /// The directory this reader is rooted at.
    pub fn root_path(&self) -> &Path {
        &self.root_path
    }

    /// The caps in force.
    pub fn limits(&self) -> ReadLimits {
        self.limits
    }

    /// The first error that looked like a pulled or failing stick (EIO, ENODEV, ...), as an
    /// error to report instead of whatever a verifier made of it.
    pub fn removal_error(&self) -> Option<MediaError> {
        self.removal
            .borrow()
            .as_ref()
            .map(|(path, errno)| MediaError::Io {
                op: "read",
                path: path.clone(),
                source: std::io::Error::from_raw_os_error(*errno),
            })
    }

    /// Every refusal so far (a link, a device file, a file over a cap, a bad name), as the
    /// error's text, in order: for the audit log.
    pub fn refusals(&self) -> Vec<String> {
        self.refusals.borrow().clone()
    }

    fn note<T>(&self, result: Result<T, MediaError>) -> Result<T, MediaError> {
        if let Err(
            e @ (MediaError::Symlink { .. }
            | MediaError::NotRegular { .. }
            | MediaError::TooLarge { .. }
            | MediaError::TotalTooLarge { .. }
            | MediaError::TooManyEntries { .. }
            | MediaError::BadName { .. }),
        ) = &result
        {
            self.refusals.borrow_mut().push(e.to_string());
        }
        if let Err(e @ MediaError::Io { path, source, .. }) = &result
            && e.looks_removed()
            && self.removal.borrow().is_none()
        {
            *self.removal.borrow_mut() = Some((path.clone(), source.raw_os_error().unwrap_or(0)));
        }
        result
    }

    /// Every file read so far, in order.
    pub fn digests(&self) -> Vec<FileDigest> {
        self.digests.borrow().clone()
    }

    fn refuse_kind(path: &str, kind: EntryKind) -> MediaError {
        match kind {
            EntryKind::Symlink => MediaError::Symlink {
                path: path.to_owned(),
            },
            other => MediaError::NotRegular {
                path: path.to_owned(),
                kind: other.label(),
            },
        }
    }

    /// Opens the directory at `parts` below the root, refusing links on the way.
    fn open_dir(&self, parts: &[&str], shown: &str) -> Result<OwnedFd, MediaError> {
        let mut current: Option<OwnedFd> = None;
        for (i, part) in parts.iter().enumerate() {
            let parent = match &current {
                Some(fd) => fd.as_fd(),
                None => self.root.as_fd(),
            };
            let so_far = parts.get(..=i).map(|p| p.join("/")).unwrap_or_default();
            let st = fstatat(parent, *part, AtFlags::AT_SYMLINK_NOFOLLOW)
                .map_err(|e| MediaError::sys("stat", self.root_path.join(&so_far), e))?;
            let kind = EntryKind::of(&st);
            if kind != EntryKind::Directory {
                return Err(Self::refuse_kind(&so_far, kind));
            }
            let fd = openat(parent, *part, dir_flags(), Mode::empty()).map_err(|e| {
                if e == nix::errno::Errno::ELOOP {
                    MediaError::Symlink {
                        path: so_far.clone(),
                    }
                } else {
                    MediaError::sys("open directory", self.root_path.join(shown), e)
                }
            })?;
            current = Some(fd);
        }
        match current {
            Some(fd) => Ok(fd),
            None => self
                .root
                .try_clone()
                .map_err(|e| MediaError::io("dup", &self.root_path, e)),
        }
    }

    /// Lists a directory (`""` for the root), sorted by name. Links are reported, not followed.
    pub fn list_dir(&self, rel: &str) -> Result<Vec<DirEntryInfo>, MediaError> {
        self.note(self.list_dir_inner(rel))
    }

    fn list_dir_inner(&self, rel: &str) -> Result<Vec<DirEntryInfo>, MediaError> {
        let parts = if rel.is_empty() {
            Vec::new()
        } else {
            components(rel)?
        };
        let fd = self.open_dir(&parts, rel)?;
        let mut dir = nix::dir::Dir::from_fd(fd)
            .map_err(|e| MediaError::sys("read directory", self.root_path.join(rel), e))?;
        let mut names = Vec::new();
        for entry in dir.iter() {
            let entry = entry
                .map_err(|e| MediaError::sys("read directory", self.root_path.join(rel), e))?;
            let bytes = entry.file_name().to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            let name = std::str::from_utf8(bytes).map_err(|_| MediaError::BadName {
                name: String::from_utf8_lossy(bytes).into_owned(),
                why: "not valid UTF-8",
            })?;
            names.push(name.to_owned());
            if names.len() > self.limits.max_entries {
                return Err(MediaError::TooManyEntries {
                    path: rel.to_owned(),
                    limit: self.limits.max_entries,
                });
            }
        }
        names.sort();
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let st = fstatat(dir.as_fd(), name.as_str(), AtFlags::AT_SYMLINK_NOFOLLOW)
                .map_err(|e| MediaError::sys("stat", self.root_path.join(rel).join(&name), e))?;
            out.push(DirEntryInfo {
                kind: EntryKind::of(&st),
                size: u64::try_from(st.st_size).unwrap_or(0),
                name,
            });
        }
        Ok(out)
    }

    /// Reads one regular file (`"folder/file.xml"`) into memory, at most
    /// [`ReadLimits::max_file_bytes`]; refuses links, device nodes, FIFOs, sockets and files over
    /// the cap (also when a file grows while being read). Records the file's SHA-256.
    pub fn read_file(&self, rel: &str) -> Result<Vec<u8>, MediaError> {
        self.read_file_capped(rel, self.limits.max_file_bytes)
    }

    /// Like [`MediumReader::read_file`] with a smaller cap for this file (e.g. the verifier's
    /// cap for a manifest); the reader's own cap still applies.
    pub fn read_file_capped(&self, rel: &str, cap: u64) -> Result<Vec<u8>, MediaError> {
        self.note(self.read_file_inner(rel, cap))
    }

    /// Copies one regular file to `out` as [`MediumReader::read_file_capped`] reads it (the
    /// same refusals and caps, its SHA-256 recorded), in pieces of 256 KiB, each hashed and
    /// written as it passes: the file is never held in memory. Returns its length and
    /// SHA-256. A failed write is [`MediaError::WriteCopy`] (the destination's failure, not
    /// the stick's).
    pub fn copy_file_capped(
        &self,
        rel: &str,
        cap: u64,
        out: &mut dyn std::io::Write,
    ) -> Result<(u64, [u8; 32]), MediaError> {
        self.note(self.copy_file_inner(rel, cap, out))
    }

    fn copy_file_inner(
        &self,
        rel: &str,
        cap: u64,
        out: &mut dyn std::io::Write,
    ) -> Result<(u64, [u8; 32]), MediaError> {
        let (file, full, cap) = self.open_file(rel, cap)?;
        let mut hasher = Sha256::new();
        let mut piece = vec![0u8; 256 * 1024];
        let mut capped = file.take(cap.saturating_add(1));
        let mut read: u64 = 0;
        loop {
            let n = match capped.read(&mut piece) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(MediaError::io("read", &full, e)),
            };
            read = read.saturating_add(n as u64);
            if read > cap {
                return Err(MediaError::TooLarge {
                    path: rel.to_owned(),
                    size: read,
                    limit: cap,
                });
            }
            let data = piece.get(..n).unwrap_or_default();
            hasher.update(data);
            out.write_all(data)
                .map_err(|source| MediaError::WriteCopy {
                    path: full.clone(),
                    source,
                })?;
        }
        out.flush().map_err(|source| MediaError::WriteCopy {
            path: full.clone(),
            source,
        })?;
        let digest: [u8; 32] = hasher.finalize().into();
        self.count_read(rel, read, &digest)?;
        Ok((read, digest))
    }

    /// Adds a file read to the total (refused over [`ReadLimits::max_total_bytes`]) and
    /// records its digest.
    fn count_read(&self, rel: &str, read: u64, digest: &[u8; 32]) -> Result<(), MediaError> {
        let total = self.total.get().saturating_add(read);
        if total > self.limits.max_total_bytes {
            return Err(MediaError::TotalTooLarge {
                path: rel.to_owned(),
                limit: self.limits.max_total_bytes,
            });
        }
        self.total.set(total);
        self.digests.borrow_mut().push(FileDigest {
            path: rel.to_owned(),
            bytes: read,
            sha256: hex::encode(digest),
        });
        Ok(())
    }

    fn read_file_inner(&self, rel: &str, cap: u64) -> Result<Vec<u8>, MediaError> {
        let (file, full, cap) = self.open_file(rel, cap)?;
        // Straight into one buffer of the size the file has (no doubling while it grows, no
        // copy), each 256 KiB piece hashed as it arrives: the file is gone through once.
        let size = file
            .metadata()
            .map(|m| m.len())
            .map_err(|e| MediaError::io("stat", &full, e))?
            .min(cap);
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut hasher = Sha256::new();
        let mut capped = file.take(cap.saturating_add(1));
        loop {
            let start = bytes.len();
            let n = (&mut capped)
                .take(256 * 1024)
                .read_to_end(&mut bytes)
                .map_err(|e| MediaError::io("read", &full, e))?;
            if n == 0 {
                break;
            }
            hasher.update(bytes.get(start..).unwrap_or_default());
        }
        let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if read > cap {
            return Err(MediaError::TooLarge {
                path: rel.to_owned(),
                size: read,
                limit: cap,
            });
        }
        self.count_read(rel, read, &hasher.finalize().into())?;
        Ok(bytes)
    }

    /// Opens the regular file `rel` (links refused on the way, its type checked before and
    /// after opening, its size against `cap` and the reader's own cap): the file, its full
    /// path for messages, and the cap in force.
    fn open_file(&self, rel: &str, cap: u64) -> Result<(std::fs::File, PathBuf, u64), MediaError> {
        let cap = cap.min(self.limits.max_file_bytes);
        let parts = components(rel)?;
        let (file_name, dirs) = match parts.split_last() {
            Some(x) => x,
            None => {
                return Err(MediaError::BadName {
                    name: rel.to_owned(),
                    why: "empty",
                });
            }
        };
        let dir = self.open_dir(dirs, rel)?;
        let full = self.root_path.join(rel);
        let st = fstatat(dir.as_fd(), *file_name, AtFlags::AT_SYMLINK_NOFOLLOW)
            .map_err(|e| MediaError::sys("stat", &full, e))?;
        let kind = EntryKind::of(&st);
        if kind != EntryKind::File {
            return Err(Self::refuse_kind(rel, kind));
        }
        let size = u64::try_from(st.st_size).unwrap_or(u64::MAX);
        if size > cap {
            return Err(MediaError::TooLarge {
                path: rel.to_owned(),
                size,
                limit: cap,
            });
        }
        // O_NONBLOCK: should the entry have been swapped for a FIFO since the stat, opening
        // does not block; the fstat below then refuses it.
        let fd = openat(
            dir.as_fd(),
            *file_name,
            OFlag::O_RDONLY
                | OFlag::O_NOFOLLOW
                | OFlag::O_CLOEXEC
                | OFlag::O_NOCTTY
                | OFlag::O_NONBLOCK,
            Mode::empty(),
        )
        .map_err(|e| {
            if e == nix::errno::Errno::ELOOP {
                MediaError::Symlink {
                    path: rel.to_owned(),
                }
            } else {
                MediaError::sys("open", &full, e)
            }
        })?;
        let st = fstat(fd.as_fd()).map_err(|e| MediaError::sys("stat", &full, e))?;
        let kind = EntryKind::of(&st);
        if kind != EntryKind::File {
            return Err(Self::refuse_kind(rel, kind));
        }
        Ok((std::fs::File::from(fd), full, cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn setup() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("export")).unwrap();
        std::fs::write(dir.path().join("export/a.xml"), b"<a/>").unwrap();
        std::fs::write(dir.path().join("export/big.bin"), vec![7u8; 2000]).unwrap();
        symlink("/etc/passwd", dir.path().join("export/link")).unwrap();
        symlink("export", dir.path().join("linkdir")).unwrap();
        nix::unistd::mkfifo(
            &dir.path().join("export/fifo"),
            Mode::S_IRUSR | Mode::S_IWUSR,
        )
        .unwrap();
        dir
    }

    fn limits() -> ReadLimits {
        ReadLimits {
            max_file_bytes: 1000,
            max_total_bytes: 1_000_000,
            max_entries: 100,
        }
    }

    #[test]
    fn reads_a_regular_file_and_records_its_hash() {
        let dir = setup();
        let r = MediumReader::open(dir.path(), limits()).unwrap();
        assert_eq!(r.read_file("export/a.xml").unwrap(), b"<a/>");
        let d = r.digests();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "export/a.xml");
        assert_eq!(d[0].bytes, 4);
        // sha256("<a/>"), computed with sha256sum.
        assert_eq!(
            d[0].sha256,
            "29114363f749a0226b6988dda3ca2492a954117ab6b5f382706c20300dabc079"
        );
    }

    /// The appliance's own disk failing while the copy is written (EIO, as a pulled stick
    /// gives) is the destination's error: never reported as a removed stick.
    #[test]
    fn a_failed_write_of_the_copy_is_not_a_removed_stick() {
        struct Failing;
        impl std::io::Write for Failing {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::from_raw_os_error(nix::libc::EIO))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let dir = setup();
        let r = MediumReader::open(dir.path(), limits()).unwrap();
        let e = r
            .copy_file_capped("export/a.xml", 1000, &mut Failing)
            .unwrap_err();
        assert!(matches!(e, MediaError::WriteCopy { .. }), "{e:?}");
        assert!(!e.looks_removed());
        assert!(r.removal_error().is_none());
        // The same file copied to a working destination: whole, hashed.
        let mut out = Vec::new();
        let (n, _) = r.copy_file_capped("export/a.xml", 1000, &mut out).unwrap();
        assert_eq!((n, out.as_slice()), (4, b"<a/>".as_slice()));
    }

    #[test]
    fn refuses_links_fifos_and_oversized_files() {
        let dir = setup();
        let r = MediumReader::open(dir.path(), limits()).unwrap();
        assert!(matches!(
            r.read_file("export/link"),
            Err(MediaError::Symlink { .. })
        ));
        assert!(matches!(
            r.read_file("linkdir/a.xml"),
            Err(MediaError::Symlink { .. })
        ));
        assert!(matches!(
            r.read_file("export/fifo"),
            Err(MediaError::NotRegular {
                kind: "fifo or socket",
                ..
            })
        ));
        assert!(matches!(
            r.read_file("export/big.bin"),
            Err(MediaError::TooLarge {
                size: 2000,
                limit: 1000,
                ..
            })
        ));
        assert!(matches!(
            r.read_file("../etc/passwd"),
            Err(MediaError::BadName { .. })
        ));
        assert!(matches!(
            r.read_file("/etc/passwd"),
            Err(MediaError::BadName { .. })
        ));
        assert!(r.digests().is_empty());
    }

    #[test]
    fn lists_without_following_links() {
        let dir = setup();
        let r = MediumReader::open(dir.path(), limits()).unwrap();
        let root = r.list_dir("").unwrap();
        let kinds: Vec<(&str, EntryKind)> =
            root.iter().map(|e| (e.name.as_str(), e.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("export", EntryKind::Directory),
                ("linkdir", EntryKind::Symlink)
            ]
        );
        let inner = r.list_dir("export").unwrap();
        let kinds: Vec<(&str, EntryKind)> =
            inner.iter().map(|e| (e.name.as_str(), e.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("a.xml", EntryKind::File),
                ("big.bin", EntryKind::File),
                ("fifo", EntryKind::Special),
                ("link", EntryKind::Symlink)
            ]
        );
        assert!(matches!(
            r.list_dir("linkdir"),
            Err(MediaError::Symlink { .. })
        ));
    }

    #[test]
    fn total_cap_and_entry_cap() {
        let dir = setup();
        let small = ReadLimits {
            max_file_bytes: 1000,
            max_total_bytes: 6,
            max_entries: 3,
        };
        let r = MediumReader::open(dir.path(), small).unwrap();
        assert!(r.read_file("export/a.xml").is_ok());
        assert!(matches!(
            r.read_file("export/a.xml"),
            Err(MediaError::TotalTooLarge { .. })
        ));
        assert!(matches!(
            r.list_dir("export"),
            Err(MediaError::TooManyEntries { limit: 3, .. })
        ));
    }
}
