//! The binary end to end, as a user runs it: exit codes (0 ok, 2 usage or input error),
//! error text that names file, line and column, the generator and the demo's committed output.

use std::process::Command;

use crate::util::{demo_run, fairgate, root, stderr};

fn code(o: &std::process::Output) -> Option<i32> {
    o.status.code()
}

#[test]
fn version_and_help() {
    let o = fairgate(&["--version"]);
    assert_eq!(code(&o), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("fairgate {}", env!("CARGO_PKG_VERSION"))
    );
    let o = fairgate(&["--help"]);
    assert_eq!(code(&o), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    for cmd in ["datasets", "inspect", "Exit codes"] {
        assert!(help.contains(cmd), "help lacks {cmd}: {help}");
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--no-such-flag"][..],
        &["inspect", "--on-invalid", "ignore"],
        &["datasets", "generate", "--rows", "ten", "--out", "x.csv"],
        &["frobnicate"],
        // A format a command does not have is refused by the parser, before anything runs.
        &["inspect", "--format", "markdown"],
    ] {
        let o = fairgate(args);
        assert_eq!(code(&o), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("error: "), "{args:?}");
    }
}

#[test]
fn input_errors_exit_2_and_name_the_place() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let bad = dir.path().join("leads.csv");
    std::fs::write(&bad, "id,score,converted\na,0.5,1\nb,n/a,0\n")?;
    let bad_s = bad.to_string_lossy().into_owned();
    let o = fairgate(&[
        "inspect",
        "--data",
        &bad_s,
        "--score",
        "score",
        "--label",
        "converted",
    ]);
    assert_eq!(code(&o), Some(2));
    assert_eq!(
        stderr(&o).trim(),
        format!("fairgate: error: {bad_s}:3:2: column \"score\": expected a number in [0, 1], found \"n/a\"")
    );
    // Skipping instead: half the rows rejected is more than --max-rejected allows (1% by
    // default), with what was rejected said; allowed, exit 0 and the rejected row reported.
    let skip = [
        "inspect",
        "--data",
        &bad_s,
        "--score",
        "score",
        "--label",
        "converted",
        "--on-invalid",
        "skip",
    ];
    let o = fairgate(&skip);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 of 2 rows (50.0%) were rejected")
            && stderr(&o).contains("not_a_number in \"score\": 1 row (first at line 3)"),
        "{}",
        stderr(&o)
    );
    let o = fairgate(&[&skip[..], &["--max-rejected", "0.5"]].concat());
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("rows: 2 read, 1 used, 1 rejected"), "{out}");
    assert!(out.contains("not_a_number"), "{out}");

    let missing = dir.path().join("nope.csv").to_string_lossy().into_owned();
    let o = fairgate(&["inspect", "--data", &missing]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains(&format!("{missing}: cannot read")),
        "{}",
        stderr(&o)
    );

    let o = fairgate(&["inspect", "--label", "y"]);
    assert_eq!(code(&o), Some(2));
    assert!(stderr(&o).contains("pass --data FILE"), "{}", stderr(&o));

    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[data]\npath = \"leads.csv\"\nlabel = \"converted\"\nscroe = \"score\"\n",
    )?;
    let o = fairgate(&["inspect", "--config", &cfg.to_string_lossy()]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("c.toml:4:1: unknown field `scroe`"),
        "{}",
        stderr(&o)
    );

    let o = fairgate(&[
        "datasets",
        "generate",
        "--rows",
        "0",
        "--out",
        &dir.path().join("g.csv").to_string_lossy(),
    ]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("--rows: expected at least 1 row"),
        "{}",
        stderr(&o)
    );
    assert!(
        !dir.path().join("g.csv").exists(),
        "no output is left behind on error"
    );
    Ok(())
}

