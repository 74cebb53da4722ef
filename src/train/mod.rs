//! Training scoring models: L2-regularised logistic regression (fairgate's Newton solver, or
//! linfa-logistic as the reference) and rule-based points models with a logistic
//! calibration. Only rows with a lawful basis are used ([`consent_filter`]); protected attributes
//! are never features (the loader refuses a column with both roles) but are recorded so that
//! scoring carries them to the audit.

mod consent;
mod design;
mod evaluate;
mod model;
mod points;
mod reference;
mod reweigh;
mod score;
mod solver;

use crate::data::{Column, ColumnKind, DataSpec, Role, Table};
use crate::params::{Checked, InvalidParam};

pub use consent::consent_filter;
pub use design::{Design, Encoder, FeatureColumn, FeatureEncoding, MISSING_LEVEL};
pub use evaluate::{auc, stratified_folds, stratified_split, weighted_auc, Scores, Spread};
pub use model::{
    Coefficient, CrossValidation, DataRecord, Exclusions, FitRecord, GridSearchRecord, LabelInfo,
    Mixture, MixtureComponent, Model, ModelKind, Multiplier, RecordAges, Roles, RuleFiring,
    TrainOptions, MODEL_SCHEMA_VERSION,
};
pub use points::{Rule, RuleSet};
pub use reference::fit_linfa;
pub use reweigh::{reweigh, ReweighCell, Reweighing, DEFAULT_MIN_CELL};
pub use score::{score, table_scores, write_scored_table, ModelInput, ModelReader, ScoreSummary};
pub use solver::{fit_logistic, sigmoid, LogisticFit, LogisticParams};
pub(crate) use solver::{hessian_at, inverse};

/// Errors of training and scoring.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// A parameter is out of range, or parameters conflict.
    #[error("{0}")]
    Param(#[from] InvalidParam),
    /// The table lacks a column of this role.
    #[error("training needs a {} column", .0.as_str())]
    MissingRole(Role),
    /// A model or rules file cannot be read or is not valid.
    #[error(transparent)]
    File(#[from] crate::file_error::FileError),
    /// Inputs of mismatched shapes.
    #[error("{0}")]
    Shape(String),
    /// Nothing to train on.
    #[error("{0}")]
    NoRows(String),
    /// A feature cannot be used.
    #[error("{0}")]
    Feature(String),
    /// The fit has no unique solution.
    #[error("{0}")]
    Singular(String),
    /// A bad rules file or rule.
    #[error("{0}")]
    Rules(String),
    /// A bad or mismatched model file.
    #[error("{0}")]
    Model(String),
    /// linfa-logistic failed.
    #[error("linfa-logistic: {0}")]
    Linfa(String),
    /// The data cannot be read.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// A stream the caller handed in (the scores' CSV) cannot be written.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<linfa::Error> for TrainError {
    fn from(e: linfa::Error) -> TrainError {
        TrainError::Linfa(e.to_string())
    }
}

impl From<linfa_logistic::error::Error> for TrainError {
    fn from(e: linfa_logistic::error::Error) -> TrainError {
        TrainError::Linfa(e.to_string())
    }
}

/// The solver of a logistic model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Solver {
    /// fairgate's Newton solver (the default): exact, weighted, threaded.
    #[default]
    Newton,
    /// linfa-logistic's L-BFGS, the reference (no class weights).
    Linfa,
}

/// Training settings.
#[derive(Clone, Debug)]
pub struct TrainParams {
    /// Logistic or points.
    pub kind: ModelKind,
    /// The rules of a points model.
    pub rules: Option<RuleSet>,
    /// scikit-learn's C (inverse regularisation). Defaults to 1.
    pub c: f64,
    /// Weight classes inversely to their frequency (scikit-learn's `balanced`).
    pub balanced: bool,
    /// Share of rows held out for validation, in [0, 0.9]. Defaults to 0.3.
    pub test_size: f64,
    /// Cross-validation folds on the training rows (0 or 2 and more). Defaults to 0.
    pub cv: usize,
    /// Seed of the split and folds.
    pub seed: u64,
    /// The logistic solver.
    pub solver: Solver,
    /// Most levels of a categorical feature. Defaults to 100.
    pub max_levels: usize,
    /// The decision threshold recorded in the model. Defaults to 0.5.
    pub threshold: f64,
    /// The creation time to record (seconds since the epoch); `None`: now.
    pub created: Option<i64>,
    /// Reweigh the training rows by these protected attributes' (group, label) cells
    /// (Kamiran & Calders; see [`reweigh`]); empty: no reweighing.
    pub reweigh: Vec<String>,
    /// Reweighing cells with fewer rows are flagged. Defaults to [`DEFAULT_MIN_CELL`].
    pub min_cell_size: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            kind: ModelKind::Logistic,
            rules: None,
            c: 1.0,
            balanced: false,
            test_size: 0.3,
            cv: 0,
            seed: 0,
            solver: Solver::Newton,
            max_levels: 100,
            threshold: 0.5,
            created: None,
            reweigh: Vec::new(),
            min_cell_size: DEFAULT_MIN_CELL,
        }
    }
}

