//! From a total count (510d, or a municipal council's 510b) to the seats per list and the
//! elected candidates, with the apportionment library.
//!
//! What the count file gives: each list's votes (E.x of `TotalVotes`) and its candidates'
//! votes. For a Tweede Kamer 510d the national `TotalVotes` names candidates by `ShortCode`
//! only; their positions come from the reporting units (one per kieskring). A list whose
//! candidates (position and `ShortCode`) are the same in every kieskring of the file is
//! elected with its national votes (P 15, P 17). A list that differs between kieskringen, or
//! is missing in one (a "lijstengroep", Kieswet H 11 second paragraph, or a set of identical
//! lists not submitted everywhere, H 11 first paragraph and P 2), is elected across
//! kieskringen with [`crate::apportionment::elect_group`] (P 12, P 13, P 15 - P 18, P 19a):
//! its lists are the kieskringen with the same candidates in the same order (by `ShortCode`),
//! each list's votes and candidates' votes summed over its kieskringen. Where a kieskring's
//! candidates have no `ShortCode` (its candidate list, 230b, was not at hand when the total was
//! made), which candidates are the same across kieskringen is not known: the list is
//! reported as [`ListOutcome::Unsupported`] with that reason, never guessed.

use std::collections::{BTreeMap, BTreeSet};

