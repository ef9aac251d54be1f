//! The built-in demo's keys and media: what `tally --demo` (and `tally --demo --level csb`)
//! makes at its first start, as an authority would, from fixed seeds. Public test keys, for
//! demonstration only: every name says DEMO.
//!
//! - [`prepare_demo`]: a DEMO authority and municipal body (GSB 0042) and a signed definition
//!   medium of the Kiesraad's Juinen test election (embedded from `demo/files/`, Kiesraad
//!   public test data, EUPL-1.2).
//! - [`prepare_csb_demo`]: a DEMO central electoral committee of Juinen (a municipal council,
//!   45 seats) and a signed 510b of the DEMO GSB in which lists 3 and 4 have exactly equal
//!   votes, so the demo shows a drawing of lots.
//!
//! What it must not do: be used by anything but the demo and the tests. The terminal runs the
//! demo on its production services; only the keys and media here are made up.

use std::fs;
use std::path::Path;

use tally_core::counts::{
    CandidateRef, CountFile, CountHeader, CountLevel, ListVotes, ReportingUnitCounts, VoteCounts,
    VoterCounts,
};
use tally_core::election::ElectionCategory;
use tally_core::eml::count::write_count;
use tally_core::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, ReportingUnitId};
use tally_signing::{
    Certificate, CertificateFields, ContentKind, KdfParams, MediumFile, Role, SecretKey,
    SignedMedium, Timestamp, encrypt_secret_key, sha256, sign_medium,
};

use tally_body::write;
pub use tally_body::{Paths, SetupError};

/// The Juinen 110a, embedded (Kiesraad public test data, EUPL-1.2).
pub const JUINEN_110A: &[u8] =
    include_bytes!("../files/eml110a_verkiezingsdefinitie-juinen.eml.xml");
/// The Juinen 230b, embedded.
pub const JUINEN_230B: &[u8] = include_bytes!("../files/eml230b_kandidatenlijsten-juinen.eml.xml");
/// The Juinen 110b, embedded.
pub const JUINEN_110B: &[u8] = include_bytes!("../files/eml110b_stembureaulijst-juinen.eml.xml");
/// The demo body keys' passphrase.
pub const DEMO_PASSPHRASE: &str = "demo";

const ELECTION: &str = "GR2025_Juinen";

fn seed(label: &str) -> [u8; 32] {
    sha256(format!("tally DEMO key, public, never for a real election: {label}").as_bytes())
}

/// The demo's authority root (fixed, public: DEMO only).
pub fn demo_root() -> SecretKey {
    SecretKey::from_seed(&seed("root"))
}

fn invalid(what: &Path, e: impl ToString) -> SetupError {
    SetupError::Invalid(what.to_path_buf(), e.to_string())
}

fn time(text: &str) -> Result<Timestamp, SetupError> {
    Timestamp::parse(text).map_err(|e| invalid(Path::new("time"), e))
}

/// A certificate of the demo root for `key`, valid 2025 to 2099.
fn issue(
    role: Role,
    identifier: &str,
    name: &str,
    key: &SecretKey,
) -> Result<Certificate, SetupError> {
    Certificate::issue(
        &demo_root(),
        CertificateFields {
            role,
            identifier: identifier.into(),
            name: name.into(),
            election: ELECTION.into(),
            valid_from: time("2025-01-01T00:00:00Z")?,
            valid_until: time("2099-12-31T23:59:59Z")?,
            public_key: key.public_key(),
        },
    )
    .map_err(|e| invalid(Path::new("demo certificate"), e))
}

/// Writes, where not there yet (or below today's Argon2id floor: a demo folder of an older
/// version), the root's public key, the body's certificate and its key sealed with
/// [`DEMO_PASSPHRASE`] at the floor's key derivation, every key file is held to it.
fn body_keys(
    paths: &Paths,
    role: Role,
    identifier: &str,
    name: &str,
    label: &str,
) -> Result<(), SetupError> {
    for d in [&paths.data_dir, &paths.media_dir] {
        fs::create_dir_all(d).map_err(|e| SetupError::Io(d.clone(), e))?;
    }
    if paths.key.exists() && !below_floor(&paths.key) {
        return Ok(());
    }
    let key = SecretKey::from_seed(&seed(label));
    write(&paths.root, &demo_root().public_key().to_file_bytes())?;
    write(
        &paths.certificate,
        issue(role, identifier, name, &key)?.as_bytes(),
    )?;
    let enc = encrypt_secret_key(&key, DEMO_PASSPHRASE.as_bytes(), KdfParams::FLOOR)
        .map_err(|e| invalid(&paths.key, e))?;
    write(&paths.key, &enc)
}

/// Signs `files` as a medium of `kind` in `media_dir` (as `DEMO_<folder name>`), where it is
/// not there yet.
fn medium(
    media_dir: &Path,
    kind: ContentKind,
    signer: (Role, &str, &str, &str),
    at: &str,
    files: &[(&str, &[u8])],
) -> Result<(), SetupError> {
    let (role, identifier, name, label) = signer;
    let folder = media_dir.join(format!(
        "DEMO_{}",
        SignedMedium::folder_name(kind, ELECTION, identifier)
    ));
    if folder.exists() {
        return Ok(());
    }
    let key = SecretKey::from_seed(&seed(label));
    let cert = issue(role, identifier, name, &key)?;
    let files = files
        .iter()
        .map(|(name, bytes)| MediumFile {
            name: (*name).into(),
            bytes: bytes.to_vec(),
        })
        .collect();
    let medium = sign_medium(kind, ELECTION, files, &key, &cert, time(at)?)
        .map_err(|e| invalid(&folder, e))?;
    medium
        .write_to_dir(&folder)
        .map_err(|e| SetupError::Io(folder.clone(), e))
}

