//! Hand-made cases for every rule of Kieswet P 5 - P 10 and every tie, on both sides of
//! every threshold. Each expected result is worked out by hand in the comment above it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tally_core::apportionment::{
    AbsoluteMajorityOutcome, ApportionmentError, ApportionmentNotice, ExclusionReason, ListVotes,
    RemainingSeatLaw, SeatApportionment, SeatDrawing, SeatDrawingPurpose, SeatInput, SeatLot,
    SeatOutcome, SeatRule, SeatStep, apportion_seats,
};
use tally_core::election::ElectionCategory;
use tally_core::ids::ListNumber;

const MANY: u32 = 100;

fn input(category: ElectionCategory, seats: u32, lists: &[(u64, u32)]) -> SeatInput {
    SeatInput {
        category,
        law: RemainingSeatLaw::Kieswet,
        seats,
        lists: lists
            .iter()
            .enumerate()
            .map(|(i, &(votes, candidates))| ListVotes {
                list: ListNumber(u32::try_from(i + 1).unwrap()),
                votes,
                candidates,
            })
            .collect(),
    }
}

fn gr(seats: u32, votes: &[u64]) -> SeatInput {
    let lists: Vec<(u64, u32)> = votes.iter().map(|&v| (v, MANY)).collect();
    input(ElectionCategory::GR, seats, &lists)
}

fn complete(input: &SeatInput, lots: &[SeatLot]) -> SeatApportionment {
    match apportion_seats(input, lots).unwrap() {
        SeatOutcome::Complete(a) => a,
        SeatOutcome::LotsNeeded(n) => panic!("unexpected drawing of lots: {}", n.drawing),
    }
}

fn seats(a: &SeatApportionment) -> Vec<u32> {
    a.lists.iter().map(|l| l.seats).collect()
}

fn rules(a: &SeatApportionment) -> Vec<(SeatRule, u32)> {
    a.steps
        .iter()
        .filter_map(|s| match s {
            SeatStep::RemainingSeat(r) => Some((r.rule, r.list.0)),
            _ => None,
        })
        .collect()
}

fn l(n: u32) -> ListNumber {
    ListNumber(n)
}

// ---- P 5, P 6 ----

/// 15 seats, 1500 votes: quota 100. 1000 / 300 / 200 are whole quotas: 10 + 3 + 2 = 15
/// full seats, no remaining seat.
#[test]
fn p5_p6_quota_and_full_seats_only() {
    let a = complete(&gr(15, &[1000, 300, 200]), &[]);
    assert_eq!(a.quota.to_string(), "100");
    assert_eq!(a.full_seats, 15);
    assert_eq!(a.remaining_seats, 0);
    assert!(a.steps.is_empty());
    assert_eq!(seats(&a), vec![10, 3, 2]);
}

/// The quota is an exact fraction: 1000 votes / 7 seats = 142 6/7; 500 votes = 3 full
/// seats (428 4/7) with remainder 71 3/7.
#[test]
fn p5_quota_and_remainders_are_exact_fractions() {
    let a = complete(&gr(7, &[500, 300, 200]), &[]);
    assert_eq!(a.quota.to_string(), "142 6/7");
    assert_eq!(a.lists[0].full_seats, 3);
    assert_eq!(a.lists[0].remainder.to_string(), "71 3/7");
}

// ---- 19 seats: P 7 versus P 8 ----

/// 19 seats (P 7), 10000 votes, quota 526 6/19. Full: 7100 -> 13, 2390 -> 4, 510 -> 0;
/// 2 remaining seats. Averages: 7100/14 = 507 1/7, 2390/5 = 478, 510/1 = 510.
/// Seat 1: list 3 (510). Seat 2: list 1 (507 1/7). A list below the quota may get a seat.
#[test]
fn p7_highest_averages_at_19_seats() {
    let a = complete(&gr(19, &[7100, 2390, 510]), &[]);
    assert_eq!(seats(&a), vec![14, 4, 1]);
    assert_eq!(
        rules(&a),
        vec![
            (SeatRule::HighestAverages, 3),
            (SeatRule::HighestAverages, 1)
        ]
    );
    let SeatStep::RemainingSeat(first) = &a.steps[0] else {
        panic!()
    };
    assert_eq!(first.value.to_string(), "510");
    let values: Vec<String> = first.compared.iter().map(|s| s.value.to_string()).collect();
    assert_eq!(values, vec!["507 1/7", "478", "510"]);
}

