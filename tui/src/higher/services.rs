//! The seams of the HSB and CSB screens to keys, media and signatures
//! ([`HigherServices`]), and their implementation on real keys and a media folder
//! ([`FolderHigherServices`]): every medium is read through `tally-media` (capped,
//! link-refusing reader; verified export; audit log), every signature checked by
//! `tally-signing`.

use std::path::{Path, PathBuf};

use tally_core::eml::count::read_count;
use tally_export::{Created, ExportError, ExportFile, JournalMark};
use tally_signing::{Certificate, ContentKind, Timestamp, VerifiedMedium, VerifyOptions};

use crate::text::Msg;
use tally_body::{Body, Paths, SetupError};
use tally_ledger::higher::{BodyOf, Definition};

use super::app::{Higher, HigherServices};
use crate::services::{DefinitionMedium, ExportDone, Folder, FolderLevel, Medium, Refusal};

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

/// The journal file of the higher levels in a data directory.
pub fn journal_path(data_dir: &Path) -> PathBuf {
    data_dir.join("journal-higher.tally")
}

/// The HSB's and CSB's services: the [`Folder`] with the higher levels' definition medium
/// (110a and the 230b files).
pub type FolderHigherServices = Folder<HigherMedium>;

/// The higher levels' definition medium: nothing kept beside the [`Definition`].
pub struct HigherMedium;

/// The role of the certificate at `paths.certificate` (`HSB`, `CSB`, `GSB`, `authority`),
/// without verifying it: for choosing the flow at start (the flow verifies it).
pub fn certificate_role(paths: &Paths) -> Option<String> {
    let bytes = tally_body::read(&paths.certificate).ok()?;
    Certificate::parse(&bytes)
        .ok()
        .map(|c| c.role().as_str().to_owned())
}

impl DefinitionMedium for HigherMedium {
    type Definition = Definition;
    const KEPT_DIR: &'static str = "higher-definition.tally";

    /// The certificate must be a principal (HSB) or central (CSB) committee's.
    fn new(body: &Body) -> Result<HigherMedium, SetupError> {
        let role = body.certificate.role().as_str().to_owned();
        if !matches!(role.as_str(), "HSB" | "CSB") {
            return Err(SetupError::Invalid(
                body.paths.certificate.clone(),
                format!("role {role} is not a principal or central committee"),
            ));
        }
        Ok(HigherMedium)
    }

    fn files(definition: &Definition) -> &[(String, String)] {
        &definition.files
    }

    fn definition(
        &mut self,
        body: &Body,
        verified: &VerifiedMedium,
    ) -> Result<Definition, Refusal> {
        let files: Vec<(&str, &[u8], String)> = verified
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.bytes.as_slice(), hex::encode(f.sha256)))
            .collect();
        let cert = &body.certificate;
        let of = BodyOf {
            role: cert.role().as_str(),
            identifier: cert.identifier(),
            name: cert.name(),
            election: cert.election(),
        };
        let signer = verified.signer();
        let signer = format!("{} ({})", signer.name(), signer.identifier());
        Ok(Definition::from_medium(&files, of, signer)?)
    }
}

impl FolderLevel<Higher> for FolderHigherServices {
    fn as_level(&mut self) -> &mut (dyn HigherServices + 'static) {
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
        let signer = verified.signer();
        let (identifier, signer_text) = (
            signer.identifier().to_owned(),
            format!(
                "{} {} {}",
                signer.role().as_str(),
                signer.identifier(),
                signer.name()
            ),
        );
        // The one EML file, moved out of the verified medium (an Amsterdam-sized 510b is
        // about 90 MB: never two copies of it at once).
        let mut files = verified.files;
        let emls = files
            .iter()
            .filter(|f| f.name.ends_with(".eml.xml"))
            .count();
        let at = files.iter().position(|f| f.name.ends_with(".eml.xml"));
        let (1, Some(at)) = (emls, at) else {
            return Err(Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::RefusedFiles, &[], format!("{emls} EML files")).into()],
            ));
        };
        let file = files.swap_remove(at);
        drop(files);
        // Read for the body it speaks for; the parsed count is dropped before the import
        // reads it again.
        let body = read_count(&file.bytes)
            .map_err(|e| {
                Refusal::said(
                    Msg::MediumRefused,
                    vec![Refusal::with(Msg::RefusedNotCount, &[], e.to_string()).into()],
                )
            })?
            .header
            .authority_id;
        if body != identifier {
            return Err(Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::RefusedWrongBody, &[&identifier, &body], "").into()],
            ));
        }
        Ok(VerifiedCount {
            file_name: file.name,
            sha256: hex::encode(file.sha256),
            bytes: file.bytes,
            body,
            signer: signer_text,
            medium: medium.folder.clone(),
        })
    }

    fn keep_file(&mut self, sha: &str, bytes: &[u8]) -> Result<(), Refusal> {
        Ok(self.body.keep_file(sha, bytes)?)
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
