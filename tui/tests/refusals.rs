//! Refusals say why in plain Dutch, and import nothing: a definition medium changed after
//! signing, a folder that is not a signed medium. (A wrong passphrase: `flow.rs`; a medium
//! under another root: `provisioned.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use crossterm::event::KeyCode;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

fn media_error(r: &Demo) -> String {
    // Said once on screen (it read "Stick geweigerd: Stick geweigerd: ...").
    let screen = screen_text(&r.state);
    assert_eq!(screen.matches("Stick geweigerd").count(), 1, "{screen}");
    match &r.state.screen {
        Shell::Media(tally_tui::shell::MediaList { error: Some(e), .. }) => e.text(Lang::Nl),
        other => panic!("no refusal: {other:?}"),
    }
}

#[test]
fn a_definition_changed_after_signing_is_refused_in_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    // Change one byte of the signed 230b on the "stick".
    let medium = std::fs::read_dir(&paths.media_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let file = medium.join("eml230b_kandidatenlijsten-juinen.eml.xml");
    let mut bytes = std::fs::read(&file).unwrap();
    let i = bytes.windows(7).position(|w| w == b"Hekking").unwrap();
    bytes[i] = b'X';
    std::fs::write(&file, bytes).unwrap();

    unlock(&mut r);
    key(&mut r, KeyCode::Enter);
    let e = media_error(&r);
    assert!(
        e.starts_with("Stick geweigerd: een bestand op de stick is na ondertekening gewijzigd"),
        "{e}"
    );
    // The same refusal in English, for an English screen (one language per screen).
    let Shell::Media(tally_tui::shell::MediaList {
        error: Some(err), ..
    }) = &r.state.screen
    else {
        panic!()
    };
    assert!(
        err.text(Lang::En)
            .starts_with("Medium refused: a file on the stick was changed after signing"),
        "{}",
        err.text(Lang::En)
    );
    assert!(r.state.ledger.election.is_none());
    assert!(!paths.data_dir.join("definition.tally").exists());
}

#[test]
fn a_folder_that_is_not_a_signed_medium_is_refused_in_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    // A folder named as a signed medium but empty, and one that is no medium at all (not
    // offered: only `*.tally` folders are listed, at every level).
    std::fs::create_dir_all(paths.media_dir.join("AAA_leeg.tally")).unwrap();
    std::fs::create_dir_all(paths.media_dir.join("AAA_iets_anders")).unwrap();
    unlock(&mut r);
    let listed = screen_text(&r.state);
    assert!(!listed.contains("AAA_iets_anders"), "{listed}");
    // The empty folder sorts first.
    key(&mut r, KeyCode::Enter);
    let e = media_error(&r);
    assert!(
        e.starts_with("Stick geweigerd: de stick is onvolledig of onleesbaar"),
        "{e}"
    );
    assert!(r.state.ledger.election.is_none());
}

#[test]
fn a_definition_with_a_link_is_refused_in_dutch_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    // The 230b replaced by a link to an identical copy outside the "stick": the bytes
    // would verify, but a link is never followed.
    let medium = std::fs::read_dir(&paths.media_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let name = "eml230b_kandidatenlijsten-juinen.eml.xml";
    let outside = dir.path().join(name);
    std::fs::rename(medium.join(name), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, medium.join(name)).unwrap();

    unlock(&mut r);
    key(&mut r, KeyCode::Enter);
    let e = media_error(&r);
    assert!(
        e.starts_with("Stick geweigerd: de stick bevat een snelkoppeling (symbolische link)"),
        "{e}"
    );
    assert!(e.contains(name), "{e}");
    assert!(r.state.ledger.election.is_none());
    assert!(!paths.data_dir.join("definition.tally").exists());
    // The refusal and the failed verification are in the audit log.
    let audit = std::fs::read_to_string(paths.data_dir.join("audit.jsonl")).unwrap();
    let kinds: Vec<String> = audit
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["kind"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(kinds.iter().any(|k| k == "refused"), "{audit}");
    assert!(kinds.iter().any(|k| k == "verify_failed"), "{audit}");
    assert!(!kinds.iter().any(|k| k == "verified"), "{audit}");
}

/// A medium signed after the moment the PC's clock says is refused: the clock was set back
/// (issue 17 point 4); nothing is read in.
#[test]
fn a_definition_signed_after_the_pcs_clock_is_refused() {
    use tally_signing::{
        Certificate, CertificateFields, ContentKind, MediumFile, Role, SecretKey, Timestamp,
        sign_medium,
    };
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    // The demo definition's files, signed again a day ahead of this PC's clock.
    let folder = std::fs::read_dir(&paths.media_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let files: Vec<MediumFile> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .map(|p| MediumFile {
            name: p.file_name().unwrap().to_str().unwrap().to_owned(),
            bytes: std::fs::read(&p).unwrap(),
        })
        .collect();
    assert_eq!(files.len(), 3);
    let signer = SecretKey::from_seed(&[9; 32]);
    let cert = Certificate::issue(
        &tally_demo::demo_root(),
        CertificateFields {
            role: Role::Authority,
            identifier: "DEMO-Kiesraad".into(),
            name: "DEMO Kiesraad".into(),
            election: "GR2025_Juinen".into(),
            valid_from: Timestamp::parse("2025-01-01T00:00:00Z").unwrap(),
            valid_until: Timestamp::parse("2099-12-31T23:59:59Z").unwrap(),
            public_key: signer.public_key(),
        },
    )
    .unwrap();
    // Within a day ahead is a PC's clock kept in local time or drifting; more is refused.
    let ahead = Timestamp(Timestamp::now().0 + tally_body::CLOCK_TOLERANCE_SECS + 3600);
    let medium = sign_medium(
        ContentKind::ElectionDefinition,
        "GR2025_Juinen",
        files,
        &signer,
        &cert,
        ahead,
    )
    .unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
    medium.write_to_dir(&folder).unwrap();

    unlock(&mut r);
    key(&mut r, KeyCode::Enter);
    let e = media_error_any(&r);
    assert!(
        e.contains("de klok van deze pc") && e.contains(&ahead.to_string()),
        "{e}"
    );
    assert!(r.state.ledger.election.is_none());
    assert!(!paths.data_dir.join("definition.tally").exists());
}

fn media_error_any(r: &Demo) -> String {
    match &r.state.screen {
        Shell::Media(tally_tui::shell::MediaList { error: Some(e), .. }) => e.text(Lang::Nl),
        other => panic!("no refusal: {other:?}"),
    }
}
