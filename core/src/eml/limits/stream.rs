//! The input guards of [`super`] on a stream: a [`GuardedRead`] sits between a file and
//! the parser's buffer and checks every byte as it is read (UTF-8, `<!DOCTYPE`,
//! `<!ENTITY`), and keeps the bytes before the root element for [`super::scan_root`].
//! The results are the ones the checks on the whole file give (same problem, same
//! offset); the caller applies them in the same order (size, UTF-8, prolog and root,
//! declarations, kind) once the stream has been read to its end.

use std::io::Read;

use super::{InputProblem, starts_with_ignore_case};

/// The UTF-8 check over pieces: the offset of the first byte that is not UTF-8, as
/// [`super::check_utf8`] finds it in the whole file.
#[derive(Debug, Default)]
struct Utf8Check {
    /// The start of a character cut by the end of the last piece (at most 3 bytes).
    carry: [u8; 4],
    carry_len: usize,
    /// Bytes seen so far.
    seen: u64,
    error: Option<u64>,
}

/// The number of bytes of the UTF-8 character `first` starts (only called on the first byte
/// of a valid, cut-short character: 2 to 4).
fn utf8_width(first: u8) -> usize {
    match first {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

impl Utf8Check {
    fn feed(&mut self, data: &[u8]) {
        let base = self.seen;
        self.seen = self
            .seen
            .saturating_add(u64::try_from(data.len()).unwrap_or(u64::MAX));
        if self.error.is_some() {
            return;
        }
        let mut data = data;
        let mut base = base;
        if self.carry_len > 0 {
            let carry_start = base.saturating_sub(self.carry_len as u64);
            let first = self.carry.first().copied().unwrap_or(0);
            let need = utf8_width(first).saturating_sub(self.carry_len);
            let take = need.min(data.len());
            let mut joined = self.carry;
            let end = self.carry_len.saturating_add(take);
            if let (Some(slot), Some(bytes)) =
                (joined.get_mut(self.carry_len..end), data.get(..take))
            {
                slot.copy_from_slice(bytes);
            }
            match std::str::from_utf8(joined.get(..end).unwrap_or_default()) {
                Ok(_) => {
                    self.carry_len = 0;
                    data = data.get(take..).unwrap_or_default();
                    base = base.saturating_add(take as u64);
                }
                Err(e) if e.error_len().is_none() => {
                    self.carry = joined;
                    self.carry_len = end;
                    return;
                }
                Err(e) => {
                    self.error = Some(carry_start.saturating_add(e.valid_up_to() as u64));
                    return;
                }
            }
        }
        if let Err(e) = std::str::from_utf8(data) {
            let valid = e.valid_up_to();
            match e.error_len() {
                Some(_) => self.error = Some(base.saturating_add(valid as u64)),
                None => {
                    let rest = data.get(valid..).unwrap_or_default();
                    self.carry_len = rest.len().min(4);
                    if let Some(slot) = self.carry.get_mut(..self.carry_len) {
                        slot.copy_from_slice(rest.get(..self.carry_len).unwrap_or_default());
                    }
                }
            }
        }
    }

    fn finish(&mut self) -> Option<u64> {
        if self.error.is_none() && self.carry_len > 0 {
            self.error = Some(self.seen.saturating_sub(self.carry_len as u64));
        }
        self.error
    }
}

/// How many bytes before a piece are looked at again with it: a `<!` plus the longest word
/// (`DOCTYPE`) is 9 bytes, so a start not decided in one piece lies in the last 9.
const KEEP: usize = 16;

/// [`super::check_no_declarations`] over pieces: the first `<!DOCTYPE` or `<!ENTITY`, in
/// any letter case.
#[derive(Debug, Default)]
struct DeclarationScan {
    /// The last bytes of the pieces so far, and the offset of the first of them.
    tail: Vec<u8>,
    tail_start: u64,
    /// Every `<!` before this offset is decided.
    decided: u64,
    window: Vec<u8>,
    found: Option<InputProblem>,
}

impl DeclarationScan {
    fn feed(&mut self, data: &[u8]) {
        if self.found.is_some() {
            return;
        }
        self.window.clear();
        self.window.extend_from_slice(&self.tail);
        self.window.extend_from_slice(data);
        self.scan(false);
        let keep_from = self.window.len().saturating_sub(KEEP);
        self.tail.clear();
        self.tail
            .extend_from_slice(self.window.get(keep_from..).unwrap_or_default());
        self.tail_start = self.tail_start.saturating_add(keep_from as u64);
    }

    /// Looks at every `<!` in the window not decided before; one cut short by the window's
    /// end waits for the next piece, unless this is the end.
    fn scan(&mut self, at_end: bool) {
        let w = &self.window;
        for bang in memchr::memchr_iter(b'!', w) {
            let Some(lt) = bang.checked_sub(1) else {
                continue;
            };
            if w.get(lt) != Some(&b'<') {
                continue;
            }
            let start = self.tail_start.saturating_add(lt as u64);
            if start < self.decided {
                continue;
            }
            let after = bang.saturating_add(1);
            if !at_end && after.saturating_add(7) > w.len() {
                return;
            }
            let offset = usize::try_from(start).unwrap_or(usize::MAX);
            if starts_with_ignore_case(w, after, b"DOCTYPE") {
                self.found = Some(InputProblem::Doctype { offset });
                return;
            }
            if starts_with_ignore_case(w, after, b"ENTITY") {
                self.found = Some(InputProblem::EntityDeclaration { offset });
                return;
            }
            self.decided = start.saturating_add(1);
        }
    }

    fn finish(&mut self) -> Option<InputProblem> {
        if self.found.is_none() {
            self.window.clear();
            self.window.extend_from_slice(&self.tail);
            self.scan(true);
        }
        self.found.take()
    }
}

/// A reader that checks every byte it passes on (see the module documentation) and keeps
/// the bytes read until [`GuardedRead::drop_prefix`] (from the start: the prolog and
/// the root element's start tag, for [`super::scan_root`]).
#[derive(Debug)]
pub(crate) struct GuardedRead<R> {
    inner: R,
    utf8: Utf8Check,
    declarations: DeclarationScan,
    prefix: Option<Vec<u8>>,
    read: u64,
}

/// What the guards found in a stream read to its end.
#[derive(Debug)]
pub(crate) struct GuardFindings {
    /// Bytes read.
    pub read: u64,
    /// The first byte that is not UTF-8.
    pub not_utf8: Option<usize>,
    /// The first `<!DOCTYPE` or `<!ENTITY`.
    pub declaration: Option<InputProblem>,
    /// The bytes kept (all of them, when [`GuardedRead::drop_prefix`] was never called).
    pub prefix: Option<Vec<u8>>,
}

impl<R: Read> GuardedRead<R> {
    pub(crate) fn new(inner: R) -> GuardedRead<R> {
        GuardedRead {
            inner,
            utf8: Utf8Check::default(),
            declarations: DeclarationScan::default(),
            prefix: Some(Vec::new()),
            read: 0,
        }
    }

    /// The bytes read so far, while they are kept.
    pub(crate) fn prefix(&self) -> Option<&[u8]> {
        self.prefix.as_deref()
    }

    /// Stops keeping the bytes read (the root element is found) and frees them.
    pub(crate) fn drop_prefix(&mut self) {
        self.prefix = None;
    }

    /// What was found (call after reading to the end).
    pub(crate) fn finish(mut self) -> GuardFindings {
        GuardFindings {
            read: self.read,
            not_utf8: self
                .utf8
                .finish()
                .map(|o| usize::try_from(o).unwrap_or(usize::MAX)),
            declaration: self.declarations.finish(),
            prefix: self.prefix,
        }
    }
}

impl<R: Read> Read for GuardedRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or_default();
        self.utf8.feed(data);
        self.declarations.feed(data);
        if let Some(prefix) = &mut self.prefix {
            prefix.extend_from_slice(data);
        }
        self.read = self.read.saturating_add(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` in pieces of every size from 1 to 20 and compares with the checks on
    /// the whole.
    fn agrees(bytes: &[u8]) {
        let whole_utf8 = std::str::from_utf8(bytes).err().map(|e| e.valid_up_to());
        let whole_decl = match std::str::from_utf8(bytes) {
            Ok(t) => super::super::check_no_declarations(t).err(),
            Err(_) => {
                // The whole-file check needs text; compare on the lossless byte scan.
                let text: String = bytes.iter().map(|b| char::from(*b & 0x7F)).collect();
                super::super::check_no_declarations(&text).err()
            }
        };
        for piece in 1..=20 {
            let mut u = Utf8Check::default();
            let mut d = DeclarationScan::default();
            for chunk in bytes.chunks(piece) {
                u.feed(chunk);
                d.feed(chunk);
            }
            assert_eq!(
                u.finish().map(|o| o as usize),
                whole_utf8,
                "UTF-8 in pieces of {piece}: {bytes:?}"
            );
            if whole_utf8.is_none() {
                assert_eq!(d.finish(), whole_decl, "declarations in pieces of {piece}");
            }
        }
    }

    #[test]
    fn pieces_give_the_answers_of_the_whole() {
        let cases: Vec<Vec<u8>> = vec![
            b"<EML Id=\"510b\"/>".to_vec(),
            b"<!DOCTYPE x><EML/>".to_vec(),
            b"<a>text <!doctype x> and <!ENTITY y></a>".to_vec(),
            b"<a><!<!EnTiTy y></a>".to_vec(),
            b"<a><!-- <!DOCTYP --><!DOCTYP".to_vec(),
            b"<a>x<!DOCTYPE".to_vec(),
            b"<a>x<!ENTITY".to_vec(),
            b"<a>!<!!DOCTYPE</a>".to_vec(),
            "<a>Fryslân € 𝄞 é</a>".as_bytes().to_vec(),
            vec![b'<', b'a', b'>', 0xC3],
            vec![b'a', 0xE2, 0x82],
            vec![b'a', 0xE2, 0x28, 0xA1, b'b'],
            vec![0xF0, 0x9D, 0x84, 0x9E, 0xF0, 0x9D, 0x84],
            vec![0xE0, 0x80, b'x'],
            vec![0xFF, b'<', b'!', b'D'],
            vec![b'x', 0xC3, 0xA9, 0xED, 0xA0, 0x80],
        ];
        for case in &cases {
            agrees(case);
        }
    }

    #[test]
    fn a_guarded_reader_passes_every_byte_on_and_keeps_the_prefix() {
        let text = "<?xml version=\"1.0\"?><EML Id=\"510b\">é</EML>";
        let mut r = GuardedRead::new(text.as_bytes());
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, text.as_bytes());
        assert_eq!(r.prefix(), Some(text.as_bytes()));
        r.drop_prefix();
        let found = r.finish();
        assert_eq!((found.read, found.not_utf8), (text.len() as u64, None));
        assert_eq!((found.declaration, found.prefix), (None, None));
    }
}
