//! The CSB of a municipal council end to end on folders, with a tie decided by lot: the
//! Kiesraad's test election Juinen (45 seats), a signed 510b of the GSB in which lists 3
//! and 4 have exactly the same votes and lists 1 and 2 none. Each list reaches the quota
//! (2000 / 45) 22 times; the one remaining seat goes by highest averages, 1000 / 23 for
//! both: a tie the program must not decide. The lot is typed in (a number that is not tied
//! is refused), journaled, survives a restart, and the 510d, 520 and P 22-2 report are
//! written signed; both EML files valid against the XSD.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod higher_common;

use crossterm::event::KeyCode;
use higher_common::*;
use tally_body::Paths;
use tally_core::counts::{
    CandidateRef, CountFile, CountHeader, CountLevel, ListVotes, ReportingUnitCounts, VoteCounts,
    VoterCounts,
};
use tally_core::election::ElectionCategory;
use tally_core::eml::count::{read_count, write_count};
use tally_core::eml::result::read_result;
use tally_core::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, ReportingUnitId};
use tally_signing::{ContentKind, Role, Timestamp, VerifyOptions, verify_medium};
use tally_tui::higher::app::Screen;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

use tally_demo::{JUINEN_110A, JUINEN_230B};

/// Lists 1..4 of Juinen have 8, 6, 30 and 50 candidates (the 230b).
fn juinen_510b() -> Vec<u8> {
    juinen_510b_with(&[&[], &[], &[900, 100], &[1000]])
}

/// A 510b of Juinen with these candidate votes per list (the rest 0), blank and invalid 5.
fn juinen_510b_with(votes: &[&[u64]; 4]) -> Vec<u8> {
    let list = |n: u32, candidates: u32, votes: &[u64]| {
        let cands: Vec<(CandidateRef, u64)> = (1..=candidates)
            .map(|p| {
                (
                    CandidateRef::Position(CandidatePosition(p)),
                    votes.get(p as usize - 1).copied().unwrap_or(0),
                )
            })
            .collect();
        ListVotes {
            list: ListNumber(n),
            name: String::new(),
            total: votes.iter().sum(),
            candidates: cands,
        }
    };
    let lists = vec![
        list(1, 8, votes[0]),
        list(2, 6, votes[1]),
        list(3, 30, votes[2]),
        list(4, 50, votes[3]),
    ];
    let e: u64 = lists.iter().map(|l| l.total).sum();
    let counts = VoteCounts {
        previous: Default::default(),
        cast: 3000,
        lists,
        total_counted: e,
        blank: 5,
        invalid: 5,
        voters: VoterCounts {
            poll_cards: Some(e + 10),
            proxy_certificates: Some(0),
            voter_cards: None,
            admitted_voters: Some(e + 10),
            more_ballots_counted: Some(0),
            fewer_ballots_counted: Some(0),
            other: Vec::new(),
        },
    };
    let file = CountFile {
        header: CountHeader {
            edition: Default::default(),
            level: CountLevel::Municipality,
            transaction_id: 1,
            authority_id: "0042".into(),
            authority_name: Some("Juinen".into()),
            creation_date_time: "2025-08-29T22:00:00".into(),
            election_id: ElectionId("GR2025_Juinen".into()),
            election_name: Some("Gemeenteraad 2025 Juinen".into()),
            category: ElectionCategory::GR,
            subcategory: Some("GR2".into()),
            domain: Some((Some("0042".into()), "Juinen".into())),
            election_date: "2025-08-29".into(),
            contest_id: ContestId("geen".into()),
            contest_name: None,
        },
        total: counts.clone(),
        units: vec![ReportingUnitCounts {
            id: ReportingUnitId("0042::SB1".into()),
            name: "Stembureau 1".into(),
            counts,
            investigations: Vec::new(),
        }],
    };
    write_count(&file).unwrap()
}

