//! Input guards: what every EML file must pass before any XML parser sees it.
//!
//! Every file the appliance reads may be hostile. Before `eml-nl` parses a file, and for
//! every kind of EML document (110a, 110b, 230b, 510, 520), [`check_xml_input`]:
//!
//! 1. refuses a file larger than [`MAX_FILE_BYTES`] (256 MiB), before looking at its bytes;
//! 2. refuses bytes that are not UTF-8 (naming the first bad byte), and an XML declaration
//!    that names another encoding;
//! 3. refuses any document type declaration or entity declaration: `<!DOCTYPE` or
//!    `<!ENTITY` (in any letter case) anywhere in the file, and any other `<!` markup
//!    before the root element except a comment. No DTD is ever read, so no entity can
//!    expand (no "billion laughs", no external entities);
//! 4. finds the root element, which must be `EML`, and reads its `Id` attribute: the
//!    document kind (`110a`, `230b`, `510b`, ...). [`check_xml_input_of_kind`] then refuses
//!    a file of the wrong kind with "expected 110a, found 230b" instead of a deep parse
//!    error;
//! 5. refuses elements nested deeper than [`MAX_NESTING_DEPTH`] (64): see
//!    [`check_nesting_depth`]. quick-xml's namespace resolver, which `eml-nl` and this
//!    crate's own 510 reader use, counts the nesting in a 16-bit integer; 65 536 nested
//!    elements overflow it, a panic under `overflow-checks` (every profile of this
//!    workspace has them).
//!
//! The prolog scan is a small hand-written scanner over bytes, not a parser: it only has
//! to find the root element's start tag. It never indexes out of bounds.

use std::fmt;

pub(crate) mod stream;

use quick_xml::Reader;
use quick_xml::events::Event;
use thiserror::Error;

/// The largest EML file accepted, in bytes: 256 MiB. The largest real files are the
/// Tweede Kamer 510b of the largest municipalities: Amsterdam's is 60 to 120 MB (about 450
/// polling stations, up to 37 lists of up to 80 candidates); the largest published here,
/// the 510b of Groningen 2022, is under 10 MB. The 510 reader streams (a count costs
/// little more memory than its bytes), so the bound is set by what the appliance can hold,
/// not by the parser.
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

/// The deepest element nesting accepted, counting the root `EML` element as 1 and an empty
/// element (`<a/>`) as one level below its parent.
///
/// The deepest real EML_NL file has 10 levels: the Tweede Kamer 230b candidate lists
/// (`EML/CandidateList/Election/Contest/Affiliation/Candidate/QualifyingAddress/Country/
/// Locality/LocalityName`) and Juinen's 110b (`.../PollingPlace/PhysicalLocation/Address/
/// Locality/PostalCode/PostalCodeNumber`); a 110a has 6, the 510s and the 520 have 9
/// (measured on every file in `shared/eml`, and checked by the core test
/// `every_real_file_passes_the_depth_check`). 64 is far above that and far below the
/// 65 536 at which quick-xml's 16-bit nesting counter overflows.
pub const MAX_NESTING_DEPTH: usize = 64;

/// The deepest nesting found in the real EML_NL files (see [`MAX_NESTING_DEPTH`]); named in
/// the refusal so that whoever reads it knows how far off the file is.
pub const DEEPEST_REAL_NESTING: usize = 10;

/// The kind of an EML_NL document, as named by the `Id` attribute of its root `EML`
/// element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// `110a`: the election definition.
    ElectionDefinition,
    /// `110b`: the polling stations of one municipality.
    PollingStations,
    /// `210`: a nomination (not used by the appliance).
    Nomination,
    /// `230b`: the candidate lists of one or more contests.
    CandidateLists,
    /// `230c`: the candidate lists in total (not used by the appliance).
    CandidateListsTotal,
    /// `510a`: a polling station's count.
    Count510a,
    /// `510b`: a municipality's count (GSB).
    Count510b,
    /// `510c`: a kieskring's count (HSB).
    Count510c,
    /// `510d`: the total count (CSB).
    Count510d,
    /// `520`: the result (seats and elected candidates).
    Result520,
}

