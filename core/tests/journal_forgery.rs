//! A journal only the body can write (#14 point 3): changes made on another machine, by
//! someone who has the file but not the body's key, are refused at the first bad record,
//! even when the attacker recomputes the unkeyed SHA-256 chain of the old format.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod journal_session;

use journal_session::{ELECTION, fresh, key, session};
use sha2::{Digest, Sha256};
use tally_core::journal::events::{EntryJournal, ReplayError, replay};
use tally_core::journal::{
    HEADER_LEN, JournalError, JournalKey, JournalWriter, RECORD_OVERHEAD, read,
};

/// A journal of the session written with `key`; its bytes and the span of every record.
fn written_with(key: &JournalKey, n: usize) -> (Vec<u8>, Vec<(usize, usize)>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    let mut j = EntryJournal::create(&path, &ELECTION, key, fresh()).unwrap();
    for e in session().iter().take(n) {
        j.record(e).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let spans = spans(&bytes);
    (bytes, spans)
}

/// The record spans of a journal, from its framing alone (as an attacker reads it).
fn spans(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = HEADER_LEN;
    while at < bytes.len() {
        let n = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        out.push((at, at + n + RECORD_OVERHEAD));
        at += n + RECORD_OVERHEAD;
    }
    out
}

/// What an attacker without the key does: rebuilds the framing of `records` (payloads,
/// renumbered from 1) after the original header, and recomputes the chain as the unkeyed
/// format did: SHA-256(previous ‖ seq ‖ length ‖ payload), from the stored value before
/// the first changed record (the header's value for record 1).
fn forge(original: &[u8], payloads: &[Vec<u8>], first_changed: usize) -> Vec<u8> {
    let mut out = original[..HEADER_LEN].to_vec();
    let mut prev: [u8; 32] = original[HEADER_LEN - 32..HEADER_LEN].try_into().unwrap();
    let old = spans(original);
    for (i, payload) in payloads.iter().enumerate() {
        let seq = i as u64 + 1;
        let hash: [u8; 32] = if i < first_changed {
            // Unchanged records keep their stored value.
            original[old[i].1 - 32..old[i].1].try_into().unwrap()
        } else {
            let mut h = Sha256::new();
            h.update(prev);
            h.update(seq.to_le_bytes());
            h.update((payload.len() as u64).to_le_bytes());
            h.update(payload);
            h.finalize().into()
        };
        let len = payload.len() as u32;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(&seq.to_le_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&hash);
        prev = hash;
    }
    out
}

fn payloads(bytes: &[u8]) -> Vec<Vec<u8>> {
    spans(bytes)
        .iter()
        .map(|(s, e)| bytes[s + 16..e - 32].to_vec())
        .collect()
}

/// Opens the file as the terminal does at unlock; returns the error.
fn open_err(bytes: &[u8], key: &JournalKey) -> JournalError {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    std::fs::write(&path, bytes).unwrap();
    let err = match EntryJournal::open(&path, &ELECTION, key, fresh()) {
        Err(ReplayError::Journal(e)) => e,
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("a forged journal was accepted"),
    };
    // A refused journal is left exactly as it was.
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    err
}

fn assert_names_record(err: &JournalError, seq: u64) {
    assert!(
        matches!(err, JournalError::HashMismatch { seq: s, .. } if *s == seq),
        "expected record {seq} refused: {err}"
    );
    assert_eq!(err.record(), Some(seq));
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("record {seq} at byte ")),
        "{text}"
    );
    assert!(
        text.contains("does not verify with this body's key"),
        "{text}"
    );
}

#[test]
fn a_changed_value_with_the_unkeyed_chain_recomputed_is_refused_naming_the_record() {
    let (bytes, _) = written_with(&key(), 120);
    let p = payloads(&bytes);
    // The journal as written verifies.
    assert_eq!(read(&bytes, &ELECTION, &key()).unwrap().records.len(), 120);
    // The attacker's control: the unkeyed chain recomputed over unchanged payloads is
    // still refused (the format needs the key, not just the SHA-256 chain).
    assert_names_record(&open_err(&forge(&bytes, &p, 0), &key()), 1);
    for k in [0usize, 1, 40, 118, 119] {
        let mut changed = p.clone();
        // A byte in the middle of the event (the user's name or a typed value) changed.
        let mid = changed[k].len() / 2;
        changed[k][mid] ^= 0x08;
        let forged = forge(&bytes, &changed, k);
        let err = open_err(&forged, &key());
        assert_names_record(&err, k as u64 + 1);
        // Nothing past it is replayed: the pure replay refuses the same way.
        assert!(matches!(
            replay(&forged, &ELECTION, &key(), fresh()),
            Err(ReplayError::Journal(JournalError::HashMismatch { seq, .. })) if seq == k as u64 + 1
        ));
    }
}

#[test]
fn a_removed_record_is_refused_even_renumbered() {
    let (bytes, _) = written_with(&key(), 80);
    let p = payloads(&bytes);
    for k in [0usize, 10, 78] {
        let mut fewer = p.clone();
        fewer.remove(k);
        assert_names_record(&open_err(&forge(&bytes, &fewer, k), &key()), k as u64 + 1);
    }
}

#[test]
fn two_swapped_records_are_refused_even_renumbered() {
    let (bytes, _) = written_with(&key(), 80);
    let p = payloads(&bytes);
    for k in [0usize, 33, 78] {
        let mut swapped = p.clone();
        swapped.swap(k, k + 1);
        assert_names_record(&open_err(&forge(&bytes, &swapped, k), &key()), k as u64 + 1);
    }
}

