//! The rules for a new PIN or passphrase, and the stored form of its hash.
//!
//! The PIN itself never leaves a [`Zeroizing`] buffer here: [`NewPin`] takes the typed
//! text and wipes it when dropped; no error carries it. Hashing and verifying (Argon2id)
//! are in `tally_signing::pin`; this crate keeps only the PHC string ([`PinHash`]), which
//! is what the journal stores.

use std::fmt;

use zeroize::Zeroizing;

use super::name::PersonName;

/// The fewest characters of a PIN or passphrase.
pub const MIN_PIN_CHARS: usize = 5;
/// The most characters of a PIN or passphrase.
pub const MAX_PIN_CHARS: usize = 128;
/// The longest PHC string accepted as a PIN hash, in bytes.
pub const MAX_PIN_HASH_LEN: usize = 256;

/// Why a new PIN or passphrase is refused. No variant carries the PIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinRuleError {
    /// Shorter than [`MIN_PIN_CHARS`].
    #[error("a PIN has at least {MIN_PIN_CHARS} characters")]
    TooShort,
    /// Longer than [`MAX_PIN_CHARS`].
    #[error("a PIN or passphrase has at most {MAX_PIN_CHARS} characters")]
    TooLong,
    /// A character that is not printable ASCII (letters, digits, punctuation, space).
    #[error("a PIN or passphrase has only ASCII letters, digits, punctuation and spaces")]
    NotPrintableAscii,
    /// A space at the start or the end (invisible on screen, easily lost).
    #[error("a PIN or passphrase does not start or end with a space")]
    OuterSpace,
    /// One character repeated (00000, aaaaa).
    #[error("a PIN is not one character repeated")]
    AllSame,
    /// Digits counting up or down by one (12345, 98765).
    #[error("a PIN is not a run of consecutive digits")]
    Sequence,
    /// The person's own name (case ignored).
    #[error("a PIN is not the person's name")]
    SameAsName,
}

/// A new PIN or passphrase that follows the rules (`docs/people.md`), wiped when dropped.
pub struct NewPin(Zeroizing<String>);

impl NewPin {
    /// Checks a typed PIN or passphrase for the person named `name`: at least
    /// [`MIN_PIN_CHARS`] and at most [`MAX_PIN_CHARS`] printable ASCII characters, no space
    /// at either end, not one character repeated, not a run of consecutive digits, not the
    /// name. The typed text is wiped when this or the error is returned.
    pub fn new(typed: Zeroizing<String>, name: &PersonName) -> Result<NewPin, PinRuleError> {
        let pin = typed.as_str();
        if !pin.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(PinRuleError::NotPrintableAscii);
        }
        // Printable ASCII: bytes are characters.
        if pin.len() < MIN_PIN_CHARS {
            return Err(PinRuleError::TooShort);
        }
        if pin.len() > MAX_PIN_CHARS {
            return Err(PinRuleError::TooLong);
        }
        if pin.starts_with(' ') || pin.ends_with(' ') {
            return Err(PinRuleError::OuterSpace);
        }
        let bytes = pin.as_bytes();
        if bytes.windows(2).all(|w| w.first() == w.get(1)) {
            return Err(PinRuleError::AllSame);
        }
        if is_digit_run(bytes) {
            return Err(PinRuleError::Sequence);
        }
        if pin.eq_ignore_ascii_case(name.as_str()) {
            return Err(PinRuleError::SameAsName);
        }
        Ok(NewPin(typed))
    }

    /// The PIN, to hand to the hash function.
    pub fn secret(&self) -> &Zeroizing<String> {
        &self.0
    }
}

impl fmt::Debug for NewPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPin(..)")
    }
}

/// Digits only, each one more (or each one less) than the one before.
fn is_digit_run(bytes: &[u8]) -> bool {
    if !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let steps = |d: i16| {
        bytes.windows(2).all(|w| match (w.first(), w.get(1)) {
            (Some(a), Some(b)) => i16::from(*b) - i16::from(*a) == d,
            _ => false,
        })
    };
    steps(1) || steps(-1)
}

/// Why a text is not a PIN hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinHashFormatError {
    /// Not an Argon2id PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`).
    #[error("not an Argon2id PHC string")]
    NotArgon2id,
    /// Longer than [`MAX_PIN_HASH_LEN`] bytes.
    #[error("a PIN hash is at most {MAX_PIN_HASH_LEN} bytes")]
    TooLong,
}

/// The Argon2id hash of a PIN with its salt and parameters, as a PHC string. Checked here
/// for its form only; `tally_signing::pin` parses it fully when it verifies a PIN.
#[derive(Clone, PartialEq, Eq)]
pub struct PinHash(String);

impl PinHash {
    /// Accepts a PHC string of the form `$argon2id$v=...$m=...,t=...,p=...$salt$hash`
    /// (printable ASCII without spaces, at most [`MAX_PIN_HASH_LEN`] bytes).
    pub fn parse(phc: String) -> Result<PinHash, PinHashFormatError> {
        if phc.len() > MAX_PIN_HASH_LEN {
            return Err(PinHashFormatError::TooLong);
        }
        let parts: Vec<&str> = phc.split('$').collect();
        let well_formed = phc.bytes().all(|b| b.is_ascii_graphic())
            && parts.len() == 6
            && parts.first() == Some(&"")
            && parts.get(1) == Some(&"argon2id")
            && parts.get(2).is_some_and(|v| v.starts_with("v="))
            && parts.get(3).is_some_and(|p| p.starts_with("m="))
            && parts.iter().skip(1).all(|p| !p.is_empty());
        if well_formed {
            Ok(PinHash(phc))
        } else {
            Err(PinHashFormatError::NotArgon2id)
        }
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The salt and hash are no secret, but they clutter every debug print of a registry.
        f.write_str("PinHash(..)")
    }
}

impl serde::Serialize for PinHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for PinHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PinHash, D::Error> {
        let phc = <String as serde::Deserialize>::deserialize(d)?;
        PinHash::parse(phc).map_err(serde::de::Error::custom)
    }
}
