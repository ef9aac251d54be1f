//! Boot tests of the appliance image: QEMU, OVMF with Secure Boot enforced and the project's own
//! keys enrolled, no KVM. The image carries the test stand-in `hello-tally` as its program (a
//! dynamically linked glibc binary, so the shared-library path of the build is exercised too).
//!
//! Needs the Debian packages of scripts/test (qemu-system-x86 ovmf sbsigntool systemd-boot-efi
//! dosfstools mtools cpio zstd kmod openssl faketime), `virt-fw-vars` (pip `virt-firmware`), the
//! rustup target x86_64-unknown-linux-musl and network access to the Debian mirror once (the
//! kernel package is cached in the target directory). VMs run one at a time.

// Test helpers outside #[test] functions: a panic here is a failed test, not a crash.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tally_image::build::BuildOutput;
use tally_image::testbed::{
    BOOT_TIMEOUT, STANDIN_BANNER, TEST_CMDLINE, TEST_SOURCE_COMMIT, TestBed, build_musl_inits,
    make_certified_stick, make_certified_stick_with,
};

struct Fixture {
    bed: TestBed,
    init: PathBuf,
    image: BuildOutput,
}

/// One VM at a time: the machine has two cores.
static VM_LOCK: Mutex<()> = Mutex::new(());

fn target_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-image-boot")
}

fn standin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hello-tally"))
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (init, _trivial) = build_musl_inits(&target_dir()).unwrap();
        let work = work_dir();
        let _ = std::fs::remove_dir_all(work.join("bed"));
        let bed = TestBed::prepare(
            &work.join("bed"),
            &Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-kernel-cache"),
        )
        .unwrap();
        let image = tally_image::build::build(&bed.appliance_config(
            &init,
            &standin(),
            &work.join("image-1"),
        ))
        .unwrap();
        Fixture { bed, init, image }
    })
}

fn check_value<'a>(report: &'a str, name: &str) -> &'a str {
    let prefix = format!("CHECK {name}=");
    report
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix.as_str()))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {name} in report:\n{report}"))
}