impl DocumentKind {
    /// Every kind, in document-number order.
    pub const ALL: [DocumentKind; 10] = [
        DocumentKind::ElectionDefinition,
        DocumentKind::PollingStations,
        DocumentKind::Nomination,
        DocumentKind::CandidateLists,
        DocumentKind::CandidateListsTotal,
        DocumentKind::Count510a,
        DocumentKind::Count510b,
        DocumentKind::Count510c,
        DocumentKind::Count510d,
        DocumentKind::Result520,
    ];

    /// The value of the root element's `Id` attribute for this kind (`110a`, ...).
    pub fn eml_id(self) -> &'static str {
        match self {
            DocumentKind::ElectionDefinition => "110a",
            DocumentKind::PollingStations => "110b",
            DocumentKind::Nomination => "210",
            DocumentKind::CandidateLists => "230b",
            DocumentKind::CandidateListsTotal => "230c",
            DocumentKind::Count510a => "510a",
            DocumentKind::Count510b => "510b",
            DocumentKind::Count510c => "510c",
            DocumentKind::Count510d => "510d",
            DocumentKind::Result520 => "520",
        }
    }

    /// The kind for a root `Id` value, if it is one EML_NL defines.
    pub fn from_eml_id(id: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.eml_id() == id)
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.eml_id())
    }
}

/// What is wrong with a file's bytes, found before parsing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputProblem {
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("the file is {size} bytes; at most {limit} bytes are accepted")]
    TooLarge {
        /// The file's size in bytes.
        size: usize,
        /// The limit, [`MAX_FILE_BYTES`].
        limit: usize,
    },
    /// The bytes are not valid UTF-8.
    #[error(
        "the file is not valid UTF-8: expected UTF-8, found an invalid byte sequence at byte {offset}"
    )]
    NotUtf8 {
        /// Offset of the first byte that is not valid UTF-8.
        offset: usize,
    },
    /// The XML declaration names an encoding other than UTF-8.
    #[error("the XML declaration names encoding \"{found}\"; expected UTF-8")]
    DeclaredEncoding {
        /// The encoding named.
        found: String,
    },
    /// A document type declaration (`<!DOCTYPE`).
    #[error("document type declaration (<!DOCTYPE) at byte {offset}: DTDs are refused")]
    Doctype {
        /// Byte offset of the `<!`.
        offset: usize,
    },
    /// An entity declaration (`<!ENTITY`).
    #[error("entity declaration (<!ENTITY) at byte {offset}: entity declarations are refused")]
    EntityDeclaration {
        /// Byte offset of the `<!`.
        offset: usize,
    },
    /// Markup or text before the root element that is not an XML declaration, a comment,
    /// a processing instruction or white space.
    #[error(
        "unexpected {found:?} at byte {offset} before the root element; expected only the XML declaration, comments and processing instructions"
    )]
    UnexpectedBeforeRoot {
        /// Byte offset.
        offset: usize,
        /// The first few characters found there.
        found: String,
    },
    /// A comment, processing instruction or tag before or at the root is not closed.
    #[error("unterminated {what} starting at byte {offset}")]
    Unterminated {
        /// What was not closed ("comment", "processing instruction", "start tag").
        what: &'static str,
        /// Byte offset where it starts.
        offset: usize,
    },
    /// The file has no root element.
    #[error("no root element: expected <EML>, found none")]
    NoRootElement,
    /// The root element is not `EML`.
    #[error("the root element is <{found}> at byte {offset}; expected <EML>")]
    NotEml {
        /// The root element's name as written.
        found: String,
        /// Byte offset of its `<`.
        offset: usize,
    },
    /// The root `EML` element has no `Id` attribute.
    #[error(
        "the root <EML> element at byte {offset} has no Id attribute; expected the document kind (110a, 230b, ...)"
    )]
    MissingDocumentId {
        /// Byte offset of the root element.
        offset: usize,
    },
    /// The root `Id` is not a document kind EML_NL defines.
    #[error("unknown EML document kind \"{found}\" (root Id attribute)")]
    UnknownDocumentKind {
        /// The `Id` value found.
        found: String,
    },
    /// Elements are nested deeper than [`MAX_NESTING_DEPTH`].
    #[error(
        "nesting deeper than {limit} elements (at byte {offset}); the deepest real EML_NL file has {DEEPEST_REAL_NESTING}"
    )]
    NestingTooDeep {
        /// The limit, [`MAX_NESTING_DEPTH`].
        limit: usize,
        /// Byte offset of the start tag one level too deep.
        offset: usize,
    },
    /// The document is of another kind than the caller expected.
    #[error("wrong document kind: expected {expected}, found {found}")]
    WrongDocumentKind {
        /// The kind(s) expected, such as `110a` or `510b/510c`.
        expected: String,
        /// The root `Id` value found.
        found: String,
    },
}

