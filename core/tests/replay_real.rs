//! The real counts, typed in again: every polling station of three published 510b files
//! is entered twice (two typists) through the double-entry API, journaled, rebuilt from
//! the journal, added up and written as a 510b. The result must equal the published file
//! number for number, and validate against the EML_NL schema.
//!
//! The expected numbers come from the published files only (read with the project's 510
//! reader); the typed numbers are what is printed on each station's paper, which the
//! published file repeats.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::Command;

use tally_core::counts::{CountFile, VoteCounts};
use tally_core::double_entry::{Action, DataEntry, Event, Role, StatusKind, Timestamp, UserName};
use tally_core::eml::count::{count_file_name, read_count, write_count};
use tally_core::eml::definition::{SourceFile, load_candidate_lists, load_election};
use tally_core::entry::{EntryCount, EntryShape, ExplanationKind, FieldId, FieldValue};
use tally_core::ids::{CandidatePosition, ContestId, PollingStationNumber};
use tally_core::journal;
use tally_core::journal::codec::encode_event;
use tally_core::journal::events::EntryJournal;
use tally_core::municipal::{
    ExplanationCodes, MunicipalitySpec, StationInfo, count_file, header_for, municipal_total,
    shape_for,
};

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/");

fn real(name: &str) -> Vec<u8> {
    std::fs::read(format!("{REAL}{name}")).unwrap()
}

fn station_number(id: &str) -> PollingStationNumber {
    let (_, sb) = id
        .split_once("::SB")
        .unwrap_or_else(|| panic!("not a polling station: {id}"));
    PollingStationNumber(sb.parse().unwrap())
}

/// The events of one typist typing this station's paper report, field by field.
fn typing(
    station: PollingStationNumber,
    typist: &str,
    t0: i64,
    c: &VoteCounts,
    shape: &EntryShape,
) -> Vec<Event> {
    let user = UserName(typist.into());
    let mut t = t0;
    let mut out = Vec::new();
    let mut push = |action: Action| {
        t += 900;
        out.push(Event {
            station,
            user: user.clone(),
            role: Role::Typist,
            at: Timestamp(t),
            action,
        });
    };
    push(Action::StartEntry);
    let mut count = |field: FieldId, n: u64| {
        push(Action::SetField {
            field,
            value: FieldValue::Count(EntryCount::new(n).unwrap()),
        });
    };
    let v = &c.voters;
    count(FieldId::PollCards, v.poll_cards.unwrap());
    count(FieldId::ProxyCertificates, v.proxy_certificates.unwrap());
    if shape.has_voter_cards {
        count(FieldId::VoterCards, v.voter_cards.unwrap());
    }
    let d = v.admitted_voters.unwrap();
    count(FieldId::AdmittedVoters, d);
    for l in &c.lists {
        count(FieldId::ListVotes(l.list), l.total);
    }
    count(FieldId::VotesOnCandidates, c.total_counted);
    count(FieldId::BlankVotes, c.blank);
    count(FieldId::InvalidVotes, c.invalid);
    let h = c.total_counted + c.blank + c.invalid;
    count(FieldId::VotesCast, h);
    count(FieldId::MoreBallotsCounted, v.more_ballots_counted.unwrap());
    count(
        FieldId::FewerBallotsCounted,
        v.fewer_ballots_counted.unwrap(),
    );
    for (code, n) in &v.other {
        let kind = ExplanationKind::from_reason_code(code)
            .unwrap_or_else(|| panic!("unknown code {code}"));
        count(FieldId::Explanation(kind), *n);
    }
    for l in &c.lists {
        for (r, n) in &l.candidates {
            count(FieldId::CandidateVotes(l.list, r.position().unwrap()), *n);
        }
        count(FieldId::ListTotal(l.list), l.total);
    }
    let unexplained = v
        .other
        .iter()
        .any(|(code, n)| code == "geen verklaring" && *n > 0);
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
        mark(if unexplained {
            FieldId::DifferenceExplainedNo
        } else {
            FieldId::DifferenceExplainedYes
        });
    }
    push(Action::Finalise {
        acknowledge_warnings: true,
    });
    out
}

