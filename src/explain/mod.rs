//! Explaining a trained model: what drives its scores overall ([`GlobalTerm`], permutation
//! importance, points rules by group), per person (contributions, reason codes,
//! counterfactuals: [`local`]), which features act as proxies for protected attributes
//! ([`proxy`]), how much of the score gap between groups each feature carries, and which
//! features could stop being collected (refits without them). [`subject`] exports one
//! person's data, score and reasons (GDPR Art. 15 and 20).
//!
//! Only rows with a lawful basis (the model's consent rule) are explained.

pub mod local;
mod output;
pub mod proxy;
mod report;
mod stream;
mod subject;

use std::io::Write;

use ndarray::{Array1, Array2};
use rand::{seq::SliceRandom, SeedableRng};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::data::{Column, ColumnValues, DataSpec, Input, ReadOptions, Role, Table};
use crate::params::{Checked, InvalidParam};
use crate::provenance::FileRef;
use crate::train::{
    auc, consent_filter, refit_auc, stratified_split, FeatureColumn, Model, ModelInput, TrainError,
    TrainParams,
};
use local::LinearView;

pub use output::{
    Coverage, ExplainedRows, Explanation, FeatureGap, FeatureImportance, GlobalTerm, GroupFiring,
    Minimisation, MinimisationFinding, ModelRef, ModelVersion, ProxyFinding, RecordField,
    RecordSource, RuleFiringByGroup, ScoreGap, SubjectId,
};
pub use report::EXPLAIN_SCHEMA_VERSION;
pub use stream::local as reasons;
pub use subject::{subject, SubjectExport, SUBJECT_SCHEMA_VERSION};

/// Settings of [`explain`].
#[derive(Clone, Debug)]
pub struct ExplainParams {
    /// Reason codes per person. Defaults to 3.
    pub top: usize,
    /// Permutations per feature for permutation importance. Defaults to 5.
    pub repeats: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// Protected attributes to check for proxies (default: the model's).
    pub protected: Option<Vec<String>>,
    /// Features a person cannot change, never offered as counterfactuals (besides protected
    /// attributes, which are never features).
    pub immutable: Vec<String>,
    /// A refit without a feature that loses less validation AUC than this makes the feature
    /// a data-minimisation candidate. Defaults to 0.005.
    pub minimisation_tolerance: f64,
    /// A feature whose association (Cramér's V or η) reaches this is flagged. Defaults to 0.3.
    pub proxy_association: f64,
    /// A feature whose proxy AUC reaches this is flagged. Defaults to 0.7.
    pub proxy_auc: f64,
    /// Groups smaller than this are left out of the score-gap comparison and of the proxy
    /// AUCs. Defaults to 30.
    pub min_group_size: u64,
    /// How the reasons and contributions CSVs write their cells (by default formula-like
    /// cells are neutralised for spreadsheets: [`crate::output::guard_cell`]).
    pub csv_cells: crate::output::CsvCells,
}

