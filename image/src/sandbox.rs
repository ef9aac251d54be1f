//! The terminal's confinement: what the launcher ([`crate::init::launch`]) does to itself just
//! before it `exec`s the program, so that a flaw anywhere in the program (an EML parser, the
//! PDF writer, a screen) gains no privilege (docs/image.md, "Privilege separation").
//!
//! In order, all of it safe Rust (rustix's wrappers and `seccompiler`):
//! 1. every capability is dropped from the bounding set (while still root, which may);
//! 2. the ambient set is cleared, the supplementary groups emptied, the real, effective and
//!    saved gid and uid set to [`TERMINAL_GID`] and [`TERMINAL_UID`] (the kernel clears the
//!    permitted and effective sets on that change), and the inheritable set cleared as well;
//! 3. every set is read back: any capability left, or a uid or gid not the terminal's, stops
//!    the start;
//! 4. `no_new_privs`, then the seccomp filter [`filter`]: only the system calls of
//!    [`ALLOWED`] (a few only with the arguments the program uses); any other fails with
//!    `EPERM`.
//!
//! What the program may still do: read and write its own files (the data partition, chowned to
//! it by the init, `/run/tally`), read the sticks the init mounted for it, listen to the
//! kernel's uevents, use its terminal, and talk to the init over the mount service's socket.

use std::collections::BTreeMap;

use rustix::thread::{CapabilitySet, CapabilitySets};
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use crate::init::InitError;

/// The terminal's user id: no name, no home, no login; it owns the data partition's files.
pub const TERMINAL_UID: u32 = 1000;

/// The terminal's group id (its only group).
pub const TERMINAL_GID: u32 = 1000;

