//! The result of one polling station as typed from its paper report (model N 10-1),
//! and the official checks on it ([`checks`]).
//!
//! The typist enters every number as printed, totals included; nothing here computes a
//! total in place of the paper. Every field may be empty (not typed yet). An empty count
//! counts as 0 in the checks, as an empty box on the paper does.

pub mod checks;
pub mod field;

pub use checks::{CheckCode, CheckResult, Severity, check};
pub use field::{ExplanationKind, FieldId, UnknownField};

use std::fmt;

use crate::ids::{CandidatePosition, ListNumber};

/// The largest count the paper form allows: 999,999,999.
pub const MAX_COUNT: u32 = 999_999_999;

/// A count typed in from the paper: a whole number from 0 to 999,999,999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EntryCount(u32);

impl EntryCount {
    /// Zero.
    pub const ZERO: EntryCount = EntryCount(0);

    /// The count, refusing anything above 999,999,999.
    pub fn new(value: u64) -> Result<EntryCount, EntryError> {
        match u32::try_from(value) {
            Ok(v) if v <= MAX_COUNT => Ok(EntryCount(v)),
            _ => Err(EntryError::CountOutOfRange(value.to_string())),
        }
    }

    /// Parses what a typist typed: decimal digits only (no sign, no spaces, no
    /// separators), at most 999,999,999.
    pub fn parse(text: &str) -> Result<EntryCount, EntryError> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EntryError::NotANumber(text.chars().take(40).collect()));
        }
        let digits = text.trim_start_matches('0');
        if digits.len() > 9 {
            return Err(EntryError::CountOutOfRange(text.chars().take(40).collect()));
        }
        let value: u64 = if digits.is_empty() {
            0
        } else {
            digits
                .parse()
                .map_err(|_| EntryError::NotANumber(text.chars().take(40).collect()))?
        };
        EntryCount::new(value)
    }

    /// The value.
    pub fn get(self) -> u64 {
        u64::from(self.0)
    }
}

impl fmt::Display for EntryCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl serde::Serialize for EntryCount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for EntryCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = u64::deserialize(deserializer)?;
        EntryCount::new(v).map_err(serde::de::Error::custom)
    }
}

/// What a typist puts in one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldValue {
    /// Nothing (cleared, or never typed).
    Empty,
    /// A count, for a count field.
    Count(EntryCount),
    /// Ticked or not, for a tick box.
    Mark(bool),
}

/// Why an entry refused a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Not a whole decimal number.
    #[error("{0:?} is not a whole number (digits 0-9 only) / is geen geheel getal")]
    NotANumber(String),
    /// Above 999,999,999.
    #[error("{0} is outside 0..=999,999,999 / valt buiten 0 t/m 999.999.999")]
    CountOutOfRange(String),
    /// The field does not exist in this election (field C in a municipal council
    /// election, a list or candidate that is not on the ballot).
    #[error(
        "field {0} does not exist on this election's form / veld {0} bestaat niet op dit formulier"
    )]
    NoSuchField(FieldId),
    /// A count given for a tick box or a mark for a count field.
    #[error("field {field} takes {expected}, not {given}")]
    WrongKind {
        /// The field.
        field: FieldId,
        /// What it takes.
        expected: &'static str,
        /// What was given.
        given: &'static str,
    },
}

/// The shape of the paper form for one election: which lists, how many candidates each,
/// and whether field C exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryShape {
    /// Whether field C (valid voter cards) exists; not in municipal council elections.
    pub has_voter_cards: bool,
    /// The lists in ballot order, each with its number of candidates.
    pub lists: Vec<(ListNumber, u32)>,
}

impl EntryShape {
    /// Whether this field is on the form.
    pub fn has_field(&self, field: FieldId) -> bool {
        match field {
            FieldId::VoterCards => self.has_voter_cards,
            FieldId::ListVotes(l) | FieldId::ListTotal(l) => {
                self.lists.iter().any(|(n, _)| *n == l)
            }
            FieldId::CandidateVotes(l, c) => self
                .lists
                .iter()
                .any(|(n, k)| *n == l && c.0 >= 1 && c.0 <= *k),
            _ => true,
        }
    }

