//! The signing crate's verifier through this crate's reader: a real 510b count
//! (Telling_GR2022_WestMaasenWaal.eml.xml) signed by a GSB, exported to a demo folder and (root)
//! to an ext4 stick, verified after reading back, imported and verified again; tampering,
//! a swapped-in symlink and the wrong root key are refused and audited.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use nix::mount::{MntFlags, MsFlags};
use tally_media::audit::{AuditKind, MemoryAudit};
use tally_media::detect::{DeviceIdentity, Volume};
use tally_media::export::{ExportStep, NoFaults, StickState};
use tally_media::fsprobe::FsType;
use tally_media::medium::{FolderMedium, Medium, UsbStick};
use tally_media::mount::mounts_under;
use tally_media::reader::{ReadLimits, sha256_hex};
use tally_media::signed::{SignedMediumVerifier, export_request, signed_folders, verify_signed};
use tally_media::{MediaError, MediaFilesystems};
use tally_signing::{
    Certificate, CertificateFields, ContentKind, MediumFile, PublicKey, Role, SecretKey,
    SignedMedium, Timestamp, VerifyOptions, sign_medium,
};

const ELECTION: &str = "GR2022_WestMaasenWaal";

fn real_count() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/eml/real/Telling_GR2022_WestMaasenWaal.eml.xml"
    ))
    .unwrap()
}

struct Keys {
    root: SecretKey,
    medium: SignedMedium,
    folder: String,
}

fn signed() -> Keys {
    let root = SecretKey::from_seed(&[11; 32]);
    let body = SecretKey::from_seed(&[12; 32]);
    let cert = Certificate::issue(
        &root,
        CertificateFields {
            role: Role::Gsb,
            identifier: "0668".into(),
            name: "Gemeente West Maas en Waal".into(),
            election: ELECTION.into(),
            valid_from: Timestamp::parse("2022-03-01T00:00:00Z").unwrap(),
            valid_until: Timestamp::parse("2022-04-01T00:00:00Z").unwrap(),
            public_key: body.public_key(),
        },
    )
    .unwrap();
    let medium = sign_medium(
        ContentKind::Results510b,
        ELECTION,
        vec![MediumFile {
            name: "Telling_GR2022_WestMaasenWaal.eml.xml".into(),
            bytes: real_count(),
        }],
        &body,
        &cert,
        Timestamp::parse("2022-03-17T20:00:00Z").unwrap(),
    )
    .unwrap();
    let folder = SignedMedium::folder_name(ContentKind::Results510b, ELECTION, "0668");
    Keys {
        root,
        medium,
        folder,
    }
}

fn opts(root: &PublicKey) -> VerifyOptions<'_> {
    let mut o = VerifyOptions::new(root, Timestamp::parse("2022-03-18T09:00:00Z").unwrap());
    o.expected_election = Some(ELECTION);
    o.expected_kind = Some(ContentKind::Results510b);
    o
}

#[test]
fn demo_folder_export_then_import_of_a_signed_count() {
    let k = signed();
    let root_pub = k.root.public_key();
    let media = tempfile::tempdir().unwrap();
    let stick = media.path().join("stick");
    std::fs::create_dir(&stick).unwrap();
    let medium = FolderMedium::new(&stick);
    let mut audit = MemoryAudit::default();
    let verifier = SignedMediumVerifier {
        opts: opts(&root_pub),
    };
    let report = medium
        .export(
            &export_request(&k.folder, &k.medium),
            &verifier,
            &mut NoFaults,
            &mut audit,
        )
        .unwrap();
    assert!(
        report
            .verified
            .starts_with("results-510b for GR2022_WestMaasenWaal signed by GSB 0668"),
        "{}",
        report.verified
    );
    assert_eq!(report.files.len(), 3);

    let session = medium
        .open_import(ReadLimits::default(), &mut audit)
        .unwrap();
    assert_eq!(signed_folders(&session).unwrap(), vec![k.folder.clone()]);
    let mut audit = MemoryAudit::default();
    let verified = verify_signed(&session, &k.folder, &opts(&root_pub), &mut audit).unwrap();
    assert_eq!(verified.files[0].bytes, real_count());
    // Audit: manifest, signature and the payload read with their hashes, then verified.
    let reads: Vec<(String, String)> = audit
        .events
        .iter()
        .filter(|e| e.kind == AuditKind::Read)
        .map(|e| (e.file.clone().unwrap(), e.sha256.clone().unwrap()))
        .collect();
    assert!(reads.contains(&(
        format!("{}/Telling_GR2022_WestMaasenWaal.eml.xml", k.folder),
        sha256_hex(&real_count())
    )));
    assert!(reads.contains(&(
        format!("{}/manifest.txt", k.folder),
        sha256_hex(&k.medium.manifest)
    )));
    assert_eq!(audit.kinds().last(), Some(&AuditKind::Verified));
    session.close(&mut audit).unwrap();
}

