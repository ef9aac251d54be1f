//! Unlocking a counting body's key at the start of its work, and what follows from it.
//!
//! - [`Passphrase`]: the passphrase in a buffer that is wiped when dropped (and never
//!   printed), the only form [`unlock_body`] takes.
//! - [`Validity`]: the body certificate's validity period, checked against the current time
//!   **before** the passphrase is looked at: an expired (or not yet valid) certificate is
//!   refused at unlock with [`UnlockError::Certificate`], before any work is typed.
//! - [`journal_key`]: the 32-byte key that authenticates the body's journal, derived from the
//!   body's private key with HKDF-SHA-256 under its own label (so it is independent of the
//!   Ed25519 signing key and of every other use), wiped when dropped.
//! - [`UnlockThrottle`]: a growing delay after wrong passphrases.
//!
//! What this module must not do: keep a passphrase or a key anywhere but in wiped buffers,
//! read a clock other than the caller's `now`, or touch a terminal.

use std::fmt;
use std::time::{Duration, Instant};

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::certificate::Certificate;
use crate::keys::{KeyFileError, SecretKey, decrypt_secret_key};
use crate::time::Timestamp;

/// A passphrase (or PIN), held in a buffer wiped when dropped. Never printed: its `Debug`
/// shows only its length.
#[derive(Clone, Default)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// An empty passphrase, to be typed into ([`Passphrase::push`]).
    pub fn new() -> Passphrase {
        Passphrase::default()
    }

    /// Adds one typed character. (The buffer may grow; every old buffer is wiped first,
    /// because the capacity is reserved up front and grown only through this method.)
    pub fn push(&mut self, c: char) {
        if self.0.len().saturating_add(c.len_utf8()) > self.0.capacity() {
            // Move to a larger wiped buffer ourselves, so no unwiped copy is left behind by
            // `String`'s own reallocation.
            let mut bigger = Zeroizing::new(String::with_capacity(
                self.0.capacity().saturating_mul(2).max(64),
            ));
            bigger.push_str(&self.0);
            self.0 = bigger;
        }
        self.0.push(c);
    }

    /// Removes the last character typed.
    pub fn pop(&mut self) -> Option<char> {
        self.0.pop()
    }

    /// Empties it (the bytes are wiped).
    pub fn clear(&mut self) {
        self.0 = Zeroizing::new(String::new());
    }

    /// The passphrase's UTF-8 bytes (the Argon2id password).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether nothing was typed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Its length in characters.
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }
}

impl From<String> for Passphrase {
    /// Takes the string's buffer (wiped from then on).
    fn from(s: String) -> Passphrase {
        Passphrase(Zeroizing::new(s))
    }
}

impl From<&str> for Passphrase {
    fn from(s: &str) -> Passphrase {
        Passphrase(Zeroizing::new(s.to_owned()))
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Passphrase({} characters)", self.chars())
    }
}

/// A certificate's validity period: its first and last valid second (both included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// First valid second.
    pub valid_from: Timestamp,
    /// Last valid second.
    pub valid_until: Timestamp,
}

/// Why a certificate is not valid at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ValidityError {
    /// Before its first valid second.
    #[error(
        "the body's certificate is not valid yet: valid from {valid_from}, and it is now {now} (check the clock)"
    )]
    NotYetValid {
        /// Its first valid second.
        valid_from: Timestamp,
        /// The time checked.
        now: Timestamp,
    },
    /// After its last valid second.
    #[error(
        "the body's certificate expired: valid until {valid_until}, and it is now {now}; the authority must issue a new one"
    )]
    Expired {
        /// Its last valid second.
        valid_until: Timestamp,
        /// The time checked.
        now: Timestamp,
    },
}

impl Validity {
    /// The validity period of `certificate`.
    pub fn of(certificate: &Certificate) -> Validity {
        Validity {
            valid_from: certificate.fields().valid_from,
            valid_until: certificate.fields().valid_until,
        }
    }

