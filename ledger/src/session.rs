//! The sessions (zittingen) of a municipal electoral committee (GSB): the first, in which
//! every polling station is entered and the 510b exported, and each next session
//! ("volgende zitting", Kieswet N 15 and P 2a) opened after an export to investigate polling
//! stations at the central committee's request (or the GSB's own), recount where needed and
//! correct the result by a new double entry. `docs/next-session.md`.
//!
//! This module holds what a session records beside the double entry; the records that change
//! it are the GSB's journal records ([`crate::municipal::Record`]), so a restart replays them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tally_core::entry::PollingStationEntry;
use tally_core::people::PersonId;

/// Why a polling station is investigated: the core's EML_NL reason codes. A GSB asks for
/// the reasons of decentral counting ([`GSB_REASONS`]); "uitslag gecorrigeerd" follows from
/// the conclusion.
pub use tally_core::corrigendum::InvestigationReason;

/// The reasons a GSB records an investigation for, in the order the screen offers them.
pub const GSB_REASONS: [InvestigationReason; 2] = [
    InvestigationReason::UnexplainedDifference,
    InvestigationReason::OtherError,
];

/// What the committee concluded of an investigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conclusion {
    /// The findings, as the committee wrote them on the corrigendum (Na 14-1 version 2).
    pub findings: String,
    /// Whether the ballots were recounted.
    pub recounted: bool,
    /// Whether the result changed: the station is then entered again, twice.
    pub corrected: bool,
}

/// One investigation of a polling station in a next session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Investigation {
    /// Why.
    pub reason: InvestigationReason,
    /// What the central committee (or the GSB itself) asked to be investigated.
    pub instruction: String,
    /// Who recorded the request.
    pub requested_by: PersonId,
    /// The conclusion, once recorded.
    pub conclusion: Option<Conclusion>,
    /// Who recorded the conclusion.
    pub concluded_by: Option<PersonId>,
}

/// A line of a session's report besides the investigations: a member of the committee who
/// was there (with times), an objection ("bezwaar") or a remark, as the report lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SessionNote {
    /// A member of the committee present.
    Attendance {
        /// The member's name.
        member: String,
        /// From (as written: `19:30`).
        from: String,
        /// Until (as written).
        until: String,
    },
    /// An objection made during the session.
    Objection {
        /// As written down.
        text: String,
    },
    /// A remark.
    Remark {
        /// As written down.
        text: String,
    },
}

impl SessionNote {
    /// The texts of the note, with what each is (for checking their length).
    pub fn texts(&self) -> Vec<(&'static str, &str)> {
        match self {
            SessionNote::Attendance {
                member,
                from,
                until,
            } => vec![("the member", member), ("from", from), ("until", until)],
            SessionNote::Objection { text } => vec![("the objection", text)],
            SessionNote::Remark { text } => vec![("the remark", text)],
        }
    }
}

/// A session that has ended with an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedSession {
    /// Its number: 1 for the first session.
    pub number: u32,
    /// Its export: where, and the SHA-256 (hex) of its 510b.
    pub exported: (String, String),
    /// Its investigations (none in the first session).
    pub investigations: BTreeMap<u32, Investigation>,
    /// Its attendance, objections and remarks.
    pub notes: Vec<SessionNote>,
}

/// The sessions so far: the ones closed, and the one open now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sessions {
    /// The sessions that ended with an export, in order.
    pub closed: Vec<ClosedSession>,
    /// The investigations of the session open now, by polling station.
    pub investigations: BTreeMap<u32, Investigation>,
    /// The definitive result of each station corrected in this session, as the session
    /// before had it: shown beside the new numbers, and the previous values of the
    /// corrigendum.
    pub previous: BTreeMap<u32, PollingStationEntry>,
    /// The attendance, objections and remarks of the session open now.
    pub notes: Vec<SessionNote>,
    /// The first session's result of every station corrected since: the previous values
    /// of a corrigendum are always the first session's (EML_NL 1.3, `docs/eml-nl-1.3.md`).
    pub first: BTreeMap<u32, PollingStationEntry>,
}

