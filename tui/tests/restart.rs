//! Kill and restart at many points of a scripted session: after every completed field,
//! decision and screen change (sampled), the terminal is dropped without any goodbye and
//! opened again from its data directory; after the passphrase it must show the same
//! screen with everything typed so far. The session then goes on to a verified export.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use crossterm::event::{KeyCode, KeyEvent};
use tally_core::entry::FieldId;
use tally_core::ids::{CandidatePosition, ListNumber};
use tally_demo::Paths;
use tally_ledger::municipal::Status;
use tally_ledger::persist::ChainHead;
use tally_tui::app::{Municipal, Screen, State};
use tally_tui::shell::Screen as Shell;
use tally_tui::text::Lang;

/// A runner that is killed and restarted at every `every`-th key that wrote to the
/// journal, when nothing is half-typed.
struct Killer {
    r: Option<Demo>,
    paths: Paths,
    every: usize,
    eligible: usize,
    restarts: usize,
}

/// What a restart must give back: the same screen (the overview's highlight aside).
fn normalized(s: &Shell<Municipal>) -> Shell<Municipal> {
    match s {
        Shell::Level(Screen::Overview { .. }) => Shell::Level(Screen::Overview { selected: 0 }),
        other => other.clone(),
    }
}

fn survives(s: &Shell<Municipal>) -> bool {
    match s {
        Shell::Level(Screen::Overview { .. })
        | Shell::Level(Screen::Coordinator { .. })
        | Shell::Level(Screen::Total) => true,
        Shell::Level(Screen::Entry { dirty, .. }) => !dirty,
        _ => false,
    }
}

impl Killer {
    fn runner(&mut self) -> &mut Demo {
        self.r.as_mut().unwrap()
    }

    fn kill_and_restart(&mut self) {
        let before = self.r.take().unwrap();
        let (tally, screen) = (before.state.ledger.clone(), before.state.screen.clone());
        let head = before.state.journal_head;
        drop(before);
        let mut r = open(&self.paths, Lang::Nl);
        assert!(matches!(r.state.screen, Shell::Start));
        unlock(&mut r);
        assert_eq!(
            r.state.ledger, tally,
            "restart #{} lost something",
            self.restarts
        );
        assert_eq!(r.state.journal_head, head, "restart #{}", self.restarts);
        assert_eq!(r.state.journal_head, Some(file_head(&self.paths)));
        // A screen that belongs to a person (an entry, the coordinator's) asks for their PIN
        // again after a restart; then it is the same screen.
        if let Shell::Pin(prompt) = &r.state.screen {
            let name = match prompt.guard.only {
                Some(id) => r.state.ledger.people.name(id),
                None => COORDINATOR.to_owned(),
            };
            sign_in(&mut r, &name);
        }
        assert_eq!(
            normalized(&r.state.screen),
            normalized(&screen),
            "restart #{}",
            self.restarts
        );
        self.r = Some(r);
        self.restarts += 1;
    }
}

impl Keys for Killer {
    fn press(&mut self, key: KeyEvent) {
        let size = |p: &Paths| std::fs::metadata(p.journal()).map(|m| m.len()).unwrap_or(0);
        let before = size(&self.paths);
        self.runner().key(key);
        // A kill point: something went into the journal, and nothing is half-typed.
        let wrote = size(&self.paths) > before;
        let unlocked = self.runner().state.unlocked;
        if wrote && unlocked && survives(&self.runner().state.screen) && !self.runner().state.help {
            self.eligible += 1;
            if self.eligible.is_multiple_of(self.every) {
                self.kill_and_restart();
            }
        }
    }

    fn state(&self) -> &State {
        &self.r.as_ref().unwrap().state
    }
}

