//! The municipality's (GSB's) services on real keys, sticks and folders: what the appliance
//! runs, and the demo with it.
//!
//! [`FolderServices`] is the [`Folder`] (the body: keys, sticks, media verified in and
//! exports signed, kept and written, all audited) with what the GSB adds: its definition
//! medium (110a, the 230b of its kieskring, its 110b) and its export (the 510b, its report
//! and the CSV).
//!
//! What it must not do: hold demo keys or demo data (that is the `tally-demo` crate).

use tally_body::{Body, SetupError};
use tally_core::election::Election;
use tally_core::eml::definition::SourceFile;
use tally_core::hashcode::Sha256Digest;
use tally_export::{ExportError, ExportFile, JournalMark};
use tally_ledger::batch;
use tally_signing::{Timestamp, VerifyOptions};

use tally_ledger::medium;
use tally_ledger::municipal::Tally;
use tally_signing::{ContentKind, VerifiedMedium};

use crate::app::{Municipal, MunicipalServices};
use crate::entry_mode::BatchDone;
use crate::parallel::VerifiedFile;
use crate::services::{
    DefinitionMedium, ExportDone, Folder, FolderLevel, Medium, Refusal, Services,
    VerifiedDefinition,
};
use crate::text::Msg;
use tally_ledger::progress;

/// The municipal level's services: the [`Folder`] with the GSB's definition medium (110a, the
/// 230b of its kieskring, its 110b).
pub type FolderServices = Folder<GsbMedium>;

/// What the GSB keeps of its definition medium besides the [`VerifiedDefinition`]: what its
/// export needs.
#[derive(Default)]
pub struct GsbMedium {
    /// The kept definition's election and the 230b on the ballot (for the municipal report
    /// and the CSV), once verified.
    election: Option<KeptElection>,
}

/// What the export needs of the kept definition besides [`ElectionInfo`].
#[derive(Clone)]
struct KeptElection {
    /// The whole election.
    election: Election,
    /// The 230b of the municipality's kieskring: its name and bytes.
    lists: (String, Vec<u8>),
}

impl DefinitionMedium for GsbMedium {
    type Definition = VerifiedDefinition;
    const KEPT_DIR: &'static str = "definition.tally";

    fn new(_body: &Body) -> Result<GsbMedium, SetupError> {
        Ok(GsbMedium::default())
    }

    fn files(definition: &VerifiedDefinition) -> &[(String, String)] {
        &definition.files
    }

    /// The municipality's definition read from a verified medium.
    fn definition(
        &mut self,
        body: &Body,
        verified: &VerifiedMedium,
    ) -> Result<VerifiedDefinition, Refusal> {
        let files: Vec<(&str, &[u8])> = verified
            .files
            .iter()
            .map(|f| (f.name.as_str(), f.bytes.as_slice()))
            .collect();
        // An entry appliance (`0042-E3`) loads its municipality's definition.
        let read = medium::municipal(&files, body.certificate.body())?;
        let sha = |i: usize| verified.files.get(i).map(|f| hex::encode(f.sha256));
        let signer = verified.signer();
        let lists = verified.files.get(read.lists_230b);
        self.election = Some(KeptElection {
            election: read.read.election,
            lists: lists
                .map(|f| (f.name.clone(), f.bytes.clone()))
                .unwrap_or_default(),
        });
        Ok(VerifiedDefinition {
            info: read.info,
            signer: format!("{} ({})", signer.name(), signer.identifier()),
            sha256_110a: sha(read.read.definition).unwrap_or_default(),
            sha256_230b: sha(read.lists_230b).unwrap_or_default(),
            files: verified
                .files
                .iter()
                .map(|f| (f.name.clone(), hex::encode(f.sha256)))
                .collect(),
        })
    }
}

impl FolderLevel<Municipal> for FolderServices {
    fn as_level(&mut self) -> &mut (dyn MunicipalServices + 'static) {
        self
    }
}

impl MunicipalServices for FolderServices {
    fn export(
        &mut self,
        tally: &Tally,
        journal: Option<JournalMark>,
    ) -> Result<ExportDone, Refusal> {
        let (Some(loaded), Some(_)) = (&tally.election, &tally.data_entry) else {
            return Err(Refusal::with(Msg::NotAllDefinitive, &[], ""));
        };
        let election = &loaded.info;
        let KeptElection {
            election: kept,
            lists,
        } = self.kept_election()?;
        let mut spec = crate::form::municipality_spec(election);
        spec.total_cast = tally.eligible_voters;
        let municipality = tally_export::Municipality {
            election: &kept,
            contest: &election.contest_id,
            spec: &spec,
            name: &election.municipality_name,
            lists: SourceFile::new(&lists.0, &lists.1),
            demo: self.body.demo,
        };
        let sessions = &tally.sessions;
        // A next session's export replaces the 510b the session before it exported.
        let replaces = match (sessions.is_next(), sessions.closed.last()) {
            (false, _) => None,
            (true, closed) => Some(
                closed
                    .and_then(|c| Sha256Digest::from_hex(&c.exported.1).ok())
                    .ok_or_else(|| {
                        Refusal::with(
                            Msg::ExportNotMade,
                            &[],
                            "the session before has no exported 510b on record",
                        )
                    })?,
            ),
        };
        Ok(self.body.export(
            ContentKind::Results510b,
            &election.id.0,
            journal,
            &|created| tally.export_files(&municipality, replaces, created),
        )?)
    }

