//! The whole pipeline from one file: a config with the usual `[data]` (and `[explain]`)
//! tables plus `[train]` (or `[model]`), `[audit]`, `[report]`, `[gate]` and `[run]`. The
//! plan is a list of steps, each the command line of one `fairgate` subcommand, so that every
//! step can be read, rerun and debugged by hand; `fairgate run` executes them in order and
//! writes every artifact into one folder.
//!
//! What the pipeline does depends on the tables present:
//! - `[train]`: train a model on the data (options as `fairgate train`'s flags), then explain
//!   it, score the data and audit the model's scores;
//! - `[model] path = ...`: the same with an existing model file, without training;
//! - neither: audit the scores (or decisions) already in the data file (`[data] score` or
//!   `prediction`);
//! - `[report]`: write the report folder (`context` = the DPIA's context file, `previous` =
//!   the previous period's audit JSON to compare with);
//! - `[gate] policy = ...`: judge the audit (with the model and explanation when there are
//!   any) and make the run's exit code the gate's.
//!
//! Paths in the file are relative to the file, like `[data] path`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::file_error::FileError;

/// Errors of a pipeline file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The file cannot be read or is not a valid pipeline (the message names the line).
    #[error(transparent)]
    File(#[from] FileError),
    /// The file's `[data]` table is not a valid data specification, or a step's data file
    /// cannot be read.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// A step's model or rules file is not valid.
    #[error(transparent)]
    Train(#[from] crate::train::TrainError),
    /// A step's DPIA context is not valid.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// A step's policy or previous audit is not valid.
    #[error(transparent)]
    Policy(#[from] crate::policy::PolicyError),
}

/// `[train]`: `fairgate train`'s options.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct TrainTable {
    model: Option<String>,
    rules: Option<PathBuf>,
    c: Option<f64>,
    class_weight: Option<String>,
    test_size: Option<f64>,
    cv: Option<usize>,
    seed: Option<u64>,
    solver: Option<String>,
    max_levels: Option<usize>,
    threshold: Option<f64>,
}

/// `[model]`: an existing model file.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct ModelTable {
    path: PathBuf,
}

/// `[audit]`: `fairgate audit`'s options.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct AuditTable {
    threshold: Option<f64>,
    intersect: Option<Vec<Vec<String>>>,
    min_group_size: Option<u64>,
    confidence: Option<f64>,
    bins: Option<String>,
    bootstrap: Option<usize>,
    seed: Option<u64>,
    reference: Option<BTreeMap<String, String>>,
    max_groups: Option<usize>,
}

/// `[report]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct ReportTable {
    context: Option<PathBuf>,
    previous: Option<PathBuf>,
}

/// `[gate]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct GateTable {
    policy: PathBuf,
}

/// `[run]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RunTable {
    out: Option<PathBuf>,
    created: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct PipelineFile {
    /// Read through [`crate::data::DataSpec::from_config_file`]; accepted here.
    #[serde(rename = "data")]
    _data: Option<toml::Table>,
    explain: Option<crate::data::ExplainSection>,
    train: Option<TrainTable>,
    model: Option<ModelTable>,
    audit: Option<AuditTable>,
    report: Option<ReportTable>,
    gate: Option<GateTable>,
    run: Option<RunTable>,
}

/// One step: a name and the `fairgate` command line (without the program name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Short name (`train`, `explain`, `score`, `audit`, `report`, `gate`).
    pub name: &'static str,
    /// The arguments.
    pub args: Vec<String>,
}

