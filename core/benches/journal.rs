//! Rebuilding a Groningen-sized municipality (180 polling stations, 16 lists, every
//! station entered twice field by field: about 150,000 events) from its journal file, and
//! producing its 510b (adding up, arithmetic check, EML writer).
//!
//! The events are made from the published `Telling_GR2022_Groningen.eml.xml`.
//! Run: `cargo bench -p tally-core --bench journal`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{Criterion, criterion_group, criterion_main};
use tally_core::counts::{CountFile, VoteCounts};
use tally_core::double_entry::{Action, DataEntry, Event, Role, Timestamp, UserName};
use tally_core::eml::count::{read_count, write_count};
use tally_core::entry::{EntryCount, EntryShape, ExplanationKind, FieldId, FieldValue};
use tally_core::ids::{MunicipalityCode, PollingStationNumber};
use tally_core::journal::codec::encode_event;
use tally_core::journal::events::EntryJournal;
use tally_core::journal::{JournalKey, JournalWriter, encode_record, header, start_hash};
use tally_core::municipal::{MunicipalitySpec, StationInfo, count_file, municipal_total};

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/eml/real/Telling_GR2022_Groningen.eml.xml"
);
const ELECTION: [u8; 32] = [7; 32];
const KEY: [u8; 32] = [9; 32];

/// The 25,000-record journal of the #14 benchmark (a Tweede Kamer municipality of about
/// 11 polling stations typed twice is that size): the first 25,000 events of the session.
const RECORDS_25K: usize = 25_000;

fn typing(station: PollingStationNumber, typist: &str, c: &VoteCounts, out: &mut Vec<Event>) {
    let user = UserName(typist.into());
    let mut push = |action: Action| {
        out.push(Event {
            station,
            user: user.clone(),
            role: Role::Typist,
            at: Timestamp(0),
            action,
        });
    };
    push(Action::StartEntry);
    let mut count = |field: FieldId, n: u64| {
        push(Action::SetField {
            field,
            value: FieldValue::Count(EntryCount::new(n).unwrap()),
        })
    };
    let v = &c.voters;
    let d = v.admitted_voters.unwrap();
    let h = c.total_counted + c.blank + c.invalid;
    count(FieldId::PollCards, v.poll_cards.unwrap());
    count(FieldId::ProxyCertificates, v.proxy_certificates.unwrap());
    count(FieldId::AdmittedVoters, d);
    for l in &c.lists {
        count(FieldId::ListVotes(l.list), l.total);
    }
    count(FieldId::VotesOnCandidates, c.total_counted);
    count(FieldId::BlankVotes, c.blank);
    count(FieldId::InvalidVotes, c.invalid);
    count(FieldId::VotesCast, h);
    count(FieldId::MoreBallotsCounted, v.more_ballots_counted.unwrap());
    count(
        FieldId::FewerBallotsCounted,
        v.fewer_ballots_counted.unwrap(),
    );
    for (code, n) in &v.other {
        count(
            FieldId::Explanation(ExplanationKind::from_reason_code(code).unwrap()),
            *n,
        );
    }
    for l in &c.lists {
        for (r, n) in &l.candidates {
            count(FieldId::CandidateVotes(l.list, r.position().unwrap()), *n);
        }
        count(FieldId::ListTotal(l.list), l.total);
    }
    let mut mark = |field: FieldId| {
        push(Action::SetField {
            field,
            value: FieldValue::Mark(true),
        })
    };
    mark(if d == h {
        FieldId::AdmittedEqualsCast
    } else if h > d {
        FieldId::CastGreaterThanAdmitted
    } else {
        FieldId::CastSmallerThanAdmitted
    });
    if d != h {
        mark(FieldId::DifferenceExplainedYes);
    }
    push(Action::Finalise {
        acknowledge_warnings: true,
    });
}

struct Setup {
    published: CountFile,
    shape: EntryShape,
    stations: Vec<PollingStationNumber>,
    journal: Vec<u8>,
    events: usize,
}

