//! The audit's output: one serializable report (the JSON contract) and a readable table.
//! Counts, rates and names only; never a raw record.

use super::key;
use crate::text::escape_markdown;

use std::collections::BTreeMap;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table as TextTable};
use serde::Serialize;

use super::{AttributeAudit, AuditParams, Binning, MetricValue};
use crate::data::{LoadSummary, Rejection, Role};

/// The name of the column with `role`, if the load read one.
fn column_of(load: &LoadSummary, role: Role) -> Option<String> {
    load.columns
        .iter()
        .find(|c| c.role == role)
        .map(|c| c.name.clone())
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The version of the audit JSON layout.
pub const AUDIT_SCHEMA_VERSION: u32 = 1;

/// What was audited.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct AuditInput {
    /// The data file.
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows audited.
    pub rows_used: u64,
    /// Rows rejected.
    pub rows_rejected: u64,
    /// Rows left out by `--filter` (absent when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rows_filtered: u64,
    /// `--filter COLUMN=VALUE`: only rows with that value were audited (absent without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Rejections by reason.
    pub rejected: Vec<Rejection>,
    /// With an audit of statistics (`--from-stats`), each statistics file and how it was made
    /// (absent otherwise); `path` and `sha256` above then name them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statistics: Vec<StatsInput>,
}

/// A statistics file an audit was computed from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct StatsInput {
    /// The file.
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// How it was made (its `source` lines).
    pub made_by: Vec<String>,
}

/// The options in force.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct AuditOptions {
    /// Decision threshold (unused with a prediction column).
    pub threshold: f64,
    /// Minimum group size.
    pub min_group_size: u64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Reference groups given by the user.
    pub reference: BTreeMap<String, String>,
    /// The columns audited, by role (absent in reports written before they were recorded).
    #[serde(default)]
    pub columns: AuditColumns,
    /// The calibration binning.
    #[serde(default)]
    pub bins: Binning,
    /// Bootstrap replicates (0: no bootstrap).
    #[serde(default)]
    pub bootstrap: usize,
    /// The bootstrap's seed, when there are replicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// The columns an audit read, by role; protected columns are in each attribute's `columns`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AuditColumns {
    /// The label.
    pub label: Option<String>,
    /// The score, when audited by score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    /// The 0/1 decision, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prediction: Option<String>,
    /// The row weight, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
}

/// The whole audit.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct AuditReport {
    /// Layout version.
    pub schema_version: u32,
    /// fairgate's version.
    pub fairgate_version: String,
    /// The input.
    pub input: AuditInput,
    /// The options.
    pub options: AuditOptions,
    /// One entry per attribute.
    pub attributes: Vec<AttributeAudit>,
}

impl AuditReport {
    /// Assembles the report.
    pub fn new(load: &LoadSummary, params: &AuditParams, attributes: Vec<AttributeAudit>) -> Self {
        let input = AuditInput {
            path: load.source.clone(),
            sha256: load.sha256.clone(),
            rows_read: load.rows_read,
            rows_used: load.rows_used,
            rows_rejected: load.rows_rejected,
            rows_filtered: load.rows_filtered,
            filter: load.filter.clone(),
            rejected: load.rejected.clone(),
            statistics: Vec::new(),
        };
        let columns = AuditColumns {
            label: column_of(load, Role::Label),
            score: column_of(load, Role::Score),
            prediction: column_of(load, Role::Prediction),
            weight: column_of(load, Role::Weight),
        };
        AuditReport::from_parts(input, columns, params, attributes)
    }

