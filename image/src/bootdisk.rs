//! Finding the certified stick the appliance was booted from (contract 3), and its partitions.
//!
//! The stick is a GPT disk: partition `TALLY-ESP` (the EFI system partition with the signed
//! UKI) and partition `TALLY-DATA` (ext4: the body's certificate and encrypted key, the journal).
//! The boot disk is the disk holding the partition whose unique GUID the firmware variable
//! `LoaderDevicePartUUID` names (the UKI's stub sets it to the ESP it was loaded from); without
//! that variable, the one disk that has a GPT partition named `TALLY-DATA`.
//!
//! The GPT is read here from the disk itself ([`parse_gpt`]): the kernel does not show GPT
//! partition GUIDs without udev. Everything read is outside data: bounded, checked, never
//! trusted for more than finding the partitions.

use std::fs;
use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};

/// The GPT name of the data partition.
pub const DATA_PARTITION: &str = "TALLY-DATA";

/// The GPT name of the EFI system partition.
pub const ESP_PARTITION: &str = "TALLY-ESP";

/// The EFI system partition's type GUID, as text.
#[cfg(test)]
pub const ESP_TYPE: &str = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

/// The firmware variable naming the partition the boot loader came from (systemd's boot loader
/// interface; vendor GUID `4a67b082-…`).
pub const LOADER_DEVICE_PART_UUID: &str =
    "LoaderDevicePartUUID-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

/// At most this many partition entries are read (GPT's usual 128).
const MAX_ENTRIES: u32 = 256;

/// One GPT partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GptPartition {
    /// Its number (1-based index in the partition array).
    pub number: u32,
    /// The partition type GUID, upper-case text.
    pub type_guid: String,
    /// The partition's unique GUID (the PARTUUID), upper-case text.
    pub unique_guid: String,
    /// Its GPT name.
    pub name: String,
}

/// What is wrong with a disk's partition table.
#[derive(Debug, thiserror::Error)]
pub enum GptError {
    /// The disk could not be read.
    #[error("read: {0}")]
    Io(#[from] io::Error),
    /// No GPT header at LBA 1.
    #[error("no GPT header")]
    NoGpt,
    /// The header's fields are out of range.
    #[error("GPT header: {0}")]
    BadHeader(&'static str),
}

/// A GUID in its usual text form (the first three fields are little-endian on disk).
pub fn guid_text(b: &[u8; 16]) -> String {
    format!(
        "{:02X}{:02X}{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
        b[3],
        b[2],
        b[1],
        b[0],
        b[5],
        b[4],
        b[7],
        b[6],
        b[8],
        b[9],
        b[10],
        b[11],
        b[12],
        b[13],
        b[14],
        b[15]
    )
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(s))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    let s: [u8; 8] = b.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(s))
}

/// The UTF-16LE code units of `bytes` up to the first NUL (an odd last byte is ignored): a GPT
/// partition name, an EFI variable's string.
fn utf16le_to_nul(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|c| match *c {
            [lo, hi] => u16::from_le_bytes([lo, hi]),
            _ => 0,
        })
        .take_while(|&c| c != 0)
        .collect()
}

