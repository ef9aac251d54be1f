//! The thin udev layer: records disks from sysfs into [`DiskRecord`]s, enumerates what is present
//! at start and listens to the kernel's uevents for insertions and removals.
//!
//! The appliance runs no udev daemon, so the monitor listens to the kernel's own netlink group
//! (`MonitorBuilder::new_kernel()`), and nothing udev would add (`ID_FS_TYPE`, `ID_SERIAL`) is
//! expected: identities come from sysfs attributes, file systems from [`crate::fsprobe`].
//! Everything that is decided is decided by [`crate::detect::classify`] and
//! [`crate::tracker::Tracker`] on the recorded data.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::detect::{DiskRecord, PartitionRecord, Policy, RecordedDevice, classify};
use crate::error::MediaError;
use crate::fsprobe::{FsProbe, probe_device};
use crate::tracker::{StickEvent, Tracker};

/// The sysfs attributes recorded for each device (when present).
pub const RECORDED_ATTRIBUTES: [&str; 12] = [
    "size",
    "removable",
    "ro",
    "partition",
    "vendor",
    "model",
    "idVendor",
    "idProduct",
    "manufacturer",
    "product",
    "serial",
    "start",
];

fn os(s: Option<&OsStr>) -> Option<String> {
    s.map(|v| v.to_string_lossy().into_owned())
}

/// Records one udev device (properties and the attributes of [`RECORDED_ATTRIBUTES`]).
pub fn record_device(dev: &udev::Device) -> RecordedDevice {
    let mut properties = BTreeMap::new();
    for p in dev.properties() {
        properties.insert(
            p.name().to_string_lossy().into_owned(),
            p.value().to_string_lossy().into_owned(),
        );
    }
    let mut attributes = BTreeMap::new();
    for a in RECORDED_ATTRIBUTES {
        if let Some(v) = dev.attribute_value(a) {
            attributes.insert(a.to_owned(), v.to_string_lossy().trim().to_owned());
        }
    }
    RecordedDevice {
        devpath: dev.devpath().to_string_lossy().into_owned(),
        subsystem: os(dev.subsystem()).unwrap_or_default(),
        devtype: os(dev.devtype()),
        sysname: dev.sysname().to_string_lossy().into_owned(),
        driver: os(dev.driver()),
        properties,
        attributes,
    }
}

fn probe(dev: &RecordedDevice) -> FsProbe {
    if dev.size_bytes() == Some(0) {
        return FsProbe::None;
    }
    match probe_device(&dev.devnode()) {
        Ok(p) => p,
        Err(e) => FsProbe::Unreadable(e.to_string()),
    }
}

/// Kernels before the PARTUUID uevent variable (Debian 12's 6.1) leave it out: compute it from
/// the disk's partition table so that the boot stick is recognised. An unreadable disk leaves
/// the partitions as they are.
fn fill_partuuids(disk: &RecordedDevice, partitions: &mut [PartitionRecord]) {
    if partitions
        .iter()
        .all(|p| p.device.properties.contains_key("PARTUUID"))
    {
        return;
    }
    // 24 KiB: a GPT with 4096-byte sectors (header at 4 KiB, 128 entries of 128 bytes at 8 KiB).
    let Ok(head) = crate::fsprobe::read_head(&disk.devnode(), 0x6000) else {
        return;
    };
    let Some(table) = crate::parttable::partition_table(&head) else {
        return;
    };
    for p in partitions.iter_mut() {
        let partn = p
            .device
            .properties
            .get("PARTN")
            .and_then(|n| n.parse::<u32>().ok());
        let uuid = table
            .partitions
            .iter()
            .find(|(n, _)| Some(*n) == partn)
            .map(|(_, u)| u.clone());
        if let Some(uuid) = uuid {
            p.device
                .properties
                .entry("PARTUUID".to_owned())
                .or_insert(uuid);
        }
    }
}

