//! Parallel entry (`docs/parallel-entry.md`, issue 18): one coordinating appliance and three
//! entry appliances of GSB 0042, each with its own certificate issued by a test root, its
//! own ledger and journal on disk, and a folder for its stick. Thirty Juinen stations are
//! assigned, typed twice across the appliances by different typists, exported as signed
//! entry batches and imported by the coordinator: a difference resolved as today, a station
//! whose two entries are by the same person (refused, then typed by another), a batch
//! imported twice, a cumulative batch (reconciled), a forged batch (refused by the
//! signature), a batch signed by another body's entry certificate, one naming another
//! appliance than its signer, an entry of a station assigned elsewhere and one that
//! differs from the entry in (refused, both named). The municipality's 510b equals the one
//! of a single appliance that typed the same papers, and a restart replays the same ledger.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use tally_core::double_entry::Decision;
use tally_core::entry::{FieldId, FieldValue};
use tally_core::journal::JournalKey;
use tally_core::people::{PersonId, PersonName};
use tally_ledger::batch::{
    self, Assignment, BATCH_FILE, BatchError, EntryAssignment, EntryBatch, EntryOutcome,
    EntryRefusal, Import, ImportPolicy, JournalHead, ParallelRecord,
};
use tally_ledger::form::{ElectionInfo, Form};
use tally_ledger::journal::{CoreJournal, Journal};
use tally_ledger::medium::municipal;
use tally_ledger::municipal::{Record, Slot, Status, Tally};
use tally_ledger::persist::{ChainHead, KeptFile, persist, replay};
use tally_signing::{
    Certificate, CertificateFields, ContentKind, DirSource, MediumFile, SecretKey, SignedMedium,
    Timestamp, VerifyOptions, sign_medium, verify_medium,
};

#[path = "support/paper.rs"]
mod support_paper;
use support_paper::{COORDINATOR, export_at_fixed_moment, ledger, paper, pending, typing};

const ELECTION: &str = "GR2025_Juinen";
const STATIONS: u32 = 30;
/// The station whose second entry differs (a typo in candidate 1 of list 1).
const DIFFERENT: u32 = 12;
/// The station whose second entry is typed by the first entry's typist.
const SAME_PERSON: u32 = 7;

