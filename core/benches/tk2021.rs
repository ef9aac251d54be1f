//! Benchmark: the Tweede Kamer 2021 result from its published files: read the 110a and
//! the 3.4 MB national total (510d, own quick-xml reader), apportion the 150 seats and
//! elect the candidates of every list that can be elected here. Parsing included.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tally_core::aggregate::outcome::{Computation, SeatRules, compute_result};
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_definition};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/");

fn bench(c: &mut Criterion) {
    let def = std::fs::read(format!("{DIR}Verkiezingsdefinitie_TK2021.eml.xml")).unwrap();
    let total = std::fs::read(format!("{DIR}Totaaltelling_TK2021.eml.xml")).unwrap();
    let mut group = c.benchmark_group("tk2021");
    group.sample_size(20);
    group.bench_function("parse 110a + 510d, apportion, elect", |b| {
        b.iter(|| {
            let election = load_definition(&SourceFile::new("110a", black_box(&def))).unwrap();
            let count = read_count(black_box(&total)).unwrap();
            let r = compute_result(SeatRules::of(&election), &count, &[], &[]).unwrap();
            assert!(matches!(r, Computation::Complete(_)));
            r
        })
    });
    let election = load_definition(&SourceFile::new("110a", &def)).unwrap();
    let count = read_count(&total).unwrap();
    group.bench_function("apportion and elect only (parsed 510d)", |b| {
        b.iter(|| compute_result(SeatRules::of(&election), black_box(&count), &[], &[]).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
