//! End-to-end tests of the tally appliance (package `tally-e2e`).
//!
//! The tests in `tests/` build the real appliance (the signed UKI with `tally-init` and the real
//! `tally` terminal), provision a counting body with `tally-provision`, boot the certified stick
//! in QEMU with OVMF and Secure Boot enforced, and drive the terminal through its serial line:
//! keys in, screen out. This library holds the small pieces those tests share: a screen model
//! of the terminal's VT100 output ([`Screen`]) and readers of what the screens and the exported
//! EML show. It is test support only; nothing of it goes into the appliance.
//!
//! What this crate must not do: compute an expected result with the code under test. The
//! numbers the tests type come from their own paper reports; the totals they expect are summed
//! here, independently of the terminal and the core.

use std::collections::BTreeMap;

/// The terminal's screen as a VT100 emulator sees it: 24 rows of 80 columns, fed with
/// everything the appliance writes to its serial terminal.
pub struct Screen {
    parser: vt100::Parser,
    fed: usize,
}

impl Default for Screen {
    fn default() -> Self {
        Screen::new()
    }
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Screen({:?})", self.text())
    }
}

impl Screen {
    /// An empty 80x24 screen.
    pub fn new() -> Screen {
        Screen {
            parser: vt100::Parser::new(24, 80, 0),
            fed: 0,
        }
    }

    /// Feeds the terminal's whole output so far; only the part not fed before is processed.
    pub fn feed_all(&mut self, output: &[u8]) {
        if let Some(new) = output.get(self.fed..) {
            self.parser.process(new);
            self.fed = output.len();
        }
    }

