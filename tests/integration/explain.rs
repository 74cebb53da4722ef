//! Explanations against the committed goldens (tests/oracle/explain_golden.py: numpy standard
//! errors, the shap package's LinearExplainer, scipy's Cramér's V, scikit-learn AUCs); the
//! additivity of contributions; counterfactuals checked by rescoring the changed record; the
//! data-subject export; and privacy of the explanation output.

use std::path::Path;

use fairgate::data::DataSpec;
use fairgate::explain::{self, ExplainParams};
use fairgate::train::{self, Model, TrainParams};
use serde_json::Value;

use crate::util::{fairgate, root, stderr, train_all_columns};

fn num(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

/// The demo model fitted on every consented row with C = 1, as the golden script fits it.
fn demo_model(dir: &Path) -> Result<(Model, std::path::PathBuf), Box<dyn std::error::Error>> {
    let spec = DataSpec::from_config_file(&root().join("datasets/demo.toml"))?;
    let params = TrainParams {
        test_size: 0.0,
        threshold: 0.2,
        created: Some(0),
        ..TrainParams::default()
    };
    let model = train_all_columns(&spec, &params)?;
    let path = dir.join("model.json");
    std::fs::write(&path, model.to_json())?;
    Ok((model, path))
}

fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let head = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("record").iter().map(String::from).collect())
        .collect();
    (head, rows)
}

#[test]
fn explanations_match_shap_numpy_and_scipy() -> Result<(), Box<dyn std::error::Error>> {
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(
        root().join("tests/oracle/golden/explain_leads_demo.json"),
    )?)?;
    let dir = tempfile::tempdir()?;
    let (model, _) = demo_model(dir.path())?;
    let mut contributions = Vec::new();
    let mut reasons = Vec::new();
    let e = explain::explain(
        &model,
        &root().join("datasets/leads_demo.csv"),
        &ExplainParams::default().check()?,
        Some(&mut reasons),
        Some(&mut contributions),
    )?;
    assert_eq!(e.rows.explained, golden["rows"].as_u64().unwrap_or(0));

    // Base value = shap's expected value; contributions = shap values summed per feature.
    let base = e.base_value.expect("logistic");
    assert!(
        (base - num(&golden["expected_value"])).abs() < 1e-5,
        "{base}"
    );
    let (head, rows) = read_csv(&contributions);
    let features: Vec<&str> = golden["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(&head[2..head.len() - 1], &features[..]);
    let want = golden["contributions_first_rows"].as_array().expect("rows");
    let ids = golden["ids_first_rows"].as_array().expect("ids");
    let mut worst = 0.0f64;
    for (k, row) in rows.iter().enumerate() {
        let values: Vec<f64> = row[1..]
            .iter()
            .map(|v| v.parse().unwrap_or(f64::NAN))
            .collect();
        // Additivity: base + contributions = logit, for every person.
        let sum: f64 = values[..values.len() - 1].iter().sum();
        assert!((sum - values[values.len() - 1]).abs() < 1e-9, "row {k}");
        if let Some(w) = want.get(k) {
            assert_eq!(ids[k].as_str(), Some(row[0].as_str()));
            for (f, g) in w.as_array().expect("row").iter().enumerate() {
                worst = worst.max((values[f + 1] - num(g)).abs());
            }
        }
    }
    assert!(worst < 1e-5, "largest difference from shap {worst:e}");
    assert_eq!(rows.len() as u64, e.rows.explained);

    // Standard errors from the penalised Fisher information.
    let se = golden["std_error"].as_array().expect("se");
    for (t, g) in e.terms.iter().zip(se) {
        let rel = (t.std_error - num(g)).abs() / num(g);
        assert!(rel < 1e-5, "{}: {} vs {}", t.name, t.std_error, g);
        assert!((t.ci_high - t.ci_low - 2.0 * 1.959_963_984_540_054 * t.std_error).abs() < 1e-12);
    }

    // Proxy measures.
    let proxies = golden["proxies"].as_array().expect("proxies");
    assert_eq!(proxies.len(), e.proxies.len());
    for g in proxies {
        let p = e
            .proxies
            .iter()
            .find(|p| g["feature"] == p.feature.as_str() && g["attribute"] == p.attribute.as_str())
            .expect("every golden pair is reported");
        let a = p.association.expect("defined");
        assert!(
            (a - num(&g["association"])).abs() < 1e-9,
            "{} x {}",
            p.feature,
            p.attribute
        );
        assert!((p.auc.unwrap_or(0.0) - num(&g["auc"])).abs() < 1e-9);
        assert_eq!(p.auc_group.as_deref(), g["auc_group"].as_str());
    }
    // The injected postcode proxy for ethnicity is found.
    assert!(e
        .proxies
        .iter()
        .any(|p| p.feature == "postcode_district" && p.attribute == "ethnicity" && p.likely_proxy));
    Ok(())
}