    /// Every field on the form, in the order of the paper.
    pub fn fields(&self) -> Vec<FieldId> {
        let mut out = vec![FieldId::PollCards, FieldId::ProxyCertificates];
        if self.has_voter_cards {
            out.push(FieldId::VoterCards);
        }
        out.push(FieldId::AdmittedVoters);
        out.extend(self.lists.iter().map(|(l, _)| FieldId::ListVotes(*l)));
        out.extend([
            FieldId::VotesOnCandidates,
            FieldId::BlankVotes,
            FieldId::InvalidVotes,
            FieldId::VotesCast,
            FieldId::AdmittedEqualsCast,
            FieldId::CastGreaterThanAdmitted,
            FieldId::CastSmallerThanAdmitted,
            FieldId::MoreBallotsCounted,
            FieldId::FewerBallotsCounted,
            FieldId::DifferenceExplainedYes,
            FieldId::DifferenceExplainedNo,
        ]);
        out.extend(ExplanationKind::ALL.map(FieldId::Explanation));
        for (l, k) in &self.lists {
            out.extend((1..=*k).map(|c| FieldId::CandidateVotes(*l, CandidatePosition(c))));
            out.push(FieldId::ListTotal(*l));
        }
        out
    }
}

/// One list's column on the paper: its candidates' votes and the total printed below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// The list's number.
    pub number: ListNumber,
    /// "Aantal stemmen" per candidate, position 1 first.
    pub candidate_votes: Vec<Option<EntryCount>>,
    /// "Totaal": the list total as printed at the foot of the column.
    pub total: Option<EntryCount>,
}

/// The result of one polling station as typed from its paper report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollingStationEntry {
    /// A: "Aantal geldige stempassen" (valid poll cards).
    pub poll_cards: Option<EntryCount>,
    /// B: "Aantal geldige volmachtbewijzen" (valid proxy certificates).
    pub proxy_certificates: Option<EntryCount>,
    /// C: "Aantal geldige kiezerspassen" (valid voter cards); always `None` where the form
    /// has no field C (municipal council elections).
    pub voter_cards: Option<EntryCount>,
    /// D: "Totaal aantal toegelaten kiezers" (admitted voters).
    pub admitted_voters: Option<EntryCount>,
    /// E.1 .. E.n: "Totaal lijst x" (votes per list), in ballot order.
    pub list_votes: Vec<(ListNumber, Option<EntryCount>)>,
    /// E: "Totaal aantal stemmen op kandidaten" (votes on candidates).
    pub votes_on_candidates: Option<EntryCount>,
    /// F: "Aantal blanco stembiljetten" (blank votes).
    pub blank_votes: Option<EntryCount>,
    /// G: "Aantal ongeldige stembiljetten" (invalid votes).
    pub invalid_votes: Option<EntryCount>,
    /// H: "Totaal aantal uitgebrachte stemmen" (votes cast).
    pub votes_cast: Option<EntryCount>,
    /// Tick box "D en H zijn gelijk".
    pub admitted_equals_cast: bool,
    /// Tick box "H is groter dan D".
    pub cast_greater_than_admitted: bool,
    /// Tick box "H is kleiner dan D".
    pub cast_smaller_than_admitted: bool,
    /// I: "Aantal méér getelde stemmen (bereken: H min D)" (more ballots counted).
    pub more_ballots_counted: Option<EntryCount>,
    /// J: "Aantal minder getelde stemmen (bereken: D min H)" (fewer ballots counted).
    pub fewer_ballots_counted: Option<EntryCount>,
    /// "Is het verschil tussen D en H volledig verklaard?" tick box "ja".
    pub difference_explained_yes: bool,
    /// "Is het verschil tussen D en H volledig verklaard?" tick box "nee".
    pub difference_explained_no: bool,
    /// K to O of the 2022 model (explanation counts), in the order of
    /// [`ExplanationKind::ALL`]; empty on the current form.
    pub explanations: [Option<EntryCount>; 5],
    /// Every list's candidate column, in ballot order.
    pub lists: Vec<ListEntry>,
}

