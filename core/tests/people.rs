//! The people of a session: names, PIN rules and the registry (`docs/people.md`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tally_core::double_entry::{Role, Timestamp};
use tally_core::people::{
    MAX_NAME_CHARS, NameError, NewPin, PersonId, PersonName, PinHash, PinHashFormatError,
    PinRuleError, Registry, RegistryChange, RegistryError, RegistryEvent, same_name,
};
use zeroize::Zeroizing;

const HASH: &str = "$argon2id$v=19$m=65536,t=3,p=1$BwcHBwcHBwcHBwcHBwcHBw$q0e9X2yq0e9X2yq0e9X2yq0e9X2yq0e9X2yq0e9X2yq";

fn name(s: &str) -> PersonName {
    PersonName::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn hash() -> PinHash {
    PinHash::parse(HASH.into()).unwrap()
}

fn register(by: Option<u32>, id: u32, who: &str, role: Role) -> RegistryEvent {
    RegistryEvent {
        by: by.map(PersonId),
        at: Timestamp(1_000 + i64::from(id)),
        change: RegistryChange::PersonRegistered {
            id: PersonId(id),
            name: name(who),
            role,
            pin_hash: hash(),
        },
    }
}

/// Carla (1, coordinator) and Anna (2, typist), registered by Carla.
fn session() -> Registry {
    let mut r = Registry::new();
    r.apply(&register(None, 1, "Carla", Role::Coordinator))
        .unwrap();
    r.apply(&register(Some(1), 2, "Anna", Role::Typist))
        .unwrap();
    r
}

/// Registers `who` as the next typist by Carla.
fn add(r: &mut Registry, who: &str) -> Result<(), RegistryError> {
    let event = r.registration(
        Some(PersonId(1)),
        Timestamp(9),
        PersonName::parse(who).map_err(|e| panic!("{who:?}: {e}"))?,
        Role::Typist,
        hash(),
    )?;
    r.apply(&event)
}

fn refused_as_confusable(r: &mut Registry, who: &str) {
    let before = r.clone();
    match add(r, who) {
        Err(RegistryError::ConfusableName { existing, .. }) => assert_eq!(existing, PersonId(2)),
        other => panic!("{who:?}: {other:?}"),
    }
    assert_eq!(*r, before);
}

// --- names: normalisation ---

#[test]
fn a_name_is_trimmed_and_its_white_space_collapsed() {
    assert_eq!(name("  Jan   de\u{a0}Vries ").as_str(), "Jan de Vries");
    assert_eq!(name("Anna\u{3000}Maria").as_str(), "Anna Maria");
}

#[test]
fn a_name_is_kept_in_nfc() {
    // "e" with a combining acute accent becomes the one character é.
    let n = name("Ren\u{65}\u{301}e");
    assert_eq!(n.as_str(), "Ren\u{e9}e");
    assert!(n.is_confusable_with(&name("Ren\u{e9}e")));
}

#[test]
fn case_does_not_make_another_name() {
    assert!(name("ANNA").is_confusable_with(&name("Anna")));
    assert!(name("anna").is_confusable_with(&name("Anna")));
    // Full case folding: ß is ss.
    assert!(name("Strauß").is_confusable_with(&name("STRAUSS")));
}

// --- names: refused characters ---

#[test]
fn an_empty_name_is_refused() {
    for typed in ["", "   ", "\u{a0}\u{2003}"] {
        assert_eq!(PersonName::parse(typed), Err(NameError::Empty), "{typed:?}");
    }
}

#[test]
fn an_over_long_name_is_refused() {
    let long = "a".repeat(MAX_NAME_CHARS + 1);
    assert_eq!(
        PersonName::parse(&long),
        Err(NameError::TooLong {
            chars: MAX_NAME_CHARS + 1
        })
    );
    assert!(PersonName::parse(&"a".repeat(MAX_NAME_CHARS)).is_ok());
}

#[test]
fn invisible_characters_are_refused() {
    for ch in [
        '\u{200B}', // zero-width space
        '\u{200C}', // zero-width non-joiner
        '\u{200D}', // zero-width joiner
        '\u{2060}', // word joiner
        '\u{FEFF}', // zero-width no-break space
        '\u{AD}',   // soft hyphen
        '\u{200E}', // left-to-right mark
        '\u{202E}', // right-to-left override
        '\u{FE0F}', // variation selector
        '\u{3164}', // Hangul filler
    ] {
        let typed = format!("An{ch}na");
        assert_eq!(
            PersonName::parse(&typed),
            Err(NameError::InvisibleCharacter { ch }),
            "U+{:04X}",
            u32::from(ch)
        );
    }
}

#[test]
fn control_characters_are_refused() {
    for ch in ['\t', '\n', '\r', '\u{1b}', '\u{0}', '\u{7f}', '\u{85}'] {
        let typed = format!("An{ch}na");
        assert_eq!(
            PersonName::parse(&typed),
            Err(NameError::ControlCharacter { ch }),
            "U+{:04X}",
            u32::from(ch)
        );
    }
}

#[test]
fn symbols_emoji_and_full_width_letters_are_refused() {
    for (typed, ch) in [
        ("Anna\u{1F600}", '\u{1F600}'),
        ("Anna<", '<'),
        ("\u{FF21}nna", '\u{FF21}'),  // full-width A
        ("Anna\u{2800}", '\u{2800}'), // braille blank
    ] {
        assert_eq!(
            PersonName::parse(typed),
            Err(NameError::DisallowedCharacter { ch }),
            "{typed:?}"
        );
    }
}

#[test]
fn mixed_scripts_are_refused() {
    // A Cyrillic А (U+0410) before Latin letters.
    assert_eq!(
        PersonName::parse("\u{410}nna"),
        Err(NameError::MixedScripts)
    );
    // A Greek omicron in a Latin name.
    assert_eq!(PersonName::parse("B\u{3bf}b"), Err(NameError::MixedScripts));
}

#[test]
fn a_name_without_a_letter_is_refused() {
    assert_eq!(PersonName::parse("12345"), Err(NameError::NoLetter));
    assert_eq!(PersonName::parse("- . '"), Err(NameError::NoLetter));
}

#[test]
fn real_names_are_accepted() {
    for typed in [
        "Jan-Willem van der Hoeven",
        "D'Hondt",
        "O\u{2019}Brien",
        "J. de Vries",
        "Çelik",
        "Nguyễn Văn An",
        "Ана Петрова",
        "Γιώργος",
        "山田太郎",
        "Anna2",
    ] {
        assert_eq!(name(typed).as_str(), typed);
    }
}

// --- names: confusables ---

#[test]
fn confusable_names_are_the_same_name() {
    // Latin "Ace" and Cyrillic "Асе", each of one script.
    assert!(name("Ace").is_confusable_with(&name("\u{410}\u{441}\u{435}")));
    // Capital I and small l.
    assert!(name("Ian").is_confusable_with(&name("lan")));
    // The digit 1 and the letter l, the digit 0 and the letter O.
    assert!(name("Anna1").is_confusable_with(&name("Annal")));
    assert!(name("B0b").is_confusable_with(&name("BOb")));
    // "rn" and "m".
    assert!(name("Arnold").is_confusable_with(&name("Amold")));
}

#[test]
fn different_names_are_not_confusable() {
    assert!(!name("Anna").is_confusable_with(&name("Anna2")));
    assert!(!name("Anna").is_confusable_with(&name("Ans")));
    assert!(!name("Bert").is_confusable_with(&name("Bart")));
    assert!(!name("Anna").is_confusable_with(&name("Anna Maria")));
}

#[test]
fn free_names_compare_as_the_same_person() {
    // The self-declared names of the older double entry: never refused, only compared.
    assert!(same_name("Anna", "anna "));
    assert!(same_name("Anna", "ANNA"));
    assert!(same_name("Anna", "An\u{200B}na"));
    assert!(same_name("Anna", "\u{410}nna"));
    assert!(same_name("Jan  de Vries", "jan de vries"));
    assert!(!same_name("Anna", "Anna2"));
    assert!(!same_name("Anna", "Bert"));
}

// --- PIN rules ---

fn new_pin(s: &str) -> Result<NewPin, PinRuleError> {
    NewPin::new(Zeroizing::new(s.to_owned()), &name("Anna"))
}

#[test]
fn a_pin_of_five_digits_or_a_passphrase_is_accepted() {
    for ok in [
        "48213",
        "90817263",
        "correct horse battery",
        "b4nk!",
        "Anna5",
    ] {
        let pin = new_pin(ok).unwrap();
        assert_eq!(pin.secret().as_str(), ok);
    }
}

#[test]
fn a_short_pin_is_refused() {
    assert!(matches!(new_pin("4821"), Err(PinRuleError::TooShort)));
    assert!(matches!(new_pin(""), Err(PinRuleError::TooShort)));
}

#[test]
fn an_over_long_passphrase_is_refused() {
    assert!(matches!(
        new_pin(&"ab".repeat(65)),
        Err(PinRuleError::TooLong)
    ));
}

#[test]
fn one_repeated_character_is_refused() {
    for bad in ["00000", "99999999", "aaaaa"] {
        assert!(matches!(new_pin(bad), Err(PinRuleError::AllSame)), "{bad}");
    }
}

#[test]
fn consecutive_digits_are_refused() {
    for bad in ["12345", "01234", "56789", "54321", "98765", "0123456789"] {
        assert!(matches!(new_pin(bad), Err(PinRuleError::Sequence)), "{bad}");
    }
    // Not a run: accepted.
    assert!(new_pin("12346").is_ok());
    assert!(new_pin("13579").is_ok());
}

#[test]
fn non_ascii_and_outer_spaces_are_refused() {
    assert!(matches!(
        new_pin("caf\u{e9}12"),
        Err(PinRuleError::NotPrintableAscii)
    ));
    assert!(matches!(
        new_pin("48\t213"),
        Err(PinRuleError::NotPrintableAscii)
    ));
    assert!(matches!(new_pin(" 48213"), Err(PinRuleError::OuterSpace)));
    assert!(matches!(new_pin("48213 "), Err(PinRuleError::OuterSpace)));
}

#[test]
fn the_persons_name_is_not_a_pin() {
    let pin = NewPin::new(Zeroizing::new("marieke".into()), &name("Marieke"));
    assert!(matches!(pin, Err(PinRuleError::SameAsName)));
}

#[test]
fn a_pin_hash_must_look_like_argon2id() {
    assert!(PinHash::parse(HASH.into()).is_ok());
    for bad in [
        "",
        "48213",
        "$argon2i$v=19$m=65536,t=3,p=1$salt$hash",
        "$argon2id$v=19$m=65536,t=3,p=1$salt",
        "$argon2id$v=19$m=65536,t=3,p=1$salt $hash",
    ] {
        assert_eq!(
            PinHash::parse(bad.into()),
            Err(PinHashFormatError::NotArgon2id),
            "{bad:?}"
        );
    }
    assert_eq!(
        PinHash::parse(format!("{HASH}{}", "A".repeat(300))),
        Err(PinHashFormatError::TooLong)
    );
}

// --- the registry ---

#[test]
fn a_look_alike_of_a_registered_name_is_refused() {
    let mut r = session();
    refused_as_confusable(&mut r, "ANNA");
    refused_as_confusable(&mut r, "anna ");
    refused_as_confusable(&mut r, " Anna");
    refused_as_confusable(&mut r, "\u{a0}Anna\u{2003}");
}

#[test]
fn cyrillic_and_invisible_variants_of_a_registered_name_are_refused() {
    let mut r = session();
    // Mixed scripts and invisible characters are refused as names already.
    assert_eq!(
        PersonName::parse("\u{410}nna"),
        Err(NameError::MixedScripts)
    );
    assert_eq!(
        PersonName::parse("An\u{200B}na"),
        Err(NameError::InvisibleCharacter { ch: '\u{200B}' })
    );
    // An all-Cyrillic look-alike of a registered Latin name.
    add(&mut r, "Ace").unwrap();
    let before = r.clone();
    assert!(matches!(
        add(&mut r, "\u{410}\u{441}\u{435}"),
        Err(RegistryError::ConfusableName {
            existing: PersonId(3),
            ..
        })
    ));
    assert_eq!(r, before);
}

#[test]
fn a_name_with_a_digit_is_another_person() {
    let mut r = session();
    add(&mut r, "Anna2").unwrap();
    assert_eq!(r.person(PersonId(3)).unwrap().name.as_str(), "Anna2");
}

#[test]
fn the_first_person_is_a_coordinator_registered_by_nobody() {
    let mut r = Registry::new();
    assert_eq!(
        r.apply(&register(None, 1, "Anna", Role::Typist)),
        Err(RegistryError::FirstMustBeCoordinator)
    );
    assert!(r.is_empty());
    r.apply(&register(None, 1, "Carla", Role::Coordinator))
        .unwrap();
    let carla = r.person(PersonId(1)).unwrap();
    assert_eq!(carla.registered_by, None);
    assert!(carla.active);
    // Nobody else is registered by nobody.
    assert_eq!(
        r.apply(&register(None, 2, "Cor", Role::Coordinator)),
        Err(RegistryError::NotFirst)
    );
}

#[test]
fn only_an_active_coordinator_registers_people() {
    let mut r = session();
    // Anna is a typist.
    assert!(matches!(
        r.apply(&register(Some(2), 3, "Bert", Role::Typist)),
        Err(RegistryError::RoleNotHeld {
            id: PersonId(2),
            held: Role::Typist,
            needed: Role::Coordinator,
            ..
        })
    ));
    assert_eq!(
        r.apply(&register(Some(9), 3, "Bert", Role::Typist)),
        Err(RegistryError::UnknownPerson(PersonId(9)))
    );
    r.apply(&register(Some(1), 3, "Bert", Role::Typist))
        .unwrap();
}

#[test]
fn ids_are_given_in_order() {
    let mut r = session();
    assert_eq!(r.next_id(), Ok(PersonId(3)));
    assert_eq!(
        r.apply(&register(Some(1), 5, "Bert", Role::Typist)),
        Err(RegistryError::UnexpectedId {
            expected: PersonId(3),
            got: PersonId(5)
        })
    );
    assert_eq!(
        r.apply(&register(Some(1), 2, "Bert", Role::Typist)),
        Err(RegistryError::UnexpectedId {
            expected: PersonId(3),
            got: PersonId(2)
        })
    );
}

#[test]
fn a_deactivated_person_cannot_act_and_keeps_the_name() {
    let mut r = session();
    r.apply(&RegistryEvent {
        by: Some(PersonId(1)),
        at: Timestamp(5_000),
        change: RegistryChange::Deactivated { id: PersonId(2) },
    })
    .unwrap();
    assert_eq!(
        r.may_act(PersonId(2), Role::Typist).map(|p| p.id),
        Err(RegistryError::Deactivated(PersonId(2)))
    );
    assert_eq!(r.active(Role::Typist).count(), 0);
    // Anna cannot come back as a new person.
    refused_as_confusable(&mut r, "anna");
}

#[test]
fn the_last_coordinator_stays() {
    let mut r = session();
    let leave = |id| RegistryEvent {
        by: Some(PersonId(1)),
        at: Timestamp(5_000),
        change: RegistryChange::Deactivated { id: PersonId(id) },
    };
    assert_eq!(
        r.apply(&leave(1)),
        Err(RegistryError::LastCoordinator(PersonId(1)))
    );
    r.apply(&register(Some(1), 3, "Cor", Role::Coordinator))
        .unwrap();
    r.apply(&leave(1)).unwrap();
    // Carla is gone: she can no longer register anyone.
    assert_eq!(
        r.apply(&register(Some(1), 4, "Bert", Role::Typist)),
        Err(RegistryError::Deactivated(PersonId(1)))
    );
}

#[test]
fn a_pin_is_changed_by_its_person_or_a_coordinator() {
    let mut r = session();
    let other = PinHash::parse(HASH.replace("q0e9", "Zz9x")).unwrap();
    let change = |by| RegistryEvent {
        by: Some(PersonId(by)),
        at: Timestamp(6_000),
        change: RegistryChange::PinChanged {
            id: PersonId(2),
            pin_hash: other.clone(),
        },
    };
    r.apply(&change(2)).unwrap();
    assert_eq!(r.person(PersonId(2)).unwrap().pin_hash, other);
    r.apply(&change(1)).unwrap();
    r.apply(&register(Some(1), 3, "Bert", Role::Typist))
        .unwrap();
    // Bert, a typist, cannot change Anna's PIN.
    assert!(matches!(
        r.apply(&change(3)),
        Err(RegistryError::RoleNotHeld { .. })
    ));
}

#[test]
fn a_typist_cannot_act_as_a_coordinator() {
    let r = session();
    assert!(matches!(
        r.may_act(PersonId(2), Role::Coordinator),
        Err(RegistryError::RoleNotHeld {
            held: Role::Typist,
            needed: Role::Coordinator,
            ..
        })
    ));
    // Nor a coordinator as a typist: the roles are separate.
    assert!(matches!(
        r.may_act(PersonId(1), Role::Typist),
        Err(RegistryError::RoleNotHeld { .. })
    ));
    assert_eq!(
        r.may_act(PersonId(2), Role::Typist).unwrap().name.as_str(),
        "Anna"
    );
}

#[test]
fn the_registry_replays_from_its_journaled_events() {
    let events = vec![
        register(None, 1, "Carla", Role::Coordinator),
        register(Some(1), 2, "Anna", Role::Typist),
        register(Some(1), 3, "Bert", Role::Typist),
        RegistryEvent {
            by: Some(PersonId(1)),
            at: Timestamp(7_000),
            change: RegistryChange::Deactivated { id: PersonId(3) },
        },
    ];
    // Through JSON, as the terminal journals them.
    let json: Vec<String> = events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    assert!(
        json[1].contains(r#""kind":"person_registered""#),
        "{}",
        json[1]
    );
    assert!(json[1].contains(r#""name":"Anna""#), "{}", json[1]);
    let back: Vec<RegistryEvent> = json
        .iter()
        .map(|j| serde_json::from_str(j).unwrap())
        .collect();
    assert_eq!(back, events);
    let mut live = Registry::new();
    for e in &events {
        live.apply(e).unwrap();
    }
    assert_eq!(Registry::replay(&back).unwrap(), live);
    assert!(!live.person(PersonId(3)).unwrap().active);
    // A journal whose event breaks a rule names the event.
    let mut bad = events.clone();
    bad.push(register(Some(1), 4, "ANNA", Role::Typist));
    assert!(matches!(
        Registry::replay(&bad),
        Err((4, RegistryError::ConfusableName { .. }))
    ));
}

#[test]
fn a_journaled_name_or_hash_that_breaks_the_rules_does_not_decode() {
    let good = serde_json::to_string(&register(Some(1), 2, "Anna", Role::Typist)).unwrap();
    let zero_width = good.replace("\"Anna\"", "\"An\\u200bna\"");
    assert!(serde_json::from_str::<RegistryEvent>(&zero_width).is_err());
    let not_argon = good.replace("$argon2id$", "$argon2d$");
    assert!(serde_json::from_str::<RegistryEvent>(&not_argon).is_err());
}

// --- throttling wrong PINs ---

#[test]
fn wrong_pins_are_throttled_with_a_growing_wait() {
    use tally_core::people::{FREE_TRIES, MAX_DELAY_MS, PinThrottle, TooSoon};
    let anna = PersonId(2);
    let bert = PersonId(3);
    let mut t = PinThrottle::new();
    let mut now = 0;
    for _ in 0..FREE_TRIES {
        assert_eq!(t.check(anna, Timestamp(now)), Ok(()));
        t.failed(anna, Timestamp(now));
        now += 10;
    }
    // The fourth wrong PIN costs a second, then two, four, ...
    let mut waits = Vec::new();
    for _ in 0..12 {
        t.check(anna, Timestamp(now)).unwrap();
        t.failed(anna, Timestamp(now));
        let Err(TooSoon { wait_ms, .. }) = t.check(anna, Timestamp(now)) else {
            panic!("no wait after {} wrong PINs", t.wrong_in_a_row(anna));
        };
        waits.push(wait_ms);
        now += wait_ms;
    }
    assert_eq!(&waits[..4], &[1_000, 2_000, 4_000, 8_000]);
    assert_eq!(*waits.last().unwrap(), MAX_DELAY_MS);
    // Others are not held up by Anna's wrong PINs.
    assert_eq!(t.check(bert, Timestamp(now)), Ok(()));
    // A right PIN ends the row.
    t.succeeded(anna);
    assert_eq!(t.wrong_in_a_row(anna), 0);
    assert_eq!(t.check(anna, Timestamp(now)), Ok(()));
}
