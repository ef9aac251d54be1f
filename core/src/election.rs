//! The validated election: one 110a definition, its 230b candidate lists, and optionally
//! a 110b polling-station list, checked against each other.
//!
//! Loading lives in [`crate::eml::definition`]; this module holds the domain types only.

use std::fmt;

use crate::hashcode::Sha256Digest;
use crate::ids::{
    CandidatePosition, ContestId, ElectionId, ListNumber, MunicipalityCode, PollingStationNumber,
};

/// Election category as in `ElectionCategory` (EML_NL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElectionCategory {
    /// Tweede Kamer (House of Representatives), 150 seats.
    TK,
    /// Eerste Kamer (Senate).
    EK,
    /// European Parliament.
    EP,
    /// Provinciale Staten (provincial council).
    PS,
    /// Algemeen Bestuur (water board).
    AB,
    /// Gemeenteraad (municipal council).
    GR,
    /// Eilandsraad (island council, Caribbean Netherlands).
    ER,
    /// Kiescollege (electoral college).
    NR,
}

impl ElectionCategory {
    /// Whether field C (valid voter cards, "kiezerspassen") exists on the paper report.
    /// Voter cards are not used in municipal council elections.
    pub fn has_voter_cards(self) -> bool {
        !matches!(self, ElectionCategory::GR)
    }
}

/// A candidate on a list (230b).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Position on the list, from 1.
    pub position: CandidatePosition,
    /// Initials ("T.").
    pub initials: String,
    /// First name, when published.
    pub first_name: Option<String>,
    /// Name prefix ("van der"), when any.
    pub prefix: Option<String>,
    /// Last name.
    pub last_name: String,
    /// Place of residence, when published.
    pub locality: Option<String>,
    /// Gender as in the 230b, when published ("male", "female", ...).
    pub gender: Option<String>,
    /// `ShortCode`, when the 230b gives one (TK files do).
    pub short_code: Option<String>,
}

impl Candidate {
    /// The person's identity where no `ShortCode` is given: every field the 230b gives of
    /// the person (not the position). Starts with `=` so that it never equals a `ShortCode`
    /// (letters and digits only). A list that differs between kieskringen (P 18) knows its
    /// candidates across kieskringen by it, and a 520 written from these 230b files names
    /// them with exactly these fields.
    pub fn person_key(&self) -> String {
        format!(
            "={}|{}|{}|{}|{}|{}",
            self.last_name,
            self.prefix.as_deref().unwrap_or(""),
            self.initials,
            self.first_name.as_deref().unwrap_or(""),
            self.locality.as_deref().unwrap_or(""),
            self.gender.as_deref().unwrap_or("")
        )
    }

    /// Whether `other` is the same person by [`Candidate::person_key`]'s fields (compared
    /// as they are, without making the keys).
    pub fn same_person(&self, other: &Candidate) -> bool {
        fn or_empty(o: &Option<String>) -> &str {
            o.as_deref().unwrap_or("")
        }
        self.last_name == other.last_name
            && or_empty(&self.prefix) == or_empty(&other.prefix)
            && self.initials == other.initials
            && or_empty(&self.first_name) == or_empty(&other.first_name)
            && or_empty(&self.locality) == or_empty(&other.locality)
            && or_empty(&self.gender) == or_empty(&other.gender)
    }

    /// The name as the papers and screens show it: `Ark, T. van (Tamara)`: last name,
    /// initials, the prefix after them, the first name in brackets where published.
    pub fn display_name(&self) -> String {
        let mut s = format!("{}, {}", self.last_name, self.initials);
        if let Some(p) = self.prefix.as_deref().filter(|p| !p.trim().is_empty()) {
            s.push(' ');
            s.push_str(p);
        }
        if let Some(f) = self.first_name.as_deref().filter(|f| !f.trim().is_empty()) {
            s.push_str(" (");
            s.push_str(f);
            s.push(')');
        }
        s
    }
}

