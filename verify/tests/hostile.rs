//! Hostile EML files given to the real `tally-verify` binary: 65 536 nested elements (which
//! overflowed quick-xml's 16-bit nesting counter, a panic, before core's input guard refused
//! nesting deeper than 64). `check` reports such a file as a discrepancy, as every file it
//! cannot use (exit status 1, the rest still checked); `apportion`, which needs the file,
//! cannot run: exit status 2 and one line on stderr. Never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::{Command, Output};

const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/synthetic");
const F110A: &str = "eml110a_verkiezingsdefinitie-juinen.eml.xml";

fn verify(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .args(args)
        .output()
        .unwrap()
}

/// A document of `kind` with 65 536 levels of elements (the root counts), properly closed.
fn deeply_nested(kind: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EML xmlns=\"urn:oasis:names:tc:evs:schema:eml\" Id=\"{kind}\">{}{}</EML>",
        "<a>".repeat(65_535),
        "</a>".repeat(65_535)
    )
}

#[test]
fn check_reports_deeply_nested_files_as_discrepancies() {
    let dir = tempfile::tempdir().unwrap();
    let kinds = ["110a", "230b", "510b", "510c", "510d", "520"];
    for kind in kinds {
        std::fs::write(
            dir.path().join(format!("deep-{kind}.eml.xml")),
            deeply_nested(kind),
        )
        .unwrap();
    }
    let o = verify(&["check".as_ref(), dir.path().as_os_str()]);
    let out = String::from_utf8(o.stdout).unwrap();
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.is_empty(), "{err}");
    for kind in kinds {
        let want = format!(
            "DISCREPANCY deep-{kind}.eml.xml: not usable EML: nesting deeper than 64 elements (at byte "
        );
        assert!(out.lines().any(|l| l.starts_with(&want)), "{want}\n{out}");
    }
}

#[test]
fn apportion_refuses_a_deeply_nested_definition_or_count() {
    let dir = tempfile::tempdir().unwrap();
    let deep_110a = dir.path().join("deep-110a.eml.xml");
    std::fs::write(&deep_110a, deeply_nested("110a")).unwrap();
    let deep_510b = dir.path().join("deep-510b.eml.xml");
    std::fs::write(&deep_510b, deeply_nested("510b")).unwrap();
    let real_110a = Path::new(SYNTHETIC).join(F110A);
    for (definition, count, want) in [
        (
            &deep_110a,
            &deep_510b,
            "tally-verify: deep-110a.eml.xml: nesting deeper than 64 elements (at byte ",
        ),
        (
            &real_110a,
            &deep_510b,
            "nesting deeper than 64 elements (at byte ",
        ),
    ] {
        let o = verify(&[
            "apportion".as_ref(),
            "--definition".as_ref(),
            definition.as_os_str(),
            "--count".as_ref(),
            count.as_os_str(),
        ]);
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(o.stdout.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(want), "{want}\n{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
