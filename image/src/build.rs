//! Building the appliance image: kernel, initramfs, unified kernel image (UKI), signature.
//!
//! The pipeline, each step reproducible:
//! 1. [`fetch_kernel_deb`]: `apt-get download` Debian's signed kernel package, pinned in
//!    [`KERNEL`] (package, version and the SHA-256 of the `.deb`, checked after download).
//! 2. [`unpack_kernel`]: `dpkg-deb -x` and `depmod` (the package ships no `modules.dep`).
//! 3. [`initramfs`]: a `newc` cpio ([`crate::cpio`]) with `/init`, `/bin/tally` and the shared
//!    libraries it needs, the root public key at [`ROOT_KEY_PATH`], the modules of
//!    [`crate::modules::APPLIANCE_MODULES`] with their dependencies and a `modules.dep` of just
//!    those, and `/dev/console`; compressed with `zstd` ([`compress`]).
//! 4. [`uki`]: `objcopy` adds `.osrel`, `.cmdline`, `.linux` and `.initrd` to systemd's EFI stub
//!    at page-aligned addresses after the stub's own sections.
//! 5. [`sign`]: `sbsign` with the db key.
//!
//! The external tools are Debian 12's (`apt-get`, `dpkg-deb`, `depmod`, `ldd`, `zstd`,
//! `objcopy`, `sbsign`); the same tool versions and inputs give the same bytes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest as _, Sha256};

use crate::cpio::{Archive, CpioError};
use crate::modules::{APPLIANCE_MODULES, ModulesDep, ModulesError};

/// A pinned Debian kernel package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelPin {
    /// The package name.
    pub package: &'static str,
    /// The Debian version of the package.
    pub version: &'static str,
    /// The kernel release (`uname -r`, the directory under `/lib/modules`).
    pub release: &'static str,
    /// SHA-256 of the `.deb` file (from Debian's signed `Packages` index).
    pub deb_sha256: &'static str,
}

/// The kernel of the appliance: the one place where its version is pinned. Debian removes old
/// versions from the mirror after a security update; then pin the new one (its SHA-256 is in
/// `apt-cache show <package>`), or fetch the old one from snapshot.debian.org.
pub const KERNEL: KernelPin = KernelPin {
    package: "linux-image-6.1.0-50-amd64",
    version: "6.1.176-1",
    release: "6.1.0-50-amd64",
    deb_sha256: "7b5597492a0a65aee61985a492e6bcc3f2cde830072a0e3b3d8c7e1b90279bd3",
};

/// systemd's EFI stub for unified kernel images (Debian package `systemd-boot-efi`).
pub const EFI_STUB: &str = "/usr/lib/systemd/boot/efi/linuxx64.efi.stub";

/// Where the authority's root public key is in the image.
pub const ROOT_KEY_PATH: &str = "/etc/tally/root.pub";

/// Where the data partition of the certified stick is mounted (an empty directory in the
/// read-only root).
pub const DATA_DIR: &str = "/data";

/// The kernel command line of a production image: the program on the first virtual terminal,
/// the kernel quiet, module signatures and lockdown enforced even if the firmware did not
/// report Secure Boot.
pub const DEFAULT_CMDLINE: &str =
    "console=tty1 quiet loglevel=3 module.sig_enforce=1 lockdown=integrity tally.console=tty1";

/// The zstd level of the initramfs (19 saves another 0.5 MB but takes ten times as long).
pub const ZSTD_LEVEL: u32 = 10;

