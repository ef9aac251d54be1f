//! The terminal's services on real keys, sticks and folders: what the appliance runs, and
//! the demo with it.
//!
//! [`FolderServices`] holds the trusted root's public key, the body's certificate and
//! passphrase-encrypted key, sticks from [`crate::sticks::Sticks`] (real USB sticks with
//! `--usb`, or a folder standing in for one), and the `tally-signing` checks on every medium.
//! Every medium is read and written through `tally-media` (its capped, link-refusing reader
//! and its verified export), audited in `<data-dir>/audit.jsonl`. The GSB export writes the
//! 510b and its municipal report (PDF), both signed, and keeps the signed medium so that
//! every stick gets the same bytes.
//!
//! What it must not do: hold demo keys or demo data (that is [`crate::demo`]).

use std::fs;
use std::path::{Path, PathBuf};

use tally_core::double_entry::DataEntry;
use tally_core::election::Election;
use tally_core::eml::definition::{
    DefinitionError, DefinitionProblem, SourceFile, load_candidate_lists, load_election,
    sort_medium_files,
};
use tally_core::eml::limits::DocumentKind;
use tally_core::hashcode::Sha256Digest;
use tally_export::{Created, ExportError, ExportFile, JournalMark};
use tally_media::export::NoFaults;
use tally_media::signed::{SignedMediumVerifier, SigningSource, export_request, summary};
use tally_media::{FolderMedium, JsonLinesAudit, MediaError, Medium as StickMedium, ReadLimits};
use tally_signing::{
    Certificate, ContentKind, MediumFile, PublicKey, SecretKey, SignedMedium, Timestamp,
    VerifiedMedium, VerifyError, VerifyOptions, sha256, sign_medium, verify_medium,
};

use crate::app::{Municipal, MunicipalServices};
use crate::form::ElectionInfo;
use crate::media_words::{export_failure, media_error, media_refusal, verify_refusal};
use crate::services::{ExportDone, Identity, Medium, Refusal, Services, VerifiedDefinition};
use crate::sticks::Sticks;
use crate::text::Msg;

const ROOT_FILE: &str = "root.pub";
const CERT_FILE: &str = "body.cert";
const KEY_FILE: &str = "body.key";
const KEPT_DIR: &str = "definition.tally";
const AUDIT_FILE: &str = "audit.jsonl";
/// The signed 510b medium as first made, kept on the data partition: every export (a second
/// stick, a retry after a failed write) writes these same bytes, so every stick carries the
/// same 510b and the same hash code as the printed report.
const EXPORT_DIR: &str = "export";

