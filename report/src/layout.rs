//! Flowing text and tables down A4 pages, with the header and footer every page carries.

use crate::render::{self, Align, Info, PAGE_HEIGHT, PAGE_WIDTH, Page, Style};
use crate::{ReportError, ReportMeta};
use tally_core::election::Election;

/// Left and right margin, in points.
pub(crate) const MARGIN: f32 = 42.0;
/// The usable width.
pub(crate) const WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// The first baseline below the header.
const TOP: f32 = PAGE_HEIGHT - 82.0;
/// No text below this baseline (the footer is under it).
const BOTTOM: f32 = 72.0;

/// Body text size.
pub(crate) const BODY: f32 = 9.0;

/// A column of a table: its left edge (from the margin), width and alignment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub x: f32,
    pub width: f32,
    pub align: Align,
}

/// A table cell: its column, text and font.
impl Column {
    /// A column `width` points wide whose left edge is `x` points from the margin.
    pub(crate) const fn new(x: f32, width: f32, align: Align) -> Column {
        Column { x, width, align }
    }
}

/// A table's column heads: each text in bold in its column, at body size.
pub(crate) fn heads(cells: &[(Column, &str)]) -> Row {
    (
        cells
            .iter()
            .map(|(col, text)| (*col, (*text).to_owned(), Style::Bold))
            .collect(),
        BODY,
    )
}

pub(crate) type Cell = (Column, String, Style);
/// A table line: its cells and font size.
pub(crate) type Row = (Vec<Cell>, f32);

/// Shortens `text` with "…" until it fits in `width` points: the longest prefix (without
/// trailing white space) that fits with the "…", found with the characters' widths measured
/// once (a long name from a file must not make this quadratic).
pub(crate) fn fit(text: &str, style: Style, size: f32, width: f32) -> Result<String, ReportError> {
    let advances = render::advances(text, style)?;
    let units = |u: u64| render::to_points(u, style, size);
    if units(advances.iter().map(|a| u64::from(*a)).sum())? <= width {
        return Ok(text.to_string());
    }
    let ellipsis: u64 = render::advances("…", style)?
        .iter()
        .map(|a| u64::from(*a))
        .sum();
    let chars: Vec<char> = text.chars().collect();
    // before[k]: the width of the first k characters; kept[k]: how many of the first k are
    // left once trailing white space is trimmed.
    let mut before = Vec::with_capacity(chars.len() + 1);
    let mut kept = Vec::with_capacity(chars.len() + 1);
    before.push(0u64);
    kept.push(0usize);
    for (k, (c, a)) in chars.iter().zip(&advances).enumerate() {
        let last = before.last().copied().unwrap_or(0);
        before.push(last + u64::from(*a));
        let previous = kept.last().copied().unwrap_or(0);
        kept.push(if c.is_whitespace() { previous } else { k + 1 });
    }
    for k in (0..chars.len()).rev() {
        let t = kept.get(k).copied().unwrap_or(0);
        if units(before.get(t).copied().unwrap_or(0) + ellipsis)? <= width {
            let prefix: String = chars.iter().take(t).collect();
            return Ok(prefix + "…");
        }
    }
    Ok(String::new())
}

/// Breaks `text` into lines of at most `width` points, at spaces (a word longer than a line
/// is cut).
pub(crate) fn wrap(
    text: &str,
    style: Style,
    size: f32,
    width: f32,
) -> Result<Vec<String>, ReportError> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if render::width(&candidate, style, size)? <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        }
    }
    lines.push(line);
    lines
        .into_iter()
        .map(|l| fit(&l, style, size, width))
        .collect()
}

/// A report being laid out.
pub(crate) struct Doc<'a> {
    meta: &'a ReportMeta<'a>,
    /// "Election name (id)" for the page header.
    election: String,
    /// The report's title in the page header (the model).
    model: String,
    /// Finished pages.
    pages: Vec<Page>,
    /// The page being filled.
    current: Page,
    y: f32,
    /// Lines repeated at the top of a table when it continues on a new page.
    repeat: Option<Vec<Row>>,
    /// What the footer says in place of the EML file's hash code, for a paper that belongs
    /// to no EML file (the progress overview); `None`: the hash code.
    no_eml: Option<&'static str>,
}

