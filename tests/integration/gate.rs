//! `fairgate gate`: policies are checked with the line of every mistake; each check's
//! outcome follows from the audit's own numbers (PASS when the interval clears the threshold,
//! FAIL when it misses it entirely, INCONCLUSIVE when it straddles it); undefined
//! comparisons get the policy's outcome; exit codes 0, 1, 2; JUnit and Markdown outputs.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{fairgate, scores_audit, stderr};

/// Groups with known selection rates at threshold 0.5: A (reference, 50%, 2000 rows), B
/// (30%, 2000: clearly below four-fifths), C (38%, 60 rows: an interval straddling 0.8),
/// D (49%, 2000: clearly above), E (5 rows: small). The data is `dir/scores.csv`.
fn audit(dir: &Path) -> PathBuf {
    let out = scores_audit(
        dir,
        "scores",
        &[
            ("A", 2000, 1000),
            ("B", 2000, 600),
            ("C", 60, 23),
            ("D", 2000, 980),
            ("E", 5, 2),
        ],
    );
    let renamed = dir.join("audit.json");
    std::fs::rename(&out, &renamed).unwrap_or_default();
    renamed
}

fn policy(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap_or_default();
    p
}

fn gate(args: &[&str]) -> (i32, String, String) {
    let o = fairgate(args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr(&o),
    )
}

/// Judges `audit` with `policy` as JSON: the exit code, the result and stderr.
fn judge(policy: &Path, audit: &Path) -> Result<(i32, Value, String), Box<dyn std::error::Error>> {
    let (code, out, err) = gate(&[
        "gate",
        "--policy",
        policy.to_str().unwrap_or_default(),
        "--audit",
        audit.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    let g = serde_json::from_str(&out).map_err(|e| format!("{e}: {err}"))?;
    Ok((code, g, err))
}

/// The first rule's check of `subject`.
fn check<'a>(g: &'a Value, subject: &str) -> Result<&'a Value, String> {
    g["rules"][0]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["subject"] == subject)
        .ok_or(format!("no check of {subject}"))
}

