//! The model artifact: everything needed to score new data exactly as training did, and the
//! record of how the model was made (data hash, rows used and excluded, options, fit and
//! validation). Serialized as JSON with a versioned schema.

use serde::{Deserialize, Serialize};

use super::design::{Encoder, FeatureColumn, FeatureEncoding};
use super::evaluate::{Scores, Spread};
use super::points::RuleSet;
use super::solver::sigmoid;
use super::TrainError;
use crate::data::Rejection;
use crate::file_error::FileError;

/// The version of the model JSON layout. `score` refuses other versions.
pub const MODEL_SCHEMA_VERSION: u32 = 1;

/// Which kind of model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// L2-regularised logistic regression on the encoded features.
    Logistic,
    /// Hand-written points rules with a logistic calibration of the total.
    Points,
}

/// A fitted scoring model and its provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Model {
    /// [`MODEL_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The fairgate version that trained it.
    pub fairgate_version: String,
    /// When it was trained (UTC, ISO 8601); fixed with `--created` or `SOURCE_DATE_EPOCH`.
    pub created: String,
    /// Logistic or points.
    pub kind: ModelKind,
    /// The label column and its positive value.
    pub label: LabelInfo,
    /// A score at or above it is a positive decision.
    pub threshold: f64,
    /// The columns with other roles that scoring carries or checks.
    pub roles: Roles,
    /// Logistic: the fitted feature transform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder: Option<Encoder>,
    /// Logistic: one coefficient per design column (on the standardised scale).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coefficients: Vec<Coefficient>,
    /// The intercept (logistic) or the calibration intercept (points).
    pub intercept: f64,
    /// Logistic: each design column's mean over the training rows, the background of the
    /// per-person explanations (`coef × (x − background)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub background: Vec<f64>,
    /// Points: the rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RuleSet>,
    /// Points: the calibration slope per point, `P = σ(intercept + slope × points)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slope: Option<f64>,
    /// Points: how many training rows each rule gave points to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule_firing: Vec<RuleFiring>,
    /// The training options.
    pub options: TrainOptions,
    /// The training data and what happened to its rows.
    pub data: DataRecord,
    /// How the solver ended.
    pub fit: FitRecord,
    /// Scores on the training rows.
    pub train_scores: Option<Scores>,
    /// Scores on the held-out validation rows (`--test-size`).
    pub validation: Option<Scores>,
    /// k-fold cross-validation on the training rows (`--cv`).
    pub cross_validation: Option<CrossValidation>,
    /// A randomised mixture of logistic models (`train --exponentiated-gradient`): the score is
    /// the mixture's expected P(positive), the decision a reproducible draw. `coefficients`
    /// are then those of the unconstrained fit, kept for reference only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mixture: Option<Mixture>,
}

/// A randomised mixture of classifiers on the model's design: P(positive | x) =
/// `Σ_j weight_j · h_j(x)`, each `h_j` a logistic model's hard prediction
/// `x·coefficients_j + intercept_j > 0` or a constant; a person's decision is
/// `uniform(seed, key) < P` ([`crate::decision::drawn`]; the key is the hash of their id, or
/// their row's position without one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Mixture {
    /// How it was made (`exponentiated-gradient`).
    pub method: String,
    /// The protected attributes read at training (never at scoring).
    pub by: Vec<String>,
    /// The constraint (Fairlearn's name).
    pub constraint: String,
    /// The bound on each constraint's violation.
    pub difference_bound: f64,
    /// Fairlearn's `eps`.
    pub eps: f64,
    /// The seed of the decisions' draws.
    pub seed: u64,
    /// The classifiers with a weight above 0.
    pub components: Vec<MixtureComponent>,
}

/// One classifier of a [`Mixture`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MixtureComponent {
    /// Its weight in the mixture.
    pub weight: f64,
    /// A constant classifier's decision (`None`: a logistic model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<bool>,
    /// One coefficient per design column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coefficients: Vec<f64>,
    /// The intercept.
    pub intercept: f64,
}

