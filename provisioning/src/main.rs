//! `tally-provision`: the Electoral Council's offline provisioning tool.
//!
//! What it is for: making the authority's root key, issuing body keys and certificates,
//! signing election definitions (after loading them with `tally-core`), verifying any
//! signed medium, printing hash codes, writing the disk image of a body's certified stick
//! (`stick`), and making the appliance's Secure Boot keys with their enrollment files
//! (`secure-boot-keys`) and the `dbx` update that withdraws an old image (`withdraw-image`).
//! The formats are in `docs/signed-media.md`, the stick and the keys in
//! `docs/provisioning.md`.
//!
//! What it must not do: take a passphrase from a command-line argument, overwrite a key or an
//! output file, sign a definition that does not load, or put a certificate, key or image on a
//! stick that it has not checked. It runs on an offline machine and never uses the network.

mod gpt;
mod secureboot;
mod stick;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tally_core::eml::definition::{SourceFile, load_election};
use tally_signing::medium::read_regular_file;
use tally_signing::{
    Certificate, CertificateFields, ContentKind, DirSource, KdfParam, KdfParams, KdfParamsError,
    Limits, MediumFile, PublicKey, Role, SecretKey, SignedMedium, Timestamp, VerifyOptions,
    read_secret_key_file, sign_medium, verify_medium, write_secret_key_file,
};
use zeroize::Zeroizing;

