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
use tally_signing::{ContentKind, Role};
use tally_tui::higher::app::{Screen, State};
use tally_tui::higher::runner::HigherRunner;
use tally_tui::higher::services::{FolderHigherServices, HigherServices};
use tally_tui::journal::MemoryJournal;
use tally_tui::services::Journal;
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
    let mut r = HigherRunner::open(
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
    assert_eq!(r.state.screen, Screen::Overview);

    broken.set(true);
    import(&mut r, &folder, &sha_hex(&bytes));
    let note = r.state.note.as_ref().unwrap().text(Lang::Nl);
    assert!(
        note.contains("logboek kan niet worden geschreven"),
        "{note}"
    );
    assert!(note.contains("disk full"), "{note}");
    let agg = r.state.ledger.aggregation.as_ref().unwrap();
    assert_eq!(agg.missing().len(), 10, "nothing may be imported");
    assert_eq!(r.journal.inner.records.len(), 1, "only the definition");

    broken.set(false);
    press(&mut r, KeyCode::Esc);
    import(&mut r, &folder, &sha_hex(&bytes));
    let agg = r.state.ledger.aggregation.as_ref().unwrap();
    assert_eq!(agg.missing().len(), 9);
    assert_eq!(r.journal.inner.records.len(), 2);
}
