//! Reading and writing the 520 result ("Resultaat"): the lists that won seats and the
//! elected candidates.
//!
//! A 520 names only what was elected: one `Selection` per list with seats (its
//! `AffiliationIdentifier`, `Elected` yes) followed by one `Selection` per elected
//! candidate of that list (`Ranking` 1: elected on preference votes, P 15; `Ranking` 2:
//! elected in list order, P 17). The number of seats of a list is the number of its
//! elected candidates. Lists without seats do not appear.
//!
//! - [`read_result`] reads a 520 through `eml-nl` in `StrictFallback` mode (the real
//!   `Resultaat_TK2021.eml.xml` has a candidate `ShortCode` with a non-ASCII letter, which
//!   `Strict` refuses; the raw text is kept as it is).
//! - [`result_from_outcome`] builds a [`ResultFile`] from a complete seat apportionment and
//!   candidate election, with the candidates' names from the election's 230b.
//! - [`write_result`] writes it through `eml-nl`'s writer; the output validates against
//!   `520-result-kiesraad-strict.xsd`. [`result_file_name`] gives `Resultaat_<ElectionId>.eml.xml`.

use std::num::NonZeroU64;

use eml_nl::common::{
    AuthorityIdentifier, CandidateIdentifier, ContestIdentifier, CreationDateTime, ElectionDomain,
    ManagingAuthority, PersonName, PersonNameStructure, TransactionId,
};
use eml_nl::documents::election_result::{
    AffiliationSelection, CandidateSelection, ElectionResult, ElectionResultContest,
    ElectionResultElection, ElectionResultElectionIdentifier, ElectionResultResult,
    ElectionResultSelection, ElectionResultSelectionType, RankingType,
};
use eml_nl::io::{EMLParsingMode, EMLWrite as _};
use eml_nl::utils::{
    AffiliationId, AuthorityId, CandidateId, ContestId as EmlContestId, ElectionCategory as EmlCat,
    ElectionDomainId, ElectionId as EmlElectionId, ElectionSubcategory as EmlSubcat, Gender,
    NameShortCode, StringValue, StringValueData, XsDate, XsDateTime,
};

use crate::apportionment::{ElectedBy, ListElected, SeatApportionment};
use crate::election::{Candidate, Election, ElectionCategory};
use crate::eml::count::{category_code, category_from_code};
use crate::eml::limits::{DocumentKind, InputProblem, check_xml_input_of_kind};
use crate::ids::{CandidatePosition, ContestId, ElectionId, ListNumber};

/// What a 520 says about itself: the election, who made it, the contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultHeader {
    /// `TransactionId`.
    pub transaction_id: u64,
    /// `ManagingAuthority/AuthorityIdentifier Id`: `CSB`, or a municipality's code.
    pub authority_id: String,
    /// The authority's name (`Nederland`), when given.
    pub authority_name: Option<String>,
    /// `kr:CreationDateTime` as written (xs:dateTime).
    pub creation_date_time: String,
    /// `ElectionIdentifier Id`: `TK2021`.
    pub election_id: ElectionId,
    /// `ElectionName`, when given.
    pub election_name: Option<String>,
    /// `ElectionCategory`.
    pub category: ElectionCategory,
    /// `kr:ElectionSubcategory`, when given.
    pub subcategory: Option<String>,
    /// `kr:ElectionDomain`: its `Id` (when given) and name.
    pub domain: Option<(Option<String>, String)>,
    /// `kr:ElectionDate` as written (xs:date).
    pub election_date: String,
    /// `ContestIdentifier Id`: `alle`, `geen`.
    pub contest_id: ContestId,
    /// `ContestName`, when given.
    pub contest_name: Option<String>,
}