/// Reads the GPT (primary header at LBA 1) of a disk with `sector`-byte logical blocks and
/// returns its used partition entries.
pub fn parse_gpt(
    disk: &mut (impl io::Read + io::Seek),
    sector: u64,
) -> Result<Vec<GptPartition>, GptError> {
    let mut header = [0u8; 92];
    disk.seek(SeekFrom::Start(sector))?;
    disk.read_exact(&mut header)?;
    if header.get(..8) != Some(b"EFI PART".as_slice()) {
        return Err(GptError::NoGpt);
    }
    let entries_lba = u64_at(&header, 72).ok_or(GptError::BadHeader("entries LBA"))?;
    let count = u32_at(&header, 80).ok_or(GptError::BadHeader("entry count"))?;
    let size = u32_at(&header, 84).ok_or(GptError::BadHeader("entry size"))?;
    if count > MAX_ENTRIES {
        return Err(GptError::BadHeader("more than 256 partition entries"));
    }
    if !(128..=4096).contains(&size) {
        return Err(GptError::BadHeader("partition entry size"));
    }
    let offset = entries_lba
        .checked_mul(sector)
        .ok_or(GptError::BadHeader("entries LBA"))?;
    disk.seek(SeekFrom::Start(offset))?;
    let mut entry = vec![0u8; size as usize];
    let mut parts = Vec::new();
    for number in 1..=count {
        disk.read_exact(&mut entry)?;
        let (Some(t), Some(u), Some(n)) = (entry.get(0..16), entry.get(16..32), entry.get(56..128))
        else {
            return Err(GptError::BadHeader("partition entry size"));
        };
        let (Ok(t), Ok(u)) = (<[u8; 16]>::try_from(t), <[u8; 16]>::try_from(u)) else {
            return Err(GptError::BadHeader("partition entry size"));
        };
        if t == [0; 16] {
            continue;
        }
        let units = utf16le_to_nul(n);
        parts.push(GptPartition {
            number,
            type_guid: guid_text(&t),
            unique_guid: guid_text(&u),
            name: String::from_utf16_lossy(&units),
        });
    }
    Ok(parts)
}

/// A disk with its GPT partitions.
#[derive(Debug, Clone)]
pub struct Disk {
    /// The kernel's name (`sda`).
    pub name: String,
    /// The partitions.
    pub partitions: Vec<GptPartition>,
}

impl Disk {
    /// The partition named `name`.
    pub fn partition(&self, name: &str) -> Option<&GptPartition> {
        self.partitions.iter().find(|p| p.name == name)
    }

    /// The device node of partition `number` (`/dev/sda2`), found in sysfs
    /// (`/sys/block/<disk>/<part>/partition`).
    pub fn partition_device(&self, number: u32) -> Option<PathBuf> {
        let dir = Path::new("/sys/block").join(&self.name);
        let mut found = None;
        for e in fs::read_dir(&dir).ok()?.flatten() {
            let n = fs::read_to_string(e.path().join("partition")).ok();
            if n.as_deref().map(str::trim) == Some(number.to_string().as_str()) {
                found = Some(Path::new("/dev").join(e.file_name()));
            }
        }
        found
    }
}

/// The disks the kernel sees now (`/sys/block`, not loop or RAM devices) whose GPT could be
/// read.
pub fn disks() -> Vec<Disk> {
    let mut names: Vec<String> = fs::read_dir("/sys/block")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    !n.starts_with("loop") && !n.starts_with("ram") && !n.starts_with("zram")
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let sector = fs::read_to_string(format!("/sys/block/{name}/queue/logical_block_size"))
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(512);
        let Ok(mut f) = fs::File::open(format!("/dev/{name}")) else {
            continue;
        };
        if let Ok(partitions) = parse_gpt(&mut f, sector) {
            out.push(Disk { name, partitions });
        }
    }
    out
}

/// How the boot disk was chosen, or why none was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// This disk (index into the list given).
    Disk(usize),
    /// No disk holds the partition the firmware booted from, or none has `TALLY-DATA` yet.
    NotYet,
    /// More than one disk has a `TALLY-DATA` partition, and the firmware did not say which one
    /// it booted from.
    Ambiguous,
}

