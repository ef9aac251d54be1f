//! The strict line-based text encoding shared by certificates, manifests, key files and
//! public-key files.
//!
//! Every such document is UTF-8, a magic first line, then `key: value` lines in a fixed
//! order, each ended by a single LF. No CR, no tab, no other control character, no blank
//! line, nothing after the last line. Values are never empty and never start or end with a
//! space. Unknown, duplicate, missing and out-of-order fields are refused.

use std::fmt;

/// What is wrong with a document's text, and on which line (1-based; 0 for the whole
/// document).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct SyntaxError {
    /// The 1-based line number; 0 when the problem concerns the whole document.
    pub line: usize,
    /// What is wrong.
    pub problem: SyntaxProblem,
}

/// The kinds of syntax problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxProblem {
    /// The bytes are not UTF-8.
    NotUtf8,
    /// The document is empty.
    Empty,
    /// The last line is not ended by a line feed.
    MissingFinalNewline,
    /// A control character (CR, tab, NUL, ...) is in a line.
    ControlCharacter,
    /// The first line is not the expected magic line.
    BadMagic {
        /// The magic line expected.
        expected: &'static str,
    },
    /// The format version is one this program does not know.
    UnsupportedVersion {
        /// The version found.
        found: String,
    },
    /// A line is not of the form `key: value`.
    NotAField,
    /// A required field is missing.
    MissingField {
        /// The field that was expected here.
        expected: &'static str,
    },
    /// A field appears twice.
    DuplicateField {
        /// The repeated field.
        field: String,
    },
    /// A field this format does not have.
    UnknownField {
        /// The field found.
        field: String,
    },
    /// A field's value is not valid.
    BadValue {
        /// The field.
        field: &'static str,
        /// Why the value is refused.
        reason: String,
    },
}

impl fmt::Display for SyntaxProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyntaxProblem::NotUtf8 => f.write_str("the text is not valid UTF-8"),
            SyntaxProblem::Empty => f.write_str("the document is empty"),
            SyntaxProblem::MissingFinalNewline => {
                f.write_str("the last line is not ended by a line feed")
            }
            SyntaxProblem::ControlCharacter => {
                f.write_str("a control character (such as CR or tab) is not allowed")
            }
            SyntaxProblem::BadMagic { expected } => {
                write!(f, "the first line must be `{expected}`")
            }
            SyntaxProblem::UnsupportedVersion { found } => {
                write!(f, "format version `{found}` is not supported (only 1)")
            }
            SyntaxProblem::NotAField => f.write_str("the line is not of the form `key: value`"),
            SyntaxProblem::MissingField { expected } => {
                write!(f, "field `{expected}` is missing here")
            }
            SyntaxProblem::DuplicateField { field } => write!(f, "field `{field}` appears twice"),
            SyntaxProblem::UnknownField { field } => write!(f, "unknown field `{field}`"),
            SyntaxProblem::BadValue { field, reason } => {
                write!(f, "field `{field}`: {reason}")
            }
        }
    }
}

/// A reader over the lines of one document.
pub(crate) struct Lines<'a> {
    text: &'a str,
    /// Byte offset of the next line.
    pos: usize,
    /// Number of lines consumed.
    line: usize,
    /// The fields of this format, in order; used to tell missing from unknown fields.
    known: &'static [&'static str],
    /// The fields seen so far.
    seen: Vec<&'a str>,
}

/// One `key: value` line.
pub(crate) struct Field<'a> {
    pub line: usize,
    /// Byte offset of the line's first byte in the document.
    pub start: usize,
    pub value: &'a str,
}

