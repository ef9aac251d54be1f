//! Counts as they travel in a 510 (b, c or d): per reporting unit and in total.
//!
//! These are the numbers of a whole reporting unit, at any level. What a typist enters for
//! one polling station (with the totals as printed on paper) is a different type, in the
//! entry module; it becomes a [`VoteCounts`] once it is definitive.
//!
//! This module also holds the arithmetic checks of a whole count file
//! ([`check_arithmetic`]): every list equals the sum of its candidates, E equals the sum
//! of E.1 .. E.n, and the file's total equals the sum of its reporting units, field by
//! field. [`check_against_election`] checks that a count file belongs to an election
//! (same election, its contest, its lists and candidates). Reading and writing the EML
//! lives in [`crate::eml::count`].

use std::collections::BTreeMap;
use std::fmt;

use crate::election::{Contest, Election, ElectionCategory, PoliticalList};
use crate::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, ReportingUnitId};

/// A number of votes, ballots or voters. Always an integer; sums use checked arithmetic.
pub type Count = u64;

/// How a candidate is identified in a count file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CandidateRef {
    /// By position on the list (`CandidateIdentifier Id`), as in every 510b and 510c.
    Position(CandidatePosition),
    /// By `ShortCode` only, as in the national `TotalVotes` of a Tweede Kamer 510d.
    ShortCode(String),
    /// By position and `ShortCode`, as in the reporting units (kieskringen) of a
    /// Tweede Kamer 510d.
    PositionAndShortCode(CandidatePosition, String),
}

impl CandidateRef {
    /// The position on the list, when the file gives one.
    pub fn position(&self) -> Option<CandidatePosition> {
        match self {
            CandidateRef::Position(p) | CandidateRef::PositionAndShortCode(p, _) => Some(*p),
            CandidateRef::ShortCode(_) => None,
        }
    }

    /// The `ShortCode`, when the file gives one.
    pub fn short_code(&self) -> Option<&str> {
        match self {
            CandidateRef::ShortCode(s) | CandidateRef::PositionAndShortCode(_, s) => Some(s),
            CandidateRef::Position(_) => None,
        }
    }

    /// The key under which this candidate is added up across reporting units: the
    /// `ShortCode` when there is one (the national total knows candidates only by it),
    /// otherwise the position.
    pub(crate) fn sum_key(&self) -> CandidateKey {
        match self {
            CandidateRef::ShortCode(s) | CandidateRef::PositionAndShortCode(_, s) => {
                CandidateKey::ShortCode(s.clone())
            }
            CandidateRef::Position(p) => CandidateKey::Position(*p),
        }
    }
}

impl fmt::Display for CandidateRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CandidateRef::Position(p) => write!(f, "candidate {p}"),
            CandidateRef::ShortCode(s) => write!(f, "candidate {s}"),
            CandidateRef::PositionAndShortCode(p, s) => write!(f, "candidate {p} ({s})"),
        }
    }
}

/// How candidates are matched across reporting units ([`CandidateRef::sum_key`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CandidateKey {
    Position(CandidatePosition),
    ShortCode(String),
}

/// The votes of one list in one reporting unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListVotes {
    /// The list's number.
    pub list: ListNumber,
    /// The list's registered name as in the file (`RegisteredName`; may be empty).
    pub name: String,
    /// E.x: total votes on the list ("totaal lijst", the list `Selection`'s `ValidVotes`).
    pub total: Count,
    /// The votes of each candidate of the list ("stemmen per kandidaat"), in file order.
    pub candidates: Vec<(CandidateRef, Count)>,
}

/// The `UncountedVotes` of a 510: admitted voters and the explained differences.
///
/// A field is `None` when the file does not give it (Tweede Kamer 2021 510c and 510d files,
/// for example, give neither A nor D).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoterCounts {
    /// A: valid poll cards ("geldige stempassen").
    pub poll_cards: Option<Count>,
    /// B: valid proxy certificates ("geldige volmachtbewijzen").
    pub proxy_certificates: Option<Count>,
    /// C: valid voter cards ("geldige kiezerspassen"); absent in municipal council elections.
    pub voter_cards: Option<Count>,
    /// D: admitted voters ("toegelaten kiezers").
    pub admitted_voters: Option<Count>,
    /// I: more ballots counted than admitted voters ("meer getelde stembiljetten").
    pub more_ballots_counted: Option<Count>,
    /// J: fewer ballots counted than admitted voters ("minder getelde stembiljetten").
    pub fewer_ballots_counted: Option<Count>,
    /// Every other `UncountedVotes` reason: the explanation codes ("meegenomen
    /// stembiljetten", "geen verklaring", "andere verklaring", ...) with their counts, in
    /// the order of the EML_NL schema's list of reason codes (readers sort them so).
    pub other: Vec<(String, Count)>,
}