/// The same votes for the Tweede Kamer: list 3 (510 < quota 526 6/19) is excluded (P 7).
/// Seat 1: list 1 (507 1/7). Seat 2: list 2 (478) beats list 1's 7100/15 = 473 1/3.
#[test]
fn p7_tweede_kamer_list_below_quota_gets_no_remaining_seat() {
    let lists = [(7100, MANY), (2390, MANY), (510, MANY)];
    let a = complete(&input(ElectionCategory::TK, 19, &lists), &[]);
    assert_eq!(seats(&a), vec![14, 5, 0]);
    let SeatStep::RemainingSeat(first) = &a.steps[0] else {
        panic!()
    };
    assert!(
        first
            .excluded
            .iter()
            .any(|e| e.list == l(3) && e.reason == ExclusionReason::BelowQuota)
    );
    assert!(!a.lists[2].reaches_quota);
}

/// Highest averages give several seats to one list: 23 seats, 11500 votes, quota 500.
/// 10490 -> 20 full, 560 -> 1, 450 -> 0: 21 full, 2 remaining. Averages 10490/21 =
/// 499 11/21, 560/2 = 280, 450/1 = 450: seat 1 list 1; then 10490/22 = 476 9/11 > 450:
/// seat 2 list 1 again.
#[test]
fn p7_one_list_takes_two_seats() {
    let a = complete(&gr(23, &[10490, 560, 450]), &[]);
    assert_eq!(seats(&a), vec![22, 1, 0]);
    assert_eq!(
        rules(&a),
        vec![
            (SeatRule::HighestAverages, 1),
            (SeatRule::HighestAverages, 1)
        ]
    );
}

/// 18 seats (P 8): 9000 votes, quota 500. 6100 -> 12 (rem 100), 2450 -> 4 (rem 450),
/// 450 -> 0 (rem 450, and 450 >= 375 = 75 %). 2 remaining: largest remainders 450 and 450,
/// lists 2 and 3 tie with 2 seats left: both get one, no lot.
/// With 19 seats the same votes go by highest averages (see the next test).
#[test]
fn p8_largest_remainders_at_18_seats() {
    let a = complete(&gr(18, &[6100, 2450, 450]), &[]);
    assert_eq!(seats(&a), vec![12, 5, 1]);
    assert_eq!(
        rules(&a),
        vec![
            (SeatRule::LargestRemainders, 2),
            (SeatRule::LargestRemainders, 3)
        ]
    );
    let SeatStep::RemainingSeat(first) = &a.steps[0] else {
        panic!()
    };
    assert_eq!(first.tied, vec![l(2), l(3)]);
    assert!(!first.by_lot);
}

/// 19 seats, same 9000 votes: quota 473 13/19. 6100 -> 12 (5684 4/19), 2450 -> 5
/// (2368 8/19), 450 -> 0: 17 full, 2 remaining. Averages 6100/13 = 469 3/13,
/// 2450/6 = 408 1/3, 450. Seat 1: list 1; then 6100/14 = 435 5/7 < 450: seat 2 list 3.
#[test]
fn p7_same_votes_at_19_seats() {
    let a = complete(&gr(19, &[6100, 2450, 450]), &[]);
    assert_eq!(seats(&a), vec![13, 5, 1]);
    assert_eq!(
        rules(&a),
        vec![
            (SeatRule::HighestAverages, 1),
            (SeatRule::HighestAverages, 3)
        ]
    );
}

// ---- P 8: the 75 % threshold ----

/// 15 seats, 1500 votes, quota 100, 75 % = 75. Lists 1000 / 350 / 75 / 75: full 10, 3, 0, 0;
/// 2 remaining. Remainders 0, 50, 75, 75; lists 3 and 4 reach exactly 75 % and take both.
#[test]
fn p8_exactly_75_percent_qualifies() {
    let a = complete(&gr(15, &[1000, 350, 75, 75]), &[]);
    assert_eq!(seats(&a), vec![10, 3, 1, 1]);
    assert!(a.lists[2].meets_remainder_threshold);
}

