//! `tally-verify` on a full synthetic chain made by the project's own tools
//! (`tests/common/chain.rs`): clean; with one changed vote in each kind of file, re-signed
//! by the right body (only the arithmetic can find it) and changed without re-signing (the
//! signature check finds it); with forgeries by bodies outside their role; with missing and
//! surplus files. The binary is run as a user would run it.
//!
//! Expected numbers come from the votes the chain typed (`chain::votes`), added up here, and
//! from an apportionment computed here (highest averages with whole numbers), never from
//! the code under test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use common::chain::{
    self, AT, Chain, ELECTION, File, LISTS, MUNICIPALITIES, forge_medium, issue, votes,
    write_medium, write_medium_as,
};
use tally_signing::{ContentKind, Role};

fn chain() -> &'static Chain {
    static CHAIN: OnceLock<Chain> = OnceLock::new();
    CHAIN.get_or_init(Chain::build)
}

const F510B: &str = "Telling_TK2099_gemeente_Stadskanaal.eml.xml";
const M510B: &str = "TK2099_0037_results-510b.tally";
const F510C: &str = "Telling_TK2099_kieskring_Groningen.eml.xml";
const M510C: &str = "TK2099_HSB1_results-510c.tally";
const F510D: &str = "Totaaltelling_TK2099.eml.xml";
const F520: &str = "Resultaat_TK2099.eml.xml";
const MCSB: &str = "TK2099_CSB_results-510d-520.tally";

/// Index of 0037 Stadskanaal in `MUNICIPALITIES`.
const STADSKANAAL: usize = 1;

/// A folder with the whole chain written, and the root key.
struct Setup {
    _keys: tempfile::TempDir,
    key: PathBuf,
    dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let keys = tempfile::tempdir().unwrap();
    let key = chain().write_root_key(keys.path());
    let dir = tempfile::tempdir().unwrap();
    chain().write(dir.path());
    Setup {
        _keys: keys,
        key,
        dir,
    }
}

impl Setup {
    fn check(&self, extra: &[&str]) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
            .arg("check")
            .arg(self.dir.path())
            .arg("--root-key")
            .arg(&self.key)
            .args(["--at", AT])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn path(&self, medium: &str) -> PathBuf {
        self.dir.path().join(medium)
    }

    /// Runs the check and asserts exit status 1 (discrepancies found); the output.
    fn check_discrepant(&self) -> String {
        let (code, out) = self.check(&[]);
        assert_eq!(code, 1, "{out}");
        out
    }

    /// Re-signs `files` as the medium `medium` by `signer`.
    fn resign(&self, medium: &str, signer: &str, kind: ContentKind, files: &[File]) {
        write_medium_as(chain().body(signer), kind, files, &self.path(medium));
    }

    /// Writes `bytes` over `file` in the folder `medium` without signing again.
    fn overwrite(&self, medium: &str, file: &str, bytes: &[u8]) {
        std::fs::write(self.path(medium).join(file), bytes).unwrap();
    }
}

fn discrepancies(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.starts_with("DISCREPANCY"))
        .collect()
}

fn assert_has(out: &str, want: &str) {
    assert!(
        out.lines().any(|l| l == want),
        "missing line\n{want}\nin\n{out}"
    );
}

fn assert_starts(out: &str, want: &str) {
    assert!(
        out.lines().any(|l| l.starts_with(want)),
        "missing line starting with\n{want}\nin\n{out}"
    );
}

fn text(name: &str) -> String {
    String::from_utf8(chain().file(name).to_vec()).unwrap()
}

fn file(name: &str, text: String) -> File {
    File {
        name: name.to_owned(),
        bytes: text.into_bytes(),
    }
}

/// Adds `delta` to the votes of candidate `cand` of list `list` in the first reporting unit
/// (or `TotalVotes`) after `anchor`; gives the old number.
fn change_candidate(text: &mut String, anchor: &str, list: u32, cand: u32, delta: u64) -> u64 {
    let a = text.find(anchor).unwrap_or_else(|| panic!("{anchor}"));
    let l = a + text[a..]
        .find(&format!("<AffiliationIdentifier Id=\"{list}\">"))
        .unwrap();
    let c = l + text[l..]
        .find(&format!("<CandidateIdentifier Id=\"{cand}\"/>"))
        .unwrap();
    let start = c + text[c..].find("<ValidVotes>").unwrap() + "<ValidVotes>".len();
    let end = start + text[start..].find('<').unwrap();
    let old: u64 = text[start..end].parse().unwrap();
    text.replace_range(start..end, &(old + delta).to_string());
    old
}

/// Votes of candidate `c` of list `l` in municipality `m`, added up over its stations.
fn municipal_votes(m: usize, l: u32, c: u32) -> u64 {
    (1..=MUNICIPALITIES[m].2).map(|s| votes(m, s, l, c)).sum()
}

