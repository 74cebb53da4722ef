//! Audits of one table at many thresholds ([`ThresholdAudits`]), as the threshold search
//! judges its candidates: the rows are read and every threshold-free part of the audit (score
//! histograms, AUC, calibration, curves) computed once; each threshold then costs a binary
//! search per cell and the metrics of the confusion counts. Unweighted counts are integers, so
//! the audit at `t` is bit for bit the audit [`super::audit`] computes with threshold `t`.
//! With weights or a bootstrap, each threshold is a full audit (the same result, slower).

use super::segments::Prepared;
use super::stats::{Count, SegmentStats};
use super::{AttributeAudit, AuditError, AuditParams};
use crate::data::Table;
use crate::params::Checked;

/// One cell's rows for deciding at any threshold: its distinct scores ascending, with the
/// rows (negatives, positives) scoring at or above each, and its label totals (rows without
/// a score are never selected). Unweighted rows only.
pub(super) struct CellTally {
    rows: u64,
    scores: Vec<f64>,
    /// `above[i]`: rows scoring at least `scores[i]`; one more entry, `[0, 0]`, at the end.
    above: Vec<[u64; 2]>,
    /// Negatives and positives, scored or not.
    totals: [u64; 2],
}

impl CellTally {
    /// The tally of a cell's statistics (its histogram complete, grid rows included).
    pub(super) fn new(s: &SegmentStats) -> CellTally {
        let mut above = vec![[0u64; 2]; s.scores.len() + 1];
        for (i, (_, cell)) in s.scores.iter().enumerate().rev() {
            let next = above[i + 1];
            above[i] = [next[0] + cell.rows[0], next[1] + cell.rows[1]];
        }
        CellTally {
            rows: s.rows,
            scores: s.scores.iter().map(|(k, _)| f64::from_bits(*k)).collect(),
            above,
            totals: [s.negatives().w as u64, s.positives().w as u64],
        }
    }

    /// The cell's confusion counts (no histogram) with decisions `score >= t`.
    pub(super) fn at(&self, t: f64) -> SegmentStats {
        let first = self
            .scores
            .partition_point(|&s| !crate::decision::positive(s, t));
        let selected = self.above.get(first).copied().unwrap_or_default();
        let count = |n: u64| Count {
            w: n as f64,
            w2: n as f64,
        };
        SegmentStats {
            rows: self.rows,
            tp: count(selected[1]),
            fp: count(selected[0]),
            tn: count(self.totals[0].saturating_sub(selected[0])),
            fn_: count(self.totals[1].saturating_sub(selected[1])),
            scores: Vec::new(),
        }
    }
}

/// The audits of a loaded table at any threshold: [`ThresholdAudits::at`] gives what
/// [`super::audit`] gives with that threshold, without reading the rows again.
pub struct ThresholdAudits<'t> {
    table: &'t Table,
    params: AuditParams,
    prepared: Option<Prepared>,
}

impl<'t> ThresholdAudits<'t> {
    /// Prepares the audits of `table` with `params` (the threshold among them is only the
    /// default). Fails as [`super::audit`] fails.
    pub fn new(
        table: &'t Table,
        params: &Checked<AuditParams>,
    ) -> Result<ThresholdAudits<'t>, AuditError> {
        let fast = params.bootstrap == 0
            && table.score().is_some()
            && table
                .with_role(crate::data::Role::Prediction)
                .next()
                .is_none();
        let prepared = if fast {
            let (auditor, levels) = super::auditor_of(table, params)?;
            let (prepared, _) = auditor.prepare(levels, true)?;
            prepared.rethresholds().then_some(prepared)
        } else {
            None
        };
        Ok(ThresholdAudits {
            table,
            params: AuditParams::clone(params),
            prepared,
        })
    }

    /// The audit with decisions `score >= t`.
    pub fn at(&self, t: f64) -> Result<Vec<AttributeAudit>, AuditError> {
        let params = self.params_at(t)?;
        match &self.prepared {
            Some(p) => Ok(p.decide(Some(params.threshold))?.0),
            None => super::audit(self.table, &params),
        }
    }

    /// The parameters of the audit at `t` (for its report).
    pub fn params_at(&self, t: f64) -> Result<Checked<AuditParams>, AuditError> {
        AuditParams {
            threshold: t,
            ..self.params.clone()
        }
        .check()
    }
}
