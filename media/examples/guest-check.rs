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
//!
//! Without arguments (or `--serve [RUNTIME_DIR]`) it is a scripted stand-in for the appliance's
//! program, started by the image's init as `/bin/tally` on the serial terminal: it reads one
//! command per line and answers with lines `GC {json}` (see [`serve`]); the host test
//! (`tests/guest.rs`) plugs sticks in and out over QMP between the commands.

use std::path::{Path, PathBuf};
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

/// The mounts this program made: below its runtime dir, and, when it runs unprivileged under the
/// appliance's init, at the init's mount service's slots (`tally_media::mountd`).
fn our_mounts(
    runtime: &Path,
) -> Result<Vec<tally_media::mount::MountInfo>, tally_media::MediaError> {
    let mut m = mounts_under(runtime)?;
    if tally_media::mountd::installed() {
        m.extend(mounts_under(Path::new(tally_media::mountd::MOUNT_DIR))?);
    }
    Ok(m)
}

fn main() -> std::process::ExitCode {
    // Under the appliance's init the program is unprivileged: mount through the init.
    if let Err(e) = tally_media::mountd::install_from_env() {
        eprintln!("guest-check: mount service: {e}");
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.first().is_some_and(|a| a == "--serve") {
        return serve::run(args.get(1).map_or("/run/tally", String::as_str));
    }
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
                let options = our_mounts(&runtime)
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
                    line(serde_json::json!({"error": e.to_string()}));
                }
            }
            Err(e) => {
                ok = false;
                line(serde_json::json!({"mount_error": e.to_string()}));
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
                        serde_json::json!({"export_error": f.error.to_string(), "stick": format!("{:?}", f.stick), "step": format!("{:?}", f.step)}),
                    );
                }
            }
        }
        if our_mounts(&runtime).map(|m| !m.is_empty()).unwrap_or(true) {
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

/// The scripted mode: one command per line on stdin, answers `GC {json}` on stdout, each
/// command ending with `GC {"done": "<command>"}`.
///
/// - `wait SECS`: waits up to SECS for stick events (uevents) and reports them; a removal of
///   the stick in use closes its import session and reports the mounts left (none expected).
/// - `uevents`: the raw kernel uevents seen since the last call (all subsystems), for fixtures.
/// - `record SYSPATH`: the `DiskRecord` of a disk (as `record-disk` prints it).
/// - `import TIME`: claims the one usable stick that is not in use, mounts it read-only, reports
///   the options in `/proc/self/mountinfo`, verifies every signed medium on it with the root key
///   of `/etc/tally/root.pub` at TIME, keeps the verified bytes and keeps the stick in use.
/// - `read`: lists the root of the stick in use again (fails clearly once it is pulled).
/// - `close`: closes the import session and releases the stick.
/// - `export DEVNODE FOLDER TIME [STEP]`: exports the verified medium kept by `import` to the
///   usable stick DEVNODE (written, unmounted, mounted read-only, read back, verified at TIME);
///   with STEP (an [`ExportStep`](tally_media::export::ExportStep) name) it reports
///   `{"paused": STEP}` before that step and waits for a line (`go`) first.
/// - `mounts`: the mount table (`/proc/self/mountinfo`) and what is mounted below the runtime dir.
/// - `kmsg TEXT`: the kernel log lines so far (`/dev/kmsg`) that contain TEXT (`EXT4-fs (sdb`:
///   whether the kernel's ext4 driver ever looked at a device).
/// - `poweroff`: exits with 0 (the init powers off).
mod serve {
    use std::collections::BTreeMap;
    use std::io::BufRead as _;
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    use serde_json::{Value, json};
    use tally_media::MediaError;
    use tally_media::audit::MemoryAudit;
    use tally_media::detect::Verdict;
    use tally_media::export::{ExportStep, StepHook};
    use tally_media::medium::{ImportSession, Medium, UsbStick};
    use tally_media::mount::parse_mountinfo;
    use tally_media::reader::ReadLimits;
    use tally_media::signed::{
        SignedMediumVerifier, SigningSource, export_request, signed_folders, summary,
    };
    use tally_media::tracker::StickEvent;
    use tally_media::watch::{UeventSocket, Watcher, record_syspath, system_policy};
    use tally_signing::{
        MediumFile, MediumSource, PublicKey, SIGNATURE_FILE, SignedMedium, SourceError, Timestamp,
        VerifyOptions, verify_medium,
    };

    fn say(v: Value) {
        println!("GC {v}");
    }

    fn event_json(e: &StickEvent) -> Value {
        let a = e.audit_event();
        let (devpath, verdict) = match e {
            StickEvent::Arrived(c)
            | StickEvent::Changed(c)
            | StickEvent::SecondStickIgnored(c)
            | StickEvent::IgnoredUsb(c) => (
                c.devpath.clone(),
                serde_json::to_value(&c.verdict).unwrap_or(Value::Null),
            ),
            StickEvent::Removed { devpath, .. } => (devpath.clone(), Value::Null),
        };
        let kind = match e {
            StickEvent::Arrived(_) => "arrived",
            StickEvent::Changed(_) => "changed",
            StickEvent::SecondStickIgnored(_) => "second_stick_ignored",
            StickEvent::IgnoredUsb(_) => "ignored_usb",
            StickEvent::Removed { .. } => "removed",
        };
        let in_use = matches!(
            e,
            StickEvent::Removed {
                was_in_use: true,
                ..
            }
        );
        json!({
            "event": kind, "devpath": devpath, "devnode": a.device.as_ref().map(|d| d.devnode.clone()),
            "verdict": verdict, "was_in_use": in_use, "detail": a.detail,
        })
    }

    fn mount_table() -> Value {
        let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        Value::Array(
            parse_mountinfo(&text)
                .into_iter()
                .map(|m| {
                    json!({"mount_point": m.mount_point, "fs": m.fs_type, "source": m.source,
                           "options": m.options})
                })
                .collect(),
        )
    }

    fn ours(runtime: &Path) -> Value {
        match super::our_mounts(runtime) {
            Ok(m) => Value::Array(
                m.into_iter()
                    .map(|m| {
                        json!({"mount_point": m.mount_point, "fs": m.fs_type,
                                    "source": m.source, "options": m.options})
                    })
                    .collect(),
            ),
            Err(e) => json!({"error": e.to_string()}),
        }
    }

    /// The signing crate's source over a folder that keeps a copy of what it read, so the
    /// signature file (read once, verified) can be exported again without reading the stick.
    struct Recording<'a> {
        inner: SigningSource<'a>,
        read: std::cell::RefCell<BTreeMap<String, Vec<u8>>>,
    }

    impl MediumSource for Recording<'_> {
        fn list(&self) -> Result<Vec<String>, SourceError> {
            self.inner.list()
        }
        fn read(&self, name: &str, max_len: u64) -> Result<Vec<u8>, SourceError> {
            let bytes = self.inner.read(name, max_len)?;
            self.read
                .borrow_mut()
                .insert(name.to_owned(), bytes.clone());
            Ok(bytes)
        }
    }

    /// Announces each step; pauses before one until a line arrives on stdin.
    struct Hook {
        pause_at: Option<ExportStep>,
        seen: Vec<String>,
    }

    impl StepHook for Hook {
        fn before(&mut self, step: ExportStep) -> Result<(), MediaError> {
            self.seen.push(format!("{step:?}"));
            if self.pause_at == Some(step) {
                self.pause_at = None;
                say(json!({"paused": format!("{step:?}")}));
                let mut l = String::new();
                let _ = std::io::stdin().lock().read_line(&mut l);
                say(json!({"resumed": format!("{step:?}")}));
            }
            Ok(())
        }
    }

    struct State {
        runtime: PathBuf,
        watcher: Watcher,
        raw: Option<UeventSocket>,
        session: Option<(String, ImportSession)>,
        kept: Option<(String, String, SignedMedium)>,
        root: Option<PublicKey>,
        audit: MemoryAudit,
    }

    fn root_key() -> Result<PublicKey, String> {
        let bytes = std::fs::read("/etc/tally/root.pub").map_err(|e| e.to_string())?;
        let arr: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| format!("root key has {} bytes", bytes.len()))?;
        PublicKey::from_bytes(&arr).map_err(|e| e.to_string())
    }

    /// Entry point of the scripted mode.
    pub fn run(runtime: &str) -> std::process::ExitCode {
        let runtime = PathBuf::from(runtime);
        if let Err(e) = std::fs::create_dir_all(&runtime) {
            say(json!({"error": format!("create {}: {e}", runtime.display())}));
        }
        let policy = system_policy(&runtime);
        say(json!({"policy": {"boot_partuuids": policy.boot_partuuids,
                              "system_devnums": policy.system_devnums,
                              "kernel_filesystems": policy.kernel_filesystems,
                              "media_filesystems": policy.media_filesystems.allowed()}}));
        let raw = UeventSocket::open()
            .map_err(|e| say(json!({"error": format!("raw monitor: {e}")})))
            .ok();
        let watcher = match Watcher::new(policy) {
            Ok(w) => w,
            Err(e) => {
                say(json!({"error": e.to_string()}));
                return std::process::ExitCode::FAILURE;
            }
        };
        let mut st = State {
            runtime,
            watcher,
            raw,
            session: None,
            kept: None,
            root: None,
            audit: MemoryAudit::default(),
        };
        match root_key() {
            Ok(k) => {
                say(json!({"root_key": k.fingerprint().to_hex()}));
                st.root = Some(k);
            }
            Err(e) => say(json!({"error": format!("/etc/tally/root.pub: {e}")})),
        }
        match st.watcher.scan() {
            Ok(events) => events.iter().for_each(|e| say(event_json(e))),
            Err(e) => say(json!({"error": e.to_string()})),
        }
        say(json!({"ready": true}));
        let stdin = std::io::stdin();
        loop {
            let mut l = String::new();
            match stdin.lock().read_line(&mut l) {
                Ok(0) | Err(_) => std::thread::sleep(Duration::from_millis(200)),
                Ok(_) => {}
            }
            let words: Vec<&str> = l.split_whitespace().collect();
            let Some(cmd) = words.first().copied() else {
                continue;
            };
            let started = Instant::now();
            match cmd {
                "wait" => wait(
                    &mut st,
                    words.get(1).and_then(|s| s.parse().ok()).unwrap_or(10),
                ),
                "uevents" => uevents(&mut st),
                "record" => match words.get(1) {
                    Some(p) => match record_syspath(Path::new(p)) {
                        Ok(r) => say(json!({"record": r})),
                        Err(e) => say(json!({"error": e.to_string()})),
                    },
                    None => say(json!({"error": "record SYSPATH"})),
                },
                "import" => import(
                    &mut st,
                    words.get(1).copied(),
                    words.get(2) == Some(&"pause"),
                ),
                "read" => match &st.session {
                    Some((_, s)) => match s.reader().list_dir("") {
                        Ok(l) => {
                            say(json!({"read": l.into_iter().map(|e| e.name).collect::<Vec<_>>()}))
                        }
                        Err(e) => say(
                            json!({"read_error": e.to_string(), "looks_removed": e.looks_removed()}),
                        ),
                    },
                    None => say(json!({"read_error": "no stick in use"})),
                },
                "close" => close(&mut st),
                "export" => export(&mut st, &words),
                "mounts" => say(json!({"mounts": mount_table(), "ours": ours(&st.runtime)})),
                "kmsg" => kmsg(words.get(1..).map(|w| w.join(" ")).unwrap_or_default()),
                "poweroff" => {
                    say(json!({"done": "poweroff"}));
                    return std::process::ExitCode::SUCCESS;
                }
                other => say(json!({"error": format!("unknown command {other}")})),
            }
            say(
                json!({"done": cmd, "ms": u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)}),
            );
        }
    }

    /// The kernel log so far, from `/dev/kmsg` (opened non-blocking: each read is one record,
    /// `EAGAIN` at the end), the message parts that contain `text`.
    fn kmsg(text: String) {
        use std::io::Read as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_NONBLOCK)
            .open("/dev/kmsg");
        let mut file = match file {
            Ok(f) => f,
            Err(e) => return say(json!({"error": format!("/dev/kmsg: {e}")})),
        };
        let mut lines = Vec::new();
        let mut records = 0u64;
        let mut buf = vec![0u8; 8192];
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    records += 1;
                    let rec = String::from_utf8_lossy(buf.get(..n).unwrap_or_default());
                    // "prio,seq,time,flags;message\n" (+ continuation lines)
                    let msg = rec.split_once(';').map_or(&*rec, |(_, m)| m);
                    let msg = msg.lines().next().unwrap_or_default();
                    if msg.contains(&text) {
                        lines.push(msg.to_owned());
                    }
                }
                // EPIPE: records were overwritten before they were read; go on.
                Err(e) if e.raw_os_error() == Some(nix::libc::EPIPE) => {}
                Err(_) => break, // EAGAIN: the end
            }
        }
        say(json!({"kmsg": lines, "records": records}));
    }

    fn wait(st: &mut State, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match st.watcher.wait(left) {
                Ok(events) => {
                    for e in &events {
                        say(event_json(e));
                        if let StickEvent::Removed {
                            was_in_use: true,
                            devpath,
                            ..
                        } = e
                        {
                            removed_in_use(st, devpath);
                        }
                    }
                    if !events.is_empty() || left.is_zero() {
                        return;
                    }
                }
                Err(e) => {
                    say(json!({"error": e.to_string()}));
                    return;
                }
            }
        }
    }

    /// The stick in use was pulled: whatever was being done with it has failed; the session
    /// is closed (unmount, falling back to a lazy detach) and the mounts left are reported.
    fn removed_in_use(st: &mut State, devpath: &str) {
        if let Some((p, session)) = st.session.take() {
            let read = session.reader().list_dir("").map(|_| ());
            let closed = session.close(&mut st.audit);
            say(json!({
                "removed_in_use": p == devpath,
                "read_after_removal": match &read { Ok(()) => "ok".to_string(), Err(e) => e.to_string() },
                "close": match &closed { Ok(()) => "ok".to_string(), Err(e) => e.to_string() },
                "ours": ours(&st.runtime),
            }));
        }
    }

    fn uevents(st: &mut State) {
        let Some(sock) = st.raw.as_mut() else {
            say(json!({"error": "no raw monitor"}));
            return;
        };
        match sock.receive() {
            Ok(received) => {
                if received.overflowed {
                    say(json!({"error": "uevents lost (ENOBUFS)"}));
                }
                for mut props in received.events {
                    // As `udevadm monitor --kernel --property` prints it (the fixtures' form).
                    if let Some(name) = props.get_mut("DEVNAME") {
                        *name = format!("/dev/{name}");
                    }
                    say(json!({"uevent": props}));
                }
            }
            Err(e) => say(json!({"error": e.to_string()})),
        }
    }

    fn parse_time(s: Option<&str>) -> Result<Timestamp, String> {
        let s = s.ok_or("missing TIME")?;
        Timestamp::parse(s).map_err(|e| format!("{s}: {e}"))
    }

    fn import(st: &mut State, time: Option<&str>, pause: bool) {
        let now = match parse_time(time) {
            Ok(t) => t,
            Err(e) => return say(json!({"error": e})),
        };
        let Some(root) = st.root else {
            return say(json!({"error": "no root key"}));
        };
        let in_use = st.watcher.tracker().in_use().map(str::to_owned);
        let candidates: Vec<_> = st
            .watcher
            .tracker()
            .present()
            .filter(|c| matches!(c.verdict, Verdict::Usable(_)))
            .filter(|c| Some(c.devpath.as_str()) != in_use.as_deref())
            .cloned()
            .collect();
        let [c] = candidates.as_slice() else {
            return say(json!({"error": format!("{} usable sticks not in use", candidates.len())}));
        };
        if let Err(e) = st.watcher.tracker().claim(&c.devpath) {
            return say(json!({"error": format!("claim: {e:?}")}));
        }
        let Some(stick) = UsbStick::from_classification(c, &st.runtime) else {
            return;
        };
        let session = match stick.open_import(ReadLimits::default(), &mut st.audit) {
            Ok(s) => s,
            Err(e) => {
                st.watcher.tracker().release();
                return say(json!({"import_error": e.to_string()}));
            }
        };
        say(json!({"mounted": c.identity.devnode, "ours": ours(&st.runtime)}));
        let folders = match signed_folders(&session) {
            Ok(f) => f,
            Err(e) => {
                say(json!({"import_error": e.to_string()}));
                st.session = Some((c.devpath.clone(), session));
                return;
            }
        };
        for folder in &folders {
            let opts = VerifyOptions::new(&root, now);
            let mut sig = Vec::new();
            let outcome = session.verify_with(
                folder,
                |view| {
                    if pause {
                        say(json!({"paused": "verify"}));
                        let mut l = String::new();
                        let _ = std::io::stdin().lock().read_line(&mut l);
                        say(json!({"resumed": "verify"}));
                    }
                    let src = Recording {
                        inner: SigningSource::new(*view),
                        read: Default::default(),
                    };
                    let v = verify_medium(&src, &opts);
                    sig = src
                        .read
                        .borrow()
                        .get(SIGNATURE_FILE)
                        .cloned()
                        .unwrap_or_default();
                    v
                },
                summary,
                &mut st.audit,
            );
            match outcome {
                Ok(v) => {
                    say(json!({
                        "verified": folder, "summary": summary(&v),
                        "files": v.files.iter().map(|f| json!({"name": f.name, "bytes": f.bytes.len(),
                            "sha256": hex::encode(f.sha256)})).collect::<Vec<_>>(),
                    }));
                    let election = v.election().to_owned();
                    let medium = SignedMedium {
                        manifest: v.manifest.as_bytes().to_vec(),
                        signature: sig,
                        files: v
                            .files
                            .into_iter()
                            .map(|f| MediumFile {
                                name: f.name,
                                bytes: f.bytes,
                            })
                            .collect(),
                    };
                    st.kept = Some((folder.clone(), election, medium));
                }
                Err(e) => {
                    // The library tells a vanished stick from a bad medium (vfat answers
                    // lookups on a vanished device with ENOENT): no guessing here.
                    say(json!({"verify_error": e.to_string(), "folder": folder,
                               "looks_removed": e.looks_removed(), "error": e.to_string(), "removed_while_reading": matches!(e, tally_media::MediaError::Removed { .. })}));
                }
            }
        }
        st.session = Some((c.devpath.clone(), session));
    }

    fn close(st: &mut State) {
        if let Some((_, s)) = st.session.take() {
            match s.close(&mut st.audit) {
                Ok(()) => say(json!({"closed": true})),
                Err(e) => say(json!({"close_error": e.to_string()})),
            }
        }
        st.watcher.tracker().release();
        say(json!({"ours": ours(&st.runtime)}));
    }

    fn export(st: &mut State, words: &[&str]) {
        let (Some(devnode), Some(folder)) = (words.get(1), words.get(2)) else {
            return say(json!({"error": "export DEVNODE FOLDER TIME [STEP]"}));
        };
        let now = match parse_time(words.get(3).copied()) {
            Ok(t) => t,
            Err(e) => return say(json!({"error": e})),
        };
        let pause_at = words
            .get(4)
            .and_then(|s| ExportStep::ALL.into_iter().find(|x| format!("{x:?}") == *s));
        let (Some(root), Some((_, election, medium))) = (st.root, st.kept.clone()) else {
            return say(json!({"error": "nothing imported to export"}));
        };
        let Some(c) = st
            .watcher
            .tracker()
            .present()
            .find(|c| c.identity.devnode == *devnode)
            .cloned()
        else {
            return say(json!({"error": format!("{devnode}: no such stick")}));
        };
        let Some(stick) = UsbStick::from_classification(&c, &st.runtime) else {
            return say(json!({"error": format!("{devnode}: not usable")}));
        };
        let mut opts = VerifyOptions::new(&root, now);
        opts.expected_election = Some(&election);
        let verifier = SignedMediumVerifier { opts };
        let mut hook = Hook {
            pause_at,
            seen: Vec::new(),
        };
        let req = export_request(folder, &medium);
        let outcome = stick.export(&req, &verifier, &mut hook, &mut st.audit);
        match outcome {
            Ok(r) => say(json!({
                "exported": r.folder, "verified": r.verified, "steps": hook.seen,
                "files": r.files.iter().map(|f| json!({"path": f.path, "bytes": f.bytes, "sha256": f.sha256})).collect::<Vec<_>>(),
            })),
            Err(f) => say(json!({
                "export_error": f.error.to_string(), "step": format!("{:?}", f.step),
                "stick": format!("{:?}", f.stick), "looks_removed": f.error.looks_removed(),
                "steps": hook.seen,
            })),
        }
        // The appliance's copy is untouched: verify it again from memory.
        let mem = tally_signing::MemorySource {
            files: req
                .files
                .iter()
                .map(|f| (f.name.to_owned(), f.bytes.to_vec()))
                .collect(),
        };
        say(json!({
            "kept_still_verifies": verify_medium(&mem, &verifier.opts).is_ok(),
            "ours": ours(&st.runtime),
        }));
    }
}
