//! Reading and writing EML_NL documents.
//!
//! - [`limits`]: the input guards every file passes before parsing (size, UTF-8, no DTD or
//!   entity declarations, the root `EML` element and its document kind).
//! - [`definition`]: loading the election definition (110a, 230b, 110b) into an
//!   [`crate::election::Election`].
//! - [`count`]: reading and writing counts (510b/c/d).
//! - [`csv`]: the osv4-3 CSV export of a count, written by `eml-nl`'s own code.
//!
//! Parsing itself is done by the Kiesraad's `eml-nl` crate. [`EmlIssue`] turns its errors
//! into a form callers can match on and show: what was wrong, where (byte span) and in
//! which element.

pub mod count;
pub mod csv;
pub mod definition;
pub mod limits;
pub mod names;
pub mod result;

use std::fmt;

use eml_nl::io::{EMLParsingMode, EMLRead, EMLReadResult, OwnedQualifiedName};
use eml_nl::{EMLError, EMLErrorKind};
use thiserror::Error;

/// A byte range in a file, as `eml-nl` reports it (start inclusive, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSpan {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

impl fmt::Display for ByteSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bytes {}..{}", self.start, self.end)
    }
}

/// What `eml-nl` found wrong in a document, in a matchable form. Element names are
/// written with the usual prefixes (`kr:ElectionTree`, `ElectionIdentifier`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmlProblem {
    /// The XML itself is malformed.
    #[error("the XML is not well-formed: {message}")]
    Xml {
        /// The XML parser's message.
        message: String,
    },
    /// A required element is missing.
    #[error("missing element {element}")]
    MissingElement {
        /// The element expected.
        element: String,
    },
    /// An element is present but empty.
    #[error("element {element} is empty; expected a value")]
    MissingValue {
        /// The element.
        element: String,
    },
    /// None of the alternatives of a choice is present.
    #[error("expected one of the elements {elements}, found none")]
    MissingChoice {
        /// The alternatives, separated by ` / `.
        elements: String,
    },
    /// A required attribute is missing.
    #[error("missing attribute {attribute}")]
    MissingAttribute {
        /// The attribute.
        attribute: String,
    },
    /// An element occurs more often than allowed.
    #[error("too many {element} elements: at most {max} allowed")]
    TooManyElements {
        /// The element.
        element: String,
        /// The maximum.
        max: usize,
    },
    /// An element that does not belong where it is.
    #[error("unexpected element {element} inside {parent}")]
    UnexpectedElement {
        /// The element found.
        element: String,
        /// Where it was found.
        parent: String,
    },
    /// A value that does not parse (a date, a number, an identifier).
    #[error("invalid value for {field}: {reason}")]
    InvalidValue {
        /// The element or attribute (`kr:ElectionDate`, `Id`).
        field: String,
        /// Why.
        reason: String,
    },
    /// A value that could not be converted, without the field being known.
    #[error("invalid value: {reason}")]
    ValueConversion {
        /// Why.
        reason: String,
    },
    /// `kr:PreferenceThreshold` is not 25 (or 50 for councils under 19 seats).
    #[error("kr:PreferenceThreshold does not match the subcategory: expected 25, or 50 for GR1")]
    PreferenceThreshold,
    /// `kr:NumberOfSeats` does not match the subcategory (`GR1` < 19 <= `GR2`).
    #[error(
        "kr:NumberOfSeats does not match kr:ElectionSubcategory (1: fewer than 19 seats, 2: 19 or more)"
    )]
    NumberOfSeats,
    /// `kr:ElectionSubcategory` does not belong to `ElectionCategory`.
    #[error("kr:ElectionSubcategory does not belong to ElectionCategory")]
    Subcategory,
    /// `kr:NominationDate` is not before `kr:ElectionDate`.
    #[error("kr:NominationDate must be before kr:ElectionDate")]
    NominationDate,
    /// `VotingMethod` is not `SPV`.
    #[error("VotingMethod is not supported: expected SPV")]
    VotingMethod,
    /// The `kr:ElectionTree` regions do not form a tree.
    #[error("invalid kr:ElectionTree: {reason}")]
    ElectionTree {
        /// Why.
        reason: String,
    },
    /// A `Contest` element is missing.
    #[error("missing element Contest")]
    MissingContest,
    /// A `Contest` has no `ContestIdentifier`.
    #[error("missing element ContestIdentifier")]
    MissingContestIdentifier,
    /// The root document type does not match.
    #[error("wrong document kind: expected {expected}, found {found}")]
    DocumentKind {
        /// Expected.
        expected: String,
        /// Found.
        found: String,
    },
    /// Anything else `eml-nl` reports.
    #[error("{message}")]
    Other {
        /// `eml-nl`'s message.
        message: String,
    },
}

