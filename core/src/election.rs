//! The validated election: one 110a definition, its 230b candidate lists, and optionally
//! a 110b polling-station list, checked against each other.
//!
//! Loading lives in [`crate::eml`]; this module holds the domain types only.

use crate::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, MunicipalityCode, PollingStationNumber};

/// Election category as in `ElectionCategory` (EML_NL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElectionCategory {
    /// Tweede Kamer (House of Representatives), 150 seats.
    TK,
    /// Eerste Kamer (Senate).
    EK,
    /// European Parliament.
    EP,
    /// Provinciale Staten (provincial council).
    PS,
    /// Algemeen Bestuur (water board).
    AB,
    /// Gemeenteraad (municipal council).
    GR,
    /// Eilandsraad (island council, Caribbean Netherlands).
    ER,
    /// Kiescollege (electoral college).
    NR,
}

impl ElectionCategory {
    /// Whether field C (valid voter cards, "kiezerspassen") exists on the paper report.
    /// Voter cards are not used in municipal council elections.
    pub fn has_voter_cards(self) -> bool {
        !matches!(self, ElectionCategory::GR)
    }
}

/// A candidate on a list (230b).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Position on the list, from 1.
    pub position: CandidatePosition,
    /// Initials ("T.").
    pub initials: String,
    /// First name, when published.
    pub first_name: Option<String>,
    /// Name prefix ("van der"), when any.
    pub prefix: Option<String>,
    /// Last name.
    pub last_name: String,
    /// Place of residence, when published.
    pub locality: Option<String>,
    /// Gender as in the 230b, when published ("male", "female", ...).
    pub gender: Option<String>,
    /// `ShortCode`, when the 230b gives one (TK files do).
    pub short_code: Option<String>,
}

/// A list ("affiliation") with its candidates, in one contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoliticalList {
    /// The list's number, from 1.
    pub number: ListNumber,
    /// The registered name (may be empty for a list without appellation).
    pub name: String,
    /// The candidates in list order.
    pub candidates: Vec<Candidate>,
}

/// One contest of a 230b: the lists as submitted in one kieskring (or `geen`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contest {
    /// `1`..`20` for a kieskring, `geen` where the election has none.
    pub id: ContestId,
    /// The kieskring's name, when given.
    pub name: Option<String>,
    /// The lists, ordered by number.
    pub lists: Vec<PoliticalList>,
}

/// A polling station (110b).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollingStation {
    /// Its number within the municipality.
    pub number: PollingStationNumber,
    /// Its name or location.
    pub name: String,
    /// Postcode, when given.
    pub postcode: Option<String>,
    /// Eligible voters, when given.
    pub eligible_voters: Option<u64>,
}
