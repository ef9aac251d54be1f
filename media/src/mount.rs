//! Mounting a stick's file system in a private mount point, with the options that make its
//! contents inert: `nosuid`, `nodev`, `noexec`, `nosymfollow` (Linux 5.10+), and `ro` for
//! import. After every mount the options are checked in `/proc/self/mountinfo`: a kernel that
//! silently ignored a flag makes the mount fail rather than run without it.
//!
//! A [`Mount`] that is dropped without [`Mount::unmount`] is detached lazily (`MNT_DETACH`), so
//! an error or a pulled stick never leaves a mount behind and never blocks on a dead device.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use nix::mount::{MntFlags, MsFlags};
use nix::sys::stat::Mode;

use crate::error::MediaError;
use crate::fsprobe::{FsType, MediaFilesystems};

/// Read-only (import, and the read-back after an export) or read-write (export).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountMode {
    /// `MS_RDONLY`.
    ReadOnly,
    /// Writable.
    ReadWrite,
}

impl MountMode {
    fn label(self) -> &'static str {
        match self {
            MountMode::ReadOnly => "read-only",
            MountMode::ReadWrite => "read-write",
        }
    }
}

/// The flags this crate always mounts with, plus `MS_RDONLY` for [`MountMode::ReadOnly`].
pub fn mount_flags(mode: MountMode) -> MsFlags {
    // nix has no constant for MS_NOSYMFOLLOW (Linux 5.10); libc has.
    let nosymfollow = MsFlags::from_bits_retain(nix::libc::MS_NOSYMFOLLOW);
    let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC | nosymfollow;
    match mode {
        MountMode::ReadOnly => flags | MsFlags::MS_RDONLY,
        MountMode::ReadWrite => flags,
    }
}

/// The per-mount options that must show in `/proc/self/mountinfo` for `mode`.
pub fn required_options(mode: MountMode) -> &'static [&'static str] {
    match mode {
        MountMode::ReadOnly => &["ro", "nosuid", "nodev", "noexec", "nosymfollow"],
        MountMode::ReadWrite => &["rw", "nosuid", "nodev", "noexec", "nosymfollow"],
    }
}

/// One line of `/proc/self/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    /// `MAJOR:MINOR` of the mounted device.
    pub devnum: String,
    /// The mount point (octal escapes decoded).
    pub mount_point: PathBuf,
    /// Per-mount options (`ro`, `nosuid`, `nosymfollow`, ...).
    pub options: Vec<String>,
    /// The file system type.
    pub fs_type: String,
    /// The mount source (the device node for block file systems).
    pub source: String,
}

fn unescape(field: &str) -> String {
    // mountinfo escapes space, tab, newline and backslash as \ooo.
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        let oct = bytes.get(i.saturating_add(1)..i.saturating_add(4));
        if b == b'\\'
            && let Some(oct) = oct
            && oct.iter().all(|c| (b'0'..=b'7').contains(c))
            && let Ok(v) = u8::try_from(
                oct.iter()
                    .fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0')),
            )
        {
            out.push(v);
            i = i.saturating_add(4);
            continue;
        }
        out.push(b);
        i = i.saturating_add(1);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `/proc/self/mountinfo` text; malformed lines are skipped.
pub fn parse_mountinfo(text: &str) -> Vec<MountInfo> {
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let l: Vec<&str> = left.split(' ').collect();
            let r: Vec<&str> = right.split(' ').collect();
            Some(MountInfo {
                devnum: (*l.get(2)?).to_owned(),
                mount_point: PathBuf::from(unescape(l.get(4)?)),
                options: l.get(5)?.split(',').map(str::to_owned).collect(),
                fs_type: (*r.first()?).to_owned(),
                source: unescape(r.get(1)?),
            })
        })
        .collect()
}

fn read_mountinfo() -> Result<Vec<MountInfo>, MediaError> {
    let path = Path::new("/proc/self/mountinfo");
    let text = std::fs::read_to_string(path).map_err(|e| MediaError::io("read", path, e))?;
    Ok(parse_mountinfo(&text))
}

/// Mounts at or below `dir` (tests use this to check that nothing is left behind).
pub fn mounts_under(dir: &Path) -> Result<Vec<MountInfo>, MediaError> {
    Ok(read_mountinfo()?
        .into_iter()
        .filter(|m| m.mount_point.starts_with(dir))
        .collect())
}

/// `MAJOR:MINOR` of every block device the system has mounted outside `ours` (the runtime dir
/// of this crate's own mounts) and outside the mount service's [`crate::mountd::MOUNT_DIR`],
/// for [`crate::detect::Policy::system_devnums`].
pub fn system_mounted_devnums(mountinfo: &str, ours: &Path) -> Vec<String> {
    let service = Path::new(crate::mountd::MOUNT_DIR);
    parse_mountinfo(mountinfo)
        .into_iter()
        .filter(|m| {
            !m.mount_point.starts_with(ours)
                && !m.mount_point.starts_with(service)
                && !m.devnum.starts_with("0:")
        })
        .map(|m| m.devnum)
        .collect()
}

