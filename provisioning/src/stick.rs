//! The certified stick of one counting body, as a disk image (`tally-provision stick`).
//!
//! Layout (see `docs/provisioning.md`): a GPT with
//! 1. the EFI system partition (`TALLY-ESP`, FAT32) holding the signed UKI as
//!    `\EFI\BOOT\BOOTX64.EFI`, the path firmware boots from removable media;
//! 2. the data partition (`TALLY-DATA`, ext4 labelled `TALLYDATA`) holding `/body.cert` and
//!    `/body.key` (mode 0600): the appliance's `--data-dir`, where the journal also lives.
//!
//! Every input is checked before anything is written: the certificate is a body's (GSB, HSB or
//! CSB), issued by the given root and not expired; the key file is an encrypted secret-key file
//! for the certificate's public key; the UKI is an x86-64 EFI application carrying an
//! Authenticode signature (and, with `--db-cert`, one that `sbverify` accepts). The image is
//! built in a temporary folder beside the output and appears under its name only when complete;
//! an existing file is never overwritten.
//!
//! The file systems are made without mounting and without root: `mkfs.vfat -C` and `mtools`
//! for the ESP, `mkfs.ext4 -d` and `debugfs` for the data partition. The same inputs give the
//! same bytes: the GUIDs, the FAT volume id and the ext4 UUID and hash seed are derived from the
//! inputs' SHA-256, and every timestamp is `SOURCE_DATE_EPOCH` (default 2026-01-01).

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use tally_signing::keys::{decrypt_secret_key, secret_key_file_public_key};
use tally_signing::medium::read_regular_file;
use tally_signing::{Certificate, CertificateError, KeyFileError, PublicKey, Role, Timestamp};

use crate::gpt::{self, GptError, Guid, Partition, SECTOR};

/// The GPT name of the EFI system partition.
pub const ESP_NAME: &str = "TALLY-ESP";
/// The GPT name of the data partition.
pub const DATA_NAME: &str = "TALLY-DATA";
/// The ext4 label of the data partition.
pub const DATA_LABEL: &str = "TALLYDATA";
/// The FAT label of the EFI system partition.
pub const ESP_LABEL: &str = "TALLYESP";
/// The default size of the data partition in MiB.
pub const DEFAULT_DATA_MIB: u64 = 64;
/// The smallest data partition accepted (MiB): room for the ext4 journal and the tally journal.
pub const MIN_DATA_MIB: u64 = 16;
/// The largest data partition accepted (MiB): 64 GiB.
pub const MAX_DATA_MIB: u64 = 65_536;
/// The smallest EFI system partition (MiB), comfortably above FAT32's minimum.
pub const MIN_ESP_MIB: u64 = 64;
/// Free room left on the ESP beyond the UKI (MiB).
pub const ESP_SLACK_MIB: u64 = 16;
/// The largest UKI accepted (bytes).
pub const MAX_UKI_BYTES: u64 = 512 * MIB;
/// The default timestamp of everything in the image (2026-01-01T00:00:00Z), unless
/// `SOURCE_DATE_EPOCH` is set: the same as the UKI's signing time.
pub const DEFAULT_EPOCH: u64 = 1_767_225_600;

const MIB: u64 = 1024 * 1024;
const MIB_SECTORS: u64 = MIB / SECTOR;
/// Partitions start at 1 MiB; 1 MiB is left at the end for the backup GPT.
const ALIGN_SECTORS: u64 = MIB_SECTORS;
/// Where the EFI system partition starts (sector).
pub const ESP_FIRST_LBA: u64 = ALIGN_SECTORS;