/// Which of a medium's candidate-list files (230b) holds the lists of `contest` (the
/// municipality's kieskring): its index in `lists` (name, bytes). A Tweede Kamer definition
/// medium carries one 230b per kieskring; the official checks the hash code of this one.
pub fn kieskring_lists(lists: &[(&str, &[u8])], contest: &str) -> Option<usize> {
    lists.iter().position(|(name, bytes)| {
        load_candidate_lists(&SourceFile::new(name, bytes))
            .is_ok_and(|l| l.contests.iter().any(|c| c.id.0 == contest))
    })
}

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
        Ok(Body {
            paths,
            sticks,
            root,
            certificate,
            key: None,
            throttle: tally_signing::UnlockThrottle::new(),
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
    pub fn unlock(&mut self, passphrase: &str) -> Result<(), Refusal> {
        self.key = Some(unlock_key(
            &self.paths.key,
            passphrase,
            &self.certificate,
            &mut self.throttle,
        )?);
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

    /// The audit log, opened for appending.
    ///
    /// # Errors
    /// It cannot be opened.
    pub fn audit_log(&self) -> Result<JsonLinesAudit, Refusal> {
        JsonLinesAudit::open(&self.paths.audit())
            .map_err(|e| Refusal::with(Msg::MediaAudit, &[], e.to_string()))
    }

    /// A line in the audit log (the decision is in the journal already; this is a copy for
    /// reading).
    pub fn note(&self, text: &str) {
        if let Ok(mut audit) = self.audit_log() {
            let _ = tally_media::AuditSink::record(
                &mut audit,
                tally_media::AuditEvent::new(tally_media::AuditKind::Verified, None, text),
            );
        }
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
    pub fn on_stick<T>(
        &mut self,
        medium: &Medium,
        f: impl FnOnce(&Body, &dyn StickMedium, &mut JsonLinesAudit) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        if medium.folder.is_empty()
            && let Some(stick) = self.sticks.get(&medium.stick)
        {
            return Err(match stick.medium {
                Err(why) => Refusal::said(
                    Msg::MediumRefused,
                    vec![Refusal::said(Msg::StickWhy, vec![stick.label.into(), why.into()]).into()],
                ),
                Ok(_) => Refusal::said(Msg::NoSignedMediumOnStick, vec![stick.label.into()]),
            });
        }
        let mut audit = self.audit_log()?;
        let stick = self
            .sticks
            .begin(&medium.stick)
            .map_err(|why| Refusal::said(Msg::MediumRefused, vec![why.into()]))?;
        let result = f(self, stick.as_ref(), &mut audit);
        let removed = self.sticks.end(&mut audit);
        match result {
            Err(_) if removed => Err(Refusal::with(Msg::StickPulledWhileReading, &[], "")),
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
    ) -> Result<VerifiedMedium, Refusal> {
        let session = stick
            .open_import(ReadLimits::default(), audit)
            .map_err(media_refusal)?;
        let mut reason: Option<VerifyError> = None;
        let outcome = session.verify_with(
            folder,
            |view| {
                verify_medium(&SigningSource::new(*view), options).map_err(|e| {
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
            (Err(MediaError::VerifyFailed(_)), Some(e)) => return Err(verify_refusal(&e)),
            (Err(e), _) => return Err(media_refusal(e)),
        };
        closed.map_err(media_refusal)?;
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
        medium: &Medium,
        names: &[String],
        kept: &Path,
    ) -> Result<(), Refusal> {
        let fail = |e: std::io::Error| {
            Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::KeepFailed, &[], e.to_string()).into()],
            )
        };
        if kept.exists() {
            fs::remove_dir_all(kept).map_err(fail)?;
        }
        fs::create_dir_all(kept).map_err(fail)?;
        self.on_stick(medium, |_, stick, audit| {
            let session = stick
                .open_import(ReadLimits::default(), audit)
                .map_err(media_refusal)?;
            let copied = names.iter().try_for_each(|name| {
                let bytes = session
                    .reader()
                    .read_file(&format!("{}/{name}", medium.folder))
                    .map_err(media_refusal)?;
                write_synced(&kept.join(name), &bytes).map_err(fail)
            });
            session.close(audit).map_err(media_refusal)?;
            copied
        })?;
        sync_dir(kept)
            .and_then(|()| sync_dir(&self.paths.data_dir))
            .map_err(fail)
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
    ) -> Result<String, Refusal> {
        // Exactly one usable stick: which one is meant is never guessed.
        let sticks = self.sticks.present();
        let usable: Vec<_> = sticks.iter().filter(|s| s.medium.is_ok()).collect();
        let key = match usable.as_slice() {
            [one] => one.key.clone(),
            [] => {
                // Each stick present and why it cannot be used, one after the other.
                let present = sticks
                    .iter()
                    .filter_map(|s| {
                        let why = s.medium.as_ref().err()?.clone();
                        Some(Refusal::said(
                            Msg::StickWhy,
                            vec![s.label.clone().into(), why.into()],
                        ))
                    })
                    .reduce(|a, b| Refusal::said(Msg::ThenAlso, vec![a.into(), b.into()]))
                    .map_or_else(
                        || Refusal::plain(""),
                        |all| Refusal::said(Msg::InBrackets, vec![all.into()]),
                    );
                return Err(Refusal::said(Msg::ExportNoStick, vec![present.into()]));
            }
            more => {
                return Err(Refusal::with(
                    Msg::ExportSeveralSticks,
                    &[&more.len().to_string()],
                    "",
                ));
            }
        };
        let dir = Path::new(&key).join(folder);
        if !self.sticks.is_usb() && dir.exists() {
            return Err(Refusal::with(
                Msg::ExportFolderExists,
                &[&dir.display().to_string()],
                "",
            ));
        }
        // Through tally-media: a temporary name, fsync, rename, read back and verified
        // before the official is told it is done; audited. On failure the data stays in the
        // journal and the export can be repeated.
        let fail = |r: Refusal| Refusal::said(Msg::ExportFailed, vec![r.into()]);
        let mut audit = self.audit_log().map_err(fail)?;
        let mut opts = VerifyOptions::new(&self.root, Timestamp::now());
        opts.expected_kind = Some(kind);
        opts.expected_election = Some(election);
        opts.expected_signer = Some(self.certificate.identifier());
        let verifier = SignedMediumVerifier { opts };
        let stick = self.sticks.begin(&key).map_err(fail)?;
        let result = stick.export(
            &export_request(folder, medium),
            &verifier,
            &mut NoFaults,
            &mut audit,
        );
        let removed = self.sticks.end(&mut audit);
        result.map_err(|e| export_failure(&e, removed))?;
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
    ) -> Result<ExportDone, Refusal> {
        let fail = |r: Refusal| Refusal::said(Msg::ExportFailed, vec![r.into()]);
        let mut folder = SignedMedium::folder_name(kind, election, self.certificate.identifier());
        if self.demo {
            folder = format!("DEMO_{folder}");
        }
        let made = |at: i64, journal: Option<JournalMark>| {
            build(&created_at(at, journal).map_err(fail)?).map_err(|e| fail(export_refusal(&e)))
        };
        let kept = match self.kept_export(kind, election, &folder)? {
            Some((medium, at, kept_journal)) => {
                let again = made(at, kept_journal)?;
                let same = again
                    .iter()
                    .map(|f| (&f.name, &f.bytes))
                    .eq(medium.files.iter().map(|f| (&f.name, &f.bytes)));
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
                    .ok_or_else(|| fail(Refusal::with(Msg::KeyLocked, &[], "")))?;
                let files = files
                    .into_iter()
                    .map(|f| MediumFile {
                        name: f.name,
                        bytes: f.bytes,
                    })
                    .collect();
                let medium = sign_medium(
                    kind,
                    election,
                    files,
                    key,
                    &self.certificate,
                    Timestamp::now(),
                )
                .map_err(|e| fail(Refusal::plain(e.to_string())))?;
                self.keep_export(&folder, &medium, at, journal.as_ref())?;
                medium
            }
        };
        let path = self.write_export(kind, election, &folder, &medium)?;
        let files = medium
            .files
            .iter()
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
    ) -> Result<(), Refusal> {
        let fail = |e: std::io::Error| {
            Refusal::said(
                Msg::ExportFailed,
                vec![Refusal::with(Msg::ExportNotKept, &[], e.to_string()).into()],
            )
        };
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
    ) -> Result<Option<(SignedMedium, i64, Option<JournalMark>)>, Refusal> {
        let fail = |e: String| {
            Refusal::said(
                Msg::ExportFailed,
                vec![Refusal::with(Msg::KeptExportUnusable, &[], e).into()],
            )
        };
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
    pub fn scan(&mut self) -> Vec<Medium> {
        // Each stick's top-level folders are the candidates (links are not folders). In
        // folder mode the media folder is the one stick and only its folders are listed; a
        // USB stick that cannot be used, or holds no folder, is listed with why.
        let Ok(mut audit) = self.audit_log() else {
            return Vec::new();
        };
        let usb = self.sticks.is_usb();
        let mut out = Vec::new();
        for stick in self.sticks.present() {
            let whole = |why: Refusal| Medium {
                label: Refusal::said(Msg::StickWhy, vec![stick.label.clone().into(), why.into()]),
                stick: stick.key.clone(),
                folder: String::new(),
            };
            let medium = match &stick.medium {
                Ok(m) => m,
                Err(why) => {
                    out.push(whole(why.clone()));
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
                Ok(folders) if usb && folders.is_empty() => {
                    out.push(whole(Refusal::with(Msg::StickEmpty, &[], "")))
                }
                Ok(folders) => out.extend(folders.into_iter().map(|name| Medium {
                    label: if usb {
                        Refusal::said(
                            Msg::FolderOnStick,
                            vec![
                                crate::sticks::ascii(&name).into(),
                                stick.label.clone().into(),
                            ],
                        )
                    } else {
                        Refusal::plain(name.clone())
                    },
                    stick: stick.key.clone(),
                    folder: name,
                })),
                Err(e) if usb => out.push(whole(media_error(&e))),
                Err(_) => {}
            }
        }
        out
    }
}

/// The municipal level's services on sticks (real USB sticks, or folders standing in for
/// them) and real signatures.
pub struct FolderServices {
    body: Body,
    /// The kept definition's election and the 230b on the ballot (for the municipal report
    /// and the CSV), once verified.
    election: Option<KeptElection>,
}

/// What the export needs of the kept definition besides [`ElectionInfo`].
#[derive(Clone)]
struct KeptElection {
    /// The whole election.
    election: Election,
    /// The 230b of the municipality's kieskring: its name and bytes.
    lists: (String, Vec<u8>),
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
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, SetupError> {
    tally_signing::medium::read_regular_file(path, MAX_KEY_FILE_BYTES)
        .map_err(|e| SetupError::Io(path.to_path_buf(), std::io::Error::other(e)))
}

/// The body's key from its passphrase-encrypted file, checked against its certificate: the
/// unlock of every level.
///
/// # Errors
/// The file cannot be read, the passphrase is wrong, or the key is another body's.
pub(crate) fn unlock_key(
    path: &Path,
    passphrase: &str,
    certificate: &Certificate,
    throttle: &mut tally_signing::UnlockThrottle,
) -> Result<SecretKey, Refusal> {
    use tally_signing::{KeyFileError, Passphrase, UnlockError, unlock_body};
    let bytes = read(path).map_err(|e| Refusal::new(Msg::KeyUnreadable, e.to_string()))?;
    // The certificate's validity is checked first, against the clock, before the passphrase.
    let pass = Passphrase::from(passphrase);
    // A growing delay after wrong passphrases: a try within it is refused, not run.
    let unlocked = throttle
        .attempt(std::time::Instant::now(), || {
            unlock_body(&bytes, &pass, certificate, Timestamp::now())
        })
        .map_err(|e| match e {
            UnlockError::Certificate(v) => Refusal::new(Msg::CertificateNotValid, v.to_string()),
            // A key file below the Argon2id floor is refused as such, whatever the passphrase.
            UnlockError::KeyFile(KeyFileError::KdfParameters(p)) => {
                Refusal::new(Msg::KeyUnreadable, p.to_string())
            }
            UnlockError::NotOfCertificate => Refusal::with(Msg::KeyNotOfCertificate, &[], ""),
            UnlockError::Throttled { wait } => Refusal::with(
                Msg::UnlockThrottled,
                &[&wait.as_secs().max(1).to_string()],
                "",
            ),
            _ => Refusal::with(Msg::WrongPassphrase, &[], ""),
        })?;
    Ok(unlocked.key)
}

/// Writes a file and forces it to disk: what the journal will refer to survives a power cut
/// at any moment (a file written but not synced can be empty after one).
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.sync_all()
}

/// Forces a directory's entries (files created, renamed or removed in it) to disk.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<(), SetupError> {
    fs::write(path, bytes).map_err(|e| SetupError::Io(path.to_path_buf(), e))
}

impl FolderServices {
    /// Opens the keys in `paths.data_dir`: the root's public key and the body's certificate,
    /// which must be signed by that root. The body key stays locked until [`Services::unlock`].
    /// The media folder `paths.media_dir` stands in for one stick.
    pub fn open(paths: Paths, system: String, demo: bool) -> Result<FolderServices, SetupError> {
        let sticks = Sticks::folder(&paths.media_dir);
        FolderServices::with_sticks(paths, sticks, system, demo)
    }

    /// Like [`FolderServices::open`], with the sticks from `sticks` (real USB sticks with
    /// [`Sticks::usb`]); `paths.media_dir` is then not used.
    pub fn with_sticks(
        paths: Paths,
        sticks: Sticks,
        system: String,
        demo: bool,
    ) -> Result<FolderServices, SetupError> {
        Ok(FolderServices {
            body: Body::open(paths, sticks, system, demo)?,
            election: None,
        })
    }

    fn audit_log(&self) -> Result<JsonLinesAudit, Refusal> {
        self.body.audit_log()
    }

    /// Verifies the signed medium `dir` through `tally-media`: the folder that holds it is
    /// the medium (a stick, or in the demo a folder standing in for one), read by the capped
    /// reader that refuses links and special files, every file read and the outcome audited.
    fn verify_dir(&self, dir: &Path) -> Result<(VerifiedDefinition, KeptElection), Refusal> {
        let (parent, folder) = split(dir)?;
        let mut audit = self.audit_log()?;
        self.verify_on(&FolderMedium::new(parent), folder, &mut audit)
    }

    /// Verifies the signed medium in `folder` on `medium` (see [`FolderServices::verify_dir`]);
    /// `source` is where it is, for [`VerifiedDefinition::source`].
    fn verify_on(
        &self,
        medium: &dyn StickMedium,
        folder: &str,
        audit: &mut JsonLinesAudit,
    ) -> Result<(VerifiedDefinition, KeptElection), Refusal> {
        let verified = Body::verify(medium, folder, &self.body.definition_options(), audit)?;
        self.definition_from(&verified)
    }

    /// The municipality's definition read from a verified medium found at `source`.
    fn definition_from(
        &self,
        verified: &VerifiedMedium,
    ) -> Result<(VerifiedDefinition, KeptElection), Refusal> {
        let sources: Vec<SourceFile<'_>> = verified
            .files
            .iter()
            .map(|f| SourceFile::new(&f.name, &f.bytes))
            .collect();
        let sorted = sort_medium_files(&sources).map_err(|e| medium_files_refusal(&e))?;
        let f110a = verified.files.get(sorted.definition);
        let lists: Vec<_> = sorted
            .candidate_lists
            .iter()
            .filter_map(|&i| verified.files.get(i))
            .collect();
        let f110b = sorted.polling_stations.and_then(|i| verified.files.get(i));
        let (Some(f110a), Some(f110b)) = (f110a, f110b) else {
            return Err(Refusal::with(Msg::Missing110b, &[], ""));
        };
        let election = load_election(
            &SourceFile::new(&f110a.name, &f110a.bytes),
            &lists
                .iter()
                .map(|f| SourceFile::new(&f.name, &f.bytes))
                .collect::<Vec<_>>(),
            Some(&SourceFile::new(&f110b.name, &f110b.bytes)),
        )
        .map_err(|e| Refusal::with(Msg::DefinitionEmlWrong, &[], e.to_string()))?;
        let info = ElectionInfo::from_election(&election).map_err(|e| crate::form::refusal(&e))?;
        if info.municipality_code.0 != self.body.certificate.identifier() {
            return Err(Refusal::with(
                Msg::OtherMunicipality,
                &[
                    &info.municipality_code.0,
                    self.body.certificate.identifier(),
                ],
                "",
            ));
        }
        let named: Vec<(&str, &[u8])> = lists
            .iter()
            .map(|f| (f.name.as_str(), f.bytes.as_slice()))
            .collect();
        let f230b = kieskring_lists(&named, &info.contest_id.0)
            .and_then(|i| lists.get(i))
            .ok_or_else(|| Refusal::with(Msg::Missing230bKieskring, &[&info.contest_id.0], ""))?;
        let signer = verified.signer();
        let definition = VerifiedDefinition {
            info,
            signer: format!("{} ({})", signer.name(), signer.identifier()),
            sha256_110a: hex::encode(f110a.sha256),
            sha256_230b: hex::encode(f230b.sha256),
            files: verified
                .files
                .iter()
                .map(|f| (f.name.clone(), hex::encode(f.sha256)))
                .collect(),
        };
        let lists = (f230b.name.clone(), f230b.bytes.clone());
        Ok((definition, KeptElection { election, lists }))
    }
}

/// `<stick>/<folder>` split into the stick and the folder's name.
fn split(dir: &Path) -> Result<(&Path, &str), Refusal> {
    match (dir.parent(), dir.file_name().and_then(|f| f.to_str())) {
        (Some(parent), Some(folder)) => Ok((parent, folder)),
        _ => Err(Refusal::said(
            Msg::MediumRefused,
            vec![Refusal::with(Msg::NotAFolderOnStick, &[&dir.display().to_string()], "").into()],
        )),
    }
}

impl Services<Municipal> for FolderServices {
    fn identity(&self) -> Identity {
        self.body.identity()
    }

    fn unlock(&mut self, passphrase: &str) -> Result<(), Refusal> {
        self.body.unlock(passphrase)
    }

    fn journal_key(&self) -> Option<tally_core::journal::JournalKey> {
        self.body.journal_key()
    }

    fn scan(&mut self) -> Vec<Medium> {
        self.body.scan()
    }

    fn poll_media(&mut self) -> bool {
        self.body.poll_media()
    }

    fn verify_definition(&mut self, medium: &Medium) -> Result<VerifiedDefinition, Refusal> {
        let verified = self.body.on_stick(medium, |body, stick, audit| {
            Body::verify(stick, &medium.folder, &body.definition_options(), audit)
        })?;
        self.definition_from(&verified).map(|(d, _)| d)
    }

    fn keep_definition(
        &mut self,
        medium: &Medium,
        definition: &VerifiedDefinition,
    ) -> Result<(), Refusal> {
        let kept = self.body.paths.data_dir.join(KEPT_DIR);
        let mut names: Vec<String> = definition.files.iter().map(|(n, _)| n.clone()).collect();
        names.push(tally_signing::MANIFEST_FILE.to_string());
        names.push(tally_signing::SIGNATURE_FILE.to_string());
        self.body.keep_medium(medium, &names, &kept)?;
        // What was copied must be what was verified.
        let (again, election) = self.verify_dir(&kept)?;
        self.election = Some(election);
        if again.files != definition.files {
            return Err(Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::StickChanged, &[], "").into()],
            ));
        }
        Ok(())
    }

    fn kept_definition(&mut self) -> Result<Option<VerifiedDefinition>, Refusal> {
        let kept = self.body.paths.data_dir.join(KEPT_DIR);
        if !kept.exists() {
            return Ok(None);
        }
        let (definition, election) = self.verify_dir(&kept)?;
        self.election = Some(election);
        Ok(Some(definition))
    }

    fn note(&mut self, text: &str) {
        self.body.note(text);
    }

    fn level(&mut self) -> &mut (dyn MunicipalServices + 'static) {
        self
    }
}

impl MunicipalServices for FolderServices {
    fn export(
        &mut self,
        election: &ElectionInfo,
        data: &DataEntry,
        journal: Option<JournalMark>,
    ) -> Result<ExportDone, Refusal> {
        let KeptElection {
            election: kept,
            lists,
        } = match self.election.clone() {
            Some(e) => e,
            None => self.verify_dir(&self.body.paths.data_dir.join(KEPT_DIR))?.1,
        };
        let spec = crate::form::municipality_spec(election);
        let municipality = tally_export::Municipality {
            election: &kept,
            contest: &election.contest_id,
            spec: &spec,
            name: &election.municipality_name,
            lists: SourceFile::new(&lists.0, &lists.1),
            demo: self.body.demo,
        };
        self.body.export(
            ContentKind::Results510b,
            &election.id.0,
            journal,
            &|created| tally_export::municipal(&municipality, data, created),
        )
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
pub fn created_at(seconds: i64, journal: Option<JournalMark>) -> Result<Created, Refusal> {
    let bad = |e: String| Refusal::plain(format!("clock: {e}"));
    let moment = jiff::Timestamp::from_second(seconds).map_err(|e| bad(e.to_string()))?;
    let utc = jiff::tz::TimeZone::UTC.to_datetime(moment);
    let local = crate::view::AMSTERDAM.to_datetime(moment);
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

/// The words for a definition medium whose files are not one 110a, 230b files and at most
/// one 110b.
pub fn medium_files_refusal(e: &DefinitionError) -> Refusal {
    let msg = match &e.problem {
        DefinitionProblem::MediumDocuments { kind, found: 0, .. } => match kind {
            DocumentKind::ElectionDefinition => Msg::Missing110a,
            DocumentKind::CandidateLists => Msg::Missing230b,
            _ => Msg::Missing110b,
        },
        _ => Msg::DefinitionEmlWrong,
    };
    Refusal::with(msg, &[], e.to_string())
}

/// The words for an export that cannot be made.
pub fn export_refusal(e: &ExportError) -> Refusal {
    let msg = match e {
        ExportError::Total(_) => Msg::TotalNotMade,
        ExportError::Report(_) => Msg::ReportNotMade,
        ExportError::Csv(_) => Msg::CsvNotMade,
        _ => Msg::ExportNotMade,
    };
    Refusal::with(msg, &[], e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/");
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    #[test]
    fn the_hash_code_asked_is_of_the_municipalitys_kieskring_lists() {
        let haarlem = shared("Kandidatenlijsten_TK2025_Haarlem.eml.xml");
        let nijmegen = shared("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
        let lists: [(&str, &[u8]); 2] = [("haarlem.xml", &haarlem), ("nijmegen.xml", &nijmegen)];
        // Kieskring 6 is Nijmegen, 10 is Haarlem; the order on the medium does not matter.
        assert_eq!(kieskring_lists(&lists, "6"), Some(1));
        assert_eq!(kieskring_lists(&lists, "10"), Some(0));
        let swapped = [lists[1], lists[0]];
        assert_eq!(kieskring_lists(&swapped, "6"), Some(0));
        // A kieskring not on the medium, and a file that is no 230b, give none.
        assert_eq!(kieskring_lists(&lists, "3"), None);
        assert_eq!(kieskring_lists(&[("x.xml", b"<x/>")], "6"), None);
    }

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
