//! The appliance's init (PID 1): from the kernel's hand-over to the tally program.
//!
//! In order: mount `/proc`, `/sys`, `/dev`; load the appliance's kernel modules from the
//! initramfs in dependency order; switch module loading off for good and set the hardening
//! sysctls; turn Ctrl-Alt-Del off; copy the root into a fresh tmpfs, make it read-only and make it
//! the root (the initramfs's rootfs itself cannot be remounted read-only or pivoted away from);
//! mount `/run`; find the certified stick it was booted from ([`crate::bootdisk`]), hash the
//! image the firmware loaded, on the partition and at the path the stub names
//! ([`crate::identity`]: the system's identity), and mount its data partition at `/data`; then run
//! `/bin/tally` with contract 1's command line ([`program_args`]) on its terminal, restart it
//! when it crashes and power off when it exits with [`EXIT_POWER_OFF`]. Without the data
//! partition the program is not started: the terminal says why, and the machine powers off.
//!
//! No network is configured (not even `lo` is brought up), there is no shell, no login and no
//! getty. If a protection cannot be put in place the program is not started: the init prints
//! why and powers off.
//!
//! The program is started through a second copy of the init ([`launch`]): that fresh process
//! calls `setsid`, makes the terminal its controlling terminal and sets the window size, then
//! `exec`s the program. This keeps all of it in safe Rust (no `pre_exec` closure after `fork`).

use std::fs;
use std::io::{self, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rustix::mount::{MountFlags, mount, mount_move, mount_remount};
use rustix::process::{WaitOptions, chdir, chroot};
use rustix::system::{RebootCommand, reboot};

use crate::cmdline::InitOptions;
use crate::modules::ModulesDep;

/// The exit status with which the program asks for the machine to be powered off. Any other
/// way of ending (another status, a signal) counts as a crash: the program is started again.
pub const EXIT_POWER_OFF: i32 = 0;

/// Where the program lives in the image.
pub const PROGRAM: &str = "/bin/tally";

/// Where the new root is assembled before it replaces the initramfs.
const NEW_ROOT: &str = "/sysroot";

/// The argument that makes the init act as the launcher of the program (see [`launch`]).
pub const LAUNCH_ARG: &str = "--launch";

/// The hardening sysctls, set after the modules are loaded. `kernel.modules_disabled` is set
/// separately (first of all), since nothing may be loaded after it.
pub const SYSCTLS: &[(&str, &str)] = &[
    ("kernel/kexec_load_disabled", "1"),
    ("kernel/sysrq", "0"),
    ("kernel/dmesg_restrict", "1"),
    ("kernel/kptr_restrict", "2"),
    ("kernel/unprivileged_bpf_disabled", "1"),
    ("net/core/bpf_jit_harden", "2"),
    ("kernel/perf_event_paranoid", "3"),
    ("kernel/yama/ptrace_scope", "3"),
    ("vm/unprivileged_userfaultfd", "0"),
    ("user/max_user_namespaces", "0"),
    ("fs/protected_symlinks", "1"),
    ("fs/protected_hardlinks", "1"),
    ("fs/protected_fifos", "2"),
    ("fs/protected_regular", "2"),
    ("fs/suid_dumpable", "0"),
];

/// A step of the boot that failed.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A system call failed.
    #[error("{what}: {source}")]
    Sys {
        /// What was being done.
        what: String,
        /// The error.
        source: io::Error,
    },
    /// The modules list in the image is bad.
    #[error("modules.dep in the image: {0}")]
    Modules(#[from] crate::modules::ModulesError),
    /// The kernel command line has a bad `tally.*` option.
    #[error("kernel command line: {0}")]
    Cmdline(#[from] crate::cmdline::CmdlineError),
    /// A sysctl did not take the value written.
    #[error("sysctl {name}: wrote {want}, reads back {got}")]
    Sysctl {
        /// The sysctl.
        name: String,
        /// The value written.
        want: String,
        /// The value read back.
        got: String,
    },
}

fn sys<T>(what: impl Into<String>, r: Result<T, impl Into<io::Error>>) -> Result<T, InitError> {
    r.map_err(|e| InitError::Sys {
        what: what.into(),
        source: e.into(),
    })
}

/// Prints a line on the console with the time since boot (from /proc/uptime, once mounted).
fn say(msg: &str) {
    let up = fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "-".to_string());
    // The init's stdout is /dev/console, opened by the kernel.
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "tally-init [{up}]: {msg}");
    let _ = out.flush();
}

/// The terminal `/dev/console` is: the last `console=` of the kernel's command line (`tty1`),
/// if it names one.
fn kernel_console() -> Option<String> {
    let cmdline = fs::read_to_string("/proc/cmdline").ok()?;
    cmdline
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("console="))
        .next_back()
        .map(|c| c.split(',').next().unwrap_or(c).to_owned())
}

