//! Tweede Kamer 2021 from its published files: the seats and elected candidates computed
//! from the national total (510d) and the definition (110a) must equal the Kiesraad's
//! result (520). The expected side is read from `Resultaat_TK2021.eml.xml` with the 520
//! reader; nothing expected is computed by the apportionment under test.
//!
//! All 150 elected candidates are checked, those of the lists that differ between
//! kieskringen ("lijstengroepen": CDA, D66, SP, PvdA) or are not submitted in every kieskring
//! (BBB) included: those are elected across kieskringen (P 12 - P 18) from the 510d's
//! kieskring units, which give each kieskring's list in order with every candidate's
//! `ShortCode` and votes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use tally_core::aggregate::outcome::{Computation, ListOutcome, SeatRules, compute_result};
use tally_core::apportionment::{ElectedBy, GroupOutcome};
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_definition};
use tally_core::eml::result::read_result;
use tally_core::ids::ListNumber;

fn real(name: &str) -> Vec<u8> {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eml/real")
        .join(name);
    std::fs::read(p).unwrap()
}

#[test]
fn seats_and_candidates_equal_the_published_result() {
    let def = real("Verkiezingsdefinitie_TK2021.eml.xml");
    let election = load_definition(&SourceFile::new("110a", &def)).unwrap();
    assert_eq!(election.number_of_seats, 150);
    let total = read_count(&real("Totaaltelling_TK2021.eml.xml")).unwrap();
    let published = read_result(&real("Resultaat_TK2021.eml.xml")).unwrap();

    let Computation::Complete(result) =
        compute_result(SeatRules::of(&election), &total, &[], &[]).unwrap()
    else {
        panic!("no drawing of lots was needed in 2021")
    };
    assert_eq!(result.lists.len(), 37);
    // Seats per list: every list of the 510d, including those without seats.
    for l in &result.seats.lists {
        assert_eq!(
            l.seats as usize,
            published.seats_of(l.list),
            "list {} seats",
            l.list
        );
    }
    assert_eq!(result.seats.lists.iter().map(|l| l.seats).sum::<u32>(), 150);

    // Candidates: per list with seats.
    let mut checked = Vec::new();
    for outcome in &result.candidates {
        match outcome {
            ListOutcome::Elected(e) => {
                // The 520's CandidateIdentifier Id is the candidate's number among the
                // list's elected (1..seats), not the position on the list: match by
                // ShortCode, which the 510d's units give with each position.
                let counted = result.lists.iter().find(|l| l.list == e.list).unwrap();
                let code = |c: &tally_core::apportionment::ElectedCandidate| {
                    c.short_code.clone().unwrap_or_else(|| {
                        counted
                            .candidates
                            .iter()
                            .find(|(pos, _, _)| *pos == c.position)
                            .and_then(|(_, c, _)| c.clone())
                            .unwrap()
                    })
                };
                let pl = published.lists.iter().find(|l| l.list == e.list).unwrap();
                let mut ours: Vec<(String, ElectedBy)> =
                    e.elected.iter().map(|c| (code(c), c.by)).collect();
                let mut theirs: Vec<(String, ElectedBy)> = pl
                    .candidates
                    .iter()
                    .map(|c| (c.candidate.short_code.clone().unwrap(), c.by.unwrap()))
                    .collect();
                ours.sort_by(|a, b| a.0.cmp(&b.0));
                theirs.sort_by(|a, b| a.0.cmp(&b.0));
                assert_eq!(ours, theirs, "list {}", e.list);
                checked.push(e.list.0);
            }
            other => panic!("{other:?}"),
        }
    }
    // All 17 lists with seats.
    checked.sort();
    assert_eq!(
        checked,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 23]
    );
    let elected_checked: usize = checked
        .iter()
        .map(|l| published.seats_of(ListNumber(*l)))
        .sum();
    assert_eq!(elected_checked, 150, "of the 150 elected candidates");

    // The lists elected across kieskringen, and how many lists each group has (sets of
    // identical kieskring lists, P 2): CDA and PvdA a different list in every kieskring,
    // D66 too (its lists differ below the top), SP five lists of three to five kieskringen,
    // BBB one list of the 19 kieskringen it stood in.
    let groups: Vec<(u32, usize, u32)> = result
        .groups
        .iter()
        .map(|g| match &g.outcome {
            Ok(GroupOutcome::Complete(e)) => (g.list.0, e.lists.len(), e.seats),
            other => panic!("list {}: {other:?}", g.list),
        })
        .collect();
    assert_eq!(
        groups,
        [(3, 20, 15), (4, 20, 24), (6, 5, 9), (7, 20, 9), (23, 1, 1)]
    );
    // SP: its seats over its five lists by the group quota (P 12); every seat filled.
    let Ok(GroupOutcome::Complete(sp)) = &result.groups[2].outcome else {
        panic!()
    };
    assert_eq!(sp.lists.iter().map(|l| l.seats).sum::<u32>(), 9);
    assert_eq!(sp.elected.len(), 9);
    // The published votes of every elected candidate of the groups are the candidate's
    // votes on all the group's lists together.
    for g in &result.groups {
        let Ok(GroupOutcome::Complete(e)) = &g.outcome else {
            panic!()
        };
        let pl = published.lists.iter().find(|l| l.list == g.list).unwrap();
        for c in &e.elected {
            let p = pl
                .candidates
                .iter()
                .find(|x| x.candidate.short_code.as_deref() == Some(c.key.as_str()))
                .unwrap();
            if let Some(v) = p.votes {
                assert_eq!(v, c.votes, "list {}, {}", g.list, c.key);
            }
        }
    }
}
