//! Consistency checks of an audit read from a file, before the gate, the report or a
//! comparison rely on it: an audit file is evidence, and an edited or corrupted one must be
//! refused with the field named, never judged.
//!
//! What is checked:
//! - a known `schema_version` and at least one attribute;
//! - the input's counts: `rows_used + rows_rejected = rows_read`, and the rejections listed add
//!   up to `rows_rejected`;
//! - per attribute: the groups' row counts add up to `rows_used` (every used row is in exactly
//!   one group); the reference group exists, is not empty and has a selection rate (a weighted
//!   group of weight 0 has none); a group is `small` exactly when
//!   it has fewer rows than the minimum group size;
//! - per metric: a value is finite and in the metric's range (rates, AUC, Brier score, ECE in
//!   [0, 1]; differences in [-1, 1]; ratios, log loss, Theil index at least 0), a missing value
//!   has an `undefined_reason` and a present one has none, intervals are ordered and contain the
//!   value, p-values are in [0, 1];
//! - per group, what can be recomputed: `disparate_impact = selection_rate / selection_rate of
//!   the reference` and `selection_rate_difference = selection_rate - selection_rate of the
//!   reference`, to 1e-9 relative.

use super::key;
use super::{AuditReport, MetricValue, AUDIT_SCHEMA_VERSION};

/// A field of an audit file that is out of range or inconsistent with the rest.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Inconsistency {
    /// Where: `attributes[gender].groups[male].metrics.tpr.ci_high`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> Inconsistency {
    Inconsistency {
        field: field.into(),
        message: message.into(),
    }
}

/// The range a metric's value must lie in.
#[derive(Clone, Copy)]
enum Range {
    Unit,
    Difference,
    NonNegative,
    Any,
}

fn range_of(metric: &str) -> Range {
    match metric {
        key::ACCURACY
        | key::AUC
        | key::BALANCED_ACCURACY
        | key::BASE_RATE
        | key::BRIER
        | key::ECE
        | key::F1
        | key::FDR
        | key::FNR
        | key::FOR
        | key::FPR
        | key::MCE
        | key::MEAN_SCORE
        | key::NPV
        | key::PPV
        | key::SCORING_RATE
        | key::SELECTION_RATE
        | key::TNR
        | key::TPR
        | key::HOSMER_LEMESHOW_P
        | key::ECE_GAP
        | key::DEMOGRAPHIC_PARITY_RATIO
        | key::EQUALIZED_ODDS_RATIO => Range::Unit,
        key::AVERAGE_ODDS_DIFFERENCE
        | key::SELECTION_RATE_DIFFERENCE
        | key::CALIBRATION_IN_THE_LARGE
        | key::DEMOGRAPHIC_PARITY_DIFFERENCE
        | key::EQUAL_OPPORTUNITY_DIFFERENCE
        | key::EQUALIZED_ODDS_DIFFERENCE
        | key::PREDICTIVE_PARITY_DIFFERENCE => Range::Difference,
        key::DISPARATE_IMPACT | key::LOG_LOSS | key::HOSMER_LEMESHOW | key::THEIL_INDEX => {
            Range::NonNegative
        }
        _ => Range::Any,
    }
}

/// Tolerance of range and interval checks (values are computed in floating point).
const EPS: f64 = 1e-9;

fn check_number(field: &str, v: f64, range: Range) -> Result<(), Inconsistency> {
    let ok = v.is_finite()
        && match range {
            Range::Unit => (-EPS..=1.0 + EPS).contains(&v),
            Range::Difference => (-1.0 - EPS..=1.0 + EPS).contains(&v),
            Range::NonNegative => v >= -EPS,
            Range::Any => true,
        };
    if ok {
        return Ok(());
    }
    let want = match range {
        Range::Unit => "a number from 0 to 1",
        Range::Difference => "a number from -1 to 1",
        Range::NonNegative => "a number of at least 0",
        Range::Any => "a finite number",
    };
    Err(bad(field, format!("expected {want}, found {v}")))
}