fn demo(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../demo/files/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

const LISTS_230B: &str = "eml230b_kandidatenlijsten-juinen.eml.xml";

/// Juinen as the demo defines it, with 30 polling stations instead of its three.
fn juinen30() -> ElectionInfo {
    let names = [
        "eml110a_verkiezingsdefinitie-juinen.eml.xml",
        LISTS_230B,
        "eml110b_stembureaulijst-juinen.eml.xml",
    ];
    let files: Vec<(String, Vec<u8>)> = names.iter().map(|n| ((*n).into(), demo(n))).collect();
    let named: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let mut info = municipal(&named, "0042").unwrap().info;
    let template = info.stations[0].clone();
    info.stations = (1..=STATIONS)
        .map(|n| {
            let mut s = template.clone();
            s.number = tally_core::ids::PollingStationNumber(n);
            s.name = format!("Juinen {n}");
            s.eligible_voters = None;
            s
        })
        .collect();
    info
}

/// An appliance: its ledger, its journal on disk, its head, its key and certificate, and
/// the folder standing in for its stick.
struct Appliance {
    id: String,
    tally: Tally,
    journal: CoreJournal,
    head: Option<ChainHead>,
    key: SecretKey,
    cert: Certificate,
    stick: PathBuf,
    batches: u32,
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn now() -> Timestamp {
    t("2025-08-29T22:00:00Z")
}

fn issue(
    root: &SecretKey,
    role: tally_signing::Role,
    id: &str,
    seed: u8,
) -> (SecretKey, Certificate) {
    let key = SecretKey::from_seed(&[seed; 32]);
    let cert = Certificate::issue(
        root,
        CertificateFields {
            role,
            identifier: id.into(),
            name: format!("Juinen {id}"),
            election: ELECTION.into(),
            valid_from: t("2025-08-01T00:00:00Z"),
            valid_until: t("2025-09-30T23:59:59Z"),
            public_key: key.public_key(),
        },
    )
    .unwrap();
    (key, cert)
}

const ELECTION_HASH: [u8; 32] = [42; 32];

impl Appliance {
    fn new(
        dir: &Path,
        root: &SecretKey,
        role: tally_signing::Role,
        id: &str,
        seed: u8,
        info: &ElectionInfo,
        typists: &[&str],
    ) -> Appliance {
        let (key, cert) = issue(root, role, id, seed);
        let stick = dir.join(format!("stick-{id}"));
        std::fs::create_dir(&stick).unwrap();
        let mut journal = CoreJournal::new(&dir.join(format!("journal-{id}")));
        journal
            .bind(ELECTION_HASH, Some(&JournalKey::new(&[seed; 32])))
            .unwrap();
        let mut a = Appliance {
            id: id.into(),
            tally: pending(info),
            journal,
            head: None,
            key,
            cert,
            stick,
            batches: 0,
        };
        for r in ledger(info, typists) {
            a.persist(&r);
        }
        a
    }

    fn persist(&mut self, record: &Record) {
        self.persist_with(record, None);
    }

    fn persist_with(&mut self, record: &Record, file: Option<&[u8]>) {
        persist(
            &mut self.tally,
            &mut self.head,
            &mut self.journal,
            record,
            file.map(KeptFile::Bytes),
        )
        .unwrap_or_else(|e| panic!("{}: {record:?}: {e:?}", self.id));
    }

    /// Signs `files` as `kind` and writes the medium to the stick; its folder.
    fn write(&self, kind: ContentKind, name: &str, bytes: Vec<u8>, n: u32) -> PathBuf {
        let medium = sign_medium(
            kind,
            ELECTION,
            vec![MediumFile {
                name: name.into(),
                bytes,
            }],
            &self.key,
            &self.cert,
            now(),
        )
        .unwrap();
        let folder = self.stick.join(format!(
            "{}-{n}",
            SignedMedium::folder_name(kind, ELECTION, &self.id)
        ));
        medium.write_to_dir(&folder).unwrap();
        folder
    }

    /// The entry batch of everything complete on this appliance, as the appliance makes it.
    fn batch(&self, assignment: &EntryAssignment) -> EntryBatch {
        let head = self.head.unwrap();
        batch::entry_batch(
            &self.tally,
            assignment,
            &self.id,
            JournalHead {
                records: head.seq,
                head: hex(&head.hash),
            },
            1_756_500_000_000,
        )
        .unwrap()
    }

    /// Signs `batch` and puts it on the stick: the medium's folder.
    fn export(&mut self, batch: &EntryBatch) -> PathBuf {
        self.batches += 1;
        self.write(
            ContentKind::EntryBatch,
            BATCH_FILE,
            batch.to_bytes(),
            self.batches,
        )
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What the coordinating appliance does with a stick's medium: verify it (root, certificate,
/// signature, files, the signer's role for the kind, the election), then import it.
fn import_medium(
    coordinator: &mut Appliance,
    root: &SecretKey,
    folder: &Path,
) -> Result<Import, String> {
    let root_pub = root.public_key();
    let mut opts = VerifyOptions::new(&root_pub, now());
    opts.expected_election = Some(ELECTION);
    opts.expected_kind = Some(ContentKind::EntryBatch);
    let verified =
        verify_medium(&DirSource::new(folder), &opts).map_err(|e| format!("verify: {e:?}"))?;
    let file = verified.file(BATCH_FILE).ok_or("no batch file")?;
    let import = batch::import(
        &coordinator.tally,
        verified.signer().identifier(),
        &file.bytes,
        ImportPolicy::default(),
        COORDINATOR,
        1_756_500_100_000,
    )
    .map_err(|e| format!("import: {e:?}"))?;
    if let Import::New { record, .. } = &import {
        // The batch file is kept in the data directory under its SHA-256, then journaled.
        let Record::Parallel(ParallelRecord::BatchImported { sha256, .. }) = record else {
            panic!("{record:?}");
        };
        let kept = kept_dir(coordinator);
        std::fs::create_dir_all(&kept).unwrap();
        std::fs::write(kept.join(sha256), &file.bytes).unwrap();
        coordinator.persist_with(record, Some(&file.bytes));
    }
    Ok(import)
}

/// The coordinator's kept files (beside its stick folder, in the test's directory).
fn kept_dir(coordinator: &Appliance) -> PathBuf {
    coordinator.stick.with_file_name("kept-0042")
}

fn outcome_of(import: &Import, station: u32, slot: Slot) -> EntryOutcome {
    match import {
        Import::New { outcome, .. } => outcome
            .entries
            .iter()
            .find(|(s, sl, _)| *s == station && *sl == slot)
            .map(|(_, _, o)| o.clone())
            .unwrap_or_else(|| panic!("station {station} {slot:?} not in the batch")),
        Import::AlreadyImported { .. } => panic!("already imported"),
    }
}

fn placed_all(import: &Import) {
    let Import::New { outcome, .. } = import else {
        panic!("{import:?}");
    };
    assert_eq!(outcome.refused().count(), 0, "{outcome:?}");
}

/// Entry appliance of station `s`'s entry `slot`: first on E((s-1)%3+1), second on the next.
fn appliance_of(s: u32, slot: Slot) -> usize {
    let i = (s - 1) % 3;
    match slot {
        Slot::First => i as usize,
        Slot::Second => ((i + 1) % 3) as usize,
    }
}

/// The municipality's export (510b, report, osv4-3 CSV) from `tally`'s double entry.
fn export(tally: &Tally) -> Vec<tally_export::ExportFile> {
    let lists = demo(LISTS_230B);
    export_at_fixed_moment(
        tally,
        tally_core::eml::definition::SourceFile::new(LISTS_230B, &lists),
        false,
    )
}

#[test]
fn one_coordinating_and_three_entry_appliances_count_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let info = juinen30();
    let form = Form::new(&info);
    let root = SecretKey::from_seed(&[1; 32]);
    use tally_signing::Role as R;
    let mut coordinator = Appliance::new(dir.path(), &root, R::Gsb, "0042", 10, &info, &[]);
    // Each entry appliance's typists: the one of its first entries, the one of its seconds.
    // On E2, "ANN" is registered too: the same person as Ann of E1.
    let typists: [&[&str]; 3] = [&["Ann", "Bea"], &["Cor", "Dirk", "ANN"], &["Eva", "Fleur"]];
    let mut entry: Vec<Appliance> = (0..3)
        .map(|i| {
            Appliance::new(
                dir.path(),
                &root,
                R::GsbEntry,
                &format!("0042-E{}", i + 1),
                20 + i as u8,
                &info,
                typists[i],
            )
        })
        .collect();
    let first_typist = PersonId(2);
    let second_typist = PersonId(3);
    let ann_on_e2 = PersonId(4);

    // The coordinator assigns every entry and exports the signed assignment.
    let assignments: Vec<Assignment> = (1..=STATIONS)
        .flat_map(|s| {
            [Slot::First, Slot::Second].map(|slot| Assignment {
                station: s,
                slot,
                appliance: format!("0042-E{}", appliance_of(s, slot) + 1),
            })
        })
        .collect();
    coordinator.persist(&Record::Parallel(ParallelRecord::Assigned {
        assignments,
        by: COORDINATOR,
        at: 1_756_490_000_000,
    }));
    let assignment = batch::assignment(&coordinator.tally).unwrap();
    assert_eq!(assignment.assignments.len(), 60);
    let folder = coordinator.write(
        ContentKind::EntryAssignment,
        batch::ASSIGNMENT_FILE,
        assignment.to_bytes(),
        1,
    );
    // Each entry appliance verifies it (signed by its GSB) and reads what it may type.
    let root_pub = root.public_key();
    let mut opts = VerifyOptions::new(&root_pub, now());
    opts.expected_election = Some(ELECTION);
    opts.expected_kind = Some(ContentKind::EntryAssignment);
    opts.expected_signer = Some("0042");
    let verified = verify_medium(&DirSource::new(&folder), &opts).unwrap();
    let assignment =
        EntryAssignment::from_bytes(&verified.file(batch::ASSIGNMENT_FILE).unwrap().bytes).unwrap();
    assert_eq!(assignment.of("0042-E1").len(), 20);

    // The entry appliances type their stations: first entries by their first typist,
    // second entries by their second; station 12's second with a typo; station 7's second
    // by ANN on E2 (Ann typed its first on E1). Half, a batch, the rest, a second batch.
    let mut at = 1_756_491_000_000;
    let mut first_batches = Vec::new();
    for half in [1..=15, 16..=STATIONS] {
        for (i, appliance) in entry.iter_mut().enumerate() {
            for (s, slot) in assignment.of(&appliance.id) {
                if !half.contains(&s) {
                    continue;
                }
                let person = match (s, slot) {
                    (SAME_PERSON, Slot::Second) => ann_on_e2,
                    (_, Slot::First) => first_typist,
                    (_, Slot::Second) => second_typist,
                };
                let extra = u64::from(s == DIFFERENT && slot == Slot::Second);
                // On the entry appliance the station's one entry is its local first.
                for r in typing(&form, s, Slot::First, person, extra, at) {
                    appliance.persist(&r);
                }
                at += 10;
            }
            let b = appliance.batch(&assignment);
            let folder = appliance.export(&b);
            if half.contains(&1) {
                first_batches.push(folder);
            } else {
                let import = import_medium(&mut coordinator, &root, &folder).unwrap();
                // The second batch holds the first one's entries again: reconciled.
                let Import::New { outcome, .. } = &import else {
                    panic!("{import:?}");
                };
                assert_eq!(
                    outcome.count(|o| *o == EntryOutcome::Reconciled),
                    assignment
                        .of(&appliance.id)
                        .iter()
                        .filter(|(s, _)| *s <= 15)
                        .count()
                        - usize::from(i == 1),
                    "{}: {outcome:?}",
                    appliance.id
                );
            }
        }
        // The first batches are carried in together, in the order E3, E1, E2: a second entry
        // that comes before its first is held, and placed when the first comes.
        if half.contains(&1) {
            for i in [2, 0, 1] {
                let import = import_medium(&mut coordinator, &root, &first_batches[i]).unwrap();
                if i == 1 {
                    // E2's batch: station 7's second is Ann's again (typed as ANN).
                    match outcome_of(&import, SAME_PERSON, Slot::Second) {
                        EntryOutcome::Refused(EntryRefusal::SamePerson { other }) => {
                            assert_eq!(other.typist, "Ann");
                            assert_eq!(other.appliance.as_deref(), Some("0042-E1"));
                        }
                        other => panic!("{other:?}"),
                    }
                    let Import::New { outcome, .. } = &import else {
                        panic!()
                    };
                    assert_eq!(outcome.refused().count(), 1, "{outcome:?}");
                } else {
                    placed_all(&import);
                }
                if i == 2 {
                    // E3 holds station 2's second (E2 types its first): held.
                    assert_eq!(outcome_of(&import, 2, Slot::Second), EntryOutcome::Held);
                    assert_eq!(
                        coordinator.tally.status(2),
                        Some(Status::FirstEntryNotStarted)
                    );
                }
            }
            assert_eq!(coordinator.tally.status(2), Some(Status::Definitive));
            // A batch imported twice: nothing changes, and it says so.
            let before = coordinator.tally.clone();
            let seq = coordinator.head.unwrap().seq;
            let again = import_medium(&mut coordinator, &root, &first_batches[0]).unwrap();
            assert!(matches!(again, Import::AlreadyImported { .. }), "{again:?}");
            assert_eq!(coordinator.tally, before);
            assert_eq!(coordinator.head.unwrap().seq, seq);
        }
    }

    // Station 7: the refused entry is not in; the coordinator gives its second to E3, where
    // Eva types it.
    assert_eq!(
        coordinator.tally.status(SAME_PERSON),
        Some(Status::SecondEntryNotStarted)
    );
    coordinator.persist(&Record::Parallel(ParallelRecord::Assigned {
        assignments: vec![Assignment {
            station: SAME_PERSON,
            slot: Slot::Second,
            appliance: "0042-E3".into(),
        }],
        by: COORDINATOR,
        at,
    }));
    let assignment = batch::assignment(&coordinator.tally).unwrap();
    let e3 = &mut entry[2];
    for r in typing(&form, SAME_PERSON, Slot::First, first_typist, 0, at) {
        e3.persist(&r);
    }
    let b = e3.batch(&assignment);
    let folder = e3.export(&b);
    let import = import_medium(&mut coordinator, &root, &folder).unwrap();
    assert_eq!(
        outcome_of(&import, SAME_PERSON, Slot::Second),
        EntryOutcome::Placed
    );
    assert_eq!(
        coordinator.tally.status(SAME_PERSON),
        Some(Status::Definitive)
    );

    // Station 12: the entries differ; the coordinator keeps the first, as today.
    assert_eq!(
        coordinator.tally.status(DIFFERENT),
        Some(Status::EntriesDifferent)
    );
    coordinator.persist(&Record::Decided {
        station: DIFFERENT,
        decision: Decision::KeepFirst,
        by: COORDINATOR,
        at,
    });
    for s in 1..=STATIONS {
        assert_eq!(coordinator.tally.status(s), Some(Status::Definitive), "{s}");
    }

    // A forged batch: E1's last batch with one number changed: the signature no longer
    // holds, nothing is imported.
    let last_e1 = entry[0].stick.join(format!(
        "{}-2",
        SignedMedium::folder_name(ContentKind::EntryBatch, ELECTION, "0042-E1")
    ));
    let forged = dir.path().join("forged.tally");
    std::fs::create_dir(&forged).unwrap();
    for f in std::fs::read_dir(&last_e1).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), forged.join(f.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(forged.join(BATCH_FILE)).unwrap();
    let changed = text.replacen("{\"count\":11}", "{\"count\":12}", 1);
    assert_ne!(changed, text);
    std::fs::write(forged.join(BATCH_FILE), changed).unwrap();
    let before = coordinator.tally.clone();
    let err = import_medium(&mut coordinator, &root, &forged).unwrap_err();
    assert!(err.contains("FileHashMismatch"), "{err}");
    assert_eq!(coordinator.tally, before);

    // A batch signed by another body's entry certificate (0043-E1), however it names
    // itself: verified (the role may sign batches), refused by the import.
    let mut other_body = Appliance::new(dir.path(), &root, R::GsbEntry, "0043-E1", 40, &info, &[]);
    let b = entry[0].batch(&assignment);
    let folder = other_body.export(&b);
    assert_eq!(
        import_medium(&mut coordinator, &root, &folder).unwrap_err(),
        format!(
            "import: {:?}",
            BatchError::OtherBody {
                batch: "0042".into(),
                signer: "0043-E1".into(),
                body: "0042".into()
            }
        )
    );
    // E1's batch signed by E2: refused, the signer is not the appliance it names.
    let folder = entry[1].export(&b);
    assert_eq!(
        import_medium(&mut coordinator, &root, &folder).unwrap_err(),
        format!(
            "import: {:?}",
            BatchError::OtherSigner {
                batch: "0042-E1".into(),
                signer: "0042-E2".into(),
            }
        )
    );
    // E3 sends an entry of station 1's first (assigned to E1), and E1 one of its entries
    // changed: each refused, and named.
    let mut b3 = entry[2].batch(&assignment);
    let mut foreign = b3.entries[0].clone();
    foreign.station = 1;
    foreign.slot = Slot::First;
    b3.entries.push(foreign);
    let folder = entry[2].export(&b3);
    let import = import_medium(&mut coordinator, &root, &folder).unwrap();
    assert_eq!(
        outcome_of(&import, 1, Slot::First),
        EntryOutcome::Refused(EntryRefusal::NotAssigned {
            assigned: Some("0042-E1".into())
        })
    );
    let mut b1 = entry[0].batch(&assignment);
    b1.entries[0].finished_at += 1;
    let (s, slot) = (b1.entries[0].station, b1.entries[0].slot);
    let folder = entry[0].export(&b1);
    let import = import_medium(&mut coordinator, &root, &folder).unwrap();
    assert!(
        matches!(
            outcome_of(&import, s, slot),
            EntryOutcome::Refused(EntryRefusal::Differs { present, offered })
                if present.appliance.as_deref() == Some("0042-E1")
                    && offered.appliance.as_deref() == Some("0042-E1")
                    && offered.typist == present.typist
        ),
        "{import:?}"
    );

    // A single appliance typing the same papers (the difference resolved the same way).
    let mut single = pending(&info);
    let mut records = ledger(&info, &["Ann", "Bea"]);
    for s in 1..=STATIONS {
        records.extend(typing(&form, s, Slot::First, first_typist, 0, 5));
        let extra = u64::from(s == DIFFERENT);
        records.extend(typing(&form, s, Slot::Second, second_typist, extra, 9));
    }
    records.push(Record::Decided {
        station: DIFFERENT,
        decision: Decision::KeepFirst,
        by: COORDINATOR,
        at: 20,
    });
    for r in &records {
        single.apply(r).unwrap_or_else(|e| panic!("{r:?}: {e}"));
    }
    let ours = export(&coordinator.tally);
    let theirs = export(&single);
    assert_eq!(ours.len(), 3);
    // The 510b and the osv4-3 CSV; not the report, which prints the proceedings (the
    // decision on station 12 with its time, taken at another moment here).
    for i in [0, 2] {
        assert_eq!(ours[i].name, theirs[i].name);
        assert!(
            ours[i].bytes == theirs[i].bytes,
            "{} of the parallel count differs from the single appliance's",
            ours[i].name
        );
    }
    assert!(
        ours[0].name.starts_with("Telling_GR2025_Juinen"),
        "{}",
        ours[0].name
    );
    assert!(ours[2].name.starts_with("osv4-3"), "{}", ours[2].name);

    // A restart: the journal on disk replays to the same ledger and head.
    let mut journal = CoreJournal::new(&dir.path().join("journal-0042"));
    journal
        .bind(ELECTION_HASH, Some(&JournalKey::new(&[10; 32])))
        .unwrap();
    let mut again = pending(&info);
    let mut head = None;
    let kept = kept_dir(&coordinator);
    replay::<_, _, std::io::Error>(&mut again, &mut head, &mut journal, |r| match r {
        Record::Parallel(ParallelRecord::BatchImported { sha256, .. }) => {
            Ok(Some(kept.join(sha256)))
        }
        _ => Ok(None),
    })
    .unwrap();
    assert_eq!(again, coordinator.tally);
    assert_eq!(head, coordinator.head);
    assert_eq!(again.parallel, coordinator.tally.parallel);
    // The forged and refused batches left no trace; the imported ones are on record.
    assert_eq!(again.parallel.batches.len(), 3 + 3 + 1 + 2);
}

/// A hand-made batch of `appliance` with these entries (station, slot, typist, extra).
fn hand_batch(
    form: &Form,
    appliance: &str,
    at: i64,
    entries: &[(u32, Slot, &str, u64)],
) -> EntryBatch {
    EntryBatch {
        format: batch::BATCH_FORMAT.into(),
        election: ELECTION.into(),
        body: "0042".into(),
        appliance: appliance.into(),
        journal: JournalHead {
            records: 1,
            head: "00".repeat(32),
        },
        exported_at: at,
        entries: entries
            .iter()
            .map(|(s, slot, name, extra)| batch::BatchEntry {
                station: *s,
                slot: *slot,
                fields: paper(form, *s, *extra),
                typist: batch::Typist {
                    // One id per first letter: Ann and Bea are two people of one appliance.
                    person: PersonId(u32::from(name.as_bytes()[0])),
                    name: PersonName::parse(name).unwrap(),
                },
                started_at: at,
                finished_at: at + 1,
                acknowledged: Vec::new(),
            })
            .collect(),
    }
}

fn import_direct(tally: &mut Tally, b: &EntryBatch, policy: ImportPolicy) -> Import {
    let bytes = b.to_bytes();
    let import = batch::import(tally, &b.appliance, &bytes, policy, COORDINATOR, 0).unwrap();
    if let Import::New { record, .. } = &import {
        tally.apply_with(record, Some(&bytes)).unwrap();
    }
    import
}

#[test]
fn one_appliance_types_a_station_once_unless_allowed_and_a_discarded_entry_stays_out() {
    let info = juinen30();
    let form = Form::new(&info);
    let mut tally = pending(&info);
    for r in ledger(&info, &[]) {
        tally.apply(&r).unwrap();
    }
    let assign = |v: &[(u32, Slot, &str)]| {
        Record::Parallel(ParallelRecord::Assigned {
            assignments: v
                .iter()
                .map(|(station, slot, a)| Assignment {
                    station: *station,
                    slot: *slot,
                    appliance: (*a).into(),
                })
                .collect(),
            by: COORDINATOR,
            at: 0,
        })
    };
    tally
        .apply(&assign(&[
            (1, Slot::First, "0042-E1"),
            (1, Slot::Second, "0042-E1"),
            (2, Slot::First, "0042-E1"),
            (2, Slot::Second, "0042-E2"),
        ]))
        .unwrap();
    // Only entry appliances of this body are assigned.
    assert!(
        tally
            .apply(&assign(&[(3, Slot::First, "0043-E1")]))
            .is_err()
    );
    assert!(
        tally
            .apply(&assign(&[(31, Slot::First, "0042-E1")]))
            .is_err()
    );

    // Station 1 typed twice on E1: the second refused by default.
    let entries = [
        (1, Slot::First, "Ann", 0),
        (1, Slot::Second, "Bea", 0),
        (2, Slot::First, "Ann", 0),
    ];
    let b = hand_batch(&form, "0042-E1", 100, &entries);
    let import = import_direct(&mut tally, &b, ImportPolicy::default());
    assert!(
        matches!(
            outcome_of(&import, 1, Slot::Second),
            EntryOutcome::Refused(EntryRefusal::SameAppliance { other })
                if other.appliance.as_deref() == Some("0042-E1") && other.typist == "Ann"
        ),
        "{import:?}"
    );
    // The same batch again, even under another policy: nothing changes.
    let before = tally.clone();
    let allowed = ImportPolicy {
        same_appliance_allowed: true,
    };
    assert!(matches!(
        import_direct(&mut tally, &b, allowed),
        Import::AlreadyImported { .. }
    ));
    assert_eq!(tally, before);
    // A later batch of E1, with the coordinator allowing it: placed; the first reconciled.
    let b = EntryBatch {
        exported_at: 200,
        ..b
    };
    let import = import_direct(&mut tally, &b, allowed);
    assert_eq!(outcome_of(&import, 1, Slot::Second), EntryOutcome::Placed);
    assert_eq!(
        outcome_of(&import, 1, Slot::First),
        EntryOutcome::Reconciled
    );
    assert_eq!(tally.status(1), Some(Status::Definitive));
    // Even when allowed, the same person does not type both (confusable names are one).
    tally
        .apply(&assign(&[
            (3, Slot::First, "0042-E1"),
            (3, Slot::Second, "0042-E1"),
        ]))
        .unwrap();
    let b = hand_batch(
        &form,
        "0042-E1",
        300,
        &[(3, Slot::First, "Ann", 0), (3, Slot::Second, "ANN", 0)],
    );
    let import = import_direct(&mut tally, &b, allowed);
    assert!(
        matches!(
            outcome_of(&import, 3, Slot::Second),
            EntryOutcome::Refused(EntryRefusal::SamePerson { .. })
        ),
        "{import:?}"
    );

    // Station 2: the entries differ, the coordinator discards both; E1's next batch still
    // holds the old first entry: it stays out; a new entry is placed.
    let b2 = hand_batch(&form, "0042-E2", 400, &[(2, Slot::Second, "Cor", 1)]);
    import_direct(&mut tally, &b2, ImportPolicy::default());
    assert_eq!(tally.status(2), Some(Status::EntriesDifferent));
    tally
        .apply(&Record::Decided {
            station: 2,
            decision: Decision::DiscardBoth,
            by: COORDINATOR,
            at: 500,
        })
        .unwrap();
    let old = hand_batch(&form, "0042-E1", 100, &[(2, Slot::First, "Ann", 0)]);
    let old = EntryBatch {
        exported_at: 600,
        ..old
    };
    let import = import_direct(&mut tally, &old, ImportPolicy::default());
    assert_eq!(
        outcome_of(&import, 2, Slot::First),
        EntryOutcome::Refused(EntryRefusal::Discarded)
    );
    let new = hand_batch(&form, "0042-E1", 700, &[(2, Slot::First, "Ann", 0)]);
    let import = import_direct(&mut tally, &new, ImportPolicy::default());
    assert_eq!(outcome_of(&import, 2, Slot::First), EntryOutcome::Placed);
    assert_eq!(tally.status(2), Some(Status::SecondEntryNotStarted));
    // E2's next batch still holds its discarded second entry: it stays out too, although
    // the station has a first entry again (it was taken for "in already" and reconciled).
    let again = EntryBatch {
        exported_at: 800,
        ..b2.clone()
    };
    let import = import_direct(&mut tally, &again, ImportPolicy::default());
    assert_eq!(
        outcome_of(&import, 2, Slot::Second),
        EntryOutcome::Refused(EntryRefusal::Discarded)
    );
    assert!(!tally.parallel.placed.contains_key(&(2, Slot::Second)));
    assert_eq!(tally.status(2), Some(Status::SecondEntryNotStarted));

    // Station 4: its second comes first (held); its first has an error (F.402: the typo
    // breaks a list's total), so the second stays held; the coordinator discards the first,
    // a new first comes, and the held second follows it.
    tally
        .apply(&assign(&[
            (4, Slot::First, "0042-E1"),
            (4, Slot::Second, "0042-E2"),
        ]))
        .unwrap();
    let second = hand_batch(&form, "0042-E2", 1300, &[(4, Slot::Second, "Cor", 0)]);
    let import = import_direct(&mut tally, &second, ImportPolicy::default());
    assert_eq!(outcome_of(&import, 4, Slot::Second), EntryOutcome::Held);
    let wrong = hand_batch(&form, "0042-E1", 1400, &[(4, Slot::First, "Ann", 1)]);
    let import = import_direct(&mut tally, &wrong, ImportPolicy::default());
    assert_eq!(outcome_of(&import, 4, Slot::First), EntryOutcome::Placed);
    assert_eq!(tally.status(4), Some(Status::FirstEntryHasErrors));
    assert!(tally.parallel.held.contains_key(&4));
    tally
        .apply(&Record::Decided {
            station: 4,
            decision: Decision::DiscardFirst,
            by: COORDINATOR,
            at: 1500,
        })
        .unwrap();
    let right = hand_batch(&form, "0042-E1", 1600, &[(4, Slot::First, "Ann", 0)]);
    let import = import_direct(&mut tally, &right, ImportPolicy::default());
    assert_eq!(outcome_of(&import, 4, Slot::First), EntryOutcome::Placed);
    assert_eq!(tally.status(4), Some(Status::Definitive));
    assert!(tally.parallel.held.is_empty());

    // A field not on a municipal council's form (C), an unknown finding, an entry twice.
    let mut bad = hand_batch(&form, "0042-E2", 800, &[(2, Slot::Second, "Cor", 0)]);
    bad.entries[0]
        .fields
        .push((FieldId::VoterCards, FieldValue::Empty));
    let import = import_direct(&mut tally, &bad, ImportPolicy::default());
    assert_eq!(
        outcome_of(&import, 2, Slot::Second),
        EntryOutcome::Refused(EntryRefusal::BadField {
            field: FieldId::VoterCards
        })
    );
    let mut bad = hand_batch(&form, "0042-E2", 900, &[(2, Slot::Second, "Cor", 0)]);
    bad.entries[0].acknowledged.push("F.201".into());
    let import = import_direct(&mut tally, &bad, ImportPolicy::default());
    assert_eq!(
        outcome_of(&import, 2, Slot::Second),
        EntryOutcome::Refused(EntryRefusal::BadFinding("F.201".into()))
    );
    let twice = hand_batch(
        &form,
        "0042-E2",
        1000,
        &[(2, Slot::Second, "Cor", 0), (2, Slot::Second, "Cor", 0)],
    );
    assert_eq!(
        batch::import(
            &tally,
            "0042-E2",
            &twice.to_bytes(),
            ImportPolicy::default(),
            COORDINATOR,
            0
        ),
        Err(BatchError::Twice {
            station: 2,
            slot: Slot::Second
        })
    );
    // Unknown fields in the file, another format, another election: refused as a whole.
    let text = String::from_utf8(twice.to_bytes()).unwrap();
    for (bytes, what) in [
        (text.replacen("{", "{\"extra\":1,", 1), "unknown field"),
        (
            text.replace(batch::BATCH_FORMAT, "tally-entry-batch v9"),
            "v9",
        ),
    ] {
        let e = batch::import(
            &tally,
            "0042-E2",
            bytes.as_bytes(),
            ImportPolicy::default(),
            COORDINATOR,
            0,
        )
        .unwrap_err();
        assert!(matches!(e, BatchError::Format(_)), "{what}: {e:?}");
    }
    let other = EntryBatch {
        election: "GR2026_Juinen".into(),
        ..hand_batch(&form, "0042-E2", 1100, &[(2, Slot::Second, "Cor", 0)])
    };
    assert!(matches!(
        batch::import(
            &tally,
            "0042-E2",
            &other.to_bytes(),
            ImportPolicy::default(),
            COORDINATOR,
            0
        ),
        Err(BatchError::OtherElection { .. })
    ));
    let good = hand_batch(&form, "0042-E2", 1200, &[(2, Slot::Second, "Cor", 0)]);
    let Import::New { record, .. } = batch::import(
        &tally,
        "0042-E2",
        &good.to_bytes(),
        ImportPolicy::default(),
        COORDINATOR,
        0,
    )
    .unwrap() else {
        panic!()
    };
    // Without its kept file, or with another file, the record does not apply.
    assert!(tally.clone().apply(&record).is_err());
    assert!(
        tally
            .clone()
            .apply_with(&record, Some(&twice.to_bytes()))
            .is_err()
    );
    tally.apply_with(&record, Some(&good.to_bytes())).unwrap();
    assert_eq!(tally.status(2), Some(Status::Definitive));
    // A journal holding the same import twice does not replay.
    assert!(tally.apply_with(&record, Some(&good.to_bytes())).is_err());
}

/// The progress the coordinator sees (`tally_ledger::progress`): round robin over twelve
/// appliances puts a station's two entries on two of them, gives a station with one entry
/// assigned its other entry elsewhere, and lists the appliances by number (E10 after E9),
/// each with the stations it holds and, once entries are in, what it delivered.
#[test]
fn progress_round_robin_and_the_appliances_by_number() {
    use tally_ledger::progress::{self, Half};
    let info = juinen30();
    let form = Form::new(&info);
    let mut tally = pending(&info);
    for r in ledger(&info, &[]) {
        tally.apply(&r).unwrap();
    }
    let assign = |list: Vec<Assignment>| {
        Record::Parallel(ParallelRecord::Assigned {
            assignments: list,
            by: COORDINATOR,
            at: 0,
        })
    };
    // Station 1's second entry on E1 first.
    tally
        .apply(&assign(vec![Assignment {
            station: 1,
            slot: Slot::Second,
            appliance: "0042-E1".into(),
        }]))
        .unwrap();
    // Every station has an entry assigned nowhere, none is definitive or differs.
    let none = progress::Summary {
        stations: 30,
        unassigned: 30,
        ..Default::default()
    };
    assert_eq!(progress::Summary::of(&progress::rows(&tally)), none);
    let list = progress::round_robin(&tally, 12);
    assert_eq!(list.len(), 59);
    tally.apply(&assign(list)).unwrap();
    for s in 1..=STATIONS {
        let first = &tally.parallel.assigned[&(s, Slot::First)];
        assert_ne!(first, &tally.parallel.assigned[&(s, Slot::Second)], "{s}");
    }
    let assigned = progress::Summary::of(&progress::rows(&tally));
    assert_eq!(assigned.unassigned, 0);
    assert!(progress::round_robin(&tally, 12).is_empty());
    let rows = progress::rows(&tally);
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[1].first, Half::Assigned("0042-E2".into()));
    let appliances = progress::appliances(&rows);
    let names: Vec<&str> = appliances.iter().map(|a| a.appliance.as_str()).collect();
    assert_eq!(names.len(), 12);
    assert_eq!(&names[8..], ["0042-E9", "0042-E10", "0042-E11", "0042-E12"]);
    // Every station is held by two appliances; nothing delivered yet.
    assert_eq!(appliances.iter().map(|a| a.holds.len()).sum::<usize>(), 60);
    assert!(appliances.iter().all(|a| a.delivered == 0));
    // E2 delivers station 2's first entry: in, and no longer held by E2.
    let e2 = hand_batch(&form, "0042-E2", 100, &[(2, Slot::First, "Ann", 0)]);
    import_direct(&mut tally, &e2, ImportPolicy::default());
    let rows = progress::rows(&tally);
    assert!(
        matches!(&rows[1].first, Half::In { appliance: Some(a), typist } if a == "0042-E2" && typist == "Ann")
    );
    let e2row = progress::appliances(&rows)
        .into_iter()
        .find(|a| a.appliance == "0042-E2")
        .unwrap();
    assert_eq!(e2row.delivered, 1);
    assert!(!e2row.holds.contains(&2));
    // The progress overview (PDF) of these rows, one file; none without an election.
    let created = tally_export::Created {
        at: 1_756_508_400,
        eml: "2025-08-29T23:00:00".into(),
        report: tally_export::CreationTime::new(2025, 8, 29, 23, 0, 0).unwrap(),
        journal: None,
    };
    let election = info.election.as_ref().unwrap();
    let files = progress::overview_files(&tally, election, &created, true).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].name, "DEMO_Voortgangsoverzicht.pdf");
    assert!(files[0].bytes.starts_with(b"%PDF"));
    let files = progress::overview_files(&tally, election, &created, false).unwrap();
    assert_eq!(files[0].name, "Voortgangsoverzicht.pdf");
    assert_eq!(
        progress::overview_files(&Tally::default(), election, &created, false),
        Err(tally_export::ExportError::Incomplete)
    );
}
