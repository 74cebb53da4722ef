//! The search for less discriminatory alternatives (`fairgate mitigate --config`) against
//! each candidate applied by hand, as a user applies it: `fairgate train` (with `--reweigh`
//! and the candidate's threshold), `fairgate audit` of the held-out rows, `fairgate gate`,
//! `fairgate mitigate threshold` on the training rows; the accuracy counted here from the
//! scored file. Determinism whatever the thread count, and bad configurations.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{fairgate, root, stderr};

type Res = Result<(), Box<dyn std::error::Error>>;

/// The demo's `[data]` table with absolute paths, `[train]` as the demo's (no folds), the
/// four-fifths policy and the `[mitigate]` table given.
fn config(dir: &Path, mitigate: &str, train: &str) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let demo = std::fs::read_to_string(root().join("datasets/demo.toml"))?;
    let data_end = demo.find("\n[explain]").ok_or("demo.toml has [explain]")?;
    let data = demo[..data_end].replace(
        "path = \"leads_demo.csv\"",
        &format!(
            "path = {:?}",
            root().join("datasets/leads_demo.csv").to_string_lossy()
        ),
    );
    let text = format!(
        "{data}\n\n[train]\n{train}\n\n[gate]\npolicy = {:?}\n\n[mitigate]\n{mitigate}\n",
        policy().to_string_lossy()
    );
    let path = dir.join("search.toml");
    std::fs::write(&path, text)?;
    Ok(path)
}

fn policy() -> PathBuf {
    root().join("datasets/policy-four-fifths.toml")
}

const TRAIN: &str = "seed = 1\nthreshold = 0.2";

/// `fairgate mitigate --config FILE --format json`: the exit code and the result.
fn search(cfg: &Path) -> Result<(i32, Value, Vec<u8>), Box<dyn std::error::Error>> {
    let o = fairgate(&[
        "mitigate",
        "--config",
        &cfg.to_string_lossy(),
        "--format",
        "json",
    ]);
    let code = o.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "{}", stderr(&o));
    Ok((code, serde_json::from_slice(&o.stdout)?, o.stdout))
}

/// The validation rows of a scored file: (label, score).
fn validation_rows(scored: &Path) -> Result<Vec<(bool, f64)>, Box<dyn std::error::Error>> {
    let mut r = csv::Reader::from_path(scored)?;
    let head = r.headers()?.clone();
    let col = |name: &str| head.iter().position(|h| h == name).ok_or("column");
    let (y, s, split) = (col("converted")?, col("score")?, col("split")?);
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        if &rec[split] == "validation" {
            out.push((
                &rec[y] == "1" || &rec[y] == "yes" || &rec[y] == "true",
                rec[s].parse()?,
            ));
        }
    }
    Ok(out)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(1.0)
}

