//! Ed25519 keys, fingerprints, the public-key file and the passphrase-encrypted
//! secret-key file.

use std::fmt;
use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::hashcode::format_hash_code;
use crate::text::{Lines, SyntaxError, from_hex_array, parse_decimal, to_hex};

/// The kinds of signed objects. Each kind has its own domain-separation prefix that is
/// signed in front of the object's bytes, so a signature made for one kind never verifies
/// as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedKind {
    /// A certificate, signed by the authority root key.
    Certificate,
    /// A medium's manifest, signed by the body named in its certificate.
    Manifest,
}

impl SignedKind {
    /// The bytes signed in front of the object: ASCII text ending in a NUL byte (which the
    /// text formats can never contain, so no object's bytes can imitate a prefix).
    pub const fn domain(self) -> &'static [u8] {
        match self {
            SignedKind::Certificate => b"tally-appliance v1 certificate\0",
            SignedKind::Manifest => b"tally-appliance v1 manifest\0",
        }
    }

    fn message(self, bytes: &[u8]) -> Vec<u8> {
        let mut m = Vec::with_capacity(self.domain().len().saturating_add(bytes.len()));
        m.extend_from_slice(self.domain());
        m.extend_from_slice(bytes);
        m
    }
}

/// An Ed25519 signature (64 bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", to_hex(&self.0))
    }
}

impl Signature {
    /// Lowercase hexadecimal, 128 digits.
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

/// An Ed25519 secret key (the authority root key or a body key). Wiped from memory when
/// dropped; never printed.
pub struct SecretKey(SigningKey);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(public {})", self.public_key().to_hex())
    }
}

impl SecretKey {
    /// A new random key from the operating system's random source.
    pub fn generate() -> SecretKey {
        SecretKey(SigningKey::generate(&mut OsRng))
    }

    /// The key with this 32-byte seed (RFC 8032 "private key"); for tests and
    /// known-answer vectors.
    pub fn from_seed(seed: &[u8; 32]) -> SecretKey {
        SecretKey(SigningKey::from_bytes(seed))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// The 32-byte seed, in a buffer wiped when dropped (for key derivation in this crate).
    pub(crate) fn seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// Signs `bytes` as an object of `kind`: the signature covers `kind.domain()` followed
    /// by `bytes`.
    pub fn sign(&self, kind: SignedKind, bytes: &[u8]) -> Signature {
        Signature(self.0.sign(&kind.message(bytes)).to_bytes())
    }
}

/// An Ed25519 public key. Small-order ("weak") keys and non-canonical encodings are refused.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

/// Why a public key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicKeyError {
    /// The 32 bytes are not a valid Ed25519 point.
    #[error("the 32 bytes are not a valid Ed25519 public key")]
    NotAPoint,
    /// The point has small order: any signature could verify.
    #[error("the public key is a weak (small-order) key")]
    Weak,
    /// The public-key file is malformed.
    #[error("the public-key file is malformed: {0}")]
    Syntax(#[from] SyntaxError),
}

impl PublicKey {
    /// The key from its 32-byte encoding.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, PublicKeyError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| PublicKeyError::NotAPoint)?;
        if key.is_weak() {
            return Err(PublicKeyError::Weak);
        }
        // Refuse non-canonical encodings: the key must re-encode to the same bytes.
        if key.as_bytes() != bytes {
            return Err(PublicKeyError::NotAPoint);
        }
        Ok(PublicKey(key))
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Lowercase hexadecimal, 64 digits.
    pub fn to_hex(&self) -> String {
        to_hex(self.0.as_bytes())
    }

    /// The fingerprint: SHA-256 of the 32-byte encoding.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint(Sha256::digest(self.0.as_bytes()).into())
    }

    /// Whether `signature` is a valid signature of this key over `bytes` as an object of
    /// `kind` (strict verification: no malleable or non-canonical signatures).
    pub fn verify(&self, kind: SignedKind, bytes: &[u8], signature: &Signature) -> bool {
        let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
        self.0.verify_strict(&kind.message(bytes), &sig).is_ok()
    }

    /// The public-key file: `tally-public-key v1\npublic-key: <64 hex>\n`.
    pub fn to_file_bytes(&self) -> Vec<u8> {
        format!("{PUBLIC_KEY_MAGIC}\npublic-key: {}\n", self.to_hex()).into_bytes()
    }

