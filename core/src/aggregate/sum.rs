//! Adding up counts and comparing two counts field by field.

use std::collections::BTreeMap;
use std::fmt;

use crate::counts::{
    CandidateRef, Count, CountField, ListVotes, PreviousCounts, VoteCounts, VoterCounts,
};
use crate::eml::count::UNCOUNTED_REASONS;
use crate::ids::ListNumber;

/// A sum that does not fit in 64 bits (only possible with absurd input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the sum of {what} does not fit in 64 bits")]
pub struct SumOverflow {
    /// What was being added up.
    pub what: String,
}

fn add(a: Count, b: Count, what: impl FnOnce() -> String) -> Result<Count, SumOverflow> {
    a.checked_add(b).ok_or_else(|| SumOverflow { what: what() })
}

fn add_opt(
    a: Option<Count>,
    b: Option<Count>,
    what: impl FnOnce() -> String,
) -> Result<Option<Count>, SumOverflow> {
    match (a, b) {
        (None, None) => Ok(None),
        (Some(x), None) | (None, Some(x)) => Ok(Some(x)),
        (Some(x), Some(y)) => add(x, y, what).map(Some),
    }
}

/// Adds up counts with checked arithmetic: every field, each list (by number, in order of
/// first appearance) and each candidate (by `ShortCode` when known, else by position, in
/// order of first appearance). A field A–D, I or J is present in the sum when any part has
/// it. A candidate keeps its reference when every part names it the same way; otherwise
/// (different positions in different kieskringen) it is named by `ShortCode` only.
pub fn sum_counts<'a>(
    parts: impl IntoIterator<Item = &'a VoteCounts>,
) -> Result<VoteCounts, SumOverflow> {
    let mut out = VoteCounts {
        cast: 0,
        lists: Vec::new(),
        total_counted: 0,
        blank: 0,
        invalid: 0,
        voters: VoterCounts::default(),
        previous: PreviousCounts::default(),
    };
    let mut other: BTreeMap<String, Count> = BTreeMap::new();
    for part in parts {
        out.cast = add(out.cast, part.cast, || "Cast".into())?;
        out.total_counted = add(out.total_counted, part.total_counted, || "E".into())?;
        out.blank = add(out.blank, part.blank, || "F".into())?;
        out.invalid = add(out.invalid, part.invalid, || "G".into())?;
        let (v, p) = (&mut out.voters, &part.voters);
        v.poll_cards = add_opt(v.poll_cards, p.poll_cards, || "A".into())?;
        v.proxy_certificates = add_opt(v.proxy_certificates, p.proxy_certificates, || "B".into())?;
        v.voter_cards = add_opt(v.voter_cards, p.voter_cards, || "C".into())?;
        v.admitted_voters = add_opt(v.admitted_voters, p.admitted_voters, || "D".into())?;
        v.more_ballots_counted = add_opt(v.more_ballots_counted, p.more_ballots_counted, || {
            "I".into()
        })?;
        v.fewer_ballots_counted =
            add_opt(v.fewer_ballots_counted, p.fewer_ballots_counted, || {
                "J".into()
            })?;
        for (code, n) in &p.other {
            let e = other.entry(code.clone()).or_insert(0);
            *e = add(*e, *n, || format!("\"{code}\""))?;
        }
        for list in &part.lists {
            let idx = match out.lists.iter().position(|l| l.list == list.list) {
                Some(i) => i,
                None => {
                    out.lists.push(ListVotes {
                        list: list.list,
                        name: list.name.clone(),
                        total: 0,
                        candidates: Vec::new(),
                    });
                    out.lists.len().saturating_sub(1)
                }
            };
            let Some(target) = out.lists.get_mut(idx) else {
                continue;
            };
            target.total = add(target.total, list.total, || format!("list {}", list.list))?;
            for (cand, votes) in &list.candidates {
                // By `ShortCode` when the reference has one (the same person can stand at
                // different positions in different kieskringen), otherwise by position.
                let k = cand.sum_key();
                match target.candidates.iter_mut().find(|(c, _)| c.sum_key() == k) {
                    Some((existing, sum)) => {
                        *sum = add(*sum, *votes, || format!("list {}, {cand}", list.list))?;
                        if existing != cand
                            && let Some(code) = cand.short_code()
                        {
                            *existing = CandidateRef::ShortCode(code.to_owned());
                        }
                    }
                    None => target.candidates.push((cand.clone(), *votes)),
                }
            }
        }
    }
    let mut other: Vec<(String, Count)> = other.into_iter().collect();
    other.sort_by_key(|(code, _)| {
        UNCOUNTED_REASONS
            .iter()
            .position(|r| r == code)
            .unwrap_or(usize::MAX)
    });
    out.voters.other = other;
    Ok(out)
}

/// One difference between the counts expected (recomputed from the level below) and the
/// counts found in a file. `None` means: absent on that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountDifference {
    /// A field: Cast, E, F, G, A, B, C, D, I or J.
    Field {
        /// Which field.
        field: CountField,
        /// Expected.
        expected: Option<Count>,
        /// Found.
        found: Option<Count>,
    },
    /// A list's total E.x.
    List {
        /// Which list.
        list: ListNumber,
        /// Expected.
        expected: Option<Count>,
        /// Found.
        found: Option<Count>,
    },
    /// A candidate's votes.
    Candidate {
        /// Which list.
        list: ListNumber,
        /// Which candidate (as on the expected side when there, else as found).
        candidate: CandidateRef,
        /// Expected.
        expected: Option<Count>,
        /// Found.
        found: Option<Count>,
    },
    /// An explanation code's count.
    Explanation {
        /// The reason code.
        code: String,
        /// Expected.
        expected: Option<Count>,
        /// Found.
        found: Option<Count>,
    },
}

