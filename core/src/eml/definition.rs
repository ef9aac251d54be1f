//! Loading the election definition: the 110a, its 230b candidate lists and optionally a
//! 110b polling-station list, each parsed by `eml-nl` in `Strict` mode, then checked
//! against each other.
//!
//! Entry points:
//! - [`load_election`]: 110a + one or more 230b + optional 110b, cross-checked, into an
//!   [`Election`].
//! - [`load_definition`]: a 110a alone (no contests, no polling stations).
//! - [`load_candidate_lists`]: a 230b alone (checked on its own: list numbers and
//!   candidate positions).
//! - [`load_polling_stations`]: a 110b alone.
//!
//! Every file first passes the input guards of [`crate::eml::limits`]. Every error names
//! the file, where (the element, or the byte span `eml-nl` gave), what was expected and
//! what was found.

use std::collections::BTreeSet;

use eml_nl::documents::candidate_lists::{CandidateLists, CandidateListsCandidate};
use eml_nl::documents::election_definition::ElectionDefinition;
use eml_nl::documents::polling_stations::PollingStations;
use eml_nl::io::{EMLParsingMode, EMLRead};
use eml_nl::utils::{StringValue, XsDate};
use thiserror::Error;

use crate::election::{
    Candidate, Committee, CommitteeCategory, Contest, Election, ElectionCategory, ElectionDate,
    ElectionDomain, ElectionSubcategory, PoliticalList, PollingStation, PollingStationList, Region,
    RegionCategory, RegionKey, SourceDigest, SourceKind,
};
use crate::eml::limits::{DocumentKind, InputProblem, check_xml_input_of_kind};
use crate::eml::{EmlIssue, parse_with_mode};
use crate::hashcode::Sha256Digest;
use crate::ids::{
    CandidatePosition, ContestId, ElectionId, ListNumber, MunicipalityCode, PollingStationNumber,
};

/// A file handed to the loader: its name (for messages and the record of sources) and its
/// exact bytes (hashed and parsed as they are; never read again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFile<'a> {
    /// The file's name, such as `Verkiezingsdefinitie_TK2025.eml.xml`.
    pub name: &'a str,
    /// The file's bytes.
    pub bytes: &'a [u8],
}

impl<'a> SourceFile<'a> {
    /// A file with this name and these bytes.
    pub fn new(name: &'a str, bytes: &'a [u8]) -> SourceFile<'a> {
        SourceFile { name, bytes }
    }
}

/// A definition file that was refused: which file and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: {problem}")]
pub struct DefinitionError {
    /// The file's name as given.
    pub file: String,
    /// What is wrong.
    pub problem: DefinitionProblem,
}

