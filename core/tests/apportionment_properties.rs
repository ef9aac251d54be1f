//! Properties that must hold for any input: the seats add up, no list gets more seats than
//! candidates or a seat without votes, the Tweede Kamer quota rule holds, P 9 holds, lots
//! always lead to a result, the order of the input does not matter, and nothing panics.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use tally_core::apportionment::{
    ApportionmentError, ListVotes, SeatApportionment, SeatInput, SeatLot, SeatOutcome,
    apportion_seats,
};
use tally_core::election::ElectionCategory;
use tally_core::ids::ListNumber;

/// Run to completion, drawing the last tied list at every drawing of lots.
fn run(input: &SeatInput) -> Result<SeatApportionment, ApportionmentError> {
    let mut lots: Vec<SeatLot> = Vec::new();
    for _ in 0..200 {
        match apportion_seats(input, &lots)? {
            SeatOutcome::Complete(a) => return Ok(a),
            SeatOutcome::LotsNeeded(n) => {
                let drawn = *n.drawing.tied.last().unwrap();
                assert!(
                    n.drawing.tied.len() >= 2,
                    "a drawing needs a tie: {}",
                    n.drawing
                );
                assert!(
                    !lots.iter().any(|l| l.drawing == n.drawing),
                    "asked twice: {}",
                    n.drawing
                );
                lots.push(SeatLot {
                    drawing: n.drawing,
                    drawn,
                });
            }
        }
    }
    panic!("no result after 200 drawings");
}

fn category() -> impl Strategy<Value = ElectionCategory> {
    prop_oneof![
        Just(ElectionCategory::GR),
        Just(ElectionCategory::PS),
        Just(ElectionCategory::TK)
    ]
}

prop_compose! {
    fn seat_input()(
        category in category(),
        seats in 1u32..50,
        lists in prop::collection::vec((0u64..2_000, 0u32..30), 1..12),
    ) -> SeatInput {
        SeatInput {
            category,
            seats,
            lists: lists
                .into_iter()
                .enumerate()
                .map(|(i, (votes, candidates))| ListVotes {
                    list: ListNumber(u32::try_from(i + 1).unwrap()),
                    votes,
                    candidates,
                })
                .collect(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn invariants(input in seat_input()) {
        let total: u64 = input.lists.iter().map(|l| l.votes).sum();
        match run(&input) {
            Err(ApportionmentError::NoVotes) => prop_assert_eq!(total, 0),
            Err(ApportionmentError::AllListsExhausted { .. }) => {
                // Legit only if the lists cannot fill the seats between them, or for the
                // Tweede Kamer when the lists reaching the quota cannot.
                let capacity: u64 = input
                    .lists
                    .iter()
                    .filter(|l| l.votes > 0)
                    .filter(|l| {
                        input.category != ElectionCategory::TK
                            || u128::from(l.votes) * u128::from(input.seats) >= u128::from(total)
                    })
                    .map(|l| u64::from(l.candidates))
                    .sum();
                prop_assert!(capacity < u64::from(input.seats));
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
            Ok(a) => {
                prop_assert_eq!(a.lists.iter().map(|l| l.seats).sum::<u32>(), input.seats);
                prop_assert_eq!(a.total_votes, total);
                for l in &a.lists {
                    prop_assert!(l.seats <= l.candidates, "list {} over its candidates", l.list);
                    prop_assert_eq!(l.seats, l.full_seats + l.remaining_seats);
                    // Full seats: floor(votes * seats / total), capped by candidates.
                    let full = u128::from(l.votes) * u128::from(input.seats) / u128::from(total);
                    prop_assert_eq!(u128::from(l.full_seats), full.min(u128::from(l.candidates)));
                    if l.votes == 0 {
                        prop_assert_eq!(l.seats, 0);
                    }
                    if input.category == ElectionCategory::TK && !l.reaches_quota {
                        prop_assert_eq!(l.seats, 0);
                    }
                    // P 9: more than half of the votes means more than half of the seats,
                    // unless the list ran out of candidates.
                    if u128::from(l.votes) * 2 > u128::from(total) && l.seats < l.candidates {
                        prop_assert!(u64::from(l.seats) * 2 > u64::from(input.seats));
                    }
                }
            }
        }
    }

    #[test]
    fn input_order_does_not_matter(input in seat_input(), rotate in 0usize..12) {
        let mut shuffled = input.clone();
        let n = shuffled.lists.len();
        shuffled.lists.rotate_left(rotate % n);
        shuffled.lists.reverse();
        prop_assert_eq!(run(&input), run(&shuffled));
    }
}