/// A file refused by the input guards: which file and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: {problem}")]
pub struct InputError {
    /// The file's name, as given by the caller.
    pub file: String,
    /// What is wrong.
    pub problem: InputProblem,
}

/// A file that passed the input guards: its text and the kind its root element names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckedXml<'a> {
    /// The whole file as UTF-8 text (including any byte order mark), to hand to `eml-nl`.
    pub text: &'a str,
    /// The document kind from the root element's `Id`.
    pub kind: DocumentKind,
    /// Byte offset of the root element's `<`.
    pub root_offset: usize,
}

/// Refuses a size above [`MAX_FILE_BYTES`].
pub fn check_size(size: usize) -> Result<(), InputProblem> {
    if size > MAX_FILE_BYTES {
        Err(InputProblem::TooLarge {
            size,
            limit: MAX_FILE_BYTES,
        })
    } else {
        Ok(())
    }
}

/// Returns the bytes as text, or the offset of the first byte that is not UTF-8.
pub fn check_utf8(bytes: &[u8]) -> Result<&str, InputProblem> {
    std::str::from_utf8(bytes).map_err(|e| InputProblem::NotUtf8 {
        offset: e.valid_up_to(),
    })
}

/// Refuses `<!DOCTYPE` and `<!ENTITY`, in any letter case, anywhere in the text.
pub fn check_no_declarations(text: &str) -> Result<(), InputProblem> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = find(bytes, b"<!", from) {
        let at = from.saturating_add(rel);
        let after = at.saturating_add(2);
        if starts_with_ignore_case(bytes, after, b"DOCTYPE") {
            return Err(InputProblem::Doctype { offset: at });
        }
        if starts_with_ignore_case(bytes, after, b"ENTITY") {
            return Err(InputProblem::EntityDeclaration { offset: at });
        }
        from = after;
    }
    Ok(())
}

/// What the prolog scan found: where the root element starts, its name and its `Id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootElement {
    /// Byte offset of the root element's `<`.
    pub offset: usize,
    /// The root element's local name (without prefix).
    pub local_name: String,
    /// The value of its unprefixed `Id` attribute, if any.
    pub id: Option<String>,
}

/// Scans the prolog (XML declaration, comments, processing instructions, white space) and
/// reads the root element's start tag.
pub fn scan_root(text: &str) -> Result<RootElement, InputProblem> {
    let b = text.as_bytes();
    let mut i = if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    loop {
        while b.get(i).is_some_and(|c| is_xml_space(*c)) {
            i = i.saturating_add(1);
        }
        match b.get(i) {
            None => return Err(InputProblem::NoRootElement),
            Some(b'<') => {}
            Some(_) => {
                return Err(InputProblem::UnexpectedBeforeRoot {
                    offset: i,
                    found: excerpt(text, i),
                });
            }
        }
        let next = i.saturating_add(1);
        if b.get(next) == Some(&b'?') {
            let end = find(b, b"?>", next).ok_or(InputProblem::Unterminated {
                what: "processing instruction",
                offset: i,
            })?;
            let close = next.saturating_add(end);
            let body = text.get(next.saturating_add(1)..close).unwrap_or("");
            check_declaration(body)?;
            i = close.saturating_add(2);
        } else if b.get(next) == Some(&b'!') {
            if b.get(next.saturating_add(1)..next.saturating_add(3)) == Some(b"--") {
                let body = next.saturating_add(3);
                let end = find(b, b"-->", body).ok_or(InputProblem::Unterminated {
                    what: "comment",
                    offset: i,
                })?;
                i = body.saturating_add(end).saturating_add(3);
            } else if starts_with_ignore_case(b, next.saturating_add(1), b"DOCTYPE") {
                return Err(InputProblem::Doctype { offset: i });
            } else if starts_with_ignore_case(b, next.saturating_add(1), b"ENTITY") {
                return Err(InputProblem::EntityDeclaration { offset: i });
            } else {
                return Err(InputProblem::UnexpectedBeforeRoot {
                    offset: i,
                    found: excerpt(text, i),
                });
            }
        } else {
            return read_start_tag(text, i);
        }
    }
}

