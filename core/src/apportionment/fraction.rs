//! Exact non-negative fractions for the seat arithmetic. Never floating point.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, Zero};

/// An exact fraction, such as a quota (kiesdeler) of `69485 17/25` votes, a remainder
/// (overschot) or an average (gemiddelde). Arbitrary precision: no overflow is possible.
///
/// `Display` prints a mixed number as on the Kiesraad's forms: `62 2/13`, `5`, `3/4`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fraction(BigRational);

impl Fraction {
    /// The fraction `numerator / denominator`, reduced; `None` when the denominator is 0.
    pub fn new(numerator: u64, denominator: u64) -> Option<Self> {
        if denominator == 0 {
            return None;
        }
        Some(Fraction(BigRational::new(
            BigInt::from(numerator),
            BigInt::from(denominator),
        )))
    }

    /// The whole number `n` as a fraction.
    pub fn from_integer(n: u64) -> Self {
        Fraction(BigRational::from_integer(BigInt::from(n)))
    }

    /// Zero.
    pub fn zero() -> Self {
        Fraction(BigRational::zero())
    }

    /// The numerator of the reduced fraction, in decimal.
    pub fn numerator(&self) -> String {
        self.0.numer().to_string()
    }

    /// The denominator of the reduced fraction, in decimal (at least 1).
    pub fn denominator(&self) -> String {
        self.0.denom().to_string()
    }

    /// Whether this is a whole number.
    pub fn is_integer(&self) -> bool {
        self.0.is_integer()
    }

    /// `self * numerator / denominator`; `None` when the denominator is 0.
    pub fn scaled(&self, numerator: u64, denominator: u64) -> Option<Self> {
        let factor = Fraction::new(numerator, denominator)?;
        Some(Fraction(&self.0 * &factor.0))
    }

    /// `self - other`, or `None` when that would be negative.
    pub fn checked_sub(&self, other: &Fraction) -> Option<Self> {
        let d = &self.0 - &other.0;
        if d.is_negative() {
            None
        } else {
            Some(Fraction(d))
        }
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Fraction {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let numer = self.0.numer();
        let denom = self.0.denom();
        let (whole, rest) = numer.div_rem(denom);
        if rest.is_zero() {
            write!(f, "{whole}")
        } else if whole.is_zero() {
            write!(f, "{rest}/{denom}")
        } else {
            write!(f, "{whole} {rest}/{denom}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fraction;

    #[test]
    fn display_as_mixed_number() {
        assert_eq!(Fraction::new(808, 13).unwrap().to_string(), "62 2/13");
        assert_eq!(Fraction::new(10, 2).unwrap().to_string(), "5");
        assert_eq!(Fraction::new(3, 4).unwrap().to_string(), "3/4");
        assert_eq!(Fraction::zero().to_string(), "0");
        assert!(Fraction::new(1, 0).is_none());
    }

    #[test]
    fn order_and_arithmetic_are_exact() {
        let a = Fraction::new(1, 3).unwrap();
        let b = Fraction::new(333_333_333, 1_000_000_000).unwrap();
        assert!(a > b);
        assert_eq!(a.checked_sub(&a), Some(Fraction::zero()));
        assert!(b.checked_sub(&a).is_none());
        assert_eq!(a.scaled(3, 1).unwrap(), Fraction::from_integer(1));
    }
}
