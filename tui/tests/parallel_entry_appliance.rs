//! The entry appliance's terminal mode (issue 18), driven by keys on the demo terminal with
//! real signatures: two entry appliances (`GSB-entry` certificates `0042-E1` and `0042-E2`
//! of the demo root) and the coordinating GSB, each with its own data folder and its own
//! folder standing in for its stick; a medium is carried by copying its folder.
//!
//! Each entry appliance loads the Juinen definition (four polling stations), registers a
//! typist, is refused an unsigned, a forged, another body's, another kind's and an older
//! assignment and one of another body's content (nothing changes), reads the coordinator's
//! assignment (its `R 2` and `E`), types its stations by keys, and writes its signed batch
//! with `E` and a coordinator's PIN. A station typed on E1 and then assigned elsewhere (a
//! newer assignment) is listed as reassigned, cannot be opened and is not in the batch; when
//! it is assigned back, the next batch holds it again. A restart replays the same ledger.
//! The coordinating terminal imports both batches: every station definitive, and its 510b
//! and CSV equal a single appliance's count of the same papers. Snapshots of the entry
//! overview before and after the assignment and after a batch is written, Dutch and
//! English, at 80x24.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::parallel::*;
use common::*;
use crossterm::event::KeyCode;
use tally_core::entry::{FieldId, FieldValue};
use tally_core::people::PersonId;
use tally_ledger::batch::{ASSIGNMENT_FILE, BATCH_FILE, EntryAssignment, EntryBatch};
use tally_ledger::municipal::{Slot, Status, Tally};
use tally_ledger::persist::Ledger;
use tally_signing::{
    ContentKind, DirSource, KdfParams, Role, SignedMedium, Timestamp, VerifyOptions,
    encrypt_secret_key, verify_medium,
};
use tally_tui::app::Screen;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

#[path = "../../ledger/tests/support/paper.rs"]
mod support_paper;
use support_paper::{export_at_fixed_moment, ledger, paper, pending, typing};

const STATIONS: u32 = 4;

/// An entry appliance's data folder: the demo root, its `GSB-entry` certificate and its key
/// (the demo passphrase), before the demo would make a GSB's.
fn entry_keys(paths: &tally_demo::Paths, id: &str, seed: u8) {
    std::fs::create_dir_all(&paths.data_dir).unwrap();
    let (key, cert) = issue(Role::GsbEntry, id, seed);
    std::fs::write(
        &paths.root,
        tally_demo::demo_root().public_key().to_file_bytes(),
    )
    .unwrap();
    std::fs::write(&paths.certificate, cert.as_bytes()).unwrap();
    std::fs::write(
        &paths.key,
        encrypt_secret_key(&key, b"demo", KdfParams::FLOOR).unwrap(),
    )
    .unwrap();
}

/// An appliance's folders under `dir`, with the four-station definition on its stick.
fn appliance(dir: &Path, name: &str) -> tally_demo::Paths {
    let paths = paths(&dir.join(name));
    definition_with(&paths, STATIONS);
    paths
}

/// Starts an entry appliance: keys, passphrase, definition, first coordinator, `typist`.
fn start_entry_appliance(paths: &tally_demo::Paths, id: &str, seed: u8, typist: &str) -> Demo {
    entry_keys(paths, id, seed);
    let mut r = open(paths, Lang::Nl);
    assert_eq!(r.state.identity.role, "GSB-ENTRY");
    assert_eq!(r.state.identity.identifier, id);
    unlock(&mut r);
    load_definition(&mut r);
    register(&mut r, typist, false);
    r
}

fn overview(r: &Demo) -> usize {
    match &r.state.screen {
        Shell::Level(Screen::Overview { selected }) => *selected,
        other => panic!("not on the overview: {other:?} {:?}", r.state.note),
    }
}

