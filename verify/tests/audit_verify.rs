//! `tally-verify check` on an export that carries the audit log (#14 point 4,
//! `docs/audit.md`): the chain checked, the body's own check read, who did what summed up; a
//! forged line (changed, removed, swapped) re-signed by the body is a discrepancy, one changed
//! without signing again refuses the medium.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use common::chain::{AT, Chain, File, write_medium};
use tally_core::audit::{AuditKey, ChainState, seal};
use tally_signing::ContentKind;

fn chain() -> &'static Chain {
    static CHAIN: OnceLock<Chain> = OnceLock::new();
    CHAIN.get_or_init(Chain::build)
}

const GSB: &str = "0037";
const KEY: [u8; 32] = [9; 32];

/// The lines as the appliance writes them: a stick before the unlock, then the session.
fn audit_lines() -> Vec<String> {
    let key = AuditKey::new(&KEY);
    let events: &[(bool, &str)] = &[
        (false, r#"{"kind":"inserted","detail":"usable: ext4"}"#),
        (
            true,
            r#"{"kind":"record","act":"person_registered","detail":"Carla (1) registered as coordinator"}"#,
        ),
        (
            true,
            r#"{"kind":"record","act":"person_registered","person":"Carla","detail":"Anna (2) registered as typist"}"#,
        ),
        (
            true,
            r#"{"kind":"record","act":"entry_started","person":"Anna","detail":"station 1, first entry"}"#,
        ),
        (
            true,
            r#"{"kind":"record","act":"entry_finished","person":"Anna","detail":"station 1, first entry"}"#,
        ),
        (
            true,
            r#"{"kind":"record","act":"entry_started","person":"Bert","detail":"station 1, second entry"}"#,
        ),
        (
            true,
            r#"{"kind":"record","act":"entry_finished","person":"Bert","detail":"station 1, second entry"}"#,
        ),
        (
            true,
            r#"{"kind":"record","act":"entry_started","person":"Anna","detail":"station 2, first entry"}"#,
        ),
        (
            true,
            r#"{"kind":"record","act":"pin_wrong","person":"Carla","detail":"a wrong PIN"}"#,
        ),
        (
            true,
            r#"{"kind":"record","act":"decided:acknowledge_warnings","person":"Carla","detail":"station 2: acknowledge_warnings"}"#,
        ),
        (
            true,
            r#"{"kind":"record","act":"decided:keep_first","person":"Carla","detail":"station 1: keep_first"}"#,
        ),
        (
            true,
            r#"{"kind":"chain_checked","act":"verified","detail":"audit log checked with the body's key before the export: 11 lines, 10 tagged with the key, 1 before an unlock; every line verifies"}"#,
        ),
    ];
    let mut state = ChainState::default();
    events
        .iter()
        .map(|(keyed, json)| {
            let (line, next) = seal(json, state, keyed.then_some(&key));
            state = next;
            line
        })
        .collect()
}

/// The GSB's export with `audit` beside its files, signed by the GSB, alone in a folder.
fn export(audit: &str) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let c = chain();
    let dir = tempfile::tempdir().unwrap();
    let key = c.write_root_key(dir.path());
    let mut files: Vec<File> = c.medium(GSB).files.clone();
    files.push(File {
        name: "audit.jsonl".into(),
        bytes: audit.as_bytes().to_vec(),
    });
    let media = dir.path().join("media");
    std::fs::create_dir(&media).unwrap();
    let path = write_medium(c.body(GSB), ContentKind::Results510b, &files, &media);
    (dir, key, path)
}

fn check(medium: &Path, key: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .arg("check")
        .arg(medium)
        .arg("--root-key")
        .arg(key)
        .args(["--at", AT])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn has(text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "no line {line:?} in:\n{text}"
    );
}

#[test]
fn an_export_with_its_audit_log_is_checked_and_summed_up() {
    let (_dir, key, path) = export(&audit_lines().concat());
    let (code, text) = check(&path, &key);
    // A lone GSB export: exit 3 (no 110a), nothing wrong.
    assert_eq!(code, 3, "{text}");
    assert!(!text.contains("DISCREPANCY"), "{text}");
    let m = path.file_name().unwrap().to_string_lossy().into_owned();
    let f = format!("{m}/audit.jsonl");
    has(
        &text,
        &format!(
            "OK {f}: audit log chained: 12 lines numbered in order, each naming the tag of the line before; 1 written before an unlock, their SHA-256 checked; 11 tagged with the body's key (HMAC-SHA-256: only the body's key can check those tags; the signature covers the file)"
        ),
    );
    has(
        &text,
        &format!(
            "NOTE {f}: the body's own check: audit log checked with the body's key before the export: 11 lines, 10 tagged with the key, 1 before an unlock; every line verifies"
        ),
    );
    has(
        &text,
        &format!("NOTE {f}: typist Anna: 2 entries started, 1 finished"),
    );
    has(
        &text,
        &format!("NOTE {f}: typist Bert: 1 entries started, 1 finished"),
    );
    has(
        &text,
        &format!("NOTE {f}: coordinator Carla: decisions acknowledge_warnings 1, keep_first 1"),
    );
    has(
        &text,
        &format!("NOTE {f}: warnings acknowledged: 1 (station 2 by Carla)"),
    );
    has(
        &text,
        &format!(
            "NOTE {f}: imports 0, imports refused 0, exports 0, people registered 2, wrong PINs 1"
        ),
    );
    // The log is not taken for a count or a file not checked.
    assert!(!text.contains(&format!("UNCHECKED {f}")), "{text}");
}