/// An elected candidate as named in a 520.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultCandidate {
    /// The candidate: `CandidateIdentifier Id` (in `candidate.position`), `ShortCode`,
    /// name, gender and locality. Careful: in the Kiesraad's `Resultaat_TK2021` the `Id` is
    /// the candidate's number among the list's elected (1..seats), not the position on the
    /// list (Bosma, 7th on the PVV list, has `Id` 3); the `ShortCode` identifies the
    /// person. Files this crate writes give the position on the list for a list that is the
    /// same in every kieskring, and, as the Kiesraad does, the number among the list's
    /// elected (1..seats) for a list elected across kieskringen (P 18): there a position
    /// names different persons in different kieskringen (`docs/apportionment-p18-p19.md`).
    pub candidate: Candidate,
    /// `Votes`, when the file gives them.
    pub votes: Option<u64>,
    /// `Ranking`: 1 = elected on preference votes (P 15), 2 = in list order (P 17);
    /// `None` when the file gives no ranking.
    pub by: Option<ElectedBy>,
}

/// A list that won seats, with its elected candidates in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultList {
    /// The list's number (`AffiliationIdentifier Id`).
    pub list: ListNumber,
    /// `RegisteredName`.
    pub name: String,
    /// The elected candidates, in file order (for files this crate writes: preference
    /// seats first in order of votes, then list order).
    pub candidates: Vec<ResultCandidate>,
}

impl ResultList {
    /// The list's seats: the number of its elected candidates.
    pub fn seats(&self) -> usize {
        self.candidates.len()
    }
}

/// A whole 520.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultFile {
    /// Election, authority, contest.
    pub header: ResultHeader,
    /// The lists with seats, in file order.
    pub lists: Vec<ResultList>,
    /// What the committee was told beside the seats (P 9 with P 10, seats left unfilled),
    /// in Dutch. EML_NL's 520 has no element for this (the seats are the elected candidates,
    /// so unfilled seats show as fewer elected than `NumberOfSeats`): [`write_result`] writes
    /// each remark as an XML comment before the root element; [`read_result`] leaves this
    /// empty.
    pub remarks: Vec<String>,
}

impl ResultFile {
    /// The seats of a list (0 when the list is not in the file).
    pub fn seats_of(&self, list: ListNumber) -> usize {
        self.lists
            .iter()
            .find(|l| l.list == list)
            .map_or(0, ResultList::seats)
    }

    /// The total number of seats (elected candidates) in the file.
    pub fn total_seats(&self) -> usize {
        self.lists.iter().map(ResultList::seats).sum()
    }
}

/// Why a 520 could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResultReadError {
    /// The bytes failed an input guard of [`crate::eml::limits`] (size, UTF-8, DOCTYPE,
    /// nesting, not a 520).
    #[error("{0}")]
    Input(InputProblem),
    /// eml-nl refused the document.
    #[error("EML_NL error: {0}")]
    Eml(String),
    /// An element is missing, repeated, or has a value that is not allowed.
    #[error("{element}: {message}")]
    Invalid {
        /// The element concerned, with its place where known.
        element: String,
        /// What is wrong.
        message: String,
    },
}

/// Why a 520 could not be built or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResultWriteError {
    /// A value cannot be expressed in EML_NL, or the input is inconsistent.
    #[error("cannot write {field}: {message}")]
    Value {
        /// The field concerned.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// eml-nl's writer failed.
    #[error("EML writer error: {0}")]
    Writer(String),
}

fn invalid(element: impl Into<String>, message: impl Into<String>) -> ResultReadError {
    ResultReadError::Invalid {
        element: element.into(),
        message: message.into(),
    }
}

fn bad(field: impl Into<String>, message: impl std::fmt::Display) -> ResultWriteError {
    ResultWriteError::Value {
        field: field.into(),
        message: message.to_string(),
    }
}

fn value<T: StringValueData + Clone>(
    v: &StringValue<T>,
    element: &str,
) -> Result<T, ResultReadError> {
    v.value()
        .map(|c| c.into_owned())
        .map_err(|_| invalid(element, format!("{:?} is not a valid value", v.raw())))
}