impl<'a> Lines<'a> {
    /// Checks the whole document (UTF-8, final newline, no control characters) and reads
    /// its magic line, `<magic> v<version>`, accepting version 1 only.
    pub fn open(
        bytes: &'a [u8],
        magic_with_version: &'static str,
        known: &'static [&'static str],
    ) -> Result<Self, SyntaxError> {
        let doc = |problem| SyntaxError { line: 0, problem };
        if bytes.is_empty() {
            return Err(doc(SyntaxProblem::Empty));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| doc(SyntaxProblem::NotUtf8))?;
        if !text.ends_with('\n') {
            return Err(doc(SyntaxProblem::MissingFinalNewline));
        }
        for (i, line) in text.split_terminator('\n').enumerate() {
            if line.chars().any(char::is_control) {
                return Err(SyntaxError {
                    line: i.saturating_add(1),
                    problem: SyntaxProblem::ControlCharacter,
                });
            }
        }
        let mut lines = Lines {
            text,
            pos: 0,
            line: 0,
            known,
            seen: Vec::new(),
        };
        let (_, first) = lines.next_raw().ok_or(doc(SyntaxProblem::Empty))?;
        if first != magic_with_version {
            // `<magic> v<n>` with another n is a version problem, anything else bad magic.
            let (magic, _) = magic_with_version
                .rsplit_once(" v")
                .unwrap_or((magic_with_version, ""));
            if let Some(version) = first
                .strip_prefix(magic)
                .and_then(|rest| rest.strip_prefix(" v"))
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(lines.err(SyntaxProblem::UnsupportedVersion {
                    found: version.to_string(),
                }));
            }
            return Err(lines.err(SyntaxProblem::BadMagic {
                expected: magic_with_version,
            }));
        }
        Ok(lines)
    }

    fn next_raw(&mut self) -> Option<(usize, &'a str)> {
        let rest = self.text.get(self.pos..)?;
        let end = rest.find('\n')?;
        let line = rest.get(..end)?;
        let start = self.pos;
        self.pos = self.pos.checked_add(end)?.checked_add(1)?;
        self.line = self.line.saturating_add(1);
        Some((start, line))
    }

    /// An error on the current (last consumed) line.
    pub fn err(&self, problem: SyntaxProblem) -> SyntaxError {
        SyntaxError {
            line: self.line,
            problem,
        }
    }

    /// An error about the value of `field` on the line of `f`.
    pub fn bad_value(f: &Field<'_>, field: &'static str, reason: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line: f.line,
            problem: SyntaxProblem::BadValue {
                field,
                reason: reason.into(),
            },
        }
    }

    /// Whether the whole document has been read.
    pub fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn classify(&self, key: &'a str) -> SyntaxProblem {
        if self.seen.contains(&key) {
            SyntaxProblem::DuplicateField {
                field: key.to_string(),
            }
        } else {
            SyntaxProblem::UnknownField {
                field: key.to_string(),
            }
        }
    }

    /// Reads the next line, which must be the field `key`.
    pub fn field(&mut self, key: &'static str) -> Result<Field<'a>, SyntaxError> {
        let Some((start, line)) = self.next_raw() else {
            return Err(SyntaxError {
                line: self.line.saturating_add(1),
                problem: SyntaxProblem::MissingField { expected: key },
            });
        };
        let Some((k, value)) = line.split_once(": ") else {
            return Err(self.err(SyntaxProblem::NotAField));
        };
        if k != key {
            let problem = if !self.seen.contains(&k) && self.known.contains(&k) {
                SyntaxProblem::MissingField { expected: key }
            } else {
                self.classify(k)
            };
            return Err(self.err(problem));
        }
        if !self.seen.contains(&k) {
            self.seen.push(k);
        }
        let f = Field {
            line: self.line,
            start,
            value,
        };
        if value.is_empty() {
            return Err(Self::bad_value(&f, key, "the value is empty"));
        }
        if value.starts_with(' ') || value.ends_with(' ') {
            return Err(Self::bad_value(
                &f,
                key,
                "the value starts or ends with a space",
            ));
        }
        Ok(f)
    }

    /// Requires that nothing follows.
    pub fn finish(mut self) -> Result<(), SyntaxError> {
        match self.next_raw() {
            None => Ok(()),
            Some((_, line)) => {
                let problem = match line.split_once(": ") {
                    Some((k, _)) => self.classify(k),
                    None => SyntaxProblem::NotAField,
                };
                Err(self.err(problem))
            }
        }
    }
}

/// Lowercase hexadecimal of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    fn digit(n: u8) -> char {
        char::from(if n < 10 { b'0' + n } else { b'a' + (n - 10) })
    }
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        s.push(digit(b >> 4));
        s.push(digit(b & 0x0f));
    }
    s
}

