//! A signed result chain for any election with kieskringen, built on a real definition (110a)
//! by the project's own tools: GSB -> HSB per kieskring -> CSB, each level exporting the file
//! set `tally_export` makes for it (the count, its paper report, the osv4-3 CSV; at the CSB
//! the 510d, the 520 and the P 22-2), signed with the body's key as `tally-provision` and the
//! terminal sign (`tally_signing`).
//!
//! What is synthetic, and how it is made:
//! - the candidate lists (230b, one per kieskring, the same lists in each): written here by
//!   [`candidate_lists`] with the 110a's own `ElectionIdentifier`, the lists of [`Lists`] and
//!   invented candidates (the real PS/AB 230b files are not published); or a real 230b of
//!   another kieskring adapted to a real 510b's ballot ([`adapt_candidate_lists`]);
//! - for a Tweede Kamer chain, the 110a's tree restricted to a few kieskringen and
//!   municipalities ([`restrict_tree`]): a CSB needs a 510c of every kieskring of the tree;
//! - every municipality's count: typed twice per station (`tally_core::double_entry`) with the
//!   votes of [`Votes::votes`] (a fixed formula, so a test adds up what it expects by itself),
//!   exported by `tally_export::municipal` (a real 510b can replace a synthetic one, see
//!   [`ChainSpec::real_510b`]);
//! - the 510c and 510d: `tally_core::aggregate::Aggregation` over the level below, exported by
//!   `tally_export::district` and `tally_export::central` (which apportions and elects).
//!
//! The certificates (`chain::issue`) are valid in March/April 2099, whatever the election's
//! date: `tally-verify check --at` is given a time inside that window.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::path::{Path, PathBuf};

use tally_core::aggregate::{Aggregation, AggregationLevel, ImportOutcome, TotalMeta};
use tally_core::counts::CountLevel;
use tally_core::double_entry::{
    Action, DataEntry, Event, Role as EntryRole, Timestamp as T, UserName,
};
use tally_core::election::Election;
use tally_core::eml::count::{count_file_name, write_count};
use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::entry::{EntryCount, FieldId, FieldValue};
use tally_core::ids::{
    CandidatePosition, ContestId, ListNumber, MunicipalityCode, PollingStationNumber,
};
use tally_core::municipal::{MunicipalitySpec, StationInfo, shape_for};
use tally_export::{Created, CreationTime};
use tally_signing::{ContentKind, Role, SecretKey};

use super::chain::{Body, File, Medium, issue, write_medium};

/// The time at which `tally-verify check` checks the certificates.
pub const AT: &str = "2099-03-24T00:00:00Z";

/// The lists of a synthetic election: number of candidates per list (list `i + 1` has
/// `LISTS[i]` candidates), the same in every kieskring.
pub type Lists = &'static [u32];

/// The votes typed in a synthetic municipality, for the lists of its ballot.
#[derive(Debug, Clone)]
pub struct Votes {
    /// The lists on the ballot: number and number of candidates, in ballot order.
    pub lists: Vec<(u32, u32)>,
}

/// The first candidates' base votes per list, by ballot position (distinct, so that no
/// averages tie); lists further down get `200 / position`.
const BASE: [u64; 8] = [3000, 2200, 1900, 1500, 1000, 700, 400, 260];

impl Votes {
    /// Lists `1..=lists.len()` with `lists[i]` candidates.
    pub fn numbered(lists: Lists) -> Votes {
        Votes {
            lists: (1..).zip(lists.iter().copied()).collect(),
        }
    }

    fn position(&self, l: u32) -> usize {
        self.lists.iter().position(|(n, _)| *n == l).unwrap()
    }

    /// The votes typed for candidate `c` of list `l` at station `s` (from 1) of the
    /// municipality with index `m`: the first candidate of each list gets most; the last
    /// candidate of the first list enough to be elected on preference votes; the others a
    /// few.
    pub fn votes(&self, m: usize, s: u32, l: u32, c: u32) -> u64 {
        let m = m as u64;
        let s64 = u64::from(s);
        let i = self.position(l);
        if c == 1 {
            let base = BASE.get(i).copied().unwrap_or_else(|| 200 / i as u64);
            return base + 10 * (m % 7) + s64;
        }
        if i == 0 && c == self.lists[0].1 {
            return 120 + m % 5;
        }
        (m * 7 + s64 * 3 + u64::from(l) * 5 + u64::from(c)) % 5
    }

