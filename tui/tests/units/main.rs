//! The terminal's unit tests: the catalogue, the forms, the views, the hash-code groups, the
//! media's words, the levels' updates, the panic hook and the seed. One test
//! binary, apart from `src`, through the crate's public interface.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod app;
mod form;
mod hash_groups;
mod higher_app;
mod kept_files;
mod media_words;
mod screen;
mod seed;
mod text;
mod view;
