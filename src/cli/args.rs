//! Command-line syntax (clap derive). Semantic checks live in the library, so that library
//! users and CLI users get the same errors; this file only copies flags into library types.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};
use fairgate::data::{DataSpec, MissingNumeric, OnInvalid};

use super::examples;

/// Audit scoring models for bias and write the evidence that privacy and fairness reviews ask
/// for.
#[derive(Debug, Parser)]
#[command(
    name = "fairgate",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = examples::FAIRGATE
)]
pub struct Args {
    /// No progress bars, no step lines from `fairgate run` (errors and warnings still show).
    ///
    /// Progress bars are drawn on standard error, and only when it is a terminal.
    #[arg(long, short, global = true, display_order = 1000)]
    pub quiet: bool,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
// Parsed once per process: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with the bundled synthetic lead-scoring data set.
    #[command(subcommand, after_help = examples::DATASETS)]
    Datasets(DatasetsCommand),
    /// Validate a data file and summarise it with its column roles.
    ///
    /// Loads the file as the other commands would and reports rows read, used and rejected by
    /// reason, each column's kind, its missing values and the rule applied to them.
    #[command(after_help = examples::INSPECT)]
    Inspect(InspectArgs),
    /// Audit a model's scores or decisions across protected groups.
    ///
    /// Per group and intersection: rates with intervals, AUC, Brier score, log loss and
    /// calibration; disparate impact against a reference group with tests; Fairlearn's
    /// disparity summaries; optional weights and bootstrap intervals. Needs the label, the
    /// score (or 0/1 decisions) and the protected columns, from flags or --config.
    #[command(
        after_help = examples::AUDIT,
        override_usage = "fairgate audit --data FILE --label COL (--score COL | --prediction COL) --protected COLS [OPTIONS]\n       fairgate audit --config FILE [OPTIONS]\n       fairgate audit --from-stats FILE... [OPTIONS]\n       fairgate audit --postgres URL (--table NAME | --query SQL) --label COL (--score COL | --prediction COL) --protected COLS [OPTIONS]"
    )]
    Audit(AuditArgs),
    /// Write an audit's sufficient statistics, to audit shards or data elsewhere.
    ///
    /// Counts per protected values, label, score and decision, and rejected rows by reason,
    /// as a statistics file that `fairgate audit --from-stats` audits; shards' files are
    /// added together. See docs/statistics.md.
    #[command(
        after_help = examples::STATS,
        override_usage = "fairgate stats --data FILE --label COL (--score COL | --prediction COL) --protected COLS [OPTIONS]\n       fairgate stats --config FILE [OPTIONS]"
    )]
    Stats(StatsArgs),
    /// Print the SQL query that computes an audit's statistics where the data lives.
    ///
    /// For PostgreSQL, DuckDB, Spark, BigQuery and Snowflake: with the data file's validation,
    /// its result is a statistics file for `fairgate audit --from-stats`.
    #[command(
        after_help = examples::SQL,
        override_usage = "fairgate sql --dialect DIALECT (--table NAME | --query SQL) --label COL (--score COL | --prediction COL) --protected COLS [OPTIONS]\n       fairgate sql --dialect DIALECT --config FILE [OPTIONS]"
    )]
    Sql(SqlArgs),
    /// Train a lead-scoring model on the rows with consent.
    ///
    /// A logistic regression, or hand-written points rules with a fitted calibration;
    /// protected attributes are kept out of the features (and kept for the audit). Writes the
    /// model file with its provenance and validation.
    #[command(
        after_help = examples::TRAIN,
        override_usage = "fairgate train --data FILE --label COL [--protected COLS] --out MODEL.json [OPTIONS]\n       fairgate train --config FILE --out MODEL.json [OPTIONS]"
    )]
    Train(TrainArgs),
    /// Score a data file with a trained model.
    ///
    /// Writes id, label, score, decision and the protected attributes as CSV, ready for
    /// `fairgate audit`. Rows without consent are left out and counted.
    #[command(after_help = examples::SCORE)]
    Score(ScoreArgs),
    /// Explain a trained model: coefficients, importance, reasons, proxies.
    ///
    /// Coefficients with standard errors and intervals, feature importance (including
    /// permutation), per-person reason codes and counterfactuals (--reasons), proxy checks
    /// against protected attributes, the score gap by feature, and data-minimisation refits.
    #[command(after_help = examples::EXPLAIN)]
    Explain(ExplainArgs),
    /// Export one person's record, score and reasons (GDPR access and portability).
    ///
    /// The person's record, consent status, score, decision and reason codes, as JSON or
    /// plain text.
    #[command(after_help = examples::SUBJECT)]
    Subject(SubjectArgs),
    /// Write the audit evidence into a folder, or verify one.
    ///
    /// report.html (self-contained, with charts), report.md, dpia.md (DPIA evidence, a draft
    /// until signed off), model_card.md (with --model) and evidence.json (with the SHA-256 of
    /// every input and output). --verify re-hashes a folder's files.
    #[command(
        after_help = examples::REPORT,
        override_usage = "fairgate report --audit AUDIT.json --out DIR [OPTIONS]\n       fairgate report --verify DIR"
    )]
    Report(ReportArgs),
    /// Judge an audit against a policy: exit 0 when it passes, 1 when it fails.
    ///
    /// Rules on the audit (and optionally the model and explanation) with interval-aware
    /// PASS / WARN / FAIL / INCONCLUSIVE outcomes. Exit 0 when no error rule blocks, 1 when
    /// one does, 2 on a bad policy or input. Writes JUnit XML and a Markdown step summary on
    /// request.
    #[command(
        after_help = examples::GATE,
        override_usage = "fairgate gate --policy NAME|FILE --audit AUDIT.json [OPTIONS]\n       fairgate gate --policy NAME|FILE --data FILE --label COL (--score COL | --prediction COL) --protected COLS [OPTIONS]"
    )]
    Gate(GateArgs),
    /// Run the whole pipeline from one file; the exit code is the gate's.
    ///
    /// Trains or loads a model, explains, scores, audits, reports and gates, every artifact
    /// in one folder. Prints each step's equivalent command line and writes them to
    /// commands.sh in the folder.
    #[command(after_help = examples::RUN)]
    Run(RunArgs),
    /// Compare audits over time and flag changes beyond sampling noise.
    ///
    /// Audits oldest first: per attribute, group and metric the change and whether it is
    /// beyond sampling noise, groups that appeared or vanished, and with --policy the rules
    /// that changed state. Exit 1 with --fail-on-regression when anything regressed.
    #[command(after_help = examples::COMPARE)]
    Compare(CompareArgs),
    /// Mitigate a bias: search for less discriminatory alternatives, or one method.
    ///
    /// With --config, search for less discriminatory alternatives (every candidate judged on
    /// held-out rows by the policy; exit 1 when none meets it); or one method: reweigh the
    /// training rows, search one threshold for everyone that meets a policy (the whole
    /// trade-off curve), or analyse group thresholds (Hardt et al.; the protected attribute
    /// at decision time: analysis only).
    #[command(
        after_help = examples::MITIGATE,
        override_usage = "fairgate mitigate --config PIPELINE.toml [OPTIONS]\n       fairgate mitigate <COMMAND> [OPTIONS]"
    )]
    Mitigate(MitigateArgs),
    /// Print a shell completion script.
    ///
    /// Generated from the same definitions as --help. Bash: into
    /// `~/.local/share/bash-completion/completions/fairgate`; zsh: into a folder on `$fpath`
    /// as `_fairgate`; fish: into `~/.config/fish/completions/fairgate.fish`; PowerShell:
    /// dot-source the output from your profile.
    #[command(after_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page (roff), or a command's page.
    ///
    /// Generated from the same definitions as --help: `man -l` shows it, or install it into a
    /// `man1` folder on `MANPATH`.
    #[command(after_help = examples::MAN)]
    Man(ManArgs),
    /// Print the JSON Schema of an output file.
    ///
    /// Draft 2020-12, generated from the types that write the file: audit, model,
    /// explanation, gate, compare or evidence (a report folder's evidence.json). The same
    /// schemas are in docs/schema/ in the repository.
    #[command(after_help = examples::SCHEMA)]
    Schema(SchemaArgs),
}

