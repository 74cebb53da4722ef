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

pub use html::compare_page as trend_page;

pub use dpia::Context;

use crate::audit::key;
use std::path::Path;

use serde::Serialize;

use crate::audit::{AttributeAudit, AuditReport, MetricValue};
use crate::file_error::FileError;
use crate::train::Model;

/// The version of the evidence JSON layout. Version 2 holds the explanation in its version 2
/// layout (named fields where version 1 had arrays).
pub const EVIDENCE_SCHEMA_VERSION: u32 = 2;

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
    /// A chart could not be drawn.
    #[error("{0}")]
    Chart(String),
}

/// One file and its hash.
#[derive(Clone, Debug, Serialize)]
pub struct FileHash {
    /// What it is: `audit`, `explain`, `model`, `report.html`, ...
    pub role: String,
    /// Its path as given.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

/// How a finding judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing wrong.
    Pass,
    /// Needs a look.
    Warn,
    /// A clear problem.
    Fail,
    /// For information.
    Info,
}

impl Level {
    /// The status mark: the word and its colour class.
    pub fn mark(self) -> crate::doc::Mark {
        crate::doc::Mark {
            word: self.word(),
            class: match self {
                Level::Pass => "pass",
                Level::Warn => "warn",
                Level::Fail => "fail",
                Level::Info => "info",
            },
        }
    }

    /// The word shown.
    pub fn word(self) -> &'static str {
        match self {
            Level::Pass => "PASS",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
            Level::Info => "INFO",
        }
    }
}

/// One finding of the executive summary, in plain words.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Its level.
    pub level: Level,
    /// What was found.
    pub text: String,
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
}

/// A file's bytes and hash.
fn read(role: &str, path: &Path) -> Result<(Vec<u8>, FileHash), ReportError> {
    let bytes = std::fs::read(path).map_err(|e| FileError::read(path.display().to_string(), e))?;
    let hash = FileHash {
        role: role.into(),
        path: crate::output::shown(path),
        sha256: hex(&bytes),
        bytes: bytes.len() as u64,
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

    /// Adds the comparison with a previous audit (`fairgate compare PREVIOUS AUDIT`).
    pub fn with_previous(mut self, previous: &Path, audit: &Path) -> Result<Report, ReportError> {
        let (_, hash) = read("previous audit", previous)?;
        let c = crate::compare::compare(&[previous, audit], None)?;
        self.inputs.push(hash);
        self.previous = Some(c);
        Ok(self)
    }

    /// The executive summary: four-fifths checks (judged on the interval, not only the
    /// point), error-rate and calibration gaps, small groups, proxies and consent.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(g) = &self.gate {
            let blocking = g.blocking();
            out.push(Finding {
                level: if g.passed { Level::Pass } else { Level::Fail },
                text: if g.passed {
                    format!(
                        "Gate: policy \"{}\" passed ({} rules).",
                        g.policy.name,
                        g.rules.len()
                    )
                } else {
                    format!(
                        "Gate: policy \"{}\" failed, blocked by {}.",
                        g.policy.name,
                        blocking.join(", ")
                    )
                },
            });
        }
        if let Some(c) = &self.previous {
            let changes = c.changes();
            out.push(Finding {
                level: if c.regressions > 0 { Level::Warn } else { Level::Info },
                text: format!(
                    "Since the previous audit: {} change(s) beyond sampling noise or in the groups, {} regression(s).",
                    changes.len(),
                    c.regressions
                ),
            });
        }
        for a in &self.audit.attributes {
            out.extend(four_fifths(a));
            let summary = |k: &str| a.summary.get(k).and_then(|m| m.value);
            if let Some(v) = summary(key::EQUALIZED_ODDS_DIFFERENCE) {
                out.push(Finding {
                    level: if v > 0.1 { Level::Warn } else { Level::Pass },
                    text: format!(
                        "{}: equalized odds difference {v:.3} ({} 0.1)",
                        a.name,
                        if v > 0.1 { "above" } else { "within" }
                    ),
                });
            }
            if let Some(v) = summary(key::ECE_GAP) {
                out.push(Finding {
                    level: if v > 0.05 { Level::Warn } else { Level::Pass },
                    text: format!(
                        "{}: calibration error gap between groups {v:.3} ({} 0.05)",
                        a.name,
                        if v > 0.05 { "above" } else { "within" }
                    ),
                });
            }
            let small: Vec<String> = a
                .groups
                .iter()
                .filter(|g| g.small && g.n > 0)
                .map(|g| format!("{} ({} rows)", g.group, g.n))
                .collect();
            if !small.is_empty() {
                out.push(Finding {
                    level: Level::Info,
                    text: format!(
                        "{}: groups below the minimum size of {} are shown with counts only and left out of the summaries: {}",
                        a.name,
                        self.audit.options.min_group_size,
                        small.join(", ")
                    ),
                });
            }
        }
        if let Some(e) = &self.explain {
            for p in e.likely_proxies() {
                out.push(Finding {
                    level: Level::Warn,
                    text: format!(
                        "feature {} is a likely proxy for {} ({} {}, AUC {})",
                        p.feature,
                        p.attribute,
                        p.measure,
                        fmt(p.association),
                        fmt(p.auc)
                    ),
                });
            }
            let candidates: Vec<&str> = e.minimisation_candidates().collect();
            if !candidates.is_empty() {
                out.push(Finding {
                    level: Level::Info,
                    text: format!(
                        "data minimisation: each of {} can be dropped alone with less than the tolerated loss of validation AUC",
                        candidates.join(", ")
                    ),
                });
            }
        }
        if let Some(m) = &self.model {
            let ex = &m.data.excluded;
            out.push(Finding {
                level: if m.roles.consent.is_some() { Level::Info } else { Level::Warn },
                text: match &m.roles.consent {
                    Some(c) => format!(
                        "training used {} of {} rows; {} were excluded for want of consent (column {c})",
                        m.data.rows_used,
                        m.data.rows_read,
                        ex.total()
                    ),
                    None => "the model was trained without a consent column: every row was treated as having a lawful basis".into(),
                },
            });
        }
        out
    }

    /// Writes report.html, report.md, dpia.md, model_card.md (with a model) and evidence.json
    /// (the names in [`OUTPUT_FILES`]) into `dir` (created if needed) and
    /// returns the manifest of outputs.
    pub fn write(&self, dir: &Path) -> Result<Vec<FileHash>, ReportError> {
        std::fs::create_dir_all(dir).map_err(|e| FileError::write(dir.display().to_string(), e))?;
        let findings = self.findings();
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
                bytes: text.len() as u64,
            });
            written.push((dir.join(name), text.into_bytes()));
        }
        let evidence = Evidence {
            schema_version: EVIDENCE_SCHEMA_VERSION,
            fairgate_version: crate::version::VERSION.to_string(),
            created: self.created.clone(),
            inputs: self.inputs.clone(),
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

#[derive(Serialize)]
struct Evidence<'a> {
    schema_version: u32,
    fairgate_version: String,
    created: String,
    inputs: Vec<FileHash>,
    outputs: Vec<FileHash>,
    findings: Vec<Finding>,
    audit: &'a AuditReport,
    explain: Option<serde_json::Value>,
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("undefined".into(), |x| format!("{x:.3}"))
}

