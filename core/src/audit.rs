//! The chained audit log's line format (#14 point 4; `docs/audit.md`).
//!
//! Every line of `audit.jsonl` is one JSON object that starts with its sequence number, the
//! previous line's tag and how it is authenticated, and ends with its own tag:
//!
//! ```text
//! {"seq":7,"prev":"<64 hex>","auth":"body","time":...,"kind":"record",...,"tag":"<64 hex>"}
//! ```
//!
//! The tag covers the line's bytes before `,"tag":"` (so the sequence number and the previous
//! tag, hence the whole chain before it):
//! - `"auth":"body"`: HMAC-SHA-256 under the body's audit key (derived from the body's key once
//!   unlocked, `tally_signing::audit_key`) of `tally-audit v1 line` 0x00 ‖ those bytes;
//! - `"auth":"none"` (only lines written before the unlock of a start, when the key is not
//!   there yet): SHA-256 of `tally-audit v1 unkeyed line` 0x00 ‖ those bytes.
//!
//! The first line's `prev` is 64 zeros. Anyone can check the sequence, the links and the
//! unkeyed lines' tags ([`check`] without a key); only the body can check its keyed tags.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The domain of a keyed line's tag.
const KEYED_DOMAIN: &[u8] = b"tally-audit v1 line\0";
/// The domain of an unkeyed line's tag.
const UNKEYED_DOMAIN: &[u8] = b"tally-audit v1 unkeyed line\0";
/// What comes between a line's covered bytes and its tag.
const TAG_MARK: &str = ",\"tag\":\"";
/// `,"tag":"` + 64 hex digits + `"}`.
const TAG_SUFFIX_LEN: usize = TAG_MARK.len() + 64 + 2;
/// The kind of the lines that copy a journal record (an entry, a decision, an import, an
/// export, a person); they are written only after the unlock, so always keyed.
pub const RECORD_KIND: &str = "record";
/// The kind of the line the body writes when it checks its own log before an export.
pub const CHECKED_KIND: &str = "chain_checked";

/// The body's audit key (32 bytes from `tally_signing::audit_key`), ready to tag lines.
#[derive(Clone)]
pub struct AuditKey {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

impl AuditKey {
    /// The key from its 32 bytes.
    pub fn new(key: &[u8; 32]) -> AuditKey {
        // HMAC pads a short key with zeros to its 64-byte block: the same key, no error path.
        let mut block = zeroize::Zeroizing::new([0u8; 64]);
        for (b, k) in block.iter_mut().zip(key) {
            *b = *k;
        }
        AuditKey {
            mac: <Hmac<Sha256> as KeyInit>::new(&(*block).into()),
        }
    }

    fn tag(&self, covered: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(KEYED_DOMAIN);
        mac.update(covered);
        mac.finalize().into_bytes().into()
    }
}

fn unkeyed_tag(covered: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(UNKEYED_DOMAIN);
    h.update(covered);
    h.finalize().into()
}

/// Where a chain stands: the last line's number and tag (0 and zeros before the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChainState {
    /// The number of the last line.
    pub seq: u64,
    /// Its tag.
    pub tag: [u8; 32],
}

/// The line (with its newline) that follows `state` for `event`, a JSON object (`{...}`) of
/// the event's own fields; tagged with `key`, or unkeyed without one. Returns the new state.
pub fn seal(event_json: &str, state: ChainState, key: Option<&AuditKey>) -> (String, ChainState) {
    let seq = state.seq.saturating_add(1);
    let inner = event_json
        .trim()
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or("")
        .trim();
    let auth = if key.is_some() { "body" } else { "none" };
    let mut line = format!(
        "{{\"seq\":{seq},\"prev\":\"{}\",\"auth\":\"{auth}\"",
        hex::encode(state.tag)
    );
    if !inner.is_empty() {
        line.push(',');
        line.push_str(inner);
    }
    let tag = match key {
        Some(k) => k.tag(line.as_bytes()),
        None => unkeyed_tag(line.as_bytes()),
    };
    line.push_str(TAG_MARK);
    line.push_str(&hex::encode(tag));
    line.push_str("\"}\n");
    (line, ChainState { seq, tag })
}

/// One line read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Its sequence number.
    pub seq: u64,
    /// The previous line's tag, as it says.
    pub prev: [u8; 32],
    /// Whether it is tagged with the body's key.
    pub keyed: bool,
    /// Its tag.
    pub tag: [u8; 32],
    /// The whole object.
    pub value: serde_json::Value,
    /// The bytes the tag covers.
    covered_len: usize,
}

impl Line {
    /// A field's text, if it has it.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.value.get(field).and_then(serde_json::Value::as_str)
    }
}

fn hex32(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}

