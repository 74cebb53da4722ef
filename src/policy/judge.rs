//! Judging: one check per subject of a rule (a group, an attribute, the model, a feature and
//! attribute pair), each PASS, FAIL, INCONCLUSIVE or WARN (see the module documentation of
//! `policy`), and a rule's result from its checks. One function per scope.

use super::{
    Check, Declared, Evidence, MissingEvidence, Mode, Policy, PolicyError, Rule, RuleResult, Scope,
    Severity, Status, UndefinedOutcome,
};
use crate::audit::key;
use crate::audit::MetricValue;
use crate::explain::Explanation;
use crate::file_error::FileError;
use crate::train::Model;

/// Judges `v` against the rule's bounds.
pub(super) fn judge(
    rule: &Rule,
    v: &MetricValue,
    reference_comparison: bool,
) -> (Status, Option<(f64, f64)>, String) {
    let Some(x) = v.value else {
        let why = v.undefined_reason.map_or("undefined".to_string(), |r| {
            format!("undefined ({r:?})").to_lowercase()
        });
        return (undefined_status(rule.undefined), None, why);
    };
    let interval = match (v.ci_low, v.ci_high, v.boot_low, v.boot_high) {
        (Some(lo), Some(hi), _, _) => Some((lo, hi, "interval")),
        (_, _, Some(lo), Some(hi)) => Some((lo, hi, "bootstrap interval")),
        _ => None,
    };
    let ok_point = rule.min.is_none_or(|m| x >= m) && rule.max.is_none_or(|m| x <= m);
    let (mut status, used, mut note) = match (rule.mode, interval) {
        (Mode::Point, _) => (
            if ok_point { Status::Pass } else { Status::Fail },
            None,
            "judged on the estimate".to_string(),
        ),
        (Mode::Interval, None) => (
            if ok_point { Status::Pass } else { Status::Fail },
            None,
            "no interval: judged on the estimate".to_string(),
        ),
        (Mode::Interval, Some((lo, hi, kind))) => {
            let all_ok = rule.min.is_none_or(|m| lo >= m) && rule.max.is_none_or(|m| hi <= m);
            let all_bad = rule.min.is_some_and(|m| hi < m) || rule.max.is_some_and(|m| lo > m);
            let s = if all_ok {
                Status::Pass
            } else if all_bad {
                Status::Fail
            } else {
                Status::Inconclusive
            };
            let note = match s {
                Status::Pass => format!("the whole {kind} meets the threshold"),
                Status::Fail => format!("the whole {kind} misses the threshold"),
                _ => format!("the {kind} straddles the threshold"),
            };
            (s, Some((lo, hi)), note)
        }
    };
    if let (Some(alpha), true) = (rule.significance, reference_comparison) {
        if !ok_point {
            match v.p_value_holm {
                Some(p) if p < alpha => {
                    status = Status::Fail;
                    note = format!("the estimate misses the threshold and differs from the reference group (Holm p = {} < {alpha})", crate::text::p_value(p));
                }
                Some(p) => {
                    status = Status::Inconclusive;
                    note = format!("the estimate misses the threshold but does not differ significantly from the reference group (Holm p = {} >= {alpha})", crate::text::p_value(p));
                }
                None => {
                    status = undefined_status(rule.undefined);
                    note = "no test against the reference group".into();
                }
            }
        }
    }
    (status, used, note)
}

pub(super) fn undefined_status(u: UndefinedOutcome) -> Status {
    match u {
        UndefinedOutcome::Fail => Status::Fail,
        UndefinedOutcome::Warn => Status::Warn,
        UndefinedOutcome::Inconclusive => Status::Inconclusive,
    }
}

fn check_of(subject: String, v: &MetricValue, rule: &Rule, reference: bool) -> Check {
    let (status, interval, note) = judge(rule, v, reference);
    Check {
        subject,
        value: v.value,
        low: interval.map(|i| i.0),
        high: interval.map(|i| i.1),
        status,
        note,
    }
}