impl TrainParams {
    /// Checks the ranges and combinations: `c` positive and finite, `test_size` in [0, 0.9],
    /// `cv` 0 or 2 to 100, `threshold` in [0, 1], `max_levels` at least 1, rules exactly for
    /// points models, and no class weights with the linfa solver. Training takes only checked
    /// parameters.
    pub fn check(self) -> Result<Checked<TrainParams>, TrainError> {
        let bad = |name, expected: &str, found: String| {
            Err(InvalidParam::new(name, expected, found).into())
        };
        if !(self.c > 0.0 && self.c.is_finite()) {
            return bad("c", "a positive number", self.c.to_string());
        }
        if !(0.0..=0.9).contains(&self.test_size) {
            return bad(
                "test_size",
                "a share between 0 and 0.9",
                self.test_size.to_string(),
            );
        }
        if self.cv == 1 || self.cv > 100 {
            return bad("cv", "0 (none) or 2 to 100 folds", self.cv.to_string());
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return bad(
                "threshold",
                "a number in [0, 1]",
                self.threshold.to_string(),
            );
        }
        if self.max_levels == 0 {
            return bad("max_levels", "at least 1", "0".into());
        }
        match (self.kind, &self.rules) {
            (ModelKind::Points, None) => {
                return bad("rules", "a rules file for a points model", "none".into())
            }
            (ModelKind::Logistic, Some(_)) => {
                return bad(
                    "rules",
                    "no rules for a logistic model (rules are for points models)",
                    "a rules file".into(),
                )
            }
            _ => {}
        }
        if self.solver == Solver::Linfa && self.balanced {
            return bad(
                "balanced",
                "no class weights with the linfa solver, which takes no sample weights (use the newton solver)",
                "balanced".into(),
            );
        }
        if self.solver == Solver::Linfa && !self.reweigh.is_empty() {
            return bad(
                "reweigh",
                "no reweighing with the linfa solver, which takes no sample weights (use the newton solver)",
                self.reweigh.join(","),
            );
        }
        Ok(Checked::after_check(self))
    }
}

/// A fitted model on some rows, before it becomes an artifact.
enum Fitted {
    Logistic {
        encoder: Encoder,
        fit: LogisticFit,
        background: Vec<f64>,
    },
    Points {
        fit: LogisticFit,
    },
}

/// What training works on: the label, the feature columns and the points totals.
struct Inputs<'a> {
    y: Vec<bool>,
    columns: Vec<FeatureColumn<'a>>,
    points: Option<Vec<f64>>,
    missing: crate::data::MissingNumeric,
    /// The fit's row weights by table position (prior weights times reweighing factors).
    fit_weights: Option<Vec<f64>>,
    /// The data's own row weights by table position, for the validation scores.
    eval_weights: Option<Vec<f64>>,
}

/// Which rows of the table a model trained on and which it was validated on (table
/// positions, ascending); the other rows had no lawful basis.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowSplit {
    /// The rows the model was fitted on.
    pub training: Vec<usize>,
    /// The rows held out for validation.
    pub validation: Vec<usize>,
}

/// How to read a training file: a points model reads its rules' columns (when `spec` lists
/// no features), a logistic model every column without a role (unless `spec` lists the
/// features). Sets `spec.features` for a points model and returns the read options. A score
/// or decision column (another model's output) is never a feature: it moves to the excluded
/// columns, so it is neither read nor validated.
pub fn reading(spec: &mut DataSpec, rules: Option<&RuleSet>) -> crate::data::ReadOptions {
    for column in [spec.score.take(), spec.prediction.take()]
        .into_iter()
        .flatten()
    {
        spec.exclude.get_or_insert_with(Vec::new).push(column);
    }
    let unlisted = match (rules, &spec.features) {
        (Some(r), None) => {
            spec.features = Some(r.columns());
            crate::data::Unlisted::Ignore
        }
        (_, Some(_)) => crate::data::Unlisted::Ignore,
        (None, None) => crate::data::Unlisted::AsFeatures,
    };
    crate::data::ReadOptions {
        unlisted,
        ..crate::data::ReadOptions::default()
    }
}

