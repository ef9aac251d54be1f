//! Booting an image in QEMU with OVMF and Secure Boot, for the tests and the benchmark.
//!
//! The UKI goes on a FAT ESP image as `\EFI\BOOT\BOOTX64.EFI` ([`make_esp`], with `mkfs.vfat
//! -C` and `mtools`: no mounting, no root). [`Vm`] runs `qemu-system-x86_64` (q35 with SMM, the
//! Secure Boot build of OVMF, a copy of an enrolled variable store) with two serial ports: the
//! first gets the firmware's and the kernel's messages (written to a file), the second is the
//! appliance's terminal (`tally.console=ttyS1`), a Unix socket the test reads and types into. A
//! virtio network card is present so that "no network interface" is a real check. Disk images
//! can be plugged in as USB sticks. QEMU is killed when the [`Vm`] is dropped.

use std::fs;
use std::io::{Read as _, Write as _};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::build::{BuildError, run};

/// What went wrong running a VM.
#[derive(Debug, thiserror::Error)]
pub enum VmError {
    /// Preparing files or starting QEMU failed.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// An I/O error with QEMU's files or sockets.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// The expected text did not appear in time.
    #[error("timeout after {secs} s waiting for {needle:?} on {port}; last output:\n{tail}")]
    Timeout {
        /// What was awaited.
        needle: String,
        /// Which port.
        port: &'static str,
        /// How long.
        secs: u64,
        /// The end of what did appear.
        tail: String,
    },
    /// QEMU ended before the expected text appeared.
    #[error("QEMU exited ({status}) while waiting for {needle:?}; last output:\n{tail}")]
    Exited {
        /// What was awaited.
        needle: String,
        /// QEMU's exit status.
        status: String,
        /// The end of the serial output.
        tail: String,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> VmError {
    let what = what.into();
    move |source| VmError::Io { what, source }
}

/// Makes a FAT ESP image at `out` holding `efi` as `\EFI\BOOT\BOOTX64.EFI`.
pub fn make_esp(efi: &Path, out: &Path) -> Result<(), BuildError> {
    make_esp_with(efi, &[], out)
}

/// Makes a FAT ESP image at `out` holding `efi` as `\EFI\BOOT\BOOTX64.EFI` and each of
/// `more` (a file, and its folder and name on the ESP: `("EFI/OLD", "TALLY.EFI")`).
pub fn make_esp_with(
    efi: &Path,
    more: &[(&Path, &str, &str)],
    out: &Path,
) -> Result<(), BuildError> {
    let size_kib = std::iter::once(efi)
        .chain(more.iter().map(|m| m.0))
        .map(|f| fs::metadata(f).map(|m| m.len() / 1024).unwrap_or(0))
        .sum::<u64>()
        .saturating_add(8 * 1024)
        .max(33 * 1024);
    let _ = fs::remove_file(out);
    run(Command::new("mkfs.vfat")
        .args(["-C", "-n", "TALLYESP", "-i", "7a11e7a1"])
        .arg(out)
        .arg(size_kib.to_string()))?;
    run(Command::new("mmd")
        .arg("-i")
        .arg(out)
        .args(["::/EFI", "::/EFI/BOOT"]))?;
    run(Command::new("mcopy")
        .arg("-i")
        .arg(out)
        .arg(efi)
        .arg("::/EFI/BOOT/BOOTX64.EFI"))?;
    for (file, folder, name) in more {
        let mut made = String::from("::");
        for part in folder.split('/').filter(|p| !p.is_empty()) {
            made.push('/');
            made.push_str(part);
            if made != "::/EFI" && made != "::/EFI/BOOT" {
                // A folder made already (by an earlier file) is left as it is.
                let _ = Command::new("mmd").arg("-i").arg(out).arg(&made).output();
            }
        }
        run(Command::new("mcopy")
            .arg("-i")
            .arg(out)
            .arg(file)
            .arg(format!("{made}/{name}")))?;
    }
    Ok(())
}

/// How to start a VM.
#[derive(Debug, Clone)]
pub struct VmConfig {
    /// The ESP image to boot from.
    pub esp: PathBuf,
    /// The OVMF firmware (code).
    pub ovmf_code: PathBuf,
    /// The enrolled OVMF variable store (copied; the copy is the VM's NVRAM).
    pub ovmf_vars: PathBuf,
    /// A directory for the VM's files (serial log, socket, NVRAM copy).
    pub work_dir: PathBuf,
    /// Memory in MiB.
    pub memory_mib: u32,
    /// Raw disk images plugged in as USB sticks (on a qemu-xhci controller).
    pub usb_sticks: Vec<PathBuf>,
}

/// A running QEMU.
#[derive(Debug)]
pub struct Vm {
    child: Child,
    serial0: PathBuf,
    console: Option<UnixStream>,
    console_buf: Vec<u8>,
    console_pos: usize,
    serial0_pos: usize,
    /// When QEMU was started.
    pub started: Instant,
    qmp_path: PathBuf,
    qmp: Option<UnixStream>,
    qmp_buf: Vec<u8>,
    qmp_events: Vec<String>,
}

/// Optional parts of a VM beyond [`VmConfig`].
#[derive(Debug, Clone, Default)]
pub struct VmExtras {
    /// A `qemu-xhci` controller (`id=xhci`) even when no stick is plugged in at start, so sticks
    /// can be hot-plugged with [`Vm::plug_stick`].
    pub usb_controller: bool,
    /// The boot disk ([`VmConfig::esp`], then a whole certified stick: GPT with the ESP and the
    /// data partition) is a writable USB stick (`usb-storage`, device id `bootstick`, first in
    /// the boot order) on the qemu-xhci controller, as on the appliance, instead of a read-only
    /// virtio disk.
    pub boot_from_usb: bool,
    /// With `boot_from_usb`: no `bootindex` on the boot stick, so that the firmware's own
    /// `BootOrder` (the variable store's boot entries) decides what is started.
    pub firmware_boot_order: bool,
    /// The virtual CPU has the hardware random number instructions (`RDRAND`, `RDSEED`), as
    /// every x86-64 PC since about 2015 has; QEMU's default `qemu64` model has not. With them
    /// Debian's kernel (`CONFIG_RANDOM_TRUST_CPU=y`) has its random number generator ready at
    /// boot; without them the first `getrandom` (the terminal's, at its start) waits until the
    /// kernel has gathered entropy itself (about a second under TCG). Only the benchmark sets it.
    pub cpu_rng: bool,
}

impl Vm {
    /// Starts QEMU. Its first serial port goes to `serial0.log` in the work directory, its
    /// second to the socket `console.sock` (connected here).
    pub fn start(cfg: &VmConfig) -> Result<Vm, VmError> {
        Vm::start_with(cfg, &VmExtras::default())
    }

    /// Starts QEMU with extras: a qemu-xhci controller even without sticks (for hot-plug), and
    /// always a QMP socket `qmp.sock` in the work directory ([`Vm::qmp`]).
    pub fn start_with(cfg: &VmConfig, extras: &VmExtras) -> Result<Vm, VmError> {
        fs::create_dir_all(&cfg.work_dir).map_err(io("create the VM's directory"))?;
        let vars = cfg.work_dir.join("OVMF_VARS.fd");
        fs::copy(&cfg.ovmf_vars, &vars).map_err(io("copy the OVMF variable store"))?;
        let serial0 = cfg.work_dir.join("serial0.log");
        let _ = fs::remove_file(&serial0);
        let sock = cfg.work_dir.join("console.sock");
        let _ = fs::remove_file(&sock);
        let qmp_sock = cfg.work_dir.join("qmp.sock");
        let _ = fs::remove_file(&qmp_sock);
        let mut cmd = Command::new("qemu-system-x86_64");
        cmd.args(["-machine", "q35,smm=on", "-accel", "tcg", "-smp", "1"]);
        if extras.cpu_rng {
            cmd.args(["-cpu", "qemu64,+rdrand,+rdseed"]);
        }
        cmd.args(["-m", &cfg.memory_mib.to_string()])
            .args([
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-no-reboot",
            ])
            .args(["-global", "driver=cfi.pflash01,property=secure,value=on"])
            .arg("-drive")
            .arg(format!(
                "if=pflash,format=raw,unit=0,readonly=on,file={}",
                cfg.ovmf_code.display()
            ))
            .arg("-drive")
            .arg(format!(
                "if=pflash,format=raw,unit=1,file={}",
                vars.display()
            ))
            .arg("-chardev")
            .arg(format!("file,id=s0,path={}", serial0.display()))
            .args(["-serial", "chardev:s0"])
            .arg("-chardev")
            .arg(format!(
                "socket,id=s1,path={},server=on,wait=off",
                sock.display()
            ))
            .args(["-serial", "chardev:s1"])
            .args(["-netdev", "user,id=n0,restrict=on"])
            .args(["-device", "virtio-net-pci,netdev=n0,romfile="])
            .arg("-qmp")
            .arg(format!("unix:{},server=on,wait=off", qmp_sock.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if extras.boot_from_usb {
            cmd.arg("-drive")
                .arg(format!(
                    "if=none,id=esp,format=raw,file={}",
                    cfg.esp.display()
                ))
                .args(["-device", "qemu-xhci,id=xhci"])
                .arg("-device")
                .arg(format!(
                    "usb-storage,bus=xhci.0,drive=esp,id=bootstick,serial=TALLY-BOOT{}",
                    if extras.firmware_boot_order {
                        ""
                    } else {
                        ",bootindex=0"
                    }
                ));
        } else {
            cmd.arg("-drive")
                .arg(format!(
                    "if=none,id=esp,format=raw,readonly=on,file={}",
                    cfg.esp.display()
                ))
                .args(["-device", "virtio-blk-pci,drive=esp"]);
        }
        if !extras.boot_from_usb && (!cfg.usb_sticks.is_empty() || extras.usb_controller) {
            cmd.args(["-device", "qemu-xhci,id=xhci"]);
        }
        if !cfg.usb_sticks.is_empty() || extras.usb_controller || extras.boot_from_usb {
            for (i, stick) in cfg.usb_sticks.iter().enumerate() {
                cmd.arg("-drive")
                    .arg(format!(
                        "if=none,id=stick{i},format=raw,file={}",
                        stick.display()
                    ))
                    .arg("-device")
                    .arg(format!("usb-storage,bus=xhci.0,drive=stick{i}"));
            }
        }
        let started = Instant::now();
        let child = cmd.spawn().map_err(io("start qemu-system-x86_64"))?;
        let mut vm = Vm {
            child,
            serial0,
            console: None,
            console_buf: Vec::new(),
            console_pos: 0,
            serial0_pos: 0,
            started,
            qmp_path: qmp_sock,
            qmp: None,
            qmp_buf: Vec::new(),
            qmp_events: Vec::new(),
        };
        // The socket appears once QEMU has set up its devices.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match UnixStream::connect(&sock) {
                Ok(s) => {
                    s.set_read_timeout(Some(Duration::from_millis(50)))
                        .map_err(io("set the console's read timeout"))?;
                    vm.console = Some(s);
                    break;
                }
                Err(e) if Instant::now() > deadline => {
                    return Err(io("connect to the console socket")(e));
                }
                Err(_) => {
                    if let Ok(Some(status)) = vm.child.try_wait() {
                        let mut err = String::new();
                        if let Some(mut s) = vm.child.stderr.take() {
                            let _ = s.read_to_string(&mut err);
                        }
                        return Err(VmError::Exited {
                            needle: "console socket".into(),
                            status: status.to_string(),
                            tail: err,
                        });
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        Ok(vm)
    }

    /// Everything the first serial port (firmware and kernel) has printed so far.
    pub fn serial0(&self) -> String {
        fs::read(&self.serial0)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Everything the console has printed so far.
    pub fn console_text(&self) -> String {
        String::from_utf8_lossy(&self.console_buf).into_owned()
    }

    fn pump_console(&mut self) {
        let Some(s) = self.console.as_mut() else {
            return;
        };
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => self
                    .console_buf
                    .extend_from_slice(buf.get(..n).unwrap_or(&[])),
                Err(_) => break,
            }
        }
    }

    fn check_alive(&mut self, needle: &str) -> Result<(), VmError> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Err(VmError::Exited {
                needle: needle.into(),
                status: status.to_string(),
                tail: tail(&(self.serial0() + "\n--- console ---\n" + &self.console_text())),
            });
        }
        Ok(())
    }

    /// Waits until `needle` appears on the first serial port after what earlier waits matched;
    /// returns the time since QEMU started.
    pub fn wait_serial0(&mut self, needle: &str, timeout: Duration) -> Result<Duration, VmError> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = fs::read(&self.serial0).unwrap_or_default();
            if let Some(i) = find(
                text.get(self.serial0_pos..).unwrap_or(&[]),
                needle.as_bytes(),
            ) {
                self.serial0_pos = self
                    .serial0_pos
                    .saturating_add(i)
                    .saturating_add(needle.len());
                return Ok(self.started.elapsed());
            }
            self.check_alive(needle)?;
            if Instant::now() > deadline {
                return Err(VmError::Timeout {
                    needle: needle.into(),
                    port: "serial0",
                    secs: timeout.as_secs(),
                    tail: tail(&String::from_utf8_lossy(&text)),
                });
            }
            self.pump_console();
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until `needle` appears on the console after what earlier waits matched; returns
    /// the console text from the previous match to the end of this one.
    pub fn wait_console(&mut self, needle: &str, timeout: Duration) -> Result<String, VmError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.pump_console();
            let from = self.console_pos;
            if let Some(i) = find(
                self.console_buf.get(from..).unwrap_or(&[]),
                needle.as_bytes(),
            ) {
                let end = from.saturating_add(i).saturating_add(needle.len());
                self.console_pos = end;
                return Ok(
                    String::from_utf8_lossy(self.console_buf.get(from..end).unwrap_or(&[]))
                        .into_owned(),
                );
            }
            self.check_alive(needle)?;
            if Instant::now() > deadline {
                return Err(VmError::Timeout {
                    needle: needle.into(),
                    port: "console",
                    secs: timeout.as_secs(),
                    tail: tail(&(self.serial0() + "\n--- console ---\n" + &self.console_text())),
                });
            }
        }
    }

    /// Types a line (with Enter) on the console.
    pub fn send_line(&mut self, line: &str) -> Result<(), VmError> {
        let s = self.console.as_mut().ok_or_else(|| VmError::Io {
            what: "console".into(),
            source: std::io::Error::other("not connected"),
        })?;
        s.write_all(format!("{line}\r").as_bytes())
            .map_err(io("type on the console"))
    }

    /// Everything the console has sent so far, as bytes (reads what is waiting first). For a
    /// terminal emulator in a test: feed it the bytes after the length it saw last time.
    pub fn console_bytes(&mut self) -> &[u8] {
        self.pump_console();
        &self.console_buf
    }

    /// Types raw bytes on the console (keys as a terminal sends them: `\r` for Enter,
    /// `\x1b[A` for Up).
    pub fn send_bytes(&mut self, bytes: &[u8]) -> Result<(), VmError> {
        let s = self.console.as_mut().ok_or_else(|| VmError::Io {
            what: "console".into(),
            source: std::io::Error::other("not connected"),
        })?;
        s.write_all(bytes).map_err(io("type on the console"))
    }

    /// Whether QEMU is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for QEMU to end by itself (the guest powered off).
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus, VmError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.pump_console();
            if let Some(status) = self.child.try_wait().map_err(io("wait for QEMU"))? {
                return Ok(status);
            }
            if Instant::now() > deadline {
                return Err(VmError::Timeout {
                    needle: "QEMU to exit".into(),
                    port: "process",
                    secs: timeout.as_secs(),
                    tail: tail(&(self.serial0() + "\n--- console ---\n" + &self.console_text())),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills QEMU (if still running) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Vm {
    fn qmp_line(&mut self, timeout: Duration) -> Result<String, VmError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self.qmp_buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.qmp_buf.drain(..=i).collect();
                return Ok(String::from_utf8_lossy(&line).trim().to_string());
            }
            let s = self.qmp.as_mut().ok_or_else(|| VmError::Io {
                what: "QMP".into(),
                source: std::io::Error::other("not connected"),
            })?;
            let mut buf = [0u8; 4096];
            match s.read(&mut buf) {
                Ok(0) => {
                    return Err(VmError::Io {
                        what: "QMP".into(),
                        source: std::io::Error::other("QEMU closed the QMP socket"),
                    });
                }
                Ok(n) => self.qmp_buf.extend_from_slice(buf.get(..n).unwrap_or(&[])),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => return Err(io("read from QMP")(e)),
            }
            if Instant::now() > deadline {
                return Err(VmError::Timeout {
                    needle: "a QMP reply".into(),
                    port: "qmp",
                    secs: timeout.as_secs(),
                    tail: String::from_utf8_lossy(&self.qmp_buf).into_owned(),
                });
            }
        }
    }

    /// Runs one QMP command (`arguments` is a JSON object, or empty for none) and returns
    /// QEMU's reply line (`{"return": ...}`). Connects (and negotiates capabilities) on first
    /// use. Events that arrive in between are kept for [`Vm::wait_qmp_event`]. An `{"error":
    /// ...}` reply is an error.
    pub fn qmp(&mut self, command: &str, arguments: &str) -> Result<String, VmError> {
        let timeout = Duration::from_secs(60);
        if self.qmp.is_none() {
            let s = UnixStream::connect(&self.qmp_path).map_err(io("connect to QMP"))?;
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .map_err(io("set QMP's read timeout"))?;
            self.qmp = Some(s);
            let greeting = self.qmp_line(timeout)?;
            if !greeting.contains("\"QMP\"") {
                return Err(VmError::Io {
                    what: "QMP greeting".into(),
                    source: std::io::Error::other(greeting),
                });
            }
            self.qmp_exchange("{\"execute\":\"qmp_capabilities\"}", timeout)?;
        }
        let msg = if arguments.trim().is_empty() {
            format!("{{\"execute\":\"{command}\"}}")
        } else {
            format!("{{\"execute\":\"{command}\",\"arguments\":{arguments}}}")
        };
        self.qmp_exchange(&msg, timeout)
    }

    fn qmp_exchange(&mut self, msg: &str, timeout: Duration) -> Result<String, VmError> {
        let s = self.qmp.as_mut().ok_or_else(|| VmError::Io {
            what: "QMP".into(),
            source: std::io::Error::other("not connected"),
        })?;
        s.write_all(format!("{msg}\n").as_bytes())
            .map_err(io("write to QMP"))?;
        loop {
            let line = self.qmp_line(timeout)?;
            if line.starts_with("{\"return\"") {
                return Ok(line);
            }
            if line.starts_with("{\"error\"") {
                return Err(VmError::Io {
                    what: format!("QMP {msg}"),
                    source: std::io::Error::other(line),
                });
            }
            if !line.is_empty() {
                self.qmp_events.push(line);
            }
        }
    }

    /// Waits for a QMP event whose line contains `needle` (e.g. `"DEVICE_DELETED"` and a
    /// device id); returns the event line.
    pub fn wait_qmp_event(&mut self, needle: &str, timeout: Duration) -> Result<String, VmError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self.qmp_events.iter().position(|e| e.contains(needle)) {
                return Ok(self.qmp_events.remove(i));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(VmError::Timeout {
                    needle: needle.into(),
                    port: "qmp",
                    secs: timeout.as_secs(),
                    tail: self.qmp_events.join("\n"),
                });
            }
            match self.qmp_line(left.min(Duration::from_millis(500))) {
                Ok(line) if !line.is_empty() => self.qmp_events.push(line),
                Ok(_) | Err(VmError::Timeout { .. }) => {}
                Err(e) => return Err(e),
            }
            self.pump_console();
        }
    }

