//! `tally-provision secure-boot-keys`: PK, KEK and db with the files an official enrolls them
//! from, checked against the UEFI specification (2.10, sections 8.2.2 and 32.4): the signature
//! lists' layout byte by byte, and each `.auth` file's PKCS#7 signature verified with
//! `openssl cms` over the data the firmware verifies (variable name, vendor GUID, attributes,
//! timestamp, list), by the key the specification names (PK by PK, KEK by PK, db by KEK).
//!
//! The private keys are sealed with the authority's passphrase (issue 17, point 5): no file
//! written holds a PEM private key; the db key opens with the passphrase only and then signs.
//!
//! Needs the Debian packages openssl and efitools (scripts/test installs them).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_tally-provision");
/// Debian's systemd EFI stub (package systemd-boot-efi): an unsigned x86-64 EFI application.
const STUB: &str = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";

/// EFI_CERT_X509_GUID a5c059a1-94e4-4aa7-87b5-ab155c2bf072, on-disk byte order.
const EFI_CERT_X509: [u8; 16] = [
    0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a, 0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72,
];
/// EFI_CERT_TYPE_PKCS7_GUID 4aafd29d-68df-49ee-8aa9-347d375665a7, on-disk byte order.
const EFI_CERT_TYPE_PKCS7: [u8; 16] = [
    0x9d, 0xd2, 0xaf, 0x4a, 0xdf, 0x68, 0xee, 0x49, 0x8a, 0xa9, 0x34, 0x7d, 0x37, 0x56, 0x65, 0xa7,
];
/// EFI_GLOBAL_VARIABLE 8be4df61-93ca-11d2-aa0d-00e098032b8c (PK, KEK), on-disk byte order.
const EFI_GLOBAL_VARIABLE: [u8; 16] = [
    0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c,
];
/// EFI_IMAGE_SECURITY_DATABASE_GUID d719b2cb-3d3a-4596-a3bc-dad00e67656f (db), on-disk order.
const EFI_IMAGE_SECURITY_DATABASE: [u8; 16] = [
    0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f,
];
/// The project's owner GUID 7a11e7a1-6e5c-4b0a-9a1d-7a11e7a10001, on-disk byte order.
const OWNER: [u8; 16] = [
    0xa1, 0xe7, 0x11, 0x7a, 0x5c, 0x6e, 0x0a, 0x4b, 0x9a, 0x1d, 0x7a, 0x11, 0xe7, 0xa1, 0x00, 0x01,
];
/// NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS | TIME_BASED_AUTHENTICATED_WRITE_ACCESS.
const ATTRIBUTES: u32 = 0x27;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(o: Output, what: &str) -> Output {
    assert!(
        o.status.success(),
        "{what} failed:\n{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    o
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// DER length prefix.
fn der_len(n: usize) -> Vec<u8> {
    match n {
        0..=127 => vec![n as u8],
        128..=255 => vec![0x81, n as u8],
        _ => vec![0x82, (n >> 8) as u8, n as u8],
    }
}

/// The `.auth` file's bare SignedData wrapped in a ContentInfo, so that openssl reads it.
fn content_info(signed_data: &[u8]) -> Vec<u8> {
    let mut tagged = vec![0xa0];
    tagged.extend(der_len(signed_data.len()));
    tagged.extend_from_slice(signed_data);
    let mut inner = vec![
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    inner.extend(tagged);
    let mut out = vec![0x30];
    out.extend(der_len(inner.len()));
    out.extend(inner);
    out
}

/// Checks `auth`'s layout, that it carries `esl`, and whether its signature over what the
/// firmware verifies checks out with `signer_crt` (returns openssl's verdict).
fn auth_verifies(
    dir: &Path,
    auth: &[u8],
    var: &str,
    vendor: [u8; 16],
    esl: &[u8],
    signer_crt: &Path,
) -> bool {
    auth_verifies_with(dir, auth, var, vendor, ATTRIBUTES, esl, signer_crt)
}

/// As [`auth_verifies`], for a write with these attributes.
fn auth_verifies_with(
    dir: &Path,
    auth: &[u8],
    var: &str,
    vendor: [u8; 16],
    attributes: u32,
    esl: &[u8],
    signer_crt: &Path,
) -> bool {
    let time = &auth[..16];
    let dw_length = le32(auth, 16) as usize;
    assert_eq!(&auth[20..22], &0x0200u16.to_le_bytes(), "wRevision");
    assert_eq!(
        &auth[22..24],
        &0x0EF1u16.to_le_bytes(),
        "WIN_CERT_TYPE_EFI_GUID"
    );
    assert_eq!(&auth[24..40], &EFI_CERT_TYPE_PKCS7, "CertType");
    assert_eq!(
        &auth[16 + dw_length..],
        esl,
        "the signed list follows the signature"
    );
    let mut signed: Vec<u8> = var.encode_utf16().flat_map(u16::to_le_bytes).collect();
    signed.extend_from_slice(&vendor);
    signed.extend_from_slice(&attributes.to_le_bytes());
    signed.extend_from_slice(time);
    signed.extend_from_slice(esl);
    let p7 = dir.join("p7.der");
    let data = dir.join("signed.bin");
    std::fs::write(&p7, content_info(&auth[40..16 + dw_length])).unwrap();
    std::fs::write(&data, &signed).unwrap();
    Command::new("openssl")
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any",
        ])
        .args([
            "-in",
            p(&p7),
            "-content",
            p(&data),
            "-CAfile",
            p(signer_crt),
        ])
        .args(["-out", "/dev/null"])
        .output()
        .unwrap()
        .status
        .success()
}

const PASSPHRASE: &str = "secure boot passphrase of the Kiesraad";

/// A file holding `PASSPHRASE` (and a newline, as `echo` writes it).
fn passphrase_file(dir: &Path) -> std::path::PathBuf {
    let f = dir.join("sb.pass");
    std::fs::write(&f, format!("{PASSPHRASE}\n")).unwrap();
    f
}

/// Every file below `dir` whose bytes contain a PEM private key (`PRIVATE KEY`, as in
/// `-----BEGIN PRIVATE KEY-----` and `BEGIN RSA PRIVATE KEY`).
fn pem_private_keys_in(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            found.extend(pem_private_keys_in(&path));
        } else if std::fs::read(&path)
            .unwrap()
            .windows(11)
            .any(|w| w == b"PRIVATE KEY")
        {
            found.push(path);
        }
    }
    found
}