/// A list ("affiliation") with its candidates, in one contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoliticalList {
    /// The list's number, from 1.
    pub number: ListNumber,
    /// The registered name (may be empty for a list without appellation).
    pub name: String,
    /// The candidates in list order.
    pub candidates: Vec<Candidate>,
}

/// One contest of a 230b: the lists as submitted in one kieskring (or `geen`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contest {
    /// `1`..`20` for a kieskring, `geen` where the election has none.
    pub id: ContestId,
    /// The kieskring's name, when given.
    pub name: Option<String>,
    /// The lists, ordered by number.
    pub lists: Vec<PoliticalList>,
}

/// A polling station (110b).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollingStation {
    /// Its number within the municipality.
    pub number: PollingStationNumber,
    /// Its name or location.
    pub name: String,
    /// Postcode, when given.
    pub postcode: Option<String>,
    /// Eligible voters, when given.
    pub eligible_voters: Option<u64>,
}

impl ElectionCategory {
    /// The `ElectionCategory` value in EML_NL (`TK`, `GR`, ...).
    pub fn eml_value(self) -> &'static str {
        match self {
            ElectionCategory::TK => "TK",
            ElectionCategory::EK => "EK",
            ElectionCategory::EP => "EP",
            ElectionCategory::PS => "PS",
            ElectionCategory::AB => "AB",
            ElectionCategory::GR => "GR",
            ElectionCategory::ER => "ER",
            ElectionCategory::NR => "NR",
        }
    }
}

impl fmt::Display for ElectionCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.eml_value())
    }
}

/// Election subcategory as in `kr:ElectionSubcategory` (EML_NL): every value the schema
/// knows. The number in `GR1`/`GR2`, `PS1`/`PS2`, `AB1`/`AB2` says whether the council has
/// fewer than 19 seats (1) or 19 or more (2), which decides the apportionment rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElectionSubcategory {
    /// Provinciale Staten, fewer than 19 seats.
    PS1,
    /// Provinciale Staten, 19 seats or more.
    PS2,
    /// Water board, fewer than 19 seats.
    AB1,
    /// Water board, 19 seats or more.
    AB2,
    /// Municipal council, fewer than 19 seats.
    GR1,
    /// Municipal council, 19 seats or more.
    GR2,
    /// Bestuurscommissie (Amsterdam district committee).
    BC,
    /// Gebiedscommissie (Rotterdam area committee).
    GC,
    /// Eilandsraad.
    ER1,
    /// Tweede Kamer.
    TK,
    /// Eerste Kamer.
    EK,
    /// European Parliament.
    EP,
    /// Kiescollege (electoral college for the Eerste Kamer).
    NR,
    /// Referendum (national).
    PR,
    /// Referendum (provincial / local).
    LR,
    /// Referendum (island).
    IR,
}

impl ElectionSubcategory {
    /// The EML_NL value (`GR2`, ...).
    pub fn eml_value(self) -> &'static str {
        match self {
            ElectionSubcategory::PS1 => "PS1",
            ElectionSubcategory::PS2 => "PS2",
            ElectionSubcategory::AB1 => "AB1",
            ElectionSubcategory::AB2 => "AB2",
            ElectionSubcategory::GR1 => "GR1",
            ElectionSubcategory::GR2 => "GR2",
            ElectionSubcategory::BC => "BC",
            ElectionSubcategory::GC => "GC",
            ElectionSubcategory::ER1 => "ER1",
            ElectionSubcategory::TK => "TK",
            ElectionSubcategory::EK => "EK",
            ElectionSubcategory::EP => "EP",
            ElectionSubcategory::NR => "NR",
            ElectionSubcategory::PR => "PR",
            ElectionSubcategory::LR => "LR",
            ElectionSubcategory::IR => "IR",
        }
    }

    /// Whether the council has fewer than 19 seats (`GR1`, `PS1`, `AB1`): the apportionment
    /// of remaining seats then follows Kieswet P 8 instead of P 7.
    pub fn is_small_council(self) -> bool {
        matches!(
            self,
            ElectionSubcategory::GR1 | ElectionSubcategory::PS1 | ElectionSubcategory::AB1
        )
    }
}

