//! The official checks on one polling station's entry (BRIEF section 3; numbering and
//! exact conditions in `docs/checks.md`).
//!
//! Errors (F) must be resolved before a count is finalised; warnings (W) must be
//! acknowledged. Every result names the fields involved, so a screen can highlight them.
//! Empty fields count as 0. All arithmetic is checked: a sum that would overflow is
//! reported as a disagreement, never wrapped.

use std::fmt;

use super::{EntryShape, FieldId, PollingStationEntry, v};
use crate::ids::{CandidatePosition, ListNumber};

/// Whether a check result blocks finalising.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// F: must be resolved before the count is finalised.
    Error,
    /// W: must be acknowledged.
    Warning,
}

/// The codes the officials know.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckCode {
    F201,
    F202,
    F203,
    F204,
    F301,
    F302,
    F303,
    F304,
    F305,
    F306,
    F307,
    F308,
    F309,
    F310,
    F401,
    F402,
    F403,
    W001,
    W201,
    W202,
    W203,
    W204,
}

impl CheckCode {
    /// `F.201`, `W.001`, ...
    pub fn as_str(self) -> &'static str {
        use CheckCode::*;
        match self {
            F201 => "F.201",
            F202 => "F.202",
            F203 => "F.203",
            F204 => "F.204",
            F301 => "F.301",
            F302 => "F.302",
            F303 => "F.303",
            F304 => "F.304",
            F305 => "F.305",
            F306 => "F.306",
            F307 => "F.307",
            F308 => "F.308",
            F309 => "F.309",
            F310 => "F.310",
            F401 => "F.401",
            F402 => "F.402",
            F403 => "F.403",
            W001 => "W.001",
            W201 => "W.201",
            W202 => "W.202",
            W203 => "W.203",
            W204 => "W.204",
        }
    }

    /// Error or warning.
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('F') {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    fn messages(self) -> (&'static str, &'static str) {
        use CheckCode::*;
        match self {
            F201 => (
                "Controleer A t/m D: A + B + C is niet gelijk aan D",
                "Check A to D: A + B + C does not equal D",
            ),
            F202 => (
                "Controleer E: de som van de lijsttotalen E.1 t/m E.n is niet gelijk aan E",
                "Check E: the sum of the list totals E.1 to E.n does not equal E",
            ),
            F203 => (
                "Controleer E t/m H: E + F + G is niet gelijk aan H",
                "Check E to H: E + F + G does not equal H",
            ),
            F204 => (
                "Er zijn stemmen op een lijst (E.x > 0) terwijl E gelijk is aan 0",
                "A list has votes (E.x > 0) while E is 0",
            ),
            F301 => (
                "'D en H zijn gelijk' is aangekruist, maar D en H zijn niet gelijk",
                "'D and H are equal' is ticked, but D and H differ",
            ),
            F302 => (
                "'H is groter dan D' is aangekruist, maar H is niet groter dan D",
                "'H is greater than D' is ticked, but H is not greater than D",
            ),
            F303 => (
                "'H is kleiner dan D' is aangekruist, maar H is niet kleiner dan D",
                "'H is smaller than D' is ticked, but H is not smaller than D",
            ),
            F304 => (
                "Kruis precies één vakje aan bij de vergelijking van D en H",
                "Tick exactly one box in the comparison of D and H",
            ),
            F305 => (
                "D en H zijn gelijk: I en J moeten leeg of 0 zijn",
                "D and H are equal: I and J must be empty or 0",
            ),
            F306 => (
                "H is groter dan D: I moet gelijk zijn aan H min D",
                "H is greater than D: I must equal H minus D",
            ),
            F307 => (
                "H is groter dan D: J moet leeg of 0 zijn",
                "H is greater than D: J must be empty or 0",
            ),
            F308 => (
                "H is kleiner dan D: J moet gelijk zijn aan D min H",
                "H is smaller than D: J must equal D minus H",
            ),
            F309 => (
                "H is kleiner dan D: I moet leeg of 0 zijn",
                "H is smaller than D: I must be empty or 0",
            ),
            F310 => (
                "D en H verschillen: kruis precies één antwoord aan (ja of nee) bij 'verschil volledig verklaard'",
                "D and H differ: tick exactly one answer (yes or no) to 'difference fully explained'",
            ),
            F401 => (
                "Er zijn stemmen op kandidaten of op de lijst (E.x), maar het lijsttotaal is 0",
                "There are votes on candidates or on the list (E.x), but the list total is 0",
            ),
            F402 => (
                "Het lijsttotaal is niet gelijk aan de som van de stemmen op de kandidaten",
                "The list total does not equal the sum of its candidates' votes",
            ),
            F403 => (
                "Het lijsttotaal is niet gelijk aan E.x",
                "The list total does not equal E.x",
            ),
            W001 => (
                "De tweede invoer verschilt van de eerste",
                "The second entry differs from the first",
            ),
            W201 => (
                "Het aantal blanco stemmen (F) is 3% of meer van H",
                "Blank votes (F) are 3% or more of H",
            ),
            W202 => (
                "Het aantal ongeldige stemmen (G) is 3% of meer van H",
                "Invalid votes (G) are 3% or more of H",
            ),
            W203 => (
                "Het verschil tussen D en H is groot: 2% of meer van H en 15 of meer",
                "The difference between D and H is large: 2% or more of H and 15 or more",
            ),
            W204 => (
                "Het totaal aantal uitgebrachte stemmen (H) is 0",
                "The total of votes cast (H) is 0",
            ),
        }
    }
}

