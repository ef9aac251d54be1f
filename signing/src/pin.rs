//! Hashing and verifying the personal PINs and passphrases of the people of a session
//! (coordinators and typists, `docs/people.md`), with Argon2id.
//!
//! A hash is a PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`) with a random
//! 16-byte salt per hash, made with [`PIN_PARAMS`]. Verification uses the parameters in
//! the string, within [`PIN_MIN_MEMORY_KIB`]..=[`PIN_MAX_MEMORY_KIB`] and
//! [`PIN_MIN_ITERATIONS`]..=[`PIN_MAX_ITERATIONS`] (a hash from a hostile journal cannot make
//! a check take gigabytes or minutes), and compares in constant time (the `password-hash`
//! crate's output comparison).
//!
//! A PIN of five digits has 100,000 values: whoever can read the journal can try them all
//! against its hash in hours, whatever the parameters. The hash only keeps the PIN from
//! being read off the stick directly; what protects the count is that the journal is
//! authenticated with the body's key (a PIN read off a stick lets nobody write a record)
//! and that the terminal throttles wrong PINs at the keyboard.
//!
//! The PIN is handed in a [`Zeroizing`] buffer and is never copied outside one here.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

/// Memory of a PIN hash, in KiB: 64 MiB (the floor of the key files, `KdfParams::FLOOR`).
pub const PIN_MEMORY_KIB: u32 = 64 * 1024;
/// Passes of a PIN hash.
pub const PIN_ITERATIONS: u32 = 3;
/// Lanes of a PIN hash (the `argon2` crate computes them one after another).
pub const PIN_PARALLELISM: u32 = 1;
/// Length of the hash output, in bytes.
pub const PIN_OUTPUT_LEN: usize = 32;
/// Length of the random salt, in bytes.
pub const PIN_SALT_LEN: usize = 16;

/// The Argon2id parameters of every new PIN hash: 64 MiB, 3 passes, 1 lane, 32 bytes of
/// output (the same as the floor of the key files). Measured in release on the 2-core
/// development machine under a load average of 7 to 8: 140 ms of CPU and 190 to 200 ms wall
/// time per check (`docs/people.md`), within the quarter second a PIN prompt may take.
pub const PIN_PARAMS: PinParams = PinParams {
    memory_kib: PIN_MEMORY_KIB,
    iterations: PIN_ITERATIONS,
    parallelism: PIN_PARALLELISM,
};

/// The least memory a stored PIN hash may ask for (the parameters of [`PIN_PARAMS`]).
pub const PIN_MIN_MEMORY_KIB: u32 = PIN_MEMORY_KIB;
/// The most memory a stored PIN hash may ask for: 256 MiB.
pub const PIN_MAX_MEMORY_KIB: u32 = 256 * 1024;
/// The fewest passes a stored PIN hash may have.
pub const PIN_MIN_ITERATIONS: u32 = PIN_ITERATIONS;
/// The most passes a stored PIN hash may have.
pub const PIN_MAX_ITERATIONS: u32 = 10;
/// The most lanes a stored PIN hash may have.
pub const PIN_MAX_PARALLELISM: u32 = 4;

/// Argon2id parameters of a PIN hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinParams {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

/// Whether a typed PIN is the person's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinVerdict {
    /// It is.
    Correct,
    /// It is not.
    Wrong,
}

/// Why a PIN could not be hashed or checked (never because it is wrong: that is
/// [`PinVerdict::Wrong`]). No variant carries the PIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// The stored hash is not an Argon2id PHC string this module can read.
    #[error("the stored PIN hash cannot be read: {0}")]
    Malformed(String),
    /// The stored hash is not Argon2id version 0x13.
    #[error("the stored PIN hash is not Argon2id version 19")]
    NotArgon2id,
    /// The stored hash's parameters are outside the accepted range.
    #[error(
        "the stored PIN hash's parameters (m={memory_kib}, t={iterations}, p={parallelism}) are outside the accepted range"
    )]
    ParamsOutOfRange {
        /// Memory, in KiB.
        memory_kib: u32,
        /// Passes.
        iterations: u32,
        /// Lanes.
        parallelism: u32,
    },
    /// The `argon2` crate failed (parameters it refuses, out of memory).
    #[error("Argon2id failed: {0}")]
    Argon2(String),
}

fn argon2(params: PinParams) -> Result<Argon2<'static>, PinError> {
    let p = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(PIN_OUTPUT_LEN),
    )
    .map_err(|e| PinError::Argon2(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
}

/// Hashes a new PIN (checked by `tally_core::people::NewPin` first) with [`PIN_PARAMS`]
/// and a fresh random salt from the operating system; the PHC string.
pub fn hash_pin(pin: &Zeroizing<String>) -> Result<String, PinError> {
    let mut salt = [0u8; PIN_SALT_LEN];
    OsRng.fill_bytes(&mut salt);
    hash_pin_with_salt(pin, &salt, PIN_PARAMS)
}

/// Hashes a PIN with a given salt and parameters (for tests and benchmarks; the appliance
/// uses [`hash_pin`]).
pub fn hash_pin_with_salt(
    pin: &Zeroizing<String>,
    salt: &[u8; PIN_SALT_LEN],
    params: PinParams,
) -> Result<String, PinError> {
    let salt = SaltString::encode_b64(salt).map_err(|e| PinError::Argon2(e.to_string()))?;
    let hash = argon2(params)?
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| PinError::Argon2(e.to_string()))?;
    Ok(hash.to_string())
}

/// Checks a typed PIN against a stored hash, in constant time. The hash's parameters must
/// be Argon2id version 19 within the accepted range (see the module's documentation).
pub fn verify_pin(phc: &str, typed: &Zeroizing<String>) -> Result<PinVerdict, PinError> {
    let hash = PasswordHash::new(phc).map_err(|e| PinError::Malformed(e.to_string()))?;
    if hash.algorithm != Algorithm::Argon2id.ident() || hash.version != Some(0x13) {
        return Err(PinError::NotArgon2id);
    }
    let params = Params::try_from(&hash).map_err(|e| PinError::Malformed(e.to_string()))?;
    let found = PinParams {
        memory_kib: params.m_cost(),
        iterations: params.t_cost(),
        parallelism: params.p_cost(),
    };
    let in_range = (PIN_MIN_MEMORY_KIB..=PIN_MAX_MEMORY_KIB).contains(&found.memory_kib)
        && (PIN_MIN_ITERATIONS..=PIN_MAX_ITERATIONS).contains(&found.iterations)
        && (1..=PIN_MAX_PARALLELISM).contains(&found.parallelism)
        && params.output_len() == Some(PIN_OUTPUT_LEN);
    if !in_range {
        return Err(PinError::ParamsOutOfRange {
            memory_kib: found.memory_kib,
            iterations: found.iterations,
            parallelism: found.parallelism,
        });
    }
    match argon2(found)?.verify_password(typed.as_bytes(), &hash) {
        Ok(()) => Ok(PinVerdict::Correct),
        Err(argon2::password_hash::Error::Password) => Ok(PinVerdict::Wrong),
        Err(e) => Err(PinError::Argon2(e.to_string())),
    }
}
