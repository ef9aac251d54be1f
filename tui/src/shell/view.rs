//! Drawing the state, for every level: [`view`] renders one frame and nothing else.
//!
//! Every screen has a header (with `DEMO` in demo mode, the screen's title and the
//! election), a body, a notice row and a key bar; F1 opens the screen's help over it. The
//! screens every level has are drawn here, a level's own by [`Level::draw`]. Colour is
//! never the only signal: the cursor has `>`, errors `X`, warnings `!`. Frames are ASCII,
//! letters Latin-1 at most, which the Linux console shows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{ENTRY_ROLE, Level, Purpose, Screen, State};
use crate::hash_groups::GroupsInput;
use crate::text::{Lang, Msg};

/// Errors.
pub const ERR: Style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
/// Warnings.
pub const WARN: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
/// What explains.
pub const DIM: Style = Style::new().fg(Color::Gray);
/// The cursor.
pub const CURSOR: Style = Style::new().add_modifier(Modifier::REVERSED);
/// What matters.
pub const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);
/// A border the Linux console draws with any font.
pub const ASCII_BORDER: ratatui::symbols::border::Set = ratatui::symbols::border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// Splits `area` into rows of the given heights; the one row of height 0 takes the rest.
pub fn rows<const N: usize>(area: Rect, heights: &[u16; N]) -> [Rect; N] {
    let fixed: u16 = heights.iter().fold(0u16, |a, h| a.saturating_add(*h));
    let rest = area.height.saturating_sub(fixed);
    let mut y = area.y;
    let bottom = area.y.saturating_add(area.height);
    heights.map(|h| {
        let h = if h == 0 { rest } else { h };
        let h = h.min(bottom.saturating_sub(y));
        let r = Rect {
            x: area.x,
            y,
            width: area.width,
            height: h,
        };
        y = y.saturating_add(h);
        r
    })
}

/// Keeps a text ASCII (the Linux console's fonts): accented letters lose their accent,
/// other characters (control characters too) become `?`.
pub fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii() && !c.is_ascii_control() => c,
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ş' => 's',
            'Á' | 'À' | 'Ä' | 'Â' => 'A',
            'É' | 'È' | 'Ë' | 'Ê' => 'E',
            'Ó' | 'Ò' | 'Ö' | 'Ô' => 'O',
            'Ú' | 'Ù' | 'Ü' | 'Û' => 'U',
            _ => '?',
        })
        .collect()
}

/// A problem: `X` and the text, in red.
pub fn problem_line(text: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{} ", Msg::ErrorMark.nl()), ERR),
        Span::styled(text.to_string(), ERR),
    ])
}

/// Group `i` (0..16) of a hex SHA-256 as printed on paper.
pub fn hash_group(hex: &str, i: usize) -> &str {
    hex.get(i.saturating_mul(4)..i.saturating_mul(4).saturating_add(4))
        .unwrap_or("")
}

/// A hex SHA-256 as 16 groups of four.
pub fn hash_code(hex: &str) -> String {
    hash_code_rows(hex, 16, " ").concat()
}

/// A hex SHA-256's 16 groups of four in rows of `per_row` groups, each row's groups joined
/// by `sep`: every hash code on every screen.
pub fn hash_code_rows(hex: &str, per_row: usize, sep: &str) -> Vec<String> {
    let groups: Vec<&str> = (0..16).map(|i| hash_group(hex, i)).collect();
    groups.chunks(per_row.max(1)).map(|r| r.join(sep)).collect()
}

/// The journal's record count and full chain head (two rows of eight groups), as the
/// overview of every level shows it and the report prints it: an official who notes it
/// when stopping sees a journal that lost its tail, and the paper binds the session.
pub fn journal_lines<L: Level>(state: &State<L>) -> Vec<Line<'static>> {
    let Some(head) = &state.journal_head else {
        return Vec::new();
    };
    let hex = hex::encode(head.hash);
    let mut lines = vec![Line::styled(
        Msg::JournalHead.fill(state.lang, &[&head.seq.to_string()]),
        Style::default().add_modifier(Modifier::DIM),
    )];
    let dim = Style::default().add_modifier(Modifier::DIM);
    let rows = hash_code_rows(&hex, 8, " ").into_iter();
    lines.extend(rows.map(|r| Line::styled(format!("  {r}"), dim)));
    lines
}