/// Votes of a list over every station of the election.
fn list_votes(l: u32) -> u64 {
    MUNICIPALITIES
        .iter()
        .enumerate()
        .flat_map(|(m, (_, _, n))| (1..=*n).map(move |s| chain::list_total(m, s, l)))
        .sum()
}

/// The seats per list, computed here: full seats by the quota, the rest by highest
/// averages among lists that reached the quota (Tweede Kamer, P 6 and P 7), in whole
/// numbers (a/b > c/d as a*d > c*b). Ties do not occur in this election (asserted).
fn seats_here() -> Vec<(u32, u64)> {
    let total: u64 = LISTS.iter().map(|(l, _)| list_votes(*l)).sum();
    let seats = 150u64;
    // full = floor(v / (total / seats)) = floor(v * seats / total)
    let mut out: Vec<(u32, u64, u64)> = LISTS
        .iter()
        .map(|(l, _)| {
            let v = list_votes(*l);
            (*l, v, v * seats / total)
        })
        .collect();
    let mut left = seats - out.iter().map(|x| x.2).sum::<u64>();
    while left > 0 {
        let mut best: Option<usize> = None;
        for (i, (_, v, s)) in out.iter().enumerate() {
            if *s == 0 {
                continue;
            }
            match best {
                None => best = Some(i),
                Some(b) => {
                    let (_, bv, bs) = out[b];
                    assert_ne!(v * (bs + 1), bv * (s + 1), "a tie");
                    if v * (bs + 1) > bv * (s + 1) {
                        best = Some(i);
                    }
                }
            }
        }
        out[best.unwrap()].2 += 1;
        left -= 1;
    }
    out.into_iter().map(|(l, _, s)| (l, s)).collect()
}

/// The elected candidates' positions of list `list` in the 520 text, in file order.
fn elected_in_520(text: &str, list: u32) -> Vec<u32> {
    let start = text
        .find(&format!("<AffiliationIdentifier Id=\"{list}\">"))
        .unwrap();
    let end = text[start + 1..]
        .find("<AffiliationIdentifier")
        .map_or(text.len(), |e| start + 1 + e);
    text[start..end]
        .split("<CandidateIdentifier Id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[test]
fn the_clean_chain_verifies() {
    let s = setup();
    let (code, out) = s.check(&["--require-all"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("signatures: checked"), "{out}");
    // Ten media: the definition, six 510b, two 510c, the 510d with the 520.
    assert_eq!(out.matches("signed medium verified").count(), 10, "{out}");
    assert_eq!(out.matches(": reporting unit HSB").count(), 8, "{out}");
    assert!(!out.contains("NOTE"), "{out}");
    // A complete, consistent folder: everything checked (the names of the 150 elected
    // candidates against both 230b included), exit 0 and the agrees line.
    assert!(!out.contains("UNCHECKED"), "{out}");
    assert!(
        out.ends_with("result: everything checked agrees\n"),
        "{out}"
    );
    let (code, plain) = s.check(&[]);
    assert_eq!(code, 0, "{plain}");
    assert!(
        plain.ends_with("result: everything checked agrees\n"),
        "{plain}"
    );
    // The chain's own tools, checked independently: the 520's seats equal the seats computed
    // here from the typed votes; the 510d's total for Rutte equals the typed votes.
    let r = text(F520);
    for (l, seats) in seats_here() {
        assert_eq!(elected_in_520(&r, l).len() as u64, seats, "list {l}");
        assert_has(
            &out,
            &format!(
                "OK {MCSB}/{F520}: list {l}: the {seats} elected candidates equal the recomputed ones"
            ),
        );
    }
    let mut d = text(F510D);
    let rutte = change_candidate(&mut d, "<TotalVotes>", 1, 1, 0);
    let typed: u64 = (0..MUNICIPALITIES.len())
        .map(|m| municipal_votes(m, 1, 1))
        .sum();
    assert_eq!(rutte, typed);
    // Candidate 40 of list 1 is elected on preference votes, out of list order.
    assert!(elected_in_520(&r, 1).contains(&40));
}

/// One vote changed in a polling station of a 510b.
fn station_changed() -> (String, u64, u64) {
    let mut t = text(F510B);
    let old = change_candidate(&mut t, "<ReportingUnitIdentifier Id=\"0037::SB2\"", 2, 1, 1);
    assert_eq!(old, votes(STADSKANAAL, 2, 2, 1));
    (t, old, chain::list_total(STADSKANAAL, 2, 2))
}

#[test]
fn a_changed_station_vote_re_signed_by_its_gsb_is_pinpointed() {
    let s = setup();
    let (t, _, list_total) = station_changed();
    s.resign(M510B, "0037", ContentKind::Results510b, &[file(F510B, t)]);
    let out = s.check_discrepant();
    let total = municipal_votes(STADSKANAAL, 2, 1);
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510B}/{F510B}: reporting unit 0037::SB2, list 2: list total {list_total} != sum of candidates {}",
            list_total + 1
        ),
    );
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510B}/{F510B}: TotalVotes list 2, candidate 1: {total} != sum of reporting units {}",
            total + 1
        ),
    );
    assert_eq!(discrepancies(&out).len(), 2, "{out}");
}

