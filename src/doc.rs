//! One document model for everything fairgate writes for people to read: headings,
//! paragraphs, lists, quotes, tables, status marks, figures and embedded documents, whose text
//! is a line of [`Span`]s. Markdown and HTML are both rendered from the same blocks, and text
//! from the data is escaped here and only here ([`Span::Data`]): Markdown's special characters
//! get a backslash, HTML's become entities, line breaks and control characters cannot break a
//! table or a heading. Nothing is parsed back.

use crate::text::{escape_html, escape_markdown};

/// A run of text in a line.
#[derive(Clone, Debug, PartialEq)]
pub enum Span {
    /// Text from the data or a file (a column, a group, a path): escaped in every format.
    Data(String),
    /// fairgate's own words: written as they are in Markdown (so they must not hold Markdown
    /// markup: use [`Span::Strong`] and [`Span::Code`]), escaped in HTML.
    Own(String),
    /// Emphasised text (`**...**`, `<strong>`).
    Strong(Vec<Span>),
    /// A literal such as a file name or a key (`` `...` ``, `<code>`); fairgate's own.
    Code(String),
    /// A link to a heading of the same document: its text and the heading's anchor
    /// ([`slug`] of the heading's text).
    Link(Vec<Span>, String),
}

/// A result shown in every output format: the JSON contract, a terminal's text, Markdown.
/// The command line picks one by `--format` in one place.
pub trait Render {
    /// Pretty JSON with a final newline (the stable, machine-readable contract).
    fn to_json(&self) -> String;
    /// Readable text for a terminal.
    fn to_text(&self) -> String;
    /// Readable text laid out for a terminal of `layout`'s width; by default [`to_text`]
    /// (results whose tables are narrow).
    ///
    /// [`to_text`]: Render::to_text
    fn to_text_in(&self, layout: TextLayout) -> String {
        let _ = layout;
        self.to_text()
    }
    /// GitHub-flavoured Markdown.
    fn to_markdown(&self) -> String;
}

/// How text tables are laid out for a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextLayout {
    /// The widest a line may be, in columns: a table's cells wrap inside their column to fit.
    /// `None`: no limit.
    pub width: Option<u16>,
    /// Every column (with intervals) instead of the compact default.
    pub wide: bool,
}

impl TextLayout {
    /// Every column, no width limit (what [`Render::to_text`] writes).
    pub const FULL: TextLayout = TextLayout {
        width: None,
        wide: true,
    };

    /// A comfy-table table in fairgate's style, fitted to the width when there is one.
    pub fn table(&self) -> comfy_table::Table {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
        if let Some(w) = self.width {
            t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
            t.set_width(w);
        }
        t
    }
}

/// A line of text: spans in order.
pub type Line = Vec<Span>;

/// Text from the data, as a span.
pub fn data(s: impl Into<String>) -> Span {
    Span::Data(s.into())
}

/// fairgate's own words, as a span.
pub fn own(s: impl Into<String>) -> Span {
    Span::Own(s.into())
}

/// Emphasised spans.
pub fn strong(spans: Line) -> Span {
    Span::Strong(spans)
}

/// A literal, as a code span.
pub fn code(s: impl Into<String>) -> Span {
    Span::Code(s.into())
}

/// A line holding one span of text from the data.
pub fn data_line(s: impl Into<String>) -> Line {
    vec![data(s)]
}

/// A line holding fairgate's own words.
pub fn own_line(s: impl Into<String>) -> Line {
    vec![own(s)]
}

/// What the crate's `spans!` line builder accepts: a span, a line, or fairgate's own words (`&str`, `String`).
pub trait IntoLine {
    /// The spans.
    fn into_line(self) -> Line;
}

impl IntoLine for Span {
    fn into_line(self) -> Line {
        vec![self]
    }
}

impl IntoLine for Line {
    fn into_line(self) -> Line {
        self
    }
}

impl IntoLine for &str {
    fn into_line(self) -> Line {
        vec![own(self)]
    }
}