/// Decodes lowercase hexadecimal (uppercase is refused, so each value has one spelling).
pub(crate) fn from_hex(s: &str) -> Option<Vec<u8>> {
    fn digit(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            _ => None,
        }
    }
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.as_bytes()
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some((digit(*hi)? << 4) | digit(*lo)?),
            _ => None,
        })
        .collect()
}

/// Decodes exactly `N` bytes of lowercase hexadecimal.
pub(crate) fn from_hex_array<const N: usize>(s: &str) -> Option<[u8; N]> {
    from_hex(s)?.try_into().ok()
}

/// Parses a decimal unsigned integer without sign, spaces or leading zeros.
pub(crate) fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_strictness() {
        assert_eq!(to_hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(from_hex("00abff"), Some(vec![0x00, 0xab, 0xff]));
        assert_eq!(from_hex("00ABff"), None);
        assert_eq!(from_hex("0"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn decimals_are_canonical() {
        assert_eq!(parse_decimal("0"), Some(0));
        assert_eq!(parse_decimal("10"), Some(10));
        assert_eq!(parse_decimal("010"), None);
        assert_eq!(parse_decimal("+1"), None);
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("18446744073709551616"), None);
    }

    const KNOWN: &[&str] = &["a", "b"];

    fn parse(s: &str) -> Result<(String, String), SyntaxError> {
        let mut l = Lines::open(s.as_bytes(), "doc v1", KNOWN)?;
        let a = l.field("a")?.value.to_string();
        let b = l.field("b")?.value.to_string();
        l.finish()?;
        Ok((a, b))
    }

    fn problem(s: &str) -> SyntaxProblem {
        parse(s).unwrap_err().problem
    }

    #[test]
    fn strict_fields() {
        assert_eq!(
            parse("doc v1\na: 1\nb: 2\n").unwrap(),
            ("1".into(), "2".into())
        );
        assert_eq!(problem(""), SyntaxProblem::Empty);
        assert_eq!(
            problem("doc v1\na: 1\nb: 2"),
            SyntaxProblem::MissingFinalNewline
        );
        assert_eq!(
            problem("doc v1\r\na: 1\nb: 2\n"),
            SyntaxProblem::ControlCharacter
        );
        assert_eq!(
            problem("doc v2\na: 1\nb: 2\n"),
            SyntaxProblem::UnsupportedVersion { found: "2".into() }
        );
        assert!(matches!(
            problem("dok v1\n"),
            SyntaxProblem::BadMagic { .. }
        ));
        assert_eq!(
            problem("doc v1\nb: 2\n"),
            SyntaxProblem::MissingField { expected: "a" }
        );
        assert_eq!(
            problem("doc v1\na: 1\n"),
            SyntaxProblem::MissingField { expected: "b" }
        );
        assert_eq!(
            problem("doc v1\na: 1\na: 1\nb: 2\n"),
            SyntaxProblem::DuplicateField { field: "a".into() }
        );
        assert_eq!(
            problem("doc v1\na: 1\nb: 2\nb: 2\n"),
            SyntaxProblem::DuplicateField { field: "b".into() }
        );
        assert_eq!(
            problem("doc v1\na: 1\nc: 2\n"),
            SyntaxProblem::UnknownField { field: "c".into() }
        );
        assert_eq!(
            problem("doc v1\na: 1\nb: 2\nc: 3\n"),
            SyntaxProblem::UnknownField { field: "c".into() }
        );
        assert_eq!(problem("doc v1\na:1\nb: 2\n"), SyntaxProblem::NotAField);
        assert!(matches!(
            problem("doc v1\na:  1\nb: 2\n"),
            SyntaxProblem::BadValue { .. }
        ));
        assert_eq!(problem("doc v1\na: 1\nb: 2\n\n"), SyntaxProblem::NotAField);
        let not_utf8 = Lines::open(b"doc v1\xff\n", "doc v1", KNOWN).err().unwrap();
        assert_eq!(not_utf8.problem, SyntaxProblem::NotUtf8);
    }
}
