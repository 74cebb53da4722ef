//! Policies and the pass/fail gate: rules over the audit (and the model and explanation)
//! judged on intervals, not only on point estimates.
//!
//! A policy is a TOML file: a `[policy]` table with defaults and `[[rule]]` tables, each with
//! an `id`, a `severity` (`error` or `warn`), a `message`, a `metric` and a `min` and/or `max`.
//! A rule is checked once per subject: each group of each audited attribute (group metrics),
//! each attribute (summary metrics), the model (model metrics) or each feature and attribute
//! pair (proxy metrics). Each check is one of:
//!
//! - **PASS**: in `interval` mode the whole interval is on the right side of the threshold
//!   (for `min`: the lower bound is at least `min`); in `point` mode the estimate is.
//! - **FAIL**: the whole interval is on the wrong side (for `min`: the upper bound is below
//!   `min`); in `point` mode, the estimate is.
//! - **INCONCLUSIVE**: the interval straddles the threshold: the data cannot tell. With
//!   `significance = ALPHA` on a comparison with the reference group (disparate impact), a
//!   group whose estimate is on the wrong side but whose difference from the reference is not
//!   significant at ALPHA (Holm-adjusted p-value) is also inconclusive.
//! - an **undefined** comparison (no value, such as a TPR without positives, or a segment
//!   smaller than the audit's minimum size, or evidence that was not given) gets the outcome
//!   the policy chooses (`undefined = "fail" | "warn" | "inconclusive"`), never a pass.
//!
//! A rule's outcome is its worst check. A failed `warn` rule shows as WARN and never blocks;
//! a failed `error` rule blocks; an inconclusive `error` rule blocks when the policy says
//! `inconclusive-blocks = true`. Where a metric has no interval (most summaries without
//! `--bootstrap`, model metrics), interval mode falls back to the estimate and says so.

mod judge;
mod output;

use crate::audit::key;
use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::audit::AuditReport;
use crate::file_error::FileError;
use crate::provenance::{FileRef, PolicyRef};
use crate::text::line_of;
use crate::train::Model;

pub use output::{to_junit, to_markdown, to_text};

/// Errors of a policy or of the evidence it is applied to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The policy or an evidence file cannot be read or is not valid (the message names the
    /// line where it has one).
    #[error(transparent)]
    File(#[from] FileError),
}

/// How a check is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// On the interval: PASS, FAIL or INCONCLUSIVE.
    Interval,
    /// On the point estimate: PASS or FAIL.
    Point,
}

/// The outcome of an undefined comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UndefinedOutcome {
    /// It fails the rule.
    Fail,
    /// It warns.
    Warn,
    /// It is inconclusive.
    Inconclusive,
}

/// The outcome of a check whose evidence was not given (no model file, no explanation, and
/// nothing declared in `context.toml` instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingEvidence {
    /// It fails the rule.
    Fail,
    /// It is inconclusive.
    Inconclusive,
    /// The rule does not apply: it neither passes nor blocks.
    NotApplicable,
}

/// What a person declares that fairgate cannot measure from the files it is given (the
/// `[declared]` table of `context.toml`): for a model trained elsewhere, its features and the
/// figures its owner measured in the source system. A policy judges a declared figure where
/// the computed one is missing and marks the check as declared, never as computed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Declared {
    /// Where the declared figures come from (a system, a document, a person).
    pub source: Option<String>,
    /// The model's input features.
    pub features: Option<Vec<String>>,
    /// The share of the records the model could have used that had a lawful basis, in [0, 1].
    pub consent_coverage: Option<f64>,
    /// The model's AUC on held-out data, in [0, 1].
    pub model_auc: Option<f64>,
    /// The largest association (Cramér's V or correlation ratio) between a feature and a
    /// protected attribute, in [0, 1].
    pub proxy_association: Option<f64>,
    /// The largest proxy AUC (how well one feature predicts a protected attribute), in [0, 1].
    pub proxy_auc: Option<f64>,
}

