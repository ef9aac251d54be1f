//! This crate's own 510 reader and writer on `quick-xml`, used for every 510 (b, c and d).
//!
//! Why own code: in the national `TotalVotes` of a Tweede Kamer 510d the candidates carry
//! only a `ShortCode` and no `Id`; eml-nl (0.7, and 0.8.1) requires the `Id` in every mode and its
//! writer cannot leave it out. And a count is read in one streaming pass (quick-xml
//! events, never an element tree of the whole file), so that an Amsterdam-sized 510b of
//! about 100 MB is read in little more memory than its own bytes (see
//! `docs/eml-counts.md`).
//!
//! How the reader works. The few elements around the votes (the header, each
//! `ReportingUnitVotes` with its identifier, `Cast`, `TotalCounted`, `RejectedVotes`,
//! `UncountedVotes` and investigations) are kept as small [`Node`]s, about a dozen per
//! reporting unit. The `Selection`s, which are nearly all of a file (a list or a candidate
//! each), never become nodes: each is read into one reused [`SelectionState`] and, at its
//! end tag, checked and added to the lists of its vote-count element. A problem found
//! there is kept without its place (`/Selection/ValidVotes`, ...); the place
//! (`ReportingUnitVotes 0668::SB1`) is put in front only when the error is returned, so
//! no error text is formatted while a file is read without error. The checks after the
//! parse are the same, in the same order, as when the whole file was a tree: an XML error
//! anywhere wins, then the header in document-structure order, then `TotalVotes`, then
//! the reporting units in file order.
//!
//! When the whole text is in memory, a `Selection` of the shape every real 510 has (no
//! white space, prefix, reference or other element in it: [`quick_selection`]) is read
//! straight from the text instead of through quick-xml's events, into the same state, with
//! the same positions; any other `Selection` (and any that is not quite that shape) goes
//! through the events. Reading a 510 so takes a quarter of the time it takes through the
//! events (`docs/eml-counts.md`). A stream always goes through the events, which is how
//! the tests compare the two (`core/tests/counts_stream.rs`).
//!
//! EML_NL 1.3 and 1.3.1 (`kr:Schema`, `kr:CountingMethod`, `kr:Phase`, the `kr:Previous*`
//! values of a corrigendum) are read and written with the names of [`crate::eml::names`];
//! the `kr:Initial*` names of the schemas after 1.3.1 are refused (`docs/eml-nl-1.3.md`).
//!
//! The writer writes the elements in the order of `510-count-kiesraad-strict.xsd`.

use quick_xml::events::{BytesDecl, BytesStart, BytesText, Event};
use quick_xml::name::NamespaceError;
use quick_xml::{Reader, Writer, XmlVersion};

use super::{
    CountReadError, CountWriteError, INVESTIGATION_REASONS, category_code, category_from_code,
    uncounted_pairs, voter_counts,
};
use crate::counts::{
    CandidateRef, CountEdition, CountFile, CountHeader, CountLevel, CountPhase, CountingMethod,
    ListVotes, PreviousCounts, PreviousListVotes, ReportingUnitCounts, VoteCounts,
};
use crate::eml::limits::stream::GuardedRead;
use crate::eml::names::{self, EmlVersion, PreviousOf, previous_name};
use crate::ids::{CandidatePosition, ContestId, ElectionId, ListNumber, ReportingUnitId};

const NS_EML: &[u8] = b"urn:oasis:names:tc:evs:schema:eml";
const NS_KR: &[u8] = b"http://www.kiesraad.nl/extensions";
const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const NS_XML: &[u8] = b"http://www.w3.org/XML/1998/namespace";
const NS_XMLNS: &[u8] = b"http://www.w3.org/2000/xmlns/";
/// quick-xml's `NsReader` refuses more namespace declarations on one element; so does
/// this reader.
const MAX_DECLARATIONS: usize = quick_xml::name::DEFAULT_MAX_DECLARATIONS_PER_ELEMENT;
const MAX_DEPTH: usize = crate::eml::limits::MAX_NESTING_DEPTH;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Ns {
    Eml,
    Kr,
    #[default]
    Other,
}

/// One element outside the `Selection`s: resolved name, unprefixed attributes, children,
/// text.
#[derive(Debug)]
struct Node {
    ns: Ns,
    name: String,
    position: u64,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
    /// For `TotalVotes` and `ReportingUnitVotes` in the contest: the index of its
    /// streamed [`Selections`].
    stream: Option<usize>,
}

fn xml_err(position: u64, e: impl std::fmt::Display) -> CountReadError {
    CountReadError::Xml {
        position,
        message: e.to_string(),
    }
}

fn invalid(element: impl Into<String>, message: impl Into<String>) -> CountReadError {
    CountReadError::Invalid {
        element: element.into(),
        message: message.into(),
    }
}

/// Where in the file a problem is (`ReportingUnitVotes 0668::SB1/Cast`): up to five pieces,
/// written out only when there is a problem, so that reading a file without one formats
/// nothing.
#[derive(Debug, Clone, Copy)]
struct Ctx<'a> {
    pieces: [&'a str; 5],
}

impl<'a> Ctx<'a> {
    fn new(first: &'a str) -> Self {
        Ctx {
            pieces: [first, "", "", "", ""],
        }
    }

    /// This place with `more` after it (dropped past five pieces; none has more than four).
    fn then(self, more: &'a str) -> Self {
        let mut pieces = self.pieces;
        if let Some(slot) = pieces.iter_mut().find(|p| p.is_empty()) {
            *slot = more;
        }
        Ctx { pieces }
    }
}

impl std::fmt::Display for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.pieces.iter().try_for_each(|p| f.write_str(p))
    }
}

impl From<Ctx<'_>> for String {
    fn from(c: Ctx<'_>) -> String {
        c.to_string()
    }
}

impl<'a> From<&'a str> for Ctx<'a> {
    fn from(s: &'a str) -> Self {
        Ctx::new(s)
    }
}

/// One namespace declaration in scope: declared on the element at `level` (the root is
/// level 1); an empty prefix is the default namespace.
#[derive(Debug)]
struct Binding {
    level: usize,
    prefix: Vec<u8>,
    ns: Ns,
}

/// The namespaces in scope, as quick-xml's `NsReader` keeps them (same refusals, same
/// resolution), but looked at only where an element has attributes: `NsReader` costs
/// three times the parse itself on a 510.
#[derive(Debug)]
struct Scopes<'t> {
    bindings: Vec<Binding>,
    /// The default namespace in scope (kept, not searched: nearly every element of a 510
    /// is unprefixed). `Ns::Other` when there is none.
    default: Ns,
    /// The whole input, of which the events' bytes are parts.
    text: &'t str,
}

impl<'t> Scopes<'t> {
    fn new(text: &'t str) -> Self {
        Scopes {
            bindings: Vec::new(),
            default: Ns::Other,
            text,
        }
    }

    /// The bytes as text when no byte of `special` occurs in them: then quick-xml's
    /// normalisation (of an attribute value, of a text's line ends) would return them
    /// unchanged, and its search for those bytes is what costs on a few bytes. Bytes that
    /// are a part of the input (as every event's are) are that part of its `str`, without
    /// checking their UTF-8 again.
    fn plain_str<'b>(&self, bytes: &'b [u8], special: &[u8]) -> Option<&'b str>
    where
        't: 'b,
    {
        if bytes.iter().any(|b| special.contains(b)) {
            return None;
        }
        // Another allocation cannot lie inside the input's, so an offset inside it is
        // these bytes.
        let offset = (bytes.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize);
        offset
            .and_then(|o| self.text.get(o..o.checked_add(bytes.len())?))
            .or_else(|| std::str::from_utf8(bytes).ok())
    }

    /// Calls `each(key, value)` for every unprefixed attribute (only those matter in
    /// EML_NL: Id, ShortCode, ReasonCode, ...) and takes in the element's namespace
    /// declarations; every attribute is checked as XML. Returns the element's namespace.
    fn open(
        &mut self,
        start: &BytesStart<'_>,
        level: usize,
        position: u64,
        mut each: impl FnMut(&[u8], std::borrow::Cow<'_, str>),
    ) -> Result<Ns, CountReadError> {
        let namespace_error = |e: NamespaceError| xml_err(position, quick_xml::Error::Namespace(e));
        let mut declarations = 0usize;
        // Most elements of a 510 have no attribute at all.
        if !start.attributes_raw().iter().all(u8::is_ascii_whitespace) {
            // quick-xml's check for a repeated attribute allocates a list of the names for
            // every element with two attributes (every candidate of a 510); the same check
            // is made here, with the same error, on the stack.
            let mut attributes = start.attributes();
            attributes.with_checks(false);
            let mut seen = SeenKeys::default();
            for attr in attributes {
                let attr = attr.map_err(|e| xml_err(position, e))?;
                let key = attr.key.into_inner();
                seen.check(start, key).map_err(|e| xml_err(position, e))?;
                let prefix = if key == b"xmlns" {
                    Some(&b""[..])
                } else {
                    key.strip_prefix(b"xmlns:")
                };
                if let Some(prefix) = prefix {
                    if declarations >= MAX_DECLARATIONS {
                        return Err(namespace_error(NamespaceError::TooManyDeclarations(
                            MAX_DECLARATIONS,
                        )));
                    }
                    declarations = declarations.saturating_add(1);
                    let uri: &[u8] = &attr.value;
                    match prefix {
                        b"" => {}
                        b"xml" => {
                            if uri != NS_XML {
                                return Err(namespace_error(NamespaceError::InvalidXmlPrefixBind(
                                    uri.to_vec(),
                                )));
                            }
                            continue;
                        }
                        b"xmlns" => {
                            return Err(namespace_error(NamespaceError::InvalidXmlnsPrefixBind(
                                uri.to_vec(),
                            )));
                        }
                        _ if uri == NS_XML => {
                            return Err(namespace_error(NamespaceError::InvalidPrefixForXml(
                                prefix.to_vec(),
                            )));
                        }
                        _ if uri == NS_XMLNS => {
                            return Err(namespace_error(NamespaceError::InvalidPrefixForXmlns(
                                prefix.to_vec(),
                            )));
                        }
                        _ => {}
                    }
                    let ns = match uri {
                        NS_EML => Ns::Eml,
                        NS_KR => Ns::Kr,
                        _ => Ns::Other,
                    };
                    if prefix.is_empty() {
                        self.default = ns;
                    }
                    self.bindings.push(Binding {
                        level,
                        prefix: prefix.to_vec(),
                        ns,
                    });
                    continue;
                }
                if attr.key.prefix().is_some() || key.starts_with(b"xmlns") {
                    continue;
                }
                let value = match self.plain_str(&attr.value, b"\t\r\n&") {
                    Some(v) => std::borrow::Cow::Borrowed(v),
                    None => attr
                        .normalized_value(XmlVersion::default())
                        .map_err(|e| xml_err(position, e))?,
                };
                each(key, value);
            }
        }
        // Unbound prefixes and no default namespace: neither EML nor kr.
        Ok(match split_name(start).0 {
            None => self.default,
            Some(prefix) => self
                .bindings
                .iter()
                .rev()
                .find(|b| b.prefix == prefix)
                .map_or(Ns::Other, |b| b.ns),
        })
    }

    /// The element at `level` has ended: its declarations go out of scope.
    fn close(&mut self, level: usize) {
        let mut default_left = false;
        while let Some(b) = self.bindings.last()
            && b.level >= level
        {
            default_left |= b.prefix.is_empty();
            self.bindings.pop();
        }
        if default_left {
            self.default = self
                .bindings
                .iter()
                .rev()
                .find(|b| b.prefix.is_empty())
                .map_or(Ns::Other, |b| b.ns);
        }
    }
}

