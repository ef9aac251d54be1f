//! Known-answer tests: fixed keys (RFC 8032 test seeds), fixed fields, fixed files. The
//! exact bytes and signatures are frozen here so that any change of the format fails.
//! Each signature is also checked with ed25519-dalek directly over the documented
//! domain prefix and bytes, independently of this crate's verifier.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use ed25519_dalek::Verifier;
use tally_signing::*;

/// RFC 8032 section 7.1, TEST 1.
const RFC_SEED_1: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC_PUBLIC_1: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
/// RFC 8032 section 7.1, TEST 2.
const RFC_SEED_2: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
const RFC_PUBLIC_2: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";

fn seed(h: &str) -> [u8; 32] {
    let v: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    v.try_into().unwrap()
}

fn independent_verify(public: &str, domain: &[u8], bytes: &[u8], sig_hex: &str) {
    let pk = ed25519_dalek::VerifyingKey::from_bytes(&seed(public)).unwrap();
    let sig: Vec<u8> = (0..64)
        .map(|i| u8::from_str_radix(&sig_hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let sig = ed25519_dalek::Signature::from_slice(&sig).unwrap();
    let mut msg = domain.to_vec();
    msg.extend_from_slice(bytes);
    pk.verify(&msg, &sig).unwrap();
}

fn kat_root() -> SecretKey {
    SecretKey::from_seed(&seed(RFC_SEED_1))
}

fn kat_body() -> SecretKey {
    SecretKey::from_seed(&seed(RFC_SEED_2))
}

fn kat_cert() -> Certificate {
    Certificate::issue(
        &kat_root(),
        CertificateFields {
            role: Role::Gsb,
            identifier: "0042".into(),
            name: "Gemeente Juinen".into(),
            election: "GR2025_Juinen".into(),
            valid_from: t("2025-07-01T00:00:00Z"),
            valid_until: t("2025-12-31T23:59:59Z"),
            public_key: kat_body().public_key(),
        },
    )
    .unwrap()
}

const ROOT_FINGERPRINT: &str =
    "21fe 31df a154 a261 626b f854 046f d227 1b7b ed4b 6abe 45aa 5887 7ef4 7f97 21b9";

const CERT_TBS: &str = "tally-certificate v1
role: GSB
identifier: 0042
name: Gemeente Juinen
election: GR2025_Juinen
valid-from: 2025-07-01T00:00:00Z
valid-until: 2025-12-31T23:59:59Z
public-key: 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c
issuer: @ISSUER@
";
const CERT_SIGNATURE: &str = "ed120073567e4b6ed529c52db33f6b05e2d11c6812e370cf22c82b69fb5eb00e04f4e56881991d926c2bf7c70541bc4d4a5a20bbe0ac739c0148b4a0a1891308";

#[test]
fn keys_are_the_rfc_8032_keys() {
    assert_eq!(kat_root().public_key().to_hex(), RFC_PUBLIC_1);
    assert_eq!(kat_body().public_key().to_hex(), RFC_PUBLIC_2);
    // The fingerprint is SHA-256 of the 32 key bytes, computed with
    // `echo d75a98...511a | xxd -r -p | sha256sum`.
    assert_eq!(
        kat_root().public_key().fingerprint().to_string(),
        ROOT_FINGERPRINT
    );
}

#[test]
fn certificate_bytes_and_signature() {
    let cert = kat_cert();
    let issuer = ROOT_FINGERPRINT.replace(' ', "");
    let tbs = CERT_TBS.replace("@ISSUER@", &issuer);
    let expected = format!("{tbs}signature: {CERT_SIGNATURE}\n");
    assert_eq!(
        String::from_utf8(cert.as_bytes().to_vec()).unwrap(),
        expected
    );
    independent_verify(
        RFC_PUBLIC_1,
        b"tally-appliance v1 certificate\0",
        tbs.as_bytes(),
        CERT_SIGNATURE,
    );
    // Parsing the frozen bytes gives the same certificate.
    assert_eq!(Certificate::parse(expected.as_bytes()).unwrap(), cert);
}

const MANIFEST_SIGNATURE: &str = "efe41d6add298896b046f3b7deba03c8df946253f7a9b651be2401af6168f93a8c9cdb270da5a008b5e87500f88d35e2ab1ba12a411f2ecf67240c3beb86aa09";

#[test]
fn manifest_bytes_and_signature() {
    let files: Vec<MediumFile> = juinen_files().into_iter().take(2).collect();
    let medium = sign_medium(
        ContentKind::Results510b,
        "GR2025_Juinen",
        files,
        &kat_body(),
        &kat_cert(),
        t("2025-08-29T21:15:00Z"),
    )
    .unwrap();
    // The file hashes are the Kiesraad's published hash codes (Hashcodes-Juinen.txt).
    let expected = format!(
        "tally-manifest v1
kind: results-510b
election: GR2025_Juinen
created: 2025-08-29T21:15:00Z
certificate: {}
file: fae212ff03ce27d045e215eea0c17e0e316e331f264150a3feef2ac361db2528 2386 eml110a_verkiezingsdefinitie-juinen.eml.xml
file: dbc0cdb708f31ca317f9802d661049b0609c0b8e154c85bac7adb2162875e778 61510 eml230b_kandidatenlijsten-juinen.eml.xml
",
        hex(kat_cert().as_bytes())
    );
    assert_eq!(
        String::from_utf8(medium.manifest.clone()).unwrap(),
        expected
    );
    assert_eq!(
        String::from_utf8(medium.signature.clone()).unwrap(),
        format!("{MANIFEST_SIGNATURE}\n")
    );
    independent_verify(
        RFC_PUBLIC_2,
        b"tally-appliance v1 manifest\0",
        expected.as_bytes(),
        MANIFEST_SIGNATURE,
    );
}

/// The RFC 8032 TEST 2 seed encrypted under "correct horse battery staple" with the floor
/// parameters (64 MiB, 3 passes; the cheaper 64 KiB / 1 pass vector this replaced no longer
/// opens). Checked independently: OpenSSL's Argon2id (Python `cryptography` 48) and
/// HChaCha20 + ChaCha20-Poly1305 with the header as associated data give back the seed.
const KEY_FILE: &str = "tally-secret-key v1
public-key: 3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c
kdf: argon2id
kdf-memory-kib: 65536
kdf-iterations: 3
kdf-parallelism: 1
salt: a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5
nonce: 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a
ciphertext: e010d7a56f7df0b8699bc1b2e44507330abb3092889deef79529e6d1fb23243e8794631dd5d0e2aa9cb7bb27b616779c
";

#[test]
fn secret_key_file_bytes() {
    let file = keys::encrypt_secret_key_with(
        &kat_body(),
        b"correct horse battery staple",
        KdfParams::FLOOR,
        &[0xa5; 16],
        &[0x5a; 24],
    )
    .unwrap();
    assert_eq!(String::from_utf8(file.clone()).unwrap(), KEY_FILE);
    let key = decrypt_secret_key(KEY_FILE.as_bytes(), b"correct horse battery staple").unwrap();
    assert_eq!(key.public_key().to_hex(), RFC_PUBLIC_2);
}

#[test]
fn public_key_file_bytes() {
    assert_eq!(
        String::from_utf8(kat_root().public_key().to_file_bytes()).unwrap(),
        format!("tally-public-key v1\npublic-key: {RFC_PUBLIC_1}\n")
    );
}
