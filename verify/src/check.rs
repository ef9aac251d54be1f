//! `tally-verify check`: every signature (with a root key), every sum, the seats and the
//! elected candidates of the published files of one election.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use tally_core::aggregate::outcome::{
    Computation, Decisions, ListOutcome, SeatRules, compute_result_with, counted_lists_with,
};
use tally_core::aggregate::{CountDifference, compare_counts};
use tally_core::apportionment::ElectedBy;
use tally_core::corrigendum::ReplacedFile;
use tally_core::counts::{CandidateRef, CountField, CountFile, CountLevel, check_arithmetic};
use tally_core::election::{Candidate, Election, ElectionCategory};
use tally_core::eml::count::read_count;
use tally_core::eml::definition::{
    PollingStationsFile, SourceFile, load_definition, load_election, load_polling_stations,
};
use tally_core::eml::limits::{DocumentKind, check_xml_input};
use tally_core::eml::result::{ResultCandidate, ResultFile, read_result};
use tally_core::hashcode::Sha256Digest;
use tally_core::ids::{CandidatePosition, ContestId, ListNumber};
use tally_signing::{ContentKind, DirSource, PublicKey, Timestamp, VerifyOptions, verify_medium};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Information: what was checked and agreed.
    Ok,
    /// Information that does not limit what was checked: a field one level leaves out, a
    /// file of the level below not in the folder (a discrepancy with `--require-all`), a
    /// signed file whose bytes the signature covers but that holds no count. Does not change
    /// the exit status.
    Note,
    /// Something in the folder that could not be checked (a file, a list's elected
    /// candidates, a result without the count it rests on): the report cannot say that
    /// everything agrees. Exit status 3 when there is no discrepancy.
    Unchecked,
    /// A discrepancy: exit status 1.
    Discrepancy,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// The file concerned (or `-`).
    pub file: String,
    /// What, in English, with the place and the numbers.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.severity {
            Severity::Ok => "OK",
            Severity::Note => "NOTE",
            Severity::Unchecked => "UNCHECKED",
            Severity::Discrepancy => "DISCREPANCY",
        };
        write!(f, "{tag} {}: {}", self.file, self.message)
    }
}

/// The whole report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Whether signatures were checked.
    pub signatures_checked: bool,
    /// Every finding, in the order found.
    pub findings: Vec<Finding>,
    /// What was not checked, in short, for the last line: `(what, which)`, e.g.
    /// `("the elected candidates of list", "5")`; one entry per [`Severity::Unchecked`]
    /// finding.
    pub not_checked: Vec<(String, String)>,
}

/// How a check ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything in the folder was checked and agrees: exit status 0.
    Agrees,
    /// Nothing found wrong, but not everything could be checked: exit status 3.
    NotAllChecked,
    /// At least one discrepancy: exit status 1.
    Discrepancies,
}

impl Outcome {
    /// The exit status of `tally-verify check` (2 is "the check could not run").
    pub fn exit_status(self) -> u8 {
        match self {
            Outcome::Agrees => 0,
            Outcome::Discrepancies => 1,
            Outcome::NotAllChecked => 3,
        }
    }
}

impl Report {
    fn push(&mut self, severity: Severity, file: &str, message: impl Into<String>) {
        self.findings.push(Finding {
            severity,
            file: file.to_owned(),
            message: message.into(),
        });
    }

    /// An [`Severity::Unchecked`] finding, and `(what, which)` for the last line.
    fn unchecked(
        &mut self,
        file: &str,
        message: impl Into<String>,
        what: &str,
        which: impl Into<String>,
    ) {
        self.push(Severity::Unchecked, file, message);
        self.not_checked.push((what.to_owned(), which.into()));
    }

    /// The discrepancies.
    pub fn discrepancies(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Discrepancy)
    }

    /// Whether something in the folder could not be checked.
    pub fn incomplete(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == Severity::Unchecked)
    }

    /// Whether everything was checked and agrees (exit status 0).
    pub fn agrees(&self) -> bool {
        self.outcome() == Outcome::Agrees
    }

    /// How the check ended.
    pub fn outcome(&self) -> Outcome {
        if self.discrepancies().next().is_some() {
            Outcome::Discrepancies
        } else if self.incomplete() {
            Outcome::NotAllChecked
        } else {
            Outcome::Agrees
        }
    }

    /// What was not checked, grouped: `what: which, which; what: which`.
    fn not_checked_text(&self) -> String {
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for (what, which) in &self.not_checked {
            match groups.iter_mut().find(|(w, _)| w == what) {
                Some((_, items)) => {
                    if !items.contains(&which.as_str()) {
                        items.push(which);
                    }
                }
                None => groups.push((what, vec![which])),
            }
        }
        groups
            .iter()
            .map(|(what, items)| format!("{what} {}", items.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.signatures_checked {
            writeln!(f, "signatures: checked against the given root key")?;
        } else {
            writeln!(
                f,
                "signatures: NOT checked (no --root-key given); only arithmetic and seats were checked"
            )?;
        }
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        let n = self.discrepancies().count();
        let not_checked = self.not_checked_text();
        match (n, not_checked.is_empty()) {
            (0, true) => writeln!(f, "result: everything checked agrees"),
            (0, false) => writeln!(
                f,
                "result: nothing found wrong, but NOT everything could be checked: {not_checked}"
            ),
            (n, true) => writeln!(f, "result: {n} discrepancies"),
            (n, false) => writeln!(f, "result: {n} discrepancies; not checked: {not_checked}"),
        }
    }
}

/// What to check.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions<'a> {
    /// The trusted root key: verify every signed medium, and refuse unsigned files.
    pub root_key: Option<&'a PublicKey>,
    /// The time at which certificates must be valid.
    pub at: Timestamp,
    /// Report missing files (a level below not published, or not every body's file) as
    /// discrepancies instead of notes.
    pub require_all: bool,
}

/// A file of the folder with its bytes (verified bytes for a signed medium).
struct Input {
    name: String,
    bytes: Vec<u8>,
    /// For a file from a verified medium: who signed it for what.
    signed: Option<SignedBy>,
}

/// A corrigendum's signed line naming the 510b it replaces (core's [`ReplacedFile`], beside
/// it in the medium), with where it was found.
struct Replaces {
    /// The `…_vervangt.txt` file, as reported (`medium/file`).
    file: String,
    /// The corrigendum it is about, as its input is named (`medium/file`).
    corrigendum: String,
    /// The 510b it replaces.
    sha256: Sha256Digest,
}

/// Reads a `…_vervangt.txt` of medium `medium` into `replaces`; an unreadable one is a
/// discrepancy.
fn take_replaces(
    medium: &str,
    file: &str,
    bytes: std::io::Result<Vec<u8>>,
    report: &mut Report,
    replaces: &mut Vec<Replaces>,
) {
    let at = format!("{medium}/{file}");
    match bytes
        .map_err(|e| format!("cannot read: {e}"))
        .and_then(|b| ReplacedFile::parse(&b).map_err(|e| e.to_string()))
    {
        Ok(line) => replaces.push(Replaces {
            corrigendum: format!("{medium}/{}", line.corrigendum),
            sha256: line.replaces,
            file: at,
        }),
        Err(why) => report.push(
            Severity::Discrepancy,
            &at,
            format!("the line naming the replaced 510b is unreadable: {why}"),
        ),
    }
}

/// What a verified medium says about its files.
struct SignedBy {
    /// The medium's kind.
    kind: ContentKind,
    /// The signer's identifier (its certificate's).
    signer: String,
    /// The election of the medium (and of the signer's certificate).
    election: String,
}

impl SignedBy {
    /// A discrepancy when a file of this medium is for another election than the medium:
    /// a body's certificate is for one election only.
    fn other_election(&self, name: &str, file_election: &str, report: &mut Report) -> bool {
        if file_election == self.election {
            return false;
        }
        report.push(
            Severity::Discrepancy,
            name,
            format!(
                "a file of election {file_election} in a medium signed for election {}: a certificate is valid for one election only; not used",
                self.election
            ),
        );
        true
    }
}

fn read_plain(path: &Path) -> std::io::Result<Vec<u8>> {
    // The signing crate's reader: a regular file only (no link, FIFO or device), never more
    // than the cap, checked on the opened file rather than on the name.
    tally_signing::medium::read_regular_file(path, tally_core::eml::limits::MAX_FILE_BYTES as u64)
        .map_err(std::io::Error::other)
}

