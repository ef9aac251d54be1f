//! Keystroke latency: one key through `update` plus a full render (ratatui TestBackend,
//! 80x24) on the candidate-entry screen of a list of 50 candidates.
//!
//! Measured twice: wall time (criterion's default) and the thread's CPU time, which a
//! machine shared with other jobs does not inflate.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;
use tally_core::double_entry::{Role, Timestamp};
use tally_core::people::{PersonId, PersonName, PinHash};
use tally_ledger::people::PeopleRecord;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tally_core::election::{Candidate, ElectionCategory, PoliticalList, PollingStation};
use tally_core::entry::FieldId;
use tally_core::ids::{CandidatePosition, ListNumber, PollingStationNumber};
use tally_ledger::journal::MemoryJournal;
use tally_ledger::municipal::{Loaded, Place, Record, Slot};
use tally_tui::app::{Event, Municipal, MunicipalServices, State};
use tally_tui::form::{ElectionInfo, Form};
use tally_tui::services::{ExportDone, Identity, Medium, Refusal, Services, VerifiedDefinition};
use tally_tui::shell::runner::Runner;
use tally_tui::shell::update;
use tally_tui::shell::view::view;
use tally_tui::text::Lang;

struct NoServices;

impl Services<Municipal> for NoServices {
    fn identity(&self) -> Identity {
        Identity {
            root_fingerprint: "0".repeat(64),
            role: "GSB".into(),
            identifier: "0042".into(),
            name: "DEMO".into(),
            certificate_fingerprint: "0".repeat(64),
            system: "0".repeat(64),
            valid: ("2025-01-01".into(), "2099-12-31".into()),
            invalid: None,
        }
    }
    fn unlock(&mut self, _: &str) -> Result<(), Refusal> {
        Ok(())
    }
    fn scan(&mut self) -> Vec<Medium> {
        Vec::new()
    }
    fn verify_definition(&mut self, _: &Medium) -> Result<VerifiedDefinition, Refusal> {
        Err(Refusal::new(tally_tui::text::Msg::NoMedia, ""))
    }
    fn keep_definition(&mut self, _: &Medium, _: &VerifiedDefinition) -> Result<(), Refusal> {
        Ok(())
    }
    fn kept_definition(&mut self) -> Result<Option<VerifiedDefinition>, Refusal> {
        Ok(None)
    }
    fn level(&mut self) -> &mut (dyn MunicipalServices + 'static) {
        self
    }
}

impl MunicipalServices for NoServices {
    fn export(
        &mut self,
        _: &tally_ledger::municipal::Tally,
        _: Option<tally_export::JournalMark>,
    ) -> Result<ExportDone, Refusal> {
        Err(Refusal::new(tally_tui::text::Msg::NoMedia, ""))
    }
}

fn election() -> ElectionInfo {
    let candidates = (1..=50)
        .map(|c| Candidate {
            position: CandidatePosition(c),
            initials: "A.".into(),
            first_name: Some(format!("Kandidaat{c}")),
            prefix: None,
            last_name: format!("Achternaam{c}"),
            locality: None,
            gender: None,
            short_code: None,
        })
        .collect();
    ElectionInfo {
        id: tally_core::ids::ElectionId("GR2026_Bench".into()),
        name: "Gemeenteraad 2026 Bench".into(),
        date: "2026-03-18".into(),
        category: ElectionCategory::GR,
        municipality_code: tally_core::ids::MunicipalityCode("0001".into()),
        municipality_name: "Bench".into(),
        seats: 45,
        subcategory: "GR2".into(),
        domain: None,
        contest_id: tally_core::ids::ContestId("geen".into()),
        contest_name: None,
        lists: vec![PoliticalList {
            number: ListNumber(1),
            name: "Lijst met vijftig".into(),
            candidates,
        }],
        stations: vec![PollingStation {
            number: PollingStationNumber(1),
            name: "Bench".into(),
            postcode: None,
            eligible_voters: None,
        }],
        election: None,
    }
}

