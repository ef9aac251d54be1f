//! Unit tests of `tally_tui::media_words`.

use tally_media::detect::{DeviceIdentity, Unusable};
use tally_tui::media_words::*;
use tally_tui::text::Lang;

#[test]
fn unusable_sticks_in_both_languages() {
    let ntfs = Unusable::UnsupportedFileSystem(vec!["ntfs".into()]);
    assert_eq!(
        unusable(&ntfs).text(Lang::Nl),
        "geen bruikbare partitie: bestandssysteem niet ondersteund (ntfs); gebruik FAT32 of exFAT"
    );
    let ext4 = Unusable::RefusedFileSystem(vec!["ext4".into()]);
    assert_eq!(
        unusable(&ext4).text(Lang::Nl),
        "niet gebruikt: ext4 wordt van een stick nooit geopend (alleen FAT32 of exFAT); de stick is niet gekoppeld"
    );
    assert_eq!(
        unusable(&ext4).text(Lang::En),
        "not used: ext4 is never opened from a stick (FAT32 or exFAT only); the stick was not mounted"
    );
    assert!(
        unusable(&ntfs)
            .text(Lang::En)
            .starts_with("no usable partition: file system not supported (ntfs)")
    );
    assert_eq!(
        unusable(&Unusable::NoUsablePartition).text(Lang::Nl),
        "geen bruikbare partitie"
    );
}

#[test]
fn a_device_is_described_in_the_screens_language() {
    let id = DeviceIdentity {
        vendor: Some("QEMU".into()),
        model: Some("QEMU USB HARDDRIVE".into()),
        serial: Some("TALLY-A".into()),
        devnode: "/dev/sda".into(),
    };
    assert_eq!(
        device(&id).text(Lang::Nl),
        "QEMU QEMU USB HARDDRIVE (serienummer TALLY-A) op /dev/sda"
    );
    assert_eq!(
        device(&id).text(Lang::En),
        "QEMU QEMU USB HARDDRIVE (serial number TALLY-A) at /dev/sda"
    );
}

#[test]
fn ascii_keeps_the_console_readable() {
    assert_eq!(
        tally_tui::shell::view::ascii("één partitie"),
        "een partitie"
    );
    assert_eq!(tally_tui::shell::view::ascii("Ünïcode ✓\n"), "Unicode ??");
}
