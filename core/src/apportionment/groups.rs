//! The election of the candidates of a list that differs between kieskringen: a
//! "lijstengroep" (Kieswet H 11, second paragraph) or a set of identical lists submitted in
//! some kieskringen only ("stel gelijkluidende lijsten", H 11, first paragraph, and P 2).
//! Kieswet P 12, P 13, P 15 - P 18, P 19 and P 19a.
//!
//! The group has got its seats as one list (P 3). Here:
//!
//! - **P 12** distributes them over the group's lists: "Het centraal stembureau deelt het
//!   stemcijfer van de lijstengroep door het aantal aan de groep toegewezen zetels. [...]
//!   Zoveel maal als de groepskiesdeler is begrepen in het stemcijfer van elk van de lijsten
//!   waaruit de groep bestaat, wordt aan die lijst een van de aan de groep toegewezen zetels
//!   toegewezen. De restzetels worden achtereenvolgens toegewezen aan de lijsten van de groep
//!   waarvan de stemcijfers bij deling door de groepskiesdeler de grootste overschotten
//!   hebben. [...] Indien overschotten gelijk zijn, beslist zo nodig het lot."
//! - **P 13**: "Indien [...] aan een lijst meer zetels zouden moeten worden toegewezen dan er
//!   kandidaten zijn, gaan de overblijvende zetel of zetels door voortgezette toepassing van
//!   dat artikel over op een van de andere lijsten [...] van de groep, waarop kandidaten
//!   voorkomen aan wie geen zetel is toegewezen. Zijn er na toepassing van het eerste lid nog
//!   zetels toe te wijzen, dan worden deze toegewezen volgens het stelsel van de grootste
//!   gemiddelden als bedoeld in artikel P 7, eerste lid."
//! - **P 15**: "In de volgorde van de aantallen op hen uitgebrachte stemmen zijn gekozen die
//!   kandidaten die op de gezamenlijke lijsten waarop zij voorkomen, een aantal stemmen
//!   hebben verkregen, groter dan 25% van de kiesdeler, voor zover aan de lijstengroep [...]
//!   voldoende zetels zijn toegewezen. Indien aantallen gelijk zijn, beslist zo nodig het lot."
//! - **P 16**: "[...] indien een aldus gekozen kandidaat op meer dan één lijst is vermeld, die
//!   kandidaat als gekozen op de lijst waarop het grootste aantal stemmen op hem is
//!   uitgebracht; voor zover aan die lijst voldoende zetels zijn toegewezen. Voor zover
//!   aantallen gelijk zijn, geldt hij als gekozen op de lijst, ingeleverd voor de kieskring,
//!   met het laagste nummer." Second paragraph: "Indien aan geen van de lijsten waarop de
//!   gekozen kandidaat is vermeld, voldoende zetels zijn toegewezen, wordt aan hem niettemin
//!   een zetel toegewezen op de lijst waarop hij het grootste aantal stemmen heeft verkregen,
//!   en vervalt daartegenover de zetel die met toepassing van artikel P 12 of P 13 het laatst
//!   was toegewezen aan een van de lijsten van de groep."
//! - **P 17**: the seats left go "aan de nog niet gekozen kandidaten van de desbetreffende
//!   lijsten [...] in de volgorde van de lijst".
//! - **P 18**: "indien een kandidaat met toepassing van artikel P 17 op meer dan één lijst van
//!   de lijstengroep gekozen is, \[geldt\] die kandidaat als gekozen op de lijst waarop het
//!   grootste aantal stemmen op hem is uitgebracht. Voor zover aantallen gelijk zijn, geldt hij
//!   als gekozen op de lijst, ingeleverd voor de kieskring met het laagste nummer." The seats
//!   this frees go in list order to the lists' next candidates not yet elected, "zo lang
//!   herhaald, totdat alle aan de lijsten toegewezen zetels aan kandidaten zijn toegewezen".
//! - **P 19** ranks each list's candidates (for vacancies); "Bij de rangschikking blijft
//!   artikel P 18 buiten toepassing."
//! - **P 19a**: "Indien een kandidaat is overleden, wordt deze bij de toepassing van deze
//!   paragraaf buiten beschouwing gelaten." (the paragraph is P 15 - P 19a; the seats of the
//!   lists, P 12 and P 13, are in the paragraph before and count every candidate).
//!
//! A list of the group is named by the lowest number of the kieskringen it was submitted
//! for ([`GroupList::id`]): a kieskring has one list of a group, and "de kieskring met het
//! laagste nummer" is the law's own tie-break. A candidate is named by a key that is the
//! same on every list of the group where the candidate stands (the `ShortCode` of the
//! Tweede Kamer files).
//!
//! The program never picks a tie: equal remainders or averages for a seat of the group, or
//! equal votes for a preference seat, stop the calculation with
//! [`GroupOutcome::LotsNeeded`]; the caller adds the drawing's outcome ([`GroupLot`]) and
//! calls again. See `docs/apportionment-p18-p19.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::candidates::{ElectedBy, ElectedCandidate, ListElected};
use super::fraction::Fraction;
use crate::ids::{CandidatePosition, ListNumber};

