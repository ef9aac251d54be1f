//! The GSB export on sticks: the municipal report (PDF) next to the 510b inside the signed
//! medium, and USB mode without a usable stick refusing the export in Dutch while keeping the
//! data, so it can be repeated.
//!
//! Needs Debian's `poppler-utils` (`pdftotext`; scripts/test installs it). The USB-mode test
//! listens to the kernel's uevents (root in CI; otherwise it prints SKIPPED).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use crossterm::event::KeyCode;
use tally_body::sticks::Sticks;
use tally_core::hashcode::hash_code;
use tally_demo::{Paths, demo_root};
use tally_ledger::journal::CoreJournal;
use tally_signing::{ContentKind, DirSource, Timestamp, VerifyOptions, verify_medium};
use tally_tui::app::{Screen, State};
use tally_tui::folder::FolderServices;
use tally_tui::services::Services;
use tally_tui::shell::Screen as Shell;
use tally_tui::shell::runner::Runner;
use tally_tui::text::Lang;

/// Enters the three Juinen stations twice with the scripted paper reports (no differences,
/// no warnings): every station definitive.
fn count_everything(r: &mut Demo) -> Vec<(u32, u32)> {
    unlock(r);
    load_definition(r);
    let lists = juinen_lists(r);
    for s in 1..=3u32 {
        let p = paper(s, &lists);
        full_entry(r, (s - 1) as usize, "Anna", &p);
        full_entry(r, (s - 1) as usize, "Bert", &p);
    }
    assert!(r.state.ledger.all_definitive());
    lists
}

/// The number as the report prints it: thousands separated by a dot.
fn dutch(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn pdf_pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_export_holds_the_municipal_report_pdf_signed_next_to_the_510b() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    let lists = count_everything(&mut r);
    key(&mut r, KeyCode::Char('t'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Total));
    as_coordinator(&mut r, 'e');
    let (path, sha) = r.state.ledger.exported.clone().expect("exported");

    // The three files are in the signed manifest (and were read back and verified on the
    // stick): the count, its report and its osv4-3 CSV.
    let root = demo_root().public_key();
    let mut opts = VerifyOptions::new(&root, Timestamp::now());
    opts.expected_kind = Some(ContentKind::Results510b);
    opts.expected_signer = Some("0042");
    let verified = verify_medium(&DirSource::new(&path), &opts).unwrap();
    let names: Vec<&str> = verified.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "DEMO_Telling_GR2025_Juinen_gemeente_Juinen.eml.xml",
            "DEMO_Model_Na31-2_GR2025_Juinen_gemeente_Juinen.pdf",
            "DEMO_osv4-3_telling_gr2025_juinen.csv",
            "audit.jsonl",
        ]
    );
    assert!(verified.ignored.is_empty(), "{:?}", verified.ignored);
    // The audit log travels in the signed medium (#14 point 4): chained, every entry with its
    // typist by name, the body's own check of its key's tags as the last line.
    let copy = &verified.files[3];
    let checked = tally_core::audit::check(&copy.bytes, None);
    assert!(checked.broken.is_empty(), "{:?}", checked.broken);
    assert_eq!(checked.torn, None);
    let acts = |act: &str, person: &str| {
        checked
            .lines
            .iter()
            .filter(|l| l.text("act") == Some(act) && l.text("person") == Some(person))
            .count()
    };
    assert_eq!(acts("entry_started", "Anna"), 3);
    assert_eq!(acts("entry_finished", "Anna"), 3);
    assert_eq!(acts("entry_started", "Bert"), 3);
    assert_eq!(acts("entry_finished", "Bert"), 3);
    assert!(
        checked.keyed > 0
            && checked
                .lines
                .iter()
                .all(|l| l.keyed || l.text("kind") != Some("record"))
    );
    let last = checked.lines.last().unwrap();
    assert_eq!(last.text("kind"), Some("chain_checked"));
    assert_eq!(last.text("act"), Some("verified"), "{:?}", last.value);
    let eml = &verified.files[0];
    assert_eq!(hex::encode(eml.sha256), sha);
    let pdf = &verified.files[1];
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let audit = std::fs::read_to_string(paths.data_dir.join("audit.jsonl")).unwrap();
    assert!(
        audit
            .lines()
            .any(|l| l.contains("\"written\"") && l.contains(&hex::encode(pdf.sha256))),
        "the PDF's writing is audited with its hash: {audit}"
    );

    // The PDF's text: the 510b's totals (from the scripted paper reports, not from the
    // program), the 510b's hash code and DEMO on every page.
    let pages = pdf_pages(&Path::new(&path).join(&pdf.name));
    assert!(!pages.is_empty());
    let code = hash_code(&eml.bytes);
    for (i, page) in pages.iter().enumerate() {
        let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&code), "page {}: no hash code {code}", i + 1);
        assert!(page.contains("DEMO"), "page {}: no DEMO", i + 1);
    }
    let text = pages.join("\n");
    let mut total_counted = 0u64;
    for &(l, k) in &lists {
        let list_total: u64 = (1..=3)
            .map(|s| (1..=k).map(|c| votes(s, l, c)).sum::<u64>())
            .sum();
        total_counted += list_total;
        assert!(
            text.contains(&dutch(list_total)),
            "list {l} total {list_total} not in the PDF"
        );
    }
    assert!(text.contains(&dutch(total_counted)), "E {total_counted}");
    // The same totals are in the 510b itself.
    let count = tally_core::eml::count::read_count(&eml.bytes).unwrap();
    assert_eq!(count.total.total_counted, total_counted);
    assert_eq!(count.total.blank, 1 + 2 + 3);
}