/// The names of an element's attributes so far, for the check that none is repeated:
/// quick-xml's check (`AttrError::Duplicated` with the offsets of both names in the tag),
/// without its allocation for the first few names.
#[derive(Default)]
struct SeenKeys<'a> {
    first: [&'a [u8]; 4],
    count: usize,
    more: Vec<&'a [u8]>,
}

impl<'a> SeenKeys<'a> {
    fn check(
        &mut self,
        start: &'a BytesStart<'_>,
        key: &'a [u8],
    ) -> Result<(), quick_xml::events::attributes::AttrError> {
        // Offsets in the tag, as quick-xml gives them.
        let offset = |k: &[u8]| (k.as_ptr() as usize).wrapping_sub(start.as_ptr() as usize);
        let earlier = self
            .first
            .iter()
            .take(self.count)
            .chain(self.more.iter())
            .find(|k| **k == key);
        if let Some(previous) = earlier {
            return Err(quick_xml::events::attributes::AttrError::Duplicated(
                offset(key),
                offset(previous),
            ));
        }
        match self.first.get_mut(self.count) {
            Some(slot) => {
                *slot = key;
                self.count = self.count.saturating_add(1);
            }
            None => self.more.push(key),
        }
        Ok(())
    }
}

/// The prefix (if any) and the local name of an element: quick-xml's `QName::prefix` and
/// `local_name`, without a `memchr` call for a name of a few bytes (a fifth of the reader's
/// time went there).
fn split_name<'a>(start: &'a BytesStart<'_>) -> (Option<&'a [u8]>, &'a [u8]) {
    let name = start.name().into_inner();
    match name.iter().position(|b| *b == b':') {
        Some(colon) => (
            name.get(..colon),
            name.get(colon.saturating_add(1)..).unwrap_or_default(),
        ),
        None => (None, name),
    }
}

fn start_node(
    scopes: &mut Scopes,
    start: &BytesStart<'_>,
    level: usize,
    position: u64,
) -> Result<Node, CountReadError> {
    let mut attrs = Vec::new();
    let ns = scopes.open(start, level, position, |key, value| {
        attrs.push((
            String::from_utf8_lossy(key).into_owned(),
            value.into_owned(),
        ));
    })?;
    Ok(Node {
        ns,
        name: String::from_utf8_lossy(split_name(start).1).into_owned(),
        position,
        attrs,
        children: Vec::new(),
        text: String::new(),
        stream: None,
    })
}

/// The character of a general reference (`&amp;`, `&#49;`); no other entity exists (the
/// input guard refused every DTD).
fn reference_char(
    r: &quick_xml::events::BytesRef<'_>,
    position: u64,
) -> Result<char, CountReadError> {
    let ch = if r.is_char_ref() {
        r.resolve_char_ref().map_err(|e| xml_err(position, e))?
    } else {
        match r.as_ref() {
            b"amp" => Some('&'),
            b"lt" => Some('<'),
            b"gt" => Some('>'),
            b"apos" => Some('\''),
            b"quot" => Some('"'),
            _ => None,
        }
    };
    ch.ok_or_else(|| xml_err(position, "unknown entity reference"))
}

/// A problem in a `Selection`, without its place: the element after the place
/// (`/Selection/ValidVotes`) and the message. Built only when there is a problem.
type Local = (&'static str, String);

/// What the `Selection`s of one vote-count element (`TotalVotes` or a
/// `ReportingUnitVotes`) gave: its lists in file order, or the first problem.
#[derive(Debug, Default)]
struct Selections {
    lists: Vec<ListVotes>,
    /// The `kr:PreviousValidVotes` of the lists and candidates that have one (EML_NL 1.3.1).
    previous: Vec<PreviousListVotes>,
    /// The highest candidate position on the last list so far: a candidate with a higher
    /// position cannot repeat one before it, so the list is searched only when not.
    max_position: u32,
    error: Option<Local>,
}

/// Where the reader is inside one `Selection` (the `Selection` itself not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SelTag {
    ValidVotes,
    /// `kr:PreviousValidVotes` (EML_NL 1.3.1, a corrigendum).
    PreviousValidVotes,
    /// `kr:InitialValidVotes`: the name of the Electoral Council's schemas after 1.3.1,
    /// refused (see `docs/eml-nl-1.3.md`).
    InitialValidVotes,
    Affiliation,
    RegisteredName,
    Candidate,
    CandidateIdentifier,
    ShortCode,
    /// Any other element, and everything inside it: not read (as the tree never looked).
    Other,
}

/// One `Selection` being read. Reused for every `Selection`, so its text buffers are
/// allocated once.
#[derive(Debug, Default)]
struct SelectionState {
    path: Vec<SelTag>,
    valid_votes: u32,
    votes_text: String,
    votes_position: u64,
    previous_votes: u32,
    initial_votes: u32,
    previous_text: String,
    previous_position: u64,
    affiliations: u32,
    /// `Id` of the `AffiliationIdentifier`, when it has one (the buffer is reused).
    affiliation_id: Option<()>,
    affiliation_id_text: String,
    registered_names: u32,
    registered_name: String,
    candidates: u32,
    identifiers: u32,
    /// `Id` of the `CandidateIdentifier`, when it has one (the buffer is reused).
    candidate_id: Option<()>,
    candidate_id_text: String,
    short_code_attr: Option<String>,
    short_codes: u32,
    short_code: String,
    /// For each list number (below [`HINTED_LISTS`]), how many candidates the list had
    /// where it was last read: the room a list of the next reporting unit starts with
    /// (nearly always the same candidates), instead of growing piece by piece.
    hints: Vec<u32>,
}

/// List numbers up to this get a room hint (a real election has at most a few dozen lists).
const HINTED_LISTS: usize = 256;

/// The text of a whole number as the tree reader read it: digits only, after trimming.
fn whole_number(text: &str, position: u64) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{t:?} is not a whole number (at byte {position})"));
    }
    t.parse::<u64>().map_err(|_| format!("{t:?} is too large"))
}

fn number_from_1(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if n >= 1 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(format!("{s:?} is not a number from 1")),
    }
}

impl SelectionState {
    fn reset(&mut self) {
        self.path.clear();
        self.valid_votes = 0;
        self.votes_text.clear();
        self.previous_votes = 0;
        self.initial_votes = 0;
        self.previous_text.clear();
        self.affiliations = 0;
        self.affiliation_id = None;
        self.registered_names = 0;
        self.registered_name.clear();
        self.candidates = 0;
        self.identifiers = 0;
        self.candidate_id = None;
        self.short_code_attr = None;
        self.short_codes = 0;
        self.short_code.clear();
    }

    /// The state the events of a [`QuickSelection`] leave (see [`quick_selection`]), the
    /// `Selection` starting at `position`.
    fn take_quick(&mut self, quick: &QuickSelection<'_>, position: u64) {
        self.reset();
        self.valid_votes = 1;
        self.votes_text.push_str(quick.votes);
        self.votes_position =
            position.saturating_add(u64::try_from(quick.votes_at).unwrap_or(u64::MAX));
        match quick.kind {
            QuickKind::List { id, name } => {
                self.affiliations = 1;
                self.affiliation_id = Some(());
                self.affiliation_id_text.clear();
                self.affiliation_id_text.push_str(id);
                self.registered_names = 1;
                self.registered_name.push_str(name);
            }
            QuickKind::Candidate { id, short_code } => {
                self.candidates = 1;
                self.identifiers = 1;
                if let Some(id) = id {
                    self.candidate_id = Some(());
                    self.candidate_id_text.clear();
                    self.candidate_id_text.push_str(id);
                }
                self.short_code_attr = short_code.map(str::to_owned);
            }
        }
    }

    /// A list's candidates are all read: no room left over, and its length is the hint
    /// for the same list in the next reporting unit.
    fn list_done(&mut self, list: &mut ListVotes) {
        list.candidates.shrink_to_fit();
        if let Ok(i) = usize::try_from(list.list.0)
            && i < HINTED_LISTS
        {
            if self.hints.len() <= i {
                self.hints.resize(i.saturating_add(1), 0);
            }
            if let Some(hint) = self.hints.get_mut(i) {
                *hint = u32::try_from(list.candidates.len()).unwrap_or(0);
            }
        }
    }