/// The label column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LabelInfo {
    /// Its name.
    pub column: String,
    /// The value read as positive, when one was given (`--positive`).
    pub positive: Option<String>,
}

/// Columns with roles, carried from training to scoring.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Roles {
    /// The identifier column.
    pub id: Option<String>,
    /// Protected attributes: never features, carried to the scored output for the audit.
    pub protected: Vec<String>,
    /// The consent flag column.
    pub consent: Option<String>,
    /// The consent timestamp column.
    pub consent_timestamp: Option<String>,
    /// The as-of date consent timestamps were checked against.
    pub as_of: Option<String>,
}

/// One design column's coefficient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Coefficient {
    /// `feature` or `feature=level`.
    pub name: String,
    /// The coefficient on the standardised (or 0/1) column.
    pub value: f64,
}

/// How often a points rule fired in training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleFiring {
    /// The rule's id.
    pub id: String,
    /// Training rows it gave (non-zero) points to.
    pub rows: u64,
}

/// The options training ran with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TrainOptions {
    /// Inverse regularisation strength (scikit-learn's C; linfa's alpha = 1/C).
    pub c: Option<f64>,
    /// `none` or `balanced`.
    pub class_weight: String,
    /// Share of rows held out for validation.
    pub test_size: f64,
    /// Cross-validation folds (0: none).
    pub cv: usize,
    /// Seed of the split and folds.
    pub seed: u64,
    /// `newton` or `linfa`.
    pub solver: String,
    /// Most levels of a categorical feature.
    pub max_levels: usize,
    /// The missing-numeric rule.
    pub missing_numeric: String,
    /// The row weight column the fit and the validation scores used (scikit-learn's
    /// `sample_weight`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The reweighing the fit used, if any: the protected attributes it read at training
    /// (never at scoring) and every cell's factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reweighing: Option<super::Reweighing>,
    /// The grid search that chose the coefficients (`train --grid-search`), if any: the
    /// protected attributes it read at training (never at scoring), its grid and the chosen
    /// multipliers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_search: Option<GridSearchRecord>,
}

/// How Fairlearn's GridSearch chose a model's coefficients (Agarwal et al.).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GridSearchRecord {
    /// The protected attributes (their intersection when several).
    pub by: Vec<String>,
    /// The constraint (Fairlearn's name).
    pub constraint: String,
    /// Grid points.
    pub grid_size: usize,
    /// The largest multiplier.
    pub grid_limit: f64,
    /// The constraint's weight in the selection loss.
    pub constraint_weight: f64,
    /// The chosen point's index.
    pub chosen: usize,
    /// Its nonzero multipliers.
    pub multipliers: Vec<Multiplier>,
}

/// One Lagrange multiplier of a reduction's constraint `(sign, event, group)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Multiplier {
    /// `+` or `-`.
    pub sign: String,
    /// The event (`all`, `label=1`, `label=0`).
    pub event: String,
    /// The group.
    pub group: String,
    /// λ.
    pub value: f64,
}

/// The training data and what happened to its rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DataRecord {
    /// The file.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Data rows in the file.
    pub rows_read: u64,
    /// Rows the loader rejected, by reason.
    pub rejected: Vec<Rejection>,
    /// Rows excluded for want of a lawful basis.
    pub excluded: Exclusions,
    /// Rows used (training plus validation).
    pub rows_used: u64,
    /// Rows the model was fitted on.
    pub train_rows: u64,
    /// Rows held out.
    pub validation_rows: u64,
    /// Ages of the used records at the as-of date, from the consent timestamp (when both are
    /// given): the data's date span and the evidence for storage limitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_ages: Option<RecordAges>,
}

/// The ages of the records used, in whole days before the as-of date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordAges {
    /// The timestamp column the ages come from.
    pub column: String,
    /// The as-of date they are measured at.
    pub as_of: String,
    /// The earliest and latest timestamp among the records used.
    pub earliest: String,
    /// See `earliest`.
    pub latest: String,
    /// Distinct ages in days (`floor((as_of - timestamp) / 86400)`), ascending, with the
    /// number of records of each age.
    pub days: Vec<(u64, u64)>,
}

