//! Aggregation at the higher levels: the principal electoral committee of a kieskring
//! (HSB: the municipalities' 510b into a 510c) and the central electoral committee (CSB:
//! the kieskringen's 510c into a 510d, or for a municipal council the single GSB's 510b
//! into a 510d), and from a total count to seats and elected candidates ([`outcome`]).
//!
//! [`Aggregation`] is the import registry of one level: which bodies are expected (from the
//! election tree), and the state of each ([`BodyState`]: missing, imported with its file's
//! SHA-256, refused with the reason). Every imported file is read and its arithmetic checked
//! ([`crate::counts::check_arithmetic`]) before it is accepted. Importing the same bytes again
//! is harmless (recognised by hash). A different file from a body already imported is a
//! correction: [`Aggregation::import`] returns a [`PendingCorrection`] with both count sets
//! and their differences, and nothing changes until [`Aggregation::confirm_correction`]
//! (or [`Aggregation::reject_correction`]). When every body is in, [`Aggregation::total`]
//! builds the 510c or 510d: one reporting unit per body, totals summed with checked
//! arithmetic ([`sum::sum_counts`]).

pub mod outcome;
pub mod sum;

use std::fmt;

pub use sum::{CountDifference, SumOverflow, compare_counts, sum_counts};

use crate::counts::{
    CandidateRef, CountEdition, CountFile, CountHeader, CountLevel, CountViolation,
    ReportingUnitCounts, VoteCounts, check_arithmetic,
};
use crate::election::{Election, ElectionCategory};
use crate::eml::count::{CountReadError, read_count};
use crate::hashcode::Sha256Digest;
use crate::ids::{ContestId, ElectionId, ReportingUnitId};

/// Which level aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregationLevel {
    /// HSB of kieskring `n`: a 510b from every municipality of the kieskring, into a 510c.
    District {
        /// The kieskring's number.
        kieskring: u32,
    },
    /// CSB with kieskringen: a 510c from every kieskring, into a 510d.
    Central,
    /// CSB of a municipal council: the single GSB's 510b, into a 510d.
    MunicipalCentral,
}

/// A body whose count this level expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedBody {
    /// Its identifier as the file's `AuthorityIdentifier Id` gives it: a municipality's
    /// code (`0014`) or a kieskring's committee (`HSB1`).
    pub id: String,
    /// Its name from the election tree.
    pub name: String,
    /// The contest its file must name: the kieskring number, or `geen`.
    pub contest: ContestId,
    /// The kieskring number (for a 510c's unit id and the 510d's units), when any.
    pub kieskring: Option<u32>,
}

/// A file accepted for a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFile {
    /// The file's name as given.
    pub file_name: String,
    /// SHA-256 of its bytes.
    pub sha256: Sha256Digest,
    /// Its counts.
    pub counts: CountFile,
}

/// The state of one expected body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyState {
    /// No file yet.
    Missing,
    /// A file accepted.
    Imported(Box<ImportedFile>),
    /// The last file offered for this body was refused (nothing accepted yet).
    Refused {
        /// The file's name.
        file_name: String,
        /// SHA-256 of its bytes.
        sha256: Sha256Digest,
        /// Why.
        reason: ImportRefusal,
    },
}

/// A correction waiting for an explicit decision: a different file from a body already
/// imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCorrection {
    /// The body.
    pub body: String,
    /// What is imported now.
    pub current: ImportedFile,
    /// The new file.
    pub proposed: ImportedFile,
    /// Every difference of the new file's `TotalVotes` against the current one's
    /// (expected = current, found = proposed).
    pub differences: Vec<CountDifference>,
    /// The same per reporting unit both files have, units without a difference left out.
    pub unit_differences: Vec<(ReportingUnitId, Vec<CountDifference>)>,
}

/// What an accepted import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The body's file is imported.
    Imported {
        /// The body.
        body: String,
    },
    /// The same bytes were imported before for this body: nothing changes.
    AlreadyImported {
        /// The body.
        body: String,
    },
    /// A different file for a body already imported: confirm or reject it.
    CorrectionPending(Box<PendingCorrection>),
}