/// All counts of one reporting unit (or of the whole file, its `TotalVotes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteCounts {
    /// `Cast`: the number of eligible voters ("kiesgerechtigden"; 0 where unknown).
    pub cast: Count,
    /// E.1 .. E.n: the lists in file order, each with its candidates.
    pub lists: Vec<ListVotes>,
    /// E: total votes on candidates ("totaal stemmen op kandidaten", `TotalCounted`).
    pub total_counted: Count,
    /// F: blank votes ("blanco stemmen", `RejectedVotes` "blanco").
    pub blank: Count,
    /// G: invalid votes ("ongeldige stemmen", `RejectedVotes` "ongeldig").
    pub invalid: Count,
    /// A, B, C, D, I, J and the explanation codes.
    pub voters: VoterCounts,
    /// In a corrigendum (EML_NL 1.3.1): the value each corrected number had in the version
    /// it corrects (`kr:PreviousValidVotes`, `kr:PreviousCast`, ...). Empty otherwise.
    pub previous: PreviousCounts,
}

/// The previous values of one vote-count element of a corrigendum: for each number that
/// has one, the value it had in the count this one corrects. A number without a previous
/// value has none in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviousCounts {
    /// `kr:PreviousCast`.
    pub cast: Option<Count>,
    /// The lists (and their candidates) that have a previous value, in file order.
    pub lists: Vec<PreviousListVotes>,
    /// `kr:PreviousTotalCounted`.
    pub total_counted: Option<Count>,
    /// `kr:PreviousRejectedVotes` "blanco".
    pub blank: Option<Count>,
    /// `kr:PreviousRejectedVotes` "ongeldig".
    pub invalid: Option<Count>,
    /// `kr:PreviousUncountedVotes`: (reason code, value), in the schema's order of reasons.
    pub uncounted: Vec<(String, Count)>,
}

impl PreviousCounts {
    /// Whether no number has a previous value.
    pub fn is_empty(&self) -> bool {
        self == &PreviousCounts::default()
    }
}

/// The previous values of one list's `Selection`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousListVotes {
    /// The list.
    pub list: ListNumber,
    /// `kr:PreviousValidVotes` of the list's own `Selection`.
    pub total: Option<Count>,
    /// `kr:PreviousValidVotes` of its candidates that have one, in file order.
    pub candidates: Vec<(CandidateRef, Count)>,
}

/// The phase of a count (`kr:PhaseCode`, EML_NL 1.3 and later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountPhase {
    /// "eerste zitting": the count of the first session.
    FirstSession,
    /// "corrigendum": a corrected count of a later session.
    Corrigendum,
}

impl CountPhase {
    /// The EML_NL code.
    pub fn eml_value(self) -> &'static str {
        match self {
            CountPhase::FirstSession => crate::eml::names::PHASE_FIRST_SESSION,
            CountPhase::Corrigendum => crate::eml::names::PHASE_CORRIGENDUM,
        }
    }

    /// The phase of an EML_NL code.
    pub fn from_eml_value(s: &str) -> Option<CountPhase> {
        [CountPhase::FirstSession, CountPhase::Corrigendum]
            .into_iter()
            .find(|p| p.eml_value() == s)
    }
}

/// How the votes were counted (`kr:MethodCode`, EML_NL 1.3 and later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountingMethod {
    /// "decentrale stemopneming": each polling station counts its votes.
    Decentral,
    /// "centrale stemopneming": the municipality counts the votes centrally.
    Central,
}

impl CountingMethod {
    /// The EML_NL code.
    pub fn eml_value(self) -> &'static str {
        match self {
            CountingMethod::Decentral => crate::eml::names::METHOD_DECENTRAL,
            CountingMethod::Central => crate::eml::names::METHOD_CENTRAL,
        }
    }

    /// The method of an EML_NL code.
    pub fn from_eml_value(s: &str) -> Option<CountingMethod> {
        [CountingMethod::Decentral, CountingMethod::Central]
            .into_iter()
            .find(|p| p.eml_value() == s)
    }
}

