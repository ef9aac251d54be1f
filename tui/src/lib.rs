//! The tally terminal: the keyboard-driven program in which a municipality's officials
//! type in the paper reports of their polling stations (double entry, the official
//! checks), settle differences, and write the signed municipal count (510b).
//!
//! Architecture: one [`shell`] for every level: the [`shell::State`], a pure
//! [`shell::update`] from an event to effects, and [`shell::view::view`] that draws it. A
//! level is a [`shell::Level`]: the municipality's in [`app`] and [`view`], the HSB's and
//! CSB's in [`higher`]. The [`shell::runner::Runner`] carries out the effects: every lasting
//! change is written to the journal before it is applied, so a restart returns to the same
//! screen with everything typed so far.
//!
//! What it must not do: compute anything in place of the paper (totals are typed and
//! checked, never filled in), trust a medium it has not verified, or touch the mouse or
//! the network. All election arithmetic and signing are the `tally-core` and
//! `tally-signing` crates' job; this crate only drives them.

pub mod app;
pub mod entry_mode;
pub mod folder;
pub mod form;
pub mod hash_groups;
pub mod higher;
pub mod media_words;
pub mod parallel;
pub mod screen;
pub mod seed;
pub mod services;
pub mod session;
pub mod shell;
pub mod text;
pub mod view;
