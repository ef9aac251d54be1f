//! Benchmark: apportion the 150 seats of the Tweede Kamer 2021 (37 lists, 11 remaining seats
//! by highest averages) from the published national votes in `shared/results`.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tally_core::apportionment::{
    ListVotes, RemainingSeatLaw, SeatInput, SeatOutcome, apportion_seats,
};
use tally_core::election::ElectionCategory;
use tally_core::ids::ListNumber;

const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/results/uitslag_TK20210317_Nederland.csv"
);

fn tk2021() -> SeatInput {
    let text = std::fs::read_to_string(CSV).expect("TK2021 CSV");
    let lists = text
        .lines()
        .map(|l| l.split(';').collect::<Vec<_>>())
        .filter(|f| f.get(2) == Some(&"Partij"))
        .enumerate()
        .map(|(i, f)| ListVotes {
            list: ListNumber(u32::try_from(i + 1).unwrap()),
            votes: f[4].parse().unwrap(),
            candidates: 1000,
        })
        .collect();
    SeatInput {
        category: ElectionCategory::TK,
        law: RemainingSeatLaw::Kieswet,
        seats: 150,
        lists,
    }
}

fn bench(c: &mut Criterion) {
    let input = tk2021();
    assert!(matches!(
        apportion_seats(&input, &[]),
        Ok(SeatOutcome::Complete(_))
    ));
    c.bench_function("apportion TK2021 (150 seats, 37 lists)", |b| {
        b.iter(|| apportion_seats(black_box(&input), &[]))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
