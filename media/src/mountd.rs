//! The mount service: on the appliance the terminal runs as an unprivileged user and cannot
//! read a block device or mount anything; PID 1 (`tally-image`'s init) does it for the terminal
//! through this module, over a `SOCK_SEQPACKET` socket pair it creates for each start of the
//! program (docs/image.md, "Privilege separation").
//!
//! The protocol is small and strict. A [`Request`] is exactly [`REQUEST_LEN`] bytes: a magic,
//! an operation, one argument byte and a device name below `/dev` of at most [`MAX_NAME`]
//! bytes (`sd` + letters + digits: [`DeviceName`]), zero padding to the end. A [`Response`] is
//! exactly [`RESPONSE_LEN`] bytes, with a text of at most [`MAX_TEXT`] bytes. Any other length,
//! magic, operation, argument, name or non-zero padding is refused.
//!
//! The four requests:
//! - [`Request::Probe`]: what file system is on this partition (or partitionless disk) of a USB
//!   stick; PID 1 reads its first bytes ([`crate::fsprobe::probe_device`]);
//! - [`Request::Mount`]: mount this volume read-only or writable at one of PID 1's fixed mount
//!   points ([`slot_path`], below [`MOUNT_DIR`]);
//! - [`Request::Unmount`]: unmount a slot PID 1 mounted for this program;
//! - [`Request::Present`]: whether the stick is still there ([`crate::medium::device_gone`]).
//!
//! The [`Server`] (PID 1) checks every request against what it finds itself: the device must be
//! a USB mass-storage stick that its own classification ([`crate::detect::classify`] with the
//! system policy) does not ignore (not the boot stick, not a disk the system mounted, not an
//! internal disk), a mount only of the one usable volume that classification names, with the
//! file system PID 1 probed itself and only if [`MediaFilesystems::STRANGERS`] allows it (vfat or
//! exFAT), with [`crate::mount::mount_flags`] and the terminal's uid as owner. Everything else is
//! refused with a reason, logged, and the server carries on.
//!
//! The [`Client`] (the terminal) is installed once ([`install_from_env`]) when the init announces
//! the inherited socket in [`FD_ENV`]; then [`crate::mount::Mount`], the watcher's probing and
//! [`crate::medium::device_gone`] go through it. Without it (the host, tests, the demo) nothing
//! changes.

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, MsgFlags, SockFlag, SockType, getsockopt, recv, send, socketpair, sockopt,
};

use crate::detect::{Verdict, classify};
use crate::error::MediaError;
use crate::fsprobe::{FsProbe, FsType, MediaFilesystems};
use crate::mount::{Mount, MountMode};
use crate::watch::SysRoot;

/// The environment variable in which the init names the inherited socket's descriptor number.
pub const FD_ENV: &str = "TALLY_MOUNT_FD";

/// Where PID 1's fixed mount points are (`slot0` .. `slot3`).
pub const MOUNT_DIR: &str = "/run/media";

/// How many sticks' volumes can be mounted at once.
pub const SLOTS: u8 = 4;

/// The size of every request.
pub const REQUEST_LEN: usize = 64;

/// The size of every response.
pub const RESPONSE_LEN: usize = 256;

/// The longest device name.
pub const MAX_NAME: usize = 16;

/// The longest text in a response.
pub const MAX_TEXT: usize = RESPONSE_LEN - 8;

/// How long the client waits for PID 1's answer (a mount of a slow stick included).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

const REQUEST_MAGIC: &[u8; 4] = b"TMQ1";
const RESPONSE_MAGIC: &[u8; 4] = b"TMA1";

/// The mount point of a slot.
pub fn slot_path(slot: u8) -> PathBuf {
    Path::new(MOUNT_DIR).join(format!("slot{slot}"))
}

/// Why a message is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// Not exactly the fixed size (more than the size: `len` is the size plus one or more).
    #[error("message of {len} bytes (exactly {want} expected)")]
    Length {
        /// The bytes received.
        len: usize,
        /// The fixed size.
        want: usize,
    },
    /// The first four bytes are not the magic.
    #[error("bad magic")]
    Magic,
    /// An unknown operation.
    #[error("unknown operation {0}")]
    Operation(u8),
    /// An argument byte out of range for the operation.
    #[error("bad argument {0} for the operation")]
    Argument(u8),
    /// A device name that is not `sd` + letters + digits.
    #[error("bad device name {0:?}")]
    Name(String),
    /// Bytes after the content that are not zero.
    #[error("non-zero padding")]
    Padding,
    /// A response's text is not UTF-8.
    #[error("response text is not UTF-8")]
    Text,
}

