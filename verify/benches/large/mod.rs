//! Synthetic large counts for the benchmarks of issue #15 point 4: a real 510b's ballot and
//! polling stations, repeated until the file has the size of the largest municipalities'.
//!
//! [`scaled_file`] repeats every polling station of a real count `k` times (new numbers
//! `<code>::SB1` ... `SB<n>`, the same votes) and multiplies its `TotalVotes` by `k`, so
//! every sum still holds. Done on the text, the Kiesraad's formatting is kept and the file
//! is `k` times the real one: the TK2023 510b of Aa en Hunze (24 stations, 3.1 MB) times 30 is an
//! Amsterdam-sized Tweede Kamer 510b (720 stations, about 93 MB); Groningen's GR2022 510b
//! (180 stations, 9.9 MB) times 4 and 16 is 39 and 158 MB.

// Generator code for benches and an example, on the real files only: a slice out of
// range is a failed bench, not a crash of the appliance.
#![allow(dead_code, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

/// The folder of the real EML files (`../shared/eml/real` beside the checkout), or
/// `$SHARED/eml/real`.
pub fn real_dir() -> PathBuf {
    match std::env::var_os("SHARED") {
        Some(shared) => PathBuf::from(shared).join("eml/real"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eml/real"),
    }
}

/// The TK2023 510b of Aa en Hunze: the ballot of the synthetic Amsterdam.
pub const AA_EN_HUNZE: &str = "Telling_TK2023_gemeente_Aa_en_Hunze.eml.xml";
/// The TK2023 definition.
pub const TK2023_DEFINITION: &str = "Verkiezingsdefinitie_TK2023.eml.xml";
/// The GR2022 510b of Groningen: the size unit of the read benchmark.
pub const GRONINGEN: &str = "Telling_GR2022_Groningen.eml.xml";

/// `text` with every whole number between `>` and `<` (element content: in a
/// `TotalVotes` every such number is a count) multiplied by `k`.
fn multiply_numbers(text: &str, k: u64) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut rest = text;
    while let Some(gt) = rest.find('>') {
        let (before, after) = rest.split_at(gt + 1);
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after.as_bytes().get(digits) == Some(&b'<') {
            let n: u64 = after[..digits].parse().map_err(|e| format!("{e}"))?;
            let m = n.checked_mul(k).ok_or("a count does not fit")?;
            out.push_str(&m.to_string());
            rest = &after[digits..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The real count `name` with every polling station repeated `k` times and `TotalVotes`
/// multiplied by `k`, as text: the Kiesraad's own formatting kept, so the file is `k` times
/// the real one's size (less the header). Station `i` of round `r` becomes
/// `<code>::SB<r * stations + i>`.
pub fn scaled_file(name: &str, k: usize) -> Result<Vec<u8>, String> {
    let path = real_dir().join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let k64 = u64::try_from(k).map_err(|e| e.to_string())?;
    let missing = |what: &str| format!("{name}: no {what}");
    let total_start = text
        .find("<TotalVotes>")
        .ok_or_else(|| missing("TotalVotes"))?;
    let total_end = text
        .find("</TotalVotes>")
        .ok_or_else(|| missing("TotalVotes end"))?
        + "</TotalVotes>".len();
    const OPEN: &str = "<ReportingUnitVotes";
    const CLOSE: &str = "</ReportingUnitVotes>";
    let units_start = total_end
        + text[total_end..]
            .find(OPEN)
            .ok_or_else(|| missing("ReportingUnitVotes"))?;
    let units_end = text
        .rfind(CLOSE)
        .ok_or_else(|| missing("ReportingUnitVotes end"))?
        + CLOSE.len();
    let mut units: Vec<&str> = Vec::new();
    let mut rest = &text[units_start..units_end];
    while let Some(end) = rest.find(CLOSE) {
        let block = &rest[..end + CLOSE.len()];
        units.push(block.trim_start());
        rest = &rest[end + CLOSE.len()..];
    }
    let code = {
        const ID: &str = "ReportingUnitIdentifier Id=\"";
        let first = units.first().ok_or_else(|| missing("polling station"))?;
        let at = first
            .find(ID)
            .ok_or_else(|| missing("ReportingUnitIdentifier"))?
            + ID.len();
        let id = &first[at..at + first[at..].find('"').ok_or("bad id")?];
        id.split("::").next().unwrap_or(id).to_owned()
    };
    let mut out = String::with_capacity(text.len().saturating_mul(k));
    out.push_str(&text[..total_start]);
    out.push_str(&multiply_numbers(&text[total_start..total_end], k64)?);
    out.push_str(&text[total_end..units_start]);
    let mut n = 0usize;
    for _ in 0..k {
        for unit in &units {
            n += 1;
            const ID: &str = "ReportingUnitIdentifier Id=\"";
            let at = unit.find(ID).ok_or("no id")? + ID.len();
            let end = at + unit[at..].find('"').ok_or("bad id")?;
            out.push_str(&unit[..at]);
            out.push_str(&format!("{code}::SB{n}"));
            out.push_str(&unit[end..]);
        }
    }
    out.push_str(&text[units_end..]);
    Ok(out.into_bytes())
}

/// The peak resident memory of this process so far (`VmHWM`), in bytes.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}