/// The system calls the program may make (x86-64), with, for some, the only first arguments
/// allowed. Found by tracing the terminal (`strace -f`) through the demo, a USB import and an
/// export in the guest, and by reading what Rust's standard library, glibc, crossterm and nix
/// call; see docs/image.md for why each group is there.
pub const ALLOWED: &[(&str, i64)] = &[
    // Memory, threads, time, signals: the C library and Rust's runtime.
    ("brk", libc::SYS_brk),
    ("mmap", libc::SYS_mmap),
    ("munmap", libc::SYS_munmap),
    ("mremap", libc::SYS_mremap),
    ("mprotect", libc::SYS_mprotect),
    ("madvise", libc::SYS_madvise),
    ("futex", libc::SYS_futex),
    ("set_robust_list", libc::SYS_set_robust_list),
    ("get_robust_list", libc::SYS_get_robust_list),
    ("set_tid_address", libc::SYS_set_tid_address),
    ("rseq", libc::SYS_rseq),
    ("clone", libc::SYS_clone),
    ("clone3", libc::SYS_clone3),
    ("exit", libc::SYS_exit),
    ("exit_group", libc::SYS_exit_group),
    ("arch_prctl", libc::SYS_arch_prctl),
    ("sched_yield", libc::SYS_sched_yield),
    ("sched_getaffinity", libc::SYS_sched_getaffinity),
    ("getrandom", libc::SYS_getrandom),
    ("clock_gettime", libc::SYS_clock_gettime),
    ("clock_getres", libc::SYS_clock_getres),
    ("clock_nanosleep", libc::SYS_clock_nanosleep),
    ("nanosleep", libc::SYS_nanosleep),
    ("gettimeofday", libc::SYS_gettimeofday),
    ("rt_sigaction", libc::SYS_rt_sigaction),
    ("rt_sigprocmask", libc::SYS_rt_sigprocmask),
    ("rt_sigreturn", libc::SYS_rt_sigreturn),
    ("sigaltstack", libc::SYS_sigaltstack),
    ("restart_syscall", libc::SYS_restart_syscall),
    ("getpid", libc::SYS_getpid),
    ("gettid", libc::SYS_gettid),
    ("getppid", libc::SYS_getppid),
    ("getuid", libc::SYS_getuid),
    ("geteuid", libc::SYS_geteuid),
    ("getgid", libc::SYS_getgid),
    ("getegid", libc::SYS_getegid),
    ("getresuid", libc::SYS_getresuid),
    ("getresgid", libc::SYS_getresgid),
    ("tgkill", libc::SYS_tgkill),
    ("prlimit64", libc::SYS_prlimit64),
    ("uname", libc::SYS_uname),
    ("sysinfo", libc::SYS_sysinfo),
    // Files: the data partition, /proc, /sys, the sticks mounted for it, its own binary.
    ("read", libc::SYS_read),
    ("write", libc::SYS_write),
    ("readv", libc::SYS_readv),
    ("writev", libc::SYS_writev),
    ("pread64", libc::SYS_pread64),
    ("pwrite64", libc::SYS_pwrite64),
    ("open", libc::SYS_open),
    ("openat", libc::SYS_openat),
    ("close", libc::SYS_close),
    ("close_range", libc::SYS_close_range),
    ("lseek", libc::SYS_lseek),
    ("fstat", libc::SYS_fstat),
    ("stat", libc::SYS_stat),
    ("lstat", libc::SYS_lstat),
    ("newfstatat", libc::SYS_newfstatat),
    ("statx", libc::SYS_statx),
    ("statfs", libc::SYS_statfs),
    ("fstatfs", libc::SYS_fstatfs),
    ("access", libc::SYS_access),
    ("faccessat", libc::SYS_faccessat),
    ("faccessat2", libc::SYS_faccessat2),
    ("getdents64", libc::SYS_getdents64),
    ("getcwd", libc::SYS_getcwd),
    ("chdir", libc::SYS_chdir),
    ("readlink", libc::SYS_readlink),
    ("readlinkat", libc::SYS_readlinkat),
    ("mkdir", libc::SYS_mkdir),
    ("mkdirat", libc::SYS_mkdirat),
    ("rmdir", libc::SYS_rmdir),
    ("unlink", libc::SYS_unlink),
    ("unlinkat", libc::SYS_unlinkat),
    ("rename", libc::SYS_rename),
    ("renameat", libc::SYS_renameat),
    ("renameat2", libc::SYS_renameat2),
    ("fsync", libc::SYS_fsync),
    ("fdatasync", libc::SYS_fdatasync),
    ("syncfs", libc::SYS_syncfs),
    ("ftruncate", libc::SYS_ftruncate),
    ("fallocate", libc::SYS_fallocate),
    ("fadvise64", libc::SYS_fadvise64),
    ("flock", libc::SYS_flock),
    ("fchmod", libc::SYS_fchmod),
    ("fchmodat", libc::SYS_fchmodat),
    ("chmod", libc::SYS_chmod),
    ("utimensat", libc::SYS_utimensat),
    ("copy_file_range", libc::SYS_copy_file_range),
    ("sendfile", libc::SYS_sendfile),
    ("fcntl", libc::SYS_fcntl),
    ("dup", libc::SYS_dup),
    ("dup2", libc::SYS_dup2),
    ("dup3", libc::SYS_dup3),
    ("pipe2", libc::SYS_pipe2),
    ("eventfd2", libc::SYS_eventfd2),
    // Waiting: the terminal's keys, the uevents, the mount service's answers.
    ("poll", libc::SYS_poll),
    ("ppoll", libc::SYS_ppoll),
    ("select", libc::SYS_select),
    ("pselect6", libc::SYS_pselect6),
    ("epoll_create1", libc::SYS_epoll_create1),
    ("epoll_ctl", libc::SYS_epoll_ctl),
    ("epoll_wait", libc::SYS_epoll_wait),
    ("epoll_pwait", libc::SYS_epoll_pwait),
    ("epoll_pwait2", libc::SYS_epoll_pwait2),
    // Sockets: the uevent netlink socket, the mount service's socket pair, crossterm's signal
    // pipe (no network: `socket` only for AF_UNIX and AF_NETLINK, below).
    ("socketpair", libc::SYS_socketpair),
    ("bind", libc::SYS_bind),
    ("getsockname", libc::SYS_getsockname),
    ("getsockopt", libc::SYS_getsockopt),
    ("setsockopt", libc::SYS_setsockopt),
    ("sendto", libc::SYS_sendto),
    ("sendmsg", libc::SYS_sendmsg),
    ("recvfrom", libc::SYS_recvfrom),
    ("recvmsg", libc::SYS_recvmsg),
    ("shutdown", libc::SYS_shutdown),
    // Taking over the mount service's inherited socket (tally_media::mountd).
    ("pidfd_open", libc::SYS_pidfd_open),
    ("pidfd_getfd", libc::SYS_pidfd_getfd),
    // The launcher's own `exec` of the program (after the filter is in force).
    ("execve", libc::SYS_execve),
];

