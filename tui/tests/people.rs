//! #14 point 1 in the terminal: the people of the session, registered with a PIN; a typist
//! cannot take a coordinator's act, one person cannot do both entries of a station, look-alike
//! names are refused, a wrong PIN is journaled and slows the next tries (also after a
//! restart), decisions name the coordinator, and the screen locks on F12 and when idle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use crossterm::event::KeyCode;
use tally_core::double_entry::{Decision, Role};
use tally_core::people::PersonId;
use tally_ledger::municipal::{Record, Slot, Status};
use tally_tui::app::Screen;
use tally_tui::shell::Screen as Shell;
use tally_tui::shell::runner::IDLE_LOCK;
use tally_tui::text::Lang;

fn note(r: &Demo) -> String {
    r.state
        .note
        .as_ref()
        .map(|n| n.text(Lang::Nl))
        .unwrap_or_default()
}

fn form_error(r: &Demo) -> String {
    match &r.state.screen {
        Shell::People(f) => f
            .error
            .as_ref()
            .map(|e| e.text(Lang::Nl))
            .unwrap_or_default(),
        other => panic!("not on the people form: {other:?}"),
    }
}

fn pin_error(r: &Demo) -> String {
    match &r.state.screen {
        Shell::Pin(p) => p
            .error
            .as_ref()
            .map(|e| e.text(Lang::Nl))
            .unwrap_or_default(),
        other => panic!("not on the PIN prompt: {other:?}"),
    }
}

fn offered(r: &Demo) -> Vec<String> {
    match &r.state.screen {
        Shell::Pin(p) => p
            .choices(&r.state.ledger.people.registry)
            .iter()
            .map(|p| p.name.as_str().to_owned())
            .collect(),
        other => panic!("not on the PIN prompt: {other:?}"),
    }
}

/// Types a name and a PIN twice into the people form (a typist) and presses Enter.
fn try_person(r: &mut Demo, name: &str, pin: &str, again: &str) {
    type_str(r, name);
    key(r, KeyCode::Tab);
    key(r, KeyCode::Tab);
    type_str(r, pin);
    key(r, KeyCode::Tab);
    type_str(r, again);
    key(r, KeyCode::Enter);
}

/// Clears the form's fields (the name stays when a PIN was refused).
fn clear_name(r: &mut Demo) {
    for _ in 0..4 {
        key(r, KeyCode::Up);
    }
    for _ in 0..60 {
        key(r, KeyCode::Backspace);
    }
}

