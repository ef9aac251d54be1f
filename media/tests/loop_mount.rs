//! Root-only tests on real ext4 file systems in loop devices: mount options in force, links and
//! device nodes refused, an export written, unmounted, re-verified, and a fault injected at every
//! export step leaving the stick and the caller's data as they were and no mount behind.
//!
//! CI runs as root. Not root: each test prints why it is skipped and passes. Needs `mkfs.ext4`
//! (e2fsprogs) and `losetup` (util-linux). The host's kernel has no vfat: vfat and hot-plug are
//! tested inside the QEMU guest of the appliance image. The appliance never mounts ext4 from a
//! stick: these tests mount it under the host-test policy
//! (`MediaFilesystems::host_tests_with_ext4`, docs/media.md), and one of them checks that the
//! appliance's policy refuses the same stick.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use nix::mount::{MntFlags, MsFlags};
use tally_media::audit::{AuditKind, MemoryAudit};
use tally_media::detect::{DeviceIdentity, Volume};
use tally_media::export::{ExportFile, ExportRequest, ExportStep, FailAt, NoFaults, StickState};
use tally_media::fsprobe::{FsProbe, FsType, probe_device};
use tally_media::medium::{Medium, UsbStick};
use tally_media::mount::{MountMode, mounts_under, required_options};
use tally_media::reader::{EntryKind, ReadLimits, sha256_hex};
use tally_media::verify::FolderView;
use tally_media::{MediaError, MediaFilesystems};

fn root_or_skip(test: &str) -> bool {
    if nix::unistd::geteuid().is_root() {
        true
    } else {
        println!("SKIPPED {test}: needs root (loop devices and mount); CI runs as root");
        false
    }
}

/// An ext4 image attached to a loop device; detached (and the image removed) on drop, also when
/// the test fails.
struct LoopStick {
    _dir: tempfile::TempDir,
    dev: PathBuf,
}

impl LoopStick {
    /// Makes a 16 MiB ext4 image, lets `populate` fill it through a plain read-write mount, and
    /// attaches it.
    fn new(populate: impl FnOnce(&Path)) -> LoopStick {
        let dir = tempfile::tempdir().unwrap();
        let img = dir.path().join("stick.img");
        std::fs::File::create(&img)
            .unwrap()
            .set_len(16 << 20)
            .unwrap();
        let out = Command::new("mkfs.ext4")
            .args(["-F", "-q"])
            .arg(&img)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mkfs.ext4: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = Command::new("losetup")
            .args(["-f", "--show"])
            .arg(&img)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "losetup: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dev = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
        let stick = LoopStick { _dir: dir, dev };
        let m = stick._dir.path().join("populate");
        std::fs::create_dir(&m).unwrap();
        nix::mount::mount(
            Some(&stick.dev),
            &m,
            Some("ext4"),
            MsFlags::empty(),
            None::<&str>,
        )
        .unwrap();
        populate(&m);
        unmount_plain(&m);
        stick
    }

    fn usb(&self, runtime: &Path) -> UsbStick {
        UsbStick::new(
            DeviceIdentity {
                vendor: Some("loop".into()),
                model: Some("ext4 test image".into()),
                serial: None,
                devnode: self.dev.display().to_string(),
            },
            Volume {
                devnode: self.dev.clone(),
                devnum: None,
                fs: FsType::Ext4,
                partition: None,
                size_bytes: Some(16 << 20),
            },
            runtime,
        )
        // The host's kernel has no vfat: these tests mount ext4, which only the host-test
        // policy allows (docs/media.md); the appliance's policy refuses it.
        .allowing(MediaFilesystems::host_tests_with_ext4())
    }

    /// The files on the stick (relative path -> bytes), links and nodes as markers, read through
    /// a plain read-only mount.
    fn snapshot(&self) -> Vec<(String, String)> {
        let m = self._dir.path().join("inspect");
        std::fs::create_dir_all(&m).unwrap();
        nix::mount::mount(
            Some(&self.dev),
            &m,
            Some("ext4"),
            MsFlags::MS_RDONLY,
            None::<&str>,
        )
        .unwrap();
        let mut out = Vec::new();
        walk(&m, &m, &mut out);
        unmount_plain(&m);
        out.sort();
        out
    }
}

