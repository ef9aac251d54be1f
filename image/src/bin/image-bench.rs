//! `image-bench`: how long the appliance image takes to boot to the terminal's first screen,
//! against a baseline.
//!
//! Builds two signed UKIs with the same kernel, keys and pipeline: the appliance image with the
//! real `tally` terminal (and a data partition with a GSB certificate and key made for the
//! benchmark), and a baseline whose initramfs holds only `trivial-init` (prints and powers
//! off). Each is booted `--runs` times from a USB stick (the certified stick's layout; the
//! baseline's has only the ESP) in QEMU with OVMF and Secure Boot (no KVM). Reported, from
//! QEMU's start: the kernel's EFI stub running (firmware done), `/init` started (kernel done),
//! and the first screen (the terminal's start screen asking for the passphrase; the baseline's
//! line), and the ratio of the first screens. Each image is booted on two virtual CPUs: one
//! with the hardware random number instructions, as the PCs the appliance runs on have, and
//! QEMU's default `qemu64` without them, on which the terminal's first `getrandom` waits for
//! the kernel to gather entropy (see `tally_image::qemu::VmExtras::cpu_rng`). Also the sizes
//! of the images.
//!
//! Usage: `cargo build -p tally-image --bins && cargo build -p tally-tui --bin tally &&
//! target/debug/image-bench [--runs N] [--work DIR] [--tally PATH]` (`--tally` defaults to
//! `tally` next to `image-bench`; build both with `--release` for the production program).
//! It runs one VM at a time. The appliance's kernel log (first serial port) of run N is kept as
//! `appliance-serial0-N.log` in the work directory (`-no-rdrand` for the second CPU).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use tally_image::testbed::{
    BOOT_TIMEOUT, TRIVIAL_BANNER, TestBed, build_musl_inits, make_body_data, make_certified_stick,
};

/// The start screen's passphrase prompt: the terminal's first screen. One word: the terminal
/// draws over a cleared screen and skips the blanks between words (cursor moves instead).
const FIRST_SCREEN: &str = "Wachtwoordzin";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("image-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Times {
    stub: Duration,
    init: Duration,
    banner: Duration,
}