/// Trains a model on `table` (loaded with `spec`). Rows without a lawful basis are left out
/// and counted; the rest are split into training and validation rows.
pub fn train(
    table: &Table,
    spec: &DataSpec,
    params: &Checked<TrainParams>,
) -> Result<Model, TrainError> {
    Ok(train_with_split(table, spec, params)?.0)
}

/// [`train`], also returning which rows trained the model and which validated it (for
/// [`write_scored_table`], so that an audit can use only the held-out rows).
pub fn train_with_split(
    table: &Table,
    spec: &DataSpec,
    params: &Checked<TrainParams>,
) -> Result<(Model, RowSplit), TrainError> {
    let label_col = table
        .with_role(Role::Label)
        .next()
        .ok_or(TrainError::MissingRole(Role::Label))?;
    let y = table.label().unwrap_or_default();
    let columns: Vec<FeatureColumn<'_>> = feature_columns(table, params)?
        .iter()
        .map(|c| FeatureColumn {
            name: &c.name,
            values: &c.values,
            levels: &c.levels,
        })
        .collect();
    let lawful = Lawful::of(table, spec)?;
    let (train_rows, valid_rows) = split_rows(&lawful.kept, &y, params)?;
    let mut in_training = vec![false; table.n_rows()];
    train_rows.iter().for_each(|&i| in_training[i] = true);
    let (points, rule_firing) = match &params.rules {
        Some(rules) => {
            let (points, fired) = rules.points(&columns, Some(&in_training))?;
            let firing = rules
                .rule
                .iter()
                .zip(fired)
                .map(|(r, rows)| RuleFiring {
                    id: r.id.clone(),
                    rows,
                })
                .collect();
            (Some(points), firing)
        }
        None => (None, Vec::new()),
    };
    let weight_col = table.with_role(Role::Weight).next();
    let prior: Option<Vec<f64>> = weight_col.and_then(|c| c.as_f64()).map(<[f64]>::to_vec);
    if params.solver == Solver::Linfa && prior.is_some() && params.kind == ModelKind::Logistic {
        return Err(InvalidParam::new(
            "weight",
            "no row weights with the linfa solver, which takes no sample weights (use the newton solver)",
            weight_col.map_or(String::new(), |c| c.name.clone()),
        )
        .into());
    }
    let (fit_weights, reweighing) =
        reweigh_training(table, &y, prior.as_deref(), &train_rows, params)?;
    let inputs = Inputs {
        y,
        columns,
        points,
        missing: spec.missing_numeric.unwrap_or_default(),
        fit_weights,
        eval_weights: prior,
    };

    let fitted = fit_on(&inputs, &train_rows, params)?;
    // The training and validation scores are independent: computed side by side.
    let (train_scores, validation) = std::thread::scope(|scope| {
        let validation = scope.spawn(|| {
            if valid_rows.is_empty() {
                Ok(None)
            } else {
                scores_of(&inputs, &fitted, &valid_rows)
            }
        });
        let train_scores = scores_of(&inputs, &fitted, &train_rows);
        let validation = validation
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (train_scores, validation)
    });
    let (train_scores, validation) = (train_scores?, validation?);
    let cross_validation = if params.cv >= 2 {
        Some(cross_validate(&inputs, &train_rows, params)?)
    } else {
        None
    };
    let parts = FittedParts::of(fitted);
    let created = params.created.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    });
    let solver_name = solver_name(params);
    let data = lawful.record(table, train_rows.len(), valid_rows.len());
    let model = Model {
        mixture: None,
        schema_version: MODEL_SCHEMA_VERSION,
        fairgate_version: crate::version::VERSION.to_string(),
        created: crate::data::format_timestamp(created),
        kind: params.kind,
        label: LabelInfo {
            column: label_col.name.clone(),
            positive: spec.positive.clone(),
        },
        threshold: params.threshold,
        roles: lawful.roles(table, spec),
        encoder: parts.encoder,
        coefficients: parts.coefficients,
        intercept: parts.fit.intercept,
        background: parts.background,
        rules: params.rules.clone(),
        slope: parts.slope,
        rule_firing,
        options: TrainOptions {
            weight: weight_col.map(|c| c.name.clone()),
            reweighing,
            ..options_of(params, spec)
        },
        data,
        fit: FitRecord {
            solver: solver_name.into(),
            iterations: (solver_name == "newton").then_some(parts.fit.iterations),
            converged: (solver_name == "newton").then_some(parts.fit.converged),
            gradient_max: parts.fit.gradient_max,
            objective: parts.fit.objective,
        },
        train_scores,
        validation,
        cross_validation,
    };
    Ok((
        model,
        RowSplit {
            training: train_rows,
            validation: valid_rows,
        },
    ))
}