/// What a stick is made from.
#[derive(Debug, Clone)]
pub struct StickSpec {
    /// The signed UKI.
    pub uki: PathBuf,
    /// The body's certificate.
    pub certificate: PathBuf,
    /// The body's encrypted key file.
    pub key: PathBuf,
    /// The authority's root public key (`authority.pub`), to check the certificate.
    pub root: PathBuf,
    /// If given: the Secure Boot db certificate that must have signed the UKI (`sbverify`).
    pub db_cert: Option<PathBuf>,
    /// The disk image to write (must not exist).
    pub out: PathBuf,
    /// The data partition's size in MiB.
    pub data_mib: u64,
    /// The time the certificate must not be expired at.
    pub now: Timestamp,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct StickReport {
    /// The body's certificate.
    pub certificate: Certificate,
    /// SHA-256 of the UKI, lowercase hex: the system identity shown at start.
    pub uki_sha256: String,
    /// Size of the UKI in bytes.
    pub uki_bytes: u64,
    /// The disk GUID.
    pub disk_guid: Guid,
    /// The ESP's partition GUID (its PARTUUID).
    pub esp_guid: Guid,
    /// The data partition's GUID (its PARTUUID).
    pub data_guid: Guid,
    /// The ext4 file-system UUID.
    pub ext4_uuid: Guid,
    /// The ESP's size in MiB.
    pub esp_mib: u64,
    /// The data partition's size in MiB.
    pub data_mib: u64,
    /// The disk image's size in bytes.
    pub disk_bytes: u64,
}

/// Why a stick cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum StickError {
    /// An input file cannot be read.
    #[error("{what} {path}: {why}")]
    Read {
        /// Which input.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        why: String,
    },
    /// The root public-key file is not one.
    #[error("root public key {path}: {why}")]
    Root {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The certificate does not parse or is not trusted.
    #[error("certificate {path}: {source}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: CertificateError,
    },
    /// The certificate is not a counting body's.
    #[error(
        "certificate {path}: role `{role}` ({identifier}); a certified stick is for a counting body: GSB, GSB-entry, HSB or CSB"
    )]
    NotABody {
        /// The file.
        path: PathBuf,
        /// Its role.
        role: Role,
        /// Its identifier.
        identifier: String,
    },
    /// The certificate's validity has ended.
    #[error("certificate {path} expired at {valid_until} (it is now {now})")]
    Expired {
        /// The file.
        path: PathBuf,
        /// Its last valid second.
        valid_until: Timestamp,
        /// The time checked at.
        now: Timestamp,
    },
    /// The key file is not an encrypted secret-key file.
    #[error("key {path}: not an encrypted tally secret-key file: {source}")]
    Key {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: KeyFileError,
    },
    /// The key file and the certificate do not belong together.
    #[error(
        "key {key} is for public key {key_fingerprint}, but certificate {certificate} is for {certificate_fingerprint}: they do not belong together"
    )]
    KeyMismatch {
        /// The key file.
        key: PathBuf,
        /// Fingerprint of its public key.
        key_fingerprint: String,
        /// The certificate file.
        certificate: PathBuf,
        /// Fingerprint of the certificate's public key.
        certificate_fingerprint: String,
    },
    /// The UKI is not a signed x86-64 EFI application.
    #[error("UKI {path}: {why}")]
    Uki {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The output exists already.
    #[error("{path} exists already; refusing to overwrite it")]
    OutputExists {
        /// The output.
        path: PathBuf,
    },
    /// The data partition size is out of range.
    #[error("data partition size {mib} MiB: must be {MIN_DATA_MIB} to {MAX_DATA_MIB} MiB")]
    DataSize {
        /// The size asked for.
        mib: u64,
    },
    /// A tool failed or is missing.
    #[error("{tool} failed ({status}){hint}: {stderr}")]
    Tool {
        /// The command line.
        tool: String,
        /// Its exit status, or "not started".
        status: String,
        /// Which Debian package provides it, if it did not start.
        hint: String,
        /// The end of its error output.
        stderr: String,
    },
    /// The partition table cannot be laid out.
    #[error("partition table: {0}")]
    Gpt(#[from] GptError),
    /// Writing the image failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StickError + '_ {
    move |source| StickError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_input(what: &'static str, path: &Path, limit: u64) -> Result<Vec<u8>, StickError> {
    read_regular_file(path, limit).map_err(|e| StickError::Read {
        what,
        path: path.to_path_buf(),
        why: e.to_string(),
    })
}

/// The inputs, checked.
struct Checked {
    certificate: Certificate,
    cert_bytes: Vec<u8>,
    key_bytes: Vec<u8>,
    uki_bytes: Vec<u8>,
}

/// Checks every input; reads each once.
fn check_inputs(spec: &StickSpec) -> Result<Checked, StickError> {
    if !(MIN_DATA_MIB..=MAX_DATA_MIB).contains(&spec.data_mib) {
        return Err(StickError::DataSize { mib: spec.data_mib });
    }
    if fs::symlink_metadata(&spec.out).is_ok() {
        return Err(StickError::OutputExists {
            path: spec.out.clone(),
        });
    }
    let root_bytes = read_input("root public key", &spec.root, 4096)?;
    let root = PublicKey::from_file_bytes(&root_bytes).map_err(|e| StickError::Root {
        path: spec.root.clone(),
        why: format!("{e} (expected tally-provision's authority.pub)"),
    })?;

    let cert_bytes = read_input(
        "certificate",
        &spec.certificate,
        tally_signing::certificate::MAX_CERTIFICATE_BYTES as u64,
    )?;
    let cert_err = |source| StickError::Certificate {
        path: spec.certificate.clone(),
        source,
    };
    let certificate = Certificate::parse(&cert_bytes).map_err(cert_err)?;
    certificate.verify(&root).map_err(cert_err)?;
    if !matches!(
        certificate.role(),
        Role::Gsb | Role::GsbEntry | Role::Hsb | Role::Csb
    ) {
        return Err(StickError::NotABody {
            path: spec.certificate.clone(),
            role: certificate.role(),
            identifier: certificate.identifier().to_string(),
        });
    }
    let valid_until = certificate.fields().valid_until;
    if valid_until < spec.now {
        return Err(StickError::Expired {
            path: spec.certificate.clone(),
            valid_until,
            now: spec.now,
        });
    }

    let key_bytes = read_input("key", &spec.key, 4096)?;
    let key_err = |source| StickError::Key {
        path: spec.key.clone(),
        source,
    };
    check_key_file(&key_bytes).map_err(key_err)?;
    let key_public = secret_key_file_public_key(&key_bytes).map_err(key_err)?;
    if &key_public != certificate.public_key() {
        return Err(StickError::KeyMismatch {
            key: spec.key.clone(),
            key_fingerprint: key_public.fingerprint().to_string(),
            certificate: spec.certificate.clone(),
            certificate_fingerprint: certificate.public_key().fingerprint().to_string(),
        });
    }

    let uki_bytes = read_input("UKI", &spec.uki, MAX_UKI_BYTES)?;
    check_pe(&uki_bytes).map_err(|why| StickError::Uki {
        path: spec.uki.clone(),
        why,
    })?;
    if let Some(db_cert) = &spec.db_cert {
        tool(
            Command::new("sbverify")
                .arg("--cert")
                .arg(db_cert)
                .arg(&spec.uki),
            "sbsigntool",
        )
        .map_err(|e| StickError::Uki {
            path: spec.uki.clone(),
            why: format!(
                "its signature does not verify with the db certificate {}: {e}",
                db_cert.display()
            ),
        })?;
    }
    Ok(Checked {
        certificate,
        cert_bytes,
        key_bytes,
        uki_bytes,
    })
}

/// Checks the whole key file's form without the passphrase: every field present, in order,
/// well formed, and Argon2id parameters between the floor and the maxima the appliance
/// accepts (decrypting with the empty passphrase parses everything and checks the
/// parameters, then stops, as no key file opens with it).
fn check_key_file(bytes: &[u8]) -> Result<(), KeyFileError> {
    match decrypt_secret_key(bytes, b"") {
        Ok(_) | Err(KeyFileError::WrongPassphrase | KeyFileError::EmptyPassphrase) => Ok(()),
        Err(e) => Err(e),
    }
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([*s.first()?, *s.get(1)?]))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([
        *s.first()?,
        *s.get(1)?,
        *s.get(2)?,
        *s.get(3)?,
    ]))
}