fn u32_id(n: u64, element: &str) -> Result<u32, ResultReadError> {
    u32::try_from(n).map_err(|_| invalid(element, format!("{n} is too large")))
}

/// The Kiesraad's file name for a result: `Resultaat_<ElectionId>.eml.xml`.
pub fn result_file_name(election_id: &ElectionId) -> String {
    let id: String = election_id
        .0
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("Resultaat_{id}.eml.xml")
}

/// Reads a 520 into a [`ResultFile`]. Never panics on input.
///
/// Refused: anything but a 520; more or fewer than one `Contest`; a candidate before any
/// list; a `Selection` with `Elected` other than yes; a list given twice.
pub fn read_result(bytes: &[u8]) -> Result<ResultFile, ResultReadError> {
    let checked = check_xml_input_of_kind("520", bytes, &[DocumentKind::Result520])
        .map_err(|e| ResultReadError::Input(e.problem))?;
    // Through the one entry to eml-nl, which refuses malformed XML before eml-nl reads it
    // (eml-nl 0.8.1 panics on an end tag that does not match its start tag).
    let (doc, _) =
        crate::eml::parse_with_mode::<ElectionResult>(checked.text, EMLParsingMode::StrictFallback)
            .map_err(|issues| {
                ResultReadError::Eml(
                    issues
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })?;
    convert(&doc)
}

fn convert(doc: &ElectionResult) -> Result<ResultFile, ResultReadError> {
    let election = &doc.result.election;
    let ident = &election.identifier;
    let [contest] = election.contests.as_slice() else {
        return Err(invalid(
            "Contest",
            format!(
                "a 520 must have exactly one Contest, this one has {}",
                election.contests.len()
            ),
        ));
    };
    let authority = &doc.managing_authority.authority_identifier;
    let header = ResultHeader {
        transaction_id: value(&doc.transaction_id.0, "TransactionId")?,
        authority_id: authority.id.raw().into_owned(),
        authority_name: authority.name.as_deref().map(str::to_owned),
        creation_date_time: doc.creation_date_time.raw().into_owned(),
        election_id: ElectionId(ident.id.raw().into_owned()),
        election_name: ident.name.as_deref().map(str::to_owned),
        category: category_from_code(&ident.category.raw())
            .map_err(|e| invalid("ElectionCategory", e.to_string()))?,
        subcategory: ident.subcategory.as_ref().map(|s| s.raw().into_owned()),
        domain: ident.domain.as_ref().map(|d| {
            (
                d.id.as_ref().map(|i| i.raw().into_owned()),
                d.name.to_string(),
            )
        }),
        election_date: ident.election_date.raw().into_owned(),
        contest_id: ContestId(contest.identifier.id.raw().into_owned()),
        contest_name: contest.identifier.name.as_deref().map(str::to_owned),
    };
    let mut lists: Vec<ResultList> = Vec::new();
    for (index, selection) in contest.selections.iter().enumerate() {
        let place = format!("Selection {}", index.saturating_add(1));
        let elected = selection
            .elected
            .copied_value()
            .map_err(|_| invalid(format!("{place}/Elected"), "not yes or no"))?;
        if !elected.is_yes() {
            return Err(invalid(
                format!("{place}/Elected"),
                "a 520 names only what was elected; Elected must be yes",
            ));
        }
        match &selection.selection_type {
            ElectionResultSelectionType::Affiliation(a) => {
                let id = value(&a.id, &format!("{place}/AffiliationIdentifier Id"))?;
                let number = ListNumber(u32_id(
                    id.value().get(),
                    &format!("{place}/AffiliationIdentifier Id"),
                )?);
                if lists.iter().any(|l| l.list == number) {
                    return Err(invalid(
                        format!("{place}/AffiliationIdentifier"),
                        format!("list {number} appears twice"),
                    ));
                }
                lists.push(ResultList {
                    list: number,
                    name: a.name.to_string(),
                    candidates: Vec::new(),
                });
            }
            ElectionResultSelectionType::Candidate(c) => {
                let element = format!("{place}/Candidate/CandidateIdentifier Id");
                let id = value(&c.identifier.id, &element)?;
                let position = CandidatePosition(u32_id(id.value().get(), &element)?);
                let name = &c.name.person_name;
                let by = match &selection.ranking {
                    None => None,
                    Some(r) => Some(match value(r, &format!("{place}/Ranking"))? {
                        RankingType::First => ElectedBy::Preference,
                        RankingType::Second => ElectedBy::ListOrder,
                    }),
                };
                let votes = match &selection.votes {
                    None => None,
                    Some(v) => Some(value(v, &format!("{place}/Votes"))?),
                };
                let candidate = Candidate {
                    position,
                    initials: name.get_initials().unwrap_or_default().to_owned(),
                    first_name: name.first_name.as_ref().map(|f| f.value.to_string()),
                    prefix: name
                        .name_prefix
                        .as_ref()
                        .map(|p| p.value.to_string())
                        .filter(|p| !p.is_empty()),
                    last_name: name.get_last_name().to_owned(),
                    locality: locality_of(&c.qualifying_address),
                    gender: c.gender.as_ref().map(|g| g.raw().into_owned()),
                    short_code: c
                        .identifier
                        .short_code
                        .as_ref()
                        .map(|s| s.raw().into_owned()),
                };
                let Some(list) = lists.last_mut() else {
                    return Err(invalid(
                        place,
                        format!(
                            "candidate {position} comes before any list (AffiliationIdentifier)"
                        ),
                    ));
                };
                if list
                    .candidates
                    .iter()
                    .any(|x| x.candidate.position == position)
                {
                    return Err(invalid(
                        place,
                        format!("candidate {position} of list {} appears twice", list.list),
                    ));
                }
                list.candidates.push(ResultCandidate {
                    candidate,
                    votes,
                    by,
                });
            }
        }
    }
    Ok(ResultFile {
        header,
        lists,
        remarks: Vec::new(),
    })
}

fn locality_of(address: &eml_nl::common::MinimalQualifyingAddress) -> Option<String> {
    use eml_nl::common::MinimalQualifyingAddress as A;
    let name = match address {
        A::Locality(l) => &l.locality_name.name,
        A::Country(c) => &c.locality.locality_name.name,
    };
    Some(name.to_string()).filter(|n| !n.is_empty())
}

/// Who made the result and when: what [`result_from_outcome`] needs besides the election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultMeta {
    /// `TransactionId` (usually 1).
    pub transaction_id: u64,
    /// The authority: `CSB`, or the municipality's code for a municipal council.
    pub authority_id: String,
    /// The authority's name.
    pub authority_name: Option<String>,
    /// `kr:CreationDateTime` (xs:dateTime, `2021-03-23T20:11:35`).
    pub creation_date_time: String,
    /// `ContestIdentifier Id`: `alle` for the Tweede Kamer, `geen` for a council.
    pub contest_id: ContestId,
}

