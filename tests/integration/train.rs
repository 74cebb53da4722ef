//! Training and scoring: coefficients, calibration and scores against the committed
//! scikit-learn goldens (tests/oracle/train_golden.py), consent accounting against an
//! independent count, the CLI chain train -> score -> audit, and bad input.

use std::path::Path;

use fairgate::data::{self, DataSpec, ReadOptions, Unlisted};
use fairgate::train::{self, Model, ModelKind, RuleSet, Solver, TrainParams};
use serde_json::Value;

use crate::util::{fairgate, root, stderr};

fn golden(name: &str) -> Value {
    let path = root().join("tests/oracle/golden").join(name);
    let text = std::fs::read_to_string(&path).expect("golden file exists");
    serde_json::from_str(&text).expect("golden is JSON")
}

fn demo_spec() -> Result<DataSpec, data::DataError> {
    DataSpec::from_config_file(&root().join("datasets/demo.toml"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("a number")
}

/// The model against the goldens: every coefficient within `tol` of scikit-learn's lbfgs
/// (the oracle); coefficients and intercept within 1e-6 of scikit-learn's exact
/// Newton solver; and an objective no higher than lbfgs's (lbfgs stops early along the
/// flat direction an intercept shares with a full one-hot block, which moves its intercept
/// by about 1e-4).
fn assert_coefficients(model: &Model, case: &Value, tol: f64) {
    let names = case["columns"].as_array().expect("columns");
    assert_eq!(model.coefficients.len(), names.len(), "design width");
    let mut worst = [0.0f64; 2];
    for (k, (name, (lbfgs, exact))) in names
        .iter()
        .zip(
            case["coef"]
                .as_array()
                .expect("coef")
                .iter()
                .zip(case["newton"]["coef"].as_array().expect("newton coef")),
        )
        .enumerate()
    {
        let name = name.as_str().expect("name");
        let got = &model.coefficients[k];
        assert_eq!(got.name, name, "design column {k}");
        worst[0] = worst[0].max((got.value - num(lbfgs)).abs());
        worst[1] = worst[1].max((got.value - num(exact)).abs());
    }
    assert!(
        worst[0] < tol,
        "largest difference from lbfgs {:e}",
        worst[0]
    );
    assert!(
        worst[1] < 1e-6,
        "largest difference from Newton {:e}",
        worst[1]
    );
    let di = (model.intercept - num(&case["newton"]["intercept"])).abs();
    assert!(di < 1e-6, "intercept differs from Newton's by {di:e}");
    let lbfgs = num(&case["objective"]);
    assert!(
        model.fit.objective <= lbfgs * (1.0 + 1e-13),
        "objective {} above lbfgs's {lbfgs}",
        model.fit.objective
    );
}

fn assert_scores(got: &train::Scores, want: &Value, tol: f64) {
    let auc = got.auc.expect("AUC defined");
    assert!(
        (auc - num(&want["auc"])).abs() < tol,
        "AUC {auc} vs {}",
        want["auc"]
    );
    assert!((got.log_loss - num(&want["log_loss"])).abs() < tol);
    assert!((got.brier - num(&want["brier"])).abs() < tol);
}

fn train_demo(params: &TrainParams) -> Result<Model, Box<dyn std::error::Error>> {
    let spec = demo_spec()?;
    let options = ReadOptions {
        unlisted: if params.rules.is_some() {
            Unlisted::Ignore
        } else {
            Unlisted::AsFeatures
        },
        ..ReadOptions::default()
    };
    let spec = match &params.rules {
        Some(r) => DataSpec {
            features: Some(r.columns()),
            ..spec
        },
        None => spec,
    };
    let table = data::load(&spec, &options)?;
    Ok(train::train(&table, &spec, &params.clone().check()?)?)
}

#[test]
fn logistic_matches_sklearn_on_the_demo_leads() -> Result<(), Box<dyn std::error::Error>> {
    let g = golden("train_leads_demo.json");
    for case in g["cases"].as_array().expect("cases") {
        if case["case"] == "points" {
            continue;
        }
        let params = TrainParams {
            c: num(&case["c"]),
            balanced: case["balanced"].as_bool() == Some(true),
            test_size: 0.0,
            ..TrainParams::default()
        };
        let model = train_demo(&params)?;
        assert_eq!(model.data.train_rows, case["rows"].as_u64().unwrap_or(0));
        assert!(model.fit.converged == Some(true));
        assert_coefficients(&model, case, 1e-4);
        let scores = model.train_scores.as_ref().expect("training scores");
        assert_scores(scores, &case["train"], 1e-6);
    }
    Ok(())
}

#[test]
fn linfa_reference_agrees_with_sklearn_and_newton() -> Result<(), Box<dyn std::error::Error>> {
    let g = golden("train_leads_demo.json");
    let case = &g["cases"][1]; // C = 0.05: strong regularisation, quick for L-BFGS
    assert_eq!(case["case"], "c0.05");
    let params = TrainParams {
        c: 0.05,
        test_size: 0.0,
        solver: Solver::Linfa,
        ..TrainParams::default()
    };
    let model = train_demo(&params)?;
    assert_eq!(model.fit.solver, "linfa");
    // linfa stops at its gradient tolerance: within 1e-4 of both scikit-learn solvers.
    let lbfgs = case["coef"].as_array().expect("coef");
    let exact = case["newton"]["coef"].as_array().expect("coef");
    for (k, c) in model.coefficients.iter().enumerate() {
        assert!((c.value - num(&lbfgs[k])).abs() < 1e-4, "{}", c.name);
        assert!((c.value - num(&exact[k])).abs() < 1e-4, "{}", c.name);
    }
    assert!((model.intercept - num(&case["newton"]["intercept"])).abs() < 1e-4);
    Ok(())
}

#[test]
fn points_calibration_matches_sklearn() -> Result<(), Box<dyn std::error::Error>> {
    let g = golden("train_leads_demo.json");
    let case = g["cases"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["case"] == "points"))
        .expect("points case");
    let rules = RuleSet::from_path(&root().join("datasets/points.toml"))?;
    let params = TrainParams {
        kind: ModelKind::Points,
        rules: Some(rules),
        test_size: 0.0,
        ..TrainParams::default()
    };
    let model = train_demo(&params)?;
    let fired: Vec<u64> = model.rule_firing.iter().map(|f| f.rows).collect();
    let want: Vec<u64> = case["fired"]
        .as_array()
        .expect("fired")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert_eq!(fired, want);
    let slope = model.slope.unwrap_or(0.0);
    assert!((model.intercept - num(&case["intercept"])).abs() < 1e-4);
    assert!((slope - num(&case["slope"])).abs() < 1e-4);
    assert!((model.intercept - num(&case["newton"]["intercept"])).abs() < 1e-8);
    assert!((slope - num(&case["newton"]["slope"])).abs() < 1e-10);
    assert_scores(
        model.train_scores.as_ref().expect("scores"),
        &case["train"],
        1e-6,
    );
    Ok(())
}

/// The Adult data sets live beside the project (never copied into it); where they are
/// absent this test says so and checks nothing else.
#[test]
fn adult_matches_sklearn_coefficients_and_test_auc() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::var("FAIRGATE_ADULT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root().join("../shared/datasets/adult"));
    if !dir.join("adult_train.csv").exists() {
        eprintln!(
            "skipped: {} not found (set FAIRGATE_ADULT_DIR)",
            dir.display()
        );
        return Ok(());
    }
    let g = golden("train_adult.json");
    let case = &g["cases"][0];
    let spec = DataSpec {
        path: Some(dir.join("adult_train.csv")),
        label: Some("label".into()),
        protected: Some(vec!["sex".into(), "race".into()]),
        ..DataSpec::default()
    };
    let params = TrainParams {
        test_size: 0.0,
        ..TrainParams::default()
    };
    let model = crate::util::train_all_columns(&spec, &params)?;
    assert_coefficients(&model, case, 1e-4);
    // Score the test file through the scorer and compute the AUC from its output.
    let mut out = Vec::new();
    let summary = train::score(
        &model,
        &dir.join("adult_test.csv"),
        &DataSpec::default(),
        &mut out,
        fairgate::output::CsvCells::Guarded,
    )?;
    assert_eq!(summary.rows_scored, case["test_rows"].as_u64().unwrap_or(0));
    let (p, y) = read_scored(&out, "label");
    let auc = train::auc(&p, &y).expect("two classes");
    let want = num(&case["test"]["auc"]);
    assert!(
        (auc - want).abs() < 0.002,
        "test AUC {auc} vs sklearn {want}"
    );
    assert!(
        (auc - want).abs() < 1e-5,
        "test AUC {auc} vs sklearn {want}"
    );
    Ok(())
}

fn read_scored(bytes: &[u8], label: &str) -> (Vec<f64>, Vec<bool>) {
    let mut r = csv::Reader::from_reader(bytes);
    let head = r.headers().expect("header").clone();
    let at = |n: &str| head.iter().position(|h| h == n).expect("column");
    let (s, l) = (at("score"), at(label));
    let mut p = Vec::new();
    let mut y = Vec::new();
    for rec in r.records() {
        let rec = rec.expect("record");
        p.push(rec[s].parse().expect("score"));
        y.push(&rec[l] == "1");
    }
    (p, y)
}

/// Counts consent outcomes straight from the CSV text, independently of the loader.
fn consent_counts(path: &Path, as_of: &str) -> (u64, u64, u64, u64) {
    let mut r = csv::Reader::from_path(path).expect("demo data");
    let head = r.headers().expect("header").clone();
    let c = head.iter().position(|h| h == "consent").expect("consent");
    let t = head
        .iter()
        .position(|h| h == "consent_timestamp")
        .expect("timestamp");
    let (mut ok, mut refused, mut missing, mut late) = (0, 0, 0, 0);
    for rec in r.records() {
        let rec = rec.expect("record");
        match &rec[c] {
            "true" if &rec[t][..10] <= as_of => ok += 1,
            "true" => late += 1,
            "false" => refused += 1,
            _ => missing += 1,
        }
    }
    (ok, refused, missing, late)
}

#[test]
fn cli_chain_train_score_audit_with_consent_accounting() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let model_path = dir.path().join("model.json");
    let scored = dir.path().join("scored.csv");
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let config = m(&root().join("datasets/demo.toml"));
    let args = [
        "train",
        "--config",
        &config,
        "--cv",
        "3",
        "--seed",
        "4",
        "--created",
        "2026-01-02",
        "--out",
    ];
    let o = fairgate(&[&args[..], &[&m(&model_path)]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let first = std::fs::read(&model_path)?;
    // Reproducible: the same inputs and options give the same bytes.
    let o = fairgate(&[&args[..], &[&m(&model_path)]].concat());
    assert!(o.status.success());
    assert_eq!(first, std::fs::read(&model_path)?);

    let model = Model::from_path(&model_path)?;
    let (ok, refused, missing, late) =
        consent_counts(&root().join("datasets/leads_demo.csv"), "2026-06-30");
    let ex = &model.data.excluded;
    assert_eq!(
        (
            model.data.rows_used,
            ex.consent_refused,
            ex.consent_missing,
            ex.consent_after_as_of
        ),
        (ok, refused, missing, late)
    );
    assert!(late > 0 && refused > 0 && missing > 0);
    assert_eq!(model.created, "2026-01-02T00:00:00Z");
    assert_eq!(model.data.sha256.len(), 64);
    assert!(model
        .cross_validation
        .as_ref()
        .is_some_and(|cv| cv.auc.values.len() == 3));
    // Protected attributes are recorded, never features.
    let features = model.feature_columns();
    for p in ["gender", "age_band", "ethnicity", "region"] {
        assert!(model.roles.protected.iter().any(|x| x == p));
        assert!(!features.iter().any(|f| f == p), "{p} is a feature");
    }

    let data_path = m(&root().join("datasets/leads_demo.csv"));
    let o = fairgate(&[
        "score",
        "--model",
        &m(&model_path),
        "--data",
        &data_path,
        "--out",
        &m(&scored),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("scored {ok} of 20000 rows")),
        "{}",
        stderr(&o)
    );
    let text = std::fs::read_to_string(&scored)?;
    assert!(text.starts_with("lead_id,converted,score,decision,gender,age_band,ethnicity,region\n"));
    assert_eq!(text.lines().count() as u64, ok + 1);

    let o = fairgate(&[
        "audit",
        "--data",
        &m(&scored),
        "--label",
        "converted",
        "--score",
        "score",
        "--protected",
        "gender,age_band",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let audit: Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(audit["input"]["rows_used"].as_u64(), Some(ok));
    Ok(())
}

#[test]
fn score_and_train_refuse_bad_input_with_named_columns() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let model_path = dir.path().join("model.json");
    let config = m(&root().join("datasets/demo.toml"));
    let o = fairgate(&["train", "--config", &config, "--out", &m(&model_path)]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Data without two of the model's columns: the error names both.
    let demo = std::fs::read_to_string(root().join("datasets/leads_demo.csv"))?;
    let mut cut = String::new();
    for line in demo.lines().take(50) {
        let fields: Vec<&str> = line.split(',').collect();
        // Drop job_title (index 9) and gender (index 1).
        let kept: Vec<&str> = fields
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 9 && *i != 1)
            .map(|(_, f)| *f)
            .collect();
        cut.push_str(&kept.join(","));
        cut.push('\n');
    }
    let short = dir.path().join("short.csv");
    std::fs::write(&short, cut)?;
    let out = dir.path().join("s.csv");
    let o = fairgate(&[
        "score",
        "--model",
        &m(&model_path),
        "--data",
        &m(&short),
        "--out",
        &m(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("\"job_title\"") && err.contains("\"gender\""),
        "{err}"
    );
    assert!(!out.exists());

    // A feature whose values changed kind: webinars_attended as words.
    let changed = demo
        .lines()
        .take(50)
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                let mut f: Vec<String> = l.split(',').map(String::from).collect();
                f[14] = "many".into();
                f.join(",")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let changed_path = dir.path().join("changed.csv");
    std::fs::write(&changed_path, changed)?;
    let o = fairgate(&[
        "score",
        "--model",
        &m(&model_path),
        "--data",
        &m(&changed_path),
        "--out",
        &m(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("webinars_attended"), "{}", stderr(&o));

    // One stray word in a numeric feature, in a file with CRLF line ends: the error names
    // its line and column (the model says the column is numeric, whatever the first rows
    // hold), and does not blame the output file.
    let stray = demo
        .lines()
        .take(50)
        .enumerate()
        .map(|(i, l)| {
            let mut f: Vec<String> = l.split(',').map(String::from).collect();
            if i == 3 {
                f[14] = "many".into();
            }
            f.join(",")
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    let stray_path = dir.path().join("stray.csv");
    std::fs::write(&stray_path, stray)?;
    let o = fairgate(&[
        "score",
        "--model",
        &m(&model_path),
        "--data",
        &m(&stray_path),
        "--out",
        &m(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:4:15:", m(&stray_path)))
            && err.contains("\"webinars_attended\": expected a number, found \"many\""),
        "{err}"
    );
    assert!(!err.contains("cannot write"), "{err}");

    // A protected attribute listed as a feature too.
    let data = m(&root().join("datasets/leads_demo.csv"));
    let o = fairgate(&[
        "train",
        "--data",
        &data,
        "--label",
        "converted",
        "--protected",
        "gender",
        "--features",
        "gender,page_visits",
        "--out",
        &m(&model_path),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("gender"), "{}", stderr(&o));

    // A points rule on a protected attribute.
    let rules = dir.path().join("bad.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = \"w\"\ncolumn = \"gender\"\nin = [\"male\"]\npoints = 5\n",
    )?;
    let o = fairgate(&[
        "train",
        "--config",
        &config,
        "--model",
        "points",
        "--rules",
        &m(&rules),
        "--out",
        &m(&model_path),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("protected"), "{}", stderr(&o));

    // A model file from another schema version.
    let old = dir.path().join("old.json");
    std::fs::write(&old, "{\"schema_version\": 99}")?;
    let o = fairgate(&[
        "score",
        "--model",
        &m(&old),
        "--data",
        &data,
        "--out",
        &m(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("schema version 99"), "{}", stderr(&o));
    Ok(())
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm), written here again so the
/// test does not share the library's date code.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[test]
fn record_ages_in_the_demo_model_match_a_recount_of_the_csv(
) -> Result<(), Box<dyn std::error::Error>> {
    // The committed demo model (trained with consent, consent_timestamp and as-of 2026-06-30).
    let model: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        crate::util::root().join("reports/demo-model.json"),
    )?)?;
    let ages = &model["data"]["record_ages"];
    let as_of = days_from_civil(2026, 6, 30);
    let mut want: std::collections::BTreeMap<i64, u64> = std::collections::BTreeMap::new();
    let mut rdr = csv::Reader::from_path(crate::util::root().join("datasets/leads_demo.csv"))?;
    let h = rdr.headers()?.clone();
    let col = |n: &str| h.iter().position(|x| x == n).ok_or("column");
    let (c, t) = (col("consent")?, col("consent_timestamp")?);
    for rec in rdr.records() {
        let rec = rec?;
        if &rec[c] != "true" || rec[t].is_empty() {
            continue;
        }
        let p: Vec<i64> = rec[t][..10]
            .split('-')
            .map(str::parse)
            .collect::<Result<_, _>>()?;
        let day = days_from_civil(p[0], p[1], p[2]);
        if day <= as_of {
            *want.entry(as_of - day).or_default() += 1;
        }
    }
    let got: Vec<(i64, u64)> = serde_json::from_value(ages["days"].clone())?;
    assert_eq!(got, want.into_iter().collect::<Vec<_>>());
    let used: u64 = got.iter().map(|d| d.1).sum();
    assert_eq!(Some(used), model["data"]["rows_used"].as_u64());
    // The DPIA counts the records older than the declared 730 days from these ages.
    let older: u64 = got.iter().filter(|d| d.0 > 730).map(|d| d.1).sum();
    let dpia = std::fs::read_to_string(crate::util::root().join("reports/demo-report/dpia.md"))?;
    assert!(
        dpia.contains(&format!("{older} of {used} training records")),
        "{older} of {used}"
    );
    Ok(())
}

#[test]
fn summaries_count_consent_only_when_there_is_a_consent_column(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let data = root().join("datasets/leads_demo.csv");
    let data = data.to_string_lossy();
    let model = dir.path().join("m.json");
    let model = model.to_string_lossy();
    let scored = dir.path().join("s.csv");
    let scored = scored.to_string_lossy();
    let base = [
        "train",
        "--data",
        &data,
        "--label",
        "converted",
        "--protected",
        "gender,age_band,ethnicity,region",
        "--exclude",
        "lead_id,vendor_score,consent,consent_timestamp",
        "--created",
        "2026-06-30",
        "--out",
        &model,
    ];
    for consent in [false, true] {
        let mut args = base.to_vec();
        if consent {
            args.extend(["--consent", "consent"]);
        }
        let o = fairgate(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
        let s = fairgate(&[
            "score", "--model", &model, "--data", &data, "--out", &scored,
        ]);
        assert!(s.status.success(), "{}", stderr(&s));
        let scored_said = format!("{}{}", String::from_utf8_lossy(&s.stdout), stderr(&s));
        for text in [&said, &scored_said] {
            assert_eq!(
                text.contains("refused consent"),
                consent,
                "consent column {consent}: {text}"
            );
            assert_eq!(
                text.contains("excluded without a lawful basis"),
                consent,
                "{text}"
            );
        }
        if !consent {
            assert!(
                said.contains("warning: no consent column was given"),
                "{said}"
            );
        }
    }
    Ok(())
}

#[test]
fn another_models_score_column_is_kept_out_of_training_unread(
) -> Result<(), Box<dyn std::error::Error>> {
    // The demo leads with a vendor score that is no score at all on some rows: training
    // names it (--score) so that it is not a feature, and neither reads nor rejects it.
    let text = std::fs::read_to_string(root().join("datasets/leads_demo.csv"))?;
    let mut lines: Vec<String> = text.lines().take(3001).map(str::to_string).collect();
    let col = lines[0]
        .split(',')
        .position(|c| c == "vendor_score")
        .ok_or("no vendor_score column")?;
    for line in lines.iter_mut().skip(1).step_by(7) {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[col] = "n/a";
        *line = cells.join(",");
    }
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("leads.csv");
    std::fs::write(&data, lines.join("\n") + "\n")?;
    let out = dir.path().join("model.json");
    let o = fairgate(&[
        "train",
        "--data",
        &data.to_string_lossy(),
        "--label",
        "converted",
        "--id",
        "lead_id",
        "--score",
        "vendor_score",
        "--protected",
        "gender,age_band,ethnicity,region",
        "--consent",
        "consent",
        "--exclude",
        "consent_timestamp",
        "--on-invalid",
        "error",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let model: Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    let text = model.to_string();
    assert!(
        !text.contains("vendor_score"),
        "the score is in the model: {text}"
    );
    assert_eq!(model["data"]["rows_read"], 3000, "{}", model["data"]);
    assert_eq!(
        model["data"]["rejected"],
        serde_json::json!([]),
        "{}",
        model["data"]
    );
    Ok(())
}
