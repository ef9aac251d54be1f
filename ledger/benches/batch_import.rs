//! Parallel entry's benchmark (issue 18): a synthetic Amsterdam, 450 polling stations each
//! typed twice with the ballot of the Tweede Kamer 2025 kieskring Nijmegen (the real 230b:
//! 1,085 candidates), on 15 entry appliances. Every appliance's entry batch is signed with
//! its own `GSB-entry` certificate (issued by a test root); the coordinating appliance then,
//! for each batch as it comes off a stick (in memory here: the stick's reading is not
//! measured), verifies the medium (root, certificate, signature, SHA-256 of the batch, the
//! role), imports it (`tally_ledger::batch::import`: checks, placement of every entry),
//! keeps the batch file on disk and journals the record (`CoreJournal`, fsync'ed), which
//! applies it again to the ledger; the core compares every station's two entries as the second is placed. Every
//! hundredth station's second entry has a typo, so the comparison finds differences.
//!
//! Prints the time of the whole import and the peak resident memory during it (`VmHWM`,
//! reset before the import through `/proc/self/clear_refs`), for three runs. Targets: under
//! 5 s and within the appliance's 256 MB.
//!
//! Run: `cargo bench -p tally-ledger --bench batch_import`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr
)]

use std::time::Instant;

use tally_core::double_entry::{Role, Timestamp as CoreTime};
use tally_core::entry::{EntryCount, FieldId, FieldValue};
use tally_core::journal::JournalKey;
use tally_core::people::{PersonId, PersonName, PinHash, RegistryChange, RegistryEvent};
use tally_ledger::batch::{
    self, Assignment, BATCH_FILE, BatchEntry, EntryBatch, EntryOutcome, Import, ImportPolicy,
    JournalHead, ParallelRecord, Typist,
};
use tally_ledger::form::{ElectionInfo, Form};
use tally_ledger::journal::{CoreJournal, Journal};
use tally_ledger::municipal::{Loaded, Record, Slot, Status, Tally};
use tally_ledger::people::PeopleRecord;
use tally_ledger::persist::{KeptFile, persist};
use tally_signing::{
    Certificate, CertificateFields, ContentKind, MediumFile, MemorySource, SecretKey, Timestamp,
    VerifyOptions, sign_medium, verify_medium,
};

const STATIONS: u32 = 450;
const APPLIANCES: u32 = 15;
const ELECTION: &str = "TK2025";
const COORDINATOR: PersonId = PersonId(1);

