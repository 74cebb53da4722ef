//! Audit evidence for people to read and file: `report.html` (one self-contained page, inline
//! CSS and SVG charts, every user-supplied string escaped), `report.md` (the same findings
//! for pull requests and wikis), `dpia.md` (DPIA evidence, a draft with open items until
//! people sign it off), `model_card.md` (with the model) and `evidence.json` (everything machine-readable plus a manifest of
//! every input and output with its SHA-256).
//!
//! Privacy: no record of any person appears; groups smaller than the audit's minimum group
//! size show their counts only.

mod card;
mod charts;
mod dpia;
mod html;
mod markdown;
mod verify;

pub use verify::{verify, Verdict, Verified};

pub use html::compare_page as trend_page;

pub use dpia::Context;

use crate::audit::key;
use std::path::Path;

use serde::Serialize;

use crate::audit::{AttributeAudit, AuditReport};
use crate::file_error::FileError;
use crate::train::Model;

/// The version of the evidence JSON layout. Version 2 holds the explanation in its version 2
/// layout (named fields where version 1 had arrays); version 3 lists every input (the audited
/// and training data and the policy too; `bytes` only for files the report read) and the
/// findings carry their policy checks.
pub const EVIDENCE_SCHEMA_VERSION: u32 = 3;

/// Errors of the report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// An input file cannot be read or is not what it should be, or a folder cannot be
    /// written.
    #[error(transparent)]
    File(#[from] FileError),
    /// An output file could not be written, or would replace an input.
    #[error(transparent)]
    Write(#[from] crate::output::OutputError),
    /// The model file is not valid.
    #[error(transparent)]
    Model(#[from] crate::train::TrainError),
    /// The previous audit cannot be compared with this one.
    #[error(transparent)]
    Compare(#[from] crate::compare::CompareError),
    /// The policy could not judge the audit.
    #[error(transparent)]
    Policy(#[from] crate::policy::PolicyError),
    /// A chart could not be drawn.
    #[error("{0}")]
    Chart(String),
}

/// One file and its hash.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct FileHash {
    /// What it is: `audit`, `explain`, `model`, `report.html`, ...
    pub role: String,
    /// Its path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its size, for the files the report itself read or wrote (the data files are listed
    /// from the audit's and the model's records, by hash only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

/// How a finding judges: the gate's words ([`crate::policy::Status`]) for every conclusion,
/// and INFO for facts that judge nothing. Ordered as the summary lists them: FAIL first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The whole interval misses a rule (or the estimate, where there is no interval).
    Fail,
    /// The interval straddles a rule's threshold, or the comparison is undefined: the data
    /// cannot tell.
    Inconclusive,
    /// A warn rule is not met, or something needs a person's look.
    Warn,
    /// For information: judges nothing.
    Info,
    /// The whole interval meets the rule.
    Pass,
    /// The rule does not apply: its evidence was not given and the policy says so.
    NotApplicable,
}

impl From<crate::policy::Status> for Level {
    fn from(s: crate::policy::Status) -> Level {
        match s {
            crate::policy::Status::NotApplicable => Level::NotApplicable,
            crate::policy::Status::Pass => Level::Pass,
            crate::policy::Status::Warn => Level::Warn,
            crate::policy::Status::Inconclusive => Level::Inconclusive,
            crate::policy::Status::Fail => Level::Fail,
        }
    }
}

impl Level {
    /// The status mark: the word and its colour class.
    pub fn mark(self) -> crate::doc::Mark {
        crate::doc::Mark {
            word: self.word(),
            class: match self {
                Level::Pass => "pass",
                Level::Warn => "warn",
                Level::Inconclusive => "inconclusive",
                Level::Fail => "fail",
                Level::Info => "info",
                Level::NotApplicable => "na",
            },
        }
    }

    /// The word shown.
    pub fn word(self) -> &'static str {
        match self {
            Level::Pass => "PASS",
            Level::Warn => "WARN",
            Level::Inconclusive => "INCONCLUSIVE",
            Level::Fail => "FAIL",
            Level::Info => "INFO",
            Level::NotApplicable => "NOT APPLICABLE",
        }
    }
}

/// One finding of the executive summary, in plain words. A finding from a policy check
/// carries the check: the rule, the subject, the estimate and the interval judged, exactly as
/// the gate's result has them.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// Its level.
    pub level: Level,
    /// What was found.
    pub text: String,
    /// The policy rule that judged it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What the rule judged (`attribute=group`, an attribute, `model`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The estimate judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The interval judged, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    /// See `low`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
}

impl Finding {
    /// A finding that is not a policy check.
    fn plain(level: Level, text: String) -> Finding {
        Finding {
            level,
            text,
            rule: None,
            subject: None,
            value: None,
            low: None,
            high: None,
        }
    }
}

/// Everything the report is made from.
pub struct Report {
    /// The audit.
    pub audit: AuditReport,
    /// The explanation, when given.
    pub explain: Option<crate::explain::Explanation>,
    /// The model, when given.
    pub model: Option<Model>,
    /// The input files with their hashes.
    pub inputs: Vec<FileHash>,
    /// When the report was made (ISO 8601 UTC).
    pub created: String,
    /// What people declared (`context.toml`); empty fields are open items.
    pub context: Context,
    /// The gate's result (`fairgate gate --json`), when given.
    pub gate: Option<crate::policy::GateResult>,
    /// The comparison with the previous audit, when one is given.
    pub previous: Option<crate::compare::Comparison>,
    /// The search for less discriminatory alternatives (`fairgate mitigate --config`), when
    /// one is given.
    pub mitigation: Option<crate::mitigate::LdaResult>,
}

/// A file's bytes and hash.
fn read(role: &str, path: &Path) -> Result<(Vec<u8>, FileHash), ReportError> {
    let bytes = std::fs::read(path).map_err(|e| FileError::read(path.display().to_string(), e))?;
    let hash = FileHash {
        role: role.into(),
        path: crate::output::shown(path),
        sha256: hex(&bytes),
        bytes: Some(bytes.len() as u64),
    };
    Ok((bytes, hash))
}

use crate::text::sha256_hex as hex;

impl Report {
    /// Reads the audit JSON (required), the explanation JSON and the model (optional).
    pub fn load(
        audit: &Path,
        explain: Option<&Path>,
        model: Option<&Path>,
        context: Option<&Path>,
        created: String,
    ) -> Result<Report, ReportError> {
        let (bytes, hash) = read("audit", audit)?;
        let parsed: AuditReport = serde_json::from_slice(&bytes).map_err(|e| {
            FileError::invalid_at(
                audit.display().to_string(),
                e.line(),
                e.column(),
                format!("not a fairgate audit JSON (fairgate audit --format json): {e}"),
            )
        })?;
        parsed.check().map_err(|e| {
            FileError::invalid(
                audit.display().to_string(),
                None,
                format!("not a consistent audit: {e}"),
            )
        })?;
        let mut inputs = vec![hash];
        let explain = match explain {
            Some(p) => {
                let (bytes, hash) = read("explain", p)?;
                inputs.push(hash);
                Some(
                    crate::explain::Explanation::from_json(&bytes).map_err(|message| {
                        FileError::invalid(p.display().to_string(), None, message)
                    })?,
                )
            }
            None => None,
        };
        let model = match model {
            Some(p) => {
                let (_, hash) = read("model", p)?;
                inputs.push(hash);
                Some(Model::from_path(p)?)
            }
            None => None,
        };
        let context = match context {
            Some(p) => {
                let (_, hash) = read("context", p)?;
                inputs.push(hash);
                Context::from_path(p)?
            }
            None => Context::default(),
        };
        Ok(Report {
            audit: parsed,
            explain,
            model,
            inputs,
            created,
            context,
            gate: None,
            previous: None,
            mitigation: None,
        })
    }

    /// Adds the gate's result (the JSON of `fairgate gate --format json` or `--json`).
    pub fn with_gate(mut self, path: &Path) -> Result<Report, ReportError> {
        let (bytes, hash) = read("gate", path)?;
        let gate: crate::policy::GateResult = serde_json::from_slice(&bytes).map_err(|e| {
            FileError::invalid(
                path.display().to_string(),
                None,
                format!("not a fairgate gate result (fairgate gate --format json): {e}"),
            )
        })?;
        let invalid = |message: String| {
            ReportError::from(FileError::invalid(
                path.display().to_string(),
                None,
                message,
            ))
        };
        if !(1..=crate::policy::GATE_SCHEMA_VERSION).contains(&gate.schema_version) {
            return Err(invalid(format!(
                "schema_version {}: this fairgate reads gate results of versions 1 to {}",
                gate.schema_version,
                crate::policy::GATE_SCHEMA_VERSION
            )));
        }
        if gate.passed != gate.blocking().is_empty() {
            return Err(invalid(format!(
                "passed: {} contradicts its rules ({} blocking)",
                gate.passed,
                gate.blocking().len()
            )));
        }
        let counted: usize = gate.counts.values().sum();
        if counted != gate.rules.len() {
            return Err(invalid(format!(
                "counts: {counted} rules counted, {} listed",
                gate.rules.len()
            )));
        }
        // The gate must have judged this audit: its file, or (when the gate ran the audit
        // itself) the same audit JSON, with the same data and options.
        if let Some(audit) = self.inputs.iter().find(|f| f.role == "audit") {
            if gate.audit.sha256 != audit.sha256 {
                return Err(invalid(format!(
                    "audit: the gate judged an audit with SHA-256 {}, not {} ({})",
                    gate.audit.sha256, audit.path, audit.sha256
                )));
            }
        }
        self.inputs.push(hash);
        self.gate = Some(gate);
        Ok(self)
    }

    /// Adds the search for less discriminatory alternatives (`fairgate mitigate --config
    /// FILE --format json`). With a model, the search must have run on the model's training
    /// data; with a gate result, under the same policy.
    pub fn with_mitigation(mut self, path: &Path) -> Result<Report, ReportError> {
        let (bytes, hash) = read("mitigation", path)?;
        let shown = path.display().to_string();
        let m: crate::mitigate::LdaResult = serde_json::from_slice(&bytes).map_err(|e| {
            FileError::invalid_at(
                shown.clone(),
                e.line(),
                e.column(),
                format!("not a fairgate search for less discriminatory alternatives (fairgate mitigate --config FILE --format json): {e}"),
            )
        })?;
        let invalid =
            |message: String| ReportError::from(FileError::invalid(shown.clone(), None, message));
        if m.schema_version != crate::mitigate::MITIGATE_SCHEMA_VERSION {
            return Err(invalid(format!(
                "schema_version {}: this fairgate reads version {}",
                m.schema_version,
                crate::mitigate::MITIGATE_SCHEMA_VERSION
            )));
        }
        if let Some(model) = &self.model {
            if model.data.sha256 != m.data_sha256 {
                return Err(invalid(format!(
                    "data: the search ran on {} (SHA-256 {}), not on the model's training data {} ({})",
                    m.data, m.data_sha256, model.data.file, model.data.sha256
                )));
            }
        }
        if let Some(g) = &self.gate {
            if g.policy.sha256 != m.policy.sha256 {
                return Err(invalid(format!(
                    "policy: the search judged with {} (SHA-256 {}), the gate with {} ({})",
                    m.policy.path, m.policy.sha256, g.policy.path, g.policy.sha256
                )));
            }
        }
        self.inputs.push(hash);
        self.mitigation = Some(m);
        Ok(self)
    }

    /// Adds the comparison with a previous audit (`fairgate compare PREVIOUS AUDIT`).
    pub fn with_previous(mut self, previous: &Path, audit: &Path) -> Result<Report, ReportError> {
        let (_, hash) = read("previous audit", previous)?;
        let c = crate::compare::compare(&[previous, audit], None)?;
        self.inputs.push(hash);
        self.previous = Some(c);
        Ok(self)
    }

    /// Which rows were audited and whether the model trained on them, in one sentence: from
    /// the audit's `--filter` on a `train --scored` file's `split` column when there is one;
    /// otherwise said to be unknown, never assumed out of sample.
    pub fn audited_rows(&self) -> String {
        let i = &self.audit.input;
        match i.filter.as_deref().map(str::trim) {
            Some("split=validation") => format!(
                "Audited rows: the {} validation rows the model did not train on (filter split=validation; the {} training rows left out): an out-of-sample audit, with no overlap with the training rows.",
                i.rows_used, i.rows_filtered
            ),
            Some("split=train") => format!(
                "Audited rows: the {} rows the model trained on (filter split=train): an in-sample audit, which flatters the model's accuracy and calibration.",
                i.rows_used
            ),
            Some(f) => format!(
                "Audited rows: the {} rows where {f} ({} other rows filtered out); whether the model trained on them is not recorded.",
                i.rows_used, i.rows_filtered
            ),
            None => match &self.model {
                Some(m) if i.rows_used == m.data.rows_used => format!(
                    "Audited rows: all {} rows, as many as the model's training and validation rows together ({} trained it): most likely an in-sample audit; audit a `fairgate train --scored` file with `--filter split=validation` for an out-of-sample one.",
                    i.rows_used, m.data.train_rows
                ),
                _ => format!(
                    "Audited rows: all {} rows of the audited file; whether the model trained on any of them is not known from the files given.",
                    i.rows_used
                ),
            },
        }
    }

    /// The policy verdicts the report states: the given gate result's, or (without one) the
    /// built-in four-fifths policy's ([`crate::policy::Policy::four_fifths`]), judged here by
    /// the same code as `fairgate gate`, on the same audit, model and explanation. The flag
    /// is true for the built-in policy.
    pub fn verdicts(&self) -> Result<(crate::policy::GateResult, bool), ReportError> {
        if let Some(g) = &self.gate {
            return Ok((g.clone(), false));
        }
        let audit = self.inputs.iter().find(|f| f.role == "audit");
        let evidence = crate::policy::Evidence {
            audit: self.audit.clone(),
            audit_file: crate::provenance::FileRef::new(
                audit.map_or_else(String::new, |f| f.path.clone()),
                audit.map_or_else(String::new, |f| f.sha256.clone()),
            ),
            model: self.model.clone(),
            explain: self.explain.clone(),
            declared: self.context.declared.clone(),
        };
        let policy = crate::policy::Policy::four_fifths();
        Ok((crate::policy::evaluate(&policy, &evidence)?, true))
    }

    /// The executive summary: the policy's verdict, then every finding ordered FAIL,
    /// INCONCLUSIVE, WARN, INFO, PASS. Every conclusion about fairness is a check of the
    /// policy (see [`Report::verdicts`]), stated in the gate's words with the gate's numbers;
    /// the other findings (proxies, data protection, small groups, changes since the previous
    /// audit) judge nothing the policy judges.
    pub fn findings(&self) -> Result<Vec<Finding>, ReportError> {
        let (gate, built_in) = self.verdicts()?;
        let mut out = Vec::new();
        let source = if built_in {
            format!(
                "policy \"{}\" (built in, {}; no gate result was given, so the report judges with the four-fifths rule)",
                gate.policy.name, gate.policy.path
            )
        } else {
            format!("policy \"{}\" ({})", gate.policy.name, gate.policy.path)
        };
        let verdict = Finding::plain(
            if gate.passed {
                Level::Pass
            } else {
                Level::Fail
            },
            if gate.passed {
                format!("Verdict: PASSED, judged by {source}: no error rule blocks.")
            } else {
                format!(
                    "Verdict: FAILED, judged by {source}: blocked by {}.",
                    gate.blocking().join(", ")
                )
            },
        );
        for rule in &gate.rules {
            for c in &rule.checks {
                out.push(self.check_finding(rule, c));
            }
        }
        if let Some(c) = &self.previous {
            let changes = c.changes();
            out.push(Finding::plain(
                if c.regressions > 0 { Level::Warn } else { Level::Info },
                format!(
                    "Since the previous audit: {} change(s) beyond sampling noise or in the groups, {} regression(s).",
                    changes.len(),
                    c.regressions
                ),
            ));
        }
        for a in &self.audit.attributes {
            let small: Vec<String> = a
                .groups
                .iter()
                .filter(|g| g.small && g.n > 0)
                .map(|g| format!("{} ({} rows)", g.group, g.n))
                .collect();
            if !small.is_empty() {
                out.push(Finding::plain(
                    Level::Info,
                    format!(
                        "{}: groups below the minimum size of {} are shown with counts only and left out of the summaries: {}",
                        a.name,
                        self.audit.options.min_group_size,
                        small.join(", ")
                    ),
                ));
            }
            if a.reference_group.is_none() {
                out.push(Finding::plain(
                    Level::Info,
                    format!(
                        "{}: no group is large enough to be the reference (each is small, under 2% of the rows or unknown); its groups are compared with none",
                        a.name
                    ),
                ));
            }
        }
        if let Some(e) = &self.explain {
            for p in e.likely_proxies() {
                out.push(Finding::plain(
                    Level::Warn,
                    format!(
                        "proxy: feature {} is a likely proxy for {} ({} {}, AUC {})",
                        p.feature,
                        p.attribute,
                        p.measure,
                        fmt(p.association),
                        fmt(p.auc)
                    ),
                ));
            }
            let candidates: Vec<&str> = e.minimisation_candidates().collect();
            if !candidates.is_empty() {
                out.push(Finding::plain(
                    Level::Info,
                    format!(
                        "data minimisation: each of {} can be dropped alone with less than the tolerated loss of validation AUC",
                        candidates.join(", ")
                    ),
                ));
            }
        }
        if let Some(m) = &self.model {
            let ex = &m.data.excluded;
            out.push(match &m.roles.consent {
                Some(c) => Finding::plain(
                    Level::Info,
                    format!(
                        "consent: training used {} of {} rows; {} were excluded for want of consent (column {c})",
                        m.data.rows_used,
                        m.data.rows_read,
                        ex.total()
                    ),
                ),
                None => Finding::plain(
                    Level::Warn,
                    "consent: the model was trained without a consent column: every row was treated as having a lawful basis".into(),
                ),
            });
            if let (Some(ages), Some(days)) = (&m.data.record_ages, self.context.retention_days) {
                let old = ages.older_than(days);
                if old > 0 {
                    out.push(Finding::plain(
                        Level::Warn,
                        format!(
                            "retention: {old} of {} training records ({:.1}%) are older than the declared retention of {days} days; they should have been deleted or anonymised",
                            ages.total(),
                            100.0 * old as f64 / ages.total().max(1) as f64
                        ),
                    ));
                }
            }
        }
        if let Some(m) = &self.mitigation {
            out.push(Finding::plain(
                Level::Info,
                format!(
                    "less discriminatory alternatives (by {}, {} candidates judged on {} held-out rows): {}",
                    m.attribute,
                    m.candidates.len(),
                    m.held_out_rows,
                    m.conclusion
                ),
            ));
        }
        // Stable: within a level, policy order, then the order above.
        out.sort_by_key(|f| f.level);
        out.insert(0, verdict);
        Ok(out)
    }

    /// One policy check as a finding, with the gate's status, estimate and interval.
    fn check_finding(&self, rule: &crate::policy::RuleResult, c: &crate::policy::Check) -> Finding {
        let number = |v: f64| {
            if rule.metric == "n" {
                format!("{v:.0}")
            } else {
                format!("{v:.3}")
            }
        };
        let measured = match (c.value, c.low, c.high) {
            (Some(v), Some(lo), Some(hi)) => {
                format!(" {} [{}, {}]", number(v), number(lo), number(hi))
            }
            (Some(v), _, _) => format!(" {}", number(v)),
            _ => String::new(),
        };
        // Comparisons name the group they compare with.
        let against = match rule.metric.as_str() {
            key::DISPARATE_IMPACT
            | key::SELECTION_RATE_DIFFERENCE
            | key::AVERAGE_ODDS_DIFFERENCE => c
                .subject
                .split_once('=')
                .and_then(|(attr, _)| self.audit.attributes.iter().find(|a| a.name == attr))
                .and_then(|a| a.reference_group.as_deref())
                .map_or_else(String::new, |r| format!(" against {r}")),
            _ => String::new(),
        };
        // A failed check of a warn rule warns, as the gate's rule does.
        let level = match (c.status, rule.severity) {
            (crate::policy::Status::Fail, crate::policy::Severity::Warn) => Level::Warn,
            (s, _) => s.into(),
        };
        Finding {
            level,
            text: format!(
                "{} ({} {}): {}:{measured}{against}: {}",
                rule.id, rule.metric, rule.threshold, c.subject, c.note
            ),
            rule: Some(rule.id.clone()),
            subject: Some(c.subject.clone()),
            value: c.value,
            low: c.low,
            high: c.high,
        }
    }

    /// Every input of the evidence: the files the report read (audit, explanation, model,
    /// context, gate result, previous audit), the data they were made from (the audited data
    /// as the audit records it, the training data as the model records it) and the policy
    /// that judged (the gate's, or the built-in one), each once.
    pub fn manifest_inputs(&self) -> Result<Vec<FileHash>, ReportError> {
        let mut out = self.inputs.clone();
        let listed = |role: &str, path: &str, sha256: &str| FileHash {
            role: role.into(),
            path: path.into(),
            sha256: sha256.into(),
            bytes: None,
        };
        out.push(listed(
            "audited data",
            &self.audit.input.path,
            &self.audit.input.sha256,
        ));
        if let Some(m) = &self.model {
            out.push(listed("training data", &m.data.file, &m.data.sha256));
        }
        let (gate, _) = self.verdicts()?;
        out.push(listed("policy", &gate.policy.path, &gate.policy.sha256));
        let mut seen = std::collections::BTreeSet::new();
        out.retain(|f| seen.insert((f.role.clone(), f.path.clone(), f.sha256.clone())));
        Ok(out)
    }

    /// Writes report.html, report.md, dpia.md, model_card.md (with a model) and evidence.json
    /// (the names in [`OUTPUT_FILES`]) into `dir` (created if needed) and
    /// returns the manifest of outputs.
    pub fn write(&self, dir: &Path) -> Result<Vec<FileHash>, ReportError> {
        std::fs::create_dir_all(dir).map_err(|e| FileError::write(dir.display().to_string(), e))?;
        let findings = self.findings()?;
        let md = markdown::render(self, &findings);
        let page = html::render(self, &findings)?;
        let dpia = dpia::render(self, &self.context, &findings);
        let mut files = vec![("report.html", page), ("report.md", md), ("dpia.md", dpia)];
        if let Some(m) = &self.model {
            files.push(("model_card.md", card::render(self, m)));
        }
        let mut outputs = Vec::new();
        let mut written: Vec<(std::path::PathBuf, Vec<u8>)> = Vec::new();
        for (name, text) in files {
            outputs.push(FileHash {
                role: name.into(),
                path: name.into(),
                sha256: hex(text.as_bytes()),
                bytes: Some(text.len() as u64),
            });
            written.push((dir.join(name), text.into_bytes()));
        }
        let evidence = Evidence {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            fairgate_version: crate::version::VERSION.to_string(),
            created: self.created.clone(),
            inputs: self.manifest_inputs()?,
            outputs: outputs.clone(),
            findings,
            audit: &self.audit,
            // As a JSON value, so that its keys keep the order evidence.json has always had.
            explain: match &self.explain {
                Some(e) => Some(
                    serde_json::to_value(e)
                        .map_err(|e| FileError::write("evidence.json", e.into()))?,
                ),
                None => None,
            },
            mitigation: self.mitigation.as_ref(),
        };
        let mut json = serde_json::to_string_pretty(&evidence)
            .map_err(|e| FileError::write("evidence.json", e.into()))?;
        json.push('\n');
        written.push((dir.join("evidence.json"), json.into_bytes()));
        // All or nothing: a full disk leaves the previous report whole, never new pages beside
        // an old evidence.json whose hashes no longer match them.
        crate::output::write_all_atomic(&written)?;
        // A model card from an earlier report with a model would describe another model.
        if self.model.is_none() {
            let card = dir.join("model_card.md");
            if std::fs::symlink_metadata(&card)
                .is_ok_and(|m| m.is_file() || m.file_type().is_symlink())
            {
                std::fs::remove_file(&card)
                    .map_err(|e| FileError::write(card.display().to_string(), e))?;
            }
        }
        Ok(outputs)
    }
}

/// The files [`Report::write`] may write into its folder.
pub const OUTPUT_FILES: [&str; 5] = [
    "report.html",
    "report.md",
    "dpia.md",
    "model_card.md",
    "evidence.json",
];

/// evidence.json: the report's inputs and outputs with their SHA-256, its findings, and the
/// audit, explanation and mitigation it was made from.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(title = "fairgate evidence.json")]
pub(crate) struct Evidence<'a> {
    /// [`EVIDENCE_SCHEMA_VERSION`].
    schema_version: u32,
    /// The fairgate version that wrote the report.
    fairgate_version: String,
    /// When the report was made (ISO 8601).
    created: String,
    /// Every input file with its role and SHA-256.
    inputs: Vec<FileHash>,
    /// Every output file of the folder (but this one) with its SHA-256.
    outputs: Vec<FileHash>,
    /// The report's findings.
    findings: Vec<Finding>,
    /// The audit the report was made from.
    audit: &'a AuditReport,
    /// The explanation, when one was given (its keys in alphabetical order).
    #[schemars(with = "Option<crate::explain::Explanation>")]
    explain: Option<serde_json::Value>,
    /// The search for less discriminatory alternatives, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    mitigation: Option<&'a crate::mitigate::LdaResult>,
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("undefined".into(), |x| format!("{x:.3}"))
}

