//! Makes the fonts shipped in `fonts/` from Debian's `fonts-dejavu-core`: DejaVu Sans and
//! DejaVu Sans Bold, cut down to the Latin ranges Dutch candidate lists need.
//!
//! Usage: `cargo run -p tally-report --example subset_fonts [SOURCE_DIR]`
//! (default `/usr/share/fonts/truetype/dejavu`); writes into `report/fonts/`.

use std::collections::BTreeSet;

use tally_report::font::Font;

/// The characters kept: Basic Latin, Latin-1 Supplement, Latin Extended-A and B,
/// combining diacritical marks, Latin Extended Additional, and the punctuation and
/// symbols a report prints (dashes, quotes, ellipsis, bullet, euro, section sign).
fn wanted(c: char) -> bool {
    matches!(u32::from(c),
        0x20..=0x7E | 0xA0..=0x24F | 0x300..=0x36F | 0x1E00..=0x1EFF
        | 0x2010..=0x2027 | 0x2030..=0x203A | 0x20AC | 0x2122 | 0x2212)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/usr/share/fonts/truetype/dejavu".to_string());
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/fonts");
    for (src, dst) in [
        ("DejaVuSans.ttf", "DejaVuSans-Latin.ttf"),
        ("DejaVuSans-Bold.ttf", "DejaVuSans-Bold-Latin.ttf"),
    ] {
        let font = Font::parse(std::fs::read(format!("{dir}/{src}"))?)?;
        let glyphs: BTreeSet<u16> = font
            .characters()
            .filter(|(c, _)| wanted(*c))
            .map(|(_, g)| g)
            .collect();
        let (bytes, map) = font.subset(&glyphs)?;
        std::fs::write(format!("{out}/{dst}"), &bytes)?;
        println!(
            "{src} -> {dst}: {} glyphs, {} bytes",
            map.len(),
            bytes.len()
        );
    }
    Ok(())
}
