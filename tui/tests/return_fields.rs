//! Return for correction (issue 14, point 2) in the terminal: two entries of a station
//! differ in two fields; the coordinator returns those fields to the second typist, who
//! retypes only those; the station becomes definitive. The first typist cannot do it, a
//! restart in the middle gives back the same state, and the coordinator then reads the
//! definitive result without being able to change it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use crossterm::event::KeyCode;
use tally_core::double_entry::{Action, EntrySlot};
use tally_core::entry::{FieldId, FieldValue};
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_demo::Paths;
use tally_ledger::municipal::{Decision, Record, Slot, Status};
use tally_tui::app::{Municipal, Screen, State, station_numbers};
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

const CAND: FieldId = FieldId::CandidateVotes(ListNumber(1), CandidatePosition(1));
const TOTAL: FieldId = FieldId::ListTotal(ListNumber(1));

/// Snapshots a screen in Dutch and in English; returns the Dutch lines.
fn shot(name: &str, state: &State) -> Vec<String> {
    // The terminal draws the screen itself before each key (the view notes how far a
    // list can scroll); the clones below are for the two languages.
    let _ = screen_lines(state);
    let mut lines = Vec::new();
    for lang in [Lang::Nl, Lang::En] {
        let mut s = state.clone();
        s.lang = lang;
        let l = screen_lines(&s);
        for line in &l {
            assert!(line.is_ascii(), "{name}: not ASCII: {line}");
            assert!(line.chars().count() <= 80);
        }
        snapshot(name, lang, &l);
        if lang == Lang::Nl {
            lines = l;
        }
    }
    lines
}

/// Kills the terminal and opens it again: after the passphrase (and the PIN of the
/// screen's person) the same state and screen.
fn restart(r: Demo, paths: &Paths) -> Demo {
    let (tally, screen, head) = (
        r.state.ledger.clone(),
        r.state.screen.clone(),
        r.state.journal_head,
    );
    drop(r);
    let mut r = open(paths, Lang::Nl);
    unlock(&mut r);
    assert_eq!(r.state.ledger, tally);
    assert_eq!(r.state.journal_head, head);
    if let Shell::Pin(prompt) = &r.state.screen {
        let name = match prompt.guard.only {
            Some(id) => r.state.ledger.people.name(id),
            None => COORDINATOR.to_owned(),
        };
        sign_in(&mut r, &name);
    }
    // The coordinator's scroll is not a fact; the screen comes back at its top.
    let top = |s: &Shell<Municipal>| match s {
        Shell::Level(Screen::Coordinator { station, .. }) => Shell::Level(Screen::Coordinator {
            station: *station,
            scroll: 0,
        }),
        other => other.clone(),
    };
    assert_eq!(top(&r.state.screen), top(&screen));
    r
}

fn field_index(r: &Demo, id: FieldId) -> usize {
    fields(r).iter().position(|f| *f == id).unwrap()
}

fn cursor(r: &Demo, station: u32, slot: Slot) -> usize {
    r.state.ledger.stations[&station].slot(slot).unwrap().cursor
}

