//! The progress overview of a count typed on several entry appliances (issue 18 point 2), on
//! the Kiesraad's Juinen test election with 80 stations over three entry appliances: what
//! pdftotext reads is what went in (the summary's numbers, each station's two entries and
//! stage, each appliance's stations still held, as ranges), the footer says it belongs to
//! no EML file and prints the journal's head, it runs over more than one page with the
//! table's heads repeated, and the file passes `qpdf --check` and declares PDF/A-2b.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use tally_core::hashcode::Sha256Digest;
use tally_report::{
    ApplianceProgress, CreationTime, EntryProgress, JournalMark, ProgressInput, ReportMeta,
    StationProgress, StationStage, progress_report,
};

const APPLIANCES: [&str; 3] = ["0042-E1", "0042-E2", "0042-E3"];

#[test]
fn the_progress_overview_shows_each_station_and_what_each_appliance_still_holds() {
    let election = common::juinen();
    // 80 stations: the first entry of station n on appliance n % 3, the second on the next
    // one. Stations 1-60 have both entries in (station 7 with differences, the others
    // definitive), 61-70 only the first, 71-79 none, 80 has no second appliance yet.
    let names: Vec<String> = (1..=80).map(|n| format!("Wijk {n}")).collect();
    let typists = ["Anna de Vries", "Bram Jansen", "Chaima El Idrissi"];
    let stations: Vec<StationProgress<'_>> = (1u32..=80)
        .map(|n| {
            let i = n as usize;
            let (fa, sa) = (APPLIANCES[i % 3], APPLIANCES[(i + 1) % 3]);
            let first = if n <= 70 {
                EntryProgress::In {
                    appliance: fa,
                    typist: typists[i % 3],
                }
            } else {
                EntryProgress::Assigned { appliance: fa }
            };
            let second = match n {
                1..=60 => EntryProgress::In {
                    appliance: sa,
                    typist: typists[(i + 1) % 3],
                },
                80 => EntryProgress::Unassigned,
                _ => EntryProgress::Assigned { appliance: sa },
            };
            let stage = match n {
                7 => StationStage::Differences,
                1..=60 => StationStage::Definitive,
                _ => StationStage::Waiting,
            };
            StationProgress {
                number: n,
                name: &names[i - 1],
                first,
                second,
                stage,
            }
        })
        .collect();
    // What each appliance still holds, as the coordinating appliance would give it.
    let holds: Vec<Vec<u32>> = APPLIANCES
        .iter()
        .map(|id| {
            stations
                .iter()
                .filter(|s| {
                    [s.first, s.second].iter().any(
                        |e| matches!(e, EntryProgress::Assigned { appliance } if appliance == id),
                    )
                })
                .map(|s| s.number)
                .collect()
        })
        .collect();
    let delivered: Vec<u32> = APPLIANCES
        .iter()
        .map(|id| {
            stations
                .iter()
                .flat_map(|s| [s.first, s.second])
                .filter(|e| matches!(e, EntryProgress::In { appliance, .. } if appliance == id))
                .count() as u32
        })
        .collect();
    let appliances: Vec<ApplianceProgress<'_>> = APPLIANCES
        .iter()
        .zip(&holds)
        .zip(&delivered)
        .map(|((id, h), d)| ApplianceProgress {
            appliance: id,
            delivered: *d,
            holds: h,
        })
        .collect();
    let head = Sha256Digest::of(b"journal");
    let input = ProgressInput {
        stations: &stations,
        appliances: &appliances,
        meta: ReportMeta {
            body_id: "0042",
            body_name: "Gemeentelijk stembureau Juinen",
            eml_hash: Sha256Digest::of(b"not printed"),
            eml_file_name: None,
            created: CreationTime::new(2026, 3, 18, 23, 40, 0).unwrap(),
            demo: false,
            journal: Some(JournalMark { records: 412, head }),
        },
    };
    let pdf = progress_report(&election, &input).unwrap();
    let path = common::written(&pdf, "progress", "voortgang.pdf");
    let meta = common::tool("pdfinfo", &["-meta"], &path);
    assert!(meta.contains("<pdfaid:part>2</pdfaid:part>"), "{meta}");
    let text = common::text(&path);
    let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
    assert!(pages >= 2, "one page only:\n{text}");
    // The table's heads on every page of the table.
    assert!(text.matches("eerste invoer").count() >= 2, "{text}");
    let line = |n: u32| {
        text.lines()
            .find(|l| l.trim_start().starts_with(&format!("{n} Wijk {n} ")))
            .unwrap_or_else(|| panic!("no line for station {n}:\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    for expected in [
        "Stembureaus: 80",
        "Beide invoeren toegewezen: 79",
        "Eerste invoer binnen: 70",
        "Tweede invoer binnen: 60",
        "Met verschillen: 1",
        "Definitief: 59",
        "Voortgangsoverzicht: hoort bij geen EML-bestand",
        "Journaal: 412 records",
        &head.hash_code(),
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    assert!(!text.contains("Hashcode EML-bestand"), "{text}");
    assert!(line(7).ends_with("verschillen"), "{}", line(7));
    assert!(
        line(7).contains("0042-E2: Bram Jansen 0042-E3: Chaima El Idrissi"),
        "{}",
        line(7)
    );
    assert!(line(8).ends_with("definitief"), "{}", line(8));
    assert!(line(63).contains("0042-E2: open"), "{}", line(63));
    assert!(line(80).contains("niet toegewezen"), "{}", line(80));
    assert!(line(80).ends_with("wacht op invoer"), "{}", line(80));
    // 0042-E1 holds the first entries of 72, 75 and 78 and the second entries of 62, 65,
    // ..., 77.
    assert_eq!(holds[0], vec![62, 65, 68, 71, 72, 74, 75, 77, 78]);
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains(&format!(
            "0042-E1: {} invoer(en) binnen; houdt nog 9 stembureau(s): 62, 65, 68, 71-72, 74-75, 77-78",
            delivered[0]
        )),
        "{joined}"
    );
}
