//! The election as a body's appliance counts it ([`ElectionInfo`]), and the paper report
//! of one polling station (model N 10-1) in the order of the paper ([`Form`]): the voters
//! block (A-D), the votes block (E.x, E, F, G, H), the differences block (I, J,
//! explanation), then list by list the candidates' votes and the list total. The words of
//! the labels and titles are the terminal's.

use std::sync::Arc;

use tally_core::election::{
    BallotContestError, Candidate, Contest, Election, ElectionCategory, PoliticalList,
    PollingStation,
};
use tally_core::entry::EntryShape;
pub use tally_core::entry::{FieldId, FieldValue};
use tally_core::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, MunicipalityCode};
use tally_core::municipal::{ExplanationCodes, MunicipalitySpec, StationInfo};

/// What the terminal needs to know of the loaded election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionInfo {
    /// `GR2025_Juinen`.
    pub id: ElectionId,
    /// `Gemeenteraad 2025 Juinen`.
    pub name: String,
    /// `2025-08-29`.
    pub date: String,
    /// The category (decides whether field C exists).
    pub category: ElectionCategory,
    /// The municipality's code (`0042`).
    pub municipality_code: MunicipalityCode,
    /// The municipality's name.
    pub municipality_name: String,
    /// Number of seats.
    pub seats: u32,
    /// `kr:ElectionSubcategory` (`GR2`).
    pub subcategory: String,
    /// `kr:ElectionDomain`: its `Id` and name, when the 110a gives one.
    pub domain: Option<(Option<String>, String)>,
    /// The contest whose lists are on this municipality's ballot (`geen`, or a kieskring).
    pub contest_id: ContestId,
    /// The contest as the official reads it: `Kieskring 6 Nijmegen`; `None` for `geen`.
    pub contest_name: Option<String>,
    /// The lists with their candidates, by number.
    pub lists: Vec<PoliticalList>,
    /// The polling stations, by number.
    pub stations: Vec<PollingStation>,
    /// The whole verified election, when it was loaded from files (the report crate's
    /// comparison figures take it).
    pub election: Option<Arc<Election>>,
}

/// Why a verified election cannot be counted by this municipality.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElectionInfoError {
    /// No list of polling stations (110b).
    #[error("the definition holds no list of polling stations (110b)")]
    NoStationList,
    /// The 110b lists no polling station.
    #[error("the list of polling stations (110b) holds no polling station")]
    NoStations,
    /// Which contest's lists are on the ballot cannot be told (the core's reason).
    #[error("municipality {code}: {reason}")]
    Contest {
        /// The municipality.
        code: MunicipalityCode,
        /// Its name.
        name: String,
        /// The core's reason.
        reason: Box<BallotContestError>,
    },
}

impl ElectionInfo {
    /// What the terminal needs of a loaded election, for the municipality the 110b names.
    ///
    /// # Errors
    /// An election without polling stations, or whose ballot's lists cannot be told.
    pub fn from_election(e: &Election) -> Result<ElectionInfo, ElectionInfoError> {
        let ps = e
            .polling_stations
            .as_ref()
            .ok_or(ElectionInfoError::NoStationList)?;
        let contest =
            e.ballot_contest(&ps.municipality)
                .map_err(|reason| ElectionInfoError::Contest {
                    code: ps.municipality.clone(),
                    name: ps.municipality_name.clone(),
                    reason: Box::new(reason),
                })?;
        if ps.stations.is_empty() {
            return Err(ElectionInfoError::NoStations);
        }
        Ok(ElectionInfo {
            id: e.id.clone(),
            name: e.name.clone(),
            date: e.date.to_string(),
            category: e.category,
            municipality_code: ps.municipality.clone(),
            municipality_name: ps.municipality_name.clone(),
            seats: e.number_of_seats,
            subcategory: e.subcategory.to_string(),
            domain: e.domain.as_ref().map(|d| (d.id.clone(), d.name.clone())),
            contest_id: contest.id.clone(),
            contest_name: contest_name(e, contest),
            lists: contest.lists.clone(),
            stations: ps.stations.clone(),
            election: Some(Arc::new(e.clone())),
        })
    }

    /// The number of candidates on all lists.
    pub fn candidate_count(&self) -> usize {
        self.lists.iter().map(|l| l.candidates.len()).sum()
    }
}