impl fmt::Display for CheckCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The code.
    pub code: CheckCode,
    /// The list concerned, for F.401–F.403 (and F.204's lists are in `fields`).
    pub list: Option<ListNumber>,
    /// The fields involved, to highlight.
    pub fields: Vec<FieldId>,
}

impl CheckResult {
    fn new(code: CheckCode, fields: Vec<FieldId>) -> CheckResult {
        CheckResult {
            code,
            list: None,
            fields,
        }
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The message in Dutch, naming the list where there is one.
    pub fn message_nl(&self) -> String {
        match self.list {
            Some(l) => format!("{} (lijst {l}): {}", self.code, self.code.messages().0),
            None => format!("{}: {}", self.code, self.code.messages().0),
        }
    }

    /// The message in English, naming the list where there is one.
    pub fn message_en(&self) -> String {
        match self.list {
            Some(l) => format!("{} (list {l}): {}", self.code, self.code.messages().1),
            None => format!("{}: {}", self.code, self.code.messages().1),
        }
    }
}

/// `Some(sum)` or `None` when the sum would overflow (then it equals nothing typed).
fn checked_sum(values: impl IntoIterator<Item = u64>) -> Option<u64> {
    values.into_iter().try_fold(0u64, u64::checked_add)
}

/// `part * 100 >= percent * whole`, exactly, with `whole > 0`.
fn at_least_percent(part: u64, whole: u64, percent: u64) -> bool {
    match (part.checked_mul(100), whole.checked_mul(percent)) {
        (Some(p), Some(w)) => whole > 0 && p >= w,
        _ => false,
    }
}

/// Runs every check of BRIEF section 3 (except W.001, which belongs to the double-entry
/// comparison) on one entry, in code order.
pub fn check(entry: &PollingStationEntry, shape: &EntryShape) -> Vec<CheckResult> {
    use CheckCode::*;
    let mut out = Vec::new();

    let (a, b, c, d) = (
        v(entry.poll_cards),
        v(entry.proxy_certificates),
        v(entry.voter_cards),
        v(entry.admitted_voters),
    );
    let (e, f, g, h) = (
        v(entry.votes_on_candidates),
        v(entry.blank_votes),
        v(entry.invalid_votes),
        v(entry.votes_cast),
    );
    let (i, j) = (
        v(entry.more_ballots_counted),
        v(entry.fewer_ballots_counted),
    );

    // F.201: A + B + C = D.
    if checked_sum([a, b, c]) != Some(d) {
        let mut fields = vec![FieldId::PollCards, FieldId::ProxyCertificates];
        if shape.has_voter_cards {
            fields.push(FieldId::VoterCards);
        }
        fields.push(FieldId::AdmittedVoters);
        out.push(CheckResult::new(F201, fields));
    }

    // F.202: E.1 + ... + E.n = E.
    if checked_sum(entry.list_votes.iter().map(|(_, x)| v(*x))) != Some(e) {
        let mut fields: Vec<FieldId> = entry
            .list_votes
            .iter()
            .map(|(l, _)| FieldId::ListVotes(*l))
            .collect();
        fields.push(FieldId::VotesOnCandidates);
        out.push(CheckResult::new(F202, fields));
    }

    // F.203: E + F + G = H.
    if checked_sum([e, f, g]) != Some(h) {
        out.push(CheckResult::new(
            F203,
            vec![
                FieldId::VotesOnCandidates,
                FieldId::BlankVotes,
                FieldId::InvalidVotes,
                FieldId::VotesCast,
            ],
        ));
    }

    // F.204: some E.x > 0 while E = 0.
    if e == 0 {
        let positive: Vec<FieldId> = entry
            .list_votes
            .iter()
            .filter(|(_, x)| v(*x) > 0)
            .map(|(l, _)| FieldId::ListVotes(*l))
            .collect();
        if !positive.is_empty() {
            let mut fields = positive;
            fields.push(FieldId::VotesOnCandidates);
            out.push(CheckResult::new(F204, fields));
        }
    }

    // F.301–F.310: the D-versus-H block.
    let (eq_box, gt_box, lt_box) = (
        entry.admitted_equals_cast,
        entry.cast_greater_than_admitted,
        entry.cast_smaller_than_admitted,
    );
    if eq_box && d != h {
        out.push(CheckResult::new(F301, vec![FieldId::AdmittedEqualsCast]));
    }
    if gt_box && h <= d {
        out.push(CheckResult::new(
            F302,
            vec![FieldId::CastGreaterThanAdmitted],
        ));
    }
    if lt_box && h >= d {
        out.push(CheckResult::new(
            F303,
            vec![FieldId::CastSmallerThanAdmitted],
        ));
    }
    if [eq_box, gt_box, lt_box].into_iter().filter(|x| *x).count() != 1 {
        out.push(CheckResult::new(
            F304,
            vec![
                FieldId::AdmittedEqualsCast,
                FieldId::CastGreaterThanAdmitted,
                FieldId::CastSmallerThanAdmitted,
            ],
        ));
    }
    if d == h && (i != 0 || j != 0) {
        let mut fields = Vec::new();
        if i != 0 {
            fields.push(FieldId::MoreBallotsCounted);
        }
        if j != 0 {
            fields.push(FieldId::FewerBallotsCounted);
        }
        out.push(CheckResult::new(F305, fields));
    }
    if h > d {
        if Some(i) != h.checked_sub(d) {
            out.push(CheckResult::new(F306, vec![FieldId::MoreBallotsCounted]));
        }
        if j != 0 {
            out.push(CheckResult::new(
                F307,
                vec![FieldId::MoreBallotsCounted, FieldId::FewerBallotsCounted],
            ));
        }
    }
    if h < d {
        if Some(j) != d.checked_sub(h) {
            out.push(CheckResult::new(F308, vec![FieldId::FewerBallotsCounted]));
        }
        if i != 0 {
            out.push(CheckResult::new(
                F309,
                vec![FieldId::MoreBallotsCounted, FieldId::FewerBallotsCounted],
            ));
        }
    }
    if d != h && entry.difference_explained_yes == entry.difference_explained_no {
        out.push(CheckResult::new(
            F310,
            vec![
                FieldId::DifferenceExplainedYes,
                FieldId::DifferenceExplainedNo,
            ],
        ));
    }

    // F.401–F.403, per list in ballot order.
    let mut list_results: [Vec<CheckResult>; 3] = Default::default();
    for list in &entry.lists {
        let l = list.number;
        let total = v(list.total);
        let ex = v(entry
            .list_votes
            .iter()
            .find(|(n, _)| *n == l)
            .and_then(|(_, x)| *x));
        let candidate_fields = || {
            list.candidate_votes
                .iter()
                .zip(1u32..)
                .map(move |(_, p)| FieldId::CandidateVotes(l, CandidatePosition(p)))
        };
        let any_candidate = list.candidate_votes.iter().any(|c| v(*c) > 0);
        let f401 = total == 0 && (any_candidate || ex > 0);
        if f401 {
            let mut fields: Vec<FieldId> = list
                .candidate_votes
                .iter()
                .zip(1u32..)
                .filter(|(c, _)| v(**c) > 0)
                .map(|(_, p)| FieldId::CandidateVotes(l, CandidatePosition(p)))
                .collect();
            if ex > 0 {
                fields.push(FieldId::ListVotes(l));
            }
            fields.push(FieldId::ListTotal(l));
            list_results[0].push(CheckResult {
                code: F401,
                list: Some(l),
                fields,
            });
        }
        if !f401 && checked_sum(list.candidate_votes.iter().map(|c| v(*c))) != Some(total) {
            let mut fields: Vec<FieldId> = candidate_fields().collect();
            fields.push(FieldId::ListTotal(l));
            list_results[1].push(CheckResult {
                code: F402,
                list: Some(l),
                fields,
            });
        }
        if total != ex {
            list_results[2].push(CheckResult {
                code: F403,
                list: Some(l),
                fields: vec![FieldId::ListTotal(l), FieldId::ListVotes(l)],
            });
        }
    }
    for group in list_results {
        out.extend(group);
    }

    // Warnings.
    if at_least_percent(f, h, 3) {
        out.push(CheckResult::new(
            W201,
            vec![FieldId::BlankVotes, FieldId::VotesCast],
        ));
    }
    if at_least_percent(g, h, 3) {
        out.push(CheckResult::new(
            W202,
            vec![FieldId::InvalidVotes, FieldId::VotesCast],
        ));
    }
    let diff = d.abs_diff(h);
    // With H = 0 any difference of 15 or more is large (2 % of 0 is 0).
    let large = h == 0 || at_least_percent(diff, h, 2);
    if diff >= 15 && large {
        out.push(CheckResult::new(
            W203,
            vec![FieldId::AdmittedVoters, FieldId::VotesCast],
        ));
    }
    if h == 0 {
        out.push(CheckResult::new(W204, vec![FieldId::VotesCast]));
    }
    out
}

/// Whether any result is an error (F).
pub fn has_errors(results: &[CheckResult]) -> bool {
    results.iter().any(|r| r.severity() == Severity::Error)
}