/// The NYC Local Law 144 style numbers of one attribute: per category, count, selection rate
/// and impact ratio against the most selected category, scoring rate and its impact ratio;
/// categories under 2% shown but excluded from the impact ratios.
pub struct BiasAuditRow {
    /// The category.
    pub group: String,
    /// Rows.
    pub n: u64,
    /// Selection rate.
    pub selection_rate: Option<f64>,
    /// Selection rate / the highest selection rate among the categories that may be the
    /// audit's default reference (neither small, nor under 2%, nor unknown).
    pub impact_ratio: Option<f64>,
    /// Share scoring above the overall median.
    pub scoring_rate: Option<f64>,
    /// Scoring rate / the highest scoring rate among those same categories.
    pub scoring_impact_ratio: Option<f64>,
    /// Under 2% of the rows: excluded from the impact ratios.
    pub excluded: bool,
    /// The unknown category.
    pub unknown: bool,
    /// Below the minimum group size: its rates are suppressed in reports.
    pub small: bool,
}

/// The bias-audit rows of an attribute.
pub fn bias_audit(a: &AttributeAudit) -> Vec<BiasAuditRow> {
    let unknown = crate::audit::UNKNOWN_GROUP;
    let rate = |g: &crate::audit::GroupAudit, k: &str| g.metrics.get(k).and_then(|m| m.value);
    let included = |g: &&crate::audit::GroupAudit| !g.under_2_percent && g.group != unknown;
    let best = |k: &str| {
        a.groups
            .iter()
            // The audit's own rule for its default reference, so that both tables agree.
            .filter(|g| crate::audit::default_reference_candidate(g))
            .filter_map(|g| rate(g, k))
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
    };
    let (top_sel, top_score) = (best(key::SELECTION_RATE), best(key::SCORING_RATE));
    a.groups
        .iter()
        .filter(|g| g.n > 0)
        .map(|g| {
            let excluded = !included(&g);
            let ratio = |v: Option<f64>, top: Option<f64>| match (v, top, excluded) {
                (Some(v), Some(t), false) if t > 0.0 => Some(v / t),
                _ => None,
            };
            BiasAuditRow {
                group: g.group.clone(),
                n: g.n,
                selection_rate: rate(g, key::SELECTION_RATE),
                impact_ratio: ratio(rate(g, key::SELECTION_RATE), top_sel),
                scoring_rate: rate(g, key::SCORING_RATE),
                scoring_impact_ratio: ratio(rate(g, key::SCORING_RATE), top_score),
                excluded,
                unknown: g.group == unknown,
                small: g.small,
            }
        })
        .collect()
}
