//! Every alteration of a signed medium is refused, each with its own error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use tally_signing::*;

fn with_file(src: &MemorySource, name: &str, bytes: Vec<u8>) -> MemorySource {
    let mut s = src.clone();
    s.files.insert(name.to_string(), bytes);
    s
}

#[test]
fn untouched_medium_verifies_and_hands_over_the_hashed_bytes() {
    let medium = juinen_medium();
    let v = verify(&medium.to_source()).unwrap();
    assert_eq!(v.kind(), ContentKind::ElectionDefinition);
    assert_eq!(v.election(), JUINEN);
    assert_eq!(v.signer().identifier(), "Kiesraad");
    assert_eq!(v.files.len(), 3);
    assert!(v.ignored.is_empty());
    // The hash codes the Kiesraad published for these files (Hashcodes-Juinen.txt).
    assert_eq!(
        v.file(F110A).unwrap().hash_code(),
        "fae2 12ff 03ce 27d0 45e2 15ee a0c1 7e0e 316e 331f 2641 50a3 feef 2ac3 61db 2528"
    );
    assert_eq!(
        v.file(F230B).unwrap().hash_code(),
        "dbc0 cdb7 08f3 1ca3 17f9 802d 6610 49b0 609c 0b8e 154c 85ba c7ad b216 2875 e778"
    );
    let original = std::fs::read(format!("{SYNTHETIC}/{F110B}")).unwrap();
    assert_eq!(v.file(F110B).unwrap().bytes, original);
}

#[test]
fn every_byte_of_the_manifest_flipped_is_refused() {
    let medium = juinen_medium();
    let src = medium.to_source();
    for i in 0..medium.manifest.len() {
        for mask in [0x01u8, 0xff] {
            let mut m = medium.manifest.clone();
            m[i] ^= mask;
            let r = verify(&with_file(&src, MANIFEST_FILE, m));
            assert!(r.is_err(), "manifest byte {i} ^ {mask:#x} accepted");
        }
    }
}

#[test]
fn every_byte_of_the_signature_flipped_is_refused() {
    let medium = juinen_medium();
    let src = medium.to_source();
    for i in 0..medium.signature.len() {
        for mask in [0x01u8, 0xff] {
            let mut s = medium.signature.clone();
            s[i] ^= mask;
            let err = verify(&with_file(&src, SIGNATURE_FILE, s)).unwrap_err();
            assert!(
                matches!(
                    err,
                    VerifyError::SignatureSyntax | VerifyError::ManifestSignatureInvalid
                ),
                "signature byte {i} ^ {mask:#x}: {err}"
            );
        }
    }
}

/// The certificate's bytes altered one at a time, the manifest re-signed by the body, so
/// only the certificate check stands between the alteration and acceptance.
#[test]
fn every_byte_of_the_certificate_flipped_is_refused() {
    let cert = authority_cert();
    let files = juinen_files();
    let entries: Vec<(String, u64, String)> = files
        .iter()
        .map(|f| (sha_hex(&f.bytes), f.bytes.len() as u64, f.name.clone()))
        .collect();
    let payload: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.as_slice()))
        .collect();
    let cert_bytes = cert.as_bytes().to_vec();
    let mut seen_syntax = 0;
    let mut seen_signature = 0;
    for i in 0..cert_bytes.len() {
        let mut c = cert_bytes.clone();
        c[i] ^= 0x01;
        let manifest = manifest_text(
            "election-definition",
            JUINEN,
            "2025-08-29T10:00:00Z",
            &c,
            &entries,
        );
        let src = raw_medium(manifest, &authority_key(), &payload);
        match verify(&src) {
            Err(VerifyError::CertificateSyntax(_)) => seen_syntax += 1,
            Err(VerifyError::CertificateSignatureInvalid)
            | Err(VerifyError::CertificateFromOtherRoot { .. }) => seen_signature += 1,
            Err(e) => panic!("certificate byte {i}: unexpected error {e}"),
            Ok(_) => panic!("certificate byte {i} flipped was accepted"),
        }
    }
    assert!(seen_syntax > 0 && seen_signature > 0);
}

