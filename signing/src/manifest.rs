//! The manifest of a signed medium: what it holds, for which election, signed by whom,
//! and each file's name, size and SHA-256.

use std::fmt;

use crate::certificate::{Certificate, CertificateError, Role, check_election_id};
use crate::error::VerifyError;
use crate::text::{Lines, SyntaxError, from_hex, from_hex_array, parse_decimal, to_hex};
use crate::time::Timestamp;

/// The name of the manifest file inside a medium's folder.
pub const MANIFEST_FILE: &str = "manifest.txt";
/// The name of the detached signature file inside a medium's folder.
pub const SIGNATURE_FILE: &str = "manifest.sig";
/// The suffix of a medium's folder name.
pub const FOLDER_SUFFIX: &str = ".tally";

/// What a medium holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentKind {
    /// An election definition: 110a, 230b and optionally 110b. Signed by the authority.
    ElectionDefinition,
    /// A municipality's count (510b). Signed by a GSB.
    Results510b,
    /// A kieskring's count (510c). Signed by an HSB.
    Results510c,
    /// The total count and the result (510d and 520). Signed by the CSB.
    Results510d520,
    /// The entries typed on one entry appliance of a GSB (`docs/parallel-entry.md`). Signed
    /// by that appliance's `GSB-entry` certificate.
    EntryBatch,
    /// Which polling stations a GSB's entry appliances may type. Signed by the GSB.
    EntryAssignment,
    /// The progress overview of parallel entry (a PDF for the committee, no EML file).
    /// Signed by the GSB.
    ProgressOverview,
}

impl ContentKind {
    /// All kinds.
    pub const ALL: [ContentKind; 7] = [
        ContentKind::ElectionDefinition,
        ContentKind::Results510b,
        ContentKind::Results510c,
        ContentKind::Results510d520,
        ContentKind::EntryBatch,
        ContentKind::EntryAssignment,
        ContentKind::ProgressOverview,
    ];

    /// The spelling in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::ElectionDefinition => "election-definition",
            ContentKind::Results510b => "results-510b",
            ContentKind::Results510c => "results-510c",
            ContentKind::Results510d520 => "results-510d-520",
            ContentKind::EntryBatch => "entry-batch",
            ContentKind::EntryAssignment => "entry-assignment",
            ContentKind::ProgressOverview => "progress-overview",
        }
    }

    /// The kind from its spelling in manifests.
    pub fn parse(s: &str) -> Option<ContentKind> {
        ContentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The only role that may sign this kind of content.
    pub fn allowed_role(self) -> Role {
        match self {
            ContentKind::ElectionDefinition => Role::Authority,
            ContentKind::Results510b => Role::Gsb,
            ContentKind::Results510c => Role::Hsb,
            ContentKind::Results510d520 => Role::Csb,
            ContentKind::EntryBatch => Role::GsbEntry,
            ContentKind::EntryAssignment | ContentKind::ProgressOverview => Role::Gsb,
        }
    }
}

impl fmt::Display for ContentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContentKind::ElectionDefinition => "an election definition",
            ContentKind::Results510b => "municipal results (510b)",
            ContentKind::Results510c => "kieskring results (510c)",
            ContentKind::Results510d520 => "the total count and result (510d and 520)",
            ContentKind::EntryBatch => "an entry batch of an entry appliance",
            ContentKind::EntryAssignment => {
                "the assignment of polling stations to entry appliances"
            }
            ContentKind::ProgressOverview => "the progress overview of parallel entry",
        })
    }
}

/// Size limits applied when verifying (and signing) a medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest manifest, in bytes.
    pub max_manifest_bytes: u64,
    /// The largest single file, in bytes.
    pub max_file_bytes: u64,
    /// The most files one medium may list.
    pub max_files: usize,
    /// The largest sum of all listed files' sizes, in bytes.
    pub max_total_bytes: u64,
}

impl Limits {
    /// The defaults: manifest 64 KiB, one file 256 MiB, 64 files, 320 MiB in all. The
    /// largest real count (a Tweede Kamer 510b of Amsterdam) is 60 to 120 MB; one file of
    /// 256 MiB leaves twice that, and 64 MiB more for the definition and the printed
    /// report beside it. Verified files are held in memory, so the bound stays.
    pub const DEFAULT: Limits = Limits {
        max_manifest_bytes: 64 * 1024,
        max_file_bytes: 256 * 1024 * 1024,
        max_files: 64,
        max_total_bytes: 320 * 1024 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The longest file name accepted, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 128;

/// Checks that `name` is a plain, safe file name: 1 to 128 bytes of ASCII letters, digits,
/// `.`, `_` and `-`, not starting with `.` or `-` (so no `..`, no hidden files, no path
/// separators, no control characters), and not the manifest's or the signature's name.
pub fn check_file_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.len() > MAX_FILE_NAME_BYTES {
        return Err(format!("longer than {MAX_FILE_NAME_BYTES} bytes"));
    }
    if name.contains('/') || name.contains('\\') {
        return Err("contains a path separator".into());
    }
    if name.chars().any(char::is_control) {
        return Err("contains a control character".into());
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        return Err("only ASCII letters, digits, `.`, `_` and `-` are allowed".into());
    }
    if name.starts_with('.') || name.starts_with('-') {
        return Err("must not start with `.` or `-`".into());
    }
    if name.eq_ignore_ascii_case(MANIFEST_FILE) || name.eq_ignore_ascii_case(SIGNATURE_FILE) {
        return Err("is the name of the manifest or the signature".into());
    }
    Ok(())
}

/// One file listed in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// The plain file name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256.
    pub sha256: [u8; 32],
}

