//! # tally-media: USB sticks for the tally appliance
//!
//! Everything between the kernel and the verified bytes of a USB stick:
//!
//! - [`detect`]: which block devices are USB sticks and which can be used — a pure decision over
//!   recorded sysfs/uevent data ([`detect::classify`]), tested on recorded fixtures;
//! - [`fsprobe`]: the file system from a device's first bytes (no udev daemon, no blkid);
//! - [`watch`]: the thin device layer, without libudev — enumeration of sysfs at start, the
//!   kernel's uevent netlink socket afterwards — feeding a [`tracker::Tracker`] (present sticks,
//!   the one in use, second sticks);
//! - [`mount`]: private mount points, `nosuid,nodev,noexec,nosymfollow` (+`ro` for import),
//!   checked in `/proc/self/mountinfo`, lazily detached when dropped;
//! - [`reader`]: capped reading that refuses symlinks, device files, FIFOs and oversized files;
//! - [`verify`]: the seam to the signed-medium verifier (the signing crate);
//! - [`export`]: write to a temporary name, fsync, rename, fsync, unmount, remount read-only, read
//!   back, verify, unmount — only then success; fault injection at every step;
//! - [`medium`]: the [`medium::Medium`] interface shared by real sticks ([`medium::UsbStick`]) and
//!   demo folders ([`medium::FolderMedium`], `--media-dir`);
//! - [`mountd`]: the mount service through which PID 1 probes and mounts sticks for the
//!   unprivileged terminal on the appliance (a strict fixed-size protocol over a socket pair);
//! - [`audit`]: every event with the device's identity and the hashes of what was read or
//!   written, into a caller-provided sink (JSON lines).
//!
//! What this crate must not do: trust anything on a stick before the verifier has accepted it;
//! follow a link or open a device node on a stick; mount anything but vfat or exFAT
//! ([`fsprobe::MediaFilesystems`]: a stranger's ext4 is listed as unusable, never mounted) or
//! without the safe options; touch the boot stick or an internal disk; hold the
//! appliance's data hostage to a stick (the caller's bytes are only borrowed); parse election
//! content (that is the core crate's job, on the verified bytes only). It contains no `unsafe`:
//! nix's safe wrappers cover every system call it needs (the uevent netlink socket included).
//! It links no system library beyond the C library: no libudev, so the demo builds on a machine
//! with only the Rust toolchain.

pub mod audit;
pub mod detect;
pub mod error;
pub mod export;
pub mod fsprobe;
pub mod medium;
pub mod mount;
pub mod mountd;
pub mod parttable;
pub mod reader;
pub mod signed;
pub mod tracker;
pub mod verify;
pub mod watch;

pub use audit::{AuditEvent, AuditKind, AuditSink, JsonLinesAudit, MemoryAudit};
pub use detect::{Classification, DeviceIdentity, Policy, Unusable, Verdict, Volume, classify};
pub use error::MediaError;
pub use export::{ExportFailure, ExportFile, ExportReport, ExportRequest, ExportStep, StepHook};
pub use fsprobe::MediaFilesystems;
pub use medium::{FolderMedium, ImportSession, Medium, UsbStick};
pub use reader::{MediumReader, ReadLimits};
pub use tracker::{StickEvent, Tracker};
pub use verify::{FolderView, MediumVerifier};
