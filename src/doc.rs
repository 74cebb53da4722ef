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
}

/// A result shown in every output format: the JSON contract, a terminal's text, Markdown.
/// The command line picks one by `--format` in one place.
pub trait Render {
    /// Pretty JSON with a final newline (the stable, machine-readable contract).
    fn to_json(&self) -> String;
    /// Readable text for a terminal.
    fn to_text(&self) -> String;
    /// GitHub-flavoured Markdown.
    fn to_markdown(&self) -> String;
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
    /// A list of items with a status mark each.
    Marks(Vec<(Mark, Line)>),
    /// An SVG figure (HTML only: Markdown leaves it out).
    Figure(String),
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
        for b in &self.blocks {
            block_html(b, demote, &mut out);
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
        })
        .collect()
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
        Block::Table { head, rows } => {
            let mut s = row_markdown(head);
            s.push_str(&format!("|{}\n", "---|".repeat(head.len())));
            for r in rows {
                s.push_str(&row_markdown(r));
            }
            s
        }
        Block::Marks(items) => items
            .iter()
            .map(|(m, l)| format!("- **{}** {}\n", m.word, line_markdown(l)))
            .collect(),
        Block::Figure(_) | Block::Section(_) => return None,
    })
}

fn block_html(b: &Block, demote: u8, out: &mut String) {
    match b {
        Block::Heading(level, line) => {
            let level = level.saturating_add(demote).min(6);
            out.push_str(&format!("<h{level}>{}</h{level}>\n", line_html(line)));
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
        Block::Table { head, rows } => {
            out.push_str("<table>\n<tr>");
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
        Block::Figure(svg) => {
            out.push_str("<figure>\n");
            out.push_str(svg);
            out.push_str("\n</figure>\n");
        }
        Block::Section(doc) => {
            out.push_str("<section class=\"document\">\n");
            out.push_str(&doc.html(demote.saturating_add(1)));
            out.push_str("</section>\n");
        }
    }
}

#[cfg(test)]
mod tests {
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
        assert!(html.starts_with("<h2>Title "));
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
        d.heading(2, own_line("H"))
            .push(Block::Figure("<svg/>".into()))
            .list(vec![own_line("a"), own_line("b")])
            .push(Block::Section(Document::new()))
            .push(Block::Paragraph(vec![own_line("one"), own_line("two")]));
        assert_eq!(d.markdown(), "## H\n\n- a\n- b\n\none\ntwo\n");
        assert_eq!(
            d.html(0),
            "<h2>H</h2>\n<figure>\n<svg/>\n</figure>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<section class=\"document\">\n</section>\n<p>one\ntwo</p>\n"
        );
    }
}