/// A block device's name below `/dev` as USB sticks have it: `sd`, one to three lower-case
/// letters, up to three digits (`sda`, `sdb1`, `sdaa12`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceName(String);

impl DeviceName {
    /// Parses a name strictly.
    pub fn parse(name: &str) -> Result<DeviceName, ProtocolError> {
        let bad = || ProtocolError::Name(name.chars().take(MAX_NAME + 8).collect());
        let rest = name.strip_prefix("sd").ok_or_else(bad)?;
        let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        let digits = rest.get(letters..).ok_or_else(bad)?;
        if !(1..=3).contains(&letters)
            || digits.len() > 3
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(bad());
        }
        Ok(DeviceName(name.to_owned()))
    }

    /// The name of a device node `/dev/<name>`.
    pub fn of_node(node: &Path) -> Result<DeviceName, ProtocolError> {
        let bad = || ProtocolError::Name(node.display().to_string());
        let name = node.strip_prefix("/dev").map_err(|_| bad())?;
        DeviceName::parse(name.to_str().ok_or_else(bad)?)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The device node, `/dev/<name>`.
    pub fn node(&self) -> PathBuf {
        Path::new("/dev").join(&self.0)
    }
}

/// What the terminal asks PID 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Which file system is on this volume.
    Probe(DeviceName),
    /// Mount this volume (read-only, or writable for an export) at a free slot.
    Mount(DeviceName, MountMode),
    /// Unmount this slot.
    Unmount(u8),
    /// Whether this device is still there.
    Present(DeviceName),
}

const OP_PROBE: u8 = 1;
const OP_MOUNT: u8 = 2;
const OP_UNMOUNT: u8 = 3;
const OP_PRESENT: u8 = 4;

impl Request {
    /// The request's bytes.
    pub fn encode(&self) -> [u8; REQUEST_LEN] {
        let mut out = [0u8; REQUEST_LEN];
        let (op, arg, name) = match self {
            Request::Probe(n) => (OP_PROBE, 0, Some(n)),
            Request::Mount(n, MountMode::ReadOnly) => (OP_MOUNT, 0, Some(n)),
            Request::Mount(n, MountMode::ReadWrite) => (OP_MOUNT, 1, Some(n)),
            Request::Unmount(slot) => (OP_UNMOUNT, *slot, None),
            Request::Present(n) => (OP_PRESENT, 0, Some(n)),
        };
        out[..4].copy_from_slice(REQUEST_MAGIC);
        out[4] = op;
        out[5] = arg;
        if let Some(n) = name {
            let b = n.0.as_bytes();
            // A DeviceName is at most MAX_NAME bytes (checked by parse).
            let len = b.len().min(MAX_NAME);
            out[6] = len as u8;
            for (d, s) in out.iter_mut().skip(7).zip(b.iter().take(len)) {
                *d = *s;
            }
        }
        out
    }

    /// Parses a request strictly (see the module documentation).
    pub fn parse(bytes: &[u8]) -> Result<Request, ProtocolError> {
        if bytes.len() != REQUEST_LEN {
            return Err(ProtocolError::Length {
                len: bytes.len(),
                want: REQUEST_LEN,
            });
        }
        if bytes.get(..4) != Some(REQUEST_MAGIC.as_slice()) {
            return Err(ProtocolError::Magic);
        }
        let byte = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let (op, arg, len) = (byte(4), byte(5), usize::from(byte(6)));
        if len > MAX_NAME {
            return Err(ProtocolError::Name(format!("({len} bytes)")));
        }
        let name_bytes = bytes.get(7..7 + len).unwrap_or_default();
        if bytes
            .get(7 + len..)
            .unwrap_or_default()
            .iter()
            .any(|b| *b != 0)
        {
            return Err(ProtocolError::Padding);
        }
        let name = || {
            let s = std::str::from_utf8(name_bytes)
                .map_err(|_| ProtocolError::Name(String::from_utf8_lossy(name_bytes).into()))?;
            DeviceName::parse(s)
        };
        let no_arg = |r: Request| {
            if arg == 0 {
                Ok(r)
            } else {
                Err(ProtocolError::Argument(arg))
            }
        };
        match op {
            OP_PROBE => no_arg(Request::Probe(name()?)),
            OP_MOUNT => {
                let mode = match arg {
                    0 => MountMode::ReadOnly,
                    1 => MountMode::ReadWrite,
                    a => return Err(ProtocolError::Argument(a)),
                };
                Ok(Request::Mount(name()?, mode))
            }
            OP_UNMOUNT if len != 0 => Err(ProtocolError::Name("(a name with unmount)".into())),
            OP_UNMOUNT if arg >= SLOTS => Err(ProtocolError::Argument(arg)),
            OP_UNMOUNT => Ok(Request::Unmount(arg)),
            OP_PRESENT => no_arg(Request::Present(name()?)),
            other => Err(ProtocolError::Operation(other)),
        }
    }
}