/// Errors of explaining that are not the data's or the model's.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExplainError {
    /// A parameter is out of range ([`ExplainParams`]' field, or the subject's id column).
    #[error("{0}")]
    Param(#[from] InvalidParam),
    /// No record has the subject's identifier.
    #[error("{path}: no record has {column} = \"{id}\" (matched exactly)")]
    NoSubject {
        /// The data file.
        path: String,
        /// The identifier column.
        column: String,
        /// The identifier looked for.
        id: String,
    },
    /// More than one record has the subject's identifier.
    #[error("{path}: {count} records have {column} = \"{id}\" (lines {}); an export needs one person", first_lines(lines, *count))]
    ManySubjects {
        /// The data file.
        path: String,
        /// The identifier column.
        column: String,
        /// The identifier looked for.
        id: String,
        /// How many records have it.
        count: usize,
        /// The lines of the first ten.
        lines: Vec<u64>,
    },
    /// The data cannot be read.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// The model does not fit the data.
    #[error(transparent)]
    Model(#[from] crate::train::TrainError),
    /// A stream the caller handed in (the reasons' CSV) cannot be written.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// The first lines of records, and how many more there are.
fn first_lines(lines: &[u64], count: usize) -> String {
    let mut shown: Vec<String> = lines.iter().map(u64::to_string).collect();
    if count > lines.len() {
        shown.push(format!("and {} more", count - lines.len()));
    }
    shown.join(", ")
}

impl ExplainParams {
    /// Checks every parameter: `top` at least 1 (`repeats` may be 0: no permutation
    /// importance), `minimisation_tolerance` a
    /// finite number of at least 0, `proxy_association` and `proxy_auc` from 0 to 1.
    pub fn check(self) -> Result<Checked<ExplainParams>, ExplainError> {
        let bad = |name, expected: &str, found: String| {
            Err(InvalidParam::new(name, expected, found).into())
        };
        if self.top == 0 {
            return bad("top", "at least 1 reason code", "0".into());
        }
        if !(self.minimisation_tolerance.is_finite() && self.minimisation_tolerance >= 0.0) {
            return bad(
                "minimisation_tolerance",
                "a loss of AUC of at least 0",
                self.minimisation_tolerance.to_string(),
            );
        }
        for (name, v) in [
            ("proxy_association", self.proxy_association),
            ("proxy_auc", self.proxy_auc),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(name, "a number from 0 to 1", v.to_string());
            }
        }
        Ok(Checked::after_check(self))
    }
}

impl Default for ExplainParams {
    fn default() -> Self {
        ExplainParams {
            top: 3,
            repeats: 5,
            seed: 0,
            protected: None,
            immutable: Vec::new(),
            minimisation_tolerance: 0.005,
            proxy_association: 0.3,
            proxy_auc: 0.7,
            min_group_size: 30,
            csv_cells: crate::output::CsvCells::Guarded,
        }
    }
}

/// The loaded file, restricted to rows with a lawful basis.
struct Prepared {
    table: Table,
    kept: Vec<usize>,
    excluded: u64,
    features: Vec<String>,
    protected: Vec<String>,
}

impl Prepared {
    fn load(
        model: &Model,
        source: Input<'_>,
        protected: Option<&[String]>,
    ) -> Result<Prepared, ExplainError> {
        let input = ModelInput::resolve(model, source, &DataSpec::default(), protected)?;
        let reader = source.reader(&input.spec, &ReadOptions::default())?;
        let table = Table::collect(reader)?;
        let as_of = input.spec.as_of_seconds()?;
        let stamp = input
            .spec
            .consent_timestamp
            .as_deref()
            .and_then(|c| table.column(c))
            .and_then(Column::as_f64);
        let consent = table
            .with_role(Role::Consent)
            .next()
            .and_then(Column::as_bool);
        let (keep, ex) = consent_filter(table.n_rows(), consent, stamp, as_of);
        let kept = (0..table.n_rows()).filter(|&i| keep[i]).collect();
        Ok(Prepared {
            table,
            kept,
            excluded: ex.total(),
            features: input.features,
            protected: input.protected,
        })
    }

    fn columns(&self) -> Vec<FeatureColumn<'_>> {
        self.features
            .iter()
            .filter_map(|f| self.table.column(f))
            .map(|c| FeatureColumn {
                name: &c.name,
                values: &c.values,
                levels: &c.levels,
            })
            .collect()
    }

    fn labels(&self) -> Option<Vec<bool>> {
        self.table.label()
    }
}

/// The design, logits and contributions of the explained rows.
struct Scored<'a> {
    view: LinearView<'a>,
    x: Array2<f64>,
    logit: Vec<f64>,
    contrib: Array2<f64>,
}

fn score_rows<'a>(
    model: &'a Model,
    columns: &[FeatureColumn<'_>],
    rows: &[usize],
) -> Result<Option<Scored<'a>>, TrainError> {
    let Some(view) = LinearView::of(model) else {
        return Ok(None);
    };
    let encoder = model
        .encoder
        .as_ref()
        .ok_or_else(|| TrainError::Model("the model has no encoder".into()))?;
    let x = encoder.transform(columns, Some(rows))?.x;
    let coef = Array1::from(view.coef.clone());
    let logit: Vec<f64> = x.dot(&coef).iter().map(|z| z + model.intercept).collect();
    let mut contrib = Array2::<f64>::zeros((rows.len(), view.spans.len()));
    for (k, row) in x.outer_iter().enumerate() {
        let c = view.contributions(row.as_slice().unwrap_or(&row.to_vec()));
        contrib.row_mut(k).assign(&Array1::from(c));
    }
    Ok(Some(Scored {
        view,
        x,
        logit,
        contrib,
    }))
}

