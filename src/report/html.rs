//! The report as one self-contained HTML page: inline CSS, inline SVG charts, no script and
//! no external resource. Every string from the data (file, column and group names) is
//! escaped; the SVG text is escaped by plotters' SVG backend.

use super::markdown::blocks;
use super::{Finding, Report, ReportError};
use crate::audit::key;
use crate::doc::Document;

pub use crate::text::escape_html as escape;

/// The page's style: readable at 800 px and up (tables scroll inside their box instead of
/// widening the page), charts as wide as the page allows, text never below 12 px, status
/// words always shown beside their colour, and a print layout (sections on new pages, no
/// chart, table row or heat map cell split across pages).
const STYLE: &str = "\
*{box-sizing:border-box}\
body{font-family:sans-serif;font-size:16px;line-height:1.45;max-width:1100px;margin:1.5em auto;padding:0 16px;color:#222}\
h1{font-size:1.9em}h2{font-size:1.45em;border-bottom:1px solid #ddd;padding-bottom:0.2em;margin-top:1.8em}\
p,li{overflow-wrap:anywhere}\
table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:14px;display:block;overflow-x:auto;max-width:100%}\
caption{caption-side:top;text-align:left;font-size:14px;color:#444;padding:0 0 4px}\
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}\
td{overflow-wrap:break-word}\
.pass{color:#176317;font-weight:bold}.warn{color:#8a5a00;font-weight:bold}\
.inconclusive{color:#6b3fa0;font-weight:bold}.na{color:#555;font-weight:bold}\
.fail{color:#b00020;font-weight:bold}.info{color:#1f4e99;font-weight:bold}\
figure{margin:1.2em 0;max-width:100%}\
figcaption{font-size:14px;color:#333;margin-bottom:6px}\
svg.chart{display:block;width:100%;max-width:960px;height:auto}\
.panels{display:flex;flex-wrap:wrap;gap:8px}svg.panel{max-width:100%;height:auto}\
ul.legend{list-style:none;padding:0;margin:6px 0 0;display:flex;flex-wrap:wrap;gap:4px 16px;font-size:14px}\
.swatch{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:-2px;border:1px solid #555}\
table.heatmap td{text-align:center;font-size:13px;min-width:6em}\
.cell-pass{background:#d9f0d9}.cell-inconclusive{background:#eee3f7}.cell-fail{background:#f8d0d4}\
.cell-ref{background:#dde8f6}.cell-none,.cell-not-judged{background:#f4f4f4;color:#555}\
.cell-warn{background:#f7ead0}.cell-not-applicable{background:#f4f4f4}\
details{margin:0.5em 0}summary{cursor:pointer;font-weight:bold}\
blockquote{border-left:3px solid #ccc;margin:0.5em 0;padding-left:1em}\
.document{border-top:2px solid #888;margin-top:2em}\
@media print{body{max-width:none;margin:0;font-size:11pt}\
h2,.document{break-before:page}h2,h3{break-after:avoid}\
figure,tr,table.heatmap,.panels svg,ul.legend,blockquote{break-inside:avoid}\
table{display:table;overflow:visible}svg.chart{max-width:100%}svg.panel{width:49%}a{color:inherit;text-decoration:none}\
figure::after{content:\"(end of figure \" attr(data-n) \")\";display:block;font-size:8pt;color:#777}}";

/// The page.
pub fn render(r: &Report, findings: &[Finding]) -> Result<String, ReportError> {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(&format!(
        "<title>fairgate audit report: {}</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<style>{STYLE}</style>\n</head>\n<body>\n",
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
        s.push_str(&format!(
            "<h2 id=\"{}\">{}</h2>\n",
            escape(&crate::doc::slug(&a.name)),
            escape(&a.name)
        ));
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
            let figure = super::charts::trend(
                &format!("{title} by {}", a.name),
                metric,
                c.audits.len(),
                &series,
            )
            .map_err(ReportError::Chart)?;
            s.push_str(
                &Document {
                    blocks: vec![crate::doc::Block::Figure(figure)],
                }
                .html(0),
            );
        }
    }
    s.push_str("</body>\n</html>\n");
    Ok(s)
}