/// Which EML_NL a count file is written in and what it says about its count beyond the
/// numbers: the schema version, and from 1.3 on the phase and the counting method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountEdition {
    /// The EML_NL version (`kr:Schema`; 1.2.2 when absent).
    pub version: crate::eml::names::EmlVersion,
    /// `kr:Phase`, when given (1.3 and later).
    pub phase: Option<CountPhase>,
    /// `kr:CountingMethod`, when given (1.3 and later).
    pub counting_method: Option<CountingMethod>,
}

impl VoteCounts {
    /// H: total votes cast ("totaal uitgebrachte stemmen") = E + F + G, or `None` on overflow.
    pub fn votes_cast(&self) -> Option<Count> {
        self.total_counted
            .checked_add(self.blank)?
            .checked_add(self.invalid)
    }
}

/// One reporting unit of a 510 and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportingUnitCounts {
    /// `0668::SB1`, `HSB1::0014`, `HSB6`, ...
    pub id: ReportingUnitId,
    /// The unit's name as in the file.
    pub name: String,
    /// Its counts.
    pub counts: VoteCounts,
    /// `kr:ReportingUnitInvestigations`: each investigation reason code with its yes/no
    /// ("onderzocht vanwege onverklaard verschil", ...), in schema order. Usually empty.
    pub investigations: Vec<(String, bool)>,
}

/// Which 510 this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountLevel {
    /// 510b: a municipality's count, one reporting unit per polling station.
    Municipality,
    /// 510c: a kieskring's count, one reporting unit per municipality.
    District,
    /// 510d: the total count, one reporting unit per kieskring (or per municipality).
    Total,
}

impl CountLevel {
    /// The EML document id: `510b`, `510c` or `510d`.
    pub fn eml_id(self) -> &'static str {
        match self {
            CountLevel::Municipality => "510b",
            CountLevel::District => "510c",
            CountLevel::Total => "510d",
        }
    }
}

/// What a 510 says about itself: the election, who made it, the contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountHeader {
    /// 510b, 510c or 510d.
    pub level: CountLevel,
    /// `TransactionId`.
    pub transaction_id: u64,
    /// `ManagingAuthority/AuthorityIdentifier Id`: `0668`, `HSB1`, `CSB`.
    pub authority_id: String,
    /// The authority's name (`West Maas en Waal`, `Nederland`), when given.
    pub authority_name: Option<String>,
    /// `kr:CreationDateTime` as written in the file (xs:dateTime).
    pub creation_date_time: String,
    /// `ElectionIdentifier Id`: `TK2025`, `GR2022_WestMaasenWaal`.
    pub election_id: ElectionId,
    /// `ElectionName`, when given.
    pub election_name: Option<String>,
    /// `ElectionCategory`.
    pub category: ElectionCategory,
    /// `kr:ElectionSubcategory` (`TK`, `GR1`, `PS2`, ...), when given.
    pub subcategory: Option<String>,
    /// `kr:ElectionDomain`: its `Id` (when given) and name, when the file has one.
    pub domain: Option<(Option<String>, String)>,
    /// `kr:ElectionDate` as written (xs:date, `2025-10-29`).
    pub election_date: String,
    /// `ContestIdentifier Id`: `6`, `geen`, `alle`.
    pub contest_id: ContestId,
    /// `ContestName`, when given (`Nijmegen`).
    pub contest_name: Option<String>,
    /// The EML_NL version, phase and counting method.
    pub edition: CountEdition,
}

/// A whole 510 file: its header, its `TotalVotes` and its reporting units, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountFile {
    /// Election, authority, contest and level.
    pub header: CountHeader,
    /// `TotalVotes`: the file's total over all reporting units.
    pub total: VoteCounts,
    /// The reporting units in file order.
    pub units: Vec<ReportingUnitCounts>,
}

/// Where in a count file a number sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountPlace {
    /// The file's `TotalVotes`.
    Total,
    /// A reporting unit.
    Unit(ReportingUnitId),
}

impl fmt::Display for CountPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountPlace::Total => f.write_str("TotalVotes"),
            CountPlace::Unit(id) => write!(f, "reporting unit {id}"),
        }
    }
}