impl IntoLine for String {
    fn into_line(self) -> Line {
        vec![own(self)]
    }
}

/// A line from parts: spans, lines, and fairgate's own words as strings (text from the data
/// must be wrapped in [`data`]).
macro_rules! spans {
    ($($part:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut line: $crate::doc::Line = Vec::new();
        $( line.extend($crate::doc::IntoLine::into_line($part)); )*
        line
    }};
}
pub(crate) use spans;

/// A link to the heading whose text is `heading` (its [`slug`]).
pub fn link(text: Line, heading: &str) -> Span {
    Span::Link(text, slug(heading))
}

/// The anchor of a heading, as GitHub makes it: lower case, letters, digits, `-` and `_`
/// kept, spaces become `-`, everything else dropped. HTML headings get it as their `id`, so
/// the same links work in report.md on GitHub and in report.html.
pub fn slug(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The plain text of a line (what a heading's anchor is made from).
pub fn plain(line: &[Span]) -> String {
    line.iter()
        .map(|s| match s {
            Span::Data(t) => flatten(t),
            Span::Own(t) | Span::Code(t) => t.clone(),
            Span::Strong(inner) | Span::Link(inner, _) => plain(inner),
        })
        .collect()
}

/// A chart: its title, a text description of what it shows, the SVG, and its legend (drawn
/// outside the plot, as text beside a colour swatch, never over the data).
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The title.
    pub title: Line,
    /// What the chart shows, in words (for every reader, and for those who cannot see it).
    pub description: Line,
    /// The SVG element.
    pub svg: String,
    /// Legend entries: a CSS colour and what it stands for.
    pub legend: Vec<(String, Line)>,
}

/// Lines joined by a separator of fairgate's own words.
pub fn join(lines: impl IntoIterator<Item = Line>, sep: &str) -> Line {
    let mut out = Vec::new();
    for (i, l) in lines.into_iter().enumerate() {
        if i > 0 {
            out.push(own(sep));
        }
        out.extend(l);
    }
    out
}

/// How a status mark reads and looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// The word (`PASS`, `FAIL`, ...), never shown by colour alone.
    pub word: &'static str,
    /// The HTML class that colours it (`pass`, `fail`, ...).
    pub class: &'static str,
}

/// One block of a document.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading, level 1 to 6.
    Heading(u8, Line),
    /// A paragraph; its lines are kept as line breaks in Markdown and in the HTML source.
    Paragraph(Vec<Line>),
    /// A bulleted list, one line per item.
    List(Vec<Line>),
    /// A quotation (indented under the list item before it in Markdown).
    Quote(Line),
    /// A table: a header row and rows of cells.
    Table {
        /// The header cells.
        head: Vec<Line>,
        /// The rows, each as many cells as the header.
        rows: Vec<Vec<Line>>,
    },
    /// A table with a caption saying what it holds.
    Captioned {
        /// The caption.
        caption: Line,
        /// The header cells.
        head: Vec<Line>,
        /// The rows, each as many cells as the header.
        rows: Vec<Vec<Line>>,
    },
    /// Blocks shown collapsed under a summary line (`<details>`; in Markdown too, which
    /// GitHub renders the same way).
    Details {
        /// The line shown while collapsed.
        summary: Line,
        /// The blocks inside.
        blocks: Vec<Block>,
    },
    /// Raw HTML made by fairgate itself from escaped parts (a heat map); HTML only.
    Html(String),
    /// A list of items with a status mark each.
    Marks(Vec<(Mark, Line)>),
    /// A chart (HTML only: Markdown leaves it out).
    Figure(Figure),
    /// A document of its own, embedded (HTML only, in a section with its headings one level
    /// down; in Markdown it is a file of its own).
    Section(Document),
}

