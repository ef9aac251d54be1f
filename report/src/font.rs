//! A minimal TrueType reader and subsetter: just what embedding a font in a PDF needs.
//!
//! - [`Font::parse`] reads the tables of a TrueType (`glyf`) font: the character map
//!   (`cmap` format 4 or 12), the advance widths (`hmtx`), the metrics for the PDF font
//!   descriptor (`head`, `hhea`, `OS/2`) and the glyph outlines (`loca`, `glyf`).
//! - [`Font::subset`] writes a new font with only the glyphs asked for (and the glyphs their
//!   composite outlines refer to), renumbered from 0 in ascending order of the old glyph ids,
//!   with a fresh `cmap` (format 12) for the characters that map to a kept glyph. Tables that
//!   index glyphs and are not needed for drawing (`kern`, `GPOS`, `GSUB`, `hdmx`, ...) are left
//!   out; `post` becomes version 3 (no glyph names).
//!
//! The same subsetter made the fonts shipped in `fonts/` (Latin ranges of DejaVu Sans, see
//! `examples/subset_fonts.rs`) and subsets them again for every PDF, so that a report embeds
//! only the glyphs it uses. Every read is bounds-checked: a damaged font gives an error,
//! never a panic. The output is a pure function of the input (deterministic).

use std::collections::{BTreeMap, BTreeSet};

/// Why a font could not be read or subset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FontError {
    /// A table the font needs is missing.
    #[error("font: table {0} missing")]
    MissingTable(&'static str),
    /// A read went past the end of a table or of the file.
    #[error("font: table {table} truncated or offset out of range")]
    Truncated {
        /// The table being read.
        table: &'static str,
    },
    /// A value that a TrueType font cannot have.
    #[error("font: {0}")]
    Invalid(&'static str),
}

fn u16_at(data: &[u8], at: usize, table: &'static str) -> Result<u16, FontError> {
    let end = at.checked_add(2).ok_or(FontError::Truncated { table })?;
    match data.get(at..end) {
        Some([a, b]) => Ok(u16::from_be_bytes([*a, *b])),
        _ => Err(FontError::Truncated { table }),
    }
}

fn i16_at(data: &[u8], at: usize, table: &'static str) -> Result<i16, FontError> {
    u16_at(data, at, table).map(|v| i16::from_be_bytes(v.to_be_bytes()))
}

fn u32_at(data: &[u8], at: usize, table: &'static str) -> Result<u32, FontError> {
    let end = at.checked_add(4).ok_or(FontError::Truncated { table })?;
    match data.get(at..end) {
        Some([a, b, c, d]) => Ok(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => Err(FontError::Truncated { table }),
    }
}

fn slice<'a>(
    data: &'a [u8],
    at: usize,
    len: usize,
    table: &'static str,
) -> Result<&'a [u8], FontError> {
    let end = at.checked_add(len).ok_or(FontError::Truncated { table })?;
    data.get(at..end).ok_or(FontError::Truncated { table })
}

/// Metrics for the PDF font descriptor, in font units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metrics {
    /// Font units per em (`head.unitsPerEm`).
    pub units_per_em: u16,
    /// Ascender (`hhea`).
    pub ascent: i16,
    /// Descender (`hhea`, negative).
    pub descent: i16,
    /// Height of capital letters (`OS/2.sCapHeight`, else the ascender).
    pub cap_height: i16,
    /// Bounding box of all glyphs: x min, y min, x max, y max (`head`).
    pub bbox: [i16; 4],
}

/// A parsed TrueType font.
#[derive(Debug, Clone)]
pub struct Font {
    data: Vec<u8>,
    /// Tag -> (offset, length) of every table.
    tables: BTreeMap<[u8; 4], (usize, usize)>,
    /// Character -> glyph id, for every character the `cmap` maps to a glyph other than 0.
    cmap: BTreeMap<char, u16>,
    /// Advance width of every glyph, in font units.
    advances: Vec<u16>,
    /// Glyph outlines: byte range of each glyph within `glyf` (relative to the table).
    glyph_ranges: Vec<(usize, usize)>,
    metrics: Metrics,
    /// The PostScript name (`name` id 6), or "Font".
    postscript_name: String,
}

