//! Secure Boot keys and a firmware variable store with them enrolled.
//!
//! The appliance's firmware trusts only the project's own keys: PK (platform key), KEK (key
//! exchange key) and db (the key that signs the image). [`create_secure_boot_keys`] makes them
//! as self-signed X.509 certificates with `openssl` (RSA 2048 and SHA-256, what UEFI firmware
//! supports everywhere); the provisioning tool calls it. [`enroll_ovmf_vars`] writes an OVMF
//! variable store with them enrolled and Secure Boot on (`virt-fw-vars` from PyPI's
//! `virt-firmware`), for QEMU.
//!
//! **At rest** the authority's private keys are sealed ([`seal_private_key`]): the PEM encrypted
//! with XChaCha20-Poly1305 under a key derived from the authority's passphrase with Argon2id, at
//! least 64 MiB and 3 passes (`tally_signing::KdfParams`, the floor of every other key file).
//! `tally-provision secure-boot-keys` writes only sealed `.key` files; `tally-image build` opens
//! the db key with the passphrase before it builds anything ([`open_sealed_private_key`]) and
//! writes the PEM, for `sbsign` alone, into a private temporary file that is overwritten and
//! removed right after ([`PrivateKeyFile`]). The unsealed key pairs [`create_secure_boot_keys`]
//! makes are the tests' throw-away keys (and the provisioning tool's, in a private temporary
//! folder, before it seals them).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use tally_signing::{KdfParams, KdfParamsError};
use zeroize::Zeroizing;

use crate::build::{BuildError, create_dir_all, run};

/// The owner GUID recorded with the enrolled certificates (the project's own, fixed).
pub const OWNER_GUID: &str = "7a11e7a1-6e5c-4b0a-9a1d-7a11e7a10001";

/// OVMF's variable store template (Debian package `ovmf`, 4 MB flash layout).
pub const OVMF_VARS_TEMPLATE: &str = "/usr/share/OVMF/OVMF_VARS_4M.fd";

/// OVMF's firmware with Secure Boot and SMM (Debian package `ovmf`).
pub const OVMF_CODE_SECBOOT: &str = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd";

/// A key pair on disk: private key and certificate, both PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// The private key (PEM, unencrypted: keep it on the provisioning machine only).
    pub key: PathBuf,
    /// The self-signed certificate (PEM).
    pub cert: PathBuf,
}

/// The three Secure Boot keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecureBootKeys {
    /// Platform key.
    pub pk: KeyPair,
    /// Key exchange key.
    pub kek: KeyPair,
    /// Signature database key: signs the image.
    pub db: KeyPair,
}

impl SecureBootKeys {
    /// The key files in `dir` as [`create_secure_boot_keys`] names them.
    pub fn in_dir(dir: &Path) -> SecureBootKeys {
        let pair = |n: &str| KeyPair {
            key: dir.join(format!("{n}.key")),
            cert: dir.join(format!("{n}.crt")),
        };
        SecureBootKeys {
            pk: pair("PK"),
            kek: pair("KEK"),
            db: pair("db"),
        }
    }
}

/// Creates PK, KEK and db in `dir` (`PK.key`, `PK.crt`, ...), named "`<name>` PK" and so on,
/// valid for `days` days. Overwrites existing files.
pub fn create_secure_boot_keys(
    dir: &Path,
    name: &str,
    days: u32,
) -> Result<SecureBootKeys, BuildError> {
    create_dir_all(dir)?;
    let keys = SecureBootKeys::in_dir(dir);
    for (role, pair) in [("PK", &keys.pk), ("KEK", &keys.kek), ("db", &keys.db)] {
        // The subject goes in as one argument; keep it to characters openssl takes literally.
        let cn: String = format!("{name} {role}")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
            .collect();
        run(Command::new("openssl")
            .args([
                "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
            ])
            .args(["-days", &days.to_string()])
            .args(["-subj", &format!("/CN={cn}/")])
            .arg("-keyout")
            .arg(&pair.key)
            .arg("-out")
            .arg(&pair.cert))?;
    }
    Ok(keys)
}

/// Writes an OVMF variable store (from `template`) with PK, KEK and db enrolled and Secure Boot
/// enabled, to `out`.
pub fn enroll_ovmf_vars(
    keys: &SecureBootKeys,
    template: &Path,
    out: &Path,
) -> Result<(), BuildError> {
    run(Command::new("virt-fw-vars")
        .arg("--input")
        .arg(template)
        .arg("--output")
        .arg(out)
        .arg("--set-pk")
        .arg(OWNER_GUID)
        .arg(&keys.pk.cert)
        .arg("--add-kek")
        .arg(OWNER_GUID)
        .arg(&keys.kek.cert)
        .arg("--add-db")
        .arg(OWNER_GUID)
        .arg(&keys.db.cert)
        .arg("--secure-boot"))?;
    Ok(())
}