/// Why a file is refused. Nothing is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportRefusal {
    /// The file is not a readable count.
    #[error("not a readable count file: {0}")]
    Unreadable(#[from] CountReadError),
    /// It is for another election.
    #[error("the file is for election {found}, not {expected}")]
    WrongElection {
        /// This election.
        expected: ElectionId,
        /// The file's.
        found: ElectionId,
    },
    /// It is of the wrong level.
    #[error("the file is a {found}, this level imports {expected}")]
    WrongLevel {
        /// Expected `510b`/`510c`.
        expected: &'static str,
        /// Found.
        found: &'static str,
    },
    /// Its authority is not a body this level expects.
    #[error("the file comes from {found:?}, which is not one of the bodies this level expects")]
    UnknownBody {
        /// The file's `AuthorityIdentifier Id`.
        found: String,
    },
    /// It names the wrong contest.
    #[error("the file of {body} names contest {found}, expected {expected}")]
    WrongContest {
        /// The body.
        body: String,
        /// Expected.
        expected: ContestId,
        /// Found.
        found: ContestId,
    },
    /// A sum in the file is wrong.
    #[error("the file's arithmetic is wrong: {}", join(violations))]
    Arithmetic {
        /// Every violation found.
        violations: Vec<CountViolation>,
    },
    /// It names a list or candidate that the election's candidate lists do not have.
    #[error("{what} is not on the candidate lists of contest {contest}")]
    UnknownListOrCandidate {
        /// The contest.
        contest: ContestId,
        /// `list 5`, `list 5 candidate 31`.
        what: String,
    },
    /// Another correction is waiting for a decision.
    #[error("a correction for {body} is waiting for confirmation; decide on it first")]
    CorrectionAlreadyPending {
        /// The body.
        body: String,
    },
    /// A corrigendum of the first-session file imported that is not its corrigendum:
    /// previous values that are not its numbers, a change without an investigation, ...
    #[error("the corrigendum of {body} does not fit its first-session file: {why}")]
    Corrigendum {
        /// The body.
        body: String,
        /// Which rule it breaks.
        why: Box<crate::corrigendum::CorrigendumCheckError>,
    },
}

fn join(v: &[CountViolation]) -> String {
    v.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A refused import: the file, the body when known, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file_name}: {reason}")]
pub struct ImportError {
    /// The file's name.
    pub file_name: String,
    /// The body it claims to come from, when that could be read and is expected.
    pub body: Option<String>,
    /// Why.
    pub reason: ImportRefusal,
}

/// Why a registry cannot be set up, a decision cannot be taken, or the total cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregateError {
    /// The kieskring is not in the election tree.
    #[error("kieskring {0} is not in the election tree")]
    UnknownKieskring(u32),
    /// The tree gives no body for this level.
    #[error("the election tree gives no {0} for this level")]
    NoBodies(&'static str),
    /// Not every body is in.
    #[error("not every body is in; missing: {}", .0.join(", "))]
    Incomplete(Vec<String>),
    /// No correction is waiting.
    #[error("no correction is waiting for a decision")]
    NoPendingCorrection,
    /// A sum overflowed.
    #[error(transparent)]
    Overflow(#[from] SumOverflow),
}

/// Who writes the total and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalMeta {
    /// `TransactionId` (usually 1).
    pub transaction_id: u64,
    /// `kr:CreationDateTime` (xs:dateTime).
    pub creation_date_time: String,
}

/// Per list number, each candidate's `ShortCode` in list order.
type ContestCodes = Vec<(u32, Vec<Option<String>>)>;

/// The import registry of one level. See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregation {
    level: AggregationLevel,
    election_id: ElectionId,
    election_name: String,
    category: ElectionCategory,
    subcategory: String,
    domain: Option<(Option<String>, String)>,
    election_date: String,
    /// The EML_NL version of the definition: the version the 510c/510d is written in.
    eml_version: crate::eml::names::EmlVersion,
    kieskring_name: Option<String>,
    /// Per contest, per list number, each candidate's `ShortCode` in list order: for the
    /// check of imported files and for naming candidates in a 510d.
    contests: Vec<(ContestId, ContestCodes)>,
    bodies: Vec<(ExpectedBody, BodyState)>,
    pending: Option<PendingCorrection>,
}

