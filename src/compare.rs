//! Comparing audits over time, for periodic reviews: per attribute, group and metric the
//! series of values, the latest change and whether it is beyond sampling noise; groups that
//! appeared or vanished; and, with a policy, rules whose status changed.
//!
//! **Noise.** A change between the last two audits is tested with
//! `z = (x_new - x_old) / sqrt(se_old² + se_new²)`, where each standard error is recovered
//! from the audit's own interval, `se = (high - low) / (2 z_c)` with `z_c` the normal quantile
//! of that audit's confidence level. Ratios (disparate impact) are compared on the log scale,
//! where their Katz interval is symmetric. The two-sided p-values of every change tested in
//! the comparison are Holm-adjusted together (hundreds of metrics are compared at once, so
//! unadjusted, about 5% of them would look significant by chance), and a change is beyond
//! noise when its adjusted p-value is below 0.05. Without an interval in both audits (most
//! summaries without `--bootstrap`), or for a segment that is small in either audit, the
//! change is shown but not tested.
//!
//! **Regressions** (`--fail-on-regression`): a rule whose status got worse; a group whose
//! disparate impact moved further from parity (|ln DI| grew) beyond noise; a disparity summary
//! (demographic parity, equalized odds, equal opportunity or predictive parity difference, ECE
//! gap) that grew beyond noise.
//!
//! Audits of different schema versions or with different attributes are compared where both
//! have the same attribute, group and metric; what cannot be compared is listed in `notes`.

use crate::audit::key;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::audit::{holm, z_for, AuditOptions, AuditReport, MetricValue, AUDIT_SCHEMA_VERSION};
use crate::doc::{data, data_line, own_line, spans, Document};
use crate::policy::{self, Evidence, Policy, Status};

/// Errors of a comparison.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// Fewer than two audits.
    #[error("compare needs at least two audit files, found {0}")]
    TooFew(usize),
    /// An audit or the policy could not be read.
    #[error(transparent)]
    Policy(#[from] crate::policy::PolicyError),
}

/// Group metrics compared (those with an interval, and AUC and ECE for information).
const GROUP_METRICS: &[&str] = &[
    key::SELECTION_RATE,
    key::DISPARATE_IMPACT,
    key::SCORING_RATE,
    key::TPR,
    key::FPR,
    key::PPV,
    key::BASE_RATE,
    key::ACCURACY,
    key::AUC,
    key::ECE,
];

/// Summary metrics compared; all but the Theil index are disparities where larger is worse.
const SUMMARY_METRICS: &[&str] = &[
    key::DEMOGRAPHIC_PARITY_DIFFERENCE,
    key::EQUALIZED_ODDS_DIFFERENCE,
    key::EQUAL_OPPORTUNITY_DIFFERENCE,
    key::PREDICTIVE_PARITY_DIFFERENCE,
    key::ECE_GAP,
    key::DEMOGRAPHIC_PARITY_RATIO,
    key::EQUALIZED_ODDS_RATIO,
];

const WORSE_WHEN_LARGER: &[&str] = &[
    key::DEMOGRAPHIC_PARITY_DIFFERENCE,
    key::EQUALIZED_ODDS_DIFFERENCE,
    key::EQUAL_OPPORTUNITY_DIFFERENCE,
    key::PREDICTIVE_PARITY_DIFFERENCE,
    key::ECE_GAP,
];

/// One audit in the comparison.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct AuditRef {
    /// The file.
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The audited data's SHA-256.
    pub data_sha256: String,
    /// Its schema version.
    pub schema_version: u32,
    /// Rows audited.
    pub rows_used: u64,
}

/// A metric's series across the audits, and its latest change.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Trend {
    /// The metric.
    pub metric: String,
    /// The value in each audit (`null` where absent or undefined).
    pub values: Vec<Option<f64>>,
    /// The interval in each audit, when there is one.
    pub intervals: Vec<Option<(f64, f64)>>,
    /// Latest value minus the one before (the last two audits).
    pub change: Option<f64>,
    /// The change over its standard error, when both audits have an interval (and neither
    /// segment is small).
    pub z: Option<f64>,
    /// The two-sided p-value of `z`, Holm-adjusted across every change tested in the
    /// comparison.
    pub p_holm: Option<f64>,
    /// `p_holm < 0.05`.
    pub beyond_noise: bool,
    /// Counted as a regression (see the module docs).
    pub regression: bool,
    /// The change is in the worse direction (a regression if beyond noise).
    #[serde(skip)]
    worse: bool,
}

