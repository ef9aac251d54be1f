//! An Amsterdam-sized Tweede Kamer 510b verified and imported by an HSB appliance inside the
//! 256 MB QEMU guest (issue 15 point 4): the real `tally --usb`, booted from a certified stick
//! whose data partition holds the HSB of kieskring 3 (Assen) of TK2023, with the signed
//! definition (the real TK2023 110a and a 230b of kieskring 3 made from the 510b's ballot) on
//! one hot-plugged stick and the signed 510b of Aa en Hunze with its 24 polling stations
//! repeated to 720 (about 89 MB, `verify/benches/large/mod.rs`) on another.
//!
//! The host drives the terminal by keys over the serial console and reads it through a
//! VT100 emulator; the hash-code groups asked are read from the screen. The kernel's log on
//! the first serial port is watched for the OOM killer: when it runs, the test fails with the
//! kernel's report (which process, its memory, the machine's).
//!
//! Slow (OVMF under TCG: minutes); needs the image tools of `scripts/test`, like
//! `usb_guest.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../verify/benches/large/mod.rs"]
mod large;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tally_core::eml::count::read_count;
use tally_image::qemu::Vm;
use tally_image::testbed::{
    BENCH_PASSPHRASE, BOOT_TIMEOUT, TEST_ROOT_SEED, TestBed, build_musl_inits,
};
use tally_signing::{
    Certificate, CertificateFields, ContentKind, KdfParams, MediumFile, Role, SecretKey,
    SignedMedium, Timestamp, encrypt_secret_key, sign_medium,
};

/// Amsterdam's number of polling stations, rounded to a multiple of Aa en Hunze's 24. The
/// environment variable `TALLY_GUEST_STATIONS` (a multiple of 24) sets another number, to
/// find what fits.
const STATIONS: usize = 720;

fn stations() -> usize {
    std::env::var("TALLY_GUEST_STATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n: &usize| *n > 0 && n.is_multiple_of(24))
        .unwrap_or(STATIONS)
}
const ELECTION: &str = "TK2023";

fn work() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-hsb-guest-amsterdam")
}

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn from() -> Timestamp {
    Timestamp::parse("2023-01-01T00:00:00Z").unwrap()
}

fn until() -> Timestamp {
    Timestamp::parse("2099-01-01T00:00:00Z").unwrap()
}

/// A certificate of the test root (the one the image trusts) and its key.
fn body(role: Role, identifier: &str, name: &str, seed: u8) -> (SecretKey, Certificate) {
    let root = SecretKey::from_seed(&TEST_ROOT_SEED);
    let key = SecretKey::from_seed(&[seed; 32]);
    let cert = Certificate::issue(
        &root,
        CertificateFields {
            role,
            identifier: identifier.into(),
            name: name.into(),
            election: ELECTION.into(),
            valid_from: from(),
            valid_until: until(),
            public_key: key.public_key(),
        },
    )
    .unwrap();
    (key, cert)
}