/// Draws the whole screen.
pub fn view<L: Level>(state: &State<L>, frame: &mut Frame) {
    let area = frame.area();
    let lang = state.lang;
    // The notice row grows (up to four rows) so that a long message is never cut.
    let note = state.note.as_ref().map(|n| ascii(&n.text(lang)));
    let width = usize::from(area.width.max(1));
    let note_rows = note.as_ref().map_or(1, |t| {
        let chars = t.chars().count().saturating_add(2);
        u16::try_from(chars.div_ceil(width).clamp(1, 4)).unwrap_or(1)
    });
    // Fixed rows, computed directly (no layout solver on every key).
    let [header, body, notice, keys] = rows(area, &[1, 0, note_rows, 1]);
    frame.render_widget(
        Paragraph::new(header_line(state, usize::from(header.width))),
        header,
    );
    match &state.screen {
        Screen::Start => start(state, frame, body),
        Screen::Media(list) => {
            let title = match list.purpose {
                Purpose::Definition => Msg::InsertDefinition.text(lang).to_owned(),
                // The GSB imports entry batches of its entry appliances (parallel entry).
                Purpose::Import if state.identity.role == "GSB" => {
                    Msg::MediaBatchTitle.text(lang).to_owned()
                }
                // An entry appliance reads the assignment of its coordinating GSB.
                Purpose::Import if state.identity.role == ENTRY_ROLE => {
                    Msg::MediaAssignmentTitle.text(lang).to_owned()
                }
                Purpose::Import => Msg::MediaImportTitle.fill(
                    lang,
                    &[if state.identity.role == "CSB" {
                        "510c"
                    } else {
                        "510b"
                    }],
                ),
            };
            let mut lines = vec![Line::from(title), Line::from("")];
            if list.items.is_empty() {
                lines.push(Line::from(Msg::NoMedia.text(lang)));
            }
            let height = usize::from(body.height).saturating_sub(2);
            let first = list.selected.saturating_sub(height.saturating_sub(1));
            for (i, m) in list.items.iter().enumerate().skip(first).take(height) {
                let sel = i == list.selected;
                lines.push(Line::styled(
                    format!(
                        "{} {}",
                        if sel { ">" } else { " " },
                        ascii(&m.label.text(lang))
                    ),
                    if sel { CURSOR } else { Style::new() },
                ));
            }
            if let Some(e) = &list.error {
                lines.push(Line::from(""));
                lines.push(problem_line(&ascii(&e.text(lang))));
            }
            frame.render_widget(wrapped(lines), body);
        }
        Screen::Definition { def, groups, .. } => {
            let kv = |k: Msg, v: String| {
                Line::from(vec![
                    Span::styled(format!("{:<22}", k.text(lang)), DIM),
                    Span::raw(ascii(&v)),
                ])
            };
            let mut lines: Vec<Line> = L::describe(def, lang)
                .into_iter()
                .map(|(k, v)| kv(k, v))
                .collect();
            lines.push(Line::from(""));
            groups_lines(&mut lines, groups, state.demo, lang);
            frame.render_widget(wrapped(lines), body);
        }
        Screen::Fatal(why) => {
            let lines = vec![problem_line(&Msg::JournalFailed.fill(lang, &[why]))];
            frame.render_widget(wrapped(lines), body);
        }
        Screen::Pin(prompt) => pin_prompt(state, prompt, frame, body),
        Screen::People(form) => people_form(state, form, frame, body),
        Screen::Level(screen) => L::draw(state, screen, frame, body),
    }
    let prompt = state.level_screen().and_then(|s| L::prompt(state, s));
    if let Some(p) = prompt {
        frame.render_widget(Paragraph::new(Line::styled(p, BOLD)), notice);
    } else if let (Some(n), Some(text)) = (&state.note, note) {
        let line = if n.error {
            problem_line(&text)
        } else {
            Line::from(text)
        };
        frame.render_widget(wrapped(line), notice);
    }
    frame.render_widget(
        Paragraph::new(key_bar(state)).style(Style::new().add_modifier(Modifier::REVERSED)),
        keys,
    );
    if state.help {
        help(state, frame, body);
    }
}