    /// Parses a public-key file (strictly; see [`PublicKey::to_file_bytes`]).
    pub fn from_file_bytes(bytes: &[u8]) -> Result<PublicKey, PublicKeyError> {
        let mut lines = Lines::open(bytes, PUBLIC_KEY_MAGIC, &["public-key"])?;
        let key = parse_public_key_field(&lines.field("public-key")?, "public-key")?;
        lines.finish()?;
        Ok(key)
    }
}

const PUBLIC_KEY_MAGIC: &str = "tally-public-key v1";

/// Parses a `public-key`-style field value (64 lowercase hex digits of a valid key).
pub(crate) fn parse_public_key_field(
    f: &crate::text::Field<'_>,
    name: &'static str,
) -> Result<PublicKey, SyntaxError> {
    let bytes: [u8; 32] = from_hex_array(f.value)
        .ok_or_else(|| Lines::bad_value(f, name, "not 64 lowercase hexadecimal digits"))?;
    PublicKey::from_bytes(&bytes).map_err(|e| Lines::bad_value(f, name, e.to_string()))
}

/// The SHA-256 of a public key, shown as 16 groups of 4 lowercase hex digits like the hash
/// codes on the paper reports.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// Lowercase hexadecimal, 64 digits without spaces (as stored in certificates).
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl fmt::Display for Fingerprint {
    /// 16 groups of 4 lowercase hex digits separated by single spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_hash_code(&self.0))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// The Argon2id parameters stored in a secret-key file.
///
/// Every key file written and every key file opened must have parameters between the floor
/// ([`KdfParams::MIN_MEMORY_KIB`], [`KdfParams::MIN_ITERATIONS`]) and the maxima: nothing
/// in a file can lower the floor, so a stolen stick's key costs an attacker at least 64 MiB
/// and 3 passes per guessed passphrase (`docs/hostile-input.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations (time cost).
    pub iterations: u32,
    /// Lanes (parallelism).
    pub parallelism: u32,
}

/// One Argon2id parameter, as named in a key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfParam {
    /// `kdf-memory-kib`: memory in KiB.
    MemoryKib,
    /// `kdf-iterations`: passes over the memory (time cost).
    Iterations,
    /// `kdf-parallelism`: lanes.
    Parallelism,
}

impl KdfParam {
    /// The field's name in a key file (`kdf-memory-kib`, ...).
    pub fn field(self) -> &'static str {
        match self {
            KdfParam::MemoryKib => "kdf-memory-kib",
            KdfParam::Iterations => "kdf-iterations",
            KdfParam::Parallelism => "kdf-parallelism",
        }
    }

    fn describe(self, n: u32) -> String {
        match self {
            KdfParam::MemoryKib if n >= 1024 && n.is_multiple_of(1024) => {
                format!("{n} KiB ({} MiB)", n / 1024)
            }
            KdfParam::MemoryKib => format!("{n} KiB"),
            KdfParam::Iterations | KdfParam::Parallelism => n.to_string(),
        }
    }
}

impl fmt::Display for KdfParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KdfParam::MemoryKib => "memory",
            KdfParam::Iterations => "iterations",
            KdfParam::Parallelism => "parallelism",
        })
    }
}

/// Why Argon2id parameters are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KdfParamsError {
    /// A parameter is below the floor.
    #[error(
        "Argon2id {parameter} ({}) is {}, below the floor of {}",
        .parameter.field(), .parameter.describe(*.value), .parameter.describe(*.floor)
    )]
    BelowFloor {
        /// The parameter.
        parameter: KdfParam,
        /// Its value.
        value: u32,
        /// The floor.
        floor: u32,
    },
    /// A parameter is above the maximum (a hostile file must not make the appliance run
    /// out of memory or time).
    #[error(
        "Argon2id {parameter} ({}) is {}, above the maximum of {}",
        .parameter.field(), .parameter.describe(*.value), .parameter.describe(*.max)
    )]
    AboveMaximum {
        /// The parameter.
        parameter: KdfParam,
        /// Its value.
        value: u32,
        /// The maximum.
        max: u32,
    },
    /// The `argon2` crate refused the parameters or the derivation.
    #[error("Argon2id failed: {0}")]
    Argon2(String),
}

