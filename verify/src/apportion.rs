//! `tally-verify apportion`: seats per list and elected candidates for a definition and a
//! count, in the plain-text form documented in `docs/verify.md`.

use std::fmt::Write as _;

use tally_core::aggregate::outcome::{
    Computation, ComputedResult, ListOutcome, SeatRules, compute_result,
};
use tally_core::apportionment::{CandidateLot, ElectedBy, SeatLot};
use tally_core::counts::CountFile;
use tally_core::election::{Candidate, Election};
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_definition, load_election};
use tally_core::ids::{CandidatePosition, ListNumber};

/// Why the apportionment cannot be printed.
#[derive(Debug, thiserror::Error)]
pub enum ApportionError {
    /// The definition or candidate lists could not be loaded.
    #[error("{0}")]
    Definition(String),
    /// The count could not be read.
    #[error("count file {file}: {message}")]
    Count {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
    /// The count is for another election than the definition.
    #[error("count file {file} is for election {found}, the definition for {expected}")]
    WrongElection {
        /// The file.
        file: String,
        /// The definition's election.
        expected: String,
        /// The count's.
        found: String,
    },
    /// The apportionment refused.
    #[error("{0}")]
    Apportionment(String),
    /// A drawing of lots decides, and its outcome was not given.
    #[error("{0}")]
    LotNeeded(String),
    /// A given outcome of a drawing does not fit the drawing (or no drawing is left).
    #[error("{0}")]
    LotNotTied(String),
}

/// Loads the definition (and candidate lists), reads the count and returns the report text.
///
/// # Errors
/// See [`ApportionError`].
pub fn apportion_report(
    definition: (&str, &[u8]),
    candidates: &[(String, Vec<u8>)],
    count: (&str, &[u8]),
    lots: &Lots,
) -> Result<String, ApportionError> {
    let def = SourceFile::new(definition.0, definition.1);
    let election = if candidates.is_empty() {
        load_definition(&def)
    } else {
        let files: Vec<SourceFile<'_>> = candidates
            .iter()
            .map(|(n, b)| SourceFile::new(n, b))
            .collect();
        load_election(&def, &files, None)
    }
    .map_err(|e| ApportionError::Definition(e.to_string()))?;
    let total = read_count(count.1).map_err(|e| ApportionError::Count {
        file: count.0.to_owned(),
        message: e.to_string(),
    })?;
    if total.header.election_id != election.id {
        return Err(ApportionError::WrongElection {
            file: count.0.to_owned(),
            expected: election.id.0.clone(),
            found: total.header.election_id.0.clone(),
        });
    }
    // The drawings are met one at a time: each stop takes the next outcome given, which must
    // name one of the tied; the calculation then starts again with every outcome so far.
    let mut seat_given = lots.seats.iter();
    let mut candidate_given = lots.candidates.iter();
    let mut seat_lots: Vec<SeatLot> = Vec::new();
    let mut candidate_lots: Vec<CandidateLot> = Vec::new();
    loop {
        let computed = compute_result(
            SeatRules::of(&election),
            &total,
            &seat_lots,
            &candidate_lots,
        )
        .map_err(|e| ApportionError::Apportionment(e.to_string()))?;
        let result = match computed {
            Computation::SeatLotsNeeded(needed) => {
                let drawing = needed.drawing;
                let Some(&drawn) = seat_given.next() else {
                    return Err(ApportionError::LotNeeded(format!(
                        "a drawing of lots decides a seat ({drawing}); give the list drawn with --lot"
                    )));
                };
                if !drawing.tied.contains(&drawn) {
                    return Err(ApportionError::LotNotTied(format!(
                        "--lot {drawn}: list {drawn} is not among the tied ({drawing})"
                    )));
                }
                seat_lots.push(SeatLot { drawing, drawn });
                continue;
            }
            Computation::Complete(result) => result,
        };
        let next = result.candidates.iter().find_map(|o| match o {
            ListOutcome::LotsNeeded { drawing, .. } => Some(drawing.clone()),
            _ => None,
        });
        match next {
            Some(drawing) => {
                let Some(&(list, drawn)) = candidate_given.next() else {
                    return Err(ApportionError::LotNeeded(format!(
                        "a drawing of lots decides a candidate's seat ({drawing}); give the candidate drawn with --candidate-lot {}:<position>",
                        drawing.list
                    )));
                };
                if list != drawing.list || !drawing.tied.contains(&drawn) {
                    return Err(ApportionError::LotNotTied(format!(
                        "--candidate-lot {list}:{drawn}: not among the tied ({drawing})"
                    )));
                }
                candidate_lots.push(CandidateLot { drawing, drawn });
            }
            None => {
                if let Some(extra) = seat_given.next() {
                    return Err(ApportionError::LotNotTied(format!(
                        "--lot {extra}: no drawing of lots between lists is left to decide"
                    )));
                }
                if let Some((list, pos)) = candidate_given.next() {
                    return Err(ApportionError::LotNotTied(format!(
                        "--candidate-lot {list}:{pos}: no drawing of lots between candidates is left to decide"
                    )));
                }
                return Ok(render(
                    &election,
                    &total,
                    &result,
                    &seat_lots,
                    &candidate_lots,
                ));
            }
        }
    }
}

/// The outcomes of the public drawings of lots, in the order the calculation asks for them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lots {
    /// For each drawing between lists, the list drawn.
    pub seats: Vec<ListNumber>,
    /// For each drawing between candidates, the list and the candidate drawn.
    pub candidates: Vec<(ListNumber, CandidatePosition)>,
}