/// One vote moved from list 3 to list 1: 1001 / 350 / 74 / 75, quota still 100. List 3
/// (74 < 75) is out of the largest remainders. Remainders: 1, 50, -, 75: lists 4 and 2.
#[test]
fn p8_below_75_percent_is_excluded_from_largest_remainders() {
    let a = complete(&gr(15, &[1001, 350, 74, 75]), &[]);
    assert_eq!(seats(&a), vec![10, 4, 0, 1]);
    assert!(!a.lists[2].meets_remainder_threshold);
    assert_eq!(
        rules(&a),
        vec![
            (SeatRule::LargestRemainders, 4),
            (SeatRule::LargestRemainders, 2)
        ]
    );
    let SeatStep::RemainingSeat(first) = &a.steps[0] else {
        panic!()
    };
    assert!(
        first
            .excluded
            .iter()
            .any(|e| e.list == l(3) && e.reason == ExclusionReason::BelowRemainderThreshold)
    );
}

/// P 8 after the largest remainders: highest averages with at most one seat per list.
/// 15 seats, 1500 votes, quota 100. 1160 -> 11 (rem 60); 70, 65, 60, 55, 50, 40 -> 0, all
/// below 75. 4 remaining seats. Seat 1 by largest remainder: only list 1 qualifies.
/// Seat 2: averages 1160/13 = 89 3/13, 70, 65, ...: list 1 (its first seat in this round).
/// Seat 3: list 1 is out for this round; 70: list 2. Seat 4: 65: list 3.
/// (Plain highest averages would have given all four to list 1: 1160/14 = 82 6/7 > 70.)
#[test]
fn p8_highest_averages_at_most_one_seat_per_list() {
    let a = complete(&gr(15, &[1160, 70, 65, 60, 55, 50, 40]), &[]);
    assert_eq!(seats(&a), vec![13, 1, 1, 0, 0, 0, 0]);
    assert_eq!(
        rules(&a),
        vec![
            (SeatRule::LargestRemainders, 1),
            (SeatRule::HighestAveragesOnePerList, 1),
            (SeatRule::HighestAveragesOnePerList, 2),
            (SeatRule::HighestAveragesOnePerList, 3),
        ]
    );
    let SeatStep::RemainingSeat(third) = &a.steps[2] else {
        panic!()
    };
    assert!(
        third
            .excluded
            .iter()
            .any(|e| e.list == l(1) && e.reason == ExclusionReason::HadSeatThisRound)
    );
}

/// P 10 with P 8's last round (plain highest averages) and a lot in it. 9 seats, 1000 votes,
/// quota 111 1/9, 75 % = 83 1/3. List 1: 800 votes, 7 full seats; lists 2 and 3: 100 each.
/// Largest remainders, before P 10: lists 2 and 3 (100 each, tie, 2 seats left: both).
/// P 9: list 1 already has 7 > 4.5 seats. P 10: list 1 has 7 seats but 2 candidates: it gives
/// up 5 full seats, assigned by continued application of P 8 to lists 2 and 3: one per list:
/// averages 100/2 = 50 each: both; plain averages: 100/3 = 33 1/3 each: both; then 100/4 = 25
/// each with 1 seat left: a drawing of lots for remaining seat 7.
#[test]
fn p10_exhaustion_runs_into_plain_highest_averages_and_a_lot() {
    let lists = [(800, 2), (100, MANY), (100, MANY)];
    let inp = input(ElectionCategory::GR, 9, &lists);
    let SeatOutcome::LotsNeeded(needed) = apportion_seats(&inp, &[]).unwrap() else {
        panic!("a drawing of lots is needed")
    };
    let drawing = SeatDrawing {
        purpose: SeatDrawingPurpose::RemainingSeat {
            seat: 7,
            rule: SeatRule::HighestAveragesUnlimited,
        },
        tied: vec![l(2), l(3)],
    };
    assert_eq!(needed.drawing, drawing);
    assert_eq!(
        needed.steps.len(),
        7,
        "two remaining seats, P 10 and four remaining seats so far"
    );

    let lot = SeatLot {
        drawing,
        drawn: l(3),
    };
    let a = complete(&inp, std::slice::from_ref(&lot));
    assert_eq!(seats(&a), vec![2, 3, 4]);
    assert_eq!(
        a.steps[2],
        SeatStep::ListExhausted {
            list: l(1),
            seats: 7,
            candidates: 2,
            remaining_given_up: 0,
            full_given_up: 5
        }
    );
    assert_eq!(a.lists[0].full_seats, 2);
    let SeatStep::RemainingSeat(last) = &a.steps[7] else {
        panic!()
    };
    assert!(last.by_lot);
    assert_eq!(last.list, l(3));
    assert!(
        last.excluded
            .iter()
            .any(|e| e.list == l(1) && e.reason == ExclusionReason::ListExhausted)
    );
    assert_eq!(a.steps.last(), Some(&a.steps[7]), "no P 9 step");
    assert!(a.notices().is_empty());
    assert_eq!(a.lots, vec![lot]);
}