use crate::apportionment::{
    ApportionmentError, CandidateDrawing, CandidateError, CandidateInput, CandidateLot,
    CandidateOutcome, CandidateVotes, GroupCandidate, GroupInput, GroupList, GroupLot,
    GroupOutcome, ListCandidates, ListElected, ListVotes as SeatListVotes, RemainingSeatLaw,
    SeatApportionment, SeatInput, SeatLot, SeatLotsNeeded, SeatOutcome, apportion_seats,
    elect_candidates, elect_group, preference_threshold_percent,
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
    /// between kieskringen (then see `group`).
    pub candidates: Vec<(CandidatePosition, Option<String>, Count)>,
    /// A list that differs between kieskringen or is not in every kieskring: its lists
    /// (sets of identical kieskring lists, P 2), each with its kieskringen, votes and
    /// candidates (by `ShortCode`), for [`crate::apportionment::elect_group`].
    pub group: Option<Vec<GroupList>>,
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
    /// A deceased candidate named by the central committee is not a candidate of the list
    /// (or, on a list that differs between kieskringen, is named by position only, which
    /// differs between its kieskringen: name such a candidate by kieskring and position).
    #[error("list {list}: deceased candidate {candidate} is not a candidate of the list{hint}")]
    DeceasedNotFound {
        /// The list.
        list: ListNumber,
        /// As named.
        candidate: String,
        /// What to do instead, when known.
        hint: String,
    },
    /// The definition's preference threshold is not the one the Kieswet sets for its category
    /// and number of seats (P 15): refused rather than electing candidates by a threshold the
    /// law does not give.
    #[error(
        "the definition's PreferenceThreshold is {definition} %, but Kieswet P 15 sets {law} % for a {category} election of {seats} seats"
    )]
    PreferenceThreshold {
        /// The category.
        category: ElectionCategory,
        /// The number of seats.
        seats: u32,
        /// The definition's `kr:PreferenceThreshold`.
        definition: u32,
        /// What P 15 says.
        law: u32,
    },
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

    /// Whether the preference threshold is the one Kieswet P 15 sets for the category and the
    /// number of seats ([`preference_threshold_percent`]): 25 %, or 50 % for a municipal
    /// council of fewer than 19 seats. A water board (AB) of fewer than 19 seats keeps 25 %.
    ///
    /// # Errors
    /// [`OutcomeError::PreferenceThreshold`] naming both values.
    pub fn check_preference_threshold(&self) -> Result<(), OutcomeError> {
        let law = preference_threshold_percent(self.category, self.seats);
        if self.preference_threshold == law {
            Ok(())
        } else {
            Err(OutcomeError::PreferenceThreshold {
                category: self.category,
                seats: self.seats,
                definition: self.preference_threshold,
                law,
            })
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
///
/// # Errors
/// See [`OutcomeError`].
pub fn counted_lists(total: &CountFile) -> Result<Vec<CountedList>, OutcomeError> {
    counted_lists_with(total, None)
}

/// [`counted_lists`], and where the count names a kieskring's candidates by position only
/// (an appliance's 510d made from 510c files and candidate lists without `ShortCode`, as every
/// published Tweede Kamer 230b is), the candidates of a list that differs between kieskringen
/// are identified by the kieskrings' candidate lists in `candidate_lists`: the same candidate
/// is the one with the same initials, first name, prefix, last name, locality and gender
/// (Kieswet H 11: "dezelfde kandidaten").
///
/// # Errors
/// See [`OutcomeError`].
pub fn counted_lists_with(
    total: &CountFile,
    candidate_lists: Option<&Election>,
) -> Result<Vec<CountedList>, OutcomeError> {
    let mut out = Vec::new();
    // A Tweede Kamer 510d: one reporting unit per kieskring (`HSB<n>`), each with that
    // kieskring's lists. (A council's 510b has polling stations, with the same lists.)
    let kieskring_units = !total.units.is_empty()
        && total.units.iter().all(|u| {
            u.id.0
                .strip_prefix("HSB")
                .is_some_and(|n| n.parse::<u32>().is_ok())
        });
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
        let named = list.candidates.iter().map(|(c, _)| c);
        // Every unit's sequence the same (so in most lists of a Tweede Kamer 510d).
        let all_equal = sequences.windows(2).all(|w| match w {
            [a, b] => a == b,
            _ => true,
        });
        // A unit's sequence equal to an earlier unit's adds no candidate (in a Tweede Kamer
        // 510d the 20 kieskringen's sequences are mostly equal): skipped, which made this
        // loop 8 % of `tally-verify apportion` of TK2021. When all are equal, that is every
        // sequence after the first, without comparing them again.
        let new_sequences = sequences
            .iter()
            .enumerate()
            .filter(|(i, seq)| {
                if all_equal {
                    return *i == 0;
                }
                !sequences
                    .get(..*i)
                    .is_some_and(|before| before.contains(seq))
            })
            .flat_map(|(_, seq)| seq.iter().copied());
        // `same` looked up in an index instead of against every distinct candidate so far
        // (that pairwise search was a third of this function's time on TK2021).
        let mut distinct = SameIndex::default();
        for c in named.chain(new_sequences) {
            if distinct.find(c).is_none() {
                distinct.insert(c);
            }
        }
        let candidate_count = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
        let all_positions = list.candidates.iter().all(|(c, _)| c.position().is_some());
        let mut differs = (!missing_in.is_empty() && !sequences.is_empty()) || !all_equal;
        // Candidates named by position only in more than one kieskring: equal positions say
        // nothing about equal candidates. With the kieskringen's candidate lists, the lists
        // are the same only when the 230b's candidates are.
        let mut unknown = None;
        let position_only = sequences.iter().flatten().any(|c| c.short_code().is_none());
        if let Some(election) =
            candidate_lists.filter(|_| position_only && sequences.len() > 1 && kieskring_units)
        {
            match name_sequences(total, list.list, election) {
                Ok(names) => {
                    differs |= names.windows(2).any(|w| match w {
                        [a, b] => a != b,
                        _ => false,
                    });
                }
                Err(missing) if !differs => {
                    unknown = Some(format!(
                        "whether the list is the same in every kieskring is not known: the count names its candidates by position only, and the candidate list (230b) of kieskring {} is not at hand",
                        missing
                    ));
                }
                Err(_) => {}
            }
        }
        let (group, unsupported) = if differs {
            match group_lists(total, list.list, candidate_lists) {
                Ok(g) => (Some(g), None),
                Err(reason) => (None, Some(reason)),
            }
        } else {
            (None, unknown.clone())
        };
        let candidate_count = match &group {
            Some(g) => {
                let keys: std::collections::HashSet<&str> = g
                    .iter()
                    .flat_map(|l| &l.candidates)
                    .map(|c| c.key.as_str())
                    .collect();
                u32::try_from(keys.len()).unwrap_or(u32::MAX)
            }
            None => candidate_count,
        };
        let differs = differs || unknown.is_some();
        let mut candidates = Vec::new();
        if !differs {
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
                let mut in_first = SameIndex::default();
                for u in first {
                    in_first.insert(u);
                }
                for (c, votes) in &list.candidates {
                    let Some(p) = in_first.find(c).and_then(|u| u.position()) else {
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
            group,
            unsupported,
        });
    }
    Ok(out)
}

/// The lists of a list that differs between kieskringen: the reporting units (kieskringen,
/// `HSB<n>`) that have the list, grouped by the same candidates in the same order (H 11 first
/// paragraph: "waarop dezelfde kandidaten in gelijk aantal en in dezelfde volgorde zijn
/// geplaatst"), by `ShortCode`; votes summed (P 2). `Err` with the reason where that cannot
/// be known.
fn group_lists(
    total: &CountFile,
    number: ListNumber,
    candidate_lists: Option<&Election>,
) -> Result<Vec<GroupList>, String> {
    // The kieskring units that have the list.
    let mut units = Vec::new();
    let mut seen_districts = BTreeSet::new();
    for unit in &total.units {
        let Some(l) = unit.counts.lists.iter().find(|l| l.list == number) else {
            continue;
        };
        let Some(district) = unit
            .id
            .0
            .strip_prefix("HSB")
            .and_then(|n| n.parse::<u32>().ok())
        else {
            return Err(format!(
                "the list differs between reporting units, and reporting unit {} is not a kieskring (HSB<n>): P 18 needs the lists per kieskring",
                unit.id.0
            ));
        };
        if !seen_districts.insert(district) {
            return Err(format!("kieskring {district} occurs twice in the count"));
        }
        units.push((district, l));
    }
    let by_code = units
        .iter()
        .all(|(_, l)| l.candidates.iter().all(|(c, _)| c.short_code().is_some()));
    // Keyed by the sequence of candidate keys; a `ShortCode` is borrowed from the count, so
    // that a kieskring whose list equals one seen before allocates nothing.
    type Sequence<'a> = Vec<std::borrow::Cow<'a, str>>;
    let mut by_sequence: BTreeMap<Sequence<'_>, (Vec<u32>, u64, Vec<GroupCandidate>)> =
        BTreeMap::new();
    let mut unknown = Vec::new();
    for (district, l) in &units {
        let list_230b = candidate_lists
            .and_then(|e| e.list(&crate::ids::ContestId(district.to_string()), number));
        let mut keys: Sequence<'_> = Vec::with_capacity(l.candidates.len());
        let mut candidates: Vec<(CandidatePosition, Count)> =
            Vec::with_capacity(l.candidates.len());
        let mut complete = true;
        for (c, votes) in &l.candidates {
            let Some(position) = c.position() else {
                complete = false;
                continue;
            };
            let key = if by_code {
                c.short_code().map(std::borrow::Cow::Borrowed)
            } else {
                list_230b
                    .and_then(|pl| pl.candidates.iter().find(|x| x.position == position))
                    .map(|x| std::borrow::Cow::Owned(x.person_key()))
            };
            match key {
                Some(key) => {
                    keys.push(key);
                    candidates.push((position, *votes));
                }
                None => complete = false,
            }
        }
        if !complete {
            unknown.push(*district);
            continue;
        }
        match by_sequence.get_mut(&keys) {
            Some(entry) => {
                entry.0.push(*district);
                entry.1 = entry
                    .1
                    .checked_add(l.total)
                    .ok_or_else(|| "votes too large".to_owned())?;
                for (sum, (_, votes)) in entry.2.iter_mut().zip(&candidates) {
                    sum.votes = sum
                        .votes
                        .checked_add(*votes)
                        .ok_or_else(|| "votes too large".to_owned())?;
                }
            }
            None => {
                let group_candidates = keys
                    .iter()
                    .zip(&candidates)
                    .map(|(key, (position, votes))| GroupCandidate {
                        key: key.clone().into_owned(),
                        position: *position,
                        votes: *votes,
                    })
                    .collect();
                by_sequence.insert(keys, (vec![*district], l.total, group_candidates));
            }
        }
    }
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.iter().map(ToString::to_string).collect();
        return Err(format!(
            "the list differs between kieskringen (P 18), and which candidates are the same across kieskringen is not known: the count names the candidates of kieskring {} by position only, and the candidate list (230b) of that kieskring, with the candidate at each position, is not at hand",
            list.join(", ")
        ));
    }
    let mut lists: Vec<GroupList> = by_sequence
        .into_values()
        .map(|(mut districts, votes, candidates)| {
            districts.sort_unstable();
            GroupList {
                districts,
                votes,
                candidates,
            }
        })
        .collect();
    lists.sort_by_key(GroupList::id);
    Ok(lists)
}

/// The candidates (as [`crate::election::Candidate::person_key`]) of list `number` in each kieskring unit that has it, in
/// unit order; `Err` with the kieskringen (comma separated) whose candidate list is missing.
fn name_sequences(
    total: &CountFile,
    number: ListNumber,
    election: &Election,
) -> Result<Vec<Vec<String>>, String> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for unit in &total.units {
        let Some(l) = unit.counts.lists.iter().find(|l| l.list == number) else {
            continue;
        };
        let district = unit.id.0.strip_prefix("HSB").unwrap_or(&unit.id.0);
        let Some(pl) = election.list(&crate::ids::ContestId(district.to_owned()), number) else {
            missing.push(district.to_owned());
            continue;
        };
        let names: Option<Vec<String>> = l
            .candidates
            .iter()
            .map(|(c, _)| {
                let p = c.position()?;
                pl.candidates
                    .iter()
                    .find(|x| x.position == p)
                    .map(crate::election::Candidate::person_key)
            })
            .collect();
        match names {
            Some(n) => out.push(n),
            None => missing.push(district.to_owned()),
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing.join(", "))
    }
}

