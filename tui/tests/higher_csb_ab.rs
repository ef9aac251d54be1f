//! The CSB of a water board (AB2023 Limburg, the real 110a: 26 elected seats, one kieskring
//! whose committee is HSB and CSB at once) on folders: the HSB's signed 510c imported, the
//! seats (26 is 19 or more: highest averages, Kieswet P 7) and the elected candidates (25 % of
//! the quota, P 15) on the screen, and the signed 510d, 520 and report exported, with no code
//! of the terminal that knows about water boards (`docs/apportionment-ab.md`).
//!
//! The 230b of kieskring 1 is made here (the real one is not in `shared/`): five lists of 30,
//! 25, 20, 20 and 15 invented candidates. The 510c holds one unit with these votes, worked
//! out by hand: list totals 4780, 2120, 1095, 895, 470 (9360 valid votes), quota 9360 / 26 =
//! 360, full seats 13, 5, 3, 2, 1 (24); averages 4780/14 = 341.4, 2120/6 = 353.3, 1095/4 =
//! 273.8, 895/3 = 298.3, 470/2 = 235: remaining seat 1 to list 2 (then 2120/7 = 302.9),
//! remaining seat 2 to list 1. Seats 14, 6, 3, 2, 1. The preference threshold is 25 % of 360
//! = 90 votes: list 1's candidates 1 (3000) and 30 (1500) are elected by preference, then
//! candidates 2 to 13 in list order; each other list's candidate 1 (above 90) first.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod higher_common;

use crossterm::event::KeyCode;
use higher_common::*;
use tally_core::counts::{
    CandidateRef, CountHeader, CountLevel, ListVotes, VoteCounts, VoterCounts,
};
use tally_core::election::ElectionCategory;
use tally_core::eml::count::{read_count, write_count};
use tally_core::eml::result::read_result;
use tally_core::ids::{CandidatePosition, ContestId, ElectionId, ListNumber};
use tally_ledger::higher::{Computation, ComputedResult};
use tally_signing::{ContentKind, Role, Timestamp, VerifyOptions, verify_medium};
use tally_tui::higher::app::Screen;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

const ELECTION: &str = "AB2023_Limburg";
const DEFINITION: &str = "Verkiezingsdefinitie_AB2023_Limburg.eml.xml";
/// Candidates per list.
const LISTS: &[u32] = &[30, 25, 20, 20, 15];

/// The votes of candidate `c` of list `l` (hand-worked totals in the module documentation).
fn votes(l: u32, c: u32) -> u64 {
    match (l, c) {
        (1, 1) => 3000,
        (1, 30) => 1500,
        (1, _) => 10,
        (2, 1) => 2000,
        (3, 1) => 1000,
        (4, 1) => 800,
        (5, 1) => 400,
        _ => 5,
    }
}

/// The text of `<ElectionIdentifier ...>...</ElectionIdentifier>` in a 110a.
fn election_identifier(def: &str) -> &str {
    let start = def.find("<ElectionIdentifier").unwrap();
    let end = def[start..].find("</ElectionIdentifier>").unwrap() + "</ElectionIdentifier>".len();
    &def[start..start + end]
}