#[test]
fn every_candidate_is_what_a_user_gets_by_applying_it() -> Res {
    let dir = tempfile::tempdir()?;
    let cfg = config(
        dir.path(),
        "by = [\"age_band\"]\nobjective = \"value:4,-1\"\nmethods = [\"threshold\", \"reweigh\", \"reweigh+threshold\"]",
        TRAIN,
    )?;
    let (code, r, _) = search(&cfg)?;
    let cands = r["candidates"].as_array().ok_or("candidates")?;
    assert_eq!(cands.len(), 4);
    assert_eq!(cands[0]["id"], "baseline");
    assert_eq!(
        code,
        if r["recommended"].is_null() { 1 } else { 0 },
        "exit 0 exactly when a candidate is recommended"
    );
    let protected = "gender,age_band,ethnicity,region";
    for c in cands {
        let id = c["id"].as_str().ok_or("id")?;
        let t = c["threshold"].as_f64().ok_or("threshold")?;
        let reweigh = id.starts_with("reweigh");
        // Train as the candidate says.
        let model = dir.path().join(format!("{id}.json"));
        let scored = dir.path().join(format!("{id}.csv"));
        let mut args = vec![
            "train".to_string(),
            "--config".into(),
            cfg.to_string_lossy().into(),
            "--seed".into(),
            "1".into(),
            "--threshold".into(),
            format!("{t}"),
            "--out".into(),
            model.to_string_lossy().into(),
            "--scored".into(),
            scored.to_string_lossy().into(),
            "--raw-csv".into(),
        ];
        if reweigh {
            args.extend(["--reweigh".into(), "age_band".into()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = fairgate(&args);
        assert!(o.status.success(), "{id}: {}", stderr(&o));
        // Accuracy and selection rate counted here from the held-out rows.
        let rows = validation_rows(&scored)?;
        assert_eq!(rows.len() as u64, r["held_out_rows"].as_u64().ok_or("n")?);
        let n = rows.len() as f64;
        let correct = rows.iter().filter(|(y, s)| (*s >= t) == *y).count() as f64;
        let selected = rows.iter().filter(|(_, s)| *s >= t).count() as f64;
        let acc = c["accuracy"]["value"].as_f64().ok_or("accuracy")?;
        assert!(close(acc, correct / n), "{id}: {acc} vs {}", correct / n);
        assert!(close(
            c["selection_rate"].as_f64().ok_or("selected")?,
            selected / n
        ));
        let tp = rows.iter().filter(|(y, s)| *y && *s >= t).count() as f64;
        let value = (4.0 * tp - (selected - tp)) / n;
        assert!(close(c["objective"].as_f64().ok_or("objective")?, value));
        // The held-out audit and the gate, as a user runs them.
        let audit = dir.path().join(format!("{id}-audit.json"));
        let o = fairgate(&[
            "audit",
            "--data",
            &scored.to_string_lossy(),
            "--label",
            "converted",
            "--score",
            "score",
            "--protected",
            protected,
            "--filter",
            "split=validation",
            "--threshold",
            &format!("{t}"),
            "--format",
            "json",
            "--out",
            &audit.to_string_lossy(),
        ]);
        assert!(o.status.success(), "{id}: {}", stderr(&o));
        let o = fairgate(&[
            "gate",
            "--policy",
            &policy().to_string_lossy(),
            "--audit",
            &audit.to_string_lossy(),
        ]);
        let passed = c["gate"]["passed"].as_bool().ok_or("passed")?;
        assert_eq!(
            o.status.code(),
            Some(if passed { 0 } else { 1 }),
            "{id}: the gate's exit"
        );
        // The lowest impact ratio of age_band, with its interval, as the audit has it.
        let a: Value = serde_json::from_str(&std::fs::read_to_string(&audit)?)?;
        let age = a["attributes"]
            .as_array()
            .and_then(|v| v.iter().find(|x| x["name"] == "age_band"))
            .ok_or("age_band audited")?;
        let worst = age["groups"]
            .as_array()
            .ok_or("groups")?
            .iter()
            .filter(|g| g["small"] == false)
            .filter_map(|g| {
                let m = &g["metrics"]["disparate_impact"];
                Some((m["value"].as_f64()?, m.clone()))
            })
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .ok_or("a ratio")?;
        let ours = &c["disparity"]["min_impact_ratio"];
        assert!(close(ours["value"].as_f64().ok_or("v")?, worst.0), "{id}");
        assert!(close(
            ours["low"].as_f64().ok_or("low")?,
            worst.1["ci_low"].as_f64().ok_or("ci_low")?
        ));
        // A threshold candidate's threshold is what `mitigate threshold` picks on the
        // training rows of the model it thresholds.
        if id.ends_with("threshold") {
            let o = fairgate(&[
                "mitigate",
                "threshold",
                "--data",
                &scored.to_string_lossy(),
                "--label",
                "converted",
                "--score",
                "score",
                "--protected",
                protected,
                "--filter",
                "split=train",
                "--by",
                "age_band",
                "--objective",
                "value:4,-1",
                "--threshold",
                "0.2",
                "--policy",
                &policy().to_string_lossy(),
                "--format",
                "json",
            ]);
            let curve: Value = serde_json::from_slice(&o.stdout)?;
            let picked = curve["chosen"]["point"]["threshold"]
                .as_f64()
                .or(curve["closest"]["point"]["threshold"].as_f64())
                .ok_or_else(|| format!("a threshold: {}", stderr(&o)))?;
            assert_eq!(picked, t, "{id}");
        }
    }
    // The recommendation: the passing candidate with the best objective.
    let best = cands
        .iter()
        .filter(|c| c["gate"]["passed"] == true && c["deployable"] == true)
        .max_by(|a, b| {
            let (x, y) = (
                a["objective"].as_f64().unwrap_or(f64::MIN),
                b["objective"].as_f64().unwrap_or(f64::MIN),
            );
            x.total_cmp(&y)
        })
        .map(|c| c["id"].clone())
        .unwrap_or(Value::Null);
    assert_eq!(r["recommended"], best);
    Ok(())
}

#[test]
fn the_search_is_byte_identical_whatever_the_thread_count() -> Res {
    let dir = tempfile::tempdir()?;
    let cfg = config(
        dir.path(),
        "by = [\"gender\", \"age_band\"]\nseed = 3",
        TRAIN,
    )?;
    let (_, r, free) = search(&cfg)?;
    assert_eq!(r["attribute"], "gender x age_band");
    let pinned = std::process::Command::new("taskset")
        .args(["-c", "0", env!("CARGO_BIN_EXE_fairgate")])
        .args([
            "mitigate",
            "--config",
            &cfg.to_string_lossy(),
            "--format",
            "json",
        ])
        .output();
    match pinned {
        // A second run, on one core where the first had two: the same bytes.
        Ok(o) => assert_eq!(o.stdout, free, "one core and two give the same bytes"),
        // Without taskset, a second run on as many cores: the same bytes.
        Err(_) => assert_eq!(search(&cfg)?.2, free, "two runs give the same bytes"),
    }
    // Group thresholds are analysis only: never recommended, the warning in the output.
    let g = r["candidates"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "group-thresholds"))
        .ok_or("group thresholds analysed")?;
    assert_eq!(g["character"], "attribute_at_decision");
    assert_eq!(g["deployable"], false);
    assert_ne!(r["recommended"], "group-thresholds");
    assert!(r["warning"]
        .as_str()
        .is_some_and(|w| w.contains("disparate treatment")));
    Ok(())
}

#[test]
fn a_group_with_one_label_class_leaves_that_candidate_unevaluated_with_the_reason() -> Res {
    // Group "c" has no positive label: Fairlearn's ThresholdOptimizer refuses it, and so does
    // the group-thresholds candidate, which the search reports instead of failing.
    let dir = tempfile::tempdir()?;
    let mut csv = String::from("y,x,g\n");
    for i in 0..600 {
        let g = ["a", "b", "c"][i % 3];
        let x = (i * 37 % 100) as f64 / 100.0;
        let y = g != "c" && (x > 0.5) != (i % 7 == 0);
        csv.push_str(&format!("{},{x},{g}\n", u8::from(y)));
    }
    let data = dir.path().join("one-class.csv");
    std::fs::write(&data, csv)?;
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!(
            "[data]\npath = {:?}\nlabel = \"y\"\nprotected = [\"g\"]\n\n[train]\nthreshold = 0.5\n\n[mitigate]\nby = [\"g\"]\nmethods = [\"group-thresholds\"]\n",
            data.to_string_lossy()
        ),
    )?;
    let (_, r, _) = search(&cfg)?;
    let g = &r["candidates"][1];
    assert_eq!(g["id"], "group-thresholds");
    assert_eq!(g["evaluated"], false);
    let note = g["note"].as_str().ok_or("a note")?;
    assert!(note.contains("not evaluated"), "{note}");
    assert!(note.contains('c'), "{note}");
    assert_eq!(r["candidates"][0]["evaluated"], true);
    Ok(())
}

#[test]
fn bad_configurations_are_clear_errors_with_exit_2_and_write_nothing() -> Res {
    let dir = tempfile::tempdir()?;
    for (mitigate, train, expected) in [
        ("methods = [\"threshold\"]", TRAIN, "by"),
        ("by = [\"income\"]", TRAIN, "income"),
        ("by = [\"age_band\"]\nmethods = [\"magic\"]", TRAIN, "magic"),
        (
            "by = [\"age_band\"]\nobjective = \"profit\"",
            TRAIN,
            "objective",
        ),
        ("by = [\"age_band\"]", "test-size = 0.0", "held-out"),
        (
            "by = [\"age_band\"]\nconstraint = \"fairness\"",
            TRAIN,
            "constraint",
        ),
    ] {
        let cfg = config(dir.path(), mitigate, train)?;
        let out = dir.path().join("out.json");
        let o = fairgate(&[
            "mitigate",
            "--config",
            &cfg.to_string_lossy(),
            "--format",
            "json",
            "--out",
            &out.to_string_lossy(),
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{mitigate}: {err}");
        assert!(err.contains(expected), "{mitigate}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "nothing written for {mitigate}");
    }
    // No --config and no method: a usage error.
    let o = fairgate(&["mitigate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--config"));
    Ok(())
}

#[test]
fn the_report_refuses_a_search_of_other_data() -> Res {
    let dir = tempfile::tempdir()?;
    let run = crate::util::demo_run()?;
    let mitigation: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("mitigation.json"))?)?;
    assert_eq!(mitigation["method"], "less-discriminatory-alternatives");
    let md = std::fs::read_to_string(run.join("report/report.md"))?;
    assert!(md.contains("## Less discriminatory alternatives, by age\\_band"));
    let evidence: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report/evidence.json"))?)?;
    assert_eq!(evidence["mitigation"], mitigation);
    // The same search claiming other data: refused.
    let mut other = mitigation.clone();
    other["data_sha256"] = Value::String("0".repeat(64));
    let forged = dir.path().join("forged.json");
    std::fs::write(&forged, serde_json::to_string(&other)?)?;
    let o = fairgate(&[
        "report",
        "--audit",
        &run.join("audit.json").to_string_lossy(),
        "--model",
        &run.join("model.json").to_string_lossy(),
        "--mitigation",
        &forged.to_string_lossy(),
        "--out",
        &dir.path().join("r").to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not on the model's training data"));
    Ok(())
}