#[test]
fn outcomes_follow_the_intervals_and_undefined_comparisons_get_the_policys_outcome(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let audit = audit(dir.path());
    let a: Value = serde_json::from_str(&std::fs::read_to_string(&audit)?)?;
    let p = policy(
        dir.path(),
        "p.toml",
        "[[rule]]\nid = \"ff\"\nmetric = \"disparate_impact\"\nmin = 0.8\n",
    );
    let (code, g, err) = judge(&p, &audit)?;
    assert_eq!(code, 1, "{err}");
    let checks = g["rules"][0]["checks"].as_array().ok_or("checks")?;
    // One check per group but the reference: its outcome recomputed from the audit's interval.
    let groups = a["attributes"][0]["groups"].as_array().ok_or("groups")?;
    let mut seen = Vec::new();
    for grp in groups
        .iter()
        .filter(|g| g["n"].as_u64() > Some(0) && g["group"] != "A")
    {
        let name = grp["group"].as_str().ok_or("group")?;
        let check = checks
            .iter()
            .find(|c| c["subject"] == format!("g={name}"))
            .ok_or("no check")?;
        let di = &grp["metrics"]["disparate_impact"];
        let want = if grp["small"] == true {
            "INCONCLUSIVE" // the policy's default outcome for an undefined comparison
        } else {
            let (lo, hi) = (
                di["ci_low"].as_f64().ok_or("lo")?,
                di["ci_high"].as_f64().ok_or("hi")?,
            );
            if lo >= 0.8 {
                "PASS"
            } else if hi < 0.8 {
                "FAIL"
            } else {
                "INCONCLUSIVE"
            }
        };
        assert_eq!(check["status"], want, "group {name}");
        seen.push((name.to_string(), want));
    }
    // The data was built so that every outcome occurs.
    let outcomes: Vec<&str> = seen.iter().map(|s| s.1).collect();
    for o in ["PASS", "FAIL", "INCONCLUSIVE"] {
        assert!(outcomes.contains(&o), "{seen:?}");
    }
    assert_eq!(seen.len(), 4);
    assert_eq!(g["rules"][0]["status"], "FAIL");
    assert_eq!(g["passed"], false);

    // Without B, the rule is inconclusive (C, E): it blocks only when the policy says so.
    for (blocks, want_code) in [(false, 0), (true, 1)] {
        let p = policy(
            dir.path(),
            "p2.toml",
            &format!("[policy]\ninconclusive-blocks = {blocks}\n\n[[rule]]\nid = \"ff\"\nmetric = \"disparate_impact\"\nmin = 0.8\nattributes = [\"g\"]\nmode = \"interval\"\n"),
        );
        let sub = dir.path().join("sub.json");
        // The audit of the data without B: B's group and its rows removed (the gate refuses
        // an audit whose groups do not add up to its rows).
        let mut filtered = a.clone();
        let mut removed = 0;
        if let Some(gs) = filtered["attributes"][0]["groups"].as_array_mut() {
            removed = gs
                .iter()
                .filter(|g| g["group"] == "B")
                .filter_map(|g| g["n"].as_u64())
                .sum::<u64>();
            gs.retain(|g| g["group"] != "B");
        }
        for key in ["rows_read", "rows_used"] {
            let n = filtered["input"][key].as_u64().ok_or(key)?;
            filtered["input"][key] = serde_json::json!(n - removed);
        }
        std::fs::write(&sub, serde_json::to_string(&filtered)?)?;
        let (code, g, err) = judge(&p, &sub)?;
        assert_eq!(code, want_code, "blocks={blocks}: {err}");
        assert_eq!(g["rules"][0]["status"], "INCONCLUSIVE");
    }

    // Undefined comparisons (the small group E) take the rule's `undefined` outcome.
    let p = policy(
        dir.path(),
        "p3.toml",
        "[[rule]]\nid = \"ff\"\nmetric = \"disparate_impact\"\nmin = 0.5\nundefined = \"fail\"\n",
    );
    let (code, g, _) = judge(&p, &audit)?;
    let e = check(&g, "g=E")?;
    assert_eq!((e["status"].as_str(), code), (Some("FAIL"), 1));
    assert!(e["note"]
        .as_str()
        .unwrap_or_default()
        .contains("small segment"));

    // The decisive check is the worst status, then the smallest margin: with every group
    // below 2001 rows, the 5-row group E, last in order.
    let p = policy(
        dir.path(),
        "p5.toml",
        "[[rule]]\nid = \"size\"\nmetric = \"n\"\nmin = 2001\n",
    );
    let (_, g, _) = judge(&p, &audit)?;
    let rule = &g["rules"][0];
    let decisive = rule["decisive"].as_u64().ok_or("decisive")? as usize;
    assert_eq!(rule["checks"][decisive]["subject"], "g=E");
    assert_eq!(rule["checks"].as_array().map(Vec::len), Some(5));

    // Point mode judges the estimate only: C (0.767) fails, nothing is inconclusive.
    let p = policy(
        dir.path(),
        "p4.toml",
        "[policy]\nmode = \"point\"\n\n[[rule]]\nid = \"ff\"\nmetric = \"disparate_impact\"\nmin = 0.8\nseverity = \"warn\"\n",
    );
    let (code, g, _) = judge(&p, &audit)?;
    let c = check(&g, "g=C")?;
    assert_eq!(c["status"], "FAIL");
    // A failed warn rule is a WARN and does not block.
    assert_eq!((g["rules"][0]["status"].as_str(), code), (Some("WARN"), 0));
    Ok(())
}

