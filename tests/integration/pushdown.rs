//! Audits from statistics: `fairgate stats` then `fairgate audit --from-stats` gives the JSON
//! the audit of the rows gives (apart from `input`), for scores, decisions, weights, missing
//! protected values and rejected rows; shards' statistics added together equal the whole;
//! malformed statistics files are refused naming the line and column.

use std::path::Path;

use crate::util::{fairgate, root, stderr};

/// The audit JSON without its `input` section.
fn without_input(path: &Path) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    let input = v
        .as_object_mut()
        .and_then(|o| o.remove("input"))
        .ok_or("no input section")?;
    // The rejections as (reason, column, rows), in one order whatever the input's.
    let mut rejected: Vec<String> = input["rejected"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| format!("{} {} {}", x["reason"], x["column"], x["rows"]))
                .collect()
        })
        .unwrap_or_default();
    rejected.sort();
    Ok(serde_json::json!({"audit": v, "rows_used": input["rows_used"], "rejected": rejected}))
}

fn run(args: &[&str]) -> Result<(), Box<dyn std::error::Error>> {
    let o = fairgate(args);
    if o.status.code() != Some(0) {
        return Err(format!("{args:?}: {}", stderr(&o)).into());
    }
    Ok(())
}

/// Audits `data` with `flags` directly and through `fairgate stats` (whole, and split into
/// `shards` files by lines), and checks the audits agree, rejected rows included.
fn assert_same_audit(
    dir: &Path,
    data: &str,
    flags: &[&str],
    audit_flags: &[&str],
    shards: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let csv = dir.join("data.csv");
    std::fs::write(&csv, data)?;
    let csv_s = csv.to_string_lossy().to_string();
    let direct = dir.join("direct.json");
    let mut args = vec!["audit", "--data", &csv_s, "--format", "json", "--out"];
    let direct_s = direct.to_string_lossy().to_string();
    args.push(&direct_s);
    args.extend(flags);
    args.extend(audit_flags);
    run(&args)?;
    let expected = without_input(&direct)?;
    // Split into shards by lines, each with the header.
    let mut lines = data.lines();
    let header = lines.next().ok_or("empty data")?;
    let body: Vec<&str> = lines.collect();
    let per = body.len().div_ceil(shards.max(1)).max(1);
    let mut stats_files = Vec::new();
    for (k, chunk) in body.chunks(per).enumerate() {
        let shard = dir.join(format!("shard{k}.csv"));
        std::fs::write(&shard, format!("{header}\n{}\n", chunk.join("\n")))?;
        let out = dir.join(format!("shard{k}.stats.csv"));
        let (shard_s, out_s) = (
            shard.to_string_lossy().to_string(),
            out.to_string_lossy().to_string(),
        );
        let mut args = vec!["stats", "--data", &shard_s, "--out", &out_s];
        args.extend(flags);
        run(&args)?;
        stats_files.push(out_s);
    }
    let pushed = dir.join("pushed.json");
    let pushed_s = pushed.to_string_lossy().to_string();
    let mut args = vec![
        "audit",
        "--format",
        "json",
        "--out",
        &pushed_s,
        "--on-invalid",
        "skip",
        "--max-rejected",
        "1",
        "--from-stats",
    ];
    args.extend(stats_files.iter().map(String::as_str));
    args.extend(audit_flags);
    run(&args)?;
    assert_eq!(
        without_input(&pushed)?,
        expected,
        "{flags:?} {audit_flags:?}, {shards} shards"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&pushed)?)?;
    assert_eq!(
        v["input"]["statistics"].as_array().map(Vec::len),
        Some(stats_files.len())
    );
    Ok(())
}

#[test]
fn statistics_audits_equal_row_audits_whole_and_in_shards() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let demo = std::fs::read_to_string(root().join("datasets/leads_demo.csv"))?;
    let demo_flags = [
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "gender,age_band,ethnicity,region",
    ];
    for shards in [1, 3] {
        assert_same_audit(
            dir.path(),
            &demo,
            &demo_flags,
            &[
                "--threshold",
                "0.2",
                "--intersect",
                "gender,age_band",
                "--bins",
                "quantile:10",
            ],
            shards,
        )?;
    }
    // Decisions and scores, integer weights (the first one 3), missing protected values,
    // and rows the audit rejects: a score of 1.5, a missing label, a negative weight.
    let mut data = String::from("y,s,d,g,h,w\n");
    for i in 0..3000u32 {
        let g = ["a", "b", "", "c"][(i % 4) as usize];
        let h = ["x", "y", "unknown"][(i % 3) as usize];
        let s = f64::from((i * 7919) % 1000) / 1000.0;
        let y = u32::from((i * 31) % 7 < 3);
        let d = u32::from(s > 0.4 && i % 5 != 0);
        let w = 3 - i % 3;
        data.push_str(&format!("{y},{s},{d},{g},{h},{w}\n"));
    }
    data.push_str("1,1.5,1,a,x,1\n,0.3,0,b,y,1\n0,0.2,0,a,x,-1\n");
    let base = ["--label", "y", "--protected", "g,h", "--on-invalid", "skip"];
    for extra in [
        vec!["--score", "s"],
        vec!["--prediction", "d"],
        vec!["--score", "s", "--prediction", "d"],
        vec!["--score", "s", "--weight", "w"],
        vec!["--prediction", "d", "--weight", "w"],
    ] {
        let flags: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        for shards in [1, 4] {
            assert_same_audit(
                dir.path(),
                &data,
                &flags,
                &["--min-group-size", "20"],
                shards,
            )?;
        }
    }
    Ok(())
}