/// The Electoral Council's offline provisioning tool for the tally appliance.
#[derive(Parser)]
#[command(name = "tally-provision", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the authority's root key pair; print the root's fingerprint.
    InitAuthority {
        /// Folder to write `authority.key` (encrypted, mode 0600) and `authority.pub` into.
        #[arg(long)]
        out_dir: PathBuf,
        #[command(flatten)]
        passphrase: NewPassphrase,
        #[command(flatten)]
        kdf: KdfArgs,
    },
    /// Create a body's key pair and its certificate, signed by the root key.
    Issue {
        /// The root's secret-key file (`authority.key`).
        #[arg(long)]
        authority_key: PathBuf,
        /// Read the root key's passphrase from this file (first line).
        #[arg(long, conflicts_with = "authority_passphrase_fd")]
        authority_passphrase_file: Option<PathBuf>,
        /// Read the root key's passphrase from this open file descriptor.
        #[arg(long)]
        authority_passphrase_fd: Option<u32>,
        /// The body's role.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The body's identifier: `CSB`, `HSB6`, a municipality code such as `0668`, an
        /// entry appliance of a municipality such as `0668-E3` (role `GSB-entry`), or the
        /// authority's name for role `authority`.
        #[arg(long)]
        identifier: String,
        /// The body's name, such as `Gemeente West Maas en Waal`.
        #[arg(long)]
        name: String,
        /// The election identifier, such as `GR2022_WestMaasenWaal`.
        #[arg(long)]
        election: String,
        /// Start of validity: `YYYY-MM-DD` (00:00:00 UTC) or `YYYY-MM-DDTHH:MM:SSZ`.
        #[arg(long)]
        valid_from: String,
        /// End of validity: `YYYY-MM-DD` (23:59:59 UTC) or `YYYY-MM-DDTHH:MM:SSZ`.
        #[arg(long)]
        valid_until: String,
        /// Folder to write `<election>_<identifier>.key` and `.cert` into.
        #[arg(long)]
        out_dir: PathBuf,
        #[command(flatten)]
        passphrase: NewPassphrase,
        #[command(flatten)]
        kdf: KdfArgs,
    },
    /// Sign an election definition (110a, 230b, optional 110b) after loading it.
    SignDefinition {
        /// The authority signing key (issued with `--role authority`).
        #[arg(long)]
        key: PathBuf,
        /// Its certificate.
        #[arg(long)]
        cert: PathBuf,
        #[command(flatten)]
        passphrase: ExistingPassphrase,
        /// The election definition (EML 110a).
        #[arg(long = "eml-110a")]
        eml_110a: PathBuf,
        /// A candidate-lists file (EML 230b); give it once per file.
        #[arg(long = "eml-230b", required = true)]
        eml_230b: Vec<PathBuf>,
        /// The polling-station list (EML 110b), if any.
        #[arg(long = "eml-110b")]
        eml_110b: Option<PathBuf>,
        /// Folder in which to create the medium's folder.
        #[arg(long)]
        out_dir: PathBuf,
        /// Creation time to record (default: now), `YYYY-MM-DDTHH:MM:SSZ`.
        #[arg(long)]
        created: Option<String>,
    },
    /// Verify a signed medium against a root public key; print what it holds and who signed.
    Verify {
        /// The trusted root's public-key file (`authority.pub`).
        #[arg(long)]
        root: PathBuf,
        /// The medium's folder.
        medium: PathBuf,
        /// The election the medium must be for.
        #[arg(long)]
        election: Option<String>,
        /// The signer's identifier the medium must come from.
        #[arg(long)]
        signer: Option<String>,
        /// Check the certificate at this time instead of now: `YYYY-MM-DDTHH:MM:SSZ`.
        #[arg(long)]
        at: Option<String>,
    },
    /// Write the disk image of a body's certified stick: the signed UKI on an EFI system
    /// partition, the body's certificate and encrypted key on an ext4 data partition.
    Stick {
        /// The signed unified kernel image (becomes `\EFI\BOOT\BOOTX64.EFI`).
        #[arg(long)]
        uki: PathBuf,
        /// The body's certificate (`<election>_<identifier>.cert` from `issue`).
        #[arg(long)]
        certificate: PathBuf,
        /// The body's encrypted key (`<election>_<identifier>.key` from `issue`).
        #[arg(long)]
        key: PathBuf,
        /// The trusted root's public-key file (`authority.pub`): the certificate must be
        /// issued by it.
        #[arg(long)]
        root: PathBuf,
        /// The Secure Boot db certificate (PEM): if given, the UKI's signature must verify
        /// with it (`sbverify`).
        #[arg(long)]
        db_cert: Option<PathBuf>,
        /// The disk image to write (must not exist); write it to a stick with `dd`.
        #[arg(long)]
        out: PathBuf,
        /// Size of the data partition in MiB (journal, certificate, key).
        #[arg(long, default_value_t = stick::DEFAULT_DATA_MIB)]
        size_mib: u64,
    },
    /// Create the appliance's Secure Boot keys (PK, KEK, db), the private keys sealed with the
    /// authority's passphrase, and the files an official enrolls them from: `.cer` (DER),
    /// `.esl`, `.auth`, and `noPK.auth`.
    SecureBootKeys {
        /// Folder to write them into (created if missing; existing keys are not overwritten).
        #[arg(long)]
        out: PathBuf,
        /// The name in the certificates' subjects ("<name> PK", ...).
        #[arg(long, default_value = "Tally appliance")]
        name: String,
        /// Validity of the certificates in days.
        #[arg(long, default_value_t = 3650)]
        days: u32,
        /// The passphrase the private keys are sealed with (the authority's).
        #[command(flatten)]
        passphrase: NewPassphrase,
        #[command(flatten)]
        kdf: KdfArgs,
    },
    /// Withdraw signed appliance images: make the `dbx` update (an EFI signature list of their
    /// Authenticode SHA-256 hashes, signed by KEK for an append write) that an official
    /// enrolls on each PC, after which the firmware refuses to start them. Writes
    /// `<out>.esl` and `<out>.auth`.
    WithdrawImage {
        /// The Secure Boot keys folder (`KEK.key`, sealed, and `KEK.crt`).
        #[arg(long)]
        keys: PathBuf,
        /// The update's file name without extension (`withdraw-0.1.0`; must not exist).
        #[arg(long)]
        out: PathBuf,
        /// The signed images (`tally.efi`) to withdraw.
        #[arg(required = true)]
        images: Vec<PathBuf>,
        /// The passphrase the Secure Boot private keys are sealed with.
        #[command(flatten)]
        passphrase: ExistingPassphrase,
    },
    /// Print the hash code (SHA-256 as 16 groups of 4 hex digits) of files.
    Hash {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Authority,
    #[value(name = "CSB", alias = "csb")]
    Csb,
    #[value(name = "HSB", alias = "hsb")]
    Hsb,
    #[value(name = "GSB", alias = "gsb")]
    Gsb,
    /// An entry appliance of a GSB (`docs/parallel-entry.md`), identifier `0668-E3`.
    #[value(name = "GSB-entry", alias = "gsb-entry")]
    GsbEntry,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Authority => Role::Authority,
            RoleArg::Csb => Role::Csb,
            RoleArg::Hsb => Role::Hsb,
            RoleArg::Gsb => Role::Gsb,
            RoleArg::GsbEntry => Role::GsbEntry,
        }
    }
}

