//! The report's content as a list of [`crate::doc`] blocks, rendered to Markdown here and to
//! HTML in [`super::html`], so both carry the same findings and tables.

use crate::doc::{data_line, Block, Document};

use super::{bias_audit, charts, Finding, Report, ReportError};
use crate::audit::{group_table, AttributeAudit, Small};

fn heading(level: u8, text: String) -> Block {
    Block::Heading(level, data_line(text))
}

fn paragraph(text: String) -> Block {
    Block::Paragraph(vec![data_line(text)])
}

/// A table whose header and cells are text (escaped in every format).
fn table(head: Vec<String>, rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        head: head.into_iter().map(data_line).collect(),
        rows: rows
            .into_iter()
            .map(|r| r.into_iter().map(data_line).collect())
            .collect(),
    }
}

/// The findings with their status marks.
fn marks(findings: &[Finding]) -> Block {
    Block::Marks(
        findings
            .iter()
            .map(|f| (f.level.mark(), data_line(f.text.clone())))
            .collect(),
    )
}

fn opt(v: Option<f64>) -> String {
    // `+ 0.0` turns a negative zero into zero, so "-0.000" is never shown.
    v.map_or("-".into(), |x| format!("{:.3}", x + 0.0))
}

/// The metric definitions shown at the end.
const DEFINITIONS: &[(&str, &str)] = &[
    ("selection rate", "share of the group with a positive decision (score at or above the threshold), with a Wilson interval"),
    ("impact ratio (disparate impact)", "the group's selection rate divided by the reference group's (AIF360's disparate impact), with a Katz log interval and a Fisher or chi-square test against the reference, Holm-adjusted across the attribute's groups; the four-fifths rule flags a ratio below 0.8"),
    ("base rate", "share of the group with a positive label"),
    ("TPR / FNR", "true positive rate TP / (TP + FN) and false negative rate FN / (TP + FN): among the group's positives, the share selected and not selected"),
    ("FPR / TNR", "false positive rate FP / (FP + TN) and true negative rate TN / (FP + TN): among the group's negatives, the share selected and not selected"),
    ("PPV / FDR", "positive predictive value TP / (TP + FP) and false discovery rate FP / (TP + FP)"),
    ("NPV / FOR", "negative predictive value TN / (TN + FN) and false omission rate FN / (TN + FN)"),
    ("accuracy / balanced accuracy / F1", "(TP + TN) / n; (TPR + TNR) / 2; 2 TP / (2 TP + FP + FN)"),
    ("AUC and the ROC curve", "ROC AUC: the probability that a random positive scores above a random negative, ties counting one half; the ROC curve plots TPR against FPR for every threshold"),
    ("Brier score / log loss / mean score", "mean of (score - label)²; mean of -[y ln s + (1 - y) ln(1 - s)] with s clipped to [eps, 1 - eps]; mean of the scores"),
    ("calibration curve, ECE, MCE", "per score bin, the mean score against the observed positive rate (Wilson interval); ECE is the sum over bins of n_bin / n x |mean score - observed rate|, MCE the largest such gap"),
    ("calibration slope and intercept", "the coefficients of a logistic regression of the label on the logit of the score (1 and 0 when calibrated); calibration-in-the-large is the base rate minus the mean score"),
    ("Hosmer-Lemeshow", "sum over bins of (observed - expected)² / (expected (1 - mean score)), chi-square with bins - 2 degrees of freedom"),
    ("score distribution", "the share of the group's rows in each of 20 equal-width score bins"),
    ("scoring rate", "share of the group scoring above the whole sample's median score (NYC Local Law 144)"),
    ("selection rate difference / average odds difference", "the group's selection rate minus the reference group's (Newcombe interval); the mean of the group's FPR and TPR differences from the reference group's"),
    ("demographic parity difference / ratio", "the largest minus the smallest selection rate across the groups, and the smallest divided by the largest (Fairlearn)"),
    ("equalized odds difference / ratio", "the larger of the TPR and FPR ranges across the groups, and the smaller of their min/max ratios (Fairlearn)"),
    ("equal opportunity / predictive parity difference, ECE gap", "the range of TPR, of PPV and of ECE across the groups"),
    ("Theil index", "AIF360's generalized entropy index with alpha = 1 over b_i = prediction - label + 1, for the whole sample"),
    ("feature importance", "the standard deviation across people of a feature's contribution to the log-odds, β (x - training mean)"),
    ("Cramér's V / correlation ratio", "association of a feature with a protected attribute, from 0 (none) to 1 (the feature determines the group)"),
    ("gate statuses", "PASS: the whole interval meets the rule's threshold; FAIL: the whole interval misses it; INCONCLUSIVE: the interval straddles it, or the comparison is undefined and the policy says so; WARN: a warn rule failed"),
];