/// Records a whole disk: itself, its ancestors, its partitions, and the file system of each
/// partition (or of the whole disk when it has none), read from the device nodes.
pub fn record_disk(disk: &udev::Device) -> Result<DiskRecord, MediaError> {
    let udev_err = |op| move |source| MediaError::Udev { op, source };
    let me = record_device(disk);
    let mut ancestors = Vec::new();
    let mut parent = disk.parent();
    while let Some(p) = parent {
        ancestors.push(record_device(&p));
        parent = p.parent();
    }
    let mut partitions = Vec::new();
    let mut en = udev::Enumerator::new().map_err(udev_err("enumerate"))?;
    en.match_subsystem("block").map_err(udev_err("enumerate"))?;
    en.match_parent(disk).map_err(udev_err("enumerate"))?;
    for dev in en.scan_devices().map_err(udev_err("enumerate"))? {
        if dev.devtype() == Some(OsStr::new("partition")) {
            let rec = record_device(&dev);
            let fs = probe(&rec);
            partitions.push(PartitionRecord { device: rec, fs });
        }
    }
    partitions.sort_by(|a, b| a.device.sysname.cmp(&b.device.sysname));
    fill_partuuids(&me, &mut partitions);
    let whole_disk_fs = if partitions.is_empty() {
        probe(&me)
    } else {
        FsProbe::None
    };
    Ok(DiskRecord {
        disk: me,
        ancestors,
        partitions,
        whole_disk_fs,
    })
}

/// Records the disk at a sysfs path (`/sys/block/sda`, `/sys/devices/.../block/sda`).
pub fn record_syspath(syspath: &Path) -> Result<DiskRecord, MediaError> {
    let dev = udev::Device::from_syspath(syspath).map_err(|source| MediaError::Udev {
        op: "open sysfs device",
        source,
    })?;
    record_disk(&dev)
}

/// The EFI variable the systemd-boot stub of the unified kernel image sets to the PARTUUID of the
/// partition it was loaded from (the boot stick's ESP).
pub const LOADER_DEVICE_PARTUUID: &str =
    "/sys/firmware/efi/efivars/LoaderDevicePartUUID-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

/// The policy of the running system: the boot partition from [`LOADER_DEVICE_PARTUUID`] (none
/// when not booted through the stub), the block devices mounted outside `runtime_dir`, and the
/// allow-listed file systems in `/proc/filesystems`. Unreadable files leave their part empty.
pub fn system_policy(runtime_dir: &Path) -> Policy {
    let boot_partuuids = std::fs::read(LOADER_DEVICE_PARTUUID)
        .ok()
        .and_then(|b| crate::detect::parse_loader_device_partuuid(&b))
        .into_iter()
        .collect();
    let system_devnums = std::fs::read_to_string("/proc/self/mountinfo")
        .map(|t| crate::mount::system_mounted_devnums(&t, runtime_dir))
        .unwrap_or_default();
    let kernel_filesystems = std::fs::read_to_string("/proc/filesystems")
        .map(|t| crate::fsprobe::kernel_filesystems(&t))
        .unwrap_or_default();
    Policy {
        boot_partuuids,
        system_devnums,
        kernel_filesystems,
    }
}

/// What a kernel uevent means for the disks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The disk with this device path is gone (`remove` of a whole disk).
    DiskGone(String),
    /// The disk with this device path must be recorded again (it appeared or changed, or one of
    /// its partitions did).
    DiskTouched(String),
}

/// Routes one kernel uevent (its properties: `ACTION`, `DEVPATH`, `SUBSYSTEM`, `DEVTYPE`) to
/// the disk it concerns. Pure, so it is tested on recorded uevents. Events of other
/// subsystems (usb, scsi, bdi) give `None`: the block events carry everything needed.
pub fn route_uevent(props: &BTreeMap<String, String>) -> Option<Route> {
    if props.get("SUBSYSTEM").map(String::as_str) != Some("block") {
        return None;
    }
    let devpath = props.get("DEVPATH")?;
    let action = props.get("ACTION").map(String::as_str);
    match props.get("DEVTYPE").map(String::as_str) {
        Some("disk") if action == Some("remove") => Some(Route::DiskGone(devpath.clone())),
        Some("disk") => Some(Route::DiskTouched(devpath.clone())),
        // A partition's disk is its parent directory in sysfs; a partition's removal (the disk
        // is re-read, or the stick is going) re-records the disk, whose own removal follows.
        Some("partition") => devpath
            .rsplit_once('/')
            .map(|(disk, _)| Route::DiskTouched(disk.to_owned())),
        _ => None,
    }
}

/// The longest [`Watcher::wait`] keeps collecting events after the first one.
const MAX_COLLECT: Duration = Duration::from_secs(2);

/// Watches USB sticks: enumeration at start, kernel uevents afterwards.
pub struct Watcher {
    socket: udev::MonitorSocket,
    policy: Policy,
    tracker: Tracker,
    settle: Duration,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher")
            .field("policy", &self.policy)
            .field("tracker", &self.tracker)
            .finish_non_exhaustive()
    }
}

