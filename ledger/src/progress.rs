//! The progress of parallel entry (`docs/parallel-entry.md`). On the coordinating
//! appliance: per polling station where its two entries are (assigned to an entry
//! appliance, in from one, typed here), per entry appliance what it delivered and still
//! holds, and the round-robin assignment of every entry not assigned yet. On an entry
//! appliance: which stations its loaded assignment gives it, which it typed and which were
//! assigned away since. The screens and the progress overview (PDF) show these; the
//! terminal decides none of it.
//!
//! What it must not do: word anything on the screens (the terminal does; the overview's
//! PDF is the report crate's), or change the ledger (an assignment is a record the caller
//! journals).

use tally_core::election::Election;
use tally_core::hashcode::Sha256Digest;
use tally_export::{Created, ExportError, ExportFile};
use tally_report::{
    ApplianceProgress, EntryProgress, ProgressInput, ReportMeta, StationProgress, StationStage,
};

use crate::batch::Assignment;
use crate::municipal::{Slot, Status, Tally};

/// One half of a station's double entry, as far as it has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Half {
    /// Assigned to no entry appliance (and not typed here).
    Unassigned,
    /// Assigned, not in yet.
    Assigned(String),
    /// In: from an entry appliance (`None`: typed on this appliance), by a typist.
    In {
        /// The entry appliance.
        appliance: Option<String>,
        /// The typist.
        typist: String,
    },
}

/// One station's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The station.
    pub station: u32,
    /// Its name.
    pub name: String,
    /// The first entry.
    pub first: Half,
    /// The second entry.
    pub second: Half,
    /// Where it stands.
    pub status: Status,
}

/// One entry appliance's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplianceRow {
    /// Its identifier.
    pub appliance: String,
    /// The entries in from it.
    pub delivered: u32,
    /// The stations of which it holds an entry still, ascending.
    pub holds: Vec<u32>,
}

/// The count in numbers, as the progress screen heads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Stations.
    pub stations: usize,
    /// Definitive.
    pub definitive: usize,
    /// Whose two entries differ.
    pub different: usize,
    /// With an entry assigned to no entry appliance (and not typed here).
    pub unassigned: usize,
}

impl Summary {
    /// The summary of `rows`.
    pub fn of(rows: &[Row]) -> Summary {
        let count = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count();
        Summary {
            stations: rows.len(),
            definitive: count(&|r| r.status == Status::Definitive),
            different: count(&|r| r.status == Status::EntriesDifferent),
            unassigned: count(&|r| r.first == Half::Unassigned || r.second == Half::Unassigned),
        }
    }
}

/// Every station's progress, in number order.
pub fn rows(tally: &Tally) -> Vec<Row> {
    let Some(loaded) = tally.election.as_ref() else {
        return Vec::new();
    };
    let p = &tally.parallel;
    loaded
        .info
        .stations
        .iter()
        .map(|s| {
            let n = s.number.0;
            let status = tally.status(n).unwrap_or(Status::FirstEntryNotStarted);
            let data = tally.stations.get(&n);
            let half = |slot: Slot| {
                let placed = p.placed.get(&(n, slot));
                let held = match slot {
                    Slot::Second => p.held.get(&n),
                    Slot::First => None,
                };
                if let Some(i) = placed.or(held) {
                    return Half::In {
                        appliance: Some(i.appliance.clone()),
                        typist: i.entry.typist.name.as_str().to_owned(),
                    };
                }
                let local = data.and_then(|d| d.slot(slot)).map(|e| e.typist.clone());
                let both_in = matches!(status, Status::Definitive | Status::WarningsToAcknowledge);
                if local.is_some() || both_in {
                    return Half::In {
                        appliance: None,
                        typist: local.unwrap_or_default(),
                    };
                }
                match p.assigned.get(&(n, slot)) {
                    Some(a) => Half::Assigned(a.clone()),
                    None => Half::Unassigned,
                }
            };
            Row {
                station: n,
                name: s.name.clone(),
                first: half(Slot::First),
                second: half(Slot::Second),
                status,
            }
        })
        .collect()
}