/// Builds the demo's keys in `paths.data_dir` and the signed Juinen definition medium in
/// `paths.media_dir`, where they are not there yet.
///
/// # Errors
/// A file cannot be written.
pub fn prepare_demo(paths: &Paths) -> Result<(), SetupError> {
    body_keys(
        paths,
        Role::Gsb,
        "0042",
        "DEMO Gemeente Juinen",
        "body 0042",
    )?;
    medium(
        &paths.media_dir,
        ContentKind::ElectionDefinition,
        (
            Role::Authority,
            "DEMO-Kiesraad",
            "DEMO Kiesraad",
            "authority",
        ),
        "2025-01-01T00:00:00Z",
        &[
            ("eml110a_verkiezingsdefinitie-juinen.eml.xml", JUINEN_110A),
            ("eml230b_kandidatenlijsten-juinen.eml.xml", JUINEN_230B),
            ("eml110b_stembureaulijst-juinen.eml.xml", JUINEN_110B),
        ],
    )
}

/// Whether the key file at `path` is refused for its Argon2id parameters (a demo folder made
/// before the floor). Read capped like every key file, and asked with an empty passphrase:
/// the parameters are checked before it, so no key is derived at start.
fn below_floor(path: &Path) -> bool {
    tally_body::read(path).is_ok_and(|bytes| {
        matches!(
            tally_signing::decrypt_secret_key(&bytes, b""),
            Err(tally_signing::KeyFileError::KdfParameters(_))
        )
    })
}

/// The DEMO GSB's 510b: lists 3 and 4 with 1000 votes each (a tie for the last seat).
pub fn tied_510b() -> Result<Vec<u8>, SetupError> {
    let list = |n: u32, candidates: u32, votes: &[u64]| ListVotes {
        list: ListNumber(n),
        name: String::new(),
        total: votes.iter().sum(),
        candidates: (1..=candidates)
            .map(|p| {
                let v = usize::try_from(p)
                    .ok()
                    .and_then(|i| i.checked_sub(1))
                    .and_then(|i| votes.get(i))
                    .copied()
                    .unwrap_or(0);
                (CandidateRef::Position(CandidatePosition(p)), v)
            })
            .collect(),
    };
    let counts = VoteCounts {
        previous: Default::default(),
        cast: 3000,
        lists: vec![
            list(1, 8, &[]),
            list(2, 6, &[]),
            list(3, 30, &[900, 100]),
            list(4, 50, &[1000]),
        ],
        total_counted: 2000,
        blank: 5,
        invalid: 5,
        voters: VoterCounts {
            poll_cards: Some(2010),
            proxy_certificates: Some(0),
            voter_cards: None,
            admitted_voters: Some(2010),
            more_ballots_counted: Some(0),
            fewer_ballots_counted: Some(0),
            other: Vec::new(),
        },
    };
    let file = CountFile {
        header: CountHeader {
            edition: Default::default(),
            level: CountLevel::Municipality,
            transaction_id: 1,
            authority_id: "0042".into(),
            authority_name: Some("Juinen".into()),
            creation_date_time: "2025-08-29T22:00:00".into(),
            election_id: ElectionId(ELECTION.into()),
            election_name: Some("Gemeenteraad 2025 Juinen".into()),
            category: ElectionCategory::GR,
            subcategory: Some("GR2".into()),
            domain: Some((Some("0042".into()), "Juinen".into())),
            election_date: "2025-08-29".into(),
            contest_id: ContestId("geen".into()),
            contest_name: None,
        },
        total: counts.clone(),
        units: vec![ReportingUnitCounts {
            id: ReportingUnitId("0042::SB1".into()),
            name: "Stembureau 1".into(),
            counts,
            investigations: Vec::new(),
        }],
    };
    write_count(&file).map_err(|e| invalid(Path::new("demo 510b"), e))
}

/// The CSB demo's folders under `base`: `csb-data` and `csb-media`.
pub fn csb_paths(base: &Path) -> Paths {
    Paths::new(base.join("csb-data"), base.join("csb-media"))
}

/// Builds, where not there yet, the CSB's DEMO keys in `paths.data_dir` and the DEMO GSB's
/// signed 510b in `paths.media_dir`. The definition medium is the municipal demo's
/// ([`prepare_demo`], called after this).
///
/// # Errors
/// A file cannot be written.
pub fn prepare_csb_demo(paths: &Paths) -> Result<(), SetupError> {
    body_keys(paths, Role::Csb, "CSB", "DEMO Juinen", "csb Juinen")?;
    medium(
        &paths.media_dir,
        ContentKind::Results510b,
        (Role::Gsb, "0042", "DEMO Gemeente Juinen", "body 0042"),
        "2025-08-29T22:00:00Z",
        &[(
            "DEMO_Telling_GR2025_Juinen_gemeente_Juinen.eml.xml",
            &tied_510b()?,
        )],
    )
}