/// The columns a model reads: the rules' columns for a points model (features only), every
/// feature otherwise.
fn feature_columns<'t>(
    table: &'t Table,
    params: &TrainParams,
) -> Result<Vec<&'t Column>, TrainError> {
    let cols: Vec<&Column> = match &params.rules {
        Some(rules) => {
            let mut cols = Vec::new();
            for name in rules.columns() {
                let c = table.column(&name).ok_or_else(|| {
                    TrainError::Rules(format!(
                        "a rule reads column \"{name}\", which was not loaded"
                    ))
                })?;
                if c.role != Role::Feature {
                    return Err(TrainError::Rules(format!(
                        "a rule reads column \"{name}\", which is the {} column; points rules may read features only (protected attributes never drive a score)",
                        c.role.as_str()
                    )));
                }
                cols.push(c);
            }
            cols
        }
        None => table.with_role(Role::Feature).collect(),
    };
    if cols.is_empty() {
        return Err(TrainError::Feature(
            "no feature columns: list them with --features, or leave --features out to use every column without a role".into(),
        ));
    }
    Ok(cols)
}

/// The rows with a lawful basis, and the consent columns and counts that decided it.
struct Lawful<'t> {
    consent: Option<&'t Column>,
    stamp: Option<&'t Column>,
    as_of: Option<i64>,
    kept: Vec<usize>,
    excluded: Exclusions,
}

