//! The official paper reports of the tally appliance, as PDF.
//!
//! What this crate is for: at each level the committee signs a paper report; the appliance
//! writes it as a PDF next to the signed EML file, to be printed on any PC:
//! - [`municipal_report`]: the municipal report (model Na 31-2) with its annex per polling
//!   station;
//! - [`district_report`]: the report of a principal electoral committee (hoofdstembureau),
//!   with its annex per municipality;
//! - [`central_report`]: the central electoral committee's report (model P 22-2): the
//!   totals, the seat apportionment step by step and the elected candidates;
//! - [`progress_report`]: the progress overview of a count typed on several entry
//!   appliances (no model; per station its two entries and its stage, per appliance what it
//!   still holds).
//!
//! Every page carries the election, the body, "pagina x van y", the creation time and the
//! hash code of the EML file it belongs to, and "DEMO" when made in demo mode.
//! [`comparison_figures`] gives the figures the officials compare between screen and paper
//! (totals per list, blank, invalid, admitted voters); the PDF prints the same rows, so the
//! screen and the paper use one source.
//!
//! The PDF is written by the `krilla` crate as **PDF/A-2b** (ISO 19005-2, level B: fonts
//! embedded, XMP metadata, an sRGB output intent; `krilla` refuses to write a document that
//! breaks a rule it can check), see `docs/report-pdf.md`. The fonts are DejaVu Sans and
//! DejaVu Sans Bold, cut to the Latin ranges (`fonts/`), embedded as subsets of the glyphs a
//! report uses, with a Unicode map, so that the text can be searched and copied. This crate
//! lays the text out itself (one glyph per character, placed by its advance width) and hands
//! `krilla` positioned glyphs and lines. The output is a pure function of the inputs and the
//! given creation time: the same inputs give the same bytes.
//!
//! What it must not do: any I/O (it returns bytes; the caller writes them), read the clock
//! (the caller passes the creation time), compute or correct any count (it prints what
//! it is given), or print a name altered: a character the font lacks is an error.

mod central;
mod counts;
mod figures;
mod layout;
mod progress;
mod render;
mod session;

use std::fmt;

use tally_core::hashcode::Sha256Digest;

pub use central::{CentralReportInput, central_report};
pub use counts::{
    CountReportInput, DecisionLine, Proceedings, district_report, municipal_report,
    station_report_v2,
};
pub use figures::{
    ComparisonFigures, FigureRow, ListFigure, comparison_figures, format_count, number_ranges,
};
pub use progress::{
    ApplianceProgress, EntryProgress, ProgressInput, StationProgress, StationStage, progress_report,
};
pub use session::{
    ChangedFigure, Correction, InvestigationLine, Present, SessionReportInput, corrigendum_report,
    session_report,
};

/// Why a report could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// The embedded font is damaged (a build error, not an input error).
    #[error("{0}")]
    Font(String),
    /// The PDF library refused to write the document (a PDF/A-2b rule broken or a limit of
    /// the format exceeded: a bug, not an input error).
    #[error("PDF: {0}")]
    Pdf(String),
    /// A text to print holds a character the report's font does not have.
    #[error("character {character:?} (U+{:04X}) in {text:?} is not in the report font", u32::from(*.character))]
    Character {
        /// The character.
        character: char,
        /// The text it occurs in.
        text: String,
    },
    /// A sum of counts overflows.
    #[error("the sum of {what} overflows")]
    Overflow {
        /// Which sum.
        what: String,
    },
    /// A date or time field out of range.
    #[error("creation time: {field} {value} out of range")]
    Time {
        /// The field (`month`, `hour`, ...).
        field: &'static str,
        /// The value given.
        value: u32,
    },
    /// The contest named is not in the election.
    #[error("contest {0} is not in the election")]
    UnknownContest(String),
}

/// The moment a report is made, as printed on every page (local time in the Netherlands).
/// Passed in by the caller, never read from the clock here, so that output is reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CreationTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl CreationTime {
    /// A creation time; each field is checked for its range (the day against 31 only).
    ///
    /// # Errors
    /// [`ReportError::Time`] naming the field out of range.
    pub fn new(
        year: u32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    ) -> Result<CreationTime, ReportError> {
        fn check(field: &'static str, value: u32, min: u32, max: u32) -> Result<u8, ReportError> {
            if (min..=max).contains(&value) {
                u8::try_from(value).map_err(|_| ReportError::Time { field, value })
            } else {
                Err(ReportError::Time { field, value })
            }
        }
        if !(1000..=9999).contains(&year) {
            return Err(ReportError::Time {
                field: "year",
                value: year,
            });
        }
        Ok(CreationTime {
            year: u16::try_from(year).map_err(|_| ReportError::Time {
                field: "year",
                value: year,
            })?,
            month: check("month", month, 1, 12)?,
            day: check("day", day, 1, 31)?,
            hour: check("hour", hour, 0, 23)?,
            minute: check("minute", minute, 0, 59)?,
            second: check("second", second, 0, 59)?,
        })
    }
}

impl fmt::Display for CreationTime {
    /// Dutch style: `16-03-2022 21:05:09`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}-{:02}-{:04} {:02}:{:02}:{:02}",
            self.day, self.month, self.year, self.hour, self.minute, self.second
        )
    }
}

/// What every page of a report carries besides the election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportMeta<'a> {
    /// The body's identifier: `0668`, `HSB6`, `CSB`.
    pub body_id: &'a str,
    /// The body's name as printed: "Gemeentelijk stembureau West Maas en Waal".
    pub body_name: &'a str,
    /// The SHA-256 of the EML file this report belongs to (printed as its hash code).
    pub eml_hash: Sha256Digest,
    /// The EML file's name, printed in the footer when given.
    pub eml_file_name: Option<&'a str>,
    /// When the report was made.
    pub created: CreationTime,
    /// Demo mode: every page is marked DEMO.
    pub demo: bool,
    /// The body's journal when the report was made (its records and chain head), printed on
    /// every page: the paper binds the whole session, and a rolled-back copy of the journal
    /// shows fewer records than the paper.
    pub journal: Option<JournalMark>,
}

/// A journal's record count and full chain head, as printed on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalMark {
    /// The number of records.
    pub records: u64,
    /// The chain head after the last record.
    pub head: Sha256Digest,
}