/// How often an unmount that fails with EBUSY is retried (20 ms apart) before it is detached.
const UNMOUNT_BUSY_RETRIES: u32 = 25;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A mounted file system in a private mount point. Dropping it detaches it lazily and removes
/// the mount point; [`Mount::unmount`] unmounts it synchronously and reports errors.
#[derive(Debug)]
pub struct Mount {
    device: PathBuf,
    target: PathBuf,
    mode: MountMode,
    fs: FsType,
    mounted: bool,
    /// The mount point was made for this mount (and is removed with it).
    own_dir: bool,
    /// Mounted by PID 1's mount service in this slot ([`crate::mountd`]).
    slot: Option<u8>,
}

impl Mount {
    /// Mounts `device` (file system `fs`) in a new private directory (mode 0700) below
    /// `runtime_dir`, with [`mount_flags`] for `mode`, and checks that the options are in force.
    /// A file system `allowed` does not allow (ext4, for a stick from outside) is refused before
    /// anything is done: the kernel never sees it.
    pub fn new(
        device: &Path,
        fs: FsType,
        allowed: MediaFilesystems,
        mode: MountMode,
        runtime_dir: &Path,
    ) -> Result<Mount, MediaError> {
        refuse_unless_allowed(device, fs, allowed)?;
        if crate::mountd::installed() {
            return Mount::through_service(device, fs, mode);
        }
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let target = runtime_dir.join(format!("medium-{}-{n}", std::process::id()));
        nix::unistd::mkdir(&target, Mode::S_IRWXU)
            .map_err(|e| MediaError::sys("mkdir", &target, e))?;
        let result = Mount::mount_at(device, fs, mode, &target, None, true);
        if result.is_err() {
            let _ = std::fs::remove_dir(&target);
        }
        result
    }

    /// Mounts `device` at the existing directory `target` (PID 1's fixed mount points, which
    /// stay when it is unmounted), as [`Mount::new`] does; with `owner` (uid, gid) vfat and
    /// exFAT give that user the files (mode 0600, directories 0700) instead of root.
    pub fn at(
        device: &Path,
        fs: FsType,
        allowed: MediaFilesystems,
        mode: MountMode,
        target: &Path,
        owner: Option<(u32, u32)>,
    ) -> Result<Mount, MediaError> {
        refuse_unless_allowed(device, fs, allowed)?;
        Mount::mount_at(device, fs, mode, target, owner, false)
    }

    fn mount_at(
        device: &Path,
        fs: FsType,
        mode: MountMode,
        target: &Path,
        owner: Option<(u32, u32)>,
        own_dir: bool,
    ) -> Result<Mount, MediaError> {
        let data = fs.mount_data(owner.unwrap_or((0, 0)));
        let result = nix::mount::mount(
            Some(device),
            target,
            Some(fs.kernel_name()),
            mount_flags(mode),
            data.as_deref(),
        );
        if let Err(errno) = result {
            return Err(MediaError::Mount {
                device: device.to_path_buf(),
                target: target.to_path_buf(),
                fs_type: fs.kernel_name(),
                mode: mode.label(),
                source: errno.into(),
            });
        }
        let mount = Mount {
            device: device.to_path_buf(),
            target: target.to_path_buf(),
            mode,
            fs,
            mounted: true,
            own_dir,
            slot: None,
        };
        mount.check_options()?;
        Ok(mount)
    }

    /// Asks PID 1 to mount (the program runs unprivileged under the appliance's init).
    fn through_service(device: &Path, fs: FsType, mode: MountMode) -> Result<Mount, MediaError> {
        use crate::mountd::{DeviceName, Request, Response};
        let refused = |why: String| MediaError::Mount {
            device: device.to_path_buf(),
            target: PathBuf::from(crate::mountd::MOUNT_DIR),
            fs_type: fs.kernel_name(),
            mode: mode.label(),
            source: std::io::Error::other(why),
        };
        let name = DeviceName::of_node(device).map_err(|e| refused(e.to_string()))?;
        let answer = crate::mountd::call(&Request::Mount(name, mode))
            .ok_or_else(|| refused("no mount service".into()))??;
        match answer {
            Response::Mounted(slot) => {
                let mount = Mount {
                    device: device.to_path_buf(),
                    target: crate::mountd::slot_path(slot),
                    mode,
                    fs,
                    mounted: true,
                    own_dir: false,
                    slot: Some(slot),
                };
                mount.check_options()?;
                Ok(mount)
            }
            Response::Refused(why) => Err(refused(format!("refused by the init: {why}"))),
            Response::Failed(why) => Err(refused(format!("failed in the init: {why}"))),
            other => Err(refused(format!("unexpected answer {other:?}"))),
        }
    }

