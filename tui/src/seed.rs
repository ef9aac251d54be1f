//! The seed for choosing which groups of a hash code the official types: from the operating
//! system's random source (`getrandom`), so that nobody can predict the groups asked from the
//! time the terminal started.

use rand_core::{OsRng, RngCore};

/// A random 64-bit seed from the operating system.
///
/// # Errors
/// The operating system's random source cannot be read.
pub fn os_seed() -> std::io::Result<u64> {
    let mut bytes = [0u8; 8];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(u64::from_le_bytes(bytes))
}