/// A passphrase held in memory that is zeroed when dropped; its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Takes a passphrase.
    pub fn new(p: impl Into<String>) -> Passphrase {
        Passphrase(Zeroizing::new(p.into()))
    }

    /// Its bytes (UTF-8).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

/// The first line of a sealed private-key file.
pub const SEALED_KEY_MAGIC: &str = "tally-sealed-private-key v1";

/// The largest sealed key file read (an RSA 4096 PEM is about 3.3 KB).
const SEALED_KEY_MAX_BYTES: u64 = 64 * 1024;

/// Why a private key cannot be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum SealedKeyError {
    /// The passphrase does not open the file (or the file's encrypted part was altered: the two
    /// cannot be told apart, by design of the authenticated encryption).
    #[error("wrong passphrase (or an altered key file)")]
    WrongPassphrase,
    /// The passphrase is empty.
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    /// The file is a private key in plain PEM: Secure Boot keys are kept sealed.
    #[error(
        "an unencrypted PEM private key; Secure Boot private keys are kept encrypted with the authority's passphrase (make them with `tally-provision secure-boot-keys`)"
    )]
    Unencrypted,
    /// The file is not a sealed key file.
    #[error("not a sealed private-key file: {0}")]
    Malformed(String),
    /// The Argon2id parameters are below the floor or above the maxima.
    #[error("the key file's Argon2id parameters are refused: {0}")]
    KdfParameters(#[from] KdfParamsError),
    /// The key could not be encrypted.
    #[error("encrypting the key failed")]
    Encryption,
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn derive_key(
    passphrase: &[u8],
    salt: &[u8; 16],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, SealedKeyError> {
    params.check()?;
    let p = argon2::Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(32),
    )
    .map_err(|e| KdfParamsError::Argon2(e.to_string()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, out.as_mut())
        .map_err(|e| KdfParamsError::Argon2(e.to_string()))?;
    Ok(out)
}

fn header(params: KdfParams, salt: &[u8; 16], nonce: &[u8; 24]) -> String {
    format!(
        "{SEALED_KEY_MAGIC}\nkdf: argon2id\nkdf-memory-kib: {}\nkdf-iterations: {}\nkdf-parallelism: {}\nsalt: {}\nnonce: {}\n",
        params.memory_kib,
        params.iterations,
        params.parallelism,
        hex::encode(salt),
        hex::encode(nonce)
    )
}

/// Whether `bytes` look like a private key in plain PEM.
pub fn is_plain_pem_private_key(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"PRIVATE KEY")
}

/// Seals a private key (its PEM bytes) under `passphrase`: the sealed-key file's bytes, with a
/// fresh random salt and nonce. The header (parameters, salt, nonce) is authenticated with the
/// ciphertext.
pub fn seal_private_key(
    pem: &[u8],
    passphrase: &[u8],
    params: KdfParams,
) -> Result<Vec<u8>, SealedKeyError> {
    if passphrase.is_empty() {
        return Err(SealedKeyError::EmptyPassphrase);
    }
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let head = header(params, &salt, &nonce);
    let k = derive_key(passphrase, &salt, params)?;
    let ct = XChaCha20Poly1305::new(k.as_ref().into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: pem,
                aad: head.as_bytes(),
            },
        )
        .map_err(|_| SealedKeyError::Encryption)?;
    let mut out = head.into_bytes();
    out.extend_from_slice(format!("ciphertext: {}\n", hex::encode(ct)).as_bytes());
    Ok(out)
}

