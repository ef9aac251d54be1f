//! The osv4-3 CSV export (`tally_core::eml::csv::osv4_3_csv`), compared byte for byte with
//! the Kiesraad's own files: the two West Maas en Waal CSVs in `shared/results/osv4-3/` and
//! every CSV that ships in the `eml-nl` package's `test-files/csv/`. Then the appliance's own
//! 510b/510c/510d (written by core from the domain counts), and hostile counts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use tally_core::aggregate::{Aggregation, TotalMeta};
use tally_core::election::{Election, ElectionCategory, ElectionSubcategory};
use tally_core::eml::count::{read_count, write_count};
use tally_core::eml::csv::{CsvError, osv4_3_csv};
use tally_core::eml::definition::{SourceFile, load_candidate_lists};
use tally_core::eml::limits::InputProblem;

const GR2022_510B: &str = "Telling_GR2022_WestMaasenWaal.eml.xml";
const GR2022_230B: &str = "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml";
const GR2022_CSV: &str = "osv4-3_telling_gr2022_westmaasenwaal.csv";
const TK2025_510B: &str = "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml";
const TK2025_230B_NIJMEGEN: &str = "Kandidatenlijsten_TK2025_Nijmegen.eml.xml";
const TK2025_230B_HAARLEM: &str = "Kandidatenlijsten_TK2025_Haarlem.eml.xml";
const TK2025_CSV: &str = "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv";

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

fn real(name: &str) -> Vec<u8> {
    std::fs::read(shared("eml/real").join(name)).unwrap()
}

fn csv(count: &str, lists: &[&str]) -> Result<tally_core::eml::csv::Osv43Csv, CsvError> {
    let count_bytes = real(count);
    let list_bytes: Vec<Vec<u8>> = lists.iter().map(|l| real(l)).collect();
    let files: Vec<SourceFile<'_>> = lists
        .iter()
        .zip(&list_bytes)
        .map(|(n, b)| SourceFile::new(n, b))
        .collect();
    osv4_3_csv(&SourceFile::new(count, &count_bytes), &files)
}