/// Checks the folder. An unreadable folder is an `Err`; everything about the files is in
/// the report.
///
/// # Errors
/// The folder cannot be listed.
pub fn check_folder(folder: &Path, opts: &CheckOptions<'_>) -> std::io::Result<Report> {
    let mut report = Report {
        signatures_checked: opts.root_key.is_some(),
        ..Report::default()
    };
    // The folder may itself be a signed medium (an export folder, `*.tally`, given
    // directly): then it is the one medium to check, not a folder of media.
    let entries: Vec<PathBuf> = if folder.join(tally_signing::MANIFEST_FILE).is_file() {
        vec![folder.to_path_buf()]
    } else {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        entries
    };
    let mut inputs = Vec::new();
    let mut replaces = Vec::new();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let is_dir = std::fs::symlink_metadata(&path)
            .map(|m| m.is_dir())
            .unwrap_or(false);
        if is_dir {
            read_medium(&path, &name, opts, &mut report, &mut inputs, &mut replaces);
        } else if name.ends_with(".xml") {
            match read_plain(&path) {
                Ok(bytes) => {
                    if opts.root_key.is_some() {
                        report.push(
                            Severity::Discrepancy,
                            &name,
                            "not in a signed medium: its origin cannot be verified, so it is not used",
                        );
                    } else {
                        inputs.push(Input {
                            name,
                            bytes,
                            signed: None,
                        });
                    }
                }
                Err(e) => report.push(Severity::Discrepancy, &name, format!("cannot read: {e}")),
            }
        } else {
            report.unchecked(&name, "not an EML file; ignored", "the files", name.clone());
        }
    }
    check_inputs(inputs, replaces, opts, &mut report);
    Ok(report)
}

/// What a signed medium of parallel entry is, in the report's words; `None` for the media of
/// the result chain (definitions and counts), which are checked.
fn internal_medium(kind: ContentKind) -> Option<&'static str> {
    match kind {
        ContentKind::EntryBatch => Some(
            "an entry batch of parallel entry (the entries one entry appliance typed, for its body's coordinating appliance)",
        ),
        ContentKind::EntryAssignment => Some(
            "an entry assignment of parallel entry (which entry appliance types which polling station)",
        ),
        ContentKind::ProgressOverview => {
            Some("the progress overview of parallel entry (a paper for the committee)")
        }
        ContentKind::ElectionDefinition
        | ContentKind::Results510b
        | ContentKind::Results510c
        | ContentKind::Results510d520 => None,
    }
}

fn read_medium(
    path: &Path,
    name: &str,
    opts: &CheckOptions<'_>,
    report: &mut Report,
    inputs: &mut Vec<Input>,
    replaces: &mut Vec<Replaces>,
) {
    match opts.root_key {
        Some(root) => {
            let verify_opts = VerifyOptions::new(root, opts.at);
            match verify_medium(&DirSource::new(path), &verify_opts) {
                Ok(medium) => {
                    let signer = medium.signer();
                    report.push(
                        Severity::Ok,
                        name,
                        format!(
                            "signed medium verified: {} signed by {} {} ({}), {} files",
                            medium.kind().as_str(),
                            signer.role().as_str(),
                            signer.identifier(),
                            signer.name(),
                            medium.files.len()
                        ),
                    );
                    for ignored in &medium.ignored {
                        let file = format!("{name}/{ignored}");
                        report.unchecked(
                            &file,
                            "not listed in the signed manifest; ignored",
                            "the files",
                            file.clone(),
                        );
                    }
                    let signer_id = signer.identifier().to_owned();
                    let election = medium.election().to_owned();
                    let kind = medium.manifest.kind;
                    if let Some(what) = internal_medium(kind) {
                        // Media of parallel entry pass between the appliances of one body
                        // (`docs/parallel-entry.md`); they hold no count of the result chain.
                        for f in &medium.files {
                            report.push(
                                Severity::Note,
                                &format!("{name}/{}", f.name),
                                format!("signed, {what}; holds no count, not recomputed"),
                            );
                        }
                        return;
                    }
                    for f in medium.files {
                        if f.name == AUDIT_FILE {
                            check_audit(&format!("{name}/{}", f.name), &f.bytes, report);
                            continue;
                        }
                        if f.name.ends_with(ReplacedFile::SUFFIX) {
                            take_replaces(name, &f.name, Ok(f.bytes), report, replaces);
                            continue;
                        }
                        if !f.name.ends_with(".xml") {
                            // The exports carry the printed report (PDF) beside the EML: it
                            // is covered by the signature checked above, but holds no count.
                            report.push(
                                Severity::Note,
                                &format!("{name}/{}", f.name),
                                "signed, not an EML file (a printed report?); not recomputed",
                            );
                            continue;
                        }
                        inputs.push(Input {
                            name: format!("{name}/{}", f.name),
                            bytes: f.bytes,
                            signed: Some(SignedBy {
                                kind,
                                signer: signer_id.clone(),
                                election: election.clone(),
                            }),
                        });
                    }
                }
                Err(e) => report.push(
                    Severity::Discrepancy,
                    name,
                    format!("signed medium refused: {e}"),
                ),
            }
        }
        None => {
            // Unsigned check: read the EML files inside without verifying.
            let Ok(dir) = std::fs::read_dir(path) else {
                report.push(Severity::Discrepancy, name, "cannot list the folder");
                return;
            };
            let mut files: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for p in files {
                let inner = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if inner == tally_signing::MANIFEST_FILE || inner == tally_signing::SIGNATURE_FILE {
                    // The signature, which the first line says was not checked.
                    continue;
                }
                if inner == AUDIT_FILE {
                    // Its chain can be checked without the signature; the signature was not.
                    let file = format!("{name}/{inner}");
                    match read_plain(&p) {
                        Ok(bytes) => check_audit(&file, &bytes, report),
                        Err(e) => {
                            report.push(Severity::Discrepancy, &file, format!("cannot read: {e}"));
                        }
                    }
                    report.unchecked(
                        &file,
                        "its signature was not checked (no --root-key)",
                        "the files",
                        file.clone(),
                    );
                    continue;
                }
                if inner.ends_with(ReplacedFile::SUFFIX) {
                    take_replaces(name, &inner, read_plain(&p), report, replaces);
                    continue;
                }
                if !inner.ends_with(".xml") {
                    let file = format!("{name}/{inner}");
                    report.unchecked(
                        &file,
                        "not an EML file, and its signature was not checked (no --root-key); ignored",
                        "the files",
                        file.clone(),
                    );
                    continue;
                }
                match read_plain(&p) {
                    Ok(bytes) => inputs.push(Input {
                        name: format!("{name}/{inner}"),
                        bytes,
                        signed: None,
                    }),
                    Err(e) => report.push(
                        Severity::Discrepancy,
                        &format!("{name}/{inner}"),
                        format!("cannot read: {e}"),
                    ),
                }
            }
        }
    }
}

/// The audit log in an export (`docs/audit.md`).
const AUDIT_FILE: &str = "audit.jsonl";