/// The private temporary folders (`tally_image::keys::PrivateDir`) that process `pid` left in
/// `/dev/shm` (the folders of other processes, such as tests running beside this one, are
/// theirs: the name carries the process id).
fn private_dirs_of(pid: u32) -> Vec<String> {
    let mine = tally_image::keys::PrivateDir::prefix_of(pid);
    let mut v: Vec<String> = std::fs::read_dir("/dev/shm")
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&mine))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn keys_and_enrollment_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sb");
    let pass = passphrase_file(tmp.path());
    let child = Command::new(BIN)
        .args([
            "secure-boot-keys",
            "--out",
            p(&dir),
            "--name",
            "Test appliance",
        ])
        .args(["--days", "30", "--passphrase-file", p(&pass)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let o = ok(child.wait_with_output().unwrap(), "secure-boot-keys");
    let out = text(&o.stdout);
    let f = |n: &str| dir.join(n);

    for name in ["PK", "KEK", "db"] {
        let mode = |ext: &str| {
            std::fs::metadata(f(&format!("{name}.{ext}")))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("key"), 0o600, "{name}.key");
        assert_eq!(mode("auth"), 0o644, "{name}.auth");
        // Sealed: the format's header with the Argon2id floor, no PEM.
        let sealed = std::fs::read_to_string(f(&format!("{name}.key"))).unwrap();
        assert!(
            sealed.starts_with(
                "tally-sealed-private-key v1\nkdf: argon2id\nkdf-memory-kib: 65536\nkdf-iterations: 3\n"
            ),
            "{sealed}"
        );
        assert!(!sealed.contains("-----"), "{sealed}");
        // The DER certificate is the PEM one, and its subject names the key.
        let subject = ok(
            Command::new("openssl")
                .args(["x509", "-inform", "DER", "-noout", "-subject", "-in"])
                .arg(f(&format!("{name}.cer")))
                .output()
                .unwrap(),
            "openssl x509",
        );
        assert!(
            text(&subject.stdout).contains(&format!("CN = Test appliance {name}")),
            "{}",
            text(&subject.stdout)
        );
        let der = std::fs::read(f(&format!("{name}.cer"))).unwrap();
        let from_pem = ok(
            Command::new("openssl")
                .args(["x509", "-outform", "DER", "-in"])
                .arg(f(&format!("{name}.crt")))
                .output()
                .unwrap(),
            "openssl x509 -outform DER",
        );
        assert_eq!(from_pem.stdout, der);
        // The printed SHA-256 is the DER certificate's, as sha256sum gives it.
        let sum = ok(
            Command::new("sha256sum")
                .arg(f(&format!("{name}.cer")))
                .output()
                .unwrap(),
            "sha256sum",
        );
        assert!(out.contains(&text(&sum.stdout)[..64]), "{out}");

        // EFI_SIGNATURE_LIST with one EFI_SIGNATURE_DATA: the owner GUID and the DER.
        let esl = std::fs::read(f(&format!("{name}.esl"))).unwrap();
        assert_eq!(&esl[..16], &EFI_CERT_X509);
        assert_eq!(le32(&esl, 16) as usize, esl.len(), "SignatureListSize");
        assert_eq!(le32(&esl, 20), 0, "SignatureHeaderSize");
        assert_eq!(le32(&esl, 24) as usize, 16 + der.len(), "SignatureSize");
        assert_eq!(&esl[28..44], &OWNER);
        assert_eq!(&esl[44..], &der[..]);
    }

    let esl = |n: &str| std::fs::read(f(&format!("{n}.esl"))).unwrap();
    let auth = |n: &str| std::fs::read(f(n)).unwrap();
    let work = tmp.path();
    // PK by PK, KEK by PK, db by KEK; and not by another key.
    assert!(auth_verifies(
        work,
        &auth("PK.auth"),
        "PK",
        EFI_GLOBAL_VARIABLE,
        &esl("PK"),
        &f("PK.crt")
    ));
    assert!(auth_verifies(
        work,
        &auth("KEK.auth"),
        "KEK",
        EFI_GLOBAL_VARIABLE,
        &esl("KEK"),
        &f("PK.crt")
    ));
    assert!(auth_verifies(
        work,
        &auth("db.auth"),
        "db",
        EFI_IMAGE_SECURITY_DATABASE,
        &esl("db"),
        &f("KEK.crt")
    ));
    assert!(!auth_verifies(
        work,
        &auth("db.auth"),
        "db",
        EFI_IMAGE_SECURITY_DATABASE,
        &esl("db"),
        &f("PK.crt")
    ));
    assert!(!auth_verifies(
        work,
        &auth("KEK.auth"),
        "KEK",
        EFI_IMAGE_SECURITY_DATABASE,
        &esl("KEK"),
        &f("PK.crt")
    ));
    // noPK.auth: an empty PK, signed by PK.
    assert!(auth_verifies(
        work,
        &auth("noPK.auth"),
        "PK",
        EFI_GLOBAL_VARIABLE,
        &[],
        &f("PK.crt")
    ));

    // No file written holds a private key in the clear, and nothing was left in the private
    // temporary folders the keys were made in.
    assert_eq!(pem_private_keys_in(&dir), Vec::<std::path::PathBuf>::new());
    assert!(!out.contains("PRIVATE KEY"), "{out}");
    assert_eq!(private_dirs_of(pid), Vec::<String>::new());
    // The db key opens with the passphrase only.
    assert!(matches!(
        tally_image::keys::read_sealed_private_key(&f("db.key"), b"secure boot passphrase"),
        Err(tally_image::keys::SealedKeyError::WrongPassphrase)
    ));
    let db_pem =
        tally_image::keys::read_sealed_private_key(&f("db.key"), PASSPHRASE.as_bytes()).unwrap();
    assert!(tally_image::keys::is_plain_pem_private_key(&db_pem));

    // The db key signs an EFI program the way `tally-image build` does (sbsign, from a private
    // temporary file); sbverify accepts it with db.crt and not with another certificate.
    let signed = work.join("signed.efi");
    let key_file = tally_image::keys::PrivateKeyFile::new(&db_pem).unwrap();
    ok(
        Command::new("sbsign")
            .args(["--key", p(key_file.path()), "--cert", p(&f("db.crt"))])
            .args(["--output", p(&signed), STUB])
            .output()
            .unwrap(),
        "sbsign",
    );
    let key_path = key_file.path().to_path_buf();
    drop(key_file);
    assert!(!key_path.exists());
    ok(
        Command::new("sbverify")
            .args(["--cert", p(&f("db.crt")), p(&signed)])
            .output()
            .unwrap(),
        "sbverify with db.crt",
    );
    let wrong = Command::new("sbverify")
        .args(["--cert", p(&f("KEK.crt")), p(&signed)])
        .output()
        .unwrap();
    assert!(!wrong.status.success(), "verified with the KEK");

    // Never overwritten.
    let before = std::fs::read(f("db.key")).unwrap();
    let again = Command::new(BIN)
        .args(["secure-boot-keys", "--out", p(&dir)])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(
        text(&again.stderr)
            .contains("PK.key exists already; refusing to overwrite Secure Boot keys"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(std::fs::read(f("db.key")).unwrap(), before);
}

#[test]
fn a_short_passphrase_or_weak_parameters_make_no_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sb");
    let short = tmp.path().join("short.pass");
    std::fs::write(&short, "kort\n").unwrap();
    let o = Command::new(BIN)
        .args(["secure-boot-keys", "--out", p(&dir), "--passphrase-file"])
        .arg(&short)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("the passphrase must have at least 8 characters"),
        "{}",
        text(&o.stderr)
    );
    assert!(!dir.exists());
    // Argon2id below the floor: refused before the passphrase is read.
    let o = Command::new(BIN)
        .args(["secure-boot-keys", "--out", p(&dir)])
        .args(["--argon2-memory-kib", "8192", "--passphrase-file"])
        .arg(tmp.path().join("no-such-file"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("--argon2-memory-kib: ")
            && text(&o.stderr).contains("no key was made"),
        "{}",
        text(&o.stderr)
    );
    assert!(!dir.exists());
}

#[test]
fn missing_efitools_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    // A PATH with openssl only.
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let openssl = ok(
        Command::new("sh")
            .args(["-c", "command -v openssl"])
            .output()
            .unwrap(),
        "command -v openssl",
    );
    std::os::unix::fs::symlink(text(&openssl.stdout).trim(), bin.join("openssl")).unwrap();
    let dir = tmp.path().join("sb");
    let o = Command::new(BIN)
        .args(["secure-boot-keys", "--out", p(&dir)])
        .env("PATH", &bin)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains(
            "`cert-to-efi-sig-list` is not installed (Debian package efitools); nothing was written"
        ),
        "{}",
        text(&o.stderr)
    );
    assert!(!dir.exists());
}

