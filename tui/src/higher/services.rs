//! The seams of the HSB and CSB screens to keys, media and signatures
//! ([`HigherServices`]), and their implementation on real keys and a media folder
//! ([`FolderHigherServices`]): every medium is read through `tally-media` (capped,
//! link-refusing reader; verified export; audit log), every signature checked by
//! `tally-signing`.

use std::fs;
use std::path::{Path, PathBuf};

use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_election, sort_medium_files};
use tally_export::{Created, ExportError, ExportFile, JournalMark};
use tally_media::{FolderMedium, JsonLinesAudit};
use tally_signing::{Certificate, ContentKind, Timestamp, VerifiedMedium, VerifyOptions, sha256};

use crate::folder::medium_files_refusal;
use crate::text::Msg;
use tally_body::Sticks;
use tally_body::{Body, Paths, SetupError};
use tally_ledger::higher::{Definition, ListFiles, level_of};

use super::app::{Higher, HigherServices};
use crate::services::{ExportDone, Identity, Medium, Refusal, Services};

/// A count file whose signature holds and whose signer is the body it speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCount {
    /// The EML file's name.
    pub file_name: String,
    /// Its bytes (as verified).
    pub bytes: Vec<u8>,
    /// SHA-256 (hex).
    pub sha256: String,
    /// The body it is for (`0014`, `HSB1`).
    pub body: String,
    /// The signer as shown.
    pub signer: String,
    /// The medium it came from.
    pub medium: String,
}

const KEPT_DIR: &str = "higher-definition.tally";
const FILES_DIR: &str = "higher-files";
/// Kept files are counts; the largest real 510b is about 10 MB.
const MAX_KEPT_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The journal file of the higher levels in a data directory.
pub fn journal_path(data_dir: &Path) -> PathBuf {
    data_dir.join("journal-higher.tally")
}

/// The HSB's and CSB's services on real keys and sticks (or a folder standing in for one).
pub struct FolderHigherServices {
    body: Body,
}

/// The role of the certificate at `paths.certificate` (`HSB`, `CSB`, `GSB`, `authority`),
/// without verifying it: for choosing the flow at start (the flow verifies it).
pub fn certificate_role(paths: &Paths) -> Option<String> {
    let bytes = tally_body::read(&paths.certificate).ok()?;
    Certificate::parse(&bytes)
        .ok()
        .map(|c| c.role().as_str().to_owned())
}

impl FolderHigherServices {
    /// Opens the keys: the root's public key and the body's certificate (signed by that
    /// root, role HSB or CSB).
    ///
    /// # Errors
    /// A key file is missing or invalid, or the certificate is not an HSB's or the CSB's.
    pub fn open(
        paths: Paths,
        system: String,
        demo: bool,
    ) -> Result<FolderHigherServices, SetupError> {
        let sticks = Sticks::folder(&paths.media_dir);
        FolderHigherServices::with_sticks(paths, sticks, system, demo)
    }

    /// As [`FolderHigherServices::open`], with the sticks given (USB on the appliance).
    ///
    /// # Errors
    /// As [`FolderHigherServices::open`].
    pub fn with_sticks(
        paths: Paths,
        sticks: Sticks,
        system: String,
        demo: bool,
    ) -> Result<FolderHigherServices, SetupError> {
        let body = Body::open(paths, sticks, system, demo)?;
        let role = body.certificate.role().as_str().to_owned();
        if !matches!(role.as_str(), "HSB" | "CSB") {
            return Err(SetupError::Invalid(
                body.paths.certificate.clone(),
                format!("role {role} is not a principal or central committee"),
            ));
        }
        Ok(FolderHigherServices { body })
    }

    fn audit_log(&self) -> Result<JsonLinesAudit, Refusal> {
        Ok(self.body.audit_log()?)
    }

