//! The apportionment of seats over lists: Kieswet articles P 5 to P 10.
//!
//! In the order the Electoral Council applies them: P 6 full seats and P 7 / P 8 remaining
//! seats without regard to the lists' numbers of candidates; then P 9 (absolute majority);
//! then P 10: a list with more seats than candidates gives up the excess, and those seats go
//! "by continued application" of P 7 / P 8 to the lists that still have candidates. A seat
//! that no list can take stays unfilled, and the outcome says so
//! ([`ApportionmentNotice::SeatsUnfilled`]).
//!
//! [`apportion_seats`] never picks between tied lists. When a tie decides a seat it returns
//! [`SeatOutcome::LotsNeeded`] naming the tie; the caller holds the public drawing of lots,
//! appends a [`SeatLot`] with its outcome, and calls [`apportion_seats`] again. The
//! calculation is deterministic, so the rerun reaches the same tie and takes the outcome.

use std::collections::BTreeSet;
use std::fmt;

use super::fraction::Fraction;
use super::law::RemainingSeatLaw;
use crate::election::ElectionCategory;
use crate::ids::ListNumber;

/// From this number of seats on, remaining seats go by highest averages only (P 7);
/// below it, largest remainders come first (P 8).
pub const HIGHEST_AVERAGES_FROM_SEATS: u32 = 19;

/// The most seats [`apportion_seats`] accepts. The largest Dutch body has 150; the limit
/// keeps a damaged definition from making the calculation run for hours.
pub const MAX_SEATS: u32 = 1000;

/// One list's votes and its number of candidates, as input to the apportionment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListVotes {
    /// The list's number.
    pub list: ListNumber,
    /// The list's total of valid votes (E.x summed over the whole election; "stemcijfer").
    pub votes: u64,
    /// How many candidates can take a seat for this list (P 10): the candidates on the list,
    /// without deceased candidates (P 19a). A list never gets more seats than this.
    pub candidates: u32,
}

/// The input of the seat apportionment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatInput {
    /// The election category. It decides the rules: for the Tweede Kamer a list that did not
    /// reach the quota gets no remaining seat (P 7). Supported: TK, PS, GR, AB; the others are
    /// refused with [`ApportionmentError::UnsupportedCategory`].
    pub category: ElectionCategory,
    /// The version of the law for remaining seats, from the election's category and date
    /// ([`RemainingSeatLaw::for_election`]).
    pub law: RemainingSeatLaw,
    /// The number of seats to apportion.
    pub seats: u32,
    /// The lists, each once, in any order (the result is ordered by list number).
    pub lists: Vec<ListVotes>,
}

/// Which rule assigned a remaining seat ("restzetel"). Serialised (journals keep drawings of
/// lots as data) by the snake-case name of the variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SeatRule {
    /// P 7 (19 seats or more): highest averages ("grootste gemiddelden"), several seats per
    /// list possible.
    HighestAverages,
    /// P 8 (fewer than 19 seats): largest remainders ("grootste overschotten"), only for lists
    /// with at least 75 % of the quota, at most one seat per list.
    LargestRemainders,
    /// P 8: highest averages, at most one seat per list in this round.
    HighestAveragesOnePerList,
    /// P 8: highest averages without that limit, when seats are still left after the first
    /// round of highest averages.
    HighestAveragesUnlimited,
}

impl SeatRule {
    /// The article and a short Dutch label, for printing.
    pub fn label(self) -> &'static str {
        match self {
            SeatRule::HighestAverages => "P 7 grootste gemiddelden",
            SeatRule::LargestRemainders => "P 8 grootste overschotten",
            SeatRule::HighestAveragesOnePerList => {
                "P 8 grootste gemiddelden, ten hoogste één zetel per lijst"
            }
            SeatRule::HighestAveragesUnlimited => "P 8 grootste gemiddelden, zonder beperking",
        }
    }

    /// Whether the values compared are remainders (else averages).
    pub fn compares_remainders(self) -> bool {
        matches!(self, SeatRule::LargestRemainders)
    }
}

impl fmt::Display for SeatRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What a drawing of lots between lists decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SeatDrawingPurpose {
    /// Which of the tied lists gets remaining seat number `seat` (counted from 1 among the
    /// remaining seats) under `rule`.
    RemainingSeat {
        /// The number of the remaining seat, from 1.
        seat: u32,
        /// The rule under which the lists are tied.
        rule: SeatRule,
    },
    /// P 9: which of the lists that got the last remaining seat (with equal averages or
    /// remainders) gives up a seat to the list with the absolute majority of votes.
    AbsoluteMajorityRetraction,
}

