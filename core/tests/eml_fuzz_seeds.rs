//! The checked-in deep-nesting seeds of the EML fuzz targets (`fuzz/seeds/eml_count/`,
//! `fuzz/seeds/eml_definition/`), run through what the targets run, so that the normal
//! test run exercises them: 65 536 nested elements (enough to overflow quick-xml's 16-bit
//! nesting counter, a panic before the input guard counted the depth) are refused, a file
//! at exactly the limit passes the depth check.
//! `cargo test -p tally-core --test eml_fuzz_seeds -- --ignored` writes the seeds anew.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use tally_core::counts::check_arithmetic;
use tally_core::eml::count::{CountReadError, read_count, read_count_eml_nl, write_count};
use tally_core::eml::definition::{
    DefinitionProblem, SourceFile, load_candidate_lists, load_definition, load_election,
    load_polling_stations,
};
use tally_core::eml::limits::{InputProblem, MAX_NESTING_DEPTH};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/seeds");

/// A document of `kind` with `depth` levels of elements (the root counts). Only start tags:
/// the overflow happens while opening, and without the end tags 65 536 levels stay under
/// the fuzz runs' `-max_len` of 256 KiB. `closed` adds the end tags.
fn nested(kind: &str, depth: usize, closed: bool) -> Vec<u8> {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EML xmlns=\"urn:oasis:names:tc:evs:schema:eml\" Id=\"{kind}\">"
    );
    s.push_str(&"<a>".repeat(depth - 1));
    if closed {
        s.push_str(&"</a>".repeat(depth - 1));
        s.push_str("</EML>");
    }
    s.into_bytes()
}

/// (target, file name, contents).
fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        (
            "eml_count",
            "nesting-65536-510b",
            nested("510b", 65_536, false),
        ),
        (
            "eml_count",
            "nesting-65536-510d",
            nested("510d", 65_536, false),
        ),
        (
            "eml_count",
            "nesting-64-510b",
            nested("510b", MAX_NESTING_DEPTH, true),
        ),
        (
            "eml_definition",
            "nesting-65536-110a",
            nested("110a", 65_536, false),
        ),
        (
            "eml_definition",
            "nesting-64-110a",
            nested("110a", MAX_NESTING_DEPTH, true),
        ),
    ]
}

fn path(target: &str, name: &str) -> PathBuf {
    Path::new(SEEDS).join(target).join(name)
}

fn too_deep(p: &InputProblem) -> bool {
    matches!(p, InputProblem::NestingTooDeep { limit, .. } if *limit == MAX_NESTING_DEPTH)
}

#[test]
fn the_seeds_are_checked_in_as_generated() {
    for (target, name, bytes) in seeds() {
        let on_disk = std::fs::read(path(target, name))
            .unwrap_or_else(|e| panic!("{target}/{name}: {e}; write them with --ignored"));
        assert!(
            on_disk == bytes,
            "{target}/{name} differs; write them with --ignored"
        );
    }
}

#[test]
fn the_count_target_refuses_the_deep_seeds() {
    for (target, name, _) in seeds().into_iter().filter(|s| s.0 == "eml_count") {
        let data = std::fs::read(path(target, name)).unwrap();
        // What fuzz/fuzz_targets/eml_count.rs runs.
        let results = [read_count(&data), read_count_eml_nl(&data)];
        for r in &results {
            match r {
                Err(CountReadError::Input(p)) => {
                    assert_eq!(too_deep(p), name.contains("65536"), "{name}: {p}")
                }
                Err(e) => assert!(!name.contains("65536"), "{name}: {e}"),
                Ok(_) => panic!("{name}: read as a count"),
            }
        }
        for file in results.into_iter().flatten() {
            let _ = check_arithmetic(&file);
            let _ = write_count(&file);
        }
    }
}

#[test]
fn the_definition_target_refuses_the_deep_seeds() {
    let lists_bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/eml/synthetic/eml230b_kandidatenlijsten-juinen.eml.xml"
    ))
    .unwrap();
    for (target, name, _) in seeds().into_iter().filter(|s| s.0 == "eml_definition") {
        let data = std::fs::read(path(target, name)).unwrap();
        // What fuzz/fuzz_targets/eml_definition.rs runs.
        let file = SourceFile::new("fuzz.eml.xml", &data);
        let lists = [SourceFile::new("juinen-230b.eml.xml", &lists_bytes)];
        let e = load_definition(&file).unwrap_err();
        let refused_deep = matches!(&e.problem, DefinitionProblem::Input(p) if too_deep(p));
        assert_eq!(refused_deep, name.contains("65536"), "{name}: {e}");
        let _ = load_candidate_lists(&file);
        let _ = load_polling_stations(&file);
        let e = load_election(&file, &lists, Some(&file)).unwrap_err();
        let refused_deep = matches!(&e.problem, DefinitionProblem::Input(p) if too_deep(p));
        assert_eq!(refused_deep, name.contains("65536"), "{name}: {e}");
    }
}

#[test]
#[ignore = "writes the seed files"]
fn write_seeds() {
    for (target, name, bytes) in seeds() {
        let p = path(target, name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
    }
}
