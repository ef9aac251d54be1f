//! Signed media: a folder with payload files, `manifest.txt` and `manifest.sig`.
//!
//! Verification runs over a [`MediumSource`] (name -> bytes), so the USB code and the
//! demo folders share one verifier: [`DirSource`] reads a folder, [`MemorySource`] holds
//! the files in memory.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::certificate::Certificate;
use crate::error::{SignError, VerifyError};
use crate::hashcode::sha256;
use crate::keys::{PublicKey, SecretKey, Signature, SignedKind};
use crate::manifest::{
    ContentKind, FOLDER_SUFFIX, Limits, MANIFEST_FILE, Manifest, ManifestEntry, SIGNATURE_FILE,
    check_file_name,
};
use crate::text::{from_hex_array, to_hex};
use crate::time::Timestamp;

/// Why a source cannot give a file.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// There is no file of that name.
    #[error("not found")]
    NotFound,
    /// The name is a symlink, folder, device or other non-regular file.
    #[error("not a regular file")]
    NotRegularFile,
    /// The file is longer than the limit given.
    #[error("longer than {limit} bytes")]
    TooLarge {
        /// The limit that was given.
        limit: u64,
    },
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Writing the copy failed ([`MediumSource::copy_hashed`]).
    #[error("cannot write the copy: {0}")]
    Write(std::io::Error),
}

/// Where the files of a medium come from: a folder, a USB stick's file system, memory.
pub trait MediumSource {
    /// The names of all entries of the medium's folder (files and anything else), for
    /// reporting the ones not listed in the manifest. Never used to decide what to read.
    fn list(&self) -> Result<Vec<String>, SourceError>;

    /// The whole content of the regular file `name` (a plain name, already checked),
    /// read once. Must refuse symlinks and non-regular files with
    /// [`SourceError::NotRegularFile`], and files longer than `max_len` with
    /// [`SourceError::TooLarge`] without reading more than `max_len + 1` bytes.
    fn read(&self, name: &str, max_len: u64) -> Result<Vec<u8>, SourceError>;

    /// [`MediumSource::read`] and the SHA-256 of the bytes read. The verifier calls this
    /// one. The default reads, then hashes; a source that reads from a file system should
    /// hash each piece as it arrives (as [`DirSource`] does, with
    /// [`read_regular_file_hashed`]), so that a large file is gone through once, straight
    /// into its one buffer.
    fn read_hashed(&self, name: &str, max_len: u64) -> Result<(Vec<u8>, [u8; 32]), SourceError> {
        let bytes = self.read(name, max_len)?;
        let digest = sha256(&bytes);
        Ok((bytes, digest))
    }

    /// Copies the regular file `name` (at most `max_len` bytes, refused as
    /// [`MediumSource::read`] refuses) to `out` and returns its length and SHA-256, for
    /// [`verify_medium_spooled`]. The default reads the whole file first; a source that
    /// reads from a file system copies it in pieces, hashing each as it passes, so that the
    /// file is never held in memory (as [`DirSource`] does, with [`copy_regular_file_hashed`]).
    fn copy_hashed(
        &self,
        name: &str,
        max_len: u64,
        out: &mut dyn Write,
    ) -> Result<(u64, [u8; 32]), SourceError> {
        let (bytes, digest) = self.read_hashed(name, max_len)?;
        out.write_all(&bytes).map_err(SourceError::Write)?;
        Ok((u64::try_from(bytes.len()).unwrap_or(u64::MAX), digest))
    }
}