/// A randomised mixture has no single coefficient vector to explain: an error saying so.
pub(crate) fn refuse_mixture(model: &Model) -> Result<(), ExplainError> {
    match &model.mixture {
        Some(m) => Err(TrainError::Model(format!(
            "the model is a randomised mixture of {} classifiers ({}): its decisions are draws, with no coefficients or reason codes to explain; explain the unconstrained model (train without --exponentiated-gradient) for its features' effects",
            m.components.len(),
            m.method
        ))
        .into()),
        None => Ok(()),
    }
}

/// Explains `model` on `input` (a file's path, or Arrow data in memory). With `reasons`, also writes one CSV line per
/// explained person: id, score, decision, reason codes, counterfactuals; and with
/// `contributions`, every feature's contribution per person.
pub fn explain<'a>(
    model: &Model,
    input: impl Into<Input<'a>>,
    params: &Checked<ExplainParams>,
    reasons: Option<&mut dyn Write>,
    contributions: Option<&mut dyn Write>,
) -> Result<Explanation, ExplainError> {
    refuse_mixture(model)?;
    let input = input.into();
    let prep = Prepared::load(model, input, params.protected.as_deref())?;
    let columns = prep.columns();
    let rows = &prep.kept;
    if rows.is_empty() {
        return Err(TrainError::NoRows("no row with a lawful basis to explain".into()).into());
    }
    let labels = prep.labels();
    let scored = score_rows(model, &columns, rows)?;
    let summary = prep.table.summary();

    let mut explanation = Explanation {
        schema_version: EXPLAIN_SCHEMA_VERSION,
        fairgate_version: crate::version::VERSION.to_string(),
        input: FileRef::new(summary.source.clone(), summary.sha256.clone()),
        model: ModelRef {
            created: model.created.clone(),
            kind: model.kind,
        },
        rows: ExplainedRows {
            read: summary.rows_read,
            explained: rows.len() as u64,
            excluded_for_consent: prep.excluded,
        },
        base_value: scored.as_ref().map(|s| s.view.base),
        terms: Vec::new(),
        importance: Vec::new(),
        rules_by_group: Vec::new(),
        proxies: proxies(&prep, &columns, params),
        score_gaps: Vec::new(),
        minimisation: None,
        counterfactual_coverage: Coverage::default(),
    };

    match &scored {
        Some(s) => {
            let y: Option<Vec<bool>> = labels
                .as_ref()
                .map(|l| rows.iter().map(|&i| l[i]).collect());
            explanation.terms = global_terms(model, s, y.as_deref())?;
            explanation.importance = importance(s, y.as_deref(), params);
            explanation.score_gaps = score_gaps(&prep, s, params);
            if let Some(l) = &labels {
                explanation.minimisation = Some(minimisation(model, &prep, &columns, l, params)?);
            }
            explanation.counterfactual_coverage =
                coverage(stream::local(model, input, params, reasons, contributions)?);
        }
        None => {
            explanation.rules_by_group = rules_by_group(model, &prep, &columns)?;
            explanation.counterfactual_coverage =
                coverage(stream::local(model, input, params, reasons, contributions)?);
        }
    }
    Ok(explanation)
}

fn coverage((below_threshold, with_counterfactual): (u64, u64)) -> Coverage {
    Coverage {
        below_threshold,
        with_counterfactual,
    }
}