impl<'t> Lawful<'t> {
    /// Applies the consent flag and, with a consent timestamp and an as-of date, the dates;
    /// no row left is an error with the count of each reason.
    fn of(table: &'t Table, spec: &DataSpec) -> Result<Lawful<'t>, TrainError> {
        let consent = table.with_role(Role::Consent).next();
        let stamp = match &spec.consent_timestamp {
            Some(name) => Some(table.column(name).ok_or_else(|| {
                InvalidParam::new(
                    "consent_timestamp",
                    "a loaded column",
                    format!("\"{name}\", which was not loaded"),
                )
            })?),
            None => None,
        };
        let as_of = spec.as_of_seconds().map_err(TrainError::Data)?;
        check_consent_options(consent.is_some(), stamp.is_some(), as_of.is_some())?;
        if stamp.is_some_and(|c| c.kind != ColumnKind::Timestamp) {
            return Err(InvalidParam::new(
                "consent_timestamp",
                "a timestamp column",
                "a column that is not one",
            )
            .into());
        }
        let (keep, excluded) = consent_filter(
            table.n_rows(),
            consent.and_then(Column::as_bool),
            stamp.and_then(Column::as_f64),
            as_of,
        );
        let kept: Vec<usize> = (0..table.n_rows()).filter(|&i| keep[i]).collect();
        if kept.is_empty() {
            return Err(TrainError::NoRows(format!(
                "no row has a lawful basis to be used: {} refused consent, {} have no consent value, {} consented after the as-of date, {} lack a consent timestamp",
                excluded.consent_refused,
                excluded.consent_missing,
                excluded.consent_after_as_of,
                excluded.consent_timestamp_missing
            )));
        }
        Ok(Lawful {
            consent,
            stamp,
            as_of,
            kept,
            excluded,
        })
    }

    /// The model's column roles.
    fn roles(&self, table: &Table, spec: &DataSpec) -> Roles {
        Roles {
            id: table.with_role(Role::Id).next().map(|c| c.name.clone()),
            protected: table
                .with_role(Role::Protected)
                .map(|c| c.name.clone())
                .collect(),
            consent: self.consent.map(|c| c.name.clone()),
            consent_timestamp: self.stamp.map(|c| c.name.clone()),
            as_of: spec.as_of.clone(),
        }
    }

    /// The model's record of its training data.
    fn record(&self, table: &Table, train_rows: usize, validation_rows: usize) -> DataRecord {
        let summary = table.summary();
        DataRecord {
            file: summary.source.clone(),
            sha256: summary.sha256.clone(),
            rows_read: summary.rows_read,
            rejected: summary.rejected.clone(),
            excluded: self.excluded.clone(),
            rows_used: self.kept.len() as u64,
            train_rows: train_rows as u64,
            validation_rows: validation_rows as u64,
            record_ages: match (self.stamp, self.as_of) {
                (Some(col), Some(at)) => col.as_f64().and_then(|v| {
                    RecordAges::from_timestamps(&col.name, at, self.kept.iter().map(|&i| v[i]))
                }),
                _ => None,
            },
        }
    }
}

/// Training and validation rows (table positions): a stratified split of the lawful rows; the
/// training rows must hold both classes.
fn split_rows(
    kept: &[usize],
    y: &[bool],
    params: &TrainParams,
) -> Result<(Vec<usize>, Vec<usize>), TrainError> {
    let y_kept: Vec<bool> = kept.iter().map(|&i| y[i]).collect();
    let (train_pos, valid_pos) = if params.test_size > 0.0 {
        stratified_split(&y_kept, params.test_size, params.seed)
    } else {
        ((0..kept.len()).collect(), Vec::new())
    };
    let train_rows: Vec<usize> = train_pos.iter().map(|&k| kept[k]).collect();
    let valid_rows: Vec<usize> = valid_pos.iter().map(|&k| kept[k]).collect();
    let classes = train_rows.iter().filter(|&&i| y[i]).count();
    if classes == 0 || classes == train_rows.len() {
        return Err(TrainError::NoRows(format!(
            "the {} training rows all have the same label; a model needs both classes",
            train_rows.len()
        )));
    }
    Ok((train_rows, valid_rows))
}

/// What a fit leaves in the model file.
struct FittedParts {
    encoder: Option<Encoder>,
    coefficients: Vec<Coefficient>,
    slope: Option<f64>,
    fit: LogisticFit,
    background: Vec<f64>,
}

impl FittedParts {
    fn of(fitted: Fitted) -> FittedParts {
        match fitted {
            Fitted::Logistic {
                encoder,
                fit,
                background,
            } => FittedParts {
                coefficients: encoder
                    .column_names()
                    .into_iter()
                    .zip(fit.coef.iter())
                    .map(|(name, &value)| Coefficient { name, value })
                    .collect(),
                encoder: Some(encoder),
                slope: None,
                fit,
                background,
            },
            Fitted::Points { fit } => FittedParts {
                encoder: None,
                coefficients: Vec::new(),
                slope: fit.coef.first().copied(),
                fit,
                background: Vec::new(),
            },
        }
    }
}

/// The solver recorded in the model: points models are calibrated with Newton.
fn solver_name(params: &TrainParams) -> &'static str {
    match (params.kind, params.solver) {
        (ModelKind::Points, _) | (_, Solver::Newton) => "newton",
        (_, Solver::Linfa) => "linfa",
    }
}

/// The options recorded in the model.
fn options_of(params: &TrainParams, spec: &DataSpec) -> TrainOptions {
    TrainOptions {
        c: (params.kind == ModelKind::Logistic).then_some(params.c),
        class_weight: if params.balanced { "balanced" } else { "none" }.into(),
        test_size: params.test_size,
        cv: params.cv,
        seed: params.seed,
        solver: solver_name(params).into(),
        max_levels: params.max_levels,
        missing_numeric: format!("{:?}", spec.missing_numeric.unwrap_or_default()).to_lowercase(),
        weight: None,
        reweighing: None,
        grid_search: None,
    }
}

