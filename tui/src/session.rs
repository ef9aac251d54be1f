//! The municipal level's screens of a next session (`docs/next-session.md`): opening it, and
//! asking and concluding the investigation of a polling station. Each is a coordinator's act
//! (behind their PIN), said in words and confirmed by typing a number; the records are the
//! ledger's ([`tally_ledger::session`]).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::text::Line;
use tally_core::people::PersonId;
use tally_ledger::municipal::{MAX_SESSION_TEXT, Place, Record};
use tally_ledger::session::{Conclusion, GSB_REASONS, InvestigationReason, SessionNote};

use crate::app::{Effect, MunicipalAct, Screen, State};
use crate::services::Refusal;
use crate::shell::view::{BOLD, ascii};
use crate::text::{Lang, Msg};

/// A coordinator's form beside the entries: a step of a next session, the session's notes,
/// or the municipality's eligible voters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionForm {
    /// The municipality's number of eligible voters, typed.
    Voters {
        /// The digits typed.
        typed: String,
    },
    /// Opening the next session: its number typed to confirm.
    Open {
        /// The digits typed.
        typed: String,
    },
    /// Asking the investigation of a station: the reason (1 or 2), then the instruction.
    Request {
        /// The station.
        station: u32,
        /// The reason, once chosen.
        reason: Option<InvestigationReason>,
        /// The instruction typed.
        text: String,
    },
    /// Concluding it: the findings, recounted (J/N), corrected (J/N), then the station's
    /// number typed to confirm.
    Conclude {
        /// The station.
        station: u32,
        /// The findings typed.
        findings: String,
        /// Whether the findings are complete (Enter).
        written: bool,
        /// Recounted, once answered.
        recounted: Option<bool>,
        /// Result changed, once answered.
        corrected: Option<bool>,
        /// The digits typed to confirm.
        typed: String,
    },
    /// The session's attendance, objections and remarks: the list so far, and a new line
    /// (1 attendance: member, from, until; 2 objection; 3 remark), Enter after each text.
    Notes {
        /// The kind of the line being written (1, 2 or 3), once chosen.
        kind: Option<u8>,
        /// The texts written so far of the line.
        texts: Vec<String>,
    },
}

impl SessionForm {
    /// The empty form a coordinator's act opens, when it opens one.
    pub fn of(act: MunicipalAct) -> Option<SessionForm> {
        Some(match act {
            MunicipalAct::EligibleVoters => SessionForm::Voters {
                typed: String::new(),
            },
            MunicipalAct::Notes => SessionForm::Notes {
                kind: None,
                texts: Vec::new(),
            },
            MunicipalAct::OpenSession => SessionForm::Open {
                typed: String::new(),
            },
            MunicipalAct::Request { station } => SessionForm::Request {
                station,
                reason: None,
                text: String::new(),
            },
            MunicipalAct::Conclude { station } => SessionForm::Conclude {
                station,
                findings: String::new(),
                written: false,
                recounted: None,
                corrected: None,
                typed: String::new(),
            },
            _ => return None,
        })
    }

    /// The coordinator's act whose PIN opens the form.
    pub fn act(&self) -> MunicipalAct {
        match self {
            SessionForm::Open { .. } => MunicipalAct::OpenSession,
            SessionForm::Notes { .. } => MunicipalAct::Notes,
            SessionForm::Voters { .. } => MunicipalAct::EligibleVoters,
            SessionForm::Request { station, .. } => MunicipalAct::Request { station: *station },
            SessionForm::Conclude { station, .. } => MunicipalAct::Conclude { station: *station },
        }
    }
}

/// How many texts a line of `kind` has.
fn texts_of(kind: u8) -> usize {
    if kind == 1 { 3 } else { 1 }
}

/// The line of `kind` from its texts.
fn note_of(kind: u8, texts: &[String]) -> Option<SessionNote> {
    let text = |i: usize| texts.get(i).map(|t| t.trim().to_owned());
    Some(match kind {
        1 => SessionNote::Attendance {
            member: text(0)?,
            from: text(1)?,
            until: text(2)?,
        },
        2 => SessionNote::Objection { text: text(0)? },
        _ => SessionNote::Remark { text: text(0)? },
    })
}