impl Declared {
    /// The declared figure for a model or proxy metric, if any.
    pub fn figure(&self, metric: &str) -> Option<f64> {
        match metric {
            "consent_coverage" => self.consent_coverage,
            "model_auc" => self.model_auc,
            "proxy_association" => self.proxy_association,
            "proxy_auc" => self.proxy_auc,
            _ => None,
        }
    }

    /// Checks that every figure lies in [0, 1]; the error names the key.
    pub fn check(&self) -> Result<(), String> {
        for (key, v) in [
            ("consent-coverage", self.consent_coverage),
            ("model-auc", self.model_auc),
            ("proxy-association", self.proxy_association),
            ("proxy-auc", self.proxy_auc),
        ] {
            if let Some(x) = v {
                if !(0.0..=1.0).contains(&x) {
                    return Err(format!(
                        "declared.{key}: expected a number from 0 to 1, found {x}"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A rule's severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// A failure blocks (exit code 1).
    Error,
    /// A failure is reported as a warning.
    Warn,
}

/// The `[policy]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct PolicyTable {
    name: Option<String>,
    description: Option<String>,
    #[serde(default)]
    inconclusive_blocks: bool,
    undefined: Option<UndefinedOutcome>,
    missing_evidence: Option<MissingEvidence>,
    mode: Option<Mode>,
}

/// A `[[rule]]` table as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RuleTable {
    id: Spanned<String>,
    severity: Option<Severity>,
    message: Option<String>,
    metric: Spanned<String>,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
    attributes: Option<Vec<Spanned<String>>>,
    mode: Option<Mode>,
    significance: Option<Spanned<f64>>,
    undefined: Option<UndefinedOutcome>,
    missing_evidence: Option<MissingEvidence>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    policy: Option<PolicyTable>,
    #[serde(default)]
    rule: Vec<Spanned<RuleTable>>,
}

/// What a metric is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Each group of each audited attribute.
    Group,
    /// Each audited attribute's disparity summary.
    Summary,
    /// The model file.
    Model,
    /// Each feature and protected attribute pair of the explanation.
    Proxy,
}

/// The metrics a rule can name: scope and the range a threshold must lie in.
const METRICS: &[(&str, Scope, f64, f64)] = &[
    ("n", Scope::Group, 0.0, f64::INFINITY),
    (key::SELECTION_RATE, Scope::Group, 0.0, 1.0),
    (key::SCORING_RATE, Scope::Group, 0.0, 1.0),
    (key::BASE_RATE, Scope::Group, 0.0, 1.0),
    (key::TPR, Scope::Group, 0.0, 1.0),
    (key::FPR, Scope::Group, 0.0, 1.0),
    (key::FNR, Scope::Group, 0.0, 1.0),
    (key::TNR, Scope::Group, 0.0, 1.0),
    (key::PPV, Scope::Group, 0.0, 1.0),
    (key::NPV, Scope::Group, 0.0, 1.0),
    (key::FDR, Scope::Group, 0.0, 1.0),
    (key::FOR, Scope::Group, 0.0, 1.0),
    (key::ACCURACY, Scope::Group, 0.0, 1.0),
    (key::BALANCED_ACCURACY, Scope::Group, 0.0, 1.0),
    (key::F1, Scope::Group, 0.0, 1.0),
    (key::AUC, Scope::Group, 0.0, 1.0),
    (key::BRIER, Scope::Group, 0.0, 1.0),
    (key::LOG_LOSS, Scope::Group, 0.0, f64::INFINITY),
    (key::MEAN_SCORE, Scope::Group, 0.0, 1.0),
    (key::ECE, Scope::Group, 0.0, 1.0),
    (key::MCE, Scope::Group, 0.0, 1.0),
    (
        key::CALIBRATION_SLOPE,
        Scope::Group,
        f64::NEG_INFINITY,
        f64::INFINITY,
    ),
    (
        key::CALIBRATION_INTERCEPT,
        Scope::Group,
        f64::NEG_INFINITY,
        f64::INFINITY,
    ),
    (key::CALIBRATION_IN_THE_LARGE, Scope::Group, -1.0, 1.0),
    (key::HOSMER_LEMESHOW_P, Scope::Group, 0.0, 1.0),
    (key::DISPARATE_IMPACT, Scope::Group, 0.0, f64::INFINITY),
    (key::SELECTION_RATE_DIFFERENCE, Scope::Group, -1.0, 1.0),
    (key::AVERAGE_ODDS_DIFFERENCE, Scope::Group, -1.0, 1.0),
    (key::DEMOGRAPHIC_PARITY_DIFFERENCE, Scope::Summary, 0.0, 1.0),
    (key::DEMOGRAPHIC_PARITY_RATIO, Scope::Summary, 0.0, 1.0),
    (key::EQUALIZED_ODDS_DIFFERENCE, Scope::Summary, 0.0, 1.0),
    (key::EQUALIZED_ODDS_RATIO, Scope::Summary, 0.0, 1.0),
    (key::EQUAL_OPPORTUNITY_DIFFERENCE, Scope::Summary, 0.0, 1.0),
    (key::PREDICTIVE_PARITY_DIFFERENCE, Scope::Summary, 0.0, 1.0),
    (key::ECE_GAP, Scope::Summary, 0.0, 1.0),
    (key::THEIL_INDEX, Scope::Summary, 0.0, f64::INFINITY),
    ("consent_coverage", Scope::Model, 0.0, 1.0),
    ("model_auc", Scope::Model, 0.0, 1.0),
    ("proxy_association", Scope::Proxy, 0.0, 1.0),
    ("proxy_auc", Scope::Proxy, 0.0, 1.0),
];

/// One rule, checked.
#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// Error or warn.
    pub severity: Severity,
    /// What it means, in words.
    pub message: String,
    /// The metric.
    pub metric: String,
    /// What it is measured on.
    pub scope: Scope,
    /// The value must be at least this.
    pub min: Option<f64>,
    /// The value must be at most this.
    pub max: Option<f64>,
    /// Only these attributes (all when empty).
    pub attributes: Vec<String>,
    /// How it is judged.
    pub mode: Mode,
    /// With a comparison against the reference: a failure must also be significant at this
    /// level (Holm-adjusted).
    pub significance: Option<f64>,
    /// The outcome of an undefined comparison.
    pub undefined: UndefinedOutcome,
    /// The outcome of a check whose evidence was not given (by default, `undefined`'s).
    pub missing_evidence: Option<MissingEvidence>,
    /// The line of the rule in the policy file, and of each attribute name.
    #[serde(skip)]
    lines: (usize, Vec<usize>),
}

/// A policy: its defaults and rules.
#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    /// The file it came from.
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Whether an inconclusive error rule blocks.
    pub inconclusive_blocks: bool,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
}

impl Policy {
    /// Reads and checks a policy file; every error names the line.
    pub fn from_path(path: &Path) -> Result<Policy, PolicyError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| FileError::read(shown.clone(), e))?;
        let text = String::from_utf8(bytes.clone())
            .map_err(|_| FileError::invalid(shown.clone(), Some(1), "not UTF-8 text"))?;
        let mut policy = Policy::parse(&text, &shown)?;
        policy.sha256 = crate::text::sha256_hex(&bytes);
        Ok(policy)
    }

    /// The shipped four-fifths policy (`datasets/policy-four-fifths.toml`, built into the
    /// binary): what the report judges with when it is given no gate result.
    pub fn four_fifths() -> Policy {
        match Policy::built_in("four-fifths") {
            Some(p) => p,
            // BUILT_IN lists it; its text is parsed by a unit test.
            None => unreachable!("the built-in four-fifths policy is missing or invalid"),
        }
    }

    /// A policy built into the binary, by its name (`four-fifths`, `gdpr-strict`; see
    /// [`BUILT_IN`]) or by the path evidence records for it (`built-in:policy-NAME.toml`).
    /// `None` for any other name (or, which a unit test rules out, a shipped file that does
    /// not parse).
    pub fn built_in(name: &str) -> Option<Policy> {
        let name = name
            .strip_prefix("built-in:policy-")
            .and_then(|n| n.strip_suffix(".toml"))
            .unwrap_or(name);
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name)?;
        let mut policy = Policy::parse(text, &built_in_path(name)).ok()?;
        policy.sha256 = crate::text::sha256_hex(text.as_bytes());
        Some(policy)
    }

    /// A `--policy` argument: a built-in policy by its name (see [`BUILT_IN`]) or by the
    /// path evidence records for it (`built-in:policy-NAME.toml`) when no file of that name
    /// exists, else the policy file at `arg`.
    pub fn load(arg: &Path) -> Result<Policy, PolicyError> {
        match arg.to_str().filter(|_| !arg.is_file()) {
            Some(name)
                if Policy::built_in_name(name).is_some() || name.starts_with("built-in:") =>
            {
                Policy::built_in(name).ok_or_else(|| {
                    FileError::invalid(
                        arg.display().to_string(),
                        None,
                        format!(
                            "not a built-in policy of this fairgate (it has {})",
                            BUILT_IN.map(|(n, _)| n).join(", ")
                        ),
                    )
                    .into()
                })
            }
            _ => Policy::from_path(arg),
        }
    }

    /// `arg` when it is exactly a built-in policy's name.
    pub fn built_in_name(arg: &str) -> Option<&str> {
        BUILT_IN.iter().map(|(n, _)| *n).find(|n| *n == arg)
    }

    /// Parses and checks a policy from its text (`path` names it in errors).
    pub fn parse(text: &str, path: &str) -> Result<Policy, PolicyError> {
        let invalid = |line: usize, message: String| {
            PolicyError::from(FileError::invalid(path, Some(line), message))
        };
        let file: PolicyFile = toml::from_str(text).map_err(|e| FileError::toml(path, text, &e))?;
        let table = file.policy.unwrap_or(PolicyTable {
            name: None,
            description: None,
            inconclusive_blocks: false,
            undefined: None,
            missing_evidence: None,
            mode: None,
        });
        if file.rule.is_empty() {
            return Err(invalid(
                line_of(text, text.len()),
                "the policy has no [[rule]]".into(),
            ));
        }
        let mut rules = Vec::new();
        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        for spanned in file.rule {
            let rule_line = line_of(text, spanned.span().start);
            let r = spanned.into_inner();
            let at = |s: std::ops::Range<usize>| line_of(text, s.start);
            let id = r.id.get_ref().trim().to_string();
            if id.is_empty() {
                return Err(invalid(
                    at(r.id.span()),
                    "a rule id must not be empty".into(),
                ));
            }
            if let Some(first) = ids.insert(id.clone(), rule_line) {
                return Err(invalid(
                    at(r.id.span()),
                    format!("rule id \"{id}\" is used twice (first on line {first})"),
                ));
            }
            let metric = r.metric.get_ref().clone();
            let Some(&(_, scope, lo, hi)) = METRICS.iter().find(|m| m.0 == metric) else {
                let known: Vec<&str> = METRICS.iter().map(|m| m.0).collect();
                return Err(invalid(
                    at(r.metric.span()),
                    format!(
                        "rule \"{id}\": unknown metric \"{metric}\"; known: {}",
                        known.join(", ")
                    ),
                ));
            };
            for bound in [&r.min, &r.max].into_iter().flatten() {
                let v = *bound.get_ref();
                if !v.is_finite() || v < lo || v > hi {
                    return Err(invalid(
                        at(bound.span()),
                        format!(
                            "rule \"{id}\": threshold {v} is out of range for {metric}, which lies in [{lo}, {hi}]"
                        ),
                    ));
                }
            }
            let (min, max) = (r.min.map(|m| *m.get_ref()), r.max.map(|m| *m.get_ref()));
            match (min, max) {
                (None, None) => {
                    return Err(invalid(
                        rule_line,
                        format!("rule \"{id}\": give min, max or both"),
                    ))
                }
                (Some(a), Some(b)) if a > b => {
                    return Err(invalid(
                        rule_line,
                        format!("rule \"{id}\": min {a} is above max {b}"),
                    ))
                }
                _ => {}
            }
            if let Some(sig) = &r.significance {
                let a = *sig.get_ref();
                if !(a > 0.0 && a < 1.0) {
                    return Err(invalid(
                        at(sig.span()),
                        format!("rule \"{id}\": significance must be strictly between 0 and 1, found {a}"),
                    ));
                }
                if metric != key::DISPARATE_IMPACT && metric != key::SELECTION_RATE_DIFFERENCE {
                    return Err(invalid(
                        at(sig.span()),
                        format!("rule \"{id}\": significance applies to comparisons with the reference group (disparate_impact, selection_rate_difference), not {metric}"),
                    ));
                }
            }
            let attrs = r.attributes.unwrap_or_default();
            if !attrs.is_empty() && scope == Scope::Model {
                return Err(invalid(
                    at(attrs[0].span()),
                    format!("rule \"{id}\": {metric} is a model metric; it has no attributes"),
                ));
            }
            rules.push(Rule {
                id,
                severity: r.severity.unwrap_or(Severity::Error),
                message: r.message.unwrap_or_default(),
                metric,
                scope,
                min,
                max,
                lines: (rule_line, attrs.iter().map(|a| at(a.span())).collect()),
                attributes: attrs.into_iter().map(Spanned::into_inner).collect(),
                mode: r.mode.or(table.mode).unwrap_or(Mode::Interval),
                significance: r.significance.map(|s| *s.get_ref()),
                undefined: r
                    .undefined
                    .or(table.undefined)
                    .unwrap_or(UndefinedOutcome::Inconclusive),
                missing_evidence: r.missing_evidence.or(table.missing_evidence),
            });
        }
        Ok(Policy {
            path: path.to_string(),
            sha256: String::new(),
            name: table.name.unwrap_or_else(|| path.to_string()),
            description: table.description,
            inconclusive_blocks: table.inconclusive_blocks,
            rules,
        })
    }
}

