//! A body's appliance at work, without a screen: the body's keys (the trusted root, its
//! certificate, its key unlocked by passphrase with a growing delay after wrong ones), the
//! sticks it sees ([`sticks`]), signed media verified in through `tally-media`, its exports
//! signed, kept on the data partition and written to a stick, and the audit log of every
//! medium opened, file read or written, verification and export. The same for every level
//! (GSB, HSB, CSB).
//!
//! Why a crate of its own: the terminal (`tally-tui`) is screens, keys and words; whether a
//! stick may be used, a medium verifies, or an export is on the stick must not depend on a
//! screen, and is tested without one. Errors are typed ([`BodyError`]); the terminal words
//! them in the official's language at one place.
//!
//! What it must not do: word a message for the official, draw, read keys, hold demo keys or
//! demo data, or decide anything about the count (that is `tally-ledger` and `tally-core`).

pub mod sticks;

use std::fs;
use std::path::{Path, PathBuf};

use tally_core::hashcode::Sha256Digest;
use tally_export::{Created, ExportError, ExportFile, JournalMark};
use tally_media::detect::Unusable;
use tally_media::export::{ExportFailure, NoFaults};
use tally_media::signed::{SignedMediumVerifier, SigningSource, export_request, summary};
use tally_media::{JsonLinesAudit, MediaError, Medium as StickMedium, ReadLimits};
use tally_signing::{
    Certificate, ContentKind, MediumFile, PublicKey, SecretKey, SignedMedium, Timestamp,
    VerifiedMedium, VerifyError, VerifyOptions, sha256, sign_medium, verify_medium,
    verify_medium_spooled,
};

pub use crate::sticks::{Stick, StickLabel, Sticks};

/// The folder of the kept imported counts in the data directory.
const KEPT_FILES_DIR: &str = "higher-files";

/// The officials' time zone (one definition, the export crate's: its reports print it too).
pub use tally_export::AMSTERDAM;

/// Why the body's appliance refused or failed: typed, so that the terminal words it once,
/// in the screen's language. Variants that wrap another say where it happened.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The body's key file cannot be read, or its Argon2id parameters are below the floor.
    #[error("the body's key file cannot be used: {0}")]
    KeyUnreadable(String),
    /// The body's certificate is not valid now.
    #[error("the body's certificate is not valid now: {0}")]
    CertificateNotValid(String),
    /// The key file holds another body's key.
    #[error("the key is not the key of the body's certificate")]
    KeyNotOfCertificate,
    /// A passphrase was tried within the delay after a wrong one.
    #[error("wait {seconds} s before the next try")]
    UnlockThrottled {
        /// How long still.
        seconds: u64,
    },
    /// The passphrase is wrong.
    #[error("the passphrase is wrong")]
    WrongPassphrase,
    /// The body's key is still locked.
    #[error("the body's key is locked")]
    KeyLocked,
    /// The audit log cannot be opened.
    #[error("the audit log cannot be opened: {0}")]
    Audit(String),
    /// The media library failed (reading, mounting, a stick removed).
    #[error(transparent)]
    Media(#[from] MediaError),
    /// A signed medium does not verify (the signing crate's reason).
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The PC's clock is before the moment the medium was signed.
    #[error("the clock ({now}) is before the medium was signed ({signed})")]
    ClockBehind {
        /// When the medium was signed.
        signed: Timestamp,
        /// The clock.
        now: Timestamp,
    },
    /// The stick is no longer there.
    #[error("the stick is gone")]
    StickGone,
    /// Another operation holds the stick.
    #[error("the stick is in use: {0}")]
    StickBusy(String),
    /// The stick cannot be used.
    #[error("{label:?}: {why}")]
    StickUnusable {
        /// Which stick.
        label: Box<StickLabel>,
        /// Why.
        why: Unusable,
    },
    /// The stick holds no signed medium.
    #[error("{0:?} holds no signed medium")]
    NoSignedMediumOnStick(StickLabel),
    /// The stick was pulled while it was read.
    #[error("the stick was removed while it was read")]
    StickPulledWhileReading,
    /// A verified medium could not be copied to the data partition.
    #[error("the medium could not be kept: {0}")]
    Keep(std::io::Error),
    /// A file kept on the data partition (an imported count) cannot be read back as kept.
    #[error("kept file {sha256}: {why}")]
    KeptFile {
        /// The file's SHA-256 (hex), its name.
        sha256: String,
        /// Why not: not a SHA-256, unreadable, damaged.
        why: String,
    },
    /// No stick to export to: each stick present and why it cannot be used.
    #[error("no usable stick")]
    ExportNoStick(Vec<(StickLabel, Unusable)>),
    /// More than one usable stick: which is meant is never guessed.
    #[error("{0} usable sticks")]
    ExportSeveralSticks(usize),
    /// The export's folder is already in the media folder.
    #[error("{0} exists")]
    ExportFolderExists(String),
    /// Writing the export failed; whether the stick was pulled meanwhile.
    #[error("{failure}")]
    ExportWrite {
        /// What failed and what the stick holds now.
        failure: Box<ExportFailure>,
        /// The stick was removed while it was written.
        removed: bool,
    },
    /// The export's files cannot be made.
    #[error(transparent)]
    ExportBuild(#[from] ExportError),
    /// The clock gives a moment an export cannot carry.
    #[error("clock: {0}")]
    Clock(String),
    /// The export cannot be signed.
    #[error("signing: {0}")]
    Sign(String),
    /// The signed export cannot be kept on the data partition.
    #[error("the export cannot be kept: {0}")]
    ExportNotKept(std::io::Error),
    /// The kept export no longer verifies.
    #[error("the kept export cannot be used: {0}")]
    KeptExportUnusable(String),
    /// A medium was refused: why.
    #[error("medium refused: {0}")]
    MediumRefused(Box<BodyError>),
    /// An export failed: why.
    #[error("export failed: {0}")]
    ExportFailed(Box<BodyError>),
}

impl BodyError {
    fn refused(self) -> BodyError {
        BodyError::MediumRefused(Box::new(self))
    }

    fn export(self) -> BodyError {
        BodyError::ExportFailed(Box::new(self))
    }
}

/// What the appliance shows at start, to compare with the paper handed over with the stick.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// Fingerprint of the trusted root key (the Electoral Council's).
    pub root_fingerprint: String,
    /// The certificate's role: `GSB`, `HSB` or `CSB`.
    pub role: String,
    /// Its identifier: `0042`, `HSB1`, `CSB`.
    pub identifier: String,
    /// Its name ("Gemeente Juinen").
    pub name: String,
    /// Fingerprint of the body's certificate.
    pub certificate_fingerprint: String,
    /// A hash identifying the running system.
    pub system: String,
    /// The certificate's first and last valid day (`YYYY-MM-DD`, UTC).
    pub valid: (String, String),
    /// Why the certificate is not valid now (checked when the terminal starts; the unlock
    /// checks again and refuses then).
    pub invalid: Option<String>,
}