/// EFI_CERT_SHA256_GUID c1c41626-504c-4092-aca9-41f936934328, on-disk byte order.
const EFI_CERT_SHA256: [u8; 16] = [
    0x26, 0x16, 0xc4, 0xc1, 0x4c, 0x50, 0x92, 0x40, 0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28,
];

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The Authenticode SHA-256 of a signed PE32+ image whose sections follow its headers without
/// gaps (Debian's systemd stub signed by `sbsign`): the file up to its certificate table,
/// without the checksum field and the certificate table's directory entry (Microsoft's PE/COFF
/// specification, "Authenticode"). Written here independently of efitools.
fn authenticode_sha256(pe: &[u8]) -> String {
    use sha2::Digest as _;
    let pe_at = le32(pe, 0x3c) as usize;
    assert_eq!(&pe[pe_at..pe_at + 4], b"PE\0\0");
    let opt = pe_at + 24;
    assert_eq!(&pe[opt..opt + 2], &0x20bu16.to_le_bytes(), "PE32+");
    let checksum = opt + 64;
    let cert_dir = opt + 144;
    let table = le32(pe, cert_dir) as usize;
    let size = le32(pe, cert_dir + 4) as usize;
    assert!(size > 0, "signed");
    assert_eq!(table + size, pe.len(), "the certificate table is last");
    let mut h = sha2::Sha256::new();
    h.update(&pe[..checksum]);
    h.update(&pe[checksum + 4..cert_dir]);
    h.update(&pe[cert_dir + 8..table]);
    hex(&h.finalize())
}

