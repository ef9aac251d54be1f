//! The files a counting body signs and exports, the same way at every level.
//!
//! What this crate is for: when a body's count is complete, it exports one set of files,
//! signed together on a stick for the next level:
//! - a municipality (GSB, [`municipal`]): the 510b, its report (model Na 31-2) and the
//!   osv4-3 CSV of the 510b;
//! - a principal electoral committee (HSB, [`district`]): the 510c, its report and the CSV;
//! - a central electoral committee (CSB, [`central`]): the 510d, the 520 (seats and elected
//!   candidates), the report (model P 22-2) and, for a council, the CSV.
//!
//! Each report carries the hash code of the count file it belongs to, so the paper the
//! committee signs binds the file the next level imports. The EML is the core's
//! (`tally_core::municipal`, `eml::count`, `eml::result`), the PDF the report crate's, the
//! CSV the Electoral Council's `eml-nl` (through `tally_core::eml::csv`): this crate only
//! puts them together and names them, so that the terminal, the tests and the tools that
//! make the lower levels' files of a chain produce the same set.
//!
//! What it must not do: any I/O, read the clock (the caller passes the creation time),
//! sign (the caller signs the set with the body's key), or compute anything itself: every
//! figure comes from the core.

use std::collections::BTreeMap;
use tally_core::aggregate::outcome::{
    Computation, ComputedResult, Decisions, ListOutcome, OutcomeError, SeatRules,
    compute_result_with,
};
use tally_core::aggregate::{AggregateError, AggregationLevel};
use tally_core::apportionment::{CandidateElection, CandidateError};

use tally_core::corrigendum::{
    CorrigendumError, InvestigationReason, ReplacedFile, UnitInvestigation, corrigendum,
};
use tally_core::counts::{CountFile, CountLevel};
use tally_core::double_entry::{Action, DataEntry, Decision};
use tally_core::election::Election;
use tally_core::eml::count::{CountWriteError, count_file_name, write_count};
use tally_core::eml::csv::{CsvError, osv4_3_csv};
use tally_core::eml::definition::SourceFile;
use tally_core::eml::result::{
    ResultMeta, ResultWriteError, result_file_name, result_from_outcome, write_result,
};
use tally_core::entry::PollingStationEntry;
use tally_core::hashcode::Sha256Digest;
use tally_core::ids::{ContestId, ListNumber, MunicipalityCode, PollingStationNumber};
use tally_core::municipal::{
    MunicipalitySpec, TotalError, count_file, header_for, municipal_total, total_of, unit_id,
    write_510b,
};
use tally_report::{CentralReportInput, CountReportInput, ReportError, ReportMeta};
use tally_report::{
    ChangedFigure, Correction, SessionReportInput, comparison_figures, corrigendum_report,
    session_report,
};
pub use tally_report::{CreationTime, JournalMark};
pub use tally_report::{DecisionLine, InvestigationLine, Present, Proceedings};

/// One file of an export: its name on the stick and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    /// The file name (`Telling_...eml.xml`, `Model_Na31-2_...pdf`, `osv4-3_...csv`).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl ExportFile {
    fn new(name: String, bytes: Vec<u8>) -> ExportFile {
        ExportFile { name, bytes }
    }
}

/// When the export is made: one reading of the caller's clock, as the EML's
/// `CreationDateTime` (`YYYY-MM-DDTHH:MM:SS`) and as the time printed on the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The moment, in seconds since 1970 (UTC).
    pub at: i64,
    /// The EML's creation time.
    pub eml: String,
    /// The report's creation time.
    pub report: CreationTime,
    /// The body's journal at that moment (records and chain head), printed on the report.
    pub journal: Option<JournalMark>,
}

