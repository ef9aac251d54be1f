//! Why a signed medium is refused: one variant per check, in the order the checks run.

use crate::certificate::Role;
use crate::keys::Fingerprint;
use crate::manifest::ContentKind;
use crate::text::SyntaxError;
use crate::time::Timestamp;

/// Why a signed medium is refused (or cannot be made). Each check has its own variant.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    // --- reading the manifest and the signature ---------------------------------------
    /// The folder cannot be listed.
    #[error("the medium's folder cannot be listed: {reason}")]
    Unlistable {
        /// The cause.
        reason: String,
    },
    /// The manifest file is not there.
    #[error("the manifest `{name}` is missing")]
    ManifestMissing {
        /// The manifest's file name.
        name: &'static str,
    },
    /// The signature file is not there.
    #[error("the signature `{name}` is missing")]
    SignatureMissing {
        /// The signature's file name.
        name: &'static str,
    },
    /// A file (manifest, signature or payload) is a symlink, folder or other non-regular file.
    #[error("`{name}` is not a regular file (symlinks, folders and devices are refused)")]
    NotRegularFile {
        /// The file.
        name: String,
    },
    /// A file cannot be read.
    #[error("`{name}` cannot be read: {reason}")]
    Unreadable {
        /// The file.
        name: String,
        /// The cause.
        reason: String,
    },
    /// A listed file could not be copied to where the caller keeps it (see
    /// `verify_medium_spooled`): nothing of the medium is used.
    #[error("`{name}` cannot be copied from the medium: {reason}")]
    CopyFailed {
        /// The file.
        name: String,
        /// The cause.
        reason: String,
    },
    /// The manifest is larger than allowed.
    #[error("the manifest is larger than {limit} bytes")]
    ManifestTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The signature file is not exactly 128 lowercase hex digits and a line feed.
    #[error(
        "the signature file is malformed (it must be 128 lowercase hex digits and a line feed)"
    )]
    SignatureSyntax,

    // --- the manifest's form ------------------------------------------------------------
    /// The manifest's text is malformed.
    #[error("the manifest is malformed: {0}")]
    ManifestSyntax(SyntaxError),
    /// The certificate inside the manifest is malformed.
    #[error("the signer's certificate is malformed: {0}")]
    CertificateSyntax(SyntaxError),
    /// A file name in the manifest is not a plain, safe name.
    #[error("manifest line {line}: file name `{name}` is refused: {reason}")]
    BadFileName {
        /// The manifest line.
        line: usize,
        /// The name (control characters escaped).
        name: String,
        /// Why.
        reason: String,
    },
    /// The manifest lists a file twice (names compared without regard to case, as on FAT).
    #[error("the manifest lists `{name}` twice")]
    DuplicateFile {
        /// The name listed again.
        name: String,
    },
    /// The manifest lists no file.
    #[error("the manifest lists no file")]
    NoFiles,
    /// The manifest lists more files than allowed.
    #[error("the manifest lists more than {limit} files")]
    TooManyFiles {
        /// The limit.
        limit: usize,
    },
    /// A listed file is larger than allowed.
    #[error("`{name}` has {size} bytes, more than the limit of {limit} bytes")]
    FileTooLarge {
        /// The file.
        name: String,
        /// Its size as declared in the manifest.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// All listed files together are larger than allowed.
    #[error("the listed files together are larger than {limit} bytes")]
    TotalTooLarge {
        /// The limit.
        limit: u64,
    },

    // --- root -> certificate --------------------------------------------------------------
    /// The certificate was issued by another root.
    #[error(
        "the signer's certificate was issued by another authority (root fingerprint {found}), not by the trusted root {trusted}"
    )]
    CertificateFromOtherRoot {
        /// The issuer fingerprint stated in the certificate.
        found: Fingerprint,
        /// The trusted root's fingerprint.
        trusted: Fingerprint,
    },
    /// The root's signature on the certificate does not verify.
    #[error("the signer's certificate is not validly signed by the trusted root")]
    CertificateSignatureInvalid,
    /// The certificate is not valid yet.
    #[error("the signer's certificate is not valid yet: valid from {valid_from}, now is {now}")]
    CertificateNotYetValid {
        /// Start of validity.
        valid_from: Timestamp,
        /// The time of the check.
        now: Timestamp,
    },
    /// The certificate has expired.
    #[error("the signer's certificate has expired: valid until {valid_until}, now is {now}")]
    CertificateExpired {
        /// End of validity.
        valid_until: Timestamp,
        /// The time of the check.
        now: Timestamp,
    },
    /// The certificate is for another election than the manifest states.
    #[error(
        "the signer's certificate is for election `{certificate}`, but the medium is for `{manifest}`"
    )]
    CertificateForOtherElection {
        /// The certificate's election.
        certificate: String,
        /// The manifest's election.
        manifest: String,
    },
    /// The signer is not the body expected.
    #[error("the medium is signed by {role} `{found}`, not by `{expected}`")]
    UnexpectedSigner {
        /// The signer's role.
        role: Role,
        /// The signer's identifier.
        found: String,
        /// The identifier expected.
        expected: String,
    },

    // --- certificate -> manifest ----------------------------------------------------------
    /// The signature over the manifest does not verify with the certificate's key.
    #[error("the manifest's signature is not valid for the signer's key")]
    ManifestSignatureInvalid,

    // --- manifest -> files ----------------------------------------------------------------
    /// A listed file is not there.
    #[error("`{name}` is listed in the manifest but missing")]
    FileMissing {
        /// The file.
        name: String,
    },
    /// A listed file's size differs from the manifest.
    #[error(
        "`{name}` has the wrong size: the manifest says {declared} bytes, the file has {actual}"
    )]
    FileSizeMismatch {
        /// The file.
        name: String,
        /// Size in the manifest.
        declared: u64,
        /// Size found (`more than N` when the file is longer than declared).
        actual: String,
    },
    /// A listed file's SHA-256 differs from the manifest.
    #[error("`{name}` has been altered: its SHA-256 does not match the manifest")]
    FileHashMismatch {
        /// The file.
        name: String,
    },

    // --- who may send what, for which election ------------------------------------------
    /// The signer's role may not sign this kind of content.
    #[error("a {role} may not sign {kind}; only the {allowed} may")]
    RoleNotAllowed {
        /// The signer's role.
        role: Role,
        /// The kind of content.
        kind: ContentKind,
        /// The role that may.
        allowed: Role,
    },
    /// The medium is for another election than the one loaded.
    #[error("the medium is for election `{found}`, not for the loaded election `{expected}`")]
    WrongElection {
        /// The medium's election.
        found: String,
        /// The election expected.
        expected: String,
    },
    /// The medium holds another kind of content than expected.
    #[error("the medium holds {found}, not {expected}")]
    WrongKind {
        /// The medium's kind.
        found: ContentKind,
        /// The kind expected.
        expected: ContentKind,
    },
}

/// Why a medium cannot be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The secret key is not the one the certificate is for.
    #[error("the signing key does not belong to the certificate")]
    KeyDoesNotMatchCertificate,
    /// The certificate's role may not sign this kind of content.
    #[error("a {role} may not sign {kind}; only the {allowed} may")]
    RoleNotAllowed {
        /// The certificate's role.
        role: Role,
        /// The kind.
        kind: ContentKind,
        /// The role that may.
        allowed: Role,
    },
    /// The certificate is for another election.
    #[error("the certificate is for election `{certificate}`, not `{medium}`")]
    ElectionMismatch {
        /// The certificate's election.
        certificate: String,
        /// The medium's election.
        medium: String,
    },
    /// The files or names are not acceptable (same checks as on verification).
    #[error("{0}")]
    Invalid(#[from] VerifyError),
}
