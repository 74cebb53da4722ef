//! Mitigation against the committed goldens of tests/oracle/mitigate_golden.py (AIF360's
//! Reweighing, scikit-learn's weighted LogisticRegression, Fairlearn's ThresholdOptimizer,
//! a numpy brute force of the single-threshold curve), the chosen threshold against the gate
//! run as a user runs it, and bad input.

use std::collections::BTreeMap;

use fairgate::data::{self, DataSpec, ReadOptions, Table, Unlisted};
use fairgate::mitigate::{self, Constraint, CurveParams, HardtObjective, HardtParams, Objective};
use fairgate::train::{self, TrainParams};
use serde_json::Value;

use crate::util::{fairgate, root, stderr};

type Res = Result<(), Box<dyn std::error::Error>>;

fn golden() -> Value {
    let path = root().join("tests/oracle/golden/mitigate_leads_demo.json");
    let text = std::fs::read_to_string(path).expect("golden file exists");
    serde_json::from_str(&text).expect("golden is JSON")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

/// The demo's consented rows (as training reads them), with `protected` and an optional
/// prior weight column.
fn demo(
    protected: &[String],
    weight: Option<&str>,
    all_features: bool,
) -> Result<(Table, DataSpec), Box<dyn std::error::Error>> {
    let mut spec = DataSpec::from_config_file(&root().join("datasets/demo.toml"))?;
    spec.protected = Some(protected.to_vec());
    spec.weight = weight.map(String::from);
    if all_features {
        // Every other column a feature, as the training golden's design.
        let mut all = vec!["gender", "age_band", "ethnicity", "region"];
        all.retain(|c| !protected.iter().any(|p| p == c));
        spec.exclude = Some(all.iter().map(|s| s.to_string()).collect());
    }
    let options = ReadOptions {
        unlisted: if all_features {
            Unlisted::AsFeatures
        } else {
            Unlisted::Ignore
        },
        ..ReadOptions::default()
    };
    Ok((data::load(&spec, &options)?, spec))
}

#[test]
fn reweighing_matches_aif360_to_1e12() -> Res {
    let g = golden();
    for case in g["reweigh"].as_array().expect("cases") {
        let attrs = strings(&case["attributes"]);
        let prior = case["prior"].as_bool() == Some(true);
        let (table, spec) = demo(&attrs, prior.then_some("postcode_affluence"), false)?;
        let r = mitigate::reweigh_table(&table, &spec, &attrs, 10)?;
        let ours: BTreeMap<(Vec<String>, bool), Option<f64>> = r
            .reweighing
            .cells
            .iter()
            .map(|c| ((c.group.clone(), c.label), c.factor))
            .collect();
        let mut unbalanced = Vec::new();
        for f in case["factors"].as_array().expect("factors") {
            let key = (strings(&f["group"]), f["label"].as_bool() == Some(true));
            let theirs = f["factor"].as_f64();
            // AIF360 lists every group x class; a group it has, fairgate has.
            let mine = ours.get(&key).copied().flatten();
            match (mine, theirs) {
                (Some(a), Some(b)) => assert!(close(a, b, 1e-12), "{key:?}: {a} vs {b}"),
                (None, None) => unbalanced.push(key.0.join(", ")),
                other => panic!("{key:?}: {other:?}"),
            }
        }
        unbalanced.sort();
        unbalanced.dedup();
        assert_eq!(r.reweighing.unbalanced_groups, unbalanced, "{attrs:?}");
        if let Some(w) = case["weights"].as_array() {
            assert_eq!(w.len(), r.weights.len());
            for (a, b) in r.weights.iter().zip(w) {
                assert!(close(*a, b.as_f64().unwrap_or(f64::NAN), 1e-12));
            }
        }
        // Weighted, every balanced group has the overall base rate and keeps its weight.
        let y = table.label().unwrap_or_default();
        let pw = table
            .with_role(data::Role::Weight)
            .next()
            .and_then(|c| c.as_f64())
            .map(<[f64]>::to_vec);
        let grouping = mitigate::Grouping::of(&table, &attrs)?;
        let (mut tot, mut pos, mut prior_tot) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
        // The target is the (prior-weighted) base rate before reweighing: groups that cannot be
        // balanced lose weight, so the reweighed total may drop (as AIF360's does).
        let (mut all, mut all_pos) = (0.0, 0.0);
        for &i in &r.rows {
            let p = pw.as_ref().map_or(1.0, |p| p[i]);
            all += p;
            if y[i] {
                all_pos += p;
            }
        }
        for (&i, &w) in r.rows.iter().zip(&r.weights) {
            let gname = grouping.name(grouping.of_row[i]);
            *tot.entry(gname.clone()).or_insert(0.0) += w;
            *prior_tot.entry(gname.clone()).or_insert(0.0) += pw.as_ref().map_or(1.0, |p| p[i]);
            if y[i] {
                *pos.entry(gname).or_insert(0.0) += w;
            }
        }
        for (gname, t) in &tot {
            if r.reweighing.unbalanced_groups.contains(gname) {
                continue;
            }
            let rate = pos.get(gname).copied().unwrap_or(0.0) / t;
            assert!((rate - all_pos / all).abs() < 1e-12, "{gname}: {rate}");
            assert!(close(*t, prior_tot[gname], 1e-12), "{gname}");
        }
    }
    Ok(())
}

#[test]
fn the_weights_file_holds_aif360s_weights() -> Res {
    let g = golden();
    let case = &g["reweigh"][1];
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("w.csv");
    let o = fairgate(&[
        "mitigate",
        "reweigh",
        "--config",
        &root().join("datasets/demo.toml").to_string_lossy(),
        "--by",
        "gender,age_band",
        "--weight",
        "postcode_affluence",
        "--weights",
        &out.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(json["reweighing"]["rows"], 18367);
    assert_eq!(json["character"], "attribute_at_training");
    let mut r = csv::Reader::from_path(&out)?;
    let head = r.headers()?.clone();
    assert_eq!(
        head.iter().collect::<Vec<_>>(),
        ["lead_id", "label", "gender", "age_band", "weight"]
    );
    let want = case["weights"].as_array().expect("weights");
    let mut n = 0;
    for (rec, w) in r.records().zip(want) {
        let v: f64 = rec?[4].parse()?;
        assert!(close(v, w.as_f64().unwrap_or(f64::NAN), 1e-12));
        n += 1;
    }
    assert_eq!(n, want.len());
    Ok(())
}

#[test]
fn weighted_and_reweighed_fits_match_sklearn_to_1e6() -> Res {
    let g = golden();
    for case in g["fits"].as_array().expect("fits") {
        let reweigh = strings(&case["reweigh"]);
        let weight = case["weight"].as_str();
        // The protected attributes reweighed are loaded as such (never features).
        let protected: Vec<String> = ["gender", "age_band", "ethnicity", "region"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (table, spec) = demo(&protected, weight, true)?;
        let params = TrainParams {
            test_size: 0.0,
            reweigh: reweigh.clone(),
            ..TrainParams::default()
        }
        .check()?;
        let model = train::train(&table, &spec, &params)?;
        let names = strings(&case["columns"]);
        let coef = case["coef"].as_array().expect("coef");
        assert_eq!(model.coefficients.len(), names.len(), "{}", case["case"]);
        let by_name: BTreeMap<&str, f64> = model
            .coefficients
            .iter()
            .map(|c| (c.name.as_str(), c.value))
            .collect();
        for (name, want) in names.iter().zip(coef) {
            let got = by_name[name.as_str()];
            let want = want.as_f64().unwrap_or(f64::NAN);
            assert!(
                (got - want).abs() < 1e-6,
                "{}: {name} {got} vs {want}",
                case["case"]
            );
        }
        let want = case["intercept"].as_f64().unwrap_or(f64::NAN);
        assert!((model.intercept - want).abs() < 1e-6, "{}", case["case"]);
        assert_eq!(model.options.weight.as_deref(), weight);
        assert_eq!(
            model
                .options
                .reweighing
                .as_ref()
                .map(|r| r.attributes.clone()),
            (!reweigh.is_empty()).then_some(reweigh)
        );
    }
    Ok(())
}

fn all_rows(protected: &[String]) -> Result<Table, Box<dyn std::error::Error>> {
    let spec = DataSpec {
        path: Some(root().join("datasets/leads_demo.csv")),
        label: Some("converted".into()),
        score: Some("vendor_score".into()),
        protected: Some(protected.to_vec()),
        ..DataSpec::default()
    };
    Ok(data::load(&spec, &ReadOptions::default())?)
}

fn extended(v: &Value) -> f64 {
    match v.as_str() {
        Some("inf") => f64::INFINITY,
        Some("-inf") => f64::NEG_INFINITY,
        _ => v.as_f64().unwrap_or(f64::NAN),
    }
}

#[test]
fn group_thresholds_match_fairlearns_threshold_optimizer() -> Res {
    let g = golden();
    let mut tables: BTreeMap<Vec<String>, Table> = BTreeMap::new();
    let cases = g["thresholds"].as_array().expect("cases");
    assert_eq!(cases.len(), 81);
    for case in cases {
        let attrs = strings(&case["attributes"]);
        if !tables.contains_key(&attrs) {
            tables.insert(attrs.clone(), all_rows(&attrs)?);
        }
        let table = &tables[&attrs];
        let params = HardtParams {
            by: attrs.clone(),
            constraint: Constraint::parse(case["constraint"].as_str().unwrap_or(""))
                .expect("constraint"),
            objective: HardtObjective::parse(case["objective"].as_str().unwrap_or(""))
                .expect("objective"),
            ..HardtParams::default()
        };
        let (r, _) = mitigate::group_thresholds(table, &params, 0.5)?;
        let what = format!("{attrs:?} {} {}", case["constraint"], case["objective"]);
        let rules = case["rules"].as_object().expect("rules");
        assert_eq!(r.groups.len(), rules.len(), "{what}");
        for grp in &r.groups {
            let key = grp.values.join(",");
            let want = &rules[&key];
            let eq = |a: f64, b: &Value, tol: f64| {
                let b = extended(b);
                a == b || (a - b).abs() <= tol
            };
            // A rule taken with probability 0 is irrelevant to every decision, but it is the
            // same rule.
            assert!(
                eq(grp.p0, &want["p0"], 1e-9),
                "{what} {key} p0 {} {}",
                grp.p0,
                want["p0"]
            );
            assert!(eq(grp.p1, &want["p1"], 1e-9), "{what} {key} p1");
            assert!(
                eq(grp.rule0.threshold, &want["rule0"]["threshold"], 1e-12),
                "{what} {key} t0"
            );
            assert!(
                eq(grp.rule1.threshold, &want["rule1"]["threshold"], 1e-12),
                "{what} {key} t1"
            );
            assert!(
                eq(grp.p_ignore, &want["p_ignore"], 1e-9),
                "{what} {key} p_ignore"
            );
            assert!(
                eq(grp.prediction_constant, &want["prediction_constant"], 1e-12),
                "{what} {key}"
            );
            let rates = &case["rates"][&key];
            assert_eq!(grp.n, rates["n"].as_u64().unwrap_or(0));
            assert!(
                eq(grp.expected.selection_rate, &rates["selection_rate"], 1e-9),
                "{what} {key} sr"
            );
            assert!(
                eq(grp.expected.tpr.unwrap_or(f64::NAN), &rates["tpr"], 1e-9),
                "{what} {key} tpr"
            );
            assert!(
                eq(grp.expected.fpr.unwrap_or(f64::NAN), &rates["fpr"], 1e-9),
                "{what} {key} fpr"
            );
        }
        assert!(
            (r.accuracy - case["accuracy"].as_f64().unwrap_or(f64::NAN)).abs() < 1e-9,
            "{what}"
        );
    }
    Ok(())
}

#[test]
fn the_curve_matches_a_brute_force_over_every_threshold() -> Res {
    let g = golden();
    for case in g["curve"].as_array().expect("curve") {
        let attr = case["attribute"].as_str().unwrap_or_default().to_string();
        let table = all_rows(std::slice::from_ref(&attr))?;
        for (name, objective) in [
            ("accuracy", Objective::Accuracy),
            ("balanced_accuracy", Objective::BalancedAccuracy),
            (
                "value tp=1 fp=-0.25",
                Objective::Value { tp: 1.0, fp: -0.25 },
            ),
            ("capacity 0.2 (accuracy)", Objective::Capacity(0.2)),
        ] {
            let params = CurveParams {
                by: vec![attr.clone()],
                objective,
                audit: fairgate::audit::AuditParams::default(),
                max_evaluations: 1,
            };
            let r = mitigate::threshold_curve(
                &table,
                &params,
                &fairgate::policy::Policy::four_fifths(),
            )?;
            assert_eq!(r.candidates, case["candidates"].as_u64().unwrap_or(0));
            // The unconstrained best: the largest threshold among the maxima (+inf first).
            let mut best: Option<(f64, Option<f64>)> = None;
            for p in &r.all {
                if let Some(v) = p.objective {
                    if best.is_none_or(|(b, _)| v > b) {
                        best = Some((v, p.threshold));
                    }
                }
            }
            let want = extended(&case["best"][name]);
            let got = best.and_then(|b| b.1).unwrap_or(f64::INFINITY);
            assert_eq!(got, want, "{attr} {name}");
        }
        for point in case["points"].as_array().expect("points") {
            let t = point["threshold"].as_f64().unwrap_or(f64::NAN);
            let rates = mitigate::curve::rates_at(&table, std::slice::from_ref(&attr), t)?;
            for gr in &rates {
                let want = &point["groups"][&gr.group];
                for (got, key) in [
                    (gr.selection_rate, "selection_rate"),
                    (gr.tpr, "tpr"),
                    (gr.fpr, "fpr"),
                    (gr.accuracy, "accuracy"),
                ] {
                    let w = want[key].as_f64();
                    match (got, w) {
                        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{attr} {t} {key}"),
                        (a, b) => assert_eq!(a, b, "{attr} {t} {key}"),
                    }
                }
            }
        }
    }
    Ok(())
}

/// Audits `data` at `threshold` and gates it with the built-in policy, as a user would.
fn gate_exit(dir: &std::path::Path, threshold: f64) -> i32 {
    let audit = dir.join(format!("audit-{threshold}.json"));
    let o = fairgate(&[
        "audit",
        "--data",
        &root().join("datasets/leads_demo.csv").to_string_lossy(),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "age_band",
        "--threshold",
        &format!("{threshold}"),
        "--format",
        "json",
        "--out",
        &audit.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = fairgate(&[
        "gate",
        "--policy",
        &root()
            .join("datasets/policy-four-fifths.toml")
            .to_string_lossy(),
        "--audit",
        &audit.to_string_lossy(),
    ]);
    o.status.code().unwrap_or(-1)
}

#[test]
fn the_chosen_threshold_is_the_best_the_gate_passes() -> Res {
    let table = all_rows(&["age_band".to_string()])?;
    let params = CurveParams {
        by: vec!["age_band".into()],
        objective: Objective::Accuracy,
        audit: fairgate::audit::AuditParams {
            threshold: 0.2,
            ..fairgate::audit::AuditParams::default()
        },
        max_evaluations: 100_000,
    };
    let r = mitigate::threshold_curve(&table, &params, &fairgate::policy::Policy::four_fifths())?;
    assert!(r.exhaustive);
    assert_eq!(r.verdict, "feasible");
    let chosen = r.chosen.as_ref().expect("a threshold passes");
    let t = chosen.point.threshold.expect("finite");
    let dir = tempfile::tempdir()?;
    assert_eq!(
        gate_exit(dir.path(), t),
        0,
        "the chosen threshold passes the gate"
    );
    assert_eq!(
        gate_exit(dir.path(), 0.2),
        1,
        "the baseline fails, as the result says"
    );
    assert!(!r.baseline.gate.passed);
    // Every candidate with a better objective fails the gate: check the three just above.
    let mut better: Vec<&mitigate::curve::CurvePoint> = r
        .all
        .iter()
        .filter(|p| p.threshold.is_some() && p.objective > chosen.point.objective)
        .collect();
    better.sort_by(|a, b| {
        a.objective
            .partial_cmp(&b.objective)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    assert!(!better.is_empty());
    for p in better.iter().take(3) {
        assert_eq!(
            gate_exit(dir.path(), p.threshold.unwrap_or(1.0)),
            1,
            "{:?}",
            p.threshold
        );
    }
    Ok(())
}

#[test]
fn an_unmeetable_policy_is_infeasible_with_the_closest_and_exit_1() -> Res {
    let dir = tempfile::tempdir()?;
    let policy = dir.path().join("strict.toml");
    std::fs::write(
        &policy,
        "[policy]\nname = \"parity\"\nmode = \"interval\"\ninconclusive-blocks = true\n\n[[rule]]\nid = \"near-parity\"\nseverity = \"error\"\nmessage = \"m\"\nmetric = \"disparate_impact\"\nmin = 0.99\n\n[[rule]]\nid = \"capacity\"\nseverity = \"error\"\nmessage = \"m\"\nmetric = \"selection_rate\"\nmax = 0.5\n",
    )?;
    let o = fairgate(&[
        "mitigate",
        "threshold",
        "--data",
        &root().join("datasets/leads_demo.csv").to_string_lossy(),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "age_band",
        "--policy",
        &policy.to_string_lossy(),
        "--max-evaluations",
        "20",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let json: Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(json["verdict"], "infeasible");
    assert!(json["chosen"].is_null());
    assert!(
        json["closest"]["gate"]["blocking_checks"]
            .as_u64()
            .unwrap_or(0)
            > 0
    );
    assert_eq!(json["character"], "no_attribute");
    Ok(())
}

#[test]
fn bad_input_is_a_clear_error_with_exit_2() -> Res {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("one-class.csv");
    std::fs::write(&data, "y,s,g\n1,0.9,a\n0,0.2,a\n1,0.8,b\n1,0.7,b\n")?;
    let d = data.to_string_lossy();
    let base = [
        "--data",
        &d,
        "--label",
        "y",
        "--score",
        "s",
        "--protected",
        "g",
    ];
    let run = |extra: &[&str]| {
        let mut args = vec!["mitigate"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&base);
        fairgate(&args)
    };
    let o = run(&["group-thresholds", "--by", "g"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("group \"b\" has only positive rows"),
        "{}",
        stderr(&o)
    );
    let o = run(&["group-thresholds", "--by", "g", "--decisions", "x.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--allow-decision-time-attribute"),
        "{}",
        stderr(&o)
    );
    let o = run(&["group-thresholds", "--by", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("\"nope\" is not a protected attribute"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "group-thresholds",
        "--by",
        "g",
        "--constraint",
        "equalized_odds",
        "--objective",
        "selection_rate",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["threshold", "--objective", "capacity:2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--objective"), "{}", stderr(&o));
    // Reweighing: an empty cell is reported, never a NaN weight.
    let out = dir.path().join("w.csv");
    let o = fairgate(&[
        "mitigate",
        "reweigh",
        "--data",
        &d,
        "--label",
        "y",
        "--protected",
        "g",
        "--by",
        "g",
        "--weights",
        &out.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(json["reweighing"]["unbalanced_groups"][0], "b");
    let text = std::fs::read_to_string(&out)?;
    assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
    // Training whose weights leave a class without weight.
    let w = dir.path().join("w0.csv");
    std::fs::write(&w, "y,x,w\n1,0.9,0\n0,0.2,1\n1,0.8,0\n0,0.7,1\n")?;
    let model = dir.path().join("m.json");
    let o = fairgate(&[
        "train",
        "--data",
        &w.to_string_lossy(),
        "--label",
        "y",
        "--weight",
        "w",
        "--test-size",
        "0",
        "--out",
        &model.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("positive class with no weight"),
        "{}",
        stderr(&o)
    );
    assert!(!model.exists(), "nothing written half-way");
    Ok(())
}

#[test]
fn an_unseen_group_is_an_error_and_decisions_are_reproducible() -> Res {
    let table = all_rows(&["gender".to_string()])?;
    let params = HardtParams {
        by: vec!["gender".into()],
        constraint: Constraint::EqualizedOdds,
        ..HardtParams::default()
    };
    let (r, _) = mitigate::group_thresholds(&table, &params, 0.5)?;
    assert!(matches!(
        r.probability("martian", 0.5),
        Err(mitigate::MitigateError::UnseenGroup(_))
    ));
    assert!(r.probability("female", 0.5).is_ok());
    let dir = tempfile::tempdir()?;
    // One run pinned to one core (taskset, where the machine has it), one free.
    let pinned = std::process::Command::new("taskset")
        .arg("-V")
        .output()
        .is_ok();
    let run =
        |name: &str, one_core: bool| -> Result<(Vec<u8>, Vec<u8>), Box<dyn std::error::Error>> {
            let out = dir.path().join(name);
            let mut cmd = if one_core && pinned {
                let mut c = std::process::Command::new("taskset");
                c.args(["-c", "0", env!("CARGO_BIN_EXE_fairgate")]);
                c
            } else {
                std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
            };
            let o = cmd
                .args([
                    "mitigate",
                    "group-thresholds",
                    "--data",
                    &root().join("datasets/leads_demo.csv").to_string_lossy(),
                    "--label",
                    "converted",
                    "--score",
                    "vendor_score",
                    "--protected",
                    "gender",
                    "--by",
                    "gender",
                    "--constraint",
                    "equalized_odds",
                    "--seed",
                    "7",
                    "--allow-decision-time-attribute",
                    "--decisions",
                    &out.to_string_lossy(),
                    "--format",
                    "json",
                ])
                .output()?;
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(stderr(&o).contains("disparate treatment"));
            assert!(String::from_utf8_lossy(&o.stdout).contains("disparate treatment"));
            Ok((std::fs::read(out)?, o.stdout))
        };
    let (a, ja) = run("a.csv", true)?;
    let (b, jb) = run("b.csv", false)?;
    assert_eq!(a, b);
    assert_eq!(ja, jb);
    let text = String::from_utf8(a)?;
    assert!(text.starts_with("# WARNING"));
    // The drawn decisions average to the expected selection rate (20,000 draws).
    let (mut n, mut sel) = (0.0, 0.0);
    for line in text.lines().skip(2) {
        n += 1.0;
        sel += if line.ends_with(",1") { 1.0 } else { 0.0 };
    }
    let expected: f64 = r
        .groups
        .iter()
        .map(|g| g.expected.selection_rate * g.n as f64)
        .sum::<f64>()
        / n;
    assert!(
        (sel / n - expected).abs() < 0.01,
        "{} vs {expected}",
        sel / n
    );
    Ok(())
}

#[test]
fn grid_search_matches_fairlearns_grid_search() -> Res {
    let g = golden();
    let protected: Vec<String> = ["gender", "age_band", "ethnicity", "region"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (table, spec) = demo(&protected, None, true)?;
    let train_params = TrainParams {
        test_size: 0.0,
        ..TrainParams::default()
    }
    .check()?;
    // The consented rows, as training uses them.
    let (_, split) = train::train_with_split(&table, &spec, &train_params)?;
    for case in g["grid_search"].as_array().expect("cases") {
        let name = format!("{} {}", case["attribute"], case["constraint"]);
        let params = mitigate::GridSearchParams {
            by: vec![case["attribute"].as_str().unwrap_or_default().to_string()],
            constraint: Constraint::parse(case["constraint"].as_str().unwrap_or_default())
                .expect("a constraint"),
            ..mitigate::GridSearchParams::default()
        }
        .check()?;
        let mut calls = 0;
        let r = mitigate::grid_search(
            &table,
            &spec,
            &train_params,
            &split.training,
            &params,
            &mut |done, all| {
                calls += 1;
                assert_eq!(done, calls);
                assert_eq!(all, 10);
            },
        )?;
        assert_eq!(calls, 10, "{name}: progress after every fit");
        let points = case["points"].as_array().expect("points");
        assert_eq!(r.points.len(), points.len(), "{name}");
        for (k, (ours, want)) in r.points.iter().zip(points).enumerate() {
            // The grid: the same multipliers, exactly.
            let mut theirs: Vec<(String, String, String, f64)> = want["lambda"]
                .as_array()
                .expect("lambda")
                .iter()
                .map(|l| {
                    (
                        l["sign"].as_str().unwrap_or_default().to_string(),
                        l["event"].as_str().unwrap_or_default().to_string(),
                        l["group"].as_str().unwrap_or_default().to_string(),
                        l["value"].as_f64().unwrap_or(f64::NAN),
                    )
                })
                .collect();
            let mut mine: Vec<(String, String, String, f64)> = ours
                .lambda
                .iter()
                .map(|l| (l.sign.clone(), l.event.clone(), l.group.clone(), l.value))
                .collect();
            theirs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            mine.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            assert_eq!(mine, theirs, "{name}: point {k}");
            // The fits' hard predictions: the same error and violation (the fits agree to
            // 1e-6, and no row of this data is that close to p = 0.5).
            let err = want["error"].as_f64().unwrap_or(f64::NAN);
            let gam = want["gamma_max"].as_f64().unwrap_or(f64::NAN);
            assert!(
                (ours.error - err).abs() <= 1e-12,
                "{name} {k}: {} vs {err}",
                ours.error
            );
            assert!(
                (ours.gamma_max - gam).abs() <= 1e-12,
                "{name} {k}: {} vs {gam}",
                ours.gamma_max
            );
        }
        assert_eq!(r.best as u64, case["best"].as_u64().unwrap_or(99), "{name}");
        // The chosen model, coefficient by coefficient.
        let chosen = &case["chosen"];
        let model = r.model.as_ref().expect("a logistic model");
        let by_name: BTreeMap<&str, f64> = model
            .coefficients
            .iter()
            .map(|c| (c.name.as_str(), c.value))
            .collect();
        for (name_c, want) in strings(&chosen["columns"])
            .iter()
            .zip(chosen["coef"].as_array().expect("coef"))
        {
            let want = want.as_f64().unwrap_or(f64::NAN);
            let got = by_name[name_c.as_str()];
            assert!(
                (got - want).abs() < 1e-6,
                "{name}: {name_c} {got} vs {want}"
            );
        }
        let want = chosen["intercept"].as_f64().unwrap_or(f64::NAN);
        assert!((model.intercept - want).abs() < 1e-6, "{name}");
    }
    Ok(())
}

#[test]
fn exponentiated_gradient_matches_fairlearns_accuracy_and_disparity() -> Res {
    let g = golden();
    let protected: Vec<String> = ["gender", "age_band", "ethnicity", "region"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (table, spec) = demo(&protected, None, true)?;
    let train_params = TrainParams {
        test_size: 0.0,
        ..TrainParams::default()
    }
    .check()?;
    let (_, split) = train::train_with_split(&table, &spec, &train_params)?;
    let rows = &split.training;
    let y = table.label().ok_or("label")?;
    for case in g["exponentiated_gradient"].as_array().expect("cases") {
        let attr = case["attribute"].as_str().unwrap_or_default().to_string();
        let constraint = case["constraint"].as_str().unwrap_or_default();
        let name = format!("{attr} {constraint}");
        let params = mitigate::EgParams {
            by: vec![attr.clone()],
            constraint: Constraint::parse(constraint).expect("a constraint"),
            ..mitigate::EgParams::default()
        }
        .check()?;
        let mut iterations = 0;
        let r = mitigate::exponentiated_gradient(
            &table,
            &spec,
            &train_params,
            rows,
            &params,
            &mut |t, _| iterations = t,
        )?;
        assert_eq!(
            iterations,
            r.last_iter + 1,
            "{name}: progress every iteration"
        );
        assert!((r.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{name}");
        let p = r.probability(&table, rows)?;
        // The mixture's expected accuracy and rates on the rows, computed here.
        let ys: Vec<bool> = rows.iter().map(|&i| y[i]).collect();
        let n = rows.len() as f64;
        let acc = ys
            .iter()
            .zip(&p)
            .map(|(&yi, &pi)| if yi { pi } else { 1.0 - pi })
            .sum::<f64>()
            / n;
        let want = case["accuracy"].as_f64().unwrap_or(f64::NAN);
        assert!(
            (acc - want).abs() < 2e-3,
            "{name}: accuracy {acc} vs {want}"
        );
        let col = table.column(&attr).ok_or("attribute")?;
        let mut violation: f64 = 0.0;
        for (key, want) in case["rates"].as_object().expect("rates") {
            let (event, group) = key.split_once('|').ok_or("key")?;
            let in_event = |i: usize| match event {
                "label=1" => y[i],
                "label=0" => !y[i],
                _ => true,
            };
            let (mut s, mut c, mut so, mut co) = (0.0, 0.0, 0.0, 0.0);
            for (k, &i) in rows.iter().enumerate() {
                if in_event(i) {
                    so += p[k];
                    co += 1.0;
                    if col.level_of(i) == Some(group) {
                        s += p[k];
                        c += 1.0;
                    }
                }
            }
            let rate = s / c;
            let want = want.as_f64().unwrap_or(f64::NAN);
            assert!((rate - want).abs() < 2e-3, "{name} {key}: {rate} vs {want}");
            violation = violation.max((rate - so / co).abs());
        }
        let want = case["violation"].as_f64().unwrap_or(f64::NAN);
        assert!(
            (violation - want).abs() < 2e-3,
            "{name}: violation {violation} vs {want}"
        );
        // The same path: as many fits, the same iterations (the LP's vertex could differ on a
        // degenerate LP; on this data it does not).
        assert_eq!(
            r.oracle_calls as u64,
            case["oracle_calls"].as_u64().unwrap_or(0),
            "{name}"
        );
        assert_eq!(
            r.best_iter as u64,
            case["best_iter"].as_u64().unwrap_or(0),
            "{name}"
        );
        assert_eq!(
            r.last_iter as u64,
            case["last_iter"].as_u64().unwrap_or(0),
            "{name}"
        );
        assert_eq!(
            r.weights.iter().filter(|&&w| w > 0.0).count() as u64,
            case["components_used"].as_u64().unwrap_or(0),
            "{name}"
        );
    }
    Ok(())
}

#[test]
fn a_trained_mixture_scores_its_expected_probability_and_draws_reproducibly() -> Res {
    let dir = tempfile::tempdir()?;
    let cfg = root().join("datasets/demo.toml");
    let (model_path, scored) = (dir.path().join("m.json"), dir.path().join("s.csv"));
    let o = fairgate(&[
        "train",
        "--config",
        &cfg.to_string_lossy(),
        "--seed",
        "1",
        "--exponentiated-gradient",
        "gender",
        "--constraint",
        "true_positive_rate_parity",
        "--draw-seed",
        "7",
        "--out",
        &model_path.to_string_lossy(),
        "--scored",
        &scored.to_string_lossy(),
        "--raw-csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let model = train::Model::from_path(&model_path)?;
    let mixture = model.mixture.as_ref().ok_or("a mixture")?;
    assert_eq!(mixture.seed, 7);
    assert_eq!(mixture.constraint, "true_positive_rate_parity");
    // The same fit through the library, on the same training rows.
    let mut spec = DataSpec::from_config_file(&cfg)?;
    let options = train::reading(&mut spec, None);
    let table = data::load(&spec, &options)?;
    let params = TrainParams {
        seed: 1,
        ..TrainParams::default()
    }
    .check()?;
    let (_, split) = train::train_with_split(&table, &spec, &params)?;
    let ep = mitigate::EgParams {
        by: vec!["gender".into()],
        constraint: Constraint::TruePositiveRateParity,
        ..mitigate::EgParams::default()
    }
    .check()?;
    let r = mitigate::exponentiated_gradient(
        &table,
        &spec,
        &params,
        &split.training,
        &ep,
        &mut |_, _| {},
    )?;
    let used: Vec<f64> = r.weights.iter().copied().filter(|&w| w > 0.0).collect();
    assert_eq!(used.len(), mixture.components.len());
    let mut rows: Vec<usize> = split
        .training
        .iter()
        .chain(&split.validation)
        .copied()
        .collect();
    rows.sort_unstable();
    let p = r.probability(&table, &rows)?;
    let ids = table
        .column("lead_id")
        .and_then(|c| c.as_text())
        .ok_or("ids")?;
    let want: BTreeMap<String, f64> = rows
        .iter()
        .zip(&p)
        .map(|(&i, &pi)| (ids.get(i).unwrap_or_default().to_string(), pi))
        .collect();
    // The scored file: the mixture's expected probability, and the seeded draw keyed by id.
    let check = |path: &std::path::Path| -> Res {
        let mut rd = csv::Reader::from_path(path)?;
        let head = rd.headers()?.clone();
        let col = |n: &str| head.iter().position(|h| h == n).ok_or("column");
        let (id, sc, dec) = (col("lead_id")?, col("score")?, col("decision")?);
        let (mut n, mut drawn, mut expected) = (0.0, 0.0, 0.0);
        for rec in rd.records() {
            let rec = rec?;
            let s: f64 = rec[sc].parse()?;
            assert!((s - want[&rec[id]]).abs() < 1e-12, "{}", &rec[id]);
            let d = &rec[dec] == "1";
            let key = fairgate::decision::draw_key(Some(&rec[id]), 0);
            assert_eq!(d, fairgate::decision::drawn(s, 7, key), "{}", &rec[id]);
            n += 1.0;
            drawn += f64::from(u8::from(d));
            expected += s;
        }
        assert_eq!(n as usize, rows.len());
        assert!(
            (drawn - expected).abs() / n < 0.02,
            "{drawn} drawn, {expected} expected"
        );
        Ok(())
    };
    check(&scored)?;
    // `fairgate score` gives the same, on one core or two.
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let demo = root().join("datasets/leads_demo.csv");
    for (out, one) in [(&a, true), (&b, false)] {
        let mut cmd = if one
            && std::process::Command::new("taskset")
                .arg("-V")
                .output()
                .is_ok()
        {
            let mut c = std::process::Command::new("taskset");
            c.args(["-c", "0", env!("CARGO_BIN_EXE_fairgate")]);
            c
        } else {
            std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
        };
        let o = cmd
            .args([
                "score",
                "--model",
                &model_path.to_string_lossy(),
                "--data",
                &demo.to_string_lossy(),
                "--out",
                &out.to_string_lossy(),
            ])
            .output()?;
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("drawn from the mixture"));
    }
    assert_eq!(std::fs::read(&a)?, std::fs::read(&b)?);
    check(&a)?;
    // A mixture has no coefficients to explain: a clear error, exit 2.
    let o = fairgate(&[
        "explain",
        "--model",
        &model_path.to_string_lossy(),
        "--data",
        &demo.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("randomised mixture"));
    Ok(())
}

#[test]
fn train_grid_search_writes_fairlearns_chosen_model() -> Res {
    // Fairlearn's GridSearch by gender for demographic parity on the consented rows (the
    // golden's first case): `train --grid-search` on every consented row must write its
    // chosen model.
    let g = golden();
    let case = &g["grid_search"][0];
    assert_eq!(case["attribute"], "gender");
    assert_eq!(case["constraint"], "demographic_parity");
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("m.json");
    let o = fairgate(&[
        "train",
        "--config",
        &root().join("datasets/demo.toml").to_string_lossy(),
        "--test-size",
        "0",
        "--grid-search",
        "gender",
        "--constraint",
        "demographic_parity",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let model = train::Model::from_path(&out)?;
    let record = model
        .options
        .grid_search
        .as_ref()
        .ok_or("the grid search recorded")?;
    assert_eq!(record.chosen as u64, case["best"].as_u64().unwrap_or(99));
    assert_eq!(record.by, vec!["gender".to_string()]);
    let chosen = &case["chosen"];
    let by_name: BTreeMap<&str, f64> = model
        .coefficients
        .iter()
        .map(|c| (c.name.as_str(), c.value))
        .collect();
    for (name, want) in strings(&chosen["columns"])
        .iter()
        .zip(chosen["coef"].as_array().ok_or("coef")?)
    {
        let want = want.as_f64().unwrap_or(f64::NAN);
        assert!((by_name[name.as_str()] - want).abs() < 1e-6, "{name}");
    }
    assert!((model.intercept - chosen["intercept"].as_f64().unwrap_or(f64::NAN)).abs() < 1e-6);
    // It is an ordinary logistic model: explain takes it.
    let o = fairgate(&[
        "explain",
        "--model",
        &out.to_string_lossy(),
        "--data",
        &root().join("datasets/leads_demo.csv").to_string_lossy(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A constraint the reductions do not have: exit 2.
    let o = fairgate(&[
        "train",
        "--config",
        &root().join("datasets/demo.toml").to_string_lossy(),
        "--grid-search",
        "gender",
        "--constraint",
        "true_negative_rate_parity",
        "--out",
        &dir.path().join("x.json").to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("constraint"), "{}", stderr(&o));
    assert!(!dir.path().join("x.json").exists());
    Ok(())
}
