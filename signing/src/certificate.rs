//! Certificates: the authority root's signed statement that a public key belongs to a
//! counting body (role, identifier, name) for one election and a validity period.
//!
//! The stored bytes are the signed bytes: the signature covers
//! [`SignedKind::Certificate`]'s prefix followed by every byte of the certificate up to
//! and including the line feed before the `signature: ` line. Nothing is re-serialised.

use std::fmt;

use crate::keys::{
    Fingerprint, PublicKey, SecretKey, Signature, SignedKind, parse_public_key_field,
};
use crate::text::{Lines, SyntaxError, from_hex_array};
use crate::time::Timestamp;

/// The role of a key holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The Electoral Council (Kiesraad) as authority: signs election definitions.
    Authority,
    /// Centraal stembureau: sends the 510d and 520.
    Csb,
    /// Hoofdstembureau: sends a 510c.
    Hsb,
    /// Gemeentelijk stembureau: sends a 510b (and, for parallel entry, the assignment of
    /// polling stations to its entry appliances).
    Gsb,
    /// One entry appliance of a gemeentelijk stembureau (`docs/parallel-entry.md`): sends
    /// entry batches of its own body, nothing else.
    GsbEntry,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 5] = [
        Role::Authority,
        Role::Csb,
        Role::Hsb,
        Role::Gsb,
        Role::GsbEntry,
    ];

    /// The spelling in certificates: `authority`, `CSB`, `HSB`, `GSB`, `GSB-entry`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Authority => "authority",
            Role::Csb => "CSB",
            Role::Hsb => "HSB",
            Role::Gsb => "GSB",
            Role::GsbEntry => "GSB-entry",
        }
    }

    /// The role from its spelling in certificates (exact, case-sensitive).
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether `identifier` is a valid identifier for this role: `CSB` for the CSB,
    /// `HSB1`..`HSB99` for an HSB, a four-digit municipality code for a GSB, the
    /// municipality code, `-E` and a number from 1 to 999 for an entry appliance of a GSB
    /// (`0668-E3`), and 1 to 32 ASCII letters, digits, `-` or `_` for the authority.
    pub fn check_identifier(self, identifier: &str) -> Result<(), String> {
        let ok = match self {
            Role::Csb => identifier == "CSB",
            Role::Hsb => identifier.strip_prefix("HSB").is_some_and(|n| {
                (1..=2).contains(&n.len())
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && !n.starts_with('0')
            }),
            Role::Gsb => is_municipality_code(identifier),
            Role::GsbEntry => identifier.split_once("-E").is_some_and(|(code, n)| {
                is_municipality_code(code)
                    && (1..=3).contains(&n.len())
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && !n.starts_with('0')
            }),
            Role::Authority => {
                (1..=32).contains(&identifier.len())
                    && identifier
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "`{identifier}` is not a valid identifier for role {} ({})",
                self.as_str(),
                match self {
                    Role::Csb => "must be `CSB`",
                    Role::Hsb => "must be `HSB` and a number from 1 to 99, such as `HSB6`",
                    Role::Gsb => "must be a four-digit municipality code, such as `0668`",
                    Role::GsbEntry =>
                        "must be a four-digit municipality code, `-E` and a number from 1 to 999, such as `0668-E3`",
                    Role::Authority => "1 to 32 ASCII letters, digits, `-` or `_`",
                }
            ))
        }
    }
}

/// A four-digit municipality code.
fn is_municipality_code(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks an election identifier: 1 to 64 ASCII letters, digits, `_`, `-` or `.`.
pub fn check_election_id(id: &str) -> Result<(), String> {
    if (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a valid election identifier (1 to 64 ASCII letters, digits, `_`, `-` or `.`)",
            id.chars().take(80).collect::<String>()
        ))
    }
}

/// Checks a body's display name: 1 to 200 bytes of UTF-8 without control characters,
/// not starting or ending with a space.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 200 {
        return Err("the name must be 1 to 200 bytes long".into());
    }
    if name.chars().any(char::is_control) {
        return Err("the name contains a control character".into());
    }
    if name.starts_with(' ') || name.ends_with(' ') {
        return Err("the name starts or ends with a space".into());
    }
    Ok(())
}

