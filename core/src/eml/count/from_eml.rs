//! 510b and 510c through eml-nl: parse with `StrictFallback`, then convert to domain counts.

use std::collections::BTreeMap;

use eml_nl::common::{CountingMethodCode, PhaseCode};
use eml_nl::documents::election_count::{
    CountType, ElectionCount, ElectionCountSelection, ElectionCountSelectionType,
    RejectedVotesReason, UncountedVotesReason,
};
use eml_nl::utils::{StringValue, StringValueData};

use super::{CountReadError, category_from_code, voter_counts};
use crate::counts::{
    CandidateRef, CountEdition, CountFile, CountHeader, CountLevel, CountPhase, CountingMethod,
    ListVotes, PreviousCounts, PreviousListVotes, ReportingUnitCounts, VoteCounts,
};
use crate::eml::names::EmlVersion;
use crate::eml::parse_strict_then_fallback;
use crate::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, ReportingUnitId};

/// Parses `text` with eml-nl and converts it.
pub(super) fn read(text: &str) -> Result<CountFile, CountReadError> {
    // Every real 510b and 510c passes `Strict`; `StrictFallback` (tried only when `Strict`
    // refuses) keeps values that do not parse as raw text, and `convert` refuses those
    // precisely where it needs them as numbers.
    let (doc, _warnings, _mode) =
        parse_strict_then_fallback::<ElectionCount>(text).map_err(CountReadError::Eml)?;
    convert(&doc)
}

fn invalid(element: impl Into<String>, message: impl Into<String>) -> CountReadError {
    CountReadError::Invalid {
        element: element.into(),
        message: message.into(),
    }
}

/// The parsed value of a `StringValue`, or a precise error naming the element and the raw
/// text that did not parse (eml-nl's `StrictFallback` keeps such values raw).
fn value<T: StringValueData + Copy>(
    v: &StringValue<T>,
    element: &str,
) -> Result<T, CountReadError> {
    v.copied_value()
        .map_err(|_| invalid(element, format!("{:?} is not a valid value", v.raw())))
}

fn u32_id(n: u64, element: &str) -> Result<u32, CountReadError> {
    u32::try_from(n).map_err(|_| invalid(element, format!("{n} is too large")))
}