/// Checks an export's audit log: its chain (sequence numbers, each line's previous tag, the
/// unkeyed lines' SHA-256; the keyed lines' HMAC needs the body's key, which only the body
/// has), and that it ends with the body's own check of its key's tags; then sums up who did
/// what.
fn check_audit(file: &str, bytes: &[u8], report: &mut Report) {
    use std::collections::BTreeMap;
    use tally_core::audit::{CHECKED_KIND, RECORD_KIND, check};
    let c = check(bytes, None);
    if let Some(n) = c.torn {
        report.push(
            Severity::Discrepancy,
            file,
            format!("the last line is incomplete ({n} bytes after the last newline)"),
        );
    }
    for b in &c.broken {
        report.push(
            Severity::Discrepancy,
            file,
            format!("audit log line {}: {}", b.line, b.why),
        );
    }
    if c.broken.is_empty() && c.torn.is_none() {
        report.push(
            Severity::Ok,
            file,
            format!(
                "audit log chained: {} lines numbered in order, each naming the tag of the line before; {} written before an unlock, their SHA-256 checked; {} tagged with the body's key (HMAC-SHA-256: only the body's key can check those tags; the signature covers the file)",
                c.lines.len(),
                c.unkeyed,
                c.keyed
            ),
        );
    }
    match c.lines.last() {
        Some(l) if l.text("kind") == Some(CHECKED_KIND) && l.text("act") == Some("verified") => {
            report.push(
                Severity::Note,
                file,
                format!("the body's own check: {}", l.text("detail").unwrap_or("")),
            );
        }
        Some(l) if l.text("kind") == Some(CHECKED_KIND) => report.push(
            Severity::Discrepancy,
            file,
            format!("the body's own check: {}", l.text("detail").unwrap_or("")),
        ),
        _ => report.push(
            Severity::Discrepancy,
            file,
            "the audit log does not end with the body's check of its key's tags (lines cut off or added at the end?)",
        ),
    }
    // Who did what.
    let mut typists: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut coordinators: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut acknowledged = Vec::new();
    let mut other: BTreeMap<String, usize> = BTreeMap::new();
    for l in c
        .lines
        .iter()
        .filter(|l| l.text("kind") == Some(RECORD_KIND))
    {
        let act = l.text("act").unwrap_or("");
        let person = l.text("person").unwrap_or("(no name)").to_owned();
        match act {
            "entry_started" => typists.entry(person).or_default().0 += 1,
            "entry_finished" => typists.entry(person).or_default().1 += 1,
            _ => {
                if let Some(decision) = act.strip_prefix("decided:") {
                    if decision == "acknowledge_warnings" {
                        acknowledged.push(format!(
                            "{} by {person}",
                            l.text("detail")
                                .unwrap_or("")
                                .split(':')
                                .next()
                                .unwrap_or("")
                        ));
                    }
                    *coordinators
                        .entry(person)
                        .or_default()
                        .entry(decision.to_owned())
                        .or_default() += 1;
                } else {
                    *other.entry(act.to_owned()).or_default() += 1;
                }
            }
        }
    }
    for (who, (started, finished)) in &typists {
        report.push(
            Severity::Note,
            file,
            format!("typist {who}: {started} entries started, {finished} finished"),
        );
    }
    for (who, decisions) in &coordinators {
        let list: Vec<String> = decisions.iter().map(|(d, n)| format!("{d} {n}")).collect();
        report.push(
            Severity::Note,
            file,
            format!("coordinator {who}: decisions {}", list.join(", ")),
        );
    }
    report.push(
        Severity::Note,
        file,
        if acknowledged.is_empty() {
            "warnings acknowledged: none".to_owned()
        } else {
            format!(
                "warnings acknowledged: {} ({})",
                acknowledged.len(),
                acknowledged.join(", ")
            )
        },
    );
    let n = |act: &str| other.get(act).copied().unwrap_or(0);
    report.push(
        Severity::Note,
        file,
        format!(
            "imports {}, imports refused {}, exports {}, people registered {}, wrong PINs {}",
            n("imported"),
            n("import_refused"),
            n("exported"),
            n("person_registered"),
            n("pin_wrong")
        ),
    );
}

struct Parsed {
    definition: Option<(String, Election)>,
    candidate_files: usize,
    /// Which 230b gave each contest of the definition's `contests`.
    contest_files: Vec<(ContestId, String)>,
    /// The 110b files, read on their own.
    polling_stations: Vec<(String, PollingStationsFile)>,
    counts: Vec<(String, CountFile)>,
    /// Each count's SHA-256, by its name.
    count_sha: BTreeMap<String, Sha256Digest>,
    /// The signed lines naming the 510b a corrigendum replaces.
    replaces: Vec<Replaces>,
    results: Vec<(String, ResultFile)>,
}

fn kind_allowed(kind: DocumentKind, medium: ContentKind) -> bool {
    matches!(
        (kind, medium),
        (
            DocumentKind::ElectionDefinition
                | DocumentKind::CandidateLists
                | DocumentKind::PollingStations,
            ContentKind::ElectionDefinition
        ) | (DocumentKind::Count510b, ContentKind::Results510b)
            | (DocumentKind::Count510c, ContentKind::Results510c)
            | (
                DocumentKind::Count510d | DocumentKind::Result520,
                ContentKind::Results510d520
            )
    )
}

fn check_inputs(
    inputs: Vec<Input>,
    replaces: Vec<Replaces>,
    opts: &CheckOptions<'_>,
    report: &mut Report,
) {
    let mut parsed = Parsed {
        definition: None,
        candidate_files: 0,
        contest_files: Vec::new(),
        polling_stations: Vec::new(),
        counts: Vec::new(),
        count_sha: BTreeMap::new(),
        replaces,
        results: Vec::new(),
    };
    let mut candidate_inputs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut definition_bytes: Option<Vec<u8>> = None;
    for input in inputs {
        let kind = match check_xml_input(&input.name, &input.bytes) {
            Ok(c) => c.kind,
            Err(e) => {
                report.push(
                    Severity::Discrepancy,
                    &input.name,
                    format!("not usable EML: {}", e.problem),
                );
                continue;
            }
        };
        if let Some(SignedBy {
            kind: medium_kind, ..
        }) = &input.signed
            && !kind_allowed(kind, *medium_kind)
        {
            report.push(
                Severity::Discrepancy,
                &input.name,
                format!(
                    "a {} in a medium of kind {}: the signer's role may not send it",
                    kind.eml_id(),
                    medium_kind.as_str()
                ),
            );
            continue;
        }
        match kind {
            DocumentKind::ElectionDefinition => {
                match load_definition(&SourceFile::new(&input.name, &input.bytes)) {
                    Ok(e) => {
                        if let Some(by) = &input.signed
                            && by.other_election(&input.name, &e.id.0, report)
                        {
                            continue;
                        }
                        if let Some((other, _)) = &parsed.definition {
                            report.push(
                                Severity::Discrepancy,
                                &input.name,
                                format!("a second election definition (the first is {other})"),
                            );
                        } else {
                            parsed.definition = Some((input.name, e));
                            definition_bytes = Some(input.bytes);
                        }
                    }
                    Err(e) => report.push(Severity::Discrepancy, &input.name, e.to_string()),
                }
            }
            DocumentKind::CandidateLists => candidate_inputs.push((input.name, input.bytes)),
            DocumentKind::Count510b | DocumentKind::Count510c | DocumentKind::Count510d => {
                match read_count(&input.bytes) {
                    Ok(c) => {
                        if let Some(by) = &input.signed {
                            if by.other_election(&input.name, &c.header.election_id.0, report) {
                                continue;
                            }
                            let signer = &by.signer;
                            let expected = match c.header.level {
                                CountLevel::Total => "CSB".to_owned(),
                                _ => c.header.authority_id.clone(),
                            };
                            if *signer != expected {
                                report.push(
                                    Severity::Discrepancy,
                                    &input.name,
                                    format!(
                                        "made by {} but signed by {signer}: a body may sign only its own count",
                                        c.header.authority_id
                                    ),
                                );
                                continue;
                            }
                        }
                        parsed
                            .count_sha
                            .insert(input.name.clone(), Sha256Digest::of(&input.bytes));
                        parsed.counts.push((input.name, c));
                    }
                    Err(e) => report.push(
                        Severity::Discrepancy,
                        &input.name,
                        format!("unreadable count: {e}"),
                    ),
                }
            }
            DocumentKind::Result520 => match read_result(&input.bytes) {
                Ok(r) => {
                    if let Some(by) = &input.signed
                        && by.other_election(&input.name, &r.header.election_id.0, report)
                    {
                        continue;
                    }
                    parsed.results.push((input.name, r));
                }
                Err(e) => report.push(
                    Severity::Discrepancy,
                    &input.name,
                    format!("unreadable result: {e}"),
                ),
            },
            DocumentKind::PollingStations => {
                match load_polling_stations(&SourceFile::new(&input.name, &input.bytes)) {
                    Ok(p) => {
                        if let Some(by) = &input.signed
                            && by.other_election(&input.name, &p.election.id.0, report)
                        {
                            continue;
                        }
                        parsed.polling_stations.push((input.name, p));
                    }
                    Err(e) => report.push(Severity::Discrepancy, &input.name, e.to_string()),
                }
            }
            other => report.unchecked(
                &input.name,
                format!("a {} is not checked", other.eml_id()),
                "the files",
                input.name.clone(),
            ),
        }
    }
    match &mut parsed.definition {
        Some((def_name, election)) => {
            let def_bytes = definition_bytes.as_deref().unwrap_or_default();
            for (name, bytes) in &candidate_inputs {
                // Loaded with the definition, as the appliance loads them: the same
                // election, contests of its tree. Only such lists are used to compare the
                // elected candidates' names with.
                let loaded = load_election(
                    &SourceFile::new(def_name, def_bytes),
                    &[SourceFile::new(name, bytes)],
                    None,
                );
                match loaded {
                    Ok(lists) => {
                        parsed.candidate_files += 1;
                        for contest in lists.contests {
                            if let Some((_, first)) =
                                parsed.contest_files.iter().find(|(c, _)| *c == contest.id)
                            {
                                report.push(
                                    Severity::Discrepancy,
                                    name,
                                    format!(
                                        "a second candidate list of contest {} (the first is {first}): not used",
                                        contest.id
                                    ),
                                );
                            } else {
                                parsed
                                    .contest_files
                                    .push((contest.id.clone(), name.clone()));
                                election.contests.push(contest);
                            }
                        }
                    }
                    Err(e) => report.push(
                        Severity::Discrepancy,
                        name,
                        format!("{}; not used", e.problem),
                    ),
                }
            }
        }
        None => {
            for (name, _) in &candidate_inputs {
                report.unchecked(
                    name,
                    "candidate lists not checked: no election definition (110a) in the folder",
                    "the files",
                    name.clone(),
                );
            }
        }
    }
    check_parsed(&parsed, opts, report);
}

