//! The reports claim PDF/A-2b, and show what that claim needs, as far as the tools on this
//! machine can see (veraPDF is not packaged in Debian; `krilla` itself refuses to write a
//! document that breaks a PDF/A-2b rule it checks):
//! - the XMP metadata declares `pdfaid:part` 2 and `pdfaid:conformance` B, and carries the
//!   title and the creation date (`pdfinfo -meta`);
//! - the catalog has the metadata stream, an sRGB output intent (`GTS_PDFA1` with its ICC
//!   profile) and the document language `nl-NL`; there is no encryption and no JavaScript
//!   (`qpdf`, `pdfinfo`);
//! - every font is embedded, as a subset, with a Unicode map (`pdffonts`);
//! - `qpdf --check` finds no syntax or stream encoding error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tally_core::election::{Election, ElectionDate, ElectionSubcategory};
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_candidate_lists};
use tally_core::hashcode::Sha256Digest;
use tally_report::{CountReportInput, CreationTime, ReportMeta, municipal_report};

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/");

fn run(tool: &str, args: &[&str], path: &Path) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn municipal_pdf(demo: bool) -> Vec<u8> {
    let count = "Telling_GR2022_WestMaasenWaal.eml.xml";
    let lists = "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml";
    let eml = std::fs::read(format!("{REAL}{count}")).unwrap();
    let file = read_count(&eml).unwrap();
    let bytes = std::fs::read(format!("{REAL}{lists}")).unwrap();
    let cl = load_candidate_lists(&SourceFile::new(lists, &bytes)).unwrap();
    let election = Election {
        id: cl.election.id.clone(),
        name: cl.election.name.clone().unwrap_or_default(),
        category: cl.election.category,
        subcategory: ElectionSubcategory::GR1,
        date: cl.election.date,
        nomination_date: ElectionDate {
            year: 2022,
            month: 1,
            day: 31,
        },
        domain: cl.election.domain.clone(),
        number_of_seats: 17,
        preference_threshold: 50,
        regions: Vec::new(),
        contests: cl.contests,
        polling_stations: None,
        sources: vec![cl.source],
        parse_warnings: Vec::new(),
        eml_version: Default::default(),
    };
    municipal_report(
        &election,
        &CountReportInput {
            contest: &file.header.contest_id,
            total: &file.total,
            units: &file.units,
            meta: ReportMeta {
                body_id: "0668",
                body_name: "Gemeentelijk stembureau West Maas en Waal",
                eml_hash: Sha256Digest::of(&eml),
                eml_file_name: Some(count),
                created: CreationTime::new(2022, 3, 17, 14, 5, 9).unwrap(),
                demo,
                // The journal's mark on every page (the PDF/A checks cover that line too).
                journal: Some(tally_report::JournalMark {
                    records: 25_000,
                    head: Sha256Digest::of(b"journal"),
                }),
            },
            proceedings: None,
        },
    )
    .unwrap()
}

#[test]
fn the_reports_declare_and_carry_what_pdf_a_2b_needs() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-pdfa");
    std::fs::create_dir_all(&dir).unwrap();
    for demo in [false, true] {
        let path = dir.join(format!("na31-2-wmw-{demo}.pdf"));
        std::fs::write(&path, municipal_pdf(demo)).unwrap();

        let check = run("qpdf", &["--check"], &path);
        assert!(
            check.contains("No syntax or stream encoding errors"),
            "{check}"
        );

        let xmp = run("pdfinfo", &["-meta"], &path);
        assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), "{xmp}");
        assert!(
            xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
            "{xmp}"
        );
        assert!(xmp.contains("2022-03-17T14:05:09"), "creation date: {xmp}");
        assert!(
            xmp.contains("Proces-verbaal van het gemeentelijk stembureau"),
            "title: {xmp}"
        );

        // The journal's records and full chain head on every page.
        let out = Command::new("pdftotext")
            .arg("-layout")
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let mark = format!(
            "Journaal: 25000 records, kop {}",
            Sha256Digest::of(b"journal").hash_code()
        );
        let pages = run("pdfinfo", &[], &path)
            .lines()
            .find_map(|l| {
                l.strip_prefix("Pages:")
                    .map(|n| n.trim().parse::<usize>().unwrap())
            })
            .unwrap();
        assert_eq!(text.matches(&mark).count(), pages, "{text}");

        let info = run("pdfinfo", &[], &path);
        assert!(info.contains("PDF version:     1.7"), "{info}");
        assert!(info.contains("Metadata Stream: yes"), "{info}");
        assert!(info.contains("Encrypted:       no"), "{info}");
        assert!(info.contains("JavaScript:      no"), "{info}");

        let fonts = run("pdffonts", &[], &path);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert_eq!(rows.len(), 2, "regular and bold: {fonts}");
        for row in rows {
            assert!(row.contains("DejaVuSans"), "{row}");
            assert!(
                row.contains("CID TrueType") && row.contains("yes yes yes"),
                "embedded, subset, with a Unicode map: {row}"
            );
        }

        // The catalog, written out uncompressed.
        let qdf = dir.join(format!("na31-2-wmw-{demo}.qdf"));
        let status = Command::new("qpdf")
            .args(["--qdf", "--object-streams=disable"])
            .arg(&path)
            .arg(&qdf)
            .status()
            .unwrap();
        assert!(status.success());
        let text = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
        for needed in [
            "/OutputIntents",
            "/S /GTS_PDFA1",
            "/DestOutputProfile",
            "/Lang (nl-NL)",
            "/Metadata",
        ] {
            assert!(text.contains(needed), "{needed} missing");
        }
        assert!(!text.contains("/Encrypt"), "no encryption");
        assert!(!text.contains("/JavaScript") && !text.contains("/JS "));
    }
}
