//! The audit's output: one serializable report (the JSON contract) and a readable table.
//! Counts, rates and names only; never a raw record.

use super::key;
use crate::text::escape_markdown;

use std::collections::BTreeMap;

use crate::doc::TextLayout;
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
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct StatsInput {
    /// The file.
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// How it was made (its `source` lines).
    pub made_by: Vec<String>,
}

/// The options in force.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
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
#[derive(
    Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
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
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
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

    /// A readable account for a terminal: every column, no width limit; empty groups are
    /// counted in their attribute's title rather than listed (as in [`Self::to_text_in`]).
    pub fn to_text(&self) -> String {
        self.to_text_in(TextLayout::FULL)
    }

    /// A readable account laid out for a terminal: the compact columns (point values, the
    /// impact ratio with its interval) unless `layout.wide`, every table fitted to
    /// `layout.width` (cells wrap inside their column). Empty groups are left out of the
    /// tables; the attribute's title says how many.
    pub fn to_text_in(&self, layout: TextLayout) -> String {
        self.render(
            &move |header, rows| {
                let mut t = layout.table();
                t.set_header(header);
                for r in rows {
                    t.add_row(r);
                }
                format!("{t}\n")
            },
            &|s| s.to_string(),
            View {
                columns: if layout.wide {
                    Columns::All
                } else {
                    Columns::Compact
                },
                empty_groups: false,
                width: layout.width.map(usize::from),
            },
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
            View {
                columns: Columns::All,
                empty_groups: true,
                width: None,
            },
        );
        format!("# fairgate audit\n\n{md}")
    }

    /// The shared walk: a paragraph on the input, then per attribute a title, a table of
    /// groups and the summary. `table(header, rows)` renders a table; `esc` escapes names;
    /// `view` says which columns and whether empty groups get rows.
    fn render(&self, table: &TableFn, esc: &dyn Fn(&str) -> String, view: View) -> String {
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
        let wrap = |s: String| match view.width {
            Some(w) => crate::text::wrap(&s, w),
            None => s,
        };
        let mut out = wrap(format!(
            "{}{digest}: {} rows audited{filtered}, {} rejected; threshold {}, minimum group size {}, {}% intervals, {} calibration bins{bootstrap}\n\n",
            esc(&i.path),
            i.rows_used,
            i.rows_rejected,
            o.threshold,
            o.min_group_size,
            o.confidence * 100.0,
            o.bins
        ));
        // One number for the whole sample, the same under every attribute: shown once.
        if let Some(t) = self
            .attributes
            .first()
            .and_then(|a| a.summary.get(key::THEIL_INDEX))
        {
            out.push_str(&wrap(format!(
                "Theil index (whole sample, every attribute alike): {}\n\n",
                point(Some(*t))
            )));
        }
        for a in &self.attributes {
            let empty = a.groups.iter().filter(|g| g.n == 0).count();
            let hidden = match (view.empty_groups, empty) {
                (true, _) | (false, 0) => String::new(),
                (false, 1) => "; 1 empty group not shown".into(),
                (false, k) => format!("; {k} empty groups not shown"),
            };
            out.push_str(&wrap(format!(
                "{} (reference group: {}{hidden})\n\n",
                esc(&a.name),
                a.reference_group.as_deref().map_or("none".to_string(), esc)
            )));
            let (header, rows) = group_table(a, esc, Small::Shown, view.columns);
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .zip(&a.groups)
                .filter(|(_, g)| view.empty_groups || g.n > 0)
                .map(|(r, _)| r)
                .collect();
            out.push_str(&table(header, &rows));
            let summary: Vec<Vec<String>> = a
                .summary
                .iter()
                .filter(|(k, _)| k.as_str() != key::THEIL_INDEX)
                .map(|(k, v)| vec![k.replace('_', " "), point(Some(*v))])
                .collect();
            out.push_str(&table(&["summary (groups not small)", "value"], &summary));
            for (rate, groups) in &a.excluded_from_summary {
                out.push_str(&wrap(format!(
                    "{rate} is undefined in, and left out for: {}\n\n",
                    groups.iter().map(|g| esc(g)).collect::<Vec<_>>().join(", ")
                )));
            }
        }
        out
    }
}

/// Renders a table from its header and rows.
type TableFn = dyn Fn(&[&str], &[Vec<String>]) -> String;

/// Which columns and rows an account of the audit shows.
#[derive(Clone, Copy, Debug)]
struct View {
    /// The group table's columns.
    columns: Columns,
    /// Whether groups without rows get a row (else the title counts them).
    empty_groups: bool,
    /// The width paragraphs are wrapped to (tables fit it by themselves).
    width: Option<usize>,
}

/// The columns of [`group_table`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columns {
    /// [`GROUP_TABLE_HEADER`]: every metric, rates with their intervals.
    All,
    /// [`COMPACT_GROUP_TABLE_HEADER`], for a terminal: the decision rates' point values, the
    /// impact ratio with its interval and flag, and the test (no base rate, AUC or ECE).
    Compact,
}

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

/// The columns of [`group_table`] with [`Columns::Compact`].
pub const COMPACT_GROUP_TABLE_HEADER: [&str; 8] = [
    "group",
    "n",
    "selection rate",
    "TPR",
    "FPR",
    "PPV",
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
/// [`Columns::Compact`] keeps [`COMPACT_GROUP_TABLE_HEADER`]'s columns, rates without their
/// intervals.
pub fn group_table(
    a: &AttributeAudit,
    esc: &dyn Fn(&str) -> String,
    small: Small,
    columns: Columns,
) -> (&'static [&'static str], Vec<Vec<String>>) {
    let header: &'static [&'static str] = match columns {
        Columns::All => &GROUP_TABLE_HEADER,
        Columns::Compact => &COMPACT_GROUP_TABLE_HEADER,
    };
    let rate = |v: Option<MetricValue>| match columns {
        Columns::All => with_ci(v),
        Columns::Compact => point(v),
    };
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
                row.resize(header.len(), "suppressed".into());
                return row;
            }
            let test = di
                .and_then(|d| d.p_value_holm)
                .map_or("-".into(), crate::text::p_value);
            let impact = format!("{}{flag}", with_ci(di));
            match columns {
                Columns::All => row.extend([
                    rate(m(key::SELECTION_RATE)),
                    point(m(key::BASE_RATE)),
                    rate(m(key::TPR)),
                    rate(m(key::FPR)),
                    rate(m(key::PPV)),
                    point(m(key::AUC)),
                    point(m(key::ECE)),
                    impact,
                    test,
                ]),
                Columns::Compact => row.extend([
                    rate(m(key::SELECTION_RATE)),
                    rate(m(key::TPR)),
                    rate(m(key::FPR)),
                    rate(m(key::PPV)),
                    impact,
                    test,
                ]),
            }
            row
        })
        .collect();
    (header, rows)
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
    fn to_text_in(&self, layout: TextLayout) -> String {
        AuditReport::to_text_in(self, layout)
    }
    fn to_markdown(&self) -> String {
        AuditReport::to_markdown(self)
    }
}