/// What went wrong building the image.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// An external tool could not be started or failed.
    #[error("{tool} failed ({status}): {stderr}")]
    Tool {
        /// The command.
        tool: String,
        /// Its exit status.
        status: String,
        /// The end of its error output.
        stderr: String,
    },
    /// The downloaded kernel package is not the pinned one.
    #[error("{path}: SHA-256 {got}, expected {want} (the pinned {package} {version})")]
    KernelHash {
        /// The .deb file.
        path: PathBuf,
        /// Its hash.
        got: String,
        /// The pinned hash.
        want: String,
        /// The package.
        package: &'static str,
        /// The version.
        version: &'static str,
    },
    /// The db key cannot be opened (wrong passphrase, unencrypted, malformed).
    #[error("db key {path}: {source}; nothing was built")]
    DbKey {
        /// The key file.
        path: PathBuf,
        /// Why.
        source: crate::keys::SealedKeyError,
    },
    /// The root public key file is neither `tally-provision`'s `authority.pub` nor a raw
    /// 32-byte Ed25519 public key.
    #[error("root public key {path}: {why} (expected tally-provision's authority.pub)")]
    RootKey {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The source commit is not a full git commit id.
    #[error(
        "source commit {0:?}: not a full git commit id (40 lower-case hex digits); nothing was built"
    )]
    SourceCommit(String),
    /// The init is dynamically linked (it must be static: it runs before anything else).
    #[error("init {path} is dynamically linked; build it for x86_64-unknown-linux-musl")]
    InitNotStatic {
        /// The file.
        path: PathBuf,
    },
    /// `ldd` could not resolve a shared library of the program.
    #[error("{program}: shared library {library} not found")]
    LibraryNotFound {
        /// The program.
        program: PathBuf,
        /// The library.
        library: String,
    },
    /// The kernel modules are inconsistent.
    #[error(transparent)]
    Modules(#[from] ModulesError),
    /// The initramfs could not be assembled.
    #[error("initramfs: {0}")]
    Cpio(#[from] CpioError),
    /// The EFI stub is not a PE32+ image this tool understands.
    #[error("EFI stub {path}: {why}")]
    Stub {
        /// The stub.
        path: PathBuf,
        /// What is wrong.
        why: &'static str,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>, BuildError> {
    fs::read(path).map_err(io_err(path))
}

pub(crate) fn write(path: &Path, data: &[u8]) -> Result<(), BuildError> {
    fs::write(path, data).map_err(io_err(path))
}

pub(crate) fn create_dir_all(path: &Path) -> Result<(), BuildError> {
    fs::create_dir_all(path).map_err(io_err(path))
}

/// A command that could not be started or exited with a failure status.
#[derive(Debug)]
pub struct ToolFailure {
    /// The command line.
    pub tool: String,
    /// Its exit status; `None` when it could not be started.
    pub status: Option<std::process::ExitStatus>,
    /// Its error output (lossily decoded), or why it could not be started.
    pub stderr: String,
}

impl ToolFailure {
    /// The exit status as text, or "not started".
    pub fn status_text(&self) -> String {
        self.status
            .map_or_else(|| "not started".to_string(), |s| s.to_string())
    }

    /// The last 2000 characters of the error output.
    pub fn stderr_tail(&self) -> &str {
        self.stderr
            .char_indices()
            .rev()
            .nth(1999)
            .and_then(|(at, _)| self.stderr.get(at..))
            .unwrap_or(&self.stderr)
    }
}

/// Runs a command and returns its output; a failure to start or a non-zero exit is a
/// [`ToolFailure`]. Shared by the image build and the provisioning tool.
pub fn run_tool(cmd: &mut Command) -> Result<Output, ToolFailure> {
    let tool = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| ToolFailure {
        tool: tool.clone(),
        status: None,
        stderr: e.to_string(),
    })?;
    if !out.status.success() {
        return Err(ToolFailure {
            tool,
            status: Some(out.status),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    Ok(out)
}

/// Runs a command; a failure to start or a non-zero exit is an error carrying (the end of) its
/// stderr.
pub(crate) fn run(cmd: &mut Command) -> Result<Output, BuildError> {
    run_tool(cmd).map_err(|f| BuildError::Tool {
        status: f.status_text(),
        stderr: f.stderr_tail().to_string(),
        tool: f.tool,
    })
}

/// The SHA-256 of some bytes, in hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Downloads the pinned kernel package into `cache_dir` (`apt-get download`), unless it is
/// already there; checks its SHA-256 either way.
pub fn fetch_kernel_deb(cache_dir: &Path) -> Result<PathBuf, BuildError> {
    fetch_kernel_deb_with(cache_dir, Path::new("apt-get"))
}

/// [`fetch_kernel_deb`] with the `apt-get` to run. `apt-get download` works as an ordinary
/// user; only when it fails (package lists missing or stale) is `apt-get update` run, which
/// needs root, and the download tried once more. If that fails too, the download's error is
/// given, followed by the update's when that failed as well.
fn fetch_kernel_deb_with(cache_dir: &Path, apt_get: &Path) -> Result<PathBuf, BuildError> {
    create_dir_all(cache_dir)?;
    let file = format!("{}_{}_amd64.deb", KERNEL.package, KERNEL.version);
    let path = cache_dir.join(&file);
    if !path.exists() {
        let download = || {
            run(Command::new(apt_get)
                .current_dir(cache_dir)
                .args(["download", "-qq"])
                .arg(format!("{}={}", KERNEL.package, KERNEL.version)))
        };
        if download().is_err() {
            let update = run(Command::new(apt_get).args(["update", "-qq"]));
            if let Err(e) = download() {
                return Err(match (e, update) {
                    (
                        BuildError::Tool {
                            tool,
                            status,
                            stderr,
                        },
                        Err(u),
                    ) => BuildError::Tool {
                        tool,
                        status,
                        stderr: format!(
                            "{stderr}\n(before retrying, {u}; run `sudo apt-get update` and build again)"
                        ),
                    },
                    (e, _) => e,
                });
            }
        }
    }
    let got = sha256_hex(&read(&path)?);
    if got != KERNEL.deb_sha256 {
        return Err(BuildError::KernelHash {
            path,
            got,
            want: KERNEL.deb_sha256.to_string(),
            package: KERNEL.package,
            version: KERNEL.version,
        });
    }
    Ok(path)
}

/// An unpacked kernel package.
#[derive(Debug, Clone)]
pub struct Kernel {
    /// `uname -r` of the kernel.
    pub release: String,
    /// The signed kernel (bzImage, an EFI program itself).
    pub vmlinuz: PathBuf,
    /// `/lib/modules/<release>` with `modules.dep`.
    pub modules_dir: PathBuf,
}

/// Unpacks the kernel package into `dir` and writes its `modules.dep` (`depmod`). Skips the
/// work if `dir` already holds a complete unpacked copy.
pub fn unpack_kernel(deb: &Path, dir: &Path) -> Result<Kernel, BuildError> {
    let kernel = Kernel {
        release: KERNEL.release.to_string(),
        vmlinuz: dir.join(format!("boot/vmlinuz-{}", KERNEL.release)),
        modules_dir: dir.join(format!("lib/modules/{}", KERNEL.release)),
    };
    let done = dir.join(".unpacked");
    if done.exists() {
        return Ok(kernel);
    }
    create_dir_all(dir)?;
    run(Command::new("dpkg-deb").arg("-x").arg(deb).arg(dir))?;
    run(Command::new("depmod")
        .arg("-b")
        .arg(dir)
        .arg(KERNEL.release))?;
    write(&done, b"")?;
    Ok(kernel)
}

/// The shared libraries (and dynamic loader) a program needs, as `ldd` resolves them here.
/// Empty for a static program. `ldd` runs the program's dynamic loader on it: only for the
/// project's own build outputs, never for a program from elsewhere.
pub fn shared_libraries(program: &Path) -> Result<Vec<PathBuf>, BuildError> {
    let out = Command::new("ldd")
        .arg(program)
        .output()
        .map_err(io_err(program))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if text.contains("not a dynamic executable") || text.contains("statically linked") {
        return Ok(Vec::new());
    }
    if !out.status.success() {
        return Err(BuildError::Tool {
            tool: format!("ldd {}", program.display()),
            status: out.status.to_string(),
            stderr: text,
        });
    }
    let mut libs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let path = match line.split_once("=>") {
            Some((name, rest)) => {
                let rest = rest.trim();
                if rest.starts_with("not found") {
                    return Err(BuildError::LibraryNotFound {
                        program: program.to_path_buf(),
                        library: name.trim().to_string(),
                    });
                }
                rest.split(" (").next().unwrap_or("").trim()
            }
            None if line.starts_with('/') => line.split(" (").next().unwrap_or("").trim(),
            None => continue, // linux-vdso.so.1: in the kernel
        };
        if !path.is_empty() {
            libs.push(PathBuf::from(path));
        }
    }
    libs.sort();
    libs.dedup();
    Ok(libs)
}

/// What goes into the initramfs.
#[derive(Debug, Clone)]
pub struct InitramfsSpec<'a> {
    /// The init (static), installed as `/init`.
    pub init: &'a Path,
    /// The program, installed as `/bin/tally` with its shared libraries.
    pub program: &'a Path,
    /// The authority's root public key (`tally-provision`'s `authority.pub`; see
    /// [`check_root_key`]), installed at [`ROOT_KEY_PATH`].
    pub root_key: &'a Path,
    /// The unpacked kernel whose modules go in.
    pub kernel: &'a Kernel,
    /// The modules to include (their dependencies come along).
    pub modules: &'a [&'a str],
    /// A scratch directory (for the programs with their debug information stripped).
    pub work: &'a Path,
    /// The source commit for `os-release` ([`BuildConfig::source_commit`]).
    pub source_commit: &'a str,
}

/// A program's bytes without debug information and symbol table (`strip --strip-all`), via
/// `work`. Nothing on the appliance reads the symbols (no backtraces: the program runs without
/// `RUST_BACKTRACE`), and they were 2.4 MB of the release `tally`: the kernel unpacks and the
/// init copies that much less at every boot.
pub fn stripped(program: &Path, work: &Path) -> Result<Vec<u8>, BuildError> {
    create_dir_all(work)?;
    let name = program
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "program".to_string());
    let out = work.join(format!("{name}.stripped"));
    run(Command::new("strip")
        .arg("--strip-all")
        .arg("-o")
        .arg(&out)
        .arg(program))?;
    read(&out)
}

