//! The drawing back end: laid-out A4 pages (text in DejaVu Sans and DejaVu Sans Bold, and
//! straight lines) written as a PDF/A-2b file with `krilla`.
//!
//! Pages are kept as drawing operations until [`finish`], which hands them to `krilla`;
//! `krilla` subsets the two fonts to the glyphs used (with `subsetter`), writes them as CID
//! fonts with a `ToUnicode` map (so `pdftotext`, search and copy give the exact names),
//! compresses the streams, writes the XMP metadata and the sRGB output intent PDF/A needs, and
//! refuses to write a document that breaks a PDF/A-2b rule it can check.
//!
//! Text is not shaped: one glyph per character from the font's `cmap`, placed by its advance
//! width (the shipped fonts carry no kerning or ligature tables), so that the widths the layout
//! measures are the widths printed. Nothing depends on the clock, the environment or hash-map
//! order: `krilla` derives the file identifiers and the subset tags from the content, so the
//! same document gives the same bytes.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use krilla::Document;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{SerializeSettings, color::luma};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::{CreationTime, ReportError};

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

/// Alignment of text within a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// What the layout needs of one font: its characters with their glyph and advance width, and
/// the font itself for `krilla`.
struct FontFace {
    /// Character -> (glyph id, advance width in font units), for every character the font's
    /// `cmap` maps to a glyph other than 0.
    glyphs: BTreeMap<char, (u32, u16)>,
    /// Font units per em.
    units_per_em: f32,
    /// The font as `krilla` embeds it.
    font: Font,
}

impl FontFace {
    fn read(data: &'static [u8], name: &str) -> Result<FontFace, String> {
        let font_ref = FontRef::new(data).map_err(|e| format!("font {name}: {e}"))?;
        let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(
            font_ref
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let mut glyphs = BTreeMap::new();
        for (code, glyph) in font_ref.charmap().mappings() {
            let (Some(c), Some(advance)) = (char::from_u32(code), metrics.advance_width(glyph))
            else {
                continue;
            };
            let glyph = glyph.to_u32();
            if glyph != 0 {
                // Advance widths in a TrueType font are whole font units (u16).
                let advance = advance.round().clamp(0.0, f32::from(u16::MAX)) as u16;
                glyphs.insert(c, (glyph, advance));
            }
        }
        let font = Font::new(data.into(), 0)
            .ok_or_else(|| format!("font {name}: krilla cannot read it"))?;
        Ok(FontFace {
            glyphs,
            units_per_em,
            font,
        })
    }
}

/// The two fonts.
struct Fonts {
    regular: FontFace,
    bold: FontFace,
}

impl Fonts {
    fn get(&self, style: Style) -> &FontFace {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

/// The two fonts, read once per process.
fn fonts() -> Result<&'static Fonts, ReportError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: FontFace::read(REGULAR, "DejaVuSans-Latin.ttf")?,
                bold: FontFace::read(BOLD, "DejaVuSans-Bold-Latin.ttf")?,
            })
        })
        .as_ref()
        .map_err(|e| ReportError::Font(e.clone()))
}

/// The characters of `text` as printed (any whitespace becomes a space) with their glyph and
/// advance width in `style`; a character the font lacks is an error (a name is never printed
/// altered).
fn shape(text: &str, style: Style) -> Result<(String, Vec<(u32, u16)>), ReportError> {
    let face = fonts()?.get(style);
    let mut printed = String::with_capacity(text.len());
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        let glyph = face.glyphs.get(&c).ok_or_else(|| ReportError::Character {
            character: c,
            text: text.to_string(),
        })?;
        printed.push(c);
        glyphs.push(*glyph);
    }
    Ok((printed, glyphs))
}

/// The width of `text` in points.
pub(crate) fn width(text: &str, style: Style, size: f32) -> Result<f32, ReportError> {
    let units: u64 = advances(text, style)?.iter().map(|a| u64::from(*a)).sum();
    to_points(units, style, size)
}