/// The candidates inserted so far, looked up as `same` compares them: `find(c)` is the
/// first inserted `d` with `same(d, c)`, without comparing `c` with every one.
#[derive(Default)]
struct SameIndex<'a> {
    /// In insertion order.
    all: Vec<&'a CandidateRef>,
    /// The first inserted with each `ShortCode`.
    by_code: std::collections::HashMap<&'a str, usize>,
    /// The first inserted without a `ShortCode` at each position.
    codeless_at: std::collections::HashMap<CandidatePosition, usize>,
    /// The first inserted (with or without a `ShortCode`) at each position.
    any_at: std::collections::HashMap<CandidatePosition, usize>,
}

impl<'a> SameIndex<'a> {
    fn insert(&mut self, c: &'a CandidateRef) {
        let i = self.all.len();
        self.all.push(c);
        if let Some(code) = c.short_code() {
            self.by_code.entry(code).or_insert(i);
        }
        if let Some(p) = c.position() {
            self.any_at.entry(p).or_insert(i);
            if c.short_code().is_none() {
                self.codeless_at.entry(p).or_insert(i);
            }
        }
    }

    /// The first inserted `d` with `same(d, c)`.
    fn find(&self, c: &CandidateRef) -> Option<&'a CandidateRef> {
        let first = match c.short_code() {
            // `same`: an equal `ShortCode`, or (one of the two without) an equal position.
            Some(code) => {
                let by_code = self.by_code.get(code).copied();
                let by_position = c.position().and_then(|p| self.codeless_at.get(&p).copied());
                match (by_code, by_position) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            }
            None => c.position().and_then(|p| self.any_at.get(&p).copied()),
        };
        first.and_then(|i| self.all.get(i).copied())
    }

    fn len(&self) -> usize {
        self.all.len()
    }
}