fn undefined_check(subject: String, rule: &Rule, why: String) -> Check {
    Check {
        subject,
        value: None,
        low: None,
        high: None,
        status: undefined_status(rule.undefined),
        note: why,
    }
}

/// Whether `attr` is one of the attributes the rule names (all when it names none).
fn wanted(rule: &Rule, attr: &str) -> bool {
    rule.attributes.is_empty() || rule.attributes.iter().any(|a| a == attr)
}

/// Errors when a rule names an attribute the evidence does not have (naming the policy's line).
pub(super) fn known_attributes(
    policy: &Policy,
    rule: &Rule,
    ev: &Evidence,
) -> Result<(), PolicyError> {
    for (name, line) in rule.attributes.iter().zip(&rule.lines.1) {
        let known = match rule.scope {
            Scope::Proxy => ev
                .explain
                .as_ref()
                .is_none_or(|e| e.proxies.iter().any(|p| &p.attribute == name)),
            _ => ev.audit.attributes.iter().any(|a| &a.name == name),
        };
        if !known {
            let audited: Vec<&str> = ev
                .audit
                .attributes
                .iter()
                .map(|a| a.name.as_str())
                .collect();
            return Err(FileError::invalid(
                policy.path.clone(),
                Some(*line),
                format!(
                    "rule \"{}\": attribute \"{name}\" is not in the evidence; audited: {}",
                    rule.id,
                    audited.join(", ")
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// A group metric's checks: every non-empty group of every attribute the rule names. A small
/// group is undefined; the reference group is not compared with itself; `n` is judged exactly.
pub(super) fn group_checks(rule: &Rule, ev: &Evidence) -> Vec<Check> {
    let is_comparison = matches!(
        rule.metric.as_str(),
        key::DISPARATE_IMPACT | key::SELECTION_RATE_DIFFERENCE | key::AVERAGE_ODDS_DIFFERENCE
    );
    let mut checks = Vec::new();
    for a in ev.audit.attributes.iter().filter(|a| wanted(rule, &a.name)) {
        for g in a.groups.iter().filter(|g| g.n > 0) {
            let subject = format!("{}={}", a.name, g.group);
            if rule.metric == "n" {
                let ok = rule.min.is_none_or(|m| g.n as f64 >= m)
                    && rule.max.is_none_or(|m| g.n as f64 <= m);
                checks.push(Check {
                    subject,
                    value: Some(g.n as f64),
                    low: None,
                    high: None,
                    status: if ok { Status::Pass } else { Status::Fail },
                    note: "a count of rows (exact)".into(),
                });
                continue;
            }
            if g.small {
                checks.push(undefined_check(
                    subject,
                    rule,
                    format!(
                        "small segment ({} rows, below the audit's minimum {})",
                        g.n, ev.audit.options.min_group_size
                    ),
                ));
                continue;
            }
            let reference = a.reference_group.as_deref() == Some(g.group.as_str());
            if is_comparison && reference {
                // The reference group against itself: nothing to judge.
                continue;
            }
            match g.metrics.get(&rule.metric) {
                Some(v) => checks.push(check_of(subject, v, rule, is_comparison)),
                None => checks.push(undefined_check(
                    subject,
                    rule,
                    format!("the audit has no {}", rule.metric),
                )),
            }
        }
        if a.reference_group.is_none() && rule.metric == key::DISPARATE_IMPACT {
            checks.push(undefined_check(
                a.name.clone(),
                rule,
                "no reference group (every group is small or unknown)".into(),
            ));
        }
    }
    checks
}

/// A summary metric's checks: one per attribute the rule names.
pub(super) fn summary_checks(rule: &Rule, ev: &Evidence) -> Vec<Check> {
    ev.audit
        .attributes
        .iter()
        .filter(|a| wanted(rule, &a.name))
        .map(|a| match a.summary.get(&rule.metric) {
            Some(v) => check_of(a.name.clone(), v, rule, false),
            None => undefined_check(
                a.name.clone(),
                rule,
                format!("the audit has no {}", rule.metric),
            ),
        })
        .collect()
}

/// The check of evidence that was not given: the declared figure when a person declared one
/// (judged on it, and marked as declared), else the policy's `missing-evidence` outcome (by
/// default its `undefined` outcome).
fn missing_check(subject: &str, rule: &Rule, declared: &Declared, missing: &str) -> Check {
    if let Some(x) = declared.figure(&rule.metric) {
        let mut c = check_of(
            format!("{subject} [declared]"),
            &MetricValue::of(x),
            rule,
            false,
        );
        c.note = format!(
            "declared in context.toml, not computed by fairgate ({}); {}",
            declared.source.as_deref().unwrap_or("no source declared"),
            c.note
        );
        return c;
    }
    let status = match rule.missing_evidence {
        Some(MissingEvidence::Fail) => Status::Fail,
        Some(MissingEvidence::Inconclusive) => Status::Inconclusive,
        Some(MissingEvidence::NotApplicable) => Status::NotApplicable,
        None => undefined_status(rule.undefined),
    };
    Check {
        subject: subject.into(),
        value: None,
        low: None,
        high: None,
        status,
        note: format!("{missing} and nothing is declared in context.toml ([declared])"),
    }
}

/// A model metric's check: consent coverage (rows used / rows used or excluded for want of
/// consent) or the model's AUC (validation, else cross-validation, else training). Without a
/// model file, the declared figure or the missing-evidence outcome.
pub(super) fn model_checks(rule: &Rule, model: Option<&Model>, declared: &Declared) -> Vec<Check> {
    let Some(m) = model else {
        return vec![missing_check(
            "model",
            rule,
            declared,
            "no model file was given (--model)",
        )];
    };
    let v = match rule.metric.as_str() {
        "consent_coverage" => {
            let considered = m.data.rows_used + m.data.excluded.total();
            if m.roles.consent.is_none() {
                None
            } else {
                (considered > 0).then(|| m.data.rows_used as f64 / considered as f64)
            }
        }
        _ => m
            .validation
            .as_ref()
            .and_then(|s| s.auc)
            .or_else(|| m.cross_validation.as_ref().and_then(|c| c.auc.mean))
            .or_else(|| m.train_scores.as_ref().and_then(|s| s.auc)),
    };
    vec![match v {
        Some(x) => check_of("model".into(), &MetricValue::of(x), rule, false),
        None => undefined_check(
            "model".into(),
            rule,
            if rule.metric == "consent_coverage" {
                "the model was trained without a consent column".into()
            } else {
                "the model records no AUC".into()
            },
        ),
    }]
}

/// A proxy metric's checks: one per feature and attribute pair of the explanation. Without
/// one, the declared largest figure or the missing-evidence outcome.
pub(super) fn proxy_checks(
    rule: &Rule,
    explain: Option<&Explanation>,
    declared: &Declared,
) -> Vec<Check> {
    let Some(e) = explain else {
        return vec![missing_check(
            "every feature ~ attribute",
            rule,
            declared,
            "no explanation was given (--explain)",
        )];
    };
    let auc = rule.metric == "proxy_auc";
    let key = if auc { "auc" } else { "association" };
    e.proxies
        .iter()
        .filter(|p| wanted(rule, &p.attribute))
        .map(|p| {
            let subject = format!("{} ~ {}", p.feature, p.attribute);
            match if auc { p.auc } else { p.association } {
                Some(x) => check_of(subject, &MetricValue::of(x), rule, false),
                None => {
                    undefined_check(subject, rule, format!("no {key} (too few rows per group)"))
                }
            }
        })
        .collect()
}

/// A rule's result from its checks: the decisive check is the worst status, then the smallest
/// margin to the threshold (a missing value has none), then the first in audit order; no
/// check at all is undefined. A failed warn rule is WARN and never blocks; an error rule
/// blocks when it fails, or is inconclusive and `inconclusive_blocks`.
pub(super) fn conclude(
    rule: &Rule,
    mut checks: Vec<Check>,
    inconclusive_blocks: bool,
) -> RuleResult {
    if checks.is_empty() {
        checks.push(undefined_check(
            "-".into(),
            rule,
            "nothing to check: no group, attribute or pair matched".into(),
        ));
    }
    let margin = |c: &Check| -> f64 {
        match c.value {
            None => f64::NEG_INFINITY,
            Some(x) => {
                let lo = rule.min.map_or(f64::INFINITY, |m| x - m);
                let hi = rule.max.map_or(f64::INFINITY, |m| m - x);
                lo.min(hi)
            }
        }
    };
    let decisive = checks
        .iter()
        .enumerate()
        .max_by(|a, b| {
            a.1.status
                .cmp(&b.1.status)
                .then(margin(b.1).total_cmp(&margin(a.1)))
                .then(b.0.cmp(&a.0))
        })
        .map(|(i, _)| i);
    let worst = decisive.map_or(Status::Pass, |i| checks[i].status);
    let status = match (worst, rule.severity) {
        (Status::Fail, Severity::Warn) => Status::Warn,
        (s, _) => s,
    };
    let blocking = rule.severity == Severity::Error
        && (status == Status::Fail || (status == Status::Inconclusive && inconclusive_blocks));
    RuleResult {
        id: rule.id.clone(),
        severity: rule.severity,
        message: rule.message.clone(),
        metric: rule.metric.clone(),
        threshold: match (rule.min, rule.max) {
            (Some(a), Some(b)) => format!("in [{a}, {b}]"),
            (Some(a), None) => format!(">= {a}"),
            (None, Some(b)) => format!("<= {b}"),
            (None, None) => String::new(),
        },
        mode: rule.mode,
        status,
        blocking,
        decisive,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::{Fail, Inconclusive, Pass, Warn};

    /// A rule on `metric` with the given bounds, mode, significance and undefined outcome.
    fn rule(
        metric: &str,
        (min, max): (Option<f64>, Option<f64>),
        mode: Mode,
        significance: Option<f64>,
        undefined: UndefinedOutcome,
    ) -> Rule {
        Rule {
            id: "r".into(),
            severity: Severity::Error,
            message: String::new(),
            metric: metric.into(),
            scope: Scope::Group,
            min,
            max,
            attributes: Vec::new(),
            mode,
            significance,
            undefined,
            missing_evidence: None,
            lines: (1, Vec::new()),
        }
    }

    fn value(
        v: f64,
        ci: Option<(f64, f64)>,
        boot: Option<(f64, f64)>,
        holm: Option<f64>,
    ) -> MetricValue {
        MetricValue {
            ci_low: ci.map(|c| c.0),
            ci_high: ci.map(|c| c.1),
            boot_low: boot.map(|c| c.0),
            boot_high: boot.map(|c| c.1),
            p_value_holm: holm,
            ..MetricValue::of(v)
        }
    }

    /// A judging case: its name, the bounds, mode, significance and undefined outcome of the
    /// rule, the value, whether it is a comparison with the reference, and the outcome.
    struct Case(
        &'static str,
        (Option<f64>, Option<f64>),
        Mode,
        Option<f64>,
        UndefinedOutcome,
        MetricValue,
        bool,
        Status,
    );

    const MIN: (Option<f64>, Option<f64>) = (Some(0.8), None);
    const MAX: (Option<f64>, Option<f64>) = (None, Some(0.1));
    const BOTH: (Option<f64>, Option<f64>) = (Some(0.2), Some(0.4));

    #[test]
    fn each_check_gets_the_outcome_its_mode_bounds_and_interval_give() {
        use Mode::{Interval, Point};
        use UndefinedOutcome as U;
        let undefined = MetricValue {
            value: None,
            undefined_reason: Some(crate::audit::Undefined::NoPositives),
            ..MetricValue::of(0.0)
        };
        // (case, bounds, mode, significance, undefined outcome, value, comparison, expected)
        let cases: Vec<Case> = vec![
            Case(
                "min, interval above",
                MIN,
                Interval,
                None,
                U::Fail,
                value(0.9, Some((0.85, 0.95)), None, None),
                false,
                Pass,
            ),
            Case(
                "min, interval below",
                MIN,
                Interval,
                None,
                U::Fail,
                value(0.6, Some((0.5, 0.7)), None, None),
                false,
                Fail,
            ),
            Case(
                "min, interval straddles",
                MIN,
                Interval,
                None,
                U::Fail,
                value(0.75, Some((0.7, 0.9)), None, None),
                false,
                Inconclusive,
            ),
            Case(
                "min, interval touches",
                MIN,
                Interval,
                None,
                U::Fail,
                value(0.9, Some((0.8, 0.95)), None, None),
                false,
                Pass,
            ),
            Case(
                "max, interval below",
                MAX,
                Interval,
                None,
                U::Fail,
                value(0.03, Some((0.01, 0.05)), None, None),
                false,
                Pass,
            ),
            Case(
                "max, interval above",
                MAX,
                Interval,
                None,
                U::Fail,
                value(0.25, Some((0.2, 0.3)), None, None),
                false,
                Fail,
            ),
            Case(
                "max, interval straddles",
                MAX,
                Interval,
                None,
                U::Fail,
                value(0.12, Some((0.05, 0.2)), None, None),
                false,
                Inconclusive,
            ),
            Case(
                "both, inside",
                BOTH,
                Interval,
                None,
                U::Fail,
                value(0.3, Some((0.25, 0.35)), None, None),
                false,
                Pass,
            ),
            Case(
                "both, wider than the band",
                BOTH,
                Interval,
                None,
                U::Fail,
                value(0.3, Some((0.1, 0.5)), None, None),
                false,
                Inconclusive,
            ),
            Case(
                "both, wholly above",
                BOTH,
                Interval,
                None,
                U::Fail,
                value(0.6, Some((0.5, 0.7)), None, None),
                false,
                Fail,
            ),
            Case(
                "point ignores the interval, pass",
                MIN,
                Point,
                None,
                U::Fail,
                value(0.85, Some((0.5, 1.0)), None, None),
                false,
                Pass,
            ),
            Case(
                "point ignores the interval, fail",
                MIN,
                Point,
                None,
                U::Fail,
                value(0.75, Some((0.7, 0.9)), None, None),
                false,
                Fail,
            ),
            Case(
                "interval mode without an interval: the estimate",
                MIN,
                Interval,
                None,
                U::Fail,
                value(0.75, None, None, None),
                false,
                Fail,
            ),
            Case(
                "the bootstrap interval when there is no other",
                MIN,
                Interval,
                None,
                U::Fail,
                value(0.75, None, Some((0.7, 0.9)), None),
                false,
                Inconclusive,
            ),
            Case(
                "the analytic interval before the bootstrap",
                MIN,
                Interval,
                None,
                U::Fail,
                value(0.9, Some((0.85, 0.95)), Some((0.1, 0.2)), None),
                false,
                Pass,
            ),
            Case(
                "undefined: fail",
                MIN,
                Interval,
                None,
                U::Fail,
                undefined,
                false,
                Fail,
            ),
            Case(
                "undefined: warn",
                MIN,
                Interval,
                None,
                U::Warn,
                undefined,
                false,
                Warn,
            ),
            Case(
                "undefined: inconclusive",
                MIN,
                Interval,
                None,
                U::Inconclusive,
                undefined,
                false,
                Inconclusive,
            ),
            Case(
                "significant and below",
                MIN,
                Interval,
                Some(0.05),
                U::Fail,
                value(0.7, Some((0.75, 0.9)), None, Some(0.01)),
                true,
                Fail,
            ),
            Case(
                "below but not significant",
                MIN,
                Interval,
                Some(0.05),
                U::Fail,
                value(0.7, Some((0.5, 0.75)), None, Some(0.2)),
                true,
                Inconclusive,
            ),
            Case(
                "below, no test: undefined outcome",
                MIN,
                Interval,
                Some(0.05),
                U::Warn,
                value(0.7, Some((0.5, 0.75)), None, None),
                true,
                Warn,
            ),
            Case(
                "above: significance not consulted",
                MIN,
                Interval,
                Some(0.05),
                U::Fail,
                value(0.9, Some((0.85, 0.95)), None, Some(0.001)),
                true,
                Pass,
            ),
            Case(
                "not a comparison: significance not consulted",
                MIN,
                Interval,
                Some(0.05),
                U::Fail,
                value(0.7, Some((0.5, 0.75)), None, Some(0.2)),
                false,
                Fail,
            ),
        ];
        for Case(case, bounds, mode, significance, undefined_outcome, v, comparison, want) in cases
        {
            let r = rule(
                "disparate_impact",
                bounds,
                mode,
                significance,
                undefined_outcome,
            );
            let (got, interval, note) = judge(&r, &v, comparison);
            assert_eq!(got, want, "{case}: {note}");
            if mode == Point {
                assert!(interval.is_none(), "{case}");
            }
        }
    }

    fn check(status: Status, value: Option<f64>) -> Check {
        Check {
            subject: format!("{status:?}"),
            value,
            low: None,
            high: None,
            status,
            note: String::new(),
        }
    }

    #[test]
    fn a_rule_is_its_worst_check_and_blocks_as_its_severity_and_policy_say() {
        let r = rule(
            "selection_rate",
            MIN,
            Mode::Interval,
            None,
            UndefinedOutcome::Fail,
        );
        // (checks, severity, inconclusive blocks, status, blocking, decisive)
        let cases = [
            (vec![Pass, Pass], Severity::Error, false, Pass, false),
            (
                vec![Pass, Inconclusive, Pass],
                Severity::Error,
                false,
                Inconclusive,
                false,
            ),
            (
                vec![Pass, Inconclusive],
                Severity::Error,
                true,
                Inconclusive,
                true,
            ),
            (
                vec![Inconclusive, Fail, Warn],
                Severity::Error,
                false,
                Fail,
                true,
            ),
            (vec![Pass, Fail], Severity::Warn, false, Warn, false),
            (
                vec![Pass, Inconclusive],
                Severity::Warn,
                true,
                Inconclusive,
                false,
            ),
            (vec![Warn, Pass], Severity::Error, true, Warn, false),
        ];
        for (statuses, severity, blocks, want, blocking) in cases {
            let r = Rule {
                severity,
                ..r.clone()
            };
            let checks = statuses.iter().map(|&s| check(s, Some(0.5))).collect();
            let got = conclude(&r, checks, blocks);
            assert_eq!(
                (got.status, got.blocking),
                (want, blocking),
                "{statuses:?} {severity:?} {blocks}"
            );
            let decisive = got.decisive.map(|i| got.checks[i].status);
            assert_eq!(decisive, statuses.iter().copied().max(), "{statuses:?}");
        }
        // Among equal statuses, the smallest margin to the threshold decides, then the first.
        let checks = vec![
            check(Fail, Some(0.5)),
            check(Fail, Some(0.2)),
            check(Fail, Some(0.2)),
        ];
        assert_eq!(conclude(&r, checks, false).decisive, Some(1));
        // No check at all is undefined, never a pass.
        let none = conclude(&r, Vec::new(), false);
        assert_eq!(
            (none.status, none.blocking, none.checks.len()),
            (Fail, true, 1)
        );
        assert_eq!(conclude(&r, Vec::new(), false).threshold, ">= 0.8");
    }

    /// An audit of attribute `g` with groups (name, n, small, selection rate and its interval,
    /// disparate impact and its interval), reference `A`.
    fn evidence() -> Evidence {
        let group = |name: &str, n: u64, small: bool, rate: f64, di: Option<(f64, f64, f64)>| {
            let mut metrics = serde_json::json!({
                "selection_rate": {"value": rate, "ci_low": rate - 0.05, "ci_high": rate + 0.05, "undefined_reason": null},
            });
            if let Some((v, lo, hi)) = di {
                metrics["disparate_impact"] = serde_json::json!({"value": v, "ci_low": lo, "ci_high": hi, "undefined_reason": null, "p_value_holm": 0.01});
            }
            serde_json::json!({"group": name, "values": [name], "n": n, "small": small, "under_2_percent": false, "metrics": metrics, "reliability": []})
        };
        let audit = serde_json::json!({
            "schema_version": 1,
            "fairgate_version": "test",
            "input": {"path": "a.csv", "sha256": "", "rows_read": 0, "rows_used": 0, "rows_rejected": 0, "rejected": []},
            "options": {"threshold": 0.5, "min_group_size": 30, "confidence": 0.95, "reference": {}},
            "attributes": [{
                "name": "g",
                "columns": ["g"],
                "reference_group": "A",
                "groups": [
                    group("A", 500, false, 0.5, None),
                    group("B", 400, false, 0.3, Some((0.6, 0.5, 0.7))),
                    group("C", 10, true, 0.1, Some((0.2, 0.0, 0.9))),
                    group("D", 0, true, 0.0, None),
                ],
                "summary": {"demographic_parity_difference": {"value": 0.2, "ci_low": null, "ci_high": null, "undefined_reason": null}},
                "excluded_from_summary": {}
            }]
        });
        Evidence {
            audit: serde_json::from_value(audit).expect("a valid audit"),
            audit_file: crate::provenance::FileRef::new("a.json", ""),
            model: None,
            explain: None,
            declared: Declared::default(),
        }
    }

    #[test]
    fn every_scope_checks_its_subjects() {
        let ev = evidence();
        let di = rule(
            "disparate_impact",
            MIN,
            Mode::Interval,
            None,
            UndefinedOutcome::Inconclusive,
        );
        let checks = group_checks(&di, &ev);
        // The reference is not compared with itself; the small group is undefined; the
        // empty group is not checked.
        let got: Vec<(&str, Status)> = checks
            .iter()
            .map(|c| (c.subject.as_str(), c.status))
            .collect();
        assert_eq!(got, [("g=B", Fail), ("g=C", Inconclusive)]);
        assert!(checks[1].note.contains("small segment"));
        // Row counts are exact and include small groups.
        let n = rule(
            "n",
            (Some(30.0), None),
            Mode::Interval,
            None,
            UndefinedOutcome::Fail,
        );
        let got: Vec<Status> = group_checks(&n, &ev).iter().map(|c| c.status).collect();
        assert_eq!(got, [Pass, Pass, Fail]);
        // A metric the audit does not have is undefined.
        let tpr = rule("tpr", MIN, Mode::Interval, None, UndefinedOutcome::Warn);
        assert!(group_checks(&tpr, &ev).iter().all(|c| c.status == Warn));
        // Summaries: one check per attribute, judged on the estimate without an interval.
        let dpd = Rule {
            scope: Scope::Summary,
            ..rule(
                "demographic_parity_difference",
                MAX,
                Mode::Interval,
                None,
                UndefinedOutcome::Fail,
            )
        };
        let s = summary_checks(&dpd, &ev);
        assert_eq!((s.len(), s[0].status), (1, Fail));
        assert!(s[0].note.contains("no interval"));
        // Attributes the rule does not name are left out.
        let other = Rule {
            attributes: vec!["h".into()],
            ..di.clone()
        };
        assert!(group_checks(&other, &ev).is_empty());
        // Missing evidence is undefined, with the policy's outcome.
        let auc = Rule {
            scope: Scope::Model,
            ..rule(
                "model_auc",
                (Some(0.7), None),
                Mode::Interval,
                None,
                UndefinedOutcome::Fail,
            )
        };
        let none = Declared::default();
        let m = model_checks(&auc, None, &none);
        assert_eq!((m.len(), m[0].status), (1, Fail));
        // ... or the policy's missing-evidence outcome, which may differ from `undefined`.
        for (missing, want) in [
            (MissingEvidence::Fail, Fail),
            (MissingEvidence::Inconclusive, Inconclusive),
            (MissingEvidence::NotApplicable, Status::NotApplicable),
        ] {
            let r = Rule {
                missing_evidence: Some(missing),
                ..auc.clone()
            };
            assert_eq!(model_checks(&r, None, &none)[0].status, want);
        }
        // A declared figure is judged (on its estimate) and marked as declared.
        let declared = Declared {
            source: Some("CRM export of 2026-06-30".into()),
            model_auc: Some(0.65),
            proxy_auc: Some(0.6),
            ..Declared::default()
        };
        let m = model_checks(&auc, None, &declared);
        assert_eq!(
            (m[0].subject.as_str(), m[0].status, m[0].value),
            ("model [declared]", Fail, Some(0.65))
        );
        assert!(m[0]
            .note
            .starts_with("declared in context.toml, not computed by fairgate (CRM export"));
        // A figure that is not declared is still missing.
        let coverage = Rule {
            metric: "consent_coverage".into(),
            ..auc.clone()
        };
        assert_eq!(model_checks(&coverage, None, &declared)[0].value, None);
        // A rule whose every check is not applicable is not applicable and never blocks.
        let na = Rule {
            missing_evidence: Some(MissingEvidence::NotApplicable),
            ..auc.clone()
        };
        let result = conclude(&na, model_checks(&na, None, &none), true);
        assert_eq!(
            (result.status, result.blocking),
            (Status::NotApplicable, false)
        );
        let proxy = Rule {
            scope: Scope::Proxy,
            ..rule(
                "proxy_auc",
                (None, Some(0.7)),
                Mode::Interval,
                None,
                UndefinedOutcome::Warn,
            )
        };
        assert_eq!(proxy_checks(&proxy, None, &none)[0].status, Warn);
        let p = proxy_checks(&proxy, None, &declared);
        assert_eq!((p[0].status, p[0].value), (Pass, Some(0.6)));
        let explain: Explanation = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "fairgate_version": "test", "input": ["x.csv", ""],
            "model": ["2026-06-30", "logistic"], "rows": [10, 10, 0], "base_value": null,
            "terms": [], "importance": [], "rules_by_group": [], "score_gaps": [],
            "minimisation": null, "counterfactual_coverage": [0, 0],
            "proxies": [
                {"feature": "postcode", "attribute": "g", "measure": "cramers_v", "association": 0.5, "auc": 0.8, "auc_group": "A", "likely_proxy": true},
                {"feature": "visits", "attribute": "g", "measure": "correlation_ratio", "association": 0.1, "auc": null, "auc_group": null, "likely_proxy": false}
            ]
        }))
        .expect("a valid explanation");
        let got: Vec<(String, Status)> = proxy_checks(&proxy, Some(&explain), &declared)
            .into_iter()
            .map(|c| (c.subject, c.status))
            .collect();
        assert_eq!(
            got,
            [
                ("postcode ~ g".to_string(), Fail),
                ("visits ~ g".to_string(), Warn)
            ]
        );
    }
}
