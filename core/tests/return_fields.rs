//! Return for correction (issue 14, point 2): when the two entries of a station differ, the
//! coordinator sends only the differing fields back to one typist, who retypes those; the
//! entries are then compared again. Worked by hand on a report of one list of two
//! candidates:
//!
//! ```text
//!            A   D  E.1  E   F  G   H  D=H  1.1 1.2 total
//! Anna (1)  80  80  79  79   1  0  80   x   50  29   79
//! Bert (2)  80  80  79  79   1  0  80   x   40  29   70   (misread 50 as 40, 79 as 70)
//! ```
//!
//! The entries differ in candidate 1.1 and the list total of list 1 (in the order of the
//! paper). Bert's entry has errors (F.402: 40 + 29 != 70; F.403: 70 != E.1 = 79); Anna's
//! has none and no warning (1 blank of 80 is 1.25 %).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tally_core::double_entry::{
    Action, DataEntry, Decision, EntrySlot, PersonEvent, Role, StationStatus, StatusKind,
    Timestamp, TransitionError, WarningsBy,
};
use tally_core::entry::{EntryCount, EntryShape, FieldId, FieldValue};
use tally_core::ids::{CandidatePosition, ListNumber, PollingStationNumber};
use tally_core::people::{PersonId, PersonName, PinHash, Registry};

const SB: PollingStationNumber = PollingStationNumber(7);
const HASH: &str = "$argon2id$v=19$m=65536,t=3,p=1$BwcHBwcHBwcHBwcHBwcHBw$q0e9X2yq0e9X2yq0e9X2yq0e9X2yq0e9X2yq0e9X2yq";
const CARLA: PersonId = PersonId(1);
const ANNA: PersonId = PersonId(2);
const BERT: PersonId = PersonId(3);
const L1: ListNumber = ListNumber(1);
const CAND1: FieldId = FieldId::CandidateVotes(L1, CandidatePosition(1));
const TOTAL1: FieldId = FieldId::ListTotal(L1);

fn people() -> Registry {
    let mut r = Registry::new();
    for (by, who, role) in [
        (None, "Carla", Role::Coordinator),
        (Some(CARLA), "Anna", Role::Typist),
        (Some(CARLA), "Bert", Role::Typist),
    ] {
        let event = r
            .registration(
                by,
                Timestamp(10),
                PersonName::parse(who).unwrap(),
                role,
                PinHash::parse(HASH.into()).unwrap(),
            )
            .unwrap();
        r.apply(&event).unwrap();
    }
    r
}

fn data_entry() -> DataEntry {
    DataEntry::new(
        EntryShape {
            has_voter_cards: false,
            lists: vec![(L1, 2)],
        },
        [SB],
    )
    .warnings_by(WarningsBy::Coordinator)
}

fn by(person: PersonId, at: i64, action: Action) -> PersonEvent {
    PersonEvent {
        station: SB,
        person,
        at: Timestamp(at),
        action,
    }
}

fn set(field: FieldId, n: u64) -> Action {
    Action::SetField {
        field,
        value: FieldValue::Count(EntryCount::new(n).unwrap()),
    }
}

fn count(n: u64) -> Option<FieldValue> {
    Some(FieldValue::Count(EntryCount::new(n).unwrap()))
}

const FINALISE: Action = Action::Finalise {
    acknowledge_warnings: false,
};

/// A whole entry with candidate 1.1 and the list total as given (the rest as in the table).
fn typed(de: &mut DataEntry, r: &Registry, person: PersonId, cand1: u64, total: u64) {
    let actions = vec![
        Action::StartEntry,
        set(FieldId::PollCards, 80),
        set(FieldId::AdmittedVoters, 80),
        set(FieldId::ListVotes(L1), 79),
        set(FieldId::VotesOnCandidates, 79),
        set(FieldId::BlankVotes, 1),
        set(FieldId::InvalidVotes, 0),
        set(FieldId::VotesCast, 80),
        Action::SetField {
            field: FieldId::AdmittedEqualsCast,
            value: FieldValue::Mark(true),
        },
        set(CAND1, cand1),
        set(FieldId::CandidateVotes(L1, CandidatePosition(2)), 29),
        set(TOTAL1, total),
        FINALISE,
    ];
    for (i, a) in actions.into_iter().enumerate() {
        de.apply_person(r, &by(person, 100 + i64::try_from(i).unwrap(), a))
            .unwrap();
    }
}