fn shared(path: &str) -> Vec<u8> {
    let p = format!("{}/../../shared/eml/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// TK2025 as municipality 0668 (kieskring 6 Nijmegen) counts it, with 450 stations: no
/// real 110b is published, so the Juinen one is given TK2025's identity and 0668's code.
fn amsterdam_with_nijmegens_ballot() -> ElectionInfo {
    let juinen =
        String::from_utf8(shared("synthetic/eml110b_stembureaulijst-juinen.eml.xml")).unwrap();
    let b110 = juinen
        .replace(
            "<ElectionIdentifier Id=\"GR2025_Juinen\">",
            "<ElectionIdentifier Id=\"TK2025\">",
        )
        .replace(
            "<ElectionName>Gemeenteraad 2025 Juinen</ElectionName>",
            "<ElectionName>Tweede Kamer der Staten-Generaal 2025</ElectionName>",
        )
        .replace(
            "<ElectionCategory>GR</ElectionCategory>",
            "<ElectionCategory>TK</ElectionCategory>",
        )
        .replace(
            "<kr:ElectionSubcategory>GR2</kr:ElectionSubcategory>",
            "<kr:ElectionSubcategory>TK</kr:ElectionSubcategory>",
        )
        .replace(
            "<kr:ElectionDate>2025-08-29</kr:ElectionDate>",
            "<kr:ElectionDate>2025-10-29</kr:ElectionDate>",
        )
        .replace("Id=\"0042\">Juinen<", "Id=\"0668\">West Maas en Waal<")
        .into_bytes();
    let a = shared("real/Verkiezingsdefinitie_TK2025.eml.xml");
    let l = shared("real/Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let files: [(&str, &[u8]); 3] = [
        ("Verkiezingsdefinitie_TK2025.eml.xml", &a),
        ("Kandidatenlijsten_TK2025_Nijmegen.eml.xml", &l),
        ("Stembureaus_TK2025_0668.eml.xml", &b110),
    ];
    let mut info = tally_ledger::medium::municipal(&files, "0668")
        .unwrap()
        .info;
    let template = info.stations[0].clone();
    info.stations = (1..=STATIONS)
        .map(|n| {
            let mut s = template.clone();
            s.number = tally_core::ids::PollingStationNumber(n);
            s.name = format!("Stembureau {n}");
            s.eligible_voters = None;
            s
        })
        .collect();
    info
}

/// Station `s`'s paper, synthetic: every candidate 0 to 4 votes, totals adding up.
fn paper(form: &Form, s: u32, typo: bool) -> Vec<(FieldId, FieldValue)> {
    let count = |n: u64| FieldValue::Count(EntryCount::new(n).unwrap());
    let votes = |l: u32, c: u32| u64::from((s * 7 + l * 3 + c) % 5);
    let mut totals = std::collections::BTreeMap::new();
    for f in &form.fields {
        if let FieldId::CandidateVotes(l, c) = f.id {
            *totals.entry(l).or_insert(0u64) += votes(l.0, c.0);
        }
    }
    let e: u64 = totals.values().sum();
    let h = e + 3;
    form.fields
        .iter()
        .filter_map(|f| {
            let v = match f.id {
                FieldId::CandidateVotes(l, c) => {
                    count(votes(l.0, c.0) + u64::from(typo && (l.0, c.0) == (1, 1)))
                }
                FieldId::ListTotal(l) | FieldId::ListVotes(l) => count(totals[&l]),
                FieldId::VotesOnCandidates => count(e),
                FieldId::BlankVotes => count(2),
                FieldId::InvalidVotes => count(1),
                FieldId::VotesCast | FieldId::AdmittedVoters => count(h),
                FieldId::PollCards => count(h - 15),
                FieldId::ProxyCertificates => count(10),
                FieldId::VoterCards => count(5),
                FieldId::AdmittedEqualsCast => FieldValue::Mark(true),
                _ => return None,
            };
            Some((f.id, v))
        })
        .collect()
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// The entry appliance of station `s`'s entry `slot` (1 to 15): the second on the next.
fn appliance_of(s: u32, slot: Slot) -> u32 {
    match slot {
        Slot::First => s % APPLIANCES + 1,
        Slot::Second => (s + 1) % APPLIANCES + 1,
    }
}

const NAMES: [&str; 15] = [
    "Anna", "Bert", "Carla", "Daan", "Eva", "Fenna", "Gijs", "Hanna", "Ilse", "Joost", "Kees",
    "Lotte", "Mees", "Noor", "Otto",
];

/// The signed batches of the 15 appliances, as media in memory, and their total size.
fn media(info: &ElectionInfo, form: &Form, root: &SecretKey) -> (Vec<MemorySource>, usize) {
    let mut out = Vec::new();
    let mut bytes = 0;
    for k in 1..=APPLIANCES {
        let id = format!("0668-E{k}");
        let key = SecretKey::from_seed(&[u8::try_from(k).unwrap(); 32]);
        let cert = Certificate::issue(
            root,
            CertificateFields {
                role: tally_signing::Role::GsbEntry,
                identifier: id.clone(),
                name: format!("Invoer {k}"),
                election: ELECTION.into(),
                valid_from: t("2025-10-01T00:00:00Z"),
                valid_until: t("2025-11-30T23:59:59Z"),
                public_key: key.public_key(),
            },
        )
        .unwrap();
        let name = NAMES[usize::try_from(k - 1).unwrap()];
        let mut entries = Vec::new();
        for s in 1..=STATIONS {
            for slot in [Slot::First, Slot::Second] {
                if appliance_of(s, slot) != k {
                    continue;
                }
                let (typist, person) = match slot {
                    Slot::First => (format!("{name} Eerste"), PersonId(2)),
                    Slot::Second => (format!("{name} Tweede"), PersonId(3)),
                };
                entries.push(BatchEntry {
                    station: s,
                    slot,
                    fields: paper(form, s, slot == Slot::Second && s % 100 == 0),
                    typist: Typist {
                        person,
                        name: PersonName::parse(&typist).unwrap(),
                    },
                    started_at: 1_761_700_000_000 + i64::from(s),
                    finished_at: 1_761_701_000_000 + i64::from(s),
                    acknowledged: Vec::new(),
                });
            }
        }
        let batch = EntryBatch {
            format: batch::BATCH_FORMAT.into(),
            election: info.id.0.clone(),
            body: "0668".into(),
            appliance: id,
            journal: JournalHead {
                records: 1000,
                head: "ab".repeat(32),
            },
            exported_at: 1_761_702_000_000,
            entries,
        };
        let file = batch.to_bytes();
        bytes += file.len();
        let medium = sign_medium(
            ContentKind::EntryBatch,
            ELECTION,
            vec![MediumFile {
                name: BATCH_FILE.into(),
                bytes: file,
            }],
            &key,
            &cert,
            t("2025-10-29T23:00:00Z"),
        )
        .unwrap();
        out.push(medium.to_source());
    }
    (out, bytes)
}

/// The coordinator's ledger: the election loaded, its coordinator, every entry assigned.
fn coordinator(info: &ElectionInfo, dir: &std::path::Path) -> (Tally, CoreJournal) {
    let mut tally = Tally::default();
    tally.pending = Some(Loaded {
        form: Form::new(info),
        info: info.clone(),
        files: Vec::new(),
    });
    let mut journal = CoreJournal::new(&dir.join("journal"));
    journal
        .bind([6; 32], Some(&JournalKey::new(&[9; 32])))
        .unwrap();
    let mut head = None;
    let records = [
        Record::ElectionLoaded {
            election: info.id.clone(),
            files: Vec::new(),
        },
        Record::People(PeopleRecord::Registry {
            event: RegistryEvent {
                by: None,
                at: CoreTime(0),
                change: RegistryChange::PersonRegistered {
                    id: COORDINATOR,
                    name: PersonName::parse("Carla").unwrap(),
                    role: Role::Coordinator,
                    pin_hash: PinHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into())
                        .unwrap(),
                },
            },
        }),
        Record::Parallel(ParallelRecord::Assigned {
            assignments: (1..=STATIONS)
                .flat_map(|s| {
                    [Slot::First, Slot::Second].map(|slot| Assignment {
                        station: s,
                        slot,
                        appliance: format!("0668-E{}", appliance_of(s, slot)),
                    })
                })
                .collect(),
            by: COORDINATOR,
            at: 0,
        }),
    ];
    for r in &records {
        persist(&mut tally, &mut head, &mut journal, r, None).unwrap();
    }
    (tally, journal)
}

/// Peak resident memory so far (kB), from `/proc/self/status`.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak to the current resident memory (Linux: `5` to `clear_refs`).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn main() {
    let info = amsterdam_with_nijmegens_ballot();
    let form = Form::new(&info);
    let candidates = form
        .fields
        .iter()
        .filter(|f| matches!(f.id, FieldId::CandidateVotes(..)))
        .count();
    let root = SecretKey::from_seed(&[1; 32]);
    let (media, bytes) = media(&info, &form, &root);
    println!(
        "batch_import: {STATIONS} stations typed twice, {} lists, {candidates} candidates, {} fields an entry; {} batches, {:.1} MB of batch files",
        form.lists.len(),
        form.fields.len(),
        media.len(),
        bytes as f64 / 1e6
    );
    let root_pub = root.public_key();
    let mut times = Vec::new();
    for run in 1..=3 {
        let dir = tempfile::tempdir().unwrap();
        let (mut tally, mut journal) = coordinator(&info, dir.path());
        let mut head = None;
        let reset = reset_peak();
        let before = peak_rss_kb().unwrap_or(0);
        let start = Instant::now();
        let mut placed = 0usize;
        for source in &media {
            let mut opts = VerifyOptions::new(&root_pub, t("2025-10-30T01:00:00Z"));
            opts.expected_election = Some(ELECTION);
            opts.expected_kind = Some(ContentKind::EntryBatch);
            let verified = verify_medium(source, &opts).unwrap();
            let file = verified.file(BATCH_FILE).unwrap();
            let import = batch::import(
                &tally,
                verified.signer().identifier(),
                &file.bytes,
                ImportPolicy::default(),
                COORDINATOR,
                1_761_703_000_000,
            )
            .unwrap();
            let Import::New { record, outcome } = import else {
                panic!("already imported");
            };
            assert_eq!(outcome.refused().count(), 0);
            placed += outcome.count(|o| matches!(o, EntryOutcome::Placed | EntryOutcome::Held));
            // Kept in the data directory under its SHA-256, then journaled with it.
            let Record::Parallel(ParallelRecord::BatchImported { sha256, .. }) = &record else {
                panic!("{record:?}");
            };
            let mut kept = std::fs::File::create(dir.path().join(sha256)).unwrap();
            std::io::Write::write_all(&mut kept, &file.bytes).unwrap();
            kept.sync_all().unwrap();
            persist(
                &mut tally,
                &mut head,
                &mut journal,
                &record,
                Some(KeptFile::Bytes(&file.bytes)),
            )
            .unwrap();
        }
        let elapsed = start.elapsed();
        let peak = peak_rss_kb().unwrap_or(0);
        let definitive = (1..=STATIONS)
            .filter(|s| tally.status(*s) == Some(Status::Definitive))
            .count();
        let different = (1..=STATIONS)
            .filter(|s| tally.status(*s) == Some(Status::EntriesDifferent))
            .count();
        assert_eq!(placed, 2 * STATIONS as usize);
        assert_eq!(different, (STATIONS / 100) as usize);
        assert_eq!(definitive + different, STATIONS as usize);
        let journal_bytes = std::fs::metadata(dir.path().join("journal"))
            .map(|m| m.len())
            .unwrap_or(0);
        println!(
            "run {run}: {} entries imported and compared in {:.3} s ({definitive} definitive, {different} with differences); journal {:.1} MB; peak RSS during the import {:.1} MB (at its start {:.1} MB{})",
            placed,
            elapsed.as_secs_f64(),
            journal_bytes as f64 / 1e6,
            peak as f64 / 1024.0,
            before as f64 / 1024.0,
            if reset {
                ""
            } else {
                "; the peak could not be reset: it is the whole run's"
            }
        );
        times.push(elapsed.as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "batch_import: median {:.3} s (target under 5 s); peak RSS of the process {:.1} MB (target within 256 MB)",
        times[1],
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<f64>().ok())
            })
            .unwrap_or(0.0)
            / 1024.0
    );
}
