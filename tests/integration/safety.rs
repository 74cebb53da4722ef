//! Outputs never destroy inputs or other files: refused overlaps, exclusive temporary files,
//! devices written into, kept permissions, staged pipeline runs, locks, shell quoting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{fairgate, root, stderr};

type R = Result<(), Box<dyn std::error::Error>>;

fn s(p: &Path) -> &str {
    p.to_str().unwrap_or_default()
}

fn demo_data() -> PathBuf {
    root().join("datasets/leads_demo.csv")
}

fn demo_model() -> PathBuf {
    root().join("reports/demo-model.json")
}

/// `fairgate audit` of the demo data's vendor scores, with `extra` options.
fn demo_audit(extra: &[&str]) -> std::process::Output {
    let data = demo_data();
    let base = [
        "audit",
        "--data",
        s(&data),
        "--label",
        "converted",
        "--score",
        "vendor_score",
    ];
    fairgate(&[&base[..], extra].concat())
}

/// Runs `args` and requires exit 2 with both names in the message.
fn refused(args: &[&str], names: &[&str]) {
    let o = fairgate(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    for n in names {
        assert!(err.contains(n), "{args:?}: {n} not named in: {err}");
    }
}

#[test]
fn an_output_that_is_an_input_is_refused_before_anything_is_read() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let data = d.join("v.csv");
    std::fs::copy(demo_data(), &data)?;
    let before = std::fs::read(&data)?;
    let hard = d.join("hard.csv");
    std::fs::hard_link(&data, &hard)?;
    let link = d.join("link.csv");
    std::os::unix::fs::symlink(&data, &link)?;
    let audit = |out: &Path| {
        vec![
            "audit".to_string(),
            "--data".into(),
            s(&data).into(),
            "--label".into(),
            "converted".into(),
            "--score".into(),
            "vendor_score".into(),
            "--protected".into(),
            "gender".into(),
            "--out".into(),
            s(out).into(),
        ]
    };
    for out in [&data, &hard, &link, &d.join(".").join("v.csv")] {
        let args = audit(out);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&args, &[s(out), s(&data), "would replace the input"]);
    }
    let model = s(&demo_model()).to_string();
    refused(
        &[
            "score",
            "--model",
            &model,
            "--data",
            s(&data),
            "--out",
            s(&data),
        ],
        &[s(&data)],
    );
    refused(
        &[
            "score",
            "--model",
            &model,
            "--data",
            s(&data),
            "--out",
            s(&hard),
        ],
        &[s(&hard), s(&data)],
    );
    refused(
        &[
            "inspect",
            "--data",
            s(&data),
            "--label",
            "converted",
            "--out",
            s(&link),
        ],
        &[s(&link)],
    );
    // An input named by the config file counts too.
    let config = d.join("c.toml");
    std::fs::write(&config, "[data]\npath = \"v.csv\"\nlabel = \"converted\"\n")?;
    refused(
        &["inspect", "--config", s(&config), "--out", s(&data)],
        &[s(&data)],
    );
    // A report folder holding the audit it reports on.
    let audit_json = d.join("evidence.json");
    std::fs::copy(root().join("reports/demo-audit.json"), &audit_json)?;
    refused(
        &["report", "--audit", s(&audit_json), "--out", s(d)],
        &["evidence.json", "would replace"],
    );
    assert_eq!(std::fs::read(&data)?, before, "the input changed");
    Ok(())
}

#[test]
fn temporary_files_touch_no_other_file() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    // The input is named like the old temporary file of the output.
    let data = d.join("leads.tmp");
    std::fs::copy(demo_data(), &data)?;
    let before = std::fs::read(&data)?;
    let bystanders = [
        "reasons.tmp",
        "report.tmp",
        "evidence.tmp",
        "dpia.tmp",
        "out.tmp",
    ];
    for b in bystanders {
        std::fs::write(d.join(b), b)?;
    }
    let model = demo_model();
    let o = fairgate(&[
        "explain",
        "--model",
        s(&model),
        "--data",
        s(&data),
        "--reasons",
        s(&d.join("leads.csv")),
        "--contributions",
        s(&d.join("out.tsv")),
        "--format",
        "json",
        "--out",
        s(&d.join("out.json")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&data)?, before);
    for b in bystanders {
        assert_eq!(std::fs::read_to_string(d.join(b))?, b, "{b} was touched");
    }
    let reasons = std::fs::read_to_string(d.join("leads.csv"))?;
    let contributions = std::fs::read_to_string(d.join("out.tsv"))?;
    assert!(reasons.lines().count() > 1000 && contributions.lines().count() > 1000);
    assert_ne!(reasons.lines().next(), contributions.lines().next());
    // No temporary file is left behind.
    let left: Vec<String> = std::fs::read_dir(d)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("fairgate-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // A report written into the same folder leaves them too.
    let o = fairgate(&[
        "report",
        "--audit",
        s(&root().join("reports/demo-audit.json")),
        "--out",
        s(d),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for b in bystanders {
        assert_eq!(std::fs::read_to_string(d.join(b))?, b, "{b} was touched");
    }
    // Two outputs with one name are refused.
    refused(
        &[
            "explain",
            "--model",
            s(&model),
            "--data",
            s(&data),
            "--reasons",
            s(&d.join("same.csv")),
            "--contributions",
            s(&d.join("same.csv")),
        ],
        &["same.csv", "the same file"],
    );
    assert!(!d.join("same.csv").exists());
    Ok(())
}

#[test]
fn a_planted_link_does_not_redirect_a_write() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let victim = d.join("victim");
    std::fs::write(&victim, "keep")?;
    for name in ["audit.json.tmp", "audit.tmp", ".audit.json.tmp"] {
        std::os::unix::fs::symlink(&victim, d.join(name))?;
    }
    let out = d.join("audit.json");
    let o = demo_audit(&[
        "--protected",
        "gender",
        "--format",
        "json",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim)?, "keep");
    assert!(std::fs::read_to_string(&out)?.starts_with('{'));
    Ok(())
}

#[test]
fn devices_and_fifos_are_written_into_never_replaced() -> R {
    use std::os::unix::fs::FileTypeExt;
    let o = demo_audit(&["--protected", "gender", "--out", "/dev/null"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::metadata("/dev/null")?.file_type().is_char_device());
    // A FIFO: the output arrives through it and it stays a FIFO.
    let dir = tempfile::tempdir()?;
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status()?;
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo))
    };
    let o = fairgate(&[
        "datasets",
        "generate",
        "--rows",
        "50",
        "--seed",
        "3",
        "--out",
        s(&fifo),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = reader.join().map_err(|_| "reader panicked")??;
    assert_eq!(text.lines().count(), 51);
    assert!(std::fs::metadata(&fifo)?.file_type().is_fifo());
    // A folder is refused, with its name.
    refused(
        &[
            "datasets",
            "generate",
            "--rows",
            "5",
            "--out",
            s(dir.path()),
        ],
        &[s(dir.path()), "a folder"],
    );
    Ok(())
}

#[test]
fn a_replaced_output_keeps_its_permissions() -> R {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("scored.csv");
    let score = || {
        fairgate(&[
            "score",
            "--model",
            s(&demo_model()),
            "--data",
            s(&demo_data()),
            "--out",
            s(&out),
        ])
    };
    let o = score();
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600))?;
    let o = score();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&out)?.permissions().mode() & 0o777, 0o600);
    Ok(())
}

