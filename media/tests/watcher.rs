//! The device layer (sysfs, uevent netlink socket) against the real kernel of the test machine:
//! enumeration finds no USB stick on a host without USB, waiting never hangs, and a real block
//! uevent (a loop device being attached, root only) is received, routed and recorded without
//! error and ignored as not USB. Hot-plug of a USB stick is tested in the QEMU guest of the
//! appliance image (and on sysfs fixture trees in `tests/sysfs.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;
use std::time::{Duration, Instant};

use tally_media::detect::Policy;
use tally_media::fsprobe::{FsType, kernel_filesystems};
use tally_media::watch::{Watcher, record_syspath, system_policy};

#[test]
fn enumeration_and_waiting_on_the_real_kernel() {
    let mut w = Watcher::new(Policy::default()).unwrap();
    // The host has a virtio disk, loop and zram devices, no USB: nothing to report.
    let events = w.scan().unwrap();
    assert!(events.is_empty(), "{events:?}");
    let start = Instant::now();
    let events = w.wait(Duration::from_millis(200)).unwrap();
    assert!(events.is_empty(), "{events:?}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "wait must not hang"
    );
    // The real root disk records as a non-USB disk.
    let rec = record_syspath(std::path::Path::new("/sys/block/vda")).or_else(|_| {
        let first = std::fs::read_dir("/sys/block")
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        record_syspath(&first.path())
    });
    let rec = rec.unwrap();
    assert_eq!(rec.disk.subsystem, "block");
    assert_eq!(rec.disk.devtype.as_deref(), Some("disk"));
}

#[test]
fn a_real_block_uevent_is_received_and_ignored_as_not_usb() {
    if !nix::unistd::geteuid().is_root() {
        println!("SKIPPED a_real_block_uevent_is_received_and_ignored_as_not_usb: needs root");
        return;
    }
    let mut w = Watcher::new(Policy::default()).unwrap();
    w.scan().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("img");
    std::fs::File::create(&img)
        .unwrap()
        .set_len(4 << 20)
        .unwrap();
    let out = Command::new("losetup")
        .args(["-f", "--show"])
        .arg(&img)
        .output()
        .unwrap();
    assert!(out.status.success());
    let dev = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let start = Instant::now();
    let result = w.wait(Duration::from_secs(2));
    let _ = Command::new("losetup").arg("-d").arg(&dev).status();
    let events = result.unwrap();
    assert!(events.is_empty(), "{events:?}");
    // The loop device's change event arrived (the wait returned after the settle time, well
    // before its 2 s timeout), was routed to the loop disk, recorded and classified as not USB.
    assert!(
        start.elapsed() < Duration::from_millis(1900),
        "no uevent received"
    );
    assert!(w.tracker().present().next().is_none());
}

#[test]
fn the_system_policy_of_this_machine() {
    let run = tempfile::tempdir().unwrap();
    let p = system_policy(run.path());
    // The same parse of the same file: what this kernel offers of the allow-list.
    let fs = kernel_filesystems(&std::fs::read_to_string("/proc/filesystems").unwrap());
    assert_eq!(p.kernel_filesystems, fs);
    assert!(
        p.kernel_filesystems.contains(&FsType::Ext4),
        "the loop tests need ext4"
    );
    // The test machine is not booted through the UKI stub.
    if !std::path::Path::new(tally_media::watch::LOADER_DEVICE_PARTUUID).exists() {
        assert!(p.boot_partuuids.is_empty());
    }
    // No device number of an anonymous mount (proc, tmpfs, overlay) is listed.
    assert!(p.system_devnums.iter().all(|d| !d.starts_with("0:")));
}
