//! Unit tests of `tally_tui::higher::app`.

use tally_core::apportionment::{GroupDrawing, GroupDrawn};
use tally_core::ids::ListNumber;
use tally_ledger::higher::Record;
use tally_ledger::higher::group_drawn_fits;
use tally_tui::higher::app::*;
use tally_tui::text::{Lang, Msg};

#[test]
fn a_drawing_within_a_list_group_is_typed_as_a_kieskring_or_a_number_in_the_tie() {
    let seat = GroupDrawing::RemainingSeat {
        group: ListNumber(3),
        seat: 2,
        tied: vec![4, 11],
    };
    let p = PendingDrawing::Group(seat.clone());
    assert_eq!(p.tied(), vec![4, 11]);
    assert_eq!(p.prompt(), Msg::LotPromptKieskring);
    let Some(Record::GroupLot { lot, .. }) = p.clone().record(11) else {
        panic!("a group lot");
    };
    assert_eq!(lot.drawn, GroupDrawn::List(11));
    assert!(group_drawn_fits(&seat, &lot.drawn));
    assert!(!group_drawn_fits(&seat, &GroupDrawn::List(5)));
    assert!(p.text(Lang::Nl).contains("kieskring 4, 11"));

    let preference = GroupDrawing::PreferenceSeat {
        group: ListNumber(3),
        seat: 1,
        tied: vec!["OmtzigtPH".into(), "KeijzerMCH".into()],
    };
    let p = PendingDrawing::Group(preference.clone());
    assert_eq!(p.tied(), vec![1, 2]);
    assert_eq!(p.prompt(), Msg::LotPromptTieNumber);
    assert!(p.text(Lang::En).contains("1: OmtzigtPH, 2: KeijzerMCH"));
    let Some(Record::GroupLot { lot, .. }) = p.clone().record(2) else {
        panic!("a group lot");
    };
    assert_eq!(lot.drawn, GroupDrawn::Candidate("KeijzerMCH".into()));
    assert!(group_drawn_fits(&preference, &lot.drawn));
    // Outside the tie: no record.
    assert!(p.clone().record(3).is_none());
    assert!(p.record(0).is_none());
    assert!(!group_drawn_fits(&preference, &GroupDrawn::List(1)));
}
