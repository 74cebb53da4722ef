//! fairgate's audit metrics against the committed goldens of tests/oracle (scikit-learn,
//! Fairlearn, statsmodels). Tolerances: point values 1e-9; intervals 1e-6.

use fairgate::audit::{audit, two_by_two, AuditParams, Binning, MetricValue, ReliabilityBin};
use fairgate::data::{DataSpec, ReadOptions, Table};
use serde_json::Value;

use crate::util::root;

fn close(what: &str, got: Option<f64>, want: f64, tol: f64, failures: &mut Vec<String>) {
    match got {
        Some(g) if (g - want).abs() <= tol => {}
        _ => failures.push(format!("{what}: fairgate {got:?}, oracle {want}")),
    }
}

#[test]
fn audit_of_the_demo_leads_matches_the_oracles() -> Result<(), Box<dyn std::error::Error>> {
    check_golden("leads_demo")
}

#[test]
fn audit_of_adult_scored_by_sklearn_matches_the_oracles() -> Result<(), Box<dyn std::error::Error>>
{
    check_golden("adult")
}

#[test]
fn weighted_audit_of_adult_matches_the_oracles() -> Result<(), Box<dyn std::error::Error>> {
    // Weighted by the census sampling weight fnlwgt.
    check_golden("adult_weighted")
}

/// Audits the golden's data with its label, score, threshold and attributes, and compares.
fn check_golden(name: &str) -> Result<(), Box<dyn std::error::Error>> {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(
        root().join(format!("tests/oracle/golden/audit_{name}.json")),
    )?)?;
    let spec = DataSpec {
        label: golden["label"].as_str().map(String::from),
        score: golden["score"].as_str().map(String::from),
        weight: golden["weight"].as_str().map(String::from),
        protected: Some(
            golden["attributes"]
                .as_object()
                .ok_or("attributes")?
                .keys()
                .cloned()
                .collect(),
        ),
        ..DataSpec::default()
    };
    let data = root().join(golden["data"].as_str().ok_or("data")?);
    let table = Table::load(&data, &spec, &ReadOptions::default())?;
    let params = AuditParams {
        threshold: golden["threshold"].as_f64().ok_or("threshold")?,
        ..AuditParams::default()
    };
    let result = audit(&table, &params.clone().check()?)?;
    let mut failures = Vec::new();
    let mut checked = 0;
    for attr in &result {
        let g = &golden["attributes"][&attr.name];
        assert!(g.is_object(), "no golden for {}", attr.name);
        assert_eq!(
            attr.reference_group.as_deref(),
            g["reference_group"].as_str()
        );
        let want_groups = g["groups"].as_object().ok_or("groups")?;
        // Every group of the oracle is audited; the only extra one is the (empty here) unknown
        // group, which is always reported.
        let extra: Vec<_> = attr
            .groups
            .iter()
            .filter(|g| !want_groups.contains_key(&g.group))
            .collect();
        assert!(
            extra.iter().all(|g| g.group == "unknown" && g.n == 0),
            "{}: extra groups",
            attr.name
        );
        assert_eq!(
            attr.groups.len() - extra.len(),
            want_groups.len(),
            "{}",
            attr.name
        );
        for group in attr.groups.iter().filter(|g| g.n > 0) {
            let wg = &want_groups[&group.group];
            assert_eq!(Some(group.n), wg["_counts"]["n"].as_u64());
            for (key, want) in wg.as_object().ok_or("group")? {
                if key.starts_with('_') {
                    continue;
                }
                let got: Option<&MetricValue> = group.metrics.get(key);
                let what = format!("{}={} {key}", attr.name, group.group);
                let want_v = want["value"].as_f64().ok_or("value")?;
                close(
                    &what,
                    got.and_then(|m| m.value),
                    want_v,
                    1e-9,
                    &mut failures,
                );
                if let Some(ci) = want["ci"].as_array() {
                    let (lo, hi) = (ci[0].as_f64().ok_or("lo")?, ci[1].as_f64().ok_or("hi")?);
                    close(
                        &format!("{what} ci_low"),
                        got.and_then(|m| m.ci_low),
                        lo,
                        1e-6,
                        &mut failures,
                    );
                    close(
                        &format!("{what} ci_high"),
                        got.and_then(|m| m.ci_high),
                        hi,
                        1e-6,
                        &mut failures,
                    );
                }
                checked += 1;
            }
        }
        // Tests against the reference group (scipy) with Holm's adjustment (statsmodels).
        for group in attr.groups.iter().filter(|g| g.n > 0) {
            let want = &want_groups[&group.group]["_test"];
            if want.is_null() && golden["weight"].is_string() {
                continue;
            }
            let di = group.metrics.get("disparate_impact");
            let what = format!("{}={} test", attr.name, group.group);
            match want["p_value"].as_f64() {
                Some(p) => {
                    close_rel(
                        &format!("{what} p"),
                        di.and_then(|d| d.p_value),
                        p,
                        &mut failures,
                    );
                    let h = want["p_value_holm"].as_f64().ok_or("holm")?;
                    close_rel(
                        &format!("{what} holm"),
                        di.and_then(|d| d.p_value_holm),
                        h,
                        &mut failures,
                    );
                    checked += 2;
                }
                None if di.and_then(|d| d.p_value).is_some() => {
                    failures.push(format!("{what}: the reference group has no test"));
                }
                None => {}
            }
        }
        // The reliability table (non-empty bins) against sklearn's calibration_curve.
        for group in attr.groups.iter().filter(|g| g.n > 0) {
            let Some(want) = want_groups[&group.group]["_reliability_uniform"].as_array() else {
                continue;
            };
            compare_bins(
                &format!("{}={} uniform", attr.name, group.group),
                &group.reliability,
                want,
                &mut failures,
            );
            checked += want.len();
        }
        for (key, want) in g["summary"].as_object().ok_or("summary")? {
            let got = attr.summary.get(key).and_then(|m| m.value);
            close(
                &format!("{} {key}", attr.name),
                got,
                want.as_f64().ok_or("summary value")?,
                1e-9,
                &mut failures,
            );
            checked += 1;
        }
    }
    // Quantile bins: a second audit (for the goldens that have them).
    let has_quantile = golden["attributes"]
        .as_object()
        .and_then(|a| a.values().next())
        .and_then(|a| a["groups"].as_object())
        .and_then(|g| g.values().next())
        .is_some_and(|g| g["_quantile"].is_object());
    let quantile = if has_quantile {
        audit(
            &table,
            &AuditParams {
                binning: Binning::Quantile(10),
                ..params.clone()
            }
            .check()?,
        )?
    } else {
        Vec::new()
    };
    for attr in &quantile {
        for group in attr.groups.iter().filter(|g| g.n > 0) {
            let want = &golden["attributes"][&attr.name]["groups"][&group.group]["_quantile"];
            let what = format!("{}={} quantile", attr.name, group.group);
            for key in ["ece", "mce"] {
                let w = want[key].as_f64().ok_or("quantile value")?;
                close(
                    &format!("{what} {key}"),
                    group.metrics.get(key).and_then(|m| m.value),
                    w,
                    1e-9,
                    &mut failures,
                );
            }
            compare_bins(
                &what,
                &group.reliability,
                want["bins"].as_array().ok_or("bins")?,
                &mut failures,
            );
            checked += 2;
        }
    }
    for case in golden["two_by_two"].as_array().into_iter().flatten() {
        let t: Vec<u64> = case["table"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| {
                row.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_u64)
            })
            .collect();
        let got = two_by_two(t[0], t[1], t[2], t[3]).map(|(p, _)| p);
        let want = case["p_value"].as_f64().ok_or("p")?;
        close_rel(&format!("2x2 {t:?}"), got, want, &mut failures);
        checked += 1;
    }
    assert!(checked > 200, "only {checked} values checked");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}