#[test]
fn nothing_typed_is_lost_when_killed_at_many_points() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut k = Killer {
        r: Some(open(&paths, Lang::Nl)),
        paths,
        every: 6,
        eligible: 0,
        restarts: 0,
    };
    unlock(&mut k);
    key(&mut k, KeyCode::Enter);
    type_published_groups(&mut k);
    // Killed right after the definition is loaded: the first coordinator is asked again.
    k.kill_and_restart();
    register_first(&mut k);
    let lists = juinen_lists(&k);

    // Station 1: the first typist leaves halfway (Esc), is killed, resumes.
    let p1 = paper(1, &lists);
    start_entry(&mut k, 0, "Anna");
    let n = fields(&k).len();
    type_fields(&mut k, &p1, 0, |_, _| {});
    // type_fields typed every field and left us on the finish screen: go back and pause.
    key(&mut k, KeyCode::Esc);
    key(&mut k, KeyCode::Esc);
    assert!(matches!(
        k.state().screen,
        Shell::Level(Screen::Overview { .. })
    ));
    k.kill_and_restart();
    start_entry(&mut k, 0, "Anna");
    assert_eq!(
        k.state().ledger.stations[&1].first.as_ref().unwrap().cursor,
        n - 1
    );
    key(&mut k, KeyCode::F(10));
    key(&mut k, KeyCode::Enter);
    assert_eq!(
        k.state().ledger.status(1),
        Some(Status::SecondEntryNotStarted)
    );
    full_entry(&mut k, 0, "Bert", &p1);
    assert_eq!(k.state().ledger.status(1), Some(Status::Definitive));

    // Station 2 with a difference, resolved by returning the field to the second typist.
    let p2 = paper(2, &lists);
    full_entry(&mut k, 1, "Anna", &p2);
    let mut q = p2.clone();
    q.insert(
        FieldId::CandidateVotes(ListNumber(4), CandidatePosition(2)),
        "0".into(),
    );
    full_entry(&mut k, 1, "Bert", &q);
    assert_eq!(k.state().ledger.status(2), Some(Status::EntriesDifferent));
    select(&mut k, 1);
    as_coordinator(&mut k, 'c');
    // The second entry has an error (F.402): it cannot be kept.
    key(&mut k, KeyCode::Char('2'));
    assert_eq!(k.state().ledger.status(2), Some(Status::EntriesDifferent));
    // The differing field goes back to Bert (issue 14, point 2), who types it again from
    // the paper; killed and restarted on the way like everything else.
    decide(&mut k, '4', 2);
    assert_eq!(k.state().ledger.status(2), Some(Status::FieldsReturned));
    start_entry(&mut k, 1, "Bert");
    type_str(
        &mut k,
        &p2[&FieldId::CandidateVotes(ListNumber(4), CandidatePosition(2))],
    );
    key(&mut k, KeyCode::Enter);
    key(&mut k, KeyCode::Enter);
    assert_eq!(
        k.state().ledger.status(2),
        Some(Status::Definitive),
        "{:?} {:?}",
        k.state().screen,
        k.state().note
    );
    // Station 3: first entry with an error, sent back, corrected.
    let p3 = paper(3, &lists);
    let mut bad = p3.clone();
    bad.insert(FieldId::BlankVotes, "7".into());
    full_entry(&mut k, 2, "Anna", &bad);
    assert_eq!(
        k.state().ledger.status(3),
        Some(Status::FirstEntryHasErrors)
    );
    select(&mut k, 2);
    as_coordinator(&mut k, 'c');
    k.kill_and_restart();
    assert!(matches!(
        k.state().screen,
        Shell::Level(Screen::Coordinator { station: 3, .. })
    ));
    decide(&mut k, 'r', 3);
    // Sent back: the entry keeps its values, and the overview says how far it is (it said
    // 0 % from the cursor).
    let overview = screen_text(k.state());
    let line = overview
        .lines()
        .find(|l| l.trim_start().starts_with("3 ") || l.contains("> 3 ") || l.contains("  3  "))
        .unwrap_or_default()
        .to_owned();
    // The share of counts typed (the paper leaves candidates without votes empty), below
    // 100 until saved again.
    let percent = line
        .split_whitespace()
        .find_map(|w| w.strip_suffix('%')?.parse::<u32>().ok());
    assert!(
        percent.is_some_and(|p| (90..100).contains(&p)),
        "{overview}"
    );
    // Corrected, with 40 blank votes (W.201): the coordinator acknowledges the warning.
    let p3 = paper_with_blank(3, &lists, 40);
    start_entry(&mut k, 2, "Anna");
    type_fields(&mut k, &p3, 0, |_, _| {});
    key(&mut k, KeyCode::Enter);
    full_entry(&mut k, 2, "Bert", &p3);
    assert_eq!(
        k.state().ledger.status(3),
        Some(Status::WarningsToAcknowledge)
    );
    k.kill_and_restart();
    assert_eq!(
        k.state().ledger.status(3),
        Some(Status::WarningsToAcknowledge)
    );
    select(&mut k, 2);
    as_coordinator(&mut k, 'c');
    k.kill_and_restart();
    assert!(matches!(
        k.state().screen,
        Shell::Level(Screen::Coordinator { station: 3, .. })
    ));
    decide(&mut k, 'a', 3);
    let acknowledged = k
        .state()
        .ledger
        .acknowledgement(3)
        .map(|(w, t)| (w.to_string(), t));
    assert!(acknowledged.is_some());
    k.kill_and_restart();
    // Who and when survive the restart (the whole tally is compared, too).
    assert_eq!(k.state().ledger.status(3), Some(Status::Definitive));
    assert_eq!(
        k.state()
            .ledger
            .acknowledgement(3)
            .map(|(w, t)| (w.to_string(), t)),
        acknowledged
    );
    assert!(
        k.state().ledger.all_definitive(),
        "{:?}",
        k.state().ledger.stations
    );
    key(&mut k, KeyCode::Char('t'));
    as_coordinator(&mut k, 'e');
    assert!(k.state().ledger.exported.is_some());
    k.kill_and_restart();
    assert_eq!(k.state().screen, Shell::Level(Screen::Total));
    eprintln!("{} kill-and-restarts", k.restarts);
    assert!(k.restarts > 100, "only {} restarts", k.restarts);
}