/// P 10 in P 7: 19 seats, 1900 votes, quota 100. 1450 -> 14 (rem 50), 300 -> 3, 150 -> 1
/// (rem 50): 18 full, 1 remaining. Averages 1450/15 = 96 2/3, 75, 75: list 1, unless it has
/// only 14 candidates: then list 2 and 3 tie at 75 with 1 seat: lot.
#[test]
fn p10_exhausted_list_skipped_in_highest_averages() {
    let with = complete(&gr(19, &[1450, 300, 150]), &[]);
    assert_eq!(seats(&with), vec![15, 3, 1]);
    let inp = input(
        ElectionCategory::GR,
        19,
        &[(1450, 14), (300, MANY), (150, MANY)],
    );
    let SeatOutcome::LotsNeeded(n) = apportion_seats(&inp, &[]).unwrap() else {
        panic!()
    };
    assert_eq!(n.drawing.tied, vec![l(2), l(3)]);
    let lot = SeatLot {
        drawing: n.drawing,
        drawn: l(2),
    };
    assert_eq!(seats(&complete(&inp, &[lot])), vec![14, 4, 1]);
}

/// Every list exhausted: 5 seats, 160 votes, quota 32. 100 -> 3 full seats (rem 4), 60 -> 1
/// (rem 28); the remaining seat goes to list 2 by largest remainder. Both lists have one
/// candidate: P 10 takes 2 full seats from list 1 and the remaining seat from list 2, and no
/// list has a candidate left for them: 3 seats stay unfilled, and the outcome says so.
#[test]
fn p10_all_lists_exhausted_leaves_seats_unfilled() {
    let inp = input(ElectionCategory::GR, 5, &[(100, 1), (60, 1)]);
    let a = complete(&inp, &[]);
    assert_eq!(seats(&a), vec![1, 1]);
    assert_eq!(a.unfilled_seats, 3);
    assert_eq!(a.full_seats + a.remaining_seats + a.unfilled_seats, 5);
    assert_eq!(a.steps.last(), Some(&SeatStep::SeatsUnfilled { seats: 3 }));
    assert_eq!(
        a.notices(),
        vec![ApportionmentNotice::SeatsUnfilled { seats: 3 }]
    );
}

// ---- P 9: absolute majority ----

/// 15 seats, 1000 votes, quota 66 2/3. 501 -> 7 (rem 34 1/3), 250 -> 3 (rem 50),
/// 249 -> 3 (rem 49). Largest remainders: lists 2, 3. List 1 has 501 > 500 votes but
/// 7 <= 7.5 seats: the last remaining seat (list 3's) goes to list 1.
#[test]
fn p9_majority_of_votes_gets_majority_of_seats() {
    let a = complete(&gr(15, &[501, 250, 249]), &[]);
    assert_eq!(seats(&a), vec![8, 4, 3]);
    assert_eq!(
        a.steps.last(),
        Some(&SeatStep::AbsoluteMajority {
            list: l(1),
            outcome: AbsoluteMajorityOutcome::Transferred {
                from: l(3),
                by_lot: false
            }
        })
    );
    assert_eq!(a.lists[0].remaining_seats, 1);
    assert_eq!(a.lists[2].remaining_seats, 0);
}

/// Exactly half of the votes is not a majority: 500 / 251 / 249 of 1000, quota 66 2/3.
/// 500 -> 7 (rem 33 1/3), 251 -> 3 (rem 51), 249 -> 3 (rem 49): lists 2, 3. No P 9.
#[test]
fn p9_exactly_half_of_the_votes_is_not_enough() {
    let a = complete(&gr(15, &[500, 251, 249]), &[]);
    assert_eq!(seats(&a), vec![7, 4, 4]);
    assert!(
        !a.steps
            .iter()
            .any(|s| matches!(s, SeatStep::AbsoluteMajority { .. }))
    );
}

