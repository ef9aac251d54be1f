//! The corrected 510b of a next session ("corrigendum", Kieswet N 12 ff.).
//!
//! After the first session the central electoral committee can ask the municipality to
//! investigate polling stations; the municipality may correct its result. The corrected
//! 510b carries, in EML_NL 1.3.1 exactly as the Electoral Council's `eml-nl` 0.8.1
//! writes it:
//!
//! - the phase "corrigendum" (`kr:Phase`);
//! - per investigated reporting unit its investigations (`kr:ReportingUnitInvestigations`,
//!   the EML_NL reason codes with yes/no);
//! - for every number that changed, the value it had in the first session's 510b
//!   (`kr:PreviousValidVotes`, `kr:PreviousCast`, `kr:PreviousTotalCounted`,
//!   `kr:PreviousRejectedVotes`, `kr:PreviousUncountedVotes`). An unchanged number has no
//!   previous value.
//!
//! [`corrigendum`] builds it from the first-session count and the corrected count (same
//! election, units, lists and candidates) and the investigations; [`write_corrigendum`]
//! writes it. The version is 1.3.1 also for an election whose definition is EML_NL 1.2.2:
//! 1.2.2 has neither the phase nor the previous values (`docs/eml-nl-1.3.md`).

use crate::counts::{
    CandidateRef, Count, CountFile, CountLevel, CountPhase, CountingMethod, PreviousCounts,
    PreviousListVotes, VoteCounts, check_arithmetic,
};
use crate::eml::count::{CountWriteError, write_count};
use crate::eml::names::{EmlVersion, INVESTIGATION_REASONS};
use crate::ids::ReportingUnitId;

/// Why a unit was investigated, and what came of it: the EML_NL `kr:Investigation`
/// reason codes. Serialised (snake case) in the municipal journal's investigation records.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum InvestigationReason {
    /// Decentral counting: "onderzocht vanwege onverklaard verschil" (an unexplained
    /// difference between admitted voters and ballots).
    UnexplainedDifference,
    /// Decentral counting: "onderzocht vanwege andere fout" (another error).
    OtherError,
    /// Decentral counting: "uitslag gecorrigeerd" (the result was corrected).
    ResultCorrected,
    /// Central counting: "toegelaten kiezers opnieuw vastgesteld" (admitted voters
    /// established anew).
    AdmittedVotersReestablished,
    /// Central counting: "onderzocht vanwege andere reden" (investigated for another reason).
    OtherReason,
    /// Central counting: "stembiljetten deels herteld" (ballots partly recounted).
    PartiallyRecountedBallots,
}

impl InvestigationReason {
    /// Every reason, in the schema's order.
    pub const ALL: [InvestigationReason; 6] = [
        InvestigationReason::UnexplainedDifference,
        InvestigationReason::OtherError,
        InvestigationReason::ResultCorrected,
        InvestigationReason::AdmittedVotersReestablished,
        InvestigationReason::OtherReason,
        InvestigationReason::PartiallyRecountedBallots,
    ];

    /// The EML_NL reason code.
    pub fn eml_value(self) -> &'static str {
        let i = InvestigationReason::ALL
            .iter()
            .position(|r| *r == self)
            .unwrap_or(0);
        INVESTIGATION_REASONS.get(i).copied().unwrap_or("")
    }

    /// The reason of an EML_NL reason code.
    pub fn from_eml_value(s: &str) -> Option<InvestigationReason> {
        InvestigationReason::ALL
            .into_iter()
            .find(|r| r.eml_value() == s)
    }

    /// The counting method the reason belongs to.
    pub fn counting_method(self) -> CountingMethod {
        match self {
            InvestigationReason::UnexplainedDifference
            | InvestigationReason::OtherError
            | InvestigationReason::ResultCorrected => CountingMethod::Decentral,
            _ => CountingMethod::Central,
        }
    }
}

/// The investigations of one reporting unit in the next session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitInvestigation {
    /// The unit (`0668::SB3`).
    pub unit: ReportingUnitId,
    /// Each reason with its yes/no, each reason at most once.
    pub reasons: Vec<(InvestigationReason, bool)>,
}

