//! The municipal total: once every polling station's result is definitive, the stations
//! are added up into the municipality's count (510b), every sum checked (checked
//! arithmetic, then the whole file's arithmetic once more with
//! [`crate::counts::check_arithmetic`]), and written as EML_NL.
//!
//! Until every station is definitive the total is refused with the list of what is
//! missing.

use crate::counts::{
    CandidateRef, Count, CountEdition, CountFile, CountHeader, CountLevel, CountPhase,
    CountingMethod, ListVotes, PreviousCounts, ReportingUnitCounts, VoteCounts, VoterCounts,
    check_arithmetic,
};
use crate::double_entry::{DataEntry, StationStatus, StatusKind};
use crate::election::Election;
use crate::entry::{EntryShape, ExplanationKind, PollingStationEntry};
use crate::ids::{
    CandidatePosition, ContestId, ListNumber, MunicipalityCode, PollingStationNumber,
    ReportingUnitId,
};

/// The order in which the explanation codes K to O appear in a 510 (the EML_NL schema's
/// order of `UncountedVotes` reason codes).
const EXPLANATION_FILE_ORDER: [ExplanationKind; 5] = [
    ExplanationKind::TakenAway,
    ExplanationKind::TooFewHandedOut,
    ExplanationKind::TooManyHandedOut,
    ExplanationKind::NoExplanation,
    ExplanationKind::OtherExplanation,
];

/// A polling station as it appears in the 510b.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationInfo {
    /// Its number (`SB<number>`).
    pub number: PollingStationNumber,
    /// The reporting unit's name (`Stembureau Gemeentehuis (postcode: 6658 AG)`).
    pub name: String,
    /// `Cast`: its eligible voters, 0 where unknown.
    pub eligible_voters: Count,
}

/// What the 510b needs besides the typed results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalitySpec {
    /// The municipality's code (`0668`).
    pub code: MunicipalityCode,
    /// The stations in the order of the 510b.
    pub stations: Vec<StationInfo>,
    /// The lists' registered names, by number, as written in the 510b.
    pub list_names: Vec<(ListNumber, String)>,
    /// `Cast` of the total: the municipality's eligible voters. `None`: the sum of the
    /// stations' `Cast`.
    pub total_cast: Option<Count>,
    /// Which units carry the explanation codes K to O: the paper model of the election.
    pub explanation_codes: ExplanationCodes,
}

/// Where a 510b carries the explanation codes K to O (`meegenomen stembiljetten`, ...,
/// `andere verklaring`): decided by the paper model of the election, so that a re-entry of
/// a real municipality gives back the Electoral Council's file number for number
/// (docs/explanation-codes.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExplanationCodes {
    /// Every unit and the total carry all five, 0 where none was typed: the files of the
    /// elections up to 2025 (OSV2020: GR2022, TK2023 and TK2025, whose form had no K–O
    /// boxes any more; every station of TK2025 West Maas en Waal carries the five with 0).
    EveryUnit,
    /// Only a unit where one of them was typed: the models of 2026 have no K–O boxes, and
    /// the Electoral Council's GR2026 files (Assen) carry none.
    OnlyTyped,
}

impl ExplanationCodes {
    /// The paper model of an election held in `year`.
    pub fn for_year(year: i32) -> ExplanationCodes {
        if year < 2026 {
            ExplanationCodes::EveryUnit
        } else {
            ExplanationCodes::OnlyTyped
        }
    }
}

/// Why the municipal total cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotalError {
    /// Not every polling station is definitive.
    #[error("not every polling station is definitive: {}", missing_list(.missing))]
    NotDefinitive {
        /// The stations that are not, with their status.
        missing: Vec<(PollingStationNumber, StatusKind)>,
    },
    /// A station of the specification has no data entry, or the other way round.
    #[error(
        "polling station {0} is in the data entry but not in the list of stations, or the other way round"
    )]
    StationMismatch(PollingStationNumber),
    /// A sum exceeds the largest count.
    #[error("the sum of {0} overflows")]
    Overflow(String),
    /// The municipality's eligible voters as entered differ from the sum of the stations'
    /// eligible voters in the 110b (where the 110b gives them).
    #[error(
        "the municipality's eligible voters ({entered}) differ from the sum of the polling stations' eligible voters in the 110b ({sum_of_stations})"
    )]
    EligibleVoters {
        /// The number entered for the municipality.
        entered: Count,
        /// The sum of the stations' numbers.
        sum_of_stations: Count,
    },
    /// The arithmetic of the resulting file does not hold (a bug, never expected).
    #[error("the municipal total fails its own arithmetic check: {0}")]
    Arithmetic(String),
}