fn explanation_index(kind: ExplanationKind) -> usize {
    match kind {
        ExplanationKind::TakenAway => 0,
        ExplanationKind::TooFewHandedOut => 1,
        ExplanationKind::TooManyHandedOut => 2,
        ExplanationKind::OtherExplanation => 3,
        ExplanationKind::NoExplanation => 4,
    }
}

/// An empty count is 0 for the checks and the totals.
pub(crate) fn v(c: Option<EntryCount>) -> u64 {
    c.map_or(0, EntryCount::get)
}

impl PollingStationEntry {
    /// A form with every field empty.
    pub fn empty(shape: &EntryShape) -> PollingStationEntry {
        PollingStationEntry {
            poll_cards: None,
            proxy_certificates: None,
            voter_cards: None,
            admitted_voters: None,
            list_votes: shape.lists.iter().map(|(l, _)| (*l, None)).collect(),
            votes_on_candidates: None,
            blank_votes: None,
            invalid_votes: None,
            votes_cast: None,
            admitted_equals_cast: false,
            cast_greater_than_admitted: false,
            cast_smaller_than_admitted: false,
            more_ballots_counted: None,
            fewer_ballots_counted: None,
            difference_explained_yes: false,
            difference_explained_no: false,
            explanations: [None; 5],
            lists: shape
                .lists
                .iter()
                .map(|(l, k)| ListEntry {
                    number: *l,
                    candidate_votes: vec![None; usize::try_from(*k).unwrap_or(0)],
                    total: None,
                })
                .collect(),
        }
    }

    fn count_slot(&mut self, field: FieldId) -> Option<&mut Option<EntryCount>> {
        Some(match field {
            FieldId::PollCards => &mut self.poll_cards,
            FieldId::ProxyCertificates => &mut self.proxy_certificates,
            FieldId::VoterCards => &mut self.voter_cards,
            FieldId::AdmittedVoters => &mut self.admitted_voters,
            FieldId::ListVotes(l) => &mut self.list_votes.iter_mut().find(|(n, _)| *n == l)?.1,
            FieldId::VotesOnCandidates => &mut self.votes_on_candidates,
            FieldId::BlankVotes => &mut self.blank_votes,
            FieldId::InvalidVotes => &mut self.invalid_votes,
            FieldId::VotesCast => &mut self.votes_cast,
            FieldId::MoreBallotsCounted => &mut self.more_ballots_counted,
            FieldId::FewerBallotsCounted => &mut self.fewer_ballots_counted,
            FieldId::Explanation(k) => self.explanations.get_mut(explanation_index(k))?,
            FieldId::CandidateVotes(l, c) => {
                let list = self.lists.iter_mut().find(|e| e.number == l)?;
                let idx = usize::try_from(c.0.checked_sub(1)?).ok()?;
                list.candidate_votes.get_mut(idx)?
            }
            FieldId::ListTotal(l) => &mut self.lists.iter_mut().find(|e| e.number == l)?.total,
            _ => return None,
        })
    }

    fn mark_slot(&mut self, field: FieldId) -> Option<&mut bool> {
        Some(match field {
            FieldId::AdmittedEqualsCast => &mut self.admitted_equals_cast,
            FieldId::CastGreaterThanAdmitted => &mut self.cast_greater_than_admitted,
            FieldId::CastSmallerThanAdmitted => &mut self.cast_smaller_than_admitted,
            FieldId::DifferenceExplainedYes => &mut self.difference_explained_yes,
            FieldId::DifferenceExplainedNo => &mut self.difference_explained_no,
            _ => return None,
        })
    }