/// Exactly half of the seats is not a majority: 18 seats, 1000 votes, quota 55 5/9.
/// 501 -> 9 (rem 1), 250 -> 4 (rem 27 7/9), 249 -> 4 (rem 26 7/9): 17 full, 1 remaining:
/// list 2. List 1 has 9 = 18 / 2 seats: P 9 moves list 2's remaining seat to list 1.
#[test]
fn p9_exactly_half_of_the_seats_gets_one_more() {
    let a = complete(&gr(18, &[501, 250, 249]), &[]);
    assert_eq!(seats(&a), vec![10, 4, 4]);
}

/// More than half of the seats already: 15 seats, 1000 votes, quota 66 2/3. 560 -> 8
/// (rem 26 2/3), 240 -> 3 (rem 40), 200 -> 3 (rem 0): list 2 gets the remaining seat;
/// list 1 has 8 > 7.5 seats: no P 9.
#[test]
fn p9_not_applied_with_a_majority_of_seats() {
    let a = complete(&gr(15, &[560, 240, 200]), &[]);
    assert_eq!(seats(&a), vec![8, 4, 3]);
    assert!(
        !a.steps
            .iter()
            .any(|s| matches!(s, SeatStep::AbsoluteMajority { .. }))
    );
}

/// The last remaining seats went to tied lists: P 9 needs a drawing of lots to pick the list
/// that gives up its seat. 15 seats, 1001 votes, quota 66 11/15. 501 -> 7, 250 -> 3,
/// 250 -> 3; remainders of lists 2 and 3 equal (49 4/5): both get one. List 1: 501 > 500.5
/// votes, 7 seats: a seat must come from list 2 or 3: lot. Drawn: list 2.
#[test]
fn p9_tie_for_the_last_seat_needs_a_lot() {
    let inp = gr(15, &[501, 250, 250]);
    let SeatOutcome::LotsNeeded(n) = apportion_seats(&inp, &[]).unwrap() else {
        panic!()
    };
    let drawing = SeatDrawing {
        purpose: SeatDrawingPurpose::AbsoluteMajorityRetraction,
        tied: vec![l(2), l(3)],
    };
    assert_eq!(n.drawing, drawing);
    let a = complete(
        &inp,
        &[SeatLot {
            drawing,
            drawn: l(2),
        }],
    );
    assert_eq!(seats(&a), vec![8, 3, 4]);
    assert_eq!(
        a.steps.last(),
        Some(&SeatStep::AbsoluteMajority {
            list: l(1),
            outcome: AbsoluteMajorityOutcome::Transferred {
                from: l(2),
                by_lot: true
            }
        })
    );
}

// ---- ties ----

/// 19 seats, 1000 votes, quota 52 12/19. 600 -> 11, 250 -> 4, 150 -> 2: 2 remaining.
/// Averages 600/12 = 250/5 = 150/3 = 50: three lists tied for 2 seats. Seat 1: lot among
/// 1, 2, 3 (drawn 2). Seat 2: lists 1 and 3 still at 50, 1 seat: lot (drawn 3).
#[test]
fn tie_for_remaining_seats_one_drawing_per_seat() {
    let inp = gr(19, &[600, 250, 150]);
    let SeatOutcome::LotsNeeded(n1) = apportion_seats(&inp, &[]).unwrap() else {
        panic!()
    };
    assert_eq!(n1.drawing.tied, vec![l(1), l(2), l(3)]);
    assert_eq!(
        n1.drawing.purpose,
        SeatDrawingPurpose::RemainingSeat {
            seat: 1,
            rule: SeatRule::HighestAverages
        }
    );
    let lot1 = SeatLot {
        drawing: n1.drawing,
        drawn: l(2),
    };
    let SeatOutcome::LotsNeeded(n2) = apportion_seats(&inp, std::slice::from_ref(&lot1)).unwrap()
    else {
        panic!()
    };
    assert_eq!(n2.drawing.tied, vec![l(1), l(3)]);
    assert_eq!(n2.steps.len(), 1);
    let lot2 = SeatLot {
        drawing: n2.drawing,
        drawn: l(3),
    };
    let a = complete(&inp, &[lot1.clone(), lot2.clone()]);
    assert_eq!(seats(&a), vec![11, 5, 3]);
    assert_eq!(a.lots, vec![lot1, lot2]);
}

