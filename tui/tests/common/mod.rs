//! Shared helpers for the terminal's tests: a demo session in temp folders, keys, and the
//! paper reports of the scripted Juinen count.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tally_core::entry::FieldId;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_demo::{Paths, prepare_demo};
use tally_ledger::journal::CoreJournal;
use tally_tui::app::{Municipal, Screen, State};
use tally_tui::folder::FolderServices;
use tally_tui::services::Services;
use tally_tui::shell::Screen as Shell;
use tally_tui::shell::runner::Runner;
use tally_tui::text::Lang;

/// The runner of a demo session.
pub type Demo = Runner<Municipal, FolderServices, CoreJournal>;

/// Fixed seed, so the asked hash-code groups are known.
pub const SEED: u64 = 42;

/// Paths in a temp dir.
pub fn paths(dir: &Path) -> Paths {
    Paths::new(dir.join("data"), dir.join("media"))
}

/// Opens (or re-opens after a "kill") the demo terminal on `paths`.
pub fn open(paths: &Paths, lang: Lang) -> Demo {
    prepare_demo(paths).unwrap();
    let services = FolderServices::open(paths.clone(), "ab".repeat(32), true).unwrap();
    let state = State::new(lang, true, services.identity(), SEED);
    Runner::open(state, services, CoreJournal::new(&paths.journal())).unwrap()
}

/// Something keys can be sent to: the runner, or a test driver around it.
pub trait Keys {
    /// Sends one key.
    fn press(&mut self, key: KeyEvent);
    /// The state now.
    fn state(&self) -> &State;
}

impl Keys for Demo {
    fn press(&mut self, key: KeyEvent) {
        self.key(key);
    }
    fn state(&self) -> &State {
        &self.state
    }
}

/// One key without modifiers.
pub fn key(r: &mut impl Keys, code: KeyCode) {
    r.press(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Types a text, char by char.
pub fn type_str(r: &mut impl Keys, s: &str) {
    for c in s.chars() {
        key(r, KeyCode::Char(c));
    }
}

/// The hash codes the Kiesraad published for the Juinen 110a and 230b
/// (`Hashcodes-Juinen.txt`), without spaces.
pub fn published_hashes() -> (String, String) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/eml/synthetic/Hashcodes-Juinen.txt"
    ))
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let code = |name: &str| {
        let i = lines.iter().position(|l| l.contains(name)).unwrap();
        lines[i + 1].replace(' ', "")
    };
    (code("eml110a"), code("eml230b"))
}

/// Types the passphrase.
pub fn unlock(r: &mut impl Keys) {
    type_str(r, "demo");
    key(r, KeyCode::Enter);
}

/// From the media screen: chooses the definition medium and types the asked groups
/// from the published hash codes.
pub fn load_definition(r: &mut impl Keys) {
    assert!(
        matches!(r.state().screen, Shell::Media(_)),
        "{:?}",
        r.state().screen
    );
    key(r, KeyCode::Enter);
    assert!(
        matches!(r.state().screen, Shell::Definition { .. }),
        "{:?}",
        r.state().screen
    );
    type_published_groups(r);
    register_first(r);
}

/// The PIN of every person in the tests.
pub const PIN: &str = "40417";
/// The first coordinator, registered right after the definition.
pub const COORDINATOR: &str = "Carla";

/// Fills the people form: name, (role toggled when `coordinator` and the form is not the
/// first's), PIN twice, Enter.
fn fill_person(r: &mut impl Keys, name: &str, coordinator: bool) {
    type_str(r, name);
    key(r, KeyCode::Tab);
    let first = matches!(&r.state().screen, Shell::People(f) if f.by.is_none());
    if coordinator && !first {
        key(r, KeyCode::Char(' '));
    }
    key(r, KeyCode::Tab);
    type_str(r, PIN);
    key(r, KeyCode::Tab);
    type_str(r, PIN);
    key(r, KeyCode::Enter);
}

