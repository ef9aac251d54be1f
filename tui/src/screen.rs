//! The real screen, shared by the municipal terminal and the HSB/CSB terminal: raw mode and
//! the alternate screen around an event loop that draws the state, hands each key press
//! to the runner, and between keys (polled with a timeout) looks at the sticks.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent, KeyEvent, KeyEventKind};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::{Frame, Terminal};

use tally_media::audit::{AuditEvent, AuditKind, AuditSink, JsonLinesAudit};

use crate::services::Services;
use crate::shell::runner::Runner;
use crate::shell::{Level, State};
use crate::text::Lang;
use tally_ledger::journal::CoreJournal;

/// How long the event loop waits for a key before it looks at the sticks.
const KEY_POLL: Duration = Duration::from_millis(300);

/// Why the terminal cannot start or go on (said on the command line, in English).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// A key, certificate or folder cannot be used.
    #[error(transparent)]
    Setup(#[from] tally_body::SetupError),
    /// The journal cannot be replayed.
    #[error(transparent)]
    Open(#[from] crate::shell::runner::OpenError),
    /// The USB sticks cannot be followed.
    #[error("USB sticks: {0}")]
    Usb(#[from] tally_media::MediaError),
    /// The screen cannot be used.
    #[error("the terminal cannot be used: {0}")]
    Terminal(#[from] io::Error),
}

/// Where the seed of the hash-code groups comes from: given (`--seed`, tests), or the
/// operating system's random source, read once the first screen is drawn and before the first
/// key is handled. On a PC whose kernel has not gathered its entropy yet (a CPU without
/// RDRAND), the first `getrandom` waits for it, about a second at boot: the official sees the
/// start screen meanwhile, and keys typed wait in the terminal (docs/image.md, "Benchmark").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedSource {
    /// A seed given.
    Given(u64),
    /// The OS's random source.
    Os,
}

impl SeedSource {
    /// The seed.
    ///
    /// # Errors
    /// The random source cannot be read (said as such).
    pub fn take(self) -> io::Result<u64> {
        match self {
            SeedSource::Given(seed) => Ok(seed),
            SeedSource::Os => crate::seed::os_seed().map_err(|e| {
                io::Error::other(format!(
                    "the operating system's random source cannot be read: {e}"
                ))
            }),
        }
    }
}

/// A terminal program the event loop drives.
pub trait Session {
    /// Sets the seed of the hash-code groups (before the first key).
    fn set_seed(&mut self, seed: u64);
    /// Whether the program should stop.
    fn quit(&self) -> bool;
    /// Draws the state.
    fn draw(&self, frame: &mut Frame);
    /// Handles a key press.
    fn key(&mut self, key: KeyEvent);
    /// No key came within the poll time: notice sticks inserted or removed.
    fn idle(&mut self);
}

impl<L: Level, S: Services<L>> Session for Runner<L, S, CoreJournal> {
    fn set_seed(&mut self, seed: u64) {
        self.state.set_seed(seed);
    }
    fn quit(&self) -> bool {
        self.quit
    }
    fn draw(&self, frame: &mut Frame) {
        crate::shell::view::view(&self.state, frame);
    }
    fn key(&mut self, key: KeyEvent) {
        Runner::key(self, key);
    }
    fn idle(&mut self) {
        if self.services.poll_media() {
            self.media_changed();
        }
        Runner::idle(self, std::time::Instant::now());
    }
}

/// Runs `session` on the real screen until it quits; the terminal is restored afterwards,
/// also when the program panics (an overflow check is a designed way to stop rather than
/// count wrong): the panic hook leaves raw mode and the alternate screen, writes the panic to
/// the audit log at `audit` (when given), and then prints it as usual.
///
/// # Errors
/// The terminal cannot be used.
pub fn run(session: &mut impl Session, seed: SeedSource, audit: Option<PathBuf>) -> io::Result<()> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = disable_raw_mode();
        let _ = execute!(io::stdout(), Clear(ClearType::All), LeaveAlternateScreen);
        if let Some(path) = &audit {
            record_panic(path, &info.to_string());
        }
        previous(info);
    }));
    enable_raw_mode()?;
    // The Linux console ignores the alternate screen: clear it as well.
    let _ = execute!(io::stdout(), EnterAlternateScreen, Clear(ClearType::All));
    let result = event_loop(session, seed);
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), Clear(ClearType::All), LeaveAlternateScreen);
    result
}

/// Opens the terminal of level `L` on `services` with the journal at `journal` (replayed),
/// and runs it on the screen until Ctrl+Q, a panic written to `audit`.
///
/// # Errors
/// The keys, the journal or the terminal cannot be used; the text says which.
pub fn start<L: Level, S: Services<L>>(
    services: S,
    journal: &Path,
    lang: Lang,
    demo: bool,
    system_version: Option<String>,
    seed: SeedSource,
    audit: PathBuf,
) -> Result<(), StartError> {
    let mut state = State::<L>::new(lang, demo, services.identity(), 0);
    state.system_version = system_version;
    let mut runner = Runner::open(state, services, CoreJournal::new(journal))?;
    Ok(run(&mut runner, seed, Some(audit))?)
}

/// Appends a panic to the audit log (best effort: the program is stopping anyway).
pub fn record_panic(audit: &Path, detail: &str) {
    if let Ok(mut log) = JsonLinesAudit::open(audit) {
        let _ = log.record(AuditEvent::new(AuditKind::Panic, None, detail));
    }
}

fn event_loop(session: &mut impl Session, seed: SeedSource) -> io::Result<()> {
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    let mut seed = Some(seed);
    while !session.quit() {
        terminal.draw(|f| session.draw(f))?;
        // The first screen is up: now the seed (keys typed meanwhile wait in the terminal).
        if let Some(source) = seed.take() {
            session.set_seed(source.take()?);
        }
        // Keys are polled with a timeout, so a stick inserted or removed meanwhile is
        // noticed and the media screen lists the sticks again by itself.
        if !event::poll(KEY_POLL)? {
            session.idle();
            continue;
        }
        match event::read()? {
            TermEvent::Key(k) if k.kind == KeyEventKind::Press => session.key(k),
            TermEvent::Resize(..) => terminal.autoresize()?,
            _ => {}
        }
    }
    Ok(())
}
