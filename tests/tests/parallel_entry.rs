//! Parallel entry on the appliance (issue 18, "in QEMU"): one coordinating appliance (role
//! `GSB`, 0042) and two entry appliances (role `GSB-entry`, 0042-E1 and 0042-E2) of the
//! Kiesraad's test election Juinen (three polling stations), each booted in QEMU with OVMF and
//! Secure Boot enforced from its own certified stick, one after another; everything between
//! them is carried on hot-plugged vfat sticks.
//!
//! 1. `tally-provision` makes a root, the three certificates and keys (each sealed with its
//!    own passphrase), an authority certificate, the signed Juinen definition and the three
//!    certified sticks (one UKI with the real `tally`, each stick with its own data partition).
//! 2. The coordinator boots, loads the definition from a stick (the asked hash-code groups
//!    typed), `P` and the PIN open the progress screen, `R 2 Enter` assigns round robin over
//!    E1 and E2, `E` writes the signed assignment to a blank stick; QMP `quit`. The host reads
//!    the stick: `tally-provision verify` says VALID (signed by 0042), and the assignment is
//!    what `R 2` promises (station 1 and 3: first on E1, second on E2; station 2 the other way).
//! 3. Each entry appliance boots from its own stick, loads the definition and the assignment
//!    from sticks (E1 refuses a forged copy of the assignment first: one appliance changed
//!    after signing), registers its typist (Anna on E1, Bert on E2), types its three assigned
//!    entries (every field's keys over the serial line) and exports its signed batch (`E` and
//!    the PIN) to a blank stick; the host verifies each batch (VALID, signed by the appliance,
//!    role `GSB-entry`) and reads its entries as plain JSON (the stations and entries assigned,
//!    the typist, the blank votes typed).
//! 4. The coordinator boots again from its stick (its journal kept), refuses a forged copy of
//!    E1's batch (one number changed after signing: nothing imported), imports E2's batch (one
//!    entry placed, two held: their first entries are on E1) and E1's (three placed: every
//!    station definitive; the same stick again: said to be imported before, nothing changed),
//!    and exports the 510b to a blank stick. On the host `tally-provision verify` says VALID
//!    (signed by 0042) and the 510b's totals are the sums of the papers typed.
//!
//! The harness says why it stopped: the screen and the tail of the kernel's log.
//!
//! Needs what `appliance.rs` needs (scripts/test's packages, the musl target, virt-fw-vars, the
//! Debian mirror once).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use support::*;
use tally_image::testbed::{TestBed, build_musl_inits};

const GSB_PASS: &str = "gemeente Juinen telt";
const E1_PASS: &str = "invoerapparaat een van Juinen";
const E2_PASS: &str = "invoerapparaat twee van Juinen";
const ASSIGNMENT: &str = "GR2025_Juinen_0042_entry-assignment.tally";

/// Blank votes (F) of station `s`.
fn blank(s: u32) -> u64 {
    u64::from(s)
}

/// `(station, first entry's appliance, second entry's appliance)` in the assignment file
/// (plain JSON, read without the ledger's reader).
fn assignment_of(json: &[u8]) -> Vec<(u64, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    assert_eq!(v["format"], "tally-entry-assignment v1", "{v}");
    assert_eq!(v["election"], ELECTION, "{v}");
    assert_eq!(v["body"], "0042", "{v}");
    let mut by: BTreeMap<u64, (String, String)> = BTreeMap::new();
    for a in v["assignments"].as_array().unwrap() {
        let station = a["station"].as_u64().unwrap();
        let appliance = a["appliance"].as_str().unwrap().to_owned();
        let e = by.entry(station).or_default();
        match a["slot"].as_str().unwrap() {
            "First" => e.0 = appliance,
            "Second" => e.1 = appliance,
            other => panic!("slot {other} in {v}"),
        }
    }
    by.into_iter().map(|(s, (f, l))| (s, f, l)).collect()
}