/// The history of every municipality with more than one 510b: one first-session count and
/// corrigenda (EML_NL 1.3, phase "corrigendum", `docs/next-session.md`). Each corrigendum's
/// previous values must be the first session's numbers, every changed unit must have an
/// investigation with "uitslag gecorrigeerd" saying so (the core's [`corrigendum`] rules), and
/// the latest corrigendum is the current version. Returns the files superseded (the first
/// session's and earlier corrigenda), which count no further; anything that does not fit is a
/// discrepancy and leaves the files as they are (a second 510b then is a surplus file).
fn municipal_histories(parsed: &Parsed, report: &mut Report) -> Vec<String> {
    use tally_core::corrigendum::{CorrigendumCheckError, check};
    use tally_core::counts::CountPhase;
    let mut by_body: BTreeMap<&str, Vec<&(String, CountFile)>> = BTreeMap::new();
    for item in &parsed.counts {
        if item.1.header.level == CountLevel::Municipality {
            by_body
                .entry(&item.1.header.authority_id)
                .or_default()
                .push(item);
        }
    }
    let mut superseded = Vec::new();
    for (body, files) in by_body {
        let is_corrigendum =
            |c: &CountFile| c.header.edition.phase == Some(CountPhase::Corrigendum);
        let corrigenda: Vec<_> = files.iter().filter(|(_, c)| is_corrigendum(c)).collect();
        let firsts: Vec<_> = files.iter().filter(|(_, c)| !is_corrigendum(c)).collect();
        if corrigenda.is_empty() {
            continue;
        }
        let [(first_name, first)] = firsts.as_slice() else {
            for (name, _) in &corrigenda {
                if firsts.is_empty() {
                    report.unchecked(
                        name,
                        format!("a corrigendum of {body} without its first-session 510b in the folder: its previous values are not checked"),
                        "the previous values of the corrigendum",
                        name.clone(),
                    );
                } else {
                    report.push(
                        Severity::Discrepancy,
                        name,
                        format!(
                            "a corrigendum of {body} corrects one first-session 510b, the folder has {}",
                            firsts.len()
                        ),
                    );
                }
            }
            continue;
        };
        let mut fits = true;
        for (name, c) in &corrigenda {
            match check(first, c) {
                Ok(changed) => report.push(
                    Severity::Ok,
                    name,
                    format!(
                        "corrigendum of {body}: {changed} unit(s) changed, each investigated; every previous value equals {first_name}"
                    ),
                ),
                Err(CorrigendumCheckError::PreviousValues(wrong)) => {
                    fits = false;
                    report.push(
                        Severity::Discrepancy,
                        name,
                        format!(
                            "corrigendum of {body}: previous values that are not the first session's ({first_name}) in {}",
                            wrong.join(", ")
                        ),
                    );
                }
                Err(why) => {
                    fits = false;
                    report.push(
                        Severity::Discrepancy,
                        name,
                        format!("corrigendum of {body}: {why}"),
                    );
                }
            }
        }
        if !fits {
            continue;
        }
        // The current version: the latest corrigendum.
        let mut order: Vec<_> = corrigenda
            .iter()
            .map(|(n, c)| (&c.header.creation_date_time, n))
            .collect();
        order.sort();
        replaced_files(parsed, body, first_name, &order, report);
        let Some((_, current)) = order.last() else {
            continue;
        };
        let history: Vec<String> = std::iter::once(format!("{first_name} (first session)"))
            .chain(
                order
                    .iter()
                    .map(|(at, n)| format!("{n} (corrigendum of {at})")),
            )
            .collect();
        report.push(
            Severity::Ok,
            current,
            format!(
                "history of {body}: {}; current: {current}",
                history.join(", ")
            ),
        );
        superseded.extend(
            files
                .iter()
                .map(|(n, _)| n.clone())
                .filter(|n| n != *current),
        );
    }
    superseded
}

/// Checks the 510b each corrigendum of `body` names as the one it replaces (its signed
/// `…_vervangt.txt`): each must name the version before it, the first session's 510b
/// (`first_name`) for the first of them (`order`: the corrigenda by creation time). A
/// corrigendum without such a line (another program's) is a note: the history rests on its
/// phase.
fn replaced_files(
    parsed: &Parsed,
    body: &str,
    first_name: &str,
    order: &[(&String, &String)],
    report: &mut Report,
) {
    let mut before = first_name;
    for (_, name) in order {
        let name: &str = name;
        let previous = std::mem::replace(&mut before, name);
        let Some(line) = parsed.replaces.iter().find(|r| r.corrigendum == name) else {
            report.push(
                Severity::Note,
                name,
                format!("the corrigendum of {body} does not name the 510b it replaces (no signed `_vervangt.txt` beside it)"),
            );
            continue;
        };
        match parsed.count_sha.get(previous) {
            Some(sha) if *sha == line.sha256 => report.push(
                Severity::Ok,
                &line.file,
                format!(
                    "the corrigendum {name} names the 510b it replaces: {previous} (SHA-256 {})",
                    sha.to_hex()
                ),
            ),
            sha => report.push(
                Severity::Discrepancy,
                &line.file,
                format!(
                    "the corrigendum {name} says it replaces the 510b with SHA-256 {}, but the version before it is {previous} (SHA-256 {})",
                    line.sha256.to_hex(),
                    sha.map_or_else(|| "unknown".to_owned(), Sha256Digest::to_hex)
                ),
            ),
        }
    }
}

fn missing(report: &mut Report, opts: &CheckOptions<'_>, file: &str, message: String) {
    let severity = if opts.require_all {
        Severity::Discrepancy
    } else {
        Severity::Note
    };
    report.push(severity, file, message);
}

/// Reports the differences of a unit against the file of the level below. A field one
/// side leaves out (or gives as 0 eligible voters, "unknown" in EML_NL) is a note; two
/// different numbers, or a list or candidate on one side only, is a discrepancy.
fn report_differences(
    report: &mut Report,
    file: &str,
    unit: &str,
    below: &str,
    diffs: &[CountDifference],
) {
    for d in diffs {
        let note = match d {
            CountDifference::Field {
                field: CountField::Cast,
                expected,
                found,
            } => *expected == Some(0) || *found == Some(0),
            CountDifference::Field {
                expected, found, ..
            }
            | CountDifference::Explanation {
                expected, found, ..
            } => expected.is_none() || found.is_none(),
            _ => false,
        };
        let severity = if note {
            Severity::Note
        } else {
            Severity::Discrepancy
        };
        let msg = match d {
            CountDifference::Field {
                field,
                expected,
                found,
            } if note => format!(
                "reporting unit {unit}, {}: {below} gives {}, this file gives {} (left out or unknown, not compared)",
                field.label(),
                show(expected),
                show(found)
            ),
            _ => format!("reporting unit {unit}, {d} (expected = {below})"),
        };
        report.push(severity, file, msg);
    }
}