/// Why a corrigendum cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrigendumError {
    /// The first-session count or the corrected count is not a 510b.
    #[error("{which}: a corrigendum corrects a 510b, this is a {found}")]
    NotMunicipal {
        /// `first session` or `corrected`.
        which: &'static str,
        /// The document found.
        found: &'static str,
    },
    /// The two counts differ where a correction cannot change anything.
    #[error("the corrected count differs from the first session's in {what}")]
    Differs {
        /// What differs (`ElectionIdentifier`, `the reporting units`, `list 3`, ...).
        what: String,
    },
    /// The first session's 510b is itself a corrigendum: correct the counts of the first
    /// session (the previous values are always those of the first session's 510b).
    #[error("the first-session count is a corrigendum itself")]
    FirstIsCorrigendum,
    /// The corrected count's arithmetic does not hold.
    #[error("the corrected count fails its arithmetic check: {0}")]
    Arithmetic(String),
    /// An investigation names a unit that is not in the count.
    #[error("an investigation names {0}, which is not a reporting unit of the count")]
    UnknownUnit(ReportingUnitId),
    /// A unit has two investigation entries, or one reason twice.
    #[error("{0}: investigated twice, or a reason given twice")]
    Repeated(ReportingUnitId),
    /// A unit's reasons mix decentral and central counting, or do not fit the count's
    /// counting method.
    #[error("{unit}: the reasons {found} do not fit {expected}")]
    WrongMethod {
        /// The unit.
        unit: ReportingUnitId,
        /// The reasons given.
        found: String,
        /// The counting method's reasons.
        expected: &'static str,
    },
    /// A unit's numbers changed without an investigation of it.
    #[error("{0}: its numbers changed, but it has no investigation")]
    Unexplained(ReportingUnitId),
    /// "uitslag gecorrigeerd" does not say what happened to the unit's numbers.
    #[error(
        "{unit}: \"uitslag gecorrigeerd\" is {given}, but its numbers {}",
        if *.changed { "changed" } else { "did not change" }
    )]
    CorrectedFlag {
        /// The unit.
        unit: ReportingUnitId,
        /// The value given (`absent` when not given).
        given: &'static str,
        /// Whether its numbers changed.
        changed: bool,
    },
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] CountWriteError),
}

