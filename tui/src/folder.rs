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
use tally_export::{ExportError, JournalMark};

use tally_ledger::medium;
use tally_ledger::municipal::Tally;
use tally_signing::{ContentKind, VerifiedMedium};

use crate::app::{Municipal, MunicipalServices};
use crate::services::{
    DefinitionMedium, ExportDone, Folder, FolderLevel, Refusal, Services, VerifiedDefinition,
};
use crate::text::Msg;

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
        let read = medium::municipal(&files, body.certificate.identifier())?;
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
        } = match self.level.election.clone() {
            Some(e) => e,
            None => {
                // The kept definition, verified again, gives it.
                Services::<Municipal>::kept_definition(self)?;
                self.level
                    .election
                    .clone()
                    .ok_or_else(|| Refusal::with(Msg::RefusedOther, &[], "no kept definition"))?
            }
        };
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
