//! The coordinating appliance's side of parallel entry (issue 18), driven by keys on the
//! demo terminal: a Juinen definition with 30 polling stations (signed by the demo root),
//! `P` and a coordinator's PIN to the progress screen, `R 3 Enter` assigns every station
//! over three entry appliances (a station with one entry assigned before gets the other
//! on another appliance), `2 3 Enter` moves one station's second entry, `E` writes
//! the signed assignment; three entry appliances (their own ledgers, `GSB-entry`
//! certificates of the demo root) type what the assignment gives them and sign their
//! batches; `I` imports them from the media folder, a forged batch is refused with
//! nothing changed, a restart in the middle gives the same ledger (the kept batch files
//! are read on replay), a batch imported twice is said, `O` writes the progress overview;
//! the municipal count equals a single appliance's count of the same papers. Snapshots of
//! the new screens in Dutch and English at 80x24.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;

use common::parallel::*;
use common::*;
use crossterm::event::KeyCode;
use tally_core::people::PersonId;
use tally_ledger::batch::{
    self, ASSIGNMENT_FILE, BATCH_FILE, EntryAssignment, EntryBatch, JournalHead,
};
use tally_ledger::form::ElectionInfo;
use tally_ledger::municipal::{Slot, Status, Tally};
use tally_ledger::persist::Ledger;
use tally_signing::{
    ContentKind, DirSource, SignedMedium, Timestamp, VerifyOptions, verify_medium,
};
use tally_tui::app::Screen;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

#[path = "../../ledger/tests/support/paper.rs"]
mod support_paper;
use support_paper::{export_at_fixed_moment, ledger, pending, typing};

const STATIONS: u32 = 30;

/// The definition medium with 30 stations.
fn definition_30(paths: &tally_demo::Paths) {
    definition_with(paths, STATIONS);
}

/// A ledger of `info` with its coordinator and `typists` registered (ids from 2).
fn tally_of(info: &ElectionInfo, typists: &[&str]) -> Tally {
    let mut tally = pending(info);
    for r in &ledger(info, typists) {
        Ledger::apply(&mut tally, r, None).unwrap();
    }
    tally
}

/// Types station `s`'s paper as entry `slot` by `person`.
fn type_paper(tally: &mut Tally, s: u32, slot: Slot, person: PersonId, at: i64) {
    let form = tally.form().unwrap().clone();
    for r in &typing(&form, s, slot, person, 0, at) {
        Ledger::apply(tally, r, None).unwrap();
    }
}

/// An entry appliance types every entry `assignment` gives it (each as its own first
/// entry, by `typist`) and signs its batch onto the media folder; the batch's folder.
fn entry_appliance(
    media: &Path,
    info: &ElectionInfo,
    assignment: &EntryAssignment,
    n: u8,
    typist: &str,
) -> (String, EntryBatch) {
    let id = format!("0042-E{n}");
    let mut tally = tally_of(info, &[typist]);
    for (i, (station, _)) in assignment.of(&id).into_iter().enumerate() {
        let at = 1_756_500_000_000 + i64::try_from(i).unwrap() * 1000 + i64::from(n) * 100_000;
        type_paper(&mut tally, station, Slot::First, PersonId(2), at);
    }
    let batch = batch::entry_batch(
        &tally,
        assignment,
        &id,
        JournalHead {
            records: 1,
            head: "0".repeat(64),
        },
        1_756_600_000_000,
    )
    .unwrap();
    assert_eq!(batch.entries.len(), assignment.of(&id).len());
    let folder = format!(
        "B{n}_{}",
        SignedMedium::folder_name(ContentKind::EntryBatch, ELECTION, &id)
    );
    sign(
        media,
        &folder,
        ContentKind::EntryBatch,
        &issue(tally_signing::Role::GsbEntry, &id, 20 + n),
        vec![(BATCH_FILE, batch.to_bytes())],
    );
    (folder, batch)
}

fn progress_screen(r: &Demo) -> tally_tui::parallel::Progress {
    match &r.state.screen {
        Shell::Level(Screen::Progress(p)) => p.clone(),
        other => panic!("not on the progress screen: {other:?} {:?}", r.state.note),
    }
}