#[test]
fn sampled_bytes_of_every_payload_file_flipped_are_refused() {
    let medium = juinen_medium();
    let src = medium.to_source();
    for f in &medium.files {
        let len = f.bytes.len();
        let mut positions: Vec<usize> = (0..len).step_by(97).collect();
        positions.push(len - 1);
        for i in positions {
            let mut b = f.bytes.clone();
            b[i] ^= 0x20;
            let err = verify(&with_file(&src, &f.name, b)).unwrap_err();
            assert!(
                matches!(&err, VerifyError::FileHashMismatch { name } if name == &f.name),
                "{} byte {i}: {err}",
                f.name
            );
        }
    }
}

#[test]
fn an_added_file_is_reported_as_ignored_not_fatal() {
    let src = juinen_medium().to_source();
    let v = verify(&with_file(&src, "extra.txt", b"not listed".to_vec())).unwrap();
    assert_eq!(v.ignored, vec!["extra.txt".to_string()]);
    assert_eq!(v.files.len(), 3);
}

#[test]
fn removed_renamed_truncated_or_extended_files_are_refused() {
    let medium = juinen_medium();
    let src = medium.to_source();

    let mut removed = src.clone();
    removed.files.remove(F230B);
    assert!(matches!(
        verify(&removed).unwrap_err(),
        VerifyError::FileMissing { name } if name == F230B
    ));

    let mut renamed = src.clone();
    let bytes = renamed.files.remove(F230B).unwrap();
    renamed
        .files
        .insert("kandidatenlijsten.eml.xml".into(), bytes);
    assert!(matches!(
        verify(&renamed).unwrap_err(),
        VerifyError::FileMissing { name } if name == F230B
    ));

    let mut truncated = src.files[F110A].clone();
    truncated.pop();
    assert!(matches!(
        verify(&with_file(&src, F110A, truncated)).unwrap_err(),
        VerifyError::FileSizeMismatch { name, .. } if name == F110A
    ));

    let mut extended = src.files[F110A].clone();
    extended.push(b'\n');
    assert!(matches!(
        verify(&with_file(&src, F110A, extended)).unwrap_err(),
        VerifyError::FileSizeMismatch { name, .. } if name == F110A
    ));

    let mut no_manifest = src.clone();
    no_manifest.files.remove(MANIFEST_FILE);
    assert!(matches!(
        verify(&no_manifest).unwrap_err(),
        VerifyError::ManifestMissing { .. }
    ));

    let mut no_signature = src.clone();
    no_signature.files.remove(SIGNATURE_FILE);
    assert!(matches!(
        verify(&no_signature).unwrap_err(),
        VerifyError::SignatureMissing { .. }
    ));
}

#[test]
fn folder_medium_symlinks_and_non_regular_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp
        .path()
        .join("GR2025_Juinen_Kiesraad_election-definition.tally");
    let medium = juinen_medium();
    medium.write_to_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "left by someone").unwrap();
    let v = verify(&DirSource::new(&dir)).unwrap();
    assert_eq!(v.ignored, vec!["notes.txt".to_string()]);
    assert_eq!(v.files.len(), 3);

    // A payload file replaced by a symlink to an identical copy outside the folder.
    let outside = tmp.path().join("copy.xml");
    std::fs::copy(dir.join(F110A), &outside).unwrap();
    std::fs::remove_file(dir.join(F110A)).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join(F110A)).unwrap();
    assert!(matches!(
        verify(&DirSource::new(&dir)).unwrap_err(),
        VerifyError::NotRegularFile { name } if name == F110A
    ));

    // A payload file replaced by a folder.
    std::fs::remove_file(dir.join(F110A)).unwrap();
    std::fs::create_dir(dir.join(F110A)).unwrap();
    assert!(matches!(
        verify(&DirSource::new(&dir)).unwrap_err(),
        VerifyError::NotRegularFile { name } if name == F110A
    ));
    std::fs::remove_dir(dir.join(F110A)).unwrap();
    std::fs::copy(&outside, dir.join(F110A)).unwrap();
    verify(&DirSource::new(&dir)).unwrap();

    // The manifest replaced by a symlink.
    let manifest_copy = tmp.path().join("manifest-copy");
    std::fs::rename(dir.join(MANIFEST_FILE), &manifest_copy).unwrap();
    std::os::unix::fs::symlink(&manifest_copy, dir.join(MANIFEST_FILE)).unwrap();
    assert!(matches!(
        verify(&DirSource::new(&dir)).unwrap_err(),
        VerifyError::NotRegularFile { name } if name == MANIFEST_FILE
    ));
}

