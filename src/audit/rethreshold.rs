//! Audits of one table at many thresholds ([`ThresholdAudits`]), as the threshold search
//! judges its candidates: the rows are read and every threshold-free part of the audit (score
//! histograms, AUC, calibration, curves) computed once; each threshold then costs a binary
//! search per cell and the metrics of the confusion counts. Unweighted counts are integers, so
//! the audit at `t` is bit for bit the audit [`super::audit`] computes with threshold `t`.
//! With weights or a bootstrap, each threshold is a full audit (the same result, slower).

use super::segments::Prepared;
use super::{AttributeAudit, AuditError, AuditParams};
use crate::data::Table;
use crate::params::Checked;

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
