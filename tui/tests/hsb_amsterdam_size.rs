//! An Amsterdam-sized Tweede Kamer 510b imported by an HSB (issue 15 point 4), on the host:
//! the same services the appliance runs (`FolderHigherServices`: `Body::verify` of the
//! medium, then the count read), with the file on a folder standing in for the stick.
//!
//! The 510b is the TK2023 Aa en Hunze one (24 polling stations, 26 lists) with its stations
//! repeated until there are 720 (`verify/benches/large/mod.rs`, about 89 MB), signed by the
//! GSB 1680; the HSB of kieskring 3 (Assen) has the real TK2023 110a and a 230b of kieskring
//! 3 made here from the 510b's ballot (the real one is not in `shared/`). The test asserts
//! the import, that its peak stays below 0.6 times the file (the file is never held: it is
//! copied from the stick as it is verified and read from the copy as a stream), and prints
//! the process's peak resident memory (`VmHWM`) before the 510b is read and during the
//! import, and the peaks of the two reading steps (the signed medium verified while copied,
//! the count read from the copy): what the appliance's 256 MB must hold besides the kernel.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod higher_common;

#[path = "../../verify/benches/large/mod.rs"]
mod large;

use higher_common::*;
use tally_core::eml::count::{read_count, read_count_from};
use tally_signing::{
    ContentKind, DirSource, Role, Spool, Timestamp, VerifyOptions, verify_medium_spooled,
};
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

/// Stations of the synthetic 510b: Amsterdam's number of polling stations, rounded to a
/// multiple of Aa en Hunze's 24.
const STATIONS: usize = 720;

/// The text of `<ElectionIdentifier ...>...</ElectionIdentifier>` in a 110a.
fn election_identifier(def: &str) -> &str {
    let start = def.find("<ElectionIdentifier").unwrap();
    let end = def[start..].find("</ElectionIdentifier>").unwrap() + "</ElectionIdentifier>".len();
    &def[start..start + end]
}

/// A 230b of contest `contest` of the 110a `def` with the lists `(number, registered name,
/// candidates)` and invented candidates (as `verify/tests/common/election_chain.rs` makes
/// them).
pub fn candidate_lists(
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

fn peak_mb() -> f64 {
    large::peak_rss().unwrap_or(0) as f64 / 1e6
}

/// The process's resident memory now (`VmRSS`), in MB.
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map_or(0.0, |kib| kib * 1024.0 / 1e6)
}

/// Resets the peak (`VmHWM`) to the resident memory now (Linux `clear_refs` value 5), so that
/// the next peak is the import's.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[test]
fn an_hsb_verifies_and_imports_an_amsterdam_sized_510b() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new("TK2023");
    let paths = pki.appliance(dir.path(), Role::Hsb, "HSB3", "Assen");
    let media = paths.media_dir.clone();

    let def_110a = real(large::TK2023_DEFINITION);
    let small = real(large::AA_EN_HUNZE);
    let ballot: Vec<(u32, String, u32)> = read_count(&small)
        .unwrap()
        .total
        .lists
        .iter()
        .map(|l| (l.list.0, l.name.clone(), l.candidates.len() as u32))
        .collect();
    assert!(ballot.len() > 20, "{ballot:?}");
    drop(small);
    let def_text = String::from_utf8(def_110a.clone()).unwrap();
    let def_230b = candidate_lists(&def_text, "3", "Assen", &ballot).into_bytes();
    let def_folder = pki.definition(
        &media,
        vec![
            (large::TK2023_DEFINITION.into(), def_110a),
            ("Kandidatenlijsten_TK2023_Assen.eml.xml".into(), def_230b),
        ],
    );

    let count = large::scaled_file(large::AA_EN_HUNZE, STATIONS / 24).unwrap();
    let size = count.len();
    assert!(size > 80_000_000, "{size}");
    let sha = sha_hex(&count);
    let folder = pki.medium(
        &media,
        "510b_1680",
        ContentKind::Results510b,
        "TK2023",
        vec![(large::AA_EN_HUNZE.into(), count)],
        &pki.body(Role::Gsb, "1680", "Gemeente Aa en Hunze"),
    );

    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    choose(&mut r, &def_folder);
    assert!(
        matches!(r.state.screen, Shell::Definition { .. }),
        "{:?}",
        r.state.note
    );
    accept_definition(&mut r, &media, &def_folder);
    let generated = peak_mb();

    let reset = reset_peak();
    let before = rss_mb();
    let started = std::time::Instant::now();
    import(&mut r, &folder, &sha);
    let took = started.elapsed();
    let agg = r.state.ledger.aggregation.as_ref().unwrap();
    let imported = agg.bodies().len() - agg.missing().len();
    assert_eq!(
        imported,
        1,
        "not imported: {:?}",
        r.state.note.as_ref().map(|n| n.text(Lang::En))
    );
    eprintln!(
        "HSB import of a {STATIONS}-station 510b ({:.1} MB): {:.1} s (debug build); peak RSS {generated:.1} MB while the test made the file; resident {before:.1} MB before the import, peak {:.1} MB during it (peak reset: {reset})",
        size as f64 / 1e6,
        took.as_secs_f64(),
        peak_mb()
    );

    // The import never holds the file: above the memory resident before it, its peak is
    // the count read from the kept copy (about a third of the file), not the file.
    let import_peak = peak_mb() - before;
    assert!(
        reset && import_peak < 0.6 * size as f64 / 1e6,
        "the import's peak {import_peak:.1} MB above the resident memory is not below 0.6 times the {:.1} MB file",
        size as f64 / 1e6
    );

    // Where the memory goes, step by step (each peak above the memory resident before it;
    // after the import, whose peak is then not mixed with freed heap): the signed medium
    // verified while copied to a file (signing), then the count read from the copy (core).
    let root = pki.root.public_key();
    let mut options = VerifyOptions::new(&root, Timestamp::now());
    options.expected_kind = Some(ContentKind::Results510b);
    let copy = dir.path().join("copy.eml.xml");
    reset_peak();
    let base = rss_mb();
    let verified = verify_medium_spooled(
        &DirSource::new(media.join(&folder)),
        &options,
        &mut ToFile(copy.clone()),
    )
    .unwrap();
    let verify_peak = peak_mb() - base;
    assert_eq!(verified.spooled.len(), 1);
    drop(verified);
    reset_peak();
    let base = rss_mb();
    let parsed = read_count_from(std::fs::File::open(&copy).unwrap(), size as u64).unwrap();
    let read_peak = peak_mb() - base;
    let held = rss_mb() - base;
    drop(parsed);
    eprintln!(
        "verify_medium_spooled of the medium (copied to a file): peak {verify_peak:.1} MB above the resident memory before; read_count_from of the copy: peak {read_peak:.1} MB, {held:.1} MB held by the CountFile"
    );
}

/// A spool that copies every file to one path.
struct ToFile(std::path::PathBuf);

impl Spool for ToFile {
    fn wants(&self, _: &tally_signing::ManifestEntry) -> bool {
        true
    }

    fn sink(
        &mut self,
        _: &tally_signing::ManifestEntry,
    ) -> std::io::Result<Box<dyn std::io::Write>> {
        Ok(Box::new(std::fs::File::create(&self.0)?))
    }
}
