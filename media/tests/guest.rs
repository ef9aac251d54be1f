//! The media crate inside the appliance's QEMU guest (issue 6): vfat sticks, hot-plug and
//! removal over QMP (`blockdev-add` + `device_add usb-storage`, `device_del`), one boot running a
//! whole scripted sequence.
//!
//! The image is the real appliance image (`tally-image`'s pipeline: Debian's signed kernel,
//! `tally-init`, signed UKI, OVMF with Secure Boot and the test's own keys, no KVM) whose
//! `/bin/tally` is the `guest-check` example in its scripted mode, and whose root key is the
//! test's authority key. The VM starts with an empty qemu-xhci controller. Sticks are FAT images
//! made on the host without mounting (`mkfs.vfat -C`, `mmd`/`mcopy`; the first one behind an MBR
//! partition table written here). The script:
//!
//! 1. stick A (MBR, one FAT partition, holding a signed 510b count — the real
//!    `Telling_GR2022_WestMaasenWaal.eml.xml` signed with the signing crate) is plugged in: the
//!    guest sees the uevents, classifies it usable (vfat, partition 1), mounts it read-only with
//!    nosuid,nodev,noexec,nosymfollow (as `/proc/self/mountinfo` shows) and verifies it: the
//!    hash it reports is the SHA-256 of the file computed here;
//! 2. blank stick B is plugged in while A is in use: reported as a second stick, left alone
//!    (not mounted);
//! 3. A is pulled (`device_del`) while in use: a removal of the stick in use is reported, the
//!    session is closed, no mount is left, the program answers the next command;
//! 4. the verified medium is exported to B: written, unmounted, mounted read-only, read back and
//!    verified in the guest; after B is pulled, the host reads B's image with `mcopy` and the
//!    signing crate verifies it: byte-identical to the signed medium;
//! 5. blank stick C is plugged in and an export to it pauses before `SyncTempDir`; C is pulled;
//!    the export fails with a clear message, no mount is left, the appliance's copy still
//!    verifies; blank stick D is plugged in and the export to it succeeds (checked on the host
//!    as in 4);
//! 6. a copy of A is pulled after it was mounted for import and before it was verified: a clear
//!    "removed" error from the library (not a bad signature: vfat answers with ENOENT, the
//!    library finds the device gone), the session closed by the removal, no mount left;
//! 7. blank exFAT stick X (`mkfs.exfat`, partitionless) is plugged in: usable, exfat; the
//!    verified medium is exported to it (read back and verified), then imported from it:
//!    mounted read-only with the safe options, verified;
//! 8. ext4 stick Y (`mkfs.ext4 -d`, partitionless, holding the same signed medium) is plugged
//!    in while the guest's kernel has ext4 (the policy line says so): listed as unusable with
//!    the reason `refused_file_system: ["ext4"]`, never mounted — `import` finds no usable
//!    stick, `export` to it is refused, the mount table holds nothing of it, and the kernel log
//!    on the console has no `EXT4-fs (sdX)` line: the ext4 driver never saw it (issue 17,
//!    point 3; `/dev/kmsg` is closed to the harness, which runs confined like the program);
//! 9. the guest powers off.
//!
//! On the way, the guest's `record` of A and B and its raw uevents are saved in the target dir;
//! with `TALLY_RECORD_FIXTURES=1` they are written to `tests/fixtures/detect/guest-*` (see
//! `tests/guest_fixtures.rs`).
//!
//! Needs what `image/tests/boot.rs` needs (qemu-system-x86 ovmf sbsigntool systemd-boot-efi
//! dosfstools mtools cpio zstd kmod openssl faketime binutils, `virt-fw-vars`, the musl target,
//! the Debian mirror once). The guest program needs no system library beyond glibc.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use tally_image::qemu::Vm;
use tally_image::testbed::{BOOT_TIMEOUT, TestBed, build_musl_inits};
use tally_signing::{
    Certificate, CertificateFields, ContentKind, DirSource, MediumFile, Role, SecretKey,
    SignedMedium, Timestamp, VerifyOptions, sign_medium, verify_medium,
};

