//! 510b and 510c through eml-nl's writer: build eml-nl's document from domain counts.

use std::collections::BTreeMap;
use std::num::NonZeroU64;

use eml_nl::common::{
    AuthorityIdentifier, CandidateIdentifier, ContestIdentifier, CountingMethodCode,
    CreationDateTime, ElectionDomain, ManagingAuthority, PhaseCode, ReportingUnitIdentifier,
    TransactionId,
};
use eml_nl::documents::election_count::{
    AffiliationSelection, CandidateSelection, CountType, ElectionCount, ElectionCountContest,
    ElectionCountCount, ElectionCountElection, ElectionCountElectionIdentifier,
    ElectionCountSelection, ElectionCountSelectionType, InvestigationReason, RejectedVotesReason,
    ReportingUnitVotes, TotalVotes, UncountedVotesReason,
};
use eml_nl::io::EMLWrite as _;
use eml_nl::utils::{
    AffiliationId, AuthorityId, CandidateId, ContestId, ElectionCategory, ElectionDomainId,
    ElectionId, ElectionSubcategory, NameShortCode, ReportingUnitIdentifierId, StringValue,
    StringValueData, XsDate, XsDateTime,
};

use super::{CountWriteError, category_code, uncounted_pairs};
use crate::counts::{
    CandidateRef, CountFile, CountLevel, CountPhase, CountingMethod, PreviousCounts, VoteCounts,
};

fn bad(field: impl Into<String>, message: impl std::fmt::Display) -> CountWriteError {
    CountWriteError::Value {
        field: field.into(),
        message: message.to_string(),
    }
}

fn parsed<T: StringValueData>(raw: &str, field: &str) -> Result<StringValue<T>, CountWriteError>
where
    T::Error: std::fmt::Display,
{
    StringValue::from_raw_parsed(raw).map_err(|e| bad(field, format!("{raw:?}: {e}")))
}

fn non_zero(n: u32, field: &str) -> Result<NonZeroU64, CountWriteError> {
    NonZeroU64::new(u64::from(n)).ok_or_else(|| bad(field, "must be at least 1"))
}

/// Builds eml-nl's document and lets eml-nl write it.
pub(super) fn write(file: &CountFile) -> Result<Vec<u8>, CountWriteError> {
    let doc = build(file)?;
    doc.write_eml_root(false, true)
        .map_err(|e| CountWriteError::Writer(e.to_string()))
}

