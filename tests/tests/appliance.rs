//! The appliance end to end, in QEMU with OVMF and Secure Boot enforced (own keys enrolled), no
//! KVM: the counting body of the Kiesraad's test election Juinen (municipality 0042) counts on
//! the real image.
//!
//! 1. `tally-provision` makes a root, the GSB certificate and key of Juinen, an authority
//!    certificate, and signs the Juinen definition (110a, 230b, 110b from `shared/eml/synthetic`);
//!    a second, unrelated root signs the same files (the forgery).
//! 2. `tally-image`'s pipeline builds the signed UKI with the real `tally` terminal and that
//!    root key; `tally-provision stick` writes the certified stick (ESP with the UKI, ext4 data
//!    partition with `body.cert` and `body.key`), the boot disk, a USB stick.
//! 3. Boot 1: the start screen shows the root's fingerprint, the body and the system's
//!    identity (the SHA-256 of the signed UKI, computed here from the file); the passphrase is
//!    typed over the serial line. The forged definition stick is hot-plugged (QMP), chosen and
//!    refused on screen, nothing imported; the real one is plugged, chosen, the asked hash-code
//!    groups (read from the screen, computed here from the files) typed, and the definition
//!    imported. Stations 1 and 2 are typed twice (Anna, Bert); station 2's blank votes raise a
//!    warning (W.201) that the coordinator acknowledges; station 3's first entry gets five
//!    fields, then the power is cut (QMP `quit`).
//! 4. Boot 2 (the same stick): after the passphrase the entry is back with all five fields; it
//!    is finished, typed a second time, and the count exported to a blank hot-plugged vfat stick,
//!    which is pulled. On the host, `mcopy` reads the export, `tally-provision verify` accepts
//!    it, and its 510b totals are the sums of the typed paper reports.
//!
//! The terminal runs unprivileged (uid 1000, no capability, seccomp; issue 17, point 1): in both
//! boots the console log shows PID 1's mount service mounting the sticks for it and refusing
//! the boot stick's data partition it asked about.
//!
//! Needs what `image/tests/boot.rs` needs (scripts/test: qemu-system-x86 ovmf sbsigntool
//! systemd-boot-efi dosfstools mtools cpio zstd kmod openssl faketime binutils fdisk, the musl
//! target, virt-fw-vars, the Debian mirror once).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sha2::Digest as _;
use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::entry::{EntryShape, ExplanationKind, FieldId};
use tally_core::ids::ListNumber;
use tally_e2e::{Screen, asked_groups, entry_fields, grouped, hash_group, totals_510b};
use tally_image::qemu::Vm;
use tally_image::testbed::{BOOT_TIMEOUT, TestBed, build_musl_inits};

const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/synthetic");
const F110A: &str = "eml110a_verkiezingsdefinitie-juinen.eml.xml";
const F230B: &str = "eml230b_kandidatenlijsten-juinen.eml.xml";
const F110B: &str = "eml110b_stembureaulijst-juinen.eml.xml";
const ELECTION: &str = "GR2025_Juinen";
const GSB_PASS: &str = "gemeente Juinen telt";

const ENTER: &[u8] = b"\r";
const UP: &[u8] = b"\x1b[A";
const DOWN: &[u8] = b"\x1b[B";
const PAGE_UP: &[u8] = b"\x1b[5~";
/// F9 (the people) as a VT220 sends it.
const F9: &[u8] = b"\x1b[20~";
/// Esc, alone.
const ESC: &[u8] = b"\x1b";
/// The PIN of every person registered on the appliance.
const PIN: &[u8] = b"40417";
/// How long one typed entry (about 110 fields) may take on a loaded machine.
const ENTRY_TIMEOUT: Duration = Duration::from_secs(300);
const SCREEN_TIMEOUT: Duration = Duration::from_secs(120);

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds the real terminal and the provisioning tool (debug, like the rest of the tests).
fn build_programs() -> (PathBuf, PathBuf) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo)
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["build", "--quiet", "-p", "tally-tui", "--bin", "tally"])
        .args(["-p", "tally-provision", "--bin", "tally-provision"]));
    let d = target_dir().join("debug");
    (d.join("tally"), d.join("tally-provision"))
}

