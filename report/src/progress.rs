//! The progress overview of a count typed on several entry appliances (issue 18, point 2):
//! per polling station which appliance holds its first and its second entry, who typed
//! what is in, and where the station stands (waiting, differences, definitive); per entry
//! appliance which stations it still holds. A tool for the committee, not a model of the
//! Kieswet: it belongs to no EML file, so its footer says so where the other papers print
//! the EML file's hash code, and it carries the journal's head like every paper.

use crate::layout::{BODY, Column, Doc, WIDTH, heads};
use crate::render::{Align, Style};
use crate::{ReportError, ReportMeta};
use tally_core::election::Election;

/// One half of a station's double entry, as far as it has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryProgress<'a> {
    /// Not assigned to any entry appliance yet.
    Unassigned,
    /// Assigned to the entry appliance `appliance`, not in yet.
    Assigned {
        /// The entry appliance's identifier (`0001-E3`).
        appliance: &'a str,
    },
    /// In: imported from `appliance`'s batch, typed by `typist`.
    In {
        /// The entry appliance's identifier.
        appliance: &'a str,
        /// The typist as registered on that appliance.
        typist: &'a str,
    },
}

/// Where a station stands once its entries are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StationStage {
    /// One or both entries are not in.
    Waiting,
    /// Both in, and they differ: the coordinator decides.
    Differences,
    /// Both in and equal, or decided: the station's count is definitive.
    Definitive,
}

/// One polling station's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationProgress<'a> {
    /// The station's number.
    pub number: u32,
    /// Its name.
    pub name: &'a str,
    /// The first entry.
    pub first: EntryProgress<'a>,
    /// The second entry.
    pub second: EntryProgress<'a>,
    /// Where it stands.
    pub stage: StationStage,
}

/// One entry appliance's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplianceProgress<'a> {
    /// Its identifier (`0001-E3`).
    pub appliance: &'a str,
    /// The entries it has delivered (imported from its batches).
    pub delivered: u32,
    /// The stations of which it holds an entry still to deliver, ascending.
    pub holds: &'a [u32],
}

/// The input of [`progress_report`].
#[derive(Debug, Clone)]
pub struct ProgressInput<'a> {
    /// Every polling station, in number order.
    pub stations: &'a [StationProgress<'a>],
    /// Every entry appliance of the body.
    pub appliances: &'a [ApplianceProgress<'a>],
    /// Body, creation time, journal, demo (`eml_hash` is not printed: no EML file).
    pub meta: ReportMeta<'a>,
}

impl EntryProgress<'_> {
    fn shown(&self) -> String {
        match self {
            EntryProgress::Unassigned => "niet toegewezen".to_owned(),
            EntryProgress::Assigned { appliance } => format!("{appliance}: open"),
            EntryProgress::In { appliance, typist } => format!("{appliance}: {typist}"),
        }
    }

    fn is_in(&self) -> bool {
        matches!(self, EntryProgress::In { .. })
    }
}

impl StationStage {
    fn shown(self) -> &'static str {
        match self {
            StationStage::Waiting => "wacht op invoer",
            StationStage::Differences => "verschillen",
            StationStage::Definitive => "definitief",
        }
    }
}

/// Station numbers as ranges (`1-4, 7, 9-10`), `geen` for none.
fn ranges(numbers: &[u32]) -> String {
    if numbers.is_empty() {
        "geen".to_owned()
    } else {
        crate::figures::number_ranges(numbers)
    }
}

/// The progress overview as PDF/A-2b.
///
/// # Errors
/// A character the font lacks.
pub fn progress_report(
    election: &Election,
    input: &ProgressInput<'_>,
) -> Result<Vec<u8>, ReportError> {
    let meta = &input.meta;
    let mut doc = Doc::titled(
        meta,
        election,
        "Voortgangsoverzicht van de invoer (hulpmiddel, geen proces-verbaal)",
        "Voortgang van de invoer",
    )?
    .without_eml("Voortgangsoverzicht: hoort bij geen EML-bestand");

    let stations = input.stations;
    let count = |f: &dyn Fn(&StationProgress<'_>) -> bool| stations.iter().filter(|s| f(s)).count();
    doc.heading("1. Samenvatting", 11.0, 60.0)?;
    for (label, n) in [
        ("Stembureaus", stations.len()),
        (
            "Beide invoeren toegewezen",
            count(&|s| {
                !matches!(s.first, EntryProgress::Unassigned)
                    && !matches!(s.second, EntryProgress::Unassigned)
            }),
        ),
        ("Eerste invoer binnen", count(&|s| s.first.is_in())),
        ("Tweede invoer binnen", count(&|s| s.second.is_in())),
        (
            "Met verschillen",
            count(&|s| s.stage == StationStage::Differences),
        ),
        (
            "Definitief",
            count(&|s| s.stage == StationStage::Definitive),
        ),
    ] {
        doc.paragraph(&format!("{label}: {n}"), Style::Regular, BODY, 0.0)?;
    }

    doc.heading("2. Per stembureau", 11.0, 60.0)?;
    // The entries get the room (appliance and typist); a long station name is shortened
    // with "…", the number identifies the station.
    let number = Column::new(0.0, 22.0, Align::Right);
    let name = Column::new(28.0, 90.0, Align::Left);
    let first = Column::new(122.0, 150.0, Align::Left);
    let second = Column::new(276.0, 150.0, Align::Left);
    let stage = Column::new(430.0, WIDTH - 430.0, Align::Left);
    let header = heads(&[
        (number, "nr"),
        (name, "stembureau"),
        (first, "eerste invoer"),
        (second, "tweede invoer"),
        (stage, "stand"),
    ]);
    doc.row(&header.0, header.1)?;
    doc.repeat_header(Some(vec![header]));
    for s in stations {
        doc.row(
            &[
                (number, s.number.to_string(), Style::Bold),
                (name, s.name.to_owned(), Style::Regular),
                (first, s.first.shown(), Style::Regular),
                (second, s.second.shown(), Style::Regular),
                (
                    stage,
                    s.stage.shown().to_owned(),
                    if s.stage == StationStage::Differences {
                        Style::Bold
                    } else {
                        Style::Regular
                    },
                ),
            ],
            BODY,
        )?;
    }
    doc.repeat_header(None);

    doc.heading("3. Per invoerapparaat", 11.0, 60.0)?;
    if input.appliances.is_empty() {
        doc.paragraph("Geen invoerapparaten.", Style::Regular, BODY, 0.0)?;
    }
    for a in input.appliances {
        doc.paragraph(
            &format!(
                "{}: {} invoer(en) binnen; houdt nog {} stembureau(s): {}",
                a.appliance,
                a.delivered,
                a.holds.len(),
                ranges(a.holds)
            ),
            Style::Regular,
            BODY,
            0.0,
        )?;
    }
    doc.finish("Voortgang van de invoer")
}

#[cfg(test)]
mod tests {
    use super::ranges;

    #[test]
    fn station_numbers_are_shown_as_ranges() {
        assert_eq!(ranges(&[]), "geen");
        assert_eq!(ranges(&[3]), "3");
        assert_eq!(ranges(&[1, 2, 3, 4, 7, 9, 10]), "1-4, 7, 9-10");
        assert_eq!(
            ranges(&[u32::MAX - 1, u32::MAX]),
            format!("{}-{}", u32::MAX - 1, u32::MAX)
        );
    }
}