/// A drawing of lots that the calculation needs: the purpose and the tied lists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatDrawing {
    /// What the drawing decides.
    pub purpose: SeatDrawingPurpose,
    /// The tied lists, ascending by number.
    pub tied: Vec<ListNumber>,
}

impl fmt::Display for SeatDrawing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tied: Vec<String> = self.tied.iter().map(ToString::to_string).collect();
        match self.purpose {
            SeatDrawingPurpose::RemainingSeat { seat, rule } => write!(
                f,
                "remaining seat {seat} ({rule}) between lists {}",
                tied.join(", ")
            ),
            SeatDrawingPurpose::AbsoluteMajorityRetraction => write!(
                f,
                "P 9 retraction of a seat from one of lists {}",
                tied.join(", ")
            ),
        }
    }
}

/// The outcome of a public drawing of lots between lists, supplied by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatLot {
    /// The drawing, exactly as the calculation asked for it.
    pub drawing: SeatDrawing,
    /// The list drawn: for a remaining seat the list that gets it; for
    /// [`SeatDrawingPurpose::AbsoluteMajorityRetraction`] the list that gives up a seat.
    pub drawn: ListNumber,
}

/// One list's value in a comparison for a remaining seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The list.
    pub list: ListNumber,
    /// Its seats before this remaining seat was assigned.
    pub seats_before: u32,
    /// Its remainder (largest remainders) or its average votes / (seats + 1).
    pub value: Fraction,
}

/// Why a list did not take part in the comparison for a remaining seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExclusionReason {
    /// The list has no votes.
    NoVotes,
    /// The list did not reach the quota: Tweede Kamer (P 7, second paragraph), or any
    /// election under bill 36 641.
    BelowQuota,
    /// P 8: the list's votes are below 75 % of the quota (largest remainders only).
    BelowRemainderThreshold,
    /// P 8: the list already got a seat by largest remainders.
    HadLargestRemainderSeat,
    /// P 8: the list already got a seat in the round of highest averages with at most one
    /// seat per list.
    HadSeatThisRound,
    /// P 10: while seats given up by exhausted lists are assigned again, the list has as many
    /// seats as candidates.
    ListExhausted,
}

/// A list left out of the comparison for a remaining seat, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Exclusion {
    /// The list.
    pub list: ListNumber,
    /// Why.
    pub reason: ExclusionReason,
}

/// The assignment of one remaining seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemainingSeatStep {
    /// The number of the remaining seat, from 1.
    pub seat: u32,
    /// The rule that assigned it.
    pub rule: SeatRule,
    /// The list that got the seat.
    pub list: ListNumber,
    /// The winning remainder or average.
    pub value: Fraction,
    /// Every list that took part, with its value.
    pub compared: Vec<Standing>,
    /// The lists with the winning value (one unless tied), ascending.
    pub tied: Vec<ListNumber>,
    /// Whether a drawing of lots decided the seat. When lists are tied but there are at
    /// least as many seats left as tied lists, each of them gets a seat and no lot is drawn.
    pub by_lot: bool,
    /// The lists that did not take part, and why.
    pub excluded: Vec<Exclusion>,
}

/// What P 9 (absolute majority) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbsoluteMajorityOutcome {
    /// A seat went from `from` to the majority list.
    Transferred {
        /// The list that got the last remaining seat and gave it up.
        from: ListNumber,
        /// Whether a drawing of lots chose `from` among lists tied for the last seat.
        by_lot: bool,
    },
    /// No remaining seat was assigned to another list, so there is no seat to take; nothing
    /// changed.
    NoRemainingSeatToRetract,
}