/// PE machine type x86-64.
const MACHINE_X64: u16 = 0x8664;
/// PE32+ optional header magic.
const PE32_PLUS: u16 = 0x20b;
/// Subsystem: EFI application.
const SUBSYSTEM_EFI_APPLICATION: u16 = 10;
/// WIN_CERTIFICATE revision 2.0.
const WIN_CERT_REVISION_2: u16 = 0x0200;
/// WIN_CERTIFICATE type PKCS#7 signed data (Authenticode).
const WIN_CERT_TYPE_PKCS_SIGNED_DATA: u16 = 0x0002;

/// Checks that `b` is a PE32+ x86-64 EFI application with an Authenticode signature in its
/// certificate table (PE/COFF specification, sections 3 and 5.7); says what is wrong.
pub fn check_pe(b: &[u8]) -> Result<(), String> {
    if b.get(..2) != Some(b"MZ") {
        return Err("not a PE file (no `MZ` header)".into());
    }
    let pe = le32(b, 0x3c)
        .and_then(|o| usize::try_from(o).ok())
        .ok_or("not a PE file (truncated DOS header)")?;
    if pe.checked_add(4).and_then(|e| b.get(pe..e)) != Some(b"PE\0\0") {
        return Err("not a PE file (no `PE` signature)".into());
    }
    let coff = pe + 4;
    let machine = le16(b, coff).ok_or("truncated COFF header")?;
    if machine != MACHINE_X64 {
        return Err(format!(
            "built for machine 0x{machine:04x}, not x86-64 (0x{MACHINE_X64:04x})"
        ));
    }
    let opt = coff + 20;
    let magic = le16(b, opt).ok_or("truncated optional header")?;
    if magic != PE32_PLUS {
        return Err(format!(
            "optional header magic 0x{magic:03x}, not PE32+ (0x{PE32_PLUS:03x})"
        ));
    }
    let subsystem = le16(b, opt + 68).ok_or("truncated optional header")?;
    if subsystem != SUBSYSTEM_EFI_APPLICATION {
        return Err(format!(
            "subsystem {subsystem}, not an EFI application ({SUBSYSTEM_EFI_APPLICATION})"
        ));
    }
    let dirs = le32(b, opt + 108).ok_or("truncated optional header")?;
    let unsigned = || {
        "carries no Authenticode signature: it is not signed for Secure Boot (sign it with the db key; `tally-image build` does)".to_string()
    };
    if dirs < 5 {
        return Err(unsigned());
    }
    let (offset, size) = (
        le32(b, opt + 144).ok_or("truncated data directories")?,
        le32(b, opt + 148).ok_or("truncated data directories")?,
    );
    if offset == 0 || size == 0 {
        return Err(unsigned());
    }
    let start = usize::try_from(offset).map_err(|_| "certificate table out of range")?;
    let end = usize::try_from(size)
        .ok()
        .and_then(|s| start.checked_add(s))
        .filter(|&e| e <= b.len())
        .ok_or_else(|| {
            format!(
                "the certificate table (offset {offset}, {size} bytes) runs past the end of the file ({} bytes)",
                b.len()
            )
        })?;
    let table = b.get(start..end).ok_or("certificate table out of range")?;
    let (revision, kind) = (le16(table, 4), le16(table, 6));
    if revision != Some(WIN_CERT_REVISION_2) || kind != Some(WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
        return Err(format!(
            "the certificate table holds no Authenticode signature (revision {revision:?}, type {kind:?})"
        ));
    }
    Ok(())
}