#[test]
fn signed_image_boots_and_its_protections_hold() {
    let f = fixture();
    let _vm_lock = VM_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let (fat, ext4) = tally_image::testbed::make_test_sticks(&work_dir().join("sticks")).unwrap();
    // The certified stick: the UKI on its ESP, a data partition with a (dummy) certificate.
    let tree = work_dir().join("data-tree");
    let _ = std::fs::remove_dir_all(&tree);
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("body.cert"), b"not parsed by the stand-in").unwrap();
    let stick = work_dir().join("boot-stick.img");
    make_certified_stick(&f.image.uki, Some(&tree), &stick).unwrap();
    let mut vm = f
        .bed
        .boot_stick(&stick, &work_dir().join("vm-signed"))
        .unwrap();
    vm.wait_console(STANDIN_BANNER, BOOT_TIMEOUT).unwrap();
    let kernel_log = vm.serial0();
    assert!(
        kernel_log.contains("EFI stub: UEFI Secure Boot is enabled."),
        "{kernel_log}"
    );
    assert!(kernel_log.contains("Kernel is locked down"), "{kernel_log}");
    assert!(
        kernel_log.contains("secureboot: Secure boot enabled"),
        "{kernel_log}"
    );

    vm.send_line("checks").unwrap();
    let report = vm
        .wait_console("CHECKS-DONE", Duration::from_secs(60))
        .unwrap();
    assert_eq!(check_value(&report, "root_write"), "EROFS", "{report}");
    // Its runtime directory is the terminal user's; the rest of /run is not.
    assert_eq!(check_value(&report, "run_write"), "ok", "{report}");
    assert_eq!(check_value(&report, "run_root_write"), "EACCES", "{report}");
    // The init handed it the mount service's socket.
    assert_eq!(check_value(&report, "channel"), "ok", "{report}");
    // Privilege separation: the program runs as the terminal's user, with no capability in any
    // set, no_new_privs and the seccomp filter (mode 2) ...
    for (key, want) in [
        ("status.Uid", "1000 1000 1000 1000"),
        ("status.Gid", "1000 1000 1000 1000"),
        ("status.Groups", ""),
        ("status.CapInh", "0000000000000000"),
        ("status.CapPrm", "0000000000000000"),
        ("status.CapEff", "0000000000000000"),
        ("status.CapBnd", "0000000000000000"),
        ("status.CapAmb", "0000000000000000"),
        ("status.NoNewPrivs", "1"),
        ("status.Seccomp", "2"),
    ] {
        assert_eq!(check_value(&report, key), want, "{key}\n{report}");
    }
    // ... and cannot remount the root, mount anything itself, or open a raw disk.
    assert_eq!(check_value(&report, "remount_root_rw"), "EPERM", "{report}");
    assert_eq!(check_value(&report, "mount_tmpfs"), "EPERM", "{report}");
    assert_eq!(
        check_value(&report, "mount_data_again"),
        "EPERM",
        "{report}"
    );
    let raw = check_value(&report, "raw_disks");
    assert!(
        raw.ends_with("refused (EACCES)") && !raw.starts_with("0 "),
        "{report}"
    );
    // A virtio network card is present in the VM; its driver is not in the image.
    assert_eq!(check_value(&report, "net"), "lo", "{report}");
    assert_eq!(check_value(&report, "module_load"), "EPERM", "{report}");
    // The module files stay behind in the initramfs: the running root has none.
    assert_eq!(check_value(&report, "module_files"), "absent", "{report}");
    assert_eq!(check_value(&report, "shell"), "absent", "{report}");
    assert_eq!(check_value(&report, "kernel.modules_disabled"), "1");
    assert_eq!(check_value(&report, "kernel.kexec_load_disabled"), "1");
    assert_eq!(check_value(&report, "kernel.sysrq"), "0");
    assert_eq!(check_value(&report, "kernel.dmesg_restrict"), "1");
    assert_eq!(check_value(&report, "kernel.kptr_restrict"), "2");
    assert_eq!(
        check_value(&report, "kernel.unprivileged_bpf_disabled"),
        "1"
    );
    assert_eq!(check_value(&report, "ctty"), "ok", "{report}");
    assert_eq!(check_value(&report, "winsize"), "80x24", "{report}");
    let root = tally_signing::PublicKey::from_file_bytes(&std::fs::read(&f.bed.root_key).unwrap())
        .unwrap();
    assert_eq!(
        check_value(&report, "root_key"),
        root.fingerprint().to_hex(),
        "{report}"
    );
    // Contract 1's command line, with the SHA-256 of the signed UKI the firmware booted and
    // the version and source commit built into it.
    assert_eq!(
        check_value(&report, "args"),
        format!(
            "--usb --data-dir /data --root /etc/tally/root.pub --runtime-dir /run/tally --system-hash {} --system-version {} {TEST_SOURCE_COMMIT}",
            f.image.sha256,
            env!("CARGO_PKG_VERSION")
        ),
        "{report}"
    );
    assert!(
        check_value(&report, "data_mount").starts_with("ext4 rw,nosuid,nodev,noexec"),
        "{report}"
    );
    assert_eq!(check_value(&report, "data_write"), "ok", "{report}");
    assert_eq!(
        check_value(&report, "data_body_cert"),
        "present",
        "{report}"
    );
    let loaded: usize = check_value(&report, "modules_loaded").parse().unwrap();
    assert!(loaded >= 25, "only {loaded} modules loaded:\n{report}");

    // The USB modules work: both sticks show up (hot-plugged); the init probes both and mounts
    // the vfat one (cp437 + ascii/utf8 NLS) for the program, read-only at its fixed mount
    // point; a stranger's ext4 stick is refused by the init, never mounted (the ext4 driver
    // serves only the data partition, checked above).
    vm.plug_stick("fat", &fat, "FAT1").unwrap();
    vm.plug_stick("ext4", &ext4, "EXT41").unwrap();
    vm.send_line("sticks").unwrap();
    let sticks = vm
        .wait_console("STICKS-DONE", Duration::from_secs(150))
        .unwrap();
    assert!(
        sticks.contains("fs=vfat hello=stick-vfat-ok unmount=Some(Ok(Unmounted))"),
        "{sticks}"
    );
    assert!(sticks.contains("fs=ext4 mount=refused"), "{sticks}");

    // Malformed and hostile requests to the init's mount service: each refused and logged, and
    // the init goes on serving.
    vm.send_line("hostile").unwrap();
    let hostile = vm
        .wait_console("HOSTILE-DONE", Duration::from_secs(150))
        .unwrap();
    for case in [
        "garbage",
        "oversized",
        "one_byte_long",
        "empty",
        "zeros",
        "unknown_device",
        "path_outside",
        "root_device",
        "boot_stick_data",
        "boot_stick_disk",
        "bad_mode",
        "slot_not_mounted",
    ] {
        assert!(
            hostile.contains(&format!("HOSTILE {case}=refused (")),
            "{case}:\n{hostile}"
        );
    }
    assert!(
        hostile.contains("HOSTILE oversized=refused (malformed request: message of 65536 bytes"),
        "{hostile}"
    );
    assert!(
        hostile.contains("HOSTILE still_serving=answered Refused("),
        "{hostile}"
    );
    let log = vm.serial0();
    let refusals = log.matches("mount service: REFUSED: ").count();
    // Thirteen here (twelve cases and the last probe), one for the ext4 stick before.
    assert!(refusals >= 14, "{refusals} refusals logged:\n{log}");
    assert!(
        log.contains("mount service: REFUSED: malformed request: bad magic"),
        "{log}"
    );
    // And it still mounts a good stick afterwards.
    vm.send_line("sticks").unwrap();
    let again = vm
        .wait_console("STICKS-DONE", Duration::from_secs(150))
        .unwrap();
    assert!(again.contains("fs=vfat hello=stick-vfat-ok"), "{again}");

    // A crash: the init starts the program again.
    vm.send_line("crash").unwrap();
    vm.wait_console(
        "HELLO-TALLY test stand-in ready (start 2)",
        Duration::from_secs(120),
    )
    .unwrap();

    // Power off on request: QEMU ends by itself.
    vm.send_line("poweroff").unwrap();
    let status = vm.wait_exit(Duration::from_secs(120)).unwrap();
    assert!(status.success(), "{status}");
    assert!(vm.serial0().contains("reboot: Power down"));
}