/// What is wrong with a definition file, alone or against the others.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DefinitionProblem {
    /// Refused by the input guards before parsing (size, UTF-8, DTD, document kind).
    #[error(transparent)]
    Input(InputProblem),
    /// `eml-nl` refused the document (in `Strict` mode). The fatal issue is the last.
    #[error("{}", describe_issues(.issues))]
    Eml {
        /// Every issue `eml-nl` reported, the fatal one last.
        issues: Vec<EmlIssue>,
    },
    /// A value that the appliance cannot use (out of range, malformed).
    #[error("{field}: expected {expected}, found \"{found}\"")]
    Value {
        /// Where (`kr:NumberOfSeats`, `Affiliation 3 / Candidate 2 / CandidateIdentifier Id`).
        field: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// An election category EML_NL knows but the appliance does not count.
    #[error(
        "ElectionCategory: the appliance counts TK, EK, EP, PS, AB, GR, ER and NR; found {found}"
    )]
    UnsupportedCategory {
        /// The category found.
        found: String,
    },
    /// A definition medium without a document it needs, or with one more than once.
    #[error("the medium holds {found} {kind} file(s); it must hold {needed}")]
    MediumDocuments {
        /// The document.
        kind: DocumentKind,
        /// How many the medium holds.
        found: usize,
        /// How many it must hold (`exactly one`, `at least one`, `at most one`).
        needed: &'static str,
    },
    /// A file is for another election than the 110a.
    #[error(
        "{field}: this file is for another election: the 110a has \"{expected}\", this file has \"{found}\""
    )]
    OtherElection {
        /// The field that differs (`ElectionIdentifier Id`, `ElectionCategory`, ...).
        field: &'static str,
        /// The 110a's value.
        expected: String,
        /// This file's value.
        found: String,
    },
    /// A 230b contest that is not in the 110a's election tree.
    #[error("Contest {contest}: not in the election tree of the 110a; expected {expected}")]
    ContestNotInTree {
        /// The contest identifier found.
        contest: String,
        /// What the tree allows (`one of the kieskringen 1, 2, ...` or `geen`).
        expected: String,
    },
    /// The same contest in two 230b files, or twice in one.
    #[error("Contest {contest}: given twice (also in {other_file})")]
    DuplicateContest {
        /// The contest.
        contest: String,
        /// The file that has it first.
        other_file: String,
    },
    /// The same list number twice in a contest.
    #[error("Contest {contest}: list number {number} occurs twice; expected unique list numbers")]
    DuplicateListNumber {
        /// The contest.
        contest: String,
        /// The duplicated number.
        number: u32,
    },
    /// List numbers that do not increase.
    #[error(
        "Contest {contest}: list {found} follows list {previous}; expected increasing list numbers"
    )]
    ListNumbersNotIncreasing {
        /// The contest.
        contest: String,
        /// The list before.
        previous: u32,
        /// The list found after it.
        found: u32,
    },
    /// A candidate whose position is not the next one (positions run 1, 2, ..., n).
    #[error(
        "Contest {contest}, list {list}: candidate at place {expected} has position {found}; expected positions 1, 2, ... in order"
    )]
    CandidatePosition {
        /// The contest.
        contest: String,
        /// The list.
        list: u32,
        /// The position expected there.
        expected: u32,
        /// The position found (`CandidateIdentifier Id`).
        found: u64,
    },
    /// The 110b's municipality is not the election's.
    #[error(
        "ReportingUnitIdentifier: municipality {found} is not in this election; expected {expected}"
    )]
    MunicipalityNotInElection {
        /// The municipality code found.
        found: String,
        /// What the election allows (the domain's code, or "a municipality of the tree").
        expected: String,
    },
    /// A 110b with contests for different municipalities.
    #[error(
        "ReportingUnitIdentifier: the file mixes municipalities {first} and {found}; expected one"
    )]
    SeveralMunicipalities {
        /// The first municipality.
        first: String,
        /// Another one.
        found: String,
    },
    /// A polling station number given twice.
    #[error("PollingStation Id {number}: occurs twice; expected unique polling station numbers")]
    DuplicatePollingStation {
        /// The number.
        number: u32,
    },
    /// [`load_election`] was called without any 230b.
    #[error("no candidate lists (230b) given with this 110a; expected at least one")]
    NoCandidateLists,
}

fn describe_issues(issues: &[EmlIssue]) -> String {
    match issues.split_last() {
        None => "the EML was refused".to_string(),
        Some((last, [])) => format!("the EML was refused: {last}"),
        Some((last, earlier)) => {
            let earlier: Vec<String> = earlier.iter().map(ToString::to_string).collect();
            format!(
                "the EML was refused: {last}; earlier: {}",
                earlier.join("; ")
            )
        }
    }
}

/// The election as a 230b or 110b names it, to compare with the 110a.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionHeader {
    /// `ElectionIdentifier Id`.
    pub id: ElectionId,
    /// `ElectionName`, when given.
    pub name: Option<String>,
    /// `ElectionCategory`.
    pub category: ElectionCategory,
    /// `kr:ElectionSubcategory`, when given.
    pub subcategory: Option<ElectionSubcategory>,
    /// `kr:ElectionDomain`, when given.
    pub domain: Option<ElectionDomain>,
    /// `kr:ElectionDate`.
    pub date: ElectionDate,
}

/// A 230b read on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateListsFile {
    /// The election it names.
    pub election: ElectionHeader,
    /// Its contests with their lists and candidates.
    pub contests: Vec<Contest>,
    /// Name and SHA-256 of the file.
    pub source: SourceDigest,
    /// Non-fatal remarks of the parser.
    pub warnings: Vec<String>,
}

/// A 110b read on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollingStationsFile {
    /// The election it names.
    pub election: ElectionHeader,
    /// The municipality and its polling stations.
    pub list: PollingStationList,
    /// Name and SHA-256 of the file.
    pub source: SourceDigest,
    /// Non-fatal remarks of the parser.
    pub warnings: Vec<String>,
}

