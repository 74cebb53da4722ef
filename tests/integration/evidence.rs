//! Evidence a reviewer can trust: the report states the gate's verdicts word for word, the
//! default reference is never a noisy group, statements about the model come only from
//! evidence or declarations, a model trained elsewhere can meet the strict policy with declared
//! evidence, and `report --verify` catches a one-byte change in any listed file.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{fairgate, root, stderr};

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

fn json(p: &Path) -> Result<Value, Box<dyn std::error::Error>> {
    Ok(serde_json::from_slice(&std::fs::read(p)?)?)
}

/// The Adult test set scored by a scikit-learn model (committed with the oracle), audited by
/// sex, race and their intersection into `dir/adult.json`.
fn adult_audit(dir: &Path) -> PathBuf {
    let data = root().join("tests/oracle/data/adult_test_scored.csv");
    let out = dir.join("adult.json");
    let o = fairgate(&[
        "audit",
        "--data",
        s(&data),
        "--label",
        "label",
        "--score",
        "score",
        "--protected",
        "sex,race",
        "--intersect",
        "sex,race",
        "--format",
        "json",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

/// Markdown's escapes undone, for comparing the report's text with plain text.
fn unescape(md: &str) -> String {
    let mut out = String::new();
    let mut chars = md.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        out.push(c);
    }
    out
}

/// The summary's lines of report.md (between "Summary of findings" and the next heading).
fn summary_lines(report_md: &str) -> Vec<String> {
    report_md
        .lines()
        .skip_while(|l| !l.starts_with("## Summary of findings"))
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("- "))
        .map(unescape)
        .collect()
}

/// The status word the report must show for a check: the gate's, except that a failed check
/// of a warn rule warns, as its rule does.
fn expected_word(rule: &Value, check: &Value) -> String {
    let status = check["status"].as_str().unwrap_or_default();
    match (status, rule["severity"].as_str()) {
        ("FAIL", Some("warn")) => "WARN".into(),
        ("NOT_APPLICABLE", _) => "NOT APPLICABLE".into(),
        (s, _) => s.into(),
    }
}

/// Every check of the gate result appears in the report's summary with the same status, the
/// same estimate and the same interval (to the three decimals shown; counts exactly), and in
/// evidence.json's findings with the exact numbers.
fn assert_report_states_the_gate(
    gate: &Value,
    report_dir: &Path,
) -> Result<usize, Box<dyn std::error::Error>> {
    let md = std::fs::read_to_string(report_dir.join("report.md"))?;
    let lines = summary_lines(&md);
    let evidence = json(&report_dir.join("evidence.json"))?;
    let findings = evidence["findings"].as_array().cloned().unwrap_or_default();
    let verdict = if gate["passed"] == Value::Bool(true) {
        "PASSED"
    } else {
        "FAILED"
    };
    // The verdict opens the report, before the summary.
    let first = md
        .lines()
        .find(|l| l.starts_with("- **"))
        .map(unescape)
        .unwrap_or_default();
    assert!(first.contains(&format!("Verdict: {verdict}")), "{first}");
    let mut checked = 0;
    for rule in gate["rules"].as_array().into_iter().flatten() {
        let id = rule["id"].as_str().unwrap_or_default();
        for c in rule["checks"].as_array().into_iter().flatten() {
            let subject = c["subject"].as_str().unwrap_or_default();
            let word = expected_word(rule, c);
            let number = |v: &Value| {
                v.as_f64().map(|x| {
                    if rule["metric"] == "n" {
                        format!("{x:.0}")
                    } else {
                        format!("{x:.3}")
                    }
                })
            };
            let measured = match (number(&c["value"]), number(&c["low"]), number(&c["high"])) {
                (Some(v), Some(lo), Some(hi)) => format!(" {v} [{lo}, {hi}]"),
                (Some(v), _, _) => format!(" {v}"),
                _ => String::new(),
            };
            let prefix = format!("- **{word}** {id} (");
            let body = format!(": {subject}:{measured}");
            let found = lines
                .iter()
                .filter(|l| l.starts_with(&prefix) && l.contains(&body))
                .count();
            assert_eq!(
                found,
                1,
                "no single summary line {prefix}...{body} for the gate's check; summary:\n{}",
                lines.join("\n")
            );
            let f = findings
                .iter()
                .find(|f| f["rule"] == id && f["subject"] == subject)
                .ok_or(format!("no finding for {id} {subject}"))?;
            for k in ["value", "low", "high"] {
                assert_eq!(f[k], c[k], "{id} {subject} {k}");
            }
            assert_eq!(
                f["level"].as_str().map(str::to_uppercase),
                Some(word.replace(' ', "_")),
                "{id} {subject}"
            );
            checked += 1;
        }
    }
    Ok(checked)
}

#[test]
fn the_report_states_the_gates_verdicts_on_the_demo_and_on_adult(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    // The demo pipeline: the report is given the gate's result.
    let run = crate::util::demo_run()?;
    let gate = json(&run.join("gate.json"))?;
    assert!(assert_report_states_the_gate(&gate, &run.join("report"))? > 40);
    // The report's PASS never hides an interval that reaches the line (issue 19's example).
    let md = unescape(&std::fs::read_to_string(run.join("report/report.md"))?);
    for l in summary_lines(&md)
        .iter()
        .filter(|l| l.starts_with("- **PASS** four-fifths"))
    {
        let lo: f64 = l
            .split(" [")
            .nth(1)
            .and_then(|x| x.split(',').next())
            .and_then(|x| x.parse().ok())
            .ok_or(format!("no interval in {l}"))?;
        assert!(lo >= 0.8, "{l}");
    }

    // Adult without a gate: the report judges with the built-in four-fifths policy, which
    // must give exactly what `fairgate gate` gives with the shipped file.
    let audit = adult_audit(dir.path());
    let report = dir.path().join("adult-report");
    let o = fairgate(&["report", "--audit", s(&audit), "--out", s(&report)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let gate_json = dir.path().join("adult-gate.json");
    let policy = root().join("datasets/policy-four-fifths.toml");
    let o = fairgate(&[
        "gate",
        "--policy",
        s(&policy),
        "--audit",
        s(&audit),
        "--json",
        s(&gate_json),
    ]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let gate = json(&gate_json)?;
    assert!(assert_report_states_the_gate(&gate, &report)? > 10);
    let md = std::fs::read_to_string(report.join("report.md"))?;
    assert!(md.contains("built-in four-fifths policy"), "{md}");

    // Adult with the strict policy's gate result given.
    let strict = root().join("datasets/policy-gdpr-strict.toml");
    let o = fairgate(&[
        "gate",
        "--policy",
        s(&strict),
        "--audit",
        s(&audit),
        "--json",
        s(&gate_json),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = fairgate(&[
        "report",
        "--audit",
        s(&audit),
        "--gate",
        s(&gate_json),
        "--out",
        s(&report),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(assert_report_states_the_gate(&json(&gate_json)?, &report)? > 10);
    Ok(())
}

#[test]
fn default_references_are_never_noisy_groups_and_both_tables_agree(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let demo = dir.path().join("demo.json");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .current_dir(root())
        .args([
            "audit",
            "--config",
            "datasets/demo.toml",
            "--threshold",
            "0.2",
            "--intersect",
            "gender,age_band",
            "--format",
            "json",
            "--out",
            s(&demo),
        ])
        .output()?;
    assert!(o.status.success(), "{}", stderr(&o));
    for path in [demo, adult_audit(dir.path())] {
        let audit: fairgate::audit::AuditReport = serde_json::from_slice(&std::fs::read(&path)?)?;
        for a in &audit.attributes {
            let r = a.reference_group.as_deref().ok_or("a reference group")?;
            let g = a.groups.iter().find(|g| g.group == r).ok_or("the group")?;
            assert!(!g.small && !g.under_2_percent, "{}: reference {r}", a.name);
            // The most selected of the groups that qualify, as the four-fifths rule says.
            let rate = |g: &fairgate::audit::GroupAudit| {
                g.metrics
                    .get("selection_rate")
                    .and_then(|m| m.value)
                    .unwrap_or(-1.0)
            };
            for other in a.groups.iter().filter(|o| !o.small && !o.under_2_percent) {
                if other.group != "unknown" {
                    assert!(rate(other) <= rate(g), "{}: {}", a.name, other.group);
                }
            }
            // The bias-audit (LL144) table's impact ratios equal the group table's.
            for row in fairgate::report::bias_audit(a) {
                let group = a
                    .groups
                    .iter()
                    .find(|g| g.group == row.group)
                    .ok_or("row")?;
                let di = group.metrics.get("disparate_impact").and_then(|m| m.value);
                if let (Some(ratio), Some(di)) = (row.impact_ratio, di) {
                    assert!(
                        (ratio - di).abs() < 1e-12,
                        "{} {}: {ratio} vs {di}",
                        a.name,
                        row.group
                    );
                }
                if !row.excluded {
                    assert_eq!(row.impact_ratio.is_some(), di.is_some(), "{}", row.group);
                }
            }
        }
    }
    // With no group large enough, there is no reference rather than a noisy one.
    let tiny = crate::util::scores_audit(dir.path(), "tiny", &[("A", 20, 10), ("B", 20, 5)]);
    let audit = json(&tiny)?;
    assert_eq!(audit["attributes"][0]["reference_group"], Value::Null);
    Ok(())
}

/// A context declaring what fairgate cannot see of a model trained elsewhere.
const DECLARED: &str = r#"modelled-outcome = "whether your income exceeds 50,000 a year"
[declared]
source = "model owner's validation report, 2026-06-30"
features = ["tenure", "visits"]
consent-coverage = 0.995
model-auc = 0.78
proxy-association = 0.12
"#;

#[test]
fn a_report_from_an_audit_alone_claims_nothing_about_the_models_features(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let audit = adult_audit(dir.path());
    let out = dir.path().join("report");
    let o = fairgate(&["report", "--audit", s(&audit), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dpia = std::fs::read_to_string(out.join("dpia.md"))?;
    for claim in [
        "never a model feature",
        "held for the audit only",
        "The model does not use",
        "respond to our offers",
        "lead scoring",
        "leads",
    ] {
        assert!(
            !dpia.contains(claim),
            "the DPIA claims \"{claim}\":\n{dpia}"
        );
    }
    assert!(
        dpia.contains("whether the model uses them is unknown"),
        "{dpia}"
    );
    assert!(dpia.contains("Model features: unknown"), "{dpia}");
    assert!(dpia.contains("`modelled-outcome`"), "{dpia}");
    // Declared features are stated as declared.
    let context = dir.path().join("context.toml");
    std::fs::write(&context, DECLARED)?;
    let o = fairgate(&[
        "report",
        "--audit",
        s(&audit),
        "--context",
        s(&context),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dpia = std::fs::read_to_string(out.join("dpia.md"))?;
    assert!(
        dpia.contains("Model features [declared]: tenure, visits"),
        "{dpia}"
    );
    assert!(
        dpia.contains("not among the model's features [declared]"),
        "{dpia}"
    );
    assert!(
        dpia.contains("whether your income exceeds 50,000 a year"),
        "{dpia}"
    );
    assert!(!dpia.contains("never a model feature"), "{dpia}");
    Ok(())
}

/// Two identical, exactly calibrated groups: per score 0.05, 0.15, ..., 0.95, 200 rows of
/// which round(200 x score) are positive.
fn fair_scores() -> String {
    let mut csv = String::from("y,score,g\n");
    for g in ["A", "B"] {
        for k in 0..10 {
            let score = 0.05 + 0.1 * f64::from(k);
            let positives = (200.0 * score).round() as usize;
            for i in 0..200 {
                csv.push_str(&format!("{},{score:.2},{g}\n", u8::from(i < positives)));
            }
        }
    }
    csv
}

#[test]
fn the_strict_policy_can_pass_a_model_trained_elsewhere_with_declared_evidence(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("fair.csv");
    std::fs::write(&data, fair_scores())?;
    let audit = dir.path().join("fair.json");
    let o = fairgate(&[
        "audit",
        "--data",
        s(&data),
        "--label",
        "y",
        "--score",
        "score",
        "--protected",
        "g",
        "--format",
        "json",
        "--out",
        s(&audit),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let strict = root().join("datasets/policy-gdpr-strict.toml");
    let gate = dir.path().join("gate.json");
    // Without a model, an explanation or declarations, the missing evidence fails.
    let o = fairgate(&[
        "gate",
        "--policy",
        s(&strict),
        "--audit",
        s(&audit),
        "--json",
        s(&gate),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let blocked: Vec<String> = json(&gate)?["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["blocking"] == Value::Bool(true))
        .filter_map(|r| r["id"].as_str().map(String::from))
        .collect();
    assert_eq!(blocked, ["consent-coverage", "no-proxies", "auc-floor"]);
    // With the declarations, it passes, and says which figures were declared.
    let context = dir.path().join("context.toml");
    std::fs::write(&context, DECLARED)?;
    let o = fairgate(&[
        "gate",
        "--policy",
        s(&strict),
        "--audit",
        s(&audit),
        "--context",
        s(&context),
        "--json",
        s(&gate),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let result = json(&gate)?;
    assert_eq!(result["declared"]["model-auc"], 0.78);
    let auc = result["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == "auc-floor")
        .ok_or("auc-floor")?;
    assert_eq!(auc["checks"][0]["subject"], "model [declared]");
    assert!(auc["checks"][0]["note"]
        .as_str()
        .is_some_and(|n| n.starts_with("declared in context.toml, not computed by fairgate")));
    // The report given that gate states PASSED.
    let out = dir.path().join("report");
    let o = fairgate(&[
        "report",
        "--audit",
        s(&audit),
        "--gate",
        s(&gate),
        "--context",
        s(&context),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_report_states_the_gate(&result, &out)?;
    // A policy can also mark missing evidence as not applicable: it neither passes nor blocks.
    let lenient = dir.path().join("lenient.toml");
    std::fs::write(
        &lenient,
        std::fs::read_to_string(&strict)?.replace(
            "missing-evidence = \"fail\"",
            "missing-evidence = \"not-applicable\"",
        ),
    )?;
    let o = fairgate(&[
        "gate",
        "--policy",
        s(&lenient),
        "--audit",
        s(&audit),
        "--json",
        s(&gate),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(json(&gate)?["counts"]["NOT APPLICABLE"], 3);
    Ok(())
}

#[test]
fn report_verify_catches_a_one_byte_change_in_any_listed_file(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    // Inputs of every kind, named by absolute paths so that verification finds them.
    let audit = crate::util::scores_audit(dir.path(), "a", &[("A", 200, 100), ("B", 200, 90)]);
    let context = dir.path().join("context.toml");
    std::fs::write(&context, DECLARED)?;
    let gate = dir.path().join("gate.json");
    let policy = dir.path().join("policy.toml");
    std::fs::copy(root().join("datasets/policy-four-fifths.toml"), &policy)?;
    let o = fairgate(&[
        "gate",
        "--policy",
        s(&policy),
        "--audit",
        s(&audit),
        "--json",
        s(&gate),
    ]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let out = dir.path().join("report");
    let o = fairgate(&[
        "report",
        "--audit",
        s(&audit),
        "--gate",
        s(&gate),
        "--context",
        s(&context),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let verify = || fairgate(&["report", "--verify", s(&out)]);
    let o = verify();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let evidence = json(&out.join("evidence.json"))?;
    let mut listed: Vec<(String, PathBuf)> = Vec::new();
    for (kind, base) in [("inputs", None), ("outputs", Some(&out))] {
        for f in evidence[kind].as_array().into_iter().flatten() {
            let p = PathBuf::from(f["path"].as_str().unwrap_or_default());
            let role = f["role"].as_str().unwrap_or_default().to_string();
            listed.push((role, base.map_or(p.clone(), |b| b.join(&p))));
        }
    }
    let roles: Vec<&str> = listed.iter().map(|l| l.0.as_str()).collect();
    for want in [
        "audit",
        "context",
        "gate",
        "audited data",
        "policy",
        "report.html",
        "dpia.md",
    ] {
        assert!(roles.contains(&want), "{want} not listed: {roles:?}");
    }
    for (role, path) in &listed {
        let original = std::fs::read(path)?;
        let mut changed = original.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        std::fs::write(path, &changed)?;
        let o = verify();
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        std::fs::write(path, &original)?;
        assert_eq!(o.status.code(), Some(1), "{role}: {text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with("CHANGED") && l.contains(&format!("({role})"))),
            "{role}: {text}"
        );
        // A deleted file is missing.
        std::fs::remove_file(path)?;
        let o = verify();
        std::fs::write(path, &original)?;
        assert_eq!(o.status.code(), Some(1), "{role}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("MISSING"),
            "{role}"
        );
    }
    assert_eq!(verify().status.code(), Some(0));
    Ok(())
}

/// Reads a CSV into its header and rows of fields.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn the_demo_run_audits_out_of_sample_and_a_user_can_do_the_same_by_hand(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let run = crate::util::demo_run()?;
    let model = json(&run.join("model.json"))?;
    let audit = json(&run.join("audit.json"))?;
    // Only the validation rows were audited, and the audit says so.
    assert_eq!(audit["input"]["filter"], "split=validation");
    assert_eq!(
        audit["input"]["rows_used"],
        model["data"]["validation_rows"]
    );
    assert_eq!(audit["input"]["rows_filtered"], model["data"]["train_rows"]);
    let md = std::fs::read_to_string(run.join("report/report.md"))?;
    assert!(
        md.contains("an out-of-sample audit, with no overlap with the training rows"),
        "{md}"
    );
    // scored.csv: every lawful row once, its split, and the score `fairgate score` gives.
    let (header, rows) = csv_rows(&std::fs::read_to_string(run.join("scored.csv"))?);
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(name.to_string())
    };
    let (split, score, id) = (col("split")?, col("score")?, col("lead_id")?);
    let count = |part: &str| rows.iter().filter(|r| r[split] == part).count() as u64;
    assert_eq!(Some(count("train")), model["data"]["train_rows"].as_u64());
    assert_eq!(
        Some(count("validation")),
        model["data"]["validation_rows"].as_u64()
    );
    let scored = dir.path().join("score.csv");
    let o = fairgate(&[
        "score",
        "--model",
        s(&run.join("model.json")),
        "--data",
        s(&root().join("datasets/leads_demo.csv")),
        "--out",
        s(&scored),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (h2, by_score) = csv_rows(&std::fs::read_to_string(&scored)?);
    let (id2, score2) = (
        h2.iter().position(|h| h == "lead_id").ok_or("id")?,
        h2.iter().position(|h| h == "score").ok_or("score")?,
    );
    assert_eq!(rows.len(), by_score.len());
    for (a, b) in rows.iter().zip(&by_score) {
        assert_eq!(a[id], b[id2]);
        let (x, y): (f64, f64) = (a[score].parse()?, b[score2].parse()?);
        assert!((x - y).abs() <= 1e-12, "{}: {x} vs {y}", a[id]);
    }
    // By hand: the filter gives the audit of a file holding only the validation rows.
    let kept: String = std::iter::once(header.join(","))
        .chain(
            rows.iter()
                .filter(|r| r[split] == "validation")
                .map(|r| r.join(",")),
        )
        .map(|l| l + "\n")
        .collect();
    let only = dir.path().join("validation.csv");
    std::fs::write(&only, kept)?;
    let args = |data: &Path, out: &Path, filter: bool| {
        let mut a: Vec<String> = [
            "audit",
            "--data",
            s(data),
            "--label",
            "converted",
            "--score",
            "score",
            "--protected",
            "gender,age_band,ethnicity,region",
            "--threshold",
            "0.2",
            "--intersect",
            "gender,age_band",
            "--format",
            "json",
            "--out",
            s(out),
        ]
        .map(String::from)
        .to_vec();
        if filter {
            a.extend(["--filter".into(), "split=validation".into()]);
        }
        a
    };
    let (filtered, subset) = (dir.path().join("f.json"), dir.path().join("s.json"));
    for (data, out, filter) in [
        (&run.join("scored.csv"), &filtered, true),
        (&only, &subset, false),
    ] {
        let a = args(data, out, filter);
        let o = fairgate(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (f, s2) = (json(&filtered)?, json(&subset)?);
    assert_eq!(f["attributes"], s2["attributes"]);
    assert_eq!(f["input"]["rows_used"], s2["input"]["rows_used"]);
    Ok(())
}

#[test]
fn a_filter_counts_what_it_leaves_out_and_names_a_bad_column(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("d.csv");
    let mut csv = String::from("y,score,g,split\n");
    for i in 0..300 {
        let part = if i % 3 == 0 { "validation" } else { "train" };
        csv.push_str(&format!(
            "{},{},{},{part}\n",
            i % 2,
            (i % 10) as f64 / 10.0,
            ["A", "B"][i % 2]
        ));
    }
    // A row with an invalid score among the filtered-out rows is still not rejected: it is
    // not a row that was asked for.
    csv.push_str("1,7,A,train\n");
    std::fs::write(&data, csv)?;
    let audit = |filter: &str| {
        fairgate(&[
            "audit",
            "--data",
            s(&data),
            "--label",
            "y",
            "--score",
            "score",
            "--protected",
            "g",
            "--filter",
            filter,
            "--format",
            "json",
        ])
    };
    let o = audit("split=validation");
    assert!(o.status.success(), "{}", stderr(&o));
    let a: Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(
        (
            &a["input"]["rows_read"],
            &a["input"]["rows_used"],
            &a["input"]["rows_filtered"],
            &a["input"]["rows_rejected"]
        ),
        (
            &Value::from(301),
            &Value::from(100),
            &Value::from(201),
            &Value::from(0)
        )
    );
    // The audit without a filter fails on the invalid score, naming its line.
    let o = fairgate(&[
        "audit",
        "--data",
        s(&data),
        "--label",
        "y",
        "--score",
        "score",
        "--protected",
        "g",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(":302:"), "{}", stderr(&o));
    // A column the file does not have, or a filter without "=", is a usage error.
    let o = audit("part=validation");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no column named \"part\" (given for --filter)"),
        "{}",
        stderr(&o)
    );
    let o = audit("validation");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--filter"), "{}", stderr(&o));
    // A filter that keeps nothing says so.
    let o = audit("split=test");
    assert_eq!(o.status.code(), Some(2));
    Ok(())
}

#[test]
fn the_heat_map_of_an_intersection_escapes_names_and_states_the_policys_words(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("h.csv");
    let mut csv = String::from("y,score,a,b\n");
    let names = ["<script>x</script>", "\"q\" & 'r'"];
    for i in 0..1200usize {
        let score = ((i * 37) % 100) as f64 / 100.0;
        csv.push_str(&format!(
            "{},{score},\"{}\",{}\n",
            (i * 53) % 3 == 0,
            names[i % 2].replace('"', "\"\""),
            ["u", "v", "w"][i % 3]
        ));
    }
    std::fs::write(&data, csv.replace("true", "1").replace("false", "0"))?;
    let audit = dir.path().join("h.json");
    let o = fairgate(&[
        "audit",
        "--data",
        s(&data),
        "--label",
        "y",
        "--score",
        "score",
        "--protected",
        "a,b",
        "--intersect",
        "a,b",
        "--format",
        "json",
        "--out",
        s(&audit),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("r");
    let o = fairgate(&["report", "--audit", s(&audit), "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html"))?;
    let map = html
        .split("<table class=\"heatmap\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .ok_or("no heat map")?;
    assert!(!map.contains("<script") && !map.contains("\"q\""), "{map}");
    assert!(map.contains("&lt;script&gt;x&lt;/script&gt;"), "{map}");
    assert!(map.contains("&quot;q&quot; &amp; &#39;r&#39;"), "{map}");
    // Every judged cell carries the gate's word for its check.
    let gate: Value = {
        let g = dir.path().join("g.json");
        fairgate(&[
            "gate",
            "--policy",
            s(&root().join("datasets/policy-four-fifths.toml")),
            "--audit",
            s(&audit),
            "--json",
            s(&g),
        ]);
        json(&g)?
    };
    let checks: Vec<&Value> = gate["rules"][0]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| {
            c["subject"]
                .as_str()
                .is_some_and(|x| x.starts_with("a x b="))
        })
        .collect();
    assert!(checks.len() >= 4);
    for c in checks {
        let word = c["status"].as_str().unwrap_or_default();
        let value = c["value"].as_f64().map(|v| format!("{v:.3}<br>"));
        if let Some(v) = value {
            assert!(map.contains(&format!("{v}[")), "{v}");
        }
        assert!(map.contains(&format!("<br>{word}</td>")), "{word}");
    }
    Ok(())
}