/// Every entry appliance assigned or delivering, with what it delivered and still holds.
pub fn appliances(rows: &[Row]) -> Vec<ApplianceRow> {
    let mut out: std::collections::BTreeMap<String, ApplianceRow> = Default::default();
    fn row_of<'m>(
        out: &'m mut std::collections::BTreeMap<String, ApplianceRow>,
        a: &str,
    ) -> &'m mut ApplianceRow {
        out.entry(a.to_owned()).or_insert_with(|| ApplianceRow {
            appliance: a.to_owned(),
            delivered: 0,
            holds: Vec::new(),
        })
    }
    for r in rows {
        for half in [&r.first, &r.second] {
            match half {
                Half::Assigned(a) => {
                    let row = row_of(&mut out, a);
                    if row.holds.last() != Some(&r.station) {
                        row.holds.push(r.station);
                    }
                }
                Half::In {
                    appliance: Some(a), ..
                } => row_of(&mut out, a).delivered += 1,
                _ => {}
            }
        }
    }
    // Appliances ordered by their number, not as text (E10 after E9).
    let mut list: Vec<ApplianceRow> = out.into_values().collect();
    list.sort_by_key(|a| appliance_number(&a.appliance));
    list
}

/// The `n` of `<code>-E<n>` (0 when it is not one).
fn appliance_number(a: &str) -> u32 {
    a.rsplit_once("-E")
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(0)
}

impl Half {
    /// This half as the progress overview prints it (typed here: on the `GSB`).
    fn report(&self) -> EntryProgress<'_> {
        match self {
            Half::Unassigned => EntryProgress::Unassigned,
            Half::Assigned(a) => EntryProgress::Assigned { appliance: a },
            Half::In { appliance, typist } => EntryProgress::In {
                appliance: appliance.as_deref().unwrap_or("GSB"),
                typist,
            },
        }
    }
}

/// The progress overview (PDF) of `tally` made at `created`, one file: every station's two
/// entries and every entry appliance's deliveries, on `election` (the kept definition's).
///
/// # Errors
/// [`ExportError::Incomplete`] without a loaded election; [`ExportError::Report`] when the
/// PDF cannot be made.
pub fn overview_files(
    tally: &Tally,
    election: &Election,
    created: &Created,
    demo: bool,
) -> Result<Vec<ExportFile>, ExportError> {
    let info = &tally.election.as_ref().ok_or(ExportError::Incomplete)?.info;
    let rows = rows(tally);
    let appliances = appliances(&rows);
    let stations: Vec<StationProgress<'_>> = rows
        .iter()
        .map(|r| StationProgress {
            number: r.station,
            name: &r.name,
            first: r.first.report(),
            second: r.second.report(),
            stage: match r.status {
                Status::Definitive => StationStage::Definitive,
                Status::EntriesDifferent => StationStage::Differences,
                _ => StationStage::Waiting,
            },
        })
        .collect();
    let lines: Vec<ApplianceProgress<'_>> = appliances
        .iter()
        .map(|a| ApplianceProgress {
            appliance: &a.appliance,
            delivered: a.delivered,
            holds: &a.holds,
        })
        .collect();
    let body_name = format!("Gemeentelijk stembureau {}", info.municipality_name);
    let input = ProgressInput {
        stations: &stations,
        appliances: &lines,
        meta: ReportMeta {
            body_id: &info.municipality_code.0,
            body_name: &body_name,
            eml_hash: Sha256Digest::of(b""),
            eml_file_name: None,
            created: created.report,
            demo,
            journal: created.journal.clone(),
        },
    };
    let name = if demo {
        "DEMO_Voortgangsoverzicht.pdf"
    } else {
        "Voortgangsoverzicht.pdf"
    };
    Ok(vec![ExportFile {
        name: name.to_owned(),
        bytes: tally_report::progress_report(election, &input)?,
    }])
}

