//! The seams between the pure screen logic and the world: keys, media, signatures, the
//! journal. The screen logic ([`crate::shell::update`]) only asks for these through
//! [`crate::shell::Effect`]s; the [`crate::shell::runner::Runner`] carries them out.

use tally_body::{Body, Found, Paths, SetupError, Sticks};
use tally_media::FolderMedium;
use tally_signing::VerifiedMedium;

use crate::form::ElectionInfo;
use crate::media_words::{stick_label, unfit};
use crate::shell::Level;
use crate::text::{Lang, Msg};

pub use tally_body::{ExportDone, Identity};

/// A parameter of a [`Refusal`]: plain words (a name, a number, a file), or a text of the
/// catalogue itself, worded in the screen's language when the refusal is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Plain words, shown as they are.
    Text(String),
    /// A catalogue text.
    Said(Box<Refusal>),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_owned())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<Refusal> for Arg {
    fn from(r: Refusal) -> Arg {
        Arg::Said(Box::new(r))
    }
}

/// A message for the official (a refusal, or a line that informs): a catalogue text and its
/// parameters, worded only when shown, so it is always in the screen's language. Every
/// typed error of the libraries becomes one of these in one place ([`crate::media_words`],
/// [`crate::hash_groups`], the levels' `refusal`); no library crate carries UI text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The text.
    pub msg: Msg,
    /// Its parameters.
    pub args: Vec<Arg>,
    /// The technical detail, may be empty: the library's own words, in English as in the
    /// audit log, shown after the text as a quote of the log ([`Msg::DetailQuoted`]).
    pub detail: String,
}

impl Refusal {
    /// A refusal with one parameter.
    pub fn new(msg: Msg, arg: impl Into<String>) -> Refusal {
        Refusal {
            msg,
            args: vec![Arg::Text(arg.into())],
            detail: String::new(),
        }
    }

    /// A refusal with parameters and a technical detail.
    pub fn with(msg: Msg, args: &[&str], detail: impl Into<String>) -> Refusal {
        Refusal {
            msg,
            args: args.iter().map(|a| Arg::Text((*a).to_owned())).collect(),
            detail: detail.into(),
        }
    }

    /// A refusal whose parameters may be catalogue texts themselves.
    pub fn said(msg: Msg, args: Vec<Arg>) -> Refusal {
        Refusal {
            msg,
            args,
            detail: String::new(),
        }
    }

    /// Words shown as they are (a folder's name, a label made of data).
    pub fn plain(text: impl Into<String>) -> Refusal {
        Refusal::new(Msg::Plain, text)
    }

    /// The refusal in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                Arg::Text(t) => t.clone(),
                Arg::Said(r) => r.text(lang),
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = self.msg.fill(lang, &args);
        if self.detail.is_empty() {
            text
        } else {
            format!("{text} {}", Msg::DetailQuoted.fill(lang, &[&self.detail]))
        }
    }
}

/// A folder on a stick that may hold a signed medium, or a stick listed for why it cannot
/// be used (then `folder` is empty and the label says why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medium {
    /// What the official sees.
    pub label: Refusal,
    /// The stick it is on ([`tally_body::Stick::key`]).
    pub stick: String,
    /// The folder on the stick.
    pub folder: String,
}

/// A verified election definition, ready to be checked against the paper and loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDefinition {
    /// The election.
    pub info: ElectionInfo,
    /// Who signed it.
    pub signer: String,
    /// SHA-256 (hex) of the 110a, whose hash code is on the paper.
    pub sha256_110a: String,
    /// SHA-256 (hex) of the 230b of the municipality's kieskring (a Tweede Kamer medium
    /// holds one per kieskring), whose hash code is on the paper.
    pub sha256_230b: String,
    /// Every file with its SHA-256, for the journal.
    pub files: Vec<(String, String)>,
}

/// Everything the terminal needs from keys, media and signatures, at every level; what a
/// level needs besides is its [`Level::Services`], reached through [`Services::level`].
pub trait Services<L: Level> {
    /// What to show at start.
    fn identity(&self) -> Identity;
    /// Unlocks the body key with the passphrase.
    fn unlock(&mut self, passphrase: &str) -> Result<(), Refusal>;
    /// The body's journal key, once unlocked.
    fn journal_key(&self) -> Option<tally_core::journal::JournalKey> {
        None
    }
    /// The media present now.
    fn scan(&mut self) -> Vec<Medium>;
    /// Takes in what changed with the sticks since the last call, without waiting (a stick
    /// inserted or removed); true when a media screen should be refreshed.
    fn poll_media(&mut self) -> bool {
        false
    }
    /// Verifies a signed definition medium (signature, signer's role, every file) and
    /// reads the election from the bytes it verified.
    fn verify_definition(&mut self, medium: &Medium) -> Result<L::Definition, Refusal>;
    /// Keeps the verified definition in the data directory, so a restart needs no stick.
    fn keep_definition(
        &mut self,
        medium: &Medium,
        definition: &L::Definition,
    ) -> Result<(), Refusal>;
    /// The definition kept in the data directory, verified again.
    fn kept_definition(&mut self) -> Result<Option<L::Definition>, Refusal>;
    /// Where a kept file is (a level that imports keeps what it imported; the ledger reads
    /// it as a stream and checks its SHA-256).
    fn kept_file(&mut self, sha256: &str) -> Result<std::path::PathBuf, Refusal> {
        Err(Refusal::with(
            Msg::RefusedOther,
            &[],
            format!("no kept file {sha256}"),
        ))
    }
    /// A line in the audit log.
    fn note(&mut self, text: &str) {
        let _ = text;
    }
    /// A journal record's line in the audit log (what, by whom).
    fn record(&mut self, event: tally_media::AuditEvent) {
        self.note(&event.detail);
    }
    /// The level's own services.
    fn level(&mut self) -> &mut L::Services;
}

