//! Aggregation at the HSB and the CSB on the real Tweede Kamer 2021 files.
//!
//! There are no published 510b files of TK2021 in `shared/`. The municipalities' 510b are
//! built here from the real 510c of kieskring Groningen: each of its reporting units (one
//! per municipality) becomes the `TotalVotes` of a 510b with one polling station. Adding
//! them up must give the real 510c's `TotalVotes`, which the Kiesraad's software computed,
//! not this code. Likewise the 510c of the other kieskringen are built from the units of
//! the real 510d, and their sum must give the real national total.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tally_core::aggregate::{
    AggregateError, Aggregation, BodyState, CountDifference, ImportOutcome, ImportRefusal,
    TotalMeta, compare_counts,
};
use tally_core::counts::{
    CandidateRef, CountFile, CountHeader, CountLevel, ReportingUnitCounts, VoteCounts,
};
use tally_core::election::Election;
use tally_core::eml::count::{read_count, write_count};
use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::ids::{ContestId, ListNumber, ReportingUnitId};

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

fn real(name: &str) -> Vec<u8> {
    std::fs::read(shared(&format!("eml/real/{name}"))).unwrap()
}

fn election() -> Election {
    let def = real("Verkiezingsdefinitie_TK2021.eml.xml");
    let cand = real("Kandidatenlijsten_TK2021_Groningen.eml.xml");
    load_election(
        &SourceFile::new("Verkiezingsdefinitie_TK2021.eml.xml", &def),
        &[SourceFile::new(
            "Kandidatenlijsten_TK2021_Groningen.eml.xml",
            &cand,
        )],
        None,
    )
    .unwrap()
}

fn meta() -> TotalMeta {
    TotalMeta {
        transaction_id: 1,
        creation_date_time: "2021-03-19T21:44:55.508".into(),
    }
}

/// A count file of `level` from `authority` with one reporting unit holding `counts`.
fn one_unit_file(
    template: &CountHeader,
    level: CountLevel,
    authority: &str,
    contest: &str,
    unit_id: &str,
    counts: &VoteCounts,
) -> CountFile {
    let mut header = template.clone();
    header.level = level;
    header.authority_id = authority.to_owned();
    header.authority_name = None;
    header.contest_id = ContestId(contest.to_owned());
    header.contest_name = None;
    CountFile {
        header,
        total: counts.clone(),
        units: vec![ReportingUnitCounts {
            id: ReportingUnitId(unit_id.to_owned()),
            name: "Stembureau".into(),
            counts: counts.clone(),
            investigations: Vec::new(),
        }],
    }
}

