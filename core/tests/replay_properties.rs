//! Property: the municipal total is the sum of its stations, whatever the order in which
//! the stations are entered and corrected (differences resolved either way, entries with
//! errors sent back, both entries discarded and typed again, definitive results reopened).
//! The expected sums are computed here with plain additions over the stations' true
//! numbers, not with the code under test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use tally_core::double_entry::{Action, DataEntry, Decision, Event, Role, Timestamp, UserName};
use tally_core::entry::{EntryCount, EntryShape, FieldId, FieldValue};
use tally_core::ids::{CandidatePosition, ListNumber, MunicipalityCode, PollingStationNumber};
use tally_core::municipal::{MunicipalitySpec, StationInfo, municipal_total};

fn shape() -> EntryShape {
    EntryShape {
        has_voter_cards: true,
        lists: vec![(ListNumber(1), 4), (ListNumber(2), 3)],
    }
}

/// The true numbers of one station's paper report.
#[derive(Debug, Clone)]
struct Truth {
    lists: Vec<Vec<u64>>,
    blank: u64,
    invalid: u64,
    delta: i64,
}

impl Truth {
    fn e(&self) -> u64 {
        self.lists.iter().flatten().sum()
    }
    fn h(&self) -> u64 {
        self.e() + self.blank + self.invalid
    }
    fn d(&self) -> u64 {
        (self.h() as i64 + self.delta).max(0) as u64
    }
    fn abc(&self) -> (u64, u64, u64) {
        let d = self.d();
        let b = d.min(5);
        let c = (d - b).min(2);
        (d - b - c, b, c)
    }
}

fn truth() -> impl Strategy<Value = Truth> {
    (
        proptest::collection::vec(0u64..400, 4),
        proptest::collection::vec(0u64..400, 3),
        0u64..20,
        0u64..20,
        -3i64..=3,
    )
        .prop_map(|(l1, l2, blank, invalid, delta)| Truth {
            lists: vec![l1, l2],
            blank,
            invalid,
            delta,
        })
}

/// How a station's double entry goes.
#[derive(Debug, Clone, Copy)]
enum Story {
    Equal,
    SecondWrongKeepFirst,
    FirstWrongKeepSecond,
    DiscardBothAndRetype,
    FirstHasErrorsSentBack,
    ReopenedAndRetyped,
}

fn story() -> impl Strategy<Value = Story> {
    prop_oneof![
        Just(Story::Equal),
        Just(Story::SecondWrongKeepFirst),
        Just(Story::FirstWrongKeepSecond),
        Just(Story::DiscardBothAndRetype),
        Just(Story::FirstHasErrorsSentBack),
        Just(Story::ReopenedAndRetyped),
    ]
}

fn ev(sb: u32, user: &str, role: Role, action: Action) -> Event {
    Event {
        station: PollingStationNumber(sb),
        user: UserName(user.into()),
        role,
        at: Timestamp(0),
        action,
    }
}

/// One whole entry. `wrong`: candidate 1 of list 2 one higher (with consistent totals).
/// `error`: F one higher than on paper (E + F + G != H), without finalising.
fn entry(sb: u32, user: &str, t: &Truth, wrong: bool, error: bool) -> Vec<Event> {
    let mut lists = t.lists.clone();
    if wrong {
        lists[1][0] += 1;
    }
    let e: u64 = lists.iter().flatten().sum();
    let h = e + t.blank + t.invalid;
    let d = t.d() + u64::from(wrong);
    let (a, b, c) = t.abc();
    let a = a + u64::from(wrong);
    let mut out = vec![ev(sb, user, Role::Typist, Action::StartEntry)];
    let mut set = |field: FieldId, n: u64| {
        let value = FieldValue::Count(EntryCount::new(n).unwrap());
        out.push(ev(
            sb,
            user,
            Role::Typist,
            Action::SetField { field, value },
        ));
    };
    set(FieldId::PollCards, a);
    set(FieldId::ProxyCertificates, b);
    set(FieldId::VoterCards, c);
    set(FieldId::AdmittedVoters, d);
    for (i, l) in lists.iter().enumerate() {
        let ln = ListNumber(i as u32 + 1);
        set(FieldId::ListVotes(ln), l.iter().sum());
        for (p, n) in l.iter().enumerate() {
            set(
                FieldId::CandidateVotes(ln, CandidatePosition(p as u32 + 1)),
                *n,
            );
        }
        set(FieldId::ListTotal(ln), l.iter().sum());
    }
    set(FieldId::VotesOnCandidates, e);
    set(FieldId::BlankVotes, t.blank + u64::from(error));
    set(FieldId::InvalidVotes, t.invalid);
    set(FieldId::VotesCast, h);
    if h > d {
        set(FieldId::MoreBallotsCounted, h - d);
    }
    if h < d {
        set(FieldId::FewerBallotsCounted, d - h);
    }
    let tick = if h == d {
        FieldId::AdmittedEqualsCast
    } else if h > d {
        FieldId::CastGreaterThanAdmitted
    } else {
        FieldId::CastSmallerThanAdmitted
    };
    out.push(ev(
        sb,
        user,
        Role::Typist,
        Action::SetField {
            field: tick,
            value: FieldValue::Mark(true),
        },
    ));
    if h != d {
        let field = FieldId::DifferenceExplainedYes;
        out.push(ev(
            sb,
            user,
            Role::Typist,
            Action::SetField {
                field,
                value: FieldValue::Mark(true),
            },
        ));
    }
    out.push(ev(
        sb,
        user,
        Role::Typist,
        Action::Finalise {
            acknowledge_warnings: true,
        },
    ));
    out
}