/// `fairgate schema`.
#[derive(Debug, ClapArgs)]
pub struct SchemaArgs {
    /// The output file whose schema to print.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(fairgate::schema::SCHEMAS.map(|(n, _)| n)))]
    pub name: String,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Data flags ([`DataArgs`]) by concern, to list what a command does not use: the features
/// and consent settings, which only training and inspection use.
const TRAINING_ONLY: &[&str] = &[
    "features",
    "exclude",
    "consent",
    "consent_timestamp",
    "as_of",
    "timestamp",
    "categorical",
    "missing_numeric",
];

/// How a data file is read, which a command that reads no file does not use.
const FILE_READING: &[&str] = &[
    "data",
    "delimiter",
    "on_invalid",
    "max_field_bytes",
    "max_rejected",
];

/// The data flags a command does not use, as lists of ids (of [`DataArgs`]' fields).
pub type Unused = &'static [&'static [&'static str]];

/// What commands reading scored rows do not use (audit, gate, stats, mitigate threshold).
pub const SCORED_UNUSED: Unused = &[TRAINING_ONLY, &["id"]];

/// [`SCORED_UNUSED`] but the identifier, which group-thresholds' decisions carry.
pub const SCORED_WITH_ID_UNUSED: Unused = &[TRAINING_ONLY];

/// What `fairgate sql` does not use: it reads no file, only the column roles.
pub const SQL_UNUSED: Unused = &[TRAINING_ONLY, &["id"], FILE_READING];

/// What `fairgate mitigate reweigh` does not use: it weighs (group, label) cells, with
/// consent and identifiers but no scores or features.
pub const REWEIGH_UNUSED: Unused = &[&[
    "score",
    "prediction",
    "features",
    "exclude",
    "timestamp",
    "categorical",
    "missing_numeric",
]];

/// `spec` without the settings of the `unused` flags (the ids of [`DataArgs`]' fields, which
/// are the spec's: `data` is its path), so that a command neither reads, validates nor rejects
/// rows for columns it does not use when a `--config` file's `[data]` table, shared by the
/// commands, names them. An id that is not a data flag is an error in tests.
pub fn without(mut spec: DataSpec, unused: &[&[&str]]) -> DataSpec {
    for id in unused.iter().flat_map(|ids| ids.iter()) {
        match *id {
            "data" => spec.path = None,
            "delimiter" => spec.delimiter = None,
            "id" => spec.id = None,
            "features" => spec.features = None,
            "exclude" => spec.exclude = None,
            "consent" => spec.consent = None,
            "consent_timestamp" => spec.consent_timestamp = None,
            "as_of" => spec.as_of = None,
            "timestamp" => spec.timestamp = None,
            "categorical" => spec.categorical = None,
            "on_invalid" => spec.on_invalid = None,
            "missing_numeric" => spec.missing_numeric = None,
            "max_field_bytes" => spec.max_field_bytes = None,
            "max_rejected" => spec.max_rejected = None,
            "score" => spec.score = None,
            "prediction" => spec.prediction = None,
            "weight" => spec.weight = None,
            "filter" => spec.filter = None,
            other => debug_assert!(false, "no data setting {other}"),
        }
    }
    spec
}

/// For `mut_args`: hides the listed shared flags from a command's help and completions, and
/// has clap refuse them there as unknown arguments (exit 2) with a tip, instead of accepting
/// and ignoring them.
fn unused(ids: Unused) -> impl FnMut(clap::Arg) -> clap::Arg {
    move |a| {
        if !ids.iter().any(|list| list.contains(&a.get_id().as_str())) {
            return a;
        }
        let tip = format!(
            "this command does not use --{}; a --config file's [data] table may hold it for the commands that do",
            a.get_long().unwrap_or_default()
        );
        a.hide(true)
            .value_parser(clap::builder::UnknownArgumentValueParser::suggest(tip))
    }
}

/// `fairgate completions`.
#[derive(Debug, ClapArgs)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `fairgate man`.
#[derive(Debug, ClapArgs)]
pub struct ManArgs {
    /// A command's own page (`fairgate man audit` as `fairgate-audit(1)`, `fairgate man
    /// mitigate threshold` as `fairgate-mitigate-threshold(1)`) instead of the main page,
    /// which lists the commands.
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `fairgate mitigate`: a method's subcommand, or the search with `--config`.
#[derive(Debug, ClapArgs)]
#[command(args_conflicts_with_subcommands = true, subcommand_required = false)]
pub struct MitigateArgs {
    /// One method.
    #[command(subcommand)]
    pub command: Option<MitigateCommand>,
    /// The search for less discriminatory alternatives.
    #[command(flatten)]
    pub search: SearchArgs,
}

/// `fairgate mitigate --config FILE`.
#[derive(Debug, ClapArgs)]
pub struct SearchArgs {
    /// The pipeline file: [data], [train] (how the candidates are trained; its held-out rows
    /// judge them), [audit] (intersections, group size, confidence), [gate] policy and
    /// [mitigate] (by = the attributes to mitigate for; methods, objective, constraint, seed).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The policy the candidates must meet: a built-in one by name (four-fifths,
    /// gdpr-strict) or a policy file (default: the file's [gate] policy, else four-fifths).
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<PathBuf>,
    /// Output.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `fairgate mitigate ...`.
#[derive(Debug, Subcommand)]
pub enum MitigateCommand {
    /// Reweigh the rows so that every group has the overall base rate (Kamiran & Calders).
    ///
    /// A weight per (group, label) cell of the attributes (their intersections); prior
    /// weights (--weight) multiply. Writes the weights as CSV (--weights) and the cells.
    #[command(after_help = examples::REWEIGH)]
    Reweigh(ReweighArgs),
    /// Choose one threshold for everyone that meets a policy, with the whole trade-off curve.
    ///
    /// Every distinct score is a candidate, each group's rates from one sort; the threshold
    /// maximising an objective subject to a policy judged by the gate on intervals;
    /// "infeasible" with the closest when none meets it. Exit 1 when infeasible.
    #[command(after_help = examples::THRESHOLD)]
    Threshold(ThresholdArgs),
    /// Analyse group thresholds (Hardt et al., as Fairlearn's ThresholdOptimizer).
    ///
    /// Per group a randomised threshold rule equalising a rate. Uses the protected attribute
    /// at decision time: analysis by default; --decisions needs
    /// --allow-decision-time-attribute.
    #[command(after_help = examples::GROUP_THRESHOLDS)]
    GroupThresholds(GroupThresholdsArgs),
}

/// `fairgate mitigate reweigh`.
#[derive(Debug, ClapArgs)]
#[command(mut_args(unused(REWEIGH_UNUSED)))]
pub struct ReweighArgs {
    /// The protected attributes whose (group, label) cells are balanced.
    #[arg(
        long,
        value_name = "ATTR[,ATTR...]",
        value_delimiter = ',',
        required = true
    )]
    pub by: Vec<String>,
    /// Cells with fewer rows are flagged as unreliable.
    #[arg(long, default_value_t = fairgate::train::DEFAULT_MIN_CELL, value_name = "N")]
    pub min_cell_size: u64,
    /// Write one line per reweighed row (id or row, label, group, weight) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// With --weights: write CSV cells exactly as they are (see fairgate score --raw-csv).
    #[arg(long, requires = "weights")]
    pub raw_csv: bool,
    /// Where and how to write the cells.
    #[command(flatten)]
    pub output: OutputArgs,
    /// The data and its column roles (--label, --protected; --weight for prior weights;
    /// --consent to reweigh only rows with a lawful basis).
    #[command(flatten)]
    pub data: DataArgs,
}

/// `fairgate mitigate threshold`.
#[derive(Debug, ClapArgs)]
#[command(mut_args(unused(SCORED_UNUSED)))]
pub struct ThresholdArgs {
    /// The protected attributes whose groups the curve reports (their intersection when
    /// several); default: the first protected attribute.
    #[arg(long, value_name = "ATTR[,ATTR...]", value_delimiter = ',')]
    pub by: Vec<String>,
    /// What to maximise: accuracy, balanced-accuracy, value:TP,FP (a value per true and per
    /// false positive) or capacity:SHARE (accuracy selecting at most SHARE of the rows).
    #[arg(long, default_value = "accuracy")]
    pub objective: String,
    /// The policy the chosen threshold must meet, judged as the gate judges it: a built-in
    /// one by name (four-fifths, gdpr-strict) or a policy file; default: four-fifths.
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<PathBuf>,
    /// The current threshold (the baseline).
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Groups with fewer rows are marked small (as in fairgate audit).
    #[arg(long, default_value_t = 30)]
    pub min_group_size: u64,
    /// Confidence level of the intervals the gate judges.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Intersections audited for the gate (as fairgate audit --intersect).
    #[arg(long, value_name = "COLS")]
    pub intersect: Vec<String>,
    /// Most candidates judged by the gate in objective order before a spread over the range.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub max_evaluations: usize,
    /// Write every candidate of the curve to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub curve: Option<PathBuf>,
    /// Where and how to write the result.
    #[command(flatten)]
    pub output: OutputArgs,
    /// The scored data and its column roles (--label, --score, --protected; --weight).
    #[command(flatten)]
    pub data: DataArgs,
}

/// `fairgate mitigate group-thresholds`.
#[derive(Debug, ClapArgs)]
#[command(mut_args(unused(SCORED_WITH_ID_UNUSED)))]
pub struct GroupThresholdsArgs {
    /// The protected attributes whose groups get their own thresholds (their intersection
    /// when several).
    #[arg(
        long,
        value_name = "ATTR[,ATTR...]",
        value_delimiter = ',',
        required = true
    )]
    pub by: Vec<String>,
    /// demographic_parity, true_positive_rate_parity, false_positive_rate_parity,
    /// true_negative_rate_parity, false_negative_rate_parity or equalized_odds.
    #[arg(long, default_value = "demographic_parity")]
    pub constraint: String,
    /// accuracy_score, balanced_accuracy_score, selection_rate, true_positive_rate or
    /// true_negative_rate (equalized odds: the first two).
    #[arg(long, default_value = "accuracy_score")]
    pub objective: String,
    /// Fairlearn's grid_size.
    #[arg(long, default_value_t = 1000)]
    pub grid_size: usize,
    /// The single threshold compared against (score >= threshold).
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Seed of the decisions drawn (--decisions).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Apply the group rules: write each row's probability and drawn decision to this CSV.
    /// Needs --allow-decision-time-attribute.
    #[arg(long, value_name = "FILE", requires = "allow_decision_time_attribute")]
    pub decisions: Option<PathBuf>,
    /// Acknowledge that the decisions use the protected attribute (disparate treatment; see
    /// the warning in every output).
    #[arg(long)]
    pub allow_decision_time_attribute: bool,
    /// Where and how to write the result.
    #[command(flatten)]
    pub output: OutputArgs,
    /// The scored data and its column roles (--label, --score, --protected; --weight).
    #[command(flatten)]
    pub data: DataArgs,
}

