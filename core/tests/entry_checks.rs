//! Every check of BRIEF section 3, on both sides of its boundary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use tally_core::entry::{
    CheckCode, CheckResult, EntryCount, EntryShape, FieldId, PollingStationEntry, Severity, check,
};
use tally_core::ids::{CandidatePosition, ListNumber};

fn c(n: u64) -> Option<EntryCount> {
    Some(EntryCount::new(n).unwrap())
}

fn tk_shape() -> EntryShape {
    EntryShape {
        has_voter_cards: true,
        lists: vec![(ListNumber(1), 3), (ListNumber(2), 2)],
    }
}

fn gr_shape() -> EntryShape {
    EntryShape {
        has_voter_cards: false,
        ..tk_shape()
    }
}

/// A consistent entry: list 1 has `l1`, list 2 has `l2` candidate votes, then F, G and D;
/// every total as it should be, the D/H block filled in correctly.
fn consistent(
    shape: &EntryShape,
    l1: [u64; 3],
    l2: [u64; 2],
    f: u64,
    g: u64,
    d: u64,
) -> PollingStationEntry {
    let mut e = PollingStationEntry::empty(shape);
    let t1: u64 = l1.iter().sum();
    let t2: u64 = l2.iter().sum();
    e.lists[0].candidate_votes = l1.iter().map(|x| c(*x)).collect();
    e.lists[0].total = c(t1);
    e.lists[1].candidate_votes = l2.iter().map(|x| c(*x)).collect();
    e.lists[1].total = c(t2);
    e.list_votes = vec![(ListNumber(1), c(t1)), (ListNumber(2), c(t2))];
    let total = t1 + t2;
    e.votes_on_candidates = c(total);
    e.blank_votes = c(f);
    e.invalid_votes = c(g);
    let h = total + f + g;
    e.votes_cast = c(h);
    let (b, cc) = (d / 20, if shape.has_voter_cards { d / 50 } else { 0 });
    e.poll_cards = c(d - b - cc);
    e.proxy_certificates = c(b);
    if shape.has_voter_cards {
        e.voter_cards = c(cc);
    }
    e.admitted_voters = c(d);
    if d == h {
        e.admitted_equals_cast = true;
    } else if h > d {
        e.cast_greater_than_admitted = true;
        e.more_ballots_counted = c(h - d);
        e.difference_explained_yes = true;
    } else {
        e.cast_smaller_than_admitted = true;
        e.fewer_ballots_counted = c(d - h);
        e.difference_explained_no = true;
    }
    e
}

fn base() -> PollingStationEntry {
    // E = 980, F = 10, G = 10, H = 1000 = D.
    consistent(&tk_shape(), [500, 300, 100], [60, 20], 10, 10, 1000)
}

fn codes(e: &PollingStationEntry, shape: &EntryShape) -> Vec<CheckCode> {
    check(e, shape).into_iter().map(|r| r.code).collect()
}

fn result(e: &PollingStationEntry, shape: &EntryShape, code: CheckCode) -> Option<CheckResult> {
    check(e, shape).into_iter().find(|r| r.code == code)
}

#[test]
fn a_consistent_entry_passes_every_check() {
    assert_eq!(codes(&base(), &tk_shape()), vec![]);
    let gr = consistent(&gr_shape(), [500, 300, 100], [60, 20], 10, 10, 1000);
    assert_eq!(codes(&gr, &gr_shape()), vec![]);
    // And with a difference between D and H, correctly filled in.
    let more = consistent(&tk_shape(), [500, 300, 100], [60, 20], 10, 10, 998);
    assert_eq!(codes(&more, &tk_shape()), vec![]);
    let fewer = consistent(&tk_shape(), [500, 300, 100], [60, 20], 10, 10, 1003);
    assert_eq!(codes(&fewer, &tk_shape()), vec![]);
}

