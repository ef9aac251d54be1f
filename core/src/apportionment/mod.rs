//! Seat apportionment and the election of candidates: Kieswet chapter P.
//!
//! - [`apportion_seats`]: P 5 quota, P 6 full seats, P 7 / P 8 remaining seats, P 9 absolute
//!   majority, P 10 list exhaustion, in the Electoral Council's order; seats no list can take
//!   stay unfilled. Which lists may take a remaining seat depends on the law version in force
//!   on the election's date ([`RemainingSeatLaw`]).
//! - [`elect_candidates`]: P 15 preference votes, P 17 list order, P 19a deceased candidates.
//! - [`elect_group`]: a list group or a list not submitted in every kieskring (Tweede Kamer):
//!   P 12 / P 13 the group's seats over its lists, P 15 - P 18 across kieskringen, P 19
//!   ranking, P 19a deceased candidates.
//!
//! All seat arithmetic is in exact fractions ([`Fraction`]), never floating point. Every step
//! is kept, with the values compared, so that it can be shown and printed (model P 22-2).
//!
//! The program never decides a tie. When equal averages, remainders or preference votes
//! decide a seat, the calculation stops with a "lots needed" outcome naming the tie. The
//! central electoral committee draws lots in public; the caller passes the outcome back in
//! and runs the (deterministic) calculation again, which then records the drawing in its steps.
//!
//! See `docs/apportionment.md` for the choices made where the law leaves room and for what is
//! not supported (refused with an error, never guessed).

mod candidates;
mod fraction;
mod groups;
mod law;
mod report;
mod seats;

pub use candidates::{
    CandidateDrawing, CandidateElection, CandidateError, CandidateInput, CandidateLot,
    CandidateOutcome, CandidateVotes, ElectedBy, ElectedCandidate, ListCandidates, ListElected,
    elect_candidates,
};
pub use fraction::Fraction;
pub use groups::{
    GroupCandidate, GroupDrawing, GroupDrawn, GroupElected, GroupElection, GroupError, GroupInput,
    GroupList, GroupListSeats, GroupLot, GroupOutcome, GroupSeatRule, GroupStep, elect_group,
};
pub use law::{BILL_36641_IN_FORCE_FROM, RemainingSeatLaw, preference_threshold_percent};
pub use seats::{
    AbsoluteMajorityOutcome, ApportionmentError, ApportionmentNotice, Exclusion, ExclusionReason,
    HIGHEST_AVERAGES_FROM_SEATS, ListSeats, ListVotes, MAX_SEATS, RemainingSeatStep,
    SeatApportionment, SeatDrawing, SeatDrawingPurpose, SeatInput, SeatLot, SeatLotsNeeded,
    SeatOutcome, SeatRule, SeatStep, Standing, apportion_seats,
};