/// Reads `folder` and expects a refusal under the list that says `words` (English), with
/// nothing changed or journaled; back to the overview.
fn refused(r: &mut Demo, folder: &str, words: &str) {
    let before = r.state.ledger.clone();
    let records = r.state.journal_head.unwrap().seq;
    choose_medium(r, folder);
    match &r.state.screen {
        Shell::Media(list) => {
            let why = list.error.as_ref().expect("a refusal").text(Lang::En);
            assert!(why.contains(words), "{folder}: {why}");
        }
        other => panic!("{folder}: not refused: {other:?} {:?}", r.state.note),
    }
    assert_eq!(r.state.ledger, before);
    assert_eq!(r.state.journal_head.unwrap().seq, records);
    key(r, KeyCode::Esc);
    overview(r);
}

/// The paper of station `s` as the typist reads it: each field's text.
fn paper_text(r: &Demo, s: u32) -> BTreeMap<FieldId, String> {
    let form = r.state.ledger.form().unwrap();
    paper(form, s, 0)
        .into_iter()
        .map(|(f, v)| {
            let text = match v {
                FieldValue::Count(c) => c.to_string(),
                FieldValue::Mark(true) => "x".into(),
                FieldValue::Mark(false) | FieldValue::Empty => String::new(),
            };
            (f, text)
        })
        .collect()
}

/// Types station `s` (at `index` on the overview) by keys as `typist` and saves it.
fn type_station(r: &mut Demo, index: usize, s: u32, typist: &str) {
    let p = paper_text(r, s);
    full_entry(r, index, typist, &p);
    assert_eq!(
        r.state.ledger.status(s),
        Some(Status::SecondEntryNotStarted)
    );
}

/// The folder a demo appliance's export of `kind` is written to.
fn export_folder(kind: ContentKind, signer: &str) -> String {
    format!("DEMO_{}", SignedMedium::folder_name(kind, ELECTION, signer))
}

/// Carries the medium `folder` from `from`'s stick to each of `to` (removed from `from`, as
/// a stick taken out; on `to` it replaces a folder of that name).
fn carry(from: &Path, folder: &str, to: &[&Path]) {
    for t in to {
        let _ = std::fs::remove_dir_all(t.join(folder));
        copy_dir(&from.join(folder), &t.join(folder));
    }
    std::fs::remove_dir_all(from.join(folder)).unwrap();
}

/// The verified batch in `dir/folder`, signed by `signer`.
fn verified_batch(dir: &Path, folder: &str, signer: &str) -> EntryBatch {
    let root = tally_demo::demo_root().public_key();
    let mut opts = VerifyOptions::new(&root, Timestamp::now());
    opts.expected_kind = Some(ContentKind::EntryBatch);
    opts.expected_election = Some(ELECTION);
    opts.expected_signer = Some(signer);
    let v = verify_medium(&DirSource::new(dir.join(folder)), &opts).unwrap();
    EntryBatch::from_bytes(&v.file(BATCH_FILE).unwrap().bytes).unwrap()
}

/// `E` and the coordinator's PIN: the batch written; its folder's path.
fn write_batch(r: &mut Demo) {
    as_coordinator(r, 'e');
    overview(r);
    let note = r.state.note.clone().expect("a note");
    assert!(!note.error, "{}", note.text(Lang::En));
    assert!(
        note.text(Lang::En).contains("Entry batch"),
        "{}",
        note.text(Lang::En)
    );
}

/// The coordinator's progress screen: selects station index `i` and assigns its entry
/// `slot` to entry appliance `n`.
fn assign_slot(c: &mut Demo, i: usize, slot: char, n: &str) {
    for _ in 0..5 {
        key(c, KeyCode::Up);
    }
    for _ in 0..i {
        key(c, KeyCode::Down);
    }
    key(c, KeyCode::Char(slot));
    type_str(c, n);
    key(c, KeyCode::Enter);
}

/// `E` on the progress screen: the assignment written; carried to both entry appliances.
fn write_assignment(c: &mut Demo, cmedia: &Path, to: &[&Path]) -> EntryAssignment {
    key(c, KeyCode::Char('e'));
    let note = c.state.note.clone().unwrap();
    assert!(!note.error, "{}", note.text(Lang::En));
    let folder = export_folder(ContentKind::EntryAssignment, "0042");
    let bytes = std::fs::read(cmedia.join(&folder).join(ASSIGNMENT_FILE)).unwrap();
    carry(cmedia, &folder, to);
    EntryAssignment::from_bytes(&bytes).unwrap()
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
    .filter(|f| f.name.ends_with(".eml.xml") || f.name.ends_with(".csv"))
    .map(|f| (f.name, f.bytes))
    .collect()
}

