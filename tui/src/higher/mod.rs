//! The terminal of a principal electoral committee (hoofdstembureau, HSB) and of the central
//! electoral committee (centraal stembureau, CSB): importing the signed results of the level
//! below, adding them up, and writing the signed total; at the CSB also the seat
//! apportionment, the drawings of lots and the elected candidates (520).
//!
//! A level on the [`crate::shell`] ([`app::Higher`]): the shell's runner writes every
//! decision to the journal ([`tally_ledger::higher::Record`]) before it changes the [`tally_ledger::higher::Ledger`]. The
//! arithmetic, the checks and the apportionment are `tally-core`'s; signatures
//! `tally-signing`'s; media `tally-media`'s; the reports `tally-report`'s.
//!
//! Chosen at start by the body certificate's role (`HSB` or `CSB`).

pub mod app;
pub mod services;
pub mod terminal;
pub mod view;
