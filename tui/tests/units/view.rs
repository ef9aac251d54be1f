//! Unit tests of `tally_tui::view`.

use tally_tui::view::time_of_day;

#[test]
fn dutch_local_time_winter_and_summer() {
    // 2025-08-29 22:45:28 UTC is 00:45:28 CEST (UTC+2) the next day.
    assert_eq!(time_of_day(1_756_507_528_000), "00:45:28");
    // 2026-03-18 20:00:00 UTC is 21:00:00 CET (UTC+1).
    assert_eq!(time_of_day(1_773_864_000_000), "21:00:00");
    assert_eq!(time_of_day(i64::MAX), "--:--:--");
}

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use tally_core::double_entry::{Role, Timestamp};
use tally_core::people::{PersonId, PersonName, PinHash};
use tally_ledger::people::PeopleRecord;
use tally_tui::app::State;
use tally_tui::form::ElectionInfo;
use tally_tui::services::{Identity, VerifiedDefinition};
use tally_tui::text::{Lang, Msg};

fn render(state: &State) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| tally_tui::shell::view::view(state, f)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..24)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_definition_screen_names_the_kieskring_whose_lists_are_on_the_ballot() {
    let e = super::form::tk2025(&["Haarlem", "Nijmegen"], "0668", "West Maas en Waal");
    let info = ElectionInfo::from_election(&e).unwrap();
    for (lang, label) in [
        (Lang::Nl, "Kandidatenlijsten van "),
        (Lang::En, "Candidate lists of "),
    ] {
        let id = Identity::default();
        let mut state = State::new(lang, false, id, 1);
        state.screen = tally_tui::shell::Screen::Definition {
            def: Box::new(VerifiedDefinition {
                info: info.clone(),
                signer: "Kiesraad".into(),
                sha256_110a: "ab".repeat(32),
                sha256_230b: "cd".repeat(32),
                files: Vec::new(),
            }),
            medium: tally_tui::services::Medium {
                label: tally_tui::services::Refusal::plain(""),
                stick: String::new(),
                folder: String::new(),
            },
            groups: tally_tui::hash_groups::GroupsInput::new(Vec::new(), 1),
        };
        let screen = render(&state);
        assert!(
            screen
                .lines()
                .any(|l| l.starts_with(label) && l.contains(" Kieskring 6 Nijmegen")),
            "{screen}"
        );
        assert!(screen.contains("Tweede Kamer der Staten-Generaal 2025 (TK2025)"));
        // Nijmegen's 24 lists, not Haarlem's 23 (the first 230b on the medium).
        assert!(
            screen
                .lines()
                .any(|l| l.starts_with(Msg::Lists.text(lang)) && l.trim_end().ends_with(" 24")),
            "{screen}"
        );
    }
}

/// The longest real list name (TK2025, 40 characters: "GROENLINKS / Partij van de Arbeid
/// (PvdA)") on the entry screen at 80x24, in both languages: shown whole (on two lines),
/// never cut, every line within 80 columns, the election's id in the header.
#[test]
fn the_longest_real_list_name_is_shown_whole_on_the_entry_screen() {
    use tally_ledger::municipal::{Loaded, Record, Slot};
    use tally_tui::form::Form;
    let e = super::form::tk2025(&["Haarlem"], "0392", "Haarlem");
    let info = ElectionInfo::from_election(&e).unwrap();
    let long = info
        .lists
        .iter()
        .find(|l| l.name == "GROENLINKS / Partij van de Arbeid (PvdA)")
        .expect("the list is in the TK2025 Haarlem 230b")
        .number;
    for lang in [Lang::Nl, Lang::En] {
        let mut state = State::new(lang, false, Identity::default(), 1);
        let form = Form::new(&info);
        let index = form
            .fields
            .iter()
            .position(|f| f.id == tally_core::entry::FieldId::ListVotes(long))
            .unwrap();
        state.ledger.pending = Some(Loaded {
            info: info.clone(),
            form,
            files: Vec::new(),
        });
        let station = info.stations[0].number.0;
        // A coordinator, then the typist Anna (person 2).
        for (by, role, name) in [
            (None, Role::Coordinator, "Carla"),
            (Some(PersonId(1)), Role::Typist, "Anna"),
        ] {
            let hash =
                tally_signing::pin::hash_pin(&zeroize::Zeroizing::new("40417".into())).unwrap();
            let event = state
                .ledger
                .people
                .registry
                .registration(
                    by,
                    Timestamp(0),
                    PersonName::parse(name).unwrap(),
                    role,
                    PinHash::parse(hash).unwrap(),
                )
                .unwrap();
            state
                .ledger
                .apply(&Record::People(PeopleRecord::Registry { event }))
                .unwrap();
        }
        for record in [
            Record::ElectionLoaded {
                election: info.id.clone(),
                files: Vec::new(),
            },
            Record::EntryStarted {
                station,
                slot: Slot::First,
                person: PersonId(2),
                at: 0,
            },
            Record::Cursor {
                station,
                slot: Slot::First,
                index,
            },
        ] {
            state.ledger.apply(&record).unwrap();
        }
        let screen = tally_tui::app::screen_for(
            &state,
            tally_ledger::municipal::Place::Entry {
                station,
                slot: Slot::First,
            },
        );
        state.go(screen);
        let screen = render(&state);
        let lines: Vec<&str> = screen.lines().collect();
        assert!(lines[0].trim_end().ends_with("| TK2025"), "{screen}");
        let at = lines
            .iter()
            .position(|l| l.contains("GROENLINKS /"))
            .unwrap_or_else(|| panic!("the list is not on screen:\n{screen}"));
        assert!(
            lines[at].contains("GROENLINKS / Partij van de Arbeid "),
            "{screen}"
        );
        assert_eq!(lines[at + 1].trim(), "(PvdA)", "{screen}");
        assert!(lines.iter().all(|l| l.chars().count() <= 80));
    }
}

/// The help's wrapping: no row longer than the width, nothing lost or added (the words in
/// order), a word longer than a row broken where the row ends, the key list's indent kept.
#[test]
fn help_text_wraps_within_the_width_and_loses_nothing() {
    use tally_tui::shell::view::wrap_text;
    let text = "Parallelle invoer: invoerapparaten typen de stembureaus, dit apparaat leest \
                hun ondertekende batches in. DEMO_GR2025_Juinen_0042-E1_entry-batch.tally staat op de stick.";
    for width in [1, 7, 20, 33, 76] {
        let rows = wrap_text(text, width);
        assert!(
            rows.iter().all(|r| r.chars().count() <= width),
            "{width}: {rows:?}"
        );
        let joined: String = rows.concat().chars().filter(|c| *c != ' ').collect();
        let words: String = text.chars().filter(|c| *c != ' ').collect();
        assert_eq!(joined, words, "{width}");
    }
    assert_eq!(
        wrap_text("abcdefghij kl", 4),
        vec!["abcd", "efgh", "ij", "kl"]
    );
    assert_eq!(wrap_text("  F1 hulp", 76), vec!["  F1 hulp"]);
    assert_eq!(wrap_text("", 10), vec![""]);
}
