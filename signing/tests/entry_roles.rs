//! The entry appliance's role (`GSB-entry`) and the two kinds of parallel entry
//! (`entry-batch`, `entry-assignment`): who may sign what, checked by the signer and by the
//! verifier (`docs/parallel-entry.md`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use tally_signing::*;

fn entry_key() -> SecretKey {
    SecretKey::from_seed(&[0x66; 32])
}

fn entry_cert() -> Certificate {
    Certificate::issue(
        &root(),
        fields(Role::GsbEntry, "0042-E3", JUINEN, &entry_key()),
    )
    .unwrap()
}

fn payload() -> Vec<MediumFile> {
    vec![MediumFile {
        name: "entry-batch.json".into(),
        bytes: b"{}".to_vec(),
    }]
}

/// A medium of `kind` signed by `key`/`cert`, built by hand so that the signer's own check
/// is not what refuses it.
fn hand_signed(kind: ContentKind, key: &SecretKey, cert: &Certificate) -> MemorySource {
    let files = payload();
    let entries: Vec<(String, u64, String)> = files
        .iter()
        .map(|f| (sha_hex(&f.bytes), f.bytes.len() as u64, f.name.clone()))
        .collect();
    let manifest = manifest_text(
        kind.as_str(),
        JUINEN,
        "2025-08-29T10:00:00Z",
        cert.as_bytes(),
        &entries,
    );
    let bytes: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.as_slice()))
        .collect();
    raw_medium(manifest, key, &bytes)
}

#[test]
fn the_entry_identifier_is_a_municipality_code_and_an_appliance_number() {
    for good in ["0042-E1", "0042-E3", "0668-E999", "0363-E45"] {
        Role::GsbEntry.check_identifier(good).unwrap();
    }
    for bad in [
        "",
        "0042",
        "0042-E",
        "0042-E0",
        "0042-E03",
        "0042-E1000",
        "042-E3",
        "00420-E3",
        "0042-e3",
        "0042E3",
        "0042-E3 ",
        "0042-E-3",
        "abcd-E3",
        "0042-E٣",
    ] {
        let e = Role::GsbEntry.check_identifier(bad).unwrap_err();
        assert!(e.contains("such as `0668-E3`"), "{bad:?}: {e}");
    }
    // The other roles do not take it.
    assert!(Role::Gsb.check_identifier("0042-E3").is_err());
    assert_eq!(Role::parse("GSB-entry"), Some(Role::GsbEntry));
    assert_eq!(Role::parse("gsb-entry"), None);
    // Issuing checks it too, and the certificate names its body.
    let cert = entry_cert();
    assert_eq!(cert.role(), Role::GsbEntry);
    assert_eq!(cert.body(), "0042");
    assert_eq!(cert.identifier(), "0042-E3");
    assert_eq!(gsb_cert().body(), "0042");
    assert!(matches!(
        Certificate::issue(
            &root(),
            fields(Role::GsbEntry, "0042", JUINEN, &entry_key())
        ),
        Err(CertificateError::Invalid(_))
    ));
    // And it survives its own text.
    assert_eq!(Certificate::parse(cert.as_bytes()).unwrap(), cert);
}

#[test]
fn an_entry_batch_is_signed_and_verified_with_an_entry_certificate_only() {
    assert_eq!(ContentKind::EntryBatch.allowed_role(), Role::GsbEntry);
    assert_eq!(ContentKind::EntryAssignment.allowed_role(), Role::Gsb);
    assert_eq!(
        ContentKind::parse("entry-batch"),
        Some(ContentKind::EntryBatch)
    );
    assert_eq!(
        ContentKind::parse("entry-assignment"),
        Some(ContentKind::EntryAssignment)
    );
    let medium = sign_medium(
        ContentKind::EntryBatch,
        JUINEN,
        payload(),
        &entry_key(),
        &entry_cert(),
        now(),
    )
    .unwrap();
    let v = verify(&medium.to_source()).unwrap();
    assert_eq!(v.kind(), ContentKind::EntryBatch);
    assert_eq!(v.signer().identifier(), "0042-E3");

    // An entry batch signed by the GSB: refused by the signer and by the verifier.
    assert!(matches!(
        sign_medium(
            ContentKind::EntryBatch,
            JUINEN,
            payload(),
            &gsb_key(),
            &gsb_cert(),
            now()
        ),
        Err(SignError::RoleNotAllowed {
            role: Role::Gsb,
            kind: ContentKind::EntryBatch,
            allowed: Role::GsbEntry
        })
    ));
    assert!(matches!(
        verify(&hand_signed(
            ContentKind::EntryBatch,
            &gsb_key(),
            &gsb_cert()
        ))
        .unwrap_err(),
        VerifyError::RoleNotAllowed {
            role: Role::Gsb,
            kind: ContentKind::EntryBatch,
            allowed: Role::GsbEntry
        }
    ));

    // The assignment is the GSB's.
    let assignment = sign_medium(
        ContentKind::EntryAssignment,
        JUINEN,
        payload(),
        &gsb_key(),
        &gsb_cert(),
        now(),
    )
    .unwrap();
    assert_eq!(
        verify(&assignment.to_source()).unwrap().kind(),
        ContentKind::EntryAssignment
    );
}

#[test]
fn an_entry_certificate_signs_nothing_but_entry_batches() {
    for kind in ContentKind::ALL {
        if kind == ContentKind::EntryBatch {
            continue;
        }
        let allowed = kind.allowed_role();
        assert_ne!(allowed, Role::GsbEntry, "{kind:?}");
        assert!(
            matches!(
                sign_medium(kind, JUINEN, payload(), &entry_key(), &entry_cert(), now()),
                Err(SignError::RoleNotAllowed { role: Role::GsbEntry, kind: k, allowed: a })
                    if k == kind && a == allowed
            ),
            "{kind:?} signed by an entry certificate"
        );
        let refused = verify(&hand_signed(kind, &entry_key(), &entry_cert())).unwrap_err();
        assert!(
            matches!(
                refused,
                VerifyError::RoleNotAllowed { role: Role::GsbEntry, kind: k, allowed: a }
                    if k == kind && a == allowed
            ),
            "{kind:?}: {refused:?}"
        );
    }
}