/// One problem reported by `eml-nl`, with the byte span it gave (when it gave one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmlIssue {
    /// Where in the file.
    pub span: Option<ByteSpan>,
    /// What.
    pub problem: EmlProblem,
}

impl fmt::Display for EmlIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Some(span) => write!(f, "{} (at {span})", self.problem),
            None => write!(f, "{}", self.problem),
        }
    }
}

/// Turns one `eml-nl` error (possibly a list of several) into issues, in the order
/// `eml-nl` found them (the fatal one last).
pub fn eml_issues(error: &EMLError) -> Vec<EmlIssue> {
    match error {
        EMLError::Positioned { kind, span } => vec![EmlIssue {
            span: Some(ByteSpan {
                start: span.start,
                end: span.end,
            }),
            problem: eml_problem(kind),
        }],
        EMLError::UnknownPosition { kind } => vec![EmlIssue {
            span: None,
            problem: eml_problem(kind),
        }],
        EMLError::Multiple(multiple) => multiple.errors.iter().flat_map(eml_issues).collect(),
    }
}

/// An element or attribute name with the usual EML_NL prefix.
pub fn prefixed_name(name: &OwnedQualifiedName) -> String {
    let prefix = match name.namespace.as_deref() {
        Some("http://www.kiesraad.nl/extensions") => "kr:",
        Some("urn:oasis:names:tc:ciq:xsdschema:xAL:2.0") => "xal:",
        Some("urn:oasis:names:tc:ciq:xsdschema:xNL:2.0") => "xnl:",
        Some("http://www.w3.org/2000/09/xmldsig#") => "ds:",
        _ => "",
    };
    format!("{prefix}{}", name.local_name)
}

fn eml_problem(kind: &EMLErrorKind) -> EmlProblem {
    use EMLErrorKind as K;
    let n = prefixed_name;
    match kind {
        K::XmlError(e) => EmlProblem::Xml {
            message: e.to_string(),
        },
        K::EscapeError(e) => EmlProblem::Xml {
            message: e.to_string(),
        },
        K::AttributeError(e) => EmlProblem::Xml {
            message: e.to_string(),
        },
        K::EncodingError(e) => EmlProblem::Xml {
            message: e.to_string(),
        },
        K::UnexpectedEndElement | K::UnexpectedEof | K::UnexpectedEvent => EmlProblem::Xml {
            message: kind.to_string(),
        },
        K::MissingElement(e) => EmlProblem::MissingElement { element: n(e) },
        K::TooManyElements(e, max) => EmlProblem::TooManyElements {
            element: n(e),
            max: *max,
        },
        K::MissingElementValue(e) => EmlProblem::MissingValue { element: n(e) },
        K::MissingChoiceElements(list) => EmlProblem::MissingChoice {
            elements: list.iter().map(n).collect::<Vec<_>>().join(" / "),
        },
        K::MissingAttribute(a) => EmlProblem::MissingAttribute { attribute: n(a) },
        K::UnexpectedElement(e, parent) => EmlProblem::UnexpectedElement {
            element: n(e),
            parent: n(parent),
        },
        K::InvalidValue(field, reason) => EmlProblem::InvalidValue {
            field: n(field),
            reason: reason.to_string(),
        },
        K::ValueConversionError(reason) => EmlProblem::ValueConversion {
            reason: reason.to_string(),
        },
        K::InvalidDocumentType(expected, found) => EmlProblem::DocumentKind {
            expected: (*expected).to_string(),
            found: found.clone(),
        },
        K::InvalidPreferenceThreshold => EmlProblem::PreferenceThreshold,
        K::InvalidNumberOfSeats => EmlProblem::NumberOfSeats,
        K::InvalidElectionSubcategory => EmlProblem::Subcategory,
        K::NominationDateNotBeforeElectionDate => EmlProblem::NominationDate,
        K::UnsupportedVotingMethod => EmlProblem::VotingMethod,
        K::InvalidElectionTree(e) => EmlProblem::ElectionTree {
            reason: e.to_string(),
        },
        K::MissingContest => EmlProblem::MissingContest,
        K::MissingContenstIdentifier => EmlProblem::MissingContestIdentifier,
        other => EmlProblem::Other {
            message: other.to_string(),
        },
    }
}

