//! The appliance's init (PID 1): from the kernel's hand-over to the tally program.
//!
//! In order: mount `/proc`, `/sys`, `/dev`; load the appliance's kernel modules from the
//! initramfs in dependency order; switch module loading off for good and set the hardening
//! sysctls; turn Ctrl-Alt-Del off; copy the root into a fresh tmpfs, make it read-only and make it
//! the root (the initramfs's rootfs itself cannot be remounted read-only or pivoted away from);
//! mount `/run`; then run `/bin/tally` on its terminal, restart it when it crashes and power off
//! when it exits with [`EXIT_POWER_OFF`].
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

/// PID 1's entry point. Never returns: ends in power-off.
pub fn run() -> ! {
    match boot() {
        Ok(opts) => supervise(&opts),
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
    say(&format!(
        "read-only root ready; starting {PROGRAM} on {}",
        opts.console
    ));
    Ok(opts)
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

/// Loads every module listed in the image's `modules.dep`, dependencies first.
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
    let mut loaded = 0usize;
    for rel in dep.load_order()? {
        let path = dir.join(&rel);
        let file = sys(format!("open {}", path.display()), fs::File::open(&path))?;
        match rustix::system::finit_module(&file, c"", 0) {
            Ok(()) => loaded = loaded.saturating_add(1),
            Err(rustix::io::Errno::EXIST) => {}
            // A driver whose hardware is absent may refuse to load; that is not fatal.
            Err(e) => say(&format!("module {rel}: {e}")),
        }
    }
    say(&format!("{loaded} modules loaded"));
    Ok(())
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
    let skip: &[&str] = &["/proc", "/sys", "/dev", "/run", NEW_ROOT];
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

/// Runs the program, restarts it after a crash (with a growing pause if it keeps crashing),
/// reaps orphans, and powers off when the program exits with [`EXIT_POWER_OFF`].
fn supervise(opts: &InitOptions) -> ! {
    let mut failures: u32 = 0;
    loop {
        let started = Instant::now();
        let child = Command::new("/init")
            .arg(LAUNCH_ARG)
            .arg(&opts.console)
            .env_clear()
            .stdin(Stdio::null())
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

/// Syncs and powers the machine off. Never returns.
pub fn power_off() -> ! {
    rustix::fs::sync();
    if let Err(e) = reboot(RebootCommand::PowerOff) {
        say(&format!("power off failed: {e}"));
    }
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// The launcher (the init started again with [`LAUNCH_ARG`] and the console's name): becomes
/// a session leader, takes the terminal as its controlling terminal, sets a window size on a
/// serial port (it has none of its own), and `exec`s the program on it. Returns only on error.
pub fn launch(console: &str) -> InitError {
    let opts = match InitOptions::parse(&format!("tally.console={console}")) {
        Ok(o) => o,
        Err(e) => return e.into(),
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
    let err = Command::new(PROGRAM)
        .env_clear()
        .env("TERM", term)
        .env("HOME", "/run")
        .env("PATH", "/bin")
        .env("LANG", "C.UTF-8")
        .current_dir("/")
        .stdin(i)
        .stdout(o)
        .stderr(e)
        .exec();
    InitError::Sys {
        what: format!("exec {PROGRAM}"),
        source: err,
    }
}