    /// The screen's text, one line per row (trailing blanks removed).
    pub fn text(&self) -> String {
        let screen = self.parser.screen();
        screen
            .rows(0, 80)
            .map(|r| r.trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Group `n` (1-based, as the screen asks it) of a SHA-256 in hex: four hex digits.
pub fn hash_group(hex: &str, n: usize) -> Option<&str> {
    let start = n.checked_sub(1)?.checked_mul(4)?;
    hex.get(start..start.checked_add(4)?)
}

/// A SHA-256 in hex as the terminal shows it: 16 groups of 4 separated by spaces.
pub fn grouped(hex: &str) -> String {
    (1..=16)
        .filter_map(|n| hash_group(hex, n))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The hash-code groups the definition screen asks for, in order: (group 1..=16, file `110a`
/// or `230b`), from lines "Typ van het papier groep N van de hashcode van F:".
pub fn asked_groups(screen: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for line in screen.lines() {
        let Some((_, rest)) = line.split_once("groep ") else {
            continue;
        };
        let Some((n, rest)) = rest.split_once(" van de hashcode van ") else {
            continue;
        };
        let Ok(n) = n.trim().parse::<usize>() else {
            continue;
        };
        let file: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        out.push((n, file));
    }
    out
}

/// The fields an entry screen shows: code (`A`, `E.1`, a candidate's number, `T`) to the value
/// in its box (empty when none). Lines look like `>     A Geldige stempassen   [      1234_]`.
pub fn entry_fields(screen: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in screen.lines() {
        let (Some(open), Some(close)) = (line.rfind('['), line.rfind(']')) else {
            continue;
        };
        let Some(code) = line.get(2..7).map(str::trim) else {
            continue;
        };
        if code.is_empty() || close < open {
            continue;
        }
        let value = line
            .get(open.saturating_add(1)..close)
            .unwrap_or("")
            .trim()
            .trim_end_matches('_')
            .trim();
        out.insert(code.to_string(), value.to_string());
    }
    out
}

/// The municipality's totals in a 510b (`TotalVotes`): per list its total and its candidates'
/// votes, and the blank and invalid votes. Read with plain string search, not the core's
/// reader.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals510b {
    /// List number to its total votes.
    pub lists: BTreeMap<u32, u64>,
    /// (list, candidate position) to votes.
    pub candidates: BTreeMap<(u32, u32), u64>,
    /// `TotalCounted`: votes on candidates.
    pub counted: Option<u64>,
    /// `RejectedVotes ReasonCode="blanco"`.
    pub blank: Option<u64>,
    /// `RejectedVotes ReasonCode="ongeldig"`.
    pub invalid: Option<u64>,
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)?.checked_add(open.len())?;
    let len = s.get(start..)?.find(close)?;
    s.get(start..start.checked_add(len)?)
}

/// Reads the `TotalVotes` block of a 510b; `None` if there is none.
pub fn totals_510b(xml: &str) -> Option<Totals510b> {
    let block = between(xml, "<TotalVotes>", "</TotalVotes>")?;
    let mut t = Totals510b::default();
    let mut list = 0u32;
    for sel in block.split("<Selection>").skip(1) {
        let votes: u64 = between(sel, "<ValidVotes>", "</ValidVotes>")?
            .trim()
            .parse()
            .ok()?;
        if let Some(id) = between(sel, "<AffiliationIdentifier Id=\"", "\"") {
            list = id.parse().ok()?;
            t.lists.insert(list, votes);
        } else if let Some(id) = between(sel, "<CandidateIdentifier Id=\"", "\"") {
            t.candidates.insert((list, id.parse().ok()?), votes);
        }
    }
    let num =
        |open: &str, close: &str| between(block, open, close).and_then(|v| v.trim().parse().ok());
    t.counted = num("<TotalCounted>", "</TotalCounted>");
    t.blank = num("<RejectedVotes ReasonCode=\"blanco\">", "</RejectedVotes>");
    t.invalid = num(
        "<RejectedVotes ReasonCode=\"ongeldig\">",
        "</RejectedVotes>",
    );
    Some(t)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn screen_follows_cursor_moves_and_clears() {
        let mut s = Screen::new();
        s.feed_all(b"\x1b[2J\x1b[3;5Hhallo");
        assert_eq!(s.text().lines().nth(2), Some("    hallo"));
        let more = b"\x1b[2J\x1b[3;5Hhallo\x1b[2J\x1b[1;1Hweg";
        s.feed_all(more);
        assert_eq!(s.text().lines().next(), Some("weg"));
        assert!(!s.text().contains("hallo"));
    }

    #[test]
    fn reads_asked_groups_and_entry_fields() {
        let screen = "> Typ van het papier groep 3 van de hashcode van 110a: [    ]\n  \
                      Typ van het papier groep 12 van de hashcode van 230b: [ab  ]\n";
        assert_eq!(
            asked_groups(screen),
            vec![(3, "110a".to_string()), (12, "230b".to_string())]
        );
        let e = ">     A Geldige stempassen                         [      1234_]\n      \
                 B Geldige volmachtbewijzen                   [        56 ] X F.201\n";
        let f = entry_fields(e);
        assert_eq!(f.get("A").map(String::as_str), Some("1234"));
        assert_eq!(f.get("B").map(String::as_str), Some("56"));
        let hex = "fae212ff03ce27d045e215eea0c17e0e316e331f264150a3feef2ac361db2528";
        assert_eq!(hash_group(hex, 1), Some("fae2"));
        assert_eq!(hash_group(hex, 16), Some("2528"));
        assert_eq!(hash_group(hex, 0), None);
        assert_eq!(hash_group(hex, 17), None);
        assert!(grouped(hex).starts_with("fae2 12ff 03ce"));
    }

    #[test]
    fn reads_510b_totals() {
        let xml = "<Count><TotalVotes><Selection><AffiliationIdentifier Id=\"1\"><RegisteredName>A</RegisteredName></AffiliationIdentifier><ValidVotes>7</ValidVotes></Selection>\
                   <Selection><Candidate><CandidateIdentifier Id=\"1\"></CandidateIdentifier></Candidate><ValidVotes>5</ValidVotes></Selection>\
                   <Selection><Candidate><CandidateIdentifier Id=\"2\"></CandidateIdentifier></Candidate><ValidVotes>2</ValidVotes></Selection>\
                   <Cast>0</Cast><TotalCounted>7</TotalCounted><RejectedVotes ReasonCode=\"ongeldig\">1</RejectedVotes><RejectedVotes ReasonCode=\"blanco\">3</RejectedVotes></TotalVotes>\
                   <ReportingUnitVotes><TotalCounted>99</TotalCounted></ReportingUnitVotes></Count>";
        let t = totals_510b(xml).unwrap();
        assert_eq!(t.lists.get(&1), Some(&7));
        assert_eq!(t.candidates.get(&(1, 2)), Some(&2));
        assert_eq!(t.counted, Some(7));
        assert_eq!(t.blank, Some(3));
        assert_eq!(t.invalid, Some(1));
        assert_eq!(totals_510b("<Count/>"), None);
    }
}
