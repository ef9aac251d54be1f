//! Shared fixtures: fixed keys, the Juinen definition files, and helpers to build media.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(dead_code)]

use tally_signing::*;

pub const JUINEN: &str = "GR2025_Juinen";
pub const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/synthetic");
pub const F110A: &str = "eml110a_verkiezingsdefinitie-juinen.eml.xml";
pub const F230B: &str = "eml230b_kandidatenlijsten-juinen.eml.xml";
pub const F110B: &str = "eml110b_stembureaulijst-juinen.eml.xml";

pub fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

pub fn root() -> SecretKey {
    SecretKey::from_seed(&[0x11; 32])
}

pub fn other_root() -> SecretKey {
    SecretKey::from_seed(&[0x22; 32])
}

pub fn authority_key() -> SecretKey {
    SecretKey::from_seed(&[0x33; 32])
}

pub fn gsb_key() -> SecretKey {
    SecretKey::from_seed(&[0x44; 32])
}

/// Inside every certificate's validity below.
pub fn now() -> Timestamp {
    t("2025-08-30T12:00:00Z")
}

pub fn fields(role: Role, identifier: &str, election: &str, key: &SecretKey) -> CertificateFields {
    CertificateFields {
        role,
        identifier: identifier.into(),
        name: format!("{role} {identifier}"),
        election: election.into(),
        valid_from: t("2025-07-01T00:00:00Z"),
        valid_until: t("2025-12-31T23:59:59Z"),
        public_key: key.public_key(),
    }
}

pub fn authority_cert() -> Certificate {
    Certificate::issue(
        &root(),
        fields(Role::Authority, "Kiesraad", JUINEN, &authority_key()),
    )
    .unwrap()
}

pub fn gsb_cert() -> Certificate {
    Certificate::issue(&root(), fields(Role::Gsb, "0042", JUINEN, &gsb_key())).unwrap()
}

pub fn juinen_files() -> Vec<MediumFile> {
    [F110A, F230B, F110B]
        .into_iter()
        .map(|name| MediumFile {
            name: name.to_string(),
            bytes: std::fs::read(format!("{SYNTHETIC}/{name}")).unwrap(),
        })
        .collect()
}

/// The Juinen definition, signed by the authority for JUINEN at `now()`.
pub fn juinen_medium() -> SignedMedium {
    sign_medium(
        ContentKind::ElectionDefinition,
        JUINEN,
        juinen_files(),
        &authority_key(),
        &authority_cert(),
        t("2025-08-29T10:00:00Z"),
    )
    .unwrap()
}

pub fn verify(source: &dyn MediumSource) -> Result<VerifiedMedium, VerifyError> {
    let root = root().public_key();
    let mut opts = VerifyOptions::new(&root, now());
    opts.expected_election = Some(JUINEN);
    verify_medium(source, &opts)
}

/// A manifest's text in the documented format, from parts (no checks).
pub fn manifest_text(
    kind: &str,
    election: &str,
    created: &str,
    cert: &[u8],
    files: &[(String, u64, String)],
) -> Vec<u8> {
    let mut s = format!(
        "tally-manifest v1\nkind: {kind}\nelection: {election}\ncreated: {created}\ncertificate: {}\n",
        hex(cert)
    );
    for (sha, size, name) in files {
        s.push_str(&format!("file: {sha} {size} {name}\n"));
    }
    s.into_bytes()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// A medium in memory with these raw manifest bytes, signed by `key` as a manifest.
pub fn raw_medium(manifest: Vec<u8>, key: &SecretKey, files: &[(&str, &[u8])]) -> MemorySource {
    let sig = key.sign(SignedKind::Manifest, &manifest);
    let mut src = MemorySource::default();
    src.files.insert(MANIFEST_FILE.into(), manifest);
    src.files.insert(
        SIGNATURE_FILE.into(),
        format!("{}\n", sig.to_hex()).into_bytes(),
    );
    for (name, bytes) in files {
        src.files.insert((*name).into(), bytes.to_vec());
    }
    src
}

/// Re-signs certificate text (everything before the `signature: ` line) with `key`.
pub fn resign_certificate(text: &str, key: &SecretKey) -> Vec<u8> {
    let at = text.find("signature: ").unwrap();
    let tbs = &text[..at];
    let sig = key.sign(SignedKind::Certificate, tbs.as_bytes());
    format!("{tbs}signature: {}\n", sig.to_hex()).into_bytes()
}