    /// An element starts inside the `Selection`, at `level`.
    fn start(
        &mut self,
        scopes: &mut Scopes,
        start: &BytesStart<'_>,
        level: usize,
        position: u64,
    ) -> Result<(), CountReadError> {
        // The tag if the element is in the EML namespace (known only once its
        // declarations are read, which is also when its attributes are).
        let tag = match (self.path.last(), split_name(start).1) {
            (None, b"ValidVotes") => SelTag::ValidVotes,
            (None, b"PreviousValidVotes") => SelTag::PreviousValidVotes,
            (None, b"InitialValidVotes") => SelTag::InitialValidVotes,
            (None, b"AffiliationIdentifier") => SelTag::Affiliation,
            (None, b"Candidate") => SelTag::Candidate,
            (Some(SelTag::Affiliation), b"RegisteredName") => SelTag::RegisteredName,
            (Some(SelTag::Candidate), b"CandidateIdentifier") => SelTag::CandidateIdentifier,
            (Some(SelTag::CandidateIdentifier), b"ShortCode") => SelTag::ShortCode,
            _ => SelTag::Other,
        };
        // Only these few attributes are kept. With several elements of one name the
        // Selection is refused anyway, so which one's attribute is kept does not matter.
        let (affiliation, identifier) = (
            tag == SelTag::Affiliation,
            tag == SelTag::CandidateIdentifier,
        );
        let had = (
            self.affiliation_id.is_some(),
            self.candidate_id.is_some(),
            self.short_code_attr.is_some(),
        );
        let (aff_id, aff_text, cand_id, cand_text, code) = (
            &mut self.affiliation_id,
            &mut self.affiliation_id_text,
            &mut self.candidate_id,
            &mut self.candidate_id_text,
            &mut self.short_code_attr,
        );
        let ns = scopes.open(start, level, position, |key, value| {
            let (slot, text) = match key {
                b"Id" if affiliation => (&mut *aff_id, &mut *aff_text),
                b"Id" if identifier => (&mut *cand_id, &mut *cand_text),
                b"ShortCode" if identifier => {
                    if code.is_none() {
                        *code = Some(value.into_owned());
                    }
                    return;
                }
                _ => return,
            };
            if slot.is_none() {
                *slot = Some(());
                text.clear();
                text.push_str(&value);
            }
        })?;
        let tag = if matches!(tag, SelTag::PreviousValidVotes | SelTag::InitialValidVotes) {
            // The elements of a Selection in the kr namespace (they have no attributes
            // that were kept above).
            if ns == Ns::Kr { tag } else { SelTag::Other }
        } else if ns == Ns::Eml {
            tag
        } else {
            // Not an EML element after all: what it gave is forgotten.
            if !had.0 && affiliation {
                self.affiliation_id = None;
            }
            if identifier {
                if !had.1 {
                    self.candidate_id = None;
                }
                if !had.2 {
                    self.short_code_attr = None;
                }
            }
            SelTag::Other
        };
        match tag {
            SelTag::ValidVotes => {
                self.valid_votes = self.valid_votes.saturating_add(1);
                self.votes_position = position;
            }
            SelTag::PreviousValidVotes => {
                self.previous_votes = self.previous_votes.saturating_add(1);
                self.previous_position = position;
            }
            SelTag::InitialValidVotes => {
                self.initial_votes = self.initial_votes.saturating_add(1);
            }
            SelTag::Affiliation => self.affiliations = self.affiliations.saturating_add(1),
            SelTag::Candidate => self.candidates = self.candidates.saturating_add(1),
            SelTag::RegisteredName => {
                self.registered_names = self.registered_names.saturating_add(1);
            }
            SelTag::CandidateIdentifier => {
                self.identifiers = self.identifiers.saturating_add(1);
            }
            SelTag::ShortCode => self.short_codes = self.short_codes.saturating_add(1),
            SelTag::Other => {}
        }
        self.path.push(tag);
        Ok(())
    }

    /// The text buffer of the element the reader is in, if its text is read.
    fn text_buffer(&mut self) -> Option<&mut String> {
        match self.path.last() {
            Some(SelTag::ValidVotes) => Some(&mut self.votes_text),
            Some(SelTag::PreviousValidVotes) => Some(&mut self.previous_text),
            Some(SelTag::RegisteredName) => Some(&mut self.registered_name),
            Some(SelTag::ShortCode) => Some(&mut self.short_code),
            _ => None,
        }
    }

    /// The `Selection` has ended: checked (in the order the tree reader checked) and
    /// added to `out`.
    fn finish(&mut self, out: &mut Selections) {
        if out.error.is_some() {
            return;
        }
        if let Err(e) = self.add_to(out) {
            out.error = Some(e);
        }
    }

    fn add_to(&mut self, out: &mut Selections) -> Result<(), Local> {
        const SEL: &str = "/Selection";
        const AFF: &str = "/AffiliationIdentifier";
        const CAND: &str = "/CandidateIdentifier";
        let once = |n: u32, name: &str, ctx: &'static str| match n {
            0 => Err((ctx, format!("{name} is missing"))),
            1 => Ok(()),
            _ => Err((ctx, format!("{name} appears more than once"))),
        };
        once(self.valid_votes, "ValidVotes", SEL)?;
        let votes = whole_number(&self.votes_text, self.votes_position)
            .map_err(|m| ("/Selection/ValidVotes", m))?;
        if self.initial_votes > 0 {
            return Err((
                "/Selection/kr:InitialValidVotes",
                INITIAL_REFUSED.to_owned(),
            ));
        }
        let previous = match self.previous_votes {
            0 => None,
            1 => Some(
                whole_number(&self.previous_text, self.previous_position)
                    .map_err(|m| ("/Selection/kr:PreviousValidVotes", m))?,
            ),
            _ => {
                return Err((
                    SEL,
                    "kr:PreviousValidVotes appears more than once".to_owned(),
                ));
            }
        };
        if self.affiliations > 1 {
            return Err((
                SEL,
                "AffiliationIdentifier appears more than once".to_owned(),
            ));
        }
        if self.affiliations == 1 {
            if self.affiliation_id.is_none() {
                return Err((AFF, "attribute Id is missing".to_owned()));
            }
            let list = ListNumber(number_from_1(&self.affiliation_id_text).map_err(|m| (AFF, m))?);
            if out.lists.iter().any(|l| l.list == list) {
                return Err((AFF, format!("list {list} appears twice")));
            }
            once(self.registered_names, "RegisteredName", AFF)?;
            if let Some(previous) = out.lists.last_mut() {
                self.list_done(previous);
            }
            let room = usize::try_from(list.0)
                .ok()
                .and_then(|i| self.hints.get(i))
                .map_or(0, |n| usize::try_from(*n).unwrap_or(0));
            out.lists.push(ListVotes {
                list,
                name: self.registered_name.clone(),
                total: votes,
                candidates: Vec::with_capacity(room),
            });
            if let Some(v) = previous {
                out.previous.push(PreviousListVotes {
                    list,
                    total: Some(v),
                    candidates: Vec::new(),
                });
            }
            out.max_position = 0;
            return Ok(());
        }
        if self.candidates > 1 {
            return Err((SEL, "Candidate appears more than once".to_owned()));
        }
        if self.candidates == 0 {
            return Err((SEL, "neither a list nor a candidate".to_owned()));
        }
        once(self.identifiers, "CandidateIdentifier", CAND)?;
        let position = match self.candidate_id {
            Some(()) => Some(number_from_1(&self.candidate_id_text).map_err(|m| (CAND, m))?),
            None => None,
        };
        // ShortCode as attribute, or as child element; the attribute wins (as in eml-nl).
        let short_code = match self.short_code_attr.take() {
            Some(s) => Some(s),
            None => match self.short_codes {
                0 => None,
                1 => Some(self.short_code.trim().to_owned()),
                _ => return Err((CAND, "ShortCode appears more than once".to_owned())),
            },
        };
        let reference = match (position, short_code) {
            (Some(p), Some(s)) => CandidateRef::PositionAndShortCode(CandidatePosition(p), s),
            (Some(p), None) => CandidateRef::Position(CandidatePosition(p)),
            (None, Some(s)) => CandidateRef::ShortCode(s),
            (None, None) => {
                return Err((CAND, "a candidate has neither Id nor ShortCode".to_owned()));
            }
        };
        let max_position = out.max_position;
        let Some(list) = out.lists.last_mut() else {
            return Err((CAND, "a candidate comes before any list".to_owned()));
        };
        // Two equal references have equal positions: one above every position so far is new.
        let surely_new = position.is_some_and(|p| p > max_position);
        if !surely_new && list.candidates.iter().any(|(r, _)| *r == reference) {
            return Err((
                CAND,
                format!("list {}: {reference} appears twice", list.list),
            ));
        }
        if let Some(v) = previous {
            let number = list.list;
            match out.previous.last_mut().filter(|p| p.list == number) {
                Some(p) => p.candidates.push((reference.clone(), v)),
                None => out.previous.push(PreviousListVotes {
                    list: number,
                    total: None,
                    candidates: vec![(reference.clone(), v)],
                }),
            }
        }
        list.candidates.push((reference, votes));
        if let Some(p) = position {
            out.max_position = max_position.max(p);
        }
        Ok(())
    }
}

/// A `Selection` of the shape every real 510 has, read by [`quick_selection`]:
/// `<Selection><Candidate><CandidateIdentifier Id="1" ShortCode="RutteM"></CandidateIdentifier></Candidate><ValidVotes>43812</ValidVotes></Selection>`
/// (with `Id`, `ShortCode`, both or neither, in either order; the identifier may be an
/// empty-element tag) or
/// `<Selection><AffiliationIdentifier Id="1"><RegisteredName>VVD</RegisteredName></AffiliationIdentifier><ValidVotes>53539</ValidVotes></Selection>`.
#[derive(Debug)]
struct QuickSelection<'a> {
    kind: QuickKind<'a>,
    /// The text of `ValidVotes` (digits), and where its start tag is, from the
    /// `Selection`'s start.
    votes: &'a str,
    votes_at: usize,
    /// The length of the whole `Selection`, up to its end tag's `>`.
    len: usize,
}

