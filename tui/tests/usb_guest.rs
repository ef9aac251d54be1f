//! The real `tally --usb` in the appliance's QEMU guest (contract 1): booted from a certified
//! stick (ESP + data partition with the body's certificate and key), sticks hot-plugged over
//! QMP while the terminal waits for keys.
//!
//! Checks: the boot stick is never offered (the media screen says "Geen stick gevonden." after
//! the passphrase although the boot stick is a USB stick); a definition stick hot-plugged
//! appears on the media screen by itself (the event loop polls the kernel's uevents between
//! keys); a blank stick is listed with "geen bruikbare partitie"; choosing the definition
//! mounts it read-only, verifies it and shows the definition screen; a pulled stick leaves the
//! list by itself.
//!
//! Slow (OVMF under TCG: minutes); needs the image tools of `scripts/test` (qemu, ovmf,
//! sbsigntool, systemd-boot-efi, dosfstools, mtools, ...) and a musl target for the init.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tally_image::testbed::{
    BENCH_PASSPHRASE, BOOT_TIMEOUT, TEST_ROOT_SEED, TestBed, build_musl_inits, make_body_data,
    make_certified_stick,
};
use tally_signing::{
    Certificate, CertificateFields, ContentKind, MediumFile, Role, SecretKey, SignedMedium,
    Timestamp, sign_medium,
};
use tally_tui::demo::{JUINEN_110A, JUINEN_110B, JUINEN_230B};

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
}
