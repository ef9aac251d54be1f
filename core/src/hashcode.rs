//! Hash codes: binding an EML file to the paper report that carries its SHA-256.
//!
//! The paper report printed at each level shows the SHA-256 of its EML file as 16 groups
//! of 4 lowercase hex digits separated by spaces (`fae2 12ff 03ce ...`), as the Kiesraad
//! publishes them. Whoever imports the file types two of those groups, chosen by the
//! program ([`choose_groups`]); [`check_typed_groups`] compares them with the file's
//! digest. A file that does not match its paper is refused.

use std::fmt;

use sha2::{Digest, Sha256};
use thiserror::Error;

/// A reader that hashes every byte it passes on (see [`Sha256Digest::reading`]).
#[derive(Debug)]
pub struct HashingRead<R> {
    inner: R,
    hasher: Sha256,
}

impl<R> HashingRead<R> {
    /// The SHA-256 of the bytes read so far.
    pub fn digest(&self) -> Sha256Digest {
        Sha256Digest(self.hasher.clone().finalize().into())
    }
}

impl<R: std::io::Read> std::io::Read for HashingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// The number of 4-digit groups in a hash code.
pub const GROUPS: usize = 16;

/// A SHA-256 digest of a file's exact bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest(pub [u8; 32]);

impl Sha256Digest {
    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Sha256Digest {
        Sha256Digest(Sha256::digest(bytes).into())
    }

    /// A reader that hashes what it passes on ([`HashingRead::digest`]): a file's digest
    /// checked while the file is parsed, in one pass.
    pub fn reading<R: std::io::Read>(inner: R) -> HashingRead<R> {
        HashingRead {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits (either case).
    ///
    /// # Errors
    /// Not 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Sha256Digest, hex::FromHexError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out)?;
        Ok(Sha256Digest(out))
    }

    /// The hash code as printed on paper: 16 groups of 4 lowercase hex digits separated
    /// by single spaces.
    pub fn hash_code(&self) -> String {
        self.groups().join(" ")
    }

    /// The 16 groups of 4 lowercase hex digits, in order.
    pub fn groups(&self) -> [String; GROUPS] {
        let mut out: [String; GROUPS] = Default::default();
        for (slot, pair) in out.iter_mut().zip(self.0.chunks(2)) {
            *slot = hex::encode(pair);
        }
        out
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({})", self.to_hex())
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hash_code())
    }
}

/// The hash code (16 groups of 4 lowercase hex digits) of a file's bytes.
pub fn hash_code(bytes: &[u8]) -> String {
    Sha256Digest::of(bytes).hash_code()
}

/// Which two groups (indices `0..16`, distinct, ascending) an importer must type, chosen
/// from a random `seed` the caller provides (the appliance draws it from the operating
/// system's random source). The same seed always gives the same pair.
pub fn choose_groups(seed: u64) -> [usize; 2] {
    // splitmix64 spreads every bit of the seed over the output.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // 16 * 15 ordered pairs of distinct indices. 240 does not divide 2^64, so some pairs
    // are more likely than others by at most 240 / 2^64: negligible.
    let pick = (z % 240) as usize;
    let first = pick / 15;
    let mut second = pick % 15;
    if second >= first {
        second = second.saturating_add(1);
    }
    if first < second {
        [first, second]
    } else {
        [second, first]
    }
}

/// Why typed groups were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HashCodeError {
    /// A group index is not in `0..16`.
    #[error("group number {index} does not exist: a hash code has groups 1 to 16")]
    NoSuchGroup {
        /// The index given (from 0).
        index: usize,
    },
    /// The same group was asked twice.
    #[error("group {} was asked twice; two different groups are needed", .index + 1)]
    SameGroupTwice {
        /// The index (from 0).
        index: usize,
    },
    /// What was typed is not 4 hex digits.
    #[error("group {} must be 4 characters 0-9 or a-f; found \"{found}\"", .index + 1)]
    Malformed {
        /// The group's index (from 0).
        index: usize,
        /// What was typed, trimmed.
        found: String,
    },
    /// The typed group differs from the file's.
    #[error("group {} does not match the file: the paper says \"{typed}\", the file has \"{expected}\"", .index + 1)]
    Mismatch {
        /// The group's index (from 0).
        index: usize,
        /// What the file's digest has there.
        expected: String,
        /// What was typed (trimmed, lowercased).
        typed: String,
    },
}

/// Compares the two typed groups with the digest. `typed` holds `(index, text)` pairs as
/// asked by [`choose_groups`]; the text may have surrounding white space and upper case
/// letters. Every group is checked; the first problem is returned.
pub fn check_typed_groups(
    digest: &Sha256Digest,
    typed: [(usize, &str); 2],
) -> Result<(), HashCodeError> {
    let [(a, _), (b, _)] = typed;
    if a == b {
        return Err(HashCodeError::SameGroupTwice { index: a });
    }
    let groups = digest.groups();
    for (index, text) in typed {
        let expected = groups
            .get(index)
            .ok_or(HashCodeError::NoSuchGroup { index })?;
        let found = text.trim().to_ascii_lowercase();
        if found.len() != 4 || !found.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(HashCodeError::Malformed { index, found });
        }
        if &found != expected {
            return Err(HashCodeError::Mismatch {
                index,
                expected: expected.clone(),
                typed: found,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_digest_is_the_known_one() {
        // SHA-256("") from FIPS 180-4 examples.
        assert_eq!(
            hash_code(b""),
            "e3b0 c442 98fc 1c14 9afb f4c8 996f b924 27ae 41e4 649b 934c a495 991b 7852 b855"
        );
    }

    #[test]
    fn chosen_groups_are_distinct_ordered_and_cover_all() {
        let mut seen = [[false; GROUPS]; GROUPS];
        for seed in 0..20_000u64 {
            let [a, b] = choose_groups(seed);
            assert!(a < b && b < GROUPS, "{a} {b}");
            seen[a][b] = true;
            assert_eq!(choose_groups(seed), [a, b]);
        }
        let pairs = seen.iter().flatten().filter(|s| **s).count();
        assert_eq!(pairs, GROUPS * (GROUPS - 1) / 2);
    }

    #[test]
    fn typed_groups_are_checked_precisely() {
        let d = Sha256Digest::of(b"");
        assert_eq!(
            check_typed_groups(&d, [(0, " E3B0 "), (15, "b855")]),
            Ok(())
        );
        assert_eq!(
            check_typed_groups(&d, [(0, "e3b0"), (15, "b856")]),
            Err(HashCodeError::Mismatch {
                index: 15,
                expected: "b855".into(),
                typed: "b856".into()
            })
        );
        assert_eq!(
            check_typed_groups(&d, [(0, "e3b"), (1, "c442")]),
            Err(HashCodeError::Malformed {
                index: 0,
                found: "e3b".into()
            })
        );
        assert_eq!(
            check_typed_groups(&d, [(16, "e3b0"), (1, "c442")]),
            Err(HashCodeError::NoSuchGroup { index: 16 })
        );
        assert_eq!(
            check_typed_groups(&d, [(3, "1c14"), (3, "1c14")]),
            Err(HashCodeError::SameGroupTwice { index: 3 })
        );
    }
}