impl KdfParams {
    /// The defaults for real keys, equal to the floor: 64 MiB, 3 iterations, 1 lane (fits
    /// the appliance's 256 MB of RAM; about a second on its hardware).
    pub const DEFAULT: KdfParams = KdfParams::FLOOR;
    /// The cheapest parameters a key file may have: [`KdfParams::MIN_MEMORY_KIB`],
    /// [`KdfParams::MIN_ITERATIONS`], 1 lane.
    pub const FLOOR: KdfParams = KdfParams {
        memory_kib: KdfParams::MIN_MEMORY_KIB,
        iterations: KdfParams::MIN_ITERATIONS,
        parallelism: 1,
    };
    /// The least memory a key file may ask for: 64 MiB (RFC 9106's second recommended
    /// option; OWASP's Argon2id minimum is 19 MiB with 2 passes).
    pub const MIN_MEMORY_KIB: u32 = 65_536;
    /// The fewest passes a key file may ask for: 3 (RFC 9106's second recommended option,
    /// with 64 MiB).
    pub const MIN_ITERATIONS: u32 = 3;
    /// The largest memory a key file may ask for: 256 MiB (a hostile file cannot make the
    /// appliance run out of memory beyond this).
    pub const MAX_MEMORY_KIB: u32 = 262_144;
    /// The largest iteration count a key file may ask for.
    pub const MAX_ITERATIONS: u32 = 64;
    /// The largest parallelism a key file may ask for.
    pub const MAX_PARALLELISM: u32 = 4;

    /// Refuses parameters below the floor or above the maxima, naming the first such
    /// parameter. Every key file is checked with this when written and when opened.
    pub fn check(self) -> Result<(), KdfParamsError> {
        for (parameter, value, floor, max) in [
            (
                KdfParam::MemoryKib,
                self.memory_kib,
                Self::MIN_MEMORY_KIB,
                Self::MAX_MEMORY_KIB,
            ),
            (
                KdfParam::Iterations,
                self.iterations,
                Self::MIN_ITERATIONS,
                Self::MAX_ITERATIONS,
            ),
            (
                KdfParam::Parallelism,
                self.parallelism,
                1,
                Self::MAX_PARALLELISM,
            ),
        ] {
            if value < floor {
                return Err(KdfParamsError::BelowFloor {
                    parameter,
                    value,
                    floor,
                });
            }
            if value > max {
                return Err(KdfParamsError::AboveMaximum {
                    parameter,
                    value,
                    max,
                });
            }
        }
        Ok(())
    }

    fn argon2_params(self) -> Result<argon2::Params, KdfParamsError> {
        self.check()?;
        argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| KdfParamsError::Argon2(e.to_string()))
    }
}

