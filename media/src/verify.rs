//! The seam between this crate and the signed-medium verifier: a [`FolderView`] gives the files
//! of one folder of a medium through the capped, link-refusing [`MediumReader`], and a
//! [`MediumVerifier`] decides whether they form a valid signed medium.
//!
//! The signing crate's verifier plugs in through its `MediumSource` trait (see
//! `docs/media.md`); any closure `Fn(&FolderView) -> Result<String, String>` is a verifier too.

use crate::error::MediaError;
use crate::reader::{DirEntryInfo, MediumReader, check_component};

/// The files of one folder of a medium (a signed medium's folder).
#[derive(Debug, Clone, Copy)]
pub struct FolderView<'a> {
    reader: &'a MediumReader,
    folder: &'a str,
}

impl<'a> FolderView<'a> {
    /// The folder `folder` (a plain name at the medium's root) of `reader`.
    pub fn new(reader: &'a MediumReader, folder: &'a str) -> Result<Self, MediaError> {
        check_component(folder)?;
        Ok(FolderView { reader, folder })
    }

    /// The folder's name.
    pub fn folder(&self) -> &str {
        self.folder
    }

    /// The reader underneath (for its digests and limits).
    pub fn reader(&self) -> &MediumReader {
        self.reader
    }

    /// The folder's entries, links and special files included (reported, never followed).
    pub fn list(&self) -> Result<Vec<DirEntryInfo>, MediaError> {
        self.reader.list_dir(self.folder)
    }

    /// Reads the regular file `name` of the folder, at most `max_len` bytes (and never more
    /// than the reader's own cap); refuses links, device files, FIFOs and larger files.
    pub fn read(&self, name: &str, max_len: u64) -> Result<Vec<u8>, MediaError> {
        check_component(name)?;
        self.reader
            .read_file_capped(&format!("{}/{name}", self.folder), max_len)
    }
}

impl FolderView<'_> {
    /// Copies the regular file `name` of the folder to `out` in pieces (never held in
    /// memory), with [`FolderView::read`]'s refusals and caps; its length and SHA-256.
    pub fn copy(
        &self,
        name: &str,
        max_len: u64,
        out: &mut dyn std::io::Write,
    ) -> Result<(u64, [u8; 32]), MediaError> {
        check_component(name)?;
        self.reader
            .copy_file_capped(&format!("{}/{name}", self.folder), max_len, out)
    }
}

/// Decides whether a folder holds a valid signed medium. Returns a one-line summary for the audit
/// log (signer, kind, election) or the reason for refusing.
pub trait MediumVerifier {
    /// Verifies the folder completely (every file's hash against the signed manifest).
    fn verify(&self, view: &FolderView<'_>) -> Result<String, String>;
}

impl<F> MediumVerifier for F
where
    F: Fn(&FolderView<'_>) -> Result<String, String>,
{
    fn verify(&self, view: &FolderView<'_>) -> Result<String, String> {
        self(view)
    }
}