/// Equal bytes, or a message with the first line that differs (both shown escaped, so that
/// a byte order mark, a `\r` or a trailing newline is visible).
fn assert_same_bytes(made: &[u8], want: &[u8], what: &str) {
    if made == want {
        return;
    }
    let made_lines: Vec<&[u8]> = made.split(|b| *b == b'\n').collect();
    let want_lines: Vec<&[u8]> = want.split(|b| *b == b'\n').collect();
    let line = made_lines
        .iter()
        .zip(&want_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(made_lines.len().min(want_lines.len()));
    let show = |l: Option<&&[u8]>| l.map(|l| l.escape_ascii().to_string());
    panic!(
        "{what}: {} bytes made, {} bytes published; first difference on line {}:\nmade:      {:?}\npublished: {:?}",
        made.len(),
        want.len(),
        line + 1,
        show(made_lines.get(line)),
        show(want_lines.get(line)),
    );
}

#[test]
fn west_maas_en_waal_gr2022_is_the_kiesraads_csv_byte_for_byte() {
    let out = csv(GR2022_510B, &[GR2022_230B]).unwrap();
    assert_eq!(out.file_name, GR2022_CSV);
    let want = std::fs::read(shared("results/osv4-3").join(GR2022_CSV)).unwrap();
    assert_same_bytes(&out.bytes, &want, GR2022_CSV);
    // What the format is, as published: a UTF-8 byte order mark, `\n` line ends, no `\r`,
    // no final newline.
    assert!(out.bytes.starts_with(b"\xef\xbb\xbf\"Verkiezing\";;\""));
    assert!(!out.bytes.contains(&b'\r'));
    assert!(!out.bytes.ends_with(b"\n"));
}

#[test]
fn west_maas_en_waal_tk2025_is_the_kiesraads_csv_byte_for_byte() {
    // Both kieskring 230b files of the definition medium: the count's (Nijmegen, contest 6)
    // is picked.
    let out = csv(TK2025_510B, &[TK2025_230B_HAARLEM, TK2025_230B_NIJMEGEN]).unwrap();
    assert_eq!(out.file_name, TK2025_CSV);
    let want = std::fs::read(shared("results/osv4-3").join(TK2025_CSV)).unwrap();
    assert_same_bytes(&out.bytes, &want, TK2025_CSV);
}

/// The folder of the `eml-nl` package this workspace builds with, from `cargo metadata`.
fn eml_nl_package() -> PathBuf {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let eml_nl: Vec<_> = packages.iter().filter(|p| p["name"] == "eml-nl").collect();
    assert_eq!(eml_nl.len(), 1, "one eml-nl in the build");
    let manifest = PathBuf::from(eml_nl[0]["manifest_path"].as_str().unwrap());
    manifest.parent().unwrap().to_path_buf()
}

#[test]
fn every_csv_in_the_eml_nl_package_is_reproduced_byte_for_byte() {
    let dir = eml_nl_package().join("test-files/csv");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    let lists: Vec<(String, Vec<u8>)> = names
        .iter()
        .filter(|n| n.starts_with("Kandidatenlijsten_"))
        .map(|n| (n.clone(), read(n)))
        .collect();
    let list_files: Vec<SourceFile<'_>> =
        lists.iter().map(|(n, b)| SourceFile::new(n, b)).collect();
    let mut made = Vec::new();
    // Every count with every 230b of the package: the function picks the matching one, and
    // names the CSV; every CSV of the package must come out, byte for byte.
    for count in names.iter().filter(|n| n.starts_with("Telling_")) {
        let bytes = read(count);
        let out = osv4_3_csv(&SourceFile::new(count, &bytes), &list_files)
            .unwrap_or_else(|e| panic!("{e}"));
        let want = read(&out.file_name);
        assert_same_bytes(&out.bytes, &want, &out.file_name);
        made.push(out.file_name);
    }
    made.sort();
    let published: Vec<&String> = names.iter().filter(|n| n.ends_with(".csv")).collect();
    assert_eq!(made.iter().collect::<Vec<_>>(), published);
    assert_eq!(made.len(), 4, "{made:?}");
}

/// The appliance writes its 510b from the domain counts (`read_count` here stands for the
/// data entry): the CSV of that 510b is the Kiesraad's, byte for byte.
#[test]
fn the_appliances_own_510b_gives_the_kiesraads_csv() {
    for (count, list, published) in [
        (GR2022_510B, GR2022_230B, GR2022_CSV),
        (TK2025_510B, TK2025_230B_NIJMEGEN, TK2025_CSV),
    ] {
        let file = read_count(&real(count)).unwrap();
        let written = write_count(&file).unwrap();
        let lists = real(list);
        let out = osv4_3_csv(
            &SourceFile::new(count, &written),
            &[SourceFile::new(list, &lists)],
        )
        .unwrap();
        assert_eq!(out.file_name, published);
        let want = std::fs::read(shared("results/osv4-3").join(published)).unwrap();
        assert_same_bytes(&out.bytes, &want, published);
    }
}

/// A 510c (HSB): no CSV of the same count is published; the appliance's own 510c gives
/// the same CSV as the Kiesraad's 510c, and the rows are as `eml-nl` writes them for a
/// non-municipal count (no Postcode row, reporting-unit Ids as in the file).
#[test]
fn a_510c_gives_a_csv_and_the_appliances_own_510c_the_same_one() {
    let count = "Telling_TK2021_kieskring_Groningen.eml.xml";
    let list = "Kandidatenlijsten_TK2021_Groningen.eml.xml";
    let out = csv(count, &[list]).unwrap();
    // eml-nl's name for a non-municipal count: an empty authority type, two underscores.
    assert_eq!(out.file_name, "osv4-3_telling_tk2021__groningen.csv");
    let text = std::str::from_utf8(&out.bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[2], "\"Gebied\";;\"Groningen\"");
    assert_eq!(lines[3], "\"Nummer\";;\"HSB1\"");
    assert!(
        lines[6].starts_with("\"Gebiednummer\";;;;;\"HSB1::0014\";\"HSB1::0037\""),
        "{}",
        lines[6]
    );
    assert!(lines[7].starts_with(";\"opgeroepenen\";;;\"461525\";"));
    assert!(!text.contains("\"Postcode\""));

    let file = read_count(&real(count)).unwrap();
    let written = write_count(&file).unwrap();
    let lists = real(list);
    let own = osv4_3_csv(
        &SourceFile::new(count, &written),
        &[SourceFile::new(list, &lists)],
    )
    .unwrap();
    assert_eq!(own, out);
}

/// A municipal council's CSB: the appliance's 510d (core's own writer) of West Maas en
/// Waal 2022 gives a CSV with the municipality as its one column.
#[test]
fn the_appliances_council_510d_gives_a_csv() {
    let lists = real(GR2022_230B);
    let h = load_candidate_lists(&SourceFile::new(GR2022_230B, &lists))
        .unwrap()
        .election;
    let election = Election {
        id: h.id,
        name: h.name.unwrap_or_default(),
        category: ElectionCategory::GR,
        subcategory: ElectionSubcategory::GR1,
        date: h.date,
        nomination_date: h.date,
        domain: h.domain,
        number_of_seats: 17,
        preference_threshold: 50,
        regions: Vec::new(),
        contests: load_candidate_lists(&SourceFile::new(GR2022_230B, &lists))
            .unwrap()
            .contests,
        polling_stations: None,
        sources: Vec::new(),
        parse_warnings: Vec::new(),
        eml_version: Default::default(),
    };
    let mut agg = Aggregation::for_municipal_council(&election).unwrap();
    agg.import(GR2022_510B, &real(GR2022_510B)).unwrap();
    let total = agg
        .total(&TotalMeta {
            transaction_id: 1,
            creation_date_time: "2022-03-21T10:00:00".into(),
        })
        .unwrap();
    let eml = write_count(&total).unwrap();
    let out = osv4_3_csv(
        &SourceFile::new("Totaaltelling_GR2022_WestMaasenWaal.eml.xml", &eml),
        &[SourceFile::new(GR2022_230B, &lists)],
    )
    .unwrap();
    let text = std::str::from_utf8(&out.bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[5],
        "\"Lijstnummer\";\"Aanduiding\";\"Volgnummer\";\"Naam kandidaat\";\"Totaal\";\"West Maas en Waal\""
    );
    assert_eq!(lines[6], "\"Gebiednummer\";;;;;\"0668\"");
    // The totals of the 510d are those of the 510b: the "Totaal" column of every row after
    // the header is the 510b CSV's.
    let b = csv(GR2022_510B, &[GR2022_230B]).unwrap();
    let b_text = std::str::from_utf8(&b.bytes).unwrap();
    let totals = |t: &str, skip: usize| -> Vec<String> {
        t.lines()
            .skip(skip)
            .map(|l| l.split(';').take(5).collect::<Vec<_>>().join(";"))
            .collect()
    };
    assert_eq!(totals(text, 7), totals(b_text, 8));
    assert!(out.file_name.starts_with("osv4-3_telling_gr2022_"));
}

/// eml-nl 0.7 cannot read the national total of a Tweede Kamer election (candidates named
/// by `ShortCode` only): no CSV, and an error saying where.
#[test]
fn the_tk2021_national_510d_is_refused_with_eml_nls_reason() {
    let err = csv(
        "Totaaltelling_TK2021.eml.xml",
        &["Kandidatenlijsten_TK2021_Groningen.eml.xml"],
    )
    .unwrap_err();
    let CsvError::Eml { file, issues } = &err else {
        panic!("{err}")
    };
    assert_eq!(file, "Totaaltelling_TK2021.eml.xml");
    assert_eq!(
        err.to_string(),
        "Totaaltelling_TK2021.eml.xml: EML_NL: missing attribute Id (at bytes 1243..1283)",
        "{issues:?}"
    );
}

#[test]
fn counts_and_lists_that_do_not_belong_together_are_refused() {
    let err = csv(GR2022_510B, &[TK2025_230B_NIJMEGEN]).unwrap_err();
    assert_eq!(
        err,
        CsvError::OtherElection {
            file: GR2022_510B.into(),
            election: "GR2022_WestMaasenWaal".into(),
            found: "TK2025".into(),
        }
    );
    let err = csv(TK2025_510B, &[TK2025_230B_HAARLEM]).unwrap_err();
    assert_eq!(
        err,
        CsvError::OtherContest {
            file: TK2025_510B.into(),
            contest: "6".into(),
        }
    );
    assert_eq!(
        csv(GR2022_510B, &[]).unwrap_err(),
        CsvError::NoCandidateLists
    );
    // The files swapped: the count must be a 510, the lists 230b.
    let err = csv(GR2022_230B, &[GR2022_510B]).unwrap_err();
    let CsvError::Input(e) = &err else {
        panic!("{err}")
    };
    assert_eq!(e.file, GR2022_230B);
    assert!(matches!(e.problem, InputProblem::WrongDocumentKind { .. }));
    assert_eq!(
        err.to_string(),
        "Telling_GR2022_WestMaasenWaal.eml.xml: wrong document kind: expected 510b/510c/510d, found 230b"
            .replace("Telling_GR2022_WestMaasenWaal.eml.xml", GR2022_230B)
    );
    let err = csv(GR2022_510B, &[GR2022_510B]).unwrap_err();
    assert!(
        matches!(&err, CsvError::Input(e) if e.file == GR2022_510B
            && matches!(e.problem, InputProblem::WrongDocumentKind { .. })),
        "{err}"
    );
}

fn mutated(count: &str, f: impl FnOnce(&str) -> String) -> Vec<u8> {
    let text = String::from_utf8(real(count)).unwrap();
    let out = f(&text);
    assert_ne!(out, text, "the mutation changed nothing");
    out.into_bytes()
}

/// Removes the first occurrence of `what` after the first occurrence of `after`.
fn remove_after(text: &str, after: &str, what: &str) -> String {
    let start = text.find(after).unwrap();
    let at = start + text[start..].find(what).unwrap();
    format!("{}{}", &text[..at], &text[at + what.len()..])
}

const CANDIDATE_4: &str = "<Selection><Candidate><CandidateIdentifier Id=\"4\"></CandidateIdentifier></Candidate><ValidVotes>0</ValidVotes></Selection>";
const FIRST_UNIT: &str = "<ReportingUnitIdentifier Id=\"0668::SB1\">";

/// eml-nl's writer appends each polling station's number to the row of the candidate its
/// selection names: a station without a selection for a candidate would leave that row one
/// column short and move the later stations' numbers one column to the left. The function
/// refuses such a count; eml-nl alone writes the shifted table.
#[test]
fn a_unit_without_every_candidate_is_refused_not_shifted() {
    let bytes = mutated(GR2022_510B, |t| remove_after(t, FIRST_UNIT, CANDIDATE_4));
    let lists = real(GR2022_230B);
    let err = osv4_3_csv(
        &SourceFile::new(GR2022_510B, &bytes),
        &[SourceFile::new(GR2022_230B, &lists)],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Telling_GR2022_WestMaasenWaal.eml.xml: ReportingUnitVotes 0668::SB1: its lists and candidates are not those of TotalVotes, each exactly once (list 1 candidate 4 is missing)"
    );

    // What eml-nl itself does with it: a row with 21 stations' numbers is one short.
    use eml_nl::documents::candidate_lists::CandidateLists;
    use eml_nl::documents::election_count::ElectionCount;
    use eml_nl::io::{EMLParsingMode, EMLRead as _};
    let count =
        ElectionCount::parse_eml(std::str::from_utf8(&bytes).unwrap(), EMLParsingMode::Strict)
            .unwrap();
    let cl =
        CandidateLists::parse_eml(std::str::from_utf8(&lists).unwrap(), EMLParsingMode::Strict)
            .unwrap();
    let shifted = count.as_osv4_3_csv(&cl, true, false).unwrap();
    let fields = |line: &str| line.split(';').count();
    let header = shifted.lines().nth(5).unwrap();
    let row = shifted.lines().find(|l| l.starts_with(";;\"4\";")).unwrap();
    assert_eq!(fields(row) + 1, fields(header), "{row}");
}

#[test]
fn a_unit_with_a_candidate_twice_is_refused() {
    let bytes = mutated(GR2022_510B, |t| {
        let start = t.find(FIRST_UNIT).unwrap();
        let at = start + t[start..].find(CANDIDATE_4).unwrap();
        format!("{}{CANDIDATE_4}{}", &t[..at], &t[at..])
    });
    let lists = real(GR2022_230B);
    let err = osv4_3_csv(
        &SourceFile::new(GR2022_510B, &bytes),
        &[SourceFile::new(GR2022_230B, &lists)],
    )
    .unwrap_err();
    assert!(
        matches!(&err, CsvError::Selections { place, detail, .. }
            if place == "ReportingUnitVotes 0668::SB1" && detail == "list 1 candidate 4 appears twice"),
        "{err}"
    );
}

/// `TotalCounted` at `u64::MAX` parses; eml-nl's writer would add blank and invalid to it
/// unchecked (a panic with overflow checks, which every profile of this workspace has).
#[test]
fn counts_whose_sum_overflows_are_refused_without_panic() {
    let bytes = mutated(GR2022_510B, |t| {
        let start = t.find("<TotalVotes>").unwrap();
        let rest = &t[start..];
        let open = start + rest.find("<TotalCounted>").unwrap() + "<TotalCounted>".len();
        let close = open + t[open..].find('<').unwrap();
        format!("{}{}{}", &t[..open], u64::MAX, &t[close..])
    });
    let lists = real(GR2022_230B);
    let err = osv4_3_csv(
        &SourceFile::new(GR2022_510B, &bytes),
        &[SourceFile::new(GR2022_230B, &lists)],
    )
    .unwrap_err();
    assert_eq!(
        err,
        CsvError::TooLarge {
            file: GR2022_510B.into(),
            place: "TotalVotes".into(),
        }
    );

    // What eml-nl itself does with it: it parses, and its CSV writer panics.
    use eml_nl::documents::candidate_lists::CandidateLists;
    use eml_nl::documents::election_count::ElectionCount;
    use eml_nl::io::{EMLParsingMode, EMLRead as _};
    let count =
        ElectionCount::parse_eml(std::str::from_utf8(&bytes).unwrap(), EMLParsingMode::Strict)
            .unwrap();
    let cl =
        CandidateLists::parse_eml(std::str::from_utf8(&lists).unwrap(), EMLParsingMode::Strict)
            .unwrap();
    let panicked = std::panic::catch_unwind(|| count.as_osv4_3_csv(&cl, true, false)).is_err();
    assert!(
        panicked,
        "eml-nl's writer no longer panics: the check may go"
    );
}

/// A list the candidate lists do not have: eml-nl's own refusal, passed on.
#[test]
fn a_list_not_in_the_candidate_lists_is_eml_nls_refusal() {
    let bytes = mutated(GR2022_510B, |t| {
        t.replace(
            "<AffiliationIdentifier Id=\"8\">",
            "<AffiliationIdentifier Id=\"9\">",
        )
    });
    let lists = real(GR2022_230B);
    let err = osv4_3_csv(
        &SourceFile::new(GR2022_510B, &bytes),
        &[SourceFile::new(GR2022_230B, &lists)],
    )
    .unwrap_err();
    assert!(
        matches!(&err, CsvError::Writer { file, issues } if file == GR2022_510B && !issues.is_empty()),
        "{err}"
    );
}

/// Bytes that are not a count at all never reach eml-nl.
#[test]
fn hostile_bytes_are_refused_by_the_input_guards() {
    let lists = real(GR2022_230B);
    let lists = [SourceFile::new(GR2022_230B, &lists)];
    for (bytes, what) in [
        (&b"\xff\xfe<EML/>"[..], "not valid UTF-8"),
        (&b"<!DOCTYPE x><EML Id=\"510b\"/>"[..], "DOCTYPE"),
        (&b""[..], ""),
        (&b"<EML Id=\"510b\">"[..], ""),
    ] {
        let err = osv4_3_csv(&SourceFile::new("x.xml", bytes), &lists).unwrap_err();
        assert!(
            matches!(&err, CsvError::Input(_) | CsvError::Eml { .. }),
            "{err}"
        );
        assert!(err.to_string().contains(what), "{err}");
        assert!(err.to_string().starts_with("x.xml: "), "{err}");
    }
}