/// The asked groups of every file, with the cursor, and in the demo what the paper says.
pub fn groups_lines(lines: &mut Vec<Line<'static>>, groups: &GroupsInput, demo: bool, lang: Lang) {
    for (f, file) in groups.files.iter().enumerate() {
        if file.name != file.label {
            lines.push(Line::styled(
                Msg::HashCodeOf.fill(lang, &[&file.label, &ascii(&file.name)]),
                DIM,
            ));
        }
        for (i, (af, group)) in groups.asked.iter().enumerate() {
            if *af != f {
                continue;
            }
            let typed = groups.typed.get(i).map(String::as_str).unwrap_or("");
            let sel = i == groups.focus;
            lines.push(Line::from(vec![
                Span::raw(if sel { "> " } else { "  " }),
                Span::raw(Msg::HashCodePrompt.fill(lang, &[&(group + 1).to_string(), &file.label])),
                Span::raw(" "),
                Span::styled(format!("[{typed:<4}]"), if sel { CURSOR } else { BOLD }),
            ]));
        }
    }
    if demo {
        // The demo has no paper: show what the paper would say.
        lines.push(Line::from(""));
        lines.push(Line::styled(Msg::DemoPaper.text(lang).to_string(), DIM));
        for file in &groups.files {
            for (i, row) in hash_code_rows(&file.sha256, 8, " ").into_iter().enumerate() {
                let label = if i == 0 {
                    format!("{}:", file.label)
                } else {
                    String::new()
                };
                lines.push(Line::styled(format!("  {label:<6}{row}"), DIM));
            }
        }
    }
}

/// The header: DEMO, the program, the screen's title and the election. The election's id is
/// always shown: a long title is shortened instead.
fn header_line<L: Level>(state: &State<L>, width: usize) -> Line<'static> {
    let lang = state.lang;
    let mut spans = Vec::new();
    if state.demo {
        spans.push(Span::styled(
            format!(" {} ", Msg::Demo.text(lang)),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ));
        spans.push(Span::raw(" "));
    }
    // The level by its role (GSB, HSB, CSB): short, so the title and the election fit.
    let role = if state.identity.role.is_empty() {
        Msg::AppName.text(lang).to_owned()
    } else {
        ascii(&state.identity.role)
    };
    spans.push(Span::styled(role, BOLD));
    let title = ascii(&match &state.screen {
        Screen::Start => Msg::StartTitle.text(lang).to_string(),
        Screen::Media(list) if list.purpose == Purpose::Import && state.identity.role == "GSB" => {
            Msg::MediaBatchHeader.text(lang).to_string()
        }
        Screen::Media(list)
            if list.purpose == Purpose::Import && state.identity.role == ENTRY_ROLE =>
        {
            Msg::MediaAssignmentHeader.text(lang).to_string()
        }
        Screen::Media(_) => Msg::MediaTitle.text(lang).to_string(),
        Screen::Definition { .. } => Msg::DefinitionTitle.text(lang).to_string(),
        Screen::Fatal(_) => String::new(),
        Screen::Pin(_) => Msg::PinTitle.text(lang).to_string(),
        Screen::People(_) => Msg::PeopleTitle.text(lang).to_string(),
        Screen::Level(s) => L::title(state, s),
    });
    let id = L::election_id(state).map(|id| format!(" | {id}"));
    let fixed: usize = spans.iter().map(Span::width).sum::<usize>()
        + 3
        + id.as_ref().map_or(0, |i| i.chars().count());
    let room = width.saturating_sub(fixed);
    let title = if title.chars().count() > room {
        let mut t: String = title.chars().take(room.saturating_sub(3)).collect();
        t.push_str("...");
        t
    } else {
        title
    };
    spans.push(Span::raw(" | "));
    spans.push(Span::raw(title));
    if let Some(id) = id {
        spans.push(Span::styled(ascii(&id), DIM));
    }
    Line::from(spans)
}