/// A field of [`VoteCounts`] that the total-versus-units check compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountField {
    /// `Cast` (eligible voters).
    Cast,
    /// E: `TotalCounted`.
    TotalCounted,
    /// F: blank.
    Blank,
    /// G: invalid.
    Invalid,
    /// A: valid poll cards.
    PollCards,
    /// B: valid proxy certificates.
    ProxyCertificates,
    /// C: valid voter cards.
    VoterCards,
    /// D: admitted voters.
    AdmittedVoters,
    /// I: more ballots counted.
    MoreBallotsCounted,
    /// J: fewer ballots counted.
    FewerBallotsCounted,
}

impl CountField {
    /// The field's letter and Dutch label, as on the paper forms.
    pub fn label(self) -> &'static str {
        match self {
            CountField::Cast => "kiesgerechtigden (Cast)",
            CountField::TotalCounted => "E totaal stemmen op kandidaten",
            CountField::Blank => "F blanco stemmen",
            CountField::Invalid => "G ongeldige stemmen",
            CountField::PollCards => "A geldige stempassen",
            CountField::ProxyCertificates => "B geldige volmachtbewijzen",
            CountField::VoterCards => "C geldige kiezerspassen",
            CountField::AdmittedVoters => "D toegelaten kiezers",
            CountField::MoreBallotsCounted => "I meer getelde stembiljetten",
            CountField::FewerBallotsCounted => "J minder getelde stembiljetten",
        }
    }
}

/// One arithmetic error in a count file. Every variant names where it is and both numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountViolation {
    /// A list's total (E.x) differs from the sum of its candidates' votes (F.402).
    ListNotSumOfCandidates {
        /// Where.
        place: CountPlace,
        /// Which list.
        list: ListNumber,
        /// E.x as in the file.
        list_total: Count,
        /// The sum of the list's candidates.
        sum_of_candidates: Count,
    },
    /// E differs from E.1 + ... + E.n (F.202).
    TotalCountedNotSumOfLists {
        /// Where.
        place: CountPlace,
        /// E as in the file.
        total_counted: Count,
        /// The sum of the lists.
        sum_of_lists: Count,
    },
    /// A field of `TotalVotes` differs from the sum of that field over the reporting units.
    FieldNotSumOfUnits {
        /// Which field.
        field: CountField,
        /// `TotalVotes` as in the file (`None`: absent there).
        total: Option<Count>,
        /// The sum over the units that give the field (`None`: no unit gives it).
        sum_of_units: Option<Count>,
    },
    /// A list's total in `TotalVotes` differs from the sum over the units.
    ListNotSumOfUnits {
        /// Which list.
        list: ListNumber,
        /// E.x in `TotalVotes` (0 when the list is missing there).
        total: Count,
        /// The sum of E.x over the units.
        sum_of_units: Count,
    },
    /// A candidate's votes in `TotalVotes` differ from the sum over the units.
    CandidateNotSumOfUnits {
        /// Which list.
        list: ListNumber,
        /// Which candidate (as in `TotalVotes`, or as in the first unit that has it).
        candidate: CandidateRef,
        /// Votes in `TotalVotes` (0 when the candidate is missing there).
        total: Count,
        /// The sum over the units.
        sum_of_units: Count,
    },
    /// An explanation code's count in `TotalVotes` differs from the sum over the units.
    ExplanationNotSumOfUnits {
        /// The reason code ("geen verklaring", ...).
        code: String,
        /// Its count in `TotalVotes` (0 when absent there).
        total: Count,
        /// The sum over the units.
        sum_of_units: Count,
    },
    /// A sum does not fit in 64 bits: the file is absurd.
    Overflow {
        /// Where.
        place: CountPlace,
        /// What was being added up.
        what: String,
    },
}

impl fmt::Display for CountViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn opt(v: &Option<Count>) -> String {
            v.map_or_else(|| "absent".to_owned(), |v| v.to_string())
        }
        match self {
            CountViolation::ListNotSumOfCandidates {
                place,
                list,
                list_total,
                sum_of_candidates,
            } => write!(
                f,
                "{place}, list {list}: list total {list_total} != sum of candidates {sum_of_candidates}"
            ),
            CountViolation::TotalCountedNotSumOfLists {
                place,
                total_counted,
                sum_of_lists,
            } => write!(
                f,
                "{place}: E (TotalCounted) {total_counted} != sum of lists {sum_of_lists}"
            ),
            CountViolation::FieldNotSumOfUnits {
                field,
                total,
                sum_of_units,
            } => write!(
                f,
                "TotalVotes {}: {} != sum of reporting units {}",
                field.label(),
                opt(total),
                opt(sum_of_units)
            ),
            CountViolation::ListNotSumOfUnits {
                list,
                total,
                sum_of_units,
            } => write!(
                f,
                "TotalVotes list {list}: {total} != sum of reporting units {sum_of_units}"
            ),
            CountViolation::CandidateNotSumOfUnits {
                list,
                candidate,
                total,
                sum_of_units,
            } => write!(
                f,
                "TotalVotes list {list}, {candidate}: {total} != sum of reporting units {sum_of_units}"
            ),
            CountViolation::ExplanationNotSumOfUnits {
                code,
                total,
                sum_of_units,
            } => write!(
                f,
                "TotalVotes \"{code}\": {total} != sum of reporting units {sum_of_units}"
            ),
            CountViolation::Overflow { place, what } => {
                write!(f, "{place}: the sum of {what} does not fit in 64 bits")
            }
        }
    }
}