/// A line in the kernel's log (`/dev/kmsg`, level info) instead of the console, when the
/// console is the program's screen (the appliance: `console=tty1 tally.console=tty1`), which a
/// line written there would overwrite; `loglevel=3` keeps info lines off the console. Dropped
/// if the log cannot be written (the kernel also rate-limits such lines).
fn say_to_kernel_log(msg: &str) {
    let line: String = msg.chars().take(900).collect();
    if let Ok(mut kmsg) = fs::OpenOptions::new().write(true).open("/dev/kmsg") {
        let _ = kmsg.write_all(format!("<6>tally-init: {line}\n").as_bytes());
    }
}

/// PID 1's entry point. Never returns: ends in power-off.
pub fn run() -> ! {
    match boot() {
        Ok(opts) => {
            let attached = attach_stick(&opts);
            restore_stick_settle_delay();
            match attached {
                Ok(Some((hash, version))) => supervise(&opts, &program_args(&hash, &version)),
                Ok(None) => supervise(&opts, &[]),
                Err(e) => stick_missing(&opts, &e),
            }
        }
        Err(e) => {
            say(&format!("FOUT bij het opstarten / boot failed: {e}"));
            say("Het systeem wordt uitgeschakeld. / Powering off.");
            std::thread::sleep(Duration::from_secs(5));
            power_off()
        }
    }
}

fn boot() -> Result<InitOptions, InitError> {
    mount_api_filesystems("")?;
    let cmdline = sys("read /proc/cmdline", fs::read_to_string("/proc/cmdline"))?;
    let opts = InitOptions::parse(&cmdline)?;
    load_modules()?;
    write_sysctl("kernel/modules_disabled", "1")?;
    for (name, value) in SYSCTLS {
        write_sysctl(name, value)?;
    }
    sys("reboot(CAD_OFF)", reboot(RebootCommand::CadOff))?;
    sys(
        "sethostname",
        rustix::system::sethostname(b"tally".as_slice()),
    )?;
    switch_to_read_only_root()?;
    sys(
        "mount /run",
        mount(
            "tmpfs",
            "/run",
            "tmpfs",
            MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC,
            c"mode=0755,size=16m",
        ),
    )?;
    make_terminal_dirs()?;
    say("read-only root ready");
    Ok(opts)
}

/// The terminal's runtime directory (its user's, mode 0700) and the mount service's fixed
/// mount points (root's) on `/run`.
fn make_terminal_dirs() -> Result<(), InitError> {
    use crate::sandbox::{TERMINAL_GID, TERMINAL_UID};
    sys(
        format!("mkdir {RUNTIME_DIR}"),
        fs::DirBuilder::new().mode(0o700).create(RUNTIME_DIR),
    )?;
    sys(
        format!("chown {RUNTIME_DIR}"),
        std::os::unix::fs::lchown(RUNTIME_DIR, Some(TERMINAL_UID), Some(TERMINAL_GID)),
    )?;
    sys(
        format!("mkdir {}", tally_media::mountd::MOUNT_DIR),
        tally_media::mountd::prepare_mount_dir().map_err(io::Error::other),
    )
}

/// The most entries [`give_to_terminal`] walks on the data partition (a certified stick holds
/// a handful of files; a partition with more is not one the init made).
const MAX_DATA_ENTRIES: usize = 100_000;

/// Makes everything on the data partition the terminal's (`lchown`, links not followed) and
/// private to it: directories 0700, files without group and other bits. The journal, the keys
/// and the certificates are then writable by the terminal's user only (root aside).
fn give_to_terminal(dir: &Path, budget: &mut usize) -> Result<(), InitError> {
    let meta = sys(format!("stat {}", dir.display()), fs::symlink_metadata(dir))?;
    give(dir, &meta, 0o700)?;
    let entries = sys(format!("read {}", dir.display()), fs::read_dir(dir))?;
    for entry in entries {
        let entry = sys(format!("read {}", dir.display()), entry)?;
        *budget = budget.checked_sub(1).ok_or_else(|| InitError::Sys {
            what: format!("chown {}", dir.display()),
            source: io::Error::other("more than 100000 entries on the data partition"),
        })?;
        let path = entry.path();
        let meta = sys(
            format!("stat {}", path.display()),
            fs::symlink_metadata(&path),
        )?;
        if meta.is_dir() {
            give_to_terminal(&path, budget)?;
        } else {
            give(&path, &meta, meta.permissions().mode() & 0o700)?;
        }
    }
    Ok(())
}