#[test]
fn f201_a_b_c_against_d() {
    let s = tk_shape();
    let mut e = base();
    e.poll_cards = c(e.poll_cards.unwrap().get() + 1);
    let r = result(&e, &s, CheckCode::F201).unwrap();
    assert_eq!(
        r.fields,
        vec![
            FieldId::PollCards,
            FieldId::ProxyCertificates,
            FieldId::VoterCards,
            FieldId::AdmittedVoters
        ]
    );
    assert_eq!(r.severity(), Severity::Error);
    assert!(r.message_nl().contains("F.201") && r.message_en().contains("A + B + C"));
    e.poll_cards = c(e.poll_cards.unwrap().get() - 2);
    assert!(codes(&e, &s).contains(&CheckCode::F201));
    e.poll_cards = c(e.poll_cards.unwrap().get() + 1);
    assert!(!codes(&e, &s).contains(&CheckCode::F201));
    // C counts when the form has it.
    e.voter_cards = c(e.voter_cards.unwrap().get() + 1);
    assert!(codes(&e, &s).contains(&CheckCode::F201));
}

#[test]
fn f201_without_field_c_in_gr() {
    let s = gr_shape();
    let mut e = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 1000);
    assert_eq!(e.voter_cards, None);
    assert!(!codes(&e, &s).contains(&CheckCode::F201));
    e.admitted_voters = c(1001);
    let r = result(&e, &s, CheckCode::F201).unwrap();
    assert_eq!(
        r.fields,
        vec![
            FieldId::PollCards,
            FieldId::ProxyCertificates,
            FieldId::AdmittedVoters
        ]
    );
}

#[test]
fn f202_list_totals_against_e() {
    let s = tk_shape();
    let mut e = base();
    e.votes_on_candidates = c(979);
    e.votes_cast = c(999); // keep E + F + G = H
    let r = result(&e, &s, CheckCode::F202).unwrap();
    assert_eq!(
        r.fields,
        vec![
            FieldId::ListVotes(ListNumber(1)),
            FieldId::ListVotes(ListNumber(2)),
            FieldId::VotesOnCandidates
        ]
    );
    assert!(!codes(&e, &s).contains(&CheckCode::F203));
    e.votes_on_candidates = c(980);
    e.votes_cast = c(1000);
    assert!(!codes(&e, &s).contains(&CheckCode::F202));
}

#[test]
fn f203_e_f_g_against_h() {
    let s = tk_shape();
    let mut e = base();
    e.blank_votes = c(11);
    assert_eq!(
        result(&e, &s, CheckCode::F203).unwrap().fields,
        vec![
            FieldId::VotesOnCandidates,
            FieldId::BlankVotes,
            FieldId::InvalidVotes,
            FieldId::VotesCast
        ]
    );
    assert_eq!(codes(&e, &s), vec![CheckCode::F203]);
    e.blank_votes = c(9);
    assert_eq!(codes(&e, &s), vec![CheckCode::F203]);
    e.blank_votes = c(10);
    assert_eq!(codes(&e, &s), vec![]);
}

#[test]
fn f204_list_votes_while_e_is_zero() {
    let s = tk_shape();
    let mut e = PollingStationEntry::empty(&s);
    e.votes_on_candidates = c(0);
    assert!(!codes(&e, &s).contains(&CheckCode::F204));
    e.list_votes[1].1 = c(1);
    let r = result(&e, &s, CheckCode::F204).unwrap();
    assert_eq!(
        r.fields,
        vec![
            FieldId::ListVotes(ListNumber(2)),
            FieldId::VotesOnCandidates
        ]
    );
    e.votes_on_candidates = c(1);
    assert!(!codes(&e, &s).contains(&CheckCode::F204));
}

#[test]
fn f301_equal_ticked_but_d_and_h_differ() {
    let s = tk_shape();
    let mut e = base();
    e.admitted_voters = c(1001);
    e.poll_cards = c(e.poll_cards.unwrap().get() + 1);
    let found = codes(&e, &s);
    assert!(found.contains(&CheckCode::F301), "{found:?}");
    assert_eq!(
        result(&e, &s, CheckCode::F301).unwrap().fields,
        vec![FieldId::AdmittedEqualsCast]
    );
    assert!(!codes(&base(), &s).contains(&CheckCode::F301));
}

