//! `tally-image`: builds the appliance image and its Secure Boot keys.
//!
//! ```text
//! tally-image build --init <tally-init> --program <tally> --root-key <root.pub> \
//!                   --db-key <db.key> --db-cert <db.crt> --out <dir> \
//!                   [--db-key-passphrase-file <file> | --db-key-passphrase-fd <n>] \
//!                   [--kernel-cache <dir>] [--cmdline <kernel command line>] \
//!                   [--source-commit <40 hex digits>]
//! ```
//!
//! The source commit goes into the image's `os-release` (shown on the start screen); without
//! `--source-commit` it is the commit checked out in the current directory, and a work tree
//! whose tracked files differ from it is refused.
//!
//! `build` takes only a sealed db key (`tally-provision secure-boot-keys`): it asks for the
//! authority's passphrase on the terminal (or reads the first line of the file or descriptor
//! given), opens the key before building anything, and hands the PEM to `sbsign` in a private
//! temporary file that is removed right after. `keys` makes unsealed throw-away test keys.
//!
//! ```text
//! tally-image keys --out <dir> [--name <name>] [--days <n>]
//! tally-image ovmf-vars --keys <dir> --out <OVMF_VARS.fd> [--template <OVMF_VARS_4M.fd>]
//! tally-image esp --efi <tally.efi> --out <esp.img>
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use tally_image::build::{BuildConfig, DEFAULT_CMDLINE, build};
use tally_image::keys::{
    OVMF_VARS_TEMPLATE, Passphrase, SEALED_KEY_MAGIC, SealedKeyError, SecureBootKeys,
    create_secure_boot_keys, enroll_ovmf_vars, is_plain_pem_private_key,
};

/// The passphrase of the sealed db key `key`: the first line of `--db-key-passphrase-file` or
/// `--db-key-passphrase-fd`, else typed on the terminal. A key that is not sealed is refused
/// before any passphrase is asked for.
fn db_key_passphrase(
    key: &std::path::Path,
    m: &BTreeMap<String, String>,
) -> Result<Passphrase, String> {
    let refuse = |why: String| format!("db key {}: {why}; nothing was built", key.display());
    let head =
        tally_signing::keys::read_small_file(key, 64 * 1024).map_err(|e| refuse(e.to_string()))?;
    if !head.starts_with(SEALED_KEY_MAGIC.as_bytes()) {
        return Err(refuse(if is_plain_pem_private_key(&head) {
            SealedKeyError::Unencrypted.to_string()
        } else {
            format!("not a sealed private-key file (`{SEALED_KEY_MAGIC}`)")
        }));
    }
    let source = match (
        m.get("db-key-passphrase-file"),
        m.get("db-key-passphrase-fd"),
    ) {
        (Some(_), Some(_)) => {
            return Err(
                "give --db-key-passphrase-file or --db-key-passphrase-fd, not both".to_string(),
            );
        }
        (Some(f), None) => Some(PathBuf::from(f)),
        (None, Some(fd)) => {
            let n: u32 = fd
                .parse()
                .map_err(|_| format!("--db-key-passphrase-fd {fd:?}: not a number"))?;
            Some(PathBuf::from(format!("/dev/fd/{n}")))
        }
        (None, None) => None,
    };
    let text = match source {
        Some(path) => {
            use std::io::Read as _;
            let mut bytes = zeroize::Zeroizing::new(Vec::new());
            std::fs::File::open(&path)
                .and_then(|f| f.take(4096).read_to_end(&mut bytes))
                .map_err(|e| format!("cannot read the passphrase from {}: {e}", path.display()))?;
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| format!("the passphrase in {} is not UTF-8", path.display()))?;
            let line = text.split('\n').next().unwrap_or_default();
            line.strip_suffix('\r').unwrap_or(line).to_string()
        }
        None => rpassword::prompt_password(format!(
            "Passphrase for the Secure Boot db key {}: ",
            key.display()
        ))
        .map_err(|e| format!("cannot read the passphrase from the terminal: {e}"))?,
    };
    Ok(Passphrase::new(text))
}