#[test]
fn tampered_or_linked_files_are_refused_on_import() {
    let k = signed();
    let root_pub = k.root.public_key();
    let media = tempfile::tempdir().unwrap();
    let stick = media.path().join("stick");
    std::fs::create_dir(&stick).unwrap();
    k.medium.write_to_dir(&stick.join(&k.folder)).unwrap();
    let payload = stick
        .join(&k.folder)
        .join("Telling_GR2022_WestMaasenWaal.eml.xml");

    // One byte changed.
    let mut bytes = real_count();
    let i = bytes.len() / 2;
    bytes[i] ^= 1;
    std::fs::write(&payload, &bytes).unwrap();
    let medium = FolderMedium::new(&stick);
    let mut audit = MemoryAudit::default();
    let session = medium
        .open_import(ReadLimits::default(), &mut audit)
        .unwrap();
    let err = verify_signed(&session, &k.folder, &opts(&root_pub), &mut audit).unwrap_err();
    assert!(
        matches!(&err, MediaError::VerifyFailed(r) if r.contains("has been altered")),
        "{err}"
    );
    assert_eq!(audit.kinds().last(), Some(&AuditKind::VerifyFailed));
    drop(session);

    // The payload swapped for a symlink to the genuine file elsewhere.
    let elsewhere = media.path().join("genuine.xml");
    std::fs::write(&elsewhere, real_count()).unwrap();
    std::fs::remove_file(&payload).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &payload).unwrap();
    let session = medium
        .open_import(ReadLimits::default(), &mut audit)
        .unwrap();
    let err = verify_signed(&session, &k.folder, &opts(&root_pub), &mut audit).unwrap_err();
    assert!(
        matches!(&err, MediaError::VerifyFailed(r) if r.contains("is not a regular file")),
        "{err}"
    );
}

/// An ext4 image on a loop device, detached on drop (root only).
struct LoopStick {
    dir: tempfile::TempDir,
    dev: PathBuf,
}

impl LoopStick {
    fn new() -> LoopStick {
        let dir = tempfile::tempdir().unwrap();
        let img = dir.path().join("stick.img");
        std::fs::File::create(&img)
            .unwrap()
            .set_len(16 << 20)
            .unwrap();
        assert!(
            Command::new("mkfs.ext4")
                .args(["-F", "-q"])
                .arg(&img)
                .status()
                .unwrap()
                .success()
        );
        let out = Command::new("losetup")
            .args(["-f", "--show"])
            .arg(&img)
            .output()
            .unwrap();
        assert!(out.status.success());
        let dev = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
        LoopStick { dir, dev }
    }

    fn usb(&self, runtime: &Path) -> UsbStick {
        UsbStick::new(
            DeviceIdentity {
                vendor: Some("loop".into()),
                model: None,
                serial: None,
                devnode: self.dev.display().to_string(),
            },
            Volume {
                devnode: self.dev.clone(),
                devnum: None,
                fs: FsType::Ext4,
                partition: None,
                size_bytes: None,
            },
            runtime,
        )
        // The host's kernel has no vfat: these tests mount ext4, which only the host-test
        // policy allows (docs/media.md); the appliance's policy refuses it.
        .allowing(MediaFilesystems::host_tests_with_ext4())
    }

    fn entries(&self) -> Vec<String> {
        let m = self.dir.path().join("look");
        std::fs::create_dir_all(&m).unwrap();
        nix::mount::mount(
            Some(&self.dev),
            &m,
            Some("ext4"),
            MsFlags::MS_RDONLY,
            None::<&str>,
        )
        .unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&m)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        for _ in 0..50 {
            match nix::mount::umount2(&m, MntFlags::empty()) {
                Err(nix::errno::Errno::EBUSY) => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                other => {
                    other.unwrap();
                    names.sort();
                    return names;
                }
            }
        }
        nix::mount::umount2(&m, MntFlags::MNT_DETACH).unwrap();
        names.sort();
        names
    }
}

impl Drop for LoopStick {
    fn drop(&mut self) {
        let _ = Command::new("losetup").arg("-d").arg(&self.dev).status();
    }
}

#[test]
fn usb_stick_export_and_import_of_a_signed_count() {
    if !nix::unistd::geteuid().is_root() {
        println!("SKIPPED usb_stick_export_and_import_of_a_signed_count: needs root");
        return;
    }
    let k = signed();
    let root_pub = k.root.public_key();
    let stick = LoopStick::new();
    let run = tempfile::tempdir().unwrap();
    let usb = stick.usb(run.path());
    let mut audit = MemoryAudit::default();

    // Verified against another root key: the export fails at the verification of what was
    // read back, and the stick is left as it was.
    let other_root = SecretKey::from_seed(&[99; 32]).public_key();
    let wrong = SignedMediumVerifier {
        opts: opts(&other_root),
    };
    let err = usb
        .export(
            &export_request(&k.folder, &k.medium),
            &wrong,
            &mut NoFaults,
            &mut audit,
        )
        .unwrap_err();
    assert_eq!(err.step, ExportStep::Verify);
    assert!(
        matches!(&err.error, MediaError::VerifyFailed(r) if r.contains("trusted root")),
        "{err}"
    );
    assert_eq!(err.stick, StickState::Unchanged);
    assert_eq!(stick.entries(), vec!["lost+found"]);

    let right = SignedMediumVerifier {
        opts: opts(&root_pub),
    };
    usb.export(
        &export_request(&k.folder, &k.medium),
        &right,
        &mut NoFaults,
        &mut audit,
    )
    .unwrap();
    assert_eq!(stick.entries(), vec![k.folder.clone(), "lost+found".into()]);
    assert!(mounts_under(run.path()).unwrap().is_empty());

    let session = usb.open_import(ReadLimits::default(), &mut audit).unwrap();
    let verified = verify_signed(&session, &k.folder, &opts(&root_pub), &mut audit).unwrap();
    assert_eq!(verified.files[0].bytes, real_count());
    session.close(&mut audit).unwrap();
    assert!(mounts_under(run.path()).unwrap().is_empty());
}