#[test]
fn certificate_for_another_election() {
    let other = "GR2025_Elders";
    let key = authority_key();
    let cert =
        Certificate::issue(&root(), fields(Role::Authority, "Kiesraad", other, &key)).unwrap();
    // A medium for the other election, validly signed: not the loaded election.
    let medium = sign_medium(
        ContentKind::ElectionDefinition,
        other,
        juinen_files(),
        &key,
        &cert,
        now(),
    )
    .unwrap();
    assert!(matches!(
        verify(&medium.to_source()).unwrap_err(),
        VerifyError::WrongElection { found, expected } if found == other && expected == JUINEN
    ));
    // Without an expected election (first import) it is accepted.
    let root = root().public_key();
    verify_medium(&medium.to_source(), &VerifyOptions::new(&root, now())).unwrap();
    // A certificate for the other election signing a medium that claims Juinen.
    let files = juinen_files();
    let entries: Vec<(String, u64, String)> = files
        .iter()
        .map(|f| (sha_hex(&f.bytes), f.bytes.len() as u64, f.name.clone()))
        .collect();
    let payload: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.as_slice()))
        .collect();
    let manifest = manifest_text(
        "election-definition",
        JUINEN,
        "2025-08-29T10:00:00Z",
        cert.as_bytes(),
        &entries,
    );
    assert!(matches!(
        verify(&raw_medium(manifest, &key, &payload)).unwrap_err(),
        VerifyError::CertificateForOtherElection { certificate, manifest }
            if certificate == other && manifest == JUINEN
    ));
    // And signing refuses to make such a medium in the first place.
    assert!(matches!(
        sign_medium(
            ContentKind::ElectionDefinition,
            JUINEN,
            juinen_files(),
            &key,
            &cert,
            now()
        ),
        Err(SignError::ElectionMismatch { .. })
    ));
}

#[test]
fn certificate_of_the_wrong_role() {
    // A GSB certificate signing an election definition.
    let files = juinen_files();
    let entries: Vec<(String, u64, String)> = files
        .iter()
        .map(|f| (sha_hex(&f.bytes), f.bytes.len() as u64, f.name.clone()))
        .collect();
    let payload: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.as_slice()))
        .collect();
    let manifest = manifest_text(
        "election-definition",
        JUINEN,
        "2025-08-29T10:00:00Z",
        gsb_cert().as_bytes(),
        &entries,
    );
    assert!(matches!(
        verify(&raw_medium(manifest, &gsb_key(), &payload)).unwrap_err(),
        VerifyError::RoleNotAllowed {
            role: Role::Gsb,
            kind: ContentKind::ElectionDefinition,
            allowed: Role::Authority
        }
    ));
    assert!(matches!(
        sign_medium(
            ContentKind::ElectionDefinition,
            JUINEN,
            juinen_files(),
            &gsb_key(),
            &gsb_cert(),
            now()
        ),
        Err(SignError::RoleNotAllowed { .. })
    ));
    // The authority may not send 510b results.
    let manifest = manifest_text(
        "results-510b",
        JUINEN,
        "2025-08-29T10:00:00Z",
        authority_cert().as_bytes(),
        &entries,
    );
    assert!(matches!(
        verify(&raw_medium(manifest, &authority_key(), &payload)).unwrap_err(),
        VerifyError::RoleNotAllowed {
            role: Role::Authority,
            kind: ContentKind::Results510b,
            allowed: Role::Gsb
        }
    ));
    // Each results kind accepts its own role only.
    for (kind, role, id) in [
        (ContentKind::Results510b, Role::Gsb, "0042"),
        (ContentKind::Results510c, Role::Hsb, "HSB6"),
        (ContentKind::Results510d520, Role::Csb, "CSB"),
    ] {
        assert_eq!(kind.allowed_role(), role);
        let key = SecretKey::from_seed(&[0x55; 32]);
        let cert = Certificate::issue(&root(), fields(role, id, JUINEN, &key)).unwrap();
        let medium = sign_medium(kind, JUINEN, juinen_files(), &key, &cert, now()).unwrap();
        let v = verify(&medium.to_source()).unwrap();
        assert_eq!(v.kind(), kind);
        assert_eq!(v.signer().role(), role);
    }
}