impl RecordAges {
    /// Ages from the timestamps (epoch seconds) of the records used, measured at `as_of`
    /// (epoch seconds). `None` when no record has a timestamp.
    pub fn from_timestamps(
        column: &str,
        as_of: i64,
        stamps: impl Iterator<Item = f64>,
    ) -> Option<RecordAges> {
        let mut ages: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        for t in stamps.filter(|t| t.is_finite()) {
            let t = t as i64;
            lo = lo.min(t);
            hi = hi.max(t);
            let age = (as_of - t).max(0).div_euclid(86_400) as u64;
            *ages.entry(age).or_default() += 1;
        }
        (lo <= hi).then(|| RecordAges {
            column: column.to_string(),
            as_of: crate::data::format_timestamp(as_of),
            earliest: crate::data::format_timestamp(lo),
            latest: crate::data::format_timestamp(hi),
            days: ages.into_iter().collect(),
        })
    }

    /// Records older than `retention_days` days.
    pub fn older_than(&self, retention_days: u64) -> u64 {
        self.days
            .iter()
            .filter(|(age, _)| *age > retention_days)
            .map(|(_, n)| n)
            .sum()
    }

    /// Records with an age.
    pub fn total(&self) -> u64 {
        self.days.iter().map(|(_, n)| n).sum()
    }

    /// The age in days below which a share `q` of the records lie (nearest rank).
    pub fn quantile(&self, q: f64) -> Option<u64> {
        let total = self.total();
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total.max(1));
        let mut seen = 0;
        for (age, n) in &self.days {
            seen += n;
            if seen >= rank {
                return Some(*age);
            }
        }
        None
    }
}

/// Rows left out because consent was not established.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Exclusions {
    /// Consent flag false.
    pub consent_refused: u64,
    /// Consent flag empty.
    pub consent_missing: u64,
    /// Consent given after the as-of date.
    pub consent_after_as_of: u64,
    /// Consent flag true but no consent timestamp (when one is required).
    pub consent_timestamp_missing: u64,
}

impl Exclusions {
    /// The clause a summary gives them: with a consent column, the total without a lawful
    /// basis and its reasons ("2 excluded without a lawful basis (1 refused consent, ...)");
    /// without one there is nothing to count, and `None`.
    pub fn clause(&self, consent_column: bool) -> Option<String> {
        consent_column.then(|| {
            format!(
                "{} excluded without a lawful basis ({} refused consent, {} no consent value, {} consent after the as-of date, {} no consent timestamp)",
                self.total(),
                self.consent_refused,
                self.consent_missing,
                self.consent_after_as_of,
                self.consent_timestamp_missing
            )
        })
    }

    /// Adds another run's counts.
    pub fn add(&mut self, other: &Exclusions) {
        self.consent_refused += other.consent_refused;
        self.consent_missing += other.consent_missing;
        self.consent_after_as_of += other.consent_after_as_of;
        self.consent_timestamp_missing += other.consent_timestamp_missing;
    }

    /// All excluded rows.
    pub fn total(&self) -> u64 {
        self.consent_refused
            .saturating_add(self.consent_missing)
            .saturating_add(self.consent_after_as_of)
            .saturating_add(self.consent_timestamp_missing)
    }
}

/// How the solver ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FitRecord {
    /// `newton` or `linfa`.
    pub solver: String,
    /// Iterations (Newton only; linfa does not report them).
    pub iterations: Option<usize>,
    /// Whether it converged (Newton only).
    pub converged: Option<bool>,
    /// Largest absolute gradient component of the objective at the solution.
    pub gradient_max: f64,
    /// The objective at the solution.
    pub objective: f64,
}

/// Cross-validation results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CrossValidation {
    /// Folds.
    pub folds: usize,
    /// ROC AUC over the folds.
    pub auc: Spread,
    /// Log loss over the folds.
    pub log_loss: Spread,
    /// Brier score over the folds.
    pub brier: Spread,
}