impl Identity {
    /// The identity of an appliance with this trusted root and body certificate.
    pub fn of(
        root: &tally_signing::PublicKey,
        certificate: &tally_signing::Certificate,
        system: &str,
    ) -> Identity {
        let validity = tally_signing::Validity::of(certificate);
        let day = |t: tally_signing::Timestamp| t.to_string().chars().take(10).collect();
        Identity {
            root_fingerprint: root.fingerprint().to_hex(),
            role: certificate.role().as_str().to_uppercase(),
            identifier: certificate.identifier().to_owned(),
            name: certificate.name().to_owned(),
            certificate_fingerprint: certificate.fingerprint().to_hex(),
            system: system.to_owned(),
            valid: (day(validity.valid_from), day(validity.valid_until)),
            invalid: validity
                .check(tally_signing::Timestamp::now())
                .err()
                .map(|e| e.to_string()),
        }
    }

    /// Who this appliance counts for: role, identifier and name ("GSB 0042 Gemeente
    /// Juinen"), the role said once where the identifier is the role ("CSB Juinen").
    pub fn body(&self) -> String {
        if self.identifier == self.role {
            format!("{} {}", self.role, self.name)
        } else {
            format!("{} {} {}", self.role, self.identifier, self.name)
        }
    }
}

/// A signed result written to a stick, at every level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDone {
    /// Where the signed medium was written.
    pub path: String,
    /// Its files with their SHA-256 (hex), the count first; without the audit log, which
    /// travels beside them (its lines of writing give its hash).
    pub files: Vec<(String, String)>,
}

/// What is on a stick present now (see [`Body::scan`]).
#[derive(Debug)]
pub enum Found {
    /// A top-level folder that may hold a signed medium.
    Folder {
        /// The stick ([`Stick::key`]).
        stick: String,
        /// How the official recognises the stick.
        label: StickLabel,
        /// The folder's name.
        folder: String,
        /// Whether the stick is a real USB stick (not a media folder standing in for one).
        usb: bool,
    },
    /// A stick that offers nothing, with why.
    Unfit {
        /// The stick ([`Stick::key`]).
        stick: String,
        /// How the official recognises it.
        label: StickLabel,
        /// Why.
        why: Unfit,
    },
}

/// Why a USB stick present offers nothing to read.
#[derive(Debug)]
pub enum Unfit {
    /// The media library's verdict: no medium, no usable partition, ...
    Unusable(Unusable),
    /// It holds no folder at all.
    Empty,
    /// Its folders cannot be listed.
    Unreadable(MediaError),
}

const ROOT_FILE: &str = "root.pub";
const CERT_FILE: &str = "body.cert";
const KEY_FILE: &str = "body.key";
/// The audit log on the data partition, and its copy in every signed export.
pub const AUDIT_FILE: &str = "audit.jsonl";
/// How far a medium's signing time may be ahead of this PC's clock: PCs keep their clocks
/// differently (many keep local time in the hardware clock, which Linux reads as UTC: up to two
/// hours ahead in the Netherlands) and drift by minutes; a day is far beyond that, and a clock
/// set back by more (a dead battery, or on purpose past a certificate's period) is refused.
pub const CLOCK_TOLERANCE_SECS: i64 = 24 * 60 * 60;

/// The count of wrong passphrases in a row, kept across a restart.
const FAILURES_FILE: &str = "unlock-failures";

/// The wrong passphrases in a row kept in the data folder (0 when none, or unreadable: the
/// file is a convenience against rebooting past the delay, not a secret).
fn failures_kept(paths: &Paths) -> u32 {
    tally_signing::medium::read_regular_file(&paths.data_dir.join(FAILURES_FILE), 64)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| t.trim().parse::<u32>().ok())
        .unwrap_or(0)
        .min(64)
}
/// The signed 510b medium as first made, kept on the data partition: every export (a second
/// stick, a retry after a failed write) writes these same bytes, so every stick carries the
/// same 510b and the same hash code as the printed report.
const EXPORT_DIR: &str = "export";

/// Where the terminal finds its keys, media and journal.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The journal and the kept definition (and, by default, the keys).
    pub data_dir: PathBuf,
    /// The folders that stand for sticks.
    pub media_dir: PathBuf,
    /// The trusted root's public key (`tally-provision`'s `authority.pub`).
    pub root: PathBuf,
    /// The body's certificate (`<election>_<identifier>.cert`).
    pub certificate: PathBuf,
    /// The body's encrypted secret key (`<election>_<identifier>.key`).
    pub key: PathBuf,
}

impl Paths {
    /// Paths with the keys in `data_dir` as `root.pub`, `body.cert` and `body.key`.
    pub fn new(data_dir: PathBuf, media_dir: PathBuf) -> Paths {
        Paths {
            root: data_dir.join(ROOT_FILE),
            certificate: data_dir.join(CERT_FILE),
            key: data_dir.join(KEY_FILE),
            data_dir,
            media_dir,
        }
    }

    /// The journal file.
    pub fn journal(&self) -> PathBuf {
        self.data_dir.join("journal.tally")
    }

