//! The osv4-3 CSV export of a count (510b, 510c or 510d), written by the Kiesraad's own
//! code: `eml-nl`'s [`ElectionCount::as_osv4_3_csv`], the function behind its `eml2csv`
//! tool. This module does not format a single CSV field itself; it only
//!
//! 1. passes every file through the input guards of [`crate::eml::limits`] (a 510b/510c/510d
//!    and 230b files) and parses them with `eml-nl` in `Strict` mode, as `eml2csv` does;
//! 2. picks the candidate list contest of the count (same `ElectionIdentifier` Id, same
//!    `ContestIdentifier` Id), among several 230b files if need be (a Tweede Kamer
//!    definition carries one per kieskring);
//! 3. refuses what would make `eml-nl`'s writer panic or write a wrong table: a sum
//!    `blank + invalid + TotalCounted` above `u64::MAX` (it adds them unchecked; with
//!    `overflow-checks` a panic), and a reporting unit whose selections are not exactly the
//!    lists and candidates of `TotalVotes`, each once (its writer appends each unit's
//!    numbers to the row of the list or candidate named, so a missing or repeated
//!    selection would shift the later columns of that row to the wrong polling station);
//! 4. calls `as_osv4_3_csv` with a UTF-8 byte order mark and without a final newline (the
//!    format as the Kiesraad publishes it), and `as_osv4_3_csv_filename` for the file name.
//!
//! See `docs/csv.md`.

use std::fmt;

use eml_nl::documents::candidate_lists::{CandidateLists, CandidateListsContest};
use eml_nl::documents::election_count::{
    ElectionCount, ElectionCountSelection, ElectionCountSelectionType,
};
use eml_nl::io::EMLParsingMode;
use eml_nl::utils::StringValue;
use thiserror::Error;

use crate::eml::definition::SourceFile;
use crate::eml::limits::{DocumentKind, InputError, check_xml_input_of_kind};
use crate::eml::{EmlIssue, eml_issues, parse_with_mode};

/// An osv4-3 CSV file: its bytes and the Kiesraad's name for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Osv43Csv {
    /// The name `eml-nl` gives it: `osv4-3_telling_gr2022_westmaasenwaal.csv`,
    /// `osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv`.
    pub file_name: String,
    /// The CSV: UTF-8 with a byte order mark, fields separated by `;`, lines ended by `\n`,
    /// no final newline.
    pub bytes: Vec<u8>,
}

/// Why no CSV could be written. Every variant names the file concerned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CsvError {
    /// A file failed the input guards (size, UTF-8, DOCTYPE/ENTITY, root element, kind: the
    /// count must be a 510b, 510c or 510d, each candidate list file a 230b).
    #[error("{0}")]
    Input(InputError),
    /// `eml-nl` refused a file (`Strict` mode): its issues, the fatal one last.
    #[error("{file}: EML_NL: {}", list(.issues))]
    Eml {
        /// The file's name.
        file: String,
        /// What `eml-nl` reported.
        issues: Vec<EmlIssue>,
    },
    /// No candidate list file was given.
    #[error("no candidate lists (230b) given: the CSV names every list and candidate")]
    NoCandidateLists,
    /// The count has no `Contest`.
    #[error("{file}: the count has no Contest")]
    NoContest {
        /// The count's name.
        file: String,
    },
    /// No candidate list file is of the count's election.
    #[error(
        "{file}: the count is of election {election}; no candidate lists (230b) of that election given (found {found})"
    )]
    OtherElection {
        /// The count's name.
        file: String,
        /// The count's `ElectionIdentifier` Id.
        election: String,
        /// The election Ids of the candidate list files given.
        found: String,
    },
    /// The candidate list files of the election hold no contest with the count's Id.
    #[error(
        "{file}: no candidate lists (230b) of contest {contest} given (the count's ContestIdentifier)"
    )]
    OtherContest {
        /// The count's name.
        file: String,
        /// The count's `ContestIdentifier` Id.
        contest: String,
    },
    /// `blank + invalid + TotalCounted` of a unit (or of `TotalVotes`) is larger than
    /// `u64::MAX`: the CSV's "aangetroffen stembiljetten" cannot be written.
    #[error(
        "{file}: {place}: blank + invalid + TotalCounted is larger than {}",
        u64::MAX
    )]
    TooLarge {
        /// The count's name.
        file: String,
        /// `TotalVotes` or `ReportingUnitVotes <Id>`.
        place: String,
    },
    /// A reporting unit's selections are not the lists and candidates of `TotalVotes`, each
    /// once: the CSV's columns would not line up.
    #[error(
        "{file}: {place}: its lists and candidates are not those of TotalVotes, each exactly once ({detail})"
    )]
    Selections {
        /// The count's name.
        file: String,
        /// `TotalVotes` or `ReportingUnitVotes <Id>`.
        place: String,
        /// The first difference.
        detail: String,
    },
    /// `eml-nl`'s CSV writer refused the count (a list or candidate not in the candidate
    /// lists, a missing blank or invalid count, an unparsable value).
    #[error("{file}: the CSV cannot be written: {}", list(.issues))]
    Writer {
        /// The count's name.
        file: String,
        /// What `eml-nl` reported.
        issues: Vec<EmlIssue>,
    },
}