    fn check_options(&self) -> Result<(), MediaError> {
        let infos = read_mountinfo()?;
        let info = infos.iter().rev().find(|m| m.mount_point == self.target);
        let missing: Vec<String> = match info {
            None => vec!["(mount not found in /proc/self/mountinfo)".into()],
            Some(info) => required_options(self.mode)
                .iter()
                .filter(|o| !info.options.iter().any(|x| x == *o))
                .map(|o| (*o).to_owned())
                .collect(),
        };
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MediaError::OptionsNotInForce {
                target: self.target.clone(),
                missing,
            })
        }
    }

    /// The mount point.
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// The mounted device.
    pub fn device(&self) -> &Path {
        &self.device
    }

    /// The mode it was mounted with.
    pub fn mode(&self) -> MountMode {
        self.mode
    }

    /// The file system type.
    pub fn fs(&self) -> FsType {
        self.fs
    }

    /// Unmounts synchronously (flushing the file system). If that fails, the mount is detached
    /// lazily all the same and the error is returned.
    pub fn unmount(mut self) -> Result<(), MediaError> {
        self.mounted = false;
        if let Some(slot) = self.slot {
            use crate::mountd::{Request, Response};
            let err = |why: String| MediaError::Unmount {
                target: self.target.clone(),
                source: std::io::Error::other(why),
            };
            return match crate::mountd::call(&Request::Unmount(slot)) {
                Some(Ok(Response::Unmounted)) => Ok(()),
                Some(Ok(other)) => Err(err(format!("the init answered {other:?}"))),
                Some(Err(e)) => Err(err(e.to_string())),
                None => Err(err("no mount service".into())),
            };
        }
        let mut result = nix::mount::umount2(&self.target, MntFlags::empty());
        // EBUSY can be transient: another thread of the program forking a child holds copies
        // of our (close-on-exec) descriptors until the child's exec. Retry briefly.
        for _ in 0..UNMOUNT_BUSY_RETRIES {
            if result != Err(nix::errno::Errno::EBUSY) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            result = nix::mount::umount2(&self.target, MntFlags::empty());
        }
        if let Err(errno) = result {
            let _ = nix::mount::umount2(&self.target, MntFlags::MNT_DETACH);
            if self.own_dir {
                let _ = std::fs::remove_dir(&self.target);
            }
            return Err(MediaError::Unmount {
                target: self.target.clone(),
                source: errno.into(),
            });
        }
        if !self.own_dir {
            return Ok(());
        }
        std::fs::remove_dir(&self.target).map_err(|e| MediaError::io("rmdir", &self.target, e))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        if !self.mounted {
            return;
        }
        if let Some(slot) = self.slot {
            // The init unmounts (and detaches it if it must).
            let _ = crate::mountd::call(&crate::mountd::Request::Unmount(slot));
            return;
        }
        // Lazy: never blocks on a device that is gone; the kernel finishes when it can.
        let _ = nix::mount::umount2(&self.target, MntFlags::MNT_DETACH);
        if self.own_dir {
            let _ = std::fs::remove_dir(&self.target);
        }
    }
}

/// Refused before mount(2): a file system the policy does not allow from a stick.
fn refuse_unless_allowed(
    device: &Path,
    fs: FsType,
    allowed: MediaFilesystems,
) -> Result<(), MediaError> {
    if allowed.allows(fs) {
        return Ok(());
    }
    Err(MediaError::NotUsable {
        device: device.to_path_buf(),
        reason: format!(
            "{} is never mounted from a stick (vfat or exFAT only)",
            fs.kernel_name()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mountinfo_lines_with_escapes() {
        let text = "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n\
                    42 27 7:0 / /run/tally/medium\\0401 ro,nosuid,nodev,noexec,relatime,nosymfollow - ext4 /dev/loop0 ro\n\
                    garbage\n";
        let m = parse_mountinfo(text);
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].mount_point, PathBuf::from("/run/tally/medium 1"));
        assert_eq!(m[1].devnum, "7:0");
        assert_eq!(m[1].fs_type, "ext4");
        assert_eq!(m[1].source, "/dev/loop0");
        for o in required_options(MountMode::ReadOnly) {
            assert!(m[1].options.iter().any(|x| x == o), "{o}");
        }
        assert_eq!(
            system_mounted_devnums(text, Path::new("/run/tally")),
            vec!["254:0".to_string()]
        );
    }

    #[test]
    fn ext4_is_refused_before_the_kernel_sees_it() {
        // The device does not exist and the runtime dir neither: the refusal comes first.
        let err = Mount::new(
            Path::new("/nonexistent/sdz1"),
            FsType::Ext4,
            MediaFilesystems::STRANGERS,
            MountMode::ReadOnly,
            Path::new("/nonexistent/run"),
        )
        .unwrap_err();
        assert!(
            matches!(&err, MediaError::NotUsable { reason, .. } if reason.starts_with("ext4 is never mounted")),
            "{err}"
        );
    }

    #[test]
    fn flags_include_nosymfollow() {
        let f = mount_flags(MountMode::ReadOnly);
        assert_eq!(f.bits() & 0x100, 0x100);
        assert!(f.contains(
            MsFlags::MS_RDONLY | MsFlags::MS_NODEV | MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC
        ));
        assert!(!mount_flags(MountMode::ReadWrite).contains(MsFlags::MS_RDONLY));
    }
}