/// A character typed into a text (printable, within the length the ledger takes), or
/// Backspace; other keys do nothing. Every free text of the municipal and the higher levels.
pub(crate) fn type_text(text: &mut String, key: &KeyEvent) {
    match key.code {
        KeyCode::Char(c)
            if !c.is_control()
                && !key.modifiers.contains(KeyModifiers::CONTROL)
                && text.chars().count() < MAX_SESSION_TEXT =>
        {
            text.push(c);
        }
        KeyCode::Backspace => {
            text.pop();
        }
        _ => {}
    }
}

/// A digit typed into a number of at most `max` digits, or Backspace; other keys do nothing.
pub(crate) fn type_number(typed: &mut String, key: &KeyEvent, max: usize) {
    match key.code {
        KeyCode::Char(c) if c.is_ascii_digit() && typed.len() < max => typed.push(c),
        KeyCode::Backspace => {
            typed.pop();
        }
        _ => {}
    }
}

/// J (ja) or Y yes, N no.
fn yes_no(key: &KeyEvent) -> Option<bool> {
    match key.code {
        KeyCode::Char('j' | 'J' | 'y' | 'Y') => Some(true),
        KeyCode::Char('n' | 'N') => Some(false),
        _ => None,
    }
}

fn persisted(record: Record) -> Vec<Effect> {
    vec![
        Effect::Persist(record),
        Effect::Persist(Record::Moved {
            place: Place::Overview,
        }),
    ]
}

/// A key on a session screen.
pub fn key(state: &mut State, mut form: SessionForm, key: KeyEvent) -> Vec<Effect> {
    let by = state.signed_in.unwrap_or(PersonId(0));
    let wrong_number =
        |number: u32| Refusal::with(Msg::ConfirmWrongNumber, &[&number.to_string()], "");
    match &mut form {
        // Esc while a line of notes is written drops that line, and stays.
        SessionForm::Notes {
            kind: kind @ Some(_),
            texts,
        } if key.code == KeyCode::Esc => {
            *kind = None;
            texts.clear();
        }
        _ if key.code == KeyCode::Esc => {
            let back = if matches!(form, SessionForm::Open { .. } | SessionForm::Voters { .. }) {
                Place::Total
            } else {
                Place::Overview
            };
            return vec![Effect::Persist(Record::Moved { place: back })];
        }
        SessionForm::Notes {
            kind: kind @ None,
            texts,
        } => match key.code {
            KeyCode::Char(c @ '1'..='3') => {
                *kind = c.to_digit(10).and_then(|d| u8::try_from(d).ok());
                *texts = vec![String::new()];
            }
            _ => state.info(Msg::NotesChoose, &[]),
        },
        SessionForm::Notes {
            kind: Some(kind),
            texts,
        } => {
            let Some(text) = texts.last_mut() else {
                texts.push(String::new());
                state.go(Screen::Session(form));
                return Vec::new();
            };
            if key.code != KeyCode::Enter {
                type_text(text, &key);
            } else if text.trim().is_empty() {
                state.error(Refusal::with(Msg::SessionTextEmpty, &[], ""));
            } else if texts.len() < texts_of(*kind) {
                texts.push(String::new());
            } else if let Some(note) = note_of(*kind, texts) {
                let record = Record::SessionNoted { note, by, at: 0 };
                state.go(Screen::Session(SessionForm::Notes {
                    kind: None,
                    texts: Vec::new(),
                }));
                return vec![Effect::Persist(record)];
            }
        }
        SessionForm::Voters { typed } => {
            if key.code == KeyCode::Enter {
                match typed.parse::<u64>() {
                    Ok(count) => {
                        return vec![
                            Effect::Persist(Record::EligibleVoters { count, by, at: 0 }),
                            Effect::Persist(Record::Moved {
                                place: Place::Total,
                            }),
                        ];
                    }
                    Err(_) => state.error(Refusal::with(Msg::DigitsOnly, &[], "")),
                }
            } else {
                type_number(typed, &key, 9);
            }
        }
        SessionForm::Open { typed } => {
            let next = state.ledger.sessions.number().saturating_add(1);
            if key.code == KeyCode::Enter {
                if typed.parse::<u32>().ok() == Some(next) {
                    return persisted(Record::SessionOpened { by, at: 0 });
                }
                typed.clear();
                state.error(wrong_number(next));
            } else {
                type_number(typed, &key, 6);
            }
        }
        SessionForm::Request {
            station,
            reason: reason @ None,
            ..
        } => match key.code {
            KeyCode::Char(c @ ('1' | '2')) => {
                let i = usize::from(c == '2');
                *reason = GSB_REASONS.get(i).copied();
            }
            _ => state.info(Msg::SessionChooseReason, &[&station.to_string()]),
        },
        SessionForm::Request {
            station,
            reason: Some(reason),
            text,
        } => {
            if key.code == KeyCode::Enter {
                if text.trim().is_empty() {
                    state.error(Refusal::with(Msg::SessionTextEmpty, &[], ""));
                } else {
                    return persisted(Record::InvestigationRequested {
                        station: *station,
                        reason: *reason,
                        instruction: text.trim().to_owned(),
                        by,
                        at: 0,
                    });
                }
            } else {
                type_text(text, &key);
            }
        }
        SessionForm::Conclude {
            findings,
            written: written @ false,
            ..
        } => {
            if key.code == KeyCode::Enter {
                if findings.trim().is_empty() {
                    state.error(Refusal::with(Msg::SessionTextEmpty, &[], ""));
                } else {
                    *written = true;
                }
            } else {
                type_text(findings, &key);
            }
        }
        SessionForm::Conclude {
            recounted: recounted @ None,
            ..
        } => *recounted = yes_no(&key).or(*recounted),
        SessionForm::Conclude {
            corrected: corrected @ None,
            ..
        } => *corrected = yes_no(&key).or(*corrected),
        SessionForm::Conclude {
            station,
            findings,
            recounted: Some(recounted),
            corrected: Some(corrected),
            typed,
            ..
        } => {
            if key.code == KeyCode::Enter {
                if typed.parse::<u32>().ok() == Some(*station) {
                    return persisted(Record::InvestigationConcluded {
                        station: *station,
                        conclusion: Conclusion {
                            findings: findings.trim().to_owned(),
                            recounted: *recounted,
                            corrected: *corrected,
                        },
                        by,
                        at: 0,
                    });
                }
                typed.clear();
                state.error(wrong_number(*station));
            } else {
                type_number(typed, &key, 6);
            }
        }
    }
    state.go(Screen::Session(form));
    Vec::new()
}