/// Checks the arithmetic of a whole count file and returns every violation, in order:
/// first each reporting unit and the total on its own (lists against their candidates,
/// E against the lists), then the total against the units field by field, list by list
/// and candidate by candidate.
///
/// `Cast` (eligible voters) is compared only when every unit gives a non-zero `Cast`:
/// 0 means "unknown" in EML_NL, and real files (TK2025 510b of West Maas en Waal) give the
/// municipality's eligible voters in the total and 0 for each polling station.
/// A field absent in `TotalVotes` and in every unit is not compared; absent on one side
/// only, it is a violation. An empty file (no reporting units) is checked on its own only.
pub fn check_arithmetic(file: &CountFile) -> Vec<CountViolation> {
    let mut out = Vec::new();
    check_unit(&CountPlace::Total, &file.total, &mut out);
    for unit in &file.units {
        check_unit(&CountPlace::Unit(unit.id.clone()), &unit.counts, &mut out);
    }
    if !file.units.is_empty() {
        check_total_against_units(file, &mut out);
    }
    out
}

/// The checks of one unit on its own: F.402 for each list, F.202.
fn check_unit(place: &CountPlace, counts: &VoteCounts, out: &mut Vec<CountViolation>) {
    let mut sum_of_lists: Option<Count> = Some(0);
    for list in &counts.lists {
        let sum = list
            .candidates
            .iter()
            .try_fold(0u64, |acc, (_, v)| acc.checked_add(*v));
        match sum {
            Some(sum) if sum != list.total => out.push(CountViolation::ListNotSumOfCandidates {
                place: place.clone(),
                list: list.list,
                list_total: list.total,
                sum_of_candidates: sum,
            }),
            Some(_) => {}
            None => out.push(CountViolation::Overflow {
                place: place.clone(),
                what: format!("the candidates of list {}", list.list),
            }),
        }
        sum_of_lists = sum_of_lists.and_then(|s| s.checked_add(list.total));
    }
    match sum_of_lists {
        Some(sum) if sum != counts.total_counted => {
            out.push(CountViolation::TotalCountedNotSumOfLists {
                place: place.clone(),
                total_counted: counts.total_counted,
                sum_of_lists: sum,
            })
        }
        Some(_) => {}
        None => out.push(CountViolation::Overflow {
            place: place.clone(),
            what: "the lists".to_owned(),
        }),
    }
}

fn optional_fields(v: &VoterCounts) -> [(CountField, Option<Count>); 6] {
    [
        (CountField::PollCards, v.poll_cards),
        (CountField::ProxyCertificates, v.proxy_certificates),
        (CountField::VoterCards, v.voter_cards),
        (CountField::AdmittedVoters, v.admitted_voters),
        (CountField::MoreBallotsCounted, v.more_ballots_counted),
        (CountField::FewerBallotsCounted, v.fewer_ballots_counted),
    ]
}

/// Reads one required field of a [`VoteCounts`].
type FieldGetter = fn(&VoteCounts) -> Count;

