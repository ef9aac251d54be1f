//! Helpers of the HSB/CSB tests: keys and certificates made here with the signing crate,
//! signed media written into a folder standing in for a stick, the terminal driven by keys.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sha2::{Digest, Sha256};
use tally_core::counts::{CountFile, CountHeader, CountLevel, ReportingUnitCounts, VoteCounts};
use tally_core::ids::{ContestId, ReportingUnitId};
use tally_demo::Paths;
use tally_ledger::journal::CoreJournal;
use tally_ledger::journal::Journal;
use tally_signing::{
    Certificate, CertificateFields, ContentKind, KdfParams, MediumFile, Role, SecretKey, Timestamp,
    encrypt_secret_key, sign_medium,
};
use tally_tui::higher::app::{Higher, Screen, State};
use tally_tui::higher::services::{FolderHigherServices, journal_path};
use tally_tui::services::Services;
use tally_tui::shell::Screen as Shell;
use tally_tui::shell::runner::Runner as ShellRunner;
use tally_tui::shell::view::view;
use tally_tui::text::Lang;

pub type Runner = ShellRunner<Higher, FolderHigherServices, CoreJournal>;

pub const PASSPHRASE: &str = "geheim";

pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

pub fn real(name: &str) -> Vec<u8> {
    std::fs::read(shared(&format!("eml/real/{name}"))).unwrap()
}

pub fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The root and the authority of a test election.
pub struct Pki {
    pub root: SecretKey,
    pub election: String,
}

impl Pki {
    pub fn new(election: &str) -> Pki {
        Pki {
            root: SecretKey::from_seed(&[42; 32]),
            election: election.into(),
        }
    }

    pub fn key(label: &str) -> SecretKey {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&Sha256::digest(format!("test key {label}").as_bytes()));
        SecretKey::from_seed(&seed)
    }

    /// A certificate for `role`/`identifier` in `election`, and its key.
    pub fn body_in(
        &self,
        election: &str,
        role: Role,
        identifier: &str,
        name: &str,
    ) -> (SecretKey, Certificate) {
        let key = Pki::key(&format!("{election} {identifier}"));
        let cert = Certificate::issue(
            &self.root,
            CertificateFields {
                role,
                identifier: identifier.into(),
                name: name.into(),
                election: election.into(),
                valid_from: Timestamp::parse("2020-01-01T00:00:00Z").unwrap(),
                valid_until: Timestamp::parse("2099-12-31T23:59:59Z").unwrap(),
                public_key: key.public_key(),
            },
        )
        .unwrap();
        (key, cert)
    }

    pub fn body(&self, role: Role, identifier: &str, name: &str) -> (SecretKey, Certificate) {
        self.body_in(&self.election.clone(), role, identifier, name)
    }

    /// The appliance's data directory for `role`/`identifier`, and its media folder.
    pub fn appliance(&self, dir: &Path, role: Role, identifier: &str, name: &str) -> Paths {
        let data = dir.join("data");
        let media = dir.join("media");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&media).unwrap();
        let paths = Paths::new(data, media);
        let (key, cert) = self.body(role, identifier, name);
        std::fs::write(&paths.root, self.root.public_key().to_file_bytes()).unwrap();
        std::fs::write(&paths.certificate, cert.as_bytes()).unwrap();
        let enc = encrypt_secret_key(&key, PASSPHRASE.as_bytes(), KdfParams::FLOOR).unwrap();
        std::fs::write(&paths.key, enc).unwrap();
        paths
    }

    /// Writes a medium of `kind` signed by `key`/`cert` into `media` as folder `name`.
    pub fn medium(
        &self,
        media: &Path,
        name: &str,
        kind: ContentKind,
        election: &str,
        files: Vec<(String, Vec<u8>)>,
        signer: &(SecretKey, Certificate),
    ) -> String {
        let medium = sign_medium(
            kind,
            election,
            files
                .into_iter()
                .map(|(name, bytes)| MediumFile { name, bytes })
                .collect(),
            &signer.0,
            &signer.1,
            Timestamp::now(),
        )
        .unwrap();
        let folder = format!("{name}.tally");
        medium.write_to_dir(&media.join(&folder)).unwrap();
        folder
    }

    /// The definition medium (110a and 230b files), signed by the authority.
    pub fn definition(&self, media: &Path, files: Vec<(String, Vec<u8>)>) -> String {
        let authority = self.body(Role::Authority, "Kiesraad", "Kiesraad");
        self.medium(
            media,
            "00_definitie",
            ContentKind::ElectionDefinition,
            &self.election.clone(),
            files,
            &authority,
        )
    }
}

