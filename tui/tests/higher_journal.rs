//! Every decision is written to the journal before it is applied: when the journal cannot be
//! written, the import is not applied and the official is told; when it can again, the same
//! import goes through.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod higher_common;

use std::cell::Cell;
use std::rc::Rc;

use crossterm::event::KeyCode;
use higher_common::*;
use tally_ledger::journal::Journal;
use tally_ledger::journal::MemoryJournal;
use tally_signing::{ContentKind, Role};
use tally_tui::higher::app::{Screen, State};
use tally_tui::higher::services::FolderHigherServices;
use tally_tui::services::Services;
use tally_tui::shell::Screen as Shell;
use tally_tui::shell::runner::Runner;
use tally_tui::text::Lang;

/// A journal in memory whose writes fail while `broken` is set.
struct Flaky {
    inner: MemoryJournal,
    broken: Rc<Cell<bool>>,
}

impl Journal for Flaky {
    fn append(&mut self, record: &[u8]) -> std::io::Result<()> {
        if self.broken.get() {
            return Err(std::io::Error::other("disk full"));
        }
        self.inner.append(record)
    }

    fn read_all(&mut self) -> std::io::Result<Vec<Vec<u8>>> {
        self.inner.read_all()
    }
}

#[test]
fn a_journal_that_cannot_be_written_stops_the_import() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new("TK2021");
    let paths = pki.appliance(dir.path(), Role::Hsb, "HSB1", "Groningen");
    let def_110a = real("Verkiezingsdefinitie_TK2021.eml.xml");
    let def = pki.definition(
        &paths.media_dir,
        vec![
            (
                "Verkiezingsdefinitie_TK2021.eml.xml".into(),
                def_110a.clone(),
            ),
            (
                "Kandidatenlijsten_TK2021_Groningen.eml.xml".into(),
                real("Kandidatenlijsten_TK2021_Groningen.eml.xml"),
            ),
        ],
    );
    let real_510c =
        tally_core::eml::count::read_count(&real("Telling_TK2021_kieskring_Groningen.eml.xml"))
            .unwrap();
    let unit = &real_510c.units[0];
    let code = unit.id.0.strip_prefix("HSB1::").unwrap();
    let file = one_unit_file(
        &real_510c.header,
        tally_core::counts::CountLevel::Municipality,
        code,
        "1",
        &format!("{code}::SB1"),
        &unit.counts,
    );
    let bytes = tally_core::eml::count::write_count(&file).unwrap();
    let folder = pki.medium(
        &paths.media_dir,
        "510b",
        ContentKind::Results510b,
        "TK2021",
        vec![("Telling.eml.xml".into(), bytes.clone())],
        &pki.body(Role::Gsb, code, "Gemeente"),
    );
    let broken = Rc::new(Cell::new(false));
    let services = FolderHigherServices::open(paths.clone(), "0".repeat(64), false).unwrap();
    let state = State::new(Lang::Nl, false, services.identity(), 11);
    let mut r = Runner::open(
        state,
        services,
        Flaky {
            inner: MemoryJournal::default(),
            broken: broken.clone(),
        },
    )
    .unwrap();
    unlock(&mut r);
    choose(&mut r, &def);
    accept_definition(&mut r, &paths.media_dir, &def);
    assert_eq!(r.state.screen, Shell::Level(Screen::Overview));

    broken.set(true);
    import(&mut r, &folder, &sha_hex(&bytes));
    // Nothing more is accepted: the journal failed (as at every level).
    let Shell::Fatal(why) = &r.state.screen else {
        panic!("{:?}", r.state.screen);
    };
    assert!(why.contains("disk full"), "{why}");
    let screen = render(&r.state).join("\n");
    assert!(screen.contains("kan niet geschreven worden"), "{screen}");
    let agg = r.state.ledger.aggregation.as_ref().unwrap();
    assert_eq!(agg.missing().len(), 10, "nothing may be imported");
    assert_eq!(
        r.journal.inner.records.len(),
        2,
        "only the definition and the first coordinator"
    );
    press(&mut r, KeyCode::Char('i'));
    assert!(matches!(r.state.screen, Shell::Fatal(_)), "no key acts");

    // Started again on the same journal, the import goes through.
    let inner = std::mem::take(&mut r.journal.inner);
    let services = FolderHigherServices::open(paths.clone(), "0".repeat(64), false).unwrap();
    let state = State::new(Lang::Nl, false, services.identity(), 12);
    let mut r = Runner::open(
        state,
        services,
        Flaky {
            inner,
            broken: Rc::new(Cell::new(false)),
        },
    )
    .unwrap();
    unlock(&mut r);
    import(&mut r, &folder, &sha_hex(&bytes));
    let agg = r.state.ledger.aggregation.as_ref().unwrap();
    assert_eq!(agg.missing().len(), 9);
    assert_eq!(r.journal.inner.records.len(), 3);
}

