//! The sticks the appliance can use, as `tally_media::Medium` trait objects: one small
//! abstraction over the two ways a stick reaches the terminal.
//!
//! - **Folder mode** (`--media-dir`, the demo and tests): the media folder stands in for one
//!   stick ([`tally_media::FolderMedium`]); its top-level folders are the signed media on it.
//! - **USB mode** (`--usb`, the appliance): real USB mass-storage sticks found by
//!   `tally_media::watch::Watcher` (enumeration of sysfs at start, then the kernel's uevents;
//!   no udev daemon, no libudev). Usable sticks become [`tally_media::UsbStick`]s, mounted in private directories
//!   below the runtime dir; unusable ones are listed with their reason ("geen bruikbare
//!   partitie"); the boot stick and anything the system mounted are never offered (the media
//!   crate's policy: the EFI variable `LoaderDevicePartUUID` and `/proc/self/mountinfo`).
//!
//! While an operation runs on a stick ([`Sticks::begin`] .. [`Sticks::end`]) the stick is
//! claimed: a second stick inserted meanwhile is reported (audit log) and left alone, and a
//! removal of the stick in use is recognised as such.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::BodyError;
use tally_media::detect::{DeviceIdentity, Unusable};
use tally_media::watch::{Watcher, system_policy};
use tally_media::{
    AuditSink, Classification, FolderMedium, MediaError, Medium, StickEvent, UsbStick, Verdict,
};

/// One stick present now.
pub struct Stick {
    /// A stable key: the media folder (folder mode) or the disk's sysfs device path (USB).
    pub key: String,
    /// What the official sees of it.
    pub label: StickLabel,
    /// The medium, or why it cannot be used.
    pub medium: Result<Box<dyn Medium>, Unusable>,
}

/// How the official recognises a stick (worded by the terminal, ASCII on the console).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StickLabel {
    /// The media folder standing in for a stick (folder mode): its path.
    Folder(String),
    /// A USB stick: its vendor, model, serial and device node.
    Device(DeviceIdentity),
}

impl std::fmt::Debug for Stick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stick")
            .field("key", &self.key)
            .field("label", &self.label)
            .field("usable", &self.medium.as_ref().map(|_| ()))
            .finish()
    }
}

/// Where sticks come from.
pub enum Sticks {
    /// A folder standing in for one stick.
    Folder {
        /// The folder.
        dir: PathBuf,
    },
    /// Real USB sticks.
    Usb {
        /// The watcher (tracker of the sticks present and the one in use).
        watcher: Box<Watcher>,
        /// Where private mount points are made.
        runtime_dir: PathBuf,
        /// Events not yet written to the audit log (from the enumeration at start).
        unaudited: Vec<StickEvent>,
        /// Whether the sticks changed since the last [`Sticks::poll`].
        dirty: bool,
    },
}

impl std::fmt::Debug for Sticks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sticks::Folder { dir } => f.debug_struct("Folder").field("dir", dir).finish(),
            Sticks::Usb { runtime_dir, .. } => f
                .debug_struct("Usb")
                .field("runtime_dir", runtime_dir)
                .finish_non_exhaustive(),
        }
    }
}

/// A classified USB stick as the terminal lists it; `None` for what is never offered (the boot
/// stick, a disk the system mounted, anything not USB storage).
pub fn stick_of(c: &Classification, runtime_dir: &Path) -> Option<Stick> {
    let label = StickLabel::Device(c.identity.clone());
    let medium: Result<Box<dyn Medium>, Unusable> = match &c.verdict {
        Verdict::Usable(_) => match UsbStick::from_classification(c, runtime_dir) {
            Some(s) => Ok(Box::new(s)),
            None => return None,
        },
        Verdict::Unusable(u) => Err(u.clone()),
        Verdict::Ignored(_) => return None,
    };
    Some(Stick {
        key: c.devpath.clone(),
        label,
        medium,
    })
}