/// The files of a definition medium by what each one is, read from the file itself (its
/// root element's `Id`), never from its name: indices into the files given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediumFiles {
    /// The 110a.
    pub definition: usize,
    /// The 230b files (a Tweede Kamer medium holds one per kieskring).
    pub candidate_lists: Vec<usize>,
    /// The 110b, when the medium holds one.
    pub polling_stations: Option<usize>,
}

/// The medium's name for errors about what it holds as a whole.
const THE_MEDIUM: &str = "(the medium)";

/// Sorts the files of a definition medium (see [`MediumFiles`]); every file passes the
/// input guards first.
///
/// # Errors
/// A file that fails the guards or is another EML document (named), no 110a or more than
/// one, no 230b, or more than one 110b.
pub fn sort_medium_files(files: &[SourceFile<'_>]) -> Result<MediumFiles, DefinitionError> {
    const KINDS: [DocumentKind; 3] = [
        DocumentKind::ElectionDefinition,
        DocumentKind::CandidateLists,
        DocumentKind::PollingStations,
    ];
    let mut of_kind: [Vec<usize>; 3] = Default::default();
    for (i, f) in files.iter().enumerate() {
        let checked =
            check_xml_input_of_kind(f.name, f.bytes, &KINDS).map_err(|e| DefinitionError {
                file: e.file,
                problem: DefinitionProblem::Input(e.problem),
            })?;
        if let Some(slot) = KINDS
            .iter()
            .position(|k| *k == checked.kind)
            .and_then(|k| of_kind.get_mut(k))
        {
            slot.push(i);
        }
    }
    let [definitions, candidate_lists, polling_stations] = of_kind;
    let refuse = |kind, found, needed| DefinitionError {
        file: THE_MEDIUM.to_string(),
        problem: DefinitionProblem::MediumDocuments {
            kind,
            found,
            needed,
        },
    };
    let definition = match definitions.as_slice() {
        [one] => *one,
        more => {
            return Err(refuse(
                DocumentKind::ElectionDefinition,
                more.len(),
                "exactly one",
            ));
        }
    };
    if candidate_lists.is_empty() {
        return Err(refuse(DocumentKind::CandidateLists, 0, "at least one"));
    }
    let polling_stations = match polling_stations.as_slice() {
        [] => None,
        [one] => Some(*one),
        more => {
            return Err(refuse(
                DocumentKind::PollingStations,
                more.len(),
                "at most one",
            ));
        }
    };
    Ok(MediumFiles {
        definition,
        candidate_lists,
        polling_stations,
    })
}

/// Loads and cross-checks an election: the 110a `definition`, its 230b `candidate_lists`
/// (at least one; a Tweede Kamer election has one per kieskring), and optionally the 110b
/// `polling_stations` of the municipality.
///
/// Checks, besides `eml-nl`'s own (`Strict` mode): every file is for the same election
/// (identifier, category, subcategory, date, and domain where both give one); every 230b
/// contest is in the 110a's tree (a kieskring number, or `geen` for an election without
/// kieskringen) and given once; list numbers increase; candidate positions run 1..n; the
/// 110b's municipality is the domain's (municipal elections) or a municipality of the tree.
pub fn load_election(
    definition: &SourceFile<'_>,
    candidate_lists: &[SourceFile<'_>],
    polling_stations: Option<&SourceFile<'_>>,
) -> Result<Election, DefinitionError> {
    let mut election = load_definition(definition)?;
    if candidate_lists.is_empty() {
        return Err(DefinitionError {
            file: definition.name.to_string(),
            problem: DefinitionProblem::NoCandidateLists,
        });
    }
    let mut contest_files: Vec<(ContestId, String)> = Vec::new();
    for file in candidate_lists {
        let lists = load_candidate_lists(file)?;
        let err = |problem| DefinitionError {
            file: file.name.to_string(),
            problem,
        };
        check_same_election(&election, &lists.election).map_err(err)?;
        for contest in &lists.contests {
            check_contest_in_tree(&election, &contest.id).map_err(err)?;
            if let Some((_, other)) = contest_files.iter().find(|(id, _)| id == &contest.id) {
                return Err(err(DefinitionProblem::DuplicateContest {
                    contest: contest.id.0.clone(),
                    other_file: other.clone(),
                }));
            }
            contest_files.push((contest.id.clone(), file.name.to_string()));
        }
        election.sources.push(lists.source);
        election.parse_warnings.extend(lists.warnings);
        election.contests.extend(lists.contests);
    }
    if let Some(file) = polling_stations {
        let stations = load_polling_stations(file)?;
        let err = |problem| DefinitionError {
            file: file.name.to_string(),
            problem,
        };
        check_same_election(&election, &stations.election).map_err(err)?;
        check_municipality(&election, &stations.list.municipality).map_err(err)?;
        election.sources.push(stations.source);
        election.parse_warnings.extend(stations.warnings);
        election.polling_stations = Some(stations.list);
    }
    Ok(election)
}

/// Loads a 110a alone: the election, its tree, seats and threshold; no contests and no
/// polling stations yet.
pub fn load_definition(file: &SourceFile<'_>) -> Result<Election, DefinitionError> {
    let (doc, warnings): (ElectionDefinition, _) = parse(file, DocumentKind::ElectionDefinition)?;
    let err = |problem| DefinitionError {
        file: file.name.to_string(),
        problem,
    };
    let e = &doc.election_event.election;
    let ident = &e.identifier;
    let id = ElectionId(ident.id.raw().into_owned());
    let category = category(&ident.category).map_err(err)?;
    let subcategory = subcategory(&ident.subcategory).map_err(err)?;
    let election_date = date(&ident.election_date, "kr:ElectionDate").map_err(err)?;
    let nomination_date = date(&ident.nomination_date, "kr:NominationDate").map_err(err)?;
    let number_of_seats = small_number(&e.number_of_seats, "kr:NumberOfSeats").map_err(err)?;
    let preference_threshold =
        small_number(&e.preference_threshold, "kr:PreferenceThreshold").map_err(err)?;
    if number_of_seats == 0 {
        return Err(err(DefinitionProblem::Value {
            field: "kr:NumberOfSeats".into(),
            expected: "at least 1 seat",
            found: "0".into(),
        }));
    }
    e.election_tree.hierarchy().map_err(|tree_error| {
        err(DefinitionProblem::Eml {
            issues: vec![EmlIssue {
                span: None,
                problem: crate::eml::EmlProblem::ElectionTree {
                    reason: tree_error.to_string(),
                },
            }],
        })
    })?;
    let regions = e.election_tree.regions.iter().map(region).collect();
    Ok(Election {
        id,
        name: ident.name.to_string(),
        category,
        subcategory,
        date: election_date,
        nomination_date,
        domain: ident.domain.as_ref().map(domain),
        number_of_seats,
        preference_threshold,
        regions,
        contests: Vec::new(),
        polling_stations: None,
        sources: vec![SourceDigest {
            kind: SourceKind::Definition,
            name: file.name.to_string(),
            sha256: Sha256Digest::of(file.bytes),
        }],
        parse_warnings: warnings,
        eml_version: crate::eml::names::EmlVersion::from_eml_nl(doc.version),
    })
}

/// Loads a 230b alone and checks it on its own: list numbers increase within each
/// contest, candidate positions run 1..n within each list, no contest is given twice.
pub fn load_candidate_lists(file: &SourceFile<'_>) -> Result<CandidateListsFile, DefinitionError> {
    let (doc, warnings): (CandidateLists, _) = parse(file, DocumentKind::CandidateLists)?;
    let err = |problem| DefinitionError {
        file: file.name.to_string(),
        problem,
    };
    let e = &doc.candidate_list.election;
    let ident = &e.identifier;
    let header = ElectionHeader {
        id: ElectionId(ident.id.raw().into_owned()),
        name: ident.name.as_ref().map(ToString::to_string),
        category: category(&ident.category).map_err(err)?,
        subcategory: ident
            .subcategory
            .as_ref()
            .map(subcategory)
            .transpose()
            .map_err(err)?,
        domain: ident.domain.as_ref().map(domain),
        date: date(&ident.election_date, "kr:ElectionDate").map_err(err)?,
    };
    let mut contests: Vec<Contest> = Vec::new();
    for c in &e.contests {
        let id = ContestId(c.identifier.id.raw().into_owned());
        if contests.iter().any(|known| known.id == id) {
            return Err(err(DefinitionProblem::DuplicateContest {
                contest: id.0,
                other_file: file.name.to_string(),
            }));
        }
        let mut lists: Vec<PoliticalList> = Vec::new();
        for (index, a) in c.affiliations.iter().enumerate() {
            let place = format!("Contest {} / Affiliation {}", id.0, index.saturating_add(1));
            let raw = a.identifier.id.raw();
            let number = raw.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                err(DefinitionProblem::Value {
                    field: format!("{place} / AffiliationIdentifier Id"),
                    expected: "a list number from 1",
                    found: raw.to_string(),
                })
            })?;
            if let Some(previous) = lists.last().map(|l| l.number.0) {
                if previous == number {
                    return Err(err(DefinitionProblem::DuplicateListNumber {
                        contest: id.0.clone(),
                        number,
                    }));
                }
                if previous > number {
                    return Err(err(DefinitionProblem::ListNumbersNotIncreasing {
                        contest: id.0.clone(),
                        previous,
                        found: number,
                    }));
                }
            }
            let mut candidates = Vec::with_capacity(a.candidates.len());
            for (index, c) in a.candidates.iter().enumerate() {
                let expected = u32::try_from(index.saturating_add(1)).unwrap_or(u32::MAX);
                let raw = c.identifier.id.raw();
                let found = raw.parse::<u64>().map_err(|_| {
                    err(DefinitionProblem::Value {
                        field: format!("{place} / Candidate {expected} / CandidateIdentifier Id"),
                        expected: "a candidate position from 1",
                        found: raw.to_string(),
                    })
                })?;
                if found != u64::from(expected) {
                    return Err(err(DefinitionProblem::CandidatePosition {
                        contest: id.0.clone(),
                        list: number,
                        expected,
                        found,
                    }));
                }
                candidates.push(
                    candidate(c, CandidatePosition(expected), || {
                        format!("{place} / Candidate {expected} / CandidateFullName")
                    })
                    .map_err(err)?,
                );
            }
            lists.push(PoliticalList {
                number: ListNumber(number),
                name: a
                    .identifier
                    .registered_name
                    .as_deref()
                    .unwrap_or("")
                    .to_string(),
                candidates,
            });
        }
        contests.push(Contest {
            id,
            name: c.identifier.name.as_ref().map(ToString::to_string),
            lists,
        });
    }
    Ok(CandidateListsFile {
        election: header,
        contests,
        source: SourceDigest {
            kind: SourceKind::CandidateLists,
            name: file.name.to_string(),
            sha256: Sha256Digest::of(file.bytes),
        },
        warnings,
    })
}