/// Reads one line (without its newline).
///
/// # Errors
/// It is not a chained line, in words.
pub fn parse_line(text: &str) -> Result<Line, String> {
    let n = text.len();
    let mark = n
        .checked_sub(TAG_SUFFIX_LEN)
        .ok_or("too short for a chained line")?;
    if text.get(mark..mark + TAG_MARK.len()) != Some(TAG_MARK) || !text.ends_with("\"}") {
        return Err("does not end with its tag".into());
    }
    let tag = text
        .get(mark + TAG_MARK.len()..n - 2)
        .and_then(hex32)
        .ok_or("its tag is not 64 hex digits")?;
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
    let seq = value
        .get("seq")
        .and_then(serde_json::Value::as_u64)
        .ok_or("no sequence number")?;
    let prev = value
        .get("prev")
        .and_then(serde_json::Value::as_str)
        .and_then(hex32)
        .ok_or("no previous tag")?;
    let keyed = match value.get("auth").and_then(serde_json::Value::as_str) {
        Some("body") => true,
        Some("none") => false,
        _ => return Err("no \"auth\" of \"body\" or \"none\"".into()),
    };
    if !text.starts_with(&format!("{{\"seq\":{seq},\"prev\":\"")) {
        return Err("does not start with its sequence number and previous tag".into());
    }
    Ok(Line {
        seq,
        prev,
        keyed,
        tag,
        value,
        covered_len: mark,
    })
}

/// The state after the last whole line of `text` (the file's end), for a writer that
/// appends: `None` when that line is not a chained line.
pub fn state_after(last_line: &str) -> Option<ChainState> {
    let l = parse_line(last_line).ok()?;
    Some(ChainState {
        seq: l.seq,
        tag: l.tag,
    })
}

/// A line that breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The line's number in the file (1 for the first).
    pub line: usize,
    /// Why, in words.
    pub why: String,
}

/// What [`check`] found.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Every line that could be read, in order.
    pub lines: Vec<Line>,
    /// Lines tagged with the body's key.
    pub keyed: usize,
    /// Lines tagged without it (before an unlock).
    pub unkeyed: usize,
    /// Whether the keyed tags were checked (a key was given).
    pub keyed_checked: bool,
    /// Where the chain breaks.
    pub broken: Vec<Broken>,
    /// Bytes after the last newline (a torn last line), if any.
    pub torn: Option<usize>,
}

impl Checked {
    /// The state after the last line (as a writer continues it).
    pub fn state(&self) -> ChainState {
        self.lines
            .last()
            .map_or_else(ChainState::default, |l| ChainState {
                seq: l.seq,
                tag: l.tag,
            })
    }
}

