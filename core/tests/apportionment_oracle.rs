//! A second, deliberately simple implementation of Kieswet chapter P (P 5 to P 10, P 15,
//! P 17), written from the law text with plain integers and arrays, as an oracle: the library
//! must give the same seats, unfilled seats and elected candidates on thousands of random
//! councils, in both regimes (fewer than 19 seats and 19 or more).
//!
//! It reads the law as `docs/apportionment.md` and `docs/apportionment-p9-p10.md` do: P 7 / P 8
//! without regard to candidates, then P 9, then P 10 by continued application; P 8 in three
//! rounds; a seat that P 9 takes back no longer counts against its list in a later round, and
//! the P 9 seat counts toward none. Drawings of lots: the tied list (or candidate) with the
//! highest number is drawn, as the library is driven in `common_apportionment`.
//!
//! `APPORTIONMENT_CASES` sets the number of councils (default 3000); the test prints how
//! many hit each rule.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common_apportionment;

use std::cell::RefCell;
use std::collections::BTreeMap;

use common_apportionment::{Council, Outcome, council, majority_council, run_library};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use tally_core::apportionment::{ApportionmentError, ApportionmentNotice, SeatStep};
use tally_core::election::ElectionCategory;

/// The rule a remaining seat went by, for P 8's rounds and P 9's "last seat".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    Averages,
    Remainders,
    OnePerList,
    Unlimited,
}

/// A value compared for a seat, as a fraction n / d with d > 0.
#[derive(Debug, Clone, Copy)]
struct Value {
    n: u128,
    d: u128,
}

impl Value {
    fn cmp(self, other: Value) -> std::cmp::Ordering {
        (self.n * other.d).cmp(&(other.n * self.d))
    }
}

struct Oracle<'a> {
    c: &'a Council,
    total: u128,
    seats: u128,
    full: Vec<u32>,
    rest: Vec<u32>,
    /// Remainder times the number of seats: votes * seats - full * total.
    remainder_scaled: Vec<u128>,
    had_remainder: Vec<bool>,
    had_one_per_list: Vec<bool>,
    /// Every remaining seat given: (list, round, value).
    history: Vec<(usize, Round, Value)>,
}

impl Oracle<'_> {
    fn seats_of(&self, i: usize) -> u32 {
        self.full[i] + self.rest[i]
    }

    fn votes(&self, i: usize) -> u128 {
        u128::from(self.c.votes(i))
    }

    fn candidates(&self, i: usize) -> u32 {
        u32::try_from(self.c.lists[i].len()).unwrap()
    }

    /// P 7, second paragraph (Tweede Kamer), or bill 36 641: "lijsten waarvan het stemcijfer
    /// lager is dan de kiesdeler" take no remaining seat.
    fn below_quota(&self, i: usize) -> bool {
        let required = match self.c.law {
            tally_core::apportionment::RemainingSeatLaw::Kieswet => {
                self.c.category == ElectionCategory::TK
            }
            tally_core::apportionment::RemainingSeatLaw::Amended36641 => true,
        };
        required && self.votes(i) * self.seats < self.total
    }

    /// P 8, second paragraph: "een stemcijfer dat lager is dan 75% van de kiesdeler".
    fn below_75(&self, i: usize) -> bool {
        4 * self.votes(i) * self.seats < 3 * self.total
    }

    fn average(&self, i: usize) -> Value {
        Value {
            n: self.votes(i),
            d: u128::from(self.seats_of(i)) + 1,
        }
    }

    /// One remaining seat; `None` when no list may take it. `left` seats are still to give
    /// in this run (ties within it need no lot).
    fn one_seat(&mut self, left: u32, exhausted_out: bool) -> Option<()> {
        let n = self.c.lists.len();
        let may: Vec<usize> = (0..n)
            .filter(|&i| self.votes(i) > 0 && !self.below_quota(i))
            .filter(|&i| !exhausted_out || self.seats_of(i) < self.candidates(i))
            .collect();
        if may.is_empty() {
            return None;
        }
        let (round, pool): (Round, Vec<usize>) = if self.seats >= 19 {
            (Round::Averages, may)
        } else {
            let lr: Vec<usize> = may
                .iter()
                .copied()
                .filter(|&i| !self.below_75(i) && !self.had_remainder[i])
                .collect();
            let opl: Vec<usize> = may
                .iter()
                .copied()
                .filter(|&i| !self.had_one_per_list[i])
                .collect();
            if !lr.is_empty() {
                (Round::Remainders, lr)
            } else if !opl.is_empty() {
                (Round::OnePerList, opl)
            } else {
                (Round::Unlimited, may)
            }
        };
        let value = |o: &Oracle<'_>, i: usize| {
            if round == Round::Remainders {
                Value {
                    n: o.remainder_scaled[i],
                    d: o.seats,
                }
            } else {
                o.average(i)
            }
        };
        let best = pool
            .iter()
            .map(|&i| value(self, i))
            .max_by(|a, b| a.cmp(*b))
            .unwrap();
        let tied: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|&i| value(self, i).cmp(best).is_eq())
            .collect();
        // "Indien gemiddelden (overschotten) gelijk zijn, beslist zo nodig het lot": only when
        // more lists are tied than seats are left; otherwise the lowest number first.
        let winner = if tied.len() > left as usize {
            *tied.last().unwrap()
        } else {
            tied[0]
        };
        self.rest[winner] += 1;
        match round {
            Round::Remainders => self.had_remainder[winner] = true,
            Round::OnePerList => self.had_one_per_list[winner] = true,
            Round::Averages | Round::Unlimited => {}
        }
        self.history.push((winner, round, best));
        Some(())
    }

    /// Gives `count` remaining seats; returns how many no list could take.
    fn seats_run(&mut self, count: u32, exhausted_out: bool) -> u32 {
        for k in 0..count {
            if self.one_seat(count - k, exhausted_out).is_none() {
                return count - k;
            }
        }
        0
    }
}

