//! Which block devices are USB sticks, and which of those can be used: a pure decision over
//! recorded sysfs/uevent data.
//!
//! The thin device layer ([`crate::watch`], sysfs and kernel uevents) records a [`DiskRecord`] for a disk (its uevent
//! properties, a few sysfs attributes, its ancestors up to the USB device, its partitions and the
//! file system found on each). [`classify`] decides from that record alone, so the decision is
//! tested on recorded data (tests/fixtures) without hardware.
//!
//! Rules, in order:
//! 1. Only whole disks (`SUBSYSTEM=block`, `DEVTYPE=disk`) are classified; partitions belong to
//!    their disk.
//! 2. Only disks below a USB interface driven by `usb-storage` or `uas` count. Internal disks
//!    (virtio, SATA, NVMe), loop, zram and device-mapper devices are ignored without a message.
//!    The `removable` attribute is *not* used: many real sticks and QEMU's `usb-storage` report 0.
//! 3. The boot stick (a partition whose `PARTUUID` the policy names, read from the EFI variable
//!    `LoaderDevicePartUUID`) and any disk the system itself has mounted are left alone.
//! 4. A disk of size 0 (a card reader without a card) has no medium.
//! 5. With partitions: exactly one partition with a file system that a stranger's stick may carry
//!    ([`crate::fsprobe::MediaFilesystems`]: vfat or exFAT) is usable; none is "geen bruikbare
//!    partitie" — ext4 (the appliance's own data partition's file system, never mounted from
//!    another stick) with its own reason, [`Unusable::RefusedFileSystem`], other file systems
//!    named; several is refused as ambiguous. Without partitions: the whole disk's file system
//!    decides the same way.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::fsprobe::{FsProbe, FsType, MediaFilesystems};

/// One device as seen in sysfs or in a kernel uevent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedDevice {
    /// The kernel's device path, e.g. `/devices/pci0000:00/.../block/sda`.
    pub devpath: String,
    /// `block`, `scsi`, `usb`, `pci`, ...
    pub subsystem: String,
    /// `disk`, `partition`, `usb_device`, `usb_interface`, `scsi_device`, ...
    #[serde(default)]
    pub devtype: Option<String>,
    /// The last component of the device path.
    pub sysname: String,
    /// The bound driver (`usb-storage`, `uas`, `sd`, `virtio_blk`, ...).
    #[serde(default)]
    pub driver: Option<String>,
    /// The uevent properties (`MAJOR`, `MINOR`, `DEVNAME`, `PARTN`, `PARTUUID`, ...).
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// The sysfs attributes this crate reads (`size`, `removable`, `ro`, `vendor`, `model`,
    /// `idVendor`, `idProduct`, `manufacturer`, `product`, `serial`), trimmed.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

impl RecordedDevice {
    fn prop(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(String::as_str)
    }

    fn attr(&self, key: &str) -> Option<&str> {
        self.attributes
            .get(key)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The device node: `/dev/` + `DEVNAME` (the kernel gives it relative to /dev).
    pub fn devnode(&self) -> PathBuf {
        let name = self.prop("DEVNAME").unwrap_or(&self.sysname);
        if name.starts_with('/') {
            PathBuf::from(name)
        } else {
            PathBuf::from("/dev").join(name)
        }
    }

    /// `MAJOR:MINOR`, when the uevent gives both.
    pub fn devnum(&self) -> Option<String> {
        Some(format!("{}:{}", self.prop("MAJOR")?, self.prop("MINOR")?))
    }

    /// Size in bytes, from the `size` attribute (always in 512-byte sectors).
    pub fn size_bytes(&self) -> Option<u64> {
        self.attr("size")?.parse::<u64>().ok()?.checked_mul(512)
    }
}

/// A partition of a disk with the file system found on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionRecord {
    /// The partition as recorded.
    pub device: RecordedDevice,
    /// What its first bytes say.
    pub fs: FsProbe,
}