/// What PID 1 answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The file system found.
    Probed(FsProbe),
    /// Mounted at this slot ([`slot_path`]).
    Mounted(u8),
    /// Unmounted.
    Unmounted,
    /// The device is there (`None`) or gone (what was seen).
    Present(Option<String>),
    /// The request was refused (why).
    Refused(String),
    /// The request was allowed but failed (why).
    Failed(String),
}

const R_PROBED: u8 = 1;
const R_MOUNTED: u8 = 2;
const R_UNMOUNTED: u8 = 3;
const R_PRESENT: u8 = 4;
const R_REFUSED: u8 = 5;
const R_FAILED: u8 = 6;

fn fs_code(fs: FsType) -> u8 {
    match fs {
        FsType::Vfat => 1,
        FsType::Exfat => 2,
        FsType::Ext4 => 3,
    }
}

/// `text` cut to at most [`MAX_TEXT`] bytes on a character boundary.
fn capped(text: &str) -> &str {
    let mut end = text.len().min(MAX_TEXT);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or_default()
}

impl Response {
    /// The response's bytes (a text longer than [`MAX_TEXT`] is cut).
    pub fn encode(&self) -> [u8; RESPONSE_LEN] {
        let (kind, a, b, text): (u8, u8, u8, &str) = match self {
            Response::Probed(FsProbe::None) => (R_PROBED, 0, 0, ""),
            Response::Probed(FsProbe::Supported(fs)) => (R_PROBED, 1, fs_code(*fs), ""),
            Response::Probed(FsProbe::Other(name)) => (R_PROBED, 2, 0, name),
            Response::Probed(FsProbe::Unreadable(why)) => (R_PROBED, 3, 0, why),
            Response::Mounted(slot) => (R_MOUNTED, *slot, 0, ""),
            Response::Unmounted => (R_UNMOUNTED, 0, 0, ""),
            Response::Present(None) => (R_PRESENT, 0, 0, ""),
            Response::Present(Some(why)) => (R_PRESENT, 1, 0, why),
            Response::Refused(why) => (R_REFUSED, 0, 0, why),
            Response::Failed(why) => (R_FAILED, 0, 0, why),
        };
        let text = capped(text).as_bytes();
        let mut out = [0u8; RESPONSE_LEN];
        out[..4].copy_from_slice(RESPONSE_MAGIC);
        out[4] = kind;
        out[5] = a;
        out[6] = b;
        out[7] = text.len() as u8;
        for (d, s) in out.iter_mut().skip(8).zip(text) {
            *d = *s;
        }
        out
    }