/// A document: blocks in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The blocks.
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty document.
    pub fn new() -> Document {
        Document::default()
    }

    /// Adds a block.
    pub fn push(&mut self, block: Block) -> &mut Document {
        self.blocks.push(block);
        self
    }

    /// Adds a heading.
    pub fn heading(&mut self, level: u8, line: Line) -> &mut Document {
        self.push(Block::Heading(level, line))
    }

    /// Adds a one-line paragraph.
    pub fn paragraph(&mut self, line: Line) -> &mut Document {
        self.push(Block::Paragraph(vec![line]))
    }

    /// Adds a list.
    pub fn list(&mut self, items: Vec<Line>) -> &mut Document {
        self.push(Block::List(items))
    }

    /// Adds a table.
    pub fn table(&mut self, head: Vec<Line>, rows: Vec<Vec<Line>>) -> &mut Document {
        self.push(Block::Table { head, rows })
    }

    /// Adds a table whose header is fairgate's words and whose cells are all data.
    pub fn data_table(&mut self, head: &[&str], rows: Vec<Vec<String>>) -> &mut Document {
        self.table(
            head.iter().map(|h| own_line(*h)).collect(),
            rows.into_iter()
                .map(|r| r.into_iter().map(data_line).collect())
                .collect(),
        )
    }

    /// Plain text for a terminal: headings and paragraphs as lines, tables drawn with box
    /// characters, figures and raw HTML left out. Data is not escaped here (the terminal
    /// escaping is the caller's, as for every text output).
    pub fn text(&self) -> String {
        self.text_in(TextLayout::FULL)
    }

    /// [`Document::text`] laid out for a terminal: tables fitted to `layout.width` (cells wrap
    /// inside their column), paragraphs and list items wrapped to it.
    pub fn text_in(&self, layout: TextLayout) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            text_block(b, layout, &mut out);
        }
        out
    }

    /// GitHub-flavoured Markdown: blocks separated by a blank line, no blank line at the end.
    pub fn markdown(&self) -> String {
        self.blocks
            .iter()
            .filter_map(block_markdown)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// HTML element content: headings moved `demote` levels down (at most 6), every text
    /// escaped.
    pub fn html(&self, demote: u8) -> String {
        let mut out = String::new();
        let mut ids = Ids::default();
        for b in &self.blocks {
            block_html(b, demote, &mut out, &mut ids);
        }
        out
    }
}