const ELECTION: &str = "GR2022_WestMaasenWaal";
const COUNT_FILE: &str = "Telling_GR2022_WestMaasenWaal.eml.xml";
const VERIFY_AT: &str = "2022-03-18T09:00:00Z";

fn tmp() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-media-guest")
}

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {out:?}");
}

fn real_count() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/eml/real/Telling_GR2022_WestMaasenWaal.eml.xml"
    ))
    .unwrap()
}

struct Signed {
    root: SecretKey,
    medium: SignedMedium,
    folder: String,
}

fn signed() -> Signed {
    let root = SecretKey::from_seed(&[31; 32]);
    let body = SecretKey::from_seed(&[32; 32]);
    let cert = Certificate::issue(
        &root,
        CertificateFields {
            role: Role::Gsb,
            identifier: "0668".into(),
            name: "Gemeente West Maas en Waal".into(),
            election: ELECTION.into(),
            valid_from: Timestamp::parse("2022-03-01T00:00:00Z").unwrap(),
            valid_until: Timestamp::parse("2022-04-01T00:00:00Z").unwrap(),
            public_key: body.public_key(),
        },
    )
    .unwrap();
    let medium = sign_medium(
        ContentKind::Results510b,
        ELECTION,
        vec![MediumFile {
            name: COUNT_FILE.into(),
            bytes: real_count(),
        }],
        &body,
        &cert,
        Timestamp::parse("2022-03-17T20:00:00Z").unwrap(),
    )
    .unwrap();
    let folder = SignedMedium::folder_name(ContentKind::Results510b, ELECTION, "0668");
    Signed {
        root,
        medium,
        folder,
    }
}

/// A blank FAT stick image of `kib` KiB (no partition table, as `mkfs.vfat -C` makes it).
fn blank_stick(path: &Path, label: &str, kib: u32) {
    let _ = std::fs::remove_file(path);
    run(Command::new("mkfs.vfat")
        .args(["-C", "-n", label])
        .arg(path)
        .arg(kib.to_string()));
}

/// A stick image with an MBR (disk signature 7a11e7a1) and one FAT32-LBA partition at 1 MiB
/// holding `medium` in `folder`. Built without mounting: the FAT file system is made and filled
/// on its own file with `mkfs.vfat -C` and `mmd`/`mcopy`, then put behind the MBR.
fn partitioned_stick_with(path: &Path, folder: &str, medium: &SignedMedium) {
    let dir = path.with_extension("parts");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let part = dir.join("part.img");
    let part_kib: u32 = 32 * 1024;
    blank_stick(&part, "TELLING", part_kib);
    run(Command::new("mmd")
        .arg("-i")
        .arg(&part)
        .arg(format!("::/{folder}")));
    let mut files: Vec<(String, Vec<u8>)> = medium
        .files
        .iter()
        .map(|f| (f.name.clone(), f.bytes.clone()))
        .collect();
    files.push((tally_signing::MANIFEST_FILE.into(), medium.manifest.clone()));
    files.push((
        tally_signing::SIGNATURE_FILE.into(),
        medium.signature.clone(),
    ));
    for (name, bytes) in files {
        let f = dir.join(&name);
        std::fs::write(&f, bytes).unwrap();
        run(Command::new("mcopy")
            .arg("-i")
            .arg(&part)
            .arg(&f)
            .arg(format!("::/{folder}/{name}")));
    }
    let mut disk = vec![0u8; 1024 * 1024];
    disk[440..444].copy_from_slice(&0x7a11_e7a1u32.to_le_bytes());
    let entry = &mut disk[446..462];
    entry[0] = 0x00; // not bootable
    entry[1..4].copy_from_slice(&[0xfe, 0xff, 0xff]); // CHS: use LBA
    entry[4] = 0x0c; // FAT32 (LBA)
    entry[5..8].copy_from_slice(&[0xfe, 0xff, 0xff]);
    entry[8..12].copy_from_slice(&2048u32.to_le_bytes());
    entry[12..16].copy_from_slice(&(part_kib * 2).to_le_bytes());
    disk[510] = 0x55;
    disk[511] = 0xaa;
    disk.extend_from_slice(&std::fs::read(&part).unwrap());
    std::fs::write(path, disk).unwrap();
}