/// `fairgate compare`.
#[derive(Debug, ClapArgs)]
pub struct CompareArgs {
    /// Audit JSON files, oldest first (at least two).
    #[arg(value_name = "AUDIT.json", num_args = 2.., required = true)]
    pub audits: Vec<PathBuf>,
    /// A policy to apply to every audit, to show rules that changed state: a built-in one by
    /// name (four-fifths, gdpr-strict) or a policy file.
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<PathBuf>,
    /// Also write a self-contained HTML page with trend charts.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Exit 1 when the latest audit regressed against the one before (see docs/commands/compare.md).
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Where and how to write the comparison.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `fairgate run`.
#[derive(Debug, ClapArgs)]
pub struct RunArgs {
    /// The pipeline file: a config with [data], and [train] or [model], [audit], [report],
    /// [gate], [run] tables (see datasets/demo.toml).
    #[arg(value_name = "PIPELINE.toml")]
    pub pipeline: PathBuf,
    /// The output folder (default: [run] out in the file, else fairgate-run beside it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print only the planned command lines, run nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `fairgate gate`.
#[derive(Debug, ClapArgs)]
// The audit run here is not printed: its table's width does not apply (refused when given).
#[command(mut_arg("wide", |a: clap::Arg| a.hide(true)))]
pub struct GateArgs {
    /// The policy: a built-in one by name (four-fifths: the EEOC four-fifths rule;
    /// gdpr-strict: disparate impact, error-rate parity, calibration, consent, proxies and
    /// predictive quality, inconclusive results blocking), or a policy file of your own (the
    /// built-in ones are datasets/policy-*.toml in the repository).
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: PathBuf,
    /// The audit JSON to judge (fairgate audit --format json). Without it, the audit is run
    /// here from --data and the audit options.
    #[arg(long, value_name = "FILE", conflicts_with = "data")]
    pub audit: Option<PathBuf>,
    /// The model file, for model rules (consent_coverage, model_auc).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// The explanation JSON, for proxy rules (proxy_association, proxy_auc).
    #[arg(long, value_name = "FILE")]
    pub explain: Option<PathBuf>,
    /// The DPIA context (context.toml): its [declared] table supplies, marked as declared, the
    /// figures of model and proxy rules that no --model or --explain gives (a model trained
    /// elsewhere).
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,
    /// Also write JUnit XML here (one test case per rule).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write a Markdown summary here (for $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Also write the JSON result here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// The audit options, used with --data; --format and --out apply to the gate's result.
    #[command(flatten)]
    pub run: AuditArgs,
}

/// `fairgate report`.
#[derive(Debug, ClapArgs)]
pub struct ReportArgs {
    /// The audit JSON (fairgate audit --format json).
    #[arg(long, value_name = "FILE", required_unless_present = "verify")]
    pub audit: Option<PathBuf>,
    /// The explanation JSON (fairgate explain --format json).
    #[arg(long, value_name = "FILE")]
    pub explain: Option<PathBuf>,
    /// The model file.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// What people declare for the DPIA (controller, DPO, lawful basis, retention,
    /// decisions): see datasets/context.toml. Missing fields are open items.
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,
    /// The time recorded in the report (ISO 8601), for reproducible files; default:
    /// SOURCE_DATE_EPOCH if set, else now.
    #[arg(long, value_name = "TIME")]
    pub created: Option<String>,
    /// The gate's result (fairgate gate --json FILE), shown in the summary and the DPIA.
    #[arg(long, value_name = "FILE")]
    pub gate: Option<PathBuf>,
    /// The previous period's audit JSON: the report shows what changed beyond noise.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// The search for less discriminatory alternatives (fairgate mitigate --config FILE
    /// --format json): the report gets its section, table and trade-off chart.
    #[arg(long, value_name = "FILE")]
    pub mitigation: Option<PathBuf>,
    /// The output folder.
    #[arg(long, value_name = "DIR", required_unless_present = "verify")]
    pub out: Option<PathBuf>,
    /// Verify a report folder instead: re-hash every file its evidence.json lists (outputs in
    /// the folder, inputs at their recorded paths); exit 1 on any changed or missing file.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["audit", "out", "explain", "model", "context", "gate", "previous", "mitigation", "created"])]
    pub verify: Option<PathBuf>,
}

/// `fairgate explain`.
#[derive(Debug, ClapArgs)]
pub struct ExplainArgs {
    /// The model file written by `fairgate train`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// The data to explain on (the training file gives the training fit's standard errors).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Protected attributes to check for proxies (default: the model's), comma-separated.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub protected: Option<Vec<String>>,
    /// Reason codes per person.
    #[arg(long, default_value_t = 3)]
    pub top: usize,
    /// Permutations per feature for permutation importance.
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
    /// Seed of the permutations.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Features a person cannot change: never offered as counterfactuals. Comma-separated;
    /// added to the `immutable` list of the config's [explain] table.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub immutable: Vec<String>,
    /// A config file whose [explain] table may list `immutable` features.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A feature whose removal loses less validation AUC than this is a data-minimisation
    /// candidate.
    #[arg(long, default_value_t = 0.005)]
    pub minimisation_tolerance: f64,
    /// Flag a feature as a likely proxy at this Cramér's V or correlation ratio.
    #[arg(long, default_value_t = 0.3)]
    pub proxy_association: f64,
    /// Flag a feature as a likely proxy at this one-against-the-rest AUC.
    #[arg(long, default_value_t = 0.7)]
    pub proxy_auc: f64,
    /// Write each person's score, reason codes and counterfactuals to this CSV.
    #[arg(long, value_name = "FILE")]
    pub reasons: Option<PathBuf>,
    /// Write each person's per-feature contributions (linear SHAP values) to this CSV.
    #[arg(long, value_name = "FILE")]
    pub contributions: Option<PathBuf>,
    /// Write the CSVs' cells exactly as they are, for programs that read them. By default a
    /// cell that starts with = + - @ tab or CR and is not a number (every reason code starts
    /// with + or -) gets a leading ' so that a spreadsheet shows it as text instead of
    /// evaluating it (OWASP's CSV injection rule).
    #[arg(long)]
    pub raw_csv: bool,
    /// Where and how to write the explanation (table and markdown hold the same tables).
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `fairgate subject`.
#[derive(Debug, ClapArgs)]
pub struct SubjectArgs {
    /// The model file written by `fairgate train`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// The data file holding the person's record.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The person's identifier (matched exactly).
    #[arg(long, value_name = "VALUE")]
    pub id: String,
    /// The identifier column (default: the model's).
    #[arg(long, value_name = "COL")]
    pub id_column: Option<String>,
    /// Reason codes to give.
    #[arg(long, default_value_t = 3)]
    pub top: usize,
    /// JSON (machine-readable), plain text or Markdown [default: from --out's extension
    /// (.json, .txt, .md), else json].
    #[arg(long, value_enum)]
    pub format: Option<SubjectFormat>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `--format` of subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SubjectFormat {
    /// JSON.
    Json,
    /// Plain text (`table` is accepted, as every other command's text format).
    #[value(alias = "table")]
    Text,
    /// GitHub-flavoured Markdown.
    Markdown,
}

/// `fairgate train`.
#[derive(Debug, ClapArgs)]
pub struct TrainArgs {
    /// Also write the training file's rows with a lawful basis scored by the new model, as
    /// `fairgate score` writes them plus a `split` column (train or validation): audit it with
    /// --filter split=validation to audit only the rows the model did not train on.
    #[arg(long, value_name = "FILE")]
    pub scored: Option<PathBuf>,
    /// With --scored: write CSV cells exactly as they are (see fairgate score --raw-csv).
    #[arg(long, requires = "scored")]
    pub raw_csv: bool,
    /// Which model: logistic regression or a points model (needs --rules).
    #[arg(long = "model", value_enum, default_value_t = ModelArg::Logistic)]
    pub kind: ModelArg,
    /// The rules file of a points model (see datasets/points.toml).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Inverse regularisation strength, as scikit-learn's C (linfa's alpha = 1/C).
    #[arg(long, default_value_t = 1.0)]
    pub c: f64,
    /// Class weights: none, or balanced (n / (2 n_class), as scikit-learn).
    #[arg(long, value_enum, default_value_t = ClassWeightArg::None)]
    pub class_weight: ClassWeightArg,
    /// Train Fairlearn's exponentiated gradient instead (Agarwal et al.): a randomised mixture
    /// of logistic models meeting --constraint for the groups of these protected attributes
    /// (their intersection when several) on the training rows. Scores are the mixture's
    /// expected probability; decisions are reproducible draws (--draw-seed). The attributes
    /// are read at training only.
    #[arg(long, value_name = "ATTR[,ATTR...]", value_delimiter = ',', conflicts_with_all = ["reweigh", "rules"])]
    pub exponentiated_gradient: Vec<String>,
    /// Train Fairlearn's grid search instead (Agarwal et al.): one logistic model, chosen from
    /// a grid of Lagrange multipliers for --constraint over the groups of these protected
    /// attributes (their intersection when several); the model file records the grid and the
    /// chosen multipliers. The attributes are read at training only.
    #[arg(long, value_name = "ATTR[,ATTR...]", value_delimiter = ',', conflicts_with_all = ["reweigh", "rules", "exponentiated_gradient"])]
    pub grid_search: Vec<String>,
    /// With --grid-search: grid points (Fairlearn's grid_size).
    #[arg(long, default_value_t = 10, requires = "grid_search")]
    pub grid_size: usize,
    /// With --grid-search: the largest multiplier (Fairlearn's grid_limit).
    #[arg(long, default_value_t = 2.0, requires = "grid_search")]
    pub grid_limit: f64,
    /// With --exponentiated-gradient or --grid-search: demographic_parity,
    /// true_positive_rate_parity, false_positive_rate_parity or equalized_odds.
    #[arg(long, default_value = "demographic_parity")]
    pub constraint: String,
    /// With --exponentiated-gradient: the bound on each group's difference from the overall
    /// rate (Fairlearn's difference_bound).
    #[arg(long, default_value_t = 0.01, requires = "exponentiated_gradient")]
    pub difference_bound: f64,
    /// With --exponentiated-gradient: Fairlearn's eps (the multipliers' bound is 1/eps).
    #[arg(long, default_value_t = 0.01, requires = "exponentiated_gradient")]
    pub eps: f64,
    /// With --exponentiated-gradient: most iterations.
    #[arg(long, default_value_t = 50, requires = "exponentiated_gradient")]
    pub max_iter: usize,
    /// With --exponentiated-gradient: the seed of the decisions' draws.
    #[arg(long, default_value_t = 0, requires = "exponentiated_gradient")]
    pub draw_seed: u64,
    /// Reweigh the training rows (Kamiran & Calders) so that every group of these protected
    /// attributes (their intersections when several) has the overall base rate. The
    /// attributes are read at training only, never at scoring; the model records it.
    #[arg(long, value_name = "ATTR[,ATTR...]", value_delimiter = ',')]
    pub reweigh: Vec<String>,
    /// With --reweigh: cells (group, label) with fewer rows are flagged as unreliable.
    #[arg(long, default_value_t = fairgate::train::DEFAULT_MIN_CELL, value_name = "N")]
    pub min_cell_size: u64,
    /// Share of the consented rows held out (stratified) for validation; 0 trains on all.
    #[arg(long, default_value_t = 0.3)]
    pub test_size: f64,
    /// Stratified k-fold cross-validation folds on the training rows (0: none).
    #[arg(long, default_value_t = 0, value_name = "K")]
    pub cv: usize,
    /// Seed of the split and the folds.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Solver of a logistic model: fairgate's Newton (default) or linfa-logistic (reference).
    #[arg(long, value_enum, default_value_t = SolverArg::Newton)]
    pub solver: SolverArg,
    /// Most distinct values a categorical feature may have.
    #[arg(long, default_value_t = 100)]
    pub max_levels: usize,
    /// The decision threshold recorded in the model (score >= threshold is positive).
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// The creation time recorded in the model (ISO 8601), for reproducible files; default:
    /// SOURCE_DATE_EPOCH if set, else now.
    #[arg(long, value_name = "TIME")]
    pub created: Option<String>,
    /// The model file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The training data and its column roles. Last, because its help heading applies to
    /// the options after it.
    #[command(flatten)]
    pub data: DataArgs,
}

/// `--model` of train.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// L2-regularised logistic regression.
    Logistic,
    /// Points rules with a logistic calibration of the total.
    Points,
}

/// `--class-weight`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClassWeightArg {
    /// Every row weighs 1.
    None,
    /// Classes weighted inversely to their frequency.
    Balanced,
}

/// `--solver`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SolverArg {
    /// Newton's method (exact, weighted, threaded).
    Newton,
    /// linfa-logistic's L-BFGS.
    Linfa,
}

/// `fairgate score`.
#[derive(Debug, ClapArgs)]
pub struct ScoreArgs {
    /// The model file written by `fairgate train`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// The CSV file to score.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Where to write the scored CSV (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Consent flag column (default: the model's).
    #[arg(long, value_name = "COL")]
    pub consent: Option<String>,
    /// Consent timestamp column (default: the model's).
    #[arg(long, value_name = "COL")]
    pub consent_timestamp: Option<String>,
    /// As-of date for consent timestamps (default: the model's).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Field delimiter (detected when not given).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// A field value meaning "missing" (repeatable).
    #[arg(long, value_name = "VALUE")]
    pub na: Option<Vec<String>>,
    /// On an invalid value: stop with an error (default), or skip the row and count it.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub on_invalid: Option<OnInvalidArg>,
    /// Also write the scoring summary (rows scored, excluded, rejected) as JSON here.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Write CSV cells exactly as they are, for programs that read the file. By default a
    /// cell that starts with = + - @ tab or CR and is not a number gets a leading ' so that
    /// a spreadsheet shows it as text instead of evaluating it (OWASP's CSV injection rule).
    #[arg(long)]
    pub raw_csv: bool,
}

/// `fairgate audit`.
#[derive(Debug, ClapArgs)]
#[command(mut_args(unused(SCORED_UNUSED)))]
pub struct AuditArgs {
    /// A score at or above this is a positive decision.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Groups with fewer rows are marked small and left out of the summaries.
    #[arg(long, default_value_t = 30)]
    pub min_group_size: u64,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Calibration bins: a number of equal-width bins (`10`) or `quantile:K` for bins at
    /// the score quantiles.
    #[arg(long, default_value = "10", value_name = "K|quantile:K")]
    pub bins: String,
    /// Bootstrap replicates for percentile intervals (Poisson bootstrap, one pass); 0 = off.
    #[arg(long, default_value_t = 0, value_name = "B")]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Also audit every combination of these protected columns' values, e.g. gender,age_band
    /// (repeatable).
    #[arg(long, value_name = "COLS")]
    pub intersect: Vec<String>,
    /// Reference group of an attribute, as ATTRIBUTE=VALUE (repeatable; for an intersection,
    /// `a x b=v1, v2`; it must be a group in the data). Default: the group with the highest
    /// selection rate.
    #[arg(long, value_name = "ATTR=VALUE")]
    pub reference: Vec<String>,
    /// Stop with an error when a protected column has more distinct values than this, or an
    /// intersection more possible groups (the product of its columns' values): such a column
    /// is usually an identifier or free text, and would make a group per row. 0: no limit.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub max_groups: usize,
    /// Audit these statistics files (from `fairgate stats`, or the query `fairgate sql`
    /// prints, run where the data lives) instead of a data file: CSV, Parquet, or a folder of
    /// parts as Spark writes a table. Several files (shards) are added together. The data
    /// options do not apply: the files name their columns.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["data", "config", "bootstrap", "postgres", "filter"])]
    pub from_stats: Vec<PathBuf>,
    /// Audit a table on this PostgreSQL server (a `postgresql://` URL or `key=value`
    /// string, `service=NAME` for an entry of the service file; `sslmode=disable|prefer|require`):
    /// the statistics query runs on the server and only aggregates come back. Also `postgres`
    /// in --config's [data]. The password: in the URL, PGPASSWORD, --password-file, the
    /// service file or ~/.pgpass; never written to any output.
    #[arg(long, value_name = "URL", conflicts_with_all = ["data", "bootstrap"])]
    pub postgres: Option<String>,
    /// With --postgres: the table (`schema.table`). Also `table` in --config's [data].
    #[arg(long, value_name = "NAME", conflicts_with = "query")]
    pub table: Option<String>,
    /// With --postgres: a query giving the rows (used as a sub-query). Also `query` in
    /// --config's [data].
    #[arg(long, value_name = "SQL")]
    pub query: Option<String>,
    /// With --postgres: read the password from the first line of this file. Also
    /// `password-file` in --config's [data].
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// The table format with every column, the rates with their intervals, unlimited in
    /// width. By default the table shows the rates' point values and the impact ratio's
    /// interval, fitted to the terminal's width (`COLUMNS` when set; 100 in a file).
    #[arg(long)]
    pub wide: bool,
    /// Where and how to write the result.
    #[command(flatten)]
    pub output: OutputArgs,
    /// The input file and its column roles (needs --label, --score or --prediction, and
    /// --protected). Last, because its help heading applies to the options after it.
    #[command(flatten)]
    pub data: DataArgs,
}

/// `fairgate stats`.
#[derive(Debug, ClapArgs)]
#[command(mut_args(unused(SCORED_UNUSED)))]
pub struct StatsArgs {
    /// The statistics file to write (CSV; `-` or absent: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Stop with an error when a protected column has more distinct values than this. 0: no
    /// limit.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub max_groups: usize,
    /// The input file and its column roles (needs --label, --score or --prediction, and
    /// --protected; --weight when weighted).
    #[command(flatten)]
    pub data: DataArgs,
}

/// `fairgate sql`.
#[derive(Debug, ClapArgs)]
#[command(mut_args(unused(SQL_UNUSED)))]
pub struct SqlArgs {
    /// The SQL dialect of the engine that will run the query.
    #[arg(long, value_enum)]
    pub dialect: DialectArg,
    /// The table holding the scored rows (`schema.table` parts are quoted one by one). Also
    /// `table` in --config's [data]; this or --query is needed.
    #[arg(long, value_name = "NAME", conflicts_with = "query")]
    pub table: Option<String>,
    /// A query giving the scored rows, used as a sub-query (SQL you mean as SQL). Also
    /// `query` in --config's [data].
    #[arg(long, value_name = "SQL")]
    pub query: Option<String>,
    /// Write the query to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The column roles (--label, --score or --prediction, --protected; --weight,
    /// --positive, --na as for a data file).
    #[command(flatten)]
    pub data: DataArgs,
}

/// SQL dialects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// PostgreSQL 12 or later.
    Postgres,
    /// DuckDB.
    Duckdb,
    /// Apache Spark SQL.
    Spark,
    /// Google BigQuery.
    Bigquery,
    /// Snowflake.
    Snowflake,
}

