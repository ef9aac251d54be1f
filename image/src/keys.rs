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

/// The GUID of `EFI_CERT_SHA256` signature lists (one SHA-256 per entry), as stored.
const EFI_CERT_SHA256: [u8; 16] = [
    0x26, 0x16, 0xc4, 0xc1, 0x4c, 0x50, 0x92, 0x40, 0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28,
];

/// A `dbx` update withdrawing signed images (see `docs/image.md`, "Withdrawing an image").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbxUpdate {
    /// The EFI signature list (`EFI_CERT_SHA256`, one entry per image).
    pub esl: PathBuf,
    /// The list signed by KEK for an authenticated *append* write to `dbx` (keeps what is there).
    pub auth: PathBuf,
    /// The Authenticode SHA-256 of each image withdrawn (lower-case hex), in the order given.
    pub hashes: Vec<String>,
}

/// The SHA-256 hashes in an `EFI_CERT_SHA256` signature list (`None` if it is not one).
pub fn sha256_list_entries(esl: &[u8]) -> Option<Vec<String>> {
    let u32_at = |at: usize| -> Option<usize> {
        let b: [u8; 4] = esl.get(at..at.checked_add(4)?)?.try_into().ok()?;
        usize::try_from(u32::from_le_bytes(b)).ok()
    };
    let mut at = 0;
    let mut out = Vec::new();
    while at < esl.len() {
        if esl.get(at..at.checked_add(16)?)? != EFI_CERT_SHA256 {
            return None;
        }
        let list = u32_at(at.checked_add(16)?)?;
        let header = u32_at(at.checked_add(20)?)?;
        let size = u32_at(at.checked_add(24)?)?;
        if size != 48 || list < 28 {
            return None;
        }
        let first = at.checked_add(28)?.checked_add(header)?;
        let end = at.checked_add(list)?;
        let mut e = first;
        while e < end {
            let hash = esl.get(e.checked_add(16)?..e.checked_add(48)?)?;
            out.push(hex::encode(hash));
            e = e.checked_add(size)?;
        }
        if e != end {
            return None;
        }
        at = end;
    }
    (!out.is_empty()).then_some(out)
}

/// Checks that `pe` is a signed EFI program (PE32 or PE32+ with an Authenticode certificate
/// table). Only a signed image can boot, so only a signed image is withdrawn; and efitools'
/// `hash-to-efi-sig-list` hashes a file padded to 8 bytes, which is the firmware's hash only for
/// a signed image (`sbsign` pads before appending the signature).
pub fn check_signed_efi(pe: &[u8]) -> Result<(), &'static str> {
    let u16_at = |at: usize| {
        let b: [u8; 2] = pe.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(u16::from_le_bytes(b))
    };
    let u32_at = |at: usize| {
        let b: [u8; 4] = pe.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(u32::from_le_bytes(b))
    };
    if pe.get(..2) != Some(b"MZ".as_slice()) {
        return Err("not an EFI program (no MZ header)");
    }
    let at = u32_at(0x3c)
        .and_then(|o| usize::try_from(o).ok())
        .ok_or("no PE header")?;
    if pe.get(at..at.saturating_add(4)) != Some(b"PE\0\0".as_slice()) {
        return Err("not an EFI program (no PE header)");
    }
    let opt = at.saturating_add(24);
    let cert_dir = match u16_at(opt) {
        Some(0x20b) => opt.saturating_add(144),
        Some(0x10b) => opt.saturating_add(128),
        _ => return Err("not an EFI program (unknown optional header)"),
    };
    match u32_at(cert_dir.saturating_add(4)) {
        Some(size) if size > 0 => Ok(()),
        _ => Err("not signed: an unsigned image never boots, there is nothing to withdraw"),
    }
}

/// The most of an EFI program [`check_signed_efi_file`] reads: the headers it looks at sit in
/// the first few hundred bytes (the PE header's offset at 0x3c, its optional header after it).
const EFI_HEADER_BYTES: u64 = 64 * 1024;

/// [`check_signed_efi`] on the file at `path`: a regular file only (not following a symbolic
/// link: a device or FIFO named on the command line is refused), of which only the headers
/// ([`EFI_HEADER_BYTES`]) are read.
///
/// # Errors
/// The file cannot be read, is not a regular file, or is not a signed EFI program.
pub fn check_signed_efi_file(path: &Path) -> Result<(), std::io::Error> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut head = Vec::new();
    f.take(EFI_HEADER_BYTES).read_to_end(&mut head)?;
    check_signed_efi(&head).map_err(std::io::Error::other)
}

