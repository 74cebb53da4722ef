//! Parquet input: the fixtures written by pyarrow (snappy) and polars (zstd) in
//! `tests/parquet/` (by `make_fixtures.py`) give the same outputs as the CSV they were made
//! from, for every command that reads data; rejections, their counts and first lines agree;
//! errors name the row and its row group; damaged files are refused, never a crash.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::util::{fairgate, root, stderr};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn fixture(name: &str) -> PathBuf {
    root().join("tests/parquet").join(name)
}

/// A JSON output without what names its input file (path, hash, size, format) and when it
/// was made: what must be equal between a CSV and its Parquet copy.
fn comparable(path: &Path) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                for key in [
                    "path",
                    "file",
                    "source",
                    "sha256",
                    "bytes",
                    "format",
                    "delimiter",
                    "delimiter_detected",
                    "created",
                ] {
                    o.remove(key);
                }
                o.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    strip(&mut v);
    Ok(v)
}

/// Runs `args` with `--data` set to each of `inputs` (and `{out}` in an argument replaced by
/// a file per input); returns the outputs' paths.
fn run_each(dir: &Path, inputs: &[PathBuf], args: &[&str]) -> Result<Vec<PathBuf>, String> {
    let mut outs = Vec::new();
    for (k, input) in inputs.iter().enumerate() {
        let out = dir.join(format!("out{k}.json"));
        let out_s = out.to_string_lossy().to_string();
        let data = input.to_string_lossy().to_string();
        let mut full: Vec<String> = args.iter().map(|a| a.replace("{out}", &out_s)).collect();
        full.extend(["--data".to_string(), data]);
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let o = fairgate(&refs);
        if o.status.code() != Some(0) {
            return Err(format!("{refs:?}: {}", stderr(&o)));
        }
        if !out.exists() {
            std::fs::write(&out, &o.stdout).map_err(|e| e.to_string())?;
        }
        outs.push(out);
    }
    Ok(outs)
}

fn assert_all_equal(outs: &[PathBuf], what: &str) -> TestResult {
    let first = comparable(&outs[0])?;
    for out in &outs[1..] {
        assert_eq!(comparable(out)?, first, "{what}: {}", out.display());
    }
    Ok(())
}

fn demo_inputs() -> Vec<PathBuf> {
    vec![
        root().join("datasets/leads_demo.csv"),
        fixture("leads_demo.pyarrow.parquet"),
        fixture("leads_demo.polars.parquet"),
    ]
}

#[test]
fn audits_of_the_demo_from_pyarrow_and_polars_parquet_equal_the_csv_audit() -> TestResult {
    let dir = tempfile::tempdir()?;
    let base = [
        "audit",
        "--label",
        "converted",
        "--protected",
        "gender,age_band,ethnicity,region",
        "--format",
        "json",
        "--out",
        "{out}",
    ];
    let cases: [&[&str]; 3] = [
        &[
            "--score",
            "vendor_score",
            "--threshold",
            "0.2",
            "--intersect",
            "gender,age_band",
        ],
        // Decisions from a boolean column (Parquet's bool type), with the rows where it is
        // missing rejected as in the CSV.
        &["--prediction", "consent", "--max-rejected", "0.05"],
        // Weights from an integer column, missing protected values as their own group.
        &[
            "--score",
            "vendor_score",
            "--weight",
            "page_visits",
            "--filter",
            "consent=true",
        ],
    ];
    for extra in cases {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let outs = run_each(dir.path(), &demo_inputs(), &args)?;
        assert_all_equal(&outs, &format!("{extra:?}"))?;
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&outs[1])?)?;
        assert!(v["input"]["rows_used"].as_u64().is_some_and(|n| n > 1000));
    }
    Ok(())
}

