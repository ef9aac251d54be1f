//! The election of candidates within a list: Kieswet P 15 (preference votes), P 17 (list
//! order) and P 19a (deceased candidates are passed over).
//!
//! Like the seats, ties are never picked by the program: [`elect_candidates`] returns
//! [`CandidateOutcome::LotsNeeded`] and the caller supplies a [`CandidateLot`].

use std::collections::BTreeSet;
use std::fmt;

use super::fraction::Fraction;
use crate::ids::{CandidatePosition, ListNumber};

/// One candidate's votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateVotes {
    /// Position on the list.
    pub position: CandidatePosition,
    /// Votes for the candidate (the whole election's total).
    pub votes: u64,
    /// Deceased (P 19a): passed over, never elected.
    pub deceased: bool,
}

/// One list's candidates and its seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCandidates {
    /// The list (for the Tweede Kamer: the list, or group of lists, as apportioned).
    pub list: ListNumber,
    /// The seats the list got.
    pub seats: u32,
    /// Its candidates in list order (ascending position).
    pub candidates: Vec<CandidateVotes>,
    /// Tweede Kamer: whether the list differs between kieskringen (a "lijstengroep" of
    /// different lists, or a list not submitted everywhere). Such a list is elected across
    /// kieskringen by [`super::elect_group`] (P 12 - P 18); here it is refused with
    /// [`CandidateError::ListDiffersPerDistrict`].
    pub differs_per_district: bool,
}

/// The input of the election of candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateInput {
    /// The quota ("kiesdeler") from the seat apportionment.
    pub quota: Fraction,
    /// The preference threshold as a percentage of the quota, from the election definition's
    /// `PreferenceThreshold`: 25 in general, 50 for councils of fewer than 19 seats (P 15).
    pub threshold_percent: u32,
    /// The lists.
    pub lists: Vec<ListCandidates>,
}

/// A drawing of lots between candidates with equal votes for a preference seat.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateDrawing {
    /// The list.
    pub list: ListNumber,
    /// Which of the list's preference seats, from 1.
    pub seat: u32,
    /// The tied candidates, ascending by position.
    pub tied: Vec<CandidatePosition>,
}

impl fmt::Display for CandidateDrawing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tied: Vec<String> = self.tied.iter().map(ToString::to_string).collect();
        write!(
            f,
            "list {} preference seat {} between candidates {}",
            self.list,
            self.seat,
            tied.join(", ")
        )
    }
}

/// The outcome of a drawing of lots between candidates: `drawn` gets the seat.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateLot {
    /// The drawing, exactly as asked for.
    pub drawing: CandidateDrawing,
    /// The candidate drawn.
    pub drawn: CandidatePosition,
}

/// How a candidate was elected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElectedBy {
    /// P 15: votes greater than the preference threshold.
    Preference,
    /// P 17: in list order.
    ListOrder,
}

/// An elected candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectedCandidate {
    /// Position on the list.
    pub position: CandidatePosition,
    /// Votes.
    pub votes: u64,
    /// How.
    pub by: ElectedBy,
    /// Whether a drawing of lots decided the seat.
    pub by_lot: bool,
    /// For a list that differs between kieskringen (P 18): the lowest number of the
    /// kieskringen of the list the seat is on, whose candidate list (230b contest) has the
    /// candidate at `position`. `None` for a list that is the same everywhere.
    pub district: Option<u32>,
    /// The candidate's `ShortCode`, where the election knows candidates by one across
    /// kieskringen (P 18); `None` otherwise.
    pub short_code: Option<String>,
    /// For a list that differs between kieskringen: every kieskring whose list of the group
    /// has the candidate, with the position there (where a 230b names the candidate). Empty
    /// for a list that is the same everywhere.
    pub stands_on: Vec<(u32, CandidatePosition)>,
}

/// One list's elected candidates, in the order they were elected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListElected {
    /// The list.
    pub list: ListNumber,
    /// Its seats.
    pub seats: u32,
    /// The candidates with votes greater than the threshold (P 15), by votes descending
    /// (position ascending among equal votes); deceased candidates left out.
    pub reaching_threshold: Vec<CandidatePosition>,
    /// The deceased candidates passed over (P 19a).
    pub deceased: Vec<CandidatePosition>,
    /// The elected candidates: first by preference in order of votes, then in list order.
    pub elected: Vec<ElectedCandidate>,
}