    fn definition_from(&self, verified: &VerifiedMedium) -> Result<Definition, Refusal> {
        let refuse = |detail: String| Refusal::with(Msg::RefusedOther, &[], detail);
        let sources: Vec<SourceFile<'_>> = verified
            .files
            .iter()
            .map(|f| SourceFile::new(&f.name, &f.bytes))
            .collect();
        let sorted = sort_medium_files(&sources).map_err(|e| medium_files_refusal(&e))?;
        let f110a = verified
            .files
            .get(sorted.definition)
            .ok_or_else(|| refuse("110a missing".into()))?;
        let lists: Vec<_> = sorted
            .candidate_lists
            .iter()
            .filter_map(|&i| verified.files.get(i))
            .collect();
        let election = load_election(
            &SourceFile::new(&f110a.name, &f110a.bytes),
            &lists
                .iter()
                .map(|f| SourceFile::new(&f.name, &f.bytes))
                .collect::<Vec<_>>(),
            None,
        )
        .map_err(|e| refuse(e.to_string()))?;
        if election.id.0 != self.body.certificate.election() {
            return Err(Refusal::with(
                Msg::RefusedOtherElection,
                &[],
                format!("{} / {}", election.id.0, self.body.certificate.election()),
            ));
        }
        let role = self.body.certificate.role().as_str();
        let level = level_of(role, self.body.certificate.identifier(), &election)
            .map_err(|e| refuse(e.to_string()))?;
        let body_name = match role {
            "HSB" => format!("Hoofdstembureau {}", self.body.certificate.name()),
            _ => format!("Centraal stembureau {}", self.body.certificate.name()),
        };
        let signer = verified.signer();
        let def = Definition {
            election,
            level,
            body_id: self.body.certificate.identifier().to_owned(),
            body_name,
            signer: format!("{} ({})", signer.name(), signer.identifier()),
            sha256_110a: hex::encode(f110a.sha256),
            lists_230b: lists
                .iter()
                .map(|f| (f.name.clone(), hex::encode(f.sha256)))
                .collect(),
            files: verified
                .files
                .iter()
                .map(|f| (f.name.clone(), hex::encode(f.sha256)))
                .collect(),
            list_files: ListFiles(std::sync::Arc::new(
                lists
                    .iter()
                    .map(|f| (f.name.clone(), f.bytes.clone()))
                    .collect(),
            )),
        };
        def.registry().map_err(|e| refuse(e.to_string()))?;
        Ok(def)
    }
}

impl Services<Higher> for FolderHigherServices {
    fn identity(&self) -> Identity {
        self.body.identity()
    }

    fn unlock(&mut self, passphrase: &str) -> Result<(), Refusal> {
        Ok(self.body.unlock(passphrase)?)
    }

    fn journal_key(&self) -> Option<tally_core::journal::JournalKey> {
        self.body.journal_key()
    }

    fn scan(&mut self) -> Vec<Medium> {
        crate::folder::found(&mut self.body)
    }

    fn verify_definition(&mut self, medium: &Medium) -> Result<Definition, Refusal> {
        let verified =
            self.body
                .on_stick(&medium.stick, &medium.folder, |body, stick, audit| {
                    Body::verify(stick, &medium.folder, &body.definition_options(), audit)
                        .map_err(Refusal::from)
                })?;
        self.definition_from(&verified)
    }