/// One candidate on one list of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCandidate {
    /// The candidate's identity across the group's lists (the `ShortCode`).
    pub key: String,
    /// Position on this list.
    pub position: CandidatePosition,
    /// Votes for the candidate on this list (summed over the kieskringen it was submitted
    /// for, P 2).
    pub votes: u64,
}

/// One list of a group: the list of one kieskring, or a set of identical lists of several
/// kieskringen, which counts as one list (P 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupList {
    /// The kieskringen it was submitted for, ascending, at least one.
    pub districts: Vec<u32>,
    /// Its votes ("stemcijfer"), summed over those kieskringen.
    pub votes: u64,
    /// Its candidates in list order (ascending position).
    pub candidates: Vec<GroupCandidate>,
}

impl GroupList {
    /// The list's name here: the lowest number of its kieskringen.
    pub fn id(&self) -> u32 {
        self.districts.first().copied().unwrap_or(0)
    }
}

/// The input: a group (or a list not submitted everywhere) with its seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInput {
    /// The group's number (the affiliation apportioned as one list, P 3).
    pub group: ListNumber,
    /// The seats the group got.
    pub seats: u32,
    /// The quota ("kiesdeler", P 5) of the election.
    pub quota: Fraction,
    /// The preference threshold as a percentage of the quota (P 15: 25).
    pub threshold_percent: u32,
    /// The group's lists.
    pub lists: Vec<GroupList>,
    /// The keys of deceased candidates (P 19a), as the central committee marked them.
    pub deceased: BTreeSet<String>,
}

/// A drawing of lots within a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub enum GroupDrawing {
    /// P 12 fifth paragraph (or P 13): equal remainders or averages for a seat of the group;
    /// `seat` counts the group's remaining seats from 1.
    RemainingSeat {
        /// The group.
        group: ListNumber,
        /// Which remaining seat.
        seat: u32,
        /// The tied lists (by [`GroupList::id`]), ascending.
        tied: Vec<u32>,
    },
    /// P 15: equal votes for the group's `seat`-th preference seat.
    PreferenceSeat {
        /// The group.
        group: ListNumber,
        /// Which preference seat, from 1.
        seat: u32,
        /// The tied candidates' keys, in the order of the lists.
        tied: Vec<String>,
    },
    /// P 16 second paragraph: the last seats of P 12 / P 13 went to several lists for the
    /// same remainder or average; which of them loses one to `candidate`.
    Retraction {
        /// The group.
        group: ListNumber,
        /// The candidate who gets the seat.
        candidate: String,
        /// The lists that could lose it, ascending.
        tied: Vec<u32>,
    },
}

impl fmt::Display for GroupDrawing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupDrawing::RemainingSeat { group, seat, tied } => write!(
                f,
                "list group {group}, remaining seat {seat} between the lists of kieskring {}",
                join(tied)
            ),
            GroupDrawing::PreferenceSeat { group, seat, tied } => write!(
                f,
                "list group {group}, preference seat {seat} between candidates {}",
                tied.join(", ")
            ),
            GroupDrawing::Retraction {
                group,
                candidate,
                tied,
            } => write!(
                f,
                "list group {group}, which list gives up a seat to {candidate} (P 16): the lists of kieskring {}",
                join(tied)
            ),
        }
    }
}

fn join(ids: &[u32]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a drawing drew.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub enum GroupDrawn {
    /// A list, by [`GroupList::id`].
    List(u32),
    /// A candidate, by key.
    Candidate(String),
}

impl fmt::Display for GroupDrawn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupDrawn::List(id) => write!(f, "the list of kieskring {id}"),
            GroupDrawn::Candidate(key) => write!(f, "candidate {key}"),
        }
    }
}

/// The outcome of a drawing of lots within a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupLot {
    /// The drawing, exactly as asked for.
    pub drawing: GroupDrawing,
    /// What was drawn: a list for a seat or a retraction, a candidate for a preference seat.
    pub drawn: GroupDrawn,
}

/// How a list got one of the group's remaining seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupSeatRule {
    /// P 12 fifth paragraph: largest remainder (and its continuation under P 13, first
    /// paragraph).
    LargestRemainder,
    /// P 13 second paragraph: highest average.
    HighestAverage,
}