/// Unmounts a test-helper mount; EBUSY can be transient while another test thread forks
/// (`mkfs.ext4`, `losetup`), so retry, then detach lazily rather than leave it.
fn unmount_plain(m: &Path) {
    for _ in 0..50 {
        match nix::mount::umount2(m, MntFlags::empty()) {
            Err(nix::errno::Errno::EBUSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            other => return other.unwrap(),
        }
    }
    nix::mount::umount2(m, MntFlags::MNT_DETACH).unwrap();
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let rel = p.strip_prefix(root).unwrap().display().to_string();
        let t = e.file_type().unwrap();
        if t.is_dir() {
            out.push((rel.clone(), "dir".into()));
            walk(root, &p, out);
        } else if t.is_file() {
            out.push((rel, sha256_hex(&std::fs::read(&p).unwrap())));
        } else {
            out.push((rel, "special".into()));
        }
    }
}

impl Drop for LoopStick {
    fn drop(&mut self) {
        let _ = Command::new("losetup").arg("-d").arg(&self.dev).status();
    }
}

/// A small "signed medium" stand-in: manifest.txt lists `name sha256` per file; the verifier
/// below checks it completely. (The signing crate's verifier plugs in the same way.)
fn medium_files() -> Vec<(String, Vec<u8>)> {
    let payload: Vec<(String, Vec<u8>)> = vec![
        (
            "Telling_GR2026_0668.eml.xml".into(),
            b"<EML>totalen van gemeente 0668</EML>\n".to_vec(),
        ),
        ("pv-na-31-2.pdf".into(), vec![0x25u8; 3000]),
    ];
    let mut manifest = String::new();
    for (name, bytes) in &payload {
        manifest.push_str(&format!("{name} {}\n", sha256_hex(bytes)));
    }
    let mut files = payload;
    files.push(("manifest.txt".into(), manifest.into_bytes()));
    files
}

fn manifest_verifier(view: &FolderView<'_>) -> Result<String, String> {
    let manifest = view.read("manifest.txt", 4096).map_err(|e| e.to_string())?;
    let text = String::from_utf8(manifest).map_err(|e| e.to_string())?;
    let mut n = 0;
    for line in text.lines() {
        let (name, hash) = line.split_once(' ').ok_or("bad manifest line")?;
        let bytes = view.read(name, 1 << 20).map_err(|e| e.to_string())?;
        if sha256_hex(&bytes) != hash {
            return Err(format!("{name}: hash differs"));
        }
        n += 1;
    }
    Ok(format!("{n} files match the manifest"))
}

fn runtime_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("tally-run")
        .tempdir()
        .unwrap()
}