/// Text from the data on one line: line breaks and tabs become spaces, other control
/// characters U+FFFD (as [`escape_markdown`] does), so the same name reads the same in every
/// format.
fn flatten(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

fn line_markdown(line: &[Span]) -> String {
    line.iter()
        .map(|s| match s {
            Span::Data(t) => escape_markdown(t),
            Span::Own(t) => t.clone(),
            Span::Strong(inner) => format!("**{}**", line_markdown(inner)),
            Span::Code(t) => format!("`{t}`"),
            Span::Link(inner, anchor) => format!("[{}](#{anchor})", line_markdown(inner)),
        })
        .collect()
}

fn line_html(line: &[Span]) -> String {
    line.iter()
        .map(|s| match s {
            Span::Data(t) => escape_html(&flatten(t)),
            Span::Own(t) => escape_html(t),
            Span::Strong(inner) => format!("<strong>{}</strong>", line_html(inner)),
            Span::Code(t) => format!("<code>{}</code>", escape_html(t)),
            Span::Link(inner, anchor) => format!(
                "<a href=\"#{}\">{}</a>",
                escape_html(anchor),
                line_html(inner)
            ),
        })
        .collect()
}

fn table_markdown(head: &[Line], rows: &[Vec<Line>]) -> String {
    let mut s = row_markdown(head);
    s.push_str(&format!("|{}\n", "---|".repeat(head.len())));
    for r in rows {
        s.push_str(&row_markdown(r));
    }
    s
}

fn table_html(caption: Option<&Line>, head: &[Line], rows: &[Vec<Line>], out: &mut String) {
    out.push_str("<table>\n");
    if let Some(c) = caption {
        out.push_str(&format!("<caption>{}</caption>\n", line_html(c)));
    }
    out.push_str("<tr>");
    for h in head {
        out.push_str(&format!("<th>{}</th>", line_html(h)));
    }
    out.push_str("</tr>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{}</td>", line_html(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn row_markdown(cells: &[Line]) -> String {
    format!(
        "| {} |\n",
        cells
            .iter()
            .map(|c| line_markdown(c))
            .collect::<Vec<_>>()
            .join(" | ")
    )
}

fn block_markdown(b: &Block) -> Option<String> {
    Some(match b {
        Block::Heading(level, line) => format!(
            "{} {}\n",
            "#".repeat(usize::from(*level)),
            line_markdown(line)
        ),
        Block::Paragraph(lines) => {
            let mut s = lines
                .iter()
                .map(|l| line_markdown(l))
                .collect::<Vec<_>>()
                .join("\n");
            s.push('\n');
            s
        }
        Block::List(items) => items
            .iter()
            .map(|i| format!("- {}\n", line_markdown(i)))
            .collect(),
        Block::Quote(line) => format!("  > {}\n", line_markdown(line)),
        Block::Table { head, rows } => table_markdown(head, rows),
        Block::Captioned {
            caption,
            head,
            rows,
        } => format!(
            "Table: {}\n\n{}",
            line_markdown(caption),
            table_markdown(head, rows)
        ),
        Block::Details { summary, blocks } => {
            let inner = Document {
                blocks: blocks.clone(),
            }
            .markdown();
            format!(
                "<details><summary>{}</summary>\n\n{inner}\n</details>\n",
                line_html(summary)
            )
        }
        Block::Marks(items) => items
            .iter()
            .map(|(m, l)| format!("- **{}** {}\n", m.word, line_markdown(l)))
            .collect(),
        Block::Figure(_) | Block::Section(_) | Block::Html(_) => return None,
    })
}

/// The heading ids given so far (a repeated heading gets `-1`, `-2`, ... as on GitHub) and
/// the figures numbered so far.
#[derive(Default)]
struct Ids(std::collections::BTreeMap<String, usize>, usize);

impl Ids {
    /// The next figure's number, from 1.
    fn figure(&mut self) -> usize {
        self.1 += 1;
        self.1
    }

    fn of(&mut self, line: &[Span]) -> String {
        let base = slug(&plain(line));
        let n = self.0.entry(base.clone()).or_insert(0);
        let id = if *n == 0 { base } else { format!("{base}-{n}") };
        *n += 1;
        id
    }
}

fn block_html(b: &Block, demote: u8, out: &mut String, ids: &mut Ids) {
    match b {
        Block::Heading(level, line) => {
            let level = level.saturating_add(demote).min(6);
            out.push_str(&format!(
                "<h{level} id=\"{}\">{}</h{level}>\n",
                escape_html(&ids.of(line)),
                line_html(line)
            ));
        }
        Block::Paragraph(lines) => {
            let text: Vec<String> = lines.iter().map(|l| line_html(l)).collect();
            out.push_str(&format!("<p>{}</p>\n", text.join("\n")));
        }
        Block::List(items) => {
            out.push_str("<ul>\n");
            for i in items {
                out.push_str(&format!("<li>{}</li>\n", line_html(i)));
            }
            out.push_str("</ul>\n");
        }
        Block::Quote(line) => {
            out.push_str(&format!("<blockquote>{}</blockquote>\n", line_html(line)));
        }
        Block::Table { head, rows } => table_html(None, head, rows, out),
        Block::Captioned {
            caption,
            head,
            rows,
        } => table_html(Some(caption), head, rows, out),
        Block::Details { summary, blocks } => {
            out.push_str(&format!(
                "<details>\n<summary>{}</summary>\n",
                line_html(summary)
            ));
            for b in blocks {
                block_html(b, demote, out, ids);
            }
            out.push_str("</details>\n");
        }
        Block::Html(h) => out.push_str(h),
        Block::Marks(items) => {
            out.push_str("<ul>\n");
            for (m, l) in items {
                out.push_str(&format!(
                    "<li><span class=\"{}\">{}</span> {}</li>\n",
                    m.class,
                    m.word,
                    line_html(l)
                ));
            }
            out.push_str("</ul>\n");
        }
        Block::Figure(f) => {
            // Numbered; a printed page says where each ends (see the report's print style).
            let n = ids.figure();
            out.push_str(&format!(
                "<figure data-n=\"{n}\">\n<figcaption><strong>Figure {n}: {}</strong>. {}</figcaption>\n",
                line_html(&f.title),
                line_html(&f.description)
            ));
            out.push_str(&f.svg);
            if !f.legend.is_empty() {
                out.push_str("\n<ul class=\"legend\">");
                for (colour, label) in &f.legend {
                    out.push_str(&format!(
                        "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>",
                        escape_html(colour),
                        line_html(label)
                    ));
                }
                out.push_str("</ul>");
            }
            out.push_str("\n</figure>\n");
        }
        Block::Section(doc) => {
            out.push_str("<section class=\"document\">\n");
            for b in &doc.blocks {
                block_html(b, demote.saturating_add(1), out, ids);
            }
            out.push_str("</section>\n");
        }
    }
}

/// One block as plain text laid out for `layout` (see [`Document::text_in`]).
fn text_block(b: &Block, layout: TextLayout, out: &mut String) {
    let table = |head: &[Line], rows: &[Vec<Line>], out: &mut String| {
        let mut t = layout.table();
        t.set_header(head.iter().map(|h| plain(h)));
        for r in rows {
            t.add_row(r.iter().map(|c| plain(c)));
        }
        out.push_str(&t.to_string());
        out.push('\n');
    };
    // A line of text, wrapped to the width (continuation lines indented like the first's text).
    let line = |indent: &str, text: String, out: &mut String| {
        let Some(w) = layout.width else {
            out.push_str(indent);
            out.push_str(&text);
            out.push('\n');
            return;
        };
        let wrapped = crate::text::wrap(&text, usize::from(w).saturating_sub(indent.len()).max(20));
        for (i, l) in wrapped.split('\n').enumerate() {
            out.push_str(if i == 0 {
                indent
            } else {
                &CONTINUED[..indent.len()]
            });
            out.push_str(l);
            out.push('\n');
        }
    };
    match b {
        Block::Heading(_, l) => line("", plain(l), out),
        Block::Paragraph(lines) => {
            for l in lines {
                line("", plain(l), out);
            }
        }
        Block::List(items) => {
            for l in items {
                line("  - ", plain(l), out);
            }
        }
        Block::Quote(l) => line("    ", plain(l), out),
        Block::Table { head, rows } => table(head, rows, out),
        Block::Captioned {
            caption,
            head,
            rows,
        } => {
            line("", plain(caption), out);
            table(head, rows, out);
        }
        Block::Details { summary, blocks } => {
            line("", plain(summary), out);
            for b in blocks {
                text_block(b, layout, out);
            }
        }
        Block::Marks(items) => {
            for (m, l) in items {
                line("", format!("{} {}", m.word, plain(l)), out);
            }
        }
        Block::Section(d) => out.push_str(&d.text_in(layout)),
        Block::Html(_) | Block::Figure(_) => {}
    }
}

/// Markdown that fairgate wrote (headings, paragraphs, pipe tables, `**strong**` and
/// `` `code` ``, escapes of [`crate::text::escape_markdown`]) as terminal text laid out for
/// `layout`: tables drawn with box characters and fitted to the width, other lines wrapped to
/// it, the markup and escapes removed.
pub fn text_of_markdown(md: &str, layout: TextLayout) -> String {
    /// The text of a Markdown span: escapes undone, emphasis and code marks dropped.
    fn unmark(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                }
                '`' => {}
                c => out.push(c),
            }
        }
        out
    }
    /// The cells of a table row, split at the pipes that are not escaped.
    fn cells(row: &str) -> Vec<String> {
        let inner = row.trim().trim_start_matches('|');
        let inner = inner.strip_suffix('|').unwrap_or(inner);
        let mut out = vec![String::new()];
        let mut escaped = false;
        for c in inner.chars() {
            match c {
                '|' if !escaped => out.push(String::new()),
                c => {
                    escaped = c == '\\' && !escaped;
                    if let Some(last) = out.last_mut() {
                        last.push(c);
                    }
                }
            }
        }
        out.iter().map(|c| unmark(c.trim())).collect()
    }
    let separator = |l: &str| l.starts_with("|-") || l.starts_with("|:");
    let mut out = String::new();
    let mut lines = md.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with('|') {
            let mut t = layout.table();
            t.set_header(cells(line));
            while let Some(next) = lines.peek().filter(|l| l.starts_with('|')) {
                if !separator(next) {
                    t.add_row(cells(next));
                }
                lines.next();
            }
            out.push_str(&t.to_string());
            out.push('\n');
            continue;
        }
        let text = unmark(line.trim_start_matches('#').trim_start());
        match layout.width {
            Some(w) => out.push_str(&crate::text::wrap(&text, usize::from(w))),
            None => out.push_str(&text),
        }
        out.push('\n');
    }
    out
}

