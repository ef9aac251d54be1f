//! What the media library reports (typed errors, with English text for the logs), in the
//! officials' words: the one place where a stick's trouble becomes a catalogue text.

use tally_media::MediaError;
use tally_media::detect::{DeviceIdentity, Unusable};
use tally_media::export::{ExportFailure, StickState};

use crate::text::{Lang, Msg};

/// The catalogue text for a media error's kind.
pub fn media_error_msg(e: &MediaError) -> Msg {
    if let MediaError::Removed { .. } = e {
        return Msg::MediaRemovedWhileReading;
    }
    if e.looks_removed() {
        return Msg::MediaGone;
    }
    match e {
        MediaError::Io { .. } => Msg::MediaIo,
        MediaError::Mount { .. } => Msg::MediaMount,
        MediaError::Unmount { .. } => Msg::MediaUnmount,
        MediaError::OptionsNotInForce { .. } => Msg::MediaOptions,
        MediaError::Symlink { .. } => Msg::MediaSymlink,
        MediaError::NotRegular { .. } => Msg::MediaNotRegular,
        MediaError::TooLarge { .. } => Msg::MediaTooLarge,
        MediaError::TotalTooLarge { .. } => Msg::MediaTotalTooLarge,
        MediaError::TooManyEntries { .. } => Msg::MediaTooManyEntries,
        MediaError::BadName { .. } => Msg::MediaBadName,
        MediaError::ExportExists { .. } => Msg::MediaExportExists,
        MediaError::ReadBackMismatch { .. } => Msg::MediaReadBack,
        MediaError::VerifyFailed(_) => Msg::MediaVerifyFailed,
        MediaError::Injected(_) => Msg::MediaInjected,
        MediaError::NotUsable { .. } => Msg::MediaNotUsable,
        MediaError::Removed { .. } => Msg::MediaRemoved,
        MediaError::Audit(_) => Msg::MediaAudit,
        MediaError::Devices { .. } => Msg::MediaDevices,
    }
}

/// A media error for the official: the text, then the technical detail in brackets.
pub fn media_error(e: &MediaError, lang: Lang) -> String {
    format!("{} ({e})", media_error_msg(e).text(lang))
}

/// Why a stick cannot be used.
pub fn unusable(u: &Unusable, lang: Lang) -> String {
    match u {
        Unusable::NoMedium => Msg::UnusableNoMedium.text(lang).to_owned(),
        Unusable::NoUsablePartition => Msg::UnusableNoPartition.text(lang).to_owned(),
        Unusable::UnsupportedFileSystem(names) => {
            Msg::UnusableFileSystem.fill(lang, &[&names.join(", ")])
        }
        Unusable::SeveralUsablePartitions(n) => Msg::UnusableSeveral.fill(lang, &[&n.to_string()]),
        Unusable::Unreadable(errors) => Msg::UnusableUnreadable.fill(lang, &[&errors.join("; ")]),
    }
}

/// A failed export: what went wrong, that the data stay, and what the stick holds now.
pub fn export_failure(f: &ExportFailure, lang: Lang) -> String {
    let msg = match f.stick {
        StickState::Unchanged => Msg::ExportFailedUnchanged,
        StickState::MayHoldPartialExport => Msg::ExportFailedPartial,
    };
    msg.fill(lang, &[&media_error(&f.error, lang)])
}

/// A device as the official sees it: vendor and model, serial number, device node.
pub fn device(id: &DeviceIdentity, lang: Lang) -> String {
    let mut name = [&id.vendor, &id.model]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        name = Msg::DeviceUnknown.text(lang).to_owned();
    }
    match &id.serial {
        Some(serial) => Msg::DeviceSerialAt.fill(lang, &[&name, serial, &id.devnode]),
        None => Msg::DeviceAt.fill(lang, &[&name, &id.devnode]),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn unusable_sticks_in_both_languages() {
        let ntfs = Unusable::UnsupportedFileSystem(vec!["ntfs".into()]);
        assert_eq!(
            unusable(&ntfs, Lang::Nl),
            "geen bruikbare partitie: bestandssysteem niet ondersteund (ntfs); gebruik FAT32, exFAT of ext4"
        );
        assert!(
            unusable(&ntfs, Lang::En)
                .starts_with("no usable partition: file system not supported (ntfs)")
        );
        assert_eq!(
            unusable(&Unusable::NoUsablePartition, Lang::Nl),
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
            device(&id, Lang::Nl),
            "QEMU QEMU USB HARDDRIVE (serienummer TALLY-A) op /dev/sda"
        );
        assert_eq!(
            device(&id, Lang::En),
            "QEMU QEMU USB HARDDRIVE (serial number TALLY-A) at /dev/sda"
        );
    }
}
