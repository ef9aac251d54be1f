//! The people of a body's session: coordinators and typists, each a checked name, a role
//! and the Argon2id hash of a personal PIN or passphrase (`docs/people.md`).
//!
//! The registry changes only by a [`RegistryEvent`], which the terminal journals as data
//! before applying it, so replaying the journal rebuilds exactly this registry. An event
//! that breaks a rule is refused with a [`RegistryError`] and changes nothing:
//!
//! - the first event registers a coordinator, by nobody (the official who unlocked the
//!   body's key); every later event is by an active registered coordinator, except a
//!   person changing their own PIN;
//! - ids are given in order (1, 2, ...: [`Registry::next_id`]);
//! - a name confusable with any name already registered, active or not, is refused
//!   ([`PersonName::is_confusable_with`]), so nobody is registered twice to get a second
//!   identity;
//! - the last active coordinator cannot be deactivated.
//!
//! Roles are separate: a coordinator does not type and a typist does not decide
//! ([`Registry::may_act`]). Wrong PINs are throttled per person ([`PinThrottle`]). Nothing
//! here reads a clock or a random source, or hashes: the caller gives the time, and
//! `tally_signing::pin` hashes and verifies PINs.

mod name;
mod pin;
mod throttle;

use std::collections::BTreeMap;
use std::fmt;

pub use name::{MAX_NAME_CHARS, NameError, PersonName, same_name};
pub use pin::{
    MAX_PIN_CHARS, MAX_PIN_HASH_LEN, MIN_PIN_CHARS, NewPin, PinHash, PinHashFormatError,
    PinRuleError,
};
pub use throttle::{FIRST_DELAY_MS, FREE_TRIES, MAX_DELAY_MS, PinThrottle, TooSoon};

use crate::double_entry::{Role, Timestamp};

/// A registered person, numbered from 1 in the order of registration.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct PersonId(pub u32);

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// One registered person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The id.
    pub id: PersonId,
    /// The name, as shown.
    pub name: PersonName,
    /// The role: a person has exactly one.
    pub role: Role,
    /// The hash of the current PIN or passphrase.
    pub pin_hash: PinHash,
    /// False once deactivated: the person can no longer act, and the name stays taken.
    pub active: bool,
    /// When registered.
    pub registered_at: Timestamp,
    /// By whom (`None` for the first coordinator, registered by the key holder).
    pub registered_by: Option<PersonId>,
}

/// A change to the registry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RegistryChange {
    /// A person joins the session.
    PersonRegistered {
        /// The new id ([`Registry::next_id`]).
        id: PersonId,
        /// The name.
        name: PersonName,
        /// The role.
        role: Role,
        /// The hash of the person's PIN or passphrase.
        pin_hash: PinHash,
    },
    /// A person's PIN or passphrase is replaced.
    PinChanged {
        /// Whose.
        id: PersonId,
        /// The hash of the new one.
        pin_hash: PinHash,
    },
    /// A person leaves the session: they can no longer act; their entries and decisions
    /// stay theirs, and their name stays taken.
    Deactivated {
        /// Who.
        id: PersonId,
    },
}

/// One event of the registry: who changed what, when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RegistryEvent {
    /// The coordinator who made the change (or the person changing their own PIN); `None`
    /// only for the first coordinator's registration.
    pub by: Option<PersonId>,
    /// When (given by the caller).
    pub at: Timestamp,
    /// What.
    pub change: RegistryChange,
}

/// Why a registry event, or a person's action, is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The first person of a session must be a coordinator.
    #[error("the first person registered must be a coordinator")]
    FirstMustBeCoordinator,
    /// An event without a registered person making it, after the first.
    #[error("a change to the people of the session is made by a registered coordinator")]
    NoActor,
    /// An event by nobody, for a registry that already has people.
    #[error("only the first coordinator is registered without a coordinator")]
    NotFirst,
    /// No such person.
    #[error("person {0} is not registered")]
    UnknownPerson(PersonId),
    /// The person has been deactivated.
    #[error("person {0} has been deactivated")]
    Deactivated(PersonId),
    /// The person does not hold the role the action needs.
    #[error("{name} ({id}) is registered as {held:?}, not as {needed:?}")]
    RoleNotHeld {
        /// Who.
        id: PersonId,
        /// Their name, as shown.
        name: String,
        /// Their role.
        held: Role,
        /// The role needed.
        needed: Role,
    },
    /// A new person's id is not the next one.
    #[error("the next person is {expected}, not {got}")]
    UnexpectedId {
        /// The next id.
        expected: PersonId,
        /// The id in the event.
        got: PersonId,
    },
    /// Every id has been given.
    #[error("no more people can be registered")]
    NoMoreIds,
    /// The name can be taken for a name already registered.
    #[error("the name {name} can be taken for {existing_name} ({existing}), already registered")]
    ConfusableName {
        /// The new name, as shown.
        name: String,
        /// The person already registered.
        existing: PersonId,
        /// Their name, as shown.
        existing_name: String,
    },
    /// Deactivating the only active coordinator would leave nobody to decide.
    #[error("{0} is the last active coordinator and cannot be deactivated")]
    LastCoordinator(PersonId),
}

/// The people of one session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    people: BTreeMap<PersonId, Person>,
}

