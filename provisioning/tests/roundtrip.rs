//! The real `tally-provision` binary end to end: a root, a GSB certificate, an authority
//! signing certificate, the Juinen definition signed and verified; and the refusals.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::Digest;

const BIN: &str = env!("CARGO_BIN_EXE_tally-provision");
const SYNTHETIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/synthetic");
const F110A: &str = "eml110a_verkiezingsdefinitie-juinen.eml.xml";
const F230B: &str = "eml230b_kandidatenlijsten-juinen.eml.xml";
const F110B: &str = "eml110b_stembureaulijst-juinen.eml.xml";
/// Published by the Kiesraad in Hashcodes-Juinen.txt.
const HASH_110A: &str =
    "fae2 12ff 03ce 27d0 45e2 15ee a0c1 7e0e 316e 331f 2641 50a3 feef 2ac3 61db 2528";
const HASH_230B: &str =
    "dbc0 cdb7 08f3 1ca3 17f9 802d 6610 49b0 609c 0b8e 154c 85ba c7ad b216 2875 e778";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "{args:?} failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn eml(name: &str) -> String {
    format!("{SYNTHETIC}/{name}")
}

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        for (name, pass) in [
            ("root.pass", "root passphrase one\n"),
            ("auth.pass", "authority signing two\n"),
            ("gsb.pass", "gemeente Juinen three\n"),
            ("wrong.pass", "not the passphrase\n"),
        ] {
            std::fs::write(dir.join(name), pass).unwrap();
        }
        Setup { _tmp: tmp, dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn init(&self) -> String {
        let mut args = vec![
            "init-authority",
            "--out-dir",
            p(&self.dir),
            "--passphrase-file",
        ];
        let pass = self.path("root.pass");
        args.push(p(&pass));
        ok(&args)
    }

    fn issue(
        &self,
        role: &str,
        id: &str,
        name: &str,
        pass: &str,
        from: &str,
        until: &str,
    ) -> Output {
        let out = self.path("keys");
        let root_key = self.path("authority.key");
        let root_pass = self.path("root.pass");
        let new_pass = self.path(pass);
        let args = vec![
            "issue",
            "--authority-key",
            p(&root_key),
            "--authority-passphrase-file",
            p(&root_pass),
            "--role",
            role,
            "--identifier",
            id,
            "--name",
            name,
            "--election",
            "GR2025_Juinen",
            "--valid-from",
            from,
            "--valid-until",
            until,
            "--out-dir",
            p(&out),
            "--passphrase-file",
            p(&new_pass),
        ];
        run(&args)
    }

    fn sign(&self, key: &str, cert: &str, pass: &str, files: [&str; 3], out: &str) -> Output {
        let key = self.path(&format!("keys/{key}"));
        let cert = self.path(&format!("keys/{cert}"));
        let pass = self.path(pass);
        let out = self.path(out);
        let (a, b, c) = (eml(files[0]), eml(files[1]), eml(files[2]));
        run(&[
            "sign-definition",
            "--key",
            p(&key),
            "--cert",
            p(&cert),
            "--passphrase-file",
            p(&pass),
            "--eml-110a",
            &a,
            "--eml-230b",
            &b,
            "--eml-110b",
            &c,
            "--out-dir",
            p(&out),
            "--created",
            "2025-08-29T10:00:00Z",
        ])
    }

    fn verify(&self, medium: &Path, extra: &[&str]) -> Output {
        let root = self.path("authority.pub");
        let mut args = vec!["verify", "--root", p(&root), p(medium)];
        args.extend(extra);
        run(&args)
    }
}