    /// The sum of a list's candidates at a station.
    pub fn list_total(&self, m: usize, s: u32, l: u32) -> u64 {
        (1..=self.lists[self.position(l)].1)
            .map(|c| self.votes(m, s, l, c))
            .sum()
    }

    /// Blank votes at a station.
    pub fn blank(m: usize, s: u32) -> u64 {
        5 + (m as u64 % 11) + u64::from(s)
    }

    /// The list numbers.
    pub fn numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.lists.iter().map(|(n, _)| *n)
    }

    fn candidates(&self, l: u32) -> u32 {
        self.lists[self.position(l)].1
    }
}

/// One municipality of the chain: its code, kieskring and number of stations.
#[derive(Debug, Clone)]
pub struct Municipality {
    /// The code (`0197`).
    pub code: String,
    /// Its kieskring's number.
    pub kieskring: u32,
    /// Its name from the tree.
    pub name: String,
    /// The number of polling stations (synthetic municipalities only).
    pub stations: u32,
    /// The votes typed (synthetic municipalities only).
    pub votes: Votes,
    /// Whether its 510b is a real one.
    pub real: bool,
}

/// What chain to build.
pub struct ChainSpec {
    /// The real 110a's file name in `../shared/eml/real`.
    pub definition: &'static str,
    /// The synthetic lists (ignored with `real_lists`).
    pub lists: Lists,
    /// Real 230b files (kieskring, file name in `../shared/eml/real`) used instead of
    /// synthetic ones for these kieskringen.
    pub real_lists: &'static [(u32, &'static str)],
    /// Synthetic 230b files for a kieskring whose 230b is not published: (kieskring, a real
    /// 510b of that kieskring, the real 230b of another kieskring). The other kieskring's
    /// 230b with its contest renamed, keeping only the lists on the 510b's ballot
    /// ([`adapt_candidate_lists`]).
    pub lists_from_510b: &'static [(u32, &'static str, &'static str)],
    /// A synthetic list whose candidates differ between kieskringen: in every kieskring but
    /// the first, its candidates are other (invented) persons, so the list is not the same
    /// everywhere and its candidates are elected across kieskringen (Kieswet P 18, P 19).
    pub differing_list: Option<u32>,
    /// Real 510b files (file name in `../shared/eml/real`, municipality code) used instead of
    /// the synthetic count of that municipality, signed by its GSB as they are.
    pub real_510b: &'static [(&'static str, &'static str)],
    /// The tree restricted to these kieskringen and municipalities (by number), a
    /// synthetic definition made from the real one by [`restrict_tree`] (None: the real tree).
    pub restrict: Option<&'static [(u32, &'static [u32])]>,
}

/// The built chain.
pub struct ElectionChain {
    /// The authority's root key.
    pub root: SecretKey,
    /// Every body, the authority first.
    pub bodies: Vec<Body>,
    /// The loaded election.
    pub election: Election,
    /// The election's identifier (`PS2023_Gelderland`).
    pub id: String,
    /// The lists of [`ChainSpec::lists`] (the ballot of every synthetic municipality when no
    /// real 230b is used).
    pub votes: Votes,
    /// The municipalities, in tree order, with a count.
    pub municipalities: Vec<Municipality>,
    /// The kieskringen.
    pub kieskringen: Vec<u32>,
    /// Every medium: definition, the 510b, the 510c, 510d + 520.
    pub media: Vec<Medium>,
    /// Why `tally_export::central` could not compute the seats, when it could not (the CSB's
    /// medium then holds the 510d alone).
    pub central_refusal: Option<String>,
}

/// A path in `../shared/eml/real`.
pub fn real(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/eml/real")
        .join(name)
}

