//! The municipality's (GSB's) services on real keys, sticks and folders: what the appliance
//! runs, and the demo with it.
//!
//! [`FolderServices`] is the [`tally_body::Body`] (the keys, the sticks, media verified in
//! and exports signed, kept and written, all audited) with what the GSB adds: its definition
//! medium (110a, the 230b of its kieskring, its 110b) and its export (the 510b, its report
//! and the CSV). The body's typed errors are worded here only through `Refusal::from`.
//!
//! What it must not do: hold demo keys or demo data (that is the `tally-demo` crate).

use std::path::Path;

use tally_body::{Body, Found, Paths, SetupError, Sticks};
use tally_core::double_entry::DataEntry;
use tally_core::election::Election;
use tally_core::eml::definition::{
    DefinitionError, DefinitionProblem, SourceFile, load_candidate_lists, load_election,
    sort_medium_files,
};
use tally_core::eml::limits::DocumentKind;
use tally_export::{ExportError, JournalMark};
use tally_media::{FolderMedium, JsonLinesAudit, Medium as StickMedium};
use tally_signing::{ContentKind, VerifiedMedium};

use crate::app::{Municipal, MunicipalServices};
use crate::form::ElectionInfo;
use crate::media_words::{stick_label, unfit};
use crate::services::{ExportDone, Identity, Medium, Refusal, Services, VerifiedDefinition};
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

/// The municipal level's services on sticks (real USB sticks, or folders standing in for
/// them) and real signatures.
pub struct FolderServices {
    body: Body,
    /// The kept definition's election and the 230b on the ballot (for the municipal report
    /// and the CSV), once verified.
    election: Option<KeptElection>,
}

const KEPT_DIR: &str = "definition.tally";

/// What the export needs of the kept definition besides [`ElectionInfo`].
#[derive(Clone)]
struct KeptElection {
    /// The whole election.
    election: Election,
    /// The 230b of the municipality's kieskring: its name and bytes.
    lists: (String, Vec<u8>),
}

impl FolderServices {
    /// Opens the keys in `paths.data_dir`: the root's public key and the body's certificate,
    /// which must be signed by that root. The body key stays locked until [`Services::unlock`].
    /// The media folder `paths.media_dir` stands in for one stick.
    pub fn open(paths: Paths, system: String, demo: bool) -> Result<FolderServices, SetupError> {
        let sticks = Sticks::folder(&paths.media_dir);
        FolderServices::with_sticks(paths, sticks, system, demo)
    }

    /// Like [`FolderServices::open`], with the sticks from `sticks` (real USB sticks with
    /// [`Sticks::usb`]); `paths.media_dir` is then not used.
    pub fn with_sticks(
        paths: Paths,
        sticks: Sticks,
        system: String,
        demo: bool,
    ) -> Result<FolderServices, SetupError> {
        Ok(FolderServices {
            body: Body::open(paths, sticks, system, demo)?,
            election: None,
        })
    }

    fn audit_log(&self) -> Result<JsonLinesAudit, Refusal> {
        Ok(self.body.audit_log()?)
    }

    /// Verifies the signed medium `dir` through `tally-media`: the folder that holds it is
    /// the medium (a stick, or in the demo a folder standing in for one), read by the capped
    /// reader that refuses links and special files, every file read and the outcome audited.
    fn verify_dir(&self, dir: &Path) -> Result<(VerifiedDefinition, KeptElection), Refusal> {
        let (parent, folder) = split(dir)?;
        let mut audit = self.audit_log()?;
        self.verify_on(&FolderMedium::new(parent), folder, &mut audit)
    }

    /// Verifies the signed medium in `folder` on `medium` (see [`FolderServices::verify_dir`]);
    /// `source` is where it is, for [`VerifiedDefinition::source`].
    fn verify_on(
        &self,
        medium: &dyn StickMedium,
        folder: &str,
        audit: &mut JsonLinesAudit,
    ) -> Result<(VerifiedDefinition, KeptElection), Refusal> {
        let verified = Body::verify(medium, folder, &self.body.definition_options(), audit)
            .map_err(Refusal::from)?;
        self.definition_from(&verified)
    }