/// Builds the result of an election from a complete seat apportionment and the elected
/// candidates of each list with seats ([`crate::apportionment::CandidateElection::lists`],
/// or per list from [`crate::aggregate::outcome::ListOutcome::Elected`]). Candidates'
/// names, gender, locality and `ShortCode` come from the election's candidate lists
/// (230b); the list's name from its `RegisteredName`.
///
/// The lists are taken from the contest `candidates_contest` (for a Tweede Kamer election
/// whose lists are equal in every kieskring any kieskring will do; for a council `geen`).
///
/// # Errors
/// A list with seats or an elected candidate that is not in the contest; seats that do not
/// match the number of elected candidates of a list.
pub fn result_from_outcome(
    election: &Election,
    candidates_contest: &ContestId,
    seats: &SeatApportionment,
    elected: &[ListElected],
    meta: &ResultMeta,
) -> Result<ResultFile, ResultWriteError> {
    let header = ResultHeader {
        transaction_id: meta.transaction_id,
        authority_id: meta.authority_id.clone(),
        authority_name: meta.authority_name.clone(),
        creation_date_time: meta.creation_date_time.clone(),
        election_id: election.id.clone(),
        election_name: Some(election.name.clone()).filter(|n| !n.is_empty()),
        category: election.category,
        subcategory: Some(election.subcategory.eml_value().to_owned()),
        domain: election
            .domain
            .as_ref()
            .map(|d| (d.id.clone(), d.name.clone())),
        election_date: election.date.to_string(),
        contest_id: meta.contest_id.clone(),
        contest_name: None,
    };
    let mut lists = Vec::new();
    for list_seats in seats.lists.iter().filter(|l| l.seats > 0) {
        let number = list_seats.list;
        let field = format!("list {number}");
        // The list's name from the contest given, else from any contest that has the list
        // (a list not submitted in every kieskring).
        let political = election
            .list(candidates_contest, number)
            .or_else(|| {
                election
                    .contests
                    .iter()
                    .find_map(|c| c.lists.iter().find(|l| l.number == number))
            })
            .ok_or_else(|| bad(&field, format!("not in contest {candidates_contest}")))?;
        let list_elected = elected
            .iter()
            .find(|l| l.list == number)
            .ok_or_else(|| bad(&field, "has seats but no elected candidates"))?;
        if list_elected.elected.len() != list_seats.seats as usize {
            return Err(bad(
                &field,
                format!(
                    "{} seats but {} elected candidates",
                    list_seats.seats,
                    list_elected.elected.len()
                ),
            ));
        }
        let mut candidates = Vec::new();
        for (ordinal, e) in (1u32..).zip(&list_elected.elected) {
            let candidate = match e.district {
                // A list that differs between kieskringen (P 18): the candidate is at
                // `position` on the list of kieskring `district`; where that kieskring's
                // candidate list is not loaded, the candidate as named on the list of another
                // kieskring where the candidate stands. Its `Id` is its number among the
                // list's elected: a position would name other persons in other kieskringen
                // (the same `Id` twice in one list where two are elected from the same
                // position of two kieskringen' lists).
                Some(k) => group_candidate(election, number, k, e.position, &e.stands_on)
                    .map(|c| Candidate {
                        position: CandidatePosition(ordinal),
                        ..c
                    })
                    .ok_or_else(|| {
                        bad(
                            &field,
                            format!(
                                "candidate {} is elected (P 18) on the list of kieskring {k} (position {}), and no candidate list (230b) of a kieskring where the candidate stands is loaded",
                                e.short_code.as_deref().unwrap_or("-"),
                                e.position
                            ),
                        )
                    })?,
                None => political
                    .candidates
                    .iter()
                    .find(|c| c.position == e.position)
                    .cloned()
                    .ok_or_else(|| {
                        bad(
                            &field,
                            format!("candidate {} is not on the list", e.position),
                        )
                    })?,
            };
            candidates.push(ResultCandidate {
                candidate,
                votes: Some(e.votes).filter(|v| *v > 0),
                by: Some(e.by),
            });
        }
        lists.push(ResultList {
            list: number,
            name: political.name.clone(),
            candidates,
        });
    }
    let remarks = seats.notices().into_iter().map(|n| n.label()).collect();
    Ok(ResultFile {
        header,
        lists,
        remarks,
    })
}