/// A step of the apportionment, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeatStep {
    /// A remaining seat was assigned (P 7 or P 8; after P 10 with exhausted lists left out).
    RemainingSeat(RemainingSeatStep),
    /// P 9: `list` has more than half of the votes but not more than half of the seats.
    AbsoluteMajority {
        /// The list with the absolute majority of votes.
        list: ListNumber,
        /// What happened.
        outcome: AbsoluteMajorityOutcome,
    },
    /// P 10: the list got more seats than it has candidates and gives up the excess, which
    /// goes to other lists by continued application of P 7 / P 8 (remaining seats first,
    /// then full seats).
    ListExhausted {
        /// The list.
        list: ListNumber,
        /// Its seats before giving up the excess.
        seats: u32,
        /// Its number of candidates (without deceased candidates).
        candidates: u32,
        /// Remaining seats given up.
        remaining_given_up: u32,
        /// Full seats given up.
        full_given_up: u32,
    },
    /// P 10 found no list with a candidate left for these seats: they stay unfilled.
    SeatsUnfilled {
        /// How many.
        seats: u32,
    },
}

/// What the committee must be told about an apportionment, beside the seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApportionmentNotice {
    /// Both P 9 (absolute majority) and P 10 (list exhaustion) changed the seats. The law's
    /// order for this case is not settled (see `docs/apportionment-p9-p10.md`); the Electoral
    /// Council asks a central electoral committee to consult it before it decides.
    AbsoluteMajorityAndListExhaustion,
    /// Not every seat could be assigned: no list had a candidate left (P 10).
    SeatsUnfilled {
        /// How many seats stay unfilled.
        seats: u32,
    },
}

/// One list in the final apportionment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSeats {
    /// The list.
    pub list: ListNumber,
    /// Its votes.
    pub votes: u64,
    /// Its number of candidates (input).
    pub candidates: u32,
    /// Full seats: floor(votes / quota) (P 6), less any given up under P 10.
    pub full_seats: u32,
    /// Votes minus full seats times the quota ("overschot").
    pub remainder: Fraction,
    /// Whether the votes reach 75 % of the quota (matters below 19 seats only, P 8).
    pub meets_remainder_threshold: bool,
    /// Whether the votes reach the quota (matters for the Tweede Kamer, P 7, and under bill
    /// 36 641).
    pub reaches_quota: bool,
    /// Remaining seats, after P 9 and P 10.
    pub remaining_seats: u32,
    /// All seats: full plus remaining.
    pub seats: u32,
}

/// A complete seat apportionment with every step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatApportionment {
    /// The election category.
    pub category: ElectionCategory,
    /// The law version applied to remaining seats.
    pub law: RemainingSeatLaw,
    /// Seats to apportion.
    pub seats: u32,
    /// Total votes on lists (P 5).
    pub total_votes: u64,
    /// The quota ("kiesdeler"): total votes / seats (P 5).
    pub quota: Fraction,
    /// Seats held as full seats at the end (after P 10).
    pub full_seats: u32,
    /// Seats held as remaining seats at the end (after P 9 and P 10).
    pub remaining_seats: u32,
    /// Seats that no list could take (P 10): `full_seats + remaining_seats + unfilled_seats`
    /// is `seats`.
    pub unfilled_seats: u32,
    /// Per list, ascending by list number.
    pub lists: Vec<ListSeats>,
    /// Every step in order.
    pub steps: Vec<SeatStep>,
    /// The lot outcomes that were used, in the order they were used.
    pub lots: Vec<SeatLot>,
}

impl SeatApportionment {
    /// The seats of `list`, or `None` for an unknown list.
    pub fn seats_of(&self, list: ListNumber) -> Option<u32> {
        self.lists.iter().find(|l| l.list == list).map(|l| l.seats)
    }

    /// What the committee must be told beside the seats, in a fixed order.
    pub fn notices(&self) -> Vec<ApportionmentNotice> {
        let mut notices = Vec::new();
        let p9 = self.steps.iter().any(|s| {
            matches!(
                s,
                SeatStep::AbsoluteMajority {
                    outcome: AbsoluteMajorityOutcome::Transferred { .. },
                    ..
                }
            )
        });
        let p10 = self
            .steps
            .iter()
            .any(|s| matches!(s, SeatStep::ListExhausted { .. }));
        if p9 && p10 {
            notices.push(ApportionmentNotice::AbsoluteMajorityAndListExhaustion);
        }
        if self.unfilled_seats > 0 {
            notices.push(ApportionmentNotice::SeatsUnfilled {
                seats: self.unfilled_seats,
            });
        }
        notices
    }
}

/// The calculation needs a drawing of lots before it can go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatLotsNeeded {
    /// The drawing to hold.
    pub drawing: SeatDrawing,
    /// The quota (P 5), for showing.
    pub quota: Fraction,
    /// The steps up to the tie, for showing.
    pub steps: Vec<SeatStep>,
}

