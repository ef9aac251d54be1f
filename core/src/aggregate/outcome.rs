//! From a total count (510d, or a municipal council's 510b) to the seats per list and the
//! elected candidates, with the apportionment library.
//!
//! What the count file gives: each list's votes (E.x of `TotalVotes`) and its candidates'
//! votes. For a Tweede Kamer 510d the national `TotalVotes` names candidates by `ShortCode`
//! only; their positions come from the reporting units (one per kieskring). A list whose
//! candidates (position and `ShortCode`) are the same in every kieskring of the file is
//! elected with its national votes. A list that differs between kieskringen, or is missing
//! in one (a "lijstengroep" or a list not submitted everywhere), needs P 18 across
//! kieskringen, which the apportionment library does not support: such a list is reported
//! as [`ListOutcome::Unsupported`], never guessed.

use crate::apportionment::{
    ApportionmentError, CandidateDrawing, CandidateError, CandidateInput, CandidateLot,
    CandidateOutcome, CandidateVotes, ListCandidates, ListElected, ListVotes as SeatListVotes,
    RemainingSeatLaw, SeatApportionment, SeatInput, SeatLot, SeatLotsNeeded, SeatOutcome,
    apportion_seats, elect_candidates,
};
use crate::counts::{CandidateRef, Count, CountFile};
use crate::election::{Election, ElectionCategory};
use crate::ids::{CandidatePosition, ListNumber};

/// One list as the count file gives it, ready for the apportionment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedList {
    /// The list's number.
    pub list: ListNumber,
    /// Its name as in the file.
    pub name: String,
    /// Its votes (E.x in `TotalVotes`).
    pub votes: Count,
    /// Its candidates in list order, with their total votes; empty when the list differs
    /// between kieskringen.
    pub candidates: Vec<(CandidatePosition, Option<String>, Count)>,
    /// How many different candidates the file names for the list (P 10 input).
    pub candidate_count: u32,
    /// Why the list's candidates cannot be elected here, when they cannot.
    pub unsupported: Option<String>,
}

/// Why the count cannot be turned into an apportionment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeError {
    /// The seat apportionment refused its input.
    #[error("seat apportionment: {0}")]
    Seats(#[from] ApportionmentError),
    /// A candidate of the national total has no position in any reporting unit.
    #[error("list {list}: candidate {candidate} of TotalVotes is in no reporting unit")]
    CandidateWithoutPosition {
        /// The list.
        list: ListNumber,
        /// The candidate's reference.
        candidate: String,
    },
}

/// The election facts the apportionment needs (from the 110a).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatRules {
    /// The category.
    pub category: ElectionCategory,
    /// Number of seats.
    pub seats: u32,
    /// The preference threshold in percent of the quota.
    pub preference_threshold: u32,
    /// The law version for remaining seats, from the category and the election's date.
    pub law: RemainingSeatLaw,
}

impl SeatRules {
    /// The rules of a loaded election (its 110a).
    pub fn of(election: &Election) -> SeatRules {
        SeatRules {
            category: election.category,
            seats: election.number_of_seats,
            preference_threshold: election.preference_threshold,
            law: RemainingSeatLaw::for_election(election.category, election.date),
        }
    }

    /// The seat apportionment's input for these rules and `lists`.
    pub fn seat_input(&self, lists: Vec<SeatListVotes>) -> SeatInput {
        SeatInput {
            category: self.category,
            law: self.law,
            seats: self.seats,
            lists,
        }
    }
}

/// Reads the lists and candidates of a total count. See the module documentation.
pub fn counted_lists(total: &CountFile) -> Result<Vec<CountedList>, OutcomeError> {
    let mut out = Vec::new();
    for list in &total.total.lists {
        // The candidate sequence of each unit that has the list.
        let mut sequences: Vec<Vec<&CandidateRef>> = Vec::new();
        let mut missing_in = Vec::new();
        for unit in &total.units {
            match unit.counts.lists.iter().find(|l| l.list == list.list) {
                Some(l) => sequences.push(l.candidates.iter().map(|(c, _)| c).collect()),
                None => missing_in.push(unit.id.0.clone()),
            }
        }
        let mut distinct: Vec<&CandidateRef> = Vec::new();
        let named = list.candidates.iter().map(|(c, _)| c);
        // A unit's sequence equal to an earlier unit's adds no candidate (in a Tweede Kamer
        // 510d the 20 kieskringen's sequences are mostly equal): skipped, which made this
        // loop 8 % of `tally-verify apportion` of TK2021.
        let new_sequences = sequences
            .iter()
            .enumerate()
            .filter(|(i, seq)| {
                !sequences
                    .get(..*i)
                    .is_some_and(|before| before.contains(seq))
            })
            .flat_map(|(_, seq)| seq.iter().copied());
        for c in named.chain(new_sequences) {
            if !distinct.iter().any(|d| same(d, c)) {
                distinct.push(c);
            }
        }
        let candidate_count = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
        let all_positions = list.candidates.iter().all(|(c, _)| c.position().is_some());
        let unsupported = if !missing_in.is_empty() && !sequences.is_empty() {
            Some(format!(
                "the list is not in every kieskring (missing in {}): P 18 across kieskringen is not supported",
                missing_in.join(", ")
            ))
        } else if sequences.windows(2).any(|w| match w {
            [a, b] => a != b,
            _ => false,
        }) {
            Some(
                "the list's candidates differ between kieskringen (a lijstengroep): P 18 across kieskringen is not supported"
                    .to_owned(),
            )
        } else {
            None
        };
        let mut candidates = Vec::new();
        if unsupported.is_none() {
            if all_positions {
                for (c, votes) in &list.candidates {
                    if let Some(p) = c.position() {
                        candidates.push((p, c.short_code().map(str::to_owned), *votes));
                    }
                }
            } else {
                // Positions from the (identical) units, votes from TotalVotes by ShortCode.
                let Some(first) = sequences.first() else {
                    return Err(OutcomeError::CandidateWithoutPosition {
                        list: list.list,
                        candidate: list
                            .candidates
                            .first()
                            .map(|(c, _)| c.to_string())
                            .unwrap_or_default(),
                    });
                };
                for (c, votes) in &list.candidates {
                    let Some(p) = first.iter().find(|u| same(u, c)).and_then(|u| u.position())
                    else {
                        return Err(OutcomeError::CandidateWithoutPosition {
                            list: list.list,
                            candidate: c.to_string(),
                        });
                    };
                    candidates.push((p, c.short_code().map(str::to_owned), *votes));
                }
            }
            candidates.sort_by_key(|(p, _, _)| *p);
        }
        out.push(CountedList {
            list: list.list,
            name: list.name.clone(),
            votes: list.total,
            candidates,
            candidate_count,
            unsupported,
        });
    }
    Ok(out)
}

