//! Fuzz the journal reader, the event decoder and the replay of data-entry events
//! (`tally_core::journal::fuzz::journal` says what the input means and what is checked).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tally_core::journal::fuzz::journal(data);
});
