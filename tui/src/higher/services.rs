//! The seams of the HSB and CSB screens to keys, media and signatures
//! ([`HigherServices`]), and their implementation on real keys and a media folder
//! ([`FolderHigherServices`]): every medium is read through `tally-media` (capped,
//! link-refusing reader; verified export; audit log), every signature checked by
//! `tally-signing`.

use std::path::{Path, PathBuf};

use tally_core::eml::count::read_count_from;
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
    /// Its size in bytes (the file itself is kept in the data directory by its SHA-256).
    pub size: u64,
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
        // The EML file is copied from the stick into the data partition as it is verified
        // (hashed as it is read, never held in memory: an Amsterdam-sized 510b is about
        // 90 MB), and kept under its SHA-256 once it is verified and is the signer's.
        let mut spool = self.body.incoming_spool()?;
        let verified =
            self.body
                .on_stick(&medium.stick, &medium.folder, |body, stick, audit| {
                    let mut options = VerifyOptions::new(&body.root, Timestamp::now());
                    options.expected_kind = Some(kind);
                    options.expected_election = Some(body.certificate.election());
                    Body::verify_spooled(stick, &medium.folder, &options, audit, &mut spool)
                        .map_err(Refusal::from)
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
        let emls = verified.spooled.len();
        let (1, Some(incoming)) = (emls, verified.spooled.first().and_then(|f| spool.take(f)))
        else {
            return Err(Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::RefusedFiles, &[], format!("{emls} EML files")).into()],
            ));
        };
        drop(verified);
        // Read (from the copy, as a stream) for the body it speaks for; the parsed count is
        // dropped before the import reads it again.
        let not_count = |why: String| {
            Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::RefusedNotCount, &[], why).into()],
            )
        };
        let copy = incoming.open().map_err(|e| not_count(e.to_string()))?;
        let body = read_count_from(copy, incoming.size)
            .map_err(|e| not_count(e.to_string()))?
            .header
            .authority_id;
        if body != identifier {
            return Err(Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::RefusedWrongBody, &[&identifier, &body], "").into()],
            ));
        }
        let count = VerifiedCount {
            file_name: incoming.name.clone(),
            sha256: hex::encode(incoming.sha256),
            size: incoming.size,
            body,
            signer: signer_text,
            medium: medium.folder.clone(),
        };
        self.body.keep_incoming(incoming)?;
        Ok(count)
    }

    fn kept_path(&mut self, sha: &str) -> Result<PathBuf, Refusal> {
        Ok(self.body.kept_path(sha)?)
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
