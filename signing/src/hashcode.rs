//! The hash-code notation of the paper reports: a SHA-256 as 16 groups of 4 lowercase
//! hexadecimal digits separated by single spaces (`fae2 12ff 03ce ...`).

use sha2::{Digest, Sha256};

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A 32-byte digest as 16 groups of 4 lowercase hex digits separated by single spaces.
pub fn format_hash_code(digest: &[u8; 32]) -> String {
    let hex = crate::text::to_hex(digest);
    let mut out = String::with_capacity(79);
    for (i, c) in hex.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn juinen_published_hash_code() {
        // The Kiesraad's published hash code of the Juinen 110a (Hashcodes-Juinen.txt).
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/eml/synthetic/eml110a_verkiezingsdefinitie-juinen.eml.xml"
        ))
        .unwrap();
        assert_eq!(
            format_hash_code(&sha256(&bytes)),
            "fae2 12ff 03ce 27d0 45e2 15ee a0c1 7e0e 316e 331f 2641 50a3 feef 2ac3 61db 2528"
        );
    }
}
