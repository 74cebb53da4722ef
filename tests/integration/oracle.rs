//! fairgate's audit metrics against the committed goldens of tests/oracle (scikit-learn,
//! Fairlearn, statsmodels). Tolerances: point values 1e-9; intervals 1e-6.

use fairgate::audit::{audit, AuditParams, MetricValue};
use fairgate::data::{synth, ReadOptions, Table};
use serde_json::Value;

use crate::util::root;

fn close(what: &str, got: Option<f64>, want: f64, tol: f64, failures: &mut Vec<String>) {
    match got {
        Some(g) if (g - want).abs() <= tol => {}
        _ => failures.push(format!("{what}: fairgate {got:?}, oracle {want}")),
    }
}

#[test]
fn audit_matches_sklearn_fairlearn_and_statsmodels() -> Result<(), Box<dyn std::error::Error>> {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(
        root().join("tests/oracle/golden/audit_leads_demo.json"),
    )?)?;
    let table = Table::load(
        &root().join("datasets/leads_demo.csv"),
        &synth::spec(),
        &ReadOptions::default(),
    )?;
    let params = AuditParams {
        threshold: golden["threshold"].as_f64().ok_or("threshold")?,
        ..AuditParams::default()
    };
    let result = audit(&table, &params)?;
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
    assert!(checked > 300, "only {checked} values checked");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}