/// The corrected 510b: `corrected` (the whole count after the next session, header
/// included: transaction id, creation time) with the phase "corrigendum", the
/// investigations, and the previous value (from `first`) of every number that changed.
///
/// Refused: a `first` that is not a first-session 510b, counts that differ in anything
/// but numbers (election, contest, authority, units, lists, candidates), a corrected count
/// whose arithmetic fails, investigations of units not in the count or twice, reasons
/// that mix decentral and central counting, a changed unit without investigation, and
/// in decentral counting a unit whose "uitslag gecorrigeerd" is missing or does not say
/// whether its numbers changed.
pub fn corrigendum(
    first: &CountFile,
    corrected: &CountFile,
    investigations: &[UnitInvestigation],
) -> Result<CountFile, CorrigendumError> {
    for (which, f) in [("first session", first), ("corrected", corrected)] {
        if f.header.level != CountLevel::Municipality {
            return Err(CorrigendumError::NotMunicipal {
                which,
                found: f.header.level.eml_id(),
            });
        }
    }
    if first.header.edition.phase == Some(CountPhase::Corrigendum) {
        return Err(CorrigendumError::FirstIsCorrigendum);
    }
    same_frame(first, corrected)?;
    let violations = check_arithmetic(corrected);
    if let Some(v) = violations.first() {
        return Err(CorrigendumError::Arithmetic(v.to_string()));
    }
    let method = corrected
        .header
        .edition
        .counting_method
        .or(first.header.edition.counting_method)
        .unwrap_or(CountingMethod::Decentral);
    // Investigations by unit, checked.
    let mut by_unit: Vec<Option<&UnitInvestigation>> = vec![None; corrected.units.len()];
    // Units by id, once (a file may hold very many units, each with an investigation).
    let index: std::collections::HashMap<&ReportingUnitId, usize> = corrected
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (&u.id, i))
        .collect();
    for inv in investigations {
        let Some(&i) = index.get(&inv.unit) else {
            return Err(CorrigendumError::UnknownUnit(inv.unit.clone()));
        };
        let slot = by_unit
            .get_mut(i)
            .ok_or_else(|| CorrigendumError::UnknownUnit(inv.unit.clone()))?;
        if slot.is_some() {
            return Err(CorrigendumError::Repeated(inv.unit.clone()));
        }
        for (k, (r, _)) in inv.reasons.iter().enumerate() {
            if inv.reasons.iter().skip(k + 1).any(|(s, _)| s == r) {
                return Err(CorrigendumError::Repeated(inv.unit.clone()));
            }
            if r.counting_method() != method {
                return Err(CorrigendumError::WrongMethod {
                    unit: inv.unit.clone(),
                    found: inv
                        .reasons
                        .iter()
                        .map(|(r, _)| format!("\"{}\"", r.eml_value()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    expected: match method {
                        CountingMethod::Decentral => "decentral counting",
                        CountingMethod::Central => "central counting",
                    },
                });
            }
        }
        *slot = Some(inv);
    }
    let mut out = corrected.clone();
    out.header.edition.version = first.header.edition.version.max(EmlVersion::V1_3_1);
    out.header.edition.phase = Some(CountPhase::Corrigendum);
    out.header.edition.counting_method = Some(method);
    fill_absent(&first.total, &mut out.total);
    out.total.previous = previous(&first.total, &out.total);
    for ((unit, before), inv) in out.units.iter_mut().zip(&first.units).zip(by_unit) {
        fill_absent(&before.counts, &mut unit.counts);
        unit.counts.previous = previous(&before.counts, &unit.counts);
        let changed = !unit.counts.previous.is_empty();
        unit.investigations = Vec::new();
        let Some(inv) = inv else {
            if changed {
                return Err(CorrigendumError::Unexplained(unit.id.clone()));
            }
            continue;
        };
        if method == CountingMethod::Decentral {
            let flag = inv
                .reasons
                .iter()
                .find(|(r, _)| *r == InvestigationReason::ResultCorrected)
                .map(|(_, v)| *v);
            if flag != Some(changed) {
                return Err(CorrigendumError::CorrectedFlag {
                    unit: unit.id.clone(),
                    given: match flag {
                        None => "absent",
                        Some(true) => "true",
                        Some(false) => "false",
                    },
                    changed,
                });
            }
        }
        let mut reasons = inv.reasons.clone();
        reasons.sort_by_key(|(r, _)| *r);
        unit.investigations = reasons
            .into_iter()
            .map(|(r, v)| (r.eml_value().to_owned(), v))
            .collect();
    }
    // The zeros put in by `fill_absent` keep every sum; checked once more all the same.
    if let Some(v) = check_arithmetic(&out).first() {
        return Err(CorrigendumError::Arithmetic(v.to_string()));
    }
    Ok(out)
}

/// An `UncountedVotes` reason the first session's count has and the corrected count has
/// not is 0 in the corrected count (an empty box), written as 0 so that its previous
/// value has a place beside it.
fn fill_absent(before: &VoteCounts, after: &mut VoteCounts) {
    let (vb, va) = (&before.voters, &mut after.voters);
    for (b, a) in [
        (vb.poll_cards, &mut va.poll_cards),
        (vb.proxy_certificates, &mut va.proxy_certificates),
        (vb.voter_cards, &mut va.voter_cards),
        (vb.admitted_voters, &mut va.admitted_voters),
        (vb.more_ballots_counted, &mut va.more_ballots_counted),
        (vb.fewer_ballots_counted, &mut va.fewer_ballots_counted),
    ] {
        if b.is_some() && a.is_none() {
            *a = Some(0);
        }
    }
    let rank = |code: &str| {
        crate::eml::count::UNCOUNTED_REASONS
            .iter()
            .position(|r| *r == code)
            .unwrap_or(usize::MAX)
    };
    for (code, _) in &vb.other {
        if !va.other.iter().any(|(c, _)| c == code) {
            let at = va
                .other
                .iter()
                .position(|(c, _)| rank(c) > rank(code))
                .unwrap_or(va.other.len());
            va.other.insert(at, (code.clone(), 0));
        }
    }
}

/// Why a corrigendum read from a file is not the corrigendum of the first session's 510b.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrigendumCheckError {
    /// The core's rules refuse it (a change without investigation, a wrong "uitslag
    /// gecorrigeerd", another frame, ...).
    #[error(transparent)]
    Rules(#[from] CorrigendumError),
    /// An investigation names a reason code EML_NL does not have.
    #[error("{0}: unknown reason code {1:?}")]
    UnknownReason(ReportingUnitId, String),
    /// Previous values that are not the first session's numbers: in the total (`-`) or in
    /// these units.
    #[error("previous values that are not the first session's in {}", .0.join(", "))]
    PreviousValues(Vec<String>),
}

/// Checks the corrigendum `file` (as read) against the first session's 510b `first` by the
/// rules [`corrigendum`] writes one by: the same frame, every changed unit investigated with
/// "uitslag gecorrigeerd" saying so, and every previous value the first session's number.
/// Returns how many units changed.
///
/// # Errors
/// [`CorrigendumCheckError`]: which rule it breaks.
pub fn check(first: &CountFile, file: &CountFile) -> Result<usize, CorrigendumCheckError> {
    let mut investigations = Vec::new();
    for u in file.units.iter().filter(|u| !u.investigations.is_empty()) {
        let mut reasons = Vec::with_capacity(u.investigations.len());
        for (code, yes) in &u.investigations {
            let r = InvestigationReason::from_eml_value(code)
                .ok_or_else(|| CorrigendumCheckError::UnknownReason(u.id.clone(), code.clone()))?;
            reasons.push((r, *yes));
        }
        investigations.push(UnitInvestigation {
            unit: u.id.clone(),
            reasons,
        });
    }
    let expected = corrigendum(first, file, &investigations)?;
    let wrong: Vec<String> = std::iter::once(("the total", &expected.total, &file.total))
        .chain(
            expected
                .units
                .iter()
                .zip(&file.units)
                .map(|(a, b)| (a.id.0.as_str(), &a.counts, &b.counts)),
        )
        .filter(|(_, a, b)| a.previous != b.previous)
        .map(|(id, _, _)| id.to_owned())
        .collect();
    if !wrong.is_empty() {
        return Err(CorrigendumCheckError::PreviousValues(wrong));
    }
    Ok(file
        .units
        .iter()
        .filter(|u| !u.counts.previous.is_empty())
        .count())
}

/// The signed line beside a corrigendum that names the 510b it replaces: EML_NL has no element
/// for it, and a signed medium's manifest has fixed fields, so the set carries a small text
/// file (`<corrigendum>_vervangt.txt`). Written by the export, read by `tally-verify`, in this
/// one format: `corrigendum: NAME`, `session: N`, `replaces-sha256: HEX` (64 lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacedFile {
    /// The corrigendum's file name in the same medium.
    pub corrigendum: String,
    /// The session that made it.
    pub session: u32,
    /// The SHA-256 of the signed 510b it replaces.
    pub replaces: crate::hashcode::Sha256Digest,
}

