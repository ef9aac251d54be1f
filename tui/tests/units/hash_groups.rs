//! Unit tests of `tally_tui::hash_groups`.

use tally_tui::hash_groups::*;
use tally_tui::text::Lang;

const HEX: &str = "1987889f2bc45e63261ef09cba206f3221dbc23c79e2fa47a7ccfaa7d33ad840";

#[test]
fn the_pairs_differ_per_file_and_are_two_distinct_groups() {
    let [first, second] = [asked(42, 0), asked(42, 1)];
    assert_ne!(first, second);
    for [a, b] in [first, second] {
        assert!(a < b && b < 16);
    }
    assert_eq!(asked(42, 1), asked(42, 1));
}

#[test]
fn typed_groups_are_checked_by_the_core_and_refused_in_both_languages() {
    assert!(check(HEX, [0, 15], ["1987", " D840 "]).is_ok());
    let (which, r) = check(HEX, [0, 15], ["1987", "d841"]).unwrap_err();
    assert_eq!(which, 1);
    assert!(
        r.text(Lang::Nl)
            .starts_with("De hashcode klopt niet met het papier: groep 16 is op het papier \"d841\", in het bestand iets anders"),
        "{}",
        r.text(Lang::Nl)
    );
    // The file's group is never shown to whoever typed a wrong one.
    for lang in [Lang::Nl, Lang::En] {
        assert!(!r.text(lang).contains("d840"), "{}", r.text(lang));
    }
    assert!(
        r.text(Lang::En)
            .starts_with("The hash code does not match the paper: group 16")
    );
    let (which, r) = check(HEX, [0, 15], ["19x7", "d840"]).unwrap_err();
    assert_eq!(which, 0);
    assert!(
        r.text(Lang::En)
            .contains("group 1 must be 4 characters 0-9 or a-f")
    );
}
