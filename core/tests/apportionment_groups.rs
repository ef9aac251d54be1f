//! Hand-worked cases for the election of candidates of a list group or a list not submitted
//! in every kieskring (Kieswet P 12, P 13, P 15 - P 18, P 19, P 19a), one rule per test.
//! Every expectation is worked out by hand in the comment above it; nothing expected is
//! computed by the code under test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use tally_core::apportionment::{
    CandidateInput, CandidateOutcome, CandidateVotes, ElectedBy, Fraction, GroupCandidate,
    GroupDrawing, GroupDrawn, GroupElection, GroupError, GroupInput, GroupList, GroupLot,
    GroupOutcome, GroupSeatRule, GroupStep, ListCandidates, elect_candidates, elect_group,
};
use tally_core::ids::{CandidatePosition, ListNumber};

/// A list of the group for `districts`, with `votes` and candidates (key, votes) at
/// positions 1...
fn list(districts: &[u32], votes: u64, candidates: &[(&str, u64)]) -> GroupList {
    GroupList {
        districts: districts.to_vec(),
        votes,
        candidates: candidates
            .iter()
            .enumerate()
            .map(|(i, (k, v))| GroupCandidate {
                key: (*k).to_owned(),
                position: CandidatePosition(u32::try_from(i + 1).unwrap()),
                votes: *v,
            })
            .collect(),
    }
}

/// Group 3 with `seats`, a national quota of `quota` (threshold 25 %: a quarter of it).
fn group(seats: u32, quota: u64, lists: Vec<GroupList>, deceased: &[&str]) -> GroupInput {
    GroupInput {
        group: ListNumber(3),
        seats,
        quota: Fraction::from_integer(quota),
        threshold_percent: 25,
        lists,
        deceased: deceased
            .iter()
            .map(|d| (*d).to_owned())
            .collect::<BTreeSet<_>>(),
    }
}

fn done(o: Result<GroupOutcome, GroupError>) -> GroupElection {
    match o.unwrap() {
        GroupOutcome::Complete(e) => *e,
        GroupOutcome::LotsNeeded(d) => panic!("unexpected drawing: {d}"),
    }
}

/// (list id, seats) per list.
fn seats(e: &GroupElection) -> Vec<(u32, u32)> {
    e.lists.iter().map(|l| (l.id, l.seats)).collect()
}

/// (key, list id, how) per elected candidate, in the order elected.
fn elected(e: &GroupElection) -> Vec<(String, u32, ElectedBy)> {
    e.elected
        .iter()
        .map(|c| (c.key.clone(), c.list, c.by))
        .collect()
}

fn el(key: &str, list: u32, by: ElectedBy) -> (String, u32, ElectedBy) {
    (key.to_owned(), list, by)
}

/// `n` candidates `p1`.. with no votes worth mentioning (1 each).
fn plain(prefix: &str, n: usize) -> Vec<(String, u64)> {
    (1..=n).map(|i| (format!("{prefix}{i}"), 1)).collect()
}

fn refs(v: &[(String, u64)]) -> Vec<(&str, u64)> {
    v.iter().map(|(k, n)| (k.as_str(), *n)).collect()
}

use ElectedBy::{ListOrder as L, Preference as P};

/// P 12: 10 seats, lists of kieskring 1, 2 and 3 with 530, 270 and 200 votes. Group quota
/// 1000 / 10 = 100; full seats 5, 2, 2 (9); remainders 30, 70, 0: the tenth seat to the
/// list of kieskring 2. Seats 5, 3, 2. No candidate reaches 25 % of the national quota
/// (10 000 / 4 = 2500), so each list's seats go in list order (P 17).
#[test]
fn p12_group_seats_over_its_lists_by_group_quota_and_largest_remainder() {
    let a = plain("a", 8);
    let b = plain("b", 8);
    let c = plain("c", 8);
    let e = done(elect_group(
        &group(
            10,
            10_000,
            vec![
                list(&[1], 530, &refs(&a)),
                list(&[2], 270, &refs(&b)),
                list(&[3], 200, &refs(&c)),
            ],
            &[],
        ),
        &[],
    ));
    assert_eq!(e.group_quota, Fraction::from_integer(100));
    assert_eq!(seats(&e), [(1, 5), (2, 3), (3, 2)]);
    assert_eq!(
        e.lists.iter().map(|l| l.full_seats).collect::<Vec<_>>(),
        [5, 2, 2]
    );
    assert_eq!(e.lists[1].remainder, Fraction::from_integer(70));
    assert_eq!(
        e.steps[0],
        GroupStep::RemainingSeat {
            list: 2,
            rule: GroupSeatRule::LargestRemainder,
            value: Fraction::from_integer(70),
            by_lot: false
        }
    );
    let keys: Vec<String> = e.elected.iter().map(|c| c.key.clone()).collect();
    assert_eq!(
        keys,
        ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "c1", "c2"]
    );
    assert!(e.elected.iter().all(|c| c.by == L));
}

