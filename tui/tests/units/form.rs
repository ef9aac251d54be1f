//! Unit tests of `tally_tui::form`.

use tally_core::election::Election;
use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::ids::MunicipalityCode;
use tally_tui::form::*;
use tally_tui::text::Lang;

fn shared(path: &str) -> Vec<u8> {
    let p = format!("{}/../../shared/eml/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// A 110b of the Tweede Kamer 2025 for one municipality: no real 110b is published, so
/// the Juinen one is given TK2025's identity and the municipality's code and name.
fn tk2025_110b(code: &str, name: &str) -> Vec<u8> {
    let juinen =
        String::from_utf8(shared("synthetic/eml110b_stembureaulijst-juinen.eml.xml")).unwrap();
    juinen
        .replace(
            "<ElectionIdentifier Id=\"GR2025_Juinen\">",
            "<ElectionIdentifier Id=\"TK2025\">",
        )
        .replace(
            "<ElectionName>Gemeenteraad 2025 Juinen</ElectionName>",
            "<ElectionName>Tweede Kamer der Staten-Generaal 2025</ElectionName>",
        )
        .replace(
            "<ElectionCategory>GR</ElectionCategory>",
            "<ElectionCategory>TK</ElectionCategory>",
        )
        .replace(
            "<kr:ElectionSubcategory>GR2</kr:ElectionSubcategory>",
            "<kr:ElectionSubcategory>TK</kr:ElectionSubcategory>",
        )
        .replace(
            "<kr:ElectionDate>2025-08-29</kr:ElectionDate>",
            "<kr:ElectionDate>2025-10-29</kr:ElectionDate>",
        )
        .replace("Id=\"0042\">Juinen<", &format!("Id=\"{code}\">{name}<"))
        .into_bytes()
}

/// The TK2025 definition with the 230b files of `kieskringen` (in this order) and the
/// 110b of municipality `code`.
pub fn tk2025(kieskringen: &[&str], code: &str, name: &str) -> Election {
    let a = shared("real/Verkiezingsdefinitie_TK2025.eml.xml");
    let lists: Vec<(String, Vec<u8>)> = kieskringen
        .iter()
        .map(|k| {
            let n = format!("Kandidatenlijsten_TK2025_{k}.eml.xml");
            let bytes = shared(&format!("real/{n}"));
            (n, bytes)
        })
        .collect();
    let b = tk2025_110b(code, name);
    let files: Vec<SourceFile> = lists
        .iter()
        .map(|(n, bytes)| SourceFile::new(n, bytes))
        .collect();
    load_election(
        &SourceFile::new("Verkiezingsdefinitie_TK2025.eml.xml", &a),
        &files,
        Some(&SourceFile::new("stembureaus.eml.xml", &b)),
    )
    .unwrap()
}

#[test]
fn the_municipalitys_kieskring_gives_the_contest_not_the_first() {
    // West Maas en Waal (0668) is in kieskring 6 Nijmegen (24 lists); Haarlem's 230b
    // (kieskring 10, 23 lists) comes first on the medium.
    for order in [["Haarlem", "Nijmegen"], ["Nijmegen", "Haarlem"]] {
        let e = tk2025(&order, "0668", "West Maas en Waal");
        let info = ElectionInfo::from_election(&e).unwrap();
        assert_eq!(info.contest_id.0, "6", "{order:?}");
        assert_eq!(info.contest_name.as_deref(), Some("Kieskring 6 Nijmegen"));
        assert_eq!(info.lists.len(), 24);
        assert_eq!(info.municipality_code.0, "0668");
        assert!(info.category.has_voter_cards());
    }
    // Haarlem (0392) is in kieskring 10.
    let e = tk2025(&["Nijmegen", "Haarlem"], "0392", "Haarlem");
    let info = ElectionInfo::from_election(&e).unwrap();
    assert_eq!(info.contest_id.0, "10");
    assert_eq!(info.lists.len(), 23);
}

#[test]
fn a_medium_without_the_municipalitys_kieskring_is_refused() {
    let e = tk2025(&["Haarlem"], "0668", "West Maas en Waal");
    let err = ElectionInfo::from_election(&e).unwrap_err();
    let err = refusal(&err);
    let nl = err.text(Lang::Nl);
    assert!(
        nl.contains("kieskring 6 Nijmegen") && nl.contains("kieskring 10"),
        "{nl}"
    );
    let en = err.text(Lang::En);
    assert!(en.contains("kieskring 6 Nijmegen"), "{en}");
}

#[test]
fn without_the_tree_one_contest_is_taken_and_several_are_refused() {
    let code = MunicipalityCode("0668".into());
    let mut e = tk2025(&["Haarlem", "Nijmegen"], "0668", "West Maas en Waal");
    e.regions
        .retain(|r| r.municipality_code() != Some(code.clone()));
    let err = refusal(&ElectionInfo::from_election(&e).unwrap_err()).text(Lang::Nl);
    assert!(
        err.contains("niet te bepalen") && err.contains("10, 6"),
        "{err}"
    );
    e.contests.retain(|c| c.id.0 == "10");
    assert_eq!(ElectionInfo::from_election(&e).unwrap().contest_id.0, "10");
}

#[test]
fn a_municipal_election_has_its_one_contest() {
    let a = shared("synthetic/eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let l = shared("synthetic/eml230b_kandidatenlijsten-juinen.eml.xml");
    let b = shared("synthetic/eml110b_stembureaulijst-juinen.eml.xml");
    let e = load_election(
        &SourceFile::new("a", &a),
        &[SourceFile::new("l", &l)],
        Some(&SourceFile::new("b", &b)),
    )
    .unwrap();
    let info = ElectionInfo::from_election(&e).unwrap();
    assert_eq!(info.contest_id.0, "geen");
    assert_eq!(info.contest_name, None);
}