fn global_terms(
    model: &Model,
    s: &Scored<'_>,
    y: Option<&[bool]>,
) -> Result<Vec<GlobalTerm>, TrainError> {
    let dim = s.view.coef.len();
    let c = model.options.c.unwrap_or(f64::INFINITY);
    let mut beta = Array1::zeros(dim + 1);
    for j in 0..dim {
        beta[j] = s.view.coef[j];
    }
    beta[dim] = model.intercept;
    let dummy;
    let y = match y {
        Some(y) => y,
        None => {
            dummy = vec![false; s.x.nrows()];
            &dummy
        }
    };
    let params = crate::train::LogisticParams {
        c,
        ..crate::train::LogisticParams::default()
    };
    let (_, _, hessian) = crate::train::hessian_at(s.x.view(), y, &beta, &params);
    let cov = crate::train::inverse(&hessian).ok_or_else(|| {
        TrainError::Singular("the Fisher information at the fit is singular".into())
    })?;
    let normal = Normal::standard();
    Ok(model
        .coefficients
        .iter()
        .enumerate()
        .map(|(j, coef)| {
            let se = cov[[j, j]].max(0.0).sqrt();
            let z = coef.value / se;
            GlobalTerm {
                name: coef.name.clone(),
                coefficient: coef.value,
                odds_ratio: coef.value.exp(),
                std_error: se,
                ci_low: coef.value - 1.959_963_984_540_054 * se,
                ci_high: coef.value + 1.959_963_984_540_054 * se,
                p_value: 2.0 * (1.0 - normal.cdf(z.abs())),
            }
        })
        .collect())
}

fn importance(
    s: &Scored<'_>,
    y: Option<&[bool]>,
    params: &ExplainParams,
) -> Vec<FeatureImportance> {
    let n = s.logit.len();
    let features = s.view.spans.len();
    let mut top_counts = vec![0u64; features];
    for row in s.contrib.outer_iter() {
        let best =
            (0..features).max_by(|&a, &b| row[a].abs().total_cmp(&row[b].abs()).then(b.cmp(&a)));
        if let Some(b) = best {
            top_counts[b] += 1;
        }
    }
    let full_auc = y.and_then(|y| auc(&s.logit, y));
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(params.seed);
    let names = s.view.model.feature_columns();
    let step = match (y, full_auc) {
        (Some(_), Some(_)) => Some(crate::progress::step(
            "permutation importance",
            (features * params.repeats) as u64,
        )),
        _ => None,
    };
    (0..features)
        .map(|f| {
            let col: Vec<f64> = s.contrib.column(f).to_vec();
            let mean = col.iter().sum::<f64>() / n as f64;
            let sd = (col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64).sqrt();
            let (drop, drop_sd) = match (y, full_auc) {
                (Some(y), Some(full)) if params.repeats > 0 => {
                    let mut drops = Vec::new();
                    let mut perm: Vec<usize> = (0..n).collect();
                    for _ in 0..params.repeats {
                        perm.shuffle(&mut rng);
                        let permuted: Vec<f64> =
                            (0..n).map(|i| s.logit[i] - col[i] + col[perm[i]]).collect();
                        if let Some(a) = auc(&permuted, y) {
                            drops.push(full - a);
                        }
                        if let Some(step) = &step {
                            step.inc(1);
                        }
                    }
                    let m = drops.iter().sum::<f64>() / drops.len().max(1) as f64;
                    let sd = (drops.len() > 1).then(|| {
                        (drops.iter().map(|d| (d - m) * (d - m)).sum::<f64>()
                            / (drops.len() - 1) as f64)
                            .sqrt()
                    });
                    (Some(m), sd)
                }
                _ => (None, None),
            };
            FeatureImportance {
                feature: names.get(f).cloned().unwrap_or_default(),
                contribution_sd: sd,
                permutation_auc_drop: drop,
                permutation_auc_drop_sd: drop_sd,
                top_reason_share: top_counts[f] as f64 / n.max(1) as f64,
            }
        })
        .collect()
}

/// Codes of a protected column over the explained rows; a value spelled as the audit's
/// unknown group is missing, as in the audit ([`crate::audit::UNKNOWN_GROUP`]).
fn protected_codes<'t>(prep: &'t Prepared, name: &str) -> Option<(Vec<u32>, &'t [String])> {
    let col = prep.table.column(name)?;
    let codes = col.as_codes()?;
    let unknown = crate::audit::unknown_level(&col.levels);
    let code = |c: u32| match unknown {
        Some(u) if c == u => crate::data::MISSING_CODE,
        _ => c,
    };
    Some((
        prep.kept.iter().map(|&i| code(codes[i])).collect(),
        &col.levels,
    ))
}