/// Copies `input` to `out` in pieces of 256 KiB, hashing each as it passes: at most `limit`
/// bytes (a longer input is [`SourceError::TooLarge`], found after `limit + 1` bytes).
/// Returns the length and the SHA-256. For sources that read a file for
/// [`MediumSource::copy_hashed`].
pub fn copy_hashed(
    input: &mut dyn Read,
    limit: u64,
    out: &mut dyn Write,
) -> Result<(u64, [u8; 32]), SourceError> {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    let mut piece = vec![0u8; READ_PIECE as usize];
    let mut total: u64 = 0;
    loop {
        let n = match input.read(&mut piece) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(SourceError::Io(e)),
        };
        total = total.saturating_add(n as u64);
        if total > limit {
            return Err(SourceError::TooLarge { limit });
        }
        let data = piece.get(..n).unwrap_or_default();
        hasher.update(data);
        out.write_all(data).map_err(SourceError::Write)?;
    }
    out.flush().map_err(SourceError::Write)?;
    Ok((total, hasher.finalize().into()))
}

/// [`read_regular_file`]'s refusals (links, FIFOs, devices, folders, files over `limit`),
/// and the file copied to `out` with [`copy_hashed`] instead of read into memory.
pub fn copy_regular_file_hashed(
    path: &Path,
    limit: u64,
    out: &mut dyn Write,
) -> Result<(u64, [u8; 32]), SourceError> {
    let mut file = open_regular(path, limit)?;
    copy_hashed(&mut file, limit, out)
}

/// How much is read (and hashed) at a time by [`read_regular_file_hashed`]: small enough to
/// stay in the CPU's caches between the read and the hash.
const READ_PIECE: u64 = 256 * 1024;

/// Reads a regular file of at most `limit` bytes: refuses symlinks (checked with
/// `symlink_metadata`, and the open itself uses `O_NOFOLLOW`), FIFOs, devices and folders
/// (opened with `O_NONBLOCK` so a FIFO cannot block, then checked with `fstat`).
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, SourceError> {
    read_regular(path, limit, None)
}

/// [`read_regular_file`], hashing while it reads: the file is read in pieces of 256 KiB
/// straight into one buffer of the size `fstat` gives (so no copy, and no doubling of the
/// buffer while it grows), and each piece is hashed as it arrives. Never more than
/// `limit + 1` bytes are read, also from a file that grows meanwhile.
pub fn read_regular_file_hashed(
    path: &Path,
    limit: u64,
) -> Result<(Vec<u8>, [u8; 32]), SourceError> {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    let bytes = read_regular(path, limit, Some(&mut hasher))?;
    Ok((bytes, hasher.finalize().into()))
}