impl Aggregation {
    /// The registry of the HSB of kieskring `kieskring`: every municipality of the tree
    /// whose superior is that kieskring.
    ///
    /// # Errors
    /// The kieskring is not in the tree, or has no municipalities.
    pub fn for_district(election: &Election, kieskring: u32) -> Result<Self, AggregateError> {
        let region = election
            .kieskringen()
            .find(|r| r.key.number == Some(kieskring))
            .ok_or(AggregateError::UnknownKieskring(kieskring))?;
        let bodies: Vec<ExpectedBody> = election
            .municipalities()
            .filter(|m| m.superior == Some(region.key))
            .filter_map(|m| {
                Some(ExpectedBody {
                    id: m.municipality_code()?.0,
                    name: m.name.clone(),
                    contest: ContestId(kieskring.to_string()),
                    kieskring: Some(kieskring),
                })
            })
            .collect();
        if bodies.is_empty() {
            return Err(AggregateError::NoBodies("municipality"));
        }
        Ok(Self::new(
            election,
            AggregationLevel::District { kieskring },
            Some(region.name.clone()),
            bodies,
        ))
    }

    /// The registry of the CSB of an election with kieskringen: every kieskring's HSB.
    ///
    /// # Errors
    /// The tree has no kieskringen.
    pub fn for_central(election: &Election) -> Result<Self, AggregateError> {
        let bodies: Vec<ExpectedBody> = election
            .kieskringen()
            .filter_map(|k| {
                let n = k.key.number?;
                Some(ExpectedBody {
                    id: format!("HSB{n}"),
                    name: k.name.clone(),
                    contest: ContestId(n.to_string()),
                    kieskring: Some(n),
                })
            })
            .collect();
        if bodies.is_empty() {
            return Err(AggregateError::NoBodies("kieskring"));
        }
        Ok(Self::new(election, AggregationLevel::Central, None, bodies))
    }

    /// The registry of the CSB of a municipal council: the single GSB (the domain's
    /// municipality, or the tree's only municipality).
    ///
    /// # Errors
    /// No municipality can be found.
    pub fn for_municipal_council(election: &Election) -> Result<Self, AggregateError> {
        let (id, name) = match election.domain_municipality() {
            Some((code, name)) => (code.0, name.to_owned()),
            None => {
                let mut m = election.municipalities();
                match (m.next(), m.next()) {
                    (Some(r), None) => (
                        r.municipality_code()
                            .ok_or(AggregateError::NoBodies("municipality"))?
                            .0,
                        r.name.clone(),
                    ),
                    _ => return Err(AggregateError::NoBodies("single municipality")),
                }
            }
        };
        let body = ExpectedBody {
            id,
            name,
            contest: ContestId("geen".into()),
            kieskring: None,
        };
        Ok(Self::new(
            election,
            AggregationLevel::MunicipalCentral,
            None,
            vec![body],
        ))
    }

    fn new(
        election: &Election,
        level: AggregationLevel,
        kieskring_name: Option<String>,
        bodies: Vec<ExpectedBody>,
    ) -> Self {
        Aggregation {
            level,
            election_id: election.id.clone(),
            election_name: election.name.clone(),
            category: election.category,
            subcategory: election.subcategory.eml_value().to_owned(),
            domain: election
                .domain
                .as_ref()
                .map(|d| (d.id.clone(), d.name.clone())),
            election_date: election.date.to_string(),
            eml_version: election.eml_version,
            kieskring_name,
            contests: election
                .contests
                .iter()
                .map(|c| {
                    (
                        c.id.clone(),
                        c.lists
                            .iter()
                            .map(|l| {
                                (
                                    l.number.0,
                                    l.candidates.iter().map(|c| c.short_code.clone()).collect(),
                                )
                            })
                            .collect(),
                    )
                })
                .collect(),
            bodies: bodies
                .into_iter()
                .map(|b| (b, BodyState::Missing))
                .collect(),
            pending: None,
        }
    }

    /// The level.
    pub fn level(&self) -> AggregationLevel {
        self.level
    }

    /// The level of the files this registry imports.
    pub fn input_level(&self) -> CountLevel {
        match self.level {
            AggregationLevel::District { .. } | AggregationLevel::MunicipalCentral => {
                CountLevel::Municipality
            }
            AggregationLevel::Central => CountLevel::District,
        }
    }

    /// The level of the total this registry builds.
    pub fn output_level(&self) -> CountLevel {
        match self.level {
            AggregationLevel::District { .. } => CountLevel::District,
            AggregationLevel::Central | AggregationLevel::MunicipalCentral => CountLevel::Total,
        }
    }

    /// Every expected body with its state, in tree order.
    pub fn bodies(&self) -> &[(ExpectedBody, BodyState)] {
        &self.bodies
    }

    /// The state of one body.
    pub fn state(&self, body: &str) -> Option<&BodyState> {
        self.bodies
            .iter()
            .find(|(b, _)| b.id == body)
            .map(|(_, s)| s)
    }

