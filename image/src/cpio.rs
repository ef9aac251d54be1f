//! A reproducible `newc` cpio writer (the initramfs format the kernel unpacks).
//!
//! Reproducible: entries are written sorted by path, every parent directory is written before
//! its children, and owner (0:0), modification time (0), inode numbers (1, 2, ... in path
//! order) and link counts are fixed, so the same files give the same bytes on any machine.

use std::collections::BTreeMap;

/// What a cpio entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory.
    Dir,
    /// A regular file with these contents.
    File(Vec<u8>),
    /// A symbolic link to this target.
    Symlink(String),
    /// A character device node (major, minor), e.g. `/dev/console` (5, 1).
    CharDev(u32, u32),
}

/// One entry: permission bits and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Permission bits (e.g. 0o755); the file-type bits come from the kind.
    pub perm: u32,
    /// What the entry is.
    pub kind: EntryKind,
}

/// What went wrong adding an entry.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CpioError {
    /// The path is empty, has `.`/`..`/empty components, or a NUL byte.
    #[error("invalid path in the archive: {0:?}")]
    BadPath(String),
    /// A file, link or device would sit where a directory is needed, or the reverse.
    #[error("path {0:?} is added twice with different contents")]
    Conflict(String),
    /// A field does not fit the 8 hex digits of the newc header.
    #[error("entry {0:?} is too large for a newc archive")]
    TooLarge(String),
}

/// An archive being assembled. Paths are relative, without a leading `/`.
#[derive(Debug, Clone, Default)]
pub struct Archive {
    entries: BTreeMap<String, Entry>,
}

fn clean(path: &str) -> Result<String, CpioError> {
    let p = path.trim_start_matches('/');
    if p.is_empty()
        || p.contains('\0')
        || p.split('/').any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(CpioError::BadPath(path.to_string()));
    }
    Ok(p.to_string())
}

impl Archive {
    /// An empty archive.
    pub fn new() -> Archive {
        Archive::default()
    }

    fn insert(&mut self, path: &str, entry: Entry) -> Result<(), CpioError> {
        let p = clean(path)?;
        // Parents first, as directories.
        let mut parent = String::new();
        let comps: Vec<&str> = p.split('/').collect();
        for c in comps.iter().take(comps.len().saturating_sub(1)) {
            if !parent.is_empty() {
                parent.push('/');
            }
            parent.push_str(c);
            match self.entries.get(&parent) {
                None => {
                    self.entries.insert(
                        parent.clone(),
                        Entry {
                            perm: 0o755,
                            kind: EntryKind::Dir,
                        },
                    );
                }
                Some(e) if e.kind == EntryKind::Dir => {}
                Some(_) => return Err(CpioError::Conflict(parent)),
            }
        }
        match self.entries.get(&p) {
            Some(old) if *old == entry => Ok(()),
            Some(_) => Err(CpioError::Conflict(p)),
            None => {
                self.entries.insert(p, entry);
                Ok(())
            }
        }
    }

    /// Adds a directory (and its parents).
    pub fn add_dir(&mut self, path: &str, perm: u32) -> Result<(), CpioError> {
        self.insert(
            path,
            Entry {
                perm,
                kind: EntryKind::Dir,
            },
        )
    }

    /// Adds a regular file (and its parent directories).
    pub fn add_file(&mut self, path: &str, perm: u32, data: Vec<u8>) -> Result<(), CpioError> {
        self.insert(
            path,
            Entry {
                perm,
                kind: EntryKind::File(data),
            },
        )
    }

    /// Adds a symbolic link.
    pub fn add_symlink(&mut self, path: &str, target: &str) -> Result<(), CpioError> {
        self.insert(
            path,
            Entry {
                perm: 0o777,
                kind: EntryKind::Symlink(target.to_string()),
            },
        )
    }

    /// Adds a character device node.
    pub fn add_char_dev(
        &mut self,
        path: &str,
        perm: u32,
        major: u32,
        minor: u32,
    ) -> Result<(), CpioError> {
        self.insert(
            path,
            Entry {
                perm,
                kind: EntryKind::CharDev(major, minor),
            },
        )
    }