    /// The media audit log (JSON lines, one event per line, synced): every medium opened,
    /// every file read or written with its hash, every verification and export and its outcome.
    pub fn audit(&self) -> PathBuf {
        self.data_dir.join(AUDIT_FILE)
    }
}

/// Why the terminal cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A file cannot be read or written.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// A key or certificate is not valid.
    #[error("{0}: {1}")]
    Invalid(PathBuf, String),
}

/// Keys and certificates are a few hundred bytes; anything larger is not one.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Reads a key or certificate file: a regular file (no link, FIFO or device) of bounded size.
pub fn read(path: &Path) -> Result<Vec<u8>, SetupError> {
    tally_signing::medium::read_regular_file(path, MAX_KEY_FILE_BYTES)
        .map_err(|e| SetupError::Io(path.to_path_buf(), std::io::Error::other(e)))
}

/// The body's key from its passphrase-encrypted file, checked against its certificate: the
/// unlock of every level.
///
/// # Errors
/// The file cannot be read, the passphrase is wrong, or the key is another body's.
pub fn unlock_key(
    path: &Path,
    passphrase: &str,
    certificate: &Certificate,
    throttle: &mut tally_signing::UnlockThrottle,
) -> Result<SecretKey, BodyError> {
    use tally_signing::{KeyFileError, Passphrase, UnlockError, unlock_body};
    let bytes = read(path).map_err(|e| BodyError::KeyUnreadable(e.to_string()))?;
    // The certificate's validity is checked first, against the clock, before the passphrase.
    let pass = Passphrase::from(passphrase);
    // A growing delay after wrong passphrases: a try within it is refused, not run.
    let unlocked = throttle
        .attempt(std::time::Instant::now, || {
            unlock_body(&bytes, &pass, certificate, Timestamp::now())
        })
        .map_err(|e| match e {
            UnlockError::Certificate(v) => BodyError::CertificateNotValid(v.to_string()),
            // A key file below the Argon2id floor is refused as such, whatever the passphrase.
            UnlockError::KeyFile(KeyFileError::KdfParameters(p)) => {
                BodyError::KeyUnreadable(p.to_string())
            }
            UnlockError::NotOfCertificate => BodyError::KeyNotOfCertificate,
            UnlockError::Throttled { wait } => BodyError::UnlockThrottled {
                seconds: wait.as_secs().max(1),
            },
            _ => BodyError::WrongPassphrase,
        })?;
    Ok(unlocked.key)
}

/// Writes a file and forces it to disk: what the journal will refer to survives a power cut
/// at any moment (a file written but not synced can be empty after one).
pub fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.sync_all()
}

/// How the temporary copies of an [`IncomingSpool`] are named (never a SHA-256 name).
const INCOMING_PREFIX: &str = ".incoming-";

/// Where [`Body::verify_spooled`] copies a medium's EML files: temporary files in the
/// data partition's kept-files folder. Every copy not taken ([`IncomingSpool::take`]) is
/// removed when the spool is dropped, so a refused medium leaves nothing.
#[derive(Debug)]
pub struct IncomingSpool {
    dir: PathBuf,
    /// The copies made: the file's name on the medium, the copy's path, the open copy.
    made: Vec<(String, PathBuf, fs::File)>,
    /// Copies made so far (each copy's name is new).
    next: usize,
}

impl IncomingSpool {
    /// The verified copy of `file` (one of [`VerifiedMedium::spooled`]), taken out of the
    /// spool.
    pub fn take(&mut self, file: &tally_signing::SpooledFile) -> Option<Incoming> {
        let at = self
            .made
            .iter()
            .position(|(name, _, _)| *name == file.name)?;
        let (name, path, handle) = self.made.swap_remove(at);
        Some(Incoming {
            name,
            sha256: file.sha256,
            size: file.size,
            path,
            file: handle,
            kept: false,
        })
    }
}

impl tally_signing::Spool for IncomingSpool {
    fn wants(&self, entry: &tally_signing::ManifestEntry) -> bool {
        entry.name.ends_with(".eml.xml")
    }

    fn sink(
        &mut self,
        entry: &tally_signing::ManifestEntry,
    ) -> std::io::Result<Box<dyn std::io::Write>> {
        let path = self
            .dir
            .join(format!("{INCOMING_PREFIX}{}.part", self.next));
        self.next = self.next.saturating_add(1);
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        let handle = file.try_clone()?;
        self.made.push((entry.name.clone(), path, handle));
        Ok(Box::new(file))
    }
}

impl Drop for IncomingSpool {
    fn drop(&mut self) {
        for (_, path, _) in &self.made {
            let _ = fs::remove_file(path);
        }
    }
}

/// A medium's file copied into the data partition and verified against the signed
/// manifest while it was copied, under a temporary name: removed when dropped unless
/// kept ([`Body::keep_incoming`]).
#[derive(Debug)]
pub struct Incoming {
    /// Its name on the medium.
    pub name: String,
    /// Its SHA-256 (as signed).
    pub sha256: [u8; 32],
    /// Its size in bytes.
    pub size: u64,
    path: PathBuf,
    file: fs::File,
    kept: bool,
}

