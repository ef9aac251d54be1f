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