#[test]
fn without_a_data_partition_the_program_does_not_start() {
    let f = fixture();
    let _vm_lock = VM_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let stick = work_dir().join("esp-only-stick.img");
    make_certified_stick(&f.image.uki, None, &stick).unwrap();
    let mut vm = f
        .bed
        .boot_stick(&stick, &work_dir().join("vm-no-data"))
        .unwrap();
    let screen = vm
        .wait_console("Press Enter to power off.", BOOT_TIMEOUT)
        .unwrap();
    assert!(
        screen.contains("TALLY: het programma kan niet starten."),
        "{screen}"
    );
    assert!(
        screen.contains("the boot stick has no TALLY-DATA partition"),
        "{screen}"
    );
    assert!(!vm.console_text().contains("HELLO-TALLY"));
    // Enter powers off; the program was never started.
    vm.send_line("").unwrap();
    let status = vm.wait_exit(Duration::from_secs(120)).unwrap();
    assert!(status.success(), "{status}");
    let log = vm.serial0();
    assert!(log.contains("reboot: Power down"), "{log}");
    assert!(!log.contains("starting /bin/tally"), "{log}");
}

/// A second signed image, standing for an older one: the fixture's kernel and initramfs with
/// another command line (so another Authenticode hash), signed with the same db key.
fn older_image() -> &'static PathBuf {
    static OLD: OnceLock<PathBuf> = OnceLock::new();
    OLD.get_or_init(|| {
        let f = fixture();
        let dir = work_dir().join("older");
        let _ = std::fs::remove_dir_all(&dir);
        let unsigned = dir.join("old-unsigned.efi");
        tally_image::build::uki(
            Path::new(tally_image::build::EFI_STUB),
            &f.bed.kernel.vmlinuz,
            &f.image.initrd,
            &format!("{TEST_CMDLINE} tally.image=older"),
            &tally_image::build::os_release(TEST_SOURCE_COMMIT),
            &dir.join("parts"),
            &unsigned,
        )
        .unwrap();
        let signed = dir.join("old.efi");
        tally_image::build::sign(&unsigned, &f.bed.keys.db.key, &f.bed.keys.db.cert, &signed)
            .unwrap();
        signed
    })
}