#[derive(Debug)]
enum QuickKind<'a> {
    List {
        id: &'a str,
        name: &'a str,
    },
    Candidate {
        id: Option<&'a str>,
        short_code: Option<&'a str>,
    },
}

/// How deep a [`QuickSelection`] nests below the element it is in.
const QUICK_DEPTH: usize = 3;

/// Reads the `Selection` at the start of `text` if it has exactly the shape of a
/// [`QuickSelection`]: no other element, attribute, white space, prefix, reference,
/// comment or CDATA; attribute values and the list's name without `<`, `>`, `&` or control
/// characters (which quick-xml would read, or normalise, otherwise); the votes digits only.
/// For such bytes quick-xml gives the events the general path reads, without an error, so
/// the [`SelectionState`] filled from them by [`SelectionState::take_quick`] is the one the
/// events would fill (with the same positions). Anything else, `None`: the events read it.
fn quick_selection(text: &str) -> Option<QuickSelection<'_>> {
    let rest = text.strip_prefix("<Selection>")?;
    let (kind, rest) = if let Some(rest) = rest.strip_prefix("<Candidate><CandidateIdentifier") {
        let (id, short_code, rest) = quick_attributes(rest)?;
        let rest = rest
            .strip_prefix("></CandidateIdentifier>")
            .or_else(|| rest.strip_prefix("/>"))?
            .strip_prefix("</Candidate>")?;
        (QuickKind::Candidate { id, short_code }, rest)
    } else {
        let rest = rest.strip_prefix("<AffiliationIdentifier Id=\"")?;
        let (id, rest) = quick_plain(rest, b'"')?;
        let rest = rest.strip_prefix("\"><RegisteredName>")?;
        let (name, rest) = quick_plain(rest, b'<')?;
        let rest = rest.strip_prefix("</RegisteredName></AffiliationIdentifier>")?;
        (QuickKind::List { id, name }, rest)
    };
    let votes_at = text.len().checked_sub(rest.len())?;
    let rest = rest.strip_prefix("<ValidVotes>")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let (votes, rest) = rest.split_at_checked(digits)?;
    let rest = rest.strip_prefix("</ValidVotes></Selection>")?;
    Some(QuickSelection {
        kind,
        votes,
        votes_at,
        len: text.len().checked_sub(rest.len())?,
    })
}

/// The attributes of a [`QuickSelection`]'s `CandidateIdentifier` (each ` Id="..."` or
/// ` ShortCode="..."`, neither twice), and the text after them.
#[allow(clippy::type_complexity)]
fn quick_attributes(mut text: &str) -> Option<(Option<&str>, Option<&str>, &str)> {
    let (mut id, mut short_code) = (None, None);
    while let Some(rest) = text.strip_prefix(' ') {
        let (slot, rest) = if let Some(rest) = rest.strip_prefix("Id=\"") {
            (&mut id, rest)
        } else {
            (&mut short_code, rest.strip_prefix("ShortCode=\"")?)
        };
        // A repeated attribute is quick-xml's error.
        if slot.is_some() {
            return None;
        }
        let (value, rest) = quick_plain(rest, b'"')?;
        *slot = Some(value);
        text = rest.strip_prefix('"')?;
    }
    Some((id, short_code, text))
}

/// The text before the first `end` byte, if none of its bytes is `<`, `>`, `&` or a
/// control character, and the text from `end` on.
fn quick_plain(text: &str, end: u8) -> Option<(&str, &str)> {
    let len = text
        .bytes()
        .position(|b| b == end || matches!(b, b'<' | b'>' | b'&') || b < 0x20)?;
    let (plain, rest) = text.split_at_checked(len)?;
    rest.as_bytes().first().filter(|b| **b == end)?;
    Some((plain, rest))
}

/// Is the element starting under `stack` a vote-count element of the contest
/// (`EML/Count/Election/Contests/Contest/TotalVotes` or `.../ReportingUnitVotes`)?
fn is_votes_element(stack: &[Node], ns: Ns, local: &[u8]) -> bool {
    const PATH: [&str; 5] = ["EML", "Count", "Election", "Contests", "Contest"];
    ns == Ns::Eml
        && (local == b"TotalVotes" || local == b"ReportingUnitVotes")
        && stack.len() == PATH.len()
        && stack
            .iter()
            .zip(PATH)
            .all(|(node, name)| node.ns == Ns::Eml && node.name == name)
}

/// Where [`parse`] gets its events: the whole text in memory ([`SliceEvents`], quick-xml's
/// borrowing reader, no copy) or a stream ([`StreamEvents`], one reused buffer).
trait Events {
    /// The position before the next event, and the event.
    fn next_event(&mut self) -> (u64, Result<Event<'_>, quick_xml::Error>);

    /// A problem the input guards found at the root element's start (a stream's prolog,
    /// root and kind are checked when the parser meets the root, while a whole text was
    /// checked before the parse); taken once. With one, [`parse`] only follows the nesting
    /// from there.
    fn root_problem(&mut self) -> Option<CountReadError> {
        None
    }

    /// The position of the next event and the text from there on, when the whole text is
    /// in memory (for [`quick_selection`]); `None` for a stream.
    fn rest(&self) -> Option<(u64, &str)> {
        None
    }

    /// The first `len` bytes of [`Events::rest`] were read by [`quick_selection`]: the next
    /// event is after them.
    fn skip(&mut self, _len: usize) {}
}

/// The events of a whole text.
struct SliceEvents<'a> {
    reader: Reader<&'a [u8]>,
    /// The whole text, of which the reader's input is what is left.
    text: &'a str,
    /// The bytes read by [`quick_selection`] instead of quick-xml, which quick-xml's
    /// position does not count.
    skipped: u64,
}

impl Events for SliceEvents<'_> {
    fn next_event(&mut self) -> (u64, Result<Event<'_>, quick_xml::Error>) {
        let position = self.reader.buffer_position().saturating_add(self.skipped);
        (position, self.reader.read_event())
    }

    fn rest(&self) -> Option<(u64, &str)> {
        // quick-xml's borrowing reader keeps what it has not read yet as its input.
        let left: &[u8] = self.reader.get_ref();
        let start = self.text.len().checked_sub(left.len())?;
        let position = self.reader.buffer_position().saturating_add(self.skipped);
        Some((position, self.text.get(start..)?))
    }

    fn skip(&mut self, len: usize) {
        let left: &mut &[u8] = self.reader.get_mut();
        *left = left.get(len..).unwrap_or_default();
        self.skipped = self
            .skipped
            .saturating_add(u64::try_from(len).unwrap_or(u64::MAX));
    }
}

/// The events of a stream, read through the input guards ([`GuardedRead`]) into one
/// reused buffer.
struct StreamEvents<R: std::io::Read> {
    reader: Reader<std::io::BufReader<GuardedRead<R>>>,
    buf: Vec<u8>,
    /// The root element's start tag as the guards' prolog scan read it, once found.
    root: Option<crate::eml::limits::RootElement>,
    root_seen: bool,
    /// What [`at_root`] found, until [`parse`] takes it.
    problem: Option<CountReadError>,
}

impl<R: std::io::Read> Events for StreamEvents<R> {
    fn next_event(&mut self) -> (u64, Result<Event<'_>, quick_xml::Error>) {
        self.buf.clear();
        let position = self.reader.buffer_position();
        let event = self.reader.read_event_into(&mut self.buf);
        if !self.root_seen && matches!(event, Ok(Event::Start(_) | Event::Empty(_))) {
            self.root_seen = true;
            self.problem = at_root(self.reader.get_mut().get_mut(), &mut self.root);
        }
        (position, event)
    }

    fn root_problem(&mut self) -> Option<CountReadError> {
        self.problem.take()
    }
}

/// The root element of a stream has started: the prolog and the root's start tag (kept by
/// the guards) are scanned as [`crate::eml::limits::scan_root`] scans a whole file. A root
/// found is kept in `root` and the kept bytes are freed; a root that is not a count's, or
/// none found, is a problem (decided after the stream is read, see [`read_stream`]).
fn at_root<R: std::io::Read>(
    guarded: &mut GuardedRead<R>,
    root: &mut Option<crate::eml::limits::RootElement>,
) -> Option<CountReadError> {
    let not_a_count = || Some(invalid("EML Id", "not a count"));
    let prefix = guarded.prefix().unwrap_or_default();
    // The prefix may end inside a character; its text up to there is what the scan of the
    // whole file sees before the root's `>` (which was read: the parser has its start tag).
    let text = match std::str::from_utf8(prefix) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(prefix.get(..e.valid_up_to()).unwrap_or_default())
            .unwrap_or_default(),
    };
    let Ok(found) = crate::eml::limits::scan_root(text) else {
        // Kept whole, and decided on the whole.
        return not_a_count();
    };
    let kind_ok = matches!(found.id.as_deref(), Some("510b" | "510c" | "510d"));
    guarded.drop_prefix();
    *root = Some(found);
    if kind_ok { None } else { not_a_count() }
}

