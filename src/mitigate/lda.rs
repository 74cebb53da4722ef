//! The search for less discriminatory alternatives (LDA): the baseline model and each
//! mitigation candidate, fitted or chosen on the training rows and judged on the held-out rows
//! by the same audit and gate, with what each costs and how each uses the protected attribute.
//!
//! Candidates (each optional, in this order):
//!
//! - `baseline`: the model as trained, at its own threshold;
//! - `threshold`: the baseline model with the one threshold for everyone that maximises the
//!   objective subject to the policy on the training rows ([`super::threshold_curve`]);
//! - `reweigh`: the model refitted on the same training rows with Kamiran & Calders weights
//!   ([`crate::train::reweigh`]), at the baseline's threshold;
//! - `reweigh+threshold`: the reweighed model with its own best single threshold;
//! - `grid-search`, `grid-search+threshold`: Fairlearn's GridSearch's one logistic model
//!   ([`super::reductions`]) at `p >= 0.5`, and with its best single threshold;
//! - `exponentiated-gradient`: Fairlearn's randomised mixture ([`super::eg`]), decisions drawn
//!   with the seed, its expected probability the score;
//! - `group-thresholds`: Hardt et al.'s group thresholds fitted on the baseline's training
//!   scores ([`super::group_thresholds`]), decisions drawn with the seed: analysis only, never
//!   recommended (the attribute at decision time).
//!
//! Every candidate is then audited on the held-out rows, which no candidate saw: accuracy
//! `(TP + TN) / n` with its Wilson interval (weighted: `Σ w·1[correct] / Σ w`, the interval at
//! the effective size `(Σ w)² / Σ w²`), balanced accuracy `(TPR + TNR) / 2`, ROC AUC (scored
//! candidates), the selection rate, the audit's disparity measures for the attribute searched
//! (the lowest impact ratio with its interval, the demographic-parity and equalized-odds
//! differences) and the gate's verdict under the policy, with every rule's decisive check.
//!
//! The recommendation is the candidate that meets the policy at least cost: the best held-out
//! objective (the single thresholds' objective: accuracy, balanced accuracy, or the value per
//! row `(v_tp · TP + v_fp · FP) / n`) among the candidates the gate passes that do not use the
//! attribute at decision time (ties: the earlier candidate, the less intrusive); its cost is
//! the baseline's objective minus its own. When none passes, the search says so.

use serde::{Deserialize, Serialize};

use super::curve::{gate_result, verdict_of, GateVerdict};
use super::reductions::{grid_search, GridSearchParams};
use super::{
    group_thresholds, threshold_curve, Character, Constraint, CurveParams, Grouping,
    HardtObjective, HardtParams, MitigateError, Objective, DECISION_TIME_WARNING,
    MITIGATE_SCHEMA_VERSION,
};
use crate::audit::{AuditParams, AuditReport, MetricValue};
use crate::data::{Column, ColumnKind, ColumnValues, DataSpec, Role, Table};
use crate::params::{Checked, InvalidParam};
use crate::policy::Policy;
use crate::provenance::PolicyRef;
use crate::train::{table_scores, train_with_split, Model, RowSplit, TrainParams};

/// A candidate method of the search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// The best single threshold for the baseline model.
    #[serde(rename = "threshold")]
    Threshold,
    /// The model refitted with reweighing.
    #[serde(rename = "reweigh")]
    Reweigh,
    /// The reweighed model with its best single threshold.
    #[serde(rename = "reweigh+threshold")]
    ReweighThreshold,
    /// Fairlearn's GridSearch: one logistic model, deciding `p >= 0.5` as Fairlearn does.
    #[serde(rename = "grid-search")]
    GridSearch,
    /// The grid search's model with its best single threshold.
    #[serde(rename = "grid-search+threshold")]
    GridSearchThreshold,
    /// Fairlearn's ExponentiatedGradient: a randomised mixture of logistic models, decisions
    /// drawn with the seed.
    #[serde(rename = "exponentiated-gradient")]
    ExponentiatedGradient,
    /// Group thresholds (analysis only).
    #[serde(rename = "group-thresholds")]
    GroupThresholds,
}

impl Method {
    /// Every method, in the order the search tries them.
    pub const ALL: [Method; 7] = [
        Method::Threshold,
        Method::Reweigh,
        Method::ReweighThreshold,
        Method::GridSearch,
        Method::GridSearchThreshold,
        Method::ExponentiatedGradient,
        Method::GroupThresholds,
    ];

    /// The method's name, as in `[mitigate] methods`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Threshold => "threshold",
            Method::Reweigh => "reweigh",
            Method::ReweighThreshold => "reweigh+threshold",
            Method::GridSearch => "grid-search",
            Method::GridSearchThreshold => "grid-search+threshold",
            Method::ExponentiatedGradient => "exponentiated-gradient",
            Method::GroupThresholds => "group-thresholds",
        }
    }

    /// Parses a name.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == s)
    }
}