/// P 12 fifth paragraph, "Indien overschotten gelijk zijn, beslist zo nodig het lot": 3
/// seats, lists with 150, 150 and 20 votes (320, group quota 106 2/3): full seats 1, 1, 0
/// (2); remainders 43 1/3, 43 1/3 and 20: one seat left, two lists tied: a drawing. The
/// drawn list gets it; a drawn list that was not tied, a lot that matches no tie, and two
/// lots for one drawing are refused.
#[test]
fn p12_equal_remainders_are_decided_by_lot() {
    let a = plain("a", 3);
    let b = plain("b", 3);
    let c = plain("c", 3);
    let input = group(
        3,
        10_000,
        vec![
            list(&[1], 150, &refs(&a)),
            list(&[2], 150, &refs(&b)),
            list(&[3], 20, &refs(&c)),
        ],
        &[],
    );
    let drawing = GroupDrawing::RemainingSeat {
        group: ListNumber(3),
        seat: 1,
        tied: vec![1, 2],
    };
    assert_eq!(
        elect_group(&input, &[]).unwrap(),
        GroupOutcome::LotsNeeded(drawing.clone())
    );
    let lot = GroupLot {
        drawing: drawing.clone(),
        drawn: GroupDrawn::List(2),
    };
    let e = done(elect_group(&input, std::slice::from_ref(&lot)));
    assert_eq!(seats(&e), [(1, 1), (2, 2), (3, 0)]);
    assert_eq!(e.lots, std::slice::from_ref(&lot));
    assert!(matches!(
        e.steps[0],
        GroupStep::RemainingSeat {
            list: 2,
            by_lot: true,
            ..
        }
    ));
    // Kieskring 3 was not tied.
    let wrong = GroupLot {
        drawing: drawing.clone(),
        drawn: GroupDrawn::List(3),
    };
    assert!(matches!(
        elect_group(&input, &[wrong]),
        Err(GroupError::DrawnNotTied { .. })
    ));
    // A lot for a tie that does not occur.
    let unused = GroupLot {
        drawing: GroupDrawing::PreferenceSeat {
            group: ListNumber(3),
            seat: 1,
            tied: vec!["a1".into(), "b1".into()],
        },
        drawn: GroupDrawn::Candidate("a1".into()),
    };
    assert!(matches!(
        elect_group(&input, &[lot.clone(), unused]),
        Err(GroupError::UnusedLot { index: 1, .. })
    ));
    assert!(matches!(
        elect_group(&input, &[lot.clone(), lot]),
        Err(GroupError::DuplicateLot {
            first: 0,
            second: 1
        })
    ));
}

/// P 13: 5 seats, lists with 710, 190 and 100 votes (1000, group quota 200). Full seats 3,
/// 0, 0; but the list of kieskring 1 has 2 candidates: it gives up 1 seat (first paragraph),
/// so 3 seats are left. Largest remainders among the lists with candidates left: kieskring 2
/// (190), kieskring 3 (100). One seat is still left and every list that can take one has had
/// a remaining seat: highest averages (second paragraph): 190 / 2 = 95 against 100 / 2 = 50:
/// kieskring 2. Seats 2, 2, 1.
#[test]
fn p13_a_list_with_too_few_candidates_passes_its_seats_on() {
    let b = plain("b", 5);
    let c = plain("c", 5);
    let e = done(elect_group(
        &group(
            5,
            10_000,
            vec![
                list(&[1], 710, &[("a1", 1), ("a2", 1)]),
                list(&[2], 190, &refs(&b)),
                list(&[3], 100, &refs(&c)),
            ],
            &[],
        ),
        &[],
    ));
    assert_eq!(seats(&e), [(1, 2), (2, 2), (3, 1)]);
    assert_eq!(e.lists[0].gave_up, 1);
    assert_eq!(
        e.steps[0],
        GroupStep::ListExhausted {
            list: 1,
            candidates: 2,
            gave_up: 1
        }
    );
    assert_eq!(
        e.steps[3],
        GroupStep::RemainingSeat {
            list: 2,
            rule: GroupSeatRule::HighestAverage,
            value: Fraction::from_integer(95),
            by_lot: false
        }
    );
}