/// `fairgate datasets ...`.
#[derive(Debug, Subcommand)]
pub enum DatasetsCommand {
    /// Generate synthetic B2B marketing leads with documented injected biases.
    ///
    /// See datasets/README.md for the columns and the biases. The same seed gives the same
    /// bytes on every platform.
    #[command(after_help = examples::GENERATE)]
    Generate(GenerateArgs),
}

/// `fairgate datasets generate`.
#[derive(Debug, ClapArgs)]
pub struct GenerateArgs {
    /// Number of leads.
    #[arg(long, default_value_t = 20_000)]
    pub rows: usize,
    /// Seed of the random stream.
    #[arg(long, default_value_t = 20_260_630)]
    pub seed: u64,
    /// Output CSV file (`-` for standard output).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the ground truth columns true_propensity and converted_true.
    #[arg(long)]
    pub with_truth: bool,
}

/// `--format` and `--out`, shared by the commands that write a result.
#[derive(Debug, ClapArgs)]
pub struct OutputArgs {
    /// Output format [default: from --out's extension (.json, .md, .txt), else table].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Output formats of summaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A readable table.
    Table,
    /// JSON (the stable, machine-readable contract).
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
}

/// `inspect --format`: a readable table or JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    /// A readable table.
    Table,
    /// JSON (the stable, machine-readable contract).
    Json,
}

