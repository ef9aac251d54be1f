//! `tally-verify` on the real Tweede Kamer 2021 files (unsigned, as the Kiesraad publishes
//! them), on a copy with one changed vote, on signed media made with the signing crate, and
//! the `apportion` subcommand. The binary is run as a user would run it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tally_signing::{
    Certificate, CertificateFields, ContentKind, MediumFile, Role, SecretKey, SignedMedium,
    Timestamp, sign_medium,
};

const FILES: [&str; 5] = [
    "Verkiezingsdefinitie_TK2021.eml.xml",
    "Kandidatenlijsten_TK2021_Groningen.eml.xml",
    "Telling_TK2021_kieskring_Groningen.eml.xml",
    "Totaaltelling_TK2021.eml.xml",
    "Resultaat_TK2021.eml.xml",
];

fn real(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eml/real")
        .join(name)
}

fn copy_all(dir: &Path) {
    for f in FILES {
        std::fs::copy(real(f), dir.join(f)).unwrap();
    }
}

fn run(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_tally-verify"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (
        out.status.code().unwrap_or(-1),
        stdout + &String::from_utf8_lossy(&out.stderr),
    )
}

fn check(dir: &Path, extra: &[&str]) -> (i32, String) {
    let mut args: Vec<&std::ffi::OsStr> = vec!["check".as_ref(), dir.as_os_str()];
    args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
    run(&args)
}

/// The last line when everything was checked and agrees.
const AGREES: &str = "result: everything checked agrees\n";

/// Everything is checked and agrees: the seats of all 37 lists and all 150 elected
/// candidates, those of the five lists elected across kieskringen (P 12 - P 18: CDA, D66,
/// SP, PvdA as list groups, BBB not submitted in kieskring 20) included. Until December
/// 2026 those five were UNCHECKED (exit 3), because the core could not elect them.
#[test]
fn real_unsigned_files_agree_where_checked_and_say_what_not() {
    let dir = tempfile::tempdir().unwrap();
    copy_all(dir.path());
    let (code, out) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("signatures: NOT checked"), "{out}");
    assert!(out.contains("OK Telling_TK2021_kieskring_Groningen.eml.xml: 510c of HSB1: TotalVotes equals the sum of its 10 reporting units"));
    assert!(out.contains("OK Totaaltelling_TK2021.eml.xml: 510d of CSB: TotalVotes equals the sum of its 20 reporting units"));
    // Where the 510c and the 510d overlap (unit HSB1) they agree, except that the 510d
    // leaves out C (valid voter cards), which the 510c gives: reported as a note.
    assert!(out.contains("NOTE Totaaltelling_TK2021.eml.xml: reporting unit HSB1, C geldige kiezerspassen: Telling_TK2021_kieskring_Groningen.eml.xml gives 1152, this file gives nothing"), "{out}");
    assert!(!out.contains("DISCREPANCY"), "{out}");
    assert!(out.contains(
        "OK Resultaat_TK2021.eml.xml: the seats of all 37 lists equal the recomputed seats"
    ));
    assert!(out.contains("quota 69485 17/25"));
    assert_eq!(
        out.matches("elected candidates equal the recomputed ones")
            .count(),
        17
    );
    for (list, seats, lists, kieskringen) in [
        (3, 15, "20 lists", 20),
        (4, 24, "20 lists", 20),
        (6, 9, "5 lists", 20),
        (7, 9, "20 lists", 20),
        (23, 1, "1 list", 19),
    ] {
        let line = format!(
            "OK Resultaat_TK2021.eml.xml: list {list}: the {seats} elected candidates equal the recomputed ones (elected across kieskringen, P 12 - P 18: {lists} of {kieskringen} kieskringen)"
        );
        assert!(out.contains(&line), "{line}\n{out}");
    }
    assert!(!out.contains("UNCHECKED"), "{out}");
    // The names of all 150 elected candidates, those of the P 18 lists included, equal
    // the Groningen 230b's (every one of them stands in kieskring Groningen).
    assert!(!out.contains("names of"), "{out}");
    // The 510b files are not published: noted, not a discrepancy.
    assert!(out.contains("reporting unit HSB1::0014: the 510b of 0014 is not in the folder"));
    assert!(out.ends_with(AGREES), "{out}");
    // --require-all turns missing files into discrepancies.
    let (code, out) = check(dir.path(), &["--require-all"]);
    assert_eq!(code, 1, "{out}");
}

