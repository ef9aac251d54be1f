//! Hand-made cases for the election of candidates: P 15 preference threshold on both sides
//! (25 % and 50 % of the quota), order of votes, ties and lots, P 17 list order, P 19a
//! deceased candidates, and the refusal of a list that differs between kieskringen (elected
//! by `elect_group`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tally_core::apportionment::{
    CandidateDrawing, CandidateError, CandidateInput, CandidateLot, CandidateOutcome,
    CandidateVotes, ElectedBy, Fraction, ListCandidates, ListElected, elect_candidates,
};
use tally_core::ids::{CandidatePosition, ListNumber};

fn p(n: u32) -> CandidatePosition {
    CandidatePosition(n)
}

/// Candidates at positions 1.. with these votes; `deceased` lists dead positions.
fn list(number: u32, seats: u32, votes: &[u64], deceased: &[u32]) -> ListCandidates {
    ListCandidates {
        list: ListNumber(number),
        seats,
        candidates: votes
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let position = u32::try_from(i + 1).unwrap();
                CandidateVotes {
                    position: p(position),
                    votes: v,
                    deceased: deceased.contains(&position),
                }
            })
            .collect(),
        differs_per_district: false,
    }
}

/// Quota 100 (exact), threshold `percent`.
fn run(percent: u32, lists: Vec<ListCandidates>, lots: &[CandidateLot]) -> CandidateOutcome {
    let input = CandidateInput {
        quota: Fraction::new(100, 1).unwrap(),
        threshold_percent: percent,
        lists,
    };
    elect_candidates(&input, lots).unwrap()
}

fn done(o: CandidateOutcome) -> Vec<ListElected> {
    match o {
        CandidateOutcome::Complete(c) => c.lists,
        CandidateOutcome::LotsNeeded(d) => panic!("unexpected drawing: {d}"),
    }
}

fn elected(l: &ListElected) -> Vec<(u32, ElectedBy)> {
    l.elected.iter().map(|e| (e.position.0, e.by)).collect()
}

/// Kieswet P 15, first paragraph: "een aantal stemmen ... groter dan 25% van de kiesdeler".
/// Quota 100, 25 %: threshold 25. Candidate 4 has 26: elected by preference before
/// candidate 1 (list order). Candidate 3 has exactly 25, which is not greater: not elected by
/// preference, and not listed as reaching the threshold. 2 seats: 4 (preference), then 1.
#[test]
fn p15_more_than_25_percent_is_needed() {
    let r = done(run(25, vec![list(1, 2, &[20, 10, 25, 26], &[])], &[]));
    assert_eq!(
        elected(&r[0]),
        vec![(4, ElectedBy::Preference), (1, ElectedBy::ListOrder)]
    );
    assert_eq!(r[0].reaching_threshold, vec![p(4)]);
}

/// Quota 100, 25 %: a candidate with exactly 25 votes (and one with 24) does not pass the
/// threshold: list order only.
#[test]
fn p15_exactly_25_percent_is_not_enough() {
    let r = done(run(25, vec![list(1, 2, &[10, 20, 25, 24], &[])], &[]));
    assert_eq!(
        elected(&r[0]),
        vec![(1, ElectedBy::ListOrder), (2, ElectedBy::ListOrder)]
    );
    assert!(r[0].reaching_threshold.is_empty());
}

/// Councils below 19 seats (P 15, second paragraph): half of the quota. Quota 100: 51 votes
/// is enough, exactly 50 is not.
#[test]
fn p15_fifty_percent_threshold_both_sides() {
    let r = done(run(50, vec![list(1, 1, &[10, 50, 51], &[])], &[]));
    assert_eq!(elected(&r[0]), vec![(3, ElectedBy::Preference)]);
    let r = done(run(50, vec![list(1, 1, &[10, 50, 50], &[])], &[]));
    assert_eq!(elected(&r[0]), vec![(1, ElectedBy::ListOrder)]);
}

/// The case of the issue: 9 seats, quota 20 (180 votes), threshold half the quota = 10.
/// List 1 (2 seats): candidates with 30, 0 and 10 votes; list 2 (7 seats): 140 and six with
/// 0. Candidate 3 of list 1 has 10 votes, not greater than 10: list 1's seats go to
/// candidate 1 by preference and candidate 2 in list order.
#[test]
fn p15_issue_case_exactly_the_threshold_is_not_elected() {
    let input = CandidateInput {
        quota: Fraction::new(180, 9).unwrap(),
        threshold_percent: 50,
        lists: vec![
            list(1, 2, &[30, 0, 10], &[]),
            list(2, 7, &[140, 0, 0, 0, 0, 0, 0], &[]),
        ],
    };
    let CandidateOutcome::Complete(c) = elect_candidates(&input, &[]).unwrap() else {
        panic!()
    };
    assert_eq!(c.threshold.to_string(), "10");
    assert_eq!(
        elected(&c.lists[0]),
        vec![(1, ElectedBy::Preference), (2, ElectedBy::ListOrder)]
    );
    assert_eq!(c.lists[0].reaching_threshold, vec![p(1)]);
}

/// Equal votes at exactly the threshold never need a drawing of lots: those candidates do
/// not qualify. Quota 100, 25 %: 1 seat, candidates 2 and 3 with 25 each: list order.
#[test]
fn p15_no_lot_between_candidates_at_the_threshold() {
    let r = done(run(25, vec![list(1, 1, &[0, 25, 25], &[])], &[]));
    assert_eq!(elected(&r[0]), vec![(1, ElectedBy::ListOrder)]);
}