/// A certified stick whose ESP holds the current image as `\EFI\BOOT\BOOTX64.EFI` and the
/// older one as `\EFI\OLD\TALLY.EFI`, with a data partition.
fn stick_with_two_images(name: &str) -> PathBuf {
    let f = fixture();
    let tree = work_dir().join(format!("{name}-tree"));
    let _ = std::fs::remove_dir_all(&tree);
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("body.cert"), b"not parsed by the stand-in").unwrap();
    let stick = work_dir().join(format!("{name}.img"));
    make_certified_stick_with(
        &f.image.uki,
        &[(older_image().as_path(), "EFI/OLD", "TALLY.EFI")],
        Some(&tree),
        &stick,
    )
    .unwrap();
    stick
}

/// Boots, asks the stand-in for its checks, powers off; returns the program's command line and
/// the serial log. On failure the serial log is in the panic message.
fn boot_and_read_args(stick: &Path, vars: &Path, name: &str) -> (String, String) {
    let f = fixture();
    let mut vm = f
        .bed
        .boot_stick_with_vars(stick, vars, &work_dir().join(name))
        .unwrap();
    vm.wait_console(STANDIN_BANNER, BOOT_TIMEOUT)
        .unwrap_or_else(|e| panic!("{name}: {e}\n--- serial ---\n{}", vm.serial0()));
    vm.send_line("checks").unwrap();
    let report = vm
        .wait_console("CHECKS-DONE", Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("{name}: {e}\n--- serial ---\n{}", vm.serial0()));
    let args = check_value(&report, "args").to_string();
    vm.send_line("poweroff").unwrap();
    let _ = vm.wait_exit(Duration::from_secs(120));
    (args, vm.serial0())
}

fn sha256_of(path: &Path) -> String {
    tally_image::build::sha256_hex(&std::fs::read(path).unwrap())
}

/// Issue 17 point 2: the identity is the image the firmware started, not the file at the
/// default path. The firmware starts the older image at `\EFI\OLD\TALLY.EFI` through a boot
/// entry (`Boot0000`, first in `BootOrder`) while `\EFI\BOOT\BOOTX64.EFI` is the current one.
#[test]
fn the_identity_is_the_image_started_from_another_path() {
    let f = fixture();
    let _vm_lock = VM_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let old = older_image();
    let (old_hash, current_hash) = (sha256_of(old), f.image.sha256.clone());
    assert_ne!(old_hash, current_hash);
    let vars = work_dir().join("vars-boot-old.fd");
    tally_image::keys::ovmf_vars_with(&f.bed.ovmf_vars, &[], &["\\EFI\\OLD\\TALLY.EFI"], &vars)
        .unwrap();
    let stick = stick_with_two_images("stick-old-path");
    let (args, log) = boot_and_read_args(&stick, &vars, "vm-old-path");
    assert!(
        args.ends_with(&format!(
            "--system-hash {old_hash} --system-version {} {TEST_SOURCE_COMMIT}",
            env!("CARGO_PKG_VERSION")
        )),
        "{args}\n--- serial ---\n{log}"
    );
    assert!(log.contains("tally.image=older"), "{log}");
    assert!(
        log.contains("booted image: \\EFI\\OLD\\TALLY.EFI on partition "),
        "{log}"
    );
    assert!(log.contains("(systemd-stub "), "{log}");
}

/// Issue 17 point 2: an image withdrawn by the authority's `dbx` update (its Authenticode hash,
/// signed by KEK, as `tally-provision withdraw-image` makes it) no longer boots: the firmware
/// refuses the boot entry of the older image, goes on to the stick's default entry and starts the
/// current image, which shows its own identity.
#[test]
fn a_withdrawn_image_does_not_boot_and_the_current_one_does() {
    let f = fixture();
    let _vm_lock = VM_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let old = older_image();
    let dir = work_dir().join("withdraw");
    let _ = std::fs::remove_dir_all(&dir);
    let update = tally_image::keys::dbx_update(
        &[old.as_path()],
        &f.bed.keys.kek.key,
        &f.bed.keys.kek.cert,
        &dir.join("dbx-update"),
    )
    .unwrap();
    let vars = dir.join("vars-withdrawn.fd");
    tally_image::keys::ovmf_vars_with(
        &f.bed.ovmf_vars,
        &[update.auth.as_path()],
        &["\\EFI\\OLD\\TALLY.EFI"],
        &vars,
    )
    .unwrap();
    let stick = stick_with_two_images("stick-withdrawn");
    let (args, log) = boot_and_read_args(&stick, &vars, "vm-withdrawn");
    // The older image was tried first and refused ...
    let refused = log
        .find("failed to load Boot0000")
        .unwrap_or_else(|| panic!("the withdrawn image was not tried:\n{log}"));
    assert!(
        log[refused..]
            .lines()
            .next()
            .unwrap_or("")
            .contains("Access Denied"),
        "{log}"
    );
    assert!(!log.contains("tally.image=older"), "{log}");
    // ... and the current one started, with its own identity.
    assert!(
        args.contains(&format!("--system-hash {} ", f.image.sha256)),
        "{args}\n--- serial ---\n{log}"
    );
    assert!(
        log.contains("booted image: \\EFI\\BOOT\\BOOTX64.EFI on partition "),
        "{log}"
    );
}