/// Assembles the initramfs (uncompressed).
pub fn initramfs(spec: &InitramfsSpec<'_>) -> Result<Archive, BuildError> {
    let mut a = Archive::new();
    for d in ["proc", "sys", "dev", "run", "sysroot", "etc", "bin", "data"] {
        a.add_dir(d, 0o755)?;
    }
    a.add_char_dev("dev/console", 0o600, 5, 1)?;
    let init = stripped(spec.init, spec.work)?;
    if !shared_libraries(spec.init)?.is_empty() {
        return Err(BuildError::InitNotStatic {
            path: spec.init.to_path_buf(),
        });
    }
    a.add_file("init", 0o755, init)?;
    a.add_file("bin/tally", 0o755, stripped(spec.program, spec.work)?)?;
    for lib in shared_libraries(spec.program)? {
        let s = lib.to_string_lossy().into_owned();
        a.add_file(&s, 0o755, read(&lib)?)?;
    }
    let key = read(spec.root_key)?;
    check_root_key(spec.root_key, &key)?;
    a.add_file(ROOT_KEY_PATH, 0o444, key)?;
    a.add_file(
        "etc/os-release",
        0o444,
        os_release(spec.source_commit).into_bytes(),
    )?;

    let dep_path = spec.kernel.modules_dir.join("modules.dep");
    let dep_text = fs::read_to_string(&dep_path).map_err(io_err(&dep_path))?;
    let dep = ModulesDep::parse(&dep_text)?;
    let order = dep.closure(spec.modules)?;
    let base = format!("lib/modules/{}", spec.kernel.release);
    for rel in &order {
        a.add_file(
            &format!("{base}/{rel}"),
            0o444,
            read(&spec.kernel.modules_dir.join(rel))?,
        )?;
    }
    a.add_file(
        &format!("{base}/modules.dep"),
        0o444,
        dep.subset_text(&order)?.into_bytes(),
    )?;
    Ok(a)
}