/// A pipeline over the demo data in `dir`, writing into `dir/run`, with `extra` appended.
fn pipeline(dir: &Path, name: &str, extra: &str) -> std::io::Result<PathBuf> {
    let p = dir.join(name);
    std::fs::write(
        &p,
        format!(
            "[data]\npath = \"{}\"\nlabel = \"converted\"\nscore = \"vendor_score\"\nprotected = [\"gender\", \"age_band\"]\n\n[gate]\npolicy = \"{}\"\n\n[report]\n\n[run]\nout = \"run\"\ncreated = \"2026-06-30\"\n{extra}",
            s(&demo_data()),
            s(&root().join("datasets/policy-four-fifths.toml")),
        ),
    )?;
    Ok(p)
}

/// Files by relative path, with their bytes.
type Snapshot = BTreeMap<PathBuf, Vec<u8>>;

/// Every regular file under `dir`, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, rel: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(base.join(rel))
            .into_iter()
            .flatten()
            .flatten()
        {
            let r = rel.join(e.file_name());
            match e.file_type() {
                Ok(t) if t.is_dir() => walk(base, &r, out),
                Ok(t) if t.is_file() => {
                    out.insert(r.clone(), std::fs::read(base.join(&r)).unwrap_or_default());
                }
                _ => {}
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, Path::new(""), &mut out);
    out
}

#[test]
fn a_run_never_replaces_its_own_inputs() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    // Last quarter's audit, in the folder the run writes into.
    std::fs::create_dir_all(d.join("run"))?;
    let previous = d.join("run/audit.json");
    std::fs::write(&previous, "{\"last quarter\": true}")?;
    let p = pipeline(d, "p.toml", "")?;
    let mut text = std::fs::read_to_string(&p)?;
    text = text.replace("[report]\n", "[report]\nprevious = \"run/audit.json\"\n");
    std::fs::write(&p, text)?;
    refused(&["run", s(&p)], &["audit.json", "would replace the input"]);
    assert_eq!(
        std::fs::read_to_string(&previous)?,
        "{\"last quarter\": true}"
    );
    // A data file named like an artifact.
    let data = d.join("run/scored.csv");
    std::fs::copy(demo_data(), &data)?;
    let q = d.join("q.toml");
    std::fs::write(
        &q,
        "[data]\npath = \"run/scored.csv\"\nlabel = \"converted\"\nprotected = [\"gender\"]\n\n[model]\npath = \"model.json\"\n\n[run]\nout = \"run\"\n",
    )?;
    std::fs::copy(demo_model(), d.join("model.json"))?;
    refused(&["run", s(&q)], &["scored.csv", "would replace the input"]);
    assert_eq!(std::fs::read(&data)?, std::fs::read(demo_data())?);
    // Every input is checked before the first step: a missing policy stops the run at once.
    let r = pipeline(d, "r.toml", "")?;
    let text = std::fs::read_to_string(&r)?.replace("policy-four-fifths", "no-such-policy");
    std::fs::write(&r, text)?;
    refused(&["run", s(&r)], &["no-such-policy.toml"]);
    Ok(())
}

/// The pipeline `dir/p.toml` run to completion (its gate fails), and the files it wrote.
fn completed_run(dir: &Path) -> Result<(PathBuf, Snapshot), Box<dyn std::error::Error>> {
    let p = pipeline(dir, "p.toml", "")?;
    let o = fairgate(&["run", s(&p)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    Ok((p, snapshot(&dir.join("run"))))
}

#[test]
fn a_failed_run_leaves_the_previous_set_and_says_so() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let (p, before) = completed_run(d)?;
    let run = d.join("run");
    assert!(before.contains_key(Path::new("gate.junit.xml")));
    assert!(!before.contains_key(Path::new(fairgate::output::INCOMPLETE_FILE)));
    // The same pipeline with a reference group that does not exist fails at the audit step.
    let text = std::fs::read_to_string(&p)?.replace(
        "[gate]",
        "[audit]\nreference = { gender = \"nobody\" }\n\n[gate]",
    );
    std::fs::write(&p, text)?;
    let o = fairgate(&["run", s(&p)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let mut after = snapshot(&run);
    let record = after
        .remove(Path::new(fairgate::output::INCOMPLETE_FILE))
        .ok_or("no record of the failed run")?;
    let record = String::from_utf8(record)?;
    assert!(
        record.contains("failed") && record.contains("nobody"),
        "{record}"
    );
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(after == before, "the previous set changed");
    Ok(())
}

#[test]
fn concurrent_runs_into_one_folder_do_not_interleave() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let (p, reference) = completed_run(d)?;
    let start = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
            .args(["run", s(&p)])
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
    };
    let (a, b) = (start()?, start()?);
    for child in [a, b] {
        let o = child.wait_with_output()?;
        let err = stderr(&o);
        match o.status.code() {
            Some(1) => {}
            Some(2) => assert!(err.contains("another fairgate run"), "{err}"),
            c => panic!("exit {c:?}: {err}"),
        }
    }
    assert!(snapshot(&d.join("run")) == reference);
    Ok(())
}

#[test]
fn commands_sh_runs_exactly_the_planned_arguments() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let hostile = [
        "18-24|touch PWNED",
        "R&D",
        "income(k)",
        "$(touch PWNED)",
        "`touch PWNED`",
        "it's; touch PWNED",
        "line\nbreak",
        "\u{1b}]0;title\u{7}",
        "~root",
        "*",
    ];
    let refs: String = hostile
        .iter()
        .enumerate()
        .map(|(i, v)| format!("c{i} = {}\n", toml::Value::String((*v).into())))
        .collect();
    let p = pipeline(d, "p.toml", "")?;
    let text = std::fs::read_to_string(&p)?
        .replace("[gate]", &format!("[audit.reference]\n{refs}\n[gate]"));
    std::fs::write(&p, text)?;
    let o = fairgate(&["run", s(&p), "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = String::from_utf8(o.stdout)?;
    // A stand-in `fairgate` that records its arguments, one NUL-terminated each.
    let bin = d.join("bin");
    std::fs::create_dir_all(&bin)?;
    let log = d.join("args.log");
    std::fs::write(
        bin.join("fairgate"),
        format!(
            "#!/bin/sh\nprintf '%s\\0' \"$@\" >> '{}'\nprintf '\\n\\0' >> '{}'\n",
            s(&log),
            s(&log)
        ),
    )?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("fairgate"), std::fs::Permissions::from_mode(0o755))?;
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(d)
        .env("PATH", format!("{}:/usr/bin:/bin", s(&bin)))
        .output()?;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !d.join("PWNED").exists(),
        "the script ran a command from the data"
    );
    let logged = std::fs::read_to_string(&log)?;
    let calls: Vec<Vec<&str>> = logged
        .split("\n\0")
        .filter(|c| !c.is_empty())
        .map(|c| c.split('\0').filter(|a| !a.is_empty()).collect())
        .collect();
    let plan = fairgate::pipeline::Plan::from_path(&p, None)?;
    assert_eq!(calls.len(), plan.steps.len());
    for (call, step) in calls.iter().zip(&plan.steps) {
        let want: Vec<&str> = step.args.iter().map(String::as_str).collect();
        assert_eq!(call, &want);
    }
    for (i, v) in hostile.iter().enumerate() {
        assert!(
            calls.iter().flatten().any(|a| *a == format!("c{i}={v}")),
            "{v:?}"
        );
    }
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Any text without NUL, quoted, is one shell word that stands for exactly that text.
    #[test]
    fn shell_quoting_round_trips(arg in "[^\u{0}]{0,24}") {
        let o = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s' {}", fairgate::pipeline::shell_quote(&arg)))
            .output()
            .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
        proptest::prop_assert_eq!(String::from_utf8_lossy(&o.stdout).into_owned(), arg);
    }
}