#[test]
fn counterfactuals_reach_the_threshold_when_applied() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let (model, _) = demo_model(dir.path())?;
    let data_path = root().join("datasets/leads_demo.csv");
    let mut reasons = Vec::new();
    let params = ExplainParams {
        immutable: vec!["job_title".into()],
        repeats: 0,
        ..ExplainParams::default()
    };
    let e = explain::explain(
        &model,
        &data_path,
        &params.clone().check()?,
        Some(&mut reasons),
        None,
    )?;
    let (below, with) = (
        e.counterfactual_coverage.below_threshold,
        e.counterfactual_coverage.with_counterfactual,
    );
    assert!(below > 0 && with > 0);
    let (_, rows) = read_csv(&reasons);
    // Apply each counterfactual of the first 40 people who have one to their raw record and
    // rescore the changed records with the scorer.
    let text = std::fs::read_to_string(&data_path)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let by_id: std::collections::HashMap<&str, &str> = lines
        .map(|l| (l.split(',').next().unwrap_or_default(), l))
        .collect();
    // Features whose training values were all whole numbers: offered whole numbers.
    let whole: Vec<&str> = model
        .encoder
        .as_ref()
        .map(|e| {
            e.features
                .iter()
                .filter_map(|f| match f {
                    fairgate::train::FeatureEncoding::Numeric {
                        name,
                        integer: true,
                        ..
                    } => Some(name.as_str()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(whole.contains(&"email_clicks"), "{whole:?}");
    // What each changed record must score: at least the threshold (just above it for a
    // decimal change), or, one unit back toward the person's value from a whole-number
    // counterfactual, below it (the whole number offered is the smallest that reaches it).
    enum Expect {
        Reach { tight: bool },
        Miss,
    }
    let mut changed = header.join(",") + "\n";
    let mut expect = Vec::new();
    let mut whole_offered = 0;
    for row in rows.iter().filter(|r| !r[r.len() - 1].is_empty()).take(40) {
        let line = by_id[row[0].as_str()];
        for cf in row[row.len() - 1].split("; ") {
            let (feature, rest) = cf.split_once(": ").expect("feature: from -> to");
            assert_ne!(feature, "job_title", "an immutable feature was offered");
            let (from, to) = rest.split_once(" -> ").expect("from -> to");
            let col = header.iter().position(|h| *h == feature).expect("column");
            let mut fields: Vec<String> = line.split(',').map(String::from).collect();
            fields[col] = to.to_string();
            changed.push_str(&fields.join(","));
            changed.push('\n');
            let is_whole = whole.contains(&feature);
            expect.push(Expect::Reach {
                tight: to.parse::<f64>().is_ok() && !is_whole,
            });
            if is_whole {
                whole_offered += 1;
                let (to, from): (f64, f64) = (to.parse()?, from.parse()?);
                assert_eq!(to.fract(), 0.0, "{feature}: {to} is not a whole number");
                fields[col] = format!("{}", to - (to - from).signum());
                changed.push_str(&fields.join(","));
                changed.push('\n');
                expect.push(Expect::Miss);
            }
        }
    }
    assert!(
        whole_offered > 0,
        "no whole-number counterfactual among the first 40"
    );
    let expected = expect.len() as u64;
    let changed_path = dir.path().join("changed.csv");
    std::fs::write(&changed_path, changed)?;
    let mut out = Vec::new();
    let summary = train::score(
        &model,
        &changed_path,
        &DataSpec::default(),
        &mut out,
        fairgate::output::CsvCells::Guarded,
    )?;
    assert_eq!(summary.rows_scored, expected);
    let (head, scored) = read_csv(&out);
    let s = head.iter().position(|h| h == "score").expect("score");
    for (r, expect) in scored.iter().zip(expect) {
        let p: f64 = r[s].parse()?;
        match expect {
            Expect::Reach { tight } => {
                assert!(p >= model.threshold, "{}: {p} < {}", r[0], model.threshold);
                // A decimal change is the smallest that reaches the threshold (up to its
                // 4-decimal rounding); a categorical switch or a whole unit may overshoot.
                if tight {
                    assert!(p < model.threshold + 1e-3, "{}: {p}", r[0]);
                }
            }
            Expect::Miss => assert!(p < model.threshold, "{}: {p} reaches it", r[0]),
        }
    }
    Ok(())
}

#[test]
fn subject_export_is_one_person_and_errors_are_clear() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let (model, model_path) = demo_model(dir.path())?;
    let data = root().join("datasets/leads_demo.csv");
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let o = fairgate(&[
        "subject",
        "--model",
        &m(&model_path),
        "--data",
        &m(&data),
        "--id",
        "L0000003",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(v["schema_version"], 2);
    assert_eq!(v["source"]["line"], 4);
    assert_eq!(v["id"]["value"], "L0000003");
    assert_eq!(v["record"][0]["column"], "lead_id");
    assert_eq!(v["record"].as_array().map(Vec::len), Some(20));
    assert_eq!(v["consent"]["lawful_basis"], true);
    let text = String::from_utf8(o.stdout.clone())?;
    assert!(
        !text.contains("L0000001") && !text.contains("L0000004"),
        "another person's id"
    );
    // The score is the scorer's.
    let mut out = Vec::new();
    train::score(
        &model,
        &data,
        &DataSpec::default(),
        &mut out,
        fairgate::output::CsvCells::Guarded,
    )?;
    let (_, scored) = read_csv(&out);
    let row = scored.iter().find(|r| r[0] == "L0000003").expect("scored");
    let p: f64 = row[2].parse()?;
    assert!((num(&v["score"]) - p).abs() < 1e-12);
    assert_eq!(v["reasons"].as_array().map(Vec::len), Some(3));

    // A person who refused consent is exported but not scored.
    let o = fairgate(&[
        "subject",
        "--model",
        &m(&model_path),
        "--data",
        &m(&data),
        "--id",
        "L0000002",
        "--format",
        "text",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = String::from_utf8(o.stdout)?;
    assert!(
        t.contains("consent refused") && t.contains("No score was computed"),
        "{t}"
    );
    // The same account as Markdown (`--format markdown`, or an .md file), and `table` as
    // every other command's text format.
    let md_path = dir.path().join("L0000003.md");
    let (model_arg, data_arg) = (m(&model_path), m(&data));
    let account = |extra: &[&str]| {
        let mut args = vec![
            "subject", "--model", &model_arg, "--data", &data_arg, "--id", "L0000003",
        ];
        args.extend_from_slice(extra);
        fairgate(&args)
    };
    let md = account(&["--format", "markdown"]);
    assert!(md.status.success(), "{}", stderr(&md));
    let md = String::from_utf8(md.stdout)?;
    assert!(
        md.starts_with("# Your data and the automated decision\n\n"),
        "{md}"
    );
    assert!(
        md.contains("- lead\\_id: L0000003") && md.contains("Your score is"),
        "{md}"
    );
    let o = account(&["--out", &m(&md_path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&md_path)?, md);
    let table = account(&["--format", "table"]);
    assert!(table.status.success(), "{}", stderr(&table));
    assert_eq!(table.stdout, account(&["--format", "text"]).stdout);

    // Unknown and duplicated ids.
    let text = std::fs::read_to_string(&data)?;
    let dup = dir.path().join("dup.csv");
    let mut lines: Vec<&str> = text.lines().take(20).collect();
    lines.push(lines[3]);
    std::fs::write(&dup, lines.join("\n") + "\n")?;
    for (file, id, message) in [
        (&data, "L9999999", "no record has lead_id = \"L9999999\""),
        (
            &dup,
            "L0000003",
            "2 records have lead_id = \"L0000003\" (lines 4, 21)",
        ),
    ] {
        let o = fairgate(&[
            "subject",
            "--model",
            &m(&model_path),
            "--data",
            &m(file),
            "--id",
            id,
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(message), "{}", stderr(&o));
    }
    Ok(())
}

#[test]
fn explain_cli_reproduces_the_demo_report_without_personal_records(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let reasons = dir.path().join("reasons.csv");
    // The README's explain step, on the committed demo model.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .current_dir(root())
        .args([
            "explain",
            "--model",
            "reports/demo-model.json",
            "--data",
            "datasets/leads_demo.csv",
            "--format",
            "markdown",
            "--reasons",
            &m(&reasons),
        ])
        .output()?;
    assert!(o.status.success(), "{}", stderr(&o));
    let md = String::from_utf8(o.stdout)?;
    assert!(!md.contains("L00000"), "a person's id in the report");
    let committed = std::fs::read_to_string(root().join("reports/demo-explain.md"))?;
    assert!(
        md == committed,
        "reports/demo-explain.md is stale: rerun the README's command"
    );
    assert!(md.contains("| postcode\\_district | ethnicity | cramers_v"));
    let text = std::fs::read_to_string(&reasons)?;
    assert!(text.starts_with("id,score,decision,reason_1,reason_2,reason_3,counterfactuals\n"));

    let data = m(&root().join("datasets/leads_demo.csv"));
    let model = m(&root().join("reports/demo-model.json"));
    let o = fairgate(&[
        "explain",
        "--model",
        &model,
        "--data",
        &data,
        "--format",
        "json",
        "--repeats",
        "0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = String::from_utf8(o.stdout)?;
    assert!(!json.contains("L00000"), "a person's id in the JSON");
    let v: Value = serde_json::from_str(&json)?;
    assert_eq!(v["schema_version"], 2);
    assert_eq!(v["rows"]["explained"], 18_367);
    // A missing protected column is named.
    let o = fairgate(&[
        "explain",
        "--model",
        &model,
        "--data",
        &data,
        "--protected",
        "religion",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("\"religion\""), "{}", stderr(&o));
    Ok(())
}

/// A protected value spelled `unknown` is missing in the explanation's group findings, as in
/// the audit: the demo data with some ethnicities spelled `unknown` explains as with them
/// left blank.
#[test]
fn a_protected_value_spelled_unknown_is_missing() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let text = std::fs::read_to_string(root().join("datasets/leads_demo.csv"))?;
    let (head, rows) = read_csv(text.as_bytes());
    let eth = head
        .iter()
        .position(|h| h == "ethnicity")
        .ok_or("no ethnicity")?;
    let mut explained = Vec::new();
    for (name, word) in [("blank.csv", ""), ("spelled.csv", "unknown")] {
        let mut w = csv::Writer::from_path(dir.path().join(name))?;
        w.write_record(&head)?;
        for (i, row) in rows.iter().enumerate() {
            let mut row = row.clone();
            if i % 7 == 0 {
                row[eth] = word.to_string();
            }
            w.write_record(&row)?;
        }
        w.flush()?;
        let data = dir.path().join(name).to_string_lossy().into_owned();
        let model = root().join("reports/demo-model.json");
        let model = model.to_string_lossy();
        let args = [
            "explain", "--model", &model, "--data", &data, "--format", "json",
        ];
        let o = fairgate(&[&args[..], &["--repeats", "0"]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let mut v: Value = serde_json::from_slice(&o.stdout)?;
        v["input"] = Value::Null;
        explained.push(v);
    }
    assert_eq!(explained[0], explained[1]);
    Ok(())
}