/// A complete election of candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateElection {
    /// The threshold percentage used.
    pub threshold_percent: u32,
    /// The threshold in votes: quota * percentage / 100. A candidate needs more votes than
    /// this (P 15: "groter dan").
    pub threshold: Fraction,
    /// Per list, in input order.
    pub lists: Vec<ListElected>,
    /// The lot outcomes used.
    pub lots: Vec<CandidateLot>,
}

/// The result of [`elect_candidates`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CandidateOutcome {
    /// Done.
    Complete(CandidateElection),
    /// Equal votes decide a preference seat: hold the drawing, add a [`CandidateLot`], call again.
    LotsNeeded(CandidateDrawing),
}

/// Why the candidates cannot be elected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CandidateError {
    /// The threshold percentage is not between 1 and 100.
    #[error("preference threshold {0} % is not between 1 and 100")]
    ThresholdPercent(u32),
    /// A list occurs twice.
    #[error("list {0} occurs more than once")]
    DuplicateList(ListNumber),
    /// Candidates are not in strictly ascending position order.
    #[error("list {list}: candidate positions are not strictly ascending at position {position}")]
    PositionsNotAscending {
        /// The list.
        list: ListNumber,
        /// The offending position.
        position: CandidatePosition,
    },
    /// More seats than living candidates: P 10 should have given the seat to another list.
    #[error("list {list} has {seats} seats but only {available} candidates who can take one")]
    TooFewCandidates {
        /// The list.
        list: ListNumber,
        /// Its seats.
        seats: u32,
        /// Living candidates.
        available: usize,
    },
    /// Tweede Kamer list that differs between kieskringen: elect it with
    /// [`super::elect_group`].
    #[error(
        "list {0} differs between kieskringen: its candidates are elected across kieskringen \
         (P 12 - P 18, elect_group), not here"
    )]
    ListDiffersPerDistrict(ListNumber),
    /// A list that differs between kieskringen waits for a drawing of lots
    /// ([`super::elect_group`]); give its outcome as a [`super::GroupLot`].
    #[error("a drawing of lots decides: {0}")]
    GroupLotsNeeded(super::GroupDrawing),
    /// A list that differs between kieskringen cannot be elected.
    #[error("{0}")]
    Group(super::GroupError),
    /// A lot outcome names a candidate that was not tied.
    #[error("lot outcome for {drawing}: drawn candidate {drawn} is not one of the tied candidates")]
    DrawnCandidateNotTied {
        /// The drawing.
        drawing: CandidateDrawing,
        /// The candidate named.
        drawn: CandidatePosition,
    },
    /// A lot outcome matches no tie.
    #[error(
        "lot outcome {index} (counted from 0), for {drawing}, matches no tie in this calculation"
    )]
    UnusedLot {
        /// Its index.
        index: usize,
        /// Its drawing.
        drawing: CandidateDrawing,
    },
    /// Two lot outcomes for the same drawing.
    #[error("lot outcomes {first} and {second} (counted from 0) are for the same drawing")]
    DuplicateLot {
        /// Index of the first.
        first: usize,
        /// Index of the second.
        second: usize,
    },
}