/// The result of [`apportion_seats`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeatOutcome {
    /// All seats are apportioned.
    Complete(SeatApportionment),
    /// A tie decides a seat: hold the drawing, add its [`SeatLot`] and call again.
    LotsNeeded(SeatLotsNeeded),
}

/// Why the seats cannot be apportioned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApportionmentError {
    /// The number of seats is 0.
    #[error("the number of seats to apportion is 0")]
    NoSeats,
    /// More seats than [`MAX_SEATS`].
    #[error("{seats} seats to apportion is more than the {max} this program accepts")]
    TooManySeats {
        /// The number asked for.
        seats: u32,
        /// [`MAX_SEATS`].
        max: u32,
    },
    /// There are no lists.
    #[error("there are no lists")]
    NoLists,
    /// A list number occurs twice in the input.
    #[error("list {0} occurs more than once in the input")]
    DuplicateList(ListNumber),
    /// The lists have no votes: there is no quota.
    #[error("the lists have 0 votes in total: there is no quota (P 5)")]
    NoVotes,
    /// The total of votes does not fit in 64 bits.
    #[error("the total of votes on lists does not fit in 64 bits")]
    VotesOverflow,
    /// The election category is not supported.
    #[error("seat apportionment for category {category:?} is not supported: {why}")]
    UnsupportedCategory {
        /// The category.
        category: ElectionCategory,
        /// Why.
        why: &'static str,
    },
    /// A lot outcome names a list that was not in the drawing.
    #[error("lot outcome for {drawing}: drawn list {drawn} is not one of the tied lists")]
    DrawnListNotTied {
        /// The drawing.
        drawing: SeatDrawing,
        /// The list named as drawn.
        drawn: ListNumber,
    },
    /// Two lot outcomes are given for the same drawing.
    #[error("lot outcomes {first} and {second} (counted from 0) are for the same drawing")]
    DuplicateLot {
        /// Index of the first.
        first: usize,
        /// Index of the second.
        second: usize,
    },
    /// A lot outcome does not match any tie in the calculation.
    #[error(
        "lot outcome {index} (counted from 0), for {drawing}, matches no tie in this calculation"
    )]
    UnusedLot {
        /// Its index in the input.
        index: usize,
        /// Its drawing.
        drawing: SeatDrawing,
    },
}

struct ListState {
    list: ListNumber,
    votes: u64,
    candidates: u32,
    full: u32,
    remainder: Fraction,
    meets_threshold: bool,
    reaches_quota: bool,
    remaining: u32,
    had_remainder_seat: bool,
    had_one_per_list_seat: bool,
}

impl ListState {
    fn seats(&self) -> u32 {
        self.full.saturating_add(self.remaining)
    }
}

struct Lots<'a> {
    supplied: &'a [SeatLot],
    used: Vec<bool>,
    order: Vec<SeatLot>,
}

impl<'a> Lots<'a> {
    fn new(supplied: &'a [SeatLot]) -> Result<Self, ApportionmentError> {
        for (first, a) in supplied.iter().enumerate() {
            for (second, b) in supplied.iter().enumerate().skip(first.saturating_add(1)) {
                if a.drawing == b.drawing {
                    return Err(ApportionmentError::DuplicateLot { first, second });
                }
            }
        }
        Ok(Lots {
            supplied,
            used: vec![false; supplied.len()],
            order: Vec::new(),
        })
    }

    /// The drawn list for `drawing`, or `None` when no outcome is supplied.
    fn take(&mut self, drawing: &SeatDrawing) -> Result<Option<ListNumber>, ApportionmentError> {
        let found = self
            .supplied
            .iter()
            .enumerate()
            .find(|(_, lot)| lot.drawing == *drawing);
        let Some((index, lot)) = found else {
            return Ok(None);
        };
        if !drawing.tied.contains(&lot.drawn) {
            return Err(ApportionmentError::DrawnListNotTied {
                drawing: drawing.clone(),
                drawn: lot.drawn,
            });
        }
        if let Some(flag) = self.used.get_mut(index) {
            *flag = true;
        }
        self.order.push(lot.clone());
        Ok(Some(lot.drawn))
    }