/// The text of `<ElectionIdentifier ...>...</ElectionIdentifier>` in a 110a.
fn election_identifier(def: &str) -> &str {
    let start = def.find("<ElectionIdentifier").unwrap();
    let end = def[start..].find("</ElectionIdentifier>").unwrap() + "</ElectionIdentifier>".len();
    &def[start..start + end]
}

/// A synthetic 230b for contest `contest` (`contest_name`) of the election of the 110a
/// `def`: the lists `(number, registered name, number of candidates)`, each with invented
/// candidates. The `ElectionIdentifier` is the 110a's, so the core loads it as this
/// election's.
pub fn candidate_lists(
    def: &str,
    contest: &str,
    contest_name: &str,
    lists: &[(u32, String, u32)],
) -> String {
    let ident = election_identifier(def).replace('\n', "");
    let mut affiliations = String::new();
    for (l, list_name, n) in lists {
        affiliations.push_str(&format!(
            "<Affiliation><AffiliationIdentifier Id=\"{l}\"><RegisteredName>{list_name}</RegisteredName></AffiliationIdentifier><Type>op zichzelf staande lijst</Type><kr:ListData PublicationLanguage=\"nl\" PublishGender=\"true\"></kr:ListData>"
        ));
        for c in 1..=*n {
            let gender = if c % 2 == 0 { "female" } else { "male" };
            affiliations.push_str(&format!(
                "<Candidate><CandidateIdentifier Id=\"{c}\"></CandidateIdentifier><CandidateFullName><xnl:PersonName><xnl:NameLine NameType=\"Initials\">K.</xnl:NameLine><xnl:FirstName>Kandidaat</xnl:FirstName><xnl:LastName>Lijst{l}nummer{c}</xnl:LastName></xnl:PersonName></CandidateFullName><Gender>{gender}</Gender><QualifyingAddress><xal:Locality><xal:LocalityName>Plaats {l}</xal:LocalityName></xal:Locality></QualifyingAddress></Candidate>"
            ));
        }
        affiliations.push_str("</Affiliation>");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EML xmlns=\"urn:oasis:names:tc:evs:schema:eml\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:kr=\"http://www.kiesraad.nl/extensions\" xmlns:xal=\"urn:oasis:names:tc:ciq:xsdschema:xAL:2.0\" xmlns:xnl=\"urn:oasis:names:tc:ciq:xsdschema:xNL:2.0\" Id=\"230b\" SchemaVersion=\"5\"><TransactionId>1</TransactionId><ManagingAuthority><AuthorityIdentifier Id=\"CSB\">Centraal stembureau</AuthorityIdentifier><AuthorityAddress></AuthorityAddress></ManagingAuthority><IssueDate>2099-02-09</IssueDate><kr:CreationDateTime>2099-02-09T14:06:41.024</kr:CreationDateTime><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments\"></ds:CanonicalizationMethod><CandidateList><Election>{ident}<Contest><ContestIdentifier Id=\"{contest}\"><ContestName>{contest_name}</ContestName></ContestIdentifier>{affiliations}</Contest></Election></CandidateList></EML>"
    )
}

/// The ballot of a count, as the core reads it: every list's number, registered name and
/// number of candidates.
pub fn ballot_of(count: &[u8]) -> Vec<(u32, String, u32)> {
    let file = tally_core::eml::count::read_count(count).unwrap();
    file.total
        .lists
        .iter()
        .map(|l| (l.list.0, l.name.clone(), l.candidates.len() as u32))
        .collect()
}