/// The fit's row weights (by table position): the prior weights, times the reweighing
/// factors of the training rows when asked for (computed on the training rows only; other
/// rows keep their prior weight). Also checks that the training rows' weights leave both
/// classes some weight.
fn reweigh_training(
    table: &Table,
    y: &[bool],
    prior: Option<&[f64]>,
    train_rows: &[usize],
    params: &TrainParams,
) -> Result<(Option<Vec<f64>>, Option<Reweighing>), TrainError> {
    let mut weights = prior.map(<[f64]>::to_vec);
    let mut record = None;
    if !params.reweigh.is_empty() {
        let mut cols = Vec::new();
        for name in &params.reweigh {
            match table.column(name) {
                Some(c) if c.role == Role::Protected && c.as_codes().is_some() => cols.push(c),
                _ => {
                    return Err(InvalidParam::new(
                        "reweigh",
                        "protected attributes of the data (--protected)",
                        format!("\"{name}\""),
                    )
                    .into())
                }
            }
        }
        let (r, w) = reweigh(&cols, y, prior, train_rows, params.min_cell_size);
        let all = weights.get_or_insert_with(|| vec![1.0; table.n_rows()]);
        for (&i, wi) in train_rows.iter().zip(w) {
            all[i] = wi;
        }
        record = Some(r);
    }
    if let Some(w) = &weights {
        let mut by_class = [0.0f64; 2];
        for &i in train_rows {
            by_class[usize::from(y[i])] += w[i];
        }
        if by_class.iter().any(|&c| c <= 0.0) {
            return Err(TrainError::NoRows(format!(
                "the training rows' weights leave the {} class with no weight (positive: {}, negative: {}); a model needs weight on both classes",
                if by_class[1] <= 0.0 { "positive" } else { "negative" },
                by_class[1],
                by_class[0]
            )));
        }
    }
    Ok((weights, record))
}

/// The scores of a fitted model on `rows`, weighted by the data's own row weights.
fn scores_of(
    inputs: &Inputs<'_>,
    fitted: &Fitted,
    rows: &[usize],
) -> Result<Option<Scores>, TrainError> {
    let p = predict_rows(inputs, fitted, rows)?;
    let w = inputs
        .eval_weights
        .as_ref()
        .map(|w| rows.iter().map(|&i| w[i]).collect::<Vec<f64>>());
    Ok(Scores::weighted(&p, &labels(inputs, rows), w.as_deref()))
}

/// A consent timestamp column without an as-of date, or the other way round.
pub(crate) fn consent_pair() -> TrainError {
    InvalidParam::new(
        "as_of",
        "an as-of date with a consent timestamp column, and neither without the other (a consent counts when it was given on or before the as-of date)",
        "one of them alone",
    )
    .into()
}

fn check_consent_options(consent: bool, stamp: bool, as_of: bool) -> Result<(), TrainError> {
    if stamp != as_of {
        return Err(consent_pair());
    }
    if stamp && !consent {
        return Err(InvalidParam::new(
            "consent_timestamp",
            "a consent flag column beside it (consent)",
            "a consent timestamp alone",
        )
        .into());
    }
    Ok(())
}

fn labels(inputs: &Inputs<'_>, rows: &[usize]) -> Vec<bool> {
    rows.iter().map(|&i| inputs.y[i]).collect()
}

/// The weights of a fit: the row weights, times scikit-learn's balanced class weights when
/// asked for (`W / (2 W_class)`, with `W` the total row weight: scikit-learn's
/// `compute_class_weight` with `sample_weight`, counts without row weights).
fn fit_weights(y: &[bool], rows: Option<&[f64]>, balanced: bool) -> Option<Vec<f64>> {
    if !balanced {
        return rows.map(<[f64]>::to_vec);
    }
    let w = |i: usize| rows.map_or(1.0, |r| r[i]);
    let n: f64 = (0..y.len()).map(w).sum();
    let pos: f64 = (0..y.len()).filter(|&i| y[i]).map(w).sum();
    let (wp, wn) = (n / (2.0 * pos), n / (2.0 * (n - pos)));
    Some(
        y.iter()
            .enumerate()
            .map(|(i, &b)| w(i) * if b { wp } else { wn })
            .collect(),
    )
}