/// A group across the audits.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct GroupTrend {
    /// The group.
    pub group: String,
    /// Rows in each audit (`null` where the group is absent).
    pub n: Vec<Option<u64>>,
    /// `appeared`, `vanished` (in the latest audit against the one before) or empty.
    pub change: String,
    /// Smaller than the minimum group size in some audit: its changes are not tested and its
    /// values are left out of charts.
    pub small: bool,
    /// Its metrics.
    pub metrics: Vec<Trend>,
}

/// An attribute across the audits.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct AttributeTrend {
    /// The attribute (or intersection).
    pub name: String,
    /// Its groups, in order of first appearance.
    pub groups: Vec<GroupTrend>,
    /// Its disparity summaries.
    pub summary: Vec<Trend>,
}

/// A rule's status in each audit.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RuleChange {
    /// The rule.
    pub id: String,
    /// Its status in each audit.
    pub statuses: Vec<Status>,
    /// The latest status is worse than the one before.
    pub regression: bool,
}

/// The comparison.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Comparison {
    /// fairgate's version.
    pub fairgate_version: String,
    /// The audits, oldest first.
    pub audits: Vec<AuditRef>,
    /// What could not be compared, and why.
    pub notes: Vec<String>,
    /// Per attribute.
    pub attributes: Vec<AttributeTrend>,
    /// Rules (with `--policy`).
    pub rules: Vec<RuleChange>,
    /// How many regressions.
    pub regressions: usize,
}

fn interval(m: &MetricValue) -> Option<(f64, f64)> {
    match (m.ci_low, m.ci_high, m.boot_low, m.boot_high) {
        (Some(lo), Some(hi), _, _) => Some((lo, hi)),
        (_, _, Some(lo), Some(hi)) => Some((lo, hi)),
        _ => None,
    }
}

/// A trend over the audits' values of one metric; `log` compares on the log scale.
fn trend(
    metric: &str,
    values: Vec<Option<&MetricValue>>,
    z: &[f64],
    worse_when: fn(f64, f64) -> bool,
) -> Trend {
    let log = metric == key::DISPARATE_IMPACT;
    let k = values.len();
    let vals: Vec<Option<f64>> = values.iter().map(|m| m.and_then(|m| m.value)).collect();
    let ints: Vec<Option<(f64, f64)>> = values.iter().map(|m| m.and_then(interval)).collect();
    let (a, b) = (k - 2, k - 1);
    let change = match (vals[a], vals[b]) {
        (Some(x), Some(y)) => Some(y - x),
        _ => None,
    };
    let tr = |x: f64| if log { x.max(1e-300).ln() } else { x };
    let zstat = match (vals[a], vals[b], ints[a], ints[b]) {
        (Some(x), Some(y), Some((l1, h1)), Some((l2, h2)))
            if !log || (l1 > 0.0 && l2 > 0.0 && x > 0.0 && y > 0.0) =>
        {
            let se1 = (tr(h1) - tr(l1)) / (2.0 * z[a]);
            let se2 = (tr(h2) - tr(l2)) / (2.0 * z[b]);
            let se = (se1 * se1 + se2 * se2).sqrt();
            (se > 0.0).then(|| (tr(y) - tr(x)) / se)
        }
        _ => None,
    };
    let worse = matches!((vals[a], vals[b]), (Some(x), Some(y)) if worse_when(x, y));
    Trend {
        metric: metric.to_string(),
        values: vals,
        intervals: ints,
        change,
        z: zstat,
        p_holm: None,
        beyond_noise: false,
        regression: false,
        worse,
    }
}

fn normal() -> statrs::distribution::Normal {
    statrs::distribution::Normal::standard()
}

fn never(_: f64, _: f64) -> bool {
    false
}