/// Opens a sealed private-key file: the PEM bytes. A plain PEM key is refused
/// ([`SealedKeyError::Unencrypted`]); parameters below the floor are refused before the
/// passphrase is looked at; a wrong passphrase gives [`SealedKeyError::WrongPassphrase`].
pub fn open_sealed_private_key(
    bytes: &[u8],
    passphrase: &[u8],
) -> Result<Zeroizing<Vec<u8>>, SealedKeyError> {
    let malformed = |why: &str| SealedKeyError::Malformed(why.to_string());
    let text = std::str::from_utf8(bytes).map_err(|_| {
        if is_plain_pem_private_key(bytes) {
            SealedKeyError::Unencrypted
        } else {
            malformed("not text")
        }
    })?;
    let mut lines = text.split_inclusive('\n');
    if lines.next() != Some(&format!("{SEALED_KEY_MAGIC}\n")) {
        return Err(if is_plain_pem_private_key(bytes) {
            SealedKeyError::Unencrypted
        } else {
            malformed(&format!("the first line is not `{SEALED_KEY_MAGIC}`"))
        });
    }
    let mut field = |name: &str| -> Result<&str, SealedKeyError> {
        lines
            .next()
            .and_then(|l| l.strip_suffix('\n'))
            .and_then(|l| l.strip_prefix(name))
            .and_then(|l| l.strip_prefix(": "))
            .ok_or_else(|| malformed(&format!("expected the field `{name}`")))
    };
    let number = |v: &str, name: &str| -> Result<u32, SealedKeyError> {
        if v.is_empty() || v.len() > 10 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed(&format!("`{name}` is not a decimal number")));
        }
        v.parse()
            .map_err(|_| malformed(&format!("`{name}` is too large")))
    };
    if field("kdf")? != "argon2id" {
        return Err(malformed("only `kdf: argon2id` is supported"));
    }
    let params = KdfParams {
        memory_kib: number(field("kdf-memory-kib")?, "kdf-memory-kib")?,
        iterations: number(field("kdf-iterations")?, "kdf-iterations")?,
        parallelism: number(field("kdf-parallelism")?, "kdf-parallelism")?,
    };
    let salt: [u8; 16] = hex::decode(field("salt")?)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| malformed("`salt` is not 32 hexadecimal digits"))?;
    let nonce: [u8; 24] = hex::decode(field("nonce")?)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| malformed("`nonce` is not 48 hexadecimal digits"))?;
    let ct = hex::decode(field("ciphertext")?)
        .map_err(|_| malformed("`ciphertext` is not hexadecimal"))?;
    if lines.next().is_some() {
        return Err(malformed("text after the ciphertext"));
    }
    // The header is exactly what `seal_private_key` wrote (checked field by field above), so
    // it can be rebuilt for the authentication.
    let head = header(params, &salt, &nonce);
    if !text.starts_with(&head) {
        return Err(malformed("the header is not in its canonical form"));
    }
    params.check()?;
    if passphrase.is_empty() {
        return Err(SealedKeyError::WrongPassphrase);
    }
    let k = derive_key(passphrase, &salt, params)?;
    let pem = XChaCha20Poly1305::new(k.as_ref().into())
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &ct,
                aad: head.as_bytes(),
            },
        )
        .map_err(|_| SealedKeyError::WrongPassphrase)?;
    Ok(Zeroizing::new(pem))
}

/// Reads and opens a sealed private-key file (at most 64 KiB, a regular file).
pub fn read_sealed_private_key(
    path: &Path,
    passphrase: &[u8],
) -> Result<Zeroizing<Vec<u8>>, SealedKeyError> {
    let bytes =
        tally_signing::keys::read_small_file(path, SEALED_KEY_MAX_BYTES).map_err(|source| {
            SealedKeyError::Io {
                path: path.to_path_buf(),
                source,
            }
        })?;
    open_sealed_private_key(&bytes, passphrase)
}

/// Seals `pem` and writes it to `path`, which must not exist, with mode 0600.
pub fn write_sealed_private_key(
    path: &Path,
    pem: &[u8],
    passphrase: &[u8],
    params: KdfParams,
) -> Result<(), SealedKeyError> {
    let bytes = seal_private_key(pem, passphrase, params)?;
    tally_signing::keys::write_new_file(path, &bytes, 0o600).map_err(|source| SealedKeyError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A private folder for key material in the clear: mode 0700, on `/dev/shm` (memory, never a
/// disk) where there is one, else in the temporary folder. Every file in it is overwritten with
/// zeroes and removed when it is dropped.
#[derive(Debug)]
pub struct PrivateDir {
    dir: tempfile::TempDir,
}

impl PrivateDir {
    /// Makes the folder.
    pub fn new() -> Result<PrivateDir, SealedKeyError> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".tally-keys-");
        let shm = Path::new("/dev/shm");
        let dir = match builder.tempdir_in(shm) {
            Ok(d) => d,
            Err(_) => builder.tempdir().map_err(|source| SealedKeyError::Io {
                path: std::env::temp_dir(),
                source,
            })?,
        };
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).map_err(
            |source| SealedKeyError::Io {
                path: dir.path().to_path_buf(),
                source,
            },
        )?;
        Ok(PrivateDir { dir })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        if let Ok(entries) = std::fs::read_dir(self.dir.path()) {
            for e in entries.flatten() {
                let regular = e.file_type().is_ok_and(|t| t.is_file());
                if let (true, Ok(meta)) = (regular, e.metadata())
                    && let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(e.path())
                {
                    let zeroes = vec![0u8; usize::try_from(meta.len()).unwrap_or(0)];
                    let _ = f.write_all(&zeroes);
                    let _ = f.sync_all();
                }
                let _ = std::fs::remove_file(e.path());
            }
        }
        // TempDir's own drop removes the (now empty) folder.
    }
}