    /// Parses a response strictly.
    pub fn parse(bytes: &[u8]) -> Result<Response, ProtocolError> {
        if bytes.len() != RESPONSE_LEN {
            return Err(ProtocolError::Length {
                len: bytes.len(),
                want: RESPONSE_LEN,
            });
        }
        if bytes.get(..4) != Some(RESPONSE_MAGIC.as_slice()) {
            return Err(ProtocolError::Magic);
        }
        let byte = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let (kind, a, b, len) = (byte(4), byte(5), byte(6), usize::from(byte(7)));
        if len > MAX_TEXT {
            return Err(ProtocolError::Argument(byte(7)));
        }
        if bytes
            .get(8 + len..)
            .unwrap_or_default()
            .iter()
            .any(|x| *x != 0)
        {
            return Err(ProtocolError::Padding);
        }
        let text = std::str::from_utf8(bytes.get(8..8 + len).unwrap_or_default())
            .map_err(|_| ProtocolError::Text)?
            .to_owned();
        let plain = |r: Response| {
            if a == 0 && b == 0 && text.is_empty() {
                Ok(r)
            } else {
                Err(ProtocolError::Padding)
            }
        };
        match (kind, a, b) {
            (R_PROBED, 0, 0) => plain(Response::Probed(FsProbe::None)),
            (R_PROBED, 1, code) => {
                let fs = match code {
                    1 => FsType::Vfat,
                    2 => FsType::Exfat,
                    3 => FsType::Ext4,
                    c => return Err(ProtocolError::Argument(c)),
                };
                if text.is_empty() {
                    Ok(Response::Probed(FsProbe::Supported(fs)))
                } else {
                    Err(ProtocolError::Padding)
                }
            }
            (R_PROBED, 2, 0) => Ok(Response::Probed(FsProbe::Other(text))),
            (R_PROBED, 3, 0) => Ok(Response::Probed(FsProbe::Unreadable(text))),
            (R_MOUNTED, slot, 0) if slot < SLOTS && text.is_empty() => Ok(Response::Mounted(slot)),
            (R_UNMOUNTED, 0, 0) => plain(Response::Unmounted),
            (R_PRESENT, 0, 0) => plain(Response::Present(None)),
            (R_PRESENT, 1, 0) => Ok(Response::Present(Some(text))),
            (R_REFUSED, 0, 0) => Ok(Response::Refused(text)),
            (R_FAILED, 0, 0) => Ok(Response::Failed(text)),
            (k, _, _) if !(R_PROBED..=R_FAILED).contains(&k) => Err(ProtocolError::Operation(k)),
            (_, a, _) => Err(ProtocolError::Argument(a)),
        }
    }
}

/// A connected pair of `SOCK_SEQPACKET` sockets (close-on-exec): the init keeps the first and
/// hands the second to the program.
pub fn channel() -> Result<(OwnedFd, OwnedFd), MediaError> {
    socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .map_err(|e| MediaError::Devices {
        op: "socketpair",
        source: e.into(),
    })
}

/// One message from `fd` and its real length (`MSG_TRUNC`: a message longer than `max` is cut
/// to `max + 1` bytes, its length kept, so the caller sees how long it was); `Ok(None)` when the
/// peer has closed its end.
/// Reads and drops every message already queued on `fd`, without waiting (at most as many as
/// the server can have answered late: one per request that timed out, a few at most).
fn discard_queued(fd: &OwnedFd) {
    use std::os::fd::AsRawFd as _;
    let mut buf = [0u8; RESPONSE_LEN];
    for _ in 0..64 {
        match recv(
            fd.as_raw_fd(),
            &mut buf,
            MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC,
        ) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

fn receive(
    fd: &OwnedFd,
    max: usize,
    timeout: Option<Duration>,
) -> Result<Option<(usize, Vec<u8>)>, MediaError> {
    use std::os::fd::AsRawFd as _;
    let err = |op: &'static str, e: nix::errno::Errno| MediaError::Devices {
        op,
        source: e.into(),
    };
    loop {
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        let t = match timeout {
            None => PollTimeout::NONE,
            Some(t) => PollTimeout::try_from(t).unwrap_or(PollTimeout::MAX),
        };
        let n = match poll(&mut fds, t) {
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(err("poll", e)),
        };
        if n == 0 {
            return Err(MediaError::Devices {
                op: "wait for the mount service",
                source: std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer"),
            });
        }
        let hangup = fds
            .first()
            .and_then(PollFd::revents)
            .is_some_and(|r| r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR));
        let mut buf = vec![0u8; max.saturating_add(1)];
        let flags = MsgFlags::MSG_TRUNC | MsgFlags::MSG_DONTWAIT;
        let len = match recv(fd.as_raw_fd(), &mut buf, flags) {
            Ok(len) => len,
            Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) if !hangup => continue,
            Err(nix::errno::Errno::EAGAIN) => return Ok(None),
            Err(e) => return Err(err("recv", e)),
        };
        // A zero-length message and the end of the peer both read as 0 bytes: the hang-up
        // tells them apart.
        if len == 0 && hangup {
            return Ok(None);
        }
        buf.truncate(len.min(buf.len()));
        return Ok(Some((len, buf)));
    }
}

fn send_all(fd: &OwnedFd, bytes: &[u8]) -> Result<(), MediaError> {
    let n = send(
        std::os::fd::AsRawFd::as_raw_fd(fd),
        bytes,
        MsgFlags::MSG_NOSIGNAL,
    )
    .map_err(|e| MediaError::Devices {
        op: "send",
        source: e.into(),
    })?;
    if n == bytes.len() {
        Ok(())
    } else {
        Err(MediaError::Devices {
            op: "send",
            source: std::io::Error::other("message cut short"),
        })
    }
}

