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

#[test]
fn report_escapes_names_and_loads_nothing_external() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let data = dir.path().join("scored.csv");
    std::fs::write(&data, hostile_csv())?;
    let audit = dir.path().join("audit.json");
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
    // No external request: no src/href, and no URL but the SVG namespace.
    assert!(!html.contains("src=") && !html.contains("href="));
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    assert!(html.matches("<svg").count() >= 3, "charts");
    // The small group shows its count only.
    assert!(md.contains("| tiny (small) | 5 | suppressed |"), "{md}");

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