/// Settings of [`search`].
#[derive(Clone, Debug)]
pub struct SearchParams {
    /// The protected attributes to mitigate for (their intersection when several).
    pub by: Vec<String>,
    /// The candidates beside the baseline. Defaults to every [`Method`].
    pub methods: Vec<Method>,
    /// What a single threshold maximises.
    pub objective: Objective,
    /// The constraint of the grid search and the group thresholds.
    pub constraint: Constraint,
    /// The audit settings of the held-out audit (its threshold is the model's).
    pub audit: AuditParams,
    /// Most gate judgements of a threshold search.
    pub max_evaluations: usize,
    /// Grid size of the group thresholds.
    pub grid_size: usize,
    /// The grid search's settings (its `by` and `constraint` are the search's).
    pub grid_search: GridSearchParams,
    /// The exponentiated gradient's settings (its `by` and `constraint` are the search's).
    pub eg: super::EgParams,
    /// Seed of the group thresholds' drawn decisions.
    pub seed: u64,
    /// Reweighing cells with fewer rows are flagged.
    pub min_cell_size: u64,
}

impl SearchParams {
    /// Checks the attributes and the audit settings; adds the intersection of `by` to the
    /// audit when `by` has several attributes.
    pub fn check(mut self) -> Result<Checked<SearchParams>, MitigateError> {
        if self.by.is_empty() {
            return Err(InvalidParam::new(
                "by",
                "one or more protected attributes to mitigate for",
                "none",
            )
            .into());
        }
        if self.by.len() >= 2 && !self.audit.intersections.contains(&self.by) {
            self.audit.intersections.push(self.by.clone());
        }
        if self.methods.is_empty() {
            self.methods = Method::ALL.to_vec();
        }
        self.audit.clone().check()?;
        Ok(Checked::after_check(self))
    }
}

/// An estimate with its interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Estimate {
    /// The estimate; `None` when undefined.
    pub value: Option<f64>,
    /// Lower end of the interval, when there is one.
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
}

impl Estimate {
    fn of(m: Option<&MetricValue>) -> Estimate {
        Estimate {
            value: m.and_then(|m| m.value),
            low: m.and_then(|m| m.ci_low),
            high: m.and_then(|m| m.ci_high),
        }
    }
}

/// The disparity of a candidate for the attribute searched, from the held-out audit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Disparity {
    /// The audited attribute (`a x b` for an intersection).
    pub attribute: String,
    /// The lowest impact ratio over the groups that are not small, with its interval.
    pub min_impact_ratio: Estimate,
    /// The group with that ratio.
    pub min_impact_group: Option<String>,
    /// `max sr − min sr` over those groups.
    pub demographic_parity_difference: Option<f64>,
    /// `max(TPR range, FPR range)` over those groups.
    pub equalized_odds_difference: Option<f64>,
    /// The TPR range over those groups.
    pub equal_opportunity_difference: Option<f64>,
}

/// A rule's outcome for a candidate: its status and decisive check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleOutcome {
    /// The rule's id.
    pub id: String,
    /// Its status word (PASS, FAIL, ...).
    pub status: String,
    /// Whether it blocks.
    pub blocking: bool,
    /// The decisive check's subject.
    pub subject: Option<String>,
    /// The decisive check's estimate and interval.
    pub measured: Estimate,
    /// The threshold in words.
    pub threshold: String,
}

/// One candidate, judged on the held-out rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LdaCandidate {
    /// `baseline` or the method's name.
    pub id: String,
    /// What it is, in words.
    pub description: String,
    /// How it uses the protected attribute.
    pub character: Character,
    /// Whether it may be deployed without the protected attribute at decision time.
    pub deployable: bool,
    /// The single threshold (`score >= threshold`), when it has one.
    pub threshold: Option<f64>,
    /// Why it was not evaluated, or a caveat (such as a threshold that met no policy on the
    /// training rows).
    pub note: Option<String>,
    /// Whether it was evaluated (otherwise `note` says why not).
    pub evaluated: bool,
    /// How to apply it with fairgate's commands.
    pub apply: String,
    /// Held-out accuracy with its Wilson interval.
    pub accuracy: Estimate,
    /// Held-out balanced accuracy.
    pub balanced_accuracy: Option<f64>,
    /// Held-out ROC AUC (scored candidates).
    pub auc: Option<f64>,
    /// Held-out share selected.
    pub selection_rate: Option<f64>,
    /// The search's objective on the held-out rows: accuracy, balanced accuracy, or for a
    /// value objective the value per row `(v_tp · TP + v_fp · FP) / n` (a capacity objective:
    /// accuracy).
    pub objective: Option<f64>,
    /// The objective lost against the baseline (positive: worse).
    pub cost: Option<f64>,
    /// The disparity for the attribute searched.
    pub disparity: Option<Disparity>,
    /// The gate's verdict on the held-out audit.
    pub gate: Option<GateVerdict>,
    /// Checks of error rules that were inconclusive (the interval straddles the threshold).
    pub inconclusive_checks: u64,
    /// Every rule's outcome.
    pub rules: Vec<RuleOutcome>,
    /// A grid search candidate's chosen multipliers (Fairlearn's `lambda_vecs_` column of
    /// its `best_idx_`; empty: the unconstrained fit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multipliers: Option<Vec<super::reductions::Multiplier>>,
}

