//! `tally-verify`: check the published files of one election, print an apportionment, or
//! write the osv4-3 CSV of a count. See `docs/verify.md`. Exit status: 0 everything was
//! checked and agrees (or the CSV was written), 1 discrepancies, 2 the check could not run
//! (bad arguments, unreadable folder, key or file, a count the CSV cannot be written for),
//! 3 nothing found wrong but not everything could be checked (`check` only).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tally_core::aggregate::outcome::{DeceasedCandidate, DeceasedRef};
use tally_core::eml::csv::osv4_3_csv;
use tally_core::eml::definition::SourceFile;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_signing::{PublicKey, Timestamp};
use tally_verify::{CheckOptions, Lots, apportion_report_kept, check_folder};

/// The exit statuses, for `--help`.
const EXIT_STATUS: &str = "\
Exit status:
  0  everything in the folder was checked and agrees (apportion, csv: done)
  1  discrepancies: the DISCREPANCY lines say where
  2  the check could not run (arguments, folder, key; apportion and csv: a file)
  3  nothing found wrong, but NOT everything could be checked (check only): the UNCHECKED
     lines and the last line say what was not checked (a file, a list's elected
     candidates, a result without its count, counts without the election definition)";

#[derive(Parser)]
#[command(
    name = "tally-verify",
    version,
    about = "Verify the published files of one election",
    after_help = EXIT_STATUS
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check every signature (with --root-key), every sum, the seats and the elected candidates.
    #[command(after_help = EXIT_STATUS)]
    Check {
        /// The folder with the election's files (EML files and/or signed media folders).
        folder: PathBuf,
        /// The authority's root public key file (`tally-public-key v1`).
        #[arg(long)]
        root_key: Option<PathBuf>,
        /// The time at which certificates must be valid (`YYYY-MM-DDTHH:MM:SSZ`; default now).
        #[arg(long)]
        at: Option<String>,
        /// Report files missing at a level as discrepancies, not notes.
        #[arg(long)]
        require_all: bool,
    },
    /// Print seats per list and elected candidates for a definition and a count.
    Apportion {
        /// The election definition (110a).
        #[arg(long)]
        definition: PathBuf,
        /// Candidate lists (230b), for the candidates' names.
        #[arg(long, num_args = 1..)]
        candidates: Vec<PathBuf>,
        /// The total count: a 510d, or for a municipal council the 510b.
        #[arg(long)]
        count: PathBuf,
        /// The list drawn in a public drawing of lots between lists, in the order the
        /// calculation asks (repeat for several drawings).
        #[arg(long = "lot", value_name = "LIST")]
        lots: Vec<u32>,
        /// The candidate drawn in a drawing of lots between candidates, as `LIST:POSITION`,
        /// in the order the calculation asks (repeat for several drawings).
        #[arg(long = "candidate-lot", value_name = "LIST:POSITION", value_parser = parse_candidate_lot)]
        candidate_lots: Vec<(u32, u32)>,
        /// What a drawing of lots within a list group drew (P 12, P 13, P 15, P 16): a list by
        /// the number of its first kieskring, a candidate by ShortCode; in the order the
        /// calculation asks (repeat for several drawings).
        #[arg(long = "group-lot", value_name = "KIESKRING|SHORTCODE")]
        group_lots: Vec<String>,
        /// A deceased candidate (P 19a), as `LIST:SHORTCODE`, `LIST:POSITION` (a list that is
        /// the same everywhere) or `LIST:KIESKRING/POSITION` (a list group); repeat for several.
        #[arg(long = "deceased", value_name = "LIST:CANDIDATE", value_parser = parse_deceased)]
        deceased: Vec<DeceasedCandidate>,
    },
    /// Write the osv4-3 CSV of a count (the Kiesraad's format, by eml-nl's own code).
    Csv {
        /// The count: a 510b, 510c or 510d.
        count: PathBuf,
        /// Candidate lists (230b) with the count's lists and candidates (several allowed:
        /// the one of the count's election and contest is used).
        #[arg(long, num_args = 1.., required = true)]
        candidates: Vec<PathBuf>,
        /// Write the CSV to this file (which must not exist yet) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn parse_candidate_lot(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("{s:?}: expected LIST:POSITION, e.g. 4:2");
    let (list, pos) = s.split_once(':').ok_or_else(bad)?;
    let list: u32 = list.parse().map_err(|_| bad())?;
    let pos: u32 = pos.parse().map_err(|_| bad())?;
    if list == 0 || pos == 0 {
        return Err(bad());
    }
    Ok((list, pos))
}