/// The four-fifths check of every group that is not small, judged on the Katz interval of
/// its impact ratio: FAIL when the whole interval is below 0.8, WARN when the point is below
/// but the interval reaches 0.8 (insufficient evidence), PASS otherwise.
fn four_fifths(a: &AttributeAudit) -> Vec<Finding> {
    let reference = a.reference_group.as_deref().unwrap_or("?");
    a.groups
        .iter()
        .filter(|g| !g.small && Some(g.group.as_str()) != a.reference_group.as_deref())
        .filter_map(|g| {
            let m: &MetricValue = g.metrics.get(key::DISPARATE_IMPACT)?;
            let v = m.value?;
            let (level, verdict) = match (v < 0.8, m.ci_high) {
                (true, Some(hi)) if hi < 0.8 => (Level::Fail, "below the four-fifths line"),
                (true, _) => (Level::Warn, "below the four-fifths line, but the interval reaches it"),
                (false, _) => (Level::Pass, "at or above the four-fifths line"),
            };
            let ci = match (m.ci_low, m.ci_high) {
                (Some(lo), Some(hi)) => format!(" (95% interval {lo:.2} to {hi:.2})"),
                _ => String::new(),
            };
            Some(Finding {
                level,
                text: format!(
                    "{}: the selection rate of {} is {v:.2} times that of {reference}{ci}: {verdict}",
                    a.name, g.group
                ),
            })
        })
        .collect()
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
    /// Selection rate / the highest selection rate among the included categories.
    pub impact_ratio: Option<f64>,
    /// Share scoring above the overall median.
    pub scoring_rate: Option<f64>,
    /// Scoring rate / the highest scoring rate among the included categories.
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
            .filter(included)
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
