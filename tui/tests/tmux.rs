//! End to end in a real terminal: the built `tally --demo` runs in a detached tmux session
//! of 80x24, keys go in with `send-keys`, the screen comes back with `capture-pane`. The
//! program is killed halfway through an entry and started again: the typed numbers are back.
//! Needs the Debian package `tmux`.
//!
//! The harness says why it failed. Each test has its own tmux server, started explicitly on a
//! socket in its own temp dir (`-S`, never the shared `/tmp/tmux-UID`), with no configuration
//! (`-f /dev/null`), `TERM`, shell and terminal type set, `exit-empty off` and
//! `remain-on-exit on`: a program that exits, even at once, leaves its pane (and the session and
//! the server) behind, so its last screen can be read. Its stderr goes to a file, and its exit
//! status too (written by the shell that runs it: tmux 3.3a's own `pane_dead_status` is lost
//! now and then).
//! On any failure (text that never appears, the program gone, a tmux command failing, a panic in
//! the test) the last screen seen, the screen now, the pane's exit status, every stderr file and
//! the tail of tmux's server log are printed.
//!
//! Why `new-session` said "server exited unexpectedly": without `remain-on-exit`, a program
//! that exits within a few milliseconds of its start closes the only session before the client
//! gets its answer, and the server, left without sessions, exits (`exit-empty`); the error says
//! nothing about the program. That is reproducible with `new-session -d 'exit 3'`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const SEED: u64 = 42;

/// How long a text may take to appear (a loaded CI machine, a debug build).
const WAIT: Duration = Duration::from_secs(60);

/// Quotes a word for `sh`.
fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// The last `max` bytes of a text (whole lines).
fn tail(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut at = text.len() - max;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    let cut = &text[at..];
    cut.find('\n').map_or(cut, |i| &cut[i + 1..])
}

/// A tmux server of the test's own, with one session `tally` running the program.
struct Tmux {
    /// Holds the socket, the program's stderr files and tmux's server log.
    dir: tempfile::TempDir,
    socket: PathBuf,
    /// How many times the program was started (one stderr file each).
    starts: Cell<u32>,
    /// The last screen seen by a wait.
    last_screen: RefCell<String>,
    /// Whether the diagnostics were already printed (by a failed wait).
    reported: Cell<bool>,
    /// Since when the pane is seen dead without an exit status.
    dead_since: Cell<Option<Instant>>,
}