fn xmllint_510(bytes: &[u8]) {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    let xsd = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/xsd/EML_NL-v1.2.2/510-count-kiesraad-strict.xsd"
    );
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(f.path())
        .output()
        .expect("xmllint (libxml2-utils) must be installed");
    assert!(
        out.status.success(),
        "xmllint: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Types every station of `published` twice through a journal, rebuilds the state from
/// the journal, adds up and writes the 510b; returns what was written.
fn replay(
    published: &CountFile,
    shape: EntryShape,
    election_hash: [u8; 32],
    header: tally_core::counts::CountHeader,
) -> (CountFile, Vec<u8>) {
    let stations: Vec<PollingStationNumber> = published
        .units
        .iter()
        .map(|u| station_number(&u.id.0))
        .collect();
    let fresh = || DataEntry::new(shape.clone(), stations.clone());
    // The live state, and the journal's bytes as `EntryJournal` writes them (built in
    // memory here: with an fsync per event, typing Groningen twice takes minutes; the
    // file path with its fsyncs is tested in journal_crash.rs).
    let mut live = fresh();
    let key = journal::JournalKey::new(&[0x77; 32]);
    let mut bytes = journal::header(&election_hash, &key).to_vec();
    let mut prev = journal::start_hash(&election_hash, &key);
    let mut seq = 0u64;
    let mut record = |live: &mut DataEntry, e: &Event| {
        live.apply(e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
        seq += 1;
        let (rec, hash) =
            journal::encode_record(&key, &prev, seq, &encode_event(e).unwrap()).unwrap();
        bytes.extend_from_slice(&rec);
        prev = hash;
    };
    let mut t = 1_700_000_000_000;
    // First entries of every station, then the second entries in reverse order.
    for (i, u) in published.units.iter().enumerate() {
        let typist = ["Anna", "Bert"][i % 2];
        for e in typing(stations[i], typist, t, &u.counts, &shape) {
            record(&mut live, &e);
        }
        t += 3_600_000;
    }
    for (i, u) in published.units.iter().enumerate().rev() {
        let typist = ["Carla", "Dirk"][i % 2];
        for e in typing(stations[i], typist, t, &u.counts, &shape) {
            record(&mut live, &e);
        }
        t += 3_600_000;
    }
    // A restart: the state comes back from the journal.
    let (state, report) = journal::events::replay(&bytes, &election_hash, &key, fresh()).unwrap();
    assert_eq!(report.torn, None);
    assert_eq!(state, live);
    assert_eq!(state.not_definitive(), vec![]);
    let _ = EntryJournal::create;

    let (code, _) = published.units[0].id.0.split_once("::").unwrap();
    let spec = MunicipalitySpec {
        code: tally_core::ids::MunicipalityCode(code.into()),
        stations: published
            .units
            .iter()
            .map(|u| StationInfo {
                number: station_number(&u.id.0),
                name: u.name.clone(),
                eligible_voters: u.counts.cast,
            })
            .collect(),
        list_names: published
            .total
            .lists
            .iter()
            .map(|l| (l.list, l.name.clone()))
            .collect(),
        total_cast: Some(published.total.cast),
        explanation_codes: ExplanationCodes::for_year(year_of(&published.header.election_date)),
    };
    let total = municipal_total(&state, &spec).unwrap();
    let file = count_file(total, header).unwrap();
    let bytes = write_count(&file).unwrap();
    (file, bytes)
}

fn assert_same_numbers(ours: &CountFile, published: &CountFile) {
    assert_eq!(ours.units.len(), published.units.len());
    for (a, b) in ours.units.iter().zip(&published.units) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.name, b.name);
        assert_eq!(a.counts, b.counts, "reporting unit {}", a.id);
    }
    assert_eq!(ours.total, published.total, "TotalVotes");
}