/// On the people screen that follows the definition: registers [`COORDINATOR`].
pub fn register_first(r: &mut impl Keys) {
    assert!(
        matches!(&r.state().screen, Shell::People(f) if f.by.is_none()),
        "{:?}",
        r.state().screen
    );
    fill_person(r, COORDINATOR, true);
    assert!(
        matches!(r.state().screen, Shell::Level(Screen::Overview { .. })),
        "{:?} {:?}",
        r.state().screen,
        r.state().note
    );
}

/// Whether `name` is registered.
pub fn registered(r: &impl Keys, name: &str) -> bool {
    r.state()
        .ledger
        .people
        .registry
        .people()
        .any(|p| p.name.as_str() == name)
}

/// From the overview: F9, the coordinator's PIN, and registers `name` (a typist, or a
/// coordinator), back to the overview.
pub fn register(r: &mut impl Keys, name: &str, coordinator: bool) {
    key(r, KeyCode::F(9));
    sign_in(r, COORDINATOR);
    fill_person(r, name, coordinator);
    assert!(registered(r, name), "{:?}", r.state().note);
    key(r, KeyCode::Esc);
}

/// On the PIN prompt: chooses `name` and types the PIN.
pub fn sign_in(r: &mut impl Keys, name: &str) {
    let index = match &r.state().screen {
        Shell::Pin(prompt) => prompt
            .choices(&r.state().ledger.people.registry)
            .iter()
            .position(|p| p.name.as_str() == name)
            .unwrap_or_else(|| panic!("{name} is not offered on the PIN prompt")),
        other => panic!("not on the PIN prompt: {other:?}"),
    };
    for _ in 0..index {
        key(r, KeyCode::Down);
    }
    type_str(r, PIN);
    key(r, KeyCode::Enter);
}

/// A coordinator's key (`c` on the overview, `e` on the total): the key, then the
/// coordinator's PIN.
pub fn as_coordinator(r: &mut impl Keys, letter: char) {
    key(r, KeyCode::Char(letter));
    if matches!(r.state().screen, Shell::Pin(_)) {
        sign_in(r, COORDINATOR);
    }
}

/// On the definition screen: types the asked groups from the published hash codes, each
/// followed by Enter.
pub fn type_published_groups(r: &mut impl Keys) {
    let (a, b) = published_hashes();
    let asked = match &r.state().screen {
        Shell::Definition { groups, .. } => groups.asked.clone(),
        other => unreachable!("not on the definition screen: {other:?}"),
    };
    for (f, g) in asked {
        let hex = if f == 0 { &a } else { &b };
        type_str(r, &hex[g * 4..g * 4 + 4]);
        key(r, KeyCode::Enter);
    }
}

/// A coordinator's decision: its key, then the station's number and Enter to confirm.
pub fn decide(r: &mut impl Keys, letter: char, station: u32) {
    key(r, KeyCode::Char(letter));
    type_str(r, &station.to_string());
    key(r, KeyCode::Enter);
}

/// Candidates per list of the Juinen 230b (counted in the file by hand).
pub fn juinen_lists(r: &impl Keys) -> Vec<(u32, u32)> {
    r.state()
        .ledger
        .election
        .as_ref()
        .unwrap()
        .info
        .lists
        .iter()
        .map(|l| (l.number.0, l.candidates.len() as u32))
        .collect()
}

/// Candidate votes of the scripted paper report of station `s` (1..=3).
pub fn votes(s: u32, l: u32, c: u32) -> u64 {
    u64::from((s * 7 + l * 3 + c * 5) % 13)
}

/// The paper report of station `s`: every field's text as printed (D equals H, so the
/// box "D en H zijn gelijk" is ticked and I, J and the explanation stay empty).
pub fn paper(s: u32, lists: &[(u32, u32)]) -> BTreeMap<FieldId, String> {
    paper_with_blank(s, lists, u64::from(s))
}