/// A tie in the largest remainders with fewer seats than tied lists: 15 seats, 1500 votes,
/// quota 100: 1050 / 225 / 225 -> 10, 2, 2 with remainders 50, 25, 25. 1 remaining seat:
/// list 1 (50). No tie. With 1000 / 250 / 250: 10, 2, 2, remainders 0, 50, 50 and
/// 1 remaining seat: lists 2 and 3 tie: lot.
#[test]
fn tie_in_largest_remainders() {
    assert_eq!(
        seats(&complete(&gr(15, &[1050, 225, 225]), &[])),
        vec![11, 2, 2]
    );
    let inp = gr(15, &[1000, 250, 250]);
    let SeatOutcome::LotsNeeded(n) = apportion_seats(&inp, &[]).unwrap() else {
        panic!()
    };
    assert_eq!(
        n.drawing,
        SeatDrawing {
            purpose: SeatDrawingPurpose::RemainingSeat {
                seat: 1,
                rule: SeatRule::LargestRemainders
            },
            tied: vec![l(2), l(3)],
        }
    );
}

/// A lot outcome must name a tied list, must match a tie, and must not be given twice.
#[test]
fn bad_lot_outcomes_are_refused() {
    let inp = gr(15, &[1000, 250, 250]);
    let drawing = SeatDrawing {
        purpose: SeatDrawingPurpose::RemainingSeat {
            seat: 1,
            rule: SeatRule::LargestRemainders,
        },
        tied: vec![l(2), l(3)],
    };
    let not_tied = SeatLot {
        drawing: drawing.clone(),
        drawn: l(1),
    };
    assert!(matches!(
        apportion_seats(&inp, &[not_tied]),
        Err(ApportionmentError::DrawnListNotTied { .. })
    ));
    let good = SeatLot {
        drawing: drawing.clone(),
        drawn: l(3),
    };
    assert!(matches!(
        apportion_seats(&inp, &[good.clone(), good.clone()]),
        Err(ApportionmentError::DuplicateLot {
            first: 0,
            second: 1
        })
    ));
    let stray = SeatLot {
        drawing: SeatDrawing {
            purpose: SeatDrawingPurpose::AbsoluteMajorityRetraction,
            tied: vec![l(1), l(2)],
        },
        drawn: l(1),
    };
    assert!(matches!(
        apportion_seats(&inp, &[good.clone(), stray]),
        Err(ApportionmentError::UnusedLot { index: 1, .. })
    ));
    assert_eq!(seats(&complete(&inp, &[good])), vec![10, 2, 3]);
}

// ---- input errors ----

#[test]
fn bad_input_is_refused() {
    assert_eq!(
        apportion_seats(&gr(0, &[1]), &[]),
        Err(ApportionmentError::NoSeats)
    );
    assert_eq!(
        apportion_seats(&gr(9, &[]), &[]),
        Err(ApportionmentError::NoLists)
    );
    assert_eq!(
        apportion_seats(&gr(1001, &[5]), &[]),
        Err(ApportionmentError::TooManySeats {
            seats: 1001,
            max: 1000
        })
    );
    assert!(matches!(
        apportion_seats(
            &input(ElectionCategory::GR, 1000, &[(5, 1000), (3, 1000)]),
            &[]
        ),
        Ok(SeatOutcome::Complete(_))
    ));
    assert_eq!(
        apportion_seats(&gr(9, &[0, 0]), &[]),
        Err(ApportionmentError::NoVotes)
    );
    assert_eq!(
        apportion_seats(&gr(9, &[u64::MAX, 1]), &[]),
        Err(ApportionmentError::VotesOverflow)
    );
    let mut dup = gr(9, &[5, 5]);
    dup.lists[1].list = l(1);
    assert_eq!(
        apportion_seats(&dup, &[]),
        Err(ApportionmentError::DuplicateList(l(1)))
    );
    for category in [
        ElectionCategory::EK,
        ElectionCategory::EP,
        ElectionCategory::ER,
        ElectionCategory::NR,
    ] {
        assert!(matches!(
            apportion_seats(&input(category, 9, &[(5, 9)]), &[]),
            Err(ApportionmentError::UnsupportedCategory { .. })
        ));
    }
}

