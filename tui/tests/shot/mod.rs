//! Snapshots of screens, shared by the municipal and the HSB/CSB tests.
#![allow(dead_code, clippy::unwrap_used)]

use tally_tui::text::Lang;

/// A snapshot of a screen's 24 lines at 80x24 (`tests/snapshots/`), named after the test and
/// `name`, in the screen's language. What changes from run to run is masked: temporary
/// folders, times, dates, hash codes and the large hash code's rows.
pub fn snapshot(name: &str, lang: Lang, lines: &[String]) {
    let test = std::thread::current()
        .name()
        .unwrap_or("test")
        .rsplit("::")
        .next()
        .unwrap_or("test")
        .to_owned();
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_suffix(format!("{lang:?}").to_lowercase());
    settings.add_filter(r"/tmp/[^ |\n]*", "<tmp>");
    settings.add_filter(r"\b\d\d:\d\d:\d\d\b", "<time>");
    settings.add_filter(r"\b\d\d-\d\d-\d{4}\b", "<date>");
    settings.add_filter(r"\b[0-9a-f]{4}( +[0-9a-f]{4})+\b", "<hash>");
    settings.add_filter(r"(?m)^[ #]*#[ #]*$", "<large hash row>");
    // A name used again in the same test and language gets a number.
    thread_local!(static SEEN: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) });
    let base = format!("{test}__{}_{lang:?}", name.replace([' ', ','], "_"));
    let n = SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        let n = seen.iter().filter(|s| **s == base).count();
        seen.push(base.clone());
        n
    });
    let name = format!("{test}__{}", name.replace([' ', ','], "_"));
    let name = if n == 0 { name } else { format!("{name}_{n}") };
    let text = lines
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    settings.bind(|| insta::assert_snapshot!(name, text));
}