#[test]
fn f302_greater_ticked_but_h_not_greater() {
    let s = tk_shape();
    let mut e = base(); // H = D
    e.admitted_equals_cast = false;
    e.cast_greater_than_admitted = true;
    assert!(codes(&e, &s).contains(&CheckCode::F302));
    // H = D + 1: no longer F.302.
    let ok = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 999);
    assert!(ok.cast_greater_than_admitted);
    assert!(!codes(&ok, &s).contains(&CheckCode::F302));
}

#[test]
fn f303_smaller_ticked_but_h_not_smaller() {
    let s = tk_shape();
    let mut e = base();
    e.admitted_equals_cast = false;
    e.cast_smaller_than_admitted = true;
    assert!(codes(&e, &s).contains(&CheckCode::F303));
    let ok = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 1001);
    assert!(ok.cast_smaller_than_admitted);
    assert!(!codes(&ok, &s).contains(&CheckCode::F303));
}

#[test]
fn f304_exactly_one_box() {
    let s = tk_shape();
    let mut e = base();
    e.admitted_equals_cast = false;
    assert!(codes(&e, &s).contains(&CheckCode::F304));
    e.admitted_equals_cast = true;
    assert!(!codes(&e, &s).contains(&CheckCode::F304));
    e.cast_smaller_than_admitted = true;
    let found = codes(&e, &s);
    assert!(
        found.contains(&CheckCode::F304) && found.contains(&CheckCode::F303),
        "{found:?}"
    );
}

#[test]
fn f305_i_and_j_empty_when_d_equals_h() {
    let s = tk_shape();
    let mut e = base();
    e.more_ballots_counted = c(0); // 0 is as good as empty
    e.fewer_ballots_counted = c(0);
    assert!(!codes(&e, &s).contains(&CheckCode::F305));
    e.fewer_ballots_counted = c(1);
    assert_eq!(
        result(&e, &s, CheckCode::F305).unwrap().fields,
        vec![FieldId::FewerBallotsCounted]
    );
    e.more_ballots_counted = c(1);
    assert_eq!(
        result(&e, &s, CheckCode::F305).unwrap().fields,
        vec![FieldId::MoreBallotsCounted, FieldId::FewerBallotsCounted]
    );
}

#[test]
fn f306_f307_h_greater_than_d() {
    let s = tk_shape();
    let mut e = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 995); // I = 5
    assert_eq!(codes(&e, &s), vec![]);
    e.more_ballots_counted = c(6);
    assert_eq!(codes(&e, &s), vec![CheckCode::F306]);
    e.more_ballots_counted = c(4);
    assert_eq!(codes(&e, &s), vec![CheckCode::F306]);
    e.more_ballots_counted = None;
    assert_eq!(codes(&e, &s), vec![CheckCode::F306]);
    e.more_ballots_counted = c(5);
    e.fewer_ballots_counted = c(1);
    assert_eq!(codes(&e, &s), vec![CheckCode::F307]);
    e.fewer_ballots_counted = c(0);
    assert_eq!(codes(&e, &s), vec![]);
}

#[test]
fn f308_f309_h_smaller_than_d() {
    let s = tk_shape();
    let mut e = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 1007); // J = 7
    assert_eq!(codes(&e, &s), vec![]);
    e.fewer_ballots_counted = c(8);
    assert_eq!(codes(&e, &s), vec![CheckCode::F308]);
    e.fewer_ballots_counted = c(6);
    assert_eq!(codes(&e, &s), vec![CheckCode::F308]);
    e.fewer_ballots_counted = c(7);
    e.more_ballots_counted = c(1);
    assert_eq!(codes(&e, &s), vec![CheckCode::F309]);
    assert_eq!(
        result(&e, &s, CheckCode::F309).unwrap().fields,
        vec![FieldId::MoreBallotsCounted, FieldId::FewerBallotsCounted]
    );
    e.more_ballots_counted = None;
    assert_eq!(codes(&e, &s), vec![]);
}

