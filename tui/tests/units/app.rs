//! Unit tests of `tally_tui::app`.

use tally_tui::app::*;
use tally_tui::services::Refusal;
use tally_tui::shell;
use tally_tui::text::{Lang, Msg};

fn state(lang: Lang) -> State {
    let id = tally_tui::services::Identity::default();
    State::new(lang, false, id, 1)
}

#[test]
fn a_failed_export_says_so_once() {
    let mut s = state(Lang::Nl);
    let r = Refusal::new(Msg::ExportFailed, "de stick is vol");
    shell::update(
        &mut s,
        shell::Event::Level(MunicipalEvent::Exported(Err(r))),
    );
    let n = s.note.clone().unwrap();
    assert!(n.error);
    assert_eq!(n.text(Lang::Nl), "Exporteren mislukt: de stick is vol");

    // A refusal of another kind gets the prefix, in the chosen language.
    let mut s = state(Lang::En);
    let r = Refusal::new(Msg::NotAllDefinitive, "");
    shell::update(
        &mut s,
        shell::Event::Level(MunicipalEvent::Exported(Err(r))),
    );
    assert_eq!(
        s.note.unwrap().text(Lang::En),
        "Export failed: Not every polling station is definitive yet."
    );
}