/// Reads the folder `folder` back from a FAT stick image with mtools, verifies it with the
/// signing crate, and checks it is byte for byte the signed medium.
fn host_verifies(image: &Path, folder: &str, k: &Signed) {
    let out = image.with_extension("out");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    run(Command::new("mcopy")
        .args(["-s", "-n"])
        .arg("-i")
        .arg(image)
        .arg(format!("::/{folder}"))
        .arg(&out));
    let dir = out.join(folder);
    let root = k.root.public_key();
    let mut opts = VerifyOptions::new(&root, Timestamp::parse(VERIFY_AT).unwrap());
    opts.expected_election = Some(ELECTION);
    opts.expected_kind = Some(ContentKind::Results510b);
    let v = verify_medium(&DirSource::new(&dir), &opts).unwrap();
    assert_eq!(v.files.len(), 1);
    assert_eq!(v.files[0].bytes, real_count());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            COUNT_FILE,
            tally_signing::MANIFEST_FILE,
            tally_signing::SIGNATURE_FILE
        ]
        .map(String::from)
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    assert!(std::fs::read(dir.join(COUNT_FILE)).unwrap() == k.medium.files[0].bytes);
    assert!(std::fs::read(dir.join(tally_signing::MANIFEST_FILE)).unwrap() == k.medium.manifest);
    assert!(std::fs::read(dir.join(tally_signing::SIGNATURE_FILE)).unwrap() == k.medium.signature);
}

/// The guest program's answers: `GC {json}` lines.
struct Guest {
    vm: Vm,
    log: Vec<(f64, String, Vec<Value>)>,
}

impl Guest {
    /// Types `line`, waits for `GC {"done":"<cmd>"`, returns the JSON answers.
    fn cmd(&mut self, line: &str, timeout: Duration) -> Vec<Value> {
        let name = line.split_whitespace().next().unwrap().to_string();
        self.cmd_until(line, &name, timeout)
    }

    /// Types `line`, waits for the end of command `name`, returns the JSON answers.
    fn cmd_until(&mut self, line: &str, name: &str, timeout: Duration) -> Vec<Value> {
        let t = Instant::now();
        self.vm.send_line(line).unwrap();
        let text = self
            .vm
            .wait_console(&format!("GC {{\"done\":\"{name}\""), timeout)
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        let answers = parse_answers(&text);
        self.log
            .push((t.elapsed().as_secs_f64(), line.to_string(), answers.clone()));
        answers
    }

    /// `wait` until an answer with `"event": kind` arrives (several rounds: a disk's
    /// partitions can come in a second batch).
    fn wait_event(&mut self, kind: &str, extra: impl Fn(&Value) -> bool) -> (Value, Vec<Value>) {
        let mut all = Vec::new();
        for _ in 0..6 {
            let answers = self.cmd("wait 60", Duration::from_secs(120));
            all.extend(answers.iter().cloned());
            if let Some(v) = answers.iter().find(|a| a["event"] == kind && extra(a)) {
                return (v.clone(), all);
            }
        }
        panic!(
            "no {kind} event: {all:#?}\nconsole:\n{}",
            self.vm.console_text()
        );
    }
}

fn parse_answers(text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("GC "))
        .filter_map(|l| serde_json::from_str(l.trim()).ok())
        .collect()
}

fn find<'a>(answers: &'a [Value], key: &str) -> &'a Value {
    answers
        .iter()
        .find(|a| a.get(key).is_some())
        .unwrap_or_else(|| panic!("no {key} in {answers:#?}"))
}

fn ours_is_empty(v: &Value) -> bool {
    v["ours"].as_array().is_some_and(Vec::is_empty)
}

fn no_stick_mounted(answers: &[Value]) -> bool {
    let table = find(answers, "mounts")["mounts"]
        .as_array()
        .unwrap()
        .clone();
    !table.iter().any(|m| {
        m["fs"] == "vfat"
            || m["source"]
                .as_str()
                .is_some_and(|s| s.starts_with("/dev/sd"))
    })
}

