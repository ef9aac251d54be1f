//! Shared set-up of the boot tests and the benchmark: keys, enrolled firmware variables, the
//! kernel, the static init built for musl, and images with the test stand-in `hello-tally` or
//! the benchmark's `trivial-init`. Not used by the appliance.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::build::{
    self, BuildConfig, BuildError, BuildOutput, KERNEL, Kernel, create_dir_all, run,
};
use crate::cpio::Archive;
use crate::keys::{
    OVMF_CODE_SECBOOT, OVMF_VARS_TEMPLATE, SecureBootKeys, create_secure_boot_keys,
    enroll_ovmf_vars,
};
use crate::qemu::{Vm, VmConfig, VmError, VmExtras, make_esp, make_esp_with};

/// The Rust target of the static init.
pub const MUSL_TARGET: &str = "x86_64-unknown-linux-musl";

/// The kernel command line of test images booted from a certified stick, as the appliance is:
/// kernel messages on the first serial port, the program on the second (the test's console
/// socket).
pub const TEST_CMDLINE: &str =
    "console=ttyS0 module.sig_enforce=1 lockdown=integrity tally.console=ttyS1";

/// The source commit written into test images (the tests do not build from a clean checkout).
pub const TEST_SOURCE_COMMIT: &str = "7a11e7a17a11e7a17a11e7a17a11e7a17a11e7a1";

/// The kernel command line of harness images booted from a bare ESP (no data partition): as
/// [`TEST_CMDLINE`], and the program starts without the stick (`tally.stick=optional`).
pub const HARNESS_CMDLINE: &str = "console=ttyS0 module.sig_enforce=1 lockdown=integrity tally.console=ttyS1 tally.stick=optional";

/// Makes a certified stick's disk image at `out` (contract 2's layout) with the test tools, no
/// root and no mounting: a GPT (`sfdisk`) with partition 1 `TALLY-ESP` (FAT, `efi` as
/// `\EFI\BOOT\BOOTX64.EFI`, [`make_esp`]) and, when `data` is given, partition 2
/// `TALLY-DATA` (ext4 labelled `TALLYDATA`, `mkfs.ext4 -d data`: the folder's files with their
/// modes). A test-local stand-in for `tally-provision stick`.
pub fn make_certified_stick(efi: &Path, data: Option<&Path>, out: &Path) -> Result<(), BuildError> {
    make_certified_stick_with(efi, &[], data, out)
}

/// As [`make_certified_stick`], with more files on the ESP ([`make_esp_with`]).
pub fn make_certified_stick_with(
    efi: &Path,
    more: &[(&Path, &str, &str)],
    data: Option<&Path>,
    out: &Path,
) -> Result<(), BuildError> {
    const MIB: u64 = 1 << 20;
    let parent = out.parent().unwrap_or(Path::new("."));
    create_dir_all(parent)?;
    let esp = out.with_extension("esp.img");
    make_esp_with(efi, more, &esp)?;
    let esp_bytes = build::read(&esp)?;
    let esp_mib = (esp_bytes.len() as u64).div_ceil(MIB);
    let data_bytes = match data {
        Some(tree) => {
            let img = out.with_extension("data.img");
            let _ = std::fs::remove_file(&img);
            run(Command::new("mkfs.ext4")
                .args(["-q", "-F", "-L", "TALLYDATA", "-d"])
                .arg(tree)
                .arg(&img)
                .arg("16M"))?;
            Some(build::read(&img)?)
        }
        None => None,
    };
    let data_mib = data_bytes
        .as_ref()
        .map_or(0, |d| (d.len() as u64).div_ceil(MIB));
    let total = MIB * (1 + esp_mib + data_mib + 1);
    let _ = std::fs::remove_file(out);
    let file = std::fs::File::create(out).map_err(|e| BuildError::Io {
        path: out.to_path_buf(),
        source: e,
    })?;
    file.set_len(total).map_err(|e| BuildError::Io {
        path: out.to_path_buf(),
        source: e,
    })?;
    let sectors = |mib: u64| mib * MIB / 512;
    let mut script = format!(
        "label: gpt\nstart={}, size={}, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"TALLY-ESP\"\n",
        sectors(1),
        sectors(esp_mib)
    );
    if data_bytes.is_some() {
        script.push_str(&format!(
            "start={}, size={}, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"TALLY-DATA\"\n",
            sectors(1 + esp_mib),
            sectors(data_mib)
        ));
    }
    let script_path = out.with_extension("sfdisk");
    build::write(&script_path, script.as_bytes())?;
    let stdin = std::fs::File::open(&script_path).map_err(|e| BuildError::Io {
        path: script_path.clone(),
        source: e,
    })?;
    run(Command::new("sfdisk").arg("--quiet").arg(out).stdin(stdin))?;
    use std::os::unix::fs::FileExt as _;
    let put = |bytes: &[u8], at: u64| {
        file.write_all_at(bytes, at).map_err(|e| BuildError::Io {
            path: out.to_path_buf(),
            source: e,
        })
    };
    put(&esp_bytes, MIB)?;
    if let Some(d) = &data_bytes {
        put(d, MIB * (1 + esp_mib))?;
    }
    Ok(())
}