/// Anna and Bert as in the table: the entries differ.
fn differing() -> (Registry, DataEntry) {
    let r = people();
    let mut de = data_entry();
    typed(&mut de, &r, ANNA, 50, 79);
    typed(&mut de, &r, BERT, 40, 70);
    (r, de)
}

fn status(de: &DataEntry) -> &StationStatus {
    &de.station(SB).unwrap().status
}

fn decide(
    r: &Registry,
    de: &mut DataEntry,
    who: PersonId,
    d: Decision,
) -> Result<(), TransitionError> {
    de.apply_person(r, &by(who, 500, Action::Decide { decision: d }))
}

fn return_to(slot: EntrySlot) -> Decision {
    Decision::ReturnFields {
        slot,
        fields: vec![CAND1, TOTAL1],
    }
}

#[test]
fn the_differing_fields_go_back_to_the_second_typist_who_retypes_only_those() {
    let (r, mut de) = differing();
    let StationStatus::EntriesDifferent { differences, .. } = status(&de) else {
        panic!("{:?}", status(&de));
    };
    assert_eq!(differences, &vec![CAND1, TOTAL1]);

    decide(&r, &mut de, CARLA, return_to(EntrySlot::Second)).unwrap();
    let StationStatus::FieldsReturned {
        first,
        second,
        slot,
        fields,
    } = status(&de)
    else {
        panic!("{:?}", status(&de));
    };
    assert_eq!(*slot, EntrySlot::Second);
    assert_eq!(fields, &vec![CAND1, TOTAL1]);
    // Only the returned fields of the second entry are cleared; the rest stays.
    assert_eq!(second.entry.get(CAND1), Some(FieldValue::Empty));
    assert_eq!(second.entry.get(TOTAL1), Some(FieldValue::Empty));
    assert_eq!(second.entry.get(FieldId::BlankVotes), count(1));
    assert_eq!(
        second
            .entry
            .get(FieldId::CandidateVotes(L1, CandidatePosition(2))),
        count(29)
    );
    // The first entry is kept as it was.
    assert_eq!(first.entry.get(CAND1), count(50));
    assert_eq!(first.entry.get(TOTAL1), count(79));
    assert_eq!(first.person, Some(ANNA));
    assert_eq!(second.person, Some(BERT));
    assert!(!StatusKind::FieldsReturned.needs_coordinator());

    // Nobody but Bert may type in it, and Bert only the returned fields.
    let before = de.clone();
    assert!(matches!(
        de.apply_person(&r, &by(ANNA, 600, set(CAND1, 50))),
        Err(TransitionError::NotYourEntry { .. })
    ));
    assert!(matches!(
        de.apply_person(&r, &by(ANNA, 600, FINALISE)),
        Err(TransitionError::NotYourEntry { .. })
    ));
    assert!(matches!(
        de.apply_person(&r, &by(CARLA, 600, set(CAND1, 50))),
        Err(TransitionError::WrongRole { .. })
    ));
    assert!(matches!(
        de.apply_person(&r, &by(BERT, 600, set(FieldId::BlankVotes, 0))),
        Err(TransitionError::FieldNotReturned {
            field: FieldId::BlankVotes,
            ..
        })
    ));
    assert!(matches!(
        de.apply_person(&r, &by(BERT, 600, Action::StartEntry)),
        Err(TransitionError::NotAllowed { .. })
    ));
    // No decision but discarding both fits while the typist retypes.
    assert!(matches!(
        decide(&r, &mut de, CARLA, Decision::KeepFirst),
        Err(TransitionError::NotAllowed { .. })
    ));
    assert_eq!(de, before);

    // Bert retypes from the paper: now equal to Anna's; no warnings, so definitive.
    de.apply_person(&r, &by(BERT, 601, set(CAND1, 50))).unwrap();
    de.apply_person(&r, &by(BERT, 602, Action::Save)).unwrap();
    de.apply_person(&r, &by(BERT, 603, set(TOTAL1, 79)))
        .unwrap();
    de.apply_person(&r, &by(BERT, 604, FINALISE)).unwrap();
    let station = de.station(SB).unwrap();
    let StationStatus::Definitive {
        result,
        other_typist,
    } = &station.status
    else {
        panic!("{:?}", station.status);
    };
    assert_eq!(result.person, Some(ANNA));
    assert_eq!(result.entry.get(CAND1), count(50));
    assert_eq!(other_typist.0, "Bert");
    // The history: the coordinator's return, then Bert's save and finalisation.
    let steps: Vec<(Option<PersonId>, StatusKind, StatusKind)> = station
        .history
        .iter()
        .rev()
        .take(3)
        .map(|h| (h.person, h.from, h.to))
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                Some(BERT),
                StatusKind::FieldsReturned,
                StatusKind::Definitive
            ),
            (
                Some(BERT),
                StatusKind::FieldsReturned,
                StatusKind::FieldsReturned
            ),
            (
                Some(CARLA),
                StatusKind::EntriesDifferent,
                StatusKind::FieldsReturned
            ),
        ]
    );
}