/// Loads a 110b alone: one municipality's polling stations with their eligible voters.
pub fn load_polling_stations(
    file: &SourceFile<'_>,
) -> Result<PollingStationsFile, DefinitionError> {
    let (doc, warnings): (PollingStations, _) = parse(file, DocumentKind::PollingStations)?;
    let err = |problem| DefinitionError {
        file: file.name.to_string(),
        problem,
    };
    let e = &doc.election_event.election;
    let ident = &e.identifier;
    let header = ElectionHeader {
        id: ElectionId(ident.id.raw().into_owned()),
        name: ident.name.as_ref().map(ToString::to_string),
        category: category(&ident.category).map_err(err)?,
        subcategory: ident
            .subcategory
            .as_ref()
            .map(subcategory)
            .transpose()
            .map_err(err)?,
        domain: ident.domain.as_ref().map(domain),
        date: date(&ident.election_date, "kr:ElectionDate").map_err(err)?,
    };
    let mut municipality: Option<(String, String)> = None;
    let mut stations: Vec<PollingStation> = Vec::new();
    let mut numbers = BTreeSet::new();
    for contest in &e.contests {
        let unit = &contest.reporting_unit.identifier;
        let code = unit.id.raw().into_owned();
        match &municipality {
            Some((first, _)) if first != &code => {
                return Err(err(DefinitionProblem::SeveralMunicipalities {
                    first: first.clone(),
                    found: code,
                }));
            }
            Some(_) => {}
            None => {
                if code.len() != 4 || !code.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(err(DefinitionProblem::Value {
                        field: "ReportingUnitIdentifier Id".into(),
                        expected: "a four-digit municipality code",
                        found: code,
                    }));
                }
                municipality = Some((code, unit.name.to_string()));
            }
        }
        for place in &contest.polling_places {
            let location = &place.physical_location;
            let station = &location.polling_station;
            let raw = station.id.raw();
            let number = raw.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                err(DefinitionProblem::Value {
                    field: "PollingStation Id".into(),
                    expected: "a polling station number from 1",
                    found: raw.to_string(),
                })
            })?;
            if !numbers.insert(number) {
                return Err(err(DefinitionProblem::DuplicatePollingStation { number }));
            }
            let voters = station.data.trim();
            let eligible_voters = if voters.is_empty() {
                None
            } else {
                Some(voters.parse::<u64>().map_err(|_| {
                    err(DefinitionProblem::Value {
                        field: format!("PollingStation {number} (eligible voters)"),
                        expected: "a whole number of eligible voters",
                        found: voters.to_string(),
                    })
                })?)
            };
            let locality = &location.address.locality;
            stations.push(PollingStation {
                number: PollingStationNumber(number),
                name: locality.locality_name.name.to_string(),
                postcode: locality
                    .postal_code
                    .as_ref()
                    .map(|p| p.number().to_string()),
                eligible_voters,
            });
        }
    }
    let Some((code, name)) = municipality else {
        return Err(err(DefinitionProblem::Eml {
            issues: vec![EmlIssue {
                span: None,
                problem: crate::eml::EmlProblem::MissingContest,
            }],
        }));
    };
    stations.sort_by_key(|s| s.number);
    Ok(PollingStationsFile {
        election: header,
        list: PollingStationList {
            municipality: MunicipalityCode(code),
            municipality_name: name,
            stations,
        },
        source: SourceDigest {
            kind: SourceKind::PollingStations,
            name: file.name.to_string(),
            sha256: Sha256Digest::of(file.bytes),
        },
        warnings,
    })
}