/// The byte range of the number in the first `<ValidVotes>` of the first candidate after
/// `anchor`.
fn first_candidate_votes(text: &str, anchor: &str) -> (usize, usize, u64) {
    let unit = text.find(anchor).unwrap();
    let cand = unit + text[unit..].find("<Candidate>").unwrap();
    let start = cand + text[cand..].find("<ValidVotes>").unwrap() + "<ValidVotes>".len();
    let end = start + text[start..].find('<').unwrap();
    (start, end, text[start..end].parse().unwrap())
}

#[test]
fn one_changed_vote_is_found_and_pinpointed() {
    let dir = tempfile::tempdir().unwrap();
    copy_all(dir.path());
    let path = dir.path().join("Totaaltelling_TK2021.eml.xml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    // Rutte's votes in kieskring Groningen, as the 510c gives them in its TotalVotes.
    let c = std::fs::read_to_string(real("Telling_TK2021_kieskring_Groningen.eml.xml")).unwrap();
    let (_, _, in_510c) = first_candidate_votes(&c, "<TotalVotes>");
    let (start, end, n) = first_candidate_votes(&text, "<ReportingUnitIdentifier Id=\"HSB1\">");
    assert_eq!(n, in_510c);
    text.replace_range(start..end, &(n + 1).to_string());
    std::fs::write(&path, text).unwrap();

    let (code, out) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("DISCREPANCY"))
        .collect();
    let want = [
        // The unit against the kieskring's 510c: file, unit, list, candidate, both numbers.
        format!(
            "DISCREPANCY Totaaltelling_TK2021.eml.xml: reporting unit HSB1, list 1, candidate 1 (RutteM): expected {n}, found {} (expected = Telling_TK2021_kieskring_Groningen.eml.xml)",
            n + 1
        ),
        // The unit on its own: its list total no longer equals its candidates.
        "DISCREPANCY Totaaltelling_TK2021.eml.xml: reporting unit HSB1, list 1: list total"
            .to_owned(),
        // The national total against the units.
        "DISCREPANCY Totaaltelling_TK2021.eml.xml: TotalVotes list 1, candidate RutteM:".to_owned(),
    ];
    for w in &want {
        assert!(
            lines.iter().any(|l| l.starts_with(w.as_str())),
            "missing {w:?} in\n{out}"
        );
    }
    assert_eq!(lines.len(), 3, "{out}");
}

fn key_file(dir: &Path, key: &SecretKey) -> PathBuf {
    let p = dir.join("root.pub");
    std::fs::write(&p, key.public_key().to_file_bytes()).unwrap();
    p
}

fn medium(
    root: &SecretKey,
    role: Role,
    id: &str,
    kind: ContentKind,
    files: &[&str],
    out: &Path,
) -> PathBuf {
    let body = SecretKey::generate();
    let cert = Certificate::issue(
        root,
        CertificateFields {
            role,
            identifier: id.into(),
            name: format!("{id} test body"),
            election: "TK2021".into(),
            valid_from: Timestamp::parse("2021-03-01T00:00:00Z").unwrap(),
            valid_until: Timestamp::parse("2021-04-30T00:00:00Z").unwrap(),
            public_key: body.public_key(),
        },
    )
    .unwrap();
    let files = files
        .iter()
        .map(|f| MediumFile {
            name: (*f).to_owned(),
            bytes: std::fs::read(real(f)).unwrap(),
        })
        .collect();
    let m = sign_medium(
        kind,
        "TK2021",
        files,
        &body,
        &cert,
        Timestamp::parse("2021-03-23T20:00:00Z").unwrap(),
    )
    .unwrap();
    let path = out.join(SignedMedium::folder_name(kind, "TK2021", id));
    m.write_to_dir(&path).unwrap();
    path
}