    /// Sets one field, refusing a field that is not on this election's form and a value
    /// of the wrong kind. [`FieldValue::Empty`] clears a count or unticks a box.
    pub fn set(
        &mut self,
        shape: &EntryShape,
        field: FieldId,
        value: FieldValue,
    ) -> Result<(), EntryError> {
        if !shape.has_field(field) {
            return Err(EntryError::NoSuchField(field));
        }
        if field.is_mark() {
            let slot = self
                .mark_slot(field)
                .ok_or(EntryError::NoSuchField(field))?;
            match value {
                FieldValue::Mark(b) => *slot = b,
                FieldValue::Empty => *slot = false,
                FieldValue::Count(_) => {
                    return Err(EntryError::WrongKind {
                        field,
                        expected: "a tick",
                        given: "a count",
                    });
                }
            }
        } else {
            let slot = self
                .count_slot(field)
                .ok_or(EntryError::NoSuchField(field))?;
            match value {
                FieldValue::Count(c) => *slot = Some(c),
                FieldValue::Empty => *slot = None,
                FieldValue::Mark(_) => {
                    return Err(EntryError::WrongKind {
                        field,
                        expected: "a count",
                        given: "a tick",
                    });
                }
            }
        }
        Ok(())
    }

    /// The value of one field ([`FieldValue::Empty`] for an empty count; a tick box is
    /// always a [`FieldValue::Mark`]). `None` if the field is not on this form.
    pub fn get(&self, field: FieldId) -> Option<FieldValue> {
        let count = |c: Option<EntryCount>| Some(c.map_or(FieldValue::Empty, FieldValue::Count));
        match field {
            FieldId::PollCards => count(self.poll_cards),
            FieldId::ProxyCertificates => count(self.proxy_certificates),
            FieldId::VoterCards => count(self.voter_cards),
            FieldId::AdmittedVoters => count(self.admitted_voters),
            FieldId::ListVotes(l) => count(self.list_votes.iter().find(|(n, _)| *n == l)?.1),
            FieldId::VotesOnCandidates => count(self.votes_on_candidates),
            FieldId::BlankVotes => count(self.blank_votes),
            FieldId::InvalidVotes => count(self.invalid_votes),
            FieldId::VotesCast => count(self.votes_cast),
            FieldId::MoreBallotsCounted => count(self.more_ballots_counted),
            FieldId::FewerBallotsCounted => count(self.fewer_ballots_counted),
            FieldId::AdmittedEqualsCast => Some(FieldValue::Mark(self.admitted_equals_cast)),
            FieldId::CastGreaterThanAdmitted => {
                Some(FieldValue::Mark(self.cast_greater_than_admitted))
            }
            FieldId::CastSmallerThanAdmitted => {
                Some(FieldValue::Mark(self.cast_smaller_than_admitted))
            }
            FieldId::DifferenceExplainedYes => {
                Some(FieldValue::Mark(self.difference_explained_yes))
            }
            FieldId::DifferenceExplainedNo => Some(FieldValue::Mark(self.difference_explained_no)),
            FieldId::Explanation(k) => count(*self.explanations.get(explanation_index(k))?),
            FieldId::CandidateVotes(l, c) => {
                let list = self.lists.iter().find(|e| e.number == l)?;
                let idx = usize::try_from(c.0.checked_sub(1)?).ok()?;
                count(*list.candidate_votes.get(idx)?)
            }
            FieldId::ListTotal(l) => count(self.lists.iter().find(|e| e.number == l)?.total),
        }
    }