/// A 230b of kieskring 1 of the 110a `def`, lists of [`LISTS`] invented candidates (as
/// `verify/tests/common/election_chain.rs` makes them).
fn candidate_lists(def: &str) -> String {
    let ident = election_identifier(def).replace('\n', "");
    let mut affiliations = String::new();
    for (l, n) in (1u32..).zip(LISTS) {
        affiliations.push_str(&format!(
            "<Affiliation><AffiliationIdentifier Id=\"{l}\"><RegisteredName>Lijst {l}</RegisteredName></AffiliationIdentifier><Type>op zichzelf staande lijst</Type><kr:ListData PublicationLanguage=\"nl\" PublishGender=\"true\"></kr:ListData>"
        ));
        for c in 1..=*n {
            let gender = if c % 2 == 0 { "female" } else { "male" };
            affiliations.push_str(&format!(
                "<Candidate><CandidateIdentifier Id=\"{c}\"></CandidateIdentifier><CandidateFullName><xnl:PersonName><xnl:NameLine NameType=\"Initials\">K.</xnl:NameLine><xnl:FirstName>Kandidaat</xnl:FirstName><xnl:LastName>Lijst{l}nummer{c}</xnl:LastName></xnl:PersonName></CandidateFullName><Gender>{gender}</Gender><QualifyingAddress><xal:Locality><xal:LocalityName>Plaats {l}</xal:LocalityName></xal:Locality></QualifyingAddress></Candidate>"
            ));
        }
        affiliations.push_str("</Affiliation>");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EML xmlns=\"urn:oasis:names:tc:evs:schema:eml\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:kr=\"http://www.kiesraad.nl/extensions\" xmlns:xal=\"urn:oasis:names:tc:ciq:xsdschema:xAL:2.0\" xmlns:xnl=\"urn:oasis:names:tc:ciq:xsdschema:xNL:2.0\" Id=\"230b\" SchemaVersion=\"5\"><TransactionId>1</TransactionId><ManagingAuthority><AuthorityIdentifier Id=\"CSB\">Centraal stembureau</AuthorityIdentifier><AuthorityAddress></AuthorityAddress></ManagingAuthority><IssueDate>2023-02-09</IssueDate><kr:CreationDateTime>2023-02-09T14:06:41.024</kr:CreationDateTime><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments\"></ds:CanonicalizationMethod><CandidateList><Election>{ident}<Contest><ContestIdentifier Id=\"1\"><ContestName>Limburg</ContestName></ContestIdentifier>{affiliations}</Contest></Election></CandidateList></EML>"
    )
}

/// The votes of the one unit of the HSB's 510c.
fn counts() -> VoteCounts {
    let lists: Vec<ListVotes> = (1u32..)
        .zip(LISTS)
        .map(|(l, n)| {
            let candidates: Vec<(CandidateRef, u64)> = (1..=*n)
                .map(|c| (CandidateRef::Position(CandidatePosition(c)), votes(l, c)))
                .collect();
            ListVotes {
                list: ListNumber(l),
                name: format!("Lijst {l}"),
                total: candidates.iter().map(|(_, v)| v).sum(),
                candidates,
            }
        })
        .collect();
    let valid: u64 = lists.iter().map(|l| l.total).sum();
    assert_eq!(valid, 9360);
    let cast = valid + 15;
    VoteCounts {
        previous: Default::default(),
        cast,
        lists,
        total_counted: valid,
        blank: 10,
        invalid: 5,
        voters: VoterCounts {
            poll_cards: Some(cast),
            proxy_certificates: Some(0),
            admitted_voters: Some(cast),
            ..VoterCounts::default()
        },
    }
}