impl fmt::Display for ElectionSubcategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.eml_value())
    }
}

/// A calendar date (`kr:ElectionDate`), validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElectionDate {
    /// Year, such as 2025.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, from 1.
    pub day: u32,
}

impl fmt::Display for ElectionDate {
    /// `YYYY-MM-DD`, as in EML_NL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The election's domain (`kr:ElectionDomain`): the municipality of a municipal council
/// election (`0042` Juinen), the province of a provincial election, the water board.
/// National elections have none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionDomain {
    /// The `Id` attribute, when given: a municipality's four-digit CBS code, or the
    /// number of a water board or province.
    pub id: Option<String>,
    /// The name (`Juinen`, `Gelderland`).
    pub name: String,
}

/// Region category in the election tree (`RegionCategory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RegionCategory {
    /// `STAAT`: the state (national elections).
    State,
    /// `WATERSCHAP`: a water board.
    WaterBoard,
    /// `PROVINCIE`: a province.
    Province,
    /// `KIESCOLLEGE`: an electoral college (EML_NL 1.3; earlier files write `PROVINCIE`).
    ElectoralCollege,
    /// `KIESKRING`: an electoral district (kieskring), with its principal committee (HSB).
    Kieskring,
    /// `WATERSCHAP_KIESKRING`: a water board's electoral district.
    WaterBoardKieskring,
    /// `PROVINCIAAL_KIESKRING`: a provincial electoral district.
    ProvincialKieskring,
    /// `PROVINCIAAL_STEMBUREAU`: a provincial polling-station committee.
    ProvincialPollingStation,
    /// `WATERSCHAP_GEMEENTE`: a municipality within a water board.
    WaterBoardMunicipality,
    /// `GEMEENTE`: a municipality.
    Municipality,
    /// `EILANDSGEMEENTE`: an island municipality (openbaar lichaam; EML_NL 1.3).
    IslandMunicipality,
    /// `DEELGEMEENTE`: a sub-municipality.
    SubMunicipality,
    /// `STEMBUREAU`: a polling station.
    PollingStation,
}

impl RegionCategory {
    /// The EML_NL value (`KIESKRING`, ...).
    pub fn eml_value(self) -> &'static str {
        match self {
            RegionCategory::State => "STAAT",
            RegionCategory::WaterBoard => "WATERSCHAP",
            RegionCategory::Province => "PROVINCIE",
            RegionCategory::ElectoralCollege => "KIESCOLLEGE",
            RegionCategory::Kieskring => "KIESKRING",
            RegionCategory::WaterBoardKieskring => "WATERSCHAP_KIESKRING",
            RegionCategory::ProvincialKieskring => "PROVINCIAAL_KIESKRING",
            RegionCategory::ProvincialPollingStation => "PROVINCIAAL_STEMBUREAU",
            RegionCategory::WaterBoardMunicipality => "WATERSCHAP_GEMEENTE",
            RegionCategory::Municipality => "GEMEENTE",
            RegionCategory::IslandMunicipality => "EILANDSGEMEENTE",
            RegionCategory::SubMunicipality => "DEELGEMEENTE",
            RegionCategory::PollingStation => "STEMBUREAU",
        }
    }
}

/// Committee category (`CommitteeCategory`) of a region in the election tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommitteeCategory {
    /// Centraal stembureau (central electoral committee).
    CSB,
    /// Hoofdstembureau (principal electoral committee of a kieskring).
    HSB,
    /// Provinciaal stembureau.
    ProvSB,
    /// Public body polling committee (Caribbean Netherlands).
    PSB,
}

/// A committee of a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committee {
    /// Its category.
    pub category: CommitteeCategory,
    /// Its name, when given (`De Kiesraad`).
    pub name: Option<String>,
}

/// The identity of a region in the tree: category and number (the state may have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionKey {
    /// The category.
    pub category: RegionCategory,
    /// The number (`RegionNumber`): a kieskring's number, a municipality's CBS number.
    pub number: Option<u32>,
}