/// The path shown for the built-in four-fifths policy ([`Policy::four_fifths`]).
pub const BUILT_IN_FOUR_FIFTHS: &str = "built-in:policy-four-fifths.toml";

/// The path evidence records for the built-in policy `name`: `built-in:policy-NAME.toml`.
pub fn built_in_path(name: &str) -> String {
    format!("built-in:policy-{name}.toml")
}

/// The policies built into the binary: the name `--policy` takes and the shipped file's text
/// (`datasets/policy-NAME.toml`).
pub const BUILT_IN: [(&str, &str); 2] = [
    (
        "four-fifths",
        include_str!("../../datasets/policy-four-fifths.toml"),
    ),
    (
        "gdpr-strict",
        include_str!("../../datasets/policy-gdpr-strict.toml"),
    ),
];

/// What a policy is applied to: an audit, and optionally the model and its explanation.
pub struct Evidence {
    /// The audit.
    pub audit: AuditReport,
    /// The audit file's path and SHA-256.
    pub audit_file: FileRef,
    /// The model, when given.
    pub model: Option<Model>,
    /// The explanation (`fairgate explain --format json`), when given.
    pub explain: Option<crate::explain::Explanation>,
    /// What a person declared in place of evidence fairgate could not compute.
    pub declared: Declared,
}