/// The keys of the screen on show (without the help), as its key bar lists them.
fn screen_keys<L: Level>(state: &State<L>) -> Vec<Msg> {
    use Msg::*;
    match &state.screen {
        Screen::Start => vec![KeyHelp, KeyUnlock, KeyLanguage, KeyQuit],
        Screen::Media(list) if list.purpose == Purpose::Import => {
            vec![KeyHelp, KeyMove, KeyChoose, KeyRescan, KeyBack]
        }
        Screen::Media(_) => vec![KeyHelp, KeyMove, KeyChoose, KeyRescan, KeyQuit],
        Screen::Definition { .. } => {
            vec![KeyHelp, KeyNextGroup, KeyPrevGroup, KeyCheck, KeyBack]
        }
        Screen::Fatal(_) => vec![KeyQuit],
        Screen::Pin(_) => vec![KeyHelp, KeyChoosePerson, KeyConfirmPin, KeyBack],
        Screen::People(form) if form.by.is_none() => vec![KeyHelp, KeyTabField, KeyConfirmPin],
        Screen::People(_) => vec![KeyHelp, KeyTabField, KeyConfirmPin, KeyLock, KeyBack],
        Screen::Level(s) => {
            let mut keys = L::keys(state, s);
            // Every level screen: the people (where nobody is signed in), or the lock.
            keys.push(if L::guard(state, s).is_none() {
                KeyPeople
            } else {
                KeyLock
            });
            keys
        }
    }
}

fn key_bar<L: Level>(state: &State<L>) -> Line<'static> {
    let keys = if state.help {
        vec![Msg::KeyCloseHelp]
    } else {
        screen_keys(state)
    };
    // The keys that fit the 80 columns, in order; the help (F1) lists them all.
    let mut text = String::new();
    for k in keys {
        let t = k.text(state.lang);
        let sep = if text.is_empty() { "" } else { "  " };
        if text.chars().count() + sep.len() + t.chars().count() > 80 {
            break;
        }
        text.push_str(sep);
        text.push_str(t);
    }
    Line::from(text)
}

/// The PIN prompt: who may, the list to choose from, the PIN as stars.
fn pin_prompt<L: Level>(
    state: &State<L>,
    prompt: &super::people::PinPrompt<L::Act>,
    frame: &mut Frame,
    area: Rect,
) {
    let lang = state.lang;
    let registry = &L::people(&state.ledger).registry;
    let role = super::people::role_msg(prompt.guard.role).text(lang);
    let choices = prompt.choices(registry);
    let act = match &prompt.guard.act {
        super::people::PinFor::People => Msg::ActPeople.text(lang).to_owned(),
        super::people::PinFor::Level(act) => L::act_text(state, act, lang),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{} ", Msg::PinFor.text(lang)), DIM),
            Span::styled(ascii(&act), BOLD),
        ]),
        Line::from(""),
    ];
    if choices.is_empty() {
        lines.push(problem_line(&Msg::PinNobody.fill(lang, &[role])));
    } else {
        lines.push(Line::from(Msg::PinAsk.fill(lang, &[role])));
        lines.push(Line::from(""));
        let height = usize::from(area.height).saturating_sub(6).max(1);
        let first = prompt.selected.saturating_sub(height.saturating_sub(1));
        for (i, p) in choices.iter().enumerate().skip(first).take(height) {
            let sel = i == prompt.selected;
            lines.push(Line::styled(
                format!("{} {}", if sel { ">" } else { " " }, ascii(p.name.as_str())),
                if sel { CURSOR } else { Style::new() },
            ));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::raw(format!("{} ", Msg::PinLabel.text(lang))),
            Span::styled(format!("{}_", prompt.pin.stars()), BOLD),
        ]));
    }
    if let Some(e) = &prompt.error {
        lines.push(problem_line(&ascii(&e.text(lang))));
    }
    frame.render_widget(wrapped(lines), area);
}