/// Zero-vote lists never get a remaining seat; huge vote counts stay exact.
#[test]
fn zero_votes_and_huge_counts() {
    let a = complete(&gr(9, &[100, 0]), &[]);
    assert_eq!(seats(&a), vec![9, 0]);
    let big = u64::MAX / 2;
    let a = complete(&gr(45, &[big, big - 1, 1]), &[]);
    assert_eq!(a.lists.iter().map(|l| l.seats).sum::<u32>(), 45);
}

// ---- the printed steps ----

/// The report shows the quota, the table, every comparison with exact values, exclusions,
/// and the P 9 transfer decided by lot (same case as `p9_tie_for_the_last_seat_needs_a_lot`).
#[test]
fn report_shows_every_step() {
    let inp = gr(15, &[501, 250, 250]);
    let drawing = SeatDrawing {
        purpose: SeatDrawingPurpose::AbsoluteMajorityRetraction,
        tied: vec![l(2), l(3)],
    };
    let a = complete(
        &inp,
        &[SeatLot {
            drawing,
            drawn: l(2),
        }],
    );
    let text = a.to_string();
    assert!(text.contains("kiesdeler 66 11/15"), "{text}");
    // List 2's remainder: 250 - 3 * 66 11/15 = 49 4/5.
    assert!(
        text.contains("restzetel 1 (P 8 grootste overschotten): lijst 2, overschot 49 4/5"),
        "{text}"
    );
    assert!(text.contains("gelijk met lijsten 2, 3"), "{text}");
    // List 1: 501 - 7 * 66 11/15 = 33 13/15, compared but lower.
    assert!(
        text.contains(
            "vergeleken: 1: 33 13/15 (7 zetels); 2: 49 4/5 (3 zetels); 3: 49 4/5 (3 zetels)"
        ),
        "{text}"
    );
    println!("{text}");
    assert!(
        text.contains("van lijst 2, gaat naar lijst 1 (lijst 2 aangewezen door loting)"),
        "{text}"
    );
}

// ---- P 9 together with P 10 ----

/// The case of the issue: 12 seats, lists with 4, 3, 21, 9 and 3 votes and 2, 1, 8, 1 and 1
/// candidates. Total 40, quota 3 1/3, 75 % = 2 1/2. Full seats 1, 0, 6, 2, 0 (9); remaining
/// seats by largest remainders, without regard to candidates: list 2 (3), list 5 (3), list 4
/// (2 1/3): 1/1/6/3/1. P 9: list 3 has 21 > 20 votes but 6 = 12 / 2 seats: list 4's last
/// remaining seat goes to list 3: 1/1/7/2/1. P 10: list 4 has 2 seats and 1 candidate: it
/// gives up a full seat, which goes by continued largest remainders to a list with candidates
/// left and no largest-remainder seat yet: list 3 (remainder 1) before list 1 (2/3): 1/1/8/1/1.
/// Both P 9 and P 10 applied: the outcome says so.
#[test]
fn p9_then_p10_in_the_electoral_councils_order() {
    let inp = input(
        ElectionCategory::GR,
        12,
        &[(4, 2), (3, 1), (21, 8), (9, 1), (3, 1)],
    );
    let a = complete(&inp, &[]);
    assert_eq!(seats(&a), vec![1, 1, 8, 1, 1]);
    assert!(a.steps.contains(&SeatStep::AbsoluteMajority {
        list: l(3),
        outcome: AbsoluteMajorityOutcome::Transferred {
            from: l(4),
            by_lot: false
        }
    }));
    assert!(a.steps.contains(&SeatStep::ListExhausted {
        list: l(4),
        seats: 2,
        candidates: 1,
        remaining_given_up: 0,
        full_given_up: 1
    }));
    let SeatStep::RemainingSeat(last) = a.steps.last().unwrap() else {
        panic!("the last step is the seat given up by list 4")
    };
    assert_eq!(
        (last.seat, last.list, last.rule),
        (4, l(3), SeatRule::LargestRemainders)
    );
    assert_eq!(
        a.notices(),
        vec![ApportionmentNotice::AbsoluteMajorityAndListExhaustion]
    );
    assert_eq!(a.unfilled_seats, 0);
}