/// Input guards, then `eml-nl` in `Strict` mode.
fn parse<T: EMLRead>(
    file: &SourceFile<'_>,
    kind: DocumentKind,
) -> Result<(T, Vec<String>), DefinitionError> {
    let checked =
        check_xml_input_of_kind(file.name, file.bytes, &[kind]).map_err(|e| DefinitionError {
            file: e.file,
            problem: DefinitionProblem::Input(e.problem),
        })?;
    let (doc, issues) =
        parse_with_mode::<T>(checked.text, EMLParsingMode::Strict).map_err(|issues| {
            DefinitionError {
                file: file.name.to_string(),
                problem: DefinitionProblem::Eml { issues },
            }
        })?;
    let warnings = issues
        .iter()
        .map(|i| format!("{}: {i}", file.name))
        .collect();
    Ok((doc, warnings))
}

fn category(
    value: &StringValue<eml_nl::utils::ElectionCategory>,
) -> Result<ElectionCategory, DefinitionProblem> {
    use eml_nl::utils::ElectionCategory as E;
    let parsed = value.copied_value().map_err(|_| DefinitionProblem::Value {
        field: "ElectionCategory".into(),
        expected: "an EML_NL election category",
        found: value.raw().into_owned(),
    })?;
    Ok(match parsed {
        E::TK => ElectionCategory::TK,
        E::EK => ElectionCategory::EK,
        E::EP => ElectionCategory::EP,
        E::PS => ElectionCategory::PS,
        E::AB => ElectionCategory::AB,
        E::GR => ElectionCategory::GR,
        E::ER => ElectionCategory::ER,
        E::NR => ElectionCategory::NR,
        other => {
            return Err(DefinitionProblem::UnsupportedCategory {
                found: other.to_eml_value().to_string(),
            });
        }
    })
}