/// What a certificate states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFields {
    /// The holder's role.
    pub role: Role,
    /// The holder's identifier: `CSB`, `HSB6`, `0668`, or the authority's name.
    pub identifier: String,
    /// The holder's name, for people: `Gemeente West Maas en Waal`.
    pub name: String,
    /// The election the key may be used for: `GR2022_WestMaasenWaal`.
    pub election: String,
    /// The first second the certificate is valid.
    pub valid_from: Timestamp,
    /// The last second the certificate is valid.
    pub valid_until: Timestamp,
    /// The holder's public key.
    pub public_key: PublicKey,
}

impl CertificateFields {
    /// The counting body the holder belongs to: for an entry appliance (`0668-E3`) its
    /// municipality (`0668`), for every other role the identifier itself.
    pub fn body(&self) -> &str {
        match self.role {
            Role::GsbEntry => self
                .identifier
                .split_once("-E")
                .map_or(self.identifier.as_str(), |(code, _)| code),
            _ => &self.identifier,
        }
    }

    /// Checks the fields' values (identifier for the role, election, name, period).
    pub fn check(&self) -> Result<(), String> {
        self.role.check_identifier(&self.identifier)?;
        check_name(&self.name)?;
        check_election_id(&self.election)?;
        if self.valid_from > self.valid_until {
            return Err(format!(
                "the validity period is empty: it starts {} after it ends {}",
                self.valid_from, self.valid_until
            ));
        }
        if self.valid_from < Timestamp::MIN || self.valid_until > Timestamp::MAX {
            return Err("the validity period is outside the years 1970 to 9999".into());
        }
        Ok(())
    }
}

/// Why a certificate cannot be issued, parsed or trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// The certificate's text is malformed.
    #[error("the certificate is malformed: {0}")]
    Syntax(#[from] SyntaxError),
    /// A field's value is not acceptable (at issuing).
    #[error("the certificate cannot be issued: {0}")]
    Invalid(String),
    /// The certificate names another root as its issuer.
    #[error(
        "the certificate was issued by another authority (root fingerprint {found}), not by the trusted root {trusted}"
    )]
    UnknownIssuer {
        /// The issuer fingerprint in the certificate.
        found: Fingerprint,
        /// The trusted root's fingerprint.
        trusted: Fingerprint,
    },
    /// The root's signature on the certificate does not verify.
    #[error("the certificate's signature by the authority root is not valid")]
    BadSignature,
}

/// A certificate, with the exact bytes it was parsed from or issued as.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    fields: CertificateFields,
    issuer: Fingerprint,
    signature: Signature,
    bytes: Vec<u8>,
    signed_len: usize,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("fields", &self.fields)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

const MAGIC: &str = "tally-certificate v1";
const FIELDS: &[&str] = &[
    "role",
    "identifier",
    "name",
    "election",
    "valid-from",
    "valid-until",
    "public-key",
    "issuer",
    "signature",
];

/// The largest certificate accepted (bytes).
pub const MAX_CERTIFICATE_BYTES: usize = 4096;

impl Certificate {
    /// Issues a certificate for `fields`, signed by the authority `root`.
    pub fn issue(
        root: &SecretKey,
        fields: CertificateFields,
    ) -> Result<Certificate, CertificateError> {
        fields.check().map_err(CertificateError::Invalid)?;
        let issuer = root.public_key().fingerprint();
        let tbs = format!(
            "{MAGIC}\nrole: {}\nidentifier: {}\nname: {}\nelection: {}\nvalid-from: {}\nvalid-until: {}\npublic-key: {}\nissuer: {}\n",
            fields.role,
            fields.identifier,
            fields.name,
            fields.election,
            fields.valid_from,
            fields.valid_until,
            fields.public_key.to_hex(),
            issuer.to_hex(),
        );
        let signature = root.sign(SignedKind::Certificate, tbs.as_bytes());
        let signed_len = tbs.len();
        let mut bytes = tbs.into_bytes();
        bytes.extend_from_slice(format!("signature: {}\n", signature.to_hex()).as_bytes());
        // What we issue must be what we accept.
        let parsed = Certificate::parse(&bytes)?;
        debug_assert_eq!(parsed.signed_len, signed_len);
        Ok(parsed)
    }