/// The threshold is an exact fraction: quota 100 1/3 (301 / 3), 25 % = 25 1/12.
/// 25 votes is below it, 26 is above.
#[test]
fn p15_threshold_is_exact() {
    let input = CandidateInput {
        quota: Fraction::new(301, 3).unwrap(),
        threshold_percent: 25,
        lists: vec![list(1, 1, &[0, 25, 26], &[])],
    };
    let CandidateOutcome::Complete(c) = elect_candidates(&input, &[]).unwrap() else {
        panic!()
    };
    assert_eq!(c.threshold.to_string(), "25 1/12");
    assert_eq!(elected(&c.lists[0]), vec![(3, ElectedBy::Preference)]);
}

/// Preference seats in order of votes; more candidates reach the threshold than there are
/// seats: the two with most votes. 2 seats, votes 30, 90, 60: 2 (90), 3 (60).
#[test]
fn p15_order_of_votes_and_more_candidates_than_seats() {
    let r = done(run(25, vec![list(1, 2, &[30, 90, 60], &[])], &[]));
    assert_eq!(
        elected(&r[0]),
        vec![(2, ElectedBy::Preference), (3, ElectedBy::Preference)]
    );
}

/// Equal votes with enough seats: both elected, no lot (in list order among equals).
/// Equal votes for the last seat: a lot. 2 seats, votes 90, 40, 40: 1, then 2 and 3 tie
/// for 1 seat: lot for preference seat 2.
#[test]
fn p15_tie_needs_lot_only_when_seats_run_out() {
    let r = done(run(25, vec![list(1, 3, &[90, 40, 40], &[])], &[]));
    assert_eq!(r[0].elected.iter().filter(|e| e.by_lot).count(), 0);
    assert_eq!(elected(&r[0]).len(), 3);

    let lists = vec![list(1, 2, &[90, 40, 40], &[])];
    let CandidateOutcome::LotsNeeded(d) = run(25, lists.clone(), &[]) else {
        panic!()
    };
    let drawing = CandidateDrawing {
        list: ListNumber(1),
        seat: 2,
        tied: vec![p(2), p(3)],
    };
    assert_eq!(d, drawing);
    let r = done(run(
        25,
        lists.clone(),
        &[CandidateLot {
            drawing: drawing.clone(),
            drawn: p(3),
        }],
    ));
    assert_eq!(
        elected(&r[0]),
        vec![(1, ElectedBy::Preference), (3, ElectedBy::Preference)]
    );
    assert!(r[0].elected[1].by_lot);

    let input = CandidateInput {
        quota: Fraction::new(100, 1).unwrap(),
        threshold_percent: 25,
        lists,
    };
    assert!(matches!(
        elect_candidates(
            &input,
            &[CandidateLot {
                drawing,
                drawn: p(1)
            }]
        ),
        Err(CandidateError::DrawnCandidateNotTied { .. })
    ));
}

/// P 19a: a deceased candidate is passed over, by preference and in list order.
/// 2 seats; candidate 2 (deceased) has 80 votes; candidate 1 is elected by list order,
/// then candidate 3.
#[test]
fn p19a_deceased_candidates_are_skipped() {
    let r = done(run(25, vec![list(1, 2, &[10, 80, 5], &[2])], &[]));
    assert_eq!(
        elected(&r[0]),
        vec![(1, ElectedBy::ListOrder), (3, ElectedBy::ListOrder)]
    );
    assert_eq!(r[0].deceased, vec![p(2)]);
}

/// Refusals: more seats than living candidates; a Tweede Kamer list that differs per
/// kieskring (elected by `elect_group` instead); bad threshold; unordered positions; unused lot.
#[test]
fn unsupported_and_bad_input_is_refused() {
    let input = |lists| CandidateInput {
        quota: Fraction::new(100, 1).unwrap(),
        threshold_percent: 25,
        lists,
    };
    assert_eq!(
        elect_candidates(&input(vec![list(1, 2, &[10, 10], &[2])]), &[]),
        Err(CandidateError::TooFewCandidates {
            list: ListNumber(1),
            seats: 2,
            available: 1
        })
    );
    let mut differs = list(1, 1, &[10], &[]);
    differs.differs_per_district = true;
    assert_eq!(
        elect_candidates(&input(vec![differs]), &[]),
        Err(CandidateError::ListDiffersPerDistrict(ListNumber(1)))
    );
    let mut bad = input(vec![]);
    bad.threshold_percent = 0;
    assert_eq!(
        elect_candidates(&bad, &[]),
        Err(CandidateError::ThresholdPercent(0))
    );
    let mut unordered = list(1, 1, &[10, 10], &[]);
    unordered.candidates[1].position = p(1);
    assert!(matches!(
        elect_candidates(&input(vec![unordered]), &[]),
        Err(CandidateError::PositionsNotAscending { .. })
    ));
    let stray = CandidateLot {
        drawing: CandidateDrawing {
            list: ListNumber(1),
            seat: 1,
            tied: vec![p(1), p(2)],
        },
        drawn: p(1),
    };
    assert!(matches!(
        elect_candidates(&input(vec![list(1, 1, &[10, 10], &[])]), &[stray]),
        Err(CandidateError::UnusedLot { index: 0, .. })
    ));
}