#[test]
fn expected_signer_and_kind() {
    let key = gsb_key();
    let medium = sign_medium(
        ContentKind::Results510b,
        JUINEN,
        juinen_files(),
        &key,
        &gsb_cert(),
        now(),
    )
    .unwrap();
    let root = root().public_key();
    let mut opts = VerifyOptions::new(&root, now());
    opts.expected_election = Some(JUINEN);
    opts.expected_signer = Some("0042");
    opts.expected_kind = Some(ContentKind::Results510b);
    verify_medium(&medium.to_source(), &opts).unwrap();
    opts.expected_signer = Some("0668");
    assert!(matches!(
        verify_medium(&medium.to_source(), &opts).unwrap_err(),
        VerifyError::UnexpectedSigner { found, expected, .. } if found == "0042" && expected == "0668"
    ));
    opts.expected_signer = None;
    opts.expected_kind = Some(ContentKind::Results510c);
    assert!(matches!(
        verify_medium(&medium.to_source(), &opts).unwrap_err(),
        VerifyError::WrongKind {
            found: ContentKind::Results510b,
            expected: ContentKind::Results510c
        }
    ));
    // A key that is not the certificate's cannot sign.
    assert!(matches!(
        sign_medium(
            ContentKind::Results510b,
            JUINEN,
            juinen_files(),
            &authority_key(),
            &gsb_cert(),
            now()
        ),
        Err(SignError::KeyDoesNotMatchCertificate)
    ));
}

#[test]
fn expired_and_not_yet_valid_certificates() {
    let src = juinen_medium().to_source();
    let root = root().public_key();
    let mut opts = VerifyOptions::new(&root, t("2026-01-01T00:00:00Z"));
    assert!(matches!(
        verify_medium(&src, &opts).unwrap_err(),
        VerifyError::CertificateExpired { .. }
    ));
    opts.now = t("2025-12-31T23:59:59Z");
    verify_medium(&src, &opts).unwrap();
    opts.now = t("2025-06-30T23:59:59Z");
    assert!(matches!(
        verify_medium(&src, &opts).unwrap_err(),
        VerifyError::CertificateNotYetValid { .. }
    ));
    opts.now = t("2025-07-01T00:00:00Z");
    verify_medium(&src, &opts).unwrap();
}

#[test]
fn certificate_signed_by_another_root() {
    let key = authority_key();
    let cert = Certificate::issue(
        &other_root(),
        fields(Role::Authority, "Kiesraad", JUINEN, &key),
    )
    .unwrap();
    let medium = sign_medium(
        ContentKind::ElectionDefinition,
        JUINEN,
        juinen_files(),
        &key,
        &cert,
        now(),
    )
    .unwrap();
    assert!(matches!(
        verify(&medium.to_source()).unwrap_err(),
        VerifyError::CertificateFromOtherRoot { found, trusted }
            if found == other_root().public_key().fingerprint() && trusted == root().public_key().fingerprint()
    ));
    // Another root's signature on a certificate that names the trusted root as issuer.
    let text = String::from_utf8(cert.as_bytes().to_vec())
        .unwrap()
        .replace(
            &other_root().public_key().fingerprint().to_hex(),
            &root().public_key().fingerprint().to_hex(),
        );
    let forged = resign_certificate(&text, &other_root());
    let files = juinen_files();
    let entries: Vec<(String, u64, String)> = files
        .iter()
        .map(|f| (sha_hex(&f.bytes), f.bytes.len() as u64, f.name.clone()))
        .collect();
    let payload: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.as_slice()))
        .collect();
    let manifest = manifest_text(
        "election-definition",
        JUINEN,
        "2025-08-29T10:00:00Z",
        &forged,
        &entries,
    );
    assert!(matches!(
        verify(&raw_medium(manifest, &key, &payload)).unwrap_err(),
        VerifyError::CertificateSignatureInvalid
    ));
}

