//! The whole flow without a terminal: scripted keys drive a full count of the Juinen test
//! election (three stations, double entry, one difference resolved by the coordinator,
//! export), and the exported signed 510b verifies and has the expected totals.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use crossterm::event::KeyCode;
use tally_core::entry::FieldId;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_demo::demo_root;
use tally_ledger::municipal::Status;
use tally_signing::{ContentKind, DirSource, Timestamp, VerifyOptions, verify_medium};
use tally_tui::app::Screen;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

#[test]
fn full_juinen_count_with_one_difference_and_a_verified_export() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);

    // A wrong passphrase is refused, in Dutch.
    type_str(&mut r, "fout");
    key(&mut r, KeyCode::Enter);
    match &r.state.unlock_error {
        Some(e) => {
            assert_eq!(
                e.text(Lang::Nl),
                "Ontgrendelen geweigerd: de wachtwoordzin is onjuist"
            );
            // One language, said once (it read "Unlock refused: Unlock refused: de
            // wachtwoordzin is onjuist" in English).
            assert_eq!(e.text(Lang::En), "Unlock refused: the passphrase is wrong");
            let screen = screen_text(&r.state);
            assert_eq!(
                screen.matches("Ontgrendelen geweigerd").count(),
                1,
                "{screen}"
            );
        }
        other => panic!("{other:?}"),
    }
    unlock(&mut r);

    // A wrong hash-code group is refused and nothing is loaded.
    key(&mut r, KeyCode::Enter);
    for _ in 0..4 {
        type_str(&mut r, "0000");
        key(&mut r, KeyCode::Enter);
    }
    assert!(matches!(
        r.state.screen,
        Shell::Definition { ref groups, .. } if groups.mismatch.is_some()
    ));
    assert!(r.state.ledger.election.is_none());
    key(&mut r, KeyCode::Esc);
    load_definition(&mut r);

    let e = &r.state.ledger.election.as_ref().unwrap().info;
    assert_eq!(e.id.0, "GR2025_Juinen");
    assert_eq!(e.stations.len(), 3);
    assert_eq!(e.lists.len(), 4);
    assert_eq!(e.candidate_count(), 94);
    let lists = juinen_lists(&r);

    // Station 1: two typists, equal entries.
    let p = paper(1, &lists);
    full_entry(&mut r, 0, "Anna", &p);
    assert_eq!(
        r.state.ledger.status(1),
        Some(Status::SecondEntryNotStarted)
    );
    full_entry(&mut r, 0, "Bert", &p);
    assert_eq!(r.state.ledger.status(1), Some(Status::Definitive));

    // Station 3: 40 blank votes (W.201). Both typists save without acknowledging the
    // warning; the agreed result waits for the coordinator.
    let p3 = paper_with_blank(3, &lists, 40);
    full_entry(&mut r, 2, "Anna", &p3);
    assert_eq!(
        r.state.ledger.status(3),
        Some(Status::SecondEntryNotStarted)
    );
    full_entry(&mut r, 2, "Bert", &p3);
    assert_eq!(
        r.state.ledger.status(3),
        Some(Status::WarningsToAcknowledge)
    );
    // Not open for a typist.
    select(&mut r, 2);
    key(&mut r, KeyCode::Enter);
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Overview { .. })
    ));
    assert!(r.state.note.as_ref().is_some_and(|n| n.error));
    // The coordinator sees W.201 and acknowledges it: definitive, with who and when.
    as_coordinator(&mut r, 'c');
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Coordinator {
            station: 3,
            scroll: 0
        })
    );
    let (other, warnings) = r.state.ledger.warnings_to_acknowledge(3).unwrap();
    assert_eq!(other, "Bert");
    assert_eq!(
        warnings.iter().map(|w| w.code.as_str()).collect::<Vec<_>>(),
        vec!["W.201"]
    );
    // A name typed blind on the coordinator's screen decides nothing: "a" only asks for the
    // confirmation, which wants the station's number (#14's "Carla").
    type_str(&mut r, "Carla");
    key(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.ledger.status(3),
        Some(Status::WarningsToAcknowledge)
    );
    key(&mut r, KeyCode::Esc);
    decide(&mut r, 'a', 3);
    assert_eq!(r.state.ledger.status(3), Some(Status::Definitive));
    let (who, at) = r.state.ledger.acknowledgement(3).unwrap();
    assert_eq!(who, COORDINATOR);
    assert!(at > 1_700_000_000_000, "{at}");

    // Station 2: the second typist must be someone else, and mistypes one candidate.
    let p = paper(2, &lists);
    full_entry(&mut r, 1, "Anna", &p);
    // The PIN prompt of the second entry does not offer the first typist.
    select(&mut r, 1);
    key(&mut r, KeyCode::Enter);
    match &r.state.screen {
        Shell::Pin(prompt) => {
            let names: Vec<String> = prompt
                .choices(&r.state.ledger.people.registry)
                .iter()
                .map(|p| p.name.as_str().to_owned())
                .collect();
            assert!(
                !names.contains(&"Anna".to_owned()) && names.contains(&"Bert".to_owned()),
                "{names:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    key(&mut r, KeyCode::Esc);
    let mut wrong = p.clone();
    let f = FieldId::CandidateVotes(ListNumber(1), CandidatePosition(3));
    wrong.insert(f, (votes(2, 1, 3) + 1).to_string());
    full_entry(&mut r, 1, "Bert", &wrong);
    assert_eq!(r.state.ledger.status(2), Some(Status::EntriesDifferent));

    // Not yet all definitive: no export.
    key(&mut r, KeyCode::Char('t'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Total));
    as_coordinator(&mut r, 'e');
    assert!(r.state.ledger.exported.is_none());
    key(&mut r, KeyCode::Esc);

    // The coordinator sees the one differing field and keeps the first entry.
    select(&mut r, 1);
    as_coordinator(&mut r, 'c');
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Coordinator {
            station: 2,
            scroll: 0
        })
    );
    let data = &r.state.ledger.stations[&2];
    let form = r.state.ledger.form().unwrap();
    let diffs = data
        .first
        .as_ref()
        .unwrap()
        .values
        .differences(&data.second.as_ref().unwrap().values, &form.shape);
    assert_eq!(diffs, vec![f]);
    // The mistyped second entry has an error (F.402): it cannot be kept.
    key(&mut r, KeyCode::Char('2'));
    assert_eq!(r.state.ledger.status(2), Some(Status::EntriesDifferent));
    assert!(
        r.state
            .note
            .as_ref()
            .is_some_and(|n| n.error && n.text(Lang::Nl).contains("fouten"))
    );
    decide(&mut r, '1', 2);
    assert_eq!(r.state.ledger.status(2), Some(Status::Definitive));
    assert!(r.state.ledger.all_definitive());

    // An export that fails (the stick's temporary name is taken by a file) says so in
    // Dutch and writes nothing; the data stays, and the export can be repeated.
    let blocker = paths
        .media_dir
        .join(".DEMO_GR2025_Juinen_0042_results-510b.tally.tmp");
    std::fs::write(&blocker, b"in de weg").unwrap();
    key(&mut r, KeyCode::Char('t'));
    as_coordinator(&mut r, 'e');
    assert!(r.state.ledger.exported.is_none());
    let notice = r.state.note.clone().expect("a notice");
    assert!(notice.error);
    assert!(
        notice.text(Lang::Nl).starts_with("Exporteren mislukt: ")
            && notice.text(Lang::Nl).matches("Exporteren mislukt").count() == 1
            && notice
                .text(Lang::Nl)
                .contains("De gegevens blijven op dit apparaat")
            && notice
                .text(Lang::Nl)
                .contains("De stick is niet gewijzigd."),
        "{}",
        notice.text(Lang::Nl)
    );
    assert!(
        !paths
            .media_dir
            .join("DEMO_GR2025_Juinen_0042_results-510b.tally")
            .exists()
    );
    assert!(r.state.ledger.all_definitive());
    std::fs::remove_file(&blocker).unwrap();

    // Export.
    let head = r.state.journal_head.expect("the journal's head");
    as_coordinator(&mut r, 'e');
    let (path, sha) = r.state.ledger.exported.clone().expect("exported");
    assert!(
        path.contains("DEMO_GR2025_Juinen_0042_results-510b"),
        "{path}"
    );

    // The medium verifies against the demo root, as a 510b signed by GSB 0042.
    let root = demo_root().public_key();
    let mut opts = VerifyOptions::new(&root, Timestamp::now());
    opts.expected_kind = Some(ContentKind::Results510b);
    opts.expected_election = Some("GR2025_Juinen");
    opts.expected_signer = Some("0042");
    let verified = verify_medium(&DirSource::new(&path), &opts).unwrap();
    // The 510b, its report (PDF, see usb_export.rs), its osv4-3 CSV and the audit log as of
    // the export (docs/audit.md), all signed.
    assert_eq!(verified.files.len(), 4, "{:?}", verified.files);
    let audit = verified
        .files
        .iter()
        .find(|f| f.name == "audit.jsonl")
        .unwrap();
    let checked = tally_core::audit::check(&audit.bytes, None);
    assert!(checked.broken.is_empty(), "{:?}", checked.broken);
    // The decisions name the coordinator by name, with their kind.
    let decided: Vec<(&str, &str)> = checked
        .lines
        .iter()
        .filter_map(|l| Some((l.text("act")?.strip_prefix("decided:")?, l.text("person")?)))
        .collect();
    assert!(
        decided.contains(&("acknowledge_warnings", COORDINATOR)),
        "{decided:?}"
    );
    assert!(
        decided.contains(&("keep_first", COORDINATOR)),
        "{decided:?}"
    );
    assert_eq!(checked.lines.last().unwrap().text("act"), Some("verified"));
    // The report prints the journal's records and full head as they were at the export (the
    // overview shows the same): the paper binds the session.
    let pdf = verified
        .files
        .iter()
        .find(|f| f.name.ends_with(".pdf"))
        .unwrap();
    let pdf_path = dir.path().join("report.pdf");
    std::fs::write(&pdf_path, &pdf.bytes).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf_path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let mark = format!(
        "Journaal: {} records, kop {}",
        head.seq,
        tally_core::hashcode::Sha256Digest(head.hash).hash_code()
    );
    assert!(text.contains(&mark), "{mark} not in {text}");
    // The coordinator's decisions, with who: the acknowledged warning by its code, the kept
    // first entry (#16: the Na 31-2 listed none of these).
    let layout = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf_path)
        .arg("-")
        .output()
        .unwrap();
    let layout = String::from_utf8(layout.stdout).unwrap();
    let flat = layout.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Besluiten van de coördinator",
        &format!("waarschuwingen geaccepteerd (W.201) {COORDINATOR}"),
        &format!("eerste invoer bewaard {COORDINATOR}"),
    ] {
        assert!(flat.contains(expected), "{expected:?} not in {layout}");
    }
    let file = &verified.files[0];
    let csv = verified
        .files
        .iter()
        .find(|f| f.name.ends_with(".csv"))
        .expect("the CSV");
    let expected = tally_core::eml::csv::osv4_3_csv(
        &tally_core::eml::definition::SourceFile::new(&file.name, &file.bytes),
        &[tally_core::eml::definition::SourceFile::new(
            "230b.xml",
            tally_demo::JUINEN_230B,
        )],
    )
    .unwrap();
    assert_eq!(csv.name, format!("DEMO_{}", expected.file_name));
    assert_eq!(csv.bytes, expected.bytes);
    assert!(
        file.name
            .starts_with("DEMO_Telling_GR2025_Juinen_gemeente_Juinen"),
        "{}",
        file.name
    );
    assert_eq!(hex::encode(file.sha256), sha);

    // A second stick (the first taken out): E writes the same signed bytes again, so both
    // sticks carry the same 510b and hash code as the printed report.
    let read_all = |dir: &std::path::Path| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let first_stick = dir.path().join("first-stick");
    std::fs::rename(&path, &first_stick).unwrap();
    assert!(screen_text(&r.state).contains("E nog een stick"));
    as_coordinator(&mut r, 'e');
    let (again, sha_again) = r.state.ledger.exported.clone().expect("exported again");
    assert_eq!(again, path);
    assert_eq!(sha_again, sha);
    assert_eq!(
        read_all(std::path::Path::new(&again)),
        read_all(&first_stick)
    );

    // The export went through tally-media and is in the audit log: the 510b written (with
    // its hash) and the export done, after the definition was read and verified.
    let audit = std::fs::read_to_string(paths.data_dir.join("audit.jsonl")).unwrap();
    let events: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let has = |kind: &str, check: &dyn Fn(&serde_json::Value) -> bool| {
        events.iter().any(|e| e["kind"] == kind && check(e))
    };
    assert!(
        has("verified", &|e| e["detail"]
            .as_str()
            .unwrap()
            .contains("election-definition")),
        "{audit}"
    );
    assert!(has("written", &|e| e["sha256"] == sha.as_str()), "{audit}");
    assert!(has("export_failed", &|_| true), "{audit}");
    assert!(
        has("export_done", &|e| e["detail"]
            .as_str()
            .unwrap()
            .starts_with("DEMO_GR2025_Juinen_0042_results-510b.tally")),
        "{audit}"
    );
    assert!(verified.signer().name().starts_with("DEMO"));

    // The 510b is valid against the EML_NL schema.
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/xsd/EML_NL-v1.2.2/510-count-kiesraad-strict.xsd");
    let eml = dir.path().join("510b.eml.xml");
    std::fs::write(&eml, &file.bytes).unwrap();
    let lint = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(&eml)
        .output()
        .expect("xmllint (libxml2-utils) must be installed");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );

    // The 510b has the expected totals: per list the sum over the three paper reports.
    let count = tally_core::eml::count::read_count(&file.bytes).unwrap();
    assert_eq!(count.units.len(), 3);
    assert_eq!(count.units[1].id.0, "0042::SB2");
    for (i, &(l, k)) in lists.iter().enumerate() {
        let expected: u64 = (1..=3)
            .map(|s| (1..=k).map(|c| votes(s, l, c)).sum::<u64>())
            .sum();
        assert_eq!(count.total.lists[i].total, expected, "list {l}");
        // Station 2 carries the first (kept) entry's candidate 3, not the mistyped one.
        if l == 1 {
            assert_eq!(
                count.units[1].counts.lists[0].candidates[2].1,
                votes(2, 1, 3)
            );
        }
    }
    assert_eq!(count.total.blank, 1 + 2 + 40);
    assert_eq!(count.total.invalid, 0);
    // Hand-checked numbers of the scripted reports: list 1 of station 1.
    assert_eq!(
        count.units[0].counts.lists[0].total,
        (1..=lists[0].1).map(|c| votes(1, 1, c)).sum::<u64>()
    );

    // The total screen shows the hash code.
    assert_eq!(r.state.screen, Shell::Level(Screen::Total));
}