fn read_file(p: &Path) -> Result<Vec<u8>, PolicyError> {
    std::fs::read(p).map_err(|e| FileError::read(p.display().to_string(), e).into())
}

fn bad(p: &Path, message: String) -> PolicyError {
    FileError::invalid(p.display().to_string(), None, message).into()
}

impl Evidence {
    /// Reads the audit file, then the model and explanation files.
    pub fn load(
        audit: &Path,
        model: Option<&Path>,
        explain: Option<&Path>,
    ) -> Result<Evidence, PolicyError> {
        let bytes = read_file(audit)?;
        let parsed: AuditReport = serde_json::from_slice(&bytes).map_err(|e| {
            bad(
                audit,
                format!(
                    "line {}, column {}: not a fairgate audit JSON (fairgate audit --format json): {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        parsed
            .check()
            .map_err(|e| bad(audit, format!("not a consistent audit: {e}")))?;
        let file = FileRef::new(crate::output::shown(audit), crate::text::sha256_hex(&bytes));
        Evidence::new(parsed, file, model, explain)
    }

    /// An audit made in this process (named by `audit_file`: a description and a SHA-256),
    /// with the model and explanation files read from disk.
    pub fn new(
        audit: AuditReport,
        audit_file: FileRef,
        model: Option<&Path>,
        explain: Option<&Path>,
    ) -> Result<Evidence, PolicyError> {
        let model = match model {
            Some(p) => {
                read_file(p)?;
                Some(Model::from_path(p).map_err(|e| match e {
                    // A file error names the file already.
                    crate::train::TrainError::File(f) => PolicyError::File(f),
                    other => bad(p, other.to_string()),
                })?)
            }
            None => None,
        };
        let explain = match explain {
            Some(p) => {
                let bytes = read_file(p)?;
                Some(crate::explain::Explanation::from_json(&bytes).map_err(|e| bad(p, e))?)
            }
            None => None,
        };
        Ok(Evidence {
            audit,
            audit_file,
            model,
            explain,
            declared: Declared::default(),
        })
    }
}

/// The outcome of one check, or of a rule.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The rule does not apply: its evidence was not given and the policy says
    /// `missing-evidence = "not-applicable"`. Never blocks.
    NotApplicable,
    /// Met.
    Pass,
    /// Not met by a warn rule, or an undefined comparison the policy marks as a warning.
    Warn,
    /// The data cannot tell.
    Inconclusive,
    /// Not met.
    Fail,
}

impl Status {
    /// The word shown.
    pub fn word(self) -> &'static str {
        match self {
            Status::NotApplicable => "NOT APPLICABLE",
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Inconclusive => "INCONCLUSIVE",
            Status::Fail => "FAIL",
        }
    }
}

/// One subject checked against a rule.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Check {
    /// What was checked: `attribute=group`, an attribute, `model`, or `feature ~ attribute`.
    pub subject: String,
    /// The estimate.
    pub value: Option<f64>,
    /// The interval judged, when there was one.
    pub low: Option<f64>,
    /// See `low`.
    pub high: Option<f64>,
    /// The outcome.
    pub status: Status,
    /// Why, in words.
    pub note: String,
}

/// A rule's result.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleResult {
    /// The rule's id.
    pub id: String,
    /// Its severity.
    pub severity: Severity,
    /// Its message.
    pub message: String,
    /// The metric.
    pub metric: String,
    /// The threshold in words, such as `>= 0.8`.
    pub threshold: String,
    /// The judging mode.
    pub mode: Mode,
    /// The rule's status (a failed warn rule is WARN).
    pub status: Status,
    /// Whether it blocks (exit code 1).
    pub blocking: bool,
    /// The check that decided the status (the worst status, then the smallest margin to the
    /// threshold), by index into `checks`.
    pub decisive: Option<usize>,
    /// Every check.
    pub checks: Vec<Check>,
}