/// The advance of each character of `text` in font units (one glyph per character, no
/// kerning: the width of a text is the sum of its characters').
pub(crate) fn advances(text: &str, style: Style) -> Result<Vec<u16>, ReportError> {
    Ok(shape(text, style)?.1.iter().map(|(_, a)| *a).collect())
}

/// Font units (a sum of advances) in points at `size`.
pub(crate) fn to_points(units: u64, style: Style, size: f32) -> Result<f32, ReportError> {
    Ok(units as f32 * size / fonts()?.get(style).units_per_em)
}

/// The most characters of the document's title and subject in its metadata: PDF/A limits a
/// string to 32 767 bytes, and an election's name from a file may be anything.
const METADATA_CHARS: usize = 1000;

#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        /// Grey level from 0 (black) to 255 (white).
        grey: u8,
        /// Turned 45° anticlockwise about its start (the DEMO mark).
        diagonal: bool,
        /// The characters as printed.
        text: String,
        /// Glyph id and advance width (font units) of each character.
        glyphs: Vec<(u32, u16)>,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
}

/// One page's drawing operations, in PDF coordinates (points, origin at the bottom left).
#[derive(Debug, Clone, Default)]
pub(crate) struct Page {
    ops: Vec<Op>,
}

impl Page {
    /// Text with its left (or right) end at `x` and its baseline at `y`.
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
        let (text, glyphs) = shape(text, style)?;
        self.ops.push(Op::Text {
            x,
            y,
            size,
            style,
            grey: 0,
            diagonal: false,
            text,
            glyphs,
        });
        Ok(())
    }

    /// The large light-grey diagonal DEMO mark, drawn under everything else.
    pub(crate) fn demo_mark(&mut self) -> Result<(), ReportError> {
        let size = 140.0;
        let w = width("DEMO", Style::Bold, size)?;
        // Centre the rotated word on the page: move back along the 45° baseline.
        let half = w / 2.0 * std::f32::consts::FRAC_1_SQRT_2;
        let (text, glyphs) = shape("DEMO", Style::Bold)?;
        self.ops.insert(
            0,
            Op::Text {
                x: PAGE_WIDTH / 2.0 - half + size * 0.25,
                y: PAGE_HEIGHT / 2.0 - half - size * 0.25,
                size,
                style: Style::Bold,
                // 0.85 grey, as before.
                grey: 217,
                diagonal: true,
                text,
                glyphs,
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

/// Metadata of the document (the document information dictionary and the XMP metadata).
pub(crate) struct Info {
    pub title: String,
    pub subject: String,
    pub created: CreationTime,
}

/// Draws one page's operations on its surface. `krilla`'s coordinates have their origin at the
/// top left with y growing downwards: y is turned over here.
fn draw(surface: &mut Surface<'_>, ops: &[Op], fonts: &Fonts) {
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                size,
                style,
                grey,
                diagonal,
                text,
                glyphs,
            } => {
                let face = fonts.get(*style);
                let mut start = 0;
                let glyphs: Vec<KrillaGlyph> = text
                    .chars()
                    .zip(glyphs)
                    .map(|(c, (glyph, advance))| {
                        let end = start + c.len_utf8();
                        let g = KrillaGlyph::new(
                            GlyphId::new(*glyph),
                            f32::from(*advance) / face.units_per_em,
                            0.0,
                            0.0,
                            0.0,
                            start..end,
                            None,
                        );
                        start = end;
                        g
                    })
                    .collect();
                surface.set_stroke(None);
                surface.set_fill(Some(Fill {
                    paint: luma::Color::new(*grey).into(),
                    ..Fill::default()
                }));
                let at = Point::from_xy(*x, PAGE_HEIGHT - *y);
                if *diagonal {
                    let c = std::f32::consts::FRAC_1_SQRT_2;
                    surface.push_transform(&Transform::from_row(c, -c, c, c, at.x, at.y));
                    surface.draw_glyphs(
                        Point::from_xy(0.0, 0.0),
                        &glyphs,
                        face.font.clone(),
                        text,
                        *size,
                        false,
                    );
                    surface.pop();
                } else {
                    surface.draw_glyphs(at, &glyphs, face.font.clone(), text, *size, false);
                }
            }
            Op::Line {
                x1,
                y1,
                x2,
                y2,
                width,
            } => {
                let mut path = PathBuilder::new();
                path.move_to(*x1, PAGE_HEIGHT - *y1);
                path.line_to(*x2, PAGE_HEIGHT - *y2);
                if let Some(path) = path.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        width: *width,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                }
            }
        }
    }
}