/// Where a new key's passphrase comes from (default: typed twice on the terminal).
#[derive(Args)]
struct NewPassphrase {
    /// Read the new key's passphrase from this file (first line).
    #[arg(long, conflicts_with = "passphrase_fd")]
    passphrase_file: Option<PathBuf>,
    /// Read the new key's passphrase from this open file descriptor.
    #[arg(long)]
    passphrase_fd: Option<u32>,
}

/// Where an existing key's passphrase comes from (default: typed on the terminal).
#[derive(Args)]
struct ExistingPassphrase {
    /// Read the key's passphrase from this file (first line).
    #[arg(long, conflicts_with = "passphrase_fd")]
    passphrase_file: Option<PathBuf>,
    /// Read the key's passphrase from this open file descriptor.
    #[arg(long)]
    passphrase_fd: Option<u32>,
}

/// Argon2id parameters for a new key file.
#[derive(Args)]
struct KdfArgs {
    /// Argon2id memory in KiB (default and floor 65536 = 64 MiB; at most 262144).
    #[arg(long, default_value_t = KdfParams::DEFAULT.memory_kib)]
    argon2_memory_kib: u32,
    /// Argon2id iterations (default and floor 3; at most 64).
    #[arg(long, default_value_t = KdfParams::DEFAULT.iterations)]
    argon2_iterations: u32,
}

impl KdfArgs {
    /// The parameters, refused (before any passphrase is asked for) when below the floor
    /// or above the maxima that every key file is held to.
    fn params(&self) -> Result<KdfParams> {
        let params = KdfParams {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: 1,
        };
        params.check().map_err(|e| {
            let option = match e {
                KdfParamsError::BelowFloor { parameter, .. }
                | KdfParamsError::AboveMaximum { parameter, .. } => match parameter {
                    KdfParam::MemoryKib => "--argon2-memory-kib: ",
                    KdfParam::Iterations => "--argon2-iterations: ",
                    KdfParam::Parallelism => "",
                },
                KdfParamsError::Argon2(_) => "",
            };
            Failure(format!("{option}{e}; no key was made"))
        })?;
        Ok(params)
    }
}

/// A failure, as one line for the user.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.to_string())
    }
}

type Result<T> = std::result::Result<T, Failure>;

fn fail<T>(msg: impl Into<String>) -> Result<T> {
    Err(Failure(msg.into()))
}

/// The shortest passphrase accepted for a new key.
const MIN_PASSPHRASE_CHARS: usize = 8;

fn read_passphrase_from(file: Option<&Path>, fd: Option<u32>) -> Result<Option<Zeroizing<String>>> {
    let path = match (file, fd) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(fd)) => PathBuf::from(format!("/dev/fd/{fd}")),
        (None, None) => return Ok(None),
    };
    let mut bytes = Zeroizing::new(Vec::new());
    std::fs::File::open(&path)
        .and_then(|f| f.take(4096).read_to_end(&mut bytes))
        .map_err(|e| {
            Failure(format!(
                "cannot read the passphrase from {}: {e}",
                path.display()
            ))
        })?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Failure(format!("the passphrase in {} is not UTF-8", path.display())))?;
    let line = text.split('\n').next().unwrap_or_default();
    let line = line.strip_suffix('\r').unwrap_or(line);
    Ok(Some(Zeroizing::new(line.to_string())))
}

