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

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::*;
use tally_core::entry::{EntryShape, FieldId};
use tally_e2e::{asked_groups, entry_fields, grouped, hash_group};
use tally_image::testbed::{BOOT_TIMEOUT, TestBed, build_musl_inits};

const GSB_PASS: &str = "gemeente Juinen telt";

/// Blank votes (F) of station `s`: 40 at station 2, more than 3 % of the votes cast, so the
/// check W.201 warns and the coordinator must acknowledge it.
fn blank(s: u32) -> u64 {
    if s == 2 { 40 } else { u64::from(s) }
}

/// The paper report of station `s` in typing order: every field of the form with the text
/// typed into it (empty: left empty). D equals H, so "D en H zijn gelijk" is ticked.
fn paper(s: u32, shape: &EntryShape) -> Vec<(FieldId, String)> {
    support::paper(s, blank(s), shape)
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
    auth.issue("GSB", "0042", "Gemeente Juinen", "gsb.pass", GSB_PASS);
    let definition = auth.sign_definition();
    let forger = Authority::new(&provision, &work.join("forger"));
    let forged = forger.sign_definition();

    // The form's shape, from the definition (the typing order of the fields).
    let (shape, h110a, h230b) = juinen_form();

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
    auth.stick(&bed, &image.uki, "0042", &stick);
    let def_img = work.join("definition.img");
    vfat_stick(&def_img, "DEFINITIE", Some(&definition));
    let forged_img = work.join("forged.img");
    vfat_stick(&forged_img, "VERVALST", Some(&forged));
    let blank_img = work.join("blank.img");
    vfat_stick(&blank_img, "UITSLAG", None);
    let prepared = t0.elapsed();

    // 4. Boot 1.
    let mut t = Term::boot(&bed, &stick, &work.join("vm1"));
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
    let mut t = Term::boot(&bed, &stick, &work.join("vm2"));
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
    let medium = read_stick(
        &blank_img,
        "GR2025_Juinen_0042_results-510b.tally",
        &work.join("export"),
    );
    auth.verify(&medium, "0042");
    assert_totals(&medium, &shape, &[blank(1), blank(2), blank(3)]);
    eprintln!(
        "e2e timings: prepared {prepared:?}, boot 1 to the start screen {booted:?}, power cut at {typed_1:?}, exported at {typed_2:?}, total {:?}",
        t0.elapsed()
    );
}
