//! Demo mode: plain folders standing in for sticks go through the same reader, refusals, export
//! steps (minus mounting), verifier seam and audit events as real sticks. Runs without root.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use tally_media::MediaError;
use tally_media::audit::{AuditKind, JsonLinesAudit, MemoryAudit};
use tally_media::export::{ExportFile, ExportRequest, ExportStep, FailAt, NoFaults, StickState};
use tally_media::medium::{FolderMedium, Medium};
use tally_media::reader::{ReadLimits, sha256_hex};
use tally_media::verify::FolderView;

/// A test verifier: `manifest.txt` lists `name sha256` per file; all must match.
fn manifest_verifier(view: &FolderView<'_>) -> Result<String, String> {
    let manifest = view.read("manifest.txt", 4096).map_err(|e| e.to_string())?;
    let text = String::from_utf8(manifest).map_err(|e| e.to_string())?;
    let mut n = 0;
    for line in text.lines() {
        let (name, hash) = line.split_once(' ').ok_or("bad manifest line")?;
        let bytes = view.read(name, 1 << 20).map_err(|e| e.to_string())?;
        if sha256_hex(&bytes) != hash {
            return Err(format!("{name}: hash differs"));
        }
        n += 1;
    }
    Ok(format!("{n} files match the manifest"))
}

fn write_medium(dir: &Path, files: &[(&str, &[u8])]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut manifest = String::new();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
        manifest.push_str(&format!("{name} {}\n", sha256_hex(bytes)));
    }
    std::fs::write(dir.join("manifest.txt"), manifest).unwrap();
}

fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in walkdir(dir) {
        out.push(e);
    }
    out.sort();
    out
}

fn walkdir(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_dir() {
            out.push(format!("{name}/"));
            out.extend(
                walkdir(&e.path())
                    .into_iter()
                    .map(|s| format!("{name}/{s}")),
            );
        } else {
            out.push(format!(
                "{name} {}",
                sha256_hex(&std::fs::read(e.path()).unwrap())
            ));
        }
    }
    out
}

#[test]
fn media_dir_lists_each_subfolder_as_a_stick() {
    let media = tempfile::tempdir().unwrap();
    std::fs::create_dir(media.path().join("stick-b")).unwrap();
    std::fs::create_dir(media.path().join("stick-a")).unwrap();
    std::fs::write(media.path().join("not-a-stick.txt"), b"x").unwrap();
    std::os::unix::fs::symlink("stick-a", media.path().join("link-to-a")).unwrap();
    let all = FolderMedium::all_in(media.path()).unwrap();
    let names: Vec<_> = all
        .iter()
        .map(|m| m.identity().model.clone().unwrap())
        .collect();
    assert_eq!(names, vec!["stick-a", "stick-b"]);
    assert_eq!(all[0].identity().vendor.as_deref(), Some("demo"));
}

#[test]
fn import_from_a_folder_verifies_and_audits_hashes() {
    let media = tempfile::tempdir().unwrap();
    let stick = media.path().join("gsb-0668");
    write_medium(
        &stick.join("definitie"),
        &[("Verkiezingsdefinitie.eml.xml", b"<EML/>")],
    );
    let medium = FolderMedium::new(&stick);
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("audit.jsonl");
    let mut audit = JsonLinesAudit::open(&log_path).unwrap();
    let session = medium
        .open_import(ReadLimits::default(), &mut audit)
        .unwrap();
    assert_eq!(session.folders().unwrap(), vec!["definitie"]);
    let summary = session
        .verify("definitie", &manifest_verifier, &mut audit)
        .unwrap();
    assert_eq!(summary, "1 files match the manifest");
    session.close(&mut audit).unwrap();
    drop(audit);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["mounted", "read", "read", "verified"]);
    assert_eq!(lines[2]["file"], "definitie/Verkiezingsdefinitie.eml.xml");
    assert_eq!(lines[2]["sha256"], sha256_hex(b"<EML/>"));
    assert_eq!(lines[1]["device"]["model"], "gsb-0668");
}

