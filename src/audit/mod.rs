//! Auditing scores or decisions across the groups of protected attributes: per-group metrics
//! with intervals, disparity summaries and disparate impact against a reference group.
//!
//! One pass over the rows fills mergeable [`SegmentStats`] per group; every metric is computed
//! from those, so the result does not depend on chunking or threads.

mod metrics;
mod output;
mod stats;
mod summary;
mod value;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::data::{Role, Table, MISSING_CODE};

pub use metrics::{auc, segment_metrics, wilson, z_for};
pub use output::{AuditInput, AuditOptions, AuditReport, AUDIT_SCHEMA_VERSION};
pub use stats::SegmentStats;
pub use summary::{disparate_impact, summarize};
pub use value::{MetricValue, Undefined};

/// The display name of the group of rows whose protected attribute is missing.
pub const UNKNOWN_GROUP: &str = "unknown";

/// Errors of the audit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// An option is out of range.
    #[error("{name}: expected {expected}, found {value}")]
    InvalidParam {
        /// The option.
        name: &'static str,
        /// What was given.
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// The table lacks a column the audit needs.
    #[error("the audit needs {0}")]
    Missing(&'static str),
}

/// Audit settings.
#[derive(Clone, Debug)]
pub struct AuditParams {
    /// A score at or above it is a positive decision. Defaults to 0.5.
    pub threshold: f64,
    /// Groups with fewer rows are marked small and left out of summaries. Defaults to 30.
    pub min_group_size: u64,
    /// Confidence level of every interval. Defaults to 0.95.
    pub confidence: f64,
    /// The reference group per attribute; by default the group with the highest selection
    /// rate.
    pub reference: BTreeMap<String, String>,
}

impl Default for AuditParams {
    fn default() -> Self {
        AuditParams {
            threshold: 0.5,
            min_group_size: 30,
            confidence: 0.95,
            reference: BTreeMap::new(),
        }
    }
}

impl AuditParams {
    /// Checks the ranges.
    pub fn check(&self) -> Result<(), AuditError> {
        if !(self.threshold >= 0.0 && self.threshold <= 1.0) {
            return Err(AuditError::InvalidParam {
                name: "--threshold",
                value: self.threshold.to_string(),
                expected: "a number in [0, 1]",
            });
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(AuditError::InvalidParam {
                name: "--confidence",
                value: self.confidence.to_string(),
                expected: "a number strictly between 0 and 1",
            });
        }
        Ok(())
    }
}

/// One group of an attribute.
#[derive(Clone, Debug, Serialize)]
pub struct GroupAudit {
    /// Display string.
    pub group: String,
    /// One value per column.
    pub values: Vec<String>,
    /// Rows.
    pub n: u64,
    /// Smaller than the minimum group size.
    pub small: bool,
    /// Metric key to value.
    pub metrics: BTreeMap<String, MetricValue>,
}

/// The audit of one attribute.
#[derive(Clone, Debug, Serialize)]
pub struct AttributeAudit {
    /// The attribute's name.
    pub name: String,
    /// Its columns.
    pub columns: Vec<String>,
    /// The reference group for disparate impact.
    pub reference_group: Option<String>,
    /// Its groups, in order of first appearance, `unknown` last.
    pub groups: Vec<GroupAudit>,
    /// Disparity summary over the groups that are not small.
    pub summary: BTreeMap<String, MetricValue>,
    /// Per summary rate, groups left out because the rate is undefined there.
    pub excluded_from_summary: BTreeMap<String, Vec<String>>,
}

/// Audits each protected attribute of `table`.
pub fn audit(table: &Table, params: &AuditParams) -> Result<Vec<AttributeAudit>, AuditError> {
    params.check()?;
    let labels = table
        .label()
        .ok_or(AuditError::Missing("a label column (--label)"))?;
    let scores = table.score();
    let predictions: Option<Vec<bool>> = table
        .with_role(Role::Prediction)
        .next()
        .and_then(|c| c.as_bool())
        .map(|v| v.iter().map(|b| *b == Some(true)).collect());
    if scores.is_none() && predictions.is_none() {
        return Err(AuditError::Missing(
            "a score (--score) or prediction (--prediction) column",
        ));
    }
    let z = z_for(params.confidence);
    let mut out = Vec::new();
    for col in table.with_role(Role::Protected) {
        let Some(codes) = col.as_codes() else {
            continue;
        };
        let mut stats = vec![SegmentStats::default(); col.levels.len() + 1];
        for (i, &code) in codes.iter().enumerate() {
            let g = if code == MISSING_CODE {
                col.levels.len()
            } else {
                code as usize
            };
            let score = scores.map(|s| s[i]);
            let selected = match &predictions {
                Some(p) => p[i],
                None => score.is_some_and(|s| s >= params.threshold),
            };
            stats[g].add(score, selected, labels[i]);
        }
        let names: Vec<String> = col
            .levels
            .iter()
            .cloned()
            .chain(std::iter::once(UNKNOWN_GROUP.to_string()))
            .collect();
        let mut groups: Vec<GroupAudit> = Vec::new();
        for (g, s) in stats.iter().enumerate() {
            if g == col.levels.len() && s.n == 0 {
                continue;
            }
            groups.push(GroupAudit {
                group: names[g].clone(),
                values: vec![names[g].clone()],
                n: s.n,
                small: s.n < params.min_group_size,
                metrics: segment_metrics(s, z),
            });
        }
        let rate_of = |g: &GroupAudit| {
            g.metrics["selection_rate"]
                .value
                .unwrap_or(f64::NEG_INFINITY)
        };
        let reference = match params.reference.get(&col.name) {
            Some(r) => groups.iter().position(|g| &g.group == r),
            None => groups
                .iter()
                .enumerate()
                .filter(|(_, g)| !g.small)
                .max_by(|a, b| rate_of(a.1).total_cmp(&rate_of(b.1)).then(b.0.cmp(&a.0)))
                .map(|(i, _)| i),
        };
        if let Some(r) = reference {
            let idx = |name: &str| names.iter().position(|n| n == name).unwrap_or(0);
            let rs = &stats[idx(&groups[r].group)];
            for g in &mut groups {
                let s = &stats[idx(&g.group)];
                let di =
                    disparate_impact(s.selected(), s.n, rs.selected(), rs.n, params.confidence);
                g.metrics.insert("disparate_impact".into(), di);
            }
        }
        let eligible: Vec<(&str, &BTreeMap<String, MetricValue>)> = groups
            .iter()
            .filter(|g| !g.small)
            .map(|g| (g.group.as_str(), &g.metrics))
            .collect();
        let (summary, excluded_from_summary) = summarize(&eligible);
        out.push(AttributeAudit {
            name: col.name.clone(),
            columns: vec![col.name.clone()],
            reference_group: reference.map(|r| groups[r].group.clone()),
            groups,
            summary,
            excluded_from_summary,
        });
    }
    Ok(out)
}