/// The terminal's end: sends requests and parses the answers.
#[derive(Debug)]
pub struct Client {
    socket: OwnedFd,
}

impl Client {
    /// A client on a connected `SOCK_SEQPACKET` socket (refused otherwise).
    pub fn new(socket: OwnedFd) -> Result<Client, MediaError> {
        match getsockopt(&socket, sockopt::SockType) {
            Ok(SockType::SeqPacket) => Ok(Client { socket }),
            Ok(other) => Err(MediaError::Devices {
                op: "mount service socket",
                source: std::io::Error::other(format!("a {other:?} socket, not SOCK_SEQPACKET")),
            }),
            Err(e) => Err(MediaError::Devices {
                op: "mount service socket",
                source: e.into(),
            }),
        }
    }

    /// Sends raw bytes and reads one answer (the guest tests send malformed requests this way).
    /// An answer left over from a request that timed out is discarded first, so that no
    /// answer is ever taken for the next request's (the messages carry no request id).
    pub fn exchange_raw(&self, bytes: &[u8]) -> Result<Response, MediaError> {
        discard_queued(&self.socket);
        send_all(&self.socket, bytes)?;
        let (_, answer) =
            receive(&self.socket, RESPONSE_LEN, Some(ANSWER_TIMEOUT))?.ok_or_else(|| {
                MediaError::Devices {
                    op: "mount service",
                    source: std::io::Error::new(
                        std::io::ErrorKind::BrokenPipe,
                        "PID 1 closed the channel",
                    ),
                }
            })?;
        Response::parse(&answer).map_err(|e| MediaError::Devices {
            op: "mount service answer",
            source: std::io::Error::other(e.to_string()),
        })
    }

    /// Sends a request and reads its answer.
    pub fn call(&self, request: &Request) -> Result<Response, MediaError> {
        self.exchange_raw(&request.encode())
    }
}

static CLIENT: OnceLock<Mutex<Client>> = OnceLock::new();

/// Takes the socket the init announced in [`FD_ENV`] and installs it as this process's mount
/// client. `Ok(false)` when the variable is not set (not under the appliance's init).
pub fn install_from_env() -> Result<bool, MediaError> {
    let Some(value) = std::env::var_os(FD_ENV) else {
        return Ok(false);
    };
    let bad = |why: &str| MediaError::Devices {
        op: "mount service descriptor",
        source: std::io::Error::other(format!("{FD_ENV}={value:?}: {why}")),
    };
    let number: i32 = value
        .to_str()
        .filter(|s| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 3)
        .ok_or_else(|| bad("not a descriptor number of 3 or more"))?;
    // The inherited descriptor is taken over through a pidfd of this process (safe, unlike
    // building an OwnedFd from a raw number); the original stays open and unused.
    let me = rustix::process::getpid();
    let pidfd = rustix::process::pidfd_open(me, rustix::process::PidfdFlags::empty())
        .map_err(|e| bad(&format!("pidfd_open: {e}")))?;
    let socket =
        rustix::process::pidfd_getfd(&pidfd, number, rustix::process::PidfdGetfdFlags::empty())
            .map_err(|e| bad(&format!("pidfd_getfd: {e}")))?;
    install(Client::new(socket)?)
}

/// Installs `client` as this process's mount client (once; `Ok(true)`).
pub fn install(client: Client) -> Result<bool, MediaError> {
    CLIENT
        .set(Mutex::new(client))
        .map_err(|_| MediaError::Devices {
            op: "mount service",
            source: std::io::Error::other("a client is installed already"),
        })?;
    Ok(true)
}

/// Whether a mount client is installed (the program runs under the appliance's init).
pub fn installed() -> bool {
    CLIENT.get().is_some()
}

/// Sends `request` through the installed client; `None` without one.
pub fn call(request: &Request) -> Option<Result<Response, MediaError>> {
    let client = CLIENT.get()?;
    let guard = match client.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    Some(guard.call(request))
}

/// Sends raw bytes through the installed client and reads one answer; `None` without one (the
/// guest tests send malformed requests this way).
pub fn exchange_raw(bytes: &[u8]) -> Option<Result<Response, MediaError>> {
    let client = CLIENT.get()?;
    let guard = match client.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    Some(guard.exchange_raw(bytes))
}

/// PID 1's end: checks and carries out requests for one start of the program.
pub struct Server {
    uid: u32,
    gid: u32,
    slots: Vec<Option<Mount>>,
    log: Box<dyn FnMut(&str) + Send>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("uid", &self.uid)
            .field("gid", &self.gid)
            .finish_non_exhaustive()
    }
}

