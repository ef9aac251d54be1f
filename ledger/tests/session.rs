//! The sessions of a GSB on the ledger (`docs/next-session.md`): a next session is opened
//! only after an export; investigations are asked of definitive stations and concluded by a
//! coordinator; a corrected station gets a new double entry with its result so far kept
//! beside it; the export waits for every conclusion; every record replays to the same state.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use tally_core::double_entry::{Role, Timestamp};
use tally_core::entry::{EntryCount, FieldId, FieldValue};
use tally_core::people::{PersonId, PersonName, PinHash, RegistryChange, RegistryEvent};
use tally_ledger::form::Form;
use tally_ledger::medium::municipal;
use tally_ledger::municipal::{ApplyError, Loaded, Record, SessionError, Slot, Status, Tally};
use tally_ledger::people::PeopleRecord;
use tally_ledger::session::{Conclusion, InvestigationReason};

const CARLA: PersonId = PersonId(1);
const ANN: PersonId = PersonId(2);
const BOB: PersonId = PersonId(3);

fn demo(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../demo/files/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A tally of Juinen (three polling stations) with a coordinator and two typists, and every
/// record applied so far (to replay).
struct Run {
    tally: Tally,
    records: Vec<Record>,
}

impl Run {
    fn new() -> Run {
        let names = [
            "eml110a_verkiezingsdefinitie-juinen.eml.xml",
            "eml230b_kandidatenlijsten-juinen.eml.xml",
            "eml110b_stembureaulijst-juinen.eml.xml",
        ];
        let files: Vec<(String, Vec<u8>)> = names.iter().map(|n| ((*n).into(), demo(n))).collect();
        let named: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let info = municipal(&named, "0042").unwrap().info;
        let mut tally = Tally::default();
        tally.pending = Some(Loaded {
            form: Form::new(&info),
            info: info.clone(),
            files: Vec::new(),
        });
        let mut run = Run {
            tally,
            records: Vec::new(),
        };
        run.apply(Record::ElectionLoaded {
            election: info.id,
            files: Vec::new(),
        })
        .unwrap();
        for (id, name, role, by) in [
            (CARLA, "Carla", Role::Coordinator, None),
            (ANN, "Ann", Role::Typist, Some(CARLA)),
            (BOB, "Bob", Role::Typist, Some(CARLA)),
        ] {
            run.apply(Record::People(PeopleRecord::Registry {
                event: RegistryEvent {
                    by,
                    at: Timestamp(0),
                    change: RegistryChange::PersonRegistered {
                        id,
                        name: PersonName::parse(name).unwrap(),
                        role,
                        pin_hash: PinHash::parse(
                            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                        )
                        .unwrap(),
                    },
                },
            }))
            .unwrap();
        }
        run
    }

    fn apply(&mut self, record: Record) -> Result<(), ApplyError> {
        // A refused record changes nothing: applied to a copy, as the journal's rule does.
        let mut copy = self.tally.clone();
        copy.apply(&record)?;
        self.tally = copy;
        self.records.push(record);
        Ok(())
    }

    /// Station `s`'s paper: every list's candidates get `s + c % 5` votes (plus `extra` on
    /// the first candidate of list 1), the totals add up, D equals H.
    fn paper(&self, s: u32, extra: u64) -> Vec<(FieldId, FieldValue)> {
        let form = self.tally.form().unwrap().clone();
        let count = |n: u64| FieldValue::Count(EntryCount::parse(&n.to_string()).unwrap());
        let mut totals = std::collections::BTreeMap::new();
        let votes =
            |l: u32, c: u32| u64::from(s + c % 5) + if (l, c) == (1, 1) { extra } else { 0 };
        for f in &form.fields {
            if let FieldId::CandidateVotes(l, c) = f.id {
                *totals.entry(l).or_insert(0u64) += votes(l.0, c.0);
            }
        }
        let e: u64 = totals.values().sum();
        let (blank, invalid) = (1u64, 0u64);
        let h = e + blank + invalid;
        form.fields
            .iter()
            .filter_map(|f| {
                let v = match f.id {
                    FieldId::CandidateVotes(l, c) => count(votes(l.0, c.0)),
                    FieldId::ListTotal(l) | FieldId::ListVotes(l) => count(totals[&l]),
                    FieldId::VotesOnCandidates => count(e),
                    FieldId::BlankVotes => count(blank),
                    FieldId::InvalidVotes => count(invalid),
                    FieldId::VotesCast | FieldId::AdmittedVoters => count(h),
                    FieldId::PollCards => count(h - 10),
                    FieldId::ProxyCertificates => count(10),
                    FieldId::AdmittedEqualsCast => FieldValue::Mark(true),
                    _ => return None,
                };
                Some((f.id, v))
            })
            .collect()
    }

    fn entry(&mut self, station: u32, slot: Slot, person: PersonId, extra: u64) {
        self.apply(Record::EntryStarted {
            station,
            slot,
            person,
            at: 1,
        })
        .unwrap();
        for (field, value) in self.paper(station, extra) {
            self.apply(Record::FieldSet {
                station,
                slot,
                field,
                value,
                next: 0,
                at: 2,
            })
            .unwrap();
        }
        self.apply(Record::EntryFinished {
            station,
            slot,
            at: 3,
        })
        .unwrap();
    }

    fn both(&mut self, station: u32, extra: u64) {
        self.entry(station, Slot::First, ANN, extra);
        self.entry(station, Slot::Second, BOB, extra);
        assert_eq!(self.tally.status(station), Some(Status::Definitive));
    }

    fn export(&mut self, sha: &str) -> Result<(), ApplyError> {
        self.apply(Record::Exported {
            path: format!("stick/{sha}"),
            sha256: sha.into(),
            by: CARLA,
        })
    }

    fn session(&mut self, by: PersonId) -> Result<(), ApplyError> {
        self.apply(Record::SessionOpened { by, at: 4 })
    }

    fn request(&mut self, station: u32, instruction: &str, by: PersonId) -> Result<(), ApplyError> {
        self.apply(Record::InvestigationRequested {
            station,
            reason: InvestigationReason::UnexplainedDifference,
            instruction: instruction.into(),
            by,
            at: 5,
        })
    }

    fn conclude(&mut self, station: u32, corrected: bool) -> Result<(), ApplyError> {
        self.apply(Record::InvestigationConcluded {
            station,
            conclusion: Conclusion {
                findings: "Herteld: lijst 1 kandidaat 1 had 3 stemmen meer.".into(),
                recounted: true,
                corrected,
            },
            by: CARLA,
            at: 6,
        })
    }
}

fn session_error(r: Result<(), ApplyError>) -> SessionError {
    match r {
        Err(ApplyError::Session(e)) => e,
        other => panic!("expected a session error, got {other:?}"),
    }
}

/// Replaying every record on a fresh tally gives the same state (a restart).
fn replays(run: &Run) {
    let mut again = Run::new();
    for record in run.records.iter().skip(again.records.len()) {
        let json = serde_json::to_string(record).unwrap();
        again.apply(serde_json::from_str(&json).unwrap()).unwrap();
    }
    assert_eq!(again.tally, run.tally);
}

#[test]
fn a_next_session_opens_only_after_the_export_and_keeps_the_first_ones() {
    let mut run = Run::new();
    assert_eq!(run.tally.sessions.number(), 1);
    run.both(1, 0);
    run.both(2, 0);
    run.both(3, 0);
    assert_eq!(
        session_error(run.session(CARLA)),
        SessionError::NotExported(1)
    );
    // No investigation in the first session.
    assert_eq!(
        session_error(run.request(1, "Verschil", CARLA)),
        SessionError::FirstSession
    );
    run.export("aa").unwrap();
    // A typist opens no session.
    assert!(matches!(run.session(ANN), Err(ApplyError::Refused(_))));
    run.session(CARLA).unwrap();
    assert_eq!(run.tally.sessions.number(), 2);
    assert_eq!(run.tally.exported, None);
    let first = &run.tally.sessions.closed[0];
    assert_eq!((first.number, first.exported.1.as_str()), (1, "aa"));
    replays(&run);
}

#[test]
fn an_investigation_is_asked_once_of_a_definitive_station_and_concluded_once() {
    let mut run = Run::new();
    run.both(1, 0);
    run.both(2, 0);
    run.both(3, 0);
    run.export("aa").unwrap();
    run.session(CARLA).unwrap();
    assert!(matches!(
        run.request(1, "Verschil", ANN),
        Err(ApplyError::Refused(_))
    ));
    assert_eq!(
        session_error(run.request(1, "  ", CARLA)),
        SessionError::Text("the instruction")
    );
    assert!(matches!(
        run.request(9, "Verschil", CARLA),
        Err(ApplyError::NoSuchStation(9))
    ));
    assert_eq!(
        session_error(run.conclude(1, false)),
        SessionError::NoRequest(1)
    );
    run.request(1, "Onverklaard verschil van 3 stembiljetten", CARLA)
        .unwrap();
    assert_eq!(
        session_error(run.request(1, "Nog eens", CARLA)),
        SessionError::AlreadyRequested(1)
    );
    // The export waits for the conclusion.
    assert_eq!(
        session_error(run.export("bb")),
        SessionError::OpenInvestigations(vec![1])
    );
    // Investigated, not corrected: the station stays definitive; the export can go.
    run.conclude(1, false).unwrap();
    assert_eq!(
        session_error(run.conclude(1, false)),
        SessionError::AlreadyConcluded(1)
    );
    assert_eq!(run.tally.status(1), Some(Status::Definitive));
    assert!(run.tally.sessions.previous.is_empty());
    run.export("bb").unwrap();
    replays(&run);
}

#[test]
fn a_corrected_station_is_entered_twice_again_beside_its_result_so_far() {
    let mut run = Run::new();
    run.both(1, 0);
    run.both(2, 0);
    run.both(3, 0);
    let before = run.tally.stations[&1].result.clone().unwrap();
    run.export("aa").unwrap();
    run.session(CARLA).unwrap();
    run.request(1, "Onverklaard verschil", CARLA).unwrap();
    run.conclude(1, true).unwrap();
    assert_eq!(run.tally.status(1), Some(Status::FirstEntryNotStarted));
    assert_eq!(run.tally.sessions.previous[&1], before);
    // Not every station is definitive: no export.
    assert!(run.export("bb").is_err());
    // No second investigation of a station being entered again.
    run.request(2, "Andere fout", CARLA).unwrap();
    run.conclude(2, false).unwrap();
    replays(&run);
    // The corrected numbers: 3 votes more for list 1's first candidate.
    run.both(1, 3);
    let after = run.tally.stations[&1].result.clone().unwrap();
    assert_ne!(after, before);
    run.export("bb").unwrap();
    replays(&run);
    // The third session starts clean; the second is on record with its investigations.
    run.session(CARLA).unwrap();
    let second = &run.tally.sessions.closed[1];
    assert_eq!(second.number, 2);
    assert!(
        second.investigations[&1]
            .conclusion
            .as_ref()
            .unwrap()
            .corrected
    );
    assert!(run.tally.sessions.investigations.is_empty());
    assert!(run.tally.sessions.previous.is_empty());
    // Corrected once more in session 3: the previous result is session 2's, the first
    // session's stays what the corrigendum compares with.
    run.request(1, "Nog een verschil", CARLA).unwrap();
    run.conclude(1, true).unwrap();
    assert_eq!(run.tally.sessions.previous[&1], after);
    assert_eq!(run.tally.sessions.first[&1], before);
    replays(&run);
}

#[test]
fn attendance_objections_and_remarks_belong_to_their_session() {
    use tally_ledger::session::SessionNote;
    let mut run = Run::new();
    let note =
        |run: &mut Run, note: SessionNote, by| run.apply(Record::SessionNoted { note, by, at: 7 });
    let present = |from: &str, until: &str| SessionNote::Attendance {
        member: "Petra de Vries".into(),
        from: from.into(),
        until: until.into(),
    };
    // A typist records nothing; a time must be HH:MM; a text is never empty.
    assert!(matches!(
        note(&mut run, present("7:30", "22:00"), ANN),
        Err(ApplyError::Refused(_))
    ));
    for (from, until) in [("24:00", "22:00"), ("7:3", "22:00"), ("7:30", "22.00")] {
        assert!(matches!(
            session_error(note(&mut run, present(from, until), CARLA)),
            SessionError::Time(_)
        ));
    }
    assert_eq!(
        session_error(note(
            &mut run,
            SessionNote::Remark { text: " ".into() },
            CARLA
        )),
        SessionError::Text("the remark")
    );
    note(&mut run, present("7:30", "22:00"), CARLA).unwrap();
    note(
        &mut run,
        SessionNote::Objection {
            text: "Bezwaar tegen de telling van stembureau 2".into(),
        },
        CARLA,
    )
    .unwrap();
    assert_eq!(run.tally.sessions.notes.len(), 2);
    run.both(1, 0);
    run.both(2, 0);
    run.both(3, 0);
    run.export("aa").unwrap();
    run.session(CARLA).unwrap();
    assert_eq!(run.tally.sessions.closed[0].notes.len(), 2);
    assert!(run.tally.sessions.notes.is_empty());
    replays(&run);
}

/// An entry as the screens read it (`Tally::entry`) and the fields returned to it for
/// correction (`Tally::returned_to`): only to the entry they were returned to, only while
/// they are.
#[test]
fn the_fields_returned_for_correction_are_those_of_the_entry_they_were_returned_to() {
    use tally_core::double_entry::EntrySlot;
    use tally_ledger::municipal::Decision;
    let mut run = Run::new();
    assert!(run.tally.entry(1, Slot::First).is_none());
    run.entry(1, Slot::First, ANN, 0);
    run.entry(1, Slot::Second, BOB, 1);
    assert_eq!(run.tally.status(1), Some(Status::EntriesDifferent));
    assert_eq!(run.tally.entry(1, Slot::First).unwrap().typist, "Ann");
    assert_eq!(run.tally.returned_to(1, Slot::Second), None);
    // Every field that differs returned to the second entry.
    let fields = run.tally.differences(1);
    run.apply(Record::Decided {
        station: 1,
        decision: Decision::ReturnFields {
            slot: EntrySlot::Second,
            fields: fields.clone(),
        },
        by: CARLA,
        at: 4,
    })
    .unwrap();
    assert_eq!(
        run.tally.returned_to(1, Slot::Second),
        Some(fields.as_slice())
    );
    assert_eq!(run.tally.returned_to(1, Slot::First), None);
    assert_eq!(run.tally.returned_to(2, Slot::Second), None);
}

/// What the count carries as eligible voters when the coordinator enters none: the sum of
/// the stations' in the 110b, added without overflowing.
#[test]
fn the_stations_eligible_voters_are_summed_without_overflow() {
    assert_eq!(Tally::default().stations_eligible_voters(), None);
    let mut run = Run::new();
    let stations = &run.tally.election.as_ref().unwrap().info.stations;
    let sum: u64 = stations.iter().filter_map(|s| s.eligible_voters).sum();
    assert_eq!(run.tally.stations_eligible_voters(), Some(sum));
    let mut with = |voters: [Option<u64>; 3]| {
        let stations = &mut run.tally.election.as_mut().unwrap().info.stations;
        for (s, v) in stations.iter_mut().zip(voters) {
            s.eligible_voters = v;
        }
        run.tally.stations_eligible_voters()
    };
    assert_eq!(with([Some(7), None, Some(5)]), Some(12));
    assert_eq!(with([Some(7), Some(u64::MAX), Some(5)]), None);
}
