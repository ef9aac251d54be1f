//! Verifying a signed medium holding the 9.9 MB 510b of Groningen (GR2022): from a
//! folder (read once, hashed, signatures checked) and from memory.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use tally_signing::*;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/eml/real/Telling_GR2022_Groningen.eml.xml"
);

fn bench(c: &mut Criterion) {
    let t = |s: &str| Timestamp::parse(s).unwrap();
    let root = SecretKey::from_seed(&[1; 32]);
    let body = SecretKey::from_seed(&[2; 32]);
    let election = "GR2022_Groningen";
    let cert = Certificate::issue(
        &root,
        CertificateFields {
            role: Role::Gsb,
            identifier: "0014".into(),
            name: "Gemeente Groningen".into(),
            election: election.into(),
            valid_from: t("2022-03-01T00:00:00Z"),
            valid_until: t("2022-04-30T00:00:00Z"),
            public_key: body.public_key(),
        },
    )
    .unwrap();
    let bytes = std::fs::read(FILE).unwrap();
    let medium = sign_medium(
        ContentKind::Results510b,
        election,
        vec![MediumFile {
            name: "Telling_GR2022_Groningen.eml.xml".into(),
            bytes,
        }],
        &body,
        &cert,
        t("2022-03-17T20:00:00Z"),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m.tally");
    medium.write_to_dir(&dir).unwrap();
    let source = DirSource::new(&dir);
    let memory = medium.to_source();
    let root_pub = root.public_key();
    let mut opts = VerifyOptions::new(&root_pub, t("2022-03-18T09:00:00Z"));
    opts.expected_election = Some(election);
    let mut group = c.benchmark_group("verify_510b_groningen");
    group.sample_size(30);
    group.bench_function("folder", |b| {
        b.iter(|| verify_medium(&source, &opts).unwrap())
    });
    group.bench_function("memory", |b| {
        b.iter(|| verify_medium(&memory, &opts).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