fn media_of(p: &tally_demo::Paths) -> PathBuf {
    p.media_dir.clone()
}

#[test]
fn two_entry_appliances_read_the_assignment_type_and_write_batches_the_coordinator_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (pc, p1, p2) = (
        appliance(dir.path(), "gsb"),
        appliance(dir.path(), "e1"),
        appliance(dir.path(), "e2"),
    );
    let (cm, m1, m2) = (media_of(&pc), media_of(&p1), media_of(&p2));

    // E1 starts: no assignment yet; the overview says so and tells the key.
    let mut e1 = start_entry_appliance(&p1, "0042-E1", 31, "Anna");
    overview(&e1);
    let text = screen_text(&e1.state);
    assert!(text.contains("Nog geen toewijzing ingelezen"), "{text}");
    assert!(text.contains("Druk I"), "{text}");
    snap_both(&mut e1, "entry_overview_no_assignment");
    // What is not the entry appliance's: said, nothing done.
    for (k, words) in [
        ('e', "No assignment read yet"),
        ('c', "coordinating GSB does that"),
        ('t', "coordinating GSB does that"),
        ('p', "coordinating GSB does that"),
    ] {
        let records = e1.state.journal_head.unwrap().seq;
        key(&mut e1, KeyCode::Char(k));
        overview(&e1);
        let note = e1.state.note.clone().expect("a note");
        assert!(
            note.error && note.text(Lang::En).contains(words),
            "{k}: {note:?}"
        );
        assert_eq!(e1.state.journal_head.unwrap().seq, records);
    }

    let mut e2 = start_entry_appliance(&p2, "0042-E2", 32, "Bert");

    // The coordinating GSB: R 2 over E1 and E2, E writes the signed assignment.
    let mut c = open(&pc, Lang::Nl);
    unlock(&mut c);
    load_definition(&mut c);
    key(&mut c, KeyCode::Char('p'));
    sign_in(&mut c, COORDINATOR);
    key(&mut c, KeyCode::Char('r'));
    type_str(&mut c, "2");
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.state.ledger.parallel.assigned.len(), 8);
    let a1 = write_assignment(&mut c, &cm, &[&m1, &m2]);
    let a1_folder = export_folder(ContentKind::EntryAssignment, "0042");
    // Station 4: first on E2, second on E1.
    assert_eq!(
        a1.of("0042-E1"),
        vec![
            (1, Slot::First),
            (2, Slot::Second),
            (3, Slot::First),
            (4, Slot::Second)
        ]
    );

    // Refused, nothing changed: unsigned, forged, another body's GSB, another kind, an
    // assignment of another body signed by this GSB, an older one.
    let a1_bytes = std::fs::read(m1.join(&a1_folder).join(ASSIGNMENT_FILE)).unwrap();
    std::fs::create_dir_all(m1.join("A_unsigned.tally")).unwrap();
    std::fs::write(m1.join("A_unsigned.tally").join(ASSIGNMENT_FILE), &a1_bytes).unwrap();
    refused(&mut e1, "A_unsigned.tally", "refused");
    copy_dir(&m1.join(&a1_folder), &m1.join("A_forged.tally"));
    let forged = String::from_utf8(a1_bytes.clone())
        .unwrap()
        .replacen("0042-E2", "0042-E1", 1);
    std::fs::write(m1.join("A_forged.tally").join(ASSIGNMENT_FILE), forged).unwrap();
    refused(&mut e1, "A_forged.tally", "refused");
    let mut other = a1.clone();
    other.body = "0043".into();
    sign(
        &m1,
        "A_other_gsb.tally",
        ContentKind::EntryAssignment,
        &issue(Role::Gsb, "0043", 43),
        vec![(ASSIGNMENT_FILE, other.to_bytes())],
    );
    refused(&mut e1, "A_other_gsb.tally", "refused");
    refused(
        &mut e1,
        &export_folder(ContentKind::ElectionDefinition, "DEMO-Kiesraad"),
        "refused",
    );
    let gsb = issue(Role::Gsb, "0042", 42);
    sign(
        &m1,
        "A_other_body.tally",
        ContentKind::EntryAssignment,
        &gsb,
        vec![(ASSIGNMENT_FILE, other.to_bytes())],
    );
    refused(
        &mut e1,
        "A_other_body.tally",
        "Assignment refused, nothing changed: the assignment is of municipality 0043, this is entry appliance 0042-E1",
    );

    // The coordinator's assignment: E1's four stations, each with its entry.
    choose_medium(&mut e1, &a1_folder);
    overview(&e1);
    assert_eq!(
        e1.state.note.as_ref().unwrap().text(Lang::En),
        "Assignment read: 4 polling stations for this entry appliance."
    );
    assert_eq!(
        e1.state.ledger.parallel.loaded.as_ref().unwrap().assignment,
        a1
    );
    snap_both(&mut e1, "entry_overview_assigned");
    // The same again: said, nothing journaled.
    let records = e1.state.journal_head.unwrap().seq;
    choose_medium(&mut e1, &a1_folder);
    assert_eq!(e1.state.journal_head.unwrap().seq, records);
    // One signed before it (by the same GSB): refused as older.
    sign_at(
        &m1,
        "A_older.tally",
        ContentKind::EntryAssignment,
        &gsb,
        vec![(ASSIGNMENT_FILE, a1_bytes.clone())],
        "2025-09-01T00:00:00Z",
    );
    // Times in Dutch local time: 00:00 UTC on 1 September is 02:00 summer time.
    refused(
        &mut e1,
        "A_older.tally",
        "signed at 01-09-2025 02:00:00, before the one read",
    );

    // F1: what the entry appliance does.
    for lang in [Lang::Nl, Lang::En] {
        if e1.state.lang != lang {
            key(&mut e1, KeyCode::F(2));
        }
        key(&mut e1, KeyCode::F(1));
        snapshot("entry_overview_help", lang, &screen_lines(&e1.state));
        key(&mut e1, KeyCode::F(1));
    }
    key(&mut e1, KeyCode::F(2));
    assert_eq!(e1.state.lang, Lang::Nl);
    // Station 2 is typed here as its second entry: the PIN prompt says so.
    select(&mut e1, 1);
    key(&mut e1, KeyCode::Enter);
    let text = screen_text(&e1.state);
    assert!(text.contains("de 2e invoer van stembureau 2"), "{text}");
    key(&mut e1, KeyCode::Esc);
    overview(&e1);

    // E1 types its four stations (its own first entries) by keys.
    for s in 1..=STATIONS {
        type_station(&mut e1, usize::try_from(s - 1).unwrap(), s, "Anna");
    }
    // A typed station cannot be opened again; no second entry here.
    select(&mut e1, 0);
    key(&mut e1, KeyCode::Enter);
    assert!(e1.state.note.as_ref().unwrap().error);
    overview(&e1);

    // E2 likewise, as Bert.
    choose_medium(&mut e2, &a1_folder);
    overview(&e2);
    for s in 1..=STATIONS {
        type_station(&mut e2, usize::try_from(s - 1).unwrap(), s, "Bert");
    }

    // The coordinator moves station 4's second entry (typed on E1 already) to E3: a newer
    // assignment. E1 lists it as reassigned, will not open it, and leaves it out of its
    // batch.
    assign_slot(&mut c, 3, '2', "3");
    assert_eq!(
        c.state.ledger.parallel.assigned[&(4, Slot::Second)],
        "0042-E3"
    );
    let a2 = write_assignment(&mut c, &cm, &[&m1]);
    choose_medium(&mut e1, &a1_folder);
    assert_eq!(
        e1.state.ledger.parallel.loaded.as_ref().unwrap().assignment,
        a2
    );
    let text = screen_text(&e1.state);
    assert!(
        text.contains("getypt          100%           1e invoer"),
        "{text}"
    );
    assert!(
        text.contains("Juinen 4                     niet meer hier  100%           nu E2, E3"),
        "{text}"
    );
    select(&mut e1, 3);
    key(&mut e1, KeyCode::Enter);
    overview(&e1);
    assert_eq!(
        e1.state.note.as_ref().unwrap().text(Lang::En),
        "Polling station 4 is not assigned to this entry appliance (it is to: 0042-E2, 0042-E3)."
    );
    snap_both(&mut e1, "entry_overview_reassigned");
    write_batch(&mut e1);
    let b1_folder = export_folder(ContentKind::EntryBatch, "0042-E1");
    let b1 = verified_batch(&m1, &b1_folder, "0042-E1");
    let stations: Vec<(u32, Slot)> = b1.entries.iter().map(|e| (e.station, e.slot)).collect();
    assert_eq!(
        stations,
        vec![(1, Slot::First), (2, Slot::Second), (3, Slot::First)]
    );
    assert_eq!(e1.state.ledger.parallel.written.len(), 1);
    // This batch goes nowhere: its stick is put away.
    carry(&m1, &b1_folder, &[&dir.path().join("shelf")]);

    // Assigned back to E1: the next batch holds station 4 again (cumulative).
    assign_slot(&mut c, 3, '2', "1");
    let a3 = write_assignment(&mut c, &cm, &[&m1]);
    choose_medium(&mut e1, &a1_folder);
    assert_eq!(
        e1.state.ledger.parallel.loaded.as_ref().unwrap().assignment,
        a3
    );
    assert!(!screen_text(&e1.state).contains("niet meer hier"));
    write_batch(&mut e1);
    snap_both(&mut e1, "entry_batch_written");
    let b1 = verified_batch(&m1, &b1_folder, "0042-E1");
    assert_eq!(b1.entries.len(), 4);
    assert!(b1.entries.iter().all(|e| e.typist.name.as_str() == "Anna"));
    write_batch(&mut e2);
    let b2_folder = export_folder(ContentKind::EntryBatch, "0042-E2");
    assert_eq!(verified_batch(&m2, &b2_folder, "0042-E2").entries.len(), 4);

    // A restart replays the same ledger on both.
    let before1 = e1.state.ledger.clone();
    let before2 = e2.state.ledger.clone();
    drop(e1);
    drop(e2);
    let mut e1 = open(&p1, Lang::Nl);
    unlock(&mut e1);
    assert_eq!(e1.state.ledger, before1);
    overview(&e1);
    let mut e2 = open(&p2, Lang::Nl);
    unlock(&mut e2);
    assert_eq!(e2.state.ledger, before2);
    drop((e1, e2));

    // The coordinating GSB imports both batches: every station definitive.
    carry(&m1, &b1_folder, &[&cm]);
    carry(&m2, &b2_folder, &[&cm]);
    for folder in [&b1_folder, &b2_folder] {
        key(&mut c, KeyCode::Char('i'));
        let index = match &c.state.screen {
            Shell::Media(list) => list.items.iter().position(|m| &m.folder == folder).unwrap(),
            other => panic!("{other:?}"),
        };
        for _ in 0..index {
            key(&mut c, KeyCode::Down);
        }
        key(&mut c, KeyCode::Enter);
        match &c.state.screen {
            Shell::Level(Screen::Batch(shown)) => {
                assert_eq!(shown.outcome.refused().count(), 0, "{shown:?}");
                assert_eq!(shown.outcome.entries.len(), 4);
            }
            other => panic!("{other:?} {:?}", c.state.note),
        }
        key(&mut c, KeyCode::Esc);
    }
    for s in 1..=STATIONS {
        assert_eq!(c.state.ledger.status(s), Some(Status::Definitive), "{s}");
    }

    // Equal to a single appliance's count of the same papers.
    let info = c.state.ledger.election.as_ref().unwrap().info.clone();
    let mut single = pending(&info);
    for r in &ledger(&info, &["Anna", "Bert"]) {
        Ledger::apply(&mut single, r, None).unwrap();
    }
    let form = single.form().unwrap().clone();
    for s in 1..=STATIONS {
        for (slot, person) in [(Slot::First, 2), (Slot::Second, 3)] {
            for r in &typing(&form, s, slot, PersonId(person), 0, 1_000) {
                Ledger::apply(&mut single, r, None).unwrap();
            }
        }
    }
    assert_eq!(export_files(&c.state.ledger), export_files(&single));
}
