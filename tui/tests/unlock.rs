//! The unlock (#14 point 5): wrong passphrases make the next try wait (a first typo costs
//! nothing); a try within the wait is refused without being tried.
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
    let t0 = std::time::Instant::now();
    assert_eq!(
        try_pass(&mut r, "demo"),
        "Unlock refused: too many wrong passphrases; try again in 1 seconds"
    );
    assert!(!r.state.unlocked);
    // After the wait it is.
    std::thread::sleep(std::time::Duration::from_millis(1100).saturating_sub(t0.elapsed()));
    unlock(&mut r);
    assert!(r.state.unlocked, "{:?}", r.state.unlock_error);
}