fn show(v: &Option<Count>) -> String {
    v.map_or_else(|| "absent".to_owned(), |v| v.to_string())
}

impl fmt::Display for CountDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountDifference::Field {
                field,
                expected,
                found,
            } => write!(
                f,
                "{}: expected {}, found {}",
                field.label(),
                show(expected),
                show(found)
            ),
            CountDifference::List {
                list,
                expected,
                found,
            } => write!(
                f,
                "list {list} total: expected {}, found {}",
                show(expected),
                show(found)
            ),
            CountDifference::Candidate {
                list,
                candidate,
                expected,
                found,
            } => write!(
                f,
                "list {list}, {candidate}: expected {}, found {}",
                show(expected),
                show(found)
            ),
            CountDifference::Explanation {
                code,
                expected,
                found,
            } => write!(
                f,
                "\"{code}\": expected {}, found {}",
                show(expected),
                show(found)
            ),
        }
    }
}

/// Whether two references name the same candidate: by position when both give one, else
/// by `ShortCode` when both give one.
fn same_candidate(a: &CandidateRef, b: &CandidateRef) -> bool {
    match (a.position(), b.position()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.short_code(), b.short_code()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// Compares `found` with `expected` field by field, list by list and candidate by
/// candidate, and returns every difference (empty when they agree). Candidates are matched
/// by position when both sides give one, otherwise by `ShortCode`.
pub fn compare_counts(expected: &VoteCounts, found: &VoteCounts) -> Vec<CountDifference> {
    let mut out = Vec::new();
    let fields = [
        (CountField::Cast, Some(expected.cast), Some(found.cast)),
        (
            CountField::TotalCounted,
            Some(expected.total_counted),
            Some(found.total_counted),
        ),
        (CountField::Blank, Some(expected.blank), Some(found.blank)),
        (
            CountField::Invalid,
            Some(expected.invalid),
            Some(found.invalid),
        ),
        (
            CountField::PollCards,
            expected.voters.poll_cards,
            found.voters.poll_cards,
        ),
        (
            CountField::ProxyCertificates,
            expected.voters.proxy_certificates,
            found.voters.proxy_certificates,
        ),
        (
            CountField::VoterCards,
            expected.voters.voter_cards,
            found.voters.voter_cards,
        ),
        (
            CountField::AdmittedVoters,
            expected.voters.admitted_voters,
            found.voters.admitted_voters,
        ),
        (
            CountField::MoreBallotsCounted,
            expected.voters.more_ballots_counted,
            found.voters.more_ballots_counted,
        ),
        (
            CountField::FewerBallotsCounted,
            expected.voters.fewer_ballots_counted,
            found.voters.fewer_ballots_counted,
        ),
    ];
    for (field, e, f) in fields {
        if e != f {
            out.push(CountDifference::Field {
                field,
                expected: e,
                found: f,
            });
        }
    }
    let mut codes: Vec<&str> = Vec::new();
    for (c, _) in expected.voters.other.iter().chain(&found.voters.other) {
        if !codes.contains(&c.as_str()) {
            codes.push(c);
        }
    }
    for code in codes {
        let get = |v: &VoterCounts| v.other.iter().find(|(c, _)| c == code).map(|(_, n)| *n);
        let (e, f) = (get(&expected.voters), get(&found.voters));
        if e != f {
            out.push(CountDifference::Explanation {
                code: code.to_owned(),
                expected: e,
                found: f,
            });
        }
    }
    for el in &expected.lists {
        let fl = found.lists.iter().find(|l| l.list == el.list);
        let f_total = fl.map(|l| l.total);
        if f_total != Some(el.total) {
            out.push(CountDifference::List {
                list: el.list,
                expected: Some(el.total),
                found: f_total,
            });
        }
        for (ec, ev) in &el.candidates {
            let fv = fl.and_then(|l| {
                l.candidates
                    .iter()
                    .find(|(fc, _)| same_candidate(ec, fc))
                    .map(|(_, v)| *v)
            });
            if fv != Some(*ev) {
                // Name the candidate as fully as either side does.
                let found_ref = fl.and_then(|l| {
                    l.candidates
                        .iter()
                        .find(|(fc, _)| same_candidate(ec, fc))
                        .map(|(fc, _)| fc)
                });
                let candidate = match found_ref {
                    Some(fc) if ec.short_code().is_none() && fc.short_code().is_some() => {
                        fc.clone()
                    }
                    _ => ec.clone(),
                };
                out.push(CountDifference::Candidate {
                    list: el.list,
                    candidate,
                    expected: Some(*ev),
                    found: fv,
                });
            }
        }
        if let Some(fl) = fl {
            for (fc, fv) in &fl.candidates {
                if !el.candidates.iter().any(|(ec, _)| same_candidate(ec, fc)) {
                    out.push(CountDifference::Candidate {
                        list: el.list,
                        candidate: fc.clone(),
                        expected: None,
                        found: Some(*fv),
                    });
                }
            }
        }
    }
    for fl in &found.lists {
        if !expected.lists.iter().any(|l| l.list == fl.list) {
            out.push(CountDifference::List {
                list: fl.list,
                expected: None,
                found: Some(fl.total),
            });
        }
    }
    out
}
