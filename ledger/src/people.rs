//! The people of a body's session, as the journal builds them, the same at every level: the
//! registry (coordinators and typists, each a name, a role and the Argon2id hash of a PIN)
//! and the wrong PINs in a row of each person (the throttle). Every change is a
//! [`PeopleRecord`] in the level's journal, so a restart gives back the same people and
//! the same delay after wrong PINs. The rules are the core's (`tally_core::people`).

use crate::persist::RecordLine;
use serde::{Deserialize, Serialize};
use tally_core::double_entry::Timestamp;
use tally_core::people::RegistryChange;
use tally_core::people::{PersonId, PinThrottle, Registry, RegistryError, RegistryEvent};

/// One record about the people of the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "people", rename_all = "snake_case")]
pub enum PeopleRecord {
    /// A change to the registry (a person registered, a PIN changed, a person deactivated).
    Registry {
        /// The change, who made it and when.
        event: RegistryEvent,
    },
    /// A wrong PIN was typed for a person.
    WrongPin {
        /// Whose PIN.
        person: PersonId,
        /// When.
        at: Timestamp,
    },
    /// A person's PIN was typed right (ends their row of wrong PINs).
    PinAccepted {
        /// Whose PIN.
        person: PersonId,
        /// When.
        at: Timestamp,
    },
}

/// The people of the session and their wrong PINs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People {
    /// Who is registered, in which role.
    pub registry: Registry,
    /// The wrong PINs in a row of each person.
    pub throttle: PinThrottle,
}

impl People {
    /// Applies one record; a refused registry change changes nothing.
    ///
    /// # Errors
    /// The registry refuses the change, or the PIN record names nobody registered.
    pub fn apply(&mut self, record: &PeopleRecord) -> Result<(), RegistryError> {
        match record {
            PeopleRecord::Registry { event } => self.registry.apply(event),
            PeopleRecord::WrongPin { person, at } => {
                self.known(*person)?;
                self.throttle.failed(*person, *at);
                Ok(())
            }
            PeopleRecord::PinAccepted { person, .. } => {
                self.known(*person)?;
                self.throttle.succeeded(*person);
                Ok(())
            }
        }
    }

    fn known(&self, person: PersonId) -> Result<(), RegistryError> {
        self.registry
            .person(person)
            .map(|_| ())
            .ok_or(RegistryError::UnknownPerson(person))
    }

    /// A person's name as shown, or their id when unknown.
    pub fn name(&self, person: PersonId) -> String {
        self.registry
            .person(person)
            .map_or_else(|| person.to_string(), |p| p.name.as_str().to_owned())
    }
}

/// The line of a record about the people of the session: a registration, a PIN changed, a
/// person deactivated, a wrong PIN, a PIN accepted.
pub fn audit_line(people: &People, record: &PeopleRecord) -> RecordLine {
    match record {
        PeopleRecord::Registry { event } => {
            let by = event.by.map(|id| people.name(id));
            match &event.change {
                RegistryChange::PersonRegistered { id, name, role, .. } => RecordLine::new(
                    "person_registered",
                    by,
                    format!("{name} ({id}) registered as {}", role_word(*role)),
                ),
                RegistryChange::PinChanged { id, .. } => RecordLine::new(
                    "pin_changed",
                    by,
                    format!("PIN of {} ({id}) changed", people.name(*id)),
                ),
                RegistryChange::Deactivated { id } => RecordLine::new(
                    "person_deactivated",
                    by,
                    format!("{} ({id}) deactivated", people.name(*id)),
                ),
            }
        }
        PeopleRecord::WrongPin { person, .. } => {
            RecordLine::new("pin_wrong", Some(people.name(*person)), "a wrong PIN")
        }
        PeopleRecord::PinAccepted { person, .. } => {
            RecordLine::new("pin_accepted", Some(people.name(*person)), "PIN accepted")
        }
    }
}

fn role_word(role: tally_core::double_entry::Role) -> &'static str {
    match role {
        tally_core::double_entry::Role::Typist => "typist",
        tally_core::double_entry::Role::Coordinator => "coordinator",
    }
}
