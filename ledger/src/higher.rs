//! The lasting facts of a principal (HSB) or central (CSB) electoral committee: the journal
//! records, the [`Ledger`] they build, the seat apportionment computed from it, and the
//! files of the export.
//!
//! Every decision is a [`Record`]; the ledger changes only by applying one, and the runner
//! writes the record to the journal before it replaces the ledger. Imported files are kept
//! in the data directory by their SHA-256 (the record names the hash, not the bytes), so
//! replaying the journal rebuilds the same [`Aggregation`].

use crate::persist::{KeptFile, RecordLine};
use serde::{Deserialize, Serialize};
pub use tally_core::aggregate::outcome::{Computation, ComputedResult, ListOutcome};
use tally_core::aggregate::outcome::{
    DeceasedCandidate, DeceasedRef, Decisions, OutcomeError, SeatRules, compute_result_with,
};
use tally_core::aggregate::{
    AggregateError, Aggregation, AggregationLevel, ImportError, ImportOutcome, TotalMeta,
};
use tally_core::apportionment::{
    CandidateDrawing, CandidateError, CandidateLot, GroupDrawing, GroupDrawn, GroupLot,
    SeatDrawing, SeatLot,
};
use tally_core::counts::CountFile;
use tally_core::election::{Candidate, Election, PoliticalList};
use tally_core::eml::count::{CountReadError, read_count_from};
use tally_core::hashcode::Sha256Digest;
use tally_core::ids::{CandidatePosition, ContestId, ListNumber};
use tally_core::people::{PersonId, RegistryError};

use crate::people::{People, PeopleRecord};

/// A verified election definition for a higher level (110a and the 230b files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The election.
    pub election: Election,
    /// Which level this appliance is.
    pub level: AggregationLevel,
    /// The body: `HSB1`, `CSB`.
    pub body_id: String,
    /// The body's name as printed ("Hoofdstembureau Groningen").
    pub body_name: String,
    /// Who signed the definition.
    pub signer: String,
    /// SHA-256 (hex) of the 110a, whose hash code is on the paper.
    pub sha256_110a: String,
    /// Each 230b file's name and SHA-256 (hex), whose hash codes are on the paper.
    pub lists_230b: Vec<(String, String)>,
    /// Every file with its SHA-256 (hex).
    pub files: Vec<(String, String)>,
    /// The 230b files as verified (for the osv4-3 CSV of the export).
    pub list_files: ListFiles,
}

/// The verified 230b files' names and bytes, shared (the definition is cloned with the
/// state); shown by name only.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ListFiles(pub std::sync::Arc<Vec<(String, Vec<u8>)>>);

impl std::fmt::Debug for ListFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| n))
            .finish()
    }
}

/// The body a higher terminal counts for, as its certificate says.
#[derive(Debug, Clone, Copy)]
pub struct BodyOf<'a> {
    /// `HSB` or `CSB`.
    pub role: &'a str,
    /// `HSB1`, `CSB`.
    pub identifier: &'a str,
    /// Its name ("Groningen").
    pub name: &'a str,
    /// The election it is for.
    pub election: &'a str,
}

impl Definition {
    /// The definition of the HSB or CSB `body` from a verified medium's `files` (name, bytes,
    /// SHA-256 hex) signed by `signer` (as shown).
    ///
    /// # Errors
    /// The files are not one 110a and 230b files read as one election, the election is not
    /// the certificate's, or the election tree gives no level or bodies for this body.
    pub fn from_medium(
        files: &[(&str, &[u8], String)],
        body: BodyOf<'_>,
        signer: String,
    ) -> Result<Definition, crate::medium::MediumError> {
        use crate::medium::MediumError;
        let named: Vec<(&str, &[u8])> = files.iter().map(|(n, b, _)| (*n, *b)).collect();
        let read = crate::medium::read(&named, false)?;
        if read.election.id.0 != body.election {
            return Err(MediumError::OtherElection {
                medium: read.election.id.0.clone(),
                body: body.election.to_owned(),
            });
        }
        let level = level_of(body.role, body.identifier, &read.election)?;
        let hashes = |i: &[usize]| -> Vec<(String, String)> {
            i.iter()
                .filter_map(|&i| files.get(i))
                .map(|(n, _, sha)| ((*n).to_owned(), sha.clone()))
                .collect()
        };
        let all: Vec<usize> = (0..files.len()).collect();
        let def = Definition {
            level,
            body_id: body.identifier.to_owned(),
            body_name: match body.role {
                "HSB" => format!("Hoofdstembureau {}", body.name),
                _ => format!("Centraal stembureau {}", body.name),
            },
            signer,
            sha256_110a: files
                .get(read.definition)
                .map(|(_, _, sha)| sha.clone())
                .unwrap_or_default(),
            lists_230b: hashes(&read.candidate_lists),
            files: hashes(&all),
            list_files: ListFiles(std::sync::Arc::new(
                read.candidate_lists
                    .iter()
                    .filter_map(|&i| files.get(i))
                    .map(|(n, b, _)| ((*n).to_owned(), b.to_vec()))
                    .collect(),
            )),
            election: read.election,
        };
        def.registry()?;
        Ok(def)
    }

    /// The import registry of this level, empty.
    ///
    /// # Errors
    /// The election tree does not give the bodies of this level.
    pub fn registry(&self) -> Result<Aggregation, AggregateError> {
        match self.level {
            AggregationLevel::District { kieskring } => {
                Aggregation::for_district(&self.election, kieskring)
            }
            AggregationLevel::Central => Aggregation::for_central(&self.election),
            AggregationLevel::MunicipalCentral => {
                Aggregation::for_municipal_council(&self.election)
            }
        }
    }