#[test]
fn import_mount_has_the_safe_options_and_refuses_links_and_devices() {
    if !root_or_skip("import_mount_has_the_safe_options_and_refuses_links_and_devices") {
        return;
    }
    let stick = LoopStick::new(|m| {
        std::fs::create_dir(m.join("medium")).unwrap();
        std::fs::write(m.join("medium/a.xml"), b"<a/>").unwrap();
        std::fs::write(m.join("medium/big.bin"), vec![1u8; 5000]).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", m.join("medium/link")).unwrap();
        std::os::unix::fs::symlink("medium", m.join("dirlink")).unwrap();
        nix::sys::stat::mknod(
            &m.join("medium/null"),
            nix::sys::stat::SFlag::S_IFCHR,
            nix::sys::stat::Mode::from_bits_truncate(0o666),
            nix::sys::stat::makedev(1, 3),
        )
        .unwrap();
        nix::unistd::mkfifo(&m.join("medium/fifo"), nix::sys::stat::Mode::S_IRUSR).unwrap();
    });
    assert_eq!(
        probe_device(&stick.dev).unwrap(),
        FsProbe::Supported(FsType::Ext4)
    );
    let run = runtime_dir();
    let usb = stick.usb(run.path());
    let mut audit = MemoryAudit::default();
    let limits = ReadLimits {
        max_file_bytes: 4096,
        ..ReadLimits::default()
    };
    let session = usb.open_import(limits, &mut audit).unwrap();
    let root = session.reader().root_path().to_path_buf();
    assert!(root.starts_with(run.path()));

    // The options as the kernel reports them.
    let mounts = mounts_under(run.path()).unwrap();
    assert_eq!(mounts.len(), 1, "{mounts:?}");
    assert_eq!(mounts[0].fs_type, "ext4");
    assert_eq!(mounts[0].mount_point, root);
    for o in required_options(MountMode::ReadOnly) {
        assert!(
            mounts[0].options.iter().any(|x| x == o),
            "{o} missing in {:?}",
            mounts[0].options
        );
    }
    // ... and in force: nosymfollow makes even a plain path open of a link fail, nodev makes
    // the device node unopenable, ro makes writing fail.
    let e = std::fs::read(root.join("medium/link")).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(nix::libc::ELOOP), "{e}");
    let e = std::fs::File::open(root.join("medium/null")).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(nix::libc::EACCES), "{e}");
    let e = std::fs::write(root.join("medium/new"), b"x").unwrap_err();
    assert_eq!(e.raw_os_error(), Some(nix::libc::EROFS), "{e}");

    // The reader refuses them by type, before opening.
    let r = session.reader();
    assert_eq!(r.read_file("medium/a.xml").unwrap(), b"<a/>");
    assert!(matches!(
        r.read_file("medium/link"),
        Err(MediaError::Symlink { .. })
    ));
    assert!(matches!(
        r.read_file("dirlink/a.xml"),
        Err(MediaError::Symlink { .. })
    ));
    assert!(matches!(
        r.read_file("medium/null"),
        Err(MediaError::NotRegular {
            kind: "device node",
            ..
        })
    ));
    assert!(matches!(
        r.read_file("medium/fifo"),
        Err(MediaError::NotRegular {
            kind: "fifo or socket",
            ..
        })
    ));
    assert!(matches!(
        r.read_file("medium/big.bin"),
        Err(MediaError::TooLarge {
            size: 5000,
            limit: 4096,
            ..
        })
    ));
    let kinds: Vec<(String, EntryKind)> = r
        .list_dir("medium")
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("a.xml".into(), EntryKind::File),
            ("big.bin".into(), EntryKind::File),
            ("fifo".into(), EntryKind::Special),
            ("link".into(), EntryKind::Symlink),
            ("null".into(), EntryKind::Device),
        ]
    );
    session.close(&mut audit).unwrap();
    assert!(mounts_under(run.path()).unwrap().is_empty());
    assert!(!root.exists(), "the private mount point is removed");
    assert_eq!(
        audit.kinds(),
        vec![AuditKind::Mounted, AuditKind::Unmounted]
    );
}

/// Issue 17, point 3, on the host: a real ext4 stick (holding a medium folder) under the
/// appliance's policy ([`MediaFilesystems::STRANGERS`], what `UsbStick::new` and every stick the
/// watcher classifies get) is refused for import and for export before the kernel is asked to
/// mount it: no mount, no mount point, the stick unchanged, the refusal audited.
#[test]
fn an_ext4_stick_is_never_mounted_under_the_appliances_policy() {
    if !root_or_skip("an_ext4_stick_is_never_mounted_under_the_appliances_policy") {
        return;
    }
    let stick = LoopStick::new(|m| {
        std::fs::create_dir(m.join("medium")).unwrap();
        std::fs::write(m.join("medium/a.xml"), b"<a/>").unwrap();
    });
    let before = stick.snapshot();
    let run = runtime_dir();
    let usb = stick.usb(run.path()).allowing(MediaFilesystems::STRANGERS);
    let mut audit = MemoryAudit::default();
    let err = usb
        .open_import(ReadLimits::default(), &mut audit)
        .err()
        .unwrap();
    assert!(
        matches!(&err, MediaError::NotUsable { reason, .. }
            if reason == "ext4 is never mounted from a stick (vfat or exFAT only)"),
        "{err:?}"
    );
    assert!(mounts_under(run.path()).unwrap().is_empty());
    assert_eq!(std::fs::read_dir(run.path()).unwrap().count(), 0);
    assert_eq!(audit.kinds(), vec![AuditKind::Refused]);
    assert!(audit.events[0].detail.contains("ext4 is never mounted"));

    let files = medium_files();
    let req = ExportRequest {
        folder: "uitslag-0668",
        files: files
            .iter()
            .map(|(n, b)| ExportFile { name: n, bytes: b })
            .collect(),
    };
    let failure = usb
        .export(&req, &manifest_verifier, &mut NoFaults, &mut audit)
        .err()
        .unwrap();
    assert!(
        matches!(failure.error, MediaError::NotUsable { .. }),
        "{failure:?}"
    );
    assert_eq!(failure.stick, StickState::Unchanged);
    assert!(mounts_under(run.path()).unwrap().is_empty());
    assert_eq!(stick.snapshot(), before);
}