/// A count file of `level` from `authority` with one reporting unit holding `counts`.
pub fn one_unit_file(
    template: &CountHeader,
    level: CountLevel,
    authority: &str,
    contest: &str,
    unit_id: &str,
    counts: &VoteCounts,
) -> CountFile {
    let mut header = template.clone();
    header.level = level;
    header.authority_id = authority.to_owned();
    header.authority_name = None;
    header.contest_id = ContestId(contest.to_owned());
    header.contest_name = None;
    CountFile {
        header,
        total: counts.clone(),
        units: vec![ReportingUnitCounts {
            id: ReportingUnitId(unit_id.to_owned()),
            name: "Stembureau".into(),
            counts: counts.clone(),
            investigations: Vec::new(),
        }],
    }
}

pub fn open(paths: &Paths, lang: Lang) -> Runner {
    let services = FolderHigherServices::open(paths.clone(), "0".repeat(64), false).unwrap();
    let state = State::new(lang, false, services.identity(), 7);
    Runner::open(
        state,
        services,
        CoreJournal::new(&journal_path(&paths.data_dir)),
    )
    .unwrap()
}

/// One key. The people of the session are not what these tests are about: when the key
/// leads to the registration of the first coordinator, or to a coordinator's PIN prompt,
/// [`COORDINATOR`] is registered or signed in with [`PIN`] (tui/tests/people.rs tests those).
pub fn press<J: Journal>(r: &mut ShellRunner<Higher, FolderHigherServices, J>, code: KeyCode) {
    r.key(KeyEvent::new(code, KeyModifiers::NONE));
    let raw = |r: &mut ShellRunner<Higher, FolderHigherServices, J>, text: &str| {
        for c in text.chars() {
            r.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    };
    let k = |r: &mut ShellRunner<Higher, FolderHigherServices, J>, code: KeyCode| {
        r.key(KeyEvent::new(code, KeyModifiers::NONE));
    };
    match &r.state.screen {
        Shell::People(f) if f.by.is_none() && f.name.is_empty() && f.error.is_none() => {
            raw(r, COORDINATOR);
            k(r, KeyCode::Tab);
            k(r, KeyCode::Tab);
            raw(r, PIN);
            k(r, KeyCode::Tab);
            raw(r, PIN);
            k(r, KeyCode::Enter);
        }
        Shell::Pin(p) if p.pin.0.is_empty() && p.error.is_none() => {
            raw(r, PIN);
            k(r, KeyCode::Enter);
        }
        _ => {}
    }
}

/// The coordinator every higher test registers first.
pub const COORDINATOR: &str = "Carla";
/// Their PIN.
pub const PIN: &str = "40417";

pub fn typ<J: Journal>(r: &mut ShellRunner<Higher, FolderHigherServices, J>, text: &str) {
    for c in text.chars() {
        press(r, KeyCode::Char(c));
    }
}

pub fn unlock<J: Journal>(r: &mut ShellRunner<Higher, FolderHigherServices, J>) {
    typ(r, PASSPHRASE);
    press(r, KeyCode::Enter);
}

/// Highlights the medium `folder` on a media screen and presses Enter.
pub fn choose<J: Journal>(r: &mut ShellRunner<Higher, FolderHigherServices, J>, folder: &str) {
    let Shell::Media(list) = &r.state.screen else {
        panic!("not on a media screen: {:?}", r.state.screen);
    };
    let index = list
        .items
        .iter()
        .position(|m| m.folder == folder)
        .unwrap_or_else(|| panic!("{folder} not listed"));
    for _ in 0..20 {
        press(r, KeyCode::Up);
    }
    for _ in 0..index {
        press(r, KeyCode::Down);
    }
    press(r, KeyCode::Enter);
}

/// Types the groups asked of the hash code `sha` (hex), as read from the paper: on the
/// definition screen the 110a's and the 230b's groups both from `sha`.
pub fn type_groups<J: Journal>(r: &mut ShellRunner<Higher, FolderHigherServices, J>, sha: &str) {
    type_both(r, sha, sha);
}

/// Types the 110a's groups from `sha_110a` and the asked 230b's from `sha_230b`.
pub fn type_both<J: Journal>(
    r: &mut ShellRunner<Higher, FolderHigherServices, J>,
    sha_110a: &str,
    sha_230b: &str,
) {
    let groups = match &r.state.screen {
        Shell::Definition { groups, .. } | Shell::Level(Screen::ImportCheck { groups, .. }) => {
            groups.clone()
        }
        s => panic!("no groups asked on {s:?}"),
    };
    // Four characters fill a field and move to the next.
    // Only the empty fields (after a refusal the others stay as typed).
    for (field, (f, i)) in groups.asked.into_iter().enumerate() {
        if !groups.typed[field].is_empty() {
            continue;
        }
        let sha = if f == 0 { sha_110a } else { sha_230b };
        typ(r, &sha[4 * i..4 * i + 4]);
    }
    press(r, KeyCode::Enter);
}

/// On the definition screen: types the groups of the 110a and of the 230b asked, from the
/// files of the medium `folder` in `media` (what the paper's hash codes are of).
pub fn accept_definition<J: Journal>(
    r: &mut ShellRunner<Higher, FolderHigherServices, J>,
    media: &Path,
    folder: &str,
) {
    let Shell::Definition { def, groups, .. } = &r.state.screen else {
        panic!("not on the definition screen: {:?}", r.state.note);
    };
    let name_110a = def
        .files
        .iter()
        .map(|(n, _)| n.clone())
        .find(|n| n.contains("110a") || n.contains("Verkiezingsdefinitie"))
        .unwrap();
    let name_230b = groups.files[1].name.clone();
    let sha = |name: &str| sha_hex(&std::fs::read(media.join(folder).join(name)).unwrap());
    let (a, b) = (sha(&name_110a), sha(&name_230b));
    type_both(r, &a, &b);
}

/// Imports the medium `folder` whose EML has SHA-256 `sha`, typing its groups.
pub fn import<J: Journal>(
    r: &mut ShellRunner<Higher, FolderHigherServices, J>,
    folder: &str,
    sha: &str,
) {
    press(r, KeyCode::Char('i'));
    choose(r, folder);
    if matches!(r.state.screen, Shell::Level(Screen::ImportCheck { .. })) {
        type_groups(r, sha);
    }
}

/// A name for the screen on show: the screen and a count, so that every call of
/// [`check_view`] in a test has its own snapshot.
fn snapshot_name(state: &State) -> String {
    thread_local!(static N: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
    let n = N.with(|n| {
        let v = n.get();
        // Dutch then English: both get the same number.
        if state.lang == Lang::En {
            n.set(v + 1);
        }
        v
    });
    let screen = format!("{:?}", state.screen);
    let screen: String = screen
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '(')
        .filter(|c| c.is_alphanumeric())
        .collect();
    format!("{n:02}_{screen}")
}

/// The screen's 24 lines at 80x24.
pub fn render(state: &State) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| view(state, f)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..24)
        .map(|y| {
            (0..80)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// Renders the state in Dutch and English and checks that each screen shows its texts and
/// the key bar, in ASCII.
pub fn check_view<J: Journal>(
    r: &mut ShellRunner<Higher, FolderHigherServices, J>,
    nl: &[&str],
    en: &[&str],
) {
    let lang = r.state.lang;
    for (l, wanted) in [(Lang::Nl, nl), (Lang::En, en)] {
        r.state.lang = l;
        let lines = render(&r.state);
        let all = lines.join("\n");
        println!("---- {l:?}\n{all}");
        snapshot(&snapshot_name(&r.state), l, &lines);
        for w in wanted {
            assert!(all.contains(w), "{w:?} not on screen ({l:?}):\n{all}");
        }
        assert!(
            lines[23].contains("Ctrl+Q")
                || lines[23].contains("Esc")
                || lines[23].contains("Enter"),
            "key bar: {}",
            lines[23]
        );
        assert!(all.is_ascii(), "not ASCII:\n{all}");
        assert!(lines[23].starts_with("F1 "), "key bar: {}", lines[23]);
        // F1: the screen's help, in the same language; any key closes it.
        press(r, KeyCode::F(1));
        let help = render(&r.state).join("\n");
        let title = if l == Lang::Nl {
            "Hulp (F1 sluit)"
        } else {
            "Help (F1 closes)"
        };
        assert!(help.contains(title), "{help}");
        assert!(help.is_ascii());
        press(r, KeyCode::F(1));
        assert!(!r.state.help);
    }
    r.state.lang = lang;
}

/// The text of a PDF as `pdftotext -layout` gives it (poppler-utils).
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// E on the current screen, which must end on the done screen: the exported folder.
pub fn export_done<J: Journal>(r: &mut ShellRunner<Higher, FolderHigherServices, J>) -> PathBuf {
    press(r, KeyCode::Char('e'));
    assert_eq!(
        r.state.screen,
        Shell::Level(Screen::Done),
        "{:?}",
        r.state.note
    );
    PathBuf::from(r.state.ledger.exported.clone().unwrap().path)
}

pub fn xmllint(bytes: &[u8], schema: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.eml.xml");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(shared(&format!("xsd/EML_NL-v1.2.2/{schema}")))
        .arg(&path)
        .output()
        .expect("xmllint (libxml2-utils) must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[path = "../shot/mod.rs"]
mod shot;
#[allow(unused_imports)]
pub use shot::snapshot;