/// One step of the election within a group, in order, for the screen and the P 22-2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupStep {
    /// P 12 / P 13: a list got a remaining seat of the group for `value` (remainder or average).
    RemainingSeat {
        /// The list.
        list: u32,
        /// How.
        rule: GroupSeatRule,
        /// The remainder or average.
        value: Fraction,
        /// Whether a drawing of lots decided it.
        by_lot: bool,
    },
    /// P 13: the list has fewer candidates than seats and gives up `gave_up` seats.
    ListExhausted {
        /// The list.
        list: u32,
        /// Its candidates.
        candidates: u32,
        /// Seats given up.
        gave_up: u32,
    },
    /// P 19a: a deceased candidate passed over.
    Deceased {
        /// The candidate.
        candidate: String,
    },
    /// P 15 and P 16 first paragraph: elected by preference, on `list`.
    Preference {
        /// The candidate.
        candidate: String,
        /// Votes on all the group's lists together.
        votes: u64,
        /// The list the seat is on.
        list: u32,
        /// Whether a drawing of lots decided the preference seat.
        by_lot: bool,
    },
    /// P 16 second paragraph: none of the candidate's lists had a seat left; the seat is
    /// added to `list` and taken from `taken_from`, the list that got the group's last seat
    /// under P 12 / P 13.
    PreferenceSeatMoved {
        /// The candidate.
        candidate: String,
        /// The list that gets the seat.
        list: u32,
        /// The list that loses it.
        taken_from: u32,
        /// Whether a drawing of lots decided which list loses it.
        by_lot: bool,
    },
    /// P 18 first paragraph: elected in list order on several lists; keeps the seat on
    /// `kept`, where the most votes were cast on the candidate (lowest kieskring on equal
    /// votes). `round` counts the repetitions of P 18 third paragraph from 1.
    ElectedOnSeveralLists {
        /// The candidate.
        candidate: String,
        /// The lists, ascending.
        lists: Vec<u32>,
        /// The list kept.
        kept: u32,
        /// Which round.
        round: u32,
    },
}

/// How the seats of the group fell to one of its lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupListSeats {
    /// The list ([`GroupList::id`]).
    pub id: u32,
    /// Its kieskringen.
    pub districts: Vec<u32>,
    /// Its votes.
    pub votes: u64,
    /// P 12 fourth paragraph: whole group quotas in its votes.
    pub full_seats: u32,
    /// Its remainder after the full seats.
    pub remainder: Fraction,
    /// Seats given up because the list has too few candidates (P 13).
    pub gave_up: u32,
    /// Seats taken away under P 16 second paragraph.
    pub taken: u32,
    /// Seats added under P 16 second paragraph.
    pub added: u32,
    /// Its seats in the end.
    pub seats: u32,
    /// P 19: its candidates' ranking (keys), deceased candidates left out.
    pub ranking: Vec<String>,
}

/// An elected candidate of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupElected {
    /// The candidate.
    pub key: String,
    /// The list the seat is on.
    pub list: u32,
    /// Position on that list.
    pub position: CandidatePosition,
    /// Votes on all the group's lists together (P 15's number).
    pub votes: u64,
    /// Votes on the list of the seat.
    pub votes_on_list: u64,
    /// P 15 (with P 16) or P 17 (with P 18).
    pub by: ElectedBy,
    /// Whether a drawing of lots decided the candidate's preference seat.
    pub by_lot: bool,
    /// Every kieskring whose list of the group has the candidate, with the position there,
    /// ascending by kieskring (where to find the candidate's name in a 230b).
    pub stands_on: Vec<(u32, CandidatePosition)>,
}

/// The complete election within a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupElection {
    /// The group.
    pub group: ListNumber,
    /// Its seats.
    pub seats: u32,
    /// The group quota ("groepskiesdeler", P 12 third paragraph).
    pub group_quota: Fraction,
    /// The preference threshold in votes (P 15: more votes than this).
    pub threshold: Fraction,
    /// Per list, in input order.
    pub lists: Vec<GroupListSeats>,
    /// The candidates with more votes than the threshold, by votes (P 15), deceased left out.
    pub reaching_threshold: Vec<String>,
    /// The deceased candidates passed over (P 19a).
    pub deceased: Vec<String>,
    /// The elected, in the order elected: preference first, then list order.
    pub elected: Vec<GroupElected>,
    /// Every step.
    pub steps: Vec<GroupStep>,
    /// The drawings of lots used, in order.
    pub lots: Vec<GroupLot>,
}

impl GroupElection {
    /// The elected as one list's outcome, for the 520 and the P 22-2: each candidate with the
    /// position on the list of its seat, that list's lowest kieskring
    /// ([`ElectedCandidate::district`]) and its key as `ShortCode`, its votes those of all
    /// the group's lists together.
    pub fn list_elected(&self) -> ListElected {
        ListElected {
            list: self.group,
            seats: self.seats,
            reaching_threshold: Vec::new(),
            deceased: Vec::new(),
            elected: self
                .elected
                .iter()
                .map(|e| ElectedCandidate {
                    position: e.position,
                    votes: e.votes,
                    by: e.by,
                    by_lot: e.by_lot,
                    district: Some(e.list),
                    short_code: Some(e.key.clone()),
                    stands_on: e.stands_on.clone(),
                })
                .collect(),
        }
    }
}

/// The result of [`elect_group`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupOutcome {
    /// Done.
    Complete(Box<GroupElection>),
    /// A drawing of lots decides: hold it, add a [`GroupLot`], call again.
    LotsNeeded(GroupDrawing),
}

