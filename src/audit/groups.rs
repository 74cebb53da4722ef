//! What the audit says, per group and per attribute ([`GroupAudit`], [`AttributeAudit`]), and
//! the rows it is given ([`Rows`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::calibration::ReliabilityBin;
use super::curves::{RocPoint, ScoreBin};
use super::MetricValue;

/// A run of rows to add: the label, the score or the prediction, and the code of each
/// protected attribute (in the order given to [`Auditor::new`]).
pub struct Rows<'a> {
    /// Labels (never missing in loaded data).
    pub label: &'a [Option<bool>],
    /// Scores, when audited by score.
    pub score: Option<&'a [f64]>,
    /// 0/1 decisions, when given.
    pub prediction: Option<&'a [Option<bool>]>,
    /// Codes of each protected attribute ([`MISSING_CODE`] is missing).
    pub attributes: Vec<&'a [u32]>,
    /// Row weights, when a weight column is audited.
    pub weight: Option<&'a [f64]>,
}

/// One group of an attribute or intersection.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct GroupAudit {
    /// Display string (values joined by ", ").
    pub group: String,
    /// One value per column.
    pub values: Vec<String>,
    /// Rows.
    pub n: u64,
    /// Σ weight of the rows, when a weight column is audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Smaller than the minimum group size: shown, but left out of summaries and never the
    /// default reference.
    pub small: bool,
    /// Under 2% of the rows (bias-audit summaries must flag these).
    pub under_2_percent: bool,
    /// Metric key to value.
    pub metrics: BTreeMap<String, MetricValue>,
    /// The reliability table (empty when only decisions were audited).
    pub reliability: Vec<ReliabilityBin>,
    /// The ROC curve, thinned (empty when undefined or only decisions were audited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roc: Vec<RocPoint>,
    /// The score distribution by label (empty when only decisions were audited).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub score_distribution: Vec<ScoreBin>,
}

/// The audit of one attribute or intersection.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AttributeAudit {
    /// The attribute's name (columns joined by " x " for an intersection).
    pub name: String,
    /// Its columns.
    pub columns: Vec<String>,
    /// The reference group for disparate impact.
    pub reference_group: Option<String>,
    /// Its groups, in the byte order of their values (of the first column, then the next),
    /// `unknown` last: the same whatever the order of the rows.
    pub groups: Vec<GroupAudit>,
    /// Disparity summary over the groups that are not small.
    pub summary: BTreeMap<String, MetricValue>,
    /// Per summary rate, groups left out because the rate is undefined there.
    pub excluded_from_summary: BTreeMap<String, Vec<String>>,
}