/// A parsed manifest, with the exact bytes it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// What the medium holds.
    pub kind: ContentKind,
    /// The election identifier.
    pub election: String,
    /// When the medium was made.
    pub created: Timestamp,
    /// The signer's certificate (not yet verified when parsed).
    pub certificate: Certificate,
    /// The listed files, in manifest order.
    pub files: Vec<ManifestEntry>,
    bytes: Vec<u8>,
}

const MAGIC: &str = "tally-manifest v1";
const FIELDS: &[&str] = &["kind", "election", "created", "certificate", "file"];

fn escape(name: &str) -> String {
    name.chars()
        .take(200)
        .flat_map(char::escape_default)
        .collect()
}

impl Manifest {
    /// Builds the manifest bytes for these values (checked as on parsing).
    pub fn build(
        kind: ContentKind,
        election: &str,
        created: Timestamp,
        certificate: &Certificate,
        files: &[ManifestEntry],
        limits: &Limits,
    ) -> Result<Manifest, VerifyError> {
        let mut text = format!(
            "{MAGIC}\nkind: {}\nelection: {election}\ncreated: {created}\ncertificate: {}\n",
            kind.as_str(),
            to_hex(certificate.as_bytes())
        );
        for f in files {
            text.push_str(&format!(
                "file: {} {} {}\n",
                to_hex(&f.sha256),
                f.size,
                f.name
            ));
        }
        Manifest::parse(text.as_bytes(), limits)
    }

    /// Parses a manifest strictly, including the embedded certificate's form, the file
    /// names and the size limits. Signatures are not checked here.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Manifest, VerifyError> {
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limits.max_manifest_bytes {
            return Err(VerifyError::ManifestTooLarge {
                limit: limits.max_manifest_bytes,
            });
        }
        let syntax = VerifyError::ManifestSyntax;
        let mut l = Lines::open(bytes, MAGIC, FIELDS).map_err(syntax)?;
        let f = l.field("kind").map_err(syntax)?;
        let kind = ContentKind::parse(f.value)
            .ok_or_else(|| {
                Lines::bad_value(
                    &f,
                    "kind",
                    "must be `election-definition`, `results-510b`, `results-510c`, `results-510d-520`, `entry-batch` or `entry-assignment`",
                )
            })
            .map_err(syntax)?;
        let f = l.field("election").map_err(syntax)?;
        check_election_id(f.value)
            .map_err(|e| Lines::bad_value(&f, "election", e))
            .map_err(syntax)?;
        let election = f.value.to_string();
        let f = l.field("created").map_err(syntax)?;
        let created = Timestamp::parse(f.value)
            .map_err(|e| Lines::bad_value(&f, "created", e.to_string()))
            .map_err(syntax)?;
        let f = l.field("certificate").map_err(syntax)?;
        let cert_bytes = from_hex(f.value)
            .ok_or_else(|| {
                Lines::bad_value(
                    &f,
                    "certificate",
                    "not lowercase hexadecimal of whole bytes",
                )
            })
            .map_err(syntax)?;
        let certificate = Certificate::parse(&cert_bytes).map_err(|e| match e {
            CertificateError::Syntax(s) => VerifyError::CertificateSyntax(s),
            other => VerifyError::CertificateSyntax(SyntaxError {
                line: 0,
                problem: crate::text::SyntaxProblem::BadValue {
                    field: "certificate",
                    reason: other.to_string(),
                },
            }),
        })?;
        let mut files: Vec<ManifestEntry> = Vec::new();
        let mut total: u64 = 0;
        while !l.at_end() {
            let f = l.field("file").map_err(syntax)?;
            let mut parts = f.value.splitn(3, ' ');
            let (Some(hash), Some(size), Some(name)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(syntax(Lines::bad_value(
                    &f,
                    "file",
                    "must be `<sha256 hex> <size> <name>`",
                )));
            };
            let sha256: [u8; 32] = from_hex_array(hash)
                .ok_or_else(|| {
                    Lines::bad_value(&f, "file", "the SHA-256 is not 64 lowercase hex digits")
                })
                .map_err(syntax)?;
            let size = parse_decimal(size)
                .ok_or_else(|| {
                    Lines::bad_value(&f, "file", "the size is not a canonical decimal number")
                })
                .map_err(syntax)?;
            check_file_name(name).map_err(|reason| VerifyError::BadFileName {
                line: f.line,
                name: escape(name),
                reason,
            })?;
            if files.iter().any(|e| e.name.eq_ignore_ascii_case(name)) {
                return Err(VerifyError::DuplicateFile {
                    name: name.to_string(),
                });
            }
            if files.len() >= limits.max_files {
                return Err(VerifyError::TooManyFiles {
                    limit: limits.max_files,
                });
            }
            if size > limits.max_file_bytes {
                return Err(VerifyError::FileTooLarge {
                    name: name.to_string(),
                    size,
                    limit: limits.max_file_bytes,
                });
            }
            total = total
                .checked_add(size)
                .filter(|t| *t <= limits.max_total_bytes)
                .ok_or(VerifyError::TotalTooLarge {
                    limit: limits.max_total_bytes,
                })?;
            files.push(ManifestEntry {
                name: name.to_string(),
                size,
                sha256,
            });
        }
        l.finish().map_err(syntax)?;
        if files.is_empty() {
            return Err(VerifyError::NoFiles);
        }
        Ok(Manifest {
            kind,
            election,
            created,
            certificate,
            files,
            bytes: bytes.to_vec(),
        })
    }

    /// The exact bytes of the manifest (the bytes that are signed).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}
