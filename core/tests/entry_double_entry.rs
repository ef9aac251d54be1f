//! Double entry: the state machine per polling station, its refusals and its history.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tally_core::double_entry::{
    Action, DataEntry, Decision, Event, Role, StationStatus, StatusKind, Timestamp,
    TransitionError, UserName,
};
use tally_core::entry::{
    CheckCode, EntryCount, EntryShape, FieldId, FieldValue, PollingStationEntry,
};
use tally_core::ids::{CandidatePosition, ListNumber, PollingStationNumber};

const SB: PollingStationNumber = PollingStationNumber(7);

fn shape() -> EntryShape {
    EntryShape {
        has_voter_cards: false,
        lists: vec![(ListNumber(1), 3), (ListNumber(2), 2)],
    }
}

fn ev(user: &str, role: Role, at: i64, action: Action) -> Event {
    Event {
        station: SB,
        user: UserName(user.into()),
        role,
        at: Timestamp(at),
        action,
    }
}

fn set(user: &str, at: i64, field: FieldId, n: u64) -> Event {
    ev(
        user,
        Role::Typist,
        at,
        Action::SetField {
            field,
            value: FieldValue::Count(EntryCount::new(n).unwrap()),
        },
    )
}

fn mark(user: &str, at: i64, field: FieldId) -> Event {
    ev(
        user,
        Role::Typist,
        at,
        Action::SetField {
            field,
            value: FieldValue::Mark(true),
        },
    )
}

/// The events of typing a correct report (D = H = 80 with candidate 2 at 20) with candidate 2 of list 1 as
/// `cand_1_2` (list 1 total and E adjusted so that every check passes).
fn typing(user: &str, t0: i64, cand_1_2: u64) -> Vec<Event> {
    let l1 = [40, cand_1_2, 10];
    let t1: u64 = l1.iter().sum();
    let l2 = [5, 3];
    let e = t1 + 8;
    let h = e + 2;
    let mut out = vec![ev(user, Role::Typist, t0, Action::StartEntry)];
    let mut t = t0;
    let mut next = || {
        t += 1000;
        t
    };
    out.push(set(user, next(), FieldId::PollCards, h - 4));
    out.push(set(user, next(), FieldId::ProxyCertificates, 4));
    out.push(set(user, next(), FieldId::AdmittedVoters, h));
    out.push(set(user, next(), FieldId::ListVotes(ListNumber(1)), t1));
    out.push(set(user, next(), FieldId::ListVotes(ListNumber(2)), 8));
    out.push(set(user, next(), FieldId::VotesOnCandidates, e));
    out.push(set(user, next(), FieldId::BlankVotes, 1));
    out.push(set(user, next(), FieldId::InvalidVotes, 1));
    out.push(set(user, next(), FieldId::VotesCast, h));
    out.push(mark(user, next(), FieldId::AdmittedEqualsCast));
    for (i, n) in l1.iter().enumerate() {
        out.push(set(
            user,
            next(),
            FieldId::CandidateVotes(ListNumber(1), CandidatePosition(i as u32 + 1)),
            *n,
        ));
    }
    out.push(set(user, next(), FieldId::ListTotal(ListNumber(1)), t1));
    for (i, n) in l2.iter().enumerate() {
        out.push(set(
            user,
            next(),
            FieldId::CandidateVotes(ListNumber(2), CandidatePosition(i as u32 + 1)),
            *n,
        ));
    }
    out.push(set(user, next(), FieldId::ListTotal(ListNumber(2)), 8));
    out.push(ev(
        user,
        Role::Typist,
        next(),
        Action::Finalise {
            acknowledge_warnings: false,
        },
    ));
    out
}