#[test]
fn council_csb_stops_at_a_tie_takes_the_lot_and_writes_the_520() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new("GR2025_Juinen");
    let paths = pki.appliance(dir.path(), Role::Csb, "CSB", "Juinen");
    let media = paths.media_dir.clone();
    let def = pki.definition(
        &media,
        vec![
            (
                "eml110a_verkiezingsdefinitie-juinen.eml.xml".into(),
                JUINEN_110A.to_vec(),
            ),
            (
                "eml230b_kandidatenlijsten-juinen.eml.xml".into(),
                JUINEN_230B.to_vec(),
            ),
        ],
    );
    let count = juinen_510b();
    let gsb = pki.medium(
        &media,
        "510b_0042",
        ContentKind::Results510b,
        "GR2025_Juinen",
        vec![(
            "Telling_GR2025_Juinen_gemeente_Juinen.eml.xml".into(),
            count.clone(),
        )],
        &pki.body(Role::Gsb, "0042", "Gemeente Juinen"),
    );

    let mut r = open(&paths, Lang::Nl);
    check_view(
        &mut r,
        &["CSB | Start", "Telt voor: CSB Juinen"],
        &["CSB | Start", "Counts for: CSB Juinen"],
    );
    // The role is said once (it read "CSB CSB Juinen").
    assert!(!render(&r.state).join("\n").contains("CSB CSB"));
    unlock(&mut r);
    choose(&mut r, &def);
    accept_definition(&mut r, &media, &def);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Overview),
        "{:?}",
        r.state.note
    );
    check_view(&mut r, &["0 van 1 binnen", "0042"], &["0 of 1 in"]);
    import(&mut r, &gsb, &sha_hex(&count));
    check_view(&mut r, &["1 van 1 binnen", "Druk T"], &["1 of 1 in"]);
    press(&mut r, KeyCode::Char('t'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Figures));
    check_view(
        &mut r,
        &["E.3", "1.000", "F", "Blanco", "Z zetelverdeling"],
        &["Z seat apportionment"],
    );

    // The tie: the calculation stops and asks.
    press(&mut r, KeyCode::Char('z'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Lot));
    check_view(
        &mut r,
        &[
            "loting nodig",
            "gelijk tussen lijsten 3, 4",
            "3: 1.000 stemmen",
            "4: 1.000 stemmen",
            "Getrokken lijst",
            "(restzetel 1 (P 7 grootste gemiddelden) tussen lijsten 3, 4)",
        ],
        &[
            "drawing of lots is needed",
            "tie between lists 3, 4",
            "List drawn",
            "(remaining seat 1 (P 7 highest averages) between lists 3, 4)",
        ],
    );
    // A list that is not tied is refused; nothing journaled.
    typ(&mut r, "1");
    press(&mut r, KeyCode::Enter);
    assert_eq!(r.state.screen, Shell::Level(Screen::Lot));
    assert!(r.state.ledger.decisions.seat_lots.is_empty());
    typ(&mut r, "4");
    press(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Seats),
        "{:?}",
        r.state.note
    );
    assert_eq!(r.state.ledger.decisions.seat_lots.len(), 1);
    assert_eq!(r.state.ledger.decisions.seat_lots[0].drawn, ListNumber(4));
    check_view(
        &mut r,
        &["Zetelverdeling", "kiesdeler 44 4/9", "beslist door loting"],
        &["Seat apportionment (step by step)"],
    );

    // Restart after the lot: the lot is in the journal, the seats follow from it.
    drop(r);
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    assert_eq!(r.state.screen, Shell::Level(Screen::Figures));
    press(&mut r, KeyCode::Char('z'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Seats));
    press(&mut r, KeyCode::Enter);
    assert_eq!(r.state.screen, Shell::Level(Screen::Candidates));
    check_view(
        &mut r,
        &[
            "Lijst 3 Juinen Vooruit: zetels 22",
            "voorkeur",
            "lijstvolgorde",
            "E schrijf 510d/520",
        ],
        &[
            "List 3 Juinen Vooruit: seats 22",
            "preference",
            "list order",
        ],
    );
    for _ in 0..2 {
        press(&mut r, KeyCode::PageDown);
    }
    check_view(
        &mut r,
        &["Lijst 4 Stadspartij Juinen: zetels 23"],
        &["seats 23"],
    );
    export_done(&mut r);
    check_view(
        &mut r,
        &[
            "Totaaltelling_GR2025_Juinen.eml.xml",
            "Resultaat_GR2025_Juinen.eml.xml",
        ],
        &["Result written"],
    );

    // The signed medium: the CSB's signature over 510d, 520 and the report.
    let exported = r.state.ledger.exported.clone().unwrap();
    let root = pki.root.public_key();
    let mut opts = VerifyOptions::new(&root, Timestamp::now());
    opts.expected_kind = Some(ContentKind::Results510d520);
    opts.expected_election = Some("GR2025_Juinen");
    opts.expected_signer = Some("CSB");
    let verified = verify_medium(&tally_signing::DirSource::new(&exported.path), &opts).unwrap();
    let d = verified
        .file("Totaaltelling_GR2025_Juinen.eml.xml")
        .unwrap();
    let res = verified.file("Resultaat_GR2025_Juinen.eml.xml").unwrap();
    assert!(
        verified
            .file("Totaaltelling_GR2025_Juinen.pdf")
            .unwrap()
            .bytes
            .starts_with(b"%PDF")
    );
    xmllint(&d.bytes, "510-count-kiesraad-strict.xsd");
    xmllint(&res.bytes, "520-result-kiesraad-strict.xsd");
    let total = read_count(&d.bytes).unwrap();
    assert_eq!(total.header.level, CountLevel::Total);
    assert_eq!(total.total.lists[2].total, 1000);
    let result = read_result(&res.bytes).unwrap();
    assert_eq!(result.seats_of(ListNumber(4)), 23);
    assert_eq!(result.seats_of(ListNumber(3)), 22);
    assert_eq!(result.total_seats(), 45);
}