/// `tally-provision` in one folder: a root, certificates, a signed definition.
struct Authority {
    bin: PathBuf,
    dir: PathBuf,
}

impl Authority {
    fn new(bin: &Path, dir: &Path) -> Authority {
        std::fs::create_dir_all(dir).unwrap();
        for (name, pass) in [
            ("root.pass", "root passphrase of the test\n"),
            ("auth.pass", "authority signing passphrase\n"),
            ("gsb.pass", &format!("{GSB_PASS}\n")),
        ] {
            std::fs::write(dir.join(name), pass).unwrap();
        }
        let a = Authority {
            bin: bin.to_path_buf(),
            dir: dir.to_path_buf(),
        };
        a.tool(&[
            "init-authority",
            "--out-dir",
            a.p(""),
            "--passphrase-file",
            a.p("root.pass"),
        ]);
        a
    }

    fn p(&self, name: &str) -> &'static str {
        let s = self.dir.join(name).display().to_string();
        Box::leak(s.into_boxed_str())
    }

    fn tool(&self, args: &[&str]) -> String {
        run(Command::new(&self.bin).args(args))
    }

    fn issue(&self, role: &str, id: &str, name: &str, pass: &str) {
        self.tool(&[
            "issue",
            "--authority-key",
            self.p("authority.key"),
            "--authority-passphrase-file",
            self.p("root.pass"),
            "--role",
            role,
            "--identifier",
            id,
            "--name",
            name,
            "--election",
            ELECTION,
            "--valid-from",
            "2025-01-01",
            "--valid-until",
            "2099-12-31",
            "--out-dir",
            self.p("keys"),
            "--passphrase-file",
            self.p(pass),
        ]);
    }

    /// Signs the Juinen definition; returns the medium's folder.
    fn sign_definition(&self) -> PathBuf {
        self.issue("authority", "Kiesraad", "Kiesraad", "auth.pass");
        let (a, b, c) = (
            format!("{SYNTHETIC}/{F110A}"),
            format!("{SYNTHETIC}/{F230B}"),
            format!("{SYNTHETIC}/{F110B}"),
        );
        self.tool(&[
            "sign-definition",
            "--key",
            self.p("keys/GR2025_Juinen_Kiesraad.key"),
            "--cert",
            self.p("keys/GR2025_Juinen_Kiesraad.cert"),
            "--passphrase-file",
            self.p("auth.pass"),
            "--eml-110a",
            &a,
            "--eml-230b",
            &b,
            "--eml-110b",
            &c,
            "--out-dir",
            self.p("media"),
            "--created",
            "2025-08-29T10:00:00Z",
        ]);
        self.dir
            .join("media/GR2025_Juinen_Kiesraad_election-definition.tally")
    }

    /// The root's fingerprint: SHA-256 of the 32 key bytes in `authority.pub`.
    fn root_fingerprint(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("authority.pub")).unwrap();
        let hex_key = text
            .lines()
            .find_map(|l| l.strip_prefix("public-key: "))
            .unwrap();
        hex::encode(sha2::Sha256::digest(hex::decode(hex_key).unwrap()))
    }
}

/// A partitionless vfat stick (`mkfs.vfat -C`, `mcopy`), holding `folder` (if any) at its root.
fn vfat_stick(img: &Path, label: &str, folder: Option<&Path>) {
    let _ = std::fs::remove_file(img);
    run(Command::new("mkfs.vfat")
        .args(["-C", "-n", label])
        .arg(img)
        .arg("16384"));
    if let Some(f) = folder {
        run(Command::new("mcopy")
            .arg("-s")
            .arg("-i")
            .arg(img)
            .arg(f)
            .arg("::/"));
    }
}

/// The appliance's serial terminal: keys in, a VT100 screen model out.
struct Term {
    vm: Vm,
    screen: Screen,
}

impl Term {
    fn text(&mut self) -> String {
        self.screen.feed_all(self.vm.console_bytes());
        self.screen.text()
    }