/// Why a secret-key file cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The passphrase does not open this key file.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The passphrase is empty.
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    /// The key file's text is malformed.
    #[error("the key file is malformed: {0}")]
    Syntax(#[from] SyntaxError),
    /// The Argon2id parameters are below the floor or above the maxima.
    #[error("the key file's Argon2id parameters are refused: {0}")]
    KdfParameters(#[from] KdfParamsError),
    /// Encrypting the key failed.
    #[error("encrypting the key failed")]
    Encryption,
    /// The decrypted key does not belong to the public key stated in the file.
    #[error("the decrypted key does not match the key file's public key")]
    KeyMismatch,
    /// Reading or writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

const SECRET_KEY_MAGIC: &str = "tally-secret-key v1";
const SECRET_KEY_FIELDS: &[&str] = &[
    "public-key",
    "kdf",
    "kdf-memory-kib",
    "kdf-iterations",
    "kdf-parallelism",
    "salt",
    "nonce",
    "ciphertext",
];

fn derive_key(
    passphrase: &[u8],
    salt: &[u8; 16],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, KeyFileError> {
    let p = params.argon2_params()?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, out.as_mut())
        .map_err(|e| KdfParamsError::Argon2(e.to_string()))?;
    Ok(out)
}

/// Encrypts `key` under `passphrase` into the secret-key file format, with a fresh random
/// salt and nonce.
pub fn encrypt_secret_key(
    key: &SecretKey,
    passphrase: &[u8],
    params: KdfParams,
) -> Result<Vec<u8>, KeyFileError> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    encrypt_secret_key_with(key, passphrase, params, &salt, &nonce)
}

/// As [`encrypt_secret_key`] with a given salt and nonce (for known-answer tests; never
/// reuse a nonce for real keys).
pub fn encrypt_secret_key_with(
    key: &SecretKey,
    passphrase: &[u8],
    params: KdfParams,
    salt: &[u8; 16],
    nonce: &[u8; 24],
) -> Result<Vec<u8>, KeyFileError> {
    params.check()?;
    if passphrase.is_empty() {
        return Err(KeyFileError::EmptyPassphrase);
    }
    let header = format!(
        "{SECRET_KEY_MAGIC}\npublic-key: {}\nkdf: argon2id\nkdf-memory-kib: {}\nkdf-iterations: {}\nkdf-parallelism: {}\nsalt: {}\nnonce: {}\n",
        key.public_key().to_hex(),
        params.memory_kib,
        params.iterations,
        params.parallelism,
        to_hex(salt),
        to_hex(nonce)
    );
    let k = derive_key(passphrase, salt, params)?;
    let cipher = XChaCha20Poly1305::new(k.as_ref().into());
    let seed = Zeroizing::new(key.0.to_bytes());
    let ct = cipher
        .encrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: seed.as_ref(),
                aad: header.as_bytes(),
            },
        )
        .map_err(|_| KeyFileError::Encryption)?;
    let mut out = header.into_bytes();
    out.extend_from_slice(format!("ciphertext: {}\n", to_hex(&ct)).as_bytes());
    Ok(out)
}

/// The public key stated in a secret-key file, without the passphrase.
pub fn secret_key_file_public_key(bytes: &[u8]) -> Result<PublicKey, KeyFileError> {
    let mut lines = Lines::open(bytes, SECRET_KEY_MAGIC, SECRET_KEY_FIELDS)?;
    Ok(parse_public_key_field(
        &lines.field("public-key")?,
        "public-key",
    )?)
}

/// Decrypts a secret-key file. Argon2id parameters below the floor or above the maxima
/// ([`KdfParams::check`]) give [`KeyFileError::KdfParameters`] before the passphrase is
/// looked at. A wrong passphrase gives [`KeyFileError::WrongPassphrase`] and nothing else. (So does a file whose encrypted part was altered: the two cannot be
/// told apart, by design of the authenticated encryption.)
pub fn decrypt_secret_key(bytes: &[u8], passphrase: &[u8]) -> Result<SecretKey, KeyFileError> {
    let mut lines = Lines::open(bytes, SECRET_KEY_MAGIC, SECRET_KEY_FIELDS)?;
    let public = parse_public_key_field(&lines.field("public-key")?, "public-key")?;
    let kdf = lines.field("kdf")?;
    if kdf.value != "argon2id" {
        return Err(Lines::bad_value(&kdf, "kdf", "only `argon2id` is supported").into());
    }
    let mut number = |name: &'static str| -> Result<u32, SyntaxError> {
        let f = lines.field(name)?;
        parse_decimal(f.value)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| Lines::bad_value(&f, name, "not a decimal number below 2^32"))
    };
    let params = KdfParams {
        memory_kib: number(KdfParam::MemoryKib.field())?,
        iterations: number(KdfParam::Iterations.field())?,
        parallelism: number(KdfParam::Parallelism.field())?,
    };
    let f = lines.field("salt")?;
    let salt: [u8; 16] = from_hex_array(f.value)
        .ok_or_else(|| Lines::bad_value(&f, "salt", "not 32 lowercase hexadecimal digits"))?;
    let f = lines.field("nonce")?;
    let nonce: [u8; 24] = from_hex_array(f.value)
        .ok_or_else(|| Lines::bad_value(&f, "nonce", "not 48 lowercase hexadecimal digits"))?;
    let f = lines.field("ciphertext")?;
    let header = bytes.get(..f.start).unwrap_or_default();
    let ct: [u8; 48] = from_hex_array(f.value)
        .ok_or_else(|| Lines::bad_value(&f, "ciphertext", "not 96 lowercase hexadecimal digits"))?;
    lines.finish()?;
    // Before the passphrase: a file below the floor (or above the maxima) is refused as
    // such, whatever passphrase is typed, and before any work is done for it.
    params.check()?;
    if passphrase.is_empty() {
        return Err(KeyFileError::WrongPassphrase);
    }
    let k = derive_key(passphrase, &salt, params)?;
    let cipher = XChaCha20Poly1305::new(k.as_ref().into());
    let seed = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ct,
                    aad: header,
                },
            )
            .map_err(|_| KeyFileError::WrongPassphrase)?,
    );
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
        seed.as_slice()
            .try_into()
            .map_err(|_| KeyFileError::KeyMismatch)?,
    );
    let key = SecretKey::from_seed(&seed);
    if key.public_key() != public {
        return Err(KeyFileError::KeyMismatch);
    }
    Ok(key)
}

