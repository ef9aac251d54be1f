//! Properties of the election within a list group (`elect_group`, Kieswet P 12 - P 19a) on
//! random groups: up to 5 lists of 2 kieskringen each, drawn from a pool of candidates so
//! that candidates stand on several lists, with random votes, seats and deceased candidates.
//!
//! Whenever the election completes (drawings of lots are answered with the first tied, as a
//! public drawing might): every seat of the group is filled, each list's seats are filled by
//! exactly that many candidates of that list, nobody is elected twice, no deceased candidate
//! is elected, every preference-elected candidate has more votes than the threshold on the
//! group's lists together and stands on the list of the seat, and the P 16 / P 18 tie rules
//! hold: a candidate elected in list order on a list where the candidate has fewer votes than
//! on another list that also elected in list order in the same round would break P 18. A group
//! of one list elects exactly what `elect_candidates` elects for the same list.
//!
//! A second, deliberately simple implementation of P 12, P 15 - P 18 (`oracle`), in integers
//! and written from the law text without looking at the library's, is compared with the
//! library on every random group it covers: no drawing of lots, no list with fewer candidates
//! than seats (P 13), no preference candidate without a seat on one of the candidate's lists
//! (P 16 second paragraph), no deceased candidates. Equal votes that all get a seat are
//! taken in list order (the list of the lowest kieskring where the candidate stands, then
//! the position there): P 15 leaves a drawing only for when not all of them fit ("zo nodig
//! het lot"), and the order decides under P 16 who fills a list first.
//!
//! `APPORTIONMENT_CASES` sets the number of groups per property (default 1000).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use tally_core::apportionment::{
    CandidateInput, CandidateLot, CandidateOutcome, CandidateVotes, ElectedBy, Fraction,
    GroupCandidate, GroupDrawing, GroupDrawn, GroupElection, GroupError, GroupInput, GroupList,
    GroupLot, GroupOutcome, ListCandidates, elect_candidates, elect_group,
};
use tally_core::ids::{CandidatePosition, ListNumber};

fn config() -> ProptestConfig {
    let cases = std::env::var("APPORTIONMENT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    // A fixed seed: the same groups every run, so that CI is deterministic;
    // APPORTIONMENT_SEED=random (or a number) explores further. Random runs once found the
    // oracle taking equal votes in the order of their keys, which decides under P 16 who
    // fills a list (docs/apportionment-p18-p19.md, "P 16 when the list with the most votes
    // is full"); the oracle now takes them in list order, as the library and Abacus do.
    let rng_seed = match std::env::var("APPORTIONMENT_SEED").ok().as_deref() {
        Some("random") => proptest::test_runner::RngSeed::Random,
        Some(n) => n
            .parse()
            .map(proptest::test_runner::RngSeed::Fixed)
            .unwrap_or(proptest::test_runner::RngSeed::Fixed(20261206)),
        None => proptest::test_runner::RngSeed::Fixed(20261206),
    };
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed,
        ..ProptestConfig::default()
    }
}

/// A random group: seats, a national quota, lists (each a set of kieskringen, candidates from
/// a pool of 15 named c0..c14 in a random order, a vote per candidate), deceased candidates.
fn group() -> impl Strategy<Value = GroupInput> {
    (
        1u32..10,
        1u64..3000,
        prop::collection::vec(
            (
                prop::collection::vec(0usize..15, 3..13),
                prop::collection::vec(0u64..200, 13),
            ),
            1..6,
        ),
        prop::collection::btree_set(0usize..15, 0..3),
    )
        .prop_map(|(seats, quota, lists, deceased)| {
            let mut out = Vec::new();
            for (i, (cands, votes)) in lists.into_iter().enumerate() {
                let mut seen = BTreeSet::new();
                let candidates: Vec<GroupCandidate> = cands
                    .into_iter()
                    .filter(|c| seen.insert(*c))
                    .enumerate()
                    .map(|(p, c)| GroupCandidate {
                        key: format!("c{c}"),
                        position: CandidatePosition(u32::try_from(p + 1).unwrap()),
                        votes: votes[p],
                    })
                    .collect();
                let list_votes = candidates.iter().map(|c| c.votes).sum::<u64>() + 5;
                let first = u32::try_from(2 * i + 1).unwrap();
                out.push(GroupList {
                    districts: vec![first, first + 1],
                    votes: list_votes,
                    candidates,
                });
            }
            GroupInput {
                group: ListNumber(3),
                seats,
                quota: Fraction::from_integer(quota),
                threshold_percent: 25,
                lists: out,
                deceased: deceased.into_iter().map(|c| format!("c{c}")).collect(),
            }
        })
}

/// Elects, answering every drawing with the first tied.
fn elect(input: &GroupInput) -> Result<GroupElection, GroupError> {
    let mut lots = Vec::new();
    loop {
        match elect_group(input, &lots)? {
            GroupOutcome::Complete(e) => return Ok(*e),
            GroupOutcome::LotsNeeded(d) => {
                let drawn = match &d {
                    GroupDrawing::RemainingSeat { tied, .. }
                    | GroupDrawing::Retraction { tied, .. } => GroupDrawn::List(tied[0]),
                    GroupDrawing::PreferenceSeat { tied, .. } => {
                        GroupDrawn::Candidate(tied[0].clone())
                    }
                };
                lots.push(GroupLot { drawing: d, drawn });
                assert!(lots.len() < 100, "drawings do not end");
            }
        }
    }
}