#[test]
fn registration_roles_and_the_two_entries() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    key(&mut r, KeyCode::Enter);
    type_published_groups(&mut r);
    // Nothing before the first coordinator: Esc and the overview's keys do nothing.
    key(&mut r, KeyCode::Esc);
    assert!(matches!(&r.state.screen, Shell::People(f) if f.by.is_none()));
    // Her PIN must follow the rules and be typed twice alike.
    try_person(&mut r, COORDINATOR, "12345", "12345");
    assert!(
        form_error(&r).contains("te eenvoudig"),
        "{}",
        form_error(&r)
    );
    clear_name(&mut r);
    try_person(&mut r, COORDINATOR, PIN, "40418");
    assert!(form_error(&r).contains("verschillen"), "{}", form_error(&r));
    assert!(r.state.ledger.people.registry.is_empty());
    clear_name(&mut r);
    try_person(&mut r, COORDINATOR, PIN, PIN);
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Overview { .. })
    ));

    // More people, by the coordinator after her PIN. Look-alike names are refused, whatever
    // the case, script or invisible character; nothing is registered for them.
    key(&mut r, KeyCode::F(9));
    assert_eq!(offered(&r), vec![COORDINATOR]);
    sign_in(&mut r, COORDINATOR);
    try_person(&mut r, "Anna", PIN, PIN);
    assert!(note(&r).contains("Anna is ingeschreven"), "{}", note(&r));
    for (name, why) in [
        ("ANNA", "lijkt te veel op Anna"),
        ("anna ", "lijkt te veel op Anna"),
        ("\u{410}nna", "mengt letters"),
        ("An\u{200B}na", "niet in een naam mag"),
        ("Carla", "lijkt te veel op Carla"),
    ] {
        try_person(&mut r, name, PIN, PIN);
        assert!(form_error(&r).contains(why), "{name:?}: {}", form_error(&r));
        clear_name(&mut r);
    }
    try_person(&mut r, "Bert", PIN, PIN);
    let registry = &r.state.ledger.people.registry;
    assert_eq!(
        registry
            .people()
            .map(|p| (p.name.as_str(), p.role))
            .collect::<Vec<_>>(),
        vec![
            ("Carla", Role::Coordinator),
            ("Anna", Role::Typist),
            ("Bert", Role::Typist)
        ]
    );
    key(&mut r, KeyCode::Esc);

    // A typist is never offered for a coordinator's act.
    let lists = juinen_lists(&r);
    let mut bad = paper(1, &lists);
    bad.insert(tally_core::entry::FieldId::BlankVotes, "7".into());
    full_entry(&mut r, 0, "Anna", &bad);
    assert_eq!(r.state.ledger.status(1), Some(Status::FirstEntryHasErrors));
    select(&mut r, 0);
    key(&mut r, KeyCode::Char('c'));
    assert_eq!(offered(&r), vec![COORDINATOR]);
    key(&mut r, KeyCode::Esc);
    // ... and the ledger refuses a decision by a typist (as a forged record would be).
    let anna = PersonId(2);
    let mut copy = r.state.ledger.clone();
    assert!(
        copy.apply(&Record::Decided {
            station: 1,
            decision: Decision::SendBack,
            by: anna,
            at: 1,
        })
        .is_err()
    );
    // The coordinator sends it back; the record names her.
    as_coordinator(&mut r, 'c');
    decide(&mut r, 'r', 1);
    assert_eq!(r.state.ledger.status(1), Some(Status::FirstEntryInProgress));
    let journal = std::fs::read(paths.journal()).unwrap();
    let text = String::from_utf8_lossy(&journal);
    assert!(
        text.contains(r#""record":"decided","station":1,"decision":"send_back","by":1"#),
        "the decision names the coordinator"
    );

    // The entry sent back is Anna's: only she is offered.
    select(&mut r, 0);
    key(&mut r, KeyCode::Enter);
    assert_eq!(offered(&r), vec!["Anna"]);
    key(&mut r, KeyCode::Esc);
    // A second entry is never offered to the first typist, and the ledger refuses it.
    let p2 = paper(2, &lists);
    full_entry(&mut r, 1, "Anna", &p2);
    select(&mut r, 1);
    key(&mut r, KeyCode::Enter);
    assert_eq!(offered(&r), vec!["Bert"]);
    key(&mut r, KeyCode::Esc);
    let mut copy = r.state.ledger.clone();
    assert!(
        copy.apply(&Record::EntryStarted {
            station: 2,
            slot: Slot::Second,
            person: anna,
            at: 1,
        })
        .is_err()
    );
    full_entry(&mut r, 1, "Bert", &p2);
    assert_eq!(r.state.ledger.status(2), Some(Status::Definitive));
}

/// The clock of the PIN delays in [`wrong_pins_are_journaled_slow_down_and_survive_a_restart`]:
/// it stands still unless the test moves it, so no delay runs out while the machine is slow.
static PIN_CLOCK: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

fn pin_clock() -> i64 {
    PIN_CLOCK.load(std::sync::atomic::Ordering::SeqCst)
}

