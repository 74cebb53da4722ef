//! The report's content as a list of [`crate::doc`] blocks, rendered to Markdown here and to
//! HTML in [`super::html`], so both carry the same findings and tables.

use crate::doc::{data, data_line, link, own_line, plain, spans, strong, Block, Document, Line};

use super::{bias_audit, charts, Finding, Level, Report, ReportError};
use crate::audit::{group_table, AttributeAudit, Columns, Small};

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

/// The heading of an attribute's section (its anchor is what findings link to).
pub(super) fn attribute_heading(name: &str) -> String {
    format!("Attribute: {name}")
}

/// The heading of the proxy check.
const PROXY_HEADING: &str = "Proxy check";

/// The heading of the policy's verdict.
fn verdict_heading(policy: &str) -> String {
    format!("Policy verdict: {policy}")
}

/// A finding's line: its text and a link to the section with its evidence.
fn finding_line(r: &Report, f: &Finding, policy: &str) -> Line {
    let attribute = f.subject.as_deref().and_then(|s| {
        r.audit
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .filter(|name| s == *name || s.starts_with(&format!("{name}=")))
            .max_by_key(|name| name.len())
    });
    let target = match (attribute, f.rule.as_deref(), f.text.starts_with("proxy:")) {
        (Some(a), _, _) => Some(attribute_heading(a)),
        (None, _, true) if r.explain.is_some() => Some(PROXY_HEADING.to_string()),
        (None, Some(_), _) => Some(verdict_heading(policy)),
        _ => None,
    };
    match target {
        Some(t) => spans![
            data(&f.text),
            " (see ",
            link(data_line(t.as_str()), &t),
            ")"
        ],
        None => data_line(f.text.clone()),
    }
}

/// The findings grouped by status: FAIL, INCONCLUSIVE, WARN and INFO shown, PASS and NOT
/// APPLICABLE collapsed. The verdict (the first finding) is not repeated.
fn grouped(r: &Report, findings: &[Finding], policy: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for (level, collapsed) in [
        (Level::Fail, false),
        (Level::Inconclusive, false),
        (Level::Warn, false),
        (Level::Info, false),
        (Level::Pass, true),
        (Level::NotApplicable, true),
    ] {
        let items: Vec<_> = findings
            .iter()
            .skip(1)
            .filter(|f| f.level == level)
            .map(|f| (f.level.mark(), finding_line(r, f, policy)))
            .collect();
        if items.is_empty() {
            continue;
        }
        let title = format!("{} ({})", level.word(), items.len());
        if collapsed {
            out.push(Block::Details {
                summary: own_line(title),
                blocks: vec![Block::Marks(items)],
            });
        } else {
            out.push(Block::Heading(3, own_line(title)));
            out.push(Block::Marks(items));
        }
    }
    out
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
    ("gate statuses", "PASS: the whole interval meets the rule's threshold; FAIL: the whole interval misses it; INCONCLUSIVE: the interval straddles it, or the comparison is undefined and the policy says so; WARN: a warn rule failed; NOT APPLICABLE: the rule's evidence was not given and the policy says it does not apply; INFO: a fact that judges nothing"),
];

