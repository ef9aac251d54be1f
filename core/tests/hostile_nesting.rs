//! Deeply nested elements: quick-xml's namespace resolver counts the nesting in a `u16`,
//! which overflows (a panic under `overflow-checks`) at 65 536 levels. The input guard
//! refuses any nesting deeper than [`MAX_NESTING_DEPTH`] before a parser sees the file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tally_core::eml::count::{CountReadError, read_count, read_count_own};
use tally_core::eml::definition::{
    DefinitionProblem, SourceFile, load_candidate_lists, load_definition, load_election,
    load_polling_stations,
};
use tally_core::eml::limits::{
    DEEPEST_REAL_NESTING, InputProblem, MAX_NESTING_DEPTH, check_nesting_depth, check_xml_input,
};
use tally_core::eml::result::{ResultReadError, read_result};

const HOSTILE: usize = 65_536;

/// A document of the given kind whose elements are nested `depth` deep (the root counts),
/// closed properly, so that only the depth is wrong with it.
fn deeply_nested(kind: &str, depth: usize) -> Vec<u8> {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<EML xmlns=\"urn:oasis:names:tc:evs:schema:eml\" Id=\"{kind}\">"
    );
    for _ in 1..depth {
        s.push_str("<a>");
    }
    for _ in 1..depth {
        s.push_str("</a>");
    }
    s.push_str("</EML>");
    s.into_bytes()
}

/// Byte offset of the start tag at level `MAX_NESTING_DEPTH + 1` in [`deeply_nested`].
fn first_too_deep(bytes: &[u8]) -> usize {
    let root = bytes.windows(4).position(|w| w == b"<EML").unwrap();
    let root_end = root + bytes[root..].iter().position(|b| *b == b'>').unwrap() + 1;
    root_end + 3 * (MAX_NESTING_DEPTH - 1)
}

#[test]
fn a_65536_deep_file_is_refused_by_every_reader_without_panic() {
    for kind in ["110a", "230b", "110b", "510b", "510c", "510d", "520"] {
        let bytes = deeply_nested(kind, HOSTILE);
        let offset = first_too_deep(&bytes);
        let expected = InputProblem::NestingTooDeep {
            limit: MAX_NESTING_DEPTH,
            offset,
        };
        let e = check_xml_input("deep.xml", &bytes).unwrap_err();
        assert_eq!(e.problem, expected);
        assert_eq!(
            e.to_string(),
            format!(
                "deep.xml: nesting deeper than 64 elements (at byte {offset}); the deepest real EML_NL file has 10"
            )
        );
        let f = SourceFile::new("deep.xml", &bytes);
        match kind {
            "110a" => {
                let e = load_definition(&f).unwrap_err();
                assert_eq!(e.file, "deep.xml");
                assert_eq!(e.problem, DefinitionProblem::Input(expected.clone()));
                let e = load_election(&f, &[], None).unwrap_err();
                assert_eq!(e.problem, DefinitionProblem::Input(expected.clone()));
            }
            "230b" => {
                let e = load_candidate_lists(&f).unwrap_err();
                assert_eq!(e.problem, DefinitionProblem::Input(expected.clone()));
            }
            "110b" => {
                let e = load_polling_stations(&f).unwrap_err();
                assert_eq!(e.problem, DefinitionProblem::Input(expected.clone()));
            }
            "510b" | "510c" | "510d" => {
                assert_eq!(
                    read_count(&bytes),
                    Err(CountReadError::Input(expected.clone()))
                );
                assert_eq!(
                    read_count_own(&bytes),
                    Err(CountReadError::Input(expected.clone()))
                );
            }
            "520" => {
                assert_eq!(read_result(&bytes), Err(ResultReadError::Input(expected)));
            }
            _ => unreachable!(),
        }
    }
}

#[test]
fn the_depth_limit_is_exact() {
    // Exactly the limit passes the depth check (the parser then refuses the content).
    let at = deeply_nested("510d", MAX_NESTING_DEPTH);
    assert_eq!(
        check_nesting_depth(std::str::from_utf8(&at).unwrap()),
        Ok(MAX_NESTING_DEPTH)
    );
    assert!(check_xml_input("at.xml", &at).is_ok());
    assert!(!matches!(
        read_count(&at),
        Err(CountReadError::Input(InputProblem::NestingTooDeep { .. }))
    ));
    // One more is refused.
    let over = deeply_nested("510d", MAX_NESTING_DEPTH + 1);
    assert_eq!(
        check_xml_input("over.xml", &over).unwrap_err().problem,
        InputProblem::NestingTooDeep {
            limit: MAX_NESTING_DEPTH,
            offset: first_too_deep(&over),
        }
    );
}

#[test]
fn an_empty_element_counts_as_one_level() {
    // 63 open elements and an empty one: depth 64, accepted; 64 open and an empty one: 65.
    let nest = |open: usize| {
        let mut s = String::from("<EML Id=\"510d\">");
        for _ in 1..open {
            s.push_str("<a>");
        }
        s.push_str("<b/>");
        for _ in 1..open {
            s.push_str("</a>");
        }
        s.push_str("</EML>");
        s
    };
    assert_eq!(
        check_nesting_depth(&nest(MAX_NESTING_DEPTH - 1)),
        Ok(MAX_NESTING_DEPTH)
    );
    let over = nest(MAX_NESTING_DEPTH);
    assert_eq!(
        check_nesting_depth(&over),
        Err(InputProblem::NestingTooDeep {
            limit: MAX_NESTING_DEPTH,
            offset: over.find("<b/>").unwrap(),
        })
    );
}

#[test]
fn markup_in_comments_cdata_and_attributes_is_not_nesting() {
    // Wide but flat: 100 000 siblings, and `<x>` in places where it is not a tag.
    let mut s =
        String::from("<?xml version=\"1.0\"?><!-- <a><a><a> --><EML Id=\"510d\" a=\"&lt;b&gt;\">");
    for _ in 0..100_000 {
        s.push_str("<c t='>'><![CDATA[<a><a>]]><?pi <a>?></c><d/>");
    }
    s.push_str("</EML>");
    assert_eq!(check_nesting_depth(&s), Ok(2));
}

#[test]
fn malformed_xml_is_left_to_the_parser() {
    // The scan stops at the tokenizer's first error; the parser reports it with its place.
    let text = "<EML Id=\"510d\"><a><b></a></b></EML>";
    assert_eq!(check_nesting_depth(text), Ok(3));
    assert!(matches!(
        read_count(text.as_bytes()),
        Err(CountReadError::Xml { .. })
    ));
}

#[test]
fn every_real_file_passes_the_depth_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/eml");
    let mut deepest = 0;
    for dir in ["real", "synthetic"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "xml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let depth = check_nesting_depth(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                deepest = deepest.max(depth);
            }
        }
    }
    assert_eq!(
        deepest, DEEPEST_REAL_NESTING,
        "the doc comment of MAX_NESTING_DEPTH names it"
    );
}
