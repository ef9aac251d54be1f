//! What the media library and the body's appliance report (typed errors, with English text
//! for the logs), in the officials' words: the one place where a stick's, a medium's, a key's
//! or an export's trouble becomes a catalogue text ([`Refusal::from`] a `BodyError`).

use tally_body::{BodyError, StickLabel, Unfit};
use tally_media::MediaError;
use tally_media::detect::{DeviceIdentity, Unusable};
use tally_media::export::{ExportFailure, StickState};
use tally_signing::VerifyError;

use tally_core::eml::definition::DefinitionProblem;
use tally_core::eml::limits::DocumentKind;
use tally_ledger::medium::MediumError;

use crate::services::{Arg, Refusal};
use crate::text::Msg;

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
        MediaError::WriteCopy { .. } => Msg::KeepFailed,
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

/// A verification failure in the officials' words (with the technical detail after it).
pub fn verify_refusal(e: &VerifyError) -> Refusal {
    use VerifyError::*;
    let msg = match e {
        Unlistable { .. }
        | ManifestMissing { .. }
        | SignatureMissing { .. }
        | Unreadable { .. } => Msg::RefusedIncomplete,
        NotRegularFile { .. } => Msg::RefusedLink,
        CertificateFromOtherRoot { .. } | CertificateSignatureInvalid => Msg::RefusedSignerUnknown,
        CertificateNotYetValid { .. } | CertificateExpired { .. } => Msg::RefusedCertificateTime,
        CertificateForOtherElection { .. } | WrongElection { .. } => {
            Msg::RefusedMediumOtherElection
        }
        UnexpectedSigner { .. } | RoleNotAllowed { .. } => Msg::RefusedSignerNotAllowed,
        WrongKind { .. } => Msg::RefusedOtherKind,
        ManifestSignatureInvalid => Msg::RefusedChanged,
        FileMissing { .. } | FileSizeMismatch { .. } | FileHashMismatch { .. } => {
            Msg::RefusedFileChanged
        }
        CopyFailed { .. } => Msg::KeepFailed,
        _ => Msg::RefusedDamaged,
    };
    Refusal::with(msg, &[], e.to_string())
}

/// A medium that could not be opened or read, in the officials' words (the catalogue's
/// media texts say what happened to the stick themselves), then the technical detail in
/// brackets.
pub fn media_error(e: &MediaError) -> Refusal {
    Refusal::with(media_error_msg(e), &[], e.to_string())
}

/// Why a stick cannot be used.
pub fn unusable(u: &Unusable) -> Refusal {
    match u {
        Unusable::NoMedium => Refusal::with(Msg::UnusableNoMedium, &[], ""),
        Unusable::NoUsablePartition => Refusal::with(Msg::UnusableNoPartition, &[], ""),
        Unusable::UnsupportedFileSystem(names) => {
            Refusal::with(Msg::UnusableFileSystem, &[&names.join(", ")], "")
        }
        Unusable::RefusedFileSystem(names) => {
            Refusal::with(Msg::UnusableFileSystemRefused, &[&names.join(", ")], "")
        }
        Unusable::SeveralUsablePartitions(n) => {
            Refusal::with(Msg::UnusableSeveral, &[&n.to_string()], "")
        }
        Unusable::Unreadable(errors) => {
            Refusal::with(Msg::UnusableUnreadable, &[&errors.join("; ")], "")
        }
    }
}

/// A failed export: what went wrong (first that the stick was pulled, when it was), that the
/// data stay, and what the stick holds now.
pub fn export_failure(f: &ExportFailure, removed: bool) -> Refusal {
    let msg = match f.stick {
        StickState::Unchanged => Msg::ExportFailedUnchanged,
        StickState::MayHoldPartialExport => Msg::ExportFailedPartial,
    };
    let why = media_error(&f.error);
    let why = if removed {
        Refusal::said(Msg::RemovedWhileWriting, vec![why.into()])
    } else {
        why
    };
    Refusal::said(msg, vec![why.into()])
}

/// A device as the official sees it: vendor and model, serial number, device node.
pub fn device(id: &DeviceIdentity) -> Refusal {
    let name = [&id.vendor, &id.model]
        .into_iter()
        .flatten()
        .map(|s| crate::shell::view::ascii(s))
        .collect::<Vec<_>>()
        .join(" ");
    let name: Arg = if name.is_empty() {
        Refusal::with(Msg::DeviceUnknown, &[], "").into()
    } else {
        name.into()
    };
    let node = Arg::from(crate::shell::view::ascii(&id.devnode));
    match &id.serial {
        Some(serial) => Refusal::said(
            Msg::DeviceSerialAt,
            vec![name, crate::shell::view::ascii(serial).into(), node],
        ),
        None => Refusal::said(Msg::DeviceAt, vec![name, node]),
    }
}

/// How the official recognises a stick: a USB stick by its device, the media folder by its
/// path (ASCII, for the console's font).
pub fn stick_label(label: &StickLabel) -> Refusal {
    match label {
        StickLabel::Device(id) => device(id),
        StickLabel::Folder(path) => Refusal::plain(crate::shell::view::ascii(path)),
    }
}

/// Why a stick present offers nothing.
pub fn unfit(why: &Unfit) -> Refusal {
    match why {
        Unfit::Unusable(u) => unusable(u),
        Unfit::Empty => Refusal::with(Msg::StickEmpty, &[], ""),
        Unfit::Unreadable(e) => media_error(e),
    }
}