/// Makes [`MOUNT_DIR`] and its slots (root's, mode 0755: the mounted file system's own options
/// give the terminal's user its files).
pub fn prepare_mount_dir() -> Result<(), MediaError> {
    use std::os::unix::fs::DirBuilderExt as _;
    for dir in std::iter::once(PathBuf::from(MOUNT_DIR)).chain((0..SLOTS).map(slot_path)) {
        match std::fs::DirBuilder::new().mode(0o755).create(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(MediaError::io("mkdir", &dir, e)),
        }
    }
    Ok(())
}

impl Server {
    /// A server mounting for the program running as `uid`:`gid`; `log` gets one English line
    /// per refusal and per mount or unmount.
    pub fn new(uid: u32, gid: u32, log: Box<dyn FnMut(&str) + Send>) -> Server {
        Server {
            uid,
            gid,
            slots: (0..SLOTS).map(|_| None).collect(),
            log,
        }
    }

    /// Serves requests on `socket` until the program's end is closed (the program ended), then
    /// detaches whatever is still mounted for it. A malformed or refused request is answered,
    /// logged, and the next one served; only a failing socket ends it early.
    pub fn serve(&mut self, socket: OwnedFd) {
        loop {
            let (len, msg) = match receive(&socket, REQUEST_LEN, None) {
                Ok(Some(got)) => got,
                Ok(None) => break,
                Err(e) => {
                    (self.log)(&format!("mount service: {e}; stopping"));
                    break;
                }
            };
            let answer = if len > msg.len() {
                self.answer(Err(ProtocolError::Length {
                    len,
                    want: REQUEST_LEN,
                }))
            } else {
                self.handle(&msg)
            };
            if let Err(e) = send_all(&socket, &answer.encode()) {
                (self.log)(&format!("mount service: answer: {e}"));
            }
        }
        for slot in 0..SLOTS {
            if let Some(m) = self.slots.get_mut(usize::from(slot)).and_then(Option::take) {
                (self.log)(&format!(
                    "mount service: program ended; detaching slot {slot}"
                ));
                drop(m);
            }
        }
    }

    /// Checks and carries out one request.
    pub fn handle(&mut self, msg: &[u8]) -> Response {
        self.answer(Request::parse(msg))
    }

    fn answer(&mut self, request: Result<Request, ProtocolError>) -> Response {
        let response = match request {
            Err(e) => Response::Refused(format!("malformed request: {e}")),
            Ok(request) => self.carry_out(&request),
        };
        match &response {
            Response::Refused(why) => (self.log)(&format!("mount service: REFUSED: {why}")),
            Response::Failed(why) => (self.log)(&format!("mount service: failed: {why}")),
            Response::Mounted(slot) => (self.log)(&format!("mount service: mounted slot {slot}")),
            Response::Unmounted => (self.log)("mount service: unmounted"),
            _ => {}
        }
        response
    }

    fn carry_out(&mut self, request: &Request) -> Response {
        match request {
            Request::Probe(name) => match stick_of(name) {
                Err(why) => Response::Refused(why),
                Ok(_) => Response::Probed(
                    crate::fsprobe::probe_device(&name.node())
                        .unwrap_or_else(|e| FsProbe::Unreadable(e.to_string())),
                ),
            },
            Request::Present(name) => {
                let gone = || {
                    (!Path::new("/sys/class/block").join(name.as_str()).exists())
                        .then(|| format!("{} is gone", name.node().display()))
                };
                if let Some(g) = gone() {
                    return Response::Present(Some(g));
                }
                match stick_of(name) {
                    // Gone while it was being looked at (a pulled stick): that is the answer.
                    Err(why) => {
                        gone().map_or(Response::Refused(why), |g| Response::Present(Some(g)))
                    }
                    Ok(_) => Response::Present(crate::medium::device_gone(&name.node())),
                }
            }
            Request::Mount(name, mode) => self.mount(name, *mode),
            Request::Unmount(slot) => {
                match self
                    .slots
                    .get_mut(usize::from(*slot))
                    .and_then(Option::take)
                {
                    None => {
                        Response::Refused(format!("slot {slot} is not mounted for the program"))
                    }
                    Some(m) => match m.unmount() {
                        Ok(()) => Response::Unmounted,
                        Err(e) => Response::Failed(format!("{e} (detached lazily)")),
                    },
                }
            }
        }
    }