    /// The bodies not yet imported, in tree order.
    pub fn missing(&self) -> Vec<&ExpectedBody> {
        self.bodies
            .iter()
            .filter(|(_, s)| !matches!(s, BodyState::Imported(_)))
            .map(|(b, _)| b)
            .collect()
    }

    /// Whether every body is imported and no correction waits.
    pub fn is_complete(&self) -> bool {
        self.pending.is_none() && self.missing().is_empty()
    }

    /// The correction waiting for a decision, if any.
    pub fn pending_correction(&self) -> Option<&PendingCorrection> {
        self.pending.as_ref()
    }

    /// Imports one file. See the module documentation for what is checked.
    ///
    /// # Errors
    /// The file is refused ([`ImportError`]); nothing is imported. When the refused file
    /// names an expected body that has nothing imported yet, that body's state becomes
    /// [`BodyState::Refused`].
    pub fn import(&mut self, file_name: &str, bytes: &[u8]) -> Result<ImportOutcome, ImportError> {
        self.import_with(file_name, Sha256Digest::of(bytes), || read_count(bytes))
    }

    /// [`Aggregation::import`] of the file whose SHA-256 is `sha256`, read by `read` (a
    /// stream: [`crate::eml::count::read_count_from`]) only when it is not the same file as
    /// one imported already. The caller vouches that `read` reads the file `sha256` names
    /// (by checking the digest of what it read before it returns the counts).
    ///
    /// # Errors
    /// As [`Aggregation::import`].
    pub fn import_with(
        &mut self,
        file_name: &str,
        sha256: Sha256Digest,
        read: impl FnOnce() -> Result<CountFile, crate::eml::count::CountReadError>,
    ) -> Result<ImportOutcome, ImportError> {
        // The same bytes again: harmless.
        for (body, state) in &self.bodies {
            if let BodyState::Imported(f) = state
                && f.sha256 == sha256
            {
                return Ok(ImportOutcome::AlreadyImported {
                    body: body.id.clone(),
                });
            }
        }
        let refuse = |body: Option<String>, reason: ImportRefusal| ImportError {
            file_name: file_name.to_owned(),
            body,
            reason,
        };
        let counts = read().map_err(|e| refuse(None, e.into()))?;
        match self.check(&counts) {
            Ok(index) => {
                let proposed = ImportedFile {
                    file_name: file_name.to_owned(),
                    sha256,
                    counts,
                };
                let Some((body, state)) = self.bodies.get_mut(index) else {
                    return Err(refuse(
                        None,
                        ImportRefusal::UnknownBody {
                            found: proposed.counts.header.authority_id,
                        },
                    ));
                };
                match state {
                    BodyState::Imported(current) => {
                        if let Some(p) = &self.pending {
                            return Err(refuse(
                                Some(body.id.clone()),
                                ImportRefusal::CorrectionAlreadyPending {
                                    body: p.body.clone(),
                                },
                            ));
                        }
                        // A corrigendum of the first-session file imported is checked against it
                        // (its previous values are that file's numbers). One that follows
                        // another corrigendum is checked by `tally-verify`, which has the
                        // first session's file beside it.
                        let phase = |c: &CountFile| c.header.edition.phase;
                        if phase(&proposed.counts) == Some(crate::counts::CountPhase::Corrigendum)
                            && phase(&current.counts)
                                != Some(crate::counts::CountPhase::Corrigendum)
                            && let Err(why) =
                                crate::corrigendum::check(&current.counts, &proposed.counts)
                        {
                            return Err(refuse(
                                Some(body.id.clone()),
                                ImportRefusal::Corrigendum {
                                    body: body.id.clone(),
                                    why: Box::new(why),
                                },
                            ));
                        }
                        // The current file's units by id, once (a file may hold very many).
                        let before: std::collections::HashMap<_, _> = current
                            .counts
                            .units
                            .iter()
                            .map(|c| (&c.id, &c.counts))
                            .collect();
                        let unit_differences = proposed
                            .counts
                            .units
                            .iter()
                            .filter_map(|u| {
                                let before = before.get(&u.id)?;
                                Some((u.id.clone(), compare_counts(before, &u.counts)))
                            })
                            .filter(|(_, d)| !d.is_empty())
                            .collect();
                        let pending = PendingCorrection {
                            body: body.id.clone(),
                            unit_differences,
                            differences: compare_counts(
                                &current.counts.total,
                                &proposed.counts.total,
                            ),
                            current: (**current).clone(),
                            proposed,
                        };
                        self.pending = Some(pending.clone());
                        Ok(ImportOutcome::CorrectionPending(Box::new(pending)))
                    }
                    BodyState::Missing | BodyState::Refused { .. } => {
                        *state = BodyState::Imported(Box::new(proposed));
                        Ok(ImportOutcome::Imported {
                            body: body.id.clone(),
                        })
                    }
                }
            }
            Err((index, reason)) => {
                let mut body_id = None;
                if let Some((body, state)) = index.and_then(|i| self.bodies.get_mut(i)) {
                    body_id = Some(body.id.clone());
                    if !matches!(state, BodyState::Imported(_)) {
                        *state = BodyState::Refused {
                            file_name: file_name.to_owned(),
                            sha256,
                            reason: reason.clone(),
                        };
                    }
                }
                Err(refuse(body_id, reason))
            }
        }
    }