/// The candidate at `position` on list `number` of kieskring `district`, or, where that
/// kieskring's candidate list is not loaded, the same candidate on the list `number` of
/// another kieskring of `stands_on` (the kieskringen whose list of the group has the
/// candidate, with the position there), as that 230b names the candidate.
fn group_candidate(
    election: &Election,
    number: ListNumber,
    district: u32,
    position: CandidatePosition,
    stands_on: &[(u32, CandidatePosition)],
) -> Option<Candidate> {
    std::iter::once((district, position))
        .chain(stands_on.iter().copied())
        .find_map(|(k, p)| {
            election
                .list(&ContestId(k.to_string()), number)?
                .candidates
                .iter()
                .find(|c| c.position == p)
        })
        .cloned()
}

/// The schema's `NameShortCodeType`: `\p{L}*\d{0,7}`, 1 to 15 characters.
fn short_code_is_valid(code: &str) -> bool {
    let count = code.chars().count();
    let letters = code.chars().take_while(|c| c.is_alphabetic()).count();
    let digits = code.chars().skip(letters).count();
    (1..=15).contains(&count)
        && digits <= 7
        && code.chars().skip(letters).all(|c| c.is_ascii_digit())
}

fn parsed<T: StringValueData>(raw: &str, field: &str) -> Result<StringValue<T>, ResultWriteError>
where
    T::Error: std::fmt::Display,
{
    StringValue::from_raw_parsed(raw).map_err(|e| bad(field, format!("{raw:?}: {e}")))
}

