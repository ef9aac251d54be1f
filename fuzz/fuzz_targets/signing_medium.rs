//! Fuzz the medium verifier. The first input byte picks a mode:
//! - even: the rest is split at `\n--8<--\n` into the manifest, the signature and payload
//!   files named `a.xml`, `b.xml`, ... (raw media; any bytes);
//! - odd: the rest is a list of edits `(part, position u16, xor byte)` applied to a valid
//!   medium signed with fixed keys, so the checks past the signatures are reached too.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tally_signing::*;

const NAMES: [&str; 4] = ["a.xml", "b.xml", "c.xml", "d.xml"];

fn valid() -> &'static MemorySource {
    static VALID: OnceLock<MemorySource> = OnceLock::new();
    VALID.get_or_init(|| {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        let root = SecretKey::from_seed(&[0x11; 32]);
        let body = SecretKey::from_seed(&[0x44; 32]);
        let cert = Certificate::issue(
            &root,
            CertificateFields {
                role: Role::Gsb,
                identifier: "0042".into(),
                name: "Gemeente Juinen".into(),
                election: "GR2025_Juinen".into(),
                valid_from: t("2025-07-01T00:00:00Z"),
                valid_until: t("2025-12-31T23:59:59Z"),
                public_key: body.public_key(),
            },
        )
        .unwrap();
        let files = vec![
            MediumFile {
                name: "a.xml".into(),
                bytes: b"<EML Id=\"510b\"/>\n".to_vec(),
            },
            MediumFile {
                name: "b.xml".into(),
                bytes: vec![0x42; 300],
            },
        ];
        sign_medium(
            ContentKind::Results510b,
            "GR2025_Juinen",
            files,
            &body,
            &cert,
            t("2025-08-29T21:00:00Z"),
        )
        .unwrap()
        .to_source()
    })
}

fn root() -> &'static PublicKey {
    static ROOT: OnceLock<PublicKey> = OnceLock::new();
    ROOT.get_or_init(|| SecretKey::from_seed(&[0x11; 32]).public_key())
}

fn check(src: &MemorySource) {
    let root = root();
    let mut opts = VerifyOptions::new(root, Timestamp::parse("2025-08-30T00:00:00Z").unwrap());
    opts.expected_election = Some("GR2025_Juinen");
    if let Ok(v) = verify_medium(src, &opts) {
        // Whatever passes hands over exactly the listed bytes, hashed.
        for f in &v.files {
            assert_eq!(src.files.get(&f.name), Some(&f.bytes));
            assert_eq!(sha256(&f.bytes), f.sha256);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let mut parts = Vec::new();
        let mut rest = rest;
        let sep = b"\n--8<--\n";
        while let Some(i) = rest.windows(sep.len()).position(|w| w == sep) {
            parts.push(&rest[..i]);
            rest = &rest[i + sep.len()..];
        }
        parts.push(rest);
        let mut src = MemorySource::default();
        let mut it = parts.into_iter();
        if let Some(m) = it.next() {
            src.files.insert(MANIFEST_FILE.into(), m.to_vec());
        }
        if let Some(s) = it.next() {
            src.files.insert(SIGNATURE_FILE.into(), s.to_vec());
        }
        for (name, bytes) in NAMES.iter().zip(it) {
            src.files.insert((*name).into(), bytes.to_vec());
        }
        check(&src);
    } else {
        let mut src = valid().clone();
        let keys: Vec<String> = src.files.keys().cloned().collect();
        for edit in rest.chunks_exact(4) {
            let part = &keys[usize::from(edit[0]) % keys.len()];
            let file = src.files.get_mut(part).unwrap();
            let pos = usize::from(u16::from_le_bytes([edit[1], edit[2]]));
            match edit[3] {
                0 => file.truncate(pos),
                1 => file.push(edit[0]),
                x if !file.is_empty() => {
                    let i = pos % file.len();
                    file[i] ^= x;
                }
                _ => {}
            }
        }
        check(&src);
    }
});
