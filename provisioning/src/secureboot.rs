//! The appliance's own Secure Boot keys and what an official needs to enroll them on a PC
//! (`tally-provision secure-boot-keys`).
//!
//! The key pairs are made by `tally-image`'s [`tally_image::keys::create_secure_boot_keys`]
//! (openssl, RSA 2048, SHA-256, self-signed): the same files `tally-image build` signs with and
//! `tally-image ovmf-vars` enrolls. Next to them this writes, for each of PK, KEK and db:
//! - `<name>.cer`: the certificate in DER, which most firmware setup screens accept for
//!   "enroll from file";
//! - `<name>.esl`: an EFI signature list holding it (efitools' `cert-to-efi-sig-list`);
//! - `<name>.auth`: that list signed for an authenticated variable write (efitools'
//!   `sign-efi-sig-list`): PK and KEK by PK, db by KEK, as the UEFI specification requires;
//!
//! and `noPK.auth`, an empty PK signed by PK, which puts the firmware back into setup mode when
//! the keys are to be replaced.
//!
//! The private keys never reach the output folder in the clear: the key pairs are made, and the
//! `.auth` files signed, in a private temporary folder (0700, on `/dev/shm` where there is one:
//! [`tally_image::keys::PrivateDir`], overwritten and removed afterwards); the `.key` files
//! written are sealed with the authority's passphrase ([`tally_image::keys::seal_private_key`]:
//! Argon2id, at least 64 MiB and 3 passes, and XChaCha20-Poly1305, as every other key file).
//! `tally-image build` asks for that passphrase to sign the image with `db.key`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use tally_image::keys::{
    OWNER_GUID, PrivateDir, SealedKeyError, SecureBootKeys, create_secure_boot_keys,
    write_sealed_private_key,
};
use tally_signing::KdfParams;
use zeroize::Zeroizing;

/// Checks what [`withdraw_images`] needs before a passphrase is asked for: the tools, the KEK
/// files, the images, and that the update's files do not exist yet.
pub fn withdraw_preflight(
    keys_dir: &Path,
    images: &[PathBuf],
    out_stem: &Path,
) -> Result<(), SecureBootError> {
    for (program, package) in [
        ("hash-to-efi-sig-list", "efitools"),
        ("sign-efi-sig-list", "efitools"),
    ] {
        if !on_path(program) {
            return Err(SecureBootError::MissingTool {
                tool: program,
                package,
            });
        }
    }
    for path in [keys_dir.join("KEK.key"), keys_dir.join("KEK.crt")] {
        fs::metadata(&path).map_err(|source| SecureBootError::Io { path, source })?;
    }
    for image in images {
        tally_image::keys::check_signed_efi_file(image).map_err(|source| SecureBootError::Io {
            path: image.clone(),
            source,
        })?;
    }
    for path in ["esl", "auth"].map(|e| tally_image::keys::with_added_extension(out_stem, e)) {
        if fs::symlink_metadata(&path).is_ok() {
            return Err(SecureBootError::Exists { path });
        }
    }
    Ok(())
}

/// Makes the `dbx` update that withdraws signed `images` (`<out_stem>.esl` and
/// `<out_stem>.auth`): their Authenticode SHA-256 hashes, signed by the KEK in `keys_dir`
/// (`KEK.key`, opened with `passphrase` into a private temporary file for `sign-efi-sig-list`
/// alone; `KEK.crt`) for an append write, so what `dbx` holds already stays. See
/// [`tally_image::keys::dbx_update`] and `docs/image.md` ("Withdrawing an image").
pub fn withdraw_images(
    keys_dir: &Path,
    images: &[PathBuf],
    passphrase: &[u8],
    out_stem: &Path,
) -> Result<tally_image::keys::DbxUpdate, SecureBootError> {
    // The images and the outputs are checked again by `dbx_update`; the command line runs
    // `withdraw_preflight` before it asks for the passphrase.
    let kek = keys_dir.join("KEK.key");
    let pem = tally_image::keys::read_sealed_private_key(&kek, passphrase)
        .map_err(|source| SecureBootError::OpenKey { path: kek, source })?;
    let key = tally_image::keys::PrivateKeyFile::new(&pem)?;
    let images: Vec<&Path> = images.iter().map(PathBuf::as_path).collect();
    tally_image::keys::dbx_update(&images, key.path(), &keys_dir.join("KEK.crt"), out_stem)
        .map_err(SecureBootError::Dbx)
}