fn check_total_against_units(file: &CountFile, out: &mut Vec<CountViolation>) {
    let total = &file.total;
    let units = &file.units;
    let overflow = |what: &str| CountViolation::Overflow {
        place: CountPlace::Total,
        what: format!("{what} over the reporting units"),
    };

    // The required fields. Cast only when every unit knows it.
    let required: [(CountField, Count, FieldGetter); 4] = [
        (CountField::Cast, total.cast, |c| c.cast),
        (CountField::TotalCounted, total.total_counted, |c| {
            c.total_counted
        }),
        (CountField::Blank, total.blank, |c| c.blank),
        (CountField::Invalid, total.invalid, |c| c.invalid),
    ];
    for (field, in_total, get) in required {
        if field == CountField::Cast && units.iter().any(|u| u.counts.cast == 0) {
            continue;
        }
        match units
            .iter()
            .try_fold(0u64, |acc, u| acc.checked_add(get(&u.counts)))
        {
            Some(sum) if sum != in_total => out.push(CountViolation::FieldNotSumOfUnits {
                field,
                total: Some(in_total),
                sum_of_units: Some(sum),
            }),
            Some(_) => {}
            None => out.push(overflow(field.label())),
        }
    }

    // The optional fields A, B, C, D, I, J.
    let total_fields = optional_fields(&total.voters);
    for (i, (field, in_total)) in total_fields.iter().enumerate() {
        let mut sum: Option<Option<Count>> = Some(None);
        for unit in units {
            let value = optional_fields(&unit.counts.voters)
                .get(i)
                .and_then(|(_, v)| *v);
            if let Some(v) = value {
                sum = sum.and_then(|s| s.unwrap_or(0).checked_add(v).map(Some));
            }
        }
        match sum {
            Some(sum) if sum != *in_total => out.push(CountViolation::FieldNotSumOfUnits {
                field: *field,
                total: *in_total,
                sum_of_units: sum,
            }),
            Some(_) => {}
            None => out.push(overflow(field.label())),
        }
    }

    // The explanation codes.
    let mut codes: BTreeMap<&str, (Count, Option<Count>)> = BTreeMap::new();
    for (code, v) in &total.voters.other {
        codes.entry(code.as_str()).or_insert((0, Some(0))).0 = *v;
    }
    for unit in units {
        for (code, v) in &unit.counts.voters.other {
            let entry = codes.entry(code.as_str()).or_insert((0, Some(0)));
            entry.1 = entry.1.and_then(|s| s.checked_add(*v));
        }
    }
    for (code, (in_total, sum)) in codes {
        match sum {
            Some(sum) if sum != in_total => out.push(CountViolation::ExplanationNotSumOfUnits {
                code: code.to_owned(),
                total: in_total,
                sum_of_units: sum,
            }),
            Some(_) => {}
            None => out.push(overflow(&format!("\"{code}\""))),
        }
    }

    // Lists and candidates, in the order of TotalVotes, then lists only the units have.
    struct ListSum {
        total: Count,
        sum: Option<Count>,
        candidates: Vec<(CandidateKey, CandidateRef, Count, Option<Count>)>,
    }
    let mut lists: BTreeMap<ListNumber, ListSum> = BTreeMap::new();
    let mut order: Vec<ListNumber> = Vec::new();
    let mut add_list = |list: &ListVotes, from_total: bool, lists: &mut BTreeMap<_, _>| {
        let entry = lists.entry(list.list).or_insert_with(|| {
            order.push(list.list);
            ListSum {
                total: 0,
                sum: Some(0),
                candidates: Vec::new(),
            }
        });
        let entry: &mut ListSum = entry;
        if from_total {
            entry.total = list.total;
        } else {
            entry.sum = entry.sum.and_then(|s| s.checked_add(list.total));
        }
        for (cand, votes) in &list.candidates {
            let key = cand.sum_key();
            let idx = match entry.candidates.iter().position(|c| c.0 == key) {
                Some(idx) => idx,
                None => {
                    entry.candidates.push((key, cand.clone(), 0, Some(0)));
                    entry.candidates.len() - 1
                }
            };
            if let Some(c) = entry.candidates.get_mut(idx) {
                if from_total {
                    c.2 = *votes;
                } else {
                    c.3 = c.3.and_then(|s| s.checked_add(*votes));
                }
            }
        }
    };
    for list in &total.lists {
        add_list(list, true, &mut lists);
    }
    for unit in units {
        for list in &unit.counts.lists {
            add_list(list, false, &mut lists);
        }
    }
    for number in order {
        let Some(list) = lists.get(&number) else {
            continue;
        };
        match list.sum {
            Some(sum) if sum != list.total => out.push(CountViolation::ListNotSumOfUnits {
                list: number,
                total: list.total,
                sum_of_units: sum,
            }),
            Some(_) => {}
            None => out.push(overflow(&format!("list {number}"))),
        }
        for (_, cand, in_total, sum) in &list.candidates {
            match sum {
                Some(sum) if sum != in_total => out.push(CountViolation::CandidateNotSumOfUnits {
                    list: number,
                    candidate: cand.clone(),
                    total: *in_total,
                    sum_of_units: *sum,
                }),
                Some(_) => {}
                None => out.push(overflow(&format!("list {number}, {cand}"))),
            }
        }
    }
}