    fn check_all_used(&self) -> Result<(), ApportionmentError> {
        for (index, (lot, used)) in self.supplied.iter().zip(&self.used).enumerate() {
            if !used {
                return Err(ApportionmentError::UnusedLot {
                    index,
                    drawing: lot.drawing.clone(),
                });
            }
        }
        Ok(())
    }
}

fn check_category(category: ElectionCategory) -> Result<(), ApportionmentError> {
    match category {
        // A water board's algemeen bestuur (AB) is elected under the Kieswet's chapter P as
        // it stands, with the rules of provinces and councils: the Kieswet's "algemeen
        // bestuur" is only the members of the category ingezetenen (its article 1.1;
        // Waterschapswet article 12, second paragraph, a), so the definition's
        // `NumberOfSeats` counts the elected seats without the appointed "geborgde zetels"
        // (docs/apportionment-ab.md).
        ElectionCategory::TK
        | ElectionCategory::PS
        | ElectionCategory::GR
        | ElectionCategory::AB => Ok(()),
        ElectionCategory::EK => Err(ApportionmentError::UnsupportedCategory {
            category,
            why: "the Eerste Kamer is elected with weighted votes (chapter U)",
        }),
        ElectionCategory::EP => Err(ApportionmentError::UnsupportedCategory {
            category,
            why: "the European Parliament rules (chapter Y) are not implemented or tested",
        }),
        ElectionCategory::ER | ElectionCategory::NR => {
            Err(ApportionmentError::UnsupportedCategory {
                category,
                why: "island council and electoral college rules are not implemented or tested",
            })
        }
    }
}