    /// The municipality's definition read from a verified medium found at `source`.
    fn definition_from(
        &self,
        verified: &VerifiedMedium,
    ) -> Result<(VerifiedDefinition, KeptElection), Refusal> {
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
        if info.municipality_code.0 != self.body.certificate.identifier() {
            return Err(Refusal::with(
                Msg::OtherMunicipality,
                &[
                    &info.municipality_code.0,
                    self.body.certificate.identifier(),
                ],
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
        Ok((definition, KeptElection { election, lists }))
    }
}

/// `<stick>/<folder>` split into the stick and the folder's name.
fn split(dir: &Path) -> Result<(&Path, &str), Refusal> {
    match (dir.parent(), dir.file_name().and_then(|f| f.to_str())) {
        (Some(parent), Some(folder)) => Ok((parent, folder)),
        _ => Err(Refusal::said(
            Msg::MediumRefused,
            vec![Refusal::with(Msg::NotAFolderOnStick, &[&dir.display().to_string()], "").into()],
        )),
    }
}

impl Services<Municipal> for FolderServices {
    fn identity(&self) -> Identity {
        self.body.identity()
    }

    fn unlock(&mut self, passphrase: &str) -> Result<(), Refusal> {
        Ok(self.body.unlock(passphrase)?)
    }

    fn journal_key(&self) -> Option<tally_core::journal::JournalKey> {
        self.body.journal_key()
    }

    fn scan(&mut self) -> Vec<Medium> {
        found(&mut self.body)
    }

    fn poll_media(&mut self) -> bool {
        self.body.poll_media()
    }

    fn verify_definition(&mut self, medium: &Medium) -> Result<VerifiedDefinition, Refusal> {
        let verified =
            self.body
                .on_stick(&medium.stick, &medium.folder, |body, stick, audit| {
                    Body::verify(stick, &medium.folder, &body.definition_options(), audit)
                        .map_err(Refusal::from)
                })?;
        self.definition_from(&verified).map(|(d, _)| d)
    }

    fn keep_definition(
        &mut self,
        medium: &Medium,
        definition: &VerifiedDefinition,
    ) -> Result<(), Refusal> {
        let kept = self.body.paths.data_dir.join(KEPT_DIR);
        let mut names: Vec<String> = definition.files.iter().map(|(n, _)| n.clone()).collect();
        names.push(tally_signing::MANIFEST_FILE.to_string());
        names.push(tally_signing::SIGNATURE_FILE.to_string());
        self.body
            .keep_medium(&medium.stick, &medium.folder, &names, &kept)?;
        // What was copied must be what was verified.
        let (again, election) = self.verify_dir(&kept)?;
        self.election = Some(election);
        if again.files != definition.files {
            return Err(Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::StickChanged, &[], "").into()],
            ));
        }
        Ok(())
    }

    fn kept_definition(&mut self) -> Result<Option<VerifiedDefinition>, Refusal> {
        let kept = self.body.paths.data_dir.join(KEPT_DIR);
        if !kept.exists() {
            return Ok(None);
        }
        let (definition, election) = self.verify_dir(&kept)?;
        self.election = Some(election);
        Ok(Some(definition))
    }

    fn note(&mut self, text: &str) {
        self.body.note(text);
    }

    fn record(&mut self, event: tally_media::AuditEvent) {
        self.body.record(event);
    }

    fn level(&mut self) -> &mut (dyn MunicipalServices + 'static) {
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
        } = match self.election.clone() {
            Some(e) => e,
            None => self.verify_dir(&self.body.paths.data_dir.join(KEPT_DIR))?.1,
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

/// The media on the sticks present, as the media screen lists them: a folder by its name
/// (on a USB stick with the stick's name), a stick that offers nothing with why.
pub fn found(body: &mut Body) -> Vec<Medium> {
    body.scan()
        .into_iter()
        .map(|f| match f {
            Found::Folder {
                stick,
                label,
                folder,
                usb,
            } => Medium {
                label: if usb {
                    Refusal::said(
                        Msg::FolderOnStick,
                        vec![
                            crate::shell::view::ascii(&folder).into(),
                            stick_label(&label).into(),
                        ],
                    )
                } else {
                    Refusal::plain(folder.clone())
                },
                stick,
                folder,
            },
            Found::Unfit { stick, label, why } => Medium {
                label: Refusal::said(
                    Msg::StickWhy,
                    vec![stick_label(&label).into(), unfit(&why).into()],
                ),
                stick,
                folder: String::new(),
            },
        })
        .collect()
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