    /// The contest whose candidate lists name the candidates in reports and the 520.
    pub fn contest(&self) -> ContestId {
        match self.level {
            AggregationLevel::District { kieskring } => ContestId(kieskring.to_string()),
            AggregationLevel::MunicipalCentral => ContestId("geen".into()),
            AggregationLevel::Central => self
                .election
                .contests
                .first()
                .map(|c| c.id.clone())
                .unwrap_or_else(|| ContestId("1".into())),
        }
    }

    /// Whether this level apportions seats (a CSB).
    pub fn is_central(&self) -> bool {
        !matches!(self.level, AggregationLevel::District { .. })
    }

    /// The kind of the signed medium this level exports: a CSB's 510d and 520, an HSB's 510c.
    pub fn export_kind(&self) -> tally_signing::ContentKind {
        if self.is_central() {
            tally_signing::ContentKind::Results510d520
        } else {
            tally_signing::ContentKind::Results510c
        }
    }
}

/// The level of an appliance from its certificate's role and identifier: `HSB<n>` is the
/// HSB of kieskring `n`; `CSB` is the central committee (of a municipal council when the
/// election tree has no kieskringen).
///
/// # Errors
/// A role that does not aggregate (GSB, authority), or an HSB identifier without number.
pub fn level_of(
    role: &str,
    identifier: &str,
    election: &Election,
) -> Result<AggregationLevel, LevelError> {
    match role {
        "HSB" => identifier
            .strip_prefix("HSB")
            .and_then(|n| n.parse::<u32>().ok())
            .map(|kieskring| AggregationLevel::District { kieskring })
            .ok_or_else(|| LevelError::NotAnHsb(identifier.to_owned())),
        "CSB" => Ok(if election.kieskringen().next().is_some() {
            AggregationLevel::Central
        } else {
            AggregationLevel::MunicipalCentral
        }),
        other => Err(LevelError::DoesNotAggregate(other.to_owned())),
    }
}

/// Why a certificate is not a higher level's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LevelError {
    /// An HSB whose identifier has no kieskring number.
    #[error("{0} is not an HSB identifier (HSB and the kieskring's number)")]
    NotAnHsb(String),
    /// A role that adds up nothing.
    #[error("role {0} does not aggregate results")]
    DoesNotAggregate(String),
}

/// A file that was refused, for the overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedFile {
    /// The file's (or medium's) name.
    pub file_name: String,
    /// SHA-256 (hex) of the file, when it was read.
    pub sha256: String,
    /// The body it is for, when known and trustworthy.
    pub body: Option<String>,
    /// Why, in Dutch.
    pub nl: String,
    /// Why, in English.
    pub en: String,
}

/// One journal record: a decision of the committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// The definition was checked against the paper and accepted.
    DefinitionAccepted {
        /// Its files with their SHA-256 (hex).
        files: Vec<(String, String)>,
    },
    /// A verified file whose hash code matched the paper was offered to the registry: it
    /// is imported, or, for a body already in, proposed as a correction.
    Import {
        /// The file's name.
        file_name: String,
        /// SHA-256 (hex) of its bytes (kept in the data directory under this name).
        sha256: String,
        /// The signer, as shown.
        signer: String,
    },
    /// A file was refused; nothing imported.
    Refused(RefusedFile),
    /// The coordinator decided on the pending correction.
    CorrectionDecided {
        /// The body.
        body: String,
        /// `true`: the new file replaces the old one; `false`: the old one stays.
        accept: bool,
        /// The coordinator who decided (signed in with their PIN); `None` only in records
        /// made outside the terminal (tests, tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<PersonId>,
    },
    /// The outcome of a public drawing of lots between lists: the drawing exactly as the
    /// core's calculation asked for it, as data (not its wording), and the list drawn.
    SeatLot {
        /// The drawing and the list drawn.
        #[serde(flatten)]
        lot: SeatLot,
        /// The coordinator who decided (signed in with their PIN); `None` only in records
        /// made outside the terminal (tests, tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<PersonId>,
    },
    /// The outcome of a public drawing of lots between candidates of a list, as data.
    CandidateLot {
        /// The drawing and the candidate drawn.
        #[serde(flatten)]
        lot: CandidateLot,
        /// The coordinator who decided (signed in with their PIN); `None` only in records
        /// made outside the terminal (tests, tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<PersonId>,
    },
    /// The outcome of a public drawing of lots within a list group (a list that differs
    /// between kieskringen or is not in all of them: P 12, P 13, P 15, P 16), as data.
    GroupLot {
        /// The drawing and what was drawn.
        #[serde(flatten)]
        lot: GroupLot,
        /// The coordinator who decided (signed in with their PIN); `None` only in records
        /// made outside the terminal (tests, tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<PersonId>,
    },
    /// The central committee asked a municipality to investigate a polling station (Kieswet
    /// P 22a): recorded by its coordinator, printed in its report.
    InvestigationAsked {
        /// The municipality's code (`0042`).
        municipality: String,
        /// The polling station's number.
        station: u32,
        /// Why (a reason of decentral counting).
        reason: crate::session::InvestigationReason,
        /// What is to be investigated.
        instruction: String,
        /// The coordinator who decided (signed in with their PIN); `None` only in records
        /// made outside the terminal (tests, tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<PersonId>,
    },
    /// The central committee's coordinator marked a candidate as deceased (Kieswet P 19a):
    /// the candidate is passed over when the seats of the list are given to its candidates.
    Deceased {
        /// The list.
        list: ListNumber,
        /// The candidate's position on the list (on the list of `kieskring`, when given).
        candidate: CandidatePosition,
        /// For a list that differs between kieskringen (a Tweede Kamer list group): the
        /// kieskring whose list `candidate` is the position on. `None` for a list that is the
        /// same everywhere (and in journals from before this field).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kieskring: Option<u32>,
        /// When (milliseconds since 1970, stamped by the runner).
        at: i64,
        /// The coordinator who decided (signed in with their PIN); `None` only in records
        /// made outside the terminal (tests, tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<PersonId>,
    },
    /// A mark of [`Record::Deceased`] made in error was taken back; the candidate counts
    /// again.
    DeceasedUndone {
        /// The list.
        list: ListNumber,
        /// The candidate's position on the list (on the list of `kieskring`, when given).
        candidate: CandidatePosition,
        /// For a list that differs between kieskringen (a Tweede Kamer list group): the
        /// kieskring whose list `candidate` is the position on. `None` for a list that is the
        /// same everywhere (and in journals from before this field).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kieskring: Option<u32>,
        /// When (milliseconds since 1970, stamped by the runner).
        at: i64,
        /// The coordinator who decided (signed in with their PIN); `None` only in records
        /// made outside the terminal (tests, tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<PersonId>,
    },
    /// The signed result was written.
    Exported {
        /// Where.
        path: String,
        /// Its files with their SHA-256 (hex).
        files: Vec<(String, String)>,
        /// The coordinator who decided (signed in with their PIN); `None` only in records
        /// made outside the terminal (tests, tools).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<PersonId>,
    },
    /// A change to the people of the session, or a PIN typed.
    People(PeopleRecord),
}