/// Why a `…_vervangt.txt` cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplacedFileError {
    /// Not UTF-8.
    #[error("not UTF-8")]
    NotUtf8,
    /// A line is missing.
    #[error("no line `{0}`")]
    Missing(&'static str),
    /// A line's value is not what it must be.
    #[error("`{key} {value}` is not {what}")]
    Value {
        /// The line's key.
        key: &'static str,
        /// Its value.
        value: String,
        /// What it must be.
        what: &'static str,
    },
}

impl ReplacedFile {
    /// How the file's name ends.
    pub const SUFFIX: &'static str = "_vervangt.txt";
    const CORRIGENDUM: &'static str = "corrigendum:";
    const SESSION: &'static str = "session:";
    const REPLACES: &'static str = "replaces-sha256:";

    /// The file's name beside the corrigendum `corrigendum` (`X.eml.xml` → `X_vervangt.txt`).
    pub fn file_name(corrigendum: &str) -> String {
        format!(
            "{}{}",
            corrigendum.trim_end_matches(".eml.xml"),
            Self::SUFFIX
        )
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        format!(
            "{} {}\n{} {}\n{} {}\n",
            Self::CORRIGENDUM,
            self.corrigendum,
            Self::SESSION,
            self.session,
            Self::REPLACES,
            self.replaces.to_hex()
        )
    }