/// The oracle's outcome: per list index its seats, and per elected candidate (key, list
/// index, by preference). `None` where the case is outside what it covers.
#[allow(clippy::type_complexity)]
fn oracle(g: &GroupInput) -> Option<(Vec<u32>, Vec<(String, usize, bool)>)> {
    if !g.deceased.is_empty() {
        return None;
    }
    let seats = u64::from(g.seats);
    let total: u64 = g.lists.iter().map(|l| l.votes).sum();
    // P 12: full seats, votes / (total / seats) = votes * seats / total; remainders compared
    // as votes * seats - full * total (the common denominator `seats` dropped).
    let mut got: Vec<u64> = g.lists.iter().map(|l| l.votes * seats / total).collect();
    let rest: Vec<u64> = g
        .lists
        .iter()
        .zip(&got)
        .map(|(l, f)| l.votes * seats - f * total)
        .collect();
    let mut order: Vec<usize> = (0..g.lists.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(rest[*i]));
    let left = (seats - got.iter().sum::<u64>()) as usize;
    if left > 0 && left < order.len() && rest[order[left - 1]] == rest[order[left]] {
        return None; // a drawing
    }
    for i in order.iter().take(left) {
        got[*i] += 1;
    }
    if g.lists
        .iter()
        .zip(&got)
        .any(|(l, s)| *s > l.candidates.len() as u64)
    {
        return None; // P 13
    }
    // P 15: votes on all lists together, more than a quarter of the quota: 4 * votes > quota.
    let quota = g.quota.numerator().parse::<u64>().ok()?;
    let mut together: BTreeMap<&str, u64> = BTreeMap::new();
    for l in &g.lists {
        for c in &l.candidates {
            *together.entry(&c.key).or_default() += c.votes;
        }
    }
    let mut pref: Vec<(&str, u64)> = together
        .iter()
        .filter(|(_, v)| 4 * **v > quota)
        .map(|(k, v)| (*k, *v))
        .collect();
    // Equal votes (all elected, so no drawing): in list order, the list of the lowest
    // kieskring where the candidate stands first, as Abacus keeps the list order of equal
    // votes. The order matters under P 16: whoever is placed first may fill a list.
    let first_seen = |k: &str| {
        g.lists.iter().enumerate().find_map(|(i, l)| {
            l.candidates
                .iter()
                .find(|c| c.key == k)
                .map(|c| (l.districts[0], c.position, i))
        })
    };
    pref.sort_by_key(|p| (std::cmp::Reverse(p.1), first_seen(p.0)));
    if pref.len() as u64 > seats && pref[seats as usize - 1].1 == pref[seats as usize].1 {
        return None; // a drawing
    }
    pref.truncate(seats as usize);
    let votes_on = |i: usize, k: &str| {
        g.lists[i]
            .candidates
            .iter()
            .find(|c| c.key == k)
            .map(|c| c.votes)
    };
    let mut filled = vec![0u64; g.lists.len()];
    let mut elected: Vec<(String, usize, bool)> = Vec::new();
    // P 16: the list with the most votes for the candidate that has a seat left; equal votes:
    // the lowest kieskring (lists are in ascending kieskring order here).
    for (k, _) in &pref {
        let mut best: Option<(usize, u64)> = None;
        for i in 0..g.lists.len() {
            if let Some(v) = votes_on(i, k)
                && filled[i] < got[i]
                && best.is_none_or(|(_, bv)| v > bv)
            {
                best = Some((i, v));
            }
        }
        let (i, _) = best?; // else P 16 second paragraph
        filled[i] += 1;
        elected.push(((*k).to_owned(), i, true));
    }
    // P 17 and P 18, repeated.
    loop {
        let mut picked: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, l) in g.lists.iter().enumerate() {
            let open = got[i] - filled[i];
            let next = l
                .candidates
                .iter()
                .filter(|c| !elected.iter().any(|(k, _, _)| *k == c.key))
                .take(open as usize);
            let mut n = 0;
            for c in next {
                picked.entry(c.key.clone()).or_default().push(i);
                n += 1;
            }
            if n < open {
                return None; // runs out
            }
        }
        if picked.is_empty() {
            break;
        }
        for (k, lists) in picked {
            let mut best = lists[0];
            for &i in &lists[1..] {
                if votes_on(i, &k) > votes_on(best, &k) {
                    best = i;
                }
            }
            filled[best] += 1;
            elected.push((k, best, false));
        }
    }
    Some((got.iter().map(|s| *s as u32).collect(), elected))
}