#[test]
fn bad_policies_exit_2_naming_the_line() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let audit = audit(dir.path());
    let cases: &[(&str, &str, &str)] = &[
        ("[[rule]]\nid = \"a\"\nmetric = \"disparate_impakt\"\nmin = 0.8\n", ":3:", "unknown metric \"disparate_impakt\""),
        ("[[rule]]\nid = \"a\"\nmetric = \"tpr\"\nmin = 1.5\n", ":4:", "out of range"),
        ("[[rule]]\nid = \"a\"\nmetric = \"tpr\"\n\nmax = 0.2\nmin = 0.5\n", ":1:", "min 0.5 is above max 0.2"),
        ("[[rule]]\nid = \"a\"\nmetric = \"tpr\"\nmin = 0.5\nattributes = [\n  \"g\",\n  \"gender\",\n]\n", ":7:", "attribute \"gender\" is not in the evidence"),
        ("[[rule]]\nid = \"a\"\nmetric = \"tpr\"\nmin = 0.5\nthreshold = 3\n", ":5:", "unknown field `threshold`"),
        ("[[rule]]\nid = \"a\"\nmetric = \"tpr\"\nmin = 0.5\n\n[[rule]]\nid = \"a\"\nmetric = \"fpr\"\nmax = 0.5\n", ":7:", "used twice"),
        ("[[rule]]\nid = \"a\"\nmetric = \"tpr\"\n", ":1:", "give min, max or both"),
        ("[[rule]]\nid = \"a\"\nmetric = \"tpr\"\nmin = 0.5\nsignificance = 0.05\n", ":5:", "significance applies to comparisons"),
        ("[policy]\nname = \"x\"\n", ":", "no [[rule]]"),
        ("[[rule]\nid = 1\n", ":1:", ""),
    ];
    for (i, (text, line, words)) in cases.iter().enumerate() {
        let p = policy(dir.path(), &format!("bad{i}.toml"), text);
        let (code, out, err) = gate(&[
            "gate",
            "--policy",
            p.to_str().unwrap_or_default(),
            "--audit",
            audit.to_str().unwrap_or_default(),
        ]);
        assert_eq!(code, 2, "case {i}: {err}");
        assert!(out.is_empty(), "case {i}: no result on a bad policy");
        assert!(
            err.contains(&format!("bad{i}.toml{line}")),
            "case {i}: {err}"
        );
        assert!(err.contains(words), "case {i}: {err}");
    }
    // Bad evidence: not an audit, a missing file.
    let p = policy(
        dir.path(),
        "ok.toml",
        "[[rule]]\nid = \"a\"\nmetric = \"tpr\"\nmin = 0.1\n",
    );
    let (code, _, err) = gate(&[
        "gate",
        "--policy",
        p.to_str().unwrap_or_default(),
        "--audit",
        p.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a fairgate audit JSON"), "{err}");
    let (code, _, err) = gate(&[
        "gate",
        "--policy",
        p.to_str().unwrap_or_default(),
        "--audit",
        "no-such.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such.json"), "{err}");
    Ok(())
}

#[test]
fn junit_markdown_and_json_outputs_and_the_audit_run_in_place(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let audit = audit(dir.path());
    let p = policy(
        dir.path(),
        "p.toml",
        "[policy]\nname = \"<p> & 'q'\"\n\n[[rule]]\nid = \"ff <x>\"\nmessage = \"a & b\"\nmetric = \"disparate_impact\"\nmin = 0.8\n\n[[rule]]\nid = \"size\"\nseverity = \"warn\"\nmetric = \"n\"\nmin = 10\n\n[[rule]]\nid = \"auc\"\nmetric = \"model_auc\"\nmin = 0.5\nundefined = \"warn\"\n",
    );
    let (junit, md) = (dir.path().join("g.xml"), dir.path().join("g.md"));
    let (code, out, err) = gate(&[
        "gate",
        "--policy",
        p.to_str().unwrap_or_default(),
        "--audit",
        audit.to_str().unwrap_or_default(),
        "--junit",
        junit.to_str().unwrap_or_default(),
        "--markdown",
        md.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("GATE FAILED: blocked by ff <x>."), "{out}");
    let x = std::fs::read_to_string(&junit)?;
    assert_eq!(x.matches("<testcase ").count(), 3);
    assert_eq!(x.matches("<failure ").count(), 1);
    assert!(x.contains("name=\"ff &lt;x&gt;\"") && x.contains("&lt;p&gt; &amp; &#39;q&#39;"));
    assert!(!x.contains("<p>") && !x.contains("<x>"));
    // Balanced elements.
    for tag in ["testsuites", "testsuite", "testcase", "system-out"] {
        let opened =
            x.matches(&format!("<{tag} ")).count() + x.matches(&format!("<{tag}>")).count();
        assert_eq!(opened, x.matches(&format!("</{tag}>")).count(), "{tag}");
    }
    let m = std::fs::read_to_string(&md)?;
    assert!(m.contains("| ff \\<x\\> | error | **FAIL** |"), "{m}");
    assert!(m.contains("| auc | error | **WARN** |"), "{m}");
    assert!(m.contains("| size | warn | **WARN** | 5 at g=E |"), "{m}");
    // The same judgement when the gate runs the audit itself from the data.
    let j1 = gate(&[
        "gate",
        "--policy",
        p.to_str().unwrap_or_default(),
        "--audit",
        audit.to_str().unwrap_or_default(),
        "--format",
        "json",
    ])
    .1;
    let data = dir.path().join("scores.csv");
    let j2 = gate(&[
        "gate",
        "--policy",
        p.to_str().unwrap_or_default(),
        "--data",
        data.to_str().unwrap_or_default(),
        "--label",
        "y",
        "--score",
        "score",
        "--protected",
        "g",
        "--format",
        "json",
    ])
    .1;
    let (g1, g2): (Value, Value) = (serde_json::from_str(&j1)?, serde_json::from_str(&j2)?);
    assert_eq!(g1["rules"], g2["rules"]);
    // Deterministic bytes.
    assert_eq!(
        j1,
        gate(&[
            "gate",
            "--policy",
            p.to_str().unwrap_or_default(),
            "--audit",
            audit.to_str().unwrap_or_default(),
            "--format",
            "json"
        ])
        .1
    );
    Ok(())
}

#[test]
fn the_shipped_policies_are_built_in_by_name_and_judge_as_their_files_do(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let a = audit(dir.path());
    let root = crate::util::root();
    for name in ["four-fifths", "gdpr-strict"] {
        let file = root.join(format!("datasets/policy-{name}.toml"));
        let (by_file_code, mut by_file, _) = judge(&file, &a)?;
        let (by_name_code, mut by_name, err) = judge(Path::new(name), &a)?;
        assert_eq!(by_name_code, by_file_code, "{name}: {err}");
        // The same policy, text and hash: only where it came from differs.
        assert_eq!(
            by_name["policy"]["sha256"], by_file["policy"]["sha256"],
            "{name}"
        );
        assert_eq!(
            by_name["policy"]["path"],
            format!("built-in:policy-{name}.toml"),
            "{name}"
        );
        for g in [&mut by_name, &mut by_file] {
            g["policy"]["path"] = Value::Null;
        }
        assert_eq!(by_name, by_file, "{name}");
    }
    // The path evidence records (and a pipeline's commands.sh names) also names it.
    let (code, recorded, err) = judge(Path::new("built-in:policy-four-fifths.toml"), &a)?;
    let (_, by_name, _) = judge(Path::new("four-fifths"), &a)?;
    assert_eq!(recorded, by_name, "{code} {err}");
    let (code, _, err) = gate(&[
        "gate",
        "--policy",
        "built-in:policy-nine-tenths.toml",
        "--audit",
        a.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a built-in policy"), "{err}");
    // A file of that name, where one exists, is read instead (here: not a policy).
    let shadow = dir.path().join("four-fifths");
    std::fs::write(&shadow, "not = [a policy")?;
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .current_dir(dir.path())
        .args(["gate", "--policy", "four-fifths", "--audit"])
        .arg(&a)
        .output()?;
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("four-fifths"), "{}", stderr(&o));
    // Any other name is a file that is not there.
    let (code, _, err) = gate(&[
        "gate",
        "--policy",
        "five-sixths",
        "--audit",
        a.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("five-sixths"), "{err}");
    Ok(())
}