    /// Reads the file.
    ///
    /// # Errors
    /// [`ReplacedFileError`]: which line is missing or wrong.
    pub fn parse(bytes: &[u8]) -> Result<ReplacedFile, ReplacedFileError> {
        let text = std::str::from_utf8(bytes).map_err(|_| ReplacedFileError::NotUtf8)?;
        let field = |key: &'static str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key))
                .map(str::trim)
                .ok_or(ReplacedFileError::Missing(key))
        };
        let bad = |key: &'static str, value: &str, what: &'static str| ReplacedFileError::Value {
            key,
            value: value.to_owned(),
            what,
        };
        let corrigendum = field(Self::CORRIGENDUM)?;
        if corrigendum.is_empty() || corrigendum.contains(['/', '\\']) {
            return Err(bad(
                Self::CORRIGENDUM,
                corrigendum,
                "a file name of the medium",
            ));
        }
        let session = field(Self::SESSION)?;
        let session = session
            .parse::<u32>()
            .ok()
            .filter(|n| *n >= 2)
            .ok_or_else(|| {
                bad(
                    Self::SESSION,
                    session,
                    "a next session's number (2 or more)",
                )
            })?;
        let replaces = field(Self::REPLACES)?;
        let digest = crate::hashcode::Sha256Digest::from_hex(replaces)
            .ok()
            .filter(|d| d.to_hex() == replaces)
            .ok_or_else(|| {
                bad(
                    Self::REPLACES,
                    replaces,
                    "a SHA-256 in 64 lowercase hex digits",
                )
            })?;
        Ok(ReplacedFile {
            corrigendum: corrigendum.to_owned(),
            session,
            replaces: digest,
        })
    }
}

/// [`corrigendum`], written as EML_NL 1.3.1 by eml-nl.
pub fn write_corrigendum(
    first: &CountFile,
    corrected: &CountFile,
    investigations: &[UnitInvestigation],
) -> Result<Vec<u8>, CorrigendumError> {
    let file = corrigendum(first, corrected, investigations)?;
    Ok(write_count(&file)?)
}

/// Everything but the numbers is the same: election, contest, authority, the units (ids
/// and names, in order), the lists (numbers and names) and their candidates.
fn same_frame(a: &CountFile, b: &CountFile) -> Result<(), CorrigendumError> {
    let differs = |what: &str| {
        Err(CorrigendumError::Differs {
            what: what.to_owned(),
        })
    };
    let (ha, hb) = (&a.header, &b.header);
    if ha.election_id != hb.election_id
        || ha.category != hb.category
        || ha.election_date != hb.election_date
    {
        return differs("the election");
    }
    if ha.contest_id != hb.contest_id {
        return differs("the contest");
    }
    if ha.authority_id != hb.authority_id {
        return differs("the authority");
    }
    if a.units.len() != b.units.len()
        || a.units
            .iter()
            .zip(&b.units)
            .any(|(x, y)| x.id != y.id || x.name != y.name)
    {
        return differs("the reporting units");
    }
    same_lists("TotalVotes", &a.total, &b.total)?;
    for (x, y) in a.units.iter().zip(&b.units) {
        same_lists(&x.id.0, &x.counts, &y.counts)?;
    }
    Ok(())
}

fn same_lists(place: &str, a: &VoteCounts, b: &VoteCounts) -> Result<(), CorrigendumError> {
    let same = a.lists.len() == b.lists.len()
        && a.lists.iter().zip(&b.lists).all(|(x, y)| {
            x.list == y.list
                && x.name == y.name
                && x.candidates.len() == y.candidates.len()
                && x.candidates
                    .iter()
                    .zip(&y.candidates)
                    .all(|((r, _), (s, _))| r == s)
        });
    if same {
        Ok(())
    } else {
        Err(CorrigendumError::Differs {
            what: format!("the lists or candidates of {place}"),
        })
    }
}

fn changed(before: Count, after: Count) -> Option<Count> {
    (before != after).then_some(before)
}

fn changed_opt(before: Option<Count>, after: Option<Count>) -> Option<Count> {
    // A reason absent in one version counts as 0 there (the form's empty box).
    let (b, a) = (before.unwrap_or(0), after.unwrap_or(0));
    (b != a).then_some(b)
}