/// `socket(domain, ...)`: only these domains.
const SOCKET_DOMAINS: &[(&str, i32)] =
    &[("AF_UNIX", libc::AF_UNIX), ("AF_NETLINK", libc::AF_NETLINK)];

/// `ioctl(fd, request, ...)`: only the terminal's requests (x86-64 numbers, written out: the
/// libc crate types them differently for glibc and musl).
const IOCTLS: &[(&str, u64)] = &[
    ("TCGETS", 0x5401),
    ("TCSETS", 0x5402),
    ("TCSETSW", 0x5403),
    ("TCSETSF", 0x5404),
    // The termios2 forms, which newer glibc (2.42) uses for tcgetattr/tcsetattr.
    ("TCGETS2", 0x802C_542A),
    ("TCSETS2", 0x402C_542B),
    ("TCSETSW2", 0x402C_542C),
    ("TCSETSF2", 0x402C_542D),
    ("TIOCGPGRP", 0x540F),
    ("TIOCGWINSZ", 0x5413),
    ("FIONREAD", 0x541B),
    ("FIONBIO", 0x5421),
    ("FIOCLEX", 0x5451),
];

/// `prctl(option, ...)`: only naming a thread.
const PRCTLS: &[(&str, i32)] = &[
    ("PR_SET_NAME", libc::PR_SET_NAME),
    ("PR_GET_NAME", libc::PR_GET_NAME),
];

