//! The EML_NL names this crate reads and writes beyond the 1.2.2 core of a 510, in one
//! place: the schema version, the count's phase and counting method, the investigations
//! per reporting unit and the previous values of a corrigendum, with their codes.
//!
//! EML_NL 1.3.1 (what the Electoral Council's `eml-nl` 0.8.1 reads and writes) names a
//! corrected number's earlier value `kr:Previous*`; the Electoral Council's schemas of
//! June 2026 (the next version) name it `kr:Initial*`. Which name a file gets is decided
//! here only, by [`previous_name`] from the file's [`EmlVersion`]; see
//! `docs/eml-nl-1.3.md` for when the `Initial*` names are followed.

/// The EML_NL version of a document: `kr:Schema Version`, absent in 1.2.2 files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum EmlVersion {
    /// EML_NL 1.2.2: no `kr:Schema` element (every file of the Electoral Council so far).
    #[default]
    V1_2_2,
    /// EML_NL 1.3.
    V1_3,
    /// EML_NL 1.3.1: phase, counting method, investigations and `kr:Previous*` values.
    V1_3_1,
}

impl EmlVersion {
    /// The `Version` attribute of `kr:Schema`, or `None` for 1.2.2 (no element).
    pub fn schema_value(self) -> Option<&'static str> {
        match self {
            EmlVersion::V1_2_2 => None,
            EmlVersion::V1_3 => Some("1.3"),
            EmlVersion::V1_3_1 => Some("1.3.1"),
        }
    }

    /// The version a `kr:Schema Version` value names, or `None` when unknown.
    pub fn from_schema_value(s: &str) -> Option<EmlVersion> {
        match s {
            "1.3" => Some(EmlVersion::V1_3),
            "1.3.1" => Some(EmlVersion::V1_3_1),
            _ => None,
        }
    }

    /// Whether the version has `kr:Phase`, `kr:CountingMethod` and `kr:SharedLocation`.
    pub fn has_phase(self) -> bool {
        self >= EmlVersion::V1_3
    }

    /// Whether the version has the previous values of a corrigendum.
    pub fn has_previous_values(self) -> bool {
        self >= EmlVersion::V1_3_1
    }

    /// eml-nl's version.
    pub(crate) fn to_eml_nl(self) -> eml_nl::EMLVersion {
        match self {
            EmlVersion::V1_2_2 => eml_nl::EMLVersion::V1_2_2,
            EmlVersion::V1_3 => eml_nl::EMLVersion::V1_3,
            EmlVersion::V1_3_1 => eml_nl::EMLVersion::V1_3_1,
        }
    }

    /// From eml-nl's version.
    pub(crate) fn from_eml_nl(v: eml_nl::EMLVersion) -> EmlVersion {
        match v {
            eml_nl::EMLVersion::V1_2_2 => EmlVersion::V1_2_2,
            eml_nl::EMLVersion::V1_3 => EmlVersion::V1_3,
            eml_nl::EMLVersion::V1_3_1 => EmlVersion::V1_3_1,
        }
    }
}

impl std::fmt::Display for EmlVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.schema_value().unwrap_or("1.2.2"))
    }
}

/// `kr:Schema` (attribute `Version`), the first child of `EML` after `ManagingAuthority`.
pub const SCHEMA: &str = "Schema";
/// The attribute of [`SCHEMA`].
pub const SCHEMA_VERSION_ATTR: &str = "Version";
/// `kr:Phase` (attribute `PhaseCode`), in `Count` after `EventIdentifier`.
pub const PHASE: &str = "Phase";
/// The attribute of [`PHASE`].
pub const PHASE_CODE_ATTR: &str = "PhaseCode";
/// `kr:CountingMethod` (attribute `MethodCode`), the first child of `Count`.
pub const COUNTING_METHOD: &str = "CountingMethod";
/// The attribute of [`COUNTING_METHOD`].
pub const METHOD_CODE_ATTR: &str = "MethodCode";
/// `kr:ReportingUnitInvestigations`, the last child of a `ReportingUnitVotes`.
pub const REPORTING_UNIT_INVESTIGATIONS: &str = "ReportingUnitInvestigations";
/// `kr:Investigation` (attribute `ReasonCode`, text `true`/`false`).
pub const INVESTIGATION: &str = "Investigation";