/// The previous value of every number of `after` that differs from `before`.
fn previous(before: &VoteCounts, after: &VoteCounts) -> PreviousCounts {
    let mut out = PreviousCounts {
        cast: changed(before.cast, after.cast),
        total_counted: changed(before.total_counted, after.total_counted),
        blank: changed(before.blank, after.blank),
        invalid: changed(before.invalid, after.invalid),
        ..PreviousCounts::default()
    };
    for (b, a) in before.lists.iter().zip(&after.lists) {
        let candidates: Vec<(CandidateRef, Count)> = b
            .candidates
            .iter()
            .zip(&a.candidates)
            .filter_map(|((r, x), (_, y))| changed(*x, *y).map(|v| (r.clone(), v)))
            .collect();
        let total = changed(b.total, a.total);
        if total.is_some() || !candidates.is_empty() {
            out.lists.push(PreviousListVotes {
                list: a.list,
                total,
                candidates,
            });
        }
    }
    let (vb, va) = (&before.voters, &after.voters);
    let fixed = [
        (vb.poll_cards, va.poll_cards),
        (vb.proxy_certificates, va.proxy_certificates),
        (vb.voter_cards, va.voter_cards),
        (vb.admitted_voters, va.admitted_voters),
        (vb.more_ballots_counted, va.more_ballots_counted),
        (vb.fewer_ballots_counted, va.fewer_ballots_counted),
    ];
    for (reason, (b, a)) in crate::eml::count::UNCOUNTED_REASONS.iter().zip(fixed) {
        // Only a reason the corrected count has can have a previous value beside it (a
        // reason only the first session has was put in as 0 by `fill_absent`).
        if a.is_some()
            && let Some(v) = changed_opt(b, a)
        {
            out.uncounted.push(((*reason).to_owned(), v));
        }
    }
    for reason in crate::eml::count::UNCOUNTED_REASONS.iter().skip(6) {
        let find = |v: &crate::counts::VoterCounts| {
            v.other.iter().find(|(c, _)| c == reason).map(|(_, n)| *n)
        };
        let a = find(va);
        if a.is_some()
            && let Some(v) = changed_opt(find(vb), a)
        {
            out.uncounted.push(((*reason).to_owned(), v));
        }
    }
    out
}

#[cfg(test)]
mod replaced_file_tests {
    use super::*;
    use crate::hashcode::Sha256Digest;

    #[test]
    fn the_line_naming_the_replaced_file_reads_back_and_refuses_what_is_not_it() {
        let line = ReplacedFile {
            corrigendum: "Telling_GR2025_Juinen.eml.xml".into(),
            session: 2,
            replaces: Sha256Digest::of(b"first"),
        };
        assert_eq!(
            ReplacedFile::file_name(&line.corrigendum),
            "Telling_GR2025_Juinen_vervangt.txt"
        );
        assert_eq!(
            ReplacedFile::parse(line.to_text().as_bytes()),
            Ok(line.clone())
        );
        let hex = line.replaces.to_hex();
        for (text, wrong) in [
            (
                format!("session: 2\nreplaces-sha256: {hex}\n"),
                "corrigendum:",
            ),
            (
                format!("corrigendum: a/b.xml\nsession: 2\nreplaces-sha256: {hex}\n"),
                "corrigendum:",
            ),
            (
                format!("corrigendum: a.xml\nsession: 1\nreplaces-sha256: {hex}\n"),
                "session:",
            ),
            (
                format!(
                    "corrigendum: a.xml\nsession: 2\nreplaces-sha256: {}\n",
                    hex.to_uppercase()
                ),
                "replaces-sha256:",
            ),
            (
                "corrigendum: a.xml\nsession: 2\nreplaces-sha256: fae2 12ff\n".to_owned(),
                "replaces-sha256:",
            ),
        ] {
            let err = ReplacedFile::parse(text.as_bytes()).unwrap_err();
            assert!(err.to_string().contains(wrong), "{text}: {err}");
        }
        assert_eq!(
            ReplacedFile::parse(&[0xff, 0xfe]),
            Err(ReplacedFileError::NotUtf8)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_the_eml_nl_codes_in_schema_order() {
        let codes: Vec<&str> = InvestigationReason::ALL
            .iter()
            .map(|r| r.eml_value())
            .collect();
        assert_eq!(codes, INVESTIGATION_REASONS);
        for r in InvestigationReason::ALL {
            assert_eq!(InvestigationReason::from_eml_value(r.eml_value()), Some(r));
        }
        assert_eq!(InvestigationReason::from_eml_value("herteld"), None);
    }
}