    /// The checks of a parsed file; on success the index of its body.
    fn check(&self, counts: &CountFile) -> Result<usize, (Option<usize>, ImportRefusal)> {
        let h = &counts.header;
        if h.election_id != self.election_id {
            return Err((
                None,
                ImportRefusal::WrongElection {
                    expected: self.election_id.clone(),
                    found: h.election_id.clone(),
                },
            ));
        }
        if h.level != self.input_level() {
            return Err((
                None,
                ImportRefusal::WrongLevel {
                    expected: self.input_level().eml_id(),
                    found: h.level.eml_id(),
                },
            ));
        }
        let Some(index) = self.bodies.iter().position(|(b, _)| b.id == h.authority_id) else {
            return Err((
                None,
                ImportRefusal::UnknownBody {
                    found: h.authority_id.clone(),
                },
            ));
        };
        let Some((body, _)) = self.bodies.get(index) else {
            return Err((
                None,
                ImportRefusal::UnknownBody {
                    found: h.authority_id.clone(),
                },
            ));
        };
        if h.contest_id != body.contest {
            return Err((
                Some(index),
                ImportRefusal::WrongContest {
                    body: body.id.clone(),
                    expected: body.contest.clone(),
                    found: h.contest_id.clone(),
                },
            ));
        }
        let violations = check_arithmetic(counts);
        if !violations.is_empty() {
            return Err((Some(index), ImportRefusal::Arithmetic { violations }));
        }
        if let Some((_, lists)) = self.contests.iter().find(|(c, _)| *c == body.contest) {
            let all = std::iter::once(&counts.total).chain(counts.units.iter().map(|u| &u.counts));
            for vc in all {
                for l in &vc.lists {
                    let Some((_, codes)) = lists.iter().find(|(number, _)| *number == l.list.0)
                    else {
                        return Err((
                            Some(index),
                            ImportRefusal::UnknownListOrCandidate {
                                contest: body.contest.clone(),
                                what: format!("list {}", l.list),
                            },
                        ));
                    };
                    for (c, _) in &l.candidates {
                        if let Some(p) = c.position()
                            && (p.0 == 0 || p.0 as usize > codes.len())
                        {
                            return Err((
                                Some(index),
                                ImportRefusal::UnknownListOrCandidate {
                                    contest: body.contest.clone(),
                                    what: format!("list {} candidate {p}", l.list),
                                },
                            ));
                        }
                    }
                }
            }
        }
        Ok(index)
    }

    /// Confirms the pending correction: the new file replaces the body's file.
    ///
    /// # Errors
    /// No correction is waiting.
    pub fn confirm_correction(&mut self) -> Result<String, AggregateError> {
        let pending = self
            .pending
            .take()
            .ok_or(AggregateError::NoPendingCorrection)?;
        for (body, state) in &mut self.bodies {
            if body.id == pending.body {
                *state = BodyState::Imported(Box::new(pending.proposed.clone()));
            }
        }
        Ok(pending.body)
    }

    /// Rejects the pending correction: the current file stays.
    ///
    /// # Errors
    /// No correction is waiting.
    pub fn reject_correction(&mut self) -> Result<String, AggregateError> {
        self.pending
            .take()
            .map(|p| p.body)
            .ok_or(AggregateError::NoPendingCorrection)
    }

