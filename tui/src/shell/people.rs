//! The people of the session on screen, once for every level: the PIN prompt that opens a
//! screen or an act for one registered person ([`PinPrompt`]), and the registration of the
//! people ([`PeopleForm`]): the first coordinator right after the definition is accepted,
//! the others by a coordinator after their PIN. The rules (names, PINs, roles, the delay
//! after wrong PINs) are the core's `tally_core::people`; the hashing is done by the runner.
//!
//! Keys here never act as commands while text is typed: letters, digits and punctuation go
//! into the field; Up/Down choose, Enter confirms, Esc leaves.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tally_core::double_entry::Role;
use tally_core::people::{
    NameError, NewPin, PersonId, PersonName, PinRuleError, Registry, RegistryError,
};
use zeroize::Zeroizing;

use crate::services::Refusal;
use crate::text::Msg;

/// A PIN or passphrase as typed: wiped when dropped, never printed. Its buffer is made large
/// enough at once (256 characters of up to 4 bytes), so that typing never moves it and leaves
/// a copy behind.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub Zeroizing<String>);

impl Default for Secret {
    fn default() -> Secret {
        Secret(Zeroizing::new(String::with_capacity(1024)))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// A typed key: printable ASCII goes in (at most 128 characters), Backspace takes one
    /// out. Returns whether the key was taken.
    fn key(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                if self.0.chars().count() < 128 {
                    self.0.push(c);
                }
                true
            }
            KeyCode::Backspace => {
                self.0.pop();
                true
            }
            _ => false,
        }
    }

    /// As many stars as characters typed.
    pub fn stars(&self) -> String {
        "*".repeat(self.0.chars().count())
    }
}

/// Who may open a screen or do an act: a role, and for an entry in progress the one person
/// whose entry it is, or for a second entry everyone but the first typist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard<A> {
    /// The role needed.
    pub role: Role,
    /// Only this person (an entry in progress is its typist's).
    pub only: Option<PersonId>,
    /// Not this person (the second entry is not by the first typist).
    pub except: Option<PersonId>,
    /// What the PIN opens.
    pub act: A,
}

impl<A> Guard<A> {
    /// A coordinator's PIN before `act`.
    pub fn coordinator(act: A) -> Guard<A> {
        Guard {
            role: Role::Coordinator,
            only: None,
            except: None,
            act,
        }
    }
}

/// What a PIN opens: the people's registration, or an act of the level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinFor<A> {
    /// Registering people (a coordinator).
    People,
    /// The level's act.
    Level(A),
}

/// The PIN prompt: a registered person chosen from a list, and their PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinPrompt<A> {
    /// Who may.
    pub guard: Guard<PinFor<A>>,
    /// The highlighted person (index into [`PinPrompt::choices`]).
    pub selected: usize,
    /// The PIN typed so far.
    pub pin: Secret,
    /// Why the last PIN was refused.
    pub error: Option<Refusal>,
}

/// What a key did on the PIN prompt.
pub enum PinKey {
    /// Nothing more (a character typed, a person chosen).
    Typed,
    /// Check this person's PIN.
    Check(PersonId, Secret),
    /// Leave the prompt.
    Leave,
}

impl<A: Clone> PinPrompt<A> {
    /// A prompt for `guard`.
    pub fn new(guard: Guard<PinFor<A>>) -> PinPrompt<A> {
        PinPrompt {
            guard,
            selected: 0,
            pin: Secret::default(),
            error: None,
        }
    }

    /// The people who may act, in order of registration.
    pub fn choices<'r>(&self, registry: &'r Registry) -> Vec<&'r tally_core::people::Person> {
        registry
            .active(self.guard.role)
            .filter(|p| self.guard.only.is_none_or(|o| o == p.id))
            .filter(|p| self.guard.except != Some(p.id))
            .collect()
    }

    /// A key on the prompt.
    pub fn key(&mut self, key: &KeyEvent, registry: &Registry) -> PinKey {
        let choices = self.choices(registry);
        match key.code {
            KeyCode::Esc => PinKey::Leave,
            KeyCode::Up | KeyCode::Down => {
                let last = choices.len().saturating_sub(1);
                super::scroll(&mut self.selected, key.code, false, last);
                self.pin = Secret::default();
                PinKey::Typed
            }
            KeyCode::Enter => match choices.get(self.selected) {
                Some(p) if !self.pin.0.is_empty() => {
                    PinKey::Check(p.id, std::mem::take(&mut self.pin))
                }
                Some(_) => PinKey::Typed,
                None => PinKey::Leave,
            },
            _ => {
                if self.pin.key(key) {
                    self.error = None;
                }
                PinKey::Typed
            }
        }
    }
}

/// The field of the registration form the cursor is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// The name.
    Name,
    /// The role.
    Role,
    /// The PIN.
    Pin,
    /// The PIN again.
    Again,
}

/// Registering the people of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeopleForm {
    /// The coordinator registering (after their PIN); `None` for the first coordinator.
    pub by: Option<PersonId>,
    /// Where the cursor is.
    pub field: FormField,
    /// The name typed.
    pub name: String,
    /// The role chosen.
    pub role: Role,
    /// The PIN typed.
    pub pin: Secret,
    /// The PIN typed again.
    pub again: Secret,
    /// Why the last try was refused.
    pub error: Option<Refusal>,
}