const USAGE: &str = "usage:
  tally-image build --init <tally-init> --program <tally> --root-key <root.pub>
                    --db-key <db.key> --db-cert <db.crt> --out <dir>
                    [--db-key-passphrase-file <file> | --db-key-passphrase-fd <n>]
                    [--kernel-cache <dir>] [--cmdline <kernel command line>]
                    [--source-commit <40 hex digits>]   (default: git HEAD, clean)
  tally-image keys --out <dir> [--name <name>] [--days <n>]   (unsealed test keys)
  tally-image ovmf-vars --keys <dir> --out <OVMF_VARS.fd> [--template <file>]
  tally-image esp --efi <tally.efi> --out <esp.img>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tally-image: {e}");
            ExitCode::FAILURE
        }
    }
}

fn flags(args: &[String], known: &[&str]) -> Result<BTreeMap<String, String>, String> {
    let mut m = BTreeMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(name) = a.strip_prefix("--") else {
            return Err(format!("unexpected argument {a:?}\n{USAGE}"));
        };
        if !known.contains(&name) {
            return Err(format!("unknown option --{name}\n{USAGE}"));
        }
        let v = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
        m.insert(name.to_string(), v.clone());
    }
    Ok(m)
}

fn need(m: &BTreeMap<String, String>, name: &str) -> Result<PathBuf, String> {
    m.get(name)
        .map(PathBuf::from)
        .ok_or_else(|| format!("--{name} is required\n{USAGE}"))
}

fn run(args: &[String]) -> Result<(), String> {
    let (cmd, rest) = args.split_first().ok_or_else(|| USAGE.to_string())?;
    match cmd.as_str() {
        "build" => {
            let m = flags(
                rest,
                &[
                    "init",
                    "program",
                    "root-key",
                    "db-key",
                    "db-cert",
                    "out",
                    "kernel-cache",
                    "cmdline",
                    "db-key-passphrase-file",
                    "db-key-passphrase-fd",
                    "source-commit",
                ],
            )?;
            let out_dir = need(&m, "out")?;
            let (init, program, root_key) = (
                need(&m, "init")?,
                need(&m, "program")?,
                need(&m, "root-key")?,
            );
            let (db_key, db_cert) = (need(&m, "db-key")?, need(&m, "db-cert")?);
            let source_commit = match m.get("source-commit") {
                Some(c) => {
                    tally_image::build::check_source_commit(c).map_err(|e| e.to_string())?;
                    c.clone()
                }
                None => tally_image::build::source_commit_of(std::path::Path::new("."))
                    .map_err(|e| format!("the source commit: {e}; nothing was built"))?,
            };
            // Asked for (or read) once every argument is there, before anything is built.
            let db_key_passphrase = Some(db_key_passphrase(&db_key, &m)?);
            let cfg = BuildConfig {
                init,
                program,
                root_key,
                db_key,
                db_key_passphrase,
                db_cert,
                cmdline: m
                    .get("cmdline")
                    .cloned()
                    .unwrap_or_else(|| DEFAULT_CMDLINE.to_string()),
                source_commit,
                kernel_cache: m
                    .get("kernel-cache")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| out_dir.join("kernel")),
                out_dir,
            };
            let out = build(&cfg).map_err(|e| e.to_string())?;
            println!("{}  {}", out.sha256, out.uki.display());
            Ok(())
        }
        "keys" => {
            let m = flags(rest, &["out", "name", "days"])?;
            let days = match m.get("days") {
                Some(d) => d
                    .parse()
                    .map_err(|_| format!("--days {d:?}: not a number"))?,
                None => 3650,
            };
            let name = m
                .get("name")
                .map(String::as_str)
                .unwrap_or("Tally appliance");
            let keys = create_secure_boot_keys(&need(&m, "out")?, name, days)
                .map_err(|e| e.to_string())?;
            println!("{}", keys.db.cert.display());
            Ok(())
        }
        "ovmf-vars" => {
            let m = flags(rest, &["keys", "out", "template"])?;
            let keys = SecureBootKeys::in_dir(&need(&m, "keys")?);
            let template = m
                .get("template")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(OVMF_VARS_TEMPLATE));
            enroll_ovmf_vars(&keys, &template, &need(&m, "out")?).map_err(|e| e.to_string())
        }
        "esp" => {
            let m = flags(rest, &["efi", "out"])?;
            tally_image::qemu::make_esp(&need(&m, "efi")?, &need(&m, "out")?)
                .map_err(|e| e.to_string())
        }
        _ => Err(USAGE.to_string()),
    }
}
