//! The entry keys for a large ballot: PgDn never skips a list's total, T jumps to the list's
//! total, K (or /) and a number jump to a candidate of the list on screen, Space ticks a box
//! and clears a ticked one; F1 names them all.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use crossterm::event::KeyCode;
use tally_core::entry::FieldId;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_tui::app::Screen;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

/// The field the cursor is on.
fn at(r: &Demo) -> FieldId {
    let Shell::Level(Screen::Entry { station, slot, .. }) = &r.state.screen else {
        panic!("not on the entry: {:?}", r.state.screen)
    };
    let cursor = r
        .state
        .ledger
        .stations
        .get(station)
        .and_then(|s| s.slot(*slot))
        .unwrap()
        .cursor;
    fields(r)[cursor]
}

fn go_to(r: &mut Demo, target: FieldId) {
    for _ in 0..fields(r).len() {
        if at(r) == target {
            return;
        }
        key(r, KeyCode::Enter);
    }
    panic!("never reached {target:?}");
}

/// A demo terminal in a temp dir with the definition loaded, at the overview.
fn loaded(lang: Lang) -> (tempfile::TempDir, Demo) {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, lang);
    unlock(&mut r);
    load_definition(&mut r);
    (dir, r)
}

#[test]
fn large_ballot_keys() {
    let (_dir, mut r) = loaded(Lang::Nl);
    start_entry(&mut r, 0, "Anna");
    let all = fields(&r);
    let list = ListNumber(1);
    let first = FieldId::CandidateVotes(list, CandidatePosition(1));
    let total = FieldId::ListTotal(list);
    assert!(all.contains(&first) && all.contains(&total));

    // PgDn from a candidate goes to the list's total, not past it.
    go_to(&mut r, first);
    key(&mut r, KeyCode::PageDown);
    assert_eq!(at(&r), total);
    // From the total, PgDn goes on to the next block.
    key(&mut r, KeyCode::PageDown);
    assert_ne!(at(&r), total);
    assert!(!matches!(at(&r), FieldId::CandidateVotes(l, _) | FieldId::ListTotal(l) if l == list));

    // T: to the total of the list on screen.
    key(&mut r, KeyCode::PageUp);
    key(&mut r, KeyCode::PageUp);
    go_to(&mut r, first);
    key(&mut r, KeyCode::Char('t'));
    assert_eq!(at(&r), total);

    // K and a number: to that candidate; one not on the list is refused and nothing moves.
    key(&mut r, KeyCode::Char('k'));
    type_str(&mut r, "3");
    let screen = render(&r);
    assert!(screen.contains("Naar kandidaat nummer"), "{screen}");
    key(&mut r, KeyCode::Enter);
    assert_eq!(at(&r), FieldId::CandidateVotes(list, CandidatePosition(3)));
    key(&mut r, KeyCode::Char('/'));
    type_str(&mut r, "999");
    key(&mut r, KeyCode::Enter);
    assert_eq!(at(&r), FieldId::CandidateVotes(list, CandidatePosition(3)));
    let notice = r.state.note.as_ref().unwrap();
    assert!(
        notice
            .text(Lang::Nl)
            .contains("Kandidaat 999 staat niet op lijst 1"),
        "{}",
        notice.text(Lang::Nl)
    );
    // Esc leaves the prompt, not the entry.
    key(&mut r, KeyCode::Char('k'));
    key(&mut r, KeyCode::Esc);
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Entry { jump: None, .. })
    ));

    // Space ticks a box and clears a ticked one.
    let mark = *all
        .iter()
        .find(|f| matches!(f, FieldId::AdmittedEqualsCast))
        .unwrap();
    let index = all.iter().position(|f| *f == mark).unwrap();
    while all.iter().position(|f| *f == at(&r)).unwrap() > index {
        key(&mut r, KeyCode::Up);
    }
    go_to(&mut r, mark);
    key(&mut r, KeyCode::Char(' '));
    assert!(matches!(&r.state.screen, Shell::Level(Screen::Entry { input, .. }) if input == "x"));
    key(&mut r, KeyCode::Char(' '));
    assert!(
        matches!(&r.state.screen, Shell::Level(Screen::Entry { input, .. }) if input.is_empty())
    );

    // F1 names the keys.
    key(&mut r, KeyCode::F(1));
    let help = render(&r);
    for k in [
        "PgDn",
        "T: naar",
        "K of /",
        "spatie kruist aan",
        "F10",
        "een leeg veld telt",
    ] {
        assert!(help.contains(k), "{k:?} not in the help:\n{help}");
    }
}

fn render(r: &Demo) -> String {
    screen_text(&r.state)
}

/// Esc from the total returns to the station that was selected (it went back to station 1).
#[test]
fn esc_from_the_total_keeps_the_selection() {
    let (_dir, mut r) = loaded(Lang::En);
    select(&mut r, 2);
    key(&mut r, KeyCode::Char('t'));
    assert!(matches!(r.state.screen, Shell::Level(Screen::Total)));
    key(&mut r, KeyCode::Esc);
    assert!(
        matches!(
            r.state.screen,
            Shell::Level(Screen::Overview { selected: 2 })
        ),
        "{:?}",
        r.state.screen
    );
}

/// Every finding can be read at 80x24: they wrap, scroll with the position shown, and the
/// save question stays on screen below them.
#[test]
fn the_finish_screen_scrolls_and_keeps_the_question() {
    let (_dir, mut r) = loaded(Lang::Nl);
    start_entry(&mut r, 0, "Anna");
    // A report full of contradictions: 7 in every number field, every box ticked.
    for _ in 0..fields(&r).len() {
        if matches!(&r.state.screen, Shell::Level(Screen::Entry { .. })) {
            let is_mark = at(&r).is_mark();
            type_str(&mut r, if is_mark { "x" } else { "7" });
            key(&mut r, KeyCode::Enter);
        }
    }
    let Shell::Level(Screen::Finish { station, slot, .. }) = r.state.screen.clone() else {
        panic!("{:?}", r.state.screen)
    };
    let n = r.state.ledger.findings(station, slot).len();
    assert!(n > 8, "only {n} findings");
    let screen = render(&r);
    println!("{screen}");
    assert!(screen.contains(&format!("van {n}, Op/Neer)")), "{screen}");
    assert!(screen.contains("Opslaan met fouten mag"), "{screen}");
    // Down to the last finding: it is shown, and the question still is.
    for _ in 0..n {
        key(&mut r, KeyCode::Down);
    }
    let screen = render(&r);
    assert!(
        screen.contains(&format!("({n}-{n} van {n}, Op/Neer)")),
        "{screen}"
    );
    let last = r
        .state
        .ledger
        .findings(station, slot)
        .last()
        .unwrap()
        .code
        .to_string();
    assert!(screen.contains(&last), "{last} not on\n{screen}");
}

/// A long typist's name shortens the header's title, never the election's id.
#[test]
fn the_header_keeps_the_election_id() {
    let (_dir, mut r) = loaded(Lang::Nl);
    start_entry(&mut r, 0, "Anna Maria Wilhelmina van den Berg-Oudshoorn");
    let screen = render(&r);
    let header = screen.lines().next().unwrap();
    assert!(header.trim_end().ends_with("| GR2025_Juinen"), "{header}");
    assert!(header.contains("..."), "{header}");
}