/// Elect the candidates of each list (P 15, P 17, P 19a).
///
/// # Errors
/// See [`CandidateError`].
pub fn elect_candidates(
    input: &CandidateInput,
    lots: &[CandidateLot],
) -> Result<CandidateOutcome, CandidateError> {
    if input.threshold_percent == 0 || input.threshold_percent > 100 {
        return Err(CandidateError::ThresholdPercent(input.threshold_percent));
    }
    for (first, a) in lots.iter().enumerate() {
        for (second, b) in lots.iter().enumerate().skip(first.saturating_add(1)) {
            if a.drawing == b.drawing {
                return Err(CandidateError::DuplicateLot { first, second });
            }
        }
    }
    let threshold = input
        .quota
        .scaled(u64::from(input.threshold_percent), 100)
        .ok_or(CandidateError::ThresholdPercent(input.threshold_percent))?;
    let mut used = vec![false; lots.len()];
    let mut used_order = Vec::new();
    let mut seen = BTreeSet::new();
    let mut result = Vec::with_capacity(input.lists.len());

    for l in &input.lists {
        if !seen.insert(l.list) {
            return Err(CandidateError::DuplicateList(l.list));
        }
        if l.differs_per_district {
            return Err(CandidateError::ListDiffersPerDistrict(l.list));
        }
        let mut previous: Option<CandidatePosition> = None;
        for c in &l.candidates {
            if previous.is_some_and(|p| p >= c.position) {
                return Err(CandidateError::PositionsNotAscending {
                    list: l.list,
                    position: c.position,
                });
            }
            previous = Some(c.position);
        }
        let living: Vec<&CandidateVotes> = l.candidates.iter().filter(|c| !c.deceased).collect();
        if living.len() < l.seats as usize {
            return Err(CandidateError::TooFewCandidates {
                list: l.list,
                seats: l.seats,
                available: living.len(),
            });
        }
        let deceased = l
            .candidates
            .iter()
            .filter(|c| c.deceased)
            .map(|c| c.position)
            .collect();

        // P 15: candidates with "een aantal stemmen ... groter dan" the threshold (strictly
        // greater: a candidate with exactly the threshold is not elected by preference), by
        // votes.
        let mut reaching: Vec<&CandidateVotes> = living
            .iter()
            .copied()
            .filter(|c| threshold.is_less_than(c.votes))
            .collect();
        reaching.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.position.cmp(&b.position)));

        let mut elected: Vec<ElectedCandidate> = Vec::new();
        let mut pool: Vec<&CandidateVotes> = reaching.clone();
        let mut seat: u32 = 0;
        while (elected.len() as u64) < u64::from(l.seats) {
            let Some(top) = pool.first().map(|c| c.votes) else {
                break;
            };
            seat = seat.saturating_add(1);
            let left = u64::from(l.seats).saturating_sub(elected.len() as u64);
            let tied: Vec<CandidatePosition> = pool
                .iter()
                .filter(|c| c.votes == top)
                .map(|c| c.position)
                .collect();
            let (chosen, by_lot) = if tied.len() as u64 <= left {
                match tied.first() {
                    Some(p) => (*p, false),
                    None => break,
                }
            } else {
                let drawing = CandidateDrawing {
                    list: l.list,
                    seat,
                    tied: tied.clone(),
                };
                let found = lots
                    .iter()
                    .enumerate()
                    .find(|(_, lot)| lot.drawing == drawing);
                let Some((index, lot)) = found else {
                    return Ok(CandidateOutcome::LotsNeeded(drawing));
                };
                if !tied.contains(&lot.drawn) {
                    return Err(CandidateError::DrawnCandidateNotTied {
                        drawing,
                        drawn: lot.drawn,
                    });
                }
                if let Some(flag) = used.get_mut(index) {
                    *flag = true;
                }
                used_order.push(lot.clone());
                (lot.drawn, true)
            };
            pool.retain(|c| c.position != chosen);
            elected.push(ElectedCandidate {
                position: chosen,
                votes: top,
                by: ElectedBy::Preference,
                by_lot,
                district: None,
                short_code: None,
                stands_on: Vec::new(),
            });
        }

        // P 17: the rest in list order.
        for c in &living {
            if (elected.len() as u64) >= u64::from(l.seats) {
                break;
            }
            if elected.iter().any(|e| e.position == c.position) {
                continue;
            }
            elected.push(ElectedCandidate {
                position: c.position,
                votes: c.votes,
                by: ElectedBy::ListOrder,
                by_lot: false,
                district: None,
                short_code: None,
                stands_on: Vec::new(),
            });
        }

        result.push(ListElected {
            list: l.list,
            seats: l.seats,
            reaching_threshold: reaching.iter().map(|c| c.position).collect(),
            deceased,
            elected,
        });
    }

    for (index, (lot, was_used)) in lots.iter().zip(&used).enumerate() {
        if !was_used {
            return Err(CandidateError::UnusedLot {
                index,
                drawing: lot.drawing.clone(),
            });
        }
    }
    Ok(CandidateOutcome::Complete(CandidateElection {
        threshold_percent: input.threshold_percent,
        threshold,
        lists: result,
        lots: used_order,
    }))
}
