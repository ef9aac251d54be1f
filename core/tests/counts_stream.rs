//! The streaming count reader (`read_count_from`) gives what the whole-file reader
//! (`read_count`) gives: the same counts for every real file and eml-nl's test files, and
//! the same refusal, message for message, for every non-count EML file and for 420
//! mutations of a 510b and a 510d (elements and bytes deleted, doubled, inserted; a
//! DOCTYPE, an ENTITY, a bad UTF-8 byte, text before the root; files cut short), read in
//! pieces of many sizes so that every guard meets its input cut at every place. And the
//! whole-file reader's quick path for the usual shape of a `Selection` (read from the text,
//! not through quick-xml's events) reads what the stream reads through the events: 1,000
//! mutations inside the `Selection`s of a 510b and a 510d, and every single byte of a few
//! put in or replaced at every place of every `Selection` of a small one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Read;
use std::path::{Path, PathBuf};

use tally_core::eml::count::{CountReadError, read_count, read_count_from};

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

/// A reader that gives at most `piece` bytes at a time.
struct Pieces<'a> {
    data: &'a [u8],
    piece: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.piece.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn streamed(bytes: &[u8], piece: usize) -> Result<tally_core::counts::CountFile, CountReadError> {
    read_count_from(Pieces { data: bytes, piece }, bytes.len() as u64)
}

fn assert_same(bytes: &[u8], what: &str, pieces: &[usize]) {
    let whole = read_count(bytes);
    for &piece in pieces {
        let stream = streamed(bytes, piece);
        assert!(
            stream == whole,
            "{what}, read in pieces of {piece} bytes:\n  stream: {:?}\n  whole:  {:?}",
            stream.as_ref().map(|c| &c.header),
            whole.as_ref().map(|c| &c.header)
        );
    }
}

fn eml_nl_test_files() -> Vec<(String, Vec<u8>)> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("neither CARGO_HOME nor HOME is set");
    let mut out = Vec::new();
    for index in std::fs::read_dir(home.join("registry/src")).unwrap() {
        let dir = index
            .unwrap()
            .path()
            .join("eml-nl-0.8.1/test-files/election_count");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries {
                let p = e.unwrap().path();
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    assert!(!out.is_empty(), "eml-nl 0.8.1 test files not found");
    out
}

#[test]
fn every_real_eml_file_reads_the_same_streamed() {
    let dir = shared("eml/real");
    let mut counts = 0;
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".xml"))
        .collect();
    names.sort();
    for path in names {
        let bytes = std::fs::read(&path).unwrap();
        let what = path.display().to_string();
        // Large files in the reader's own pieces only; small ones cut everywhere.
        let pieces: &[usize] = if bytes.len() > 1_000_000 {
            &[usize::MAX]
        } else {
            &[usize::MAX, 4096, 7]
        };
        assert_same(&bytes, &what, pieces);
        counts += usize::from(read_count(&bytes).is_ok());
    }
    // Every 510 published here reads (the others are refused alike).
    assert_eq!(counts, 7, "the real 510 files that read");
    for (name, bytes) in eml_nl_test_files() {
        assert_same(&bytes, &name, &[usize::MAX, 3]);
    }
}

#[test]
fn a_stream_of_another_length_is_refused() {
    let bytes = std::fs::read(shared(
        "eml/real/Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
    ))
    .unwrap();
    let n = bytes.len() as u64;
    for (size, says) in [(n - 1, "longer than its"), (n + 1, "ended after")] {
        match read_count_from(bytes.as_slice(), size) {
            Err(CountReadError::Read { message }) => {
                assert!(message.contains(says), "{message}");
            }
            other => panic!("size {size}: {other:?}"),
        }
    }
    // Too large, before a byte is read.
    assert!(matches!(
        read_count_from(std::io::empty(), 300 * 1024 * 1024),
        Err(CountReadError::Input(
            tally_core::eml::limits::InputProblem::TooLarge { .. }
        ))
    ));
}