/// Apportion the seats over the lists: P 5 quota, P 6 full seats, P 7 or P 8 remaining
/// seats, P 9 absolute majority, P 10 list exhaustion, in that order (see the module
/// documentation). `lots` holds the outcomes of the drawings of lots already held; each must
/// match a tie.
///
/// # Errors
/// Bad input ([`ApportionmentError`]); a lot outcome that matches no tie or names a list that
/// was not tied.
pub fn apportion_seats(
    input: &SeatInput,
    lots: &[SeatLot],
) -> Result<SeatOutcome, ApportionmentError> {
    check_category(input.category)?;
    let quota_required = input.law.quota_required(input.category);
    if input.seats == 0 {
        return Err(ApportionmentError::NoSeats);
    }
    if input.seats > MAX_SEATS {
        return Err(ApportionmentError::TooManySeats {
            seats: input.seats,
            max: MAX_SEATS,
        });
    }
    if input.lists.is_empty() {
        return Err(ApportionmentError::NoLists);
    }
    let mut seen = BTreeSet::new();
    let mut total: u64 = 0;
    for l in &input.lists {
        if !seen.insert(l.list) {
            return Err(ApportionmentError::DuplicateList(l.list));
        }
        total = total
            .checked_add(l.votes)
            .ok_or(ApportionmentError::VotesOverflow)?;
    }
    if total == 0 {
        return Err(ApportionmentError::NoVotes);
    }
    let seats = input.seats;
    let quota = Fraction::new(total, u64::from(seats)).ok_or(ApportionmentError::NoSeats)?;
    let rules = Rules {
        small: seats < HIGHEST_AVERAGES_FROM_SEATS,
        quota_required,
    };
    let mut lots = Lots::new(lots)?;
    let mut steps = Vec::new();

    // P 6: full seats, exactly: floor(votes * seats / total); remainder (votes * seats -
    // full * total) / seats. Both fit in u128; the remainder's numerator is below `total`.
    let mut sorted: Vec<&ListVotes> = input.lists.iter().collect();
    sorted.sort_by_key(|l| l.list);
    let mut states = Vec::with_capacity(sorted.len());
    for l in sorted {
        let scaled = u128::from(l.votes) * u128::from(seats);
        let total128 = u128::from(total);
        let full128 = scaled / total128;
        let rest = scaled % total128;
        // full <= seats because votes <= total; rest < total.
        let full = u32::try_from(full128).unwrap_or(seats);
        let rest = u64::try_from(rest).unwrap_or(u64::MAX);
        let remainder = Fraction::new(rest, u64::from(seats)).unwrap_or_else(Fraction::zero);
        states.push(ListState {
            list: l.list,
            votes: l.votes,
            candidates: l.candidates,
            full,
            remainder,
            // votes >= 3/4 * total / seats  <=>  4 * votes * seats >= 3 * total
            meets_threshold: scaled * 4 >= total128 * 3,
            reaches_quota: scaled >= total128,
            remaining: 0,
            had_remainder_seat: false,
            had_one_per_list_seat: false,
        });
    }
    let full_total: u32 = states.iter().map(|s| s.full).fold(0, u32::saturating_add);
    let first_round = seats.saturating_sub(full_total);

    // P 7 / P 8: the remaining seats, one at a time, without regard to candidates.
    let mut unfilled = 0;
    match assign_remaining(
        &mut states,
        &mut steps,
        Round {
            first_seat: 1,
            count: first_round,
            exhaustion: false,
        },
        rules,
        &mut lots,
    )? {
        Assigned::All => {}
        Assigned::NoList { left } => {
            // Only where no list may take a remaining seat at all (every list below the
            // quota at a Tweede Kamer election): nothing is left for P 9 or P 10 to change.
            unfilled = left;
        }
        Assigned::Lots(drawing) => {
            return Ok(SeatOutcome::LotsNeeded(SeatLotsNeeded {
                drawing,
                quota,
                steps,
            }));
        }
    }

    // P 9: absolute majority.
    if let Some(drawing) = absolute_majority(&mut states, &mut steps, seats, total, &mut lots)? {
        return Ok(SeatOutcome::LotsNeeded(SeatLotsNeeded {
            drawing,
            quota,
            steps,
        }));
    }

    // P 10: lists with more seats than candidates give up the excess; the seats given up go
    // by continued application of P 7 / P 8 to lists that still have candidates.
    let mut given_up: u32 = 0;
    for s in &mut states {
        if s.seats() <= s.candidates {
            continue;
        }
        let before = s.seats();
        let excess = before - s.candidates;
        let remaining_given_up = excess.min(s.remaining);
        let full_given_up = excess - remaining_given_up;
        s.remaining -= remaining_given_up;
        s.full = s.full.saturating_sub(full_given_up);
        given_up = given_up.saturating_add(excess);
        steps.push(SeatStep::ListExhausted {
            list: s.list,
            seats: before,
            candidates: s.candidates,
            remaining_given_up,
            full_given_up,
        });
    }
    if given_up > 0 {
        let assigned_so_far = first_round.saturating_sub(unfilled);
        match assign_remaining(
            &mut states,
            &mut steps,
            Round {
                first_seat: assigned_so_far.saturating_add(1),
                count: given_up,
                exhaustion: true,
            },
            rules,
            &mut lots,
        )? {
            Assigned::All => {}
            Assigned::NoList { left } => unfilled = unfilled.saturating_add(left),
            Assigned::Lots(drawing) => {
                return Ok(SeatOutcome::LotsNeeded(SeatLotsNeeded {
                    drawing,
                    quota,
                    steps,
                }));
            }
        }
    }
    if unfilled > 0 {
        steps.push(SeatStep::SeatsUnfilled { seats: unfilled });
    }

    lots.check_all_used()?;
    let lists: Vec<ListSeats> = states
        .iter()
        .map(|s| ListSeats {
            list: s.list,
            votes: s.votes,
            candidates: s.candidates,
            full_seats: s.full,
            remainder: s.remainder.clone(),
            meets_remainder_threshold: s.meets_threshold,
            reaches_quota: s.reaches_quota,
            remaining_seats: s.remaining,
            seats: s.seats(),
        })
        .collect();
    let full_seats = lists
        .iter()
        .map(|l| l.full_seats)
        .fold(0, u32::saturating_add);
    let remaining_seats = lists
        .iter()
        .map(|l| l.remaining_seats)
        .fold(0, u32::saturating_add);
    Ok(SeatOutcome::Complete(SeatApportionment {
        category: input.category,
        law: input.law,
        seats,
        total_votes: total,
        quota,
        full_seats,
        remaining_seats,
        unfilled_seats: unfilled,
        lists,
        steps,
        lots: lots.order,
    }))
}

/// The rules that do not change during one apportionment.
#[derive(Clone, Copy)]
struct Rules {
    /// Fewer than 19 seats: P 8 instead of P 7.
    small: bool,
    /// Lists below the quota take no remaining seat.
    quota_required: bool,
}

/// A run of remaining seats to assign.
#[derive(Clone, Copy)]
struct Round {
    /// The number of the first seat of the run, counted from 1 over all remaining seats.
    first_seat: u32,
    /// How many seats.
    count: u32,
    /// Whether lists with as many seats as candidates are left out (P 10).
    exhaustion: bool,
}