/// The version of the gate result's JSON layout. Version 2 added this field and names the
/// fields version 1 (which had none) wrote as arrays (`policy`, `audit`); version 1 files
/// still read.
pub const GATE_SCHEMA_VERSION: u32 = 2;

fn version_1() -> u32 {
    1
}

/// The gate's result.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GateResult {
    /// [`GATE_SCHEMA_VERSION`] (1 when a file has none).
    #[serde(default = "version_1")]
    pub schema_version: u32,
    /// fairgate's version.
    pub fairgate_version: String,
    /// The policy: name, file and SHA-256.
    pub policy: PolicyRef,
    /// The audit judged: file and SHA-256.
    pub audit: FileRef,
    /// Whether an inconclusive error rule blocks.
    pub inconclusive_blocks: bool,
    /// True when no rule blocks.
    pub passed: bool,
    /// Rules by status.
    pub counts: BTreeMap<String, usize>,
    /// Every rule, in policy order.
    pub rules: Vec<RuleResult>,
    /// What a person declared in place of evidence (`context.toml`'s `[declared]`), when
    /// anything was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<Declared>,
}

impl GateResult {
    /// The ids of the rules that block.
    pub fn blocking(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.blocking)
            .map(|r| r.id.as_str())
            .collect()
    }

    /// The result as pretty JSON with a final newline (stable: the same inputs give the same
    /// bytes).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