/// Whether `a` and `b` are the same candidate of one list: the same `ShortCode` when both
/// have one, else the same position. What [`SameIndex`] looks up.
#[cfg(test)]
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

/// The election of the candidates of one list that differs between kieskringen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupResult {
    /// The list (group).
    pub list: ListNumber,
    /// The outcome: complete with every step (P 12 - P 19a), or a drawing of lots to hold;
    /// `Err` when the election refused the group.
    pub outcome: Result<GroupOutcome, crate::apportionment::GroupError>,
}

/// The computed result: seats, and per list with seats the candidates' outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedResult {
    /// The lists as read from the count.
    pub lists: Vec<CountedList>,
    /// The seat apportionment (complete).
    pub seats: SeatApportionment,
    /// For each list with seats, in list order. A list that differs between kieskringen is
    /// here too: [`ListOutcome::Elected`] when complete (each elected candidate with the
    /// kieskring of its list and its `ShortCode`), [`ListOutcome::Refused`] with
    /// [`CandidateError::GroupLotsNeeded`] when a drawing of lots decides (give its outcome
    /// in [`Decisions::group_lots`]) or [`CandidateError::Group`]; its whole record is in
    /// `groups`.
    pub candidates: Vec<ListOutcome>,
    /// For each list with seats that differs between kieskringen, in list order: the
    /// election across kieskringen with all its steps, for the screen, the journal and the
    /// P 22-2.
    pub groups: Vec<GroupResult>,
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