#[test]
fn dropping_an_import_session_detaches_the_mount() {
    if !root_or_skip("dropping_an_import_session_detaches_the_mount") {
        return;
    }
    let stick = LoopStick::new(|_| {});
    let run = runtime_dir();
    let usb = stick.usb(run.path());
    let mut audit = MemoryAudit::default();
    let session = usb.open_import(ReadLimits::default(), &mut audit).unwrap();
    assert_eq!(mounts_under(run.path()).unwrap().len(), 1);
    drop(session); // as on an error path or a pulled stick
    assert!(mounts_under(run.path()).unwrap().is_empty());
    assert_eq!(std::fs::read_dir(run.path()).unwrap().count(), 0);
}

#[test]
fn a_failed_verification_on_a_present_stick_blames_the_medium_not_a_removal() {
    if !root_or_skip("a_failed_verification_on_a_present_stick_blames_the_medium_not_a_removal") {
        return;
    }
    let stick = LoopStick::new(|m| {
        std::fs::create_dir(m.join("medium")).unwrap();
    });
    // The device answers (read bypassing the page cache) while it is mounted.
    assert_eq!(tally_media::medium::device_gone(&stick.dev), None);
    assert!(tally_media::medium::device_gone(Path::new("/dev/tally-no-such-device")).is_some());
    let run = runtime_dir();
    let usb = stick.usb(run.path());
    let mut audit = MemoryAudit::default();
    let session = usb.open_import(ReadLimits::default(), &mut audit).unwrap();
    assert_eq!(tally_media::medium::device_gone(&stick.dev), None);
    let err = session
        .verify_with(
            "medium",
            |_| Err::<(), _>("the manifest `manifest.txt` is missing"),
            |_| String::new(),
            &mut audit,
        )
        .unwrap_err();
    assert!(
        matches!(&err, MediaError::VerifyFailed(r) if r.contains("manifest")),
        "{err:?}"
    );
    assert!(!err.looks_removed());
    session.close(&mut audit).unwrap();
}