fn list(issues: &[EmlIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Writes the osv4-3 CSV of `count` (a 510b, 510c or 510d) with the names of its lists and
/// candidates from `candidate_lists` (one or more 230b files; the one whose election and
/// contest are the count's is used, the others are only parsed).
///
/// The CSV and its name are `eml-nl`'s ([`ElectionCount::as_osv4_3_csv`] with a byte order
/// mark and no final newline, [`ElectionCount::as_osv4_3_csv_filename`]). No I/O; never
/// panics on input.
pub fn osv4_3_csv(
    count: &SourceFile<'_>,
    candidate_lists: &[SourceFile<'_>],
) -> Result<Osv43Csv, CsvError> {
    let text = check_xml_input_of_kind(
        count.name,
        count.bytes,
        &[
            DocumentKind::Count510b,
            DocumentKind::Count510c,
            DocumentKind::Count510d,
        ],
    )
    .map_err(CsvError::Input)?
    .text;
    let doc: ElectionCount = parse(count.name, text)?;
    if candidate_lists.is_empty() {
        return Err(CsvError::NoCandidateLists);
    }
    let mut lists = Vec::with_capacity(candidate_lists.len());
    for file in candidate_lists {
        let text = check_xml_input_of_kind(file.name, file.bytes, &[DocumentKind::CandidateLists])
            .map_err(CsvError::Input)?
            .text;
        lists.push(parse::<CandidateLists>(file.name, text)?);
    }
    let file = count.name.to_string();
    let contest = doc
        .count
        .election
        .contests
        .first()
        .ok_or_else(|| CsvError::NoContest { file: file.clone() })?;
    let election_id = &doc.count.election.identifier.id;
    let of_election: Vec<&CandidateLists> = lists
        .iter()
        .filter(|l| &l.candidate_list.election.identifier.id == election_id)
        .collect();
    if of_election.is_empty() {
        return Err(CsvError::OtherElection {
            file,
            election: election_id.raw().into_owned(),
            found: lists
                .iter()
                .map(|l| l.candidate_list.election.identifier.id.raw().into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let contest_id = contest.identifier.id.raw();
    let resolver: &CandidateListsContest = of_election
        .iter()
        .flat_map(|l| l.candidate_list.election.contests.iter())
        .find(|c| c.identifier.id.raw() == contest_id)
        .ok_or_else(|| CsvError::OtherContest {
            file: file.clone(),
            contest: contest_id.clone().into_owned(),
        })?;

    if let Some(total) = &contest.total_votes {
        let place = "TotalVotes";
        let expected = selection_keys(&total.selections);
        if let Some(detail) = duplicate(&expected) {
            return Err(CsvError::Selections {
                file,
                place: place.into(),
                detail,
            });
        }
        check_sum(
            &file,
            place,
            [
                total.blank_votes().ok(),
                total.invalid_votes().ok(),
                Some(&total.candidate_votes_count),
            ],
        )?;
        for unit in &contest.reporting_unit_votes {
            let place = format!("ReportingUnitVotes {}", unit.identifier.id.raw());
            let found = selection_keys(&unit.selections);
            if let Some(detail) = difference(&expected, &found) {
                return Err(CsvError::Selections {
                    file,
                    place,
                    detail,
                });
            }
            check_sum(
                &file,
                &place,
                [
                    unit.blank_votes().ok(),
                    unit.invalid_votes().ok(),
                    Some(&unit.candidate_votes_count),
                ],
            )?;
        }
    }

    let csv = doc
        .as_osv4_3_csv(resolver, true, false)
        .map_err(|e| CsvError::Writer {
            file: file.clone(),
            issues: eml_issues(&e),
        })?;
    let file_name = doc
        .as_osv4_3_csv_filename()
        .map_err(|e| CsvError::Writer {
            file: file.clone(),
            issues: eml_issues(&e),
        })?
        .into_os_string()
        .into_string()
        .map_err(|_| CsvError::Writer {
            file,
            issues: Vec::new(),
        })?;
    Ok(Osv43Csv {
        file_name,
        bytes: csv.into_bytes(),
    })
}

fn parse<T: eml_nl::io::EMLRead>(file: &str, text: &str) -> Result<T, CsvError> {
    parse_with_mode::<T>(text, EMLParsingMode::Strict)
        .map(|(doc, _)| doc)
        .map_err(|issues| CsvError::Eml {
            file: file.to_string(),
            issues,
        })
}

/// Refuses blank + invalid + `TotalCounted` above `u64::MAX`, the sum `eml-nl` writes as
/// "aangetroffen stembiljetten" (values missing or not parsed are left to `eml-nl`, which
/// reports them).
fn check_sum(
    file: &str,
    place: &str,
    values: [Option<&StringValue<u64>>; 3],
) -> Result<(), CsvError> {
    let mut sum: u64 = 0;
    for value in values.into_iter().flatten() {
        if let Ok(v) = value.copied_value() {
            sum = sum.checked_add(v).ok_or_else(|| CsvError::TooLarge {
                file: file.to_string(),
                place: place.to_string(),
            })?;
        }
    }
    Ok(())
}

/// A selection as `eml-nl`'s CSV writer files it: the list's Id, and the candidate's Id
/// within the list that precedes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    list: String,
    candidate: Option<String>,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.candidate {
            None => write!(f, "list {}", self.list),
            Some(c) => write!(f, "list {} candidate {c}", self.list),
        }
    }
}

fn selection_keys(selections: &[ElectionCountSelection]) -> Vec<Key> {
    let mut list = String::new();
    let mut keys = Vec::with_capacity(selections.len());
    for s in selections {
        match &s.selection_type {
            ElectionCountSelectionType::Affiliation(a) => {
                list = a.id.raw().into_owned();
                keys.push(Key {
                    list: list.clone(),
                    candidate: None,
                });
            }
            ElectionCountSelectionType::Candidate(c) => keys.push(Key {
                list: list.clone(),
                candidate: Some(c.identifier.id.raw().into_owned()),
            }),
            // eml-nl's writer refuses these itself.
            ElectionCountSelectionType::ReferendumOption(_) => {}
        }
    }
    keys.sort();
    keys
}

fn duplicate(sorted: &[Key]) -> Option<String> {
    sorted.windows(2).find_map(|w| match w {
        [a, b] if a == b => Some(format!("{a} appears twice")),
        _ => None,
    })
}

fn difference(expected: &[Key], found: &[Key]) -> Option<String> {
    if let Some(d) = duplicate(found) {
        return Some(d);
    }
    if let Some(k) = expected.iter().find(|k| found.binary_search(k).is_err()) {
        return Some(format!("{k} is missing"));
    }
    found
        .iter()
        .find(|k| expected.binary_search(k).is_err())
        .map(|k| format!("{k} is not in TotalVotes"))
}
