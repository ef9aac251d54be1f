//! The HSB/CSB terminal on a real screen (raw mode, the alternate screen and the event loop
//! of [`crate::screen`], keys polled with a timeout so that sticks inserted or removed are
//! noticed). Called from `main` when the body certificate's role is HSB or CSB.

use super::app::State;
use super::services::{FolderHigherServices, certificate_role, journal_path};
use crate::screen::StartError;
use crate::services::Services;
use crate::shell::runner::Runner;
use crate::text::Lang;
use tally_body::Paths;
use tally_body::Sticks;
use tally_ledger::journal::CoreJournal;

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
    system_version: Option<String>,
    demo: bool,
    lang: Lang,
) -> Result<(), StartError> {
    let services = FolderHigherServices::with_sticks(paths.clone(), sticks, system, demo)?;
    let mut state = State::new(lang, demo, services.identity(), 0);
    state.system_version = system_version;
    let journal = CoreJournal::new(&journal_path(&paths.data_dir));
    let mut runner = Runner::open(state, services, journal)?;
    Ok(crate::screen::run(
        &mut runner,
        crate::screen::SeedSource::Os,
        Some(paths.audit()),
    )?)
}
