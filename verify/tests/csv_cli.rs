//! `tally-verify csv COUNT --candidates 230b... [--out FILE]`: the real binary writes the
//! Kiesraad's osv4-3 CSV byte for byte (to standard output, or to a new file), and on bad
//! input exits 2 with one line on stderr and nothing on standard output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn real(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eml/real")
        .join(name)
}

fn published(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/results/osv4-3")
            .join(name),
    )
    .unwrap()
}

fn verify(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .args(args)
        .output()
        .unwrap()
}

/// Exit status 2, nothing on standard output, exactly one line on stderr, which is returned.
fn refused(o: &Output) -> String {
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("tally-verify: "), "{err}");
    err.trim_end().to_string()
}

#[test]
fn csv_to_standard_output_is_the_kiesraads_file() {
    let count = real("Telling_GR2022_WestMaasenWaal.eml.xml");
    let lists = real("Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml");
    let o = verify(&[
        "csv".as_ref(),
        count.as_os_str(),
        "--candidates".as_ref(),
        lists.as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stderr.is_empty());
    assert!(
        o.stdout == published("osv4-3_telling_gr2022_westmaasenwaal.csv"),
        "stdout differs from the published CSV"
    );
}

#[test]
fn csv_to_a_new_file_is_the_kiesraads_file_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let count = real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml");
    let haarlem = real("Kandidatenlijsten_TK2025_Haarlem.eml.xml");
    let nijmegen = real("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let args = [
        "csv".as_ref(),
        count.as_os_str(),
        "--candidates".as_ref(),
        haarlem.as_os_str(),
        nijmegen.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    let o = verify(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    let want = published("osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv");
    assert!(std::fs::read(&out).unwrap() == want, "the file differs");

    // The same command again: the file exists, is refused and stays as it is.
    let o = verify(&args);
    let err = refused(&o);
    assert!(
        err.starts_with(&format!("tally-verify: cannot write {}: ", out.display())),
        "{err}"
    );
    assert!(std::fs::read(&out).unwrap() == want);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let count = real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml");
    let haarlem = real("Kandidatenlijsten_TK2025_Haarlem.eml.xml");
    let gr_lists = real("Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml");
    let missing = dir.path().join("nothing.eml.xml");
    let broken = dir.path().join("broken.eml.xml");
    std::fs::write(&broken, b"<EML Id=\"510b\"><TransactionId>1</Trans").unwrap();
    let out = dir.path().join("never.csv");
    for (count, lists, want) in [
        // The files swapped.
        (
            &haarlem,
            &count,
            "tally-verify: Kandidatenlijsten_TK2025_Haarlem.eml.xml: wrong document kind: expected 510b/510c/510d, found 230b".to_string(),
        ),
        // The other kieskring's lists only.
        (
            &count,
            &haarlem,
            "tally-verify: Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml: no candidate lists (230b) of contest 6 given (the count's ContestIdentifier)".to_string(),
        ),
        // Another election's lists.
        (
            &count,
            &gr_lists,
            "tally-verify: Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml: the count is of election TK2025; no candidate lists (230b) of that election given (found GR2022_WestMaasenWaal)".to_string(),
        ),
        (
            &missing,
            &haarlem,
            format!("tally-verify: cannot read {}: ", missing.display()),
        ),
        (&broken, &haarlem, "tally-verify: broken.eml.xml: ".to_string()),
    ] {
        let o = verify(&[
            "csv".as_ref(),
            count.as_os_str(),
            "--candidates".as_ref(),
            lists.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ]);
        let err = refused(&o);
        assert!(err.starts_with(&want), "{err}\nwanted: {want}");
        assert!(!out.exists(), "nothing is written on bad input");
    }
}