impl Step {
    /// The command as a POSIX shell line: every argument that is not made only of
    /// characters the shell never interprets is quoted ([`shell_quote`]).
    pub fn shell(&self) -> String {
        std::iter::once("fairgate".to_string())
            .chain(self.args.iter().map(|a| shell_quote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `arg` as one word of a POSIX shell command line that stands for exactly `arg`: as it is
/// when it has only letters, digits and `-_./,:=+@%` (none of which a shell interprets
/// there), otherwise in single quotes, inside which the shell interprets nothing; a single
/// quote is written `'\''` (close, escaped quote, reopen). Control characters (a newline,
/// an escape sequence) are kept literally inside the quotes.
pub fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./,:=+@%".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) && !arg.starts_with('=') {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A planned run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The output folder.
    pub out: PathBuf,
    /// The steps in order.
    pub steps: Vec<Step>,
    /// Whether the last step is a gate (its outcome is the run's exit code).
    pub gated: bool,
    /// Every file a step reads that the run does not write itself, with its role.
    pub inputs: Vec<Input>,
    /// Every file the run writes (`commands.sh` included), inside [`Plan::out`].
    pub outputs: Vec<PathBuf>,
}

/// A file a pipeline reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// What it is.
    pub role: InputRole,
    /// Where it is.
    pub path: PathBuf,
}

/// The kinds of file a pipeline reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputRole {
    /// The pipeline file itself.
    Pipeline,
    /// The data (`[data] path`).
    Data,
    /// An existing model (`[model] path`).
    Model,
    /// A points model's rules (`[train] rules`).
    Rules,
    /// The DPIA context (`[report] context`).
    Context,
    /// The previous period's audit (`[report] previous`).
    Previous,
    /// The gate's policy (`[gate] policy`).
    Policy,
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// `a/b/../c` as `a/c`, without touching the file system (a leading `..` stays; nothing left is
/// `.`).
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    let p: PathBuf = out.iter().collect();
    // `.` (or `a/..`) is the current folder, not an empty name.
    if p.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        p
    }
}

