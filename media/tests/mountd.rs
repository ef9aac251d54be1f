//! The mount service's client path on the host, in a child process as the appliance has it: the
//! parent serves one end of a socket pair (`mountd::Server`), the child inherits the other under
//! the number named in `TALLY_MOUNT_FD`, takes it over (`install_from_env`, `pidfd_getfd`), and
//! its `Mount::new` and `device_gone` then ask the server instead of the kernel. The server
//! refuses a device that does not exist and logs it; the child sees the refusal as a mount
//! error. (What a real stick does through it is the guest tests' part: image/tests/boot.rs,
//! media/tests/guest.rs, tui/tests/usb_guest.rs.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::os::fd::AsRawFd as _;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use tally_media::MediaError;
use tally_media::fsprobe::{FsType, MediaFilesystems};
use tally_media::mount::{Mount, MountMode};
use tally_media::mountd::{self, FD_ENV, Server};

/// Set in the child's environment: run the child's side.
const CHILD: &str = "TALLY_MOUNTD_TEST_CHILD";

#[test]
fn a_child_under_the_service_mounts_through_it_and_hears_the_refusal() {
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = lines.clone();
    let mut server = Server::new(
        1000,
        1000,
        Box::new(move |l| sink.lock().unwrap().push(l.to_owned())),
    );
    let (ours, theirs) = mountd::channel().unwrap();
    // The child inherits its end (no close-on-exec), as the launcher arranges on the appliance.
    rustix::io::fcntl_setfd(&theirs, rustix::io::FdFlags::empty()).unwrap();
    let serving = std::thread::spawn(move || server.serve(ours));
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_side", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env(FD_ENV, theirs.as_raw_fd().to_string())
        .output()
        .unwrap();
    drop(theirs);
    // The child has ended: its end is closed and the server stops.
    serving.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("CHILD-OK"),
        "child failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    let lines = lines.lock().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l == "mount service: REFUSED: /dev/sdzz9: no such block device"),
        "{lines:?}"
    );
}

#[test]
fn child_side() {
    if std::env::var_os(CHILD).is_none() {
        // Run directly (not as the child): nothing to do; and no client is installed.
        assert!(!mountd::installed());
        return;
    }
    assert!(mountd::install_from_env().unwrap());
    assert!(mountd::installed());
    // A second installation is refused.
    assert!(mountd::install_from_env().is_err());
    // Mounting asks the init, which knows no such device.
    let err = Mount::new(
        Path::new("/dev/sdzz9"),
        FsType::Vfat,
        MediaFilesystems::STRANGERS,
        MountMode::ReadOnly,
        Path::new("/nonexistent"),
    )
    .unwrap_err();
    match &err {
        MediaError::Mount { source, .. } => assert_eq!(
            source.to_string(),
            "refused by the init: /dev/sdzz9: no such block device"
        ),
        other => panic!("{other}"),
    }
    // A node outside /dev is refused before anything is sent.
    let err = Mount::new(
        Path::new("/tmp/sdb1"),
        FsType::Vfat,
        MediaFilesystems::STRANGERS,
        MountMode::ReadWrite,
        Path::new("/nonexistent"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("bad device name"), "{err}");
    // Whether a stick is still there is asked too: this one never was.
    assert_eq!(
        tally_media::medium::device_gone(Path::new("/dev/sdzz9")),
        Some("/dev/sdzz9 is gone".to_string())
    );
    println!("CHILD-OK");
}