/// The Juinen CSB demo on a journal in memory that fails while `broken` is set, unlocked and
/// taken to its candidates (definition, the GSB's 510b, the tie drawn for list 3).
fn csb_demo_at_the_candidates(
    paths: &tally_demo::Paths,
    inner: MemoryJournal,
    broken: Rc<Cell<bool>>,
    fresh: bool,
) -> Runner<tally_tui::higher::app::Higher, FolderHigherServices, Flaky> {
    let services = FolderHigherServices::open(paths.clone(), "0".repeat(64), true).unwrap();
    let state = State::new(Lang::Nl, true, services.identity(), 3);
    let mut r = Runner::open(state, services, Flaky { inner, broken }).unwrap();
    typ(&mut r, tally_demo::DEMO_PASSPHRASE);
    press(&mut r, KeyCode::Enter);
    if fresh {
        let Shell::Media(tally_tui::shell::MediaList { items, .. }) = &r.state.screen else {
            panic!("{:?}", r.state.screen);
        };
        let folder = |part: &str| {
            items
                .iter()
                .find(|m| m.folder.contains(part))
                .unwrap()
                .folder
                .clone()
        };
        let (def, gsb) = (folder("election-definition"), folder("results-510b"));
        choose(&mut r, &def);
        accept_definition(&mut r, &paths.media_dir, &def);
        press(&mut r, KeyCode::Char('i'));
        choose(&mut r, &gsb);
        let Shell::Level(Screen::ImportCheck { count, .. }) = &r.state.screen else {
            panic!("{:?}", r.state.note);
        };
        let sha = count.sha256.clone();
        type_groups(&mut r, &sha);
        press(&mut r, KeyCode::Char('t'));
        press(&mut r, KeyCode::Char('z'));
        typ(&mut r, "3");
        press(&mut r, KeyCode::Enter);
    } else {
        press(&mut r, KeyCode::Char('z'));
    }
    press(&mut r, KeyCode::Enter);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Candidates),
        "{:?}",
        r.state.note
    );
    r
}

/// A candidate marked deceased (P 19a) is written to the journal before it is applied: when
/// the journal cannot take the record, the mark is not made (the terminal stops, as at every
/// level); started again on the same journal nothing is marked, the mark goes through, and a
/// replay gives it back; the undoing likewise.
#[test]
fn a_deceased_mark_the_journal_cannot_take_is_not_made() {
    use tally_core::ids::{CandidatePosition, ListNumber};
    let dir = tempfile::tempdir().unwrap();
    let paths = tally_demo::csb_paths(dir.path());
    tally_demo::prepare_csb_demo(&paths).unwrap();
    tally_demo::prepare_demo(&paths).unwrap();
    let broken = Rc::new(Cell::new(false));
    let mut r = csb_demo_at_the_candidates(&paths, MemoryJournal::default(), broken.clone(), true);
    let kept = r.journal.inner.records.len();
    let mark = |r: &mut Runner<_, _, _>, key: char| {
        press(r, KeyCode::Char(key));
        typ(r, "3");
        press(r, KeyCode::Enter);
        typ(r, "1");
        press(r, KeyCode::Enter);
        typ(r, "1");
        press(r, KeyCode::Enter);
    };
    broken.set(true);
    mark(&mut r, 'o');
    assert!(
        matches!(r.state.screen, Shell::Fatal(_)),
        "{:?}",
        r.state.screen
    );
    assert!(r.state.ledger.decisions.deceased.is_empty());
    assert_eq!(r.journal.inner.records.len(), kept);

    let inner = std::mem::take(&mut r.journal.inner);
    drop(r);
    let mut r = csb_demo_at_the_candidates(&paths, inner, Rc::new(Cell::new(false)), false);
    assert!(r.state.ledger.decisions.deceased.is_empty());
    mark(&mut r, 'o');
    assert_eq!(r.state.screen, Shell::Level(Screen::Candidates));
    assert_eq!(
        r.state.ledger.decisions.deceased,
        vec![tally_ledger::higher::deceased(
            ListNumber(3),
            CandidatePosition(1),
            None
        )]
    );
    // The coordinator's PIN, then the mark.
    assert_eq!(r.journal.inner.records.len(), kept + 2);
    let outcome = r.state.level.outcome.clone();

    // Replayed: the same mark and the same outcome; then undone, and replayed again.
    let inner = std::mem::take(&mut r.journal.inner);
    drop(r);
    let mut r = csb_demo_at_the_candidates(&paths, inner, Rc::new(Cell::new(false)), false);
    assert_eq!(r.state.ledger.decisions.deceased.len(), 1);
    assert_eq!(r.state.level.outcome, outcome);
    mark(&mut r, 'h');
    assert!(r.state.ledger.decisions.deceased.is_empty());
    let undone = r.state.level.outcome.clone();
    assert_ne!(undone, outcome);
    let inner = std::mem::take(&mut r.journal.inner);
    drop(r);
    let r = csb_demo_at_the_candidates(&paths, inner, Rc::new(Cell::new(false)), false);
    assert!(r.state.ledger.decisions.deceased.is_empty());
    assert_eq!(r.state.level.outcome, undone);
    // Each mark after a coordinator's PIN (the second restart signed nobody in).
    assert_eq!(r.journal.inner.records.len(), kept + 4);
}