#[test]
fn signed_media_are_verified_and_roles_enforced() {
    let root = SecretKey::generate();
    let keys = tempfile::tempdir().unwrap();
    let key = key_file(keys.path(), &root);
    let key = key.to_str().unwrap();
    let at = ["--at", "2021-03-24T00:00:00Z"];

    let dir = tempfile::tempdir().unwrap();
    medium(
        &root,
        Role::Authority,
        "kiesraad",
        ContentKind::ElectionDefinition,
        &[FILES[0], FILES[1]],
        dir.path(),
    );
    medium(
        &root,
        Role::Hsb,
        "HSB1",
        ContentKind::Results510c,
        &[FILES[2]],
        dir.path(),
    );
    let csb = medium(
        &root,
        Role::Csb,
        "CSB",
        ContentKind::Results510d520,
        &[FILES[3], FILES[4]],
        dir.path(),
    );
    let (code, out) = check(dir.path(), &["--root-key", key, at[0], at[1]]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with(AGREES), "{out}");
    assert!(out.starts_with("signatures: checked"), "{out}");
    assert_eq!(out.matches("signed medium verified").count(), 3, "{out}");
    assert!(out.contains("the seats of all 37 lists equal the recomputed seats"));

    // A plain file next to the media is not used when signatures are checked.
    std::fs::copy(real(FILES[2]), dir.path().join(FILES[2])).unwrap();
    let (code, out) = check(dir.path(), &["--root-key", key, at[0], at[1]]);
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!("DISCREPANCY {}: not in a signed medium", FILES[2])),
        "{out}"
    );
    std::fs::remove_file(dir.path().join(FILES[2])).unwrap();

    // One changed byte in a signed file: the medium is refused.
    let f = csb.join(FILES[4]);
    let mut bytes = std::fs::read(&f).unwrap();
    let i = bytes.iter().position(|b| *b == b'8').unwrap();
    bytes[i] = b'9';
    std::fs::write(&f, bytes).unwrap();
    let (code, out) = check(dir.path(), &["--root-key", key, at[0], at[1]]);
    assert_eq!(code, 1);
    assert!(
        out.contains("DISCREPANCY TK2021_CSB_results-510d-520.tally: signed medium refused"),
        "{out}"
    );

    // HSB2 signs HSB1's count: a body may sign only its own count.
    let dir = tempfile::tempdir().unwrap();
    medium(
        &root,
        Role::Hsb,
        "HSB2",
        ContentKind::Results510c,
        &[FILES[2]],
        dir.path(),
    );
    let (code, out) = check(dir.path(), &["--root-key", key, at[0], at[1]]);
    assert_eq!(code, 1);
    assert!(out.contains("made by HSB1 but signed by HSB2"), "{out}");

    // A GSB medium holding a 510d: its role may not send it.
    let dir = tempfile::tempdir().unwrap();
    medium(
        &root,
        Role::Gsb,
        "0014",
        ContentKind::Results510b,
        &[FILES[3]],
        dir.path(),
    );
    let (code, out) = check(dir.path(), &["--root-key", key, at[0], at[1]]);
    assert_eq!(code, 1);
    assert!(
        out.contains("a 510d in a medium of kind results-510b: the signer's role may not send it"),
        "{out}"
    );

    // Another root key: every medium refused.
    let other = SecretKey::generate();
    let other_dir = tempfile::tempdir().unwrap();
    let other_key = key_file(other_dir.path(), &other);
    let (code, out) = check(
        dir.path(),
        &["--root-key", other_key.to_str().unwrap(), at[0], at[1]],
    );
    assert_eq!(code, 1);
    assert!(out.contains("signed medium refused"), "{out}");
}

