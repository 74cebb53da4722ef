//! A data-subject export for one person (GDPR Art. 15 access and Art. 20 portability): their
//! stored record, consent status, score, decision, reason codes and counterfactuals, as JSON
//! and as a short plain-language text. Nothing about any other person is included.

use std::path::Path;

use serde::Serialize;

use super::local::{counterfactuals, reason_codes, signed, Counterfactual, LinearView};
use super::output::{ModelVersion, RecordField, RecordSource, SubjectId};
use super::Prepared;
use crate::data::{format_timestamp, Column, DataSpec, Role, TableReader};
use crate::train::{FeatureColumn, Model};

/// The version of the subject export's JSON layout. Version 2 added this field and names the
/// fields that the unversioned export (version 1) wrote as arrays (`id`, `source`, `record`,
/// `model`).
pub const SUBJECT_SCHEMA_VERSION: u32 = 2;

/// One person's export.
#[derive(Clone, Debug, Serialize)]
pub struct SubjectExport {
    /// [`SUBJECT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The identifier column and value.
    pub id: SubjectId,
    /// The file and the line of the record.
    pub source: RecordSource,
    /// Every field of the stored record, by column name, in file order.
    pub record: Vec<RecordField>,
    /// Whether processing has a lawful basis, and why (or why not).
    pub consent: ConsentStatus,
    /// The score, when the record may be processed.
    pub score: Option<f64>,
    /// The decision at the model's threshold.
    pub decision: Option<bool>,
    /// The threshold.
    pub threshold: f64,
    /// The main reasons for the score, in words.
    pub reasons: Vec<String>,
    /// Single changes that would reach the threshold (when below it).
    pub counterfactuals: Vec<Counterfactual>,
    /// The model's creation time and the fairgate version.
    pub model: ModelVersion,
}

/// The consent status of the record.
#[derive(Clone, Debug, Serialize)]
pub struct ConsentStatus {
    /// Whether the record may be processed.
    pub lawful_basis: bool,
    /// In words.
    pub detail: String,
}

/// Exports the person whose `id_column` (default: the model's id column) equals `id`. An
/// unknown id is an error; an id on several records is an error giving the count.
pub fn subject(
    model: &Model,
    path: &Path,
    id: &str,
    id_column: Option<&str>,
    top: usize,
) -> Result<SubjectExport, super::ExplainError> {
    super::refuse_mixture(model)?;
    let id_column = id_column
        .map(str::to_string)
        .or(model.roles.id.clone())
        .ok_or_else(|| {
            crate::params::InvalidParam::new(
                "id_column",
                "the identifier column (the model records none)",
                "none",
            )
        })?;
    let (header, found) = TableReader::find_records(path, &DataSpec::default(), &id_column, id)?;
    let (line, fields) = match found.len() {
        0 => {
            return Err(super::ExplainError::NoSubject {
                path: path.display().to_string(),
                column: id_column,
                id: id.to_string(),
            })
        }
        1 => found.into_iter().next().unwrap_or_default(),
        count => {
            return Err(super::ExplainError::ManySubjects {
                path: path.display().to_string(),
                column: id_column,
                id: id.to_string(),
                count,
                lines: found.iter().take(10).map(|(l, _)| *l).collect(),
            });
        }
    };
    let record: Vec<RecordField> = header
        .into_iter()
        .zip(fields)
        .map(|(column, value)| RecordField { column, value })
        .collect();

    let prep = Prepared::load(model, path.into(), None)?;
    let ids = prep
        .table
        .column(&id_column)
        .and_then(Column::as_text)
        .map(|t| t.iter().position(|v| v.trim() == id));
    // Without the id among the loaded columns (another id column), the record is reported
    // but not scored.
    let row = ids.flatten();
    let lawful = row.is_some_and(|r| prep.kept.binary_search(&r).is_ok());
    let consent = consent_status(model, &prep, row, lawful);
    let mut export = SubjectExport {
        schema_version: SUBJECT_SCHEMA_VERSION,
        id: SubjectId {
            column: id_column,
            value: id.to_string(),
        },
        source: RecordSource {
            path: path.display().to_string(),
            line,
        },
        record,
        consent,
        score: None,
        decision: None,
        threshold: model.threshold,
        reasons: Vec::new(),
        counterfactuals: Vec::new(),
        model: ModelVersion {
            created: model.created.clone(),
            fairgate_version: model.fairgate_version.clone(),
        },
    };
    let Some(r) = row.filter(|_| lawful) else {
        return Ok(export);
    };
    let all = prep.columns();
    let owned: Vec<crate::data::ColumnValues> = all.iter().map(|c| c.values.select(&[r])).collect();
    let single: Vec<FeatureColumn<'_>> = all
        .iter()
        .zip(&owned)
        .map(|(c, v)| FeatureColumn {
            name: c.name,
            values: v,
            levels: c.levels,
        })
        .collect();
    let (p, _) = model.predict(&single)?;
    let score = p.first().copied().unwrap_or(f64::NAN);
    export.score = Some(score);
    export.decision = Some(crate::decision::positive(score, model.threshold));
    if let Some(view) = LinearView::of(model) {
        let encoder = model.encoder.as_ref();
        if let Some(e) = encoder {
            let x = e.transform(&single, None)?.x;
            let row_x = x.row(0).to_vec();
            let contrib = view.contributions(&row_x);
            export.reasons = reason_codes(&view, &single, &contrib, 0, top);
            if !crate::decision::positive(score, model.threshold) {
                let t = model.threshold.clamp(1e-12, 1.0 - 1e-12);
                let logit = view.base + contrib.iter().sum::<f64>();
                export.counterfactuals =
                    counterfactuals(&view, &single, &row_x, 0, logit, (t / (1.0 - t)).ln(), &[]);
            }
        }
    } else if let Some(rules) = &model.rules {
        let slope = model.slope.unwrap_or(0.0);
        for rule in &rules.rule {
            let one = crate::train::RuleSet {
                rule: vec![rule.clone()],
            };
            let (pts, _) = one.points(&single, None)?;
            if let Some(&v) = pts.first().filter(|v| **v != 0.0) {
                export.reasons.push(format!(
                    "{}: {} ({v:+} points)",
                    signed(slope * v),
                    rule.describe()
                ));
            }
        }
    }
    Ok(export)
}

