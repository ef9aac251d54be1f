//! The device layer on sysfs fixture trees in a temp dir: the recorded disks of
//! `tests/fixtures/detect` are laid out as the kernel lays them out (`devices/...` with `uevent`
//! files, `subsystem` and `driver` links and attribute files; `class/block` links; image files
//! standing in for the device nodes), then recorded, enumerated and followed through uevents by
//! `watch::SysRoot` and `watch::Watcher`, without libudev and without hardware.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use tally_media::detect::{DiskRecord, IgnoreReason, Policy, RecordedDevice, Verdict, classify};
use tally_media::fsprobe::{FsProbe, FsType};
use tally_media::tracker::StickEvent;
use tally_media::watch::{SysRoot, Watcher, parse_uevent_message};

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn record(name: &str) -> DiskRecord {
    let text = std::fs::read_to_string(fixture_path(&format!("detect/{name}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A fixture tree: `sys/` and `dev/` in a temp dir.
struct Tree {
    _dir: tempfile::TempDir,
    sys: PathBuf,
    dev: PathBuf,
}

impl Tree {
    fn new() -> Tree {
        let dir = tempfile::tempdir().unwrap();
        let sys = dir.path().join("sys");
        let dev = dir.path().join("dev");
        std::fs::create_dir_all(sys.join("devices")).unwrap();
        std::fs::create_dir_all(sys.join("class/block")).unwrap();
        std::fs::create_dir_all(&dev).unwrap();
        Tree {
            _dir: dir,
            sys,
            dev,
        }
    }

    fn root(&self) -> SysRoot {
        SysRoot::new(&self.sys, &self.dev)
    }

    fn dir(&self, d: &RecordedDevice) -> PathBuf {
        self.sys.join(d.devpath.trim_start_matches('/'))
    }

    /// Lays out one device as the kernel does: the `uevent` file holds what the kernel puts
    /// there (no `DEVPATH`/`SUBSYSTEM`, `DEVNAME` relative to /dev; `PARTUUID` only when
    /// `partuuid_in_uevent`), `subsystem`/`driver` are links, attributes are files.
    fn put_device(&self, d: &RecordedDevice, partuuid_in_uevent: bool) {
        let dir = self.dir(d);
        std::fs::create_dir_all(&dir).unwrap();
        let mut uevent = String::new();
        for (k, v) in &d.properties {
            match k.as_str() {
                "DEVPATH" | "SUBSYSTEM" => {}
                "PARTUUID" if !partuuid_in_uevent => {}
                "DEVNAME" => {
                    uevent.push_str(&format!("DEVNAME={}\n", v.trim_start_matches("/dev/")))
                }
                _ => uevent.push_str(&format!("{k}={v}\n")),
            }
        }
        std::fs::write(dir.join("uevent"), uevent).unwrap();
        if !d.subsystem.is_empty() && std::fs::symlink_metadata(dir.join("subsystem")).is_err() {
            let target = if d.subsystem == "block" {
                self.sys.join("class/block")
            } else {
                self.sys.join("bus").join(&d.subsystem)
            };
            symlink(target, dir.join("subsystem")).unwrap();
        }
        if let Some(driver) = &d.driver
            && std::fs::symlink_metadata(dir.join("driver")).is_err()
        {
            symlink(
                self.sys.join("bus/any/drivers").join(driver),
                dir.join("driver"),
            )
            .unwrap();
        }
        for (k, v) in &d.attributes {
            std::fs::write(dir.join(k), format!("{v}\n")).unwrap();
        }
        if d.subsystem == "block" {
            // What else a block device directory holds: none of it is a device.
            for sub in ["queue", "power", "holders", "slaves"] {
                std::fs::create_dir_all(dir.join(sub)).unwrap();
            }
            std::fs::write(dir.join("queue/uevent-like"), "DEVTYPE=partition\n").unwrap();
            let _ = symlink(self.sys.join("devices/virtual/bdi/8:0"), dir.join("bdi"));
            let rel = Path::new("../..").join(d.devpath.trim_start_matches('/'));
            let _ = symlink(rel, self.sys.join("class/block").join(&d.sysname));
        }
    }

    /// Lays out a whole recorded disk with its ancestors and partitions, and `dev/` files with
    /// the given contents (node name relative to /dev -> bytes).
    fn put_disk(&self, r: &DiskRecord, partuuid_in_uevent: bool, nodes: &[(&str, Vec<u8>)]) {
        for a in &r.ancestors {
            self.put_device(a, partuuid_in_uevent);
        }
        self.put_device(&r.disk, partuuid_in_uevent);
        for p in &r.partitions {
            self.put_device(&p.device, partuuid_in_uevent);
        }
        for (name, bytes) in nodes {
            std::fs::write(self.dev.join(name), bytes).unwrap();
        }
    }

    /// Takes a disk away as the kernel does: its directory (with its partitions) and its link.
    fn pull(&self, r: &DiskRecord) {
        std::fs::remove_dir_all(self.dir(&r.disk)).unwrap();
        std::fs::remove_file(self.sys.join("class/block").join(&r.disk.sysname)).unwrap();
        for p in &r.partitions {
            let _ = std::fs::remove_file(self.sys.join("class/block").join(&p.device.sysname));
        }
    }
}

/// An MBR with this disk signature and one FAT32-LBA partition at 1 MiB of `sectors` sectors.
fn mbr(signature: u32, sectors: u32) -> Vec<u8> {
    let mut b = vec![0u8; 512];
    b[440..444].copy_from_slice(&signature.to_le_bytes());
    b[446 + 4] = 0x0c;
    b[446 + 8..446 + 12].copy_from_slice(&2048u32.to_le_bytes());
    b[446 + 12..446 + 16].copy_from_slice(&sectors.to_le_bytes());
    b[510] = 0x55;
    b[511] = 0xAA;
    b
}

fn fat32() -> Vec<u8> {
    std::fs::read(fixture_path("fat32-head.bin")).unwrap()
}

fn fat16() -> Vec<u8> {
    std::fs::read(fixture_path("fat16-head.bin")).unwrap()
}

/// The captured guest stick A: MBR (signature 7a11e7a1) + FAT partition.
fn put_stick_a(t: &Tree) -> DiskRecord {
    let a = record("guest-usb-vfat-partition");
    t.put_disk(
        &a,
        false,
        &[("sda", mbr(0x7a11_e7a1, 65536)), ("sda1", fat32())],
    );
    a
}

/// The captured guest stick B: FAT on the whole disk.
fn put_stick_b(t: &Tree) -> DiskRecord {
    let b = record("guest-usb-vfat-partitionless");
    t.put_disk(&b, false, &[("sdb", fat16())]);
    b
}

/// The development host's virtio disk (not USB).
fn put_vda(t: &Tree) -> DiskRecord {
    let v = record("host-vda-virtio");
    t.put_disk(&v, false, &[]);
    v
}

#[test]
fn captured_guest_sticks_are_recorded_as_libudev_recorded_them() {
    let t = Tree::new();
    let a = put_stick_a(&t);
    let b = put_stick_b(&t);
    let root = t.root();
    // Through the class/block link, like `record-disk /sys/block/sda`.
    let got = root.record_syspath(&t.sys.join("class/block/sda")).unwrap();
    // The same record, PARTUUID included: the 6.1 kernel leaves it out of the uevent, so it is
    // computed from the MBR of the node.
    assert_eq!(got, a);
    let got_b = root.record_disk(&b.disk.devpath).unwrap();
    assert_eq!(got_b, b);
    let c = classify(&got, &Policy::default());
    assert!(c.usb);
    let Verdict::Usable(v) = &c.verdict else {
        panic!("{c:?}");
    };
    assert_eq!(v.fs, FsType::Vfat);
    assert_eq!(v.partition, Some(1));
    assert_eq!(v.devnode, PathBuf::from("/dev/sda1"));
    assert_eq!(c.identity.serial.as_deref(), Some("TALLY-A"));
}

#[test]
fn a_virtio_disk_records_with_its_ancestors_and_is_not_usb() {
    let t = Tree::new();
    let v = put_vda(&t);
    let got = t.root().record_disk(&v.disk.devpath).unwrap();
    // Everything but the probe (the node is absent here, unreadable in the host's sandbox).
    assert_eq!(got.disk, v.disk);
    assert_eq!(got.ancestors, v.ancestors);
    assert!(got.partitions.is_empty());
    assert!(matches!(got.whole_disk_fs, FsProbe::Unreadable(_)));
    // The PCI root without subsystem records with no properties, as libudev had it.
    let top = got.ancestors.last().unwrap();
    assert_eq!(top.devpath, "/devices/pci0000:00");
    assert!(top.properties.is_empty());
    assert!(!classify(&got, &Policy::default()).usb);
}

#[test]
fn enumeration_lists_whole_disks_only() {
    let t = Tree::new();
    let a = put_stick_a(&t);
    let b = put_stick_b(&t);
    let v = put_vda(&t);
    let disks = t.root().block_disks().unwrap();
    let mut want = vec![a.disk.devpath, b.disk.devpath, v.disk.devpath];
    want.sort();
    assert_eq!(disks, want);
}

#[test]
fn the_removable_attribute_is_not_needed() {
    // QEMU's usb-storage and many real sticks say removable=0; ancestry decides.
    let t = Tree::new();
    let a = put_stick_a(&t);
    assert_eq!(
        a.disk.attributes.get("removable").map(String::as_str),
        Some("0")
    );
    std::fs::remove_file(t.dir(&a.disk).join("removable")).unwrap();
    let got = t.root().record_disk(&a.disk.devpath).unwrap();
    assert!(!got.disk.attributes.contains_key("removable"));
    assert!(matches!(
        classify(&got, &Policy::default()).verdict,
        Verdict::Usable(_)
    ));
}

#[test]
fn the_usb_storage_driver_link_decides() {
    // Without a driver bound to the USB interface, the disk is not USB storage.
    let t = Tree::new();
    let a = put_stick_a(&t);
    let iface = a
        .ancestors
        .iter()
        .find(|d| d.devtype.as_deref() == Some("usb_interface"))
        .unwrap();
    std::fs::remove_file(t.dir(iface).join("driver")).unwrap();
    let got = t.root().record_disk(&a.disk.devpath).unwrap();
    assert!(!classify(&got, &Policy::default()).usb);
}

#[test]
fn paths_outside_the_device_tree_are_refused() {
    let t = Tree::new();
    put_stick_a(&t);
    let root = t.root();
    assert!(root.record_device("/devices/../etc").is_err());
    assert!(root.record_device("/class/block/sda").is_err());
    assert!(root.record_device("/devices/pci0000:00/nothing").is_err());
    let outside = tempfile::tempdir().unwrap();
    assert!(root.record_syspath(outside.path()).is_err());
}

#[test]
fn the_boot_stick_is_ignored_at_enumeration() {
    let t = Tree::new();
    // A hand-written record after a kernel that does put PARTUUID in the uevent.
    let boot = record("qemu-usb-boot-stick");
    t.put_disk(&boot, true, &[("sdb1", fat32())]);
    put_vda(&t);
    let partuuid = boot.partitions[0].device.properties["PARTUUID"].clone();
    let policy = Policy {
        boot_partuuids: vec![partuuid],
        ..Policy::default()
    };
    let mut w = Watcher::with_root(policy, t.root()).unwrap();
    let events = w.scan().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let StickEvent::IgnoredUsb(c) = &events[0] else {
        panic!("{events:?}");
    };
    assert_eq!(c.verdict, Verdict::Ignored(IgnoreReason::BootMedium));
    assert!(w.tracker().usable().is_empty());
}

/// The uevents captured in the guest, as the kernel sent them over netlink
/// (`ACTION@DEVPATH\0KEY=VALUE\0...`, `DEVNAME` relative), parsed back.
fn captured_uevents() -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(fixture_path(
        "detect/uevents-guest-insert-second-remove.txt",
    ))
    .unwrap();
    let mut out = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    let mut flush = |current: &mut Vec<(String, String)>| {
        if current.is_empty() {
            return;
        }
        let get = |k: &str| {
            current
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let mut msg = format!("{}@{}\0", get("ACTION"), get("DEVPATH")).into_bytes();
        for (k, v) in current.iter() {
            let v = if k == "DEVNAME" {
                v.trim_start_matches("/dev/")
            } else {
                v
            };
            msg.extend_from_slice(format!("{k}={v}\0").as_bytes());
        }
        let props = parse_uevent_message(&msg).unwrap();
        assert_eq!(props.len(), current.len());
        out.push(props);
        current.clear();
    };
    for line in text.lines() {
        if line.starts_with('#') || line.starts_with("KERNEL[") {
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut current);
            continue;
        }
        let (k, v) = line.split_once('=').unwrap();
        current.push((k.to_owned(), v.to_owned()));
    }
    flush(&mut current);
    out
}

fn seqnum(e: &BTreeMap<String, String>) -> u64 {
    e["SEQNUM"].parse().unwrap()
}

#[test]
fn hot_plug_follows_the_captured_uevents() {
    let events = captured_uevents();
    assert!(events.len() > 20);
    let (insert_a, rest): (Vec<_>, Vec<_>) = events.into_iter().partition(|e| seqnum(e) < 693);
    let (insert_b, remove_a): (Vec<_>, Vec<_>) = rest.into_iter().partition(|e| seqnum(e) < 698);

    let t = Tree::new();
    put_vda(&t);
    let mut w = Watcher::with_root(Policy::default(), t.root()).unwrap();
    assert!(w.scan().unwrap().is_empty(), "no stick at start");

    // A is plugged in: its sysfs directories appear, then its events are handled.
    let a = put_stick_a(&t);
    let got = w.handle_uevents(insert_a, false).unwrap();
    let [StickEvent::Arrived(c)] = got.as_slice() else {
        panic!("{got:?}");
    };
    assert_eq!(c.devpath, a.disk.devpath);
    assert!(matches!(c.verdict, Verdict::Usable(_)));
    w.tracker().claim(&a.disk.devpath).unwrap();

    // B while A is in use: reported and left alone.
    let b = put_stick_b(&t);
    let got = w.handle_uevents(insert_b, false).unwrap();
    let [StickEvent::SecondStickIgnored(c)] = got.as_slice() else {
        panic!("{got:?}");
    };
    assert_eq!(c.devpath, b.disk.devpath);

    // A pulled: the kernel removes its directories, then sends the removals.
    t.pull(&a);
    let got = w.handle_uevents(remove_a, false).unwrap();
    let [
        StickEvent::Removed {
            devpath,
            was_in_use,
            ..
        },
    ] = got.as_slice()
    else {
        panic!("{got:?}");
    };
    assert_eq!(devpath, &a.disk.devpath);
    assert!(was_in_use);
    assert_eq!(w.tracker().in_use(), None);
    assert_eq!(w.tracker().present().count(), 1);
}

#[test]
fn lost_uevents_are_made_good_by_a_new_enumeration() {
    let t = Tree::new();
    let a = put_stick_a(&t);
    let mut w = Watcher::with_root(Policy::default(), t.root()).unwrap();
    assert_eq!(w.scan().unwrap().len(), 1);
    // A pulled and B plugged in while the socket's buffer overflowed: no events, only ENOBUFS.
    t.pull(&a);
    let b = put_stick_b(&t);
    let got = w.handle_uevents(Vec::new(), true).unwrap();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(matches!(&got[0], StickEvent::Removed { devpath, .. } if *devpath == a.disk.devpath));
    assert!(matches!(&got[1], StickEvent::Arrived(c) if c.devpath == b.disk.devpath));
}

#[test]
fn a_disk_gone_before_it_was_recorded_is_a_removal() {
    let t = Tree::new();
    let a = put_stick_a(&t);
    let mut w = Watcher::with_root(Policy::default(), t.root()).unwrap();
    assert_eq!(w.scan().unwrap().len(), 1);
    t.pull(&a);
    // A change event of the disk arrives after its directory is gone.
    let change: BTreeMap<String, String> = [
        ("ACTION", "change"),
        ("DEVPATH", a.disk.devpath.as_str()),
        ("SUBSYSTEM", "block"),
        ("DEVTYPE", "disk"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let got = w.handle_uevents(vec![change], false).unwrap();
    assert!(
        matches!(got.as_slice(), [StickEvent::Removed { .. }]),
        "{got:?}"
    );
}
