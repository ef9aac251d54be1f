//! Writes a synthetic Amsterdam-sized Tweede Kamer 510b (issue #15 point 4) as a folder that
//! `tally-verify check` reads: the TK2023 510b of Aa en Hunze (24 polling stations) with its
//! stations repeated until there are 720 (about 93 MB), beside the TK2023 definition.
//!
//! ```text
//! cargo run --release -p tally-verify --example large_510b -- OUT_DIR [STATIONS] [--signed]
//! ```
//!
//! With `--signed` both go in signed media in `OUT_DIR/media`, under a root key made for
//! the purpose (`OUT_DIR/root.pub`): the definition signed by an authority body, the 510b
//! by the GSB 1680 (Aa en Hunze), so that `tally-verify check --root-key OUT_DIR/root.pub
//! --at 2023-11-23T12:00:00Z OUT_DIR/media` verifies the 89 MB file while reading it.
//! STATIONS must be a multiple of 24 (default 720).

#![allow(missing_docs)]

#[path = "../benches/large/mod.rs"]
mod large;

use std::path::{Path, PathBuf};

use tally_signing::{
    Certificate, CertificateFields, ContentKind, MediumFile, Role, SecretKey, Timestamp,
    sign_medium,
};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let signed = args.iter().any(|a| a == "--signed");
    let plain: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let Some(out) = plain.first() else {
        return Err("usage: large_510b OUT_DIR [STATIONS] [--signed]".into());
    };
    let out = PathBuf::from(out);
    let stations: usize = match plain.get(1) {
        Some(s) => s.parse().map_err(|_| format!("{s:?} is not a number"))?,
        None => 720,
    };
    if stations == 0 || !stations.is_multiple_of(24) {
        return Err("STATIONS must be a positive multiple of 24".into());
    }
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let count = large::scaled_file(large::AA_EN_HUNZE, stations / 24)?;
    let count_name = "Telling_TK2023_gemeente_Aa_en_Hunze.eml.xml".to_owned();
    let definition_path = large::real_dir().join(large::TK2023_DEFINITION);
    let definition = std::fs::read(&definition_path).map_err(|e| e.to_string())?;
    println!(
        "510b: {stations} polling stations, {} bytes ({:.1} MB)",
        count.len(),
        count.len() as f64 / 1e6
    );
    if !signed {
        write(&out.join(&count_name), &count)?;
        write(&out.join(large::TK2023_DEFINITION), &definition)?;
        println!("written to {}", out.display());
        return Ok(());
    }
    let root = SecretKey::generate();
    write(&out.join("root.pub"), &root.public_key().to_file_bytes())?;
    let media_dir = out.join("media");
    std::fs::create_dir_all(&media_dir).map_err(|e| e.to_string())?;
    let created = timestamp("2023-11-23T00:00:00Z")?;
    let media = [
        (
            Role::Authority,
            "Kiesraad",
            ContentKind::ElectionDefinition,
            MediumFile {
                name: large::TK2023_DEFINITION.to_owned(),
                bytes: definition,
            },
        ),
        (
            Role::Gsb,
            "1680",
            ContentKind::Results510b,
            MediumFile {
                name: count_name,
                bytes: count,
            },
        ),
    ];
    for (role, id, kind, file) in media {
        let key = SecretKey::generate();
        let cert = Certificate::issue(
            &root,
            CertificateFields {
                role,
                identifier: id.to_owned(),
                name: format!("{} {id}", role.as_str()),
                election: "TK2023".to_owned(),
                valid_from: timestamp("2023-11-01T00:00:00Z")?,
                valid_until: timestamp("2023-12-31T23:59:59Z")?,
                public_key: key.public_key(),
            },
        )
        .map_err(|e| e.to_string())?;
        let medium = sign_medium(kind, "TK2023", vec![file], &key, &cert, created)
            .map_err(|e| e.to_string())?;
        let folder = media_dir.join(tally_signing::SignedMedium::folder_name(kind, "TK2023", id));
        medium.write_to_dir(&folder).map_err(|e| e.to_string())?;
    }
    println!(
        "signed media written to {}; check with: tally-verify check --root-key {} --at 2023-11-23T12:00:00Z {}",
        media_dir.display(),
        out.join("root.pub").display(),
        media_dir.display()
    );
    Ok(())
}

fn timestamp(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| e.to_string())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}
