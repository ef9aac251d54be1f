//! Every screen rendered with ratatui's TestBackend at 80x24, in Dutch and in English:
//! the texts, the DEMO marker, the key bar, and the markers that do not rely on colour.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use crossterm::event::KeyCode;
use tally_core::entry::FieldId;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_tui::app::{Event, State};
use tally_tui::shell::update;
use tally_tui::text::Lang;

/// The screen's 24 lines of text.
fn render(state: &State) -> Vec<String> {
    screen_lines(state)
}

fn show(name: &str, lines: &[String]) {
    println!("---- {name}");
    for l in lines {
        println!("|{l}|");
    }
}

/// Asserts what every screen has, and that each of `wanted` is on some line.
fn check(name: &str, state: &State, wanted: &[&str]) -> Vec<String> {
    let lines = render(state);
    show(name, &lines);
    snapshot(name, state.lang, &lines);
    assert!(
        lines[0].starts_with(" DEMO "),
        "{name}: no DEMO marker: {}",
        lines[0]
    );
    let bar = &lines[23];
    assert!(
        bar.contains("F1") || bar.contains("Ctrl+Q"),
        "{name}: key bar: {bar}"
    );
    let all = lines.join("\n");
    for w in wanted {
        assert!(all.contains(w), "{name}: {w:?} not on screen:\n{all}");
    }
    for l in &lines {
        assert!(
            l.chars().all(|c| (c as u32) < 0x250),
            "{name}: glyph beyond Latin: {l}"
        );
    }
    lines
}