proptest! {
    #![proptest_config(config())]

    /// The library equals the oracle wherever the oracle applies.
    #[test]
    fn equals_the_oracle(g in group()) {
        let mut g = g;
        g.deceased.clear();
        let Some((seats, mut want)) = oracle(&g) else {
            return Ok(());
        };
        let e = elect(&g);
        prop_assert!(e.is_ok(), "{:?}", e);
        let e = e.unwrap();
        prop_assert!(e.lots.is_empty());
        let got_seats: Vec<u32> = e.lists.iter().map(|l| l.seats).collect();
        prop_assert_eq!(got_seats, seats);
        let mut got: Vec<(String, usize, bool)> = e
            .elected
            .iter()
            .map(|c| {
                let i = g.lists.iter().position(|l| l.districts[0] == c.list).unwrap();
                (c.key.clone(), i, c.by == ElectedBy::Preference)
            })
            .collect();
        got.sort();
        want.sort();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn invariants(g in group()) {
        let Ok(e) = elect(&g) else {
            // Refusals (too few candidates, P 16 second paragraph without a seat to take)
            // are typed errors, never a panic.
            return Ok(());
        };
        prop_assert_eq!(e.lists.iter().map(|l| l.seats).sum::<u32>(), g.seats);
        prop_assert_eq!(e.elected.len() as u32, g.seats);
        let keys: BTreeSet<&str> = e.elected.iter().map(|c| c.key.as_str()).collect();
        prop_assert_eq!(keys.len(), e.elected.len(), "nobody elected twice");
        let mut per_list: BTreeMap<u32, u32> = BTreeMap::new();
        let threshold = g.quota.scaled(25, 100).unwrap();
        for c in &e.elected {
            *per_list.entry(c.list).or_default() += 1;
            prop_assert!(!g.deceased.contains(&c.key), "deceased {} elected", c.key);
            let list = g.lists.iter().find(|l| l.districts[0] == c.list).unwrap();
            let on = list.candidates.iter().find(|x| x.key == c.key);
            prop_assert!(on.is_some(), "{} not on the list of its seat", c.key);
            let on = on.unwrap();
            prop_assert_eq!(on.position, c.position);
            prop_assert_eq!(on.votes, c.votes_on_list);
            let together: u64 = g
                .lists
                .iter()
                .flat_map(|l| &l.candidates)
                .filter(|x| x.key == c.key)
                .map(|x| x.votes)
                .sum();
            prop_assert_eq!(together, c.votes);
            if c.by == ElectedBy::Preference {
                prop_assert!(Fraction::from_integer(c.votes) > threshold);
            }
        }
        for l in &e.lists {
            prop_assert_eq!(per_list.get(&l.id).copied().unwrap_or(0), l.seats, "list {}", l.id);
            // P 19: every living candidate of the list is ranked once.
            let list = g.lists.iter().find(|x| x.districts[0] == l.id).unwrap();
            let living = list.candidates.iter().filter(|c| !g.deceased.contains(&c.key)).count();
            prop_assert_eq!(l.ranking.len(), living);
        }
        // P 15: a living candidate above the threshold who is not elected has no more votes
        // than every preference-elected one... unless the group's seats ran out: then every
        // seat is a preference seat.
        let pref: Vec<u64> = e
            .elected
            .iter()
            .filter(|c| c.by == ElectedBy::Preference)
            .map(|c| c.votes)
            .collect();
        for k in &e.reaching_threshold {
            if !keys.contains(k.as_str()) {
                prop_assert_eq!(pref.len() as u32, g.seats, "{} above the threshold not elected", k);
            }
        }
    }

    /// A group of one list (P 2) elects what the single-list election elects.
    #[test]
    fn one_list_equals_elect_candidates(g in group()) {
        let mut g = g;
        g.lists.truncate(1);
        g.deceased.clear();
        let list = &g.lists[0];
        let single = CandidateInput {
            quota: g.quota.clone(),
            threshold_percent: 25,
            lists: vec![ListCandidates {
                list: g.group,
                seats: g.seats,
                candidates: list
                    .candidates
                    .iter()
                    .map(|c| CandidateVotes { position: c.position, votes: c.votes, deceased: false })
                    .collect(),
                differs_per_district: false,
            }],
        };
        let mut lots: Vec<CandidateLot> = Vec::new();
        let theirs = loop {
            match elect_candidates(&single, &lots) {
                Ok(CandidateOutcome::Complete(c)) => break Some(c),
                Ok(CandidateOutcome::LotsNeeded(d)) => {
                    let drawn = d.tied[0];
                    lots.push(CandidateLot { drawing: d, drawn });
                }
                Err(_) => break None,
            }
        };
        let ours = elect(&g).ok();
        match (theirs, ours) {
            (Some(t), Some(o)) => {
                let t: Vec<(u32, ElectedBy)> =
                    t.lists[0].elected.iter().map(|c| (c.position.0, c.by)).collect();
                let o: Vec<(u32, ElectedBy)> = o.elected.iter().map(|c| (c.position.0, c.by)).collect();
                prop_assert_eq!(t, o);
            }
            (None, None) => {}
            (t, o) => prop_assert!(false, "one refused, the other not: {:?} / {:?}", t.is_some(), o.is_some()),
        }
    }
}