/// The banner of the test stand-in (its first line, start number 1).
pub const STANDIN_BANNER: &str = "HELLO-TALLY test stand-in ready (start 1)";

/// Makes two USB stick images in `dir`: `fat.img` (vfat, `mkfs.vfat` + `mcopy`) and `ext4.img`
/// (`mkfs.ext4 -d`, default features, so metadata checksums need crc32c), each holding
/// `HELLO.TXT` with a text naming its file system. No mounting, no root.
pub fn make_test_sticks(dir: &Path) -> Result<(PathBuf, PathBuf), BuildError> {
    create_dir_all(dir)?;
    let fat = dir.join("fat.img");
    let ext4 = dir.join("ext4.img");
    let _ = std::fs::remove_file(&fat);
    let _ = std::fs::remove_file(&ext4);
    let hello = dir.join("HELLO.TXT");
    build::write(&hello, b"stick-vfat-ok")?;
    run(Command::new("mkfs.vfat")
        .args(["-C", "-n", "STEMBUREAU"])
        .arg(&fat)
        .arg("16384"))?;
    run(Command::new("mcopy")
        .arg("-i")
        .arg(&fat)
        .arg(&hello)
        .arg("::/HELLO.TXT"))?;
    let tree = dir.join("ext4-tree");
    create_dir_all(&tree)?;
    build::write(&tree.join("HELLO.TXT"), b"stick-ext4-ok")?;
    run(Command::new("mkfs.ext4")
        .args(["-q", "-F", "-L", "TELLING", "-d"])
        .arg(&tree)
        .arg(&ext4)
        .arg("16M"))?;
    Ok((fat, ext4))
}

/// The passphrase of the body key made by [`make_body_data`].
pub const BENCH_PASSPHRASE: &str = "bench passphrase of Juinen";

/// Makes a data partition's folder for the real terminal in `dir`: `body.cert` (GSB 0042
/// Gemeente Juinen, election `GR2025_Juinen`, valid 2025 to 2099) and `body.key` (mode 0600,
/// [`BENCH_PASSPHRASE`], Argon2id at the floor), both from the root with the fixed test seed of
/// [`TestBed::prepare`]'s root key. For the benchmark; the end-to-end tests use
/// `tally-provision`.
pub fn make_body_data(dir: &Path) -> Result<(), BuildError> {
    use tally_signing::{
        Certificate, CertificateFields, KdfParams, Role, SecretKey, Timestamp, encrypt_secret_key,
    };
    let bad = |why: String| BuildError::Io {
        path: dir.to_path_buf(),
        source: std::io::Error::other(why),
    };
    create_dir_all(dir)?;
    let root = SecretKey::from_seed(&TEST_ROOT_SEED);
    let body = SecretKey::from_seed(&[0x42; 32]);
    let from = Timestamp::parse("2025-01-01T00:00:00Z").map_err(|e| bad(e.to_string()))?;
    let until = Timestamp::parse("2099-01-01T00:00:00Z").map_err(|e| bad(e.to_string()))?;
    let cert = Certificate::issue(
        &root,
        CertificateFields {
            role: Role::Gsb,
            identifier: "0042".into(),
            name: "Gemeente Juinen".into(),
            election: "GR2025_Juinen".into(),
            valid_from: from,
            valid_until: until,
            public_key: body.public_key(),
        },
    )
    .map_err(|e| bad(e.to_string()))?;
    build::write(&dir.join("body.cert"), cert.as_bytes())?;
    let key = encrypt_secret_key(&body, BENCH_PASSPHRASE.as_bytes(), KdfParams::FLOOR)
        .map_err(|e| bad(e.to_string()))?;
    let key_path = dir.join("body.key");
    build::write(&key_path, &key)?;
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
        BuildError::Io {
            path: key_path.clone(),
            source: e,
        }
    })?;
    Ok(())
}

/// The seed of the test root key (public: tests and the benchmark only).
pub const TEST_ROOT_SEED: [u8; 32] = [0x7a; 32];