/// The oracle: seats per list and unfilled seats, then the candidates (P 15, P 17).
fn oracle(c: &Council) -> Option<Outcome> {
    let n = c.lists.len();
    let total = u128::from(c.total());
    if total == 0 {
        return None;
    }
    let seats = u128::from(c.seats);
    let mut o = Oracle {
        c,
        total,
        seats,
        full: vec![0; n],
        rest: vec![0; n],
        remainder_scaled: vec![0; n],
        had_remainder: vec![false; n],
        had_one_per_list: vec![false; n],
        history: Vec::new(),
    };
    // P 5, P 6: "zoveel maal als de kiesdeler is begrepen in het stemcijfer".
    for i in 0..n {
        let v = o.votes(i) * seats;
        o.full[i] = u32::try_from(v / total).unwrap();
        o.remainder_scaled[i] = v % total;
    }
    let full: u32 = o.full.iter().sum();
    // P 7 / P 8.
    let mut unfilled = o.seats_run(c.seats - full, false);
    // P 9.
    if let Some(m) = (0..n).find(|&i| 2 * o.votes(i) > total)
        && 2 * u128::from(o.seats_of(m)) <= seats
        && let Some(&(_, last_round, last_value)) = o.history.last()
    {
        let mut group: Vec<usize> = Vec::new();
        for &(list, round, value) in o.history.iter().rev() {
            if round != last_round || !value.cmp(last_value).is_eq() {
                break;
            }
            if list != m && !group.contains(&list) {
                group.push(list);
            }
        }
        if !group.is_empty() {
            let from = *group.iter().max().unwrap();
            o.rest[from] -= 1;
            match last_round {
                Round::Remainders => o.had_remainder[from] = false,
                Round::OnePerList => o.had_one_per_list[from] = false,
                Round::Averages | Round::Unlimited => {}
            }
            o.rest[m] += 1;
        }
    }
    // P 10.
    let mut given_up = 0;
    for i in 0..n {
        let cands = o.candidates(i);
        while o.seats_of(i) > cands {
            if o.rest[i] > 0 {
                o.rest[i] -= 1;
            } else {
                o.full[i] -= 1;
            }
            given_up += 1;
        }
    }
    unfilled += o.seats_run(given_up, true);

    // P 15: "een aantal stemmen ... groter dan 25% van de kiesdeler" (half of it for councils
    // of fewer than 19 seats): votes > total * pct / (100 * seats). P 17: the rest in list
    // order.
    let pct = u128::from(c.threshold_percent());
    let mut elected = Vec::new();
    let mut lots = false;
    for i in 0..n {
        let mut got: Vec<(u32, bool)> = Vec::new();
        let mut s = o.seats_of(i) as usize;
        let mut pool: Vec<(u32, u64)> = c.lists[i]
            .iter()
            .enumerate()
            .filter(|&(_, &v)| u128::from(v) * 100 * seats > pct * total)
            .map(|(k, &v)| (u32::try_from(k + 1).unwrap(), v))
            .collect();
        while s > 0 && !pool.is_empty() {
            let top = pool.iter().map(|&(_, v)| v).max().unwrap();
            let tied: Vec<u32> = pool
                .iter()
                .filter(|&&(_, v)| v == top)
                .map(|&(p, _)| p)
                .collect();
            let chosen = if tied.len() > s {
                lots = true;
                *tied.last().unwrap()
            } else {
                tied[0]
            };
            got.push((chosen, true));
            pool.retain(|&(p, _)| p != chosen);
            s -= 1;
        }
        for k in 1..=u32::try_from(c.lists[i].len()).unwrap() {
            if s == 0 {
                break;
            }
            if !got.iter().any(|&(p, _)| p == k) {
                got.push((k, false));
                s -= 1;
            }
        }
        elected.push(got);
    }
    Some(Outcome {
        seats: (0..n).map(|i| o.seats_of(i)).collect(),
        unfilled,
        elected,
        lots,
    })
}