#[test]
fn a_symlink_in_a_demo_folder_is_refused_like_on_a_stick() {
    let media = tempfile::tempdir().unwrap();
    let stick = media.path().join("stick");
    write_medium(&stick.join("m"), &[("a.xml", b"<a/>")]);
    std::fs::remove_file(stick.join("m/a.xml")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", stick.join("m/a.xml")).unwrap();
    let medium = FolderMedium::new(&stick);
    let mut audit = MemoryAudit::default();
    let session = medium
        .open_import(ReadLimits::default(), &mut audit)
        .unwrap();
    let err = session
        .verify("m", &manifest_verifier, &mut audit)
        .unwrap_err();
    assert!(
        matches!(&err, MediaError::VerifyFailed(r) if r == "symbolic link refused: m/a.xml"),
        "{err}"
    );
    assert_eq!(
        audit.kinds(),
        vec![
            AuditKind::Mounted,
            AuditKind::Refused,
            AuditKind::Read,
            AuditKind::VerifyFailed
        ]
    );
    assert_eq!(audit.events[1].detail, "symbolic link refused: m/a.xml");
}

#[test]
fn export_to_a_folder_and_a_fault_at_each_step() {
    let media = tempfile::tempdir().unwrap();
    let stick = media.path().join("stick");
    std::fs::create_dir_all(stick.join("eerder")).unwrap();
    std::fs::write(stick.join("eerder/old.xml"), b"<old/>").unwrap();
    let before = tree(&stick);
    let medium = FolderMedium::new(&stick);
    let payload: &[u8] = b"<EML>0668</EML>";
    let manifest = format!("uitslag.eml.xml {}\n", sha256_hex(payload));
    let req = ExportRequest {
        folder: "uitslag-0668",
        files: vec![
            ExportFile {
                name: "uitslag.eml.xml",
                bytes: payload,
            },
            ExportFile {
                name: "manifest.txt",
                bytes: manifest.as_bytes(),
            },
        ],
    };
    let mounting = [
        ExportStep::MountReadWrite,
        ExportStep::UnmountReadWrite,
        ExportStep::MountReadOnly,
        ExportStep::UnmountReadOnly,
    ];
    for step in ExportStep::ALL {
        let mut audit = MemoryAudit::default();
        let mut hook = FailAt::new(step);
        let result = medium.export(&req, &manifest_verifier, &mut hook, &mut audit);
        assert!(
            !hook.seen.iter().any(|s| mounting.contains(s)),
            "a folder is never mounted"
        );
        if mounting.contains(&step) {
            assert!(result.is_ok());
            std::fs::remove_dir_all(stick.join("uitslag-0668")).unwrap();
            continue;
        }
        let err = result.unwrap_err();
        assert_eq!(err.step, step);
        assert_eq!(err.stick, StickState::Unchanged);
        assert_eq!(tree(&stick), before, "{step:?}");
        assert_eq!(audit.kinds().last(), Some(&AuditKind::ExportFailed));
    }
    let mut audit = MemoryAudit::default();
    let report = medium
        .export(&req, &manifest_verifier, &mut NoFaults, &mut audit)
        .unwrap();
    assert_eq!(report.verified, "1 files match the manifest");
    assert_eq!(
        std::fs::read(stick.join("uitslag-0668/uitslag.eml.xml")).unwrap(),
        payload
    );
    assert_eq!(
        audit.kinds(),
        vec![
            AuditKind::Written,
            AuditKind::Written,
            AuditKind::ExportDone
        ]
    );
}

#[test]
fn export_names_must_be_portable_and_unique() {
    let media = tempfile::tempdir().unwrap();
    let medium = FolderMedium::new(media.path());
    let mut audit = MemoryAudit::default();
    for (folder, file) in [
        ("../x", "a"),
        ("ok", ".hidden"),
        ("ok", "a b"),
        ("ok", "x/y"),
        ("", "a"),
    ] {
        let req = ExportRequest {
            folder,
            files: vec![ExportFile {
                name: file,
                bytes: b"",
            }],
        };
        let err = medium
            .export(&req, &manifest_verifier, &mut NoFaults, &mut audit)
            .unwrap_err();
        assert!(
            matches!(err.error, MediaError::BadName { .. }),
            "{folder} {file}: {err}"
        );
    }
    let twice = ExportRequest {
        folder: "ok",
        files: vec![
            ExportFile {
                name: "a",
                bytes: b"1",
            },
            ExportFile {
                name: "a",
                bytes: b"2",
            },
        ],
    };
    let err = medium
        .export(&twice, &manifest_verifier, &mut NoFaults, &mut audit)
        .unwrap_err();
    assert!(matches!(
        err.error,
        MediaError::BadName {
            why: "appears twice in the export",
            ..
        }
    ));
    assert_eq!(std::fs::read_dir(media.path()).unwrap().count(), 0);
}
