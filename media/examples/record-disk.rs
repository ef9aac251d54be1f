//! Records disks as the media crate sees them, as JSON fixtures for the detection tests:
//! `record-disk /sys/block/sda > tests/fixtures/detect/NAME.json`. Run it inside the QEMU guest to
//! replace the hand-written QEMU fixtures with real captures. With `--classify`, prints the
//! verdict instead.

use std::path::Path;

use tally_media::detect::{Policy, classify};
use tally_media::watch::record_syspath;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let classify_only = args.iter().any(|a| a == "--classify");
    let mut status = std::process::ExitCode::SUCCESS;
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        match record_syspath(Path::new(path)) {
            Ok(record) => {
                let out = if classify_only {
                    serde_json::to_string_pretty(&classify(&record, &Policy::default()))
                } else {
                    serde_json::to_string_pretty(&record)
                };
                match out {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("{path}: {e}");
                        status = std::process::ExitCode::FAILURE;
                    }
                }
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                status = std::process::ExitCode::FAILURE;
            }
        }
    }
    status
}
