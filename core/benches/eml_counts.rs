//! Reading and writing the largest real 510: the 9.9 MB 510b of Groningen 2022
//! (180 polling stations), and the national 510d of TK2021.
//!
//! `cargo bench -p tally-core --bench eml_counts`

// A bench is test code: a missing file is a failed bench, not a crash of the appliance.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use eml_nl::documents::election_count::ElectionCount;
use eml_nl::io::{EMLParsingMode, EMLRead as _};
use tally_core::counts::check_arithmetic;
use tally_core::eml::count::{read_count, read_count_eml_nl, write_count};

fn real(name: &str) -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/").to_owned() + name)
        .expect("the shared real EML files")
}

fn groningen(c: &mut Criterion) {
    let bytes = real("Telling_GR2022_Groningen.eml.xml");
    let text = std::str::from_utf8(&bytes).unwrap();
    let file = read_count(&bytes).unwrap();

    c.bench_function("GR2022 Groningen 510b: eml-nl parse only (Strict)", |b| {
        b.iter(|| {
            ElectionCount::parse_eml(black_box(text), EMLParsingMode::Strict)
                .ok()
                .unwrap()
        })
    });
    c.bench_function(
        "GR2022 Groningen 510b: read_count_eml_nl (guards + eml-nl + domain)",
        |b| b.iter(|| read_count_eml_nl(black_box(&bytes)).unwrap()),
    );
    c.bench_function(
        "GR2022 Groningen 510b: read_count (guards + own streaming reader)",
        |b| b.iter(|| read_count(black_box(&bytes)).unwrap()),
    );
    c.bench_function("GR2022 Groningen 510b: check_arithmetic", |b| {
        b.iter(|| check_arithmetic(black_box(&file)))
    });
    c.bench_function("GR2022 Groningen 510b: write_count (eml-nl writer)", |b| {
        b.iter(|| write_count(black_box(&file)).unwrap())
    });
}

fn national(c: &mut Criterion) {
    let bytes = real("Totaaltelling_TK2021.eml.xml");
    let file = read_count(&bytes).unwrap();
    c.bench_function(
        "TK2021 510d national: read_count (own streaming reader)",
        |b| b.iter(|| read_count(black_box(&bytes)).unwrap()),
    );
    c.bench_function("TK2021 510d national: write_count (own writer)", |b| {
        b.iter(|| write_count(black_box(&file)).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(10));
    targets = groningen, national
}
criterion_main!(benches);
