//! The Tweede Kamer chain GSB -> HSB -> CSB with a real 510b at the bottom: the TK2025 West
//! Maas en Waal 510b (municipality 0668, kieskring 6 Nijmegen) as published, beside
//! synthetic 510b files of other municipalities made by the project's own tools
//! (`tests/common/election_chain.rs`), the real TK2025 230b of Nijmegen and Haarlem, and the
//! real TK2025 110a with its tree restricted to those two kieskringen and three
//! municipalities each (a synthetic definition: a CSB needs a 510c of every kieskring of the
//! tree, and only two kieskrings' 230b are published). Signed at every level and verified by
//! `tally-verify check --root-key`; a changed vote in the real 510b re-signed by its GSB,
//! and the real 510b signed by a GSB of the other kieskring, are found.
//!
//! The seats are asserted as properties (150 in all; per list equal to the 520 and to what
//! `tally-verify apportion` prints), not as numbers from the code under test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use common::chain::write_medium_as;
use common::election_chain::{AT, ChainSpec, ElectionChain, real};
use tally_signing::ContentKind;

const REAL_510B: &str = "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml";

fn tk2025() -> &'static ElectionChain {
    static C: OnceLock<ElectionChain> = OnceLock::new();
    C.get_or_init(|| {
        ElectionChain::build(&ChainSpec {
            definition: "Verkiezingsdefinitie_TK2025.eml.xml",
            lists: &[],
            real_lists: &[
                (6, "Kandidatenlijsten_TK2025_Nijmegen.eml.xml"),
                (10, "Kandidatenlijsten_TK2025_Haarlem.eml.xml"),
            ],
            lists_from_510b: &[],
            differing_list: None,
            real_510b: &[(REAL_510B, "0668")],
            restrict: Some(&[(6, &[668, 209, 214]), (10, &[358, 362, 375])]),
        })
    })
}

struct Setup {
    _keys: tempfile::TempDir,
    key: PathBuf,
    dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let keys = tempfile::tempdir().unwrap();
    let key = tk2025().write_root_key(keys.path());
    let dir = tempfile::tempdir().unwrap();
    tk2025().write(dir.path());
    Setup {
        _keys: keys,
        key,
        dir,
    }
}

fn run(args: &[&OsStr]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr),
    )
}

impl Setup {
    fn check(&self) -> (i32, String) {
        run(&[
            "check".as_ref(),
            self.dir.path().as_os_str(),
            "--root-key".as_ref(),
            self.key.as_os_str(),
            "--at".as_ref(),
            AT.as_ref(),
            "--require-all".as_ref(),
        ])
    }

    fn path(&self, signer: &str) -> PathBuf {
        self.dir.path().join(tk2025().medium_folder(signer))
    }
}

/// The elected candidates of list `list` in a 520.
fn elected_in_520(text: &str, list: u32) -> usize {
    let Some(start) = text.find(&format!("<AffiliationIdentifier Id=\"{list}\">")) else {
        return 0;
    };
    let end = text[start + 1..]
        .find("<AffiliationIdentifier")
        .map_or(text.len(), |e| start + 1 + e);
    text[start..end].matches("<CandidateIdentifier").count()
}

#[test]
fn the_tk2025_chain_with_the_real_west_maas_en_waal_510b_verifies() {
    let c = tk2025();
    assert_eq!(c.kieskringen, vec![6, 10]);
    assert_eq!(c.municipalities.len(), 6);
    // The real 510b is signed by its GSB as published, byte for byte.
    assert_eq!(
        c.medium("0668").files[0].bytes,
        std::fs::read(real(REAL_510B)).unwrap()
    );
    let s = setup();
    let (code, out) = s.check();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.ends_with("result: everything checked agrees\n"),
        "{out}"
    );
    assert_eq!(
        out.matches("signed medium verified").count(),
        c.media.len(),
        "{out}"
    );
    let folder = c.medium_folder("0668");
    assert!(
        out.contains(&format!(
            "OK {folder}/{REAL_510B}: 510b of 0668: TotalVotes equals the sum of its"
        )),
        "{out}"
    );
    assert!(out.contains("reporting unit HSB6::0668"), "{out}");

    // The seats: 150 in all, per list as `tally-verify apportion` says and as the 520 has.
    let csb = c.medium("CSB");
    let r520 = String::from_utf8(csb.files[1].bytes.clone()).unwrap();
    let (code, ap) = run(&[
        "apportion".as_ref(),
        "--definition".as_ref(),
        s.path("Kiesraad")
            .join(&c.medium("Kiesraad").files[0].name)
            .as_os_str(),
        "--count".as_ref(),
        s.path("CSB").join(&csb.files[0].name).as_os_str(),
    ]);
    assert_eq!(code, 0, "{ap}");
    let mut total = 0;
    for line in ap.lines().filter(|l| l.starts_with("list\t")) {
        let f: Vec<&str> = line.split('\t').collect();
        let (list, seats): (u32, usize) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        assert_eq!(elected_in_520(&r520, list), seats, "list {list}\n{ap}");
        total += seats;
        if seats > 0 {
            assert!(
                out.contains(&format!(
                    ": list {list}: the {seats} elected candidates equal the recomputed ones"
                )),
                "list {list}\n{out}"
            );
        }
    }
    assert_eq!(total, 150, "{ap}");
}