/// A tie between candidates: list 1 (60 votes, 30 each for its first two candidates) gets
/// one seat; both candidates are above the preference threshold (25 % of the quota
/// 2063 / 45, about 11.5), with equal votes: a drawing of lots decides who is elected.
/// Lists 3 (1000) and 4 (1003) get 22 seats each; no seat tie.
/// The export's folder and its 520, checked against the EML_NL schema.
fn exported_520(r: &Runner) -> (tally_ledger::higher::Exported, Vec<u8>) {
    let exported = r.state.ledger.exported.clone().unwrap();
    let res =
        std::fs::read(std::path::Path::new(&exported.path).join("Resultaat_GR2025_Juinen.eml.xml"))
            .unwrap();
    xmllint(&res, "520-result-kiesraad-strict.xsd");
    (exported, res)
}

/// A CSB of Juinen in `dir` with the definition accepted and the GSB's signed `count`
/// imported, after T and Z: at the seats (or the lot screen when a tie stops it).
fn csb_at_the_seats(dir: &std::path::Path, count: &[u8], lang: Lang) -> (Paths, Runner) {
    let pki = Pki::new("GR2025_Juinen");
    let paths = pki.appliance(dir, Role::Csb, "CSB", "Juinen");
    let media = paths.media_dir.clone();
    let def = pki.definition(
        &media,
        vec![
            (
                "eml110a_verkiezingsdefinitie-juinen.eml.xml".into(),
                JUINEN_110A.to_vec(),
            ),
            (
                "eml230b_kandidatenlijsten-juinen.eml.xml".into(),
                JUINEN_230B.to_vec(),
            ),
        ],
    );
    let gsb = pki.medium(
        &media,
        "510b_0042",
        ContentKind::Results510b,
        "GR2025_Juinen",
        vec![(
            "Telling_GR2025_Juinen_gemeente_Juinen.eml.xml".into(),
            count.to_vec(),
        )],
        &pki.body(Role::Gsb, "0042", "Gemeente Juinen"),
    );
    let mut r = open(&paths, lang);
    unlock(&mut r);
    choose(&mut r, &def);
    accept_definition(&mut r, &media, &def);
    import(&mut r, &gsb, &sha_hex(count));
    press(&mut r, KeyCode::Char('t'));
    press(&mut r, KeyCode::Char('z'));
    (paths, r)
}

