//! `fairgate compare` (changes against noise, Holm across every change, appeared and vanished
//! groups, rule changes, regressions, bad input) and `fairgate run` (plans, variants, errors).

use std::path::Path;

use serde_json::Value;

use crate::util::{fairgate, root, scores_audit, scores_audit_with, stderr};

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

#[test]
fn drift_is_found_tested_against_noise_and_counted_as_regression(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let old = scores_audit(
        d,
        "q1",
        &[
            ("A", 2000, 1000),
            ("B", 2000, 900),
            ("D", 300, 120),
            ("E", 5, 2),
        ],
    );
    let new = scores_audit(
        d,
        "q2",
        &[
            ("A", 2000, 1000),
            ("B", 2000, 600),
            ("C", 500, 250),
            ("E", 5, 5),
        ],
    );
    let policy = root().join("datasets/policy-four-fifths.toml");
    let html = d.join("trend.html");
    let o = fairgate(&[
        "compare",
        s(&old),
        s(&new),
        "--policy",
        s(&policy),
        "--format",
        "json",
        "--html",
        s(&html),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c: Value = serde_json::from_slice(&o.stdout)?;
    let groups = c["attributes"][0]["groups"].as_array().ok_or("groups")?;
    let find = |g: &str| {
        groups
            .iter()
            .find(|x| x["group"] == g)
            .ok_or(format!("group {g}"))
    };
    assert_eq!(find("C")?["change"], "appeared");
    assert_eq!(find("D")?["change"], "vanished");
    let b = find("B")?["metrics"].as_array().ok_or("metrics")?;
    let di = b
        .iter()
        .find(|t| t["metric"] == "disparate_impact")
        .ok_or("di")?;
    assert_eq!(
        (di["beyond_noise"].as_bool(), di["regression"].as_bool()),
        (Some(true), Some(true))
    );
    // z recomputed from the two audits' own Katz intervals, on the log scale.
    let (a1, a2): (Value, Value) = (
        serde_json::from_str(&std::fs::read_to_string(&old)?)?,
        serde_json::from_str(&std::fs::read_to_string(&new)?)?,
    );
    let di_of = |a: &Value| -> Option<(f64, f64, f64)> {
        let g = a["attributes"][0]["groups"]
            .as_array()?
            .iter()
            .find(|g| g["group"] == "B")?;
        let m = &g["metrics"]["disparate_impact"];
        Some((
            m["value"].as_f64()?,
            m["ci_low"].as_f64()?,
            m["ci_high"].as_f64()?,
        ))
    };
    let ((x1, l1, h1), (x2, l2, h2)) = (di_of(&a1).ok_or("b1")?, di_of(&a2).ok_or("b2")?);
    let z95 = 1.959963984540054;
    let se = (((h1.ln() - l1.ln()) / (2.0 * z95)).powi(2)
        + ((h2.ln() - l2.ln()) / (2.0 * z95)).powi(2))
    .sqrt();
    let want = (x2.ln() - x1.ln()) / se;
    assert!(
        (di["z"].as_f64().ok_or("z")? - want).abs() < 1e-9,
        "{} vs {want}",
        di["z"]
    );
    // Holm never lowers a p-value below the raw one.
    let p_raw = libm::erfc(want.abs() / std::f64::consts::SQRT_2);
    assert!(di["p_holm"].as_f64().ok_or("p")? >= p_raw - 1e-15);
    // The selection rate of A did not change: not beyond noise.
    let a = find("A")?["metrics"].as_array().ok_or("a")?;
    assert!(a.iter().all(|t| t["beyond_noise"] == false));
    // The four-fifths rule: D inconclusive in the first quarter, B failing in the second.
    let rule = &c["rules"][0];
    assert_eq!(
        rule["statuses"],
        serde_json::json!(["INCONCLUSIVE", "FAIL"])
    );
    assert_eq!(rule["regression"], true);
    assert!(c["regressions"].as_u64() >= Some(2));
    // --fail-on-regression turns it into exit code 1; the text names the regressions.
    let o = fairgate(&["compare", s(&old), s(&new), "--fail-on-regression"]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("g=B disparate_impact: 0.900 -> 0.600"),
        "{text}"
    );
    assert!(
        text.contains("REGRESSION") && text.contains("g=C: appeared"),
        "{text}"
    );
    let page = std::fs::read_to_string(&html)?;
    assert!(page.contains("<svg") && !page.to_lowercase().contains("<script"));
    assert!(page.contains("Impact ratio against the reference by g"));
    // The small group E is in the JSON (counts) but not tested and not charted.
    assert_eq!(find("E")?["small"], true);
    assert!(find("E")?["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|t| t["z"].is_null()));
    // Groups are named in the charts' legends (outside the plot).
    assert!(
        page.contains("</span>B</li>") && !page.contains("</span>E</li>"),
        "E charted"
    );
    Ok(())
}

#[test]
fn samples_of_the_same_process_show_no_change_beyond_noise(
) -> Result<(), Box<dyn std::error::Error>> {
    // Two draws of the demo generator (seeds 1 and 2), the vendor score audited in each.
    let dir = tempfile::tempdir()?;
    let mut audits = Vec::new();
    for seed in ["1", "2"] {
        let data = dir.path().join(format!("leads{seed}.csv"));
        let o = fairgate(&[
            "datasets",
            "generate",
            "--rows",
            "20000",
            "--seed",
            seed,
            "--out",
            s(&data),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = dir.path().join(format!("audit{seed}.json"));
        let o = fairgate(&[
            "audit",
            "--config",
            s(&root().join("datasets/demo.toml")),
            "--data",
            s(&data),
            "--threshold",
            "0.2",
            "--intersect",
            "gender,age_band",
            "--format",
            "json",
            "--out",
            s(&out),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        audits.push(out);
    }
    let o = fairgate(&[
        "compare",
        s(&audits[0]),
        s(&audits[1]),
        "--format",
        "json",
        "--fail-on-regression",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c: Value = serde_json::from_slice(&o.stdout)?;
    let mut tested = 0;
    for a in c["attributes"].as_array().into_iter().flatten() {
        for g in a["groups"].as_array().into_iter().flatten() {
            for t in g["metrics"].as_array().into_iter().flatten() {
                tested += usize::from(t["z"].is_number());
                assert_eq!(
                    t["beyond_noise"], false,
                    "{} {} {}",
                    a["name"], g["group"], t["metric"]
                );
            }
        }
    }
    assert!(tested > 200, "{tested}");
    Ok(())
}

#[test]
fn audits_that_differ_in_version_or_attributes_are_compared_where_they_overlap(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let old = scores_audit(d, "q1", &[("A", 500, 250), ("B", 500, 200)]);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&old)?)?;
    let new = scores_audit(d, "q2", &[("A", 500, 250), ("B", 500, 200)]);
    // A schema this fairgate does not know is refused, with the file and the field.
    let mut future = v.clone();
    future["schema_version"] = serde_json::json!(99);
    let unknown = d.join("future.json");
    std::fs::write(&unknown, serde_json::to_string(&future)?)?;
    let o = fairgate(&["compare", s(&unknown), s(&new)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("future.json") && stderr(&o).contains("schema_version: 99"),
        "{}",
        stderr(&o)
    );
    if let Some(attr) = v["attributes"][0].as_object_mut() {
        attr.insert("name".into(), serde_json::json!("h"));
    }
    let odd = d.join("odd.json");
    std::fs::write(&odd, serde_json::to_string(&v)?)?;
    let o = fairgate(&["compare", s(&odd), s(&new), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c: Value = serde_json::from_slice(&o.stdout)?;
    let notes = c["notes"].to_string();
    assert!(
        notes.contains("attribute h is not in audit(s) 2")
            && notes.contains("attribute g is not in audit(s) 1"),
        "{notes}"
    );
    // Not an audit; a single file.
    let o = fairgate(&["compare", s(&root().join("datasets/demo.toml")), s(&new)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a fairgate audit JSON"));
    let o = fairgate(&["compare", s(&new)]);
    assert_eq!(o.status.code(), Some(2));
    Ok(())
}

/// Audits made with different options (here the threshold and the bins) are compared, with a
/// note naming what differs: a quarter-on-quarter change could come from the options alone.
/// Audits made the same way get no such note, and neither do audits written before the columns
/// were recorded.
#[test]
fn audits_made_with_different_options_are_named() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let q1 = scores_audit(d, "q1", &[("A", 500, 250), ("B", 500, 200)]);
    let q2 = scores_audit(d, "q2", &[("A", 500, 250), ("B", 500, 200)]);
    let q3 = scores_audit_with(
        d,
        "q3",
        &[("A", 500, 250), ("B", 500, 200)],
        &["--threshold", "0.7", "--bins", "quantile:5"],
    );
    let notes = |a: &Path, b: &Path| -> Result<String, Box<dyn std::error::Error>> {
        let o = fairgate(&["compare", s(a), s(b), "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let c: Value = serde_json::from_slice(&o.stdout)?;
        Ok(c["notes"].to_string())
    };
    let n = notes(&q1, &q3)?;
    assert!(
        n.contains("audits 1 and 2 were made with different options (threshold 0.5 -> 0.7; bins 10 uniform -> 5 quantile)"),
        "{n}"
    );
    assert!(!notes(&q1, &q2)?.contains("different options"));
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(&q1)?)?;
    old["options"]
        .as_object_mut()
        .ok_or("options")?
        .remove("columns");
    let q0 = d.join("q0.json");
    std::fs::write(&q0, serde_json::to_string(&old)?)?;
    assert!(!notes(&q0, &q2)?.contains("different options"));
    Ok(())
}

#[test]
fn run_plans_each_variant_and_names_bad_pipelines() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let demo = root().join("datasets");
    // Scores given in the data: audit, gate and report only, in a folder of their own.
    let pipeline = d.join("vendor.toml");
    std::fs::write(
        &pipeline,
        format!(
            "[data]\npath = \"{}\"\nlabel = \"converted\"\nscore = \"vendor_score\"\nprotected = [\"gender\", \"ethnicity\"]\n\n[audit]\nthreshold = 0.2\n\n[gate]\npolicy = \"{}\"\n\n[report]\n\n[run]\nout = \"vendor-run\"\ncreated = \"2026-06-30\"\n",
            demo.join("leads_demo.csv").display(),
            demo.join("policy-four-fifths.toml").display()
        ),
    )?;
    let o = fairgate(&["run", s(&pipeline), "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plan = String::from_utf8_lossy(&o.stdout);
    let steps: Vec<&str> = plan
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap_or_default())
        .collect();
    assert_eq!(steps, ["audit", "gate", "report"], "{plan}");
    let o = fairgate(&["run", s(&pipeline)]);
    let out = d.join("vendor-run");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(out.join("report/report.html").is_file() && out.join("gate.junit.xml").is_file());
    assert!(!out.join("model.json").exists());
    // The same audit as running the command by hand.
    let by_hand = d.join("by-hand.json");
    let o = fairgate(&[
        "audit",
        "--data",
        s(&demo.join("leads_demo.csv")),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "gender,ethnicity",
        "--threshold",
        "0.2",
        "--format",
        "json",
        "--out",
        s(&by_hand),
    ]);
    assert!(o.status.success());
    let (a, b): (Value, Value) = (
        serde_json::from_str(&std::fs::read_to_string(out.join("audit.json"))?)?,
        serde_json::from_str(&std::fs::read_to_string(&by_hand)?)?,
    );
    assert_eq!(a["attributes"], b["attributes"]);
    // An existing model: explain, score, audit, no training.
    let with_model = d.join("model.toml");
    std::fs::write(
        &with_model,
        format!(
            "[data]\npath = \"{}\"\nlabel = \"converted\"\nprotected = [\"gender\"]\n\n[model]\npath = \"{}\"\n",
            demo.join("leads_demo.csv").display(),
            root().join("reports/demo-model.json").display()
        ),
    )?;
    let o = fairgate(&["run", s(&with_model), "--dry-run"]);
    let plan = String::from_utf8_lossy(&o.stdout);
    let steps: Vec<&str> = plan
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap_or_default())
        .collect();
    assert_eq!(steps, ["explain", "score", "audit"], "{plan}");
    // Bad pipelines: an unknown key names its line; a missing table is named.
    for (i, (text, want)) in [
        (
            "[data]\npath = \"x.csv\"\nprotected = [\"g\"]\n\n[audit]\nthreshhold = 0.3\n",
            ":6:",
        ),
        (
            "\n[data]\npath = \"x.csv\"\n",
            ":2: the [data] table needs protected",
        ),
        (
            "[data]\nprotected = [\"g\"]\n",
            ":1: the [data] table needs path",
        ),
        (
            "[data]\npath = \"x.csv\"\nprotected = [\"g\"]\n[train]\n[model]\npath = \"m.json\"\n",
            ":5: give [train] or [model], not both",
        ),
    ]
    .iter()
    .enumerate()
    {
        let p = d.join(format!("bad{i}.toml"));
        std::fs::write(&p, text)?;
        let o = fairgate(&["run", s(&p)]);
        assert_eq!(o.status.code(), Some(2), "case {i}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("bad{i}.toml")) && err.contains(want),
            "case {i}: {err}"
        );
    }
    Ok(())
}
