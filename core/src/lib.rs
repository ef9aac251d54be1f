//! The election domain of the tally appliance.
//!
//! What this crate is for: the election definition (110a, 230b, 110b), the counts of
//! polling stations and higher levels (510b/c/d), the official checks, double entry,
//! aggregation, seat apportionment and the result (520), reading and writing EML_NL (1.2.2 to
//! 1.3.1, with the corrected 510b of a next session: `corrigendum`), and
//! the people of a session (checked names, roles, PIN rules; `people`).
//!
//! What it must not do: any I/O beyond bytes handed to it and files named to it. It never
//! touches a terminal, a USB stick, a network or a key. Everything it reads may be hostile:
//! it returns precise errors and never panics on input.

pub mod aggregate;
pub mod apportionment;
pub mod audit;
pub mod corrigendum;
pub mod counts;
pub mod double_entry;
pub mod election;
pub mod eml;
pub mod entry;
pub mod hashcode;
pub mod ids;
pub mod journal;
pub mod municipal;
pub mod people;