    /// The total of this level: a 510c (one reporting unit per municipality,
    /// `HSB<n>::<code>`) or a 510d (one reporting unit per kieskring, `HSB<n>`; for a
    /// municipal council one unit, the municipality). The file's `TotalVotes` is the sum of
    /// the units, with checked arithmetic. Write it with
    /// [`crate::eml::count::write_count`].
    ///
    /// # Errors
    /// Not every body is in, a correction waits, or a sum overflows.
    pub fn total(&self, meta: &TotalMeta) -> Result<CountFile, AggregateError> {
        if let Some(p) = &self.pending {
            return Err(AggregateError::Incomplete(vec![format!(
                "{} (correction waiting)",
                p.body
            )]));
        }
        let mut units = Vec::new();
        let mut missing = Vec::new();
        for (body, state) in &self.bodies {
            let BodyState::Imported(file) = state else {
                missing.push(body.id.clone());
                continue;
            };
            let (id, name) = match (self.level, body.kieskring) {
                (AggregationLevel::District { kieskring }, _) => {
                    (format!("HSB{kieskring}::{}", body.id), body.name.clone())
                }
                (AggregationLevel::Central, Some(n)) => {
                    (format!("HSB{n}"), format!("Kieskring {}", body.name))
                }
                _ => (body.id.clone(), body.name.clone()),
            };
            let mut counts = file.counts.total.clone();
            if self.level == AggregationLevel::Central {
                self.add_short_codes(&body.contest, &mut counts);
            }
            units.push(ReportingUnitCounts {
                id: ReportingUnitId(id),
                name,
                counts,
                investigations: Vec::new(),
            });
        }
        if !missing.is_empty() {
            return Err(AggregateError::Incomplete(missing));
        }
        let total = sum_counts(units.iter().map(|u| &u.counts))?;
        let (authority_id, authority_name, contest_id, contest_name) = match self.level {
            AggregationLevel::District { kieskring } => (
                format!("HSB{kieskring}"),
                self.kieskring_name.clone(),
                ContestId(kieskring.to_string()),
                self.kieskring_name.clone(),
            ),
            AggregationLevel::Central => (
                "CSB".to_owned(),
                self.domain.as_ref().map(|(_, n)| n.clone()),
                ContestId("alle".into()),
                None,
            ),
            AggregationLevel::MunicipalCentral => {
                let (id, name) = self
                    .bodies
                    .first()
                    .map(|(b, _)| (b.id.clone(), b.name.clone()))
                    .unwrap_or_default();
                (id, Some(name), ContestId("geen".into()), None)
            }
        };
        Ok(CountFile {
            header: CountHeader {
                level: self.output_level(),
                transaction_id: meta.transaction_id,
                authority_id,
                authority_name,
                creation_date_time: meta.creation_date_time.clone(),
                election_id: self.election_id.clone(),
                election_name: Some(self.election_name.clone()).filter(|n| !n.is_empty()),
                category: self.category,
                subcategory: Some(self.subcategory.clone()),
                domain: self.domain.clone(),
                election_date: self.election_date.clone(),
                contest_id,
                contest_name,
                // The definition's version; no phase or counting method (those describe a
                // municipality's count).
                edition: CountEdition {
                    version: self.eml_version,
                    ..CountEdition::default()
                },
            },
            total,
            units,
        })
    }

    /// Central level: names each candidate also by its `ShortCode` from the kieskring's
    /// 230b when the election has it, so that the national total adds up the same person
    /// across kieskringen where their positions differ.
    fn add_short_codes(&self, contest: &ContestId, counts: &mut VoteCounts) {
        let Some((_, lists)) = self.contests.iter().find(|(c, _)| c == contest) else {
            return;
        };
        for list in &mut counts.lists {
            let Some((_, codes)) = lists.iter().find(|(n, _)| *n == list.list.0) else {
                continue;
            };
            for (cand, _) in &mut list.candidates {
                if let CandidateRef::Position(p) = cand {
                    let code = (p.0 as usize)
                        .checked_sub(1)
                        .and_then(|i| codes.get(i))
                        .cloned()
                        .flatten();
                    if let Some(code) = code {
                        *cand = CandidateRef::PositionAndShortCode(*p, code);
                    }
                }
            }
        }
    }
}

impl fmt::Display for BodyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyState::Missing => f.write_str("missing"),
            BodyState::Imported(file) => write!(
                f,
                "imported: {} ({})",
                file.file_name,
                file.sha256.hash_code()
            ),
            BodyState::Refused {
                file_name, reason, ..
            } => write!(f, "refused: {file_name}: {reason}"),
        }
    }
}