/// Issue 17 point 2: `withdraw-image` makes the dbx update an official enrolls to withdraw an
/// old signed image: the image's Authenticode SHA-256 in an `EFI_CERT_SHA256` list, signed by
/// KEK for an append write to dbx. (That the firmware then refuses the image is the OVMF test
/// `image/tests/boot.rs`, `a_withdrawn_image_does_not_boot_and_the_current_one_does`.)
#[test]
fn withdraw_image_makes_a_dbx_update_signed_by_kek() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sb");
    let pass = passphrase_file(tmp.path());
    ok(
        Command::new(BIN)
            .args(["secure-boot-keys", "--out", p(&dir), "--days", "30"])
            .args(["--passphrase-file", p(&pass)])
            .output()
            .unwrap(),
        "secure-boot-keys",
    );
    // The image to withdraw: the stub signed with a throw-away key (only its hash matters).
    let signed = tmp.path().join("old.efi");
    let (old_key, old_crt) = (tmp.path().join("old-db.key"), tmp.path().join("old-db.crt"));
    ok(
        Command::new("openssl")
            .args(["req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes"])
            .args(["-days", "2", "-subj", "/CN=old db", "-keyout", p(&old_key)])
            .args(["-out", p(&old_crt)])
            .output()
            .unwrap(),
        "openssl req",
    );
    ok(
        Command::new("sbsign")
            .args(["--key", p(&old_key), "--cert", p(&old_crt)])
            .args(["--output", p(&signed), STUB])
            .output()
            .unwrap(),
        "sbsign",
    );
    std::fs::remove_file(&old_key).unwrap();
    let image = p(&signed);
    let stem = tmp.path().join("withdraw-0.1.0");
    let esl_path = tmp.path().join("withdraw-0.1.0.esl");
    let auth_path = tmp.path().join("withdraw-0.1.0.auth");
    let withdraw = |image: &str, pass: &Path| {
        Command::new(BIN)
            .args(["withdraw-image", "--keys", p(&dir), "--out", p(&stem)])
            .args(["--passphrase-file", p(pass), image])
            .output()
            .unwrap()
    };
    // A wrong passphrase: refused, nothing written.
    let wrong = tmp.path().join("wrong.pass");
    std::fs::write(&wrong, "not the passphrase\n").unwrap();
    let o = withdraw(image, &wrong);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("wrong passphrase"), "{err}");
    assert!(!esl_path.exists() && !auth_path.exists());
    // Not an EFI program, or an unsigned one (it never boots): refused before the passphrase.
    let err = text(&withdraw(p(&pass), &wrong).stderr);
    assert!(err.contains("not an EFI program (no MZ header)"), "{err}");
    let err = text(&withdraw(STUB, &wrong).stderr);
    assert!(
        err.contains("not signed: an unsigned image never boots"),
        "{err}"
    );

    let o = ok(withdraw(image, &pass), "withdraw-image");
    let want = authenticode_sha256(&std::fs::read(&signed).unwrap());
    let out = text(&o.stdout);
    assert!(out.contains(&format!("  {want}  {image}")), "{out}");
    let esl = std::fs::read(&esl_path).unwrap();
    // One EFI_SIGNATURE_LIST of type SHA-256 with one entry: owner GUID and the hash.
    assert_eq!(&esl[..16], &EFI_CERT_SHA256);
    assert_eq!(le32(&esl, 16) as usize, esl.len(), "SignatureListSize");
    assert_eq!(le32(&esl, 20), 0, "SignatureHeaderSize");
    assert_eq!(le32(&esl, 24), 48, "SignatureSize");
    assert_eq!(esl.len(), 28 + 48);
    assert_eq!(hex(&esl[44..]), want);
    // Signed by KEK (not PK) for dbx, with APPEND_WRITE: what is in dbx stays.
    let auth = std::fs::read(&auth_path).unwrap();
    let append = ATTRIBUTES | 0x40;
    let verifies = |attributes: u32, signer: &str| {
        auth_verifies_with(
            tmp.path(),
            &auth,
            "dbx",
            EFI_IMAGE_SECURITY_DATABASE,
            attributes,
            &esl,
            &dir.join(signer),
        )
    };
    assert!(verifies(append, "KEK.crt"));
    assert!(!verifies(append, "PK.crt"));
    assert!(!verifies(ATTRIBUTES, "KEK.crt"));
    // No private key in the clear was left beside the update; it is never overwritten.
    assert!(pem_private_keys_in(tmp.path()).is_empty());
    let o = withdraw(image, &pass);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("exists already"), "{err}");
    assert_eq!(std::fs::read(&esl_path).unwrap(), esl);
}