/// The search's result: the evidence of a search for less discriminatory alternatives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LdaResult {
    /// The JSON layout's version.
    pub schema_version: u32,
    /// fairgate's version.
    pub fairgate_version: String,
    /// The method.
    pub method: String,
    /// The data file.
    pub data: String,
    /// Its SHA-256.
    pub data_sha256: String,
    /// The policy judged.
    pub policy: PolicyRef,
    /// The attributes searched.
    pub by: Vec<String>,
    /// The audited attribute the disparities are of (`a x b` for several).
    pub attribute: String,
    /// The single-threshold objective, in words.
    pub objective: String,
    /// The group thresholds' constraint.
    pub constraint: String,
    /// Rows the candidates were fitted or chosen on.
    pub training_rows: u64,
    /// Held-out rows every candidate was judged on.
    pub held_out_rows: u64,
    /// The baseline's threshold.
    pub baseline_threshold: f64,
    /// Every candidate, the baseline first.
    pub candidates: Vec<LdaCandidate>,
    /// The candidate that meets the policy at least cost, if any.
    pub recommended: Option<String>,
    /// The answer in one sentence.
    pub conclusion: String,
    /// The legal warning, when a decision-time candidate was analysed.
    pub warning: Option<String>,
}

/// A grid search's chosen classifier: its scores for every row and its multipliers.
type GridFit = (Vec<f64>, Vec<super::reductions::Multiplier>);

/// A scored candidate's decisions on the held-out rows.
struct Decisions {
    score: Option<Vec<f64>>,
    decision: Vec<bool>,
}

/// What every candidate is judged with.
struct Judge<'a> {
    table: &'a Table,
    split: &'a RowSplit,
    held_out: Table,
    policy: &'a Policy,
    params: &'a SearchParams,
    attribute: String,
    z: f64,
}

fn score_column(values: Vec<f64>) -> Column {
    Column {
        name: "score".into(),
        role: Role::Score,
        kind: ColumnKind::Numeric,
        values: ColumnValues::Numeric(values),
        levels: Vec::new(),
    }
}