/// Why a group's candidates cannot be elected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    /// The threshold percentage is not between 1 and 100.
    #[error("preference threshold {0} % is not between 1 and 100")]
    ThresholdPercent(u32),
    /// The group has seats but no list.
    #[error("list group {0} has seats but no lists")]
    NoLists(ListNumber),
    /// A list without kieskringen, or with kieskringen not strictly ascending.
    #[error("list group {group}: a list's kieskringen are missing or not strictly ascending")]
    Districts {
        /// The group.
        group: ListNumber,
    },
    /// A kieskring has two lists of the group.
    #[error("list group {group}: kieskring {district} has more than one list of the group")]
    DistrictTwice {
        /// The group.
        group: ListNumber,
        /// The kieskring.
        district: u32,
    },
    /// The candidates of a list are not in strictly ascending position order, or a
    /// candidate stands twice on one list.
    #[error(
        "list group {group}, list of kieskring {list}: candidate {key} at position {position} is out of order or twice on the list"
    )]
    Candidates {
        /// The group.
        group: ListNumber,
        /// The list.
        list: u32,
        /// The candidate.
        key: String,
        /// Its position.
        position: CandidatePosition,
    },
    /// The group has seats but no votes: there is no group quota.
    #[error("list group {0} has seats but no votes")]
    NoVotes(ListNumber),
    /// A sum of votes does not fit.
    #[error("list group {0}: votes too large")]
    Overflow(ListNumber),
    /// The group's lists have fewer candidates than the group has seats (P 10 should have
    /// moved the seats).
    #[error("list group {group} has {seats} seats but its lists cannot fill them ({reason})")]
    TooFewCandidates {
        /// The group.
        group: ListNumber,
        /// Its seats.
        seats: u32,
        /// What ran out.
        reason: String,
    },
    /// P 16 second paragraph cannot be applied: there is no remaining seat of P 12 / P 13 to
    /// take, or the list that got it has no seat left that is not taken by preference. The
    /// law does not say what then; never guessed.
    #[error(
        "list group {group}: P 16 second paragraph for candidate {candidate} cannot be applied ({reason})"
    )]
    SeatCannotMove {
        /// The group.
        group: ListNumber,
        /// The candidate.
        candidate: String,
        /// Why.
        reason: String,
    },
    /// A lot outcome names what was not tied.
    #[error("lot outcome for {drawing}: {drawn} is not one of the tied")]
    DrawnNotTied {
        /// The drawing.
        drawing: GroupDrawing,
        /// What was named.
        drawn: GroupDrawn,
    },
    /// A lot outcome matches no tie.
    #[error(
        "lot outcome {index} (counted from 0), for {drawing}, matches no tie in this calculation"
    )]
    UnusedLot {
        /// Its index.
        index: usize,
        /// Its drawing.
        drawing: GroupDrawing,
    },
    /// Two lot outcomes for one drawing.
    #[error("lot outcomes {first} and {second} (counted from 0) are for the same drawing")]
    DuplicateLot {
        /// The first.
        first: usize,
        /// The second.
        second: usize,
    },
}

/// The lots given, and which were used.
struct Lots<'a> {
    given: &'a [GroupLot],
    used: Vec<bool>,
    order: Vec<GroupLot>,
}

enum Drawn<T> {
    Is(T),
    Needed(GroupDrawing),
}

impl<'a> Lots<'a> {
    fn new(given: &'a [GroupLot]) -> Result<Self, GroupError> {
        for (first, a) in given.iter().enumerate() {
            for (second, b) in given.iter().enumerate().skip(first.saturating_add(1)) {
                if a.drawing == b.drawing {
                    return Err(GroupError::DuplicateLot { first, second });
                }
            }
        }
        Ok(Lots {
            given,
            used: vec![false; given.len()],
            order: Vec::new(),
        })
    }

    /// The outcome of `drawing`, checked to be one of `tied`.
    fn draw(
        &mut self,
        drawing: GroupDrawing,
        tied: &[GroupDrawn],
    ) -> Result<Drawn<GroupDrawn>, GroupError> {
        let Some((index, lot)) = self
            .given
            .iter()
            .enumerate()
            .find(|(_, l)| l.drawing == drawing)
        else {
            return Ok(Drawn::Needed(drawing));
        };
        if !tied.contains(&lot.drawn) {
            return Err(GroupError::DrawnNotTied {
                drawing,
                drawn: lot.drawn.clone(),
            });
        }
        if let Some(u) = self.used.get_mut(index) {
            *u = true;
        }
        self.order.push(lot.clone());
        Ok(Drawn::Is(lot.drawn.clone()))
    }

    fn finish(self) -> Result<Vec<GroupLot>, GroupError> {
        for (index, (lot, used)) in self.given.iter().zip(&self.used).enumerate() {
            if !used {
                return Err(GroupError::UnusedLot {
                    index,
                    drawing: lot.drawing.clone(),
                });
            }
        }
        Ok(self.order)
    }
}

/// The working state of one list.
struct ListState<'a> {
    list: &'a GroupList,
    id: u32,
    full: u32,
    /// `votes * seats - full * group_votes`: the remainder times the group's seats.
    remainder_scaled: u128,
    seats: u32,
    got_remaining: bool,
    gave_up: u32,
    taken: u32,
    added: u32,
    /// Seats already given to a candidate.
    filled: u32,
}

/// A candidate picked on a list: the list's index, the votes on it, the position.
type Pick = (usize, u64, CandidatePosition);

