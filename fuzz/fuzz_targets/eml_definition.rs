//! Fuzz loading EML definitions through `core`: arbitrary bytes given as a 110a, a 230b and
//! a 110b, alone and together. Every outcome must be a value or an error, never a panic,
//! a hang or an unbounded allocation (the input guards cap every file at 64 MiB).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally_core::eml::definition::{
    SourceFile, load_candidate_lists, load_definition, load_election, load_polling_stations,
};

/// The real Juinen candidate lists, so that a mutated 110a also meets a valid 230b.
const JUINEN_230B: &[u8] =
    include_bytes!("../../../shared/eml/synthetic/eml230b_kandidatenlijsten-juinen.eml.xml");

fuzz_target!(|data: &[u8]| {
    let file = SourceFile::new("fuzz.eml.xml", data);
    let _ = load_definition(&file);
    let _ = load_candidate_lists(&file);
    let _ = load_polling_stations(&file);
    let lists = [SourceFile::new("juinen-230b.eml.xml", JUINEN_230B)];
    let _ = load_election(&file, &lists, Some(&file));
});
