//! The HSB/CSB terminal on a real screen (raw mode, the alternate screen and the event loop
//! of [`crate::screen`], keys polled with a timeout so that sticks inserted or removed are
//! noticed). Called from `main` when the body certificate's role is HSB or CSB.

use super::app::Higher;
use super::services::{FolderHigherServices, certificate_role, journal_path};
use crate::screen::{SeedSource, StartError};
use crate::text::Lang;
use tally_body::Paths;
use tally_body::Sticks;

/// Whether the certificate at `paths` is a principal (HSB) or central (CSB) committee's.
pub fn is_higher(paths: &Paths) -> bool {
    matches!(certificate_role(paths).as_deref(), Some("HSB" | "CSB"))
}

/// Runs the HSB/CSB terminal until Ctrl+Q (the hash-code groups from `seed`: the OS's random
/// source, or `--seed` as on every level).
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
    seed: SeedSource,
) -> Result<(), StartError> {
    let services = FolderHigherServices::with_sticks(paths.clone(), sticks, system, demo)?;
    let journal = journal_path(&paths.data_dir);
    crate::screen::start::<Higher, _>(
        services,
        &journal,
        lang,
        demo,
        system_version,
        seed,
        paths.audit(),
    )
}
