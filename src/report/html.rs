//! The report as one self-contained HTML page: inline CSS, inline SVG charts, no script and
//! no external resource. Every string from the data (file, column and group names) is
//! escaped; the SVG text is escaped by plotters' SVG backend.

use super::markdown::blocks;
use super::{Finding, Report, ReportError};
use crate::audit::key;
use crate::doc::Document;

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
    s.push_str(
        &Document {
            blocks: blocks(r, findings, true)?,
        }
        .html(0),
    );
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
    s.push_str(&c.document().html(1));
    for a in &c.attributes {
        s.push_str(&format!("<h2>{}</h2>\n", escape(&a.name)));
        for (metric, title) in [
            (key::SELECTION_RATE, "Selection rate"),
            (key::DISPARATE_IMPACT, "Impact ratio against the reference"),
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