#[test]
fn two_entry_appliances_and_a_coordinator_count_juinen_from_their_own_sticks() {
    let t0 = Instant::now();
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-e2e-parallel");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();

    // 1. Provisioning with the real tool: three bodies of one municipality, three sticks.
    let (tally, provision) = build_programs();
    let auth = Authority::new(&provision, &work.join("authority"));
    auth.issue("GSB", "0042", "Gemeente Juinen", "gsb.pass", GSB_PASS);
    auth.issue(
        "GSB-entry",
        "0042-E1",
        "Gemeente Juinen invoer 1",
        "e1.pass",
        E1_PASS,
    );
    auth.issue(
        "GSB-entry",
        "0042-E2",
        "Gemeente Juinen invoer 2",
        "e2.pass",
        E2_PASS,
    );
    let definition = auth.sign_definition();
    let (shape, h110a, h230b) = juinen_form();

    let (init, _) = build_musl_inits(&target_dir()).unwrap();
    let bed = TestBed::prepare(
        &work.join("bed"),
        &Path::new(env!("CARGO_TARGET_TMPDIR")).join("tally-kernel-cache"),
    )
    .unwrap();
    let mut cfg = bed.appliance_config(&init, &tally, &work.join("image"));
    cfg.root_key = auth.dir.join("authority.pub");
    let image = tally_image::build::build(&cfg).unwrap();
    let gsb = work.join("gsb.img");
    auth.stick(&bed, &image.uki, "0042", &gsb);
    let (e1, e2) = (work.join("e1.img"), work.join("e2.img"));
    auth.stick(&bed, &image.uki, "0042-E1", &e1);
    auth.stick(&bed, &image.uki, "0042-E2", &e2);
    let def_img = work.join("definition.img");
    vfat_stick(&def_img, "DEFINITIE", Some(&definition));
    let assign_img = work.join("assignment.img");
    vfat_stick(&assign_img, "TOEWIJZING", None);
    let (batch1, batch2, result) = (
        work.join("batch1.img"),
        work.join("batch2.img"),
        work.join("result.img"),
    );
    vfat_stick(&batch1, "BATCH1", None);
    vfat_stick(&batch2, "BATCH2", None);
    vfat_stick(&result, "UITSLAG", None);
    let prepared = t0.elapsed();

    // 2. The coordinator: definition, assignment over two entry appliances, written.
    let mut t = Term::boot(&bed, &gsb, &work.join("vm-gsb-1"));
    t.unlock("GSB 0042 Gemeente Juinen", GSB_PASS);
    t.load_definition(&def_img, &h110a, &h230b);
    t.wait_for("0 van 3 stembureaus definitief");
    t.keys(b"p");
    t.wait_for("Kies uw naam (coordinator)");
    t.pin();
    t.wait_flat("nog geen (R verdeelt de stembureaus)");
    t.keys(b"r");
    t.wait_flat("Verdeel over invoerapparaten E1 t/m E_");
    t.keys(b"2");
    t.keys(ENTER);
    let s = t.wait_for("0042-E2: 0 ingeleverd, heeft nog: 1-3");
    assert!(s.contains("0042-E1: 0 ingeleverd, heeft nog: 1-3"), "{s}");
    for (station, first, second) in [(1, "E1", "E2"), (2, "E2", "E1"), (3, "E1", "E2")] {
        assert!(
            s.lines().any(|l| {
                let w: Vec<&str> = l.trim_start_matches('>').split_whitespace().collect();
                w.len() >= 5
                    && w[0] == station.to_string()
                    && w[1..5] == [first, "open", second, "open"]
            }),
            "station {station}: {first} open, {second} open:\n{s}"
        );
    }
    let s = t.write_medium(
        b"e",
        false,
        "assign",
        &assign_img,
        "Toewijzing ondertekend naar de stick geschreven",
    );
    assert!(flat(&s).contains(ASSIGNMENT), "{s}");
    let assigned_at = t0.elapsed();
    t.power_off();

    // On the host: the assignment, signed by the coordinator, as R 2 promised.
    let copy = read_stick(&assign_img, ASSIGNMENT, &work.join("assignment"));
    let verdict = auth.verify(&copy, "0042");
    assert!(verdict.contains("(entry-assignment)\n"), "{verdict}");
    assert!(verdict.contains("role:        GSB\n"), "{verdict}");
    let json = std::fs::read(copy.join("entry-assignment.json")).unwrap();
    assert_eq!(
        assignment_of(&json),
        vec![
            (1, "0042-E1".into(), "0042-E2".into()),
            (2, "0042-E2".into(), "0042-E1".into()),
            (3, "0042-E1".into(), "0042-E2".into()),
        ]
    );
    eprintln!("parallel e2e: the assignment written at {assigned_at:?}");
    // A forged copy of it: station 1's first entry moved to E2 after signing.
    let forged_assignment = forge(
        &copy,
        "entry-assignment.json",
        (
            "{\"station\":1,\"slot\":\"First\",\"appliance\":\"0042-E1\"}",
            "{\"station\":1,\"slot\":\"First\",\"appliance\":\"0042-E2\"}",
        ),
        &work.join("forged-assignment"),
    );

    // 3. The entry appliances, one after the other, each from its own stick.
    let papers: Vec<Vec<_>> = (1..=3).map(|s| paper(s, blank(s), &shape)).collect();
    let sticks = Sticks {
        definition: &def_img,
        assignment: &assign_img,
        forged_assignment: &forged_assignment,
        h110a: &h110a,
        h230b: &h230b,
    };
    for (n, stick, pass, typist, batch, mine) in [
        (1, &e1, E1_PASS, "Anna", &batch1, [(1, 1), (2, 2), (3, 1)]),
        (2, &e2, E2_PASS, "Bert", &batch2, [(1, 2), (2, 1), (3, 2)]),
    ] {
        let id = format!("0042-E{n}");
        let mut t = Term::boot(&bed, stick, &work.join(format!("vm-e{n}")));
        entry_appliance(&mut t, &id, pass, typist, &sticks, &mine, &papers, batch);
        t.power_off();
        // On the host: the batch, signed by this entry appliance, holds its three entries as
        // typed.
        let folder = format!("{ELECTION}_{id}_entry-batch.tally");
        let copy = read_stick(batch, &folder, &work.join(format!("batch{n}")));
        let verdict = auth.verify(&copy, &id);
        assert!(verdict.contains("(entry-batch)\n"), "{verdict}");
        assert!(verdict.contains("role:        GSB-entry\n"), "{verdict}");
        let json = std::fs::read(copy.join("entry-batch.json")).unwrap();
        assert_eq!(
            batch_of(&json, &id, typist),
            mine.map(|(s, slot)| (s, slot, blank(s)))
        );
        eprintln!("parallel e2e: {id}'s batch written at {:?}", t0.elapsed());
    }

    // A forged copy of E1's batch on a stick of its own: station 1's blank votes made 2
    // after signing.
    let e1_folder = format!("{ELECTION}_0042-E1_entry-batch.tally");
    let forged = forge(
        &work.join("batch1").join(&e1_folder),
        "entry-batch.json",
        ("[\"F\",{\"count\":1}]", "[\"F\",{\"count\":2}]"),
        &work.join("forged-batch"),
    );

    // 4. The coordinator again, from its stick: both batches imported, the 510b exported.
    let mut t = Term::boot(&bed, &gsb, &work.join("vm-gsb-2"));
    t.unlock("GSB 0042 Gemeente Juinen", GSB_PASS);
    t.wait_for("0 van 3 stembureaus definitief");
    t.keys(b"p");
    t.wait_for("Kies uw naam (coordinator)");
    t.pin();
    t.wait_for("0042-E2: 0 ingeleverd, heeft nog: 1-3");
    // The forged batch: refused by the signature check in the guest, nothing imported.
    t.choose_medium(b"i", "forged", &forged, &e1_folder);
    let s = t.wait_flat("Stick geweigerd");
    assert!(flat(&s).contains("na ondertekening gewijzigd"), "{s}");
    t.vm.unplug_stick("forged", SCREEN_TIMEOUT).unwrap();
    // E2's first, from the same list: its first entry (station 2) placed, its seconds held
    // (their firsts are on E1).
    t.choose_medium(b"", "batch2", &batch2, "0042-E2_entry-batch.tally");
    let s = t.wait_flat("3 invoeren: 1 geplaatst, 2 vastgehouden, 0 al binnen, 0 geweigerd.");
    assert!(!s.contains("GEWEIGERD"), "{s}");
    t.keys(ESC);
    let s = t.wait_for("0042-E2: 3 ingeleverd");
    assert!(s.contains("0042-E1: 0 ingeleverd, heeft nog: 1-3"), "{s}");
    t.vm.unplug_stick("batch2", SCREEN_TIMEOUT).unwrap();
    // E1's: every first in, the held seconds placed, every station compared and definitive.
    t.choose_medium(b"i", "batch1", &batch1, "0042-E1_entry-batch.tally");
    let s = t.wait_flat("3 invoeren: 3 geplaatst, 0 vastgehouden, 0 al binnen, 0 geweigerd.");
    assert!(!s.contains("GEWEIGERD"), "{s}");
    t.keys(ESC);
    t.wait_for("0042-E1: 3 ingeleverd");
    // The same stick again: said, nothing changed.
    t.keys(b"i");
    t.wait("E1's batch listed", SCREEN_TIMEOUT, |s| {
        s.lines()
            .any(|l| l.starts_with("> ") && l.contains("0042-E1_entry-batch.tally"))
    });
    t.keys(ENTER);
    t.wait_flat("Deze batch is al eerder ingelezen; er is niets veranderd.");
    t.keys(ESC);
    let s = t.wait_flat("3 stembureaus: 3 definitief, 0 met verschillen");
    assert!(s.contains("0042-E1: 3 ingeleverd, heeft nog: niets"), "{s}");
    assert!(s.contains("0042-E2: 3 ingeleverd, heeft nog: niets"), "{s}");
    t.vm.unplug_stick("batch1", SCREEN_TIMEOUT).unwrap();
    let imported_at = t0.elapsed();
    // The count is the municipality's as always: the total, E and the coordinator's PIN.
    t.keys(ESC);
    t.wait_for("3 van 3 stembureaus definitief");
    t.keys(b"t");
    t.wait_for("Gemeentelijk totaal");
    t.write_medium(
        b"e",
        true,
        "result",
        &result,
        "Ondertekende uitslag geschreven",
    );
    t.power_off();

    // On the host: the 510b, signed by the coordinator, holds the sums of the papers typed.
    let medium = read_stick(
        &result,
        "GR2025_Juinen_0042_results-510b.tally",
        &work.join("export"),
    );
    auth.verify(&medium, "0042");
    assert_totals(&medium, &shape, &[blank(1), blank(2), blank(3)]);
    eprintln!(
        "parallel e2e timings: prepared {prepared:?}, assignment written at {assigned_at:?}, batches imported at {imported_at:?}, total {:?}",
        t0.elapsed()
    );
}

