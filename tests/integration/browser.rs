//! report.html in a real browser: headless Chromium loads the demo report and a report with
//! hostile group names, with a network log. The page must log no console message, request
//! nothing beyond its own file, contain no script element, and render (a screenshot is saved
//! in target/browser/). A control page with an external image and a console error proves the
//! checks can fail. Skips, saying so, when no Chromium is installed (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::root;

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("FAIRGATE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Hosts the browser itself contacts in the background (time, accounts, dictionaries); not
/// requests of the page.
const BROWSER_HOSTS: &[&str] = &["google.com", "gvt1.com", "googleapis.com", "gstatic.com"];

struct Visit {
    console: Vec<String>,
    requests: Vec<String>,
    dom: String,
}

fn visit(browser: &Path, page: &Path, dir: &Path, shot: Option<&Path>) -> Visit {
    let net = dir.join(format!(
        "{}.netlog.json",
        page.file_stem().and_then(|s| s.to_str()).unwrap_or("page")
    ));
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1200,2400",
    ]);
    cmd.arg(format!("--log-net-log={}", net.display()));
    match shot {
        Some(s) => cmd.arg(format!("--screenshot={}", s.display())),
        None => cmd.arg("--dump-dom"),
    };
    cmd.arg(format!("file://{}", page.display()));
    let o = cmd.output().expect("chromium runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    let log = std::fs::read_to_string(&net).unwrap_or_default();
    let mut requests: Vec<String> = log
        .split("\"url\":\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|u| !u.starts_with("file://") && !u.starts_with("data:"))
        .filter(|u| {
            let host = u
                .split("://")
                .nth(1)
                .unwrap_or("")
                .split(['/', ':', '?'])
                .next()
                .unwrap_or("");
            !BROWSER_HOSTS
                .iter()
                .any(|h| host == *h || host.ends_with(&format!(".{h}")))
        })
        .map(String::from)
        .collect();
    requests.sort();
    requests.dedup();
    Visit {
        console,
        requests,
        dom: String::from_utf8_lossy(&o.stdout).into_owned(),
    }
}

#[test]
fn report_html_renders_in_chromium_without_errors_or_requests(
) -> Result<(), Box<dyn std::error::Error>> {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium on PATH (set FAIRGATE_CHROMIUM; .ci/run installs it)");
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let shots = root().join("target/browser");
    std::fs::create_dir_all(&shots)?;

    // The checks can fail: a page with an external image and a console message is caught.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<html><body><img src=\"http://example.invalid/x.png\"><script>console.error(\"boom\")</script></body></html>",
    )?;
    let v = visit(&browser, &control, dir.path(), None);
    assert!(
        !v.console.is_empty(),
        "the console check missed a console error"
    );
    assert!(
        v.requests.iter().any(|u| u.contains("example.invalid")),
        "the request check missed {:?}",
        v.requests
    );

    // The hostile report and the committed demo report.
    let out = dir.path().join("hostile");
    let audit = crate::report::hostile_audit(dir.path())?;
    let m = |p: &Path| p.to_string_lossy().into_owned();
    let o = crate::util::fairgate(&["report", "--audit", &m(&audit), "--out", &m(&out)]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    let demo = root().join("reports/demo-report/report.html");
    // The trend page of `compare --html`, over the hostile audit twice.
    let trend = dir.path().join("trend.html");
    let o = crate::util::fairgate(&["compare", &m(&audit), &m(&audit), "--html", &m(&trend)]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    for (page, name, title) in [
        (out.join("report.html"), "hostile", "fairgate audit report"),
        (demo, "demo", "fairgate audit report"),
        (trend, "hostile-trend", "fairgate audit trends"),
    ] {
        let v = visit(&browser, &page, dir.path(), None);
        assert!(
            v.console.is_empty(),
            "{name}: console messages {:?}",
            v.console
        );
        assert!(v.requests.is_empty(), "{name}: requests {:?}", v.requests);
        assert!(v.dom.contains(title), "{name}: the page did not load");
        assert!(
            !v.dom.to_lowercase().contains("<script"),
            "{name}: a script element"
        );
        if name.starts_with("hostile") {
            assert!(
                v.dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{name}"
            );
        }
        let shot = shots.join(format!("{name}-report.png"));
        let _ = std::fs::remove_file(&shot);
        let _ = visit(&browser, &page, dir.path(), Some(&shot));
        let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(size > 20_000, "{name}: screenshot of {size} bytes");
    }
    Ok(())
}