#[test]
fn config_paths_are_relative_to_the_config_and_flags_override_it(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("d.csv"), "y,s,t\n1,0.5,0.1\n0,0.2,0.3\n")?;
    std::fs::write(
        dir.path().join("c.toml"),
        "[data]\npath = \"d.csv\"\nlabel = \"y\"\nscore = \"s\"\n",
    )?;
    let cfg = dir.path().join("c.toml").to_string_lossy().into_owned();
    let run = |extra: &[&str]| {
        let mut args = vec!["inspect", "--config", &cfg, "--format", "json"];
        args.extend_from_slice(extra);
        let o = fairgate(&args);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap_or_default()
    };
    let v = run(&[]);
    assert_eq!(v["load"]["columns"][1]["name"], "s");
    let v = run(&["--score", "t"]);
    assert_eq!(v["load"]["columns"][1]["name"], "t");
    Ok(())
}

#[test]
fn generate_writes_what_the_library_generates() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("leads.csv");
    let o = fairgate(&[
        "datasets",
        "generate",
        "--rows",
        "300",
        "--seed",
        "5",
        "--with-truth",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let mut expected = Vec::new();
    let params = fairgate::data::synth::SynthParams {
        rows: 300,
        seed: 5,
        with_truth: true,
    };
    fairgate::data::synth::generate(&params.check()?, &mut expected)?;
    assert!(std::fs::read(&out)? == expected);
    Ok(())
}

#[test]
fn the_demo_command_reproduces_the_committed_report() -> Result<(), Box<dyn std::error::Error>> {
    // README's main command, written as JSON: the committed reports/demo-inspect.json must be
    // exactly what it produces today.
    let now = rerun_committed(
        &[
            "inspect",
            "--config",
            "datasets/demo.toml",
            "--all-columns",
            "--format",
            "json",
        ],
        "reports/demo-inspect.json",
    )?;
    let v: serde_json::Value = serde_json::from_str(&now)?;
    assert_eq!(v["load"]["rows_used"], 20_000);
    assert_eq!(v["load"]["rows_rejected"], 0);
    assert_eq!(v["duplicate_ids"], 0);
    Ok(())
}

#[test]
fn the_demo_audit_reproduces_the_committed_report() -> Result<(), Box<dyn std::error::Error>> {
    // README's main command, as JSON: reports/demo-audit.json must be what it produces today.
    let audit = [
        "audit",
        "--config",
        "datasets/demo.toml",
        "--threshold",
        "0.2",
    ];
    let md = rerun_committed(
        &[&audit[..], &["--format", "markdown"]].concat(),
        "reports/demo-audit.md",
    )?;
    assert!(md.contains("ethnicity (reference group: White)"), "{md}");
    let now = rerun_committed(
        &[&audit[..], &["--format", "json"]].concat(),
        "reports/demo-audit.json",
    )?;
    let v: serde_json::Value = serde_json::from_str(&now)?;
    assert_eq!(v["input"]["rows_used"], 20_000);
    let eth = v["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "ethnicity"));
    assert_eq!(
        eth.map(|e| &e["reference_group"]),
        Some(&serde_json::json!("White"))
    );
    Ok(())
}

#[test]
fn the_demo_training_reproduces_the_committed_model() -> Result<(), Box<dyn std::error::Error>> {
    // README's main command trains reports/demo-model.json; the same options give the same
    // bytes today.
    let dir = tempfile::tempdir()?;
    let out = dir.path().join("model.json");
    let o = Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .current_dir(root())
        .args(DEMO_TRAIN)
        .arg(&out)
        .output()?;
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let now = std::fs::read_to_string(&out)?;
    let committed = std::fs::read_to_string(root().join("reports/demo-model.json"))?;
    assert!(
        now == committed,
        "reports/demo-model.json is stale: rerun the README's report command"
    );
    let v: serde_json::Value = serde_json::from_str(&now)?;
    assert_eq!(v["data"]["file"], "datasets/leads_demo.csv");
    assert_eq!(v["cross_validation"]["folds"], 5);
    Ok(())
}

/// The README's training command, less the output file.
const DEMO_TRAIN: &[&str] = &[
    "train",
    "--config",
    "datasets/demo.toml",
    "--cv",
    "5",
    "--seed",
    "1",
    "--created",
    "2026-06-30",
    "--threshold",
    "0.2",
    "--out",
];

#[test]
fn audit_usage_and_input_errors_exit_2() {
    let demo = root()
        .join("datasets/demo.toml")
        .to_string_lossy()
        .into_owned();
    for (args, says) in [
        (
            vec!["audit", "--config", &demo, "--threshold", "1.5"],
            "--threshold: expected a number in [0, 1], found 1.5",
        ),
        (
            vec!["audit", "--config", &demo, "--confidence", "1"],
            "--confidence: expected a number strictly between 0 and 1",
        ),
        (
            vec!["audit", "--config", &demo, "--reference", "ethnicity"],
            "--reference: expected ATTRIBUTE=VALUE",
        ),
        (
            vec!["audit", "--config", &demo, "--score", "nope"],
            "no column named \"nope\"",
        ),
        // A reference group that is not in the data would silently leave out disparate
        // impact; the message lists the groups there are.
        (
            vec!["audit", "--config", &demo, "--reference", "ethnicity=Asain"],
            "--reference: expected a group of ethnicity (its groups: Asian; Black; Mixed; Other; White; unknown), found \"Asain\"",
        ),
    ] {
        let o = fairgate(&args);
        assert_eq!(code(&o), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let f = dir.path().join("s.csv");
    std::fs::write(&f, "score,g\n0.5,a\n").expect("write");
    let o = fairgate(&[
        "audit",
        "--data",
        &f.to_string_lossy(),
        "--score",
        "score",
        "--protected",
        "g",
    ]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("the audit needs a label column (--label)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn audit_with_an_explicit_reference_group() {
    let demo = root()
        .join("datasets/demo.toml")
        .to_string_lossy()
        .into_owned();
    let o = fairgate(&[
        "audit",
        "--config",
        &demo,
        "--threshold",
        "0.2",
        "--reference",
        "ethnicity=Asian",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let eth = v["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "ethnicity"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(eth["reference_group"], "Asian");
    let asian = eth["groups"]
        .as_array()
        .and_then(|g| g.iter().find(|x| x["group"] == "Asian"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(asian["metrics"]["disparate_impact"]["value"], 1.0);
}

#[test]
fn markdown_audit_escapes_names_and_renders_tables() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let f = dir.path().join("s.csv");
    let mut csv = String::from("y,score,g\n");
    for i in 0..80 {
        let g = if i % 2 == 0 {
            "a|b"
        } else {
            "<script>*x*</script>"
        };
        csv.push_str(&format!(
            "{},{:.2},\"{g}\"\n",
            i % 3 % 2,
            (i % 10) as f64 / 10.0
        ));
    }
    std::fs::write(&f, csv)?;
    let o = fairgate(&[
        "audit",
        "--data",
        &f.to_string_lossy(),
        "--label",
        "y",
        "--score",
        "score",
        "--protected",
        "g",
        "--format",
        "markdown",
    ]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let md = String::from_utf8(o.stdout)?;
    assert!(md.starts_with("# fairgate audit\n"), "{md}");
    assert!(md.contains("| a\\|b |"), "{md}");
    assert!(md.contains("\\<script\\>\\*x\\*\\</script\\>"), "{md}");
    assert!(!md.contains("<script>"), "{md}");
    // Every table row has the header's number of cells.
    for table in md.split("\n\n").filter(|b| b.starts_with("| group")) {
        let widths: Vec<usize> = table
            .lines()
            .map(|l| l.matches('|').count() - l.matches("\\|").count())
            .collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{table}");
    }
    Ok(())
}

/// Runs the binary from the project root and requires its output to equal the committed file
/// `path` (the README says how to regenerate it); returns the output.
fn rerun_committed(args: &[&str], path: &str) -> Result<String, Box<dyn std::error::Error>> {
    let o = Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .current_dir(root())
        .args(args)
        .output()?;
    assert_eq!(code(&o), Some(0), "{args:?}: {}", stderr(&o));
    let now = String::from_utf8(o.stdout)?;
    let committed = std::fs::read_to_string(root().join(path))?;
    assert!(
        now == committed,
        "{path} is stale: rerun the README's report command"
    );
    Ok(now)
}

/// The JSON's `options` record everything that shapes the numbers: the columns audited by
/// role, the binning, and the bootstrap's replicates and seed, besides threshold, group size,
/// confidence and references; an audit written before those were recorded still reads.
#[test]
fn audit_json_records_its_options() -> Result<(), Box<dyn std::error::Error>> {
    let demo = root()
        .join("datasets/demo.toml")
        .to_string_lossy()
        .into_owned();
    let audit = |format: &str| {
        fairgate(&[
            "audit",
            "--config",
            &demo,
            "--bins",
            "quantile:4",
            "--bootstrap",
            "3",
            "--seed",
            "5",
            "--format",
            format,
        ])
    };
    let o = audit("json");
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)?;
    let opts = &v["options"];
    assert_eq!(opts["columns"]["label"], "converted");
    assert_eq!(opts["columns"]["score"], "vendor_score");
    assert!(opts["columns"]["weight"].is_null());
    assert_eq!(
        opts["bins"],
        serde_json::json!({"strategy": "quantile", "bins": 4})
    );
    assert_eq!(
        (&opts["bootstrap"], &opts["seed"]),
        (&serde_json::json!(3), &serde_json::json!(5))
    );
    let mut old = v.clone();
    for k in ["columns", "bins", "bootstrap", "seed"] {
        old["options"].as_object_mut().ok_or("options")?.remove(k);
    }
    let read: fairgate::audit::AuditReport = serde_json::from_value(old)?;
    assert_eq!(read.options.bins, fairgate::audit::Binning::default());
    assert_eq!(read.options.bootstrap, 0);
    // The readable formats state them too.
    let md = String::from_utf8(audit("markdown").stdout)?;
    assert!(
        md.contains("4 quantile calibration bins, 3 bootstrap replicates (seed 5)"),
        "{md}"
    );
    Ok(())
}

/// `fairgate ... | head`: a reader that stops early closes the pipe, which is not an error
/// (exit 0, nothing on stderr), for every command that streams CSV to standard output.
#[test]
fn a_closed_pipe_is_not_an_error() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Read;
    use std::process::Stdio;
    let model = root().join("reports/demo-model.json");
    let data = root().join("datasets/leads_demo.csv");
    let (model, data) = (model.to_string_lossy(), data.to_string_lossy());
    for args in [
        vec![
            "datasets", "generate", "--rows", "300000", "--seed", "1", "--out", "-",
        ],
        vec!["score", "--model", &model, "--data", &data, "--out", "-"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fairgate"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut first = [0u8; 100];
        child
            .stdout
            .take()
            .ok_or("no stdout")?
            .read_exact(&mut first)?;
        // The pipe is closed here, long before the command has written everything.
        let o = child.wait_with_output()?;
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
    Ok(())
}

#[test]
fn the_format_follows_the_out_files_extension_and_a_contradiction_is_refused(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let data = root().join("datasets/leads_demo.csv");
    let data = data.to_string_lossy();
    let audit = |extra: &[&str]| {
        let mut a = vec![
            "audit",
            "--data",
            &data,
            "--label",
            "converted",
            "--score",
            "vendor_score",
            "--protected",
            "gender",
            "--threshold",
            "0.2",
        ];
        a.extend_from_slice(extra);
        fairgate(&a)
    };
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    // No --format: the extension decides, case aside.
    let (json, md, txt) = (p("a.json"), p("a.MD"), p("a.txt"));
    for out in [&json, &md, &txt] {
        let o = audit(&["--out", out]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    }
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    assert_eq!(v["schema_version"], 1);
    assert!(std::fs::read_to_string(&md)?.starts_with("# fairgate audit"));
    // The table: what --format table writes to standard output.
    let table = audit(&["--format", "table"]);
    assert_eq!(std::fs::read(&txt)?, table.stdout);
    // An extension fairgate does not know keeps the default (the table), and any --format.
    let other = p("a.out");
    assert_eq!(code(&audit(&["--out", &other])), Some(0));
    assert_eq!(std::fs::read(&other)?, table.stdout);
    assert_eq!(
        code(&audit(&["--format", "json", "--out", &other])),
        Some(0)
    );
    assert_eq!(
        std::fs::read_to_string(&other)?,
        std::fs::read_to_string(&json)?
    );
    // A --format the extension contradicts: refused before anything is written.
    for (format, out, names) in [
        ("table", p("b.json"), "json"),
        ("json", p("b.md"), "markdown"),
        ("markdown", p("b.txt"), "table"),
    ] {
        let o = audit(&["--format", format, "--out", &out]);
        assert_eq!(code(&o), Some(2), "{format} {out}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("--format {format} does not match --out"))
                && err.contains(&format!("give --format {names}")),
            "{err}"
        );
        assert!(!std::path::Path::new(&out).exists(), "{out} written");
    }
    // Commands with fewer formats: inspect has no Markdown, subject writes json or text.
    let o = fairgate(&["inspect", "--data", &data, "--out", &p("i.md")]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("writes table or json"),
        "{}",
        stderr(&o)
    );
    let o = fairgate(&["inspect", "--data", &data, "--out", &p("i.json")]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p("i.json"))?)?;
    assert!(v.is_object());
    Ok(())
}

#[test]
fn completions_and_man_pages_come_from_the_command_definitions(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = fairgate(&["completions", shell]);
        assert_eq!(code(&o), Some(0), "{shell}: {}", stderr(&o));
        let script = String::from_utf8(o.stdout)?;
        // Every command and a command's own flag are offered.
        for word in ["audit", "mitigate", "bootstrap", "min-group-size"] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
        if shell == "bash" {
            let path = dir.path().join("fairgate.bash");
            std::fs::write(&path, &script)?;
            let ok = Command::new("bash").arg("-n").arg(&path).status()?;
            assert!(ok.success(), "bash -n refuses the completion script");
        }
    }
    assert_eq!(code(&fairgate(&["completions", "tcsh"])), Some(2));
    // The main page lists the commands; a command's page has its options.
    let page = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
        let o = fairgate(args);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        let roff = String::from_utf8(o.stdout)?;
        assert!(
            roff.starts_with(".ie \\n(.g .ds Aq") || roff.contains("\n.TH "),
            "roff"
        );
        let path = dir.path().join("page.1");
        std::fs::write(&path, &roff)?;
        // Rendered as a user would read it, where man is installed.
        match Command::new("man")
            .env("MANWIDTH", "100")
            .args(["-l", "-P", "cat"])
            .arg(&path)
            .output()
        {
            Ok(o) => {
                assert!(o.status.success(), "man -l: {}", stderr(&o));
                Ok(String::from_utf8_lossy(&o.stdout).into_owned())
            }
            Err(_) => Ok(roff),
        }
    };
    let main = page(&["man"])?;
    assert!(main.contains("fairgate-audit(1)") && main.contains("fairgate-mitigate(1)"));
    let audit = page(&["man", "audit"])?;
    assert!(audit.contains("--min-group-size") && audit.contains("fairgate audit"));
    let out = dir.path().join("fairgate.1");
    let o = fairgate(&["man", "--out", &out.to_string_lossy()]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out)?, fairgate(&["man"]).stdout);
    let o = fairgate(&["man", "nosuch"]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("no command \"nosuch\""),
        "{}",
        stderr(&o)
    );
    Ok(())
}

/// The audit's terminal table for the demo data, written with `COLUMNS` set to `width` (and
/// `extra` flags).
fn demo_table(width: &str, extra: &[&str]) -> std::process::Output {
    let config = root().join("datasets/demo.toml");
    let config = config.to_string_lossy();
    let mut args = vec![
        "audit",
        "--config",
        &config,
        "--threshold",
        "0.2",
        "--intersect",
        "gender,age_band",
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .args(&args)
        .env("COLUMNS", width)
        .output()
        .expect("the fairgate binary runs")
}

#[test]
fn the_default_audit_table_fits_the_terminal_and_wide_shows_every_column(
) -> Result<(), Box<dyn std::error::Error>> {
    for width in [100usize, 80] {
        let o = demo_table(&width.to_string(), &[]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        let text = String::from_utf8(o.stdout)?;
        let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            longest <= width,
            "a line of {longest} characters at {width}:\n{text}"
        );
        // Every attribute's table, each group's row, the flagged impact ratio and the test.
        for word in [
            "gender (reference group",
            "region",
            "18-24",
            "4/5",
            "p (Holm)",
        ] {
            assert!(text.contains(word), "{word} missing at {width}:\n{text}");
        }
        // The empty `unknown` groups are counted in the titles, not printed as rows.
        assert!(text.contains("gender (reference group: female; 1 empty group not shown)"));
        assert!(!text.contains("empty segment"), "{text}");
        assert!(!text.contains("ECE"), "the compact table has no ECE column");
    }
    // --wide: every column, the rates' intervals, lines as long as they need.
    let o = demo_table("100", &["--wide"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let wide = String::from_utf8(o.stdout)?;
    assert!(wide.contains("ECE") && wide.contains("base rate"));
    assert!(wide.lines().any(|l| l.chars().count() > 100));
    // The rates' point values are the same in both.
    let narrow = String::from_utf8(demo_table("100", &[]).stdout)?;
    for v in ["0.351", "0.534", "0.316"] {
        assert!(narrow.contains(v) && wide.contains(v), "{v}");
    }
    // JSON and Markdown do not depend on the width; a file's table is 100 wide whatever
    // COLUMNS says.
    let json = |w: &str| demo_table(w, &["--format", "json"]).stdout;
    assert_eq!(json("60"), json("300"));
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("a.txt");
    let file_arg = file.to_string_lossy().into_owned();
    assert_eq!(code(&demo_table("60", &["--out", &file_arg])), Some(0));
    assert_eq!(std::fs::read(&file)?, demo_table("100", &[]).stdout);
    Ok(())
}

#[test]
fn progress_bars_only_on_a_terminal_and_never_with_quiet() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let data = root().join("datasets/leads_demo.csv");
    let out = dir.path().join("a.json");
    let args = |quiet: bool| {
        let mut a = vec![
            env!("CARGO_BIN_EXE_fairgate").to_string(),
            "audit".into(),
            "--data".into(),
            data.to_string_lossy().into_owned(),
            "--label".into(),
            "converted".into(),
            "--score".into(),
            "vendor_score".into(),
            "--protected".into(),
            "gender".into(),
            "--bootstrap".into(),
            "400".into(),
            "--out".into(),
            out.to_string_lossy().into_owned(),
        ];
        if quiet {
            a.push("--quiet".into());
        }
        a
    };
    // Not a terminal (a pipe): nothing on standard error.
    let piped = Command::new(&args(false)[0])
        .args(&args(false)[1..])
        .output()?;
    assert_eq!(code(&piped), Some(0), "{}", stderr(&piped));
    assert_eq!(stderr(&piped), "");
    let result = std::fs::read(&out)?;
    // On a terminal (util-linux's `script` gives the command one): a bar, the same result.
    let on_terminal = |quiet: bool| -> Option<String> {
        let line = args(quiet)
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ");
        let o = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .output()
            .ok()?;
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let Some(shown) = on_terminal(false) else {
        eprintln!("skipped: util-linux's `script` is not available to give a terminal");
        return Ok(());
    };
    assert!(shown.contains("bootstrap replicates"), "{shown:?}");
    assert!(shown.contains("/400"), "{shown:?}");
    assert_eq!(std::fs::read(&out)?, result);
    let quiet = on_terminal(true).ok_or("the --quiet run failed under script")?;
    assert!(!quiet.contains("bootstrap"), "--quiet drew: {quiet:?}");
    assert_eq!(std::fs::read(&out)?, result);
    Ok(())
}

#[test]
fn nested_commands_have_man_pages_and_unused_data_flags_are_refused(
) -> Result<(), Box<dyn std::error::Error>> {
    let o = fairgate(&["man", "mitigate", "threshold"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let roff = String::from_utf8(o.stdout)?;
    assert!(roff.contains("fairgate\\-mitigate\\-threshold") && roff.contains("max\\-evaluations"));
    let o = fairgate(&["man", "mitigate", "nosuch"]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("the commands of fairgate mitigate: reweigh, threshold"),
        "{}",
        stderr(&o)
    );
    assert_eq!(code(&fairgate(&["man", "audit", "deeper"])), Some(2));
    assert_eq!(code(&fairgate(&["man", "help"])), Some(2));
    // gate runs an audit but prints its own table: --wide is refused there too.
    let o = fairgate(&[
        "gate",
        "--policy",
        "four-fifths",
        "--audit",
        "x.json",
        "--wide",
    ]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("gate does not use --wide"),
        "{}",
        stderr(&o)
    );
    // A data flag audit does not use is an error (exit 2), not silently ignored.
    let o = fairgate(&["audit", "--data", "x.csv", "--features", "a"]);
    assert_eq!(code(&o), Some(2));
    assert!(
        stderr(&o).contains("does not use --features"),
        "{}",
        stderr(&o)
    );
    // Every --help ends with examples.
    for cmd in [
        &["audit"][..],
        &["mitigate", "threshold"],
        &["datasets", "generate"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let o = fairgate(&args);
        assert_eq!(code(&o), Some(0));
        let help = String::from_utf8(o.stdout)?;
        assert!(help.contains("Examples:\n  fairgate "), "{cmd:?}: {help}");
    }
    Ok(())
}

/// The commands below `path` (`fairgate` itself: the top-level ones), read from its `--help`
/// as a user sees them, clap's `help` aside.
fn commands_in_help(path: &[String]) -> Result<Vec<Vec<String>>, Box<dyn std::error::Error>> {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let help = String::from_utf8(fairgate(&args).stdout)?;
    let mut out = Vec::new();
    let mut listing = false;
    for line in help.lines() {
        if line == "Commands:" {
            listing = true;
            continue;
        }
        if listing {
            match line
                .strip_prefix("  ")
                .and_then(|l| l.split_whitespace().next())
            {
                Some("help") => {}
                Some(name) if !line.starts_with("   ") => {
                    let mut p = path.to_vec();
                    p.push(name.to_string());
                    out.push(p);
                }
                _ if line.is_empty() => listing = false,
                _ => {}
            }
        }
    }
    Ok(out)
}

#[test]
fn every_help_example_runs_on_the_demo_data() -> Result<(), Box<dyn std::error::Error>> {
    // A folder as a newcomer has it: the repository's datasets/, their leads as leads.csv,
    // and the files earlier steps of the README would have written.
    let dir = tempfile::tempdir()?;
    let ws = dir.path();
    std::fs::create_dir(ws.join("datasets"))?;
    for e in std::fs::read_dir(root().join("datasets"))? {
        let p = e?.path();
        if let Some(name) = p.file_name() {
            std::fs::copy(&p, ws.join("datasets").join(name))?;
        }
    }
    for name in ["leads.csv", "new_leads.csv"] {
        std::fs::copy(root().join("datasets/leads_demo.csv"), ws.join(name))?;
    }
    let bin = env!("CARGO_BIN_EXE_fairgate");
    let run = |args: &[&str]| -> Result<std::process::Output, std::io::Error> {
        Command::new(bin).current_dir(ws).args(args).output()
    };
    for setup in [
        &[
            "train",
            "--config",
            "datasets/demo.toml",
            "--threshold",
            "0.2",
            "--out",
            "model.json",
        ][..],
        &[
            "score",
            "--model",
            "model.json",
            "--data",
            "leads.csv",
            "--out",
            "scored.csv",
        ],
        &[
            "stats",
            "--data",
            "scored.csv",
            "--label",
            "converted",
            "--score",
            "score",
            "--protected",
            "gender,age_band",
            "--out",
            "part1.stats.csv",
        ],
        &[
            "stats",
            "--data",
            "scored.csv",
            "--label",
            "converted",
            "--score",
            "score",
            "--protected",
            "gender,age_band",
            "--out",
            "part2.stats.csv",
        ],
        &[
            "audit",
            "--config",
            "datasets/demo.toml",
            "--out",
            "audit.json",
        ],
        &[
            "audit",
            "--config",
            "datasets/demo.toml",
            "--out",
            "audit-2026q1.json",
        ],
        &[
            "audit",
            "--config",
            "datasets/demo.toml",
            "--threshold",
            "0.2",
            "--out",
            "audit-2026q2.json",
        ],
        &[
            "explain",
            "--model",
            "model.json",
            "--data",
            "leads.csv",
            "--out",
            "explain.json",
        ],
        &["report", "--audit", "audit.json", "--out", "evidence"],
    ] {
        let o = run(setup)?;
        assert_eq!(code(&o), Some(0), "setup {setup:?}: {}", stderr(&o));
    }
    // Every command's examples, found as a user finds them: in its --help.
    let mut todo = vec![Vec::new()];
    let mut ran = 0;
    while let Some(path) = todo.pop() {
        todo.extend(commands_in_help(&path)?);
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = String::from_utf8(fairgate(&args).stdout)?;
        let Some((_, examples)) = help.split_once("Examples:\n") else {
            // A group of commands (`datasets`) has its examples in its commands' help.
            assert!(
                help.contains("\nCommands:\n"),
                "{path:?}: no examples in --help"
            );
            continue;
        };
        for line in examples
            .lines()
            .map(str::trim)
            .take_while(|l| !l.is_empty())
        {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words.first(), Some(&"fairgate"), "{path:?}: {line}");
            ran += 1;
            // The README's main command: run once per test process and checked there.
            if words == ["fairgate", "run", "datasets/demo.toml"] {
                demo_run()?;
                continue;
            }
            let o = run(&words[1..])?;
            // 0, or 1 where a gate fails on the demo's injected bias; never a usage or
            // input error.
            assert!(
                matches!(code(&o), Some(0 | 1)),
                "{line}: exit {:?}: {}",
                code(&o),
                stderr(&o)
            );
        }
    }
    assert!(ran >= 40, "{ran} examples");
    Ok(())
}

#[test]
fn every_table_on_a_100_column_terminal_fits_it() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let data = root().join("datasets/leads_demo.csv");
    let data = data.to_string_lossy();
    let config = root().join("datasets/demo.toml");
    let config = config.to_string_lossy();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let scored = [
        "--data",
        &data,
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "age_band",
    ];
    let (a1, a2) = (p("a1.json"), p("a2.json"));
    for (out, threshold) in [(&a1, "0.5"), (&a2, "0.2")] {
        let mut args = vec!["audit", "--threshold", threshold, "--out", out];
        args.extend_from_slice(&scored);
        assert_eq!(code(&fairgate(&args)), Some(0));
    }
    let model = root().join("reports/demo-model.json");
    let model = model.to_string_lossy();
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["inspect", "--config", &config, "--all-columns"],
        vec!["explain", "--model", &model, "--data", &data],
        vec!["compare", &a1, &a2],
        vec!["gate", "--policy", "gdpr-strict", "--audit", &a2],
        vec![
            "mitigate",
            "reweigh",
            "--data",
            &data,
            "--label",
            "converted",
            "--protected",
            "age_band",
            "--by",
            "age_band",
        ],
    ];
    for method in [
        &["mitigate", "threshold"][..],
        &["mitigate", "group-thresholds", "--by", "age_band"],
    ] {
        let mut args = method.to_vec();
        args.extend_from_slice(&scored);
        cases.push(args);
    }
    for args in cases {
        let o = Command::new(env!("CARGO_BIN_EXE_fairgate"))
            .args(&args)
            .env("COLUMNS", "100")
            .output()?;
        assert!(matches!(code(&o), Some(0 | 1)), "{args:?}: {}", stderr(&o));
        let text = String::from_utf8(o.stdout)?;
        assert!(text.lines().count() > 3, "{args:?}: {text}");
        let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(
            longest <= 100,
            "{args:?}: a line of {longest} characters:\n{text}"
        );
    }
    Ok(())
}
