//! The HSB flow end to end on folders: the principal electoral committee of kieskring 1
//! (Groningen) of the Tweede Kamer 2021 imports the signed 510b of its ten municipalities,
//! refuses a forged, a wrong-election and a wrong-body file (each with its own message,
//! nothing imported), takes a correction only on the coordinator's word, survives restarts,
//! and writes its signed 510c with the district report.
//!
//! There are no published 510b files of TK2021 in `shared/`: each municipality's 510b is
//! made of its reporting unit in the real 510c of Groningen (one polling station holding the
//! municipality's counts) and signed here with a GSB certificate. The 510c written must then
//! equal the Kiesraad's own 510c in its `TotalVotes`, field by field, list by list, candidate
//! by candidate: the Kiesraad's software computed those numbers, not this code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod higher_common;

use crossterm::event::KeyCode;
use higher_common::*;
use tally_core::aggregate::compare_counts;
use tally_core::counts::{CountFile, CountLevel};
use tally_core::eml::count::{read_count, write_count};
use tally_core::ids::ElectionId;
use tally_signing::{ContentKind, Role, Timestamp, VerifyOptions, verify_medium};
use tally_tui::higher::app::Screen;
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

/// The ten municipalities' 510b, from the real 510c's units: (code, file name, bytes).
fn groningen_510b(real_510c: &CountFile) -> Vec<(String, String, Vec<u8>)> {
    real_510c
        .units
        .iter()
        .map(|u| {
            let code = u.id.0.strip_prefix("HSB1::").unwrap().to_owned();
            let file = one_unit_file(
                &real_510c.header,
                CountLevel::Municipality,
                &code,
                "1",
                &format!("{code}::SB1"),
                &u.counts,
            );
            (
                code.clone(),
                format!("Telling_TK2021_gemeente_{code}.eml.xml"),
                write_count(&file).unwrap(),
            )
        })
        .collect()
}

fn in_count(r: &Runner) -> usize {
    let agg = r.state.ledger.aggregation.as_ref().unwrap();
    agg.bodies().len() - agg.missing().len()
}

/// Types the body's code and Enter on a confirmation.
fn confirm(r: &mut Runner, body: &str) {
    typ(r, body);
    press(r, KeyCode::Enter);
}

/// A decision on a correction: its key, then the body's code and Enter.
fn decide_correction(r: &mut Runner, decision: char, body: &str) {
    press(r, KeyCode::Char(decision));
    confirm(r, body);
}

fn note(r: &Runner) -> String {
    r.state
        .note
        .as_ref()
        .map(|n| n.text(Lang::Nl))
        .unwrap_or_default()
}