#[test]
fn usb_mode_without_a_usable_stick_refuses_the_export_and_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    // Counted in folder mode (the definition came from a folder).
    let mut r = open(&paths, Lang::Nl);
    count_everything(&mut r);
    drop(r);

    // The same data dir on USB sticks: this machine has no USB stick.
    let run = dir.path().join("run");
    let sticks = match Sticks::usb(&run) {
        Ok(s) => s,
        Err(e) => {
            println!("SKIPPED usb_mode_without_a_usable_stick: kernel uevents: {e}");
            return;
        }
    };
    let usb_paths = Paths::new(paths.data_dir.clone(), run.clone());
    let services =
        FolderServices::with_sticks(usb_paths.clone(), sticks, "ab".repeat(32), true).unwrap();
    let state = State::new(Lang::Nl, true, services.identity(), SEED);
    let mut r = Runner::open(state, services, CoreJournal::new(&usb_paths.journal())).unwrap();
    let mode = std::fs::metadata(&run).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o700
    );
    assert!(r.services.scan().is_empty());
    assert!(!r.services.poll_media());
    unlock(&mut r);
    assert!(r.state.ledger.all_definitive(), "restart kept the count");
    key(&mut r, KeyCode::Char('t'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Total));
    as_coordinator(&mut r, 'e');
    assert!(r.state.ledger.exported.is_none());
    let notice = r.state.note.clone().expect("a notice");
    assert!(notice.error);
    assert!(
        notice.text(Lang::Nl).contains("geen bruikbare stick"),
        "{}",
        notice.text(Lang::Nl)
    );
    assert!(
        notice.text(Lang::Nl).is_ascii(),
        "{}",
        notice.text(Lang::Nl)
    );
    // Nothing was mounted below the runtime dir.
    assert_eq!(std::fs::read_dir(&run).unwrap().count(), 0);
    drop(r);

    // The export can be repeated: back on the folder, it is written.
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    key(&mut r, KeyCode::Char('t'));
    as_coordinator(&mut r, 'e');
    assert!(r.state.ledger.exported.is_some(), "{:?}", r.state.note);
}

/// A line of the audit log changed on another PC (the tag kept: it cannot be made without the
/// body's key) is found by the body before the export: the signed copy ends with its statement
/// naming the line, which `tally-verify` reports as a discrepancy (docs/audit.md).
#[test]
fn an_audit_line_changed_on_the_stick_is_named_in_the_exports_statement() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = open(&paths, Lang::Nl);
    count_everything(&mut r);
    let log = paths.data_dir.join("audit.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    let (n, _) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("\"act\":\"entry_started\"") && l.contains("\"person\":\"Bert\""))
        .unwrap();
    let forged: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let l = if i == n {
                l.replace("\"Bert\"", "\"Anna\"")
            } else {
                l.to_owned()
            };
            l + "\n"
        })
        .collect();
    std::fs::write(&log, forged).unwrap();
    key(&mut r, KeyCode::Char('t'));
    as_coordinator(&mut r, 'e');
    let (path, _) = r.state.ledger.exported.clone().expect("exported");
    let copy = std::fs::read(Path::new(&path).join("audit.jsonl")).unwrap();
    let checked = tally_core::audit::check(&copy, None);
    // Without the key the chain still links (the tag was kept) ...
    assert!(checked.broken.is_empty(), "{:?}", checked.broken);
    // ... but the body checked with its key and says which line.
    let last = checked.lines.last().unwrap();
    assert_eq!(last.text("kind"), Some("chain_checked"));
    assert_eq!(last.text("act"), Some("broken"), "{:?}", last.value);
    let detail = last.text("detail").unwrap();
    assert!(
        detail.contains(&format!(
            "the first line {}: does not verify with the body's key",
            n + 1
        )),
        "{detail}"
    );
}