#[test]
fn a_changed_510b_total_re_signed_by_its_gsb_is_pinpointed() {
    let s = setup();
    let mut t = text(F510B);
    let old = change_candidate(&mut t, "<TotalVotes>", 2, 1, 1);
    let total = municipal_votes(STADSKANAAL, 2, 1);
    assert_eq!(old, total);
    s.resign(M510B, "0037", ContentKind::Results510b, &[file(F510B, t)]);
    let out = s.check_discrepant();
    // In the 510b: the total against its stations.
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510B}/{F510B}: TotalVotes list 2, candidate 1: {} != sum of reporting units {total}",
            total + 1
        ),
    );
    // In the 510c: the municipality's unit against the 510b's total.
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510C}/{F510C}: reporting unit HSB1::0037, list 2, candidate 1: expected {}, found {total} (expected = {M510B}/{F510B})",
            total + 1
        ),
    );
    for d in discrepancies(&out) {
        assert!(
            d.contains("list 2") && (d.contains(F510B) || d.contains("HSB1::0037")),
            "{d}\n{out}"
        );
    }
}

#[test]
fn a_changed_510c_re_signed_by_its_hsb_is_pinpointed() {
    let s = setup();
    let mut t = text(F510C);
    let old = change_candidate(
        &mut t,
        "<ReportingUnitIdentifier Id=\"HSB1::0037\"",
        2,
        1,
        1,
    );
    let total = municipal_votes(STADSKANAAL, 2, 1);
    assert_eq!(old, total);
    s.resign(M510C, "HSB1", ContentKind::Results510c, &[file(F510C, t)]);
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510C}/{F510C}: reporting unit HSB1::0037, list 2, candidate 1: expected {total}, found {} (expected = {M510B}/{F510B})",
            total + 1
        ),
    );
    let list = (1..=MUNICIPALITIES[STADSKANAAL].2)
        .map(|st| chain::list_total(STADSKANAAL, st, 2))
        .sum::<u64>();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510C}/{F510C}: reporting unit HSB1::0037, list 2: list total {list} != sum of candidates {}",
            list + 1
        ),
    );
    let k1: u64 = (0..3).map(|m| municipal_votes(m, 2, 1)).sum();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510C}/{F510C}: TotalVotes list 2, candidate 1: {k1} != sum of reporting units {}",
            k1 + 1
        ),
    );
    assert_eq!(discrepancies(&out).len(), 3, "{out}");
}

#[test]
fn a_changed_510d_re_signed_by_the_csb_is_pinpointed() {
    let s = setup();
    let mut t = text(F510D);
    let old = change_candidate(&mut t, "<ReportingUnitIdentifier Id=\"HSB2\"", 3, 1, 1);
    let k2: u64 = (3..6).map(|m| municipal_votes(m, 3, 1)).sum();
    assert_eq!(old, k2);
    let r = chain().medium("CSB").files[1].clone();
    s.resign(
        MCSB,
        "CSB",
        ContentKind::Results510d520,
        &[file(F510D, t), r],
    );
    let out = s.check_discrepant();
    let m510c2 = "TK2099_HSB2_results-510c.tally/Telling_TK2099_kieskring_Leeuwarden.eml.xml";
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F510D}: reporting unit HSB2, list 3, candidate 1: expected {k2}, found {} (expected = {m510c2})",
            k2 + 1
        ),
    );
    let national: u64 = (0..6).map(|m| municipal_votes(m, 3, 1)).sum();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F510D}: TotalVotes list 3, candidate 1: {national} != sum of reporting units {}",
            national + 1
        ),
    );
    assert!(
        out.contains(&format!(
            "DISCREPANCY {MCSB}/{F510D}: reporting unit HSB2, list 3: list total"
        )),
        "{out}"
    );
    assert_eq!(discrepancies(&out).len(), 3, "{out}");
}