/// Everything [`classify`] needs about one disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskRecord {
    /// The disk itself.
    pub disk: RecordedDevice,
    /// Its ancestors, nearest first (scsi_device, scsi_target, scsi_host, usb_interface,
    /// usb_device, ..., pci).
    #[serde(default)]
    pub ancestors: Vec<RecordedDevice>,
    /// Its partitions, as the kernel found them.
    #[serde(default)]
    pub partitions: Vec<PartitionRecord>,
    /// What the first bytes of the whole disk say (used only when there are no partitions).
    pub whole_disk_fs: FsProbe,
}

/// Who a device is, for messages and the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeviceIdentity {
    /// USB manufacturer string, else the SCSI vendor.
    pub vendor: Option<String>,
    /// USB product string, else the SCSI model.
    pub model: Option<String>,
    /// USB serial number, when the device has one.
    pub serial: Option<String>,
    /// The disk's device node (`/dev/sda`) or, for a demo folder, its path.
    pub devnode: String,
}

impl DeviceIdentity {
    /// "vendor model (serial ...) at /dev/sda", in English, for the logs (the terminal words
    /// it for the officials).
    pub fn describe(&self) -> String {
        let mut s = String::new();
        for part in [&self.vendor, &self.model].into_iter().flatten() {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(part);
        }
        if s.is_empty() {
            s.push_str("unknown device");
        }
        if let Some(serial) = &self.serial {
            s.push_str(&format!(" (serial {serial})"));
        }
        s.push_str(&format!(" at {}", self.devnode));
        s
    }
}

/// What the caller tells [`classify`] about the running system.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// PARTUUIDs of the boot medium's partitions (lower case), e.g. from
    /// [`parse_loader_device_partuuid`]. A disk with such a partition is never used.
    pub boot_partuuids: Vec<String>,
    /// `MAJOR:MINOR` of block devices the system has mounted (see
    /// [`crate::mount::system_mounted_devnums`]). A disk with such a device is never used.
    pub system_devnums: Vec<String>,
    /// The recognised file systems this kernel has (from `/proc/filesystems`, see
    /// [`crate::fsprobe::kernel_filesystems`]); empty means "not checked". A stick whose only
    /// file system the kernel lacks (exFAT without the module) is reported as unsupported.
    pub kernel_filesystems: Vec<FsType>,
    /// Which file systems a stick may carry ([`MediaFilesystems::STRANGERS`] unless a host
    /// test says otherwise): ext4 is refused with [`Unusable::RefusedFileSystem`] even when
    /// the kernel has it (for the data partition of the appliance's own boot stick).
    pub media_filesystems: MediaFilesystems,
}

/// A file system that can be mounted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    /// The partition's (or partitionless disk's) device node.
    pub devnode: PathBuf,
    /// `MAJOR:MINOR` of that node, when known.
    pub devnum: Option<String>,
    /// The file system.
    pub fs: FsType,
    /// The partition number, `None` for a partitionless stick.
    pub partition: Option<u32>,
    /// Size in bytes, when known.
    pub size_bytes: Option<u64>,
}

/// Why a device is left alone without a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreReason {
    /// Not a whole block disk (a partition, or another subsystem).
    NotADisk,
    /// Not below a USB mass-storage interface: an internal disk, loop, zram, device-mapper.
    NotUsbStorage,
    /// The stick the appliance booted from.
    BootMedium,
    /// The system itself has a file system of this disk mounted.
    MountedBySystem,
}

/// Why a USB stick cannot be used. Shown to the officials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unusable {
    /// Size 0: a card reader without a card.
    NoMedium,
    /// No partition (nor the whole disk) carries a file system, supported or not.
    NoUsablePartition,
    /// Only file systems that are never mounted, not even by the appliance itself (their names).
    UnsupportedFileSystem(Vec<String>),
    /// A file system this appliance has but never mounts from a stick (`ext4`: only the
    /// appliance's own data partition carries it); the names. The stick is not mounted.
    RefusedFileSystem(Vec<String>),
    /// More than one partition with a supported file system: which one is meant is not guessed.
    SeveralUsablePartitions(usize),
    /// A partition (or the disk) could not be read (the errors).
    Unreadable(Vec<String>),
}