fn group_name(code: u32, levels: &[String]) -> String {
    levels
        .get(code as usize)
        .cloned()
        .unwrap_or_else(|| crate::audit::UNKNOWN_GROUP.to_string())
}

fn proxies(
    prep: &Prepared,
    columns: &[FeatureColumn<'_>],
    params: &ExplainParams,
) -> Vec<ProxyFinding> {
    let mut out = Vec::new();
    for attr in &prep.protected {
        let Some((g_all, levels)) = protected_codes(prep, attr) else {
            continue;
        };
        // Rows with the attribute known.
        let known: Vec<usize> = (0..g_all.len())
            .filter(|&k| g_all[k] != crate::data::MISSING_CODE)
            .collect();
        let g: Vec<u32> = known.iter().map(|&k| g_all[k]).collect();
        for col in columns {
            let (measure, association, best) = match col.values {
                ColumnValues::Categorical(codes) => {
                    let f: Vec<u32> = known.iter().map(|&k| codes[prep.kept[k]]).collect();
                    (
                        "cramers_v",
                        proxy::cramers_v(&f, &g),
                        proxy::proxy_auc_categorical(&f, &g, params.min_group_size),
                    )
                }
                _ => {
                    let f: Vec<f64> = known
                        .iter()
                        .map(|&k| numeric(col.values, prep.kept[k]))
                        .collect();
                    // Missing numeric values are left out of the numeric association.
                    let (fx, gx): (Vec<f64>, Vec<u32>) = f
                        .iter()
                        .zip(&g)
                        .filter(|(v, _)| !v.is_nan())
                        .map(|(v, k)| (*v, *k))
                        .unzip();
                    (
                        "correlation_ratio",
                        proxy::correlation_ratio(&fx, &gx),
                        proxy::proxy_auc(&fx, &gx, params.min_group_size),
                    )
                }
            };
            let likely = association.is_some_and(|a| a >= params.proxy_association)
                || best.is_some_and(|(a, _)| a >= params.proxy_auc);
            out.push(ProxyFinding {
                feature: col.name.to_string(),
                attribute: attr.clone(),
                measure: measure.to_string(),
                association,
                auc: best.map(|b| b.0),
                auc_group: best.map(|b| group_name(b.1, levels)),
                likely_proxy: likely,
            });
        }
    }
    out
}

fn numeric(values: &ColumnValues, i: usize) -> f64 {
    match values {
        ColumnValues::Numeric(v) => v[i],
        ColumnValues::Boolean(v) => v[i].map_or(f64::NAN, |b| if b { 1.0 } else { 0.0 }),
        _ => f64::NAN,
    }
}

fn score_gaps(prep: &Prepared, s: &Scored<'_>, params: &ExplainParams) -> Vec<ScoreGap> {
    let names = s.view.model.feature_columns();
    let mut out = Vec::new();
    for attr in &prep.protected {
        let Some((g, levels)) = protected_codes(prep, attr) else {
            continue;
        };
        let mut groups: std::collections::BTreeMap<u32, (u64, f64, Vec<f64>)> = Default::default();
        for (k, &code) in g.iter().enumerate() {
            let e = groups
                .entry(code)
                .or_insert_with(|| (0, 0.0, vec![0.0; names.len()]));
            e.0 += 1;
            e.1 += s.logit[k];
            for (f, acc) in e.2.iter_mut().enumerate() {
                *acc += s.contrib[[k, f]];
            }
        }
        let big: Vec<(u32, f64, Vec<f64>)> = groups
            .into_iter()
            .filter(|(code, (n, _, _))| {
                *n >= params.min_group_size && *code != crate::data::MISSING_CODE
            })
            .map(|(code, (n, sum, c))| {
                (
                    code,
                    sum / n as f64,
                    c.iter().map(|v| v / n as f64).collect(),
                )
            })
            .collect();
        let hi = big.iter().max_by(|a, b| a.1.total_cmp(&b.1));
        let lo = big.iter().min_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(hi), Some(lo)) = (hi, lo) {
            if hi.0 == lo.0 {
                continue;
            }
            let mut by_feature: Vec<FeatureGap> = names
                .iter()
                .enumerate()
                .map(|(f, n)| FeatureGap {
                    feature: n.clone(),
                    logit_gap: hi.2[f] - lo.2[f],
                })
                .collect();
            by_feature.sort_by(|a, b| b.logit_gap.abs().total_cmp(&a.logit_gap.abs()));
            out.push(ScoreGap {
                attribute: attr.clone(),
                high_group: group_name(hi.0, levels),
                low_group: group_name(lo.0, levels),
                logit_gap: hi.1 - lo.1,
                by_feature,
            });
        }
    }
    out
}