#[test]
fn a_changed_510c_or_510d_total_re_signed_is_pinpointed() {
    // The 510c's TotalVotes (HSB1): against its own units, and the 510d's unit HSB1 against it.
    let s = setup();
    let mut t = text(F510C);
    let k1: u64 = (0..3).map(|m| municipal_votes(m, 4, 1)).sum();
    assert_eq!(change_candidate(&mut t, "<TotalVotes>", 4, 1, 1), k1);
    s.resign(M510C, "HSB1", ContentKind::Results510c, &[file(F510C, t)]);
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510C}/{F510C}: TotalVotes list 4, candidate 1: {} != sum of reporting units {k1}",
            k1 + 1
        ),
    );
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F510D}: reporting unit HSB1, list 4, candidate 1: expected {}, found {k1} (expected = {M510C}/{F510C})",
            k1 + 1
        ),
    );

    // The 510d's national total: against its units; and the 520's votes for the candidate
    // (written from the true total) no longer equal the total.
    let s = setup();
    let mut t = text(F510D);
    let national: u64 = (0..6).map(|m| municipal_votes(m, 4, 1)).sum();
    assert_eq!(change_candidate(&mut t, "<TotalVotes>", 4, 1, 1), national);
    let r = chain().medium("CSB").files[1].clone();
    s.resign(
        MCSB,
        "CSB",
        ContentKind::Results510d520,
        &[file(F510D, t), r],
    );
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F510D}: TotalVotes list 4, candidate 1: {} != sum of reporting units {national}",
            national + 1
        ),
    );
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F520}: list 4, candidate 1: the result gives {national} votes, the count {} (expected = {MCSB}/{F510D})",
            national + 1
        ),
    );
}

#[test]
fn without_a_root_key_the_chain_is_checked_for_arithmetic_only() {
    let s = setup();
    let out = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .arg("check")
        .arg(s.dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.starts_with(
            "signatures: NOT checked (no --root-key given); only arithmetic and seats were checked\n"
        ),
        "{text}"
    );
    assert!(!text.contains("signed medium verified"), "{text}");
    assert_eq!(text.matches(": reporting unit HSB").count(), 8, "{text}");
    // Unsigned, a forgery by the wrong body is not seen: only the arithmetic is checked.
    let b510 = chain().medium("0037").files.clone();
    s.resign(M510B, "0014", ContentKind::Results510b, &b510);
    let out = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .arg("check")
        .arg(s.dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// The 520 with the last elected candidate of list 5 removed: one seat less.
fn result_seat_removed() -> (String, u32, u64) {
    let t = text(F520);
    let elected = elected_in_520(&t, 5);
    let last = *elected.last().unwrap();
    let at = t.find("<AffiliationIdentifier Id=\"5\">").unwrap();
    let c = at
        + t[at..]
            .find(&format!("<CandidateIdentifier Id=\"{last}\"/>"))
            .unwrap();
    let sel_start = t[..c].rfind("<Selection>").unwrap();
    let sel_end = c + t[c..].find("</Selection>").unwrap() + "</Selection>".len();
    let mut out = t.clone();
    out.replace_range(sel_start..sel_end, "");
    (out, last, elected.len() as u64)
}

#[test]
fn a_changed_520_re_signed_by_the_csb_is_found() {
    let seats = seats_here();
    let list5 = seats.iter().find(|(l, _)| *l == 5).unwrap().1;
    let d = chain().medium("CSB").files[0].clone();

    // One seat less for list 5.
    let s = setup();
    let (t, last, published) = result_seat_removed();
    assert_eq!(published, list5);
    s.resign(
        MCSB,
        "CSB",
        ContentKind::Results510d520,
        &[d.clone(), file(F520, t)],
    );
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F520}: list 5: recomputed {list5} seats, the result gives {}",
            list5 - 1
        ),
    );
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F520}: list 5, candidate {last}: recomputed as elected (list order (Ranking 2)), not elected in the result"
        ),
    );
    assert_eq!(discrepancies(&out).len(), 2, "{out}");

    // Another candidate elected in place of the last one of list 5.
    let s = setup();
    let mut t = text(F520);
    let at = t.find("<AffiliationIdentifier Id=\"5\">").unwrap();
    let from = format!("<CandidateIdentifier Id=\"{last}\"/>");
    let c = at + t[at..].find(&from).unwrap();
    let other = last + 1;
    assert!(!elected_in_520(&t, 5).contains(&other));
    t.replace_range(
        c..c + from.len(),
        &format!("<CandidateIdentifier Id=\"{other}\"/>"),
    );
    s.resign(
        MCSB,
        "CSB",
        ContentKind::Results510d520,
        &[d, file(F520, t)],
    );
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F520}: list 5, candidate {last}: recomputed as elected (list order (Ranking 2)), not elected in the result"
        ),
    );
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F520}: list 5, candidate {other}: elected in the result, not recomputed as elected"
        ),
    );
    // The result still gives the name of candidate {last} under the Id {other}: the name
    // is not that of candidate {other} in the candidate lists.
    let name_line =
        format!("DISCREPANCY {MCSB}/{F520}: list 5, candidate {other}: the result names ");
    assert!(
        out.lines().filter(|l| l.starts_with(&name_line)).count() == 1,
        "{out}"
    );
    assert_eq!(discrepancies(&out).len(), 3, "{out}");
}