/// Checks the root public key file: `tally-provision`'s `authority.pub` (what the terminal
/// reads with `--root`), or a raw 32-byte Ed25519 key (what test harness programs read). The
/// file goes into the image as it is.
pub fn check_root_key(path: &Path, key: &[u8]) -> Result<(), BuildError> {
    let checked = match <[u8; 32]>::try_from(key) {
        Ok(raw) => tally_signing::PublicKey::from_bytes(&raw)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(_) => tally_signing::PublicKey::from_file_bytes(key)
            .map(|_| ())
            .map_err(|e| e.to_string()),
    };
    checked.map_err(|why| BuildError::RootKey {
        path: path.to_path_buf(),
        why,
    })
}

/// The `os-release` of the image (also the UKI's `.osrel` section): the version, and the git
/// commit of the sources it was built from under [`crate::identity::SOURCE_COMMIT_KEY`] (the
/// init passes both to the program, which shows them on its start screen).
pub fn os_release(source_commit: &str) -> String {
    format!(
        "NAME=\"Tally appliance\"\nID=tally\nPRETTY_NAME=\"Tally appliance {v}\"\nVERSION_ID={v}\n{key}={source_commit}\n",
        v = env!("CARGO_PKG_VERSION"),
        key = crate::identity::SOURCE_COMMIT_KEY,
    )
}

/// Refuses a source commit that is not a full git commit id (the value cut to 80 characters
/// in the message).
///
/// # Errors
/// [`BuildError::SourceCommit`].
pub fn check_source_commit(commit: &str) -> Result<(), BuildError> {
    if crate::identity::is_commit(commit) {
        Ok(())
    } else {
        Err(BuildError::SourceCommit(commit.chars().take(80).collect()))
    }
}

/// The commit checked out in the git work tree at `dir` (`git rev-parse HEAD`), refused when a
/// tracked file differs from it (`git status --porcelain --untracked-files=no`): the commit
/// named in the image must be the sources it was built from.
pub fn source_commit_of(dir: &Path) -> Result<String, BuildError> {
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| BuildError::Tool {
                tool: "git".into(),
                status: "not started".into(),
                stderr: e.to_string(),
            })?;
        if !o.status.success() {
            return Err(BuildError::Tool {
                tool: format!("git {}", args.join(" ")),
                status: o.status.to_string(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "HEAD"])?;
    let changed = git(&["status", "--porcelain", "--untracked-files=no"])?;
    if !changed.is_empty() {
        return Err(BuildError::Tool {
            tool: "git status".into(),
            status: "tracked files changed".into(),
            stderr: format!(
                "{}: the work tree differs from {commit}; commit first (or give --source-commit)",
                dir.display()
            ),
        });
    }
    check_source_commit(&commit)?;
    Ok(commit)
}

/// Compresses with `zstd` (single-threaded, fixed level: the same input gives the same bytes).
pub fn compress(input: &Path, output: &Path) -> Result<(), BuildError> {
    run(Command::new("zstd")
        .arg(format!("-{ZSTD_LEVEL}"))
        .args(["-T1", "-q", "-f", "--no-progress", "-o"])
        .arg(output)
        .arg(input))?;
    Ok(())
}

fn le_u16(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u64::from(u16::from_le_bytes([*s.first()?, *s.get(1)?])))
}

fn le_u32(b: &[u8], at: usize) -> Option<u64> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u64::from(u32::from_le_bytes(s)))
}

fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    let s: [u8; 8] = b.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(s))
}

/// The layout facts of a PE32+ EFI stub needed to append sections to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StubLayout {
    /// `ImageBase` of the optional header (objcopy's VMAs include it).
    pub image_base: u64,
    /// `SectionAlignment`.
    pub section_alignment: u64,
    /// The first address after the stub's last section (relative to the image base).
    pub end: u64,
}

/// Reads the PE32+ headers of an EFI stub.
pub fn stub_layout(pe: &[u8]) -> Option<StubLayout> {
    let pe_off = usize::try_from(le_u32(pe, 0x3c)?).ok()?;
    if pe.get(pe_off..pe_off.checked_add(4)?)? != b"PE\0\0" {
        return None;
    }
    let coff = pe_off.checked_add(4)?;
    let sections = usize::try_from(le_u16(pe, coff.checked_add(2)?)?).ok()?;
    let opt_size = usize::try_from(le_u16(pe, coff.checked_add(16)?)?).ok()?;
    let opt = coff.checked_add(20)?;
    if le_u16(pe, opt)? != 0x20b {
        return None; // not PE32+
    }
    let image_base = le_u64(pe, opt.checked_add(24)?)?;
    let section_alignment = le_u32(pe, opt.checked_add(32)?)?;
    let table = opt.checked_add(opt_size)?;
    let mut end = 0u64;
    for i in 0..sections {
        let s = table.checked_add(i.checked_mul(40)?)?;
        let vsize = le_u32(pe, s.checked_add(8)?)?;
        let vaddr = le_u32(pe, s.checked_add(12)?)?;
        let raw = le_u32(pe, s.checked_add(16)?)?;
        end = end.max(vaddr.checked_add(vsize.max(raw))?);
    }
    if section_alignment == 0 || sections == 0 {
        return None;
    }
    Some(StubLayout {
        image_base,
        section_alignment,
        end,
    })
}