fn missing_list(missing: &[(PollingStationNumber, StatusKind)]) -> String {
    missing
        .iter()
        .map(|(n, s)| format!("SB{n} ({s})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The municipality's count: every station and the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalTotal {
    /// The reporting units (one per station), in the order of the specification.
    pub units: Vec<ReportingUnitCounts>,
    /// The sum of the units (`TotalVotes`).
    pub total: VoteCounts,
}

fn count_of(c: Option<crate::entry::EntryCount>) -> Count {
    c.map_or(0, |c| c.get())
}

/// The counts of one definitive station as they go into the 510b. Empty fields are 0.
/// Field C is written as 0 where the form has none, as the Kiesraad's own 510b files do;
/// the explanation counts K to O are written only when at least one of them was typed.
pub fn station_counts(
    entry: &PollingStationEntry,
    list_names: &[(ListNumber, String)],
    cast: Count,
) -> VoteCounts {
    let mut other: Vec<(String, Count)> = Vec::new();
    if entry.explanations.iter().any(Option::is_some) {
        for kind in EXPLANATION_FILE_ORDER {
            let value = entry.explanations.get(kind_index(kind)).copied().flatten();
            other.push((kind.reason_code().to_owned(), count_of(value)));
        }
    }
    VoteCounts {
        cast,
        lists: entry
            .lists
            .iter()
            .map(|list| ListVotes {
                list: list.number,
                name: list_names
                    .iter()
                    .find(|(n, _)| *n == list.number)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_default(),
                total: count_of(
                    entry
                        .list_votes
                        .iter()
                        .find(|(n, _)| *n == list.number)
                        .and_then(|(_, c)| *c),
                ),
                candidates: list
                    .candidate_votes
                    .iter()
                    .zip(1u32..)
                    .map(|(c, pos)| (CandidateRef::Position(CandidatePosition(pos)), count_of(*c)))
                    .collect(),
            })
            .collect(),
        total_counted: count_of(entry.votes_on_candidates),
        blank: count_of(entry.blank_votes),
        invalid: count_of(entry.invalid_votes),
        voters: VoterCounts {
            poll_cards: Some(count_of(entry.poll_cards)),
            proxy_certificates: Some(count_of(entry.proxy_certificates)),
            voter_cards: Some(count_of(entry.voter_cards)),
            admitted_voters: Some(count_of(entry.admitted_voters)),
            more_ballots_counted: Some(count_of(entry.more_ballots_counted)),
            fewer_ballots_counted: Some(count_of(entry.fewer_ballots_counted)),
            other,
        },
        previous: PreviousCounts::default(),
    }
}

fn kind_index(kind: ExplanationKind) -> usize {
    ExplanationKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0)
}

fn add(acc: &mut Count, x: Count, what: &str) -> Result<(), TotalError> {
    *acc = acc
        .checked_add(x)
        .ok_or_else(|| TotalError::Overflow(what.to_owned()))?;
    Ok(())
}

fn add_opt(acc: &mut Option<Count>, x: Option<Count>, what: &str) -> Result<(), TotalError> {
    if let Some(x) = x {
        let mut sum = acc.unwrap_or(0);
        add(&mut sum, x, what)?;
        *acc = Some(sum);
    }
    Ok(())
}

/// Adds up counts field by field, list by list, candidate by candidate, with checked
/// arithmetic. The first unit fixes the lists; every unit must have the same lists and
/// candidates (they all come from one election's form).
pub fn sum_counts<'a>(
    units: impl IntoIterator<Item = &'a VoteCounts>,
) -> Result<VoteCounts, TotalError> {
    let mut total: Option<VoteCounts> = None;
    for u in units {
        let Some(t) = total.as_mut() else {
            total = Some(u.clone());
            continue;
        };
        add(&mut t.cast, u.cast, "Cast")?;
        add(&mut t.total_counted, u.total_counted, "E")?;
        add(&mut t.blank, u.blank, "F")?;
        add(&mut t.invalid, u.invalid, "G")?;
        add_opt(&mut t.voters.poll_cards, u.voters.poll_cards, "A")?;
        add_opt(
            &mut t.voters.proxy_certificates,
            u.voters.proxy_certificates,
            "B",
        )?;
        add_opt(&mut t.voters.voter_cards, u.voters.voter_cards, "C")?;
        add_opt(&mut t.voters.admitted_voters, u.voters.admitted_voters, "D")?;
        add_opt(
            &mut t.voters.more_ballots_counted,
            u.voters.more_ballots_counted,
            "I",
        )?;
        add_opt(
            &mut t.voters.fewer_ballots_counted,
            u.voters.fewer_ballots_counted,
            "J",
        )?;
        for (code, n) in &u.voters.other {
            match t.voters.other.iter_mut().find(|(c, _)| c == code) {
                Some((_, acc)) => add(acc, *n, code)?,
                None => {
                    // Keep the file order: insert by the order of the explanation codes.
                    let rank = |c: &str| {
                        EXPLANATION_FILE_ORDER
                            .iter()
                            .position(|k| k.reason_code() == c)
                    };
                    let at = t
                        .voters
                        .other
                        .iter()
                        .position(|(c, _)| rank(c) > rank(code))
                        .unwrap_or(t.voters.other.len());
                    t.voters.other.insert(at, (code.clone(), *n));
                }
            }
        }
        if t.lists.len() != u.lists.len() {
            return Err(TotalError::Arithmetic("units with different lists".into()));
        }
        for (tl, ul) in t.lists.iter_mut().zip(&u.lists) {
            if tl.list != ul.list || tl.candidates.len() != ul.candidates.len() {
                return Err(TotalError::Arithmetic(format!(
                    "list {} differs between units",
                    ul.list
                )));
            }
            add(&mut tl.total, ul.total, &format!("E.{}", ul.list))?;
            for ((tr, tc), (ur, uc)) in tl.candidates.iter_mut().zip(&ul.candidates) {
                if tr != ur {
                    return Err(TotalError::Arithmetic(format!(
                        "list {}: candidates differ between units",
                        ul.list
                    )));
                }
                add(tc, *uc, &format!("list {} {}", ul.list, ur))?;
            }
        }
    }
    total.ok_or_else(|| TotalError::Arithmetic("no polling stations".into()))
}