/// The data partition's folder of the HSB of kieskring 3: `body.cert` and `body.key` (the
/// passphrase [`BENCH_PASSPHRASE`]), as `make_body_data` makes a GSB's.
fn hsb_data(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let (key, cert) = body(Role::Hsb, "HSB3", "Hoofdstembureau Assen", 0x33);
    std::fs::write(dir.join("body.cert"), cert.as_bytes()).unwrap();
    let enc = encrypt_secret_key(&key, BENCH_PASSPHRASE.as_bytes(), KdfParams::FLOOR).unwrap();
    let key_path = dir.join("body.key");
    std::fs::write(&key_path, enc).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// The data partition's size: room for the kept 510b (the appliance keeps every imported
/// file) and the journal. `testbed::make_certified_stick` makes 16 MiB, enough for a
/// municipality's count, not for this one.
const DATA_MIB: u64 = 256;

/// A certified stick's disk image at `out`, as `testbed::make_certified_stick` makes it (GPT,
/// `TALLY-ESP` with `efi`, `TALLY-DATA` ext4 `TALLYDATA` from the folder `data`), with a
/// data partition of [`DATA_MIB`] MiB; the image is sparse.
fn certified_stick(efi: &Path, data: &Path, out: &Path) {
    const MIB: u64 = 1 << 20;
    let esp = out.with_extension("esp.img");
    tally_image::qemu::make_esp(efi, &esp).unwrap();
    let esp_mib = std::fs::metadata(&esp).unwrap().len().div_ceil(MIB);
    let img = out.with_extension("data.img");
    let _ = std::fs::remove_file(&img);
    run(Command::new("mkfs.ext4")
        .args(["-q", "-F", "-L", "TALLYDATA", "-d"])
        .arg(data)
        .arg(&img)
        .arg(format!("{DATA_MIB}M")));
    let _ = std::fs::remove_file(out);
    std::fs::File::create(out)
        .unwrap()
        .set_len(MIB * (1 + esp_mib + DATA_MIB + 1))
        .unwrap();
    let sectors = |mib: u64| mib * MIB / 512;
    let script = format!(
        "label: gpt\nstart={}, size={}, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"TALLY-ESP\"\nstart={}, size={}, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"TALLY-DATA\"\n",
        sectors(1),
        sectors(esp_mib),
        sectors(1 + esp_mib),
        sectors(DATA_MIB)
    );
    let script_path = out.with_extension("sfdisk");
    std::fs::write(&script_path, script).unwrap();
    run(Command::new("sfdisk")
        .arg("--quiet")
        .arg(out)
        .stdin(std::fs::File::open(&script_path).unwrap()));
    for (part, at) in [(&esp, 1), (&img, 1 + esp_mib)] {
        run(Command::new("dd")
            .arg(format!("if={}", part.display()))
            .arg(format!("of={}", out.display()))
            .args(["bs=1M", "conv=notrunc,sparse", "status=none"])
            .arg(format!("seek={at}")));
    }
}

/// The text of `<ElectionIdentifier ...>...</ElectionIdentifier>` in a 110a.
fn election_identifier(def: &str) -> &str {
    let start = def.find("<ElectionIdentifier").unwrap();
    let end = def[start..].find("</ElectionIdentifier>").unwrap() + "</ElectionIdentifier>".len();
    &def[start..start + end]
}

/// A 230b of contest `contest` of the 110a `def` with the lists `(number, registered name,
/// candidates)` and invented candidates (as `verify/tests/common/election_chain.rs` makes
/// them).
fn candidate_lists(
    def: &str,
    contest: &str,
    contest_name: &str,
    lists: &[(u32, String, u32)],
) -> String {
    let ident = election_identifier(def).replace('\n', "");
    let mut affiliations = String::new();
    for (l, list_name, n) in lists {
        affiliations.push_str(&format!(
            "<Affiliation><AffiliationIdentifier Id=\"{l}\"><RegisteredName>{list_name}</RegisteredName></AffiliationIdentifier><Type>op zichzelf staande lijst</Type><kr:ListData PublicationLanguage=\"nl\" PublishGender=\"true\"></kr:ListData>"
        ));
        for c in 1..=*n {
            let gender = if c % 2 == 0 { "female" } else { "male" };
            affiliations.push_str(&format!(
                "<Candidate><CandidateIdentifier Id=\"{c}\"></CandidateIdentifier><CandidateFullName><xnl:PersonName><xnl:NameLine NameType=\"Initials\">K.</xnl:NameLine><xnl:FirstName>Kandidaat</xnl:FirstName><xnl:LastName>Lijst{l}nummer{c}</xnl:LastName></xnl:PersonName></CandidateFullName><Gender>{gender}</Gender><QualifyingAddress><xal:Locality><xal:LocalityName>Plaats {l}</xal:LocalityName></xal:Locality></QualifyingAddress></Candidate>"
            ));
        }
        affiliations.push_str("</Affiliation>");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EML xmlns=\"urn:oasis:names:tc:evs:schema:eml\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" xmlns:kr=\"http://www.kiesraad.nl/extensions\" xmlns:xal=\"urn:oasis:names:tc:ciq:xsdschema:xAL:2.0\" xmlns:xnl=\"urn:oasis:names:tc:ciq:xsdschema:xNL:2.0\" Id=\"230b\" SchemaVersion=\"5\"><TransactionId>1</TransactionId><ManagingAuthority><AuthorityIdentifier Id=\"CSB\">Centraal stembureau</AuthorityIdentifier><AuthorityAddress></AuthorityAddress></ManagingAuthority><IssueDate>2023-10-10</IssueDate><kr:CreationDateTime>2023-10-10T14:06:41.024</kr:CreationDateTime><ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments\"></ds:CanonicalizationMethod><CandidateList><Election>{ident}<Contest><ContestIdentifier Id=\"{contest}\"><ContestName>{contest_name}</ContestName></ContestIdentifier>{affiliations}</Contest></Election></CandidateList></EML>"
    )
}

/// A signed medium of `kind` with `files`, signed by `signer`.
fn medium(
    kind: ContentKind,
    files: Vec<(String, Vec<u8>)>,
    signer: &(SecretKey, Certificate),
) -> SignedMedium {
    sign_medium(
        kind,
        ELECTION,
        files
            .into_iter()
            .map(|(name, bytes)| MediumFile { name, bytes })
            .collect(),
        &signer.0,
        &signer.1,
        Timestamp::parse("2023-11-23T10:00:00Z").unwrap(),
    )
    .unwrap()
}

/// A partitionless FAT stick of `mib` MiB holding `medium` in `folder` (made without
/// mounting).
fn fat_stick_with(path: &Path, mib: u32, folder: &str, medium: &SignedMedium) {
    let _ = std::fs::remove_file(path);
    run(Command::new("mkfs.vfat")
        .args(["-C", "-n", "TELLING"])
        .arg(path)
        .arg((mib * 1024).to_string()));
    run(Command::new("mmd")
        .arg("-i")
        .arg(path)
        .arg(format!("::/{folder}")));
    let dir = path.with_extension("files");
    let _ = std::fs::remove_dir_all(&dir);
    medium.write_to_dir(&dir).unwrap();
    for e in std::fs::read_dir(&dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        run(Command::new("mcopy")
            .arg("-i")
            .arg(path)
            .arg(e.path())
            .arg(format!("::/{folder}/{name}")));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The terminal's screen as a VT100 shows it.
struct Screen {
    parser: vt100::Parser,
    fed: usize,
}

impl Screen {
    fn new() -> Screen {
        Screen {
            parser: vt100::Parser::new(24, 80, 0),
            fed: 0,
        }
    }

    /// The screen's words joined by one space, after feeding what the guest wrote.
    fn text(&mut self, vm: &mut Vm) -> String {
        let bytes = vm.console_bytes();
        if bytes.len() > self.fed {
            self.parser.process(&bytes[self.fed..]);
            self.fed = bytes.len();
        }
        let text = self.parser.screen().contents();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Waits until the screen shows one of `needles`; returns its index and the screen.
    fn wait_any(&mut self, vm: &mut Vm, needles: &[&str], timeout: Duration) -> (usize, String) {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.text(vm);
            if let Some(i) = needles.iter().position(|n| text.contains(n)) {
                return (i, text);
            }
            let oom = vm.serial0().contains("Out of memory");
            assert!(
                vm.running() && !oom,
                "the VM stopped or the OOM killer ran; screen:\n{text}\n--- serial0 tail ---\n{}",
                tail(&vm.serial0())
            );
            assert!(
                Instant::now() < deadline,
                "{needles:?} not on the screen after {timeout:?}:\n{text}\n--- serial0 tail ---\n{}",
                tail(&vm.serial0())
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn wait(&mut self, vm: &mut Vm, needle: &str, timeout: Duration) -> String {
        self.wait_any(vm, &[needle], timeout).1
    }
}

fn tail(s: &str) -> String {
    s.lines()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n")
}

/// Types every hash-code group the screen `text` asks for ("Typ van het papier groep N van
/// de hashcode van KIND: [    ]"), in screen order, each from the SHA-256 of the file of that
/// kind (`shas`: kind, hex), then Enter.
fn type_asked_groups(vm: &mut Vm, text: &str, shas: &[(&str, &str)]) {
    const PROMPT: &str = "papier groep ";
    let mut typed = 0;
    for part in text.split(PROMPT).skip(1) {
        let mut words = part.split_whitespace();
        let group: usize = words
            .next()
            .and_then(|g| g.parse().ok())
            .unwrap_or_else(|| panic!("no group number: {part}"));
        // "van de hashcode van 110a:"
        let kind = words.nth(4).unwrap_or_default().trim_end_matches(':');
        let sha = shas
            .iter()
            .find(|(k, _)| *k == kind)
            .unwrap_or_else(|| panic!("a group of {kind:?} asked: {text}"))
            .1;
        vm.send_bytes(&sha.as_bytes()[4 * (group - 1)..4 * group])
            .unwrap();
        typed += 1;
    }
    assert!(typed > 0, "no groups asked: {text}");
    vm.send_bytes(b"\r").unwrap();
}

#[test]
fn an_hsb_appliance_in_256_mb_verifies_and_imports_an_amsterdam_sized_510b() {
    let t0 = Instant::now();
    let work = work();
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();

    // The sticks.
    let def_110a = std::fs::read(large::real_dir().join(large::TK2023_DEFINITION)).unwrap();
    let small = std::fs::read(large::real_dir().join(large::AA_EN_HUNZE)).unwrap();
    let ballot: Vec<(u32, String, u32)> = read_count(&small)
        .unwrap()
        .total
        .lists
        .iter()
        .map(|l| (l.list.0, l.name.clone(), l.candidates.len() as u32))
        .collect();
    let def_230b = candidate_lists(
        std::str::from_utf8(&def_110a).unwrap(),
        "3",
        "Assen",
        &ballot,
    )
    .into_bytes();
    let name_230b = "Kandidatenlijsten_TK2023_Assen.eml.xml";
    let (sha_110a, sha_230b) = (sha_hex(&def_110a), sha_hex(&def_230b));
    let definition = medium(
        ContentKind::ElectionDefinition,
        vec![
            (large::TK2023_DEFINITION.into(), def_110a),
            (name_230b.into(), def_230b),
        ],
        &body(Role::Authority, "Kiesraad", "Kiesraad (test)", 0x11),
    );
    let def_folder =
        SignedMedium::folder_name(ContentKind::ElectionDefinition, ELECTION, "Kiesraad");
    let def_stick = work.join("definition.img");
    fat_stick_with(&def_stick, 16, &def_folder, &definition);
    drop(definition);

    let stations = stations();
    let count = large::scaled_file(large::AA_EN_HUNZE, stations / 24).unwrap();
    let size = count.len();
    let sha_510b = sha_hex(&count);
    let count_medium = medium(
        ContentKind::Results510b,
        vec![(large::AA_EN_HUNZE.into(), count)],
        &body(Role::Gsb, "1680", "Gemeente Aa en Hunze", 0x16),
    );
    let count_folder = SignedMedium::folder_name(ContentKind::Results510b, ELECTION, "1680");
    let count_stick = work.join("count.img");
    fat_stick_with(&count_stick, 128, &count_folder, &count_medium);
    drop(count_medium);

    // The image and the certified stick of the HSB.
    let (init, _) = build_musl_inits(&target_dir()).unwrap();
    let bed = TestBed::prepare(
        &work.join("bed"),
        &Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-kernel-cache"),
    )
    .unwrap();
    let tally = PathBuf::from(env!("CARGO_BIN_EXE_tally"));
    let image =
        tally_image::build::build(&bed.appliance_config(&init, &tally, &work.join("image")))
            .unwrap();
    let data = work.join("data");
    hsb_data(&data);
    let boot = work.join("certified.img");
    certified_stick(&image.uki, &data, &boot);
    let built = t0.elapsed();

    let vm_dir = work.join("vm");
    let mut vm = bed.boot_stick(&boot, &vm_dir).unwrap();
    let mut screen = Screen::new();
    screen.wait(&mut vm, "Wachtwoordzin", BOOT_TIMEOUT);
    vm.send_bytes(format!("{BENCH_PASSPHRASE}\r").as_bytes())
        .unwrap();
    screen.wait(&mut vm, "Geen stick gevonden.", Duration::from_secs(180));
    eprintln!("{:.0} s: unlocked", t0.elapsed().as_secs_f64());

    // The definition: checked against the paper's hash codes; then the first coordinator
    // signs up.
    vm.plug_stick("def", &def_stick, "DEF1").unwrap();
    screen.wait(
        &mut vm,
        "election-definition.tally",
        Duration::from_secs(120),
    );
    vm.send_bytes(b"\r").unwrap();
    let text = screen.wait(
        &mut vm,
        "Verkiezingsdefinitie controleren",
        Duration::from_secs(300),
    );
    let text = if text.contains("van de hashcode van 230b") {
        text
    } else {
        screen.wait(&mut vm, "van de hashcode van 230b", Duration::from_secs(60))
    };
    type_asked_groups(
        &mut vm,
        &text,
        &[("110a", sha_110a.as_str()), ("230b", sha_230b.as_str())],
    );
    screen.wait(
        &mut vm,
        "Schrijf eerst uzelf in als coordinator",
        Duration::from_secs(300),
    );
    vm.send_bytes(b"Carla\t\t40417\t40417\r").unwrap();
    screen.wait(
        &mut vm,
        "Overzicht: 0 van 12 binnen",
        Duration::from_secs(120),
    );
    eprintln!(
        "{:.0} s: definition accepted, coordinator signed up",
        t0.elapsed().as_secs_f64()
    );
    vm.unplug_stick("def", Duration::from_secs(60)).unwrap();

    // The 510b: verified while read, checked against the paper's hash code, imported.
    vm.plug_stick("count", &count_stick, "TEL1").unwrap();
    std::thread::sleep(Duration::from_secs(5));
    vm.send_bytes(b"i").unwrap();
    screen.wait(&mut vm, "results-510b.tally", Duration::from_secs(180));
    let importing = Instant::now();
    vm.send_bytes(b"\r").unwrap();
    eprintln!("{:.0} s: the 510b chosen", t0.elapsed().as_secs_f64());
    let text = screen.wait(
        &mut vm,
        "van de hashcode van 510b",
        Duration::from_secs(900),
    );
    eprintln!(
        "{:.0} s: verified and read, groups asked",
        t0.elapsed().as_secs_f64()
    );
    let verified = importing.elapsed();
    assert!(text.contains("Uitslag van 1680 Aa en Hunze"), "{text}");
    type_asked_groups(&mut vm, &text, &[("510b", sha_510b.as_str())]);
    let text = screen.wait(
        &mut vm,
        "Overzicht: 1 van 12 binnen",
        Duration::from_secs(900),
    );
    let imported = importing.elapsed();
    assert!(text.contains("Uitslag van 1680 ingelezen."), "{text}");
    assert!(!vm.serial0().contains("Out of memory"), "{}", vm.serial0());
    eprintln!(
        "guest of {} MiB: a {stations}-station 510b ({:.1} MB) verified and read in {:.1} s, imported {:.1} s after Enter; image and sticks {:.1} s; whole test {:.1} s",
        tally_image::testbed::APPLIANCE_MEMORY_MIB,
        size as f64 / 1e6,
        verified.as_secs_f64(),
        imported.as_secs_f64(),
        built.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
    std::fs::write(work.join("console.txt"), vm.console_text()).unwrap();
    vm.kill();
}