fn align_up(x: u64, a: u64) -> Option<u64> {
    x.checked_add(a.checked_sub(1)?)?
        .checked_div(a)?
        .checked_mul(a)
}

/// Builds an unsigned UKI: the EFI `stub` with `.osrel`, `.cmdline`, `.linux` (the kernel) and
/// `.initrd` added at page-aligned addresses after the stub's own sections, each after the
/// previous one.
pub fn uki(
    stub: &Path,
    vmlinuz: &Path,
    initrd: &Path,
    cmdline: &str,
    os_release: &str,
    work: &Path,
    out: &Path,
) -> Result<(), BuildError> {
    let stub_bytes = read(stub)?;
    let layout = stub_layout(&stub_bytes).ok_or(BuildError::Stub {
        path: stub.to_path_buf(),
        why: "not a PE32+ image with sections",
    })?;
    let align = layout.section_alignment.max(4096);
    create_dir_all(work)?;
    let osrel = work.join("osrel");
    write(&osrel, os_release.as_bytes())?;
    let cmd = work.join("cmdline");
    write(&cmd, cmdline.as_bytes())?;
    let overflow = || BuildError::Stub {
        path: stub.to_path_buf(),
        why: "section addresses overflow",
    };
    let mut vma = align_up(layout.end, align).ok_or_else(overflow)?;
    let mut c = Command::new("objcopy");
    for (name, file) in [
        (".osrel", osrel.as_path()),
        (".cmdline", cmd.as_path()),
        (".linux", vmlinuz),
        (".initrd", initrd),
    ] {
        let size = fs::metadata(file).map_err(io_err(file))?.len();
        let addr = layout.image_base.checked_add(vma).ok_or_else(overflow)?;
        c.arg("--add-section")
            .arg(format!("{name}={}", file.display()))
            .arg("--change-section-vma")
            .arg(format!("{name}={addr:#x}"));
        vma = align_up(vma.checked_add(size).ok_or_else(overflow)?, align).ok_or_else(overflow)?;
    }
    c.arg(stub).arg(out);
    run(&mut c)?;
    // objcopy 2.40 writes the current time into the PE header: put back 0 (what the stub has).
    let mut bytes = read(out)?;
    set_pe_timestamp(&mut bytes, 0).ok_or(BuildError::Stub {
        path: out.to_path_buf(),
        why: "objcopy's output is not a PE32+ image",
    })?;
    write(out, &bytes)
}

/// Offsets of the COFF `TimeDateStamp` and the optional header's `CheckSum` in a PE32+ file.
fn pe_offsets(pe: &[u8]) -> Option<(usize, usize)> {
    let pe_off = usize::try_from(le_u32(pe, 0x3c)?).ok()?;
    if pe.get(pe_off..pe_off.checked_add(4)?)? != b"PE\0\0" {
        return None;
    }
    let coff = pe_off.checked_add(4)?;
    let opt = coff.checked_add(20)?;
    if le_u16(pe, opt)? != 0x20b {
        return None;
    }
    Some((coff.checked_add(4)?, opt.checked_add(64)?))
}

/// The PE image checksum (as `objcopy`, `link.exe` and `ImageHlp` compute it): the 16-bit
/// one's-complement-style sum of the file with the checksum field taken as 0, plus the length.
pub fn pe_checksum(pe: &[u8]) -> Option<u32> {
    let (_, cks) = pe_offsets(pe)?;
    let mut sum: u64 = 0;
    for (i, chunk) in pe.chunks(2).enumerate() {
        let at = i.checked_mul(2)?;
        if at == cks || at == cks.checked_add(2)? {
            continue;
        }
        let word = u64::from(*chunk.first()?) | (u64::from(*chunk.get(1).unwrap_or(&0)) << 8);
        sum = sum.checked_add(word)?;
        sum = (sum & 0xffff).checked_add(sum >> 16)?;
    }
    sum = (sum & 0xffff).checked_add(sum >> 16)?;
    let total = sum.checked_add(u64::try_from(pe.len()).ok()?)?;
    u32::try_from(total).ok()
}

/// Sets the PE header's timestamp and recomputes the checksum.
pub fn set_pe_timestamp(pe: &mut [u8], timestamp: u32) -> Option<()> {
    let (ts, cks) = pe_offsets(pe)?;
    pe.get_mut(ts..ts.checked_add(4)?)?
        .copy_from_slice(&timestamp.to_le_bytes());
    let sum = pe_checksum(pe)?;
    pe.get_mut(cks..cks.checked_add(4)?)?
        .copy_from_slice(&sum.to_le_bytes());
    Some(())
}

/// The signing time written into the signature, in seconds since 1970 (2026-01-01 00:00:00
/// UTC), unless `SOURCE_DATE_EPOCH` is set. `sbsign` always records a signing time; with the
/// clock frozen at this time (`faketime`) and RSA PKCS#1 v1.5 signatures being deterministic,
/// signing the same image with the same key gives the same bytes. The firmware does not look at
/// the signing time.
pub const DEFAULT_SIGNING_TIME: u64 = 1_767_225_600;