fn fixture_out(name: &str, text: &str) {
    let dir = tmp().join("captures");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
    if std::env::var_os("TALLY_RECORD_FIXTURES").is_some() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/detect");
        std::fs::write(fixtures.join(name), text).unwrap();
    }
}

/// Raw uevents as `udevadm monitor --kernel --property` would print them (the fixtures' format).
fn uevents_text(header: &str, answers: &[Value]) -> String {
    let mut s = String::new();
    for l in header.lines() {
        s.push_str(&format!("# {l}\n"));
    }
    s.push('\n');
    for a in answers.iter().filter_map(|a| a.get("uevent")) {
        let p = a.as_object().unwrap();
        let get = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
        s.push_str(&format!(
            "KERNEL[{}] {:<8} {} ({})\n",
            get("SEQNUM"),
            get("ACTION"),
            get("DEVPATH"),
            get("SUBSYSTEM")
        ));
        for (k, v) in p {
            s.push_str(&format!("{k}={}\n", v.as_str().unwrap_or("")));
        }
        s.push('\n');
    }
    s
}

fn build_guest_check() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo)
        .env("CARGO_TARGET_DIR", target_dir())
        .args([
            "build",
            "--quiet",
            "-p",
            "tally-media",
            "--example",
            "guest-check",
        ]));
    target_dir().join("debug/examples/guest-check")
}

