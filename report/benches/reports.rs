//! How long making each report takes, on the real files: the municipal report of West Maas
//! en Waal (21 polling stations) and of Groningen (GR2022, the largest 510b in the set), the
//! district report of kieskring Groningen (TK2021), and the central report of West Maas en
//! Waal (GR2022, 17 seats). Prints the size of each PDF once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{Criterion, criterion_group, criterion_main};
use tally_core::apportionment::{
    CandidateInput, CandidateOutcome, CandidateVotes, ListCandidates, ListVotes, RemainingSeatLaw,
    SeatInput, SeatOutcome, apportion_seats, elect_candidates,
};
use tally_core::election::{Election, ElectionDate, ElectionSubcategory};
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_candidate_lists};
use tally_core::hashcode::Sha256Digest;
use tally_report::{
    CentralReportInput, CountReportInput, CreationTime, ReportMeta, central_report,
    district_report, municipal_report,
};

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{REAL}{name}")).unwrap()
}

fn election(name: &str, seats: u32, threshold: u32, sub: ElectionSubcategory) -> Election {
    let bytes = read(name);
    let cl = load_candidate_lists(&SourceFile::new(name, &bytes)).unwrap();
    Election {
        id: cl.election.id.clone(),
        name: cl.election.name.clone().unwrap_or_default(),
        category: cl.election.category,
        subcategory: sub,
        date: cl.election.date,
        nomination_date: ElectionDate {
            year: cl.election.date.year,
            month: 1,
            day: 31,
        },
        domain: cl.election.domain.clone(),
        number_of_seats: seats,
        preference_threshold: threshold,
        regions: Vec::new(),
        contests: cl.contests,
        polling_stations: None,
        sources: vec![cl.source],
        parse_warnings: Vec::new(),
        eml_version: Default::default(),
    }
}

fn meta<'a>(bytes: &[u8]) -> ReportMeta<'a> {
    ReportMeta {
        body_id: "0668",
        body_name: "Gemeentelijk stembureau",
        eml_hash: Sha256Digest::of(bytes),
        eml_file_name: None,
        created: CreationTime::new(2022, 3, 17, 14, 5, 9).unwrap(),
        demo: false,
        journal: None,
    }
}

fn bench(c: &mut Criterion) {
    for (count, lists, seats, threshold, sub, district) in [
        (
            "Telling_GR2022_WestMaasenWaal.eml.xml",
            "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
            17,
            50,
            ElectionSubcategory::GR1,
            false,
        ),
        (
            "Telling_GR2022_Groningen.eml.xml",
            "Kandidatenlijsten_GR2022_Groningen.eml.xml",
            45,
            25,
            ElectionSubcategory::GR2,
            false,
        ),
        (
            "Telling_TK2021_kieskring_Groningen.eml.xml",
            "Kandidatenlijsten_TK2021_Groningen.eml.xml",
            150,
            25,
            ElectionSubcategory::TK,
            true,
        ),
    ] {
        let eml = read(count);
        let file = read_count(&eml).unwrap();
        let e = election(lists, seats, threshold, sub);
        let input = CountReportInput {
            contest: &file.header.contest_id,
            total: &file.total,
            units: &file.units,
            meta: meta(&eml),
            proceedings: None,
        };
        let make = || {
            if district {
                district_report(&e, &input).unwrap()
            } else {
                municipal_report(&e, &input).unwrap()
            }
        };
        let pdf = make();
        println!(
            "{count}: {} units, PDF {} bytes",
            file.units.len(),
            pdf.len()
        );
        c.bench_function(&format!("report {count}"), |b| b.iter(make));
    }

    let eml = read("Telling_GR2022_WestMaasenWaal.eml.xml");
    let file = read_count(&eml).unwrap();
    let e = election(
        "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
        17,
        50,
        ElectionSubcategory::GR1,
    );
    let contest = &e.contests[0];
    let SeatOutcome::Complete(seats) = apportion_seats(
        &SeatInput {
            category: e.category,
            law: RemainingSeatLaw::for_election(e.category, e.date),
            seats: 17,
            lists: file
                .total
                .lists
                .iter()
                .map(|l| ListVotes {
                    list: l.list,
                    votes: l.total,
                    candidates: u32::try_from(
                        contest
                            .lists
                            .iter()
                            .find(|d| d.number == l.list)
                            .unwrap()
                            .candidates
                            .len(),
                    )
                    .unwrap(),
                })
                .collect(),
        },
        &[],
    )
    .unwrap() else {
        panic!()
    };
    let CandidateOutcome::Complete(candidates) = elect_candidates(
        &CandidateInput {
            quota: seats.quota.clone(),
            threshold_percent: 50,
            lists: seats
                .lists
                .iter()
                .map(|s| ListCandidates {
                    list: s.list,
                    seats: s.seats,
                    candidates: file
                        .total
                        .lists
                        .iter()
                        .find(|l| l.list == s.list)
                        .unwrap()
                        .candidates
                        .iter()
                        .map(|(c, v)| CandidateVotes {
                            position: c.position().unwrap(),
                            votes: *v,
                            deceased: false,
                        })
                        .collect(),
                    differs_per_district: false,
                })
                .collect(),
        },
        &[],
    )
    .unwrap() else {
        panic!()
    };
    let input = CentralReportInput {
        contest: &file.header.contest_id,
        total: &file.total,
        seats: &seats,
        candidates: &candidates,
        deceased: &[],
        requests: &[],
        meta: meta(&eml),
    };
    let pdf = central_report(&e, &input).unwrap();
    println!("central West Maas en Waal: PDF {} bytes", pdf.len());
    c.bench_function("report central WestMaasenWaal", |b| {
        b.iter(|| central_report(&e, &input).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