impl Registry {
    /// Nobody registered yet.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Rebuilds a registry from its events, in order; the first refused event stops the
    /// replay with its index (from 0) and why.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a RegistryEvent>,
    ) -> Result<Registry, (usize, RegistryError)> {
        let mut registry = Registry::new();
        for (i, event) in events.into_iter().enumerate() {
            registry.apply(event).map_err(|e| (i, e))?;
        }
        Ok(registry)
    }

    /// The id the next registered person gets.
    pub fn next_id(&self) -> Result<PersonId, RegistryError> {
        match self.people.keys().next_back() {
            None => Ok(PersonId(1)),
            Some(last) => last
                .0
                .checked_add(1)
                .map(PersonId)
                .ok_or(RegistryError::NoMoreIds),
        }
    }

    /// One person, active or not.
    pub fn person(&self, id: PersonId) -> Option<&Person> {
        self.people.get(&id)
    }

    /// Every person ever registered in the session, by id.
    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.people.values()
    }

    /// The active people of one role, by id (to choose from at a PIN prompt).
    pub fn active(&self, role: Role) -> impl Iterator<Item = &Person> {
        self.people
            .values()
            .filter(move |p| p.active && p.role == role)
    }

    /// Whether nobody is registered yet (the session's first coordinator is still to come).
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// The registered person whose name the typed name can be taken for, if any (to find
    /// the person a name was typed for; the PIN decides whether it is them).
    pub fn find(&self, typed: &PersonName) -> Option<&Person> {
        self.people
            .values()
            .find(|p| p.name.is_confusable_with(typed))
    }

    /// Refuses a name that can be taken for one already registered (active or not), before
    /// the PIN is asked for.
    pub fn check_new_name(&self, name: &PersonName) -> Result<(), RegistryError> {
        match self.find(name) {
            Some(p) => Err(RegistryError::ConfusableName {
                name: name.as_str().to_owned(),
                existing: p.id,
                existing_name: p.name.as_str().to_owned(),
            }),
            None => Ok(()),
        }
    }

    /// The person, if they are registered, active and hold `role`: who may act in that
    /// role (before their PIN is verified; their PIN hash is [`Person::pin_hash`]).
    pub fn may_act(&self, id: PersonId, role: Role) -> Result<&Person, RegistryError> {
        let person = self.active_person(id)?;
        if person.role != role {
            return Err(RegistryError::RoleNotHeld {
                id,
                name: person.name.as_str().to_owned(),
                held: person.role,
                needed: role,
            });
        }
        Ok(person)
    }

    /// The event that registers a new person with the next id (not applied).
    pub fn registration(
        &self,
        by: Option<PersonId>,
        at: Timestamp,
        name: PersonName,
        role: Role,
        pin_hash: PinHash,
    ) -> Result<RegistryEvent, RegistryError> {
        Ok(RegistryEvent {
            by,
            at,
            change: RegistryChange::PersonRegistered {
                id: self.next_id()?,
                name,
                role,
                pin_hash,
            },
        })
    }

    fn active_person(&self, id: PersonId) -> Result<&Person, RegistryError> {
        let person = self
            .people
            .get(&id)
            .ok_or(RegistryError::UnknownPerson(id))?;
        if !person.active {
            return Err(RegistryError::Deactivated(id));
        }
        Ok(person)
    }

    /// Applies one event, or refuses it and changes nothing.
    pub fn apply(&mut self, event: &RegistryEvent) -> Result<(), RegistryError> {
        self.check_actor(event)?;
        match &event.change {
            RegistryChange::PersonRegistered {
                id,
                name,
                role,
                pin_hash,
            } => {
                let expected = self.next_id()?;
                if *id != expected {
                    return Err(RegistryError::UnexpectedId { expected, got: *id });
                }
                if self.people.is_empty() && *role != Role::Coordinator {
                    return Err(RegistryError::FirstMustBeCoordinator);
                }
                self.check_new_name(name)?;
                self.people.insert(
                    *id,
                    Person {
                        id: *id,
                        name: name.clone(),
                        role: *role,
                        pin_hash: pin_hash.clone(),
                        active: true,
                        registered_at: event.at,
                        registered_by: event.by,
                    },
                );
            }
            RegistryChange::PinChanged { id, pin_hash } => {
                self.active_person(*id)?;
                if let Some(person) = self.people.get_mut(id) {
                    person.pin_hash = pin_hash.clone();
                }
            }
            RegistryChange::Deactivated { id } => {
                let person = self.active_person(*id)?;
                if person.role == Role::Coordinator
                    && self.active(Role::Coordinator).all(|p| p.id == *id)
                {
                    return Err(RegistryError::LastCoordinator(*id));
                }
                if let Some(person) = self.people.get_mut(id) {
                    person.active = false;
                }
            }
        }
        Ok(())
    }

    /// Who may make this change: nobody only for the first registration; the person
    /// themselves for their own PIN; otherwise an active coordinator.
    fn check_actor(&self, event: &RegistryEvent) -> Result<(), RegistryError> {
        let Some(by) = event.by else {
            return match event.change {
                RegistryChange::PersonRegistered { .. } if self.people.is_empty() => Ok(()),
                _ if self.people.is_empty() => Err(RegistryError::FirstMustBeCoordinator),
                RegistryChange::PersonRegistered { .. } => Err(RegistryError::NotFirst),
                _ => Err(RegistryError::NoActor),
            };
        };
        if let RegistryChange::PinChanged { id, .. } = event.change
            && id == by
        {
            return self.active_person(by).map(|_| ());
        }
        self.may_act(by, Role::Coordinator).map(|_| ())
    }
}
