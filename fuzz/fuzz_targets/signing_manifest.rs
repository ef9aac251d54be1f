//! Fuzz the manifest parser (and the certificate parser inside it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally_signing::{Limits, Manifest};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Manifest::parse(data, &Limits::DEFAULT) {
        assert_eq!(m.as_bytes(), data);
        assert!(!m.files.is_empty());
    }
});
