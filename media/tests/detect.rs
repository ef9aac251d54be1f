//! The detection logic on recorded sysfs/uevent data (tests/fixtures/detect; see
//! tests/fixtures/README.md for where each record comes from).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use tally_media::detect::{
    DiskRecord, IgnoreReason, Policy, Unusable, Verdict, classify, parse_loader_device_partuuid,
};
use tally_media::fsprobe::FsType;
use tally_media::tracker::{ClaimError, StickEvent, Tracker};
use tally_media::watch::{Route, route_uevent};

fn record(name: &str) -> DiskRecord {
    let path = format!(
        "{}/tests/fixtures/detect/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn verdict(name: &str) -> Verdict {
    classify(&record(name), &Policy::default()).verdict
}

#[test]
fn internal_and_virtual_disks_are_ignored() {
    // Recorded on this host: the virtio root disk (partitionless ext4, mounted at /) and a loop
    // device with an ext4 image: usable file systems, but not USB.
    let vda = classify(&record("host-vda-virtio"), &Policy::default());
    assert_eq!(vda.verdict, Verdict::Ignored(IgnoreReason::NotUsbStorage));
    assert!(!vda.usb);
    let lo = classify(&record("host-loop-ext4"), &Policy::default());
    assert_eq!(lo.verdict, Verdict::Ignored(IgnoreReason::NotUsbStorage));
}

#[test]
fn a_partition_is_not_classified_as_a_disk() {
    let mut r = record("qemu-usb-vfat-partition");
    r.disk = r.partitions[0].device.clone();
    assert_eq!(
        classify(&r, &Policy::default()).verdict,
        Verdict::Ignored(IgnoreReason::NotADisk)
    );
}

#[test]
fn one_fat_partition_is_usable_with_identity() {
    let c = classify(&record("qemu-usb-vfat-partition"), &Policy::default());
    assert!(c.usb);
    let Verdict::Usable(v) = &c.verdict else {
        panic!("{:?}", c.verdict)
    };
    assert_eq!(v.devnode, PathBuf::from("/dev/sda1"));
    assert_eq!(v.devnum.as_deref(), Some("8:1"));
    assert_eq!(v.fs, FsType::Vfat);
    assert_eq!(v.partition, Some(1));
    assert_eq!(v.size_bytes, Some(129024 * 512));
    // The stick's own USB strings, not the root hub's ("xHCI Host Controller").
    assert_eq!(c.identity.vendor.as_deref(), Some("QEMU"));
    assert_eq!(c.identity.model.as_deref(), Some("QEMU USB HARDDRIVE"));
    assert_eq!(c.identity.serial.as_deref(), Some("1-0000:00:04.0-1"));
    assert_eq!(c.identity.devnode, "/dev/sda");
    assert!(c.to_string().contains("usable (vfat, partition 1)"), "{c}");
}

#[test]
fn partitionless_fat_is_usable_as_the_whole_disk() {
    let Verdict::Usable(v) = verdict("qemu-usb-vfat-partitionless") else {
        panic!()
    };
    assert_eq!(v.devnode, PathBuf::from("/dev/sda"));
    assert_eq!(v.partition, None);
    assert_eq!(v.fs, FsType::Vfat);
}

#[test]
fn uas_exfat_stick_with_removable_flag_is_usable() {
    let c = classify(&record("usb-uas-sandisk-exfat"), &Policy::default());
    let Verdict::Usable(v) = &c.verdict else {
        panic!("{:?}", c.verdict)
    };
    assert_eq!(v.fs, FsType::Exfat);
    assert_eq!(c.identity.vendor.as_deref(), Some("SanDisk"));
    assert_eq!(c.identity.serial.as_deref(), Some("AA010509160826373521"));
}

#[test]
fn unusable_sticks_are_reported_with_the_reason() {
    assert_eq!(
        verdict("qemu-usb-ntfs"),
        Verdict::Unusable(Unusable::UnsupportedFileSystem(vec!["ntfs".into()]))
    );
    assert_eq!(
        verdict("qemu-usb-empty-partition"),
        Verdict::Unusable(Unusable::NoUsablePartition)
    );
    assert_eq!(
        verdict("qemu-usb-blank"),
        Verdict::Unusable(Unusable::NoUsablePartition)
    );
    // Recorded with a vfat and an ext4 partition: the ext4 one is never a candidate (issue 17),
    // so the vfat one is used...
    let Verdict::Usable(v) = verdict("qemu-usb-two-filesystems") else {
        panic!("the vfat partition is usable")
    };
    assert_eq!((v.fs, v.partition), (FsType::Vfat, Some(1)));
    // ...while two vfat partitions are ambiguous.
    let mut two = record("qemu-usb-two-filesystems");
    two.partitions[1].fs = tally_media::fsprobe::FsProbe::Supported(FsType::Vfat);
    assert_eq!(
        classify(&two, &Policy::default()).verdict,
        Verdict::Unusable(Unusable::SeveralUsablePartitions(2))
    );
    assert_eq!(
        verdict("qemu-usb-ext3-and-empty"),
        Verdict::Unusable(Unusable::UnsupportedFileSystem(vec!["ext3".into()]))
    );
    assert_eq!(
        verdict("usb-card-reader-empty"),
        Verdict::Unusable(Unusable::NoMedium)
    );
    let c = classify(&record("qemu-usb-empty-partition"), &Policy::default());
    assert!(c.to_string().ends_with("no usable partition"), "{c}");
    let c = classify(&record("qemu-usb-ntfs"), &Policy::default());
    assert!(
        c.to_string().contains("file system not supported (ntfs)"),
        "{c}"
    );
}

#[test]
fn the_boot_stick_and_system_mounts_are_left_alone() {
    let boot = record("qemu-usb-boot-stick");
    // Without knowing the boot partition, the ESP would look like any FAT stick...
    assert!(matches!(
        classify(&boot, &Policy::default()).verdict,
        Verdict::Usable(_)
    ));
    // ...which is why the program passes LoaderDevicePartUUID in the policy.
    let policy = Policy {
        boot_partuuids: vec!["8F3C2A10-4E5B-4C7D-9A61-0B2E3F4A5D6C".to_ascii_lowercase()],
        ..Policy::default()
    };
    assert_eq!(
        classify(&boot, &policy).verdict,
        Verdict::Ignored(IgnoreReason::BootMedium)
    );
    // The same partition UUID in upper case (as some firmware writes it) matches too.
    let upper = Policy {
        boot_partuuids: vec!["8F3C2A10-4E5B-4C7D-9A61-0B2E3F4A5D6C".into()],
        ..Policy::default()
    };
    assert_eq!(
        classify(&boot, &upper).verdict,
        Verdict::Ignored(IgnoreReason::BootMedium)
    );
    let mounted = Policy {
        boot_partuuids: vec![],
        system_devnums: vec!["8:1".into()],
        ..Policy::default()
    };
    assert_eq!(
        classify(&record("qemu-usb-vfat-partition"), &mounted).verdict,
        Verdict::Ignored(IgnoreReason::MountedBySystem)
    );
}

/// Issue 17, point 3: a USB stick whose only file system is ext4 (partitioned or not) is listed
/// as unusable with its own reason, even though the kernel has ext4 (for the data partition of
/// the appliance's own stick); next to a FAT partition the FAT one is used, never the ext4.
#[test]
fn an_ext4_stick_is_refused_with_the_reason() {
    use tally_media::fsprobe::{FsProbe, MediaFilesystems};
    let kernel_with_ext4 = Policy {
        kernel_filesystems: vec![FsType::Vfat, FsType::Exfat, FsType::Ext4],
        ..Policy::default()
    };
    assert_eq!(
        kernel_with_ext4.media_filesystems,
        MediaFilesystems::STRANGERS
    );
    let mut partitioned = record("qemu-usb-vfat-partition");
    partitioned.partitions[0].fs = FsProbe::Supported(FsType::Ext4);
    let mut whole = record("qemu-usb-vfat-partitionless");
    whole.whole_disk_fs = FsProbe::Supported(FsType::Ext4);
    for (r, policy) in [
        (&partitioned, &kernel_with_ext4),
        (&whole, &kernel_with_ext4),
        (&partitioned, &Policy::default()),
    ] {
        let c = classify(r, policy);
        assert!(c.usb);
        assert_eq!(
            c.verdict,
            Verdict::Unusable(Unusable::RefusedFileSystem(vec!["ext4".into()]))
        );
        assert!(
            c.to_string()
                .ends_with("ext4 is never mounted from a stick (vfat or exFAT only); not mounted"),
            "{c}"
        );
    }
    // An ext4 partition next to a FAT one: the FAT one, as if the ext4 were not there.
    let mut both = record("qemu-usb-vfat-partition");
    let mut ext4 = both.partitions[0].clone();
    ext4.fs = FsProbe::Supported(FsType::Ext4);
    ext4.device.sysname = "sda2".into();
    ext4.device.properties.insert("PARTN".into(), "2".into());
    ext4.device
        .properties
        .insert("DEVNAME".into(), "/dev/sda2".into());
    both.partitions.push(ext4);
    let Verdict::Usable(v) = classify(&both, &kernel_with_ext4).verdict else {
        panic!("the FAT partition is usable")
    };
    assert_eq!((v.fs, v.partition), (FsType::Vfat, Some(1)));
}

#[test]
fn a_file_system_the_kernel_lacks_is_reported_as_unsupported() {
    let no_exfat = Policy {
        kernel_filesystems: vec![FsType::Vfat, FsType::Ext4],
        ..Policy::default()
    };
    assert_eq!(
        classify(&record("usb-uas-sandisk-exfat"), &no_exfat).verdict,
        Verdict::Unusable(Unusable::UnsupportedFileSystem(vec![
            "exfat (niet in deze kernel)".into()
        ]))
    );
    assert!(matches!(
        classify(&record("qemu-usb-vfat-partition"), &no_exfat).verdict,
        Verdict::Usable(_)
    ));
}

#[test]
fn loader_device_partuuid_from_efivarfs_bytes() {
    // efivarfs: 4 bytes of attributes (NV|BS|RT = 7), then UTF-16LE with a NUL terminator.
    let mut bytes = vec![7u8, 0, 0, 0];
    for u in "8F3C2A10-4E5B-4C7D-9A61-0B2E3F4A5D6C"
        .encode_utf16()
        .chain([0])
    {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(
        parse_loader_device_partuuid(&bytes).as_deref(),
        Some("8f3c2a10-4e5b-4c7d-9a61-0b2e3f4a5d6c")
    );
    assert_eq!(parse_loader_device_partuuid(&[7, 0, 0]), None);
    assert_eq!(
        parse_loader_device_partuuid(&[7, 0, 0, 0, b'x', 0, 0, 0]),
        None
    );
}

/// Parses `udevadm monitor --kernel --property` text into property maps.
fn uevents(name: &str) -> Vec<BTreeMap<String, String>> {
    let path = format!(
        "{}/tests/fixtures/detect/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut current = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.starts_with("KERNEL[") {
            continue;
        }
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let (k, v) = line.split_once('=').unwrap();
        current.insert(k.to_owned(), v.to_owned());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[test]
fn recorded_uevents_route_to_their_disks() {
    let events = uevents("uevents-qemu-insert-remove.txt");
    assert_eq!(events.len(), 15);
    let routes: Vec<Route> = events.iter().filter_map(route_uevent).collect();
    let first =
        "/devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1:1.0/host0/target0:0:0/0:0:0:0/block/sda";
    let second =
        "/devices/pci0000:00/0000:00:04.0/usb1/1-3/1-3:1.0/host3/target3:0:0/3:0:0:0/block/sdc";
    assert_eq!(
        routes,
        vec![
            Route::DiskTouched(first.into()),
            Route::DiskTouched(first.into()), // its partition sda1
            Route::DiskTouched(second.into()),
            Route::DiskTouched(first.into()), // sda1 removed
            Route::DiskGone(first.into()),
        ]
    );
}

#[test]
fn tracker_follows_insert_second_stick_and_removal() {
    // The recorded uevents drive the tracker; each touched disk is "re-recorded" from the
    // fixture of that device path, as the watcher does from sysfs.
    let fixtures: BTreeMap<String, DiskRecord> =
        ["qemu-usb-vfat-partition", "qemu-usb-second-stick"]
            .into_iter()
            .map(|n| {
                let r = record(n);
                (r.disk.devpath.clone(), r)
            })
            .collect();
    let mut tracker = Tracker::new();
    let mut seen = Vec::new();
    for props in uevents("uevents-qemu-insert-remove.txt") {
        match route_uevent(&props) {
            Some(Route::DiskTouched(devpath)) => {
                let c = classify(&fixtures[&devpath], &Policy::default());
                if let Some(ev) = tracker.observe(c) {
                    // The first stick is claimed as soon as it is seen.
                    if let StickEvent::Arrived(c) = &ev {
                        tracker.claim(&c.devpath).unwrap();
                    }
                    seen.push(ev);
                }
            }
            Some(Route::DiskGone(devpath)) => seen.extend(tracker.removed(&devpath)),
            None => {}
        }
    }
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert!(matches!(&seen[0], StickEvent::Arrived(c) if c.identity.devnode == "/dev/sda"));
    assert!(
        matches!(&seen[1], StickEvent::SecondStickIgnored(c) if c.identity.devnode == "/dev/sdc")
    );
    assert!(
        matches!(&seen[2], StickEvent::Removed { was_in_use: true, identity, .. } if identity.devnode == "/dev/sda")
    );
    // After the first is gone, the second one can be taken.
    assert_eq!(tracker.in_use(), None);
    assert_eq!(tracker.usable().len(), 1);
    let second = tracker.usable()[0].devpath.clone();
    assert!(tracker.claim(&second).is_ok());
    assert_eq!(
        tracker.claim("/devices/none"),
        Err(ClaimError::Busy(second.clone()))
    );
    let audit: Vec<_> = seen.iter().map(|e| e.audit_event().kind).collect();
    use tally_media::audit::AuditKind;
    assert_eq!(
        audit,
        vec![
            AuditKind::Inserted,
            AuditKind::SecondStickIgnored,
            AuditKind::Removed
        ]
    );
}

#[test]
fn unchanged_reclassification_is_silent_and_non_usb_gives_nothing() {
    let mut t = Tracker::new();
    let c = classify(&record("qemu-usb-vfat-partition"), &Policy::default());
    assert!(t.observe(c.clone()).is_some());
    assert!(t.observe(c).is_none());
    assert!(
        t.observe(classify(&record("host-vda-virtio"), &Policy::default()))
            .is_none()
    );
    // Partitions appearing after the disk's event: Changed.
    let blank = classify(&record("qemu-usb-blank"), &Policy::default());
    let mut t = Tracker::new();
    assert!(matches!(t.observe(blank), Some(StickEvent::Arrived(_))));
    let later = classify(&record("qemu-usb-vfat-partition"), &Policy::default());
    assert!(matches!(t.observe(later), Some(StickEvent::Changed(_))));
    assert!(matches!(t.claim("x"), Err(ClaimError::Unknown(_))));
}
