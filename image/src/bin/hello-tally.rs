//! `hello-tally`: a **test stand-in** for the tally program, used in the image's boot tests
//! and benchmark until the real `tally` program is built into the image. Not for real use.
//!
//! Started by the init as `/bin/tally` on its terminal, it clears the screen, prints the banner
//! [`BANNER`] with how many times it has been started since boot, and then reads commands, one
//! per line:
//! - `checks`: reports the image's protections and what the init gave it (its arguments, the
//!   data partition's mount) as `CHECK <name>=<value>` lines, then `CHECKS-DONE`;
//! - `sticks`: waits for two USB disks without a partition table, mounts each read-only (vfat, else ext4) under `/run`,
//!   prints `STICK <dev> fs=<type> hello=<contents of HELLO.TXT>` lines, then `STICKS-DONE`;
//! - `crash`: aborts (killed by SIGABRT, like a crash; the init must start it again);
//! - `poweroff`: ends with exit status 0 (the init must power the machine off).

use std::io::{BufRead as _, Write as _};

/// The banner the tests wait for.
const BANNER: &str = "HELLO-TALLY test stand-in ready";

/// Shells and tools that must not be in the image.
const SHELLS: &[&str] = &[
    "/bin/sh",
    "/bin/bash",
    "/bin/dash",
    "/bin/ash",
    "/bin/busybox",
    "/usr/bin/sh",
    "/usr/bin/bash",
    "/sbin/getty",
    "/sbin/agetty",
    "/bin/login",
];

fn main() {
    let starts = bump_start_count();
    let mut out = std::io::stdout().lock();
    // The Linux console ignores the alternate screen: clear the screen instead.
    let _ = write!(out, "\x1b[2J\x1b[H");
    let uptime = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_default();
    let _ = writeln!(out, "{BANNER} (start {starts}) uptime={uptime}\r");
    let _ = out.flush();
    drop(out);
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        match line.trim() {
            "checks" => report(),
            "crash" => std::process::abort(),
            "sticks" => sticks(),
            "poweroff" => std::process::exit(0),
            "" => {}
            other => println!("unknown command {other:?}\r"),
        }
    }
    // End of input: treat like a crash (the init restarts us).
    std::process::exit(3);
}

/// Counts starts in /run (a tmpfs), so a test can see that the init restarted the program.
fn bump_start_count() -> u32 {
    let path = "/run/hello-tally.starts";
    let n = std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(0)
        .saturating_add(1);
    let _ = std::fs::write(path, n.to_string());
    n
}

fn check(name: &str, value: impl std::fmt::Display) {
    println!("CHECK {name}={value}\r");
}

fn errno_name(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(1) => "EPERM".into(),
        Some(13) => "EACCES".into(),
        Some(17) => "EEXIST".into(),
        Some(30) => "EROFS".into(),
        Some(n) => format!("errno{n}"),
        None => e.to_string().replace(' ', "_"),
    }
}