/// A candidate the central committee found deceased (Kieswet P 19a: "Indien een kandidaat is
/// overleden, wordt deze bij de toepassing van deze paragraaf buiten beschouwing gelaten").
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct DeceasedCandidate {
    /// The list (for the Tweede Kamer the list as apportioned, a group included).
    pub list: ListNumber,
    /// The candidate.
    pub candidate: DeceasedRef,
}

/// How a deceased candidate is named.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum DeceasedRef {
    /// By position, on a list that is the same in every kieskring (or a council's list).
    Position(CandidatePosition),
    /// By `ShortCode`, where the count names candidates by one.
    ShortCode(String),
    /// By the position on the list of one kieskring (as its 230b shows it): the way to name
    /// a candidate of a list that differs between kieskringen, where positions differ.
    OnList {
        /// The kieskring.
        kieskring: u32,
        /// The position on that kieskring's list.
        position: CandidatePosition,
    },
}

impl std::fmt::Display for DeceasedRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeceasedRef::Position(p) => write!(f, "at position {p}"),
            DeceasedRef::ShortCode(s) => f.write_str(s),
            DeceasedRef::OnList {
                kieskring,
                position,
            } => write!(
                f,
                "at position {position} on the list of kieskring {kieskring}"
            ),
        }
    }
}

/// What the central committee decided that the count does not say: drawings of lots and
/// deceased candidates. Serializable, so that it can be journaled.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    /// Drawings between lists for a seat (P 7 - P 9).
    pub seat_lots: Vec<SeatLot>,
    /// Drawings between candidates of a list that is the same everywhere (P 15).
    pub candidate_lots: Vec<CandidateLot>,
    /// Drawings within a list group (P 12, P 13, P 15, P 16).
    #[serde(default)]
    pub group_lots: Vec<GroupLot>,
    /// Deceased candidates (P 19a).
    #[serde(default)]
    pub deceased: Vec<DeceasedCandidate>,
}

/// Apportions the seats over the lists of a total count and elects the candidates of each
/// list that is the same in every kieskring, as before December 2026: a list that differs
/// between kieskringen or is not in every kieskring is [`ListOutcome::Unsupported`] here (the
/// reason says so), because a caller of this function gives neither the kieskringen's
/// candidate lists, nor deceased candidates, nor drawings within a list group, and shows a
/// candidate by its position on one kieskring's list, which is wrong for such a list. Use
/// [`compute_result_with`] to elect them.
///
/// # Errors
/// See [`OutcomeError`].
pub fn compute_result(
    rules: SeatRules,
    total: &CountFile,
    seat_lots: &[SeatLot],
    candidate_lots: &[CandidateLot],
) -> Result<Computation, OutcomeError> {
    compute(
        rules,
        total,
        &Decisions {
            seat_lots: seat_lots.to_vec(),
            candidate_lots: candidate_lots.to_vec(),
            group_lots: Vec::new(),
            deceased: Vec::new(),
        },
        None,
        false,
    )
}