fn subcategory(
    value: &StringValue<eml_nl::utils::ElectionSubcategory>,
) -> Result<ElectionSubcategory, DefinitionProblem> {
    use eml_nl::utils::ElectionSubcategory as E;
    let parsed = value.copied_value().map_err(|_| DefinitionProblem::Value {
        field: "kr:ElectionSubcategory".into(),
        expected: "an EML_NL election subcategory",
        found: value.raw().into_owned(),
    })?;
    Ok(match parsed {
        E::PS1 => ElectionSubcategory::PS1,
        E::PS2 => ElectionSubcategory::PS2,
        E::AB1 => ElectionSubcategory::AB1,
        E::AB2 => ElectionSubcategory::AB2,
        E::GR1 => ElectionSubcategory::GR1,
        E::GR2 => ElectionSubcategory::GR2,
        E::BC => ElectionSubcategory::BC,
        E::GC => ElectionSubcategory::GC,
        E::ER1 => ElectionSubcategory::ER1,
        E::TK => ElectionSubcategory::TK,
        E::EK => ElectionSubcategory::EK,
        E::EP => ElectionSubcategory::EP,
        E::NR => ElectionSubcategory::NR,
        E::PR => ElectionSubcategory::PR,
        E::LR => ElectionSubcategory::LR,
        E::IR => ElectionSubcategory::IR,
        // Electoral colleges (kiescolleges) of Caribbean Netherlands and of non-residents,
        // new in EML_NL 1.3: their category KC is not one the appliance counts.
        E::KCCN | E::KCNI => {
            return Err(DefinitionProblem::UnsupportedCategory {
                found: parsed.to_eml_value().to_string(),
            });
        }
    })
}