fn read_regular(
    path: &Path,
    limit: u64,
    mut hasher: Option<&mut sha2::Sha256>,
) -> Result<Vec<u8>, SourceError> {
    use sha2::Digest as _;
    let file = open_regular(path, limit)?;
    let opened = file.metadata()?;
    let capacity = usize::try_from(opened.len().min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    let mut capped = file.take(limit.saturating_add(1));
    loop {
        let start = bytes.len();
        let n = (&mut capped).take(READ_PIECE).read_to_end(&mut bytes)?;
        if n == 0 {
            break;
        }
        if let Some(hasher) = hasher.as_deref_mut() {
            hasher.update(bytes.get(start..).unwrap_or_default());
        }
    }
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(SourceError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Opens a regular file of at most `limit` bytes (by its size now), refusing what
/// [`read_regular_file`] refuses: a link (not followed, also when one replaces the file
/// between the check and the open), a FIFO or device (opened without blocking, then
/// refused), a file over `limit`. The one opener of a file that may not be what its name
/// says (a stick's, a kept file on the data partition).
///
/// # Errors
/// [`SourceError::NotFound`], [`SourceError::NotRegularFile`], [`SourceError::TooLarge`],
/// [`SourceError::Io`].
pub fn open_regular(path: &Path, limit: u64) -> Result<std::fs::File, SourceError> {
    use std::os::unix::fs::OpenOptionsExt;
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(SourceError::NotFound),
        Err(e) => return Err(SourceError::Io(e)),
    };
    if !meta.file_type().is_file() {
        return Err(SourceError::NotRegularFile);
    }
    if meta.len() > limit {
        return Err(SourceError::TooLarge { limit });
    }
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(SourceError::NotRegularFile);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(SourceError::NotFound),
        Err(e) => return Err(SourceError::Io(e)),
    };
    let opened = file.metadata()?;
    if !opened.file_type().is_file() {
        return Err(SourceError::NotRegularFile);
    }
    Ok(file)
}

/// A medium in a folder of the local file system.
#[derive(Debug, Clone)]
pub struct DirSource {
    dir: PathBuf,
}

impl DirSource {
    /// The medium in folder `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> DirSource {
        DirSource { dir: dir.into() }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl MediumSource for DirSource {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    fn read(&self, name: &str, max_len: u64) -> Result<Vec<u8>, SourceError> {
        self.read_hashed(name, max_len).map(|(bytes, _)| bytes)
    }

    fn read_hashed(&self, name: &str, max_len: u64) -> Result<(Vec<u8>, [u8; 32]), SourceError> {
        // Only plain names are ever joined to the folder.
        if name != MANIFEST_FILE && name != SIGNATURE_FILE && check_file_name(name).is_err() {
            return Err(SourceError::NotFound);
        }
        read_regular_file_hashed(&self.dir.join(name), max_len)
    }

    fn copy_hashed(
        &self,
        name: &str,
        max_len: u64,
        out: &mut dyn Write,
    ) -> Result<(u64, [u8; 32]), SourceError> {
        if check_file_name(name).is_err() {
            return Err(SourceError::NotFound);
        }
        copy_regular_file_hashed(&self.dir.join(name), max_len, out)
    }
}

/// A medium held in memory (for tests, fuzzing, and media assembled by other code).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemorySource {
    /// The files by name.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl MediumSource for MemorySource {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        Ok(self.files.keys().cloned().collect())
    }

    fn read(&self, name: &str, max_len: u64) -> Result<Vec<u8>, SourceError> {
        let bytes = self.files.get(name).ok_or(SourceError::NotFound)?;
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > max_len {
            return Err(SourceError::TooLarge { limit: max_len });
        }
        Ok(bytes.clone())
    }
}

/// What the caller requires of a medium.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// The trusted authority root key (built into the appliance image).
    pub root: &'a PublicKey,
    /// The time at which the certificate must be valid.
    pub now: Timestamp,
    /// The election loaded, if any (none only when importing the first definition).
    pub expected_election: Option<&'a str>,
    /// The kind of content expected, if the caller expects one.
    pub expected_kind: Option<ContentKind>,
    /// The signer's identifier expected (`0668`, `HSB6`, `CSB`), if the caller knows it.
    pub expected_signer: Option<&'a str>,
    /// Size limits.
    pub limits: Limits,
}

impl<'a> VerifyOptions<'a> {
    /// Options with only the root and the time; nothing else expected; default limits.
    pub fn new(root: &'a PublicKey, now: Timestamp) -> VerifyOptions<'a> {
        VerifyOptions {
            root,
            now,
            expected_election: None,
            expected_kind: None,
            expected_signer: None,
            limits: Limits::DEFAULT,
        }
    }
}

/// A payload file whose size and SHA-256 matched the signed manifest.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedFile {
    /// Its name.
    pub name: String,
    /// Its SHA-256.
    pub sha256: [u8; 32],
    /// The bytes that were hashed: the only bytes the caller may parse.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for VerifiedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedFile")
            .field("name", &self.name)
            .field("sha256", &to_hex(&self.sha256))
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl VerifiedFile {
    /// The hash code of the file as printed on paper (16 groups of 4 hex digits).
    pub fn hash_code(&self) -> String {
        crate::hashcode::format_hash_code(&self.sha256)
    }
}

/// A payload file copied to a [`Spool`] whose size and SHA-256 matched the signed
/// manifest while it was copied.
#[derive(Clone, PartialEq, Eq)]
pub struct SpooledFile {
    /// Its name.
    pub name: String,
    /// Its SHA-256.
    pub sha256: [u8; 32],
    /// Its size in bytes.
    pub size: u64,
}

impl fmt::Debug for SpooledFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpooledFile")
            .field("name", &self.name)
            .field("sha256", &to_hex(&self.sha256))
            .field("size", &self.size)
            .finish()
    }
}