fn report() {
    // The root file system refuses writes.
    let root = match std::fs::write("/probe", b"x") {
        Ok(()) => "WRITABLE".to_string(),
        Err(e) => errno_name(&e),
    };
    check("root_write", root);
    let run = match std::fs::write("/run/probe", b"x") {
        Ok(()) => "ok".to_string(),
        Err(e) => errno_name(&e),
    };
    check("run_write", run);

    // Network interfaces.
    let mut nets: Vec<String> = std::fs::read_dir("/sys/class/net")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    nets.sort();
    check("net", nets.join(","));

    // Loading a module is refused (modules_disabled), even one that is in the image.
    let module = find_module(std::path::Path::new("/lib/modules"));
    let load = match &module {
        None => "no-module-file".to_string(),
        Some(p) => match std::fs::File::open(p) {
            Err(e) => format!("open-{}", errno_name(&e)),
            Ok(f) => match rustix::system::finit_module(&f, c"", 0) {
                Ok(()) => "LOADED".to_string(),
                Err(e) => errno_name(&std::io::Error::from(e)),
            },
        },
    };
    check("module_load", load);
    let loaded = std::fs::read_to_string("/proc/modules")
        .map(|s| s.lines().count())
        .unwrap_or(0);
    check("modules_loaded", loaded);

    // No shell, getty or login.
    let present: Vec<&str> = SHELLS
        .iter()
        .copied()
        .filter(|p| std::path::Path::new(p).exists())
        .collect();
    check(
        "shell",
        if present.is_empty() {
            "absent".to_string()
        } else {
            present.join(",")
        },
    );

    for name in [
        "kernel/modules_disabled",
        "kernel/kexec_load_disabled",
        "kernel/sysrq",
        "kernel/dmesg_restrict",
        "kernel/kptr_restrict",
        "kernel/unprivileged_bpf_disabled",
    ] {
        let v = std::fs::read_to_string(format!("/proc/sys/{name}"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|e| errno_name(&e));
        check(&name.replace('/', "."), v);
    }

    // The terminal: controlling terminal and window size.
    let ctty = match std::fs::File::open("/dev/tty") {
        Ok(_) => "ok".to_string(),
        Err(e) => errno_name(&e),
    };
    check("ctty", ctty);
    let size = rustix::termios::tcgetwinsize(std::io::stdin())
        .map(|w| format!("{}x{}", w.ws_col, w.ws_row))
        .unwrap_or_else(|e| errno_name(&std::io::Error::from(e)));
    check("winsize", size);
    let root_key = match std::fs::read("/etc/tally/root.pub") {
        Ok(b) => match tally_signing::PublicKey::from_file_bytes(&b) {
            Ok(k) => k.fingerprint().to_hex(),
            Err(e) => format!("invalid: {e}"),
        },
        Err(e) => errno_name(&e),
    };
    check("root_key", root_key);
    // What the init gave: the command line of contract 1 and the data partition.
    let args: Vec<String> = std::env::args().skip(1).collect();
    check("args", args.join(" "));
    let data = std::fs::read_to_string("/proc/mounts")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.split_whitespace().nth(1) == Some("/data"))
                .map(|l| {
                    l.split_whitespace()
                        .skip(2)
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(" ")
                })
        })
        .unwrap_or_else(|| "absent".into());
    check("data_mount", data);
    let data_write = match std::fs::write("/data/probe", b"x") {
        Ok(()) => "ok".to_string(),
        Err(e) => errno_name(&e),
    };
    check("data_write", data_write);
    let cert = if std::path::Path::new("/data/body.cert").is_file() {
        "present"
    } else {
        "absent"
    };
    check("data_body_cert", cert);
    println!("CHECKS-DONE\r");
}

/// The whole-disk SCSI devices (`sda`, `sdb`, ...) without a partition table (the test
/// sticks; not the partitioned boot stick), sorted.
fn disks() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir("/sys/block")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("sd"))
                .filter(|n| !std::path::Path::new(&format!("/sys/block/{n}/{n}1")).exists())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn sticks() {
    use rustix::mount::{MountFlags, mount};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while disks().len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for dev in disks() {
        let dir = format!("/run/mnt/{dev}");
        let _ = std::fs::create_dir_all(&dir);
        let source = format!("/dev/{dev}");
        let flags =
            MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
        let mut result = String::new();
        for fs in ["vfat", "ext4"] {
            match mount(source.as_str(), dir.as_str(), fs, flags, c"") {
                Ok(()) => {
                    let hello = std::fs::read_to_string(format!("{dir}/HELLO.TXT"))
                        .unwrap_or_else(|e| errno_name(&e));
                    result = format!("fs={fs} hello={hello}");
                    let _ =
                        rustix::mount::unmount(dir.as_str(), rustix::mount::UnmountFlags::empty());
                    break;
                }
                Err(e) => {
                    result.push_str(&format!("{fs}:{} ", errno_name(&std::io::Error::from(e))))
                }
            }
        }
        println!("STICK {dev} {}\r", result.trim());
    }
    println!("STICKS-DONE\r");
}

fn find_module(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let mut entries: Vec<_> = std::fs::read_dir(dir).ok()?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            if let Some(found) = find_module(&p) {
                return Some(found);
            }
        } else if p.extension().is_some_and(|x| x == "ko") {
            return Some(p);
        }
    }
    None
}