/// A region of the election tree (`kr:Region`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Category and number.
    pub key: RegionKey,
    /// The name (`Nijmegen`, `West Maas en Waal`).
    pub name: String,
    /// The region it belongs to, when any (a municipality's kieskring).
    pub superior: Option<RegionKey>,
    /// The committees of this region.
    pub committees: Vec<Committee>,
}

impl Region {
    /// For a municipality: its four-digit code (`668` becomes `0668`).
    pub fn municipality_code(&self) -> Option<MunicipalityCode> {
        match (self.key.category, self.key.number) {
            (RegionCategory::Municipality, Some(n)) => Some(MunicipalityCode(format!("{n:04}"))),
            _ => None,
        }
    }
}

/// The polling stations of one municipality (a 110b).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollingStationList {
    /// The municipality (the 110b's reporting unit).
    pub municipality: MunicipalityCode,
    /// The municipality's name as in the 110b.
    pub municipality_name: String,
    /// The polling stations, ordered by number.
    pub stations: Vec<PollingStation>,
}

/// Which kind of definition file a source was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// The 110a election definition.
    Definition,
    /// A 230b with candidate lists.
    CandidateLists,
    /// The 110b with polling stations.
    PollingStations,
}

impl SourceKind {
    /// The EML document kind (`110a`, `230b`, `110b`).
    pub fn eml_id(self) -> &'static str {
        match self {
            SourceKind::Definition => "110a",
            SourceKind::CandidateLists => "230b",
            SourceKind::PollingStations => "110b",
        }
    }
}

/// A file the election was loaded from: its name and the SHA-256 of its exact bytes, so
/// a journal or a report can bind to what was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDigest {
    /// The kind of file.
    pub kind: SourceKind,
    /// Its name, as given to the loader.
    pub name: String,
    /// SHA-256 of its bytes ([`Sha256Digest::hash_code`] gives the 16 groups).
    pub sha256: Sha256Digest,
}

/// The validated election: the 110a definition, the contests and lists of its 230b
/// files, and the polling stations of a 110b when one was given, checked against each
/// other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Election {
    /// The election identifier (`TK2025`, `GR2025_Juinen`).
    pub id: ElectionId,
    /// The election's name (`Gemeenteraad 2025 Juinen`).
    pub name: String,
    /// Category (`ElectionCategory`).
    pub category: ElectionCategory,
    /// Subcategory (`kr:ElectionSubcategory`).
    pub subcategory: ElectionSubcategory,
    /// Election day (`kr:ElectionDate`).
    pub date: ElectionDate,
    /// Nomination day (`kr:NominationDate`).
    pub nomination_date: ElectionDate,
    /// The domain (municipality, province, water board), when the 110a gives one.
    pub domain: Option<ElectionDomain>,
    /// Number of seats (`kr:NumberOfSeats`).
    pub number_of_seats: u32,
    /// Preference threshold in percent of the quota (`kr:PreferenceThreshold`): 25, or 50
    /// for councils with fewer than 19 seats.
    pub preference_threshold: u32,
    /// The election tree, in document order (`kr:ElectionTree`).
    pub regions: Vec<Region>,
    /// The contests with their lists (from the 230b files), in the order given.
    pub contests: Vec<Contest>,
    /// The polling stations, when a 110b was given.
    pub polling_stations: Option<PollingStationList>,
    /// The files loaded, in order: the 110a, the 230b files, then the 110b.
    pub sources: Vec<SourceDigest>,
    /// Non-fatal remarks of the parser (elements it skipped), per file, for the log.
    pub parse_warnings: Vec<String>,
    /// The EML_NL version of the definition (110a): the version the counts of this
    /// election are written in.
    pub eml_version: crate::eml::names::EmlVersion,
}