/// The reason's words on screen.
pub fn reason_msg(reason: InvestigationReason) -> Msg {
    match reason {
        InvestigationReason::UnexplainedDifference => Msg::ReasonUnexplained,
        // The GSB records no other reason (GSB_REASONS).
        _ => Msg::ReasonOtherError,
    }
}

fn yes_no_text(answer: bool, lang: Lang) -> &'static str {
    if answer {
        Msg::Yes.text(lang)
    } else {
        Msg::No.text(lang)
    }
}

/// What a session screen shows.
pub fn lines(state: &State, form: &SessionForm) -> Vec<Line<'static>> {
    let lang = state.lang;
    let text_line = |text: &str| Line::styled(format!("> {}_", ascii(text)), BOLD);
    let mut lines = Vec::new();
    match form {
        SessionForm::Voters { typed } => {
            lines.push(Line::styled(Msg::VotersTitle.text(lang), BOLD));
            lines.push(Line::from(""));
            lines.push(Line::from(Msg::VotersExplain.text(lang)));
            lines.push(Line::from(""));
            lines.push(Line::styled(format!("> {typed}_"), BOLD));
        }
        SessionForm::Notes { kind, texts } => {
            let n = state.ledger.sessions.number().to_string();
            lines.push(Line::styled(Msg::NotesTitle.fill(lang, &[&n]), BOLD));
            for note in &state.ledger.sessions.notes {
                lines.push(Line::from(format!("  {}", ascii(&note_text(note, lang)))));
            }
            if state.ledger.sessions.notes.is_empty() {
                lines.push(Line::from(format!("  {}", Msg::NotesNone.text(lang))));
            }
            lines.push(Line::from(""));
            let Some(kind) = kind else {
                lines.push(Line::from(Msg::NotesChoose.text(lang)));
                return lines;
            };
            let labels: &[Msg] = match kind {
                1 => &[Msg::NoteMember, Msg::NoteFrom, Msg::NoteUntil],
                2 => &[Msg::NoteObjection],
                _ => &[Msg::NoteRemark],
            };
            for (i, text) in texts.iter().enumerate() {
                let label = labels.get(i).map_or("", |m| m.text(lang));
                lines.push(Line::from(label.to_string()));
                if i + 1 == texts.len() {
                    lines.push(text_line(text));
                } else {
                    lines.push(Line::from(format!("  {}", ascii(text))));
                }
            }
        }
        SessionForm::Open { typed } => {
            let next = state.ledger.sessions.number().saturating_add(1).to_string();
            lines.push(Line::styled(
                Msg::SessionOpenTitle.fill(lang, &[&next]),
                BOLD,
            ));
            lines.push(Line::from(""));
            lines.push(Line::from(Msg::SessionOpenExplain.text(lang)));
            lines.push(Line::from(""));
            lines.push(Line::from(Msg::SessionOpenPrompt.fill(lang, &[&next])));
            lines.push(Line::styled(format!("> {typed}_"), BOLD));
        }
        SessionForm::Request {
            station,
            reason,
            text,
        } => {
            let n = station.to_string();
            lines.push(Line::styled(Msg::RequestTitle.fill(lang, &[&n]), BOLD));
            lines.push(Line::from(""));
            match reason {
                None => {
                    lines.push(Line::from(Msg::SessionChooseReason.fill(lang, &[&n])));
                    for (i, r) in GSB_REASONS.iter().enumerate() {
                        lines.push(Line::from(format!(
                            "  {}  {}",
                            i + 1,
                            reason_msg(*r).text(lang)
                        )));
                    }
                }
                Some(r) => {
                    lines.push(Line::from(
                        Msg::RequestReason.fill(lang, &[reason_msg(*r).text(lang)]),
                    ));
                    lines.push(Line::from(""));
                    lines.push(Line::from(Msg::RequestInstruction.text(lang)));
                    lines.push(text_line(text));
                }
            }
        }
        SessionForm::Conclude {
            station,
            findings,
            written,
            recounted,
            corrected,
            typed,
        } => {
            let n = station.to_string();
            lines.push(Line::styled(Msg::ConcludeTitle.fill(lang, &[&n]), BOLD));
            if let Some(i) = state.ledger.sessions.investigations.get(station) {
                lines.push(Line::from(
                    Msg::RequestReason.fill(lang, &[reason_msg(i.reason).text(lang)]),
                ));
                lines.push(Line::from(
                    Msg::ConcludeInstruction.fill(lang, &[&ascii(&i.instruction)]),
                ));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Msg::ConcludeFindings.text(lang)));
            if *written {
                lines.push(Line::from(format!("  {}", ascii(findings))));
            } else {
                lines.push(text_line(findings));
                return lines;
            }
            // A question, with its answer once given.
            let asked = |lines: &mut Vec<Line<'static>>, question: Msg, answer: Option<bool>| {
                lines.push(Line::from(match answer {
                    Some(a) => format!("{} {}", question.text(lang), yes_no_text(a, lang)),
                    None => question.text(lang).to_owned(),
                }));
                answer
            };
            if asked(&mut lines, Msg::ConcludeRecounted, *recounted).is_none() {
                return lines;
            }
            let Some(corrected) = asked(&mut lines, Msg::ConcludeCorrected, *corrected) else {
                return lines;
            };
            lines.push(Line::from(""));
            if corrected {
                lines.push(Line::from(Msg::ConcludeReopens.fill(lang, &[&n])));
            }
            lines.push(Line::from(Msg::ConfirmPrompt.fill(lang, &[&n])));
            lines.push(Line::styled(format!("> {typed}_"), BOLD));
        }
    }
    lines
}

/// A line of the session's notes on screen.
pub fn note_text(note: &SessionNote, lang: Lang) -> String {
    match note {
        SessionNote::Attendance {
            member,
            from,
            until,
        } => Msg::NoteAttendanceLine.fill(lang, &[member, from, until]),
        SessionNote::Objection { text } => Msg::NoteObjectionLine.fill(lang, &[text]),
        SessionNote::Remark { text } => Msg::NoteRemarkLine.fill(lang, &[text]),
    }
}
