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
//!   `prediction`), or in a PostgreSQL table (`[data] postgres` with `table` or `query`:
//!   the statistics are computed on the server, no row leaves it);
//! - `[report]`: write the report folder (`context` = the DPIA's context file, `previous` =
//!   the previous period's audit JSON to compare with);
//! - `[gate] policy = ...`: judge the audit (with the model and explanation when there are
//!   any) and make the run's exit code the gate's;
//! - `[mitigate] by = [...]` (with `[train]` and `[gate]`): search for less discriminatory
//!   alternatives (`fairgate mitigate --config`), judged on the held-out rows by the same
//!   policy; the report gets its section.
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
    rows: Option<AuditRows>,
}

/// `[audit] rows`: which rows of a trained model's scored file the audit uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum AuditRows {
    /// Only the validation rows, which the model did not train on (the default after
    /// `[train]` with a validation split).
    Validation,
    /// Every row with a lawful basis, training rows included (an in-sample audit).
    All,
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

/// `[mitigate]`: the search for less discriminatory alternatives.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct MitigateTable {
    by: Vec<String>,
    methods: Option<Vec<String>>,
    objective: Option<String>,
    constraint: Option<String>,
    max_evaluations: Option<usize>,
    grid_size: Option<usize>,
    reduction_grid_size: Option<usize>,
    grid_limit: Option<f64>,
    difference_bound: Option<f64>,
    eps: Option<f64>,
    max_iter: Option<usize>,
    seed: Option<u64>,
    min_cell_size: Option<u64>,
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
    mitigate: Option<MitigateTable>,
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

/// What the steps of a plan share: the pipeline file, its folder, the output folder, the
/// data file and the `--created` flags.
struct Planner<'a> {
    path: &'a Path,
    text: &'a str,
    base: PathBuf,
    out: PathBuf,
    created: Vec<String>,
    /// The data file (empty when the rows are on a PostgreSQL server).
    data_path: String,
}

/// `[gate] policy`: a built-in policy's name (when the pipeline's folder has no file of that
/// name) as the path evidence records for it, `built-in:policy-NAME.toml`, which names the
/// built-in policy wherever the steps run; else a path relative to `base`.
fn policy_at(base: &Path, p: &Path) -> PathBuf {
    match p.to_str().and_then(crate::policy::Policy::built_in_name) {
        Some(name) if !base.join(p).is_file() => PathBuf::from(crate::policy::built_in_path(name)),
        _ => relative_to(base, p),
    }
}

/// `p` relative to `base` when it is relative, normalised.
fn relative_to(base: &Path, p: &Path) -> PathBuf {
    if p.is_relative() {
        normalize(&base.join(p))
    } else {
        p.to_path_buf()
    }
}

/// Appends `--name value` when the value is given.
fn flag(args: &mut Vec<String>, name: &str, v: Option<String>) {
    if let Some(v) = v {
        args.push(format!("--{name}"));
        args.push(v);
    }
}