fn check_file(
    name: &str,
    shape: EntryShape,
    election_hash: [u8; 32],
    header: Option<tally_core::counts::CountHeader>,
) -> (CountFile, Vec<u8>) {
    let published = read_count(&real(name)).unwrap();
    let header = header.unwrap_or_else(|| published.header.clone());
    let (ours, bytes) = replay(&published, shape, election_hash, header);
    assert_same_numbers(&ours, &published);
    // What was written reads back to the same numbers, and is valid EML_NL.
    let reread = read_count(&bytes).unwrap();
    assert_same_numbers(&reread, &published);
    xmllint_510(&bytes);
    (ours, bytes)
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

#[test]
fn tk2025_west_maas_en_waal() {
    let def = real("Verkiezingsdefinitie_TK2025.eml.xml");
    let lists = real("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let election = load_election(
        &SourceFile::new("Verkiezingsdefinitie_TK2025.eml.xml", &def),
        &[SourceFile::new(
            "Kandidatenlijsten_TK2025_Nijmegen.eml.xml",
            &lists,
        )],
        None,
    )
    .unwrap();
    let published = read_count(&real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")).unwrap();
    let contest = published.header.contest_id.clone();
    let shape = shape_for(&election, &contest);
    assert!(shape.has_voter_cards);
    // The header is made from the definition, not copied from the published file.
    let header = header_for(
        &election,
        &contest,
        &tally_core::ids::MunicipalityCode("0668".into()),
        "West Maas en Waal",
        &published.header.creation_date_time,
    );
    let (ours, _) = check_file(
        "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
        shape,
        sha256(&def),
        Some(header),
    );
    let h = &ours.header;
    let p = &published.header;
    assert_eq!(
        (
            &h.election_id,
            &h.authority_id,
            &h.category,
            &h.contest_id,
            &h.election_date
        ),
        (
            &p.election_id,
            &p.authority_id,
            &p.category,
            &p.contest_id,
            &p.election_date
        )
    );
    assert_eq!(
        count_file_name(
            h.level,
            &h.election_id.0,
            h.authority_name.as_deref().unwrap()
        ),
        "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"
    );
}

/// A municipal council election: no 110a was published, so the form's shape comes from
/// the 230b and the header from the published file.
fn gr2022(lists_file: &str, count_file_name_: &str) {
    let lists = real(lists_file);
    let candidate_lists = load_candidate_lists(&SourceFile::new(lists_file, &lists)).unwrap();
    let contest = &candidate_lists.contests[0];
    assert_eq!(contest.id, ContestId("geen".into()));
    let shape = EntryShape {
        has_voter_cards: tally_core::election::ElectionCategory::GR.has_voter_cards(),
        lists: contest
            .lists
            .iter()
            .map(|l| (l.number, l.candidates.len() as u32))
            .collect(),
    };
    assert!(!shape.has_voter_cards);
    check_file(count_file_name_, shape, sha256(&lists), None);
}

#[test]
fn gr2022_west_maas_en_waal() {
    gr2022(
        "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml",
        "Telling_GR2022_WestMaasenWaal.eml.xml",
    );
}

#[test]
fn gr2022_groningen() {
    gr2022(
        "Kandidatenlijsten_GR2022_Groningen.eml.xml",
        "Telling_GR2022_Groningen.eml.xml",
    );
}

#[test]
fn the_total_is_refused_until_every_station_is_definitive() {
    let published = read_count(&real("Telling_GR2022_WestMaasenWaal.eml.xml")).unwrap();
    let lists = real("Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml");
    let contest = load_candidate_lists(&SourceFile::new("x.eml.xml", &lists))
        .unwrap()
        .contests
        .remove(0);
    let shape = EntryShape {
        has_voter_cards: false,
        lists: contest
            .lists
            .iter()
            .map(|l| (l.number, l.candidates.len() as u32))
            .collect(),
    };
    let stations: Vec<PollingStationNumber> = published
        .units
        .iter()
        .map(|u| station_number(&u.id.0))
        .collect();
    let mut de = DataEntry::new(shape.clone(), stations.clone());
    // Everything twice, except station 3 (second entry in progress) and station 9 (once).
    for (i, u) in published.units.iter().enumerate() {
        for e in typing(stations[i], "Anna", 0, &u.counts, &shape) {
            de.apply(&e).unwrap();
        }
        let second = typing(stations[i], "Bert", 0, &u.counts, &shape);
        let n = match stations[i].0 {
            3 => 10,
            9 => 0,
            _ => second.len(),
        };
        for e in &second[..n] {
            de.apply(e).unwrap();
        }
    }
    let spec = MunicipalitySpec {
        code: tally_core::ids::MunicipalityCode("0668".into()),
        stations: published
            .units
            .iter()
            .map(|u| StationInfo {
                number: station_number(&u.id.0),
                name: u.name.clone(),
                eligible_voters: 0,
            })
            .collect(),
        list_names: vec![],
        total_cast: None,
        explanation_codes: ExplanationCodes::EveryUnit,
    };
    let err = municipal_total(&de, &spec).unwrap_err();
    assert_eq!(
        err,
        tally_core::municipal::TotalError::NotDefinitive {
            missing: vec![
                (PollingStationNumber(3), StatusKind::SecondEntryInProgress),
                (PollingStationNumber(9), StatusKind::SecondEntryNotStarted)
            ]
        }
    );
    assert!(
        err.to_string()
            .contains("SB3 (SecondEntryInProgress), SB9 (SecondEntryNotStarted)"),
        "{err}"
    );
    let _ = CandidatePosition(1);
}

/// Point 5 of issue 16: a re-entry of a real municipality gives back the published 510b
/// number for number where the typists type no K–O (the form has no such boxes) and the
/// 110b has no eligible voters per station: the municipality's eligible voters (16290) are
/// entered once for the total, every station's Cast is 0, and K–O are written as the zeros
/// the Electoral Council's file carries.
#[test]
fn tk2025_west_maas_en_waal_without_k_to_o_and_with_the_municipalitys_eligible_voters() {
    let def = real("Verkiezingsdefinitie_TK2025.eml.xml");
    let lists = real("Kandidatenlijsten_TK2025_Nijmegen.eml.xml");
    let election = load_election(
        &SourceFile::new("Verkiezingsdefinitie_TK2025.eml.xml", &def),
        &[SourceFile::new(
            "Kandidatenlijsten_TK2025_Nijmegen.eml.xml",
            &lists,
        )],
        None,
    )
    .unwrap();
    let published = read_count(&real("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")).unwrap();
    assert_eq!(published.total.cast, 16290);
    assert!(published.units.iter().all(|u| u.counts.cast == 0));
    assert!(
        published
            .units
            .iter()
            .all(|u| u.counts.voters.other.len() == 5)
    );
    let contest = published.header.contest_id.clone();
    let shape = shape_for(&election, &contest);
    let stations: Vec<PollingStationNumber> = published
        .units
        .iter()
        .map(|u| station_number(&u.id.0))
        .collect();
    let mut data = DataEntry::new(shape.clone(), stations.clone());
    let mut t = 1_700_000_000_000;
    for typist in ["Anna", "Bert"] {
        for (i, u) in published.units.iter().enumerate() {
            // The paper has no K–O boxes: nothing typed there (all zeros in this file).
            let mut paper = u.counts.clone();
            assert!(paper.voters.other.iter().all(|(_, n)| *n == 0));
            paper.voters.other.clear();
            for e in typing(stations[i], typist, t, &paper, &shape) {
                data.apply(&e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
            }
            t += 3_600_000;
        }
    }
    assert_eq!(data.not_definitive(), vec![]);
    let spec = MunicipalitySpec {
        code: tally_core::ids::MunicipalityCode("0668".into()),
        stations: published
            .units
            .iter()
            .map(|u| StationInfo {
                number: station_number(&u.id.0),
                name: u.name.clone(),
                // The 110b gives no eligible voters per station.
                eligible_voters: 0,
            })
            .collect(),
        list_names: published
            .total
            .lists
            .iter()
            .map(|l| (l.list, l.name.clone()))
            .collect(),
        total_cast: Some(16290),
        explanation_codes: ExplanationCodes::for_year(year_of(&published.header.election_date)),
    };
    // The model of 2026 (codes only where typed): the stations have no K–O at all, not the
    // published file. The model of 2025 (TK2025's) writes the five zeros everywhere.
    let only_typed = MunicipalitySpec {
        explanation_codes: ExplanationCodes::OnlyTyped,
        ..spec.clone()
    };
    let without = municipal_total(&data, &only_typed).unwrap();
    assert!(
        without
            .units
            .iter()
            .all(|u| u.counts.voters.other.is_empty())
    );
    assert_eq!(spec.explanation_codes, ExplanationCodes::EveryUnit);
    let total = municipal_total(&data, &spec).unwrap();
    let header = header_for(
        &election,
        &contest,
        &tally_core::ids::MunicipalityCode("0668".into()),
        "West Maas en Waal",
        &published.header.creation_date_time,
    );
    let file = count_file(total, header).unwrap();
    assert_same_numbers(&file, &published);
    let bytes = write_count(&file).unwrap();
    assert_same_numbers(&read_count(&bytes).unwrap(), &published);
    xmllint_510(&bytes);
}

/// The year of a `kr:ElectionDate` (`2025-10-29`).
fn year_of(date: &str) -> i32 {
    date.get(..4).and_then(|y| y.parse().ok()).unwrap()
}