    /// Assembles the report from its input, the columns audited, the options and the
    /// attributes' audits.
    pub fn from_parts(
        input: AuditInput,
        columns: AuditColumns,
        params: &AuditParams,
        attributes: Vec<AttributeAudit>,
    ) -> Self {
        AuditReport {
            schema_version: AUDIT_SCHEMA_VERSION,
            fairgate_version: crate::version::VERSION.to_string(),
            input,
            options: AuditOptions {
                threshold: params.threshold,
                min_group_size: params.min_group_size,
                confidence: params.confidence,
                reference: params.reference.clone(),
                columns,
                bins: params.binning,
                bootstrap: params.bootstrap,
                seed: (params.bootstrap > 0).then_some(params.seed),
            },
            attributes,
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// A readable account for a terminal.
    pub fn to_text(&self) -> String {
        self.render(
            &|header, rows| {
                let mut t = TextTable::new();
                t.load_preset(UTF8_FULL_CONDENSED).set_header(header);
                for r in rows {
                    t.add_row(r);
                }
                format!("{t}\n")
            },
            &|s| s.to_string(),
        )
    }

    /// GitHub-flavoured Markdown: a heading and a table per attribute, with every
    /// user-supplied name escaped (`|`, line breaks, and Markdown's emphasis characters).
    pub fn to_markdown(&self) -> String {
        let md = self.render(
            &|header, rows| {
                let esc_row = |cells: &[String]| format!("| {} |", cells.join(" | "));
                let mut out = esc_row(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
                out.push('\n');
                out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                for r in rows {
                    out.push_str(&esc_row(r));
                    out.push('\n');
                }
                out.push('\n');
                out
            },
            &escape_markdown,
        );
        format!("# fairgate audit\n\n{md}")
    }

    /// The shared walk: a paragraph on the input, then per attribute a title, a table of
    /// groups and the summary. `table(header, rows)` renders a table; `esc` escapes names.
    fn render(&self, table: &TableFn, esc: &dyn Fn(&str) -> String) -> String {
        let i = &self.input;
        let o = &self.options;
        let bootstrap = match o.seed {
            Some(seed) if o.bootstrap > 0 => {
                format!(", {} bootstrap replicates (seed {seed})", o.bootstrap)
            }
            _ => String::new(),
        };
        let filtered = match &i.filter {
            Some(f) => format!(
                " (only rows where {}: {} other rows filtered out)",
                esc(f),
                i.rows_filtered
            ),
            None => String::new(),
        };
        // Data from memory (a DataFrame) has no file digest.
        let digest = match i.sha256.as_str() {
            "" => String::new(),
            h => format!(" (sha256 {h})"),
        };
        let mut out = format!(
            "{}{digest}: {} rows audited{filtered}, {} rejected; threshold {}, minimum group size {}, {}% intervals, {} calibration bins{bootstrap}\n\n",
            esc(&i.path),
            i.rows_used,
            i.rows_rejected,
            o.threshold,
            o.min_group_size,
            o.confidence * 100.0,
            o.bins
        );
        // One number for the whole sample, the same under every attribute: shown once.
        if let Some(t) = self
            .attributes
            .first()
            .and_then(|a| a.summary.get(key::THEIL_INDEX))
        {
            out.push_str(&format!(
                "Theil index (whole sample, every attribute alike): {}\n\n",
                point(Some(*t))
            ));
        }
        for a in &self.attributes {
            out.push_str(&format!(
                "{} (reference group: {})\n\n",
                esc(&a.name),
                a.reference_group.as_deref().map_or("none".to_string(), esc)
            ));
            let (header, rows) = group_table(a, esc, Small::Shown);
            let header: Vec<&str> = header.to_vec();
            out.push_str(&table(&header, &rows));
            let summary: Vec<Vec<String>> = a
                .summary
                .iter()
                .filter(|(k, _)| k.as_str() != key::THEIL_INDEX)
                .map(|(k, v)| vec![k.replace('_', " "), point(Some(*v))])
                .collect();
            out.push_str(&table(&["summary (groups not small)", "value"], &summary));
            for (rate, groups) in &a.excluded_from_summary {
                out.push_str(&format!(
                    "{rate} is undefined in, and left out for: {}\n\n",
                    groups.iter().map(|g| esc(g)).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        out
    }
}

/// Renders a table from its header and rows.
type TableFn = dyn Fn(&[&str], &[Vec<String>]) -> String;

/// The columns of [`group_table`].
pub const GROUP_TABLE_HEADER: [&str; 11] = [
    "group",
    "n",
    "selection rate",
    "base rate",
    "TPR",
    "FPR",
    "PPV",
    "AUC",
    "ECE",
    "impact ratio",
    "p (Holm)",
];

/// What [`group_table`] shows for a group below the minimum size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Small {
    /// Its metrics, marked "(small)" (the analyst's own view: `fairgate audit`).
    Shown,
    /// Its count only, every metric "suppressed" (reports handed to others).
    Suppressed,
}

/// The per-group table of an attribute, the one definition every output uses (the audit's
/// text and Markdown, the report's pages): per group its name (with "(small)" and "(< 2%)"
/// notes), n, the selection rate, TPR, FPR, PPV and impact ratio with their intervals, the
/// base rate, AUC and ECE, and the Holm-adjusted p-value of the selection-rate test; an impact ratio
/// under 0.8 of a group that is not small is flagged "< 4/5". Names pass through `esc`.
pub fn group_table(
    a: &AttributeAudit,
    esc: &dyn Fn(&str) -> String,
    small: Small,
) -> ([&'static str; 11], Vec<Vec<String>>) {
    let rows = a
        .groups
        .iter()
        .map(|g| {
            let m = |k: &str| g.metrics.get(k).copied();
            let di = m(key::DISPARATE_IMPACT);
            let flag = match di.and_then(|d| d.value) {
                Some(v) if v < 0.8 && !g.small => " < 4/5",
                _ => "",
            };
            let mut notes = Vec::new();
            if g.small {
                notes.push("small");
            }
            if g.under_2_percent {
                notes.push("< 2%");
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join(", "))
            };
            let mut row = vec![format!("{}{notes}", esc(&g.group)), g.n.to_string()];
            if g.small && small == Small::Suppressed {
                row.resize(GROUP_TABLE_HEADER.len(), "suppressed".into());
                return row;
            }
            row.extend([
                with_ci(m(key::SELECTION_RATE)),
                point(m(key::BASE_RATE)),
                with_ci(m(key::TPR)),
                with_ci(m(key::FPR)),
                with_ci(m(key::PPV)),
                point(m(key::AUC)),
                point(m(key::ECE)),
                format!("{}{flag}", with_ci(di)),
                di.and_then(|d| d.p_value_holm)
                    .map_or("-".into(), crate::text::p_value),
            ]);
            row
        })
        .collect();
    (GROUP_TABLE_HEADER, rows)
}

/// A metric's value to three decimals, or "undefined (reason)", or "-" when absent.
pub fn point(v: Option<MetricValue>) -> String {
    match v {
        Some(MetricValue { value: Some(x), .. }) => format!("{x:.3}"),
        Some(MetricValue {
            undefined_reason: Some(r),
            ..
        }) => format!(
            "undefined ({})",
            serde_json::to_value(r)
                .ok()
                .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                .unwrap_or_default()
        ),
        _ => "-".into(),
    }
}

/// [`point`] with the interval when the metric has one: `0.412 [0.380, 0.445]`.
pub fn with_ci(v: Option<MetricValue>) -> String {
    match v {
        Some(MetricValue {
            value: Some(x),
            ci_low: Some(lo),
            ci_high: Some(hi),
            ..
        }) => format!("{x:.3} [{lo:.3}, {hi:.3}]"),
        other => point(other),
    }
}

impl crate::doc::Render for AuditReport {
    fn to_json(&self) -> String {
        AuditReport::to_json(self)
    }
    fn to_text(&self) -> String {
        AuditReport::to_text(self)
    }
    fn to_markdown(&self) -> String {
        AuditReport::to_markdown(self)
    }
}
