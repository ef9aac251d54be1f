//! Which file system is on a block device, from its first bytes.
//!
//! The appliance runs no udev daemon, so the `ID_FS_TYPE` that udev's blkid builtin would add to
//! an event is never there: the kernel's uevent says only that a disk or partition exists. This
//! module looks at the superblock itself. It recognises vfat, exFAT and ext4 and names a few
//! others so that the refusal can say what was found.
//!
//! Which of those a stick from outside may carry is [`MediaFilesystems`]: vfat and exFAT, the
//! file systems the Electoral Council and the other bodies exchange files on. ext4 is recognised
//! only to be refused by name: the kernel's ext4 driver is not built to withstand a crafted
//! image, and the appliance's one ext4 file system, the data partition of its own certified boot
//! stick, is mounted by the init (`tally-image`), never through this crate.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::MediaError;

/// How many bytes [`probe_device`] reads: enough for every signature below (btrfs sits at 64 KiB).
pub const PROBE_BYTES: usize = 0x11000;

/// A file system recognised on a stick. Which of them may be mounted from a stick is
/// [`MediaFilesystems`]'s decision, not this type's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FsType {
    /// FAT12/16/32: what almost every USB stick carries.
    Vfat,
    /// exFAT: large sticks; mounted only when the kernel has the module.
    Exfat,
    /// ext4 (with extents): recognised so that a stick carrying it is refused by name
    /// ([`MediaFilesystems::STRANGERS`] does not allow it).
    Ext4,
}

/// Which file systems a stick from outside the appliance (definitions, results of other
/// bodies, exports) may carry to be mounted: the policy for strangers' sticks.
///
/// The production value is [`MediaFilesystems::STRANGERS`] (also the `Default`): vfat and exFAT
/// only, simple file systems whose kernel drivers have a small attack surface. A crafted ext4
/// image is listed as unusable with the reason and never handed to the kernel's ext4 driver.
///
/// The only other value, `MediaFilesystems::host_tests_with_ext4`, also allows ext4; it exists
/// only with the crate feature `host-tests-ext4`, which nothing but this crate's own tests
/// enables (its dev-dependency on itself): the host's kernel has no vfat, so the tests that mount
/// loop devices on the host use ext4. See `docs/media.md`, "Only simple file systems from
/// strangers".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaFilesystems {
    ext4: bool,
}

impl MediaFilesystems {
    /// vfat and exFAT: the policy of the appliance.
    pub const STRANGERS: MediaFilesystems = MediaFilesystems { ext4: false };

    /// vfat, exFAT and ext4: for the host-side tests on ext4 loop devices only (this host's
    /// kernel has no vfat). Not in a production build: the feature `host-tests-ext4` is enabled
    /// only by this crate's dev-dependency on itself.
    #[cfg(feature = "host-tests-ext4")]
    pub const fn host_tests_with_ext4() -> MediaFilesystems {
        MediaFilesystems { ext4: true }
    }

    /// Whether a stick may be mounted with file system `fs`.
    pub fn allows(self, fs: FsType) -> bool {
        match fs {
            FsType::Vfat | FsType::Exfat => true,
            FsType::Ext4 => self.ext4,
        }
    }

    /// The file systems allowed, in a fixed order.
    pub fn allowed(self) -> Vec<FsType> {
        [FsType::Vfat, FsType::Exfat, FsType::Ext4]
            .into_iter()
            .filter(|t| self.allows(*t))
            .collect()
    }
}

impl Default for MediaFilesystems {
    fn default() -> MediaFilesystems {
        MediaFilesystems::STRANGERS
    }
}

impl FsType {
    /// The name `mount(2)` expects.
    pub fn kernel_name(self) -> &'static str {
        match self {
            FsType::Vfat => "vfat",
            FsType::Exfat => "exfat",
            FsType::Ext4 => "ext4",
        }
    }

    /// File-system-specific mount data. For FAT and exFAT, which have no owners on disk: files
    /// carry no execute bits and belong to the owner given. ext4 (host tests only, see
    /// [`MediaFilesystems`]) needs nothing (nodev, nosuid, noexec and nosymfollow are generic
    /// flags).
    /// `owner` (uid, gid): root, or the terminal's user when PID 1 mounts for it.
    pub fn mount_data(self, owner: (u32, u32)) -> Option<String> {
        let (uid, gid) = owner;
        match self {
            FsType::Vfat | FsType::Exfat => {
                Some(format!("uid={uid},gid={gid},fmask=0177,dmask=0077"))
            }
            FsType::Ext4 => None,
        }
    }
}