/// Where [`verify_medium_spooled`] copies the payload files it does not hold in memory
/// (a large count: straight from the stick into a temporary file of the data partition).
/// The spool keeps what it made: after a refusal the caller removes it, after success the
/// caller decides what becomes of it (renamed to its SHA-256, say).
pub trait Spool {
    /// Whether the listed file `entry` (its name and signed size) is copied to the spool
    /// instead of returned in memory.
    fn wants(&self, entry: &ManifestEntry) -> bool;

    /// Where the bytes of `entry` go as they are read and hashed (called once for each
    /// file it wants, in manifest order).
    ///
    /// # Errors
    /// The copy cannot be made.
    fn sink(&mut self, entry: &ManifestEntry) -> std::io::Result<Box<dyn Write>>;
}

/// A medium that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedMedium {
    /// The verified manifest (kind, election, creation time, certificate, entries).
    pub manifest: Manifest,
    /// The listed files with their verified bytes, in manifest order (those not copied to
    /// a [`Spool`]).
    pub files: Vec<VerifiedFile>,
    /// The listed files copied to the [`Spool`] of [`verify_medium_spooled`], in manifest
    /// order: their copies are the verified bytes.
    pub spooled: Vec<SpooledFile>,
    /// Entries of the folder not listed in the manifest: ignored, never read.
    pub ignored: Vec<String>,
}

impl VerifiedMedium {
    /// What the medium holds.
    pub fn kind(&self) -> ContentKind {
        self.manifest.kind
    }

    /// The election.
    pub fn election(&self) -> &str {
        &self.manifest.election
    }

    /// The signer's (verified) certificate.
    pub fn signer(&self) -> &Certificate {
        &self.manifest.certificate
    }

    /// The verified file of this name.
    pub fn file(&self, name: &str) -> Option<&VerifiedFile> {
        self.files.iter().find(|f| f.name == name)
    }
}

fn read_control(
    source: &dyn MediumSource,
    name: &'static str,
    limit: u64,
    missing: VerifyError,
    too_large: VerifyError,
) -> Result<Vec<u8>, VerifyError> {
    source.read(name, limit).map_err(|e| match e {
        SourceError::NotFound => missing,
        SourceError::NotRegularFile => VerifyError::NotRegularFile {
            name: name.to_string(),
        },
        SourceError::TooLarge { .. } => too_large,
        SourceError::Io(io) | SourceError::Write(io) => VerifyError::Unreadable {
            name: name.to_string(),
            reason: io.to_string(),
        },
    })
}

/// The length of a signature file: 128 hex digits and a line feed.
const SIGNATURE_FILE_LEN: u64 = 129;

fn parse_signature_file(bytes: &[u8]) -> Result<Signature, VerifyError> {
    let text = std::str::from_utf8(bytes).map_err(|_| VerifyError::SignatureSyntax)?;
    let hex = text
        .strip_suffix('\n')
        .ok_or(VerifyError::SignatureSyntax)?;
    from_hex_array(hex)
        .map(Signature)
        .ok_or(VerifyError::SignatureSyntax)
}

