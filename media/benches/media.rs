//! What the media layer costs on top of the signing crate: classification of a recorded disk,
//! a superblock probe, and importing a real signed 510b count (730 KB) from a demo folder through
//! the capped reader with auditing, against the signing crate reading the same folder directly.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use tally_media::audit::MemoryAudit;
use tally_media::detect::{DiskRecord, Policy, classify};
use tally_media::fsprobe::probe_bytes;
use tally_media::medium::{FolderMedium, Medium};
use tally_media::reader::ReadLimits;
use tally_media::signed::verify_signed;
use tally_signing::{
    Certificate, CertificateFields, ContentKind, DirSource, MediumFile, Role, SecretKey,
    SignedMedium, Timestamp, VerifyOptions, sign_medium, verify_medium,
};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn bench(c: &mut Criterion) {
    let record: DiskRecord = serde_json::from_slice(&fixture(
        "tests/fixtures/detect/qemu-usb-vfat-partition.json",
    ))
    .unwrap();
    c.bench_function("classify a recorded usb stick", |b| {
        b.iter(|| classify(std::hint::black_box(&record), &Policy::default()))
    });
    let fat = fixture("tests/fixtures/fat32-head.bin");
    c.bench_function("probe a fat32 superblock", |b| {
        b.iter(|| probe_bytes(std::hint::black_box(&fat)))
    });

    let election = "GR2022_WestMaasenWaal";
    let root = SecretKey::from_seed(&[1; 32]);
    let body = SecretKey::from_seed(&[2; 32]);
    let cert = Certificate::issue(
        &root,
        CertificateFields {
            role: Role::Gsb,
            identifier: "0668".into(),
            name: "Gemeente West Maas en Waal".into(),
            election: election.into(),
            valid_from: Timestamp::parse("2022-03-01T00:00:00Z").unwrap(),
            valid_until: Timestamp::parse("2022-04-01T00:00:00Z").unwrap(),
            public_key: body.public_key(),
        },
    )
    .unwrap();
    let count = fixture("../../shared/eml/real/Telling_GR2022_WestMaasenWaal.eml.xml");
    let medium = sign_medium(
        ContentKind::Results510b,
        election,
        vec![MediumFile {
            name: "Telling_GR2022_WestMaasenWaal.eml.xml".into(),
            bytes: count,
        }],
        &body,
        &cert,
        Timestamp::parse("2022-03-17T20:00:00Z").unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let folder = SignedMedium::folder_name(ContentKind::Results510b, election, "0668");
    medium.write_to_dir(&dir.path().join(&folder)).unwrap();
    let root_pub = root.public_key();
    let opts = VerifyOptions::new(&root_pub, Timestamp::parse("2022-03-18T09:00:00Z").unwrap());
    let stick = FolderMedium::new(dir.path());
    c.bench_function("import a signed 510b count (730 KB) via media", |b| {
        b.iter(|| {
            let mut audit = MemoryAudit::default();
            let session = stick
                .open_import(ReadLimits::default(), &mut audit)
                .unwrap();
            let v = verify_signed(&session, &folder, &opts, &mut audit).unwrap();
            session.close(&mut audit).unwrap();
            v
        })
    });
    let source = DirSource::new(dir.path().join(&folder));
    c.bench_function("same medium via the signing crate's DirSource", |b| {
        b.iter(|| verify_medium(&source, &opts).unwrap())
    });
}

/// The chained audit log (docs/audit.md): a line written (tail read, HMAC, write, fdatasync)
/// into a log of 25,000 lines, and the whole 25,000-line log checked with the key.
fn audit(c: &mut Criterion) {
    use tally_media::audit::{AuditEvent, AuditSink, JsonLinesAudit};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let key = tally_core::audit::AuditKey::new(&[7; 32]);
    let mut state = tally_core::audit::ChainState::default();
    let mut text = String::new();
    for i in 0..25_000u32 {
        let event = AuditEvent::record(
            "entry_started",
            Some("Anna".into()),
            format!("station {}, first entry", i % 400),
        );
        let json = serde_json::to_string(&event).unwrap();
        let (line, next) = tally_core::audit::seal(&json, state, Some(&key));
        state = next;
        text.push_str(&line);
    }
    std::fs::write(&path, &text).unwrap();
    let mut g = c.benchmark_group("audit");
    g.sample_size(20);
    g.bench_function("check_25000_lines_with_the_key", |b| {
        b.iter(|| tally_core::audit::check(text.as_bytes(), Some(&key)));
    });
    let mut log = JsonLinesAudit::open(&path)
        .unwrap()
        .with_key(Some(key.clone()));
    g.bench_function("append_one_line_synced", |b| {
        b.iter(|| {
            log.record(AuditEvent::record(
                "entry_finished",
                Some("Anna".into()),
                "station 1",
            ))
            .unwrap();
        });
    });
    g.finish();
}

criterion_group!(benches, bench, audit);
criterion_main!(benches);