    fn mount(&mut self, name: &DeviceName, mode: MountMode) -> Response {
        let volume = match stick_of(name) {
            Err(why) => return Response::Refused(why),
            Ok(Verdict::Usable(volume)) if volume.devnode == name.node() => volume,
            Ok(Verdict::Usable(volume)) => {
                return Response::Refused(format!(
                    "{} is not the usable volume of its stick ({} is)",
                    name.node().display(),
                    volume.devnode.display()
                ));
            }
            Ok(Verdict::Unusable(why)) => {
                return Response::Refused(format!("{}: {why}", name.node().display()));
            }
            Ok(Verdict::Ignored(why)) => {
                return Response::Refused(format!("{}: ignored ({why:?})", name.node().display()));
            }
        };
        // The file system is checked once more against STRANGERS by `Mount::at`.
        if self
            .slots
            .iter()
            .flatten()
            .any(|m| m.device() == volume.devnode)
        {
            return Response::Refused(format!("{} is mounted already", name.node().display()));
        }
        let busy = crate::mount::mounts_under(Path::new(MOUNT_DIR)).unwrap_or_default();
        let free = (0..SLOTS).find(|s| {
            self.slots.get(usize::from(*s)).is_some_and(Option::is_none)
                && !busy.iter().any(|m| m.mount_point == slot_path(*s))
        });
        let Some(slot) = free else {
            return Response::Refused("every mount point is in use".into());
        };
        match Mount::at(
            &volume.devnode,
            volume.fs,
            MediaFilesystems::STRANGERS,
            mode,
            &slot_path(slot),
            Some((self.uid, self.gid)),
        ) {
            Ok(m) => {
                if let Some(s) = self.slots.get_mut(usize::from(slot)) {
                    *s = Some(m);
                }
                Response::Mounted(slot)
            }
            Err(e) => Response::Failed(e.to_string()),
        }
    }
}