/// Signs an EFI program for Secure Boot with the db key (`sbsign`, under `faketime` for a fixed
/// signing time: see [`DEFAULT_SIGNING_TIME`]).
pub fn sign(input: &Path, key: &Path, cert: &Path, output: &Path) -> Result<(), BuildError> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|e| e.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_SIGNING_TIME);
    run(Command::new("faketime")
        // An absolute time (no '@'): the clock stands still there.
        .env("FAKETIME_FMT", "%s")
        .arg("-f")
        .arg(epoch.to_string())
        .arg("sbsign")
        .arg("--key")
        .arg(key)
        .arg("--cert")
        .arg(cert)
        .arg("--output")
        .arg(output)
        .arg(input))?;
    Ok(())
}

/// Everything [`build`] needs.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// The static init (`tally-init` built for x86_64-unknown-linux-musl).
    pub init: PathBuf,
    /// The program (`tally`, or the test stand-in `hello-tally`).
    pub program: PathBuf,
    /// The authority's root public key file.
    pub root_key: PathBuf,
    /// The db signing key: sealed by `tally-provision secure-boot-keys`
    /// ([`crate::keys::seal_private_key`]), opened with `db_key_passphrase`; or, with no
    /// passphrase, a throw-away test key in plain PEM from
    /// [`crate::keys::create_secure_boot_keys`].
    pub db_key: PathBuf,
    /// The passphrase of a sealed db key (`None`: `db_key` is an unsealed test key).
    pub db_key_passphrase: Option<crate::keys::Passphrase>,
    /// The db certificate.
    pub db_cert: PathBuf,
    /// The kernel command line built into the UKI.
    pub cmdline: String,
    /// The git commit (40 hex digits) of the sources the init and the program were built
    /// from, written into the image's `os-release` (see [`source_commit_of`]).
    pub source_commit: String,
    /// Where the kernel package is cached (downloaded if missing).
    pub kernel_cache: PathBuf,
    /// Where the results go.
    pub out_dir: PathBuf,
}

/// What [`build`] produced.
#[derive(Debug, Clone)]
pub struct BuildOutput {
    /// The compressed initramfs.
    pub initrd: PathBuf,
    /// The UKI before signing.
    pub unsigned_uki: PathBuf,
    /// The signed UKI: the image to boot.
    pub uki: PathBuf,
    /// SHA-256 of the signed UKI.
    pub sha256: String,
}

/// The db key as the signing step needs it: the PEM of a sealed key, opened before anything is
/// built (a wrong passphrase stops the build before anything is written), or the path of an
/// unsealed test key.
enum DbKey {
    Opened(zeroize::Zeroizing<Vec<u8>>),
    TestKey(PathBuf),
}

fn open_db_key(cfg: &BuildConfig) -> Result<DbKey, BuildError> {
    let err = |source| BuildError::DbKey {
        path: cfg.db_key.clone(),
        source,
    };
    match &cfg.db_key_passphrase {
        Some(pass) => crate::keys::read_sealed_private_key(&cfg.db_key, pass.as_bytes())
            .map(DbKey::Opened)
            .map_err(err),
        None => {
            let head = read(&cfg.db_key)?;
            if head.starts_with(crate::keys::SEALED_KEY_MAGIC.as_bytes()) {
                return Err(err(crate::keys::SealedKeyError::Malformed(
                    "a sealed key, and no passphrase was given".into(),
                )));
            }
            Ok(DbKey::TestKey(cfg.db_key.clone()))
        }
    }
}

/// Signs `input` with the db key: an opened sealed key is written, for `sbsign` alone, into a
/// private temporary file (0600 in a 0700 folder on `/dev/shm`), overwritten and removed as
/// soon as `sbsign` is done.
fn sign_with(db: &DbKey, input: &Path, cert: &Path, output: &Path) -> Result<(), BuildError> {
    match db {
        DbKey::TestKey(path) => sign(input, path, cert, output),
        DbKey::Opened(pem) => {
            let file =
                crate::keys::PrivateKeyFile::new(pem).map_err(|source| BuildError::DbKey {
                    path: PathBuf::from("(private temporary file)"),
                    source,
                })?;
            let signed = sign(input, file.path(), cert, output);
            drop(file);
            signed
        }
    }
}

/// The whole pipeline: kernel, initramfs, UKI, signature. Results in `cfg.out_dir`. A sealed db
/// key is opened first: a wrong passphrase stops the build before anything is written.
pub fn build(cfg: &BuildConfig) -> Result<BuildOutput, BuildError> {
    check_source_commit(&cfg.source_commit)?;
    let db = open_db_key(cfg)?;
    let deb = fetch_kernel_deb(&cfg.kernel_cache)?;
    let kernel = unpack_kernel(&deb, &cfg.kernel_cache.join(KERNEL.release))?;
    create_dir_all(&cfg.out_dir)?;
    let archive = initramfs(&InitramfsSpec {
        init: &cfg.init,
        program: &cfg.program,
        root_key: &cfg.root_key,
        kernel: &kernel,
        modules: APPLIANCE_MODULES,
        work: &cfg.out_dir.join("stripped"),
        source_commit: &cfg.source_commit,
    })?;
    build_from_archive_with(&archive, &kernel, cfg, &db)
}