fn run(de: &mut DataEntry, events: &[Event]) {
    for e in events {
        de.apply(e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
    }
}

fn kind(de: &DataEntry) -> StatusKind {
    de.station(SB).unwrap().status.kind()
}

fn decide(de: &mut DataEntry, d: Decision) -> Result<(), TransitionError> {
    de.apply(&ev(
        "Coco",
        Role::Coordinator,
        99_000_000,
        Action::Decide { decision: d },
    ))
}

fn different() -> DataEntry {
    let mut de = DataEntry::new(shape(), [SB]);
    run(&mut de, &typing("Anna", 1_000_000, 20));
    assert_eq!(kind(&de), StatusKind::SecondEntryNotStarted);
    // Bert reads candidate 2 as 21 (and adjusts the totals accordingly: the entry is
    // consistent, only different).
    run(&mut de, &typing("Bert", 2_000_000, 21));
    de
}

#[test]
fn two_equal_entries_are_definitive() {
    let mut de = DataEntry::new(shape(), [SB]);
    run(&mut de, &typing("Anna", 1_000_000, 20));
    run(&mut de, &typing("Bert", 2_000_000, 20));
    match &de.station(SB).unwrap().status {
        StationStatus::Definitive {
            result,
            other_typist,
        } => {
            assert_eq!(result.typist, UserName("Anna".into()));
            assert_eq!(other_typist, &UserName("Bert".into()));
            assert_eq!(
                result
                    .entry
                    .get(FieldId::CandidateVotes(ListNumber(1), CandidatePosition(2))),
                Some(FieldValue::Count(EntryCount::new(20).unwrap()))
            );
        }
        other => panic!("{other:?}"),
    }
    // Every transition recorded with who and when.
    let h = &de.station(SB).unwrap().history;
    let steps: Vec<(String, i64, StatusKind, StatusKind)> = h
        .iter()
        .map(|r| (r.user.0.clone(), r.at.0, r.from, r.to))
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                "Anna".into(),
                1_000_000,
                StatusKind::FirstEntryNotStarted,
                StatusKind::FirstEntryInProgress
            ),
            (
                "Anna".into(),
                1_018_000,
                StatusKind::FirstEntryInProgress,
                StatusKind::SecondEntryNotStarted
            ),
            (
                "Bert".into(),
                2_000_000,
                StatusKind::SecondEntryNotStarted,
                StatusKind::SecondEntryInProgress
            ),
            (
                "Bert".into(),
                2_018_000,
                StatusKind::SecondEntryInProgress,
                StatusKind::Definitive
            ),
        ]
    );
}

#[test]
fn one_differing_candidate_vote_goes_to_the_coordinator_with_exactly_that_field() {
    let de = different();
    let st = &de.station(SB).unwrap().status;
    let StationStatus::EntriesDifferent {
        differences,
        first,
        second,
    } = st
    else {
        panic!("{st:?}")
    };
    // The candidate, and the totals Bert adjusted (list total, E.1, E, H, A, D).
    assert!(differences.contains(&FieldId::CandidateVotes(
        ListNumber(1),
        CandidatePosition(2)
    )));
    assert_eq!(first.typist.0, "Anna");
    assert_eq!(second.typist.0, "Bert");
    let w = st.difference_warning().unwrap();
    assert_eq!(w.code, CheckCode::W001);
    assert_eq!(&w.fields, differences);
}

#[test]
fn a_single_differing_field_is_the_only_difference() {
    let mut de = DataEntry::new(shape(), [SB]);
    run(&mut de, &typing("Anna", 1_000_000, 20));
    // Bert types the same, except that candidate 3 of list 1 is typed 11 (a typing error
    // that leaves his totals inconsistent).
    let mut bert = typing("Bert", 2_000_000, 20);
    let pos = bert
        .iter()
        .position(|e| {
            matches!(
                e.action,
                Action::SetField {
                    field: FieldId::CandidateVotes(ListNumber(1), CandidatePosition(3)),
                    ..
                }
            )
        })
        .unwrap();
    bert[pos] = set(
        "Bert",
        bert[pos].at.0,
        FieldId::CandidateVotes(ListNumber(1), CandidatePosition(3)),
        11,
    );
    run(&mut de, &bert);
    let StationStatus::EntriesDifferent { differences, .. } = &de.station(SB).unwrap().status
    else {
        panic!()
    };
    assert_eq!(
        differences,
        &vec![FieldId::CandidateVotes(ListNumber(1), CandidatePosition(3))]
    );
}

