//! The baseline of the binary-size measurement in `docs/report-pdf.md`: reads a 510b and its
//! 230b like `make_report`, and prints the total instead of making a report.
//!
//! Usage: `read_count_only <510b> <230b>`

use tally_core::eml::count::read_count;
use tally_core::eml::definition::{SourceFile, load_candidate_lists};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, count, lists, ..] = args.as_slice() else {
        return Err("usage: read_count_only <510b> <230b>".into());
    };
    let file = read_count(&std::fs::read(count)?)?;
    let lists_bytes = std::fs::read(lists)?;
    let cl = load_candidate_lists(&SourceFile::new(lists, &lists_bytes))?;
    println!(
        "{}: {} units, {} votes, {} contests",
        file.header.authority_id,
        file.units.len(),
        file.total.total_counted,
        cl.contests.len()
    );
    Ok(())
}