/// A small deterministic generator (no seeds to keep: the same mutations every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INSERTS: &[&[u8]] = &[
    b"<!DOCTYPE x>",
    b"<!doctype",
    b"<!ENTITY e \"x\">",
    b"<!-- c -->",
    b"<![CDATA[7]]>",
    b"&amp;",
    b"&bogus;",
    b"&#x31;",
    b"<x/>",
    b"</Selection>",
    b"<Selection>",
    b"\xFF",
    b"\xC3",
    b"\xE2\x82",
    "é".as_bytes(),
    b"junk",
    b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
    b"xmlns:a=\"urn:x\" ",
    b" Id=\"510c\"",
    b"<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>",
];

fn mutate(base: &[u8], rng: &mut Lcg) -> Vec<u8> {
    let mut b = base.to_vec();
    let len = b.len();
    match rng.below(8) {
        0 => {
            let at = rng.below(len);
            let n = 1 + rng.below(40);
            b.drain(at..(at + n).min(len));
        }
        1 => {
            let at = rng.below(len);
            let what = INSERTS[rng.below(INSERTS.len())];
            b.splice(at..at, what.iter().copied());
        }
        2 => {
            let at = rng.below(len);
            let n = 1 + rng.below(200);
            let piece = b[at..(at + n).min(len)].to_vec();
            b.splice(at..at, piece);
        }
        3 => b.truncate(rng.below(len)),
        4 => {
            // Near the start: the prolog and the root.
            let at = rng.below(300.min(len));
            let what = INSERTS[rng.below(INSERTS.len())];
            b.splice(at..at, what.iter().copied());
        }
        5 => {
            let at = rng.below(len);
            b[at] = b"<>/\"=x9 &!"[rng.below(10)];
        }
        6 => {
            // An element's tag renamed.
            let starts: Vec<usize> = memchr_all(&b, b'<');
            let at = starts[rng.below(starts.len())] + 1;
            if at < len {
                b[at] = b'Q';
            }
        }
        _ => {
            // Near the end.
            let at = len.saturating_sub(1 + rng.below(300.min(len)));
            let what = INSERTS[rng.below(INSERTS.len())];
            b.splice(at..at, what.iter().copied());
        }
    }
    b
}

fn memchr_all(b: &[u8], c: u8) -> Vec<usize> {
    b.iter()
        .enumerate()
        .filter(|(_, x)| **x == c)
        .map(|(i, _)| i)
        .collect()
}

fn mutations_agree(name: &str, n: usize, seed: u64) {
    let base = std::fs::read(shared(&format!("eml/real/{name}"))).unwrap();
    let mut rng = Lcg(seed);
    let mut refused = 0;
    for i in 0..n {
        let bytes = mutate(&base, &mut rng);
        let piece = [usize::MAX, 4096, 1 + rng.below(64)][i % 3];
        let whole = read_count(&bytes);
        let stream = streamed(&bytes, piece);
        refused += usize::from(whole.is_err());
        assert!(
            stream == whole,
            "{name} mutation {i} (pieces of {piece}):\n  stream: {:?}\n  whole:  {:?}",
            stream.as_ref().err(),
            whole.as_ref().err()
        );
    }
    // The mutations are not all harmless: most are refused.
    assert!(refused > n / 2, "{name}: only {refused} of {n} refused");
}

#[test]
fn mutations_of_a_510b_are_refused_alike() {
    mutations_agree("Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml", 400, 15);
}

#[test]
fn mutations_of_a_510d_are_refused_alike() {
    mutations_agree("Totaaltelling_TK2021.eml.xml", 20, 1510);
}

#[test]
fn hostile_prologs_are_refused_alike() {
    let body = std::fs::read(shared(
        "eml/real/Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml",
    ))
    .unwrap();
    let long_comment = format!("<!--{}-->", "x".repeat(300_000));
    let cases: Vec<Vec<u8>> = vec![
        // A long comment before the root: the root is met after several buffers.
        [long_comment.as_bytes(), &body].concat(),
        // Junk, a DOCTYPE, a root of another name, no root at all.
        [b"junk".as_slice(), &body].concat(),
        [b"<!DOCTYPE EML>".as_slice(), &body].concat(),
        b"<?xml version=\"1.0\"?><Other Id=\"510b\"/>".to_vec(),
        b"<?xml version=\"1.0\"?><!-- only -->".to_vec(),
        b"<?xml version=\"1.0\"?><EML Id=\"230b\"><a/></EML>".to_vec(),
        b"<?xml version=\"1.0\"?><EML><a/></EML>".to_vec(),
        b"<?xml version=\"1.0\"?><EML Id=\"999\"><a/></EML>".to_vec(),
        b"\xEF\xBB\xBF<EML Id=\"510b\"><a/></EML>".to_vec(),
        b"<EML Id=\"510b\"".to_vec(),
        b"".to_vec(),
        {
            // Nesting too deep in a file of another kind: the nesting wins.
            let mut v = b"<EML Id=\"230b\">".to_vec();
            v.extend(std::iter::repeat_n(b"<a>".as_slice(), 70).flatten());
            v
        },
    ];
    for (i, case) in cases.iter().enumerate() {
        assert_same(case, &format!("case {i}"), &[usize::MAX, 1, 5, 4096]);
    }
}