/// The majority list itself runs out of candidates after P 9: 10 seats, 100 votes, quota 10.
/// List 1: 55 votes, 5 candidates; lists 2 and 3: 27 and 18 votes, many candidates. Full
/// seats 5, 2, 1; the remaining seats go to list 3 (remainder 8) and list 2 (7). P 9: list 1
/// has 55 > 50 votes and 5 = 10 / 2 seats: list 2's seat moves to list 1 (6 seats). P 10:
/// list 1 has 6 seats and 5 candidates: it gives the seat up; by continued largest remainders
/// list 2 may take it again (the seat P 9 took back no longer counts against it), list 3 may
/// not (it had its largest-remainder seat): 5/3/2, with the notice.
#[test]
fn p9_seat_given_up_again_under_p10() {
    let inp = input(ElectionCategory::GR, 10, &[(55, 5), (27, MANY), (18, MANY)]);
    let a = complete(&inp, &[]);
    assert_eq!(seats(&a), vec![5, 3, 2]);
    assert_eq!(
        a.notices(),
        vec![ApportionmentNotice::AbsoluteMajorityAndListExhaustion]
    );
}

/// Bill 36 641 (when in force for the election's date): a council list below the quota takes
/// no remaining seat, as at a Tweede Kamer election. 19 seats, 1900 votes, quota 100: list 1
/// 1445 (14 full), list 2 360 (3 full), list 3 95 (0 full, below the quota). Under the Kieswet
/// as in force the 2 remaining seats go by highest averages: 1445/15 = 96 1/3 (list 1), then
/// 95/1 = 95 (list 3) before 1445/16 = 90 5/16 and 360/4 = 90; under the bill list 3 is left
/// out and list 1 takes the second seat too.
#[test]
fn bill_36641_quota_for_remaining_seats_both_sides() {
    let lists = [(1445, MANY), (360, MANY), (95, MANY)];
    let today = complete(&input(ElectionCategory::GR, 19, &lists), &[]);
    assert_eq!(seats(&today), vec![15, 3, 1]);
    assert_eq!(today.law, RemainingSeatLaw::Kieswet);
    let mut amended = input(ElectionCategory::GR, 19, &lists);
    amended.law = RemainingSeatLaw::Amended36641;
    let a = complete(&amended, &[]);
    assert_eq!(seats(&a), vec![16, 3, 0]);
    let SeatStep::RemainingSeat(second) = &a.steps[1] else {
        panic!()
    };
    assert!(
        second
            .excluded
            .iter()
            .any(|e| e.list == l(3) && e.reason == ExclusionReason::BelowQuota)
    );
}

/// Found by the monotonicity property (100 000 random councils): where P 9 and P 10 meet, more
/// votes can cost a list a seat, under the law as the Electoral Council applies it. 14 seats;
/// list 1: 1329 votes, 14 candidates; list 2: 941 votes, 2 candidates; list 3: 249 votes, 9
/// candidates (total 2519, quota 179 13/14). Full seats 7, 5, 1; list 1 takes the one
/// remaining seat by largest remainder (69 1/2) and has 8 > 7 seats: no P 9. P 10: list 2
/// gives up 3 seats; continued: list 3 (largest remainder), list 1 and list 3 (one per list):
/// 9/2/3. With 98 more votes for list 3 (347; total 2617): list 3's remainder is now the
/// largest, so list 1 has 7 = 14 / 2 seats and still more than half of the votes: P 9 takes
/// list 3's seat back; P 10: list 2 gives up 3; continued: list 3 (its seat taken back, it may
/// compete again), list 1 (no largest-remainder seat yet: the P 9 seat does not count, the
/// open point of abacus #3219) and list 1 again (one per list): 10/2/2. The notice tells the
/// committee to consult the Electoral Council; the monotonicity property leaves such councils
/// out.
#[test]
fn p9_with_p10_is_not_monotone() {
    let before = complete(
        &input(ElectionCategory::GR, 14, &[(1329, 14), (941, 2), (249, 9)]),
        &[],
    );
    assert_eq!(seats(&before), vec![9, 2, 3]);
    assert!(before.notices().is_empty());
    let after = complete(
        &input(ElectionCategory::GR, 14, &[(1329, 14), (941, 2), (347, 9)]),
        &[],
    );
    assert_eq!(seats(&after), vec![10, 2, 2]);
    assert_eq!(
        after.notices(),
        vec![ApportionmentNotice::AbsoluteMajorityAndListExhaustion]
    );
}