/// `fairgate inspect`.
#[derive(Debug, ClapArgs)]
pub struct InspectArgs {
    /// Treat every column without a role as a feature (except --exclude), so the summary
    /// covers the whole file.
    #[arg(long)]
    pub all_columns: bool,
    /// Output format (the profile has no Markdown form) [default: from --out's extension
    /// (.json, .txt), else table].
    #[arg(long, value_enum)]
    pub format: Option<InspectFormat>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The input file and its column roles. Last, because its help heading applies to the
    /// options after it.
    #[command(flatten)]
    pub data: DataArgs,
}

/// The input file, how to read it and the role of each column. The same names serve as keys
/// of the `[data]` table of a `--config` TOML file; flags override the file.
#[derive(Debug, Default, ClapArgs)]
#[command(next_help_heading = "Data")]
pub struct DataArgs {
    /// Input CSV file (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// TOML config file whose [data] table gives any of these settings.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Field delimiter: one character, or `tab`. Detected among , ; tab | when not given.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Label (observed outcome) column.
    #[arg(long, value_name = "COL")]
    pub label: Option<String>,
    /// The label value that counts as positive (default: 0/1, true/false or yes/no).
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,
    /// Score column: numbers in [0, 1] (another model's; train keeps it out of the features).
    #[arg(long, value_name = "COL")]
    pub score: Option<String>,
    /// Prediction (0/1 decision) column.
    #[arg(long, value_name = "COL")]
    pub prediction: Option<String>,
    /// Identifier column.
    #[arg(long, value_name = "COL")]
    pub id: Option<String>,
    /// Protected attribute columns, comma-separated.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub protected: Option<Vec<String>>,
    /// Feature columns, comma-separated.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    /// Columns never to use as features, comma-separated.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub exclude: Option<Vec<String>>,
    /// Consent flag column.
    #[arg(long, value_name = "COL")]
    pub consent: Option<String>,
    /// Column holding when consent was given (ISO 8601); with --as-of, a later consent does
    /// not count.
    #[arg(long, value_name = "COL")]
    pub consent_timestamp: Option<String>,
    /// The as-of date of the data (ISO 8601, e.g. 2026-06-30).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Timestamp columns (ISO 8601), comma-separated.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub timestamp: Option<Vec<String>>,
    /// Row weight column.
    #[arg(long, value_name = "COL")]
    pub weight: Option<String>,
    /// Feature columns to read as categories even if their values look numeric.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub categorical: Option<Vec<String>>,
    /// A field value meaning "missing" (repeatable; default: only the empty field).
    #[arg(long, value_name = "VALUE")]
    pub na: Option<Vec<String>>,
    /// On an invalid value: stop with an error (default), or skip the row and count it.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub on_invalid: Option<OnInvalidArg>,
    /// What a missing numeric feature value becomes.
    #[arg(long, value_enum, value_name = "RULE")]
    pub missing_numeric: Option<MissingNumericArg>,
    /// The longest field accepted, in bytes (default 65536).
    #[arg(long, value_name = "BYTES")]
    pub max_field_bytes: Option<usize>,
    /// With --on-invalid skip: the largest share of the rows read that may be rejected, from
    /// 0 to 1 (default 0.01); past it the command fails, saying what was rejected.
    #[arg(long, value_name = "SHARE")]
    pub max_rejected: Option<f64>,
    /// Use only the rows whose COLUMN is exactly VALUE, counting the others as filtered out
    /// (e.g. split=validation: the rows a model did not train on).
    #[arg(long, value_name = "COLUMN=VALUE")]
    pub filter: Option<String>,
}