/// Creates the runtime dir (mode 0700) if it is not there.
fn make_runtime_dir(dir: &Path) -> Result<(), MediaError> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| MediaError::Io {
            op: "create runtime dir",
            path: dir.to_path_buf(),
            source: e,
        })
}

impl Sticks {
    /// Folder mode: `dir` stands in for one stick.
    pub fn folder(dir: &Path) -> Sticks {
        Sticks::Folder {
            dir: dir.to_path_buf(),
        }
    }

    /// USB mode: starts listening to the kernel's uevents and enumerates the sticks present.
    /// `runtime_dir` (created with mode 0700 when missing) holds the private mount points.
    pub fn usb(runtime_dir: &Path) -> Result<Sticks, MediaError> {
        make_runtime_dir(runtime_dir)?;
        let mut watcher = Watcher::new(system_policy(runtime_dir))?;
        let unaudited = watcher.scan()?;
        Ok(Sticks::Usb {
            watcher: Box::new(watcher),
            runtime_dir: runtime_dir.to_path_buf(),
            unaudited,
            dirty: false,
        })
    }

    /// Whether these are real USB sticks.
    pub fn is_usb(&self) -> bool {
        matches!(self, Sticks::Usb { .. })
    }

    /// The sticks present now, in a stable order (by key).
    pub fn present(&mut self) -> Vec<Stick> {
        match self {
            Sticks::Folder { dir } => vec![Stick {
                key: dir.display().to_string(),
                label: StickLabel::Folder(dir.display().to_string()),
                medium: Ok(Box::new(FolderMedium::new(dir))),
            }],
            Sticks::Usb {
                watcher,
                runtime_dir,
                ..
            } => watcher
                .tracker()
                .present()
                .filter_map(|c| stick_of(c, runtime_dir))
                .collect(),
        }
    }

    /// The stick with this key, if present.
    pub fn get(&mut self, key: &str) -> Option<Stick> {
        self.present().into_iter().find(|s| s.key == key)
    }

    /// Takes in what the kernel reported since the last call, waiting at most `timeout` for
    /// a first event (zero: only what is already there). Every change is audited. Returns
    /// whether the sticks present changed. Folder mode never changes by itself.
    pub fn poll(&mut self, timeout: Duration, audit: &mut dyn AuditSink) -> bool {
        let Sticks::Usb {
            watcher,
            unaudited,
            dirty,
            ..
        } = self
        else {
            return false;
        };
        for ev in unaudited.drain(..) {
            let _ = audit.record(ev.audit_event());
        }
        let changed = match watcher.wait(timeout) {
            Ok(events) => {
                for ev in &events {
                    let _ = audit.record(ev.audit_event());
                }
                !events.is_empty()
            }
            Err(e) => {
                // The monitor failed (it never should): say so in the audit log; the sticks
                // already known stay listed.
                let _ = audit.record(tally_media::AuditEvent::new(
                    tally_media::AuditKind::Refused,
                    None,
                    format!("watching USB sticks failed: {e}"),
                ));
                false
            }
        };
        let changed = changed || *dirty;
        *dirty = false;
        changed
    }

    /// Claims the stick `key` for one operation (verification, copy or export): until
    /// [`Sticks::end`], another stick inserted is reported and left alone.
    ///
    /// # Errors
    /// The stick is gone, cannot be used, or another operation holds it.
    pub fn begin(&mut self, key: &str) -> Result<Box<dyn Medium>, BodyError> {
        let stick = self.get(key).ok_or(BodyError::StickGone)?;
        let label = stick.label;
        let medium = stick.medium.map_err(|why| BodyError::StickUnusable {
            label: Box::new(label),
            why,
        })?;
        if let Sticks::Usb { watcher, .. } = self {
            watcher
                .tracker()
                .claim(key)
                .map_err(|e| BodyError::StickBusy(e.to_string()))?;
        }
        Ok(medium)
    }

