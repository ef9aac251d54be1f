//! Which sticks are present and which one is in use: a pure state machine over classified
//! disks and removals, so the policy "a second stick while one is in use is reported and left
//! alone" is tested without hardware.

use std::collections::BTreeMap;

use crate::audit::{AuditEvent, AuditKind};
use crate::detect::{Classification, DeviceIdentity, IgnoreReason, Verdict};

/// What the program should know about a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StickEvent {
    /// A USB stick appeared (or was present at start); usable or not (show
    /// [`Unusable`], in English).
    Arrived(Classification),
    /// A known stick's verdict changed (its partitions appeared after the disk's own event, a
    /// card was put in a reader).
    Changed(Classification),
    /// A stick appeared while another one is in use: reported, left alone.
    SecondStickIgnored(Classification),
    /// A USB device that is not to be used (the boot stick, or one the system has mounted).
    IgnoredUsb(Classification),
    /// A stick disappeared. When `was_in_use`, whatever was being done with it has failed.
    Removed {
        /// Its device path.
        devpath: String,
        /// Who it was.
        identity: DeviceIdentity,
        /// Whether it was the stick in use.
        was_in_use: bool,
    },
}

impl StickEvent {
    /// The audit event for this change.
    pub fn audit_event(&self) -> AuditEvent {
        match self {
            StickEvent::Arrived(c) | StickEvent::Changed(c) => match &c.verdict {
                Verdict::Usable(v) => AuditEvent::new(
                    AuditKind::Inserted,
                    Some(&c.identity),
                    format!("usable: {} on {}", v.fs.kernel_name(), v.devnode.display()),
                ),
                Verdict::Unusable(u) => {
                    AuditEvent::new(AuditKind::Unusable, Some(&c.identity), u.to_string())
                }
                Verdict::Ignored(r) => AuditEvent::new(
                    AuditKind::Inserted,
                    Some(&c.identity),
                    format!("ignored: {r:?}"),
                ),
            },
            StickEvent::SecondStickIgnored(c) => AuditEvent::new(
                AuditKind::SecondStickIgnored,
                Some(&c.identity),
                "another stick is in use; this one is left alone",
            ),
            StickEvent::IgnoredUsb(c) => AuditEvent::new(
                AuditKind::Inserted,
                Some(&c.identity),
                format!("left alone: {:?}", c.verdict),
            ),
            StickEvent::Removed {
                identity,
                was_in_use,
                ..
            } => AuditEvent::new(
                AuditKind::Removed,
                Some(identity),
                if *was_in_use {
                    "removed while in use"
                } else {
                    ""
                },
            ),
        }
    }
}

/// Claiming a stick that cannot be claimed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    /// No stick with that device path is present.
    #[error("no stick {0} present")]
    Unknown(String),
    /// The stick is not usable.
    #[error("stick {0} is not usable")]
    NotUsable(String),
    /// Another stick is in use.
    #[error("stick {0} is in use")]
    Busy(String),
}

/// The sticks present and the one in use.
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    known: BTreeMap<String, Classification>,
    in_use: Option<String>,
}

impl Tracker {
    /// No sticks.
    pub fn new() -> Self {
        Tracker::default()
    }

    /// Takes a (re)classified disk into account. Non-USB disks give nothing; an unchanged
    /// classification gives nothing.
    pub fn observe(&mut self, c: Classification) -> Option<StickEvent> {
        if !c.usb {
            return None;
        }
        let previous = self.known.insert(c.devpath.clone(), c.clone());
        match previous {
            Some(p) if p == c => None,
            Some(_) => Some(StickEvent::Changed(c)),
            None => {
                if matches!(
                    c.verdict,
                    Verdict::Ignored(IgnoreReason::BootMedium | IgnoreReason::MountedBySystem)
                ) {
                    Some(StickEvent::IgnoredUsb(c))
                } else if self.in_use.as_ref().is_some_and(|u| *u != c.devpath) {
                    Some(StickEvent::SecondStickIgnored(c))
                } else {
                    Some(StickEvent::Arrived(c))
                }
            }
        }
    }

    /// A disk with this device path is gone.
    pub fn removed(&mut self, devpath: &str) -> Option<StickEvent> {
        let c = self.known.remove(devpath)?;
        let was_in_use = self.in_use.as_deref() == Some(devpath);
        if was_in_use {
            self.in_use = None;
        }
        Some(StickEvent::Removed {
            devpath: devpath.to_owned(),
            identity: c.identity,
            was_in_use,
        })
    }

    /// Marks a usable stick as in use; until [`Tracker::release`], other sticks are reported as
    /// [`StickEvent::SecondStickIgnored`].
    pub fn claim(&mut self, devpath: &str) -> Result<&Classification, ClaimError> {
        if let Some(other) = self.in_use.as_deref().filter(|u| *u != devpath) {
            return Err(ClaimError::Busy(other.to_owned()));
        }
        let c = self
            .known
            .get(devpath)
            .ok_or_else(|| ClaimError::Unknown(devpath.to_owned()))?;
        if !matches!(c.verdict, Verdict::Usable(_)) {
            return Err(ClaimError::NotUsable(devpath.to_owned()));
        }
        self.in_use = Some(devpath.to_owned());
        Ok(c)
    }

    /// No stick is in use any more.
    pub fn release(&mut self) {
        self.in_use = None;
    }

    /// The device path of the stick in use.
    pub fn in_use(&self) -> Option<&str> {
        self.in_use.as_deref()
    }

    /// Every USB stick present (usable, unusable or ignored), by device path.
    pub fn present(&self) -> impl Iterator<Item = &Classification> {
        self.known.values()
    }

    /// The usable sticks present.
    pub fn usable(&self) -> Vec<&Classification> {
        self.known
            .values()
            .filter(|c| matches!(c.verdict, Verdict::Usable(_)))
            .collect()
    }
}
