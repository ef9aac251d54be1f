//! The audit log's lines for the journal's records, every level: what was done and by whom,
//! by name (`docs/audit.md`). The record itself is in the journal; the line is the evidence
//! that travels in the signed export.

use tally_core::people::RegistryChange;
use tally_ledger::people::{People, PeopleRecord};
use tally_media::AuditEvent;

/// The line of a record about the people of the session: a registration, a PIN changed, a
/// person deactivated, a wrong PIN, a PIN accepted.
pub fn people(people: &People, record: &PeopleRecord) -> AuditEvent {
    match record {
        PeopleRecord::Registry { event } => {
            let by = event.by.map(|id| people.name(id));
            match &event.change {
                RegistryChange::PersonRegistered { id, name, role, .. } => AuditEvent::record(
                    "person_registered",
                    by,
                    format!("{name} ({id}) registered as {}", role_word(*role)),
                ),
                RegistryChange::PinChanged { id, .. } => AuditEvent::record(
                    "pin_changed",
                    by,
                    format!("PIN of {} ({id}) changed", people.name(*id)),
                ),
                RegistryChange::Deactivated { id } => AuditEvent::record(
                    "person_deactivated",
                    by,
                    format!("{} ({id}) deactivated", people.name(*id)),
                ),
            }
        }
        PeopleRecord::WrongPin { person, .. } => {
            AuditEvent::record("pin_wrong", Some(people.name(*person)), "a wrong PIN")
        }
        PeopleRecord::PinAccepted { person, .. } => {
            AuditEvent::record("pin_accepted", Some(people.name(*person)), "PIN accepted")
        }
    }
}

fn role_word(role: tally_core::double_entry::Role) -> &'static str {
    match role {
        tally_core::double_entry::Role::Typist => "typist",
        tally_core::double_entry::Role::Coordinator => "coordinator",
    }
}