impl Model {
    /// The feature columns scoring needs, in the order [`Model::predict`] takes them.
    pub fn feature_columns(&self) -> Vec<String> {
        match (&self.encoder, &self.rules) {
            (Some(e), _) => e.features.iter().map(|f| f.name().to_string()).collect(),
            (None, Some(r)) => r.columns(),
            (None, None) => Vec::new(),
        }
    }

    /// The feature columns the model's encoder reads as numbers (booleans included, as 1
    /// and 0): never read as categories, so that a stray word is an invalid value with its
    /// line and column ([`crate::data::DataSpec::numeric`]).
    pub fn numeric_columns(&self) -> Vec<String> {
        self.encoder.as_ref().map_or_else(Vec::new, |e| {
            e.features
                .iter()
                .filter(|f| matches!(f, FeatureEncoding::Numeric { .. }))
                .map(|f| f.name().to_string())
                .collect()
        })
    }

    /// Feature columns to read as categories.
    pub fn categorical_columns(&self) -> Vec<String> {
        match (&self.encoder, &self.rules) {
            (Some(e), _) => e
                .features
                .iter()
                .filter(|f| matches!(f, FeatureEncoding::Categorical { .. }))
                .map(|f| f.name().to_string())
                .collect(),
            (None, Some(r)) => {
                let mut out: Vec<String> = r
                    .rule
                    .iter()
                    .filter(|r| r.contains.is_some() || r.one_of.is_some())
                    .map(|r| r.column.clone())
                    .collect();
                out.dedup();
                out
            }
            (None, None) => Vec::new(),
        }
    }

