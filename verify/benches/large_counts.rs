//! Issue #15 point 4: reading a count at 1, 4 and 16 times the size of Groningen's 510b
//! (GR2022, 180 polling stations, 9.9 MB), and the synthetic Amsterdam-sized TK 510b (the
//! TK2023 Aa en Hunze ballot, 720 polling stations, about 93 MB).
//!
//! ```text
//! cargo bench -p tally-verify --bench large_counts
//! ```
//!
//! The files are made first (see `large/mod.rs`) and written to a temporary folder. Each
//! measurement then runs in a fresh child process (this binary again), so that its peak
//! resident memory (`VmHWM`) is the read's alone: read the file from disk with the
//! verifier's reader (hashing as it reads), then `read_count` (the streaming reader), then
//! the arithmetic checks. Three runs per size; the lowest time and the highest peak RSS are
//! printed, with the bound of the issue: 1.5 times the file plus 20 MB. Each file is read
//! twice so: as `tally-verify` reads it (whole, `read_count`), and as the HSB and CSB read
//! it (`read_count_from` of the file, its SHA-256 computed as it is parsed: the file never
//! held).

#![allow(missing_docs)]

mod large;

use std::process::Command;
use std::time::Instant;

const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let stream = args.iter().any(|a| a == "--stream");
        match args.get(i + 1).map(|p| child(p, stream)) {
            Some(Ok(())) => return,
            Some(Err(e)) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
            None => std::process::exit(2),
        }
    }
    if let Err(e) = parent() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

/// One measurement: prints `seconds peak_rss_bytes`.
fn child(path: &str, stream: bool) -> Result<(), String> {
    let start = Instant::now();
    let count = if stream {
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let size = file.metadata().map_err(|e| e.to_string())?.len();
        let mut reading = tally_core::hashcode::Sha256Digest::reading(file);
        let count = tally_core::eml::count::read_count_from(&mut reading, size)
            .map_err(|e| e.to_string())?;
        std::hint::black_box(reading.digest());
        count
    } else {
        let (bytes, _digest) = tally_signing::medium::read_regular_file_hashed(
            std::path::Path::new(path),
            tally_core::eml::limits::MAX_FILE_BYTES as u64,
        )
        .map_err(|e| e.to_string())?;
        tally_core::eml::count::read_count(&bytes).map_err(|e| e.to_string())?
    };
    let problems = tally_core::counts::check_arithmetic(&count);
    let elapsed = start.elapsed().as_secs_f64();
    if !problems.is_empty() {
        return Err(format!("{} arithmetic problems", problems.len()));
    }
    let rss = large::peak_rss().ok_or("no VmHWM in /proc/self/status")?;
    println!("{elapsed} {rss}");
    Ok(())
}

fn parent() -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let cases = [
        ("Groningen GR2022 510b x1", large::GRONINGEN, 1),
        ("Groningen GR2022 510b x4", large::GRONINGEN, 4),
        ("Groningen GR2022 510b x16", large::GRONINGEN, 16),
        ("TK2023 Aa en Hunze x30 (Amsterdam)", large::AA_EN_HUNZE, 30),
    ];
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>10} {:>10}",
        "file", "MB", "time ms", "MB/s", "peak MB", "bound MB"
    );
    for (label, name, k) in cases {
        let bytes = large::scaled_file(name, k)?;
        let path = dir.path().join(format!("{k}-{name}"));
        std::fs::write(&path, &bytes).map_err(|e| e.to_string())?;
        let size = bytes.len() as f64;
        drop(bytes);
        for (how, stream) in [("whole", false), ("stream", true)] {
            let label = format!("{label}, {how}");
            let mut best = f64::MAX;
            let mut peak = 0u64;
            for _ in 0..RUNS {
                let mut cmd = Command::new(&exe);
                cmd.arg("--child").arg(&path);
                if stream {
                    cmd.arg("--stream");
                }
                let out = cmd.output().map_err(|e| e.to_string())?;
                if !out.status.success() {
                    return Err(String::from_utf8_lossy(&out.stderr).into_owned());
                }
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                let mut it = text.split_whitespace();
                let secs: f64 = it.next().and_then(|s| s.parse().ok()).ok_or("bad output")?;
                let rss: u64 = it.next().and_then(|s| s.parse().ok()).ok_or("bad output")?;
                best = best.min(secs);
                peak = peak.max(rss);
            }
            let mb = size / 1e6;
            let bound = 1.5 * mb + 20.0;
            let peak_mb = peak as f64 / 1e6;
            println!(
                "{label:<44} {mb:>9.1} {:>9.0} {:>9.0} {peak_mb:>10.1} {bound:>10.1}{}",
                best * 1000.0,
                mb / best,
                if peak_mb <= bound {
                    ""
                } else {
                    "  OVER THE BOUND"
                }
            );
        }
        std::fs::remove_file(&path).map_err(|e| e.to_string())?;
    }
    Ok(())
}