/// Writes a new secret-key file readable and writable by its owner only (mode 0600). An
/// existing file is never overwritten.
pub fn write_secret_key_file(
    path: &Path,
    key: &SecretKey,
    passphrase: &[u8],
    params: KdfParams,
) -> Result<(), KeyFileError> {
    let bytes = encrypt_secret_key(key, passphrase, params)?;
    write_new_file(path, &bytes, 0o600).map_err(|source| KeyFileError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads and decrypts a secret-key file.
pub fn read_secret_key_file(path: &Path, passphrase: &[u8]) -> Result<SecretKey, KeyFileError> {
    let bytes = read_small_file(path, 64 * 1024).map_err(|source| KeyFileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    decrypt_secret_key(&bytes, passphrase)
}

/// Creates `path` (which must not exist) with permission bits `mode`, writes `bytes` and
/// flushes them to the device.
pub fn write_new_file(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Reads a regular file of at most `limit` bytes, refusing symlinks and other non-regular
/// files.
pub fn read_small_file(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    crate::medium::read_regular_file(path, limit).map_err(|e| match e {
        crate::medium::SourceError::Io(io) => io,
        other => std::io::Error::other(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_passphrase_says_so() {
        let key = SecretKey::from_seed(&[7; 32]);
        let file = encrypt_secret_key(&key, b"correct horse", KdfParams::FLOOR).unwrap();
        let back = decrypt_secret_key(&file, b"correct horse").unwrap();
        assert_eq!(back.public_key(), key.public_key());
        let err = decrypt_secret_key(&file, b"correct hors").unwrap_err();
        assert!(matches!(err, KeyFileError::WrongPassphrase));
        assert_eq!(err.to_string(), "wrong passphrase");
        assert!(matches!(
            decrypt_secret_key(&file, b""),
            Err(KeyFileError::WrongPassphrase)
        ));
    }

    #[test]
    fn header_is_authenticated() {
        let key = SecretKey::from_seed(&[7; 32]);
        let file = encrypt_secret_key(&key, b"pw", KdfParams::FLOOR).unwrap();
        let text = String::from_utf8(file).unwrap();
        // Changing the iteration count changes the derived key and the associated data.
        let altered = text.replace("kdf-iterations: 3\n", "kdf-iterations: 4\n");
        assert!(matches!(
            decrypt_secret_key(altered.as_bytes(), b"pw"),
            Err(KeyFileError::WrongPassphrase)
        ));
    }

    #[test]
    fn hostile_parameters_refused_before_use() {
        let key = SecretKey::from_seed(&[7; 32]);
        let file = encrypt_secret_key(&key, b"pw", KdfParams::FLOOR).unwrap();
        let text = String::from_utf8(file).unwrap();
        let altered = text.replace("kdf-memory-kib: 65536\n", "kdf-memory-kib: 4194304\n");
        assert!(matches!(
            decrypt_secret_key(altered.as_bytes(), b"pw"),
            Err(KeyFileError::KdfParameters(KdfParamsError::AboveMaximum {
                parameter: KdfParam::MemoryKib,
                value: 4_194_304,
                max: 262_144
            }))
        ));
    }

    #[test]
    fn parameters_below_the_floor_are_never_written() {
        let key = SecretKey::from_seed(&[7; 32]);
        for (params, parameter, value, floor) in [
            (
                KdfParams {
                    memory_kib: 8,
                    ..KdfParams::FLOOR
                },
                KdfParam::MemoryKib,
                8,
                65_536,
            ),
            (
                KdfParams {
                    iterations: 1,
                    ..KdfParams::FLOOR
                },
                KdfParam::Iterations,
                1,
                3,
            ),
            (
                KdfParams {
                    parallelism: 0,
                    ..KdfParams::FLOOR
                },
                KdfParam::Parallelism,
                0,
                1,
            ),
        ] {
            let expected = KdfParamsError::BelowFloor {
                parameter,
                value,
                floor,
            };
            assert_eq!(params.check(), Err(expected.clone()));
            match encrypt_secret_key(&key, b"pw", params) {
                Err(KeyFileError::KdfParameters(e)) => assert_eq!(e, expected),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(KdfParams::FLOOR.check(), Ok(()));
        assert_eq!(KdfParams::DEFAULT, KdfParams::FLOOR);
        assert_eq!(
            KdfParams {
                memory_kib: 8,
                iterations: 1,
                parallelism: 1
            }
            .check()
            .unwrap_err()
            .to_string(),
            "Argon2id memory (kdf-memory-kib) is 8 KiB, below the floor of 65536 KiB (64 MiB)"
        );
    }

    #[test]
    fn a_key_file_below_the_floor_is_refused_whatever_the_passphrase() {
        // A file made as the old cheap test parameters made it (64 KiB, 1 pass): written
        // here field by field, as nothing in the crate writes such a file any more.
        let key = SecretKey::from_seed(&[7; 32]);
        let file = encrypt_secret_key(&key, b"pw", KdfParams::FLOOR).unwrap();
        let text = String::from_utf8(file).unwrap();
        for (from, to, expected) in [
            (
                "kdf-memory-kib: 65536\n",
                "kdf-memory-kib: 64\n",
                KdfParamsError::BelowFloor {
                    parameter: KdfParam::MemoryKib,
                    value: 64,
                    floor: 65_536,
                },
            ),
            (
                "kdf-iterations: 3\n",
                "kdf-iterations: 1\n",
                KdfParamsError::BelowFloor {
                    parameter: KdfParam::Iterations,
                    value: 1,
                    floor: 3,
                },
            ),
        ] {
            let weak = text.replace(from, to);
            for pass in [&b"pw"[..], b"wrong", b""] {
                match decrypt_secret_key(weak.as_bytes(), pass) {
                    Err(KeyFileError::KdfParameters(e)) => assert_eq!(e, expected),
                    other => panic!("{other:?}"),
                }
            }
        }
        let weak = text.replace("kdf-iterations: 3\n", "kdf-iterations: 1\n");
        assert_eq!(
            decrypt_secret_key(weak.as_bytes(), b"pw")
                .unwrap_err()
                .to_string(),
            "the key file's Argon2id parameters are refused: Argon2id iterations (kdf-iterations) is 1, below the floor of 3"
        );
    }

    #[test]
    fn key_file_is_owner_only_and_never_overwritten() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("body.key");
        let key = SecretKey::from_seed(&[9; 32]);
        write_secret_key_file(&path, &key, b"pw", KdfParams::FLOOR).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(matches!(
            write_secret_key_file(&path, &key, b"pw", KdfParams::FLOOR),
            Err(KeyFileError::Io { .. })
        ));
        let back = read_secret_key_file(&path, b"pw").unwrap();
        assert_eq!(back.public_key(), key.public_key());
    }

    #[test]
    fn public_key_file_round_trip() {
        let key = SecretKey::from_seed(&[3; 32]).public_key();
        let bytes = key.to_file_bytes();
        assert_eq!(PublicKey::from_file_bytes(&bytes).unwrap(), key);
        let upper = String::from_utf8(bytes).unwrap().to_uppercase();
        assert!(PublicKey::from_file_bytes(upper.as_bytes()).is_err());
    }

    #[test]
    fn weak_keys_refused() {
        // The identity point (small order).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(PublicKey::from_bytes(&identity), Err(PublicKeyError::Weak));
    }

    #[test]
    fn domains_separate_signatures() {
        let key = SecretKey::from_seed(&[5; 32]);
        let sig = key.sign(SignedKind::Certificate, b"abc");
        assert!(
            key.public_key()
                .verify(SignedKind::Certificate, b"abc", &sig)
        );
        assert!(!key.public_key().verify(SignedKind::Manifest, b"abc", &sig));
    }
}