/// The demo body's journal key: the demo's fixed, public body key (`tally_demo`),
/// through the signing crate's derivation.
fn demo_journal_key() -> tally_core::journal::JournalKey {
    let seed =
        tally_signing::sha256(b"tally DEMO key, public, never for a real election: body 0042");
    let body = tally_signing::SecretKey::from_seed(&seed);
    tally_core::journal::JournalKey::new(&tally_signing::journal_key(&body))
}

/// The journal file's own last record number and chain hash, read by the core's reader
/// (the journal is bound to the 110a, whose SHA-256 the Kiesraad published).
fn file_head(paths: &Paths) -> ChainHead {
    let election: [u8; 32] = hex::decode(published_hashes().0)
        .unwrap()
        .try_into()
        .unwrap();
    let bytes = std::fs::read(paths.journal()).unwrap();
    let contents = tally_core::journal::read(&bytes, &election, &demo_journal_key()).unwrap();
    ChainHead {
        seq: contents.records.len() as u64,
        hash: contents.last_hash,
    }
}

/// The demo unlocked, the definition loaded, and station 1's first entry typed by Anna.
fn first_entry_typed(paths: &Paths) -> Demo {
    let mut r = open(paths, Lang::Nl);
    unlock(&mut r);
    load_definition(&mut r);
    let lists = juinen_lists(&r);
    start_entry(&mut r, 0, "Anna");
    type_fields(&mut r, &paper(1, &lists), 0, |_, _| {});
    r
}

#[test]
fn a_journal_cut_short_shows_another_head_on_the_overview() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let mut r = first_entry_typed(&paths);
    key(&mut r, KeyCode::Esc);
    key(&mut r, KeyCode::Esc);
    let head = r.state.journal_head.unwrap();
    assert_eq!(head, file_head(&paths));
    let shown = |r: &Demo| {
        let lines = screen_lines(&r.state);
        let at = lines.iter().position(|l| l.contains("Journaal:")).unwrap();
        lines[at..at + 3].join("\n")
    };
    // The count and the full head, all sixteen groups (as the report prints it).
    let code = tally_core::hashcode::Sha256Digest(head.hash).hash_code();
    let groups: Vec<&str> = code.split(' ').collect();
    let line = shown(&r);
    assert!(
        line.contains(&format!("Journaal: {} regels, kop", head.seq))
            && line.contains(&groups[..8].join(" "))
            && line.contains(&groups[8..].join(" ")),
        "{line}"
    );
    drop(r);

    // The last record cut off at its boundary: a valid, shorter journal. The terminal
    // starts from it; the overview's head differs from the one noted before.
    let bytes = std::fs::read(paths.journal()).unwrap();
    let election: [u8; 32] = hex::decode(published_hashes().0)
        .unwrap()
        .try_into()
        .unwrap();
    let last = tally_core::journal::read(&bytes, &election, &demo_journal_key())
        .unwrap()
        .records
        .last()
        .unwrap()
        .offset;
    std::fs::write(paths.journal(), &bytes[..last as usize]).unwrap();
    let mut r = open(&paths, Lang::Nl);
    unlock(&mut r);
    let cut = r.state.journal_head.unwrap();
    assert_eq!(cut.seq, head.seq - 1);
    assert_ne!(cut.hash, head.hash);
    assert_eq!(cut, file_head(&paths));
    // (The cut record was the move to the overview: the terminal is back in the entry, behind
    // the typist's PIN.)
    assert!(
        matches!(r.state.screen, Shell::Pin(_)),
        "{:?}",
        r.state.screen
    );
    r.state.screen = Shell::Level(Screen::Overview { selected: 0 });
    let other = shown(&r);
    assert!(
        other.contains(&format!("Journaal: {} regels", head.seq - 1)),
        "{other}"
    );
    assert_ne!(other, line);
}

