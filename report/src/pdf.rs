//! A minimal PDF 1.7 writer: A4 pages with text in two embedded fonts (a subset of DejaVu
//! Sans and DejaVu Sans Bold, as `Type0`/`CIDFontType2` fonts with `Identity-H` encoding and
//! a `ToUnicode` map, so that text can be searched and copied) and straight lines.
//!
//! Pages are kept as drawing operations until [`Document::finish`], which subsets the fonts
//! to the glyphs used and writes the file. Nothing depends on the clock, the environment or
//! hash-map order: the same document gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::ReportError;
use crate::font::Font;

/// A4 width in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub(crate) const PAGE_HEIGHT: f32 = 841.89;

/// The regular font: DejaVu Sans, Latin ranges (see `fonts/README.md`).
const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans-Latin.ttf");
/// The bold font: DejaVu Sans Bold, the same ranges.
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold-Latin.ttf");

/// Which of the two fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Style {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    fn get(&self, style: Style) -> &Font {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

/// The two fonts, parsed once per process.
pub(crate) fn fonts() -> Result<&'static Fonts, ReportError> {
    static FONTS: OnceLock<Result<Fonts, crate::font::FontError>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: Font::parse(REGULAR.to_vec())?,
                bold: Font::parse(BOLD.to_vec())?,
            })
        })
        .as_ref()
        .map_err(|e| ReportError::Font(e.clone()))
}

/// Alignment of text within a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        gray: f32,
        /// Rotation in degrees (0, or 45 for the DEMO mark).
        rotate: u16,
        glyphs: Vec<(u16, char)>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
}

/// One page's drawing operations.
#[derive(Debug, Clone, Default)]
pub(crate) struct Page {
    ops: Vec<Op>,
}

/// Converts text to glyphs of `style`; whitespace becomes a space; a character the font
/// lacks is an error (a name is never printed altered).
pub(crate) fn shape(text: &str, style: Style) -> Result<Vec<(u16, char)>, ReportError> {
    let font = fonts()?.get(style);
    text.chars()
        .map(|c| {
            let c = if c.is_whitespace() { ' ' } else { c };
            font.glyph(c)
                .map(|g| (g, c))
                .ok_or_else(|| ReportError::Character {
                    character: c,
                    text: text.to_string(),
                })
        })
        .collect()
}

/// The width of `text` in points.
pub(crate) fn width(text: &str, style: Style, size: f32) -> Result<f32, ReportError> {
    let font = fonts()?.get(style);
    let units: u32 = shape(text, style)?
        .iter()
        .map(|(g, _)| u32::from(font.advance(*g)))
        .sum();
    Ok(units as f32 * size / f32::from(font.metrics().units_per_em))
}

impl Page {
    /// Text with its left (or right, or centre) at `x` and its baseline at `y`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        x: f32,
        y: f32,
        text: &str,
        style: Style,
        size: f32,
        align: Align,
    ) -> Result<(), ReportError> {
        let w = width(text, style, size)?;
        let x = match align {
            Align::Left => x,
            Align::Right => x - w,
        };
        self.ops.push(Op::Text {
            x,
            y,
            size,
            style,
            gray: 0.0,
            rotate: 0,
            glyphs: shape(text, style)?,
        });
        Ok(())
    }

    /// The large light-grey diagonal DEMO mark, drawn under everything else.
    pub(crate) fn demo_mark(&mut self) -> Result<(), ReportError> {
        let size = 140.0;
        let w = width("DEMO", Style::Bold, size)?;
        // Centre the rotated word on the page: move back along the 45° baseline.
        let half = w / 2.0 * std::f32::consts::FRAC_1_SQRT_2;
        self.ops.insert(
            0,
            Op::Text {
                x: PAGE_WIDTH / 2.0 - half + size * 0.25,
                y: PAGE_HEIGHT / 2.0 - half - size * 0.25,
                size,
                style: Style::Bold,
                gray: 0.85,
                rotate: 45,
                glyphs: shape("DEMO", Style::Bold)?,
            },
        );
        Ok(())
    }

    /// A straight line.
    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.ops.push(Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        });
    }
}