/// P 15, "op de gezamenlijke lijsten waarop zij voorkomen": national quota 1000, threshold
/// 250. Candidate X has 150 votes on the list of kieskring 1 and 140 on that of kieskring 2:
/// 290 together, more than 250, though on neither list alone. X is elected by preference;
/// P 16: on the list with the most votes for X, kieskring 1 (150 > 140), although X is
/// second there and first on the other list.
#[test]
fn p15_votes_summed_over_the_lists_where_the_candidate_stands_and_p16_the_list_with_most() {
    let e = done(elect_group(
        &group(
            2,
            1000,
            vec![
                list(&[1], 300, &[("a1", 100), ("X", 150), ("a3", 50)]),
                list(&[2], 300, &[("X", 140), ("b2", 100), ("b3", 60)]),
            ],
            &[],
        ),
        &[],
    ));
    assert_eq!(seats(&e), [(1, 1), (2, 1)]);
    assert_eq!(e.reaching_threshold, ["X"]);
    assert_eq!(e.elected[0].votes, 290);
    assert_eq!(e.elected[0].votes_on_list, 150);
    assert_eq!(e.elected[0].position, CandidatePosition(2));
    // X takes list 1's seat; list 2's seat goes in list order to b2 (X is elected).
    assert_eq!(elected(&e), [el("X", 1, P), el("b2", 2, L)]);
}

/// P 16, "Voor zover aantallen gelijk zijn, geldt hij als gekozen op de lijst, ingeleverd voor
/// de kieskring, met het laagste nummer": X has 150 votes on the lists of kieskring 2 and
/// kieskring 5 alike; the list of kieskring 2 is given as the second list here, so the order
/// of the input does not decide.
#[test]
fn p16_equal_votes_the_list_of_the_lowest_kieskring() {
    let e = done(elect_group(
        &group(
            2,
            1000,
            vec![
                list(&[5, 7], 300, &[("X", 150), ("e2", 150)]),
                list(&[2], 300, &[("d1", 150), ("X", 150)]),
            ],
            &[],
        ),
        &[],
    ));
    assert_eq!(elected(&e)[0], el("X", 2, P));
    // The list of kieskring 5 and 7 fills its seat in list order, skipping X: e2.
    assert_eq!(elected(&e)[1], el("e2", 5, L));
}

/// P 16, "voor zover aan die lijst voldoende zetels zijn toegewezen": quota 1000, threshold
/// 250. 2 seats, lists with 600 and 400 votes, group quota 500: full seats 1 and 0,
/// remainders 100 and 400: the second seat to list 2. A1 has 400 votes on list 1 and is
/// elected first, on list 1. X has 200 on list 1 and 100 on list 2 (300 together): X's best
/// list, 1, has no seat left, so X is elected on list 2, where X has fewer votes.
#[test]
fn p16_the_best_list_with_a_seat_left() {
    let e = done(elect_group(
        &group(
            2,
            1000,
            vec![
                list(&[1], 600, &[("A1", 400), ("X", 200)]),
                list(&[2], 400, &[("B1", 100), ("X", 100), ("B3", 200)]),
            ],
            &[],
        ),
        &[],
    ));
    assert_eq!(seats(&e), [(1, 1), (2, 1)]);
    // A1 (400) before X (300), both above 250.
    assert_eq!(elected(&e), [el("A1", 1, P), el("X", 2, P)]);
}