/// The last 40 bytes of the journal zeroed (a power cut while the last record was written):
/// the record is dropped, and that is never silent: after the passphrase the official reads
/// it, in the screen's language, and the audit log keeps what was dropped.
#[test]
fn a_torn_last_record_is_shown_and_written_to_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let r = first_entry_typed(&paths);
    let head = r.state.journal_head.unwrap();
    drop(r);

    let mut bytes = std::fs::read(paths.journal()).unwrap();
    let n = bytes.len();
    bytes[n - 40..].fill(0);
    std::fs::write(paths.journal(), &bytes).unwrap();

    let mut r = open(&paths, Lang::Nl);
    // The journal is read after the passphrase (its records are checked with the body's
    // key): nothing is said before, and the notice is on the screen after it.
    assert!(!screen_text(&r.state).contains("laatste journaalrecord was onvolledig"));
    unlock(&mut r);
    assert!(screen_text(&r.state).contains("laatste journaalrecord was onvolledig"));
    let note = r.state.note.clone().expect("the torn record is said");
    assert!(note.error);
    assert!(
        note.text(Lang::Nl).contains("onvolledig"),
        "{}",
        note.text(Lang::Nl)
    );
    assert!(note.text(Lang::En).contains("incomplete"));
    assert_eq!(r.state.journal_head.unwrap().seq, head.seq - 1);
    let audit = std::fs::read_to_string(paths.audit()).unwrap();
    assert!(
        audit.contains("an incomplete last record was dropped"),
        "{audit}"
    );
    // The next key clears it.
    key(&mut r, KeyCode::Down);
    assert!(r.state.note.is_none());
}

/// A journal changed on another PC (a typed value changed, the unkeyed SHA-256 chain of the
/// old format recomputed over everything after it, as an attacker without the body's key
/// would): the unlock is refused, naming the first bad record; nothing of the journal is
/// used, the file stays as it was, and the audit log says why.
#[test]
fn a_journal_changed_on_another_pc_is_refused_at_unlock_naming_the_record() {
    use sha2::{Digest, Sha256};
    use tally_core::journal::{HEADER_LEN, RECORD_OVERHEAD};
    let dir = tempfile::tempdir().unwrap();
    let paths = paths(dir.path());
    let r = first_entry_typed(&paths);
    drop(r);
    let bytes = std::fs::read(paths.journal()).unwrap();
    // The records' spans, from the framing.
    let mut spans = Vec::new();
    let mut at = HEADER_LEN;
    while at < bytes.len() {
        let n = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        spans.push((at, at + n + RECORD_OVERHEAD));
        at += n + RECORD_OVERHEAD;
    }
    // A record in the middle of the first entry: one digit of its JSON changed (a typed
    // count or a time), and every chain value from it on recomputed as SHA-256.
    let k = spans.len() / 2;
    let mut forged = bytes[..spans[k].0].to_vec();
    let mut prev: [u8; 32] = bytes[spans[k].0 - 32..spans[k].0].try_into().unwrap();
    for (i, (s, e)) in spans.iter().enumerate().skip(k) {
        let mut payload = bytes[s + 16..e - 32].to_vec();
        if i == k {
            let d = payload.iter().position(u8::is_ascii_digit).unwrap();
            payload[d] = if payload[d] == b'9' { b'8' } else { b'9' };
        }
        let seq = i as u64 + 1;
        let mut h = Sha256::new();
        h.update(prev);
        h.update(seq.to_le_bytes());
        h.update((payload.len() as u64).to_le_bytes());
        h.update(&payload);
        let hash: [u8; 32] = h.finalize().into();
        forged.extend_from_slice(&bytes[*s..s + 16]);
        forged.extend_from_slice(&payload);
        forged.extend_from_slice(&hash);
        prev = hash;
    }
    assert_eq!(forged.len(), bytes.len());
    std::fs::write(paths.journal(), &forged).unwrap();

    let mut r = open(&paths, Lang::En);
    unlock(&mut r);
    assert!(!r.state.unlocked, "a forged journal was accepted");
    assert!(matches!(r.state.screen, Shell::Start));
    assert_eq!(r.state.journal_head, None);
    let why = r.state.unlock_error.clone().unwrap().text(Lang::En);
    assert!(
        why.contains(&format!("record {} at byte {}", k + 1, spans[k].0))
            && why.contains("does not verify with this body's key"),
        "{why}"
    );
    assert!(
        why.starts_with("Unlock refused: the journal is not used"),
        "{why}"
    );
    assert_eq!(std::fs::read(paths.journal()).unwrap(), forged);
    let audit = std::fs::read_to_string(paths.audit()).unwrap();
    assert!(audit.contains("journal refused at unlock"), "{audit}");
    // A second try refuses the same way (nothing half-replayed is kept).
    unlock(&mut r);
    assert!(!r.state.unlocked);
    assert_eq!(r.state.journal_head, None);
}