    /// Ends the operation begun with [`Sticks::begin`]: what the kernel reported meanwhile
    /// is taken in (a second stick as ignored, a removal of the stick in use as such) and
    /// audited, then the claim is released. Returns whether the stick in use was removed.
    pub fn end(&mut self, audit: &mut dyn AuditSink) -> bool {
        let Sticks::Usb { watcher, dirty, .. } = self else {
            return false;
        };
        let mut removed = false;
        if let Ok(events) = watcher.wait(Duration::ZERO) {
            for ev in &events {
                removed |= matches!(
                    ev,
                    StickEvent::Removed {
                        was_in_use: true,
                        ..
                    }
                );
                let _ = audit.record(ev.audit_event());
            }
            // The screen learns of them at the next poll.
            *dirty |= !events.is_empty();
        }
        watcher.tracker().release();
        removed
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use tally_media::detect::{IgnoreReason, Unusable};
    use tally_media::fsprobe::FsType;
    use tally_media::{DeviceIdentity, MemoryAudit, Volume};

    fn classified(verdict: Verdict) -> Classification {
        Classification {
            devpath: "/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:1.0/host0/target0:0:0/0:0:0:0/block/sda".into(),
            identity: DeviceIdentity {
                vendor: Some("Kingston".into()),
                model: Some("DataTraveler 3.0".into()),
                serial: Some("E0D55EA5".into()),
                devnode: "/dev/sda".into(),
            },
            usb: true,
            verdict,
        }
    }

    #[test]
    fn usable_unusable_and_ignored_sticks() {
        let run = Path::new("/run/tally");
        let usable = classified(Verdict::Usable(Volume {
            devnode: "/dev/sda1".into(),
            devnum: Some("8:1".into()),
            fs: FsType::Vfat,
            partition: Some(1),
            size_bytes: Some(16 << 20),
        }));
        let s = stick_of(&usable, run).expect("listed");
        assert_eq!(s.key, usable.devpath);
        assert_eq!(s.label, StickLabel::Device(usable.identity.clone()));
        assert_eq!(s.medium.as_ref().unwrap().identity().devnode, "/dev/sda");

        // Listed with the reason (worded by the terminal).
        for why in [
            Unusable::NoUsablePartition,
            Unusable::SeveralUsablePartitions(2),
            Unusable::UnsupportedFileSystem(vec!["ntfs".into()]),
        ] {
            let s = stick_of(&classified(Verdict::Unusable(why.clone())), run).expect("listed");
            assert_eq!(s.medium.err(), Some(why));
        }

        // Never offered: the boot stick, a disk the system mounted, an internal disk.
        for r in [
            IgnoreReason::BootMedium,
            IgnoreReason::MountedBySystem,
            IgnoreReason::NotUsbStorage,
        ] {
            assert!(
                stick_of(&classified(Verdict::Ignored(r)), run).is_none(),
                "{r:?}"
            );
        }
    }

    #[test]
    fn folder_mode_is_one_stick_that_never_changes_by_itself() {
        let dir = tempfile::tempdir().unwrap();
        let mut sticks = Sticks::folder(dir.path());
        assert!(!sticks.is_usb());
        let present = sticks.present();
        assert_eq!(present.len(), 1);
        let key = present[0].key.clone();
        assert_eq!(key, dir.path().display().to_string());
        assert!(present[0].medium.is_ok());
        let mut audit = MemoryAudit::default();
        assert!(!sticks.poll(Duration::ZERO, &mut audit));
        // Claimed and released around an operation; an unknown key is refused in Dutch.
        let medium = sticks.begin(&key).unwrap();
        assert_eq!(medium.identity().devnode, dir.path().display().to_string());
        assert!(!sticks.end(&mut audit));
        assert!(matches!(
            sticks.begin("/elders").err(),
            Some(BodyError::StickGone)
        ));
    }
}