enum Assigned {
    All,
    NoList { left: u32 },
    Lots(SeatDrawing),
}

fn assign_remaining(
    states: &mut [ListState],
    steps: &mut Vec<SeatStep>,
    round: Round,
    rules: Rules,
    lots: &mut Lots<'_>,
) -> Result<Assigned, ApportionmentError> {
    for index in 0..round.count {
        let seat = round.first_seat.saturating_add(index);
        let left = round.count - index;
        let step = match next_remaining_seat(states, seat, left, rules, round.exhaustion, lots)? {
            Next::Step(step) => step,
            Next::Lots(drawing) => return Ok(Assigned::Lots(drawing)),
            Next::NoList => return Ok(Assigned::NoList { left }),
        };
        if let Some(s) = states.iter_mut().find(|s| s.list == step.list) {
            s.remaining = s.remaining.saturating_add(1);
            match step.rule {
                SeatRule::LargestRemainders => s.had_remainder_seat = true,
                SeatRule::HighestAveragesOnePerList => s.had_one_per_list_seat = true,
                SeatRule::HighestAverages | SeatRule::HighestAveragesUnlimited => {}
            }
        }
        steps.push(SeatStep::RemainingSeat(step));
    }
    Ok(Assigned::All)
}

/// P 9. Returns the drawing of lots it needs, if any.
fn absolute_majority(
    states: &mut [ListState],
    steps: &mut Vec<SeatStep>,
    seats: u32,
    total: u64,
    lots: &mut Lots<'_>,
) -> Result<Option<SeatDrawing>, ApportionmentError> {
    let Some((majority_list, majority_seats)) = states
        .iter()
        .find(|s| u128::from(s.votes) * 2 > u128::from(total))
        .map(|s| (s.list, s.seats()))
    else {
        return Ok(None);
    };
    // "kleiner dan de volstrekte meerderheid van het aantal toe te wijzen zetels": not more
    // than half of the seats.
    if u64::from(majority_seats) * 2 > u64::from(seats) {
        return Ok(None);
    }
    let group: Vec<(ListNumber, SeatRule)> = last_seat_group(steps)
        .into_iter()
        .filter(|(l, _)| *l != majority_list)
        .collect();
    let (outcome, retracted_rule) = match group.as_slice() {
        [] => (AbsoluteMajorityOutcome::NoRemainingSeatToRetract, None),
        [(only, rule)] => (
            AbsoluteMajorityOutcome::Transferred {
                from: *only,
                by_lot: false,
            },
            Some(*rule),
        ),
        [(_, rule), ..] => {
            let drawing = SeatDrawing {
                purpose: SeatDrawingPurpose::AbsoluteMajorityRetraction,
                tied: group.iter().map(|(l, _)| *l).collect(),
            };
            match lots.take(&drawing)? {
                Some(from) => (
                    AbsoluteMajorityOutcome::Transferred { from, by_lot: true },
                    Some(*rule),
                ),
                None => return Ok(Some(drawing)),
            }
        }
    };
    if let AbsoluteMajorityOutcome::Transferred { from, .. } = outcome {
        for s in states.iter_mut() {
            if s.list == from {
                s.remaining = s.remaining.saturating_sub(1);
                // The seat it gave up no longer counts against it in a later round (as the
                // Electoral Council's implementation does); the P 9 seat itself counts
                // toward no round (see docs/apportionment-p9-p10.md).
                match retracted_rule {
                    Some(SeatRule::LargestRemainders) => s.had_remainder_seat = false,
                    Some(SeatRule::HighestAveragesOnePerList) => s.had_one_per_list_seat = false,
                    _ => {}
                }
            } else if s.list == majority_list {
                s.remaining = s.remaining.saturating_add(1);
            }
        }
    }
    steps.push(SeatStep::AbsoluteMajority {
        list: majority_list,
        outcome,
    });
    Ok(None)
}

enum Next {
    Step(RemainingSeatStep),
    Lots(SeatDrawing),
    NoList,
}

