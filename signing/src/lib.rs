//! Signed media of the tally appliance: Ed25519 keys, the authority's certificates for
//! counting bodies, manifests, signing and verification of media, and passphrase-encrypted
//! key files. The format is specified in `docs/signed-media.md`. Unlocking a body
//! ([`unlock`]): the passphrase in a wiped buffer, the certificate's validity checked, the
//! journal key derived (`docs/journal.md`), a growing delay after wrong passphrases.
//!
//! What this crate is for: deciding whether the bytes of a medium may be trusted, and
//! handing the caller only the bytes it verified; and making such media.
//!
//! What it must not do: touch a terminal, a USB device or the network; parse the payload
//! (EML) files; read a file twice or re-read it after verification; trust anything before
//! the chain root -> certificate -> manifest -> file has been checked. Everything it reads
//! may be hostile: it returns precise errors and never panics on input.
//!
//! Typical use:
//! ```
//! use tally_signing::*;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let root = SecretKey::from_seed(&[1; 32]);
//! let body = SecretKey::from_seed(&[2; 32]);
//! let cert = Certificate::issue(&root, CertificateFields {
//!     role: Role::Gsb,
//!     identifier: "0668".into(),
//!     name: "Gemeente West Maas en Waal".into(),
//!     election: "GR2022_WestMaasenWaal".into(),
//!     valid_from: Timestamp::parse("2022-03-01T00:00:00Z")?,
//!     valid_until: Timestamp::parse("2022-04-01T00:00:00Z")?,
//!     public_key: body.public_key(),
//! })?;
//! let files = vec![MediumFile { name: "Telling.eml.xml".into(), bytes: b"<EML/>".to_vec() }];
//! let medium = sign_medium(ContentKind::Results510b, "GR2022_WestMaasenWaal", files, &body,
//!     &cert, Timestamp::parse("2022-03-17T20:00:00Z")?)?;
//! let root_pub = root.public_key();
//! let mut opts = VerifyOptions::new(&root_pub, Timestamp::parse("2022-03-18T09:00:00Z")?);
//! opts.expected_election = Some("GR2022_WestMaasenWaal");
//! let verified = verify_medium(&medium.to_source(), &opts)?;
//! assert_eq!(verified.files[0].bytes, b"<EML/>");
//! # Ok(()) }
//! ```

pub mod certificate;
pub mod error;
pub mod hashcode;
pub mod keys;
pub mod manifest;
pub mod medium;
pub mod pin;
mod text;
pub mod time;
pub mod unlock;

pub use certificate::{Certificate, CertificateError, CertificateFields, Role};
pub use error::{SignError, VerifyError};
pub use hashcode::{format_hash_code, sha256};
pub use keys::{
    Fingerprint, KdfParam, KdfParams, KdfParamsError, KeyFileError, PublicKey, PublicKeyError,
    SecretKey, Signature, SignedKind, decrypt_secret_key, encrypt_secret_key, read_secret_key_file,
    write_secret_key_file,
};
pub use manifest::{
    ContentKind, FOLDER_SUFFIX, Limits, MANIFEST_FILE, Manifest, ManifestEntry, SIGNATURE_FILE,
};
pub use medium::{
    DirSource, MediumFile, MediumSource, MemorySource, SignedMedium, SourceError, Spool,
    SpooledFile, VerifiedFile, VerifiedMedium, VerifyOptions, sign_medium, verify_medium,
    verify_medium_spooled,
};
pub use text::{SyntaxError, SyntaxProblem};
pub use time::Timestamp;
pub use unlock::{
    Passphrase, UnlockError, UnlockThrottle, UnlockedBody, Validity, ValidityError, audit_key,
    journal_key, unlock_body,
};
