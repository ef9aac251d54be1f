//! `tally-verify apportion`: seats per list and elected candidates for a definition and a
//! count, in the plain-text form documented in `docs/verify.md`.

use std::fmt::Write as _;

use tally_core::aggregate::outcome::{
    Computation, ComputedResult, DeceasedCandidate, Decisions, ListOutcome, SeatRules,
    compute_result_with,
};
use tally_core::apportionment::{
    CandidateLot, ElectedBy, GroupDrawing, GroupDrawn, GroupLot, GroupOutcome, SeatLot,
};
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
    apportion_report_kept(definition, candidates, count, lots).map(|(text, _)| text)
}

/// What [`apportion_report_kept`] worked with: the election, the count and the result, all
/// of it in many small allocations. A process that ends right after printing the report
/// may leave it to the operating system (`std::mem::forget`) instead of freeing it piece
/// by piece.
#[derive(Debug)]
pub struct Worked {
    _election: Election,
    _total: CountFile,
    _result: ComputedResult,
}

/// [`apportion_report`], also returning what it worked with (see [`Worked`]).
///
/// The definition is loaded on a second thread while the count is read (the two do not
/// depend on each other); the errors are the same, in the same order, as one after the
/// other: the definition's first.
///
/// # Errors
/// See [`ApportionError`].
pub fn apportion_report_kept(
    definition: (&str, &[u8]),
    candidates: &[(String, Vec<u8>)],
    count: (&str, &[u8]),
    lots: &Lots,
) -> Result<(String, Worked), ApportionError> {
    let load = || {
        let def = SourceFile::new(definition.0, definition.1);
        if candidates.is_empty() {
            load_definition(&def)
        } else {
            let files: Vec<SourceFile<'_>> = candidates
                .iter()
                .map(|(n, b)| SourceFile::new(n, b))
                .collect();
            load_election(&def, &files, None)
        }
        .map_err(|e| ApportionError::Definition(e.to_string()))
    };
    let (election, total) = std::thread::scope(|scope| {
        let loading = std::thread::Builder::new().spawn_scoped(scope, load);
        let total = read_count(count.1);
        let election = match loading {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No second thread could be started: the definition is loaded here.
            Err(_) => load(),
        };
        (election, total)
    });
    let election = election?;
    let total = total.map_err(|e| ApportionError::Count {
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
    let mut group_given = lots.groups.iter();
    let mut decisions = Decisions {
        deceased: lots.deceased.clone(),
        ..Decisions::default()
    };
    loop {
        // The 230b files identify a group's candidates where the count has no ShortCode.
        let computed = compute_result_with(
            SeatRules::of(&election),
            &total,
            &decisions,
            Some(&election),
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
                decisions.seat_lots.push(SeatLot { drawing, drawn });
                continue;
            }
            Computation::Complete(result) => result,
        };
        let group_next = result.groups.iter().find_map(|g| match &g.outcome {
            Ok(GroupOutcome::LotsNeeded(d)) => Some(d.clone()),
            _ => None,
        });
        if let Some(drawing) = group_next {
            let Some(given) = group_given.next() else {
                return Err(ApportionError::LotNeeded(format!(
                    "a drawing of lots decides ({drawing}); give what was drawn with --group-lot (a list by its first kieskring's number, a candidate by ShortCode)"
                )));
            };
            let drawn = match &drawing {
                GroupDrawing::PreferenceSeat { .. } => GroupDrawn::Candidate(given.clone()),
                GroupDrawing::RemainingSeat { .. } | GroupDrawing::Retraction { .. } => {
                    match given.parse::<u32>() {
                        Ok(k) => GroupDrawn::List(k),
                        Err(_) => {
                            return Err(ApportionError::LotNotTied(format!(
                                "--group-lot {given}: this drawing is between lists; give the number of the list's first kieskring ({drawing})"
                            )));
                        }
                    }
                }
            };
            let tied = match &drawing {
                GroupDrawing::PreferenceSeat { tied, .. } => tied
                    .iter()
                    .any(|k| GroupDrawn::Candidate(k.clone()) == drawn),
                GroupDrawing::RemainingSeat { tied, .. }
                | GroupDrawing::Retraction { tied, .. } => {
                    tied.iter().any(|k| GroupDrawn::List(*k) == drawn)
                }
            };
            if !tied {
                return Err(ApportionError::LotNotTied(format!(
                    "--group-lot {given}: not among the tied ({drawing})"
                )));
            }
            decisions.group_lots.push(GroupLot { drawing, drawn });
            continue;
        }
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
                decisions
                    .candidate_lots
                    .push(CandidateLot { drawing, drawn });
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
                if let Some(extra) = group_given.next() {
                    return Err(ApportionError::LotNotTied(format!(
                        "--group-lot {extra}: no drawing of lots within a list group is left to decide"
                    )));
                }
                let text = render(&election, &total, &result, &decisions);
                return Ok((
                    text,
                    Worked {
                        _election: election,
                        _total: total,
                        _result: result,
                    },
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
    /// For each drawing within a list group (P 12, P 13, P 15, P 16): a list by the number
    /// of its first kieskring, or a candidate by `ShortCode`.
    pub groups: Vec<String>,
    /// Deceased candidates (P 19a).
    pub deceased: Vec<DeceasedCandidate>,
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

fn render(election: &Election, total: &CountFile, r: &ComputedResult, d: &Decisions) -> String {
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
    for l in &d.seat_lots {
        let _ = writeln!(out, "lot\t{}\tlist {}", l.drawing, l.drawn);
    }
    for l in &d.candidate_lots {
        let _ = writeln!(out, "lot\t{}\tcandidate {}", l.drawing, l.drawn);
    }
    for l in &d.group_lots {
        let _ = writeln!(out, "lot\t{}\t{}", l.drawing, l.drawn);
    }
    for x in &d.deceased {
        let _ = writeln!(out, "deceased\t{}\t{}", x.list, x.candidate);
    }
    for l in &s.lists {
        let name = r
            .lists
            .iter()
            .find(|c| c.list == l.list)
            .map_or("", |c| c.name.as_str());
        let _ = writeln!(out, "list\t{}\t{}\t{}\t{}", l.list, l.seats, l.votes, name);
    }
    // The lists of each group elected across kieskringen (P 12, P 13, P 16 second
    // paragraph): kieskringen, votes, full seats, remainder, seats in the end.
    for g in &r.groups {
        if let Ok(GroupOutcome::Complete(e)) = &g.outcome {
            for l in &e.lists {
                let districts: Vec<String> = l.districts.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    out,
                    "group-list\t{}\t{}\t{}\t{}\t{}\t{}",
                    g.list,
                    districts.join(","),
                    l.votes,
                    l.full_seats,
                    l.remainder,
                    l.seats
                );
            }
        }
    }
    for o in &r.candidates {
        match o {
            ListOutcome::Elected(e) => {
                let counted = r.lists.iter().find(|c| c.list == e.list);
                for c in &e.elected {
                    let code = c.short_code.clone().or_else(|| {
                        counted
                            .and_then(|cl| cl.candidates.iter().find(|(p, _, _)| *p == c.position))
                            .and_then(|(_, code, _)| code.clone())
                    });
                    let named = match c.district {
                        // A group's candidate: on the seat's kieskring list, or any other
                        // kieskring's list where the candidate stands.
                        Some(k) => std::iter::once((k, c.position))
                            .chain(c.stands_on.iter().copied())
                            .find_map(|(k, p)| {
                                election
                                    .list(&tally_core::ids::ContestId(k.to_string()), e.list)?
                                    .candidates
                                    .iter()
                                    .find(|x| x.position == p)
                            }),
                        None => candidate_name(election, e.list, c.position, code.as_deref()),
                    };
                    let name = named.map(display_name).unwrap_or_else(|| "-".to_owned());
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
                    if let Some(k) = c.district {
                        let _ = writeln!(
                            out,
                            "elected-on\t{}\t{}\t{}",
                            e.list,
                            code.as_deref().unwrap_or("-"),
                            k
                        );
                    }
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