/// Adds up every definitive station, refusing while any station is not definitive.
pub fn municipal_total(
    data: &DataEntry,
    spec: &MunicipalitySpec,
) -> Result<MunicipalTotal, TotalError> {
    let missing = data.not_definitive();
    if !missing.is_empty() {
        return Err(TotalError::NotDefinitive { missing });
    }
    if data.stations().count() != spec.stations.len() {
        let extra = data
            .stations()
            .map(|(n, _)| n)
            .find(|n| !spec.stations.iter().any(|s| s.number == *n))
            .or_else(|| {
                spec.stations
                    .iter()
                    .map(|s| s.number)
                    .find(|n| data.station(*n).is_none())
            });
        return Err(TotalError::StationMismatch(
            extra.unwrap_or(PollingStationNumber(0)),
        ));
    }
    let mut results = Vec::with_capacity(spec.stations.len());
    for info in &spec.stations {
        let station = data
            .station(info.number)
            .ok_or(TotalError::StationMismatch(info.number))?;
        let StationStatus::Definitive { result, .. } = &station.status else {
            return Err(TotalError::NotDefinitive {
                missing: vec![(info.number, station.status.kind())],
            });
        };
        results.push(&result.entry);
    }
    total_of(spec, &results)
}

/// The municipal total of `results`, one per station of `spec` in its order: the units
/// (`<code>::SB<n>`) and their sum, with the municipality's eligible voters as `Cast`. Also
/// the first session's count of a corrigendum, from the stations' results of then.
///
/// # Errors
/// Not one result per station, an overflowing sum, or eligible voters that differ from the
/// stations' sum.
pub fn total_of(
    spec: &MunicipalitySpec,
    results: &[&PollingStationEntry],
) -> Result<MunicipalTotal, TotalError> {
    if results.len() != spec.stations.len() {
        return Err(TotalError::StationMismatch(PollingStationNumber(0)));
    }
    let units: Vec<ReportingUnitCounts> = spec
        .stations
        .iter()
        .zip(results)
        .map(|(info, entry)| ReportingUnitCounts {
            id: unit_id(&spec.code, info.number),
            name: info.name.clone(),
            counts: station_counts(entry, &spec.list_names, info.eligible_voters),
            investigations: Vec::new(),
        })
        .collect();
    let mut total = sum_counts(units.iter().map(|u| &u.counts))?;
    total.cast = total_eligible_voters(&spec.stations, spec.total_cast)?;
    let mut total = MunicipalTotal { units, total };
    if spec.explanation_codes == ExplanationCodes::EveryUnit {
        with_explanation_zeros(&mut total);
    }
    Ok(total)
}