/// Apportions the seats over the lists of a total count and elects each list's candidates
/// (P 15 - P 19a; across kieskringen for a list that differs between them), with the central
/// committee's decisions: the outcomes of drawings of lots and the deceased candidates.
/// `candidate_lists`: the election with the kieskringen's candidate lists (230b), which
/// identify the candidates of a list that differs between kieskringen where the count names
/// them by position only (see [`counted_lists_with`]).
///
/// # Errors
/// See [`OutcomeError`]; a deceased candidate who is not on the list is an error, never
/// ignored.
pub fn compute_result_with(
    rules: SeatRules,
    total: &CountFile,
    decisions: &Decisions,
    candidate_lists: Option<&Election>,
) -> Result<Computation, OutcomeError> {
    compute(rules, total, decisions, candidate_lists, true)
}

/// [`compute_result_with`]; `elect_groups` false: lists that differ between kieskringen are
/// reported as not elected here ([`compute_result`]).
fn compute(
    rules: SeatRules,
    total: &CountFile,
    decisions: &Decisions,
    candidate_lists: Option<&Election>,
    elect_groups: bool,
) -> Result<Computation, OutcomeError> {
    rules.check_preference_threshold()?;
    let lists = counted_lists_with(total, candidate_lists)?;
    check_deceased(&lists, &decisions.deceased)?;
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
    let seats = match apportion_seats(&input, &decisions.seat_lots)? {
        SeatOutcome::Complete(s) => s,
        SeatOutcome::LotsNeeded(n) => {
            return Ok(Computation::SeatLotsNeeded(n));
        }
    };
    let mut candidates = Vec::new();
    let mut groups = Vec::new();
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
        let dead = decisions.deceased.iter().filter(|d| d.list == cl.list);
        if cl.group.is_some() && !elect_groups {
            candidates.push(ListOutcome::Unsupported {
                list: cl.list,
                reason: "the list differs between kieskringen or is not in every kieskring (a list group, P 18): its candidates are elected across kieskringen only with the candidate lists and the committee's decisions (compute_result_with), which are not given here".to_owned(),
            });
            continue;
        }
        if let Some(group_lists) = &cl.group {
            let input = GroupInput {
                group: cl.list,
                seats: ls.seats,
                quota: seats.quota.clone(),
                threshold_percent: rules.preference_threshold,
                lists: group_lists.clone(),
                deceased: dead
                    .filter_map(|d| group_key(group_lists, &d.candidate))
                    .collect(),
            };
            let lots: Vec<GroupLot> = decisions
                .group_lots
                .iter()
                .filter(|l| group_of(&l.drawing) == cl.list)
                .cloned()
                .collect();
            let outcome = elect_group(&input, &lots);
            candidates.push(match &outcome {
                Ok(GroupOutcome::Complete(e)) => {
                    let mut elected = e.list_elected();
                    // Keys made from the 230b's names are not `ShortCode`s.
                    for c in &mut elected.elected {
                        if c.short_code.as_deref().is_some_and(|k| k.starts_with('=')) {
                            c.short_code = None;
                        }
                    }
                    ListOutcome::Elected(elected)
                }
                Ok(GroupOutcome::LotsNeeded(d)) => ListOutcome::Refused {
                    list: cl.list,
                    error: CandidateError::GroupLotsNeeded(d.clone()),
                },
                Err(e) => ListOutcome::Refused {
                    list: cl.list,
                    error: CandidateError::Group(e.clone()),
                },
            });
            groups.push(GroupResult {
                list: cl.list,
                outcome,
            });
            continue;
        }
        let dead: Vec<CandidatePosition> = dead
            .filter_map(|d| match &d.candidate {
                DeceasedRef::Position(p) | DeceasedRef::OnList { position: p, .. } => Some(*p),
                DeceasedRef::ShortCode(code) => cl
                    .candidates
                    .iter()
                    .find(|(_, c, _)| c.as_deref() == Some(code.as_str()))
                    .map(|(p, _, _)| *p),
            })
            .collect();
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
                        deceased: dead.contains(p),
                    })
                    .collect(),
                differs_per_district: false,
            }],
        };
        let lots: Vec<CandidateLot> = decisions
            .candidate_lots
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
        groups,
    }))
}