/// The elected candidates' positions of list `list` in a 520, in file order.
fn elected_in_520(text: &str, list: u32) -> Vec<u32> {
    let Some(start) = text.find(&format!("<AffiliationIdentifier Id=\"{list}\">")) else {
        return Vec::new();
    };
    let end = text[start + 1..]
        .find("<AffiliationIdentifier")
        .map_or(text.len(), |e| start + 1 + e);
    text[start..end]
        .split("<CandidateIdentifier Id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[test]
fn the_csb_of_a_water_board_exports_the_signed_510d_and_520() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(ELECTION);
    let paths = pki.appliance(dir.path(), Role::Csb, "CSB", "Waterschap Limburg");
    let media = paths.media_dir.clone();
    let def_110a = real(DEFINITION);
    let def_230b = candidate_lists(std::str::from_utf8(&def_110a).unwrap()).into_bytes();
    let def = pki.definition(
        &media,
        vec![
            (DEFINITION.into(), def_110a),
            (
                "Kandidatenlijsten_AB2023_Limburg_Limburg.eml.xml".into(),
                def_230b,
            ),
        ],
    );

    let header = CountHeader {
        edition: Default::default(),
        level: CountLevel::District,
        transaction_id: 1,
        authority_id: "HSB1".into(),
        authority_name: None,
        creation_date_time: "2023-03-17T10:00:00".into(),
        election_id: ElectionId(ELECTION.into()),
        election_name: Some("Algemeen bestuur van het waterschap Limburg 2023".into()),
        category: ElectionCategory::AB,
        subcategory: Some("AB2".into()),
        domain: Some((Some("25".into()), "Limburg".into())),
        election_date: "2023-03-15".into(),
        contest_id: ContestId("1".into()),
        contest_name: None,
    };
    let file = one_unit_file(
        &header,
        CountLevel::District,
        "HSB1",
        "1",
        "HSB1::0882",
        &counts(),
    );
    let bytes = write_count(&file).unwrap();
    let folder = pki.medium(
        &media,
        "510c_01",
        ContentKind::Results510c,
        ELECTION,
        vec![(
            "Telling_AB2023_Limburg_kieskring_Limburg.eml.xml".into(),
            bytes.clone(),
        )],
        &pki.body(Role::Hsb, "HSB1", "Hoofdstembureau Limburg"),
    );

    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    choose(&mut r, &def);
    accept_definition(&mut r, &media, &def);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Overview),
        "{:?}",
        r.state.note
    );
    import(&mut r, &folder, &sha_hex(&bytes));
    assert!(
        r.state.note.as_ref().is_some_and(|n| !n.error),
        "{:?}",
        r.state.note
    );
    press(&mut r, KeyCode::Char('t'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Figures));
    press(&mut r, KeyCode::Char('z'));
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Seats),
        "{:?}",
        r.state.level.outcome
    );
    let Some(Ok(Computation::Complete(ComputedResult { seats, .. }))) =
        r.state.level.outcome.clone()
    else {
        panic!("{:?}", r.state.level.outcome);
    };
    assert_eq!(
        seats.lists.iter().map(|l| l.seats).collect::<Vec<_>>(),
        vec![14, 6, 3, 2, 1]
    );
    let screen = render(&r.state).join("\n");
    assert!(screen.contains("26 zetels"), "{screen}");
    press(&mut r, KeyCode::Enter);
    assert_eq!(r.state.screen, Shell::Level(Screen::Candidates));
    export_done(&mut r);

    let exported = r.state.ledger.exported.clone().unwrap();
    let root = pki.root.public_key();
    let mut opts = VerifyOptions::new(&root, Timestamp::now());
    opts.expected_kind = Some(ContentKind::Results510d520);
    opts.expected_election = Some(ELECTION);
    opts.expected_signer = Some("CSB");
    let verified = verify_medium(&tally_signing::DirSource::new(&exported.path), &opts).unwrap();
    let names: Vec<&str> = verified.files.iter().map(|f| f.name.as_str()).collect();
    let res = verified
        .files
        .iter()
        .find(|f| f.name.starts_with("Resultaat_"))
        .unwrap_or_else(|| panic!("no 520: {names:?}"));
    let d = verified
        .files
        .iter()
        .find(|f| f.name.starts_with("Totaaltelling_"))
        .unwrap_or_else(|| panic!("no 510d: {names:?}"));
    assert!(
        verified
            .files
            .iter()
            .any(|f| f.name.ends_with(".pdf") && f.bytes.starts_with(b"%PDF")),
        "{names:?}"
    );
    xmllint(&d.bytes, "510-count-kiesraad-strict.xsd");
    xmllint(&res.bytes, "520-result-kiesraad-strict.xsd");
    let total = read_count(&d.bytes).unwrap();
    assert_eq!(total.total.total_counted, 9360);
    let result = read_result(&res.bytes).unwrap();
    assert_eq!(result.total_seats(), 26);
    for (l, n) in [(1, 14), (2, 6), (3, 3), (4, 2), (5, 1)] {
        assert_eq!(result.seats_of(ListNumber(l)), n, "list {l}");
    }
    let text = String::from_utf8(res.bytes.clone()).unwrap();
    let mut list1 = elected_in_520(&text, 1);
    list1.sort_unstable();
    let mut expected: Vec<u32> = (1..=13).collect();
    expected.push(30);
    assert_eq!(list1, expected);
    assert_eq!(elected_in_520(&text, 5), vec![1]);
}
