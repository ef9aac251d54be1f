//! The paper report of one polling station (model N 10-1) as the terminal lays it out:
//! the voters block (A-D), the votes block (E.x, E, F, G, H), the differences block
//! (I, J, explanation), then list by list the candidates' votes and the list total.

use tally_core::election::{Candidate, ElectionCategory, PoliticalList, PollingStation};

use crate::text::{Lang, Msg};

/// What the terminal needs to know of the loaded election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionInfo {
    /// `GR2025_Juinen`.
    pub id: String,
    /// `Gemeenteraad 2025 Juinen`.
    pub name: String,
    /// `2025-08-29`.
    pub date: String,
    /// The category (decides whether field C exists).
    pub category: ElectionCategory,
    /// The municipality's code (`0042`).
    pub municipality_code: String,
    /// The municipality's name.
    pub municipality_name: String,
    /// Number of seats.
    pub seats: u32,
    /// `kr:ElectionSubcategory` (`GR2`).
    pub subcategory: String,
    /// `kr:ElectionDomain`: its `Id` and name, when the 110a gives one.
    pub domain: Option<(Option<String>, String)>,
    /// The contest whose lists are on this municipality's ballot (`geen`, or a kieskring).
    pub contest_id: String,
    /// The lists with their candidates, by number.
    pub lists: Vec<PoliticalList>,
    /// The polling stations, by number.
    pub stations: Vec<PollingStation>,
}

impl ElectionInfo {
    /// What the terminal needs of a loaded election, for the municipality the 110b names.
    /// Refuses an election without polling stations or without lists.
    pub fn from_election(e: &tally_core::election::Election) -> Result<ElectionInfo, String> {
        let ps = e
            .polling_stations
            .as_ref()
            .ok_or_else(|| "de definitie bevat geen stembureaulijst (110b)".to_string())?;
        let contest = e
            .contests
            .first()
            .ok_or_else(|| "de definitie bevat geen kandidatenlijsten (230b)".to_string())?;
        if ps.stations.is_empty() {
            return Err("de stembureaulijst (110b) bevat geen stembureaus".into());
        }
        Ok(ElectionInfo {
            id: e.id.0.clone(),
            name: e.name.clone(),
            date: e.date.to_string(),
            category: e.category,
            municipality_code: ps.municipality.0.clone(),
            municipality_name: ps.municipality_name.clone(),
            seats: e.number_of_seats,
            subcategory: e.subcategory.to_string(),
            domain: e.domain.as_ref().map(|d| (d.id.clone(), d.name.clone())),
            contest_id: contest.id.0.clone(),
            lists: contest.lists.clone(),
            stations: ps.stations.clone(),
        })
    }

    /// The number of candidates on all lists.
    pub fn candidate_count(&self) -> usize {
        self.lists.iter().map(|l| l.candidates.len()).sum()
    }
}

use tally_core::entry::{EntryShape, ExplanationKind};
pub use tally_core::entry::{FieldId, FieldValue};

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

impl Block {
    /// The block's title.
    pub fn title(&self, lang: Lang) -> String {
        match self {
            Block::Voters => Msg::BlockVoters.text(lang).into(),
            Block::Votes => Msg::BlockVotes.text(lang).into(),
            Block::Differences => Msg::BlockDifferences.text(lang).into(),
            Block::List { number, name } => Msg::BlockList.fill(lang, &[&number.to_string(), name]),
        }
    }
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
    pub fn label(&self, id: FieldId, lang: Lang) -> String {
        let m = |m: Msg| m.text(lang).to_string();
        match id {
            FieldId::PollCards => m(Msg::FieldA),
            FieldId::ProxyCertificates => m(Msg::FieldB),
            FieldId::VoterCards => m(Msg::FieldC),
            FieldId::AdmittedVoters => m(Msg::FieldD),
            FieldId::ListVotes(l) => {
                let name = self
                    .lists
                    .iter()
                    .find(|x| x.number == l)
                    .map(|x| x.name.as_str())
                    .unwrap_or("");
                format!(
                    "{} {name}",
                    Msg::FieldListVotes.fill(lang, &[&l.to_string()])
                )
            }
            FieldId::VotesOnCandidates => m(Msg::FieldE),
            FieldId::BlankVotes => m(Msg::FieldF),
            FieldId::InvalidVotes => m(Msg::FieldG),
            FieldId::VotesCast => m(Msg::FieldH),
            FieldId::MoreBallotsCounted => m(Msg::FieldI),
            FieldId::FewerBallotsCounted => m(Msg::FieldJ),
            FieldId::AdmittedEqualsCast => m(Msg::FieldDhEqual),
            FieldId::CastGreaterThanAdmitted => m(Msg::FieldDhGreater),
            FieldId::CastSmallerThanAdmitted => m(Msg::FieldDhSmaller),
            FieldId::DifferenceExplainedYes => m(Msg::FieldExplainedYes),
            FieldId::DifferenceExplainedNo => m(Msg::FieldExplainedNo),
            FieldId::Explanation(k) => m(match k {
                ExplanationKind::TakenAway => Msg::FieldK,
                ExplanationKind::TooFewHandedOut => Msg::FieldL,
                ExplanationKind::TooManyHandedOut => Msg::FieldM,
                ExplanationKind::OtherExplanation => Msg::FieldN,
                ExplanationKind::NoExplanation => Msg::FieldO,
            }),
            FieldId::CandidateVotes(l, c) => self
                .candidate(l.0, c.0)
                .map(candidate_name)
                .unwrap_or_default(),
            FieldId::ListTotal(_) => m(Msg::FieldListTotal),
        }
    }

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

/// "Hekking, T. (Tjolk)" style name of a candidate.
pub fn candidate_name(c: &Candidate) -> String {
    let mut s = String::new();
    s.push_str(&c.last_name);
    s.push_str(", ");
    s.push_str(&c.initials);
    if let Some(p) = &c.prefix {
        s.push(' ');
        s.push_str(p);
    }
    if let Some(f) = &c.first_name {
        s.push_str(" (");
        s.push_str(f);
        s.push(')');
    }
    s
}