/// The body's code (`0042`), once the election is loaded.
pub fn body(tally: &Tally) -> Option<String> {
    tally
        .election
        .as_ref()
        .map(|e| e.info.municipality_code.0.clone())
}

/// Every entry not assigned yet, over entry appliances 1 to `n` in turn: a station's first
/// on one, its second on the next (so never both on one when `n` >= 2). A station with one
/// entry assigned gets the other on another appliance.
pub fn round_robin(tally: &Tally, n: u32) -> Vec<Assignment> {
    let Some(code) = body(tally) else {
        return Vec::new();
    };
    let name = |i: u32| format!("{code}-E{}", i % n + 1);
    let mut out = Vec::new();
    let mut k = 0u32;
    for row in rows(tally) {
        let assigned = |slot| {
            tally.parallel.assigned.contains_key(&(row.station, slot))
                || matches!(
                    if slot == Slot::First {
                        &row.first
                    } else {
                        &row.second
                    },
                    Half::In { .. }
                )
        };
        let (first, second) = (assigned(Slot::First), assigned(Slot::Second));
        let other = |slot| tally.parallel.assigned.get(&(row.station, slot)).cloned();
        let push = |out: &mut Vec<Assignment>, slot, appliance: String| {
            out.push(Assignment {
                station: row.station,
                slot,
                appliance,
            });
        };
        match (first, second) {
            (false, false) => {
                push(&mut out, Slot::First, name(k));
                push(&mut out, Slot::Second, name(k + 1));
                k = (k + 1) % n;
            }
            (true, false) | (false, true) => {
                let slot = if first { Slot::Second } else { Slot::First };
                let taken = other(if first { Slot::First } else { Slot::Second });
                let mut pick = name(k);
                if Some(&pick) == taken.as_ref() {
                    pick = name(k + 1);
                }
                push(&mut out, slot, pick);
                k = (k + 1) % n;
            }
            (true, true) => {}
        }
    }
    out
}

// On an entry appliance: the stations its loaded assignment gives it.

/// Where a listed station stands for this appliance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Here {
    /// Assigned here, as this entry of the station.
    Assigned(Slot),
    /// Typed (or begun) here, and since assigned elsewhere: the appliances it is assigned
    /// to now. Its entry stays in the journal; it is not in a batch and cannot be opened.
    Away(Vec<String>),
}

/// Whether `station` is assigned here, or was typed here and is assigned elsewhere now.
pub fn here(tally: &Tally, station: u32) -> Option<Here> {
    let loaded = tally.parallel.loaded.as_ref()?;
    if let Some(slot) = loaded.slot_of(station) {
        return Some(Here::Assigned(slot));
    }
    let typed = tally
        .stations
        .get(&station)
        .is_some_and(|d| d.first.is_some());
    typed.then(|| {
        Here::Away(
            loaded
                .appliances_of(station)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        )
    })
}

/// The stations the overview lists on an entry appliance, in the election's order: those
/// assigned here, and those typed here since assigned elsewhere.
pub fn entry_stations(tally: &Tally) -> Vec<u32> {
    let Some(election) = &tally.election else {
        return Vec::new();
    };
    election
        .info
        .stations
        .iter()
        .map(|s| s.number.0)
        .filter(|n| here(tally, *n).is_some())
        .collect()
}

/// Whether the station's entry here is complete (saved; with errors too: the coordinator
/// decides those).
fn complete(status: Option<Status>) -> bool {
    matches!(
        status,
        Some(Status::SecondEntryNotStarted | Status::FirstEntryHasErrors)
    )
}

/// The stations assigned here, and how many of them are typed.
pub fn typed(tally: &Tally) -> (usize, usize) {
    let assigned: Vec<u32> = entry_stations(tally)
        .into_iter()
        .filter(|n| matches!(here(tally, *n), Some(Here::Assigned(_))))
        .collect();
    let done = assigned
        .iter()
        .filter(|n| complete(tally.status(**n)))
        .count();
    (done, assigned.len())
}
