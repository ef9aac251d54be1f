//! Unit tests of `tally_tui::screen`.

#[test]
fn a_panic_is_written_to_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    tally_tui::screen::record_panic(
        &path,
        "panicked at tui/src/app.rs:1:1: attempt to add with overflow",
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"kind\":\"panic\""), "{text}");
    assert!(text.contains("attempt to add with overflow"), "{text}");
}
