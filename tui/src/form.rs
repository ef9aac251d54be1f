//! The paper report of one polling station (model N 10-1) as the terminal lays it out:
//! the voters block (A-D), the votes block (E.x, E, F, G, H), the differences block
//! (I, J, explanation), then list by list the candidates' votes and the list total.

use std::sync::Arc;

use tally_core::election::{
    BallotContestError, Candidate, Contest, Election, ElectionCategory, PoliticalList,
    PollingStation,
};
use tally_core::ids::{ContestId, ElectionId, MunicipalityCode};

use crate::services::Refusal;
use crate::text::{Lang, Msg};

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

impl ElectionInfoError {
    /// The error in the catalogue's words.
    pub fn refusal(&self) -> Refusal {
        let refused = |inner: Refusal| Refusal::said(Msg::MediumRefused, vec![inner.into()]);
        match self {
            ElectionInfoError::NoStationList => Refusal::with(Msg::Missing110b, &[], ""),
            ElectionInfoError::NoStations => refused(Refusal::with(Msg::NoStations110b, &[], "")),
            ElectionInfoError::Contest { code, name, reason } => match reason.as_ref() {
                BallotContestError::NoCandidateLists => Refusal::with(Msg::Missing230b, &[], ""),
                BallotContestError::KieskringListsMissing {
                    kieskring,
                    kieskring_name,
                    on_medium,
                    ..
                } => refused(Refusal::with(
                    Msg::KieskringListsMissing,
                    &[
                        name,
                        &code.0,
                        &kieskring.to_string(),
                        kieskring_name,
                        &ids(on_medium),
                    ],
                    "",
                )),
                BallotContestError::Ambiguous { on_medium, .. } => refused(Refusal::with(
                    Msg::KieskringAmbiguous,
                    &[name, &code.0, &ids(on_medium)],
                    "",
                )),
            },
        }
    }
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

fn ids(contests: &[ContestId]) -> String {
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
                .map(Candidate::display_name)
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

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use tally_core::eml::definition::{SourceFile, load_election};

    fn shared(path: &str) -> Vec<u8> {
        let p = format!("{}/../../shared/eml/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    /// A 110b of the Tweede Kamer 2025 for one municipality: no real 110b is published, so
    /// the Juinen one is given TK2025's identity and the municipality's code and name.
    fn tk2025_110b(code: &str, name: &str) -> Vec<u8> {
        let juinen =
            String::from_utf8(shared("synthetic/eml110b_stembureaulijst-juinen.eml.xml")).unwrap();
        juinen
            .replace(
                "<ElectionIdentifier Id=\"GR2025_Juinen\">",
                "<ElectionIdentifier Id=\"TK2025\">",
            )
            .replace(
                "<ElectionName>Gemeenteraad 2025 Juinen</ElectionName>",
                "<ElectionName>Tweede Kamer der Staten-Generaal 2025</ElectionName>",
            )
            .replace(
                "<ElectionCategory>GR</ElectionCategory>",
                "<ElectionCategory>TK</ElectionCategory>",
            )
            .replace(
                "<kr:ElectionSubcategory>GR2</kr:ElectionSubcategory>",
                "<kr:ElectionSubcategory>TK</kr:ElectionSubcategory>",
            )
            .replace(
                "<kr:ElectionDate>2025-08-29</kr:ElectionDate>",
                "<kr:ElectionDate>2025-10-29</kr:ElectionDate>",
            )
            .replace("Id=\"0042\">Juinen<", &format!("Id=\"{code}\">{name}<"))
            .into_bytes()
    }

    /// The TK2025 definition with the 230b files of `kieskringen` (in this order) and the
    /// 110b of municipality `code`.
    pub(crate) fn tk2025(kieskringen: &[&str], code: &str, name: &str) -> Election {
        let a = shared("real/Verkiezingsdefinitie_TK2025.eml.xml");
        let lists: Vec<(String, Vec<u8>)> = kieskringen
            .iter()
            .map(|k| {
                let n = format!("Kandidatenlijsten_TK2025_{k}.eml.xml");
                let bytes = shared(&format!("real/{n}"));
                (n, bytes)
            })
            .collect();
        let b = tk2025_110b(code, name);
        let files: Vec<SourceFile> = lists
            .iter()
            .map(|(n, bytes)| SourceFile::new(n, bytes))
            .collect();
        load_election(
            &SourceFile::new("Verkiezingsdefinitie_TK2025.eml.xml", &a),
            &files,
            Some(&SourceFile::new("stembureaus.eml.xml", &b)),
        )
        .unwrap()
    }

    #[test]
    fn the_municipalitys_kieskring_gives_the_contest_not_the_first() {
        // West Maas en Waal (0668) is in kieskring 6 Nijmegen (24 lists); Haarlem's 230b
        // (kieskring 10, 23 lists) comes first on the medium.
        for order in [["Haarlem", "Nijmegen"], ["Nijmegen", "Haarlem"]] {
            let e = tk2025(&order, "0668", "West Maas en Waal");
            let info = ElectionInfo::from_election(&e).unwrap();
            assert_eq!(info.contest_id.0, "6", "{order:?}");
            assert_eq!(info.contest_name.as_deref(), Some("Kieskring 6 Nijmegen"));
            assert_eq!(info.lists.len(), 24);
            assert_eq!(info.municipality_code.0, "0668");
            assert!(info.category.has_voter_cards());
        }
        // Haarlem (0392) is in kieskring 10.
        let e = tk2025(&["Nijmegen", "Haarlem"], "0392", "Haarlem");
        let info = ElectionInfo::from_election(&e).unwrap();
        assert_eq!(info.contest_id.0, "10");
        assert_eq!(info.lists.len(), 23);
    }

    #[test]
    fn a_medium_without_the_municipalitys_kieskring_is_refused() {
        let e = tk2025(&["Haarlem"], "0668", "West Maas en Waal");
        let err = ElectionInfo::from_election(&e).unwrap_err().refusal();
        let nl = err.text(Lang::Nl);
        assert!(
            nl.contains("kieskring 6 Nijmegen") && nl.contains("kieskring 10"),
            "{nl}"
        );
        let en = err.text(Lang::En);
        assert!(en.contains("kieskring 6 Nijmegen"), "{en}");
    }

    #[test]
    fn without_the_tree_one_contest_is_taken_and_several_are_refused() {
        let code = MunicipalityCode("0668".into());
        let mut e = tk2025(&["Haarlem", "Nijmegen"], "0668", "West Maas en Waal");
        e.regions
            .retain(|r| r.municipality_code() != Some(code.clone()));
        let err = ElectionInfo::from_election(&e)
            .unwrap_err()
            .refusal()
            .text(Lang::Nl);
        assert!(
            err.contains("niet te bepalen") && err.contains("10, 6"),
            "{err}"
        );
        e.contests.retain(|c| c.id.0 == "10");
        assert_eq!(ElectionInfo::from_election(&e).unwrap().contest_id.0, "10");
    }

    #[test]
    fn a_municipal_election_has_its_one_contest() {
        let a = shared("synthetic/eml110a_verkiezingsdefinitie-juinen.eml.xml");
        let l = shared("synthetic/eml230b_kandidatenlijsten-juinen.eml.xml");
        let b = shared("synthetic/eml110b_stembureaulijst-juinen.eml.xml");
        let e = load_election(
            &SourceFile::new("a", &a),
            &[SourceFile::new("l", &l)],
            Some(&SourceFile::new("b", &b)),
        )
        .unwrap();
        let info = ElectionInfo::from_election(&e).unwrap();
        assert_eq!(info.contest_id.0, "geen");
        assert_eq!(info.contest_name, None);
    }
}
