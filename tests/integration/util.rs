//! Helpers shared by the integration tests.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use fairgate::data::{DataError, DataSpec, ReadOptions, Table, Unlisted};

/// Loads `bytes` as the file `t.csv` with `spec`, threaded, 8192-row chunks.
pub fn load(bytes: &[u8], spec: &DataSpec) -> Result<Table, DataError> {
    load_with(bytes, spec, &ReadOptions::default())
}

/// Loads `bytes` as `t.csv` with explicit options.
pub fn load_with(bytes: &[u8], spec: &DataSpec, options: &ReadOptions) -> Result<Table, DataError> {
    Table::from_reader(
        Box::new(Cursor::new(bytes.to_vec())),
        "t.csv",
        spec,
        options,
    )
}

/// Options with every column read (unlisted ones as features) and the given chunk size.
pub fn all_columns(chunk_rows: usize, threaded: bool) -> ReadOptions {
    ReadOptions {
        chunk_rows,
        unlisted: Unlisted::AsFeatures,
        threaded,
    }
}

/// A spec with a label and a score.
pub fn label_score(label: &str, score: &str) -> DataSpec {
    DataSpec {
        label: Some(label.into()),
        score: Some(score.into()),
        ..DataSpec::default()
    }
}

/// Runs the fairgate binary with `args`.
pub fn fairgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fairgate"))
        .args(args)
        .output()
        .expect("the fairgate binary runs")
}

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Loads `spec` with every unlisted column a feature and trains with `params`.
pub fn train_all_columns(
    spec: &DataSpec,
    params: &fairgate::train::TrainParams,
) -> Result<fairgate::train::Model, fairgate::Error> {
    let options = ReadOptions {
        unlisted: Unlisted::AsFeatures,
        ..ReadOptions::default()
    };
    let table = fairgate::data::load(spec, &options)?;
    Ok(fairgate::train::train(
        &table,
        spec,
        &params.clone().check()?,
    )?)
}

/// Writes `y,score,g` rows, per group (name, rows, selected at threshold 0.5; labels
/// alternate), to `dir/NAME.csv`, audits them by `g` and returns the audit JSON's path.
pub fn scores_audit(dir: &std::path::Path, name: &str, groups: &[(&str, usize, usize)]) -> PathBuf {
    scores_audit_with(dir, name, groups, &[])
}

/// [`scores_audit`] with more audit options.
pub fn scores_audit_with(
    dir: &std::path::Path,
    name: &str,
    groups: &[(&str, usize, usize)],
    options: &[&str],
) -> PathBuf {
    let mut csv = String::from("y,score,g\n");
    for (g, n, selected) in groups {
        for i in 0..*n {
            let s = if i < *selected { 0.8 } else { 0.2 };
            csv.push_str(&format!("{},{s},{g}\n", i % 2));
        }
    }
    let data = dir.join(format!("{name}.csv"));
    std::fs::write(&data, csv).unwrap_or_default();
    let out = dir.join(format!("{name}.json"));
    let args = [
        "audit",
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
        "--out",
        out.to_str().unwrap_or_default(),
    ];
    let o = fairgate(&[&args[..], options].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

/// The README's main command written to a folder of its own, `fairgate run
/// datasets/demo.toml --out <folder>`, run once per test process and shared by the tests that
/// only read what it wrote (three tests needed three identical runs, 12 s each). Gives the
/// folder; the run's exit code must be 1 (the demo's injected bias fails the gate), else the
/// error holds its standard error. The folder is in Cargo's `CARGO_TARGET_TMPDIR`; folders
/// an hour old from earlier test processes are removed first.
pub fn demo_run() -> Result<&'static Path, String> {
    static RUN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    RUN.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let stale = |p: &Path| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("demo-run-"))
                && std::fs::metadata(p)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok())
                    .is_some_and(|age| age > Duration::from_secs(3600))
        };
        if let Ok(entries) = std::fs::read_dir(tmp) {
            for e in entries.flatten() {
                if stale(&e.path()) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = tempfile::Builder::new()
            .prefix("demo-run-")
            .tempdir_in(tmp)
            .map_err(|e| e.to_string())?
            .keep();
        let run = dir.join("run");
        let o = Command::new(env!("CARGO_BIN_EXE_fairgate"))
            .current_dir(root())
            .args(["run", "datasets/demo.toml", "--out"])
            .arg(&run)
            .output()
            .map_err(|e| e.to_string())?;
        match o.status.code() {
            Some(1) => Ok(run),
            code => Err(format!("the demo run exited with {code:?}: {}", stderr(&o))),
        }
    })
    .as_deref()
    .map_err(Clone::clone)
}
