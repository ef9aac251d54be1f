//! Addressing the fields of the paper report: every box a typist fills in has a
//! [`FieldId`] with a short code (`A`, `E.3`, `L3.K12`, ...) that journals, screens and
//! error messages share.

use std::fmt;
use std::str::FromStr;

use crate::ids::{CandidatePosition, ListNumber};

/// The five explanation counts of the 2022 model N 10-1 (fields K to O), which the
/// Kiesraad's 510 files still carry as `UncountedVotes` reason codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExplanationKind {
    /// K: "meegenomen stembiljetten" (ballots taken away by voters).
    TakenAway,
    /// L: "te weinig uitgereikte stembiljetten" (too few ballots handed out).
    TooFewHandedOut,
    /// M: "te veel uitgereikte stembiljetten" (too many ballots handed out).
    TooManyHandedOut,
    /// N: "andere verklaring" (another explanation).
    OtherExplanation,
    /// O: "geen verklaring" (no explanation).
    NoExplanation,
}

impl ExplanationKind {
    /// All five, in the order of the paper form (K to O).
    pub const ALL: [ExplanationKind; 5] = [
        ExplanationKind::TakenAway,
        ExplanationKind::TooFewHandedOut,
        ExplanationKind::TooManyHandedOut,
        ExplanationKind::OtherExplanation,
        ExplanationKind::NoExplanation,
    ];

    /// The letter on the 2022 paper form.
    pub fn letter(self) -> &'static str {
        match self {
            ExplanationKind::TakenAway => "K",
            ExplanationKind::TooFewHandedOut => "L",
            ExplanationKind::TooManyHandedOut => "M",
            ExplanationKind::OtherExplanation => "N",
            ExplanationKind::NoExplanation => "O",
        }
    }

    /// The `UncountedVotes` reason code in a 510.
    pub fn reason_code(self) -> &'static str {
        match self {
            ExplanationKind::TakenAway => "meegenomen stembiljetten",
            ExplanationKind::TooFewHandedOut => "te weinig uitgereikte stembiljetten",
            ExplanationKind::TooManyHandedOut => "te veel uitgereikte stembiljetten",
            ExplanationKind::OtherExplanation => "andere verklaring",
            ExplanationKind::NoExplanation => "geen verklaring",
        }
    }

    /// The kind for a 510 reason code, if it is one of the five.
    pub fn from_reason_code(code: &str) -> Option<ExplanationKind> {
        ExplanationKind::ALL
            .into_iter()
            .find(|k| k.reason_code() == code)
    }
}

/// One box on the paper report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldId {
    /// A: "Aantal geldige stempassen".
    PollCards,
    /// B: "Aantal geldige volmachtbewijzen".
    ProxyCertificates,
    /// C: "Aantal geldige kiezerspassen" (not in municipal council elections).
    VoterCards,
    /// D: "Totaal aantal toegelaten kiezers".
    AdmittedVoters,
    /// E.x: "Totaal lijst x" in the votes block.
    ListVotes(ListNumber),
    /// E: "Totaal aantal stemmen op kandidaten".
    VotesOnCandidates,
    /// F: "Aantal blanco stembiljetten".
    BlankVotes,
    /// G: "Aantal ongeldige stembiljetten".
    InvalidVotes,
    /// H: "Totaal aantal uitgebrachte stemmen".
    VotesCast,
    /// I: "Aantal méér getelde stemmen (bereken: H min D)".
    MoreBallotsCounted,
    /// J: "Aantal minder getelde stemmen (bereken: D min H)".
    FewerBallotsCounted,
    /// Tick box "D en H zijn gelijk".
    AdmittedEqualsCast,
    /// Tick box "H is groter dan D (meer uitgebrachte stemmen dan toegelaten kiezers)".
    CastGreaterThanAdmitted,
    /// Tick box "H is kleiner dan D (minder uitgebrachte stemmen dan toegelaten kiezers)".
    CastSmallerThanAdmitted,
    /// Tick box "ja" of "Is het verschil tussen D en H volledig verklaard?".
    DifferenceExplainedYes,
    /// Tick box "nee" of "Is het verschil tussen D en H volledig verklaard?".
    DifferenceExplainedNo,
    /// K to O of the 2022 model: the explanation counts.
    Explanation(ExplanationKind),
    /// The votes of one candidate: "Aantal stemmen" next to the candidate's name.
    CandidateVotes(ListNumber, CandidatePosition),
    /// "Totaal" at the foot of a list's candidate column, as printed on the paper.
    ListTotal(ListNumber),
}

