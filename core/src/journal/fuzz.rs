//! The entry function of the journal fuzz target (`fuzz/fuzz_targets/journal.rs`), here
//! so that a normal test can run it on the checked-in seed inputs. Not for other use.
//!
//! The first byte chooses what the rest is:
//! - `0`: a journal file, read and replayed as is;
//! - `1`: payloads, split at `0xFF 0xFE`, framed into a journal with correct hashes (so
//!   that the event decoder and the replay get past the chain);
//! - anything else: one event payload.
//!
//! It panics only when an invariant is broken: that is what the fuzzer looks for.

#![allow(clippy::panic)]

use super::codec::{decode_event, encode_event};
use super::events::replay;
use super::{Hash, JournalKey, encode_record, header, read, start_hash};
use crate::double_entry::DataEntry;
use crate::entry::EntryShape;
use crate::ids::{ListNumber, PollingStationNumber};

const ELECTION: Hash = [0x42; 32];

/// The journal key the fuzz target's journals are written with.
pub fn key() -> JournalKey {
    JournalKey::new(&[0x17; 32])
}

fn fresh() -> DataEntry {
    let shape = EntryShape {
        has_voter_cards: true,
        lists: vec![(ListNumber(1), 3), (ListNumber(2), 2)],
    };
    DataEntry::new(shape, [PollingStationNumber(1), PollingStationNumber(2)])
}

/// Runs one fuzz input.
pub fn journal(data: &[u8]) {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    match mode {
        0 => whole_file(rest),
        1 => {
            let key = key();
            let mut bytes = header(&ELECTION, &key).to_vec();
            let mut prev = start_hash(&ELECTION, &key);
            for (i, payload) in split(rest).into_iter().enumerate() {
                let Ok((rec, hash)) = encode_record(&key, &prev, i as u64 + 1, payload) else {
                    return;
                };
                bytes.extend_from_slice(&rec);
                prev = hash;
            }
            let contents = match read(&bytes, &ELECTION, &key) {
                Ok(c) => c,
                Err(e) => panic!("a journal framed correctly is refused: {e}"),
            };
            if contents.torn.is_some() && !bytes.ends_with(&[0]) {
                panic!("a complete journal reported torn");
            }
            whole_file(&bytes);
        }
        _ => {
            if let Ok(event) = decode_event(rest) {
                match encode_event(&event) {
                    Ok(again) if again == rest => {}
                    Ok(_) => panic!("the event encoding is not canonical"),
                    Err(e) => panic!("a decoded event does not encode: {e}"),
                }
            }
        }
    }
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < data.len() {
        if data.get(i) == Some(&0xFF) && data.get(i + 1) == Some(&0xFE) {
            out.push(data.get(start..i).unwrap_or(&[]));
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push(data.get(start..).unwrap_or(&[]));
    out
}

fn whole_file(bytes: &[u8]) {
    let key = key();
    if let Ok(contents) = read(bytes, &ELECTION, &key) {
        {
            let valid = usize::try_from(contents.valid_len).unwrap_or(usize::MAX);
            if valid > bytes.len() {
                panic!("valid length beyond the input");
            }
            if contents.torn.is_none() && valid != bytes.len() {
                panic!("bytes ignored without a torn-tail notice");
            }
            if let Some(t) = contents.torn
                && t.valid_len.saturating_add(t.dropped_bytes) != bytes.len() as u64
            {
                panic!("torn notice does not account for every byte");
            }
            // What was accepted re-encodes to exactly the accepted bytes.
            if valid > 0 {
                let mut again = header(&ELECTION, &key).to_vec();
                let mut prev = start_hash(&ELECTION, &key);
                for r in &contents.records {
                    let Ok((rec, hash)) = encode_record(&key, &prev, r.seq, &r.payload) else {
                        panic!("an accepted record does not re-encode")
                    };
                    again.extend_from_slice(&rec);
                    prev = hash;
                }
                if bytes.get(..valid) != Some(&again[..]) {
                    panic!("accepted records differ from the bytes read");
                }
                if prev != contents.last_hash {
                    panic!("last hash is not the chain's end");
                }
            }
        }
    }
    // Replaying never panics, whatever the events.
    let _ = replay(bytes, &ELECTION, &key, fresh());
}