    fn verify_batch(&mut self, medium: &Medium) -> Result<VerifiedFile, Refusal> {
        let words = (Msg::BatchRefused, Msg::BatchNoFile);
        self.verify_file(
            medium,
            ContentKind::EntryBatch,
            false,
            batch::BATCH_FILE,
            words,
        )
    }

    fn keep_batch(&mut self, sha256: &str, bytes: &[u8]) -> Result<(), Refusal> {
        Ok(self.body.keep_file(sha256, bytes)?)
    }

    fn verify_assignment(&mut self, medium: &Medium) -> Result<VerifiedFile, Refusal> {
        // Signed by this body's coordinating GSB, no other.
        let words = (Msg::AssignmentRefused, Msg::AssignmentNoFile);
        let kind = ContentKind::EntryAssignment;
        self.verify_file(medium, kind, true, batch::ASSIGNMENT_FILE, words)
    }

    fn export_batch(
        &mut self,
        tally: &Tally,
        journal: Option<JournalMark>,
        appliance: &str,
    ) -> Result<BatchDone, Refusal> {
        let (Some(_), Some(election)) = (&tally.parallel.loaded, &tally.election) else {
            return Err(Refusal::with(Msg::NoAssignmentYet, &[], ""));
        };
        if progress::typed(tally).0 == 0 {
            return Err(Refusal::with(Msg::NothingToExportYet, &[], ""));
        }
        // How many entries the batch written holds (the export builds it, also when it
        // writes a kept medium again).
        let entries = std::cell::Cell::new(0);
        let done = self.body.export(
            ContentKind::EntryBatch,
            &election.info.id.0,
            journal,
            // The batch of `created`'s moment: the same entries at a kept moment give the
            // same file, so another stick gets the kept medium byte for byte.
            &|created| {
                let (file, n) = batch::batch_file(tally, appliance, created)?;
                entries.set(n);
                Ok(vec![file])
            },
        )?;
        let sha256 = done
            .files
            .iter()
            .find(|(name, _)| name == batch::BATCH_FILE)
            .map(|(_, sha)| sha.clone())
            .unwrap_or_default();
        Ok(BatchDone {
            done,
            sha256,
            entries: entries.get(),
        })
    }

    fn export_assignment(
        &mut self,
        tally: &Tally,
        journal: Option<JournalMark>,
    ) -> Result<ExportDone, Refusal> {
        let assignment = batch::assignment(tally)
            .filter(|a| !a.assignments.is_empty())
            .ok_or_else(|| Refusal::with(Msg::NothingAssigned, &[], ""))?;
        let bytes = assignment.to_bytes();
        Ok(self.body.export(
            ContentKind::EntryAssignment,
            &assignment.election,
            journal,
            &|_| {
                Ok(vec![ExportFile {
                    name: batch::ASSIGNMENT_FILE.to_owned(),
                    bytes: bytes.clone(),
                }])
            },
        )?)
    }

    fn progress_report(
        &mut self,
        tally: &Tally,
        journal: Option<JournalMark>,
    ) -> Result<ExportDone, Refusal> {
        let Some(loaded) = &tally.election else {
            return Err(Refusal::with(Msg::NothingAssigned, &[], ""));
        };
        let kept = self.kept_election()?;
        let demo = self.body.demo;
        Ok(self.body.export(
            ContentKind::ProgressOverview,
            &loaded.info.id.0,
            journal,
            &|created| progress::overview_files(tally, &kept.election, created, demo),
        )?)
    }
}

impl FolderServices {
    /// The kept definition's election (verified again from the data directory when not
    /// read yet).
    fn kept_election(&mut self) -> Result<KeptElection, Refusal> {
        if let Some(e) = self.level.election.clone() {
            return Ok(e);
        }
        Services::<Municipal>::kept_definition(self)?;
        self.level
            .election
            .clone()
            .ok_or_else(|| Refusal::with(Msg::RefusedOther, &[], "no kept definition"))
    }

    /// Verifies a parallel-entry medium of `kind` (root, certificate, signature, files, this
    /// body's election, with `by_gsb` signed by this body's GSB) and takes its file `name`;
    /// without it, the refusal `words.0` saying `words.1`.
    fn verify_file(
        &mut self,
        medium: &Medium,
        kind: ContentKind,
        by_gsb: bool,
        name: &str,
        (refused, no_file): (Msg, Msg),
    ) -> Result<VerifiedFile, Refusal> {
        let verified =
            self.body
                .on_stick(&medium.stick, &medium.folder, |body, stick, audit| {
                    let mut options = VerifyOptions::new(&body.root, Timestamp::now());
                    options.expected_kind = Some(kind);
                    options.expected_election = Some(body.certificate.election());
                    options.expected_signer = by_gsb.then(|| body.certificate.body());
                    Body::verify(stick, &medium.folder, &options, audit).map_err(Refusal::from)
                })?;
        let signer = verified.signer().identifier().to_owned();
        let signed_at = verified.manifest.created.0;
        let file = verified
            .files
            .into_iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Refusal::said(refused, vec![Refusal::with(no_file, &[], "").into()]))?;
        Ok(VerifiedFile {
            signer,
            sha256: hex::encode(file.sha256),
            bytes: file.bytes,
            signed_at,
        })
    }
}

/// The words for an export that cannot be made.
pub fn export_refusal(e: &ExportError) -> Refusal {
    let msg = match e {
        ExportError::Total(_) => Msg::TotalNotMade,
        ExportError::Report(_) => Msg::ReportNotMade,
        ExportError::Csv(_) => Msg::CsvNotMade,
        _ => Msg::ExportNotMade,
    };
    Refusal::with(msg, &[], e.to_string())
}
