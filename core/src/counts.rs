//! Counts as they travel in a 510 (b, c or d): per reporting unit and in total.
//!
//! These are the numbers of a whole reporting unit, at any level. What a typist enters for
//! one polling station (with the totals as printed on paper) is a different type, in the
//! entry module; it becomes a [`VoteCounts`] once it is definitive.

use crate::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, ReportingUnitId};

/// A number of votes, ballots or voters. Always an integer; sums use checked arithmetic.
pub type Count = u64;

/// How a candidate is identified in a count file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CandidateRef {
    /// By position on the list (`CandidateIdentifier Id`), as in every 510b and 510c.
    Position(CandidatePosition),
    /// By `ShortCode` only, as in the national `TotalVotes` of a Tweede Kamer 510d.
    ShortCode(String),
}

/// The votes of one list in one reporting unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListVotes {
    /// The list's number.
    pub list: ListNumber,
    /// E.x: total votes on the list (the list `Selection`'s `ValidVotes`).
    pub total: Count,
    /// The votes of each candidate of the list, in file order.
    pub candidates: Vec<(CandidateRef, Count)>,
}

/// The `UncountedVotes` of a 510: admitted voters and the explained differences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoterCounts {
    /// A: valid poll cards ("geldige stempassen").
    pub poll_cards: Option<Count>,
    /// B: valid proxy certificates ("geldige volmachtbewijzen").
    pub proxy_certificates: Option<Count>,
    /// C: valid voter cards ("geldige kiezerspassen"); absent in municipal council elections.
    pub voter_cards: Option<Count>,
    /// D: admitted voters ("toegelaten kiezers").
    pub admitted_voters: Option<Count>,
    /// I: more ballots counted than admitted voters ("meer getelde stembiljetten").
    pub more_ballots_counted: Option<Count>,
    /// J: fewer ballots counted than admitted voters ("minder getelde stembiljetten").
    pub fewer_ballots_counted: Option<Count>,
    /// Every other `UncountedVotes` reason (explanation codes such as "geen verklaring"),
    /// with its count, in file order.
    pub other: Vec<(String, Count)>,
}

/// All counts of one reporting unit (or of the whole file, its `TotalVotes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteCounts {
    /// `Cast`: the number of eligible voters (0 where unknown).
    pub cast: Count,
    /// The lists in file order, each with its candidates.
    pub lists: Vec<ListVotes>,
    /// E: total votes on candidates (`TotalCounted`).
    pub total_counted: Count,
    /// F: blank votes (`RejectedVotes` "blanco").
    pub blank: Count,
    /// G: invalid votes (`RejectedVotes` "ongeldig").
    pub invalid: Count,
    /// A, B, C, D, I, J and the explanation codes.
    pub voters: VoterCounts,
}

/// One reporting unit of a 510 and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportingUnitCounts {
    /// `0668::SB1`, `0668`, `HSB6`, ...
    pub id: ReportingUnitId,
    /// The unit's name as in the file.
    pub name: String,
    /// Its counts.
    pub counts: VoteCounts,
}

/// Which 510 this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountLevel {
    /// 510b: a municipality's count, one reporting unit per polling station.
    Municipality,
    /// 510c: a kieskring's count, one reporting unit per municipality.
    District,
    /// 510d: the total count, one reporting unit per kieskring (or per municipality).
    Total,
}