/// The municipality's 510b and CSV from `tally`, at a fixed moment.
fn export_files(tally: &Tally) -> Vec<(String, Vec<u8>)> {
    export_at_fixed_moment(
        tally,
        tally_core::eml::definition::SourceFile::new(
            "eml230b_kandidatenlijsten-juinen.eml.xml",
            tally_demo::JUINEN_230B,
        ),
        true,
    )
    .into_iter()
    // The 510b and the CSV (the report names the typists, who differ).
    .filter(|f| f.name.ends_with(".eml.xml") || f.name.ends_with(".csv"))
    .map(|f| (f.name, f.bytes))
    .collect()
}

#[test]
fn the_coordinator_assigns_imports_and_counts_thirty_stations_from_three_appliances() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    definition_30(&paths);
    let media = paths.media_dir.clone();
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    let info = r.state.ledger.election.as_ref().unwrap().info.clone();
    assert_eq!(info.stations.len(), 30);

    // P and the coordinator's PIN: the progress screen, nothing assigned.
    key(&mut r, KeyCode::Char('p'));
    sign_in(&mut r, COORDINATOR);
    progress_screen(&r);
    snap_both(&mut r, "progress_empty");
    // F1 lists the keys.
    for (lang, words) in [(Lang::Nl, "R verdeelt"), (Lang::En, "R assigns")] {
        if r.state.lang != lang {
            key(&mut r, KeyCode::F(2));
        }
        key(&mut r, KeyCode::F(1));
        let help = screen_text(&r.state);
        assert!(help.contains(words), "{help}");
        snapshot("progress_help", lang, &screen_lines(&r.state));
        // Longer than the screen: it says which rows show, and PgDn shows the keys.
        assert!(
            help.contains(if lang == Lang::Nl {
                "regels 1-"
            } else {
                "rows 1-"
            }),
            "{help}"
        );
        key(&mut r, KeyCode::PageDown);
        let rest = screen_text(&r.state);
        assert!(
            rest.contains(if lang == Lang::Nl {
                "R verdeel"
            } else {
                "R assign"
            }),
            "{rest}"
        );
        snapshot("progress_help_end", lang, &screen_lines(&r.state));
        key(&mut r, KeyCode::F(1));
    }
    key(&mut r, KeyCode::F(2));
    assert_eq!(r.state.lang, Lang::Nl);

    // Station 1's second entry to E1 first; R then gives its first to another appliance.
    key(&mut r, KeyCode::Char('2'));
    type_str(&mut r, "1");
    key(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.ledger.parallel.assigned[&(1, Slot::Second)],
        "0042-E1"
    );
    // R 1: refused (first and second on different appliances); R 3: every station.
    key(&mut r, KeyCode::Char('r'));
    type_str(&mut r, "1");
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.state.ledger.parallel.assigned.len(), 1);
    assert!(r.state.note.as_ref().unwrap().error);
    key(&mut r, KeyCode::Char('r'));
    type_str(&mut r, "3");
    snap_both(&mut r, "progress_round_robin_prompt");
    key(&mut r, KeyCode::Enter);
    let assigned = &r.state.ledger.parallel.assigned;
    assert_eq!(assigned.len(), 60, "{:?}", r.state.note);
    // Said: 59 entries (station 1's second was assigned before).
    assert_eq!(
        r.state.note.as_ref().unwrap().text(Lang::Nl),
        "Invoeren toegewezen: 59."
    );
    for s in 1..=STATIONS {
        assert_ne!(assigned[&(s, Slot::First)], assigned[&(s, Slot::Second)]);
    }
    assert_eq!(assigned[&(1, Slot::First)], "0042-E2");
    assert_eq!(assigned[&(1, Slot::Second)], "0042-E1");
    assert_eq!(assigned[&(2, Slot::First)], "0042-E2");
    assert_eq!(assigned[&(2, Slot::Second)], "0042-E3");
    assert_eq!(assigned[&(7, Slot::Second)], "0042-E2");
    // R again: nothing left to assign, nothing journaled.
    let records = r.state.journal_head.unwrap().seq;
    key(&mut r, KeyCode::Char('r'));
    type_str(&mut r, "3");
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.state.journal_head.unwrap().seq, records);

    // Station 7's second entry to E3; to E1 (its first's) is refused.
    for _ in 0..6 {
        key(&mut r, KeyCode::Down);
    }
    key(&mut r, KeyCode::Char('2'));
    type_str(&mut r, "1");
    key(&mut r, KeyCode::Enter);
    assert!(r.state.note.as_ref().unwrap().error);
    assert_eq!(
        r.state.ledger.parallel.assigned[&(7, Slot::Second)],
        "0042-E2"
    );
    key(&mut r, KeyCode::Char('2'));
    type_str(&mut r, "3");
    key(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.ledger.parallel.assigned[&(7, Slot::Second)],
        "0042-E3"
    );
    snap_both(&mut r, "progress_assigned");

    // E: the signed assignment on the stick, verified as the entry appliances will.
    key(&mut r, KeyCode::Char('e'));
    let note = r.state.note.clone().unwrap();
    assert!(!note.error, "{}", note.text(Lang::En));
    let folder = media.join(format!(
        "DEMO_{}",
        SignedMedium::folder_name(ContentKind::EntryAssignment, ELECTION, "0042")
    ));
    let root = tally_demo::demo_root().public_key();
    let mut opts = VerifyOptions::new(&root, Timestamp::now());
    opts.expected_kind = Some(ContentKind::EntryAssignment);
    opts.expected_election = Some(ELECTION);
    let verified = verify_medium(&DirSource::new(&folder), &opts).unwrap();
    assert_eq!(verified.signer().identifier(), "0042");
    let assignment =
        EntryAssignment::from_bytes(&verified.file(ASSIGNMENT_FILE).unwrap().bytes).unwrap();
    assert_eq!(
        Some(&assignment),
        batch::assignment(&r.state.ledger).as_ref()
    );

    // Three entry appliances type what they were given and sign their batches.
    let typists = ["Anna", "Bert", "Cees"];
    let batches: Vec<(String, EntryBatch)> = (1..=3u8)
        .map(|n| entry_appliance(&media, &info, &assignment, n, typists[usize::from(n - 1)]))
        .collect();
    // A forged copy of E1's batch: one number changed after signing.
    let forged = "F1_forged.tally";
    copy_dir(&media.join(&batches[0].0), &media.join(forged));
    let file = media.join(forged).join(BATCH_FILE);
    let text = std::fs::read_to_string(&file).unwrap();
    // Station 1's blank votes, 1 on the paper, made 2.
    let changed = text.replacen("[\"F\",{\"count\":1}]", "[\"F\",{\"count\":2}]", 1);
    assert!(text != changed, "the batch has blank votes of 1 to change");
    std::fs::write(&file, changed).unwrap();

    // E2's batch first: its first entries placed, its second entries held (their first
    // entries are on E1 and E3, not in yet).
    choose_medium(&mut r, &batches[1].0);
    let shown = match &r.state.screen {
        Shell::Level(Screen::Batch(shown)) => shown.clone(),
        other => panic!("{other:?} {:?}", r.state.note),
    };
    let of_e2 = assignment.of("0042-E2");
    let seconds = of_e2.iter().filter(|(_, s)| *s == Slot::Second).count();
    assert_eq!(shown.outcome.entries.len(), of_e2.len());
    assert_eq!(shown.outcome.refused().count(), 0, "{shown:?}");
    assert_eq!(
        shown
            .outcome
            .count(|o| matches!(o, batch::EntryOutcome::Held)),
        seconds
    );
    assert_eq!(
        shown
            .outcome
            .count(|o| matches!(o, batch::EntryOutcome::Placed)),
        of_e2.len() - seconds
    );
    snap_both(&mut r, "batch_outcome");
    key(&mut r, KeyCode::Esc);
    progress_screen(&r);

    // The forged batch: refused by the signature, nothing changed or journaled.
    let before = r.state.ledger.clone();
    let records = r.state.journal_head.unwrap().seq;
    choose_medium(&mut r, forged);
    match &r.state.screen {
        Shell::Media(list) => {
            let why = list.error.as_ref().expect("a refusal").text(Lang::En);
            assert!(why.contains("refused"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    snap_both(&mut r, "forged_refused");
    assert_eq!(r.state.ledger, before);
    assert_eq!(r.state.journal_head.unwrap().seq, records);
    // Esc on the batch media list goes back where `I` was pressed: the progress screen.
    key(&mut r, KeyCode::Esc);
    progress_screen(&r);

    // A restart in the middle: the same ledger (the kept batch file read on replay).
    drop(r);
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    assert_eq!(r.state.ledger, before);
    key(&mut r, KeyCode::Char('p'));
    sign_in(&mut r, COORDINATOR);
    // Off after the restart; A switches "both entries from one appliance" on (said, and
    // shown above the list while on) and off again.
    assert!(!progress_screen(&r).same_appliance);
    key(&mut r, KeyCode::Char('a'));
    assert!(progress_screen(&r).same_appliance);
    let text = screen_text(&r.state);
    assert!(
        text.contains("beide invoeren van een apparaat toegestaan"),
        "{text}"
    );
    key(&mut r, KeyCode::Char('a'));
    assert!(!progress_screen(&r).same_appliance);
    assert!(!screen_text(&r.state).contains("toegestaan (A zet uit)"));

    // E1 and E3: every station placed and compared; E1 again: said, nothing changed.
    choose_medium(&mut r, &batches[0].0);
    key(&mut r, KeyCode::Esc);
    choose_medium(&mut r, &batches[2].0);
    match &r.state.screen {
        Shell::Level(Screen::Batch(shown)) => {
            assert_eq!(shown.outcome.refused().count(), 0, "{shown:?}");
        }
        other => panic!("{other:?} {:?}", r.state.note),
    }
    key(&mut r, KeyCode::Esc);
    let records = r.state.journal_head.unwrap().seq;
    choose_medium(&mut r, &batches[0].0);
    match &r.state.screen {
        Shell::Level(Screen::Batch(shown)) => assert!(shown.already),
        other => panic!("{other:?} {:?}", r.state.note),
    }
    assert_eq!(r.state.journal_head.unwrap().seq, records);
    snap_both(&mut r, "batch_already");
    key(&mut r, KeyCode::Esc);

    // E1's batch exported again later (cumulative): every entry in already, nothing changed.
    let mut again = batches[0].1.clone();
    again.exported_at += 60_000;
    let e1 = issue(tally_signing::Role::GsbEntry, "0042-E1", 21);
    sign(
        &media,
        "B1b_again.tally",
        ContentKind::EntryBatch,
        &e1,
        vec![(BATCH_FILE, again.to_bytes())],
    );
    let before = r.state.ledger.status(1);
    choose_medium(&mut r, "B1b_again.tally");
    match &r.state.screen {
        Shell::Level(Screen::Batch(shown)) => {
            assert!(!shown.already);
            let n = shown.outcome.entries.len();
            assert_eq!(
                shown
                    .outcome
                    .count(|o| matches!(o, batch::EntryOutcome::Reconciled)),
                n
            );
        }
        other => panic!("{other:?} {:?}", r.state.note),
    }
    assert_eq!(r.state.ledger.status(1), before);
    key(&mut r, KeyCode::Esc);
    // A fourth appliance, assigned nothing, sends E1's entries as its own: each refused,
    // naming the appliance it is assigned to; nothing placed.
    let mut stray = batches[0].1.clone();
    stray.appliance = "0042-E4".into();
    sign(
        &media,
        "B4_stray.tally",
        ContentKind::EntryBatch,
        &issue(tally_signing::Role::GsbEntry, "0042-E4", 24),
        vec![(BATCH_FILE, stray.to_bytes())],
    );
    choose_medium(&mut r, "B4_stray.tally");
    match &r.state.screen {
        Shell::Level(Screen::Batch(shown)) => {
            assert_eq!(shown.outcome.refused().count(), shown.outcome.entries.len());
            let text = screen_text(&r.state);
            assert!(
                text.contains("GEWEIGERD: toegewezen aan 0042-E1, niet aan dit invoerapparaat"),
                "{text}"
            );
        }
        other => panic!("{other:?} {:?}", r.state.note),
    }
    snap_both(&mut r, "batch_refused");
    // PgDn scrolls the entries.
    key(&mut r, KeyCode::PageDown);
    match &r.state.screen {
        Shell::Level(Screen::Batch(shown)) => assert_eq!(shown.scroll, 10),
        other => panic!("{other:?}"),
    }
    key(&mut r, KeyCode::Esc);
    for s in 1..=STATIONS {
        assert_eq!(r.state.ledger.status(s), Some(Status::Definitive), "{s}");
    }
    snap_both(&mut r, "progress_definitive");

    // O: the progress overview, a signed PDF.
    key(&mut r, KeyCode::Char('o'));
    let note = r.state.note.clone().unwrap();
    assert!(!note.error, "{}", note.text(Lang::En));
    let folder = media.join(format!(
        "DEMO_{}",
        SignedMedium::folder_name(ContentKind::ProgressOverview, ELECTION, "0042")
    ));
    let mut opts = VerifyOptions::new(&root, Timestamp::now());
    opts.expected_kind = Some(ContentKind::ProgressOverview);
    let verified = verify_medium(&DirSource::new(&folder), &opts).unwrap();
    let pdf = verified.file("DEMO_Voortgangsoverzicht.pdf").unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF"));

    // The count equals a single appliance's count of the same papers.
    let mut single = tally_of(&info, &["Anna", "Bert"]);
    for s in 1..=STATIONS {
        type_paper(&mut single, s, Slot::First, PersonId(2), 1_000);
        type_paper(&mut single, s, Slot::Second, PersonId(3), 2_000);
    }
    assert_eq!(export_files(&r.state.ledger), export_files(&single));

    // And the terminal exports it as always: Esc, T, E and the coordinator's PIN.
    key(&mut r, KeyCode::Esc);
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Overview { .. })
    ));
    key(&mut r, KeyCode::Char('t'));
    as_coordinator(&mut r, 'e');
    assert!(r.state.ledger.exported.is_some(), "{:?}", r.state.note);
}