fn build(file: &CountFile) -> Result<ElectionCount, CountWriteError> {
    let h = &file.header;
    let count_type = match h.level {
        CountLevel::Municipality => CountType::Municipal,
        CountLevel::District => CountType::District,
        CountLevel::Total => CountType::Central,
    };
    let mut authority = AuthorityIdentifier::new(
        AuthorityId::new(&h.authority_id).map_err(|e| bad("AuthorityIdentifier Id", e))?,
    );
    if let Some(name) = &h.authority_name {
        authority = authority.with_name(name.as_str());
    }
    let identifier = ElectionCountElectionIdentifier {
        id: StringValue::from_value(
            ElectionId::new(&h.election_id.0).map_err(|e| bad("ElectionIdentifier Id", e))?,
        ),
        name: h.election_name.as_deref().map(Into::into),
        category: StringValue::from_value(
            ElectionCategory::new(category_code(h.category))
                .map_err(|e| bad("ElectionCategory", e))?,
        ),
        subcategory: match &h.subcategory {
            Some(s) => Some(StringValue::from_value(
                ElectionSubcategory::new(s).map_err(|e| bad("ElectionSubcategory", e))?,
            )),
            None => None,
        },
        domain: match &h.domain {
            Some((id, name)) => Some(ElectionDomain::new(
                match id {
                    Some(id) => {
                        Some(ElectionDomainId::new(id).map_err(|e| bad("ElectionDomain Id", e))?)
                    }
                    None => None,
                },
                name.as_str(),
            )),
            None => None,
        },
        election_date: parsed::<XsDate>(&h.election_date, "ElectionDate")?,
    };
    let mut contest_identifier = ContestIdentifier::new(
        ContestId::new(&h.contest_id.0).map_err(|e| bad("ContestIdentifier Id", e))?,
    );
    if let Some(name) = &h.contest_name {
        contest_identifier = contest_identifier.with_name(name.as_str());
    }
    let edition = h.edition;
    super::check_edition(file)?;
    let total = &file.total;
    let p = &total.previous;
    let total_votes = TotalVotes {
        selections: selections("TotalVotes", total)?,
        previous_eligible_voter_count: p.cast.map(StringValue::from_value),
        eligible_voter_count: StringValue::from_value(total.cast),
        previous_candidate_votes_count: p.total_counted.map(StringValue::from_value),
        candidate_votes_count: StringValue::from_value(total.total_counted),
        previous_rejected_votes: previous_rejected(p),
        rejected_votes: rejected(total),
        previous_uncounted_votes: previous_uncounted("TotalVotes", p)?,
        uncounted_votes: uncounted("TotalVotes", total)?,
    };
    let mut units = Vec::with_capacity(file.units.len());
    for unit in &file.units {
        let place = format!("ReportingUnitVotes {}", unit.id);
        let mut investigations = BTreeMap::new();
        for (reason, value) in &unit.investigations {
            let reason = InvestigationReason::from_eml_value(reason)
                .map_err(|e| bad(format!("{place}/Investigation"), e))?;
            if investigations
                .insert(reason, StringValue::from_value(*value))
                .is_some()
            {
                return Err(bad(
                    format!("{place}/Investigation"),
                    "a reason appears twice",
                ));
            }
        }
        let p = &unit.counts.previous;
        units.push(ReportingUnitVotes {
            identifier: ReportingUnitIdentifier::new(
                ReportingUnitIdentifierId::new(&unit.id.0)
                    .map_err(|e| bad(format!("{place} Id"), e))?,
                unit.name.as_str(),
            ),
            reporting_unit_type: None,
            shared_location: None,
            selections: selections(&place, &unit.counts)?,
            previous_eligible_voter_count: p.cast.map(StringValue::from_value),
            eligible_voter_count: StringValue::from_value(unit.counts.cast),
            previous_candidate_votes_count: p.total_counted.map(StringValue::from_value),
            candidate_votes_count: StringValue::from_value(unit.counts.total_counted),
            previous_rejected_votes: previous_rejected(p),
            rejected_votes: rejected(&unit.counts),
            previous_uncounted_votes: previous_uncounted(&place, p)?,
            uncounted_votes: uncounted(&place, &unit.counts)?,
            investigations,
        });
    }
    let mut count = ElectionCountCount::new(ElectionCountElection::new(
        identifier,
        vec![ElectionCountContest {
            identifier: contest_identifier,
            total_votes: Some(total_votes),
            reporting_unit_votes: units,
        }],
    ));
    count.phase = edition.phase.map(|p| {
        eml_nl::common::Phase::new(match p {
            CountPhase::FirstSession => PhaseCode::FirstSession,
            CountPhase::Corrigendum => PhaseCode::Corrigendum,
        })
    });
    count.counting_method = edition.counting_method.map(|m| {
        eml_nl::common::CountingMethod::from(match m {
            CountingMethod::Decentral => CountingMethodCode::DSO,
            CountingMethod::Central => CountingMethodCode::CSO,
        })
    });
    Ok(ElectionCount {
        version: edition.version.to_eml_nl(),
        count_type,
        transaction_id: TransactionId::new(h.transaction_id),
        managing_authority: ManagingAuthority::new(authority),
        creation_date_time: CreationDateTime(parsed::<XsDateTime>(
            &h.creation_date_time,
            "CreationDateTime",
        )?),
        canonicalization_method: None,
        count,
    })
}