/// Chooses the boot disk among `disks`: the one holding the partition `loader_uuid` names;
/// without it, the only one with a `TALLY-DATA` partition.
pub fn choose(disks: &[Disk], loader_uuid: Option<&str>) -> Choice {
    if let Some(uuid) = loader_uuid {
        return disks
            .iter()
            .position(|d| {
                d.partitions
                    .iter()
                    .any(|p| p.unique_guid.eq_ignore_ascii_case(uuid))
            })
            .map_or(Choice::NotYet, Choice::Disk);
    }
    let with_data: Vec<usize> = disks
        .iter()
        .enumerate()
        .filter(|(_, d)| d.partition(DATA_PARTITION).is_some())
        .map(|(i, _)| i)
        .collect();
    match with_data.as_slice() {
        [] => Choice::NotYet,
        [one] => Choice::Disk(*one),
        _ => Choice::Ambiguous,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A GPT disk image made by `sfdisk` (util-linux) on the host, not by this code.
    fn sfdisk_image(dir: &Path) -> PathBuf {
        let img = dir.join("disk.img");
        let f = fs::File::create(&img).unwrap();
        f.set_len(8 << 20).unwrap();
        drop(f);
        let script = "label: gpt\n\
            label-id: 0F0E0D0C-0B0A-0908-0706-050403020100\n\
            start=2048, size=4096, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=11223344-5566-7788-99AA-BBCCDDEEFF00, name=\"TALLY-ESP\"\n\
            start=6144, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"TALLY-DATA\"\n";
        let mut child = std::process::Command::new("sfdisk")
            .arg("--quiet")
            .arg(&img)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), script.as_bytes()).unwrap();
        assert!(child.wait().unwrap().success());
        img
    }

    #[test]
    fn reads_the_partitions_sfdisk_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let img = sfdisk_image(dir.path());
        let parts = parse_gpt(&mut fs::File::open(&img).unwrap(), 512).unwrap();
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(parts[0].number, 1);
        assert_eq!(parts[0].name, "TALLY-ESP");
        assert_eq!(parts[0].type_guid, ESP_TYPE);
        assert_eq!(parts[0].unique_guid, "11223344-5566-7788-99AA-BBCCDDEEFF00");
        assert_eq!(parts[1].number, 2);
        assert_eq!(parts[1].name, "TALLY-DATA");
        assert_eq!(parts[1].type_guid, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
        // The same as the host's blkid-free view: sfdisk --dump.
        let dump = std::process::Command::new("sfdisk")
            .arg("--dump")
            .arg(&img)
            .output()
            .unwrap();
        let dump = String::from_utf8(dump.stdout).unwrap();
        assert!(dump.contains(&parts[1].unique_guid), "{dump}");
    }

    #[test]
    fn not_a_gpt_and_bad_headers_are_refused() {
        let zeros = vec![0u8; 4096];
        assert!(matches!(
            parse_gpt(&mut io::Cursor::new(&zeros), 512),
            Err(GptError::NoGpt)
        ));
        let dir = tempfile::tempdir().unwrap();
        let mut img = fs::read(sfdisk_image(dir.path())).unwrap();
        // An absurd number of entries.
        img[512 + 80..512 + 84].copy_from_slice(&100_000u32.to_le_bytes());
        assert!(matches!(
            parse_gpt(&mut io::Cursor::new(&img), 512),
            Err(GptError::BadHeader(_))
        ));
        // A truncated disk.
        img[512 + 80..512 + 84].copy_from_slice(&128u32.to_le_bytes());
        img.truncate(1500);
        assert!(matches!(
            parse_gpt(&mut io::Cursor::new(&img), 512),
            Err(GptError::Io(_))
        ));
    }

    fn disk(name: &str, parts: &[(&str, &str)]) -> Disk {
        Disk {
            name: name.into(),
            partitions: parts
                .iter()
                .enumerate()
                .map(|(i, (n, u))| GptPartition {
                    number: i as u32 + 1,
                    type_guid: ESP_TYPE.into(),
                    unique_guid: (*u).into(),
                    name: (*n).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_boot_disk_is_chosen_by_the_loader_variable_else_by_the_data_partition() {
        let a = disk("sda", &[("TALLY-ESP", "AAAA"), ("TALLY-DATA", "AAAB")]);
        let b = disk("sdb", &[("TALLY-ESP", "BBBA"), ("TALLY-DATA", "BBBB")]);
        let c = disk("sdc", &[("OTHER", "CCCC")]);
        let all = [c.clone(), a.clone(), b.clone()];
        assert_eq!(choose(&all, Some("bbba")), Choice::Disk(2));
        assert_eq!(choose(&all, Some("DDDD")), Choice::NotYet);
        assert_eq!(choose(&all, None), Choice::Ambiguous);
        assert_eq!(choose(&[c.clone(), a], None), Choice::Disk(1));
        assert_eq!(choose(&[c], None), Choice::NotYet);
    }
}
