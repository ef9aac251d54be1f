//! The hash-code groups the official types from the paper, for every level: which groups are
//! asked (the core's `choose_groups`, from a seed the OS's random source gives) and the check
//! of what was typed (the core's `check_typed_groups`), its refusal in the catalogue's words.

use tally_core::hashcode::{HashCodeError, Sha256Digest, check_typed_groups, choose_groups};

use crossterm::event::KeyCode;

use crate::services::Refusal;
use crate::text::Msg;

/// The two groups asked of the `i`-th file: the core's choice from a seed derived from `seed`
/// and the file's place, so the pairs differ between files.
pub fn asked(seed: u64, i: usize) -> [usize; 2] {
    let i = u64::try_from(i).unwrap_or(0);
    choose_groups(seed ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93))
}

/// Checks two typed groups against a hex SHA-256 (as the definition or count names it).
///
/// # Errors
/// Which of the two typed groups is wrong (0 or 1) and the refusal naming it (from 1) and
/// what was typed; a digest that is not 64 hex characters is refused too.
pub fn check(
    sha256_hex: &str,
    asked: [usize; 2],
    typed: [&str; 2],
) -> Result<(), (usize, Refusal)> {
    let digest = Sha256Digest::from_hex(sha256_hex).map_err(|_| {
        let start: String = sha256_hex.chars().take(16).collect();
        (0, Refusal::with(Msg::HashGroupsAsked, &[&start], ""))
    })?;
    let [a, b] = asked;
    let [ta, tb] = typed;
    check_typed_groups(&digest, [(a, ta), (b, tb)]).map_err(|e| (which(&e, asked), refusal(&e)))
}

/// The refusal of a typed group, in the catalogue's words (groups counted from 1).
pub fn refusal(e: &HashCodeError) -> Refusal {
    match e {
        HashCodeError::Malformed { index, found } => Refusal::with(
            Msg::HashGroupMalformed,
            &[&index.saturating_add(1).to_string(), found],
            "",
        ),
        // The file's own group is never shown: whoever sits at the keyboard without the
        // paper must not learn what to type.
        HashCodeError::Mismatch { index, typed, .. } => Refusal::with(
            Msg::HashGroupDiffers,
            &[&index.saturating_add(1).to_string(), typed],
            "",
        ),
        other => Refusal::with(Msg::HashGroupsAsked, &[&other.to_string()], ""),
    }
}

/// Which of the two asked groups a refusal is about (0 or 1), for putting the cursor there.
pub fn which(e: &HashCodeError, asked: [usize; 2]) -> usize {
    let index = match e {
        HashCodeError::Malformed { index, .. }
        | HashCodeError::Mismatch { index, .. }
        | HashCodeError::NoSuchGroup { index }
        | HashCodeError::SameGroupTwice { index } => *index,
    };
    usize::from(asked[1] == index && asked[0] != index)
}

/// A file whose hash code is on the paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperFile {
    /// How the prompt names it (`110a`, `230b`, `510b`).
    pub label: String,
    /// The file's name.
    pub name: String,
    /// Its SHA-256 (hex).
    pub sha256: String,
}

impl PaperFile {
    /// A file of `label` named `name` with SHA-256 `sha256` (hex).
    pub fn new(label: &str, name: &str, sha256: &str) -> PaperFile {
        PaperFile {
            label: label.to_owned(),
            name: name.to_owned(),
            sha256: sha256.to_owned(),
        }
    }
}

/// The one input of hash-code groups, for every level and every file: two groups asked of
/// each file, typed from the paper. Four characters fill a field and move to the next; Tab
/// and Down move on, Shift+Tab and Up back; Enter on a form that is not full goes to the
/// first field not full, on a full one the core checks it. A wrong group is cleared and the
/// cursor put there; the others stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupsInput {
    /// The files, in the order asked.
    pub files: Vec<PaperFile>,
    /// Per field: (file, group 0..16).
    pub asked: Vec<(usize, usize)>,
    /// Per field: what is typed.
    pub typed: Vec<String>,
    /// The field being typed.
    pub focus: usize,
    /// The field found wrong at the last check.
    pub mismatch: Option<usize>,
}

impl GroupsInput {
    /// Two groups of each of `files`, chosen from `seed`.
    pub fn new(files: Vec<PaperFile>, seed: u64) -> GroupsInput {
        let mut asked = Vec::new();
        for i in 0..files.len() {
            let [a, b] = self::asked(seed, i);
            asked.push((i, a));
            asked.push((i, b));
        }
        let typed = vec![String::new(); asked.len()];
        GroupsInput {
            files,
            asked,
            typed,
            focus: 0,
            mismatch: None,
        }
    }

    fn last(&self) -> usize {
        self.typed.len().saturating_sub(1)
    }

    /// Whether every field holds four characters.
    pub fn complete(&self) -> bool {
        self.typed.iter().all(|t| t.len() == 4)
    }

    /// A key typed into the form.
    pub fn key(&mut self, code: KeyCode) {
        let last = self.last();
        match code {
            KeyCode::Char(c) if c.is_ascii_hexdigit() => {
                if let Some(field) = self.typed.get_mut(self.focus)
                    && field.len() < 4
                {
                    field.push(c.to_ascii_lowercase());
                    if field.len() == 4 && self.focus < last {
                        self.focus += 1;
                    }
                }
            }
            KeyCode::Backspace => {
                let empty = self.typed.get(self.focus).is_none_or(String::is_empty);
                if empty && self.focus > 0 {
                    self.focus -= 1;
                }
                if let Some(field) = self.typed.get_mut(self.focus) {
                    field.pop();
                }
            }
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1).min(last),
            KeyCode::BackTab | KeyCode::Up => self.focus = self.focus.saturating_sub(1),
            KeyCode::Enter => {
                if let Some(i) = self.typed.iter().position(|t| t.len() < 4) {
                    self.focus = i;
                }
            }
            _ => {}
        }
    }

    /// Checks every file's groups (the core's check); on a mismatch the wrong field is
    /// cleared and focused, and the refusal names the file.
    ///
    /// # Errors
    /// The first group that does not match.
    pub fn check(&mut self) -> Result<(), Refusal> {
        for (f, file) in self.files.iter().enumerate() {
            let fields: Vec<usize> = (0..self.asked.len())
                .filter(|&i| self.asked.get(i).is_some_and(|(af, _)| *af == f))
                .collect();
            let [a, b] = [fields.first(), fields.get(1)].map(|i| i.copied().unwrap_or(0));
            let group = |i: usize| self.asked.get(i).map_or(0, |(_, g)| *g);
            let typed = |i: usize| self.typed.get(i).map_or("", String::as_str);
            if let Err((w, r)) = check(&file.sha256, [group(a), group(b)], [typed(a), typed(b)]) {
                let field = if w == 0 { a } else { b };
                let r = Refusal::said(Msg::OfFile, vec![file.name.clone().into(), r.into()]);
                if let Some(t) = self.typed.get_mut(field) {
                    t.clear();
                }
                self.focus = field;
                self.mismatch = Some(field);
                return Err(r);
            }
        }
        self.mismatch = None;
        Ok(())
    }
}
