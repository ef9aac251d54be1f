//! Water boards: the algemeen bestuur (AB), Kieswet chapter P as it applies to a water board.
//! Each rule its own hand-worked case (the arithmetic in the comment above the test); where
//! the rule differs from a municipal council's, the case shows both sides.
//!
//! What the law says (docs/apportionment-ab.md): the Kieswet's "algemeen bestuur" is only the
//! members of the category ingezetenen (Kieswet article 1.1; Waterschapswet article 12, second
//! paragraph, a); the appointed "geborgde zetels" (Waterschapswet article 14) are not elected,
//! and the definition's `NumberOfSeats` is the elected seats alone (AB2023 Limburg: 26 of 30
//! members). A water board is one kieskring (Kieswet E 1, third paragraph): no list groups.
//! P 7 / P 8 go by the number of seats, for every election; the quota for a remaining seat is
//! required at a Tweede Kamer election only (P 7, second paragraph); P 9 and P 10 apply; the
//! half-quota preference threshold is for municipal councils of fewer than 19 seats only
//! (P 15, second paragraph): a water board keeps 25 % at any size.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use tally_core::aggregate::outcome::{OutcomeError, SeatRules};
use tally_core::apportionment::{
    AbsoluteMajorityOutcome, CandidateInput, CandidateOutcome, CandidateVotes, ElectedBy, Fraction,
    ListCandidates, ListVotes, RemainingSeatLaw, SeatApportionment, SeatInput, SeatOutcome,
    SeatRule, SeatStep, apportion_seats, elect_candidates, preference_threshold_percent,
};
use tally_core::election::ElectionCategory;
use tally_core::eml::definition::{SourceFile, load_definition};
use tally_core::ids::{CandidatePosition, ListNumber};

const MANY: u32 = 100;