fn attribute_blocks(a: &AttributeAudit, charts_on: bool) -> Result<Vec<Block>, ReportError> {
    let mut out = vec![heading(
        2,
        format!(
            "{} (reference group: {})",
            a.name,
            a.reference_group.as_deref().unwrap_or("none")
        ),
    )];
    let (head, rows) = group_table(a, &|s| s.to_string(), Small::Suppressed);
    let head = head.map(String::from).to_vec();
    out.push(table(head, rows));
    if charts_on {
        out.push(Block::Figure(
            charts::selection_rates(a).map_err(ReportError::Chart)?,
        ));
        out.push(Block::Figure(
            charts::error_rates(a).map_err(ReportError::Chart)?,
        ));
        out.push(Block::Figure(
            charts::reliability(a).map_err(ReportError::Chart)?,
        ));
        if a.groups.iter().any(|g| !g.small && !g.roc.is_empty()) {
            out.push(Block::Figure(charts::roc(a).map_err(ReportError::Chart)?));
        }
        if a.groups
            .iter()
            .any(|g| !g.small && !g.score_distribution.is_empty())
        {
            out.push(Block::Figure(
                charts::score_distributions(a).map_err(ReportError::Chart)?,
            ));
        }
    }
    out.push(heading(3, format!("Bias-audit table: {}", a.name)));
    let audit_rows = bias_audit(a);
    let unknown: u64 = audit_rows.iter().filter(|b| b.unknown).map(|b| b.n).sum();
    let excluded: Vec<String> = audit_rows
        .iter()
        .filter(|b| b.excluded && !b.unknown)
        .map(|b| b.group.clone())
        .collect();
    out.push(table(
        [
            "category",
            "n",
            "selection rate",
            "impact ratio",
            "scoring rate",
            "scoring impact ratio",
        ]
        .map(String::from)
        .to_vec(),
        audit_rows
            .iter()
            .map(|b| {
                // A group below the minimum size shows its count only.
                let rate = |v: Option<f64>| {
                    if b.small {
                        "suppressed".to_string()
                    } else {
                        opt(v)
                    }
                };
                vec![
                    b.group.clone(),
                    b.n.to_string(),
                    rate(b.selection_rate),
                    if b.excluded {
                        "excluded".into()
                    } else {
                        opt(b.impact_ratio)
                    },
                    rate(b.scoring_rate),
                    if b.excluded {
                        "excluded".into()
                    } else {
                        opt(b.scoring_impact_ratio)
                    },
                ]
            })
            .collect(),
    ));
    out.push(paragraph(format!(
        "Impact ratios are against the most selected (and the highest scoring) category. Rows with an unknown category: {unknown}. {}",
        if excluded.is_empty() {
            "No category is under 2% of the rows.".to_string()
        } else {
            format!(
                "Categories under 2% of the rows are shown but excluded from the impact ratios: {}.",
                excluded.join(", ")
            )
        }
    )));
    Ok(out)
}

/// The document's blocks; charts only when `charts_on`.
pub fn blocks(
    r: &Report,
    findings: &[Finding],
    charts_on: bool,
) -> Result<Vec<Block>, ReportError> {
    let i = &r.audit.input;
    let mut out = vec![
        heading(1, "fairgate audit report".into()),
        paragraph(format!(
            "{} (sha256 {}): {} rows read, {} audited, {} rejected{}. {} Decision threshold {}, minimum group size {}, {}% intervals. fairgate {}, report made {}.",
            i.path,
            i.sha256,
            i.rows_read,
            i.rows_used,
            i.rows_rejected,
            if i.rows_filtered > 0 {
                format!(", {} filtered out", i.rows_filtered)
            } else {
                String::new()
            },
            r.audited_rows(),
            r.audit.options.threshold,
            r.audit.options.min_group_size,
            r.audit.options.confidence * 100.0,
            crate::version::VERSION,
            r.created
        )),
        heading(2, "Summary of findings".into()),
        marks(findings),
    ];
    let (gate, built_in) = r.verdicts()?;
    out.extend(gate_blocks(&gate, built_in));
    if let Some(c) = &r.previous {
        out.extend(previous_blocks(c));
    }
    for a in &r.audit.attributes {
        out.extend(attribute_blocks(a, charts_on)?);
    }
    if let Some(e) = &r.explain {
        out.extend(explanation_blocks(e, charts_on)?);
    }
    if charts_on {
        out.push(Block::Section(super::dpia::document(
            r, &r.context, findings,
        )));
    }
    out.push(heading(2, "Metric definitions".into()));
    out.push(table(
        vec!["metric".into(), "definition".into()],
        DEFINITIONS
            .iter()
            .map(|(k, v)| vec![k.to_string(), v.to_string()])
            .collect(),
    ));
    out.push(heading(2, "Inputs".into()));
    out.push(table(
        ["role", "file", "sha256", "bytes"]
            .map(String::from)
            .to_vec(),
        r.manifest_inputs()?
            .iter()
            .map(|f| {
                vec![
                    f.role.clone(),
                    f.path.clone(),
                    f.sha256.clone(),
                    f.bytes.map_or("-".into(), |b| b.to_string()),
                ]
            })
            .collect(),
    ));
    Ok(out)
}