impl std::fmt::Display for Unusable {
    /// In English, for the logs (the terminal words it for the officials).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::NoMedium => f.write_str("no medium (a card reader without a card?)"),
            Unusable::NoUsablePartition => f.write_str("no usable partition"),
            Unusable::UnsupportedFileSystem(names) => write!(
                f,
                "no usable partition: file system not supported ({})",
                names.join(", ")
            ),
            Unusable::RefusedFileSystem(names) => write!(
                f,
                "no usable partition: {} is never mounted from a stick (vfat or exFAT only); not mounted",
                names.join(", ")
            ),
            Unusable::SeveralUsablePartitions(n) => write!(f, "{n} usable partitions"),
            Unusable::Unreadable(errors) => write!(f, "unreadable ({})", errors.join("; ")),
        }
    }
}

/// The decision about one disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Not a USB stick this program deals with.
    Ignored(IgnoreReason),
    /// A USB stick that cannot be used, and why.
    Unusable(Unusable),
    /// A USB stick with one file system to mount.
    Usable(Volume),
}

/// A classified disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// The disk's device path (the key for its removal event).
    pub devpath: String,
    /// Who it is.
    pub identity: DeviceIdentity,
    /// True when the disk sits below a USB mass-storage interface.
    pub usb: bool,
    /// The decision.
    pub verdict: Verdict,
}

impl std::fmt::Display for Classification {
    /// A line for the logs, in English.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.verdict {
            Verdict::Usable(v) => write!(
                f,
                "stick {}: usable ({}{})",
                self.identity.describe(),
                v.fs.kernel_name(),
                v.partition
                    .map(|p| format!(", partition {p}"))
                    .unwrap_or_default()
            ),
            Verdict::Unusable(u) => write!(f, "stick {}: {u}", self.identity.describe()),
            Verdict::Ignored(r) => write!(f, "device {} ignored ({r:?})", self.identity.describe()),
        }
    }
}

const USB_STORAGE_DRIVERS: [&str; 2] = ["usb-storage", "uas"];

fn is_usb_storage(record: &DiskRecord) -> bool {
    record.ancestors.iter().any(|a| {
        a.subsystem == "usb"
            && a.devtype.as_deref() == Some("usb_interface")
            && a.driver
                .as_deref()
                .is_some_and(|d| USB_STORAGE_DRIVERS.contains(&d))
    })
}

/// The identity of a disk from its ancestors: the USB device's strings first, the SCSI inquiry
/// data as fallback.
pub fn identity_of(record: &DiskRecord) -> DeviceIdentity {
    let usb = record
        .ancestors
        .iter()
        .find(|a| a.subsystem == "usb" && a.devtype.as_deref() == Some("usb_device"));
    let scsi = record
        .ancestors
        .iter()
        .find(|a| a.subsystem == "scsi" && a.devtype.as_deref() == Some("scsi_device"));
    let pick = |usb_key: &str, scsi_key: &str| {
        usb.and_then(|u| u.attr(usb_key))
            .or_else(|| scsi.and_then(|s| s.attr(scsi_key)))
            .map(str::to_owned)
    };
    DeviceIdentity {
        vendor: pick("manufacturer", "vendor"),
        model: pick("product", "model"),
        serial: usb.and_then(|u| u.attr("serial")).map(str::to_owned),
        devnode: record.disk.devnode().display().to_string(),
    }
}

/// Decides about one disk. Pure: the same record and policy always give the same answer.
pub fn classify(record: &DiskRecord, policy: &Policy) -> Classification {
    let usb = is_usb_storage(record);
    let verdict = decide(record, policy, usb);
    Classification {
        devpath: record.disk.devpath.clone(),
        identity: identity_of(record),
        usb,
        verdict,
    }
}