#[test]
fn a_changed_vote_in_the_520_re_signed_by_the_csb_is_pinpointed() {
    let s = setup();
    let mut t = text(F520);
    let at = t.find("<AffiliationIdentifier Id=\"1\">").unwrap();
    let c = at + t[at..].find("<CandidateIdentifier Id=\"1\"/>").unwrap();
    let start = c + t[c..].find("<Votes>").unwrap() + "<Votes>".len();
    let end = start + t[start..].find('<').unwrap();
    let given: u64 = t[start..end].parse().unwrap();
    let typed: u64 = (0..MUNICIPALITIES.len())
        .map(|m| municipal_votes(m, 1, 1))
        .sum();
    assert_eq!(given, typed);
    t.replace_range(start..end, &(typed + 1).to_string());
    let d = chain().medium("CSB").files[0].clone();
    s.resign(
        MCSB,
        "CSB",
        ContentKind::Results510d520,
        &[d, file(F520, t)],
    );
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {MCSB}/{F520}: list 1, candidate 1: the result gives {} votes, the count {typed} (expected = {MCSB}/{F510D})",
            typed + 1
        ),
    );
    assert_eq!(discrepancies(&out).len(), 1, "{out}");
}

#[test]
fn a_change_without_signing_again_is_found_by_the_signature_check() {
    let mut d = text(F510D);
    change_candidate(&mut d, "<ReportingUnitIdentifier Id=\"HSB2\"", 3, 1, 1);
    let mut c = text(F510C);
    change_candidate(
        &mut c,
        "<ReportingUnitIdentifier Id=\"HSB1::0037\"",
        2,
        1,
        1,
    );
    let mut b = text(F510B);
    change_candidate(&mut b, "<TotalVotes>", 2, 1, 1);
    let cases = [
        (M510B, F510B, station_changed().0),
        (M510B, F510B, b),
        (M510C, F510C, c),
        (MCSB, F510D, d),
        (MCSB, F520, result_seat_removed().0),
    ];
    for (medium, name, changed) in cases {
        let s = setup();
        s.overwrite(medium, name, changed.as_bytes());
        let out = s.check_discrepant();
        // "has been altered: its SHA-256 ..." or, when the length changed, "has the wrong
        // size: ...": either way the file is named.
        let want = format!("DISCREPANCY {medium}: signed medium refused: `{name}` has ");
        assert!(out.lines().any(|l| l.starts_with(&want)), "{want}\n{out}");
        assert_eq!(discrepancies(&out).len(), 1, "{out}");
        // Its files are not used: the level above says what it could not recompute.
        assert!(!out.contains(&format!("OK {medium}/")), "{out}");
    }
}

