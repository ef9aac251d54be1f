//! A small zlib (RFC 1950) / deflate (RFC 1951) compressor for the PDF's `FlateDecode`
//! streams: one block with the fixed Huffman codes, greedy LZ77 matching over a 32 KiB window
//! with hash chains. It compresses PDF content streams and fonts by a factor of about 3 to 6,
//! needs no dependency, and its output is a pure function of its input.

/// Length codes 257..=285: base length and extra bits.
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distance codes 0..=29: base distance and extra bits.
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const MAX_CHAIN: usize = 16;
/// A match this long is taken without looking further down the chain.
const GOOD_MATCH: usize = 64;
const HASH_BITS: u32 = 15;

struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    /// Writes `count` bits of `value`, least significant first.
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push((self.acc & 0xFF) as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Writes a Huffman code of `len` bits, most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let mut rev = 0u32;
        for i in 0..len {
            rev |= ((code >> i) & 1) << (len - 1 - i);
        }
        self.put(rev, len);
    }

    fn flush(&mut self) {
        if self.n > 0 {
            self.out.push((self.acc & 0xFF) as u8);
            self.acc = 0;
            self.n = 0;
        }
    }
}

/// The fixed literal/length code of symbol 0..=287.
fn lit_code(bits: &mut Bits, sym: u16) {
    let s = u32::from(sym);
    match sym {
        0..=143 => bits.code(0x30 + s, 8),
        144..=255 => bits.code(0x190 + (s - 144), 9),
        256..=279 => bits.code(s - 256, 7),
        _ => bits.code(0xC0 + (s - 280), 8),
    }
}

fn put_length(bits: &mut Bits, len: usize) {
    let len = u16::try_from(len).unwrap_or(258);
    let i = LENGTH_BASE.iter().rposition(|b| *b <= len).unwrap_or(0);
    let base = LENGTH_BASE.get(i).copied().unwrap_or(3);
    let extra = LENGTH_EXTRA.get(i).copied().unwrap_or(0);
    lit_code(bits, 257 + i as u16);
    bits.put(u32::from(len - base), u32::from(extra));
}

fn put_distance(bits: &mut Bits, dist: usize) {
    let dist = u16::try_from(dist).unwrap_or(1);
    let i = DIST_BASE.iter().rposition(|b| *b <= dist).unwrap_or(0);
    let base = DIST_BASE.get(i).copied().unwrap_or(1);
    let extra = DIST_EXTRA.get(i).copied().unwrap_or(0);
    bits.code(i as u32, 5);
    bits.put(u32::from(dist - base), u32::from(extra));
}

fn hash(data: &[u8], at: usize) -> usize {
    match data.get(at..at + 3) {
        Some([a, b, c]) => {
            let v = (u32::from(*a) << 16) | (u32::from(*b) << 8) | u32::from(*c);
            (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
        }
        _ => 0,
    }
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for byte in chunk {
            a += u32::from(*byte);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// `data` compressed as a zlib stream (what PDF's `FlateDecode` filter reads).
pub(crate) fn zlib(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE 01: fixed Huffman codes
    let mut head = vec![usize::MAX; 1 << HASH_BITS];
    let mut prev = vec![usize::MAX; WINDOW];
    let insert = |head: &mut Vec<usize>, prev: &mut Vec<usize>, at: usize| {
        if at + MIN_MATCH <= data.len() {
            let h = hash(data, at);
            if let (Some(slot), Some(p)) = (head.get_mut(h), prev.get_mut(at % WINDOW)) {
                *p = *slot;
                *slot = at;
            }
        }
    };
    let mut i = 0;
    while i < data.len() {
        let mut best_len = 0;
        let mut best_dist = 0;
        if i + MIN_MATCH <= data.len() {
            let mut cand = head.get(hash(data, i)).copied().unwrap_or(usize::MAX);
            let mut chain = 0;
            while cand != usize::MAX && cand < i && i - cand <= WINDOW && chain < MAX_CHAIN {
                let max = MAX_MATCH.min(data.len() - i);
                let len = data
                    .get(cand..cand + max)
                    .zip(data.get(i..i + max))
                    .map_or(0, |(a, b)| {
                        a.iter().zip(b).take_while(|(x, y)| x == y).count()
                    });
                if len > best_len {
                    best_len = len;
                    best_dist = i - cand;
                    if len == max || len >= GOOD_MATCH {
                        break;
                    }
                }
                let next = prev.get(cand % WINDOW).copied().unwrap_or(usize::MAX);
                if next == usize::MAX || next >= cand {
                    break;
                }
                cand = next;
                chain += 1;
            }
        }
        if best_len >= MIN_MATCH {
            put_length(&mut bits, best_len);
            put_distance(&mut bits, best_dist);
            for k in i..i + best_len {
                insert(&mut head, &mut prev, k);
            }
            i += best_len;
        } else {
            lit_code(&mut bits, u16::from(data.get(i).copied().unwrap_or(0)));
            insert(&mut head, &mut prev, i);
            i += 1;
        }
    }
    lit_code(&mut bits, 256);
    bits.flush();
    bits.out.extend_from_slice(&adler32(data).to_be_bytes());
    bits.out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::zlib;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// Decompresses with Python's zlib (an independent inflater).
    fn inflate(data: &[u8]) -> Vec<u8> {
        let mut child = Command::new("python3")
            .args([
                "-c",
                "import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3");
        child.stdin.take().unwrap().write_all(data).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "python zlib refused the stream");
        out.stdout
    }

    #[test]
    fn round_trips_through_an_independent_inflater() {
        let mut text = Vec::new();
        for i in 0..3000u32 {
            text.extend_from_slice(
                format!("BT /F1 9 Tf 1 0 0 1 42 {i} Tm <0012003A> Tj ET\n").as_bytes(),
            );
        }
        let mut noise = Vec::new();
        let mut x = 12345u32;
        for _ in 0..70_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            noise.push((x >> 16) as u8);
        }
        for data in [
            Vec::new(),
            b"a".to_vec(),
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec(),
            text.clone(),
            noise,
            include_bytes!("../fonts/DejaVuSans-Latin.ttf").to_vec(),
        ] {
            let z = zlib(&data);
            assert_eq!(inflate(&z), data);
        }
        assert!(
            zlib(&text).len() * 5 < text.len(),
            "content streams compress well"
        );
    }
}