impl Tmux {
    /// Starts the server: its own socket, no configuration, options for a harness.
    fn new() -> Tmux {
        // A unix socket path has at most 107 bytes: prefer the short /tmp over a long $TMPDIR.
        let base = if Path::new("/tmp").is_dir() {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("tally-tmux-")
            .tempdir_in(&base)
            .unwrap();
        let socket = dir.path().join("sock");
        assert!(
            socket.as_os_str().len() < 100,
            "tmux socket path too long: {}",
            socket.display()
        );
        let t = Tmux {
            dir,
            socket,
            starts: Cell::new(0),
            last_screen: RefCell::new(String::new()),
            reported: Cell::new(false),
            dead_since: Cell::new(None),
        };
        // `-v`: the server logs to tmux-server-PID.log in the temp dir (printed when the server
        // is gone).
        let out = t.run_with(
            &["-v"],
            &[
                "start-server",
                ";",
                "set-option",
                "-s",
                "exit-empty",
                "off",
                ";",
                "set-option",
                "-g",
                "default-shell",
                "/bin/sh",
                ";",
                "set-option",
                "-g",
                "default-terminal",
                "screen",
                ";",
                "set-option",
                "-wg",
                "remain-on-exit",
                "on",
            ],
        );
        if !out.status.success() {
            t.fail(&format!(
                "tmux start-server failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        t
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(&[], args)
    }

    fn run_with(&self, flags: &[&str], args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"])
            .args(flags)
            .args(args)
            // Nothing from the caller's terminal or tmux: a CI runner may have no TERM, a
            // developer may run the tests inside tmux.
            .env("TERM", "screen")
            .env_remove("TMUX")
            .env_remove("TMUX_PANE")
            .current_dir(self.dir.path())
            .output()
            .expect("tmux must be installed (Debian package tmux)")
    }

    /// Runs a tmux command that must succeed.
    fn must(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        if !out.status.success() {
            self.fail(&format!(
                "tmux {} failed ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        out
    }

    /// Starts the demo in a new session `tally`.
    fn start(&self, dir: &Path) {
        let data = dir.join("data").display().to_string();
        let media = dir.join("media").display().to_string();
        let hash = "cd".repeat(32);
        let seed = SEED.to_string();
        self.start_program(&[
            "--demo",
            "--data-dir",
            &data,
            "--media-dir",
            &media,
            "--seed",
            &seed,
            "--system-hash",
            &hash,
        ]);
    }

    /// Starts `tally` with these arguments in a new 80x24 session `tally`, its stderr in a file
    /// of its own.
    fn start_program(&self, args: &[&str]) {
        let n = self.starts.get() + 1;
        self.starts.set(n);
        self.dead_since.set(None);
        let file = |ext: &str| {
            let path = self.dir.path().join(format!("tally-{n}.{ext}"));
            sh_quote(&path.display().to_string())
        };
        // The shell stays as the program's parent and writes its exit status to a file (renamed
        // into place, so it is never read half-written): tmux 3.3a loses a pane's exit status
        // now and then (`#{pane_dead_status}` stays empty; seen 4 to 5 times in 40 with
        // `exit 3` after 0 to 0.3 s).
        let mut cmd = sh_quote(env!("CARGO_BIN_EXE_tally"));
        for a in args {
            cmd.push(' ');
            cmd.push_str(&sh_quote(a));
        }
        cmd.push_str(&format!(
            " 2>{}; echo $? >{} && mv {} {}",
            file("stderr"),
            file("tmp"),
            file("tmp"),
            file("status")
        ));
        self.must(&[
            "new-session",
            "-d",
            "-s",
            "tally",
            "-x",
            "80",
            "-y",
            "24",
            &cmd,
        ]);
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.must(&["send-keys", "-t", "tally", k]);
        }
    }

    fn text(&self, text: &str) {
        self.must(&["send-keys", "-t", "tally", "-l", text]);
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.must(&["capture-pane", "-p", "-t", "tally"]).stdout)
            .into_owned()
    }

    /// How the program of the latest start ended ("exit status N", "signal N"), once it has;
    /// also when its pane died without the shell writing a status (the shell was killed).
    fn exited(&self) -> Option<String> {
        let n = self.starts.get();
        let status = self.dir.path().join(format!("tally-{n}.status"));
        if let Ok(text) = std::fs::read_to_string(status) {
            return Some(match text.trim().parse::<i32>() {
                Ok(code) if code > 128 => format!("signal {}", code - 128),
                Ok(code) => format!("exit status {code}"),
                Err(_) => format!("status {:?}", text.trim()),
            });
        }
        let out = self.run(&["display-message", "-p", "-t", "tally", "#{pane_dead}"]);
        // The session or the server gone: say so now rather than time out later.
        if !out.status.success() {
            return Some(format!(
                "tmux session or server gone: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        if String::from_utf8_lossy(&out.stdout).trim() != "1" {
            self.dead_since.set(None);
            return None;
        }
        // The pane is dead: the status file follows at once, unless the shell itself died.
        let since = self.dead_since.get().unwrap_or_else(Instant::now);
        self.dead_since.set(Some(since));
        (since.elapsed() > Duration::from_secs(2))
            .then(|| "the pane closed without an exit status (the shell died)".to_owned())
    }

    /// Waits until `want` is on the screen.
    fn wait_for(&self, want: &str) -> String {
        self.wait_until(want, |s| s.contains(want))
    }

    /// Waits until the screen satisfies `ok`; fails with the diagnostics otherwise.
    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.try_wait_until(what, ok)
            .unwrap_or_else(|e| self.fail(&e))
    }

    /// Waits until the screen satisfies `ok`; the error says why not: the program exited
    /// (with its status) or the time ran out.
    fn try_wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> Result<String, String> {
        let start = Instant::now();
        loop {
            let s = self.screen();
            *self.last_screen.borrow_mut() = s.clone();
            if ok(&s) {
                return Ok(s);
            }
            if let Some(end) = self.exited() {
                return Err(format!(
                    "the program ended ({end}) while waiting for {what:?}"
                ));
            }
            if start.elapsed() > WAIT {
                return Err(format!("{what:?} did not appear within {WAIT:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the program has ended; returns how ("exit status 0").
    fn wait_exit(&self) -> String {
        let start = Instant::now();
        loop {
            if let Some(end) = self.exited() {
                return end;
            }
            if start.elapsed() > WAIT {
                self.fail(&format!("the program did not end within {WAIT:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&self) {
        self.must(&["kill-session", "-t", "tally"]);
    }

    /// Everything known about the session: the screens, the exit, stderr, the server log.
    fn diagnostics(&self) -> String {
        let mut d = String::new();
        d.push_str(&format!(
            "--- last screen seen:\n{}\n",
            self.last_screen.borrow()
        ));
        let now = self.run(&["capture-pane", "-p", "-t", "tally"]);
        let server_gone = !self.run(&["list-sessions"]).status.success();
        if now.status.success() {
            let now = String::from_utf8_lossy(&now.stdout);
            if now != *self.last_screen.borrow() {
                d.push_str(&format!("--- screen now:\n{now}\n"));
            }
        } else {
            d.push_str(&format!(
                "--- no screen now: {}\n",
                String::from_utf8_lossy(&now.stderr).trim()
            ));
        }
        d.push_str(&format!(
            "--- the program: {}\n",
            self.exited()
                .unwrap_or_else(|| "running (or no pane)".into())
        ));
        for n in 1..=self.starts.get() {
            let path = self.dir.path().join(format!("tally-{n}.stderr"));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| format!("({e})"));
            d.push_str(&format!(
                "--- stderr of start {n} ({}):\n{}\n",
                path.display(),
                tail(&text, 4000)
            ));
        }
        // The server's own log says why it went (it is verbose: only then).
        let entries = std::fs::read_dir(self.dir.path())
            .ok()
            .filter(|_| server_gone);
        if let Some(entries) = entries {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with("tmux-server") {
                    let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                    d.push_str(&format!(
                        "--- tail of tmux's {name}:\n{}\n",
                        tail(&text, 3000)
                    ));
                }
            }
        }
        d
    }

    /// Fails the test with the diagnostics.
    fn fail(&self, why: &str) -> ! {
        self.reported.set(true);
        panic!("{why}\n{}", self.diagnostics());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // A panic outside the harness (an assertion in the test): the diagnostics too.
        if std::thread::panicking() && !self.reported.get() {
            eprintln!("tmux harness, after a failure:\n{}", self.diagnostics());
        }
        let _ = self.run(&["kill-server"]);
    }
}

fn published_hashes() -> (String, String) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/eml/synthetic/Hashcodes-Juinen.txt"
    ))
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let code = |name: &str| {
        let i = lines.iter().position(|l| l.contains(name)).unwrap();
        lines[i + 1].replace(' ', "")
    };
    (code("eml110a"), code("eml230b"))
}

#[test]
fn demo_in_tmux_load_type_kill_and_resume() {
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux::new();
    t.start(dir.path());
    // The whole first frame: header with DEMO, the system identity given at start, key bar.
    let s = t.wait_until("the start screen", |s| {
        s.contains("Wachtwoordzin") && s.contains("cdcd cdcd") && s.contains("F1 hulp")
    });
    assert!(s.lines().next().unwrap().contains("DEMO"), "{s}");

    // Help, in English, and back.
    t.keys(&["F2"]);
    t.wait_for("Passphrase");
    t.keys(&["F1"]);
    t.wait_for("Compare the fingerprints with the paper");
    // (A lone Esc is told from the start of an escape sequence by timing: wait before F2.)
    t.keys(&["Escape"]);
    t.wait_until("help closed", |s| {
        !s.contains("Compare the fingerprints with the paper")
    });
    t.keys(&["F2"]);
    t.wait_for("Wachtwoordzin");

    t.text("demo");
    t.keys(&["Enter"]);
    t.wait_for("DEMO_GR2025_Juinen");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Kandidaten            94");
    let (a, b) = published_hashes();
    // The groups asked, as the screen says them ("groep N van de hashcode van 110a:").
    let asked: Vec<(usize, bool)> = screen
        .lines()
        .filter_map(|l| {
            let rest = l.split_once("groep ")?.1;
            let (n, rest) = rest.split_once(' ')?;
            Some((n.parse::<usize>().ok()? - 1, rest.contains("110a")))
        })
        .collect();
    assert_eq!(asked.len(), 4, "{screen}");
    for (g, is_110a) in asked {
        let hex = if is_110a { &a } else { &b };
        t.text(&hex[g * 4..g * 4 + 4]);
        t.keys(&["Enter"]);
    }
    // The first coordinator registers, then registers the typist Anna (after her PIN).
    t.wait_for("Schrijf eerst uzelf in als coordinator");
    let person = |name: &str| {
        t.text(name);
        t.keys(&["Tab", "Tab"]);
        t.text("40417");
        t.keys(&["Tab"]);
        t.text("40417");
        t.keys(&["Enter"]);
        t.wait_for(&format!("{name} is ingeschreven"));
    };
    person("Carla");
    t.wait_until("the overview", |s| {
        s.contains("0 van 3 stembureaus definitief") && s.contains("Studio The Rules")
    });
    t.keys(&["F9"]);
    t.wait_for("Kies uw naam (coordinator)");
    t.text("40417");
    t.keys(&["Enter"]);
    t.wait_for("Schrijf een invoerder of coordinator in");
    person("Anna");
    t.keys(&["Escape"]);
    t.wait_for("0 van 3 stembureaus definitief");

    // Station 1, typist Anna: A = 1234, B = 56, then killed while on D.
    t.keys(&["Enter"]);
    t.wait_for("Kies uw naam (invoerder)");
    t.text("40417");
    t.keys(&["Enter"]);
    t.wait_for("Geldige stempassen");
    t.text("1234");
    t.keys(&["Enter"]);
    t.text("56");
    t.keys(&["Enter"]);
    t.wait_for("56 ]");
    t.kill();

    t.start(dir.path());
    t.wait_for("Wachtwoordzin");
    t.text("demo");
    t.keys(&["Enter"]);
    // The entry is Anna's: her PIN again.
    t.wait_for("Kies uw naam (invoerder)");
    t.text("40417");
    t.keys(&["Enter"]);
    // A and B are back, and the cursor is on D again.
    t.wait_until("the entry as it was", |s| {
        s.contains("Invoer stembureau 1 (1e invoer, Anna)")
            && s.lines()
                .any(|l| l.contains("Geldige stempassen") && l.contains("1234"))
            && s.lines()
                .any(|l| l.contains("Geldige volmachtbewijzen") && l.contains("56 ]"))
            && s.lines()
                .any(|l| l.starts_with('>') && l.contains("Totaal toegelaten kiezers"))
    });
    // Letters are refused in a count field, with a marked message.
    t.text("a");
    t.wait_for("X Alleen cijfers.");
    // Shift+Tab goes back to B.
    t.keys(&["BTab"]);
    t.wait_until("cursor on B", |s| {
        s.lines()
            .any(|l| l.starts_with('>') && l.contains("Geldige volmachtbewijzen"))
    });
    t.keys(&["C-q"]);
    assert_eq!(t.wait_exit(), "exit status 0");
}

/// The harness itself: a program that ends at once (here: a bad argument) is reported with its
/// exit status and its stderr, not as tmux's "server exited unexpectedly".
#[test]
fn a_program_that_ends_at_once_is_reported_with_its_stderr() {
    let t = Tmux::new();
    t.start_program(&["--lang", "xx"]);
    let err = t
        .try_wait_until("the start screen", |s| s.contains("Wachtwoordzin"))
        .unwrap_err();
    assert!(err.contains("the program ended (exit status 1)"), "{err}");
    let d = t.diagnostics();
    assert!(d.contains("tally: --lang xx: use nl or en"), "{d}");
    // The server is still there: the next start works.
    t.kill();
    t.start_program(&["--lang", "yy"]);
    assert_eq!(t.wait_exit(), "exit status 1");
    assert!(t.diagnostics().contains("--lang yy"));
}

/// The CSB demo takes `--data-dir` and `--media-dir` like the municipal demo (they were
/// ignored): its keys and the DEMO GSB's 510b are made there, and it starts.
#[test]
fn the_csb_demo_uses_the_folders_given() {
    let t = Tmux::new();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("csb-data");
    let media = dir.path().join("csb-media");
    t.start_program(&[
        "--demo",
        "--level",
        "csb",
        "--data-dir",
        &data.display().to_string(),
        "--media-dir",
        &media.display().to_string(),
    ]);
    t.wait_for("Telt voor: CSB DEMO Juinen");
    assert!(data.join("body.cert").is_file(), "{}", t.diagnostics());
    assert!(
        std::fs::read_dir(&media).unwrap().next().is_some(),
        "{}",
        t.diagnostics()
    );
    t.keys(&["C-q"]);
    assert_eq!(t.wait_exit(), "exit status 0");
}