/// P 15 and P 16 when the list with the most votes is full, and the order among equal votes
/// decides who fills it (the case where the random comparison with the test's oracle,
/// `apportionment_groups_properties.rs`, disagreed; docs/apportionment-p18-p19.md).
///
/// National quota 100, threshold 25 % = 25. 2 seats, lists of kieskring 1 and 2 with 100
/// votes each: group quota 100, full seats 1 and 1 (P 12). Y has 50 + 10 = 60 votes, X has
/// 40 + 20 = 60: both above 25 and both elected (P 15, "voor zover [...] voldoende zetels":
/// two seats, so "Indien aantallen gelijk zijn, beslist zo nodig het lot" needs no drawing).
/// Equal votes are taken in list order, the list of the lowest kieskring first (as Abacus
/// keeps the list order of equal votes): Y (position 1 there) before X (position 2).
/// P 16: Y is elected on the list with the most votes for Y, kieskring 1 (50 > 10), which has
/// a seat. X has the most votes on kieskring 1 too (40 > 20), but "voor zover aan die lijst
/// voldoende zetels zijn toegewezen": its one seat is Y's, so X is elected on the list of
/// kieskring 2, which still has a seat. The second paragraph (a seat moved) applies only "[i]ndien
/// aan geen van de lijsten waarop de gekozen kandidaat is vermeld, voldoende zetels zijn
/// toegewezen": not here. (The oracle took equal votes in the order of their keys, X before
/// Y, and so placed X on kieskring 1: an order no article gives.)
#[test]
fn p16_best_list_full_equal_votes_in_list_order() {
    let e = done(elect_group(
        &group(
            2,
            100,
            vec![
                list(&[1], 100, &[("Y", 50), ("X", 40), ("a3", 5)]),
                list(&[2], 100, &[("b1", 5), ("X", 20), ("Y", 10)]),
            ],
            &[],
        ),
        &[],
    ));
    assert_eq!(seats(&e), [(1, 1), (2, 1)]);
    assert!(e.lots.is_empty());
    assert_eq!(e.reaching_threshold, ["Y", "X"]);
    assert_eq!(elected(&e), [el("Y", 1, P), el("X", 2, P)]);
    assert_eq!(e.elected[1].votes, 60);
    assert_eq!(e.elected[1].votes_on_list, 20);
    assert_eq!(e.elected[1].position, CandidatePosition(2));
    // Nothing moved under P 16 second paragraph.
    assert!(e.lists.iter().all(|l| l.taken == 0 && l.added == 0));
}

/// P 16 second paragraph: 4 seats, national quota 100 (threshold 25). Lists of kieskring 1,
/// 2 and 3 with 350, 40 and 10 votes (400, group quota 100): full seats 3, 0, 0; one seat
/// left, largest remainders 50, 40, 10: kieskring 1. X stands only on the list of kieskring
/// 2, which has no seat, with 30 votes (> 25): X gets a seat there all the same, and the seat
/// last assigned under P 12 (kieskring 1's remaining seat) lapses. Seats 3, 1, 0.
#[test]
fn p16_second_paragraph_the_last_p12_seat_moves_to_the_candidate() {
    let a = plain("a", 5);
    let e = done(elect_group(
        &group(
            4,
            100,
            vec![
                list(&[1], 350, &refs(&a)),
                list(&[2], 40, &[("X", 30), ("b2", 10)]),
                list(&[3], 10, &[("c1", 10)]),
            ],
            &[],
        ),
        &[],
    ));
    assert_eq!(seats(&e), [(1, 3), (2, 1), (3, 0)]);
    assert_eq!(e.lists[0].taken, 1);
    assert_eq!(e.lists[1].added, 1);
    assert!(e.steps.contains(&GroupStep::PreferenceSeatMoved {
        candidate: "X".into(),
        list: 2,
        taken_from: 1,
        by_lot: false
    }));
    assert_eq!(
        elected(&e),
        [
            el("X", 2, P),
            el("a1", 1, L),
            el("a2", 1, L),
            el("a3", 1, L)
        ]
    );
}

