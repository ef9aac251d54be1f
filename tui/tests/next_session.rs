//! A next session on the terminal (`docs/next-session.md`): after the export of Juinen the
//! coordinator opens session 2, records an investigation of station 1, its outcome (recounted,
//! result changed), the station is entered twice again with one vote more, shown beside its
//! result so far, and the corrected result is exported. A restart at each step gives back the
//! same ledger; every step is a coordinator's, behind their PIN, confirmed by a number.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    // Both harnesses (the GSB's and the HSB/CSB's) bring the snapshot module.
    clippy::duplicate_mod
)]

mod common;
mod higher_common;

use common::*;
use crossterm::event::KeyCode;
use tally_core::entry::FieldId;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_ledger::municipal::Status;
use tally_ledger::session::InvestigationReason;
use tally_tui::app::Screen;
use tally_tui::session::SessionForm;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

/// The ledger after a restart on the same folders equals `r`'s.
fn restarts_the_same(paths: &tally_demo::Paths, r: &Demo) {
    let mut again = open(paths, Lang::Nl);
    unlock(&mut again);
    assert_eq!(again.state.ledger, r.state.ledger);
}

#[test]
fn an_investigated_station_is_corrected_by_a_new_double_entry_and_exported_again() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    register(&mut r, "Anna", false);
    register(&mut r, "Bert", false);
    let lists = juinen_lists(&r);
    for (i, s) in [(0, 1), (1, 2), (2, 3)] {
        full_entry(&mut r, i, "Anna", &paper(s, &lists));
        full_entry(&mut r, i, "Bert", &paper(s, &lists));
    }
    assert!(r.state.ledger.all_definitive());

    // In the first session there is nothing to investigate.
    select(&mut r, 0);
    key(&mut r, KeyCode::Char('o'));
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Overview { .. })
    ));
    // Z before the export opens nothing.
    key(&mut r, KeyCode::Char('t'));
    key(&mut r, KeyCode::Char('z'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Total));
    // The municipality's eligible voters (#16 point 5): a number other than the sum of the
    // 110b's stations is refused, the sum is taken, and the 510b's total carries it.
    let sum: u64 = r
        .state
        .ledger
        .election
        .as_ref()
        .unwrap()
        .info
        .stations
        .iter()
        .filter_map(|s| s.eligible_voters)
        .sum();
    let entered = if sum == 0 { 5000 } else { sum };
    if sum > 0 {
        as_coordinator(&mut r, 'k');
        type_str(&mut r, &(sum + 1).to_string());
        key(&mut r, KeyCode::Enter);
        assert_eq!(r.state.ledger.eligible_voters, None);
        let said = r
            .state
            .note
            .as_ref()
            .map(|n| n.text(Lang::Nl))
            .unwrap_or_default();
        assert!(
            said.contains("niet de som van de stembureaulijst"),
            "{said}"
        );
        key(&mut r, KeyCode::Esc);
    }
    as_coordinator(&mut r, 'k');
    type_str(&mut r, &entered.to_string());
    key(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.ledger.eligible_voters,
        Some(entered),
        "{}",
        screen_text(&r.state)
    );
    assert_eq!(r.state.screen, Shell::Level(Screen::Total));
    as_coordinator(&mut r, 'e');
    let (first_path, first_sha) = r.state.ledger.exported.clone().expect("exported");

    // Session 2: Z, the coordinator's PIN, the number 2 typed (a wrong one opens nothing).
    as_coordinator(&mut r, 'z');
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Session(SessionForm::Open { .. }))
    ));
    type_str(&mut r, "3");
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.state.ledger.sessions.number(), 1);
    type_str(&mut r, "2");
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.state.ledger.sessions.number(), 2);
    assert_eq!(r.state.ledger.exported, None);
    assert_eq!(
        r.state.ledger.sessions.closed[0].exported,
        (first_path.clone(), first_sha.clone())
    );
    assert!(screen_text(&r.state).contains("Zitting 2 (volgende zitting)"));
    restarts_the_same(&paths, &r);

    // S: who of the committee is there, and an objection (a wrong time is refused).
    as_coordinator(&mut r, 's');
    key(&mut r, KeyCode::Char('1'));
    for text in ["Petra de Vries", "19:30", "25:00"] {
        type_str(&mut r, text);
        key(&mut r, KeyCode::Enter);
    }
    assert!(r.state.ledger.sessions.notes.is_empty());
    assert!(r.state.note.as_ref().is_some_and(|n| n.error));
    key(&mut r, KeyCode::Char('1'));
    for text in ["Petra de Vries", "19:30", "22:15"] {
        type_str(&mut r, text);
        key(&mut r, KeyCode::Enter);
    }
    key(&mut r, KeyCode::Char('2'));
    type_str(&mut r, "Een kiezer betwist de hertelling");
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.state.ledger.sessions.notes.len(), 2);
    let text = screen_text(&r.state);
    assert!(
        text.contains("aanwezig: Petra de Vries, 19:30-22:15"),
        "{text}"
    );
    key(&mut r, KeyCode::Esc);
    assert!(matches!(
        r.state.screen,
        Shell::Level(Screen::Overview { .. })
    ));

    // O on station 1: the reason (1), the cause, Enter.
    select(&mut r, 0);
    as_coordinator(&mut r, 'o');
    key(&mut r, KeyCode::Char('1'));
    // Enter on an empty cause records nothing.
    key(&mut r, KeyCode::Enter);
    assert!(r.state.ledger.sessions.investigations.is_empty());
    type_str(&mut r, "Verzoek CSB: onverklaard verschil van 3");
    key(&mut r, KeyCode::Enter);
    let i = &r.state.ledger.sessions.investigations[&1];
    assert_eq!(i.reason, InvestigationReason::UnexplainedDifference);
    assert_eq!(i.instruction, "Verzoek CSB: onverklaard verschil van 3");
    assert!(screen_text(&r.state).contains("onderzoek"));
    // The export waits for the outcome.
    key(&mut r, KeyCode::Char('t'));
    assert!(screen_text(&r.state).contains("Nog geen uitkomst van het onderzoek"));
    as_coordinator(&mut r, 'e');
    assert_eq!(r.state.ledger.exported, None);
    key(&mut r, KeyCode::Esc);
    restarts_the_same(&paths, &r);

    // C on station 1: findings, recounted J, changed J, the number 1.
    select(&mut r, 0);
    as_coordinator(&mut r, 'c');
    assert!(
        matches!(
            r.state.screen,
            Shell::Level(Screen::Session(SessionForm::Conclude { .. }))
        ),
        "{}",
        screen_text(&r.state)
    );
    type_str(&mut r, "Herteld: lijst 1 kandidaat 1 heeft 3 stemmen meer");
    key(&mut r, KeyCode::Enter);
    key(&mut r, KeyCode::Char('j'));
    key(&mut r, KeyCode::Char('j'));
    let text = screen_text(&r.state);
    assert!(text.contains("wordt dan opnieuw"), "{text}");
    type_str(&mut r, "1");
    key(&mut r, KeyCode::Enter);
    assert_eq!(r.state.ledger.status(1), Some(Status::FirstEntryNotStarted));
    let conclusion = r.state.ledger.sessions.investigations[&1]
        .conclusion
        .clone()
        .unwrap();
    assert!(conclusion.recounted && conclusion.corrected);
    restarts_the_same(&paths, &r);

    // The corrected paper: three votes more for list 1's first candidate (and its totals).
    let mut corrected = paper(1, &lists);
    for f in [
        FieldId::CandidateVotes(ListNumber(1), CandidatePosition(1)),
        FieldId::ListTotal(ListNumber(1)),
        FieldId::ListVotes(ListNumber(1)),
        FieldId::VotesOnCandidates,
        FieldId::VotesCast,
        FieldId::PollCards,
        FieldId::AdmittedVoters,
    ] {
        let n: u64 = corrected[&f].parse().unwrap();
        corrected.insert(f, (n + 3).to_string());
    }
    full_entry(&mut r, 0, "Bert", &corrected);
    // Anna mistypes one candidate: the difference goes to the coordinator, who keeps the
    // first entry (the roles and checks of the first session).
    let mut mistyped = corrected.clone();
    let f = FieldId::CandidateVotes(ListNumber(2), CandidatePosition(1));
    let n: u64 = mistyped[&f].parse().unwrap();
    mistyped.insert(f, (n + 1).to_string());
    full_entry(&mut r, 0, "Anna", &mistyped);
    assert_eq!(r.state.ledger.status(1), Some(Status::EntriesDifferent));
    select(&mut r, 0);
    as_coordinator(&mut r, 'c');
    decide(&mut r, '1', 1);
    assert_eq!(r.state.ledger.status(1), Some(Status::Definitive));
    // The coordinator reads the new result beside the one before: the changed rows marked.
    select(&mut r, 0);
    as_coordinator(&mut r, 'c');
    let text = screen_text(&r.state);
    assert!(
        text.contains("Rechts de uitslag van de vorige zitting"),
        "{text}"
    );
    assert!(text.contains('*'), "{text}");
    key(&mut r, KeyCode::Esc);
    restarts_the_same(&paths, &r);

    // The corrected result goes to a new stick (the first session's is kept elsewhere).
    std::fs::rename(&first_path, dir.path().join("first-session.tally")).unwrap();
    key(&mut r, KeyCode::Char('t'));
    as_coordinator(&mut r, 'e');
    let (path, sha) = r.state.ledger.exported.clone().expect("exported again");
    assert_ne!(sha, first_sha);
    // The 510b is the corrigendum: phase "corrigendum", station 1's investigation (the
    // reason, "uitslag gecorrigeerd" yes), the first session's value of each changed number
    // (3 votes fewer) and nothing for the unchanged stations; read back by eml-nl Strict.
    let eml_path = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".eml.xml"))
        .expect("the 510b");
    let eml = std::fs::read(&eml_path).unwrap();
    for file in [
        tally_core::eml::count::read_count(&eml).unwrap(),
        tally_core::eml::count::read_count_eml_nl(&eml).unwrap(),
    ] {
        assert_eq!(
            file.header.edition.phase,
            Some(tally_core::counts::CountPhase::Corrigendum)
        );
        assert_eq!(file.total.cast, entered);
        // Juinen is an election of 2025: its paper model's files carry the explanation
        // codes K–O in every unit and the total, 0 where nothing was typed (#16 point 5).
        let codes = [
            "meegenomen stembiljetten",
            "te weinig uitgereikte stembiljetten",
            "te veel uitgereikte stembiljetten",
            "geen verklaring",
            "andere verklaring",
        ];
        for counts in file.units.iter().map(|u| &u.counts).chain([&file.total]) {
            let have: Vec<&str> = counts
                .voters
                .other
                .iter()
                .map(|(c, _)| c.as_str())
                .collect();
            assert_eq!(have, codes, "{counts:?}");
        }
        let sb1 = file.units.iter().find(|u| u.id.0 == "0042::SB1").unwrap();
        assert_eq!(
            sb1.investigations,
            vec![
                ("onderzocht vanwege onverklaard verschil".to_owned(), true),
                ("uitslag gecorrigeerd".to_owned(), true)
            ]
        );
        let first_votes: u64 = paper(1, &lists)[&FieldId::VotesOnCandidates]
            .parse()
            .unwrap();
        assert_eq!(sb1.counts.total_counted, first_votes + 3);
        assert_eq!(sb1.counts.previous.total_counted, Some(first_votes));
        let sb2 = file.units.iter().find(|u| u.id.0 == "0042::SB2").unwrap();
        assert!(sb2.investigations.is_empty() && sb2.counts.previous.is_empty());
    }
    // Beside it the papers of the session: P 2a and Na 14-2.
    let names: Vec<String> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let pdf_text = |part: &str| {
        let file = std::fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains(part))
            .unwrap_or_else(|| panic!("no {part} in {path}"));
        let out = std::process::Command::new("pdftotext")
            .arg("-layout")
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Na 14-2: list 1's total (E.1) was the first session's, wordt 3 more.
    let e1: u64 = paper(1, &lists)[&FieldId::ListTotal(ListNumber(1))]
        .parse()
        .unwrap();
    let na14_2 = pdf_text("Model_Na14-2_");
    assert!(na14_2.contains(&format!("{e1} {}", e1 + 3)), "{na14_2}");
    // Na 14-1 version 2 of station 1: its whole corrected result.
    let v2 = pdf_text("Model_Na14-1v2_SB1_");
    assert!(v2.contains("versie 2 (na onderzoek)"), "{v2}");
    assert!(v2.contains(&(e1 + 3).to_string()), "{v2}");
    // The signed set names the 510b it replaces: the first session's.
    let replaces = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_vervangt.txt"))
        .expect("the file naming the replaced 510b");
    let replaces = std::fs::read_to_string(replaces).unwrap();
    assert!(
        replaces.contains(&format!("replaces-sha256: {first_sha}")),
        "{replaces}"
    );
    for paper in ["Model_P2a_", "Model_Na14-2_", "Model_Na14-1v2_SB1_"] {
        assert!(
            names
                .iter()
                .any(|n| n.contains(paper) && n.ends_with("_zitting2.pdf")),
            "{paper} not in {names:?}"
        );
    }
    // Its report (Na 31-2) lists the session's proceedings: the decision that reopened
    // station 1, who was there, the objection.
    let pdf = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("Na31-2"))
        .expect("the report");
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout).replace('\u{a0}', " ");
    for expected in [
        "Besluiten van de coördinator",
        "heropend: uitslag gewijzigd na onderzoek",
        "Petra de Vries, van 19:30 tot 22:15",
        "1. Een kiezer betwist de hertelling",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    restarts_the_same(&paths, &r);
    // The CSB of Juinen takes the first session's 510b, then the corrigendum: a correction of
    // GSB 0042, shown beside the file it replaces, taken on the coordinator's word.
    csb_takes_the_correction(dir.path(), &path, &first_sha, &sha);
    // `tally-verify check` with the demo root on the GSB's signed media (the definition, the
    // first session's export, the corrigendum): the history of 0042 is shown and agrees.
    let published = dir.path().join("published");
    std::fs::create_dir_all(&published).unwrap();
    for e in std::fs::read_dir(&paths.media_dir).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().contains("election-definition") {
            copy_dir(&p, &published.join(p.file_name().unwrap()));
        }
    }
    copy_dir(
        &dir.path().join("first-session.tally"),
        &published.join("a-first-session.tally"),
    );
    copy_dir(
        std::path::Path::new(&path),
        &published.join("b-corrigendum.tally"),
    );
    let root = tally_demo::demo_root().public_key();
    let report = tally_verify::check_folder(
        &published,
        &tally_verify::CheckOptions {
            root_key: Some(&root),
            at: tally_signing::Timestamp::now(),
            require_all: false,
        },
    )
    .unwrap();
    let all: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert!(
        !all.iter().any(|l| l.starts_with("DISCREPANCY")),
        "{}",
        all.join("\n")
    );
    assert!(
        all.iter()
            .any(|l| l.starts_with("OK") && l.contains("history of 0042")),
        "{}",
        all.join("\n")
    );
    assert!(
        all.iter().any(|l| l.starts_with("OK")
            && l.contains("corrigendum of 0042: 1 unit(s) changed, each investigated")),
        "{}",
        all.join("\n")
    );
    // The signed line beside it names the first session's 510b, and the verifier checks it.
    assert!(
        all.iter().any(|l| l.starts_with("OK")
            && l.contains("names the 510b it replaces: a-first-session.tally/")),
        "{}",
        all.join("\n")
    );

    // Session 3: session 2 is on record with its investigation and notes.
    key(&mut r, KeyCode::Esc);
    as_coordinator(&mut r, 'z');
    type_str(&mut r, "3");
    key(&mut r, KeyCode::Enter);
    let second = &r.state.ledger.sessions.closed[1];
    assert_eq!((second.number, second.notes.len()), (2, 2));
    assert!(
        second.investigations[&1]
            .conclusion
            .as_ref()
            .unwrap()
            .corrected
    );
    restarts_the_same(&paths, &r);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// The CSB demo of Juinen with the two exports of the GSB on its stick instead of the demo's