#[test]
fn apportion_prints_seats_and_candidates() {
    let (code, out) = run(&[
        "apportion".as_ref(),
        "--definition".as_ref(),
        real(FILES[0]).as_os_str(),
        "--candidates".as_ref(),
        real(FILES[1]).as_os_str(),
        "--count".as_ref(),
        real(FILES[3]).as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "tally-verify apportion v1");
    assert!(lines.contains(&"seats\t150"));
    assert!(lines.contains(&"quota\t69485 17/25"));
    // Published seats (Resultaat_TK2021 and the Kiesraad's CSV): VVD 34, PVV 17, D66 24, BBB 1.
    for (list, seats) in [(1, 34), (2, 17), (4, 24), (23, 1), (16, 0)] {
        let prefix = format!("list\t{list}\t{seats}\t");
        assert!(
            lines.iter().any(|l| l.starts_with(&prefix)),
            "{prefix:?}\n{out}"
        );
    }
    // Rutte: first on the VVD list, elected on preference votes, named from the 230b.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("elected\t1\t1\tpreference\t")
                && l.ends_with("\tRutteM\tRutte, M.")),
        "{out}"
    );
    // All 150, those of the five lists elected across kieskringen included.
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("elected\t")).count(),
        150
    );
    assert!(!out.contains("not-elected-here"), "{out}");
    // SP's 9 seats over its five lists (P 12): the group quota is 623 371 / 9 = 69 263 4/9.
    let sp: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("group-list\t6\t"))
        .collect();
    assert_eq!(
        sp,
        [
            "group-list\t6\t1,2,3,4\t127530\t1\t58266 5/9\t2",
            "group-list\t6\t5,6,7,8\t121542\t1\t52278 5/9\t2",
            "group-list\t6\t9,10,11\t88076\t1\t18812 5/9\t1",
            "group-list\t6\t12,13,14,15,20\t105965\t1\t36701 5/9\t1",
            "group-list\t6\t16,17,18,19\t180258\t2\t41731 1/9\t3",
        ]
    );
    // CDA's leader: elected by preference with his votes on all CDA lists together (the
    // published 520 gives the same 437 240), named from the Groningen 230b.
    assert!(
        lines.contains(&"elected\t3\t1\tpreference\t437240\tHoekstraWB\tHoekstra, W.B."),
        "{out}"
    );
    // P 19a: Omtzigt marked deceased: not elected, said in a `deceased` line; still 150.
    let (code, out) = run(&[
        "apportion".as_ref(),
        "--definition".as_ref(),
        real(FILES[0]).as_os_str(),
        "--candidates".as_ref(),
        real(FILES[1]).as_os_str(),
        "--count".as_ref(),
        real(FILES[3]).as_os_str(),
        "--deceased".as_ref(),
        "3:OmtzigtPH".as_ref(),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\ndeceased\t3\tOmtzigtPH\n"), "{out}");
    assert!(!out.contains("\tOmtzigtPH\tOmtzigt"), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("elected\t")).count(),
        150
    );

    // A count of another election is refused with exit status 2.
    let (code, out) = run(&[
        "apportion".as_ref(),
        "--definition".as_ref(),
        real(FILES[0]).as_os_str(),
        "--count".as_ref(),
        real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml").as_os_str(),
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("is for election TK2025, the definition for TK2021"),
        "{out}"
    );
}

#[test]
fn a_changed_polling_station_vote_in_a_510b_is_pinpointed() {
    let dir = tempfile::tempdir().unwrap();
    let name = "Telling_GR2022_WestMaasenWaal.eml.xml";
    let mut text = std::fs::read_to_string(real(name)).unwrap();
    let anchor = "<ReportingUnitIdentifier Id=\"0668::SB3\"";
    let (start, end, n) = first_candidate_votes(&text, anchor);
    text.replace_range(start..end, &(n + 1).to_string());
    std::fs::write(dir.path().join(name), text).unwrap();
    let (code, out) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    // The municipal total recomputed from the polling stations: the station's list no
    // longer adds up, and the total no longer equals the stations.
    assert!(
        out.contains(&format!(
            "DISCREPANCY {name}: reporting unit 0668::SB3, list 1: list total"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "DISCREPANCY {name}: TotalVotes list 1, candidate 1: {} != sum of reporting units {}",
            total_of_candidate_1(&std::fs::read_to_string(real(name)).unwrap()),
            total_of_candidate_1(&std::fs::read_to_string(real(name)).unwrap()) + 1
        )),
        "{out}"
    );
    // Without a definition the seats cannot be checked: said as a discrepancy.
    assert!(out.contains("no election definition (110a)"), "{out}");
}

fn total_of_candidate_1(text: &str) -> u64 {
    first_candidate_votes(text, "<TotalVotes>").2
}

/// Copies the real TK2021 files into a new folder, the 520 changed by `edit`.
fn with_result(edit: impl FnOnce(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_all(dir.path());
    let path = dir.path().join("Resultaat_TK2021.eml.xml");
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = edit(&text);
    assert_ne!(changed, text);
    std::fs::write(&path, changed).unwrap();
    dir
}

/// The first elected candidate of the 520 (Rutte, VVD) renamed, its ShortCode kept: names
/// were never compared, and this exited 0 with "everything checked agrees".
#[test]
fn a_renamed_elected_candidate_is_a_discrepancy() {
    let dir = with_result(|t| {
        t.replacen(
            "<xnl:LastName>Rutte</xnl:LastName>",
            "<xnl:LastName>Rutten</xnl:LastName>",
            1,
        )
    });
    let (code, out) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("DISCREPANCY"))
        .collect();
    // The list, the candidate, both names and where the right one comes from.
    assert_eq!(
        lines,
        [
            "DISCREPANCY Resultaat_TK2021.eml.xml: list 1, RutteM: the result names \"Rutten, M. (Mark)\" [RutteM], Kandidatenlijsten_TK2021_Groningen.eml.xml names \"Rutte, M. (Mark)\" (candidate 1 of contest 1)"
        ],
        "{out}"
    );
    assert!(
        !out.contains("OK Resultaat_TK2021.eml.xml: list 1:"),
        "{out}"
    );
    assert!(out.ends_with("result: 1 discrepancies\n"), "{out}");
}

/// The elected candidate of a list group (list 3, CDA: its candidates differ between
/// kieskringen) replaced by an invented ShortCode. Once a NOTE, then "everything checked
/// agrees", exit 0; now a discrepancy, and since list 3 is recomputed across kieskringen,
/// also the candidate the result leaves out.
#[test]
fn an_invented_short_code_in_a_p18_list_is_a_discrepancy() {
    let dir = with_result(|t| {
        let list = t.find("<AffiliationIdentifier Id=\"3\">").unwrap();
        let code = list + t[list..].find("ShortCode=\"").unwrap() + "ShortCode=\"".len();
        let end = code + t[code..].find('"').unwrap();
        assert_eq!(&t[code..end], "HoekstraWB");
        format!("{}VerzonnenX{}", &t[..code], &t[end..])
    });
    let (code, out) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("DISCREPANCY"))
        .collect();
    // Not a candidate of the list; and list 3 is now recomputed (P 12 - P 18), so the
    // candidate who should have been elected is named too.
    assert_eq!(
        lines,
        [
            "DISCREPANCY Resultaat_TK2021.eml.xml: list 3, VerzonnenX: elected in the result, but not a candidate of list 3 in the count (expected = Totaaltelling_TK2021.eml.xml)",
            "DISCREPANCY Resultaat_TK2021.eml.xml: list 3, HoekstraWB: recomputed as elected (preference votes (Ranking 1)), not elected in the result",
            "DISCREPANCY Resultaat_TK2021.eml.xml: list 3, VerzonnenX: elected in the result, not recomputed as elected",
        ],
        "{out}"
    );
    assert!(out.ends_with("result: 3 discrepancies\n"), "{out}");
}