fn same(a: &CandidateRef, b: &CandidateRef) -> bool {
    match (a.short_code(), b.short_code()) {
        (Some(x), Some(y)) => x == y,
        _ => a.position().is_some() && a.position() == b.position(),
    }
}

/// The outcome for one list's candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListOutcome {
    /// Elected (P 15, P 17).
    Elected(ListElected),
    /// Not supported here; the reason.
    Unsupported {
        /// The list.
        list: ListNumber,
        /// Why.
        reason: String,
    },
    /// A drawing of lots between candidates decides a seat.
    LotsNeeded {
        /// The list.
        list: ListNumber,
        /// The drawing (its `Display` names it).
        drawing: CandidateDrawing,
    },
    /// The candidate election refused the list.
    Refused {
        /// The list.
        list: ListNumber,
        /// Why.
        error: CandidateError,
    },
}

/// The computed result: seats, and per list with seats the candidates' outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedResult {
    /// The lists as read from the count.
    pub lists: Vec<CountedList>,
    /// The seat apportionment (complete).
    pub seats: SeatApportionment,
    /// For each list with seats, in list order.
    pub candidates: Vec<ListOutcome>,
}

impl ComputedResult {
    /// The elected candidates of every list with seats, when each such list is elected
    /// (none waits for a drawing of lots or is refused).
    pub fn elected(&self) -> Option<Vec<ListElected>> {
        self.candidates
            .iter()
            .map(|c| match c {
                ListOutcome::Elected(l) => Some(l.clone()),
                _ => None,
            })
            .collect()
    }
}

/// The result of [`compute_result`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Computation {
    /// Seats apportioned; candidates per list.
    Complete(ComputedResult),
    /// A drawing of lots decides a seat (its drawing's `Display` names it, with the steps up
    /// to the tie); pass the outcome back in `seat_lots` to continue.
    SeatLotsNeeded(SeatLotsNeeded),
}

/// Apportions the seats over the lists of a total count and elects each list's candidates.
///
/// # Errors
/// See [`OutcomeError`].
pub fn compute_result(
    rules: SeatRules,
    total: &CountFile,
    seat_lots: &[SeatLot],
    candidate_lots: &[CandidateLot],
) -> Result<Computation, OutcomeError> {
    let lists = counted_lists(total)?;
    let input = rules.seat_input(
        lists
            .iter()
            .map(|l| SeatListVotes {
                list: l.list,
                votes: l.votes,
                candidates: l.candidate_count,
            })
            .collect(),
    );
    let seats = match apportion_seats(&input, seat_lots)? {
        SeatOutcome::Complete(s) => s,
        SeatOutcome::LotsNeeded(n) => {
            return Ok(Computation::SeatLotsNeeded(n));
        }
    };
    let mut candidates = Vec::new();
    for ls in seats.lists.iter().filter(|l| l.seats > 0) {
        let Some(cl) = lists.iter().find(|l| l.list == ls.list) else {
            continue;
        };
        if let Some(reason) = &cl.unsupported {
            candidates.push(ListOutcome::Unsupported {
                list: cl.list,
                reason: reason.clone(),
            });
            continue;
        }
        let input = CandidateInput {
            quota: seats.quota.clone(),
            threshold_percent: rules.preference_threshold,
            lists: vec![ListCandidates {
                list: cl.list,
                seats: ls.seats,
                candidates: cl
                    .candidates
                    .iter()
                    .map(|(p, _, v)| CandidateVotes {
                        position: *p,
                        votes: *v,
                        deceased: false,
                    })
                    .collect(),
                differs_per_district: false,
            }],
        };
        let lots: Vec<CandidateLot> = candidate_lots
            .iter()
            .filter(|l| l.drawing.list == cl.list)
            .cloned()
            .collect();
        candidates.push(match elect_candidates(&input, &lots) {
            Ok(CandidateOutcome::Complete(mut e)) => match e.lists.pop() {
                Some(l) => ListOutcome::Elected(l),
                None => ListOutcome::Unsupported {
                    list: cl.list,
                    reason: "no outcome".to_owned(),
                },
            },
            Ok(CandidateOutcome::LotsNeeded(d)) => ListOutcome::LotsNeeded {
                list: cl.list,
                drawing: d,
            },
            Err(error) => ListOutcome::Refused {
                list: cl.list,
                error,
            },
        });
    }
    Ok(Computation::Complete(ComputedResult {
        lists,
        seats,
        candidates,
    }))
}