/// Contest ids as a list for a message: `10, 6`.
pub fn contest_ids(contests: &[ContestId]) -> String {
    contests
        .iter()
        .map(|c| c.0.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Kieskring 6 Nijmegen` for a kieskring contest (the name from the 230b or the tree);
/// `None` for a municipal election's single contest `geen`.
fn contest_name(e: &Election, contest: &Contest) -> Option<String> {
    if contest.id.0 == "geen" {
        return None;
    }
    let region = contest.id.0.parse::<u32>().ok().and_then(|n| {
        e.kieskringen()
            .find(|k| k.key.number == Some(n))
            .map(|k| k.name.clone())
    });
    let name = contest.name.clone().or(region).unwrap_or_default();
    Some(
        format!("Kieskring {} {name}", contest.id.0)
            .trim_end()
            .to_string(),
    )
}

/// A block of the paper report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A-D.
    Voters,
    /// E.x, E, F, G, H.
    Votes,
    /// The D-versus-H block: tick boxes, I, J, the explanation.
    Differences,
    /// One list's candidates and its total.
    List {
        /// The list number.
        number: u32,
        /// The list name.
        name: String,
    },
}

/// One field in the form's order, with its block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// The field.
    pub id: FieldId,
    /// Index into [`Form::blocks`].
    pub block: usize,
}

/// The paper report of one election: every field in typing order (the order of the paper).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The shape as the core's entry and checks know it.
    pub shape: EntryShape,
    /// The blocks in order.
    pub blocks: Vec<Block>,
    /// The fields in typing order.
    pub fields: Vec<FormField>,
    /// The lists with their candidates (for labels).
    pub lists: Vec<PoliticalList>,
}

impl Form {
    /// The form for an election.
    pub fn new(election: &ElectionInfo) -> Form {
        let shape = EntryShape {
            has_voter_cards: election.category.has_voter_cards(),
            lists: election
                .lists
                .iter()
                .map(|l| {
                    (
                        l.number,
                        u32::try_from(l.candidates.len()).unwrap_or(u32::MAX),
                    )
                })
                .collect(),
        };
        let mut blocks = vec![Block::Voters, Block::Votes, Block::Differences];
        for l in &election.lists {
            blocks.push(Block::List {
                number: l.number.0,
                name: l.name.clone(),
            });
        }
        let fields = shape
            .fields()
            .into_iter()
            .map(|id| {
                let block = match id {
                    FieldId::PollCards
                    | FieldId::ProxyCertificates
                    | FieldId::VoterCards
                    | FieldId::AdmittedVoters => 0,
                    FieldId::ListVotes(_)
                    | FieldId::VotesOnCandidates
                    | FieldId::BlankVotes
                    | FieldId::InvalidVotes
                    | FieldId::VotesCast => 1,
                    FieldId::CandidateVotes(l, _) | FieldId::ListTotal(l) => election
                        .lists
                        .iter()
                        .position(|x| x.number == l)
                        .map_or(2, |i| i.saturating_add(3)),
                    _ => 2,
                };
                FormField { id, block }
            })
            .collect();
        Form {
            shape,
            blocks,
            fields,
            lists: election.lists.clone(),
        }
    }

    /// The index of a field in typing order.
    pub fn index_of(&self, id: FieldId) -> Option<usize> {
        self.fields.iter().position(|f| f.id == id)
    }

    /// The findings of an entry whose fields the typist has dealt with (each is before the
    /// cursor or already has a value), or all of them when `all` (the entry is complete).
    pub fn passed_findings(
        &self,
        values: &tally_core::entry::PollingStationEntry,
        cursor: usize,
        all: bool,
    ) -> Vec<tally_core::entry::CheckResult> {
        use tally_core::entry::FieldValue;
        tally_core::entry::check(values, &self.shape)
            .into_iter()
            .filter(|f| {
                all || f.fields.iter().all(|id| {
                    self.index_of(*id).is_some_and(|i| i < cursor)
                        || matches!(
                            values.get(*id),
                            Some(FieldValue::Count(_)) | Some(FieldValue::Mark(true))
                        )
                })
            })
            .collect()
    }

    /// The indexes of `ids` in typing order (the fields returned for correction, which the
    /// cursor then visits alone).
    pub fn indexes_of(&self, ids: &[FieldId]) -> Vec<usize> {
        (0..self.fields.len())
            .filter(|&i| self.fields.get(i).is_some_and(|f| ids.contains(&f.id)))
            .collect()
    }

    fn block_of(&self, index: usize) -> usize {
        self.fields.get(index).map_or(0, |f| f.block)
    }

    /// The list whose block holds field `index`, if it is a list's block.
    pub fn list_of_block(&self, index: usize) -> Option<ListNumber> {
        let block = self.block_of(index);
        self.fields
            .iter()
            .filter(|f| f.block == block)
            .find_map(|f| match f.id {
                FieldId::CandidateVotes(l, _) | FieldId::ListTotal(l) => Some(l),
                _ => None,
            })
    }

    /// The index of the list total in the block of field `index`, if it is a list's block.
    pub fn total_of_block(&self, index: usize) -> Option<usize> {
        let block = self.block_of(index);
        self.fields
            .iter()
            .position(|f| f.block == block && matches!(f.id, FieldId::ListTotal(_)))
    }

    /// The index of candidate `position` of `list` (the jump to a candidate's number).
    pub fn candidate_index(&self, list: ListNumber, position: u32) -> Option<usize> {
        self.index_of(FieldId::CandidateVotes(list, CandidatePosition(position)))
    }

    /// Where PgDn goes from field `index`: a list's total is never skipped (from a candidate
    /// to the list's total first, from the total to the next block), else the next block's
    /// first field, and the last field at the end.
    pub fn page_down(&self, index: usize) -> usize {
        let last = self.fields.len().saturating_sub(1);
        match self.total_of_block(index) {
            Some(total) if index < total => total,
            _ => {
                let block = self.block_of(index);
                self.fields
                    .iter()
                    .position(|f| f.block > block)
                    .unwrap_or(last)
            }
        }
    }

    /// Where PgUp goes from field `index`: the block's first field, from there the previous
    /// block's first field.
    pub fn page_up(&self, index: usize) -> usize {
        let block = self.block_of(index);
        let first_of = |b: usize| self.fields.iter().position(|f| f.block == b).unwrap_or(0);
        let start = first_of(block);
        if start < index {
            start
        } else {
            first_of(block.saturating_sub(1))
        }
    }

    /// The short code shown before the label (`A`, `E.2`, `K`, `12` for a candidate).
    pub fn code(&self, id: FieldId) -> String {
        match id {
            FieldId::CandidateVotes(_, c) => c.to_string(),
            FieldId::ListTotal(_) => "T".into(),
            FieldId::AdmittedEqualsCast
            | FieldId::CastGreaterThanAdmitted
            | FieldId::CastSmallerThanAdmitted
            | FieldId::DifferenceExplainedYes
            | FieldId::DifferenceExplainedNo => String::new(),
            other => other.to_string(),
        }
    }

    /// The field's label (without its code).
    /// A candidate by list and position.
    pub fn candidate(&self, list: u32, position: u32) -> Option<&Candidate> {
        self.lists
            .iter()
            .find(|l| l.number.0 == list)?
            .candidates
            .iter()
            .find(|c| c.position.0 == position)
    }
}

/// What the core's municipal total needs of the election: the stations in order, with
/// their names and eligible voters, and the lists' names.
pub fn municipality_spec(election: &ElectionInfo) -> MunicipalitySpec {
    MunicipalitySpec {
        code: election.municipality_code.clone(),
        stations: election
            .stations
            .iter()
            .map(|s| StationInfo {
                number: s.number,
                name: format!("Stembureau {}", s.name),
                eligible_voters: s.eligible_voters.unwrap_or(0),
            })
            .collect(),
        list_names: election
            .lists
            .iter()
            .map(|l| (l.number, l.name.clone()))
            .collect(),
        total_cast: None,
        explanation_codes: explanation_codes(&election.date),
    }
}

/// The paper model's explanation codes for an election held on `date` (`YYYY-MM-DD`, as the
/// 110a gives it; a date that does not start with a year is taken as today's models).
fn explanation_codes(date: &str) -> ExplanationCodes {
    date.get(..4)
        .and_then(|y| y.parse::<i32>().ok())
        .map_or(ExplanationCodes::OnlyTyped, ExplanationCodes::for_year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paper_model_follows_the_election_year() {
        // Juinen (2025-08-29) and TK2025: the five codes in every unit, as OSV2020's files.
        assert_eq!(explanation_codes("2025-08-29"), ExplanationCodes::EveryUnit);
        assert_eq!(explanation_codes("2025-10-29"), ExplanationCodes::EveryUnit);
        // GR2026 (Assen's file has none).
        assert_eq!(explanation_codes("2026-03-18"), ExplanationCodes::OnlyTyped);
        assert_eq!(explanation_codes("18-03-2026"), ExplanationCodes::OnlyTyped);
        assert_eq!(explanation_codes(""), ExplanationCodes::OnlyTyped);
    }
}