fn decide(record: &DiskRecord, policy: &Policy, usb: bool) -> Verdict {
    let disk = &record.disk;
    if disk.subsystem != "block" || disk.devtype.as_deref() != Some("disk") {
        return Verdict::Ignored(IgnoreReason::NotADisk);
    }
    if !usb {
        return Verdict::Ignored(IgnoreReason::NotUsbStorage);
    }
    let is_boot = record.partitions.iter().any(|p| {
        p.device.prop("PARTUUID").is_some_and(|u| {
            policy
                .boot_partuuids
                .iter()
                .any(|b| b.eq_ignore_ascii_case(u))
        })
    });
    if is_boot {
        return Verdict::Ignored(IgnoreReason::BootMedium);
    }
    let mounted = std::iter::once(disk)
        .chain(record.partitions.iter().map(|p| &p.device))
        .filter_map(RecordedDevice::devnum)
        .any(|n| policy.system_devnums.contains(&n));
    if mounted {
        return Verdict::Ignored(IgnoreReason::MountedBySystem);
    }
    if disk.size_bytes() == Some(0) {
        return Verdict::Unusable(Unusable::NoMedium);
    }
    let candidates: Vec<(&RecordedDevice, &FsProbe, Option<u32>)> = if record.partitions.is_empty()
    {
        vec![(disk, &record.whole_disk_fs, None)]
    } else {
        record
            .partitions
            .iter()
            .map(|p| {
                let partn = p.device.prop("PARTN").and_then(|n| n.parse::<u32>().ok());
                (&p.device, &p.fs, partn)
            })
            .collect()
    };
    let supported: Vec<Volume> = candidates
        .iter()
        .filter_map(|(dev, fs, partn)| match fs {
            FsProbe::Supported(t)
                if policy.media_filesystems.allows(*t) && kernel_has(policy, *t) =>
            {
                Some(Volume {
                    devnode: dev.devnode(),
                    devnum: dev.devnum(),
                    fs: *t,
                    partition: *partn,
                    size_bytes: dev.size_bytes(),
                })
            }
            _ => None,
        })
        .collect();
    let mut supported = supported.into_iter();
    match (supported.next(), supported.next()) {
        (Some(one), None) => Verdict::Usable(one),
        (Some(_), Some(_)) => Verdict::Unusable(Unusable::SeveralUsablePartitions(
            2usize.saturating_add(supported.count()),
        )),
        (None, _) => {
            let mut refused: Vec<String> = candidates
                .iter()
                .filter_map(|(_, fs, _)| match fs {
                    FsProbe::Supported(t) if !policy.media_filesystems.allows(*t) => {
                        Some(t.kernel_name().to_owned())
                    }
                    _ => None,
                })
                .collect();
            refused.dedup();
            if !refused.is_empty() {
                return Verdict::Unusable(Unusable::RefusedFileSystem(refused));
            }
            let others: Vec<String> = candidates
                .iter()
                .filter_map(|(_, fs, _)| match fs {
                    FsProbe::Other(name) => Some(name.clone()),
                    FsProbe::Supported(t) if !kernel_has(policy, *t) => {
                        Some(format!("{} (niet in deze kernel)", t.kernel_name()))
                    }
                    _ => None,
                })
                .collect();
            let unreadable: Vec<String> = candidates
                .iter()
                .filter_map(|(_, fs, _)| match fs {
                    FsProbe::Unreadable(e) => Some(e.clone()),
                    _ => None,
                })
                .collect();
            if !unreadable.is_empty() {
                Verdict::Unusable(Unusable::Unreadable(unreadable))
            } else if others.is_empty() {
                Verdict::Unusable(Unusable::NoUsablePartition)
            } else {
                Verdict::Unusable(Unusable::UnsupportedFileSystem(others))
            }
        }
    }
}

fn kernel_has(policy: &Policy, fs: FsType) -> bool {
    policy.kernel_filesystems.is_empty() || policy.kernel_filesystems.contains(&fs)
}

/// Reads the PARTUUID from the contents of the EFI variable
/// `LoaderDevicePartUUID-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f` (set by the systemd-boot stub of
/// the unified kernel image: the partition the image was loaded from). The efivarfs file holds
/// 4 bytes of attributes, then a NUL-terminated UTF-16LE string. Returns it in lower case.
pub fn parse_loader_device_partuuid(efivar: &[u8]) -> Option<String> {
    let payload = efivar.get(4..)?;
    let units: Vec<u16> = payload
        .chunks_exact(2)
        .map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .take_while(|&u| u != 0)
        .collect();
    let s = String::from_utf16(&units).ok()?;
    let s = s.trim().to_ascii_lowercase();
    let valid = s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    valid.then_some(s)
}
