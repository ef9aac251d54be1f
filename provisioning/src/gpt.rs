//! A GUID partition table (UEFI 2.10, section 5.3) for a disk image, written byte by byte:
//! protective MBR, primary header and entry array at the start, backup entry array and
//! header at the end. 512-byte logical sectors, 128 entries of 128 bytes.
//!
//! Only what a certified stick needs: a few partitions given by the caller, no attributes.
//! Everything is a pure function of its inputs, so the same layout gives the same bytes.

/// Bytes per logical sector.
pub const SECTOR: u64 = 512;
/// Number of partition entries in the array (the UEFI minimum of 16 KiB).
const ENTRIES: u32 = 128;
/// Bytes per partition entry.
const ENTRY_SIZE: u32 = 128;
/// Sectors taken by the entry array (128 * 128 / 512).
const ENTRY_SECTORS: u64 = (ENTRIES as u64) * (ENTRY_SIZE as u64) / SECTOR;
/// Size of the GPT header.
const HEADER_SIZE: u32 = 92;

/// The EFI system partition type.
pub const TYPE_ESP: Guid = Guid([
    0xC1, 0x2A, 0x73, 0x28, 0xF8, 0x1F, 0x11, 0xD2, 0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B,
]);
/// The Linux file-system data partition type.
pub const TYPE_LINUX_FS: Guid = Guid([
    0x0F, 0xC6, 0x3D, 0xAF, 0x84, 0x83, 0x47, 0x72, 0x8E, 0x79, 0x3D, 0x69, 0xD8, 0x47, 0x7D, 0xE4,
]);

/// A GUID, its 16 bytes in the order of its text form (`00112233-4455-6677-8899-aabbccddeeff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// A version-4-shaped GUID (RFC 9562 variant and version bits set) from 16 bytes, such as
    /// the start of a hash: deterministic, and as unlikely to collide as a random one.
    pub fn from_hash(bytes: [u8; 16]) -> Guid {
        let mut b = bytes;
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        Guid(b)
    }

    /// The on-disk layout: the first three fields little-endian, the rest as is.
    pub fn to_disk(self) -> [u8; 16] {
        let b = self.0;
        [
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        ]
    }
}

impl std::fmt::Display for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// One partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// The partition type GUID.
    pub type_guid: Guid,
    /// The partition's own GUID (the kernel's PARTUUID).
    pub guid: Guid,
    /// The first sector.
    pub first_lba: u64,
    /// The number of sectors.
    pub sectors: u64,
    /// The GPT partition name (ASCII, at most 36 characters).
    pub name: &'static str,
}

impl Partition {
    /// The last sector (inclusive), as the GPT stores it.
    fn last_lba(&self) -> Option<u64> {
        self.first_lba.checked_add(self.sectors)?.checked_sub(1)
    }
}

/// Why a layout cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GptError {
    /// A partition lies outside the usable sectors or overlaps another.
    #[error(
        "partition {index} ({name}) does not fit: sectors {first} to {last}, usable {usable_first} to {usable_last}"
    )]
    DoesNotFit {
        /// Its number (from 1).
        index: usize,
        /// Its name.
        name: &'static str,
        /// Its first sector.
        first: u64,
        /// Its last sector.
        last: u64,
        /// First usable sector (or the end of the previous partition + 1).
        usable_first: u64,
        /// Last usable sector.
        usable_last: u64,
    },
    /// Too many partitions, an empty one, or a name that does not fit.
    #[error("bad partition layout: {0}")]
    Layout(String),
}

/// The disk's structures: the bytes to write at the start of the disk (protective MBR, header,
/// entries: sectors 0 to 33) and at its end (entries and backup header: the last 33 sectors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GptBytes {
    /// Sectors 0 to 33.
    pub head: Vec<u8>,
    /// The last 33 sectors.
    pub tail: Vec<u8>,
}

/// The first sector a partition may use.
pub const FIRST_USABLE: u64 = 2 + ENTRY_SECTORS;

/// The last sector a partition may use on a disk of `total_sectors`.
pub fn last_usable(total_sectors: u64) -> Option<u64> {
    total_sectors.checked_sub(2 + ENTRY_SECTORS)
}

/// CRC-32 as the GPT uses it (IEEE 802.3, reflected, initial and final XOR all ones).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = 0u32.wrapping_sub(crc & 1);
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = at
        .checked_add(bytes.len())
        .and_then(|end| buf.get_mut(at..end))
    {
        dst.copy_from_slice(bytes);
    }
}

fn header(
    disk: Guid,
    my_lba: u64,
    alternate_lba: u64,
    last_usable: u64,
    entries_lba: u64,
    entries_crc: u32,
) -> Vec<u8> {
    let mut h = vec![0u8; SECTOR as usize];
    put(&mut h, 0, b"EFI PART");
    put(&mut h, 8, &0x0001_0000u32.to_le_bytes());
    put(&mut h, 12, &HEADER_SIZE.to_le_bytes());
    // 16: header CRC, 20: reserved (zero).
    put(&mut h, 24, &my_lba.to_le_bytes());
    put(&mut h, 32, &alternate_lba.to_le_bytes());
    put(&mut h, 40, &FIRST_USABLE.to_le_bytes());
    put(&mut h, 48, &last_usable.to_le_bytes());
    put(&mut h, 56, &disk.to_disk());
    put(&mut h, 72, &entries_lba.to_le_bytes());
    put(&mut h, 80, &ENTRIES.to_le_bytes());
    put(&mut h, 84, &ENTRY_SIZE.to_le_bytes());
    put(&mut h, 88, &entries_crc.to_le_bytes());
    let crc = crc32(h.get(..HEADER_SIZE as usize).unwrap_or_default());
    put(&mut h, 16, &crc.to_le_bytes());
    h
}

