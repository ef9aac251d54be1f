//! Makes the municipal report (model Na 31-2) of a 510b with its 230b, as the appliance would,
//! and writes it to a file. Also the "with report" half of the binary-size measurement in
//! `docs/report-pdf.md` (its twin `read_count_only` reads the same file without a report).
//!
//! Usage: `make_report <510b> <230b> <seats> <out.pdf> [demo]`

use tally_core::election::{Election, ElectionDate, ElectionSubcategory};
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_candidate_lists};
use tally_core::hashcode::Sha256Digest;
use tally_report::{CountReportInput, CreationTime, ReportMeta, municipal_report};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, count, lists, seats, out, rest @ ..] = args.as_slice() else {
        return Err("usage: make_report <510b> <230b> <seats> <out.pdf> [demo]".into());
    };
    let seats: u32 = seats.parse()?;
    let eml = std::fs::read(count)?;
    let file = read_count(&eml)?;
    let lists_bytes = std::fs::read(lists)?;
    let cl = load_candidate_lists(&SourceFile::new(lists, &lists_bytes))?;
    let election = Election {
        id: cl.election.id.clone(),
        name: cl.election.name.clone().unwrap_or_default(),
        category: cl.election.category,
        subcategory: if seats < 19 {
            ElectionSubcategory::GR1
        } else {
            ElectionSubcategory::GR2
        },
        date: cl.election.date,
        nomination_date: ElectionDate {
            year: cl.election.date.year,
            month: 1,
            day: 31,
        },
        domain: cl.election.domain.clone(),
        number_of_seats: seats,
        preference_threshold: if seats < 19 { 50 } else { 25 },
        regions: Vec::new(),
        contests: cl.contests,
        polling_stations: None,
        sources: vec![cl.source],
        parse_warnings: Vec::new(),
        eml_version: Default::default(),
    };
    let body = format!(
        "Gemeentelijk stembureau {}",
        file.header.authority_name.clone().unwrap_or_default()
    );
    let input = CountReportInput {
        contest: &file.header.contest_id,
        total: &file.total,
        units: &file.units,
        meta: ReportMeta {
            body_id: &file.header.authority_id,
            body_name: &body,
            eml_hash: Sha256Digest::of(&eml),
            eml_file_name: count.rsplit('/').next(),
            created: CreationTime::new(2022, 3, 17, 14, 5, 9)?,
            demo: rest.first().is_some_and(|d| d == "demo"),
            journal: None,
        },
        proceedings: None,
    };
    let pdf = municipal_report(&election, &input)?;
    std::fs::write(out, &pdf)?;
    println!("{out}: {} bytes", pdf.len());
    Ok(())
}
