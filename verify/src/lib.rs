//! `tally-verify`: an independent check of the published files of one election.
//!
//! What this crate is for: given a folder with the files of one election (the definition,
//! the counts of every level, the result; signed media or the plain EML files the Kiesraad
//! publishes today), recompute every total from the level below, recompute the seats and
//! the elected candidates, verify the signatures when a root key is given, and report every
//! discrepancy precisely. Also: print the apportionment for a definition and a count, and
//! write the osv4-3 CSV of a count (`tally-verify csv`, by `tally_core::eml::csv`).
//!
//! What it must not do: change or write any file (the one file it writes is the CSV of
//! `tally-verify csv --out FILE`, which must not exist yet); trust a signed file's bytes before the
//! signing crate verified them; guess where the law or the files leave something open (it
//! says what it could not check). It never panics on input.

pub mod apportion;
pub mod check;

pub use apportion::{ApportionError, Lots, Worked, apportion_report, apportion_report_kept};
pub use check::{CheckOptions, Finding, Outcome, Report, Severity, check_folder};