impl Judge<'_> {
    /// The training rows with the model's scores: label, protected attributes, weights and
    /// `score`.
    fn training_table(&self, scores: &[f64]) -> Table {
        let rows = &self.split.training;
        self.table.subset(
            rows,
            &[Role::Label, Role::Protected, Role::Weight],
            vec![score_column(rows.iter().map(|&i| scores[i]).collect())],
        )
    }

    fn held_out_scores(&self, scores: &[f64]) -> Vec<f64> {
        self.split.validation.iter().map(|&i| scores[i]).collect()
    }

    /// The best single threshold on the training rows; a note when no threshold met the
    /// policy there (the closest is used).
    fn best_threshold(
        &self,
        scores: &[f64],
        threshold: f64,
    ) -> Result<(f64, Option<String>), MitigateError> {
        let table = self.training_table(scores);
        let params = CurveParams {
            by: self.params.by.clone(),
            objective: self.params.objective,
            audit: AuditParams {
                threshold,
                ..self.params.audit.clone()
            },
            max_evaluations: self.params.max_evaluations,
        };
        let r = threshold_curve(&table, &params, self.policy)?;
        match (&r.chosen, &r.closest) {
            (Some(c), _) => Ok((c.point.threshold.unwrap_or(1.0), None)),
            (None, Some(c)) => Ok((
                c.point.threshold.unwrap_or(1.0),
                Some(format!(
                    "no single threshold met the policy on the training rows ({}); this is the closest",
                    if r.exhaustive { "every candidate judged" } else { "a spread of candidates judged" }
                )),
            )),
            (None, None) => Ok((threshold, Some("no candidate threshold".into()))),
        }
    }

    /// Audits decisions on the held-out rows and judges them.
    fn evaluate(&self, c: &mut LdaCandidate, d: &Decisions) -> Result<(), MitigateError> {
        let t = &self.held_out;
        let y = t.label().ok_or(MitigateError::MissingRole(Role::Label))?;
        let w = t.with_role(Role::Weight).next().and_then(|c| c.as_f64());
        let wt = |i: usize| w.map_or(1.0, |w| w[i]);
        let (mut all, mut sq, mut correct, mut sel) = (0.0, 0.0, 0.0, 0.0);
        let (mut pos, mut tp, mut neg, mut tn) = (0.0, 0.0, 0.0, 0.0);
        for (i, (&yi, &di)) in y.iter().zip(&d.decision).enumerate() {
            let wi = wt(i);
            all += wi;
            sq += wi * wi;
            if yi == di {
                correct += wi;
            }
            if di {
                sel += wi;
            }
            if yi {
                pos += wi;
                tp += if di { wi } else { 0.0 };
            } else {
                neg += wi;
                tn += if di { 0.0 } else { wi };
            }
        }
        if all <= 0.0 {
            return Err(MitigateError::Data(
                "the held-out rows have no weight: nothing to judge the candidates on".into(),
            ));
        }
        let acc = correct / all;
        let (lo, hi) = crate::audit::wilson_p(acc, all * all / sq, self.z);
        c.accuracy = Estimate {
            value: Some(acc),
            low: Some(lo),
            high: Some(hi),
        };
        c.balanced_accuracy = (pos > 0.0 && neg > 0.0).then(|| (tp / pos + tn / neg) / 2.0);
        c.selection_rate = Some(sel / all);
        c.objective = match self.params.objective {
            Objective::Accuracy | Objective::Capacity(_) => Some(acc),
            Objective::BalancedAccuracy => c.balanced_accuracy,
            Objective::Value { tp: vt, fp: vf } => Some((vt * tp + vf * (sel - tp)) / all),
        };
        c.auc = d
            .score
            .as_deref()
            .and_then(|s| crate::train::weighted_auc(s, &y, w));
        let audit = AuditParams {
            threshold: c.threshold.unwrap_or(self.params.audit.threshold),
            ..self.params.audit.clone()
        }
        .check()?;
        let protected: Vec<&Column> = t.with_role(Role::Protected).collect();
        let names: Vec<String> = protected.iter().map(|c| c.name.clone()).collect();
        let mut auditor = crate::audit::Auditor::new(&names, &audit)?;
        let label: Vec<Option<bool>> = y.iter().map(|&b| Some(b)).collect();
        let prediction: Vec<Option<bool>> = d.decision.iter().map(|&b| Some(b)).collect();
        auditor.add(&crate::audit::Rows {
            label: &label,
            score: d.score.as_deref(),
            prediction: Some(&prediction),
            attributes: protected.iter().filter_map(|c| c.as_codes()).collect(),
            weight: w,
        })?;
        let attributes = auditor.finish(protected.iter().map(|c| c.levels.clone()).collect())?;
        c.disparity = attributes
            .iter()
            .find(|a| a.name == self.attribute)
            .map(disparity);
        let report = AuditReport::new(t.summary(), &audit, attributes);
        let g = gate_result(report, self.policy)?;
        c.rules = g
            .rules
            .iter()
            .map(|r| {
                let check = r.decisive.and_then(|i| r.checks.get(i));
                RuleOutcome {
                    id: r.id.clone(),
                    status: r.status.word().to_string(),
                    blocking: r.blocking,
                    subject: check.map(|c| c.subject.clone()),
                    measured: Estimate {
                        value: check.and_then(|c| c.value),
                        low: check.and_then(|c| c.low),
                        high: check.and_then(|c| c.high),
                    },
                    threshold: r.threshold.clone(),
                }
            })
            .collect();
        c.inconclusive_checks = g
            .rules
            .iter()
            .filter(|r| r.severity == crate::policy::Severity::Error)
            .flat_map(|r| &r.checks)
            .filter(|c| c.status == crate::policy::Status::Inconclusive)
            .count() as u64;
        c.gate = Some(verdict_of(&g, self.policy));
        c.evaluated = true;
        Ok(())
    }
}

/// The disparity measures of an audited attribute.
fn disparity(a: &crate::audit::AttributeAudit) -> Disparity {
    let worst = a
        .groups
        .iter()
        .filter(|g| !g.small)
        .filter_map(|g| {
            let m = g.metrics.get("disparate_impact")?;
            Some((m.value?, g, m))
        })
        .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.group.cmp(&y.1.group)));
    let summary = |k: &str| a.summary.get(k).and_then(|m| m.value);
    Disparity {
        attribute: a.name.clone(),
        min_impact_ratio: Estimate::of(worst.map(|w| w.2)),
        min_impact_group: worst.map(|w| w.1.group.clone()),
        demographic_parity_difference: summary("demographic_parity_difference"),
        equalized_odds_difference: summary("equalized_odds_difference"),
        equal_opportunity_difference: summary("equal_opportunity_difference"),
    }
}

fn blank(id: &str, description: String, character: Character, apply: String) -> LdaCandidate {
    LdaCandidate {
        id: id.to_string(),
        description,
        character,
        deployable: character != Character::AttributeAtDecision,
        threshold: None,
        note: None,
        evaluated: false,
        apply,
        accuracy: Estimate {
            value: None,
            low: None,
            high: None,
        },
        balanced_accuracy: None,
        auc: None,
        selection_rate: None,
        objective: None,
        cost: None,
        disparity: None,
        gate: None,
        inconclusive_checks: 0,
        rules: Vec::new(),
        multipliers: None,
    }
}

/// A number for a command line: as short as round-trips.
fn num(v: f64) -> String {
    format!("{v}")
}