/// The text of `name` with only its first `units` reporting units (a smaller file of the
/// same shape, so that many mutations of it can be read).
fn with_units(name: &str, units: usize) -> Vec<u8> {
    let text =
        String::from_utf8(std::fs::read(shared(&format!("eml/real/{name}"))).unwrap()).unwrap();
    const END: &str = "</ReportingUnitVotes>";
    let mut cut = 0;
    for _ in 0..units {
        cut += text[cut..].find(END).unwrap() + END.len();
    }
    let tail = text.rfind("</Contest>").unwrap();
    [&text[..cut], &text[tail..]].concat().into_bytes()
}

/// What is put into a `Selection` by [`selections_mutated_alike`]: what the reader's quick
/// path for the usual shape of a `Selection` must leave to the general one (white space,
/// prefixes, references, comments, CDATA, other elements and attributes, namespace
/// declarations, a repeated attribute), and characters that break the shape.
/// The first `SINGLE` are single bytes.
const IN_SELECTION: &[&[u8]] = &[
    b" ",
    b"\t",
    b"\n",
    b"\r",
    b"\"",
    b"'",
    b"<",
    b">",
    b"&",
    b"/",
    b"=",
    b":",
    b"x",
    b"0",
    b"9",
    b"-",
    b"\x01",
    "é".as_bytes(),
    b"kr:",
    b"ds:",
    b" Id=\"2\"",
    b" Id=\"\"",
    b" ShortCode=\"A\"",
    b" Id=\"1\" Id=\"1\"",
    b" ShortCode=\"A\" ShortCode=\"B\"",
    b" Value=\"1\"",
    b"&amp;",
    b"&#49;",
    b"&bogus;",
    b"<!-- c -->",
    b"<![CDATA[7]]>",
    b"<?pi x?>",
    b"<x/>",
    b"<Candidate>",
    b"</Candidate>",
    b"<ValidVotes>1</ValidVotes>",
    b"<ShortCode>Q</ShortCode>",
    b"<RegisteredName>X</RegisteredName>",
    b"<kr:PreviousValidVotes>3</kr:PreviousValidVotes>",
    b"<kr:InitialValidVotes>3</kr:InitialValidVotes>",
    b" xmlns=\"urn:x\"",
    b" xmlns=\"urn:oasis:names:tc:evs:schema:eml\"",
    b" xmlns:kr=\"urn:x\"",
    b"<Selection>",
    b"</Selection>",
    b"<Selection/>",
];

const SINGLE: usize = 17;