/// Checks the `encoding` of an `<?xml ...?>` declaration; other processing instructions
/// pass. `body` is the text between `<?` and `?>`.
fn check_declaration(body: &str) -> Result<(), InputProblem> {
    let Some(rest) = body.strip_prefix("xml") else {
        return Ok(());
    };
    if !rest.as_bytes().first().is_none_or(|c| is_xml_space(*c)) {
        return Ok(());
    }
    if let Some(found) = attribute_value(rest, "encoding")
        && !found.eq_ignore_ascii_case("UTF-8")
        && !found.eq_ignore_ascii_case("UTF8")
    {
        return Err(InputProblem::DeclaredEncoding { found });
    }
    Ok(())
}

/// Reads the root start tag at `start` (which holds `<`).
fn read_start_tag(text: &str, start: usize) -> Result<RootElement, InputProblem> {
    let b = text.as_bytes();
    let name_start = start.saturating_add(1);
    let mut i = name_start;
    while b
        .get(i)
        .is_some_and(|c| !is_xml_space(*c) && *c != b'>' && *c != b'/')
    {
        i = i.saturating_add(1);
    }
    let name = text.get(name_start..i).unwrap_or("");
    if name.is_empty() {
        return Err(InputProblem::UnexpectedBeforeRoot {
            offset: start,
            found: excerpt(text, start),
        });
    }
    // The end of the start tag: the first `>` outside a quoted attribute value.
    let mut quote: Option<u8> = None;
    let mut end = None;
    let mut j = i;
    while let Some(c) = b.get(j) {
        match (quote, *c) {
            (None, b'"' | b'\'') => quote = Some(*c),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => {
                end = Some(j);
                break;
            }
            _ => {}
        }
        j = j.saturating_add(1);
    }
    let end = end.ok_or(InputProblem::Unterminated {
        what: "start tag of the root element",
        offset: start,
    })?;
    let local_name = name.rsplit(':').next().unwrap_or(name).to_string();
    if local_name != "EML" {
        return Err(InputProblem::NotEml {
            found: name.to_string(),
            offset: start,
        });
    }
    let attributes = text.get(i..end).unwrap_or("");
    Ok(RootElement {
        offset: start,
        local_name,
        id: attribute_value(attributes, "Id"),
    })
}

/// The value of the unprefixed attribute `name` in a run of attributes
/// (`a="1" b = '2'`), if present. Values are returned as written.
fn attribute_value(attributes: &str, name: &str) -> Option<String> {
    let b = attributes.as_bytes();
    let mut i = 0;
    loop {
        while b.get(i).is_some_and(|c| is_xml_space(*c) || *c == b'/') {
            i = i.saturating_add(1);
        }
        let name_start = i;
        while b
            .get(i)
            .is_some_and(|c| !is_xml_space(*c) && *c != b'=' && *c != b'>')
        {
            i = i.saturating_add(1);
        }
        if i == name_start {
            return None;
        }
        let attr_name = attributes.get(name_start..i)?;
        while b.get(i).is_some_and(|c| is_xml_space(*c)) {
            i = i.saturating_add(1);
        }
        if b.get(i) != Some(&b'=') {
            return None;
        }
        i = i.saturating_add(1);
        while b.get(i).is_some_and(|c| is_xml_space(*c)) {
            i = i.saturating_add(1);
        }
        let quote = *b.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_start = i.saturating_add(1);
        let len = b.get(value_start..)?.iter().position(|c| *c == quote)?;
        let value_end = value_start.saturating_add(len);
        if attr_name == name {
            return attributes.get(value_start..value_end).map(str::to_string);
        }
        i = value_end.saturating_add(1);
    }
}

