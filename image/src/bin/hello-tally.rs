//! `hello-tally`: a **test stand-in** for the tally program, used in the image's boot tests
//! and benchmark until the real `tally` program is built into the image. Not for real use.
//!
//! Started by the init as `/bin/tally` on its terminal, it clears the screen, prints the banner
//! [`BANNER`] with how many times it has been started since boot, and then reads commands, one
//! per line:
//! - `checks`: reports the image's protections and what the init gave it (its arguments, the
//!   data partition's mount) as `CHECK <name>=<value>` lines, then `CHECKS-DONE`;
//! - `sticks`: waits for two USB disks without a partition table, has the init probe each and
//!   mount it read-only through the mount service (`tally_media::mountd`; the stand-in runs
//!   unprivileged, as the program does), prints `STICK <dev> fs=<type> hello=<contents of
//!   HELLO.TXT>` or `STICK <dev> fs=<type> mount=refused: <why>` lines, then `STICKS-DONE`;
//! - `hostile`: sends malformed and hostile requests to the init's mount service and prints
//!   `HOSTILE <case>=<refused|what came back>` lines, then `HOSTILE-DONE`;
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
    let channel = match tally_media::mountd::install_from_env() {
        Ok(true) => "ok".to_string(),
        Ok(false) => "absent".to_string(),
        Err(e) => format!("error: {e}"),
    };
    let starts = bump_start_count();
    let mut out = std::io::stdout().lock();
    // The Linux console ignores the alternate screen: clear the screen instead.
    let _ = write!(out, "\x1b[2J\x1b[H");
    let uptime = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{BANNER} (start {starts}) uptime={uptime} channel={channel}\r"
    );
    let _ = out.flush();
    drop(out);
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        match line.trim() {
            "checks" => report(),
            "crash" => std::process::abort(),
            "sticks" => sticks(),
            "hostile" => hostile(),
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
    let path = "/run/tally/hello-tally.starts";
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
        Some(2) => "ENOENT".into(),
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
    let run = match std::fs::write("/run/tally/probe", b"x") {
        Ok(()) => "ok".to_string(),
        Err(e) => errno_name(&e),
    };
    check("run_write", run);
    let run_root = match std::fs::write("/run/probe", b"x") {
        Ok(()) => "WRITABLE".to_string(),
        Err(e) => errno_name(&e),
    };
    check("run_root_write", run_root);
    check(
        "channel",
        if tally_media::mountd::installed() {
            "ok"
        } else {
            "absent"
        },
    );
    confinement();

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

    // Loading a module is refused (modules_disabled, seccomp). The running root holds no module
    // files (the init leaves them behind when it makes the read-only root); any file will do,
    // since the call is refused before the kernel reads it.
    check(
        "module_files",
        if find_module(std::path::Path::new("/lib/modules")).is_some() {
            "present"
        } else {
            "absent"
        },
    );
    let module = find_module(std::path::Path::new("/lib/modules"))
        .or_else(|| Some(std::path::PathBuf::from("/init")));
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
    use tally_media::mount::MountMode;
    use tally_media::mountd::{DeviceName, Request, Response, call, slot_path};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while disks().len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for dev in disks() {
        let Ok(name) = DeviceName::parse(&dev) else {
            println!("STICK {dev} bad-name\r");
            continue;
        };
        let fs = match call(&Request::Probe(name.clone())) {
            Some(Ok(Response::Probed(tally_media::fsprobe::FsProbe::Supported(fs)))) => {
                fs.kernel_name().to_string()
            }
            other => format!("{other:?}").replace(' ', "_"),
        };
        let result = match call(&Request::Mount(name, MountMode::ReadOnly)) {
            Some(Ok(Response::Mounted(slot))) => {
                let dir = slot_path(slot);
                let hello = std::fs::read_to_string(dir.join("HELLO.TXT"))
                    .unwrap_or_else(|e| errno_name(&e));
                let unmounted = call(&Request::Unmount(slot));
                format!("hello={hello} unmount={unmounted:?}")
            }
            Some(Ok(Response::Refused(why))) => format!("mount=refused: {why}"),
            other => format!("mount={other:?}"),
        };
        println!("STICK {dev} fs={fs} {result}\r");
    }
    println!("STICKS-DONE\r");
}

