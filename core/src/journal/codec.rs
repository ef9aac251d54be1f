//! The binary encoding of one data-entry [`Event`] in a journal record (format in
//! `docs/journal.md`). Small and explicit: a record of a typed field is about 30 bytes.
//! Decoding is strict: every byte must be accounted for, every tag known, every name
//! valid UTF-8, every count within 0..=999,999,999.

use crate::double_entry::{Action, Decision, EntrySlot, Event, Role, Timestamp, UserName};
use crate::entry::{EntryCount, FieldId, FieldValue};
use crate::ids::PollingStationNumber;

/// Event encoding version (the first byte of every payload).
pub const EVENT_VERSION: u8 = 1;
/// The longest user name accepted, in bytes.
pub const MAX_NAME: usize = 255;

/// Why a payload is not an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The payload ends early.
    #[error("payload ends early (reading {0})")]
    Truncated(&'static str),
    /// Bytes left over after the event.
    #[error("{0} bytes after the end of the event")]
    TrailingBytes(usize),
    /// An unknown tag.
    #[error("unknown {what} tag {tag}")]
    UnknownTag {
        /// Which tag.
        what: &'static str,
        /// Its value.
        tag: u8,
    },
    /// A name that is not UTF-8.
    #[error("user name is not valid UTF-8")]
    BadName,
    /// A field code that is not a field.
    #[error("bad field code: {0}")]
    BadField(String),
    /// A count outside 0..=999,999,999.
    #[error("count {0} out of range")]
    BadCount(u32),
    /// More than 65,535 fields returned (only when encoding).
    #[error("too many fields in one decision")]
    TooManyFields,
    /// A name longer than [`MAX_NAME`] (only when encoding).
    #[error("user name longer than {MAX_NAME} bytes")]
    NameTooLong,
}

/// Encodes one event.
pub fn encode_event(event: &Event) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(40);
    out.push(EVENT_VERSION);
    out.extend_from_slice(&event.station.0.to_le_bytes());
    put_str(&mut out, &event.user.0)?;
    out.push(match event.role {
        Role::Typist => 0,
        Role::Coordinator => 1,
    });
    out.extend_from_slice(&event.at.0.to_le_bytes());
    match &event.action {
        Action::StartEntry => out.push(0),
        Action::SetField { field, value } => {
            out.push(1);
            put_str(&mut out, &field.to_string())?;
            match value {
                FieldValue::Empty => out.push(0),
                FieldValue::Count(c) => {
                    out.push(1);
                    out.extend_from_slice(
                        &u32::try_from(c.get()).unwrap_or(u32::MAX).to_le_bytes(),
                    );
                }
                FieldValue::Mark(false) => out.push(2),
                FieldValue::Mark(true) => out.push(3),
            }
        }
        Action::Save => out.push(2),
        Action::Finalise {
            acknowledge_warnings,
        } => {
            out.push(3);
            out.push(u8::from(*acknowledge_warnings));
        }
        Action::Decide { decision } => {
            out.push(4);
            out.push(match decision {
                Decision::KeepFirst => 0,
                Decision::KeepSecond => 1,
                Decision::DiscardBoth => 2,
                Decision::SendBack => 3,
                Decision::DiscardFirst => 4,
                Decision::Reopen => 5,
                Decision::AcknowledgeWarnings => 6,
                Decision::ReturnFields { .. } => 7,
            });
            if let Decision::ReturnFields { slot, fields } = decision {
                out.push(match slot {
                    EntrySlot::First => 0,
                    EntrySlot::Second => 1,
                });
                out.extend_from_slice(
                    &u16::try_from(fields.len())
                        .map_err(|_| CodecError::TooManyFields)?
                        .to_le_bytes(),
                );
                for field in fields {
                    put_str(&mut out, &field.to_string())?;
                }
            }
        }
    }
    Ok(out)
}