/// `stem` with `.ext` added (not replacing anything after a dot: `withdraw-0.1.0` gives
/// `withdraw-0.1.0.auth`).
pub fn with_added_extension(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_os_string();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Makes the `dbx` update that withdraws `images` (signed EFI programs): their Authenticode
/// SHA-256 hashes in an EFI signature list (efitools' `hash-to-efi-sig-list`, which computes the
/// hash the firmware compares: the PE image without its checksum and signature), signed with
/// the KEK (`kek_key`, PEM, `kek_cert`) by `sign-efi-sig-list -a` for an append write, as
/// `<out_stem>.esl` and `<out_stem>.auth`. Existing files are not overwritten; an image that is
/// not signed is refused ([`check_signed_efi`]).
pub fn dbx_update(
    images: &[&Path],
    kek_key: &Path,
    kek_cert: &Path,
    out_stem: &Path,
) -> Result<DbxUpdate, BuildError> {
    let esl = with_added_extension(out_stem, "esl");
    let auth = with_added_extension(out_stem, "auth");
    for p in [&esl, &auth] {
        // A dangling link is there too: never written through.
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(BuildError::Io {
                path: p.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "exists already; not overwritten",
                ),
            });
        }
    }
    if images.is_empty() {
        return Err(BuildError::Io {
            path: out_stem.to_path_buf(),
            source: std::io::Error::other("no image to withdraw"),
        });
    }
    for image in images {
        check_signed_efi_file(image).map_err(|source| BuildError::Io {
            path: image.to_path_buf(),
            source,
        })?;
    }
    if let Some(parent) = out_stem.parent() {
        create_dir_all(parent)?;
    }
    let mut hash = Command::new("hash-to-efi-sig-list");
    hash.args(images).arg(&esl);
    run(&mut hash)?;
    let list = crate::build::read(&esl)?;
    let hashes = sha256_list_entries(&list)
        .filter(|h| h.len() == images.len())
        .ok_or_else(|| BuildError::Io {
            path: esl.clone(),
            source: std::io::Error::other(
                "hash-to-efi-sig-list did not write one SHA-256 entry per image",
            ),
        })?;
    run(Command::new("sign-efi-sig-list")
        .args(["-a", "-g", OWNER_GUID, "-k"])
        .arg(kek_key)
        .arg("-c")
        .arg(kek_cert)
        .arg("dbx")
        .arg(&esl)
        .arg(&auth))?;
    // sign-efi-sig-list makes its output 0600; the update is public.
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&auth, std::fs::Permissions::from_mode(0o644)).map_err(|source| {
        BuildError::Io {
            path: auth.clone(),
            source,
        }
    })?;
    Ok(DbxUpdate { esl, auth, hashes })
}

/// Writes an OVMF variable store: `input` with the `dbx` updates (`.auth` files) appended and
/// boot entries for `boot_files` (ESP paths, `\EFI\OLD\TALLY.EFI`) first in `BootOrder`
/// (`virt-fw-vars --add-dbx`, `--append-boot-filepath`: a file path the firmware looks for on
/// every file system it has), for QEMU.
pub fn ovmf_vars_with(
    input: &Path,
    dbx_updates: &[&Path],
    boot_files: &[&str],
    out: &Path,
) -> Result<(), BuildError> {
    let mut cmd = Command::new("virt-fw-vars");
    cmd.arg("--input").arg(input).arg("--output").arg(out);
    for d in dbx_updates {
        cmd.arg("--add-dbx").arg(d);
    }
    for f in boot_files {
        cmd.arg("--append-boot-filepath").arg(f);
    }
    run(&mut cmd)?;
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

/// Held by every test of this crate that makes a [`PrivateDir`], so that a test checking what
/// this process left in `/dev/shm` does not see another test's folder in use.
#[cfg(test)]
pub(crate) static PRIVATE_DIR_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A private folder for key material in the clear: mode 0700, on `/dev/shm` (memory, never a
/// disk) where there is one, else in the temporary folder, named
/// `.tally-keys-<process id>-<random>` (so that a check for what a process left behind looks at
/// that process's folders only). Every file in it is overwritten with zeroes and removed when
/// it is dropped.
#[derive(Debug)]
pub struct PrivateDir {
    dir: tempfile::TempDir,
}

impl PrivateDir {
    /// Makes the folder.
    pub fn new() -> Result<PrivateDir, SealedKeyError> {
        let mut builder = tempfile::Builder::new();
        let prefix = Self::prefix_of(std::process::id());
        builder.prefix(&prefix);
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

    /// The start of the name of every private folder made by process `pid`.
    pub fn prefix_of(pid: u32) -> String {
        format!(".tally-keys-{pid}-")
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

    #[test]
    fn a_dbx_update_holds_the_authenticode_hash_signed_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let keys = create_secure_boot_keys(&dir.path().join("k"), "Test", 30).unwrap();
        let stub = Path::new(crate::build::EFI_STUB);
        let signed = dir.path().join("signed.efi");
        crate::build::sign(stub, &keys.db.key, &keys.db.cert, &signed).unwrap();
        // An unsigned image is refused: it never boots.
        assert!(
            dbx_update(
                &[stub],
                &keys.kek.key,
                &keys.kek.cert,
                &dir.path().join("x")
            )
            .unwrap_err()
            .to_string()
            .contains("not signed")
        );
        let resigned = dir.path().join("resigned.efi");
        crate::build::sign(&signed, &keys.db.key, &keys.db.cert, &resigned).unwrap();
        let u = dbx_update(
            &[&resigned, &signed],
            &keys.kek.key,
            &keys.kek.cert,
            &dir.path().join("out/withdraw"),
        )
        .unwrap();
        // The firmware's hash leaves the signatures out: one image signed once or twice, one
        // hash; it is not the hash of the file.
        assert_eq!(u.hashes.len(), 2);
        assert_eq!(u.hashes[0], u.hashes[1]);
        assert_ne!(
            u.hashes[1],
            crate::build::sha256_hex(&std::fs::read(&signed).unwrap())
        );
        // The signed update carries the list after its authentication header.
        let esl = std::fs::read(&u.esl).unwrap();
        let auth = std::fs::read(&u.auth).unwrap();
        assert!(auth.len() > esl.len() && auth.ends_with(&esl));
        // Never overwritten.
        let again = dbx_update(
            &[&signed],
            &keys.kek.key,
            &keys.kek.cert,
            &dir.path().join("out/withdraw"),
        );
        assert!(again.is_err());
        assert_eq!(std::fs::read(&u.esl).unwrap(), esl);
        // A list that is not SHA-256 entries is not read as one.
        assert_eq!(sha256_list_entries(&esl[..esl.len() - 1]), None);
        assert_eq!(sha256_list_entries(b"not a list"), None);
    }

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
        let _one_at_a_time = PRIVATE_DIR_TESTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
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