/// Makes `path` the terminal's user's, with `mode` for a directory or regular file (a link
/// keeps its own), where it is not so already: a start writes nothing to a data partition
/// that is right.
fn give(path: &Path, meta: &fs::Metadata, mode: u32) -> Result<(), InitError> {
    use crate::sandbox::{TERMINAL_GID, TERMINAL_UID};
    use std::os::unix::fs::MetadataExt as _;
    if meta.uid() != TERMINAL_UID || meta.gid() != TERMINAL_GID {
        sys(
            format!("chown {}", path.display()),
            std::os::unix::fs::lchown(path, Some(TERMINAL_UID), Some(TERMINAL_GID)),
        )?;
    }
    if (meta.is_dir() || meta.is_file()) && meta.permissions().mode() & 0o7777 != mode {
        sys(
            format!("chmod {}", path.display()),
            fs::set_permissions(path, fs::Permissions::from_mode(mode)),
        )?;
    }
    Ok(())
}

/// Mounts /proc, /sys and /dev under `prefix` ("" for the root).
fn mount_api_filesystems(prefix: &str) -> Result<(), InitError> {
    let hard = MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
    for (fstype, dir, flags, data) in [
        ("proc", "/proc", hard, c"hidepid=2"),
        ("sysfs", "/sys", hard, c""),
        (
            "devtmpfs",
            "/dev",
            MountFlags::NOSUID | MountFlags::NOEXEC,
            c"mode=0755",
        ),
    ] {
        let target = format!("{prefix}{dir}");
        let _ = fs::DirBuilder::new().mode(0o755).create(&target);
        sys(
            format!("mount {fstype} on {target}"),
            mount(fstype, target.as_str(), fstype, flags, data),
        )?;
    }
    Ok(())
}

/// How many threads load modules at once. The kernel loads different modules concurrently
/// (checking a module's signature, relocating it and running its init); one that waits for
/// its hardware (a USB controller's reset) then does not hold up the others.
const MODULE_LOADERS: usize = 4;

/// Loads the modules of the image's `modules.dep` this machine needs ([`ModulesDep::boot_plan`]:
/// no driver for a USB host controller it does not have) with [`MODULE_LOADERS`] threads, each
/// module after its dependencies, the USB drivers first so that the boot stick is being found
/// while the rest load.
fn load_modules() -> Result<(), InitError> {
    let uname = rustix::system::uname();
    let release = uname.release().to_string_lossy().into_owned();
    let dir = PathBuf::from(format!("/lib/modules/{release}"));
    let dep_path = dir.join("modules.dep");
    let text = sys(
        format!("read {}", dep_path.display()),
        fs::read_to_string(&dep_path),
    )?;
    let dep = ModulesDep::parse(&text)?;
    let skip = match pci_classes() {
        Some(classes) => crate::modules::absent_host_controllers(&classes),
        // Without the PCI devices in sysfs, every host controller driver is loaded.
        None => Vec::new(),
    };
    let plan = dep.boot_plan(&skip)?;
    let total = plan.len();
    let plan = std::sync::Mutex::new(plan);
    let ready = std::sync::Condvar::new();
    let loaded = std::sync::atomic::AtomicUsize::new(0);
    let failed: std::sync::Mutex<Option<InitError>> = std::sync::Mutex::new(None);
    let loader = || load_from_plan(&dir, &plan, &ready, &loaded, &failed);
    std::thread::scope(|scope| {
        for _ in 1..MODULE_LOADERS {
            // A thread that cannot be made is no error: this thread loads too.
            let _ = std::thread::Builder::new().spawn_scoped(scope, loader);
        }
        loader();
    });
    if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    say(&format!(
        "{} of {total} modules loaded (skipped as their hardware is absent: {})",
        loaded.into_inner(),
        if skip.is_empty() {
            "none".to_string()
        } else {
            skip.join(" ")
        }
    ));
    Ok(())
}

