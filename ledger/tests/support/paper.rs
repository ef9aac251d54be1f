//! The appliances' ledgers and the paper reports of synthetic polling stations, shared by the
//! parallel-entry tests of the ledger (`parallel_entry.rs`) and of the terminal
//! (`tui/tests/parallel_coordinator.rs`, through `#[path]`): every appliance starts the same
//! way and the same papers are typed on every appliance, so that counts made on several
//! appliances can be compared with one appliance's count.

use tally_core::double_entry::{Role, Timestamp as CoreTime};
use tally_core::entry::{EntryCount, FieldId, FieldValue};
use tally_core::people::{PersonId, PersonName, PinHash, RegistryChange, RegistryEvent};
use tally_ledger::form::{ElectionInfo, Form};
use tally_ledger::municipal::{Loaded, Record, Slot, Tally};
use tally_ledger::people::PeopleRecord;

/// The coordinator every ledger registers first (`Carla`).
pub const COORDINATOR: PersonId = PersonId(1);

/// The records that load `info` and register the coordinator and `typists` (ids from 2,
/// registered by the coordinator).
pub fn ledger(info: &ElectionInfo, typists: &[&str]) -> Vec<Record> {
    let mut records = vec![Record::ElectionLoaded {
        election: info.id.clone(),
        files: Vec::new(),
    }];
    let pin = || PinHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()).unwrap();
    let mut people = vec![("Carla", Role::Coordinator, None)];
    people.extend(
        typists
            .iter()
            .map(|t| (*t, Role::Typist, Some(COORDINATOR))),
    );
    for (i, (name, role, by)) in people.into_iter().enumerate() {
        records.push(Record::People(PeopleRecord::Registry {
            event: RegistryEvent {
                by,
                at: CoreTime(0),
                change: RegistryChange::PersonRegistered {
                    id: PersonId(u32::try_from(i).unwrap() + 1),
                    name: PersonName::parse(name).unwrap(),
                    role,
                    pin_hash: pin(),
                },
            },
        }));
    }
    records
}

/// A ledger with `info` verified and waiting to be loaded (its `ElectionLoaded` record).
pub fn pending(info: &ElectionInfo) -> Tally {
    let mut tally = Tally::default();
    tally.pending = Some(Loaded {
        form: Form::new(info),
        info: info.clone(),
        files: Vec::new(),
    });
    tally
}

/// Station `s`'s paper on `form`: candidate c gets `s + c % 5` votes, list and overall totals
/// add up, one blank vote, no invalid, admitted voters one more than the votes on candidates;
/// `extra` votes more for list 1's candidate 1 (a typing difference).
pub fn paper(form: &Form, s: u32, extra: u64) -> Vec<(FieldId, FieldValue)> {
    let count = |n: u64| FieldValue::Count(EntryCount::new(n).unwrap());
    let mut totals = std::collections::BTreeMap::new();
    let votes = |c: u32| u64::from(s + c % 5);
    for f in &form.fields {
        if let FieldId::CandidateVotes(l, c) = f.id {
            *totals.entry(l).or_insert(0u64) += votes(c.0);
        }
    }
    let e: u64 = totals.values().sum();
    let h = e + 1;
    form.fields
        .iter()
        .filter_map(|f| {
            let v = match f.id {
                FieldId::CandidateVotes(l, c) => {
                    count(votes(c.0) + if (l.0, c.0) == (1, 1) { extra } else { 0 })
                }
                FieldId::ListTotal(l) | FieldId::ListVotes(l) => count(totals[&l]),
                FieldId::VotesOnCandidates => count(e),
                FieldId::BlankVotes => count(1),
                FieldId::InvalidVotes => count(0),
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

/// The records of `person` typing station `s`'s paper (with `extra`, see [`paper`]) as entry
/// `slot`, started at `at`.
pub fn typing(
    form: &Form,
    s: u32,
    slot: Slot,
    person: PersonId,
    extra: u64,
    at: i64,
) -> Vec<Record> {
    let mut out = vec![Record::EntryStarted {
        station: s,
        slot,
        person,
        at,
    }];
    out.extend(
        paper(form, s, extra)
            .into_iter()
            .map(|(field, value)| Record::FieldSet {
                station: s,
                slot,
                field,
                value,
                next: 0,
                at: at + 1,
            }),
    );
    out.push(Record::EntryFinished {
        station: s,
        slot,
        at: at + 2,
    });
    out
}

/// The municipality's export (510b, report, osv4-3 CSV) of `tally`'s double entry with the
/// candidate lists `lists`, made at one fixed moment, so that two counts of the same papers
/// can be compared byte for byte.
pub fn export_at_fixed_moment(
    tally: &Tally,
    lists: tally_core::eml::definition::SourceFile<'_>,
    demo: bool,
) -> Vec<tally_export::ExportFile> {
    let info = &tally.election.as_ref().unwrap().info;
    let election = info.election.as_ref().unwrap();
    let spec = tally_ledger::form::municipality_spec(info);
    tally_export::municipal(
        &tally_export::Municipality {
            election,
            contest: &info.contest_id,
            spec: &spec,
            name: &info.municipality_name,
            lists,
            demo,
        },
        tally.data_entry.as_ref().unwrap(),
        &tally_export::Created {
            at: 1_756_508_400,
            eml: "2025-08-29T23:00:00".into(),
            report: tally_export::CreationTime::new(2025, 8, 29, 23, 0, 0).unwrap(),
            journal: None,
        },
    )
    .unwrap()
}
