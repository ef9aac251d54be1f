//! Measures what one unlock of a key file with the floor parameters costs on this machine
//! (Argon2id 64 MiB, 3 passes, 1 lane, then XChaCha20-Poly1305): a key file is written with
//! [`KdfParams::FLOOR`] and opened `RUNS` times (default 10).
//! `cargo run --release -p tally-signing --example unlock_cost [RUNS]`; quoted in
//! `docs/hostile-input.md`.

use std::time::{Duration, Instant};

use tally_signing::{KdfParams, SecretKey, decrypt_secret_key, encrypt_secret_key};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: u32 = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 10,
    };
    let key = SecretKey::generate();
    let pass = b"a passphrase of some length";
    let file = encrypt_secret_key(&key, pass, KdfParams::FLOOR)?;
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let back = decrypt_secret_key(&file, pass)?;
        times.push(start.elapsed());
        if back.public_key() != key.public_key() {
            return Err("the key did not come back".into());
        }
    }
    times.sort();
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "unlock with {:?}: {} runs, min {:.0} ms, median {:.0} ms, max {:.0} ms",
        KdfParams::FLOOR,
        times.len(),
        ms(times.first()),
        ms(times.get(times.len() / 2)),
        ms(times.last())
    );
    Ok(())
}