/// One loader: takes the next ready module from the plan, loads it, marks it finished, until
/// every module has been handed out. An unreadable module file stops the boot (the image is
/// damaged); a module the kernel refuses is logged (a driver whose hardware is absent, such as
/// `crc32c_intel` on a CPU without SSE4.2, may refuse; a module depending on one that failed
/// then fails with the kernel's reason).
fn load_from_plan(
    dir: &Path,
    plan: &std::sync::Mutex<crate::modules::LoadPlan>,
    ready: &std::sync::Condvar,
    loaded: &std::sync::atomic::AtomicUsize,
    failed: &std::sync::Mutex<Option<InitError>>,
) {
    loop {
        let mut guard = plan.lock().unwrap_or_else(|p| p.into_inner());
        let (index, rel) = loop {
            if let Some(next) = guard.take_ready() {
                break next;
            }
            if guard.all_handed_out() {
                return;
            }
            guard = ready.wait(guard).unwrap_or_else(|p| p.into_inner());
        };
        drop(guard);
        let path = dir.join(&rel);
        match fs::File::open(&path) {
            Ok(file) => {
                let params = crate::modules::boot_parameters(&rel);
                match rustix::system::finit_module(&file, params, 0) {
                    Ok(()) => {
                        loaded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Err(rustix::io::Errno::EXIST) => {}
                    Err(e) => say(&format!("module {rel}: {e}")),
                }
            }
            Err(e) => {
                let mut f = failed.lock().unwrap_or_else(|p| p.into_inner());
                f.get_or_insert(InitError::Sys {
                    what: format!("open {}", path.display()),
                    source: e,
                });
            }
        }
        plan.lock().unwrap_or_else(|p| p.into_inner()).finish(index);
        ready.notify_all();
    }
}

/// The PCI class codes of the machine's devices (`/sys/bus/pci/devices/*/class`, such as
/// `0x0c0330` for an xHCI controller); `None` when they cannot be read.
fn pci_classes() -> Option<Vec<u32>> {
    let mut classes = Vec::new();
    for entry in fs::read_dir("/sys/bus/pci/devices").ok()? {
        let text = fs::read_to_string(entry.ok()?.path().join("class")).ok()?;
        let hex = text.trim().trim_start_matches("0x");
        classes.push(u32::from_str_radix(hex, 16).ok()?);
    }
    Some(classes)
}

/// Gives sticks plugged in from now on the kernel's usual settle delay again (the boot stick
/// was scanned without it, see [`crate::modules::BOOT_PARAMETERS`]). Logged if it fails: a
/// stick is then scanned at once, as the boot stick was.
fn restore_stick_settle_delay() {
    let path = "/sys/module/usb_storage/parameters/delay_use";
    if let Err(e) = fs::write(path, crate::modules::USB_STORAGE_DELAY_USE) {
        say(&format!("write {path}: {e}"));
    }
}

fn write_sysctl(name: &str, value: &str) -> Result<(), InitError> {
    let path = format!("/proc/sys/{name}");
    sys(format!("write {path}"), fs::write(&path, value))?;
    let got = sys(format!("read {path}"), fs::read_to_string(&path))?;
    if got.trim() != value {
        return Err(InitError::Sysctl {
            name: name.replace('/', "."),
            want: value.to_string(),
            got: got.trim().to_string(),
        });
    }
    Ok(())
}

/// Copies the initramfs into a tmpfs, remounts that read-only and makes it the root
/// (the `switch_root` dance: move the mount onto `/` and `chroot` into it). The old rootfs's
/// files are deleted first, so nothing writable is left behind the new root.
fn switch_to_read_only_root() -> Result<(), InitError> {
    let _ = fs::DirBuilder::new().mode(0o755).create(NEW_ROOT);
    sys(
        "mount tmpfs on /sysroot",
        mount(
            "tmpfs",
            NEW_ROOT,
            "tmpfs",
            MountFlags::NOSUID | MountFlags::NODEV,
            c"mode=0755",
        ),
    )?;
    // The modules are loaded and module loading is off: their files stay behind (6 MB less to
    // copy and to keep in memory).
    let skip: &[&str] = &["/proc", "/sys", "/dev", "/run", "/lib/modules", NEW_ROOT];
    copy_tree(Path::new("/"), Path::new(NEW_ROOT), skip)?;
    for d in ["proc", "sys", "dev", "run"] {
        let p = Path::new(NEW_ROOT).join(d);
        sys(
            format!("mkdir {}", p.display()),
            fs::DirBuilder::new().mode(0o755).create(&p),
        )?;
    }
    for d in ["/proc", "/sys", "/dev"] {
        let target = format!("{NEW_ROOT}{d}");
        sys(
            format!("move {d} to {target}"),
            mount_move(d, target.as_str()),
        )?;
    }
    sys(
        "remount /sysroot read-only",
        mount_remount(
            NEW_ROOT,
            MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::NODEV,
            "",
        ),
    )?;
    // Empty the old rootfs (it stays mounted underneath, but holds nothing any more).
    let entries = sys("read /", fs::read_dir("/"))?;
    for entry in entries.flatten() {
        let p = entry.path();
        if p == Path::new(NEW_ROOT) {
            continue;
        }
        let r = match entry.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&p),
            _ => fs::remove_file(&p),
        };
        if let Err(e) = r {
            say(&format!(
                "could not remove {} from the old root: {e}",
                p.display()
            ));
        }
    }
    sys("chdir /sysroot", chdir(NEW_ROOT))?;
    sys("move /sysroot to /", mount_move(".", "/"))?;
    sys("chroot", chroot("."))?;
    sys("chdir /", chdir("/"))?;
    Ok(())
}