/// The registration form and the people registered.
fn people_form<L: Level>(
    state: &State<L>,
    form: &super::people::PeopleForm,
    frame: &mut Frame,
    area: Rect,
) {
    use super::people::FormField;
    let lang = state.lang;
    let intro = if form.by.is_none() {
        Msg::PeopleFirst
    } else {
        Msg::PeopleMore
    };
    let field = |f: FormField, label: Msg, value: String| {
        let on = form.field == f;
        Line::from(vec![
            Span::styled(format!("{:<30}", label.text(lang)), DIM),
            Span::styled(
                format!("{value}{}", if on { "_" } else { "" }),
                if on { CURSOR } else { Style::new() },
            ),
        ])
    };
    let mut lines = vec![
        Line::from(intro.text(lang)),
        Line::from(""),
        field(FormField::Name, Msg::FormName, ascii(&form.name)),
        field(
            FormField::Role,
            Msg::FormRole,
            super::people::role_msg(form.role).text(lang).to_owned(),
        ),
        field(FormField::Pin, Msg::FormPin, form.pin.stars()),
        field(FormField::Again, Msg::FormPinAgain, form.again.stars()),
    ];
    if let Some(e) = &form.error {
        lines.push(problem_line(&ascii(&e.text(lang))));
    }
    let people: Vec<_> = L::people(&state.ledger).registry.people().collect();
    if !people.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            Msg::PeopleRegistered.text(lang).to_owned(),
            DIM,
        ));
        let room = usize::from(area.height).saturating_sub(lines.len()).max(1);
        let shown = people.len().min(room);
        // The latest registered, when not all fit.
        for p in people.iter().skip(people.len().saturating_sub(shown)) {
            lines.push(Line::from(format!(
                "  {} ({})",
                ascii(p.name.as_str()),
                super::people::role_msg(p.role).text(lang)
            )));
        }
    }
    frame.render_widget(wrapped(lines), area);
}

fn start<L: Level>(state: &State<L>, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    let id = &state.identity;
    let mut lines = vec![
        Line::styled(Msg::TrustedRoot.text(lang).to_string(), DIM),
        Line::from(hash_code(&id.root_fingerprint)),
        Line::styled(Msg::BodyCertificate.text(lang).to_string(), DIM),
        Line::from(hash_code(&id.certificate_fingerprint)),
        Line::from(vec![
            Span::styled(format!("{}: ", Msg::CountsFor.text(lang)), DIM),
            Span::styled(ascii(&id.body()), BOLD),
        ]),
        Line::styled(
            Msg::CertificateValid.fill(lang, &[&id.valid.0, &id.valid.1]),
            DIM,
        ),
        Line::styled(Msg::SystemIdentity.text(lang).to_string(), DIM),
        Line::from(hash_code(&id.system)),
    ];
    // The version and source commit built into the image (the appliance's init passes them).
    if let Some(v) = &state.system_version {
        let (version, commit) = v.split_once(' ').unwrap_or((v.as_str(), ""));
        lines.push(Line::styled(
            Msg::SystemVersion.fill(lang, &[&ascii(version), &ascii(commit)]),
            DIM,
        ));
    }
    // The PC's clock, to compare with a watch: certificates and media are judged by it.
    if let Some(t) = state
        .clock
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
    {
        let local = tally_body::AMSTERDAM.to_datetime(t);
        lines.push(Line::styled(
            Msg::ClockNow.fill(
                lang,
                &[&format!(
                    "{:02}-{:02}-{:04} {:02}:{:02}:{:02}",
                    local.day(),
                    local.month(),
                    local.year(),
                    local.hour(),
                    local.minute(),
                    local.second()
                )],
            ),
            DIM,
        ));
    }
    lines.extend([
        Line::from(""),
        Line::from(Msg::CompareWithPaper.text(lang)),
        Line::from(""),
        Line::from(vec![
            Span::raw(format!("{}: ", Msg::PassphrasePrompt.text(lang))),
            Span::styled(format!("{}_", state.passphrase.stars()), BOLD),
        ]),
    ]);
    if let Some(why) = &id.invalid {
        lines.push(Line::from(""));
        lines.push(problem_line(
            &Msg::CertificateNotValidNow.fill(lang, &[why]),
        ));
    }
    if let Some(e) = &state.unlock_error {
        lines.push(Line::from(""));
        lines.push(problem_line(&e.text(lang)));
    }
    frame.render_widget(wrapped(lines), area);
}

