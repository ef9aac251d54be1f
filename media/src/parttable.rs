//! Partition UUIDs from a disk's first bytes (GPT and MBR), as the kernel would name them in
//! `PARTUUID`: older kernels (Debian 12's 6.1 among them) do not put `PARTUUID` in a partition's
//! uevent, and the boot stick is recognised by it (see [`crate::detect::Policy::boot_partuuids`]).

use crate::fsprobe::u32_le as le_u32;

/// The partition table kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// GUID partition table.
    Gpt,
    /// DOS/MBR partition table (primary partitions only).
    Mbr,
}

/// The identifiers of a partition table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionTable {
    /// GPT or MBR.
    pub kind: TableKind,
    /// The disk GUID (GPT) or the 32-bit disk signature in hex (MBR), lower case.
    pub disk_id: String,
    /// (partition number as the kernel numbers it, PARTUUID in lower case).
    pub partitions: Vec<(u32, String)>,
}

fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    let lo = u64::from(le_u32(b, at)?);
    let hi = u64::from(le_u32(b, at.checked_add(4)?)?);
    Some(lo | (hi << 32))
}

/// A GUID in its mixed-endian on-disk layout, as text.
fn guid(b: &[u8]) -> Option<String> {
    let b: &[u8; 16] = b.try_into().ok()?;
    let [a0, a1, a2, a3, b0, b1, c0, c1, d @ ..] = *b;
    let [d0, d1, d2, d3, d4, d5, d6, d7] = d;
    Some(format!(
        "{a3:02x}{a2:02x}{a1:02x}{a0:02x}-{b1:02x}{b0:02x}-{c1:02x}{c0:02x}-{d0:02x}{d1:02x}-{d2:02x}{d3:02x}{d4:02x}{d5:02x}{d6:02x}{d7:02x}"
    ))
}

fn gpt(head: &[u8], sector: usize) -> Option<PartitionTable> {
    let hdr = head.get(sector..sector.checked_add(92)?)?;
    if hdr.get(..8)? != b"EFI PART" {
        return None;
    }
    let disk_id = guid(hdr.get(56..72)?)?;
    let entries_lba = usize::try_from(le_u64(hdr, 72)?).ok()?;
    let count = usize::try_from(le_u32(hdr, 80)?).ok()?.min(128);
    let size = usize::try_from(le_u32(hdr, 84)?).ok()?;
    if size < 128 {
        return None;
    }
    let base = entries_lba.checked_mul(sector)?;
    let mut partitions = Vec::new();
    for i in 0..count {
        let at = base.checked_add(i.checked_mul(size)?)?;
        let Some(entry) = head.get(at..at.checked_add(128)?) else {
            break; // entries beyond what was read
        };
        if entry.get(..16)?.iter().all(|&x| x == 0) {
            continue; // unused entry
        }
        let n = u32::try_from(i.checked_add(1)?).ok()?;
        partitions.push((n, guid(entry.get(16..32)?)?));
    }
    Some(PartitionTable {
        kind: TableKind::Gpt,
        disk_id,
        partitions,
    })
}

fn mbr(head: &[u8]) -> Option<PartitionTable> {
    if head.get(510..512)? != [0x55, 0xAA] {
        return None;
    }
    let signature = le_u32(head, 440)?;
    let mut partitions = Vec::new();
    for i in 0..4u32 {
        let at = 446usize.checked_add(usize::try_from(i).ok()?.checked_mul(16)?)?;
        let entry = head.get(at..at.checked_add(16)?)?;
        let kind = *entry.get(4)?;
        if kind == 0xEE {
            return None; // protective MBR of a GPT disk
        }
        if kind != 0 && le_u32(entry, 12)? != 0 {
            let n = i.checked_add(1)?;
            partitions.push((n, format!("{signature:08x}-{n:02x}")));
        }
    }
    Some(PartitionTable {
        kind: TableKind::Mbr,
        disk_id: format!("{signature:08x}"),
        partitions,
    })
}

/// Reads the partition table from a disk's first bytes (at least 17 KiB for GPT with 512-byte
/// sectors; 4096-byte sectors are tried too). `None` when there is none.
pub fn partition_table(head: &[u8]) -> Option<PartitionTable> {
    gpt(head, 512)
        .or_else(|| gpt(head, 4096))
        .or_else(|| mbr(head))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsprobe::tests::fixture;

    #[test]
    fn gpt_partition_guids() {
        // gpt-head.bin: made with Python's uuid.bytes_le; `blkid -p` reports the same disk GUID
        // (PTUUID=3f1c2a7e-9b4d-4e21-8c3a-5d6e7f809a1b).
        let t = partition_table(&fixture("gpt-head.bin")).unwrap();
        assert_eq!(t.kind, TableKind::Gpt);
        assert_eq!(t.disk_id, "3f1c2a7e-9b4d-4e21-8c3a-5d6e7f809a1b");
        assert_eq!(
            t.partitions,
            vec![
                (1, "8f3c2a10-4e5b-4c7d-9a61-0b2e3f4a5d6c".to_string()),
                (2, "c0ffee00-1234-4abc-8def-0123456789ab".to_string())
            ]
        );
    }

    #[test]
    fn mbr_partuuid_is_signature_and_number() {
        // blkid -p: PTUUID=5c1a2b3d, PTTYPE=dos.
        let t = partition_table(&fixture("mbr-head.bin")).unwrap();
        assert_eq!(t.kind, TableKind::Mbr);
        assert_eq!(t.disk_id, "5c1a2b3d");
        assert_eq!(t.partitions, vec![(1, "5c1a2b3d-01".to_string())]);
    }

    #[test]
    fn no_table_in_a_file_system_or_zeros() {
        assert_eq!(partition_table(&[0u8; 20000]), None);
        assert_eq!(partition_table(&fixture("ext4-head.bin")), None);
        // A truncated GPT head gives the table with the entries that were read.
        let head = fixture("gpt-head.bin");
        let t = partition_table(&head[..1024 + 128]).unwrap();
        assert_eq!(t.partitions.len(), 1);
    }
}