#[test]
fn vfat_sticks_hot_plugged_and_pulled_in_the_guest() {
    let t0 = Instant::now();
    let work = tmp();
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let k = signed();

    // The image: the appliance pipeline with guest-check as /bin/tally and our root key.
    let (init, _trivial) = build_musl_inits(&target_dir()).unwrap();
    let program = build_guest_check();
    let bed = TestBed::prepare(
        &work.join("bed"),
        &Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-kernel-cache"),
    )
    .unwrap();
    let root_pub = work.join("root.pub");
    std::fs::write(&root_pub, k.root.public_key().to_bytes()).unwrap();
    let mut cfg = bed.config(&init, &program, &work.join("image"));
    cfg.root_key = root_pub;
    let image = tally_image::build::build(&cfg).unwrap();
    let built = t0.elapsed();

    let sticks = work.join("sticks");
    std::fs::create_dir_all(&sticks).unwrap();
    let a = sticks.join("a.img");
    partitioned_stick_with(&a, &k.folder, &k.medium);
    let b = sticks.join("b.img");
    let c = sticks.join("c.img");
    let d = sticks.join("d.img");
    blank_stick(&b, "LEEG-B", 16 * 1024);
    blank_stick(&c, "LEEG-C", 16 * 1024);
    blank_stick(&d, "LEEG-D", 16 * 1024);

    let vm = bed.boot_for_hotplug(&image.uki, &work.join("vm")).unwrap();
    let mut g = Guest {
        vm,
        log: Vec::new(),
    };
    let ready =
        g.vm.wait_console("GC {\"ready\":true}", BOOT_TIMEOUT)
            .unwrap();
    let booted = g.vm.started.elapsed();
    let start = parse_answers(&ready);
    assert!(
        !start.iter().any(|a| a.get("event").is_some()),
        "a stick before any was plugged in: {start:#?}"
    );
    assert_eq!(
        find(&start, "root_key")["root_key"],
        k.root.public_key().fingerprint().to_hex()
    );
    let kernel_log = g.vm.serial0();
    assert!(kernel_log.contains("EFI stub: UEFI Secure Boot is enabled."));
    g.cmd("uevents", Duration::from_secs(60)); // boot-time events: not wanted

    // 1. Stick A with the signed count.
    g.vm.plug_stick("sticka", &a, "TALLY-A").unwrap();
    let (arrived, _) = g.wait_event("arrived", |v| v["verdict"].get("usable").is_some());
    let vol = &arrived["verdict"]["usable"];
    assert_eq!(vol["fs"], "vfat", "{arrived:#}");
    assert_eq!(vol["partition"], 1, "{arrived:#}");
    let a_devpath = arrived["devpath"].as_str().unwrap().to_string();
    let a_devnode = arrived["devnode"].as_str().unwrap().to_string();
    let insert_events = g.cmd("uevents", Duration::from_secs(60));
    let rec = g.cmd(&format!("record /sys{a_devpath}"), Duration::from_secs(60));
    let a_record = find(&rec, "record")["record"].clone();
    assert_eq!(a_record["partitions"].as_array().unwrap().len(), 1);
    fixture_out(
        "guest-usb-vfat-partition.json",
        &serde_json::to_string_pretty(&a_record).unwrap(),
    );

    let imp = g.cmd(&format!("import {VERIFY_AT}"), Duration::from_secs(120));
    let mounted = find(&imp, "mounted");
    let ours = mounted["ours"].as_array().unwrap();
    assert_eq!(ours.len(), 1, "{imp:#?}");
    assert_eq!(ours[0]["fs"], "vfat");
    assert_eq!(ours[0]["source"], format!("{a_devnode}1"));
    let opts: Vec<&str> = ours[0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    for want in ["ro", "nosuid", "nodev", "noexec", "nosymfollow"] {
        assert!(opts.contains(&want), "{want} missing from {opts:?}");
    }
    let verified = find(&imp, "verified");
    assert_eq!(verified["verified"], k.folder.as_str());
    assert_eq!(verified["files"][0]["name"], COUNT_FILE);
    assert_eq!(
        verified["files"][0]["sha256"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(real_count()))
    );
    assert_eq!(verified["files"][0]["bytes"], real_count().len());

    // 2. A second stick while A is in use: reported, left alone.
    g.vm.plug_stick("stickb", &b, "TALLY-B").unwrap();
    let (second, _) = g.wait_event("second_stick_ignored", |_| true);
    let b_devpath = second["devpath"].as_str().unwrap().to_string();
    let b_devnode = second["devnode"].as_str().unwrap().to_string();
    assert!(second["verdict"].get("usable").is_some(), "{second:#}");
    let second_events = g.cmd("uevents", Duration::from_secs(60));
    let rec = g.cmd(&format!("record /sys{b_devpath}"), Duration::from_secs(60));
    fixture_out(
        "guest-usb-vfat-partitionless.json",
        &serde_json::to_string_pretty(&find(&rec, "record")["record"]).unwrap(),
    );
    let m = g.cmd("mounts", Duration::from_secs(60));
    let ours = find(&m, "ours")["ours"].as_array().unwrap().clone();
    assert_eq!(ours.len(), 1, "only A is mounted: {m:#?}");
    assert_eq!(ours[0]["source"], format!("{a_devnode}1"));

    // 3. A pulled while in use.
    let pulled = Instant::now();
    g.vm.unplug_stick("sticka", Duration::from_secs(60))
        .unwrap();
    let (removed, all) = g.wait_event("removed", |v| v["devpath"] == a_devpath.as_str());
    assert_eq!(removed["was_in_use"], true, "{removed:#}");
    let closed = find(&all, "removed_in_use");
    assert_eq!(closed["removed_in_use"], true);
    assert!(ours_is_empty(closed), "{closed:#}");
    let removal_secs = pulled.elapsed().as_secs_f64();
    let remove_events = g.cmd("uevents", Duration::from_secs(60));
    let m = g.cmd("mounts", Duration::from_secs(60));
    assert!(no_stick_mounted(&m), "{m:#?}");
    assert!(ours_is_empty(find(&m, "ours")), "{m:#?}");
    // The session went with the stick: nothing is read from it any more.
    let r = g.cmd("read", Duration::from_secs(60));
    assert_eq!(find(&r, "read_error")["read_error"], "no stick in use");
    fixture_out(
        "uevents-guest-insert-second-remove.txt",
        &uevents_text(
            "Kernel uevents captured in the appliance's QEMU guest (guest-check over the serial\n\
             line, tests/guest.rs): QMP device_add of stick A (MBR, one FAT partition), then\n\
             device_add of stick B (partitionless FAT) while A is in use, then device_del of A.",
            &[insert_events, second_events, remove_events].concat(),
        ),
    );

    // 4. Export the verified medium to B.
    let ex = g.cmd(
        &format!("export {b_devnode} {} {VERIFY_AT}", k.folder),
        Duration::from_secs(180),
    );
    let done = find(&ex, "exported");
    assert_eq!(done["exported"], k.folder.as_str(), "{ex:#?}");
    assert!(
        done["verified"]
            .as_str()
            .unwrap()
            .starts_with("results-510b for GR2022_WestMaasenWaal signed by GSB 0668"),
        "{done:#}"
    );
    let steps: Vec<&str> = done["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for want in [
        "UnmountReadWrite",
        "MountReadOnly",
        "ReadBack",
        "Verify",
        "UnmountReadOnly",
    ] {
        assert!(steps.contains(&want), "{want} not in {steps:?}");
    }
    assert!(ours_is_empty(find(&ex, "kept_still_verifies")), "{ex:#?}");
    g.vm.unplug_stick("stickb", Duration::from_secs(60))
        .unwrap();
    g.wait_event("removed", |v| v["devpath"] == b_devpath.as_str());
    host_verifies(&b, &k.folder, &k);

    // 5. C pulled in the middle of an export; then D.
    g.vm.plug_stick("stickc", &c, "TALLY-C").unwrap();
    let (arr_c, _) = g.wait_event("arrived", |v| v["verdict"].get("usable").is_some());
    let c_devnode = arr_c["devnode"].as_str().unwrap().to_string();
    g.vm.send_line(&format!(
        "export {c_devnode} {} {VERIFY_AT} SyncTempDir",
        k.folder
    ))
    .unwrap();
    g.vm.wait_console("GC {\"paused\":\"SyncTempDir\"}", Duration::from_secs(180))
        .unwrap();
    g.vm.unplug_stick("stickc", Duration::from_secs(60))
        .unwrap();
    let failed = g.cmd_until("go", "export", Duration::from_secs(180));
    let err = find(&failed, "export_error");
    let msg = err["export_error"].as_str().unwrap();
    assert!(!msg.is_empty(), "{err:#}");
    // The stick may hold part of the export (the terminal then tells the official not to use
    // it) or nothing; the data stay on the appliance either way.
    assert!(err["stick"].as_str().is_some(), "{err:#}");
    assert_eq!(err["looks_removed"], true, "{err:#}");
    let after = find(&failed, "kept_still_verifies");
    assert_eq!(after["kept_still_verifies"], true);
    assert!(ours_is_empty(after), "{after:#}");
    g.wait_event("removed", |v| v["devnode"] == c_devnode.as_str());
    let m = g.cmd("mounts", Duration::from_secs(60));
    assert!(no_stick_mounted(&m), "{m:#?}");

    g.vm.plug_stick("stickd", &d, "TALLY-D").unwrap();
    let (arr_d, _) = g.wait_event("arrived", |v| v["verdict"].get("usable").is_some());
    let d_devnode = arr_d["devnode"].as_str().unwrap().to_string();
    let ex = g.cmd(
        &format!("export {d_devnode} {} {VERIFY_AT}", k.folder),
        Duration::from_secs(180),
    );
    assert_eq!(
        find(&ex, "exported")["exported"],
        k.folder.as_str(),
        "{ex:#?}"
    );
    g.vm.unplug_stick("stickd", Duration::from_secs(60))
        .unwrap();
    host_verifies(&d, &k.folder, &k);

    // 6. A copy of A pulled in the middle of an import (mounted, not yet verified): a clear
    //    error, not a bad signature; the removal closes the session; no mount left.
    let e = sticks.join("e.img");
    std::fs::copy(&a, &e).unwrap();
    g.vm.plug_stick("sticke", &e, "TALLY-E").unwrap();
    let (arr_e, _) = g.wait_event("arrived", |v| v["verdict"].get("usable").is_some());
    let e_devpath = arr_e["devpath"].as_str().unwrap().to_string();
    g.vm.send_line(&format!("import {VERIFY_AT} pause"))
        .unwrap();
    let paused =
        g.vm.wait_console("GC {\"paused\":\"verify\"}", Duration::from_secs(180))
            .unwrap();
    let mounted = find(&parse_answers(&paused), "mounted").clone();
    assert_eq!(mounted["ours"].as_array().unwrap().len(), 1, "{mounted:#}");
    g.vm.unplug_stick("sticke", Duration::from_secs(60))
        .unwrap();
    let failed = g.cmd_until("go", "import", Duration::from_secs(180));
    let err = find(&failed, "verify_error");
    // vfat answers a lookup on the vanished device with ENOENT ("manifest missing"); the
    // library asks whether the device is still there before blaming the medium.
    assert_eq!(err["looks_removed"], true, "{err:#}");
    assert_eq!(err["removed_while_reading"], true, "{err:#}");
    assert!(
        err["error"]
            .as_str()
            .unwrap()
            .contains("was removed while it was being read"),
        "{err:#}"
    );
    assert!(
        failed.iter().all(|a| a.get("verified").is_none()),
        "{failed:#?}"
    );
    let (removed, all) = g.wait_event("removed", |v| v["devpath"] == e_devpath.as_str());
    assert_eq!(removed["was_in_use"], true);
    assert!(ours_is_empty(find(&all, "removed_in_use")));
    let m = g.cmd("mounts", Duration::from_secs(60));
    assert!(no_stick_mounted(&m), "{m:#?}");

    // 7. An exFAT stick: detected, written by an export, mounted read-only, verified.
    let x = sticks.join("x.img");
    let _ = std::fs::remove_file(&x);
    std::fs::File::create(&x)
        .unwrap()
        .set_len(32 << 20)
        .unwrap();
    run(Command::new("mkfs.exfat").args(["-L", "LEEG-X"]).arg(&x));
    g.vm.plug_stick("stickx", &x, "TALLY-X").unwrap();
    let (arr_x, _) = g.wait_event("arrived", |v| v["verdict"].get("usable").is_some());
    assert_eq!(arr_x["verdict"]["usable"]["fs"], "exfat", "{arr_x:#}");
    assert_eq!(
        arr_x["verdict"]["usable"]["partition"],
        Value::Null,
        "{arr_x:#}"
    );
    let x_devpath = arr_x["devpath"].as_str().unwrap().to_string();
    let x_devnode = arr_x["devnode"].as_str().unwrap().to_string();
    let ex = g.cmd(
        &format!("export {x_devnode} {} {VERIFY_AT}", k.folder),
        Duration::from_secs(180),
    );
    assert_eq!(
        find(&ex, "exported")["exported"],
        k.folder.as_str(),
        "{ex:#?}"
    );
    let imp = g.cmd(&format!("import {VERIFY_AT}"), Duration::from_secs(120));
    let ours = find(&imp, "mounted")["ours"].as_array().unwrap().clone();
    assert_eq!(ours.len(), 1, "{imp:#?}");
    assert_eq!(ours[0]["fs"], "exfat");
    assert_eq!(ours[0]["source"], x_devnode.as_str());
    let opts: Vec<&str> = ours[0]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    for want in ["ro", "nosuid", "nodev", "noexec", "nosymfollow"] {
        assert!(opts.contains(&want), "exfat: {want} missing from {opts:?}");
    }
    let verified = find(&imp, "verified");
    assert_eq!(verified["verified"], k.folder.as_str());
    assert_eq!(
        verified["files"][0]["sha256"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(real_count()))
    );
    let closed = g.cmd("close", Duration::from_secs(60));
    assert!(ours_is_empty(find(&closed, "ours")), "{closed:#?}");
    g.vm.unplug_stick("stickx", Duration::from_secs(60))
        .unwrap();
    g.wait_event("removed", |v| v["devpath"] == x_devpath.as_str());

    // 8. An ext4 stick with the signed medium: listed as unusable with the reason, never
    //    mounted, although the kernel has ext4 (for the appliance's own data partition).
    let policy = find(&start, "policy")["policy"].clone();
    assert!(
        policy["kernel_filesystems"]
            .as_array()
            .unwrap()
            .contains(&Value::from("ext4")),
        "{policy:#}"
    );
    assert_eq!(
        policy["media_filesystems"],
        serde_json::json!(["vfat", "exfat"]),
        "{policy:#}"
    );
    let y = sticks.join("y.img");
    let tree = sticks.join("y-tree");
    let _ = std::fs::remove_dir_all(&tree);
    std::fs::create_dir_all(tree.join(&k.folder)).unwrap();
    std::fs::write(tree.join(&k.folder).join(COUNT_FILE), real_count()).unwrap();
    std::fs::write(
        tree.join(&k.folder).join(tally_signing::MANIFEST_FILE),
        &k.medium.manifest,
    )
    .unwrap();
    std::fs::write(
        tree.join(&k.folder).join(tally_signing::SIGNATURE_FILE),
        &k.medium.signature,
    )
    .unwrap();
    let _ = std::fs::remove_file(&y);
    run(Command::new("mkfs.ext4")
        .args(["-q", "-F", "-L", "VREEMD", "-d"])
        .arg(&tree)
        .arg(&y)
        .arg("32M"));
    g.vm.plug_stick("sticky", &y, "TALLY-Y").unwrap();
    let (arr_y, _) = g.wait_event("arrived", |_| true);
    assert_eq!(
        arr_y["verdict"],
        serde_json::json!({"unusable": {"refused_file_system": ["ext4"]}}),
        "{arr_y:#}"
    );
    assert!(
        arr_y["detail"]
            .as_str()
            .unwrap()
            .contains("ext4 is never mounted from a stick (vfat or exFAT only); not mounted"),
        "{arr_y:#}"
    );
    let y_devpath = arr_y["devpath"].as_str().unwrap().to_string();
    let y_devnode = arr_y["devnode"].as_str().unwrap().to_string();
    let y_name = y_devnode.trim_start_matches("/dev/").to_string();
    let imp = g.cmd(&format!("import {VERIFY_AT}"), Duration::from_secs(120));
    assert_eq!(
        find(&imp, "error")["error"],
        "0 usable sticks not in use",
        "{imp:#?}"
    );
    let ex = g.cmd(
        &format!("export {y_devnode} {} {VERIFY_AT}", k.folder),
        Duration::from_secs(120),
    );
    assert_eq!(
        find(&ex, "error")["error"],
        format!("{y_devnode}: not usable"),
        "{ex:#?}"
    );
    let m = g.cmd("mounts", Duration::from_secs(60));
    assert!(no_stick_mounted(&m), "{m:#?}");
    assert!(ours_is_empty(find(&m, "ours")), "{m:#?}");
    assert!(
        !find(&m, "mounts")["mounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["fs"] == "ext4"),
        "{m:#?}"
    );
    // The harness runs confined like the program (uid 1000, no capability): the kernel log is
    // closed to it (dmesg_restrict), so the console, which gets every kernel message, is read
    // instead; it covers the plugging of Y (the sd driver's line naming it).
    let log = g.cmd(&format!("kmsg EXT4-fs ({y_name}"), Duration::from_secs(60));
    assert!(
        log.iter().any(|v| v["error"]
            .as_str()
            .is_some_and(|e| e.contains("/dev/kmsg: Operation not permitted"))),
        "{log:#?}"
    );
    let console = g.vm.serial0();
    assert!(console.contains(&format!("[{y_name}]")), "{console}");
    assert!(
        !console.contains(&format!("EXT4-fs ({y_name}")),
        "the ext4 driver saw the stick"
    );
    g.vm.unplug_stick("sticky", Duration::from_secs(60))
        .unwrap();
    g.wait_event("removed", |v| v["devpath"] == y_devpath.as_str());

    // 9. Power off.
    g.vm.send_line("poweroff").unwrap();
    let status = g.vm.wait_exit(Duration::from_secs(120)).unwrap();
    assert!(status.success(), "{status}");

    let mut timing = format!(
        "image built in {:.1} s; boot to the program {:.1} s; removal reported {:.1} s after device_del; whole boot {:.1} s\n",
        built.as_secs_f64(),
        booted.as_secs_f64(),
        removal_secs,
        g.vm.started.elapsed().as_secs_f64()
    );
    for (secs, line, _) in &g.log {
        timing.push_str(&format!("{secs:7.1} s  {line}\n"));
    }
    std::fs::write(work.join("timings.txt"), &timing).unwrap();
    std::fs::write(work.join("console.txt"), g.vm.console_text()).unwrap();
    eprintln!("{timing}");
}