impl From<BodyError> for Refusal {
    fn from(e: BodyError) -> Refusal {
        body_refusal(&e)
    }
}

/// The body's error in the catalogue's words.
pub fn body_refusal(e: &BodyError) -> Refusal {
    let said = |msg: Msg, inner: Refusal| Refusal::said(msg, vec![inner.into()]);
    let stick_why = |label: &StickLabel, why: &tally_media::detect::Unusable| {
        Refusal::said(
            Msg::StickWhy,
            vec![stick_label(label).into(), unusable(why).into()],
        )
    };
    match e {
        BodyError::KeyUnreadable(why) => Refusal::new(Msg::KeyUnreadable, why.clone()),
        BodyError::CertificateNotValid(why) => Refusal::new(Msg::CertificateNotValid, why.clone()),
        BodyError::KeyNotOfCertificate => Refusal::with(Msg::KeyNotOfCertificate, &[], ""),
        BodyError::UnlockThrottled { seconds } => {
            Refusal::with(Msg::UnlockThrottled, &[&seconds.to_string()], "")
        }
        BodyError::WrongPassphrase => Refusal::with(Msg::WrongPassphrase, &[], ""),
        BodyError::KeyLocked => Refusal::with(Msg::KeyLocked, &[], ""),
        BodyError::Audit(why) => Refusal::with(Msg::MediaAudit, &[], why.clone()),
        BodyError::Media(e) => media_error(e),
        BodyError::Verify(e) => verify_refusal(e),
        BodyError::ClockBehind { signed, now } => Refusal::with(
            Msg::ClockBehind,
            &[&signed.to_string(), &now.to_string()],
            "",
        ),
        BodyError::StickGone => Refusal::with(Msg::StickGone, &[], ""),
        BodyError::StickBusy(why) => Refusal::with(Msg::StickBusy, &[], why.clone()),
        BodyError::StickUnusable { label, why } => stick_why(label, why),
        BodyError::NoSignedMediumOnStick(label) => {
            Refusal::said(Msg::NoSignedMediumOnStick, vec![stick_label(label).into()])
        }
        BodyError::StickPulledWhileReading => Refusal::with(Msg::StickPulledWhileReading, &[], ""),
        BodyError::Keep(e) => Refusal::with(Msg::KeepFailed, &[], e.to_string()),
        BodyError::KeptFile { .. } => Refusal::with(Msg::RefusedOther, &[], e.to_string()),
        BodyError::ExportNoStick(present) => {
            // Each stick present and why it cannot be used, one after the other.
            let present = present
                .iter()
                .map(|(label, why)| stick_why(label, why))
                .reduce(|a, b| Refusal::said(Msg::ThenAlso, vec![a.into(), b.into()]))
                .map_or_else(|| Refusal::plain(""), |all| said(Msg::InBrackets, all));
            said(Msg::ExportNoStick, present)
        }
        BodyError::ExportSeveralSticks(n) => {
            Refusal::with(Msg::ExportSeveralSticks, &[&n.to_string()], "")
        }
        BodyError::ExportFolderExists(dir) => Refusal::with(Msg::ExportFolderExists, &[dir], ""),
        BodyError::ExportWrite { failure, removed } => export_failure(failure, *removed),
        BodyError::ExportBuild(e) => crate::folder::export_refusal(e),
        BodyError::Clock(why) => Refusal::plain(format!("clock: {why}")),
        BodyError::Sign(why) => Refusal::plain(why.clone()),
        BodyError::ExportNotKept(e) => Refusal::with(Msg::ExportNotKept, &[], e.to_string()),
        BodyError::KeptExportUnusable(why) => {
            Refusal::with(Msg::KeptExportUnusable, &[], why.clone())
        }
        BodyError::MediumRefused(inner) => said(Msg::MediumRefused, body_refusal(inner)),
        BodyError::ExportFailed(inner) => said(Msg::ExportFailed, body_refusal(inner)),
    }
}

/// The words for a definition medium that is not this level's.
impl From<MediumError> for Refusal {
    fn from(e: MediumError) -> Refusal {
        let detail = e.to_string();
        match &e {
            MediumError::Files(d) => {
                let msg = match &d.problem {
                    DefinitionProblem::MediumDocuments { kind, found: 0, .. } => match kind {
                        DocumentKind::ElectionDefinition => Msg::Missing110a,
                        DocumentKind::CandidateLists => Msg::Missing230b,
                        _ => Msg::Missing110b,
                    },
                    _ => Msg::DefinitionEmlWrong,
                };
                Refusal::with(msg, &[], detail)
            }
            MediumError::No110b => Refusal::with(Msg::Missing110b, &[], ""),
            MediumError::Eml(_) => Refusal::with(Msg::DefinitionEmlWrong, &[], detail),
            MediumError::Election(e) => crate::form::refusal(e),
            MediumError::OtherMunicipality { medium, body } => {
                Refusal::with(Msg::OtherMunicipality, &[medium, body], "")
            }
            MediumError::No230bOfKieskring(k) => Refusal::with(Msg::Missing230bKieskring, &[k], ""),
            MediumError::OtherElection { medium, body } => {
                Refusal::with(Msg::RefusedOtherElection, &[], format!("{medium} / {body}"))
            }
            MediumError::Level(_) | MediumError::Registry(_) => {
                Refusal::with(Msg::RefusedOther, &[], detail)
            }
        }
    }
}