/// What the trivial init prints.
pub const TRIVIAL_BANNER: &str = "TRIVIAL-INIT-UP";

/// The guest's memory in the tests: the appliance must run in 256 MB (DEVELOPERS' standard),
/// so every boot test, the media guest tests and the end-to-end count run with no more.
pub const APPLIANCE_MEMORY_MIB: u32 = 256;

/// Generous timeout of a boot through OVMF under QEMU without KVM (about 20 s here).
pub const BOOT_TIMEOUT: Duration = Duration::from_secs(240);

/// Builds `tally-init` and `trivial-init` for musl (release) with cargo into `target_dir` and
/// returns their paths.
pub fn build_musl_inits(target_dir: &Path) -> Result<(PathBuf, PathBuf), BuildError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    run(Command::new(cargo)
        .env("CARGO_TARGET_DIR", target_dir)
        .args(["build", "--release", "--quiet", "-p", "tally-image"])
        .args(["--target", MUSL_TARGET])
        .args(["--bin", "tally-init", "--bin", "trivial-init"]))?;
    let dir = target_dir.join(MUSL_TARGET).join("release");
    Ok((dir.join("tally-init"), dir.join("trivial-init")))
}

/// Keys, firmware variables and kernel for building and booting test images.
#[derive(Debug, Clone)]
pub struct TestBed {
    /// The working directory.
    pub dir: PathBuf,
    /// The Secure Boot keys (made fresh for this test bed).
    pub keys: SecureBootKeys,
    /// The OVMF variable store with the keys enrolled and Secure Boot on.
    pub ovmf_vars: PathBuf,
    /// Where the kernel package is cached.
    pub kernel_cache: PathBuf,
    /// The unpacked kernel.
    pub kernel: Kernel,
    /// The test root public key (`authority.pub` format, from a fixed test seed).
    pub root_key: PathBuf,
}

impl TestBed {
    /// Makes keys and firmware variables in `dir`; fetches and unpacks the kernel into
    /// `kernel_cache` (kept between runs).
    pub fn prepare(dir: &Path, kernel_cache: &Path) -> Result<TestBed, BuildError> {
        create_dir_all(dir)?;
        let keys = create_secure_boot_keys(&dir.join("keys"), "Tally test", 3650)?;
        let ovmf_vars = dir.join("OVMF_VARS.enrolled.fd");
        enroll_ovmf_vars(&keys, Path::new(OVMF_VARS_TEMPLATE), &ovmf_vars)?;
        let deb = build::fetch_kernel_deb(kernel_cache)?;
        let kernel = build::unpack_kernel(&deb, &kernel_cache.join(KERNEL.release))?;
        let root_key = dir.join("root.pub");
        build::write(
            &root_key,
            &tally_signing::SecretKey::from_seed(&TEST_ROOT_SEED)
                .public_key()
                .to_file_bytes(),
        )?;
        Ok(TestBed {
            dir: dir.to_path_buf(),
            keys,
            ovmf_vars,
            kernel_cache: kernel_cache.to_path_buf(),
            kernel,
            root_key,
        })
    }

    /// The build configuration of a harness image with `init` and `program` booted from a bare
    /// ESP ([`HARNESS_CMDLINE`]: the program starts without a stick), results in `out`.
    pub fn config(&self, init: &Path, program: &Path, out: &Path) -> BuildConfig {
        BuildConfig {
            cmdline: HARNESS_CMDLINE.to_string(),
            ..self.appliance_config(init, program, out)
        }
    }

    /// The build configuration of an image booted from a certified stick ([`TEST_CMDLINE`]: the
    /// init needs the stick's data partition, as on the appliance), results in `out`.
    pub fn appliance_config(&self, init: &Path, program: &Path, out: &Path) -> BuildConfig {
        BuildConfig {
            init: init.to_path_buf(),
            program: program.to_path_buf(),
            root_key: self.root_key.clone(),
            db_key: self.keys.db.key.clone(),
            db_key_passphrase: None,
            db_cert: self.keys.db.cert.clone(),
            cmdline: TEST_CMDLINE.to_string(),
            source_commit: TEST_SOURCE_COMMIT.to_string(),
            kernel_cache: self.kernel_cache.clone(),
            out_dir: out.to_path_buf(),
        }
    }

    /// Builds the full image (the appliance's pipeline) with `init` and `program`.
    pub fn build_image(
        &self,
        init: &Path,
        program: &Path,
        out: &Path,
    ) -> Result<BuildOutput, BuildError> {
        build::build(&self.config(init, program, out))
    }