    /// Hot-plugs the raw disk image `image` as a USB stick (`blockdev-add` node `id`, then
    /// `device_add usb-storage` with device id `id` and USB serial number `serial` on the
    /// `xhci` controller; see [`VmExtras::usb_controller`]).
    pub fn plug_stick(&mut self, id: &str, image: &Path, serial: &str) -> Result<(), VmError> {
        let file = image
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"");
        self.qmp(
            "blockdev-add",
            &format!(
                "{{\"driver\":\"raw\",\"node-name\":\"{id}\",\"file\":{{\"driver\":\"file\",\"filename\":\"{file}\"}}}}"
            ),
        )?;
        self.qmp(
            "device_add",
            &format!(
                "{{\"driver\":\"usb-storage\",\"id\":\"{id}\",\"bus\":\"xhci.0\",\"drive\":\"{id}\",\"serial\":\"{serial}\"}}"
            ),
        )?;
        Ok(())
    }

    /// Pulls the USB stick `id` out (`device_del`), waits for QEMU's `DEVICE_DELETED` and
    /// closes its image (`blockdev-del`), so the host can read what the guest wrote.
    pub fn unplug_stick(&mut self, id: &str, timeout: Duration) -> Result<(), VmError> {
        self.qmp("device_del", &format!("{{\"id\":\"{id}\"}}"))?;
        self.wait_qmp_event(&format!("\"device\": \"{id}\""), timeout)?;
        self.qmp("blockdev-del", &format!("{{\"node-name\":\"{id}\"}}"))?;
        Ok(())
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        self.kill();
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn tail(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let start = chars.len().saturating_sub(3000);
    chars.get(start..).unwrap_or(&[]).iter().collect()
}