    /// P(positive label) per row, and per feature the rows with a category unseen in
    /// training. `columns` are [`Model::feature_columns`], in order.
    pub fn predict(
        &self,
        columns: &[FeatureColumn<'_>],
    ) -> Result<(Vec<f64>, Vec<u64>), TrainError> {
        match (self.kind, &self.encoder, &self.rules, self.slope) {
            (ModelKind::Logistic, Some(encoder), _, _) if self.mixture.is_some() => {
                let design = encoder.transform(columns, None)?;
                let mut p = vec![0.0; design.x.nrows()];
                for c in self.mixture.iter().flat_map(|m| &m.components) {
                    let hard: Vec<bool> = match c.constant {
                        Some(v) => vec![v; p.len()],
                        None => {
                            if c.coefficients.len() != design.x.ncols() {
                                return Err(TrainError::Model(format!(
                                    "a mixture component has {} coefficients for {} design columns",
                                    c.coefficients.len(),
                                    design.x.ncols()
                                )));
                            }
                            let coef = ndarray::Array1::from(c.coefficients.clone());
                            design
                                .x
                                .dot(&coef)
                                .iter()
                                .map(|z| z + c.intercept > 0.0)
                                .collect()
                        }
                    };
                    for (pi, h) in p.iter_mut().zip(hard) {
                        if h {
                            *pi += c.weight;
                        }
                    }
                }
                Ok((
                    p.into_iter().map(|v| v.clamp(0.0, 1.0)).collect(),
                    design.unseen,
                ))
            }
            (ModelKind::Logistic, Some(encoder), _, _) => {
                let design = encoder.transform(columns, None)?;
                if self.coefficients.len() != design.x.ncols() {
                    return Err(TrainError::Model(format!(
                        "the model has {} coefficients for {} design columns",
                        self.coefficients.len(),
                        design.x.ncols()
                    )));
                }
                let coef: ndarray::Array1<f64> =
                    self.coefficients.iter().map(|c| c.value).collect();
                let p = design
                    .x
                    .dot(&coef)
                    .iter()
                    .map(|z| sigmoid(z + self.intercept))
                    .collect();
                Ok((p, design.unseen))
            }
            (ModelKind::Points, _, Some(rules), Some(slope)) => {
                let (points, _) = rules.points(columns, None)?;
                let p = points
                    .iter()
                    .map(|t| sigmoid(self.intercept + slope * t))
                    .collect();
                Ok((p, vec![0; columns.len()]))
            }
            _ => Err(TrainError::Model(
                "the model file lacks its encoder, coefficients or rules".into(),
            )),
        }
    }

    /// The decision for a person with score `p`: `p >= threshold`, or for a mixture the
    /// reproducible draw `uniform(seed, key) < p` (`key`: [`crate::decision::draw_key`] of the
    /// person's id or row position).
    pub fn decide(&self, p: f64, id: Option<&str>, position: u64) -> bool {
        match &self.mixture {
            Some(m) => crate::decision::drawn(p, m.seed, crate::decision::draw_key(id, position)),
            None => crate::decision::positive(p, self.threshold),
        }
    }

    /// Reads a model file, checking the schema version.
    pub fn from_path(path: &std::path::Path) -> Result<Model, TrainError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(origin.clone(), e))?;
        Model::from_json(&text, &origin)
    }

    /// Reads a model file's text (`origin` names it in messages), with the checks of
    /// [`Model::from_path`].
    pub fn from_json(text: &str, origin: &str) -> Result<Model, TrainError> {
        let origin = origin.to_string();
        let probe: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            FileError::invalid_at(
                origin.clone(),
                e.line(),
                e.column(),
                format!("not a fairgate model (invalid JSON: {e})"),
            )
        })?;
        let version = probe
            .get("schema_version")
            .and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(MODEL_SCHEMA_VERSION)) {
            return Err(FileError::invalid(
                origin,
                None,
                format!(
                    "model schema version {} is not the one this fairgate reads ({MODEL_SCHEMA_VERSION}); retrain the model with this version",
                    version.map_or("(none)".to_string(), |v| v.to_string())
                ),
            )
            .into());
        }
        let model: Model = serde_json::from_value(probe).map_err(|e| {
            FileError::invalid(
                origin.clone(),
                None,
                format!("not a valid fairgate model: {e}"),
            )
        })?;
        model.check().map_err(|e| {
            FileError::invalid(
                origin.clone(),
                None,
                format!("not a consistent fairgate model: {e}"),
            )
        })?;
        Ok(model)
    }

    /// Checks that a model read from a file is consistent, so that an edited or corrupted file
    /// is refused rather than used or judged: the decision threshold in [0, 1]; coefficients,
    /// intercept, slope and every encoding number finite, and every scale positive; AUC and
    /// Brier score in [0, 1], log loss at least 0, positives at most n; and the data's counts
    /// adding up: `rows_used + excluded + rejected = rows_read` and `train_rows +
    /// validation_rows = rows_used`. The error names the field.
    pub fn check(&self) -> Result<(), String> {
        unit("threshold", self.threshold)?;
        finite("intercept", self.intercept)?;
        for c in &self.coefficients {
            finite(&format!("coefficients[{}]", c.name), c.value)?;
        }
        if let Some(s) = self.slope {
            finite("slope", s)?;
        }
        for f in self.encoder.iter().flat_map(|e| &e.features) {
            if let crate::train::FeatureEncoding::Numeric {
                name,
                mean,
                scale,
                fill,
                ..
            } = f
            {
                finite(&format!("encoder.{name}.mean"), *mean)?;
                finite(&format!("encoder.{name}.fill"), *fill)?;
                if !(scale.is_finite() && *scale > 0.0) {
                    return Err(format!(
                        "encoder.{name}.scale: expected a positive number, found {scale}"
                    ));
                }
            }
        }
        if let Some(m) = &self.mixture {
            let width = self.coefficients.len();
            let mut total = 0.0;
            for (j, c) in m.components.iter().enumerate() {
                unit(&format!("mixture.components[{j}].weight"), c.weight)?;
                finite(&format!("mixture.components[{j}].intercept"), c.intercept)?;
                total += c.weight;
                if c.constant.is_none() && c.coefficients.len() != width {
                    return Err(format!(
                        "mixture.components[{j}].coefficients: {} for {width} design columns",
                        c.coefficients.len()
                    ));
                }
                for v in &c.coefficients {
                    finite(&format!("mixture.components[{j}].coefficients"), *v)?;
                }
            }
            if (total - 1.0).abs() > 1e-9 {
                return Err(format!("mixture.components: weights sum to {total}, not 1"));
            }
        }
        self.check_scores()?;
        if let Some(cv) = &self.cross_validation {
            check_cross_validation(cv)?;
        }
        self.data.check()
    }

    /// The training and validation scores: in range, and counted on the rows the data record
    /// gives them.
    fn check_scores(&self) -> Result<(), String> {
        for (name, s, _) in [
            ("train_scores", &self.train_scores, self.data.train_rows),
            ("validation", &self.validation, self.data.validation_rows),
        ] {
            let Some(s) = s else { continue };
            if let Some(auc) = s.auc {
                unit(&format!("{name}.auc"), auc)?;
            }
            unit(&format!("{name}.brier"), s.brier)?;
            if !(s.log_loss.is_finite() && s.log_loss >= 0.0) {
                return Err(format!(
                    "{name}.log_loss: expected a number of at least 0, found {}",
                    s.log_loss
                ));
            }
            if s.positives > s.n {
                return Err(format!(
                    "{name}.positives: {} positives among {} rows",
                    s.positives, s.n
                ));
            }
        }
        for (name, s, rows) in [
            ("train_scores", &self.train_scores, self.data.train_rows),
            ("validation", &self.validation, self.data.validation_rows),
        ] {
            let Some(s) = s else { continue };
            // An AUC needs both classes.
            if s.auc.is_some() && (s.positives == 0 || s.positives >= s.n) {
                return Err(format!(
                    "{name}.auc: an AUC with {} positives among {} rows",
                    s.positives, s.n
                ));
            }
            if s.n != rows {
                return Err(format!(
                    "{name}.n: {} rows, but the data record says {rows}",
                    s.n
                ));
            }
        }
        Ok(())
    }

    /// The model as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