/// What a level reads from its definition medium, on a [`Folder`]: the level's definition,
/// and where the verified copy is kept in the data directory.
pub trait DefinitionMedium: Sized {
    /// The level's definition.
    type Definition;
    /// The kept copy's folder in the data directory.
    const KEPT_DIR: &'static str;
    /// What the level keeps beside the body, made when the keys are opened.
    ///
    /// # Errors
    /// The body is not one of this level (its certificate's role).
    fn new(body: &Body) -> Result<Self, SetupError>;
    /// The level's definition read from a verified medium (what else the level needs of it
    /// is kept in `self`).
    ///
    /// # Errors
    /// The medium's files are not this level's definition.
    fn definition(
        &mut self,
        body: &Body,
        verified: &VerifiedMedium,
    ) -> Result<Self::Definition, Refusal>;
    /// The definition's files: name and SHA-256 (hex).
    fn files(definition: &Self::Definition) -> &[(String, String)];
}

/// Every level's services on real keys and sticks (real USB sticks, or folders standing in
/// for them) and real signatures: the [`Body`] (the keys, the sticks, media verified in and
/// exports signed, kept and written, all audited) with the level's definition medium `M`. The
/// body's typed errors are worded here only through `Refusal::from`.
pub struct Folder<M> {
    /// The body.
    pub body: Body,
    /// The level's part.
    pub level: M,
}

impl<M: DefinitionMedium> Folder<M> {
    /// Opens the keys in `paths.data_dir`: the root's public key and the body's certificate,
    /// which must be signed by that root and be of this level. The body key stays locked
    /// until [`Services::unlock`]. The media folder `paths.media_dir` stands in for one stick.
    ///
    /// # Errors
    /// A key file is missing or invalid, or the certificate is not of this level.
    pub fn open(paths: Paths, system: String, demo: bool) -> Result<Folder<M>, SetupError> {
        let sticks = Sticks::folder(&paths.media_dir);
        Folder::with_sticks(paths, sticks, system, demo)
    }

    /// As [`Folder::open`], with the sticks from `sticks` (real USB sticks with
    /// [`Sticks::usb`]); `paths.media_dir` is then not used.
    ///
    /// # Errors
    /// As [`Folder::open`].
    pub fn with_sticks(
        paths: Paths,
        sticks: Sticks,
        system: String,
        demo: bool,
    ) -> Result<Folder<M>, SetupError> {
        let body = Body::open(paths, sticks, system, demo)?;
        let level = M::new(&body)?;
        Ok(Folder { body, level })
    }
}

/// The level's own services of a [`Folder`] ([`Level::Services`]).
pub trait FolderLevel<L: Level> {
    /// `self` as the level's services.
    fn as_level(&mut self) -> &mut L::Services;
}

impl<L, M> Services<L> for Folder<M>
where
    L: Level,
    M: DefinitionMedium<Definition = L::Definition>,
    Folder<M>: FolderLevel<L>,
{
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

    fn verify_definition(&mut self, medium: &Medium) -> Result<L::Definition, Refusal> {
        let verified =
            self.body
                .on_stick(&medium.stick, &medium.folder, |body, stick, audit| {
                    Body::verify(stick, &medium.folder, &body.definition_options(), audit)
                        .map_err(Refusal::from)
                })?;
        self.level.definition(&self.body, &verified)
    }

    fn keep_definition(
        &mut self,
        medium: &Medium,
        definition: &L::Definition,
    ) -> Result<(), Refusal> {
        let kept = self.body.paths.data_dir.join(M::KEPT_DIR);
        let mut names: Vec<String> = M::files(definition)
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        names.push(tally_signing::MANIFEST_FILE.to_string());
        names.push(tally_signing::SIGNATURE_FILE.to_string());
        self.body
            .keep_medium(&medium.stick, &medium.folder, &names, &kept)?;
        // What was copied must be what was verified.
        let again = Services::<L>::kept_definition(self)?;
        if again.as_ref().map(M::files) != Some(M::files(definition)) {
            return Err(Refusal::said(
                Msg::MediumRefused,
                vec![Refusal::with(Msg::StickChanged, &[], "").into()],
            ));
        }
        Ok(())
    }

    fn kept_definition(&mut self) -> Result<Option<L::Definition>, Refusal> {
        if !self.body.paths.data_dir.join(M::KEPT_DIR).exists() {
            return Ok(None);
        }
        let medium = FolderMedium::new(&self.body.paths.data_dir);
        let mut audit = self.body.audit_log()?;
        let options = self.body.definition_options();
        let verified = Body::verify(&medium, M::KEPT_DIR, &options, &mut audit)?;
        self.level.definition(&self.body, &verified).map(Some)
    }

    fn kept_file(&mut self, sha256: &str) -> Result<std::path::PathBuf, Refusal> {
        Ok(self.body.kept_path(sha256)?)
    }

    fn note(&mut self, text: &str) {
        self.body.note(text);
    }

    fn record(&mut self, event: tally_media::AuditEvent) {
        self.body.record(event);
    }

    fn level(&mut self) -> &mut L::Services {
        self.as_level()
    }
}

/// The media on the sticks present, as the media screen lists them: a folder by its name
/// (on a USB stick with the stick's name), a stick that offers nothing with why.
fn found(body: &mut Body) -> Vec<Medium> {
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
