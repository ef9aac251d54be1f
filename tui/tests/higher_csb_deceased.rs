//! A deceased candidate at the CSB (Kieswet P 19a), on the Juinen CSB demo (`tally --demo
//! --level csb`): lists 3 and 4 tie for the last seat, the lot gives it to list 3 (23 seats;
//! its candidate 1 elected by preference with 900 votes, 2 - 23 in list order). The
//! coordinator marks candidate 1 of list 3 deceased on the candidates screen (list and
//! candidate by number, the decision in words, the candidate's number typed again): candidate
//! 24 is elected in its place, on screen, in the 520 and in the P 22-2, which names the
//! deceased candidate. A wrong mark (list 4, candidate 2) is undone by a record of its own.
//! No letter acts while a number is typed. A restart replays the journal to the same state.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod higher_common;

use std::path::Path;

use crossterm::event::KeyCode;
use higher_common::*;
use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::eml::result::read_result;
use tally_core::ids::{CandidatePosition, ContestId, ListNumber};
use tally_demo::Paths;
use tally_ledger::higher::{Computation, deceased};
use tally_ledger::journal::CoreJournal;
use tally_tui::higher::app::{Screen, State};
use tally_tui::higher::services::{FolderHigherServices, journal_path};
use tally_tui::services::Services;
use tally_tui::shell::Screen as Shell;
use tally_tui::shell::runner::Runner;
use tally_tui::text::Lang;

/// The demo CSB's terminal on `paths` (DEMO keys, the journal in its data folder).
fn demo_runner(paths: &Paths) -> higher_common::Runner {
    let services = FolderHigherServices::open(paths.clone(), "0".repeat(64), true).unwrap();
    let state = State::new(Lang::Nl, true, services.identity(), 3);
    Runner::open(
        state,
        services,
        CoreJournal::new(&journal_path(&paths.data_dir)),
    )
    .unwrap()
}

fn unlock_demo(r: &mut higher_common::Runner) {
    typ(r, tally_demo::DEMO_PASSPHRASE);
    press(r, KeyCode::Enter);
}

/// The demo from its start to the candidates screen: the definition and the GSB's 510b taken
/// with their hash codes, the tie drawn for list 3.
fn demo_at_the_candidates(paths: &Paths) -> higher_common::Runner {
    tally_demo::prepare_csb_demo(paths).unwrap();
    tally_demo::prepare_demo(paths).unwrap();
    let mut r = demo_runner(paths);
    unlock_demo(&mut r);
    let Shell::Media(tally_tui::shell::MediaList { items, .. }) = &r.state.screen else {
        panic!("{:?}", r.state.screen);
    };
    let folder = |part: &str| {
        items
            .iter()
            .find(|m| m.folder.contains(part))
            .unwrap()
            .folder
            .clone()
    };
    let (def, gsb) = (folder("election-definition"), folder("results-510b"));
    choose(&mut r, &def);
    accept_definition(&mut r, &paths.media_dir, &def);
    press(&mut r, KeyCode::Char('i'));
    choose(&mut r, &gsb);
    let Shell::Level(Screen::ImportCheck { count, .. }) = &r.state.screen else {
        panic!("{:?}", r.state.note);
    };
    let sha = count.sha256.clone();
    type_groups(&mut r, &sha);
    press(&mut r, KeyCode::Char('t'));
    press(&mut r, KeyCode::Char('z'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Lot));
    typ(&mut r, "3");
    press(&mut r, KeyCode::Enter);
    press(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Candidates),
        "{:?}",
        r.state.note
    );
    r
}

/// The positions elected on `list`, as the calculation on screen has them.
fn elected(r: &higher_common::Runner, list: u32) -> Vec<u32> {
    let Some(Ok(Computation::Complete(c))) = &r.state.level.outcome else {
        panic!("{:?}", r.state.level.outcome);
    };
    c.elected()
        .unwrap()
        .iter()
        .find(|l| l.list == ListNumber(list))
        .unwrap()
        .elected
        .iter()
        .map(|e| e.position.0)
        .collect()
}

/// The name of candidate `position` of `list`, as the Juinen 230b gives it.
fn name(list: u32, position: u32) -> String {
    let election = load_election(
        &SourceFile::new("110a.xml", tally_demo::JUINEN_110A),
        &[SourceFile::new("230b.xml", tally_demo::JUINEN_230B)],
        None,
    )
    .unwrap();
    election
        .list(&ContestId("geen".into()), ListNumber(list))
        .unwrap()
        .candidates
        .iter()
        .find(|c| c.position == CandidatePosition(position))
        .unwrap()
        .display_name()
}

fn screen(r: &higher_common::Runner) -> String {
    render(&r.state).join("\n")
}

/// O (or H), the list number, the candidate's number, then the candidate's number again.
fn mark(r: &mut higher_common::Runner, key: char, list: &str, candidate: &str) {
    press(r, KeyCode::Char(key));
    typ(r, list);
    press(r, KeyCode::Enter);
    typ(r, candidate);
    press(r, KeyCode::Enter);
    typ(r, candidate);
    press(r, KeyCode::Enter);
}

