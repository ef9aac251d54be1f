//! Where the cursor goes on the paper form of Juinen (the Kiesraad's test election: lists
//! of 8, 6, 30 and 50 candidates): PgDn never skips a list's total, PgUp goes to a block's
//! start, a candidate is found by number, returned fields are visited in typing order.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tally_core::eml::definition::{SourceFile, load_election};
use tally_core::entry::FieldId;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_ledger::form::{ElectionInfo, Form};

fn juinen() -> Form {
    let file = |name: &str| {
        std::fs::read(format!(
            "{}/../demo/files/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let a = file("eml110a_verkiezingsdefinitie-juinen.eml.xml");
    let l = file("eml230b_kandidatenlijsten-juinen.eml.xml");
    let b = file("eml110b_stembureaulijst-juinen.eml.xml");
    let election = load_election(
        &SourceFile::new("a", &a),
        &[SourceFile::new("l", &l)],
        Some(&SourceFile::new("b", &b)),
    )
    .unwrap();
    Form::new(&ElectionInfo::from_election(&election).unwrap())
}

fn at(form: &Form, id: FieldId) -> usize {
    form.index_of(id).unwrap()
}

fn candidate(list: u32, position: u32) -> FieldId {
    FieldId::CandidateVotes(ListNumber(list), CandidatePosition(position))
}

#[test]
fn page_down_goes_to_the_lists_total_before_the_next_block() {
    let form = juinen();
    let total_2 = at(&form, FieldId::ListTotal(ListNumber(2)));
    // From a candidate of list 2 to its total, from the total to list 3's first candidate.
    assert_eq!(form.page_down(at(&form, candidate(2, 1))), total_2);
    assert_eq!(form.page_down(total_2), at(&form, candidate(3, 1)));
    // From the last list's total: the last field stays.
    let last = form.fields.len() - 1;
    assert_eq!(
        form.page_down(at(&form, FieldId::ListTotal(ListNumber(4)))),
        last
    );
    // Outside the lists (the voters' block): to the next block's first field.
    let first_votes = form.fields.iter().position(|f| f.block == 1).unwrap();
    assert_eq!(form.page_down(0), first_votes);
}

#[test]
fn page_up_goes_to_the_blocks_start_then_to_the_previous_block() {
    let form = juinen();
    let first_3 = at(&form, candidate(3, 1));
    assert_eq!(form.page_up(at(&form, candidate(3, 12))), first_3);
    assert_eq!(form.page_up(first_3), at(&form, candidate(2, 1)));
    assert_eq!(form.page_up(0), 0);
}

#[test]
fn a_candidate_is_found_by_number_within_its_list_only() {
    let form = juinen();
    let in_list_4 = at(&form, candidate(4, 17));
    assert_eq!(form.list_of_block(in_list_4), Some(ListNumber(4)));
    assert_eq!(
        form.candidate_index(ListNumber(4), 50),
        Some(at(&form, candidate(4, 50)))
    );
    // List 1 has 8 candidates.
    assert_eq!(form.candidate_index(ListNumber(1), 9), None);
    assert_eq!(
        form.total_of_block(in_list_4),
        Some(at(&form, FieldId::ListTotal(ListNumber(4))))
    );
    // The voters' block is no list's.
    assert_eq!(form.list_of_block(0), None);
    assert_eq!(form.total_of_block(0), None);
}

#[test]
fn returned_fields_are_visited_in_typing_order() {
    let form = juinen();
    let ids = [FieldId::ListTotal(ListNumber(3)), candidate(1, 2)];
    assert_eq!(
        form.indexes_of(&ids),
        vec![
            at(&form, candidate(1, 2)),
            at(&form, FieldId::ListTotal(ListNumber(3)))
        ]
    );
}

#[test]
fn an_entrys_progress_counts_its_values_or_its_cursor_and_is_whole_only_once_saved() {
    use tally_core::entry::{EntryCount, FieldValue, PollingStationEntry};
    use tally_ledger::municipal::Entry;
    let form = juinen();
    let mut entry = Entry {
        typist: "Anna".into(),
        person: None,
        values: PollingStationEntry::empty(&form.shape),
        cursor: 0,
        finished: false,
    };
    // Just started: nothing typed, the cursor at the first field (an empty count and an
    // unticked box are values the core gives for every field, not typed ones).
    assert_eq!(entry.percent(&form), 0);
    // The cursor half-way through the form, nothing typed before it (empty counts are 0).
    entry.cursor = form.fields.len() / 2;
    assert!(
        (49..=50).contains(&entry.percent(&form)),
        "{}",
        entry.percent(&form)
    );
    entry.cursor = 0;
    // Half of the counts typed, the cursor back at the start.
    let counts: Vec<_> = form.fields.iter().filter(|f| !f.id.is_mark()).collect();
    for f in counts.iter().take(counts.len() / 2) {
        let one = FieldValue::Count(EntryCount::new(1).unwrap());
        entry.values.set(&form.shape, f.id, one).unwrap();
    }
    assert!(
        (49..=50).contains(&entry.percent(&form)),
        "{}",
        entry.percent(&form)
    );
    // Every field holding a value (an entry sent back, its cursor at the start): 99 until
    // saved.
    for f in &form.fields {
        let value = if f.id.is_mark() {
            FieldValue::Mark(true)
        } else {
            FieldValue::Count(EntryCount::new(1).unwrap())
        };
        entry.values.set(&form.shape, f.id, value).unwrap();
    }
    assert_eq!(entry.percent(&form), 99);
    entry.finished = true;
    assert_eq!(entry.percent(&form), 100);
}