/// Runs the search on `table` (loaded with `spec`, the features, label and protected
/// attributes of training) with the training settings `train` (which need held-out rows)
/// and the policy. Deterministic: no thread count or run changes the result.
pub fn search(
    table: &Table,
    spec: &DataSpec,
    train: &Checked<TrainParams>,
    policy: &Policy,
    params: &Checked<SearchParams>,
    progress: &mut dyn FnMut(String),
) -> Result<LdaResult, MitigateError> {
    if train.test_size <= 0.0 {
        return Err(InvalidParam::new(
            "test_size",
            "held-out rows to judge the candidates on (a test size above 0)",
            "0",
        )
        .into());
    }
    // The attributes exist and are protected.
    Grouping::of(table, &params.by)?;
    let (base, split) = train_with_split(table, spec, train)?;
    if split.validation.is_empty() || split.training.is_empty() {
        return Err(MitigateError::Data(
            "the split left no training or no held-out rows to judge the candidates on".into(),
        ));
    }
    let t0 = train.threshold;
    let attribute = params.by.join(" x ");
    let judge = Judge {
        table,
        split: &split,
        held_out: table.subset(
            &split.validation,
            &[Role::Label, Role::Protected, Role::Weight],
            Vec::new(),
        ),
        policy,
        params,
        attribute: attribute.clone(),
        z: crate::audit::z_for(params.audit.confidence),
    };
    let base_scores = table_scores(&base, table)?;
    let by = params.by.join(",");
    let mut candidates = Vec::new();

    let mut baseline = blank(
        "baseline",
        format!("the model as trained, selecting score >= {}", num(t0)),
        Character::NoAttribute,
        "fairgate train (as configured)".into(),
    );
    baseline.threshold = Some(t0);
    let held = judge.held_out_scores(&base_scores);
    judge.evaluate(
        &mut baseline,
        &Decisions {
            decision: held
                .iter()
                .map(|&s| crate::decision::positive(s, t0))
                .collect(),
            score: Some(held),
        },
    )?;
    candidates.push(baseline);

    let mut reweighed: Option<Result<(Model, Vec<f64>), String>> = None;
    let mut gridded: Option<Result<GridFit, String>> = None;
    for &method in &params.methods {
        let c = match method {
            Method::Threshold => {
                let (t, note) = judge.best_threshold(&base_scores, t0)?;
                let mut c = blank(
                    method.name(),
                    format!(
                        "the same model with one threshold for everyone, chosen on the training rows ({})",
                        params.objective.describe()
                    ),
                    Character::NoAttribute,
                    format!("fairgate train ... --threshold {}", num(t)),
                );
                c.threshold = Some(t);
                c.note = note;
                let held = judge.held_out_scores(&base_scores);
                judge.evaluate(
                    &mut c,
                    &Decisions {
                        decision: held
                            .iter()
                            .map(|&s| crate::decision::positive(s, t))
                            .collect(),
                        score: Some(held),
                    },
                )?;
                c
            }
            Method::Reweigh | Method::ReweighThreshold => {
                let fitted = reweighed.get_or_insert_with(|| {
                    reweigh_fit(table, spec, train, params, &split).map_err(|e| e.to_string())
                });
                let (description, apply) = if method == Method::Reweigh {
                    (
                        format!("the model refitted with reweighing by {by} (Kamiran & Calders), selecting score >= {}", num(t0)),
                        format!("fairgate train ... --reweigh {by}"),
                    )
                } else {
                    (
                        format!("the reweighed model with one threshold for everyone, chosen on the training rows ({})", params.objective.describe()),
                        format!("fairgate train ... --reweigh {by} --threshold T"),
                    )
                };
                let mut c = blank(
                    method.name(),
                    description,
                    Character::AttributeAtTraining,
                    apply,
                );
                match fitted {
                    Err(e) => c.note = Some(format!("not evaluated: {e}")),
                    Ok((_, scores)) => {
                        let (t, note) = if method == Method::Reweigh {
                            (t0, None)
                        } else {
                            judge.best_threshold(scores, t0)?
                        };
                        c.threshold = Some(t);
                        c.note = note;
                        if method == Method::ReweighThreshold {
                            c.apply =
                                format!("fairgate train ... --reweigh {by} --threshold {}", num(t));
                        }
                        let held = judge.held_out_scores(scores);
                        judge.evaluate(
                            &mut c,
                            &Decisions {
                                decision: held
                                    .iter()
                                    .map(|&s| crate::decision::positive(s, t))
                                    .collect(),
                                score: Some(held),
                            },
                        )?;
                    }
                }
                c
            }
            Method::GridSearch | Method::GridSearchThreshold => {
                let fitted = gridded.get_or_insert_with(|| {
                    let gp = GridSearchParams {
                        by: params.by.clone(),
                        constraint: params.constraint,
                        ..params.grid_search.clone()
                    }
                    .check();
                    gp.and_then(|gp| {
                        grid_search(table, spec, train, &split.training, &gp, &mut |k, n| {
                            progress(format!("grid search: fit {k} of {n}"))
                        })
                    })
                    .map(|r| {
                        let lambda = r.points[r.best].lambda.clone();
                        (r.scores, lambda)
                    })
                    .map_err(|e| e.to_string())
                });
                let plain = method == Method::GridSearch;
                let mut c = blank(
                    method.name(),
                    if plain {
                        format!(
                            "one logistic model chosen by Fairlearn's GridSearch ({}, {} grid points) by {by}, selecting p >= 0.5 as Fairlearn decides",
                            params.constraint.name(),
                            params.grid_search.grid_size
                        )
                    } else {
                        format!(
                            "the grid search's model with one threshold for everyone, chosen on the training rows ({})",
                            params.objective.describe()
                        )
                    },
                    Character::AttributeAtTraining,
                    format!(
                        "fairgate train ... --grid-search {by} --constraint {} --grid-size {} --grid-limit {} --threshold {}",
                        params.constraint.name(),
                        params.grid_search.grid_size,
                        params.grid_search.grid_limit,
                        if plain { "0.5" } else { "T" }
                    ),
                );
                match fitted {
                    Err(e) => c.note = Some(format!("not evaluated: {e}")),
                    Ok((scores, lambda)) => {
                        c.multipliers = Some(lambda.clone());
                        let (t, note) = if plain {
                            (0.5, None)
                        } else {
                            judge.best_threshold(scores, 0.5)?
                        };
                        c.apply = c
                            .apply
                            .replace("--threshold T", &format!("--threshold {}", num(t)));
                        c.threshold = Some(t);
                        c.note = note;
                        let held = judge.held_out_scores(scores);
                        judge.evaluate(
                            &mut c,
                            &Decisions {
                                decision: held
                                    .iter()
                                    .map(|&s| crate::decision::positive(s, t))
                                    .collect(),
                                score: Some(held),
                            },
                        )?;
                    }
                }
                c
            }
            Method::ExponentiatedGradient => {
                let mut c = blank(
                    method.name(),
                    format!(
                        "a randomised mixture of logistic models from Fairlearn's ExponentiatedGradient ({}, bound {}, eps {}) by {by}; decisions drawn with seed {}",
                        params.constraint.name(),
                        params.eg.difference_bound,
                        params.eg.eps,
                        params.seed
                    ),
                    Character::AttributeAtTraining,
                    format!(
                        "fairgate train ... --exponentiated-gradient {by} --constraint {} --difference-bound {} --eps {} --max-iter {} --draw-seed {}",
                        params.constraint.name(),
                        params.eg.difference_bound,
                        params.eg.eps,
                        params.eg.max_iter,
                        params.seed
                    ),
                );
                let fitted = super::EgParams {
                    by: params.by.clone(),
                    constraint: params.constraint,
                    ..params.eg.clone()
                }
                .check()
                .and_then(|ep| {
                    super::exponentiated_gradient(
                        table,
                        spec,
                        train,
                        &split.training,
                        &ep,
                        &mut |t, n| {
                            progress(format!(
                                "exponentiated gradient: iteration {t} of at most {n}"
                            ))
                        },
                    )
                })
                .and_then(|r| r.probability(table, &split.validation).map(|p| (r, p)));
                match fitted {
                    Err(e) => c.note = Some(format!("not evaluated: {e}")),
                    Ok((r, p)) => {
                        c.note = Some(format!(
                            "randomised: a person's decision is a draw (identical people can get different decisions); a mixture of {} of {} fitted models, {} fits, iteration {} of {}",
                            r.weights.iter().filter(|&&w| w > 0.0).count(),
                            r.components.len(),
                            r.oracle_calls,
                            r.best_iter,
                            r.last_iter
                        ));
                        let decision = p
                            .iter()
                            .enumerate()
                            .map(|(k, &pk)| super::hardt::uniform(params.seed, k as u64) < pk)
                            .collect();
                        judge.evaluate(
                            &mut c,
                            &Decisions {
                                score: Some(p),
                                decision,
                            },
                        )?;
                    }
                }
                c
            }
            Method::GroupThresholds => {
                let mut c = blank(
                    method.name(),
                    format!(
                        "group thresholds by {by} (Hardt et al., Fairlearn's ThresholdOptimizer: {} maximising accuracy), fitted on the training scores; decisions drawn with seed {}",
                        params.constraint.name(),
                        params.seed
                    ),
                    Character::AttributeAtDecision,
                    format!(
                        "fairgate mitigate group-thresholds --by {by} --constraint {} (analysis only; --decisions needs --allow-decision-time-attribute)",
                        params.constraint.name()
                    ),
                );
                match hardt_decisions(&judge, &base_scores, t0) {
                    Ok(d) => judge.evaluate(&mut c, &d)?,
                    Err(e) => c.note = Some(format!("not evaluated: {e}")),
                }
                c
            }
        };
        candidates.push(c);
    }
    let base_acc = candidates[0].accuracy.value;
    let base_obj = candidates[0].objective;
    for c in &mut candidates {
        c.cost = match (base_obj, c.objective) {
            (Some(b), Some(a)) => Some(b - a),
            _ => None,
        };
    }
    let passes = |c: &&LdaCandidate| c.gate.as_ref().is_some_and(|g| g.passed);
    let recommended = candidates
        .iter()
        .filter(passes)
        .filter(|c| c.deployable)
        .fold(None::<&LdaCandidate>, |best, c| match best {
            Some(b)
                if b.objective.unwrap_or(f64::NEG_INFINITY)
                    >= c.objective.unwrap_or(f64::NEG_INFINITY) =>
            {
                Some(b)
            }
            _ => Some(c),
        })
        .map(|c| c.id.clone());
    let decision_time_only =
        recommended.is_none() && candidates.iter().filter(passes).any(|c| !c.deployable);
    let conclusion = match (&recommended, decision_time_only) {
        (Some(id), _) if id == "baseline" => {
            "the baseline already meets the policy on the held-out rows; no alternative is needed".to_string()
        }
        (Some(id), _) => {
            let c = candidates.iter().find(|c| &c.id == id);
            format!(
                "\"{id}\" meets the policy on the held-out rows at the least cost among the deployable candidates ({} {} against the baseline's {}; accuracy {} against {})",
                params.objective.describe(),
                fmt4(c.and_then(|c| c.objective)),
                fmt4(base_obj),
                fmt3(c.and_then(|c| c.accuracy.value)),
                fmt3(base_acc)
            )
        }
        (None, true) => "no deployable candidate meets the policy on the held-out rows; only group thresholds do, which use the protected attribute at decision time (analysis only: not a lawful alternative without legal review)".to_string(),
        (None, false) => "no candidate meets the policy on the held-out rows: a change to the model's features or data is needed, not a threshold".to_string(),
    };
    let warning = params
        .methods
        .contains(&Method::GroupThresholds)
        .then(|| DECISION_TIME_WARNING.to_string());
    let summary = table.summary();
    Ok(LdaResult {
        schema_version: MITIGATE_SCHEMA_VERSION,
        fairgate_version: crate::version::VERSION.to_string(),
        method: "less-discriminatory-alternatives".into(),
        data: summary.source.clone(),
        data_sha256: summary.sha256.clone(),
        policy: PolicyRef {
            name: policy.name.clone(),
            path: policy.path.clone(),
            sha256: policy.sha256.clone(),
        },
        by: params.by.clone(),
        attribute,
        objective: params.objective.describe(),
        constraint: params.constraint.name().to_string(),
        training_rows: split.training.len() as u64,
        held_out_rows: split.validation.len() as u64,
        baseline_threshold: t0,
        candidates,
        recommended,
        conclusion,
        warning,
    })
}

