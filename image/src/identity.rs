//! The identity of the image that booted: which file the firmware loaded, from which partition,
//! through which stub — read from the variables systemd-stub sets (systemd's boot loader
//! interface, vendor GUID `4a67b082-…`) — and the version and source commit built into the image
//! (`/etc/os-release`).
//!
//! The init ([`crate::init`]) reads the raw variables from efivarfs and the partition table from
//! the disk; this module only parses and checks them. Every value is outside data (the firmware's
//! and the stub's, but read through the kernel from NVRAM anyone with firmware access might have
//! written): bounded, checked, and refused with the reason when it does not fit. A refusal stops
//! the count from starting — an identity that cannot be determined is not shown as one.
//!
//! - `LoaderImageIdentifier`: the stub writes the text form of the loaded image's file path,
//!   `\EFI\BOOT\BOOTX64.EFI`, unless a boot loader before it already wrote its own.
//! - `LoaderDevicePartUUID`: the unique GUID of the GPT partition the image came from.
//! - `StubInfo`: `systemd-stub <version>`, always written by the stub.
//! - `LoaderInfo`: written only by a boot loader (systemd-boot); when present the image
//!   identifier names that loader, not the UKI, so the identity is refused.
//!
//! Each variable as efivarfs shows it: 4 bytes of attributes, then the value; the strings are
//! UTF-16LE with a terminating NUL.

use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

/// The vendor GUID of systemd's boot loader interface.
pub const LOADER_GUID: &str = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

/// The file path of the image loaded, relative to its partition (efivarfs name).
pub const LOADER_IMAGE_IDENTIFIER: &str =
    "LoaderImageIdentifier-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

/// The stub's name and version (efivarfs name).
pub const STUB_INFO: &str = "StubInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

/// A boot loader's name and version, set only when one ran before the stub (efivarfs name).
pub const LOADER_INFO: &str = "LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";

/// The most bytes of a variable read (attributes included). The longest legitimate value, a
/// path of [`MAX_PATH_CHARS`] characters with its NUL, takes 4 + 2 × 513 bytes.
pub const MAX_VARIABLE_BYTES: usize = 4096;

/// The longest image path accepted, in characters.
pub const MAX_PATH_CHARS: usize = 512;

/// The longest path component accepted (FAT's long-name limit).
pub const MAX_COMPONENT_CHARS: usize = 255;

/// The most path components accepted.
pub const MAX_COMPONENTS: usize = 16;

/// The raw variables as read from efivarfs (`None`: absent). The init reads them; a value longer
/// than [`MAX_VARIABLE_BYTES`] is passed on as read (cut after one byte more) and refused here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoaderVariables {
    /// `LoaderDevicePartUUID`.
    pub device_part_uuid: Option<Vec<u8>>,
    /// `LoaderImageIdentifier`.
    pub image_identifier: Option<Vec<u8>>,
    /// `StubInfo`.
    pub stub_info: Option<Vec<u8>>,
    /// `LoaderInfo`.
    pub loader_info: Option<Vec<u8>>,
}

/// What was booted: the image's path on its partition, the partition, the stub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootedImage {
    /// The unique GUID of the partition the image was loaded from (upper-case text).
    pub partition: String,
    /// The image's path as the firmware named it (`\EFI\OLD\TALLY.EFI`).
    pub path: String,
    /// The path's components (`["EFI", "OLD", "TALLY.EFI"]`).
    pub components: Vec<String>,
    /// The stub (`systemd-stub 252.39-1~deb12u2`).
    pub stub: String,
}

impl BootedImage {
    /// The image's path below the directory where its partition is mounted.
    pub fn under(&self, mount: &Path) -> PathBuf {
        let mut p = mount.to_path_buf();
        for c in &self.components {
            p.push(c);
        }
        p
    }
}