fn consent_status(
    model: &Model,
    prep: &Prepared,
    row: Option<usize>,
    lawful: bool,
) -> ConsentStatus {
    let Some(r) = row else {
        return ConsentStatus {
            lawful_basis: false,
            detail: "the record could not be read (see `fairgate inspect`)".into(),
        };
    };
    let Some(flag) = prep
        .table
        .with_role(Role::Consent)
        .next()
        .and_then(Column::as_bool)
    else {
        return ConsentStatus {
            lawful_basis: true,
            detail: "the model records no consent column".into(),
        };
    };
    let stamp = model
        .roles
        .consent_timestamp
        .as_deref()
        .and_then(|c| prep.table.column(c))
        .and_then(Column::as_f64)
        .and_then(|v| Some(v[r]).filter(|t| !t.is_nan()));
    let when = stamp.map_or(String::new(), |t| {
        format!(", given {}", format_timestamp(t as i64))
    });
    let detail = match (flag[r], lawful) {
        (Some(true), true) => format!("consent given{when}"),
        (Some(true), false) => format!(
            "consent recorded{when}, but not on or before the data's as-of date {}: not processed",
            model.roles.as_of.as_deref().unwrap_or("?")
        ),
        (Some(false), _) => "consent refused: the record is not scored".into(),
        (None, _) => "no consent recorded: the record is not scored".into(),
    };
    ConsentStatus {
        lawful_basis: lawful,
        detail,
    }
}

impl SubjectExport {
    /// Pretty JSON with a final newline (machine-readable, Art. 20).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// A short plain-language account.
    pub fn to_text(&self) -> String {
        self.account(false)
    }

    /// The plain-language account as Markdown (a heading, lists; every value from the data
    /// escaped), to send to the person or paste into a ticket.
    pub fn to_markdown(&self) -> String {
        self.account(true)
    }

    /// The account, as plain text or Markdown: the same sentences, Markdown with a heading,
    /// list items and escaped values.
    fn account(&self, markdown: bool) -> String {
        let esc = |v: &str| {
            if markdown {
                crate::text::escape_markdown(v)
            } else {
                v.to_string()
            }
        };
        let item = if markdown { "- " } else { "  " };
        let gap = if markdown { "\n" } else { "" };
        let mut s = String::new();
        if markdown {
            s.push_str("# Your data and the automated decision\n\n");
        }
        s.push_str(&format!(
            "Your record ({} {}) in {}, line {}:\n{gap}",
            esc(&self.id.column),
            esc(&self.id.value),
            esc(&self.source.path),
            self.source.line
        ));
        for RecordField {
            column: k,
            value: v,
        } in &self.record
        {
            s.push_str(&format!(
                "{item}{}: {}\n",
                esc(k),
                if v.is_empty() {
                    "(empty)".to_string()
                } else {
                    esc(v)
                }
            ));
        }
        s.push_str(&format!(
            "{gap}Consent: {}.\n{gap}",
            esc(&self.consent.detail)
        ));
        match (self.score, self.decision) {
            (Some(p), Some(d)) => {
                s.push_str(&format!(
                    "Your score is {:.3}; the threshold is {}, so the automated decision is {}.\n{gap}",
                    p,
                    self.threshold,
                    if d { "positive" } else { "negative" }
                ));
                if !self.reasons.is_empty() {
                    s.push_str(&format!(
                        "The main reasons (effect on the log-odds of the score):\n{gap}"
                    ));
                    for r in &self.reasons {
                        s.push_str(&format!("{item}{}\n", esc(&r.to_string())));
                    }
                    s.push_str(gap);
                }
                if !self.counterfactuals.is_empty() {
                    s.push_str(&format!(
                        "Any one of these changes would have reached the threshold:\n{gap}"
                    ));
                    for c in &self.counterfactuals {
                        s.push_str(&format!(
                            "{item}{} from {} to {}\n",
                            esc(&c.feature),
                            esc(&c.from.to_string()),
                            esc(&c.to.to_string())
                        ));
                    }
                    s.push_str(gap);
                }
            }
            _ => s.push_str(&format!("No score was computed for you.\n{gap}")),
        }
        s.push_str(&format!(
            "Model trained {} with fairgate {}. You may ask for a human review of this decision.\n",
            esc(&self.model.created),
            esc(&self.model.fairgate_version)
        ));
        s
    }
}