impl Incoming {
    /// The copy, opened for reading from its start.
    ///
    /// # Errors
    /// It cannot be opened.
    pub fn open(&self) -> std::io::Result<fs::File> {
        fs::File::open(&self.path)
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Forces a directory's entries (files created, renamed or removed in it) to disk.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Writes a file (keys and certificates of the demo).
///
/// # Errors
/// It cannot be written.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), SetupError> {
    fs::write(path, bytes).map_err(|e| SetupError::Io(path.to_path_buf(), e))
}

/// What every level's services hold: the data folder, the sticks, the trusted root, the
/// body's certificate (verified against the root) and, once unlocked, its key.
pub struct Body {
    /// Where the keys, the journal and the audit log are.
    pub paths: Paths,
    /// The sticks (USB, or a folder standing in for one).
    pub sticks: Sticks,
    /// The trusted root's public key.
    pub root: PublicKey,
    /// The body's certificate.
    pub certificate: Certificate,
    /// The body's key, once unlocked.
    pub key: Option<SecretKey>,
    /// The growing delay after wrong passphrases.
    throttle: tally_signing::UnlockThrottle,
    /// The running system's identity.
    pub system: String,
    /// Whether this is the demo.
    pub demo: bool,
}

impl Body {
    /// Opens the keys in `paths`: the root's public key and the body's certificate, which must
    /// be signed by that root. The body key stays locked until [`Body::unlock`].
    ///
    /// # Errors
    /// A key file is missing or invalid, or the certificate is not the root's.
    pub fn open(
        paths: Paths,
        sticks: Sticks,
        system: String,
        demo: bool,
    ) -> Result<Body, SetupError> {
        let root = PublicKey::from_file_bytes(&read(&paths.root)?)
            .map_err(|e| SetupError::Invalid(paths.root.clone(), e.to_string()))?;
        let certificate = Certificate::parse(&read(&paths.certificate)?)
            .map_err(|e| SetupError::Invalid(paths.certificate.clone(), e.to_string()))?;
        certificate
            .verify(&root)
            .map_err(|e| SetupError::Invalid(paths.certificate.clone(), e.to_string()))?;
        // Wrong passphrases before a restart still count: the delay runs again from now.
        let throttle = tally_signing::UnlockThrottle::after_restart(
            failures_kept(&paths),
            std::time::Instant::now(),
        );
        Ok(Body {
            paths,
            sticks,
            root,
            certificate,
            key: None,
            throttle,
            system,
            demo,
        })
    }

    /// What the start screen shows.
    pub fn identity(&self) -> Identity {
        Identity::of(&self.root, &self.certificate, &self.system)
    }

    /// Unlocks the body key with the passphrase.
    ///
    /// # Errors
    /// See [`unlock_key`].
    pub fn unlock(&mut self, passphrase: &str) -> Result<(), BodyError> {
        let before = self.throttle.failures();
        let unlocked = unlock_key(
            &self.paths.key,
            passphrase,
            &self.certificate,
            &mut self.throttle,
        );
        // The count of wrong passphrases in a row is kept on the data partition (synced), so
        // that a restart does not end the delay. Best effort: a count that cannot be written
        // is said in the audit log; the unlock itself does not depend on it.
        let after = self.throttle.failures();
        if after != before {
            let file = self.paths.data_dir.join(FAILURES_FILE);
            let kept = if after == 0 {
                fs::remove_file(&file).or_else(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Ok(()),
                    _ => Err(e),
                })
            } else {
                write_synced(&file, after.to_string().as_bytes())
            };
            if let Err(e) = kept {
                self.note(&format!(
                    "the count of wrong passphrases cannot be kept: {e}"
                ));
            }
        }
        self.key = Some(unlocked?);
        Ok(())
    }

    /// The key that authenticates the body's journal (derived from the body key), once
    /// unlocked.
    pub fn journal_key(&self) -> Option<tally_core::journal::JournalKey> {
        let key = self.key.as_ref()?;
        Some(tally_core::journal::JournalKey::new(
            &tally_signing::journal_key(key),
        ))
    }

    /// The key that authenticates the body's audit log (`tally_signing::audit_key`), once
    /// unlocked.
    pub fn audit_key(&self) -> Option<tally_core::audit::AuditKey> {
        let key = self.key.as_ref()?;
        Some(tally_core::audit::AuditKey::new(&tally_signing::audit_key(
            key,
        )))
    }

    /// The audit log, opened for appending: its lines chained, and tagged with the body's
    /// audit key once unlocked (before, unkeyed: `docs/audit.md`).
    ///
    /// # Errors
    /// It cannot be opened.
    pub fn audit_log(&self) -> Result<JsonLinesAudit, BodyError> {
        Ok(JsonLinesAudit::open(&self.paths.audit())
            .map_err(|e| BodyError::Audit(e.to_string()))?
            .with_key(self.audit_key()))
    }

    /// A notice in the audit log (a journal refused, a record dropped).
    pub fn note(&self, text: &str) {
        self.record(tally_media::AuditEvent::new(
            tally_media::AuditKind::Notice,
            None,
            text,
        ));
    }

    /// A line in the audit log (a journal record's copy, naming the person: the record is in
    /// the journal already; this is the evidence for reading, `docs/audit.md`).
    pub fn record(&self, event: tally_media::AuditEvent) {
        if let Ok(mut audit) = self.audit_log() {
            let _ = tally_media::AuditSink::record(&mut audit, event);
        }
    }

    /// The audit log as it is now, for the signed export: first checked with the body's key
    /// (every line's chain and tag), the outcome written as its last line
    /// (`chain_checked`, act `verified` or `broken`), then read.
    ///
    /// # Errors
    /// The key is locked, or the log cannot be read or written.
    fn audit_copy(&self) -> Result<Vec<u8>, BodyError> {
        let key = self
            .audit_key()
            .ok_or_else(|| BodyError::KeyLocked.export())?;
        let fail = |e: String| BodyError::Audit(e).export();
        let path = self.paths.audit();
        let cap = tally_core::eml::limits::MAX_FILE_BYTES as u64;
        let now = if path.exists() {
            tally_signing::medium::read_regular_file(&path, cap).map_err(|e| fail(e.to_string()))?
        } else {
            Vec::new()
        };
        let checked = tally_core::audit::check(&now, Some(&key));
        let mut event = match checked.broken.first() {
            None => tally_media::AuditEvent::new(
                tally_media::AuditKind::ChainChecked,
                None,
                format!(
                    "audit log checked with the body's key before the export: {} lines, {} tagged with the key, {} before an unlock; every line verifies",
                    checked.lines.len(),
                    checked.keyed,
                    checked.unkeyed
                ),
            ),
            Some(first) => tally_media::AuditEvent::new(
                tally_media::AuditKind::ChainChecked,
                None,
                format!(
                    "audit log checked with the body's key before the export: {} of {} lines do not verify, the first line {}: {}",
                    checked.broken.len(),
                    checked.lines.len(),
                    first.line,
                    first.why
                ),
            ),
        };
        event.act = Some(
            if checked.broken.is_empty() {
                "verified"
            } else {
                "broken"
            }
            .to_owned(),
        );
        let mut log = self.audit_log().map_err(|e| fail(e.to_string()))?;
        tally_media::AuditSink::record(&mut log, event).map_err(|e| fail(e.to_string()))?;
        tally_signing::medium::read_regular_file(&path, cap).map_err(|e| fail(e.to_string()))
    }