/// `--on-invalid`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OnInvalidArg {
    /// Stop with an error naming the line and column.
    Error,
    /// Reject the row, count it by reason, and go on.
    Skip,
}

impl From<OnInvalidArg> for OnInvalid {
    fn from(a: OnInvalidArg) -> OnInvalid {
        match a {
            OnInvalidArg::Error => OnInvalid::Error,
            OnInvalidArg::Skip => OnInvalid::Skip,
        }
    }
}

/// `--missing-numeric`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MissingNumericArg {
    /// Training mean.
    Mean,
    /// Training median.
    Median,
    /// Zero.
    Zero,
    /// Reject the row.
    Reject,
}

impl From<MissingNumericArg> for MissingNumeric {
    fn from(a: MissingNumericArg) -> MissingNumeric {
        match a {
            MissingNumericArg::Mean => MissingNumeric::Mean,
            MissingNumericArg::Median => MissingNumeric::Median,
            MissingNumericArg::Zero => MissingNumeric::Zero,
            MissingNumericArg::Reject => MissingNumeric::Reject,
        }
    }
}

impl DataArgs {
    /// The flags as a spec, to lay over the config file's.
    pub fn flags_spec(&self) -> DataSpec {
        DataSpec {
            path: self.data.clone(),
            delimiter: self.delimiter.clone(),
            label: self.label.clone(),
            positive: self.positive.clone(),
            score: self.score.clone(),
            prediction: self.prediction.clone(),
            id: self.id.clone(),
            protected: self.protected.clone(),
            features: self.features.clone(),
            exclude: self.exclude.clone(),
            consent: self.consent.clone(),
            consent_timestamp: self.consent_timestamp.clone(),
            as_of: self.as_of.clone(),
            timestamp: self.timestamp.clone(),
            weight: self.weight.clone(),
            categorical: self.categorical.clone(),
            na: self.na.clone(),
            on_invalid: self.on_invalid.map(Into::into),
            missing_numeric: self.missing_numeric.map(Into::into),
            max_field_bytes: self.max_field_bytes,
            max_rejected: self.max_rejected,
            filter: self.filter.clone(),
            ..DataSpec::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Args::command().debug_assert();
    }

    /// Every command and subcommand below the root, with its path (`mitigate threshold`).
    fn commands() -> Vec<(String, clap::Command)> {
        fn walk(prefix: &str, c: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
            // clap's own `help` subcommands aside.
            for sub in c.get_subcommands().filter(|s| s.get_name() != "help") {
                let path = format!("{prefix}{}", sub.get_name()).trim().to_string();
                out.push((path.clone(), sub.clone()));
                walk(&format!("{path} "), sub, out);
            }
        }
        let mut cmd = Args::command();
        cmd.build();
        let mut out = Vec::new();
        walk("", &cmd, &mut out);
        out
    }

    /// The example lines of `c`'s help (after "Examples:", up to a blank line), each parsed;
    /// whether one runs the command at `path` itself.
    fn examples_parse(path: &str, c: &clap::Command) -> bool {
        let after = c
            .get_after_help()
            .map(|a| a.to_string())
            .unwrap_or_default();
        assert!(after.starts_with("Examples:\n"), "{path}: no examples");
        let lines: Vec<&str> = after
            .lines()
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .map(str::trim)
            .collect();
        assert!(!lines.is_empty(), "{path}: no examples");
        let mut own = false;
        for line in lines {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words.first(), Some(&"fairgate"), "{path}: {line}");
            if let Err(e) = Args::try_parse_from(&words) {
                panic!("{path}: the example `{line}` does not parse: {e}");
            }
            own |= line.starts_with(&format!("fairgate {path} ").replace("  ", " "));
        }
        own
    }