/// Reads the document in one pass: the nodes outside the `Selection`s as a small tree,
/// the `Selection`s of every vote-count element into its [`Selections`].
///
/// The same pass is the nesting check of the input guard
/// ([`crate::eml::limits::check_nesting_depth`]), with the same result: an element deeper
/// than [`MAX_DEPTH`] before quick-xml finds the XML malformed is
/// [`InputProblem::NestingTooDeep`](crate::eml::limits::InputProblem::NestingTooDeep), also
/// when this reader found a problem of its own earlier (an attribute, a reference) or the
/// root element has ended. Until then such a problem waits in `pending`, and the reader
/// only follows the nesting.
fn parse<S: Events>(source: &mut S, text: &str) -> Result<(Node, Vec<Selections>), CountReadError> {
    use crate::eml::limits::InputProblem;
    // No trimming: `Kieskring &apos;s-Gravenhage` arrives as text, reference, text, and
    // trimming each piece would eat the space. White space between elements lands in the
    // text of container nodes, which is never read.
    let mut scopes = Scopes::new(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut streams: Vec<Selections> = Vec::new();
    let mut selection = SelectionState::default();
    // The stream of the `Selection` being read, if the reader is inside one.
    let mut in_selection: Option<usize> = None;
    // Open elements, the root being 1.
    let mut level: usize = 0;
    let mut pending: Option<CountReadError> = None;
    let mut done: Option<Node> = None;
    // The last event was a start, end or empty tag: quick-xml's reader is then between
    // markup, where its input starts with the next tag (after a text, it has taken the
    // next tag's `<`).
    let mut after_tag = false;
    loop {
        // The root element's problem is taken at the event after the root's start: the
        // root itself is one node; what follows is only followed for its nesting.
        if pending.is_none()
            && let Some(problem) = source.root_problem()
        {
            pending = Some(problem);
        }
        // The `Selection`s of a vote-count element that have the usual shape are read
        // straight from the text (nearly every one in a real file), with the same result
        // as through the events below.
        if after_tag
            && pending.is_none()
            && done.is_none()
            && in_selection.is_none()
            && scopes.default == Ns::Eml
            && level.saturating_add(QUICK_DEPTH) <= MAX_DEPTH
            && let Some(out) = stack
                .last()
                .and_then(|n| n.stream)
                .and_then(|i| streams.get_mut(i))
        {
            while let Some((position, rest)) = source.rest()
                && let Some(quick) = quick_selection(rest)
            {
                selection.take_quick(&quick, position);
                selection.finish(out);
                let len = quick.len;
                source.skip(len);
            }
        }
        let (position, event) = source.next_event();
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                return match (pending, done) {
                    (Some(p), _) => Err(p),
                    (None, Some(root)) => Ok((root, streams)),
                    (None, None) => Err(xml_err(position, e)),
                };
            }
        };
        let empty = matches!(event, Event::Empty(_));
        if let Event::Start(_) | Event::Empty(_) = event
            && level.saturating_add(1) > MAX_DEPTH
        {
            return Err(CountReadError::Input(InputProblem::NestingTooDeep {
                limit: MAX_DEPTH,
                offset: usize::try_from(position).unwrap_or(usize::MAX),
            }));
        }
        if pending.is_some() || done.is_some() {
            // Only the nesting is followed now.
            match event {
                Event::Start(_) => level = level.saturating_add(1),
                Event::End(_) => level = level.saturating_sub(1),
                Event::Eof => {
                    return match (pending, done) {
                        (Some(p), _) => Err(p),
                        (None, Some(root)) => Ok((root, streams)),
                        (None, None) => Err(xml_err(position, "unexpected end of document")),
                    };
                }
                _ => {}
            }
            continue;
        }
        after_tag = matches!(event, Event::Start(_) | Event::End(_) | Event::Empty(_));
        match step(
            event,
            empty,
            position,
            &mut level,
            &mut scopes,
            &mut stack,
            &mut streams,
            &mut selection,
            &mut in_selection,
        ) {
            Ok(Some(root)) => done = Some(root),
            Ok(None) => {}
            Err(e) => pending = Some(e),
        }
    }
}

/// One event of [`parse`]: returns the root node when it has ended.
#[allow(clippy::too_many_arguments)]
fn step(
    event: Event<'_>,
    empty: bool,
    position: u64,
    level: &mut usize,
    scopes: &mut Scopes,
    stack: &mut Vec<Node>,
    streams: &mut Vec<Selections>,
    selection: &mut SelectionState,
    in_selection: &mut Option<usize>,
) -> Result<Option<Node>, CountReadError> {
    match event {
        Event::DocType(_) => return Err(xml_err(position, "DOCTYPE declarations are refused")),
        Event::Start(start) | Event::Empty(start) => {
            let this = level.saturating_add(1);
            if !empty {
                *level = this;
            }
            if in_selection.is_some() {
                selection.start(scopes, &start, this, position)?;
                if empty {
                    selection.path.pop();
                    scopes.close(this);
                }
                return Ok(None);
            }
            let stream = stack.last().and_then(|n| n.stream);
            if let Some(stream) = stream
                && split_name(&start).1 == b"Selection"
            {
                let ns = scopes.open(&start, this, position, |_, _| {})?;
                if ns == Ns::Eml {
                    selection.reset();
                    if empty {
                        scopes.close(this);
                        if let Some(out) = streams.get_mut(stream) {
                            selection.finish(out);
                        }
                    } else {
                        *in_selection = Some(stream);
                    }
                    return Ok(None);
                }
                scopes.close(this);
            }
            let mut node = start_node(scopes, &start, this, position)?;
            if is_votes_element(stack, node.ns, split_name(&start).1) {
                node.stream = Some(streams.len());
                streams.push(Selections::default());
            }
            if !empty {
                stack.push(node);
                return Ok(None);
            }
            scopes.close(this);
            match stack.last_mut() {
                Some(parent) => parent.children.push(node),
                None => return Ok(Some(node)),
            }
        }
        Event::End(_) => {
            scopes.close(*level);
            *level = level.saturating_sub(1);
            if let Some(stream) = *in_selection {
                if selection.path.pop().is_none() {
                    if let Some(out) = streams.get_mut(stream) {
                        selection.finish(out);
                    }
                    *in_selection = None;
                }
                return Ok(None);
            }
            let Some(node) = stack.pop() else {
                return Err(xml_err(position, "end tag without start tag"));
            };
            if let Some(out) = node.stream.and_then(|i| streams.get_mut(i))
                && let Some(last) = out.lists.last_mut()
            {
                selection.list_done(last);
            }
            match stack.last_mut() {
                Some(parent) => parent.children.push(node),
                None => return Ok(Some(node)),
            }
        }
        Event::Text(t) => {
            // The input is a `str`, so the text's decoding cannot fail; it is read only
            // where it is kept.
            let buffer = if in_selection.is_some() {
                selection.text_buffer()
            } else {
                stack.last_mut().map(|n| &mut n.text)
            };
            if let Some(buffer) = buffer {
                match scopes.plain_str(&t, b"\r") {
                    Some(s) => buffer.push_str(s),
                    None => {
                        let s = t
                            .xml_content(XmlVersion::default())
                            .map_err(|e| xml_err(position, e))?;
                        buffer.push_str(&s);
                    }
                }
            }
        }
        Event::CData(t) => {
            let buffer = if in_selection.is_some() {
                selection.text_buffer()
            } else {
                stack.last_mut().map(|n| &mut n.text)
            };
            if let Some(buffer) = buffer {
                let s = t
                    .xml_content(XmlVersion::default())
                    .map_err(|e| xml_err(position, e))?;
                buffer.push_str(&s);
            }
        }
        Event::GeneralRef(r) => {
            let ch = reference_char(&r, position)?;
            let buffer = if in_selection.is_some() {
                selection.text_buffer()
            } else {
                stack.last_mut().map(|n| &mut n.text)
            };
            if let Some(buffer) = buffer {
                buffer.push(ch);
            }
        }
        Event::Eof => return Err(xml_err(position, "unexpected end of document")),
        _ => {}
    }
    Ok(None)
}

impl Node {
    fn is(&self, ns: Ns, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn req_attr<'c>(&self, name: &str, ctx: impl Into<Ctx<'c>>) -> Result<&str, CountReadError> {
        let ctx = ctx.into();
        self.attr(name)
            .ok_or_else(|| invalid(ctx, format!("attribute {name} is missing")))
    }

    fn all<'a>(&'a self, ns: Ns, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    fn opt<'c>(
        &self,
        ns: Ns,
        name: &str,
        ctx: impl Into<Ctx<'c>>,
    ) -> Result<Option<&Node>, CountReadError> {
        let ctx = ctx.into();
        let mut it = self.children.iter().filter(|c| c.is(ns, name));
        let first = it.next();
        if it.next().is_some() {
            return Err(invalid(ctx, format!("{name} appears more than once")));
        }
        Ok(first)
    }

    fn one<'c>(
        &self,
        ns: Ns,
        name: &str,
        ctx: impl Into<Ctx<'c>>,
    ) -> Result<&Node, CountReadError> {
        let ctx = ctx.into();
        self.opt(ns, name, ctx)?
            .ok_or_else(|| invalid(ctx, format!("{name} is missing")))
    }

    fn number<'c>(&self, ctx: impl Into<Ctx<'c>>) -> Result<u64, CountReadError> {
        let ctx = ctx.into();
        whole_number(&self.text, self.position).map_err(|m| invalid(ctx, m))
    }
}

/// Reads any 510 (b, c or d) with the own reader.
pub(super) fn read(text: &str) -> Result<CountFile, CountReadError> {
    let parsed = parse(
        &mut SliceEvents {
            reader: Reader::from_str(text),
            text,
            skipped: 0,
        },
        text,
    )?;
    build(parsed)
}

/// How much of a stream is read at a time (the buffer below the parser).
const STREAM_BUFFER: usize = 256 * 1024;