/// Refuses elements nested deeper than [`MAX_NESTING_DEPTH`]; otherwise returns the deepest
/// nesting found (the root element is level 1, an empty element one level below its
/// parent, as quick-xml's namespace resolver counts).
///
/// The start and end tags are counted on the events of quick-xml's plain [`Reader`] with
/// its default configuration, the same tokenizer `eml-nl` and the own 510 reader run
/// (through `NsReader`, whose namespace resolver holds the 16-bit counter; the plain reader
/// has none). So what is counted here is exactly what they would see, and comments, CDATA
/// sections, processing instructions and `>` inside attribute values never count. The scan
/// stops at the first level too deep, long before any counter could overflow.
///
/// When the tokenizer finds the XML malformed, the scan ends there and returns the deepest
/// nesting before that point: quick-xml's reader stops for good at its first error, so the
/// parser that runs next stops at the same byte with the same error (and reports it with
/// its position), never having nested deeper than counted here.
pub fn check_nesting_depth(text: &str) -> Result<usize, InputProblem> {
    let mut reader = Reader::from_str(text);
    let mut depth: usize = 0;
    let mut deepest: usize = 0;
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let level = match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth = depth.saturating_add(1);
                depth
            }
            Ok(Event::Empty(_)) => depth.saturating_add(1),
            Ok(Event::End(_)) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            Ok(Event::Eof) | Err(_) => return Ok(deepest),
            Ok(_) => continue,
        };
        if level > MAX_NESTING_DEPTH {
            return Err(InputProblem::NestingTooDeep {
                limit: MAX_NESTING_DEPTH,
                offset,
            });
        }
        deepest = deepest.max(level);
    }
}

/// Runs every input guard on a file and reads its kind.
pub fn check_xml_input<'a>(file: &str, bytes: &'a [u8]) -> Result<CheckedXml<'a>, InputError> {
    check_xml_input_nesting(file, bytes, true)
}

fn check_xml_input_nesting<'a>(
    file: &str,
    bytes: &'a [u8],
    nesting: bool,
) -> Result<CheckedXml<'a>, InputError> {
    let wrap = |problem| InputError {
        file: file.to_string(),
        problem,
    };
    check_size(bytes.len()).map_err(wrap)?;
    let text = check_utf8(bytes).map_err(wrap)?;
    let root = scan_root(text).map_err(wrap)?;
    check_no_declarations(text).map_err(wrap)?;
    let id = root.id.ok_or(InputProblem::MissingDocumentId {
        offset: root.offset,
    });
    let id = id.map_err(wrap)?;
    let kind = DocumentKind::from_eml_id(&id)
        .ok_or(InputProblem::UnknownDocumentKind { found: id })
        .map_err(wrap)?;
    if nesting {
        check_nesting_depth(text).map_err(wrap)?;
    }
    Ok(CheckedXml {
        text,
        kind,
        root_offset: root.offset,
    })
}

/// Runs every input guard and refuses a document of another kind than one of `expected`.
pub fn check_xml_input_of_kind<'a>(
    file: &str,
    bytes: &'a [u8],
    expected: &[DocumentKind],
) -> Result<CheckedXml<'a>, InputError> {
    check_kind(file, bytes, expected, true)
}

/// [`check_xml_input_of_kind`] without the nesting check ([`check_nesting_depth`]), for a
/// reader that makes the same check in its own single pass over the file (the 510 reader,
/// `eml::count`), with the same result. On a refusal the nesting is checked first, as
/// [`check_xml_input_of_kind`] does, so the error is the same too.
pub(crate) fn check_xml_input_of_kind_nesting_left<'a>(
    file: &str,
    bytes: &'a [u8],
    expected: &[DocumentKind],
) -> Result<CheckedXml<'a>, InputError> {
    check_kind(file, bytes, expected, false)
}

fn check_kind<'a>(
    file: &str,
    bytes: &'a [u8],
    expected: &[DocumentKind],
    nesting: bool,
) -> Result<CheckedXml<'a>, InputError> {
    let checked = match check_xml_input_nesting(file, bytes, nesting) {
        Ok(c) => c,
        Err(InputError {
            problem: InputProblem::UnknownDocumentKind { found },
            ..
        }) => {
            if !nesting && let Ok(text) = std::str::from_utf8(bytes) {
                check_nesting_depth(text).map_err(|problem| InputError {
                    file: file.to_string(),
                    problem,
                })?;
            }
            return Err(InputError {
                file: file.to_string(),
                problem: InputProblem::WrongDocumentKind {
                    expected: kinds_list(expected),
                    found,
                },
            });
        }
        Err(e) => return Err(e),
    };
    if expected.contains(&checked.kind) {
        Ok(checked)
    } else {
        if !nesting {
            check_nesting_depth(checked.text).map_err(|problem| InputError {
                file: file.to_string(),
                problem,
            })?;
        }
        Err(InputError {
            file: file.to_string(),
            problem: InputProblem::WrongDocumentKind {
                expected: kinds_list(expected),
                found: checked.kind.eml_id().to_string(),
            },
        })
    }
}