fn fmt3(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".into(), |v| format!("{v:.3}"))
}

/// The reweighed model and its scores for every row; the same split as the baseline's.
fn reweigh_fit(
    table: &Table,
    spec: &DataSpec,
    train: &Checked<TrainParams>,
    params: &SearchParams,
    split: &RowSplit,
) -> Result<(Model, Vec<f64>), MitigateError> {
    let p = TrainParams {
        reweigh: params.by.clone(),
        min_cell_size: params.min_cell_size,
        ..TrainParams::clone(train)
    }
    .check()?;
    let (model, s) = train_with_split(table, spec, &p)?;
    if &s != split {
        return Err(MitigateError::Data(
            "the reweighed model was split differently from the baseline".into(),
        ));
    }
    let scores = table_scores(&model, table)?;
    Ok((model, scores))
}

/// Group thresholds fitted on the training rows' baseline scores, decisions drawn for the
/// held-out rows (`uniform(seed, k) < P` for the k-th held-out row).
fn hardt_decisions(judge: &Judge<'_>, scores: &[f64], t0: f64) -> Result<Decisions, MitigateError> {
    let training = judge.training_table(scores);
    let hp = HardtParams {
        by: judge.params.by.clone(),
        constraint: judge.params.constraint,
        objective: HardtObjective::AccuracyScore,
        grid_size: judge.params.grid_size,
        seed: judge.params.seed,
    };
    let (fit, _) = group_thresholds(&training, &hp, t0)?;
    let held = judge.held_out_scores(scores);
    let grouping = Grouping::of(&judge.held_out, &judge.params.by)?;
    let mut decision = Vec::with_capacity(held.len());
    for (k, &s) in held.iter().enumerate() {
        let p = fit.probability(&grouping.name(grouping.of_row[k]), s)?;
        decision.push(super::hardt::uniform(judge.params.seed, k as u64) < p);
    }
    Ok(Decisions {
        score: None,
        decision,
    })
}

