//! The device layer, without libudev: records disks from sysfs into [`DiskRecord`]s, enumerates
//! what is present at start and listens to the kernel's uevents for insertions and removals.
//!
//! Everything is read straight from the kernel: the device tree in sysfs ([`SysRoot`]: each
//! device's `uevent` file, its `subsystem` and `driver` links and a few attributes; ancestors are
//! the parent directories that are devices) and the kernel's uevent netlink group
//! ([`UeventSocket`], through nix's safe socket API). The appliance runs no udev daemon, so
//! nothing udev would add (`ID_FS_TYPE`, `ID_SERIAL`) is expected: identities come from sysfs
//! attributes, file systems from [`crate::fsprobe`]. Everything that is decided is decided by
//! [`crate::detect::classify`] and [`crate::tracker::Tracker`] on the recorded data.
//!
//! The records are the ones libudev gave (same properties, `DEVNAME` under `/dev`, the same
//! ancestors), so the fixtures recorded with it still describe what this layer records.

use std::collections::{BTreeMap, BTreeSet};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, NetlinkAddr, SockFlag, SockProtocol, SockType, bind, recvfrom, setsockopt,
    socket, sockopt,
};

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

/// The most bytes read of one sysfs file (`uevent` or an attribute); they are a few hundred.
const SYSFS_FILE_CAP: u64 = 64 * 1024;

/// Parses the text of a sysfs `uevent` file (`KEY=VALUE` lines).
pub fn parse_uevent_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Where the kernel's device tree and the device nodes are: `/sys` and `/dev` on a real system,
/// a fixture tree (a directory with `devices/`, `class/block/` and image files standing in for
/// the nodes) in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysRoot {
    sys: PathBuf,
    dev: PathBuf,
}

impl SysRoot {
    /// The running system: `/sys` and `/dev`.
    pub fn system() -> SysRoot {
        SysRoot::new("/sys", "/dev")
    }

    /// A device tree at `sys` whose device nodes (`DEVNAME`, relative to `/dev`) are below `dev`.
    pub fn new(sys: impl Into<PathBuf>, dev: impl Into<PathBuf>) -> SysRoot {
        SysRoot {
            sys: sys.into(),
            dev: dev.into(),
        }
    }

    /// The sysfs path of a device path (`/devices/...`).
    pub fn syspath(&self, devpath: &str) -> PathBuf {
        self.sys.join(devpath.trim_start_matches('/'))
    }

    /// The device path (`/devices/...`) of a sysfs path, following links (`/sys/block/sda`,
    /// `/sys/class/block/sda1`).
    pub fn devpath_of(&self, syspath: &Path) -> Result<String, MediaError> {
        let real = std::fs::canonicalize(syspath)
            .map_err(|e| MediaError::io("resolve sysfs path", syspath, e))?;
        let root = std::fs::canonicalize(&self.sys)
            .map_err(|e| MediaError::io("resolve sysfs root", &self.sys, e))?;
        let rel = real.strip_prefix(&root).map_err(|_| {
            MediaError::io(
                "resolve sysfs path",
                syspath,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not below the sysfs root"),
            )
        })?;
        Ok(format!("/{}", rel.to_string_lossy()))
    }

    /// Where the node of a recorded device is (`DEVNAME` below this root's `/dev`).
    pub fn node(&self, dev: &RecordedDevice) -> PathBuf {
        let node = dev.devnode();
        match node.strip_prefix("/dev") {
            Ok(rel) => self.dev.join(rel),
            Err(_) => node,
        }
    }