fn ab_with(law: RemainingSeatLaw, seats: u32, lists: &[(u64, u32)]) -> SeatInput {
    SeatInput {
        category: ElectionCategory::AB,
        law,
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

fn ab(seats: u32, votes: &[u64]) -> SeatInput {
    let lists: Vec<(u64, u32)> = votes.iter().map(|&v| (v, MANY)).collect();
    ab_with(RemainingSeatLaw::Kieswet, seats, &lists)
}

fn complete(input: &SeatInput) -> SeatApportionment {
    match apportion_seats(input, &[]).unwrap() {
        SeatOutcome::Complete(a) => a,
        SeatOutcome::LotsNeeded(n) => panic!("unexpected drawing of lots: {}", n.drawing),
    }
}

fn seats(a: &SeatApportionment) -> Vec<u32> {
    a.lists.iter().map(|l| l.seats).collect()
}

fn remaining(a: &SeatApportionment) -> Vec<(SeatRule, u32)> {
    a.steps
        .iter()
        .filter_map(|s| match s {
            SeatStep::RemainingSeat(r) => Some((r.rule, r.list.0)),
            _ => None,
        })
        .collect()
}

/// P 7, first paragraph: 26 seats (AB2023 Limburg's number) is 19 or more, so the remaining
/// seats go by highest averages.
///
/// Votes 5000 / 3000 / 1250 / 400 / 350, total 10 000, quota 10 000 / 26. Full seats
/// floor(v * 26 / 10 000): 13 (rest 0), 7 (rest .8), 3 (rest .25), 1 (rest .04), 0 (rest .91);
/// 24, so 2 remaining seats. Averages v / (seats + 1): 5000/14 = 357.1, 3000/8 = 375,
/// 1250/4 = 312.5, 400/2 = 200, 350/1 = 350. Seat 1: list 2 (375; then 3000/9 = 333.3).
/// Seat 2: list 1 (357.1). Result 14 / 8 / 3 / 1 / 0. (Largest remainders would have given
/// list 5 (.91) and list 2 (.8) the two seats: 13 / 8 / 3 / 1 / 1.)
#[test]
fn p7_highest_averages_from_19_seats() {
    let a = complete(&ab(26, &[5000, 3000, 1250, 400, 350]));
    assert_eq!(a.category, ElectionCategory::AB);
    assert_eq!(a.quota, Fraction::new(10_000, 26).unwrap());
    assert_eq!(a.full_seats, 24);
    assert_eq!(seats(&a), vec![14, 8, 3, 1, 0]);
    assert_eq!(
        remaining(&a),
        vec![
            (SeatRule::HighestAverages, 2),
            (SeatRule::HighestAverages, 1)
        ]
    );
}

/// P 8, first and second paragraph: a water board of 14 elected seats (18 members, 4
/// geborgde zetels) is below 19, so largest remainders, for lists with at least 75 % of
/// the quota.
///
/// Votes 4000 / 3000 / 1700 / 800 / 500, total 10 000, quota 10 000 / 14 = 714.29, 75 % of
/// it 535.71. Full seats floor(v * 14 / 10 000): 5 (rest .6), 4 (.2), 2 (.38), 1 (.12), 0
/// (.7); 12, so 2 remaining seats. List 5 (500 < 535.71) takes no part despite the largest
/// remainder. Seat 1: list 1 (.6); seat 2: list 3 (.38). Result 6 / 4 / 3 / 1 / 0.
/// (Highest averages would have given lists 1 and 2 the seats: 6 / 5 / 2 / 1 / 0.)
#[test]
fn p8_largest_remainders_below_19_seats_with_the_75_percent_threshold() {
    let a = complete(&ab(14, &[4000, 3000, 1700, 800, 500]));
    assert_eq!(seats(&a), vec![6, 4, 3, 1, 0]);
    assert_eq!(
        remaining(&a),
        vec![
            (SeatRule::LargestRemainders, 1),
            (SeatRule::LargestRemainders, 3)
        ]
    );
    assert!(!a.lists[4].meets_remainder_threshold);
    assert!(a.lists[3].meets_remainder_threshold);
}

/// P 8, third paragraph: when every list that may take a largest remainder has one and seats
/// are left, they go by highest averages, at most one per list.
///
/// 14 seats, votes 1185 / 70 / 70 / 75, total 1400, quota 100, 75 % = 75. Full seats: 11
/// (rest 85), 0 (70), 0 (70), 0 (75); 11, so 3 remaining. Largest remainders among lists of
/// at least 75 votes (lists 1 and 4; 75 is not "lager dan" 75 %): seat 1 list 1 (85), seat
/// 2 list 4 (75). Seat 3, highest averages one per list: 1185/13 = 91.2, 70/1, 70/1, 75/2 =
/// 37.5: list 1. Result 13 / 0 / 0 / 1.
#[test]
fn p8_third_paragraph_highest_averages_one_per_list() {
    let a = complete(&ab(14, &[1185, 70, 70, 75]));
    assert_eq!(seats(&a), vec![13, 0, 0, 1]);
    assert_eq!(
        remaining(&a),
        vec![
            (SeatRule::LargestRemainders, 1),
            (SeatRule::LargestRemainders, 4),
            (SeatRule::HighestAveragesOnePerList, 1)
        ]
    );
}

/// P 7, second paragraph: only at a Tweede Kamer election must a list reach the quota for a
/// remaining seat; a water board's list below the quota takes remaining seats. Bill 36 641
/// (not in force) would extend the requirement to water boards.
///
/// 19 seats, total 1900, quota 100. List 1: 1000 (10 full seats, next average 1000/11 =
/// 90.9); lists 2 to 10: 99, 98, ..., 91 (0 full seats each, below the quota); list 11: 45.
/// Nine remaining seats, by highest averages: 99, 98, ..., 91 all exceed 90.9, so lists 2 to
/// 10 take one each. Result 10, nine times 1, 0. P 9: list 1's 1000 of 1900 is an absolute
/// majority, and 10 of 19 seats is more than half: nothing changes. Under bill 36 641 lists 2
/// to 11 take no remaining seat: all nine go to list 1 (19 seats).
#[test]
fn p7_no_quota_required_for_remaining_seats_at_a_water_board() {
    let mut votes = vec![1000];
    votes.extend((91..=99).rev());
    votes.push(45);
    assert_eq!(votes.iter().sum::<u64>(), 1900);
    let a = complete(&ab(19, &votes));
    let mut expected = vec![10];
    expected.extend([1; 9]);
    expected.push(0);
    assert_eq!(seats(&a), expected);
    assert!(a.lists[1..].iter().all(|l| !l.reaches_quota));
    assert!(
        RemainingSeatLaw::Kieswet.quota_required(ElectionCategory::TK)
            && !RemainingSeatLaw::Kieswet.quota_required(ElectionCategory::AB)
    );

    let lists: Vec<(u64, u32)> = votes.iter().map(|&v| (v, MANY)).collect();
    let b = complete(&ab_with(RemainingSeatLaw::Amended36641, 19, &lists));
    let mut expected = vec![19];
    expected.extend([0; 10]);
    assert_eq!(seats(&b), expected);
}

/// P 9: a list with the absolute majority of the votes gets the absolute majority of the
/// seats, at a water board too; the seat comes from the list that got the last remaining
/// seat.
///
/// 14 seats, votes 710 / 350 / 340, total 1400, quota 100. Full seats 7 (rest 10), 3 (50), 3
/// (40); 13, one remaining seat by largest remainders: list 2 (50). List 1 has 710 > 700
/// votes but 7 of 14 seats, not more than half: it gets one more and list 2 gives its
/// remaining seat up. Result 8 / 3 / 3.
#[test]
fn p9_absolute_majority() {
    let a = complete(&ab(14, &[710, 350, 340]));
    assert_eq!(seats(&a), vec![8, 3, 3]);
    assert!(a.steps.iter().any(|s| matches!(
        s,
        SeatStep::AbsoluteMajority {
            list: ListNumber(1),
            outcome: AbsoluteMajorityOutcome::Transferred {
                from: ListNumber(2),
                by_lot: false
            }
        }
    )));
}

/// P 10: a list with more seats than candidates gives up the excess, which goes on by the
/// same rules to lists with candidates left.
///
/// 26 seats, votes 1300 / 1300, total 2600, quota 100: 13 full seats each. List 2 has 10
/// candidates: it gives up 3 full seats, and highest averages (26 seats) gives all three to
/// list 1 (the only list with candidates left). Result 16 / 10.
#[test]
fn p10_list_exhaustion() {
    let a = complete(&ab_with(
        RemainingSeatLaw::Kieswet,
        26,
        &[(1300, 20), (1300, 10)],
    ));
    assert_eq!(seats(&a), vec![16, 10]);
    assert!(a.steps.iter().any(|s| matches!(
        s,
        SeatStep::ListExhausted {
            list: ListNumber(2),
            full_given_up: 3,
            ..
        }
    )));
}

/// P 15: a water board keeps 25 % of the quota at any number of seats; only a municipal
/// council of fewer than 19 seats takes half the quota (second paragraph).
#[test]
fn p15_threshold_is_25_percent_for_a_water_board_of_any_size() {
    for seats in [9, 14, 18, 19, 26, 30] {
        assert_eq!(
            preference_threshold_percent(ElectionCategory::AB, seats),
            25
        );
    }
    assert_eq!(preference_threshold_percent(ElectionCategory::GR, 18), 50);
    assert_eq!(preference_threshold_percent(ElectionCategory::GR, 19), 25);
    assert_eq!(preference_threshold_percent(ElectionCategory::PS, 18), 25);
    assert_eq!(preference_threshold_percent(ElectionCategory::TK, 150), 25);
}

/// P 15 at a 14-seat water board: quota 100, threshold 25 % = 25 votes. A list with 2 seats
/// and candidates of 200, 10 and 30 votes: candidates 1 (200) and 3 (30 > 25) are elected
/// by preference, candidate 3 out of list order. With a council's 50 % (30 is not above 50)
/// candidate 2 would take the second seat in list order.
#[test]
fn p15_a_candidate_between_a_quarter_and_half_the_quota_is_elected() {
    let input = |percent| CandidateInput {
        quota: Fraction::new(100, 1).unwrap(),
        threshold_percent: percent,
        lists: vec![ListCandidates {
            list: ListNumber(1),
            seats: 2,
            candidates: [200, 10, 30]
                .iter()
                .enumerate()
                .map(|(i, &votes)| CandidateVotes {
                    position: CandidatePosition(u32::try_from(i + 1).unwrap()),
                    votes,
                    deceased: false,
                })
                .collect(),
            differs_per_district: false,
        }],
    };
    let elected = |percent| match elect_candidates(&input(percent), &[]).unwrap() {
        CandidateOutcome::Complete(c) => c.lists[0]
            .elected
            .iter()
            .map(|e| (e.position.0, e.by))
            .collect::<Vec<_>>(),
        CandidateOutcome::LotsNeeded(d) => panic!("unexpected drawing: {d}"),
    };
    let law = preference_threshold_percent(ElectionCategory::AB, 14);
    assert_eq!(
        elected(law),
        vec![(1, ElectedBy::Preference), (3, ElectedBy::Preference)]
    );
    assert_eq!(
        elected(50),
        vec![(1, ElectedBy::Preference), (2, ElectedBy::ListOrder)]
    );
}

/// A definition whose `PreferenceThreshold` is not the one P 15 sets is refused before any
/// candidate is elected: a 14-seat water board with 50 % (a council's rule), a 17-seat
/// council with 25 %; the right values pass.
#[test]
fn p15_a_definition_with_the_wrong_threshold_is_refused() {
    let rules = |category, seats, preference_threshold| SeatRules {
        category,
        seats,
        preference_threshold,
        law: RemainingSeatLaw::Kieswet,
    };
    assert_eq!(
        rules(ElectionCategory::AB, 14, 50).check_preference_threshold(),
        Err(OutcomeError::PreferenceThreshold {
            category: ElectionCategory::AB,
            seats: 14,
            definition: 50,
            law: 25
        })
    );
    let e = rules(ElectionCategory::AB, 14, 50)
        .check_preference_threshold()
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "the definition's PreferenceThreshold is 50 %, but Kieswet P 15 sets 25 % for a AB election of 14 seats"
    );
    assert!(
        rules(ElectionCategory::GR, 17, 25)
            .check_preference_threshold()
            .is_err()
    );
    assert!(
        rules(ElectionCategory::AB, 14, 25)
            .check_preference_threshold()
            .is_ok()
    );
    assert!(
        rules(ElectionCategory::GR, 17, 50)
            .check_preference_threshold()
            .is_ok()
    );
}

/// The real AB2023 Limburg definition: a water board of 26 elected seats (30 members, 4
/// geborgde zetels not in the definition), 25 %, under the Kieswet as in force; its rules
/// pass the P 15 check, and its seats are apportioned by highest averages.
#[test]
fn real_ab2023_limburg_definition() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eml/real/Verkiezingsdefinitie_AB2023_Limburg.eml.xml");
    let bytes = std::fs::read(&path).unwrap();
    let election = load_definition(&SourceFile::new(
        "Verkiezingsdefinitie_AB2023_Limburg.eml.xml",
        &bytes,
    ))
    .unwrap();
    let rules = SeatRules::of(&election);
    assert_eq!(rules.category, ElectionCategory::AB);
    assert_eq!(rules.seats, 26);
    assert_eq!(rules.preference_threshold, 25);
    assert_eq!(rules.law, RemainingSeatLaw::Kieswet);
    rules.check_preference_threshold().unwrap();
    let a = complete(&rules.seat_input(vec![
        ListVotes {
            list: ListNumber(1),
            votes: 5000,
            candidates: MANY,
        },
        ListVotes {
            list: ListNumber(2),
            votes: 3000,
            candidates: MANY,
        },
    ]));
    assert!(
        remaining(&a)
            .iter()
            .all(|(rule, _)| *rule == SeatRule::HighestAverages)
    );
}
