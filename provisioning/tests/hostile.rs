//! Hostile input to the real `tally-provision` binary: an EML file with 65 536 nested
//! elements (which overflowed quick-xml's 16-bit nesting counter, a panic) and Argon2id
//! parameters below the floor. Each is refused with exit status 2 and one `error:` line on
//! stderr, and nothing is written; or, where the command reads no XML (`hash`, `verify`),
//! handled as any other bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tally_signing::{
    Certificate, ContentKind, MediumFile, Timestamp, read_secret_key_file, sign_medium,
};

const BIN: &str = env!("CARGO_BIN_EXE_tally-provision");
const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/synthetic");
const F110A: &str = "eml110a_verkiezingsdefinitie-juinen.eml.xml";
const F230B: &str = "eml230b_kandidatenlijsten-juinen.eml.xml";
const PASS: &str = "a passphrase of some length";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Asserts exit status 2 and exactly one line on stderr, `error: ` and containing every
/// one of `want`; no panic.
fn refused(o: &Output, want: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.ends_with('\n'), "{err}");
    for w in want {
        assert!(err.contains(w), "missing {w:?} in {err}");
    }
}

/// A document of `kind` with 65 536 levels of elements (the root counts), properly closed.
fn deep(kind: &str) -> Vec<u8> {
    let depth = 65_536;
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EML xmlns=\"urn:oasis:names:tc:evs:schema:eml\" Id=\"{kind}\">"
    );
    s.push_str(&"<a>".repeat(depth - 1));
    s.push_str(&"</a>".repeat(depth - 1));
    s.push_str("</EML>");
    s.into_bytes()
}

/// A root and an authority signing certificate (floor Argon2id parameters, the default).
struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let s = Setup { _tmp: tmp, dir };
        std::fs::write(s.path("pass"), format!("{PASS}\n")).unwrap();
        let (dir, pass) = (s.path(""), s.path("pass"));
        let o = run(&[
            "init-authority",
            "--out-dir",
            p(&dir),
            "--passphrase-file",
            p(&pass),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = s.issue(&[]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        s
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn issue(&self, extra: &[&str]) -> Output {
        let (key, pass, out) = (
            self.path("authority.key"),
            self.path("pass"),
            self.path("keys"),
        );
        let mut args = vec![
            "issue",
            "--authority-key",
            p(&key),
            "--authority-passphrase-file",
            p(&pass),
            "--role",
            "authority",
            "--identifier",
            "Kiesraad",
            "--name",
            "Kiesraad",
            "--election",
            "GR2025_Juinen",
            "--valid-from",
            "2025-01-01",
            "--valid-until",
            "2099-12-31",
            "--out-dir",
            p(&out),
            "--passphrase-file",
            p(&pass),
        ];
        args.extend(extra);
        run(&args)
    }

    fn sign(&self, a110: &Path, b230: &Path) -> Output {
        let (key, cert, pass, out) = (
            self.path("keys/GR2025_Juinen_Kiesraad.key"),
            self.path("keys/GR2025_Juinen_Kiesraad.cert"),
            self.path("pass"),
            self.path("media"),
        );
        run(&[
            "sign-definition",
            "--key",
            p(&key),
            "--cert",
            p(&cert),
            "--passphrase-file",
            p(&pass),
            "--eml-110a",
            p(a110),
            "--eml-230b",
            p(b230),
            "--out-dir",
            p(&out),
        ])
    }
}

#[test]
fn argon2_parameters_below_the_floor_make_no_key() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, format!("{PASS}\n")).unwrap();
    let out = tmp.path().join("root");
    let init = |kdf: &[&str]| {
        let mut args = vec![
            "init-authority",
            "--out-dir",
            p(&out),
            "--passphrase-file",
            p(&pass),
        ];
        args.extend(kdf);
        run(&args)
    };
    refused(
        &init(&["--argon2-memory-kib", "8", "--argon2-iterations", "1"]),
        &[
            "--argon2-memory-kib: Argon2id memory (kdf-memory-kib) is 8 KiB, below the floor of 65536 KiB (64 MiB); no key was made",
        ],
    );
    refused(
        &init(&["--argon2-iterations", "2"]),
        &["--argon2-iterations: Argon2id iterations (kdf-iterations) is 2, below the floor of 3"],
    );
    refused(
        &init(&["--argon2-memory-kib", "300000"]),
        &["above the maximum of 262144 KiB (256 MiB)"],
    );
    assert!(!out.join("authority.key").exists());
    assert!(!out.join("authority.pub").exists());

    // `issue` refuses them too, before reading the root key's passphrase.
    let s = Setup::new();
    std::fs::remove_dir_all(s.path("keys")).unwrap();
    refused(
        &s.issue(&["--argon2-memory-kib", "65535"]),
        &["below the floor of 65536 KiB (64 MiB)"],
    );
    assert!(!s.path("keys").exists());
}