    /// The fields in which `other` differs from this entry (the double-entry comparison),
    /// in the order of the paper.
    pub fn differences(&self, other: &PollingStationEntry, shape: &EntryShape) -> Vec<FieldId> {
        shape
            .fields()
            .into_iter()
            .filter(|f| self.get(*f) != other.get(*f))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> EntryShape {
        EntryShape {
            has_voter_cards: false,
            lists: vec![(ListNumber(1), 3), (ListNumber(2), 2)],
        }
    }

    #[test]
    fn counts_in_range_only() {
        assert_eq!(
            EntryCount::new(999_999_999).map(EntryCount::get),
            Ok(999_999_999)
        );
        assert!(matches!(
            EntryCount::new(1_000_000_000),
            Err(EntryError::CountOutOfRange(_))
        ));
        assert!(matches!(
            EntryCount::new(u64::MAX),
            Err(EntryError::CountOutOfRange(_))
        ));
        assert_eq!(EntryCount::parse("0").map(EntryCount::get), Ok(0));
        assert_eq!(EntryCount::parse("000123").map(EntryCount::get), Ok(123));
        assert_eq!(
            EntryCount::parse("999999999").map(EntryCount::get),
            Ok(999_999_999)
        );
        assert!(matches!(
            EntryCount::parse("1000000000"),
            Err(EntryError::CountOutOfRange(_))
        ));
        assert!(matches!(
            EntryCount::parse("99999999999999999999999"),
            Err(EntryError::CountOutOfRange(_))
        ));
        for bad in ["", "-1", "+1", "1 000", "1.000", "12a", "٣"] {
            assert!(
                matches!(EntryCount::parse(bad), Err(EntryError::NotANumber(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn field_c_absent_in_gr() {
        let s = shape();
        let mut e = PollingStationEntry::empty(&s);
        assert_eq!(
            e.set(&s, FieldId::VoterCards, FieldValue::Count(EntryCount::ZERO)),
            Err(EntryError::NoSuchField(FieldId::VoterCards))
        );
        assert!(!s.fields().contains(&FieldId::VoterCards));
        let tk = EntryShape {
            has_voter_cards: true,
            ..s.clone()
        };
        assert!(tk.fields().contains(&FieldId::VoterCards));
        let mut e2 = PollingStationEntry::empty(&tk);
        assert!(
            e2.set(
                &tk,
                FieldId::VoterCards,
                FieldValue::Count(EntryCount::ZERO)
            )
            .is_ok()
        );
        // Candidates outside the list are refused.
        let bad = FieldId::CandidateVotes(ListNumber(2), CandidatePosition(3));
        assert_eq!(
            e.set(&s, bad, FieldValue::Count(EntryCount::ZERO)),
            Err(EntryError::NoSuchField(bad))
        );
        let bad = FieldId::ListVotes(ListNumber(3));
        assert_eq!(
            e.set(&s, bad, FieldValue::Count(EntryCount::ZERO)),
            Err(EntryError::NoSuchField(bad))
        );
    }

    #[test]
    fn set_get_every_field() {
        let s = EntryShape {
            has_voter_cards: true,
            ..shape()
        };
        let mut e = PollingStationEntry::empty(&s);
        for (i, f) in s.fields().into_iter().enumerate() {
            let value = if f.is_mark() {
                FieldValue::Mark(true)
            } else {
                FieldValue::Count(EntryCount::new(i as u64 + 1).unwrap())
            };
            assert_eq!(
                e.get(f),
                Some(if f.is_mark() {
                    FieldValue::Mark(false)
                } else {
                    FieldValue::Empty
                })
            );
            e.set(&s, f, value).unwrap();
            assert_eq!(e.get(f), Some(value), "{f}");
            let wrong = if f.is_mark() {
                FieldValue::Count(EntryCount::ZERO)
            } else {
                FieldValue::Mark(true)
            };
            assert!(matches!(
                e.set(&s, f, wrong),
                Err(EntryError::WrongKind { .. })
            ));
        }
        // Every field distinct: the differences with an empty form are all fields.
        assert_eq!(
            e.differences(&PollingStationEntry::empty(&s), &s),
            s.fields()
        );
    }
}