fn put_str(out: &mut Vec<u8>, s: &str) -> Result<(), CodecError> {
    let len = u8::try_from(s.len()).map_err(|_| CodecError::NameTooLong)?;
    out.push(len);
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CodecError> {
        if self.bytes.len() < n {
            return Err(CodecError::Truncated(what));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, CodecError> {
        Ok(self.take(1, what)?.first().copied().unwrap_or(0))
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], CodecError> {
        self.take(N, what)?
            .try_into()
            .map_err(|_| CodecError::Truncated(what))
    }

    fn str(&mut self, what: &'static str) -> Result<&'a str, CodecError> {
        let len = usize::from(self.u8(what)?);
        std::str::from_utf8(self.take(len, what)?).map_err(|_| CodecError::BadName)
    }
}

/// Decodes one event; the whole payload must be exactly one event.
pub fn decode_event(payload: &[u8]) -> Result<Event, CodecError> {
    let mut r = Reader { bytes: payload };
    let version = r.u8("version")?;
    if version != EVENT_VERSION {
        return Err(CodecError::UnknownTag {
            what: "event version",
            tag: version,
        });
    }
    let station = PollingStationNumber(u32::from_le_bytes(r.array("station")?));
    let user = UserName(r.str("user")?.to_owned());
    let role = match r.u8("role")? {
        0 => Role::Typist,
        1 => Role::Coordinator,
        tag => return Err(CodecError::UnknownTag { what: "role", tag }),
    };
    let at = Timestamp(i64::from_le_bytes(r.array("time")?));
    let action =
        match r.u8("action")? {
            0 => Action::StartEntry,
            1 => {
                let code = r.str("field")?;
                let field: FieldId = code
                    .parse()
                    .map_err(|_| CodecError::BadField(code.chars().take(40).collect()))?;
                let value = match r.u8("value")? {
                    0 => FieldValue::Empty,
                    1 => {
                        let n = u32::from_le_bytes(r.array("count")?);
                        FieldValue::Count(
                            EntryCount::new(u64::from(n)).map_err(|_| CodecError::BadCount(n))?,
                        )
                    }
                    2 => FieldValue::Mark(false),
                    3 => FieldValue::Mark(true),
                    tag => return Err(CodecError::UnknownTag { what: "value", tag }),
                };
                Action::SetField { field, value }
            }
            2 => Action::Save,
            3 => match r.u8("acknowledgement")? {
                0 => Action::Finalise {
                    acknowledge_warnings: false,
                },
                1 => Action::Finalise {
                    acknowledge_warnings: true,
                },
                tag => {
                    return Err(CodecError::UnknownTag {
                        what: "acknowledgement",
                        tag,
                    });
                }
            },
            4 => Action::Decide {
                decision: match r.u8("decision")? {
                    0 => Decision::KeepFirst,
                    1 => Decision::KeepSecond,
                    2 => Decision::DiscardBoth,
                    3 => Decision::SendBack,
                    4 => Decision::DiscardFirst,
                    5 => Decision::Reopen,
                    6 => Decision::AcknowledgeWarnings,
                    7 => {
                        let slot = match r.u8("slot")? {
                            0 => EntrySlot::First,
                            1 => EntrySlot::Second,
                            tag => return Err(CodecError::UnknownTag { what: "slot", tag }),
                        };
                        let n = u16::from_le_bytes(r.array("field count")?);
                        let mut fields = Vec::new();
                        for _ in 0..n {
                            let code = r.str("field")?;
                            fields.push(code.parse().map_err(|_| {
                                CodecError::BadField(code.chars().take(40).collect())
                            })?);
                        }
                        Decision::ReturnFields { slot, fields }
                    }
                    tag => {
                        return Err(CodecError::UnknownTag {
                            what: "decision",
                            tag,
                        });
                    }
                },
            },
            tag => {
                return Err(CodecError::UnknownTag {
                    what: "action",
                    tag,
                });
            }
        };
    if !r.bytes.is_empty() {
        return Err(CodecError::TrailingBytes(r.bytes.len()));
    }
    Ok(Event {
        station,
        user,
        role,
        at,
        action,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CandidatePosition, ListNumber};

    #[test]
    fn round_trip_and_strictness() {
        let events = [
            Action::StartEntry,
            Action::Save,
            Action::Finalise {
                acknowledge_warnings: true,
            },
            Action::Decide {
                decision: Decision::Reopen,
            },
            Action::SetField {
                field: FieldId::CandidateVotes(ListNumber(12), CandidatePosition(80)),
                value: FieldValue::Count(EntryCount::new(999_999_999).unwrap()),
            },
            Action::SetField {
                field: FieldId::DifferenceExplainedNo,
                value: FieldValue::Mark(true),
            },
            Action::SetField {
                field: FieldId::VotesCast,
                value: FieldValue::Empty,
            },
        ]
        .map(|action| Event {
            station: PollingStationNumber(412),
            user: UserName("Jan de Vries".into()),
            role: Role::Coordinator,
            at: Timestamp(-5),
            action,
        });
        for e in events {
            let bytes = encode_event(&e).unwrap();
            assert_eq!(decode_event(&bytes), Ok(e.clone()));
            for cut in 0..bytes.len() {
                assert!(decode_event(&bytes[..cut]).is_err());
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(decode_event(&longer), Err(CodecError::TrailingBytes(1)));
        }
        let long = Event {
            station: PollingStationNumber(1),
            user: UserName("x".repeat(256)),
            role: Role::Typist,
            at: Timestamp(0),
            action: Action::Save,
        };
        assert_eq!(encode_event(&long), Err(CodecError::NameTooLong));
    }
}