impl Planner<'_> {
    /// An error about a table, pointing at its header line (or line 1 without one).
    fn invalid(&self, table: &str, message: &str) -> PipelineError {
        let line = self
            .text
            .lines()
            .position(|l| l.trim() == format!("[{table}]"))
            .map_or(1, |i| i + 1);
        FileError::invalid(s(self.path), Some(line), message).into()
    }

    /// A path of the pipeline file, relative to its folder.
    fn rel(&self, p: &Path) -> PathBuf {
        relative_to(&self.base, p)
    }

    /// A file in the output folder.
    fn output(&self, name: &str) -> String {
        s(&self.out.join(name))
    }

    fn train_step(&self, t: &TrainTable) -> Step {
        let mut args = vec![
            "train".into(),
            "--config".into(),
            s(self.path),
            "--out".into(),
            self.output("model.json"),
            // The training file scored, with a split column for an out-of-sample audit; read
            // back by the audit step, so cells as they are.
            "--scored".into(),
            self.output("scored.csv"),
            "--raw-csv".into(),
        ];
        flag(&mut args, "model", t.model.clone());
        flag(
            &mut args,
            "rules",
            t.rules.as_deref().map(|r| s(&self.rel(r))),
        );
        flag(&mut args, "c", t.c.map(|v| v.to_string()));
        flag(&mut args, "class-weight", t.class_weight.clone());
        flag(&mut args, "test-size", t.test_size.map(|v| v.to_string()));
        flag(&mut args, "cv", t.cv.map(|v| v.to_string()));
        flag(&mut args, "seed", t.seed.map(|v| v.to_string()));
        flag(&mut args, "solver", t.solver.clone());
        flag(&mut args, "max-levels", t.max_levels.map(|v| v.to_string()));
        flag(&mut args, "threshold", t.threshold.map(|v| v.to_string()));
        args.extend(self.created.iter().cloned());
        Step {
            name: "train",
            args,
        }
    }

    /// The explanation of the model (with the per-person reasons unless turned off) and, for
    /// a given model (`score`), the scoring of the data; a trained model's training step
    /// scores the data itself.
    fn explain_and_score(
        &self,
        model: &str,
        explain: &crate::data::ExplainSection,
        score: bool,
    ) -> Vec<Step> {
        let mut args = vec![
            "explain".into(),
            "--model".into(),
            model.to_string(),
            "--data".into(),
            self.data_path.clone(),
            "--config".into(),
            s(self.path),
            "--format".into(),
            "json".into(),
            "--out".into(),
            self.output("explain.json"),
        ];
        if explain.reasons.unwrap_or(true) {
            args.extend(["--reasons".into(), self.output("reasons.csv")]);
        }
        flag(&mut args, "top", explain.top.map(|v| v.to_string()));
        flag(&mut args, "repeats", explain.repeats.map(|v| v.to_string()));
        flag(&mut args, "seed", explain.seed.map(|v| v.to_string()));
        let mut steps = vec![Step {
            name: "explain",
            args,
        }];
        if score {
            steps.push(Step {
                name: "score",
                args: vec![
                    "score".into(),
                    "--model".into(),
                    model.to_string(),
                    "--data".into(),
                    self.data_path.clone(),
                    "--out".into(),
                    self.output("scored.csv"),
                    // Read back by the audit step: cells as they are (a group spelled "-"
                    // must stay "-"), not guarded for a spreadsheet.
                    "--raw-csv".into(),
                ],
            });
        }
        steps
    }

    /// The audit: of the scored file (`by_model`: its label and protected columns) or, without
    /// a model, of the data file's own scores.
    fn audit_step(
        &self,
        file: &PipelineFile,
        by_model: Option<(String, String)>,
        validation_only: bool,
    ) -> Step {
        let audit = file.audit.clone().unwrap_or_default();
        let mut args: Vec<String> = vec!["audit".into()];
        match by_model {
            Some((label, protected)) => args.extend([
                "--data".into(),
                self.output("scored.csv"),
                "--label".into(),
                label,
                "--score".into(),
                "score".into(),
                "--protected".into(),
                protected,
            ]),
            None => args.extend(["--config".into(), s(self.path)]),
        }
        if validation_only {
            args.extend(["--filter".into(), "split=validation".into()]);
        }
        // The audit's threshold, or the model's own decision threshold.
        let threshold = audit
            .threshold
            .or_else(|| file.train.as_ref().and_then(|t| t.threshold));
        flag(&mut args, "threshold", threshold.map(|t| t.to_string()));
        for cols in audit.intersect.iter().flatten() {
            args.extend(["--intersect".into(), cols.join(",")]);
        }
        flag(
            &mut args,
            "min-group-size",
            audit.min_group_size.map(|v| v.to_string()),
        );
        flag(
            &mut args,
            "confidence",
            audit.confidence.map(|v| v.to_string()),
        );
        flag(&mut args, "bins", audit.bins.clone());
        flag(
            &mut args,
            "bootstrap",
            audit.bootstrap.map(|v| v.to_string()),
        );
        flag(&mut args, "seed", audit.seed.map(|v| v.to_string()));
        flag(
            &mut args,
            "max-groups",
            audit.max_groups.map(|v| v.to_string()),
        );
        for (attr, value) in audit.reference.iter().flatten() {
            args.extend(["--reference".into(), format!("{attr}={value}")]);
        }
        args.extend([
            "--format".into(),
            "json".into(),
            "--out".into(),
            self.output("audit.json"),
        ]);
        Step {
            name: "audit",
            args,
        }
    }

    /// The model and explanation flags of the gate and the report, when there is a model.
    fn with_evidence(&self, args: &mut Vec<String>, model: Option<&str>) {
        if let Some(m) = model {
            args.extend([
                "--explain".into(),
                self.output("explain.json"),
                "--model".into(),
                m.to_string(),
            ]);
        }
    }

    /// The gate, with the report's DPIA context (whose `[declared]` figures it may judge).
    fn gate_step(&self, g: &GateTable, model: Option<&str>, context: Option<&Path>) -> Step {
        let mut args = vec![
            "gate".into(),
            "--policy".into(),
            s(&policy_at(&self.base, &g.policy)),
            "--audit".into(),
            self.output("audit.json"),
        ];
        self.with_evidence(&mut args, model);
        flag(&mut args, "context", context.map(|c| s(&self.rel(c))));
        args.extend([
            "--json".into(),
            self.output("gate.json"),
            "--junit".into(),
            self.output("gate.junit.xml"),
            "--markdown".into(),
            self.output("gate.md"),
        ]);
        Step { name: "gate", args }
    }

    fn report_step(
        &self,
        r: &ReportTable,
        model: Option<&str>,
        gated: bool,
        mitigated: bool,
    ) -> Step {
        let mut args = vec!["report".into(), "--audit".into(), self.output("audit.json")];
        self.with_evidence(&mut args, model);
        if gated {
            args.extend(["--gate".into(), self.output("gate.json")]);
        }
        if mitigated {
            args.extend(["--mitigation".into(), self.output("mitigation.json")]);
        }
        flag(
            &mut args,
            "context",
            r.context.as_deref().map(|c| s(&self.rel(c))),
        );
        flag(
            &mut args,
            "previous",
            r.previous.as_deref().map(|p| s(&self.rel(p))),
        );
        args.extend(self.created.iter().cloned());
        args.extend(["--out".into(), self.output("report")]);
        Step {
            name: "report",
            args,
        }
    }

    /// Every file the steps read that the pipeline file names.
    fn inputs(&self, file: &PipelineFile) -> Vec<Input> {
        let mut inputs = vec![Input {
            role: InputRole::Pipeline,
            path: self.path.to_path_buf(),
        }];
        // No file when the rows are on a server (the audit records the server and query).
        if !self.data_path.is_empty() {
            inputs.push(Input {
                role: InputRole::Data,
                path: PathBuf::from(&self.data_path),
            });
        }
        let rules = file.train.as_ref().and_then(|t| t.rules.as_deref());
        let context = file.report.as_ref().and_then(|r| r.context.as_deref());
        let previous = file.report.as_ref().and_then(|r| r.previous.as_deref());
        for (role, p) in [
            (
                InputRole::Model,
                file.model.as_ref().map(|m| m.path.as_path()),
            ),
            (InputRole::Rules, rules),
            (InputRole::Context, context),
            (InputRole::Previous, previous),
            (
                InputRole::Policy,
                file.gate.as_ref().map(|g| g.policy.as_path()),
            ),
        ] {
            inputs.extend(p.map(|p| Input {
                role,
                path: match role {
                    InputRole::Policy => policy_at(&self.base, p),
                    _ => self.rel(p),
                },
            }));
        }
        inputs
    }
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