#[test]
fn f310_explanation_answered_when_d_differs_from_h() {
    let s = tk_shape();
    let mut e = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 1001);
    e.difference_explained_no = false;
    assert_eq!(codes(&e, &s), vec![CheckCode::F310]);
    e.difference_explained_yes = true;
    assert_eq!(codes(&e, &s), vec![]);
    e.difference_explained_no = true; // both ticked
    assert_eq!(codes(&e, &s), vec![CheckCode::F310]);
    // No answer needed when D = H.
    assert!(!base().difference_explained_yes && !base().difference_explained_no);
    assert_eq!(codes(&base(), &s), vec![]);
}

#[test]
fn f401_votes_while_list_total_is_zero() {
    let s = tk_shape();
    let mut e = PollingStationEntry::empty(&s);
    e.lists[1].total = c(0);
    assert!(!codes(&e, &s).contains(&CheckCode::F401));
    e.lists[1].candidate_votes[1] = c(1);
    let r = result(&e, &s, CheckCode::F401).unwrap();
    assert_eq!(r.list, Some(ListNumber(2)));
    assert_eq!(
        r.fields,
        vec![
            FieldId::CandidateVotes(ListNumber(2), CandidatePosition(2)),
            FieldId::ListTotal(ListNumber(2))
        ]
    );
    assert!(r.message_nl().contains("lijst 2"));
    // F.402 is not reported on top of F.401.
    assert!(!codes(&e, &s).contains(&CheckCode::F402));
    // E.x > 0 with a list total of 0 is F.401 too.
    let mut e = PollingStationEntry::empty(&s);
    e.list_votes[0].1 = c(1);
    assert!(codes(&e, &s).contains(&CheckCode::F401));
    e.lists[0].total = c(1);
    e.lists[0].candidate_votes[0] = c(1);
    assert!(!codes(&e, &s).contains(&CheckCode::F401));
}

#[test]
fn f402_list_total_against_its_candidates() {
    let s = tk_shape();
    let mut e = base();
    e.lists[0].candidate_votes[2] = c(101);
    let r = result(&e, &s, CheckCode::F402).unwrap();
    assert_eq!(r.list, Some(ListNumber(1)));
    assert!(r.fields.contains(&FieldId::CandidateVotes(
        ListNumber(1),
        CandidatePosition(3)
    )));
    assert!(r.fields.contains(&FieldId::ListTotal(ListNumber(1))));
    assert_eq!(codes(&e, &s), vec![CheckCode::F402]);
    e.lists[0].candidate_votes[2] = c(99);
    assert_eq!(codes(&e, &s), vec![CheckCode::F402]);
    e.lists[0].candidate_votes[2] = c(100);
    assert_eq!(codes(&e, &s), vec![]);
}

#[test]
fn f403_list_total_against_e_x() {
    let s = tk_shape();
    let mut e = base();
    e.list_votes[1].1 = c(81);
    e.votes_on_candidates = c(981);
    e.votes_cast = c(1001);
    e.admitted_voters = c(1001);
    e.poll_cards = c(e.poll_cards.unwrap().get() + 1);
    let r = result(&e, &s, CheckCode::F403).unwrap();
    assert_eq!(
        r.fields,
        vec![
            FieldId::ListTotal(ListNumber(2)),
            FieldId::ListVotes(ListNumber(2))
        ]
    );
    assert_eq!(codes(&e, &s), vec![CheckCode::F403]);
    e.list_votes[1].1 = c(79);
    e.votes_on_candidates = c(979);
    e.votes_cast = c(999);
    e.admitted_voters = c(999);
    e.poll_cards = c(e.poll_cards.unwrap().get() - 2);
    assert_eq!(codes(&e, &s), vec![CheckCode::F403]);
}