impl Election {
    /// The 230b candidate an elected candidate of list `list` is: at its position on the
    /// list of `contest`; for a list elected across kieskringen (P 12 - P 18) at its position
    /// on the list of the kieskring it was elected on, or of any kieskring it stands on whose
    /// 230b is loaded; a list not in `contest` from the contest that has it. `None` when no
    /// loaded 230b has it.
    pub fn elected_candidate(
        &self,
        contest: &ContestId,
        list: ListNumber,
        elected: &crate::apportionment::ElectedCandidate,
    ) -> Option<&Candidate> {
        let on = |contest: &ContestId, position| {
            self.list(contest, list)?
                .candidates
                .iter()
                .find(|c| c.position == position)
        };
        match elected.district {
            Some(k) => std::iter::once((k, elected.position))
                .chain(elected.stands_on.iter().copied())
                .find_map(|(k, p)| on(&ContestId(k.to_string()), p)),
            None => on(contest, elected.position).or_else(|| {
                self.contests
                    .iter()
                    .find_map(|c| on(&c.id, elected.position))
            }),
        }
    }

    /// Whether field C (voter cards) exists on the paper report.
    pub fn has_voter_cards(&self) -> bool {
        self.category.has_voter_cards()
    }

    /// The municipality of a municipal council election: the domain when its `Id` is a
    /// four-digit code.
    pub fn domain_municipality(&self) -> Option<(MunicipalityCode, &str)> {
        let domain = self.domain.as_ref()?;
        let id = domain.id.as_deref()?;
        (id.len() == 4 && id.bytes().all(|c| c.is_ascii_digit()))
            .then(|| (MunicipalityCode(id.to_string()), domain.name.as_str()))
    }

    /// The municipality this appliance counts for: the 110b's when one was loaded,
    /// otherwise the domain's (municipal council elections).
    pub fn municipality(&self) -> Option<(MunicipalityCode, &str)> {
        match &self.polling_stations {
            Some(ps) => Some((ps.municipality.clone(), ps.municipality_name.as_str())),
            None => self.domain_municipality(),
        }
    }

    /// A contest by identifier.
    pub fn contest(&self, id: &ContestId) -> Option<&Contest> {
        self.contests.iter().find(|c| &c.id == id)
    }

    /// The lists of a contest, by number; empty when the contest is unknown.
    pub fn lists(&self, contest: &ContestId) -> &[PoliticalList] {
        self.contest(contest)
            .map(|c| c.lists.as_slice())
            .unwrap_or(&[])
    }

    /// A list of a contest by number.
    pub fn list(&self, contest: &ContestId, number: ListNumber) -> Option<&PoliticalList> {
        self.lists(contest).iter().find(|l| l.number == number)
    }

    /// A region of the tree.
    pub fn region(&self, key: RegionKey) -> Option<&Region> {
        self.regions.iter().find(|r| r.key == key)
    }

    /// The kieskringen of the tree (regions of category `KIESKRING`), in document order.
    pub fn kieskringen(&self) -> impl Iterator<Item = &Region> {
        self.regions
            .iter()
            .filter(|r| r.key.category == RegionCategory::Kieskring)
    }

    /// The municipalities of the tree, in document order.
    pub fn municipalities(&self) -> impl Iterator<Item = &Region> {
        self.regions
            .iter()
            .filter(|r| r.key.category == RegionCategory::Municipality)
    }

    /// The municipality with this code in the tree.
    pub fn municipality_region(&self, code: &MunicipalityCode) -> Option<&Region> {
        self.municipalities()
            .find(|r| r.municipality_code().as_ref() == Some(code))
    }

    /// The kieskring a municipality belongs to, when the tree says so.
    pub fn kieskring_of(&self, code: &MunicipalityCode) -> Option<&Region> {
        let superior = self.municipality_region(code)?.superior?;
        (superior.category == RegionCategory::Kieskring)
            .then(|| self.region(superior))
            .flatten()
    }

    /// The contest that holds the lists for a municipality: its kieskring's number when
    /// the election has kieskring contests, `geen` when there is a single contest `geen`.
    pub fn contest_for_municipality(&self, code: &MunicipalityCode) -> Option<&Contest> {
        if let Some(c) = self.contests.iter().find(|c| c.id.0 == "geen") {
            return Some(c);
        }
        let number = self.kieskring_of(code)?.key.number?;
        self.contest(&ContestId(number.to_string()))
    }