fn group_of(d: &crate::apportionment::GroupDrawing) -> ListNumber {
    use crate::apportionment::GroupDrawing as D;
    match d {
        D::RemainingSeat { group, .. }
        | D::PreferenceSeat { group, .. }
        | D::Retraction { group, .. } => *group,
    }
}

/// The key of a deceased candidate on a list that differs between kieskringen.
fn group_key(lists: &[GroupList], d: &DeceasedRef) -> Option<String> {
    match d {
        DeceasedRef::ShortCode(code) => lists
            .iter()
            .flat_map(|l| &l.candidates)
            .find(|c| &c.key == code)
            .map(|c| c.key.clone()),
        DeceasedRef::OnList {
            kieskring,
            position,
        } => lists
            .iter()
            .find(|l| l.districts.contains(kieskring))?
            .candidates
            .iter()
            .find(|c| c.position == *position)
            .map(|c| c.key.clone()),
        DeceasedRef::Position(_) => None,
    }
}

/// Every deceased candidate must be a candidate of the list named: by position on a list
/// that is the same everywhere, by `ShortCode` on any list that has them, by kieskring and
/// position on a list that differs between kieskringen.
fn check_deceased(
    lists: &[CountedList],
    deceased: &[DeceasedCandidate],
) -> Result<(), OutcomeError> {
    for d in deceased {
        let list = lists.iter().find(|l| l.list == d.list);
        let found = list.is_some_and(|l| match (&d.candidate, &l.group) {
            (c, Some(g)) => group_key(g, c).is_some(),
            (DeceasedRef::Position(p) | DeceasedRef::OnList { position: p, .. }, None) => {
                l.candidates.iter().any(|(q, _, _)| q == p)
            }
            (DeceasedRef::ShortCode(code), None) => l
                .candidates
                .iter()
                .any(|(_, c, _)| c.as_deref() == Some(code.as_str())),
        });
        if !found {
            let in_group = list.is_some_and(|l| l.group.is_some());
            return Err(OutcomeError::DeceasedNotFound {
                list: d.list,
                candidate: d.candidate.to_string(),
                hint: if in_group && matches!(d.candidate, DeceasedRef::Position(_)) {
                    " (the list differs between kieskringen: name the candidate by kieskring and position)"
                        .to_owned()
                } else {
                    String::new()
                },
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{SameIndex, same};
    use crate::counts::CandidateRef;
    use crate::ids::CandidatePosition;

    /// Every mix of references (position only, `ShortCode` only, both; equal and different
    /// positions and codes): the index finds the same first candidate as the search.
    #[test]
    fn same_index_finds_what_the_pairwise_search_finds() {
        let mut refs = Vec::new();
        for p in 1..=3u32 {
            refs.push(CandidateRef::Position(CandidatePosition(p)));
            for code in ["A", "B", "C"] {
                refs.push(CandidateRef::ShortCode(code.to_owned()));
                refs.push(CandidateRef::PositionAndShortCode(
                    CandidatePosition(p),
                    code.to_owned(),
                ));
            }
        }
        // Many insertion orders: rotations and strides over the references.
        for stride in [1usize, 2, 5, 7, 11] {
            for start in 0..refs.len() {
                let order: Vec<&CandidateRef> = (0..refs.len())
                    .filter_map(|i| refs.get((start + i * stride) % refs.len()))
                    .collect();
                let mut index = SameIndex::default();
                let mut inserted: Vec<&CandidateRef> = Vec::new();
                for c in &order {
                    for probe in &refs {
                        let expected = inserted.iter().copied().find(|d| same(d, probe));
                        assert_eq!(
                            index.find(probe).map(std::ptr::from_ref),
                            expected.map(std::ptr::from_ref)
                        );
                    }
                    index.insert(c);
                    inserted.push(c);
                }
            }
        }
    }
}