/// The events of one typist typing station `s` of municipality `m`.
fn typing(votes: &Votes, user: &str, m: usize, s: u32, has_voter_cards: bool) -> Vec<Event> {
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
    let e: u64 = votes.numbers().map(|l| votes.list_total(m, s, l)).sum();
    let blank = Votes::blank(m, s);
    let invalid = 3;
    let h = e + blank + invalid;
    let (proxy, c) = (15, if has_voter_cards { 5 } else { 0 });
    let mut out = vec![ev(Action::StartEntry)];
    out.push(set(FieldId::PollCards, h - proxy - c));
    out.push(set(FieldId::ProxyCertificates, proxy));
    if has_voter_cards {
        out.push(set(FieldId::VoterCards, c));
    }
    out.push(set(FieldId::AdmittedVoters, h));
    for l in votes.numbers() {
        out.push(set(
            FieldId::ListVotes(ListNumber(l)),
            votes.list_total(m, s, l),
        ));
    }
    out.push(set(FieldId::VotesOnCandidates, e));
    out.push(set(FieldId::BlankVotes, blank));
    out.push(set(FieldId::InvalidVotes, invalid));
    out.push(set(FieldId::VotesCast, h));
    out.push(ev(Action::SetField {
        field: FieldId::AdmittedEqualsCast,
        value: FieldValue::Mark(true),
    }));
    for l in votes.numbers() {
        for c in 1..=votes.candidates(l) {
            out.push(set(
                FieldId::CandidateVotes(ListNumber(l), CandidatePosition(c)),
                votes.votes(m, s, l, c),
            ));
        }
        out.push(set(
            FieldId::ListTotal(ListNumber(l)),
            votes.list_total(m, s, l),
        ));
    }
    out.push(ev(Action::Finalise {
        acknowledge_warnings: false,
    }));
    out
}

fn created(eml: &str) -> Created {
    Created {
        at: 0,
        eml: eml.to_owned(),
        report: CreationTime::new(2099, 3, 18, 1, 0, 0).unwrap(),
        journal: None,
    }
}

fn files(set: Vec<tally_export::ExportFile>) -> Vec<File> {
    set.into_iter()
        .map(|f| File {
            name: f.name,
            bytes: f.bytes,
        })
        .collect()
}