/// The paper report of station `s` with `blank` blank votes (F); H, D and A follow. 40
/// blank votes are far above 3 % of H: warning W.201 (the coordinator acknowledges it).
pub fn paper_with_blank(s: u32, lists: &[(u32, u32)], blank: u64) -> BTreeMap<FieldId, String> {
    let mut p = BTreeMap::new();
    let mut e = 0u64;
    for &(l, k) in lists {
        let total: u64 = (1..=k).map(|c| votes(s, l, c)).sum();
        for c in 1..=k {
            p.insert(
                FieldId::CandidateVotes(ListNumber(l), CandidatePosition(c)),
                votes(s, l, c).to_string(),
            );
        }
        p.insert(FieldId::ListTotal(ListNumber(l)), total.to_string());
        p.insert(FieldId::ListVotes(ListNumber(l)), total.to_string());
        e += total;
    }
    let (f, g) = (blank, 0u64);
    let h = e + f + g;
    p.insert(FieldId::VotesOnCandidates, e.to_string());
    p.insert(FieldId::BlankVotes, f.to_string());
    p.insert(FieldId::InvalidVotes, g.to_string());
    p.insert(FieldId::VotesCast, h.to_string());
    p.insert(FieldId::PollCards, (h - 10).to_string());
    p.insert(FieldId::ProxyCertificates, "10".into());
    p.insert(FieldId::AdmittedVoters, h.to_string());
    p.insert(FieldId::AdmittedEqualsCast, "x".into());
    p
}

/// Moves the overview's highlight to station index `i` (0-based).
pub fn select(r: &mut impl Keys, i: usize) {
    for _ in 0..5 {
        key(r, KeyCode::Up);
    }
    for _ in 0..i {
        key(r, KeyCode::Down);
    }
}

/// From the overview: starts (or resumes) an entry of station index `i` as `typist`.
pub fn start_entry(r: &mut impl Keys, i: usize, typist: &str) {
    if !registered(r, typist) {
        register(r, typist, false);
    }
    select(r, i);
    key(r, KeyCode::Enter);
    assert!(
        matches!(r.state().screen, Shell::Pin(_)),
        "{:?}",
        r.state().screen
    );
    sign_in(r, typist);
    assert!(
        matches!(r.state().screen, Shell::Level(Screen::Entry { .. })),
        "{:?} {:?}",
        r.state().screen,
        r.state().note
    );
}

/// The fields of the form in typing order.
pub fn fields(r: &impl Keys) -> Vec<FieldId> {
    r.state()
        .ledger
        .form()
        .unwrap()
        .fields
        .iter()
        .map(|f| f.id)
        .collect()
}

/// The keys that type `paper` from field `from` on: digits (or `x`) and Enter per field.
/// `after` is called after every Enter with the field index just completed.
pub fn type_fields(
    r: &mut impl Keys,
    paper: &BTreeMap<FieldId, String>,
    from: usize,
    mut after: impl FnMut(&mut dyn Keys, usize),
) {
    let fields = fields(r);
    for (i, f) in fields.iter().enumerate().skip(from) {
        if let Some(t) = paper.get(f) {
            type_str(r, t);
        }
        key(r, KeyCode::Enter);
        after(&mut *r, i);
    }
}

/// Types a whole entry and saves it.
pub fn full_entry(r: &mut impl Keys, i: usize, typist: &str, paper: &BTreeMap<FieldId, String>) {
    start_entry(r, i, typist);
    type_fields(r, paper, 0, |_, _| {});
    assert!(
        matches!(r.state().screen, Shell::Level(Screen::Finish { .. })),
        "{:?}",
        r.state().screen
    );
    key(r, KeyCode::Enter);
    assert!(
        matches!(r.state().screen, Shell::Level(Screen::Overview { .. })),
        "{:?}",
        r.state().screen
    );
}

/// The screen's 24 lines at 80x24.
pub fn screen_lines(state: &State) -> Vec<String> {
    use ratatui::{Terminal, backend::TestBackend};
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| tally_tui::shell::view::view(state, f)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..24)
        .map(|y| {
            (0..80)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// The screen at 80x24 as text, one line per row.
pub fn screen_text(state: &State) -> String {
    screen_lines(state).join("\n")
}

pub mod parallel;

#[path = "../shot/mod.rs"]
mod shot;
#[allow(unused_imports)]
pub use shot::snapshot;
