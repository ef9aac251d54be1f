//! `tally-image`: builds the appliance image and its Secure Boot keys.
//!
//! ```text
//! tally-image build --init <tally-init> --program <tally> --root-key <root.pub> \
//!                   --db-key <db.key> --db-cert <db.crt> --out <dir> \
//!                   [--kernel-cache <dir>] [--cmdline <kernel command line>]
//! tally-image keys --out <dir> [--name <name>] [--days <n>]
//! tally-image ovmf-vars --keys <dir> --out <OVMF_VARS.fd> [--template <OVMF_VARS_4M.fd>]
//! tally-image esp --efi <tally.efi> --out <esp.img>
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use tally_image::build::{BuildConfig, DEFAULT_CMDLINE, build};
use tally_image::keys::{
    OVMF_VARS_TEMPLATE, SecureBootKeys, create_secure_boot_keys, enroll_ovmf_vars,
};

const USAGE: &str = "usage:
  tally-image build --init <tally-init> --program <tally> --root-key <root.pub>
                    --db-key <db.key> --db-cert <db.crt> --out <dir>
                    [--kernel-cache <dir>] [--cmdline <kernel command line>]
  tally-image keys --out <dir> [--name <name>] [--days <n>]
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
                ],
            )?;
            let out_dir = need(&m, "out")?;
            let cfg = BuildConfig {
                init: need(&m, "init")?,
                program: need(&m, "program")?,
                root_key: need(&m, "root-key")?,
                db_key: need(&m, "db-key")?,
                db_cert: need(&m, "db-cert")?,
                cmdline: m
                    .get("cmdline")
                    .cloned()
                    .unwrap_or_else(|| DEFAULT_CMDLINE.to_string()),
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
