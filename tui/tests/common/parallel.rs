//! Parallel entry's test material, shared by the coordinating appliance's test
//! (`parallel_coordinator.rs`) and the entry appliance's (`parallel_entry_appliance.rs`):
//! certificates of the demo root, signed media, and the Juinen definition with more
//! polling stations.

use std::path::Path;

use tally_signing::{
    Certificate, CertificateFields, ContentKind, MediumFile, SecretKey, SignedMedium, Timestamp,
    sign_medium,
};

/// The demo election.
pub const ELECTION: &str = "GR2025_Juinen";

/// A time.
pub fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// A certificate of the demo root, with the key from `seed`.
pub fn issue(role: tally_signing::Role, id: &str, seed: u8) -> (SecretKey, Certificate) {
    let key = SecretKey::from_seed(&[seed; 32]);
    let cert = Certificate::issue(
        &tally_demo::demo_root(),
        CertificateFields {
            role,
            identifier: id.into(),
            name: format!("DEMO {id}"),
            election: ELECTION.into(),
            valid_from: t("2025-01-01T00:00:00Z"),
            valid_until: t("2099-12-31T23:59:59Z"),
            public_key: key.public_key(),
        },
    )
    .unwrap();
    (key, cert)
}

/// Signs `files` as a medium of `kind` by `signer` at `at` into `dir/folder`.
pub fn sign_at(
    dir: &Path,
    folder: &str,
    kind: ContentKind,
    signer: &(SecretKey, Certificate),
    files: Vec<(&str, Vec<u8>)>,
    at: &str,
) {
    let files = files
        .into_iter()
        .map(|(name, bytes)| MediumFile {
            name: name.into(),
            bytes,
        })
        .collect();
    let medium = sign_medium(kind, ELECTION, files, &signer.0, &signer.1, t(at)).unwrap();
    medium.write_to_dir(&dir.join(folder)).unwrap();
}

/// Signs `files` as a medium of `kind` by `signer` into `dir/folder`.
pub fn sign(
    dir: &Path,
    folder: &str,
    kind: ContentKind,
    signer: &(SecretKey, Certificate),
    files: Vec<(&str, Vec<u8>)>,
) {
    sign_at(dir, folder, kind, signer, files, "2025-09-01T00:00:00Z");
}

/// The demo's Juinen 110b with `n` polling stations instead of three.
pub fn stations_110b(n: u32) -> Vec<u8> {
    let text = String::from_utf8(tally_demo::JUINEN_110B.to_vec()).unwrap();
    let start = text.find("        <PollingPlace").unwrap();
    let end = text.rfind("</PollingPlace>").unwrap() + "</PollingPlace>\n".len();
    let places: String = (1..=n)
        .map(|n| {
            format!(
                "        <PollingPlace Channel=\"polling\">\n          <PhysicalLocation>\n            <Address>\n              <Locality>\n                <xal:LocalityName>Juinen {n}</xal:LocalityName>\n              </Locality>\n            </Address>\n            <PollingStation Id=\"{n}\">{n}</PollingStation>\n          </PhysicalLocation>\n        </PollingPlace>\n"
            )
        })
        .collect();
    format!("{}{places}{}", &text[..start], &text[end..]).into_bytes()
}

/// The definition medium the demo would make, with `n` stations, in place before the demo
/// makes its own (it leaves a folder that is there alone).
pub fn definition_with(paths: &tally_demo::Paths, n: u32) {
    std::fs::create_dir_all(&paths.media_dir).unwrap();
    let folder = format!(
        "DEMO_{}",
        SignedMedium::folder_name(ContentKind::ElectionDefinition, ELECTION, "DEMO-Kiesraad")
    );
    sign(
        &paths.media_dir,
        &folder,
        ContentKind::ElectionDefinition,
        &issue(tally_signing::Role::Authority, "DEMO-Kiesraad", 7),
        vec![
            (
                "eml110a_verkiezingsdefinitie-juinen.eml.xml",
                tally_demo::JUINEN_110A.to_vec(),
            ),
            (
                "eml230b_kandidatenlijsten-juinen.eml.xml",
                tally_demo::JUINEN_230B.to_vec(),
            ),
            ("eml110b_stembureaulijst-juinen.eml.xml", stations_110b(n)),
        ],
    );
}

/// Copies a medium's folder (a stick carried to another appliance).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// `I` (on the overview of an entry appliance, or the coordinator's progress screen), the
/// medium in `folder` chosen on the media list, Enter.
pub fn choose_medium(r: &mut super::Demo, folder: &str) {
    use super::Keys as _;
    use crossterm::event::KeyCode;
    use tally_tui::shell::Screen as Shell;
    super::key(r, KeyCode::Char('i'));
    let index = match &r.state().screen {
        Shell::Media(list) => list
            .items
            .iter()
            .position(|m| m.folder == folder)
            .unwrap_or_else(|| panic!("{folder} not listed: {:?}", list.items)),
        other => panic!("not on the media list: {other:?}"),
    };
    for _ in 0..index {
        super::key(r, KeyCode::Down);
    }
    super::key(r, KeyCode::Enter);
}

/// Snapshots the screen in the language shown and in the other one (F2 switches, twice).
pub fn snap_both(r: &mut super::Demo, name: &str) {
    use crossterm::event::KeyCode;
    super::snapshot(name, r.state.lang, &super::screen_lines(&r.state));
    super::key(r, KeyCode::F(2));
    super::snapshot(name, r.state.lang, &super::screen_lines(&r.state));
    super::key(r, KeyCode::F(2));
}