/// One seat given under P 12 / P 13, in order (for P 16 second paragraph).
struct SeatGiven {
    list: u32,
    /// Equal values share a class: lists given seats at once for the same value.
    class: usize,
}

macro_rules! try_lot {
    ($e:expr) => {
        match $e? {
            Drawn::Is(x) => x,
            Drawn::Needed(d) => return Ok(GroupOutcome::LotsNeeded(d)),
        }
    };
}

/// Elects the candidates of a group: P 12, P 13, P 15 - P 18, P 19 ranking, P 19a.
///
/// # Errors
/// See [`GroupError`].
pub fn elect_group(input: &GroupInput, lots: &[GroupLot]) -> Result<GroupOutcome, GroupError> {
    let group = input.group;
    if input.threshold_percent == 0 || input.threshold_percent > 100 {
        return Err(GroupError::ThresholdPercent(input.threshold_percent));
    }
    let threshold = input
        .quota
        .scaled(u64::from(input.threshold_percent), 100)
        .ok_or(GroupError::ThresholdPercent(input.threshold_percent))?;
    let mut lots = Lots::new(lots)?;
    validate(input)?;
    if input.seats == 0 {
        return Ok(GroupOutcome::Complete(Box::new(GroupElection {
            group,
            seats: 0,
            group_quota: Fraction::zero(),
            threshold,
            lists: Vec::new(),
            reaching_threshold: Vec::new(),
            deceased: Vec::new(),
            elected: Vec::new(),
            steps: Vec::new(),
            lots: lots.finish()?,
        })));
    }
    let seats = input.seats;
    let group_votes = input
        .lists
        .iter()
        .try_fold(0u64, |a, l| a.checked_add(l.votes))
        .ok_or(GroupError::Overflow(group))?;
    if group_votes == 0 {
        return Err(GroupError::NoVotes(group));
    }
    let group_quota =
        Fraction::new(group_votes, u64::from(seats)).ok_or(GroupError::NoVotes(group))?;
    let mut steps = Vec::new();

    // P 12, fourth paragraph: full seats.
    let mut states: Vec<ListState> = Vec::new();
    for l in &input.lists {
        let scaled = u128::from(l.votes) * u128::from(seats);
        let full = scaled / u128::from(group_votes);
        let remainder_scaled = scaled - full * u128::from(group_votes);
        states.push(ListState {
            list: l,
            id: l.id(),
            full: u32::try_from(full).map_err(|_| GroupError::Overflow(group))?,
            remainder_scaled,
            seats: u32::try_from(full).map_err(|_| GroupError::Overflow(group))?,
            got_remaining: false,
            gave_up: 0,
            taken: 0,
            added: 0,
            filled: 0,
        });
    }
    let mut given: Vec<SeatGiven> = Vec::new();
    let mut class = 0usize;
    let assigned: u32 = states.iter().map(|s| s.seats).sum();
    let mut left = seats.saturating_sub(assigned);
    let mut seat_no = 0u32;
    // P 12, fifth paragraph, and P 13 first paragraph: largest remainders, each list at most
    // one, lists with room for the seat only; then P 13 second paragraph.
    // P 13: a list with more seats than candidates gives up the excess first.
    for s in &mut states {
        let candidates = u32::try_from(s.list.candidates.len()).unwrap_or(u32::MAX);
        if s.seats > candidates {
            s.gave_up = s.seats - candidates;
            s.seats = candidates;
            left = left.saturating_add(s.gave_up);
            steps.push(GroupStep::ListExhausted {
                list: s.id,
                candidates,
                gave_up: s.gave_up,
            });
        }
    }
    while left > 0 {
        let room = |s: &ListState| (s.seats as usize) < s.list.candidates.len();
        // Largest remainders first, then highest averages.
        let remainder_pool: Vec<usize> = (0..states.len())
            .filter(|&i| states.get(i).is_some_and(|s| !s.got_remaining && room(s)))
            .collect();
        let (rule, pool) = if remainder_pool.is_empty() {
            let pool: Vec<usize> = (0..states.len())
                .filter(|&i| states.get(i).is_some_and(&room))
                .collect();
            if pool.is_empty() {
                return Err(GroupError::TooFewCandidates {
                    group,
                    seats,
                    reason: "every list of the group has a seat for each of its candidates".into(),
                });
            }
            (GroupSeatRule::HighestAverage, pool)
        } else {
            (GroupSeatRule::LargestRemainder, remainder_pool)
        };
        let value = |s: &ListState| -> Fraction {
            match rule {
                GroupSeatRule::LargestRemainder => frac_u128(s.remainder_scaled, u128::from(seats)),
                GroupSeatRule::HighestAverage => {
                    frac_u128(u128::from(s.list.votes), u128::from(s.seats) + 1)
                }
            }
        };
        let mut best: Option<Fraction> = None;
        for &i in &pool {
            if let Some(s) = states.get(i) {
                let v = value(s);
                if best.as_ref().is_none_or(|b| v > *b) {
                    best = Some(v);
                }
            }
        }
        let Some(best) = best else { break };
        let tied: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|&i| states.get(i).is_some_and(|s| value(s) == best))
            .collect();
        class = class.saturating_add(1);
        let (winners, by_lot): (Vec<usize>, bool) = if tied.len() as u64 <= u64::from(left) {
            (tied, false)
        } else {
            let ids: Vec<u32> = tied
                .iter()
                .filter_map(|&i| states.get(i).map(|s| s.id))
                .collect();
            let drawing = GroupDrawing::RemainingSeat {
                group,
                seat: seat_no.saturating_add(1),
                tied: ids.clone(),
            };
            let options: Vec<GroupDrawn> = ids.iter().map(|&i| GroupDrawn::List(i)).collect();
            let drawn = try_lot!(lots.draw(drawing, &options));
            let winner = tied.iter().copied().find(|&i| {
                states
                    .get(i)
                    .is_some_and(|s| GroupDrawn::List(s.id) == drawn)
            });
            (winner.into_iter().collect(), true)
        };
        for i in winners {
            if left == 0 {
                break;
            }
            if let Some(s) = states.get_mut(i) {
                seat_no = seat_no.saturating_add(1);
                left -= 1;
                s.seats += 1;
                if rule == GroupSeatRule::LargestRemainder {
                    s.got_remaining = true;
                }
                given.push(SeatGiven { list: s.id, class });
                steps.push(GroupStep::RemainingSeat {
                    list: s.id,
                    rule,
                    value: best.clone(),
                    by_lot,
                });
            }
        }
    }

    // Candidates: combined votes over the lists where they stand (P 15 "op de gezamenlijke
    // lijsten waarop zij voorkomen"); P 19a leaves the deceased out.
    let mut total: BTreeMap<&str, u64> = BTreeMap::new();
    // The order among equal votes: the list of the lowest kieskring, then position.
    let mut first_seen: BTreeMap<&str, (u32, CandidatePosition)> = BTreeMap::new();
    for l in &input.lists {
        for c in &l.candidates {
            let t = total.entry(c.key.as_str()).or_insert(0);
            *t = t.checked_add(c.votes).ok_or(GroupError::Overflow(group))?;
            let here = (l.id(), c.position);
            first_seen
                .entry(c.key.as_str())
                .and_modify(|f| {
                    if here < *f {
                        *f = here;
                    }
                })
                .or_insert(here);
        }
    }
    let mut deceased: Vec<String> = Vec::new();
    for key in total.keys() {
        if input.deceased.contains(*key) {
            deceased.push((*key).to_owned());
            steps.push(GroupStep::Deceased {
                candidate: (*key).to_owned(),
            });
        }
    }
    let living = |k: &str| !input.deceased.contains(k);
    let mut reaching: Vec<&str> = total
        .iter()
        .filter(|(k, v)| living(k) && threshold.is_less_than(**v))
        .map(|(k, _)| *k)
        .collect();
    let order_of = |k: &str| first_seen.get(k).copied();
    reaching.sort_by(|a, b| {
        total
            .get(b)
            .cmp(&total.get(a))
            .then(order_of(a).cmp(&order_of(b)))
    });

    // P 15: preference seats, as far as the group has seats.
    let mut elected: Vec<GroupElected> = Vec::new();
    let mut chosen: BTreeSet<&str> = BTreeSet::new();
    let mut preference: Vec<(&str, bool)> = Vec::new();
    let mut pool: Vec<&str> = reaching.clone();
    let mut pref_seat = 0u32;
    while (preference.len() as u64) < u64::from(seats) {
        let Some(top) = pool.first().and_then(|k| total.get(k)).copied() else {
            break;
        };
        pref_seat = pref_seat.saturating_add(1);
        let left = u64::from(seats).saturating_sub(preference.len() as u64);
        let tied: Vec<&str> = pool
            .iter()
            .copied()
            .filter(|k| total.get(k) == Some(&top))
            .collect();
        let (key, by_lot) = if tied.len() as u64 <= left {
            match tied.first() {
                Some(k) => (*k, false),
                None => break,
            }
        } else {
            let drawing = GroupDrawing::PreferenceSeat {
                group,
                seat: pref_seat,
                tied: tied.iter().map(|k| (*k).to_owned()).collect(),
            };
            let options: Vec<GroupDrawn> = tied
                .iter()
                .map(|k| GroupDrawn::Candidate((*k).to_owned()))
                .collect();
            let drawn = try_lot!(lots.draw(drawing, &options));
            match tied
                .iter()
                .copied()
                .find(|k| GroupDrawn::Candidate((*k).to_owned()) == drawn)
            {
                Some(k) => (k, true),
                None => break,
            }
        };
        pool.retain(|k| *k != key);
        chosen.insert(key);
        preference.push((key, by_lot));
    }

    // P 16: each on the list with the most votes for the candidate that has a seat left.
    for &(key, by_lot) in &preference {
        let on: Vec<Pick> = states
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                s.list
                    .candidates
                    .iter()
                    .find(|c| c.key == key)
                    .map(|c| (i, c.votes, c.position))
            })
            .collect();
        let best_of = |with_room: bool| {
            on.iter()
                .filter(|(i, _, _)| {
                    !with_room || states.get(*i).is_some_and(|s| s.filled < s.seats)
                })
                .max_by(|a, b| {
                    a.1.cmp(&b.1).then_with(|| {
                        let ia = states.get(a.0).map(|s| s.id);
                        let ib = states.get(b.0).map(|s| s.id);
                        ib.cmp(&ia)
                    })
                })
                .copied()
        };
        let votes = total.get(key).copied().unwrap_or(0);
        let target = match best_of(true) {
            Some(t) => {
                if let Some(s) = states.get(t.0) {
                    steps.push(GroupStep::Preference {
                        candidate: key.to_owned(),
                        votes,
                        list: s.id,
                        by_lot,
                    });
                }
                t
            }
            None => {
                // P 16 second paragraph.
                let Some(t) = best_of(false) else {
                    return Err(GroupError::SeatCannotMove {
                        group,
                        candidate: key.to_owned(),
                        reason: "the candidate stands on none of the group's lists".into(),
                    });
                };
                let Some(last) = given.last() else {
                    return Err(GroupError::SeatCannotMove {
                        group,
                        candidate: key.to_owned(),
                        reason: "no seat of the group was assigned as a remaining seat".into(),
                    });
                };
                let last_class = last.class;
                let candidates_lists: Vec<u32> = given
                    .iter()
                    .filter(|g| g.class == last_class)
                    .map(|g| g.list)
                    .collect();
                let (from, lot) = if candidates_lists.len() == 1 {
                    (last.list, false)
                } else {
                    let mut tied = candidates_lists.clone();
                    tied.sort_unstable();
                    let drawing = GroupDrawing::Retraction {
                        group,
                        candidate: key.to_owned(),
                        tied: tied.clone(),
                    };
                    let options: Vec<GroupDrawn> =
                        tied.iter().map(|&i| GroupDrawn::List(i)).collect();
                    match try_lot!(lots.draw(drawing, &options)) {
                        GroupDrawn::List(id) => (id, true),
                        GroupDrawn::Candidate(_) => (last.list, false),
                    }
                };
                if let Some(pos) = given
                    .iter()
                    .rposition(|g| g.list == from && g.class == last_class)
                {
                    given.remove(pos);
                }
                let Some(loser) = states.iter_mut().find(|s| s.id == from) else {
                    return Err(GroupError::SeatCannotMove {
                        group,
                        candidate: key.to_owned(),
                        reason: format!("no list of kieskring {from}"),
                    });
                };
                if loser.filled >= loser.seats {
                    return Err(GroupError::SeatCannotMove {
                        group,
                        candidate: key.to_owned(),
                        reason: format!(
                            "every seat of the list of kieskring {from} is already taken by preference"
                        ),
                    });
                }
                loser.seats -= 1;
                loser.taken += 1;
                if let Some(s) = states.get_mut(t.0) {
                    s.seats += 1;
                    s.added += 1;
                    steps.push(GroupStep::PreferenceSeatMoved {
                        candidate: key.to_owned(),
                        list: s.id,
                        taken_from: from,
                        by_lot: lot,
                    });
                }
                t
            }
        };
        if let Some(s) = states.get_mut(target.0) {
            s.filled += 1;
            elected.push(GroupElected {
                key: key.to_owned(),
                list: s.id,
                position: target.2,
                votes,
                votes_on_list: target.1,
                by: ElectedBy::Preference,
                by_lot,
                stands_on: Vec::new(),
            });
        }
    }

    // P 17 and P 18: list order per list; a candidate elected on several lists keeps the
    // list with the most votes for the candidate (lowest kieskring on equal votes); repeated.
    let mut round = 0u32;
    loop {
        round = round.saturating_add(1);
        let mut picks: BTreeMap<&str, Vec<Pick>> = BTreeMap::new();
        let mut any_open = false;
        for (i, s) in states.iter().enumerate() {
            let open = s.seats.saturating_sub(s.filled);
            if open == 0 {
                continue;
            }
            any_open = true;
            let next: Vec<&GroupCandidate> = s
                .list
                .candidates
                .iter()
                .filter(|c| living(&c.key) && !chosen.contains(c.key.as_str()))
                .take(open as usize)
                .collect();
            if next.len() < open as usize {
                return Err(GroupError::TooFewCandidates {
                    group,
                    seats,
                    reason: format!(
                        "the list of kieskring {} has no candidate left who is not deceased or elected",
                        s.id
                    ),
                });
            }
            for c in next {
                picks
                    .entry(c.key.as_str())
                    .or_default()
                    .push((i, c.votes, c.position));
            }
        }
        if !any_open {
            break;
        }
        // Keep the candidates' order: by list (input order), then position.
        let mut ordered: Vec<(&str, Vec<Pick>)> = picks.into_iter().collect();
        ordered.sort_by_key(|(_, on)| on.first().map(|(i, _, p)| (*i, *p)));
        for (key, on) in ordered {
            let kept = on
                .iter()
                .max_by(|a, b| {
                    a.1.cmp(&b.1).then_with(|| {
                        let ia = states.get(a.0).map(|s| s.id);
                        let ib = states.get(b.0).map(|s| s.id);
                        ib.cmp(&ia)
                    })
                })
                .copied();
            let Some((i, votes_on_list, position)) = kept else {
                continue;
            };
            let Some(s) = states.get_mut(i) else { continue };
            if on.len() > 1 {
                let mut lists: Vec<u32> = Vec::new();
                for (j, _, _) in &on {
                    if let Some(x) = input.lists.get(*j) {
                        lists.push(x.id());
                    }
                }
                lists.sort_unstable();
                steps.push(GroupStep::ElectedOnSeveralLists {
                    candidate: key.to_owned(),
                    lists,
                    kept: s.id,
                    round,
                });
            }
            s.filled += 1;
            chosen.insert(key);
            elected.push(GroupElected {
                key: key.to_owned(),
                list: s.id,
                position,
                votes: total.get(key).copied().unwrap_or(0),
                votes_on_list,
                by: ElectedBy::ListOrder,
                by_lot: false,
                stands_on: Vec::new(),
            });
        }
    }

    for e in &mut elected {
        for l in &input.lists {
            if let Some(c) = l.candidates.iter().find(|c| c.key == e.key) {
                e.stands_on
                    .extend(l.districts.iter().map(|d| (*d, c.position)));
            }
        }
        e.stands_on.sort_unstable();
    }

    // P 19: the ranking of each list (P 18 left out; P 19a: the deceased left out).
    let p15: Vec<&str> = preference.iter().map(|(k, _)| *k).collect();
    let lists = states
        .iter()
        .map(|s| {
            let on: Vec<&GroupCandidate> = s
                .list
                .candidates
                .iter()
                .filter(|c| living(&c.key))
                .collect();
            let mut ranking: Vec<String> = Vec::new();
            for k in &p15 {
                if on.iter().any(|c| c.key == *k) {
                    ranking.push((*k).to_owned());
                }
            }
            let mut above: Vec<&GroupCandidate> = on
                .iter()
                .copied()
                .filter(|c| {
                    !p15.contains(&c.key.as_str())
                        && total
                            .get(c.key.as_str())
                            .is_some_and(|v| threshold.is_less_than(*v))
                })
                .collect();
            above.sort_by(|a, b| {
                total
                    .get(b.key.as_str())
                    .cmp(&total.get(a.key.as_str()))
                    .then(a.position.cmp(&b.position))
            });
            ranking.extend(above.iter().map(|c| c.key.clone()));
            let ranked: std::collections::HashSet<&str> =
                ranking.iter().map(String::as_str).collect();
            let rest: Vec<String> = on
                .iter()
                .filter(|c| !ranked.contains(c.key.as_str()))
                .map(|c| c.key.clone())
                .collect();
            ranking.extend(rest);
            GroupListSeats {
                id: s.id,
                districts: s.list.districts.clone(),
                votes: s.list.votes,
                full_seats: s.full,
                remainder: frac_u128(s.remainder_scaled, u128::from(seats)),
                gave_up: s.gave_up,
                taken: s.taken,
                added: s.added,
                seats: s.seats,
                ranking,
            }
        })
        .collect();
    Ok(GroupOutcome::Complete(Box::new(GroupElection {
        group,
        seats,
        group_quota,
        threshold,
        lists,
        reaching_threshold: reaching.iter().map(|k| (*k).to_owned()).collect(),
        deceased,
        elected,
        steps,
        lots: lots.finish()?,
    })))
}

