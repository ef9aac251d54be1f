//! The terminal outside the demo: keys as `tally-provision` writes them (`authority.pub`,
//! `<election>_<identifier>.cert` and `.key`, given with `--root`, `--certificate`, `--key`),
//! a definition signed by an authority certificate of another root than the demo's, and
//! nothing marked DEMO. A medium signed under the demo root is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use crossterm::event::KeyCode;
use tally_demo::{JUINEN_110A, JUINEN_110B, JUINEN_230B, Paths, prepare_demo};
use tally_ledger::journal::CoreJournal;
use tally_signing::{
    Certificate, CertificateFields, ContentKind, KdfParams, MediumFile, Role, SecretKey,
    SignedMedium, Timestamp, encrypt_secret_key, sign_medium,
};
use tally_tui::app::State;
use tally_tui::folder::FolderServices;
use tally_tui::services::Services;
use tally_tui::shell::Screen as Shell;
use tally_tui::shell::runner::Runner;
use tally_tui::text::Lang;

fn provision(dir: &std::path::Path) -> Paths {
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let root = SecretKey::from_seed(&[7; 32]);
    let authority = SecretKey::from_seed(&[8; 32]);
    let body = SecretKey::from_seed(&[9; 32]);
    let from = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
    let until = Timestamp::parse("2099-01-01T00:00:00Z").unwrap();
    let issue = |role, identifier: &str, name: &str, key: &SecretKey| {
        Certificate::issue(
            &root,
            CertificateFields {
                role,
                identifier: identifier.into(),
                name: name.into(),
                election: "GR2025_Juinen".into(),
                valid_from: from,
                valid_until: until,
                public_key: key.public_key(),
            },
        )
        .unwrap()
    };
    std::fs::write(
        keys.join("authority.pub"),
        root.public_key().to_file_bytes(),
    )
    .unwrap();
    let cert = issue(Role::Gsb, "0042", "Gemeente Juinen", &body);
    std::fs::write(keys.join("GR2025_Juinen_0042.cert"), cert.as_bytes()).unwrap();
    let enc = encrypt_secret_key(&body, b"lang genoeg wachtwoord", KdfParams::FLOOR).unwrap();
    std::fs::write(keys.join("GR2025_Juinen_0042.key"), enc).unwrap();

    let mut paths = Paths::new(dir.join("data"), dir.join("media"));
    paths.root = keys.join("authority.pub");
    paths.certificate = keys.join("GR2025_Juinen_0042.cert");
    paths.key = keys.join("GR2025_Juinen_0042.key");
    std::fs::create_dir_all(&paths.data_dir).unwrap();
    std::fs::create_dir_all(&paths.media_dir).unwrap();
    let acert = issue(Role::Authority, "Kiesraad", "Kiesraad", &authority);
    let files = [
        ("eml110a_verkiezingsdefinitie-juinen.eml.xml", JUINEN_110A),
        ("eml230b_kandidatenlijsten-juinen.eml.xml", JUINEN_230B),
        ("eml110b_stembureaulijst-juinen.eml.xml", JUINEN_110B),
    ]
    .map(|(n, b)| MediumFile {
        name: n.into(),
        bytes: b.to_vec(),
    })
    .to_vec();
    let medium = sign_medium(
        ContentKind::ElectionDefinition,
        "GR2025_Juinen",
        files,
        &authority,
        &acert,
        from,
    )
    .unwrap();
    let folder =
        SignedMedium::folder_name(ContentKind::ElectionDefinition, "GR2025_Juinen", "Kiesraad");
    medium.write_to_dir(&paths.media_dir.join(folder)).unwrap();
    paths
}

#[test]
fn provisioned_keys_real_mode_and_the_demo_medium_refused() {
    let dir = tempfile::tempdir().unwrap();
    let paths = provision(dir.path());
    // A demo definition medium in the same media folder: signed under another root.
    let demo = Paths::new(dir.path().join("demo-data"), paths.media_dir.clone());
    prepare_demo(&demo).unwrap();

    let services = FolderServices::open(paths.clone(), "00".repeat(32), false).unwrap();
    let state = State::new(Lang::Nl, false, services.identity(), SEED);
    assert_eq!(state.identity.body(), "GSB 0042 Gemeente Juinen");
    let mut r = Runner::open(state, services, CoreJournal::new(&paths.journal())).unwrap();
    type_str(&mut r, "lang genoeg wachtwoord");
    key(&mut r, KeyCode::Enter);
    assert!(
        matches!(r.state.screen, Shell::Media(_)),
        "{:?}",
        r.state.screen
    );
    // The demo medium sorts first ("DEMO_..." < "GR2025_...") and is refused.
    key(&mut r, KeyCode::Enter);
    match &r.state.screen {
        Shell::Media(tally_tui::shell::MediaList { error: Some(e), .. }) => {
            assert!(
                e.text(Lang::Nl)
                    .contains("niet erkend door de vertrouwde sleutel"),
                "{}",
                e.text(Lang::Nl)
            )
        }
        other => panic!("{other:?}"),
    }
    key(&mut r, KeyCode::Down);
    key(&mut r, KeyCode::Enter);
    match &r.state.screen {
        Shell::Definition { def, .. } => {
            assert_eq!(def.signer, "Kiesraad (Kiesraad)")
        }
        other => panic!("{other:?}"),
    }
    type_published_groups(&mut r);
    register_first(&mut r);
    let lists = juinen_lists(&r);
    for i in 0..3 {
        let p = paper(i as u32 + 1, &lists);
        full_entry(&mut r, i, "Anna", &p);
        full_entry(&mut r, i, "Bert", &p);
    }
    key(&mut r, KeyCode::Char('t'));
    as_coordinator(&mut r, 'e');
    let (path, _) = r.state.ledger.exported.clone().expect("exported");
    assert!(
        path.ends_with("GR2025_Juinen_0042_results-510b.tally"),
        "{path}"
    );
    assert!(!path.contains("DEMO"));
    let names: Vec<String> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"Telling_GR2025_Juinen_gemeente_Juinen.eml.xml".to_string()),
        "{names:?}"
    );
}