/// The names of the three keys, in the order they are made.
pub const KEY_NAMES: [&str; 3] = ["PK", "KEK", "db"];

/// Why the keys cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum SecureBootError {
    /// A file that would be written exists already.
    #[error("{path} exists already; refusing to overwrite Secure Boot keys")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A tool is not installed.
    #[error("`{tool}` is not installed (Debian package {package}); nothing was written")]
    MissingTool {
        /// The program.
        tool: &'static str,
        /// Its Debian package.
        package: &'static str,
    },
    /// Making the key pairs failed.
    #[error("creating the key pairs: {0}")]
    Keys(#[from] tally_image::build::BuildError),
    /// A tool failed.
    #[error("{tool} failed ({status}): {stderr}")]
    Tool {
        /// The command line.
        tool: String,
        /// Its exit status, or "not started".
        status: String,
        /// Its error output.
        stderr: String,
    },
    /// Making the `dbx` update failed.
    #[error("making the dbx update: {0}")]
    Dbx(tally_image::build::BuildError),
    /// The sealed KEK cannot be opened (wrong passphrase, altered file).
    #[error("{path}: {source}; nothing was written")]
    OpenKey {
        /// The key file.
        path: PathBuf,
        /// Why.
        source: SealedKeyError,
    },
    /// A private key could not be sealed (or the private temporary folder not made).
    #[error("sealing the private keys: {0}")]
    Seal(#[from] SealedKeyError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// One key's files and its certificate's SHA-256 (of the DER), as firmware setup may show it.
#[derive(Debug, Clone)]
pub struct KeyFiles {
    /// `PK`, `KEK` or `db`.
    pub name: &'static str,
    /// The private key, sealed with the authority's passphrase (keep it offline all the same).
    pub key: PathBuf,
    /// The certificate (PEM).
    pub crt: PathBuf,
    /// The certificate (DER).
    pub cer: PathBuf,
    /// The EFI signature list.
    pub esl: PathBuf,
    /// The signed EFI signature list.
    pub auth: PathBuf,
    /// SHA-256 of the DER certificate, lowercase hex.
    pub cer_sha256: String,
}

/// The files written.
#[derive(Debug, Clone)]
pub struct SecureBootFiles {
    /// PK, KEK, db.
    pub keys: Vec<KeyFiles>,
    /// The empty PK signed by PK (back to setup mode).
    pub no_pk_auth: PathBuf,
}

fn tool(cmd: &mut Command) -> Result<(), SecureBootError> {
    tally_image::build::run_tool(cmd)
        .map(drop)
        .map_err(|f| SecureBootError::Tool {
            status: f.status_text(),
            stderr: match f.status {
                None => f.stderr,
                Some(_) => f.stderr.trim().to_string(),
            },
            tool: f.tool,
        })
}

/// Whether `program` is an executable file in one of `PATH`'s folders.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// Every file [`create`] writes into `dir`.
pub fn output_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = KEY_NAMES
        .iter()
        .flat_map(|n| {
            ["key", "crt", "cer", "esl", "auth"].map(|ext| dir.join(format!("{n}.{ext}")))
        })
        .collect();
    files.push(dir.join("noPK.auth"));
    files
}

/// What [`create`] refuses before anything is written (and before a passphrase is asked for):
/// a missing tool, or one of the files existing already.
pub fn preflight(dir: &Path) -> Result<(), SecureBootError> {
    for (program, package) in [
        ("openssl", "openssl"),
        ("cert-to-efi-sig-list", "efitools"),
        ("sign-efi-sig-list", "efitools"),
    ] {
        if !on_path(program) {
            return Err(SecureBootError::MissingTool {
                tool: program,
                package,
            });
        }
    }
    for path in output_files(dir) {
        if fs::symlink_metadata(&path).is_ok() {
            return Err(SecureBootError::Exists { path });
        }
    }
    Ok(())
}

/// Makes PK, KEK and db in `dir` (created if missing) with their `.cer`, `.esl` and `.auth`
/// files and `noPK.auth`; the private keys are written sealed under `passphrase` with the
/// Argon2id parameters `params` (at least [`KdfParams::FLOOR`]). Refuses, before writing
/// anything, when a tool is missing, one of the files exists or the parameters are below the
/// floor.
pub fn create(
    dir: &Path,
    name: &str,
    days: u32,
    passphrase: &[u8],
    params: KdfParams,
) -> Result<SecureBootFiles, SecureBootError> {
    preflight(dir)?;
    params.check().map_err(SealedKeyError::from)?;
    // The key pairs in the clear only in a private temporary folder (memory where possible).
    let work = PrivateDir::new()?;
    let pairs: SecureBootKeys = create_secure_boot_keys(work.path(), name, days)?;
    fs::create_dir_all(dir).map_err(|source| SecureBootError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut keys = Vec::new();
    for (n, pair) in KEY_NAMES
        .into_iter()
        .zip([&pairs.pk, &pairs.kek, &pairs.db])
    {
        let read = |path: &Path| {
            fs::read(path).map_err(|source| SecureBootError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        let key = dir.join(format!("{n}.key"));
        let pem = Zeroizing::new(read(&pair.key)?);
        write_sealed_private_key(&key, &pem, passphrase, params)?;
        let crt = dir.join(format!("{n}.crt"));
        tally_signing::keys::write_new_file(&crt, &read(&pair.cert)?, 0o644).map_err(|source| {
            SecureBootError::Io {
                path: crt.clone(),
                source,
            }
        })?;
        let cer = dir.join(format!("{n}.cer"));
        let esl = dir.join(format!("{n}.esl"));
        tool(
            Command::new("openssl")
                .args(["x509", "-outform", "DER", "-in"])
                .arg(&crt)
                .arg("-out")
                .arg(&cer),
        )?;
        tool(
            Command::new("cert-to-efi-sig-list")
                .args(["-g", OWNER_GUID])
                .arg(&crt)
                .arg(&esl),
        )?;
        let der = fs::read(&cer).map_err(|source| SecureBootError::Io {
            path: cer.clone(),
            source,
        })?;
        keys.push(KeyFiles {
            name: n,
            key,
            crt,
            cer,
            esl,
            auth: dir.join(format!("{n}.auth")),
            cer_sha256: Sha256::digest(&der)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        });
    }
    // PK is signed by itself, KEK by PK, db by KEK.
    for (var, signer) in [("PK", &pairs.pk), ("KEK", &pairs.pk), ("db", &pairs.kek)] {
        tool(
            Command::new("sign-efi-sig-list")
                .args(["-g", OWNER_GUID, "-k"])
                .arg(&signer.key)
                .arg("-c")
                .arg(&signer.cert)
                .arg(var)
                .arg(dir.join(format!("{var}.esl")))
                .arg(dir.join(format!("{var}.auth"))),
        )?;
    }
    let no_pk_auth = dir.join("noPK.auth");
    tool(
        Command::new("sign-efi-sig-list")
            .args(["-g", OWNER_GUID, "-k"])
            .arg(&pairs.pk.key)
            .arg("-c")
            .arg(&pairs.pk.cert)
            .arg("PK")
            .arg("/dev/null")
            .arg(&no_pk_auth),
    )?;
    // sign-efi-sig-list makes its output 0600; the signed lists are public, like the certificates.
    for auth in keys.iter().map(|k| &k.auth).chain([&no_pk_auth]) {
        fs::set_permissions(auth, fs::Permissions::from_mode(0o644)).map_err(|source| {
            SecureBootError::Io {
                path: auth.clone(),
                source,
            }
        })?;
    }
    Ok(SecureBootFiles { keys, no_pk_auth })
}