fn show(v: &Option<u64>) -> String {
    v.map_or_else(|| "nothing".to_owned(), |v| v.to_string())
}

/// The body of a 510c reporting unit (`HSB1::0037` is municipality `0037`); an id without
/// `::` is the body itself.
fn unit_body(id: &str) -> &str {
    id.rsplit_once("::").map_or(id, |(_, code)| code)
}

fn check_parsed(parsed: &Parsed, opts: &CheckOptions<'_>, report: &mut Report) {
    let election = parsed.definition.as_ref().map(|(_, e)| e);
    match election {
        Some(e) => report.push(
            Severity::Ok,
            parsed.definition.as_ref().map_or("-", |(n, _)| n.as_str()),
            format!(
                "election {} ({}), {} seats, {} candidate list files",
                e.id, e.name, e.number_of_seats, parsed.candidate_files
            ),
        ),
        // Seats need the definition: a missing one matters where there are seats to check
        // (a 510d or 520, or everything required). A municipality's or district's own
        // export alone is checked for its sums and signature.
        None if opts.require_all
            || !parsed.results.is_empty()
            || parsed
                .counts
                .iter()
                .any(|(_, c)| c.header.level == CountLevel::Total) =>
        {
            report.push(
                Severity::Discrepancy,
                "-",
                "no election definition (110a) in the folder: seats cannot be checked",
            )
        }
        // A municipality's or district's own export alone (a GSB's 510b as written to its
        // stick): checked as far as it goes, and said what not.
        None => report.unchecked(
            "-",
            if opts.root_key.is_some() {
                "no election definition (110a) in the folder: the counts are checked for their sums and signatures only; not checked: that they are of a defined election, its election tree, and the seats"
            } else {
                "no election definition (110a) in the folder: the counts are checked for their sums only; not checked: that they are of a defined election, its election tree, and the seats"
            },
            "without an election definition (110a):",
            "the counts' election, tree and seats",
        ),
    }
    check_polling_stations(parsed, election, report);
    // A municipality's versions: its first session's 510b and its corrigenda; only the
    // current one counts further.
    let superseded = municipal_histories(parsed, report);
    // Every file for this election, and each body once.
    let mut by_level: BTreeMap<(u8, String), &str> = BTreeMap::new();
    let mut counts: Vec<&(String, CountFile)> = Vec::new();
    for item in &parsed.counts {
        let (name, c) = item;
        if superseded.contains(name) {
            continue;
        }
        if let Some(e) = election
            && c.header.election_id != e.id
        {
            report.push(
                Severity::Discrepancy,
                name,
                format!(
                    "for election {}, not {}: surplus file",
                    c.header.election_id, e.id
                ),
            );
            continue;
        }
        let level = match c.header.level {
            CountLevel::Municipality => 0,
            CountLevel::District => 1,
            CountLevel::Total => 2,
        };
        if let Some(first) = by_level.insert((level, c.header.authority_id.clone()), name) {
            report.push(
                Severity::Discrepancy,
                name,
                format!(
                    "a second {} of {} (the first is {first}): surplus file",
                    c.header.level.eml_id(),
                    c.header.authority_id
                ),
            );
            continue;
        }
        counts.push(item);
    }
    // 1. Every file's own arithmetic: totals from its reporting units.
    for (name, c) in &counts {
        let v = check_arithmetic(c);
        if v.is_empty() {
            report.push(
                Severity::Ok,
                name,
                format!(
                    "{} of {}: TotalVotes equals the sum of its {} reporting units; lists equal their candidates",
                    c.header.level.eml_id(),
                    c.header.authority_id,
                    c.units.len()
                ),
            );
        }
        for violation in v {
            report.push(Severity::Discrepancy, name, violation.to_string());
        }
    }
    let find = |level: CountLevel, authority: &str| {
        counts
            .iter()
            .find(|(_, c)| c.header.level == level && c.header.authority_id == authority)
    };
    // 2. Each unit of a 510c against the municipality's 510b; of a 510d against the
    //    kieskring's 510c (or, for a council, the municipality's 510b).
    for (name, c) in &counts {
        let (below_level, what) = match c.header.level {
            CountLevel::Municipality => continue,
            CountLevel::District => (CountLevel::Municipality, "510b"),
            CountLevel::Total => {
                if c.units.iter().all(|u| u.id.0.starts_with("HSB")) {
                    (CountLevel::District, "510c")
                } else {
                    (CountLevel::Municipality, "510b")
                }
            }
        };
        for unit in &c.units {
            let body = match c.header.level {
                CountLevel::District => unit_body(&unit.id.0),
                _ => unit.id.0.as_str(),
            };
            match find(below_level, body) {
                Some((below_name, below)) => {
                    let diffs = compare_counts(&below.total, &unit.counts);
                    report_differences(report, name, &unit.id.0, below_name, &diffs);
                    if diffs.is_empty() {
                        report.push(
                            Severity::Ok,
                            name,
                            format!(
                                "reporting unit {} equals the TotalVotes of {below_name}",
                                unit.id
                            ),
                        );
                    }
                }
                None => missing(
                    report,
                    opts,
                    name,
                    format!(
                        "reporting unit {}: the {what} of {body} is not in the folder; not recomputed",
                        unit.id
                    ),
                ),
            }
        }
    }
    // 3. Files of the level below that no file above includes, when the level above is here.
    for (name, c) in &counts {
        let above = match c.header.level {
            CountLevel::Municipality => CountLevel::District,
            CountLevel::District => CountLevel::Total,
            CountLevel::Total => continue,
        };
        let uppers: Vec<_> = counts
            .iter()
            .filter(|(_, u)| u.header.level == above)
            .collect();
        if uppers.is_empty() {
            continue;
        }
        // With the election tree, a municipality's 510b belongs to its kieskring's 510c
        // only: when that 510c is not here the 510b is not surplus (the missing 510c is
        // reported where the 510d needs it), and a municipality outside the tree is.
        if let Some(e) = election
            && c.header.level == CountLevel::Municipality
            && e.kieskringen().next().is_some()
        {
            let code = tally_core::ids::MunicipalityCode(c.header.authority_id.clone());
            let Some(region) = e.municipality_region(&code) else {
                report.push(
                    Severity::Discrepancy,
                    name,
                    format!(
                        "municipality {} is not in the election tree: surplus file",
                        c.header.authority_id
                    ),
                );
                continue;
            };
            let own = region
                .superior
                .and_then(|k| k.number)
                .map(|k| format!("HSB{k}"));
            if !uppers
                .iter()
                .any(|(_, u)| Some(&u.header.authority_id) == own.as_ref())
            {
                continue;
            }
        }
        let included = uppers.iter().any(|(_, u)| {
            u.units.iter().any(|unit| {
                unit.id.0 == c.header.authority_id
                    || unit
                        .id
                        .0
                        .rsplit_once("::")
                        .is_some_and(|(_, code)| code == c.header.authority_id)
            })
        });
        if !included {
            report.push(
                Severity::Discrepancy,
                name,
                format!(
                    "the {} of {} is in no {} of the folder: surplus file",
                    c.header.level.eml_id(),
                    c.header.authority_id,
                    above.eml_id()
                ),
            );
        }
    }
    // 4. Expected bodies from the election tree.
    if let Some(e) = election {
        for (name, c) in &counts {
            if c.header.level == CountLevel::District
                && let Some(k) = c
                    .header
                    .authority_id
                    .strip_prefix("HSB")
                    .and_then(|n| n.parse::<u32>().ok())
            {
                if let Some(region) = e.kieskringen().find(|r| r.key.number == Some(k)) {
                    let expected: Vec<String> = e
                        .municipalities()
                        .filter(|m| m.superior == Some(region.key))
                        .filter_map(|m| m.municipality_code().map(|c| c.0))
                        .collect();
                    for code in &expected {
                        if !c
                            .units
                            .iter()
                            .any(|u| u.id.0.ends_with(&format!("::{code}")))
                        {
                            report.push(
                                Severity::Discrepancy,
                                name,
                                format!(
                                    "municipality {code} of kieskring {k} has no reporting unit"
                                ),
                            );
                        }
                    }
                    for u in &c.units {
                        let code = unit_body(&u.id.0);
                        if !expected.iter().any(|x| x == code) {
                            report.push(
                                Severity::Discrepancy,
                                name,
                                format!(
                                    "reporting unit {}: not a municipality of kieskring {k}",
                                    u.id
                                ),
                            );
                        }
                    }
                } else {
                    report.push(
                        Severity::Discrepancy,
                        name,
                        format!("kieskring {k} is not in the election tree"),
                    );
                }
            }
            if c.header.level == CountLevel::Total
                && c.units.iter().all(|u| u.id.0.starts_with("HSB"))
            {
                for k in e.kieskringen().filter_map(|r| r.key.number) {
                    if !c.units.iter().any(|u| u.id.0 == format!("HSB{k}")) {
                        report.push(
                            Severity::Discrepancy,
                            name,
                            format!("kieskring {k} has no reporting unit"),
                        );
                    }
                }
            }
        }
    }
    // 5. Seats and elected candidates.
    check_seats(parsed, election, &counts, opts, report);
}

