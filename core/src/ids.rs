//! Typed identifiers, so that a list number can never be passed where a candidate
//! position or a polling-station number is meant.

use std::fmt;

macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

number_id!(
    /// The number of a list (an "affiliation" in EML), from 1, as printed on the ballot.
    ListNumber
);
number_id!(
    /// A candidate's position on its list, from 1.
    CandidatePosition
);
number_id!(
    /// The number of a polling station within its municipality (`SB1` has number 1).
    PollingStationNumber
);

/// The identifier of an election, such as `TK2021` or `GR2022_WestMaasenWaal`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ElectionId(pub String);

impl fmt::Display for ElectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A municipality's four-digit CBS code, such as `0668` (West Maas en Waal).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct MunicipalityCode(pub String);

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A contest (kieskring) identifier as used in 230b and 510 files: `1`..`20` for the
/// Tweede Kamer, `geen` for elections without kieskringen, `alle` for a national total.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ContestId(pub String);

impl fmt::Display for ContestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The identifier of a reporting unit in a 510: `0668::SB1` (a polling station),
/// `0668` (a municipality), `HSB6` (a kieskring's principal committee).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ReportingUnitId(pub String);

impl fmt::Display for ReportingUnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