#[test]
fn a_signature_of_one_kind_does_not_pass_as_another() {
    let medium = juinen_medium();
    let key = authority_key();
    // The signer is made to sign the manifest's bytes as a certificate.
    let as_cert = key.sign(SignedKind::Certificate, &medium.manifest);
    let mut src = medium.to_source();
    src.files.insert(
        SIGNATURE_FILE.into(),
        format!("{}\n", as_cert.to_hex()).into_bytes(),
    );
    assert!(matches!(
        verify(&src).unwrap_err(),
        VerifyError::ManifestSignatureInvalid
    ));
    // A plain Ed25519 signature over the manifest, without the domain prefix.
    use ed25519_dalek::Signer;
    let raw = ed25519_dalek::SigningKey::from_bytes(&[0x33; 32]).sign(&medium.manifest);
    src.files.insert(
        SIGNATURE_FILE.into(),
        format!("{}\n", hex(&raw.to_bytes())).into_bytes(),
    );
    assert!(matches!(
        verify(&src).unwrap_err(),
        VerifyError::ManifestSignatureInvalid
    ));
    // The root's signature on the certificate, presented as the manifest's signature.
    src.files.insert(
        SIGNATURE_FILE.into(),
        format!("{}\n", authority_cert().signature().to_hex()).into_bytes(),
    );
    assert!(matches!(
        verify(&src).unwrap_err(),
        VerifyError::ManifestSignatureInvalid
    ));
    // A root signature made as a manifest does not pass as a certificate: a certificate
    // whose signature is the root's manifest-kind signature over the same bytes.
    let text = String::from_utf8(authority_cert().as_bytes().to_vec()).unwrap();
    let at = text.find("signature: ").unwrap();
    let wrong_kind = root().sign(SignedKind::Manifest, &text.as_bytes()[..at]);
    let cert = format!("{}signature: {}\n", &text[..at], wrong_kind.to_hex());
    let parsed = Certificate::parse(cert.as_bytes()).unwrap();
    assert_eq!(
        parsed.verify(&root().public_key()),
        Err(CertificateError::BadSignature)
    );
}

#[test]
fn unsafe_or_duplicate_file_names_are_refused() {
    let bytes = b"payload".to_vec();
    let sha = sha_hex(&bytes);
    let cert = authority_cert();
    let key = authority_key();
    for bad in [
        "../x",
        "..",
        "a/b",
        "a\\b",
        ".hidden",
        "-rf",
        "manifest.txt",
        "MANIFEST.SIG",
        "tab\there",
        "sp ace",
        "caf\u{e9}.xml",
        &"x".repeat(129),
    ] {
        let manifest = manifest_text(
            "election-definition",
            JUINEN,
            "2025-08-29T10:00:00Z",
            cert.as_bytes(),
            &[(sha.clone(), bytes.len() as u64, bad.to_string())],
        );
        let err = verify(&raw_medium(manifest, &key, &[])).unwrap_err();
        assert!(
            matches!(
                err,
                VerifyError::BadFileName { .. } | VerifyError::ManifestSyntax(_)
            ),
            "{bad:?}: {err}"
        );
        if !bad.contains('\t') {
            assert!(
                matches!(err, VerifyError::BadFileName { .. }),
                "{bad:?}: {err}"
            );
        }
    }
    // A name of 128 bytes is fine.
    let long = "x".repeat(128);
    let manifest = manifest_text(
        "election-definition",
        JUINEN,
        "2025-08-29T10:00:00Z",
        cert.as_bytes(),
        &[(sha.clone(), bytes.len() as u64, long.clone())],
    );
    verify(&raw_medium(manifest, &key, &[(long.as_str(), &bytes)])).unwrap();
    // The same file twice, also when only the case differs (FAT).
    for second in ["a.xml", "A.XML"] {
        let manifest = manifest_text(
            "election-definition",
            JUINEN,
            "2025-08-29T10:00:00Z",
            cert.as_bytes(),
            &[
                (sha.clone(), bytes.len() as u64, "a.xml".into()),
                (sha.clone(), bytes.len() as u64, second.into()),
            ],
        );
        assert!(matches!(
            verify(&raw_medium(manifest, &key, &[("a.xml", &bytes)])).unwrap_err(),
            VerifyError::DuplicateFile { name } if name == second
        ));
    }
    // An empty list.
    let manifest = manifest_text(
        "election-definition",
        JUINEN,
        "2025-08-29T10:00:00Z",
        cert.as_bytes(),
        &[],
    );
    assert!(matches!(
        verify(&raw_medium(manifest, &key, &[])).unwrap_err(),
        VerifyError::NoFiles
    ));
    // And signing refuses such names too.
    assert!(matches!(
        sign_medium(
            ContentKind::ElectionDefinition,
            JUINEN,
            vec![MediumFile {
                name: "../x".into(),
                bytes: bytes.clone()
            }],
            &key,
            &cert,
            now()
        ),
        Err(SignError::Invalid(VerifyError::BadFileName { .. }))
    ));
}