impl Model {
    /// A short readable account of the training run.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let d = &self.data;
        let ex = &d.excluded;
        let kind = match (self.kind, &self.mixture) {
            (ModelKind::Logistic, Some(m)) => format!(
                "a randomised mixture of {} logistic models ({}, {} by {}, bound {}; decisions drawn with seed {}), {} design columns from {} features",
                m.components.len(),
                m.method,
                m.constraint,
                m.by.join(" x "),
                m.difference_bound,
                m.seed,
                self.coefficients.len(),
                self.encoder.as_ref().map_or(0, |e| e.features.len())
            ),
            (ModelKind::Logistic, None) => format!(
                "logistic regression, {} design columns from {} features",
                self.coefficients.len(),
                self.encoder.as_ref().map_or(0, |e| e.features.len())
            ),
            (ModelKind::Points, _) => format!(
                "points model, {} rules, P = sigmoid({:.4} + {:.4} x points)",
                self.rules.as_ref().map_or(0, |r| r.rule.len()),
                self.intercept,
                self.slope.unwrap_or(0.0)
            ),
        };
        let fit = match (self.fit.iterations, self.fit.converged) {
            (Some(i), Some(true)) => format!("{}: converged in {i} iterations", self.fit.solver),
            (Some(i), _) => format!("{}: NOT converged after {i} iterations", self.fit.solver),
            _ => format!(
                "{}: max |gradient| {:.2e}",
                self.fit.solver, self.fit.gradient_max
            ),
        };
        let _ = writeln!(s, "model: {kind} ({fit})");
        let rejected: u64 = d.rejected.iter().map(|r| r.rows).sum();
        let excluded = ex
            .clause(self.roles.consent.is_some())
            .map_or_else(String::new, |c| format!(", {c}"));
        let _ = writeln!(
            s,
            "rows: {} read, {rejected} rejected as invalid{excluded}, {} used: {} training, {} validation",
            d.rows_read, d.rows_used, d.train_rows, d.validation_rows
        );
        if self.roles.consent.is_none() {
            let _ = writeln!(s, "warning: no consent column was given; every row was treated as having a lawful basis");
        }
        let line = |name: &str, sc: &Option<Scores>| match sc {
            Some(x) => format!(
                "{name}: n {}, AUC {}, log loss {:.4}, Brier {:.4}\n",
                x.n,
                x.auc
                    .map_or("undefined (one class)".into(), |a| format!("{a:.4}")),
                x.log_loss,
                x.brier
            ),
            None => String::new(),
        };
        s.push_str(&line("training", &self.train_scores));
        s.push_str(&line("validation", &self.validation));
        if let Some(cv) = &self.cross_validation {
            let f = |sp: &Spread| match (sp.mean, sp.sd) {
                (Some(m), Some(sd)) => format!("{m:.4} ± {sd:.4}"),
                (Some(m), None) => format!("{m:.4}"),
                _ => "undefined".into(),
            };
            let _ = writeln!(
                s,
                "cross-validation ({} folds, mean ± sd): AUC {}, log loss {}, Brier {}",
                cv.folds,
                f(&cv.auc),
                f(&cv.log_loss),
                f(&cv.brier)
            );
        }
        if !self.roles.protected.is_empty() {
            let _ = writeln!(
                s,
                "protected (not features, carried to scoring for the audit): {}",
                self.roles.protected.join(", ")
            );
        }
        s
    }
}