/// What `fairgate mitigate --config FILE` reads from a pipeline file: the data, the training
/// settings (`[train]`), the held-out audit's settings (`[audit]`), the policy (`[gate]`)
/// and the search's own settings (`[mitigate]`).
pub struct SearchConfig {
    /// The data specification (paths relative to the file resolved).
    pub spec: crate::data::DataSpec,
    /// How to read the data for training.
    pub read: crate::data::ReadOptions,
    /// The training settings.
    pub train: crate::params::Checked<crate::train::TrainParams>,
    /// The search's settings.
    pub search: crate::params::Checked<crate::mitigate::SearchParams>,
    /// The policy file (`[gate] policy`), when there is one.
    pub policy: Option<PathBuf>,
}

impl SearchConfig {
    /// Reads the tables of a pipeline file that the search uses.
    pub fn from_path(path: &Path) -> Result<SearchConfig, PipelineError> {
        use crate::mitigate::{Constraint, Method, Objective, SearchParams};
        use crate::train::{ModelKind, RuleSet, Solver, TrainParams};
        let shown = s(path);
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(shown.clone(), e))?;
        let file: PipelineFile =
            toml::from_str(&text).map_err(|e| FileError::toml(shown.clone(), &text, &e))?;
        let base = path.parent().unwrap_or_else(|| Path::new("")).to_path_buf();
        let planner = Planner {
            path,
            text: &text,
            base: base.clone(),
            out: PathBuf::new(),
            created: Vec::new(),
            data_path: String::new(),
        };
        let bad = |table: &str, message: String| planner.invalid(table, &message);
        let m = file.mitigate.clone().ok_or_else(|| {
            bad(
                "mitigate",
                "the file has no [mitigate] table (by = [\"ATTR\", ...] names the attributes to mitigate for)".into(),
            )
        })?;
        let t = file.train.clone().ok_or_else(|| {
            bad(
                "train",
                "the search needs a [train] table: the candidates are models trained as it says"
                    .into(),
            )
        })?;
        let rules = match &t.rules {
            Some(r) => Some(RuleSet::from_path(&relative_to(&base, r))?),
            None => None,
        };
        let kind = match t.model.as_deref() {
            None | Some("logistic") => ModelKind::Logistic,
            Some("points") => ModelKind::Points,
            Some(other) => {
                return Err(bad(
                    "train",
                    format!("model: expected \"logistic\" or \"points\", found \"{other}\""),
                ))
            }
        };
        let balanced = match t.class_weight.as_deref() {
            None | Some("none") => false,
            Some("balanced") => true,
            Some(other) => {
                return Err(bad(
                    "train",
                    format!("class-weight: expected \"none\" or \"balanced\", found \"{other}\""),
                ))
            }
        };
        let solver = match t.solver.as_deref() {
            None | Some("newton") => Solver::Newton,
            Some("linfa") => Solver::Linfa,
            Some(other) => {
                return Err(bad(
                    "train",
                    format!("solver: expected \"newton\" or \"linfa\", found \"{other}\""),
                ))
            }
        };
        let d = TrainParams::default();
        let train = TrainParams {
            kind,
            rules,
            c: t.c.unwrap_or(d.c),
            balanced,
            test_size: t.test_size.unwrap_or(d.test_size),
            cv: 0,
            seed: t.seed.unwrap_or(d.seed),
            solver,
            max_levels: t.max_levels.unwrap_or(d.max_levels),
            threshold: t.threshold.unwrap_or(d.threshold),
            created: Some(0),
            ..d
        };
        let mut spec = crate::data::DataSpec::from_config_file(path)?;
        let read = crate::train::reading(&mut spec, train.rules.as_ref());
        let train = train.check()?;
        let a = file.audit.clone().unwrap_or_default();
        let audit = crate::audit::AuditParams {
            threshold: a.threshold.unwrap_or(train.threshold),
            min_group_size: a
                .min_group_size
                .unwrap_or(crate::audit::AuditParams::default().min_group_size),
            confidence: a
                .confidence
                .unwrap_or(crate::audit::AuditParams::default().confidence),
            reference: a.reference.clone().unwrap_or_default(),
            intersections: a.intersect.clone().unwrap_or_default(),
            ..crate::audit::AuditParams::default()
        };
        let methods = m
            .methods
            .iter()
            .flatten()
            .map(|name| {
                Method::parse(name).ok_or_else(|| {
                    bad(
                        "mitigate",
                        format!("methods: expected threshold, reweigh, reweigh+threshold, grid-search, grid-search+threshold, exponentiated-gradient or group-thresholds, found \"{name}\""),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let objective = match m.objective.as_deref() {
            None => Objective::Accuracy,
            Some(o) => Objective::parse(o).ok_or_else(|| {
                bad(
                    "mitigate",
                    format!("objective: expected accuracy, balanced-accuracy, value:TP,FP or capacity:SHARE, found \"{o}\""),
                )
            })?,
        };
        let constraint = match m.constraint.as_deref() {
            None => Constraint::DemographicParity,
            Some(c) => Constraint::parse(c).ok_or_else(|| {
                bad(
                    "mitigate",
                    format!("constraint: expected demographic_parity, true_positive_rate_parity, false_positive_rate_parity, true_negative_rate_parity, false_negative_rate_parity or equalized_odds, found \"{c}\""),
                )
            })?,
        };
        let search = SearchParams {
            by: m.by.clone(),
            methods,
            objective,
            constraint,
            audit,
            max_evaluations: m.max_evaluations.unwrap_or(200),
            grid_size: m.grid_size.unwrap_or(1000),
            eg: crate::mitigate::EgParams {
                difference_bound: m.difference_bound.unwrap_or(0.01),
                eps: m.eps.unwrap_or(0.01),
                max_iter: m.max_iter.unwrap_or(50),
                ..crate::mitigate::EgParams::default()
            },
            grid_search: crate::mitigate::GridSearchParams {
                grid_size: m.reduction_grid_size.unwrap_or(10),
                grid_limit: m.grid_limit.unwrap_or(2.0),
                ..crate::mitigate::GridSearchParams::default()
            },
            seed: m.seed.unwrap_or(0),
            min_cell_size: m.min_cell_size.unwrap_or(crate::train::DEFAULT_MIN_CELL),
        }
        .check()
        .map_err(|e| bad("mitigate", e.to_string()))?;
        Ok(SearchConfig {
            spec,
            read,
            train,
            search,
            policy: file.gate.as_ref().map(|g| policy_at(&base, &g.policy)),
        })
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
        let base = path.parent().unwrap_or_else(|| Path::new("")).to_path_buf();
        let run = file.run.clone().unwrap_or_default();
        let out = match out {
            Some(o) => o.to_path_buf(),
            None => relative_to(
                &base,
                run.out.as_deref().unwrap_or(Path::new("fairgate-run")),
            ),
        };
        let mut planner = Planner {
            path,
            text: &text,
            base,
            out,
            created: run
                .created
                .iter()
                .flat_map(|c| ["--created".to_string(), c.clone()])
                .collect(),
            data_path: String::new(),
        };
        // The [data] table as every other command reads it (paths relative to the file).
        let data = crate::data::DataSpec::from_config_file(path)?;
        planner.data_path = match (&data.path, &data.postgres) {
            (Some(_), Some(_)) => {
                return Err(planner.invalid(
                    "data",
                    "the [data] table gives both path and postgres: the rows are in one place",
                ))
            }
            (Some(p), None) => s(&normalize(p)),
            // On a server: the audit's statistics are computed there; nothing needs the rows.
            (None, Some(_)) if file.train.is_some() || file.model.is_some() => {
                return Err(planner.invalid(
                    "data",
                    "[train] and [model] read the rows, and [data] postgres keeps them on the server: with postgres the pipeline audits the scores already in the table (no [train] or [model])",
                ))
            }
            (None, Some(_)) => String::new(),
            (None, None) => {
                return Err(planner.invalid(
                    "data",
                    "the [data] table needs path = \"FILE\" (or postgres = \"URL\" with table or query)",
                ))
            }
        };
        let protected = data.protected.clone().unwrap_or_default();
        if protected.is_empty() {
            return Err(planner.invalid(
                "data",
                "the [data] table needs protected = [...]: the audit needs protected attributes",
            ));
        }
        if file.train.is_some() && file.model.is_some() {
            return Err(planner.invalid("model", "give [train] or [model], not both"));
        }
        let mut steps = Vec::new();
        let model: Option<String> = match (&file.train, &file.model) {
            (Some(t), _) => {
                steps.push(planner.train_step(t));
                Some(planner.output("model.json"))
            }
            (None, Some(m)) => Some(s(&planner.rel(&m.path))),
            (None, None) => None,
        };
        if let Some(m) = &model {
            steps.extend(planner.explain_and_score(
                m,
                &file.explain.clone().unwrap_or_default(),
                file.train.is_none(),
            ));
        }
        // Out of sample by default: a trained model is audited on its validation rows.
        let held_out = file
            .train
            .as_ref()
            .is_some_and(|t| t.test_size.is_none_or(|v| v > 0.0));
        let rows = file.audit.as_ref().and_then(|a| a.rows);
        let validation_only = match (rows, held_out) {
            (Some(AuditRows::All), _) => false,
            (Some(AuditRows::Validation), false) => {
                return Err(planner.invalid(
                    "audit",
                    "rows = \"validation\" needs [train] with a validation split (test-size above 0): the training rows of a given model are not known",
                ))
            }
            (_, held_out) => held_out,
        };
        let audit_by_model = match &model {
            Some(_) => Some((
                data.label.clone().ok_or_else(|| {
                    planner.invalid("data", "the [data] table needs label = \"COLUMN\"")
                })?,
                protected.join(","),
            )),
            None => None,
        };
        steps.push(planner.audit_step(&file, audit_by_model, validation_only));
        let gated = file.gate.is_some();
        if let Some(g) = &file.gate {
            let context = file.report.as_ref().and_then(|r| r.context.as_deref());
            steps.push(planner.gate_step(g, model.as_deref(), context));
        }
        let mitigated = file.mitigate.is_some();
        if mitigated {
            if file.train.is_none() || file.gate.is_none() {
                return Err(planner.invalid(
                    "mitigate",
                    "[mitigate] needs [train] (the candidates are refitted and judged on its held-out rows) and [gate] (the policy they must meet)",
                ));
            }
            steps.push(Step {
                name: "mitigate",
                args: vec![
                    "mitigate".into(),
                    "--config".into(),
                    s(planner.path),
                    "--format".into(),
                    "json".into(),
                    "--out".into(),
                    planner.output("mitigation.json"),
                ],
            });
        }
        if let Some(r) = &file.report {
            steps.push(planner.report_step(r, model.as_deref(), gated, mitigated));
        }
        let inputs = planner.inputs(&file);
        let mut outputs = vec![planner.out.join("commands.sh")];
        for step in &steps {
            outputs.extend(step.outputs());
        }
        Ok(Plan {
            out: planner.out,
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
                    crate::policy::Policy::load(p)?;
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
                "--out" | "--reasons" | "--json" | "--junit" | "--markdown" | "--scored" => {
                    out.push(value)
                }
                _ => {}
            }
        }
        out
    }
}