/// P 15, "Indien aantallen gelijk zijn, beslist zo nodig het lot": one seat, two candidates
/// on different lists of the group with 300 votes each (threshold 250): a drawing.
#[test]
fn p15_equal_votes_for_the_last_preference_seat_by_lot() {
    let input = group(
        1,
        1000,
        vec![
            list(&[1], 300, &[("X", 300)]),
            list(&[2], 300, &[("Y", 300)]),
        ],
        &[],
    );
    // Group quota 600; full seats 0, 0; remainders 300, 300: the seat itself is a drawing
    // first (P 12).
    let seat = GroupDrawing::RemainingSeat {
        group: ListNumber(3),
        seat: 1,
        tied: vec![1, 2],
    };
    assert_eq!(
        elect_group(&input, &[]).unwrap(),
        GroupOutcome::LotsNeeded(seat.clone())
    );
    let seat_lot = GroupLot {
        drawing: seat,
        drawn: GroupDrawn::List(1),
    };
    let pref = GroupDrawing::PreferenceSeat {
        group: ListNumber(3),
        seat: 1,
        tied: vec!["X".into(), "Y".into()],
    };
    assert_eq!(
        elect_group(&input, std::slice::from_ref(&seat_lot)).unwrap(),
        GroupOutcome::LotsNeeded(pref.clone())
    );
    // Y is drawn: Y's list (kieskring 2) has no seat, so P 16 second paragraph moves the
    // seat of kieskring 1 (the last and only one under P 12) to it.
    let e = done(elect_group(
        &input,
        &[
            seat_lot,
            GroupLot {
                drawing: pref,
                drawn: GroupDrawn::Candidate("Y".into()),
            },
        ],
    ));
    assert_eq!(elected(&e), [el("Y", 2, P)]);
    assert!(e.elected[0].by_lot);
    assert_eq!(seats(&e), [(1, 0), (2, 1)]);
}

/// P 17 and P 18: four lists with one seat each (100 votes each, group quota 100), no
/// preference votes worth mentioning.
/// - Round 1 (P 17): kieskring 1 elects Y, 2 elects Y, 3 elects V, 5 elects V.
/// - P 18 first paragraph: Y has 10 votes on list 1 and 20 on list 2: Y is elected on list 2;
///   V has 5 on list 3 and 5 on list 5: equal, the lowest kieskring, 3.
/// - Round 2 (P 18 second paragraph): list 1's next candidate not elected is W; list 5's next
///   is W too: W has 3 votes on list 1 and 4 on list 5: elected on list 5.
/// - Round 3 (third paragraph, repeated): list 1's next is a3.
#[test]
fn p18_elected_on_several_lists_keeps_the_list_with_most_votes_repeated() {
    let e = done(elect_group(
        &group(
            4,
            1_000_000,
            vec![
                list(&[1], 100, &[("Y", 10), ("W", 3), ("a3", 1)]),
                list(&[2], 100, &[("Y", 20), ("b2", 1)]),
                list(&[3], 100, &[("V", 5), ("c2", 1)]),
                list(&[5], 100, &[("V", 5), ("W", 4), ("e3", 1)]),
            ],
            &[],
        ),
        &[],
    ));
    assert_eq!(seats(&e), [(1, 1), (2, 1), (3, 1), (5, 1)]);
    let mut got = elected(&e);
    got.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    assert_eq!(
        got,
        [el("V", 3, L), el("W", 5, L), el("Y", 2, L), el("a3", 1, L)]
    );
    let several: Vec<&GroupStep> = e
        .steps
        .iter()
        .filter(|s| matches!(s, GroupStep::ElectedOnSeveralLists { .. }))
        .collect();
    assert_eq!(
        several,
        [
            &GroupStep::ElectedOnSeveralLists {
                candidate: "Y".into(),
                lists: vec![1, 2],
                kept: 2,
                round: 1
            },
            &GroupStep::ElectedOnSeveralLists {
                candidate: "V".into(),
                lists: vec![3, 5],
                kept: 3,
                round: 1
            },
            &GroupStep::ElectedOnSeveralLists {
                candidate: "W".into(),
                lists: vec![1, 5],
                kept: 5,
                round: 2
            },
        ]
    );
    // W's position is that on the list of its seat (kieskring 5: position 2).
    let w = e.elected.iter().find(|c| c.key == "W").unwrap();
    assert_eq!(w.position, CandidatePosition(2));
    assert_eq!(w.votes, 7);
    assert_eq!(w.votes_on_list, 4);
    assert_eq!(
        w.stands_on,
        [(1, CandidatePosition(2)), (5, CandidatePosition(2))]
    );
}