/// Why an export cannot be made. Each names the part that failed; nothing is half made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// Not every body's count is in, or a correction waits.
    #[error("not every count is in")]
    Incomplete,
    /// The total of the counts cannot be made.
    #[error("the total cannot be made: {0}")]
    Aggregate(#[from] AggregateError),
    /// The municipal total cannot be made (a station not definitive, a sum that does not
    /// add up).
    #[error("the municipal total cannot be made: {0}")]
    Total(#[from] TotalError),
    /// The count's EML cannot be written.
    #[error("the count cannot be written: {0}")]
    Count(#[from] CountWriteError),
    /// The 520 cannot be built or written.
    #[error("the 520 cannot be written: {0}")]
    Result(#[from] ResultWriteError),
    /// The paper report cannot be made.
    #[error("the report cannot be made: {0}")]
    Report(#[from] ReportError),
    /// The osv4-3 CSV cannot be made.
    #[error("the osv4-3 CSV cannot be made: {0}")]
    Csv(#[from] CsvError),
    /// The seats or the elected candidates cannot be computed.
    #[error("the seats cannot be computed: {0}")]
    Outcome(#[from] OutcomeError),
    /// A drawing of lots (seats or candidates) is still to be held.
    #[error("a drawing of lots is still needed")]
    LotsNeeded,
    /// A list's candidates cannot be elected here.
    #[error("list {list}: {reason}")]
    Unsupported {
        /// The list.
        list: ListNumber,
        /// Why.
        reason: String,
    },
    /// The preference threshold does not fit the arithmetic.
    #[error("the preference threshold cannot be computed")]
    Threshold,
    /// The corrected 510b of a next session cannot be made.
    #[error("the corrigendum cannot be made: {0}")]
    Corrigendum(#[from] CorrigendumError),
}

/// A municipality (GSB): its election, its own names and its candidate lists.
#[derive(Debug, Clone, Copy)]
pub struct Municipality<'a> {
    /// The election, as loaded from the definition medium.
    pub election: &'a Election,
    /// The contest whose lists the municipality's ballot carries (its kieskring).
    pub contest: &'a ContestId,
    /// The stations, their names and eligible voters, and the lists' names.
    pub spec: &'a MunicipalitySpec,
    /// The municipality's name ("Juinen").
    pub name: &'a str,
    /// The 230b of the municipality's kieskring (for the CSV).
    pub lists: SourceFile<'a>,
    /// Demo mode: every file name starts with `DEMO_` and every page says DEMO.
    pub demo: bool,
}

/// The export of a municipality: the 510b of the definitive entries `data`, its report
/// (model Na 31-2) and the osv4-3 CSV, in that order. The report lists no proceedings
/// besides the numbers; [`municipal_with`] gives them.
///
/// # Errors
/// [`ExportError`] naming the part that failed.
pub fn municipal(
    m: &Municipality<'_>,
    data: &DataEntry,
    created: &Created,
) -> Result<Vec<ExportFile>, ExportError> {
    municipal_report_with(m, None, data, created)
}

/// [`municipal`], with the session's proceedings in the report: the coordinator's decisions
/// (taken from `data`'s history, filled in here), the members present, the objections and
/// the remarks of `proceedings`.
///
/// # Errors
/// [`ExportError`] naming the part that failed.
pub fn municipal_with(
    m: &Municipality<'_>,
    mut proceedings: Proceedings<'_>,
    data: &DataEntry,
    created: &Created,
) -> Result<Vec<ExportFile>, ExportError> {
    proceedings.decisions = decisions(data);
    municipal_report_with(m, Some(&proceedings), data, created)
}

/// The coordinator's decisions in `data`'s history, in the order they were taken, in the
/// report's words, with who and when (Dutch local time).
pub fn decisions(data: &DataEntry) -> Vec<DecisionLine> {
    let mut out: Vec<(i64, DecisionLine)> = Vec::new();
    for (number, station) in data.stations() {
        for h in &station.history {
            let Action::Decide { decision } = &h.action else {
                continue;
            };
            let what = match decision {
                Decision::KeepFirst => "eerste invoer bewaard".to_owned(),
                Decision::KeepSecond => "tweede invoer bewaard".to_owned(),
                Decision::DiscardBoth => "beide invoeren weggegooid".to_owned(),
                Decision::SendBack => "teruggestuurd naar de invoerder".to_owned(),
                Decision::DiscardFirst => "eerste invoer weggegooid".to_owned(),
                Decision::Reopen => "heropend: uitslag gewijzigd na onderzoek".to_owned(),
                Decision::AcknowledgeWarnings => {
                    let codes = warning_codes(data, station);
                    if codes.is_empty() {
                        "waarschuwingen geaccepteerd".to_owned()
                    } else {
                        format!("waarschuwingen geaccepteerd ({codes})")
                    }
                }
                Decision::ReturnFields { slot, fields } => format!(
                    "velden {} teruggestuurd naar de {} invoerder",
                    fields
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    match slot {
                        tally_core::double_entry::EntrySlot::First => "eerste",
                        tally_core::double_entry::EntrySlot::Second => "tweede",
                    }
                ),
            };
            out.push((
                h.at.0,
                DecisionLine {
                    station: number.0,
                    what,
                    by: h.user.0.clone(),
                    at: local_time(h.at.0),
                },
            ));
        }
    }
    out.sort_by_key(|(at, d)| (*at, d.station));
    out.into_iter().map(|(_, d)| d).collect()
}

/// The warnings of a station's definitive result (what an acknowledgement accepted).
fn warning_codes(data: &DataEntry, station: &tally_core::double_entry::StationEntry) -> String {
    let tally_core::double_entry::StationStatus::Definitive { result, .. } = &station.status else {
        return String::new();
    };
    tally_core::entry::check(&result.entry, data.shape())
        .iter()
        .filter(|c| c.severity() == tally_core::entry::Severity::Warning)
        .map(|c| c.code.as_str().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `dd-mm-jjjj uu:mm` in Dutch local time of a moment in milliseconds since 1970.
fn local_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            AMSTERDAM
                .to_datetime(t)
                .strftime("%d-%m-%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Dutch local time (CET or CEST as the date says), compiled in: the appliance has no tz
/// database.
pub static AMSTERDAM: jiff::tz::TimeZone = jiff::tz::get!("Europe/Amsterdam");

/// What a next session adds to a municipality's export (`docs/next-session.md`).
#[derive(Debug, Clone)]
pub struct NextSession<'a> {
    /// The first session's result of every station corrected since: the previous values.
    pub first: &'a BTreeMap<u32, PollingStationEntry>,
    /// Every station investigated since the first session, with why (each station once;
    /// whether its result changed is read off the two counts).
    pub investigations: &'a [(u32, InvestigationReason)],
    /// The session's papers (P 2a, Na 14-2): number, investigations, attendance,
    /// objections, remarks; the corrections and the meta are filled in here.
    pub session: u32,
    /// The investigations as the papers list them.
    pub lines: &'a [InvestigationLine<'a>],
    /// The SHA-256 of the signed 510b the corrigendum replaces: the last one exported.
    pub replaces: Sha256Digest,
}

/// The export of a next session: the corrected 510b as a corrigendum (EML_NL 1.3.1: phase
/// "corrigendum", the investigations, the first session's value of every changed number),
/// its report (Na 31-2 with the session's proceedings), the report of the session (P 2a),
/// the corrigendum's paper (Na 14-2), per corrected station its Na 14-1 version 2, and the
/// CSV, in that order.
///
/// # Errors
/// [`ExportError`] naming the part that failed; a corrigendum the core refuses (a changed
/// station without an investigation, ...).
pub fn municipal_corrigendum(
    m: &Municipality<'_>,
    mut proceedings: Proceedings<'_>,
    next: &NextSession<'_>,
    data: &DataEntry,
    created: &Created,
) -> Result<Vec<ExportFile>, ExportError> {
    proceedings.decisions = decisions(data);
    let total = municipal_total(data, m.spec)?;
    let code: &MunicipalityCode = &m.spec.code;
    let header = header_for(m.election, m.contest, code, m.name, &created.eml);
    // The first session's count: each station's result of then where it was corrected since.
    let results: Vec<&PollingStationEntry> = m
        .spec
        .stations
        .iter()
        .filter_map(|info| {
            next.first
                .get(&info.number.0)
                .or_else(|| current_result(data, info.number))
        })
        .collect();
    let first = count_file(total_of(m.spec, &results)?, header.clone())?;
    let corrected = count_file(total, header)?;
    let unit_of = |n: u32| unit_id(code, PollingStationNumber(n));
    let investigations: Vec<UnitInvestigation> = next
        .investigations
        .iter()
        .map(|(n, reason)| {
            let unit = unit_of(*n);
            let counts = |f: &CountFile| {
                f.units
                    .iter()
                    .find(|u| u.id == unit)
                    .map(|u| u.counts.clone())
            };
            // "uitslag gecorrigeerd": whether its numbers differ from the first session's.
            let changed = counts(&first) != counts(&corrected);
            UnitInvestigation {
                reasons: vec![
                    (*reason, true),
                    (InvestigationReason::ResultCorrected, changed),
                ],
                unit,
            }
        })
        .collect();
    let file = corrigendum(&first, &corrected, &investigations)?;
    let (name, eml) = write_510b(&file)?;
    let name = demo_name(m.demo, name);
    let body_name = format!("Gemeentelijk stembureau {}", m.name);
    let meta = municipal_meta(m, &body_name, &eml, &name, created);
    // Na 14-2: per corrected station every figure that differs from the first session's.
    let station_name = |n: u32| {
        m.spec
            .stations
            .iter()
            .find(|s| s.number.0 == n)
            .map_or("", |s| s.name.as_str())
    };
    let mut corrections = Vec::new();
    for n in next.first.keys() {
        let figures = |f: &CountFile| -> Result<Vec<tally_report::FigureRow>, ExportError> {
            let unit = f.units.iter().find(|u| u.id == unit_of(*n));
            Ok(match unit {
                Some(u) => comparison_figures(m.election, m.contest, &u.counts)?.rows(),
                None => Vec::new(),
            })
        };
        let (was, now) = (figures(&first)?, figures(&corrected)?);
        let changed = now
            .iter()
            .filter_map(|row| {
                let before = was.iter().find(|w| w.code == row.code)?;
                (before.value != row.value).then(|| ChangedFigure {
                    code: row.code.clone(),
                    label: row.label.clone(),
                    previous: before.value.clone(),
                    new: row.value.clone(),
                })
            })
            .collect();
        corrections.push(Correction {
            station: *n,
            station_name: station_name(*n),
            changed,
        });
    }
    let papers = SessionReportInput {
        session: next.session,
        investigations: next.lines,
        present: proceedings.present,
        objections: proceedings.objections,
        remarks: proceedings.remarks,
        corrections: &corrections,
        replaces: Some(next.replaces),
        meta: meta.clone(),
    };
    let p2a = session_report(m.election, &papers)?;
    let na14_2 = corrigendum_report(m.election, &papers)?;
    // Named as the Na 31-2 is: `Model_P2a_..._zitting2.pdf`, `Model_Na14-2_..._zitting2.pdf`.
    let na31 = report_file_name(&name);
    let paper_name = |model: &str| {
        na31.replacen("Na31-2", model, 1)
            .replace(".pdf", &format!("_zitting{}.pdf", next.session))
    };
    let (p2a_name, na14_name) = (paper_name("P2a"), paper_name("Na14-2"));
    // Na 14-1 version 2: the whole corrected result of each station corrected since.
    let mut versions = Vec::new();
    for n in next.first.keys() {
        let Some(unit) = file.units.iter().find(|u| u.id == unit_of(*n)) else {
            continue;
        };
        let pdf = tally_report::station_report_v2(
            m.election,
            &CountReportInput {
                contest: m.contest,
                total: &unit.counts,
                units: &[],
                meta: meta.clone(),
                proceedings: None,
            },
            &unit.name,
        )?;
        versions.push(ExportFile::new(paper_name(&format!("Na14-1v2_SB{n}")), pdf));
    }
    // The file it replaces, named in the signed set (EML_NL has no place for it).
    let replaces_name = ReplacedFile::file_name(&name);
    let replaces = ReplacedFile {
        corrigendum: name.clone(),
        session: next.session,
        replaces: next.replaces,
    }
    .to_text();
    let mut files = municipal_files(m, Some(&proceedings), &file, (&name, &eml), meta)?;
    files.push(ExportFile::new(replaces_name, replaces.into_bytes()));
    files.insert(2, ExportFile::new(p2a_name, p2a));
    files.insert(3, ExportFile::new(na14_name, na14_2));
    for (i, v) in versions.into_iter().enumerate() {
        files.insert(4 + i, v);
    }
    Ok(files)
}

fn municipal_report_with(
    m: &Municipality<'_>,
    proceedings: Option<&Proceedings<'_>>,
    data: &DataEntry,
    created: &Created,
) -> Result<Vec<ExportFile>, ExportError> {
    let total = municipal_total(data, m.spec)?;
    let code: &MunicipalityCode = &m.spec.code;
    let header = header_for(m.election, m.contest, code, m.name, &created.eml);
    let file = count_file(total, header)?;
    let (name, eml) = write_510b(&file)?;
    let name = demo_name(m.demo, name);
    let body_name = format!("Gemeentelijk stembureau {}", m.name);
    let meta = municipal_meta(m, &body_name, &eml, &name, created);
    municipal_files(m, proceedings, &file, (&name, &eml), meta)
}

/// What every page of a municipality's papers carries: the body, the hash code of the 510b
/// `eml` named `name`, the moment and the journal.
fn municipal_meta<'a>(
    m: &Municipality<'a>,
    body_name: &'a str,
    eml: &[u8],
    name: &'a str,
    created: &Created,
) -> ReportMeta<'a> {
    ReportMeta {
        body_id: &m.spec.code.0,
        body_name,
        eml_hash: Sha256Digest::of(eml),
        eml_file_name: Some(name),
        created: created.report,
        demo: m.demo,
        journal: created.journal.clone(),
    }
}

/// The definitive result of `station` in `data`, if it is definitive.
fn current_result(data: &DataEntry, station: PollingStationNumber) -> Option<&PollingStationEntry> {
    match &data.station(station)?.status {
        tally_core::double_entry::StationStatus::Definitive { result, .. } => Some(&result.entry),
        _ => None,
    }
}

/// The 510b `eml` of `file` named `name`, its report (Na 31-2) and its CSV.
fn municipal_files(
    m: &Municipality<'_>,
    proceedings: Option<&Proceedings<'_>>,
    file: &CountFile,
    (name, eml): (&str, &[u8]),
    meta: ReportMeta<'_>,
) -> Result<Vec<ExportFile>, ExportError> {
    let pdf = tally_report::municipal_report(
        m.election,
        &CountReportInput {
            contest: m.contest,
            total: &file.total,
            units: &file.units,
            meta,
            proceedings,
        },
    )?;
    let csv = osv4_3_csv(&SourceFile::new(name, eml), &[m.lists])?;
    let csv_name = demo_name(m.demo, csv.file_name);
    let pdf_name = report_file_name(name);
    Ok(vec![
        ExportFile::new(name.to_owned(), eml.to_vec()),
        ExportFile::new(pdf_name, pdf),
        ExportFile::new(csv_name, csv.bytes),
    ])
}

/// The municipal report's file name next to the 510b `eml_name`: `Model_Na31-2_` and the
/// 510b's name without its `Telling_` prefix and `.eml.xml`
/// (`Telling_GR2025_Juinen_gemeente_Juinen.eml.xml` ->
/// `Model_Na31-2_GR2025_Juinen_gemeente_Juinen.pdf`; a `DEMO_` prefix stays in front). Not
/// `Telling_...`: that is the Kiesraad's name for count files, and a reader looking for the
/// count by that prefix must not find the PDF.
pub fn report_file_name(eml_name: &str) -> String {
    let (demo, rest) = match eml_name.strip_prefix("DEMO_") {
        Some(rest) => ("DEMO_", rest),
        None => ("", eml_name),
    };
    let stem = rest.trim_end_matches(".eml.xml");
    let stem = stem.strip_prefix("Telling_").unwrap_or(stem);
    format!("{demo}Model_Na31-2_{stem}.pdf")
}

/// A principal or central electoral committee: its election, level and names, and the
/// candidate lists it was given.
#[derive(Debug, Clone, Copy)]
pub struct Body<'a> {
    /// The election.
    pub election: &'a Election,
    /// The level: an HSB's kieskring, the CSB of a council, or the CSB of kieskringen.
    pub level: AggregationLevel,
    /// The body's identifier (`HSB1`, `CSB`).
    pub id: &'a str,
    /// The body's name as printed ("Hoofdstembureau Groningen").
    pub name: &'a str,
    /// The contest whose candidate lists name the candidates in the report and the 520.
    pub contest: &'a ContestId,
    /// The 230b files (for the CSV).
    pub lists: &'a [SourceFile<'a>],
    /// Demo mode: every file name starts with `DEMO_` and every page says DEMO.
    pub demo: bool,
}

impl Body<'_> {
    fn count_name(&self) -> String {
        let name = match self.level {
            AggregationLevel::District { kieskring } => {
                let name = self
                    .election
                    .kieskringen()
                    .find(|k| k.key.number == Some(kieskring))
                    .map(|k| k.name.clone())
                    .unwrap_or_else(|| kieskring.to_string());
                count_file_name(CountLevel::District, &self.election.id.0, &name)
            }
            _ => count_file_name(CountLevel::Total, &self.election.id.0, ""),
        };
        demo_name(self.demo, name)
    }

    fn meta<'b>(&'b self, eml: &[u8], eml_name: &'b str, created: &Created) -> ReportMeta<'b> {
        ReportMeta {
            body_id: self.id,
            body_name: self.name,
            eml_hash: Sha256Digest::of(eml),
            eml_file_name: Some(eml_name),
            created: created.report,
            demo: self.demo,
            journal: created.journal.clone(),
        }
    }

    /// The osv4-3 CSV of the count `eml`. None for the Tweede Kamer's national 510d: its
    /// candidates carry only a short code, which eml-nl 0.7 cannot name (docs/csv.md).
    fn csv(&self, eml_name: &str, eml: &[u8]) -> Result<Option<ExportFile>, ExportError> {
        if self.level == AggregationLevel::Central {
            return Ok(None);
        }
        let csv = osv4_3_csv(&SourceFile::new(eml_name, eml), self.lists)?;
        Ok(Some(ExportFile::new(
            demo_name(self.demo, csv.file_name),
            csv.bytes,
        )))
    }
}

/// `name`, with `DEMO_` in front in demo mode.
fn demo_name(demo: bool, name: String) -> String {
    if demo { format!("DEMO_{name}") } else { name }
}

fn pdf_name(eml_name: &str) -> String {
    format!("{}.pdf", eml_name.trim_end_matches(".eml.xml"))
}

/// The export of an HSB: the 510c of `total`, its report and the CSV, in that order.
///
/// # Errors
/// [`ExportError`] naming the part that failed.
pub fn district(
    body: &Body<'_>,
    total: &CountFile,
    created: &Created,
) -> Result<Vec<ExportFile>, ExportError> {
    let eml = write_count(total)?;
    let eml_name = body.count_name();
    let pdf = tally_report::district_report(
        body.election,
        &CountReportInput {
            contest: body.contest,
            total: &total.total,
            units: &total.units,
            meta: body.meta(&eml, &eml_name, created),
            proceedings: None,
        },
    )?;
    let csv = body.csv(&eml_name, &eml)?;
    let pdf_name = pdf_name(&eml_name);
    let mut files = vec![
        ExportFile::new(eml_name, eml),
        ExportFile::new(pdf_name, pdf),
    ];
    files.extend(csv);
    Ok(files)
}

/// The export of a CSB: the 510d of `total`, the 520 (the seats and the elected candidates
/// the core computes with the committee's `decisions`: the drawings of lots held, deceased
/// candidates; lists that differ between kieskringen elected across them), the report
/// (model P 22-2) and, for a council, the CSV, in that order.
///
/// # Errors
/// [`ExportError::LotsNeeded`] while a drawing of lots is missing; otherwise the part that
/// failed.
pub fn central(
    body: &Body<'_>,
    total: &CountFile,
    decisions: &Decisions,
    created: &Created,
) -> Result<Vec<ExportFile>, ExportError> {
    central_with(body, total, decisions, &[], created)
}

/// [`central`], with the committee's requests for investigation in its report: municipality,
/// station, reason (EML_NL code), what to investigate.
///
/// # Errors
/// As [`central`].
pub fn central_with(
    body: &Body<'_>,
    total: &CountFile,
    decisions: &Decisions,
    requests: &[(&str, u32, &str, &str)],
    created: &Created,
) -> Result<Vec<ExportFile>, ExportError> {
    let election = body.election;
    let eml = write_count(total)?;
    let eml_name = body.count_name();
    let outcome = compute_result_with(SeatRules::of(election), total, decisions, Some(election))?;
    let Computation::Complete(ComputedResult {
        seats, candidates, ..
    }) = &outcome
    else {
        return Err(ExportError::LotsNeeded);
    };
    let mut elected = Vec::new();
    for c in candidates {
        match c {
            ListOutcome::Elected(l) => elected.push(l.clone()),
            ListOutcome::LotsNeeded { .. }
            | ListOutcome::Refused {
                error: CandidateError::GroupLotsNeeded(_),
                ..
            } => return Err(ExportError::LotsNeeded),
            ListOutcome::Unsupported { list, reason } => {
                return Err(ExportError::Unsupported {
                    list: *list,
                    reason: reason.clone(),
                });
            }
            ListOutcome::Refused { list, error } => {
                return Err(ExportError::Unsupported {
                    list: *list,
                    reason: error.to_string(),
                });
            }
        }
    }
    let (authority_id, authority_name, contest_id) = match body.level {
        AggregationLevel::MunicipalCentral => {
            let (code, name) = election
                .domain_municipality()
                .map(|(c, n)| (c.0, n.to_owned()))
                .unwrap_or_else(|| (body.id.to_owned(), body.name.to_owned()));
            (code, Some(name), ContestId("geen".into()))
        }
        _ => (
            "CSB".to_owned(),
            Some(body.name.to_owned()),
            ContestId("alle".into()),
        ),
    };
    let result = result_from_outcome(
        election,
        body.contest,
        seats,
        &elected,
        &ResultMeta {
            transaction_id: 1,
            authority_id,
            authority_name,
            creation_date_time: created.eml.clone(),
            contest_id,
        },
    )?;
    let r520 = write_result(&result)?;
    let threshold_percent = election.preference_threshold;
    let candidate_election = CandidateElection {
        threshold_percent,
        threshold: seats
            .quota
            .scaled(u64::from(threshold_percent), 100)
            .ok_or(ExportError::Threshold)?,
        lists: elected,
        lots: Vec::new(),
    };
    let pdf = tally_report::central_report(
        election,
        &CentralReportInput {
            contest: body.contest,
            total: &total.total,
            seats,
            candidates: &candidate_election,
            deceased: &decisions.deceased,
            requests,
            meta: body.meta(&eml, &eml_name, created),
        },
    )?;
    let csv = body.csv(&eml_name, &eml)?;
    let pdf_name = pdf_name(&eml_name);
    let mut files = vec![
        ExportFile::new(eml_name, eml),
        ExportFile::new(demo_name(body.demo, result_file_name(&election.id)), r520),
        ExportFile::new(pdf_name, pdf),
    ];
    files.extend(csv);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_is_named_after_its_510b_without_the_count_prefix() {
        assert_eq!(
            report_file_name("Telling_GR2025_Juinen_gemeente_Juinen.eml.xml"),
            "Model_Na31-2_GR2025_Juinen_gemeente_Juinen.pdf"
        );
        assert_eq!(
            report_file_name("DEMO_Telling_GR2025_Juinen_gemeente_Juinen.eml.xml"),
            "DEMO_Model_Na31-2_GR2025_Juinen_gemeente_Juinen.pdf"
        );
    }
}