impl Record {
    /// The coordinator a decision names, if the record is one and names one.
    pub fn by(&self) -> Option<PersonId> {
        match self {
            Record::CorrectionDecided { by, .. }
            | Record::SeatLot { by, .. }
            | Record::CandidateLot { by, .. }
            | Record::GroupLot { by, .. }
            | Record::Deceased { by, .. }
            | Record::DeceasedUndone { by, .. }
            | Record::InvestigationAsked { by, .. }
            | Record::Exported { by, .. } => *by,
            _ => None,
        }
    }

    /// Names `person` as the coordinator of a decision (other records stay as they are).
    pub fn set_by(&mut self, person: Option<PersonId>) {
        if let Record::CorrectionDecided { by, .. }
        | Record::SeatLot { by, .. }
        | Record::CandidateLot { by, .. }
        | Record::GroupLot { by, .. }
        | Record::Deceased { by, .. }
        | Record::DeceasedUndone { by, .. }
        | Record::InvestigationAsked { by, .. }
        | Record::Exported { by, .. } = self
        {
            *by = person;
        }
    }
}

/// A correction decided, for the log on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedCorrection {
    /// The body.
    pub body: String,
    /// The file that was imported before.
    pub old_sha256: String,
    /// The file proposed.
    pub new_sha256: String,
    /// Whether the new file was accepted.
    pub accepted: bool,
}

/// The export, once written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// Where.
    pub path: String,
    /// The files with their SHA-256 (hex).
    pub files: Vec<(String, String)>,
}

/// Everything decided so far.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// The definition (verified; `accepted` once checked against the paper).
    pub definition: Option<Definition>,
    /// Whether the definition was accepted.
    pub accepted: bool,
    /// The import registry.
    pub aggregation: Option<Aggregation>,
    /// Every refused file, in order.
    pub refusals: Vec<RefusedFile>,
    /// Every decided correction, in order.
    pub corrections: Vec<DecidedCorrection>,
    /// The committee's decisions the calculation takes: the drawings of lots held (between
    /// lists, between candidates, within list groups), in the order held.
    pub decisions: Decisions,
    /// The export.
    pub exported: Option<Exported>,
    /// The people of the session.
    pub people: People,
    /// The central committee's requests for investigation, in order.
    pub requests: Vec<AskedInvestigation>,
}

/// A request of the central committee to investigate a polling station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskedInvestigation {
    /// The municipality's code.
    pub municipality: String,
    /// The polling station's number.
    pub station: u32,
    /// Why.
    pub reason: crate::session::InvestigationReason,
    /// What is to be investigated.
    pub instruction: String,
}

/// Why a request for investigation does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Only the central committee asks.
    #[error("only a central electoral committee asks for investigations")]
    NotCentral,
    /// A municipality the election does not have.
    #[error("municipality {0} is not in this election")]
    UnknownMunicipality(String),
    /// Station 0.
    #[error("a polling station number is 1 or more")]
    NoStation,
    /// A reason of central counting, or "uitslag gecorrigeerd".
    #[error("{0:?} is not a reason to ask a municipality to investigate")]
    Reason(crate::session::InvestigationReason),
    /// An empty or too long instruction.
    #[error(
        "the instruction must be 1 to {} characters",
        crate::municipal::MAX_SESSION_TEXT
    )]
    Text,
    /// The same station asked twice.
    #[error("polling station {1} of {0} is asked already")]
    Twice(String, u32),
}

/// The kept count at `path` and its size: [`crate::persist::open_kept`] with the input
/// guards' size.
fn open_kept(path: &std::path::Path) -> Option<(std::fs::File, u64)> {
    let cap = u64::try_from(tally_core::eml::limits::MAX_FILE_BYTES).unwrap_or(u64::MAX);
    crate::persist::open_kept(path, cap)
}

