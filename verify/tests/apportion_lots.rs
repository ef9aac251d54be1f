//! `tally-verify apportion` with the outcomes of public drawings of lots (`--lot`,
//! `--candidate-lot`): a tie stops the calculation with exit 2 and names the drawing; the
//! outcome given continues it; an outcome that is not among the tied, or one too many, is
//! refused. On the Kiesraad's Juinen council definition (45 seats) with hand-made counts
//! whose seats follow by hand (see each test).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tally_core::counts::{
    CandidateRef, CountFile, CountHeader, CountLevel, ListVotes, ReportingUnitCounts, VoteCounts,
    VoterCounts,
};
use tally_core::election::ElectionCategory;
use tally_core::eml::count::write_count;
use tally_core::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, ReportingUnitId};

fn juinen_110a() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eml/synthetic/eml110a_verkiezingsdefinitie-juinen.eml.xml")
}

/// A Juinen 510b: lists 1 to 4 (8, 6, 30, 50 candidates) with the candidates' votes given.
fn juinen_510b(votes: [&[u64]; 4]) -> Vec<u8> {
    let list = |n: u32, candidates: u32, votes: &[u64]| ListVotes {
        list: ListNumber(n),
        name: String::new(),
        total: votes.iter().sum(),
        candidates: (1..=candidates)
            .map(|p| {
                let v = votes.get(p as usize - 1).copied().unwrap_or(0);
                (CandidateRef::Position(CandidatePosition(p)), v)
            })
            .collect(),
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
        cast: e + 10,
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

/// Runs `tally-verify apportion` on the Juinen 110a and `count`: exit code, stdout, stderr.
fn apportion(count: &[u8], extra: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("Telling_GR2025_Juinen_gemeente_Juinen.eml.xml");
    std::fs::write(&path, count).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .arg("apportion")
        .arg("--definition")
        .arg(juinen_110a())
        .arg("--count")
        .arg(&path)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn list_line(out: &str, list: u32) -> String {
    out.lines()
        .find(|l| l.starts_with(&format!("list\t{list}\t")))
        .unwrap_or_else(|| panic!("no list {list} in\n{out}"))
        .to_owned()
}

/// Lists 3 and 4 with 1000 votes each: the quota is 2000/45 (44 4/9), each gets 22 full seats
/// (1000 / 44 4/9 = 22.5) and one remaining seat is left, with equal averages 1000/23: a tie.
#[test]
fn a_tie_for_a_seat_stops_and_the_list_drawn_continues() {
    let count = juinen_510b([&[], &[], &[1000], &[1000]]);

    let (code, out, err) = apportion(&count, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("lists 3, 4"), "{err}");
    assert!(err.contains("give the list drawn with --lot"), "{err}");

    for (drawn, other) in [(4, 3), (3, 4)] {
        let (code, out, err) = apportion(&count, &["--lot", &drawn.to_string()]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            list_line(&out, drawn).starts_with(&format!("list\t{drawn}\t23\t1000")),
            "{out}"
        );
        assert!(
            list_line(&out, other).starts_with(&format!("list\t{other}\t22\t1000")),
            "{out}"
        );
        let lot = out.lines().find(|l| l.starts_with("lot\t")).unwrap();
        assert!(lot.contains("lists 3, 4"), "{lot}");
        assert!(lot.ends_with(&format!("\tlist {drawn}")), "{lot}");
    }

    let (code, _, err) = apportion(&count, &["--lot", "1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--lot 1: list 1 is not among the tied"),
        "{err}"
    );

    let (code, _, err) = apportion(&count, &["--lot", "4", "--lot", "3"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--lot 3: no drawing of lots between lists is left"),
        "{err}"
    );
}

/// List 1 (60 votes, 30 for each of its first two candidates) gets one seat (quota 2063/45,
/// about 45.8: one full seat; remaining seats to lists 4 and 3 by averages 1003/22 and
/// 1000/22 against 60/2); both candidates pass the preference threshold (25 % of the quota,
/// about 11.5) with equal votes: a drawing between them decides.
#[test]
fn a_tie_between_candidates_stops_and_the_candidate_drawn_continues() {
    let count = juinen_510b([&[30, 30], &[], &[1000], &[1003]]);

    let (code, out, err) = apportion(&count, &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("list 1 preference seat 1 between candidates 1, 2"),
        "{err}"
    );
    assert!(err.contains("--candidate-lot 1:<position>"), "{err}");

    let (code, out, err) = apportion(&count, &["--candidate-lot", "1:2"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(list_line(&out, 1).starts_with("list\t1\t1\t60"), "{out}");
    assert!(list_line(&out, 3).starts_with("list\t3\t22\t1000"), "{out}");
    assert!(list_line(&out, 4).starts_with("list\t4\t22\t1003"), "{out}");
    let elected: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("elected\t1\t"))
        .collect();
    assert_eq!(elected.len(), 1, "{out}");
    assert!(
        elected[0].starts_with("elected\t1\t2\tpreference\t30"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("lot\t") && l.ends_with("\tcandidate 2")),
        "{out}"
    );

    let (code, _, err) = apportion(&count, &["--candidate-lot", "1:3"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--candidate-lot 1:3: not among the tied"),
        "{err}"
    );

    let (code, _, err) = apportion(&count, &["--candidate-lot", "one:2"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected LIST:POSITION"), "{err}");
}

/// Seats no list can take (P 10): only lists 1 (8 candidates) and 2 (6 candidates) have votes;
/// they keep 8 and 6 seats and 31 of the 45 stay unfilled. The printout says so, with the law
/// version and the preference threshold ("more votes than", P 15: quota 1900/45 = 42 2/9,
/// 25 % = 10 5/9).
#[test]
fn seats_no_list_can_take_are_printed_as_unfilled() {
    let count = juinen_510b([&[600, 400], &[500, 400], &[], &[]]);
    let (code, out, err) = apportion(&count, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(list_line(&out, 1).starts_with("list\t1\t8\t1000"), "{out}");
    assert!(list_line(&out, 2).starts_with("list\t2\t6\t900"), "{out}");
    assert!(out.contains("\nunfilled-seats\t31\n"), "{out}");
    assert!(
        out.contains("\nlaw\tKieswet as in force (bill 36 641 does not apply)\n"),
        "{out}"
    );
    assert!(out.contains("\npreference-threshold\t10 5/9\t25% of the quota; elected by preference with more votes than this (P 15)\n"), "{out}");
    assert!(
        out.contains("\nnotice\tnot every seat is assigned: 31 seat(s) stay unfilled"),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("elected\t")).count(),
        14
    );
}
