//! The CSB demo: `tally --demo --level csb` runs the central electoral committee of the
//! Kiesraad's test election Juinen (a municipal council, 45 seats) with DEMO keys, and a
//! signed 510b of the DEMO GSB in which lists 3 and 4 have exactly equal votes, so the
//! demo shows a drawing of lots. Keys are from fixed public seeds and say DEMO everywhere.

use std::fs;
use std::path::{Path, PathBuf};

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

use crate::demo::{DEMO_PASSPHRASE, demo_root};
use tally_body::{Paths, SetupError};

const ELECTION: &str = "GR2025_Juinen";

fn seed(label: &str) -> [u8; 32] {
    // The same public formula as the municipal demo's keys.
    sha256(format!("tally DEMO key, public, never for a real election: {label}").as_bytes())
}

fn invalid(what: &str, e: impl ToString) -> SetupError {
    SetupError::Invalid(PathBuf::from(what), e.to_string())
}

fn issue(
    role: Role,
    identifier: &str,
    name: &str,
    key: &SecretKey,
) -> Result<Certificate, SetupError> {
    let from = Timestamp::parse("2025-01-01T00:00:00Z").map_err(|e| invalid("time", e))?;
    let until = Timestamp::parse("2099-12-31T23:59:59Z").map_err(|e| invalid("time", e))?;
    Certificate::issue(
        &demo_root(),
        CertificateFields {
            role,
            identifier: identifier.into(),
            name: name.into(),
            election: ELECTION.into(),
            valid_from: from,
            valid_until: until,
            public_key: key.public_key(),
        },
    )
    .map_err(|e| invalid("demo certificate", e))
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
    write_count(&file).map_err(|e| invalid("demo 510b", e))
}

/// The CSB demo's folders under `base`: `csb-data` and `csb-media`.
pub fn csb_paths(base: &Path) -> Paths {
    Paths::new(base.join("csb-data"), base.join("csb-media"))
}

/// Builds, where not there yet, the CSB's DEMO keys in `paths.data_dir` and the DEMO GSB's
/// signed 510b in `paths.media_dir`. The definition medium is the municipal demo's
/// (`crate::demo::prepare_demo`, called after this).
///
/// # Errors
/// A file cannot be written.
pub fn prepare_csb_demo(paths: &Paths) -> Result<(), SetupError> {
    for d in [&paths.data_dir, &paths.media_dir] {
        fs::create_dir_all(d).map_err(|e| SetupError::Io(d.clone(), e))?;
    }
    let write =
        |p: &Path, b: &[u8]| fs::write(p, b).map_err(|e| SetupError::Io(p.to_path_buf(), e));
    if !paths.key.exists() || crate::demo::below_floor(&paths.key) {
        let key = SecretKey::from_seed(&seed("csb Juinen"));
        let cert = issue(Role::Csb, "CSB", "DEMO Juinen", &key)?;
        write(&paths.root, &demo_root().public_key().to_file_bytes())?;
        write(&paths.certificate, cert.as_bytes())?;
        let enc = encrypt_secret_key(&key, DEMO_PASSPHRASE.as_bytes(), KdfParams::FLOOR)
            .map_err(|e| invalid("demo key", e))?;
        write(&paths.key, &enc)?;
    }
    let folder = paths.media_dir.join(format!(
        "DEMO_{}",
        SignedMedium::folder_name(ContentKind::Results510b, ELECTION, "0042")
    ));
    if !folder.exists() {
        let gsb = SecretKey::from_seed(&seed("body 0042"));
        let cert = issue(Role::Gsb, "0042", "DEMO Gemeente Juinen", &gsb)?;
        let from = Timestamp::parse("2025-08-29T22:00:00Z").map_err(|e| invalid("time", e))?;
        let medium = sign_medium(
            ContentKind::Results510b,
            ELECTION,
            vec![MediumFile {
                name: "DEMO_Telling_GR2025_Juinen_gemeente_Juinen.eml.xml".into(),
                bytes: tied_510b()?,
            }],
            &gsb,
            &cert,
            from,
        )
        .map_err(|e| invalid("demo 510b medium", e))?;
        medium
            .write_to_dir(&folder)
            .map_err(|e| SetupError::Io(folder.clone(), e))?;
    }
    Ok(())
}