/// Mutations inside and around `Selection`s (where the reader reads the usual shape
/// straight from the text) are read as the stream reads them, which takes every
/// `Selection` through quick-xml's events: the same counts or the same refusal, message
/// and position alike.
fn selections_mutated_alike(base: &[u8], what: &str, n: usize, seed: u64) {
    // Where each Selection is, with its end tag.
    let text = std::str::from_utf8(base).unwrap();
    let selections: Vec<(usize, usize)> = text
        .match_indices("<Selection>")
        .map(|(at, _)| {
            let end = text[at..].find("</Selection>").unwrap() + "</Selection>".len();
            (at, end)
        })
        .collect();
    let mut rng = Lcg(seed);
    let mut refused = 0;
    for i in 0..n {
        let mut b = base.to_vec();
        // One to three changes, each in a Selection or at its edges (the later ones
        // shifted by the earlier ones, which does not matter).
        for _ in 0..1 + rng.below(3) {
            let (start, len) = selections[rng.below(selections.len())];
            let at = (start + rng.below(len + 1)).min(b.len() - 1);
            match rng.below(4) {
                0 => {
                    b.drain(at..(at + 1 + rng.below(3)).min(b.len()));
                }
                1 => b[at] = IN_SELECTION[rng.below(SINGLE)][0],
                2 => b.insert(at, IN_SELECTION[rng.below(SINGLE)][0]),
                _ => {
                    let piece = IN_SELECTION[rng.below(IN_SELECTION.len())];
                    b.splice(at..at, piece.iter().copied());
                }
            }
        }
        let whole = read_count(&b);
        let stream = streamed(&b, usize::MAX);
        refused += usize::from(whole.is_err());
        assert!(
            stream == whole,
            "{what} mutation {i}:\n  stream: {:?}\n  whole:  {:?}",
            stream.as_ref().err(),
            whole.as_ref().err()
        );
    }
    // Neither all refused nor all harmless.
    assert!(
        refused > n / 4 && refused < n,
        "{what}: {refused} of {n} refused"
    );
}

/// `text` with only the first `keep` of each run of `Selection`s (the lists and candidates
/// of every vote-count element): a small file of the same shape, read many times below.
fn few_selections(text: &[u8], keep: usize) -> Vec<u8> {
    let text = std::str::from_utf8(text).unwrap();
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("<Selection>") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let mut n = 0;
        while rest.starts_with("<Selection>") {
            let end = rest.find("</Selection>").unwrap() + "</Selection>".len();
            if n < keep {
                out.push_str(&rest[..end]);
            }
            n += 1;
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out.into_bytes()
}

/// Every single byte of [`IN_SELECTION`] put in at every place of every `Selection` of
/// `base`, and every byte of them replaced by it, is read as the stream reads it.
fn every_byte_alike(base: &[u8], what: &str) {
    let text = std::str::from_utf8(base).unwrap();
    let mut tried = 0;
    for (start, _) in text.match_indices("<Selection>") {
        let len = text[start..].find("</Selection>").unwrap() + "</Selection>".len();
        for at in start..=start + len {
            for byte in IN_SELECTION[..SINGLE].iter().map(|p| p[0]) {
                let mut inserted = base.to_vec();
                inserted.insert(at, byte);
                let mut replaced = base.to_vec();
                replaced[at] = byte;
                for b in [inserted, replaced] {
                    let whole = read_count(&b);
                    let stream = streamed(&b, usize::MAX);
                    assert!(
                        stream == whole,
                        "{what}, {:?} at byte {at}:\n  stream: {:?}\n  whole:  {:?}",
                        char::from(byte),
                        stream.as_ref().err(),
                        whole.as_ref().err()
                    );
                    tried += 1;
                }
            }
        }
    }
    assert!(tried > 1000, "{what}: {tried}");
}

/// How many mutations [`selections_mutated_alike`] makes of each file: 1,000, or
/// `TALLY_SELECTION_MUTATIONS` (for a longer run, in a release build).
fn selection_mutations() -> usize {
    std::env::var("TALLY_SELECTION_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000)
}

#[test]
fn selections_of_a_510b_mutated_are_read_alike() {
    let name = "Telling_GR2022_WestMaasenWaal.eml.xml";
    let base = few_selections(&with_units(name, 2), 8);
    assert_same(&base, name, &[usize::MAX]);
    assert!(read_count(&base).is_ok());
    selections_mutated_alike(&base, name, selection_mutations(), 510);
    every_byte_alike(&few_selections(&with_units(name, 1), 3), name);
}

#[test]
fn selections_of_a_510d_mutated_are_read_alike() {
    // Candidates by ShortCode in TotalVotes, by Id and ShortCode in the kieskringen.
    let name = "Totaaltelling_TK2021.eml.xml";
    let base = few_selections(&with_units(name, 2), 8);
    assert_same(&base, name, &[usize::MAX]);
    assert!(read_count(&base).is_ok());
    selections_mutated_alike(&base, name, selection_mutations(), 1510);
    every_byte_alike(&few_selections(&with_units(name, 1), 3), name);
}
