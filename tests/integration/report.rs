//! The report: escaping of hostile names in HTML and SVG, no external resources, small groups
//! suppressed, a manifest whose hashes match the files, byte-identical reruns, bad input.

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::util::{fairgate, stderr};

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A scored file whose group names are hostile, with one small group.
fn hostile_csv() -> String {
    let mut s = String::from("y,s,grp\n");
    for i in 0..400 {
        let group = match i % 3 {
            0 => "<script>alert(1)</script>",
            1 => "A & 'B'",
            _ => "plain",
        };
        let score = f64::from((i * 37) % 100) / 100.0;
        let y = u8::from((i * 53) % 100 < 40);
        s.push_str(&format!("{y},{score},\"{group}\"\n"));
    }
    for i in 0..5 {
        s.push_str(&format!("{},0.{i}5,tiny\n", i % 2));
    }
    s
}

/// The audit JSON of [`hostile_csv`], written in `dir`.
pub fn hostile_audit(dir: &Path) -> Result<std::path::PathBuf, Box<dyn std::error::Error>> {
    let data = dir.join("scored.csv");
    std::fs::write(&data, hostile_csv())?;
    let audit = dir.join("audit.json");
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let o = fairgate(&[
        "audit",
        "--data",
        &m(&data),
        "--label",
        "y",
        "--score",
        "s",
        "--protected",
        "grp",
        "--format",
        "json",
        "--out",
        &m(&audit),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    Ok(audit)
}

#[test]
fn report_escapes_names_and_loads_nothing_external() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let audit = hostile_audit(dir.path())?;
    let out = dir.path().join("report");
    let args = [
        "report",
        "--audit",
        &m(&audit),
        "--created",
        "2026-01-01",
        "--out",
        &m(&out),
    ];
    let o = fairgate(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html"))?;
    let md = std::fs::read_to_string(out.join("report.md"))?;

    // Hostile names are escaped in the page and in the SVG text; nothing is executable.
    assert!(
        !html.to_lowercase().contains("<script"),
        "raw script tag in report.html"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("A &amp; &#39;B&#39;"));
    assert!(!html.contains("A & 'B'"));
    assert!(!md.contains("<script>"), "raw script tag in report.md");
    // No external request: no src, links only to the page's own headings, and no URL but the
    // SVG namespace.
    assert!(!html.contains("src="));
    assert!(html.contains("href=\"#"));
    assert_eq!(
        html.matches("href=").count(),
        html.matches("href=\"#").count()
    );
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    assert!(html.matches("<svg").count() >= 3, "charts");
    // No model given: no model card.
    assert!(!out.join("model_card.md").exists());
    // The small group shows its count only.
    let tiny = md
        .lines()
        .find(|l| l.starts_with("| tiny (small"))
        .unwrap_or_default();
    let cells: Vec<&str> = tiny.trim_matches('|').split(" | ").map(str::trim).collect();
    assert_eq!(cells.len(), 11, "{tiny}");
    assert_eq!(cells[1], "5", "{tiny}");
    assert!(cells[2..].iter().all(|c| *c == "suppressed"), "{tiny}");
    assert!(
        md.contains("| tiny | 5 | suppressed | excluded | suppressed | excluded |"),
        "{md}"
    );
    assert!(!md.contains("-0.000"));

    // The manifest's hashes are the files'.
    let evidence: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("evidence.json"))?)?;
    assert_eq!(
        evidence["inputs"][0]["sha256"],
        hex(&std::fs::read(&audit)?)
    );
    for f in evidence["outputs"].as_array().expect("outputs") {
        let name = f["path"].as_str().expect("path");
        assert_eq!(f["sha256"], hex(&std::fs::read(out.join(name))?), "{name}");
    }
    assert_eq!(evidence["created"], "2026-01-01T00:00:00Z");

    // The same inputs give the same bytes.
    let first = std::fs::read(out.join("evidence.json"))?;
    let o = fairgate(&args);
    assert!(o.status.success());
    assert_eq!(first, std::fs::read(out.join("evidence.json"))?);
    assert_eq!(html, std::fs::read_to_string(out.join("report.html"))?);
    Ok(())
}