    /// Parses a certificate strictly. This checks the form only; [`Certificate::verify`]
    /// checks the root's signature.
    pub fn parse(bytes: &[u8]) -> Result<Certificate, CertificateError> {
        if bytes.len() > MAX_CERTIFICATE_BYTES {
            return Err(CertificateError::Syntax(SyntaxError {
                line: 0,
                problem: crate::text::SyntaxProblem::BadValue {
                    field: "certificate",
                    reason: format!("longer than {MAX_CERTIFICATE_BYTES} bytes"),
                },
            }));
        }
        let mut l = Lines::open(bytes, MAGIC, FIELDS)?;
        let f = l.field("role")?;
        let role = Role::parse(f.value).ok_or_else(|| {
            Lines::bad_value(
                &f,
                "role",
                "must be `authority`, `CSB`, `HSB`, `GSB` or `GSB-entry`",
            )
        })?;
        let f = l.field("identifier")?;
        role.check_identifier(f.value)
            .map_err(|e| Lines::bad_value(&f, "identifier", e))?;
        let identifier = f.value.to_string();
        let f = l.field("name")?;
        check_name(f.value).map_err(|e| Lines::bad_value(&f, "name", e))?;
        let name = f.value.to_string();
        let f = l.field("election")?;
        check_election_id(f.value).map_err(|e| Lines::bad_value(&f, "election", e))?;
        let election = f.value.to_string();
        let f = l.field("valid-from")?;
        let valid_from = Timestamp::parse(f.value)
            .map_err(|e| Lines::bad_value(&f, "valid-from", e.to_string()))?;
        let f = l.field("valid-until")?;
        let valid_until = Timestamp::parse(f.value)
            .map_err(|e| Lines::bad_value(&f, "valid-until", e.to_string()))?;
        if valid_from > valid_until {
            return Err(Lines::bad_value(&f, "valid-until", "is before valid-from").into());
        }
        let public_key = parse_public_key_field(&l.field("public-key")?, "public-key")?;
        let f = l.field("issuer")?;
        let issuer = Fingerprint(from_hex_array(f.value).ok_or_else(|| {
            Lines::bad_value(&f, "issuer", "not 64 lowercase hexadecimal digits")
        })?);
        let f = l.field("signature")?;
        let signature = Signature(from_hex_array(f.value).ok_or_else(|| {
            Lines::bad_value(&f, "signature", "not 128 lowercase hexadecimal digits")
        })?);
        let signed_len = f.start;
        l.finish()?;
        Ok(Certificate {
            fields: CertificateFields {
                role,
                identifier,
                name,
                election,
                valid_from,
                valid_until,
                public_key,
            },
            issuer,
            signature,
            bytes: bytes.to_vec(),
            signed_len,
        })
    }

    /// Checks that the certificate was issued by `root`: the issuer fingerprint names it
    /// and the signature over the stored bytes verifies.
    pub fn verify(&self, root: &PublicKey) -> Result<(), CertificateError> {
        let trusted = root.fingerprint();
        if self.issuer != trusted {
            return Err(CertificateError::UnknownIssuer {
                found: self.issuer,
                trusted,
            });
        }
        let signed = self.bytes.get(..self.signed_len).unwrap_or_default();
        if root.verify(SignedKind::Certificate, signed, &self.signature) {
            Ok(())
        } else {
            Err(CertificateError::BadSignature)
        }
    }

    /// What the certificate states.
    pub fn fields(&self) -> &CertificateFields {
        &self.fields
    }

    /// The holder's role.
    pub fn role(&self) -> Role {
        self.fields.role
    }

    /// The holder's identifier.
    pub fn identifier(&self) -> &str {
        &self.fields.identifier
    }

    /// The counting body the holder belongs to: for an entry appliance (`0668-E3`) its
    /// municipality (`0668`), for every other role the identifier itself.
    pub fn body(&self) -> &str {
        self.fields.body()
    }

    /// The holder's name.
    pub fn name(&self) -> &str {
        &self.fields.name
    }

    /// The election.
    pub fn election(&self) -> &str {
        &self.fields.election
    }

    /// The holder's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.fields.public_key
    }

    /// The fingerprint of the issuing root, as stated (trusted only after
    /// [`Certificate::verify`]).
    pub fn issuer(&self) -> Fingerprint {
        self.issuer
    }

    /// The root's signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The exact bytes of the certificate.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The fingerprint of the certificate: SHA-256 of its bytes, shown at start-up so
    /// officials can compare it with paper.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint(crate::hashcode::sha256(&self.bytes))
    }
}
