//! The signing crate's verifier over a medium: [`SigningSource`] is the signing crate's
//! `MediumSource` on top of a [`FolderView`] (so its size caps apply on top of the reader's, and
//! links, device files and oversized files are refused before the verifier sees a byte), and
//! [`SignedMediumVerifier`] is a [`MediumVerifier`] for exports.

use tally_signing::{
    FOLDER_SUFFIX, MANIFEST_FILE, MediumSource, SIGNATURE_FILE, SignedMedium, SourceError,
    VerifiedMedium, VerifyError, VerifyOptions, verify_medium,
};

use crate::error::MediaError;
use crate::export::{ExportFile, ExportRequest};
use crate::medium::ImportSession;
use crate::verify::{FolderView, MediumVerifier};

/// A folder of a medium as the signing crate's source of files.
#[derive(Debug, Clone, Copy)]
pub struct SigningSource<'a> {
    view: FolderView<'a>,
}

impl<'a> SigningSource<'a> {
    /// The source over `view`.
    pub fn new(view: FolderView<'a>) -> Self {
        SigningSource { view }
    }
}

/// Maps this crate's refusals onto the signing crate's.
pub fn to_source_error(e: MediaError) -> SourceError {
    match e {
        MediaError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            SourceError::NotFound
        }
        MediaError::Io { source, .. } => SourceError::Io(source),
        MediaError::Symlink { .. } | MediaError::NotRegular { .. } => SourceError::NotRegularFile,
        MediaError::TooLarge { limit, .. } => SourceError::TooLarge { limit },
        MediaError::BadName { .. } => SourceError::NotFound,
        other => SourceError::Io(std::io::Error::other(other.to_string())),
    }
}

impl MediumSource for SigningSource<'_> {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        Ok(self
            .view
            .list()
            .map_err(to_source_error)?
            .into_iter()
            .map(|e| e.name)
            .collect())
    }

    fn read(&self, name: &str, max_len: u64) -> Result<Vec<u8>, SourceError> {
        self.view.read(name, max_len).map_err(to_source_error)
    }

    /// The file copied through the reader in pieces (never held in memory).
    fn copy_hashed(
        &self,
        name: &str,
        max_len: u64,
        out: &mut dyn std::io::Write,
    ) -> Result<(u64, [u8; 32]), SourceError> {
        match self.view.copy(name, max_len, out) {
            Ok(done) => Ok(done),
            Err(MediaError::WriteCopy { source, .. }) => Err(SourceError::Write(source)),
            Err(e) => Err(to_source_error(e)),
        }
    }
}

/// One line about a verified medium for the audit log: kind, election, signer, files with hashes.
pub fn summary(v: &VerifiedMedium) -> String {
    let files: Vec<String> = v
        .files
        .iter()
        .map(|f| (&f.name, &f.sha256))
        .chain(v.spooled.iter().map(|f| (&f.name, &f.sha256)))
        .map(|(name, sha256)| format!("{name} {}", hex::encode(sha256)))
        .collect();
    format!(
        "{} for {} signed by {} {} ({}); files: {}",
        v.kind().as_str(),
        v.election(),
        v.signer().role().as_str(),
        v.signer().identifier(),
        v.signer().fingerprint(),
        files.join(", ")
    )
}

/// The signing crate's complete verification as a [`MediumVerifier`] (used by exports to
/// verify what was read back from the stick).
#[derive(Debug, Clone, Copy)]
pub struct SignedMediumVerifier<'a> {
    /// Root key, time, expected election/kind/signer, limits.
    pub opts: VerifyOptions<'a>,
}

impl MediumVerifier for SignedMediumVerifier<'_> {
    fn verify(&self, view: &FolderView<'_>) -> Result<String, String> {
        verify_medium(&SigningSource::new(*view), &self.opts)
            .map(|v| summary(&v))
            .map_err(|e| e.to_string())
    }
}

/// Verifies the signed medium in `folder` of an import session and returns the verified bytes
/// (the only bytes the caller may parse), auditing every file read and the outcome.
pub fn verify_signed(
    session: &ImportSession,
    folder: &str,
    opts: &VerifyOptions<'_>,
    audit: &mut dyn crate::audit::AuditSink,
) -> Result<VerifiedMedium, MediaError> {
    session.verify_with(
        folder,
        |view| -> Result<VerifiedMedium, VerifyError> {
            verify_medium(&SigningSource::new(*view), opts)
        },
        summary,
        audit,
    )
}

/// The folders of a medium that look like signed media (`*.tally`), sorted.
pub fn signed_folders(session: &ImportSession) -> Result<Vec<String>, MediaError> {
    Ok(session
        .folders()?
        .into_iter()
        .filter(|f| f.ends_with(FOLDER_SUFFIX))
        .collect())
}

/// The export of a signed medium into `folder`: its payload files, the manifest and the
/// signature, borrowed.
pub fn export_request<'a>(folder: &'a str, medium: &'a SignedMedium) -> ExportRequest<'a> {
    let mut files: Vec<ExportFile<'a>> = medium
        .files
        .iter()
        .map(|f| ExportFile {
            name: &f.name,
            bytes: &f.bytes,
        })
        .collect();
    files.push(ExportFile {
        name: MANIFEST_FILE,
        bytes: &medium.manifest,
    });
    files.push(ExportFile {
        name: SIGNATURE_FILE,
        bytes: &medium.signature,
    });
    ExportRequest { folder, files }
}
