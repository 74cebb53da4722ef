//! Auditing scores or decisions across the groups of protected attributes: per-group metrics
//! with intervals, disparity summaries and disparate impact against a reference group.
//!
//! One pass over the rows fills mergeable per-group statistics; every metric is computed
//! from those, so the result does not depend on chunking or threads.

mod accum;
mod bootstrap;
mod calibration;
mod check;
mod curves;
mod engine;
mod fromstats;
mod grid;
mod groups;
mod inference;
mod interval;
pub mod key;
mod metrics;
mod output;
mod pgconf;
mod rethreshold;
mod scorelog;
mod segments;
mod sql;
mod stats;
mod statsfile;
mod statsread;
mod summary;
mod value;
mod warehouse;

use std::collections::BTreeMap;

use crate::data::{Role, Table, TableReader};
use crate::params::{Checked, InvalidParam};

pub use calibration::{Binning, ReliabilityBin};
pub use check::Inconsistency;
pub use curves::{RocPoint, ScoreBin, DISTRIBUTION_BINS, ROC_POINTS};
pub use fromstats::{audit_statistics, statistics_file};
pub(crate) use groups::Rows;
pub use groups::{AttributeAudit, GroupAudit};
pub use inference::{holm, two_by_two};
pub use interval::{wilson, wilson_p, z_for};
pub use output::{
    group_table, point, with_ci, AuditColumns, AuditInput, AuditOptions, AuditReport, Columns,
    Small, StatsInput, AUDIT_SCHEMA_VERSION, COMPACT_GROUP_TABLE_HEADER, GROUP_TABLE_HEADER,
};
pub use rethreshold::ThresholdAudits;
pub use segments::default_reference_candidate;
pub(crate) use segments::Auditor;
pub use sql::{statistics_query, Dialect, Source, SqlSpec};
pub use statsfile::{Statistics, StatsCount, StatsKey, STATS_COLUMNS, STATS_VERSION};
pub use summary::summarize;
pub use value::{MetricValue, Test, Undefined};
pub use warehouse::{postgres_statistics, PostgresParams};

/// Rows per block when streaming an audit: the audit folds each block on a decoding thread
/// into per-cell statistics, so larger blocks mean fewer partial results to merge.
pub(crate) const STREAM_CHUNK_ROWS: usize = 65_536;

pub use crate::data::{unknown_level, UNKNOWN_GROUP};

