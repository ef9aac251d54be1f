//! A 520 written from a computed result: the municipal council of West Maas en Waal 2022
//! (17 seats, 8 lists), from its real 510b and 230b. The seats are compared with the
//! Kiesraad's published seats in `shared/results/uitslag_GR20220316_Gemeente.csv`; the
//! written file is validated with xmllint against the 520 XSD and read back.
//!
//! The 110a of this election is not in `shared/`: the facts it would give are supplied here
//! by name: 17 seats (README of `shared/`), fewer than 19 so GR1 and a preference threshold
//! of 50 % (Kieswet P 15).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tally_core::aggregate::outcome::{
    Computation, Decisions, ListOutcome, SeatRules, compute_result, compute_result_with,
};
use tally_core::election::{Election, ElectionCategory, ElectionSubcategory};
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_candidate_lists};
use tally_core::eml::result::{
    ResultMeta, read_result, result_file_name, result_from_outcome, write_result,
};
use tally_core::ids::ContestId;

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

fn published_seats() -> Vec<(String, usize)> {
    let text = std::fs::read(shared("results/uitslag_GR20220316_Gemeente.csv")).unwrap();
    let text: String = match String::from_utf8(text.clone()) {
        Ok(s) => s,
        Err(_) => text.iter().map(|&b| char::from(b)).collect(),
    };
    text.lines()
        .map(|l| l.split(';').collect::<Vec<_>>())
        .filter(|f| f.len() > 5 && f[1] == "G0668")
        .map(|f| (f[3].to_string(), f[5].parse().unwrap_or(0)))
        .collect()
}

#[test]
fn computed_result_is_written_valid_and_reads_back() {
    let cand_bytes = std::fs::read(shared(
        "eml/real/Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
    ))
    .unwrap();
    let lists = load_candidate_lists(&SourceFile::new("230b", &cand_bytes)).unwrap();
    let h = lists.election.clone();
    let election = Election {
        id: h.id.clone(),
        name: h.name.clone().unwrap_or_default(),
        category: ElectionCategory::GR,
        subcategory: ElectionSubcategory::GR1,
        date: h.date,
        nomination_date: h.date,
        domain: h.domain.clone(),
        number_of_seats: 17,
        preference_threshold: 50,
        regions: Vec::new(),
        contests: lists.contests.clone(),
        polling_stations: None,
        sources: Vec::new(),
        parse_warnings: Vec::new(),
        eml_version: Default::default(),
    };
    let count = read_count(
        &std::fs::read(shared("eml/real/Telling_GR2022_WestMaasenWaal.eml.xml")).unwrap(),
    )
    .unwrap();
    let Computation::Complete(computed) =
        compute_result(SeatRules::of(&election), &count, &[], &[]).unwrap()
    else {
        panic!("no lots in West Maas en Waal 2022")
    };
    // With the candidate lists (which identify a Tweede Kamer group's candidates): the same
    // outcome; a council's polling stations are not kieskringen.
    let Computation::Complete(with) = compute_result_with(
        SeatRules::of(&election),
        &count,
        &Decisions::default(),
        Some(&election),
    )
    .unwrap() else {
        panic!("no lots in West Maas en Waal 2022")
    };
    assert_eq!(with, computed);
    // Seats as published, by party name.
    let published = published_seats();
    assert_eq!(published.len(), 8);
    assert_eq!(published.iter().map(|p| p.1).sum::<usize>(), 17);
    for (name, seats) in &published {
        let l = computed
            .lists
            .iter()
            .find(|l| &l.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(
            computed.seats.seats_of(l.list),
            Some(*seats as u32),
            "{name}"
        );
    }
    let elected: Vec<_> = computed
        .candidates
        .iter()
        .map(|o| match o {
            ListOutcome::Elected(e) => e.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let meta = ResultMeta {
        transaction_id: 1,
        authority_id: "0668".into(),
        authority_name: Some("West Maas en Waal".into()),
        creation_date_time: "2022-03-21T10:00:00".into(),
        contest_id: ContestId("geen".into()),
    };
    let result = result_from_outcome(
        &election,
        &ContestId("geen".into()),
        &computed.seats,
        &elected,
        &meta,
    )
    .unwrap();
    let bytes = write_result(&result).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(result_file_name(&election.id));
    assert!(path.ends_with("Resultaat_GR2022_WestMaasenWaal.eml.xml"));
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(shared("xsd/EML_NL-v1.2.2/520-result-kiesraad-strict.xsd"))
        .arg(&path)
        .output()
        .expect("xmllint (libxml2-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let back = read_result(&bytes).unwrap();
    assert_eq!(back, result);
    assert_eq!(back.total_seats(), 17);
    for (name, seats) in &published {
        let in_file = back
            .lists
            .iter()
            .find(|l| &l.name == name)
            .map_or(0, |l| l.seats());
        assert_eq!(in_file, *seats, "{name}");
    }
    // Every elected candidate in the file is one the computation elected, by position.
    for (l, e) in back.lists.iter().zip(&elected) {
        assert_eq!(l.list, e.list);
        let a: Vec<u32> = l
            .candidates
            .iter()
            .map(|c| c.candidate.position.0)
            .collect();
        let b: Vec<u32> = e.elected.iter().map(|c| c.position.0).collect();
        assert_eq!(a, b);
    }
}