    /// Whether `now` is inside the period.
    ///
    /// # Errors
    /// [`ValidityError`]: before or after it.
    pub fn check(&self, now: Timestamp) -> Result<(), ValidityError> {
        if now < self.valid_from {
            return Err(ValidityError::NotYetValid {
                valid_from: self.valid_from,
                now,
            });
        }
        if now > self.valid_until {
            return Err(ValidityError::Expired {
                valid_until: self.valid_until,
                now,
            });
        }
        Ok(())
    }
}

/// The HKDF salt of the journal key: names the purpose and the format generation.
const JOURNAL_KEY_SALT: &[u8] = b"tally-appliance v1 journal key";
/// The HKDF info of the journal key: what the key is used for.
const JOURNAL_KEY_INFO: &[u8] = b"journal record authentication, HMAC-SHA-256";

/// The key that authenticates `key`'s journal: HKDF-SHA-256 (RFC 5869) with the 32-byte
/// Ed25519 seed as input key material, salt `tally-appliance v1 journal key` and info
/// `journal record authentication, HMAC-SHA-256`; 32 bytes, wiped when dropped. Only the
/// holder of the body's private key can compute it.
pub fn journal_key(key: &SecretKey) -> Zeroizing<[u8; 32]> {
    let seed = key.seed();
    let hk = Hkdf::<Sha256>::new(Some(JOURNAL_KEY_SALT), seed.as_ref());
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA-256's limit of 255 * 32: `expand` cannot fail. Should it
    // ever, the key stays all zeros and no journal of a real key verifies with it.
    let _ = hk.expand(JOURNAL_KEY_INFO, out.as_mut());
    out
}

/// The HKDF salt of the audit key: its own domain, distinct from the journal key's.
const AUDIT_KEY_SALT: &[u8] = b"tally-appliance v1 audit key";
/// The HKDF info of the audit key.
const AUDIT_KEY_INFO: &[u8] = b"audit log line authentication, HMAC-SHA-256";

/// The key that authenticates `key`'s audit log (`audit.jsonl`, `tally_core::audit`):
/// HKDF-SHA-256 with the 32-byte Ed25519 seed as input key material, salt
/// `tally-appliance v1 audit key` and info `audit log line authentication, HMAC-SHA-256`;
/// 32 bytes, wiped when dropped, never equal to the journal key.
pub fn audit_key(key: &SecretKey) -> Zeroizing<[u8; 32]> {
    let seed = key.seed();
    let hk = Hkdf::<Sha256>::new(Some(AUDIT_KEY_SALT), seed.as_ref());
    let mut out = Zeroizing::new([0u8; 32]);
    // As for the journal key: 32 bytes cannot exceed HKDF's limit.
    let _ = hk.expand(AUDIT_KEY_INFO, out.as_mut());
    out
}

/// A body unlocked: its private key, its certificate's validity (to show on the start
/// screen) and its journal key.
#[derive(Debug)]
pub struct UnlockedBody {
    /// The body's private key.
    pub key: SecretKey,
    /// The certificate's validity period (checked at unlock).
    pub validity: Validity,
    journal_key: Zeroizing<[u8; 32]>,
}

impl UnlockedBody {
    /// The 32-byte journal key ([`journal_key`] of the body's key).
    pub fn journal_key(&self) -> &[u8; 32] {
        &self.journal_key
    }
}