fn date(value: &StringValue<XsDate>, field: &str) -> Result<ElectionDate, DefinitionProblem> {
    let bad = || DefinitionProblem::Value {
        field: field.to_string(),
        expected: "a date YYYY-MM-DD",
        found: value.raw().into_owned(),
    };
    let parsed = value.value_err().map_err(|_| bad())?;
    // NaiveDate displays as YYYY-MM-DD for years 0..=9999.
    let text = parsed.date.to_string();
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    Ok(ElectionDate {
        year: y.parse().map_err(|_| bad())?,
        month: m.parse().map_err(|_| bad())?,
        day: d.parse().map_err(|_| bad())?,
    })
}

fn small_number(value: &StringValue<u64>, field: &str) -> Result<u32, DefinitionProblem> {
    value
        .copied_value()
        .ok()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| DefinitionProblem::Value {
            field: field.to_string(),
            expected: "a whole number below 2^32",
            found: value.raw().into_owned(),
        })
}

fn domain(d: &eml_nl::common::ElectionDomain) -> ElectionDomain {
    ElectionDomain {
        id: d.id.as_ref().map(|id| id.raw().into_owned()),
        name: d.name.to_string(),
    }
}

fn region_category(c: eml_nl::utils::RegionCategory) -> RegionCategory {
    use eml_nl::utils::RegionCategory as E;
    match c {
        E::State => RegionCategory::State,
        E::WaterAuthority => RegionCategory::WaterBoard,
        E::Province => RegionCategory::Province,
        E::ElectoralCollege => RegionCategory::ElectoralCollege,
        E::ElectoralDistrict => RegionCategory::Kieskring,
        E::WaterAuthorityElectoralDistrict => RegionCategory::WaterBoardKieskring,
        E::ProvinceElectoralDistrict => RegionCategory::ProvincialKieskring,
        E::ProvincePollingStation => RegionCategory::ProvincialPollingStation,
        E::WaterAuthorityMunicipality => RegionCategory::WaterBoardMunicipality,
        E::Municipality => RegionCategory::Municipality,
        E::IslandMunicipality => RegionCategory::IslandMunicipality,
        E::SubMunicipality => RegionCategory::SubMunicipality,
        E::PollingStation => RegionCategory::PollingStation,
    }
}

fn region_key(k: &eml_nl::common::RegionKey) -> RegionKey {
    RegionKey {
        category: region_category(k.category),
        number: k.number.map(u32::from),
    }
}

fn region(r: &eml_nl::common::Region) -> Region {
    use eml_nl::utils::CommitteeCategory as E;
    Region {
        key: region_key(&r.key),
        name: r.name.to_string(),
        superior: r.superior_region_key.as_ref().map(region_key),
        committees: r
            .committees
            .iter()
            .map(|c| Committee {
                category: match c.category {
                    E::CSB => CommitteeCategory::CSB,
                    E::HSB => CommitteeCategory::HSB,
                    E::ProvSB => CommitteeCategory::ProvSB,
                    E::PSB => CommitteeCategory::PSB,
                },
                name: c.name.as_ref().map(ToString::to_string),
            })
            .collect(),
    }
}

fn candidate(
    c: &CandidateListsCandidate,
    position: CandidatePosition,
    field: impl FnOnce() -> String,
) -> Result<Candidate, DefinitionProblem> {
    // EML_NL 1.3 lets a candidate refer to one named elsewhere (230c); a 230b names each.
    let Some(full_name) = &c.full_name else {
        return Err(DefinitionProblem::Value {
            field: field(),
            expected: "the candidate's name (CandidateFullName)",
            found: String::new(),
        });
    };
    let name = &full_name.person_name;
    Ok(Candidate {
        position,
        initials: name.get_initials().unwrap_or("").to_string(),
        first_name: name.get_first_name().map(str::to_string),
        prefix: name.get_name_prefix().map(str::to_string),
        last_name: name.get_last_name().to_string(),
        locality: c
            .qualifying_address
            .as_ref()
            .map(|a| a.locality().locality_name().to_string()),
        gender: c.gender.as_ref().map(|g| g.raw().into_owned()),
        short_code: c
            .identifier
            .short_code
            .as_ref()
            .map(|s| s.raw().into_owned()),
    })
}

