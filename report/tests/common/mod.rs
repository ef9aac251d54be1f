//! What the paper tests on the demo's Juinen election share: the election, and a PDF written
//! to the test folder, checked by `qpdf --check` and read back by `pdftotext -layout`.

use std::path::{Path, PathBuf};
use std::process::Command;

use tally_core::election::Election;
use tally_core::eml::definition::{SourceFile, load_election};

fn demo(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../demo/files/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The demo's Juinen election: its 110a, 230b and 110b.
pub fn juinen() -> Election {
    let (a, l, b) = (
        demo("eml110a_verkiezingsdefinitie-juinen.eml.xml"),
        demo("eml230b_kandidatenlijsten-juinen.eml.xml"),
        demo("eml110b_stembureaulijst-juinen.eml.xml"),
    );
    load_election(
        &SourceFile::new("a", &a),
        &[SourceFile::new("l", &l)],
        Some(&SourceFile::new("b", &b)),
    )
    .unwrap()
}

/// Writes `pdf` as `folder/name` in the test folder, checks it with `qpdf --check`, and
/// returns its path.
pub fn written(pdf: &[u8], folder: &str, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let check = tool("qpdf", &["--check"], &path);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    path
}

/// The text `pdftotext -layout` reads in the PDF at `path` (non-breaking spaces as spaces).
pub fn text(path: &Path) -> String {
    tool("pdftotext", &["-layout"], path).replace('\u{a0}', " ")
}

/// Runs `name args path` (pdftotext writes to stdout) and returns its output; fails the test
/// with the tool's stderr when it fails.
pub fn tool(name: &str, args: &[&str], path: &Path) -> String {
    let mut command = Command::new(name);
    command.args(args).arg(path);
    if name == "pdftotext" {
        command.arg("-");
    }
    let out = command.output().unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