/// The reporting unit of polling station `station` of municipality `code` in a 510b
/// (`0042::SB3`).
pub fn unit_id(code: &MunicipalityCode, station: PollingStationNumber) -> ReportingUnitId {
    ReportingUnitId(format!("{code}::SB{station}"))
}

/// `Cast` of the 510b's `TotalVotes`: the municipality's eligible voters.
///
/// `entered` is the number the coordinator entered for the municipality (`MunicipalitySpec::
/// total_cast`). Where the 110b gives the stations' eligible voters (any of them above 0),
/// their sum must equal it; where it gives none (the Electoral Council's own 510b files
/// carry `Cast` 0 per station and the municipality's number only in the total, as TK2025 West
/// Maas en Waal's 16290), the entered number stands alone. Without an entered number, the
/// sum of the stations (0 when the 110b has none).
pub fn total_eligible_voters(
    stations: &[StationInfo],
    entered: Option<Count>,
) -> Result<Count, TotalError> {
    let mut sum: Count = 0;
    for s in stations {
        add(&mut sum, s.eligible_voters, "Cast")?;
    }
    match entered {
        None => Ok(sum),
        Some(n) if sum == 0 || sum == n => Ok(n),
        Some(n) => Err(TotalError::EligibleVoters {
            entered: n,
            sum_of_stations: sum,
        }),
    }
}

/// Puts the explanation counts K to O in every unit and in the total, 0 where none was
/// typed ([`ExplanationCodes::EveryUnit`]; [`total_of`] calls it): every polling station of
/// the TK2025 West Maas en Waal 510b has all five reason codes with 0. A unit's typed K–O
/// numbers stay; the total stays the sum of the units. Without it, [`station_counts`]
/// writes K–O only for a station where one was typed (as the Electoral Council's GR2026
/// files, which carry none).
pub fn with_explanation_zeros(total: &mut MunicipalTotal) {
    for counts in total
        .units
        .iter_mut()
        .map(|u| &mut u.counts)
        .chain(std::iter::once(&mut total.total))
    {
        let other = &mut counts.voters.other;
        for (i, kind) in EXPLANATION_FILE_ORDER.iter().enumerate() {
            let code = kind.reason_code();
            if !other.iter().any(|(c, _)| c == code) {
                // In file order: before the first code that comes later.
                let at = other
                    .iter()
                    .position(|(c, _)| {
                        EXPLANATION_FILE_ORDER
                            .iter()
                            .position(|k| k.reason_code() == c)
                            .is_some_and(|j| j > i)
                    })
                    .unwrap_or(other.len());
                other.insert(at, (code.to_owned(), 0));
            }
        }
    }
}

/// The 510b of the municipal total under the given header (its level is set to 510b),
/// after checking the whole file's arithmetic once more.
pub fn count_file(total: MunicipalTotal, mut header: CountHeader) -> Result<CountFile, TotalError> {
    header.level = CountLevel::Municipality;
    let file = CountFile {
        header,
        total: total.total,
        units: total.units,
    };
    let violations = check_arithmetic(&file);
    if let Some(first) = violations.first() {
        return Err(TotalError::Arithmetic(format!(
            "{first} (and {} more)",
            violations.len() - 1
        )));
    }
    Ok(file)
}

/// The 510b header for a municipality's count of this election.
///
/// `creation_date_time` is given by the caller (xs:dateTime, `2025-10-30T01:12:00`): this
/// crate reads no clock.
pub fn header_for(
    election: &Election,
    contest: &ContestId,
    municipality: &MunicipalityCode,
    municipality_name: &str,
    creation_date_time: &str,
) -> CountHeader {
    let contest_name = election.contest(contest).and_then(|c| c.name.clone());
    CountHeader {
        level: CountLevel::Municipality,
        transaction_id: 1,
        authority_id: municipality.0.clone(),
        authority_name: Some(municipality_name.to_owned()),
        creation_date_time: creation_date_time.to_owned(),
        election_id: election.id.clone(),
        election_name: Some(election.name.clone()),
        category: election.category,
        subcategory: Some(election.subcategory.eml_value().to_owned()),
        domain: election
            .domain
            .as_ref()
            .map(|d| (d.id.clone(), d.name.clone())),
        election_date: election.date.to_string(),
        contest_id: contest.clone(),
        contest_name,
        edition: edition_for(election),
    }
}