fn fit_on(inputs: &Inputs<'_>, rows: &[usize], params: &TrainParams) -> Result<Fitted, TrainError> {
    let y = labels(inputs, rows);
    let row_weights: Option<Vec<f64>> = inputs
        .fit_weights
        .as_ref()
        .map(|w| rows.iter().map(|&i| w[i]).collect());
    match &inputs.points {
        Some(points) => {
            let x = ndarray::Array2::from_shape_fn((rows.len(), 1), |(k, _)| points[rows[k]]);
            let fit = fit_logistic(
                x.view(),
                &y,
                row_weights.as_deref(),
                &LogisticParams {
                    c: f64::INFINITY,
                    ..LogisticParams::default()
                },
            )
            .map_err(|e| match e {
                TrainError::Singular(_) => TrainError::Rules(
                    "the calibration of the points total cannot be fitted: the rules give every training row the same points, or the points separate the labels perfectly".into(),
                ),
                other => other,
            })?;
            Ok(Fitted::Points { fit })
        }
        None => {
            let encoder = Encoder::fit(
                &inputs.columns,
                Some(rows),
                inputs.missing,
                params.max_levels,
            )?;
            let design = encoder.transform(&inputs.columns, Some(rows))?;
            let background = design
                .x
                .mean_axis(ndarray::Axis(0))
                .map_or_else(Vec::new, |m| m.to_vec());
            let fit = match params.solver {
                Solver::Newton => {
                    let w = fit_weights(&y, row_weights.as_deref(), params.balanced);
                    fit_logistic(
                        design.x.view(),
                        &y,
                        w.as_deref(),
                        &LogisticParams {
                            c: params.c,
                            ..LogisticParams::default()
                        },
                    )?
                }
                Solver::Linfa => fit_linfa(design.x.view(), &y, params.c)?,
            };
            Ok(Fitted::Logistic {
                encoder,
                fit,
                background,
            })
        }
    }
}

fn predict_rows(
    inputs: &Inputs<'_>,
    fitted: &Fitted,
    rows: &[usize],
) -> Result<Vec<f64>, TrainError> {
    Ok(match fitted {
        Fitted::Logistic { encoder, fit, .. } => {
            // In slices, so that predicting never holds a second full design matrix.
            let mut p = Vec::with_capacity(rows.len());
            for part in rows.chunks(1 << 16) {
                let design = encoder.transform(&inputs.columns, Some(part))?;
                p.extend(fit.predict(design.x.view()));
            }
            p
        }
        Fitted::Points { fit } => {
            let points = inputs.points.as_deref().unwrap_or_default();
            let slope = fit.coef.first().copied().unwrap_or(0.0);
            rows.iter()
                .map(|&i| sigmoid(fit.intercept + slope * points[i]))
                .collect()
        }
    })
}

fn cross_validate(
    inputs: &Inputs<'_>,
    rows: &[usize],
    params: &TrainParams,
) -> Result<CrossValidation, TrainError> {
    let y = labels(inputs, rows);
    let folds = stratified_folds(&y, params.cv, params.seed);
    let (mut aucs, mut losses, mut briers) = (Vec::new(), Vec::new(), Vec::new());
    let step = crate::progress::step("cross-validation folds", folds.len() as u64);
    for held in &folds {
        let mut is_held = vec![false; rows.len()];
        held.iter().for_each(|&k| is_held[k] = true);
        let fold_train: Vec<usize> = (0..rows.len())
            .filter(|&k| !is_held[k])
            .map(|k| rows[k])
            .collect();
        let fold_test: Vec<usize> = held.iter().map(|&k| rows[k]).collect();
        let fitted = fit_on(inputs, &fold_train, params)?;
        let s = scores_of(inputs, &fitted, &fold_test)?;
        aucs.push(s.as_ref().and_then(|s| s.auc));
        losses.push(s.as_ref().map(|s| s.log_loss));
        briers.push(s.as_ref().map(|s| s.brier));
        step.inc(1);
    }
    Ok(CrossValidation {
        folds: params.cv,
        auc: Spread::of(aucs),
        log_loss: Spread::of(losses),
        brier: Spread::of(briers),
    })
}

/// The validation ROC AUC of a logistic model fitted, as [`train`] fits it, on `train_rows`
/// of `columns` and scored on `valid_rows` (`None` when undefined). Used to measure what a
/// feature adds, by refitting without it.
pub fn refit_auc(
    columns: &[FeatureColumn<'_>],
    y: &[bool],
    train_rows: &[usize],
    valid_rows: &[usize],
    params: &TrainParams,
    missing: crate::data::MissingNumeric,
) -> Result<Option<f64>, TrainError> {
    let inputs = Inputs {
        y: y.to_vec(),
        columns: columns.to_vec(),
        points: None,
        missing,
        fit_weights: None,
        eval_weights: None,
    };
    let fitted = fit_on(&inputs, train_rows, params)?;
    let p = predict_rows(&inputs, &fitted, valid_rows)?;
    Ok(auc(&p, &labels(&inputs, valid_rows)))
}