fn next_remaining_seat(
    states: &[ListState],
    seat: u32,
    left: u32,
    rules: Rules,
    exhaustion: bool,
    lots: &mut Lots<'_>,
) -> Result<Next, ApportionmentError> {
    let mut excluded = Vec::new();
    let mut eligible: Vec<&ListState> = Vec::new();
    for s in states {
        let reason = if s.votes == 0 {
            Some(ExclusionReason::NoVotes)
        } else if rules.quota_required && !s.reaches_quota {
            Some(ExclusionReason::BelowQuota)
        } else if exhaustion && s.seats() >= s.candidates {
            Some(ExclusionReason::ListExhausted)
        } else {
            None
        };
        match reason {
            Some(reason) => excluded.push(Exclusion {
                list: s.list,
                reason,
            }),
            None => eligible.push(s),
        }
    }
    if eligible.is_empty() {
        return Ok(Next::NoList);
    }

    let average = |s: &ListState| {
        Fraction::new(s.votes, u64::from(s.seats()).saturating_add(1))
            .unwrap_or_else(Fraction::zero)
    };
    let (rule, taking_part): (SeatRule, Vec<&ListState>) = if !rules.small {
        (SeatRule::HighestAverages, eligible)
    } else if eligible
        .iter()
        .any(|s| s.meets_threshold && !s.had_remainder_seat)
    {
        let (yes, no): (Vec<&ListState>, Vec<&ListState>) = eligible
            .into_iter()
            .partition(|s| s.meets_threshold && !s.had_remainder_seat);
        for s in no {
            let reason = if s.had_remainder_seat {
                ExclusionReason::HadLargestRemainderSeat
            } else {
                ExclusionReason::BelowRemainderThreshold
            };
            excluded.push(Exclusion {
                list: s.list,
                reason,
            });
        }
        (SeatRule::LargestRemainders, yes)
    } else if eligible.iter().any(|s| !s.had_one_per_list_seat) {
        let (yes, no): (Vec<&ListState>, Vec<&ListState>) =
            eligible.into_iter().partition(|s| !s.had_one_per_list_seat);
        for s in no {
            excluded.push(Exclusion {
                list: s.list,
                reason: ExclusionReason::HadSeatThisRound,
            });
        }
        (SeatRule::HighestAveragesOnePerList, yes)
    } else {
        (SeatRule::HighestAveragesUnlimited, eligible)
    };
    excluded.sort_by_key(|e| e.list);

    let compared: Vec<Standing> = taking_part
        .iter()
        .map(|s| Standing {
            list: s.list,
            seats_before: s.seats(),
            value: if rule.compares_remainders() {
                s.remainder.clone()
            } else {
                average(s)
            },
        })
        .collect();
    let Some(best) = compared.iter().map(|c| &c.value).max().cloned() else {
        return Ok(Next::NoList);
    };
    let tied: Vec<ListNumber> = compared
        .iter()
        .filter(|c| c.value == best)
        .map(|c| c.list)
        .collect();
    let (list, by_lot) = match tied.as_slice() {
        [] => return Ok(Next::NoList),
        [only] => (*only, false),
        [first, ..] if tied.len() <= left as usize => (*first, false),
        _ => {
            let drawing = SeatDrawing {
                purpose: SeatDrawingPurpose::RemainingSeat { seat, rule },
                tied: tied.clone(),
            };
            match lots.take(&drawing)? {
                Some(drawn) => (drawn, true),
                None => return Ok(Next::Lots(drawing)),
            }
        }
    };
    Ok(Next::Step(RemainingSeatStep {
        seat,
        rule,
        list,
        value: best,
        compared,
        tied,
        by_lot,
        excluded,
    }))
}

/// The lists that got "the last remaining seat" for P 9, with the rule of their seat: the
/// list of the last remaining-seat step, together with the lists that got a seat just before
/// it under the same rule with the same value (they were tied for it).
fn last_seat_group(steps: &[SeatStep]) -> Vec<(ListNumber, SeatRule)> {
    let mut group: Vec<(ListNumber, SeatRule)> = Vec::new();
    let mut last: Option<(SeatRule, &Fraction)> = None;
    for step in steps.iter().rev() {
        let SeatStep::RemainingSeat(r) = step else {
            continue;
        };
        match last {
            None => last = Some((r.rule, &r.value)),
            Some((rule, value)) if rule == r.rule && *value == r.value => {}
            Some(_) => break,
        }
        if !group.iter().any(|(l, _)| *l == r.list) {
            group.push((r.list, r.rule));
        }
    }
    group.sort_by_key(|(l, _)| *l);
    group
}