/// A private key in PEM, in the clear, in a [`PrivateDir`] (mode 0600) for one external tool
/// (`sbsign`, `sign-efi-sig-list`) to read; overwritten and removed when dropped.
#[derive(Debug)]
pub struct PrivateKeyFile {
    dir: PrivateDir,
    path: PathBuf,
}

impl PrivateKeyFile {
    /// Writes `pem` into a new private folder.
    pub fn new(pem: &[u8]) -> Result<PrivateKeyFile, SealedKeyError> {
        let dir = PrivateDir::new()?;
        let path = dir.path().join("key.pem");
        tally_signing::keys::write_new_file(&path, pem, 0o600).map_err(|source| {
            SealedKeyError::Io {
                path: path.clone(),
                source,
            }
        })?;
        Ok(PrivateKeyFile { dir, path })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder it is in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &[u8] = b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";

    #[test]
    fn sealed_keys_open_with_the_passphrase_only() {
        let sealed = seal_private_key(PEM, b"correct horse", KdfParams::FLOOR).unwrap();
        assert!(sealed.starts_with(SEALED_KEY_MAGIC.as_bytes()));
        assert!(!is_plain_pem_private_key(&sealed));
        assert!(!sealed.windows(5).any(|w| w == b"-----"));
        let text = String::from_utf8(sealed.clone()).unwrap();
        assert!(
            text.contains("\nkdf-memory-kib: 65536\nkdf-iterations: 3\n"),
            "{text}"
        );
        assert_eq!(
            open_sealed_private_key(&sealed, b"correct horse")
                .unwrap()
                .as_slice(),
            PEM
        );
        assert!(matches!(
            open_sealed_private_key(&sealed, b"correct hors"),
            Err(SealedKeyError::WrongPassphrase)
        ));
        assert!(matches!(
            open_sealed_private_key(&sealed, b""),
            Err(SealedKeyError::WrongPassphrase)
        ));
        // The header is authenticated: another parameter (even a stronger one) is refused.
        let tampered = text.replace("kdf-iterations: 3", "kdf-iterations: 4");
        assert!(matches!(
            open_sealed_private_key(tampered.as_bytes(), b"correct horse"),
            Err(SealedKeyError::WrongPassphrase)
        ));
    }

    #[test]
    fn plain_weak_and_malformed_files_are_refused() {
        assert!(matches!(
            open_sealed_private_key(PEM, b"x"),
            Err(SealedKeyError::Unencrypted)
        ));
        assert!(matches!(
            seal_private_key(PEM, b"", KdfParams::FLOOR),
            Err(SealedKeyError::EmptyPassphrase)
        ));
        let weak = KdfParams {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        };
        assert!(matches!(
            seal_private_key(PEM, b"pass", weak),
            Err(SealedKeyError::KdfParameters(_))
        ));
        let sealed =
            String::from_utf8(seal_private_key(PEM, b"correct horse", KdfParams::FLOOR).unwrap())
                .unwrap();
        // Below the floor: refused before the passphrase is looked at.
        let low = sealed.replace("kdf-memory-kib: 65536", "kdf-memory-kib: 8");
        assert!(matches!(
            open_sealed_private_key(low.as_bytes(), b"correct horse"),
            Err(SealedKeyError::KdfParameters(_))
        ));
        for bad in [
            sealed.replace("kdf: argon2id", "kdf: scrypt"),
            sealed.replace("salt: ", "salt: zz"),
            format!("{sealed}extra\n"),
            sealed.replace("kdf-iterations: 3", "kdf-iterations: 03"),
            String::new(),
        ] {
            assert!(
                matches!(
                    open_sealed_private_key(bad.as_bytes(), b"correct horse"),
                    Err(SealedKeyError::Malformed(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_private_key_file_is_private_and_gone_after_use() {
        use std::os::unix::fs::PermissionsExt as _;
        let f = PrivateKeyFile::new(PEM).unwrap();
        let path = f.path().to_path_buf();
        let dir = f.dir().to_path_buf();
        assert_eq!(std::fs::read(&path).unwrap(), PEM);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        drop(f);
        assert!(!path.exists());
        assert!(!dir.exists());
    }
}