fn new_passphrase(p: &NewPassphrase, what: &str) -> Result<Zeroizing<String>> {
    let pass = match read_passphrase_from(p.passphrase_file.as_deref(), p.passphrase_fd)? {
        Some(pass) => pass,
        None => {
            let a = Zeroizing::new(rpassword::prompt_password(format!(
                "New passphrase for {what}: "
            ))?);
            let b = Zeroizing::new(rpassword::prompt_password("Repeat the passphrase: ")?);
            if a != b {
                return fail("the two passphrases differ");
            }
            a
        }
    };
    if pass.chars().count() < MIN_PASSPHRASE_CHARS {
        return fail(format!(
            "the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters"
        ));
    }
    Ok(pass)
}

fn existing_passphrase(
    file: Option<&Path>,
    fd: Option<u32>,
    what: &str,
) -> Result<Zeroizing<String>> {
    match read_passphrase_from(file, fd)? {
        Some(p) => Ok(p),
        None => Ok(Zeroizing::new(rpassword::prompt_password(format!(
            "Passphrase for {what}: "
        ))?)),
    }
}

fn parse_time(s: &str, end_of_day: bool) -> Result<Timestamp> {
    let full = if s.len() == 10 {
        format!("{s}T{}Z", if end_of_day { "23:59:59" } else { "00:00:00" })
    } else {
        s.to_string()
    };
    Ok(Timestamp::parse(&full)?)
}

fn read_input(path: &Path) -> Result<Vec<u8>> {
    read_regular_file(path, Limits::DEFAULT.max_file_bytes)
        .map_err(|e| Failure(format!("{}: {e}", path.display())))
}

fn plain_name(path: &Path) -> Result<String> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Failure(format!("{}: no usable file name", path.display())))?;
    tally_signing::manifest::check_file_name(name)
        .map_err(|e| Failure(format!("{}: the file name {e}", path.display())))?;
    Ok(name.to_string())
}