/// Return for correction of an imported entry (issue 18): the coordinator returns the
/// differing fields to the typist of an entry typed on an entry appliance; that typist
/// corrects them on the coordinating appliance, registered there under the same name (the
/// core knows an imported entry's typist by name), and nobody else is offered. The station
/// becomes definitive and the count equals a single appliance's; E2's later batch, still
/// holding the entry as it was placed, changes nothing.
#[test]
fn a_returned_imported_entry_is_corrected_by_its_typist_on_the_coordinating_appliance() {
    use tally_core::entry::{EntryCount, FieldId, FieldValue};
    use tally_core::ids::{CandidatePosition, ListNumber};
    const CAND: FieldId = FieldId::CandidateVotes(ListNumber(1), CandidatePosition(1));
    const TOTAL: FieldId = FieldId::ListTotal(ListNumber(1));

    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    definition_30(&paths);
    let media = paths.media_dir.clone();
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    let info = r.state.ledger.election.as_ref().unwrap().info.clone();
    key(&mut r, KeyCode::Char('p'));
    sign_in(&mut r, COORDINATOR);
    key(&mut r, KeyCode::Char('r'));
    type_str(&mut r, "2");
    key(&mut r, KeyCode::Enter);
    let assignment = batch::assignment(&r.state.ledger).unwrap();
    let (b1, _) = entry_appliance(&media, &info, &assignment, 1, "Anna");
    let (_, mut e2) = entry_appliance(&media, &info, &assignment, 2, "Bert");
    // Bert misread candidate 1 of list 1 and the list's total of one second entry.
    let i = e2
        .entries
        .iter()
        .position(|e| e.slot == Slot::Second)
        .unwrap();
    let station = e2.entries[i].station;
    let mut right = (0, 0);
    for (field, value) in &mut e2.entries[i].fields {
        if let (f @ (CAND | TOTAL), FieldValue::Count(n)) = (*field, *value) {
            let n = n.get();
            if f == CAND {
                right.0 = n;
            } else {
                right.1 = n;
            }
            *value = FieldValue::Count(EntryCount::new(n + 10).unwrap());
        }
    }
    let wrong_folder = format!(
        "B2w_{}",
        SignedMedium::folder_name(ContentKind::EntryBatch, ELECTION, "0042-E2")
    );
    sign(
        &media,
        &wrong_folder,
        ContentKind::EntryBatch,
        &issue(tally_signing::Role::GsbEntry, "0042-E2", 22),
        vec![(BATCH_FILE, e2.to_bytes())],
    );
    choose_medium(&mut r, &b1);
    key(&mut r, KeyCode::Esc);
    choose_medium(&mut r, &wrong_folder);
    key(&mut r, KeyCode::Esc);
    assert_eq!(
        r.state.ledger.status(station),
        Some(Status::EntriesDifferent)
    );
    assert_eq!(r.state.ledger.differences(station), vec![CAND, TOTAL]);

    // The coordinator returns the two fields to the second entry's typist, Bert of E2.
    key(&mut r, KeyCode::Esc);
    let index = usize::try_from(station - 1).unwrap();
    select(&mut r, index);
    as_coordinator(&mut r, 'c');
    key(&mut r, KeyCode::Char('4'));
    type_str(&mut r, &station.to_string());
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.state.ledger.status(station), Some(Status::FieldsReturned));

    // Bert is not registered here yet: said, with what to do.
    select(&mut r, index);
    key(&mut r, KeyCode::Enter);
    let note = r.state.note.clone().unwrap();
    assert!(note.error);
    assert_eq!(
        note.text(Lang::Nl),
        "Deze invoer is van Bert, getypt op een invoerapparaat. Registreer Bert op dit apparaat (F9) om verder te typen."
    );
    // Registered here too, he alone is offered, and retypes the two fields.
    register(&mut r, "Anna", false);
    register(&mut r, "Bert", false);
    select(&mut r, index);
    key(&mut r, KeyCode::Enter);
    let Shell::Pin(prompt) = &r.state.screen else {
        panic!("{:?} {:?}", r.state.screen, r.state.note);
    };
    let offered: Vec<String> = prompt
        .choices(&r.state.ledger.people.registry)
        .iter()
        .map(|p| p.name.as_str().to_owned())
        .collect();
    assert_eq!(offered, vec!["Bert".to_owned()]);
    sign_in(&mut r, "Bert");
    assert!(
        matches!(
            r.state.screen,
            Shell::Level(Screen::Entry {
                slot: Slot::Second,
                ..
            })
        ),
        "{:?} {:?}",
        r.state.screen,
        r.state.note
    );
    type_str(&mut r, &right.0.to_string());
    key(&mut r, KeyCode::Enter);
    type_str(&mut r, &right.1.to_string());
    key(&mut r, KeyCode::Enter);
    assert!(
        matches!(r.state.screen, Shell::Level(Screen::Finish { .. })),
        "{:?} {:?}",
        r.state.screen,
        r.state.note
    );
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.state.ledger.status(station), Some(Status::Definitive));

    // E2's batch exported again later, the entry as it was placed: nothing changes.
    e2.exported_at += 60_000;
    sign(
        &media,
        "B2x_again.tally",
        ContentKind::EntryBatch,
        &issue(tally_signing::Role::GsbEntry, "0042-E2", 22),
        vec![(BATCH_FILE, e2.to_bytes())],
    );
    key(&mut r, KeyCode::Char('p'));
    sign_in(&mut r, COORDINATOR);
    choose_medium(&mut r, "B2x_again.tally");
    assert!(
        matches!(&r.state.screen, Shell::Level(Screen::Batch(shown)) if shown.outcome.refused().count() == 0),
        "{:?}",
        r.state.screen
    );
    assert_eq!(r.state.ledger.status(station), Some(Status::Definitive));
    for s in 1..=STATIONS {
        assert_eq!(r.state.ledger.status(s), Some(Status::Definitive), "{s}");
    }
    let mut single = tally_of(&info, &["Anna", "Bert"]);
    for s in 1..=STATIONS {
        type_paper(&mut single, s, Slot::First, PersonId(2), 1_000);
        type_paper(&mut single, s, Slot::Second, PersonId(3), 2_000);
    }
    assert_eq!(export_files(&r.state.ledger), export_files(&single));
}