fn minimisation(
    model: &Model,
    prep: &Prepared,
    columns: &[FeatureColumn<'_>],
    labels: &[bool],
    params: &ExplainParams,
) -> Result<Minimisation, TrainError> {
    let y_kept: Vec<bool> = prep.kept.iter().map(|&i| labels[i]).collect();
    let test_size = if model.options.test_size > 0.0 {
        model.options.test_size
    } else {
        0.3
    };
    let (tr, va) = stratified_split(&y_kept, test_size, model.options.seed);
    let train_rows: Vec<usize> = tr.iter().map(|&k| prep.kept[k]).collect();
    let valid_rows: Vec<usize> = va.iter().map(|&k| prep.kept[k]).collect();
    let tp = TrainParams {
        c: model.options.c.unwrap_or(1.0),
        balanced: model.options.class_weight == "balanced",
        max_levels: model.options.max_levels,
        ..TrainParams::default()
    };
    let missing = model
        .encoder
        .as_ref()
        .map(|e| e.missing_numeric)
        .unwrap_or_default();
    let step = crate::progress::step("data-minimisation refits", columns.len() as u64 + 1);
    let full = refit_auc(columns, labels, &train_rows, &valid_rows, &tp, missing)?;
    step.inc(1);
    let mut features = Vec::new();
    for f in 0..columns.len() {
        let without: Vec<FeatureColumn<'_>> = columns
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != f)
            .map(|(_, c)| *c)
            .collect();
        let a = if without.is_empty() {
            None
        } else {
            refit_auc(&without, labels, &train_rows, &valid_rows, &tp, missing)?
        };
        step.inc(1);
        let loss = full.zip(a).map(|(x, y)| x - y);
        features.push(MinimisationFinding {
            feature: columns[f].name.to_string(),
            auc_without: a,
            auc_loss: loss,
            candidate: loss.is_some_and(|l| l < params.minimisation_tolerance),
        });
    }
    Ok(Minimisation {
        auc_full: full,
        train_rows: train_rows.len() as u64,
        validation_rows: valid_rows.len() as u64,
        tolerance: params.minimisation_tolerance,
        features,
    })
}

