//! Writes the synthetic chain of the tests (`tests/common/chain.rs`) into a folder, with the
//! root key as `root.pub` beside it, to time `tally-verify check` on it with a release build:
//!
//! ```sh
//! cargo run -p tally-verify --example write_chain -- /tmp/chain
//! cargo build --release -p tally-verify
//! time target/release/tally-verify check /tmp/chain/media --root-key /tmp/chain/root.pub --at 2099-03-24T00:00:00Z
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

#[path = "../tests/common/chain.rs"]
mod chain;

fn main() {
    let Some(out) = std::env::args_os().nth(1) else {
        eprintln!("usage: write_chain <folder>");
        std::process::exit(2);
    };
    let out = std::path::PathBuf::from(out);
    let media = out.join("media");
    std::fs::create_dir_all(&media).unwrap();
    let chain = chain::Chain::build();
    chain.write(&media);
    let key = chain.write_root_key(&out);
    println!(
        "{} media in {}, root key {}",
        chain.media.len(),
        media.display(),
        key.display()
    );
}