fn convert(doc: &ElectionCount) -> Result<CountFile, CountReadError> {
    let level = match doc.count_type {
        CountType::Municipal => CountLevel::Municipality,
        CountType::District => CountLevel::District,
        CountType::Central => CountLevel::Total,
        CountType::PollingStation => {
            return Err(invalid(
                "EML",
                "a 510a (polling station count) is not read here",
            ));
        }
    };
    let ident = &doc.count.election.identifier;
    let [contest] = doc.count.election.contests.as_slice() else {
        return Err(invalid(
            "Contests",
            format!(
                "a count file must have exactly one Contest, this one has {}",
                doc.count.election.contests.len()
            ),
        ));
    };
    let authority = &doc.managing_authority.authority_identifier;
    let header = CountHeader {
        level,
        transaction_id: value(&doc.transaction_id.0, "TransactionId")?,
        authority_id: authority.id.raw().into_owned(),
        authority_name: authority.name.as_deref().map(str::to_owned),
        creation_date_time: doc.creation_date_time.raw().into_owned(),
        election_id: ElectionId(ident.id.raw().into_owned()),
        election_name: ident.name.as_deref().map(str::to_owned),
        category: category_from_code(&ident.category.raw())?,
        subcategory: ident.subcategory.as_ref().map(|s| s.raw().into_owned()),
        domain: ident.domain.as_ref().map(|d| {
            (
                d.id.as_ref().map(|i| i.raw().into_owned()),
                d.name.to_string(),
            )
        }),
        election_date: ident.election_date.raw().into_owned(),
        contest_id: ContestId(contest.identifier.id.raw().into_owned()),
        contest_name: contest.identifier.name.as_deref().map(str::to_owned),
        edition: CountEdition {
            version: EmlVersion::from_eml_nl(doc.version),
            phase: match &doc.count.phase {
                Some(p) => Some(match value(p.value(), "kr:Phase PhaseCode")? {
                    PhaseCode::FirstSession => CountPhase::FirstSession,
                    PhaseCode::Corrigendum => CountPhase::Corrigendum,
                }),
                None => None,
            },
            counting_method: match &doc.count.counting_method {
                Some(m) => Some(match value(m.value(), "kr:CountingMethod MethodCode")? {
                    CountingMethodCode::DSO => CountingMethod::Decentral,
                    CountingMethodCode::CSO => CountingMethod::Central,
                }),
                None => None,
            },
        },
    };
    let Some(total) = &contest.total_votes else {
        return Err(invalid("Contest", "TotalVotes is missing"));
    };
    let total = vote_counts(
        "TotalVotes",
        &total.selections,
        &total.eligible_voter_count,
        &total.candidate_votes_count,
        &total.rejected_votes,
        &total.uncounted_votes,
        Previous {
            cast: total.previous_eligible_voter_count.as_ref(),
            total_counted: total.previous_candidate_votes_count.as_ref(),
            rejected: &total.previous_rejected_votes,
            uncounted: &total.previous_uncounted_votes,
        },
    )?;
    let mut units = Vec::with_capacity(contest.reporting_unit_votes.len());
    for unit in &contest.reporting_unit_votes {
        let id = unit.identifier.id.raw().into_owned();
        let place = format!("ReportingUnitVotes {id}");
        let counts = vote_counts(
            &place,
            &unit.selections,
            &unit.eligible_voter_count,
            &unit.candidate_votes_count,
            &unit.rejected_votes,
            &unit.uncounted_votes,
            Previous {
                cast: unit.previous_eligible_voter_count.as_ref(),
                total_counted: unit.previous_candidate_votes_count.as_ref(),
                rejected: &unit.previous_rejected_votes,
                uncounted: &unit.previous_uncounted_votes,
            },
        )?;
        let mut investigations = Vec::with_capacity(unit.investigations.len());
        for (reason, investigated) in &unit.investigations {
            investigations.push((
                reason.to_eml_value().to_owned(),
                value(investigated, &format!("{place}/Investigation"))?,
            ));
        }
        units.push(ReportingUnitCounts {
            id: ReportingUnitId(id),
            name: unit.identifier.name.to_string(),
            counts,
            investigations,
        });
    }
    Ok(CountFile {
        header,
        total,
        units,
    })
}

/// The previous values (EML_NL 1.3.1) of one vote-count element as eml-nl gives them.
struct Previous<'a> {
    cast: Option<&'a StringValue<u64>>,
    total_counted: Option<&'a StringValue<u64>>,
    rejected: &'a BTreeMap<RejectedVotesReason, StringValue<u64>>,
    uncounted: &'a BTreeMap<UncountedVotesReason, StringValue<u64>>,
}

fn opt_value(v: Option<&StringValue<u64>>, element: &str) -> Result<Option<u64>, CountReadError> {
    v.map(|v| value(v, element)).transpose()
}

