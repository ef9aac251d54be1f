//! The terminal's journal: [`CoreJournal`] on the core's append-only journal (records
//! length-prefixed, numbered, hash-chained, bound to the election, each forced to disk
//! before `append` returns; a torn last record is dropped, any other damage refused).
//! Its payloads are the terminal's [`crate::model::Record`]s as JSON.
//!
//! [`FileJournal`] (JSON lines, fsync'ed) and [`MemoryJournal`] are simpler stores for
//! tests and benchmarks.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::services::Journal;

/// The core's journal file, bound to the election when it is loaded.
#[derive(Debug)]
pub struct CoreJournal {
    path: PathBuf,
    writer: Option<tally_core::journal::JournalWriter>,
    records: Vec<Vec<u8>>,
}

impl CoreJournal {
    /// The journal at `path` (created when the election is bound).
    pub fn new(path: &Path) -> CoreJournal {
        CoreJournal {
            path: path.to_path_buf(),
            writer: None,
            records: Vec::new(),
        }
    }
}

fn core_err(e: tally_core::journal::JournalError) -> io::Error {
    io::Error::other(e.to_string())
}

impl Journal for CoreJournal {
    fn bind(&mut self, election: [u8; 32]) -> io::Result<()> {
        use tally_core::journal::JournalWriter;
        if self.path.exists() {
            let (writer, contents) =
                JournalWriter::open(&self.path, &election).map_err(core_err)?;
            self.records = contents.records.into_iter().map(|r| r.payload).collect();
            self.writer = Some(writer);
        } else {
            self.writer = Some(JournalWriter::create(&self.path, &election).map_err(core_err)?);
            self.records.clear();
        }
        Ok(())
    }

    fn append(&mut self, record: &[u8]) -> io::Result<()> {
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| io::Error::other("the journal is not bound to an election"))?;
        writer.append(record).map_err(core_err)?;
        Ok(())
    }

    fn read_all(&mut self) -> io::Result<Vec<Vec<u8>>> {
        if self.writer.is_none() && self.path.exists() {
            return Err(io::Error::other(
                "a journal exists but the election definition it belongs to is missing",
            ));
        }
        Ok(self.records.clone())
    }
}

/// A journal in one file of JSON lines.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    file: Option<File>,
}

impl FileJournal {
    /// The journal at `path` (created on the first append).
    pub fn new(path: &Path) -> FileJournal {
        FileJournal {
            path: path.to_path_buf(),
            file: None,
        }
    }
}

impl Journal for FileJournal {
    fn append(&mut self, record: &[u8]) -> io::Result<()> {
        if record.contains(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "record contains a newline",
            ));
        }
        if self.file.is_none() {
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            // Make the file's directory entry durable too.
            if let Some(dir) = self.path.parent() {
                File::open(dir)?.sync_all()?;
            }
            self.file = Some(f);
        }
        let Some(f) = self.file.as_mut() else {
            return Err(io::Error::other("journal not open"));
        };
        let mut line = Vec::with_capacity(record.len() + 1);
        line.extend_from_slice(record);
        line.push(b'\n');
        f.write_all(&line)?;
        f.sync_data()
    }

    fn read_all(&mut self) -> io::Result<Vec<Vec<u8>>> {
        let mut bytes = Vec::new();
        match File::open(&self.path) {
            Ok(mut f) => {
                f.read_to_end(&mut bytes)?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        }
        let complete = match bytes.iter().rposition(|b| *b == b'\n') {
            Some(i) => i + 1,
            None => 0,
        };
        if complete < bytes.len() {
            // Torn tail: cut it off so the next append starts on a clean line.
            let f = OpenOptions::new().write(true).open(&self.path)?;
            f.set_len(u64::try_from(complete).unwrap_or(0))?;
            f.sync_all()?;
        }
        Ok(bytes
            .get(..complete)
            .unwrap_or_default()
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect())
    }
}

/// A journal in memory, for benchmarks and tests of the screen logic (it survives
/// nothing; the appliance always uses [`FileJournal`]).
#[derive(Debug, Default, Clone)]
pub struct MemoryJournal {
    /// The records.
    pub records: Vec<Vec<u8>>,
}

impl Journal for MemoryJournal {
    fn append(&mut self, record: &[u8]) -> io::Result<()> {
        self.records.push(record.to_vec());
        Ok(())
    }

    fn read_all(&mut self) -> io::Result<Vec<Vec<u8>>> {
        Ok(self.records.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_journal_binds_to_one_election() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = CoreJournal::new(&path);
        assert!(j.append(b"x").is_err());
        j.bind([1; 32]).unwrap();
        j.append(b"{\"a\":1}").unwrap();
        j.append(b"{\"a\":2}").unwrap();
        drop(j);
        let mut j = CoreJournal::new(&path);
        assert!(j.read_all().is_err());
        assert!(j.bind([2; 32]).is_err());
        j.bind([1; 32]).unwrap();
        assert_eq!(
            j.read_all().unwrap(),
            vec![b"{\"a\":1}".to_vec(), b"{\"a\":2}".to_vec()]
        );
    }

    #[test]
    fn records_survive_and_a_torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = FileJournal::new(&path);
        j.append(b"{\"a\":1}").unwrap();
        j.append(b"{\"a\":2}").unwrap();
        drop(j);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"a\":").unwrap();
        drop(f);
        let mut j = FileJournal::new(&path);
        assert_eq!(
            j.read_all().unwrap(),
            vec![b"{\"a\":1}".to_vec(), b"{\"a\":2}".to_vec()]
        );
        j.append(b"{\"a\":3}").unwrap();
        assert_eq!(j.read_all().unwrap().len(), 3);
        assert!(j.append(b"x\ny").is_err());
    }
}
