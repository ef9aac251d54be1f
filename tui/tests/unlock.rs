//! The unlock (#14 point 5): wrong passphrases make the next try wait (a first typo costs
//! nothing); a try within the wait is refused without being tried; a restart does not end
//! the wait.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use crossterm::event::KeyCode;
use tally_tui::text::Lang;

#[test]
fn wrong_passphrases_make_the_next_try_wait() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::En);
    let try_pass = |r: &mut Demo, p: &str| {
        type_str(r, p);
        key(r, KeyCode::Enter);
        r.state
            .unlock_error
            .as_ref()
            .map(|e| e.text(Lang::En))
            .unwrap_or_default()
    };
    assert_eq!(
        try_pass(&mut r, "fout"),
        "Unlock refused: the passphrase is wrong"
    );
    assert_eq!(
        try_pass(&mut r, "nog fout"),
        "Unlock refused: the passphrase is wrong"
    );
    // Right away, even the right passphrase is not tried.
    assert_eq!(
        try_pass(&mut r, "demo"),
        "Unlock refused: too many wrong passphrases; try again in 1 seconds"
    );
    assert!(!r.state.unlocked);
    // A restart does not end the delay: the count is kept on the data partition.
    drop(r);
    let mut r = open(&paths, Lang::En);
    let t0 = std::time::Instant::now();
    assert_eq!(
        try_pass(&mut r, "demo"),
        "Unlock refused: too many wrong passphrases; try again in 1 seconds"
    );
    // After the wait it is.
    std::thread::sleep(std::time::Duration::from_millis(1100).saturating_sub(t0.elapsed()));
    unlock(&mut r);
    assert!(r.state.unlocked, "{:?}", r.state.unlock_error);
    // A right passphrase ends the row, also for the next start.
    assert!(!paths.data_dir.join("unlock-failures").exists());
    drop(r);
    let mut r = open(&paths, Lang::En);
    unlock(&mut r);
    assert!(r.state.unlocked, "{:?}", r.state.unlock_error);
}

/// An expired body certificate is said on the start screen, with its period, and the unlock
/// is refused before any work (#14 point 5).
#[test]
fn an_expired_certificate_is_shown_at_start_and_refused_at_unlock() {
    use tally_signing::{Certificate, Timestamp};
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    drop(open(&paths, Lang::En));
    let demo = Certificate::parse(&std::fs::read(&paths.certificate).unwrap()).unwrap();
    let mut fields = demo.fields().clone();
    fields.valid_from = Timestamp::parse("2020-01-01T00:00:00Z").unwrap();
    fields.valid_until = Timestamp::parse("2025-12-31T23:59:59Z").unwrap();
    let expired = Certificate::issue(&tally_demo::demo_root(), fields).unwrap();
    std::fs::write(&paths.certificate, expired.as_bytes()).unwrap();

    let mut r = open(&paths, Lang::En);
    let screen = screen_text(&r.state);
    assert!(
        screen.contains("Certificate valid from 2020-01-01 to 2025-12-31 (UTC)")
            && screen.contains("This certificate is not valid now; unlocking is refused"),
        "{screen}"
    );
    unlock(&mut r);
    assert!(!r.state.unlocked);
    let refused = r.state.unlock_error.as_ref().unwrap().text(Lang::En);
    assert!(refused.contains("expired"), "{refused}");
}