#[test]
fn the_differing_fields_go_back_to_the_second_typist_only() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    let lists = juinen_lists(&r);
    let station = station_numbers(&r.state)[0];
    let right = paper(1, &lists);
    // Bert misreads candidate 1 of list 1 and the list's total.
    let mut wrong = right.clone();
    let cand: u64 = right[&CAND].parse().unwrap();
    let total: u64 = right[&TOTAL].parse().unwrap();
    wrong.insert(CAND, (cand + 10).to_string());
    wrong.insert(TOTAL, (total + 10).to_string());
    full_entry(&mut r, 0, "Anna", &right);
    let seq = |r: &Demo| r.state.journal_head.unwrap().seq;
    let before_second = seq(&r);
    full_entry(&mut r, 0, "Bert", &wrong);
    // What typing a whole entry again would cost, in journal records (one per field and
    // move): what discarding used to mean.
    let whole_entry = seq(&r) - before_second;
    assert_eq!(
        r.state.ledger.status(station),
        Some(Status::EntriesDifferent)
    );
    assert_eq!(r.state.ledger.differences(station), vec![CAND, TOTAL]);
    let (anna, bert) = {
        let d = &r.state.ledger.stations[&station];
        (
            d.first.as_ref().unwrap().values.clone(),
            d.second.as_ref().unwrap().values.clone(),
        )
    };

    // The coordinator's screen offers the return; a key says it in words first.
    select(&mut r, 0);
    as_coordinator(&mut r, 'c');
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Coordinator { .. })
    ));
    shot("00_differences", &r.state);
    let before_return = seq(&r);
    key(&mut r, KeyCode::Char('4'));
    let Shell::Level(Screen::Confirm { decision, .. }) = &r.state.screen else {
        panic!("{:?}", r.state.screen);
    };
    assert_eq!(
        decision,
        &Decision::ReturnFields {
            slot: EntrySlot::Second,
            fields: vec![CAND, TOTAL],
        }
    );
    let text = shot("01_confirm_return", &r.state).join("\n");
    assert!(text.contains("Bert"), "{text}");
    // A wrong number decides nothing.
    type_str(&mut r, "99");
    key(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.ledger.status(station),
        Some(Status::EntriesDifferent)
    );
    type_str(&mut r, &station.to_string());
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.state.ledger.status(station), Some(Status::FieldsReturned));
    let carla = r
        .state
        .ledger
        .people
        .registry
        .people()
        .find(|p| p.name.as_str() == COORDINATOR)
        .unwrap()
        .id;
    let last = r.state.ledger.history(station).last().unwrap().clone();
    assert_eq!(last.person, Some(carla));
    assert!(matches!(
        last.action,
        Action::Decide {
            decision: Decision::ReturnFields {
                slot: EntrySlot::Second,
                ..
            }
        }
    ));
    // The journal records the decision with its fields.
    let json = serde_json::to_string(&Record::Decided {
        station,
        decision: Decision::ReturnFields {
            slot: EntrySlot::Second,
            fields: vec![CAND, TOTAL],
        },
        by: carla,
        at: 0,
    })
    .unwrap();
    assert!(
        json.contains(
            r#""decision":{"return_fields":{"slot":"second","fields":["L1.K1","L1.T"]}}"#
        ),
        "{json}"
    );
    let d = &r.state.ledger.stations[&station];
    assert_eq!(d.returned, Some((Slot::Second, vec![CAND, TOTAL])));
    // Only those two fields of Bert's entry are cleared; Anna's entry is as it was.
    let second = &d.second.as_ref().unwrap().values;
    for f in fields(&r) {
        if f == CAND || f == TOTAL {
            assert_eq!(second.get(f), Some(FieldValue::Empty));
        } else {
            assert_eq!(second.get(f), bert.get(f), "{f}");
        }
    }
    assert_eq!(d.first.as_ref().unwrap().values, anna);

    // Anna (the other typist) is not offered; only Bert is.
    select(&mut r, 0);
    key(&mut r, KeyCode::Enter);
    let Shell::Pin(prompt) = &r.state.screen else {
        panic!("{:?}", r.state.screen);
    };
    let offered: Vec<String> = prompt
        .choices(&r.state.ledger.people.registry)
        .iter()
        .map(|p| p.name.as_str().to_owned())
        .collect();
    assert_eq!(offered, vec!["Bert".to_owned()]);
    sign_in(&mut r, "Bert");
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Entry {
            slot: Slot::Second,
            ..
        })
    ));
    // The cursor starts on the first returned field.
    assert_eq!(cursor(&r, station, Slot::Second), field_index(&r, CAND));
    shot("02_retype", &r.state);
    // Jumps to other fields are refused; nothing moves.
    key(&mut r, KeyCode::Char('t'));
    assert!(r.state.note.as_ref().is_some_and(|n| n.error));
    assert_eq!(cursor(&r, station, Slot::Second), field_index(&r, CAND));

    // Killed in the middle: the same state and screen after the restart.
    let mut r = restart(r, &paths);
    type_str(&mut r, &cand.to_string());
    key(&mut r, KeyCode::Enter);
    // The next field is the list's total, past the other candidates.
    assert_eq!(cursor(&r, station, Slot::Second), field_index(&r, TOTAL));
    let mut r = restart(r, &paths);
    // Up goes back to the previous returned field, Down forward again.
    key(&mut r, KeyCode::Up);
    assert_eq!(cursor(&r, station, Slot::Second), field_index(&r, CAND));
    key(&mut r, KeyCode::Down);
    assert_eq!(cursor(&r, station, Slot::Second), field_index(&r, TOTAL));
    type_str(&mut r, &total.to_string());
    key(&mut r, KeyCode::Enter);
    assert!(
        matches!(r.state.screen, Shell::Level(Screen::Finish { .. })),
        "{:?}",
        r.state.screen
    );
    key(&mut r, KeyCode::Enter);
    // Compared again: equal, no warnings: definitive.
    assert_eq!(r.state.ledger.status(station), Some(Status::Definitive));
    assert_eq!(
        r.state.ledger.stations[&station].result.as_ref(),
        Some(&anna)
    );
    // The correction: the decision, the PINs (two more after the restarts), two fields,
    // a cursor move, the save and the screen moves.
    let correction = seq(&r) - before_return;
    eprintln!(
        "{} fields on the form; a whole entry took {whole_entry} journal records, the correction {correction}",
        fields(&r).len()
    );
    assert!(
        correction * 5 < whole_entry,
        "{correction} vs {whole_entry}"
    );
    let r = restart(r, &paths);
    drop(r);
}