#[test]
fn export_is_written_unmounted_remounted_and_verified() {
    if !root_or_skip("export_is_written_unmounted_remounted_and_verified") {
        return;
    }
    let stick = LoopStick::new(|m| std::fs::write(m.join("old.txt"), b"earlier export").unwrap());
    let run = runtime_dir();
    let usb = stick.usb(run.path());
    let files = medium_files();
    let req = ExportRequest {
        folder: "uitslag-0668",
        files: files
            .iter()
            .map(|(n, b)| ExportFile { name: n, bytes: b })
            .collect(),
    };
    let mut audit = MemoryAudit::default();
    let report = usb
        .export(&req, &manifest_verifier, &mut NoFaults, &mut audit)
        .unwrap();
    assert_eq!(report.folder, "uitslag-0668");
    assert_eq!(report.verified, "2 files match the manifest");
    assert!(mounts_under(run.path()).unwrap().is_empty());
    // On the stick, read without this crate: exactly the files, byte for byte.
    let snap = stick.snapshot();
    let mut expected: Vec<(String, String)> = files
        .iter()
        .map(|(n, b)| (format!("uitslag-0668/{n}"), sha256_hex(b)))
        .collect();
    expected.push(("uitslag-0668".into(), "dir".into()));
    expected.push(("old.txt".into(), sha256_hex(b"earlier export")));
    expected.push(("lost+found".into(), "dir".into()));
    expected.sort();
    assert_eq!(snap, expected);
    // The audit trail: rw mount, three files written with hashes, unmount, ro mount, unmount, done.
    assert_eq!(
        audit.kinds(),
        vec![
            AuditKind::Mounted,
            AuditKind::Written,
            AuditKind::Written,
            AuditKind::Written,
            AuditKind::Unmounted,
            AuditKind::Mounted,
            AuditKind::Unmounted,
            AuditKind::ExportDone,
        ]
    );
    let written = &audit.events[1];
    assert_eq!(
        written.file.as_deref(),
        Some("uitslag-0668/Telling_GR2026_0668.eml.xml")
    );
    assert_eq!(
        written.sha256.as_deref(),
        Some(sha256_hex(&files[0].1).as_str())
    );
    assert!(
        audit.events[0]
            .detail
            .contains("rw,nosuid,nodev,noexec,nosymfollow")
    );
    assert!(
        audit.events[5]
            .detail
            .contains("ro,nosuid,nodev,noexec,nosymfollow")
    );
    // The read-back digests are those of the bytes written.
    for (name, bytes) in &files {
        let d = report
            .files
            .iter()
            .find(|d| d.path == format!("uitslag-0668/{name}"))
            .unwrap();
        assert_eq!(d.sha256, sha256_hex(bytes));
    }
    // A second export of the same folder never overwrites.
    let err = usb
        .export(&req, &manifest_verifier, &mut NoFaults, &mut audit)
        .unwrap_err();
    assert!(
        matches!(err.error, MediaError::ExportExists { .. }),
        "{err}"
    );
    assert_eq!(err.stick, StickState::Unchanged);
    assert_eq!(stick.snapshot(), expected);
    assert!(mounts_under(run.path()).unwrap().is_empty());
}

#[test]
fn a_fault_at_any_export_step_leaves_stick_and_data_as_they_were() {
    if !root_or_skip("a_fault_at_any_export_step_leaves_stick_and_data_as_they_were") {
        return;
    }
    let stick = LoopStick::new(|m| {
        std::fs::create_dir(m.join("eerder")).unwrap();
        std::fs::write(m.join("eerder/old.xml"), b"<old/>").unwrap();
    });
    let before = stick.snapshot();
    let run = runtime_dir();
    let usb = stick.usb(run.path());
    let files = medium_files();
    let copy = files.clone();
    let req = ExportRequest {
        folder: "uitslag-0668",
        files: files
            .iter()
            .map(|(n, b)| ExportFile { name: n, bytes: b })
            .collect(),
    };
    for step in ExportStep::ALL {
        let mut audit = MemoryAudit::default();
        let mut hook = FailAt::new(step);
        let err = usb
            .export(&req, &manifest_verifier, &mut hook, &mut audit)
            .unwrap_err();
        assert_eq!(err.step, step, "{err}");
        assert!(
            matches!(err.error, MediaError::Injected(s) if s == step),
            "{err}"
        );
        assert_eq!(
            err.stick,
            StickState::Unchanged,
            "{step:?}: {err}; {:?}",
            audit.events
        );
        assert!(
            mounts_under(run.path()).unwrap().is_empty(),
            "mount left after {step:?}"
        );
        assert_eq!(
            std::fs::read_dir(run.path()).unwrap().count(),
            0,
            "mount point left after {step:?}"
        );
        assert_eq!(
            stick.snapshot(),
            before,
            "stick changed by a fault at {step:?}"
        );
        assert_eq!(
            audit.kinds().last(),
            Some(&AuditKind::ExportFailed),
            "{step:?}"
        );
        // The data stay on the appliance; what the stick holds now is said.
        assert!(matches!(
            err.stick,
            tally_media::export::StickState::Unchanged
                | tally_media::export::StickState::MayHoldPartialExport
        ));
        // Every step up to the failing one was announced, in order.
        let mut full = vec![ExportStep::MountReadWrite, ExportStep::CreateTempDir];
        for _ in &files {
            full.extend([ExportStep::WriteFile, ExportStep::SyncFile]);
        }
        full.extend(ExportStep::ALL.iter().skip(4).copied());
        let upto = full.iter().position(|s| *s == step).unwrap();
        let expected_prefix = full[..=upto].to_vec();
        assert_eq!(hook.seen, expected_prefix, "{step:?}");
    }
    // The caller's bytes are untouched, and the export can be repeated (here: on the same stick).
    assert_eq!(files, copy);
    let mut audit = MemoryAudit::default();
    usb.export(&req, &manifest_verifier, &mut NoFaults, &mut audit)
        .unwrap();
    assert_ne!(stick.snapshot(), before);
}

