//! The report as one self-contained HTML page: inline CSS, inline SVG charts, no script and
//! no external resource. Every string from the data (file, column and group names) is
//! escaped; the SVG text is escaped by plotters' SVG backend.

use super::markdown::{blocks, Block};
use super::{Finding, Level, Report, ReportError};

pub use crate::text::escape_html as escape;

const STYLE: &str =
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.9em}\
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}\
.pass{color:#176317;font-weight:bold}.warn{color:#8a5a00;font-weight:bold}\
.fail{color:#b00020;font-weight:bold}.info{color:#1f4e99;font-weight:bold}\
figure{margin:1em 0}blockquote{border-left:3px solid #ccc;margin:0.5em 0;padding-left:1em}\
.document{border-top:2px solid #888}@media print{figure{page-break-inside:avoid}}";

/// The page.
pub fn render(r: &Report, findings: &[Finding]) -> Result<String, ReportError> {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(&format!(
        "<title>fairgate audit report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&r.audit.input.path)
    ));
    for b in blocks(r, findings, true)? {
        match b {
            Block::Heading(level, text) => {
                s.push_str(&format!("<h{level}>{}</h{level}>\n", escape(&text)))
            }
            Block::Paragraph(text) => s.push_str(&format!("<p>{}</p>\n", escape(&text))),
            Block::Findings(list) => {
                s.push_str("<ul>\n");
                for f in list {
                    let class = match f.level {
                        Level::Pass => "pass",
                        Level::Warn => "warn",
                        Level::Fail => "fail",
                        Level::Info => "info",
                    };
                    s.push_str(&format!(
                        "<li><span class=\"{class}\">{}</span> {}</li>\n",
                        f.level.word(),
                        escape(&f.text)
                    ));
                }
                s.push_str("</ul>\n");
            }
            Block::Table(head, rows) => {
                s.push_str("<table>\n<tr>");
                for h in head {
                    s.push_str(&format!("<th>{}</th>", escape(&h)));
                }
                s.push_str("</tr>\n");
                for row in rows {
                    s.push_str("<tr>");
                    for c in row {
                        s.push_str(&format!("<td>{}</td>", escape(&c)));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</table>\n");
            }
            Block::Svg(svg) => {
                s.push_str("<figure>\n");
                s.push_str(&svg);
                s.push_str("\n</figure>\n");
            }
            Block::Document(text) => {
                s.push_str("<section class=\"document\">\n");
                s.push_str(&markdown_to_html(&text, 1));
                s.push_str("</section>\n");
            }
        }
    }
    s.push_str("</body>\n</html>\n");
    Ok(s)
}

/// The trend page of `fairgate compare --html`: the comparison's Markdown, then per
/// attribute the selection rate and the disparate impact of each group across the audits.
pub fn compare_page(c: &crate::compare::Comparison) -> Result<String, ReportError> {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(&format!(
        "<title>fairgate audit trends</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>fairgate audit trends</h1>\n"
    ));
    s.push_str(&markdown_to_html(&c.to_markdown(), 1));
    for a in &c.attributes {
        s.push_str(&format!("<h2>{}</h2>\n", escape(&a.name)));
        for (metric, title) in [
            ("selection_rate", "Selection rate"),
            ("disparate_impact", "Impact ratio against the reference"),
        ] {
            let series: Vec<(String, Vec<Option<f64>>)> = a
                .groups
                .iter()
                // Small segments show counts only, as in the report.
                .filter(|g| !g.small)
                .filter_map(|g| {
                    let t = g.metrics.iter().find(|t| t.metric == metric)?;
                    Some((g.group.clone(), t.values.clone()))
                })
                .collect();
            let svg = super::charts::trend(
                &format!("{title} by {}", a.name),
                metric,
                c.audits.len(),
                &series,
            )
            .map_err(ReportError::Chart)?;
            s.push_str("<figure>\n");
            s.push_str(&svg);
            s.push_str("\n</figure>\n");
        }
    }
    s.push_str("</body>\n</html>\n");
    Ok(s)
}

/// Renders the Markdown this crate writes (`dpia.md`, the model card) as HTML: headings
/// (demoted by `demote` levels), paragraphs, `- ` lists, `> ` quotes, pipe tables, `**bold**`
/// and `` `code` ``. Backslash escapes (from [`crate::text::escape_markdown`]) give the
/// literal character, and every literal character is HTML-escaped, so names from the data
/// stay text.
pub fn markdown_to_html(text: &str, demote: u8) -> String {
    #[derive(PartialEq)]
    enum Open {
        None,
        List,
        Table,
        Paragraph,
    }
    let mut out = String::new();
    let mut open = Open::None;
    let close = |out: &mut String, open: &mut Open| {
        out.push_str(match open {
            Open::List => "</ul>\n",
            Open::Table => "</table>\n",
            Open::Paragraph => "</p>\n",
            Open::None => "",
        });
        *open = Open::None;
    };
    let mut header_row = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.is_empty() {
            close(&mut out, &mut open);
            continue;
        }
        let hashes = t.bytes().take_while(|&b| b == b'#').count();
        if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
            close(&mut out, &mut open);
            let level = (hashes as u8 + demote).min(6);
            out.push_str(&format!(
                "<h{level}>{}</h{level}>\n",
                inline(t[hashes..].trim())
            ));
        } else if let Some(item) = t.strip_prefix("- ") {
            if open != Open::List {
                close(&mut out, &mut open);
                out.push_str("<ul>\n");
                open = Open::List;
            }
            out.push_str(&format!("<li>{}</li>\n", inline(item)));
        } else if let Some(quote) = t.strip_prefix("> ") {
            // A quote inside a list item stays inside the list.
            out.push_str(&format!("<blockquote>{}</blockquote>\n", inline(quote)));
        } else if t.starts_with('|') {
            if open != Open::Table {
                close(&mut out, &mut open);
                out.push_str("<table>\n");
                open = Open::Table;
                header_row = true;
            }
            let cells = split_row(t);
            if cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':'))
            {
                continue;
            }
            let tag = if header_row { "th" } else { "td" };
            header_row = false;
            out.push_str("<tr>");
            for c in cells {
                out.push_str(&format!("<{tag}>{}</{tag}>", inline(&c)));
            }
            out.push_str("</tr>\n");
        } else {
            if open != Open::Paragraph {
                close(&mut out, &mut open);
                out.push_str("<p>");
                open = Open::Paragraph;
            } else {
                out.push('\n');
            }
            out.push_str(&inline(t));
        }
    }
    close(&mut out, &mut open);
    out
}

/// The cells of a pipe-table row, split at unescaped `|` (escapes are kept for [`inline`]).
fn split_row(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|');
    let mut cells = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(cell) = cells.last_mut() {
                    cell.push('\\');
                    if let Some(n) = chars.next() {
                        cell.push(n);
                    }
                }
            }
            '|' => cells.push(String::new()),
            c => {
                if let Some(cell) = cells.last_mut() {
                    cell.push(c);
                }
            }
        }
    }
    // The row's closing pipe leaves an empty last cell.
    if cells.last().is_some_and(|c| c.trim().is_empty()) {
        cells.pop();
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// Inline Markdown to HTML: backslash escapes, `**bold**` and `` `code` ``.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let (mut bold, mut code) = (false, false);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && !code && i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() {
            out.push_str(&escape(&chars[i + 1].to_string()));
            i += 2;
            continue;
        }
        if c == '`' {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
        } else if c == '*' && !code && chars.get(i + 1) == Some(&'*') {
            out.push_str(if bold { "</strong>" } else { "<strong>" });
            bold = !bold;
            i += 1;
        } else {
            out.push_str(&escape(&c.to_string()));
        }
        i += 1;
    }
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</strong>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::markdown_to_html;
    use crate::text::escape_markdown as md;

    #[test]
    fn markdown_subset_with_hostile_text_stays_text() {
        let name = "<script>alert(1)</script> | **x** `y` & 'z'";
        let text = format!(
            "# Title {}\n\nA **bold** word and `code`.\nSecond line.\n\n- item {}\n  > quote {}\n\n| a | b |\n|---|---|\n| {} | 2 |\n",
            md(name),
            md(name),
            md(name),
            md(name)
        );
        let html = markdown_to_html(&text, 1);
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; | **x** `y` &amp; &#39;z&#39;";
        assert_eq!(html.matches(escaped).count(), 4, "{html}");
        assert!(!html.contains("<script"));
        assert!(html.contains("<h2>Title "));
        assert!(html
            .contains("<p>A <strong>bold</strong> word and <code>code</code>.\nSecond line.</p>"));
        assert!(html.contains("<ul>\n<li>item "));
        assert!(html.contains("<blockquote>quote "));
        assert!(html.contains("<tr><th>a</th><th>b</th></tr>"));
        assert!(html.contains(&format!("<tr><td>{escaped}</td><td>2</td></tr>")));
    }
}