impl Font {
    /// Reads a TrueType font.
    ///
    /// # Errors
    /// A missing table, a read out of range, or a value a font cannot have.
    pub fn parse(data: Vec<u8>) -> Result<Font, FontError> {
        let num_tables = u16_at(&data, 4, "table directory")?;
        let mut tables = BTreeMap::new();
        for i in 0..usize::from(num_tables) {
            let rec = 12usize.saturating_add(i.saturating_mul(16));
            let tag = slice(&data, rec, 4, "table directory")?;
            let tag: [u8; 4] = [
                *tag.first().unwrap_or(&0),
                *tag.get(1).unwrap_or(&0),
                *tag.get(2).unwrap_or(&0),
                *tag.get(3).unwrap_or(&0),
            ];
            let offset = u32_at(&data, rec.saturating_add(8), "table directory")? as usize;
            let length = u32_at(&data, rec.saturating_add(12), "table directory")? as usize;
            slice(&data, offset, length, "table directory")?;
            tables.insert(tag, (offset, length));
        }
        let table = |tag: &[u8; 4], name: &'static str| -> Result<&[u8], FontError> {
            let (o, l) = tables.get(tag).ok_or(FontError::MissingTable(name))?;
            slice(&data, *o, *l, name)
        };
        let head = table(b"head", "head")?;
        let units_per_em = u16_at(head, 18, "head")?;
        if units_per_em == 0 {
            return Err(FontError::Invalid("head.unitsPerEm is 0"));
        }
        let bbox = [
            i16_at(head, 36, "head")?,
            i16_at(head, 38, "head")?,
            i16_at(head, 40, "head")?,
            i16_at(head, 42, "head")?,
        ];
        let long_loca = i16_at(head, 50, "head")? != 0;
        let hhea = table(b"hhea", "hhea")?;
        let ascent = i16_at(hhea, 4, "hhea")?;
        let descent = i16_at(hhea, 6, "hhea")?;
        let num_hmetrics = usize::from(u16_at(hhea, 34, "hhea")?);
        let maxp = table(b"maxp", "maxp")?;
        let num_glyphs = usize::from(u16_at(maxp, 4, "maxp")?);
        if num_hmetrics == 0 || num_hmetrics > num_glyphs {
            return Err(FontError::Invalid("hhea.numberOfHMetrics out of range"));
        }
        let cap_height = match tables.get(b"OS/2") {
            Some(_) => {
                let os2 = table(b"OS/2", "OS/2")?;
                if u16_at(os2, 0, "OS/2")? >= 2 {
                    i16_at(os2, 88, "OS/2")?
                } else {
                    ascent
                }
            }
            None => ascent,
        };
        let hmtx = table(b"hmtx", "hmtx")?;
        let mut advances = Vec::with_capacity(num_glyphs);
        let mut last = 0;
        for g in 0..num_glyphs {
            if g < num_hmetrics {
                last = u16_at(hmtx, g.saturating_mul(4), "hmtx")?;
            }
            advances.push(last);
        }
        let loca = table(b"loca", "loca")?;
        let glyf_len = tables
            .get(b"glyf")
            .ok_or(FontError::MissingTable("glyf"))?
            .1;
        let mut offsets = Vec::with_capacity(num_glyphs.saturating_add(1));
        for g in 0..=num_glyphs {
            let o = if long_loca {
                u32_at(loca, g.saturating_mul(4), "loca")? as usize
            } else {
                usize::from(u16_at(loca, g.saturating_mul(2), "loca")?).saturating_mul(2)
            };
            offsets.push(o);
        }
        let mut glyph_ranges = Vec::with_capacity(num_glyphs);
        for pair in offsets.windows(2) {
            if let [start, end] = pair {
                if start > end || *end > glyf_len {
                    return Err(FontError::Invalid("loca offsets not ascending within glyf"));
                }
                glyph_ranges.push((*start, *end));
            }
        }
        let cmap = read_cmap(table(b"cmap", "cmap")?, num_glyphs)?;
        let postscript_name = match tables.get(b"name") {
            Some(_) => read_postscript_name(table(b"name", "name")?),
            None => None,
        }
        .unwrap_or_else(|| "Font".to_string());
        Ok(Font {
            data,
            tables,
            cmap,
            advances,
            glyph_ranges,
            metrics: Metrics {
                units_per_em,
                ascent,
                descent,
                cap_height,
                bbox,
            },
            postscript_name,
        })
    }

    fn table(&self, tag: &[u8; 4]) -> Option<&[u8]> {
        let (o, l) = self.tables.get(tag)?;
        self.data.get(*o..o.checked_add(*l)?)
    }

    /// The glyph for a character, if the font has one.
    pub fn glyph(&self, c: char) -> Option<u16> {
        self.cmap.get(&c).copied()
    }

    /// The advance width of a glyph, in font units (0 for an unknown glyph).
    pub fn advance(&self, glyph: u16) -> u16 {
        self.advances.get(usize::from(glyph)).copied().unwrap_or(0)
    }

    /// The metrics for the PDF font descriptor.
    pub fn metrics(&self) -> Metrics {
        self.metrics
    }

    /// The PostScript name from the `name` table.
    pub fn postscript_name(&self) -> &str {
        &self.postscript_name
    }

    /// Every character the font maps, with its glyph.
    pub fn characters(&self) -> impl Iterator<Item = (char, u16)> + '_ {
        self.cmap.iter().map(|(c, g)| (*c, *g))
    }

    /// The glyphs a composite glyph refers to (empty for a simple glyph).
    fn components(&self, glyph: u16) -> Result<Vec<(usize, u16)>, FontError> {
        let glyf = self.table(b"glyf").ok_or(FontError::MissingTable("glyf"))?;
        let Some(&(start, end)) = self.glyph_ranges.get(usize::from(glyph)) else {
            return Ok(Vec::new());
        };
        let g = slice(glyf, start, end.saturating_sub(start), "glyf")?;
        if g.is_empty() || i16_at(g, 0, "glyf")? >= 0 {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut at = 10usize;
        loop {
            let flags = u16_at(g, at, "glyf")?;
            let index_at = at.saturating_add(2);
            out.push((index_at, u16_at(g, index_at, "glyf")?));
            let mut len = 4usize;
            len = len.saturating_add(if flags & 0x0001 != 0 { 4 } else { 2 });
            if flags & 0x0008 != 0 {
                len = len.saturating_add(2);
            } else if flags & 0x0040 != 0 {
                len = len.saturating_add(4);
            } else if flags & 0x0080 != 0 {
                len = len.saturating_add(8);
            }
            at = at.saturating_add(len);
            if flags & 0x0020 == 0 {
                break;
            }
            if at >= g.len() {
                return Err(FontError::Truncated { table: "glyf" });
            }
        }
        Ok(out)
    }

    /// A new font with glyph 0, the `glyphs` asked for and every glyph their composite
    /// outlines use, renumbered in ascending order of the old ids. Returns the font's bytes
    /// and the map from old to new glyph id.
    ///
    /// # Errors
    /// A damaged outline, or more glyphs than a font can hold.
    pub fn subset(
        &self,
        glyphs: &BTreeSet<u16>,
    ) -> Result<(Vec<u8>, BTreeMap<u16, u16>), FontError> {
        let mut keep: BTreeSet<u16> = BTreeSet::new();
        let mut todo: Vec<u16> = std::iter::once(0).chain(glyphs.iter().copied()).collect();
        while let Some(g) = todo.pop() {
            if usize::from(g) >= self.advances.len() {
                return Err(FontError::Invalid("glyph id beyond maxp.numGlyphs"));
            }
            if keep.insert(g) {
                for (_, c) in self.components(g)? {
                    todo.push(c);
                }
            }
        }
        let mut map = BTreeMap::new();
        for (new, old) in keep.iter().enumerate() {
            let new = u16::try_from(new).map_err(|_| FontError::Invalid("too many glyphs"))?;
            map.insert(*old, new);
        }
        let glyf_src = self.table(b"glyf").ok_or(FontError::MissingTable("glyf"))?;
        let mut glyf = Vec::new();
        let mut loca: Vec<u32> = Vec::with_capacity(keep.len().saturating_add(1));
        let mut hmtx = Vec::with_capacity(keep.len().saturating_mul(4));
        let hmtx_src = self.table(b"hmtx").ok_or(FontError::MissingTable("hmtx"))?;
        let num_hmetrics = self
            .table(b"hhea")
            .map_or(Ok(0), |h| u16_at(h, 34, "hhea"))?;
        for &old in &keep {
            let offset =
                u32::try_from(glyf.len()).map_err(|_| FontError::Invalid("glyf too large"))?;
            loca.push(offset);
            let (start, end) = self
                .glyph_ranges
                .get(usize::from(old))
                .copied()
                .unwrap_or((0, 0));
            let mut g = slice(glyf_src, start, end.saturating_sub(start), "glyf")?.to_vec();
            for (at, component) in self.components(old)? {
                let new = map.get(&component).copied().unwrap_or(0).to_be_bytes();
                if let Some(dst) = g.get_mut(at..at.saturating_add(2)) {
                    dst.copy_from_slice(&new);
                }
            }
            glyf.extend_from_slice(&g);
            while glyf.len() % 4 != 0 {
                glyf.push(0);
            }
            let lsb_at = if old < num_hmetrics {
                usize::from(old).saturating_mul(4).saturating_add(2)
            } else {
                usize::from(num_hmetrics)
                    .saturating_mul(4)
                    .saturating_add(usize::from(old.saturating_sub(num_hmetrics)).saturating_mul(2))
            };
            hmtx.extend_from_slice(&self.advance(old).to_be_bytes());
            hmtx.extend_from_slice(&i16_at(hmtx_src, lsb_at, "hmtx")?.to_be_bytes());
        }
        loca.push(u32::try_from(glyf.len()).map_err(|_| FontError::Invalid("glyf too large"))?);
        let n = u16::try_from(keep.len()).map_err(|_| FontError::Invalid("too many glyphs"))?;

        let mut out_tables: BTreeMap<[u8; 4], Vec<u8>> = BTreeMap::new();
        let mut head = self
            .table(b"head")
            .ok_or(FontError::MissingTable("head"))?
            .to_vec();
        set(&mut head, 8, &[0, 0, 0, 0])?; // checkSumAdjustment, set below
        set(&mut head, 50, &1i16.to_be_bytes())?; // long loca
        out_tables.insert(*b"head", head);
        let mut hhea = self
            .table(b"hhea")
            .ok_or(FontError::MissingTable("hhea"))?
            .to_vec();
        set(&mut hhea, 34, &n.to_be_bytes())?;
        out_tables.insert(*b"hhea", hhea);
        let mut maxp = self
            .table(b"maxp")
            .ok_or(FontError::MissingTable("maxp"))?
            .to_vec();
        set(&mut maxp, 4, &n.to_be_bytes())?;
        out_tables.insert(*b"maxp", maxp);
        out_tables.insert(*b"hmtx", hmtx);
        out_tables.insert(
            *b"loca",
            loca.iter().flat_map(|o| o.to_be_bytes()).collect(),
        );
        out_tables.insert(*b"glyf", glyf);
        let mut post = self
            .table(b"post")
            .map(|p| p.get(..32).unwrap_or(p).to_vec())
            .unwrap_or_default();
        if post.len() == 32 {
            set(&mut post, 0, &0x0003_0000u32.to_be_bytes())?;
            out_tables.insert(*b"post", post);
        }
        let cmap: BTreeMap<char, u16> = self
            .cmap
            .iter()
            .filter_map(|(c, g)| map.get(g).map(|n| (*c, *n)))
            .collect();
        out_tables.insert(*b"cmap", write_cmap12(&cmap));
        for tag in [b"cvt ", b"fpgm", b"prep", b"name", b"OS/2", b"gasp"] {
            if let Some(t) = self.table(tag) {
                out_tables.insert(*tag, t.to_vec());
            }
        }
        Ok((write_sfnt(&out_tables)?, map))
    }
}