/// Kills `fairgate run` at random moments (SIGKILL) while it replaces one complete set of
/// artifacts by another: every file must then be the previous complete content or the new
/// complete content, never a mixture, a truncation or a temporary file in its place.
#[test]
fn a_run_killed_at_any_moment_leaves_each_file_old_or_new() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let data = d.join("leads.csv");
    let o = fairgate(&[
        "datasets",
        "generate",
        "--rows",
        "2000",
        "--seed",
        "5",
        "--out",
        s(&data),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let demo = std::fs::read_to_string(root().join("datasets/demo.toml"))?;
    let data_table = demo
        .split("\n[explain]")
        .next()
        .ok_or("no [data] table in demo.toml")?
        .replace("leads_demo.csv", "leads.csv");
    let variant = |name: &str, threshold: f64| -> std::io::Result<PathBuf> {
        let p = d.join(name);
        std::fs::write(
            &p,
            format!(
                "{data_table}\n[train]\nseed = 1\nthreshold = {threshold}\n\n[audit]\n\n[gate]\npolicy = \"{}\"\n\n[report]\n\n[run]\nout = \"run\"\ncreated = \"2026-06-30\"\n",
                s(&root().join("datasets/policy-four-fifths.toml"))
            ),
        )?;
        Ok(p)
    };
    let pipelines = [variant("a.toml", 0.2)?, variant("b.toml", 0.3)?];
    let run = d.join("run");
    let complete = |p: &Path| -> Result<(BTreeMap<PathBuf, Vec<u8>>, u128), String> {
        let started = std::time::Instant::now();
        let o = fairgate(&["run", s(p)]);
        if !matches!(o.status.code(), Some(0 | 1)) {
            return Err(stderr(&o));
        }
        let mut set = snapshot(&run);
        set.remove(Path::new(fairgate::output::LOCK_FILE));
        Ok((set, started.elapsed().as_millis()))
    };
    let (set_a, ms) = complete(&pipelines[0])?;
    let (set_b, _) = complete(&pipelines[1])?;
    assert_eq!(
        set_a.keys().collect::<Vec<_>>(),
        set_b.keys().collect::<Vec<_>>()
    );
    assert!(set_a.len() >= 13, "{:?}", set_a.keys());
    let differ = set_a.iter().filter(|(k, v)| set_b[*k] != **v).count();
    assert!(
        differ >= 8,
        "only {differ} files differ between the variants"
    );
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 8,
        ..proptest::test_runner::Config::default()
    });
    let strategy = (0..2usize, 0..(ms as u64 + 50));
    runner
        .run(&strategy, |(which, delay)| {
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
                .args(["run", s(&pipelines[which])])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            std::thread::sleep(std::time::Duration::from_millis(delay));
            let _ = child.kill();
            let _ = child.wait();
            let now = snapshot(&run);
            for (name, old) in &set_a {
                let got = now.get(name);
                proptest::prop_assert!(
                    got == Some(old) || got == set_b.get(name),
                    "{} after a kill at {delay} ms is neither complete version ({} bytes)",
                    name.display(),
                    got.map_or(0, Vec::len)
                );
            }
            for name in now.keys() {
                let top = name
                    .components()
                    .next()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned());
                let known = set_a.contains_key(name)
                    || top
                        .as_deref()
                        .is_some_and(|t| t.starts_with(".fairgate-staging-"))
                    || name == Path::new(fairgate::output::LOCK_FILE)
                    || name == Path::new(fairgate::output::INCOMPLETE_FILE)
                    // The record half-written when the kill came; the next run removes it.
                    || name.to_string_lossy().starts_with(&format!(
                        ".{}.",
                        fairgate::output::INCOMPLETE_FILE
                    )) && name.to_string_lossy().ends_with(".fairgate-tmp");
                proptest::prop_assert!(known, "unexpected file {}", name.display());
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    // A run after the kills completes, leaving neither staging folders nor the record.
    let (last, _) = complete(&pipelines[0])?;
    assert!(
        last == set_a,
        "the run after the kills differs from the first"
    );
    Ok(())
}

/// Every cell of a CSV file, header included.
fn cells(path: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)?;
    let mut out = Vec::new();
    for rec in r.records() {
        out.extend(rec?.iter().map(String::from));
    }
    Ok(out)
}

#[test]
fn csv_outputs_carry_no_formula_unless_asked_for_raw_cells() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    // The demo data with hostile ids, a hostile protected value and a hostile feature value.
    let text = std::fs::read_to_string(demo_data())?;
    let mut hostile = String::new();
    for (i, line) in text.lines().take(3001).enumerate() {
        if i > 0 && i % 7 == 0 {
            let mut f: Vec<String> = line.split(',').map(String::from).collect();
            f[0] = "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"".into();
            f[4] = "@SUM(A1)".into();
            f[8] = "-cmd".into();
            hostile.push_str(&f.join(","));
        } else {
            hostile.push_str(line);
        }
        hostile.push('\n');
    }
    let data = d.join("leads.csv");
    std::fs::write(&data, hostile)?;
    let config = d.join("c.toml");
    std::fs::write(
        &config,
        "[data]\npath = \"leads.csv\"\nlabel = \"converted\"\nid = \"lead_id\"\nprotected = [\"gender\", \"region\"]\nexclude = [\"vendor_score\", \"consent\", \"consent_timestamp\"]\n",
    )?;
    let model = d.join("model.json");
    let o = fairgate(&["train", "--config", s(&config), "--out", s(&model)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let outputs = |raw: bool| -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let scored = d.join("scored.csv");
        let (reasons, contributions) = (d.join("reasons.csv"), d.join("contributions.csv"));
        let mut score = vec![
            "score",
            "--model",
            s(&model),
            "--data",
            s(&data),
            "--out",
            s(&scored),
        ];
        let mut explain = vec![
            "explain",
            "--model",
            s(&model),
            "--data",
            s(&data),
            "--reasons",
            s(&reasons),
            "--contributions",
            s(&contributions),
        ];
        if raw {
            score.push("--raw-csv");
            explain.push("--raw-csv");
        }
        for args in [score, explain] {
            let o = fairgate(&args);
            assert!(o.status.success(), "{}", stderr(&o));
        }
        let mut all = cells(&scored)?;
        all.extend(cells(&reasons)?);
        all.extend(cells(&contributions)?);
        Ok(all)
    };
    let guarded = outputs(false)?;
    let formula: Vec<&String> = guarded
        .iter()
        .filter(|c| fairgate::output::is_formula_like(c))
        .collect();
    assert!(formula.is_empty(), "{:?}", &formula[..formula.len().min(5)]);
    for want in ["'=HYPERLINK", "'@SUM"] {
        assert!(guarded.iter().any(|c| c.starts_with(want)), "no {want}");
    }
    assert!(guarded
        .iter()
        .any(|c| c.starts_with("'+") || c.starts_with("'-")));
    let raw = outputs(true)?;
    assert!(raw.iter().any(|c| c.starts_with("=HYPERLINK")));
    assert_eq!(raw.len(), guarded.len());
    Ok(())
}

