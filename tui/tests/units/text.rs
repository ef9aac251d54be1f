//! Unit tests of `tally_tui::text`.

use tally_tui::text::*;

#[test]
fn an_argument_is_never_filled_in_itself() {
    assert_eq!(fill_template("{0} and {1}", &["a", "b"]), "a and b");
    assert_eq!(fill_template("{1}, {0}", &["a", "b"]), "b, a");
    // A stick label holding a placeholder is shown as it is.
    assert_eq!(
        fill_template("stick {0}: {1}", &["x{1}y", "z"]),
        "stick x{1}y: z"
    );
    // Missing arguments and stray braces stay as written.
    assert_eq!(fill_template("{0} {2} {x} {", &["a"]), "a {2} {x} {");
    assert_eq!(fill_template("geen", &[]), "geen");
    assert_eq!(fill_template("é{0}ü", &["ß"]), "éßü");
}

fn placeholders(s: &str) -> Vec<String> {
    let mut out: Vec<String> = (0..10)
        .map(|i| format!("{{{i}}}"))
        .filter(|p| s.contains(p.as_str()))
        .collect();
    out.sort();
    out
}

#[test]
fn every_key_has_both_languages_with_the_same_placeholders() {
    assert!(Msg::ALL.len() > 100);
    for &m in Msg::ALL {
        assert!(!m.nl().trim().is_empty(), "{m:?} has no Dutch text");
        assert!(!m.en().trim().is_empty(), "{m:?} has no English text");
        assert_eq!(placeholders(m.nl()), placeholders(m.en()), "{m:?}");
        // ASCII only: the Linux console's fonts.
        assert!(m.nl().is_ascii() && m.en().is_ascii(), "{m:?} is not ASCII");
    }
}

#[test]
fn dutch_is_the_default_and_fill_replaces_every_placeholder() {
    assert_eq!(Lang::default(), Lang::Nl);
    assert_eq!(
        Msg::OtherMunicipality.fill(Lang::Nl, &["0014", "0042"]),
        "Stick geweigerd: de stembureaulijst is van gemeente 0014, dit stembureau telt voor 0042"
    );
    assert_eq!(Lang::parse("en"), Some(Lang::En));
    assert_eq!(Lang::parse("de"), None);
}

#[test]
fn texts_are_ascii_safe_for_the_linux_console() {
    for &m in Msg::ALL {
        for t in [m.nl(), m.en()] {
            assert!(t.is_ascii(), "{m:?}: {t}");
        }
    }
}

/// A refused assignment is said in the official's language (it was the ledger's English
/// error, shown as "Niet mogelijk: polling station 7, entry 2: ...").
#[test]
fn a_refused_assignment_is_said_in_the_catalogue_words() {
    use tally_ledger::batch::AssignError;
    use tally_ledger::municipal::Slot;
    let refusal = tally_tui::parallel::assign_refusal(&AssignError::EntryIn {
        station: 7,
        slot: Slot::Second,
        appliance: "0042-E2".into(),
    });
    assert_eq!(
        refusal.text(Lang::Nl),
        "Stembureau 7, 2e invoer: de invoer van 0042-E2 is al binnen; er is niets toegewezen."
    );
    assert_eq!(
        refusal.text(Lang::En),
        "Polling station 7, entry 2: the entry of 0042-E2 is in already; nothing was assigned."
    );
    let refusal =
        tally_tui::parallel::assign_refusal(&AssignError::NotAnAppliance("0043-E1".into()));
    assert!(
        refusal
            .text(Lang::Nl)
            .starts_with("0043-E1 is geen invoerapparaat")
    );
}