#[test]
fn a_key_file_below_the_floor_does_not_open() {
    let s = Setup::new();
    // The authority's key file as a weaker tool (or an attacker) would have written it.
    let key = std::fs::read_to_string(s.path("keys/GR2025_Juinen_Kiesraad.key")).unwrap();
    let weak = key.replace("kdf-memory-kib: 65536\n", "kdf-memory-kib: 64\n");
    assert_ne!(weak, key);
    std::fs::write(s.path("keys/GR2025_Juinen_Kiesraad.key"), weak).unwrap();
    let o = s.sign(
        &Path::new(SYNTHETIC).join(F110A),
        &Path::new(SYNTHETIC).join(F230B),
    );
    refused(
        &o,
        &[
            "GR2025_Juinen_Kiesraad.key: the key file's Argon2id parameters are refused: Argon2id memory (kdf-memory-kib) is 64 KiB, below the floor of 65536 KiB (64 MiB)",
        ],
    );
    assert!(!s.path("media").exists());
}

#[test]
fn a_deeply_nested_definition_is_refused_and_nothing_is_signed() {
    let s = Setup::new();
    let deep_110a = s.path("deep-110a.eml.xml");
    std::fs::write(&deep_110a, deep("110a")).unwrap();
    let deep_230b = s.path("deep-230b.eml.xml");
    std::fs::write(&deep_230b, deep("230b")).unwrap();
    let real = |n: &str| Path::new(SYNTHETIC).join(n);

    let o = s.sign(&deep_110a, &real(F230B));
    refused(
        &o,
        &[
            "the definition does not load, nothing was signed: deep-110a.eml.xml: nesting deeper than 64 elements",
        ],
    );
    let o = s.sign(&real(F110A), &deep_230b);
    refused(&o, &["deep-230b.eml.xml: nesting deeper than 64 elements"]);
    assert!(!s.path("media").exists());

    // `hash` reads no XML: the file's hash code, like any file's.
    let o = run(&["hash", p(&deep_110a)]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out.lines().count(), 1);
    assert!(out.ends_with(&format!("  {}\n", p(&deep_110a))), "{out}");

    // `verify` checks signatures and SHA-256, and reads no XML: a medium that holds the file,
    // signed with the library (sign-definition would refuse it), is VALID as signed bytes.
    let key =
        read_secret_key_file(&s.path("keys/GR2025_Juinen_Kiesraad.key"), PASS.as_bytes()).unwrap();
    let cert =
        Certificate::parse(&std::fs::read(s.path("keys/GR2025_Juinen_Kiesraad.cert")).unwrap())
            .unwrap();
    let medium = sign_medium(
        ContentKind::ElectionDefinition,
        "GR2025_Juinen",
        vec![MediumFile {
            name: "deep-110a.eml.xml".into(),
            bytes: deep("110a"),
        }],
        &key,
        &cert,
        Timestamp::parse("2025-08-29T10:00:00Z").unwrap(),
    )
    .unwrap();
    let folder = s.path("deep.tally");
    medium.write_to_dir(&folder).unwrap();
    let (root, at) = (s.path("authority.pub"), "2025-09-01T00:00:00Z");
    let o = run(&["verify", "--root", p(&root), "--at", at, p(&folder)]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("VALID") && out.contains("deep-110a.eml.xml"),
        "{out}"
    );
    assert!(o.stderr.is_empty());
}