#[test]
fn every_command_reads_parquet_as_it_reads_the_csv() -> TestResult {
    let dir = tempfile::tempdir()?;
    let config = root().join("datasets/demo.toml");
    let config = config.to_string_lossy();
    let inputs = demo_inputs();
    // Train: the same model from each input.
    let models = run_each(
        dir.path(),
        &inputs,
        &["train", "--config", &config, "--out", "{out}"],
    )?;
    assert_all_equal(&models, "train")?;
    let model = dir.path().join("model.json");
    std::fs::copy(&models[0], &model)?;
    let model = model.to_string_lossy();
    for (what, args) in [
        (
            "explain",
            vec![
                "explain", "--model", &model, "--format", "json", "--out", "{out}",
            ],
        ),
        (
            "inspect",
            vec!["inspect", "--config", &config, "--format", "json"],
        ),
        (
            "stats",
            vec![
                "stats",
                "--label",
                "converted",
                "--score",
                "vendor_score",
                "--protected",
                "gender,region",
                "--out",
                "{out}",
            ],
        ),
    ] {
        let dir = tempfile::tempdir()?;
        let outs = run_each(dir.path(), &inputs, &args)?;
        if what == "stats" {
            // A statistics file: CSV rows, equal apart from the one naming the source.
            let rows = |p: &PathBuf| -> Result<Vec<String>, std::io::Error> {
                Ok(std::fs::read_to_string(p)?
                    .lines()
                    .filter(|l| !l.starts_with("source,"))
                    .map(str::to_string)
                    .collect())
            };
            assert_eq!(rows(&outs[1])?, rows(&outs[0])?, "stats");
            assert_eq!(rows(&outs[2])?, rows(&outs[0])?, "stats");
        } else {
            assert_all_equal(&outs, what)?;
        }
    }
    // Score: the same scored rows, byte for byte.
    let mut scored = Vec::new();
    for (k, input) in inputs.iter().enumerate() {
        let out = dir.path().join(format!("scored{k}.csv"));
        let o = fairgate(&[
            "score",
            "--model",
            &model,
            "--data",
            &input.to_string_lossy(),
            "--out",
            &out.to_string_lossy(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        scored.push(std::fs::read(&out)?);
    }
    assert!(scored.iter().all(|s| *s == scored[0]));
    // The subject export finds the record in a Parquet file.
    let o = fairgate(&[
        "subject",
        "--model",
        &model,
        "--data",
        &inputs[2].to_string_lossy(),
        "--id",
        "L0000003",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)?;
    assert!(v.to_string().contains("L0000003"));
    Ok(())
}

#[test]
fn every_arrow_type_nulls_and_rejected_rows_agree_with_the_csv_export() -> TestResult {
    // edge.csv is pyarrow's CSV export of the table in edge.pyarrow.parquet: float32 scores,
    // boolean and integer labels, a dictionary-encoded group, decimal weights, dates,
    // timestamps, nulls everywhere, and rows to reject.
    let dir = tempfile::tempdir()?;
    let inputs = [fixture("edge.csv"), fixture("edge.pyarrow.parquet")];
    let base = [
        "audit",
        "--score",
        "score",
        "--protected",
        "group,region",
        "--on-invalid",
        "skip",
        "--max-rejected",
        "0.1",
        "--format",
        "json",
        "--out",
        "{out}",
    ];
    let cases: [&[&str]; 3] = [
        &["--label", "converted", "--weight", "weight"],
        &["--label", "converted01", "--threshold", "0.3"],
        &[
            "--label",
            "converted",
            "--positive",
            "true",
            "--intersect",
            "group,region",
        ],
    ];
    for extra in cases {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let outs = run_each(dir.path(), &inputs, &args)?;
        assert_all_equal(&outs, &format!("{extra:?}"))?;
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&outs[1])?)?;
        let rejected = v["input"]["rejected"].as_array().ok_or("no rejections")?;
        let has = |reason: &str, line: u64| {
            rejected
                .iter()
                .any(|r| r["reason"] == reason && r["first_line"] == line)
        };
        // The row of the score 1.5 is the 6th (line 7 of the CSV export), the NaN score the
        // 30th, the missing score the 18th, the missing label the 42nd.
        assert!(has("out_of_range", 7), "{rejected:?}");
        assert!(has("not_finite", 31), "{rejected:?}");
        assert!(has("missing_value", 19), "{rejected:?}");
        assert!(has("missing_value", 43), "{rejected:?}");
    }
    // The int8 counts and float32 scores as features, dates and timestamps kept: the same
    // model.
    let models = run_each(
        dir.path(),
        &inputs,
        &[
            "train",
            "--label",
            "converted",
            "--protected",
            "group,region",
            "--features",
            "visits,score",
            "--timestamp",
            "signup,seen",
            "--on-invalid",
            "skip",
            "--max-rejected",
            "0.1",
            "--out",
            "{out}",
        ],
    )?;
    assert_all_equal(&models, "train on edge")?;
    Ok(())
}

#[test]
fn an_invalid_value_is_reported_with_its_row_and_row_group() {
    let data = fixture("edge.pyarrow.parquet");
    let o = fairgate(&[
        "audit",
        "--data",
        &data.to_string_lossy(),
        "--label",
        "converted",
        "--score",
        "score",
        "--protected",
        "group",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("edge.pyarrow.parquet: row 6 (row group 0, offset 5), column 4: column \"score\": expected a number in [0, 1], found \"1.5\""),
        "{e}"
    );
    // In the second row group: only row 1501 passes the filter, and its visit count is not
    // a score. The CSV export names the same row as its line 1502.
    for (input, place) in [
        (
            "edge.pyarrow.parquet",
            ": row 1501 (row group 1, offset 500), column 8: ",
        ),
        ("edge.csv", "edge.csv:1502:8: "),
    ] {
        let o = fairgate(&[
            "audit",
            "--data",
            &fixture(input).to_string_lossy(),
            "--label",
            "converted",
            "--score",
            "visits",
            "--protected",
            "group",
            "--filter",
            "id=P01500",
        ]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{e}");
        assert!(e.contains(place), "{e}");
        assert!(e.contains("expected a number in [0, 1]"), "{e}");
    }
}

#[test]
fn a_column_of_a_type_with_no_value_is_refused_only_when_a_role_names_it() {
    let data = fixture("edge.pyarrow.parquet");
    let data = data.to_string_lossy();
    let o = fairgate(&[
        "audit",
        "--data",
        &data,
        "--label",
        "converted",
        "--score",
        "score",
        "--protected",
        "tags",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("column 11 (\"tags\") has the Parquet/Arrow type List"),
        "{e}"
    );
    // Unnamed, the list column is never read.
    let o = fairgate(&[
        "audit",
        "--data",
        &data,
        "--label",
        "converted",
        "--score",
        "score",
        "--protected",
        "group",
        "--on-invalid",
        "skip",
        "--max-rejected",
        "0.1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // An unknown column names the file's columns.
    let o = fairgate(&[
        "audit",
        "--data",
        &data,
        "--label",
        "nope",
        "--score",
        "score",
        "--protected",
        "group",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("no column named \"nope\""), "{e}");
    assert!(e.contains("converted01"), "{e}");
}

#[test]
fn damaged_parquet_files_are_refused_with_a_message_never_a_crash() -> TestResult {
    let dir = tempfile::tempdir()?;
    let good = std::fs::read(fixture("edge.pyarrow.parquet"))?;
    let n = good.len();
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("magic only".into(), b"PAR1".to_vec()),
        ("magic twice".into(), b"PAR1PAR1".to_vec()),
        ("first half".into(), good[..n / 2].to_vec()),
        ("no footer".into(), good[..n - 8].to_vec()),
        ("footer length past the start".into(), {
            let mut b = good[..n - 8].to_vec();
            b.extend_from_slice(&[0xff, 0xff, 0xff, 0x7f]);
            b.extend_from_slice(b"PAR1");
            b
        }),
    ];
    // Bytes overwritten at seeded places, in pages and in the footer: some still decode
    // (Parquet has no mandatory checksum), none may crash.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for k in 0..40 {
        let mut b = good.clone();
        let (from, to) = if k % 4 == 0 {
            (n - 1500, n - 8)
        } else {
            (4, n - 8)
        };
        for _ in 0..(1 + k % 7 * 5) {
            let at = from + (next() as usize) % (to - from);
            b[at] = next() as u8;
        }
        cases.push((format!("damaged {k}"), b));
    }
    let mut refused = 0;
    for (what, bytes) in cases {
        let path = dir.path().join("bad.parquet");
        std::fs::write(&path, &bytes)?;
        let o = fairgate(&[
            "audit",
            "--data",
            &path.to_string_lossy(),
            "--label",
            "converted",
            "--score",
            "score",
            "--protected",
            "group,region",
            "--weight",
            "weight",
            "--on-invalid",
            "skip",
            "--max-rejected",
            "1",
        ]);
        let e = stderr(&o);
        assert!(
            matches!(o.status.code(), Some(0 | 2)),
            "{what}: {:?} {e}",
            o.status
        );
        assert!(!e.contains("panicked"), "{what}: {e}");
        if o.status.code() == Some(2) {
            refused += 1;
            assert!(e.contains("bad.parquet"), "{what}: {e}");
            assert_eq!(e.lines().count(), 1, "{what}: one line: {e}");
        }
    }
    assert!(refused >= 5, "{refused}");
    Ok(())
}

#[cfg(unix)]
#[test]
fn a_csv_from_a_pipe_is_not_sniffed_for_parquet() -> TestResult {
    // `--data <(zcat leads.csv.gz)`: looking for Parquet's magic bytes must not take the
    // header's first bytes from the pipe.
    let dir = tempfile::tempdir()?;
    let fifo = dir.path().join("leads.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status()?;
    assert!(made.success());
    let demo = std::fs::read(root().join("datasets/leads_demo.csv"))?;
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, demo))
    };
    let o = fairgate(&[
        "audit",
        "--data",
        &fifo.to_string_lossy(),
        "--label",
        "converted",
        "--score",
        "vendor_score",
        "--protected",
        "gender",
        "--format",
        "json",
    ]);
    writer.join().map_err(|_| "writer panicked")??;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)?;
    assert_eq!(v["input"]["rows_used"], 20000);
    Ok(())
}

/// The statistics of edge.csv, counted by pandas (make_fixtures.py) and written as Spark
/// types in Parquet, as one file and as a folder of parts whose last part holds the roles,
/// give the audit of the rows themselves; the folder's hash is that of its parts' listing as
/// `sha256sum` prints it, and the marker files are not parts.
#[test]
fn parquet_statistics_files_and_folders_audit_as_the_rows_do() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = |name: &str| dir.path().join(name).to_string_lossy().to_string();
    let audit =
        |from: &[&str], to: &str| -> Result<serde_json::Value, Box<dyn std::error::Error>> {
            let mut args = vec!["audit", "--format", "json", "--out", to];
            args.extend(["--intersect", "group,region", "--min-group-size", "5"]);
            args.extend(from);
            let o = fairgate(&args);
            assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
            Ok(serde_json::from_slice(&std::fs::read(to)?)?)
        };
    let edge = fixture("edge.csv").to_string_lossy().to_string();
    let mut rows = audit(
        &[
            "--data",
            &edge,
            "--label",
            "converted01",
            "--score",
            "score",
            "--protected",
            "group,region",
            "--on-invalid",
            "skip",
            "--max-rejected",
            "1",
        ],
        &out("rows.json"),
    )?;
    rows.as_object_mut().map(|o| o.remove("input"));
    for stats in ["stats_edge.parquet", "stats_edge_parts"] {
        let path = fixture(stats).to_string_lossy().to_string();
        let mut audited = audit(&["--from-stats", &path], &out("stats.json"))?;
        let input = audited
            .as_object_mut()
            .and_then(|o| o.remove("input"))
            .ok_or("no input")?;
        assert_eq!(audited, rows, "{stats}");
        let made_by = &input["statistics"][0]["made_by"][0];
        assert!(
            made_by.as_str().is_some_and(|m| m.contains("pandas")),
            "{input}"
        );
        let expected = if stats.ends_with("parts") {
            let mut listing = String::new();
            for i in 0..3 {
                let name = format!("part-{i:05}.snappy.parquet");
                let bytes = std::fs::read(fixture(stats).join(&name))?;
                listing.push_str(&format!("{}  {name}\n", hex(&Sha256::digest(&bytes))));
            }
            hex(&Sha256::digest(listing.as_bytes()))
        } else {
            hex(&Sha256::digest(std::fs::read(&path)?))
        };
        assert_eq!(input["sha256"], expected.as_str(), "{stats}");
    }
    // One score out of range: its row, row group, offset and column, as pyarrow wrote it.
    let at: serde_json::Value = serde_json::from_slice(&std::fs::read(fixture("stats_bad.json"))?)?;
    let o = fairgate(&[
        "audit",
        "--from-stats",
        &fixture("stats_bad.parquet").to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let place = format!(
        "stats_bad.parquet: row {} (row group {}, offset {}), column {}: expected a score in [0, 1], found \"1.5\"",
        at["row"], at["row_group"], at["offset"], at["column"]
    );
    assert!(stderr(&o).contains(&place), "{}", stderr(&o));
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The batches of a Parquet fixture as they would come from memory, `rows` per batch.
fn batches_of(
    name: &str,
    rows: usize,
) -> Result<fairgate::data::ArrowBatches, Box<dyn std::error::Error>> {
    let file = std::fs::File::open(fixture(name))?;
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)?;
    let schema = builder.schema().clone();
    let reader = builder.with_batch_size(rows).build()?;
    Ok(fairgate::data::ArrowBatches::new(schema, reader))
}

/// Arrow batches handed over from memory (as the Python package does with a DataFrame) are
/// audited as the CSV export of the same table: every case of the edge fixture (float32
/// scores, boolean and integer labels, dictionary groups, decimal weights, nulls, rejected
/// rows), in one batch larger than a chunk (cut into slices) and in batches of 7 rows, equal
/// the CSV audit apart from what names the input; an invalid value is named by its row from
/// 0 and its column.
#[test]
fn arrow_batches_from_memory_audit_as_the_csv_export_does() -> TestResult {
    use fairgate::audit::{audit_arrow, audit_file, AuditParams};
    use fairgate::data::{DataSpec, OnInvalid};
    let dir = tempfile::tempdir()?;
    let spec = |label: &str, weight: Option<&str>, positive: Option<&str>| DataSpec {
        label: Some(label.to_string()),
        score: Some("score".to_string()),
        protected: Some(vec!["group".to_string(), "region".to_string()]),
        weight: weight.map(str::to_string),
        positive: positive.map(str::to_string),
        on_invalid: Some(OnInvalid::Skip),
        max_rejected: Some(0.1),
        ..DataSpec::default()
    };
    let cases = [
        (
            spec("converted", Some("weight"), None),
            AuditParams::default(),
        ),
        (
            spec("converted01", None, None),
            AuditParams {
                threshold: 0.3,
                ..AuditParams::default()
            },
        ),
        (
            spec("converted", None, Some("true")),
            AuditParams {
                intersections: vec![vec!["group".to_string(), "region".to_string()]],
                ..AuditParams::default()
            },
        ),
    ];
    for (i, (spec, params)) in cases.into_iter().enumerate() {
        let params = params.check()?;
        let csv = audit_file(&fixture("edge.csv"), &spec, &params)?;
        let csv_path = dir.path().join("csv.json");
        std::fs::write(&csv_path, csv.to_json())?;
        for rows in [1_000_000, 7] {
            let report = audit_arrow(
                batches_of("edge.pyarrow.parquet", rows)?,
                "DataFrame",
                &spec,
                &params,
            )?;
            let path = dir.path().join("arrow.json");
            std::fs::write(&path, report.to_json())?;
            assert_eq!(
                comparable(&path)?,
                comparable(&csv_path)?,
                "case {i}, {rows} rows a batch"
            );
            let v: serde_json::Value = serde_json::from_str(&report.to_json())?;
            assert_eq!(v["input"]["path"], "DataFrame");
            assert_eq!(v["input"]["sha256"], "");
        }
    }
    // The score 1.5 is the row at position 5 (its CSV export's line 7).
    let strict = DataSpec {
        on_invalid: None,
        ..spec("converted", None, None)
    };
    let params = AuditParams::default().check()?;
    let err = audit_arrow(
        batches_of("edge.pyarrow.parquet", 4)?,
        "DataFrame",
        &strict,
        &params,
    )
    .err()
    .ok_or("the score 1.5 was accepted")?;
    assert_eq!(
        err.to_string(),
        "DataFrame: row 5 (from 0), column 4: column \"score\": expected a number in [0, 1], found \"1.5\""
    );
    Ok(())
}