#[test]
fn a_record_of_another_bodys_journal_spliced_in_is_refused() {
    let other = JournalKey::new(&[0x99; 32]);
    let (ours, our_spans) = written_with(&key(), 60);
    let (theirs, their_spans) = written_with(&other, 60);
    for k in [0usize, 25, 59] {
        // The other body's record k+1 (same number, same election, same event) in place of
        // ours: framed correctly, tagged with the other body's key.
        let (s, e) = our_spans[k];
        let (ts, te) = their_spans[k];
        let mut spliced = ours[..s].to_vec();
        spliced.extend_from_slice(&theirs[ts..te]);
        spliced.extend_from_slice(&ours[e..]);
        assert_names_record(&open_err(&spliced, &key()), k as u64 + 1);
    }
    // Their records appended after ours.
    let mut appended = ours.clone();
    appended.extend_from_slice(&theirs[their_spans[60 - 1].0..]);
    let err = read(&appended, &ELECTION, &key()).unwrap_err();
    assert!(matches!(err, JournalError::OutOfSequence { .. }), "{err}");
}

#[test]
fn another_bodys_whole_journal_is_refused_with_its_own_message() {
    let other = JournalKey::new(&[0x99; 32]);
    let (theirs, _) = written_with(&other, 30);
    let err = open_err(&theirs, &key());
    assert_eq!(err, JournalError::WrongBody);
    assert!(err.to_string().contains("another counting body"), "{err}");
    // Another election's journal (whoever wrote it) is named as such.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j");
    let mut j = EntryJournal::create(&path, &[0x11; 32], &key(), fresh()).unwrap();
    j.record(&session()[0]).unwrap();
    let err = open_err(&std::fs::read(&path).unwrap(), &key());
    assert!(matches!(err, JournalError::WrongElection { .. }), "{err}");
    // The header's body identifier copied from ours onto theirs: the header's tag fails.
    let (ours, _) = written_with(&key(), 1);
    let mut mixed = theirs.clone();
    mixed[44..76].copy_from_slice(&ours[44..76]);
    assert_eq!(open_err(&mixed, &key()), JournalError::HeaderDamaged);
}

#[test]
fn an_unkeyed_version_1_journal_is_refused_with_its_own_message() {
    // The version-1 header: magic, version 1, election, SHA-256 of those 44 bytes; then a
    // record of the bare SHA-256 chain.
    let mut v1 = b"TALLYJNL".to_vec();
    v1.extend_from_slice(&1u32.to_le_bytes());
    v1.extend_from_slice(&ELECTION);
    let check: [u8; 32] = Sha256::digest(&v1).into();
    v1.extend_from_slice(&check);
    let err = read(&v1, &ELECTION, &key()).unwrap_err();
    assert_eq!(err, JournalError::UnkeyedVersion1);
    let text = err.to_string();
    assert!(text.contains("format version 1"), "{text}");
    assert!(text.contains("not authenticated"), "{text}");
    assert_eq!(
        read(
            &[&b"TALLYJNL"[..], &7u32.to_le_bytes(), &[0; 96]].concat(),
            &ELECTION,
            &key()
        )
        .unwrap_err(),
        JournalError::UnsupportedVersion(7)
    );
}

#[test]
fn the_head_is_the_count_and_the_last_tag_and_a_rolled_back_copy_shows_another() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal");
    let mut w = JournalWriter::create(&path, &ELECTION, &key()).unwrap();
    let empty = w.head();
    assert_eq!(empty.records, 0);
    for i in 0..10u8 {
        w.append(&[i; 20]).unwrap();
    }
    let head = w.head();
    assert_eq!(head.records, 10);
    assert_eq!(head.hash, w.last_hash());
    assert_eq!(head.hex().len(), 64);
    assert_eq!(head.grouped().len(), 79);
    assert_eq!(head.grouped().split(' ').count(), 16);
    assert!(head.to_string().starts_with("10 records, chain head "));
    let full = std::fs::read(&path).unwrap();
    drop(w);
    let (w, contents) = JournalWriter::open(&path, &ELECTION, &key()).unwrap();
    assert_eq!(w.head(), head);
    assert_eq!(contents.head(), head);
    // An older copy (the first 7 records) is a valid journal: without a monotonic counter
    // nothing in the file can tell. Its count and head differ from the newer paper's.
    let spans = spans(&full);
    let older = &full[..spans[6].1];
    let rolled = read(older, &ELECTION, &key()).unwrap();
    assert_eq!(rolled.head().records, 7);
    assert_ne!(rolled.head().hash, head.hash);
    // The head depends on the key: the same records under another key end elsewhere.
    let other = JournalKey::new(&[0x99; 32]);
    assert_ne!(
        tally_core::journal::start_hash(&ELECTION, &other),
        tally_core::journal::start_hash(&ELECTION, &key())
    );
}

#[test]
fn the_body_identifier_has_a_known_answer() {
    // The journal key of the RFC 8032 TEST 2 seed (signing's known answer), and the body
    // identifier HMAC-SHA-256(key, "tally-journal v2 body-id\0") computed independently.
    let key: [u8; 32] =
        hex_array("1281b0dc7742c7674a5b270529126f2b1dd0074274f73bbff6e52e5d7d1882ed");
    assert_eq!(
        hex_of(&JournalKey::new(&key).body_id()),
        "6d1485b1e90cd12c7d7d7ac5f4c664c441ded293516d75a22ce9e99215126589"
    );
}

fn hex_array(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