fn selections(
    place: &str,
    counts: &VoteCounts,
) -> Result<Vec<ElectionCountSelection>, CountWriteError> {
    if counts.lists.is_empty() {
        return Err(bad(place, "EML_NL needs at least one list (Selection)"));
    }
    let mut out = Vec::new();
    for prev in &counts.previous.lists {
        let Some(list) = counts.lists.iter().find(|l| l.list == prev.list) else {
            return Err(bad(
                place,
                format!(
                    "a previous value of list {}, which is not in the count",
                    prev.list
                ),
            ));
        };
        for (candidate, _) in &prev.candidates {
            if !list.candidates.iter().any(|(c, _)| c == candidate) {
                return Err(bad(
                    place,
                    format!(
                        "a previous value of list {}, {candidate}, who is not in the count",
                        prev.list
                    ),
                ));
            }
        }
    }
    for list in &counts.lists {
        let prev = counts.previous.lists.iter().find(|p| p.list == list.list);
        out.push(ElectionCountSelection {
            selection_type: ElectionCountSelectionType::Affiliation(Box::new(
                AffiliationSelection::new(
                    AffiliationId::new(non_zero(list.list.0, "AffiliationIdentifier Id")?),
                    list.name.as_str(),
                ),
            )),
            previous_valid_votes: prev.and_then(|p| p.total).map(StringValue::from_value),
            valid_votes: StringValue::from_value(list.total),
            value: None,
            category: None,
        });
        for (candidate, votes) in &list.candidates {
            let field = format!("{place}, list {}, {candidate}", list.list);
            let identifier = match candidate {
                CandidateRef::Position(p) => {
                    CandidateIdentifier::new(CandidateId::new(non_zero(p.0, &field)?))
                }
                CandidateRef::PositionAndShortCode(p, code) => {
                    CandidateIdentifier::new(CandidateId::new(non_zero(p.0, &field)?))
                        .with_short_code(NameShortCode::new(code).map_err(|e| bad(&field, e))?)
                }
                CandidateRef::ShortCode(_) => {
                    return Err(bad(
                        field,
                        "eml-nl cannot write a candidate without position (use a 510d)",
                    ));
                }
            };
            out.push(ElectionCountSelection {
                selection_type: ElectionCountSelectionType::Candidate(Box::new(
                    CandidateSelection::from(identifier),
                )),
                previous_valid_votes: prev
                    .and_then(|p| p.candidates.iter().find(|(c, _)| c == candidate))
                    .map(|(_, v)| StringValue::from_value(*v)),
                valid_votes: StringValue::from_value(*votes),
                value: None,
                category: None,
            });
        }
    }
    Ok(out)
}

fn rejected(counts: &VoteCounts) -> BTreeMap<RejectedVotesReason, StringValue<u64>> {
    BTreeMap::from([
        (
            RejectedVotesReason::Blank,
            StringValue::from_value(counts.blank),
        ),
        (
            RejectedVotesReason::Invalid,
            StringValue::from_value(counts.invalid),
        ),
    ])
}

fn previous_rejected(p: &PreviousCounts) -> BTreeMap<RejectedVotesReason, StringValue<u64>> {
    let mut out = BTreeMap::new();
    if let Some(v) = p.blank {
        out.insert(RejectedVotesReason::Blank, StringValue::from_value(v));
    }
    if let Some(v) = p.invalid {
        out.insert(RejectedVotesReason::Invalid, StringValue::from_value(v));
    }
    out
}

fn previous_uncounted(
    place: &str,
    p: &PreviousCounts,
) -> Result<BTreeMap<UncountedVotesReason, StringValue<u64>>, CountWriteError> {
    let mut out = BTreeMap::new();
    for (reason, value) in &p.uncounted {
        let reason = UncountedVotesReason::from_eml_value(reason)
            .map_err(|e| bad(format!("{place}/PreviousUncountedVotes"), e))?;
        if out
            .insert(reason, StringValue::from_value(*value))
            .is_some()
        {
            return Err(bad(
                format!("{place}/PreviousUncountedVotes"),
                "a reason appears twice",
            ));
        }
    }
    Ok(out)
}

fn uncounted(
    place: &str,
    counts: &VoteCounts,
) -> Result<BTreeMap<UncountedVotesReason, StringValue<u64>>, CountWriteError> {
    let mut out = BTreeMap::new();
    for (reason, value) in uncounted_pairs(&counts.voters)? {
        let reason = UncountedVotesReason::from_eml_value(reason)
            .map_err(|e| bad(format!("{place}/UncountedVotes"), e))?;
        out.insert(reason, StringValue::from_value(value));
    }
    Ok(out)
}