/// Reads a count from a stream of `size` bytes without holding it: the input guards of
/// [`crate::eml::limits`] run on the bytes as they pass ([`GuardedRead`]), and the result is
/// the one [`super::read_count`] gives for the same bytes, refusal for refusal (the guards'
/// problems first, in the same order: size, UTF-8, prolog and root, declarations, kind,
/// nesting; then the reader's own). Only a file whose root element cannot be found in the
/// stream as the parser meets it (no valid prolog: never a real file) is kept whole and
/// read as a whole, to give exactly that answer.
pub(super) fn read_stream<R: std::io::Read>(
    input: R,
    size: u64,
) -> Result<CountFile, CountReadError> {
    use crate::eml::limits::{DocumentKind, InputProblem, check_size};
    check_size(usize::try_from(size).unwrap_or(usize::MAX)).map_err(CountReadError::Input)?;
    let read_error = |e: std::io::Error| CountReadError::Read {
        message: e.to_string(),
    };
    let guarded = GuardedRead::new(input.take(size.saturating_add(1)));
    let mut source = StreamEvents {
        reader: Reader::from_reader(std::io::BufReader::with_capacity(STREAM_BUFFER, guarded)),
        buf: Vec::new(),
        root: None,
        root_seen: false,
        problem: None,
    };
    let parsed = parse(&mut source, "");
    let StreamEvents { reader, root, .. } = source;
    // The rest of the stream, through the guards.
    let mut rest = reader.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(read_error)?;
    let found = rest.into_inner().finish();
    if found.read != size {
        return Err(CountReadError::Read {
            message: if found.read > size {
                format!("the file is longer than its {size} bytes")
            } else {
                format!("the file ended after {} of its {size} bytes", found.read)
            },
        });
    }
    if let Some(offset) = found.not_utf8 {
        return Err(CountReadError::Input(InputProblem::NotUtf8 { offset }));
    }
    let Some(root) = root else {
        // No root element was met: the whole file was kept; its answer is the whole
        // file's.
        let whole = found.prefix.unwrap_or_default();
        return super::read_count(&whole);
    };
    if let Some(problem) = found.declaration {
        return Err(CountReadError::Input(problem));
    }
    let id = root
        .id
        .ok_or(CountReadError::Input(InputProblem::MissingDocumentId {
            offset: root.offset,
        }))?;
    if !matches!(id.as_str(), "510b" | "510c" | "510d") {
        if let Err(CountReadError::Input(nesting @ InputProblem::NestingTooDeep { .. })) = parsed {
            return Err(CountReadError::Input(nesting));
        }
        let expected = [
            DocumentKind::Count510b,
            DocumentKind::Count510c,
            DocumentKind::Count510d,
        ]
        .map(DocumentKind::eml_id)
        .join("/");
        return Err(CountReadError::Input(InputProblem::WrongDocumentKind {
            expected,
            found: id,
        }));
    }
    build(parsed?)
}

fn build(parsed: (Node, Vec<Selections>)) -> Result<CountFile, CountReadError> {
    let (root, mut streams) = parsed;
    if !root.is(Ns::Eml, "EML") {
        return Err(invalid(root.name.clone(), "the root element must be EML"));
    }
    let level = match root.attr("Id") {
        Some("510b") => CountLevel::Municipality,
        Some("510c") => CountLevel::District,
        Some("510d") => CountLevel::Total,
        other => {
            return Err(invalid(
                "EML Id",
                format!("{:?} is not 510b, 510c or 510d", other.unwrap_or("")),
            ));
        }
    };
    let transaction_id = root
        .one(Ns::Eml, "TransactionId", "EML")?
        .number("TransactionId")?;
    let authority = root.one(Ns::Eml, "ManagingAuthority", "EML")?.one(
        Ns::Eml,
        "AuthorityIdentifier",
        "ManagingAuthority",
    )?;
    let creation = root.one(Ns::Kr, "CreationDateTime", "EML")?;
    let version = match root.opt(Ns::Kr, names::SCHEMA, "EML")? {
        None => EmlVersion::V1_2_2,
        Some(schema) => {
            let v = schema.req_attr(names::SCHEMA_VERSION_ATTR, "kr:Schema")?;
            EmlVersion::from_schema_value(v).ok_or_else(|| {
                invalid(
                    "kr:Schema Version",
                    format!("{v:?} is not an EML_NL version this reader knows (1.3, 1.3.1)"),
                )
            })?
        }
    };
    let count = root.one(Ns::Eml, "Count", "EML")?;
    let edition = CountEdition {
        version,
        phase: match count.opt(Ns::Kr, names::PHASE, "Count")? {
            None => None,
            Some(p) => {
                let code = p.req_attr(names::PHASE_CODE_ATTR, "kr:Phase")?;
                Some(CountPhase::from_eml_value(code).ok_or_else(|| {
                    invalid("kr:Phase PhaseCode", format!("unknown phase {code:?}"))
                })?)
            }
        },
        counting_method: match count.opt(Ns::Kr, names::COUNTING_METHOD, "Count")? {
            None => None,
            Some(m) => {
                let code = m.req_attr(names::METHOD_CODE_ATTR, "kr:CountingMethod")?;
                Some(CountingMethod::from_eml_value(code).ok_or_else(|| {
                    invalid(
                        "kr:CountingMethod MethodCode",
                        format!("unknown counting method {code:?}"),
                    )
                })?)
            }
        },
    };
    if !version.has_phase() && (edition.phase.is_some() || edition.counting_method.is_some()) {
        return Err(invalid(
            "Count",
            format!(
                "kr:Phase and kr:CountingMethod need EML_NL 1.3 or later; this file is {version}"
            ),
        ));
    }
    let election = count.one(Ns::Eml, "Election", "Count")?;
    let ident = election.one(Ns::Eml, "ElectionIdentifier", "Election")?;
    let contests: Vec<&Node> = election
        .one(Ns::Eml, "Contests", "Election")?
        .all(Ns::Eml, "Contest")
        .collect();
    let [contest] = contests.as_slice() else {
        return Err(invalid(
            "Contests",
            format!(
                "a count file must have exactly one Contest, this one has {}",
                contests.len()
            ),
        ));
    };
    let contest_ident = contest.one(Ns::Eml, "ContestIdentifier", "Contest")?;
    let header = CountHeader {
        level,
        transaction_id,
        authority_id: authority.req_attr("Id", "AuthorityIdentifier")?.to_owned(),
        authority_name: non_empty(&authority.text),
        creation_date_time: creation.text.trim().to_owned(),
        election_id: ElectionId(ident.req_attr("Id", "ElectionIdentifier")?.to_owned()),
        election_name: ident
            .opt(Ns::Eml, "ElectionName", "ElectionIdentifier")?
            .map(|n| n.text.clone()),
        category: category_from_code(
            ident
                .one(Ns::Eml, "ElectionCategory", "ElectionIdentifier")?
                .text
                .trim(),
        )?,
        subcategory: ident
            .opt(Ns::Kr, "ElectionSubcategory", "ElectionIdentifier")?
            .map(|n| n.text.trim().to_owned()),
        domain: ident
            .opt(Ns::Kr, "ElectionDomain", "ElectionIdentifier")?
            .map(|n| (n.attr("Id").map(str::to_owned), n.text.clone())),
        election_date: ident
            .one(Ns::Kr, "ElectionDate", "ElectionIdentifier")?
            .text
            .trim()
            .to_owned(),
        contest_id: ContestId(
            contest_ident
                .req_attr("Id", "ContestIdentifier")?
                .to_owned(),
        ),
        contest_name: contest_ident
            .opt(Ns::Eml, "ContestName", "ContestIdentifier")?
            .map(|n| n.text.clone()),
        edition,
    };
    let total = vote_counts(
        Ctx::new("TotalVotes"),
        contest.one(Ns::Eml, "TotalVotes", "Contest")?,
        &mut streams,
        version,
    )?;
    let mut units = Vec::new();
    for unit in contest.all(Ns::Eml, "ReportingUnitVotes") {
        let ident = unit.one(Ns::Eml, "ReportingUnitIdentifier", "ReportingUnitVotes")?;
        let id = ident.req_attr("Id", "ReportingUnitIdentifier")?.to_owned();
        let place = Ctx::new("ReportingUnitVotes ").then(&id);
        let counts = vote_counts(place, unit, &mut streams, version)?;
        let mut investigations: Vec<(usize, String, bool)> = Vec::new();
        if let Some(inv) = unit.opt(Ns::Kr, names::REPORTING_UNIT_INVESTIGATIONS, place)? {
            for i in inv.all(Ns::Kr, names::INVESTIGATION) {
                let ctx = place.then("/Investigation");
                let reason = i.req_attr("ReasonCode", ctx)?;
                let Some(idx) = INVESTIGATION_REASONS.iter().position(|r| *r == reason) else {
                    return Err(invalid(ctx, format!("unknown ReasonCode {reason:?}")));
                };
                if investigations.iter().any(|(j, _, _)| *j == idx) {
                    return Err(invalid(ctx, format!("{reason:?} appears twice")));
                }
                let value = match i.text.trim() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    other => return Err(invalid(ctx, format!("{other:?} is not true or false"))),
                };
                investigations.push((idx, reason.to_owned(), value));
            }
        }
        investigations.sort_by_key(|(idx, _, _)| *idx);
        units.push(ReportingUnitCounts {
            id: ReportingUnitId(id),
            name: ident.text.clone(),
            counts,
            investigations: investigations.into_iter().map(|(_, r, v)| (r, v)).collect(),
        });
    }
    Ok(CountFile {
        header,
        total,
        units,
    })
}

fn non_empty(s: &str) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s.to_owned())
    }
}