/// A count file that does not belong to an [`Election`]: every variant names what differs
/// and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElectionMismatch {
    /// `ElectionIdentifier Id` differs.
    ElectionId {
        /// In the count file.
        file: String,
        /// In the election.
        election: String,
    },
    /// `ElectionCategory` differs.
    Category {
        /// In the count file.
        file: ElectionCategory,
        /// In the election.
        election: ElectionCategory,
    },
    /// `kr:ElectionSubcategory` differs (only compared when the file gives one).
    Subcategory {
        /// In the count file.
        file: String,
        /// In the election.
        election: String,
    },
    /// `kr:ElectionDate` differs.
    ElectionDate {
        /// In the count file.
        file: String,
        /// In the election.
        election: String,
    },
    /// The contest (kieskring) of the file, or of a kieskring unit of a 510d, is not one
    /// of the election's contests.
    UnknownContest {
        /// Where.
        place: CountPlace,
        /// The contest identifier.
        contest: String,
    },
    /// A list that the contest does not have.
    UnknownList {
        /// Where.
        place: CountPlace,
        /// The contest looked in (`alle`: any contest).
        contest: String,
        /// The list number.
        list: ListNumber,
    },
    /// A candidate the list does not have (position beyond the list, or an unknown
    /// `ShortCode`), or whose `ShortCode` differs from the candidate list's.
    UnknownCandidate {
        /// Where.
        place: CountPlace,
        /// The contest looked in (`alle`: any contest).
        contest: String,
        /// The list.
        list: ListNumber,
        /// The candidate as in the count file.
        candidate: CandidateRef,
    },
}

impl fmt::Display for ElectionMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElectionMismatch::ElectionId { file, election } => {
                write!(f, "election {file} in the count file, {election} expected")
            }
            ElectionMismatch::Category { file, election } => write!(
                f,
                "category {file:?} in the count file, {election:?} expected"
            ),
            ElectionMismatch::Subcategory { file, election } => {
                write!(
                    f,
                    "subcategory {file} in the count file, {election} expected"
                )
            }
            ElectionMismatch::ElectionDate { file, election } => {
                write!(
                    f,
                    "election date {file} in the count file, {election} expected"
                )
            }
            ElectionMismatch::UnknownContest { place, contest } => {
                write!(f, "{place}: contest {contest} is not in the election")
            }
            ElectionMismatch::UnknownList {
                place,
                contest,
                list,
            } => write!(f, "{place}: list {list} is not in contest {contest}"),
            ElectionMismatch::UnknownCandidate {
                place,
                contest,
                list,
                candidate,
            } => write!(
                f,
                "{place}: list {list} of contest {contest} has no {candidate}"
            ),
        }
    }
}