/// Verifies a signed medium. The checks run in this order and the first failure is
/// returned: read and parse the manifest and signature (form, file names, limits) ->
/// the certificate was issued by `opts.root` -> it is valid at `opts.now` -> it is for
/// the manifest's election -> it is the expected signer -> the manifest's signature ->
/// every listed file's size and SHA-256 (each read exactly once) -> the signer's role may
/// sign this kind of content -> the election is the expected one -> the kind is the
/// expected one. Entries not listed are reported in
/// [`VerifiedMedium::ignored`] and never read.
pub fn verify_medium(
    source: &dyn MediumSource,
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedMedium, VerifyError> {
    verify(source, opts, None)
}

/// [`verify_medium`], copying each listed file the `spool` wants to the spool instead of
/// returning its bytes: the file is read in pieces, each hashed and written as it passes
/// ([`MediumSource::copy_hashed`]), so a large file is never held in memory. Its size and
/// SHA-256 are checked against the signed manifest once it is copied, with the same
/// refusals as [`verify_medium`]'s, in the same order; a copy that cannot be written is
/// [`VerifyError::CopyFailed`]. The copies are the spool's: on a refusal the caller removes
/// them (nothing the spool made may be used), on success they are the verified bytes
/// ([`VerifiedMedium::spooled`]).
pub fn verify_medium_spooled(
    source: &dyn MediumSource,
    opts: &VerifyOptions<'_>,
    spool: &mut dyn Spool,
) -> Result<VerifiedMedium, VerifyError> {
    verify(source, opts, Some(spool))
}

fn verify(
    source: &dyn MediumSource,
    opts: &VerifyOptions<'_>,
    mut spool: Option<&mut dyn Spool>,
) -> Result<VerifiedMedium, VerifyError> {
    let limits = opts.limits;
    let manifest_bytes = read_control(
        source,
        MANIFEST_FILE,
        limits.max_manifest_bytes,
        VerifyError::ManifestMissing {
            name: MANIFEST_FILE,
        },
        VerifyError::ManifestTooLarge {
            limit: limits.max_manifest_bytes,
        },
    )?;
    let signature_bytes = read_control(
        source,
        SIGNATURE_FILE,
        SIGNATURE_FILE_LEN,
        VerifyError::SignatureMissing {
            name: SIGNATURE_FILE,
        },
        VerifyError::SignatureSyntax,
    )?;
    let manifest = Manifest::parse(&manifest_bytes, &limits)?;
    let signature = parse_signature_file(&signature_bytes)?;
    let cert = &manifest.certificate;

    // Root -> certificate.
    cert.verify(opts.root).map_err(|e| match e {
        crate::certificate::CertificateError::UnknownIssuer { found, trusted } => {
            VerifyError::CertificateFromOtherRoot { found, trusted }
        }
        _ => VerifyError::CertificateSignatureInvalid,
    })?;
    let fields = cert.fields();
    if opts.now < fields.valid_from {
        return Err(VerifyError::CertificateNotYetValid {
            valid_from: fields.valid_from,
            now: opts.now,
        });
    }
    if opts.now > fields.valid_until {
        return Err(VerifyError::CertificateExpired {
            valid_until: fields.valid_until,
            now: opts.now,
        });
    }
    if manifest.election != fields.election {
        return Err(VerifyError::CertificateForOtherElection {
            certificate: fields.election.clone(),
            manifest: manifest.election.clone(),
        });
    }
    if let Some(expected) = opts.expected_signer
        && fields.identifier != expected
    {
        return Err(VerifyError::UnexpectedSigner {
            role: fields.role,
            found: fields.identifier.clone(),
            expected: expected.to_string(),
        });
    }

    // Certificate -> manifest.
    if !fields
        .public_key
        .verify(SignedKind::Manifest, manifest.as_bytes(), &signature)
    {
        return Err(VerifyError::ManifestSignatureInvalid);
    }

    // Manifest -> files, each read once.
    let mut files = Vec::with_capacity(manifest.files.len());
    let mut spooled = Vec::new();
    for entry in &manifest.files {
        let source_error = |e: SourceError| match e {
            SourceError::NotFound => VerifyError::FileMissing {
                name: entry.name.clone(),
            },
            SourceError::NotRegularFile => VerifyError::NotRegularFile {
                name: entry.name.clone(),
            },
            SourceError::TooLarge { .. } => VerifyError::FileSizeMismatch {
                name: entry.name.clone(),
                declared: entry.size,
                actual: format!("more than {}", entry.size),
            },
            SourceError::Io(io) => VerifyError::Unreadable {
                name: entry.name.clone(),
                reason: io.to_string(),
            },
            SourceError::Write(io) => VerifyError::CopyFailed {
                name: entry.name.clone(),
                reason: io.to_string(),
            },
        };
        // Hashed while read (by a source that can): each file is gone through once.
        let (bytes, actual, digest) = match spool.as_deref_mut().filter(|s| s.wants(entry)) {
            Some(spool) => {
                let mut sink = spool.sink(entry).map_err(|e| VerifyError::CopyFailed {
                    name: entry.name.clone(),
                    reason: e.to_string(),
                })?;
                let (len, digest) = source
                    .copy_hashed(&entry.name, entry.size, &mut sink)
                    .map_err(source_error)?;
                (None, len, digest)
            }
            None => {
                let (bytes, digest) = source
                    .read_hashed(&entry.name, entry.size)
                    .map_err(source_error)?;
                let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                (Some(bytes), len, digest)
            }
        };
        if actual != entry.size {
            return Err(VerifyError::FileSizeMismatch {
                name: entry.name.clone(),
                declared: entry.size,
                actual: actual.to_string(),
            });
        }
        if digest != entry.sha256 {
            return Err(VerifyError::FileHashMismatch {
                name: entry.name.clone(),
            });
        }
        match bytes {
            Some(bytes) => files.push(VerifiedFile {
                name: entry.name.clone(),
                sha256: digest,
                bytes,
            }),
            None => spooled.push(SpooledFile {
                name: entry.name.clone(),
                sha256: digest,
                size: actual,
            }),
        }
    }

    // Who may send what, for which election.
    let allowed = manifest.kind.allowed_role();
    if fields.role != allowed {
        return Err(VerifyError::RoleNotAllowed {
            role: fields.role,
            kind: manifest.kind,
            allowed,
        });
    }
    if let Some(expected) = opts.expected_election
        && manifest.election != expected
    {
        return Err(VerifyError::WrongElection {
            found: manifest.election.clone(),
            expected: expected.to_string(),
        });
    }
    if let Some(expected) = opts.expected_kind
        && manifest.kind != expected
    {
        return Err(VerifyError::WrongKind {
            found: manifest.kind,
            expected,
        });
    }

    let listing = source.list().map_err(|e| VerifyError::Unlistable {
        reason: e.to_string(),
    })?;
    let ignored = listing
        .into_iter()
        .filter(|n| n != MANIFEST_FILE && n != SIGNATURE_FILE)
        .filter(|n| !manifest.files.iter().any(|e| &e.name == n))
        .collect();
    Ok(VerifiedMedium {
        manifest,
        files,
        spooled,
        ignored,
    })
}

/// A payload file to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediumFile {
    /// Its plain name.
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// A signed medium ready to be written: manifest, signature and payload files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMedium {
    /// The manifest's bytes (`manifest.txt`).
    pub manifest: Vec<u8>,
    /// The signature file's bytes (`manifest.sig`).
    pub signature: Vec<u8>,
    /// The payload files.
    pub files: Vec<MediumFile>,
}