/// Why a body is not unlocked.
#[derive(Debug, thiserror::Error)]
pub enum UnlockError {
    /// The certificate is not valid now: refused before the passphrase is looked at.
    #[error(transparent)]
    Certificate(#[from] ValidityError),
    /// The key file cannot be read, its parameters are refused, or the passphrase is wrong
    /// ([`KeyFileError::WrongPassphrase`]).
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The key opens but is not the one the certificate names.
    #[error("the key does not belong to the body's certificate")]
    NotOfCertificate,
    /// Too many wrong passphrases: the next try is possible after this wait.
    #[error("too many wrong passphrases: try again in {} seconds", .wait.as_secs().max(1))]
    Throttled {
        /// How long until the next try.
        wait: Duration,
    },
}

impl UnlockError {
    /// Whether the passphrase was wrong (what the throttle counts).
    pub fn is_wrong_passphrase(&self) -> bool {
        matches!(self, UnlockError::KeyFile(KeyFileError::WrongPassphrase))
    }
}

/// Unlocks a body: checks the certificate's validity at `now` (before anything else), then
/// decrypts the key file with the passphrase (Argon2id parameters checked first), checks the
/// key is the certificate's, and derives the journal key.
///
/// # Errors
/// See [`UnlockError`].
pub fn unlock_body(
    key_file: &[u8],
    passphrase: &Passphrase,
    certificate: &Certificate,
    now: Timestamp,
) -> Result<UnlockedBody, UnlockError> {
    let validity = Validity::of(certificate);
    validity.check(now)?;
    let key = decrypt_secret_key(key_file, passphrase.as_bytes())?;
    if key.public_key() != *certificate.public_key() {
        return Err(UnlockError::NotOfCertificate);
    }
    let journal_key = journal_key(&key);
    Ok(UnlockedBody {
        key,
        validity,
        journal_key,
    })
}

/// A growing delay after wrong passphrases: the first wrong one in a row costs nothing (a
/// typo), after the n-th (n >= 2) the next try waits 2^(n-2) seconds (1, 2, 4, ...), at most
/// [`UnlockThrottle::MAX_DELAY`]. A right passphrase starts the count again. The count is
/// kept by the caller across a restart ([`UnlockThrottle::after_restart`]): a reboot does not
/// end the delay, it starts it again from the moment of the restart.
#[derive(Debug, Clone, Default)]
pub struct UnlockThrottle {
    failures: u32,
    not_before: Option<Instant>,
}

impl UnlockThrottle {
    /// The longest delay between two tries.
    pub const MAX_DELAY: Duration = Duration::from_secs(300);

    /// No wrong passphrase yet.
    pub fn new() -> UnlockThrottle {
        UnlockThrottle::default()
    }

    /// The delay after `failures` wrong passphrases in a row.
    pub fn delay_after(failures: u32) -> Duration {
        if failures <= 1 {
            return Duration::ZERO;
        }
        let secs = 1u64
            .checked_shl(failures.saturating_sub(2))
            .unwrap_or(u64::MAX);
        Duration::from_secs(secs).min(Self::MAX_DELAY)
    }

    /// The throttle after a restart with `failures` wrong passphrases in a row before it: the
    /// delay they call for runs again from `now`.
    pub fn after_restart(failures: u32, now: Instant) -> UnlockThrottle {
        UnlockThrottle {
            failures,
            not_before: now.checked_add(Self::delay_after(failures)),
        }
    }

    /// Wrong passphrases in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// How long until the next try is allowed (zero when it is).
    pub fn wait(&self, now: Instant) -> Duration {
        self.not_before
            .map_or(Duration::ZERO, |t| t.saturating_duration_since(now))
    }