    fn keep_definition(&mut self, medium: &Medium, def: &Definition) -> Result<(), Refusal> {
        let kept = self.body.paths.data_dir.join(KEPT_DIR);
        let mut names: Vec<String> = def.files.iter().map(|(n, _)| n.clone()).collect();
        names.push(tally_signing::MANIFEST_FILE.to_string());
        names.push(tally_signing::SIGNATURE_FILE.to_string());
        self.body
            .keep_medium(&medium.stick, &medium.folder, &names, &kept)?;
        // What was copied must be what was verified.
        let changed = || {
            Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::StickChanged, &[], "").into()],
            )
        };
        let again = self.kept_definition()?.ok_or_else(changed)?;
        if again.files != def.files {
            return Err(changed());
        }
        Ok(())
    }

    fn kept_definition(&mut self) -> Result<Option<Definition>, Refusal> {
        let kept = self.body.paths.data_dir.join(KEPT_DIR);
        if !kept.exists() {
            return Ok(None);
        }
        let medium = FolderMedium::new(&self.body.paths.data_dir);
        let mut audit = self.audit_log()?;
        let options = self.body.definition_options();
        let verified = Body::verify(&medium, KEPT_DIR, &options, &mut audit)?;
        self.definition_from(&verified).map(Some)
    }

    fn kept_file(&mut self, sha: &str) -> Result<Vec<u8>, Refusal> {
        if !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Refusal::with(Msg::RefusedOther, &[], "bad file name"));
        }
        let path = self
            .body
            .paths
            .data_dir
            .join(FILES_DIR)
            .join(format!("{sha}.eml.xml"));
        let bytes = tally_signing::medium::read_regular_file(&path, MAX_KEPT_FILE_BYTES)
            .map_err(|e| Refusal::with(Msg::RefusedOther, &[], e.to_string()))?;
        if hex::encode(sha256(&bytes)) != sha {
            return Err(Refusal::with(
                Msg::RefusedOther,
                &[],
                format!("{} is damaged", path.display()),
            ));
        }
        Ok(bytes)
    }

    fn note(&mut self, text: &str) {
        self.body.note(text);
    }

    fn record(&mut self, event: tally_media::AuditEvent) {
        self.body.record(event);
    }

    fn poll_media(&mut self) -> bool {
        self.body.poll_media()
    }

    fn level(&mut self) -> &mut (dyn HigherServices + 'static) {
        self
    }
}

impl HigherServices for FolderHigherServices {
    fn verify_count(
        &mut self,
        medium: &Medium,
        kind: ContentKind,
    ) -> Result<VerifiedCount, Refusal> {
        let verified =
            self.body
                .on_stick(&medium.stick, &medium.folder, |body, stick, audit| {
                    let mut options = VerifyOptions::new(&body.root, Timestamp::now());
                    options.expected_kind = Some(kind);
                    options.expected_election = Some(body.certificate.election());
                    Body::verify(stick, &medium.folder, &options, audit).map_err(Refusal::from)
                })?;
        let emls: Vec<_> = verified
            .files
            .iter()
            .filter(|f| f.name.ends_with(".eml.xml"))
            .collect();
        let [file] = emls.as_slice() else {
            return Err(Refusal::said(
                Msg::MediumRefused,
                vec![
                    Refusal::with(Msg::RefusedFiles, &[], format!("{} EML files", emls.len()))
                        .into(),
                ],
            ));
        };
        let counts = read_count(&file.bytes).map_err(|e| {
            Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::RefusedNotCount, &[], e.to_string()).into()],
            )
        })?;
        let signer = verified.signer();
        let body = counts.header.authority_id.clone();
        if body != signer.identifier() {
            return Err(Refusal::said(
                Msg::MediumRefused,
                vec![
                    Refusal::with(Msg::RefusedWrongBody, &[signer.identifier(), &body], "").into(),
                ],
            ));
        }
        Ok(VerifiedCount {
            file_name: file.name.clone(),
            sha256: hex::encode(file.sha256),
            bytes: file.bytes.clone(),
            body,
            signer: format!(
                "{} {} {}",
                signer.role().as_str(),
                signer.identifier(),
                signer.name()
            ),
            medium: medium.folder.clone(),
        })
    }

    fn keep_file(&mut self, sha: &str, bytes: &[u8]) -> Result<(), Refusal> {
        let fail = |e: std::io::Error| Refusal::with(Msg::RefusedOther, &[], e.to_string());
        let dir = self.body.paths.data_dir.join(FILES_DIR);
        fs::create_dir_all(&dir).map_err(fail)?;
        let path = dir.join(format!("{sha}.eml.xml"));
        let tmp = dir.join(format!("{sha}.tmp"));
        {
            use std::io::Write;
            let mut f = fs::File::create(&tmp).map_err(fail)?;
            f.write_all(bytes).map_err(fail)?;
            f.sync_all().map_err(fail)?;
        }
        fs::rename(&tmp, &path).map_err(fail)?;
        fs::File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(fail)?;
        Ok(())
    }

    fn export(
        &mut self,
        kind: ContentKind,
        election: &str,
        journal: Option<JournalMark>,
        build: &dyn Fn(&Created) -> Result<Vec<ExportFile>, ExportError>,
    ) -> Result<ExportDone, Refusal> {
        Ok(self.body.export(kind, election, journal, build)?)
    }
}
