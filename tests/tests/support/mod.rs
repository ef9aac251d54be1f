//! What the end-to-end tests share: the real programs built, `tally-provision` in one folder
//! (a root, certificates, a signed definition, certified sticks), vfat sticks made without
//! mounting, the appliance's serial terminal read through a VT100 screen model, and the
//! scripted paper reports of Juinen with the form's typing order.
#![allow(
    dead_code,
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
use tally_core::entry::{EntryShape, FieldId};
use tally_core::ids::ListNumber;
use tally_e2e::{Screen, asked_groups, hash_group, totals_510b};
use tally_image::qemu::Vm;
use tally_image::testbed::{BOOT_TIMEOUT, TestBed};

pub const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/synthetic");
pub const F110A: &str = "eml110a_verkiezingsdefinitie-juinen.eml.xml";
pub const F230B: &str = "eml230b_kandidatenlijsten-juinen.eml.xml";
pub const F110B: &str = "eml110b_stembureaulijst-juinen.eml.xml";
pub const ELECTION: &str = "GR2025_Juinen";

pub const ENTER: &[u8] = b"\r";
pub const UP: &[u8] = b"\x1b[A";
pub const DOWN: &[u8] = b"\x1b[B";
pub const PAGE_UP: &[u8] = b"\x1b[5~";
/// F9 (the people) as a VT220 sends it.
pub const F9: &[u8] = b"\x1b[20~";
/// Esc, alone.
pub const ESC: &[u8] = b"\x1b";
/// The PIN of every person registered on the appliance.
pub const PIN: &[u8] = b"40417";
/// How long one typed entry (about 110 fields) may take on a loaded machine.
pub const ENTRY_TIMEOUT: Duration = Duration::from_secs(300);
pub const SCREEN_TIMEOUT: Duration = Duration::from_secs(120);

pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn run(cmd: &mut Command) -> String {
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
pub fn build_programs() -> (PathBuf, PathBuf) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo)
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["build", "--quiet", "-p", "tally-tui", "--bin", "tally"])
        .args(["-p", "tally-provision", "--bin", "tally-provision"]));
    let d = target_dir().join("debug");
    (d.join("tally"), d.join("tally-provision"))
}

/// `tally-provision` in one folder: a root, certificates, a signed definition.
pub struct Authority {
    pub bin: PathBuf,
    pub dir: PathBuf,
}