impl Plan {
    /// Reads a pipeline file and plans the run. `out` overrides `[run] out` (default: the
    /// folder `fairgate-run` beside the file).
    pub fn from_path(path: &Path, out: Option<&Path>) -> Result<Plan, PipelineError> {
        let shown = s(path);
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(shown.clone(), e))?;
        let file: PipelineFile =
            toml::from_str(&text).map_err(|e| FileError::toml(shown.clone(), &text, &e))?;
        // Errors about a table point at its header line (or the first line without one).
        let table_line = |name: &str| {
            text.lines()
                .position(|l| l.trim() == format!("[{name}]"))
                .map_or(1, |i| i + 1)
        };
        let invalid_at = |table: &str, message: String| {
            PipelineError::from(FileError::invalid(
                shown.clone(),
                Some(table_line(table)),
                message,
            ))
        };
        let invalid = |message: String| invalid_at("data", message);
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        let rel = |p: &Path| {
            if p.is_relative() {
                normalize(&base.join(p))
            } else {
                p.to_path_buf()
            }
        };
        let run = file.run.unwrap_or_default();
        let out = match out {
            Some(o) => o.to_path_buf(),
            None => rel(run.out.as_deref().unwrap_or(Path::new("fairgate-run"))),
        };
        let o = |name: &str| s(&out.join(name));
        let config = s(path);
        // The [data] table as every other command reads it (paths relative to the file).
        let data = crate::data::DataSpec::from_config_file(path)?;
        let data_path = data
            .path
            .as_deref()
            .map(|p| s(&normalize(p)))
            .ok_or_else(|| invalid("the [data] table needs path = \"FILE\"".into()))?;
        let protected = data.protected.clone().unwrap_or_default();
        if protected.is_empty() {
            return Err(invalid(
                "the [data] table needs protected = [...]: the audit needs protected attributes"
                    .into(),
            ));
        }
        let created: Vec<String> = run
            .created
            .iter()
            .flat_map(|c| ["--created".to_string(), c.clone()])
            .collect();
        if file.train.is_some() && file.model.is_some() {
            return Err(invalid_at(
                "model",
                "give [train] or [model], not both".into(),
            ));
        }
        let mut steps = Vec::new();
        let model: Option<String> = match (&file.train, &file.model) {
            (Some(t), _) => {
                let mut args = vec![
                    "train".into(),
                    "--config".into(),
                    config.clone(),
                    "--out".into(),
                    o("model.json"),
                ];
                let mut flag = |name: &str, v: Option<String>| {
                    if let Some(v) = v {
                        args.push(format!("--{name}"));
                        args.push(v);
                    }
                };
                flag("model", t.model.clone());
                flag("rules", t.rules.as_deref().map(|r| s(&rel(r))));
                flag("c", t.c.map(|v| v.to_string()));
                flag("class-weight", t.class_weight.clone());
                flag("test-size", t.test_size.map(|v| v.to_string()));
                flag("cv", t.cv.map(|v| v.to_string()));
                flag("seed", t.seed.map(|v| v.to_string()));
                flag("solver", t.solver.clone());
                flag("max-levels", t.max_levels.map(|v| v.to_string()));
                flag("threshold", t.threshold.map(|v| v.to_string()));
                args.extend(created.iter().cloned());
                steps.push(Step {
                    name: "train",
                    args,
                });
                Some(o("model.json"))
            }
            (None, Some(m)) => Some(s(&rel(&m.path))),
            (None, None) => None,
        };
        let explain = file.explain.unwrap_or_default();
        if let Some(m) = &model {
            let mut args = vec![
                "explain".into(),
                "--model".into(),
                m.clone(),
                "--data".into(),
                data_path.clone(),
                "--config".into(),
                config.clone(),
                "--format".into(),
                "json".into(),
                "--out".into(),
                o("explain.json"),
            ];
            if explain.reasons.unwrap_or(true) {
                args.extend(["--reasons".into(), o("reasons.csv")]);
            }
            for (name, v) in [
                ("top", explain.top.map(|v| v as u64)),
                ("repeats", explain.repeats.map(|v| v as u64)),
                ("seed", explain.seed),
            ] {
                if let Some(v) = v {
                    args.extend([format!("--{name}"), v.to_string()]);
                }
            }
            steps.push(Step {
                name: "explain",
                args,
            });
            steps.push(Step {
                name: "score",
                args: vec![
                    "score".into(),
                    "--model".into(),
                    m.clone(),
                    "--data".into(),
                    data_path.clone(),
                    "--out".into(),
                    o("scored.csv"),
                    // Read back by the audit step: cells as they are (a group spelled "-"
                    // must stay "-"), not guarded for a spreadsheet.
                    "--raw-csv".into(),
                ],
            });
        }
        let audit = file.audit.unwrap_or_default();
        let mut args: Vec<String> = vec!["audit".into()];
        match &model {
            Some(_) => {
                let label = data
                    .label
                    .clone()
                    .ok_or_else(|| invalid("the [data] table needs label = \"COLUMN\"".into()))?;
                args.extend([
                    "--data".into(),
                    o("scored.csv"),
                    "--label".into(),
                    label,
                    "--score".into(),
                    "score".into(),
                    "--protected".into(),
                    protected.join(","),
                ]);
            }
            None => args.extend(["--config".into(), config.clone()]),
        }
        if let Some(t) = audit.threshold {
            args.extend(["--threshold".into(), t.to_string()]);
        } else if let Some(t) = file.train.as_ref().and_then(|t| t.threshold) {
            // The model's own decision threshold.
            args.extend(["--threshold".into(), t.to_string()]);
        }
        for cols in audit.intersect.iter().flatten() {
            args.extend(["--intersect".into(), cols.join(",")]);
        }
        for (name, v) in [
            (
                "min-group-size",
                audit.min_group_size.map(|v| v.to_string()),
            ),
            ("confidence", audit.confidence.map(|v| v.to_string())),
            ("bins", audit.bins.clone()),
            ("bootstrap", audit.bootstrap.map(|v| v.to_string())),
            ("seed", audit.seed.map(|v| v.to_string())),
            ("max-groups", audit.max_groups.map(|v| v.to_string())),
        ] {
            if let Some(v) = v {
                args.extend([format!("--{name}"), v]);
            }
        }
        for (attr, value) in audit.reference.iter().flatten() {
            args.extend(["--reference".into(), format!("{attr}={value}")]);
        }
        args.extend([
            "--format".into(),
            "json".into(),
            "--out".into(),
            o("audit.json"),
        ]);
        steps.push(Step {
            name: "audit",
            args,
        });
        let with_evidence = |args: &mut Vec<String>| {
            if let Some(m) = &model {
                args.extend([
                    "--explain".into(),
                    o("explain.json"),
                    "--model".into(),
                    m.clone(),
                ]);
            }
        };
        let gated = file.gate.is_some();
        if let Some(g) = &file.gate {
            let mut args = vec![
                "gate".into(),
                "--policy".into(),
                s(&rel(&g.policy)),
                "--audit".into(),
                o("audit.json"),
            ];
            with_evidence(&mut args);
            args.extend([
                "--json".into(),
                o("gate.json"),
                "--junit".into(),
                o("gate.junit.xml"),
                "--markdown".into(),
                o("gate.md"),
            ]);
            steps.push(Step { name: "gate", args });
        }
        if let Some(r) = &file.report {
            let mut args = vec!["report".into(), "--audit".into(), o("audit.json")];
            with_evidence(&mut args);
            if gated {
                args.extend(["--gate".into(), o("gate.json")]);
            }
            if let Some(c) = &r.context {
                args.extend(["--context".into(), s(&rel(c))]);
            }
            if let Some(p) = &r.previous {
                args.extend(["--previous".into(), s(&rel(p))]);
            }
            args.extend(created.iter().cloned());
            args.extend(["--out".into(), o("report")]);
            steps.push(Step {
                name: "report",
                args,
            });
        }
        let mut inputs = vec![
            Input {
                role: InputRole::Pipeline,
                path: path.to_path_buf(),
            },
            Input {
                role: InputRole::Data,
                path: PathBuf::from(&data_path),
            },
        ];
        let mut add = |role, p: Option<PathBuf>| {
            inputs.extend(p.map(|path| Input { role, path }));
        };
        add(InputRole::Model, file.model.as_ref().map(|m| rel(&m.path)));
        add(
            InputRole::Rules,
            file.train
                .as_ref()
                .and_then(|t| t.rules.as_deref())
                .map(rel),
        );
        add(
            InputRole::Context,
            file.report
                .as_ref()
                .and_then(|r| r.context.as_deref())
                .map(rel),
        );
        add(
            InputRole::Previous,
            file.report
                .as_ref()
                .and_then(|r| r.previous.as_deref())
                .map(rel),
        );
        add(
            InputRole::Policy,
            file.gate.as_ref().map(|g| rel(&g.policy)),
        );
        let mut outputs = vec![out.join("commands.sh")];
        for step in &steps {
            outputs.extend(step.outputs());
        }
        Ok(Plan {
            out,
            steps,
            gated,
            inputs,
            outputs,
        })
    }

    /// Reads every input of every step (the data's header, the model, rules, context,
    /// previous audit and policy), so that a missing or invalid one stops the run before its
    /// first step rather than after minutes of training.
    pub fn check_inputs(&self) -> Result<(), PipelineError> {
        for input in &self.inputs {
            let p = input.path.as_path();
            match input.role {
                InputRole::Pipeline => {}
                InputRole::Data => {
                    crate::data::TableReader::header_of(p, &crate::data::DataSpec::default())?;
                }
                InputRole::Model => {
                    crate::train::Model::from_path(p)?;
                }
                InputRole::Rules => {
                    crate::train::RuleSet::from_path(p)?;
                }
                InputRole::Context => {
                    crate::report::Context::from_path(p)?;
                }
                InputRole::Previous => {
                    crate::policy::Evidence::load(p, None, None)?;
                }
                InputRole::Policy => {
                    crate::policy::Policy::from_path(p)?;
                }
            }
        }
        Ok(())
    }
}

impl Step {
    /// The files this step writes: the values of its output flags (`report`'s folder as the
    /// files it writes there).
    pub fn outputs(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for pair in self.args.windows(2) {
            let flag = pair[0].as_str();
            let value = PathBuf::from(&pair[1]);
            match flag {
                "--out" if self.name == "report" => {
                    out.extend(crate::report::OUTPUT_FILES.iter().map(|f| value.join(f)));
                }
                "--out" | "--reasons" | "--json" | "--junit" | "--markdown" => out.push(value),
                _ => {}
            }
        }
        out
    }
}
