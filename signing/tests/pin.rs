//! PIN hashing and verification (`tally_signing::pin`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use tally_signing::pin::{
    PIN_PARAMS, PinError, PinParams, PinVerdict, hash_pin, hash_pin_with_salt, verify_pin,
};
use zeroize::Zeroizing;

fn pin(s: &str) -> Zeroizing<String> {
    Zeroizing::new(s.to_owned())
}

#[test]
fn the_right_pin_is_correct() {
    let hash = hash_pin(&pin("48213")).unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"),
        "{hash}"
    );
    assert_eq!(verify_pin(&hash, &pin("48213")), Ok(PinVerdict::Correct));
}

#[test]
fn a_wrong_pin_is_wrong() {
    let hash = hash_pin(&pin("48213")).unwrap();
    for wrong in ["48214", "4821", "482130", "", " 48213", "48213 "] {
        assert_eq!(
            verify_pin(&hash, &pin(wrong)),
            Ok(PinVerdict::Wrong),
            "{wrong:?}"
        );
    }
}

#[test]
fn every_hash_has_its_own_salt() {
    let a = hash_pin(&pin("48213")).unwrap();
    let b = hash_pin(&pin("48213")).unwrap();
    assert_ne!(a, b);
    assert_eq!(verify_pin(&b, &pin("48213")), Ok(PinVerdict::Correct));
}

#[test]
fn a_passphrase_verifies_too() {
    let hash = hash_pin(&pin("correct horse battery")).unwrap();
    assert_eq!(
        verify_pin(&hash, &pin("correct horse battery")),
        Ok(PinVerdict::Correct)
    );
    assert_eq!(
        verify_pin(&hash, &pin("Correct horse battery")),
        Ok(PinVerdict::Wrong)
    );
}

#[test]
fn weak_or_huge_parameters_in_a_stored_hash_are_refused() {
    let weak = hash_pin_with_salt(
        &pin("48213"),
        &[7; 16],
        PinParams {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        },
    )
    .unwrap();
    assert!(matches!(
        verify_pin(&weak, &pin("48213")),
        Err(PinError::ParamsOutOfRange { memory_kib: 8, .. })
    ));
    // Four GiB would be refused before any memory is taken.
    let huge = "$argon2id$v=19$m=4194304,t=3,p=1$BwcHBwcHBwcHBwcHBwcHBw$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert!(matches!(
        verify_pin(huge, &pin("48213")),
        Err(PinError::ParamsOutOfRange { .. })
    ));
}

#[test]
fn a_hash_that_is_not_argon2id_is_refused() {
    let good = hash_pin_with_salt(&pin("48213"), &[7; 16], PIN_PARAMS).unwrap();
    let argon2i = good.replacen("$argon2id$", "$argon2i$", 1);
    assert_eq!(
        verify_pin(&argon2i, &pin("48213")),
        Err(PinError::NotArgon2id)
    );
    for bad in [
        "",
        "48213",
        "$argon2id$",
        "$argon2id$v=19$m=x$y$z",
        "$$$$$$",
    ] {
        assert!(
            matches!(verify_pin(bad, &pin("48213")), Err(PinError::Malformed(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn the_same_salt_gives_the_same_hash() {
    let a = hash_pin_with_salt(&pin("48213"), &[7; 16], PIN_PARAMS).unwrap();
    let b = hash_pin_with_salt(&pin("48213"), &[7; 16], PIN_PARAMS).unwrap();
    assert_eq!(a, b);
}

/// This thread's CPU time so far, in nanoseconds (Linux's schedstat), which other jobs on
/// a shared machine do not inflate as they do wall time.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// The time of one check with [`PIN_PARAMS`]; run in release:
/// `cargo test --release -p tally-signing --test pin -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, run in release"]
fn time_of_a_pin_check() {
    let hash = hash_pin(&pin("48213")).unwrap();
    let rounds = 10u32;
    let cpu = thread_cpu_ns();
    let start = Instant::now();
    for _ in 0..rounds {
        assert_eq!(verify_pin(&hash, &pin("48213")), Ok(PinVerdict::Correct));
    }
    let wall = start.elapsed() / rounds;
    let cpu = thread_cpu_ns()
        .zip(cpu)
        .map(|(b, a)| std::time::Duration::from_nanos((b - a) / u64::from(rounds)));
    println!("one PIN check: {wall:?} wall, {cpu:?} CPU");
}