/// tied 510b: the first session's (moved to `base/first-session.tally`) and the corrigendum
/// at `corrigendum`.
fn csb_takes_the_correction(
    base: &std::path::Path,
    corrigendum: &str,
    first_sha: &str,
    corrected_sha: &str,
) {
    use higher_common::{accept_definition, choose, import, press, typ};
    use tally_tui::higher::app::Screen as HigherScreen;
    use tally_tui::services::Services;
    let csb = tally_demo::csb_paths(&base.join("csb"));
    tally_demo::prepare_csb_demo(&csb).unwrap();
    tally_demo::prepare_demo(&csb).unwrap();
    for e in std::fs::read_dir(&csb.media_dir).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().contains("results-510b") {
            std::fs::remove_dir_all(p).unwrap();
        }
    }
    copy_dir(
        &base.join("first-session.tally"),
        &csb.media_dir.join("a-first-session.tally"),
    );
    copy_dir(
        std::path::Path::new(corrigendum),
        &csb.media_dir.join("b-corrigendum.tally"),
    );
    let open_csb = || {
        let services = tally_tui::higher::services::FolderHigherServices::open(
            csb.clone(),
            "0".repeat(64),
            true,
        )
        .unwrap();
        let state = tally_tui::higher::app::State::new(Lang::Nl, true, services.identity(), 3);
        let mut c = tally_tui::shell::runner::Runner::open(
            state,
            services,
            tally_ledger::journal::CoreJournal::new(&tally_tui::higher::services::journal_path(
                &csb.data_dir,
            )),
        )
        .unwrap();
        typ(&mut c, tally_demo::DEMO_PASSPHRASE);
        press(&mut c, KeyCode::Enter);
        c
    };
    let mut c = open_csb();
    let Shell::Media(tally_tui::shell::MediaList { items, .. }) = &c.state.screen else {
        panic!("{:?}", c.state.screen);
    };
    let definition = items
        .iter()
        .find(|m| m.folder.contains("election-definition"))
        .unwrap()
        .folder
        .clone();
    choose(&mut c, &definition);
    accept_definition(&mut c, &csb.media_dir, &definition);
    import(&mut c, "a-first-session.tally", first_sha);
    // The CSB asks the municipality to investigate station 1 (V, the coordinator's PIN, the
    // municipality's code, the station, the reason, what): a municipality not in the election
    // is refused; the request is journaled and survives a restart.
    let ask = |c: &mut higher_common::Runner, municipality: &str| {
        press(c, KeyCode::Char('v'));
        for (text, enter) in [(municipality, true), ("1", true), ("1", false)] {
            typ(c, text);
            if enter {
                press(c, KeyCode::Enter);
            }
        }
        typ(c, "Verschil van 3 stembiljetten");
        press(c, KeyCode::Enter);
    };
    ask(&mut c, "0043");
    assert!(c.state.ledger.requests.is_empty());
    let said = c
        .state
        .note
        .as_ref()
        .map(|n| n.text(Lang::Nl))
        .unwrap_or_default();
    assert!(
        said.contains("gemeente 0043 hoort niet bij deze verkiezing"),
        "{said}"
    );
    ask(&mut c, "0042");
    let asked = &c.state.ledger.requests;
    assert_eq!(asked.len(), 1, "{:?}", c.state.note);
    assert_eq!(
        (asked[0].municipality.as_str(), asked[0].station),
        ("0042", 1)
    );
    assert_eq!(asked[0].instruction, "Verschil van 3 stembiljetten");
    assert_eq!(open_csb().state.ledger.requests, c.state.ledger.requests);
    import(&mut c, "b-corrigendum.tally", corrected_sha);
    assert_eq!(c.state.screen, Shell::Level(HigherScreen::Correction));
    let pending = c
        .state
        .ledger
        .aggregation
        .as_ref()
        .unwrap()
        .pending_correction()
        .unwrap()
        .clone();
    assert_eq!(pending.body, "0042");
    assert_eq!(pending.proposed.sha256.to_hex(), corrected_sha);
    // Old beside new: the total's differences, then the one polling station that changed.
    let units: Vec<&str> = pending
        .unit_differences
        .iter()
        .map(|(u, _)| u.0.as_str())
        .collect();
    assert_eq!(units, vec!["0042::SB1"]);
    let screen = higher_common::render(&c.state).join("\n");
    assert!(screen.contains("0042::SB1:"), "{screen}");
    press(&mut c, KeyCode::Char('1'));
    typ(&mut c, "0042");
    press(&mut c, KeyCode::Enter);
    let said = c
        .state
        .note
        .as_ref()
        .map(|n| n.text(Lang::Nl))
        .unwrap_or_default();
    assert!(said.contains("aanvaard"), "{said}");
    assert!(
        c.state
            .ledger
            .aggregation
            .as_ref()
            .unwrap()
            .pending_correction()
            .is_none()
    );
    // The CSB's total and its calculation are the corrected count's now.
    let corrected = read_count_of(corrigendum);
    match &c.state.level.total {
        Some(Ok(total)) => assert_eq!(total.total.total_counted, corrected.total.total_counted),
        other => panic!("no total: {other:?}"),
    }
    assert!(
        matches!(c.state.level.outcome, Some(Ok(_))),
        "{:?}",
        c.state.level.outcome
    );
}

/// The count in the signed medium at `folder`.
fn read_count_of(folder: &str) -> tally_core::counts::CountFile {
    let eml = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".eml.xml"))
        .unwrap();
    tally_core::eml::count::read_count(&std::fs::read(eml).unwrap()).unwrap()
}
