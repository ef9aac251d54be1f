//! End to end in a real terminal: the built `tally --demo` runs in a detached tmux session
//! of 80x24 (its own tmux server), keys go in with `send-keys`, the screen comes back with
//! `capture-pane`. The program is killed halfway through an entry and started again: the
//! typed numbers are back. Needs the Debian package `tmux`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const SEED: u64 = 42;

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux must be installed (Debian package tmux)")
    }

    fn start(&self, dir: &Path) {
        let cmd = format!(
            "{} --demo --data-dir {} --media-dir {} --seed {SEED} --system-hash {}",
            env!("CARGO_BIN_EXE_tally"),
            dir.join("data").display(),
            dir.join("media").display(),
            "cd".repeat(32)
        );
        let out = self.run(&[
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
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let out = self.run(&["send-keys", "-t", "tally", k]);
            assert!(
                out.status.success(),
                "{k}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    fn text(&self, text: &str) {
        let out = self.run(&["send-keys", "-t", "tally", "-l", text]);
        assert!(out.status.success());
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "tally"]).stdout)
            .into_owned()
    }

    /// Waits until `want` is on the screen.
    fn wait_for(&self, want: &str) -> String {
        self.wait_until(want, |s| s.contains(want))
    }

    /// Waits until the screen satisfies `ok`.
    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{what:?} never appeared; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&self) {
        let _ = self.run(&["kill-session", "-t", "tally"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
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
    let t = Tmux {
        socket: format!("tally-test-{}", std::process::id()),
    };
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
    t.wait_for("Kandidaten            94");
    let (a, b) = published_hashes();
    let groups = tally_tui::app::choose_groups(SEED);
    for (i, hex) in [&a, &a, &b, &b].iter().enumerate() {
        let g = groups[i];
        t.text(&hex[g * 4..g * 4 + 4]);
        t.keys(&["Enter"]);
    }
    t.wait_until("the overview", |s| {
        s.contains("0 van 3 stembureaus definitief") && s.contains("Studio The Rules")
    });

    // Station 1, typist Anna: A = 1234, B = 56, then killed while on D.
    t.keys(&["Enter"]);
    t.wait_for("Uw naam");
    t.text("Anna");
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
}