/// `PhaseCode` of a first session.
pub const PHASE_FIRST_SESSION: &str = "eerste zitting";
/// `PhaseCode` of a corrigendum.
pub const PHASE_CORRIGENDUM: &str = "corrigendum";
/// `MethodCode` of decentral counting (the polling stations count the votes).
pub const METHOD_DECENTRAL: &str = "decentrale stemopneming";
/// `MethodCode` of central counting (the municipality counts the votes centrally).
pub const METHOD_CENTRAL: &str = "centrale stemopneming";

/// The `kr:Investigation` reason codes in schema order: three of decentral counting
/// (DSO), then three of central counting (CSO).
pub const INVESTIGATION_REASONS: [&str; 6] = [
    "onderzocht vanwege onverklaard verschil",
    "onderzocht vanwege andere fout",
    "uitslag gecorrigeerd",
    "toegelaten kiezers opnieuw vastgesteld",
    "onderzocht vanwege andere reden",
    "stembiljetten deels herteld",
];

/// The numbers of a vote-count element that a corrigendum gives a previous value of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviousOf {
    /// `ValidVotes` of a `Selection` (list or candidate).
    ValidVotes,
    /// `Cast`.
    Cast,
    /// `TotalCounted`.
    TotalCounted,
    /// `RejectedVotes` (per `ReasonCode`).
    RejectedVotes,
    /// `UncountedVotes` (per `ReasonCode`).
    UncountedVotes,
}

impl PreviousOf {
    /// Every kind.
    pub const ALL: [PreviousOf; 5] = [
        PreviousOf::ValidVotes,
        PreviousOf::Cast,
        PreviousOf::TotalCounted,
        PreviousOf::RejectedVotes,
        PreviousOf::UncountedVotes,
    ];
}

/// The local name (namespace `kr`) of the previous value of `of` in a file of `version`:
/// `PreviousValidVotes`, `PreviousCast`, ... in EML_NL 1.3.1, as eml-nl 0.8.1 writes them.
/// `None` where the version has no previous values (1.2.2, 1.3).
pub fn previous_name(of: PreviousOf, version: EmlVersion) -> Option<&'static str> {
    if !version.has_previous_values() {
        return None;
    }
    Some(match of {
        PreviousOf::ValidVotes => "PreviousValidVotes",
        PreviousOf::Cast => "PreviousCast",
        PreviousOf::TotalCounted => "PreviousTotalCounted",
        PreviousOf::RejectedVotes => "PreviousRejectedVotes",
        PreviousOf::UncountedVotes => "PreviousUncountedVotes",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_round_trip_and_previous_names_follow_1_3_1() {
        for v in [EmlVersion::V1_2_2, EmlVersion::V1_3, EmlVersion::V1_3_1] {
            assert_eq!(EmlVersion::from_eml_nl(v.to_eml_nl()), v);
            if let Some(s) = v.schema_value() {
                assert_eq!(EmlVersion::from_schema_value(s), Some(v));
            }
        }
        assert_eq!(
            previous_name(PreviousOf::Cast, EmlVersion::V1_3_1),
            Some("PreviousCast")
        );
        assert_eq!(previous_name(PreviousOf::Cast, EmlVersion::V1_3), None);
        assert_eq!(previous_name(PreviousOf::Cast, EmlVersion::V1_2_2), None);
        // The names are eml-nl's: each kind's name is the one its reader accepts.
        assert_eq!(
            PreviousOf::ALL.map(|p| previous_name(p, EmlVersion::V1_3_1)),
            [
                Some("PreviousValidVotes"),
                Some("PreviousCast"),
                Some("PreviousTotalCounted"),
                Some("PreviousRejectedVotes"),
                Some("PreviousUncountedVotes"),
            ]
        );
    }
}