#[test]
fn a_tie_between_candidates_is_decided_by_a_typed_lot() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, mut r) = csb_at_the_seats(
        dir.path(),
        &juinen_510b_with(&[&[30, 30], &[], &[1000], &[1003]]),
        Lang::En,
    );
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Seats),
        "{:?}",
        r.state.level.outcome
    );
    press(&mut r, KeyCode::Enter);
    assert_eq!(r.state.screen, Shell::Level(Screen::Lot));
    check_view(
        &mut r,
        &[
            "Lijst 1: gelijk tussen kandidaten 1, 2",
            "1: 30 stemmen",
            "2: 30 stemmen",
            "Getrokken kandidaat",
        ],
        &["List 1: tie between candidates 1, 2", "Candidate drawn"],
    );
    typ(&mut r, "3");
    press(&mut r, KeyCode::Enter);
    assert!(r.state.ledger.decisions.candidate_lots.is_empty());
    typ(&mut r, "2");
    press(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Candidates),
        "{:?}",
        r.state.note
    );
    assert_eq!(r.state.ledger.decisions.candidate_lots.len(), 1);
    check_view(
        &mut r,
        &["Lijst 1 Lijst Hekking: zetels 1", "(lot)"],
        &["List 1 Lijst Hekking: seats 1"],
    );
    // A candidate of the tie marked deceased after the lot: the lot would match no tie any
    // more, so the mark is refused with the reason and nothing is journaled (P 19a).
    r.state.lang = Lang::Nl;
    press(&mut r, KeyCode::Char('o'));
    for _ in 0..3 {
        typ(&mut r, "1");
        press(&mut r, KeyCode::Enter);
    }
    let shown = render(&r.state).join("\n");
    assert!(
        shown.contains("kan nu niet als overleden worden gemarkeerd"),
        "{shown}"
    );
    assert!(r.state.ledger.decisions.deceased.is_empty());
    press(&mut r, KeyCode::Esc);
    assert_eq!(r.state.screen, Shell::Level(Screen::Candidates));
    // Restart: the lot is kept.
    drop(r);
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    press(&mut r, KeyCode::Char('z'));
    press(&mut r, KeyCode::Enter);
    assert_eq!(r.state.screen, Shell::Level(Screen::Candidates));
    export_done(&mut r);
    let (_, res) = exported_520(&r);
    let result = read_result(&res).unwrap();
    assert_eq!(result.seats_of(ListNumber(1)), 1);
    assert_eq!(result.seats_of(ListNumber(3)), 22);
    assert_eq!(result.seats_of(ListNumber(4)), 22);
    let list1 = result
        .lists
        .iter()
        .find(|l| l.list == ListNumber(1))
        .unwrap();
    assert_eq!(list1.candidates[0].candidate.position, CandidatePosition(2));
}

