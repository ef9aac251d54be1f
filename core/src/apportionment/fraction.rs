//! Exact non-negative fractions for the seat arithmetic. Never floating point.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};

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
        // Reduced here in u64 (the same fraction as `BigRational::new` gives, without its
        // division of big integers).
        let gcd = numerator.gcd(&denominator);
        Some(Fraction(BigRational::new_raw(
            BigInt::from(numerator / gcd),
            BigInt::from(denominator / gcd),
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

    /// Whether this fraction is less than the whole number `n` (a candidate's votes against
    /// the preference threshold), without making `n` a fraction.
    pub fn is_less_than(&self, n: u64) -> bool {
        let (numer, denom) = (self.0.numer(), self.0.denom());
        match (numer.to_i64(), denom.to_i64()) {
            // numer / denom < n  <=>  numer < n * denom (denom > 0); exact in i128.
            (Some(a), Some(b)) => i128::from(a) < i128::from(n) * i128::from(b),
            _ => *numer < BigInt::from(n) * denom,
        }
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
        // a/b against c/d (b, d > 0) is a*d against c*b: exact in i128 when all four fit in
        // i64, as every quota, remainder and average of a real election does. The general
        // comparison of `BigRational` divides (a fifth of an apportionment's time).
        let (a, b) = (self.0.numer(), self.0.denom());
        let (c, d) = (other.0.numer(), other.0.denom());
        match (a.to_i64(), b.to_i64(), c.to_i64(), d.to_i64()) {
            (Some(a), Some(b), Some(c), Some(d)) => {
                (i128::from(a) * i128::from(d)).cmp(&(i128::from(c) * i128::from(b)))
            }
            _ => self.0.cmp(&other.0),
        }
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
        // Reduced as `BigRational::new` reduces.
        for (n, d) in [
            (0, 7),
            (808, 13),
            (1616, 26),
            (u64::MAX, u64::MAX),
            (6, 4),
            (7, 1),
        ] {
            let general = num_rational::BigRational::new(n.into(), d.into());
            assert_eq!(Fraction::new(n, d).unwrap().0, general);
            assert_eq!(Fraction::new(n, d).unwrap().0.numer(), general.numer());
            assert_eq!(Fraction::new(n, d).unwrap().0.denom(), general.denom());
        }
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

    /// The fast comparison in i128 against the general one of `BigRational`, around equality
    /// and at the edges of i64 (where the general one is taken).
    #[test]
    fn comparison_equals_the_general_one() {
        use num_bigint::BigInt;
        use num_rational::BigRational;
        let big = |n: u64, d: u64| {
            Fraction(BigRational::new(
                BigInt::from(n) * BigInt::from(n),
                BigInt::from(d),
            ))
        };
        let values = [
            Fraction::zero(),
            Fraction::new(1, 3).unwrap(),
            Fraction::new(333_333_333, 1_000_000_000).unwrap(),
            Fraction::new(808, 13).unwrap(),
            Fraction::new(1617, 26).unwrap(),
            Fraction::new(1616, 26).unwrap(),
            Fraction::from_integer(62),
            Fraction::from_integer(63),
            Fraction::new(u64::MAX, 1).unwrap(),
            Fraction::new(u64::MAX, u64::MAX - 1).unwrap(),
            Fraction::new(i64::MAX as u64, 1).unwrap(),
            Fraction::new(i64::MAX as u64 - 1, i64::MAX as u64).unwrap(),
            big(u64::MAX, 3),
            big(u64::MAX, 7),
        ];
        for x in &values {
            for y in &values {
                assert_eq!(x.cmp(y), x.0.cmp(&y.0), "{x} against {y}");
            }
            for n in [0u64, 1, 62, 63, u64::MAX - 1, u64::MAX] {
                let general = x.0 < BigRational::from_integer(BigInt::from(n));
                assert_eq!(x.is_less_than(n), general, "{x} < {n}");
            }
        }
    }
}