    /// Builds the benchmark's baseline: the same kernel and signing, an initramfs holding only
    /// `trivial_init` as `/init` (and `/dev/console`).
    pub fn build_trivial_image(
        &self,
        trivial_init: &Path,
        out: &Path,
    ) -> Result<BuildOutput, BuildError> {
        let mut a = Archive::new();
        a.add_char_dev("dev/console", 0o600, 5, 1)?;
        a.add_file(
            "init",
            0o755,
            build::stripped(trivial_init, &out.join("stripped"))?,
        )?;
        let cfg = self.config(trivial_init, trivial_init, out);
        build::build_from_archive(&a, &self.kernel, &cfg)
    }

    /// A VM of the appliance's memory with the Secure Boot firmware and this bed's enrolled
    /// variables, booting `esp`, working in `vm_dir`.
    fn vm_config(&self, esp: PathBuf, vm_dir: &Path, usb_sticks: Vec<PathBuf>) -> VmConfig {
        VmConfig {
            esp,
            ovmf_code: PathBuf::from(OVMF_CODE_SECBOOT),
            ovmf_vars: self.ovmf_vars.clone(),
            work_dir: vm_dir.to_path_buf(),
            memory_mib: APPLIANCE_MEMORY_MIB,
            usb_sticks,
        }
    }

    /// Starts a VM booting `efi` (put on a fresh ESP image in `vm_dir`).
    pub fn boot(&self, efi: &Path, vm_dir: &Path) -> Result<Vm, VmError> {
        self.boot_with_sticks(efi, vm_dir, Vec::new())
    }

    /// Starts a VM booting `efi` with these disk images as USB sticks.
    pub fn boot_with_sticks(
        &self,
        efi: &Path,
        vm_dir: &Path,
        usb_sticks: Vec<PathBuf>,
    ) -> Result<Vm, VmError> {
        create_dir_all(vm_dir)?;
        let esp = vm_dir.join("esp.img");
        make_esp(efi, &esp)?;
        Vm::start(&self.vm_config(esp, vm_dir, usb_sticks))
    }

    /// Starts a VM booting from `stick` (a certified stick's disk image, used in place: what
    /// the guest writes stays) as a USB stick on a qemu-xhci controller (`id=xhci`), on which
    /// more sticks can be hot-plugged.
    pub fn boot_stick(&self, stick: &Path, vm_dir: &Path) -> Result<Vm, VmError> {
        self.boot_stick_on(stick, vm_dir, false)
    }

    /// As [`TestBed::boot_stick`], with `cpu_rng`: a CPU with `RDRAND`/`RDSEED`
    /// ([`VmExtras::cpu_rng`]).
    pub fn boot_stick_on(&self, stick: &Path, vm_dir: &Path, cpu_rng: bool) -> Result<Vm, VmError> {
        create_dir_all(vm_dir)?;
        Vm::start_with(
            &self.vm_config(stick.to_path_buf(), vm_dir, Vec::new()),
            &VmExtras {
                usb_controller: true,
                boot_from_usb: true,
                firmware_boot_order: false,
                cpu_rng,
            },
        )
    }

    /// As [`TestBed::boot_stick`], with the variable store `vars` (boot entries, `dbx`) instead
    /// of this bed's, and the firmware's `BootOrder` deciding what starts (no `bootindex`).
    pub fn boot_stick_with_vars(
        &self,
        stick: &Path,
        vars: &Path,
        vm_dir: &Path,
    ) -> Result<Vm, VmError> {
        create_dir_all(vm_dir)?;
        let mut cfg = self.vm_config(stick.to_path_buf(), vm_dir, Vec::new());
        cfg.ovmf_vars = vars.to_path_buf();
        Vm::start_with(
            &cfg,
            &VmExtras {
                usb_controller: true,
                boot_from_usb: true,
                firmware_boot_order: true,
                cpu_rng: false,
            },
        )
    }

    /// Starts a VM booting `efi` with an empty qemu-xhci controller (`id=xhci`) for sticks
    /// hot-plugged over QMP ([`Vm::plug_stick`], [`Vm::unplug_stick`]).
    pub fn boot_for_hotplug(&self, efi: &Path, vm_dir: &Path) -> Result<Vm, VmError> {
        create_dir_all(vm_dir)?;
        let esp = vm_dir.join("esp.img");
        make_esp(efi, &esp)?;
        Vm::start_with(
            &self.vm_config(esp, vm_dir, Vec::new()),
            &VmExtras {
                usb_controller: true,
                boot_from_usb: false,
                firmware_boot_order: false,
                cpu_rng: false,
            },
        )
    }
}