/// The options that differ between two audits and change their numbers, as `name old -> new`:
/// threshold, minimum group size, confidence, references, calibration bins, and the columns
/// audited (when both audits record them; audits written before they were recorded do not).
fn option_changes(a: &AuditOptions, b: &AuditOptions) -> Vec<String> {
    let mut out = Vec::new();
    let mut differ = |name: &str, x: String, y: String| {
        if x != y {
            out.push(format!("{name} {x} -> {y}"));
        }
    };
    differ(
        "threshold",
        a.threshold.to_string(),
        b.threshold.to_string(),
    );
    differ(
        "minimum group size",
        a.min_group_size.to_string(),
        b.min_group_size.to_string(),
    );
    differ(
        "confidence",
        a.confidence.to_string(),
        b.confidence.to_string(),
    );
    let refs = |o: &AuditOptions| {
        let r: Vec<String> = o
            .reference
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if r.is_empty() {
            "default".to_string()
        } else {
            r.join(", ")
        }
    };
    differ("reference", refs(a), refs(b));
    differ("bins", a.bins.to_string(), b.bins.to_string());
    let (ca, cb) = (&a.columns, &b.columns);
    if ca.label.is_some() && cb.label.is_some() {
        let name = |c: &Option<String>| c.clone().unwrap_or_else(|| "none".into());
        for (role, x, y) in [
            ("label", &ca.label, &cb.label),
            ("score", &ca.score, &cb.score),
            ("prediction", &ca.prediction, &cb.prediction),
            ("weight", &ca.weight, &cb.weight),
        ] {
            differ(&format!("{role} column"), name(x), name(y));
        }
    }
    out
}

/// Compares audits (oldest first); with a policy, also each rule's status.
pub fn compare(paths: &[&Path], policy: Option<&Policy>) -> Result<Comparison, CompareError> {
    if paths.len() < 2 {
        return Err(CompareError::TooFew(paths.len()));
    }
    let mut evidence = Vec::new();
    for p in paths {
        evidence.push(Evidence::load(p, None, None)?);
    }
    let audits: Vec<&AuditReport> = evidence.iter().map(|e| &e.audit).collect();
    let mut notes = version_and_option_notes(&evidence);
    let z: Vec<f64> = audits.iter().map(|a| z_for(a.options.confidence)).collect();
    // Attributes in order of first appearance.
    let mut names: Vec<String> = Vec::new();
    for a in &audits {
        for attr in &a.attributes {
            if !names.contains(&attr.name) {
                names.push(attr.name.clone());
            }
        }
    }
    let mut attributes: Vec<AttributeTrend> = names
        .iter()
        .map(|name| attribute_trend(name, &audits, &z, &mut notes))
        .collect();
    let mut regressions = holm_across(&mut attributes);
    let rules = match policy {
        Some(p) => rule_changes(p, &evidence, &mut notes),
        None => Vec::new(),
    };
    regressions += rules.iter().filter(|r| r.regression).count();
    let distinct: BTreeSet<&str> = audits.iter().map(|a| a.input.sha256.as_str()).collect();
    if distinct.len() < audits.len() {
        notes.push("some audits are of the same data file (same SHA-256)".into());
    }
    Ok(Comparison {
        fairgate_version: crate::version::VERSION.to_string(),
        audits: evidence
            .iter()
            .map(|e| AuditRef {
                path: e.audit_file.path.clone(),
                sha256: e.audit_file.sha256.clone(),
                data_sha256: e.audit.input.sha256.clone(),
                schema_version: e.audit.schema_version,
                rows_used: e.audit.input.rows_used,
            })
            .collect(),
        notes,
        attributes,
        rules,
        regressions,
    })
}

/// Notes on audits of another schema version, and on consecutive audits made with different
/// options.
fn version_and_option_notes(evidence: &[Evidence]) -> Vec<String> {
    let mut notes = Vec::new();
    for (i, e) in evidence.iter().enumerate() {
        if e.audit.schema_version != AUDIT_SCHEMA_VERSION {
            notes.push(format!(
                "audit {} ({}) has schema version {} (this fairgate writes {}): compared where the same attributes, groups and metrics exist",
                i + 1,
                e.audit_file.path,
                e.audit.schema_version,
                AUDIT_SCHEMA_VERSION
            ));
        }
    }
    for i in 1..evidence.len() {
        let changed = option_changes(&evidence[i - 1].audit.options, &evidence[i].audit.options);
        if !changed.is_empty() {
            notes.push(format!(
                "audits {} and {} were made with different options ({}): their differences may come from the options, not from the model or the data",
                i,
                i + 1,
                changed.join("; ")
            ));
        }
    }
    notes
}