/// The stand-in's own confinement, as the program has it: its ids and capability sets, and what
/// it cannot do itself.
fn confinement() {
    use rustix::mount::{MountFlags, mount, mount_remount};
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for key in [
        "Uid",
        "Gid",
        "Groups",
        "CapInh",
        "CapPrm",
        "CapEff",
        "CapBnd",
        "CapAmb",
        "NoNewPrivs",
        "Seccomp",
    ] {
        let value = status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}:")))
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| "absent".into());
        check(&format!("status.{key}"), value);
    }
    let errno = |r: rustix::io::Result<()>| match r {
        Ok(()) => "DONE".to_string(),
        Err(e) => errno_name(&std::io::Error::from(e)),
    };
    check(
        "remount_root_rw",
        errno(mount_remount("/", MountFlags::empty(), "")),
    );
    check(
        "mount_tmpfs",
        errno(mount(
            "tmpfs",
            "/run/tally",
            "tmpfs",
            MountFlags::empty(),
            c"",
        )),
    );
    check(
        "mount_data_again",
        errno(mount_remount("/data", MountFlags::RDONLY, "")),
    );
    // Every disk and partition node: none may be opened.
    let mut opened = Vec::new();
    let mut refused = std::collections::BTreeSet::new();
    let mut nodes: Vec<String> = std::fs::read_dir("/sys/class/block")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    nodes.sort();
    for n in &nodes {
        match std::fs::File::open(format!("/dev/{n}")) {
            Ok(_) => opened.push(n.clone()),
            Err(e) => {
                refused.insert(errno_name(&e));
            }
        }
    }
    check(
        "raw_disks",
        if opened.is_empty() {
            format!(
                "{} refused ({})",
                nodes.len(),
                refused.into_iter().collect::<Vec<_>>().join(",")
            )
        } else {
            format!("OPENED {}", opened.join(","))
        },
    );
}

/// Malformed and hostile requests to the init's mount service: each must be refused, and the
/// service must go on answering.
fn hostile() {
    use tally_media::mount::MountMode;
    use tally_media::mountd::{DeviceName, REQUEST_LEN, Request, Response, exchange_raw};
    let mount = |name: &str, mode| match DeviceName::parse(name) {
        Ok(n) => Request::Mount(n, mode).encode().to_vec(),
        Err(_) => Vec::new(),
    };
    // A mount request (operation 2, read-only) naming `name`, built byte by byte on an
    // unmount request's magic.
    let with_name = |name: &[u8]| {
        let mut m = Request::Unmount(0).encode().to_vec();
        if let Some(op) = m.get_mut(4) {
            *op = 2;
        }
        if let Some(len) = m.get_mut(6) {
            *len = u8::try_from(name.len()).unwrap_or(u8::MAX);
        }
        for (d, s) in m.iter_mut().skip(7).zip(name) {
            *d = *s;
        }
        m
    };
    let mut bad_mode = mount("sdb", MountMode::ReadOnly);
    if let Some(b) = bad_mode.get_mut(5) {
        *b = 7;
    }
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"mount /dev/sda2 /mnt please".to_vec()),
        ("oversized", vec![0x41; 65536]),
        ("one_byte_long", {
            let mut m = mount("sdb", MountMode::ReadWrite);
            m.push(0);
            m
        }),
        ("empty", Vec::new()),
        ("zeros", vec![0; REQUEST_LEN]),
        ("unknown_device", mount("sdzz9", MountMode::ReadOnly)),
        ("path_outside", with_name(b"../../etc/shadow")),
        ("root_device", with_name(b"vda")),
        ("boot_stick_data", mount("sda2", MountMode::ReadWrite)),
        ("boot_stick_disk", mount("sda", MountMode::ReadWrite)),
        ("bad_mode", bad_mode),
        ("slot_not_mounted", Request::Unmount(3).encode().to_vec()),
    ];
    for (name, bytes) in cases {
        let answer = match exchange_raw(&bytes) {
            None => "no-channel".to_string(),
            Some(Ok(Response::Refused(why))) => format!("refused ({why})"),
            Some(Ok(other)) => format!("ANSWERED {other:?}"),
            Some(Err(e)) => format!("ERROR {e}"),
        };
        println!("HOSTILE {name}={answer}\r");
    }
    // Still serving: a well-formed probe of the boot stick's data partition is answered (and
    // refused: it is no stick the program may use).
    let still = match DeviceName::parse("sda2") {
        Ok(n) => match tally_media::mountd::call(&Request::Probe(n)) {
            Some(Ok(r)) => format!("answered {r:?}"),
            other => format!("NOT ANSWERED {other:?}"),
        },
        Err(e) => format!("{e}"),
    };
    println!("HOSTILE still_serving={still}\r");
    println!("HOSTILE-DONE\r");
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