impl Authority {
    /// A new root in `dir` (its passphrase in `root.pass`, the authority's in `auth.pass`).
    pub fn new(bin: &Path, dir: &Path) -> Authority {
        std::fs::create_dir_all(dir).unwrap();
        for (name, pass) in [
            ("root.pass", "root passphrase of the test\n"),
            ("auth.pass", "authority signing passphrase\n"),
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

    pub fn p(&self, name: &str) -> &'static str {
        let s = self.dir.join(name).display().to_string();
        Box::leak(s.into_boxed_str())
    }

    pub fn tool(&self, args: &[&str]) -> String {
        run(Command::new(&self.bin).args(args))
    }

    /// Issues a certificate and key of `role` to `id` (`keys/<election>_<id>.cert`, `.key`),
    /// the key sealed with the passphrase in the file `pass` (written here).
    pub fn issue(&self, role: &str, id: &str, name: &str, pass: &str, passphrase: &str) {
        std::fs::write(self.dir.join(pass), format!("{passphrase}\n")).unwrap();
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
    pub fn sign_definition(&self) -> PathBuf {
        self.issue(
            "authority",
            "Kiesraad",
            "Kiesraad",
            "auth.pass",
            "authority signing passphrase",
        );
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

    /// `tally-provision stick`: the certified stick of `id` (issued before) at `out`, with
    /// the signed UKI `uki` (checked against the test bed's db certificate).
    pub fn stick(&self, bed: &TestBed, uki: &Path, id: &str, out: &Path) {
        run(Command::new(&self.bin)
            .arg("stick")
            .arg("--uki")
            .arg(uki)
            .arg("--certificate")
            .arg(self.dir.join(format!("keys/{ELECTION}_{id}.cert")))
            .arg("--key")
            .arg(self.dir.join(format!("keys/{ELECTION}_{id}.key")))
            .arg("--root")
            .arg(self.dir.join("authority.pub"))
            .arg("--db-cert")
            .arg(&bed.keys.db.cert)
            .arg("--out")
            .arg(out));
    }

    /// `tally-provision verify` of the medium `folder`: its report, asserted VALID (for
    /// this election, signed by `signer`).
    pub fn verify(&self, folder: &Path, signer: &str) -> String {
        let verdict = run(Command::new(&self.bin)
            .arg("verify")
            .arg("--root")
            .arg(self.dir.join("authority.pub"))
            .arg(folder)
            .args(["--election", ELECTION, "--signer", signer]));
        assert!(verdict.contains("\nVALID\n"), "{verdict}");
        verdict
    }

    /// The root's fingerprint: SHA-256 of the 32 key bytes in `authority.pub`.
    pub fn root_fingerprint(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("authority.pub")).unwrap();
        let hex_key = text
            .lines()
            .find_map(|l| l.strip_prefix("public-key: "))
            .unwrap();
        hex::encode(sha2::Sha256::digest(hex::decode(hex_key).unwrap()))
    }
}

/// A partitionless vfat stick (`mkfs.vfat -C`, `mcopy`), holding `folder` (if any) at its root.
pub fn vfat_stick(img: &Path, label: &str, folder: Option<&Path>) {
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

/// Copies the folder `name` at the root of the vfat stick `img` into `out` (made fresh);
/// the copy's path.
pub fn read_stick(img: &Path, name: &str, out: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).unwrap();
    run(Command::new("mcopy")
        .arg("-s")
        .arg("-i")
        .arg(img)
        .arg(format!("::/{name}"))
        .arg(out));
    out.join(name)
}

/// The last `n` characters of `s`.
pub fn tail(s: &str, n: usize) -> String {
    let skip = s.chars().count().saturating_sub(n);
    s.chars().skip(skip).collect()
}

/// The appliance's serial terminal: keys in, a VT100 screen model out.
pub struct Term {
    pub vm: Vm,
    pub screen: Screen,
    /// The VM's folder: the kernel's log (`serial0.log`), and the terminal's output
    /// (`console.txt`) when the VM stops or the test fails.
    pub dir: PathBuf,
}

impl Term {
    pub fn boot(bed: &TestBed, stick: &Path, dir: &Path) -> Term {
        Term {
            vm: bed.boot_stick(stick, dir).unwrap(),
            screen: Screen::new(),
            dir: dir.to_path_buf(),
        }
    }

    /// Keeps what the terminal wrote in `console.txt`; its path.
    fn keep_console(&mut self) -> PathBuf {
        let path = self.dir.join("console.txt");
        let _ = std::fs::write(&path, self.vm.console_text());
        path
    }

    pub fn text(&mut self) -> String {
        self.screen.feed_all(self.vm.console_bytes());
        self.screen.text()
    }

    /// Why the test stops: `what`, the screen and the tail of the kernel's log.
    pub fn fail(&mut self, what: &str) -> ! {
        let s = self.text();
        let console = self.keep_console();
        panic!(
            "{what}; screen:\n{s}\n--- serial0 (kernel log) tail ---\n{}\n--- (the whole terminal output: {}; the kernel log: {})",
            tail(&self.vm.serial0(), 3000),
            console.display(),
            self.dir.join("serial0.log").display()
        );
    }

    pub fn wait(&mut self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.text();
            if ok(&s) {
                return s;
            }
            if !self.vm.running() {
                self.fail(&format!("{what}: the VM stopped"));
            }
            // The appliance's 256 MB: the kernel's OOM killer ends the test with its report.
            if self.vm.serial0().contains("Out of memory") {
                self.fail(&format!("{what}: the OOM killer ran"));
            }
            if start.elapsed() > timeout {
                self.fail(&format!(
                    "{what}: not on the screen after {:?}",
                    start.elapsed()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_for(&mut self, text: &str) -> String {
        self.wait(text, SCREEN_TIMEOUT, |s| s.contains(text))
    }

    /// Waits for `text` on the screen with its lines joined (a message that wraps).
    pub fn wait_flat(&mut self, text: &str) -> String {
        self.wait(text, SCREEN_TIMEOUT, |s| flat(s).contains(text))
    }

    pub fn keys(&mut self, bytes: &[u8]) {
        self.vm.send_bytes(bytes).unwrap();
    }

    /// The station highlighted on a list whose rows start with `>` and its number.
    fn highlighted(s: &str) -> Option<u32> {
        s.lines()
            .find(|l| l.starts_with('>'))
            .and_then(|l| l[1..].split_whitespace().next())
            .and_then(|w| w.parse().ok())
    }

    /// Moves the highlight of a station list to station `n` (1-based).
    ///
    /// One arrow key at a time, each waited for on the screen: the guest's UART takes 16 bytes
    /// at a time, and an escape sequence cut at that boundary reaches the program as a lone Esc
    /// and two letters (a real keyboard never splits one). Several arrows written at once did
    /// exactly that once (5 x Up + the Esc of a Down = 16 bytes).
    pub fn highlight(&mut self, n: u32) {
        let start = Instant::now();
        loop {
            let s = self.text();
            let Some(at) = Self::highlighted(&s) else {
                if start.elapsed() > SCREEN_TIMEOUT {
                    self.fail("no station highlighted");
                }
                std::thread::sleep(Duration::from_millis(100));
                continue;
            };
            if at == n {
                break;
            }
            if start.elapsed() > SCREEN_TIMEOUT {
                self.fail(&format!("station {n} not highlighted"));
            }
            self.keys(if at > n { UP } else { DOWN });
            let moved = Instant::now();
            while Self::highlighted(&self.text()) == Some(at)
                && moved.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// From the overview: selects station `n` (1-based), checks the highlight, presses Enter.
    pub fn select(&mut self, n: u32) {
        self.highlight(n);
        self.keys(ENTER);
    }

    /// Starts (or resumes) entry `slot` of station `n` as `typist`.
    /// The PIN prompt offers only `typist` first (Anna for a first entry, Bert for a second:
    /// the first typist is not offered).
    pub fn start_entry(&mut self, n: u32, slot: u32, typist: &str) {
        self.select(n);
        let s = self.wait_for("Kies uw naam (invoerder)");
        assert!(s.contains(&format!("> {typist}")), "{s}");
        self.pin();
        self.wait_for(&format!("Invoer stembureau {n} ({slot}e invoer, {typist})"));
    }

    /// On a PIN prompt: the PIN and Enter.
    pub fn pin(&mut self) {
        self.keys(PIN);
        self.keys(ENTER);
    }

    /// The people form: a name, the role kept, the PIN twice; waits for the registration.
    pub fn person(&mut self, name: &str) {
        self.keys(name.as_bytes());
        self.keys(b"\t\t");
        self.keys(PIN);
        self.keys(b"\t");
        self.keys(PIN);
        self.keys(ENTER);
        self.wait_for(&format!("{name} is ingeschreven"));
    }

    /// Types `fields[from..]` of a paper report (each value, then Enter) in one write (the
    /// tty and QEMU's serial back-pressure keep them in order), waits for the finish screen
    /// and saves the entry.
    pub fn type_and_save(&mut self, keys: &[(FieldId, String)], from: usize) {
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
    }

    /// [`Term::type_and_save`], then waits for the overview with `definitive` of 3 stations
    /// definitive.
    pub fn finish_entry(&mut self, keys: &[(FieldId, String)], from: usize, definitive: u32) {
        self.type_and_save(keys, from);
        self.wait_for(&format!("{definitive} van 3 stembureaus definitief"));
    }

    /// On the start screen: waits for it, checks that it names `body` (`GSB 0042 Gemeente
    /// Juinen`) and types the passphrase.
    pub fn unlock(&mut self, body: &str, passphrase: &str) {
        let s = self.wait("the start screen", BOOT_TIMEOUT, |s| {
            s.contains("Wachtwoordzin van het stembureau")
        });
        assert!(flat(&s).contains(body), "{s}");
        self.keys(passphrase.as_bytes());
        self.keys(ENTER);
    }

    /// On the media screen: the definition stick `img` plugged in and chosen, the asked
    /// hash-code groups (read from the screen) typed from `h110a` and `h230b`, and the first
    /// coordinator (Carla) registered; the stick is pulled.
    pub fn load_definition(&mut self, img: &Path, h110a: &str, h230b: &str) {
        self.wait("the media screen, no stick", SCREEN_TIMEOUT, |s| {
            s.contains("Plaats de ondertekende stick") && s.contains("Geen stick gevonden")
        });
        self.vm
            .plug_stick("definition", img, "DEFINITION01")
            .unwrap();
        self.wait("the definition medium listed", SCREEN_TIMEOUT, |s| {
            s.lines().any(|l| l.starts_with("> "))
        });
        self.keys(ENTER);
        let s = self.wait("four asked hash-code groups", SCREEN_TIMEOUT, |s| {
            asked_groups(s).len() == 4
        });
        for (n, file) in asked_groups(&s) {
            let hex = match file.as_str() {
                "110a" => h110a,
                "230b" => h230b,
                other => self.fail(&format!("a group of {other} asked")),
            };
            self.keys(hash_group(hex, n).unwrap().as_bytes());
            self.keys(ENTER);
        }
        self.wait_for("Schrijf eerst uzelf in als coordinator");
        self.person("Carla");
        self.vm.unplug_stick("definition", SCREEN_TIMEOUT).unwrap();
    }

    /// From the overview: F9, the coordinator's PIN, and the typists `names` registered;
    /// back to the overview.
    pub fn register(&mut self, names: &[&str]) {
        self.keys(F9);
        self.wait_for("Kies uw naam (coordinator)");
        self.pin();
        self.wait_for("Schrijf een invoerder of coordinator in");
        for name in names {
            self.person(name);
        }
        self.keys(ESC);
    }

    /// Opens a media list with `key` (`I`; none when empty: the list is open), waits until it
    /// lists the medium `folder` on the stick `img` plugged in as `id` (its serial number is
    /// `id` in capitals: a stick pulled before that the list still shows is not taken for
    /// it), chooses it (Up/Down, one at a time) and presses Enter.
    pub fn choose_medium(&mut self, key: &[u8], id: &str, img: &Path, folder: &str) {
        let serial = id.to_uppercase();
        self.vm.plug_stick(id, img, &serial).unwrap();
        if !key.is_empty() {
            self.keys(key);
        }
        let on_stick = format!("(serienummer {serial})");
        let start = Instant::now();
        loop {
            let s = self.text();
            let lines: Vec<&str> = s.lines().collect();
            // A medium's row and the row it wraps onto.
            let listed: Vec<(bool, String)> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.contains(".tally"))
                .map(|(i, l)| {
                    let next = lines.get(i + 1).copied().unwrap_or_default();
                    (l.starts_with("> "), flat(&format!("{l} {next}")))
                })
                .collect();
            let at = listed.iter().position(|(h, _)| *h);
            let wanted = listed
                .iter()
                .position(|(_, row)| row.contains(folder) && row.contains(&on_stick));
            match (wanted, at) {
                (Some(f), Some(h)) if f == h => break,
                (Some(f), Some(h)) => {
                    self.keys(if h < f { DOWN } else { UP });
                    std::thread::sleep(Duration::from_millis(500));
                }
                _ => std::thread::sleep(Duration::from_millis(200)),
            }
            if start.elapsed() > SCREEN_TIMEOUT {
                self.fail(&format!("{folder} on the stick {serial} not listed"));
            }
        }
        self.keys(ENTER);
    }

    /// A signed medium written by `key` (after a coordinator's PIN when `pin`) to the one
    /// blank stick `img` plugged in as `id`: presses it until the screen says `done` (the
    /// stick may not be seen yet the first time), then pulls the stick; the screen.
    pub fn write_medium(
        &mut self,
        key: &[u8],
        pin: bool,
        id: &str,
        img: &Path,
        done: &str,
    ) -> String {
        self.vm.plug_stick(id, img, &id.to_uppercase()).unwrap();
        for _ in 0..12 {
            std::thread::sleep(Duration::from_secs(3));
            self.keys(key);
            if pin {
                self.wait_for("Kies uw naam (coordinator)");
                self.pin();
            }
            let s = self.wait(done, SCREEN_TIMEOUT, |s| {
                flat(s).contains(done) || s.contains("X ")
            });
            if flat(&s).contains(done) {
                self.vm.unplug_stick(id, SCREEN_TIMEOUT).unwrap();
                return s;
            }
        }
        self.fail(&format!("{done}: not written"))
    }

    /// The coordinator's power cut: QMP `quit`, what the guest wrote to its stick stays.
    pub fn power_off(mut self) {
        self.keep_console();
        let _ = self.vm.qmp("quit", "");
        self.vm.wait_exit(Duration::from_secs(60)).unwrap();
    }
}

/// Candidate votes on the paper report of station `s` (1..=3), list `l`, position `c`.
pub fn votes(s: u32, l: u32, c: u32) -> u64 {
    u64::from((s * 7 + l * 3 + c * 5) % 13)
}

/// The paper report of station `s` with `blank` blank votes (F), in typing order: every
/// field of the form with the text typed into it (empty: left empty). D equals H, so "D en
/// H zijn gelijk" is ticked.
pub fn paper(s: u32, blank: u64, shape: &EntryShape) -> Vec<(FieldId, String)> {
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
    let (f, g) = (blank, 0u64);
    let h = e + f + g;
    v.insert(FieldId::VotesOnCandidates, e.to_string());
    v.insert(FieldId::BlankVotes, f.to_string());
    v.insert(FieldId::InvalidVotes, g.to_string());
    v.insert(FieldId::VotesCast, h.to_string());
    v.insert(FieldId::PollCards, (h - 10).to_string());
    v.insert(FieldId::ProxyCertificates, "10".into());
    v.insert(FieldId::AdmittedVoters, h.to_string());
    v.insert(FieldId::AdmittedEqualsCast, "x".into());
    shape
        .fields()
        .into_iter()
        .map(|id| (id, v.get(&id).cloned().unwrap_or_default()))
        .collect()
}

/// The Juinen definition's form (the typing order of the fields) and the SHA-256 of its
/// 110a and 230b (the hash codes on the paper), from the files themselves.
pub fn juinen_form() -> (EntryShape, String, String) {
    use tally_core::eml::definition::{SourceFile, load_election};
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
    (
        shape,
        hex::encode(sha2::Sha256::digest(&a)),
        hex::encode(sha2::Sha256::digest(&b)),
    )
}

/// Asserts that the 510b in the medium folder `medium` (a file `Telling_*`) holds the sums of
/// the papers of stations 1 to `blanks.len()` (station `s` with `blanks[s - 1]` blank votes)
/// per candidate, per list, blank and invalid, read with a plain string scan.
pub fn assert_totals(medium: &Path, shape: &EntryShape, blanks: &[u64]) {
    let eml = std::fs::read_dir(medium)
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
    for s in 1..=blanks.len() as u32 {
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
    assert_eq!(totals.blank, Some(blanks.iter().sum()));
    assert_eq!(totals.invalid, Some(0));
}

/// The screen's text with its line breaks and runs of blanks as single spaces (messages wrap).
pub fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn sha256_file(p: &Path) -> String {
    hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()))
}
