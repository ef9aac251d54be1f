//! The appliance image of the tally appliance.
//!
//! Two programs come from this crate:
//! - `tally-init`, PID 1 of the appliance ([`init`]): mounts the kernel's file systems, loads
//!   the few kernel modules the appliance needs and then forbids loading any more, sets the
//!   hardening sysctls, makes the root file system read-only, finds the certified stick it was
//!   booted from ([`bootdisk`]), hashes the image the firmware loaded, as the stub names it
//!   ([`identity`]: the system's identity), and mounts
//!   its data partition (giving its files to the terminal's user), and runs the tally program
//!   on its terminal as an unprivileged user confined by [`sandbox`] (no capabilities,
//!   `no_new_privs`, a seccomp filter), mounting sticks for it through the media crate's mount
//!   service (`tally_media::mountd`), restarting it after a crash and powering off when it is
//!   done.
//! - `tally-image`, the build tool ([`build`], [`keys`]): turns Debian's signed kernel, the init,
//!   the tally program and the authority's root public key into one signed unified kernel image
//!   (UKI) that the firmware boots with Secure Boot, byte-for-byte reproducibly; and creates the
//!   Secure Boot keys and a firmware variable store with them enrolled (for the provisioning tool
//!   and the tests).
//!
//! [`qemu`] boots such an image in QEMU with OVMF for the tests and the benchmark ([`testbed`]);
//! `hello-tally` is a **test stand-in** for the tally program in the protection tests (it prints
//! a banner and reports the image's protections from the inside); the end-to-end tests in
//! `tests/` boot the real program.
//!
//! What this crate must not do: put anything in the image that the appliance does not need (no
//! shell, no network configuration, no login), trust anything at run time that was not in the
//! signed image, or leave the root file system writable.

pub mod bootdisk;
pub mod build;
pub mod cmdline;
pub mod cpio;
pub mod identity;
#[cfg(target_os = "linux")]
pub mod init;
pub mod keys;
pub mod modules;
pub mod qemu;
#[cfg(target_os = "linux")]
pub mod sandbox;
pub mod testbed;