    #[test]
    fn every_command_has_a_one_line_summary_a_paragraph_and_examples_that_parse() {
        let all = commands();
        assert!(all.len() >= 20, "{} commands", all.len());
        assert!(examples_parse("", &Args::command()));
        for (path, c) in &all {
            let about = c.get_about().map(|a| a.to_string()).unwrap_or_default();
            assert!(
                !about.is_empty() && !about.contains('\n') && about.len() <= 90,
                "{path}: the summary must be one short line, is {about:?}"
            );
            // A group of commands (datasets) has its summary only.
            if c.get_name() != "datasets" {
                let long = c
                    .get_long_about()
                    .map(|a| a.to_string())
                    .unwrap_or_default();
                assert!(
                    long.starts_with(&about) && long.len() > about.len() + 20,
                    "{path}: the summary must be followed by a paragraph, is {long:?}"
                );
            }
            assert!(
                examples_parse(path, c),
                "{path}: no example runs the command itself"
            );
        }
    }

    #[test]
    fn a_command_refuses_and_hides_the_data_flags_it_does_not_use() {
        for (args, flag) in [
            (
                &["audit", "--data", "d.csv", "--features", "a"][..],
                "--features",
            ),
            (&["audit", "--data", "d.csv", "--consent", "c"], "--consent"),
            (&["audit", "--missing-numeric", "mean"], "--missing-numeric"),
            (&["gate", "--policy", "four-fifths", "--id", "x"], "--id"),
            (&["stats", "--categorical", "a"], "--categorical"),
            (&["sql", "--dialect", "duckdb", "--data", "d.csv"], "--data"),
            (
                &["mitigate", "reweigh", "--by", "a", "--features", "f"],
                "--features",
            ),
        ] {
            let mut argv = vec!["fairgate"];
            argv.extend_from_slice(args);
            match Args::try_parse_from(&argv) {
                Ok(_) => panic!("{args:?} parsed"),
                Err(e) => {
                    assert_eq!(
                        e.kind(),
                        clap::error::ErrorKind::UnknownArgument,
                        "{args:?}"
                    );
                    let text = e.to_string();
                    assert!(
                        text.contains(flag) && text.contains("does not use"),
                        "{text}"
                    );
                }
            }
        }
        // The flags they do use still parse, and help shows only those.
        for args in [
            &[
                "audit",
                "--data",
                "d.csv",
                "--label",
                "y",
                "--score",
                "s",
                "--protected",
                "g",
            ][..],
            &[
                "mitigate",
                "group-thresholds",
                "--by",
                "a",
                "--id",
                "lead_id",
            ],
            &[
                "mitigate",
                "reweigh",
                "--by",
                "a",
                "--consent",
                "c",
                "--id",
                "lead_id",
            ],
            &[
                "train",
                "--out",
                "m.json",
                "--features",
                "a,b",
                "--consent",
                "c",
            ],
            &[
                "inspect",
                "--features",
                "a",
                "--score",
                "s",
                "--consent",
                "c",
            ],
        ] {
            let mut argv = vec!["fairgate"];
            argv.extend_from_slice(args);
            if let Err(e) = Args::try_parse_from(&argv) {
                panic!("{args:?}: {e}");
            }
        }
        let help = |path: &str| {
            let mut c = Args::command();
            for name in path.split(' ') {
                c = c
                    .find_subcommand_mut(name)
                    .map(|s| s.clone())
                    .unwrap_or_default();
            }
            c.render_long_help().to_string()
        };
        let audit = help("audit");
        assert!(audit.contains("--protected") && audit.contains("--score"));
        for flag in ["--features", "--consent", "--missing-numeric", "--exclude"] {
            assert!(!audit.contains(flag), "audit --help shows {flag}");
        }
        assert!(!help("sql").contains("--delimiter"));
        assert!(help("train").contains("--features") && help("train").contains("--score"));
    }

