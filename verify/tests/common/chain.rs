//! A full synthetic result chain made by the project's own tools, signed at every level.
//!
//! The election `TK2099` (`verify/tests/fixtures`, derived from the real TK2021 files by
//! `make_synthetic.py`): kieskring 1 Groningen with municipalities 0014, 0037, 0047 and
//! kieskring 2 Leeuwarden with 0060, 0080, 0088; lists 1 to 5 with all their candidates;
//! 150 seats.
//!
//! - The authority (role `authority`, `Kiesraad`) signs the definition medium (110a and both
//!   230b) and issues every body's certificate (`tally_signing`, as `tally-provision
//!   init-authority`, `issue` and `sign-definition` do).
//! - Every municipality's polling-station reports are typed twice (`tally_core::double_entry`,
//!   two typists, equal entries, so each station is definitive), added up
//!   (`tally_core::municipal::municipal_total`), written as a 510b (`write_510b`) and signed
//!   by the municipality's GSB.
//! - Each HSB imports its municipalities' 510b (`tally_core::aggregate::Aggregation`) and
//!   signs the 510c; the CSB imports both 510c, writes the 510d, apportions the seats and
//!   elects the candidates (`compute_result`), writes the 520 (`tally_core::eml::result`) and
//!   signs 510d and 520 in one medium.
//!
//! The votes typed are [`Chain::votes`] (a fixed formula), so a test can add up what it
//! expects by itself.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::path::{Path, PathBuf};

use tally_core::aggregate::outcome::{Computation, ListOutcome, SeatRules, compute_result};
use tally_core::aggregate::{Aggregation, ImportOutcome, TotalMeta};
use tally_core::counts::CountLevel;
use tally_core::double_entry::{
    Action, DataEntry, Event, Role as EntryRole, Timestamp as T, UserName,
};
use tally_core::election::Election;
use tally_core::eml::count::{count_file_name, read_count, write_count};
use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::eml::result::{ResultMeta, result_file_name, result_from_outcome, write_result};
use tally_core::entry::{EntryCount, FieldId, FieldValue};
use tally_core::ids::{
    CandidatePosition, ContestId, ListNumber, MunicipalityCode, PollingStationNumber,
};
use tally_core::municipal::{
    MunicipalitySpec, StationInfo, count_file, header_for, municipal_total, shape_for, write_510b,
};
use tally_signing::{
    Certificate, CertificateFields, ContentKind, MediumFile, Role, SecretKey, SignedMedium,
    Timestamp, sign_medium,
};

/// The election's identifier.
pub const ELECTION: &str = "TK2099";
/// The time at which the certificates are checked.
pub const AT: &str = "2099-03-24T00:00:00Z";
/// The definition's files (110a first).
pub const DEFINITION: [&str; 3] = [
    "Verkiezingsdefinitie_TK2099.eml.xml",
    "Kandidatenlijsten_TK2099_Groningen.eml.xml",
    "Kandidatenlijsten_TK2099_Leeuwarden.eml.xml",
];
/// The municipalities: code, kieskring, number of polling stations.
pub const MUNICIPALITIES: [(&str, u32, u32); 6] = [
    ("0014", 1, 2),
    ("0037", 1, 3),
    ("0047", 1, 1),
    ("0060", 2, 1),
    ("0080", 2, 2),
    ("0088", 2, 1),
];
/// Lists and their number of candidates (as in the 230b).
pub const LISTS: [(u32, u32); 5] = [(1, 80), (2, 50), (3, 73), (4, 80), (5, 50)];

/// A path in the fixtures folder.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A counting body: its key and certificate.
pub struct Body {
    /// The identifier (`0014`, `HSB1`, `CSB`, `Kiesraad`).
    pub id: String,
    /// Its role.
    pub role: Role,
    /// Its signing key.
    pub key: SecretKey,
    /// Its certificate, issued by the root.
    pub cert: Certificate,
}