fn setup() -> Setup {
    let published = read_count(&std::fs::read(FILE).unwrap()).unwrap();
    let shape = EntryShape {
        has_voter_cards: false,
        lists: published
            .total
            .lists
            .iter()
            .map(|l| (l.list, l.candidates.len() as u32))
            .collect(),
    };
    let stations: Vec<PollingStationNumber> = published
        .units
        .iter()
        .map(|u| PollingStationNumber(u.id.0.split_once("::SB").unwrap().1.parse().unwrap()))
        .collect();
    let mut events = Vec::new();
    for (typist, n) in [("Anna", 0), ("Bert", 1)] {
        let _ = n;
        for (s, u) in stations.iter().zip(&published.units) {
            typing(*s, typist, &u.counts, &mut events);
        }
    }
    let key = JournalKey::new(&KEY);
    let mut journal = header(&ELECTION, &key).to_vec();
    let mut prev = start_hash(&ELECTION, &key);
    for (i, e) in events.iter().enumerate() {
        let (rec, hash) =
            encode_record(&key, &prev, i as u64 + 1, &encode_event(e).unwrap()).unwrap();
        journal.extend_from_slice(&rec);
        prev = hash;
    }
    Setup {
        published,
        shape,
        stations,
        journal,
        events: events.len(),
    }
}

fn bench(c: &mut Criterion) {
    let s = setup();
    eprintln!(
        "{} stations, {} events, journal of {} bytes",
        s.stations.len(),
        s.events,
        s.journal.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    std::fs::write(&path, &s.journal).unwrap();
    let fresh = || DataEntry::new(s.shape.clone(), s.stations.clone());
    let key = JournalKey::new(&KEY);

    // The #14 benchmark: a 25,000-record journal, opened (read, every record's HMAC-SHA-256
    // tag verified, the writer positioned) and replayed through the state machine.
    let path_25k = dir.path().join("journal-25k");
    let all = tally_core::journal::read(&s.journal, &ELECTION, &key).unwrap();
    let last = &all.records[RECORDS_25K - 1];
    let cut = last.offset as usize + last.payload.len() + tally_core::journal::RECORD_OVERHEAD;
    std::fs::write(&path_25k, &s.journal[..cut]).unwrap();
    eprintln!("25,000-record journal: {cut} bytes");
    let mut g = c.benchmark_group("journal_25000");
    g.sample_size(20);
    g.bench_function("open and verify (HMAC) 25,000 records", |b| {
        b.iter(|| {
            let (w, contents) = JournalWriter::open(&path_25k, &ELECTION, &key).unwrap();
            assert_eq!(contents.records.len(), RECORDS_25K);
            w
        })
    });
    g.bench_function(
        "open, verify and replay 25,000 records into the state",
        |b| {
            b.iter(|| {
                let (j, report) = EntryJournal::open(&path_25k, &ELECTION, &key, fresh()).unwrap();
                assert_eq!(report.events as usize, RECORDS_25K);
                j
            })
        },
    );
    g.finish();

    let mut g = c.benchmark_group("journal_groningen");
    g.sample_size(10);
    g.bench_function("rebuild state from journal file", |b| {
        b.iter(|| {
            let (j, report) = EntryJournal::open(&path, &ELECTION, &key, fresh()).unwrap();
            assert_eq!(report.events as usize, s.events);
            j
        })
    });
    let (j, _) = EntryJournal::open(&path, &ELECTION, &key, fresh()).unwrap();
    let spec = MunicipalitySpec {
        code: MunicipalityCode("0014".into()),
        stations: s
            .published
            .units
            .iter()
            .zip(&s.stations)
            .map(|(u, n)| StationInfo {
                number: *n,
                name: u.name.clone(),
                eligible_voters: u.counts.cast,
            })
            .collect(),
        list_names: s
            .published
            .total
            .lists
            .iter()
            .map(|l| (l.list, l.name.clone()))
            .collect(),
        total_cast: None,
        explanation_codes: tally_core::municipal::ExplanationCodes::EveryUnit,
    };
    g.bench_function("municipal total and 510b", |b| {
        b.iter(|| {
            let total = municipal_total(j.state(), &spec).unwrap();
            let file = count_file(total, s.published.header.clone()).unwrap();
            write_count(&file).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