#[test]
fn oversized_manifest_files_and_totals_are_refused() {
    let medium = juinen_medium();
    let src = medium.to_source();
    let root = root().public_key();
    let base = VerifyOptions {
        expected_election: Some(JUINEN),
        ..VerifyOptions::new(&root, now())
    };
    let largest = medium
        .files
        .iter()
        .map(|f| f.bytes.len() as u64)
        .max()
        .unwrap();
    let total: u64 = medium.files.iter().map(|f| f.bytes.len() as u64).sum();

    let mut opts = base;
    opts.limits.max_file_bytes = largest - 1;
    assert!(matches!(
        verify_medium(&src, &opts).unwrap_err(),
        VerifyError::FileTooLarge { size, limit, .. } if size == largest && limit == largest - 1
    ));
    let mut opts = base;
    opts.limits.max_total_bytes = total - 1;
    assert!(matches!(
        verify_medium(&src, &opts).unwrap_err(),
        VerifyError::TotalTooLarge { .. }
    ));
    let mut opts = base;
    opts.limits.max_files = 2;
    assert!(matches!(
        verify_medium(&src, &opts).unwrap_err(),
        VerifyError::TooManyFiles { limit: 2 }
    ));
    let mut opts = base;
    opts.limits.max_manifest_bytes = medium.manifest.len() as u64 - 1;
    assert!(matches!(
        verify_medium(&src, &opts).unwrap_err(),
        VerifyError::ManifestTooLarge { .. }
    ));
    // With the default limits (256 MiB per file), a manifest declaring a file of 256 MiB
    // and one byte.
    assert_eq!(Limits::DEFAULT.max_file_bytes, 256 * 1024 * 1024);
    let manifest = manifest_text(
        "election-definition",
        JUINEN,
        "2025-08-29T10:00:00Z",
        authority_cert().as_bytes(),
        &[(sha_hex(b""), 256 * 1024 * 1024 + 1, "big.xml".into())],
    );
    assert!(matches!(
        verify(&raw_medium(manifest, &authority_key(), &[])).unwrap_err(),
        VerifyError::FileTooLarge { .. }
    ));
    // A file much longer than the manifest says is not read beyond its declared size.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m.tally");
    medium.write_to_dir(&dir).unwrap();
    let f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join(F110B))
        .unwrap();
    f.set_len(1 << 30).unwrap(); // sparse: 1 GiB
    assert!(matches!(
        verify(&DirSource::new(&dir)).unwrap_err(),
        VerifyError::FileSizeMismatch { name, .. } if name == F110B
    ));
}

#[test]
fn garbage_signature_files_are_refused() {
    let src = juinen_medium().to_source();
    for bad in [&b""[..], b"\n", b"00", &[b'a'; 129], &[b'a'; 200]] {
        let err = verify(&with_file(&src, SIGNATURE_FILE, bad.to_vec())).unwrap_err();
        assert!(matches!(err, VerifyError::SignatureSyntax), "{err}");
    }
}

/// A source that counts what is read.
struct Counting {
    inner: MemorySource,
    reads: std::cell::RefCell<Vec<String>>,
}

impl MediumSource for Counting {
    fn list(&self) -> Result<Vec<String>, SourceError> {
        self.inner.list()
    }

    fn read(&self, name: &str, max_len: u64) -> Result<Vec<u8>, SourceError> {
        self.reads.borrow_mut().push(name.to_string());
        self.inner.read(name, max_len)
    }
}