/// Runs a tool; `package` is named when it cannot be started.
fn tool(cmd: &mut Command, package: &str) -> Result<std::process::Output, StickError> {
    tally_image::build::run_tool(cmd).map_err(|f| match f.status {
        None => StickError::Tool {
            tool: f.tool,
            status: "not started".into(),
            hint: format!("; it comes with the Debian package {package}"),
            stderr: f.stderr,
        },
        Some(status) => StickError::Tool {
            status: status.to_string(),
            hint: String::new(),
            stderr: f.stderr_tail().trim().to_string(),
            tool: f.tool,
        },
    })
}

/// The time stamped on everything: `SOURCE_DATE_EPOCH`, else [`DEFAULT_EPOCH`].
pub fn epoch() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|e| e.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_EPOCH)
}

/// 16 bytes derived from the inputs for one purpose.
fn derive(seed: &[u8; 32], purpose: &str) -> [u8; 16] {
    let h = Sha256::new()
        .chain_update(seed)
        .chain_update(purpose.as_bytes())
        .finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(h.get(..16).unwrap_or(&[0; 16]));
    out
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), StickError> {
    fs::write(path, bytes).map_err(io(path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io(path))
}

fn make_esp(
    dir: &Path,
    uki: &[u8],
    esp_mib: u64,
    volid: u32,
    epoch: u64,
) -> Result<PathBuf, StickError> {
    let uki_path = dir.join("BOOTX64.EFI");
    write_file(&uki_path, uki, 0o644)?;
    let esp = dir.join("esp.img");
    let kib = esp_mib * 1024;
    tool(
        Command::new("mkfs.vfat")
            .env("SOURCE_DATE_EPOCH", epoch.to_string())
            .args(["-C", "--invariant", "-F", "32", "-n", ESP_LABEL])
            .args(["-h", &ESP_FIRST_LBA.to_string()])
            .args(["-i", &format!("{volid:08x}")])
            .arg(&esp)
            .arg(kib.to_string()),
        "dosfstools",
    )?;
    tool(
        Command::new("mmd")
            .env("SOURCE_DATE_EPOCH", epoch.to_string())
            .arg("-i")
            .arg(&esp)
            .args(["::/EFI", "::/EFI/BOOT"]),
        "mtools",
    )?;
    tool(
        Command::new("mcopy")
            .env("SOURCE_DATE_EPOCH", epoch.to_string())
            .arg("-i")
            .arg(&esp)
            .arg(&uki_path)
            .arg("::/EFI/BOOT/BOOTX64.EFI"),
        "mtools",
    )?;
    Ok(esp)
}

fn make_data(
    dir: &Path,
    checked: &Checked,
    data_mib: u64,
    uuid: Guid,
    hash_seed: Guid,
    epoch: u64,
) -> Result<PathBuf, StickError> {
    let content = dir.join("data");
    fs::create_dir(&content).map_err(io(&content))?;
    fs::set_permissions(&content, fs::Permissions::from_mode(0o755)).map_err(io(&content))?;
    write_file(&content.join("body.cert"), &checked.cert_bytes, 0o644)?;
    write_file(&content.join("body.key"), &checked.key_bytes, 0o600)?;
    let img = dir.join("data.img");
    let f = File::create(&img).map_err(io(&img))?;
    f.set_len(data_mib * MIB).map_err(io(&img))?;
    drop(f);
    tool(
        Command::new("mkfs.ext4")
            .env("E2FSPROGS_FAKE_TIME", epoch.to_string())
            .env("SOURCE_DATE_EPOCH", epoch.to_string())
            .args(["-q", "-F", "-b", "4096", "-I", "256", "-m", "0"])
            .args(["-L", DATA_LABEL])
            .args(["-U", &uuid.to_string()])
            .arg("-E")
            .arg(format!(
                "root_owner=0:0,hash_seed={hash_seed},lazy_itable_init=0,lazy_journal_init=0,nodiscard"
            ))
            .arg("-d")
            .arg(&content)
            .arg(&img),
        "e2fsprogs",
    )?;
    // `mkfs.ext4 -d` copies owners, modes and times from the staged files; set them to fixed
    // values so that the image depends only on the inputs.
    let mut cmds = String::new();
    for (path, mode) in [
        ("/", "040755"),
        ("/lost+found", "040700"),
        ("/body.cert", "0100644"),
        ("/body.key", "0100600"),
    ] {
        for field in ["atime", "mtime", "ctime", "crtime"] {
            cmds.push_str(&format!("sif {path} {field} @{epoch}\n"));
        }
        cmds.push_str(&format!(
            "sif {path} uid 0\nsif {path} gid 0\nsif {path} mode {mode}\n"
        ));
    }
    let cmd_file = dir.join("debugfs.cmds");
    write_file(&cmd_file, cmds.as_bytes(), 0o600)?;
    let out = tool(
        Command::new("debugfs")
            .env("E2FSPROGS_FAKE_TIME", epoch.to_string())
            .arg("-w")
            .arg("-f")
            .arg(&cmd_file)
            .arg(&img),
        "e2fsprogs",
    )?;
    // debugfs exits 0 even when a command fails; anything on stderr but its banner is a failure.
    let err = String::from_utf8_lossy(&out.stderr);
    let complaints: Vec<&str> = err
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("debugfs "))
        .collect();
    if !complaints.is_empty() {
        return Err(StickError::Tool {
            tool: "debugfs -w (setting owners, modes and times)".into(),
            status: "command failed".into(),
            hint: String::new(),
            stderr: complaints.join("; "),
        });
    }
    Ok(img)
}