fn decide(sb: u32, d: Decision) -> Vec<Event> {
    vec![ev(
        sb,
        "Coordinator",
        Role::Coordinator,
        Action::Decide { decision: d },
    )]
}

/// The steps of one station's story, each a run of events that belongs together.
fn steps(sb: u32, t: &Truth, story: Story) -> Vec<Vec<Event>> {
    let (a, b) = (format!("A{sb}"), format!("B{sb}"));
    match story {
        Story::Equal => vec![
            entry(sb, &a, t, false, false),
            entry(sb, &b, t, false, false),
        ],
        Story::SecondWrongKeepFirst => {
            vec![
                entry(sb, &a, t, false, false),
                entry(sb, &b, t, true, false),
                decide(sb, Decision::KeepFirst),
            ]
        }
        Story::FirstWrongKeepSecond => {
            vec![
                entry(sb, &a, t, true, false),
                entry(sb, &b, t, false, false),
                decide(sb, Decision::KeepSecond),
            ]
        }
        Story::DiscardBothAndRetype => vec![
            entry(sb, &a, t, true, false),
            entry(sb, &b, t, false, false),
            decide(sb, Decision::DiscardBoth),
            entry(sb, &b, t, false, false),
            entry(sb, &a, t, false, false),
        ],
        Story::FirstHasErrorsSentBack => {
            let fix = FieldValue::Count(EntryCount::new(t.blank).unwrap());
            vec![
                entry(sb, &a, t, false, true),
                decide(sb, Decision::SendBack),
                vec![
                    ev(
                        sb,
                        &a,
                        Role::Typist,
                        Action::SetField {
                            field: FieldId::BlankVotes,
                            value: fix,
                        },
                    ),
                    ev(
                        sb,
                        &a,
                        Role::Typist,
                        Action::Finalise {
                            acknowledge_warnings: true,
                        },
                    ),
                ],
                entry(sb, &b, t, false, false),
            ]
        }
        Story::ReopenedAndRetyped => vec![
            entry(sb, &a, t, true, false),
            entry(sb, &b, t, true, false),
            decide(sb, Decision::Reopen),
            entry(sb, &a, t, false, false),
            entry(sb, &b, t, false, false),
        ],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_total_is_the_sum_of_the_stations(
        stations in proptest::collection::vec((truth(), story()), 1..7),
        order in proptest::collection::vec(any::<u16>(), 40),
    ) {
        let numbers: Vec<PollingStationNumber> = (1..=stations.len() as u32).map(PollingStationNumber).collect();
        let mut de = DataEntry::new(shape(), numbers.clone());
        // Interleave the stations' steps in an arbitrary order, each station's own steps in order.
        let mut queues: Vec<std::collections::VecDeque<Vec<Event>>> = stations
            .iter()
            .enumerate()
            .map(|(i, (t, s))| steps(i as u32 + 1, t, *s).into())
            .collect();
        let mut k = 0;
        while queues.iter().any(|q| !q.is_empty()) {
            let pending: Vec<usize> = (0..queues.len()).filter(|i| !queues[*i].is_empty()).collect();
            let pick = pending[usize::from(order[k % order.len()]) % pending.len()];
            k += 1;
            for e in queues[pick].pop_front().unwrap() {
                de.apply(&e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
            }
        }
        let spec = MunicipalitySpec {
            code: MunicipalityCode("9999".into()),
            stations: numbers.iter().map(|n| StationInfo { number: *n, name: format!("SB{n}"), eligible_voters: 1000 }).collect(),
            list_names: vec![(ListNumber(1), "Een".into()), (ListNumber(2), "Twee".into())],
            total_cast: None,
            explanation_codes: tally_core::municipal::ExplanationCodes::EveryUnit,
        };
        let total = municipal_total(&de, &spec).unwrap();
        // Each unit is its station's true paper report.
        for (u, (t, _)) in total.units.iter().zip(&stations) {
            let c = &u.counts;
            prop_assert_eq!(c.blank, t.blank);
            prop_assert_eq!(c.voters.admitted_voters, Some(t.d()));
            for (l, tl) in c.lists.iter().zip(&t.lists) {
                let votes: Vec<u64> = l.candidates.iter().map(|(_, n)| *n).collect();
                prop_assert_eq!(&votes, tl);
            }
        }
        // The total, added up here.
        let t = &total.total;
        let sum = |f: &dyn Fn(&Truth) -> u64| stations.iter().map(|(t, _)| f(t)).sum::<u64>();
        prop_assert_eq!(t.cast, 1000 * stations.len() as u64);
        prop_assert_eq!(t.total_counted, sum(&|t| t.e()));
        prop_assert_eq!(t.blank, sum(&|t| t.blank));
        prop_assert_eq!(t.invalid, sum(&|t| t.invalid));
        prop_assert_eq!(t.voters.admitted_voters, Some(sum(&|t| t.d())));
        prop_assert_eq!(t.voters.poll_cards, Some(sum(&|t| t.abc().0)));
        prop_assert_eq!(t.voters.proxy_certificates, Some(sum(&|t| t.abc().1)));
        prop_assert_eq!(t.voters.voter_cards, Some(sum(&|t| t.abc().2)));
        prop_assert_eq!(t.voters.more_ballots_counted, Some(sum(&|t| t.h().saturating_sub(t.d()))));
        prop_assert_eq!(t.voters.fewer_ballots_counted, Some(sum(&|t| t.d().saturating_sub(t.h()))));
        for (li, l) in t.lists.iter().enumerate() {
            prop_assert_eq!(l.total, sum(&|t| t.lists[li].iter().sum()));
            for (ci, (_, n)) in l.candidates.iter().enumerate() {
                prop_assert_eq!(*n, sum(&|t| t.lists[li][ci]));
            }
        }
    }
}
