//! Reading and writing 510 count files (510b municipal, 510c district, 510d total).
//!
//! - [`read_count`] turns the bytes of a 510b, 510c or 510d into a [`CountFile`], with this
//!   crate's own streaming reader on `quick-xml`: one pass over the events, no element
//!   tree, so reading costs little more memory than the file's own bytes (an
//!   Amsterdam-sized 510b of about 100 MB included), and no error text is built unless
//!   there is an error. The national total of a Tweede Kamer 510d names candidates by
//!   `ShortCode` only, which eml-nl (0.7, and 0.8.1) can neither read nor write. The Kiesraad's
//!   `eml-nl` reader stays available as [`read_count_eml_nl`] (510b and 510c), the
//!   reference the own reader is tested against on every file (see `docs/eml-counts.md`).
//! - [`write_count`] turns a [`CountFile`] into EML_NL bytes that validate against
//!   `510-count-kiesraad-strict.xsd`: 510b and 510c through eml-nl's writer, 510d through
//!   the own writer.
//! - [`count_file_name`] gives the Kiesraad's file name for a count.
//! - The arithmetic checks of a parsed file are [`crate::counts::check_arithmetic`]; the
//!   check against an election is [`crate::counts::check_against_election`].

mod from_eml;
mod own;
mod to_eml;

use crate::counts::{CountFile, CountLevel};
use crate::election::ElectionCategory;
use crate::eml::EmlIssue;
use crate::eml::limits::{DocumentKind, InputProblem, check_xml_input_of_kind_nesting_left};

/// Why a count file could not be read. Every variant says what and where; the caller
/// adds the file's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountReadError {
    /// The bytes failed the input guards of [`crate::eml::limits`] (size, UTF-8, DOCTYPE or
    /// ENTITY declarations, root element, document kind other than 510b/510c/510d).
    #[error("{0}")]
    Input(InputProblem),
    /// The XML is not well-formed (own reader, 510d).
    #[error("XML error at byte {position}: {message}")]
    Xml {
        /// Byte offset of the error.
        position: u64,
        /// quick-xml's description.
        message: String,
    },
    /// eml-nl refused the document (510b, 510c): its issues, the fatal one last.
    #[error("EML_NL: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Eml(Vec<EmlIssue>),
    /// The file could not be read to its end, or is not as long as it was said to be
    /// (a stream, [`read_count_from`]).
    #[error("the file cannot be read: {message}")]
    Read {
        /// Why.
        message: String,
    },
    /// An element is missing, repeated, or has a value that is not allowed.
    #[error("{element}: {message}")]
    Invalid {
        /// The element (or attribute) concerned, with its place where known.
        element: String,
        /// What is wrong.
        message: String,
    },
}

/// Why a count could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountWriteError {
    /// A value cannot be expressed in EML_NL (an identifier of the wrong shape, a
    /// candidate without position where eml-nl needs one, ...).
    #[error("cannot write {field}: {message}")]
    Value {
        /// The field concerned.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// eml-nl's or quick-xml's writer failed.
    #[error("EML writer error: {0}")]
    Writer(String),
}

/// Reads a 510b, 510c or 510d into domain counts.
///
/// The bytes pass the input guards of [`crate::eml::limits`] first: at most 256 MiB, UTF-8,
/// no DOCTYPE or ENTITY declaration, a root `EML` element whose `Id` is `510b`, `510c` or
/// `510d`. Then the own streaming reader reads it (every level). Never panics on input.
pub fn read_count(bytes: &[u8]) -> Result<CountFile, CountReadError> {
    let (text, _) = guard(bytes)?;
    own::read(text)
}

/// [`read_count`] of a file of `size` bytes read from `input` (a file, a medium), without
/// holding it: it is read in pieces through a buffer of 256 KiB, each piece checked by the
/// input guards as it passes and parsed; only the counts are kept. The result is
/// [`read_count`]'s for the same bytes (the same counts, or the same refusal); a stream that
/// is not `size` bytes long, or cannot be read, is [`CountReadError::Read`].
pub fn read_count_from(input: impl std::io::Read, size: u64) -> Result<CountFile, CountReadError> {
    own::read_stream(input, size)
}