/// `tally --demo --level csb`: the DEMO keys and media, the whole flow to the written result.
#[test]
fn the_csb_demo_runs_to_the_signed_result() {
    use tally_tui::higher::app::State;
    use tally_tui::higher::services::{FolderHigherServices, journal_path};
    use tally_tui::services::Services;
    use tally_tui::shell::runner::Runner;
    let dir = tempfile::tempdir().unwrap();
    let paths = tally_demo::csb_paths(dir.path());
    tally_demo::prepare_csb_demo(&paths).unwrap();
    tally_demo::prepare_demo(&paths).unwrap();
    assert!(tally_tui::higher::terminal::is_higher(&paths));
    let services = FolderHigherServices::open(paths.clone(), "0".repeat(64), true).unwrap();
    let state = State::new(Lang::Nl, true, services.identity(), 3);
    let mut r = Runner::open(
        state,
        services,
        tally_ledger::journal::CoreJournal::new(&journal_path(&paths.data_dir)),
    )
    .unwrap();
    typ(&mut r, tally_demo::DEMO_PASSPHRASE);
    press(&mut r, KeyCode::Enter);
    let Shell::Media(tally_tui::shell::MediaList { items, .. }) = &r.state.screen else {
        panic!("{:?}", r.state.screen);
    };
    let def = items
        .iter()
        .find(|m| m.folder.contains("election-definition"))
        .unwrap()
        .folder
        .clone();
    let gsb = items
        .iter()
        .find(|m| m.folder.contains("results-510b"))
        .unwrap()
        .folder
        .clone();
    choose(&mut r, &def);
    check_view(
        &mut r,
        &["DEMO - op het papier staan deze hashcodes"],
        &["DEMO - the paper shows these hash codes"],
    );
    accept_definition(&mut r, &paths.media_dir, &def);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Overview),
        "{:?}",
        r.state.note
    );
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
    export_done(&mut r);
    let lines = render(&r.state).join("\n");
    assert!(lines.contains("DEMO"), "{lines}");
    let exported = r.state.ledger.exported.clone().unwrap();
    assert!(
        exported
            .path
            .contains("DEMO_GR2025_Juinen_CSB_results-510d-520"),
        "{}",
        exported.path
    );
    let res = std::fs::read(
        std::path::Path::new(&exported.path).join("DEMO_Resultaat_GR2025_Juinen.eml.xml"),
    )
    .unwrap();
    let result = read_result(&res).unwrap();
    assert_eq!(result.seats_of(ListNumber(3)), 23);
}

/// Seats that no list can take (Kieswet P 10): only lists 1 (8 candidates, 1000 votes) and 2
/// (6 candidates, 900 votes) have votes. They would get 24 and 21 of the 45 seats; P 10 leaves
/// them 8 and 6, and the other lists have no votes, so 31 seats stay unfilled. The seats
/// screen says so in both languages, and so do the 520 (an XML comment; EML_NL has no element
/// for it) and the P 22-2 report; the 520 elects 14 candidates.
#[test]
fn seats_no_list_can_take_stay_unfilled_and_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let (_paths, mut r) = csb_at_the_seats(
        dir.path(),
        &juinen_510b_with(&[&[600, 400], &[500, 400], &[], &[]]),
        Lang::Nl,
    );
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Seats),
        "{:?}",
        r.state.level.outcome
    );
    check_view(
        &mut r,
        &[
            "LET OP: Niet alle zetels zijn toegewezen",
            "Restzetels volgens: Kieswet zoals geldend",
        ],
        &[
            "NOTE: not every seat is assigned",
            "Remaining seats under: Kieswet as in force",
        ],
    );
    press(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Candidates),
        "{:?}",
        r.state.note
    );
    check_view(
        &mut r,
        &["Voorkeursdrempel 25% van de kiesdeler", "zetels 8"],
        &["Preference threshold 25% of the quota", "seats 8"],
    );
    export_done(&mut r);
    let (exported, res) = exported_520(&r);
    let text = String::from_utf8(res.clone()).unwrap();
    assert!(
        text.contains("<!-- Niet alle zetels zijn toegewezen: 31 zetels blijven onbezet"),
        "{}",
        &text[..400.min(text.len())]
    );
    let result = read_result(&res).unwrap();
    assert_eq!(result.seats_of(ListNumber(1)), 8);
    assert_eq!(result.seats_of(ListNumber(2)), 6);
    assert_eq!(result.total_seats(), 14);
    let pdf = std::path::Path::new(&exported.path).join("Totaaltelling_GR2025_Juinen.pdf");
    let report = pdf_text(&pdf);
    assert!(report.contains("Onbezet (P 10)"), "{report}");
    assert!(report.contains("31 zetels blijven onbezet"), "{report}");
    assert!(report.contains("groter dan, niet gelijk aan"), "{report}");
}
