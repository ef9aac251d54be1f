//! The HSB/CSB terminal on a real screen: raw mode, the alternate screen, and the event
//! loop (keys polled with a timeout so that sticks inserted or removed are noticed). Called
//! from `main` when the body certificate's role is HSB or CSB.

use std::io;
use std::time::Duration;

use crossterm::event::{self, Event as TermEvent, KeyEventKind};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::app::State;
use super::runner::HigherRunner;
use super::services::{FolderHigherServices, HigherServices, certificate_role, journal_path};
use super::text::Lang;
use super::view::view;
use crate::demo::Paths;
use crate::journal::CoreJournal;
use crate::sticks::Sticks;

const KEY_POLL: Duration = Duration::from_millis(300);

/// Whether the certificate at `paths` is a principal (HSB) or central (CSB) committee's.
pub fn is_higher(paths: &Paths) -> bool {
    matches!(certificate_role(paths).as_deref(), Some("HSB" | "CSB"))
}

/// Runs the HSB/CSB terminal until Ctrl+Q.
///
/// # Errors
/// The keys, the journal or the terminal cannot be used; the text says which.
pub fn run(
    paths: Paths,
    sticks: Sticks,
    system: String,
    demo: bool,
    lang: Lang,
) -> Result<(), String> {
    let services = FolderHigherServices::with_sticks(paths.clone(), sticks, system, demo)
        .map_err(|e| e.to_string())?;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let state = State::new(lang, demo, services.identity(), seed);
    let journal = CoreJournal::new(&journal_path(&paths.data_dir));
    let mut runner = HigherRunner::open(state, services, journal).map_err(|e| e.to_string())?;
    enable_raw_mode().map_err(|e| e.to_string())?;
    let _ = execute!(io::stdout(), EnterAlternateScreen, Clear(ClearType::All));
    let result = event_loop(&mut runner);
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), Clear(ClearType::All), LeaveAlternateScreen);
    result
}

fn event_loop(runner: &mut HigherRunner<FolderHigherServices, CoreJournal>) -> Result<(), String> {
    let mut terminal =
        Terminal::new(CrosstermBackend::new(io::stdout())).map_err(|e| e.to_string())?;
    terminal.clear().map_err(|e| e.to_string())?;
    while !runner.quit {
        terminal
            .draw(|f| view(&runner.state, f))
            .map_err(|e| e.to_string())?;
        if !event::poll(KEY_POLL).map_err(|e| e.to_string())? {
            if runner.services.poll_media() {
                runner.media_changed();
            }
            continue;
        }
        match event::read().map_err(|e| e.to_string())? {
            TermEvent::Key(k) if k.kind == KeyEventKind::Press => runner.key(k),
            TermEvent::Resize(..) => terminal.autoresize().map_err(|e| e.to_string())?,
            _ => {}
        }
    }
    Ok(())
}