fn non_zero(n: u32, field: &str) -> Result<NonZeroU64, ResultWriteError> {
    NonZeroU64::new(u64::from(n)).ok_or_else(|| bad(field, "must be at least 1"))
}

/// Writes a 520 (UTF-8, with XML declaration, indented) through eml-nl's writer.
///
/// # Errors
/// An identifier of the wrong shape; a candidate without locality (the schema requires a
/// `QualifyingAddress`); a list without candidates (every list in a 520 has seats).
pub fn write_result(file: &ResultFile) -> Result<Vec<u8>, ResultWriteError> {
    let h = &file.header;
    let mut authority = AuthorityIdentifier::new(
        AuthorityId::new(&h.authority_id).map_err(|e| bad("AuthorityIdentifier Id", e))?,
    );
    if let Some(name) = &h.authority_name {
        authority = authority.with_name(name.as_str());
    }
    let identifier = ElectionResultElectionIdentifier {
        id: StringValue::from_value(
            EmlElectionId::new(&h.election_id.0).map_err(|e| bad("ElectionIdentifier Id", e))?,
        ),
        name: h.election_name.as_deref().map(Into::into),
        category: StringValue::from_value(
            EmlCat::new(category_code(h.category)).map_err(|e| bad("ElectionCategory", e))?,
        ),
        subcategory: match &h.subcategory {
            Some(s) => Some(StringValue::from_value(
                EmlSubcat::new(s).map_err(|e| bad("ElectionSubcategory", e))?,
            )),
            None => None,
        },
        domain: match &h.domain {
            Some((id, name)) => Some(ElectionDomain::new(
                match id {
                    Some(id) => {
                        Some(ElectionDomainId::new(id).map_err(|e| bad("ElectionDomain Id", e))?)
                    }
                    None => None,
                },
                name.as_str(),
            )),
            None => None,
        },
        election_date: parsed::<XsDate>(&h.election_date, "ElectionDate")?,
    };
    let mut contest_identifier = ContestIdentifier::new(
        EmlContestId::new(&h.contest_id.0).map_err(|e| bad("ContestIdentifier Id", e))?,
    );
    if let Some(name) = &h.contest_name {
        contest_identifier = contest_identifier.with_name(name.as_str());
    }
    let mut selections = Vec::new();
    for list in &file.lists {
        let field = format!("list {}", list.list);
        if list.candidates.is_empty() {
            return Err(bad(
                &field,
                "a list in a 520 has seats, so elected candidates",
            ));
        }
        selections.push(
            ElectionResultSelection::builder()
                .affiliation(AffiliationSelection::new(
                    AffiliationId::new(non_zero(list.list.0, &field)?),
                    list.name.as_str(),
                ))
                .elected(true)
                .build()
                .map_err(|e| bad(&field, e))?,
        );
        for rc in &list.candidates {
            let c = &rc.candidate;
            let field = format!("list {}, candidate {}", list.list, c.position);
            let mut identifier =
                CandidateIdentifier::new(CandidateId::new(non_zero(c.position.0, &field)?));
            if let Some(code) = &c.short_code {
                if !short_code_is_valid(code) {
                    return Err(bad(
                        &field,
                        format!(
                            "ShortCode {code:?} is not letters followed by at most 7 digits, 1 to 15 characters"
                        ),
                    ));
                }
                // eml-nl 0.7 counts the 15 in bytes and refuses `YeşilgözZegerD` (14
                // characters, 16 bytes); the schema counts characters. Checked above, so
                // the raw value is written as it is.
                identifier.short_code = Some(StringValue::<NameShortCode>::from_raw(code.as_str()));
            }
            let name = PersonName::new(c.last_name.as_str())
                .with_initials_option(Some(c.initials.as_str()).filter(|i| !i.is_empty()))
                .with_first_name_option(c.first_name.as_deref())
                .with_name_prefix_option(c.prefix.as_deref());
            let locality = c
                .locality
                .as_deref()
                .ok_or_else(|| bad(&field, "no locality: a 520 needs a QualifyingAddress"))?;
            let mut cs = CandidateSelection::builder()
                .identifier(identifier)
                .name(PersonNameStructure::new(name))
                .locality_name(locality);
            if let Some(g) = &c.gender {
                cs = cs.gender(Gender::new(g).map_err(|e| bad(&field, e))?);
            }
            let cs = cs.build().map_err(|e| bad(&field, e))?;
            let mut sel = ElectionResultSelection::builder().candidate(cs);
            if let Some(v) = rc.votes.filter(|v| *v > 0) {
                sel = sel.votes(v);
            }
            if let Some(by) = rc.by {
                sel = sel.ranking(match by {
                    ElectedBy::Preference => RankingType::First,
                    ElectedBy::ListOrder => RankingType::Second,
                });
            }
            selections.push(sel.elected(true).build().map_err(|e| bad(&field, e))?);
        }
    }
    if selections.is_empty() {
        return Err(bad("Contest", "a 520 needs at least one list with seats"));
    }
    let doc = ElectionResult {
        // A 520 has nothing of 1.3 that the appliance writes: the version every 520 so far has.
        version: eml_nl::EMLVersion::V1_2_2,
        transaction_id: TransactionId::new(h.transaction_id),
        managing_authority: ManagingAuthority::new(authority),
        creation_date_time: CreationDateTime(parsed::<XsDateTime>(
            &h.creation_date_time,
            "CreationDateTime",
        )?),
        canonicalization_method: None,
        result: ElectionResultResult::new(ElectionResultElection::new(
            identifier,
            vec![ElectionResultContest::new(contest_identifier, selections)],
        )),
    };
    let bytes = doc
        .write_eml_root(true, true)
        .map_err(|e| ResultWriteError::Writer(e.to_string()))?;
    with_remarks(bytes, &file.remarks)
}

/// Puts each remark as an XML comment after the XML declaration (a comment cannot hold
/// `--`, so that is refused).
fn with_remarks(bytes: Vec<u8>, remarks: &[String]) -> Result<Vec<u8>, ResultWriteError> {
    if remarks.is_empty() {
        return Ok(bytes);
    }
    let split = match bytes.strip_prefix(b"<?xml") {
        Some(_) => bytes
            .windows(2)
            .position(|w| w == b"?>")
            .map_or(0, |p| p.saturating_add(2)),
        None => 0,
    };
    let (head, rest) = bytes.split_at(split);
    let mut out = head.to_vec();
    for remark in remarks {
        if remark.contains("--") || remark.ends_with('-') {
            return Err(bad(
                "remark",
                format!("{remark:?} cannot be an XML comment"),
            ));
        }
        out.extend_from_slice(format!("\n<!-- {remark} -->").as_bytes());
    }
    out.extend_from_slice(rest);
    Ok(out)
}