fn help<L: Level>(state: &State<L>, frame: &mut Frame, area: Rect) {
    let lang = state.lang;
    let text = match &state.screen {
        Screen::Start => Msg::HelpStart,
        Screen::Media(list)
            if list.purpose == Purpose::Import && state.identity.role == ENTRY_ROLE =>
        {
            Msg::HelpMediaAssignment
        }
        Screen::Media(list) if list.purpose == Purpose::Import => Msg::HelpMediaCounts,
        Screen::Media(_) => Msg::HelpMedia,
        Screen::Definition { .. } => Msg::HelpDefinition,
        Screen::Fatal(_) => Msg::HelpFatal,
        Screen::Pin(_) => Msg::HelpPin,
        Screen::People(_) => Msg::HelpPeople,
        Screen::Level(s) => L::help(state, s),
    };
    let rect = Rect {
        x: area.x.saturating_add(2),
        y: area.y.saturating_add(1),
        width: area.width.saturating_sub(4),
        height: area.height.saturating_sub(2),
    };
    frame.render_widget(Clear, rect);
    let mut title = format!(" {} ", Msg::HelpTitleCloses.text(lang));
    if state.demo {
        title = format!(
            " {} - {} ",
            Msg::Demo.text(lang),
            Msg::HelpTitleCloses.text(lang)
        );
    }
    // What the screen is for, then every key that works on it, then the keys of every screen;
    // wrapped here, so that a help longer than the screen scrolls and says which rows show.
    let width = usize::from(rect.width.saturating_sub(2)).max(1);
    let room = usize::from(rect.height.saturating_sub(2)).max(1);
    let mut rows: Vec<Line> = Vec::new();
    let mut add = |text: &str, style: Style| {
        rows.extend(
            wrap_text(text, width)
                .into_iter()
                .map(|r| Line::styled(r, style)),
        );
    };
    add(text.text(lang), Style::new());
    add("", Style::new());
    add(Msg::HelpKeys.text(lang), BOLD);
    for key in screen_keys(state) {
        add(&format!("  {}", key.text(lang)), Style::new());
    }
    add(Msg::HelpAlways.text(lang), Style::new());
    let max = rows.len().saturating_sub(room);
    state.help_max_scroll.set(max);
    let first = state.help_scroll.min(max);
    let total = rows.len();
    let shown: Vec<Line> = rows.into_iter().skip(first).take(room).collect();
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_set(ASCII_BORDER)
        .title(title);
    if max > 0 {
        let last = (first + room).min(total);
        block = block.title_bottom(format!(
            " {} ",
            Msg::HelpRowsShown.rows_shown(lang, first, last, total)
        ));
    }
    frame.render_widget(Paragraph::new(shown).block(block), rect);
}

/// `text` as a paragraph wrapped at the area's width, its spaces kept.
pub fn wrapped<'a>(text: impl Into<Text<'a>>) -> Paragraph<'a> {
    Paragraph::new(text).wrap(Wrap { trim: false })
}

/// How many rows `line` takes, wrapped at `width` (one at least).
pub fn rows_of(line: &Line, width: usize) -> usize {
    line.width().max(1).div_ceil(width.max(1))
}

/// The first of `lines` that fit in `room` rows wrapped at `width`: the first always, even
/// when it needs more rows than there are.
pub fn fitting<'a>(
    lines: impl IntoIterator<Item = Line<'a>>,
    width: usize,
    room: usize,
) -> Vec<Line<'a>> {
    let mut used = 0;
    let mut out = Vec::new();
    for line in lines {
        let need = rows_of(&line, width);
        if used + need > room && !out.is_empty() {
            break;
        }
        used += need;
        out.push(line);
    }
    out
}

/// `text` in rows of at most `width` characters, broken at spaces; a word longer than a row
/// is broken where the row ends. Leading spaces are kept (the key list's indent).
pub fn wrap_text(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let body = text.trim_start_matches(' ');
    let indent = text.len() - body.len();
    let mut rows = Vec::new();
    let mut row = " ".repeat(indent.min(width.saturating_sub(1)));
    let mut first = true;
    for word in body.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        if !first {
            if row.chars().count() + 1 + word.len() > width {
                rows.push(std::mem::take(&mut row));
            } else {
                row.push(' ');
            }
        }
        // A word longer than the room left: as much as fits, the rest on the next rows.
        loop {
            let room = width.saturating_sub(row.chars().count());
            if word.len() <= room {
                row.extend(word.iter());
                break;
            }
            let rest = word.split_off(room);
            row.extend(word.iter());
            rows.push(std::mem::take(&mut row));
            word = rest;
        }
        first = false;
    }
    rows.push(row);
    rows
}