/// The recognised file systems named in `/proc/filesystems` text (a module the init has not
/// loaded is not there). That the kernel has one does not make it allowed on a stick: see
/// [`MediaFilesystems`].
pub fn kernel_filesystems(proc_filesystems: &str) -> Vec<FsType> {
    let names: Vec<&str> = proc_filesystems
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    [FsType::Vfat, FsType::Exfat, FsType::Ext4]
        .into_iter()
        .filter(|t| names.contains(&t.kernel_name()))
        .collect()
}

/// What the first bytes of a device say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FsProbe {
    /// No file system signature found (empty, zeroed, or only a partition table).
    None,
    /// A recognised file system (whether a stick may carry it is [`MediaFilesystems`]'s
    /// decision).
    Supported(FsType),
    /// A file system that is recognised by name only, never mounted (`"ntfs"`, `"ext3"`,
    /// `"btrfs"`, ...).
    Other(String),
    /// The device could not be read (the error): a failing or just-removed stick.
    Unreadable(String),
}

fn bytes_at(buf: &[u8], offset: usize, len: usize) -> Option<&[u8]> {
    buf.get(offset..offset.checked_add(len)?)
}

fn u16_le(buf: &[u8], offset: usize) -> Option<u16> {
    let b = bytes_at(buf, offset, 2)?;
    Some(u16::from_le_bytes([*b.first()?, *b.get(1)?]))
}

pub(crate) fn u32_le(buf: &[u8], offset: usize) -> Option<u32> {
    let b = bytes_at(buf, offset, 4)?;
    Some(u32::from_le_bytes([
        *b.first()?,
        *b.get(1)?,
        *b.get(2)?,
        *b.get(3)?,
    ]))
}

fn is_fat(buf: &[u8]) -> bool {
    if bytes_at(buf, 510, 2) != Some(&[0x55, 0xAA]) {
        return false;
    }
    if !matches!(buf.first(), Some(0xEB) | Some(0xE9)) {
        return false;
    }
    if !matches!(u16_le(buf, 11), Some(512 | 1024 | 2048 | 4096)) {
        return false;
    }
    // Sectors per cluster: a power of two.
    if !matches!(buf.get(13), Some(1 | 2 | 4 | 8 | 16 | 32 | 64 | 128)) {
        return false;
    }
    let fat16 = bytes_at(buf, 0x36, 5);
    let fat32 = bytes_at(buf, 0x52, 5);
    fat16 == Some(b"FAT12")
        || fat16 == Some(b"FAT16")
        || fat16 == Some(b"FAT  ")
        || fat32 == Some(b"FAT32")
}

/// Recognises the file system from the first bytes of a device (pass at least [`PROBE_BYTES`]
/// when available; shorter buffers simply match fewer signatures). Pure: never fails.
pub fn probe_bytes(buf: &[u8]) -> FsProbe {
    if bytes_at(buf, 3, 8) == Some(b"EXFAT   ") {
        return FsProbe::Supported(FsType::Exfat);
    }
    if bytes_at(buf, 3, 8) == Some(b"NTFS    ") {
        return FsProbe::Other("ntfs".into());
    }
    if is_fat(buf) {
        return FsProbe::Supported(FsType::Vfat);
    }
    // ext2/3/4: superblock at 1024, magic 0xEF53 at offset 0x38 in it.
    if u16_le(buf, 1024 + 0x38) == Some(0xEF53) {
        let compat = u32_le(buf, 1024 + 0x5C).unwrap_or(0);
        let incompat = u32_le(buf, 1024 + 0x60).unwrap_or(0);
        const INCOMPAT_EXTENTS: u32 = 0x40;
        const INCOMPAT_64BIT: u32 = 0x80;
        const INCOMPAT_FLEX_BG: u32 = 0x200;
        const COMPAT_HAS_JOURNAL: u32 = 0x4;
        if incompat & (INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG) != 0 {
            return FsProbe::Supported(FsType::Ext4);
        }
        return FsProbe::Other(
            if compat & COMPAT_HAS_JOURNAL != 0 {
                "ext3"
            } else {
                "ext2"
            }
            .into(),
        );
    }
    if bytes_at(buf, 0, 4) == Some(b"XFSB") {
        return FsProbe::Other("xfs".into());
    }
    if bytes_at(buf, 0, 6) == Some(b"LUKS\xba\xbe") {
        return FsProbe::Other("crypto_LUKS".into());
    }
    if bytes_at(buf, 0, 4) == Some(b"hsqs") {
        return FsProbe::Other("squashfs".into());
    }
    if bytes_at(buf, 0x8001, 5) == Some(b"CD001") {
        return FsProbe::Other("iso9660".into());
    }
    if bytes_at(buf, 0x10040, 8) == Some(b"_BHRfS_M") {
        return FsProbe::Other("btrfs".into());
    }
    FsProbe::None
}