fn runner() -> Runner<Municipal, NoServices, MemoryJournal> {
    let info = election();
    let mut state = State::new(Lang::Nl, true, NoServices.identity(), 1);
    state.ledger.pending = Some(Loaded {
        form: Form::new(&info),
        info: info.clone(),
        files: Vec::new(),
    });
    let mut r = Runner::open(state, NoServices, MemoryJournal::default()).unwrap();
    let form = Form::new(&info);
    let index = form
        .index_of(FieldId::CandidateVotes(
            ListNumber(1),
            CandidatePosition(25),
        ))
        .unwrap();
    // A coordinator, then the typist Anna (person 2).
    for (by, role, name) in [
        (None, Role::Coordinator, "Carla"),
        (Some(PersonId(1)), Role::Typist, "Anna"),
    ] {
        let hash = tally_signing::pin::hash_pin(&zeroize::Zeroizing::new("40417".into())).unwrap();
        let event = r
            .state
            .ledger
            .people
            .registry
            .registration(
                by,
                Timestamp(0),
                PersonName::parse(name).unwrap(),
                role,
                PinHash::parse(hash).unwrap(),
            )
            .unwrap();
        r.state
            .ledger
            .apply(&Record::People(PeopleRecord::Registry { event }))
            .unwrap();
    }
    for rec in [
        Record::ElectionLoaded {
            election: info.id.clone(),
            files: Vec::new(),
        },
        Record::EntryStarted {
            station: 1,
            slot: Slot::First,
            person: PersonId(2),
            at: 0,
        },
        Record::Cursor {
            station: 1,
            slot: Slot::First,
            index,
        },
        Record::Moved {
            place: Place::Entry {
                station: 1,
                slot: Slot::First,
            },
        },
    ] {
        r.state.ledger.apply(&rec).unwrap();
        let _ = update(&mut r.state, Event::Applied(rec));
    }
    // As on the appliance: every record written also moves the journal's chain head.
    r.state.journal_head = Some(tally_ledger::persist::ChainHead::start(&[7; 32]));
    r
}

/// The calling thread's CPU time.
struct CpuTime;

fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

struct Micros;

impl ValueFormatter for Micros {
    fn scale_values(&self, _typical: f64, values: &mut [f64]) -> &'static str {
        for v in values.iter_mut() {
            *v /= 1000.0;
        }
        "us (CPU)"
    }
    fn scale_throughputs(
        &self,
        _typical: f64,
        _t: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        for v in values.iter_mut() {
            *v /= 1000.0;
        }
        "us (CPU)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl Measurement for CpuTime {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &Micros
    }
}

fn bench<M: Measurement + 'static>(c: &mut Criterion<M>, clock: &str) {
    let mut r = runner();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let digit = KeyEvent::new(KeyCode::Char('7'), KeyModifiers::NONE);
    let back = KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE);
    let mut flip = false;
    c.bench_function(
        &format!("{clock}: digit key: update + render 80x24, 50-candidate list"),
        |b| {
            b.iter(|| {
                flip = !flip;
                r.key(if flip { digit } else { back });
                terminal.draw(|f| view(black_box(&r.state), f)).unwrap();
            })
        },
    );
    let mut r = runner();
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    let up = KeyEvent::new(KeyCode::BackTab, KeyModifiers::NONE);
    let mut flip = false;
    c.bench_function(
        &format!("{clock}: Enter/Shift+Tab: update + journal record (memory) + render"),
        |b| {
            b.iter(|| {
                flip = !flip;
                if flip {
                    r.key(digit);
                    r.key(enter);
                } else {
                    r.key(up);
                }
                terminal.draw(|f| view(black_box(&r.state), f)).unwrap();
            })
        },
    );
}

fn bench_wall(c: &mut Criterion) {
    bench(c, "wall");
}

fn bench_cpu(c: &mut Criterion<CpuTime>) {
    bench(c, "cpu");
}

criterion_group!(wall, bench_wall);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench_cpu
}
criterion_main!(wall, cpu);