#[test]
fn a_verifier_rejection_removes_the_export_again() {
    if !root_or_skip("a_verifier_rejection_removes_the_export_again") {
        return;
    }
    let stick = LoopStick::new(|_| {});
    let before = stick.snapshot();
    let run = runtime_dir();
    let usb = stick.usb(run.path());
    let req = ExportRequest {
        folder: "uitslag",
        files: vec![ExportFile {
            name: "a.xml",
            bytes: b"<a/>",
        }],
    };
    let reject =
        |_: &FolderView<'_>| -> Result<String, String> { Err("handtekening ongeldig".into()) };
    let mut audit = MemoryAudit::default();
    let err = usb
        .export(&req, &reject, &mut NoFaults, &mut audit)
        .unwrap_err();
    assert_eq!(err.step, ExportStep::Verify);
    assert!(matches!(&err.error, MediaError::VerifyFailed(r) if r == "handtekening ongeldig"));
    assert_eq!(err.stick, StickState::Unchanged);
    assert_eq!(stick.snapshot(), before);
    assert!(mounts_under(run.path()).unwrap().is_empty());
}

/// Simulates pulling the stick: `xfs_io -x -c shutdown` (FS_IOC_SHUTDOWN without flushing the
/// log) makes every further I/O on the mounted file system fail with EIO, as a vanished USB device
/// does. Returns false when xfs_io is missing.
fn pull(mount_point: &Path) -> bool {
    Command::new("xfs_io")
        .args(["-x", "-c", "shutdown"])
        .arg(mount_point)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn have_xfs_io(test: &str) -> bool {
    let ok = Command::new("xfs_io").arg("-V").output().is_ok();
    if !ok {
        println!("SKIPPED {test}: needs xfs_io (xfsprogs) to simulate a pulled stick");
    }
    ok
}

/// A hook that "pulls the stick" (shuts the mounted file system down) just before `step`.
struct PullAt {
    step: ExportStep,
    runtime: PathBuf,
    pulled: bool,
}

impl tally_media::export::StepHook for PullAt {
    fn before(&mut self, step: ExportStep) -> Result<(), MediaError> {
        if step == self.step && !self.pulled {
            let mounts = mounts_under(&self.runtime).unwrap();
            assert_eq!(mounts.len(), 1, "{step:?}: {mounts:?}");
            assert!(pull(&mounts[0].mount_point));
            self.pulled = true;
        }
        Ok(())
    }
}

#[test]
fn a_stick_pulled_during_import_gives_a_clear_error_and_no_mount() {
    let test = "a_stick_pulled_during_import_gives_a_clear_error_and_no_mount";
    if !root_or_skip(test) || !have_xfs_io(test) {
        return;
    }
    let stick = LoopStick::new(|m| {
        std::fs::create_dir(m.join("medium")).unwrap();
        std::fs::write(m.join("medium/a.xml"), b"<a/>").unwrap();
        std::fs::write(m.join("medium/b.xml"), vec![b'b'; 100_000]).unwrap();
    });
    let run = runtime_dir();
    let usb = stick.usb(run.path());
    let mut audit = MemoryAudit::default();
    let start = std::time::Instant::now();
    let session = usb.open_import(ReadLimits::default(), &mut audit).unwrap();
    assert_eq!(session.reader().read_file("medium/a.xml").unwrap(), b"<a/>");
    assert!(pull(session.reader().root_path()));
    let err = session.reader().read_file("medium/b.xml").unwrap_err();
    assert!(err.looks_removed(), "{err:?}");
    assert!(!err.to_string().is_empty(), "{err:?}");
    // Closing (or just dropping) leaves no mount behind and does not hang.
    let _ = session.close(&mut audit);
    assert!(mounts_under(run.path()).unwrap().is_empty());
    assert_eq!(std::fs::read_dir(run.path()).unwrap().count(), 0);
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn a_stick_pulled_during_export_fails_cleanly_and_keeps_the_data() {
    let test = "a_stick_pulled_during_export_fails_cleanly_and_keeps_the_data";
    if !root_or_skip(test) || !have_xfs_io(test) {
        return;
    }
    let files = medium_files();
    let copy = files.clone();
    let req = ExportRequest {
        folder: "uitslag-0668",
        files: files
            .iter()
            .map(|(n, b)| ExportFile { name: n, bytes: b })
            .collect(),
    };
    // Every step at which a file system is mounted.
    for step in [
        ExportStep::CreateTempDir,
        ExportStep::WriteFile,
        ExportStep::SyncFile,
        ExportStep::SyncTempDir,
        ExportStep::Rename,
        ExportStep::SyncRoot,
        ExportStep::UnmountReadWrite,
        ExportStep::ReadBack,
        ExportStep::Verify,
        ExportStep::UnmountReadOnly,
    ] {
        let stick = LoopStick::new(|m| std::fs::write(m.join("old.txt"), b"old").unwrap());
        let before = stick.snapshot();
        let run = runtime_dir();
        let usb = stick.usb(run.path());
        let mut audit = MemoryAudit::default();
        let mut hook = PullAt {
            step,
            runtime: run.path().to_path_buf(),
            pulled: false,
        };
        let start = std::time::Instant::now();
        let result = usb.export(&req, &manifest_verifier, &mut hook, &mut audit);
        assert!(hook.pulled, "{step:?}");
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "{step:?} hung"
        );
        assert!(
            mounts_under(run.path()).unwrap().is_empty(),
            "mount left after a pull at {step:?}"
        );
        assert_eq!(
            std::fs::read_dir(run.path()).unwrap().count(),
            0,
            "{step:?}"
        );
        match result {
            Err(err) => {
                assert!(err.error.looks_removed(), "{step:?}: {err}");
                assert_eq!(audit.kinds().last(), Some(&AuditKind::ExportFailed));
                // The loop device itself still works, so the rollback (a fresh read-write mount)
                // can remove what was written: the stick is as before. On a really pulled stick
                // the rollback fails and says MayHoldPartialExport.
                assert_eq!(err.stick, StickState::Unchanged, "{step:?}: {err}");
                assert_eq!(stick.snapshot(), before, "{step:?}");
            }
            // A pull right before an unmount, when everything was already fsynced: unmounting a
            // shut-down file system succeeds and the loop device still works, so the export is
            // read back and verified from a fresh mount. (A really pulled stick fails to mount
            // again and the export fails.) Success is then true: the stick holds the files.
            Ok(report) => {
                assert!(
                    matches!(
                        step,
                        ExportStep::UnmountReadWrite | ExportStep::UnmountReadOnly
                    ),
                    "{step:?}: {report:?}"
                );
                assert_eq!(report.files.len(), files.len());
                let snap = stick.snapshot();
                for (name, bytes) in &files {
                    let entry = (format!("uitslag-0668/{name}"), sha256_hex(bytes));
                    assert!(snap.contains(&entry), "{step:?}: {entry:?} missing");
                }
            }
        }
    }
    assert_eq!(files, copy);
}
