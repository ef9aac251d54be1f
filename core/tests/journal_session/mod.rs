//! A realistic data-entry session for the journal tests: several polling stations, each
//! typed twice field by field, with an interruption, a difference the coordinator
//! resolves and an entry with errors sent back.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use tally_core::double_entry::{Action, DataEntry, Decision, Event, Role, Timestamp, UserName};
use tally_core::entry::{EntryCount, EntryShape, FieldId, FieldValue};
use tally_core::ids::{CandidatePosition, ListNumber, PollingStationNumber};

pub const ELECTION: [u8; 32] = [0x5a; 32];

/// The journal key of the body that writes the session.
pub fn key() -> tally_core::journal::JournalKey {
    tally_core::journal::JournalKey::new(&[0x3c; 32])
}

pub fn shape() -> EntryShape {
    EntryShape {
        has_voter_cards: true,
        lists: vec![(ListNumber(1), 10), (ListNumber(2), 8), (ListNumber(3), 5)],
    }
}

pub fn stations() -> Vec<PollingStationNumber> {
    (1..=4).map(PollingStationNumber).collect()
}

pub fn fresh() -> DataEntry {
    DataEntry::new(shape(), stations())
}

struct Clock(i64);

impl Clock {
    fn tick(&mut self) -> Timestamp {
        self.0 += 1_250;
        Timestamp(self.0)
    }
}

fn ev(station: u32, user: &str, role: Role, at: Timestamp, action: Action) -> Event {
    Event {
        station: PollingStationNumber(station),
        user: UserName(user.into()),
        role,
        at,
        action,
    }
}

/// One whole entry of station `sb` by `user`, consistent, with the candidate votes
/// derived from the station number; `bump` adds 1 to candidate 4 of list 2 (and to its
/// totals), making a consistent but different entry.
fn entry(
    out: &mut Vec<Event>,
    clock: &mut Clock,
    sb: u32,
    user: &str,
    bump: bool,
    interrupt: bool,
) {
    let t = |c: &mut Clock| c.tick();
    out.push(ev(sb, user, Role::Typist, t(clock), Action::StartEntry));
    let mut lists: Vec<Vec<u64>> = shape()
        .lists
        .iter()
        .map(|(l, k)| {
            (1..=*k)
                .map(|p| u64::from((sb * 7 + l.0 * 13 + p * 5) % 37))
                .collect()
        })
        .collect();
    if bump {
        lists[1][3] += 1;
    }
    let totals: Vec<u64> = lists.iter().map(|l| l.iter().sum()).collect();
    let e: u64 = totals.iter().sum();
    let (f, g) = (u64::from(sb), 2);
    let h = e + f + g;
    let d = h + 1; // one fewer ballot counted than voters admitted: J = 1
    let set = |out: &mut Vec<Event>, clock: &mut Clock, field: FieldId, n: u64| {
        let value = FieldValue::Count(EntryCount::new(n).unwrap());
        out.push(ev(
            sb,
            user,
            Role::Typist,
            t(clock),
            Action::SetField { field, value },
        ));
    };
    set(out, clock, FieldId::PollCards, d - 10);
    set(out, clock, FieldId::ProxyCertificates, 7);
    set(out, clock, FieldId::VoterCards, 3);
    set(out, clock, FieldId::AdmittedVoters, d);
    for (i, tot) in totals.iter().enumerate() {
        set(
            out,
            clock,
            FieldId::ListVotes(ListNumber(i as u32 + 1)),
            *tot,
        );
    }
    if interrupt {
        out.push(ev(sb, user, Role::Typist, t(clock), Action::Save));
    }
    set(out, clock, FieldId::VotesOnCandidates, e);
    set(out, clock, FieldId::BlankVotes, f);
    set(out, clock, FieldId::InvalidVotes, g);
    set(out, clock, FieldId::VotesCast, h);
    set(out, clock, FieldId::FewerBallotsCounted, 1);
    for field in [
        FieldId::CastSmallerThanAdmitted,
        FieldId::DifferenceExplainedYes,
    ] {
        out.push(ev(
            sb,
            user,
            Role::Typist,
            t(clock),
            Action::SetField {
                field,
                value: FieldValue::Mark(true),
            },
        ));
    }
    for (i, list) in lists.iter().enumerate() {
        let l = ListNumber(i as u32 + 1);
        for (p, n) in list.iter().enumerate() {
            set(
                out,
                clock,
                FieldId::CandidateVotes(l, CandidatePosition(p as u32 + 1)),
                *n,
            );
        }
        set(out, clock, FieldId::ListTotal(l), totals[i]);
    }
    out.push(ev(
        sb,
        user,
        Role::Typist,
        t(clock),
        Action::Finalise {
            acknowledge_warnings: true,
        },
    ));
}

/// The session's events, every one of which the state machine accepts in order.
pub fn session() -> Vec<Event> {
    let mut out = Vec::new();
    let mut clock = Clock(1_742_000_000_000);
    // Station 3: different; the coordinator keeps the second.
    entry(&mut out, &mut clock, 3, "Bert", false, false);
    entry(&mut out, &mut clock, 3, "Anna", true, false);
    out.push(ev(
        3,
        "Dirk",
        Role::Coordinator,
        clock.tick(),
        Action::Decide {
            decision: Decision::KeepSecond,
        },
    ));
    // Station 4: first entry with an error (B typed wrong just before finalising: F.201),
    // sent back and corrected.
    entry(&mut out, &mut clock, 4, "Carla", false, false);
    let fin = out.pop().unwrap();
    let value = FieldValue::Count(EntryCount::new(8).unwrap());
    out.push(ev(
        4,
        "Carla",
        Role::Typist,
        clock.tick(),
        Action::SetField {
            field: FieldId::ProxyCertificates,
            value,
        },
    ));
    out.push(fin);
    out.push(ev(
        4,
        "Dirk",
        Role::Coordinator,
        clock.tick(),
        Action::Decide {
            decision: Decision::SendBack,
        },
    ));
    let value = FieldValue::Count(EntryCount::new(7).unwrap());
    out.push(ev(
        4,
        "Carla",
        Role::Typist,
        clock.tick(),
        Action::SetField {
            field: FieldId::ProxyCertificates,
            value,
        },
    ));
    out.push(ev(
        4,
        "Carla",
        Role::Typist,
        clock.tick(),
        Action::Finalise {
            acknowledge_warnings: true,
        },
    ));
    // Station 1 interrupted once; stations 1, 2 and 4 entered twice, equal.
    entry(&mut out, &mut clock, 1, "Anna", false, true);
    entry(&mut out, &mut clock, 4, "Bert", false, false);
    entry(&mut out, &mut clock, 1, "Bert", false, false);
    entry(&mut out, &mut clock, 2, "Anna", false, false);
    entry(&mut out, &mut clock, 2, "Carla", false, false);
    out
}