impl<'a> Doc<'a> {
    pub(crate) fn new(meta: &'a ReportMeta<'a>, election: &Election, model: &str) -> Doc<'a> {
        Doc {
            meta,
            election: format!("{} ({})", election.name, election.id),
            model: model.to_string(),
            pages: Vec::new(),
            current: Page::default(),
            y: TOP,
            repeat: None,
            no_eml: None,
        }
    }

    /// A paper that belongs to no EML file: the footer says `instead` where the others
    /// print the EML file's hash code (the journal's head is printed as on every paper).
    pub(crate) fn without_eml(mut self, instead: &'static str) -> Doc<'a> {
        self.no_eml = Some(instead);
        self
    }

    fn page(&mut self) -> &mut Page {
        &mut self.current
    }

    /// Starts a new page.
    /// A document of `model` that opens with `title` and the election and body beneath it.
    pub(crate) fn titled(
        meta: &'a ReportMeta<'a>,
        election: &Election,
        model: &str,
        title: &str,
    ) -> Result<Doc<'a>, ReportError> {
        let mut doc = Doc::new(meta, election, model);
        doc.heading(title, 15.0, 40.0)?;
        doc.paragraph(
            &format!("{} – {}", election.name, meta.body_name),
            Style::Regular,
            11.0,
            0.0,
        )?;
        doc.space(6.0);
        Ok(doc)
    }

    pub(crate) fn new_page(&mut self) -> Result<(), ReportError> {
        self.pages.push(std::mem::take(&mut self.current));
        self.y = TOP;
        if let Some(rows) = self.repeat.clone() {
            for (cells, size) in rows {
                self.row_inner(&cells, size)?;
            }
        }
        Ok(())
    }

    /// Makes sure `height` points fit above the bottom margin, else starts a new page.
    pub(crate) fn need(&mut self, height: f32) -> Result<(), ReportError> {
        if self.y - height < BOTTOM {
            self.new_page()?;
        }
        Ok(())
    }

    /// Vertical space.
    pub(crate) fn space(&mut self, points: f32) {
        self.y -= points;
    }

    /// A heading; keeps at least `keep` points of what follows on the same page.
    pub(crate) fn heading(&mut self, text: &str, size: f32, keep: f32) -> Result<(), ReportError> {
        self.need(size * 1.6 + keep)?;
        self.y -= size * 0.6;
        let y = self.y;
        self.page()
            .text(MARGIN, y, text, Style::Bold, size, Align::Left)?;
        self.y -= size * 1.0;
        Ok(())
    }

    /// A paragraph, wrapped to the page width and indented by `indent` points.
    pub(crate) fn paragraph(
        &mut self,
        text: &str,
        style: Style,
        size: f32,
        indent: f32,
    ) -> Result<(), ReportError> {
        for line in wrap(text, style, size, WIDTH - indent)? {
            self.need(size * 1.35)?;
            let y = self.y;
            self.page()
                .text(MARGIN + indent, y, &line, style, size, Align::Left)?;
            self.y -= size * 1.35;
        }
        Ok(())
    }

    fn row_inner(
        &mut self,
        cells: &[(Column, String, Style)],
        size: f32,
    ) -> Result<(), ReportError> {
        let y = self.y;
        for (col, text, style) in cells {
            let text = fit(text, *style, size, col.width)?;
            let x = match col.align {
                Align::Left => MARGIN + col.x,
                Align::Right => MARGIN + col.x + col.width,
            };
            self.page().text(x, y, &text, *style, size, col.align)?;
        }
        self.y -= size * 1.4;
        Ok(())
    }

    /// One line of a table: each cell in its column, shortened to fit.
    pub(crate) fn row(
        &mut self,
        cells: &[(Column, String, Style)],
        size: f32,
    ) -> Result<(), ReportError> {
        self.need(size * 1.4)?;
        self.row_inner(cells, size)
    }

    /// Sets (or clears) the table header repeated on each new page.
    pub(crate) fn repeat_header(&mut self, rows: Option<Vec<Row>>) {
        self.repeat = rows;
    }

    /// A thin horizontal rule across the page.
    pub(crate) fn rule(&mut self) {
        let y = self.y + BODY * 0.9;
        self.page().line(MARGIN, y, PAGE_WIDTH - MARGIN, y, 0.5);
        self.y -= 2.0;
    }

    /// Adds header and footer to every page and writes the PDF.
    pub(crate) fn finish(mut self, title: &str) -> Result<Vec<u8>, ReportError> {
        let meta = self.meta;
        self.pages.push(std::mem::take(&mut self.current));
        let total = self.pages.len();
        let small = 7.5;
        let created = meta.created.to_string();
        let hash = meta.eml_hash.hash_code();
        let election = self.election.clone();
        let body = format!("{} ({})", meta.body_name, meta.body_id);
        for (i, page) in self.pages.iter_mut().enumerate() {
            let top = PAGE_HEIGHT - 30.0;
            page.text(
                MARGIN,
                top,
                &fit(&election, Style::Bold, 9.0, WIDTH)?,
                Style::Bold,
                9.0,
                Align::Left,
            )?;
            page.text(
                MARGIN,
                top - 11.0,
                &fit(&body, Style::Regular, 8.0, WIDTH * 0.7)?,
                Style::Regular,
                8.0,
                Align::Left,
            )?;
            page.text(
                MARGIN,
                top - 21.0,
                &self.model,
                Style::Regular,
                small,
                Align::Left,
            )?;
            if meta.demo {
                page.text(
                    PAGE_WIDTH - MARGIN,
                    top - 11.0,
                    "DEMO – geen officieel document",
                    Style::Bold,
                    8.0,
                    Align::Right,
                )?;
            }
            page.line(MARGIN, top - 26.0, PAGE_WIDTH - MARGIN, top - 26.0, 0.6);
            let bottom = 46.0;
            page.line(
                MARGIN,
                bottom + 10.0,
                PAGE_WIDTH - MARGIN,
                bottom + 10.0,
                0.6,
            );
            page.text(
                MARGIN,
                bottom,
                &match self.no_eml {
                    Some(instead) => instead.to_owned(),
                    None => format!("Hashcode EML-bestand: {hash}"),
                },
                Style::Regular,
                small,
                Align::Left,
            )?;
            page.text(
                PAGE_WIDTH - MARGIN,
                bottom,
                &format!("pagina {} van {total}", i + 1),
                Style::Bold,
                small,
                Align::Right,
            )?;
            let mut second = format!("Aangemaakt: {created}");
            if let Some(file) = meta.eml_file_name {
                second.push_str(&format!("   Bestand: {file}"));
            }
            page.text(
                MARGIN,
                bottom - 10.0,
                &fit(&second, Style::Regular, small, WIDTH * 0.8)?,
                Style::Regular,
                small,
                Align::Left,
            )?;
            if let Some(j) = &meta.journal {
                page.text(
                    MARGIN,
                    bottom - 20.0,
                    &fit(
                        &format!(
                            "Journaal: {} records, kop {}",
                            j.records,
                            j.head.hash_code()
                        ),
                        Style::Regular,
                        small,
                        WIDTH,
                    )?,
                    Style::Regular,
                    small,
                    Align::Left,
                )?;
            }
            if meta.demo {
                page.text(
                    PAGE_WIDTH - MARGIN,
                    bottom - 10.0,
                    "DEMO",
                    Style::Bold,
                    small,
                    Align::Right,
                )?;
                page.demo_mark()?;
            }
        }
        let mut subject = format!("{body} – {election}");
        if meta.demo {
            subject.push_str(" – DEMO");
        }
        render::finish(
            &self.pages,
            &Info {
                title: title.to_string(),
                subject,
                created: meta.created,
            },
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The shortening as it was written first (one measure per shorter candidate), as the
    /// reference for the single-pass one.
    fn fit_by_trying(text: &str, style: Style, size: f32, width: f32) -> String {
        if render::width(text, style, size).unwrap() <= width {
            return text.to_string();
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
            if render::width(&candidate, style, size).unwrap() <= width {
                return candidate;
            }
        }
        String::new()
    }

    #[test]
    fn fit_equals_trying_every_prefix() {
        let texts = [
            "GROENLINKS / Partij van de Arbeid (PvdA)",
            "Staatkundig   Gereformeerde Partij (SGP)",
            "kort",
            "     ",
            "",
        ];
        for text in texts {
            for style in [Style::Regular, Style::Bold] {
                for width in [0.0, 5.0, 20.0, 60.0, 120.0, 400.0] {
                    assert_eq!(
                        fit(text, style, 9.0, width).unwrap(),
                        fit_by_trying(text, style, 9.0, width),
                        "{text:?} {width}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_very_long_name_is_shortened() {
        let long = "Lijst ".repeat(5000);
        let short = fit(&long, Style::Regular, 9.0, 200.0).unwrap();
        assert!(short.ends_with('…'));
        assert!(render::width(&short, Style::Regular, 9.0).unwrap() <= 200.0);
    }
}