/// The policy's verdict and its rules (`built_in`: the report judged with the built-in
/// four-fifths policy because no gate result was given).
fn gate_blocks(g: &crate::policy::GateResult, built_in: bool) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(heading(2, format!("Policy verdict: {}", g.policy.name)));
    out.push(paragraph(format!(
        "{}Policy file {} (sha256 {}). {}",
        if built_in {
            "No gate result was given (report --gate), so the report judges with fairgate's built-in four-fifths policy, by the same rules as fairgate gate. "
        } else {
            "The gate's result (fairgate gate). "
        },
        g.policy.path,
        g.policy.sha256,
        if g.passed {
            "No error rule blocks: PASSED."
        } else {
            "An error rule blocks: FAILED."
        }
    )));
    out.push(table(
        [
            "rule",
            "severity",
            "status",
            "worst check",
            "threshold",
            "why",
        ]
        .map(String::from)
        .to_vec(),
        g.rules
            .iter()
            .map(|rule| {
                let c = rule.decisive.and_then(|i| rule.checks.get(i));
                vec![
                    rule.id.clone(),
                    format!("{:?}", rule.severity).to_lowercase(),
                    rule.status.word().to_string(),
                    c.map_or("-".into(), |c| {
                        // Counts are whole numbers.
                        let num = |v: Option<f64>| match v {
                            Some(x) if rule.metric == "n" => format!("{x:.0}"),
                            v => opt(v),
                        };
                        let iv = match (c.low, c.high) {
                            (Some(lo), Some(hi)) => {
                                format!(" [{}, {}]", num(Some(lo)), num(Some(hi)))
                            }
                            _ => String::new(),
                        };
                        format!("{}{iv} at {}", num(c.value), c.subject)
                    }),
                    rule.threshold.clone(),
                    c.map_or(String::new(), |c| c.note.clone()),
                ]
            })
            .collect(),
    ));
    out
}

/// The changes since the previous audit.
fn previous_blocks(c: &crate::compare::Comparison) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(heading(2, "Changes since the previous audit".into()));
    let changes = c.changes();
    out.push(paragraph(format!(
        "Previous audit {} against this one: changes beyond sampling noise (Holm-adjusted p < 0.05 across every tested change), groups that appeared or vanished. Regressions: {}.",
        c.audits.first().map_or("", |a| a.path.as_str()),
        c.regressions
    )));
    out.push(table(
        vec!["change".into()],
        if changes.is_empty() {
            vec![vec!["none".into()]]
        } else {
            changes.into_iter().map(|x| vec![x]).collect()
        },
    ));
    out
}

/// Feature contributions and the proxy check.
fn explanation_blocks(
    e: &crate::explain::Explanation,
    charts_on: bool,
) -> Result<Vec<Block>, ReportError> {
    let mut out = Vec::new();
    if charts_on && !e.importance.is_empty() {
        out.push(heading(2, "Feature contributions".into()));
        out.push(Block::Figure(
            charts::contributions(e).map_err(ReportError::Chart)?,
        ));
    }
    out.push(heading(2, "Proxy check".into()));
    let rows = e
        .proxies
        .iter()
        .map(|p| {
            vec![
                p.feature.clone(),
                p.attribute.clone(),
                format!("{} {}", p.measure, opt(p.association)),
                opt(p.auc),
                if p.likely_proxy { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    out.push(table(
        ["feature", "attribute", "association", "AUC", "likely proxy"]
            .map(String::from)
            .to_vec(),
        rows,
    ));
    if charts_on && !e.proxies.is_empty() {
        out.push(Block::Figure(
            charts::proxies(e).map_err(ReportError::Chart)?,
        ));
    }
    Ok(out)
}

/// The report as GitHub-flavoured Markdown.
pub fn render(r: &Report, findings: &[Finding]) -> String {
    let blocks = match blocks(r, findings, false) {
        Ok(b) => b,
        Err(e) => vec![paragraph(e.to_string())],
    };
    let mut s = Document { blocks }.markdown();
    s.push('\n');
    s
}