fn vote_counts(
    place: Ctx<'_>,
    node: &Node,
    streams: &mut [Selections],
    version: EmlVersion,
) -> Result<VoteCounts, CountReadError> {
    // The Selections were read and checked while parsing; only a problem's place is
    // added here.
    let selections = node
        .stream
        .and_then(|i| streams.get_mut(i))
        .map(std::mem::take)
        .unwrap_or_default();
    if let Some((element, message)) = selections.error {
        return Err(invalid(format!("{place}{element}"), message));
    }
    let lists = selections.lists;
    let previous = previous_counts(place, node, selections.previous, version)?;
    let mut blank = None;
    let mut invalid_votes = None;
    for r in node.all(Ns::Eml, "RejectedVotes") {
        let ctx = place.then("/RejectedVotes");
        let slot = match r.req_attr("ReasonCode", ctx)? {
            "blanco" => &mut blank,
            "ongeldig" => &mut invalid_votes,
            other => return Err(invalid(ctx, format!("unknown ReasonCode {other:?}"))),
        };
        if slot.is_some() {
            return Err(invalid(ctx, "a ReasonCode appears twice"));
        }
        *slot = Some(r.number(ctx)?);
    }
    let mut pairs = Vec::new();
    for u in node.all(Ns::Eml, "UncountedVotes") {
        let ctx = place.then("/UncountedVotes");
        let reason = u.req_attr("ReasonCode", ctx)?.to_owned();
        let n = u.number(ctx.then(" ").then(&reason))?;
        pairs.push((reason, n));
    }
    Ok(VoteCounts {
        cast: node
            .one(Ns::Eml, "Cast", place)?
            .number(place.then("/Cast"))?,
        lists,
        total_counted: node
            .one(Ns::Eml, "TotalCounted", place)?
            .number(place.then("/TotalCounted"))?,
        blank: blank
            .ok_or_else(|| invalid(format!("{place}/RejectedVotes"), "\"blanco\" is missing"))?,
        invalid: invalid_votes
            .ok_or_else(|| invalid(format!("{place}/RejectedVotes"), "\"ongeldig\" is missing"))?,
        voters: voter_counts(place, pairs)?,
        previous,
    })
}

/// Why a `kr:Initial*` element is refused.
const INITIAL_REFUSED: &str = "kr:Initial* is how the Electoral Council's schemas after EML_NL 1.3.1 name a previous value; this reader knows EML_NL 1.2.2 to 1.3.1 (kr:Previous*)";