    fn wait(&mut self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.text();
            if ok(&s) {
                return s;
            }
            if !self.vm.running() || start.elapsed() > timeout {
                let log = self.vm.serial0();
                let tail: String = log
                    .chars()
                    .rev()
                    .take(3000)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                panic!(
                    "{what}: not on the screen after {:?}; screen:\n{s}\n--- serial0 ---\n{tail}",
                    start.elapsed()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for(&mut self, text: &str) -> String {
        self.wait(text, SCREEN_TIMEOUT, |s| s.contains(text))
    }

    fn keys(&mut self, bytes: &[u8]) {
        self.vm.send_bytes(bytes).unwrap();
    }

    /// From the overview: selects station `n` (1-based), checks the highlight, presses Enter.
    ///
    /// One arrow key at a time, each waited for on the screen: the guest's UART takes 16 bytes
    /// at a time, and an escape sequence cut at that boundary reaches the program as a lone Esc
    /// and two letters (a real keyboard never splits one). Several arrows written at once did
    /// exactly that once (5 x Up + the Esc of a Down = 16 bytes).
    fn select(&mut self, n: u32) {
        fn highlighted(s: &str) -> Option<u32> {
            s.lines()
                .find(|l| l.starts_with('>'))
                .and_then(|l| l[1..].split_whitespace().next())
                .and_then(|w| w.parse().ok())
        }
        let start = Instant::now();
        loop {
            let s = self.text();
            let Some(at) = highlighted(&s) else {
                assert!(
                    start.elapsed() < SCREEN_TIMEOUT,
                    "no station highlighted:\n{s}"
                );
                std::thread::sleep(Duration::from_millis(100));
                continue;
            };
            if at == n {
                break;
            }
            assert!(
                start.elapsed() < SCREEN_TIMEOUT,
                "station {n} not highlighted:\n{s}"
            );
            self.keys(if at > n { UP } else { DOWN });
            let moved = Instant::now();
            while highlighted(&self.text()) == Some(at) && moved.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.keys(ENTER);
    }

    /// Starts (or resumes) entry `slot` of station `n` as `typist`.
    /// The PIN prompt offers only `typist` first (Anna for a first entry, Bert for a second:
    /// the first typist is not offered).
    fn start_entry(&mut self, n: u32, slot: u32, typist: &str) {
        self.select(n);
        let s = self.wait_for("Kies uw naam (invoerder)");
        assert!(s.contains(&format!("> {typist}")), "{s}");
        self.pin();
        self.wait_for(&format!("Invoer stembureau {n} ({slot}e invoer, {typist})"));
    }

    /// On a PIN prompt: the PIN and Enter.
    fn pin(&mut self) {
        self.keys(PIN);
        self.keys(ENTER);
    }

    /// The people form: a name, the role kept, the PIN twice; waits for the registration.
    fn person(&mut self, name: &str) {
        self.keys(name.as_bytes());
        self.keys(b"\t\t");
        self.keys(PIN);
        self.keys(b"\t");
        self.keys(PIN);
        self.keys(ENTER);
        self.wait_for(&format!("{name} is ingeschreven"));
    }

    /// Types `fields[from..]` of a paper report (each value, then Enter), saves the entry and
    /// waits for the overview with `definitive` stations definitive.
    fn finish_entry(&mut self, keys: &[(FieldId, String)], from: usize, definitive: u32) {
        let mut bytes = Vec::new();
        for (_, v) in &keys[from..] {
            bytes.extend_from_slice(v.as_bytes());
            bytes.extend_from_slice(ENTER);
        }
        self.keys(&bytes);
        let s = self.wait("the finish screen", ENTRY_TIMEOUT, |s| {
            s.contains("Invoer afronden")
        });
        assert!(!s.contains("Opslaan met fouten"), "{s}");
        self.keys(ENTER);
        self.wait_for(&format!("{definitive} van 3 stembureaus definitief"));
    }
}

fn boot(bed: &TestBed, stick: &Path, dir: &Path) -> Term {
    Term {
        vm: bed.boot_stick(stick, dir).unwrap(),
        screen: Screen::new(),
    }
}

/// Candidate votes on the paper report of station `s` (1..=3), list `l`, position `c`.
fn votes(s: u32, l: u32, c: u32) -> u64 {
    u64::from((s * 7 + l * 3 + c * 5) % 13)
}

/// Blank votes (F) of station `s`: 40 at station 2, more than 3 % of the votes cast, so the
/// check W.201 warns and the coordinator must acknowledge it.
fn blank(s: u32) -> u64 {
    if s == 2 { 40 } else { u64::from(s) }
}

/// The paper report of station `s` in typing order: every field of the form with the text
/// typed into it (empty: left empty). D equals H, so "D en H zijn gelijk" is ticked.
fn paper(s: u32, shape: &EntryShape) -> Vec<(FieldId, String)> {
    let mut v: BTreeMap<FieldId, String> = BTreeMap::new();
    let mut e = 0u64;
    for &(l, k) in &shape.lists {
        let total: u64 = (1..=k).map(|c| votes(s, l.0, c)).sum();
        for c in 1..=k {
            v.insert(
                FieldId::CandidateVotes(l, tally_core::ids::CandidatePosition(c)),
                votes(s, l.0, c).to_string(),
            );
        }
        v.insert(FieldId::ListTotal(l), total.to_string());
        v.insert(FieldId::ListVotes(l), total.to_string());
        e += total;
    }
    let (f, g) = (blank(s), 0u64);
    let h = e + f + g;
    v.insert(FieldId::VotesOnCandidates, e.to_string());
    v.insert(FieldId::BlankVotes, f.to_string());
    v.insert(FieldId::InvalidVotes, g.to_string());
    v.insert(FieldId::VotesCast, h.to_string());
    v.insert(FieldId::PollCards, (h - 10).to_string());
    v.insert(FieldId::ProxyCertificates, "10".into());
    v.insert(FieldId::AdmittedVoters, h.to_string());
    v.insert(FieldId::AdmittedEqualsCast, "x".into());
    let _ = ExplanationKind::ALL;
    shape
        .fields()
        .into_iter()
        .map(|id| (id, v.get(&id).cloned().unwrap_or_default()))
        .collect()
}

/// The screen's text with its line breaks and runs of blanks as single spaces (messages wrap).
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sha256_file(p: &Path) -> String {
    hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()))
}

#[test]
fn juinen_counted_on_the_appliance_with_a_power_cut_and_a_forged_definition() {
    let t0 = Instant::now();
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-e2e");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();

    // 1. Provisioning with the real tool.
    let (tally, provision) = build_programs();
    let auth = Authority::new(&provision, &work.join("authority"));
    auth.issue("GSB", "0042", "Gemeente Juinen", "gsb.pass");
    let definition = auth.sign_definition();
    let forger = Authority::new(&provision, &work.join("forger"));
    let forged = forger.sign_definition();

    // The form's shape, from the definition (the typing order of the fields).
    let read = |n: &str| std::fs::read(format!("{SYNTHETIC}/{n}")).unwrap();
    let (a, b, c) = (read(F110A), read(F230B), read(F110B));
    let election = load_election(
        &SourceFile::new(F110A, &a),
        &[SourceFile::new(F230B, &b)],
        Some(&SourceFile::new(F110B, &c)),
    )
    .unwrap();
    let shape = EntryShape {
        has_voter_cards: false,
        lists: election.contests[0]
            .lists
            .iter()
            .map(|l| (l.number, l.candidates.len() as u32))
            .collect(),
    };
    let h110a = hex::encode(sha2::Sha256::digest(&a));
    let h230b = hex::encode(sha2::Sha256::digest(&b));

    // 2. The image, with the real terminal and the authority's root key.
    let (init, _) = build_musl_inits(&target_dir()).unwrap();
    let bed = TestBed::prepare(
        &work.join("bed"),
        &Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-kernel-cache"),
    )
    .unwrap();
    let mut cfg = bed.appliance_config(&init, &tally, &work.join("image"));
    cfg.root_key = auth.dir.join("authority.pub");
    let image = tally_image::build::build(&cfg).unwrap();
    let uki_hash = sha256_file(&image.uki);

    // 3. The certified stick (the boot disk, contract 2) and the sticks to plug in.
    let stick = work.join("certified.img");
    run(Command::new(&provision)
        .arg("stick")
        .arg("--uki")
        .arg(&image.uki)
        .arg("--certificate")
        .arg(auth.dir.join("keys/GR2025_Juinen_0042.cert"))
        .arg("--key")
        .arg(auth.dir.join("keys/GR2025_Juinen_0042.key"))
        .arg("--root")
        .arg(auth.dir.join("authority.pub"))
        .arg("--db-cert")
        .arg(&bed.keys.db.cert)
        .arg("--out")
        .arg(&stick));
    let def_img = work.join("definition.img");
    vfat_stick(&def_img, "DEFINITIE", Some(&definition));
    let forged_img = work.join("forged.img");
    vfat_stick(&forged_img, "VERVALST", Some(&forged));
    let blank_img = work.join("blank.img");
    vfat_stick(&blank_img, "UITSLAG", None);
    let prepared = t0.elapsed();

    // 4. Boot 1.
    let mut t = boot(&bed, &stick, &work.join("vm1"));
    let s = t.wait("the start screen", BOOT_TIMEOUT, |s| {
        s.contains("Wachtwoordzin van het stembureau")
    });
    let booted = t.vm.started.elapsed();
    assert!(s.contains(&grouped(&auth.root_fingerprint())), "{s}");
    assert!(s.contains("GSB 0042 Gemeente Juinen"), "{s}");
    assert!(
        s.contains(&grouped(&uki_hash)),
        "system hash {uki_hash}:\n{s}"
    );
    // The version and source commit built into the image (issue 17 point 2).
    assert!(
        s.contains(&format!(
            "Versie {}, broncode {}",
            env!("CARGO_PKG_VERSION"),
            tally_image::testbed::TEST_SOURCE_COMMIT
        )),
        "{s}"
    );
    assert!(!s.contains("DEMO"), "{s}");
    t.keys(GSB_PASS.as_bytes());
    t.keys(ENTER);
    t.wait("the media screen, no stick", SCREEN_TIMEOUT, |s| {
        s.contains("Plaats de ondertekende stick") && s.contains("Geen stick gevonden")
    });

    // The forged definition: refused on screen, nothing imported.
    t.vm.plug_stick("forged", &forged_img, "FORGED01").unwrap();
    t.wait("the forged medium listed", SCREEN_TIMEOUT, |s| {
        s.lines().any(|l| l.starts_with("> "))
    });
    t.keys(ENTER);
    let s = t.wait_for("Stick geweigerd");
    assert!(
        flat(&s).contains("niet erkend door de vertrouwde sleutel van de Kiesraad"),
        "{s}"
    );
    assert!(!s.contains("hashcode van"), "{s}");
    t.vm.unplug_stick("forged", SCREEN_TIMEOUT).unwrap();
    t.wait_for("Geen stick gevonden");

    // The real definition: chosen, the asked groups typed, imported.
    t.vm.plug_stick("definition", &def_img, "DEFINITION01")
        .unwrap();
    t.wait("the definition medium listed", SCREEN_TIMEOUT, |s| {
        s.lines().any(|l| l.starts_with("> "))
    });
    t.keys(ENTER);
    let s = t.wait("four asked hash-code groups", SCREEN_TIMEOUT, |s| {
        asked_groups(s).len() == 4
    });
    assert!(s.contains("Kiesraad (Kiesraad)"), "{s}");
    for (n, file) in asked_groups(&s) {
        let hex = match file.as_str() {
            "110a" => &h110a,
            "230b" => &h230b,
            other => panic!("group of {other}:\n{s}"),
        };
        t.keys(hash_group(hex, n).unwrap().as_bytes());
        t.keys(ENTER);
    }
    // The first coordinator registers herself, then the typists Anna and Bert.
    t.wait_for("Schrijf eerst uzelf in als coordinator");
    t.person("Carla");
    t.wait_for("0 van 3 stembureaus definitief");
    t.vm.unplug_stick("definition", SCREEN_TIMEOUT).unwrap();
    t.keys(F9);
    t.wait_for("Kies uw naam (coordinator)");
    t.pin();
    t.wait_for("Schrijf een invoerder of coordinator in");
    t.person("Anna");
    t.person("Bert");
    t.keys(ESC);
    t.wait_for("0 van 3 stembureaus definitief");

    // Stations 1 and 2, twice each. Station 2 has many blank votes (W.201): the agreed
    // result waits for the coordinator, who acknowledges the warning.
    for n in [1u32, 2] {
        let p = paper(n, &shape);
        t.start_entry(n, 1, "Anna");
        t.finish_entry(&p, 0, 1.min(n - 1));
        t.start_entry(n, 2, "Bert");
        t.finish_entry(&p, 0, 1);
    }
    let s = t.wait_for("waarschuwingen");
    assert!(s.contains("1 van 3 stembureaus definitief"), "{s}");
    t.select(2);
    // Not open for a typist: the overview stays; the coordinator's key opens it.
    t.keys(b"c");
    t.wait_for("Kies uw naam (coordinator)");
    t.pin();
    let s = t.wait_for("Coordinator: stembureau 2");
    assert!(s.contains("W.201"), "{s}");
    // The decision is said in words and confirmed with the station's number.
    t.keys(b"a");
    t.wait_for("Typ ter bevestiging het nummer van het stembureau (2)");
    t.keys(b"2");
    t.keys(ENTER);
    t.wait("the coordinator's acknowledgement", SCREEN_TIMEOUT, |s| {
        s.contains("2 van 3 stembureaus definitief")
    });
    // Station 3's first entry: five fields (A, B, D, E.1, E.2), then the power is cut.
    let p3 = paper(3, &shape);
    t.start_entry(3, 1, "Anna");
    let done = 5;
    let mut bytes = Vec::new();
    for (_, v) in &p3[..done] {
        bytes.extend_from_slice(v.as_bytes());
        bytes.extend_from_slice(ENTER);
    }
    t.keys(&bytes);
    let e3 = p3[done].0.to_string();
    t.wait("the cursor on the sixth field", SCREEN_TIMEOUT, |s| {
        s.lines()
            .any(|l| l.starts_with('>') && l.get(2..7).map(str::trim) == Some(e3.as_str()))
    });
    let typed_1 = t0.elapsed();
    // The terminal is unprivileged (issue 17, point 1): PID 1 mounted the definition stick for
    // it through the mount service and refused the boot stick's partitions it asked about.
    let log = t.vm.serial0();
    assert!(log.contains("mount service: mounted slot"), "{log}");
    assert!(
        log.contains("mount service: REFUSED: /dev/sda2: not a stick the program may use"),
        "{log}"
    );
    let _ = t.vm.qmp("quit", "");
    t.vm.wait_exit(Duration::from_secs(60)).unwrap();
    drop(t);

    // 5. Boot 2, the same stick: the entry is back.
    let mut t = boot(&bed, &stick, &work.join("vm2"));
    t.wait("the start screen", BOOT_TIMEOUT, |s| {
        s.contains("Wachtwoordzin van het stembureau")
    });
    t.keys(GSB_PASS.as_bytes());
    t.keys(ENTER);
    // The entry is Anna's: her PIN again.
    t.wait_for("Kies uw naam (invoerder)");
    t.pin();
    let s = t.wait_for("Invoer stembureau 3 (1e invoer, Anna)");
    let shown = entry_fields(&s);
    for (id, v) in &p3[3..done] {
        assert_eq!(shown.get(&id.to_string()), Some(v), "{id}:\n{s}");
    }
    assert!(
        s.lines()
            .any(|l| l.starts_with('>') && l.get(2..7).map(str::trim) == Some(e3.as_str())),
        "cursor not on {e3}:\n{s}"
    );
    // The first block (A, B, D): back two blocks, then Enter past the kept fields.
    t.keys(PAGE_UP);
    t.keys(PAGE_UP);
    let s = t.wait("the voters block", SCREEN_TIMEOUT, |s| {
        s.lines()
            .any(|l| l.starts_with('>') && l.get(2..7).map(str::trim) == Some("A"))
    });
    let shown = entry_fields(&s);
    for (id, v) in &p3[..3] {
        assert_eq!(shown.get(&id.to_string()), Some(v), "{id}:\n{s}");
    }
    for _ in 0..done {
        t.keys(ENTER);
    }
    t.wait("the cursor back on the sixth field", SCREEN_TIMEOUT, |s| {
        s.lines()
            .any(|l| l.starts_with('>') && l.get(2..7).map(str::trim) == Some(e3.as_str()))
    });
    t.finish_entry(&p3, done, 2);
    t.start_entry(3, 2, "Bert");
    t.finish_entry(&p3, 0, 3);

    // Export to a blank stick, then pull it.
    t.vm.plug_stick("blank", &blank_img, "BLANK01").unwrap();
    std::thread::sleep(Duration::from_secs(5));
    t.keys(b"t");
    t.wait_for("Gemeentelijk totaal");
    let mut exported = String::new();
    for _ in 0..12 {
        t.keys(b"e");
        t.wait_for("Kies uw naam (coordinator)");
        t.pin();
        let s = t.wait("the export's outcome", SCREEN_TIMEOUT, |s| {
            s.contains("Ondertekende uitslag geschreven") || s.contains("X ")
        });
        if s.contains("Ondertekende uitslag geschreven") {
            exported = s;
            break;
        }
        // The stick may not be seen yet: try again.
        std::thread::sleep(Duration::from_secs(5));
    }
    assert!(!exported.is_empty(), "no export:\n{}", t.text());
    // The export stick was mounted writable by PID 1 for the unprivileged terminal.
    let log = t.vm.serial0();
    assert!(log.contains("mount service: mounted slot"), "{log}");
    t.vm.unplug_stick("blank", SCREEN_TIMEOUT).unwrap();
    let typed_2 = t0.elapsed();
    t.vm.kill();

    // 6. On the host: read the stick, verify, compare the totals with the papers.
    let out = work.join("export");
    std::fs::create_dir_all(&out).unwrap();
    let name = "GR2025_Juinen_0042_results-510b.tally";
    run(Command::new("mcopy")
        .arg("-s")
        .arg("-i")
        .arg(&blank_img)
        .arg(format!("::/{name}"))
        .arg(&out));
    let medium = out.join(name);
    let verdict = run(Command::new(&provision)
        .arg("verify")
        .arg("--root")
        .arg(auth.dir.join("authority.pub"))
        .arg(&medium)
        .args(["--election", ELECTION]));
    assert!(verdict.contains("VALID"), "{verdict}");
    let eml = std::fs::read_dir(&medium)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("Telling_"))
        })
        .expect("a 510b in the export");
    let totals = totals_510b(&std::fs::read_to_string(&eml).unwrap()).expect("TotalVotes");
    let mut want_lists: BTreeMap<u32, u64> = BTreeMap::new();
    let mut want_candidates: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for s in 1..=3u32 {
        for &(ListNumber(l), k) in &shape.lists {
            for c in 1..=k {
                *want_candidates.entry((l, c)).or_default() += votes(s, l, c);
                *want_lists.entry(l).or_default() += votes(s, l, c);
            }
        }
    }
    assert_eq!(totals.lists, want_lists);
    assert_eq!(totals.candidates, want_candidates);
    assert_eq!(totals.counted, Some(want_lists.values().sum()));
    assert_eq!(totals.blank, Some((1..=3).map(blank).sum()));
    assert_eq!(totals.invalid, Some(0));
    eprintln!(
        "e2e timings: prepared {prepared:?}, boot 1 to the start screen {booted:?}, power cut at {typed_1:?}, exported at {typed_2:?}, total {:?}",
        t0.elapsed()
    );
}