/// A file of the chain.
#[derive(Clone)]
pub struct File {
    /// The file name.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// One signed medium of the chain: who signs, what kind, which files.
#[derive(Clone)]
pub struct Medium {
    /// The signer's identifier.
    pub signer: String,
    /// The kind.
    pub kind: ContentKind,
    /// The files.
    pub files: Vec<File>,
}

/// The whole chain.
pub struct Chain {
    /// The authority's root key.
    pub root: SecretKey,
    /// Every body, the authority first.
    pub bodies: Vec<Body>,
    /// The loaded election (110a and both 230b).
    pub election: Election,
    /// Every medium: definition, six 510b, two 510c, 510d + 520.
    pub media: Vec<Medium>,
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// Issues a certificate for a body of `election`.
pub fn issue(root: &SecretKey, role: Role, id: &str, election: &str) -> Body {
    let key = SecretKey::generate();
    let cert = Certificate::issue(
        root,
        CertificateFields {
            role,
            identifier: id.into(),
            name: format!("{} {id}", role.as_str()),
            election: election.into(),
            valid_from: ts("2099-03-01T00:00:00Z"),
            valid_until: ts("2099-04-30T23:59:59Z"),
            public_key: key.public_key(),
        },
    )
    .unwrap();
    Body {
        id: id.to_owned(),
        role,
        key,
        cert,
    }
}

/// The votes typed for candidate `c` of list `l` at station `s` (from 1) of the
/// municipality with index `m` in [`MUNICIPALITIES`]. The first candidate of each list gets
/// most; candidate 40 of list 1 enough to be elected on preference votes; the others a few.
pub fn votes(m: usize, s: u32, l: u32, c: u32) -> u64 {
    let m = m as u64;
    let s = u64::from(s);
    match (l, c) {
        (_, 1) => [3000, 2000, 2000, 2000, 1000][(l - 1) as usize] + 10 * m + s,
        (1, 40) => 60 + m,
        _ => (m * 7 + s * 3 + u64::from(l) * 5 + u64::from(c)) % 5,
    }
}

/// Blank votes (F) at a station.
pub fn blank(m: usize, s: u32) -> u64 {
    5 + m as u64 + u64::from(s)
}

/// Invalid votes (G) at a station.
pub const INVALID: u64 = 3;
/// Valid proxy certificates (B) at a station.
pub const PROXY: u64 = 15;
/// Valid voter cards (C) at a station.
pub const VOTER_CARDS: u64 = 5;

/// The sum of a list's candidates at a station.
pub fn list_total(m: usize, s: u32, l: u32) -> u64 {
    let n = LISTS.iter().find(|(x, _)| *x == l).unwrap().1;
    (1..=n).map(|c| votes(m, s, l, c)).sum()
}

/// E at a station.
pub fn station_e(m: usize, s: u32) -> u64 {
    LISTS.iter().map(|(l, _)| list_total(m, s, *l)).sum()
}

/// The events of one typist typing the report of station `s` of municipality `m`.
fn typing(user: &str, m: usize, s: u32, has_voter_cards: bool) -> Vec<Event> {
    let station = PollingStationNumber(s);
    let ev = |action| Event {
        station,
        user: UserName(user.into()),
        role: EntryRole::Typist,
        at: T(4_000_000_000),
        action,
    };
    let set = |field, n: u64| {
        ev(Action::SetField {
            field,
            value: FieldValue::Count(EntryCount::new(n).unwrap()),
        })
    };
    let e = station_e(m, s);
    let h = e + blank(m, s) + INVALID;
    let c = if has_voter_cards { VOTER_CARDS } else { 0 };
    let mut out = vec![ev(Action::StartEntry)];
    out.push(set(FieldId::PollCards, h - PROXY - c));
    out.push(set(FieldId::ProxyCertificates, PROXY));
    if has_voter_cards {
        out.push(set(FieldId::VoterCards, c));
    }
    out.push(set(FieldId::AdmittedVoters, h));
    for (l, _) in LISTS {
        out.push(set(FieldId::ListVotes(ListNumber(l)), list_total(m, s, l)));
    }
    out.push(set(FieldId::VotesOnCandidates, e));
    out.push(set(FieldId::BlankVotes, blank(m, s)));
    out.push(set(FieldId::InvalidVotes, INVALID));
    out.push(set(FieldId::VotesCast, h));
    out.push(ev(Action::SetField {
        field: FieldId::AdmittedEqualsCast,
        value: FieldValue::Mark(true),
    }));
    for (l, n) in LISTS {
        for c in 1..=n {
            out.push(set(
                FieldId::CandidateVotes(ListNumber(l), CandidatePosition(c)),
                votes(m, s, l, c),
            ));
        }
        out.push(set(FieldId::ListTotal(ListNumber(l)), list_total(m, s, l)));
    }
    out.push(ev(Action::Finalise {
        acknowledge_warnings: false,
    }));
    out
}

/// The 510b of municipality `m`, typed twice and added up by the GSB's tools.
fn make_510b(election: &Election, m: usize) -> File {
    let (code, k, stations) = MUNICIPALITIES[m];
    let contest = ContestId(k.to_string());
    let name = election
        .municipalities()
        .find(|r| r.municipality_code().is_some_and(|c| c.0 == code))
        .unwrap()
        .name
        .clone();
    let shape = shape_for(election, &contest);
    let mut data = DataEntry::new(shape, (1..=stations).map(PollingStationNumber));
    for s in 1..=stations {
        for user in ["typist1", "typist2"] {
            for e in typing(user, m, s, election.has_voter_cards()) {
                data.apply(&e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
            }
        }
    }
    let spec = MunicipalitySpec {
        code: MunicipalityCode(code.to_owned()),
        stations: (1..=stations)
            .map(|s| StationInfo {
                number: PollingStationNumber(s),
                name: format!("Stembureau {s} {name}"),
                eligible_voters: 0,
            })
            .collect(),
        list_names: election
            .lists(&contest)
            .iter()
            .map(|l| (l.number, l.name.clone()))
            .collect(),
        total_cast: None,
        explanation_codes: tally_core::municipal::ExplanationCodes::EveryUnit,
    };
    let total = municipal_total(&data, &spec).unwrap();
    let header = header_for(election, &contest, &spec.code, &name, "2099-03-18T01:00:00");
    let file = count_file(total, header).unwrap();
    let (name, bytes) = write_510b(&file).unwrap();
    File { name, bytes }
}

fn meta(time: &str) -> TotalMeta {
    TotalMeta {
        transaction_id: 1,
        creation_date_time: time.into(),
    }
}

fn import(agg: &mut Aggregation, f: &File) {
    match agg.import(&f.name, &f.bytes).unwrap() {
        ImportOutcome::Imported { .. } => {}
        other => panic!("{}: {other:?}", f.name),
    }
}

impl Chain {
    /// Builds the whole chain (every key fresh).
    pub fn build() -> Chain {
        let root = SecretKey::generate();
        let def: Vec<File> = DEFINITION
            .iter()
            .map(|n| File {
                name: (*n).to_owned(),
                bytes: std::fs::read(fixture(n)).unwrap(),
            })
            .collect();
        let election = load_election(
            &SourceFile::new(&def[0].name, &def[0].bytes),
            &[
                SourceFile::new(&def[1].name, &def[1].bytes),
                SourceFile::new(&def[2].name, &def[2].bytes),
            ],
            None,
        )
        .unwrap();
        let mut bodies = vec![issue(&root, Role::Authority, "Kiesraad", ELECTION)];
        let mut media = vec![Medium {
            signer: "Kiesraad".into(),
            kind: ContentKind::ElectionDefinition,
            files: def,
        }];
        let mut b510 = Vec::new();
        for (m, (code, _, _)) in MUNICIPALITIES.iter().enumerate() {
            bodies.push(issue(&root, Role::Gsb, code, ELECTION));
            let f = make_510b(&election, m);
            b510.push(f.clone());
            media.push(Medium {
                signer: (*code).to_owned(),
                kind: ContentKind::Results510b,
                files: vec![f],
            });
        }
        let mut c510 = Vec::new();
        for k in [1u32, 2] {
            let id = format!("HSB{k}");
            bodies.push(issue(&root, Role::Hsb, &id, ELECTION));
            let mut agg = Aggregation::for_district(&election, k).unwrap();
            for (m, (_, kk, _)) in MUNICIPALITIES.iter().enumerate() {
                if *kk == k {
                    import(&mut agg, &b510[m]);
                }
            }
            let total = agg.total(&meta("2099-03-19T10:00:00")).unwrap();
            let region = election
                .kieskringen()
                .find(|r| r.key.number == Some(k))
                .unwrap();
            let f = File {
                name: count_file_name(CountLevel::District, ELECTION, &region.name),
                bytes: write_count(&total).unwrap(),
            };
            c510.push(f.clone());
            media.push(Medium {
                signer: id,
                kind: ContentKind::Results510c,
                files: vec![f],
            });
        }
        bodies.push(issue(&root, Role::Csb, "CSB", ELECTION));
        let mut agg = Aggregation::for_central(&election).unwrap();
        for f in &c510 {
            import(&mut agg, f);
        }
        let total = agg.total(&meta("2099-03-23T10:00:00")).unwrap();
        let d_bytes = write_count(&total).unwrap();
        let d_file = File {
            name: count_file_name(CountLevel::Total, ELECTION, ""),
            bytes: d_bytes,
        };
        // The CSB apportions from the 510d as written.
        let read_back = read_count(&d_file.bytes).unwrap();
        let Computation::Complete(computed) =
            compute_result(SeatRules::of(&election), &read_back, &[], &[]).unwrap()
        else {
            panic!("a drawing of lots in the synthetic election");
        };
        let elected: Vec<_> = computed
            .candidates
            .iter()
            .map(|o| match o {
                ListOutcome::Elected(e) => e.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        let result = result_from_outcome(
            &election,
            &ContestId("1".into()),
            &computed.seats,
            &elected,
            &ResultMeta {
                transaction_id: 1,
                authority_id: "CSB".into(),
                authority_name: Some("De Kiesraad".into()),
                creation_date_time: "2099-03-24T10:00:00".into(),
                contest_id: ContestId("alle".into()),
            },
        )
        .unwrap();
        let r_file = File {
            name: result_file_name(&election.id),
            bytes: write_result(&result).unwrap(),
        };
        media.push(Medium {
            signer: "CSB".into(),
            kind: ContentKind::Results510d520,
            files: vec![d_file, r_file],
        });
        Chain {
            root,
            bodies,
            election,
            media,
        }
    }

    /// A body by identifier.
    pub fn body(&self, id: &str) -> &Body {
        self.bodies.iter().find(|b| b.id == id).unwrap()
    }

    /// The medium signed by `signer` (the first when there are more).
    pub fn medium(&self, signer: &str) -> &Medium {
        self.media.iter().find(|m| m.signer == signer).unwrap()
    }

    /// The bytes of the file `name` in any medium.
    pub fn file(&self, name: &str) -> &[u8] {
        self.media
            .iter()
            .flat_map(|m| &m.files)
            .find(|f| f.name == name)
            .map(|f| f.bytes.as_slice())
            .unwrap()
    }

    /// The root public key file in `dir`.
    pub fn write_root_key(&self, dir: &Path) -> PathBuf {
        let p = dir.join("root.pub");
        std::fs::write(&p, self.root.public_key().to_file_bytes()).unwrap();
        p
    }

    /// Writes every medium into `dir` and gives the folder of each.
    pub fn write(&self, dir: &Path) -> Vec<PathBuf> {
        self.media
            .iter()
            .map(|m| write_medium(self.body(&m.signer), m.kind, &m.files, dir))
            .collect()
    }
}

/// Signs `files` as a medium of `kind` by `body` and writes it into `dir`, replacing a
/// folder of the same name.
pub fn write_medium(body: &Body, kind: ContentKind, files: &[File], dir: &Path) -> PathBuf {
    let path = dir.join(SignedMedium::folder_name(
        kind,
        body.cert.election(),
        &body.id,
    ));
    write_medium_as(body, kind, files, &path);
    path
}

/// Signs `files` as a medium of `kind` by `body` and writes it as the folder `path`,
/// replacing what is there.
pub fn write_medium_as(body: &Body, kind: ContentKind, files: &[File], path: &Path) {
    let election = body.cert.election().to_owned();
    let signed = sign_medium(
        kind,
        &election,
        files
            .iter()
            .map(|f| MediumFile {
                name: f.name.clone(),
                bytes: f.bytes.clone(),
            })
            .collect(),
        &body.key,
        &body.cert,
        ts("2099-03-23T20:00:00Z"),
    )
    .unwrap();
    if path.exists() {
        std::fs::remove_dir_all(path).unwrap();
    }
    signed.write_to_dir(path).unwrap();
}

/// What a forger with a body's key can make although the signing library refuses it: a
/// medium of `kind` signed by `body`, whatever its role may sign. The files are signed as a
/// medium of `allowed` (a kind the body may sign); then the manifest's kind is replaced by
/// `kind` and the manifest signed again with the body's key.
pub fn forge_medium(
    body: &Body,
    allowed: ContentKind,
    kind: ContentKind,
    files: &[File],
    path: &Path,
) {
    write_medium_as(body, allowed, files, path);
    let manifest = std::fs::read_to_string(path.join("manifest.txt")).unwrap();
    let forged = manifest.replacen(
        &format!("kind: {}\n", allowed.as_str()),
        &format!("kind: {}\n", kind.as_str()),
        1,
    );
    assert_ne!(forged, manifest);
    let sig = body
        .key
        .sign(tally_signing::SignedKind::Manifest, forged.as_bytes());
    std::fs::write(path.join("manifest.txt"), forged).unwrap();
    std::fs::write(path.join("manifest.sig"), format!("{}\n", sig.to_hex())).unwrap();
}