/// Checks that a count file belongs to `election`: the same election id, category,
/// subcategory (when the file gives one) and date; the file's contest is one of the
/// election's; and every list and candidate of every unit and of the total exists in that
/// contest's candidate lists (a position within the list, and where the file gives a
/// `ShortCode`, the candidate's own).
///
/// For a 510d whose contest is `alle` (a national total), each reporting unit `HSBn` is
/// checked against contest `n`, and `TotalVotes` against any contest. A `ShortCode`-only
/// candidate of the national total must have that `ShortCode` in the candidate lists or,
/// since 230b files give no `ShortCode`, next to a position on the same list in one of the
/// file's kieskring units. Returns every mismatch found.
pub fn check_against_election(file: &CountFile, election: &Election) -> Vec<ElectionMismatch> {
    let mut out = Vec::new();
    let h = &file.header;
    if h.election_id != election.id {
        out.push(ElectionMismatch::ElectionId {
            file: h.election_id.0.clone(),
            election: election.id.0.clone(),
        });
    }
    if h.category != election.category {
        out.push(ElectionMismatch::Category {
            file: h.category,
            election: election.category,
        });
    }
    if let Some(sub) = &h.subcategory
        && sub != election.subcategory.eml_value()
    {
        out.push(ElectionMismatch::Subcategory {
            file: sub.clone(),
            election: election.subcategory.eml_value().to_owned(),
        });
    }
    let date = election.date.to_string();
    if h.election_date != date {
        out.push(ElectionMismatch::ElectionDate {
            file: h.election_date.clone(),
            election: date,
        });
    }

    let national = h.contest_id.0 == "alle" && election.contest(&h.contest_id).is_none();
    if national {
        // 230b files carry no ShortCode, so a ShortCode-only candidate of the national
        // total is matched against the ShortCodes its kieskringen give next to a position
        // (which are themselves checked by position below).
        let unit_codes: Vec<(ListNumber, &str)> = file
            .units
            .iter()
            .flat_map(|u| u.counts.lists.iter())
            .flat_map(|l| {
                l.candidates
                    .iter()
                    .filter_map(move |(c, _)| c.position().and(c.short_code()).map(|s| (l.list, s)))
            })
            .collect();
        check_lists_any_contest(
            &CountPlace::Total,
            &file.total,
            election,
            &unit_codes,
            &mut out,
        );
        for unit in &file.units {
            let place = CountPlace::Unit(unit.id.clone());
            let contest = unit
                .id
                .0
                .strip_prefix("HSB")
                .map(|n| ContestId(n.to_owned()));
            match contest.as_ref().and_then(|c| election.contest(c)) {
                Some(contest) => check_lists_in(&place, &unit.counts, contest, &mut out),
                None => out.push(ElectionMismatch::UnknownContest {
                    place,
                    contest: contest.map_or_else(|| unit.id.0.clone(), |c| c.0),
                }),
            }
        }
    } else {
        match election.contest(&h.contest_id) {
            Some(contest) => {
                check_lists_in(&CountPlace::Total, &file.total, contest, &mut out);
                for unit in &file.units {
                    let place = CountPlace::Unit(unit.id.clone());
                    check_lists_in(&place, &unit.counts, contest, &mut out);
                }
            }
            None => out.push(ElectionMismatch::UnknownContest {
                place: CountPlace::Total,
                contest: h.contest_id.0.clone(),
            }),
        }
    }
    out
}

fn candidate_matches(cand: &CandidateRef, list: &PoliticalList) -> bool {
    match cand {
        CandidateRef::Position(p) => list.candidates.iter().any(|c| c.position == *p),
        CandidateRef::ShortCode(s) => list
            .candidates
            .iter()
            .any(|c| c.short_code.as_deref() == Some(s.as_str())),
        CandidateRef::PositionAndShortCode(p, s) => list
            .candidates
            .iter()
            .any(|c| c.position == *p && c.short_code.as_deref().is_none_or(|own| own == s)),
    }
}

fn check_lists_in(
    place: &CountPlace,
    counts: &VoteCounts,
    contest: &Contest,
    out: &mut Vec<ElectionMismatch>,
) {
    for list in &counts.lists {
        let Some(known) = contest.lists.iter().find(|l| l.number == list.list) else {
            out.push(ElectionMismatch::UnknownList {
                place: place.clone(),
                contest: contest.id.0.clone(),
                list: list.list,
            });
            continue;
        };
        for (cand, _) in &list.candidates {
            if !candidate_matches(cand, known) {
                out.push(ElectionMismatch::UnknownCandidate {
                    place: place.clone(),
                    contest: contest.id.0.clone(),
                    list: list.list,
                    candidate: cand.clone(),
                });
            }
        }
    }
}

fn check_lists_any_contest(
    place: &CountPlace,
    counts: &VoteCounts,
    election: &Election,
    unit_codes: &[(ListNumber, &str)],
    out: &mut Vec<ElectionMismatch>,
) {
    for list in &counts.lists {
        let known: Vec<&PoliticalList> = election
            .contests
            .iter()
            .filter_map(|c| c.lists.iter().find(|l| l.number == list.list))
            .collect();
        if known.is_empty() {
            out.push(ElectionMismatch::UnknownList {
                place: place.clone(),
                contest: "alle".to_owned(),
                list: list.list,
            });
            continue;
        }
        for (cand, _) in &list.candidates {
            let in_units = match cand {
                CandidateRef::ShortCode(s) => unit_codes
                    .iter()
                    .any(|(l, code)| *l == list.list && *code == s.as_str()),
                _ => false,
            };
            if !in_units && !known.iter().any(|l| candidate_matches(cand, l)) {
                out.push(ElectionMismatch::UnknownCandidate {
                    place: place.clone(),
                    contest: "alle".to_owned(),
                    list: list.list,
                    candidate: cand.clone(),
                });
            }
        }
    }
}