    #[test]
    fn every_unused_flag_is_a_data_flag_whose_setting_is_cleared() {
        // The data flags are those of the Data heading (every command's DataArgs).
        let data_flags: Vec<String> = Args::command()
            .find_subcommand("inspect")
            .map(|c| {
                c.get_arguments()
                    .filter(|a| a.get_help_heading() == Some("Data"))
                    .map(|a| a.get_id().to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert!(data_flags.len() >= 20, "{data_flags:?}");
        // Each flag as the spec holds it when a config or the flag sets it: clearing it
        // leaves the empty spec, so it clears that setting and no other.
        let set = |id: &str| -> Option<DataSpec> {
            let argv: Vec<String> = ["fairgate", "inspect"]
                .iter()
                .map(|s| s.to_string())
                .chain([
                    format!("--{}", id.replace('_', "-")),
                    match id {
                        "on_invalid" => "skip".into(),
                        "missing_numeric" => "zero".into(),
                        "max_field_bytes" => "10".into(),
                        "max_rejected" => "0.5".into(),
                        "filter" => "c=v".into(),
                        _ => "x".into(),
                    },
                ])
                .collect();
            let parsed = Args::try_parse_from(&argv).ok()?;
            let Command::Inspect(i) = parsed.command else {
                return None;
            };
            Some(i.data.flags_spec())
        };
        for list in [
            SCORED_UNUSED,
            SCORED_WITH_ID_UNUSED,
            SQL_UNUSED,
            REWEIGH_UNUSED,
        ] {
            for id in list.iter().flat_map(|ids| ids.iter()) {
                assert!(
                    data_flags.iter().any(|f| f == id),
                    "{id} is not a data flag"
                );
                let spec = set(id).unwrap_or_else(|| panic!("--{id} does not parse"));
                assert_ne!(spec, DataSpec::default(), "--{id} sets nothing");
                assert_eq!(without(spec, &[&[id]]), DataSpec::default(), "{id}");
            }
        }
        // What a command uses stays.
        let spec = without(
            DataSpec {
                id: Some("lead_id".into()),
                consent: Some("consent".into()),
                score: Some("s".into()),
                ..DataSpec::default()
            },
            SCORED_UNUSED,
        );
        assert_eq!(
            (spec.id, spec.consent, spec.score),
            (None, None, Some("s".into()))
        );
    }

    #[test]
    fn the_usage_line_names_the_required_options() {
        let mut c = Args::command();
        let audit = c
            .find_subcommand_mut("audit")
            .map(|s| s.render_usage().to_string());
        let audit = audit.unwrap_or_default();
        for part in [
            "--data FILE",
            "--label COL",
            "(--score COL | --prediction COL)",
            "--protected COLS",
            "--config FILE",
        ] {
            assert!(audit.contains(part), "{audit}");
        }
    }

    #[test]
    fn parses_generate() -> Result<(), clap::Error> {
        let a = Args::try_parse_from([
            "fairgate", "datasets", "generate", "--rows", "10", "--seed", "3", "--out", "x.csv",
        ])?;
        match a.command {
            Command::Datasets(DatasetsCommand::Generate(g)) => {
                assert_eq!((g.rows, g.seed, g.with_truth), (10, 3, false));
            }
            other => panic!("parsed as {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn parses_data_flags() -> Result<(), clap::Error> {
        let a = Args::try_parse_from([
            "fairgate",
            "inspect",
            "--data",
            "d.csv",
            "--protected",
            "gender,age_band",
            "--na",
            "NA",
            "--na",
            "null",
            "--on-invalid",
            "skip",
        ])?;
        let Command::Inspect(i) = a.command else {
            panic!("not inspect");
        };
        let spec = i.data.flags_spec();
        assert_eq!(spec.protected.map(|v| v.len()), Some(2));
        assert_eq!(spec.na.map(|v| v.len()), Some(2));
        assert_eq!(spec.on_invalid, Some(OnInvalid::Skip));
        Ok(())
    }

    #[test]
    fn rejects_unknown_policy() {
        let r = Args::try_parse_from(["fairgate", "inspect", "--on-invalid", "ignore"]);
        assert!(r.is_err());
    }
}

/// What an output file's extension says it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `.json`.
    Json,
    /// `.md` or `.markdown`.
    Markdown,
    /// `.txt`: a table or plain text.
    Text,
}

impl FileKind {
    /// The kind `path`'s extension names (case-insensitive), if any.
    pub fn of(path: &std::path::Path) -> Option<FileKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(FileKind::Json),
            "md" | "markdown" => Some(FileKind::Markdown),
            "txt" => Some(FileKind::Text),
            _ => None,
        }
    }
}

/// A `--format` value and the kind of file it writes.
pub trait OutputFormat: Copy + ValueEnum {
    /// The kind of file this format writes.
    fn kind(self) -> FileKind;
    /// The format when neither `--format` nor a known extension gives one.
    const DEFAULT: Self;
}

impl OutputFormat for FormatArg {
    fn kind(self) -> FileKind {
        match self {
            FormatArg::Table => FileKind::Text,
            FormatArg::Json => FileKind::Json,
            FormatArg::Markdown => FileKind::Markdown,
        }
    }
    const DEFAULT: Self = FormatArg::Table;
}

impl OutputFormat for InspectFormat {
    fn kind(self) -> FileKind {
        match self {
            InspectFormat::Table => FileKind::Text,
            InspectFormat::Json => FileKind::Json,
        }
    }
    const DEFAULT: Self = InspectFormat::Table;
}

impl OutputFormat for SubjectFormat {
    fn kind(self) -> FileKind {
        match self {
            SubjectFormat::Text => FileKind::Text,
            SubjectFormat::Json => FileKind::Json,
            SubjectFormat::Markdown => FileKind::Markdown,
        }
    }
    const DEFAULT: Self = SubjectFormat::Json;
}

/// The format to write: `--format` when given, else the one `--out`'s extension names (`.json`,
/// `.md`, `.txt`), else the command's default. A `--format` that contradicts the extension, or
/// an extension naming a format the command does not write, is a usage error naming both.
pub fn output_format<F: OutputFormat>(
    given: Option<F>,
    out: Option<&std::path::Path>,
) -> Result<F, String> {
    let name = |f: F| {
        f.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    };
    let Some((path, kind)) = out.and_then(|p| FileKind::of(p).map(|k| (p, k))) else {
        return Ok(given.unwrap_or(F::DEFAULT));
    };
    let matching = F::value_variants()
        .iter()
        .copied()
        .find(|f| f.kind() == kind);
    match (given, matching) {
        (Some(f), _) if f.kind() == kind => Ok(f),
        (Some(f), Some(m)) => Err(format!(
            "--format {} does not match --out {}: its extension names {}; give --format {} or leave --format out, or name the file for what it holds",
            name(f),
            path.display(),
            name(m),
            name(m)
        )),
        (Some(f), None) => Err(format!(
            "--format {} does not match --out {}: name the file for what it holds",
            name(f),
            path.display()
        )),
        (None, Some(m)) => Ok(m),
        (None, None) => {
            let offered: Vec<String> = F::value_variants().iter().map(|f| name(*f)).collect();
            Err(format!(
                "--out {}: this command writes {}, not what the extension names; name the file for what it holds",
                path.display(),
                offered.join(" or ")
            ))
        }
    }
}

impl OutputArgs {
    /// The format to write, from `--format` and `--out` (see [`output_format`]).
    pub fn format(&self) -> Result<FormatArg, String> {
        output_format(self.format, self.out.as_deref())
    }
}