/// Issue 17 point 2: when the identity cannot be determined the program is not started and the
/// terminal says why. A `LoaderImageIdentifier` left in NVRAM (non-volatile; the stub sets the
/// variable only when it is absent) names a file that is not on the boot partition.
#[test]
fn an_identity_that_cannot_be_determined_stops_the_start_with_the_reason() {
    let f = fixture();
    let _vm_lock = VM_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = work_dir().join("no-identity");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path: Vec<u8> = "\\EFI\\GONE\\TALLY.EFI\0"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let json = dir.join("vars.json");
    std::fs::write(
        &json,
        format!(
            "{{\"version\": 2, \"variables\": [{{\"name\": \"LoaderImageIdentifier\", \"guid\": \"{}\", \"attr\": 7, \"data\": \"{}\"}}]}}",
            tally_image::identity::LOADER_GUID,
            path.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    )
    .unwrap();
    let vars = dir.join("vars.fd");
    let o = Command::new("virt-fw-vars")
        .arg("--input")
        .arg(&f.bed.ovmf_vars)
        .arg("--output")
        .arg(&vars)
        .arg("--set-json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let tree = dir.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("body.cert"), b"not parsed by the stand-in").unwrap();
    let stick = dir.join("stick.img");
    make_certified_stick(&f.image.uki, Some(&tree), &stick).unwrap();
    let mut vm = f
        .bed
        .boot_stick_with_vars(&stick, &vars, &dir.join("vm"))
        .unwrap();
    let screen = vm
        .wait_console("Press Enter to power off.", BOOT_TIMEOUT)
        .unwrap_or_else(|e| panic!("{e}\n--- serial ---\n{}", vm.serial0()));
    for want in [
        "TALLY: het programma kan niet starten.",
        "het gestarte programma \\EFI\\GONE\\TALLY.EFI staat niet op de opstartpartitie",
        "the started image \\EFI\\GONE\\TALLY.EFI is not on the boot partition",
        "Start opnieuw van de gecertificeerde stick, zonder opstartmenu of ander bestand.",
    ] {
        assert!(
            screen.contains(want),
            "{want:?} not on the screen:\n{screen}"
        );
    }
    vm.send_line("").unwrap();
    let status = vm.wait_exit(Duration::from_secs(120)).unwrap();
    assert!(status.success(), "{status}");
    let log = vm.serial0();
    assert!(!log.contains("starting /bin/tally"), "{log}");
    assert!(!vm.console_text().contains("HELLO-TALLY"));
}

fn assert_refused(efi: &Path, name: &str) {
    let f = fixture();
    let _vm_lock = VM_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut vm = f.bed.boot(efi, &work_dir().join(name)).unwrap();
    vm.wait_serial0("Access Denied", BOOT_TIMEOUT).unwrap();
    let log = vm.serial0();
    assert!(
        !log.contains("Linux version"),
        "{name}: the kernel started:\n{log}"
    );
    assert!(!vm.console_text().contains("HELLO-TALLY"), "{name}");
    vm.kill();
}

#[test]
fn unsigned_image_is_refused() {
    let f = fixture();
    assert_refused(&f.image.unsigned_uki, "vm-unsigned");
}

#[test]
fn image_with_one_byte_changed_is_refused() {
    let f = fixture();
    let mut bytes = std::fs::read(&f.image.uki).unwrap();
    // A byte in the middle of the image: inside the kernel section.
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    let altered = work_dir().join("altered.efi");
    std::fs::write(&altered, &bytes).unwrap();
    assert_refused(&altered, "vm-altered");
}

#[test]
fn image_signed_with_a_key_not_enrolled_is_refused() {
    let f = fixture();
    let other = work_dir().join("other-keys");
    let keys = tally_image::keys::create_secure_boot_keys(&other, "Somebody else", 30).unwrap();
    let signed = work_dir().join("other-signed.efi");
    tally_image::build::sign(&f.image.unsigned_uki, &keys.db.key, &keys.db.cert, &signed).unwrap();
    assert_refused(&signed, "vm-other-key");
}

#[test]
fn build_is_reproducible() {
    let f = fixture();
    let second = tally_image::build::build(&f.bed.appliance_config(
        &f.init,
        &standin(),
        &work_dir().join("image-2"),
    ))
    .unwrap();
    for (a, b) in [
        (&f.image.initrd, &second.initrd),
        (&f.image.unsigned_uki, &second.unsigned_uki),
        (&f.image.uki, &second.uki),
    ] {
        let (x, y) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
        assert!(x == y, "{} and {} differ", a.display(), b.display());
    }
    assert_eq!(f.image.sha256, second.sha256);
    // The signature is valid for the db certificate (checked by sbverify, not by us).
    let out = Command::new("sbverify")
        .arg("--cert")
        .arg(&f.bed.keys.db.cert)
        .arg(&f.image.uki)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// The initramfs listing as the host's cpio sees it.
fn listing(initrd: &Path) -> Vec<String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "zstd -dc '{}' | cpio -it --quiet",
            initrd.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn initramfs_holds_what_the_appliance_needs_and_no_shell() {
    let f = fixture();
    let files = listing(&f.image.initrd);
    let release = tally_image::build::KERNEL.release;
    for want in [
        "init".to_string(),
        "bin/tally".to_string(),
        "dev/console".to_string(),
        "etc/tally/root.pub".to_string(),
        "lib64/ld-linux-x86-64.so.2".to_string(),
        "lib/x86_64-linux-gnu/libc.so.6".to_string(),
        format!("lib/modules/{release}/modules.dep"),
        format!("lib/modules/{release}/kernel/fs/fat/vfat.ko"),
        format!("lib/modules/{release}/kernel/fs/nls/nls_ascii.ko"),
        format!("lib/modules/{release}/kernel/fs/ext4/ext4.ko"),
        format!("lib/modules/{release}/kernel/drivers/usb/storage/usb-storage.ko"),
    ] {
        assert!(files.contains(&want), "{want} missing from {files:?}");
    }
    for f in &files {
        let name = f.rsplit('/').next().unwrap();
        assert!(
            ![
                "sh", "bash", "dash", "ash", "busybox", "login", "getty", "agetty", "ip"
            ]
            .contains(&name),
            "{f} is in the image"
        );
    }
    // Only the appliance's modules: no network or graphics drivers.
    let modules: Vec<&String> = files.iter().filter(|f| f.ends_with(".ko")).collect();
    assert!(
        modules.len() >= 25 && modules.len() <= 40,
        "{} modules: {modules:?}",
        modules.len()
    );
    assert!(
        !files.iter().any(|f| f.contains("drivers/net/")),
        "{files:?}"
    );
}

#[test]
fn build_refuses_bad_inputs() {
    let f = fixture();
    let out = work_dir().join("bad");
    // A root key of the wrong length.
    let short = work_dir().join("short.pub");
    std::fs::write(&short, [7u8; 31]).unwrap();
    let mut cfg = f.bed.config(&f.init, &standin(), &out);
    cfg.root_key = short;
    let err = tally_image::build::build(&cfg).unwrap_err();
    assert!(
        matches!(err, tally_image::build::BuildError::RootKey { .. }),
        "{err}"
    );
    // A public-key file with a damaged key line.
    let bad = work_dir().join("bad.pub");
    std::fs::write(
        &bad,
        format!("tally-public-key v1\npublic-key: {}\n", "zz".repeat(32)),
    )
    .unwrap();
    cfg.root_key = bad;
    let err = tally_image::build::build(&cfg).unwrap_err();
    assert!(
        matches!(err, tally_image::build::BuildError::RootKey { .. }),
        "{err}"
    );
    // A dynamically linked init.
    let cfg = f.bed.config(&standin(), &standin(), &out);
    let err = tally_image::build::build(&cfg).unwrap_err();
    assert!(
        matches!(err, tally_image::build::BuildError::InitNotStatic { .. }),
        "{err}"
    );
}