/// Signs a medium: builds the manifest (kind, election, creation time, certificate, each
/// file's name, size and SHA-256) and signs its exact bytes with `key`.
pub fn sign_medium(
    kind: ContentKind,
    election: &str,
    files: Vec<MediumFile>,
    key: &SecretKey,
    certificate: &Certificate,
    created: Timestamp,
) -> Result<SignedMedium, SignError> {
    if key.public_key() != *certificate.public_key() {
        return Err(SignError::KeyDoesNotMatchCertificate);
    }
    let allowed = kind.allowed_role();
    if certificate.role() != allowed {
        return Err(SignError::RoleNotAllowed {
            role: certificate.role(),
            kind,
            allowed,
        });
    }
    if certificate.election() != election {
        return Err(SignError::ElectionMismatch {
            certificate: certificate.election().to_string(),
            medium: election.to_string(),
        });
    }
    let entries: Vec<ManifestEntry> = files
        .iter()
        .map(|f| ManifestEntry {
            name: f.name.clone(),
            size: u64::try_from(f.bytes.len()).unwrap_or(u64::MAX),
            sha256: sha256(&f.bytes),
        })
        .collect();
    let manifest = Manifest::build(
        kind,
        election,
        created,
        certificate,
        &entries,
        &Limits::DEFAULT,
    )?;
    let signature = key.sign(SignedKind::Manifest, manifest.as_bytes());
    Ok(SignedMedium {
        manifest: manifest.as_bytes().to_vec(),
        signature: format!("{}\n", signature.to_hex()).into_bytes(),
        files,
    })
}