#[test]
fn report_refuses_what_is_not_an_audit() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let bad = dir.path().join("not-audit.json");
    std::fs::write(&bad, "{\"hello\": 1}")?;
    let out = dir.path().join("r");
    let o = fairgate(&["report", "--audit", &m(&bad), "--out", &m(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not-audit.json") && stderr(&o).contains("not a fairgate audit"),
        "{}",
        stderr(&o)
    );
    assert!(!out.join("report.html").exists());
    let o = fairgate(&[
        "report",
        "--audit",
        &m(&dir.path().join("missing.json")),
        "--out",
        &m(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    Ok(())
}

#[test]
fn dpia_keeps_open_items_open_until_people_sign_off() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let audit = hostile_audit(dir.path())?;
    let out = dir.path().join("r");
    let run = |context: Option<&Path>| {
        let mut args = vec![
            "report".to_string(),
            "--audit".into(),
            m(&audit),
            "--out".into(),
            m(&out),
        ];
        if let Some(c) = context {
            args.extend(["--context".to_string(), m(c)]);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        fairgate(&refs)
    };
    // Without a context: a draft, with the controller and the decision open, nothing invented.
    let o = run(None);
    assert!(o.status.success(), "{}", stderr(&o));
    let dpia = std::fs::read_to_string(out.join("dpia.md"))?;
    assert!(dpia.contains("**DRAFT (not signed off)**"));
    assert!(dpia.contains("Controller [declared]: **OPEN ITEM**"));
    assert!(dpia.contains("Decision [person]: **OPEN ITEM**"));
    assert!(
        !dpia.contains("<script>"),
        "unescaped group name in dpia.md"
    );
    // The example context leaves the sign-off open: still a draft.
    let example = crate::util::root().join("datasets/context.toml");
    let o = run(Some(&example));
    assert!(o.status.success(), "{}", stderr(&o));
    let dpia = std::fs::read_to_string(out.join("dpia.md"))?;
    assert!(
        dpia.contains("**DRAFT (not signed off)**")
            && !dpia.contains("Controller [declared]: **OPEN")
    );
    // A full sign-off makes it final.
    let signed = dir.path().join("signed.toml");
    std::fs::write(
        &signed,
        format!(
            "{}\ndecision = \"approve\"\napproved-by = \"DPIA owner\"\napproved-on = \"2026-07-01\"\n",
            std::fs::read_to_string(&example)?
        ),
    )?;
    let o = run(Some(&signed));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(out.join("dpia.md"))?.contains("Status: **signed off**"));
    // An unknown key names the file and line.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "controller = \"x\"\ncontroler = \"y\"\n")?;
    let o = run(Some(&bad));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.toml:2:1: unknown field `controler`"),
        "{}",
        stderr(&o)
    );
    Ok(())
}

/// The README's main command, `fairgate run datasets/demo.toml`, from the project root: the
/// committed example model and report must be what it produces today, the gate fails on the
/// demo's injected age bias (exit code 1), and every artifact is in the run's folder.
#[test]
fn the_demo_pipeline_reproduces_the_committed_report() -> Result<(), Box<dyn std::error::Error>> {
    let root = crate::util::root();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .current_dir(&root)
        .args(["run", "datasets/demo.toml"])
        .output()?;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("[5/6] fairgate mitigate "), "{err}");
    assert!(err.contains("[6/6] fairgate report "), "{err}");
    assert!(
        err.contains("all artifacts in target/demo-run; gate FAILED"),
        "{err}"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("GATE FAILED: blocked by four-fifths."),
        "{out}"
    );
    let run = root.join("target/demo-run");
    for name in [
        "commands.sh",
        "model.json",
        "explain.json",
        "reasons.csv",
        "scored.csv",
        "audit.json",
        "gate.json",
        "gate.junit.xml",
        "gate.md",
        "mitigation.json",
    ] {
        assert!(run.join(name).is_file(), "no {name} in the run folder");
    }
    // commands.sh holds every step's command line; each is a valid command.
    let script = std::fs::read_to_string(run.join("commands.sh"))?;
    assert_eq!(script.matches("\nfairgate ").count(), 6, "{script}");
    let gate: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("gate.json"))?)?;
    assert_eq!(gate["passed"], false);
    let model = std::fs::read_to_string(run.join("model.json"))?;
    assert!(
        model == std::fs::read_to_string(root.join("reports/demo-model.json"))?,
        "reports/demo-model.json is stale: rerun the README's main command and copy it"
    );
    let mitigation = std::fs::read_to_string(run.join("mitigation.json"))?;
    assert!(
        mitigation == std::fs::read_to_string(root.join("reports/demo-mitigation.json"))?,
        "reports/demo-mitigation.json is stale: rerun the README's main command and copy it"
    );
    // The demo config's immutable features are never offered as counterfactuals.
    let reasons = std::fs::read_to_string(run.join("reasons.csv"))?;
    assert!(reasons.contains(" -> "), "no counterfactual at all");
    assert!(!reasons.contains("postcode_district:") && !reasons.contains("postcode_affluence:"));
    for name in [
        "report.html",
        "report.md",
        "dpia.md",
        "model_card.md",
        "evidence.json",
    ] {
        let now = std::fs::read_to_string(run.join("report").join(name))?;
        let committed = std::fs::read_to_string(root.join("reports/demo-report").join(name))?;
        assert!(
            now == committed,
            "reports/demo-report/{name} is stale: rerun the README's main command and copy it"
        );
        assert!(!now.contains("L00000"), "a person's id in {name}");
    }
    // report.html carries the DPIA as a section, and the ROC, score-distribution,
    // contribution and proxy charts.
    let html = std::fs::read_to_string(root.join("reports/demo-report/report.html"))?;
    assert!(html.contains("<section class=\"document\">\n<h2 id=\"dpia-evidence-"));
    assert!(html.contains(">0. Cover and provenance</h3>"));
    for title in [
        "ROC curves by gender",
        "Score distribution by ethnicity",
        "Feature importance",
        "Association of each feature with each protected attribute",
        "Less discriminatory alternatives: accuracy against disparity, by age_band",
    ] {
        assert!(html.contains(title), "no chart {title}");
    }
    Ok(())
}