#[test]
fn wrong_pins_are_journaled_slow_down_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    PIN_CLOCK.store(1_780_000_000_000, std::sync::atomic::Ordering::SeqCst);
    let mut r = open(&paths, Lang::Nl);
    r.now = pin_clock;
    unlock(&mut r);
    load_definition(&mut r);
    register(&mut r, "Anna", false);
    select(&mut r, 0);
    key(&mut r, KeyCode::Enter);
    // Three wrong PINs in a row are free (each journaled); after that each try waits longer
    // (1 s, 2 s, 4 s, ...), so within a few more wrong ones a try is refused unchecked.
    let mut wrong = 0;
    while !pin_error(&r).contains("probeer het over") {
        assert!(wrong < 10, "no delay after {wrong} wrong PINs");
        type_str(&mut r, "99999");
        key(&mut r, KeyCode::Enter);
        wrong += 1;
    }
    let journal = String::from_utf8_lossy(&std::fs::read(paths.journal()).unwrap()).to_string();
    let journaled = journal.matches(r#""people":"wrong_pin""#).count();
    assert!(
        journaled >= 4 && journaled == wrong - 1,
        "{journaled} of {wrong}"
    );
    // The right PIN within the delay is refused as well (it is not even checked).
    type_str(&mut r, PIN);
    key(&mut r, KeyCode::Enter);
    assert!(
        pin_error(&r).contains("probeer het over"),
        "{}",
        pin_error(&r)
    );
    assert!(matches!(r.state.screen, Shell::Pin(_)));

    // A restart does not end the delay: the wrong PINs are in the journal.
    drop(r);
    let mut r = open(&paths, Lang::Nl);
    r.now = pin_clock;
    unlock(&mut r);
    let throttle = &r.state.ledger.people.throttle;
    assert_eq!(throttle.wrong_in_a_row(PersonId(2)), journaled as u32);
    let now = tally_core::double_entry::Timestamp(pin_clock());
    let wait = throttle.check(PersonId(2), now).unwrap_err().wait_ms;
    select(&mut r, 0);
    key(&mut r, KeyCode::Enter);
    type_str(&mut r, PIN);
    key(&mut r, KeyCode::Enter);
    assert!(
        pin_error(&r).contains("probeer het over"),
        "{}",
        pin_error(&r)
    );
    // After the delay, the right PIN opens the entry and ends the row.
    PIN_CLOCK.fetch_add(wait as i64 + 1, std::sync::atomic::Ordering::SeqCst);
    type_str(&mut r, PIN);
    key(&mut r, KeyCode::Enter);
    assert!(
        matches!(r.state.screen, Shell::Level(Screen::Entry { .. })),
        "{:?} {}",
        r.state.screen,
        pin_error(&r)
    );
    assert_eq!(
        r.state.ledger.people.throttle.wrong_in_a_row(PersonId(2)),
        0
    );
}

#[test]
fn the_screen_locks_on_f12_and_when_idle() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    start_entry(&mut r, 0, "Anna");
    type_str(&mut r, "12");
    key(&mut r, KeyCode::Enter);
    // F12: back to the PIN prompt of the entry, which offers only Anna; Esc leads to the
    // overview, and the entry asks her PIN again.
    key(&mut r, KeyCode::F(12));
    assert_eq!(offered(&r), vec!["Anna"]);
    assert!(note(&r).contains("vergrendeld"), "{}", note(&r));
    assert_eq!(r.state.signed_in, None);
    key(&mut r, KeyCode::Esc);
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Overview { .. })
    ));
    select(&mut r, 0);
    key(&mut r, KeyCode::Enter);
    assert_eq!(offered(&r), vec!["Anna"]);
    sign_in(&mut r, "Anna");
    assert!(matches!(r.state.screen, Shell::Level(Screen::Entry { .. })));
    // Idle: nothing before the idle time, then the lock (the PIN prompt), once.
    let last = r.last_key;
    r.idle(last + IDLE_LOCK / 2);
    assert!(matches!(r.state.screen, Shell::Level(Screen::Entry { .. })));
    r.idle(last + IDLE_LOCK);
    assert_eq!(offered(&r), vec!["Anna"]);
    // A PIN half typed on the prompt is locked away too: to the overview.
    type_str(&mut r, "404");
    let last = r.last_key;
    r.idle(last + IDLE_LOCK);
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Overview { .. })
    ));
    // Where nobody is signed in, idle changes nothing.
    let before = r.state.screen.clone();
    r.idle(last + IDLE_LOCK * 3);
    assert_eq!(r.state.screen, before);
}
