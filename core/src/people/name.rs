//! The names of people: normalised, checked, and compared for confusability.
//!
//! A name is kept as it is shown ([`PersonName::as_str`]: NFC, trimmed, every run of
//! white space one space, its case as typed) and compared through two keys: the UTS #39
//! confusable skeleton of the shown name and that of its case-folded form. Two names are
//! the same person's when any key of one equals any key of the other, so "Anna", "ANNA"
//! and "anna " are one name, as are "Ace" and "\u{410}\u{441}\u{435}" (all Cyrillic),
//! while "Anna2" is another (`docs/people.md`). "Ann\u{430}" (one Cyrillic a) is refused
//! as a name for mixing scripts; [`same_name`] still takes it for "Anna". The skeletons, the identifier profile and the script sets come from
//! the `unicode-security` crate (Unicode's own data), not from a table of our own.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_security::general_security_profile::IdentifierType;
use unicode_security::{GeneralSecurityProfile, RestrictionLevel, RestrictionLevelDetection};

/// The longest name accepted, in characters (after normalisation): the longest Dutch names
/// ("Jan-Willem van der Hoeven-Schimmelpenninck", 42) fit, and a name still fits on one
/// line of an 80-column screen beside its label.
pub const MAX_NAME_CHARS: usize = 50;

/// Why a typed name is not accepted as a person's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but white space.
    #[error("the name is empty")]
    Empty,
    /// Longer than [`MAX_NAME_CHARS`].
    #[error("the name is {chars} characters long; at most {MAX_NAME_CHARS} are allowed")]
    TooLong {
        /// Its length in characters, after normalisation.
        chars: usize,
    },
    /// A control character (tab, new line, escape, ...).
    #[error("the name contains the control character U+{:04X}", u32::from(*.ch))]
    ControlCharacter {
        /// The character.
        ch: char,
    },
    /// A character that is not shown (zero-width space, joiners, soft hyphen, direction
    /// marks, variation selectors, fillers: Unicode's Default_Ignorable_Code_Point).
    #[error("the name contains the invisible character U+{:04X}", u32::from(*.ch))]
    InvisibleCharacter {
        /// The character.
        ch: char,
    },
    /// A character outside UTS #39's General Security Profile for identifiers (symbols,
    /// emoji, compatibility forms such as full-width letters, historic scripts).
    #[error("the name contains U+{:04X}, which is not allowed in a name", u32::from(*.ch))]
    DisallowedCharacter {
        /// The character.
        ch: char,
    },
    /// Letters of scripts that are not used together (Latin with Cyrillic or Greek, ...):
    /// UTS #39's restriction level above "highly restrictive".
    #[error("the name mixes letters of different scripts (such as Latin and Cyrillic)")]
    MixedScripts,
    /// No letter at all (digits and punctuation only).
    #[error("the name has no letter")]
    NoLetter,
}

/// A person's name, checked and normalised (see the module's documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    shown: String,
    keys: [String; 2],
}

impl PersonName {
    /// Checks and normalises a typed name: control characters refused; NFC; leading and
    /// trailing white space removed and every inner run of white space made one space;
    /// empty, too long, invisible or disallowed characters, mixed scripts and names without
    /// a letter refused.
    pub fn parse(typed: &str) -> Result<PersonName, NameError> {
        if let Some(ch) = typed.chars().find(|c| c.is_control()) {
            return Err(NameError::ControlCharacter { ch });
        }
        let nfc: String = typed.nfc().collect();
        let shown = collapse_white_space(&nfc);
        if shown.is_empty() {
            return Err(NameError::Empty);
        }
        let chars = shown.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(NameError::TooLong { chars });
        }
        for ch in shown.chars().filter(|c| *c != ' ') {
            if ch.identifier_type() == Some(IdentifierType::Default_Ignorable) {
                return Err(NameError::InvisibleCharacter { ch });
            }
            if !ch.identifier_allowed() {
                return Err(NameError::DisallowedCharacter { ch });
            }
        }
        if !shown.chars().any(char::is_alphabetic) {
            return Err(NameError::NoLetter);
        }
        let without_spaces: String = shown.chars().filter(|c| *c != ' ').collect();
        if !without_spaces
            .as_str()
            .check_restriction_level(RestrictionLevel::HighlyRestrictive)
        {
            return Err(NameError::MixedScripts);
        }
        let keys = keys(&shown);
        Ok(PersonName { shown, keys })
    }

    /// The name as shown: NFC, trimmed, single spaces, its case as typed.
    pub fn as_str(&self) -> &str {
        &self.shown
    }

    /// Whether the two names could be taken for one another (equal after case folding, or
    /// equal confusable skeletons): then they cannot be two people of one session.
    pub fn is_confusable_with(&self, other: &PersonName) -> bool {
        keys_meet(&self.keys, &other.keys)
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl TryFrom<String> for PersonName {
    type Error = NameError;

    fn try_from(typed: String) -> Result<PersonName, NameError> {
        PersonName::parse(&typed)
    }
}

impl From<PersonName> for String {
    fn from(name: PersonName) -> String {
        name.shown
    }
}

impl serde::Serialize for PersonName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.shown)
    }
}

impl<'de> serde::Deserialize<'de> for PersonName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PersonName, D::Error> {
        let typed = <String as serde::Deserialize>::deserialize(d)?;
        PersonName::parse(&typed).map_err(serde::de::Error::custom)
    }
}

/// Whether two free names (not checked: the names of the older, self-declared typists)
/// could be the same person's: equal after NFC, white space collapsed, invisible
/// characters dropped and case folding, or equal confusable skeletons. Never fails: a name
/// the checks of [`PersonName::parse`] would refuse is still compared.
pub fn same_name(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let norm = |s: &str| collapse_white_space(&s.nfc().collect::<String>());
    keys_meet(&keys(&norm(a)), &keys(&norm(b)))
}

/// Case folding: full upper case, then full lower case (the standard library's Unicode
/// mappings), so that "ß", "SS" and "ss" fold alike.
fn fold(s: &str) -> String {
    s.to_uppercase().to_lowercase()
}

/// The two comparison keys of a shown name: the skeleton as shown and that of its folded
/// form (the skeleton alone keeps capital I and small l together, folding alone "ANNA" and
/// "anna"; each misses what the other finds).
fn keys(shown: &str) -> [String; 2] {
    [
        unicode_security::skeleton(shown).collect(),
        unicode_security::skeleton(&fold(shown)).collect(),
    ]
}

fn keys_meet(a: &[String; 2], b: &[String; 2]) -> bool {
    a.iter().any(|k| b.contains(k))
}

/// Trims and makes every inner run of white space (any Unicode White_Space, such as a
/// no-break space) one ASCII space.
fn collapse_white_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
