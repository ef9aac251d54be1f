//! What a body's appliance remembers, at every level: the records it writes to its journal,
//! the ledger each level builds from them, and the one rule of writing and replaying them
//! ([`persist`]): a record is applied to a copy of the ledger, written to the journal
//! (forced to disk), and only then kept; at start the journal is replayed record by record.
//!
//! - [`form`]: the election as a municipality counts it, and the paper report's fields in
//!   the order of the paper.
//! - [`municipal`]: the municipality's (GSB's) records and ledger: entries, decisions, the
//!   double entry of every polling station.
//! - [`higher`]: the principal (HSB) and central (CSB) committee's records and ledger:
//!   imported counts, corrections, lots, the seats.
//! - [`batch`]: parallel entry: the assignment of entries to entry appliances, their
//!   signed entry batches, and the coordinating appliance's import of them.
//! - [`progress`]: parallel entry's progress per station and per entry appliance, and the
//!   round-robin assignment.
//! - [`people`]: the people of the session (registry and wrong PINs), for every level.
//! - [`journal`]: the journal itself, on the core's authenticated journal file.
//!
//! Why a crate of its own: the terminal (`tally-tui`) is screens and keys; what the count
//! *is* after every keystroke must not depend on a screen, and is tested without one.
//!
//! What it must not do: draw, word a message for the official (no UI text: errors are
//! typed), read keys, media or signatures, or compute what the core computes (the checks,
//! the totals, the seats are `tally-core`'s).

pub mod batch;
pub mod form;
pub mod higher;
pub mod journal;
pub mod medium;
pub mod municipal;
pub mod people;
pub mod persist;
pub mod progress;
pub mod session;