#[test]
fn hsb_imports_refuses_corrects_restarts_and_writes_the_signed_510c() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new("TK2021");
    let paths = pki.appliance(dir.path(), Role::Hsb, "HSB1", "Groningen");
    let media = paths.media_dir.clone();
    let def_110a = real("Verkiezingsdefinitie_TK2021.eml.xml");
    let def_folder = pki.definition(
        &media,
        vec![
            (
                "Verkiezingsdefinitie_TK2021.eml.xml".into(),
                def_110a.clone(),
            ),
            (
                "Kandidatenlijsten_TK2021_Groningen.eml.xml".into(),
                real("Kandidatenlijsten_TK2021_Groningen.eml.xml"),
            ),
        ],
    );
    let real_510c = read_count(&real("Telling_TK2021_kieskring_Groningen.eml.xml")).unwrap();
    let files = groningen_510b(&real_510c);
    assert_eq!(files.len(), 10);
    let mut folders = Vec::new();
    for (code, name, bytes) in &files {
        let signer = pki.body(Role::Gsb, code, &format!("Gemeente {code}"));
        let folder = pki.medium(
            &media,
            &format!("510b_{code}"),
            ContentKind::Results510b,
            "TK2021",
            vec![(name.clone(), bytes.clone())],
            &signer,
        );
        folders.push((folder, sha_hex(bytes)));
    }
    let (code0, name0, bytes0) = files[0].clone();
    let (code1, _, bytes1) = files[1].clone();

    // A forged file: signed, then one digit of the EML changed on the stick.
    let forged = pki.medium(
        &media,
        "zz_forged",
        ContentKind::Results510b,
        "TK2021",
        vec![(name0.clone(), bytes0.clone())],
        &pki.body(Role::Gsb, &code0, "Gemeente"),
    );
    let forged_eml = media.join(&forged).join(&name0);
    let mut text = std::fs::read(&forged_eml).unwrap();
    let at = text
        .windows(8)
        .position(|w| w == b"<Cast>12")
        .unwrap_or(400);
    text[at + 6] = if text[at + 6] == b'9' { b'8' } else { b'9' };
    std::fs::write(&forged_eml, text).unwrap();
    // A wrong-election medium: a genuine GSB of another election (TK2025).
    let wrong_election = pki.medium(
        &media,
        "zz_other_election",
        ContentKind::Results510b,
        "TK2025",
        vec![(name0.clone(), bytes0.clone())],
        &pki.body_in("TK2025", Role::Gsb, &code0, "Gemeente"),
    );
    // A wrong-election file: the medium is for TK2021, the EML inside says TK2025.
    let mut other = read_count(&bytes0).unwrap();
    other.header.election_id = ElectionId("TK2025".into());
    let other_bytes = write_count(&other).unwrap();
    let wrong_eml = pki.medium(
        &media,
        "zz_other_election_eml",
        ContentKind::Results510b,
        "TK2021",
        vec![(name0.clone(), other_bytes.clone())],
        &pki.body(Role::Gsb, &code0, "Gemeente"),
    );
    // A wrong-body file: municipality 0 signs the count of municipality 1.
    let wrong_body = pki.medium(
        &media,
        "zz_wrong_body",
        ContentKind::Results510b,
        "TK2021",
        vec![("Telling.eml.xml".into(), bytes1.clone())],
        &pki.body(Role::Gsb, &code0, "Gemeente"),
    );
    // A municipality of another kieskring (0363 Amsterdam), genuinely signed by its GSB.
    let mut amsterdam = read_count(&bytes0).unwrap();
    amsterdam.header.authority_id = "0363".into();
    let amsterdam_bytes = write_count(&amsterdam).unwrap();
    let other_kieskring = pki.medium(
        &media,
        "zz_other_kieskring",
        ContentKind::Results510b,
        "TK2021",
        vec![(
            "Telling_TK2021_gemeente_Amsterdam.eml.xml".into(),
            amsterdam_bytes.clone(),
        )],
        &pki.body(Role::Gsb, "0363", "Gemeente Amsterdam"),
    );
    // A correction for municipality 0: five more votes for list 1's first candidate.
    let mut corrected = read_count(&bytes0).unwrap();
    for vc in std::iter::once(&mut corrected.total)
        .chain(corrected.units.iter_mut().map(|u| &mut u.counts))
    {
        vc.lists[0].candidates[0].1 += 5;
        vc.lists[0].total += 5;
        vc.total_counted += 5;
    }
    let corrected_bytes = write_count(&corrected).unwrap();
    let correction = pki.medium(
        &media,
        "zz_correction",
        ContentKind::Results510b,
        "TK2021",
        vec![(name0.clone(), corrected_bytes.clone())],
        &pki.body(Role::Gsb, &code0, "Gemeente"),
    );

    // Start: identity and passphrase.
    assert!(tally_tui::higher::terminal::is_higher(&paths));
    let mut r = open(&paths, Lang::Nl);
    check_view(&mut r, &["Wachtwoordzin", "HSB1"], &["Passphrase", "HSB1"]);
    typ(&mut r, "fout");
    press(&mut r, KeyCode::Enter);
    assert_eq!(r.state.screen, Shell::Start);
    let refused = r.state.unlock_error.as_ref().map(|e| e.text(Lang::Nl));
    assert!(
        refused
            .as_deref()
            .is_some_and(|t| t.contains("Ontgrendelen geweigerd")),
        "{refused:?}"
    );
    unlock(&mut r);
    assert!(matches!(r.state.screen, Shell::Media(_)));
    check_view(
        &mut r,
        &["verkiezingsdefinitie", "00_definitie"],
        &["election definition"],
    );

    // The definition, checked against the paper (two groups of the 110a's hash code and two of
    // the 230b's).
    choose(&mut r, &def_folder);
    assert!(
        matches!(r.state.screen, Shell::Definition { .. }),
        "{:?}",
        r.state.note
    );
    check_view(
        &mut r,
        &[
            "Tweede Kamer",
            "Zetels                150",
            "Verwachte uitslagen   10",
            "groep",
            "van de hashcode van 110a",
            "Hashcode van de 230b: Kandidatenlijsten_TK2021_Groningen.eml.xml",
        ],
        &[
            "Seats                 150",
            "Results expected      10",
            "group",
            "of the hash code of",
        ],
    );
    // The 110a right, the 230b wrong: refused, naming the 230b.
    type_both(&mut r, &sha_hex(&def_110a), &"0".repeat(64));
    assert!(
        note(&r).contains("Kandidatenlijsten_TK2021_Groningen.eml.xml"),
        "{}",
        note(&r)
    );
    // Only the wrong group is cleared, with the cursor on it; the 110a's stay.
    let Shell::Definition { groups, .. } = &r.state.screen else {
        panic!("a wrong hash code must not accept the definition");
    };
    let wrong = groups.mismatch.expect("the wrong group");
    assert_eq!(groups.focus, wrong);
    assert_eq!(groups.asked[wrong].0, 1, "a group of the 230b");
    assert!(groups.typed[wrong].is_empty());
    assert!(groups.typed[..2].iter().all(|t| t.len() == 4));
    // All wrong: refused at the 110a; Esc goes back to the media, to choose again.
    press(&mut r, KeyCode::Esc);
    choose(&mut r, &def_folder);
    type_groups(&mut r, &"0".repeat(64));
    assert!(note(&r).contains("hashcode klopt niet"), "{}", note(&r));
    assert!(matches!(r.state.screen, Shell::Definition { .. }));
    press(&mut r, KeyCode::Esc);
    choose(&mut r, &def_folder);
    accept_definition(&mut r, &media, &def_folder);
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Overview),
        "{:?}",
        r.state.note
    );
    check_view(
        &mut r,
        &["0 van 10 binnen", "ontbreekt", "Journaal: 2 regels, kop"],
        &["0 of 10 in", "missing", "Journal: 2 records"],
    );

    // Refusals, each with its own message; nothing imported.
    let mut messages = Vec::new();
    for (folder, expect) in [
        (&forged, "na ondertekening gewijzigd"),
        (&wrong_election, "andere verkiezing"),
        (&wrong_eml, "verkiezing TK2025, niet van TK2021"),
        (
            &wrong_body,
            &*format!("ondertekend door {code0}, maar het bestand is de uitslag van {code1}"),
        ),
        (&other_kieskring, "0363 hoort niet bij dit stembureau"),
    ] {
        let sha = if *folder == wrong_eml {
            sha_hex(&other_bytes)
        } else if *folder == other_kieskring {
            sha_hex(&amsterdam_bytes)
        } else {
            sha_hex(&bytes0)
        };
        import(&mut r, folder, &sha);
        let n = note(&r);
        assert!(n.contains(expect), "{folder}: {n}");
        assert_eq!(in_count(&r), 0, "{folder} imported");
        assert_eq!(r.state.screen, Shell::Level(Screen::Overview));
        messages.push(n);
    }
    messages.dedup();
    assert_eq!(messages.len(), 5, "{messages:?}");
    assert_eq!(r.state.ledger.refusals.len(), 5);
    check_view(
        &mut r,
        &["Geweigerd:", "zz_forged"],
        &["Refused:", "changed after signing"],
    );

    // Genuine files; the first one's hash code typed wrong first (refused, nothing in).
    press(&mut r, KeyCode::Char('i'));
    choose(&mut r, &folders[0].0);
    check_view(
        &mut r,
        &[&format!("Uitslag van {code0}"), "hashcode op het papieren"],
        &["hash code on the paper report"],
    );
    type_groups(&mut r, &"f".repeat(64));
    assert_eq!(in_count(&r), 0);
    assert!(note(&r).contains("hashcode klopt niet"));
    for (folder, sha) in &folders[..5] {
        import(&mut r, folder, sha);
        assert!(note(&r).contains("ingelezen"), "{}", note(&r));
    }
    assert_eq!(in_count(&r), 5);
    // The same file again: harmless.
    let records = std::fs::metadata(tally_tui::higher::services::journal_path(&paths.data_dir))
        .unwrap()
        .len();
    import(&mut r, &folders[0].0, &folders[0].1);
    assert!(note(&r).contains("al ingelezen"), "{}", note(&r));
    assert_eq!(in_count(&r), 5);
    assert_eq!(
        std::fs::metadata(tally_tui::higher::services::journal_path(&paths.data_dir))
            .unwrap()
            .len(),
        records
    );

    // Restart mid-flow: everything imported is back after the passphrase.
    drop(r);
    // The journal is read only after the passphrase (its records are checked with the body's
    // key): nothing of it before.
    let mut r = open(&paths, Lang::En);
    assert!(r.state.ledger.aggregation.is_none());
    unlock(&mut r);
    assert_eq!(in_count(&r), 5);
    assert_eq!(r.state.screen, Shell::Level(Screen::Overview));

    // A correction: shown side by side, rejected, offered again, accepted.
    import(&mut r, &correction, &sha_hex(&corrected_bytes));
    assert_eq!(r.state.screen, Shell::Level(Screen::Correction));
    let pending = r
        .state
        .ledger
        .aggregation
        .as_ref()
        .unwrap()
        .pending_correction()
        .unwrap();
    assert_eq!(pending.body, code0);
    let before = real_510c.units[0].counts.lists[0].total;
    check_view(
        &mut r,
        &[
            &format!("Correctie: een ander bestand van {code0}"),
            &tally_report::format_count(before),
            &tally_report::format_count(before + 5),
            "1 = nieuw bestand aanvaarden",
        ],
        &["Correction: a different file", "1 = accept the new file"],
    );
    // Restart while the correction waits: it still waits.
    drop(r);
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    assert_eq!(r.state.screen, Shell::Level(Screen::Correction));
    // Never one key: '2' says what will happen and asks for the body's code; a wrong code
    // decides nothing.
    press(&mut r, KeyCode::Char('2'));
    check_view(
        &mut r,
        &[
            "het ingelezen bestand blijft",
            "Typ ter bevestiging de code",
        ],
        &[
            "the imported file stays",
            "To confirm, type the committee's code",
        ],
    );
    typ(&mut r, "Carla");
    press(&mut r, KeyCode::Enter);
    assert!(note(&r).contains("niet de code"), "{}", note(&r));
    assert!(
        r.state
            .ledger
            .aggregation
            .as_ref()
            .unwrap()
            .pending_correction()
            .is_some()
    );
    confirm(&mut r, &code0);
    assert!(note(&r).contains("afgewezen"), "{}", note(&r));
    assert!(
        r.state
            .ledger
            .aggregation
            .as_ref()
            .unwrap()
            .pending_correction()
            .is_none()
    );
    import(&mut r, &correction, &sha_hex(&corrected_bytes));
    assert_eq!(r.state.screen, Shell::Level(Screen::Correction));
    decide_correction(&mut r, '1', &code0);
    assert!(note(&r).contains("aanvaard"), "{}", note(&r));
    // And back to the genuine file, again only on confirmation.
    import(&mut r, &folders[0].0, &folders[0].1);
    assert_eq!(r.state.screen, Shell::Level(Screen::Correction));
    decide_correction(&mut r, '1', &code0);
    let decided: Vec<bool> = r
        .state
        .ledger
        .corrections
        .iter()
        .map(|c| c.accepted)
        .collect();
    assert_eq!(decided, vec![false, true, true]);
    let audit = std::fs::read_to_string(paths.audit()).unwrap();
    assert!(audit.contains(&format!("correction proposed for {code0}")));
    assert!(audit.contains(&sha_hex(&corrected_bytes)));
    assert!(audit.contains(&folders[0].1));

    // T before everything is in says what is missing and stays on the overview.
    assert_eq!(in_count(&r), 5);
    press(&mut r, KeyCode::Char('t'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Overview));
    assert!(
        note(&r).starts_with("Nog geen totaal: 5 uitslag(en) ontbreken ("),
        "{}",
        note(&r)
    );
    assert!(note(&r).ends_with(", ...)."), "{}", note(&r));

    for (folder, sha) in &folders[5..] {
        import(&mut r, folder, sha);
    }
    assert_eq!(in_count(&r), 10);
    check_view(&mut r, &["10 van 10 binnen", "Druk T"], &["10 of 10 in"]);

    // The total, the comparison figures, the export.
    press(&mut r, KeyCode::Char('t'));
    assert_eq!(r.state.screen, Shell::Level(Screen::Figures));
    let e1 = tally_report::format_count(real_510c.total.lists[0].total);
    check_view(
        &mut r,
        &["vergelijk met het papieren", "E.1", &e1],
        &["compare with the paper", &e1],
    );
    export_done(&mut r);
    check_view(
        &mut r,
        &[
            "Uitslag geschreven",
            "Hashcode van Telling_TK2021_kieskring_Groningen.eml.xml",
        ],
        &["Result written"],
    );

    // The signed medium on the stick: HSB1's signature, the 510c equal to the Kiesraad's.
    let exported = r.state.ledger.exported.clone().unwrap();
    let folder = std::path::PathBuf::from(&exported.path);
    let root = pki.root.public_key();
    let mut opts = VerifyOptions::new(&root, Timestamp::now());
    opts.expected_kind = Some(ContentKind::Results510c);
    opts.expected_election = Some("TK2021");
    opts.expected_signer = Some("HSB1");
    let verified = verify_medium(&tally_signing::DirSource::new(&folder), &opts).unwrap();
    let eml = verified
        .file("Telling_TK2021_kieskring_Groningen.eml.xml")
        .unwrap();
    let pdf = verified
        .file("Telling_TK2021_kieskring_Groningen.pdf")
        .unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF"));
    xmllint(&eml.bytes, "510-count-kiesraad-strict.xsd");
    let ours = read_count(&eml.bytes).unwrap();
    assert_eq!(ours.header.level, CountLevel::District);
    assert_eq!(ours.header.authority_id, "HSB1");
    assert_eq!(ours.units.len(), 10);
    assert_eq!(compare_counts(&real_510c.total, &ours.total), vec![]);
    assert_eq!(exported.files[0].1, sha_hex(&eml.bytes));

    // Another stick (the first taken out): E writes the same signed bytes, so every stick
    // carries the hash code on the paper.
    let read_all = |dir: &std::path::Path| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let first_stick = folder.with_extension("first");
    std::fs::rename(&folder, &first_stick).unwrap();
    export_done(&mut r);
    assert_eq!(r.state.ledger.exported.as_ref(), Some(&exported));
    assert_eq!(read_all(&folder), read_all(&first_stick));

    // After the export nothing changes any more, also after a restart.
    drop(r);
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    assert_eq!(r.state.screen, Shell::Level(Screen::Done));
}