#[test]
fn still_different_after_the_retyping_the_coordinator_decides_again() {
    let (r, mut de) = differing();
    decide(&r, &mut de, CARLA, return_to(EntrySlot::Second)).unwrap();
    // Bert gets the candidate right but misreads the total again.
    de.apply_person(&r, &by(BERT, 601, set(CAND1, 50))).unwrap();
    de.apply_person(&r, &by(BERT, 602, set(TOTAL1, 78)))
        .unwrap();
    de.apply_person(&r, &by(BERT, 603, FINALISE)).unwrap();
    let StationStatus::EntriesDifferent { differences, .. } = status(&de) else {
        panic!("{:?}", status(&de));
    };
    assert_eq!(differences, &vec![TOTAL1]);
    // The coordinator may now return just that one field, this time to Anna; Anna types
    // 79 again (she was right): still different, the coordinator keeps the first.
    decide(
        &r,
        &mut de,
        CARLA,
        Decision::ReturnFields {
            slot: EntrySlot::First,
            fields: vec![TOTAL1],
        },
    )
    .unwrap();
    assert!(matches!(
        de.apply_person(&r, &by(BERT, 700, set(TOTAL1, 79))),
        Err(TransitionError::NotYourEntry { .. })
    ));
    de.apply_person(&r, &by(ANNA, 701, set(TOTAL1, 79)))
        .unwrap();
    de.apply_person(&r, &by(ANNA, 702, FINALISE)).unwrap();
    assert_eq!(status(&de).kind(), StatusKind::EntriesDifferent);
    decide(&r, &mut de, CARLA, Decision::KeepFirst).unwrap();
    assert_eq!(status(&de).kind(), StatusKind::Definitive);
}

#[test]
fn only_the_differing_fields_and_only_by_a_coordinator() {
    let (r, mut de) = differing();
    let before = de.clone();
    // A subset, a superset or another order of the differences is refused.
    for fields in [
        vec![CAND1],
        vec![TOTAL1, CAND1],
        vec![CAND1, TOTAL1, FieldId::BlankVotes],
        vec![],
    ] {
        assert!(matches!(
            decide(
                &r,
                &mut de,
                CARLA,
                Decision::ReturnFields {
                    slot: EntrySlot::Second,
                    fields,
                }
            ),
            Err(TransitionError::NotTheDifferences { .. })
        ));
    }
    // A typist cannot return fields, not even to themselves.
    for typist in [ANNA, BERT] {
        assert!(matches!(
            decide(&r, &mut de, typist, return_to(EntrySlot::Second)),
            Err(TransitionError::WrongRole {
                role: Role::Typist,
                ..
            })
        ));
    }
    assert_eq!(de, before);

    // Nothing to return before both entries are in.
    let mut one = data_entry();
    typed(&mut one, &r, ANNA, 50, 79);
    assert!(matches!(
        decide(&r, &mut one, CARLA, return_to(EntrySlot::First)),
        Err(TransitionError::NotAllowed { .. })
    ));
}

