//! The real `tally --usb` in the appliance's QEMU guest (contract 1): booted from a certified
//! stick (ESP + data partition with the body's certificate and key), sticks hot-plugged over
//! QMP while the terminal waits for keys.
//!
//! Checks: the boot stick is never offered (the media screen says "Geen stick gevonden." after
//! the passphrase although the boot stick is a USB stick); a definition stick hot-plugged
//! appears on the media screen by itself (the event loop polls the kernel's uevents between
//! keys); a blank stick is listed with "geen bruikbare partitie"; choosing the definition
//! mounts it read-only, verifies it and shows the definition screen; a pulled stick leaves the
//! list by itself. Then, booted again with a data partition holding a count made on the host
//! (the journal and the kept definition): with two blank sticks the export is refused ("laat er
//! precies een in zitten"); with one it is written, read back and verified in the guest; the
//! host reads the stick's image with `mcopy` and verifies the signed 510b and its PDF.
//! (`screen.wait` reads the screen through a VT100 emulator; the notice row is 80 columns, so
//! needles are taken from the start of a notice.)
//!
//! Slow (OVMF under TCG: minutes); needs the image tools of `scripts/test` (qemu, ovmf,
//! sbsigntool, systemd-boot-efi, dosfstools, mtools, ...) and a musl target for the init.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{PIN, full_entry, juinen_lists, key, load_definition, paper, type_str};
use crossterm::event::KeyCode;
use tally_demo::{JUINEN_110A, JUINEN_110B, JUINEN_230B, Paths};
use tally_image::testbed::{
    BENCH_PASSPHRASE, BOOT_TIMEOUT, TEST_ROOT_SEED, TestBed, build_musl_inits, make_body_data,
    make_certified_stick,
};
use tally_ledger::journal::CoreJournal;
use tally_signing::{
    Certificate, CertificateFields, ContentKind, MediumFile, Role, SecretKey, SignedMedium,
    Timestamp, sign_medium,
};
use tally_signing::{DirSource, VerifyOptions, verify_medium};
use tally_tui::app::State;
use tally_tui::folder::FolderServices;
use tally_tui::services::Services;
use tally_tui::shell::runner::Runner;
use tally_tui::text::Lang;

fn work() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-usb-guest")
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

/// The Juinen definition signed by an authority of the test root (the one the image trusts).
fn definition() -> (String, SignedMedium) {
    let root = SecretKey::from_seed(&TEST_ROOT_SEED);
    let authority = SecretKey::from_seed(&[0x11; 32]);
    let from = Timestamp::parse("2025-01-01T00:00:00Z").unwrap();
    let cert = Certificate::issue(
        &root,
        CertificateFields {
            role: Role::Authority,
            identifier: "Kiesraad".into(),
            name: "Kiesraad (test)".into(),
            election: "GR2025_Juinen".into(),
            valid_from: from,
            valid_until: Timestamp::parse("2099-01-01T00:00:00Z").unwrap(),
            public_key: authority.public_key(),
        },
    )
    .unwrap();
    let files = [
        ("eml110a_verkiezingsdefinitie-juinen.eml.xml", JUINEN_110A),
        ("eml230b_kandidatenlijsten-juinen.eml.xml", JUINEN_230B),
        ("eml110b_stembureaulijst-juinen.eml.xml", JUINEN_110B),
    ]
    .into_iter()
    .map(|(name, bytes)| MediumFile {
        name: name.into(),
        bytes: bytes.to_vec(),
    })
    .collect();
    let medium = sign_medium(
        ContentKind::ElectionDefinition,
        "GR2025_Juinen",
        files,
        &authority,
        &cert,
        from,
    )
    .unwrap();
    let folder =
        SignedMedium::folder_name(ContentKind::ElectionDefinition, "GR2025_Juinen", "Kiesraad");
    (folder, medium)
}

/// A partitionless FAT stick holding `medium` in `folder` (made without mounting).
fn fat_stick_with(path: &Path, folder: &str, medium: &SignedMedium) {
    let _ = std::fs::remove_file(path);
    run(Command::new("mkfs.vfat")
        .args(["-C", "-n", "DEFINITIE"])
        .arg(path)
        .arg("16384"));
    run(Command::new("mmd")
        .arg("-i")
        .arg(path)
        .arg(format!("::/{folder}")));
    let dir = path.with_extension("files");
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = medium
        .files
        .iter()
        .map(|f| (f.name.clone(), f.bytes.clone()))
        .collect();
    files.push((tally_signing::MANIFEST_FILE.into(), medium.manifest.clone()));
    files.push((
        tally_signing::SIGNATURE_FILE.into(),
        medium.signature.clone(),
    ));
    for (name, bytes) in files {
        let f = dir.join(&name);
        std::fs::write(&f, bytes).unwrap();
        run(Command::new("mcopy")
            .arg("-i")
            .arg(path)
            .arg(&f)
            .arg(format!("::/{folder}/{name}")));
    }
}