/// The candidate of the 230b for a list position, when the candidate lists were given
/// and agree with the count's `ShortCode`.
pub fn candidate_name<'a>(
    election: &'a Election,
    list: ListNumber,
    position: CandidatePosition,
    short_code: Option<&str>,
) -> Option<&'a Candidate> {
    election
        .contests
        .iter()
        .filter_map(|c| c.lists.iter().find(|l| l.number == list))
        .filter_map(|l| l.candidates.iter().find(|c| c.position == position))
        .find(|c| match (short_code, c.short_code.as_deref()) {
            (Some(a), Some(b)) => a == b,
            // The 230b of TK2021 gives no ShortCode; the list is the same in every
            // kieskring (otherwise it is not elected here), so the position decides.
            _ => true,
        })
}

fn display_name(c: &Candidate) -> String {
    let mut s = c.last_name.clone();
    s.push_str(", ");
    s.push_str(&c.initials);
    if let Some(p) = &c.prefix {
        s.push(' ');
        s.push_str(p);
    }
    s
}

fn render(
    election: &Election,
    total: &CountFile,
    r: &ComputedResult,
    seat_lots: &[SeatLot],
    candidate_lots: &[CandidateLot],
) -> String {
    let mut out = String::new();
    let s = &r.seats;
    let _ = writeln!(out, "tally-verify apportion v1");
    let _ = writeln!(out, "election\t{}\t{}", election.id, election.name);
    let _ = writeln!(
        out,
        "count\t{}\t{}",
        total.header.level.eml_id(),
        total.header.authority_id
    );
    let _ = writeln!(out, "seats\t{}", s.seats);
    let _ = writeln!(out, "votes\t{}", s.total_votes);
    let _ = writeln!(out, "quota\t{}", s.quota);
    let _ = writeln!(out, "full-seats\t{}", s.full_seats);
    let _ = writeln!(out, "remaining-seats\t{}", s.remaining_seats);
    let _ = writeln!(out, "unfilled-seats\t{}", s.unfilled_seats);
    let _ = writeln!(out, "law\t{}", s.law.label_en());
    let percent = election.preference_threshold;
    if let Some(threshold) = s.quota.scaled(u64::from(percent), 100) {
        let _ = writeln!(
            out,
            "preference-threshold\t{threshold}\t{percent}% of the quota; elected by preference with more votes than this (P 15)"
        );
    }
    for notice in s.notices() {
        let _ = writeln!(out, "notice\t{}", notice.label_en());
    }
    for l in seat_lots {
        let _ = writeln!(out, "lot\t{}\tlist {}", l.drawing, l.drawn);
    }
    for l in candidate_lots {
        let _ = writeln!(out, "lot\t{}\tcandidate {}", l.drawing, l.drawn);
    }
    for l in &s.lists {
        let name = r
            .lists
            .iter()
            .find(|c| c.list == l.list)
            .map_or("", |c| c.name.as_str());
        let _ = writeln!(out, "list\t{}\t{}\t{}\t{}", l.list, l.seats, l.votes, name);
    }
    for o in &r.candidates {
        match o {
            ListOutcome::Elected(e) => {
                let counted = r.lists.iter().find(|c| c.list == e.list);
                for c in &e.elected {
                    let code = counted
                        .and_then(|cl| cl.candidates.iter().find(|(p, _, _)| *p == c.position))
                        .and_then(|(_, code, _)| code.clone());
                    let name = candidate_name(election, e.list, c.position, code.as_deref())
                        .map(display_name)
                        .unwrap_or_else(|| "-".to_owned());
                    let by = match c.by {
                        ElectedBy::Preference => "preference",
                        ElectedBy::ListOrder => "list-order",
                    };
                    let _ = writeln!(
                        out,
                        "elected\t{}\t{}\t{}\t{}\t{}\t{}",
                        e.list,
                        c.position,
                        by,
                        c.votes,
                        code.as_deref().unwrap_or("-"),
                        name
                    );
                }
            }
            ListOutcome::Unsupported { list, reason } => {
                let _ = writeln!(out, "not-elected-here\t{list}\t{reason}");
            }
            ListOutcome::LotsNeeded { list, drawing } => {
                let _ = writeln!(out, "not-elected-here\t{list}\tlots needed: {drawing}");
            }
            ListOutcome::Refused { list, error } => {
                let _ = writeln!(out, "not-elected-here\t{list}\t{error}");
            }
        }
    }
    out
}
