//! Unit tests of `tally_tui::folder`.

use tally_tui::folder::*;

fn shared(name: &str) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/");
    std::fs::read(format!("{dir}{name}")).unwrap()
}

#[test]
fn the_hash_code_asked_is_of_the_municipalitys_kieskring_lists() {
    let haarlem = shared("Kandidatenlijsten_TK2025_Haarlem.eml.xml");
    let nijmegen = shared("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let lists: [(&str, &[u8]); 2] = [("haarlem.xml", &haarlem), ("nijmegen.xml", &nijmegen)];
    // Kieskring 6 is Nijmegen, 10 is Haarlem; the order on the medium does not matter.
    assert_eq!(kieskring_lists(&lists, "6"), Some(1));
    assert_eq!(kieskring_lists(&lists, "10"), Some(0));
    let swapped = [lists[1], lists[0]];
    assert_eq!(kieskring_lists(&swapped, "6"), Some(0));
    // A kieskring not on the medium, and a file that is no 230b, give none.
    assert_eq!(kieskring_lists(&lists, "3"), None);
    assert_eq!(kieskring_lists(&[("x.xml", b"<x/>")], "6"), None);
}
