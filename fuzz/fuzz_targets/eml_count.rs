//! Fuzz reading 510b/c/d count files through `core` (the own streaming reader, and eml-nl
//! for 510b/c as the reference reader), then the arithmetic checks and the writer on
//! whatever was read: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally_core::counts::check_arithmetic;
use tally_core::eml::count::{read_count, read_count_eml_nl, write_count};

fuzz_target!(|data: &[u8]| {
    for file in [read_count(data), read_count_eml_nl(data)].into_iter().flatten() {
        let _ = check_arithmetic(&file);
        let _ = write_count(&file);
    }
});