/// The EML_NL edition of a first-session 510b of this election: the version of its
/// definition (110a), and from EML_NL 1.3 on the phase "eerste zitting" and decentral
/// counting (the appliance enters the polling stations' own counts).
pub fn edition_for(election: &Election) -> CountEdition {
    let version = election.eml_version;
    CountEdition {
        version,
        phase: version.has_phase().then_some(CountPhase::FirstSession),
        counting_method: version.has_phase().then_some(CountingMethod::Decentral),
    }
}

/// The shape of the paper form for the lists of one contest.
pub fn shape_for(election: &Election, contest: &ContestId) -> EntryShape {
    EntryShape {
        has_voter_cards: election.has_voter_cards(),
        lists: election
            .lists(contest)
            .iter()
            .map(|l| {
                (
                    l.number,
                    u32::try_from(l.candidates.len()).unwrap_or(u32::MAX),
                )
            })
            .collect(),
    }
}

/// Writes the 510b and gives its file name, `Telling_<ElectionId>_gemeente_<Name>.eml.xml`
/// (the name from the header's authority name, or its code when there is none).
pub fn write_510b(
    file: &CountFile,
) -> Result<(String, Vec<u8>), crate::eml::count::CountWriteError> {
    let h = &file.header;
    let name = h.authority_name.as_deref().unwrap_or(&h.authority_id);
    let file_name =
        crate::eml::count::count_file_name(CountLevel::Municipality, &h.election_id.0, name);
    Ok((file_name, crate::eml::count::write_count(file)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stations(eligible: &[Count]) -> Vec<StationInfo> {
        eligible
            .iter()
            .zip(1u32..)
            .map(|(n, i)| StationInfo {
                number: PollingStationNumber(i),
                name: format!("Stembureau {i}"),
                eligible_voters: *n,
            })
            .collect()
    }

    #[test]
    fn eligible_voters_of_the_municipality() {
        // A 110b without numbers (TK2025 West Maas en Waal: 0 per station): the entered
        // number stands alone, as in the published 510b.
        assert_eq!(
            total_eligible_voters(&stations(&[0, 0, 0]), Some(16290)),
            Ok(16290)
        );
        // With numbers: they must add up to the entered number.
        assert_eq!(
            total_eligible_voters(&stations(&[100, 250]), Some(350)),
            Ok(350)
        );
        assert_eq!(
            total_eligible_voters(&stations(&[100, 250]), Some(351)),
            Err(TotalError::EligibleVoters {
                entered: 351,
                sum_of_stations: 350
            })
        );
        // Nothing entered: the sum of the stations.
        assert_eq!(total_eligible_voters(&stations(&[100, 250]), None), Ok(350));
        assert_eq!(total_eligible_voters(&stations(&[0, 0]), None), Ok(0));
        assert!(matches!(
            total_eligible_voters(&stations(&[Count::MAX, 1]), Some(5)),
            Err(TotalError::Overflow(_))
        ));
    }

    #[test]
    fn explanation_zeros_keep_typed_numbers_in_file_order() {
        let counts = |other: Vec<(String, Count)>| VoteCounts {
            cast: 0,
            lists: Vec::new(),
            total_counted: 0,
            blank: 0,
            invalid: 0,
            voters: VoterCounts {
                other,
                ..VoterCounts::default()
            },
            previous: PreviousCounts::default(),
        };
        let typed = vec![("geen verklaring".to_owned(), 3)];
        let mut total = MunicipalTotal {
            units: vec![ReportingUnitCounts {
                id: ReportingUnitId("0042::SB1".into()),
                name: "Stembureau 1".into(),
                counts: counts(typed.clone()),
                investigations: Vec::new(),
            }],
            total: counts(typed),
        };
        with_explanation_zeros(&mut total);
        let expected: Vec<(String, Count)> = [
            ("meegenomen stembiljetten", 0),
            ("te weinig uitgereikte stembiljetten", 0),
            ("te veel uitgereikte stembiljetten", 0),
            ("geen verklaring", 3),
            ("andere verklaring", 0),
        ]
        .into_iter()
        .map(|(c, n)| (c.to_owned(), n))
        .collect();
        assert_eq!(total.units[0].counts.voters.other, expected);
        assert_eq!(total.total.voters.other, expected);
    }
}