/// The previous values of a vote-count element (EML_NL 1.3.1); refused in a file of an
/// earlier version, as eml-nl refuses them.
fn previous_counts(
    place: Ctx<'_>,
    node: &Node,
    lists: Vec<PreviousListVotes>,
    version: EmlVersion,
) -> Result<PreviousCounts, CountReadError> {
    // The names as 1.3.1 has them, to find (and refuse) them in an older file too.
    if let Some(c) = node
        .children
        .iter()
        .find(|c| c.ns == Ns::Kr && c.name.starts_with("Initial"))
    {
        return Err(invalid(format!("{place}/kr:{}", c.name), INITIAL_REFUSED));
    }
    let name = |of| previous_name(of, version.max(EmlVersion::V1_3_1)).unwrap_or("");
    let refuse = |element: &str| {
        Err(invalid(
            format!("{place}/kr:{element}"),
            format!("previous values need EML_NL 1.3.1; this file is {version}"),
        ))
    };
    if !version.has_previous_values() {
        if !lists.is_empty() {
            return refuse(name(PreviousOf::ValidVotes));
        }
        for of in PreviousOf::ALL {
            if node.all(Ns::Kr, name(of)).next().is_some() {
                return refuse(name(of));
            }
        }
        return Ok(PreviousCounts::default());
    }
    let single = |of| -> Result<Option<u64>, CountReadError> {
        let element = name(of);
        match node.opt(Ns::Kr, element, place)? {
            Some(n) => Ok(Some(n.number(place.then("/kr:").then(element))?)),
            None => Ok(None),
        }
    };
    let mut out = PreviousCounts {
        cast: single(PreviousOf::Cast)?,
        lists,
        total_counted: single(PreviousOf::TotalCounted)?,
        ..PreviousCounts::default()
    };
    let rejected = name(PreviousOf::RejectedVotes);
    for r in node.all(Ns::Kr, rejected) {
        let ctx = place.then("/kr:").then(rejected);
        let slot = match r.req_attr("ReasonCode", ctx)? {
            "blanco" => &mut out.blank,
            "ongeldig" => &mut out.invalid,
            other => return Err(invalid(ctx, format!("unknown ReasonCode {other:?}"))),
        };
        if slot.is_some() {
            return Err(invalid(ctx, "a ReasonCode appears twice"));
        }
        *slot = Some(r.number(ctx)?);
    }
    let uncounted = name(PreviousOf::UncountedVotes);
    let mut pairs: Vec<(usize, String, u64)> = Vec::new();
    for u in node.all(Ns::Kr, uncounted) {
        let ctx = place.then("/kr:").then(uncounted);
        let reason = u.req_attr("ReasonCode", ctx)?;
        let Some(idx) = super::UNCOUNTED_REASONS.iter().position(|r| *r == reason) else {
            return Err(invalid(ctx, format!("unknown ReasonCode {reason:?}")));
        };
        if pairs.iter().any(|(i, _, _)| *i == idx) {
            return Err(invalid(ctx, format!("ReasonCode {reason:?} appears twice")));
        }
        pairs.push((
            idx,
            reason.to_owned(),
            u.number(ctx.then(" ").then(reason))?,
        ));
    }
    pairs.sort_by_key(|(idx, _, _)| *idx);
    out.uncounted = pairs.into_iter().map(|(_, r, n)| (r, n)).collect();
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Writing

type W = Writer<Vec<u8>>;

fn io(e: std::io::Error) -> CountWriteError {
    CountWriteError::Writer(e.to_string())
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> CountWriteError {
    CountWriteError::Value {
        field: field.into(),
        message: message.into(),
    }
}

fn check_shape(value: &str, field: &str, ok: impl Fn(&str) -> bool) -> Result<(), CountWriteError> {
    if ok(value) {
        Ok(())
    } else {
        Err(bad(field, format!("{value:?} is not a valid value")))
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Writes any 510 (b, c or d) with the own writer.
pub(super) fn write(file: &CountFile) -> Result<Vec<u8>, CountWriteError> {
    let h = &file.header;
    // The identifiers the XSD restricts, checked here so that a bad one is a clear error
    // rather than a file that does not validate.
    check_shape(&h.authority_id, "AuthorityIdentifier Id", |s| {
        s == "CSB"
            || s.strip_prefix("HSB").is_some_and(is_digits)
            || s.strip_prefix("SB").is_some_and(is_digits)
            || (s.len() == 4 && is_digits(s))
    })?;
    check_shape(&h.contest_id.0, "ContestIdentifier Id", |s| {
        s == "geen"
            || s == "alle"
            || (is_digits(s) && !s.starts_with('0'))
            || s.bytes().all(|b| b"IVXLCDM".contains(&b)) && !s.is_empty()
    })?;
    check_shape(&h.election_id.0, "ElectionIdentifier Id", |s| {
        s.len() >= 6 && s.is_char_boundary(6) && s.get(2..6).is_some_and(is_digits)
    })?;
    write_full(file)
}

fn text_elem_io(w: &mut W, name: &str, text: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// Writes the whole document in one pass (the nesting closures of quick-xml make the
/// error type `io::Error`; domain errors are found before writing starts).
fn write_full(file: &CountFile) -> Result<Vec<u8>, CountWriteError> {
    let h = &file.header;
    // Validate everything that can fail before writing.
    super::check_edition(file)?;
    check_previous("TotalVotes", &file.total)?;
    for unit in &file.units {
        check_previous(&format!("ReportingUnitVotes {}", unit.id), &unit.counts)?;
    }
    let edition = h.edition;
    let version = edition.version;
    let total_uncounted = uncounted_pairs(&file.total.voters)?;
    check_lists("TotalVotes", &file.total)?;
    let mut unit_uncounted = Vec::with_capacity(file.units.len());
    for unit in &file.units {
        let place = format!("ReportingUnitVotes {}", unit.id);
        check_lists(&place, &unit.counts)?;
        unit_uncounted.push(uncounted_pairs(&unit.counts.voters)?);
        for (reason, _) in &unit.investigations {
            if !INVESTIGATION_REASONS.contains(&reason.as_str()) {
                return Err(bad(
                    format!("{place}/Investigation"),
                    format!("{reason:?} is not an investigation reason"),
                ));
            }
        }
    }
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(io)?;
    w.create_element("EML")
        .with_attribute(("xmlns", "urn:oasis:names:tc:evs:schema:eml"))
        .with_attribute(("xmlns:kr", "http://www.kiesraad.nl/extensions"))
        .with_attribute(("xmlns:ds", NS_DS))
        .with_attribute(("Id", h.level.eml_id()))
        .with_attribute(("SchemaVersion", "5"))
        .write_inner_content(|w| {
            text_elem_io(w, "TransactionId", &h.transaction_id.to_string())?;
            w.create_element("ManagingAuthority")
                .write_inner_content(|w| {
                    let e = w
                        .create_element("AuthorityIdentifier")
                        .with_attribute(("Id", h.authority_id.as_str()));
                    match &h.authority_name {
                        Some(name) => e.write_text_content(BytesText::new(name))?,
                        None => e.write_empty()?,
                    };
                    w.create_element("AuthorityAddress").write_empty()?;
                    Ok(())
                })?;
            if let Some(v) = edition.version.schema_value() {
                w.create_element(format!("kr:{}", names::SCHEMA))
                    .with_attribute((names::SCHEMA_VERSION_ATTR, v))
                    .write_empty()?;
            }
            text_elem_io(w, "kr:CreationDateTime", &h.creation_date_time)?;
            w.create_element("Count").write_inner_content(|w| {
                if let Some(m) = edition.counting_method {
                    w.create_element(format!("kr:{}", names::COUNTING_METHOD))
                        .with_attribute((names::METHOD_CODE_ATTR, m.eml_value()))
                        .write_empty()?;
                }
                w.create_element("EventIdentifier").write_empty()?;
                if let Some(p) = edition.phase {
                    w.create_element(format!("kr:{}", names::PHASE))
                        .with_attribute((names::PHASE_CODE_ATTR, p.eml_value()))
                        .write_empty()?;
                }
                w.create_element("Election").write_inner_content(|w| {
                    w.create_element("ElectionIdentifier")
                        .with_attribute(("Id", h.election_id.0.as_str()))
                        .write_inner_content(|w| {
                            if let Some(name) = &h.election_name {
                                text_elem_io(w, "ElectionName", name)?;
                            }
                            text_elem_io(w, "ElectionCategory", category_code(h.category))?;
                            if let Some(sub) = &h.subcategory {
                                text_elem_io(w, "kr:ElectionSubcategory", sub)?;
                            }
                            if let Some((id, name)) = &h.domain {
                                let mut e = w.create_element("kr:ElectionDomain");
                                if let Some(id) = id {
                                    e = e.with_attribute(("Id", id.as_str()));
                                }
                                e.write_text_content(BytesText::new(name))?;
                            }
                            text_elem_io(w, "kr:ElectionDate", &h.election_date)?;
                            Ok(())
                        })?;
                    w.create_element("Contests").write_inner_content(|w| {
                        w.create_element("Contest").write_inner_content(|w| {
                            let e = w
                                .create_element("ContestIdentifier")
                                .with_attribute(("Id", h.contest_id.0.as_str()));
                            match &h.contest_name {
                                Some(name) => {
                                    e.write_inner_content(|w| text_elem_io(w, "ContestName", name))?
                                }
                                None => e.write_empty()?,
                            };
                            w.create_element("TotalVotes").write_inner_content(|w| {
                                write_votes(w, &file.total, &total_uncounted, version)
                            })?;
                            for (unit, uncounted) in file.units.iter().zip(&unit_uncounted) {
                                w.create_element("ReportingUnitVotes").write_inner_content(
                                    |w| {
                                        w.create_element("ReportingUnitIdentifier")
                                            .with_attribute(("Id", unit.id.0.as_str()))
                                            .write_text_content(BytesText::new(&unit.name))?;
                                        write_votes(w, &unit.counts, uncounted, version)?;
                                        if !unit.investigations.is_empty() {
                                            w.create_element(format!(
                                                "kr:{}",
                                                names::REPORTING_UNIT_INVESTIGATIONS
                                            ))
                                            .write_inner_content(|w| {
                                                for (reason, value) in &unit.investigations {
                                                    w.create_element(format!(
                                                        "kr:{}",
                                                        names::INVESTIGATION
                                                    ))
                                                    .with_attribute(("ReasonCode", reason.as_str()))
                                                    .write_text_content(BytesText::new(
                                                        if *value { "true" } else { "false" },
                                                    ))?;
                                                }
                                                Ok(())
                                            })?;
                                        }
                                        Ok(())
                                    },
                                )?;
                            }
                            Ok(())
                        })?;
                        Ok(())
                    })?;
                    Ok(())
                })?;
                Ok(())
            })?;
            Ok(())
        })
        .map_err(io)?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

fn check_lists(place: &str, counts: &VoteCounts) -> Result<(), CountWriteError> {
    if counts.lists.is_empty() {
        return Err(bad(place, "EML_NL needs at least one list (Selection)"));
    }
    for list in &counts.lists {
        if list.list.0 == 0 {
            return Err(bad(format!("{place}, list 0"), "list numbers start at 1"));
        }
        for (cand, _) in &list.candidates {
            if cand.position().is_some_and(|p| p.0 == 0) {
                return Err(bad(
                    format!("{place}, list {}", list.list),
                    "candidate positions start at 1",
                ));
            }
        }
    }
    Ok(())
}

/// The previous values name only lists and candidates of the count, and known reasons.
fn check_previous(place: &str, counts: &VoteCounts) -> Result<(), CountWriteError> {
    let p = &counts.previous;
    for prev in &p.lists {
        let Some(list) = counts.lists.iter().find(|l| l.list == prev.list) else {
            return Err(bad(
                place,
                format!(
                    "a previous value of list {}, which is not in the count",
                    prev.list
                ),
            ));
        };
        for (candidate, _) in &prev.candidates {
            if !list.candidates.iter().any(|(c, _)| c == candidate) {
                return Err(bad(
                    place,
                    format!(
                        "a previous value of list {}, {candidate}, who is not in the count",
                        prev.list
                    ),
                ));
            }
        }
    }
    for (k, (reason, _)) in p.uncounted.iter().enumerate() {
        if !super::UNCOUNTED_REASONS.contains(&reason.as_str()) {
            return Err(bad(
                format!("{place}/PreviousUncountedVotes"),
                format!("{reason:?} is not an UncountedVotes reason"),
            ));
        }
        if p.uncounted.iter().skip(k + 1).any(|(r, _)| r == reason) {
            return Err(bad(
                format!("{place}/PreviousUncountedVotes"),
                format!("{reason:?} appears twice"),
            ));
        }
    }
    Ok(())
}

/// Writes `kr:<name of of>` with `value` (and a `ReasonCode`), where the version has
/// previous values and there is one.
fn previous_io(
    w: &mut W,
    of: PreviousOf,
    version: EmlVersion,
    reason: Option<&str>,
    value: Option<u64>,
) -> std::io::Result<()> {
    if let (Some(name), Some(value)) = (previous_name(of, version), value) {
        let mut e = w.create_element(format!("kr:{name}"));
        if let Some(reason) = reason {
            e = e.with_attribute(("ReasonCode", reason));
        }
        e.write_text_content(BytesText::new(&value.to_string()))?;
    }
    Ok(())
}

fn write_votes(
    w: &mut W,
    counts: &VoteCounts,
    uncounted: &[(&'static str, u64)],
    version: EmlVersion,
) -> std::io::Result<()> {
    let p = &counts.previous;
    for list in &counts.lists {
        let prev = p.lists.iter().find(|l| l.list == list.list);
        w.create_element("Selection").write_inner_content(|w| {
            w.create_element("AffiliationIdentifier")
                .with_attribute(("Id", list.list.0.to_string().as_str()))
                .write_inner_content(|w| text_elem_io(w, "RegisteredName", &list.name))?;
            previous_io(
                w,
                PreviousOf::ValidVotes,
                version,
                None,
                prev.and_then(|l| l.total),
            )?;
            text_elem_io(w, "ValidVotes", &list.total.to_string())
        })?;
        for (cand, votes) in &list.candidates {
            let prev_votes = prev
                .and_then(|l| l.candidates.iter().find(|(c, _)| c == cand))
                .map(|(_, v)| *v);
            w.create_element("Selection").write_inner_content(|w| {
                w.create_element("Candidate").write_inner_content(|w| {
                    let mut e = w.create_element("CandidateIdentifier");
                    let id = cand.position().map(|p| p.0.to_string());
                    if let Some(id) = &id {
                        e = e.with_attribute(("Id", id.as_str()));
                    }
                    if let Some(code) = cand.short_code() {
                        e = e.with_attribute(("ShortCode", code));
                    }
                    e.write_empty()?;
                    Ok(())
                })?;
                previous_io(w, PreviousOf::ValidVotes, version, None, prev_votes)?;
                text_elem_io(w, "ValidVotes", &votes.to_string())
            })?;
        }
    }
    previous_io(w, PreviousOf::Cast, version, None, p.cast)?;
    text_elem_io(w, "Cast", &counts.cast.to_string())?;
    previous_io(w, PreviousOf::TotalCounted, version, None, p.total_counted)?;
    text_elem_io(w, "TotalCounted", &counts.total_counted.to_string())?;
    let rejected = PreviousOf::RejectedVotes;
    previous_io(w, rejected, version, Some("blanco"), p.blank)?;
    previous_io(w, rejected, version, Some("ongeldig"), p.invalid)?;
    w.create_element("RejectedVotes")
        .with_attribute(("ReasonCode", "blanco"))
        .write_text_content(BytesText::new(&counts.blank.to_string()))?;
    w.create_element("RejectedVotes")
        .with_attribute(("ReasonCode", "ongeldig"))
        .write_text_content(BytesText::new(&counts.invalid.to_string()))?;
    for (reason, value) in &p.uncounted {
        previous_io(
            w,
            PreviousOf::UncountedVotes,
            version,
            Some(reason),
            Some(*value),
        )?;
    }
    for (reason, value) in uncounted {
        w.create_element("UncountedVotes")
            .with_attribute(("ReasonCode", *reason))
            .write_text_content(BytesText::new(&value.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use quick_xml::Reader;
    use quick_xml::events::Event;

    use super::SeenKeys;

    /// The first problem in a tag's attributes as quick-xml's own check gives it, and as
    /// [`SeenKeys`] gives it with quick-xml's check turned off: the same, also past the four
    /// names kept on the stack.
    #[test]
    fn repeated_attributes_are_refused_as_quick_xml_refuses_them() {
        let tags = [
            r#"<a Id="1" ShortCode="X"/>"#,
            r#"<a Id="1" Id="2"/>"#,
            r#"<a Id="1" ShortCode="X" Id="2"/>"#,
            r#"<a b="1" c="2" d="3" e="4" f="5" g="6" c="7"/>"#,
            r#"<a b="1" c="2" d="3" e="4" f="5" g="6" g="7"/>"#,
            r#"<a b="1" c="2" d="3" e="4" f="5" g="6" h="7"/>"#,
            r#"<a xmlns="u" xmlns:k="v" k:b="1" b="2" xmlns="w"/>"#,
            r#"<a b="1" b='1'/>"#,
            r#"<a b="1" c=2/>"#,
        ];
        let mut refused = 0;
        for tag in tags {
            let mut reader = Reader::from_str(tag);
            let Ok(Event::Empty(start)) = reader.read_event() else {
                panic!("{tag}: not an empty element");
            };
            let theirs: Option<String> = start
                .attributes()
                .find_map(|a| a.err())
                .map(|e| e.to_string());
            let mut attributes = start.attributes();
            attributes.with_checks(false);
            let mut seen = SeenKeys::default();
            let mut ours = None;
            for attr in attributes {
                match attr {
                    Ok(attr) => {
                        if let Err(e) = seen.check(&start, attr.key.into_inner()) {
                            ours = Some(e.to_string());
                            break;
                        }
                    }
                    Err(e) => {
                        ours = Some(e.to_string());
                        break;
                    }
                }
            }
            refused += usize::from(theirs.is_some());
            assert_eq!(ours, theirs, "{tag}");
        }
        assert_eq!(refused, 7);
    }
}