/// Why a record does not fit the ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// No definition is loaded or accepted.
    #[error("no election definition is loaded")]
    NoDefinition,
    /// The record's files are not the loaded definition's.
    #[error("the definition in the journal is not the one kept")]
    OtherDefinition,
    /// The bytes of an imported file are missing or differ from the record's hash.
    #[error("the kept file {0} is missing or damaged")]
    MissingFile(String),
    /// The registry refused the file.
    #[error("{0}")]
    Import(#[from] ImportError),
    /// The registry refused the decision.
    #[error("{0}")]
    Aggregate(#[from] AggregateError),
    /// A drawing of lots that is not the one the calculation asks for.
    #[error("the drawing of lots does not fit: {0}")]
    Lot(String),
    /// A candidate marked deceased who is not a candidate of the list, is marked already,
    /// or (to undo) is not marked; or no calculation to mark in yet.
    #[error("{0}")]
    Deceased(DeceasedError),
    /// Already exported: nothing changes any more.
    #[error("the result has been exported; nothing can change any more")]
    Closed,
    /// The registry refused a change to the people of the session.
    #[error("{0}")]
    People(#[from] RegistryError),
    /// A request for investigation that does not fit.
    #[error(transparent)]
    Request(#[from] RequestError),
}

/// What applying a record did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Nothing to report.
    Done,
    /// An import's outcome.
    Import(ImportOutcome),
}

impl Ledger {
    /// Loads a verified definition (not yet accepted).
    ///
    /// # Errors
    /// The election tree does not give this level's bodies.
    pub fn load(&mut self, definition: Definition) -> Result<(), AggregateError> {
        self.aggregation = Some(definition.registry()?);
        self.definition = Some(definition);
        self.accepted = false;
        Ok(())
    }

    fn registry(&mut self) -> Result<&mut Aggregation, ApplyError> {
        if !self.accepted {
            return Err(ApplyError::NoDefinition);
        }
        self.aggregation.as_mut().ok_or(ApplyError::NoDefinition)
    }

    /// Applies one record. `file` is the kept file of an [`Record::Import`]: its bytes, or
    /// where it is (then read as a stream, its SHA-256 checked as it is read: a file that
    /// is not the one the record names is [`ApplyError::MissingFile`]).
    ///
    /// # Errors
    /// The record does not fit (see [`ApplyError`]); the ledger is then unchanged only if
    /// the caller applies to a copy, as the runner does.
    pub fn apply(
        &mut self,
        record: &Record,
        file: Option<KeptFile<'_>>,
    ) -> Result<Applied, ApplyError> {
        // Once exported nothing changes; another stick may get the same files.
        match (&self.exported, record) {
            (None, _) | (_, Record::Refused(_) | Record::People(_)) => {}
            (Some(done), Record::Exported { files, .. }) if &done.files == files => {}
            (Some(_), _) => return Err(ApplyError::Closed),
        }
        // A decision names a coordinator of the session (a record made in the terminal
        // always does).
        if let Some(by) = record.by() {
            self.people
                .registry
                .may_act(by, tally_core::double_entry::Role::Coordinator)?;
        }
        match record {
            Record::DefinitionAccepted { files } => {
                let def = self.definition.as_ref().ok_or(ApplyError::NoDefinition)?;
                if &def.files != files {
                    return Err(ApplyError::OtherDefinition);
                }
                self.accepted = true;
                Ok(Applied::Done)
            }
            Record::Import {
                file_name, sha256, ..
            } => {
                let missing = || ApplyError::MissingFile(file_name.clone());
                let outcome = match file.ok_or_else(missing)? {
                    KeptFile::Bytes(bytes) => {
                        if Sha256Digest::of(bytes).to_hex() != *sha256 {
                            return Err(missing());
                        }
                        self.registry()?.import(file_name, bytes)?
                    }
                    KeptFile::Path(path) => {
                        let expected = Sha256Digest::from_hex(sha256).map_err(|_| missing())?;
                        let (file, size) = open_kept(path).ok_or_else(missing)?;
                        let mut damaged = false;
                        let imported = self.registry()?.import_with(file_name, expected, || {
                            let mut reading = Sha256Digest::reading(file);
                            // Read to its end whatever it holds: the digest first.
                            let counts = read_count_from(&mut reading, size);
                            if reading.digest() != expected {
                                damaged = true;
                                return Err(CountReadError::Read {
                                    message: "not the file the record names".into(),
                                });
                            }
                            counts
                        });
                        if damaged {
                            return Err(missing());
                        }
                        imported?
                    }
                };
                Ok(Applied::Import(outcome))
            }
            Record::Refused(r) => {
                self.refusals.push(r.clone());
                Ok(Applied::Done)
            }
            Record::CorrectionDecided { body, accept, .. } => {
                let agg = self.registry()?;
                let pending = agg
                    .pending_correction()
                    .cloned()
                    .ok_or(AggregateError::NoPendingCorrection)?;
                if &pending.body != body {
                    return Err(AggregateError::NoPendingCorrection.into());
                }
                if *accept {
                    agg.confirm_correction()?;
                } else {
                    agg.reject_correction()?;
                }
                self.corrections.push(DecidedCorrection {
                    body: body.clone(),
                    old_sha256: pending.current.sha256.to_hex(),
                    new_sha256: pending.proposed.sha256.to_hex(),
                    accepted: *accept,
                });
                Ok(Applied::Done)
            }
            Record::SeatLot { lot, .. } => {
                match self.outcome() {
                    Some(Ok(Computation::SeatLotsNeeded(n)))
                        if n.drawing == lot.drawing && n.drawing.tied.contains(&lot.drawn) => {}
                    _ => return Err(ApplyError::Lot(lot.drawing.to_string())),
                }
                self.decisions.seat_lots.push(lot.clone());
                Ok(Applied::Done)
            }
            Record::CandidateLot { lot, .. } => {
                let fits = match self.outcome() {
                    Some(Ok(Computation::Complete(r))) => r.candidates.iter().any(|c| {
                        matches!(c, ListOutcome::LotsNeeded { drawing, .. }
                            if *drawing == lot.drawing && drawing.tied.contains(&lot.drawn))
                    }),
                    _ => false,
                };
                if !fits {
                    return Err(ApplyError::Lot(lot.drawing.to_string()));
                }
                self.decisions.candidate_lots.push(lot.clone());
                Ok(Applied::Done)
            }
            Record::GroupLot { lot, .. } => {
                let fits = match self.outcome() {
                    Some(Ok(Computation::Complete(r))) => r.candidates.iter().any(|c| {
                        matches!(c, ListOutcome::Refused {
                            error: CandidateError::GroupLotsNeeded(drawing), ..
                        } if *drawing == lot.drawing && group_drawn_fits(drawing, &lot.drawn))
                    }),
                    _ => false,
                };
                if !fits {
                    return Err(ApplyError::Lot(lot.drawing.to_string()));
                }
                self.decisions.group_lots.push(lot.clone());
                Ok(Applied::Done)
            }
            Record::InvestigationAsked {
                municipality,
                station,
                reason,
                instruction,
                ..
            } => {
                let def = self.definition.as_ref().ok_or(ApplyError::NoDefinition)?;
                if !def.is_central() {
                    return Err(RequestError::NotCentral.into());
                }
                // A municipality of the election tree, or one of the bodies this CSB imports
                // from (a council's CSB imports its one municipality's 510b).
                let known = def
                    .election
                    .regions
                    .iter()
                    .any(|r| r.municipality_code().is_some_and(|c| c.0 == *municipality))
                    || self
                        .aggregation
                        .as_ref()
                        .is_some_and(|a| a.bodies().iter().any(|(b, _)| b.id == *municipality));
                if !known {
                    return Err(RequestError::UnknownMunicipality(municipality.clone()).into());
                }
                if *station == 0 {
                    return Err(RequestError::NoStation.into());
                }
                if !crate::session::GSB_REASONS.contains(reason) {
                    return Err(RequestError::Reason(*reason).into());
                }
                let n = instruction.trim().chars().count();
                if n == 0 || n > crate::municipal::MAX_SESSION_TEXT {
                    return Err(RequestError::Text.into());
                }
                if self
                    .requests
                    .iter()
                    .any(|r| r.municipality == *municipality && r.station == *station)
                {
                    return Err(RequestError::Twice(municipality.clone(), *station).into());
                }
                self.requests.push(AskedInvestigation {
                    municipality: municipality.clone(),
                    station: *station,
                    reason: *reason,
                    instruction: instruction.trim().to_owned(),
                });
                Ok(Applied::Done)
            }
            Record::Deceased {
                list,
                candidate,
                kieskring,
                ..
            } => {
                let mark = deceased(*list, *candidate, *kieskring);
                if self.decisions.deceased.contains(&mark) {
                    return Err(ApplyError::Deceased(DeceasedError::AlreadyMarked {
                        list: *list,
                        candidate: *candidate,
                    }));
                }
                self.decisions.deceased.push(mark);
                // The calculation must take the mark: the candidate is on the list.
                let refused = match self.outcome() {
                    None => Some(DeceasedError::NoCalculation),
                    Some(Err(OutcomeFailure::Outcome(OutcomeError::DeceasedNotFound {
                        hint,
                        ..
                    }))) => Some(DeceasedError::NotOnList {
                        list: *list,
                        candidate: *candidate,
                        hint,
                    }),
                    // A drawing of lots held before would no longer be asked for: the
                    // calculation could not use it, and the result could not be written.
                    Some(o) => unused_lot(&o).map(|drawing| DeceasedError::LotNoLongerFits {
                        list: *list,
                        candidate: *candidate,
                        drawing,
                    }),
                };
                if let Some(e) = refused {
                    self.decisions.deceased.pop();
                    return Err(ApplyError::Deceased(e));
                }
                Ok(Applied::Done)
            }
            Record::DeceasedUndone {
                list,
                candidate,
                kieskring,
                ..
            } => {
                let mark = deceased(*list, *candidate, *kieskring);
                let Some(i) = self.decisions.deceased.iter().position(|d| *d == mark) else {
                    return Err(ApplyError::Deceased(DeceasedError::NotMarked {
                        list: *list,
                        candidate: *candidate,
                    }));
                };
                self.decisions.deceased.remove(i);
                Ok(Applied::Done)
            }
            Record::Exported { path, files, .. } => {
                self.exported = Some(Exported {
                    path: path.clone(),
                    files: files.clone(),
                });
                Ok(Applied::Done)
            }
            Record::People(r) => {
                self.people.apply(r)?;
                Ok(Applied::Done)
            }
        }
    }

    /// The total of this level when every body is in (creation time as given).
    pub fn total(&self, creation_date_time: &str) -> Option<Result<CountFile, AggregateError>> {
        let agg = self.aggregation.as_ref()?;
        if !self.accepted || !agg.is_complete() {
            return None;
        }
        Some(agg.total(&TotalMeta {
            transaction_id: 1,
            creation_date_time: creation_date_time.to_owned(),
        }))
    }

    /// The total as it is only looked at (on screen), not written: [`Ledger::total`] with a
    /// fixed creation time.
    pub fn shown_total(&self) -> Option<Result<CountFile, AggregateError>> {
        self.total(FIXED_TIME)
    }

    /// The seat apportionment and the elected candidates, at a CSB when every body is in.
    pub fn outcome(&self) -> Option<Result<Computation, OutcomeFailure>> {
        let def = self.definition.as_ref()?;
        if !def.is_central() {
            return None;
        }
        self.outcome_of(self.shown_total().as_ref())
    }

    /// For a list that differs between kieskringen (a Tweede Kamer list group, or a list
    /// not submitted in every kieskring): the kieskringen it stands in, ascending, read from
    /// the total as the calculation reads it (the core's `counted_lists_with`). `None` for a
    /// list that is the same everywhere, or while there is no total at a CSB. A candidate of
    /// such a list is named by kieskring and position ([`deceased`]).
    pub fn list_kieskringen(&self, list: ListNumber) -> Option<Vec<u32>> {
        let def = self.definition.as_ref()?;
        if !def.is_central() {
            return None;
        }
        let total = self.shown_total()?.ok()?;
        let lists =
            tally_core::aggregate::outcome::counted_lists_with(&total, Some(&def.election)).ok()?;
        let group = lists.into_iter().find(|l| l.list == list)?.group?;
        let mut districts: Vec<u32> = group.into_iter().flat_map(|g| g.districts).collect();
        districts.sort_unstable();
        districts.dedup();
        Some(districts)
    }

    /// [`Ledger::outcome`] from the total already built by [`Ledger::shown_total`].
    pub fn outcome_of(
        &self,
        total: Option<&Result<CountFile, AggregateError>>,
    ) -> Option<Result<Computation, OutcomeFailure>> {
        let def = self.definition.as_ref()?;
        if !def.is_central() {
            return None;
        }
        let total = match total? {
            Ok(t) => t,
            Err(e) => return Some(Err(OutcomeFailure::Total(e.clone()))),
        };
        Some(
            compute_result_with(
                SeatRules::of(&def.election),
                total,
                &self.decisions,
                Some(&def.election),
            )
            .map_err(OutcomeFailure::Outcome),
        )
    }
}

/// The signed result of an HSB or CSB, and the candidates its screens name.
impl Ledger {
    /// The files of this level's result made at `created`: the HSB's 510c with its report,
    /// the CSB's 510d and 520 with its report, its decisions and its requests for
    /// investigation.
    ///
    /// # Errors
    /// No definition, not every body in, or a file that cannot be made.
    pub fn export_files(
        &self,
        created: &tally_export::Created,
        demo: bool,
    ) -> Result<Vec<tally_export::ExportFile>, tally_export::ExportError> {
        use tally_export::ExportError;
        let def = self.definition.as_ref().ok_or(ExportError::Incomplete)?;
        let lists: Vec<tally_core::eml::definition::SourceFile<'_>> = def
            .list_files
            .0
            .iter()
            .map(|(n, b)| tally_core::eml::definition::SourceFile::new(n, b))
            .collect();
        let contest = def.contest();
        let body = tally_export::Body {
            election: &def.election,
            level: def.level,
            id: &def.body_id,
            name: &def.body_name,
            contest: &contest,
            lists: &lists,
            demo,
        };
        let total = self.total(&created.eml).ok_or(ExportError::Incomplete)??;
        if !def.is_central() {
            return tally_export::district(&body, &total, created);
        }
        let requests: Vec<(&str, u32, &str, &str)> = self
            .requests
            .iter()
            .map(|r| {
                let reason = r.reason.eml_value();
                (
                    r.municipality.as_str(),
                    r.station,
                    reason,
                    r.instruction.as_str(),
                )
            })
            .collect();
        tally_export::central_with(&body, &total, &self.decisions, &requests, created)
    }

    /// The name of the body `id` (a municipality, an HSB) of the level below; empty when the
    /// registry does not have it.
    pub fn body_name(&self, id: &str) -> String {
        let agg = self.aggregation.as_ref();
        let body = agg.and_then(|a| a.bodies().iter().find(|(b, _)| b.id == id));
        body.map(|(b, _)| b.name.clone()).unwrap_or_default()
    }

    /// The kind of the signed media this level imports: the HSBs' 510c at a CSB over
    /// kieskringen, else the municipalities' 510b (also before a definition).
    pub fn import_kind(&self) -> tally_signing::ContentKind {
        match self.definition.as_ref().map(|d| d.level) {
            Some(AggregationLevel::Central) => tally_signing::ContentKind::Results510c,
            _ => tally_signing::ContentKind::Results510b,
        }
    }

    /// The last file refused of the body `id`, if one was.
    pub fn last_refusal(&self, id: &str) -> Option<&RefusedFile> {
        self.refusals
            .iter()
            .rev()
            .find(|r| r.body.as_deref() == Some(id))
    }

    /// The files refused that are of no body the registry expects (a body not known, or not
    /// trustworthy), in order.
    pub fn refusals_of_no_body(&self) -> Vec<&RefusedFile> {
        let bodies = self
            .aggregation
            .as_ref()
            .map(|a| a.bodies())
            .unwrap_or_default();
        self.refusals
            .iter()
            .filter(|r| {
                r.body
                    .as_ref()
                    .is_none_or(|b| bodies.iter().all(|(x, _)| &x.id != b))
            })
            .collect()
    }

    /// The body whose imported file has the SHA-256 `sha256` (hex), if one has.
    pub fn imported_by(&self, sha256: &str) -> Option<String> {
        self.aggregation
            .as_ref()?
            .bodies()
            .iter()
            .find_map(|(b, s)| match s {
                tally_core::aggregate::BodyState::Imported(f) if f.sha256.to_hex() == sha256 => {
                    Some(b.id.clone())
                }
                _ => None,
            })
    }

    /// List `list` as the candidate lists name it (the contest of this level first, then any
    /// contest that has the list), and the candidate at `position` on it.
    pub fn listed_candidate(
        &self,
        list: ListNumber,
        position: Option<CandidatePosition>,
    ) -> Option<(&PoliticalList, Option<&Candidate>)> {
        let def = self.definition.as_ref()?;
        let political = def.election.list(&def.contest(), list).or_else(|| {
            def.election
                .contests
                .iter()
                .find_map(|c| c.lists.iter().find(|l| l.number == list))
        })?;
        let candidate =
            position.and_then(|p| political.candidates.iter().find(|c| c.position == p));
        Some((political, candidate))
    }

    /// The candidate at `position` on list `list`: of the kieskring's candidate list (230b)
    /// for a list that differs between kieskringen, else as [`Ledger::listed_candidate`]
    /// finds it.
    pub fn kieskring_candidate(
        &self,
        list: ListNumber,
        kieskring: Option<u32>,
        position: CandidatePosition,
    ) -> Option<&Candidate> {
        match kieskring {
            None => self
                .listed_candidate(list, Some(position))
                .and_then(|(_, c)| c),
            Some(k) => self
                .kieskring_list(list, k)?
                .candidates
                .iter()
                .find(|c| c.position == position),
        }
    }

    /// List `list` of kieskring `kieskring` as its candidate list (230b) gives it, when this
    /// level holds that kieskring's lists.
    pub fn kieskring_list(&self, list: ListNumber, kieskring: u32) -> Option<&PoliticalList> {
        let def = self.definition.as_ref()?;
        def.election
            .list(&ContestId(kieskring.to_string()), list)
            .filter(|l| !l.candidates.is_empty())
    }
}

/// A drawing of lots the calculation waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingDrawing {
    /// Between lists, for a seat.
    Seat(SeatDrawing),
    /// Between candidates of a list, for a preference seat.
    Candidate(CandidateDrawing),
    /// Within a list group (lists that differ between kieskringen): between its lists (by
    /// kieskring) or between candidates (by their number in the tie as shown).
    Group(GroupDrawing),
}

impl PendingDrawing {
    /// The first drawing the calculation `outcome` waits for, if any.
    pub fn of(outcome: &Result<Computation, OutcomeFailure>) -> Option<PendingDrawing> {
        match outcome {
            Ok(Computation::SeatLotsNeeded(n)) => Some(PendingDrawing::Seat(n.drawing.clone())),
            Ok(Computation::Complete(r)) => r.candidates.iter().find_map(|c| match c {
                ListOutcome::LotsNeeded { drawing, .. } => {
                    Some(PendingDrawing::Candidate(drawing.clone()))
                }
                ListOutcome::Refused {
                    error: CandidateError::GroupLotsNeeded(drawing),
                    ..
                } => Some(PendingDrawing::Group(drawing.clone())),
                _ => None,
            }),
            Err(_) => None,
        }
    }

    /// The numbers the official may type: lists, positions on the list, a group's lists by
    /// their kieskring, or a group's tied candidates counted from 1.
    pub fn tied(&self) -> Vec<u32> {
        match self {
            PendingDrawing::Seat(d) => d.tied.iter().map(|l| l.0).collect(),
            PendingDrawing::Candidate(d) => d.tied.iter().map(|p| p.0).collect(),
            PendingDrawing::Group(
                GroupDrawing::RemainingSeat { tied, .. } | GroupDrawing::Retraction { tied, .. },
            ) => tied.clone(),
            PendingDrawing::Group(GroupDrawing::PreferenceSeat { tied, .. }) => {
                (1..=u32::try_from(tied.len()).unwrap_or(0)).collect()
            }
        }
    }

    /// The record of `drawn` (one of [`PendingDrawing::tied`]).
    pub fn record(self, drawn: u32) -> Option<Record> {
        Some(match self {
            PendingDrawing::Seat(drawing) => Record::SeatLot {
                lot: SeatLot {
                    drawing,
                    drawn: ListNumber(drawn),
                },
                by: None,
            },
            PendingDrawing::Candidate(drawing) => Record::CandidateLot {
                lot: CandidateLot {
                    drawing,
                    drawn: CandidatePosition(drawn),
                },
                by: None,
            },
            PendingDrawing::Group(drawing) => {
                let drawn = match &drawing {
                    GroupDrawing::PreferenceSeat { tied, .. } => GroupDrawn::Candidate(
                        tied.get(usize::try_from(drawn.checked_sub(1)?).ok()?)?
                            .clone(),
                    ),
                    _ => GroupDrawn::List(drawn),
                };
                Record::GroupLot {
                    lot: GroupLot { drawing, drawn },
                    by: None,
                }
            }
        })
    }
}

/// The mark of the candidate at `candidate` on list `list` as deceased (P 19a), as the
/// calculation takes it: by position on a list that is the same everywhere, by position on
/// the list of `kieskring` for a list that differs between kieskringen.
pub fn deceased(
    list: ListNumber,
    candidate: CandidatePosition,
    kieskring: Option<u32>,
) -> DeceasedCandidate {
    DeceasedCandidate {
        list,
        candidate: match kieskring {
            None => DeceasedRef::Position(candidate),
            Some(kieskring) => DeceasedRef::OnList {
                kieskring,
                position: candidate,
            },
        },
    }
}

/// Whether the candidate at `candidate` on list `list` (of `kieskring`, for a list that
/// differs between kieskringen) is marked deceased.
pub fn is_marked_deceased(
    decisions: &Decisions,
    list: ListNumber,
    candidate: CandidatePosition,
    kieskring: Option<u32>,
) -> bool {
    decisions
        .deceased
        .contains(&deceased(list, candidate, kieskring))
}

/// The drawing of a lot held that the calculation `outcome` no longer asks for, if any.
fn unused_lot(outcome: &Result<Computation, OutcomeFailure>) -> Option<String> {
    use tally_core::apportionment::{ApportionmentError, GroupError};
    match outcome {
        Err(OutcomeFailure::Outcome(OutcomeError::Seats(ApportionmentError::UnusedLot {
            drawing,
            ..
        }))) => Some(drawing.to_string()),
        Ok(Computation::Complete(r)) => r.candidates.iter().find_map(|c| match c {
            ListOutcome::Refused {
                error: CandidateError::UnusedLot { drawing, .. },
                ..
            } => Some(drawing.to_string()),
            ListOutcome::Refused {
                error: CandidateError::Group(GroupError::UnusedLot { drawing, .. }),
                ..
            } => Some(drawing.to_string()),
            _ => None,
        }),
        _ => None,
    }
}

/// Why a candidate cannot be marked deceased, or the mark not undone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeceasedError {
    /// Marked already.
    #[error("list {list}: candidate {candidate} is marked deceased already")]
    AlreadyMarked {
        /// The list.
        list: ListNumber,
        /// The candidate.
        candidate: CandidatePosition,
    },
    /// Not marked (nothing to undo).
    #[error("list {list}: candidate {candidate} is not marked deceased")]
    NotMarked {
        /// The list.
        list: ListNumber,
        /// The candidate.
        candidate: CandidatePosition,
    },
    /// Not a candidate of the list in the count.
    #[error("list {list}: there is no candidate {candidate}{hint}")]
    NotOnList {
        /// The list.
        list: ListNumber,
        /// The candidate.
        candidate: CandidatePosition,
        /// What to do instead, when known (the core's words).
        hint: String,
    },
    /// A drawing of lots already held would match no tie any more with the candidate passed
    /// over (the lot was drawn before the death was known): the calculation would refuse it.
    #[error(
        "list {list}: candidate {candidate} cannot be marked deceased now: the drawing of lots held ({drawing}) would no longer be asked for"
    )]
    LotNoLongerFits {
        /// The list.
        list: ListNumber,
        /// The candidate.
        candidate: CandidatePosition,
        /// The drawing, as the core words it.
        drawing: String,
    },
    /// Not a CSB, or the total is not complete: there is nothing to pass a candidate over in.
    #[error("there is no seat apportionment yet: every body's result must be in first")]
    NoCalculation,
}