fn err(what: &str, e: impl std::fmt::Display) -> InitError {
    InitError::Sys {
        what: what.to_string(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// One rule per value: argument `index` (32 bits) equals it.
fn arg_in(values: impl Iterator<Item = u64>, index: u8) -> Result<Vec<SeccompRule>, InitError> {
    values
        .map(|v| {
            let cond = SeccompCondition::new(index, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, v)
                .map_err(|e| err("seccomp condition", e))?;
            SeccompRule::new(vec![cond]).map_err(|e| err("seccomp rule", e))
        })
        .collect()
}

/// The seccomp program: [`ALLOWED`], `socket` for [`SOCKET_DOMAINS`], `ioctl` for [`IOCTLS`],
/// `prctl` for [`PRCTLS`]; anything else fails with `EPERM` (a forgotten call makes an
/// operation fail with an error the program reports, rather than killing it mid-entry).
pub fn filter() -> Result<BpfProgram, InitError> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BTreeMap::new();
    for (_, nr) in ALLOWED {
        rules.insert(*nr, Vec::new());
    }
    rules.insert(
        libc::SYS_socket,
        arg_in(
            SOCKET_DOMAINS
                .iter()
                .map(|(_, d)| u64::from(d.unsigned_abs())),
            0,
        )?,
    );
    rules.insert(libc::SYS_ioctl, arg_in(IOCTLS.iter().map(|(_, r)| *r), 1)?);
    rules.insert(
        libc::SYS_prctl,
        arg_in(PRCTLS.iter().map(|(_, o)| u64::from(o.unsigned_abs())), 0)?,
    );
    let f = SeccompFilter::new(
        rules,
        SeccompAction::Errno(libc::EPERM.unsigned_abs()),
        SeccompAction::Allow,
        TargetArch::x86_64,
    )
    .map_err(|e| err("seccomp filter", e))?;
    f.try_into()
        .map_err(|e: seccompiler::BackendError| err("seccomp program", e))
}

/// Drops every privilege (see the module documentation) and puts the seccomp filter in force.
/// Call it in a single-threaded process (the launcher) just before `exec`: the uid and gid
/// calls are per thread.
pub fn confine(uid: u32, gid: u32) -> Result<(), InitError> {
    use rustix::thread as t;
    let program = filter()?;
    // 1. The bounding set, capability by capability, up to the last one this kernel has
    // (PR_CAPBSET_DROP says EINVAL beyond it).
    for n in 0..64u32 {
        match t::remove_capability_from_bounding_set(CapabilitySet::from_bits_retain(1u64 << n)) {
            Ok(()) => {}
            Err(rustix::io::Errno::INVAL) => break,
            Err(e) => {
                return Err(err(
                    &format!("drop capability {n} from the bounding set"),
                    e,
                ));
            }
        }
    }
    t::clear_ambient_capability_set().map_err(|e| err("clear the ambient capabilities", e))?;
    // 2. Groups, gid, uid.
    t::set_thread_groups(&[]).map_err(|e| err("setgroups", e))?;
    let g = rustix::process::Gid::from_raw(gid);
    t::set_thread_res_gid(g, g, g).map_err(|e| err("setresgid", e))?;
    let u = rustix::process::Uid::from_raw(uid);
    t::set_thread_res_uid(u, u, u).map_err(|e| err("setresuid", e))?;
    let none = CapabilitySets {
        effective: CapabilitySet::empty(),
        permitted: CapabilitySet::empty(),
        inheritable: CapabilitySet::empty(),
    };
    t::set_capabilities(None, none).map_err(|e| err("capset", e))?;
    // 3. Read back.
    let now = t::capabilities(None).map_err(|e| err("capget", e))?;
    if now != none {
        return Err(err("capabilities", format!("still held: {now:?}")));
    }
    for n in 0..64u32 {
        match t::capability_is_in_bounding_set(CapabilitySet::from_bits_retain(1u64 << n)) {
            Ok(false) => {}
            Ok(true) => return Err(err("bounding set", format!("capability {n} still in it"))),
            Err(_) => break,
        }
    }
    if rustix::process::getuid().as_raw() != uid
        || rustix::process::geteuid().as_raw() != uid
        || rustix::process::getgid().as_raw() != gid
        || rustix::process::getegid().as_raw() != gid
    {
        return Err(err(
            "uid/gid",
            "not the terminal's after setresuid/setresgid",
        ));
    }
    // 4. No new privileges, then the filter.
    t::set_no_new_privs(true).map_err(|e| err("no_new_privs", e))?;
    seccompiler::apply_filter(&program).map_err(|e| err("seccomp", e))?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_compiles_and_leaves_out_what_the_terminal_must_not_do() {
        let program = filter().unwrap();
        assert!(!program.is_empty());
        let names: Vec<&str> = ALLOWED.iter().map(|(n, _)| *n).collect();
        for forbidden in [
            "mount",
            "umount2",
            "init_module",
            "finit_module",
            "delete_module",
            "reboot",
            "kexec_load",
            "ptrace",
            "setuid",
            "setresuid",
            "chroot",
            "pivot_root",
            "bpf",
            "perf_event_open",
            "unshare",
            "setns",
            "connect",
            "open_by_handle_at",
            "swapon",
            "fsopen",
            "fsmount",
            "move_mount",
            "mknod",
            "mknodat",
            "chown",
            "fchown",
        ] {
            assert!(!names.contains(&forbidden), "{forbidden}");
        }
        let numbers: Vec<i64> = ALLOWED.iter().map(|(_, n)| *n).collect();
        for forbidden in [
            libc::SYS_mount,
            libc::SYS_umount2,
            libc::SYS_finit_module,
            libc::SYS_init_module,
            libc::SYS_connect,
            libc::SYS_socket,
            libc::SYS_ioctl,
            libc::SYS_prctl,
        ] {
            assert!(!numbers.contains(&forbidden), "{forbidden}");
        }
    }
}