fn kinds_list(kinds: &[DocumentKind]) -> String {
    kinds
        .iter()
        .map(|k| k.eml_id())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_xml_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Position of `needle` in `haystack[from..]`, relative to `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let hay = haystack.get(from..)?;
    if needle.is_empty() {
        return Some(0);
    }
    memchr::memmem::find(hay, needle)
}

fn starts_with_ignore_case(haystack: &[u8], at: usize, word: &[u8]) -> bool {
    haystack
        .get(at..at.saturating_add(word.len()))
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
}

/// Up to 20 characters of `text` from byte `at`, for error messages.
fn excerpt(text: &str, at: usize) -> String {
    let mut start = at;
    while start > 0 && !text.is_char_boundary(start) {
        start = start.saturating_sub(1);
    }
    text.get(start..).unwrap_or("").chars().take(20).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_root_id_after_declaration_and_comments() {
        let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- a <!-- comment -->\n<?pi x?>\n<eml:EML xmlns:eml=\"x\" Id = '230b' SchemaVersion=\"5\"><a/></eml:EML>";
        let c = check_xml_input("f.xml", xml.as_bytes()).unwrap();
        assert_eq!(c.kind, DocumentKind::CandidateLists);
        assert_eq!(c.root_offset, xml.find("<eml:EML").unwrap());
    }

    #[test]
    fn refuses_doctype_in_any_case_and_entities_anywhere() {
        for (xml, offset) in [
            (
                "<?xml version=\"1.0\"?><!DOCTYPE EML []><EML Id=\"110a\"/>",
                21,
            ),
            ("<!doctype EML><EML Id=\"110a\"/>", 0),
        ] {
            assert_eq!(
                check_xml_input("f", xml.as_bytes()).unwrap_err().problem,
                InputProblem::Doctype { offset }
            );
        }
        let xml = "<EML Id=\"110a\"><!ENTITY x \"y\"></EML>";
        assert_eq!(
            check_xml_input("f", xml.as_bytes()).unwrap_err().problem,
            InputProblem::EntityDeclaration { offset: 15 }
        );
        let xml = "<!-- <!DOCTYPE hidden> --><EML Id=\"110a\"/>";
        assert_eq!(
            check_xml_input("f", xml.as_bytes()).unwrap_err().problem,
            InputProblem::Doctype { offset: 5 }
        );
    }

    #[test]
    fn refuses_other_roots_encodings_and_kinds() {
        let p = |xml: &str| check_xml_input("f", xml.as_bytes()).unwrap_err().problem;
        assert_eq!(
            p("<Foo Id=\"110a\"/>"),
            InputProblem::NotEml {
                found: "Foo".into(),
                offset: 0
            }
        );
        assert_eq!(
            p("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><EML Id=\"110a\"/>"),
            InputProblem::DeclaredEncoding {
                found: "ISO-8859-1".into()
            }
        );
        assert_eq!(p("<EML/>"), InputProblem::MissingDocumentId { offset: 0 });
        assert_eq!(p("   "), InputProblem::NoRootElement);
        assert_eq!(
            p("<!-- open"),
            InputProblem::Unterminated {
                what: "comment",
                offset: 0
            }
        );
        assert_eq!(
            p("<EML Id=\"999\"/>"),
            InputProblem::UnknownDocumentKind {
                found: "999".into()
            }
        );
        let e = check_xml_input_of_kind(
            "f",
            b"<EML Id=\"230b\"/>",
            &[DocumentKind::ElectionDefinition],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f: wrong document kind: expected 110a, found 230b"
        );
        let bad = [b'<', b'E', 0xff];
        assert_eq!(
            check_xml_input("f", &bad).unwrap_err().problem,
            InputProblem::NotUtf8 { offset: 2 }
        );
    }

    #[test]
    fn refuses_oversized_before_reading() {
        assert_eq!(
            check_size(MAX_FILE_BYTES + 1),
            Err(InputProblem::TooLarge {
                size: MAX_FILE_BYTES + 1,
                limit: MAX_FILE_BYTES
            })
        );
        assert_eq!(check_size(MAX_FILE_BYTES), Ok(()));
    }
}