/// Checks a whole log: every line chained (numbers 1, 2, ..., each `prev` the tag of the line
/// before), every unkeyed tag, and with `key` every keyed tag; a journal record's line must be
/// keyed. Bytes after the last newline are a torn line (`torn`), not checked.
pub fn check(bytes: &[u8], key: Option<&AuditKey>) -> Checked {
    let mut out = Checked {
        keyed_checked: key.is_some(),
        ..Checked::default()
    };
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if end < bytes.len() {
        out.torn = Some(bytes.len() - end);
    }
    let mut expected = ChainState::default();
    let body = bytes.get(..end).unwrap_or_default();
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    if end == 0 {
        return out;
    }
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let mut broke = |why: String| out.broken.push(Broken { line: n, why });
        let Ok(text) = std::str::from_utf8(raw) else {
            broke("not UTF-8".into());
            continue;
        };
        let line = match parse_line(text) {
            Ok(l) => l,
            Err(why) => {
                broke(why);
                // The chain goes on from what the line would have been.
                expected.seq = expected.seq.saturating_add(1);
                expected.tag = Sha256::digest(raw).into();
                continue;
            }
        };
        let want = expected.seq.saturating_add(1);
        if line.seq != want {
            broke(format!(
                "sequence number {} where {want} was expected (a line removed, added or moved)",
                line.seq
            ));
        }
        if line.prev != expected.tag {
            broke("its previous tag is not the tag of the line before (a line removed, added, changed or moved)".into());
        }
        let covered = raw.get(..line.covered_len).unwrap_or_default();
        if line.keyed {
            out.keyed += 1;
            if let Some(k) = key
                && k.tag(covered) != line.tag
            {
                broke(
                    "does not verify with the body's key (changed, or written without it)".into(),
                );
            }
        } else {
            out.unkeyed += 1;
            if unkeyed_tag(covered) != line.tag {
                broke("its tag is not its SHA-256 (the line was changed)".into());
            }
            if line.text("kind") == Some(RECORD_KIND) {
                broke("a journal record's line without the body's key (only lines before the unlock may be unkeyed)".into());
            }
        }
        expected = ChainState {
            seq: line.seq,
            tag: line.tag,
        };
        out.lines.push(line);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn log(key: &AuditKey) -> Vec<String> {
        let mut state = ChainState::default();
        let mut lines = Vec::new();
        for (i, ev) in [
            r#"{"kind":"inserted","detail":"usable"}"#,
            r#"{"kind":"record","act":"entry_started","person":"Anna"}"#,
            r#"{"kind":"record","act":"decided","decision":"keep_first","person":"Carla"}"#,
            r#"{"kind":"record","act":"exported","person":"Carla"}"#,
        ]
        .iter()
        .enumerate()
        {
            let (line, next) = seal(ev, state, (i > 0).then_some(key));
            state = next;
            lines.push(line);
        }
        lines
    }

    #[test]
    fn a_sealed_log_checks_with_and_without_the_key() {
        let key = AuditKey::new(&[7; 32]);
        let text = log(&key).concat();
        let with = check(text.as_bytes(), Some(&key));
        assert!(with.broken.is_empty(), "{:?}", with.broken);
        assert_eq!((with.keyed, with.unkeyed, with.lines.len()), (3, 1, 4));
        assert_eq!(with.state().seq, 4);
        let without = check(text.as_bytes(), None);
        assert!(without.broken.is_empty());
        assert!(!without.keyed_checked);
        // Readable JSON, the fields in order.
        let first = text.lines().next().unwrap();
        assert!(
            first.starts_with(&format!(
                "{{\"seq\":1,\"prev\":\"{}\",\"auth\":\"none\",\"kind\":\"inserted\"",
                "0".repeat(64)
            )),
            "{first}"
        );
        let v: serde_json::Value = serde_json::from_str(text.lines().nth(2).unwrap()).unwrap();
        assert_eq!(v["person"], "Carla");
        assert_eq!(v["seq"], 3);
        // Another key does not verify the keyed lines.
        let other = check(text.as_bytes(), Some(&AuditKey::new(&[8; 32])));
        assert_eq!(
            other.broken.iter().map(|b| b.line).collect::<Vec<_>>(),
            [2, 3, 4]
        );
    }

    #[test]
    fn a_changed_line_is_found_with_the_key_and_an_unkeyed_one_without() {
        let key = AuditKey::new(&[7; 32]);
        let mut lines = log(&key);
        lines[2] = lines[2].replace("Carla", "Cor");
        let text = lines.concat();
        let with = check(text.as_bytes(), Some(&key));
        assert_eq!(with.broken.len(), 1, "{:?}", with.broken);
        assert_eq!(with.broken[0].line, 3);
        // Without the key a keyed line's content cannot be checked: the chain still holds.
        assert!(check(text.as_bytes(), None).broken.is_empty());
        // An unkeyed line changed is found by anyone.
        let mut lines = log(&key);
        lines[0] = lines[0].replace("usable", "usabl3");
        let found = check(lines.concat().as_bytes(), None);
        assert_eq!(found.broken[0].line, 1);
    }

    #[test]
    fn removed_swapped_and_resealed_lines_break_the_chain_for_anyone() {
        let key = AuditKey::new(&[7; 32]);
        let lines = log(&key);
        // Removed.
        let removed = [lines[0].clone(), lines[2].clone(), lines[3].clone()].concat();
        let c = check(removed.as_bytes(), None);
        assert_eq!(c.broken.iter().map(|b| b.line).collect::<Vec<_>>(), [2, 2]);
        // Swapped.
        let swapped = [
            lines[0].clone(),
            lines[2].clone(),
            lines[1].clone(),
            lines[3].clone(),
        ]
        .concat();
        let c = check(swapped.as_bytes(), None);
        assert!(c.broken.iter().any(|b| b.line == 2));
        assert!(c.broken.iter().any(|b| b.line == 3));
        assert!(c.broken.iter().any(|b| b.line == 4));
        // The last line removed: the chain holds (a shorter log; the body's statement and
        // the signature of the medium are what bind its length).
        let cut = lines[..3].concat();
        assert!(check(cut.as_bytes(), None).broken.is_empty());
        // Rewritten by someone without the key: every line resealed unkeyed; a journal
        // record's line must be keyed, so it is found.
        let mut state = ChainState::default();
        let mut forged = String::new();
        for l in &lines {
            let v = parse_line(l.trim_end()).unwrap();
            let mut obj = v.value.as_object().unwrap().clone();
            for f in ["seq", "prev", "auth", "tag"] {
                obj.remove(f);
            }
            let (line, next) = seal(&serde_json::to_string(&obj).unwrap(), state, None);
            state = next;
            forged.push_str(&line);
        }
        let c = check(forged.as_bytes(), None);
        assert_eq!(
            c.broken.iter().map(|b| b.line).collect::<Vec<_>>(),
            [2, 3, 4]
        );
    }

    #[test]
    fn a_torn_last_line_is_reported_not_checked() {
        let key = AuditKey::new(&[7; 32]);
        let text = log(&key).concat();
        let torn = &text.as_bytes()[..text.len() - 10];
        let c = check(torn, Some(&key));
        assert!(c.broken.is_empty());
        assert_eq!(c.lines.len(), 3);
        assert!(c.torn.unwrap() > 0);
        assert!(check(b"", None).lines.is_empty());
        assert!(check(b"", None).broken.is_empty());
    }
}