fn set(data: &mut [u8], at: usize, bytes: &[u8]) -> Result<(), FontError> {
    data.get_mut(at..at.saturating_add(bytes.len()))
        .ok_or(FontError::Truncated { table: "subset" })?
        .copy_from_slice(bytes);
    Ok(())
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        for (d, s) in word.iter_mut().zip(chunk) {
            *d = *s;
        }
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

fn write_sfnt(tables: &BTreeMap<[u8; 4], Vec<u8>>) -> Result<Vec<u8>, FontError> {
    let num = u16::try_from(tables.len()).map_err(|_| FontError::Invalid("too many tables"))?;
    let mut entry_selector = 0u16;
    while (1u32 << (entry_selector + 1)) <= u32::from(num) {
        entry_selector += 1;
    }
    let search_range = (1u16 << entry_selector).saturating_mul(16);
    let range_shift = num.saturating_mul(16).saturating_sub(search_range);
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&num.to_be_bytes());
    out.extend_from_slice(&search_range.to_be_bytes());
    out.extend_from_slice(&entry_selector.to_be_bytes());
    out.extend_from_slice(&range_shift.to_be_bytes());
    let mut offset = 12usize.saturating_add(tables.len().saturating_mul(16));
    let mut head_offset = None;
    for (tag, data) in tables {
        if tag == b"head" {
            head_offset = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(
            &u32::try_from(offset)
                .map_err(|_| FontError::Invalid("font too large"))?
                .to_be_bytes(),
        );
        out.extend_from_slice(
            &u32::try_from(data.len())
                .map_err(|_| FontError::Invalid("table too large"))?
                .to_be_bytes(),
        );
        offset = offset.saturating_add(data.len().next_multiple_of(4));
    }
    for data in tables.values() {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    if let Some(h) = head_offset {
        set(&mut out, h.saturating_add(8), &adjust.to_be_bytes())?;
    }
    Ok(out)
}

/// A `cmap` with one subtable (platform 3, encoding 10, format 12): consecutive characters
/// with consecutive glyphs form one group.
fn write_cmap12(map: &BTreeMap<char, u16>) -> Vec<u8> {
    let mut groups: Vec<(u32, u32, u32)> = Vec::new();
    for (c, g) in map {
        let (c, g) = (u32::from(*c), u32::from(*g));
        match groups.last_mut() {
            Some((start, end, start_glyph))
                if end.checked_add(1) == Some(c)
                    && start_glyph.checked_add(c - *start) == Some(g) =>
            {
                *end = c;
            }
            _ => groups.push((c, c, g)),
        }
    }
    let n = u32::try_from(groups.len()).unwrap_or(0);
    let length = 16u32.saturating_add(n.saturating_mul(12));
    let mut out = Vec::new();
    out.extend_from_slice(&0u16.to_be_bytes()); // version
    out.extend_from_slice(&1u16.to_be_bytes()); // one subtable
    out.extend_from_slice(&3u16.to_be_bytes());
    out.extend_from_slice(&10u16.to_be_bytes());
    out.extend_from_slice(&12u32.to_be_bytes());
    out.extend_from_slice(&12u16.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    for (s, e, g) in groups {
        out.extend_from_slice(&s.to_be_bytes());
        out.extend_from_slice(&e.to_be_bytes());
        out.extend_from_slice(&g.to_be_bytes());
    }
    out
}

/// Reads the best Unicode subtable: format 12 (3,10 or 0,4) or format 4 (3,1 or 0,3).
fn read_cmap(cmap: &[u8], num_glyphs: usize) -> Result<BTreeMap<char, u16>, FontError> {
    let t = "cmap";
    let n = usize::from(u16_at(cmap, 2, t)?);
    let mut best: Option<(u8, usize)> = None;
    for i in 0..n {
        let rec = 4usize.saturating_add(i.saturating_mul(8));
        let platform = u16_at(cmap, rec, t)?;
        let encoding = u16_at(cmap, rec.saturating_add(2), t)?;
        let offset = u32_at(cmap, rec.saturating_add(4), t)? as usize;
        let format = u16_at(cmap, offset, t)?;
        let rank = match (platform, encoding, format) {
            (3, 10, 12) | (0, 4, 12) | (0, 6, 12) => 2,
            (3, 1, 4) | (0, 3, 4) | (0, 4, 4) => 1,
            _ => continue,
        };
        if best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, offset));
        }
    }
    let (_, offset) = best.ok_or(FontError::Invalid(
        "no Unicode cmap subtable (format 4 or 12)",
    ))?;
    let mut map = BTreeMap::new();
    let mut add = |code: u32, glyph: u32| {
        if let (Some(c), Ok(g)) = (char::from_u32(code), u16::try_from(glyph))
            && g != 0
            && usize::from(g) < num_glyphs
        {
            map.entry(c).or_insert(g);
        }
    };
    if u16_at(cmap, offset, t)? == 12 {
        let groups = u32_at(cmap, offset.saturating_add(12), t)? as usize;
        for i in 0..groups {
            let at = offset
                .saturating_add(16)
                .saturating_add(i.saturating_mul(12));
            let start = u32_at(cmap, at, t)?;
            let end = u32_at(cmap, at.saturating_add(4), t)?;
            let glyph = u32_at(cmap, at.saturating_add(8), t)?;
            if end < start || end > 0x10_FFFF {
                return Err(FontError::Invalid("cmap format 12 group out of range"));
            }
            for c in start..=end {
                add(c, glyph.saturating_add(c - start));
            }
        }
    } else {
        let seg_count = usize::from(u16_at(cmap, offset.saturating_add(6), t)? / 2);
        let ends = offset.saturating_add(14);
        let starts = ends
            .saturating_add(seg_count.saturating_mul(2))
            .saturating_add(2);
        let deltas = starts.saturating_add(seg_count.saturating_mul(2));
        let range_offsets = deltas.saturating_add(seg_count.saturating_mul(2));
        for s in 0..seg_count {
            let end = u16_at(cmap, ends.saturating_add(s * 2), t)?;
            let start = u16_at(cmap, starts.saturating_add(s * 2), t)?;
            let delta = u16_at(cmap, deltas.saturating_add(s * 2), t)?;
            let ro_at = range_offsets.saturating_add(s * 2);
            let ro = u16_at(cmap, ro_at, t)?;
            if start > end {
                continue;
            }
            for c in start..=end {
                if c == 0xFFFF {
                    break;
                }
                let glyph = if ro == 0 {
                    c.wrapping_add(delta)
                } else {
                    let at = ro_at
                        .saturating_add(usize::from(ro))
                        .saturating_add(usize::from(c - start).saturating_mul(2));
                    match u16_at(cmap, at, t)? {
                        0 => 0,
                        g => g.wrapping_add(delta),
                    }
                };
                add(u32::from(c), u32::from(glyph));
            }
        }
    }
    Ok(map)
}