#[allow(clippy::too_many_arguments)]
fn vote_counts(
    place: &str,
    selections: &[ElectionCountSelection],
    cast: &StringValue<u64>,
    total_counted: &StringValue<u64>,
    rejected: &BTreeMap<RejectedVotesReason, StringValue<u64>>,
    uncounted: &BTreeMap<UncountedVotesReason, StringValue<u64>>,
    prev: Previous<'_>,
) -> Result<VoteCounts, CountReadError> {
    let mut lists: Vec<ListVotes> = Vec::new();
    let mut previous = PreviousCounts {
        cast: opt_value(prev.cast, &format!("{place}/kr:PreviousCast"))?,
        total_counted: opt_value(
            prev.total_counted,
            &format!("{place}/kr:PreviousTotalCounted"),
        )?,
        blank: opt_value(
            prev.rejected.get(&RejectedVotesReason::Blank),
            &format!("{place}/kr:PreviousRejectedVotes blanco"),
        )?,
        invalid: opt_value(
            prev.rejected.get(&RejectedVotesReason::Invalid),
            &format!("{place}/kr:PreviousRejectedVotes ongeldig"),
        )?,
        ..PreviousCounts::default()
    };
    for (reason, count) in prev.uncounted {
        let code = reason.to_eml_value();
        previous.uncounted.push((
            code.to_owned(),
            value(count, &format!("{place}/kr:PreviousUncountedVotes {code}"))?,
        ));
    }
    // In the schema's order of reasons, as the own reader keeps them.
    previous.uncounted.sort_by_key(|(code, _)| {
        super::UNCOUNTED_REASONS
            .iter()
            .position(|r| r == code)
            .unwrap_or(usize::MAX)
    });
    for selection in selections {
        let votes = value(
            &selection.valid_votes,
            &format!("{place}/Selection/ValidVotes"),
        )?;
        let previous_votes = opt_value(
            selection.previous_valid_votes.as_ref(),
            &format!("{place}/Selection/kr:PreviousValidVotes"),
        )?;
        match &selection.selection_type {
            ElectionCountSelectionType::Affiliation(aff) => {
                let id = value(&aff.id, &format!("{place}/AffiliationIdentifier Id"))?;
                let list = ListNumber(u32_id(
                    id.value().get(),
                    &format!("{place}/AffiliationIdentifier Id"),
                )?);
                if lists.iter().any(|l| l.list == list) {
                    return Err(invalid(
                        format!("{place}/AffiliationIdentifier"),
                        format!("list {list} appears twice"),
                    ));
                }
                lists.push(ListVotes {
                    list,
                    name: aff.name.to_string(),
                    total: votes,
                    candidates: Vec::new(),
                });
                if let Some(v) = previous_votes {
                    previous.lists.push(PreviousListVotes {
                        list,
                        total: Some(v),
                        candidates: Vec::new(),
                    });
                }
            }
            ElectionCountSelectionType::Candidate(cand) => {
                let element = format!("{place}/CandidateIdentifier");
                let Some(list) = lists.last_mut() else {
                    return Err(invalid(element, "a candidate comes before any list"));
                };
                let id = value(&cand.identifier.id, &format!("{element} Id"))?;
                let position = CandidatePosition(u32_id(id.value().get(), &element)?);
                let reference = match &cand.identifier.short_code {
                    Some(code) => {
                        CandidateRef::PositionAndShortCode(position, code.raw().into_owned())
                    }
                    None => CandidateRef::Position(position),
                };
                if list.candidates.iter().any(|(r, _)| *r == reference) {
                    return Err(invalid(
                        element,
                        format!("list {}: {reference} appears twice", list.list),
                    ));
                }
                if let Some(v) = previous_votes {
                    let number = list.list;
                    match previous.lists.last_mut().filter(|p| p.list == number) {
                        Some(p) => p.candidates.push((reference.clone(), v)),
                        None => previous.lists.push(PreviousListVotes {
                            list: number,
                            total: None,
                            candidates: vec![(reference.clone(), v)],
                        }),
                    }
                }
                list.candidates.push((reference, votes));
            }
            ElectionCountSelectionType::ReferendumOption(_) => {
                return Err(invalid(
                    format!("{place}/Selection"),
                    "a referendum option is not a list or candidate",
                ));
            }
        }
    }
    let blank = rejected
        .get(&RejectedVotesReason::Blank)
        .ok_or_else(|| invalid(format!("{place}/RejectedVotes"), "\"blanco\" is missing"))?;
    let invalid_votes = rejected
        .get(&RejectedVotesReason::Invalid)
        .ok_or_else(|| invalid(format!("{place}/RejectedVotes"), "\"ongeldig\" is missing"))?;
    let mut pairs = Vec::with_capacity(uncounted.len());
    for (reason, count) in uncounted {
        let code = reason.to_eml_value();
        pairs.push((
            code.to_owned(),
            value(count, &format!("{place}/UncountedVotes {code}"))?,
        ));
    }
    Ok(VoteCounts {
        cast: value(cast, &format!("{place}/Cast"))?,
        lists,
        total_counted: value(total_counted, &format!("{place}/TotalCounted"))?,
        blank: value(blank, &format!("{place}/RejectedVotes blanco"))?,
        invalid: value(invalid_votes, &format!("{place}/RejectedVotes ongeldig"))?,
        voters: voter_counts(place, pairs)?,
        previous,
    })
}