/// Copies directories, files (with permissions) and symlinks from `src` to `dst`, not entering
/// the paths in `skip`.
fn copy_tree(src: &Path, dst: &Path, skip: &[&str]) -> Result<(), InitError> {
    let entries = sys(format!("read {}", src.display()), fs::read_dir(src))?;
    for entry in entries {
        let entry = sys(format!("read {}", src.display()), entry)?;
        let from = entry.path();
        if skip.iter().any(|s| Path::new(s) == from) {
            continue;
        }
        let to = dst.join(entry.file_name());
        let meta = sys(
            format!("stat {}", from.display()),
            fs::symlink_metadata(&from),
        )?;
        let ft = meta.file_type();
        if ft.is_dir() {
            sys(
                format!("mkdir {}", to.display()),
                fs::DirBuilder::new()
                    .mode(meta.permissions().mode() & 0o7777)
                    .create(&to),
            )?;
            copy_tree(&from, &to, skip)?;
        } else if ft.is_symlink() {
            let target = sys(format!("readlink {}", from.display()), fs::read_link(&from))?;
            sys(
                format!("symlink {}", to.display()),
                std::os::unix::fs::symlink(&target, &to),
            )?;
        } else if ft.is_file() {
            sys(
                format!("copy {}", from.display()),
                fs::copy(&from, &to).map(|_| ()),
            )?;
            sys(
                format!("chmod {}", to.display()),
                fs::set_permissions(&to, meta.permissions()),
            )?;
        }
        // Device nodes and the like are not copied: devtmpfs provides them.
    }
    Ok(())
}

/// Where the program keeps its private mount points (contract 1's `--runtime-dir`).
pub const RUNTIME_DIR: &str = "/run/tally";

/// Where the ESP is mounted (read-only) while the UKI is hashed.
const ESP_MOUNT: &str = "/run/esp";

/// The image's own `os-release` (version and source commit, [`crate::identity::ImageRelease`]).
const OS_RELEASE: &str = "/etc/os-release";

/// How long the init waits for the boot stick to show up (USB enumeration is asynchronous).
const STICK_WAIT: Duration = Duration::from_secs(90);

/// How long the message about a missing data partition stays before power-off (or Enter).
const MISSING_WAIT: Duration = Duration::from_secs(60);

/// The program's command line (contract 1): real USB sticks, the data partition, the root key
/// built into the image, and the system's identity: the SHA-256 of the image booted, and the
/// version and source commit built into it.
pub fn program_args(system_hash: &str, system_version: &str) -> Vec<String> {
    [
        "--usb",
        "--data-dir",
        crate::build::DATA_DIR,
        "--root",
        crate::build::ROOT_KEY_PATH,
        "--runtime-dir",
        RUNTIME_DIR,
        "--system-hash",
        system_hash,
        "--system-version",
        system_version,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Why the stick's data partition is not available.
#[derive(Debug, thiserror::Error)]
pub enum StickError {
    /// No disk with the boot partition (or with a `TALLY-DATA` partition) appeared in time.
    #[error(
        "de opstartstick is niet gevonden / the boot stick was not found{}",
        .0.as_deref().map(|u| format!(" (partition {u})")).unwrap_or_default()
    )]
    NotFound(Option<String>),
    /// Several disks have a `TALLY-DATA` partition and the firmware did not say which it
    /// booted from.
    #[error(
        "meer dan een stick met een gegevenspartitie / more than one stick with a TALLY-DATA partition"
    )]
    Ambiguous,
    /// The boot disk has no partition of this name.
    #[error(
        "de opstartstick ({disk}) heeft geen partitie {name} / the boot stick has no {name} partition"
    )]
    NoPartition {
        /// The disk.
        disk: String,
        /// The partition's GPT name.
        name: &'static str,
    },
    /// Mounting, reading or hashing failed.
    #[error(transparent)]
    Init(#[from] InitError),
    /// Which image booted cannot be determined.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
}

/// Reads the stub's variables ([`crate::identity::LoaderVariables`]) from the firmware
/// (efivarfs mounted read-only for the moment). A value is read up to one byte more than
/// [`crate::identity::MAX_VARIABLE_BYTES`], so that a longer one is refused as too long.
fn loader_variables() -> crate::identity::LoaderVariables {
    use crate::identity::{
        LOADER_IMAGE_IDENTIFIER, LOADER_INFO, LoaderVariables, MAX_VARIABLE_BYTES, STUB_INFO,
    };
    let dir = "/sys/firmware/efi/efivars";
    if !Path::new(dir).is_dir() {
        return LoaderVariables::default();
    }
    let flags = MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
    if let Err(e) = mount("efivarfs", dir, "efivarfs", flags, c"") {
        say(&format!("efivarfs: {e}"));
        return LoaderVariables::default();
    }
    let read = |name: &str| {
        let mut bytes = Vec::new();
        fs::File::open(Path::new(dir).join(name))
            .and_then(|f| {
                io::Read::read_to_end(
                    &mut io::Read::take(f, MAX_VARIABLE_BYTES as u64 + 1),
                    &mut bytes,
                )
            })
            .ok()
            .map(|_| bytes)
    };
    let vars = LoaderVariables {
        device_part_uuid: read(crate::bootdisk::LOADER_DEVICE_PART_UUID),
        image_identifier: read(LOADER_IMAGE_IDENTIFIER),
        stub_info: read(STUB_INFO),
        loader_info: read(LOADER_INFO),
    };
    let _ = rustix::mount::unmount(dir, rustix::mount::UnmountFlags::empty());
    vars
}