/// Each 110b: of the election, for a municipality of it (its stations are not compared with
/// a 510b: the 510b's own arithmetic is what counts).
fn check_polling_stations(parsed: &Parsed, election: Option<&Election>, report: &mut Report) {
    for (name, p) in &parsed.polling_stations {
        let Some(e) = election else {
            report.unchecked(
                name,
                "polling stations not checked: no election definition (110a) in the folder",
                "the files",
                name.clone(),
            );
            continue;
        };
        let code = &p.list.municipality;
        if p.election.id != e.id {
            report.push(
                Severity::Discrepancy,
                name,
                format!("for election {}, not {}: surplus file", p.election.id, e.id),
            );
        } else if e.domain_municipality().map_or_else(
            || e.municipality_region(code).is_none(),
            |(domain, _)| domain != *code,
        ) {
            report.push(
                Severity::Discrepancy,
                name,
                format!(
                    "municipality {} is not a municipality of election {}",
                    code.0, e.id
                ),
            );
        } else {
            report.push(
                Severity::Ok,
                name,
                format!(
                    "110b of {} {}: {} polling stations, of this election",
                    code.0,
                    p.list.municipality_name,
                    p.list.stations.len()
                ),
            );
        }
    }
}

fn check_seats(
    parsed: &Parsed,
    election: Option<&Election>,
    counts: &[&(String, CountFile)],
    opts: &CheckOptions<'_>,
    report: &mut Report,
) {
    let Some(election) = election else {
        return;
    };
    let total = counts
        .iter()
        .find(|(_, c)| c.header.level == CountLevel::Total)
        .or_else(|| {
            if election.category == ElectionCategory::GR {
                counts
                    .iter()
                    .find(|(_, c)| c.header.level == CountLevel::Municipality)
            } else {
                None
            }
        });
    // A count to apportion but no 520: said once it is known whether the seats could be
    // recomputed (never "recomputed" when they could not be).
    let no_result = parsed.results.is_empty() && total.is_some();
    let no_result_note = |report: &mut Report, recomputed: bool| {
        if no_result {
            let what = if recomputed {
                "seats recomputed but not compared"
            } else {
                "seats neither recomputed nor compared"
            };
            missing(
                report,
                opts,
                "-",
                format!("no result (520) in the folder: {what}"),
            );
        }
    };
    let result = match parsed.results.as_slice() {
        [] => None,
        [one] => Some(one),
        [first, rest @ ..] => {
            for (name, _) in rest {
                report.push(
                    Severity::Discrepancy,
                    name,
                    format!("a second result (the first is {}): surplus file", first.0),
                );
            }
            Some(first)
        }
    };
    // A result of another election is not compared with anything.
    let result = match result {
        Some((name, r)) if r.header.election_id != election.id => {
            report.push(
                Severity::Discrepancy,
                name,
                format!("for election {}, not {}", r.header.election_id, election.id),
            );
            None
        }
        other => other,
    };
    let Some((total_name, total)) = total else {
        let what = "no total count (510d; for a council the 510b) in the folder";
        match result {
            // The result rests on the count: without it nothing of it can be checked.
            Some((result_name, _)) if opts.require_all => report.push(
                Severity::Discrepancy,
                result_name,
                format!("{what}: the seats and elected candidates of the result not checked"),
            ),
            Some((result_name, _)) => report.unchecked(
                result_name,
                format!("{what}: the seats and elected candidates of the result not checked"),
                "the seats and elected candidates of",
                format!("{result_name} (no total count)"),
            ),
            None => missing(report, opts, "-", format!("{what}: seats not recomputed")),
        }
        return;
    };
    // The elected candidates' identity, for every list of the result: in the count, and
    // named as in the candidate lists.
    let wrong_lists = match result {
        Some((result_name, r)) => check_result_candidates(
            parsed,
            election,
            (total_name, total),
            (result_name, r),
            report,
        ),
        None => Vec::new(),
    };
    // The candidate lists (230b) in the folder identify the candidates of a list that differs
    // between kieskringen where the count names them by position only.
    let computed = match compute_result_with(
        SeatRules::of(election),
        total,
        &Decisions::default(),
        Some(election),
    ) {
        Ok(Computation::Complete(c)) => c,
        Ok(Computation::SeatLotsNeeded(needed)) => {
            let d = needed.drawing;
            let message = format!(
                "a drawing of lots decides a seat ({d}); the seats cannot be recomputed without its outcome"
            );
            match result {
                Some((result_name, _)) => report.unchecked(
                    total_name,
                    message,
                    "the seats and elected candidates of",
                    format!("{result_name} (a drawing of lots)"),
                ),
                None => report.push(Severity::Note, total_name, message),
            }
            no_result_note(report, false);
            return;
        }
        Err(e) => {
            report.push(
                Severity::Discrepancy,
                total_name,
                format!("seats cannot be apportioned: {e}"),
            );
            no_result_note(report, false);
            return;
        }
    };
    no_result_note(report, true);
    report.push(
        Severity::Ok,
        total_name,
        format!(
            "seats recomputed: {} seats, quota {}, {} lists",
            computed.seats.seats,
            computed.seats.quota,
            computed.seats.lists.len()
        ),
    );
    for notice in computed.seats.notices() {
        report.push(Severity::Note, total_name, notice.label_en());
    }
    let Some((result_name, result)) = result else {
        return;
    };
    let mut seat_diffs = 0;
    for l in &computed.seats.lists {
        let published = result.seats_of(l.list);
        if published != l.seats as usize {
            seat_diffs += 1;
            report.push(
                Severity::Discrepancy,
                result_name,
                format!(
                    "list {}: recomputed {} seats, the result gives {published}",
                    l.list, l.seats
                ),
            );
        }
    }
    for rl in &result.lists {
        if !computed.seats.lists.iter().any(|l| l.list == rl.list) {
            seat_diffs += 1;
            report.push(
                Severity::Discrepancy,
                result_name,
                format!(
                    "list {} has {} seats in the result but is not in the count",
                    rl.list,
                    rl.seats()
                ),
            );
        }
    }
    if seat_diffs == 0 {
        report.push(
            Severity::Ok,
            result_name,
            format!(
                "the seats of all {} lists equal the recomputed seats",
                computed.seats.lists.len()
            ),
        );
    }
    let elected = result.total_seats();
    let seats = computed.seats.seats as usize;
    if elected < seats {
        report.push(
            Severity::Note,
            result_name,
            format!(
                "the result elects {elected} candidates for {seats} seats: {} seats stay unfilled (recomputed: {})",
                seats - elected,
                computed.seats.unfilled_seats
            ),
        );
    }
    for o in &computed.candidates {
        match o {
            ListOutcome::Elected(e) => {
                let Some(rl) = result.lists.iter().find(|l| l.list == e.list) else {
                    continue;
                };
                let counted = computed.lists.iter().find(|c| c.list == e.list);
                // A list elected across kieskringen (P 18) names its elected by ShortCode.
                let code_of = |c: &tally_core::apportionment::ElectedCandidate| {
                    c.short_code.clone().or_else(|| {
                        counted
                            .and_then(|l| l.candidates.iter().find(|(pos, _, _)| *pos == c.position))
                            .and_then(|(_, code, _)| code.clone())
                    })
                };
                // A list elected across kieskringen (P 18) whose candidates have no
                // ShortCode knows them by the person's every field on the 230b
                // (`Candidate::person_key`, starting with `=`): the 520 numbers them 1..seats.
                let person_of = |c: &tally_core::apportionment::ElectedCandidate| {
                    let k = c.district?;
                    std::iter::once((k, c.position))
                        .chain(c.stands_on.iter().copied())
                        .find_map(|(k, p)| {
                            election
                                .list(&ContestId(k.to_string()), e.list)?
                                .candidates
                                .iter()
                                .find(|x| x.position == p)
                        })
                        .map(Candidate::person_key)
                };
                let by_person = e
                    .elected
                    .iter()
                    .any(|c| c.district.is_some() && c.short_code.is_none());
                // Match by ShortCode where both sides have one (the Kiesraad's 520 numbers
                // the elected 1..seats), else by position.
                let by_code = !by_person
                    && rl.candidates.iter().all(|c| c.candidate.short_code.is_some())
                    && e.elected.iter().all(|c| code_of(c).is_some());
                let ours: Vec<(String, ElectedBy)> = e
                    .elected
                    .iter()
                    .map(|c| {
                        let k = if by_person {
                            match (&c.short_code, person_of(c)) {
                                (Some(code), _) => code.clone(),
                                (None, Some(key)) => key,
                                (None, None) => format!(
                                    "candidate {} of kieskring {} (on no candidate list in the folder)",
                                    c.position,
                                    c.district.unwrap_or(0)
                                ),
                            }
                        } else if by_code {
                            code_of(c).unwrap_or_default()
                        } else {
                            format!("candidate {}", c.position)
                        };
                        (k, c.by)
                    })
                    .collect();
                // How a candidate of the 520 is named: its ShortCode, else its position.
                let their_key = |c: &ResultCandidate| {
                    if by_person {
                        c.candidate
                            .short_code
                            .clone()
                            .filter(|code| ours.iter().any(|(k, _)| k == code))
                            .unwrap_or_else(|| c.candidate.person_key())
                    } else if by_code {
                        c.candidate.short_code.clone().unwrap_or_default()
                    } else {
                        format!("candidate {}", c.candidate.position)
                    }
                };
                let theirs: Vec<(String, Option<ElectedBy>)> = rl
                    .candidates
                    .iter()
                    .map(|c| (their_key(c), c.by))
                    .collect();
                // Names, ShortCodes and votes were compared above.
                let mut agree = !wrong_lists.contains(&e.list);
                for (k, by) in &ours {
                    match theirs.iter().find(|(t, _)| t == k) {
                        None => {
                            agree = false;
                            report.push(
                                Severity::Discrepancy,
                                result_name,
                                format!("list {}, {}: recomputed as elected ({}), not elected in the result", e.list, shown_key(k), by_text(*by)),
                            );
                        }
                        Some((_, Some(tb))) if tb != by => {
                            agree = false;
                            report.push(
                                Severity::Discrepancy,
                                result_name,
                                format!("list {}, {}: recomputed as elected by {}, the result says {}", e.list, shown_key(k), by_text(*by), by_text(*tb)),
                            );
                        }
                        _ => {}
                    }
                }
                for (k, _) in &theirs {
                    if !ours.iter().any(|(o, _)| o == k) {
                        agree = false;
                        report.push(
                            Severity::Discrepancy,
                            result_name,
                            format!("list {}, {}: elected in the result, not recomputed as elected", e.list, shown_key(k)),
                        );
                    }
                }
                if agree {
                    report.push(
                        Severity::Ok,
                        result_name,
                        format!(
                            "list {}: the {} elected candidates equal the recomputed ones{}",
                            e.list,
                            ours.len(),
                            group_note(&computed.groups, e.list)
                        ),
                    );
                }
            }
            ListOutcome::Unsupported { list, reason } => report.unchecked(
                result_name,
                format!("list {list}: elected candidates not checked: {reason}"),
                ELECTED_NOT_RECOMPUTED,
                list.to_string(),
            ),
            ListOutcome::LotsNeeded { list, drawing } => report.unchecked(
                result_name,
                format!("list {list}: a drawing of lots decides a seat ({drawing}); candidates not checked"),
                ELECTED_NOT_RECOMPUTED,
                list.to_string(),
            ),
            ListOutcome::Refused { list, error } => report.unchecked(
                result_name,
                format!("list {list}: elected candidates not checked: {error}"),
                ELECTED_NOT_RECOMPUTED,
                list.to_string(),
            ),
        }
    }
}