/// Metadata of the document (the PDF `Info` dictionary).
pub(crate) struct Info {
    pub title: String,
    pub subject: String,
    /// `D:YYYYMMDDHHmmSS`.
    pub created: String,
}

/// Writes `n` with at most two decimals and no trailing zeros (deterministic).
fn num(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A PDF text string: ASCII as a literal string, anything else as UTF-16BE with BOM.
fn pdf_string(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii() && !c.is_ascii_control()) {
        let mut out = String::from("(");
        for c in s.chars() {
            if matches!(c, '(' | ')' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push(')');
        out
    } else {
        let mut out = String::from("<FEFF");
        for u in s.encode_utf16() {
            let _ = write!(out, "{u:04X}");
        }
        out.push('>');
        out
    }
}

struct Writer {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl Writer {
    fn object(&mut self, id: usize, body: &str) {
        self.start(id);
        self.out.extend_from_slice(body.as_bytes());
        self.out.extend_from_slice(b"\nendobj\n");
    }

    fn start(&mut self, id: usize) {
        if let Some(slot) = self.offsets.get_mut(id) {
            *slot = self.out.len();
        }
        self.out
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    /// A stream object, compressed (`FlateDecode`).
    fn stream(&mut self, id: usize, extra: &str, data: &[u8]) {
        self.start(id);
        let data = crate::deflate::zlib(data);
        self.out.extend_from_slice(
            format!(
                "<< /Length {} /Filter /FlateDecode{extra} >>\nstream\n",
                data.len()
            )
            .as_bytes(),
        );
        self.out.extend_from_slice(&data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }
}

/// Writes the pages as a PDF file.
pub(crate) fn finish(pages: &[Page], info: &Info) -> Result<Vec<u8>, ReportError> {
    let fonts = fonts()?;
    // Glyphs used per font, and the character each stands for (for ToUnicode).
    let mut used: BTreeMap<Style, BTreeMap<u16, char>> = BTreeMap::new();
    for page in pages {
        for op in &page.ops {
            if let Op::Text { style, glyphs, .. } = op {
                let set = used.entry(*style).or_default();
                for (g, c) in glyphs {
                    set.entry(*g).or_insert(*c);
                }
            }
        }
    }
    // Object numbers: 1 catalog, 2 pages, 3 info, then 5 per font, then 2 per page.
    let styles: Vec<Style> = used.keys().copied().collect();
    let font_base = 4usize;
    let page_base = font_base + 5 * styles.len();
    let count = page_base + 2 * pages.len();
    let mut w = Writer {
        out: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
        offsets: vec![0; count],
    };
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", page_base + 2 * i))
        .collect();
    w.object(1, "<< /Type /Catalog /Pages 2 0 R /Lang (nl-NL) >>");
    w.object(
        2,
        &format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        ),
    );
    w.object(
        3,
        &format!(
            "<< /Title {} /Subject {} /Creator (tally appliance) /Producer (tally-report) /CreationDate ({}) /ModDate ({}) >>",
            pdf_string(&info.title),
            pdf_string(&info.subject),
            info.created,
            info.created
        ),
    );
    // Fonts: subset, then Type0, CIDFont, FontDescriptor, FontFile2, ToUnicode.
    let mut maps: BTreeMap<Style, BTreeMap<u16, u16>> = BTreeMap::new();
    let mut resources = String::from("<< /Font <<");
    for (i, style) in styles.iter().enumerate() {
        let font = fonts.get(*style);
        let glyph_chars = used.get(style).cloned().unwrap_or_default();
        let glyphs: BTreeSet<u16> = glyph_chars.keys().copied().collect();
        let (data, map) = font.subset(&glyphs)?;
        let id = font_base + 5 * i;
        let _ = write!(resources, " /F{} {} 0 R", i + 1, id);
        // Subset tag: six capitals from the SHA-256 of the subset (deterministic).
        let digest = Sha256::digest(&data);
        let tag: String = digest
            .iter()
            .take(6)
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        let name = format!("{tag}+{}", font.postscript_name());
        let m = font.metrics();
        let scale = |v: i16| (f32::from(v) * 1000.0 / f32::from(m.units_per_em)).round() as i32;
        let mut widths = String::new();
        for old in map.keys() {
            let wv =
                (f32::from(font.advance(*old)) * 1000.0 / f32::from(m.units_per_em)).round() as i32;
            let _ = write!(widths, "{wv} ");
        }
        w.object(
            id,
            &format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
                id + 1,
                id + 4
            ),
        );
        w.object(
            id + 1,
            &format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {} 0 R /DW 1000 /W [0 [{}]] /CIDToGIDMap /Identity >>",
                id + 2,
                widths.trim_end()
            ),
        );
        w.object(
            id + 2,
            &format!(
                "<< /Type /FontDescriptor /FontName /{name} /Flags 32 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV {} /FontFile2 {} 0 R >>",
                scale(m.bbox[0]),
                scale(m.bbox[1]),
                scale(m.bbox[2]),
                scale(m.bbox[3]),
                scale(m.ascent),
                scale(m.descent),
                scale(m.cap_height),
                if *style == Style::Bold { 140 } else { 80 },
                id + 3
            ),
        );
        w.stream(id + 3, &format!(" /Length1 {}", data.len()), &data);
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<(u16, char)> = glyph_chars
            .iter()
            .filter_map(|(old, c)| map.get(old).map(|new| (*new, *c)))
            .collect();
        for chunk in entries.chunks(100) {
            let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
            for (g, c) in chunk {
                let mut hex = String::new();
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    let _ = write!(hex, "{u:04X}");
                }
                let _ = writeln!(cmap, "<{g:04X}> <{hex}>");
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        w.stream(id + 4, "", cmap.as_bytes());
        maps.insert(*style, map);
    }
    resources.push_str(" >> >>");
    for (i, page) in pages.iter().enumerate() {
        let id = page_base + 2 * i;
        let mut content = String::new();
        for op in &page.ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    style,
                    gray,
                    rotate,
                    glyphs,
                } => {
                    let f = styles.iter().position(|s| s == style).unwrap_or(0) + 1;
                    let map = maps.get(style);
                    let mut hex = String::new();
                    for (g, _) in glyphs {
                        let new = map.and_then(|m| m.get(g)).copied().unwrap_or(0);
                        let _ = write!(hex, "{new:04X}");
                    }
                    let matrix = if *rotate == 45 {
                        format!("0.7071 0.7071 -0.7071 0.7071 {} {}", num(*x), num(*y))
                    } else {
                        format!("1 0 0 1 {} {}", num(*x), num(*y))
                    };
                    let _ = writeln!(
                        content,
                        "BT {} g /F{f} {} Tf {matrix} Tm <{hex}> Tj ET",
                        num(*gray),
                        num(*size)
                    );
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    let _ = writeln!(
                        content,
                        "{} w {} {} m {} {} l S",
                        num(*width),
                        num(*x1),
                        num(*y1),
                        num(*x2),
                        num(*y2)
                    );
                }
            }
        }
        w.object(
            id,
            &format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources {resources} /Contents {} 0 R >>",
                num(PAGE_WIDTH),
                num(PAGE_HEIGHT),
                id + 1
            ),
        );
        w.stream(id + 1, "", content.as_bytes());
    }
    let xref = w.out.len();
    let mut tail = format!("xref\n0 {count}\n0000000000 65535 f \n");
    for off in w.offsets.iter().skip(1) {
        let _ = writeln!(tail, "{off:010} 00000 n ");
    }
    let id: String = Sha256::digest(&w.out)
        .iter()
        .take(16)
        .map(|b| format!("{b:02X}"))
        .collect();
    let _ = write!(
        tail,
        "trailer\n<< /Size {count} /Root 1 0 R /Info 3 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{xref}\n%%EOF\n"
    );
    w.out.extend_from_slice(tail.as_bytes());
    Ok(w.out)
}