fn secs(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 3usize;
    let mut work = None;
    let mut tally = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--runs", Some(n)) => runs = n.parse().map_err(|_| format!("--runs {n:?}"))?,
            ("--work", Some(d)) => work = Some(PathBuf::from(d)),
            ("--tally", Some(p)) => tally = Some(PathBuf::from(p)),
            _ => return Err("usage: image-bench [--runs N] [--work DIR] [--tally PATH]".into()),
        }
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin_dir = exe.parent().ok_or("no directory of image-bench")?;
    let target = bin_dir.parent().ok_or("no target directory")?;
    let work = work.unwrap_or_else(|| target.join("tmp").join("image-bench"));
    let tally = tally.unwrap_or_else(|| bin_dir.join("tally"));
    if !tally.is_file() {
        return Err(format!(
            "{}: no tally program (cargo build -p tally-tui --bin tally)",
            tally.display()
        ));
    }

    eprintln!("building the static inits (musl)...");
    let (init, trivial) = build_musl_inits(target).map_err(|e| e.to_string())?;
    eprintln!("preparing keys, firmware variables and kernel...");
    let bed = TestBed::prepare(
        &work.join("bed"),
        &target.join("tmp").join("tally-kernel-cache"),
    )
    .map_err(|e| e.to_string())?;
    eprintln!("building the images...");
    let image =
        tally_image::build::build(&bed.appliance_config(&init, &tally, &work.join("image")))
            .map_err(|e| e.to_string())?;
    let base = bed
        .build_trivial_image(&trivial, &work.join("trivial"))
        .map_err(|e| e.to_string())?;
    let data = work.join("data");
    make_body_data(&data).map_err(|e| e.to_string())?;
    let stick = work.join("certified.img");
    let base_stick = work.join("trivial-stick.img");
    make_certified_stick(&base.uki, None, &base_stick).map_err(|e| e.to_string())?;

    // Both CPUs: with the random number instructions (the PCs the appliance runs on) and
    // QEMU's default `qemu64` without them (the terminal then waits for the kernel's entropy).
    let cpus = [(true, "CPU with RDRAND"), (false, "qemu64, no RDRAND")];
    let mut appliance: Vec<Vec<Times>> = cpus.iter().map(|_| Vec::new()).collect();
    let mut baseline: Vec<Vec<Times>> = cpus.iter().map(|_| Vec::new()).collect();
    for i in 0..runs {
        for (c, (rng, _)) in cpus.iter().enumerate() {
            // A fresh data partition each time (the terminal keeps a journal there).
            make_certified_stick(&image.uki, Some(&data), &stick).map_err(|e| e.to_string())?;
            let t = boot(&bed, &stick, &work.join("vm"), FIRST_SCREEN, true, *rng)?;
            if let Some(v) = appliance.get_mut(c) {
                v.push(t);
            }
            // The guest's kernel log of the run, for looking at where the time goes.
            let log = work.join(format!(
                "appliance-serial0-{}{}.log",
                i.saturating_add(1),
                if *rng { "" } else { "-no-rdrand" }
            ));
            let _ = std::fs::copy(work.join("vm").join("serial0.log"), &log);
            let t = boot(
                &bed,
                &base_stick,
                &work.join("vm"),
                TRIVIAL_BANNER,
                false,
                *rng,
            )?;
            if let Some(v) = baseline.get_mut(c) {
                v.push(t);
            }
        }
        eprintln!("run {} of {runs} done", i.saturating_add(1));
    }

    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    println!(
        "QEMU (TCG, no KVM) + OVMF Secure Boot, {runs} runs, seconds from QEMU start, median (min); load average {}",
        load_average()
    );
    println!(
        "{:<38} {:>12} {:>12} {:>12}",
        "image", "EFI stub", "/init", "first screen"
    );
    let col = |t: &[Times], f: fn(&Times) -> Duration| {
        let v: Vec<Duration> = t.iter().map(f).collect();
        let min = v.iter().min().copied().unwrap_or_default();
        (median(v), min)
    };
    let mut ratios = Vec::new();
    for (c, (_, cpu)) in cpus.iter().enumerate() {
        let (Some(a), Some(b)) = (appliance.get(c), baseline.get(c)) else {
            continue;
        };
        for (name, t) in [("appliance (tally)", a), ("trivial init", b)] {
            let cell = |f: fn(&Times) -> Duration| {
                let (m, min) = col(t, f);
                format!("{} ({})", secs(m), secs(min))
            };
            println!(
                "{:<38} {:>12} {:>12} {:>12}",
                format!("{name}, {cpu}"),
                cell(|x| x.stub),
                cell(|x| x.init),
                cell(|x| x.banner),
            );
        }
        let (am, amin) = col(a, |x| x.banner);
        let (bm, bmin) = col(b, |x| x.banner);
        let ratio = |x: Duration, y: Duration| x.as_secs_f64() / y.as_secs_f64().max(f64::EPSILON);
        ratios.push(format!(
            "{cpu}: {:.2} (medians), {:.2} (minima)",
            ratio(am, bm),
            ratio(amin, bmin)
        ));
    }
    println!(
        "first screen, appliance / trivial init: {}",
        ratios.join("; ")
    );
    println!(
        "signed UKI: appliance {} bytes (initramfs {} bytes zstd), trivial {} bytes (initramfs {} bytes)",
        size(&image.uki),
        size(&image.initrd),
        size(&base.uki),
        size(&base.initrd)
    );
    println!("appliance UKI sha256 {}", image.sha256);
    Ok(())
}

/// The kernel's timestamp of "Run /init as init process" (seconds since the kernel started).
fn kernel_init_time(log: &str) -> String {
    log.lines()
        .find(|l| l.contains("Run /init as init process"))
        .and_then(|l| l.split(']').next())
        .map(|t| t.trim_start_matches('[').trim().to_string())
        .unwrap_or_default()
}

/// The host's load average (the machine is shared; TCG timings depend on it).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn boot(
    bed: &TestBed,
    stick: &Path,
    dir: &Path,
    banner: &str,
    on_console: bool,
    cpu_rng: bool,
) -> Result<Times, String> {
    let mut vm = bed
        .boot_stick_on(stick, dir, cpu_rng)
        .map_err(|e| e.to_string())?;
    let stub = vm
        .wait_serial0("EFI stub:", BOOT_TIMEOUT)
        .map_err(|e| e.to_string())?;
    let init = vm
        .wait_serial0("Run /init as init process", BOOT_TIMEOUT)
        .map_err(|e| e.to_string())?;
    let banner = if on_console {
        vm.wait_console(banner, BOOT_TIMEOUT)
            .map_err(|e| e.to_string())?;
        let at = vm.started.elapsed();
        let log = vm.serial0();
        let started = log
            .lines()
            .find(|l| l.contains("starting /bin/tally"))
            .unwrap_or("")
            .to_string();
        eprintln!(
            "  appliance: kernel log says /init at {} s; init: {started}",
            kernel_init_time(&log)
        );
        at
    } else {
        vm.wait_serial0(banner, BOOT_TIMEOUT)
            .map_err(|e| e.to_string())?
    };
    vm.kill();
    Ok(Times { stub, init, banner })
}