impl Watcher {
    /// Starts listening to the kernel's block-device uevents (before enumerating, so nothing
    /// inserted in between is missed). Call [`Watcher::scan`] next.
    pub fn new(policy: Policy) -> Result<Watcher, MediaError> {
        let err = |op| move |source| MediaError::Udev { op, source };
        let socket = udev::MonitorBuilder::new_kernel()
            .map_err(err("kernel monitor"))?
            .match_subsystem("block")
            .map_err(err("monitor filter"))?
            .listen()
            .map_err(err("monitor listen"))?;
        Ok(Watcher {
            socket,
            policy,
            tracker: Tracker::new(),
            settle: Duration::from_millis(300),
        })
    }

    /// The policy in force (boot medium, system mounts).
    pub fn policy_mut(&mut self) -> &mut Policy {
        &mut self.policy
    }

    /// The sticks present and the one in use.
    pub fn tracker(&mut self) -> &mut Tracker {
        &mut self.tracker
    }

    /// Classifies every disk present now.
    pub fn scan(&mut self) -> Result<Vec<StickEvent>, MediaError> {
        let err = |op| move |source| MediaError::Udev { op, source };
        let mut en = udev::Enumerator::new().map_err(err("enumerate"))?;
        en.match_subsystem("block").map_err(err("enumerate"))?;
        let mut events = Vec::new();
        let disks: Vec<udev::Device> = en
            .scan_devices()
            .map_err(err("enumerate"))?
            .filter(|d| d.devtype() == Some(OsStr::new("disk")))
            .collect();
        for disk in disks {
            let record = record_disk(&disk)?;
            if let Some(ev) = self.tracker.observe(classify(&record, &self.policy)) {
                events.push(ev);
            }
        }
        Ok(events)
    }

    /// Waits up to `timeout` for uevents; after the first, keeps collecting until none came for
    /// the settle time (partitions appear after their disk), at most 2 s, then re-records every
    /// disk concerned. Never blocks longer than `timeout` plus 2 s plus probing.
    pub fn wait(&mut self, timeout: Duration) -> Result<Vec<StickEvent>, MediaError> {
        let mut touched: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut removed: Vec<String> = Vec::new();
        let deadline = Instant::now().checked_add(timeout);
        let mut wait_for = timeout;
        // After the first event, collect for at most this long even if events keep coming
        // (a flapping device must not keep the caller waiting).
        let mut collect_until: Option<Instant> = None;
        loop {
            let ms = u16::try_from(wait_for.as_millis()).unwrap_or(u16::MAX);
            let mut fds = [PollFd::new(self.socket.as_fd(), PollFlags::POLLIN)];
            let n = match poll(&mut fds, PollTimeout::from(ms)) {
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => 0,
                Err(e) => {
                    return Err(MediaError::Udev {
                        op: "poll",
                        source: e.into(),
                    });
                }
            };
            if n == 0 {
                if !touched.is_empty() || !removed.is_empty() {
                    break; // quiet for the settle time
                }
                match deadline.and_then(|d| d.checked_duration_since(Instant::now())) {
                    Some(left) if !left.is_zero() => wait_for = left,
                    _ => break,
                }
                continue;
            }
            for event in self.socket.iter() {
                let mut props = BTreeMap::new();
                for p in event.properties() {
                    props.insert(
                        p.name().to_string_lossy().into_owned(),
                        p.value().to_string_lossy().into_owned(),
                    );
                }
                match route_uevent(&props) {
                    Some(Route::DiskGone(devpath)) => {
                        touched.remove(&devpath);
                        removed.push(devpath);
                    }
                    Some(Route::DiskTouched(devpath)) => {
                        let syspath = PathBuf::from(format!("/sys{devpath}"));
                        touched.insert(devpath, syspath);
                    }
                    None => {}
                }
            }
            let now = Instant::now();
            let until =
                *collect_until.get_or_insert_with(|| now.checked_add(MAX_COLLECT).unwrap_or(now));
            match until.checked_duration_since(now) {
                Some(left) if !left.is_zero() => wait_for = self.settle.min(left),
                _ => break,
            }
        }
        let mut events = Vec::new();
        for devpath in removed {
            if let Some(ev) = self.tracker.removed(&devpath) {
                events.push(ev);
            }
        }
        for (devpath, syspath) in touched {
            match record_syspath(&syspath) {
                Ok(record) => {
                    if let Some(ev) = self.tracker.observe(classify(&record, &self.policy)) {
                        events.push(ev);
                    }
                }
                // Gone again before it could be recorded: a removal.
                Err(_) if !syspath.exists() => {
                    if let Some(ev) = self.tracker.removed(&devpath) {
                        events.push(ev);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(events)
    }
}