/// Applies the policy to the evidence. Errors when a rule names an attribute the audit does
/// not have (naming the policy's line).
pub fn evaluate(policy: &Policy, ev: &Evidence) -> Result<GateResult, PolicyError> {
    let mut results = Vec::new();
    for rule in &policy.rules {
        judge::known_attributes(policy, rule, ev)?;
        let checks = match rule.scope {
            Scope::Group => judge::group_checks(rule, ev),
            Scope::Summary => judge::summary_checks(rule, ev),
            Scope::Model => judge::model_checks(rule, ev.model.as_ref(), &ev.declared),
            Scope::Proxy => judge::proxy_checks(rule, ev.explain.as_ref(), &ev.declared),
        };
        results.push(judge::conclude(rule, checks, policy.inconclusive_blocks));
    }
    let mut counts = BTreeMap::new();
    for r in &results {
        *counts.entry(r.status.word().to_string()).or_insert(0) += 1;
    }
    Ok(GateResult {
        schema_version: GATE_SCHEMA_VERSION,
        fairgate_version: crate::version::VERSION.to_string(),
        policy: PolicyRef {
            name: policy.name.clone(),
            path: policy.path.clone(),
            sha256: policy.sha256.clone(),
        },
        audit: ev.audit_file.clone(),
        inconclusive_blocks: policy.inconclusive_blocks,
        passed: !results.iter().any(|r| r.blocking),
        counts,
        rules: results,
        declared: (ev.declared != Declared::default()).then(|| ev.declared.clone()),
    })
}

#[cfg(test)]
mod built_in_tests {
    use super::*;

    #[test]
    fn every_built_in_policy_parses_and_is_found_by_name_and_by_its_recorded_path() {
        for (name, text) in BUILT_IN {
            let p = Policy::built_in(name).expect("a built-in policy parses");
            assert_eq!(p.path, format!("built-in:policy-{name}.toml"));
            assert_eq!(p.sha256, crate::text::sha256_hex(text.as_bytes()));
            assert!(!p.rules.is_empty(), "{name}");
            let again = Policy::built_in(&p.path).expect("by path");
            assert_eq!(again.sha256, p.sha256);
            assert_eq!(Policy::built_in_name(name), Some(name));
        }
        assert_eq!(Policy::four_fifths().path, BUILT_IN_FOUR_FIFTHS);
        for other in ["five-sixths", "Four-Fifths", "built-in:policy-x.toml", ""] {
            assert!(Policy::built_in(other).is_none(), "{other}");
            assert!(Policy::built_in_name(other).is_none(), "{other}");
        }
    }
}