    /// The contest whose lists are on the ballot of municipality `code`.
    ///
    /// A municipal election has one contest (`geen`). An election with kieskringen (Tweede
    /// Kamer, provinces) has one contest per kieskring: the municipality's follows from the
    /// 110a's election tree (the municipality's superior region). A medium without that
    /// kieskring's 230b is refused; when the tree does not place the municipality, the one
    /// contest on the medium is taken (the caller shows it, for the official to check against
    /// the paper) and several are refused as ambiguous.
    ///
    /// # Errors
    /// See [`BallotContestError`].
    pub fn ballot_contest(&self, code: &MunicipalityCode) -> Result<&Contest, BallotContestError> {
        if self.contests.is_empty() {
            return Err(BallotContestError::NoCandidateLists);
        }
        if let Some(c) = self.contest_for_municipality(code) {
            return Ok(c);
        }
        let on_medium: Vec<ContestId> = self.contests.iter().map(|c| c.id.clone()).collect();
        if let Some(k) = self.kieskring_of(code) {
            return Err(BallotContestError::KieskringListsMissing {
                municipality: code.clone(),
                kieskring: k.key.number.map(|n| n.to_string()).unwrap_or_default(),
                kieskring_name: k.name.clone(),
                on_medium,
            });
        }
        match self.contests.as_slice() {
            [only] => Ok(only),
            _ => Err(BallotContestError::Ambiguous {
                municipality: code.clone(),
                on_medium,
            }),
        }
    }

    /// A polling station by number (when a 110b was loaded).
    pub fn polling_station(&self, number: PollingStationNumber) -> Option<&PollingStation> {
        self.polling_stations
            .as_ref()?
            .stations
            .iter()
            .find(|s| s.number == number)
    }

    /// The digest of the 110a.
    pub fn definition_digest(&self) -> Option<&SourceDigest> {
        self.sources
            .iter()
            .find(|s| s.kind == SourceKind::Definition)
    }

    /// One SHA-256 over the kinds and digests of all sources, in order: what a journal
    /// binds to. Changing, adding, removing or reordering any source file changes it; file
    /// names do not take part.
    pub fn sources_digest(&self) -> Sha256Digest {
        let mut text = String::from("tally-appliance election sources v1\n");
        for s in &self.sources {
            text.push_str(s.kind.eml_id());
            text.push(' ');
            text.push_str(&s.sha256.to_hex());
            text.push('\n');
        }
        Sha256Digest::of(text.as_bytes())
    }
}

/// Why [`Election::ballot_contest`] cannot say which lists are on a municipality's ballot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotContestError {
    /// The definition holds no candidate lists.
    #[error("the definition holds no candidate lists (230b)")]
    NoCandidateLists,
    /// The 110a places the municipality in a kieskring whose 230b is not on the medium.
    #[error(
        "municipality {} belongs to kieskring {kieskring} {kieskring_name} by the 110a, but \
         that kieskring's candidate lists (230b) are not on the medium (it holds those of \
         kieskring {})",
        municipality.0,
        join(on_medium)
    )]
    KieskringListsMissing {
        /// The municipality.
        municipality: MunicipalityCode,
        /// The kieskring's number.
        kieskring: String,
        /// The kieskring's name.
        kieskring_name: String,
        /// The contests (kieskringen) on the medium.
        on_medium: Vec<ContestId>,
    },
    /// The 110a does not place the municipality, and the medium holds several contests.
    #[error(
        "the 110a does not say which kieskring municipality {} belongs to, and the medium \
         holds candidate lists of several kieskringen ({}): the ballot's lists cannot be \
         determined",
        municipality.0,
        join(on_medium)
    )]
    Ambiguous {
        /// The municipality.
        municipality: MunicipalityCode,
        /// The contests (kieskringen) on the medium.
        on_medium: Vec<ContestId>,
    },
}

fn join(ids: &[ContestId]) -> String {
    ids.iter()
        .map(|c| c.0.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