fn xmllint_510(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.eml.xml");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(shared("xsd/EML_NL-v1.2.2/510-count-kiesraad-strict.xsd"))
        .arg(&path)
        .output()
        .expect("xmllint (libxml2-utils) must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The 510b files of the Groningen municipalities, built from the real 510c's units.
fn groningen_510b(real_510c: &CountFile) -> Vec<(String, Vec<u8>)> {
    real_510c
        .units
        .iter()
        .map(|u| {
            let code = u.id.0.strip_prefix("HSB1::").unwrap();
            let file = one_unit_file(
                &real_510c.header,
                CountLevel::Municipality,
                code,
                "1",
                &format!("{code}::SB1"),
                &u.counts,
            );
            (
                format!("Telling_TK2021_gemeente_{code}.eml.xml"),
                write_count(&file).unwrap(),
            )
        })
        .collect()
}

#[test]
fn hsb_rebuilds_the_real_groningen_510c() {
    let election = election();
    let real_510c = read_count(&real("Telling_TK2021_kieskring_Groningen.eml.xml")).unwrap();
    let mut agg = Aggregation::for_district(&election, 1).unwrap();

    // The bodies come from the 110a's tree; the 510c names the same municipalities.
    let mut expected: Vec<String> = agg.bodies().iter().map(|(b, _)| b.id.clone()).collect();
    let mut in_file: Vec<String> = real_510c
        .units
        .iter()
        .map(|u| u.id.0.strip_prefix("HSB1::").unwrap().to_owned())
        .collect();
    expected.sort();
    in_file.sort();
    assert_eq!(expected, in_file);
    let raw = String::from_utf8(real("Telling_TK2021_kieskring_Groningen.eml.xml")).unwrap();
    assert_eq!(
        expected.len(),
        raw.matches("<ReportingUnitIdentifier Id=\"HSB1::").count()
    );
    assert_eq!(expected.len(), 10);

    let files = groningen_510b(&real_510c);
    for (i, (name, bytes)) in files.iter().enumerate() {
        if i + 1 == files.len() {
            // Not complete yet: the total is refused and names the missing body.
            let err = agg.total(&meta()).unwrap_err();
            let AggregateError::Incomplete(missing) = err else {
                panic!("{err:?}")
            };
            assert_eq!(missing.len(), 1);
        }
        let outcome = agg.import(name, bytes).unwrap();
        assert!(
            matches!(outcome, ImportOutcome::Imported { .. }),
            "{outcome:?}"
        );
    }
    assert!(agg.is_complete());

    // The same bytes again: harmless.
    let again = agg.import("copy.eml.xml", &files[0].1).unwrap();
    assert_eq!(
        again,
        ImportOutcome::AlreadyImported {
            body: "0014".into()
        }
    );

    let total = agg.total(&meta()).unwrap();
    assert_eq!(total.header.level, CountLevel::District);
    assert_eq!(total.header.authority_id, "HSB1");
    assert_eq!(total.units.len(), real_510c.units.len());
    // The sum equals the Kiesraad's TotalVotes, field by field, list by list, candidate
    // by candidate.
    let diffs = compare_counts(&real_510c.total, &total.total);
    assert!(diffs.is_empty(), "{diffs:#?}");
    for unit in &real_510c.units {
        let ours = total.units.iter().find(|u| u.id == unit.id).unwrap();
        assert!(compare_counts(&unit.counts, &ours.counts).is_empty());
    }
    // Spot check from the file text: VVD (list 1) in kieskring Groningen.
    assert_eq!(total.total.lists[0].total, real_510c.total.lists[0].total);

    let bytes = write_count(&total).unwrap();
    xmllint_510(&bytes);
    assert_eq!(read_count(&bytes).unwrap().total, total.total);
}

#[test]
fn corrections_need_confirmation_and_bad_files_are_refused() {
    let election = election();
    let real_510c = read_count(&real("Telling_TK2021_kieskring_Groningen.eml.xml")).unwrap();
    let mut agg = Aggregation::for_district(&election, 1).unwrap();
    let files = groningen_510b(&real_510c);
    let (first_name, first_bytes) = &files[0];
    agg.import(first_name, first_bytes).unwrap();
    let BodyState::Imported(original) = agg.state("0014").unwrap().clone() else {
        panic!()
    };

    // A corrected 510b of 0014: one vote moved from candidate 1 of list 1 to candidate 2.
    let mut corrected = original.counts.clone();
    for vc in std::iter::once(&mut corrected.total)
        .chain(corrected.units.iter_mut().map(|u| &mut u.counts))
    {
        vc.lists[0].candidates[0].1 -= 1;
        vc.lists[0].candidates[1].1 += 1;
    }
    let corrected_bytes = write_count(&corrected).unwrap();
    let ImportOutcome::CorrectionPending(p) = agg.import("fix.eml.xml", &corrected_bytes).unwrap()
    else {
        panic!("expected a pending correction")
    };
    assert_eq!(p.body, "0014");
    assert_eq!(p.differences.len(), 2, "{:?}", p.differences);
    let c1 = original.counts.total.lists[0].candidates[0].1;
    assert!(p.differences.contains(&CountDifference::Candidate {
        list: ListNumber(1),
        candidate: CandidateRef::Position(tally_core::ids::CandidatePosition(1)),
        expected: Some(c1),
        found: Some(c1 - 1),
    }));
    assert!(!agg.is_complete());
    // Reject: the original stays.
    agg.reject_correction().unwrap();
    assert_eq!(
        agg.state("0014"),
        Some(&BodyState::Imported(original.clone()))
    );
    // Offer again and confirm: the new file replaces it.
    agg.import("fix.eml.xml", &corrected_bytes).unwrap();
    // While one waits, another correction is refused.
    let mut other = corrected.clone();
    other.header.transaction_id = 7;
    let err = agg
        .import("other.eml.xml", &write_count(&other).unwrap())
        .unwrap_err();
    assert!(matches!(
        err.reason,
        ImportRefusal::CorrectionAlreadyPending { .. }
    ));
    assert_eq!(agg.confirm_correction().unwrap(), "0014");
    let BodyState::Imported(now) = agg.state("0014").unwrap() else {
        panic!()
    };
    assert_eq!(now.file_name, "fix.eml.xml");
    assert!(matches!(
        agg.confirm_correction(),
        Err(AggregateError::NoPendingCorrection)
    ));

    // Broken arithmetic in a municipality not yet imported: refused, state Refused.
    let (name, bytes) = &files[1];
    let mut broken = read_count(bytes).unwrap();
    broken.units[0].counts.lists[0].candidates[0].1 += 1;
    let code = broken.header.authority_id.clone();
    let err = agg
        .import(name, &write_count(&broken).unwrap())
        .unwrap_err();
    let ImportRefusal::Arithmetic { violations } = &err.reason else {
        panic!("{err:?}")
    };
    assert!(!violations.is_empty());
    assert_eq!(err.body.as_deref(), Some(code.as_str()));
    assert!(matches!(agg.state(&code), Some(BodyState::Refused { .. })));

    // The 510c itself at the HSB: wrong level.
    let err = agg
        .import(
            "c.eml.xml",
            &real("Telling_TK2021_kieskring_Groningen.eml.xml"),
        )
        .unwrap_err();
    assert!(
        matches!(err.reason, ImportRefusal::WrongLevel { .. }),
        "{err}"
    );
    // A 510b of another election (TK2025).
    let err = agg
        .import(
            "b.eml.xml",
            &real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"),
        )
        .unwrap_err();
    assert!(
        matches!(err.reason, ImportRefusal::WrongElection { .. }),
        "{err}"
    );
    // A municipality of another kieskring.
    let mut elsewhere = read_count(bytes).unwrap();
    elsewhere.header.authority_id = "0363".into();
    let err = agg
        .import("a.eml.xml", &write_count(&elsewhere).unwrap())
        .unwrap_err();
    assert!(
        matches!(err.reason, ImportRefusal::UnknownBody { .. }),
        "{err}"
    );
    // A list number the 230b does not have.
    let mut unknown = read_count(bytes).unwrap();
    for vc in
        std::iter::once(&mut unknown.total).chain(unknown.units.iter_mut().map(|u| &mut u.counts))
    {
        vc.lists[0].list = ListNumber(99);
    }
    let err = agg
        .import("u.eml.xml", &write_count(&unknown).unwrap())
        .unwrap_err();
    assert!(
        matches!(err.reason, ImportRefusal::UnknownListOrCandidate { .. }),
        "{err}"
    );
    // Garbage.
    assert!(matches!(
        agg.import("x", b"<EML").unwrap_err().reason,
        ImportRefusal::Unreadable(_)
    ));
}

#[test]
fn csb_rebuilds_the_real_national_total() {
    let election = election();
    let real_510d = read_count(&real("Totaaltelling_TK2021.eml.xml")).unwrap();
    let real_510c = read_count(&real("Telling_TK2021_kieskring_Groningen.eml.xml")).unwrap();
    let mut agg = Aggregation::for_central(&election).unwrap();
    assert_eq!(agg.bodies().len(), 20);

    // Kieskring 1 from its real 510c; the others built from the 510d's units.
    agg.import(
        "Telling_TK2021_kieskring_Groningen.eml.xml",
        &real("Telling_TK2021_kieskring_Groningen.eml.xml"),
    )
    .unwrap();
    for unit in real_510d.units.iter().filter(|u| u.id.0 != "HSB1") {
        let n = unit.id.0.strip_prefix("HSB").unwrap();
        // 510c files name candidates by position only.
        let mut counts = unit.counts.clone();
        for l in &mut counts.lists {
            for (c, _) in &mut l.candidates {
                *c = CandidateRef::Position(c.position().unwrap());
            }
        }
        let file = one_unit_file(
            &real_510c.header,
            CountLevel::District,
            &unit.id.0,
            n,
            &format!("{}::0000", unit.id.0),
            &counts,
        );
        let outcome = agg
            .import(
                &format!("kieskring_{n}.eml.xml"),
                &write_count(&file).unwrap(),
            )
            .unwrap();
        assert!(matches!(outcome, ImportOutcome::Imported { .. }));
    }
    let total = agg.total(&meta()).unwrap();
    assert_eq!(total.header.level, CountLevel::Total);
    assert_eq!(total.units.len(), 20);
    // HSB1's unit equals the real 510d's HSB1 unit.
    let ours = total.units.iter().find(|u| u.id.0 == "HSB1").unwrap();
    let theirs = real_510d.units.iter().find(|u| u.id.0 == "HSB1").unwrap();
    // One known difference in the published files: the 510c of Groningen gives C (valid
    // voter cards, "geldige kiezerspassen") 1152 in its TotalVotes; the 510d leaves C out
    // everywhere, also in its unit HSB1. Everything else agrees.
    let c_left_out = CountDifference::Field {
        field: tally_core::counts::CountField::VoterCards,
        expected: None,
        found: Some(1152),
    };
    let d = compare_counts(&theirs.counts, &ours.counts);
    assert_eq!(d, vec![c_left_out.clone()]);
    // Lists and fields of the national total equal the Kiesraad's.
    let d: Vec<_> = compare_counts(&real_510d.total, &total.total)
        .into_iter()
        .filter(|d| !matches!(d, CountDifference::Candidate { .. }))
        .collect();
    assert_eq!(d, vec![c_left_out]);
    let bytes = write_count(&total).unwrap();
    xmllint_510(&bytes);
}