fn parse_deceased(s: &str) -> Result<DeceasedCandidate, String> {
    let bad = || {
        format!(
            "{s:?}: expected LIST:SHORTCODE, LIST:POSITION or LIST:KIESKRING/POSITION, e.g. 3:OmtzigtPH"
        )
    };
    let (list, who) = s.split_once(':').ok_or_else(bad)?;
    let list: u32 = list.parse().map_err(|_| bad())?;
    if list == 0 || who.is_empty() {
        return Err(bad());
    }
    let candidate = if let Some((k, p)) = who.split_once('/') {
        let kieskring: u32 = k.parse().map_err(|_| bad())?;
        let position: u32 = p.parse().map_err(|_| bad())?;
        if kieskring == 0 || position == 0 {
            return Err(bad());
        }
        DeceasedRef::OnList {
            kieskring,
            position: CandidatePosition(position),
        }
    } else if let Ok(p) = who.parse::<u32>() {
        if p == 0 {
            return Err(bad());
        }
        DeceasedRef::Position(CandidatePosition(p))
    } else {
        DeceasedRef::ShortCode(who.to_owned())
    };
    Ok(DeceasedCandidate {
        list: ListNumber(list),
        candidate,
    })
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, String> {
    tally_signing::medium::read_regular_file(path, tally_core::eml::limits::MAX_FILE_BYTES as u64)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Check {
            folder,
            root_key,
            at,
            require_all,
        } => {
            let key = match &root_key {
                Some(p) => Some(
                    PublicKey::from_file_bytes(&read(p)?)
                        .map_err(|e| format!("root key {}: {e}", p.display()))?,
                ),
                None => None,
            };
            let at = match at {
                Some(t) => Timestamp::parse(&t).map_err(|e| format!("--at: {e}"))?,
                None => Timestamp::now(),
            };
            let opts = CheckOptions {
                root_key: key.as_ref(),
                at,
                require_all,
            };
            let report = check_folder(&folder, &opts)
                .map_err(|e| format!("cannot read folder {}: {e}", folder.display()))?;
            print!("{report}");
            Ok(report.outcome().exit_status())
        }
        Command::Apportion {
            definition,
            candidates,
            count,
            lots,
            candidate_lots,
            group_lots,
            deceased,
        } => {
            let def = read(&definition)?;
            let mut cands = Vec::new();
            for c in &candidates {
                cands.push((name(c), read(c)?));
            }
            let count_bytes = read(&count)?;
            let (text, worked) = apportion_report_kept(
                (&name(&definition), &def),
                &cands,
                (&name(&count), &count_bytes),
                &Lots {
                    seats: lots.into_iter().map(ListNumber).collect(),
                    candidates: candidate_lots
                        .into_iter()
                        .map(|(l, p)| (ListNumber(l), CandidatePosition(p)))
                        .collect(),
                    groups: group_lots,
                    deceased,
                },
            )
            .map_err(|e| e.to_string())?;
            print!("{text}");
            // The process ends now: its memory goes back whole (freeing the count, the
            // election and the result piece by piece cost about 2 ms of 25).
            std::mem::forget(worked);
            std::mem::forget(count_bytes);
            std::mem::forget(def);
            Ok(0)
        }
        Command::Csv {
            count,
            candidates,
            out,
        } => {
            let count_bytes = read(&count)?;
            let mut lists = Vec::new();
            for c in &candidates {
                lists.push((name(c), read(c)?));
            }
            let count_name = name(&count);
            let csv = osv4_3_csv(
                &SourceFile::new(&count_name, &count_bytes),
                &lists
                    .iter()
                    .map(|(n, b)| SourceFile::new(n, b))
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| e.to_string())?;
            match out {
                Some(path) => std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .and_then(|mut f| {
                        f.write_all(&csv.bytes)?;
                        f.sync_all()
                    })
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
                None => {
                    let mut stdout = std::io::stdout().lock();
                    stdout
                        .write_all(&csv.bytes)
                        .and_then(|()| stdout.flush())
                        .map_err(|e| format!("cannot write the CSV to standard output: {e}"))?;
                }
            }
            Ok(0)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            eprintln!("tally-verify: {e}");
            ExitCode::from(2)
        }
    }
}