/// A folder with only the 110a and a 520 (here even a changed one): nothing of the result
/// can be checked without the count it rests on. It said NOTE, then "everything checked
/// agrees", exit 0.
#[test]
fn a_result_without_its_count_is_not_called_checked() {
    let dir = tempfile::tempdir().unwrap();
    for f in [FILES[0], FILES[4]] {
        std::fs::copy(real(f), dir.path().join(f)).unwrap();
    }
    let path = dir.path().join(FILES[4]);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("Rutte<", "Rutten<", 1)).unwrap();
    let (code, out) = check(dir.path(), &[]);
    assert_eq!(code, 3, "{out}");
    assert!(!out.contains("DISCREPANCY"), "{out}");
    assert!(
        out.contains("UNCHECKED Resultaat_TK2021.eml.xml: no total count (510d; for a council the 510b) in the folder: the seats and elected candidates of the result not checked"),
        "{out}"
    );
    assert!(
        out.ends_with("result: nothing found wrong, but NOT everything could be checked: the seats and elected candidates of Resultaat_TK2021.eml.xml (no total count)\n"),
        "{out}"
    );
    // --require-all: the missing count is a discrepancy.
    let (code, out) = check(dir.path(), &["--require-all"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("DISCREPANCY Resultaat_TK2021.eml.xml: no total count"),
        "{out}"
    );
}

/// A file the tool cannot check (not EML, or a kind it does not check) in an otherwise
/// checked folder: named, and the exit status is 3.
#[test]
fn a_file_not_checked_is_named_in_the_last_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_all(dir.path());
    std::fs::write(dir.path().join("toelichting.pdf"), b"%PDF-1.7\n").unwrap();
    let (code, out) = check(dir.path(), &[]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("UNCHECKED toelichting.pdf: not an EML file; ignored"),
        "{out}"
    );
    assert!(
        out.ends_with("result: nothing found wrong, but NOT everything could be checked: the files toelichting.pdf\n"),
        "{out}"
    );
}
