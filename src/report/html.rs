//! The report as one self-contained HTML page: inline CSS, inline SVG charts, no script and
//! no external resource. Every string from the data (file, column and group names) is
//! escaped; the SVG text is escaped by plotters' SVG backend.

use super::markdown::{blocks, Block};
use super::{Finding, Level, Report, ReportError};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str =
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.9em}\
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f3f3f3}\
.pass{color:#176317;font-weight:bold}.warn{color:#8a5a00;font-weight:bold}\
.fail{color:#b00020;font-weight:bold}.info{color:#1f4e99;font-weight:bold}\
figure{margin:1em 0}@media print{figure{page-break-inside:avoid}}";

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
        }
    }
    s.push_str("</body>\n</html>\n");
    Ok(s)
}