#[test]
fn each_listed_file_is_read_exactly_once_and_unlisted_files_never() {
    let src = with_file(
        &juinen_medium().to_source(),
        "unlisted.xml",
        b"never read".to_vec(),
    );
    let counting = Counting {
        inner: src,
        reads: Default::default(),
    };
    let v = verify(&counting).unwrap();
    let mut reads = counting.reads.borrow().clone();
    reads.sort();
    let mut expected = vec![
        F110A.to_string(),
        F110B.to_string(),
        F230B.to_string(),
        MANIFEST_FILE.to_string(),
        SIGNATURE_FILE.to_string(),
    ];
    expected.sort();
    assert_eq!(reads, expected);
    assert_eq!(v.ignored, vec!["unlisted.xml".to_string()]);
}

/// A spool that keeps each copy in memory, or fails to write after `fail_after` bytes.
#[derive(Default)]
struct MemorySpool {
    wanted: Vec<&'static str>,
    copies: std::rc::Rc<std::cell::RefCell<std::collections::BTreeMap<String, Vec<u8>>>>,
    fail_after: Option<usize>,
}

struct Sink {
    name: String,
    copies: std::rc::Rc<std::cell::RefCell<std::collections::BTreeMap<String, Vec<u8>>>>,
    fail_after: Option<usize>,
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut copies = self.copies.borrow_mut();
        let copy = copies.entry(self.name.clone()).or_default();
        if self.fail_after.is_some_and(|n| copy.len() + buf.len() > n) {
            return Err(std::io::Error::other("disk full"));
        }
        copy.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Spool for MemorySpool {
    fn wants(&self, entry: &ManifestEntry) -> bool {
        self.wanted.contains(&entry.name.as_str())
    }
    fn sink(&mut self, entry: &ManifestEntry) -> std::io::Result<Box<dyn std::io::Write>> {
        Ok(Box::new(Sink {
            name: entry.name.clone(),
            copies: self.copies.clone(),
            fail_after: self.fail_after,
        }))
    }
}

#[test]
fn a_spooled_file_is_copied_checked_and_never_returned_in_memory() {
    let medium = juinen_medium();
    let src = medium.to_source();
    let root = root().public_key();
    let mut opts = VerifyOptions::new(&root, now());
    opts.expected_election = Some(JUINEN);
    let mut spool = MemorySpool {
        wanted: vec![F110A],
        ..MemorySpool::default()
    };
    let v = verify_medium_spooled(&src, &opts, &mut spool).unwrap();
    assert_eq!(v.files.len(), 2, "the two others in memory");
    assert!(v.file(F110A).is_none());
    assert_eq!(v.spooled.len(), 1);
    assert_eq!(v.spooled[0].name, F110A);
    assert_eq!(v.spooled[0].size, src.files[F110A].len() as u64);
    assert_eq!(v.spooled[0].sha256, sha256(&src.files[F110A]));
    assert_eq!(spool.copies.borrow()[F110A], src.files[F110A]);
    // Also from a folder (copied in pieces by the source itself).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    medium.write_to_dir(&dir).unwrap();
    let mut spool = MemorySpool {
        wanted: vec![F110A, F230B],
        ..MemorySpool::default()
    };
    let v = verify_medium_spooled(&DirSource::new(&dir), &opts, &mut spool).unwrap();
    assert_eq!((v.files.len(), v.spooled.len()), (1, 2));
    assert_eq!(spool.copies.borrow()[F230B], src.files[F230B]);

    // A changed, a longer and a shorter file are refused as in memory.
    let mut changed = src.files[F110A].clone();
    changed[100] ^= 1;
    let mut longer = src.files[F110A].clone();
    longer.push(b'\n');
    let mut shorter = src.files[F110A].clone();
    shorter.pop();
    for bytes in [changed, longer, shorter] {
        let bad = with_file(&src, F110A, bytes);
        let in_memory = verify(&bad).unwrap_err();
        let mut spool = MemorySpool {
            wanted: vec![F110A],
            ..MemorySpool::default()
        };
        let spooled = verify_medium_spooled(&bad, &opts, &mut spool).unwrap_err();
        assert_eq!(spooled.to_string(), in_memory.to_string());
    }
    // A copy that cannot be written: refused as such.
    let mut spool = MemorySpool {
        wanted: vec![F110A],
        fail_after: Some(10),
        ..MemorySpool::default()
    };
    assert!(matches!(
        verify_medium_spooled(&src, &opts, &mut spool).unwrap_err(),
        VerifyError::CopyFailed { name, reason } if name == F110A && reason.contains("disk full")
    ));
}
