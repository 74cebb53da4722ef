//! The JSON Schemas of the output files (docs/schema/): the committed files are what the
//! binary prints (`fairgate schema NAME`), and the reference validator (PyPI's jsonschema,
//! draft 2020-12, through docs/schema/validate.py) accepts real outputs of every kind and
//! refuses a broken one.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{demo_run, fairgate, root, stderr};

type R = Result<(), Box<dyn std::error::Error>>;

/// The output files that have a schema.
const NAMES: [&str; 6] = [
    "audit",
    "model",
    "explanation",
    "gate",
    "compare",
    "evidence",
];

fn schema_path(name: &str) -> PathBuf {
    root().join(format!("docs/schema/{name}.schema.json"))
}

#[test]
fn the_committed_schemas_are_what_the_binary_prints() -> R {
    for name in NAMES {
        let o = fairgate(&["schema", name]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        let committed = std::fs::read_to_string(schema_path(name))?;
        assert!(
            committed == String::from_utf8(o.stdout)?,
            "docs/schema/{name}.schema.json is not what `fairgate schema {name}` prints: regenerate it (docs/schema/README.md)"
        );
        let v: serde_json::Value = serde_json::from_str(&committed)?;
        assert_eq!(
            v["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
    }
    let o = fairgate(&["schema", "nosuch"]);
    assert_eq!(o.status.code(), Some(2));
    Ok(())
}

/// Runs the reference validator on `files` against `name`'s schema: its exit code and output.
fn validate(
    python: &Path,
    name: &str,
    files: &[PathBuf],
) -> Result<(i32, String), Box<dyn std::error::Error>> {
    let o = Command::new(python)
        .arg(root().join("docs/schema/validate.py"))
        .arg(schema_path(name))
        .args(files)
        .output()?;
    Ok((
        o.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o)),
    ))
}

#[test]
fn the_reference_validator_accepts_every_kind_of_output_and_refuses_a_broken_one() -> R {
    let Some(python) = crate::pushdown::venv_python("jsonschema", "FAIRGATE_REQUIRE_JSONSCHEMA")?
    else {
        return Ok(());
    };
    let run = demo_run()?;
    let dir = tempfile::tempdir()?;
    let p = |name: &str| dir.path().join(name);
    let s = |path: &Path| path.to_string_lossy().into_owned();
    let data = root().join("datasets/leads_demo.csv");

    // More kinds than the demo's: a points model, a weighted audit with bootstrap intervals
    // of decisions, a comparison, an explanation of a points model, a gate with every input.
    let points = p("points.json");
    let o = fairgate(&[
        "train",
        "--config",
        &s(&root().join("datasets/demo.toml")),
        "--model",
        "points",
        "--rules",
        &s(&root().join("datasets/points.toml")),
        "--out",
        &s(&points),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let boot = p("boot.json");
    let o = fairgate(&[
        "audit",
        "--data",
        &s(&data),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "gender,age_band",
        "--weight",
        "email_opens",
        "--bootstrap",
        "20",
        "--bins",
        "quantile:5",
        "--format",
        "json",
        "--out",
        &s(&boot),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let compare = p("compare.json");
    let o = fairgate(&[
        "compare",
        &s(&root().join("reports/demo-audit.json")),
        &s(&run.join("audit.json")),
        "--policy",
        "gdpr-strict",
        "--format",
        "json",
        "--out",
        &s(&compare),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let explain_points = p("explain-points.json");
    let o = fairgate(&[
        "explain",
        "--model",
        &s(&points),
        "--data",
        &s(&data),
        "--out",
        &s(&explain_points),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let gate = p("gate.json");
    let o = fairgate(&[
        "gate",
        "--policy",
        "gdpr-strict",
        "--audit",
        &s(&boot),
        "--model",
        &s(&points),
        "--explain",
        &s(&explain_points),
        "--json",
        &s(&gate),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));

    let cases: [(&str, Vec<PathBuf>); 6] = [
        (
            "audit",
            vec![
                root().join("reports/demo-audit.json"),
                run.join("audit.json"),
                boot,
            ],
        ),
        (
            "model",
            vec![
                root().join("reports/demo-model.json"),
                run.join("model.json"),
                points,
            ],
        ),
        (
            "explanation",
            vec![run.join("explain.json"), explain_points],
        ),
        ("gate", vec![run.join("gate.json"), gate]),
        ("compare", vec![compare]),
        (
            "evidence",
            vec![
                root().join("reports/demo-report/evidence.json"),
                run.join("report/evidence.json"),
            ],
        ),
    ];
    for (name, files) in &cases {
        let (code, out) = validate(&python, name, files)?;
        assert_eq!(code, 0, "{name}: {out}");
    }

    // A file that breaks its schema is refused, naming where: a count that is text, a
    // required key removed.
    let refused =
        |name: &str, committed: &str, break_it: &dyn Fn(&mut serde_json::Value), said: &str| -> R {
            let mut v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(root().join(committed))?)?;
            break_it(&mut v);
            let broken = p(&format!("broken-{name}.json"));
            std::fs::write(&broken, serde_json::to_string(&v)?)?;
            let (code, out) = validate(&python, name, &[broken])?;
            assert_eq!(code, 1, "{name}: {out}");
            assert!(out.contains(said), "{name}: {out}");
            Ok(())
        };
    refused(
        "audit",
        "reports/demo-audit.json",
        &|v| v["attributes"][0]["groups"][0]["n"] = serde_json::json!("many"),
        "/attributes/0/groups/0/n",
    )?;
    refused(
        "model",
        "reports/demo-model.json",
        &|v| {
            if let Some(m) = v.as_object_mut() {
                m.remove("threshold");
            }
        },
        "threshold",
    )?;
    Ok(())
}
