//! Unit tests of `tally_tui::seed`.

#[test]
fn seeds_differ() {
    let a = tally_tui::seed::os_seed().unwrap();
    let b = tally_tui::seed::os_seed().unwrap();
    let c = tally_tui::seed::os_seed().unwrap();
    assert!(a != b || b != c, "three equal seeds from the OS");
}