/// Copies `src` into `dst` at byte `at`, leaving all-zero blocks unwritten (the image file is
/// created full of zeros, so it stays sparse).
fn copy_into(src: &Path, dst: &mut File, dst_path: &Path, at: u64) -> Result<(), StickError> {
    let mut f = File::open(src).map_err(io(src))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut pos = at;
    loop {
        let n = f.read(&mut buf).map_err(io(src))?;
        if n == 0 {
            return Ok(());
        }
        let chunk = buf.get(..n).unwrap_or_default();
        if chunk.iter().any(|&b| b != 0) {
            dst.seek(SeekFrom::Start(pos)).map_err(io(dst_path))?;
            dst.write_all(chunk).map_err(io(dst_path))?;
        }
        pos += n as u64;
    }
}

/// Checks the inputs and writes the stick's disk image to `spec.out`.
pub fn make_stick(spec: &StickSpec) -> Result<StickReport, StickError> {
    let checked = check_inputs(spec)?;
    let epoch = epoch();
    let uki_sha = Sha256::digest(&checked.uki_bytes);
    let seed: [u8; 32] = Sha256::new()
        .chain_update(b"tally-provision stick v1\0")
        .chain_update(uki_sha)
        .chain_update(Sha256::digest(&checked.cert_bytes))
        .chain_update(Sha256::digest(&checked.key_bytes))
        .chain_update(spec.data_mib.to_le_bytes())
        .finalize()
        .into();
    let disk_guid = Guid::from_hash(derive(&seed, "disk"));
    let esp_guid = Guid::from_hash(derive(&seed, "esp"));
    let data_guid = Guid::from_hash(derive(&seed, "data"));
    let ext4_uuid = Guid::from_hash(derive(&seed, "ext4"));
    let ext4_hash_seed = Guid::from_hash(derive(&seed, "ext4-hash-seed"));
    let fat = derive(&seed, "fat-volume-id");
    let volid = u32::from_le_bytes([fat[0], fat[1], fat[2], fat[3]]);

    let uki_len = checked.uki_bytes.len() as u64;
    let esp_mib = (uki_len.div_ceil(MIB) + ESP_SLACK_MIB).max(MIN_ESP_MIB);
    let esp_sectors = esp_mib * MIB_SECTORS;
    let data_first = ESP_FIRST_LBA + esp_sectors;
    let data_sectors = spec.data_mib * MIB_SECTORS;
    let total_sectors = data_first + data_sectors + ALIGN_SECTORS;
    let table = gpt::write(
        disk_guid,
        total_sectors,
        &[
            Partition {
                type_guid: gpt::TYPE_ESP,
                guid: esp_guid,
                first_lba: ESP_FIRST_LBA,
                sectors: esp_sectors,
                name: ESP_NAME,
            },
            Partition {
                type_guid: gpt::TYPE_LINUX_FS,
                guid: data_guid,
                first_lba: data_first,
                sectors: data_sectors,
                name: DATA_NAME,
            },
        ],
    )?;

    // Build beside the output, so that the finished image is linked into place atomically.
    let parent = match spec.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let work = tempfile::Builder::new()
        .prefix(".tally-stick-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    fs::set_permissions(work.path(), fs::Permissions::from_mode(0o700)).map_err(io(work.path()))?;
    let esp = make_esp(work.path(), &checked.uki_bytes, esp_mib, volid, epoch)?;
    let data = make_data(
        work.path(),
        &checked,
        spec.data_mib,
        ext4_uuid,
        ext4_hash_seed,
        epoch,
    )?;

    let disk_path = work.path().join("disk.img");
    let disk_bytes = total_sectors * SECTOR;
    let mut disk = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&disk_path)
        .map_err(io(&disk_path))?;
    fs::set_permissions(&disk_path, fs::Permissions::from_mode(0o600)).map_err(io(&disk_path))?;
    disk.set_len(disk_bytes).map_err(io(&disk_path))?;
    disk.write_all(&table.head).map_err(io(&disk_path))?;
    copy_into(&esp, &mut disk, &disk_path, ESP_FIRST_LBA * SECTOR)?;
    copy_into(&data, &mut disk, &disk_path, data_first * SECTOR)?;
    disk.seek(SeekFrom::Start(disk_bytes - table.tail.len() as u64))
        .map_err(io(&disk_path))?;
    disk.write_all(&table.tail).map_err(io(&disk_path))?;
    disk.sync_all().map_err(io(&disk_path))?;
    drop(disk);
    // A hard link never replaces an existing file.
    fs::hard_link(&disk_path, &spec.out).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            StickError::OutputExists {
                path: spec.out.clone(),
            }
        } else {
            StickError::Io {
                path: spec.out.clone(),
                source: e,
            }
        }
    })?;
    drop(work);

    Ok(StickReport {
        certificate: checked.certificate,
        uki_sha256: hex_lower(&uki_sha),
        uki_bytes: uki_len,
        disk_guid,
        esp_guid,
        data_guid,
        ext4_uuid,
        esp_mib,
        data_mib: spec.data_mib,
        disk_bytes,
    })
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pe_checks() {
        assert!(check_pe(b"").unwrap_err().contains("no `MZ` header"));
        let mut b = vec![0u8; 0x200];
        b[..2].copy_from_slice(b"MZ");
        b[0x3c] = 0x80;
        assert!(check_pe(&b).unwrap_err().contains("no `PE` signature"));
        b[0x80..0x84].copy_from_slice(b"PE\0\0");
        b[0x84..0x86].copy_from_slice(&0x014cu16.to_le_bytes());
        assert!(check_pe(&b).unwrap_err().contains("machine 0x014c"));
        b[0x84..0x86].copy_from_slice(&MACHINE_X64.to_le_bytes());
        let opt = 0x84 + 20;
        b[opt..opt + 2].copy_from_slice(&0x10bu16.to_le_bytes());
        assert!(check_pe(&b).unwrap_err().contains("not PE32+"));
        b[opt..opt + 2].copy_from_slice(&PE32_PLUS.to_le_bytes());
        b[opt + 68] = 3;
        assert!(check_pe(&b).unwrap_err().contains("subsystem 3"));
        b[opt + 68] = 10;
        b[opt + 108] = 16;
        assert!(
            check_pe(&b)
                .unwrap_err()
                .contains("no Authenticode signature")
        );
        b[opt + 144..opt + 148].copy_from_slice(&0x180u32.to_le_bytes());
        b[opt + 148..opt + 152].copy_from_slice(&0x100u32.to_le_bytes());
        assert!(check_pe(&b).unwrap_err().contains("runs past the end"));
        b[opt + 148..opt + 152].copy_from_slice(&0x80u32.to_le_bytes());
        assert!(
            check_pe(&b)
                .unwrap_err()
                .contains("holds no Authenticode signature")
        );
        b[0x184..0x186].copy_from_slice(&0x0200u16.to_le_bytes());
        b[0x186..0x188].copy_from_slice(&0x0002u16.to_le_bytes());
        assert_eq!(check_pe(&b), Ok(()));
    }
}