/// Reads the first [`PROBE_BYTES`] of a block device (or image file) and recognises its file
/// system. An I/O error (a stick pulled out) is an error, not "no file system".
pub fn probe_device(devnode: &Path) -> Result<FsProbe, MediaError> {
    Ok(probe_bytes(&read_head(devnode, PROBE_BYTES)?))
}

/// Reads at most the first `len` bytes of a block device (or image file).
pub(crate) fn read_head(devnode: &Path, len: usize) -> Result<Vec<u8>, MediaError> {
    let file = std::fs::File::open(devnode).map_err(|e| MediaError::io("open", devnode, e))?;
    let mut buf = Vec::with_capacity(len);
    file.take(len as u64)
        .read_to_end(&mut buf)
        .map_err(|e| MediaError::io("read", devnode, e))?;
    Ok(buf)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The bytes of a file in `tests/fixtures`.
    pub(crate) fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn recognises_recorded_superblocks() {
        // First bytes of images made with mkfs.vfat (FAT16 and FAT32), mkfs.ext4, mkfs.ext3,
        // mkfs.ext2 on this host; see tests/fixtures/README.md.
        assert_eq!(
            probe_bytes(&fixture("fat16-head.bin")),
            FsProbe::Supported(FsType::Vfat)
        );
        assert_eq!(
            probe_bytes(&fixture("fat32-head.bin")),
            FsProbe::Supported(FsType::Vfat)
        );
        assert_eq!(
            probe_bytes(&fixture("ext4-head.bin")),
            FsProbe::Supported(FsType::Ext4)
        );
        assert_eq!(
            probe_bytes(&fixture("ext3-head.bin")),
            FsProbe::Other("ext3".into())
        );
        assert_eq!(
            probe_bytes(&fixture("ext2-head.bin")),
            FsProbe::Other("ext2".into())
        );
    }

    #[test]
    fn kernel_filesystems_from_proc() {
        // This host's /proc/filesystems (abridged): ext4 but no vfat, no exfat.
        let host = "nodev\tsysfs\nnodev\ttmpfs\n\text3\n\text2\n\text4\n\tsquashfs\nnodev\tfuse\n";
        assert_eq!(kernel_filesystems(host), vec![FsType::Ext4]);
        let guest = "nodev\tdevtmpfs\n\tvfat\n\text4\n";
        assert_eq!(kernel_filesystems(guest), vec![FsType::Vfat, FsType::Ext4]);
    }

    #[test]
    fn strangers_sticks_may_carry_vfat_and_exfat_only() {
        let p = MediaFilesystems::default();
        assert_eq!(p, MediaFilesystems::STRANGERS);
        assert!(p.allows(FsType::Vfat));
        assert!(p.allows(FsType::Exfat));
        assert!(!p.allows(FsType::Ext4));
        assert_eq!(p.allowed(), vec![FsType::Vfat, FsType::Exfat]);
    }

    #[test]
    fn exfat_and_ntfs_by_oem_name() {
        let mut exfat = vec![0u8; 512];
        exfat[..11].copy_from_slice(b"\xEB\x76\x90EXFAT   ");
        exfat[510] = 0x55;
        exfat[511] = 0xAA;
        assert_eq!(probe_bytes(&exfat), FsProbe::Supported(FsType::Exfat));
        let mut ntfs = exfat.clone();
        ntfs[3..11].copy_from_slice(b"NTFS    ");
        assert_eq!(probe_bytes(&ntfs), FsProbe::Other("ntfs".into()));
    }

    #[test]
    fn zeroes_and_short_buffers_are_no_file_system() {
        assert_eq!(probe_bytes(&[]), FsProbe::None);
        assert_eq!(probe_bytes(&[0u8; 100]), FsProbe::None);
        assert_eq!(probe_bytes(&vec![0u8; PROBE_BYTES]), FsProbe::None);
        // An MBR with the boot signature but no FAT BPB is a partition table, not a file system.
        let mut mbr = vec![0u8; 512];
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        assert_eq!(probe_bytes(&mbr), FsProbe::None);
    }
}
