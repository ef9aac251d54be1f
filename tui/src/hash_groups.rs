//! The hash-code groups the official types from the paper, for every level: which groups are
//! asked (the core's `choose_groups`, from a seed the OS's random source gives) and the check
//! of what was typed (the core's `check_typed_groups`), its refusal in the catalogue's words.

use tally_core::hashcode::{HashCodeError, Sha256Digest, check_typed_groups, choose_groups};

use crate::services::Refusal;
use crate::text::Msg;

/// The groups asked for `files` files, two per file: for each file the core's choice from a
/// seed derived from `seed` and the file's place, so the pairs differ between files.
pub fn asked<const N: usize>(seed: u64) -> [[usize; 2]; N] {
    std::array::from_fn(|i| {
        let i = u64::try_from(i).unwrap_or(0);
        choose_groups(seed ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93))
    })
}

/// Checks two typed groups against a hex SHA-256 (as the definition or count names it).
///
/// # Errors
/// Which of the two typed groups is wrong (0 or 1) and the refusal naming it (from 1) and
/// what was typed; a digest that is not 64 hex characters is refused too.
pub fn check(
    sha256_hex: &str,
    asked: [usize; 2],
    typed: [&str; 2],
) -> Result<(), (usize, Refusal)> {
    let digest = Sha256Digest::from_hex(sha256_hex).map_err(|_| {
        let start: String = sha256_hex.chars().take(16).collect();
        (0, Refusal::with(Msg::HashGroupsAsked, &[&start], ""))
    })?;
    let [a, b] = asked;
    let [ta, tb] = typed;
    check_typed_groups(&digest, [(a, ta), (b, tb)]).map_err(|e| (which(&e, asked), refusal(&e)))
}

/// The refusal of a typed group, in the catalogue's words (groups counted from 1).
pub fn refusal(e: &HashCodeError) -> Refusal {
    match e {
        HashCodeError::Malformed { index, found } => Refusal::with(
            Msg::HashGroupMalformed,
            &[&index.saturating_add(1).to_string(), found],
            "",
        ),
        HashCodeError::Mismatch {
            index,
            expected,
            typed,
        } => Refusal::with(
            Msg::HashGroupDiffers,
            &[&index.saturating_add(1).to_string(), typed, expected],
            "",
        ),
        other => Refusal::with(Msg::HashGroupsAsked, &[&other.to_string()], ""),
    }
}

/// Which of the two asked groups a refusal is about (0 or 1), for putting the cursor there.
pub fn which(e: &HashCodeError, asked: [usize; 2]) -> usize {
    let index = match e {
        HashCodeError::Malformed { index, .. }
        | HashCodeError::Mismatch { index, .. }
        | HashCodeError::NoSuchGroup { index }
        | HashCodeError::SameGroupTwice { index } => *index,
    };
    usize::from(asked[1] == index && asked[0] != index)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::text::Lang;

    const HEX: &str = "1987889f2bc45e63261ef09cba206f3221dbc23c79e2fa47a7ccfaa7d33ad840";

    #[test]
    fn the_pairs_differ_per_file_and_are_two_distinct_groups() {
        let [first, second] = asked::<2>(42);
        assert_ne!(first, second);
        for [a, b] in [first, second] {
            assert!(a < b && b < 16);
        }
        assert_eq!(asked::<2>(42), asked::<2>(42));
    }

    #[test]
    fn typed_groups_are_checked_by_the_core_and_refused_in_both_languages() {
        assert!(check(HEX, [0, 15], ["1987", " D840 "]).is_ok());
        let (which, r) = check(HEX, [0, 15], ["1987", "d841"]).unwrap_err();
        assert_eq!(which, 1);
        assert_eq!(
            r.text(Lang::Nl),
            "De hashcode klopt niet met het papier: groep 16 is op het papier \"d841\", het bestand heeft \"d840\""
        );
        assert!(
            r.text(Lang::En)
                .starts_with("The hash code does not match the paper: group 16")
        );
        let (which, r) = check(HEX, [0, 15], ["19x7", "d840"]).unwrap_err();
        assert_eq!(which, 0);
        assert!(
            r.text(Lang::En)
                .contains("group 1 must be 4 characters 0-9 or a-f")
        );
    }
}
