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
use tally_tui::app::Screen;
use tally_tui::text::Lang;

fn media_error(r: &Demo) -> String {
    match &r.state.screen {
        Screen::Media { error: Some(e), .. } => e.text(Lang::Nl),
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
    assert!(r.state.tally.election.is_none());
    assert!(!paths.data_dir.join("definition.tally").exists());
}

#[test]
fn a_folder_that_is_not_a_signed_medium_is_refused_in_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    std::fs::create_dir_all(paths.media_dir.join("AAA_leeg")).unwrap();
    unlock(&mut r);
    // The empty folder sorts first.
    key(&mut r, KeyCode::Enter);
    let e = media_error(&r);
    assert!(
        e.starts_with("Stick geweigerd: de stick is onvolledig of onleesbaar"),
        "{e}"
    );
    assert!(r.state.tally.election.is_none());
}