/// `n / d` exactly (both fit in u64 for any input `validate` lets through; the fallback keeps
/// the order of values for larger ones).
fn frac_u128(n: u128, d: u128) -> Fraction {
    match (u64::try_from(n), u64::try_from(d)) {
        (Ok(n), Ok(d)) => Fraction::new(n, d).unwrap_or_else(Fraction::zero),
        _ => Fraction::zero(),
    }
}

fn validate(input: &GroupInput) -> Result<(), GroupError> {
    let group = input.group;
    if input.seats > 0 && input.lists.is_empty() {
        return Err(GroupError::NoLists(group));
    }
    if input.seats > super::MAX_SEATS {
        return Err(GroupError::Overflow(group));
    }
    let mut districts = BTreeSet::new();
    for l in &input.lists {
        if l.districts.is_empty()
            || l.districts
                .windows(2)
                .any(|w| matches!(w, [a, b] if a >= b))
        {
            return Err(GroupError::Districts { group });
        }
        for d in &l.districts {
            if !districts.insert(*d) {
                return Err(GroupError::DistrictTwice {
                    group,
                    district: *d,
                });
            }
        }
        // Votes * seats must fit in u64 for the exact remainders.
        if l.votes.checked_mul(u64::from(input.seats.max(1))).is_none() {
            return Err(GroupError::Overflow(group));
        }
        let mut keys = BTreeSet::new();
        let mut previous: Option<CandidatePosition> = None;
        for c in &l.candidates {
            if previous.is_some_and(|p| p >= c.position) || !keys.insert(c.key.as_str()) {
                return Err(GroupError::Candidates {
                    group,
                    list: l.id(),
                    key: c.key.clone(),
                    position: c.position,
                });
            }
            previous = Some(c.position);
        }
    }
    Ok(())
}
