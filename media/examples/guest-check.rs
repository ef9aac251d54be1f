//! A self-check to run inside the appliance's QEMU guest (the hook for the vfat and hot-plug
//! tests that this host cannot run): prints one JSON object per line on stdout.
//!
//! `guest-check RUNTIME_DIR [--wait SECONDS] [--export FOLDER]`
//!
//! 1. Builds the system policy (boot PARTUUID, system mounts, kernel file systems), starts the
//!    kernel-uevent watcher and reports every stick present (`{"event": ...}`).
//! 2. With `--wait`, waits that long for insertions/removals (QMP `device_add`/`device_del`) and
//!    reports them.
//! 3. For every usable stick: mounts it read-only, reports the mount options the kernel shows
//!    (`{"mounted": ..., "options": [...]}`) and the top-level entries, unmounts.
//! 4. With `--export`, exports a two-file folder with a hash manifest to each usable stick,
//!    reads it back and verifies it (`{"export": ...}`).
//!
//! Exit code 0 when every step succeeded.

use std::path::PathBuf;
use std::time::Duration;

use tally_media::audit::MemoryAudit;
use tally_media::detect::Verdict;
use tally_media::export::{ExportFile, ExportRequest, NoFaults};
use tally_media::medium::{Medium, UsbStick};
use tally_media::mount::mounts_under;
use tally_media::reader::{ReadLimits, sha256_hex};
use tally_media::tracker::StickEvent;
use tally_media::verify::FolderView;
use tally_media::watch::{Watcher, system_policy};

fn line(v: serde_json::Value) {
    println!("{v}");
}

fn event_json(e: &StickEvent) -> serde_json::Value {
    let a = e.audit_event();
    serde_json::json!({
        "event": a.kind,
        "device": a.device,
        "detail": a.detail,
    })
}

fn manifest_check(view: &FolderView<'_>) -> Result<String, String> {
    let text = String::from_utf8(view.read("manifest.txt", 4096).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    for l in text.lines() {
        let (name, hash) = l.split_once(' ').ok_or("bad manifest line")?;
        let bytes = view.read(name, 1 << 20).map_err(|e| e.to_string())?;
        if sha256_hex(&bytes) != hash {
            return Err(format!("{name}: hash differs"));
        }
    }
    Ok("manifest matches".into())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(runtime) = args.first().map(PathBuf::from) else {
        eprintln!("usage: guest-check RUNTIME_DIR [--wait SECONDS] [--export FOLDER]");
        return std::process::ExitCode::FAILURE;
    };
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i.saturating_add(1)))
            .cloned()
    };
    let wait: u64 = opt("--wait").and_then(|s| s.parse().ok()).unwrap_or(0);
    let export = opt("--export");
    let mut ok = true;

    let policy = system_policy(&runtime);
    line(serde_json::json!({
        "policy": {
            "boot_partuuids": policy.boot_partuuids,
            "system_devnums": policy.system_devnums,
            "kernel_filesystems": policy.kernel_filesystems,
        }
    }));
    let mut watcher = match Watcher::new(policy) {
        Ok(w) => w,
        Err(e) => {
            line(serde_json::json!({"error": e.to_string()}));
            return std::process::ExitCode::FAILURE;
        }
    };
    match watcher.scan() {
        Ok(events) => events.iter().for_each(|e| line(event_json(e))),
        Err(e) => {
            ok = false;
            line(serde_json::json!({"error": e.to_string()}));
        }
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(wait);
    while std::time::Instant::now() < deadline {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match watcher.wait(left) {
            Ok(events) => events.iter().for_each(|e| line(event_json(e))),
            Err(e) => {
                ok = false;
                line(serde_json::json!({"error": e.to_string()}));
                break;
            }
        }
    }

    let usable: Vec<_> = watcher
        .tracker()
        .present()
        .filter(|c| matches!(c.verdict, Verdict::Usable(_)))
        .cloned()
        .collect();
    for c in usable {
        let Some(stick) = UsbStick::from_classification(&c, &runtime) else {
            continue;
        };
        let mut audit = MemoryAudit::default();
        match stick.open_import(ReadLimits::default(), &mut audit) {
            Ok(session) => {
                let options = mounts_under(&runtime)
                    .ok()
                    .and_then(|m| m.into_iter().next())
                    .map(|m| (m.fs_type, m.options))
                    .unwrap_or_default();
                let entries = session
                    .reader()
                    .list_dir("")
                    .map(|l| l.into_iter().map(|e| e.name).collect::<Vec<_>>())
                    .unwrap_or_default();
                line(serde_json::json!({
                    "mounted": c.identity.devnode, "fs": options.0, "options": options.1,
                    "entries": entries,
                }));
                if let Err(e) = session.close(&mut audit) {
                    ok = false;
                    line(serde_json::json!({"error": e.melding()}));
                }
            }
            Err(e) => {
                ok = false;
                line(serde_json::json!({"mount_error": e.melding()}));
            }
        }
        if let Some(folder) = &export {
            let payload = b"<EML>guest-check</EML>\n";
            let manifest = format!("payload.xml {}\n", sha256_hex(payload));
            let req = ExportRequest {
                folder,
                files: vec![
                    ExportFile {
                        name: "payload.xml",
                        bytes: payload,
                    },
                    ExportFile {
                        name: "manifest.txt",
                        bytes: manifest.as_bytes(),
                    },
                ],
            };
            match stick.export(&req, &manifest_check, &mut NoFaults, &mut audit) {
                Ok(r) => line(serde_json::json!({"export": r.folder, "verified": r.verified})),
                Err(f) => {
                    ok = false;
                    line(
                        serde_json::json!({"export_error": f.melding(), "step": format!("{:?}", f.step)}),
                    );
                }
            }
        }
        if mounts_under(&runtime)
            .map(|m| !m.is_empty())
            .unwrap_or(true)
        {
            ok = false;
            line(serde_json::json!({"error": "mount left behind"}));
        }
    }
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