/// The export of municipality `m`, typed twice and exported by the GSB's tools.
fn municipal_export(election: &Election, m: usize, muni: &Municipality, lists: &File) -> Vec<File> {
    let contest = ContestId(muni.kieskring.to_string());
    let shape = shape_for(election, &contest);
    let mut data = DataEntry::new(shape, (1..=muni.stations).map(PollingStationNumber));
    for s in 1..=muni.stations {
        for user in ["typist1", "typist2"] {
            for e in typing(&muni.votes, user, m, s, election.has_voter_cards()) {
                data.apply(&e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
            }
        }
    }
    let spec = MunicipalitySpec {
        code: MunicipalityCode(muni.code.clone()),
        stations: (1..=muni.stations)
            .map(|s| StationInfo {
                number: PollingStationNumber(s),
                name: format!("Stembureau {s} {}", muni.name),
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
    let set = tally_export::municipal(
        &tally_export::Municipality {
            election,
            contest: &contest,
            spec: &spec,
            name: &muni.name,
            lists: SourceFile::new(&lists.name, &lists.bytes),
            demo: false,
        },
        &data,
        &created("2099-03-18T01:00:00"),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", muni.code));
    files(set)
}

fn import(agg: &mut Aggregation, f: &File) {
    match agg.import(&f.name, &f.bytes).unwrap() {
        ImportOutcome::Imported { .. } => {}
        other => panic!("{}: {other:?}", f.name),
    }
}

fn meta(time: &str) -> TotalMeta {
    TotalMeta {
        transaction_id: 1,
        creation_date_time: time.into(),
    }
}

impl ElectionChain {
    /// Builds the chain of `spec` (every key fresh).
    pub fn build(spec: &ChainSpec) -> ElectionChain {
        let mut def_text = std::fs::read_to_string(real(spec.definition)).unwrap();
        if let Some(keep) = spec.restrict {
            def_text = restrict_tree(&def_text, keep);
        }
        let def_bytes = def_text.clone().into_bytes();
        let bare = tally_core::eml::definition::load_definition(&SourceFile::new(
            spec.definition,
            &def_bytes,
        ))
        .unwrap();
        let id = bare.id.0.clone();
        let kieskringen: Vec<(u32, String)> = bare
            .kieskringen()
            .filter_map(|k| Some((k.key.number?, k.name.clone())))
            .collect();
        let mut def = vec![File {
            name: spec.definition.to_owned(),
            bytes: def_bytes,
        }];
        for (n, name) in &kieskringen {
            let text = match spec.real_lists.iter().find(|(k, _)| k == n) {
                Some((_, file)) => std::fs::read_to_string(real(file)).unwrap(),
                None => match spec.lists_from_510b.iter().find(|(k, _, _)| k == n) {
                    Some((_, count, other)) => adapt_candidate_lists(
                        &std::fs::read_to_string(real(other)).unwrap(),
                        *n,
                        name,
                        &ballot_of(&std::fs::read(real(count)).unwrap()),
                    ),
                    None => {
                        let lists: Vec<(u32, String, u32)> = (1..)
                            .zip(spec.lists)
                            .map(|(l, c)| (l, format!("Lijst {l}"), *c))
                            .collect();
                        let text = candidate_lists(&def_text, &n.to_string(), name, &lists);
                        match spec.differing_list {
                            Some(x) if Some(n) != kieskringen.first().map(|(k, _)| k) => text
                                .replace(
                                    &format!("Lijst{x}nummer"),
                                    &format!("Lijst{x}kieskring{n}nummer"),
                                ),
                            _ => text,
                        }
                    }
                },
            };
            def.push(File {
                name: format!("Kandidatenlijsten_{id}_{}.eml.xml", name.replace(' ', "_")),
                bytes: text.into_bytes(),
            });
        }
        let sources: Vec<SourceFile<'_>> = def[1..]
            .iter()
            .map(|f| SourceFile::new(&f.name, &f.bytes))
            .collect();
        let election = load_election(
            &SourceFile::new(&def[0].name, &def[0].bytes),
            &sources,
            None,
        )
        .unwrap();
        let votes = Votes::numbered(spec.lists);
        let municipalities: Vec<Municipality> = election
            .municipalities()
            .filter_map(|r| {
                let code = r.municipality_code()?.0;
                let k = election.kieskring_of(&MunicipalityCode(code.clone()))?;
                let kieskring = k.key.number?;
                let contest = ContestId(kieskring.to_string());
                let ballot = Votes {
                    lists: election
                        .lists(&contest)
                        .iter()
                        .map(|l| (l.number.0, l.candidates.len() as u32))
                        .collect(),
                };
                Some(Municipality {
                    stations: 1 + u32::from(code.as_bytes()[3]) % 2,
                    real: spec.real_510b.iter().any(|(_, c)| *c == code),
                    code,
                    kieskring,
                    name: r.name.clone(),
                    votes: ballot,
                })
            })
            .collect();

        let root = SecretKey::generate();
        let mut bodies = vec![issue(&root, Role::Authority, "Kiesraad", &id)];
        let mut media = vec![Medium {
            signer: "Kiesraad".into(),
            kind: ContentKind::ElectionDefinition,
            files: def.clone(),
        }];
        let lists_of = |k: u32| {
            let i = kieskringen.iter().position(|(n, _)| *n == k).unwrap();
            &def[1 + i]
        };
        let mut b510: Vec<(u32, File)> = Vec::new();
        for (m, muni) in municipalities.iter().enumerate() {
            bodies.push(issue(&root, Role::Gsb, &muni.code, &id));
            let set = match spec.real_510b.iter().find(|(_, c)| *c == muni.code) {
                Some((file, _)) => vec![File {
                    name: (*file).to_owned(),
                    bytes: std::fs::read(real(file)).unwrap(),
                }],
                None => municipal_export(&election, m, muni, lists_of(muni.kieskring)),
            };
            b510.push((muni.kieskring, set[0].clone()));
            media.push(Medium {
                signer: muni.code.clone(),
                kind: ContentKind::Results510b,
                files: set,
            });
        }
        let lists: Vec<SourceFile<'_>> = def[1..]
            .iter()
            .map(|f| SourceFile::new(&f.name, &f.bytes))
            .collect();
        let mut c510 = Vec::new();
        for (k, name) in &kieskringen {
            let hsb = format!("HSB{k}");
            bodies.push(issue(&root, Role::Hsb, &hsb, &id));
            let mut agg = Aggregation::for_district(&election, *k).unwrap();
            for (kk, f) in &b510 {
                if kk == k {
                    import(&mut agg, f);
                }
            }
            let total = agg.total(&meta("2099-03-19T10:00:00")).unwrap();
            let contest = ContestId(k.to_string());
            let set = tally_export::district(
                &tally_export::Body {
                    election: &election,
                    level: AggregationLevel::District { kieskring: *k },
                    id: &hsb,
                    name: &format!("Hoofdstembureau {name}"),
                    contest: &contest,
                    lists: &lists,
                    demo: false,
                },
                &total,
                &created("2099-03-19T10:00:00"),
            )
            .unwrap();
            let set = files(set);
            c510.push(set[0].clone());
            media.push(Medium {
                signer: hsb,
                kind: ContentKind::Results510c,
                files: set,
            });
        }
        bodies.push(issue(&root, Role::Csb, "CSB", &id));
        let mut agg = Aggregation::for_central(&election).unwrap();
        for f in &c510 {
            import(&mut agg, f);
        }
        let total = agg.total(&meta("2099-03-23T10:00:00")).unwrap();
        let contest = election.contests[0].id.clone();
        let exported = tally_export::central(
            &tally_export::Body {
                election: &election,
                level: AggregationLevel::Central,
                id: "CSB",
                name: "Centraal stembureau",
                contest: &contest,
                lists: &lists,
                demo: false,
            },
            &total,
            &tally_core::aggregate::outcome::Decisions::default(),
            &created("2099-03-23T10:00:00"),
        );
        // Where the core cannot compute the seats (a water board), the CSB signs the 510d
        // alone: as far as the chain goes.
        let (set, central_refusal) = match exported {
            Ok(set) => (files(set), None),
            Err(tally_export::ExportError::Outcome(e)) => (
                vec![File {
                    name: count_file_name(CountLevel::Total, &id, ""),
                    bytes: write_count(&total).unwrap(),
                }],
                Some(e.to_string()),
            ),
            Err(e) => panic!("{e}"),
        };
        media.push(Medium {
            signer: "CSB".into(),
            kind: ContentKind::Results510d520,
            files: set,
        });
        ElectionChain {
            root,
            bodies,
            election,
            id,
            votes,
            municipalities,
            kieskringen: kieskringen.into_iter().map(|(n, _)| n).collect(),
            media,
            central_refusal,
        }
    }

    /// A body by identifier.
    pub fn body(&self, id: &str) -> &Body {
        self.bodies.iter().find(|b| b.id == id).unwrap()
    }

    /// The medium signed by `signer`.
    pub fn medium(&self, signer: &str) -> &Medium {
        self.media.iter().find(|m| m.signer == signer).unwrap()
    }

    /// The folder name of the medium signed by `signer`.
    pub fn medium_folder(&self, signer: &str) -> String {
        let m = self.medium(signer);
        tally_signing::SignedMedium::folder_name(m.kind, &self.id, signer)
    }

    /// The root public key file in `dir`.
    pub fn write_root_key(&self, dir: &Path) -> PathBuf {
        let p = dir.join("root.pub");
        std::fs::write(&p, self.root.public_key().to_file_bytes()).unwrap();
        p
    }

    /// Writes every medium into `dir`.
    pub fn write(&self, dir: &Path) {
        for m in &self.media {
            write_medium(self.body(&m.signer), m.kind, &m.files, dir);
        }
    }

    /// The votes of list `l` over every synthetic station of the chain.
    pub fn list_votes(&self, l: u32) -> u64 {
        self.municipalities
            .iter()
            .enumerate()
            .filter(|(_, mu)| !mu.real)
            .flat_map(|(m, mu)| (1..=mu.stations).map(move |s| (m, s)))
            .map(|(m, s)| self.municipalities[m].votes.list_total(m, s, l))
            .sum()
    }
}

/// The 230b `text` of another kieskring made the 230b of kieskring `n` (`name`): its
/// contest renamed, and only the lists of `ballot` kept; each kept list must have the
/// ballot's number of candidates (asserted).
pub fn adapt_candidate_lists(
    text: &str,
    n: u32,
    name: &str,
    ballot: &[(u32, String, u32)],
) -> String {
    let start = text.find("<ContestIdentifier").unwrap();
    let end =
        start + text[start..].find("</ContestIdentifier>").unwrap() + "</ContestIdentifier>".len();
    let mut out = format!(
        "{}<ContestIdentifier Id=\"{n}\"><ContestName>{name}</ContestName></ContestIdentifier>",
        &text[..start]
    );
    let mut rest = &text[end..];
    let mut kept = 0;
    while let Some(a) = rest.find("<Affiliation>") {
        let b = a + rest[a..].find("</Affiliation>").unwrap() + "</Affiliation>".len();
        let block = &rest[a..b];
        let id: u32 = attribute(block, "Id").unwrap().parse().unwrap();
        out.push_str(&rest[..a]);
        if let Some((_, _, candidates)) = ballot.iter().find(|(l, _, _)| *l == id) {
            assert_eq!(
                block.matches("<Candidate>").count() as u32,
                *candidates,
                "list {id}"
            );
            out.push_str(block);
            kept += 1;
        }
        rest = &rest[b..];
    }
    assert_eq!(
        kept,
        ballot.len(),
        "every list of the ballot is in the 230b"
    );
    out.push_str(rest);
    out
}

/// The value of attribute `name` in the start tag `tag`.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

/// A 110a with its election tree restricted to the kieskringen of `keep` and, in each, the
/// municipalities (by region number) given: every other region under a kieskring is left
/// out, the state and every region above the kieskringen kept.
pub fn restrict_tree(def: &str, keep: &[(u32, &[u32])]) -> String {
    let mut out = String::with_capacity(def.len());
    let mut rest = def;
    while let Some(start) = rest.find("<kr:Region ") {
        let end = start + rest[start..].find("</kr:Region>").unwrap() + "</kr:Region>".len();
        let block = &rest[start..end];
        let tag = &block[..block.find('>').unwrap()];
        let number: Option<u32> = attribute(tag, "RegionNumber").map(|n| n.parse().unwrap());
        let superior: Option<u32> =
            attribute(tag, "SuperiorRegionNumber").map(|n| n.parse().unwrap());
        let kept = match attribute(tag, "RegionCategory") {
            Some("KIESKRING") => keep.iter().any(|(k, _)| Some(*k) == number),
            _ => match superior.and_then(|sup| keep.iter().find(|(k, _)| *k == sup)) {
                Some((_, municipalities)) => number.is_some_and(|n| municipalities.contains(&n)),
                None => {
                    superior.is_none()
                        || attribute(tag, "SuperiorRegionCategory") != Some("KIESKRING")
                }
            },
        };
        let before = &rest[..start];
        if kept {
            out.push_str(before);
            out.push_str(block);
        } else {
            // Leave out the block with the indentation before it.
            out.push_str(before.trim_end_matches([' ', '\n', '\r', '\t']));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The seats per list by the Kieswet for 19 seats or more (P 6 and P 7), computed here
/// independently of the core: full seats by the quota, the rest by highest averages among
/// lists that reached the quota, in whole numbers (a/b > c/d as a*d > c*b). Ties are
/// asserted not to occur.
pub fn seats_by_highest_averages(votes: &[(u32, u64)], seats: u64) -> Vec<(u32, u64)> {
    let total: u64 = votes.iter().map(|(_, v)| v).sum();
    let mut out: Vec<(u32, u64, u64)> = votes
        .iter()
        .map(|(l, v)| (*l, *v, v * seats / total))
        .collect();
    let mut left = seats - out.iter().map(|x| x.2).sum::<u64>();
    while left > 0 {
        let mut best: Option<usize> = None;
        for (i, (_, v, s)) in out.iter().enumerate() {
            if *s == 0 {
                continue;
            }
            match best {
                None => best = Some(i),
                Some(b) => {
                    let (_, bv, bs) = out[b];
                    assert_ne!(v * (bs + 1), bv * (s + 1), "a tie");
                    if v * (bs + 1) > bv * (s + 1) {
                        best = Some(i);
                    }
                }
            }
        }
        out[best.unwrap()].2 += 1;
        left -= 1;
    }
    out.into_iter().map(|(l, _, s)| (l, s)).collect()
}
