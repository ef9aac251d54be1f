//! Loads a 510 file into domain counts, checks it, writes it back, and prints timings.
//! Used to measure peak memory: `/usr/bin/time -v target/release/examples/load_count FILE`.
//!
//! Usage: `load_count FILE [--write OUT]`

use std::time::Instant;

use tally_core::counts::check_arithmetic;
use tally_core::eml::count::{read_count, write_count};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: load_count FILE [--write OUT]")?;
    let out = match (args.next().as_deref(), args.next()) {
        (Some("--write"), Some(out)) => Some(out),
        _ => None,
    };
    let bytes = std::fs::read(&path)?;
    let t = Instant::now();
    let file = read_count(&bytes)?;
    let read = t.elapsed();
    let t = Instant::now();
    let violations = check_arithmetic(&file);
    let check = t.elapsed();
    let t = Instant::now();
    let written = write_count(&file)?;
    let write = t.elapsed();
    println!(
        "{path}: {} bytes, {} reporting units, read {read:?}, checks {check:?} ({} violations), write {write:?} ({} bytes)",
        bytes.len(),
        file.units.len(),
        violations.len(),
        written.len()
    );
    for v in violations.iter().take(20) {
        println!("  {v}");
    }
    if let Some(out) = out {
        std::fs::write(out, &written)?;
    }
    Ok(())
}