#[test]
fn forgeries_by_bodies_outside_their_role_are_found() {
    let c510 = chain().medium("HSB1").files.clone();
    let b510 = chain().medium("0037").files.clone();

    // A GSB signs a 510c as a 510c medium: its role may not.
    let s = setup();
    std::fs::remove_dir_all(s.path(M510C)).unwrap();
    forge_medium(
        chain().body("0014"),
        ContentKind::Results510b,
        ContentKind::Results510c,
        &c510,
        &s.path("TK2099_0014_results-510c.tally"),
    );
    let out = s.check_discrepant();
    assert_starts(
        &out,
        "DISCREPANCY TK2099_0014_results-510c.tally: signed medium refused: a GSB may not sign kieskring results (510c); only the HSB may",
    );
    // Its 510c is not used; nothing else is wrong.
    assert_eq!(discrepancies(&out).len(), 1, "{out}");

    // A GSB puts the 510c in a medium of its own kind.
    let s = setup();
    std::fs::remove_dir_all(s.path(M510C)).unwrap();
    s.resign("forged.tally", "0014", ContentKind::Results510b, &c510);
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY forged.tally/{F510C}: a 510c in a medium of kind results-510b: the signer's role may not send it"
        ),
    );

    // HSB2 signs kieskring 1's 510c (with one vote changed).
    let s = setup();
    let mut t = text(F510C);
    change_candidate(
        &mut t,
        "<ReportingUnitIdentifier Id=\"HSB1::0037\"",
        2,
        1,
        1,
    );
    s.resign(M510C, "HSB2", ContentKind::Results510c, &[file(F510C, t)]);
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510C}/{F510C}: made by HSB1 but signed by HSB2: a body may sign only its own count"
        ),
    );

    // The 510b of 0037 signed by the GSB of 0014.
    let s = setup();
    s.resign(M510B, "0014", ContentKind::Results510b, &b510);
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510B}/{F510B}: made by 0037 but signed by 0014: a body may sign only its own count"
        ),
    );

    // An HSB signs the 510d and the 520.
    let s = setup();
    let csb = chain().medium("CSB").files.clone();
    std::fs::remove_dir_all(s.path(MCSB)).unwrap();
    forge_medium(
        chain().body("HSB1"),
        ContentKind::Results510c,
        ContentKind::Results510d520,
        &csb,
        &s.path(MCSB),
    );
    let out = s.check_discrepant();
    assert_starts(
        &out,
        &format!("DISCREPANCY {MCSB}: signed medium refused: a HSB may not sign "),
    );

    // The CSB signs an election definition (a changed 110a would decide the seats).
    let s = setup();
    let def_medium = "TK2099_Kiesraad_election-definition.tally";
    std::fs::remove_dir_all(s.path(def_medium)).unwrap();
    let def = chain().medium("Kiesraad").files.clone();
    forge_medium(
        chain().body("CSB"),
        ContentKind::Results510d520,
        ContentKind::ElectionDefinition,
        &def,
        &s.path(def_medium),
    );
    let out = s.check_discrepant();
    assert_starts(
        &out,
        &format!("DISCREPANCY {def_medium}: signed medium refused: a CSB may not sign "),
    );
    assert_has(
        &out,
        "DISCREPANCY -: no election definition (110a) in the folder: seats cannot be checked",
    );

    // The right GSB, but with a certificate of another election.
    let s = setup();
    let other = issue(&chain().root, Role::Gsb, "0037", "TK2098");
    write_medium_as(&other, ContentKind::Results510b, &b510, &s.path(M510B));
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {M510B}/{F510B}: a file of election TK2099 in a medium signed for election TK2098: a certificate is valid for one election only; not used"
        ),
    );
}

#[test]
fn missing_and_surplus_files_are_reported() {
    // A municipality's 510b missing: a note, a discrepancy with --require-all.
    let s = setup();
    std::fs::remove_dir_all(s.path("TK2099_0088_results-510b.tally")).unwrap();
    let want = "reporting unit HSB2::0088: the 510b of 0088 is not in the folder; not recomputed";
    let (code, out) = s.check(&[]);
    assert_eq!(code, 0, "{out}");
    assert_has(
        &out,
        &format!(
            "NOTE TK2099_HSB2_results-510c.tally/Telling_TK2099_kieskring_Leeuwarden.eml.xml: {want}"
        ),
    );
    let (code, out) = s.check(&["--require-all"]);
    assert_eq!(code, 1, "{out}");
    assert_has(
        &out,
        &format!(
            "DISCREPANCY TK2099_HSB2_results-510c.tally/Telling_TK2099_kieskring_Leeuwarden.eml.xml: {want}"
        ),
    );
    assert_eq!(discrepancies(&out).len(), 1, "{out}");

    // A kieskring's 510c missing: the 510d's unit is not recomputed (a note, a discrepancy
    // with --require-all); the 510b files of that kieskring are not called surplus.
    let s = setup();
    std::fs::remove_dir_all(s.path(M510C)).unwrap();
    let want = "reporting unit HSB1: the 510c of HSB1 is not in the folder; not recomputed";
    let (code, out) = s.check(&[]);
    assert_eq!(code, 0, "{out}");
    assert_has(&out, &format!("NOTE {MCSB}/{F510D}: {want}"));
    assert!(!out.contains("surplus"), "{out}");
    let (code, out) = s.check(&["--require-all"]);
    assert_eq!(code, 1, "{out}");
    assert_has(&out, &format!("DISCREPANCY {MCSB}/{F510D}: {want}"));
    assert_eq!(discrepancies(&out).len(), 1, "{out}");

    // The result missing.
    let s = setup();
    let d = chain().medium("CSB").files[0].clone();
    s.resign(MCSB, "CSB", ContentKind::Results510d520, &[d]);
    let (_, out) = s.check(&["--require-all"]);
    assert_has(
        &out,
        "DISCREPANCY -: no result (520) in the folder: seats recomputed but not compared",
    );

    // The definition missing: nothing can be checked against the tree and the seats.
    let s = setup();
    std::fs::remove_dir_all(s.path("TK2099_Kiesraad_election-definition.tally")).unwrap();
    let out = s.check_discrepant();
    assert_has(
        &out,
        "DISCREPANCY -: no election definition (110a) in the folder: seats cannot be checked",
    );

    // A second 510b of 0037 (another version, also signed by its GSB).
    let s = setup();
    let (t, _, _) = station_changed();
    s.resign(
        "TK2099_0037_results-510b_v2.tally",
        "0037",
        ContentKind::Results510b,
        &[file(F510B, t)],
    );
    let out = s.check_discrepant();
    assert_has(
        &out,
        &format!(
            "DISCREPANCY TK2099_0037_results-510b_v2.tally/{F510B}: a second 510b of 0037 (the first is {M510B}/{F510B}): surplus file"
        ),
    );

    // A 510b of a municipality that is in no 510c (0059 Achtkarspelen, not in this tree),
    // signed by its own GSB.
    let s = setup();
    // (The tree check, not the 510c: the 510b of a municipality outside the tree.)
    let t = text("Telling_TK2099_gemeente_Veendam.eml.xml")
        .replace("Id=\"0047", "Id=\"0059")
        .replace(">Veendam<", ">Achtkarspelen<");
    let gsb = issue(&chain().root, Role::Gsb, "0059", "TK2099");
    write_medium(
        &gsb,
        ContentKind::Results510b,
        &[file("Telling_TK2099_gemeente_Achtkarspelen.eml.xml", t)],
        s.dir.path(),
    );
    let out = s.check_discrepant();
    assert_has(
        &out,
        "DISCREPANCY TK2099_0059_results-510b.tally/Telling_TK2099_gemeente_Achtkarspelen.eml.xml: municipality 0059 is not in the election tree: surplus file",
    );
    assert_eq!(discrepancies(&out).len(), 1, "{out}");

    // A file that is no EML, and a plain EML file beside the media.
    let s = setup();
    std::fs::write(s.dir.path().join("notes.txt"), "hello").unwrap();
    std::fs::write(s.dir.path().join(F510B), chain().file(F510B)).unwrap();
    let out = s.check_discrepant();
    assert_has(&out, "UNCHECKED notes.txt: not an EML file; ignored");
    assert!(
        out.ends_with("result: 1 discrepancies; not checked: the files notes.txt\n"),
        "{out}"
    );
    assert_has(
        &out,
        &format!(
            "DISCREPANCY {F510B}: not in a signed medium: its origin cannot be verified, so it is not used"
        ),
    );
}