struct Words {
    start: [&'static str; 3],
    media: &'static str,
    definition: [&'static str; 3],
    overview: [&'static str; 3],
    /// The registration of the first coordinator.
    people: &'static str,
    /// The typist's PIN prompt.
    pin: &'static str,
    entry: [&'static str; 2],
    errors: &'static str,
    finish: &'static str,
    differences: &'static str,
    warnings: [&'static str; 4],
    acknowledged: &'static str,
    /// The confirmation of a coordinator's decision.
    confirm: &'static str,
    /// The heading over the figures once the report exists (after the export).
    compare: &'static str,
    figures: [&'static str; 5],
    shown: &'static str,
    shown_last: &'static str,
    total: &'static str,
    help: &'static str,
}

const NL: Words = Words {
    start: [
        "Vertrouwde sleutel Kiesraad",
        "Telt voor: GSB 0042 DEMO Gemeente Juinen",
        "F1 hulp",
    ],
    media: "Plaats de ondertekende stick",
    definition: [
        "Gemeenteraad 2025 Juinen",
        "Kandidaten",
        "Typ van het papier groep",
    ],
    overview: [
        "Studio The Rules",
        "0 van 3 stembureaus definitief",
        "Journaal: 3 regels, kop ",
    ],
    people: "Schrijf eerst uzelf in als coordinator",
    pin: "Kies uw naam (invoerder)",
    entry: ["Toegelaten kiezers", "Geldige stempassen"],
    errors: "X F.201",
    finish: "Invoer afronden",
    differences: "De twee invoeren verschillen",
    warnings: [
        "De uitslag van Anna en Bert heeft waarschuwingen",
        "! W.201: Het aantal blanco stemmen (F) is 3% of meer van H",
        "velden: F Blanco stemmen = 40; H Totaal uitgebrachte stemmen = ",
        "A waarschuwingen akkoord",
    ],
    acknowledged: "Waarschuwingen geaccepteerd door Carla om ",
    confirm: "Typ ter bevestiging het nummer van het stembureau (1)",
    compare: "Vergelijk voor het tekenen deze cijfers",
    figures: [
        "Deze cijfers komen op het proces-verbaal (Na 31-2):",
        "  E.1   Lijst 1 Lijst Hekking",
        "  F     Blanco stemmen",
        "  D     Totaal toegelaten kiezers",
        "E schrijft de ondertekende uitslag",
    ],
    shown: "(1-12",
    shown_last: "(3-14",
    total: "Hashcode van het 510b-bestand",
    help: "Hulp",
};

const EN: Words = Words {
    start: [
        "Trusted Electoral Council key",
        "Counts for: GSB 0042 DEMO Gemeente Juinen",
        "F1 help",
    ],
    media: "Insert the signed stick",
    definition: [
        "Gemeenteraad 2025 Juinen",
        "Candidates",
        "Type from the paper group",
    ],
    overview: [
        "Studio The Rules",
        "0 of 3 polling stations definitive",
        "Journal: 3 records, head ",
    ],
    people: "First register yourself as coordinator",
    pin: "Choose your name (typist)",
    entry: ["Admitted voters", "Valid poll cards"],
    errors: "X F.201",
    finish: "Finish entry",
    differences: "The two entries differ",
    warnings: [
        "The result by Anna and Bert has warnings",
        "! W.201: Blank votes (F) are 3% or more of H",
        "fields: F Blank votes = 40; H Total votes cast = ",
        "A acknowledge warnings",
    ],
    acknowledged: "Warnings acknowledged by Carla at ",
    confirm: "To confirm, type the polling station's number (1)",
    compare: "Before signing, compare these figures",
    figures: [
        "These figures go on the report (Na 31-2):",
        "  E.1   List 1 Lijst Hekking",
        "  F     Blank votes",
        "  D     Total admitted voters",
        "E writes the signed result",
    ],
    shown: "(1-12 of 14,",
    shown_last: "(3-14 of 14,",
    total: "Hash code of the 510b file",
    help: "Help",
};

fn every_screen(lang: Lang, w: &Words) {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, lang);

    let lines = check("start", &r.state, &w.start);
    // The passphrase is never shown.
    type_str(&mut r, "geheim");
    assert!(!render(&r.state).join("").contains("geheim"));
    for _ in 0..6 {
        key(&mut r, KeyCode::Backspace);
    }
    drop(lines);
    r.state.help = true;
    check("help", &r.state, &[w.help]);
    r.state.help = false;

    unlock(&mut r);
    check("media", &r.state, &[w.media, "DEMO_GR2025_Juinen"]);
    key(&mut r, KeyCode::Enter);
    check("definition", &r.state, &w.definition);
    // The demo has no paper: it shows the codes the Kiesraad published for these files.
    let (a, b) = published_hashes();
    let lines = render(&r.state).join("\n");
    for hex in [&a, &b] {
        let first: Vec<&str> = (0..8).map(|g| &hex[g * 4..g * 4 + 4]).collect();
        assert!(lines.contains(&first.join(" ")), "{lines}");
    }
    // A wrong group: refused, with the X marker.
    for _ in 0..4 {
        type_str(&mut r, "0000");
        key(&mut r, KeyCode::Enter);
    }
    check("definition refused", &r.state, &["X "]);
    key(&mut r, KeyCode::Esc);
    key(&mut r, KeyCode::Enter);
    type_published_groups(&mut r);
    check("people first", &r.state, &[w.people]);
    register_first(&mut r);
    check("overview", &r.state, &w.overview);

    register(&mut r, "Anna", false);
    select(&mut r, 0);
    key(&mut r, KeyCode::Enter);
    check("pin", &r.state, &[w.pin, "Anna"]);
    sign_in(&mut r, "Anna");
    check("entry", &r.state, &w.entry);

    // A + B typed that do not add up to D: the error is beside D, marked X, with its code.
    let lists = juinen_lists(&r);
    let mut p = paper(1, &lists);
    p.insert(FieldId::PollCards, "1".into());
    let mut typed = 0;
    type_fields(&mut r, &p, 0, |r, i| {
        typed = i;
        let _ = r;
    });
    let _ = typed;
    check("finish with errors", &r.state, &[w.finish, "F.201"]);
    key(&mut r, KeyCode::Esc);
    // Back on the entry, on the last field; go to the voters block to see the marker.
    for _ in 0..10 {
        key(&mut r, KeyCode::PageUp);
    }
    key(&mut r, KeyCode::Down);
    key(&mut r, KeyCode::Down);
    let lines = check("entry with error", &r.state, &[w.errors]);
    // The marker is on D's own line, after its value.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("D ") && l.contains("[") && l.contains("X F.201")),
        "{lines:?}"
    );
    // A list block.
    for _ in 0..3 {
        key(&mut r, KeyCode::PageDown);
    }
    check("entry list", &r.state, &["Hekking"]);
    key(&mut r, KeyCode::F(10));
    key(&mut r, KeyCode::Enter);
    // Errors: the coordinator sends it back.
    select(&mut r, 0);
    as_coordinator(&mut r, 'c');
    check("coordinator errors", &r.state, &["F.201"]);
    key(&mut r, KeyCode::Char('d'));
    check("confirm", &r.state, &[w.confirm]);
    type_str(&mut r, "1");
    key(&mut r, KeyCode::Enter);

    // A clean station 1, then differences.
    let p = paper(1, &lists);
    full_entry(&mut r, 0, "Anna", &p);
    let mut q = p.clone();
    q.insert(
        FieldId::CandidateVotes(ListNumber(2), CandidatePosition(1)),
        "99".into(),
    );
    full_entry(&mut r, 0, "Bert", &q);
    select(&mut r, 0);
    check("overview needs coordinator", &r.state, &["! "]);
    as_coordinator(&mut r, 'c');
    check(
        "coordinator differences",
        &r.state,
        &[w.differences, "L2.K1", "99"],
    );
    decide(&mut r, '1', 1);
    let p = paper(2, &lists);
    full_entry(&mut r, 1, "Anna", &p);
    full_entry(&mut r, 1, "Bert", &p);
    // Station 3 has a warning (W.201): the typist saves it without acknowledging it.
    let p = paper_with_blank(3, &lists, 40);
    full_entry(&mut r, 2, "Anna", &p);
    start_entry(&mut r, 2, "Bert");
    type_fields(&mut r, &p, 0, |_, _| {});
    let finish = check("finish with warnings", &r.state, &["W.201"]).join("\n");
    assert!(!finish.contains("bevestigt") && !finish.contains("confirms"));
    key(&mut r, KeyCode::Enter);
    select(&mut r, 2);
    check("overview warnings", &r.state, &["! coordinator"]);
    as_coordinator(&mut r, 'c');
    let lines = check("coordinator warnings", &r.state, &w.warnings);
    // The fields' values are those typed: H as on the paper.
    let h = &p[&FieldId::VotesCast];
    assert!(
        lines
            .iter()
            .any(|l| l.trim_end().ends_with(&format!("= {h}"))),
        "{lines:?}"
    );
    decide(&mut r, 'a', 3);
    as_coordinator(&mut r, 'c');
    check("coordinator acknowledged", &r.state, &[w.acknowledged]);
    key(&mut r, KeyCode::Esc);
    key(&mut r, KeyCode::Char('t'));
    // Before the export: the figures to compare with the printed report, each with its
    // letter, computed here from the scripted paper reports (stations 1 and 2 with 1 and
    // 2 blank votes, station 3 with 40).
    let lines = check("total before export", &r.state, &w.figures);
    let value_of = |lines: &[String], code: &str| -> String {
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("  {code:<5} ")))
            .unwrap_or_else(|| panic!("no row {code}: {lines:#?}"));
        line.split_whitespace().last().unwrap().to_string()
    };
    let dutch = |n: u64| {
        let d = n.to_string();
        let mut out = String::new();
        for (i, c) in d.chars().enumerate() {
            if i > 0 && (d.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(c);
        }
        out
    };
    let mut h = 0u64;
    for &(l, k) in &lists {
        let total: u64 = (1..=3)
            .map(|s| (1..=k).map(|c| votes(s, l, c)).sum::<u64>())
            .sum();
        h += total;
        assert_eq!(
            value_of(&lines, &format!("E.{l}")),
            dutch(total),
            "list {l}"
        );
    }
    let blank = 1 + 2 + 40;
    h += blank;
    assert_eq!(value_of(&lines, "F"), dutch(blank));
    assert_eq!(value_of(&lines, "G"), "0");
    assert_eq!(value_of(&lines, "H"), dutch(h));
    assert_eq!(value_of(&lines, "D"), dutch(h));
    assert!(h >= 1000, "the test should show a thousands separator: {h}");
    as_coordinator(&mut r, 'e');
    let sha = r.state.ledger.exported.clone().unwrap().1;
    // Right after the export: the hash code large, each group drawn in 3x5 glyphs.
    let lines = check("total, hash code large", &r.state, &[]);
    let first_row = tally_tui::view::big_text(&format!(
        "{} {} {} {}",
        &sha[0..4],
        &sha[4..8],
        &sha[8..12],
        &sha[12..16]
    ));
    // The heading goes when the notice (the export's path) needs two rows: the code stays whole.
    let top = lines.iter().position(|l| l.contains("###")).unwrap();
    for (i, glyph_line) in first_row.iter().enumerate() {
        assert_eq!(
            lines[top + i].trim_end(),
            format!("  {glyph_line}").trim_end(),
            "line {i}"
        );
    }
    let last_row = tally_tui::view::big_text(&format!(
        "{} {} {} {}",
        &sha[48..52],
        &sha[52..56],
        &sha[56..60],
        &sha[60..64]
    ));
    assert_eq!(
        lines[top + 19].trim_end(),
        format!("  {}", last_row[4]).trim_end()
    );
    // H: the small one, with the totals.
    key(&mut r, KeyCode::Char('h'));
    let lines = check(
        "total",
        &r.state,
        &[
            w.total,
            &sha[0..4],
            &sha[60..64],
            w.compare,
            w.figures[1],
            w.shown,
        ],
    );
    // Not every figure fits under the hash code: Down shows the rest, up to J.
    assert!(!lines.iter().any(|l| l.starts_with("  J ")));
    for _ in 0..20 {
        key(&mut r, KeyCode::Down);
    }
    let lines = check("total, figures scrolled", &r.state, &[w.shown_last]);
    assert!(lines.iter().any(|l| l.starts_with("  J ")), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.starts_with("  A ")), "{lines:#?}");
    key(&mut r, KeyCode::Up);
    key(&mut r, KeyCode::Up);
    assert!(!render(&r.state).iter().any(|l| l.starts_with("  J ")));

    let _ = update(&mut r.state, Event::JournalFailed("disk full".into()));
    check("fatal", &r.state, &["disk full"]);
}

#[test]
fn every_screen_in_dutch() {
    every_screen(Lang::Nl, &NL);
}

#[test]
fn every_screen_in_english() {
    every_screen(Lang::En, &EN);
}

#[test]
fn the_language_key_on_the_start_screen_switches() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = open(&paths(dir.path()), Lang::Nl);
    assert!(render(&r.state).join("").contains("Wachtwoordzin"));
    key(&mut r, KeyCode::F(2));
    assert!(render(&r.state).join("").contains("Passphrase"));
}

#[test]
fn the_second_entry_never_shows_the_first_entrys_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = open(&paths(dir.path()), Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    let lists = juinen_lists(&r);
    let p = paper(1, &lists);
    full_entry(&mut r, 0, "Anna", &p);
    start_entry(&mut r, 0, "Bert");
    for _ in 0..7 {
        let screen = render(&r.state).join("\n");
        for (f, v) in &p {
            if v.len() >= 2 {
                assert!(
                    !screen
                        .lines()
                        .any(|l| l.contains(&format!(" {v} ]")) || l.contains(&format!(" {v}_]"))),
                    "the first entry's {f} ({v}) is visible:\n{screen}"
                );
            }
        }
        key(&mut r, KeyCode::PageDown);
    }
}

#[test]
fn the_start_screen_shows_the_systems_version_and_source_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = open(&paths(dir.path()), Lang::Nl);
    let commit = "0123456789abcdef0123456789abcdef01234567";
    assert!(!render(&r.state).join("\n").contains(commit));
    r.state.system_version = Some(format!("0.1.0 {commit}"));
    let nl = render(&r.state);
    show("start with version", &nl);
    let all = nl.join("\n");
    assert!(
        all.contains(&format!("Versie 0.1.0, broncode {commit}")),
        "{all}"
    );
    // Nothing else is pushed off: the passphrase prompt and the key bar are still there.
    assert!(all.contains("Wachtwoordzin"), "{all}");
    key(&mut r, KeyCode::F(2));
    let all = render(&r.state).join("\n");
    assert!(
        all.contains(&format!("Version 0.1.0, source {commit}")),
        "{all}"
    );
}