/// Adds 1 to the first `<ValidVotes>` after `anchor` and the candidate `cand` of list 1 that
/// follows it; gives the old number.
fn add_one(text: &mut String, anchor: &str, cand: u32) -> u64 {
    let a = text.find(anchor).unwrap_or_else(|| panic!("{anchor}"));
    let c = a + text[a..]
        .find(&format!("<CandidateIdentifier Id=\"{cand}\">"))
        .unwrap();
    let start = c + text[c..].find("<ValidVotes>").unwrap() + "<ValidVotes>".len();
    let end = start + text[start..].find('<').unwrap();
    let old: u64 = text[start..end].parse().unwrap();
    text.replace_range(start..end, &(old + 1).to_string());
    old
}

#[test]
fn a_changed_vote_in_the_real_510b_re_signed_by_its_gsb_is_found() {
    let c = tk2025();
    let s = setup();
    let mut files = c.medium("0668").files.clone();
    let mut t = String::from_utf8(files[0].bytes.clone()).unwrap();
    // The first polling station's first candidate of list 1.
    let anchor = "<ReportingUnitVotes>";
    add_one(&mut t, anchor, 1);
    files[0].bytes = t.into_bytes();
    write_medium_as(
        c.body("0668"),
        ContentKind::Results510b,
        &files,
        &s.path("0668"),
    );
    let (code, out) = s.check();
    assert_eq!(code, 1, "{out}");
    let folder = c.medium_folder("0668");
    let d: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("DISCREPANCY"))
        .collect();
    assert!(!d.is_empty(), "{out}");
    for l in &d {
        assert!(
            l.starts_with(&format!("DISCREPANCY {folder}/{REAL_510B}: ")),
            "{l}\n{out}"
        );
    }
    assert!(d.iter().any(|l| l.contains("list 1: list total")), "{out}");
}

#[test]
fn the_real_510b_signed_by_a_gsb_of_another_kieskring_is_found() {
    let c = tk2025();
    let s = setup();
    let other = &c
        .municipalities
        .iter()
        .find(|m| m.kieskring == 10)
        .unwrap()
        .code;
    write_medium_as(
        c.body(other),
        ContentKind::Results510b,
        &c.medium("0668").files,
        &s.path("0668"),
    );
    let (code, out) = s.check();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "DISCREPANCY {}/{REAL_510B}: made by 0668 but signed by {other}: a body may sign only its own count",
            c.medium_folder("0668")
        )),
        "{out}"
    );
}

const AA_EN_HUNZE: &str = "Telling_TK2023_gemeente_Aa_en_Hunze.eml.xml";

/// TK2023 with the real Aa en Hunze 510b (municipality 1680, kieskring 3 Assen): the
/// Assen 230b is not published, so it is Utrecht's real 230b renamed to Assen with only the
/// lists on the 510b's ballot (1 to 23: lists 24 to 26 stand in Utrecht, not in Assen);
/// Utrecht's real 230b; the real 110a's tree restricted to Assen and Utrecht with three
/// municipalities each.
#[test]
fn the_tk2023_chain_with_the_real_aa_en_hunze_510b_verifies() {
    let c = ElectionChain::build(&ChainSpec {
        definition: "Verkiezingsdefinitie_TK2023.eml.xml",
        lists: &[],
        real_lists: &[(8, "Kandidatenlijsten_TK2023_Utrecht.eml.xml")],
        lists_from_510b: &[(3, AA_EN_HUNZE, "Kandidatenlijsten_TK2023_Utrecht.eml.xml")],
        differing_list: None,
        real_510b: &[(AA_EN_HUNZE, "1680")],
        restrict: Some(&[(3, &[1680, 106, 109]), (8, &[344, 310, 312])]),
    });
    assert_eq!(c.kieskringen, vec![3, 8]);
    assert_eq!(c.municipalities.len(), 6);
    let c: &'static ElectionChain = Box::leak(Box::new(c));
    let keys = tempfile::tempdir().unwrap();
    let key = c.write_root_key(keys.path());
    let dir = tempfile::tempdir().unwrap();
    c.write(dir.path());
    let (code, out) = run(&[
        "check".as_ref(),
        dir.path().as_os_str(),
        "--root-key".as_ref(),
        key.as_os_str(),
        "--at".as_ref(),
        AT.as_ref(),
        "--require-all".as_ref(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.ends_with("result: everything checked agrees\n"),
        "{out}"
    );
    assert_eq!(
        out.matches("signed medium verified").count(),
        c.media.len(),
        "{out}"
    );
    assert!(out.contains("reporting unit HSB3::1680"), "{out}");
    assert!(
        out.contains(&format!(
            "OK {}/{AA_EN_HUNZE}: 510b of 1680: TotalVotes equals the sum of its",
            c.medium_folder("1680")
        )),
        "{out}"
    );
}