/// What an entry appliance reads from sticks.
struct Sticks<'a> {
    definition: &'a Path,
    assignment: &'a Path,
    /// A forged copy of the assignment, offered first on E1.
    forged_assignment: &'a Path,
    h110a: &'a str,
    h230b: &'a str,
}

/// Entry appliance `id` (booted in `t`): unlocked, the definition and the assignment read,
/// `typist` registered, the entries `mine` (station, slot) typed from `papers`, the batch
/// written to the blank stick `batch` (pulled).
#[allow(clippy::too_many_arguments)]
fn entry_appliance(
    t: &mut Term,
    id: &str,
    pass: &str,
    typist: &str,
    sticks: &Sticks<'_>,
    mine: &[(u32, u32)],
    papers: &[Vec<(tally_core::entry::FieldId, String)>],
    batch: &Path,
) {
    t.unlock(id, pass);
    t.load_definition(sticks.definition, sticks.h110a, sticks.h230b);
    t.wait_for("Nog geen toewijzing ingelezen.");
    t.register(&[typist]);
    t.wait_for("Nog geen toewijzing ingelezen.");
    // E1 is offered a forged assignment first: refused by the signature check in the guest.
    let key: &[u8] = if id == "0042-E1" {
        t.choose_medium(b"i", "forged", sticks.forged_assignment, ASSIGNMENT);
        let s = t.wait_flat("Stick geweigerd");
        assert!(flat(&s).contains("na ondertekening gewijzigd"), "{s}");
        t.vm.unplug_stick("forged", SCREEN_TIMEOUT).unwrap();
        b""
    } else {
        b"i"
    };
    t.choose_medium(key, "assign", sticks.assignment, ASSIGNMENT);
    let s = t.wait_flat("Toewijzing ingelezen: 3 stembureaus voor dit invoerapparaat.");
    t.vm.unplug_stick("assign", SCREEN_TIMEOUT).unwrap();
    // The overview lists the stations given to it, with the entry each one is.
    for &(station, slot) in mine {
        let entry = format!("{slot}e");
        assert!(
            s.lines().any(|l| {
                let w: Vec<&str> = l.trim_start_matches('>').split_whitespace().collect();
                w.first() == Some(&station.to_string().as_str())
                    && w.ends_with(&[entry.as_str(), "invoer"])
            }),
            "station {station}, entry {slot}:\n{s}"
        );
    }
    // Each typed as the entry the assignment gives it here (the heading says which).
    for (i, &(station, slot)) in mine.iter().enumerate() {
        t.start_entry(station, slot, typist);
        t.type_and_save(&papers[station as usize - 1], 0);
        t.wait_for(&format!("{} van 3 toegewezen stembureaus getypt", i + 1));
    }
    let s = t.write_medium(
        b"e",
        true,
        "batch",
        batch,
        "Invoerbatch (3 invoeren) ondertekend, geschreven en gecontroleerd",
    );
    assert!(
        flat(&s).contains(&format!("{ELECTION}_{id}_entry-batch.tally")),
        "{s}"
    );
}