/// Parses `text` with `eml-nl` in the given mode. On success returns the document and the
/// non-fatal issues `eml-nl` collected (in `Strict` mode only elements it skipped; in
/// `StrictFallback` also values it kept as raw text). On failure returns every issue, the
/// fatal one last.
pub fn parse_with_mode<T: EMLRead>(
    text: &str,
    mode: EMLParsingMode,
) -> Result<(T, Vec<EmlIssue>), Vec<EmlIssue>> {
    well_formed(text)?;
    match T::parse_eml(text, mode) {
        EMLReadResult::Ok(doc, warnings) => {
            Ok((doc, warnings.iter().flat_map(eml_issues).collect()))
        }
        EMLReadResult::Err(e) => Err(eml_issues(&e)),
    }
}

/// One pass of quick-xml over the whole text (its default checks: end tags match their
/// start tags, nothing after the root): a malformed document is refused here, before
/// eml-nl reads it. eml-nl 0.8.1 subtracts below zero from its depth counter on an end tag
/// that does not match (`<Exection>...</Election>` in a 230b), which panics in builds with
/// overflow checks (all of this workspace's profiles).
fn well_formed(text: &str) -> Result<(), Vec<EmlIssue>> {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        let position = reader.buffer_position();
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => {
                return Err(vec![EmlIssue {
                    span: Some(ByteSpan {
                        start: position,
                        end: reader.buffer_position(),
                    }),
                    problem: EmlProblem::Xml {
                        message: e.to_string(),
                    },
                }]);
            }
        }
    }
}

/// Parses in `Strict` mode; when that fails, parses again in `StrictFallback` mode and, if
/// that succeeds, returns the document with the `Strict` issues first among the warnings
/// and the mode that succeeded. For the documents the BRIEF says real files need it for
/// (the TK2021 520, whose `ShortCode`s have non-ASCII letters). When both fail, returns
/// the `Strict` issues.
pub fn parse_strict_then_fallback<T: EMLRead>(
    text: &str,
) -> Result<(T, Vec<EmlIssue>, EMLParsingMode), Vec<EmlIssue>> {
    match parse_with_mode::<T>(text, EMLParsingMode::Strict) {
        Ok((doc, warnings)) => Ok((doc, warnings, EMLParsingMode::Strict)),
        Err(strict_issues) => match parse_with_mode::<T>(text, EMLParsingMode::StrictFallback) {
            Ok((doc, mut warnings)) => {
                let mut all = strict_issues;
                all.append(&mut warnings);
                Ok((doc, all, EMLParsingMode::StrictFallback))
            }
            Err(_) => Err(strict_issues),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eml_nl::documents::election_result::ElectionResult;

    #[test]
    fn the_tk2021_result_needs_the_fallback_mode() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/eml/real/Resultaat_TK2021.eml.xml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        assert!(parse_with_mode::<ElectionResult>(&text, EMLParsingMode::Strict).is_err());
        let (_, warnings, mode) = parse_strict_then_fallback::<ElectionResult>(&text).unwrap();
        assert_eq!(mode, EMLParsingMode::StrictFallback);
        assert!(
            warnings.iter().any(|w| matches!(&w.problem,
                EmlProblem::InvalidValue { field, .. } if field == "ShortCode")),
            "{warnings:?}"
        );
    }

    #[test]
    fn element_names_get_their_prefix() {
        let kr = OwnedQualifiedName::new("ElectionTree", Some("http://www.kiesraad.nl/extensions"));
        assert_eq!(prefixed_name(&kr), "kr:ElectionTree");
        let eml = OwnedQualifiedName::new("Contest", Some("urn:oasis:names:tc:evs:schema:eml"));
        assert_eq!(prefixed_name(&eml), "Contest");
    }
}