/// The same as [`read_count`]: this crate's own streaming reader, for every level. Kept
/// under this name for the tests and fuzz targets that compare the two readers.
pub fn read_count_own(bytes: &[u8]) -> Result<CountFile, CountReadError> {
    read_count(bytes)
}

/// Reads a 510b or 510c with the Kiesraad's `eml-nl` (`Strict`, then `StrictFallback`)
/// and converts it to domain counts, after the same input guards; a 510d is refused
/// there for want of candidate `Id`s (see `docs/eml-counts.md`).
///
/// Not used by the appliance: eml-nl builds the whole document in memory (about 8 times
/// the file's size). It is the reference the own reader is tested against, file by file.
pub fn read_count_eml_nl(bytes: &[u8]) -> Result<CountFile, CountReadError> {
    let (text, _) = guard(bytes)?;
    crate::eml::limits::check_nesting_depth(text).map_err(CountReadError::Input)?;
    from_eml::read(text)
}

fn guard(bytes: &[u8]) -> Result<(&str, CountLevel), CountReadError> {
    // The nesting check is made by the reader's own pass (`own::parse`).
    let checked = check_xml_input_of_kind_nesting_left(
        "510",
        bytes,
        &[
            DocumentKind::Count510b,
            DocumentKind::Count510c,
            DocumentKind::Count510d,
        ],
    )
    .map_err(|e| CountReadError::Input(e.problem))?;
    let level = match checked.kind {
        DocumentKind::Count510b => CountLevel::Municipality,
        DocumentKind::Count510c => CountLevel::District,
        _ => CountLevel::Total,
    };
    Ok((checked.text, level))
}

/// Writes a count as EML_NL (UTF-8, with XML declaration, without indentation, like the Kiesraad's own files).
///
/// 510b and 510c go through eml-nl's writer; 510d through this crate's own writer (which
/// can write the national total's `ShortCode`-only candidates). Every candidate of a 510b
/// or 510c needs a position.
pub fn write_count(file: &CountFile) -> Result<Vec<u8>, CountWriteError> {
    match file.header.level {
        CountLevel::Municipality | CountLevel::District => to_eml::write(file),
        CountLevel::Total => own::write(file),
    }
}

/// Refuses what the file's EML_NL version cannot carry: a phase or counting method before
/// 1.3, previous values before 1.3.1. (eml-nl would refuse them too, less clearly.)
pub(crate) fn check_edition(file: &CountFile) -> Result<(), CountWriteError> {
    let e = file.header.edition;
    let refuse = |what: &str, since: &str| {
        Err(CountWriteError::Value {
            field: what.to_owned(),
            message: format!(
                "EML_NL {} has no {what}; it needs {since} or later",
                e.version
            ),
        })
    };
    if !e.version.has_phase() {
        if e.phase.is_some() {
            return refuse("kr:Phase", "1.3");
        }
        if e.counting_method.is_some() {
            return refuse("kr:CountingMethod", "1.3");
        }
    }
    if !e.version.has_previous_values()
        && (!file.total.previous.is_empty()
            || file.units.iter().any(|u| !u.counts.previous.is_empty()))
    {
        return refuse("previous values (kr:Previous*)", "1.3.1");
    }
    Ok(())
}

/// Writes a count with this crate's own `quick-xml` writer, whatever its level.
/// [`write_count`] uses it for 510d only.
pub fn write_count_own(file: &CountFile) -> Result<Vec<u8>, CountWriteError> {
    own::write(file)
}

/// The Kiesraad's file name for a count:
/// `Telling_<ElectionId>_gemeente_<Name>.eml.xml` (510b),
/// `Telling_<ElectionId>_kieskring_<Name>.eml.xml` (510c),
/// `Totaaltelling_<ElectionId>.eml.xml` (510d, `name` unused).
///
/// In the name, every run of characters other than ASCII letters, digits and `-` becomes
/// one `_` (as the Kiesraad writes `Telling_TK2025_gemeente_West_Maas_en_Waal` and
/// `Telling_TK2021_gemeente_Nuenen_Gerwen_en_Nederwetten` for "Nuenen, Gerwen en
/// Nederwetten"); leading and trailing `_` are dropped. Letters with accents are kept as
/// their unaccented ASCII letter where that is obvious (`é` → `e`), otherwise replaced.
pub fn count_file_name(level: CountLevel, election_id: &str, name: &str) -> String {
    let election_id = sanitize(election_id);
    match level {
        CountLevel::Municipality => {
            format!("Telling_{election_id}_gemeente_{}.eml.xml", sanitize(name))
        }
        CountLevel::District => {
            format!("Telling_{election_id}_kieskring_{}.eml.xml", sanitize(name))
        }
        CountLevel::Total => format!("Totaaltelling_{election_id}.eml.xml"),
    }
}