/// Lays out the GPT of a disk of `total_sectors` sectors with `partitions` (in order, not
/// overlapping, inside the usable sectors).
pub fn write(
    disk: Guid,
    total_sectors: u64,
    partitions: &[Partition],
) -> Result<GptBytes, GptError> {
    if partitions.len() > ENTRIES as usize {
        return Err(GptError::Layout(format!(
            "{} partitions, at most {ENTRIES}",
            partitions.len()
        )));
    }
    let last_usable = last_usable(total_sectors)
        .filter(|&l| l >= FIRST_USABLE)
        .ok_or_else(|| {
            GptError::Layout(format!("a disk of {total_sectors} sectors is too small"))
        })?;
    let mut entries = vec![0u8; (ENTRIES * ENTRY_SIZE) as usize];
    let mut next_free = FIRST_USABLE;
    for (i, p) in partitions.iter().enumerate() {
        let last = p.last_lba().filter(|_| p.sectors > 0).ok_or_else(|| {
            GptError::Layout(format!("partition {} ({}) is empty", i + 1, p.name))
        })?;
        if p.first_lba < next_free || last > last_usable {
            return Err(GptError::DoesNotFit {
                index: i + 1,
                name: p.name,
                first: p.first_lba,
                last,
                usable_first: next_free,
                usable_last: last_usable,
            });
        }
        next_free = last.saturating_add(1);
        let units: Vec<u16> = p.name.encode_utf16().collect();
        if units.len() > 36 || !p.name.is_ascii() {
            return Err(GptError::Layout(format!(
                "partition name {:?}: at most 36 ASCII characters",
                p.name
            )));
        }
        let at = i * ENTRY_SIZE as usize;
        put(&mut entries, at, &p.type_guid.to_disk());
        put(&mut entries, at + 16, &p.guid.to_disk());
        put(&mut entries, at + 32, &p.first_lba.to_le_bytes());
        put(&mut entries, at + 40, &last.to_le_bytes());
        // 48: attributes (none).
        for (j, u) in units.iter().enumerate() {
            put(&mut entries, at + 56 + 2 * j, &u.to_le_bytes());
        }
    }
    let entries_crc = crc32(&entries);
    let backup_lba = total_sectors - 1; // total_sectors > FIRST_USABLE + ENTRY_SECTORS here
    let backup_entries_lba = backup_lba - ENTRY_SECTORS;

    // Protective MBR: one partition of type 0xEE over the whole disk (or as much as fits).
    let mut mbr = vec![0u8; SECTOR as usize];
    let size = u32::try_from(total_sectors - 1).unwrap_or(u32::MAX);
    put(
        &mut mbr,
        446,
        &[0x00, 0x00, 0x02, 0x00, 0xEE, 0xFF, 0xFF, 0xFF],
    );
    put(&mut mbr, 454, &1u32.to_le_bytes());
    put(&mut mbr, 458, &size.to_le_bytes());
    put(&mut mbr, 510, &[0x55, 0xAA]);

    let mut head = mbr;
    head.extend(header(disk, 1, backup_lba, last_usable, 2, entries_crc));
    head.extend_from_slice(&entries);
    let mut tail = entries;
    tail.extend(header(
        disk,
        backup_lba,
        1,
        last_usable,
        backup_entries_lba,
        entries_crc,
    ));
    Ok(GptBytes { head, tail })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn guid_text_and_disk_layout() {
        // The ESP type GUID as the UEFI specification prints it, and its on-disk bytes
        // (28 73 2A C1 1F F8 D2 11 BA 4B 00 A0 C9 3E C9 3B).
        assert_eq!(TYPE_ESP.to_string(), "c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
        assert_eq!(
            TYPE_ESP.to_disk(),
            [
                0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11, 0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E,
                0xC9, 0x3B
            ]
        );
        let g = Guid::from_hash([0xff; 16]);
        assert_eq!(g.to_string(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    fn part(first: u64, sectors: u64) -> Partition {
        Partition {
            type_guid: TYPE_LINUX_FS,
            guid: Guid([1; 16]),
            first_lba: first,
            sectors,
            name: "X",
        }
    }

    #[test]
    fn refuses_overlap_and_overflow() {
        let disk = Guid([2; 16]);
        assert!(write(disk, 4096, &[part(2048, 1000)]).is_ok());
        assert!(matches!(
            write(disk, 4096, &[part(2048, 1000), part(3000, 10)]),
            Err(GptError::DoesNotFit { index: 2, .. })
        ));
        assert!(matches!(
            write(disk, 4096, &[part(2048, 2048)]),
            Err(GptError::DoesNotFit { index: 1, .. })
        ));
        assert!(matches!(
            write(disk, 4096, &[part(10, 5)]),
            Err(GptError::DoesNotFit { index: 1, .. })
        ));
        assert!(matches!(
            write(disk, 4096, &[part(2048, 0)]),
            Err(GptError::Layout(_))
        ));
        assert!(matches!(write(disk, 40, &[]), Err(GptError::Layout(_))));
    }

    #[test]
    fn sizes_and_places() {
        let g = write(Guid([2; 16]), 4096, &[part(2048, 1000)]).unwrap();
        assert_eq!(g.head.len(), 34 * 512);
        assert_eq!(g.tail.len(), 33 * 512);
        assert_eq!(&g.head[512..520], b"EFI PART");
        assert_eq!(&g.tail[32 * 512..32 * 512 + 8], b"EFI PART");
        // The two entry arrays are the same.
        assert_eq!(&g.head[1024..], &g.tail[..32 * 512]);
    }
}