/// Every file of the chain, the fixtures included, is valid against the EML_NL 1.2.2
/// schemas (`xmllint`, Debian package libxml2-utils).
#[test]
fn every_file_of_the_chain_is_schema_valid() {
    let xsd =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/xsd/EML_NL-v1.2.2");
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0;
    for m in &chain().media {
        for f in &m.files {
            let schema = match &f.name {
                x if x.starts_with("Verkiezingsdefinitie") => {
                    "110a-electionevent-kiesraad-strict.xsd"
                }
                x if x.starts_with("Kandidatenlijsten") => "230-candidatelist-kiesraad-strict.xsd",
                x if x.starts_with("Resultaat") => "520-result-kiesraad-strict.xsd",
                _ => "510-count-kiesraad-strict.xsd",
            };
            let path = dir.path().join(&f.name);
            std::fs::write(&path, &f.bytes).unwrap();
            let out = Command::new("xmllint")
                .args(["--noout", "--schema"])
                .arg(xsd.join(schema))
                .arg(&path)
                .output()
                .expect("xmllint (libxml2-utils) must be installed");
            assert!(
                out.status.success(),
                "{}: {}",
                f.name,
                String::from_utf8_lossy(&out.stderr)
            );
            n += 1;
        }
    }
    // 110a, two 230b, six 510b, two 510c, the 510d and the 520.
    assert_eq!(n, 13);
}

/// The appliance's exports carry the printed report (a PDF) inside the signed medium, beside
/// the EML: it is covered by the signature, noted, and does not disturb the arithmetic.
#[test]
fn a_printed_report_in_a_signed_medium_is_noted_not_a_discrepancy() {
    let s = setup();
    let pdf = File {
        name: "Model_Na31-2_TK2099_Stadskanaal.pdf".to_owned(),
        bytes: b"%PDF-1.7\n%stand-in bytes: only the signature covers them\n".to_vec(),
    };
    s.resign(
        M510B,
        "0037",
        ContentKind::Results510b,
        &[file(F510B, text(F510B)), pdf],
    );
    let (code, out) = s.check(&["--require-all"]);
    assert_eq!(code, 0, "{out}");
    assert_has(
        &out,
        &format!(
            "NOTE {M510B}/Model_Na31-2_TK2099_Stadskanaal.pdf: signed, not an EML file (a printed report?); not recomputed"
        ),
    );
    // Changing the PDF after signing is found by the signature check.
    s.overwrite(
        M510B,
        "Model_Na31-2_TK2099_Stadskanaal.pdf",
        b"%PDF-1.7\nforged\n",
    );
    let out = s.check_discrepant();
    assert_starts(&out, &format!("DISCREPANCY {M510B}: signed medium refused"));
}

