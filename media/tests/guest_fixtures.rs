//! Detection on real captures from the appliance's QEMU guest (`tests/guest.rs` records them
//! with `guest-check`'s `record` and `uevents` commands over the serial line;
//! `TALLY_RECORD_FIXTURES=1` writes them to tests/fixtures/detect/guest-*): a `usb-storage`
//! stick on `qemu-xhci` with an MBR and one FAT partition (stick A, serial TALLY-A), a
//! partitionless FAT stick (stick B, TALLY-B), and the kernel's uevents of hot-plugging A,
//! hot-plugging B while A is in use and pulling A (QMP `device_add`/`device_del`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use tally_media::detect::{DiskRecord, IgnoreReason, Policy, Unusable, Verdict, Volume, classify};
use tally_media::fsprobe::FsType;
use tally_media::tracker::{StickEvent, Tracker};
use tally_media::watch::{Route, route_uevent};

const A: &str =
    "/devices/pci0000:00/0000:00:03.0/usb2/2-1/2-1:1.0/host0/target0:0:0/0:0:0:0/block/sda";
const B: &str =
    "/devices/pci0000:00/0000:00:03.0/usb2/2-2/2-2:1.0/host1/target1:0:0/1:0:0:0/block/sdb";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/detect/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn record(name: &str) -> DiskRecord {
    serde_json::from_str(&fixture(&format!("{name}.json"))).unwrap()
}

/// `udevadm monitor --kernel --property` text as property maps.
fn uevents(name: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut current = BTreeMap::new();
    for line in fixture(name).lines() {
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
fn captured_partitioned_stick_is_usable_on_its_fat_partition() {
    let r = record("guest-usb-vfat-partition");
    assert_eq!(r.disk.devpath, A);
    let c = classify(&r, &Policy::default());
    assert!(c.usb);
    assert_eq!(
        c.verdict,
        Verdict::Usable(Volume {
            devnode: PathBuf::from("/dev/sda1"),
            devnum: Some("8:1".into()),
            fs: FsType::Vfat,
            partition: Some(1),
            // The test's image: 1 MiB for the MBR, then a 32 MiB FAT partition.
            size_bytes: Some(32 * 1024 * 1024),
        })
    );
    assert_eq!(c.identity.vendor.as_deref(), Some("QEMU"));
    assert_eq!(c.identity.model.as_deref(), Some("QEMU USB HARDDRIVE"));
    assert_eq!(c.identity.serial.as_deref(), Some("TALLY-A"));
    assert_eq!(c.identity.devnode, "/dev/sda");
    assert_eq!(
        c.to_string(),
        "stick QEMU QEMU USB HARDDRIVE (serial TALLY-A) at /dev/sda: usable (vfat, partition 1)"
    );
}

#[test]
fn captured_partitionless_stick_is_usable_as_a_whole() {
    let c = classify(&record("guest-usb-vfat-partitionless"), &Policy::default());
    assert!(c.usb);
    let Verdict::Usable(v) = &c.verdict else {
        panic!("{:?}", c.verdict)
    };
    assert_eq!(v.devnode, PathBuf::from("/dev/sdb"));
    assert_eq!(v.fs, FsType::Vfat);
    assert_eq!(v.partition, None);
    assert_eq!(v.size_bytes, Some(16 * 1024 * 1024));
    assert_eq!(c.identity.serial.as_deref(), Some("TALLY-B"));
}

#[test]
fn captured_stick_as_boot_medium_or_system_mounted_is_left_alone() {
    // The MBR the test wrote has disk signature 7a11e7a1: partition 1 is 7a11e7a1-01.
    let r = record("guest-usb-vfat-partition");
    let boot = Policy {
        boot_partuuids: vec!["7a11e7a1-01".into()],
        ..Policy::default()
    };
    assert_eq!(
        classify(&r, &boot).verdict,
        Verdict::Ignored(IgnoreReason::BootMedium)
    );
    let mounted = Policy {
        system_devnums: vec!["8:1".into()],
        ..Policy::default()
    };
    assert_eq!(
        classify(&r, &mounted).verdict,
        Verdict::Ignored(IgnoreReason::MountedBySystem)
    );
    // A kernel without vfat: the stick is reported as unsupported, not mounted.
    let no_vfat = Policy {
        kernel_filesystems: vec![FsType::Ext4],
        ..Policy::default()
    };
    assert_eq!(
        classify(&r, &no_vfat).verdict,
        Verdict::Unusable(Unusable::UnsupportedFileSystem(vec![
            "vfat (niet in deze kernel)".into()
        ]))
    );
}

#[test]
fn captured_ancestry_matches_the_hand_written_qemu_fixture() {
    // The hand-written fixture was modelled on the kernel's layout; the capture confirms the
    // chain of subsystems, device types and drivers from the disk up to the xHCI function.
    let chain = |r: &DiskRecord| -> Vec<(String, Option<String>, Option<String>)> {
        r.ancestors
            .iter()
            .filter(|a| a.subsystem != "pci" && !a.subsystem.is_empty())
            .map(|a| (a.subsystem.clone(), a.devtype.clone(), a.driver.clone()))
            .collect()
    };
    let real = record("guest-usb-vfat-partition");
    let written = record("qemu-usb-vfat-partition");
    assert_eq!(chain(&real), chain(&written));
}

#[test]
fn captured_uevents_route_to_their_disks() {
    let events = uevents("uevents-guest-insert-second-remove.txt");
    assert_eq!(events.len(), 49);
    let routes: Vec<Route> = events.iter().filter_map(route_uevent).collect();
    assert_eq!(
        routes,
        vec![
            Route::DiskTouched(A.into()),
            Route::DiskTouched(A.into()), // its partition sda1
            Route::DiskTouched(B.into()),
            Route::DiskTouched(A.into()), // sda1 removed
            Route::DiskGone(A.into()),
        ]
    );
}

#[test]
fn captured_uevents_drive_the_tracker() {
    let fixtures: BTreeMap<String, DiskRecord> =
        ["guest-usb-vfat-partition", "guest-usb-vfat-partitionless"]
            .into_iter()
            .map(|n| {
                let r = record(n);
                (r.disk.devpath.clone(), r)
            })
            .collect();
    let mut tracker = Tracker::new();
    let mut seen = Vec::new();
    for props in uevents("uevents-guest-insert-second-remove.txt") {
        match route_uevent(&props) {
            // The watcher re-records a touched disk from sysfs; a disk being removed is gone
            // from sysfs by then (its removal follows), so it is skipped here.
            Some(Route::DiskTouched(devpath)) if props["ACTION"] != "remove" => {
                let c = classify(&fixtures[&devpath], &Policy::default());
                if let Some(ev) = tracker.observe(c) {
                    if let StickEvent::Arrived(c) = &ev {
                        tracker.claim(&c.devpath).unwrap();
                    }
                    seen.push(ev);
                }
            }
            Some(Route::DiskGone(devpath)) => seen.extend(tracker.removed(&devpath)),
            _ => {}
        }
    }
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert!(
        matches!(&seen[0], StickEvent::Arrived(c) if c.identity.serial.as_deref() == Some("TALLY-A"))
    );
    assert!(
        matches!(&seen[1], StickEvent::SecondStickIgnored(c) if c.identity.serial.as_deref() == Some("TALLY-B"))
    );
    assert!(matches!(
        &seen[2],
        StickEvent::Removed { was_in_use: true, identity, .. } if identity.devnode == "/dev/sda"
    ));
    assert_eq!(tracker.in_use(), None);
    assert_eq!(tracker.usable().len(), 1);
    assert_eq!(tracker.usable()[0].devpath, B);
}