/// For a list elected across kieskringen: how, in a few words.
fn group_note(groups: &[tally_core::aggregate::outcome::GroupResult], list: ListNumber) -> String {
    groups
        .iter()
        .find(|g| g.list == list)
        .and_then(|g| match &g.outcome {
            Ok(tally_core::apportionment::GroupOutcome::Complete(e)) => Some(format!(
                " (elected across kieskringen, P 12 - P 18: {} {} of {} kieskringen)",
                e.lists.len(),
                if e.lists.len() == 1 { "list" } else { "lists" },
                e.lists.iter().map(|l| l.districts.len()).sum::<usize>()
            )),
            _ => None,
        })
        .unwrap_or_default()
}

/// A candidate of a count with its votes.
type CandidateVotes = (CandidateRef, u64);

/// The last line's words for lists whose elected candidates were not recomputed.
const ELECTED_NOT_RECOMPUTED: &str = "which candidates are elected (not recomputed) on list";

/// Compares every elected candidate of the result with the total count (by `ShortCode`
/// where the count names the list's candidates by one, else by position: an elected
/// candidate must be a candidate of the list there) and with the candidate lists (230b)
/// of the kieskringen where the count places the candidate (the name; the `ShortCode`
/// where the 230b gives one), and the `Votes` the result gives with the count's. Returns
/// the lists with a discrepancy.
fn check_result_candidates(
    parsed: &Parsed,
    election: &Election,
    (total_name, total): (&str, &CountFile),
    (result_name, result): (&str, &ResultFile),
    report: &mut Report,
) -> Vec<ListNumber> {
    let mut wrong = Vec::new();
    // Lists that differ between kieskringen or are not in every kieskring (P 18): a 520
    // numbers their elected 1..seats, so where no `ShortCode` names a candidate the person
    // is found by name on the kieskringen' candidate lists (230b).
    let groups: Vec<ListNumber> = counted_lists_with(total, Some(election))
        .map(|lists| {
            lists
                .into_iter()
                .filter(|l| l.group.is_some())
                .map(|l| l.list)
                .collect()
        })
        .unwrap_or_default();
    for rl in &result.lists {
        let list = rl.list;
        let is_group = groups.contains(&list);
        let Some(total_list) = total.total.lists.iter().find(|l| l.list == list) else {
            // Reported with the seats: a list of the result that is not in the count.
            continue;
        };
        // Every place of the count that names the list's candidates: the total (no
        // kieskring) and each reporting unit (kieskring `k` for a unit `HSB<k>`).
        let mut places: Vec<(Option<u32>, &[CandidateVotes])> =
            vec![(None, total_list.candidates.as_slice())];
        for unit in &total.units {
            let k = unit
                .id
                .0
                .strip_prefix("HSB")
                .and_then(|n| n.parse::<u32>().ok());
            if let Some(l) = unit.counts.lists.iter().find(|l| l.list == list) {
                places.push((k, l.candidates.as_slice()));
            }
        }
        let count_has_codes = places
            .iter()
            .any(|(_, cs)| cs.iter().any(|(c, _)| c.short_code().is_some()));
        let mut names_unchecked = 0usize;
        for c in &rl.candidates {
            let code = c
                .candidate
                .short_code
                .as_deref()
                .filter(|_| count_has_codes);
            if is_group && code.is_none() {
                match group_candidate_by_name(parsed, election, list, &places, c) {
                    ByName::Found { votes } => {
                        if let Some(given) = c.votes
                            && let Some(votes) = votes
                            && given != votes
                        {
                            wrong.push(list);
                            report.push(
                                Severity::Discrepancy,
                                result_name,
                                format!(
                                    "list {list}, {}: the result gives {given} votes, the count {votes} on the kieskringen' lists where the candidate stands (expected = {total_name})",
                                    shown_key(&c.candidate.person_key())
                                ),
                            );
                        }
                    }
                    ByName::NotOnAnyList => {
                        wrong.push(list);
                        report.push(
                            Severity::Discrepancy,
                            result_name,
                            format!(
                                "list {list}, {}: elected in the result, but on no candidate list (230b) of list {list} of a kieskring that has it in the count (expected = {total_name})",
                                shown_key(&c.candidate.person_key())
                            ),
                        );
                    }
                    ByName::ListsMissing => {
                        names_unchecked = names_unchecked.saturating_add(1);
                    }
                }
                continue;
            }
            let key = code.map_or_else(
                || format!("candidate {}", c.candidate.position),
                str::to_owned,
            );
            let is_this = |r: &CandidateRef| match code {
                Some(code) => r.short_code() == Some(code),
                None => r.position() == Some(c.candidate.position),
            };
            let found: Vec<(Option<u32>, Option<CandidatePosition>, u64)> = places
                .iter()
                .flat_map(|(k, cs)| {
                    cs.iter()
                        .filter(|(r, _)| is_this(r))
                        .map(move |(r, v)| (*k, r.position(), *v))
                })
                .collect();
            if found.is_empty() {
                wrong.push(list);
                report.push(
                    Severity::Discrepancy,
                    result_name,
                    format!(
                        "list {list}, {key}: elected in the result, but not a candidate of list {list} in the count (expected = {total_name})"
                    ),
                );
                continue;
            }
            // The votes the result gives (optional in EML_NL) against the total's.
            if let Some(given) = c.votes
                && let Some(v) = total_list
                    .candidates
                    .iter()
                    .find(|(r, _)| is_this(r))
                    .map(|(_, v)| *v)
                && v != given
            {
                wrong.push(list);
                report.push(
                    Severity::Discrepancy,
                    result_name,
                    format!(
                        "list {list}, {key}: the result gives {given} votes, the count {v} (expected = {total_name})"
                    ),
                );
            }
            // The candidate's position per kieskring (from the units), else the total's
            // (a count without kieskringen: every contest).
            let mut at: Vec<(Option<u32>, CandidatePosition)> = found
                .iter()
                .filter_map(|(k, p, _)| Some((*k, (*p)?)))
                .filter(|(k, _)| k.is_some())
                .collect();
            if at.is_empty() {
                at = found
                    .iter()
                    .filter_map(|(k, p, _)| Some((*k, (*p)?)))
                    .collect();
            }
            let mut checked = false;
            // A name differing the same way in several kieskringen' lists is said once.
            let mut said: Vec<String> = Vec::new();
            for (contest, file) in &parsed.contest_files {
                let Some(position) = at.iter().find_map(|(k, p)| match k {
                    None => Some(*p),
                    Some(k) => (contest.0 == k.to_string()).then_some(*p),
                }) else {
                    continue;
                };
                let Some(political) = election.list(contest, list) else {
                    continue;
                };
                checked = true;
                let Some(listed) = political.candidates.iter().find(|x| x.position == position)
                else {
                    wrong.push(list);
                    report.push(
                        Severity::Discrepancy,
                        result_name,
                        format!(
                            "list {list}, {key}: the count gives position {position}, which list {list} of contest {contest} in {file} does not have"
                        ),
                    );
                    continue;
                };
                let codes_differ = matches!(
                    (listed.short_code.as_deref(), c.candidate.short_code.as_deref()),
                    (Some(a), Some(b)) if a != b
                );
                if (codes_differ || !same_name(listed, &c.candidate))
                    && !said.contains(&show_candidate(listed))
                {
                    said.push(show_candidate(listed));
                    wrong.push(list);
                    report.push(
                        Severity::Discrepancy,
                        result_name,
                        format!(
                            "list {list}, {key}: the result names {}, {file} names {} (candidate {position} of contest {contest})",
                            show_candidate(&c.candidate),
                            show_candidate(listed)
                        ),
                    );
                }
            }
            if !checked {
                names_unchecked = names_unchecked.saturating_add(1);
            }
        }
        if names_unchecked > 0 {
            report.unchecked(
                result_name,
                format!(
                    "list {list}: the names of {names_unchecked} elected candidates not checked: no candidate list (230b) of their kieskring in the folder"
                ),
                "the names of elected candidates of list",
                list.to_string(),
            );
        }
    }
    wrong.sort();
    wrong.dedup();
    wrong
}