#[test]
fn returned_to_the_first_typist_and_still_different_the_coordinator_decides_again() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    let lists = juinen_lists(&r);
    let station = station_numbers(&r.state)[0];
    let right = paper(1, &lists);
    let mut wrong = right.clone();
    let cand: u64 = right[&CAND].parse().unwrap();
    wrong.insert(CAND, (cand + 1).to_string());
    wrong.insert(TOTAL, "0".into());
    full_entry(&mut r, 0, "Anna", &right);
    full_entry(&mut r, 0, "Bert", &wrong);
    select(&mut r, 0);
    as_coordinator(&mut r, 'c');
    decide(&mut r, '3', station);
    assert_eq!(
        r.state.ledger.stations[&station].returned,
        Some((Slot::First, vec![CAND, TOTAL]))
    );
    // Bert is not offered for the first entry.
    select(&mut r, 0);
    key(&mut r, KeyCode::Enter);
    let Shell::Pin(prompt) = &r.state.screen else {
        panic!("{:?}", r.state.screen);
    };
    assert!(
        prompt
            .choices(&r.state.ledger.people.registry)
            .iter()
            .all(|p| p.name.as_str() == "Anna")
    );
    sign_in(&mut r, "Anna");
    // Anna types the candidate again as on the paper but leaves the total empty.
    type_str(&mut r, &cand.to_string());
    key(&mut r, KeyCode::Enter);
    key(&mut r, KeyCode::Enter);
    key(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.ledger.status(station),
        Some(Status::EntriesDifferent)
    );
    assert_eq!(r.state.ledger.differences(station), vec![CAND, TOTAL]);
    let r = restart(r, &paths);
    drop(r);
}

#[test]
fn the_coordinator_reads_a_definitive_station_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    let lists = juinen_lists(&r);
    let station = station_numbers(&r.state)[0];
    let right = paper(1, &lists);
    full_entry(&mut r, 0, "Anna", &right);
    full_entry(&mut r, 0, "Bert", &right);
    assert_eq!(r.state.ledger.status(station), Some(Status::Definitive));
    let before = r.state.ledger.clone();
    select(&mut r, 0);
    as_coordinator(&mut r, 'c');
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Coordinator { .. })
    ));
    let top = shot("00_definitive", &r.state).join("\n");
    assert!(top.contains("Anna") && top.contains("Bert"), "{top}");
    // Every field is reachable by scrolling; the last one shows at the end.
    for _ in 0..20 {
        key(&mut r, KeyCode::PageDown);
    }
    let bottom = shot("01_definitive_end", &r.state).join("\n");
    let n = fields(&r).len();
    assert!(bottom.contains(&format!("van {n}")), "{bottom}");
    // The decision keys do nothing here.
    for c in ['1', '2', '3', '4', '0', 'a', 'r', 'd'] {
        key(&mut r, KeyCode::Char(c));
        assert!(matches!(
            r.state.screen,
            Shell::Level(Screen::Coordinator { .. })
        ));
    }
    type_str(&mut r, &station.to_string());
    key(&mut r, KeyCode::Enter);
    // A restart on this screen gives it back (behind a coordinator's PIN).
    let mut r = restart(r, &paths);
    key(&mut r, KeyCode::Esc);
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Overview { .. })
    ));
    let mut after = r.state.ledger.clone();
    after.place = before.place;
    assert_eq!(after.stations, before.stations);
    assert_eq!(after.history(station), before.history(station));
}