fn cases() -> u32 {
    std::env::var("APPORTIONMENT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

fn compare_with_oracle(name: &str, strategy: impl proptest::strategy::Strategy<Value = Council>) {
    let counts: RefCell<BTreeMap<&'static str, u32>> = RefCell::new(BTreeMap::new());
    let count = |what: &'static str| {
        *counts.borrow_mut().entry(what).or_insert(0) += 1;
    };
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |c| {
        let expected = oracle(&c);
        let got = run_library(&c);
        match (&expected, &got) {
            (None, Err(ApportionmentError::NoVotes)) => {
                count("no votes");
                Ok(())
            }
            (Some(e), Ok((a, g))) => {
                if e.seats != g.seats || e.unfilled != g.unfilled || e.elected != g.elected {
                    return Err(TestCaseError::fail(format!(
                        "oracle {e:?}\nlibrary {g:?}\nsteps:\n{a}"
                    )));
                }
                count(if c.seats < 19 {
                    "fewer than 19 seats"
                } else {
                    "19 seats or more"
                });
                let has = |f: fn(&SeatStep) -> bool| a.steps.iter().any(f);
                if has(|s| matches!(s, SeatStep::AbsoluteMajority { .. })) {
                    count("P 9 applied");
                }
                if has(|s| matches!(s, SeatStep::ListExhausted { .. })) {
                    count("P 10 applied");
                }
                if a.notices()
                    .contains(&ApportionmentNotice::AbsoluteMajorityAndListExhaustion)
                {
                    count("P 9 moved a seat and P 10 applied (notice)");
                }
                if a.unfilled_seats > 0 {
                    count("seats unfilled");
                }
                if g.lots {
                    count("a drawing of lots");
                }
                if g.elected.iter().flatten().any(|&(_, pref)| pref) {
                    count("a candidate elected by preference");
                }
                Ok(())
            }
            _ => Err(TestCaseError::fail(format!(
                "oracle {expected:?}, library {:?}",
                got.map(|(_, g)| g)
            ))),
        }
    });
    println!("apportionment oracle, {} {name}:", cases());
    for (what, n) in counts.borrow().iter() {
        println!("  {what}: {n}");
    }
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn library_equals_the_oracle_on_random_councils() {
    compare_with_oracle("random councils", council());
}

#[test]
fn library_equals_the_oracle_on_councils_with_a_majority_list() {
    compare_with_oracle("councils with a majority list", majority_council());
}