/// Writes the pages as a PDF/A-2b file.
///
/// # Errors
/// [`ReportError::Font`] when a shipped font cannot be read; [`ReportError::Pdf`] when
/// `krilla` refuses the document (a PDF/A-2b rule broken, a limit of the format exceeded).
pub(crate) fn finish(pages: &[Page], info: &Info) -> Result<Vec<u8>, ReportError> {
    let fonts = fonts()?;
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        enable_tagging: false,
        ..SerializeSettings::default()
    });
    let c = &info.created;
    document.set_metadata(
        Metadata::new()
            .title(info.title.chars().take(METADATA_CHARS).collect())
            .description(info.subject.chars().take(METADATA_CHARS).collect())
            .creator("tally appliance".to_string())
            .producer("tally-report".to_string())
            .language("nl-NL".to_string())
            .creation_date(
                DateTime::new(c.year)
                    .month(c.month)
                    .day(c.day)
                    .hour(c.hour)
                    .minute(c.minute)
                    .second(c.second),
            ),
    );
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| ReportError::Pdf("page size".to_string()))?;
    for page in pages {
        let mut pdf_page = document.start_page_with(settings.clone());
        let mut surface = pdf_page.surface();
        draw(&mut surface, &page.ops, fonts);
        surface.finish();
        pdf_page.finish();
    }
    document
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use std::collections::BTreeSet;

    use super::{Style, fonts, shape, width};
    use crate::ReportError;

    #[test]
    fn the_shipped_fonts_cover_every_letter_of_the_real_candidate_lists() {
        let fonts = fonts().unwrap();
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
        for style in [Style::Regular, Style::Bold] {
            for c in &seen {
                assert!(
                    fonts.get(style).glyphs.contains_key(c),
                    "{style:?}: {c:?} (U+{:04X}) missing",
                    u32::from(*c)
                );
            }
        }
    }

    #[test]
    fn widths_are_the_fonts_advance_widths() {
        // DejaVu Sans: 2048 units per em; "0" is 1303 units wide, the space 651.
        let w = width("00 0", Style::Regular, 10.0).unwrap();
        assert!(
            (w - (3.0 * 1303.0 + 651.0) * 10.0 / 2048.0).abs() < 1e-3,
            "{w}"
        );
        assert!(
            width("Kąklewska", Style::Bold, 9.0).unwrap()
                > width("Kąklewska", Style::Regular, 9.0).unwrap()
        );
    }

    #[test]
    fn whitespace_prints_as_a_space_and_a_missing_character_is_an_error() {
        let (printed, glyphs) = shape("a\tb\u{a0}c", Style::Regular).unwrap();
        assert_eq!(printed, "a b c");
        assert_eq!(glyphs.len(), 5);
        assert_eq!(
            shape("Reuvers 漢", Style::Regular),
            Err(ReportError::Character {
                character: '漢',
                text: "Reuvers 漢".to_string()
            })
        );
    }

    #[test]
    fn a_title_beyond_the_pdfa_string_limit_still_gives_a_document() {
        // An election's name from a file may be longer than PDF/A allows in the metadata
        // (32 767 bytes): it is shortened there, and the document is written.
        let info = super::Info {
            title: "Gemeenteraad ".repeat(3000),
            subject: "x".repeat(40_000),
            created: crate::CreationTime::new(2026, 3, 18, 21, 0, 0).unwrap(),
        };
        let pdf = super::finish(&[], &info).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