/// A candidate's key as a finding shows it: a `ShortCode` (or `candidate N`) as it is, a
/// [`Candidate::person_key`] (`=last|prefix|initials|first|locality|gender`) as
/// `"Ark, T. van (Tamara), Nieuwerkerk, female"`. For the reader only: keys are compared as
/// they are, never as shown.
fn shown_key(key: &str) -> String {
    let Some(fields) = key.strip_prefix('=') else {
        return key.to_owned();
    };
    let f: Vec<&str> = fields.split('|').collect();
    let field = |i: usize| f.get(i).copied().unwrap_or("");
    let mut s = format!("{}, {}", field(0), field(2));
    if !field(1).is_empty() {
        s.push(' ');
        s.push_str(field(1));
    }
    if !field(3).is_empty() {
        s.push_str(&format!(" ({})", field(3)));
    }
    for extra in [field(4), field(5)] {
        if !extra.is_empty() {
            s.push_str(", ");
            s.push_str(extra);
        }
    }
    s
}

/// What the candidate lists (230b) say of a 520's candidate of a list that differs between
/// kieskringen, named without a `ShortCode`.
enum ByName {
    /// The person stands on the list of one or more kieskringen.
    Found {
        /// The candidate's votes on every kieskring's list where the person stands, summed
        /// (P 18: the preference votes of a candidate on several lists of a group add up);
        /// `None` when the 230b of a kieskring that has the list is not in the folder.
        votes: Option<u64>,
    },
    /// Every kieskring that has the list in the count has its 230b in the folder, and none
    /// names the person.
    NotOnAnyList,
    /// Not found, and the 230b of some kieskring that has the list is not in the folder.
    ListsMissing,
}

/// Finds the 520's candidate `c` of list `list` (a list that differs between kieskringen) by
/// the person's every field ([`Candidate::person_key`]) on each kieskring's candidate list,
/// and adds up the candidate's votes at that position in that kieskring's unit of the count.
fn group_candidate_by_name(
    parsed: &Parsed,
    election: &Election,
    list: ListNumber,
    places: &[(Option<u32>, &[CandidateVotes])],
    c: &ResultCandidate,
) -> ByName {
    let mut votes = 0u64;
    let mut found = false;
    let mut missing = false;
    for (k, candidates) in places {
        let Some(k) = k else { continue };
        let contest = ContestId(k.to_string());
        if !parsed.contest_files.iter().any(|(id, _)| *id == contest) {
            missing = true;
            continue;
        }
        let Some(political) = election.list(&contest, list) else {
            missing = true;
            continue;
        };
        for listed in political
            .candidates
            .iter()
            .filter(|x| x.same_person(&c.candidate))
        {
            found = true;
            votes = votes.saturating_add(
                candidates
                    .iter()
                    .filter(|(r, _)| r.position() == Some(listed.position))
                    .map(|(_, v)| *v)
                    .sum::<u64>(),
            );
        }
    }
    match (found, missing) {
        (true, false) => ByName::Found { votes: Some(votes) },
        (true, true) => ByName::Found { votes: None },
        (false, false) => ByName::NotOnAnyList,
        (false, true) => ByName::ListsMissing,
    }
}

/// The same person's name: initials, prefix and last name, and the first name where both
/// give one (surrounding spaces and an empty prefix do not count).
fn same_name(a: &Candidate, b: &Candidate) -> bool {
    let prefix = |c: &Candidate| {
        c.prefix
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
    };
    let first_names_agree = match (a.first_name.as_deref(), b.first_name.as_deref()) {
        (Some(x), Some(y)) => x.trim() == y.trim(),
        _ => true,
    };
    a.initials.trim() == b.initials.trim()
        && a.last_name.trim() == b.last_name.trim()
        && prefix(a) == prefix(b)
        && first_names_agree
}

/// A candidate's name as a finding shows it: `"Ark, T. van (Tamara)"`, with the
/// `ShortCode` where given.
fn show_candidate(c: &Candidate) -> String {
    let mut s = format!("\"{}\"", c.display_name());
    if let Some(code) = &c.short_code {
        s.push_str(" [");
        s.push_str(code);
        s.push(']');
    }
    s
}

fn by_text(by: ElectedBy) -> &'static str {
    match by {
        ElectedBy::Preference => "preference votes (Ranking 1)",
        ElectedBy::ListOrder => "list order (Ranking 2)",
    }
}