/// `(station, slot 1 or 2, blank votes F)` of each entry in the batch file, checked to be of
/// `appliance` and typed by `typist` (plain JSON, read without the ledger's reader).
fn batch_of(json: &[u8], appliance: &str, typist: &str) -> [(u32, u32, u64); 3] {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    assert_eq!(v["format"], "tally-entry-batch v1", "{v}");
    assert_eq!(v["election"], ELECTION, "{v}");
    assert_eq!(v["body"], "0042", "{v}");
    assert_eq!(v["appliance"], appliance, "{v}");
    let entries: Vec<(u32, u32, u64)> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["typist"]["name"], typist, "{e}");
            let slot = match e["slot"].as_str().unwrap() {
                "First" => 1,
                "Second" => 2,
                other => panic!("slot {other} in {e}"),
            };
            let blank = e["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f[0] == "F")
                .and_then(|f| f[1]["count"].as_u64())
                .unwrap_or_else(|| panic!("no blank votes (F) in {e}"));
            (e["station"].as_u64().unwrap() as u32, slot, blank)
        })
        .collect();
    entries
        .try_into()
        .unwrap_or_else(|e| panic!("not three entries: {e:?}"))
}

/// A forged copy of the signed medium `folder` on a vfat stick of its own (made in `dir`;
/// its path): in its `file`, the first `change.0` replaced by `change.1` after signing.
fn forge(folder: &Path, file: &str, change: (&str, &str), dir: &Path) -> std::path::PathBuf {
    let copy = dir.join(folder.file_name().unwrap());
    std::fs::create_dir_all(&copy).unwrap();
    for f in std::fs::read_dir(folder).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), copy.join(f.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(copy.join(file)).unwrap();
    let changed = text.replacen(change.0, change.1, 1);
    assert_ne!(text, changed, "{} not in {file}: {text}", change.0);
    std::fs::write(copy.join(file), changed).unwrap();
    let img = dir.join("forged.img");
    vfat_stick(&img, "VERVALST", Some(&copy));
    img
}
