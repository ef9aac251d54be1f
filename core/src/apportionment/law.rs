//! Which version of the law decides who may take a remaining seat: a property of the
//! election, by its category and its date.
//!
//! Under the Kieswet as in force, only for the Tweede Kamer must a list reach the quota to
//! take part in the assignment of remaining seats (P 7, second paragraph). Bill 36 641 ("Wet
//! aanscherping vereisten toewijzing restzetels", submitted in October 2024) extends that
//! requirement to every election but the Eerste Kamer: municipal councils, provinces and water
//! boards. On 6 December 2026 it is not in force (the minister postponed answering parliament's
//! report until after the municipal elections of March 2026), so [`BILL_36641_IN_FORCE_FROM`]
//! is `None`. When it enters into force, that date goes there and every election held on or
//! after it is apportioned under the amended law; the definition's `kr:ElectionDate` decides.

use std::fmt;

use crate::election::{ElectionCategory, ElectionDate};

/// The date from which bill 36 641 applies to elections, once it is law; `None` while it is a
/// bill. See the module documentation.
pub const BILL_36641_IN_FORCE_FROM: Option<ElectionDate> = None;

/// The version of the law under which the remaining seats are assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RemainingSeatLaw {
    /// The Kieswet as in force: a list must reach the quota for a remaining seat only at a
    /// Tweede Kamer election (P 7, second paragraph); below 19 seats, largest remainders need
    /// 75 % of the quota (P 8, second paragraph).
    Kieswet,
    /// The Kieswet as amended by bill 36 641: at every election but the Eerste Kamer, a list
    /// whose votes are below the quota takes part in no assignment of remaining seats.
    Amended36641,
}

impl RemainingSeatLaw {
    /// The law that applies to an election of `category` held on `date`, with bill 36 641 in
    /// force as [`BILL_36641_IN_FORCE_FROM`] says.
    pub fn for_election(category: ElectionCategory, date: ElectionDate) -> RemainingSeatLaw {
        Self::for_election_with(category, date, BILL_36641_IN_FORCE_FROM)
    }

    /// The law that applies to an election of `category` held on `date` when bill 36 641
    /// applies to elections from `bill_in_force_from` (`None`: not in force). The bill leaves
    /// the Eerste Kamer (chapter U, weighted votes) alone.
    pub fn for_election_with(
        category: ElectionCategory,
        date: ElectionDate,
        bill_in_force_from: Option<ElectionDate>,
    ) -> RemainingSeatLaw {
        match bill_in_force_from {
            Some(from) if date >= from && category != ElectionCategory::EK => {
                RemainingSeatLaw::Amended36641
            }
            _ => RemainingSeatLaw::Kieswet,
        }
    }

    /// Whether a list must reach the quota to take part in the assignment of remaining seats
    /// at an election of `category`.
    pub fn quota_required(self, category: ElectionCategory) -> bool {
        match self {
            RemainingSeatLaw::Kieswet => category == ElectionCategory::TK,
            RemainingSeatLaw::Amended36641 => category != ElectionCategory::EK,
        }
    }

    /// The law version in Dutch, for the screen and the P 22-2.
    pub fn label(self) -> &'static str {
        match self {
            RemainingSeatLaw::Kieswet => {
                "Kieswet zoals geldend (wetsvoorstel 36 641 niet van toepassing)"
            }
            RemainingSeatLaw::Amended36641 => {
                "Kieswet zoals gewijzigd door de Wet aanscherping vereisten toewijzing \
                 restzetels (36 641)"
            }
        }
    }

    /// The law version in English, for command-line tools and logs.
    pub fn label_en(self) -> &'static str {
        match self {
            RemainingSeatLaw::Kieswet => "Kieswet as in force (bill 36 641 does not apply)",
            RemainingSeatLaw::Amended36641 => {
                "Kieswet as amended by bill 36 641 (remaining seats only for lists reaching the quota)"
            }
        }
    }
}

/// The preference threshold the Kieswet sets, in percent of the quota (P 15): 25 %, but half
/// the quota (50 %) "indien het aantal bij de verkiezing van de leden van de gemeenteraad te
/// verdelen zetels minder dan negentien bedraagt" (P 15, second paragraph). Only municipal
/// councils get the half: a water board's algemeen bestuur (AB), a province or the Tweede
/// Kamer keeps 25 % at any number of seats, also below 19 seats, where the remaining seats do
/// go by largest remainders (P 8 speaks of "het aantal te verdelen zetels" for every election).
pub fn preference_threshold_percent(category: ElectionCategory, seats: u32) -> u32 {
    if category == ElectionCategory::GR && seats < super::seats::HIGHEST_AVERAGES_FROM_SEATS {
        50
    } else {
        25
    }
}

impl fmt::Display for RemainingSeatLaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> ElectionDate {
        ElectionDate { year, month, day }
    }

    #[test]
    fn bill_not_in_force_today() {
        assert_eq!(BILL_36641_IN_FORCE_FROM, None);
        let gr = RemainingSeatLaw::for_election(ElectionCategory::GR, date(2026, 3, 18));
        assert_eq!(gr, RemainingSeatLaw::Kieswet);
        assert!(!gr.quota_required(ElectionCategory::GR));
        assert!(!gr.quota_required(ElectionCategory::PS));
        assert!(gr.quota_required(ElectionCategory::TK));
    }

    #[test]
    fn both_sides_of_the_date() {
        let from = Some(date(2027, 1, 1));
        let before =
            RemainingSeatLaw::for_election_with(ElectionCategory::PS, date(2026, 12, 31), from);
        let on = RemainingSeatLaw::for_election_with(ElectionCategory::PS, date(2027, 1, 1), from);
        assert_eq!(before, RemainingSeatLaw::Kieswet);
        assert_eq!(on, RemainingSeatLaw::Amended36641);
        assert!(!before.quota_required(ElectionCategory::PS));
        assert!(on.quota_required(ElectionCategory::PS));
        assert!(on.quota_required(ElectionCategory::AB));
        let ek = RemainingSeatLaw::for_election_with(ElectionCategory::EK, date(2027, 6, 1), from);
        assert_eq!(ek, RemainingSeatLaw::Kieswet);
    }
}
