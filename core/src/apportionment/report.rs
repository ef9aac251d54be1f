//! Plain-text rendering of the apportionment steps, for the screen and for printing
//! (the calculation part of model P 22-2). Dutch, as the forms are.

use std::fmt;

use super::seats::{
    AbsoluteMajorityOutcome, ApportionmentNotice, ExclusionReason, SeatApportionment,
    SeatLotsNeeded, SeatStep,
};

impl ExclusionReason {
    /// A short Dutch explanation, for printing.
    pub fn label(self) -> &'static str {
        match self {
            ExclusionReason::NoVotes => "geen stemmen",
            ExclusionReason::BelowQuota => "kiesdeler niet gehaald",
            ExclusionReason::BelowRemainderThreshold => "minder dan 75% van de kiesdeler (P 8)",
            ExclusionReason::HadLargestRemainderSeat => "had al een zetel op overschot (P 8)",
            ExclusionReason::HadSeatThisRound => "had al een zetel in deze ronde (P 8)",
            ExclusionReason::ListExhausted => "lijst uitgeput (P 10)",
        }
    }
}

impl fmt::Display for SeatStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeatStep::RemainingSeat(r) => {
                let what = if r.rule.compares_remainders() {
                    "overschot"
                } else {
                    "gemiddelde"
                };
                write!(
                    f,
                    "restzetel {} ({}): lijst {}, {what} {}",
                    r.seat, r.rule, r.list, r.value
                )?;
                if r.tied.len() > 1 {
                    let tied: Vec<String> = r.tied.iter().map(ToString::to_string).collect();
                    write!(f, "; gelijk met lijsten {}", tied.join(", "))?;
                    if r.by_lot {
                        write!(f, ", beslist door loting")?;
                    }
                }
                let compared: Vec<String> = r
                    .compared
                    .iter()
                    .map(|s| format!("{}: {} ({} zetels)", s.list, s.value, s.seats_before))
                    .collect();
                write!(f, "\n    vergeleken: {}", compared.join("; "))?;
                if !r.excluded.is_empty() {
                    let excluded: Vec<String> = r
                        .excluded
                        .iter()
                        .map(|e| format!("{}: {}", e.list, e.reason.label()))
                        .collect();
                    write!(f, "\n    niet mee: {}", excluded.join("; "))?;
                }
                Ok(())
            }
            SeatStep::AbsoluteMajority { list, outcome } => match outcome {
                AbsoluteMajorityOutcome::Transferred { from, by_lot } => {
                    write!(
                        f,
                        "P 9: lijst {list} heeft de volstrekte meerderheid van de stemmen; de \
                         laatste restzetel, van lijst {from}, gaat naar lijst {list}"
                    )?;
                    if *by_lot {
                        write!(f, " (lijst {from} aangewezen door loting)")?;
                    }
                    Ok(())
                }
                AbsoluteMajorityOutcome::NoRemainingSeatToRetract => write!(
                    f,
                    "P 9: lijst {list} heeft de volstrekte meerderheid van de stemmen maar er is \
                     geen restzetel van een andere lijst; geen wijziging"
                ),
            },
            SeatStep::ListExhausted {
                list,
                seats,
                candidates,
                remaining_given_up,
                full_given_up,
            } => {
                let given_up = remaining_given_up.saturating_add(*full_given_up);
                write!(
                    f,
                    "P 10: lijst {list} heeft {seats} zetels maar {candidates} kandidaten; \
                     {given_up} {} over op andere lijsten",
                    if given_up == 1 {
                        "zetel gaat"
                    } else {
                        "zetels gaan"
                    }
                )?;
                if *full_given_up > 0 {
                    write!(
                        f,
                        " ({remaining_given_up} restzetel(s), {full_given_up} volle zetel(s))"
                    )?;
                }
                Ok(())
            }
            SeatStep::SeatsUnfilled { seats } => write!(
                f,
                "P 10: geen lijst heeft nog een kandidaat zonder zetel; {seats} {} onbezet",
                if *seats == 1 {
                    "zetel blijft"
                } else {
                    "zetels blijven"
                }
            ),
        }
    }
}

impl ApportionmentNotice {
    /// The notice in Dutch, for the screen and the P 22-2.
    pub fn label(self) -> String {
        match self {
            ApportionmentNotice::AbsoluteMajorityAndListExhaustion => {
                "Zowel artikel P 9 (volstrekte meerderheid) als artikel P 10 (lijstuitputting) \
                 is toegepast. De volgorde waarin de wet deze toepast is niet vastgesteld; \
                 overleg met de Kiesraad voordat de uitslag wordt vastgesteld."
                    .to_owned()
            }
            ApportionmentNotice::SeatsUnfilled { seats } => format!(
                "Niet alle zetels zijn toegewezen: {seats} {} onbezet, omdat geen lijst nog een \
                 kandidaat zonder zetel heeft (artikel P 10).",
                if seats == 1 {
                    "zetel blijft"
                } else {
                    "zetels blijven"
                }
            ),
        }
    }

    /// The notice in English, for command-line tools and logs.
    pub fn label_en(self) -> String {
        match self {
            ApportionmentNotice::AbsoluteMajorityAndListExhaustion => {
                "both P 9 (absolute majority) and P 10 (list exhaustion) were applied; the \
                 order of the two is not settled in law: the committee should consult the \
                 Electoral Council before it declares the result"
                    .to_owned()
            }
            ApportionmentNotice::SeatsUnfilled { seats } => format!(
                "not every seat is assigned: {seats} seat(s) stay unfilled, no list has a \
                 candidate left (P 10)"
            ),
        }
    }
}

impl fmt::Display for SeatApportionment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Zetelverdeling: {} zetels, {} stemmen op lijsten, kiesdeler {}",
            self.seats, self.total_votes, self.quota
        )?;
        writeln!(f, "Restzetels volgens: {}", self.law)?;
        writeln!(
            f,
            "{:>5} {:>12} {:>6} {:>24} {:>5} {:>6}",
            "lijst", "stemmen", "volle", "overschot", "rest", "totaal"
        )?;
        for l in &self.lists {
            writeln!(
                f,
                "{:>5} {:>12} {:>6} {:>24} {:>5} {:>6}",
                l.list,
                l.votes,
                l.full_seats,
                l.remainder.to_string(),
                l.remaining_seats,
                l.seats
            )?;
        }
        for step in &self.steps {
            writeln!(f, "{step}")?;
        }
        for notice in self.notices() {
            writeln!(f, "LET OP: {}", notice.label())?;
        }
        Ok(())
    }
}

impl fmt::Display for SeatLotsNeeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Kiesdeler {}", self.quota)?;
        for step in &self.steps {
            writeln!(f, "{step}")?;
        }
        writeln!(f, "Loting nodig: {}", self.drawing)
    }
}