/// Whether `drawn` is one of the tied of a drawing within a list group.
pub fn group_drawn_fits(drawing: &GroupDrawing, drawn: &GroupDrawn) -> bool {
    match (drawing, drawn) {
        (
            GroupDrawing::RemainingSeat { tied, .. } | GroupDrawing::Retraction { tied, .. },
            GroupDrawn::List(id),
        ) => tied.contains(id),
        (GroupDrawing::PreferenceSeat { tied, .. }, GroupDrawn::Candidate(key)) => {
            tied.contains(key)
        }
        _ => false,
    }
}

/// Why the calculation of a CSB cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeFailure {
    /// The total cannot be made.
    #[error(transparent)]
    Total(AggregateError),
    /// The core refused the calculation.
    #[error(transparent)]
    Outcome(tally_core::aggregate::outcome::OutcomeError),
}

/// The creation time used when the total is only looked at (not written).
const FIXED_TIME: &str = "2000-01-01T00:00:00";

impl crate::persist::Ledger for Ledger {
    type Record = Record;
    type Applied = Applied;
    type Error = ApplyError;

    fn apply(
        &mut self,
        record: &Record,
        file: Option<KeptFile<'_>>,
    ) -> Result<Applied, ApplyError> {
        Ledger::apply(self, record, file)
    }