fn attribute_blocks(
    a: &AttributeAudit,
    charts_on: bool,
    confidence: f64,
    statuses: charts::Statuses<'_>,
) -> Result<Vec<Block>, ReportError> {
    let mut out = vec![heading(2, attribute_heading(&a.name))];
    out.push(Block::Paragraph(vec![match &a.reference_group {
        Some(r) => spans![
            "Reference group: ",
            strong(data_line(r.as_str())),
            " (the most selected group that is neither small nor under 2% of the rows, unless --reference named it)."
        ],
        None => own_line("Reference group: none (no group is neither small nor under 2% of the rows): impact ratios are not computed."),
    }]));
    if charts_on {
        if let Some(h) = charts::heatmap(a, statuses, confidence) {
            out.push(Block::Html(h));
        }
    }
    let (head, rows) = group_table(a, &|s| s.to_string(), Small::Suppressed, Columns::All);
    out.push(Block::Captioned {
        caption: own_line(format!(
            "Per group: rates with their {}% Wilson intervals, the impact ratio against the reference group with its interval and Holm-adjusted p-value; groups below the minimum size show their counts only.",
            confidence * 100.0
        )),
        head: head.iter().map(|h| own_line(*h)).collect(),
        rows: rows
            .into_iter()
            .map(|r| r.into_iter().map(data_line).collect())
            .collect(),
    });
    if charts_on {
        out.push(Block::Figure(
            charts::selection_rates(a, confidence).map_err(ReportError::Chart)?,
        ));
        out.push(Block::Figure(
            charts::error_rates(a, confidence).map_err(ReportError::Chart)?,
        ));
        out.extend(
            charts::reliability(a, confidence)
                .map_err(ReportError::Chart)?
                .into_iter()
                .map(Block::Figure),
        );
        if a.groups.iter().any(|g| !g.small && !g.roc.is_empty()) {
            out.extend(
                charts::roc(a)
                    .map_err(ReportError::Chart)?
                    .into_iter()
                    .map(Block::Figure),
            );
        }
        if a.groups
            .iter()
            .any(|g| !g.small && !g.score_distribution.is_empty())
        {
            out.extend(
                charts::score_distributions(a)
                    .map_err(ReportError::Chart)?
                    .into_iter()
                    .map(Block::Figure),
            );
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
    out.push(captioned(
        "NYC Local Law 144 style: per category, selection and scoring rates and their impact ratios against the most selected (highest scoring) category; categories under 2% of the rows are shown but excluded.",
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
    let (gate, built_in) = r.verdicts()?;
    let policy = gate.policy.name.clone();
    let mut out = vec![heading(1, "fairgate audit report".into())];
    out.extend(first_screen(r, findings, &policy)?);
    let contents_at = out.len();
    out.push(heading(2, "Summary of findings".into()));
    out.extend(grouped(r, findings, &policy));
    out.extend(gate_blocks(&gate, built_in));
    if let Some(c) = &r.previous {
        out.extend(previous_blocks(c));
    }
    if let Some(m) = &r.mitigation {
        out.extend(mitigation_blocks(m, charts_on)?);
    }
    // The policy's status of each impact ratio it judged, for the heat maps.
    let statuses: Vec<(String, crate::policy::Status)> = gate
        .rules
        .iter()
        .filter(|rule| rule.metric == crate::audit::key::DISPARATE_IMPACT)
        .take(1)
        .flat_map(|rule| rule.checks.iter().map(|c| (c.subject.clone(), c.status)))
        .collect();
    for a in &r.audit.attributes {
        out.extend(attribute_blocks(
            a,
            charts_on,
            r.audit.options.confidence,
            &statuses,
        )?);
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
    out.push(captioned(
        "Every input of this report with its SHA-256 (fairgate report --verify re-hashes them).",
        ["role", "file", "sha256", "bytes"]
            .map(String::from)
            .to_vec(),
        r.manifest_inputs()?
            .iter()
            .map(|f| {
                vec![
                    f.role.clone(),
                    f.path.clone(),
                    crate::provenance::shown_digest(&f.sha256).to_string(),
                    f.bytes.map_or("-".into(), |b| b.to_string()),
                ]
            })
            .collect(),
    ));
    // The contents: every section, linked.
    let mut sections: Vec<Line> = Vec::new();
    for b in &out {
        match b {
            Block::Heading(2, line) => sections.push(line.clone()),
            Block::Section(d) => {
                if let Some(Block::Heading(_, line)) = d.blocks.first() {
                    sections.push(line.clone());
                }
            }
            _ => {}
        }
    }
    let contents = sections
        .into_iter()
        .map(|l| vec![link(l.clone(), &plain(&l))])
        .collect();
    out.insert(contents_at, Block::List(contents));
    out.insert(contents_at, heading(2, "Contents".into()));
    Ok(out)
}

/// A table with a caption of fairgate's words whose header and cells are text.
fn captioned(caption: &str, head: Vec<String>, rows: Vec<Vec<String>>) -> Block {
    Block::Captioned {
        caption: own_line(caption),
        head: head.into_iter().map(data_line).collect(),
        rows: rows
            .into_iter()
            .map(|r| r.into_iter().map(data_line).collect())
            .collect(),
    }
}

/// What a reader needs first: the verdict, what was audited (data, model, policy, hashes,
/// rows, which rows), and the most severe findings, each linked to its section.
fn first_screen(r: &Report, findings: &[Finding], policy: &str) -> Result<Vec<Block>, ReportError> {
    let mut out = Vec::new();
    if let Some(v) = findings.first() {
        out.push(Block::Marks(vec![(
            v.level.mark(),
            spans![strong(data_line(v.text.as_str()))],
        )]));
    }
    let i = &r.audit.input;
    let o = &r.audit.options;
    let mut rows = vec![
        vec![
            "audited data".to_string(),
            format!(
                "{} (sha256 {})",
                i.path,
                crate::provenance::shown_digest(&i.sha256)
            ),
        ],
        vec![
            "rows".into(),
            format!(
                "{} read, {} audited, {} rejected{}",
                i.rows_read,
                i.rows_used,
                i.rows_rejected,
                if i.rows_filtered > 0 {
                    format!(", {} filtered out", i.rows_filtered)
                } else {
                    String::new()
                }
            ),
        ],
        vec!["which rows".into(), r.audited_rows()],
    ];
    if let Some(m) = r.inputs.iter().find(|f| f.role == "model") {
        rows.push(vec![
            "model".into(),
            format!("{} (sha256 {})", m.path, m.sha256),
        ]);
    }
    let (gate, built_in) = r.verdicts()?;
    rows.push(vec![
        "policy".into(),
        format!(
            "{} ({}{}, sha256 {})",
            gate.policy.name,
            gate.policy.path,
            if built_in { ", built in" } else { "" },
            gate.policy.sha256
        ),
    ]);
    rows.push(vec![
        "options".into(),
        format!(
            "decision threshold {}, minimum group size {}, {}% intervals",
            o.threshold,
            o.min_group_size,
            o.confidence * 100.0
        ),
    ]);
    rows.push(vec![
        "made".into(),
        format!("{} by fairgate {}", r.created, crate::version::VERSION),
    ]);
    out.push(captioned(
        "What was audited",
        vec!["what".into(), "".into()],
        rows,
    ));
    let severe: Vec<_> = findings
        .iter()
        .skip(1)
        .filter(|f| matches!(f.level, Level::Fail | Level::Inconclusive))
        .take(5)
        .map(|f| (f.level.mark(), finding_line(r, f, policy)))
        .collect();
    if !severe.is_empty() {
        let total = findings
            .iter()
            .skip(1)
            .filter(|f| matches!(f.level, Level::Fail | Level::Inconclusive))
            .count();
        out.push(paragraph(format!(
            "The most severe findings ({} of {total} FAIL or INCONCLUSIVE; all in the summary below):",
            severe.len()
        )));
        out.push(Block::Marks(severe));
    }
    Ok(out)
}

/// The policy's verdict and its rules (`built_in`: the report judged with the built-in
/// four-fifths policy because no gate result was given).
fn gate_blocks(g: &crate::policy::GateResult, built_in: bool) -> Vec<Block> {
    let mut out = Vec::new();
    out.push(heading(2, verdict_heading(&g.policy.name)));
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
    out.push(paragraph(format!(
        "Previous audit {} against this one: changes beyond sampling noise (Holm-adjusted p < 0.05 across every tested change), groups that appeared or vanished.",
        c.audits.first().map_or("", |a| a.path.as_str()),
    )));
    out.extend(c.change_blocks());
    out
}

/// The search for less discriminatory alternatives, with its trade-off chart after the
/// candidates' table.
fn mitigation_blocks(
    m: &crate::mitigate::LdaResult,
    charts_on: bool,
) -> Result<Vec<Block>, ReportError> {
    let mut out = m.document().blocks;
    if charts_on {
        let at = out
            .iter()
            .position(|b| matches!(b, Block::Table { .. }))
            .map_or(out.len(), |i| i + 1);
        out.insert(
            at,
            Block::Figure(charts::tradeoff(m).map_err(ReportError::Chart)?),
        );
    }
    Ok(out)
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
    out.push(heading(2, PROXY_HEADING.into()));
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