/// Spaces that indent a wrapped line's continuation.
const CONTINUED: &str = "        ";

#[cfg(test)]
mod tests {
    #[test]
    fn markdown_becomes_terminal_text_with_its_tables_drawn_and_fitted() {
        let md = "# Title\n\nA paragraph with **strong** and `code` and an escaped \\| pipe.\n\n| name | value |\n|---|---|\n| a\\|b | **yes** |\n| c | no |\n";
        let text = text_of_markdown(md, TextLayout::FULL);
        assert!(
            text.starts_with("Title\n\nA paragraph with strong and code and an escaped | pipe.\n"),
            "{text}"
        );
        assert!(text.contains("│ a|b  ┆ yes   │"), "{text}");
        assert!(!text.contains("---") && !text.contains("**"), "{text}");
        let narrow = text_of_markdown(
            md,
            TextLayout {
                width: Some(24),
                wide: false,
            },
        );
        assert!(narrow.lines().all(|l| l.chars().count() <= 24), "{narrow}");
        assert!(narrow.contains("strong"), "{narrow}");
    }

    use super::*;

    /// A hostile name from the data, in every kind of block.
    const NAME: &str = "<script>alert(1)</script> | **x** `y` & 'z'\nnext # [l](u)";

    fn hostile() -> Document {
        let mut d = Document::new();
        d.heading(1, vec![own("Title "), data(NAME)])
            .paragraph(vec![
                own("A "),
                strong(vec![own("bold")]),
                own(" word and "),
                code("code"),
                own("."),
            ])
            .list(vec![vec![own("item "), data(NAME)]])
            .push(Block::Quote(vec![own("quote "), data(NAME)]));
        d.table(
            vec![own_line("a"), own_line("b")],
            vec![vec![data_line(NAME), data_line("2")]],
        );
        d
    }

