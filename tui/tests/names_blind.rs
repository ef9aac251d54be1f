//! #14: names typed blind, wherever the terminal takes keys, decide nothing. Someone types
//! "Carla", "Cor", "Aad", "Ria" or "Dora" thinking a name is asked, on the overview, after
//! the coordinator's key (a PIN prompt) and on the typist's PIN prompt, with the stations in
//! every state of the double entry (fields returned for correction too); no station's
//! entries or state change. (A name typed and
//! Enter on a PIN prompt is a wrong PIN: tests/people.rs.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;

use common::*;
use crossterm::event::KeyCode;
use tally_core::entry::FieldId;
use tally_ledger::municipal::Status;
use tally_tui::app::Screen;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

const NAMES: [&str; 5] = ["Carla", "Cor", "Aad", "Ria", "Dora"];

fn overview(r: &mut Demo) {
    for _ in 0..4 {
        if matches!(r.state.screen, Shell::Level(Screen::Overview { .. })) {
            return;
        }
        key(r, KeyCode::Esc);
    }
    assert!(
        matches!(r.state.screen, Shell::Level(Screen::Overview { .. })),
        "not back on the overview: {:?}",
        r.state.screen
    );
}

fn statuses(r: &Demo) -> Vec<Option<Status>> {
    (1..=3).map(|s| r.state.ledger.status(s)).collect()
}

/// Every name on every station from every screen that takes keys there; nothing changes.
fn walk(r: &mut Demo, expected: &[Status; 3]) {
    assert_eq!(
        statuses(r),
        expected.iter().map(|s| Some(*s)).collect::<Vec<_>>()
    );
    let before = r.state.ledger.stations.clone();
    let exported = r.state.ledger.exported.clone();
    for (i, state) in expected.iter().enumerate() {
        for name in NAMES {
            let tried = |r: &mut Demo, keys: &dyn Fn(&mut Demo)| {
                overview(r);
                select(r, i);
                keys(r);
                overview(r);
                assert_eq!(
                    r.state.ledger.stations,
                    before,
                    "station {} ({:?}) changed after {name:?}",
                    i + 1,
                    state
                );
                assert_eq!(r.state.ledger.exported, exported);
            };
            // On the overview, with Enter after it.
            tried(r, &|r| {
                type_str(r, name);
                key(r, KeyCode::Enter);
            });
            // After the coordinator's key (a coordinator's PIN prompt, or a note that there is
            // nothing to do): the name goes into the PIN field and stays there.
            tried(r, &|r| {
                key(r, KeyCode::Char('c'));
                type_str(r, name);
            });
            // On the typist's PIN prompt (no Enter: that checks the PIN).
            tried(r, &|r| {
                key(r, KeyCode::Enter);
                type_str(r, name);
            });
            // On the municipal total.
            tried(r, &|r| {
                key(r, KeyCode::Char('t'));
                type_str(r, name);
                key(r, KeyCode::Enter);
            });
        }
    }
}

/// The first `n` fields of `paper`, typed, and the entry left with Esc.
fn part(r: &mut Demo, paper: &BTreeMap<FieldId, String>, n: usize) {
    for f in fields(r).into_iter().take(n) {
        if let Some(t) = paper.get(&f) {
            type_str(r, t);
        }
        key(r, KeyCode::Enter);
    }
    overview(r);
}

#[test]
fn names_typed_blind_change_no_station_in_any_state() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    let lists = juinen_lists(&r);
    let (p1, p2) = (paper(1, &lists), paper(2, &lists));
    use Status::*;
    register(&mut r, "Dirk", true);

    // Not started; a first entry in progress.
    walk(
        &mut r,
        &[
            FirstEntryNotStarted,
            FirstEntryNotStarted,
            FirstEntryNotStarted,
        ],
    );
    start_entry(&mut r, 1, "Anna");
    part(&mut r, &p2, 3);
    walk(
        &mut r,
        &[
            FirstEntryNotStarted,
            FirstEntryInProgress,
            FirstEntryNotStarted,
        ],
    );

    // Waiting for the second entry; the second in progress; a first entry with errors.
    full_entry(&mut r, 0, "Anna", &p1);
    start_entry(&mut r, 1, "Anna");
    type_fields(&mut r, &p2, 3, |_, _| {});
    key(&mut r, KeyCode::Enter);
    start_entry(&mut r, 1, "Bert");
    part(&mut r, &p2, 3);
    let mut bad = paper(3, &lists);
    bad.insert(FieldId::BlankVotes, "7".into());
    full_entry(&mut r, 2, "Anna", &bad);
    walk(
        &mut r,
        &[
            SecondEntryNotStarted,
            SecondEntryInProgress,
            FirstEntryHasErrors,
        ],
    );

    // Entries that differ; definitive; warnings to acknowledge.
    let mut q1 = p1.clone();
    let first_count = fields(&r)
        .into_iter()
        .find(|f| matches!(f, FieldId::CandidateVotes(..)))
        .unwrap();
    let other = (p1
        .get(&first_count)
        .map_or(0, |v| v.parse::<u64>().unwrap())
        + 1)
    .to_string();
    q1.insert(first_count, other);
    full_entry(&mut r, 0, "Bert", &q1);
    start_entry(&mut r, 1, "Bert");
    type_fields(&mut r, &p2, 3, |_, _| {});
    key(&mut r, KeyCode::Enter);
    select(&mut r, 2);
    as_coordinator(&mut r, 'c');
    decide(&mut r, 'r', 3);
    overview(&mut r);
    let p3 = paper_with_blank(3, &lists, 40);
    start_entry(&mut r, 2, "Anna");
    type_fields(&mut r, &p3, 0, |_, _| {});
    key(&mut r, KeyCode::Enter);
    full_entry(&mut r, 2, "Bert", &p3);
    walk(
        &mut r,
        &[EntriesDifferent, Definitive, WarningsToAcknowledge],
    );

    // The differing fields returned to the second typist (issue 14, point 2).
    select(&mut r, 0);
    // Carla's PIN is slowed down by now (the names typed on her PIN prompt and Enter were
    // wrong PINs): the second coordinator decides.
    key(&mut r, KeyCode::Char('c'));
    sign_in(&mut r, "Dirk");
    assert!(
        matches!(r.state.screen, Shell::Level(Screen::Coordinator { .. })),
        "{:?} {:?}",
        r.state.screen,
        r.state.note
    );
    decide(&mut r, '4', 1);
    overview(&mut r);
    walk(&mut r, &[FieldsReturned, Definitive, WarningsToAcknowledge]);
}