fn cand_1_2(de: &DataEntry) -> Option<FieldValue> {
    match &de.station(SB).unwrap().status {
        StationStatus::Definitive { result, .. } => result
            .entry
            .get(FieldId::CandidateVotes(ListNumber(1), CandidatePosition(2))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn keep_first_makes_the_first_definitive() {
    let mut de = different();
    decide(&mut de, Decision::KeepFirst).unwrap();
    assert_eq!(kind(&de), StatusKind::Definitive);
    assert_eq!(
        cand_1_2(&de),
        Some(FieldValue::Count(EntryCount::new(20).unwrap()))
    );
    let last = de.station(SB).unwrap().history.last().unwrap().clone();
    assert_eq!(
        (last.user.0.as_str(), last.role, last.at.0),
        ("Coco", Role::Coordinator, 99_000_000)
    );
}

#[test]
fn keep_second_makes_the_second_definitive() {
    let mut de = different();
    decide(&mut de, Decision::KeepSecond).unwrap();
    assert_eq!(
        cand_1_2(&de),
        Some(FieldValue::Count(EntryCount::new(21).unwrap()))
    );
}

#[test]
fn discard_both_starts_again() {
    let mut de = different();
    decide(&mut de, Decision::DiscardBoth).unwrap();
    assert_eq!(kind(&de), StatusKind::FirstEntryNotStarted);
    // And the same typists may start again, in either order.
    run(&mut de, &typing("Bert", 3_000_000, 21));
    run(&mut de, &typing("Anna", 4_000_000, 21));
    assert_eq!(
        cand_1_2(&de),
        Some(FieldValue::Count(EntryCount::new(21).unwrap()))
    );
}

#[test]
fn keeping_a_second_entry_with_errors_is_refused() {
    let mut de = DataEntry::new(shape(), [SB]);
    run(&mut de, &typing("Anna", 1_000_000, 20));
    let mut bert = typing("Bert", 2_000_000, 20);
    bert.insert(
        bert.len() - 1,
        set("Bert", 2_500_000, FieldId::BlankVotes, 2),
    ); // E + F + G != H
    run(&mut de, &bert);
    assert_eq!(kind(&de), StatusKind::EntriesDifferent);
    let err = decide(&mut de, Decision::KeepSecond).unwrap_err();
    assert!(
        matches!(err, TransitionError::KeptEntryHasErrors { ref codes, .. } if codes == &vec![CheckCode::F203])
    );
    assert_eq!(kind(&de), StatusKind::EntriesDifferent);
}

#[test]
fn the_second_typist_must_be_someone_else() {
    let mut de = DataEntry::new(shape(), [SB]);
    run(&mut de, &typing("Anna", 1_000_000, 20));
    let err = de
        .apply(&ev("Anna", Role::Typist, 2_000_000, Action::StartEntry))
        .unwrap_err();
    assert_eq!(
        err,
        TransitionError::SameTypist {
            station: SB,
            typist: UserName("Anna".into())
        }
    );
    assert_eq!(kind(&de), StatusKind::SecondEntryNotStarted);
}

#[test]
fn an_entry_with_errors_is_saved_and_the_coordinator_decides() {
    let mut de = DataEntry::new(shape(), [SB]);
    let mut anna = typing("Anna", 1_000_000, 20);
    anna.insert(
        anna.len() - 1,
        set("Anna", 1_500_000, FieldId::AdmittedVoters, 81),
    ); // F.201, F.301, ...
    run(&mut de, &anna);
    let StationStatus::FirstEntryHasErrors { results, first } = &de.station(SB).unwrap().status
    else {
        panic!()
    };
    assert!(results.iter().any(|r| r.code == CheckCode::F201));
    assert_eq!(first.entry.admitted_voters, EntryCount::new(81).ok());
    // Send back: the same typist corrects and finalises.
    decide(&mut de, Decision::SendBack).unwrap();
    assert_eq!(kind(&de), StatusKind::FirstEntryInProgress);
    let err = de
        .apply(&set("Bert", 1_600_000, FieldId::AdmittedVoters, 80))
        .unwrap_err();
    assert!(matches!(err, TransitionError::NotYourEntry { .. }));
    de.apply(&set("Anna", 1_600_000, FieldId::AdmittedVoters, 80))
        .unwrap();
    de.apply(&ev(
        "Anna",
        Role::Typist,
        1_700_000,
        Action::Finalise {
            acknowledge_warnings: false,
        },
    ))
    .unwrap();
    assert_eq!(kind(&de), StatusKind::SecondEntryNotStarted);

    // Discard: back to the start.
    let mut de = DataEntry::new(shape(), [SB]);
    run(&mut de, &anna);
    decide(&mut de, Decision::DiscardFirst).unwrap();
    assert_eq!(kind(&de), StatusKind::FirstEntryNotStarted);
}

#[test]
fn warnings_must_be_acknowledged() {
    let mut de = DataEntry::new(shape(), [SB]);
    let mut anna = typing("Anna", 1_000_000, 20);
    anna.pop();
    run(&mut de, &anna);
    // 40 blank votes of H = 78 + 40 + 1 = 119: W.201, with every total in agreement.
    for (f, n) in [
        (FieldId::BlankVotes, 40),
        (FieldId::VotesCast, 119),
        (FieldId::AdmittedVoters, 119),
        (FieldId::PollCards, 115),
    ] {
        de.apply(&set("Anna", 1_500_000, f, n)).unwrap();
    }
    let err = de.apply(&ev(
        "Anna",
        Role::Typist,
        1_600_000,
        Action::Finalise {
            acknowledge_warnings: false,
        },
    ));
    assert_eq!(
        err,
        Err(TransitionError::WarningsNotAcknowledged {
            station: SB,
            codes: vec![CheckCode::W201]
        })
    );
    assert_eq!(kind(&de), StatusKind::FirstEntryInProgress);
    de.apply(&ev(
        "Anna",
        Role::Typist,
        1_600_000,
        Action::Finalise {
            acknowledge_warnings: true,
        },
    ))
    .unwrap();
    assert_eq!(kind(&de), StatusKind::SecondEntryNotStarted);
}

#[test]
fn illegal_transitions_are_refused_and_change_nothing() {
    let mut de = DataEntry::new(shape(), [SB]);
    let before = de.clone();
    let refused = [
        set("Anna", 1, FieldId::PollCards, 1),
        ev("Anna", Role::Typist, 1, Action::Save),
        ev(
            "Anna",
            Role::Typist,
            1,
            Action::Finalise {
                acknowledge_warnings: true,
            },
        ),
        ev(
            "Coco",
            Role::Coordinator,
            1,
            Action::Decide {
                decision: Decision::KeepFirst,
            },
        ),
        ev(
            "Coco",
            Role::Coordinator,
            1,
            Action::Decide {
                decision: Decision::Reopen,
            },
        ),
        ev("Coco", Role::Coordinator, 1, Action::StartEntry),
        ev("", Role::Typist, 1, Action::StartEntry),
    ];
    for e in &refused {
        assert!(de.apply(e).is_err(), "{e:?}");
        assert_eq!(de, before);
    }
    let other = Event {
        station: PollingStationNumber(8),
        ..ev("Anna", Role::Typist, 1, Action::StartEntry)
    };
    assert_eq!(
        de.apply(&other),
        Err(TransitionError::UnknownStation(PollingStationNumber(8)))
    );

    // A typist cannot decide; a coordinator cannot type.
    let mut de = different();
    let snapshot = de.clone();
    let err = de
        .apply(&ev(
            "Anna",
            Role::Typist,
            5,
            Action::Decide {
                decision: Decision::KeepFirst,
            },
        ))
        .unwrap_err();
    assert!(matches!(err, TransitionError::WrongRole { .. }), "{err}");
    let err = decide(&mut de, Decision::SendBack).unwrap_err();
    assert!(
        matches!(
            err,
            TransitionError::NotAllowed {
                status: StatusKind::EntriesDifferent,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("send back"));
    assert_eq!(de, snapshot);

    // A field that is not on the form: C in a municipal council election.
    let mut de = DataEntry::new(shape(), [SB]);
    de.apply(&ev("Anna", Role::Typist, 1, Action::StartEntry))
        .unwrap();
    let err = de
        .apply(&set("Anna", 2, FieldId::VoterCards, 1))
        .unwrap_err();
    assert!(matches!(err, TransitionError::Field { .. }), "{err}");
}

#[test]
fn a_definitive_result_can_be_reopened_for_a_new_double_entry() {
    let mut de = DataEntry::new(shape(), [SB]);
    run(&mut de, &typing("Anna", 1_000_000, 20));
    run(&mut de, &typing("Bert", 2_000_000, 20));
    assert_eq!(de.not_definitive(), vec![]);
    decide(&mut de, Decision::Reopen).unwrap();
    assert_eq!(
        de.not_definitive(),
        vec![(SB, StatusKind::FirstEntryNotStarted)]
    );
}

#[test]
fn interrupting_keeps_everything_typed() {
    let mut de = DataEntry::new(shape(), [SB]);
    let anna = typing("Anna", 1_000_000, 20);
    run(&mut de, &anna[..5]);
    de.apply(&ev("Anna", Role::Typist, 1_100_000, Action::Save))
        .unwrap();
    let StationStatus::FirstEntryInProgress { first } = &de.station(SB).unwrap().status else {
        panic!()
    };
    let mut expected = PollingStationEntry::empty(&shape());
    expected.poll_cards = EntryCount::new(76).ok();
    expected.proxy_certificates = EntryCount::new(4).ok();
    expected.admitted_voters = EntryCount::new(80).ok();
    expected.list_votes[0].1 = EntryCount::new(70).ok();
    assert_eq!(first.entry, expected);
    run(&mut de, &anna[5..]);
    assert_eq!(kind(&de), StatusKind::SecondEntryNotStarted);
}