/// One attribute across the audits: each group's metrics and the summaries, with a note when
/// an audit lacks the attribute.
fn attribute_trend(
    name: &str,
    audits: &[&AuditReport],
    z: &[f64],
    notes: &mut Vec<String>,
) -> AttributeTrend {
    let per: Vec<Option<&crate::audit::AttributeAudit>> = audits
        .iter()
        .map(|a| a.attributes.iter().find(|x| x.name == name))
        .collect();
    let missing: Vec<String> = per
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_none())
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "attribute {name} is not in audit(s) {}: its series have gaps there",
            missing.join(", ")
        ));
    }
    let mut group_names: Vec<String> = Vec::new();
    for a in per.iter().flatten() {
        for g in &a.groups {
            if g.n > 0 && !group_names.contains(&g.group) {
                group_names.push(g.group.clone());
            }
        }
    }
    let groups = group_names
        .iter()
        .map(|gname| group_trend(gname, &per, z))
        .collect();
    let summary: Vec<Trend> = SUMMARY_METRICS
        .iter()
        .map(|m| {
            let worse: fn(f64, f64) -> bool = if WORSE_WHEN_LARGER.contains(m) {
                |x, y| y > x
            } else {
                never
            };
            trend(
                m,
                per.iter()
                    .map(|a| a.and_then(|a| a.summary.get(*m)))
                    .collect(),
                z,
                worse,
            )
        })
        .collect();
    AttributeTrend {
        name: name.to_string(),
        groups,
        summary,
    }
}

/// One group across the audits: whether it appeared or vanished in the last audit, and its
/// metrics (not tested when the group is small in either of the last two).
fn group_trend(
    gname: &str,
    per: &[Option<&crate::audit::AttributeAudit>],
    z: &[f64],
) -> GroupTrend {
    let gs: Vec<Option<&crate::audit::GroupAudit>> = per
        .iter()
        .map(|a| a.and_then(|a| a.groups.iter().find(|g| g.group == gname && g.n > 0)))
        .collect();
    let k = gs.len();
    let change = match (gs[k - 2].is_some(), gs[k - 1].is_some()) {
        (false, true) => "appeared",
        (true, false) => "vanished",
        _ => "",
    };
    // A small segment's metrics are shown but not tested.
    let small = gs[k - 2].is_some_and(|g| g.small) || gs[k - 1].is_some_and(|g| g.small);
    let metrics: Vec<Trend> = GROUP_METRICS
        .iter()
        .map(|m| {
            let worse: fn(f64, f64) -> bool = if *m == key::DISPARATE_IMPACT {
                |x, y| y.ln().abs() > x.ln().abs()
            } else {
                never
            };
            let mut t = trend(
                m,
                gs.iter()
                    .map(|g| g.and_then(|g| g.metrics.get(*m)))
                    .collect(),
                z,
                worse,
            );
            if small {
                t.z = None;
            }
            t
        })
        .collect();
    GroupTrend {
        group: gname.to_string(),
        n: gs.iter().map(|g| g.map(|g| g.n)).collect(),
        change: change.to_string(),
        small: gs.iter().flatten().any(|g| g.small),
        metrics,
    }
}

/// Holm's adjustment across every tested change (hundreds of metrics are compared at once);
/// returns the number of regressions: changes beyond noise for the worse.
fn holm_across(attributes: &mut [AttributeTrend]) -> usize {
    let mut tested: Vec<&mut Trend> = attributes
        .iter_mut()
        .flat_map(|a| {
            a.groups
                .iter_mut()
                .flat_map(|g| g.metrics.iter_mut())
                .chain(a.summary.iter_mut())
        })
        .filter(|t| t.z.is_some())
        .collect();
    let p: Vec<f64> = tested
        .iter()
        .map(|t| {
            let z = t.z.unwrap_or(0.0).abs();
            2.0 * (1.0 - statrs::distribution::ContinuousCDF::cdf(&normal(), z))
        })
        .collect();
    let mut regressions = 0;
    for (t, adj) in tested.iter_mut().zip(holm(&p)) {
        t.p_holm = Some(adj);
        t.beyond_noise = adj < 0.05;
        t.regression = t.beyond_noise && t.worse;
        regressions += usize::from(t.regression);
    }
    regressions
}

