//! The CSB of a municipal council: the single GSB's 510b becomes the 510d. Real files of
//! West Maas en Waal 2022 (its 110a is not in `shared/`: the election is built from its 230b
//! with 17 seats, GR1, as in `result_gr2022.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tally_core::aggregate::{Aggregation, ImportOutcome, TotalMeta, compare_counts, sum_counts};
use tally_core::counts::{CountLevel, VoteCounts};
use tally_core::election::{Election, ElectionCategory, ElectionSubcategory};
use tally_core::eml::count::{read_count, write_count};
use tally_core::eml::definition::{SourceFile, load_candidate_lists};

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

fn election() -> Election {
    let bytes = std::fs::read(shared(
        "eml/real/Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
    ))
    .unwrap();
    let lists = load_candidate_lists(&SourceFile::new("230b", &bytes)).unwrap();
    let h = lists.election;
    Election {
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
        contests: lists.contests,
        polling_stations: None,
        sources: Vec::new(),
        parse_warnings: Vec::new(),
        eml_version: Default::default(),
    }
}

#[test]
fn council_csb_turns_the_510b_into_the_510d() {
    let election = election();
    let mut agg = Aggregation::for_municipal_council(&election).unwrap();
    assert_eq!(agg.bodies().len(), 1);
    assert_eq!(agg.bodies()[0].0.id, "0668");
    assert_eq!(agg.output_level(), CountLevel::Total);
    let bytes = std::fs::read(shared("eml/real/Telling_GR2022_WestMaasenWaal.eml.xml")).unwrap();
    let b = read_count(&bytes).unwrap();
    assert_eq!(
        agg.import("Telling_GR2022_WestMaasenWaal.eml.xml", &bytes)
            .unwrap(),
        ImportOutcome::Imported {
            body: "0668".into()
        }
    );
    let total = agg
        .total(&TotalMeta {
            transaction_id: 1,
            creation_date_time: "2022-03-21T10:00:00".into(),
        })
        .unwrap();
    assert_eq!(total.units.len(), 1);
    assert_eq!(total.units[0].id.0, "0668");
    assert!(compare_counts(&b.total, &total.total).is_empty());
    let out = write_count(&total).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("Totaaltelling_GR2022_WestMaasenWaal.eml.xml");
    std::fs::write(&path, &out).unwrap();
    let status = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(shared("xsd/EML_NL-v1.2.2/510-count-kiesraad-strict.xsd"))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// The 510d is written in the EML_NL version of the election's definition: 1.2.2 above
/// (no `kr:Schema`), 1.3.1 here, which validates against the Electoral Council's schemas of
/// June 2026 (the 1.3.1 schemas are not published in `../shared`; a 510d has no previous
/// values, where the two differ).
#[test]
fn council_csb_writes_the_definitions_version() {
    let mut election = election();
    election.eml_version = tally_core::eml::names::EmlVersion::V1_3_1;
    let mut agg = Aggregation::for_municipal_council(&election).unwrap();
    let bytes = std::fs::read(shared("eml/real/Telling_GR2022_WestMaasenWaal.eml.xml")).unwrap();
    agg.import("Telling_GR2022_WestMaasenWaal.eml.xml", &bytes)
        .unwrap();
    let total = agg
        .total(&TotalMeta {
            transaction_id: 1,
            creation_date_time: "2022-03-21T10:00:00".into(),
        })
        .unwrap();
    assert_eq!(
        total.header.edition.version,
        tally_core::eml::names::EmlVersion::V1_3_1
    );
    let out = write_count(&total).unwrap();
    assert!(String::from_utf8_lossy(&out).contains(r#"<kr:Schema Version="1.3.1"/>"#));
    assert_eq!(read_count(&out).unwrap(), total);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Totaaltelling.eml.xml");
    std::fs::write(&path, &out).unwrap();
    let status = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(shared(
            "xsd/EML_NL-main-2026-06/xsd/510-count-kiesraad-strict.xsd",
        ))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn sums_are_checked_never_wrapped() {
    let b = read_count(
        &std::fs::read(shared("eml/real/Telling_GR2022_WestMaasenWaal.eml.xml")).unwrap(),
    )
    .unwrap();
    // The 21 polling stations add up to the file's TotalVotes (computed by the Kiesraad's
    // software).
    let sum = sum_counts(b.units.iter().map(|u| &u.counts)).unwrap();
    let diffs = compare_counts(&b.total, &sum);
    // Cast: the stations give 0 ("unknown") where the total gives the municipality's.
    assert!(
        diffs.iter().all(|d| matches!(
            d,
            tally_core::aggregate::CountDifference::Field {
                field: tally_core::counts::CountField::Cast,
                ..
            }
        )),
        "{diffs:#?}"
    );
    // Two huge counts overflow: an error naming the field, not a wrapped number.
    let mut huge: VoteCounts = b.total.clone();
    huge.blank = u64::MAX;
    let err = sum_counts([&huge, &b.total]).unwrap_err();
    assert_eq!(err.what, "F");
}

/// A corrigendum of the imported first-session 510b is checked against it before it is
/// offered as a correction: a forged previous value, or a change without an investigation,
/// is refused and nothing changes; the genuine one waits for the coordinator, with the
/// station that changed among its unit differences.
#[test]
fn a_corrigendum_is_checked_against_the_first_session_file_at_import() {
    use tally_core::aggregate::ImportRefusal;
    use tally_core::corrigendum::{InvestigationReason, UnitInvestigation, corrigendum};
    let mut agg = Aggregation::for_municipal_council(&election()).unwrap();
    let bytes = std::fs::read(shared("eml/real/Telling_GR2022_WestMaasenWaal.eml.xml")).unwrap();
    agg.import("first.eml.xml", &bytes).unwrap();
    let first = read_count(&bytes).unwrap();
    let mut corrected = first.clone();
    for vc in [&mut corrected.total, &mut corrected.units[0].counts] {
        vc.lists[0].candidates[0].1 += 3;
        vc.lists[0].total += 3;
        vc.total_counted += 3;
        for v in [
            vc.voters.admitted_voters.as_mut(),
            vc.voters.poll_cards.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            *v += 3;
        }
    }
    let investigated = vec![UnitInvestigation {
        unit: first.units[0].id.clone(),
        reasons: vec![
            (InvestigationReason::UnexplainedDifference, true),
            (InvestigationReason::ResultCorrected, true),
        ],
    }];
    let good = corrigendum(&first, &corrected, &investigated).unwrap();

    let mut forged = good.clone();
    *forged.units[0]
        .counts
        .previous
        .total_counted
        .as_mut()
        .unwrap() += 1;
    let mut unexplained = good.clone();
    unexplained.units[0].investigations.clear();
    for bad in [forged, unexplained] {
        let err = agg
            .import("bad.eml.xml", &write_count(&bad).unwrap())
            .unwrap_err();
        assert!(
            matches!(err.reason, ImportRefusal::Corrigendum { .. }),
            "{err}"
        );
        assert!(agg.pending_correction().is_none());
    }
    match agg
        .import("corrigendum.eml.xml", &write_count(&good).unwrap())
        .unwrap()
    {
        ImportOutcome::CorrectionPending(p) => {
            let units: Vec<&str> = p
                .unit_differences
                .iter()
                .map(|(u, _)| u.0.as_str())
                .collect();
            assert_eq!(units, vec![first.units[0].id.0.as_str()]);
        }
        other => panic!("{other:?}"),
    }
}