/// Finds the boot stick (contract 3), hashes the image the firmware booted (the partition and
/// path the stub names), mounts its data partition at `/data` and makes the program's runtime
/// directory. Returns the image's SHA-256 in hex and the version and source commit built into
/// it; `None` when the stick is optional (`tally.stick=optional`, test harness images) and not
/// there.
fn attach_stick(opts: &InitOptions) -> Result<Option<(String, String)>, StickError> {
    use crate::bootdisk::{Choice, DATA_PARTITION, ESP_PARTITION, choose, disks};
    let vars = loader_variables();
    let loader = vars
        .device_part_uuid
        .as_deref()
        .and_then(|raw| crate::identity::partition_guid(raw).ok());
    let booted = crate::identity::booted_image(&vars);
    say(&format!(
        "boot partition (LoaderDevicePartUUID): {}",
        loader.as_deref().unwrap_or("not given")
    ));
    let started = Instant::now();
    let mut told = false;
    let disk = loop {
        let found = disks();
        match choose(&found, loader.as_deref()) {
            Choice::Disk(i) => {
                if let Some(d) = found.into_iter().nth(i) {
                    break d;
                }
            }
            Choice::Ambiguous => return Err(StickError::Ambiguous),
            Choice::NotYet if opts.stick_optional => {
                say("no boot stick; starting the program without it (tally.stick=optional)");
                return Ok(None);
            }
            Choice::NotYet => {}
        }
        if started.elapsed() > STICK_WAIT {
            return Err(StickError::NotFound(loader));
        }
        if !told && started.elapsed() > Duration::from_secs(3) {
            say("waiting for the boot stick");
            told = true;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    say(&format!("boot stick: {}", disk.name));
    // The identity: the image the stub names, on the partition it names (not a fixed path).
    let booted = booted?;
    let release = fs::read_to_string(OS_RELEASE)
        .map_err(|_| crate::identity::IdentityError::Release("no /etc/os-release"))
        .and_then(|t| crate::identity::ImageRelease::parse(&t))?;
    say(&format!(
        "booted image: {} on partition {} ({}); version {}",
        booted.path,
        booted.partition,
        booted.stub,
        release.text()
    ));
    let esp = disk
        .partitions
        .iter()
        .find(|p| p.unique_guid.eq_ignore_ascii_case(&booted.partition))
        .ok_or_else(|| {
            crate::identity::IdentityError::PartitionNotFound(booted.partition.clone())
        })?;
    let data = disk
        .partition(DATA_PARTITION)
        .ok_or(StickError::NoPartition {
            disk: disk.name.clone(),
            name: DATA_PARTITION,
        })?;
    let device = |number: u32, name: &'static str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(p) = disk.partition_device(number).filter(|p| p.exists()) {
                return Ok(p);
            }
            if Instant::now() > deadline {
                return Err(StickError::NoPartition {
                    disk: disk.name.clone(),
                    name,
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let esp_dev = device(esp.number, ESP_PARTITION)?;
    let data_dev = device(data.number, DATA_PARTITION)?;
    let started = Instant::now();
    let (hash, size) = hash_booted(&esp_dev, &booted)?;
    say(&format!(
        "system hash (SHA-256 of {}, {size} bytes, {} ms): {hash}",
        booted.path,
        started.elapsed().as_millis()
    ));
    sys(
        format!("mount {} on /data", data_dev.display()),
        mount(
            data_dev.as_path(),
            crate::build::DATA_DIR,
            "ext4",
            MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC,
            c"",
        ),
    )?;
    give_to_terminal(
        Path::new(crate::build::DATA_DIR),
        &mut MAX_DATA_ENTRIES.clone(),
    )?;
    Ok(Some((hash, release.text())))
}

/// Mounts the boot partition read-only, hashes the image the firmware booted, unmounts it.
/// Returns the SHA-256 in hex and the size.
fn hash_booted(
    esp_dev: &Path,
    booted: &crate::identity::BootedImage,
) -> Result<(String, u64), StickError> {
    sys(
        format!("mkdir {ESP_MOUNT}"),
        fs::DirBuilder::new().mode(0o700).create(ESP_MOUNT),
    )?;
    let flags = MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
    sys(
        format!(
            "mount {} (vfat, read-only) on {ESP_MOUNT}",
            esp_dev.display()
        ),
        mount(esp_dev, ESP_MOUNT, "vfat", flags, c""),
    )?;
    let hashed = crate::identity::hash_file(&booted.under(Path::new(ESP_MOUNT)));
    let unmounted = rustix::mount::unmount(ESP_MOUNT, rustix::mount::UnmountFlags::empty());
    let hashed = hashed.map_err(|e| crate::identity::IdentityError::FileMissing {
        path: booted.path.clone(),
        why: e.to_string(),
    })?;
    sys(format!("unmount {ESP_MOUNT}"), unmounted)?;
    let _ = fs::remove_dir(ESP_MOUNT);
    Ok(hashed)
}

/// The data partition is missing: says so on the program's terminal (and the console), does not
/// start the program, and powers off after Enter or [`MISSING_WAIT`].
fn stick_missing(opts: &InitOptions, e: &StickError) -> ! {
    say(&format!("FOUT / ERROR: {e}"));
    let hint = match e {
        StickError::Identity(_) => {
            "Start opnieuw van de gecertificeerde stick, zonder opstartmenu of ander bestand.\r\n           Start again from the certified stick, without a boot menu or another file."
        }
        _ => {
            "Steek de gecertificeerde stick van het stembureau in en start opnieuw.\r\n           Insert the certified stick and start again."
        }
    };
    let text = format!(
        "\x1b[2J\x1b[H\r\n  TALLY: het programma kan niet starten.\r\n  {e}\r\n\r\n           {hint}\r\n\r\n           Druk op Enter om uit te schakelen (of wacht {} s). / Press Enter to power off.\r\n",
        MISSING_WAIT.as_secs()
    );
    let path = format!("/dev/{}", opts.console);
    match fs::OpenOptions::new().read(true).write(true).open(&path) {
        Ok(mut tty) => {
            let _ = tty.write_all(text.as_bytes());
            let _ = tty.flush();
            let (tx, rx) = std::sync::mpsc::channel();
            // `Builder::spawn`, not `thread::spawn`: a thread that cannot be made must not
            // panic PID 1; it then just waits.
            let reader = std::thread::Builder::new().spawn(move || {
                let mut b = [0u8; 1];
                loop {
                    match io::Read::read(&mut tty, &mut b) {
                        Ok(1) if b[0] == b'\r' || b[0] == b'\n' => break,
                        Ok(1) => {}
                        _ => break,
                    }
                }
                let _ = tx.send(());
            });
            if reader.is_ok() {
                let _ = rx.recv_timeout(MISSING_WAIT);
            } else {
                std::thread::sleep(MISSING_WAIT);
            }
        }
        Err(err) => {
            say(&format!("open {path}: {err}"));
            std::thread::sleep(MISSING_WAIT);
        }
    }
    say("Het systeem wordt uitgeschakeld. / Powering off.");
    power_off()
}

/// Runs the program, restarts it after a crash (with a growing pause if it keeps crashing),
/// reaps orphans, and powers off when the program exits with [`EXIT_POWER_OFF`].
fn supervise(opts: &InitOptions, args: &[String]) -> ! {
    say(&format!("starting {PROGRAM} on {}", opts.console));
    let mut failures: u32 = 0;
    loop {
        let started = Instant::now();
        // A fresh channel of the mount service for each start: the program's end becomes the
        // launcher's stdin (see `launch`), ours is served by a thread until the program ends.
        let stdin = match start_mount_service(&opts.console) {
            Ok(theirs) => Stdio::from(theirs),
            Err(e) => {
                say(&format!(
                    "mount service: {e}; the program runs without sticks"
                ));
                Stdio::null()
            }
        };
        let child = Command::new("/init")
            .arg(LAUNCH_ARG)
            .arg(&opts.console)
            .args(args)
            .env_clear()
            .stdin(stdin)
            .spawn();
        let pid = match child {
            Ok(c) => c.id(),
            Err(e) => {
                say(&format!("cannot start {PROGRAM}: {e}"));
                std::thread::sleep(Duration::from_secs(5));
                continue;
            }
        };
        match wait_for(pid) {
            Ended::Exit(code) if code == EXIT_POWER_OFF => {
                say("program asked for power off");
                power_off();
            }
            ended => {
                say(&format!("{PROGRAM} stopped ({ended}); restarting"));
                if started.elapsed() > Duration::from_secs(60) {
                    failures = 0;
                }
                failures = failures.saturating_add(1);
                let pause = 1u64 << failures.min(5);
                std::thread::sleep(Duration::from_secs(pause.min(30)));
            }
        }
    }
}

/// Makes the mount service's socket pair, serves our end in a thread (until the program's end is
/// closed) and returns the program's end.
fn start_mount_service(program_console: &str) -> Result<std::os::fd::OwnedFd, InitError> {
    use crate::sandbox::{TERMINAL_GID, TERMINAL_UID};
    // The service's lines go to the console, unless that is the program's screen.
    let log: fn(&str) = if kernel_console().as_deref() == Some(program_console) {
        say_to_kernel_log
    } else {
        say
    };
    let (ours, theirs) = sys(
        "socketpair",
        tally_media::mountd::channel().map_err(io::Error::other),
    )?;
    let mut server = tally_media::mountd::Server::new(TERMINAL_UID, TERMINAL_GID, Box::new(log));
    sys(
        "start the mount service",
        std::thread::Builder::new()
            .name("mountd".into())
            .spawn(move || server.serve(ours)),
    )?;
    Ok(theirs)
}

/// How the program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// It exited with this status.
    Exit(i32),
    /// A signal killed it.
    Signal(i32),
    /// Waiting failed.
    Unknown,
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ended::Exit(c) => write!(f, "exit status {c}"),
            Ended::Signal(s) => write!(f, "killed by signal {s}"),
            Ended::Unknown => write!(f, "unknown"),
        }
    }
}

/// Waits until `pid` ends, reaping any other (orphaned) process on the way.
fn wait_for(pid: u32) -> Ended {
    loop {
        match rustix::process::wait(WaitOptions::empty()) {
            Ok(Some((p, status))) if i64::from(p.as_raw_nonzero().get()) == i64::from(pid) => {
                if let Some(code) = status.exit_status() {
                    return Ended::Exit(code);
                }
                return status
                    .terminating_signal()
                    .map_or(Ended::Unknown, Ended::Signal);
            }
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                say(&format!("wait: {e}"));
                return Ended::Unknown;
            }
        }
    }
}