impl FieldId {
    /// Whether the field is a tick box (true/false) rather than a count.
    pub fn is_mark(self) -> bool {
        matches!(
            self,
            FieldId::AdmittedEqualsCast
                | FieldId::CastGreaterThanAdmitted
                | FieldId::CastSmallerThanAdmitted
                | FieldId::DifferenceExplainedYes
                | FieldId::DifferenceExplainedNo
        )
    }

    /// The Dutch label of the field as printed on the form.
    pub fn label_nl(self) -> String {
        match self {
            FieldId::PollCards => "A: aantal geldige stempassen".into(),
            FieldId::ProxyCertificates => "B: aantal geldige volmachtbewijzen".into(),
            FieldId::VoterCards => "C: aantal geldige kiezerspassen".into(),
            FieldId::AdmittedVoters => "D: totaal aantal toegelaten kiezers".into(),
            FieldId::ListVotes(l) => format!("E.{l}: totaal lijst {l}"),
            FieldId::VotesOnCandidates => "E: totaal aantal stemmen op kandidaten".into(),
            FieldId::BlankVotes => "F: aantal blanco stembiljetten".into(),
            FieldId::InvalidVotes => "G: aantal ongeldige stembiljetten".into(),
            FieldId::VotesCast => "H: totaal aantal uitgebrachte stemmen".into(),
            FieldId::MoreBallotsCounted => "I: aantal méér getelde stemmen".into(),
            FieldId::FewerBallotsCounted => "J: aantal minder getelde stemmen".into(),
            FieldId::AdmittedEqualsCast => "D en H zijn gelijk".into(),
            FieldId::CastGreaterThanAdmitted => "H is groter dan D".into(),
            FieldId::CastSmallerThanAdmitted => "H is kleiner dan D".into(),
            FieldId::DifferenceExplainedYes => "verschil volledig verklaard: ja".into(),
            FieldId::DifferenceExplainedNo => "verschil volledig verklaard: nee".into(),
            FieldId::Explanation(k) => format!("{}: {}", k.letter(), k.reason_code()),
            FieldId::CandidateVotes(l, c) => format!("lijst {l}, kandidaat {c}: aantal stemmen"),
            FieldId::ListTotal(l) => format!("lijst {l}: totaal"),
        }
    }
}

/// The short code: `A`..`J`, `E.3`, `K`..`O`, `DH=`, `DH>`, `DH<`, `V.ja`, `V.nee`,
/// `L3.K12` (list 3, candidate 12), `L3.T` (list 3, total as printed).
impl fmt::Display for FieldId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldId::PollCards => f.write_str("A"),
            FieldId::ProxyCertificates => f.write_str("B"),
            FieldId::VoterCards => f.write_str("C"),
            FieldId::AdmittedVoters => f.write_str("D"),
            FieldId::ListVotes(l) => write!(f, "E.{l}"),
            FieldId::VotesOnCandidates => f.write_str("E"),
            FieldId::BlankVotes => f.write_str("F"),
            FieldId::InvalidVotes => f.write_str("G"),
            FieldId::VotesCast => f.write_str("H"),
            FieldId::MoreBallotsCounted => f.write_str("I"),
            FieldId::FewerBallotsCounted => f.write_str("J"),
            FieldId::AdmittedEqualsCast => f.write_str("DH="),
            FieldId::CastGreaterThanAdmitted => f.write_str("DH>"),
            FieldId::CastSmallerThanAdmitted => f.write_str("DH<"),
            FieldId::DifferenceExplainedYes => f.write_str("V.ja"),
            FieldId::DifferenceExplainedNo => f.write_str("V.nee"),
            FieldId::Explanation(k) => f.write_str(k.letter()),
            FieldId::CandidateVotes(l, c) => write!(f, "L{l}.K{c}"),
            FieldId::ListTotal(l) => write!(f, "L{l}.T"),
        }
    }
}