fn fmt4(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".into(), |v| format!("{v:.4}"))
}

/// An estimate as `value [low, high]`.
fn with_interval(e: &Estimate) -> String {
    match (e.value, e.low, e.high) {
        (Some(v), Some(lo), Some(hi)) => format!("{v:.3} [{lo:.3}, {hi:.3}]"),
        (v, _, _) => fmt3(v),
    }
}

impl Character {
    /// A short label for tables.
    pub fn short(self) -> &'static str {
        match self {
            Character::NoAttribute => "none (measured only)",
            Character::AttributeAtTraining => "at training",
            Character::AttributeAtDecision => "at decision (analysis only)",
        }
    }
}

impl LdaResult {
    /// The gate's word for a candidate.
    pub fn gate_word(c: &LdaCandidate) -> &'static str {
        match &c.gate {
            Some(g) if g.passed => "PASS",
            Some(_) => "FAIL",
            None => "NOT EVALUATED",
        }
    }

    /// The result as a document: the text and Markdown outputs, and the report's section
    /// (which adds the trade-off chart after the table).
    pub fn document(&self) -> crate::doc::Document {
        use crate::doc::{data, own, Block, Document};
        let mut d = Document::default();
        d.push(Block::Heading(
            2,
            vec![
                own("Less discriminatory alternatives, by "),
                data(self.attribute.clone()),
            ],
        ));
        d.push(Block::Paragraph(vec![vec![
            own(match &self.recommended {
                Some(_) => "Conclusion: ",
                None => "Conclusion: NO CANDIDATE MEETS THE POLICY. ",
            }),
            data(self.conclusion.clone()),
            own("."),
        ]]));
        d.push(Block::Paragraph(vec![vec![own(format!(
            "Each candidate was fitted or chosen on the {} training rows and judged on the {} held-out rows, which no candidate saw, by the same audit and the policy \"{}\" (as the gate judges it, on intervals). The baseline selects score >= {}. The recommended candidate is the one the gate passes with the best held-out objective ({}) among those that do not use the protected attribute at decision time. Single thresholds maximise {}; group thresholds equalise {}.",
            self.training_rows,
            self.held_out_rows,
            self.policy.name,
            self.baseline_threshold,
            self.objective,
            self.objective,
            self.constraint
        ))]]));
        let head = [
            "candidate",
            "protected attribute",
            "threshold",
            "accuracy [CI]",
            "objective",
            "cost",
            "AUC",
            "selected",
            "lowest impact ratio [CI]",
            "DP diff",
            "EO diff",
            "gate",
        ]
        .map(|h| vec![own(h)])
        .to_vec();
        let rows = self
            .candidates
            .iter()
            .map(|c| {
                let dis = c.disparity.as_ref();
                let recommended = self.recommended.as_deref() == Some(c.id.as_str());
                vec![
                    vec![own(if recommended {
                        format!("{} (recommended)", c.id)
                    } else {
                        c.id.clone()
                    })],
                    vec![own(c.character.short())],
                    vec![own(c.threshold.map_or_else(
                        || {
                            if c.character == Character::AttributeAtDecision {
                                "per group".to_string()
                            } else {
                                "randomised".to_string()
                            }
                        },
                        |t| format!("{t:.4}"),
                    ))],
                    vec![own(with_interval(&c.accuracy))],
                    vec![own(fmt4(c.objective))],
                    vec![own(fmt4(c.cost))],
                    vec![own(fmt3(c.auc))],
                    vec![own(fmt3(c.selection_rate))],
                    vec![
                        own(dis.map_or_else(
                            || "undefined".into(),
                            |d| with_interval(&d.min_impact_ratio),
                        )),
                        data(
                            dis.and_then(|d| d.min_impact_group.as_ref())
                                .map_or_else(String::new, |g| format!(" ({g})")),
                        ),
                    ],
                    vec![own(fmt3(dis.and_then(|d| d.demographic_parity_difference)))],
                    vec![own(fmt3(dis.and_then(|d| d.equalized_odds_difference)))],
                    vec![own(match c.inconclusive_checks {
                        0 => Self::gate_word(c).to_string(),
                        n => format!("{} ({n} inconclusive)", Self::gate_word(c)),
                    })],
                ]
            })
            .collect();
        d.push(Block::Table { head, rows });
        let mut items = Vec::new();
        for c in &self.candidates {
            let mut line = vec![
                own(format!("{}: ", c.id)),
                data(c.description.clone()),
                own("."),
            ];
            if let Some(n) = &c.note {
                line.push(own(" Note: "));
                line.push(data(n.clone()));
                line.push(own("."));
            }
            if let Some(g) = &c.gate {
                if !g.blocking.is_empty() {
                    line.push(own(format!(
                        " Blocking on the held-out rows ({}): ",
                        g.blocking.len()
                    )));
                    let shown: Vec<String> = g.blocking.iter().take(3).cloned().collect();
                    line.push(data(shown.join("; ")));
                    if g.blocking.len() > 3 {
                        line.push(own(format!("; and {} more", g.blocking.len() - 3)));
                    }
                    line.push(own("."));
                }
            }
            line.push(own(format!(
                " Protected attribute: {}. To apply: ",
                c.character.describe()
            )));
            line.push(data(c.apply.clone()));
            line.push(own("."));
            items.push(line);
        }
        d.push(Block::List(items));
        if let Some(w) = &self.warning {
            d.push(Block::Paragraph(vec![vec![own(w.clone())]]));
        }
        d
    }
}

impl crate::doc::Render for LdaResult {
    fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
    fn to_text(&self) -> String {
        self.document().text()
    }
    fn to_text_in(&self, layout: crate::doc::TextLayout) -> String {
        self.document().text_in(layout)
    }
    fn to_markdown(&self) -> String {
        self.document().markdown()
    }
}
