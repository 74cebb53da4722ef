//! The gate's result as a terminal table, JUnit XML (one test case per rule) and Markdown (a
//! GitHub step summary).

use super::{Check, GateResult, RuleResult, Status};
use crate::text::{escape_html as xml, escape_markdown as md};

fn number(x: Option<f64>) -> String {
    match x {
        // Counts show as integers.
        Some(v) if v.fract() == 0.0 && v.abs() >= 2.0 => format!("{v:.0}"),
        Some(v) => format!("{:.3}", v + 0.0),
        None => "-".into(),
    }
}

/// The decisive check as `value [low, high] at subject`.
fn measured(r: &RuleResult) -> String {
    match r.decisive.and_then(|i| r.checks.get(i)) {
        Some(c) => describe(c),
        None => "-".into(),
    }
}

fn describe(c: &Check) -> String {
    let interval = match (c.low, c.high) {
        (Some(lo), Some(hi)) => format!(" [{}, {}]", number(Some(lo)), number(Some(hi))),
        _ => String::new(),
    };
    format!("{}{} at {}", number(c.value), interval, c.subject)
}

fn verdict(g: &GateResult) -> String {
    let blocking = g.blocking();
    if blocking.is_empty() {
        format!(
            "GATE PASSED: no error rule fails{}.",
            if g.inconclusive_blocks {
                " or is inconclusive"
            } else {
                ""
            }
        )
    } else {
        format!("GATE FAILED: blocked by {}.", blocking.join(", "))
    }
}

/// A readable table of the rules, then the verdict.
pub fn to_text(g: &GateResult) -> String {
    to_text_in(g, crate::doc::TextLayout::FULL)
}

/// [`to_text`] with the table fitted to `layout`'s width (cells wrap inside their column).
pub fn to_text_in(g: &GateResult, layout: crate::doc::TextLayout) -> String {
    let mut t = layout.table();
    t.set_header([
        "rule",
        "severity",
        "status",
        "measured (worst check)",
        "threshold",
        "why",
    ]);
    for r in &g.rules {
        let why = r
            .decisive
            .and_then(|i| r.checks.get(i))
            .map_or(String::new(), |c| c.note.clone());
        t.add_row([
            r.id.clone(),
            format!("{:?}", r.severity).to_lowercase(),
            r.status.word().to_string(),
            measured(r),
            r.threshold.clone(),
            why,
        ]);
    }
    format!(
        "Policy: {} ({})\nAudit: {}\n{t}\n{}\n",
        g.policy.name,
        g.policy.path,
        g.audit.path,
        verdict(g)
    )
}

/// JUnit XML: one test case per rule. A blocking rule is a failure; a non-blocking
/// inconclusive or not applicable rule is skipped; a warning passes with its message in the output.
pub fn to_junit(g: &GateResult) -> String {
    let failures = g.rules.iter().filter(|r| r.blocking).count();
    let skipped = g
        .rules
        .iter()
        .filter(|r| !r.blocking && matches!(r.status, Status::Inconclusive | Status::NotApplicable))
        .count();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<testsuites name=\"fairgate gate\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n",
        g.rules.len()
    ));
    s.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" errors=\"0\">\n",
        xml(&g.policy.name),
        g.rules.len()
    ));
    for r in &g.rules {
        let detail: String = r
            .checks
            .iter()
            .map(|c| format!("{} {}: {}\n", c.status.word(), describe(c), c.note))
            .collect();
        s.push_str(&format!(
            "    <testcase classname=\"fairgate.{}\" name=\"{}\">\n",
            xml(&r.metric),
            xml(&r.id)
        ));
        let summary = format!(
            "{} {} {}: {}",
            r.status.word(),
            measured(r),
            r.threshold,
            r.message
        );
        if r.blocking {
            s.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                xml(&summary),
                r.status.word(),
                xml(&detail)
            ));
        } else if matches!(r.status, Status::Inconclusive | Status::NotApplicable) {
            s.push_str(&format!("      <skipped message=\"{}\"/>\n", xml(&summary)));
        }
        s.push_str(&format!(
            "      <system-out>{}</system-out>\n",
            xml(&detail)
        ));
        s.push_str("    </testcase>\n");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}

/// Markdown for a pull request or a GitHub step summary.
pub fn to_markdown(g: &GateResult) -> String {
    let mut s = format!(
        "## fairgate gate: {}\n\n**{}**\n\nPolicy {} (sha256 {}), audit {} (sha256 {}).\n\n",
        md(&g.policy.name),
        verdict(g),
        md(&g.policy.path),
        g.policy.sha256,
        md(&g.audit.path),
        g.audit.sha256
    );
    s.push_str("| rule | severity | status | measured (worst check) | threshold | why |\n|---|---|---|---|---|---|\n");
    for r in &g.rules {
        let why = r
            .decisive
            .and_then(|i| r.checks.get(i))
            .map_or(String::new(), |c| c.note.clone());
        s.push_str(&format!(
            "| {} | {} | **{}** | {} | {} | {} |\n",
            md(&r.id),
            format!("{:?}", r.severity).to_lowercase(),
            r.status.word(),
            md(&measured(r)),
            md(&r.threshold),
            md(&why)
        ));
    }
    s.push('\n');
    for r in g.rules.iter().filter(|r| !r.message.is_empty()) {
        s.push_str(&format!("- {}: {}\n", md(&r.id), md(&r.message)));
    }
    s
}

impl crate::doc::Render for GateResult {
    fn to_json(&self) -> String {
        GateResult::to_json(self)
    }
    fn to_text(&self) -> String {
        to_text(self)
    }
    fn to_text_in(&self, layout: crate::doc::TextLayout) -> String {
        to_text_in(self, layout)
    }
    fn to_markdown(&self) -> String {
        to_markdown(self)
    }
}