/// Non-empty reliability bins against sklearn's (count, prob_pred, prob_true).
fn compare_bins(what: &str, got: &[ReliabilityBin], want: &[Value], failures: &mut Vec<String>) {
    let nonempty: Vec<&ReliabilityBin> = got.iter().filter(|b| b.count > 0).collect();
    if nonempty.len() != want.len() {
        failures.push(format!(
            "{what}: {} non-empty bins, oracle {}",
            nonempty.len(),
            want.len()
        ));
        return;
    }
    for (i, (b, w)) in nonempty.iter().zip(want).enumerate() {
        if Some(b.count) != w["count"].as_u64() {
            failures.push(format!(
                "{what} bin {i}: count {} vs {}",
                b.count, w["count"]
            ));
        }
        close(
            &format!("{what} bin {i} mean"),
            b.mean_score,
            w["mean_score"].as_f64().unwrap_or(f64::NAN),
            1e-9,
            failures,
        );
        close(
            &format!("{what} bin {i} observed"),
            b.observed.value,
            w["observed"].as_f64().unwrap_or(f64::NAN),
            1e-9,
            failures,
        );
    }
}

/// p-values: equal within 1e-6 relative (or 1e-12 absolute), so tiny ones are compared too.
fn close_rel(what: &str, got: Option<f64>, want: f64, failures: &mut Vec<String>) {
    match got {
        Some(g) if (g - want).abs() <= 1e-12 || (g - want).abs() <= 1e-6 * want.abs() => {}
        _ => failures.push(format!("{what}: fairgate {got:?}, oracle {want}")),
    }
}