    fn audit_line(&self, record: &Record) -> Option<RecordLine> {
        let ledger = self;
        // A decision's line names the coordinator its record names.
        let by = record.by().map(|id| ledger.people.name(id));
        let line = |act: &str, detail: String| RecordLine::new(act, by.clone(), detail);
        Some(match record {
            Record::DefinitionAccepted { files } => line(
                "definition_accepted",
                format!("definition accepted: {files:?}"),
            ),
            Record::Import {
                file_name,
                sha256,
                signer,
            } => line(
                "imported",
                format!("imported {file_name} {sha256} signed by {signer}"),
            ),
            Record::CorrectionDecided { body, accept, .. } => line(
                "correction",
                format!(
                    "correction for {body} {}",
                    if *accept { "accepted" } else { "rejected" }
                ),
            ),
            Record::SeatLot { lot, .. } => {
                line("lot", format!("lot: {}: list {}", lot.drawing, lot.drawn))
            }
            Record::CandidateLot { lot, .. } => line(
                "lot",
                format!(
                    "lot: list {}: {}: candidate {}",
                    lot.drawing.list, lot.drawing, lot.drawn
                ),
            ),
            Record::InvestigationAsked {
                municipality,
                station,
                reason,
                ..
            } => line(
                "investigation_asked",
                format!(
                    "investigation asked of {municipality} station {station}: {}",
                    reason.eml_value()
                ),
            ),
            Record::Deceased {
                list,
                candidate,
                kieskring,
                ..
            } => line(
                "deceased",
                format!(
                    "deceased (P 19a): list {list} candidate {candidate}{} passed over",
                    of_kieskring(*kieskring)
                ),
            ),
            Record::DeceasedUndone {
                list,
                candidate,
                kieskring,
                ..
            } => line(
                "deceased_undone",
                format!(
                    "deceased mark undone (made in error): list {list} candidate {candidate}{}",
                    of_kieskring(*kieskring)
                ),
            ),
            Record::Refused(r) => line(
                "import_refused",
                format!("refused {} {}: {}", r.file_name, r.sha256, r.en),
            ),
            Record::Exported { path, files, .. } => {
                line("exported", format!("exported {path}: {files:?}"))
            }
            Record::People(p) => crate::people::audit_line(&ledger.people, p),
            _ => return None,
        })
    }
}

/// ` of kieskring 5` in an audit line, for a mark on a list that differs between kieskringen.
fn of_kieskring(kieskring: Option<u32>) -> String {
    kieskring.map_or_else(String::new, |k| format!(" of kieskring {k}"))
}