fn rules_by_group(
    model: &Model,
    prep: &Prepared,
    columns: &[FeatureColumn<'_>],
) -> Result<Vec<RuleFiringByGroup>, TrainError> {
    let Some(rules) = &model.rules else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for rule in &rules.rule {
        let single = crate::train::RuleSet {
            rule: vec![rule.clone()],
        };
        let (points, _) = single.points(columns, None)?;
        for attr in &prep.protected {
            let Some((g, levels)) = protected_codes(prep, attr) else {
                continue;
            };
            let mut counts: std::collections::BTreeMap<u32, (u64, u64)> = Default::default();
            for (k, &i) in prep.kept.iter().enumerate() {
                let e = counts.entry(g[k]).or_default();
                e.0 += 1;
                e.1 += u64::from(points[i] != 0.0);
            }
            out.push(RuleFiringByGroup {
                rule: rule.id.clone(),
                description: rule.describe(),
                attribute: attr.clone(),
                groups: counts
                    .into_iter()
                    .map(|(code, (n, fired))| GroupFiring {
                        group: group_name(code, levels),
                        rows: n,
                        share: fired as f64 / n as f64,
                    })
                    .collect(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod params_tests {
    use super::{ExplainError, ExplainParams};

    #[test]
    fn out_of_range_parameters_are_refused_by_name() {
        assert!(ExplainParams::default().check().is_ok());
        // No permutation importance is a choice, not an error.
        let no_permutations = ExplainParams {
            repeats: 0,
            ..ExplainParams::default()
        };
        assert!(no_permutations.check().is_ok());
        let cases = [
            (
                "top",
                ExplainParams {
                    top: 0,
                    ..ExplainParams::default()
                },
            ),
            (
                "minimisation_tolerance",
                ExplainParams {
                    minimisation_tolerance: -0.1,
                    ..ExplainParams::default()
                },
            ),
            (
                "minimisation_tolerance",
                ExplainParams {
                    minimisation_tolerance: f64::NAN,
                    ..ExplainParams::default()
                },
            ),
            (
                "proxy_association",
                ExplainParams {
                    proxy_association: 1.5,
                    ..ExplainParams::default()
                },
            ),
            (
                "proxy_auc",
                ExplainParams {
                    proxy_auc: 7.0,
                    ..ExplainParams::default()
                },
            ),
        ];
        for (want, p) in cases {
            match p.check() {
                Err(ExplainError::Param(p)) => assert_eq!(p.name, want),
                other => panic!("{want}: {other:?}"),
            }
        }
    }

    /// A minimal explanation as JSON, with one proxy finding.
    fn explanation() -> serde_json::Value {
        serde_json::json!({
            "schema_version": 1, "fairgate_version": "test", "input": ["x.csv", ""],
            "model": ["2026-06-30", "logistic"], "rows": [10, 10, 0], "base_value": null,
            "terms": [], "importance": [], "rules_by_group": [], "score_gaps": [],
            "minimisation": null, "counterfactual_coverage": [0, 0],
            "proxies": [{"feature": "f", "attribute": "g", "measure": "cramers_v",
                "association": 0.5, "auc": 0.8, "auc_group": "A", "likely_proxy": true}]
        })
    }

    #[test]
    fn an_explanation_file_is_read_typed_and_checked() {
        use super::{Explanation, EXPLAIN_SCHEMA_VERSION};
        let bytes = |v: &serde_json::Value| serde_json::to_vec(v).unwrap();
        let e = Explanation::from_json(&bytes(&explanation())).unwrap();
        assert!(e.proxies[0].likely_proxy);
        // A renamed field is an error naming it, not a silent default.
        let mut renamed = explanation();
        let p = renamed["proxies"][0].as_object_mut().unwrap();
        let v = p.remove("likely_proxy").unwrap();
        p.insert("likelyProxy".into(), v);
        let err = Explanation::from_json(&bytes(&renamed)).unwrap_err();
        assert!(err.contains("likely_proxy"), "{err}");
        // A measure out of range names the finding and the field.
        let mut forged = explanation();
        forged["proxies"][0]["auc"] = serde_json::json!(7.5);
        let err = Explanation::from_json(&bytes(&forged)).unwrap_err();
        assert!(err.contains("proxies[0] (f for g).auc"), "{err}");
        // Version 1 (above) and version 2 read the same; a later version is refused.
        let v1 = Explanation::from_json(&bytes(&explanation())).unwrap();
        let v2 = Explanation::from_json(&serde_json::to_vec(&v1).unwrap()).unwrap();
        assert_eq!(v2.rows, v1.rows);
        assert_eq!(v2.input, v1.input);
        let written = serde_json::to_value(&v1).unwrap();
        assert_eq!(written["rows"]["explained"], 10);
        assert_eq!(written["input"]["path"], "x.csv");
        let mut later = explanation();
        later["schema_version"] = serde_json::json!(EXPLAIN_SCHEMA_VERSION + 1);
        let err = Explanation::from_json(&bytes(&later)).unwrap_err();
        assert!(err.contains("schema_version"), "{err}");
    }
}