/// The PostScript name (name id 6) from a `name` table, platform 3 (UTF-16BE) or 1 (ASCII).
fn read_postscript_name(name: &[u8]) -> Option<String> {
    let count = usize::from(u16_at(name, 2, "name").ok()?);
    let strings = usize::from(u16_at(name, 4, "name").ok()?);
    for i in 0..count {
        let rec = 6usize.saturating_add(i.saturating_mul(12));
        let platform = u16_at(name, rec, "name").ok()?;
        let id = u16_at(name, rec.saturating_add(6), "name").ok()?;
        let len = usize::from(u16_at(name, rec.saturating_add(8), "name").ok()?);
        let off = usize::from(u16_at(name, rec.saturating_add(10), "name").ok()?);
        if id != 6 {
            continue;
        }
        let raw = slice(name, strings.saturating_add(off), len, "name").ok()?;
        let s: String = if platform == 3 || platform == 0 {
            let units: Vec<u16> = raw
                .chunks(2)
                .map(|c| u16::from_be_bytes([*c.first().unwrap_or(&0), *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        } else {
            raw.iter().map(|b| char::from(*b)).collect()
        };
        let s: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if !s.is_empty() {
            return Some(s);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::{Font, FontError};
    use std::collections::BTreeSet;

    const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans-Latin.ttf");

    #[test]
    fn subset_keeps_widths_and_characters() {
        let font = Font::parse(REGULAR.to_vec()).unwrap();
        let text = "Kąklewska Şahin İı Łuczycki Michał Kostić Erdoğan é 0123456789.";
        let glyphs: BTreeSet<u16> = text.chars().map(|c| font.glyph(c).unwrap()).collect();
        let (bytes, map) = font.subset(&glyphs).unwrap();
        let sub = Font::parse(bytes).unwrap();
        for c in text.chars() {
            let old = font.glyph(c).unwrap();
            let new = sub.glyph(c).expect("character kept in the subset's cmap");
            assert_eq!(map.get(&old), Some(&new));
            assert_eq!(sub.advance(new), font.advance(old), "width of {c:?}");
        }
        assert_eq!(
            sub.glyph('Q'),
            None,
            "characters not asked for are left out"
        );
        assert_eq!(sub.metrics(), font.metrics());
        assert_eq!(sub.postscript_name(), "DejaVuSans");
    }

    #[test]
    fn composite_glyphs_bring_their_components() {
        let font = Font::parse(REGULAR.to_vec()).unwrap();
        // ą is a composite of a and the ogonek in DejaVu Sans.
        let g = font.glyph('ą').unwrap();
        let components = font.components(g).unwrap();
        assert!(!components.is_empty(), "ą is a composite glyph");
        let (bytes, map) = font.subset(&BTreeSet::from([g])).unwrap();
        assert!(map.len() >= 3, "glyph 0, ą and its components: {map:?}");
        let sub = Font::parse(bytes).unwrap();
        let new = sub.glyph('ą').unwrap();
        for (_, c) in sub.components(new).unwrap() {
            assert!(
                usize::from(c) < map.len(),
                "component renumbered into the subset"
            );
        }
    }

    #[test]
    fn the_shipped_fonts_cover_every_letter_of_the_real_candidate_lists() {
        let fonts = [
            Font::parse(REGULAR.to_vec()).unwrap(),
            Font::parse(include_bytes!("../fonts/DejaVuSans-Bold-Latin.ttf").to_vec()).unwrap(),
        ];
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/eml/real/");
        let mut seen = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "xml") {
                let text = std::fs::read_to_string(&path).unwrap();
                seen.extend(text.chars().filter(|c| !c.is_control()));
            }
        }
        assert!(
            seen.contains(&'ş') && seen.contains(&'ą'),
            "non-Latin-1 letters present"
        );
        for font in &fonts {
            for c in &seen {
                assert!(
                    font.glyph(*c).is_some(),
                    "{c:?} (U+{:04X}) missing",
                    u32::from(*c)
                );
            }
        }
    }

    #[test]
    fn damaged_fonts_give_errors_not_panics() {
        assert!(matches!(
            Font::parse(Vec::new()),
            Err(FontError::Truncated { .. })
        ));
        for len in (0..REGULAR.len()).step_by(4999) {
            let _ = Font::parse(REGULAR[..len].to_vec());
        }
        let mut x = 7u32;
        for _ in 0..100 {
            let mut data = REGULAR.to_vec();
            for _ in 0..8 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let at = (x as usize >> 4) % data.len();
                data[at] = (x >> 24) as u8;
            }
            if let Ok(f) = Font::parse(data) {
                let glyphs: BTreeSet<u16> =
                    "Kąklewska".chars().filter_map(|c| f.glyph(c)).collect();
                let _ = f.subset(&glyphs);
            }
        }
    }
}