/// Each policy rule's status in each audit; a rule that got worse in the last audit is a
/// regression. An audit the policy cannot be applied to (an attribute it lacks) is
/// inconclusive for every rule, with a note.
fn rule_changes(p: &Policy, evidence: &[Evidence], notes: &mut Vec<String>) -> Vec<RuleChange> {
    let mut per_rule: BTreeMap<usize, (String, Vec<Status>)> = BTreeMap::new();
    for (i, e) in evidence.iter().enumerate() {
        match policy::evaluate(p, e) {
            Ok(g) => {
                for (j, r) in g.rules.iter().enumerate() {
                    per_rule
                        .entry(j)
                        .or_insert_with(|| (r.id.clone(), Vec::new()))
                        .1
                        .push(r.status);
                }
            }
            Err(err) => {
                notes.push(format!(
                    "audit {}: the policy cannot be applied: {err}",
                    i + 1
                ));
                for (j, r) in p.rules.iter().enumerate() {
                    per_rule
                        .entry(j)
                        .or_insert_with(|| (r.id.clone(), Vec::new()))
                        .1
                        .push(Status::Inconclusive);
                }
            }
        }
    }
    per_rule
        .into_values()
        .map(|(id, statuses)| {
            let k = statuses.len();
            RuleChange {
                regression: k >= 2 && statuses[k - 1] > statuses[k - 2],
                id,
                statuses,
            }
        })
        .collect()
}