/// Why the identity of the booted image cannot be determined. Said on the terminal in Dutch and
/// English (the init does not know the language chosen).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// A variable the stub sets is absent.
    #[error(
        "de firmware geeft {0} niet: niet vast te stellen welk programma is gestart / the firmware does not give {0}: which image was started cannot be determined"
    )]
    Missing(&'static str),
    /// A variable's value is malformed.
    #[error("firmwarevariabele {name} is ongeldig / firmware variable {name} is malformed: {why}")]
    BadVariable {
        /// The variable.
        name: &'static str,
        /// What is wrong.
        why: &'static str,
    },
    /// The image path is not an acceptable path on the ESP.
    #[error("opstartpad {path:?} is ongeldig / boot path {path:?} is not acceptable: {why}")]
    BadPath {
        /// The path as given (made printable).
        path: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A boot loader ran before the stub: the image identifier names it, not the UKI.
    #[error(
        "gestart via een bootloader ({0}), niet rechtstreeks door de firmware / started through a boot loader ({0}), not directly by the firmware"
    )]
    BootLoader(String),
    /// The stub is not systemd-stub.
    #[error("onbekende stub {0:?} / unknown stub {0:?}")]
    UnknownStub(String),
    /// The partition the variable names is not on the boot disk.
    #[error("de opstartpartitie {0} is niet gevonden / the boot partition {0} was not found")]
    PartitionNotFound(String),
    /// The image file is not on the partition (or is not a regular file).
    #[error(
        "het gestarte programma {path} staat niet op de opstartpartitie / the started image {path} is not on the boot partition: {why}"
    )]
    FileMissing {
        /// The image's path.
        path: String,
        /// What the file system said.
        why: String,
    },
    /// `/etc/os-release` lacks the version or the source commit.
    #[error(
        "versie of broncommit ontbreekt in het image / version or source commit missing in the image: {0}"
    )]
    Release(&'static str),
}

/// The string value of an EFI variable as efivarfs shows it: 4 bytes of attributes, then
/// UTF-16LE code units ending in exactly one NUL. Refuses an odd length, a missing or early NUL,
/// invalid UTF-16, control characters and values over [`MAX_VARIABLE_BYTES`].
pub fn efi_string(name: &'static str, bytes: &[u8]) -> Result<String, IdentityError> {
    let bad = |why| IdentityError::BadVariable { name, why };
    if bytes.len() > MAX_VARIABLE_BYTES {
        return Err(bad("too long"));
    }
    let value = bytes.get(4..).ok_or(bad("shorter than its attributes"))?;
    if value.len() % 2 != 0 {
        return Err(bad("odd number of bytes for UTF-16"));
    }
    let units: Vec<u16> = value
        .chunks_exact(2)
        .map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .collect();
    let (last, text) = units.split_last().ok_or(bad("empty"))?;
    if *last != 0 {
        return Err(bad("no terminating NUL"));
    }
    if text.contains(&0) {
        return Err(bad("NUL inside the text"));
    }
    if text.is_empty() {
        return Err(bad("empty"));
    }
    let s = String::from_utf16(text).map_err(|_| bad("not valid UTF-16"))?;
    if s.chars().any(char::is_control) {
        return Err(bad("control character"));
    }
    Ok(s)
}