#[test]
fn w201_blank_votes_three_percent() {
    let s = tk_shape();
    // H = 1000, F = 30: exactly 3 %.
    let e = consistent(&s, [500, 300, 100], [60, 10], 30, 0, 1000);
    assert_eq!(codes(&e, &s), vec![CheckCode::W201]);
    assert_eq!(
        result(&e, &s, CheckCode::W201).unwrap().severity(),
        Severity::Warning
    );
    // F = 29 of H = 1000: below.
    let e = consistent(&s, [500, 300, 100], [60, 11], 29, 0, 1000);
    assert_eq!(codes(&e, &s), vec![]);
    // 3 of 100 is 3 %; 3 of 101 is not.
    let e = consistent(&s, [50, 30, 10], [5, 2], 3, 0, 100);
    assert_eq!(codes(&e, &s), vec![CheckCode::W201]);
    let e = consistent(&s, [50, 30, 10], [5, 3], 3, 0, 101);
    assert_eq!(codes(&e, &s), vec![]);
}

#[test]
fn w202_invalid_votes_three_percent() {
    let s = tk_shape();
    let e = consistent(&s, [500, 300, 100], [60, 10], 0, 30, 1000);
    assert_eq!(codes(&e, &s), vec![CheckCode::W202]);
    let e = consistent(&s, [500, 300, 100], [60, 11], 0, 29, 1000);
    assert_eq!(codes(&e, &s), vec![]);
}

#[test]
fn w203_large_difference_two_percent_and_fifteen() {
    let s = tk_shape();
    // H = 1000: D = 1020 (20 = 2 %, >= 15) warns, D = 1019 (1.9 %) does not.
    let e = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 1020);
    assert_eq!(codes(&e, &s), vec![CheckCode::W203]);
    assert_eq!(
        result(&e, &s, CheckCode::W203).unwrap().fields,
        vec![FieldId::AdmittedVoters, FieldId::VotesCast]
    );
    let e = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 1019);
    assert_eq!(codes(&e, &s), vec![]);
    // H = 1000, D = 980 (H > D by 20) warns as well; D = 981 does not.
    let e = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 980);
    assert_eq!(codes(&e, &s), vec![CheckCode::W203]);
    let e = consistent(&s, [500, 300, 100], [60, 20], 10, 10, 981);
    assert_eq!(codes(&e, &s), vec![]);
    // H = 500: a difference of 15 (3 %) warns; 14 (2.8 %) does not: the 15 bound.
    let e = consistent(&s, [250, 150, 50], [30, 10], 5, 5, 515);
    assert_eq!(codes(&e, &s), vec![CheckCode::W203]);
    let e = consistent(&s, [250, 150, 50], [30, 10], 5, 5, 514);
    assert_eq!(codes(&e, &s), vec![]);
}

#[test]
fn w204_h_is_zero() {
    let s = tk_shape();
    let e = consistent(&s, [0, 0, 0], [0, 0], 0, 0, 0);
    assert_eq!(codes(&e, &s), vec![CheckCode::W204]);
    let e = consistent(&s, [0, 0, 0], [0, 0], 1, 0, 1);
    assert_eq!(codes(&e, &s), vec![CheckCode::W201]); // 1 blank of 1: 100 %, and not W.204
}

#[test]
fn the_largest_counts_never_overflow() {
    let s = tk_shape();
    let max = 999_999_999;
    let mut e = PollingStationEntry::empty(&s);
    for f in s.fields() {
        if !f.is_mark() {
            e.set(
                &s,
                f,
                tally_core::entry::FieldValue::Count(EntryCount::new(max).unwrap()),
            )
            .unwrap();
        }
    }
    let found = codes(&e, &s);
    for code in [
        CheckCode::F201,
        CheckCode::F202,
        CheckCode::F203,
        CheckCode::F402,
    ] {
        assert!(found.contains(&code), "{code} in {found:?}");
    }
}

#[test]
fn every_code_has_both_messages() {
    let s = tk_shape();
    let mut e = PollingStationEntry::empty(&s);
    e.list_votes[0].1 = c(5);
    e.lists[1].candidate_votes[0] = c(3);
    e.admitted_voters = c(100);
    e.more_ballots_counted = c(1);
    e.cast_greater_than_admitted = true;
    for r in check(&e, &s) {
        assert!(r.message_nl().starts_with(r.code.as_str()));
        assert!(r.message_en().starts_with(r.code.as_str()));
        assert_ne!(r.message_nl(), r.message_en());
        assert!(!r.fields.is_empty());
    }
}
