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