#[test]
fn text_from_data_or_files_reaches_no_terminal_or_markdown_as_markup() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let esc = "\u{1b}]0;pwned\u{7}\u{1b}[2J";
    let mut csv = format!("y,score,ethnic<i>{esc}\n");
    for i in 0..200 {
        let g = if i % 2 == 0 {
            format!("a{esc}")
        } else {
            "b".into()
        };
        csv.push_str(&format!("{},{},{g}\n", i % 3 % 2, (i % 10) as f64 / 10.0));
    }
    let data = d.join("d.csv");
    std::fs::write(&data, csv)?;
    let protected = format!("ethnic<i>{esc}");
    let base = [
        "audit",
        "--data",
        s(&data),
        "--label",
        "y",
        "--score",
        "score",
    ];
    let no_escape = |o: &std::process::Output| {
        assert!(
            !o.stdout.contains(&0x1b) && !o.stderr.contains(&0x1b),
            "{}",
            stderr(o)
        );
        assert!(!o.stdout.contains(&0x07) && !o.stderr.contains(&0x07));
    };
    // The table, an error listing the groups, an error listing the header.
    let o = fairgate(&[&base[..], &["--protected", &protected]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("a\\u{1b}]0;pwned"));
    no_escape(&o);
    let o = fairgate(
        &[
            &base[..],
            &[
                "--protected",
                &protected,
                "--reference",
                &format!("{protected}=zz"),
            ],
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(2));
    no_escape(&o);
    let o = fairgate(&[&base[..], &["--protected", "nope"]].concat());
    assert_eq!(o.status.code(), Some(2));
    no_escape(&o);
    // Markdown: the audit, and a report whose context and audit carry markup and escapes.
    let md = fairgate(
        &[
            &base[..],
            &["--protected", &protected, "--format", "markdown"],
        ]
        .concat(),
    );
    assert!(md.status.success());
    no_escape(&md);
    let audit = d.join("a.json");
    let o = fairgate(
        &[
            &base[..],
            &[
                "--protected",
                &protected,
                "--format",
                "json",
                "--out",
                s(&audit),
            ],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let context = d.join("context.toml");
    std::fs::write(
        &context,
        format!(
            "processing = {}\npurposes = [{}]\nrecipients = [{}]\n",
            toml::Value::String(format!("<script>alert(1)</script>|{esc}")),
            toml::Value::String("[click](javascript:x)".into()),
            toml::Value::String(format!("`code`{esc}")),
        ),
    )?;
    let out = d.join("report");
    let o = fairgate(&[
        "report",
        "--audit",
        s(&audit),
        "--context",
        s(&context),
        "--created",
        "2026-06-30",
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    no_escape(&o);
    for name in ["dpia.md", "report.md", "report.html"] {
        let text = std::fs::read_to_string(out.join(name))?;
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{name}"
        );
        assert!(!text.contains("<script>"), "{name}");
        assert!(
            name.ends_with(".html") || !text.contains("[click]("),
            "{name}"
        );
    }
    // A policy whose name and rule id carry markup and escapes: gate.md and the table.
    let policy = d.join("p.toml");
    std::fs::write(
        &policy,
        format!(
            "[policy]\nname = {}\n\n[[rule]]\nid = {}\nmetric = \"selection_rate\"\nmin = 0.0\n",
            toml::Value::String(format!("<b>|{esc}")),
            toml::Value::String(format!("r|`x`{esc}")),
        ),
    )?;
    let gate_md = d.join("gate.md");
    let o = fairgate(&[
        "gate",
        "--policy",
        s(&policy),
        "--audit",
        s(&audit),
        "--markdown",
        s(&gate_md),
    ]);
    no_escape(&o);
    let text = std::fs::read_to_string(&gate_md)?;
    assert!(
        !text.contains('\u{1b}') && !text.contains("<b>") && !text.contains("r|`x`"),
        "{text}"
    );
    let dpia = std::fs::read_to_string(out.join("dpia.md"))?;
    assert!(
        dpia.contains("\\<script\\>") && dpia.contains("\\[click\\]"),
        "{dpia}"
    );
    // The special-category screening names the attribute, escaped.
    assert!(dpia.contains("yes: ethnic\\<i\\>"), "{dpia}");
    Ok(())
}

/// A forgery: its name, the edits (JSON pointer, new value) and the field the error must name.
type Forgery<'a, P> = (&'a str, Vec<(P, serde_json::Value)>, &'a str);

/// An edited copy of `value` at `path` (a JSON pointer), written to `dir/name`.
fn forged(
    dir: &Path,
    name: &str,
    value: &serde_json::Value,
    edits: &[(&str, serde_json::Value)],
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let mut v = value.clone();
    for (pointer, new) in edits {
        *v.pointer_mut(pointer).ok_or(format!("no {pointer}"))? = new.clone();
    }
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string(&v)?)?;
    Ok(p)
}

#[test]
fn forged_or_inconsistent_evidence_is_refused_never_judged() -> R {
    use serde_json::json;
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let policy = root().join("datasets/policy-four-fifths.toml");
    let strict = root().join("datasets/policy-gdpr-strict.toml");
    // A real audit that fails the four-fifths rule, and the demo model.
    let audit_path = d.join("audit.json");
    let o = demo_audit(&[
        "--protected",
        "gender,age_band",
        "--threshold",
        "0.2",
        "--format",
        "json",
        "--out",
        s(&audit_path),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = fairgate(&["gate", "--policy", s(&policy), "--audit", s(&audit_path)]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the real audit must fail: {}",
        stderr(&o)
    );
    let audit: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&audit_path)?)?;
    let groups = audit["attributes"][1]["groups"]
        .as_array()
        .ok_or("groups")?;
    let worst = groups
        .iter()
        .position(|g| {
            g["metrics"]["disparate_impact"]["value"]
                .as_f64()
                .is_some_and(|v| v < 0.8)
        })
        .ok_or("no group below 0.8")?;
    let g = format!("/attributes/1/groups/{worst}/metrics");
    let cases: Vec<Forgery<String>> = vec![
        (
            "schema",
            vec![("/schema_version".into(), json!(99))],
            "schema_version",
        ),
        (
            "empty",
            vec![("/attributes".into(), json!([]))],
            "attributes",
        ),
        (
            "ratio",
            vec![(format!("{g}/disparate_impact/value"), json!(1e308))],
            "disparate_impact",
        ),
        (
            "ratio-edit",
            vec![(format!("{g}/disparate_impact/value"), json!(0.95))],
            "disparate_impact",
        ),
        (
            "inverted",
            vec![
                (format!("{g}/disparate_impact/ci_low"), json!(0.9)),
                (format!("{g}/disparate_impact/ci_high"), json!(0.1)),
            ],
            "ci_low",
        ),
        (
            "rate",
            vec![(format!("{g}/selection_rate/value"), json!(1.5))],
            "selection_rate",
        ),
        ("null", vec![(format!("{g}/tpr/value"), json!(null))], "tpr"),
        ("rows", vec![("/input/rows_used".into(), json!(5))], "rows"),
        (
            "count",
            vec![("/attributes/0/groups/0/n".into(), json!(3))],
            "groups",
        ),
        (
            "small",
            vec![("/attributes/0/groups/0/small".into(), json!(true))],
            "small",
        ),
        (
            "reference",
            vec![("/attributes/0/reference_group".into(), json!("nobody"))],
            "reference_group",
        ),
    ];
    for (name, edits, field) in &cases {
        let edits: Vec<(&str, serde_json::Value)> =
            edits.iter().map(|(p, v)| (p.as_str(), v.clone())).collect();
        let p = forged(d, &format!("{name}.json"), &audit, &edits)?;
        for args in [
            vec!["gate", "--policy", s(&policy), "--audit", s(&p)],
            vec![
                "report",
                "--audit",
                s(&p),
                "--out",
                s(&d.join(format!("r-{name}"))),
            ],
            vec!["compare", s(&audit_path), s(&p)],
        ] {
            let o = fairgate(&args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{name} {}: {err}", args[0]);
            assert!(
                err.contains(&format!("{name}.json")) && err.contains(field),
                "{name} {}: {err}",
                args[0]
            );
        }
    }
    // The model: an impossible AUC, consent exclusions zeroed, a threshold out of range, a
    // zero scale.
    let model: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(demo_model())?)?;
    let scale = model["encoder"]["features"]
        .as_array()
        .and_then(|f| f.iter().position(|x| x["kind"] == "numeric"))
        .ok_or("no numeric feature")?;
    let scale = format!("/encoder/features/{scale}/scale");
    let model_cases: Vec<Forgery<&str>> = vec![
        (
            "auc",
            vec![("/validation/auc", json!(7.5))],
            "validation.auc",
        ),
        (
            "consent",
            vec![("/data/excluded/consent_refused", json!(0))],
            "rows_read",
        ),
        ("low", vec![("/threshold", json!(-0.5))], "threshold"),
        ("high", vec![("/threshold", json!(2.0))], "threshold"),
        ("scale", vec![(scale.as_str(), json!(0.0))], "scale"),
    ];
    for (name, edits, field) in &model_cases {
        let p = forged(d, &format!("model-{name}.json"), &model, edits)?;
        for args in [
            vec![
                "gate",
                "--policy",
                s(&strict),
                "--audit",
                s(&audit_path),
                "--model",
                s(&p),
            ],
            vec![
                "report",
                "--audit",
                s(&audit_path),
                "--model",
                s(&p),
                "--out",
                s(&d.join("rm")),
            ],
            vec![
                "score",
                "--model",
                s(&p),
                "--data",
                s(&demo_data()),
                "--out",
                s(&d.join("x.csv")),
            ],
        ] {
            let o = fairgate(&args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{name} {}: {err}", args[0]);
            assert!(
                err.contains(&format!("model-{name}.json")) && err.contains(field),
                "{name}: {err}"
            );
        }
    }
    // A gate result that contradicts its rules or judged another audit.
    let gate_path = d.join("gate.json");
    let o = fairgate(&[
        "gate",
        "--policy",
        s(&policy),
        "--audit",
        s(&audit_path),
        "--json",
        s(&gate_path),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let gate: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&gate_path)?)?;
    for (name, edits, field) in [
        ("gate-passed", vec![("/passed", json!(true))], "passed"),
        ("gate-audit", vec![("/audit/sha256", json!("00"))], "audit"),
    ] {
        let p = forged(d, &format!("{name}.json"), &gate, &edits)?;
        let o = fairgate(&[
            "report",
            "--audit",
            s(&audit_path),
            "--gate",
            s(&p),
            "--out",
            s(&d.join("rg")),
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(&format!("{name}.json")) && err.contains(field),
            "{name}: {err}"
        );
    }
    // DPIA sign-off dates: not a date, or still to come.
    for (i, date) in ["not a date", "2999-01-01", "2026-02-30"]
        .iter()
        .enumerate()
    {
        let c = d.join(format!("context{i}.toml"));
        std::fs::write(
            &c,
            format!("decision = \"go\"\napproved-by = \"DPO\"\napproved-on = \"{date}\"\n"),
        )?;
        let o = fairgate(&[
            "report",
            "--audit",
            s(&audit_path),
            "--context",
            s(&c),
            "--out",
            s(&d.join("rc")),
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{date}: {err}");
        assert!(
            err.contains(&format!("context{i}.toml")) && err.contains("approved-on"),
            "{err}"
        );
    }
    // An empty reference group is an error, not a pass.
    let o = fairgate(&[
        "gate",
        "--policy",
        s(&policy),
        "--data",
        s(&demo_data()),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "gender",
        "--threshold",
        "0.2",
        "--reference",
        "gender=unknown",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("has no rows"), "{}", stderr(&o));
    Ok(())
}

/// Feeds `head` then `mib` MiB of `filler` to `fairgate audit --data -` and returns the exit
/// code, standard error and how many bytes fairgate took before it stopped reading.
fn audit_stream(
    head: &[u8],
    filler: u8,
    mib: usize,
) -> std::io::Result<(Option<i32>, String, usize)> {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .args([
            "audit",
            "--data",
            "-",
            "--label",
            "y",
            "--score",
            "score",
            "--protected",
            "g",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| std::io::Error::other("no stdin"))?;
    let head = head.to_vec();
    let writer = std::thread::spawn(move || {
        let chunk = vec![filler; 1 << 20];
        let mut sent = 0;
        if stdin.write_all(&head).is_err() {
            return sent;
        }
        for _ in 0..mib {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
            sent += chunk.len();
        }
        sent
    });
    let o = child.wait_with_output()?;
    let sent = writer
        .join()
        .map_err(|_| std::io::Error::other("writer panicked"))?;
    Ok((o.status.code(), stderr(&o), sent))
}

#[test]
fn an_endless_record_is_refused_after_a_bounded_read() -> R {
    // An unterminated quote in the third line, then 100 MiB.
    let (code, err, sent) = audit_stream(b"y,score,g\n1,0.5,a\n0,\"0.3,", b'x', 100)?;
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("line 3: a record longer than") && err.contains("never closed"),
        "{err}"
    );
    assert!(sent < 40 << 20, "read {sent} bytes before refusing");
    // A header without a line end: 2 GiB offered.
    let (code, err, sent) = audit_stream(b"y,score,g", b'h', 2048)?;
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("line 1: a record longer than") && err.contains("no line end"),
        "{err}"
    );
    assert!(sent < 40 << 20, "read {sent} bytes before refusing");
    Ok(())
}

#[test]
fn too_many_groups_stop_the_audit_early_with_the_column_named() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    // 200,000 distinct values of a "protected" identifier, in a 2 GB address space.
    let mut csv = String::from("y,score,g,h\n");
    for i in 0..200_000 {
        csv.push_str(&format!("{},0.{:04},id{i},{}\n", i % 2, i % 10_000, i % 60));
    }
    let data = d.join("ids.csv");
    std::fs::write(&data, csv)?;
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 2000000; exec '{}' audit --data '{}' --label y --score score --protected g",
            env!("CARGO_BIN_EXE_fairgate"),
            s(&data)
        ))
        .output()?;
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ids.csv: g has") && err.contains("--max-groups 50"),
        "{err}"
    );
    // 60 values: refused by default, audited with the limit raised or off.
    let audit = |extra: &[&str]| {
        let base = [
            "audit",
            "--data",
            s(&data),
            "--label",
            "y",
            "--score",
            "score",
            "--protected",
            "h",
        ];
        fairgate(&[&base[..], extra].concat())
    };
    assert_eq!(audit(&[]).status.code(), Some(2));
    assert!(audit(&["--max-groups", "60"]).status.success());
    assert!(audit(&["--max-groups", "0"]).status.success());
    // An intersection is judged on the product of its columns' values.
    let small = d.join("small.csv");
    let mut csv = String::from("y,score,a,b\n");
    for i in 0..400 {
        csv.push_str(&format!("{},0.5,a{},b{}\n", i % 2, i % 8, i % 7));
    }
    std::fs::write(&small, csv)?;
    let base = [
        "audit",
        "--data",
        s(&small),
        "--label",
        "y",
        "--score",
        "score",
        "--protected",
        "a,b",
    ];
    assert!(fairgate(&base).status.success());
    let o = fairgate(&[&base[..], &["--intersect", "a,b"]].concat());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("a x b has 56 groups"), "{}", stderr(&o));
    Ok(())
}

#[test]
fn skipping_most_rows_is_an_error_that_says_what_was_rejected() -> R {
    let dir = tempfile::tempdir()?;
    // The demo's scores in percent: skipping the invalid rows would keep only the lowest.
    let text = std::fs::read_to_string(demo_data())?;
    let mut lines = text.lines();
    let header = lines.next().ok_or("no header")?;
    let at = header
        .split(',')
        .position(|c| c == "vendor_score")
        .ok_or("no score")?;
    let mut csv = format!("{header}\n");
    for line in lines {
        let mut f: Vec<String> = line.split(',').map(String::from).collect();
        let v: f64 = f[at].parse()?;
        f[at] = format!("{:.2}", v * 100.0);
        csv.push_str(&f.join(","));
        csv.push('\n');
    }
    let data = dir.path().join("percent.csv");
    std::fs::write(&data, csv)?;
    let args = [
        "audit",
        "--data",
        s(&data),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "gender",
        "--on-invalid",
        "skip",
    ];
    let o = fairgate(&args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("were rejected as invalid, more than --max-rejected 0.01"),
        "{err}"
    );
    assert!(
        err.contains("if the column holds percentages, divide it by 100"),
        "{err}"
    );
    assert!(err.contains("out_of_range in \"vendor_score\""), "{err}");
    // Allowed explicitly, the audit runs and reports what it left out.
    let o = fairgate(&[&args[..], &["--max-rejected", "1", "--format", "json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let audit: serde_json::Value = serde_json::from_slice(&o.stdout)?;
    assert!(audit["input"]["rows_rejected"].as_u64() > Some(10_000));
    Ok(())
}

#[test]
fn weighted_audits_do_not_depend_on_the_weights_scale() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let text = std::fs::read_to_string(demo_data())?;
    let with_weight = |name: &str, weight: &dyn Fn(usize) -> String| -> std::io::Result<PathBuf> {
        let mut csv = String::new();
        for (i, line) in text.lines().take(5001).enumerate() {
            csv.push_str(line);
            csv.push(',');
            csv.push_str(&if i == 0 { "w".to_string() } else { weight(i) });
            csv.push('\n');
        }
        let p = d.join(name);
        std::fs::write(&p, csv)?;
        Ok(p)
    };
    let audit = |data: &Path| -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        let o = fairgate(&[
            "audit",
            "--data",
            s(data),
            "--label",
            "converted",
            "--score",
            "vendor_score",
            "--weight",
            "w",
            "--protected",
            "gender,age_band",
            "--intersect",
            "gender,age_band",
            "--threshold",
            "0.3",
            "--format",
            "json",
        ]);
        if !o.status.success() {
            return Err(stderr(&o).into());
        }
        Ok(serde_json::from_slice(&o.stdout)?)
    };
    /// The audit without what legitimately differs: the file's name and hash, and the weight
    /// sums (in the weights' own unit: a group's weight, the score distribution's bins).
    fn scale_free(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => m
                .iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "weight" | "sha256" | "path" | "negatives" | "positives"
                    )
                })
                .map(|(k, v)| (k.clone(), scale_free(v)))
                .collect(),
            serde_json::Value::Array(a) => a.iter().map(scale_free).collect(),
            x => x.clone(),
        }
    }
    // Varied weights (1 to 3), then the same multiplied by huge and tiny powers of ten.
    let base = |i: usize| 1.0 + (i % 5) as f64 / 2.0;
    let unit = audit(&with_weight("w1.csv", &|i| format!("{}", base(i)))?)?;
    let mut nulls_without_reason = 0;
    fn count(v: &serde_json::Value, n: &mut usize) {
        match v {
            serde_json::Value::Object(m) => {
                if m.contains_key("undefined_reason")
                    && m["value"].is_null()
                    && m["undefined_reason"].is_null()
                {
                    *n += 1;
                }
                m.values().for_each(|x| count(x, n));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| count(x, n)),
            _ => {}
        }
    }
    for (name, exp) in [("big", 155), ("tiny", -170), ("huge", 300)] {
        let scaled = audit(&with_weight(&format!("{name}.csv"), &|i| {
            format!("{}e{exp}", base(i))
        })?)?;
        count(&scaled, &mut nulls_without_reason);
        // The same metrics to the last digit but for rounding in the weights' division.
        let (a, b) = (
            scale_free(&unit).to_string(),
            scale_free(&scaled).to_string(),
        );
        if a != b {
            let fa: Vec<f64> = numbers(&scale_free(&unit));
            let fb: Vec<f64> = numbers(&scale_free(&scaled));
            assert_eq!(fa.len(), fb.len(), "{name}: the audits differ in shape");
            for (x, y) in fa.iter().zip(&fb) {
                assert!(
                    (x - y).abs() <= 1e-12 * x.abs().max(1.0),
                    "{name}: {x} against {y}"
                );
            }
        }
        let report: fairgate::audit::AuditReport = serde_json::from_value(scaled)?;
        report.check()?;
    }
    assert_eq!(nulls_without_reason, 0);
    // Uniform weights of any size give the audit of weights 1, to rounding (the weights are
    // divided by a power of two, so 1e155 becomes 1.07..., not 1).
    let ones = audit(&with_weight("ones.csv", &|_| "1".into())?)?;
    let big = audit(&with_weight("big-ones.csv", &|_| "1e155".into())?)?;
    let (fa, fb) = (numbers(&scale_free(&ones)), numbers(&scale_free(&big)));
    assert_eq!(
        fa.len(),
        fb.len(),
        "uniform weights: the audits differ in shape"
    );
    for (x, y) in fa.iter().zip(&fb) {
        assert!(
            (x - y).abs() <= 1e-12 * x.abs().max(1.0),
            "uniform: {x} against {y}"
        );
    }
    // Weights further apart than floating point can hold are an error, not nulls.
    let o = fairgate(&[
        "audit",
        "--data",
        s(&with_weight("apart.csv", &|i| {
            if i == 1 {
                "1e-170".into()
            } else {
                "1e155".into()
            }
        })?),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--weight",
        "w",
        "--protected",
        "gender",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--weight"), "{}", stderr(&o));
    Ok(())
}

/// Every number in `v`, in document order.
fn numbers(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().into_iter().collect(),
        serde_json::Value::Array(a) => a.iter().flat_map(numbers).collect(),
        serde_json::Value::Object(m) => m.values().flat_map(numbers).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn links_and_pipes_planted_where_outputs_go_redirect_nothing() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let victim = d.join("victim");
    std::fs::write(&victim, "keep")?;
    // An output named through a link to a regular file: refused, the target kept.
    let shared = d.join("shared");
    std::fs::create_dir_all(&shared)?;
    std::os::unix::fs::symlink(&victim, shared.join("audit.json"))?;
    let o = demo_audit(&[
        "--protected",
        "gender",
        "--out",
        s(&shared.join("audit.json")),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    // A named pipe planted as a report page: refused at once, never opened (it would block).
    let rep = d.join("rep");
    std::fs::create_dir_all(&rep)?;
    assert!(std::process::Command::new("mkfifo")
        .arg(rep.join("dpia.md"))
        .status()?
        .success());
    let audit = root().join("reports/demo-audit.json");
    refused(
        &["report", "--audit", s(&audit), "--out", s(&rep)],
        &["dpia.md", "named pipe"],
    );
    // In a run's folder: a link at the record is replaced, not followed; a pipe at the lock
    // or a folder where an artifact goes stops the run before its first step.
    let p = pipeline(d, "p.toml", "")?;
    let run = d.join("run");
    std::fs::create_dir_all(&run)?;
    std::os::unix::fs::symlink(&victim, run.join(fairgate::output::INCOMPLETE_FILE))?;
    let o = fairgate(&["run", s(&p)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!run.join(fairgate::output::INCOMPLETE_FILE).exists());
    for (name, make) in [("other", "fifo"), ("third", "folder")] {
        let out = d.join(name);
        std::fs::create_dir_all(&out)?;
        if make == "fifo" {
            assert!(std::process::Command::new("mkfifo")
                .arg(out.join(fairgate::output::LOCK_FILE))
                .status()?
                .success());
        } else {
            std::fs::create_dir_all(out.join("gate.md"))?;
        }
        let o = fairgate(&["run", s(&p), "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("[1/"),
            "{name}: a step ran: {}",
            stderr(&o)
        );
        assert!(
            !out.join(fairgate::output::INCOMPLETE_FILE).exists(),
            "{name}"
        );
    }
    assert_eq!(std::fs::read_to_string(&victim)?, "keep");
    Ok(())
}

#[test]
fn standard_streams_are_written_through_and_standard_input_is_an_input() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    // `--out /dev/stdout >> log`: the log keeps its first line and gains the audit.
    let log = d.join("log.txt");
    std::fs::write(&log, "first line\n")?;
    let file = std::fs::OpenOptions::new().append(true).open(&log)?;
    let data = demo_data();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .args([
            "audit",
            "--data",
            s(&data),
            "--label",
            "converted",
            "--score",
            "vendor_score",
            "--protected",
            "gender",
            "--format",
            "json",
            "--out",
            "/dev/stdout",
        ])
        .stdout(file)
        .output()?;
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&log)?;
    assert!(
        text.starts_with("first line\n{"),
        "{}",
        &text[..text.len().min(80)]
    );
    // `--data - < y.csv --out y.csv`: refused, the file kept.
    let y = d.join("y.csv");
    std::fs::copy(&data, &y)?;
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .args([
            "audit",
            "--data",
            "-",
            "--label",
            "converted",
            "--score",
            "vendor_score",
            "--protected",
            "gender",
            "--out",
            s(&y),
        ])
        .stdin(std::fs::File::open(&y)?)
        .output()?;
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("standard input"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&y)?, std::fs::read(&data)?);
    Ok(())
}

#[test]
fn a_run_keeps_one_set_and_its_script_one_line_per_command() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    // A pipeline file whose name holds line ends: the script's comment stays one line.
    let odd = pipeline(d, "p\ntouch PWNED\n.toml", "")?;
    let o = fairgate(&["run", s(&odd)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let script = std::fs::read_to_string(d.join("run/commands.sh"))?;
    assert!(
        script
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("p\\ntouch PWNED")),
        "{script}"
    );
    // Run with a stand-in `fairgate` that does nothing: the script itself runs no other command.
    let bin = d.join("bin");
    std::fs::create_dir_all(&bin)?;
    std::fs::write(bin.join("fairgate"), "#!/bin/sh\nexit 0\n")?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("fairgate"), std::fs::Permissions::from_mode(0o755))?;
    let o = std::process::Command::new("sh")
        .arg(d.join("run/commands.sh"))
        .current_dir(d)
        .env("PATH", format!("{}:/usr/bin:/bin", s(&bin)))
        .output()?;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!d.join("PWNED").exists(), "{script}");
    // The same run without a gate: the gate's files of the first run are gone.
    let text = std::fs::read_to_string(&odd)?;
    let start = text.find("[gate]").ok_or("no gate")?;
    let end = text[start..].find("\n\n").map_or(text.len(), |e| start + e);
    let ungated = d.join("ungated.toml");
    std::fs::write(&ungated, format!("{}{}", &text[..start], &text[end..]))?;
    let o = fairgate(&["run", s(&ungated)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in ["gate.json", "gate.junit.xml", "gate.md"] {
        assert!(
            !d.join("run").join(name).exists(),
            "{name} of the earlier run is left"
        );
    }
    assert!(d.join("run/audit.json").is_file() && d.join("run/report/report.md").is_file());
    Ok(())
}

#[test]
fn a_gate_that_audited_the_data_itself_is_accepted_by_the_report() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let policy = root().join("datasets/policy-four-fifths.toml");
    let gate = d.join("g.json");
    let audit = d.join("a.json");
    let data = demo_data();
    let flags = [
        "--data",
        s(&data),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "gender",
    ];
    let o = fairgate(
        &[
            &["gate", "--policy", s(&policy), "--json", s(&gate)][..],
            &flags,
        ]
        .concat(),
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let o = fairgate(
        &[
            &["audit", "--format", "json", "--out", s(&audit)][..],
            &flags,
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = fairgate(&[
        "report",
        "--audit",
        s(&audit),
        "--gate",
        s(&gate),
        "--out",
        s(&d.join("r")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    Ok(())
}

#[test]
fn a_reference_of_weight_zero_is_refused_and_a_run_audits_values_as_spelled() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let text = std::fs::read_to_string(demo_data())?;
    let header = text.lines().next().ok_or("no header")?;
    let cols: Vec<&str> = header.split(',').collect();
    let at = |name: &str| cols.iter().position(|c| *c == name).ok_or("no column");
    let (gender, region) = (at("gender")?, at("region")?);
    // Weight 0 for every female row; a region spelled "-" (a formula-like value) for a fifth.
    let mut csv = format!("{header},w\n");
    for (i, line) in text.lines().skip(1).take(4000).enumerate() {
        let mut f: Vec<String> = line.split(',').map(String::from).collect();
        if i % 5 == 0 {
            f[region] = "-".into();
        }
        let w = if f[gender] == "female" { "0" } else { "1" };
        csv.push_str(&format!("{},{w}\n", f.join(",")));
    }
    let data = d.join("w.csv");
    std::fs::write(&data, csv)?;
    let o = fairgate(&[
        "audit",
        "--data",
        s(&data),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--weight",
        "w",
        "--protected",
        "gender",
        "--reference",
        "gender=female",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("weight 0"), "{}", stderr(&o));
    // A run scores and audits the "-" group as "-" (its scored.csv is read back by the audit).
    let p = d.join("p.toml");
    std::fs::write(
        &p,
        "[data]\npath = \"w.csv\"\nlabel = \"converted\"\nid = \"lead_id\"\nprotected = [\"gender\", \"region\"]\nexclude = [\"vendor_score\", \"w\", \"consent\", \"consent_timestamp\"]\n\n[train]\nseed = 1\n\n[audit]\nreference = { region = \"-\" }\n\n[run]\nout = \"run\"\n",
    )?;
    let o = fairgate(&["run", s(&p)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let audit: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("run/audit.json"))?)?;
    let regions = audit["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "region"))
        .ok_or("no region")?;
    assert_eq!(regions["reference_group"], "-");
    Ok(())
}

#[test]
fn a_run_removes_only_what_an_earlier_run_wrote_and_follows_no_folder_link() -> R {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    // Files with artifacts' names that no run wrote stay, even when this run does not write them.
    let run = d.join("run");
    std::fs::create_dir_all(&run)?;
    for name in ["model.json", "reasons.csv", "explain.json"] {
        std::fs::write(run.join(name), "mine")?;
    }
    let (_, first) = completed_run(d)?;
    for name in ["model.json", "reasons.csv", "explain.json"] {
        assert_eq!(std::fs::read_to_string(run.join(name))?, "mine", "{name}");
    }
    assert!(first.contains_key(Path::new(fairgate::output::MANIFEST_FILE)));
    // A link planted in place of the report folder: refused, its target untouched.
    let elsewhere = d.join("elsewhere");
    std::fs::create_dir_all(&elsewhere)?;
    std::fs::write(elsewhere.join("report.md"), "keep")?;
    std::fs::remove_dir_all(run.join("report"))?;
    std::os::unix::fs::symlink(&elsewhere, run.join("report"))?;
    let o = fairgate(&["run", s(&d.join("p.toml"))]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("report.md"))?,
        "keep"
    );
    assert_eq!(std::fs::read_dir(&elsewhere)?.count(), 1);
    // `out = "."`: the folder of the pipeline file itself.
    let here = d.join("here");
    std::fs::create_dir_all(&here)?;
    let text = std::fs::read_to_string(d.join("p.toml"))?.replace("out = \"run\"", "out = \".\"");
    std::fs::write(here.join("p.toml"), text)?;
    let o = fairgate(&["run", s(&here.join("p.toml"))]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(here.join("audit.json").is_file() && here.join("p.toml").is_file());
    Ok(())
}

#[test]
fn a_gate_must_have_judged_the_reported_audit_and_a_model_must_add_up() -> R {
    use serde_json::json;
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let policy = root().join("datasets/policy-four-fifths.toml");
    let data = demo_data();
    let flags = |threshold: &'static str| {
        vec![
            "--data",
            s(&data),
            "--label",
            "converted",
            "--score",
            "vendor_score",
            "--protected",
            "gender,age_band",
            "--threshold",
            threshold,
        ]
    };
    let audit = d.join("a.json");
    let o = fairgate(
        &[
            &["audit", "--format", "json", "--out", s(&audit)][..],
            &flags("0.2"),
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // A gate that audited the same data with other options judged another audit.
    let other = d.join("other.json");
    let o = fairgate(
        &[
            &["gate", "--policy", s(&policy), "--json", s(&other)][..],
            &flags("0"),
        ]
        .concat(),
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    refused(
        &[
            "report",
            "--audit",
            s(&audit),
            "--gate",
            s(&other),
            "--out",
            s(&d.join("r")),
        ],
        &["other.json", "judged an audit"],
    );
    // A model whose figures do not add up.
    let model: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(demo_model())?)?;
    let strict = root().join("datasets/policy-gdpr-strict.toml");
    for (name, edits, field) in [
        (
            "cv-mean",
            vec![
                ("/validation", json!(null)),
                ("/cross_validation/auc/mean", json!(0.95)),
            ],
            "cross_validation.auc.mean",
        ),
        (
            "cv-sd",
            vec![("/cross_validation/auc/sd", json!(-3.0))],
            "cross_validation.auc.sd",
        ),
        (
            "no-rows",
            vec![
                ("/validation/n", json!(0)),
                ("/validation/positives", json!(0)),
                ("/validation/auc", json!(0.99)),
            ],
            "validation.auc",
        ),
    ] {
        let p = forged(d, &format!("{name}.json"), &model, &edits)?;
        refused(
            &[
                "gate",
                "--policy",
                s(&strict),
                "--audit",
                s(&audit),
                "--model",
                s(&p),
            ],
            &[&format!("{name}.json"), field],
        );
    }
    Ok(())
}