    /// Records one device: its `uevent` properties (with `DEVPATH` and `SUBSYSTEM` added and
    /// `DEVNAME` under `/dev`, as libudev gave them), its subsystem, `DEVTYPE`, bound driver and
    /// the attributes of [`RECORDED_ATTRIBUTES`].
    pub fn record_device(&self, devpath: &str) -> Result<RecordedDevice, MediaError> {
        let dir = self.syspath(devpath);
        // Device paths come from the kernel (uevents, links in sysfs): refuse anything that
        // could leave the tree all the same.
        let clean = Path::new(devpath)
            .components()
            .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        if !clean || !devpath.starts_with("/devices/") {
            return Err(MediaError::io(
                "record device",
                &dir,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a device path"),
            ));
        }
        let uevent_path = dir.join("uevent");
        let uevent = read_small(&uevent_path)?;
        let mut properties = parse_uevent_file(&uevent);
        let link_name = |name: &str| {
            std::fs::read_link(dir.join(name))
                .ok()
                .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()))
        };
        let subsystem = link_name("subsystem");
        let driver = link_name("driver");
        if let Some(name) = properties
            .get_mut("DEVNAME")
            .filter(|n| !n.starts_with('/'))
        {
            *name = format!("/dev/{name}");
        }
        if let Some(s) = &subsystem {
            properties.insert("DEVPATH".to_owned(), devpath.to_owned());
            properties.insert("SUBSYSTEM".to_owned(), s.clone());
        }
        let mut attributes = BTreeMap::new();
        for a in RECORDED_ATTRIBUTES {
            let path = dir.join(a);
            // Only regular files: a link (`driver`, `subsystem`) or directory is no attribute.
            let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
            if let Some(v) = regular.then(|| read_small(&path).ok()).flatten() {
                attributes.insert(a.to_owned(), v.trim().to_owned());
            }
        }
        let sysname = devpath
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .replace('!', "/");
        Ok(RecordedDevice {
            devpath: devpath.to_owned(),
            subsystem: subsystem.unwrap_or_default(),
            devtype: properties.get("DEVTYPE").cloned(),
            sysname,
            driver,
            properties,
            attributes,
        })
    }

    /// Whether the directory of a device path is a device (it has a `uevent` file).
    fn is_device(&self, devpath: &str) -> bool {
        self.syspath(devpath).join("uevent").is_file()
    }

    fn probe(&self, dev: &RecordedDevice) -> FsProbe {
        if dev.size_bytes() == Some(0) {
            return FsProbe::None;
        }
        let node = self.node(dev);
        // Unprivileged under the appliance's init: the init reads the device.
        if self.dev == Path::new("/dev")
            && let Ok(name) = crate::mountd::DeviceName::of_node(&node)
            && let Some(answer) = crate::mountd::call(&crate::mountd::Request::Probe(name))
        {
            return match answer {
                Ok(crate::mountd::Response::Probed(p)) => p,
                Ok(other) => FsProbe::Unreadable(format!("the init answered {other:?}")),
                Err(e) => FsProbe::Unreadable(e.to_string()),
            };
        }
        match probe_device(&node) {
            Ok(p) => p,
            Err(e) => FsProbe::Unreadable(e.to_string()),
        }
    }

    /// Records a whole disk: itself, its ancestors (the parent directories that are devices,
    /// nearest first), its partitions (its subdirectories that are block partitions), and the
    /// file system of each partition (or of the whole disk when it has none), read from the
    /// device nodes.
    pub fn record_disk(&self, devpath: &str) -> Result<DiskRecord, MediaError> {
        let me = self.record_device(devpath)?;
        let mut ancestors = Vec::new();
        let mut current = devpath;
        while let Some((parent, _)) = current.rsplit_once('/') {
            if parent.is_empty() {
                break;
            }
            if self.is_device(parent) {
                ancestors.push(self.record_device(parent)?);
            }
            current = parent;
        }
        let dir = self.syspath(devpath);
        let entries = std::fs::read_dir(&dir).map_err(|e| MediaError::io("read", &dir, e))?;
        let mut partitions = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| MediaError::io("read", &dir, e))?;
            // Real subdirectories only: `holders/`, `queue/`, `power/` are no devices, `bdi` and
            // `device` are links.
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let child = format!("{devpath}/{}", entry.file_name().to_string_lossy());
            if !self.is_device(&child) {
                continue;
            }
            let rec = match self.record_device(&child) {
                Ok(rec) => rec,
                // Gone while being recorded (the table is being re-read): its event follows.
                Err(e) if is_gone(&e) => continue,
                Err(e) => return Err(e),
            };
            if rec.subsystem == "block" && rec.devtype.as_deref() == Some("partition") {
                let fs = self.probe(&rec);
                partitions.push(PartitionRecord { device: rec, fs });
            }
        }
        partitions.sort_by(|a, b| a.device.sysname.cmp(&b.device.sysname));
        self.fill_partuuids(&me, &mut partitions);
        let whole_disk_fs = if partitions.is_empty() {
            self.probe(&me)
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
    pub fn record_syspath(&self, syspath: &Path) -> Result<DiskRecord, MediaError> {
        let devpath = self.devpath_of(syspath)?;
        self.record_disk(&devpath)
    }

    /// The device paths of every whole block disk present (from `class/block`), sorted.
    pub fn block_disks(&self) -> Result<Vec<String>, MediaError> {
        let class = self.sys.join("class/block");
        let entries = std::fs::read_dir(&class).map_err(|e| MediaError::io("read", &class, e))?;
        let mut disks = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| MediaError::io("read", &class, e))?;
            // A device gone between the listing and here is simply not present.
            let Ok(devpath) = self.devpath_of(&entry.path()) else {
                continue;
            };
            let Ok(uevent) = read_small(&self.syspath(&devpath).join("uevent")) else {
                continue;
            };
            if parse_uevent_file(&uevent)
                .get("DEVTYPE")
                .map(String::as_str)
                == Some("disk")
            {
                disks.push(devpath);
            }
        }
        disks.sort();
        Ok(disks)
    }

    /// Kernels before the PARTUUID uevent variable (Debian 12's 6.1) leave it out: compute it
    /// from the disk's partition table so that the boot stick is recognised. An unreadable disk
    /// leaves the partitions as they are.
    fn fill_partuuids(&self, disk: &RecordedDevice, partitions: &mut [PartitionRecord]) {
        if partitions
            .iter()
            .all(|p| p.device.properties.contains_key("PARTUUID"))
        {
            return;
        }
        // 24 KiB: a GPT with 4096-byte sectors (header at 4 KiB, 128 entries of 128 bytes at
        // 8 KiB).
        let Ok(head) = crate::fsprobe::read_head(&self.node(disk), 0x6000) else {
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
}

/// Reads a small sysfs file (at most 64 KiB) as text; bytes that are not UTF-8 are replaced
/// (as libudev did), never a reason to drop the attribute or the device.
fn read_small(path: &Path) -> Result<String, MediaError> {
    let cap = usize::try_from(SYSFS_FILE_CAP).unwrap_or(usize::MAX);
    crate::fsprobe::read_head(path, cap).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Whether an error of recording a device means it is gone: ENOENT, or ENODEV from a sysfs
/// file of a device deleted while it was open.
fn is_gone(e: &MediaError) -> bool {
    matches!(e, MediaError::Io { source, .. }
        if source.kind() == std::io::ErrorKind::NotFound
            || source.raw_os_error() == Some(nix::libc::ENODEV))
}

/// Records the disk at a sysfs path of the running system (`/sys/block/sda`).
pub fn record_syspath(syspath: &Path) -> Result<DiskRecord, MediaError> {
    SysRoot::system().record_syspath(syspath)
}

/// The kernel's multicast group of uevents (what `udevadm monitor --kernel` listens to).
const KERNEL_UEVENT_GROUP: u32 = 1;

/// The largest uevent the kernel sends is a little over 2 KiB (`UEVENT_BUFFER_SIZE`).
const UEVENT_MESSAGE_CAP: usize = 8 * 1024;

/// Parses one message of the kernel's uevent netlink group: `ACTION@DEVPATH`, then `KEY=VALUE`
/// fields, each ending in a NUL. `None` for anything else (udevd's `libudev` messages, a message
/// without `ACTION` or `DEVPATH`). Values are as the kernel sends them (`DEVNAME` relative to
/// `/dev`).
pub fn parse_uevent_message(msg: &[u8]) -> Option<BTreeMap<String, String>> {
    let mut fields = msg.split(|b| *b == 0);
    let header = fields.next()?;
    // udevd's own messages start "libudev" without an '@': not the kernel's.
    if !header.contains(&b'@') {
        return None;
    }
    let props: BTreeMap<String, String> = fields
        .filter_map(|f| {
            let text = std::str::from_utf8(f).ok()?;
            let (k, v) = text.split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect();
    (props.contains_key("ACTION") && props.contains_key("DEVPATH")).then_some(props)
}

/// What [`UeventSocket::receive`] found waiting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// The uevents, oldest first (all subsystems).
    pub events: Vec<BTreeMap<String, String>>,
    /// The kernel dropped events because the socket's buffer was full (`ENOBUFS`): what is
    /// present must be enumerated again.
    pub overflowed: bool,
}

/// The kernel's uevent netlink socket (non-blocking, close-on-exec), bound to the kernel's
/// group: every device event as the kernel sends it. Only messages from the kernel itself
/// (netlink port 0) are accepted.
#[derive(Debug)]
pub struct UeventSocket {
    fd: OwnedFd,
}

impl AsFd for UeventSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl UeventSocket {
    /// Opens the socket and joins the kernel's uevent group.
    pub fn open() -> Result<UeventSocket, MediaError> {
        let err = |op| {
            move |e: Errno| MediaError::Devices {
                op,
                source: e.into(),
            }
        };
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Datagram,
            SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkKObjectUEvent,
        )
        .map_err(err("uevent socket"))?;
        // A bigger buffer, so that a burst (a hub with several sticks) is not dropped; best
        // effort: a dropped event is noticed (ENOBUFS) and answered with a new enumeration.
        let _ = setsockopt(&fd, sockopt::RcvBuf, &(1024 * 1024));
        bind(fd.as_raw_fd(), &NetlinkAddr::new(0, KERNEL_UEVENT_GROUP))
            .map_err(err("uevent bind"))?;
        Ok(UeventSocket { fd })
    }

    /// Takes the uevents waiting, without blocking: block devices' only, at most
    /// [`UEVENT_BATCH`] (a flapping device cannot grow the batch without bound); more waiting is
    /// reported as an overflow, which the caller answers with a new enumeration.
    pub fn receive(&self) -> Result<Received, MediaError> {
        let mut received = Received::default();
        let mut buf = vec![0u8; UEVENT_MESSAGE_CAP];
        for _ in 0..UEVENT_BATCH {
            match recvfrom::<NetlinkAddr>(self.fd.as_raw_fd(), &mut buf) {
                Ok((n, from)) => {
                    if from.map(|a| a.pid()) != Some(0) {
                        continue; // not from the kernel
                    }
                    if let Some(props) = buf
                        .get(..n)
                        .and_then(parse_uevent_message)
                        .filter(|p| p.get("SUBSYSTEM").map(String::as_str) == Some("block"))
                    {
                        received.events.push(props);
                    }
                }
                Err(Errno::EAGAIN) => return Ok(received),
                Err(Errno::EINTR) => {}
                Err(Errno::ENOBUFS) => received.overflowed = true,
                Err(e) => {
                    return Err(MediaError::Devices {
                        op: "uevent receive",
                        source: e.into(),
                    });
                }
            }
        }
        received.overflowed = true;
        Ok(received)
    }
}

/// The most uevent messages one [`UeventSocket::receive`] takes.
pub const UEVENT_BATCH: usize = 1024;

/// The EFI variable the systemd-boot stub of the unified kernel image sets to the PARTUUID of the
/// partition it was loaded from (the boot stick's ESP).
pub const LOADER_DEVICE_PARTUUID: &str =
    "/sys/firmware/efi/efivars/LoaderDevicePartUUID-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

/// The policy of the running system: the boot partition from [`LOADER_DEVICE_PARTUUID`] (none
/// when not booted through the stub), the block devices mounted outside `runtime_dir`, and the
/// recognised file systems in `/proc/filesystems`; a stick may carry vfat or exFAT only
/// ([`crate::fsprobe::MediaFilesystems::STRANGERS`], whatever the kernel has). Unreadable files
/// leave their part empty.
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
        media_filesystems: crate::fsprobe::MediaFilesystems::STRANGERS,
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
#[derive(Debug)]
pub struct Watcher {
    socket: UeventSocket,
    root: SysRoot,
    policy: Policy,
    tracker: Tracker,
    settle: Duration,
}

/// What a batch of uevents asks for: disks to record again and disks that are gone.
#[derive(Debug, Default)]
struct Pending {
    touched: BTreeSet<String>,
    removed: Vec<String>,
    resync: bool,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.touched.is_empty() && self.removed.is_empty() && !self.resync
    }

    fn add(&mut self, received: Received) {
        self.resync |= received.overflowed;
        for props in &received.events {
            match route_uevent(props) {
                Some(Route::DiskGone(devpath)) => {
                    self.touched.remove(&devpath);
                    self.removed.push(devpath);
                }
                Some(Route::DiskTouched(devpath)) => {
                    self.touched.insert(devpath);
                }
                None => {}
            }
        }
    }
}

impl Watcher {
    /// Starts listening to the kernel's uevents (before enumerating, so nothing inserted in
    /// between is missed). Call [`Watcher::scan`] next.
    pub fn new(policy: Policy) -> Result<Watcher, MediaError> {
        Watcher::with_root(policy, SysRoot::system())
    }

    /// The same on another device tree (a fixture tree in tests); the uevents are still the
    /// kernel's.
    pub fn with_root(policy: Policy, root: SysRoot) -> Result<Watcher, MediaError> {
        Ok(Watcher {
            socket: UeventSocket::open()?,
            root,
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
        let mut events = Vec::new();
        for devpath in self.root.block_disks()? {
            let record = match self.root.record_disk(&devpath) {
                Ok(record) => record,
                // Removed between the listing and here: not present.
                Err(e) if is_gone(&e) => continue,
                Err(e) => return Err(e),
            };
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
        let mut pending = Pending::default();
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
                Err(Errno::EINTR) => 0,
                Err(e) => {
                    return Err(MediaError::Devices {
                        op: "poll",
                        source: e.into(),
                    });
                }
            };
            if n == 0 {
                if !pending.is_empty() {
                    break; // quiet for the settle time
                }
                match deadline.and_then(|d| d.checked_duration_since(Instant::now())) {
                    Some(left) if !left.is_zero() => wait_for = left,
                    _ => break,
                }
                continue;
            }
            pending.add(self.socket.receive()?);
            if pending.is_empty() {
                // Only events of other subsystems: keep waiting for the caller's time.
                match deadline.and_then(|d| d.checked_duration_since(Instant::now())) {
                    Some(left) if !left.is_zero() => wait_for = left,
                    _ => break,
                }
                continue;
            }
            let now = Instant::now();
            let until =
                *collect_until.get_or_insert_with(|| now.checked_add(MAX_COLLECT).unwrap_or(now));
            match until.checked_duration_since(now) {
                Some(left) if !left.is_zero() => wait_for = self.settle.min(left),
                _ => break,
            }
        }
        self.apply(pending)
    }

    /// Takes a batch of uevents into account at once (as [`Watcher::wait`] does after
    /// collecting them): re-records the disks they concern and reports what changed. With
    /// `overflowed` (events were lost) every disk is enumerated again.
    pub fn handle_uevents(
        &mut self,
        events: Vec<BTreeMap<String, String>>,
        overflowed: bool,
    ) -> Result<Vec<StickEvent>, MediaError> {
        let mut pending = Pending::default();
        pending.add(Received { events, overflowed });
        self.apply(pending)
    }

    fn apply(&mut self, mut pending: Pending) -> Result<Vec<StickEvent>, MediaError> {
        if pending.resync {
            // Events were lost: what is there now is the truth.
            let present: BTreeSet<String> = self.root.block_disks()?.into_iter().collect();
            pending.removed.extend(
                self.tracker
                    .present()
                    .map(|c| c.devpath.clone())
                    .filter(|d| !present.contains(d)),
            );
            pending.touched.extend(present);
        }
        let mut events = Vec::new();
        for devpath in pending.removed {
            if let Some(ev) = self.tracker.removed(&devpath) {
                events.push(ev);
            }
        }
        for devpath in pending.touched {
            match self.root.record_disk(&devpath) {
                Ok(record) => {
                    if let Some(ev) = self.tracker.observe(classify(&record, &self.policy)) {
                        events.push(ev);
                    }
                }
                // Gone again before it could be recorded: a removal.
                Err(_) if !self.root.syspath(&devpath).exists() => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_uevent_messages_parse() {
        let msg = b"remove@/devices/x/block/sda/sda1\0ACTION=remove\0DEVPATH=/devices/x/block/sda/sda1\0SUBSYSTEM=block\0DEVNAME=sda1\0DEVTYPE=partition\0SEQNUM=698\0";
        let p = parse_uevent_message(msg).unwrap();
        assert_eq!(p.get("ACTION").map(String::as_str), Some("remove"));
        assert_eq!(p.get("DEVNAME").map(String::as_str), Some("sda1"));
        assert_eq!(p.len(), 6);
        assert_eq!(
            route_uevent(&p),
            Some(Route::DiskTouched("/devices/x/block/sda".into()))
        );
        // A value holding '=' keeps it.
        let p = parse_uevent_message(b"add@/devices/y\0ACTION=add\0DEVPATH=/devices/y\0K=a=b\0")
            .unwrap();
        assert_eq!(p.get("K").map(String::as_str), Some("a=b"));
    }

    #[test]
    fn other_messages_are_refused() {
        // udevd's own format (its netlink group, never the kernel's).
        assert_eq!(
            parse_uevent_message(b"libudev\0\xfe\xed\xca\xfeACTION=add\0DEVPATH=/devices/y\0"),
            None
        );
        // No header, no ACTION, no DEVPATH, nothing.
        assert_eq!(
            parse_uevent_message(b"ACTION=add\0DEVPATH=/devices/y\0"),
            None
        );
        assert_eq!(
            parse_uevent_message(b"add@/devices/y\0DEVPATH=/devices/y\0"),
            None
        );
        assert_eq!(parse_uevent_message(b"add@/devices/y\0ACTION=add\0"), None);
        assert_eq!(parse_uevent_message(b""), None);
    }

    #[test]
    fn uevent_files_parse() {
        let p = parse_uevent_file(
            "MAJOR=8\nMINOR=1\nDEVNAME=sda1\nDEVTYPE=partition\nPARTN=1\n\njunk\n",
        );
        assert_eq!(p.len(), 5);
        assert_eq!(p.get("DEVNAME").map(String::as_str), Some("sda1"));
        assert!(parse_uevent_file("").is_empty());
    }
}