#[test]
fn init_issue_sign_verify() {
    let s = Setup::new();

    // init-authority: the fingerprint printed is SHA-256 of the public key's 32 bytes.
    let out = s.init();
    let pub_file = std::fs::read_to_string(s.path("authority.pub")).unwrap();
    let hex = pub_file
        .strip_prefix("tally-public-key v1\npublic-key: ")
        .unwrap()
        .trim_end();
    let raw: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let digest: String = sha2::Sha256::digest(&raw)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let grouped: Vec<&str> = (0..16).map(|i| &digest[4 * i..4 * i + 4]).collect();
    let fingerprint = grouped.join(" ");
    assert!(out.contains(&fingerprint), "{out}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(s.path("authority.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // A second init into the same folder refuses to overwrite the key.
    let pass = s.path("root.pass");
    let again = run(&[
        "init-authority",
        "--out-dir",
        p(&s.dir),
        "--passphrase-file",
        p(&pass),
    ]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("refusing to overwrite"));

    // issue: a GSB certificate and the authority's signing certificate.
    let o = s.issue(
        "GSB",
        "0042",
        "Gemeente Juinen",
        "gsb.pass",
        "2025-01-01",
        "2099-12-31",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("role:        GSB"));
    let cert = std::fs::read_to_string(s.path("keys/GR2025_Juinen_0042.cert")).unwrap();
    assert!(cert.starts_with("tally-certificate v1\nrole: GSB\nidentifier: 0042\n"));
    assert!(cert.contains("valid-until: 2099-12-31T23:59:59Z\n"));
    let mode = std::fs::metadata(s.path("keys/GR2025_Juinen_0042.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let o = s.issue(
        "authority",
        "Kiesraad",
        "Kiesraad",
        "auth.pass",
        "2025-01-01",
        "2099-12-31",
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // sign-definition with the authority's key.
    let o = s.sign(
        "GR2025_Juinen_Kiesraad.key",
        "GR2025_Juinen_Kiesraad.cert",
        "auth.pass",
        [F110A, F230B, F110B],
        "media",
    );
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let medium = s.path("media/GR2025_Juinen_Kiesraad_election-definition.tally");
    assert!(medium.join("manifest.txt").is_file());
    assert!(stdout(&o).contains(HASH_110A));

    // verify: valid, with its content and signer.
    let o = s.verify(&medium, &["--election", "GR2025_Juinen"]);
    let text = stdout(&o);
    assert!(o.status.success(), "{text}\n{}", stderr(&o));
    assert!(text.contains("VALID"));
    assert!(text.contains("Content:          an election definition (election-definition)"));
    assert!(text.contains("identifier:  Kiesraad"));
    assert!(text.contains(HASH_110A));
    assert!(text.contains(HASH_230B));
    assert!(text.contains(&fingerprint));

    // verify: another election expected, another signer expected, too late.
    let o = s.verify(&medium, &["--election", "GR2026_Stadskanaal"]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains("INVALID: the medium is for election `GR2025_Juinen`, not for the loaded election `GR2026_Stadskanaal`"));
    let o = s.verify(&medium, &["--signer", "0042"]);
    assert!(!o.status.success());
    assert!(
        stdout(&o).contains("INVALID: the medium is signed by authority `Kiesraad`, not by `0042`")
    );
    let o = s.verify(&medium, &["--at", "2100-01-01T00:00:00Z"]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains("INVALID: the signer's certificate has expired"));

    // An extra file is reported, not fatal.
    std::fs::write(medium.join("README.txt"), "hello").unwrap();
    let o = s.verify(&medium, &[]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Ignored (not listed in the manifest, not read): README.txt"));

    // A changed payload byte: exit status 1 and why.
    let path = medium.join(F230B);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[1000] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let o = s.verify(&medium, &[]);
    assert!(!o.status.success());
    assert!(stdout(&o).contains(&format!(
        "INVALID: `{F230B}` has been altered: its SHA-256 does not match the manifest"
    )));
}

#[test]
fn refusals_before_signing() {
    let s = Setup::new();
    s.init();
    assert!(
        s.issue(
            "GSB",
            "0042",
            "Gemeente Juinen",
            "gsb.pass",
            "2025-01-01",
            "2099-12-31"
        )
        .status
        .success()
    );
    assert!(
        s.issue(
            "authority",
            "Kiesraad",
            "Kiesraad",
            "auth.pass",
            "2025-01-01",
            "2099-12-31"
        )
        .status
        .success()
    );

    // A wrong passphrase says so.
    let o = s.sign(
        "GR2025_Juinen_Kiesraad.key",
        "GR2025_Juinen_Kiesraad.cert",
        "wrong.pass",
        [F110A, F230B, F110B],
        "media",
    );
    assert!(!o.status.success());
    assert!(stderr(&o).ends_with("wrong passphrase\n"), "{}", stderr(&o));

    // A GSB may not sign a definition.
    let o = s.sign(
        "GR2025_Juinen_0042.key",
        "GR2025_Juinen_0042.cert",
        "gsb.pass",
        [F110A, F230B, F110B],
        "media",
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("a GSB may not sign an election definition"),
        "{}",
        stderr(&o)
    );

    // A definition that does not load is refused before anything is signed.
    let o = s.sign(
        "GR2025_Juinen_Kiesraad.key",
        "GR2025_Juinen_Kiesraad.cert",
        "auth.pass",
        [F230B, F230B, F110B],
        "media",
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("the definition does not load, nothing was signed"),
        "{}",
        stderr(&o)
    );
    assert!(!s.path("media").exists());

    // An entry appliance of the GSB: role `GSB-entry`, identifier `<code>-E<n>`.
    let o = s.issue(
        "GSB-entry",
        "0042-E3",
        "Gemeente Juinen invoer 3",
        "gsb.pass",
        "2025-01-01",
        "2099-12-31",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("role:        GSB-entry"),
        "{}",
        stdout(&o)
    );
    let cert = std::fs::read_to_string(s.path("keys/GR2025_Juinen_0042-E3.cert")).unwrap();
    assert!(cert.starts_with("tally-certificate v1\nrole: GSB-entry\nidentifier: 0042-E3\n"));
    for bad in ["0042", "0042-E0", "0042-E1000", "42-E3", "0042-e3"] {
        let o = s.issue(
            "GSB-entry",
            bad,
            "Gemeente Juinen invoer",
            "gsb.pass",
            "2025-01-01",
            "2099-12-31",
        );
        assert!(!o.status.success(), "{bad} accepted");
        assert!(
            stderr(&o).contains("a number from 1 to 999, such as `0668-E3`"),
            "{bad}: {}",
            stderr(&o)
        );
    }

    // Invalid identifier for the role.
    let o = s.issue(
        "GSB",
        "42",
        "Gemeente Juinen",
        "gsb.pass",
        "2025-01-01",
        "2099-12-31",
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("four-digit municipality code"),
        "{}",
        stderr(&o)
    );

    // A passphrase is never taken from an argument: there is no such option.
    let o = run(&["init-authority", "--out-dir", "x", "--passphrase", "secret"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn verify_against_another_root_fails() {
    let s = Setup::new();
    s.init();
    assert!(
        s.issue(
            "authority",
            "Kiesraad",
            "Kiesraad",
            "auth.pass",
            "2025-01-01",
            "2099-12-31"
        )
        .status
        .success()
    );
    assert!(
        s.sign(
            "GR2025_Juinen_Kiesraad.key",
            "GR2025_Juinen_Kiesraad.cert",
            "auth.pass",
            [F110A, F230B, F110B],
            "media",
        )
        .status
        .success()
    );
    let medium = s.path("media/GR2025_Juinen_Kiesraad_election-definition.tally");
    // A second authority in another folder.
    let other = s.path("other");
    let pass = s.path("root.pass");
    let args = vec![
        "init-authority",
        "--out-dir",
        p(&other),
        "--passphrase-file",
        p(&pass),
    ];
    ok(&args);
    let other_pub = other.join("authority.pub");
    let o = run(&["verify", "--root", p(&other_pub), p(&medium)]);
    assert!(!o.status.success());
    assert!(
        stdout(&o).contains("INVALID: the signer's certificate was issued by another authority")
    );
}

#[test]
fn hash_prints_the_published_hash_codes() {
    let out = ok(&["hash", &eml(F110A), &eml(F230B)]);
    assert_eq!(
        out,
        format!("{HASH_110A}  {}\n{HASH_230B}  {}\n", eml(F110A), eml(F230B))
    );
}

#[test]
fn passphrase_from_a_file_descriptor() {
    use std::io::Write;
    use std::process::Stdio;
    let s = Setup::new();
    let run_with_stdin = |args: &[&str], input: &str| -> Output {
        let mut child = Command::new(BIN)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let args = vec![
        "init-authority",
        "--out-dir",
        p(&s.dir),
        "--passphrase-fd",
        "0",
    ];
    let o = run_with_stdin(&args, "passphrase via fd 0\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let key = s.path("authority.key");
    let gsb_pass = s.path("gsb.pass");
    let out = s.path("keys");
    let issue = |pass: &str| {
        let args = vec![
            "issue",
            "--authority-key",
            p(&key),
            "--authority-passphrase-fd",
            "0",
            "--role",
            "CSB",
            "--identifier",
            "CSB",
            "--name",
            "Centraal stembureau Juinen",
            "--election",
            "GR2025_Juinen",
            "--valid-from",
            "2025-01-01",
            "--valid-until",
            "2025-12-31",
            "--out-dir",
            p(&out),
            "--passphrase-file",
            p(&gsb_pass),
        ];
        run_with_stdin(&args, pass)
    };
    let o = issue("passphrase via fd 1\n");
    assert!(!o.status.success());
    assert!(stderr(&o).ends_with("wrong passphrase\n"), "{}", stderr(&o));
    let o = issue("passphrase via fd 0\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(s.path("keys/GR2025_Juinen_CSB.cert").is_file());
}