/// A person to register, checked: the runner hashes the PIN and journals the registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    /// Registered by.
    pub by: Option<PersonId>,
    /// The name.
    pub name: PersonName,
    /// The role.
    pub role: Role,
    /// The PIN (follows the rules).
    pub pin: Secret,
}

impl PeopleForm {
    /// An empty form; the first person is a coordinator.
    pub fn new(by: Option<PersonId>) -> PeopleForm {
        PeopleForm {
            by,
            field: FormField::Name,
            name: String::new(),
            role: if by.is_none() {
                Role::Coordinator
            } else {
                Role::Typist
            },
            pin: Secret::default(),
            again: Secret::default(),
            error: None,
        }
    }

    /// A key on the form; `Some` when Enter completes a registration that passes every check
    /// the screen can make (the name against the registry, the PIN rules, the PIN twice).
    pub fn key(&mut self, key: &KeyEvent, registry: &Registry) -> Option<NewPerson> {
        let order = [
            FormField::Name,
            FormField::Role,
            FormField::Pin,
            FormField::Again,
        ];
        let at = order.iter().position(|f| *f == self.field).unwrap_or(0);
        // The field before or after; Enter goes on to the next until the last.
        let to = match key.code {
            KeyCode::Up | KeyCode::BackTab => Some(at.saturating_sub(1)),
            KeyCode::Down | KeyCode::Tab => Some(at.saturating_add(1)),
            KeyCode::Enter if self.field != FormField::Again => Some(at.saturating_add(1)),
            _ => None,
        };
        if let Some(to) = to {
            self.field = order.get(to).copied().unwrap_or(self.field);
            return None;
        }
        match key.code {
            KeyCode::Enter => {
                let checked = self.check(registry);
                match checked {
                    Ok(person) => Some(person),
                    Err((field, why)) => {
                        self.error = Some(why);
                        self.field = field;
                        self.pin = Secret::default();
                        self.again = Secret::default();
                        None
                    }
                }
            }
            _ => {
                self.error = None;
                match self.field {
                    FormField::Name => match key.code {
                        KeyCode::Char(c)
                            if !key.modifiers.contains(KeyModifiers::CONTROL)
                                && self.name.chars().count() < 60 =>
                        {
                            self.name.push(c);
                        }
                        KeyCode::Backspace => {
                            self.name.pop();
                        }
                        _ => {}
                    },
                    FormField::Role => {
                        // The first person is a coordinator; later ones either role.
                        if self.by.is_some()
                            && matches!(
                                key.code,
                                KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right
                            )
                        {
                            self.role = match self.role {
                                Role::Typist => Role::Coordinator,
                                Role::Coordinator => Role::Typist,
                            };
                        }
                    }
                    FormField::Pin => {
                        self.pin.key(key);
                    }
                    FormField::Again => {
                        self.again.key(key);
                    }
                }
                None
            }
        }
    }

    fn check(&self, registry: &Registry) -> Result<NewPerson, (FormField, Refusal)> {
        let name =
            PersonName::parse(&self.name).map_err(|e| (FormField::Name, name_refusal(&e)))?;
        registry
            .check_new_name(&name)
            .map_err(|e| (FormField::Name, registry_refusal(&e)))?;
        NewPin::new(self.pin.0.clone(), &name).map_err(|e| (FormField::Pin, pin_refusal(&e)))?;
        if self.pin != self.again {
            return Err((FormField::Pin, Refusal::with(Msg::PinsDiffer, &[], "")));
        }
        Ok(NewPerson {
            by: self.by,
            name,
            role: self.role,
            pin: self.pin.clone(),
        })
    }
}

/// A name refused, in the catalogue's words.
pub fn name_refusal(e: &NameError) -> Refusal {
    let msg = match e {
        NameError::Empty => Msg::NameEmpty,
        NameError::TooLong { .. } => Msg::NameTooLong,
        NameError::MixedScripts => Msg::NameMixedScripts,
        NameError::NoLetter => Msg::NameNoLetter,
        _ => Msg::NameCharacter,
    };
    Refusal::with(msg, &[], "")
}

/// A PIN refused by the rules, in the catalogue's words.
pub fn pin_refusal(e: &PinRuleError) -> Refusal {
    let msg = match e {
        PinRuleError::TooShort => Msg::PinTooShort,
        PinRuleError::TooLong => Msg::PinTooLong,
        PinRuleError::NotPrintableAscii | PinRuleError::OuterSpace => Msg::PinCharacters,
        PinRuleError::AllSame | PinRuleError::Sequence | PinRuleError::SameAsName => {
            Msg::PinTooSimple
        }
    };
    Refusal::with(msg, &[], "")
}

/// A registry's refusal, in the catalogue's words.
pub fn registry_refusal(e: &RegistryError) -> Refusal {
    match e {
        RegistryError::ConfusableName {
            name,
            existing_name,
            ..
        } => Refusal::with(Msg::NameConfusable, &[name, existing_name], ""),
        RegistryError::RoleNotHeld { name, .. } => Refusal::with(Msg::RoleNotHeld, &[name], ""),
        RegistryError::Deactivated(_) => Refusal::with(Msg::PersonDeactivated, &[], ""),
        other => Refusal::with(Msg::PeopleRefused, &[], other.to_string()),
    }
}

/// A role in words.
pub fn role_msg(role: Role) -> Msg {
    match role {
        Role::Typist => Msg::RoleTypist,
        Role::Coordinator => Msg::RoleCoordinator,
    }
}
