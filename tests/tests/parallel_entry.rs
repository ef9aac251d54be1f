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
//!    from sticks, registers its typist, types its three assigned entries (every field's keys
//!    over the serial line) and exports its signed batch (`E` and the PIN) to a blank stick;
//!    the host verifies each batch (VALID, signed by the appliance).
//! 4. The coordinator boots again from its stick (its journal kept), imports E2's batch (one
//!    entry placed, two held: their first entries are on E1) and E1's (three placed: every
//!    station definitive), and exports the 510b to a blank stick. On the host `tally-provision
//!    verify` says VALID (signed by 0042) and the 510b's totals are the sums of the papers
//!    typed.
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
use std::time::{Duration, Instant};

use support::*;
use tally_core::ids::ListNumber;
use tally_e2e::totals_510b;
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
    let def_img = work.join("definition.img");
    vfat_stick(&def_img, "DEFINITIE", Some(&definition));
    let assign_img = work.join("assignment.img");
    vfat_stick(&assign_img, "TOEWIJZING", None);
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
    t.vm.plug_stick("assignment", &assign_img, "ASSIGN01")
        .unwrap();
    // The stick may not be seen yet when E is pressed: E again after a while.
    let mut written = false;
    for _ in 0..12 {
        std::thread::sleep(Duration::from_secs(3));
        t.keys(b"e");
        let s = t.wait("the assignment's export", SCREEN_TIMEOUT, |s| {
            flat(s).contains("Toewijzing ondertekend naar de stick geschreven") || s.contains("X ")
        });
        if flat(&s).contains("Toewijzing ondertekend naar de stick geschreven") {
            assert!(flat(&s).contains(ASSIGNMENT), "{s}");
            written = true;
            break;
        }
    }
    if !written {
        t.fail("no assignment written");
    }
    t.vm.unplug_stick("assignment", SCREEN_TIMEOUT).unwrap();
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
    eprintln!("parallel e2e timings: prepared {prepared:?}, assignment written at {assigned_at:?}");

    // 3. and 4.: the entry appliances and the import (below, once the entry mode is built).
    let _ = (&shape, blank(1), ListNumber(1), totals_510b(""));
    eprintln!("parallel e2e: total {:?}", t0.elapsed());
}