impl Comparison {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// The changes beyond noise, group appearances, rule changes and notes, one per line.
    pub fn changes(&self) -> Vec<String> {
        let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.3}", v + 0.0));
        let mut out = Vec::new();
        for a in &self.attributes {
            for g in &a.groups {
                if !g.change.is_empty() {
                    out.push(format!(
                        "{}={}: {} (n {})",
                        a.name,
                        g.group,
                        g.change,
                        g.n.iter()
                            .map(|n| n.map_or("-".into(), |n| n.to_string()))
                            .collect::<Vec<_>>()
                            .join(" -> ")
                    ));
                }
                for t in g.metrics.iter().filter(|t| t.beyond_noise) {
                    let k = t.values.len();
                    out.push(format!(
                        "{}={} {}: {} -> {} (change {:+.3}, z {:.1}, Holm p {}){}",
                        a.name,
                        g.group,
                        t.metric,
                        f(t.values[k - 2]),
                        f(t.values[k - 1]),
                        t.change.unwrap_or(0.0),
                        t.z.unwrap_or(0.0),
                        crate::text::p_value(t.p_holm.unwrap_or(1.0)),
                        if t.regression { ": REGRESSION" } else { "" }
                    ));
                }
            }
            for t in a.summary.iter().filter(|t| t.beyond_noise) {
                let k = t.values.len();
                out.push(format!(
                    "{} {}: {} -> {} (z {:.1}){}",
                    a.name,
                    t.metric,
                    f(t.values[k - 2]),
                    f(t.values[k - 1]),
                    t.z.unwrap_or(0.0),
                    if t.regression { ": REGRESSION" } else { "" }
                ));
            }
        }
        for r in &self.rules {
            let k = r.statuses.len();
            if r.statuses[k - 1] != r.statuses[k - 2] {
                out.push(format!(
                    "rule {}: {} -> {}{}",
                    r.id,
                    r.statuses[k - 2].word(),
                    r.statuses[k - 1].word(),
                    if r.regression { ": REGRESSION" } else { "" }
                ));
            }
        }
        out
    }

    /// A readable summary.
    pub fn to_text(&self) -> String {
        let mut s = String::from("Audits compared (oldest first):\n");
        for (i, a) in self.audits.iter().enumerate() {
            s.push_str(&format!(
                "  {}. {} ({} rows, data sha256 {})\n",
                i + 1,
                a.path,
                a.rows_used,
                crate::text::prefix(&a.data_sha256, 12)
            ));
        }
        let changes = self.changes();
        s.push_str(&format!(
            "\nChanges from audit {} to audit {} beyond sampling noise (Holm-adjusted p < 0.05 across every tested change), appeared or vanished groups, rule changes: {}\n",
            self.audits.len() - 1,
            self.audits.len(),
            changes.len()
        ));
        for c in &changes {
            s.push_str(&format!("  {c}\n"));
        }
        if !self.notes.is_empty() {
            s.push_str("\nNotes:\n");
            for n in &self.notes {
                s.push_str(&format!("  {n}\n"));
            }
        }
        s.push_str(&format!("\nRegressions: {}\n", self.regressions));
        s
    }

    /// [`Comparison::to_text`] with its lines wrapped to `layout.width` (continuations
    /// indented as the line).
    pub fn to_text_in(&self, layout: crate::doc::TextLayout) -> String {
        match layout.width {
            Some(w) => crate::text::wrap(&self.to_text(), usize::from(w)),
            None => self.to_text(),
        }
    }

    /// The same as Markdown.
    pub fn to_markdown(&self) -> String {
        self.document().markdown()
    }

    /// The comparison as a document: the audits compared, the changes and notes, the number
    /// of regressions.
    pub fn document(&self) -> Document {
        let mut d = Document::new();
        d.heading(2, own_line("Changes since the previous audit"));
        d.table(
            ["#", "audit", "rows", "data sha256"].map(own_line).to_vec(),
            self.audits
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    vec![
                        own_line((i + 1).to_string()),
                        data_line(&a.path),
                        own_line(a.rows_used.to_string()),
                        data_line(&a.data_sha256),
                    ]
                })
                .collect(),
        );
        d.blocks.extend(self.change_blocks());
        d
    }

    /// The changes as a reader wants them: regressions first, then the other changes beyond
    /// noise (collapsed when there are many), then the notes.
    pub fn change_blocks(&self) -> Vec<crate::doc::Block> {
        use crate::doc::Block;
        let mut out = Vec::new();
        let (regressions, others): (Vec<String>, Vec<String>) = self
            .changes()
            .into_iter()
            .partition(|c| c.ends_with(": REGRESSION"));
        out.push(Block::Paragraph(vec![own_line(format!(
            "Regressions: {}. Other changes beyond sampling noise (or groups that appeared or vanished, rules that changed state): {}.",
            self.regressions,
            others.len()
        ))]));
        if regressions.is_empty() && others.is_empty() {
            out.push(Block::Paragraph(vec![own_line(
                "No change beyond sampling noise, no group appeared or vanished, no rule changed state.",
            )]));
        }
        if !regressions.is_empty() {
            out.push(Block::Heading(
                3,
                own_line(format!("Regressions ({})", regressions.len())),
            ));
            out.push(Block::List(
                regressions.into_iter().map(data_line).collect(),
            ));
        }
        if !others.is_empty() {
            let list = Block::List(others.iter().cloned().map(data_line).collect());
            let title = format!("Other changes beyond noise ({})", others.len());
            if others.len() > 10 {
                out.push(Block::Details {
                    summary: own_line(title),
                    blocks: vec![list],
                });
            } else {
                out.push(Block::Heading(3, own_line(title)));
                out.push(list);
            }
        }
        if !self.notes.is_empty() {
            out.push(Block::List(
                self.notes
                    .iter()
                    .map(|n| spans!["note: ", data(n)])
                    .collect(),
            ));
        }
        out
    }
}

impl crate::doc::Render for Comparison {
    fn to_json(&self) -> String {
        Comparison::to_json(self)
    }
    fn to_text(&self) -> String {
        Comparison::to_text(self)
    }
    fn to_text_in(&self, layout: crate::doc::TextLayout) -> String {
        Comparison::to_text_in(self, layout)
    }
    fn to_markdown(&self) -> String {
        Comparison::to_markdown(self)
    }
}