#[test]
fn a_deceased_candidate_is_passed_over_and_a_wrong_mark_undone() {
    let dir = tempfile::tempdir().unwrap();
    let paths = tally_demo::csb_paths(dir.path());
    let mut r = demo_at_the_candidates(&paths);
    let before = elected(&r, 3);
    assert_eq!(before, (1..=23).collect::<Vec<_>>());
    // The keys on the candidates screen, in its key bar and its help, in both languages.
    check_view(
        &mut r,
        &["O overleden", "H herstel", "E schrijf 510d/520"],
        &["O deceased", "H undo mark"],
    );
    for (lang, words) in [
        (Lang::Nl, "O markeert een overleden kandidaat"),
        (Lang::En, "O marks a candidate deceased"),
    ] {
        r.state.lang = lang;
        press(&mut r, KeyCode::F(1));
        let lines = render(&r.state);
        snapshot("candidates help", lang, &lines);
        let help = lines.join("\n");
        assert!(help.contains(words), "{help}");
        assert!(help.contains("H herstel") || help.contains("H undo mark"));
        press(&mut r, KeyCode::F(1));
    }
    r.state.lang = Lang::Nl;
    // Nothing to undo yet.
    press(&mut r, KeyCode::Char('h'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Candidates));
    assert!(
        screen(&r).contains("er is niets te herstellen"),
        "{}",
        screen(&r)
    );

    // O: the list by number. A letter typed among the digits does nothing (E would export).
    press(&mut r, KeyCode::Char('o'));
    check_view(
        &mut r,
        &[
            "Kandidaat overleden (P 19a)",
            "Lijstnummer: _",
            "Esc terug zonder besluit",
        ],
        &["Candidate deceased (P 19a)", "List number: _"],
    );
    typ(&mut r, "3");
    for letter in ['e', 'E', 'o', 'h', 'z', 'q'] {
        press(&mut r, KeyCode::Char(letter));
    }
    assert!(r.state.ledger.exported.is_none());
    assert!(screen(&r).contains("Lijstnummer: 3_"), "{}", screen(&r));
    press(&mut r, KeyCode::Enter);
    // A candidate the list does not have is refused.
    typ(&mut r, "31");
    press(&mut r, KeyCode::Enter);
    assert!(
        screen(&r).contains("Lijst 3 heeft geen kandidaat 31"),
        "{}",
        screen(&r)
    );
    typ(&mut r, "1");
    press(&mut r, KeyCode::Enter);
    // The decision in words, before anything is journaled.
    let first = name(3, 1);
    check_view(
        &mut r,
        &[
            "Lijst 3, kandidaat 1:",
            "wordt als overleden",
            "Typ ter bevestiging opnieuw het nummer",
            first.as_str(),
        ],
        &["List 3, candidate 1:", "is marked deceased"],
    );
    // Another number does not confirm; nothing is journaled.
    typ(&mut r, "2");
    press(&mut r, KeyCode::Enter);
    assert!(r.state.ledger.decisions.deceased.is_empty());
    assert!(
        screen(&r).contains("Dat is niet het nummer van deze kandidaat (1)"),
        "{}",
        screen(&r)
    );
    typ(&mut r, "1");
    press(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Candidates),
        "{:?}",
        r.state.note
    );
    assert_eq!(
        r.state.ledger.decisions.deceased,
        vec![deceased(ListNumber(3), CandidatePosition(1), None)]
    );
    // Passed over: the next on the list, 24, is elected.
    let after = elected(&r, 3);
    assert_eq!(after, (2..=24).collect::<Vec<_>>());
    let twenty_fourth = name(3, 24);
    check_view(
        &mut r,
        &[
            "Lijst 3, kandidaat 1 is als overleden gemarkeerd",
            "Overleden (P 19a), overgeslagen: lijst 3 nr 1",
        ],
        &["Deceased (P 19a), passed over: list 3 no. 1"],
    );
    press(&mut r, KeyCode::PageDown);
    assert!(screen(&r).contains(&twenty_fourth), "{}", screen(&r));
    assert!(!screen(&r).contains(&first), "{}", screen(&r));

    // A wrong mark, undone by a record of its own.
    mark(&mut r, 'o', "4", "2");
    assert!(!elected(&r, 4).contains(&2));
    assert_eq!(r.state.ledger.decisions.deceased.len(), 2);
    // H on a candidate that is not marked: refused before the confirmation.
    press(&mut r, KeyCode::Char('h'));
    typ(&mut r, "4");
    press(&mut r, KeyCode::Enter);
    typ(&mut r, "3");
    press(&mut r, KeyCode::Enter);
    assert!(
        screen(&r).contains("niet als overleden gemarkeerd"),
        "{}",
        screen(&r)
    );
    typ(&mut r, "2");
    press(&mut r, KeyCode::Enter);
    check_view(
        &mut r,
        &[
            "Markering overleden herstellen (vergissing)",
            "de markering overleden",
        ],
        &["Undo a deceased mark (made in error)", "the deceased mark"],
    );
    typ(&mut r, "2");
    press(&mut r, KeyCode::Enter);
    assert_eq!(r.state.screen, Shell::Level(Screen::Candidates));
    assert!(elected(&r, 4).contains(&2));
    assert_eq!(
        r.state.ledger.decisions.deceased,
        vec![deceased(ListNumber(3), CandidatePosition(1), None)]
    );
    // Esc leaves without a decision.
    press(&mut r, KeyCode::Char('o'));
    typ(&mut r, "4");
    press(&mut r, KeyCode::Enter);
    press(&mut r, KeyCode::Esc);
    assert_eq!(r.state.screen, Shell::Level(Screen::Candidates));
    assert_eq!(r.state.ledger.decisions.deceased.len(), 1);

    // The journal has both marks and the undoing; the audit log says them.
    let journal = std::fs::read(journal_path(&paths.data_dir)).unwrap();
    let journal = String::from_utf8_lossy(&journal);
    assert_eq!(
        journal.matches(r#""type":"deceased""#).count(),
        2,
        "{journal}"
    );
    assert_eq!(journal.matches(r#""type":"deceased_undone""#).count(), 1);
    assert!(!journal.contains(r#""at":0"#), "stamped: {journal}");
    // Each names the coordinator who decided (person 1, signed in with her PIN), and so does
    // its line in the audit log.
    let named = regex_count(&journal, r#""type":"deceased"#, r#""by":1"#);
    assert_eq!(named, 3, "{journal}");
    let audit = std::fs::read_to_string(paths.data_dir.join("audit.jsonl")).unwrap();
    let lines: Vec<&str> = audit
        .lines()
        .filter(|l| l.contains(r#""act":"deceased"#))
        .collect();
    assert_eq!(lines.len(), 3, "{audit}");
    assert!(
        lines.iter().all(|l| l.contains(r#""person":"Carla""#)),
        "{audit}"
    );

    // A restart replays the journal to the same state.
    let outcome = r.state.level.outcome.clone();
    let decisions = r.state.ledger.decisions.clone();
    drop(r);
    let mut r = demo_runner(&paths);
    unlock_demo(&mut r);
    assert_eq!(r.state.ledger.decisions, decisions);
    assert_eq!(r.state.level.outcome, outcome);
    press(&mut r, KeyCode::Char('z'));
    press(&mut r, KeyCode::Enter);
    assert_eq!(r.state.screen, Shell::Level(Screen::Candidates));
    assert_eq!(elected(&r, 3), (2..=24).collect::<Vec<_>>());

    // The 520 elects 24, not 1; the P 22-2 names the deceased candidate.
    export_done(&mut r);
    let exported = r.state.ledger.exported.clone().unwrap();
    let folder = Path::new(&exported.path);
    let res = std::fs::read(folder.join("DEMO_Resultaat_GR2025_Juinen.eml.xml")).unwrap();
    xmllint(&res, "520-result-kiesraad-strict.xsd");
    let result = read_result(&res).unwrap();
    let list3 = result
        .lists
        .iter()
        .find(|l| l.list == ListNumber(3))
        .unwrap();
    let positions: Vec<u32> = list3
        .candidates
        .iter()
        .map(|c| c.candidate.position.0)
        .collect();
    assert!(!positions.contains(&1), "{positions:?}");
    assert!(positions.contains(&24), "{positions:?}");
    assert_eq!(positions.len(), 23);
    let list4 = result
        .lists
        .iter()
        .find(|l| l.list == ListNumber(4))
        .unwrap();
    assert!(list4.candidates.iter().any(|c| c.candidate.position.0 == 2));
    let pdf = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pdf"))
        .unwrap();
    let report = pdf_text(&pdf);
    assert!(
        report.contains("5. Overleden kandidaten (P 19a)"),
        "{report}"
    );
    assert!(report.contains("artikel P 19a Kieswet"), "{report}");
    assert!(
        report.contains("Overleden, overgeslagen (P 19a): 1"),
        "{report}"
    );
    let section = report
        .split("5. Overleden kandidaten (P 19a)")
        .nth(1)
        .unwrap();
    println!("---- P 22-2 section 5\n{section}");
    assert!(section.contains(&first), "{section}");
    assert!(section.contains("Lijst 3"), "{section}");
    // The wrong mark, undone, is not on the paper.
    assert!(!section.contains("Lijst 4"), "{section}");
    assert!(!section.contains(&name(4, 2)), "{section}");
    // Candidate 24 among the elected (section 4).
    let elected_part = report.split("4. Gekozen kandidaten").nth(1).unwrap();
    let elected_part = elected_part.split("5. Overleden").next().unwrap();
    assert!(elected_part.contains(&twenty_fourth), "{elected_part}");
    // Once exported nothing changes: O does not open.
    press(&mut r, KeyCode::Char('o'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Done));
}

/// How many records of kind `kind` in the journal name `field` (a deceased record holds no
/// nested object: it ends at the first `}` after its type; the journal's binary framing around
/// the JSON is not read).
fn regex_count(journal: &str, kind: &str, field: &str) -> usize {
    journal
        .match_indices(kind)
        .filter(|(i, _)| {
            journal
                .get(*i..)
                .and_then(|rest| rest.split('}').next())
                .is_some_and(|record| record.contains(field))
        })
        .count()
}