    /// Runs one unlock try `attempt`, unless the delay has not passed at `clock()`
    /// ([`UnlockError::Throttled`], and `attempt` is not run). A wrong passphrase makes the
    /// delay grow, counted from `clock()` read again when the try has ended: the key
    /// derivation of a try (seconds on a slow machine) must not use up the wait before the
    /// next one. Success resets it; other errors leave it.
    ///
    /// # Errors
    /// Throttled, or the attempt's own error.
    pub fn attempt<T>(
        &mut self,
        clock: impl Fn() -> Instant,
        attempt: impl FnOnce() -> Result<T, UnlockError>,
    ) -> Result<T, UnlockError> {
        let wait = self.wait(clock());
        if !wait.is_zero() {
            return Err(UnlockError::Throttled { wait });
        }
        let result = attempt();
        let now = clock();
        match result {
            Ok(v) => {
                self.failures = 0;
                self.not_before = None;
                Ok(v)
            }
            Err(e) => {
                if e.is_wrong_passphrase() {
                    self.failures = self.failures.saturating_add(1);
                    self.not_before = now.checked_add(Self::delay_after(self.failures));
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::certificate::{CertificateFields, Role};
    use crate::keys::{KdfParams, encrypt_secret_key};

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn body() -> (SecretKey, Certificate, Vec<u8>) {
        let root = SecretKey::from_seed(&[1; 32]);
        let body = SecretKey::from_seed(&[2; 32]);
        let cert = Certificate::issue(
            &root,
            CertificateFields {
                role: Role::Gsb,
                identifier: "0042".into(),
                name: "Gemeente Juinen".into(),
                election: "GR2025_Juinen".into(),
                valid_from: ts("2025-07-01T00:00:00Z"),
                valid_until: ts("2025-12-31T23:59:59Z"),
                public_key: body.public_key(),
            },
        )
        .unwrap();
        let file = encrypt_secret_key(&body, b"correct horse", KdfParams::FLOOR).unwrap();
        (body, cert, file)
    }

    #[test]
    fn unlock_checks_the_validity_first_and_gives_the_journal_key() {
        let (body, cert, file) = body();
        let pass = Passphrase::from("correct horse");
        let inside = ts("2025-09-01T12:00:00Z");
        let unlocked = unlock_body(&file, &pass, &cert, inside).unwrap();
        assert_eq!(unlocked.key.public_key(), body.public_key());
        assert_eq!(unlocked.validity.valid_until, ts("2025-12-31T23:59:59Z"));
        assert_eq!(unlocked.journal_key(), &*journal_key(&body));
        // The last valid second and the first are inside.
        assert!(unlock_body(&file, &pass, &cert, ts("2025-12-31T23:59:59Z")).is_ok());
        // Expired: refused, whatever the passphrase (no Argon2 is run for it).
        let after = ts("2026-01-01T00:00:00Z");
        for p in ["correct horse", "wrong"] {
            let err = unlock_body(&file, &Passphrase::from(p), &cert, after).unwrap_err();
            assert!(
                matches!(
                    err,
                    UnlockError::Certificate(ValidityError::Expired { valid_until, now })
                        if valid_until == ts("2025-12-31T23:59:59Z") && now == after
                ),
                "{err}"
            );
            assert_eq!(
                err.to_string(),
                "the body's certificate expired: valid until 2025-12-31T23:59:59Z, and it is now 2026-01-01T00:00:00Z; the authority must issue a new one"
            );
        }
        let err = unlock_body(&file, &pass, &cert, ts("2025-06-30T23:59:59Z")).unwrap_err();
        assert!(matches!(
            err,
            UnlockError::Certificate(ValidityError::NotYetValid { .. })
        ));
        let err = unlock_body(&file, &Passphrase::from("wrong"), &cert, inside).unwrap_err();
        assert!(err.is_wrong_passphrase(), "{err}");
        // Another body's key file.
        let other = encrypt_secret_key(
            &SecretKey::from_seed(&[3; 32]),
            b"correct horse",
            KdfParams::FLOOR,
        )
        .unwrap();
        assert!(matches!(
            unlock_body(&other, &pass, &cert, inside),
            Err(UnlockError::NotOfCertificate)
        ));
    }

    #[test]
    fn the_audit_key_is_the_bodys_own_and_not_the_journal_key() {
        let body = SecretKey::from_seed(&[2; 32]);
        assert_ne!(*audit_key(&body), *journal_key(&body));
        assert_eq!(
            *audit_key(&body),
            *audit_key(&SecretKey::from_seed(&[2; 32]))
        );
        assert_ne!(
            *audit_key(&body),
            *audit_key(&SecretKey::from_seed(&[3; 32]))
        );
    }

    #[test]
    fn the_journal_key_is_the_bodys_own_and_fixed() {
        let a = journal_key(&SecretKey::from_seed(&[2; 32]));
        let b = journal_key(&SecretKey::from_seed(&[3; 32]));
        assert_ne!(*a, *b);
        assert_eq!(*a, *journal_key(&SecretKey::from_seed(&[2; 32])));
        // Not the seed itself.
        assert_ne!(*a, [2; 32]);
        // Known answer (docs/journal.md): the RFC 8032 TEST 2 seed, computed independently
        // (Python's hmac and hashlib, RFC 5869 by hand).
        let seed: [u8; 32] = [
            0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3, 0x46, 0xec, 0x11,
            0x4e, 0x0f, 0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab, 0xa6, 0x24, 0xda, 0x8c, 0xf6, 0xed,
            0x4f, 0xb8, 0xa6, 0xfb,
        ];
        assert_eq!(
            crate::text::to_hex(&*journal_key(&SecretKey::from_seed(&seed))),
            "1281b0dc7742c7674a5b270529126f2b1dd0074274f73bbff6e52e5d7d1882ed"
        );
    }

    #[test]
    fn a_passphrase_is_never_printed_and_grows_in_wiped_buffers() {
        let mut p = Passphrase::new();
        for c in
            "geheim wachtwoord met ünïcode en meer dan vierenzestig tekens erin, echt waar".chars()
        {
            p.push(c);
        }
        assert!(p.as_str().ends_with("echt waar"));
        assert_eq!(p.pop(), Some('r'));
        let shown = format!("{p:?}");
        assert!(!shown.contains("geheim"), "{shown}");
        p.clear();
        assert!(p.is_empty());
    }

    #[test]
    fn wrong_passphrases_make_the_delay_grow() {
        assert_eq!(UnlockThrottle::delay_after(0), Duration::ZERO);
        assert_eq!(UnlockThrottle::delay_after(1), Duration::ZERO);
        assert_eq!(UnlockThrottle::delay_after(2), Duration::from_secs(1));
        assert_eq!(UnlockThrottle::delay_after(5), Duration::from_secs(8));
        assert_eq!(UnlockThrottle::delay_after(40), UnlockThrottle::MAX_DELAY);
        let mut t = UnlockThrottle::new();
        let t0 = Instant::now();
        let wrong = || -> Result<(), UnlockError> { Err(KeyFileError::WrongPassphrase.into()) };
        // A first typo costs nothing.
        assert!(t.attempt(|| t0, wrong).unwrap_err().is_wrong_passphrase());
        assert_eq!(t.wait(t0), Duration::ZERO);
        assert!(t.attempt(|| t0, wrong).unwrap_err().is_wrong_passphrase());
        // Within the second: not even tried.
        let mut ran = false;
        let err = t
            .attempt(
                || t0 + Duration::from_millis(500),
                || {
                    ran = true;
                    Ok(())
                },
            )
            .unwrap_err();
        assert!(!ran);
        assert!(matches!(err, UnlockError::Throttled { .. }), "{err}");
        let t1 = t0 + Duration::from_secs(1);
        assert!(t.attempt(|| t1, wrong).is_err());
        assert_eq!(t.failures(), 3);
        assert_eq!(t.wait(t1), Duration::from_secs(2));
        // An expired certificate is not a wrong passphrase: the delay does not grow.
        let t2 = t1 + Duration::from_secs(2);
        let expired = || -> Result<(), UnlockError> {
            Err(ValidityError::Expired {
                valid_until: Timestamp(0),
                now: Timestamp(1),
            }
            .into())
        };
        assert!(t.attempt(|| t2, expired).is_err());
        assert_eq!(t.failures(), 3);
        t.attempt(|| t2, || Ok(())).unwrap();
        assert_eq!(t.failures(), 0);
        assert_eq!(t.wait(t2), Duration::ZERO);
    }

    /// The wait runs from the end of a wrong try, not its start: a key derivation that takes
    /// longer than the wait does not leave the next try free.
    #[test]
    fn the_wait_runs_from_the_end_of_the_wrong_try() {
        use std::cell::Cell;
        let mut t = UnlockThrottle::new();
        let t0 = Instant::now();
        let now = Cell::new(t0);
        let slow_wrong = || -> Result<(), UnlockError> {
            // The try itself takes 3 seconds.
            now.set(now.get() + Duration::from_secs(3));
            Err(KeyFileError::WrongPassphrase.into())
        };
        assert!(t.attempt(|| now.get(), slow_wrong).is_err());
        assert!(t.attempt(|| now.get(), slow_wrong).is_err());
        // 6 s after the first try began, right after the second ended: the 1 s wait holds.
        assert_eq!(now.get(), t0 + Duration::from_secs(6));
        assert_eq!(t.wait(now.get()), Duration::from_secs(1));
        let err = t.attempt(|| now.get(), || Ok(())).unwrap_err();
        assert!(matches!(err, UnlockError::Throttled { .. }), "{err}");
    }
}