#[test]
fn the_first_typist_copying_the_others_errors_gives_an_entry_with_errors() {
    // Returned to Anna, who types Bert's misreadings: the entries agree, but the agreed
    // entry has errors (F.402, F.403); it cannot become definitive and goes to the
    // coordinator as a first entry with errors.
    let (r, mut de) = differing();
    decide(&r, &mut de, CARLA, return_to(EntrySlot::First)).unwrap();
    de.apply_person(&r, &by(ANNA, 601, set(CAND1, 40))).unwrap();
    de.apply_person(&r, &by(ANNA, 602, set(TOTAL1, 70)))
        .unwrap();
    de.apply_person(&r, &by(ANNA, 603, FINALISE)).unwrap();
    let StationStatus::FirstEntryHasErrors { first, results } = status(&de) else {
        panic!("{:?}", status(&de));
    };
    assert_eq!(first.person, Some(ANNA));
    let codes: Vec<String> = results.iter().map(|c| c.code.to_string()).collect();
    assert!(codes.iter().any(|c| c == "F.402"), "{codes:?}");
}

#[test]
fn discarding_both_while_fields_are_returned_starts_again() {
    let (r, mut de) = differing();
    decide(&r, &mut de, CARLA, return_to(EntrySlot::Second)).unwrap();
    decide(&r, &mut de, CARLA, Decision::DiscardBoth).unwrap();
    assert_eq!(status(&de).kind(), StatusKind::FirstEntryNotStarted);
}

#[test]
fn the_decision_is_recorded_with_its_fields() {
    let json = serde_json::to_string(&return_to(EntrySlot::Second)).unwrap();
    assert_eq!(
        json,
        r#"{"return_fields":{"slot":"second","fields":["L1.K1","L1.T"]}}"#
    );
    let back: Decision = serde_json::from_str(&json).unwrap();
    assert_eq!(back, return_to(EntrySlot::Second));
    // The old decisions keep their form.
    assert_eq!(
        serde_json::to_string(&Decision::KeepFirst).unwrap(),
        r#""keep_first""#
    );
    // And the core's binary journal codec.
    let event = tally_core::double_entry::Event {
        station: SB,
        user: tally_core::double_entry::UserName("Carla".into()),
        role: Role::Coordinator,
        at: Timestamp(500),
        action: Action::Decide {
            decision: return_to(EntrySlot::First),
        },
    };
    let bytes = tally_core::journal::codec::encode_event(&event).unwrap();
    assert_eq!(
        tally_core::journal::codec::decode_event(&bytes).unwrap(),
        event
    );
}

#[test]
fn replaying_the_same_events_gives_the_same_state() {
    // The events of the first test, applied to a fresh data entry one by one, give the same
    // state at every step (the journal's replay is this).
    let r = people();
    let mut events = Vec::new();
    let mut record = |e: PersonEvent| events.push(e);
    for (person, cand1, total) in [(ANNA, 50, 79), (BERT, 40, 70)] {
        record(by(person, 1, Action::StartEntry));
        for (f, n) in [
            (FieldId::PollCards, 80),
            (FieldId::AdmittedVoters, 80),
            (FieldId::ListVotes(L1), 79),
            (FieldId::VotesOnCandidates, 79),
            (FieldId::BlankVotes, 1),
            (FieldId::InvalidVotes, 0),
            (FieldId::VotesCast, 80),
            (CAND1, cand1),
            (FieldId::CandidateVotes(L1, CandidatePosition(2)), 29),
            (TOTAL1, total),
        ] {
            record(by(person, 2, set(f, n)));
        }
        record(by(
            person,
            3,
            Action::SetField {
                field: FieldId::AdmittedEqualsCast,
                value: FieldValue::Mark(true),
            },
        ));
        record(by(person, 4, FINALISE));
    }
    record(by(
        CARLA,
        5,
        Action::Decide {
            decision: return_to(EntrySlot::Second),
        },
    ));
    record(by(BERT, 6, set(CAND1, 50)));
    record(by(BERT, 7, set(TOTAL1, 79)));
    record(by(BERT, 8, FINALISE));
    let mut live = data_entry();
    for e in &events {
        live.apply_person(&r, e).unwrap();
    }
    assert_eq!(status(&live).kind(), StatusKind::Definitive);
    // Through JSON, as the terminal journals them.
    let mut replayed = data_entry();
    for e in &events {
        let e: PersonEvent = serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap();
        replayed.apply_person(&r, &e).unwrap();
    }
    assert_eq!(replayed, live);
}