    /// Takes in what changed with the sticks (every 300 ms); the audit log is opened only
    /// when there is something to log.
    pub fn poll_media(&mut self) -> bool {
        let mut events = tally_media::MemoryAudit::default();
        let changed = self.sticks.poll(std::time::Duration::ZERO, &mut events);
        if !events.events.is_empty()
            && let Ok(mut audit) = self.audit_log()
        {
            for e in events.events {
                let _ = tally_media::AuditSink::record(&mut audit, e);
            }
        }
        changed
    }

    /// What a definition medium must be: signed under the root, of kind election
    /// definition, for the certificate's election.
    pub fn definition_options(&self) -> VerifyOptions<'_> {
        let mut o = VerifyOptions::new(&self.root, Timestamp::now());
        o.expected_kind = Some(ContentKind::ElectionDefinition);
        o.expected_election = Some(self.certificate.election());
        o
    }

    /// Runs `f` on the stick `medium` is on, claimed for the time of `f` (another stick
    /// inserted meanwhile is left alone). A listed stick that cannot be used (no folder) is
    /// refused with why; a stick removed while `f` failed is reported as removed.
    ///
    /// # Errors
    /// The stick cannot be used, is gone, or `f` failed.
    pub fn on_stick<T, E: From<BodyError>>(
        &mut self,
        stick: &str,
        folder: &str,
        f: impl FnOnce(&Body, &dyn StickMedium, &mut JsonLinesAudit) -> Result<T, E>,
    ) -> Result<T, E> {
        if folder.is_empty()
            && let Some(s) = self.sticks.get(stick)
        {
            return Err(E::from(match s.medium {
                Err(why) => BodyError::StickUnusable {
                    label: Box::new(s.label),
                    why,
                }
                .refused(),
                Ok(_) => BodyError::NoSignedMediumOnStick(s.label),
            }));
        }
        let mut audit = self.audit_log()?;
        let medium = self.sticks.begin(stick).map_err(BodyError::refused)?;
        let result = f(self, medium.as_ref(), &mut audit);
        let removed = self.sticks.end(&mut audit);
        match result {
            Err(_) if removed => Err(E::from(BodyError::StickPulledWhileReading)),
            other => other,
        }
    }

    /// Verifies the signed medium in `folder` on `stick` with `options`, through
    /// `tally-media` (capped reader, no links, every file read, the outcome audited); the
    /// signing crate's reason is kept typed for the official's words.
    ///
    /// # Errors
    /// The medium cannot be read, or does not verify.
    pub fn verify(
        stick: &dyn StickMedium,
        folder: &str,
        options: &VerifyOptions<'_>,
        audit: &mut JsonLinesAudit,
    ) -> Result<VerifiedMedium, BodyError> {
        Body::verify_inner(stick, folder, options, audit, None)
    }

    /// [`Body::verify`], copying the medium's EML files into `spool` (temporary files in the
    /// data partition, [`IncomingSpool`]) as they are read and hashed, instead of reading
    /// them into memory: for a count of any size. On a refusal the spool's files are
    /// removed when it is dropped.
    ///
    /// # Errors
    /// As [`Body::verify`].
    pub fn verify_spooled(
        stick: &dyn StickMedium,
        folder: &str,
        options: &VerifyOptions<'_>,
        audit: &mut JsonLinesAudit,
        spool: &mut IncomingSpool,
    ) -> Result<VerifiedMedium, BodyError> {
        Body::verify_inner(stick, folder, options, audit, Some(spool))
    }

    fn verify_inner(
        stick: &dyn StickMedium,
        folder: &str,
        options: &VerifyOptions<'_>,
        audit: &mut JsonLinesAudit,
        spool: Option<&mut IncomingSpool>,
    ) -> Result<VerifiedMedium, BodyError> {
        let session = stick.open_import(ReadLimits::default(), audit)?;
        let mut reason: Option<VerifyError> = None;
        let outcome = session.verify_with(
            folder,
            |view| {
                let source = SigningSource::new(*view);
                match spool {
                    Some(spool) => verify_medium_spooled(&source, options, spool),
                    None => verify_medium(&source, options),
                }
                .map_err(|e| {
                    let text = e.to_string();
                    reason = Some(e);
                    text
                })
            },
            summary,
            audit,
        );
        // A demo folder has no mount; closing audits a stick's unmount.
        let closed = session.close(audit);
        let verified = match (outcome, reason) {
            (Ok(v), _) => v,
            (Err(MediaError::VerifyFailed(_)), Some(e)) => return Err(BodyError::Verify(e)),
            (Err(e), _) => return Err(BodyError::Media(e)),
        };
        closed?;
        // The PC's clock must not be before the moment the medium was signed: a clock set
        // back (to pass a certificate's period, or by a dead battery) is refused here, before
        // any work (issue 17 point 4). The body's certificate is checked against the same
        // clock at the unlock (not valid before its first day).
        if verified.manifest.created.0 > options.now.0.saturating_add(CLOCK_TOLERANCE_SECS) {
            return Err(BodyError::ClockBehind {
                signed: verified.manifest.created,
                now: options.now,
            });
        }
        Ok(verified)
    }

    /// Keeps the files `names` of the medium `medium` in `kept` (made anew), each copied
    /// through the media reader (no link followed, no file over the cap read) and synced,
    /// and the folder and the data folder synced.
    ///
    /// # Errors
    /// The stick cannot be read or the copy cannot be written.
    pub fn keep_medium(
        &mut self,
        stick: &str,
        folder: &str,
        names: &[String],
        kept: &Path,
    ) -> Result<(), BodyError> {
        let fail = |e: std::io::Error| BodyError::Keep(e).refused();
        if kept.exists() {
            fs::remove_dir_all(kept).map_err(fail)?;
        }
        fs::create_dir_all(kept).map_err(fail)?;
        self.on_stick(stick, folder, |_, stick, audit| {
            let session = stick.open_import(ReadLimits::default(), audit)?;
            let copied = names.iter().try_for_each(|name| {
                let bytes = session.reader().read_file(&format!("{folder}/{name}"))?;
                write_synced(&kept.join(name), &bytes).map_err(fail)
            });
            session.close(audit)?;
            copied
        })?;
        sync_dir(kept)
            .and_then(|()| sync_dir(&self.paths.data_dir))
            .map_err(fail)
    }

    /// Keeps `bytes` (a count an HSB or CSB imported) on the data partition by its SHA-256
    /// (hex), written and synced before it returns, so that replay finds the file a journal
    /// record names.
    ///
    /// # Errors
    /// `sha256` is not hex, or the file cannot be written.
    pub fn keep_file(&self, sha256: &str, bytes: &[u8]) -> Result<(), BodyError> {
        let (digest, path) = self.kept_file_path(sha256)?;
        if Sha256Digest::of(bytes) != digest {
            return Err(BodyError::KeptFile {
                sha256: sha256.to_owned(),
                why: "the bytes are not the file this SHA-256 names".into(),
            });
        }
        let dir = self.paths.data_dir.join(KEPT_FILES_DIR);
        fs::create_dir_all(&dir)
            .and_then(|()| write_synced(&path, bytes))
            .and_then(|()| sync_dir(&dir))
            .map_err(BodyError::Keep)
    }

    /// A spool for [`Body::verify_spooled`] in the kept-files folder of the data partition
    /// (made if need be). Copies left by an earlier verification that was cut short (a
    /// power cut) are removed first.
    ///
    /// # Errors
    /// The folder cannot be made or read.
    pub fn incoming_spool(&self) -> Result<IncomingSpool, BodyError> {
        let dir = self.paths.data_dir.join(KEPT_FILES_DIR);
        fs::create_dir_all(&dir).map_err(BodyError::Keep)?;
        for entry in fs::read_dir(&dir).map_err(BodyError::Keep)? {
            let entry = entry.map_err(BodyError::Keep)?;
            if entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(INCOMING_PREFIX))
            {
                fs::remove_file(entry.path()).map_err(BodyError::Keep)?;
            }
        }
        Ok(IncomingSpool {
            dir,
            made: Vec::new(),
            next: 0,
        })
    }

    /// Keeps a verified copy by its SHA-256 (as [`Body::keep_file`] keeps bytes): synced,
    /// renamed to `<sha256>.eml.xml`, and the folder synced, before it returns.
    ///
    /// # Errors
    /// The copy cannot be synced or renamed (it is then removed).
    pub fn keep_incoming(&self, mut incoming: Incoming) -> Result<(), BodyError> {
        let (_, path) = self.kept_file_path(&hex::encode(incoming.sha256))?;
        let dir = self.paths.data_dir.join(KEPT_FILES_DIR);
        incoming
            .file
            .sync_all()
            .and_then(|()| fs::rename(&incoming.path, &path))
            .and_then(|()| {
                incoming.kept = true;
                sync_dir(&dir)
            })
            .map_err(BodyError::Keep)
    }

    /// Where the file kept by its SHA-256 `sha256` is (for reading it as a stream; the
    /// reader checks the digest).
    ///
    /// # Errors
    /// `sha256` is not a SHA-256.
    pub fn kept_path(&self, sha256: &str) -> Result<PathBuf, BodyError> {
        self.kept_file_path(sha256).map(|(_, path)| path)
    }

    /// A file kept by [`Body::keep_file`], read capped and checked against its SHA-256.
    ///
    /// # Errors
    /// `sha256` is not a SHA-256, the file cannot be read, or its bytes are not the ones kept.
    pub fn kept_file(&self, sha256: &str) -> Result<Vec<u8>, BodyError> {
        let (digest, path) = self.kept_file_path(sha256)?;
        let why = |why: String| BodyError::KeptFile {
            sha256: sha256.to_owned(),
            why,
        };
        let cap = tally_core::eml::limits::MAX_FILE_BYTES as u64;
        let bytes =
            tally_signing::medium::read_regular_file(&path, cap).map_err(|e| why(e.to_string()))?;
        if Sha256Digest::of(&bytes) != digest {
            return Err(why(format!("{} is damaged", path.display())));
        }
        Ok(bytes)
    }

    /// The digest `sha256` names (64 hex digits, either case) and the file it is kept in
    /// (named in lowercase).
    fn kept_file_path(&self, sha256: &str) -> Result<(Sha256Digest, PathBuf), BodyError> {
        let digest = Sha256Digest::from_hex(sha256).map_err(|_| BodyError::KeptFile {
            sha256: sha256.chars().take(80).collect(),
            why: "not a SHA-256".into(),
        })?;
        let name = format!("{}.eml.xml", digest.to_hex());
        Ok((digest, self.paths.data_dir.join(KEPT_FILES_DIR).join(name)))
    }

    /// Writes the signed medium `medium` as `folder` to the one usable stick, through
    /// `tally-media` (a temporary name, fsync, rename, read back and verified as a medium of
    /// `kind` for `election` signed by this body) before the official is told it is done;
    /// audited. Which stick is meant is never guessed: exactly one must be usable. Returns
    /// where it is: on a USB stick the folder's name (the stick's identity is in the audit
    /// log), in a media folder its path.
    ///
    /// # Errors
    /// No or several usable sticks, the folder exists (media folder), or the export failed
    /// (what the stick holds then is said).
    pub fn write_export(
        &mut self,
        kind: ContentKind,
        election: &str,
        folder: &str,
        medium: &SignedMedium,
    ) -> Result<String, BodyError> {
        // Exactly one usable stick: which one is meant is never guessed.
        let sticks = self.sticks.present();
        let usable: Vec<_> = sticks.iter().filter(|s| s.medium.is_ok()).collect();
        let key = match usable.as_slice() {
            [one] => one.key.clone(),
            [] => {
                // Each stick present and why it cannot be used.
                return Err(BodyError::ExportNoStick(
                    sticks
                        .iter()
                        .filter_map(|s| Some((s.label.clone(), s.medium.as_ref().err()?.clone())))
                        .collect(),
                ));
            }
            more => return Err(BodyError::ExportSeveralSticks(more.len())),
        };
        let dir = Path::new(&key).join(folder);
        if !self.sticks.is_usb() && dir.exists() {
            return Err(BodyError::ExportFolderExists(dir.display().to_string()));
        }
        // Through tally-media: a temporary name, fsync, rename, read back and verified
        // before the official is told it is done; audited. On failure the data stays in the
        // journal and the export can be repeated.
        let mut audit = self.audit_log().map_err(BodyError::export)?;
        let mut opts = VerifyOptions::new(&self.root, Timestamp::now());
        opts.expected_kind = Some(kind);
        opts.expected_election = Some(election);
        opts.expected_signer = Some(self.certificate.identifier());
        let verifier = SignedMediumVerifier { opts };
        let stick = self.sticks.begin(&key).map_err(BodyError::export)?;
        let result = stick.export(
            &export_request(folder, medium),
            &verifier,
            &mut NoFaults,
            &mut audit,
        );
        let removed = self.sticks.end(&mut audit);
        result.map_err(|failure| BodyError::ExportWrite {
            failure: Box::new(failure),
            removed,
        })?;
        Ok(if self.sticks.is_usb() {
            folder.to_owned()
        } else {
            dir.display().to_string()
        })
    }

    /// Signs and writes this body's export: the files `build` makes for a moment, signed
    /// with the body's key, kept on the data partition and written to the one usable stick
    /// ([`Body::write_export`]). A second stick, or a retry after a failed write, gets the
    /// kept medium byte for byte, so that every stick carries the hash code on the paper; but
    /// only while it is still what the count gives: `build` is asked again for the kept
    /// moment and must give the same files, or the export is made anew. `journal` (the
    /// journal's records and head now) is printed on the reports of a new export; a kept one
    /// is rebuilt with the journal mark it was made with.
    ///
    /// # Errors
    /// The files cannot be made, signed, kept or written (said with what the stick holds).
    pub fn export(
        &mut self,
        kind: ContentKind,
        election: &str,
        journal: Option<JournalMark>,
        build: &dyn Fn(&Created) -> Result<Vec<ExportFile>, ExportError>,
    ) -> Result<ExportDone, BodyError> {
        let mut folder = SignedMedium::folder_name(kind, election, self.certificate.identifier());
        if self.demo {
            folder = format!("DEMO_{folder}");
        }
        let made = |at: i64, journal: Option<JournalMark>| {
            build(&created_at(at, journal).map_err(BodyError::export)?)
                .map_err(|e| BodyError::ExportBuild(e).export())
        };
        // The audit log travels in the medium as it was when the export was made: a kept
        // export is compared without it and written with its kept copy (the same bytes on
        // every stick); a new one gets the log as of now.
        let kept = match self.kept_export(kind, election, &folder)? {
            Some((medium, at, kept_journal)) => {
                let again = made(at, kept_journal)?;
                let same = again.iter().map(|f| (&f.name, &f.bytes)).eq(medium
                    .files
                    .iter()
                    .filter(|f| f.name != AUDIT_FILE)
                    .map(|f| (&f.name, &f.bytes)));
                same.then_some(medium)
            }
            None => None,
        };
        let medium = match kept {
            Some(medium) => medium,
            None => {
                let at = jiff::Timestamp::now().as_second();
                let files = made(at, journal.clone())?;
                let key = self
                    .key
                    .as_ref()
                    .ok_or_else(|| BodyError::KeyLocked.export())?;
                let mut files: Vec<MediumFile> = files
                    .into_iter()
                    .map(|f| MediumFile {
                        name: f.name,
                        bytes: f.bytes,
                    })
                    .collect();
                files.push(MediumFile {
                    name: AUDIT_FILE.to_owned(),
                    bytes: self.audit_copy()?,
                });
                let medium = sign_medium(
                    kind,
                    election,
                    files,
                    key,
                    &self.certificate,
                    Timestamp::now(),
                )
                .map_err(|e| BodyError::Sign(e.to_string()).export())?;
                self.keep_export(&folder, &medium, at, journal.as_ref())?;
                medium
            }
        };
        let path = self.write_export(kind, election, &folder, &medium)?;
        let files = medium
            .files
            .iter()
            .filter(|f| f.name != AUDIT_FILE)
            .map(|f| (f.name.clone(), hex::encode(sha256(&f.bytes))))
            .collect();
        Ok(ExportDone { path, files })
    }

    /// Keeps the signed medium of the export in `<data-dir>/export/<folder>` (each file
    /// written and synced before the stick is written), and what it was made for next to it
    /// (`<folder>.created`: seconds since 1970, and the journal's records and head).
    fn keep_export(
        &self,
        folder: &str,
        medium: &SignedMedium,
        at: i64,
        journal: Option<&JournalMark>,
    ) -> Result<(), BodyError> {
        let fail = |e: std::io::Error| BodyError::ExportNotKept(e).export();
        let exports = self.paths.data_dir.join(EXPORT_DIR);
        let dir = exports.join(folder);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(fail)?;
        }
        fs::create_dir_all(&dir).map_err(fail)?;
        for f in export_request(folder, medium).files {
            write_synced(&dir.join(f.name), f.bytes).map_err(fail)?;
        }
        sync_dir(&dir).map_err(fail)?;
        let made_for = match journal {
            Some(j) => format!("{at} {} {}", j.records, j.head.to_hex()),
            None => at.to_string(),
        };
        write_synced(
            &exports.join(format!("{folder}.created")),
            made_for.as_bytes(),
        )
        .and_then(|()| sync_dir(&exports))
        .map_err(fail)
    }

    /// The export kept by [`Body::keep_export`], verified again (signature, kind, election,
    /// signer), with its moment; `None` when there is none (or its moment is not kept).
    fn kept_export(
        &self,
        kind: ContentKind,
        election: &str,
        folder: &str,
    ) -> Result<Option<(SignedMedium, i64, Option<JournalMark>)>, BodyError> {
        let fail = |e: String| BodyError::KeptExportUnusable(e).export();
        let exports = self.paths.data_dir.join(EXPORT_DIR);
        let dir = exports.join(folder);
        let made_for = read(&exports.join(format!("{folder}.created")))
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| made_for(&t));
        let Some((at, journal)) =
            made_for.filter(|_| dir.join(tally_signing::SIGNATURE_FILE).exists())
        else {
            return Ok(None);
        };
        let mut opts = VerifyOptions::new(&self.root, Timestamp::now());
        opts.expected_kind = Some(kind);
        opts.expected_election = Some(election);
        opts.expected_signer = Some(self.certificate.identifier());
        let verified = verify_medium(&tally_signing::DirSource::new(&dir), &opts)
            .map_err(|e| fail(e.to_string()))?;
        // The manifest and signature just verified, read again for writing (capped, regular
        // files only: the verified medium gives the payload's bytes, not these).
        let read = |name: &str| {
            tally_signing::medium::read_regular_file(
                &dir.join(name),
                tally_core::eml::limits::MAX_FILE_BYTES as u64,
            )
            .map_err(|e| fail(e.to_string()))
        };
        let files = verified
            .files
            .into_iter()
            .map(|f| MediumFile {
                name: f.name,
                bytes: f.bytes,
            })
            .collect();
        let medium = SignedMedium {
            manifest: read(tally_signing::MANIFEST_FILE)?,
            signature: read(tally_signing::SIGNATURE_FILE)?,
            files,
        };
        Ok(Some((medium, at, journal)))
    }

    /// The signed media on the sticks present: each stick's top-level folders that hold one
    /// (`*.tally`; links are not folders). A USB stick that cannot be used, or holds no such
    /// folder, is listed with why.
    pub fn scan(&mut self) -> Vec<Found> {
        // Each stick's top-level folders are the candidates (links are not folders). In
        // folder mode the media folder is the one stick and only its folders are listed; a
        // USB stick that cannot be used, or holds no folder, is listed with why.
        let Ok(mut audit) = self.audit_log() else {
            return Vec::new();
        };
        let usb = self.sticks.is_usb();
        let mut out = Vec::new();
        for stick in self.sticks.present() {
            let unfit = |why: Unfit| Found::Unfit {
                stick: stick.key.clone(),
                label: stick.label.clone(),
                why,
            };
            let medium = match &stick.medium {
                Ok(m) => m,
                Err(why) => {
                    out.push(unfit(Unfit::Unusable(why.clone())));
                    continue;
                }
            };
            let Ok(medium) = self.sticks.begin(&stick.key).map(|_| medium) else {
                continue;
            };
            let folders = medium
                .open_import(ReadLimits::default(), &mut audit)
                .and_then(|session| {
                    let folders = tally_media::signed::signed_folders(&session);
                    session.close(&mut audit)?;
                    folders
                });
            self.sticks.end(&mut audit);
            match folders {
                Ok(folders) if usb && folders.is_empty() => out.push(unfit(Unfit::Empty)),
                Ok(folders) => out.extend(folders.into_iter().map(|folder| Found::Folder {
                    stick: stick.key.clone(),
                    label: stick.label.clone(),
                    folder,
                    usb,
                })),
                Err(e) if usb => out.push(unfit(Unfit::Unreadable(e))),
                Err(_) => {}
            }
        }
        out
    }
}