    /// The entries, sorted by path.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(p, e)| (p.as_str(), e))
    }

    /// The archive as `newc` bytes, ending with the `TRAILER!!!` entry.
    pub fn to_newc(&self) -> Result<Vec<u8>, CpioError> {
        let mut out = Vec::new();
        let mut ino: u32 = 0;
        for (path, e) in &self.entries {
            ino = ino
                .checked_add(1)
                .ok_or_else(|| CpioError::TooLarge(path.clone()))?;
            let (type_bits, nlink, data, rdev): (u32, u32, &[u8], (u32, u32)) = match &e.kind {
                EntryKind::Dir => (0o040000, 2, &[], (0, 0)),
                EntryKind::File(d) => (0o100000, 1, d.as_slice(), (0, 0)),
                EntryKind::Symlink(t) => (0o120000, 1, t.as_bytes(), (0, 0)),
                EntryKind::CharDev(ma, mi) => (0o020000, 1, &[], (*ma, *mi)),
            };
            let size = u32::try_from(data.len()).map_err(|_| CpioError::TooLarge(path.clone()))?;
            write_entry(
                &mut out,
                path,
                Header {
                    ino,
                    mode: type_bits | (e.perm & 0o7777),
                    nlink,
                    size,
                    rdev,
                },
                data,
            )?;
        }
        write_entry(
            &mut out,
            "TRAILER!!!",
            Header {
                ino: 0,
                mode: 0,
                nlink: 1,
                size: 0,
                rdev: (0, 0),
            },
            &[],
        )?;
        Ok(out)
    }
}

struct Header {
    ino: u32,
    mode: u32,
    nlink: u32,
    size: u32,
    rdev: (u32, u32),
}

fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn write_entry(out: &mut Vec<u8>, name: &str, h: Header, data: &[u8]) -> Result<(), CpioError> {
    let namesize = u32::try_from(name.len().saturating_add(1))
        .map_err(|_| CpioError::TooLarge(name.to_string()))?;
    // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
    // rdevminor, namesize, check
    let fields = [
        h.ino, h.mode, 0, 0, h.nlink, 0, h.size, 0, 0, h.rdev.0, h.rdev.1, namesize, 0,
    ];
    out.extend_from_slice(b"070701");
    for f in fields {
        out.extend_from_slice(format!("{f:08X}").as_bytes());
    }
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    pad4(out);
    out.extend_from_slice(data);
    pad4(out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_layout_matches_newc() {
        let mut a = Archive::new();
        a.add_file("/bin/x", 0o755, b"hi".to_vec()).unwrap();
        let bytes = a.to_newc().unwrap();
        // First entry is the implied parent directory "bin".
        let first = std::str::from_utf8(&bytes[..110]).unwrap();
        let expected = [
            "070701", "00000001", "000041ED", "00000000", "00000000", "00000002", "00000000",
            "00000000", "00000000", "00000000", "00000000", "00000000", "00000004", "00000000",
        ]
        .concat();
        assert_eq!(first, expected);
        assert_eq!(&bytes[110..114], b"bin\0");
        // The trailer: 110-byte header + "TRAILER!!!\0" = 121, padded to 124.
        assert!(bytes.ends_with(b"TRAILER!!!\0\0\0\0"));
        assert_eq!(bytes.len() % 4, 0);
    }

    #[test]
    fn rejects_bad_paths_and_conflicts() {
        let mut a = Archive::new();
        assert_eq!(
            a.add_dir("a/../b", 0o755),
            Err(CpioError::BadPath("a/../b".into()))
        );
        a.add_file("a/b", 0o644, vec![1]).unwrap();
        assert_eq!(
            a.add_file("a/b/c", 0o644, vec![]),
            Err(CpioError::Conflict("a/b".into()))
        );
        assert_eq!(
            a.add_file("a/b", 0o644, vec![2]),
            Err(CpioError::Conflict("a/b".into()))
        );
        // The same entry twice is fine.
        a.add_file("a/b", 0o644, vec![1]).unwrap();
    }
}
