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
use tally_core::double_entry::DataEntry;
use tally_core::election::Election;
use tally_core::eml::definition::{
    DefinitionError, DefinitionProblem, SourceFile, load_candidate_lists, load_election,
    sort_medium_files,
};
use tally_core::eml::limits::DocumentKind;
use tally_export::{ExportError, JournalMark};
use tally_signing::{ContentKind, VerifiedMedium};

use crate::app::{Municipal, MunicipalServices};
use crate::form::ElectionInfo;
use crate::services::{
    DefinitionMedium, ExportDone, Folder, FolderLevel, Refusal, Services, VerifiedDefinition,
};
use crate::text::Msg;

/// Which of a medium's candidate-list files (230b) holds the lists of `contest` (the
/// municipality's kieskring): its index in `lists` (name, bytes). A Tweede Kamer definition
/// medium carries one 230b per kieskring; the official checks the hash code of this one.
pub fn kieskring_lists(lists: &[(&str, &[u8])], contest: &str) -> Option<usize> {
    lists.iter().position(|(name, bytes)| {
        load_candidate_lists(&SourceFile::new(name, bytes))
            .is_ok_and(|l| l.contests.iter().any(|c| c.id.0 == contest))
    })
}

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
        let sources: Vec<SourceFile<'_>> = verified
            .files
            .iter()
            .map(|f| SourceFile::new(&f.name, &f.bytes))
            .collect();
        let sorted = sort_medium_files(&sources).map_err(|e| medium_files_refusal(&e))?;
        let f110a = verified.files.get(sorted.definition);
        let lists: Vec<_> = sorted
            .candidate_lists
            .iter()
            .filter_map(|&i| verified.files.get(i))
            .collect();
        let f110b = sorted.polling_stations.and_then(|i| verified.files.get(i));
        let (Some(f110a), Some(f110b)) = (f110a, f110b) else {
            return Err(Refusal::with(Msg::Missing110b, &[], ""));
        };
        let election = load_election(
            &SourceFile::new(&f110a.name, &f110a.bytes),
            &lists
                .iter()
                .map(|f| SourceFile::new(&f.name, &f.bytes))
                .collect::<Vec<_>>(),
            Some(&SourceFile::new(&f110b.name, &f110b.bytes)),
        )
        .map_err(|e| Refusal::with(Msg::DefinitionEmlWrong, &[], e.to_string()))?;
        let info = ElectionInfo::from_election(&election).map_err(|e| crate::form::refusal(&e))?;
        if info.municipality_code.0 != body.certificate.identifier() {
            return Err(Refusal::with(
                Msg::OtherMunicipality,
                &[&info.municipality_code.0, body.certificate.identifier()],
                "",
            ));
        }
        let named: Vec<(&str, &[u8])> = lists
            .iter()
            .map(|f| (f.name.as_str(), f.bytes.as_slice()))
            .collect();
        let f230b = kieskring_lists(&named, &info.contest_id.0)
            .and_then(|i| lists.get(i))
            .ok_or_else(|| Refusal::with(Msg::Missing230bKieskring, &[&info.contest_id.0], ""))?;
        let signer = verified.signer();
        let definition = VerifiedDefinition {
            info,
            signer: format!("{} ({})", signer.name(), signer.identifier()),
            sha256_110a: hex::encode(f110a.sha256),
            sha256_230b: hex::encode(f230b.sha256),
            files: verified
                .files
                .iter()
                .map(|f| (f.name.clone(), hex::encode(f.sha256)))
                .collect(),
        };
        let lists = (f230b.name.clone(), f230b.bytes.clone());
        self.election = Some(KeptElection { election, lists });
        Ok(definition)
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
        election: &ElectionInfo,
        data: &DataEntry,
        journal: Option<JournalMark>,
    ) -> Result<ExportDone, Refusal> {
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
        let spec = crate::form::municipality_spec(election);
        let municipality = tally_export::Municipality {
            election: &kept,
            contest: &election.contest_id,
            spec: &spec,
            name: &election.municipality_name,
            lists: SourceFile::new(&lists.0, &lists.1),
            demo: self.body.demo,
        };
        Ok(self.body.export(
            ContentKind::Results510b,
            &election.id.0,
            journal,
            &|created| tally_export::municipal(&municipality, data, created),
        )?)
    }
}

/// The words for a definition medium whose files are not one 110a, 230b files and at most
/// one 110b.
pub fn medium_files_refusal(e: &DefinitionError) -> Refusal {
    let msg = match &e.problem {
        DefinitionProblem::MediumDocuments { kind, found: 0, .. } => match kind {
            DocumentKind::ElectionDefinition => Msg::Missing110a,
            DocumentKind::CandidateLists => Msg::Missing230b,
            _ => Msg::Missing110b,
        },
        _ => Msg::DefinitionEmlWrong,
    };
    Refusal::with(msg, &[], e.to_string())
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
