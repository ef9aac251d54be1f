//! Double entry by the registered people of a session: the second entry by another
//! person, roles from the registry, and the self-declared names compared as identities.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tally_core::double_entry::{
    Action, DataEntry, Decision, Event, PersonEvent, Role, StationStatus, StatusKind, Timestamp,
    TransitionError, UserName, WarningsBy,
};
use tally_core::entry::{EntryShape, FieldId, FieldValue};
use tally_core::ids::{ListNumber, PollingStationNumber};
use tally_core::people::{
    PersonId, PersonName, PinHash, Registry, RegistryChange, RegistryError, RegistryEvent,
};

const SB: PollingStationNumber = PollingStationNumber(4);
const HASH: &str = "$argon2id$v=19$m=65536,t=3,p=1$BwcHBwcHBwcHBwcHBwcHBw$q0e9X2yq0e9X2yq0e9X2yq0e9X2yq0e9X2yq0e9X2yq";
const CARLA: PersonId = PersonId(1);
const ANNA: PersonId = PersonId(2);
const BERT: PersonId = PersonId(3);

fn data_entry() -> DataEntry {
    DataEntry::new(
        EntryShape {
            has_voter_cards: false,
            lists: vec![(ListNumber(1), 2)],
        },
        [SB],
    )
    .warnings_by(WarningsBy::Coordinator)
}

/// Carla (coordinator), Anna and Bert (typists).
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

fn by(person: PersonId, at: i64, action: Action) -> PersonEvent {
    PersonEvent {
        station: SB,
        person,
        at: Timestamp(at),
        action,
    }
}

/// The actions of a whole entry of an empty report (D = H = 0, "equal" ticked): no
/// errors, warning W.204, which the coordinator acknowledges.
fn whole_entry() -> Vec<Action> {
    vec![
        Action::StartEntry,
        Action::SetField {
            field: FieldId::AdmittedEqualsCast,
            value: FieldValue::Mark(true),
        },
        Action::Finalise {
            acknowledge_warnings: false,
        },
    ]
}

fn typed_by(de: &mut DataEntry, r: &Registry, person: PersonId) {
    for (i, a) in whole_entry().into_iter().enumerate() {
        de.apply_person(r, &by(person, 100 + i64::try_from(i).unwrap(), a))
            .unwrap();
    }
}

fn kind(de: &DataEntry) -> StatusKind {
    de.station(SB).unwrap().status.kind()
}

#[test]
fn the_second_entry_by_the_same_registered_person_is_refused() {
    let r = people();
    let mut de = data_entry();
    typed_by(&mut de, &r, ANNA);
    assert_eq!(kind(&de), StatusKind::SecondEntryNotStarted);
    let before = de.clone();
    assert!(matches!(
        de.apply_person(&r, &by(ANNA, 200, Action::StartEntry)),
        Err(TransitionError::SameTypist { typist, .. }) if typist.0 == "Anna"
    ));
    assert_eq!(de, before);
    // Bert may.
    typed_by(&mut de, &r, BERT);
    assert_eq!(kind(&de), StatusKind::WarningsToAcknowledge);
}

#[test]
fn another_registered_person_cannot_continue_an_entry() {
    let r = people();
    let mut de = data_entry();
    de.apply_person(&r, &by(ANNA, 1, Action::StartEntry))
        .unwrap();
    assert!(matches!(
        de.apply_person(&r, &by(BERT, 2, Action::Save)),
        Err(TransitionError::NotYourEntry { .. })
    ));
    de.apply_person(&r, &by(ANNA, 3, Action::Save)).unwrap();
}

#[test]
fn a_registered_typist_cannot_take_a_coordinators_decision() {
    let r = people();
    let mut de = data_entry();
    typed_by(&mut de, &r, ANNA);
    typed_by(&mut de, &r, BERT);
    let before = de.clone();
    for typist in [ANNA, BERT] {
        assert!(matches!(
            de.apply_person(
                &r,
                &by(
                    typist,
                    300,
                    Action::Decide {
                        decision: Decision::AcknowledgeWarnings
                    }
                )
            ),
            Err(TransitionError::WrongRole {
                role: Role::Typist,
                ..
            })
        ));
    }
    assert_eq!(de, before);
    de.apply_person(
        &r,
        &by(
            CARLA,
            301,
            Action::Decide {
                decision: Decision::AcknowledgeWarnings,
            },
        ),
    )
    .unwrap();
    assert_eq!(kind(&de), StatusKind::Definitive);
    // The history names the people.
    let history = &de.station(SB).unwrap().history;
    let last = history.last().unwrap();
    assert_eq!((last.person, last.user.0.as_str()), (Some(CARLA), "Carla"));
    assert_eq!(last.role, Role::Coordinator);
    let StationStatus::Definitive { result, .. } = &de.station(SB).unwrap().status else {
        panic!()
    };
    assert_eq!(result.person, Some(ANNA));
}