/// A field code that is not one of the codes of [`FieldId`]'s `Display`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown field code {0:?}")]
pub struct UnknownField(pub String);

fn parse_number(s: &str, whole: &str) -> Result<u32, UnknownField> {
    // Only plain decimal digits, no sign, no leading zero, at least 1.
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') {
        return Err(UnknownField(whole.to_owned()));
    }
    s.parse::<u32>().map_err(|_| UnknownField(whole.to_owned()))
}

impl FromStr for FieldId {
    type Err = UnknownField;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let field = match s {
            "A" => FieldId::PollCards,
            "B" => FieldId::ProxyCertificates,
            "C" => FieldId::VoterCards,
            "D" => FieldId::AdmittedVoters,
            "E" => FieldId::VotesOnCandidates,
            "F" => FieldId::BlankVotes,
            "G" => FieldId::InvalidVotes,
            "H" => FieldId::VotesCast,
            "I" => FieldId::MoreBallotsCounted,
            "J" => FieldId::FewerBallotsCounted,
            "K" => FieldId::Explanation(ExplanationKind::TakenAway),
            "L" => FieldId::Explanation(ExplanationKind::TooFewHandedOut),
            "M" => FieldId::Explanation(ExplanationKind::TooManyHandedOut),
            "N" => FieldId::Explanation(ExplanationKind::OtherExplanation),
            "O" => FieldId::Explanation(ExplanationKind::NoExplanation),
            "DH=" => FieldId::AdmittedEqualsCast,
            "DH>" => FieldId::CastGreaterThanAdmitted,
            "DH<" => FieldId::CastSmallerThanAdmitted,
            "V.ja" => FieldId::DifferenceExplainedYes,
            "V.nee" => FieldId::DifferenceExplainedNo,
            _ => {
                if let Some(rest) = s.strip_prefix("E.") {
                    FieldId::ListVotes(ListNumber(parse_number(rest, s)?))
                } else if let Some(rest) = s.strip_prefix('L') {
                    let (list, tail) =
                        rest.split_once('.').ok_or_else(|| UnknownField(s.into()))?;
                    let list = ListNumber(parse_number(list, s)?);
                    if tail == "T" {
                        FieldId::ListTotal(list)
                    } else if let Some(pos) = tail.strip_prefix('K') {
                        FieldId::CandidateVotes(list, CandidatePosition(parse_number(pos, s)?))
                    } else {
                        return Err(UnknownField(s.into()));
                    }
                } else {
                    return Err(UnknownField(s.into()));
                }
            }
        };
        Ok(field)
    }
}

impl serde::Serialize for FieldId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for FieldId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        let fields = [
            FieldId::PollCards,
            FieldId::VoterCards,
            FieldId::ListVotes(ListNumber(12)),
            FieldId::VotesCast,
            FieldId::AdmittedEqualsCast,
            FieldId::CastGreaterThanAdmitted,
            FieldId::CastSmallerThanAdmitted,
            FieldId::DifferenceExplainedNo,
            FieldId::Explanation(ExplanationKind::NoExplanation),
            FieldId::CandidateVotes(ListNumber(3), CandidatePosition(41)),
            FieldId::ListTotal(ListNumber(30)),
        ];
        for f in fields {
            assert_eq!(f.to_string().parse::<FieldId>(), Ok(f), "{f}");
        }
    }

    #[test]
    fn bad_codes_refused() {
        for s in [
            "",
            "P",
            "E.",
            "E.0",
            "E.01",
            "E.-1",
            "L3",
            "L3.",
            "L3.X",
            "L.K1",
            "L3.K",
            "L3.K0",
            "E.99999999999",
        ] {
            assert!(s.parse::<FieldId>().is_err(), "{s:?}");
        }
    }
}