impl SignedMedium {
    /// The conventional folder name: `<election>_<signer>_<kind>.tally`, such as
    /// `GR2022_WestMaasenWaal_0668_results-510b.tally`.
    pub fn folder_name(kind: ContentKind, election: &str, signer: &str) -> String {
        format!("{election}_{signer}_{}{FOLDER_SUFFIX}", kind.as_str())
    }

    /// All files of the medium, manifest and signature included, in memory.
    pub fn to_source(&self) -> MemorySource {
        let mut files: BTreeMap<String, Vec<u8>> = self
            .files
            .iter()
            .map(|f| (f.name.clone(), f.bytes.clone()))
            .collect();
        files.insert(MANIFEST_FILE.to_string(), self.manifest.clone());
        files.insert(SIGNATURE_FILE.to_string(), self.signature.clone());
        MemorySource { files }
    }

    /// Writes the medium into a new folder `dir` (which must not exist): payload files
    /// first, then the manifest and the signature, each flushed to the device.
    pub fn write_to_dir(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir(dir)?;
        for f in &self.files {
            crate::keys::write_new_file(&dir.join(&f.name), &f.bytes, 0o644)?;
        }
        crate::keys::write_new_file(&dir.join(MANIFEST_FILE), &self.manifest, 0o644)?;
        crate::keys::write_new_file(&dir.join(SIGNATURE_FILE), &self.signature, 0o644)?;
        std::fs::File::open(dir)?.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_hashed_while_read_into_one_buffer_of_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.xml");
        // More than three pieces, and not a multiple of one.
        let bytes: Vec<u8> = (0..(3 * READ_PIECE as usize + 12345))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&path, &bytes).unwrap();
        let limit = bytes.len() as u64;
        let (read, digest) = read_regular_file_hashed(&path, limit).unwrap();
        assert_eq!(read, bytes);
        assert_eq!(digest, sha256(&bytes));
        // No growth: the buffer is the size fstat gave.
        assert_eq!(read.capacity(), bytes.len());
        assert!(matches!(
            read_regular_file_hashed(&path, limit - 1),
            Err(SourceError::TooLarge { .. })
        ));
        assert_eq!(read_regular_file(&path, limit).unwrap(), bytes);
        let empty = dir.path().join("empty.xml");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(
            read_regular_file_hashed(&empty, 10).unwrap(),
            (Vec::new(), sha256(b""))
        );
        // The trait's default (read, then hash) gives the same.
        let mut files = BTreeMap::new();
        files.insert("big.xml".to_owned(), bytes.clone());
        let memory = MemorySource { files };
        assert_eq!(
            memory.read_hashed("big.xml", limit).unwrap(),
            (bytes.clone(), sha256(&bytes))
        );
        assert_eq!(
            DirSource::new(dir.path())
                .read_hashed("big.xml", limit)
                .unwrap(),
            (bytes.clone(), sha256(&bytes))
        );
    }
}
