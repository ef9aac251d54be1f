//! Tweede Kamer 2021: the seats per list from the published national votes must equal the
//! published seats, both from `shared/results/uitslag_TK20210317_Nederland.csv`.
//!
//! Facts the CSV lacks: the number of candidates per list. Every list had far more candidates
//! than the 34 seats of the largest, so P 10 cannot apply; [`ENOUGH_CANDIDATES`] is used.
//! The CSV gives one row per party nationally; parties that submitted different lists in some
//! kieskringen ("lijstengroep", P 12) are apportioned as one, as the law does at this stage.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tally_core::apportionment::{
    ExclusionReason, ListVotes, RemainingSeatLaw, SeatInput, SeatOutcome, SeatRule, SeatStep,
    apportion_seats,
};
use tally_core::election::ElectionCategory;
use tally_core::ids::ListNumber;

const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/results/uitslag_TK20210317_Nederland.csv"
);

/// More candidates than any list can get seats (each TK2021 list had at most 80).
const ENOUGH_CANDIDATES: u32 = 1000;

struct Party {
    name: String,
    votes: u64,
    seats: u32,
}

/// Returns the parties in CSV order and the published total of valid votes.
fn read() -> (Vec<Party>, u64) {
    let bytes = std::fs::read(CSV).unwrap();
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
    let text: String = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    };
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split(';').map(str::trim).collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (c_type, c_party, c_votes, c_seats) = (
        col("Type"),
        col("Partij"),
        col("AantalStemmen"),
        col("AantalZetels"),
    );
    let mut parties = Vec::new();
    let mut valid = None;
    for line in lines {
        let f: Vec<&str> = line.split(';').map(str::trim).collect();
        match f[c_type] {
            "Partij" => parties.push(Party {
                name: f[c_party].to_string(),
                votes: f[c_votes].parse().unwrap(),
                seats: if f[c_seats].is_empty() {
                    0
                } else {
                    f[c_seats].parse().unwrap()
                },
            }),
            "AantalGeldigeStemmen" => valid = Some(f[c_votes].parse::<u64>().unwrap()),
            _ => {}
        }
    }
    (parties, valid.expect("AantalGeldigeStemmen row"))
}

#[test]
fn tk2021_seats_per_list_as_published() {
    let (parties, valid) = read();
    assert_eq!(parties.len(), 37);
    assert_eq!(
        parties.iter().map(|p| p.votes).sum::<u64>(),
        valid,
        "votes add up to the valid votes"
    );
    assert_eq!(parties.iter().map(|p| p.seats).sum::<u32>(), 150);

    let input = SeatInput {
        category: ElectionCategory::TK,
        law: RemainingSeatLaw::Kieswet,
        seats: 150,
        lists: parties
            .iter()
            .enumerate()
            .map(|(i, p)| ListVotes {
                list: ListNumber(u32::try_from(i + 1).unwrap()),
                votes: p.votes,
                candidates: ENOUGH_CANDIDATES,
            })
            .collect(),
    };
    let SeatOutcome::Complete(result) = apportion_seats(&input, &[]).unwrap() else {
        panic!("TK2021 needed no drawing of lots");
    };
    for (p, l) in parties.iter().zip(&result.lists) {
        assert_eq!(
            l.seats, p.seats,
            "{}: published {}, computed {}",
            p.name, p.seats, l.seats
        );
    }
    // Full seats 139 and remaining seats 11 counted independently: sum of floor(votes * 150 / total).
    // The quota of TK2021: 10,422,852 / 150 = 69,485 102/150 = 69,485 17/25.
    assert_eq!(result.quota.to_string(), "69485 17/25");
    assert_eq!(result.full_seats, 139);
    assert_eq!(result.remaining_seats, 11);
    // P 7: every remaining seat by highest averages, and lists below the quota never compete.
    let mut below_quota_excluded = 0;
    for step in &result.steps {
        let SeatStep::RemainingSeat(r) = step else {
            panic!("unexpected step {step:?}")
        };
        assert_eq!(r.rule, SeatRule::HighestAverages);
        below_quota_excluded = r
            .excluded
            .iter()
            .filter(|e| e.reason == ExclusionReason::BelowQuota)
            .count();
    }
    // 20 lists (CODE ORANJE down to De Groenen) stayed below the quota of 69,485 17/25
    // (counted independently from the CSV: votes * 150 < 10,422,852).
    assert_eq!(below_quota_excluded, 20);
}