/// Counts the Juinen test election on the host in `data` (the body's keys from
/// `make_body_data`, the definition from a folder): every station entered twice, definitive.
/// Leaves the journal and the kept definition, as the appliance would have them.
fn count_on_the_host(data: &Path, root_key: &Path, folder: &str, medium: &SignedMedium) {
    let media = data.with_extension("media");
    let _ = std::fs::remove_dir_all(&media);
    std::fs::create_dir_all(&media).unwrap();
    medium.write_to_dir(&media.join(folder)).unwrap();
    let mut paths = Paths::new(data.to_path_buf(), media);
    paths.root = root_key.to_path_buf();
    let services = FolderServices::open(paths.clone(), "00".repeat(32), false).unwrap();
    let state = State::new(Lang::Nl, false, services.identity(), 7);
    let mut r = Runner::open(state, services, CoreJournal::new(&paths.journal())).unwrap();
    type_str(&mut r, BENCH_PASSPHRASE);
    key(&mut r, KeyCode::Enter);
    load_definition(&mut r);
    let lists = juinen_lists(&r);
    for s in 1..=3u32 {
        let p = paper(s, &lists);
        full_entry(&mut r, (s - 1) as usize, "Anna", &p);
        full_entry(&mut r, (s - 1) as usize, "Bert", &p);
    }
    assert!(r.state.ledger.all_definitive());
}