#[test]
fn malformed_statistics_files_are_refused_with_their_line() -> Result<(), Box<dyn std::error::Error>>
{
    let dir = tempfile::tempdir()?;
    let good = "kind,name,column,rows,weight,weight2,label,score,prediction,g1\n\
                version,1,,,,,,,,\n\
                role,label,y,,,,,,,\n\
                role,score,s,,,,,,,\n\
                role,protected,g,1,,,,,,\n\
                cell,,,5,,,1,0.5,,a\n\
                cell,,,7,,,0,0.25,,b\n";
    let path = dir.path().join("s.csv");
    let p = path.to_string_lossy().to_string();
    std::fs::write(&path, good)?;
    let ok = fairgate(&["audit", "--from-stats", &p, "--format", "json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    for (bad, says) in [
        (
            good.replace("version,1", "version,2"),
            ":2:2: statistics version 2; this fairgate reads version 1",
        ),
        (
            good.replace("cell,,,7,,,0,0.25", "cell,,,7,,,0,1.5"),
            ":7:8: expected a score in [0, 1], found \"1.5\"",
        ),
        (
            good.replace("cell,,,7,", "cell,,,seven,"),
            ":7:4: expected a count of rows (1 to 2^53), found \"seven\"",
        ),
        (
            good.replace("cell,,,7,", "cell,,,0,"),
            ":7:4: expected a count of rows (1 to 2^53), found \"0\"",
        ),
        (
            good.replace("cell,,,7,", "cell,,,18446744073709551615,"),
            ":7:4: expected a count of rows",
        ),
        (
            good.replace("cell,,,5,,,1", "cell,,,5,,,2"),
            ":6:7: expected 0 or 1 in \"label\", found \"2\"",
        ),
        (
            good.replace("role,label,y", "role,lable,y"),
            ":3:2: expected a role",
        ),
        (
            good.replace("role,score,s,,,,,,,\n", ""),
            "no score or prediction role",
        ),
        (good.replace("cell,,,7", "cel,,,7"), ":7:1: expected a kind"),
        (good.replace("version,1,,,,,,,,\n", ""), "no version line"),
        (good.replace(",g1\n", ",group\n"), "no column g1"),
        (
            "not,a,stats,file\n1,2,3,4\n".to_string(),
            ":1: expected a statistics file",
        ),
    ] {
        std::fs::write(&path, &bad)?;
        let o = fairgate(&["audit", "--from-stats", &p, "--format", "json"]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains(says), "{says}: {}", stderr(&o));
    }
    // The bootstrap needs rows; a data file and statistics together are a usage error.
    std::fs::write(&path, good)?;
    for args in [
        vec!["audit", "--from-stats", &p, "--bootstrap", "10"],
        vec!["audit", "--from-stats", &p, "--data", &p],
    ] {
        let o = fairgate(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    }
    // Counts that add up past 2^53 (each line within it) are refused, never wrapped.
    let big = good
        .replace("cell,,,5,", "cell,,,9007199254740992,")
        .replace("cell,,,7,", "cell,,,9007199254740992,");
    std::fs::write(&path, big)?;
    let o = fairgate(&["audit", "--from-stats", &p]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at most 2^53 rows"), "{}", stderr(&o));
    std::fs::write(&path, good)?;
    // Shards of other columns do not add up.
    let other = dir.path().join("o.csv");
    std::fs::write(&other, good.replace("role,label,y", "role,label,z"))?;
    let o = fairgate(&["audit", "--from-stats", &p, &other.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("other columns than the first file"),
        "{}",
        stderr(&o)
    );
    // Rejected rows follow a data file's rules: an error by default, counted with
    // --on-invalid skip up to --max-rejected.
    std::fs::write(&path, format!("{good}rejected,out_of_range,s,1,,,,,,\n"))?;
    for (args, code, says) in [
        (
            vec![],
            2,
            "1 of 13 rows are invalid (out_of_range in \"s\": 1 row)",
        ),
        (
            vec!["--on-invalid", "skip"],
            2,
            "more than --max-rejected 0.01 allows",
        ),
        (vec!["--on-invalid", "skip", "--max-rejected", "0.1"], 0, ""),
        (
            vec!["--on-invalid", "skip", "--max-rejected", "2"],
            2,
            "--max-rejected",
        ),
    ] {
        let mut a = vec!["audit", "--from-stats", &p];
        a.extend(args.iter().copied());
        let o = fairgate(&a);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{says}: {}", stderr(&o));
    }
    // The group bound covers intersections (the product of their columns' values), as for a
    // data file.
    let mut many = String::from(
        "kind,name,column,rows,weight,weight2,label,score,prediction,g1,g2\n\
         version,1,,,,,,,,,\nrole,label,y,,,,,,,,\nrole,score,s,,,,,,,,\n\
         role,protected,a,1,,,,,,,\nrole,protected,b,2,,,,,,,\n",
    );
    for i in 0..8 {
        many.push_str(&format!("cell,,,1,,,{},0.5,,a{i},b{i}\n", i % 2));
    }
    std::fs::write(&path, many)?;
    let o = fairgate(&["audit", "--from-stats", &p, "--max-groups", "10"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = fairgate(&[
        "audit",
        "--from-stats",
        &p,
        "--max-groups",
        "10",
        "--intersect",
        "a,b",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("64 (8 x 8)"), "{}", stderr(&o));
    Ok(())
}

/// The test server's password.
const PASSWORD: &str = "s3cret-Pa55";

/// A PostgreSQL server for one test: `initdb` into a temporary folder, listening on
/// 127.0.0.1 only, as `nobody` when the tests run as root (PostgreSQL refuses root); stopped
/// when dropped.
struct Postgres {
    bin: std::path::PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_nobody: bool,
}

impl Postgres {
    /// Starts a server, or `None` (saying why) when PostgreSQL is not installed; with
    /// FAIRGATE_REQUIRE_POSTGRES set (CI), a server that cannot start fails the test.
    fn start() -> Result<Option<Postgres>, Box<dyn std::error::Error>> {
        // Debian's versioned folder first (it has every program), then the PATH.
        let mut versioned: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin"))
            .collect();
        versioned.sort();
        versioned.reverse();
        let found = versioned
            .into_iter()
            .chain(
                std::env::var_os("PATH")
                    .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
                    .unwrap_or_default(),
            )
            .find(|d| {
                ["pg_ctl", "initdb", "psql"]
                    .iter()
                    .all(|p| d.join(p).is_file())
            });
        let Some(bin) = found else {
            if std::env::var_os("FAIRGATE_REQUIRE_POSTGRES").is_some() {
                return Err("PostgreSQL (initdb, pg_ctl) not found".into());
            }
            eprintln!("skipped: PostgreSQL is not installed (Debian: apt-get install postgresql)");
            return Ok(None);
        };
        let dir = tempfile::tempdir()?;
        let as_nobody = std::process::Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        if as_nobody {
            let ok = std::process::Command::new("chown")
                .args(["nobody", &dir.path().to_string_lossy()])
                .status()?
                .success();
            if !ok {
                return Err("cannot give the temporary folder to nobody".into());
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let pg = Postgres {
            bin,
            dir,
            port,
            as_nobody,
        };
        let data = pg.dir.path().join("data");
        let pwfile = pg.dir.path().join("pw");
        std::fs::write(&pwfile, format!("{PASSWORD}\n"))?;
        if as_nobody {
            std::process::Command::new("chown")
                .args(["nobody", &pwfile.to_string_lossy()])
                .status()?;
        }
        pg.run(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "-U",
                "fairgate",
                "--auth=scram-sha-256",
                "--pwfile",
                &pwfile.to_string_lossy(),
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        )?;
        let opts = format!(
            "-h 127.0.0.1 -p {} -k {} -c fsync=off",
            pg.port,
            pg.dir.path().display()
        );
        let log = pg.dir.path().join("server.log");
        pg.run(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-o",
                &opts,
                "-l",
                &log.to_string_lossy(),
                "-w",
                "start",
            ],
        )?;
        Ok(Some(pg))
    }

    /// Runs a PostgreSQL program (as nobody when root).
    fn run(&self, program: &str, args: &[&str]) -> Result<(), Box<dyn std::error::Error>> {
        let exe = self.bin.join(program);
        let o = if self.as_nobody {
            std::process::Command::new("runuser")
                .args(["-u", "nobody", "--"])
                .arg(&exe)
                .args(args)
                .output()?
        } else {
            std::process::Command::new(&exe).args(args).output()?
        };
        if !o.status.success() {
            return Err(format!("{program}: {}", String::from_utf8_lossy(&o.stderr)).into());
        }
        Ok(())
    }

    /// Runs SQL with psql, standard input from `input`; returns standard output.
    fn psql(&self, sql: &str, input: Option<&Path>) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let mut cmd = std::process::Command::new(self.bin.join("psql"));
        cmd.args([
            "-X",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "fairgate",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ]);
        cmd.env("PGPASSWORD", PASSWORD);
        if let Some(p) = input {
            cmd.stdin(std::fs::File::open(p)?);
        }
        let o = cmd.output()?;
        if !o.status.success() {
            return Err(format!("psql: {}", String::from_utf8_lossy(&o.stderr)).into());
        }
        Ok(o.stdout)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self.run(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-m", "immediate", "stop"],
        );
    }
}

/// The statistics query run by a real PostgreSQL gives the audit of the same rows read from
/// CSV, byte for byte apart from `input`, and the same rejected rows by reason: on the demo
/// leads loaded as text and with typed columns (integer label, double score), and on rows with
/// scores, decisions, weights, missing and `unknown` groups, rejected values (a score of 1.5,
/// a missing label, a negative weight, `n/a` as a score) and a hostile column name.
#[test]
fn postgres_statistics_equal_the_csv_audit() -> Result<(), Box<dyn std::error::Error>> {
    let Some(pg) = Postgres::start()? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let csv_audit = |data: &Path,
                     flags: &[&str],
                     audit_flags: &[&str]|
     -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        let out = dir.path().join("direct.json");
        let (d, o) = (
            data.to_string_lossy().to_string(),
            out.to_string_lossy().to_string(),
        );
        let mut args = vec![
            "audit",
            "--data",
            &d,
            "--format",
            "json",
            "--out",
            &o,
            "--on-invalid",
            "skip",
            "--max-rejected",
            "1",
        ];
        args.extend(flags);
        args.extend(audit_flags);
        run(&args)?;
        without_input(&out)
    };
    let pushed_audit = |table: &str,
                        flags: &[&str],
                        audit_flags: &[&str]|
     -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        let mut args = vec!["sql", "--dialect", "postgres", "--table", table];
        args.extend(flags);
        let o = fairgate(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let query = String::from_utf8(o.stdout)?;
        let stats = pg.psql(
            &format!("COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)"),
            None,
        )?;
        let path = dir.path().join("pg.stats.csv");
        std::fs::write(&path, stats)?;
        let out = dir.path().join("pushed.json");
        let (p, o) = (
            path.to_string_lossy().to_string(),
            out.to_string_lossy().to_string(),
        );
        let mut args = vec![
            "audit",
            "--from-stats",
            &p,
            "--format",
            "json",
            "--out",
            &o,
            "--on-invalid",
            "skip",
            "--max-rejected",
            "1",
        ];
        args.extend(audit_flags);
        run(&args)?;
        without_input(&out)
    };
    let load =
        |table: &str, csv: &Path, columns: &[&str]| -> Result<(), Box<dyn std::error::Error>> {
            let cols: Vec<String> = columns
                .iter()
                .map(|c| format!("\"{}\" text", c.replace('"', "\"\"")))
                .collect();
            pg.psql(&format!("CREATE TABLE {table} ({})", cols.join(", ")), None)?;
            pg.psql(
                &format!("COPY {table} FROM STDIN WITH (FORMAT csv, HEADER)"),
                Some(csv),
            )?;
            Ok(())
        };
    // The demo leads, as text and typed.
    let demo = root().join("datasets/leads_demo.csv");
    let header = std::fs::read_to_string(&demo)?
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let columns: Vec<&str> = header.split(',').collect();
    load("leads", &demo, &columns)?;
    pg.psql(
        "CREATE TABLE leads_typed AS SELECT CAST(converted AS integer) AS converted, \
         CAST(vendor_score AS double precision) AS vendor_score, gender, age_band, ethnicity, region FROM leads",
        None,
    )?;
    let flags = demo_flags_for_direct();
    let audit_flags = ["--threshold", "0.2", "--intersect", "gender,age_band"];
    let expected = csv_audit(&demo, &flags, &audit_flags)?;
    for table in ["leads", "leads_typed"] {
        assert_eq!(
            pushed_audit(table, &flags, &audit_flags)?,
            expected,
            "{table}"
        );
    }
    // Scores, decisions, weights, missing groups, rejected rows, a hostile column name.
    let data = awkward_rows();
    let path = dir.path().join("rows.csv");
    std::fs::write(&path, &data)?;
    load("t", &path, &["y", "s", "d", "g", HOSTILE, "w"])?;
    let protected = format!("g,{HOSTILE}");
    for extra in [
        vec!["--score", "s"],
        vec!["--prediction", "d"],
        vec!["--score", "s", "--prediction", "d", "--weight", "w"],
    ] {
        let mut flags = vec!["--label", "y", "--protected", &protected];
        flags.extend(extra.iter().copied());
        let expected = csv_audit(&path, &flags, &["--min-group-size", "20"])?;
        assert_eq!(
            pushed_audit("t", &flags, &["--min-group-size", "20"])?,
            expected,
            "{extra:?}"
        );
    }
    // A label of two words, the positive one given.
    let words = with_word_labels(&data);
    let words_path = dir.path().join("words.csv");
    std::fs::write(&words_path, &words)?;
    load("words", &words_path, &["y", "s", "d", "g", HOSTILE, "w"])?;
    let flags = [
        "--label",
        "y",
        "--positive",
        "won",
        "--protected",
        &protected,
        "--score",
        "s",
    ];
    assert_eq!(
        pushed_audit("words", &flags, &[])?,
        csv_audit(&words_path, &flags, &[])?,
        "--positive"
    );
    // The same through `audit --postgres`: the query runs on the server, aggregates come back.
    let url = format!("postgresql://fairgate@127.0.0.1:{}/postgres", pg.port);
    let direct = |url: &str, args: &[&str], env_password: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"));
        cmd.args(["audit", "--postgres", url]).args(args);
        if env_password {
            cmd.env("PGPASSWORD", PASSWORD);
        } else {
            cmd.env_remove("PGPASSWORD");
        }
        cmd.output()
    };
    let out = dir.path().join("direct-pg.json");
    let out_s = out.to_string_lossy().to_string();
    let mut args = vec![
        "--table",
        "leads_typed",
        "--format",
        "json",
        "--out",
        &out_s,
    ];
    args.extend(demo_flags_for_direct());
    args.extend(audit_flags);
    let o = direct(&url, &args, true)?;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(without_input(&out)?, expected);
    let text = std::fs::read_to_string(&out)?;
    assert!(
        text.contains("postgresql://fairgate@127.0.0.1:"),
        "the server is named"
    );
    assert!(!text.contains(PASSWORD), "the password is never written");
    // The password from the URL, from a file; the rows table with its rejections.
    let pw = dir.path().join("password.txt");
    std::fs::write(&pw, format!("{PASSWORD}\n"))?;
    let pw_s = pw.to_string_lossy().to_string();
    let with_password = format!(
        "postgresql://fairgate:{PASSWORD}@127.0.0.1:{}/postgres",
        pg.port
    );
    for (url, extra) in [
        (with_password.as_str(), vec![]),
        (url.as_str(), vec!["--password-file", pw_s.as_str()]),
    ] {
        let mut args = vec![
            "--table",
            "t",
            "--format",
            "json",
            "--out",
            &out_s,
            "--label",
            "y",
            "--protected",
            &protected,
            "--score",
            "s",
            "--on-invalid",
            "skip",
            "--max-rejected",
            "1",
            "--min-group-size",
            "20",
        ];
        args.extend(extra);
        let o = direct(url, &args, false)?;
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let flags = ["--label", "y", "--protected", &protected, "--score", "s"];
        assert_eq!(
            without_input(&out)?,
            csv_audit(&path, &flags, &["--min-group-size", "20"])?
        );
        assert!(!std::fs::read_to_string(&out)?.contains(PASSWORD));
    }
    // A table whose score and weight are native numbers (double precision, integer) with NaN,
    // Infinity, out-of-range and missing values: checked as numbers on the server, the same
    // reasons and audit as the CSV.
    let typed_data: String = awkward_rows()
        .lines()
        .filter(|l| !l.contains("n/a"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + "1,Infinity,1,a,x,1\n0,-0.5,0,b,y,2\n1,,1,c,x,1\n";
    let typed_path = dir.path().join("typed.csv");
    std::fs::write(&typed_path, &typed_data)?;
    pg.psql(
        &format!(
            "CREATE TABLE typed (y text, s double precision, d text, g text, \"{}\" text, w integer)",
            HOSTILE.replace('"', "\"\"")
        ),
        None,
    )?;
    pg.psql(
        "COPY typed FROM STDIN WITH (FORMAT csv, HEADER)",
        Some(&typed_path),
    )?;
    let mut args = vec![
        "--table",
        "typed",
        "--format",
        "json",
        "--out",
        &out_s,
        "--label",
        "y",
        "--protected",
        &protected,
        "--score",
        "s",
        "--weight",
        "w",
        "--prediction",
        "d",
        "--on-invalid",
        "skip",
        "--max-rejected",
        "1",
    ];
    let o = direct(&url, &args, true)?;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let typed = without_input(&out)?;
    args.drain(..6);
    let flags: Vec<&str> = args[..10].to_vec();
    assert_eq!(typed, csv_audit(&typed_path, &flags, &[])?);
    let reasons = typed["rejected"].to_string();
    for want in [
        "not_finite",
        "out_of_range",
        "missing_value",
        "bad_label",
        "not_a_boolean",
    ] {
        assert!(reasons.contains(want), "{want}: {reasons}");
    }
    // --filter: only the rows of one value, the others left out (not rejected).
    let args = [
        "--table",
        "t",
        "--format",
        "json",
        "--out",
        &out_s,
        "--label",
        "y",
        "--protected",
        &protected,
        "--score",
        "s",
        "--on-invalid",
        "skip",
        "--max-rejected",
        "1",
        "--filter",
        "g=a",
    ];
    let o = direct(&url, &args, true)?;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let filtered = without_input(&out)?;
    let flags = [
        "--label",
        "y",
        "--protected",
        &protected,
        "--score",
        "s",
        "--filter",
        "g=a",
    ];
    assert_eq!(filtered, csv_audit(&path, &flags, &[])?);
    // About a quarter of the rows (group a), not all of them.
    let used = filtered["rows_used"].as_u64().unwrap_or(0);
    assert!((700..800).contains(&used), "{used} rows of group a");
    // Errors: exit 2, a clear message, never the password.
    let wrong = format!(
        "postgresql://fairgate:Wr0ngPass@127.0.0.1:{}/postgres",
        pg.port
    );
    let unreachable = "postgresql://fairgate:Wr0ngPass@127.0.0.1:1/postgres".to_string();
    let base = ["--label", "y", "--protected", "g", "--score", "s"];
    for (url, table, env, says) in [
        (&wrong, "t", false, "password authentication failed"),
        (
            &unreachable,
            "t",
            false,
            "cannot connect to postgresql://fairgate@127.0.0.1:1/postgres",
        ),
        (&url, "nope", true, "relation \"nope\" does not exist"),
        (&url, "t", true, "rows are invalid (bad_label in \"y\""),
    ] {
        let mut args = vec!["--table", table];
        args.extend(base);
        let o = direct(url, &args, env)?;
        assert_eq!(o.status.code(), Some(2), "{url} {table}");
        let err = stderr(&o);
        assert!(err.contains(says), "{says}: {err}");
        assert!(
            !err.contains("Wr0ngPass") && !err.contains(PASSWORD),
            "{err}"
        );
    }
    // A column of the wrong kind (text where the score should be): every row invalid.
    let o = direct(
        &url,
        &[
            "--table",
            "t",
            "--label",
            "y",
            "--protected",
            "s",
            "--score",
            "g",
            "--on-invalid",
            "skip",
        ],
        true,
    )?;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not_a_number in \"g\""),
        "{}",
        stderr(&o)
    );
    // The hostile name was quoted, not executed: the table is still there.
    assert_eq!(
        pg.psql("SELECT COUNT(*) FROM t", None)?,
        b" count \n-------\n  3007\n(1 row)\n\n"
    );
    Ok(())
}

/// The demo's roles.
fn demo_flags_for_direct() -> [&'static str; 6] {
    [
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "gender,age_band,ethnicity,region",
    ]
}

/// A column name that would end a quoted identifier and run SQL if it were not quoted.
const HOSTILE: &str = "x\"; DROP TABLE t; --";

/// 3,007 rows: labels as 1/0/yes/FALSE, 3-decimal scores, decisions, integer weights, groups
/// with missing values and `unknown`, a protected column named [`HOSTILE`] with a padded value,
/// and rows every audit rejects (a score of 1.5, `n/a` and `NaN`, a missing label, `maybe`, a
/// negative weight, a decision of 2).
fn awkward_rows() -> String {
    let mut data = format!("y,s,d,g,\"{}\",w\n", HOSTILE.replace('"', "\"\""));
    for i in 0..3000u32 {
        let g = ["a", "b", "", "c"][(i % 4) as usize];
        let h = ["x", "y", "unknown", " z "][(i % 4 + i % 3) as usize % 4];
        let s = f64::from((i * 7919) % 1000) / 1000.0;
        let y = ["1", "0", "yes", "FALSE"][((i * 31) % 7 % 4) as usize];
        let d = u32::from(s > 0.4 && i % 5 != 0);
        let w = 3 - i % 3;
        data.push_str(&format!("{y},{s},{d},{g},{h},{w}\n"));
    }
    data.push_str("1,1.5,1,a,x,1\n,0.3,0,b,y,1\n0,0.2,0,a,x,-1\n1,n/a,1,a,x,1\n1,NaN,1,a,x,1\nmaybe,0.2,1,a,x,1\n1,0.2,2,a,x,1\n");
    data
}

/// The same rows with the labels as words (`won` for the positive ones).
fn with_word_labels(data: &str) -> String {
    data.lines()
        .enumerate()
        .map(|(i, l)| match (i, l.split_once(',')) {
            (0, _) => format!("{l}\n"),
            (_, Some((y, rest))) => {
                let word = if ["1", "yes"].contains(&y) {
                    "won"
                } else if y.is_empty() {
                    ""
                } else {
                    "lost"
                };
                format!("{word},{rest}\n")
            }
            _ => String::new(),
        })
        .collect()
}

/// The Python of the virtual environment `.ci/run` makes in ~/.cache/fairgate/spark-venv
/// (or FAIRGATE_SPARK_PYTHON) when it can import `module`; `None` (saying so) when there is
/// none, unless the variable `require` is set (CI), when that is an error.
pub fn venv_python(
    module: &str,
    require: &str,
) -> Result<Option<std::path::PathBuf>, Box<dyn std::error::Error>> {
    let candidate = std::env::var_os("FAIRGATE_SPARK_PYTHON")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| std::path::PathBuf::from(h).join(".cache/fairgate/spark-venv/bin/python"))
        });
    let works = candidate.as_ref().is_some_and(|p| {
        std::process::Command::new(p)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    match (works, std::env::var_os(require)) {
        (true, _) => Ok(candidate),
        (false, Some(_)) => Err(format!(
            "Python module {module} not found (FAIRGATE_SPARK_PYTHON or ~/.cache/fairgate/spark-venv)"
        )
        .into()),
        (false, None) => {
            eprintln!("skipped: no {module} (see .ci/run for the virtual environment it makes)");
            Ok(None)
        }
    }
}

/// The tables an engine test loads (view name, CSV file) and the audits it runs on them:
/// the demo leads, and the awkward rows with scores, decisions, weights, rejections, a
/// hostile column name and word labels.
struct EngineCases {
    /// (view name, CSV path) to load into the engine.
    tables: Vec<(&'static str, String)>,
    /// (view, its CSV, roles, audit options).
    cases: Vec<(&'static str, String, Vec<String>, Vec<&'static str>)>,
}

impl EngineCases {
    fn new(dir: &Path) -> Result<Self, Box<dyn std::error::Error>> {
        let path = |name: &str| dir.join(name).to_string_lossy().to_string();
        std::fs::write(path("rows.csv"), awkward_rows())?;
        std::fs::write(path("words.csv"), with_word_labels(&awkward_rows()))?;
        let demo = root()
            .join("datasets/leads_demo.csv")
            .to_string_lossy()
            .to_string();
        let owned = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let rows = |extra: &[&str]| {
            let mut f = owned(&["--label", "y", "--protected", &format!("g,{HOSTILE}")]);
            f.extend(owned(extra));
            f
        };
        let mut words = rows(&["--score", "s"]);
        words.splice(2..2, owned(&["--positive", "won"]));
        Ok(EngineCases {
            tables: vec![
                ("leads", demo.clone()),
                ("t", path("rows.csv")),
                ("words", path("words.csv")),
            ],
            cases: vec![
                (
                    "leads",
                    demo,
                    owned(&demo_flags_for_direct()),
                    vec!["--threshold", "0.2", "--intersect", "gender,age_band"],
                ),
                (
                    "t",
                    path("rows.csv"),
                    rows(&["--score", "s"]),
                    vec!["--min-group-size", "20"],
                ),
                (
                    "t",
                    path("rows.csv"),
                    rows(&["--prediction", "d", "--weight", "w"]),
                    vec![],
                ),
                ("words", path("words.csv"), words, vec![]),
            ],
        })
    }

    /// Writes case i's query for `dialect` to DIR/q{i}.sql and returns its path.
    fn write_queries(
        &self,
        dir: &Path,
        dialect: &str,
    ) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let mut paths = Vec::new();
        for (i, (view, _, flags, _)) in self.cases.iter().enumerate() {
            let mut sql = vec!["sql", "--dialect", dialect, "--table", view];
            sql.extend(flags.iter().map(String::as_str));
            let o = fairgate(&sql);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            let q = dir.join(format!("q{i}.sql")).to_string_lossy().to_string();
            std::fs::write(&q, &o.stdout)?;
            paths.push(q);
        }
        Ok(paths)
    }

    /// Checks that the audit of each case's statistics files (`stats(i)`) equals the audit
    /// of its CSV, byte for byte apart from `input`.
    fn check(
        &self,
        dir: &Path,
        stats: impl Fn(usize) -> Vec<String>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let path = |name: &str| dir.join(name).to_string_lossy().to_string();
        for (i, (_, csv, flags, audit_flags)) in self.cases.iter().enumerate() {
            let direct = path("direct.json");
            let mut a = vec![
                "audit",
                "--data",
                csv,
                "--format",
                "json",
                "--out",
                &direct,
                "--on-invalid",
                "skip",
                "--max-rejected",
                "1",
            ];
            a.extend(flags.iter().map(String::as_str));
            a.extend(audit_flags.iter().copied());
            run(&a)?;
            for stats in stats(i) {
                let pushed = path("pushed.json");
                let mut a = vec![
                    "audit",
                    "--from-stats",
                    &stats,
                    "--format",
                    "json",
                    "--out",
                    &pushed,
                    "--on-invalid",
                    "skip",
                    "--max-rejected",
                    "1",
                ];
                a.extend(audit_flags.iter().copied());
                run(&a)?;
                assert_eq!(
                    without_input(Path::new(&pushed))?,
                    without_input(Path::new(&direct))?,
                    "case {i}: {flags:?} from {stats}"
                );
            }
        }
        Ok(())
    }
}

/// The statistics query run by a real local Spark (PySpark 3.5, one session for every case,
/// through the shipped docs/spark/fairgate_stats.py) gives the audit of the same rows read
/// from CSV, byte for byte apart from `input`, from its CSV and from the folder of Parquet
/// parts Spark writes, for every [`EngineCases`] case.
#[test]
fn spark_statistics_equal_the_csv_audit() -> Result<(), Box<dyn std::error::Error>> {
    let Some(python) = venv_python("pyspark", "FAIRGATE_REQUIRE_SPARK")? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let cases = EngineCases::new(dir.path())?;
    let mut args: Vec<String> = vec![
        root()
            .join("docs/spark/fairgate_stats.py")
            .to_string_lossy()
            .to_string(),
        "--parquet".into(),
    ];
    for (view, csv) in &cases.tables {
        args.push("--input".into());
        args.push(format!("{view}={csv}"));
    }
    for (i, q) in cases.write_queries(dir.path(), "spark")?.iter().enumerate() {
        args.push("--run".into());
        args.push(format!(
            "{q}={}",
            dir.path().join(format!("s{i}.csv")).display()
        ));
    }
    let o = std::process::Command::new(&python).args(&args).output()?;
    assert!(
        o.status.success(),
        "spark: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The statistics as CSV, and as the folder of Parquet parts Spark wrote.
    cases.check(dir.path(), |i| {
        let csv = dir
            .path()
            .join(format!("s{i}.csv"))
            .to_string_lossy()
            .to_string();
        vec![csv.clone(), format!("{csv}.parquet")]
    })
}

/// The DuckDB query (`fairgate sql --dialect duckdb`) run by a real DuckDB (PyPI's duckdb,
/// in the same virtual environment, through tests/pushdown/duckdb_stats.py) as its
/// documentation says, `COPY (query) TO` a CSV file and a Parquet file, gives the audit of the same rows read from CSV, byte for byte apart
/// from `input`, for every [`EngineCases`] case; the CSV files are loaded as DuckDB reads
/// text (`read_csv(..., all_varchar = true)`).
#[test]
fn duckdb_statistics_equal_the_csv_audit() -> Result<(), Box<dyn std::error::Error>> {
    let Some(python) = venv_python("duckdb", "FAIRGATE_REQUIRE_DUCKDB")? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let cases = EngineCases::new(dir.path())?;
    let queries = cases.write_queries(dir.path(), "duckdb")?;
    let mut args: Vec<String> = vec![
        root()
            .join("tests/pushdown/duckdb_stats.py")
            .to_string_lossy()
            .to_string(),
        cases.tables.len().to_string(),
    ];
    for (view, csv) in &cases.tables {
        args.push(format!("{view}={csv}"));
    }
    for (i, q) in queries.iter().enumerate() {
        args.push(format!(
            "{q}={}",
            dir.path().join(format!("s{i}")).display()
        ));
    }
    let o = std::process::Command::new(&python).args(&args).output()?;
    assert!(
        o.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    cases.check(dir.path(), |i| {
        let base = dir
            .path()
            .join(format!("s{i}"))
            .to_string_lossy()
            .to_string();
        vec![format!("{base}.csv"), format!("{base}.parquet")]
    })
}

/// A table on PostgreSQL named the ways a libpq user names it: a service in a service file
/// with the password in a password file (`PGSERVICEFILE`, `PGPASSFILE`), and `postgres` in a
/// config file's [data], read by `audit`, `stats` and `sql`, and by a pipeline whose outputs
/// equal the same pipeline's on the CSV, with the password written nowhere. Commands that
/// need the rows refuse, saying why.
#[test]
fn postgres_from_a_service_file_a_config_and_a_pipeline() -> Result<(), Box<dyn std::error::Error>>
{
    let Some(pg) = Postgres::start()? else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let at = |name: &str| dir.path().join(name);
    let demo = root().join("datasets/leads_demo.csv");
    let header = std::fs::read_to_string(&demo)?
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let cols: Vec<String> = header.split(',').map(|c| format!("\"{c}\" text")).collect();
    pg.psql(&format!("CREATE TABLE leads ({})", cols.join(", ")), None)?;
    pg.psql(
        "COPY leads FROM STDIN WITH (FORMAT csv, HEADER)",
        Some(&demo),
    )?;
    std::fs::write(
        at("services.conf"),
        format!(
            "# fairgate's test server\n[audit-db]\nhost=127.0.0.1\nport={}\ndbname=postgres\nuser=fairgate\nsslmode=disable\n",
            pg.port
        ),
    )?;
    std::fs::write(
        at("pgpass"),
        format!("127.0.0.1:{}:postgres:fairgate:{PASSWORD}\n", pg.port),
    )?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(at("pgpass"), std::fs::Permissions::from_mode(0o600))?;
    }
    let home = at("home");
    std::fs::create_dir(&home)?;
    let fairgate_env = |args: &[&str]| -> std::io::Result<std::process::Output> {
        std::process::Command::new(env!("CARGO_BIN_EXE_fairgate"))
            .args(args)
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE")
            .env("HOME", &home)
            .env("PGSERVICEFILE", at("services.conf"))
            .env("PGPASSFILE", at("pgpass"))
            .output()
    };
    let s = |p: &Path| p.to_string_lossy().to_string();
    let roles = demo_flags_for_direct();
    let options = ["--threshold", "0.2", "--intersect", "gender,age_band"];
    // The CSV's audit: what every way of reaching the table must give.
    let mut args = vec!["audit", "--data"];
    let demo_s = s(&demo);
    let csv_out = s(&at("csv.json"));
    args.extend([demo_s.as_str(), "--format", "json", "--out", &csv_out]);
    args.extend(roles);
    args.extend(options);
    run(&args)?;
    let expected = without_input(&at("csv.json"))?;
    // --postgres service=NAME: host, port, database and user from the service file, the
    // password from the password file.
    let out = s(&at("pg.json"));
    let mut args = vec![
        "audit",
        "--postgres",
        "service=audit-db",
        "--table",
        "leads",
    ];
    args.extend(["--format", "json", "--out", &out]);
    args.extend(roles);
    args.extend(options);
    let o = fairgate_env(&args)?;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(without_input(&at("pg.json"))?, expected);
    let text = std::fs::read_to_string(at("pg.json"))?;
    assert!(
        text.contains("127.0.0.1") && !text.contains(PASSWORD),
        "{text}"
    );
    // [data] postgres in a config file, for audit, stats and sql.
    let protected = roles[5]
        .split(',')
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let data_table = format!(
        "[data]\npostgres = \"service=audit-db\"\ntable = \"leads\"\nlabel = \"converted\"\nscore = \"vendor_score\"\nprotected = [{protected}]\n"
    );
    std::fs::write(at("audit.toml"), &data_table)?;
    let config = s(&at("audit.toml"));
    let mut args = vec![
        "audit", "--config", &config, "--format", "json", "--out", &out,
    ];
    args.extend(options);
    let o = fairgate_env(&args)?;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(without_input(&at("pg.json"))?, expected);
    let stats = s(&at("pg.stats.csv"));
    let o = fairgate_env(&["stats", "--config", &config, "--out", &stats])?;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut args = vec![
        "audit",
        "--from-stats",
        &stats,
        "--format",
        "json",
        "--out",
        &out,
    ];
    args.extend(options);
    run(&args)?;
    assert_eq!(without_input(&at("pg.json"))?, expected);
    let o = fairgate_env(&["sql", "--config", &config, "--dialect", "postgres"])?;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8(o.stdout)?.contains("FROM \"leads\""));
    // Commands that read the rows say that the data is on a server.
    let o = fairgate_env(&["train", "--config", &config, "--out", &s(&at("m.json"))])?;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("only `fairgate audit` and `fairgate stats` compute on the server"),
        "{}",
        stderr(&o)
    );
    // A pipeline on the table (the password in the URL this time) and the same pipeline on
    // the CSV: the same audit, gate and exit code; the password in no output.
    let datasets = root().join("datasets");
    let rest = format!(
        "[audit]\nthreshold = 0.2\nintersect = [[\"gender\", \"age_band\"]]\n[report]\ncontext = \"{}\"\n[gate]\npolicy = \"{}\"\n[run]\ncreated = \"2026-06-30\"\n",
        s(&datasets.join("context.toml")),
        s(&datasets.join("policy-four-fifths.toml"))
    );
    let url = format!(
        "postgresql://fairgate:{PASSWORD}@127.0.0.1:{}/postgres?sslmode=disable",
        pg.port
    );
    let on_server = data_table.replace("service=audit-db", &url);
    let on_file = data_table.replace(
        "postgres = \"service=audit-db\"\ntable = \"leads\"\n",
        &format!("path = \"{demo_s}\"\n"),
    );
    let mut codes = Vec::new();
    for (name, data) in [("server", on_server), ("file", on_file)] {
        let out_dir = at(&format!("run-{name}"));
        let pipeline = at(&format!("{name}.toml"));
        std::fs::write(
            &pipeline,
            format!("{data}{rest}out = \"{}\"\n", s(&out_dir)),
        )?;
        let o = fairgate_env(&["run", &s(&pipeline)])?;
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{name}: {}",
            stderr(&o)
        );
        codes.push(o.status.code());
        for entry in std::fs::read_dir(&out_dir)? {
            let path = entry?.path();
            if path.is_file() {
                let bytes = std::fs::read(&path)?;
                let text = String::from_utf8_lossy(&bytes);
                assert!(!text.contains(PASSWORD), "{}", path.display());
            }
        }
    }
    assert_eq!(codes[0], codes[1]);
    assert_eq!(
        without_input(&at("run-server/audit.json"))?,
        without_input(&at("run-file/audit.json"))?
    );
    let gate = |name: &str| -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(at(&format!("run-{name}/gate.json")))?)?;
        Ok(v["checks"].clone())
    };
    assert_eq!(gate("server")?, gate("file")?);
    Ok(())
}