/// Errors of the audit.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// A parameter is out of range, or names no attribute or group of the data (an
    /// intersection of columns that are not protected, a reference group that does not exist).
    #[error("{0}")]
    Param(#[from] InvalidParam),
    /// The table lacks a column of this role.
    #[error("the audit needs a {} column", .0.as_str())]
    MissingRole(Role),
    /// The table has neither scores nor predictions.
    #[error("the audit needs a score or prediction column")]
    NoDecisions,
    /// An invariant of the audit engine does not hold (a bug, reported rather than hidden).
    #[error("internal error: {0}")]
    Internal(String),
    /// The data cannot be read.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// A statistics file cannot be read or is not one.
    #[error(transparent)]
    File(#[from] crate::file_error::FileError),
    /// The database cannot be reached, refused the connection, or could not run the
    /// statistics query (the server's message; never a password).
    #[error("{0}")]
    Warehouse(String),
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
    /// rate among those neither small, nor under 2% of the rows, nor unknown (none when no
    /// group qualifies).
    pub reference: BTreeMap<String, String>,
    /// Intersections to audit besides each protected attribute: each is a list of protected
    /// columns whose value combinations are the segments.
    pub intersections: Vec<Vec<String>>,
    /// Calibration binning. Defaults to 10 uniform bins.
    pub binning: Binning,
    /// Bootstrap replicates (0: no bootstrap). Defaults to 0.
    pub bootstrap: usize,
    /// Seed of the bootstrap. Defaults to 0.
    pub seed: u64,
    /// Most groups of a protected attribute (of an intersection: the product of its
    /// attributes' bounds) when auditing a file ([`audit_file`]); more is an error naming the
    /// attribute. 0: no bound. Defaults to 50.
    pub max_groups: usize,
}

impl Default for AuditParams {
    fn default() -> Self {
        AuditParams {
            threshold: 0.5,
            min_group_size: 30,
            confidence: 0.95,
            reference: BTreeMap::new(),
            intersections: Vec::new(),
            binning: Binning::default(),
            bootstrap: 0,
            seed: 0,
            max_groups: 50,
        }
    }
}

impl AuditParams {
    /// Checks the ranges: the threshold in [0, 1], the confidence strictly between 0 and 1,
    /// 1 to 1000 calibration bins, at most 100000 bootstrap replicates. The audit takes only
    /// checked parameters.
    pub fn check(self) -> Result<Checked<AuditParams>, AuditError> {
        if !(self.threshold >= 0.0 && self.threshold <= 1.0) {
            return Err(
                InvalidParam::new("threshold", "a number in [0, 1]", self.threshold).into(),
            );
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(InvalidParam::new(
                "confidence",
                "a number strictly between 0 and 1",
                self.confidence,
            )
            .into());
        }
        if self.bootstrap > 100_000 {
            return Err(InvalidParam::new(
                "bootstrap",
                "at most 100000 replicates",
                self.bootstrap,
            )
            .into());
        }
        let k = match self.binning {
            Binning::Uniform(k) | Binning::Quantile(k) => k,
        };
        if !(1..=1000).contains(&k) {
            return Err(InvalidParam::new("binning", "between 1 and 1000 bins", k).into());
        }
        Ok(Checked::after_check(self))
    }
}

/// Audits a loaded table: each protected attribute and each requested intersection. Fails on
/// bad parameters, a missing column, or a reference that names no group in the data.
pub fn audit(
    table: &Table,
    params: &Checked<AuditParams>,
) -> Result<Vec<AttributeAudit>, AuditError> {
    let (auditor, levels) = auditor_of(table, params)?;
    auditor.finish(levels)
}

/// An auditor holding every row of `table`, and the protected attributes' levels.
fn auditor_of(
    table: &Table,
    params: &Checked<AuditParams>,
) -> Result<(Auditor, Vec<Vec<String>>), AuditError> {
    let protected: Vec<&crate::data::Column> = table.with_role(Role::Protected).collect();
    let names: Vec<String> = protected.iter().map(|c| c.name.clone()).collect();
    let mut auditor = Auditor::new(&names, params)?;
    let label: Vec<Option<bool>> = table
        .label()
        .ok_or(AuditError::MissingRole(Role::Label))?
        .into_iter()
        .map(Some)
        .collect();
    let prediction = table
        .with_role(Role::Prediction)
        .next()
        .and_then(|c| c.as_bool());
    let attrs: Vec<&[u32]> = protected.iter().filter_map(|c| c.as_codes()).collect();
    let weight = table
        .with_role(Role::Weight)
        .next()
        .and_then(|c| c.as_f64());
    auditor.add(&Rows {
        label: &label,
        score: table.score(),
        prediction,
        attributes: attrs,
        weight,
    })?;
    let levels = protected.iter().map(|c| c.levels.clone()).collect();
    Ok((auditor, levels))
}

/// Audits a data file (`-` reads standard input) streamed in chunks of
/// 65,536 rows, with the protected attributes' groups bounded by
/// `params.max_groups`: the whole audit of a file in one call.
pub fn audit_file(
    path: &std::path::Path,
    spec: &crate::data::DataSpec,
    params: &Checked<AuditParams>,
) -> Result<AuditReport, AuditError> {
    let reader = TableReader::from_path(path, spec, &stream_options())?;
    audit_reader(reader, params)
}

/// How a whole-input audit reads: chunks of [`STREAM_CHUNK_ROWS`].
fn stream_options() -> crate::data::ReadOptions {
    crate::data::ReadOptions {
        chunk_rows: STREAM_CHUNK_ROWS,
        ..crate::data::ReadOptions::default()
    }
}

/// The whole audit of an opened reader, with the protected attributes' groups bounded by
/// `params.max_groups`.
fn audit_reader(
    mut reader: TableReader,
    params: &Checked<AuditParams>,
) -> Result<AuditReport, AuditError> {
    if params.max_groups > 0 {
        reader.limit_groups(params.max_groups, &params.intersections);
    }
    let (attributes, summary) = audit_stream(reader, params)?;
    Ok(AuditReport::new(&summary, params, attributes))
}

/// Audits Arrow batches from memory (a DataFrame's Arrow stream; `origin` names it in
/// messages) as [`audit_file`] audits a file: the same roles, validation, group bound and
/// report, with `input.format` = `arrow` and no digest.
#[cfg(feature = "parquet")]
pub fn audit_arrow(
    batches: crate::data::ArrowBatches,
    origin: &str,
    spec: &crate::data::DataSpec,
    params: &Checked<AuditParams>,
) -> Result<AuditReport, AuditError> {
    let reader = TableReader::from_arrow(batches, origin, spec, &stream_options())?;
    audit_reader(reader, params)
}

/// Audits a stream chunk by chunk, holding only per-group statistics (memory does not grow
/// with the number of rows). Returns the audit and the load summary.
pub fn audit_stream(
    mut reader: TableReader,
    params: &Checked<AuditParams>,
) -> Result<(Vec<AttributeAudit>, crate::data::LoadSummary), AuditError> {
    let cols = reader.schema().columns.clone();
    let find = |role: Role| cols.iter().position(|c| c.role == role);
    let label = find(Role::Label).ok_or(AuditError::MissingRole(Role::Label))?;
    let score = find(Role::Score);
    let prediction = find(Role::Prediction);
    let weight = find(Role::Weight);
    let protected: Vec<usize> = (0..cols.len())
        .filter(|&i| cols[i].role == Role::Protected)
        .collect();
    let names: Vec<String> = protected.iter().map(|&i| cols[i].name.clone()).collect();
    let mut auditor = Auditor::new(&names, params)?;
    let folding = weight.is_none()
        && auditor
            .sink_factory(label, score, prediction, &protected)
            .is_some_and(|f| reader.set_fold(f));
    if folding {
        // Rows are accumulated on the decoding threads; only per-cell results come back.
        while let Some(folded) = reader.next_folded()? {
            auditor.add_folded(folded, &protected)?;
        }
    }
    use crate::data::ColumnValues as V;
    while let Some(chunk) = reader.next_chunk()? {
        let c = &chunk.columns;
        let bools = |i: usize| match &c[i] {
            V::Boolean(v) => Some(v.as_slice()),
            _ => None,
        };
        let attributes = protected
            .iter()
            .filter_map(|&i| match &c[i] {
                V::Categorical(v) => Some(v.as_slice()),
                _ => None,
            })
            .collect();
        auditor.add(&Rows {
            label: bools(label).unwrap_or_default(),
            score: score.and_then(|i| match &c[i] {
                V::Numeric(v) => Some(v.as_slice()),
                _ => None,
            }),
            prediction: prediction.and_then(bools),
            attributes,
            weight: weight.and_then(|i| match &c[i] {
                V::Numeric(v) => Some(v.as_slice()),
                _ => None,
            }),
        })?;
    }
    let levels = protected
        .iter()
        .map(|&i| reader.levels(i).to_vec())
        .collect();
    let summary = reader.finish()?;
    Ok((auditor.finish(levels)?, summary))
}
