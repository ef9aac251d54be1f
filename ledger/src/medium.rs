//! A verified definition medium's files read as the election a level counts: the 110a, the
//! 230b files and (for a municipality) the 110b, with the checks every level makes of them
//! and a typed [`MediumError`] for each refusal. The signature was checked before (the body);
//! what the official is told is the terminal's words for these errors.

use tally_core::aggregate::AggregateError;
use tally_core::election::Election;
use tally_core::eml::definition::{
    DefinitionError, SourceFile, load_candidate_lists, load_election, sort_medium_files,
};

use crate::form::{ElectionInfo, ElectionInfoError};
use crate::higher::LevelError;

/// Why a verified medium's files are not this level's definition.
#[derive(Debug, thiserror::Error)]
pub enum MediumError {
    /// The files are not one 110a, 230b files and at most one 110b.
    #[error(transparent)]
    Files(DefinitionError),
    /// A municipality's medium without its list of polling stations (110b).
    #[error("the medium holds no list of polling stations (110b)")]
    No110b,
    /// The EML does not read as one election.
    #[error(transparent)]
    Eml(DefinitionError),
    /// The election is not one this municipality can count (its ballot's contest).
    #[error(transparent)]
    Election(ElectionInfoError),
    /// The 110b is another municipality's.
    #[error(
        "the list of polling stations is of municipality {medium}, this body counts for {body}"
    )]
    OtherMunicipality {
        /// The 110b's municipality.
        medium: String,
        /// The body's certificate's.
        body: String,
    },
    /// No 230b holds the lists of the municipality's kieskring.
    #[error("no candidate lists (230b) of kieskring {0} on the medium")]
    No230bOfKieskring(String),
    /// The medium's election is not the body certificate's.
    #[error("the medium's election is {medium}, the body's certificate is for {body}")]
    OtherElection {
        /// The 110a's election.
        medium: String,
        /// The certificate's.
        body: String,
    },
    /// The body's certificate gives no level of this election.
    #[error(transparent)]
    Level(#[from] LevelError),
    /// The election tree does not give the bodies of this level.
    #[error(transparent)]
    Registry(#[from] AggregateError),
}

/// The medium's files read as one election.
#[derive(Debug, Clone)]
pub struct MediumElection {
    /// The election, read from the 110a, the 230b files and the 110b.
    pub election: Election,
    /// The 110a: its index in the files.
    pub definition: usize,
    /// The 230b files: their indexes.
    pub candidate_lists: Vec<usize>,
    /// The 110b, if there is one: its index.
    pub polling_stations: Option<usize>,
}

/// Reads `files` (name, bytes) as one election; `stations`: whether the 110b is needed (a
/// municipality) and read, or left out (the HSB and CSB).
///
/// # Errors
/// The files are not one 110a, 230b files and at most one 110b, the 110b is needed and not
/// there, or the EML does not read as one election.
pub fn read(files: &[(&str, &[u8])], stations: bool) -> Result<MediumElection, MediumError> {
    let sources: Vec<SourceFile<'_>> = files.iter().map(|(n, b)| SourceFile::new(n, b)).collect();
    let sorted = sort_medium_files(&sources).map_err(MediumError::Files)?;
    let source = |i: usize| sources.get(i).ok_or(MediumError::No110b);
    let polling_stations = if stations {
        Some(sorted.polling_stations.ok_or(MediumError::No110b)?)
    } else {
        None
    };
    let lists: Vec<SourceFile<'_>> = sorted
        .candidate_lists
        .iter()
        .filter_map(|&i| sources.get(i).cloned())
        .collect();
    let stations_file = polling_stations.map(source).transpose()?;
    let election = load_election(source(sorted.definition)?, &lists, stations_file)
        .map_err(MediumError::Eml)?;
    Ok(MediumElection {
        election,
        definition: sorted.definition,
        candidate_lists: sorted.candidate_lists,
        polling_stations,
    })
}

/// Which of `lists` (name, bytes: a medium's 230b files) holds the lists of `contest` (the
/// municipality's kieskring): its index. A Tweede Kamer definition medium carries one 230b
/// per kieskring; the official checks the hash code of this one.
pub fn kieskring_lists(lists: &[(&str, &[u8])], contest: &str) -> Option<usize> {
    lists.iter().position(|(name, bytes)| {
        load_candidate_lists(&SourceFile::new(name, bytes))
            .is_ok_and(|l| l.contests.iter().any(|c| c.id.0 == contest))
    })
}

/// A municipality's definition medium, read: the election, what the terminal shows of it,
/// and the 230b of its kieskring (its index in the files).
#[derive(Debug, Clone)]
pub struct MunicipalMedium {
    /// The files read as one election.
    pub read: MediumElection,
    /// The election as the municipality counts it.
    pub info: ElectionInfo,
    /// The 230b on the municipality's ballot: its index in the files.
    pub lists_230b: usize,
}

/// Reads `files` as the definition of `municipality` (the body certificate's identifier).
///
/// # Errors
/// As [`read`], and: the election cannot be counted by a municipality, its 110b is another
/// municipality's, or no 230b holds its kieskring's lists.
pub fn municipal(
    files: &[(&str, &[u8])],
    municipality: &str,
) -> Result<MunicipalMedium, MediumError> {
    let read = read(files, true)?;
    let info = ElectionInfo::from_election(&read.election).map_err(MediumError::Election)?;
    if info.municipality_code.0 != municipality {
        return Err(MediumError::OtherMunicipality {
            medium: info.municipality_code.0.clone(),
            body: municipality.to_owned(),
        });
    }
    let lists: Vec<(&str, &[u8])> = read
        .candidate_lists
        .iter()
        .filter_map(|&i| files.get(i).copied())
        .collect();
    let lists_230b = kieskring_lists(&lists, &info.contest_id.0)
        .and_then(|i| read.candidate_lists.get(i).copied())
        .ok_or_else(|| MediumError::No230bOfKieskring(info.contest_id.0.clone()))?;
    Ok(MunicipalMedium {
        read,
        info,
        lists_230b,
    })
}