fn sanitize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_sep = false;
    for ch in name.chars() {
        let ch = fold_accent(ch);
        if ch.is_ascii_alphanumeric() || ch == '-' {
            if pending_sep && !out.is_empty() {
                out.push('_');
            }
            pending_sep = false;
            out.push(ch);
        } else {
            pending_sep = true;
        }
    }
    out
}

fn fold_accent(ch: char) -> char {
    match ch {
        'á' | 'à' | 'ä' | 'â' | 'å' | 'ã' => 'a',
        'Á' | 'À' | 'Ä' | 'Â' | 'Å' | 'Ã' => 'A',
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'É' | 'È' | 'Ë' | 'Ê' => 'E',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'Í' | 'Ì' | 'Ï' | 'Î' => 'I',
        'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
        'Ó' | 'Ò' | 'Ö' | 'Ô' | 'Õ' => 'O',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'Ú' | 'Ù' | 'Ü' | 'Û' => 'U',
        'ç' => 'c',
        'Ç' => 'C',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ÿ' | 'ý' => 'y',
        other => other,
    }
}

/// The EML_NL code of a category.
pub(crate) fn category_code(c: ElectionCategory) -> &'static str {
    match c {
        ElectionCategory::TK => "TK",
        ElectionCategory::EK => "EK",
        ElectionCategory::EP => "EP",
        ElectionCategory::PS => "PS",
        ElectionCategory::AB => "AB",
        ElectionCategory::GR => "GR",
        ElectionCategory::ER => "ER",
        ElectionCategory::NR => "NR",
    }
}

/// The category of an EML_NL code, for the categories this appliance knows.
pub(crate) fn category_from_code(s: &str) -> Result<ElectionCategory, CountReadError> {
    Ok(match s {
        "TK" => ElectionCategory::TK,
        "EK" => ElectionCategory::EK,
        "EP" => ElectionCategory::EP,
        "PS" => ElectionCategory::PS,
        "AB" => ElectionCategory::AB,
        "GR" => ElectionCategory::GR,
        "ER" => ElectionCategory::ER,
        "NR" => ElectionCategory::NR,
        other => {
            return Err(CountReadError::Invalid {
                element: "ElectionCategory".to_owned(),
                message: format!("category {other:?} is not supported"),
            });
        }
    })
}

/// The EML_NL `UncountedVotes` reason codes in schema order. A–D, I and J are fields of
/// [`crate::counts::VoterCounts`]; the rest are explanation codes, kept in this order.
pub(crate) const UNCOUNTED_REASONS: [&str; 14] = [
    "geldige stempassen",
    "geldige volmachtbewijzen",
    "geldige kiezerspassen",
    "toegelaten kiezers",
    "meer getelde stembiljetten",
    "minder getelde stembiljetten",
    "meegenomen stembiljetten",
    "te weinig uitgereikte stembiljetten",
    "te veel uitgereikte stembiljetten",
    "geen briefstembiljetten",
    "te veel briefstembiljetten",
    "kwijtgeraakte stembiljetten",
    "geen verklaring",
    "andere verklaring",
];

pub(crate) use crate::eml::names::INVESTIGATION_REASONS;