impl Sessions {
    /// The number of the session open now: 1 for the first.
    pub fn number(&self) -> u32 {
        u32::try_from(self.closed.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1)
    }

    /// Whether this is a next session (after an export).
    pub fn is_next(&self) -> bool {
        !self.closed.is_empty()
    }

    /// Every station investigated since the first session, with the reason of its latest
    /// investigation: what a corrigendum, which always compares with the first session,
    /// reports per unit.
    pub fn investigated(&self) -> BTreeMap<u32, InvestigationReason> {
        self.closed
            .iter()
            .map(|c| &c.investigations)
            .chain([&self.investigations])
            .flat_map(|i| i.iter().map(|(n, i)| (*n, i.reason)))
            .collect()
    }

    /// The stations whose investigation has no conclusion yet.
    pub fn open_investigations(&self) -> Vec<u32> {
        self.investigations
            .iter()
            .filter(|(_, i)| i.conclusion.is_none())
            .map(|(s, _)| *s)
            .collect()
    }
}

/// What a session's signed result carries besides the numbers.
impl crate::municipal::Tally {
    /// The files of the municipality's signed result made at `created`: the 510b of the
    /// definitive entries with the session's report (attendance, objections, remarks and
    /// the coordinator's decisions) and CSV; in a next session (`replaces`: the 510b the
    /// session before exported) the corrigendum, with every station investigated since the
    /// first session and this session's investigations for its papers (P 2a, Na 14-2).
    ///
    /// # Errors
    /// No election or entries, or a file that cannot be made.
    pub fn export_files(
        &self,
        municipality: &tally_export::Municipality<'_>,
        replaces: Option<tally_core::hashcode::Sha256Digest>,
        created: &tally_export::Created,
    ) -> Result<Vec<tally_export::ExportFile>, tally_export::ExportError> {
        use tally_export::{ExportError, InvestigationLine, NextSession, Present, Proceedings};
        let (Some(loaded), Some(data)) = (&self.election, &self.data_entry) else {
            return Err(ExportError::Incomplete);
        };
        let sessions = &self.sessions;
        let present: Vec<Present<'_>> = sessions
            .notes
            .iter()
            .filter_map(|n| match n {
                SessionNote::Attendance {
                    member,
                    from,
                    until,
                } => Some(Present {
                    member,
                    from,
                    until,
                }),
                _ => None,
            })
            .collect();
        let texts = |objection: bool| -> Vec<&str> {
            sessions
                .notes
                .iter()
                .filter_map(|n| match (n, objection) {
                    (SessionNote::Objection { text }, true)
                    | (SessionNote::Remark { text }, false) => Some(text.as_str()),
                    _ => None,
                })
                .collect()
        };
        let (objections, remarks) = (texts(true), texts(false));
        let proceedings = Proceedings {
            decisions: Vec::new(),
            present: &present,
            objections: &objections,
            remarks: &remarks,
        };
        let Some(replaces) = replaces else {
            return tally_export::municipal_with(municipality, proceedings, data, created);
        };
        let investigations: Vec<_> = sessions.investigated().into_iter().collect();
        let station_name = |n: u32| {
            loaded
                .info
                .stations
                .iter()
                .find(|s| s.number.0 == n)
                .map_or("", |s| s.name.as_str())
        };
        let lines: Vec<InvestigationLine<'_>> = sessions
            .investigations
            .iter()
            .filter_map(|(n, i)| {
                let c = i.conclusion.as_ref()?;
                Some(InvestigationLine {
                    station: *n,
                    station_name: station_name(*n),
                    reason: i.reason.eml_value(),
                    instruction: &i.instruction,
                    findings: &c.findings,
                    recounted: c.recounted,
                    corrected: c.corrected,
                })
            })
            .collect();
        let next = NextSession {
            first: &sessions.first,
            investigations: &investigations,
            session: sessions.number(),
            lines: &lines,
            replaces,
        };
        tally_export::municipal_corrigendum(municipality, proceedings, &next, data, created)
    }
}
