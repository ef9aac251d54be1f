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
    let m = |m: Msg| m.text(lang).to_string();
    match id {
        FieldId::PollCards => m(Msg::FieldA),
        FieldId::ProxyCertificates => m(Msg::FieldB),
        FieldId::VoterCards => m(Msg::FieldC),
        FieldId::AdmittedVoters => m(Msg::FieldD),
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
        FieldId::VotesOnCandidates => m(Msg::FieldE),
        FieldId::BlankVotes => m(Msg::FieldF),
        FieldId::InvalidVotes => m(Msg::FieldG),
        FieldId::VotesCast => m(Msg::FieldH),
        FieldId::MoreBallotsCounted => m(Msg::FieldI),
        FieldId::FewerBallotsCounted => m(Msg::FieldJ),
        FieldId::AdmittedEqualsCast => m(Msg::FieldDhEqual),
        FieldId::CastGreaterThanAdmitted => m(Msg::FieldDhGreater),
        FieldId::CastSmallerThanAdmitted => m(Msg::FieldDhSmaller),
        FieldId::DifferenceExplainedYes => m(Msg::FieldExplainedYes),
        FieldId::DifferenceExplainedNo => m(Msg::FieldExplainedNo),
        FieldId::Explanation(k) => m(match k {
            ExplanationKind::TakenAway => Msg::FieldK,
            ExplanationKind::TooFewHandedOut => Msg::FieldL,
            ExplanationKind::TooManyHandedOut => Msg::FieldM,
            ExplanationKind::OtherExplanation => Msg::FieldN,
            ExplanationKind::NoExplanation => Msg::FieldO,
        }),
        FieldId::CandidateVotes(l, c) => form
            .candidate(l.0, c.0)
            .map(Candidate::display_name)
            .unwrap_or_default(),
        FieldId::ListTotal(_) => m(Msg::FieldListTotal),
    }
}