/// Collects `UncountedVotes` (reason, count) pairs into [`crate::counts::VoterCounts`].
/// Refuses unknown reasons and repeated reasons.
pub(crate) fn voter_counts(
    place: impl std::fmt::Display,
    pairs: impl IntoIterator<Item = (String, u64)>,
) -> Result<crate::counts::VoterCounts, CountReadError> {
    let mut v = crate::counts::VoterCounts::default();
    let mut seen = [false; 14];
    let mut other: Vec<(usize, String, u64)> = Vec::new();
    for (reason, count) in pairs {
        let Some(idx) = UNCOUNTED_REASONS.iter().position(|r| *r == reason) else {
            return Err(CountReadError::Invalid {
                element: format!("{place}/UncountedVotes"),
                message: format!("unknown ReasonCode {reason:?}"),
            });
        };
        if let Some(s) = seen.get_mut(idx) {
            if *s {
                return Err(CountReadError::Invalid {
                    element: format!("{place}/UncountedVotes"),
                    message: format!("ReasonCode {reason:?} appears twice"),
                });
            }
            *s = true;
        }
        match idx {
            0 => v.poll_cards = Some(count),
            1 => v.proxy_certificates = Some(count),
            2 => v.voter_cards = Some(count),
            3 => v.admitted_voters = Some(count),
            4 => v.more_ballots_counted = Some(count),
            5 => v.fewer_ballots_counted = Some(count),
            _ => other.push((idx, reason, count)),
        }
    }
    other.sort_by_key(|(idx, _, _)| *idx);
    v.other = other.into_iter().map(|(_, r, c)| (r, c)).collect();
    Ok(v)
}

/// The `UncountedVotes` of a [`crate::counts::VoterCounts`] as (reason, count) pairs in
/// schema order. Refuses an explanation code that is not a known reason.
pub(crate) fn uncounted_pairs(
    v: &crate::counts::VoterCounts,
) -> Result<Vec<(&'static str, u64)>, CountWriteError> {
    let mut out: Vec<(usize, &'static str, u64)> = Vec::new();
    let fixed = [
        v.poll_cards,
        v.proxy_certificates,
        v.voter_cards,
        v.admitted_voters,
        v.more_ballots_counted,
        v.fewer_ballots_counted,
    ];
    for (idx, value) in fixed.iter().enumerate() {
        if let (Some(value), Some(reason)) = (value, UNCOUNTED_REASONS.get(idx)) {
            out.push((idx, reason, *value));
        }
    }
    for (code, value) in &v.other {
        let Some(idx) = UNCOUNTED_REASONS
            .iter()
            .enumerate()
            .skip(6)
            .find(|(_, r)| **r == code.as_str())
            .map(|(i, _)| i)
        else {
            return Err(CountWriteError::Value {
                field: "UncountedVotes".to_owned(),
                message: format!("{code:?} is not an EML_NL explanation code"),
            });
        };
        if out.iter().any(|(i, _, _)| *i == idx) {
            return Err(CountWriteError::Value {
                field: "UncountedVotes".to_owned(),
                message: format!("{code:?} appears twice"),
            });
        }
        if let Some(reason) = UNCOUNTED_REASONS.get(idx) {
            out.push((idx, reason, *value));
        }
    }
    out.sort_by_key(|(idx, _, _)| *idx);
    Ok(out.into_iter().map(|(_, r, c)| (r, c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_the_kiesraad() {
        assert_eq!(
            count_file_name(CountLevel::Municipality, "TK2025", "West Maas en Waal"),
            "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml"
        );
        assert_eq!(
            count_file_name(
                CountLevel::Municipality,
                "TK2021",
                "Nuenen, Gerwen en Nederwetten"
            ),
            "Telling_TK2021_gemeente_Nuenen_Gerwen_en_Nederwetten.eml.xml"
        );
        assert_eq!(
            count_file_name(CountLevel::District, "TK2021", "Groningen"),
            "Telling_TK2021_kieskring_Groningen.eml.xml"
        );
        assert_eq!(
            count_file_name(CountLevel::Total, "TK2021", "ignored"),
            "Totaaltelling_TK2021.eml.xml"
        );
        assert_eq!(
            count_file_name(CountLevel::Municipality, "GR2026", "Súdwest-Fryslân"),
            "Telling_GR2026_gemeente_Sudwest-Fryslan.eml.xml"
        );
        assert_eq!(
            count_file_name(CountLevel::Municipality, "GR2026", "'s-Hertogenbosch"),
            "Telling_GR2026_gemeente_s-Hertogenbosch.eml.xml"
        );
    }
}