fn check_metric(field: &str, name: &str, m: &MetricValue) -> Result<(), Inconsistency> {
    let range = range_of(name);
    match (m.value, m.undefined_reason) {
        (None, None) => return Err(bad(field, "no value and no undefined_reason")),
        (Some(_), Some(r)) => {
            return Err(bad(
                field,
                format!("a value and an undefined_reason ({r:?}) at once"),
            ))
        }
        _ => {}
    }
    if let Some(v) = m.value {
        check_number(&format!("{field}.value"), v, range)?;
    }
    for (lo, hi, what) in [
        (m.ci_low, m.ci_high, "ci"),
        (m.boot_low, m.boot_high, "boot"),
    ] {
        // Interval ends may exceed a ratio's or difference's range slightly; only finite.
        for (end, side) in [(lo, "low"), (hi, "high")] {
            if let Some(x) = end {
                let r = match range {
                    Range::Unit => Range::Unit,
                    Range::NonNegative => Range::NonNegative,
                    _ => Range::Any,
                };
                check_number(&format!("{field}.{what}_{side}"), x, r)?;
            }
        }
        if let (Some(lo), Some(hi)) = (lo, hi) {
            if lo > hi + EPS {
                return Err(bad(
                    format!("{field}.{what}_low"),
                    format!("the interval is inverted ({lo} > {hi})"),
                ));
            }
        }
    }
    if let (Some(v), Some(lo), Some(hi)) = (m.value, m.ci_low, m.ci_high) {
        let tol = EPS * v.abs().max(1.0);
        if v < lo - tol || v > hi + tol {
            return Err(bad(
                format!("{field}.value"),
                format!("{v} is outside its interval [{lo}, {hi}]"),
            ));
        }
    }
    for (p, side) in [(m.p_value, "p_value"), (m.p_value_holm, "p_value_holm")] {
        if let Some(p) = p {
            check_number(&format!("{field}.{side}"), p, Range::Unit)?;
        }
    }
    Ok(())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

impl AuditReport {
    /// Checks that an audit read from a file is consistent (see the module documentation of
    /// `audit::check`): the gate, the report and a comparison call it before relying on it.
    pub fn check(&self) -> Result<(), Inconsistency> {
        check(self)
    }
}

fn check(report: &AuditReport) -> Result<(), Inconsistency> {
    if report.schema_version == 0 || report.schema_version > AUDIT_SCHEMA_VERSION {
        return Err(bad(
            "schema_version",
            format!(
                "{} is not an audit schema this fairgate knows (1 to {AUDIT_SCHEMA_VERSION})",
                report.schema_version
            ),
        ));
    }
    if report.attributes.is_empty() {
        return Err(bad("attributes", "no attribute was audited"));
    }
    let input = &report.input;
    if input
        .rows_used
        .checked_add(input.rows_rejected)
        .and_then(|n| n.checked_add(input.rows_filtered))
        != Some(input.rows_read)
    {
        return Err(bad(
            "input.rows_read",
            format!(
                "{} rows read, but {} used, {} rejected and {} filtered out",
                input.rows_read, input.rows_used, input.rows_rejected, input.rows_filtered
            ),
        ));
    }
    if (input.rows_filtered > 0) && input.filter.is_none() {
        return Err(bad(
            "input.filter",
            format!("{} rows filtered out, but no filter", input.rows_filtered),
        ));
    }
    let listed = input
        .rejected
        .iter()
        .try_fold(0u64, |s, r| s.checked_add(r.rows));
    if listed != Some(input.rows_rejected) {
        return Err(bad(
            "input.rejected",
            format!(
                "the rejections listed do not add up to rows_rejected ({})",
                input.rows_rejected
            ),
        ));
    }
    for a in &report.attributes {
        let at = format!("attributes[{}]", a.name);
        let total = a.groups.iter().try_fold(0u64, |s, g| s.checked_add(g.n));
        if total != Some(input.rows_used) {
            return Err(bad(
                format!("{at}.groups"),
                format!(
                    "the groups' rows do not add up to the {} rows used",
                    input.rows_used
                ),
            ));
        }
        let reference = match &a.reference_group {
            Some(r) => {
                let g = a.groups.iter().find(|g| &g.group == r).ok_or_else(|| {
                    bad(format!("{at}.reference_group"), format!("no group \"{r}\""))
                })?;
                if g.n == 0 {
                    return Err(bad(
                        format!("{at}.reference_group"),
                        format!("the reference group \"{r}\" has no rows: nothing can be compared with it"),
                    ));
                }
                let rate = g.metrics.get(key::SELECTION_RATE).and_then(|m| m.value);
                if rate.is_none() {
                    return Err(bad(
                        format!("{at}.reference_group"),
                        format!("the reference group \"{r}\" has no selection rate: nothing can be compared with it"),
                    ));
                }
                rate
            }
            None => None,
        };
        for (name, m) in &a.summary {
            check_metric(&format!("{at}.summary.{name}"), name, m)?;
        }
        for g in &a.groups {
            let gf = format!("{at}.groups[{}]", g.group);
            if g.small != (g.n < report.options.min_group_size) {
                return Err(bad(
                    format!("{gf}.small"),
                    format!(
                        "{} with {} rows and a minimum group size of {}",
                        g.small, g.n, report.options.min_group_size
                    ),
                ));
            }
            for (name, m) in &g.metrics {
                check_metric(&format!("{gf}.metrics.{name}"), name, m)?;
            }
            let rate = g.metrics.get(key::SELECTION_RATE).and_then(|m| m.value);
            let (Some(rate), Some(reference)) = (rate, reference) else {
                continue;
            };
            let recomputed = [
                (
                    key::DISPARATE_IMPACT,
                    (reference > 0.0).then(|| rate / reference),
                ),
                (key::SELECTION_RATE_DIFFERENCE, Some(rate - reference)),
            ];
            for (name, want) in recomputed {
                let got = g.metrics.get(name).and_then(|m| m.value);
                if let (Some(got), Some(want)) = (got, want) {
                    if !close(got, want) {
                        return Err(bad(
                            format!("{gf}.metrics.{name}.value"),
                            format!(
                                "{got} does not follow from the selection rates (expected {want})"
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}
