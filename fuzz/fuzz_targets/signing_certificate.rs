//! Fuzz the certificate parser: any bytes are refused or parsed without panic; what is
//! parsed keeps its exact bytes; verification against a root never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally_signing::{Certificate, SecretKey};

fuzz_target!(|data: &[u8]| {
    if let Ok(cert) = Certificate::parse(data) {
        assert_eq!(cert.as_bytes(), data);
        let root = SecretKey::from_seed(&[0x11; 32]).public_key();
        let _ = cert.verify(&root);
        let _ = cert.fingerprint();
    }
});