/// P 19a, "Indien een kandidaat is overleden, wordt deze bij de toepassing van deze paragraaf
/// buiten beschouwing gelaten": 2 seats, threshold 250. D (deceased) has 400 votes and would
/// be elected by preference; X has 300 and is. List order then skips D (first on list 2):
/// b2. D is named as passed over, and left out of the ranking (P 19).
#[test]
fn p19a_a_deceased_candidate_is_passed_over() {
    let input = group(
        2,
        1000,
        vec![
            list(&[1], 500, &[("X", 300), ("a2", 200)]),
            list(&[2], 500, &[("D", 400), ("b2", 100)]),
        ],
        &["D"],
    );
    let e = done(elect_group(&input, &[]));
    assert_eq!(elected(&e), [el("X", 1, P), el("b2", 2, L)]);
    assert_eq!(e.deceased, ["D"]);
    assert_eq!(e.reaching_threshold, ["X"]);
    assert!(e.steps.contains(&GroupStep::Deceased {
        candidate: "D".into()
    }));
    assert_eq!(e.lists[1].ranking, ["b2"]);
    // Without the death: D is elected by preference on list 2.
    let alive = GroupInput {
        deceased: BTreeSet::new(),
        ..input
    };
    let e = done(elect_group(&alive, &[]));
    assert_eq!(elected(&e), [el("D", 2, P), el("X", 1, P)]);
}

/// P 19: each list's ranking: first the candidates elected by preference (P 15) in the order
/// elected, then the others with more votes than the threshold in order of votes (equal
/// votes: list order), then the rest in list order; P 18 plays no part ("Bij de
/// rangschikking blijft artikel P 18 buiten toepassing"). Threshold 250; 1 seat.
/// List 1: a1 (10), X (200 here, 260 together with list 2), Z (251), a4 (270).
/// a4 (270) takes the one seat by preference; X and Z are above the threshold, not elected.
/// Ranking of list 1: a4 (P 15), then X (260) before Z (251), then a1.
#[test]
fn p19_ranking_of_each_list() {
    let e = done(elect_group(
        &group(
            1,
            1000,
            vec![
                list(
                    &[1],
                    800,
                    &[("a1", 10), ("X", 200), ("Z", 251), ("a4", 270)],
                ),
                list(&[2], 100, &[("X", 60), ("b2", 40)]),
            ],
            &[],
        ),
        &[],
    ));
    assert_eq!(elected(&e), [el("a4", 1, P)]);
    assert_eq!(e.lists[0].ranking, ["a4", "X", "Z", "a1"]);
    assert_eq!(e.lists[1].ranking, ["X", "b2"]);
}

/// A list submitted in some kieskringen only, the same everywhere (H 11 first paragraph, P 2:
/// "geldt voor de vaststelling van de uitslag van de verkiezing als één lijst"): one list
/// of the group. Its election equals that of the same list by `elect_candidates`.
#[test]
fn p2_a_set_of_identical_lists_not_everywhere_is_one_list() {
    let votes: [u64; 6] = [120, 400, 90, 260, 5, 300];
    let keys = ["c1", "c2", "c3", "c4", "c5", "c6"];
    let candidates: Vec<(&str, u64)> = keys.iter().copied().zip(votes).collect();
    let e = done(elect_group(
        &group(
            3,
            1000,
            vec![list(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1175, &candidates)],
            &[],
        ),
        &[],
    ));
    let single = CandidateInput {
        quota: Fraction::from_integer(1000),
        threshold_percent: 25,
        lists: vec![ListCandidates {
            list: ListNumber(3),
            seats: 3,
            candidates: votes
                .iter()
                .enumerate()
                .map(|(i, v)| CandidateVotes {
                    position: CandidatePosition(u32::try_from(i + 1).unwrap()),
                    votes: *v,
                    deceased: false,
                })
                .collect(),
            differs_per_district: false,
        }],
    };
    let CandidateOutcome::Complete(s) = elect_candidates(&single, &[]).unwrap() else {
        panic!()
    };
    let theirs: Vec<(u32, ElectedBy)> = s.lists[0]
        .elected
        .iter()
        .map(|c| (c.position.0, c.by))
        .collect();
    let ours: Vec<(u32, ElectedBy)> = e.elected.iter().map(|c| (c.position.0, c.by)).collect();
    // By hand: c2 (400) and c6 (300) and c4 (260) are above 250: all three by preference.
    assert_eq!(theirs, [(2, P), (6, P), (4, P)]);
    assert_eq!(ours, theirs);
}