    #[test]
    fn data_is_text_in_markdown_and_html() {
        let d = hostile();
        let html = d.html(1);
        let escaped =
            "&lt;script&gt;alert(1)&lt;/script&gt; | **x** `y` &amp; &#39;z&#39; next # [l](u)";
        assert_eq!(html.matches(escaped).count(), 4, "{html}");
        assert!(!html.contains("<script"));
        assert!(
            html.starts_with("<h2 id=\"title-scriptalert1script--x-y--z-next--lu\">Title "),
            "{html}"
        );
        assert!(html.contains("<p>A <strong>bold</strong> word and <code>code</code>.</p>"));
        assert!(html.contains("<ul>\n<li>item "));
        assert!(html.contains("<blockquote>quote "));
        assert!(html.contains("<tr><th>a</th><th>b</th></tr>"));
        assert!(html.contains(&format!("<tr><td>{escaped}</td><td>2</td></tr>")));
        let md = d.markdown();
        let name = escape_markdown(NAME);
        assert_eq!(md.matches(&name).count(), 4, "{md}");
        // The name cannot add a row, a heading or a link.
        assert_eq!(md.lines().filter(|l| l.starts_with('|')).count(), 3, "{md}");
        assert_eq!(md.lines().filter(|l| l.starts_with('#')).count(), 1, "{md}");
        assert!(md.contains("A **bold** word and `code`."));
    }