/// The 230b or 110b names the same election as the 110a: identifier, category, date;
/// subcategory and domain where both give one.
fn check_same_election(
    election: &Election,
    header: &ElectionHeader,
) -> Result<(), DefinitionProblem> {
    let differ = |field: &'static str, expected: String, found: String| {
        Err(DefinitionProblem::OtherElection {
            field,
            expected,
            found,
        })
    };
    if header.id != election.id {
        return differ(
            "ElectionIdentifier Id",
            election.id.0.clone(),
            header.id.0.clone(),
        );
    }
    if header.category != election.category {
        return differ(
            "ElectionCategory",
            election.category.to_string(),
            header.category.to_string(),
        );
    }
    if let Some(sub) = header.subcategory
        && sub != election.subcategory
    {
        return differ(
            "kr:ElectionSubcategory",
            election.subcategory.to_string(),
            sub.to_string(),
        );
    }
    if header.date != election.date {
        return differ(
            "kr:ElectionDate",
            election.date.to_string(),
            header.date.to_string(),
        );
    }
    if let (Some(ours), Some(theirs)) = (&election.domain, &header.domain) {
        let same = match (&ours.id, &theirs.id) {
            (Some(a), Some(b)) => a == b,
            _ => ours.name == theirs.name,
        };
        if !same {
            let show = |d: &ElectionDomain| match &d.id {
                Some(id) => format!("{id} {}", d.name),
                None => d.name.clone(),
            };
            return differ("kr:ElectionDomain", show(ours), show(theirs));
        }
    }
    Ok(())
}

/// A contest of a 230b must be in the 110a's tree: a kieskring's number (Arabic, or Roman
/// where the tree uses Roman numerals), or `geen` for an election with at most one
/// kieskring.
fn check_contest_in_tree(election: &Election, id: &ContestId) -> Result<(), DefinitionProblem> {
    let kieskringen: Vec<u32> = election
        .kieskringen()
        .filter_map(|r| r.key.number)
        .collect();
    let ok = if id.0 == "geen" {
        kieskringen.len() <= 1
    } else {
        let number = id.0.parse::<u32>().ok().or_else(|| roman(&id.0));
        number.is_some_and(|n| kieskringen.contains(&n))
    };
    if ok {
        return Ok(());
    }
    let expected = if kieskringen.len() <= 1 {
        "geen (this election has no kieskring contests)".to_string()
    } else {
        let list: Vec<String> = kieskringen.iter().map(u32::to_string).collect();
        format!("one of the kieskringen {}", list.join(", "))
    };
    Err(DefinitionProblem::ContestNotInTree {
        contest: id.0.clone(),
        expected,
    })
}

/// The value of a Roman numeral (I, IV, XX, ...), when `s` is one.
fn roman(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    let value = |c: char| match c {
        'I' => Some(1i64),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        'D' => Some(500),
        'M' => Some(1000),
        _ => None,
    };
    let digits: Vec<i64> = s.chars().map(value).collect::<Option<_>>()?;
    let mut total: i64 = 0;
    for (i, d) in digits.iter().enumerate() {
        let next = digits.get(i.saturating_add(1)).copied().unwrap_or(0);
        if *d < next {
            total = total.checked_sub(*d)?;
        } else {
            total = total.checked_add(*d)?;
        }
    }
    u32::try_from(total).ok().filter(|n| *n > 0)
}

/// The 110b's municipality: the domain's code when the election has a municipality as
/// its domain (municipal council), otherwise a municipality of the tree.
fn check_municipality(
    election: &Election,
    code: &MunicipalityCode,
) -> Result<(), DefinitionProblem> {
    if let Some((domain_code, name)) = election.domain_municipality() {
        if &domain_code == code {
            return Ok(());
        }
        return Err(DefinitionProblem::MunicipalityNotInElection {
            found: code.0.clone(),
            expected: format!("{} {name} (the election's domain)", domain_code.0),
        });
    }
    if election.municipality_region(code).is_some() {
        return Ok(());
    }
    Err(DefinitionProblem::MunicipalityNotInElection {
        found: code.0.clone(),
        expected: "a municipality of the 110a's election tree".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals() {
        assert_eq!(roman("I"), Some(1));
        assert_eq!(roman("IV"), Some(4));
        assert_eq!(roman("XIX"), Some(19));
        assert_eq!(roman("XX"), Some(20));
        assert_eq!(roman("geen"), None);
        assert_eq!(roman(""), None);
    }
}