/// What a kept export was made for: `<seconds> [<records> <head hex>]`.
fn made_for(text: &str) -> Option<(i64, Option<JournalMark>)> {
    let mut parts = text.split_whitespace();
    let at = parts.next()?.parse::<i64>().ok()?;
    let journal = match (parts.next(), parts.next()) {
        (None, _) => None,
        (Some(records), Some(head)) => Some(JournalMark {
            records: records.parse().ok()?,
            head: Sha256Digest::from_hex(head).ok()?,
        }),
        (Some(_), None) => return None,
    };
    Some((at, journal))
}

/// One moment (seconds since 1970) as an export's creation time: in the EML in UTC, on the
/// report in Dutch local time (Europe/Amsterdam), which is what the officials' clocks say.
///
/// # Errors
/// A moment outside the years 1000-9999.
pub fn created_at(seconds: i64, journal: Option<JournalMark>) -> Result<Created, BodyError> {
    let bad = BodyError::Clock;
    let moment = jiff::Timestamp::from_second(seconds).map_err(|e| bad(e.to_string()))?;
    let utc = jiff::tz::TimeZone::UTC.to_datetime(moment);
    let local = AMSTERDAM.to_datetime(moment);
    let n = |v: i8| u32::try_from(v).unwrap_or(u32::MAX);
    let report = tally_export::CreationTime::new(
        u32::try_from(local.year()).unwrap_or(0),
        n(local.month()),
        n(local.day()),
        n(local.hour()),
        n(local.minute()),
        n(local.second()),
    )
    .map_err(|e| bad(e.to_string()))?;
    Ok(Created {
        at: seconds,
        journal,
        eml: format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            utc.year(),
            utc.month(),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        ),
        report,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_made_in_utc_and_printed_in_dutch_local_time() {
        // 2026-11-25 14:04:05 UTC is 15:04:05 in winter (CET); 2026-06-25 14:04:05 UTC is
        // 16:04:05 in summer (CEST).
        let winter = created_at(1_795_615_445, None).unwrap();
        assert_eq!(winter.eml, "2026-11-25T14:04:05");
        assert_eq!(winter.report.to_string(), "25-11-2026 15:04:05");
        let summer = created_at(1_782_396_245, None).unwrap();
        assert_eq!(summer.eml, "2026-06-25T14:04:05");
        assert_eq!(summer.report.to_string(), "25-06-2026 16:04:05");
        assert!(created_at(i64::MAX, None).is_err());
    }
}
