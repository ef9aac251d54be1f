//! Shared by the property and oracle tests of the apportionment: random councils, and the
//! library driven to completion with a fixed rule for drawings of lots.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use proptest::prelude::*;
use tally_core::apportionment::{
    ApportionmentError, CandidateInput, CandidateLot, CandidateOutcome, CandidateVotes, ElectedBy,
    ListCandidates, ListVotes, RemainingSeatLaw, SeatApportionment, SeatInput, SeatLot,
    SeatOutcome, apportion_seats, elect_candidates,
};
use tally_core::election::ElectionCategory;
use tally_core::ids::{CandidatePosition, ListNumber};

/// A council as the tests make it: per list its candidates' votes (the list's votes are
/// their sum; the number of candidates is their count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Council {
    /// GR, PS or TK.
    pub category: ElectionCategory,
    /// The law version.
    pub law: RemainingSeatLaw,
    /// Seats.
    pub seats: u32,
    /// Per list (numbered from 1), the votes of each candidate in list order.
    pub lists: Vec<Vec<u64>>,
}

impl Council {
    /// The votes of list `i` (0-based).
    pub fn votes(&self, i: usize) -> u64 {
        self.lists[i].iter().sum()
    }

    /// Total votes on lists.
    pub fn total(&self) -> u64 {
        (0..self.lists.len()).map(|i| self.votes(i)).sum()
    }

    /// The preference threshold percentage the definition would give (P 15).
    pub fn threshold_percent(&self) -> u32 {
        if self.category == ElectionCategory::GR && self.seats < 19 {
            50
        } else {
            25
        }
    }

    /// The library's seat input.
    pub fn seat_input(&self) -> SeatInput {
        SeatInput {
            category: self.category,
            law: self.law,
            seats: self.seats,
            lists: self
                .lists
                .iter()
                .enumerate()
                .map(|(i, c)| ListVotes {
                    list: ListNumber(u32::try_from(i + 1).unwrap()),
                    votes: c.iter().sum(),
                    candidates: u32::try_from(c.len()).unwrap(),
                })
                .collect(),
        }
    }
}

/// The whole result as the tests compare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Seats per list, in list order.
    pub seats: Vec<u32>,
    /// Seats no list could take.
    pub unfilled: u32,
    /// Per list, the elected positions (from 1) in the order elected, and whether by
    /// preference.
    pub elected: Vec<Vec<(u32, bool)>>,
    /// Whether any drawing of lots was held.
    pub lots: bool,
}

/// Runs the library to completion; at every drawing of lots the tied list or candidate with
/// the highest number is drawn.
pub fn run_library(c: &Council) -> Result<(SeatApportionment, Outcome), ApportionmentError> {
    let input = c.seat_input();
    let mut lots: Vec<SeatLot> = Vec::new();
    let seats = loop {
        match apportion_seats(&input, &lots)? {
            SeatOutcome::Complete(a) => break a,
            SeatOutcome::LotsNeeded(n) => {
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
                assert!(lots.len() < 500, "no end to the drawings");
                let drawn = *n.drawing.tied.last().unwrap();
                lots.push(SeatLot {
                    drawing: n.drawing,
                    drawn,
                });
            }
        }
    };
    let mut any_lot = !seats.lots.is_empty();
    let mut elected = Vec::new();
    for (i, ls) in seats.lists.iter().enumerate() {
        if ls.seats == 0 {
            elected.push(Vec::new());
            continue;
        }
        let input = CandidateInput {
            quota: seats.quota.clone(),
            threshold_percent: c.threshold_percent(),
            lists: vec![ListCandidates {
                list: ls.list,
                seats: ls.seats,
                candidates: c.lists[i]
                    .iter()
                    .enumerate()
                    .map(|(k, &votes)| CandidateVotes {
                        position: CandidatePosition(u32::try_from(k + 1).unwrap()),
                        votes,
                        deceased: false,
                    })
                    .collect(),
                differs_per_district: false,
            }],
        };
        let mut clots: Vec<CandidateLot> = Vec::new();
        let list = loop {
            match elect_candidates(&input, &clots).unwrap() {
                CandidateOutcome::Complete(mut e) => break e.lists.pop().unwrap(),
                CandidateOutcome::LotsNeeded(d) => {
                    assert!(clots.len() < 500);
                    let drawn = *d.tied.last().unwrap();
                    clots.push(CandidateLot { drawing: d, drawn });
                }
            }
        };
        any_lot |= !clots.is_empty();
        elected.push(
            list.elected
                .iter()
                .map(|e| (e.position.0, e.by == ElectedBy::Preference))
                .collect(),
        );
    }
    let outcome = Outcome {
        seats: seats.lists.iter().map(|l| l.seats).collect(),
        unfilled: seats.unfilled_seats,
        elected,
        lots: any_lot,
    };
    Ok((seats, outcome))
}

/// Random councils: both regimes (fewer than 19 seats and 19 or more), GR, PS and TK, both
/// law versions, lists with few candidates (P 10) and lists with a majority (P 9) made likely.
pub fn council() -> impl Strategy<Value = Council> {
    let category = prop_oneof![
        4 => Just(ElectionCategory::GR),
        1 => Just(ElectionCategory::PS),
        1 => Just(ElectionCategory::TK),
    ];
    let law = prop_oneof![
        4 => Just(RemainingSeatLaw::Kieswet),
        1 => Just(RemainingSeatLaw::Amended36641),
    ];
    let seats = prop_oneof![3 => 1u32..19, 2 => 19u32..46];
    (category, law, seats).prop_flat_map(|(category, law, seats)| {
        let n = usize::try_from(seats).unwrap_or(1);
        // A list: usually enough candidates, sometimes very few (P 10); each candidate has 0
        // to `scale` votes; a "big" list gets twenty times as many (P 9).
        let list = (
            prop_oneof![3 => n..n + 10, 1 => 1usize..n + 3, 1 => 0usize..4],
            0u64..60,
            prop::bool::weighted(0.25),
        )
            .prop_flat_map(|(candidates, scale, big)| {
                let top = if big { scale * 20 + 1 } else { scale + 1 };
                prop::collection::vec(0u64..top, candidates)
            });
        let lists = prop_oneof![
            2 => prop::collection::vec(list.clone(), 2..5),
            1 => prop::collection::vec(list, 1..10),
        ];
        (lists,).prop_map(move |(lists,)| Council {
            category,
            law,
            seats,
            lists,
        })
    })
}

/// Random councils in which one list has more than half of the votes (P 9), often with few
/// candidates (P 9 together with P 10).
pub fn majority_council() -> impl Strategy<Value = Council> {
    (council(), any::<usize>(), 0usize..12).prop_map(|(mut c, which, keep)| {
        let k = which % c.lists.len();
        if keep < 6 {
            c.lists[k].truncate(keep.max(1));
        }
        if c.lists[k].is_empty() {
            c.lists[k].push(0);
        }
        let others: u64 = (0..c.lists.len())
            .filter(|&i| i != k)
            .map(|i| c.votes(i))
            .sum();
        let own = c.votes(k);
        if own * 2 <= own + others {
            // Give the first candidate enough to pass half of the votes by a little.
            c.lists[k][0] += others.saturating_sub(own) + 1 + (which % 7) as u64;
        }
        c
    })
}