/// PID 1's own classification of the stick that `name` (a disk or one of its partitions) is on:
/// `Err` for what is no USB stick the program may use (the boot stick, a disk the system
/// mounted, an internal disk, a name the kernel does not know).
fn stick_of(name: &DeviceName) -> Result<Verdict, String> {
    let root = SysRoot::system();
    let class = Path::new("/sys/class/block").join(name.as_str());
    let devpath = root
        .devpath_of(&class)
        .map_err(|_| format!("{}: no such block device", name.node().display()))?;
    let me = root
        .record_device(&devpath)
        .map_err(|e| format!("{}: {e}", name.node().display()))?;
    let disk = match me.devtype.as_deref() {
        Some("disk") => devpath.clone(),
        Some("partition") => devpath
            .rsplit_once('/')
            .map(|(parent, _)| parent.to_owned())
            .ok_or_else(|| format!("{}: partition without a disk", name.node().display()))?,
        other => {
            return Err(format!(
                "{}: not a disk or partition ({other:?})",
                name.node().display()
            ));
        }
    };
    let record = root
        .record_disk(&disk)
        .map_err(|e| format!("{}: {e}", name.node().display()))?;
    let policy = crate::watch::system_policy(Path::new(MOUNT_DIR));
    let c = classify(&record, &policy);
    match c.verdict {
        Verdict::Ignored(why) => Err(format!(
            "{}: not a stick the program may use ({why:?})",
            name.node().display()
        )),
        v => Ok(v),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn name(s: &str) -> DeviceName {
        DeviceName::parse(s).unwrap()
    }

    #[test]
    fn requests_round_trip() {
        for r in [
            Request::Probe(name("sda1")),
            Request::Mount(name("sdb"), MountMode::ReadOnly),
            Request::Mount(name("sdzz12"), MountMode::ReadWrite),
            Request::Unmount(3),
            Request::Present(name("sdc")),
        ] {
            assert_eq!(Request::parse(&r.encode()), Ok(r));
        }
    }

    #[test]
    fn device_names_are_strict() {
        for bad in [
            "",
            "sd",
            "sda0",
            "sda1234",
            "sdabcd",
            "vda",
            "sda/../vda",
            "../sda",
            "sdA",
            "sda ",
            "sr0",
            "loop0",
            "nvme0n1",
            "sd1",
        ] {
            assert!(DeviceName::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            DeviceName::of_node(Path::new("/dev/sdb1")),
            Ok(name("sdb1"))
        );
        assert!(DeviceName::of_node(Path::new("/tmp/sdb1")).is_err());
        assert!(DeviceName::of_node(Path::new("/dev/mapper/sdb1")).is_err());
    }

    #[test]
    fn malformed_requests_are_refused_with_the_reason() {
        let good = Request::Mount(name("sda1"), MountMode::ReadOnly).encode();
        assert!(matches!(
            Request::parse(&good[..63]),
            Err(ProtocolError::Length { len: 63, .. })
        ));
        let mut long = good.to_vec();
        long.push(0);
        assert!(matches!(
            Request::parse(&long),
            Err(ProtocolError::Length { len: 65, .. })
        ));
        assert!(Request::parse(&[]).is_err());
        let mut m = good;
        m[0] = b'X';
        assert_eq!(Request::parse(&m), Err(ProtocolError::Magic));
        let mut m = good;
        m[4] = 9;
        assert_eq!(Request::parse(&m), Err(ProtocolError::Operation(9)));
        let mut m = good;
        m[5] = 2;
        assert_eq!(Request::parse(&m), Err(ProtocolError::Argument(2)));
        let mut m = good;
        m[63] = 1;
        assert_eq!(Request::parse(&m), Err(ProtocolError::Padding));
        let mut m = good;
        m[6] = 17;
        assert!(matches!(Request::parse(&m), Err(ProtocolError::Name(_))));
        let mut m = Request::Unmount(0).encode();
        m[5] = SLOTS;
        assert_eq!(Request::parse(&m), Err(ProtocolError::Argument(SLOTS)));
        // A path smuggled into the name.
        let mut m = [0u8; REQUEST_LEN];
        m[..4].copy_from_slice(REQUEST_MAGIC);
        m[4] = OP_MOUNT;
        let path = b"../etc/passwd";
        m[6] = path.len() as u8;
        m[7..7 + path.len()].copy_from_slice(path);
        assert!(matches!(Request::parse(&m), Err(ProtocolError::Name(_))));
        let mut m = Request::Probe(name("sda")).encode();
        m[5] = 1;
        assert_eq!(Request::parse(&m), Err(ProtocolError::Argument(1)));
    }

    #[test]
    fn responses_round_trip_and_long_texts_are_cut() {
        for r in [
            Response::Probed(FsProbe::None),
            Response::Probed(FsProbe::Supported(FsType::Exfat)),
            Response::Probed(FsProbe::Other("ntfs".into())),
            Response::Probed(FsProbe::Unreadable("EIO".into())),
            Response::Mounted(2),
            Response::Unmounted,
            Response::Present(None),
            Response::Present(Some("/dev/sda is gone".into())),
            Response::Refused("no".into()),
            Response::Failed("EIO".into()),
        ] {
            assert_eq!(Response::parse(&r.encode()), Ok(r));
        }
        let long = "é".repeat(300);
        let Ok(Response::Refused(t)) = Response::parse(&Response::Refused(long).encode()) else {
            panic!("not parsed")
        };
        assert!(t.len() <= MAX_TEXT && t.chars().all(|c| c == 'é'));
        let mut m = Response::Mounted(1).encode();
        m[5] = SLOTS;
        assert!(Response::parse(&m).is_err());
    }

    #[test]
    fn the_server_refuses_garbage_and_unknown_devices_and_goes_on() {
        let lines = std::sync::Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = lines.clone();
        let mut server = Server::new(
            1000,
            1000,
            Box::new(move |l| sink.lock().unwrap().push(l.to_owned())),
        );
        let (ours, theirs) = channel().unwrap();
        let t = std::thread::spawn(move || server.serve(theirs));
        let client = Client::new(ours).unwrap();
        let refused = |r: Response| matches!(r, Response::Refused(_));
        assert!(refused(client.exchange_raw(b"garbage").unwrap()));
        assert!(refused(client.exchange_raw(&[0u8; 4096]).unwrap()));
        assert!(refused(client.exchange_raw(&[]).unwrap()));
        // sdzz9 does not exist on any machine running these tests.
        assert!(refused(
            client
                .call(&Request::Mount(name("sdzz9"), MountMode::ReadWrite))
                .unwrap()
        ));
        assert!(refused(client.call(&Request::Unmount(1)).unwrap()));
        assert!(refused(
            client.call(&Request::Probe(name("sdzz9"))).unwrap()
        ));
        drop(client);
        t.join().unwrap();
        let lines = lines.lock().unwrap();
        assert_eq!(
            lines.iter().filter(|l| l.contains("REFUSED")).count(),
            6,
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("message of 4096 bytes")),
            "{lines:?}"
        );
    }
}