/// The media of parallel entry (an entry appliance's batch, the coordinator's assignment and
/// progress overview) pass between the appliances of one body and hold no count: a folder
/// holding them beside the chain names each for what it is, checks its signature, and still
/// agrees; a batch changed after signing is refused by the signature.
#[test]
fn media_of_parallel_entry_are_named_and_not_taken_for_counts() {
    let s = setup();
    let entry = issue(&chain().root, Role::GsbEntry, "0037-E1", ELECTION);
    let batch = File {
        name: "entry-batch.json".to_owned(),
        bytes: br#"{"format":"tally-entry-batch v1"}"#.to_vec(),
    };
    let batch_dir = write_medium(&entry, ContentKind::EntryBatch, &[batch], s.dir.path());
    let assignment = File {
        name: "entry-assignment.json".to_owned(),
        bytes: br#"{"format":"tally-entry-assignment v1"}"#.to_vec(),
    };
    write_medium(
        chain().body("0037"),
        ContentKind::EntryAssignment,
        &[assignment],
        s.dir.path(),
    );
    let (code, out) = s.check(&["--require-all"]);
    assert_eq!(code, 0, "{out}");
    let folder = batch_dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_has(
        &out,
        &format!(
            "NOTE {folder}/entry-batch.json: signed, an entry batch of parallel entry (the entries one entry appliance typed, for its body's coordinating appliance); holds no count, not recomputed"
        ),
    );
    assert!(
        out.contains("entry-assignment.json: signed, an entry assignment of parallel entry"),
        "{out}"
    );
    assert!(!out.contains("not an EML file"), "{out}");
    std::fs::write(batch_dir.join("entry-batch.json"), b"{}").unwrap();
    let out = s.check_discrepant();
    assert!(
        out.contains(&format!("DISCREPANCY {folder}: signed medium refused")),
        "{out}"
    );
}

/// An export folder given directly (the `*.tally` folder itself, as an official finds it on
/// a stick) is checked as the one medium (it exited 1 with "not in a signed medium"). A GSB's
/// export alone, a 510b without the definition, is checked as far as it goes (signature,
/// sums), with no discrepancy for the missing 110a, and says what it did not check: exit
/// status 3, not 0.
#[test]
fn a_lone_gsb_export_given_directly_is_checked_as_far_as_it_goes() {
    let s = setup();
    let out = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .arg("check")
        .arg(s.path(M510B))
        .arg("--root-key")
        .arg(&s.key)
        .args(["--at", AT])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains(&format!("OK {M510B}: signed medium verified")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "OK {M510B}/{F510B}: 510b of 0037: TotalVotes equals the sum of its"
        )),
        "{text}"
    );
    assert!(!text.contains("not in a signed medium"), "{text}");
    assert!(!text.contains("DISCREPANCY"), "{text}");
    assert_has(
        &text,
        "UNCHECKED -: no election definition (110a) in the folder: the counts are checked for their sums and signatures only; not checked: that they are of a defined election, its election tree, and the seats",
    );
    assert!(
        text.ends_with(
            "result: nothing found wrong, but NOT everything could be checked: without an election definition (110a): the counts' election, tree and seats\n"
        ),
        "{text}"
    );
    assert!(!text.contains("everything checked agrees"), "{text}");
}

/// A document of `kind` with 65 536 levels of elements (the root counts), properly closed:
/// quick-xml's 16-bit nesting counter overflowed on it (a panic) before core's input guard
/// refused nesting deeper than 64.
fn deeply_nested(kind: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EML xmlns=\"urn:oasis:names:tc:evs:schema:eml\" Id=\"{kind}\">{}{}</EML>",
        "<a>".repeat(65_535),
        "</a>".repeat(65_535)
    )
}

/// A 65 536-deep 510b, signed by its own GSB: the signature holds, the file is refused as
/// not usable EML (a discrepancy naming it, exit status 1), and the check goes on; no panic.
#[test]
fn a_deeply_nested_file_in_a_signed_medium_is_a_discrepancy() {
    let s = setup();
    s.resign(
        M510B,
        "0037",
        ContentKind::Results510b,
        &[file(F510B, deeply_nested("510b"))],
    );
    let (code, out) = s.check(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("panicked"), "{out}");
    assert_starts(
        &out,
        &format!(
            "DISCREPANCY {M510B}/{F510B}: not usable EML: nesting deeper than 64 elements (at byte "
        ),
    );
    assert!(
        out.ends_with(" discrepancies\n") || out.ends_with(" discrepancy\n"),
        "{out}"
    );
}