fn init_authority(out_dir: &Path, pass: &NewPassphrase, kdf: &KdfArgs) -> Result<()> {
    let params = kdf.params()?;
    let passphrase = new_passphrase(pass, "the authority root key")?;
    std::fs::create_dir_all(out_dir)?;
    let key_path = out_dir.join("authority.key");
    let pub_path = out_dir.join("authority.pub");
    if key_path.exists() || pub_path.exists() {
        return fail(format!(
            "{} already holds an authority key; refusing to overwrite it",
            out_dir.display()
        ));
    }
    let key = SecretKey::generate();
    write_secret_key_file(&key_path, &key, passphrase.as_bytes(), params)?;
    tally_signing::keys::write_new_file(&pub_path, &key.public_key().to_file_bytes(), 0o644)
        .map_err(|e| Failure(format!("{}: {e}", pub_path.display())))?;
    println!("Authority root key created.");
    println!("  secret key (encrypted): {}", key_path.display());
    println!("  public key:             {}", pub_path.display());
    println!("Root fingerprint:");
    println!("  {}", key.public_key().fingerprint());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn issue(
    authority_key: &Path,
    authority_pass: Zeroizing<String>,
    fields: CertificateFields,
    out_dir: &Path,
    pass: &NewPassphrase,
    params: KdfParams,
    body_key: SecretKey,
) -> Result<()> {
    fields.check().map_err(Failure)?;
    let root = read_secret_key_file(authority_key, authority_pass.as_bytes())
        .map_err(|e| Failure(format!("{}: {e}", authority_key.display())))?;
    let cert = Certificate::issue(&root, fields)?;
    let passphrase = new_passphrase(
        pass,
        &format!("the {} key {}", cert.role(), cert.identifier()),
    )?;
    std::fs::create_dir_all(out_dir)?;
    let stem = format!("{}_{}", cert.election(), cert.identifier());
    let key_path = out_dir.join(format!("{stem}.key"));
    let cert_path = out_dir.join(format!("{stem}.cert"));
    if key_path.exists() || cert_path.exists() {
        return fail(format!(
            "{} or {} exists already; refusing to overwrite",
            key_path.display(),
            cert_path.display()
        ));
    }
    write_secret_key_file(&key_path, &body_key, passphrase.as_bytes(), params)?;
    tally_signing::keys::write_new_file(&cert_path, cert.as_bytes(), 0o644)
        .map_err(|e| Failure(format!("{}: {e}", cert_path.display())))?;
    println!("Certificate issued.");
    print_certificate(&cert);
    println!("  secret key (encrypted): {}", key_path.display());
    println!("  certificate:            {}", cert_path.display());
    println!("Certificate fingerprint:");
    println!("  {}", cert.fingerprint());
    Ok(())
}

fn print_certificate(cert: &Certificate) {
    let f = cert.fields();
    println!("  role:        {}", f.role);
    println!("  identifier:  {}", f.identifier);
    println!("  name:        {}", f.name);
    println!("  election:    {}", f.election);
    println!("  valid:       {} to {}", f.valid_from, f.valid_until);
    println!("  key:         {}", f.public_key.fingerprint());
    println!("  issuer root: {}", cert.issuer());
}

#[allow(clippy::too_many_arguments)]
fn sign_definition(
    key_path: &Path,
    cert_path: &Path,
    passphrase: Zeroizing<String>,
    eml_110a: &Path,
    eml_230b: &[PathBuf],
    eml_110b: Option<&Path>,
    out_dir: &Path,
    created: Option<&str>,
) -> Result<()> {
    let cert_bytes = read_input(cert_path)?;
    let cert = Certificate::parse(&cert_bytes)
        .map_err(|e| Failure(format!("{}: {e}", cert_path.display())))?;
    // Collect the files; the definition must load before anything is signed.
    let mut files: Vec<MediumFile> = Vec::new();
    for path in std::iter::once(eml_110a)
        .chain(eml_230b.iter().map(PathBuf::as_path))
        .chain(eml_110b)
    {
        files.push(MediumFile {
            name: plain_name(path)?,
            bytes: read_input(path)?,
        });
    }
    let sources: Vec<SourceFile<'_>> = files
        .iter()
        .map(|f| SourceFile::new(&f.name, &f.bytes))
        .collect();
    let (first, rest) = sources
        .split_first()
        .ok_or_else(|| Failure("no 110a given".into()))?;
    let (lists, stations) = if eml_110b.is_some() {
        let (last, lists) = rest
            .split_last()
            .ok_or_else(|| Failure("no 230b given".into()))?;
        (lists, Some(last))
    } else {
        (rest, None)
    };
    let election = load_election(first, lists, stations).map_err(|e| {
        Failure(format!(
            "the definition does not load, nothing was signed: {e}"
        ))
    })?;
    let election_id = election.id.0.clone();
    if election_id != cert.election() {
        return fail(format!(
            "the definition is for election `{election_id}` but the certificate is for `{}`; nothing was signed",
            cert.election()
        ));
    }
    let key = read_secret_key_file(key_path, passphrase.as_bytes())
        .map_err(|e| Failure(format!("{}: {e}", key_path.display())))?;
    let created = match created {
        Some(s) => parse_time(s, false)?,
        None => Timestamp::now(),
    };
    let medium = sign_medium(
        ContentKind::ElectionDefinition,
        &election_id,
        files,
        &key,
        &cert,
        created,
    )?;
    let folder = out_dir.join(SignedMedium::folder_name(
        ContentKind::ElectionDefinition,
        &election_id,
        cert.identifier(),
    ));
    std::fs::create_dir_all(out_dir).map_err(|e| Failure(format!("{}: {e}", out_dir.display())))?;
    medium
        .write_to_dir(&folder)
        .map_err(|e| Failure(format!("{}: {e}", folder.display())))?;
    println!("Signed election definition written to {}", folder.display());
    println!("  election: {election_id} ({})", election.name);
    println!(
        "  contests: {}, lists: {}, polling stations: {}",
        election.contests.len(),
        election
            .contests
            .iter()
            .map(|c| c.lists.len())
            .sum::<usize>(),
        election
            .polling_stations
            .as_ref()
            .map_or("none".to_string(), |p| p.stations.len().to_string())
    );
    for f in &medium.files {
        println!(
            "  {}  {}",
            tally_core::hashcode::hash_code(&f.bytes),
            f.name
        );
    }
    Ok(())
}

fn verify(
    root_path: &Path,
    medium: &Path,
    election: Option<&str>,
    signer: Option<&str>,
    at: Option<&str>,
) -> Result<bool> {
    let root_bytes = read_input(root_path)?;
    let root = PublicKey::from_file_bytes(&root_bytes)
        .map_err(|e| Failure(format!("{}: {e}", root_path.display())))?;
    let now = match at {
        Some(s) => parse_time(s, false)?,
        None => Timestamp::now(),
    };
    let mut opts = VerifyOptions::new(&root, now);
    opts.expected_election = election;
    opts.expected_signer = signer;
    println!("Medium:           {}", medium.display());
    println!("Trusted root:     {}", root.fingerprint());
    println!("Checked at:       {now}");
    match verify_medium(&DirSource::new(medium), &opts) {
        Ok(v) => {
            let m = &v.manifest;
            println!("VALID");
            println!("Content:          {} ({})", m.kind, m.kind.as_str());
            println!("Election:         {}", m.election);
            println!("Created:          {}", m.created);
            println!("Signed by:");
            print_certificate(v.signer());
            println!("Files ({}):", v.files.len());
            for f in &v.files {
                println!(
                    "  {}  {:>10} bytes  {}",
                    f.hash_code(),
                    f.bytes.len(),
                    f.name
                );
            }
            for name in &v.ignored {
                println!("Ignored (not listed in the manifest, not read): {name}");
            }
            Ok(true)
        }
        Err(e) => {
            println!("INVALID: {e}");
            Ok(false)
        }
    }
}

fn hash(files: &[PathBuf]) -> Result<()> {
    for path in files {
        let bytes = read_input(path)?;
        println!(
            "{}  {}",
            tally_core::hashcode::hash_code(&bytes),
            path.display()
        );
    }
    Ok(())
}

fn make_stick(spec: stick::StickSpec) -> Result<()> {
    let r = stick::make_stick(&spec)?;
    let cert = &r.certificate;
    println!("Certified stick written to {}", spec.out.display());
    print_certificate(cert);
    println!(
        "  disk:        {} bytes, GUID {}",
        r.disk_bytes, r.disk_guid
    );
    println!(
        "  partition 1: {} (EFI system, FAT32, {} MiB), PARTUUID {}",
        stick::ESP_NAME,
        r.esp_mib,
        r.esp_guid
    );
    println!(
        "               \\EFI\\BOOT\\BOOTX64.EFI, {} bytes",
        r.uki_bytes
    );
    println!(
        "  partition 2: {} (ext4 {}, {} MiB), PARTUUID {}, UUID {}",
        stick::DATA_NAME,
        stick::DATA_LABEL,
        r.data_mib,
        r.data_guid,
        r.ext4_uuid
    );
    println!("               /body.cert, /body.key (0600)");
    println!("System identity (SHA-256 of the UKI, shown on the appliance's start screen):");
    println!("  {}", r.uki_sha256);
    Ok(())
}

fn secure_boot_keys(
    out: &Path,
    name: &str,
    days: u32,
    pass: &NewPassphrase,
    kdf: &KdfArgs,
) -> Result<()> {
    // Refusals that need no passphrase come before it is asked for.
    let params = kdf.params()?;
    secureboot::preflight(out)?;
    let passphrase = new_passphrase(pass, "the Secure Boot private keys (PK, KEK, db)")?;
    let files = secureboot::create(out, name, days, passphrase.as_bytes(), params)?;
    println!("Secure Boot keys written to {}", out.display());
    for k in &files.keys {
        println!("  {}:", k.name);
        println!(
            "    private key (sealed with the passphrase; keep offline): {}",
            k.key.display()
        );
        println!("    certificate (PEM):          {}", k.crt.display());
        println!("    certificate (DER):          {}", k.cer.display());
        println!("    signature list:             {}", k.esl.display());
        println!("    signed signature list:      {}", k.auth.display());
        println!("    SHA-256 of the certificate: {}", k.cer_sha256);
    }
    println!(
        "  noPK.auth (clears PK: back to setup mode): {}",
        files.no_pk_auth.display()
    );
    println!(
        "Sign the image with db.key and db.crt (`scripts/build-image --db-key --db-cert`, which asks for the passphrase);"
    );
    println!("enroll db, KEK, then PK on each PC (README: Enrolling the Secure Boot keys).");
    Ok(())
}

fn withdraw_image(
    keys: &Path,
    images: &[PathBuf],
    out: &Path,
    pass: &ExistingPassphrase,
) -> Result<()> {
    // Refusals that need no passphrase come before it is asked for.
    secureboot::withdraw_preflight(keys, images, out)?;
    let passphrase = existing_passphrase(
        pass.passphrase_file.as_deref(),
        pass.passphrase_fd,
        "the Secure Boot private keys",
    )?;
    let update = secureboot::withdraw_images(keys, images, passphrase.as_bytes(), out)?;
    println!("Withdrawn (Authenticode SHA-256, what the firmware compares with dbx):");
    for (hash, image) in update.hashes.iter().zip(images) {
        println!("  {hash}  {}", image.display());
    }
    println!("  signature list:        {}", update.esl.display());
    println!("  signed dbx update:     {}", update.auth.display());
    println!(
        "Enroll it on each PC: `efi-updatevar -a -f {} dbx` from Linux, or append it to dbx in the firmware setup (docs/image.md).",
        update.auth.display()
    );
    Ok(())
}

fn run(cli: Cli) -> Result<bool> {
    match cli.command {
        Command::InitAuthority {
            out_dir,
            passphrase,
            kdf,
        } => init_authority(&out_dir, &passphrase, &kdf).map(|()| true),
        Command::Issue {
            authority_key,
            authority_passphrase_file,
            authority_passphrase_fd,
            role,
            identifier,
            name,
            election,
            valid_from,
            valid_until,
            out_dir,
            passphrase,
            kdf,
        } => {
            let params = kdf.params()?;
            let body_key = SecretKey::generate();
            let fields = CertificateFields {
                role: role.into(),
                identifier,
                name,
                election,
                valid_from: parse_time(&valid_from, false)?,
                valid_until: parse_time(&valid_until, true)?,
                public_key: body_key.public_key(),
            };
            let authority_pass = existing_passphrase(
                authority_passphrase_file.as_deref(),
                authority_passphrase_fd,
                "the authority root key",
            )?;
            issue(
                &authority_key,
                authority_pass,
                fields,
                &out_dir,
                &passphrase,
                params,
                body_key,
            )
            .map(|()| true)
        }
        Command::SignDefinition {
            key,
            cert,
            passphrase,
            eml_110a,
            eml_230b,
            eml_110b,
            out_dir,
            created,
        } => {
            let pass = existing_passphrase(
                passphrase.passphrase_file.as_deref(),
                passphrase.passphrase_fd,
                "the authority signing key",
            )?;
            sign_definition(
                &key,
                &cert,
                pass,
                &eml_110a,
                &eml_230b,
                eml_110b.as_deref(),
                &out_dir,
                created.as_deref(),
            )
            .map(|()| true)
        }
        Command::Verify {
            root,
            medium,
            election,
            signer,
            at,
        } => verify(
            &root,
            &medium,
            election.as_deref(),
            signer.as_deref(),
            at.as_deref(),
        ),
        Command::Stick {
            uki,
            certificate,
            key,
            root,
            db_cert,
            out,
            size_mib,
        } => make_stick(stick::StickSpec {
            uki,
            certificate,
            key,
            root,
            db_cert,
            out,
            data_mib: size_mib,
            now: Timestamp::now(),
        })
        .map(|()| true),
        Command::SecureBootKeys {
            out,
            name,
            days,
            passphrase,
            kdf,
        } => secure_boot_keys(&out, &name, days, &passphrase, &kdf).map(|()| true),
        Command::WithdrawImage {
            keys,
            out,
            images,
            passphrase,
        } => withdraw_image(&keys, &images, &out, &passphrase).map(|()| true),
        Command::Hash { files } => hash(&files).map(|()| true),
    }
}

/// Exit status: 0 done (`verify`: VALID); 1 `verify` found the medium INVALID; 2 refused or
/// failed (one `error:` line on stderr), as for arguments clap refuses.
fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Failure(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}
