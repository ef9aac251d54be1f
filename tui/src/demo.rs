//! The built-in demo: [`prepare_demo`] builds, at the first start of `tally --demo`, a DEMO
//! authority and body from fixed seeds (public test keys, for demonstration only: every name
//! says DEMO) and a signed definition medium of the Kiesraad's Juinen test election, embedded
//! in the program from `tui/demo/`. The services it runs on are the production ones
//! ([`crate::folder::FolderServices`]).

use std::fs;
use std::path::{Path, PathBuf};

use tally_signing::{
    Certificate, CertificateFields, ContentKind, KdfParams, MediumFile, Role, SecretKey,
    SignedMedium, Timestamp, encrypt_secret_key, sha256, sign_medium,
};

pub use crate::folder::FolderServices;
use tally_body::write;
pub use tally_body::{Paths, SetupError};
pub use tally_ledger::form::municipality_spec;

/// The Juinen 110a, embedded (Kiesraad public test data, EUPL-1.2).
pub const JUINEN_110A: &[u8] =
    include_bytes!("../demo/eml110a_verkiezingsdefinitie-juinen.eml.xml");
/// The Juinen 230b, embedded.
pub const JUINEN_230B: &[u8] = include_bytes!("../demo/eml230b_kandidatenlijsten-juinen.eml.xml");
/// The Juinen 110b, embedded.
pub const JUINEN_110B: &[u8] = include_bytes!("../demo/eml110b_stembureaulijst-juinen.eml.xml");
/// The demo body key's passphrase.
pub const DEMO_PASSPHRASE: &str = "demo";

fn seed(label: &str) -> [u8; 32] {
    sha256(format!("tally DEMO key, public, never for a real election: {label}").as_bytes())
}

/// The demo's authority root (fixed, public: DEMO only).
pub fn demo_root() -> SecretKey {
    SecretKey::from_seed(&seed("root"))
}

/// Builds the demo's keys in `paths.data_dir` and the signed Juinen definition medium in
/// `paths.media_dir`, where they are not there yet.
pub fn prepare_demo(paths: &Paths) -> Result<(), SetupError> {
    for d in [&paths.data_dir, &paths.media_dir] {
        fs::create_dir_all(d).map_err(|e| SetupError::Io(d.clone(), e))?;
    }
    let root = demo_root();
    let authority = SecretKey::from_seed(&seed("authority"));
    let body = SecretKey::from_seed(&seed("body 0042"));
    let election = "GR2025_Juinen";
    let from = Timestamp::parse("2025-01-01T00:00:00Z")
        .map_err(|e| SetupError::Invalid(PathBuf::new(), e.to_string()))?;
    let until = Timestamp::parse("2099-12-31T23:59:59Z")
        .map_err(|e| SetupError::Invalid(PathBuf::new(), e.to_string()))?;
    let issue = |role, identifier: &str, name: &str, key: &SecretKey| {
        Certificate::issue(
            &root,
            CertificateFields {
                role,
                identifier: identifier.into(),
                name: name.into(),
                election: election.into(),
                valid_from: from,
                valid_until: until,
                public_key: key.public_key(),
            },
        )
        .map_err(|e| SetupError::Invalid(PathBuf::from("demo certificate"), e.to_string()))
    };
    let key_path = paths.key.clone();
    // A demo folder of an older version holds a key below today's Argon2id floor: made anew
    // (the demo keys are fixed, so the certificate stays right).
    if !key_path.exists() || below_floor(&key_path) {
        write(&paths.root, &root.public_key().to_file_bytes())?;
        let cert = issue(Role::Gsb, "0042", "DEMO Gemeente Juinen", &body)?;
        write(&paths.certificate, cert.as_bytes())?;
        // The floor's key derivation: every key file is held to it, also the demo's.
        let enc = encrypt_secret_key(&body, DEMO_PASSPHRASE.as_bytes(), KdfParams::FLOOR)
            .map_err(|e| SetupError::Invalid(key_path.clone(), e.to_string()))?;
        write(&key_path, &enc)?;
    }
    let folder = paths.media_dir.join(format!(
        "DEMO_{}",
        SignedMedium::folder_name(ContentKind::ElectionDefinition, election, "DEMO-Kiesraad")
    ));
    if !folder.exists() {
        let cert = issue(
            Role::Authority,
            "DEMO-Kiesraad",
            "DEMO Kiesraad",
            &authority,
        )?;
        let files = vec![
            MediumFile {
                name: "eml110a_verkiezingsdefinitie-juinen.eml.xml".into(),
                bytes: JUINEN_110A.to_vec(),
            },
            MediumFile {
                name: "eml230b_kandidatenlijsten-juinen.eml.xml".into(),
                bytes: JUINEN_230B.to_vec(),
            },
            MediumFile {
                name: "eml110b_stembureaulijst-juinen.eml.xml".into(),
                bytes: JUINEN_110B.to_vec(),
            },
        ];
        let medium = sign_medium(
            ContentKind::ElectionDefinition,
            election,
            files,
            &authority,
            &cert,
            from,
        )
        .map_err(|e| SetupError::Invalid(folder.clone(), e.to_string()))?;
        medium
            .write_to_dir(&folder)
            .map_err(|e| SetupError::Io(folder.clone(), e))?;
    }
    Ok(())
}

/// Whether the key file at `path` is refused for its Argon2id parameters (a demo folder made
/// before the floor). Read capped like every key file, and asked with an empty passphrase:
/// the parameters are checked before it, so no key is derived at start.
pub(crate) fn below_floor(path: &Path) -> bool {
    tally_body::read(path).is_ok_and(|bytes| {
        matches!(
            tally_signing::decrypt_secret_key(&bytes, b""),
            Err(tally_signing::KeyFileError::KdfParameters(_))
        )
    })
}