#[test]
fn a_forged_audit_line_signed_again_by_the_body_is_a_discrepancy() {
    let lines = audit_lines();
    let m = |t: &str| {
        let (_dir, key, path) = export(t);
        check(&path, &key)
    };
    // Removed: the decision of line 10 (the chain breaks at the line after it).
    let removed: String = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 9)
        .map(|(_, l)| l.as_str())
        .collect();
    let (code, text) = m(&removed);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("audit.jsonl: audit log line 10: sequence number 11 where 10 was expected"),
        "{text}"
    );
    assert!(
        text.contains("audit log line 10: its previous tag is not the tag of the line before"),
        "{text}"
    );
    // Swapped: two entries.
    let mut swapped = lines.clone();
    swapped.swap(3, 4);
    let (code, text) = m(&swapped.concat());
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("audit log line 4: sequence number 5 where 4 was expected"),
        "{text}"
    );
    // Changed: the line before the unlock (unkeyed, its SHA-256 checks it).
    let changed = lines.concat().replace("usable: ext4", "usable: vfat");
    let (code, text) = m(&changed);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("audit log line 1: its tag is not its SHA-256 (the line was changed)"),
        "{text}"
    );
    // A keyed line changed cannot be seen without the body's key (documented): the body
    // checks those before every export and its statement is the last line. Cut off there:
    let cut = lines[..11].concat();
    let (code, text) = m(&cut);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("does not end with the body's check of its key's tags"),
        "{text}"
    );
    // The body found a line that does not verify with its key.
    let mut state = ChainState::default();
    let key = AuditKey::new(&KEY);
    let mut broken = String::new();
    for l in &lines[..11] {
        let v = tally_core::audit::parse_line(l.trim_end()).unwrap();
        let (line, next) = (
            l.clone(),
            ChainState {
                seq: v.seq,
                tag: v.tag,
            },
        );
        broken.push_str(&line);
        state = next;
    }
    let (line, _) = seal(
        r#"{"kind":"chain_checked","act":"broken","detail":"audit log checked with the body's key before the export: 1 of 11 lines do not verify, the first line 4: does not verify with the body's key (changed, or written without it)"}"#,
        state,
        Some(&key),
    );
    broken.push_str(&line);
    let (code, text) = m(&broken);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("DISCREPANCY") && text.contains("the body's own check: audit log checked with the body's key before the export: 1 of 11 lines do not verify"), "{text}");
}

#[test]
fn an_audit_log_changed_after_signing_refuses_the_medium() {
    let (_dir, key, path) = export(&audit_lines().concat());
    let file = path.join("audit.jsonl");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Anna", "Anja");
    std::fs::write(&file, text).unwrap();
    let (code, out) = check(&path, &key);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("signed medium refused"), "{out}");
    assert!(out.contains("audit.jsonl"), "{out}");
}

#[test]
fn without_a_root_key_the_chain_is_checked_and_the_signature_is_said_not_to_be() {
    let (_dir, _key, path) = export(&audit_lines().concat());
    let out = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(3), "{text}");
    let m = path.file_name().unwrap().to_string_lossy().into_owned();
    let f = format!("{m}/audit.jsonl");
    assert!(
        text.contains(&format!("OK {f}: audit log chained: 12 lines")),
        "{text}"
    );
    has(
        &text,
        &format!("UNCHECKED {f}: its signature was not checked (no --root-key)"),
    );
    has(
        &text,
        &format!("NOTE {f}: typist Anna: 2 entries started, 1 finished"),
    );
    // A line removed is found without the key as well.
    let lines = audit_lines();
    std::fs::write(
        path.join("audit.jsonl"),
        [&lines[..5], &lines[6..]].concat().concat(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("audit log line 6: sequence number 7 where 6 was expected"),
        "{text}"
    );
}