/// The pipeline after the initramfs: compress, UKI, sign (also used for the benchmark's
/// baseline image).
pub fn build_from_archive(
    archive: &Archive,
    kernel: &Kernel,
    cfg: &BuildConfig,
) -> Result<BuildOutput, BuildError> {
    let db = open_db_key(cfg)?;
    build_from_archive_with(archive, kernel, cfg, &db)
}

fn build_from_archive_with(
    archive: &Archive,
    kernel: &Kernel,
    cfg: &BuildConfig,
    db: &DbKey,
) -> Result<BuildOutput, BuildError> {
    create_dir_all(&cfg.out_dir)?;
    let cpio = cfg.out_dir.join("initramfs.cpio");
    write(&cpio, &archive.to_newc()?)?;
    let initrd = cfg.out_dir.join("initramfs.cpio.zst");
    compress(&cpio, &initrd)?;
    let unsigned_uki = cfg.out_dir.join("tally-unsigned.efi");
    uki(
        Path::new(EFI_STUB),
        &kernel.vmlinuz,
        &initrd,
        &cfg.cmdline,
        &os_release(&cfg.source_commit),
        &cfg.out_dir.join("uki-parts"),
        &unsigned_uki,
    )?;
    let uki_path = cfg.out_dir.join("tally.efi");
    sign_with(db, &unsigned_uki, &cfg.db_cert, &uki_path)?;
    let sha256 = sha256_hex(&read(&uki_path)?);
    Ok(BuildOutput {
        initrd,
        unsigned_uki,
        uki: uki_path,
        sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17, point 5: a sealed db key is opened with its passphrase before anything is
    /// built (a wrong one stops the build with a clear error), and signs from a private
    /// temporary file that is gone afterwards; `sbverify` accepts the signature with db.crt.
    #[test]
    fn a_sealed_db_key_signs_from_a_private_file_that_is_then_gone() {
        let _one_at_a_time = crate::keys::PRIVATE_DIR_TESTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let dir = tempfile::tempdir().unwrap();
        let keys = crate::keys::create_secure_boot_keys(&dir.path().join("k"), "Test", 30).unwrap();
        let sealed = dir.path().join("db.key");
        crate::keys::write_sealed_private_key(
            &sealed,
            &std::fs::read(&keys.db.key).unwrap(),
            b"the right passphrase",
            tally_signing::KdfParams::FLOOR,
        )
        .unwrap();
        let mut cfg = BuildConfig {
            init: dir.path().join("none"),
            program: dir.path().join("none"),
            root_key: dir.path().join("none"),
            db_key: sealed.clone(),
            db_key_passphrase: Some(crate::keys::Passphrase::new("the wrong passphrase")),
            db_cert: keys.db.cert.clone(),
            cmdline: String::new(),
            source_commit: "0".repeat(40),
            kernel_cache: dir.path().join("cache"),
            out_dir: dir.path().join("out"),
        };
        let err = build(&cfg).err().unwrap();
        assert!(
            err.to_string()
                .ends_with("wrong passphrase (or an altered key file); nothing was built"),
            "{err}"
        );
        assert!(!cfg.out_dir.exists() && !cfg.kernel_cache.exists());
        // No passphrase for a sealed key: refused too.
        cfg.db_key_passphrase = None;
        assert!(matches!(open_db_key(&cfg), Err(BuildError::DbKey { .. })));

        cfg.db_key_passphrase = Some(crate::keys::Passphrase::new("the right passphrase"));
        let db = open_db_key(&cfg).unwrap();
        let signed = dir.path().join("signed.efi");
        sign_with(&db, Path::new(EFI_STUB), &keys.db.cert, &signed).unwrap();
        let o = Command::new("sbverify")
            .arg("--cert")
            .arg(&keys.db.cert)
            .arg(&signed)
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        // The private copies are gone: no `.tally-keys-<this process>-*` folder is left by this
        // signing (other processes' folders, e.g. of tests running beside this one, are theirs).
        let mine = crate::keys::PrivateDir::prefix_of(std::process::id());
        let left: Vec<_> = std::fs::read_dir("/dev/shm")
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with(&mine))
                    .collect()
            })
            .unwrap_or_default();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_failing_tool_reports_its_status_and_the_end_of_its_stderr() {
        // 3000 × "é" then "END" on stderr, exit 3: the tail is the last 2000 characters.
        let f = run_tool(Command::new("sh").args([
            "-c",
            "printf 'é%.0s' $(seq 3000) >&2; printf END >&2; exit 3",
        ]))
        .unwrap_err();
        assert_eq!(f.status.and_then(|s| s.code()), Some(3));
        assert!(f.status_text().contains('3'), "{}", f.status_text());
        assert_eq!(f.stderr.chars().count(), 3003);
        let tail = f.stderr_tail();
        assert_eq!(tail.chars().count(), 2000);
        assert!(tail.ends_with("END") && tail.starts_with('é'));
        let f = run_tool(&mut Command::new("/nonexistent/tool")).unwrap_err();
        assert_eq!(f.status, None);
        assert_eq!(f.status_text(), "not started");
        assert_eq!(f.stderr_tail(), f.stderr);
        assert!(run_tool(&mut Command::new("true")).is_ok());
    }

    #[test]
    fn stub_layout_of_debian_stub() {
        // Needs Debian's systemd-boot-efi (scripts/test installs it).
        let bytes = fs::read(EFI_STUB).unwrap();
        let l = stub_layout(&bytes).unwrap();
        // objdump -h: the last section .sdmagic at 0x19100, size 0x34; ImageBase 0.
        assert_eq!(l.image_base, 0);
        assert_eq!(l.section_alignment, 0x200);
        assert!(l.end >= 0x19134, "{l:?}");
        assert!(stub_layout(b"MZ not a pe").is_none());
    }

    #[test]
    fn checksum_matches_objcopy() {
        // objcopy computes the checksum of what it writes; ours must agree with it.
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::write(&data, b"odd length!").unwrap();
        let out = dir.path().join("out.efi");
        run(Command::new("objcopy")
            .arg("--add-section")
            .arg(format!(".osrel={}", data.display()))
            .arg("--change-section-vma")
            .arg(".osrel=0x1a000")
            .arg(EFI_STUB)
            .arg(&out))
        .unwrap();
        let bytes = fs::read(&out).unwrap();
        let (_, cks) = pe_offsets(&bytes).unwrap();
        let stored = u32::from_le_bytes(bytes[cks..cks + 4].try_into().unwrap());
        assert_eq!(pe_checksum(&bytes), Some(stored));
        let mut b2 = bytes.clone();
        set_pe_timestamp(&mut b2, 0).unwrap();
        let (ts, _) = pe_offsets(&b2).unwrap();
        assert_eq!(&b2[ts..ts + 4], &[0, 0, 0, 0]);
        assert_ne!(b2, bytes);
    }

    /// A stand-in for `apt-get` that logs its first argument to `log`; `update` fails as for
    /// an ordinary user (exit 100); `download` writes the package file when `lists` exists.
    fn fake_apt_get(dir: &Path) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let apt = dir.join("apt-get");
        let lists = dir.join("lists");
        let log = dir.join("log");
        let deb = format!("{}_{}_amd64.deb", KERNEL.package, KERNEL.version);
        fs::write(
            &apt,
            format!(
                "#!/bin/sh\necho \"$1\" >> '{log}'\ncase \"$1\" in\n\
                 update) echo 'E: Could not open lock file' >&2; exit 100 ;;\n\
                 download) [ -e '{lists}' ] || {{ echo 'E: Unable to locate package' >&2; exit 100; }}\n\
                 echo not-a-kernel > '{deb}' ;;\nesac\n",
                log = log.display(),
                lists = lists.display(),
            ),
        )
        .unwrap();
        fs::set_permissions(&apt, fs::Permissions::from_mode(0o755)).unwrap();
        apt
    }

    #[test]
    fn the_kernel_is_downloaded_without_apt_get_update_which_needs_root() {
        let dir = tempfile::tempdir().unwrap();
        let apt = fake_apt_get(dir.path());
        fs::write(dir.path().join("lists"), b"").unwrap();
        let cache = dir.path().join("cache");
        // The download worked (the file is there, as an ordinary user); its hash is checked.
        let e = fetch_kernel_deb_with(&cache, &apt).unwrap_err();
        assert!(matches!(e, BuildError::KernelHash { .. }), "{e}");
        let log = fs::read_to_string(dir.path().join("log")).unwrap();
        assert_eq!(log, "download\n");
        // A cached package is not downloaded again.
        let e = fetch_kernel_deb_with(&cache, &apt).unwrap_err();
        assert!(matches!(e, BuildError::KernelHash { .. }), "{e}");
        assert_eq!(fs::read_to_string(dir.path().join("log")).unwrap(), log);
    }

    #[test]
    fn a_failed_download_runs_apt_get_update_and_names_both_failures() {
        let dir = tempfile::tempdir().unwrap();
        let apt = fake_apt_get(dir.path());
        let e = fetch_kernel_deb_with(&dir.path().join("cache"), &apt)
            .unwrap_err()
            .to_string();
        let log = fs::read_to_string(dir.path().join("log")).unwrap();
        assert_eq!(log, "download\nupdate\ndownload\n");
        assert!(
            e.contains("download") && e.contains("Unable to locate package"),
            "{e}"
        );
        assert!(
            e.contains("update") && e.contains("Could not open lock file"),
            "{e}"
        );
        assert!(e.contains("sudo apt-get update"), "{e}");
    }

    #[test]
    fn align() {
        assert_eq!(align_up(0x19134, 0x1000), Some(0x1a000));
        assert_eq!(align_up(0x2000, 0x1000), Some(0x2000));
    }

    #[test]
    fn ldd_parsing_of_a_static_file() {
        // /bin/ls is dynamic on Debian; a text file is "not a dynamic executable".
        let libs = shared_libraries(Path::new("/bin/ls")).unwrap();
        assert!(
            libs.iter().any(|l| l.to_string_lossy().contains("libc.so")),
            "{libs:?}"
        );
        let t = tempfile::NamedTempFile::new().unwrap();
        assert!(shared_libraries(t.path()).unwrap().is_empty());
    }
}
