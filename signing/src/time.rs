//! Points in time, as whole seconds since 1970-01-01T00:00:00Z, written as
//! `YYYY-MM-DDTHH:MM:SSZ` (UTC, no fractions, no leap seconds, years 1970 to 9999).

use std::fmt;

/// A point in time in UTC, whole seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Why a timestamp text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a time of the form YYYY-MM-DDTHH:MM:SSZ (UTC, years 1970 to 9999)")]
pub struct TimestampError {
    /// The text refused (cut to 40 characters).
    pub text: String,
}

const SECONDS_PER_DAY: i64 = 86_400;

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian), after H. Hinnant.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01, after H. Hinnant.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Timestamp {
    /// The earliest time that can be written: 1970-01-01T00:00:00Z.
    pub const MIN: Timestamp = Timestamp(0);
    /// The latest time that can be written: 9999-12-31T23:59:59Z.
    pub const MAX: Timestamp = Timestamp(253_402_300_799);

    /// The current time of the system clock (the appliance's only clock).
    pub fn now() -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Timestamp(i64::try_from(secs).unwrap_or(i64::MAX).min(Self::MAX.0))
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let err = || TimestampError {
            text: text.chars().take(40).collect(),
        };
        let b = text.as_bytes();
        if b.len() != 20 {
            return Err(err());
        }
        let num = |from: usize, to: usize| -> Result<i64, TimestampError> {
            let part = b.get(from..to).ok_or_else(err)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(err());
            }
            part.iter()
                .try_fold(0i64, |acc, d| Some(acc * 10 + i64::from(d - b'0')))
                .ok_or_else(err)
        };
        let sep = |i: usize, c: u8| b.get(i) == Some(&c);
        if !(sep(4, b'-')
            && sep(7, b'-')
            && sep(10, b'T')
            && sep(13, b':')
            && sep(16, b':')
            && sep(19, b'Z'))
        {
            return Err(err());
        }
        let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        if y < 1970 || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
            return Err(err());
        }
        if h > 23 || mi > 59 || s > 59 {
            return Err(err());
        }
        Ok(Timestamp(
            days_from_civil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + s,
        ))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0.clamp(Self::MIN.0, Self::MAX.0);
        let days = t.div_euclid(SECONDS_PER_DAY);
        let secs = t.rem_euclid(SECONDS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Values checked with `date -u -d @N`.
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:00Z").unwrap(),
            Timestamp(0)
        );
        assert_eq!(
            Timestamp::parse("2022-03-16T21:00:00Z").unwrap(),
            Timestamp(1_647_464_400)
        );
        assert_eq!(
            Timestamp::parse("2000-02-29T12:34:56Z").unwrap(),
            Timestamp(951_827_696)
        );
        assert_eq!(
            Timestamp::parse("9999-12-31T23:59:59Z").unwrap(),
            Timestamp::MAX
        );
        assert_eq!(Timestamp(1_647_464_400).to_string(), "2022-03-16T21:00:00Z");
        assert_eq!(Timestamp(951_827_696).to_string(), "2000-02-29T12:34:56Z");
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn refuses_non_canonical() {
        for bad in [
            "2022-03-16T21:00:00",
            "2022-03-16 21:00:00Z",
            "2022-3-16T21:00:00Z",
            "2022-02-29T00:00:00Z",
            "1900-02-28T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2022-03-16T24:00:00Z",
            "2022-03-16T23:60:00Z",
            "2022-03-16T23:00:60Z",
            "2022-13-01T00:00:00Z",
            "2022-00-01T00:00:00Z",
            "2022-01-00T00:00:00Z",
            "+022-01-01T00:00:00Z",
            "2022-01-01T00:00:00+01:00",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn display_parse_round_trip(t in 0i64..=253_402_300_799) {
            let s = Timestamp(t).to_string();
            proptest::prop_assert_eq!(Timestamp::parse(&s).unwrap(), Timestamp(t));
        }
    }
}
