//! `tally`: the tally terminal. `tally --demo` runs the whole flow on the Kiesraad's
//! Juinen test election with built-in DEMO keys and folders standing in for sticks.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use sha2::{Digest, Sha256};
use tally_body::Paths;
use tally_body::Sticks;
use tally_demo::prepare_demo;
use tally_tui::app::Municipal;
use tally_tui::folder::FolderServices;
use tally_tui::screen::{SeedSource, StartError};
use tally_tui::text::Lang;

/// The tally terminal.
#[derive(Debug, Parser)]
#[command(name = "tally", version, about = "The tally terminal (telprogramma)")]
struct Args {
    /// Run the demo: DEMO keys and the Juinen test election, folders for sticks.
    #[arg(long)]
    demo: bool,
    /// Language: nl (default) or en.
    #[arg(long, default_value = "nl")]
    lang: String,
    /// Keys, journal and kept definition (demo default: <data dir>/tally-demo/data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The folder standing in for a stick; its sub-folders are the signed media (demo
    /// default: <data dir>/tally-demo/media).
    #[arg(long, conflicts_with = "usb")]
    media_dir: Option<PathBuf>,
    /// Real USB sticks (the appliance): found through the kernel's uevents, mounted below
    /// --runtime-dir; never the boot stick.
    #[arg(long)]
    usb: bool,
    /// Private mount points for --usb (created with mode 0700; a tmpfs on the appliance).
    #[arg(long, default_value = "/run/tally")]
    runtime_dir: PathBuf,
    /// The trusted root's public key (default: <data dir>/root.pub).
    #[arg(long)]
    root: Option<PathBuf>,
    /// The body's certificate (default: <data dir>/body.cert).
    #[arg(long)]
    certificate: Option<PathBuf>,
    /// The body's encrypted key (default: <data dir>/body.key).
    #[arg(long)]
    key: Option<PathBuf>,
    /// The running system's identity (default: SHA-256 of this program).
    #[arg(long)]
    system_hash: Option<String>,
    /// The running system's version and source commit, `<version> <commit>` (the appliance's
    /// init passes what is built into the image; shown on the start screen).
    #[arg(long)]
    system_version: Option<String>,
    /// Seed for the hash-code groups asked (default: from the operating system's random source).
    #[arg(long)]
    seed: Option<u64>,
    /// Demo only: `csb` runs the central committee of Juinen (a tie decided by lot).
    #[arg(long, requires = "demo")]
    level: Option<String>,
}

fn demo_base() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("tally-demo");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(h).join(".local/share/tally-demo");
    }
    PathBuf::from("tally-demo")
}

fn self_hash() -> String {
    let mut bytes = Vec::new();
    let ok = std::env::current_exe()
        .and_then(std::fs::File::open)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .is_ok();
    if ok {
        hex::encode(Sha256::digest(&bytes))
    } else {
        "0".repeat(64)
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tally: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), StartError> {
    let usage = StartError::Usage;
    let lang = Lang::parse(&args.lang)
        .ok_or_else(|| usage(format!("--lang {}: use nl or en", args.lang)))?;
    if let Some(l) = args.level.as_deref().filter(|l| *l != "csb") {
        return Err(usage(format!("--level {l}: only csb has a demo")));
    }
    let mut paths = if args.demo && args.level.as_deref() == Some("csb") {
        // --data-dir and --media-dir count here too (they were ignored).
        let default = tally_demo::csb_paths(&demo_base());
        let p = Paths::new(
            args.data_dir.clone().unwrap_or(default.data_dir),
            args.media_dir.clone().unwrap_or(default.media_dir),
        );
        tally_demo::prepare_csb_demo(&p)?;
        p
    } else if args.demo {
        let base = demo_base();
        Paths::new(
            args.data_dir.unwrap_or_else(|| base.join("data")),
            args.media_dir.unwrap_or_else(|| base.join("media")),
        )
    } else if args.usb {
        Paths::new(
            args.data_dir
                .ok_or_else(|| usage("--data-dir is needed (or --demo)".into()))?,
            args.runtime_dir.clone(),
        )
    } else {
        Paths::new(
            args.data_dir
                .ok_or_else(|| usage("--data-dir is needed (or --demo)".into()))?,
            args.media_dir
                .ok_or_else(|| usage("--media-dir or --usb is needed (or --demo)".into()))?,
        )
    };
    if let Some(p) = args.root {
        paths.root = p;
    }
    if let Some(p) = args.certificate {
        paths.certificate = p;
    }
    if let Some(p) = args.key {
        paths.key = p;
    }
    if args.demo {
        prepare_demo(&paths)?;
    }
    let system = args.system_hash.unwrap_or_else(self_hash);
    // Under the appliance's init the program runs unprivileged: the init names the mount
    // service's socket in TALLY_MOUNT_FD, and sticks are probed and mounted through it
    // (tally_media::mountd). Elsewhere (the host, tests, the demo) the variable is not set.
    tally_media::mountd::install_from_env()?;
    let sticks = if args.usb {
        Sticks::usb(&args.runtime_dir)?
    } else {
        Sticks::folder(&paths.media_dir)
    };
    // A principal (HSB) or central (CSB) committee's certificate: the higher-level flow.
    let (demo, version) = (args.demo, args.system_version);
    let seed = match args.seed {
        Some(seed) => SeedSource::Given(seed),
        None => SeedSource::Os,
    };
    if tally_tui::higher::terminal::is_higher(&paths) {
        return tally_tui::higher::terminal::run(paths, sticks, system, version, demo, lang, seed);
    }
    let services = FolderServices::with_sticks(paths.clone(), sticks, system, demo)?;
    let (journal, audit) = (paths.journal(), paths.audit());
    tally_tui::screen::start::<Municipal, _>(services, &journal, lang, demo, version, seed, audit)
}
