//! Secure Boot keys and a firmware variable store with them enrolled.
//!
//! The appliance's firmware trusts only the project's own keys: PK (platform key), KEK (key
//! exchange key) and db (the key that signs the image). [`create_secure_boot_keys`] makes them
//! as self-signed X.509 certificates with `openssl` (RSA 2048 and SHA-256, what UEFI firmware
//! supports everywhere); the provisioning tool calls it. [`enroll_ovmf_vars`] writes an OVMF
//! variable store with them enrolled and Secure Boot on (`virt-fw-vars` from PyPI's
//! `virt-firmware`), for QEMU.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::build::{BuildError, create_dir_all, run};

/// The owner GUID recorded with the enrolled certificates (the project's own, fixed).
pub const OWNER_GUID: &str = "7a11e7a1-6e5c-4b0a-9a1d-7a11e7a10001";

/// OVMF's variable store template (Debian package `ovmf`, 4 MB flash layout).
pub const OVMF_VARS_TEMPLATE: &str = "/usr/share/OVMF/OVMF_VARS_4M.fd";

/// OVMF's firmware with Secure Boot and SMM (Debian package `ovmf`).
pub const OVMF_CODE_SECBOOT: &str = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd";

/// A key pair on disk: private key and certificate, both PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// The private key (PEM, unencrypted: keep it on the provisioning machine only).
    pub key: PathBuf,
    /// The self-signed certificate (PEM).
    pub cert: PathBuf,
}

/// The three Secure Boot keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecureBootKeys {
    /// Platform key.
    pub pk: KeyPair,
    /// Key exchange key.
    pub kek: KeyPair,
    /// Signature database key: signs the image.
    pub db: KeyPair,
}

impl SecureBootKeys {
    /// The key files in `dir` as [`create_secure_boot_keys`] names them.
    pub fn in_dir(dir: &Path) -> SecureBootKeys {
        let pair = |n: &str| KeyPair {
            key: dir.join(format!("{n}.key")),
            cert: dir.join(format!("{n}.crt")),
        };
        SecureBootKeys {
            pk: pair("PK"),
            kek: pair("KEK"),
            db: pair("db"),
        }
    }
}

/// Creates PK, KEK and db in `dir` (`PK.key`, `PK.crt`, ...), named "`<name>` PK" and so on,
/// valid for `days` days. Overwrites existing files.
pub fn create_secure_boot_keys(
    dir: &Path,
    name: &str,
    days: u32,
) -> Result<SecureBootKeys, BuildError> {
    create_dir_all(dir)?;
    let keys = SecureBootKeys::in_dir(dir);
    for (role, pair) in [("PK", &keys.pk), ("KEK", &keys.kek), ("db", &keys.db)] {
        // The subject goes in as one argument; keep it to characters openssl takes literally.
        let cn: String = format!("{name} {role}")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
            .collect();
        run(Command::new("openssl")
            .args([
                "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
            ])
            .args(["-days", &days.to_string()])
            .args(["-subj", &format!("/CN={cn}/")])
            .arg("-keyout")
            .arg(&pair.key)
            .arg("-out")
            .arg(&pair.cert))?;
    }
    Ok(keys)
}

/// Writes an OVMF variable store (from `template`) with PK, KEK and db enrolled and Secure Boot
/// enabled, to `out`.
pub fn enroll_ovmf_vars(
    keys: &SecureBootKeys,
    template: &Path,
    out: &Path,
) -> Result<(), BuildError> {
    run(Command::new("virt-fw-vars")
        .arg("--input")
        .arg(template)
        .arg("--output")
        .arg(out)
        .arg("--set-pk")
        .arg(OWNER_GUID)
        .arg(&keys.pk.cert)
        .arg("--add-kek")
        .arg(OWNER_GUID)
        .arg(&keys.kek.cert)
        .arg("--add-db")
        .arg(OWNER_GUID)
        .arg(&keys.db.cert)
        .arg("--secure-boot"))?;
    Ok(())
}
