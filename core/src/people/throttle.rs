//! Throttling wrong PINs at the keyboard: after [`FREE_TRIES`] wrong PINs in a row for one
//! person, each next try for that person waits, twice as long after every further wrong
//! PIN, up to [`MAX_DELAY_MS`]. A right PIN ends the row.
//!
//! The time is given by the caller (this crate reads no clock). Five digits are 100,000
//! PINs: with this throttle, trying half of them for one person at the keyboard takes
//! about half a year (five minutes a try), while a person who mistypes four times waits
//! one second. For the throttle to survive a restart of the
//! appliance, the terminal journals every wrong PIN (with the person and the moment) and
//! feeds them to [`PinThrottle::failed`] on replay.

use std::collections::BTreeMap;

use super::PersonId;
use crate::double_entry::Timestamp;

/// Wrong PINs in a row that cost no wait.
pub const FREE_TRIES: u32 = 3;
/// The wait after the first wrong PIN past [`FREE_TRIES`], in milliseconds; it doubles with
/// every further wrong PIN.
pub const FIRST_DELAY_MS: i64 = 1_000;
/// The longest wait, in milliseconds: five minutes.
pub const MAX_DELAY_MS: i64 = 5 * 60 * 1_000;

/// A PIN try that must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many wrong PINs for {person}: try again in {wait_ms} ms")]
pub struct TooSoon {
    /// Whose PIN.
    pub person: PersonId,
    /// The earliest moment of the next try.
    pub not_before: Timestamp,
    /// How long that is from now, in milliseconds.
    pub wait_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    wrong: u32,
    last: Timestamp,
}

/// The wrong PINs in a row of each person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinThrottle {
    rows: BTreeMap<PersonId, Row>,
}

impl PinThrottle {
    /// No wrong PIN yet.
    pub fn new() -> PinThrottle {
        PinThrottle::default()
    }

    /// The wait after `wrong` wrong PINs in a row, in milliseconds.
    pub fn delay_ms(wrong: u32) -> i64 {
        match wrong.checked_sub(FREE_TRIES) {
            None | Some(0) => 0,
            Some(past) => {
                let doublings = past.saturating_sub(1).min(31);
                FIRST_DELAY_MS
                    .saturating_mul(1_i64 << doublings)
                    .min(MAX_DELAY_MS)
            }
        }
    }

    /// Whether a PIN for `person` may be tried at `now` (ask before verifying: a refused
    /// try is not verified, so it costs no Argon2 time either).
    pub fn check(&self, person: PersonId, now: Timestamp) -> Result<(), TooSoon> {
        let Some(row) = self.rows.get(&person) else {
            return Ok(());
        };
        let not_before = Timestamp(row.last.0.saturating_add(Self::delay_ms(row.wrong)));
        if now < not_before {
            Err(TooSoon {
                person,
                not_before,
                wait_ms: not_before.0.saturating_sub(now.0),
            })
        } else {
            Ok(())
        }
    }

    /// Records a wrong PIN for `person` at `now`.
    pub fn failed(&mut self, person: PersonId, now: Timestamp) {
        let row = self.rows.entry(person).or_insert(Row {
            wrong: 0,
            last: now,
        });
        row.wrong = row.wrong.saturating_add(1);
        row.last = now;
    }

    /// Records a right PIN for `person`: their row of wrong PINs ends.
    pub fn succeeded(&mut self, person: PersonId) {
        self.rows.remove(&person);
    }

    /// Wrong PINs in a row for `person`.
    pub fn wrong_in_a_row(&self, person: PersonId) -> u32 {
        self.rows.get(&person).map_or(0, |r| r.wrong)
    }
}