/// What the law does not allow or does not decide is refused, never guessed.
#[test]
fn bad_input_and_what_the_law_leaves_open_is_refused() {
    let one = |k: &str| list(&[1], 10, &[(k, 10)]);
    // A kieskring with two lists of the group.
    assert!(matches!(
        elect_group(
            &group(1, 100, vec![one("a"), list(&[1, 2], 10, &[("b", 10)])], &[]),
            &[]
        ),
        Err(GroupError::DistrictTwice { district: 1, .. })
    ));
    // Kieskringen not ascending.
    assert!(matches!(
        elect_group(
            &group(1, 100, vec![list(&[3, 2], 10, &[("a", 10)])], &[]),
            &[]
        ),
        Err(GroupError::Districts { .. })
    ));
    // A candidate twice on one list.
    assert!(matches!(
        elect_group(
            &group(1, 100, vec![list(&[1], 10, &[("a", 5), ("a", 5)])], &[]),
            &[]
        ),
        Err(GroupError::Candidates { .. })
    ));
    // Seats but no votes.
    assert!(matches!(
        elect_group(&group(1, 100, vec![list(&[1], 0, &[("a", 0)])], &[]), &[]),
        Err(GroupError::NoVotes(_))
    ));
    // More seats than the group's candidates can fill.
    assert!(matches!(
        elect_group(
            &group(3, 100, vec![one("a"), list(&[2], 10, &[("b", 10)])], &[]),
            &[]
        ),
        Err(GroupError::TooFewCandidates { .. })
    ));
    // The only candidate of a one-seat group is deceased.
    assert!(matches!(
        elect_group(&group(1, 100, vec![one("a")], &["a"]), &[]),
        Err(GroupError::TooFewCandidates { .. })
    ));
    // P 16 second paragraph with no remaining seat left to take: 2 seats, quota 100
    // (threshold 25). Lists with 1000 and 52 votes (group quota 526): full seats 1 and 0,
    // the remaining seat to list 1 (remainder 474 against 52). X and Y (26 each) are elected
    // by preference, on list 2, which has no seat: X takes list 1's remaining seat (P 16
    // second paragraph); for Y only list 1's full seat is left, and the law names only "de
    // zetel die met toepassing van artikel P 12 of P 13 het laatst was toegewezen": refused.
    assert!(matches!(
        elect_group(
            &group(
                2,
                100,
                vec![
                    list(&[1], 1000, &[("a1", 1), ("a2", 1)]),
                    list(&[2], 52, &[("X", 26), ("Y", 26)])
                ],
                &[]
            ),
            &[]
        ),
        Err(GroupError::SeatCannotMove { candidate, .. }) if candidate == "Y"
    ));
    // Threshold.
    assert!(matches!(
        elect_group(
            &GroupInput {
                threshold_percent: 0,
                ..group(1, 100, vec![one("a")], &[])
            },
            &[]
        ),
        Err(GroupError::ThresholdPercent(0))
    ));
}

/// P 16 second paragraph names "de zetel die met toepassing van artikel P 12 of P 13 het
/// laatst was toegewezen" (P 9 has a drawing for equal last seats; P 16 says nothing). 4 seats, quota 100 (threshold 25); lists with 150, 150 and 30 votes (330,
/// group quota 82 1/2): full seats 1, 1, 0; remainders 67 1/2, 67 1/2, 30: the two remaining
/// seats go at once to kieskring 1 and 2, for the same remainder. X (30 > 25, on list 3 only,
/// which has no seat) needs one of them: which one was "last" is not in the numbers, so a
/// drawing decides between the two lists; the drawn list gives up the seat.
#[test]
fn p16_second_paragraph_equal_last_seats_by_lot() {
    let a = plain("a", 3);
    let b = plain("b", 3);
    let input = group(
        4,
        100,
        vec![
            list(&[1], 150, &refs(&a)),
            list(&[2], 150, &refs(&b)),
            list(&[3], 30, &[("X", 30)]),
        ],
        &[],
    );
    let drawing = GroupDrawing::Retraction {
        group: ListNumber(3),
        candidate: "X".into(),
        tied: vec![1, 2],
    };
    assert_eq!(
        elect_group(&input, &[]).unwrap(),
        GroupOutcome::LotsNeeded(drawing.clone())
    );
    let e = done(elect_group(
        &input,
        &[GroupLot {
            drawing,
            drawn: GroupDrawn::List(2),
        }],
    ));
    assert_eq!(seats(&e), [(1, 2), (2, 1), (3, 1)]);
    assert!(e.steps.contains(&GroupStep::PreferenceSeatMoved {
        candidate: "X".into(),
        list: 3,
        taken_from: 2,
        by_lot: true
    }));
    assert_eq!(
        elected(&e),
        [
            el("X", 3, P),
            el("a1", 1, L),
            el("a2", 1, L),
            el("b1", 2, L)
        ]
    );
}