#[test]
fn a_registered_coordinator_does_not_type() {
    let r = people();
    let mut de = data_entry();
    assert!(matches!(
        de.apply_person(&r, &by(CARLA, 1, Action::StartEntry)),
        Err(TransitionError::WrongRole {
            role: Role::Coordinator,
            ..
        })
    ));
    assert_eq!(kind(&de), StatusKind::FirstEntryNotStarted);
}

#[test]
fn an_unknown_or_deactivated_person_cannot_act() {
    let mut r = people();
    let mut de = data_entry();
    assert_eq!(
        de.apply_person(&r, &by(PersonId(9), 1, Action::StartEntry)),
        Err(TransitionError::Person(RegistryError::UnknownPerson(
            PersonId(9)
        )))
    );
    r.apply(&RegistryEvent {
        by: Some(CARLA),
        at: Timestamp(50),
        change: RegistryChange::Deactivated { id: BERT },
    })
    .unwrap();
    assert_eq!(
        de.apply_person(&r, &by(BERT, 2, Action::StartEntry)),
        Err(TransitionError::Person(RegistryError::Deactivated(BERT)))
    );
    assert_eq!(kind(&de), StatusKind::FirstEntryNotStarted);
}

#[test]
fn a_typist_role_event_with_a_decision_is_refused() {
    // The self-declared form: whatever the name, the role typist cannot decide.
    let mut de = data_entry();
    for (i, a) in whole_entry().into_iter().enumerate() {
        de.apply(&Event {
            station: SB,
            user: UserName("Anna".into()),
            role: Role::Typist,
            at: Timestamp(i64::try_from(i).unwrap()),
            action: a,
        })
        .unwrap();
    }
    let before = de.clone();
    for decision in [
        Decision::DiscardFirst,
        Decision::DiscardBoth,
        Decision::Reopen,
    ] {
        assert!(matches!(
            de.apply(&Event {
                station: SB,
                user: UserName("Carla".into()),
                role: Role::Typist,
                at: Timestamp(10),
                action: Action::Decide { decision },
            }),
            Err(TransitionError::WrongRole { .. })
        ));
    }
    assert_eq!(de, before);
}

#[test]
fn self_declared_look_alike_names_are_one_typist() {
    for second in [
        "anna ",
        "ANNA",
        " Anna",
        "An\u{200B}na",
        "\u{410}nna",
        "Anna\u{a0}",
    ] {
        let mut de = data_entry();
        for (i, a) in whole_entry().into_iter().enumerate() {
            de.apply(&Event {
                station: SB,
                user: UserName("Anna".into()),
                role: Role::Typist,
                at: Timestamp(i64::try_from(i).unwrap()),
                action: a,
            })
            .unwrap();
        }
        let second_start = Event {
            station: SB,
            user: UserName(second.into()),
            role: Role::Typist,
            at: Timestamp(20),
            action: Action::StartEntry,
        };
        assert!(
            matches!(
                de.apply(&second_start),
                Err(TransitionError::SameTypist { .. })
            ),
            "{second:?}"
        );
        // "Anna2" is another name.
        let other = Event {
            user: UserName("Anna2".into()),
            ..second_start
        };
        de.apply(&other).unwrap();
        assert_eq!(kind(&de), StatusKind::SecondEntryInProgress);
    }
}

#[test]
fn a_person_event_survives_json() {
    let event = by(
        ANNA,
        7,
        Action::SetField {
            field: FieldId::AdmittedEqualsCast,
            value: FieldValue::Mark(true),
        },
    );
    let json = serde_json::to_string(&event).unwrap();
    assert!(json.contains(r#""person":2"#), "{json}");
    assert!(json.contains(r#""station":4"#), "{json}");
    assert_eq!(serde_json::from_str::<PersonEvent>(&json).unwrap(), event);
}