fn finite(field: &str, v: f64) -> Result<(), String> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(format!("{field}: expected a finite number, found {v}"))
    }
}

fn unit(field: &str, v: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(format!("{field}: expected a number from 0 to 1, found {v}"))
    }
}

/// Cross-validation scores: each mean the mean of its folds' values, spreads non-negative,
/// every value a possible AUC, Brier score or log loss.
fn check_cross_validation(cv: &CrossValidation) -> Result<(), String> {
    let spreads = [
        ("auc", &cv.auc),
        ("brier", &cv.brier),
        ("log_loss", &cv.log_loss),
    ];
    for (name, spread) in spreads {
        let values: Vec<f64> = spread.values.iter().flatten().copied().collect();
        if let (Some(mean), false) = (spread.mean, values.is_empty()) {
            let m = values.iter().sum::<f64>() / values.len() as f64;
            let close = (mean - m).abs() <= 1e-9 * m.abs().max(1.0);
            if !close {
                return Err(format!(
                    "cross_validation.{name}.mean: {mean} is not the mean of its values ({m})"
                ));
            }
        }
        if spread.sd.is_some_and(|sd| !(sd.is_finite() && sd >= 0.0)) {
            return Err(format!(
                "cross_validation.{name}.sd: expected a number of at least 0"
            ));
        }
    }
    for (name, spread) in spreads {
        let values = spread.mean.iter().chain(spread.values.iter().flatten());
        for &v in values {
            let ok = v.is_finite() && v >= 0.0 && (name == "log_loss" || v <= 1.0);
            if !ok {
                return Err(format!(
                    "cross_validation.{name}: {v} is not a possible {name}"
                ));
            }
        }
    }
    Ok(())
}

impl DataRecord {
    /// The row account adds up: rows read = used + excluded + rejected, and used = training +
    /// validation.
    fn check(&self) -> Result<(), String> {
        let d = self;
        let rejected = d
            .rejected
            .iter()
            .try_fold(0u64, |s, r| s.checked_add(r.rows))
            .unwrap_or(u64::MAX);
        let accounted = d
            .rows_used
            .checked_add(d.excluded.total())
            .and_then(|n| n.checked_add(rejected));
        if accounted != Some(d.rows_read) {
            return Err(format!(
                "data.rows_read: {} rows read, but {} used, {} excluded without a lawful basis and {rejected} rejected",
                d.rows_read,
                d.rows_used,
                d.excluded.total()
            ));
        }
        if d.train_rows.checked_add(d.validation_rows) != Some(d.rows_used) {
            return Err(format!(
                "data.rows_used: {} rows used, but {} for training and {} for validation",
                d.rows_used, d.train_rows, d.validation_rows
            ));
        }
        Ok(())
    }
}