    #[test]
    fn markdown_separates_blocks_by_one_blank_line_and_skips_html_only_blocks() {
        let mut d = Document::new();
        let figure = Figure {
            title: own_line("T"),
            description: own_line("D"),
            svg: "<svg/>".into(),
            legend: vec![("#fff".into(), data_line("<b>"))],
        };
        d.heading(2, own_line("H"))
            .push(Block::Figure(figure))
            .push(Block::Html("<table/>".into()))
            .list(vec![own_line("a"), own_line("b")])
            .push(Block::Section(Document::new()))
            .push(Block::Paragraph(vec![own_line("one"), own_line("two")]));
        assert_eq!(d.markdown(), "## H\n\n- a\n- b\n\none\ntwo\n");
        assert_eq!(
            d.html(0),
            "<h2 id=\"h\">H</h2>\n<figure data-n=\"1\">\n<figcaption><strong>Figure 1: T</strong>. D</figcaption>\n<svg/>\n<ul class=\"legend\"><li><span class=\"swatch\" style=\"background:#fff\"></span>&lt;b&gt;</li></ul>\n</figure>\n<table/><ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<section class=\"document\">\n</section>\n<p>one\ntwo</p>\n"
        );
    }

    #[test]
    fn headings_get_githubs_anchors_and_links_reach_them_in_both_formats() {
        assert_eq!(
            slug("Attribute: gender x age_band"),
            "attribute-gender-x-age_band"
        );
        assert_eq!(
            slug("Policy verdict: four-fifths rule"),
            "policy-verdict-four-fifths-rule"
        );
        assert_eq!(slug("Ünïcode <b> & \"q\""), "ünïcode-b--q");
        let mut d = Document::new();
        d.heading(2, vec![own("Attribute: "), data("a<b")])
            .heading(2, vec![own("Attribute: "), data("a<b")])
            .paragraph(vec![link(data_line("a<b"), "Attribute: a<b")]);
        // A repeated heading gets -1, as on GitHub; the id and the link text are escaped.
        assert_eq!(
            d.html(0),
            "<h2 id=\"attribute-ab\">Attribute: a&lt;b</h2>\n<h2 id=\"attribute-ab-1\">Attribute: a&lt;b</h2>\n<p><a href=\"#attribute-ab\">a&lt;b</a></p>\n"
        );
        assert!(
            d.markdown().ends_with("[a\\<b](#attribute-ab)\n"),
            "{}",
            d.markdown()
        );
    }

    #[test]
    fn captions_and_collapsed_blocks_in_both_formats() {
        let mut d = Document::new();
        d.push(Block::Captioned {
            caption: own_line("C"),
            head: vec![own_line("h")],
            rows: vec![vec![data_line("<x>")]],
        })
        .push(Block::Details {
            summary: vec![own("PASS (2) "), data("<y>")],
            blocks: vec![Block::List(vec![own_line("a")])],
        });
        assert_eq!(
            d.html(0),
            "<table>\n<caption>C</caption>\n<tr><th>h</th></tr>\n<tr><td>&lt;x&gt;</td></tr>\n</table>\n<details>\n<summary>PASS (2) &lt;y&gt;</summary>\n<ul>\n<li>a</li>\n</ul>\n</details>\n"
        );
        assert_eq!(
            d.markdown(),
            "Table: C\n\n| h |\n|---|\n| \\<x\\> |\n\n<details><summary>PASS (2) &lt;y&gt;</summary>\n\n- a\n\n</details>\n"
        );
    }
}
