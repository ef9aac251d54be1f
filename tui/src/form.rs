//! The words of the paper report on screen: the blocks' titles, the fields' labels, and the
//! refusal of an election this municipality cannot count, in the catalogue's words. The form
//! itself (its fields in the order of the paper) is the ledger's [`tally_ledger::form`].

use tally_core::election::{BallotContestError, Candidate};
use tally_core::entry::ExplanationKind;
pub use tally_ledger::form::*;

use crate::services::Refusal;
use crate::text::{Lang, Msg};

/// The error in the catalogue's words.
pub fn refusal(e: &ElectionInfoError) -> Refusal {
    let refused = |inner: Refusal| Refusal::said(Msg::MediumRefused, vec![inner.into()]);
    match e {
        ElectionInfoError::NoStationList => Refusal::with(Msg::Missing110b, &[], ""),
        ElectionInfoError::NoStations => refused(Refusal::with(Msg::NoStations110b, &[], "")),
        ElectionInfoError::Contest { code, name, reason } => match reason.as_ref() {
            BallotContestError::NoCandidateLists => Refusal::with(Msg::Missing230b, &[], ""),
            BallotContestError::KieskringListsMissing {
                kieskring,
                kieskring_name,
                on_medium,
                ..
            } => refused(Refusal::with(
                Msg::KieskringListsMissing,
                &[
                    name,
                    &code.0,
                    &kieskring.to_string(),
                    kieskring_name,
                    &contest_ids(on_medium),
                ],
                "",
            )),
            BallotContestError::Ambiguous { on_medium, .. } => refused(Refusal::with(
                Msg::KieskringAmbiguous,
                &[name, &code.0, &contest_ids(on_medium)],
                "",
            )),
        },
    }
}

/// A block's title.
pub fn title(block: &Block, lang: Lang) -> String {
    match block {
        Block::Voters => Msg::BlockVoters.text(lang).into(),
        Block::Votes => Msg::BlockVotes.text(lang).into(),
        Block::Differences => Msg::BlockDifferences.text(lang).into(),
        Block::List { number, name } => Msg::BlockList.fill(lang, &[&number.to_string(), name]),
    }
}

/// A field's label (without its code).
pub fn label(form: &Form, id: FieldId, lang: Lang) -> String {
    match id {
        FieldId::ListVotes(l) => {
            let name = form
                .lists
                .iter()
                .find(|x| x.number == l)
                .map(|x| x.name.as_str())
                .unwrap_or("");
            format!(
                "{} {name}",
                Msg::FieldListVotes.fill(lang, &[&l.to_string()])
            )
        }
        FieldId::CandidateVotes(l, c) => form
            .candidate(l.0, c.0)
            .map(Candidate::display_name)
            .unwrap_or_default(),
        id => field_msg(id).map_or_else(String::new, |m| m.text(lang).to_owned()),
    }
}

/// The label of a field the paper names the same in every election (not a list's or a
/// candidate's), as a catalogue text.
pub fn field_msg(id: FieldId) -> Option<Msg> {
    Some(match id {
        FieldId::PollCards => Msg::FieldA,
        FieldId::ProxyCertificates => Msg::FieldB,
        FieldId::VoterCards => Msg::FieldC,
        FieldId::AdmittedVoters => Msg::FieldD,
        FieldId::VotesOnCandidates => Msg::FieldE,
        FieldId::BlankVotes => Msg::FieldF,
        FieldId::InvalidVotes => Msg::FieldG,
        FieldId::VotesCast => Msg::FieldH,
        FieldId::MoreBallotsCounted => Msg::FieldI,
        FieldId::FewerBallotsCounted => Msg::FieldJ,
        FieldId::AdmittedEqualsCast => Msg::FieldDhEqual,
        FieldId::CastGreaterThanAdmitted => Msg::FieldDhGreater,
        FieldId::CastSmallerThanAdmitted => Msg::FieldDhSmaller,
        FieldId::DifferenceExplainedYes => Msg::FieldExplainedYes,
        FieldId::DifferenceExplainedNo => Msg::FieldExplainedNo,
        FieldId::Explanation(k) => match k {
            ExplanationKind::TakenAway => Msg::FieldK,
            ExplanationKind::TooFewHandedOut => Msg::FieldL,
            ExplanationKind::TooManyHandedOut => Msg::FieldM,
            ExplanationKind::OtherExplanation => Msg::FieldN,
            ExplanationKind::NoExplanation => Msg::FieldO,
        },
        FieldId::ListTotal(_) => Msg::FieldListTotal,
        FieldId::ListVotes(_) | FieldId::CandidateVotes(..) => return None,
    })
}