/// Syncs, unmounts the data partition and powers the machine off. Never returns.
pub fn power_off() -> ! {
    rustix::fs::sync();
    let _ = rustix::mount::unmount(crate::build::DATA_DIR, rustix::mount::UnmountFlags::empty());
    if let Err(e) = reboot(RebootCommand::PowerOff) {
        say(&format!("power off failed: {e}"));
    }
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// The mount service's socket, if stdin is one: duplicated to a descriptor of 3 or more
/// without close-on-exec, so the program inherits it under that number.
fn mount_channel() -> Result<Option<std::os::fd::OwnedFd>, InitError> {
    use std::os::fd::AsFd as _;
    let stdin = io::stdin();
    let is_socket = rustix::fs::fstat(stdin.as_fd()).is_ok_and(|st| {
        rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Socket
    });
    if !is_socket {
        return Ok(None);
    }
    let fd = sys(
        "dup the mount service's socket",
        rustix::io::fcntl_dupfd_cloexec(stdin.as_fd(), 3),
    )?;
    sys(
        "keep the mount service's socket across exec",
        rustix::io::fcntl_setfd(&fd, rustix::io::FdFlags::empty()),
    )?;
    Ok(Some(fd))
}

/// The launcher (the init started again with [`LAUNCH_ARG`], the console's name and the
/// program's arguments): becomes a session leader, takes the terminal as its controlling
/// terminal, sets a window size on a serial port (it has none of its own), and `exec`s the
/// program on it with `args`. Returns only on error.
pub fn launch(console: &str, args: &[String]) -> InitError {
    let opts = match InitOptions::parse(&format!("tally.console={console}")) {
        Ok(o) => o,
        Err(e) => return e.into(),
    };
    // The mount service's socket came as stdin: move it to a descriptor of 3 or more that the
    // program inherits (stdin becomes the terminal below) and name it in its environment.
    let channel = match mount_channel() {
        Ok(c) => c,
        Err(e) => return e,
    };
    if let Err(e) = sys("setsid", rustix::process::setsid()) {
        return e;
    }
    let path = format!("/dev/{console}");
    let tty = match sys(
        format!("open {path}"),
        fs::OpenOptions::new().read(true).write(true).open(&path),
    ) {
        Ok(t) => t,
        Err(e) => return e,
    };
    if let Err(e) = sys(
        format!("TIOCSCTTY {path}"),
        rustix::process::ioctl_tiocsctty(&tty),
    ) {
        return e;
    }
    let term = if opts.console_is_serial() {
        let size = rustix::termios::Winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        if let Err(e) = sys(
            format!("TIOCSWINSZ {path}"),
            rustix::termios::tcsetwinsize(&tty, size),
        ) {
            return e;
        }
        "vt220"
    } else {
        "linux"
    };
    let (Ok(i), Ok(o), Ok(e)) = (tty.try_clone(), tty.try_clone(), tty.try_clone()) else {
        return InitError::Sys {
            what: format!("dup {path}"),
            source: io::Error::other("dup failed"),
        };
    };
    let mut cmd = Command::new(PROGRAM);
    cmd.args(args)
        .env_clear()
        .env("TERM", term)
        .env("HOME", RUNTIME_DIR)
        .env("PATH", "/bin")
        .env("LANG", "C.UTF-8")
        .current_dir("/")
        .stdin(i)
        .stdout(o)
        .stderr(e);
    if let Some(fd) = &channel {
        use std::os::fd::AsRawFd as _;
        cmd.env(tally_media::mountd::FD_ENV, fd.as_raw_fd().to_string());
    }
    // Last: no capability, the terminal's uid and gid, no_new_privs, the seccomp filter.
    if let Err(e) =
        crate::sandbox::confine(crate::sandbox::TERMINAL_UID, crate::sandbox::TERMINAL_GID)
    {
        return e;
    }
    let err = cmd.exec();
    InitError::Sys {
        what: format!("exec {PROGRAM}"),
        source: err,
    }
}