/// The printable form of an untrusted text for a message (at most 80 characters).
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The components of an image path on the ESP as the stub writes it: absolute, `\`-separated
/// (`\EFI\OLD\TALLY.EFI`). Refused: a relative path, forward slashes (a device path of several
/// nodes, or a path from elsewhere), empty components, `.` and `..`, the characters FAT does not
/// allow in a name, paths over [`MAX_PATH_CHARS`], components over [`MAX_COMPONENT_CHARS`], more
/// than [`MAX_COMPONENTS`] components.
pub fn esp_path(path: &str) -> Result<Vec<String>, IdentityError> {
    let bad = |why| IdentityError::BadPath {
        path: shown(path),
        why,
    };
    if path.chars().count() > MAX_PATH_CHARS {
        return Err(bad("too long"));
    }
    if path.contains('/') {
        return Err(bad("forward slash (not a single file path)"));
    }
    let rest = path.strip_prefix('\\').ok_or(bad("not absolute"))?;
    let mut components = Vec::new();
    for c in rest.split('\\') {
        if c.is_empty() {
            return Err(bad("empty component"));
        }
        if c == "." || c == ".." {
            return Err(bad("'.' or '..' component"));
        }
        if c.chars().count() > MAX_COMPONENT_CHARS {
            return Err(bad("component too long"));
        }
        if c.chars()
            .any(|ch| ch.is_control() || matches!(ch, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        {
            return Err(bad("character not allowed in a FAT name"));
        }
        components.push(c.to_owned());
    }
    if components.len() > MAX_COMPONENTS {
        return Err(bad("too many components"));
    }
    Ok(components)
}

/// The booted image as the variables describe it. Refuses when a boot loader ran first
/// (`LoaderInfo`), when a variable is absent or malformed, when the stub is not systemd-stub.
pub fn booted_image(vars: &LoaderVariables) -> Result<BootedImage, IdentityError> {
    if let Some(loader) = &vars.loader_info {
        let name = efi_string("LoaderInfo", loader)?;
        return Err(IdentityError::BootLoader(shown(&name)));
    }
    let stub = vars
        .stub_info
        .as_deref()
        .ok_or(IdentityError::Missing("StubInfo"))?;
    let stub = efi_string("StubInfo", stub)?;
    if !stub.starts_with("systemd-stub ") {
        return Err(IdentityError::UnknownStub(shown(&stub)));
    }
    let partition = partition_guid(
        vars.device_part_uuid
            .as_deref()
            .ok_or(IdentityError::Missing("LoaderDevicePartUUID"))?,
    )?;
    let path = vars
        .image_identifier
        .as_deref()
        .ok_or(IdentityError::Missing("LoaderImageIdentifier"))?;
    let path = efi_string("LoaderImageIdentifier", path)?;
    let components = esp_path(&path)?;
    Ok(BootedImage {
        partition,
        path,
        components,
        stub,
    })
}

/// The partition the stub was loaded from, from the efivarfs file of `LoaderDevicePartUUID`
/// ([`efi_string`]): a GUID in upper case. The init finds the boot disk by it, and the ESP.
///
/// # Errors
/// The variable is malformed or not a GUID.
pub fn partition_guid(raw: &[u8]) -> Result<String, IdentityError> {
    let partition = efi_string("LoaderDevicePartUUID", raw)?
        .trim()
        .to_ascii_uppercase();
    if !is_guid(&partition) {
        return Err(IdentityError::BadVariable {
            name: "LoaderDevicePartUUID",
            why: "not a GUID",
        });
    }
    Ok(partition)
}

/// Whether `s` is a GUID in its usual text form (8-4-4-4-12 hex digits).
fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// SHA-256 of the file at `path` (streamed; not following a symbolic link; a regular file only)
/// and its size in bytes.
pub fn hash_file(path: &Path) -> Result<(String, u64), io::Error> {
    use sha2::Digest as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total: u64 = 0;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or(&[]));
        total = total.saturating_add(n as u64);
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// The key of `/etc/os-release` holding the source commit the image was built from.
pub const SOURCE_COMMIT_KEY: &str = "TALLY_SOURCE_COMMIT";

/// The version and source commit built into the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRelease {
    /// `VERSION_ID`.
    pub version: String,
    /// [`SOURCE_COMMIT_KEY`]: the git commit (40 hex digits).
    pub commit: String,
}

impl ImageRelease {
    /// Reads `VERSION_ID` and [`SOURCE_COMMIT_KEY`] from an `os-release` text (the image's own,
    /// written by the build; still checked).
    pub fn parse(os_release: &str) -> Result<ImageRelease, IdentityError> {
        let value = |key: &str| {
            os_release.lines().find_map(|l| {
                l.strip_prefix(key)
                    .and_then(|r| r.strip_prefix('='))
                    .map(|v| v.trim().trim_matches('"').to_owned())
            })
        };
        let version = value("VERSION_ID").ok_or(IdentityError::Release("no VERSION_ID"))?;
        if version.is_empty()
            || version.len() > 32
            || !version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '~'))
        {
            return Err(IdentityError::Release("VERSION_ID malformed"));
        }
        let commit = value(SOURCE_COMMIT_KEY).ok_or(IdentityError::Release("no source commit"))?;
        if !is_commit(&commit) {
            return Err(IdentityError::Release("source commit is not 40 hex digits"));
        }
        Ok(ImageRelease { version, commit })
    }

    /// As the program shows it: `0.1.0 0123abcd…` — the version and the full commit.
    pub fn text(&self) -> String {
        format!("{} {}", self.version, self.commit)
    }
}

/// Whether `s` is a full git commit id (40 lower-case hex digits).
pub fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {

    #[test]
    fn the_loader_partition_is_a_guid_in_upper_case() {
        let mut bytes = vec![6, 0, 0, 0];
        for c in "11223344-5566-7788-99aa-bbccddeeff00".encode_utf16() {
            bytes.extend_from_slice(&c.to_le_bytes());
        }
        bytes.extend_from_slice(&[0, 0]);
        assert_eq!(
            partition_guid(&bytes).as_deref().ok(),
            Some("11223344-5566-7788-99AA-BBCCDDEEFF00")
        );
        assert!(partition_guid(&[6, 0, 0, 0, b'x', 0, 0, 0]).is_err());
        assert!(partition_guid(&[1]).is_err());
    }

    use super::*;

    /// A variable as efivarfs shows it: attributes (BS|RT), UTF-16LE, NUL.
    fn var(s: &str) -> Vec<u8> {
        let mut b = vec![6, 0, 0, 0];
        for u in s.encode_utf16().chain([0]) {
            b.extend_from_slice(&u.to_le_bytes());
        }
        b
    }

    fn good() -> LoaderVariables {
        LoaderVariables {
            device_part_uuid: Some(var("3f2504e0-4f89-11d3-9a0c-0305e82c3301")),
            image_identifier: Some(var("\\EFI\\OLD\\TALLY.EFI")),
            stub_info: Some(var("systemd-stub 252.39-1~deb12u2")),
            loader_info: None,
        }
    }

    #[test]
    fn the_stubs_variables_give_the_path_the_partition_and_the_stub() {
        let b = booted_image(&good()).unwrap();
        assert_eq!(b.partition, "3F2504E0-4F89-11D3-9A0C-0305E82C3301");
        assert_eq!(b.path, "\\EFI\\OLD\\TALLY.EFI");
        assert_eq!(b.components, ["EFI", "OLD", "TALLY.EFI"]);
        assert_eq!(b.stub, "systemd-stub 252.39-1~deb12u2");
        assert_eq!(
            b.under(Path::new("/run/esp")),
            Path::new("/run/esp/EFI/OLD/TALLY.EFI")
        );
    }

    #[test]
    fn each_missing_variable_is_named() {
        for (clear, name) in [
            (0, "LoaderDevicePartUUID"),
            (1, "LoaderImageIdentifier"),
            (2, "StubInfo"),
        ] {
            let mut v = good();
            match clear {
                0 => v.device_part_uuid = None,
                1 => v.image_identifier = None,
                _ => v.stub_info = None,
            }
            assert_eq!(booted_image(&v), Err(IdentityError::Missing(name)));
        }
    }

    #[test]
    fn a_boot_loader_before_the_stub_is_refused() {
        let mut v = good();
        v.loader_info = Some(var("systemd-boot 252"));
        assert_eq!(
            booted_image(&v),
            Err(IdentityError::BootLoader("systemd-boot 252".into()))
        );
        v.stub_info = Some(var("shim 15"));
        v.loader_info = None;
        assert!(matches!(
            booted_image(&v),
            Err(IdentityError::UnknownStub(_))
        ));
    }

    fn why(r: Result<impl std::fmt::Debug, IdentityError>) -> &'static str {
        match r {
            Err(IdentityError::BadVariable { why, .. } | IdentityError::BadPath { why, .. }) => why,
            other => panic!("not refused as malformed: {other:?}"),
        }
    }

    #[test]
    fn malformed_variable_values_are_refused() {
        let n = "LoaderImageIdentifier";
        assert_eq!(why(efi_string(n, &[])), "shorter than its attributes");
        assert_eq!(
            why(efi_string(n, &[6, 0, 0])),
            "shorter than its attributes"
        );
        assert_eq!(why(efi_string(n, &[6, 0, 0, 0])), "empty");
        assert_eq!(why(efi_string(n, &[6, 0, 0, 0, 0, 0])), "empty");
        // Odd length: a byte after the NUL.
        let mut odd = var("\\EFI\\BOOT\\BOOTX64.EFI");
        odd.push(0);
        assert_eq!(why(efi_string(n, &odd)), "odd number of bytes for UTF-16");
        // No NUL at the end.
        let mut no_nul = var("\\EFI");
        no_nul.truncate(no_nul.len() - 2);
        assert_eq!(why(efi_string(n, &no_nul)), "no terminating NUL");
        // A NUL inside: the part after it would be hidden.
        let mut inner = var("\\EFI");
        inner.extend_from_slice(&var("X")[4..]);
        assert_eq!(why(efi_string(n, &inner)), "NUL inside the text");
        // A lone surrogate.
        let mut sur = vec![6, 0, 0, 0];
        sur.extend_from_slice(&[0x00, 0xD8, 0, 0]);
        assert_eq!(why(efi_string(n, &sur)), "not valid UTF-16");
        assert_eq!(why(efi_string(n, &var("\\EFI\n\\X"))), "control character");
        // Too long: more than MAX_VARIABLE_BYTES.
        let long = var(&"A".repeat(MAX_VARIABLE_BYTES));
        assert_eq!(why(efi_string(n, &long)), "too long");
        // Not a GUID.
        let mut v = good();
        v.device_part_uuid = Some(var("../../sda1"));
        assert_eq!(why(booted_image(&v)), "not a GUID");
    }

    #[test]
    fn hostile_paths_are_refused() {
        for (path, want) in [
            ("\\EFI\\..\\..\\etc\\shadow", "'.' or '..' component"),
            ("\\EFI\\.\\BOOT", "'.' or '..' component"),
            ("\\..", "'.' or '..' component"),
            (
                "/EFI/BOOT/BOOTX64.EFI",
                "forward slash (not a single file path)",
            ),
            (
                "\\EFI\\OLD/TALLY.EFI",
                "forward slash (not a single file path)",
            ),
            ("EFI\\BOOT\\BOOTX64.EFI", "not absolute"),
            ("", "not absolute"),
            ("\\", "empty component"),
            ("\\EFI\\\\BOOTX64.EFI", "empty component"),
            ("\\EFI\\BOOT\\", "empty component"),
            ("\\EFI\\A:B", "character not allowed in a FAT name"),
            ("\\EFI\\A\u{7f}", "character not allowed in a FAT name"),
        ] {
            assert_eq!(why(esp_path(path)), want, "{path:?}");
        }
        let long_component = format!("\\{}", "A".repeat(MAX_COMPONENT_CHARS + 1));
        assert_eq!(why(esp_path(&long_component)), "component too long");
        let long_path = "\\ABCDEFG".repeat(MAX_PATH_CHARS / 8 + 1);
        assert_eq!(why(esp_path(&long_path)), "too long");
        let deep = "\\A".repeat(MAX_COMPONENTS + 1);
        assert_eq!(why(esp_path(&deep)), "too many components");
        // Through the variable too.
        let mut v = good();
        v.image_identifier = Some(var("\\EFI\\..\\DATA"));
        assert_eq!(why(booted_image(&v)), "'.' or '..' component");
        // What is accepted: FAT's long names, spaces, non-ASCII letters.
        assert_eq!(
            esp_path("\\EFI\\Tally 2026\\é.efi").unwrap(),
            ["EFI", "Tally 2026", "é.efi"]
        );
    }

    #[test]
    fn a_message_shows_a_hostile_value_cut_short() {
        let long = format!("\\{}/", "X".repeat(400));
        let e = esp_path(&long).unwrap_err().to_string();
        assert!(e.len() < 400, "{e}");
        assert!(e.contains("forward slash"), "{e}");
    }

    #[test]
    fn the_release_gives_version_and_commit() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        let text = format!("NAME=\"Tally appliance\"\nVERSION_ID=0.1.0\n{SOURCE_COMMIT_KEY}={c}\n");
        let r = ImageRelease::parse(&text).unwrap();
        assert_eq!(r.version, "0.1.0");
        assert_eq!(r.commit, c);
        assert_eq!(r.text(), format!("0.1.0 {c}"));
        assert_eq!(
            ImageRelease::parse("VERSION_ID=0.1.0\n"),
            Err(IdentityError::Release("no source commit"))
        );
        assert_eq!(
            ImageRelease::parse(&format!("VERSION_ID=0.1.0\n{SOURCE_COMMIT_KEY}=HEAD\n")),
            Err(IdentityError::Release("source commit is not 40 hex digits"))
        );
        assert_eq!(
            ImageRelease::parse(&format!("VERSION_ID=0 1; rm\n{SOURCE_COMMIT_KEY}={c}\n")),
            Err(IdentityError::Release("VERSION_ID malformed"))
        );
    }

    #[test]
    fn a_file_is_hashed_and_a_symlink_or_directory_refused() {
        let dir = std::env::temp_dir().join(format!("tally-identity-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.efi"), b"abc").unwrap();
        let (h, n) = hash_file(&dir.join("a.efi")).unwrap();
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(n, 3);
        std::os::unix::fs::symlink(dir.join("a.efi"), dir.join("link.efi")).unwrap();
        assert!(hash_file(&dir.join("link.efi")).is_err());
        assert!(hash_file(&dir).is_err());
        assert!(hash_file(&dir.join("missing.efi")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