/// The terminal's screen as a VT100 shows it (ratatui writes only the changed cells, so the
/// raw bytes do not hold a text in one piece).
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

    /// Waits until the screen shows `needle` (wrapped lines joined); returns the screen's
    /// words.
    fn wait(&mut self, vm: &mut tally_image::qemu::Vm, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let bytes = vm.console_bytes();
            if bytes.len() > self.fed {
                self.parser.process(&bytes[self.fed..]);
                self.fed = bytes.len();
            }
            // Long lines wrap: compare with the words of the screen joined by one space.
            let text = self.parser.screen().contents();
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.contains(needle) {
                return text;
            }
            assert!(vm.running(), "the VM stopped; screen:\n{text}");
            assert!(
                Instant::now() < deadline,
                "{needle:?} not on the screen after {timeout:?}:\n{text}\n--- serial0 tail ---\n{}",
                vm.serial0()
                    .lines()
                    .rev()
                    .take(30)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn tally_usb_in_the_guest_lists_hot_plugged_sticks_and_verifies_a_definition() {
    let t0 = Instant::now();
    let work = work();
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();

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
    make_body_data(&data).unwrap();
    let boot = work.join("certified.img");
    make_certified_stick(&image.uki, Some(&data), &boot).unwrap();
    let (folder, medium) = definition();
    let def = work.join("definition.img");
    fat_stick_with(&def, &folder, &medium);
    let blank = work.join("blank.img");
    std::fs::File::create(&blank)
        .unwrap()
        .set_len(8 << 20)
        .unwrap();
    let built = t0.elapsed();

    let mut vm = bed.boot_stick(&boot, &work.join("vm")).unwrap();
    let mut screen = Screen::new();
    screen.wait(&mut vm, "Wachtwoordzin", BOOT_TIMEOUT);
    let booted = vm.started.elapsed();
    vm.send_bytes(format!("{BENCH_PASSPHRASE}\r").as_bytes())
        .unwrap();
    // The boot stick is a USB stick too, but never offered.
    let text = screen.wait(&mut vm, "Geen stick gevonden.", Duration::from_secs(120));
    assert!(!text.contains("/dev/sd"), "{text}");

    // Hot-plugged: the media screen lists it by itself (no key pressed).
    let plugged = Instant::now();
    vm.plug_stick("def", &def, "DEF1").unwrap();
    let text = screen.wait(
        &mut vm,
        "election-definition.tally",
        Duration::from_secs(120),
    );
    let listed = plugged.elapsed();
    assert!(text.contains(&folder), "{text}");
    assert!(text.contains("(serienummer DEF1)"), "{text}");
    vm.plug_stick("blank", &blank, "LEEG1").unwrap();
    screen.wait(&mut vm, "geen bruikbare partitie", Duration::from_secs(120));

    // The definition stick sorts first (its USB port comes first): Enter verifies it.
    vm.send_bytes(b"\r").unwrap();
    let text = screen.wait(
        &mut vm,
        "Verkiezingsdefinitie controleren",
        Duration::from_secs(180),
    );
    assert!(text.contains("Juinen"), "{text}");

    // Back to the media screen (Esc), pull the definition stick: it leaves the list by itself,
    // the blank one stays.
    vm.send_bytes(b"\x1b").unwrap();
    screen.wait(&mut vm, "geen bruikbare partitie", Duration::from_secs(120));
    vm.unplug_stick("def", Duration::from_secs(60)).unwrap();
    vm.unplug_stick("blank", Duration::from_secs(60)).unwrap();
    let text = screen.wait(&mut vm, "Geen stick gevonden.", Duration::from_secs(120));
    assert!(!text.contains("bruikbare"), "{text}");

    eprintln!(
        "image and sticks {:.1} s; boot to the passphrase {:.1} s; a hot-plugged stick listed {:.1} s after device_add; whole test {:.1} s",
        built.as_secs_f64(),
        booted.as_secs_f64(),
        listed.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
    std::fs::write(work.join("console.txt"), vm.console_text()).unwrap();
    vm.kill();

    // 2. Export: a data partition with a count made on the host.
    let counted = work.join("counted");
    make_body_data(&counted).unwrap();
    count_on_the_host(&counted, &bed.root_key, &folder, &medium);
    let boot2 = work.join("certified-counted.img");
    make_certified_stick(&image.uki, Some(&counted), &boot2).unwrap();
    let blank_fat = |name: &str| {
        let p = work.join(name);
        let _ = std::fs::remove_file(&p);
        run(Command::new("mkfs.vfat")
            .args(["-C", "-n", "LEEG"])
            .arg(&p)
            .arg("16384"));
        p
    };
    let (one, two) = (blank_fat("one.img"), blank_fat("two.img"));
    let mut vm = bed.boot_stick(&boot2, &work.join("vm2")).unwrap();
    let mut screen = Screen::new();
    screen.wait(&mut vm, "Wachtwoordzin", BOOT_TIMEOUT);
    vm.send_bytes(format!("{BENCH_PASSPHRASE}\r").as_bytes())
        .unwrap();
    // The journal brings back the overview with every station definitive; t: the total.
    screen.wait(
        &mut vm,
        "3 van 3 stembureaus definitief",
        Duration::from_secs(120),
    );
    vm.plug_stick("one", &one, "EEN1").unwrap();
    vm.plug_stick("two", &two, "TWEE2").unwrap();
    std::thread::sleep(Duration::from_secs(5));
    vm.send_bytes(b"t").unwrap();
    screen.wait(
        &mut vm,
        "E schrijft de ondertekende",
        Duration::from_secs(60),
    );
    // The export is the coordinator's: her PIN (registered on the host) first.
    let coordinator_pin = |vm: &mut tally_image::qemu::Vm, screen: &mut Screen| {
        screen.wait(vm, "Kies uw naam (coordinator)", Duration::from_secs(120));
        vm.send_bytes(format!("{PIN}\r").as_bytes()).unwrap();
    };
    vm.send_bytes(b"e").unwrap();
    coordinator_pin(&mut vm, &mut screen);
    screen.wait(
        &mut vm,
        "2 bruikbare sticks; laat er precies een in zitten",
        Duration::from_secs(120),
    );
    vm.unplug_stick("two", Duration::from_secs(60)).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let exporting = Instant::now();
    vm.send_bytes(b"e").unwrap();
    coordinator_pin(&mut vm, &mut screen);
    let text = screen.wait(
        &mut vm,
        "Ondertekende uitslag geschreven naar",
        Duration::from_secs(180),
    );
    let exported = exporting.elapsed();
    let out_folder = SignedMedium::folder_name(ContentKind::Results510b, "GR2025_Juinen", "0042");
    assert!(text.contains(&out_folder), "{text}");
    vm.unplug_stick("one", Duration::from_secs(60)).unwrap();
    std::fs::write(work.join("console2.txt"), vm.console_text()).unwrap();
    vm.kill();

    // The stick, read on the host: the signed 510b, its report, the CSV and the audit log,
    // nothing else.
    let copy = work.join("exported");
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy).unwrap();
    run(Command::new("mcopy")
        .args(["-s", "-n", "-i"])
        .arg(&one)
        .arg(format!("::/{out_folder}"))
        .arg(&copy));
    let root = SecretKey::from_seed(&TEST_ROOT_SEED).public_key();
    let mut opts = VerifyOptions::new(&root, Timestamp::now());
    opts.expected_kind = Some(ContentKind::Results510b);
    opts.expected_signer = Some("0042");
    let verified = verify_medium(&DirSource::new(copy.join(&out_folder)), &opts).unwrap();
    let names: Vec<&str> = verified.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Telling_GR2025_Juinen_gemeente_Juinen.eml.xml",
            "Model_Na31-2_GR2025_Juinen_gemeente_Juinen.pdf",
            "osv4-3_telling_gr2025_juinen.csv",
            "audit.jsonl",
        ]
    );
    assert!(verified.ignored.is_empty(), "{:?}", verified.ignored);
    assert!(verified.files[1].bytes.starts_with(b"%PDF-"));
    eprintln!(
        "export to a real (emulated) USB stick in the guest, with read-back and verification: {:.1} s",
        exported.as_secs_f64()
    );
}
