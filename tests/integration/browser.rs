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

/// Measures a page in Chromium at `width` CSS pixels: a copy of it with a script appended
/// that writes its findings as JSON into the DOM (the report itself has no script).
fn geometry(browser: &Path, page: &Path, dir: &Path, width: u32) -> serde_json::Value {
    const PROBE: &str = r#"<script>(function(){
const W=window.innerWidth;const res={width:W,scrollWidth:document.documentElement.scrollWidth,overflow:[],small:[],legend:[],texts:0,svgTexts:0,figures:0,legends:0};
function clipped(el){for(let a=el.parentElement;a;a=a.parentElement){const o=getComputedStyle(a).overflowX;if(o==='auto'||o==='scroll'||o==='hidden')return true;}return false;}
for(const el of document.body.querySelectorAll('*')){if(el.tagName==='SCRIPT')continue;const r=el.getBoundingClientRect();if(r.width>0&&r.right>W+1&&!clipped(el)){res.overflow.push(el.tagName+' '+Math.round(r.right));}}
const walker=document.createTreeWalker(document.body,NodeFilter.SHOW_TEXT);let node;
while((node=walker.nextNode())){const el=node.parentElement;if(!el||!node.textContent.trim()||el.closest('svg')||el.closest('script'))continue;if(el.closest('details:not([open])')&&!el.closest('summary'))continue;const px=parseFloat(getComputedStyle(el).fontSize);res.texts++;if(px<12)res.small.push(el.tagName+' '+px+' '+node.textContent.trim().slice(0,40));}
for(const t of document.querySelectorAll('svg text')){if(!t.textContent.trim())continue;const m=t.getScreenCTM();const fs=parseFloat(t.getAttribute('font-size')||getComputedStyle(t).fontSize);const px=fs*Math.hypot(m.a,m.b);res.svgTexts++;if(px<12)res.small.push('svg text '+px.toFixed(2)+' '+t.textContent.trim().slice(0,40));}
for(const f of document.querySelectorAll('figure')){res.figures++;const data=[];
for(const e of f.querySelectorAll('svg rect,svg path,svg polyline,svg circle,svg line')){const fill=(e.getAttribute('fill')||'').toLowerCase();if(e.tagName==='rect'&&(fill==='#ffffff'||fill==='white'))continue;const r=e.getBoundingClientRect();if(r.width===0&&r.height===0)continue;data.push(r);}
for(const li of f.querySelectorAll('ul.legend li')){res.legends++;const a=li.getBoundingClientRect();for(const b of data){if(a.left<b.right&&b.left<a.right&&a.top<b.bottom&&b.top<a.bottom){res.legend.push(li.textContent.trim());break;}}}}
const pre=document.createElement('pre');pre.id='geometry';pre.textContent=JSON.stringify(res);document.body.appendChild(pre);})();</script>"#;
    let html = std::fs::read_to_string(page).expect("the page reads");
    let probed = dir.join(format!(
        "{}-probe-{width}.html",
        page.file_stem().and_then(|s| s.to_str()).unwrap_or("page")
    ));
    std::fs::write(&probed, html.replace("</body>", &format!("{PROBE}</body>")))
        .expect("the probe page is written");
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            &format!("--window-size={width},1000"),
            "--dump-dom",
        ])
        .arg(format!("file://{}", probed.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&o.stdout);
    let json = dom
        .split("<pre id=\"geometry\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or("null")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    serde_json::from_str(&json).unwrap_or(serde_json::Value::Null)
}

#[test]
fn report_geometry_at_1280_and_800_pixels_and_its_printed_pages(
) -> Result<(), Box<dyn std::error::Error>> {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium on PATH (set FAIRGATE_CHROMIUM; .ci/run installs it)");
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    // The checks can fail: a legend over a bar, 9 px text, a box wider than the page.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<html><body><figure style=\"position:relative\"><svg width=\"300\" height=\"100\"><rect x=\"0\" y=\"0\" width=\"300\" height=\"100\" fill=\"#1f77b4\"/></svg><ul class=\"legend\" style=\"position:absolute;top:10px;left:10px\"><li>over the bar</li></ul></figure><p style=\"font-size:9px\">tiny</p><div style=\"width:3000px\">wide</div></body></html>",
    )?;
    let g = geometry(&browser, &control, dir.path(), 800);
    assert_eq!(g["legend"][0], "over the bar", "{g}");
    assert!(g["small"].to_string().contains("tiny"), "{g}");
    assert!(!g["overflow"].as_array().is_none_or(Vec::is_empty), "{g}");

    let demo = root().join("reports/demo-report/report.html");
    for width in [1280, 800] {
        let g = geometry(&browser, &demo, dir.path(), width);
        assert_eq!(g["width"], width, "{g}");
        assert!(g["figures"].as_u64() >= Some(25), "{g}");
        assert!(g["legends"].as_u64() >= Some(20), "{g}");
        assert!(g["svgTexts"].as_u64() >= Some(500), "{g}");
        assert_eq!(g["legend"], serde_json::json!([]), "at {width} px");
        assert_eq!(g["small"], serde_json::json!([]), "at {width} px");
        assert_eq!(g["overflow"], serde_json::json!([]), "at {width} px");
        assert!(g["scrollWidth"].as_u64() <= Some(u64::from(width)), "{g}");
    }

    // Printed to PDF: a sane number of pages, and no chart cut across two (each figure's
    // caption and the print-only "(end of figure N)" after it are on the same page).
    let Ok(pdftotext) = which("pdftotext") else {
        eprintln!("skipped the print check: no pdftotext (poppler-utils; .ci/run installs it)");
        return Ok(());
    };
    let pdf = dir.path().join("report.pdf");
    let o = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", demo.display()))
        .output()?;
    assert!(pdf.is_file(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = dir.path().join("report.txt");
    let o = Command::new(pdftotext)
        .args(["-layout", &pdf.to_string_lossy(), &text.to_string_lossy()])
        .output()?;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&text)?;
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let html = std::fs::read_to_string(&demo)?;
    let sections = html.matches("<h2 ").count();
    assert!(
        pages.len() >= sections && pages.len() <= 4 * sections + 20,
        "{} pages for {sections} sections",
        pages.len()
    );
    let figures = html.matches("<figure data-n=").count();
    assert!(figures >= 25);
    let page_of = |needle: &str| pages.iter().position(|p| p.contains(needle));
    for n in 1..=figures {
        let start = page_of(&format!("Figure {n}:")).ok_or(format!("no Figure {n} in the PDF"))?;
        let end = page_of(&format!("(end of figure {n})"))
            .ok_or(format!("no end of figure {n} in the PDF"))?;
        assert_eq!(
            start,
            end,
            "figure {n} is cut across pages {} and {}",
            start + 1,
            end + 1
        );
    }
    // Each attribute's section (five in the demo) starts a page.
    let starts: Vec<&str> = pages
        .iter()
        .filter(|p| p.contains("Reference group:"))
        .filter_map(|p| p.lines().find(|l| !l.trim().is_empty()))
        .collect();
    assert_eq!(starts.len(), 5, "{starts:?}");
    assert!(
        starts
            .iter()
            .all(|l| l.trim_start().starts_with("Attribute: ")),
        "{starts:?}"
    );
    Ok(())
}

fn which(name: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").ok_or("no PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(format!("no {name}"))
}
