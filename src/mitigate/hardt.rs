//! Group thresholds (Hardt, Price & Srebro 2016), as Fairlearn 0.15's `ThresholdOptimizer`
//! with `flip=False`, `tol=None`, `grid_size` points: the same rules, hull, grid and ties, so
//! the per-group rules and expected rates match Fairlearn's to rounding.
//!
//! Per group `g`, rows sorted by score descending: the candidate rules are `s > +inf`
//! (nobody), then after each distinct score `s_k` (all its rows counted) `s > (s_k +
//! s_{k+1}) / 2`, with `s_{K+1} = -inf` (everybody). Each rule's confusion counts give a point
//! `(x, y)`: `x` the constrained rate (selection rate, TPR, FPR, TNR or FNR; FPR for equalized
//! odds), `y` the objective (accuracy, balanced accuracy, selection rate, TPR or TNR; TPR for
//! equalized odds). Points are sorted by `(x, y)` (stable) and the upper convex hull kept
//! (Andrew's monotone chain; `r1` is dropped when `(r1.y − r0.y)(r2.x − r0.x) ≤ (r2.y −
//! r0.y)(r1.x − r0.x)`). The hull is interpolated on the grid `x_j = j / grid_size`: `i =`
//! the last hull index with `x_i ≤ x_j`, minus one when `x_j = x_i` (`j > 0`); `p0 = (x_{i+1}
//! − x_j) / (x_{i+1} − x_i)`, `p1 = 1 − p0`, `y = p0 y_i + p1 y_{i+1}`: the rule at `x_j` is
//! "rule `i` with probability `p0`, rule `i + 1` with probability `p1`".
//!
//! - Simple constraints: `j*` is the first maximum of `Σ_g (n_g / n) y_g(x_j)`; every group
//!   takes its rule at `x_{j*}`.
//! - Equalized odds: `y_min(x_j) = min_g TPR_g(x_j)`; the objective from pooled counts
//!   `FP = N x_j`, `TN = N (1 − x_j)`, `TP = P y_min`, `FN = P (1 − y_min)`, rounded to 15
//!   decimals; `j*` its first maximum; each group's rule is mixed with a constant:
//!   `p_ignore = (TPR_g − y_min) / (TPR_g − x_{j*})` (0 when `TPR_g = x_{j*}`), constant
//!   `x_{j*}`.
//!
//! A person's probability of a positive decision is `P(1 | s, g) = p_ignore · c + (1 −
//! p_ignore) · [p0 · 1(s > t0) + p1 · 1(s > t1)]`. Expected rates average it (weighted);
//! a decision, when one must be drawn, is `u < P` with `u` from a SplitMix64 hash of the seed
//! and the row's position (reproducible, independent of threads). With row weights the
//! counts, proportions and rates are weighted (Fairlearn ignores weights in prefit mode);
//! without them they are Fairlearn's counts. A group with one label class is an error (as in
//! Fairlearn); a group not seen in the fit is an error at decision time, never a silent 0.

use serde::Serialize;

use super::{labels_and_weights, Character, Grouping, MitigateError, MITIGATE_SCHEMA_VERSION};
use crate::data::{LoadSummary, Role, Table};
use crate::doc::Render;

/// The constraint equalised across groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Constraint {
    /// Equal selection rates.
    DemographicParity,
    /// Equal true positive rates.
    TruePositiveRateParity,
    /// Equal false positive rates.
    FalsePositiveRateParity,
    /// Equal true negative rates.
    TrueNegativeRateParity,
    /// Equal false negative rates.
    FalseNegativeRateParity,
    /// Equal TPR and FPR.
    EqualizedOdds,
}

impl Constraint {
    /// Parses Fairlearn's names (`demographic_parity`, `selection_rate_parity`,
    /// `true_positive_rate_parity`, ..., `equalized_odds`), `-` or `_`.
    pub fn parse(s: &str) -> Option<Constraint> {
        Some(match s.replace('-', "_").as_str() {
            "demographic_parity" | "selection_rate_parity" => Constraint::DemographicParity,
            "true_positive_rate_parity" => Constraint::TruePositiveRateParity,
            "false_positive_rate_parity" => Constraint::FalsePositiveRateParity,
            "true_negative_rate_parity" => Constraint::TrueNegativeRateParity,
            "false_negative_rate_parity" => Constraint::FalseNegativeRateParity,
            "equalized_odds" => Constraint::EqualizedOdds,
            _ => return None,
        })
    }

    /// Fairlearn's name of the constraint.
    pub fn name(self) -> &'static str {
        match self {
            Constraint::DemographicParity => "demographic_parity",
            Constraint::TruePositiveRateParity => "true_positive_rate_parity",
            Constraint::FalsePositiveRateParity => "false_positive_rate_parity",
            Constraint::TrueNegativeRateParity => "true_negative_rate_parity",
            Constraint::FalseNegativeRateParity => "false_negative_rate_parity",
            Constraint::EqualizedOdds => "equalized_odds",
        }
    }

    fn x(self) -> Metric {
        match self {
            Constraint::DemographicParity => Metric::SelectionRate,
            Constraint::TruePositiveRateParity => Metric::Tpr,
            Constraint::FalsePositiveRateParity | Constraint::EqualizedOdds => Metric::Fpr,
            Constraint::TrueNegativeRateParity => Metric::Tnr,
            Constraint::FalseNegativeRateParity => Metric::Fnr,
        }
    }
}

/// The objective maximised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HardtObjective {
    /// Accuracy.
    AccuracyScore,
    /// Balanced accuracy.
    BalancedAccuracyScore,
    /// Selection rate.
    SelectionRate,
    /// True positive rate.
    TruePositiveRate,
    /// True negative rate.
    TrueNegativeRate,
}

impl HardtObjective {
    /// Parses Fairlearn's names (`accuracy_score`, `balanced_accuracy_score`,
    /// `selection_rate`, `true_positive_rate`, `true_negative_rate`; `accuracy` and
    /// `balanced_accuracy` too), `-` or `_`.
    pub fn parse(s: &str) -> Option<HardtObjective> {
        Some(match s.replace('-', "_").as_str() {
            "accuracy_score" | "accuracy" => HardtObjective::AccuracyScore,
            "balanced_accuracy_score" | "balanced_accuracy" => {
                HardtObjective::BalancedAccuracyScore
            }
            "selection_rate" => HardtObjective::SelectionRate,
            "true_positive_rate" => HardtObjective::TruePositiveRate,
            "true_negative_rate" => HardtObjective::TrueNegativeRate,
            _ => return None,
        })
    }

    fn metric(self) -> Metric {
        match self {
            HardtObjective::AccuracyScore => Metric::Accuracy,
            HardtObjective::BalancedAccuracyScore => Metric::BalancedAccuracy,
            HardtObjective::SelectionRate => Metric::SelectionRate,
            HardtObjective::TruePositiveRate => Metric::Tpr,
            HardtObjective::TrueNegativeRate => Metric::Tnr,
        }
    }
}

#[derive(Clone, Copy)]
enum Metric {
    SelectionRate,
    Tpr,
    Fpr,
    Tnr,
    Fnr,
    Accuracy,
    BalancedAccuracy,
}

/// Confusion counts (weighted).
#[derive(Clone, Copy, Default)]
struct Counts {
    tp: f64,
    fp: f64,
    tn: f64,
    fn_: f64,
}

impl Metric {
    /// Fairlearn's `METRIC_DICT`, in the same arithmetic.
    fn of(self, c: Counts) -> f64 {
        let (pos, neg) = (c.tp + c.fn_, c.tn + c.fp);
        let n = c.tp + c.tn + c.fp + c.fn_;
        match self {
            Metric::SelectionRate => (c.tp + c.fp) / n,
            Metric::Fpr => c.fp / neg,
            Metric::Fnr => c.fn_ / pos,
            Metric::Tpr => c.tp / pos,
            Metric::Tnr => c.tn / neg,
            Metric::Accuracy => (c.tp + c.tn) / n,
            Metric::BalancedAccuracy => 0.5 * c.tp / pos + 0.5 * c.tn / neg,
        }
    }
}

/// Settings of [`group_thresholds`].
#[derive(Clone, Debug)]
pub struct HardtParams {
    /// The protected attributes whose groups (their intersection when several) get their own
    /// thresholds.
    pub by: Vec<String>,
    /// The constraint.
    pub constraint: Constraint,
    /// The objective (equalized odds: accuracy or balanced accuracy only).
    pub objective: HardtObjective,
    /// Grid points minus one, Fairlearn's `grid_size`. Defaults to 1000.
    pub grid_size: usize,
    /// Seed of the decisions drawn where a rule is randomised.
    pub seed: u64,
}

impl Default for HardtParams {
    fn default() -> Self {
        HardtParams {
            by: Vec::new(),
            constraint: Constraint::DemographicParity,
            objective: HardtObjective::AccuracyScore,
            grid_size: 1000,
            seed: 0,
        }
    }
}

/// A threshold rule `score > threshold` (`None`: `+inf`/`-inf` as a string in JSON).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThresholdRule {
    /// `>` (Fairlearn's operator: strictly above).
    pub op: &'static str,
    /// The threshold; `inf` selects nobody, `-inf` everybody.
    #[serde(serialize_with = "extended")]
    pub threshold: f64,
}

fn extended<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else if *v > 0.0 {
        s.serialize_str("inf")
    } else {
        s.serialize_str("-inf")
    }
}

/// Expected rates of the randomised rule on a group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Expected {
    /// Mean P(positive).
    pub selection_rate: f64,
    /// Mean P(positive) over positives.
    pub tpr: Option<f64>,
    /// Mean P(positive) over negatives.
    pub fpr: Option<f64>,
    /// Mean P(correct).
    pub accuracy: f64,
}

/// One group's randomised rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupRule {
    /// The group.
    pub group: String,
    /// Its values, one per attribute.
    pub values: Vec<String>,
    /// Rows.
    pub n: u64,
    /// Its share of the (weighted) rows.
    pub proportion: f64,
    /// Probability of the first rule.
    pub p0: f64,
    /// The first rule.
    pub rule0: ThresholdRule,
    /// Probability of the second rule.
    pub p1: f64,
    /// The second rule.
    pub rule1: ThresholdRule,
    /// Probability of ignoring the score and deciding positive with `prediction_constant`
    /// (equalized odds; 0 otherwise).
    pub p_ignore: f64,
    /// See `p_ignore`.
    pub prediction_constant: f64,
    /// Rates on the fitted rows.
    pub expected: Expected,
    /// Rates of the single threshold (the baseline) on the same rows.
    pub baseline: Expected,
}

/// Group thresholds fitted, with what they buy and cost.
#[derive(Clone, Debug, Serialize)]
pub struct HardtResult {
    /// The JSON layout's version.
    pub schema_version: u32,
    /// fairgate's version.
    pub fairgate_version: String,
    /// The method.
    pub method: &'static str,
    /// How it uses the protected attribute.
    pub character: Character,
    /// The legal warning, in every output.
    pub warning: &'static str,
    /// What was read.
    pub input: LoadSummary,
    /// The attributes.
    pub by: Vec<String>,
    /// The constraint.
    pub constraint: Constraint,
    /// The objective.
    pub objective: HardtObjective,
    /// Grid size.
    pub grid_size: usize,
    /// The baseline's single threshold (`score >= threshold`).
    pub baseline_threshold: f64,
    /// The chosen grid point's constrained rate.
    pub x_best: f64,
    /// The objective's value there (the weighted sum, or the rounded pooled objective).
    pub y_best: f64,
    /// Expected overall accuracy with the group rules; and with the baseline threshold.
    pub accuracy: f64,
    /// See `accuracy`.
    pub baseline_accuracy: f64,
    /// Every group's rule.
    pub groups: Vec<GroupRule>,
    /// The seed of drawn decisions.
    pub seed: u64,
}

/// One group's hull on the grid.
struct GroupCurve {
    /// Hull points (x, y, threshold).
    hull: Vec<(f64, f64, f64)>,
}

impl GroupCurve {
    /// Rows `rows` (positions) of one group: the hull of its rules' points.
    fn fit(
        score: &[f64],
        y: &[bool],
        w: Option<&[f64]>,
        rows: &mut [usize],
        x: Metric,
        yx: Metric,
        name: &str,
    ) -> Result<GroupCurve, MitigateError> {
        let weight = |i: usize| w.map_or(1.0, |w| w[i]);
        rows.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
        let (mut pos, mut neg) = (0.0, 0.0);
        for &i in rows.iter() {
            if y[i] {
                pos += weight(i);
            } else {
                neg += weight(i);
            }
        }
        if pos <= 0.0 || neg <= 0.0 {
            return Err(MitigateError::Data(format!(
                "group \"{name}\" has only {} rows (no {}): thresholds cannot be fitted for a group with one label class",
                if pos > 0.0 { "positive" } else { "negative" },
                if pos > 0.0 { "negatives" } else { "positives" }
            )));
        }
        let point = |tp: f64, fp: f64| {
            let c = Counts {
                tp,
                fp,
                tn: neg - fp,
                fn_: pos - tp,
            };
            (x.of(c), yx.of(c))
        };
        let mut pts: Vec<(f64, f64, f64)> = Vec::with_capacity(rows.len() + 1);
        let (x0, y0) = point(0.0, 0.0);
        pts.push((x0, y0, f64::INFINITY));
        let (mut tp, mut fp) = (0.0, 0.0);
        let mut k = 0;
        while k < rows.len() {
            let s = score[rows[k]];
            while k < rows.len() && score[rows[k]] == s {
                let i = rows[k];
                if y[i] {
                    tp += weight(i);
                } else {
                    fp += weight(i);
                }
                k += 1;
            }
            let next = rows.get(k).map_or(f64::NEG_INFINITY, |&i| score[i]);
            let (px, py) = point(tp, fp);
            pts.push((px, py, (s + next) / 2.0));
        }
        // Stable sort by (x, y), as pandas' multi-column sort.
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut hull: Vec<(f64, f64, f64)> = Vec::new();
        for r2 in pts {
            while hull.len() >= 2 {
                let r1 = hull[hull.len() - 1];
                let r0 = hull[hull.len() - 2];
                if (r1.1 - r0.1) * (r2.0 - r0.0) <= (r2.1 - r0.1) * (r1.0 - r0.0) {
                    hull.pop();
                } else {
                    break;
                }
            }
            hull.push(r2);
        }
        Ok(GroupCurve { hull })
    }

    /// The interpolation at grid point `j` of `grid`: (i, p0, y).
    fn at(&self, j: usize, xj: f64) -> (usize, f64, f64) {
        let h = &self.hull;
        // searchsorted(x, xj, "right") - 1
        let mut i = h.partition_point(|p| p.0 <= xj).saturating_sub(1);
        if j > 0 && xj == h[i].0 {
            i = i.saturating_sub(1);
        }
        let i = i.min(h.len().saturating_sub(2));
        let (a, b) = (h[i], h[(i + 1).min(h.len() - 1)]);
        let p0 = (b.0 - xj) / (b.0 - a.0);
        let p1 = 1.0 - p0;
        (i, p0, p0 * a.1 + p1 * b.1)
    }
}

/// numpy's `linspace(0, 1, grid + 1)`.
fn grid_points(grid: usize) -> Vec<f64> {
    let step = 1.0 / grid as f64;
    let mut v: Vec<f64> = (0..=grid).map(|j| j as f64 * step).collect();
    if let Some(last) = v.last_mut() {
        *last = 1.0;
    }
    v
}

/// numpy's `around(v, 15)`: scale, round half to even, unscale.
fn around15(v: f64) -> f64 {
    (v * 1e15).round_ties_even() / 1e15
}

/// A fitted group's rule, without its rates.
struct Fitted {
    p0: f64,
    t0: f64,
    p1: f64,
    t1: f64,
    p_ignore: f64,
    constant: f64,
}

impl Fitted {
    fn probability(&self, s: f64) -> f64 {
        let base =
            self.p0 * f64::from(u8::from(s > self.t0)) + self.p1 * f64::from(u8::from(s > self.t1));
        if self.p_ignore != 0.0 {
            self.p_ignore * self.constant + (1.0 - self.p_ignore) * base
        } else {
            base
        }
    }
}

/// A reproducible uniform number in [0, 1) for row `i`: SplitMix64 of the seed and the row
/// ([`crate::decision::uniform`]).
pub fn uniform(seed: u64, i: u64) -> f64 {
    crate::decision::uniform(seed, i)
}

fn expected(p: impl Iterator<Item = (f64, bool, f64)>) -> Expected {
    let (mut all, mut sel, mut pos, mut tp, mut neg, mut fp, mut correct) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (pi, yi, wi) in p {
        all += wi;
        sel += wi * pi;
        if yi {
            pos += wi;
            tp += wi * pi;
            correct += wi * pi;
        } else {
            neg += wi;
            fp += wi * pi;
            correct += wi * (1.0 - pi);
        }
    }
    Expected {
        selection_rate: sel / all,
        tpr: (pos > 0.0).then(|| tp / pos),
        fpr: (neg > 0.0).then(|| fp / neg),
        accuracy: correct / all,
    }
}

/// Fits group thresholds on `table` (label, score, the protected attributes, optional
/// weights) and states their expected rates beside those of the single threshold
/// `baseline_threshold` (`score >= t`).
pub fn group_thresholds(
    table: &Table,
    params: &HardtParams,
    baseline_threshold: f64,
) -> Result<(HardtResult, Vec<f64>), MitigateError> {
    let score = table
        .score()
        .ok_or(MitigateError::MissingRole(Role::Score))?;
    let (y, w) = labels_and_weights(table)?;
    if params.constraint == Constraint::EqualizedOdds
        && !matches!(
            params.objective,
            HardtObjective::AccuracyScore | HardtObjective::BalancedAccuracyScore
        )
    {
        return Err(crate::params::InvalidParam::new(
            "objective",
            "accuracy_score or balanced_accuracy_score with equalized_odds",
            format!("{:?}", params.objective),
        )
        .into());
    }
    if params.grid_size == 0 {
        return Err(crate::params::InvalidParam::new("grid_size", "at least 1", 0).into());
    }
    if table.n_rows() == 0 {
        return Err(MitigateError::Data("no usable rows".into()));
    }
    let grouping = Grouping::of(table, &params.by)?;
    let weight = |i: usize| w.map_or(1.0, |w| w[i]);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); grouping.len()];
    for (i, &g) in grouping.of_row.iter().enumerate() {
        members[g].push(i);
    }
    let (xm, ym) = match params.constraint {
        Constraint::EqualizedOdds => (Metric::Fpr, Metric::Tpr),
        c => (c.x(), params.objective.metric()),
    };
    let mut curves = Vec::with_capacity(grouping.len());
    for (g, rows) in members.iter_mut().enumerate() {
        curves.push(GroupCurve::fit(
            score,
            &y,
            w,
            rows,
            xm,
            ym,
            &grouping.name(g),
        )?);
    }
    let total: f64 = (0..table.n_rows()).map(weight).sum();
    let share: Vec<f64> = members
        .iter()
        .map(|m| m.iter().map(|&i| weight(i)).sum::<f64>() / total)
        .collect();
    let grid = grid_points(params.grid_size);
    let first_max = |v: &[f64]| -> usize {
        let mut best = 0;
        for (j, &x) in v.iter().enumerate() {
            if x > v[best] || v[best].is_nan() && !x.is_nan() {
                best = j;
            }
        }
        best
    };
    let (j_best, y_best, fitted): (usize, f64, Vec<Fitted>) =
        if params.constraint == Constraint::EqualizedOdds {
            let (pos, neg): (f64, f64) = (0..table.n_rows()).fold((0.0, 0.0), |(p, n), i| {
                if y[i] {
                    (p + weight(i), n)
                } else {
                    (p, n + weight(i))
                }
            });
            let y_min: Vec<f64> = grid
                .iter()
                .enumerate()
                .map(|(j, &xj)| {
                    curves
                        .iter()
                        .map(|c| c.at(j, xj).2)
                        .fold(f64::INFINITY, f64::min)
                })
                .collect();
            let obj: Vec<f64> = grid
                .iter()
                .zip(&y_min)
                .map(|(&xj, &ym)| {
                    around15(params.objective.metric().of(Counts {
                        fp: neg * xj,
                        tn: neg * (1.0 - xj),
                        tp: pos * ym,
                        fn_: pos * (1.0 - ym),
                    }))
                })
                .collect();
            let j = first_max(&obj);
            let (xb, yb) = (grid[j], y_min[j]);
            let fitted = curves
                .iter()
                .map(|c| {
                    let (i, p0, yg) = c.at(j, xb);
                    let p_ignore = if yg == xb { 0.0 } else { (yg - yb) / (yg - xb) };
                    Fitted {
                        p0,
                        t0: c.hull[i].2,
                        p1: 1.0 - p0,
                        t1: c.hull[i + 1].2,
                        p_ignore,
                        constant: xb,
                    }
                })
                .collect();
            (j, yb, fitted)
        } else {
            let overall: Vec<f64> = grid
                .iter()
                .enumerate()
                .map(|(j, &xj)| {
                    curves
                        .iter()
                        .zip(&share)
                        .map(|(c, s)| s * c.at(j, xj).2)
                        .sum()
                })
                .collect();
            let j = first_max(&overall);
            let fitted = curves
                .iter()
                .map(|c| {
                    let (i, p0, _) = c.at(j, grid[j]);
                    Fitted {
                        p0,
                        t0: c.hull[i].2,
                        p1: 1.0 - p0,
                        t1: c.hull[i + 1].2,
                        p_ignore: 0.0,
                        constant: 0.0,
                    }
                })
                .collect();
            (j, overall[j], fitted)
        };
    let p: Vec<f64> = (0..table.n_rows())
        .map(|i| fitted[grouping.of_row[i]].probability(score[i]))
        .collect();
    let base = |i: usize| {
        f64::from(u8::from(crate::decision::positive(
            score[i],
            baseline_threshold,
        )))
    };
    let groups = members
        .iter()
        .enumerate()
        .map(|(g, rows)| {
            let f = &fitted[g];
            GroupRule {
                group: grouping.name(g),
                values: grouping.values[g].clone(),
                n: rows.len() as u64,
                proportion: share[g],
                p0: f.p0,
                rule0: ThresholdRule {
                    op: ">",
                    threshold: f.t0,
                },
                p1: f.p1,
                rule1: ThresholdRule {
                    op: ">",
                    threshold: f.t1,
                },
                p_ignore: f.p_ignore,
                prediction_constant: f.constant,
                expected: expected(rows.iter().map(|&i| (p[i], y[i], weight(i)))),
                baseline: expected(rows.iter().map(|&i| (base(i), y[i], weight(i)))),
            }
        })
        .collect();
    let all_rows = 0..table.n_rows();
    let result = HardtResult {
        schema_version: MITIGATE_SCHEMA_VERSION,
        fairgate_version: crate::version::VERSION.to_string(),
        method: "group-thresholds",
        character: Character::AttributeAtDecision,
        warning: super::DECISION_TIME_WARNING,
        input: table.summary().clone(),
        by: params.by.clone(),
        constraint: params.constraint,
        objective: params.objective,
        grid_size: params.grid_size,
        baseline_threshold,
        x_best: grid[j_best],
        y_best,
        accuracy: expected(all_rows.clone().map(|i| (p[i], y[i], weight(i)))).accuracy,
        baseline_accuracy: expected(all_rows.map(|i| (base(i), y[i], weight(i)))).accuracy,
        groups,
        seed: params.seed,
    };
    Ok((result, p))
}

impl HardtResult {
    /// P(positive) for a person of group `group` (values joined with ", ") with score `s`;
    /// an unseen group is an error.
    pub fn probability(&self, group: &str, s: f64) -> Result<f64, MitigateError> {
        let g = self
            .groups
            .iter()
            .find(|g| g.group == group)
            .ok_or_else(|| MitigateError::UnseenGroup(group.to_string()))?;
        Ok(Fitted {
            p0: g.p0,
            t0: g.rule0.threshold,
            p1: g.p1,
            t1: g.rule1.threshold,
            p_ignore: g.p_ignore,
            constant: g.prediction_constant,
        }
        .probability(s))
    }

    /// The result as a document, the legal warning first.
    pub fn document(&self) -> crate::doc::Document {
        use crate::doc::{data, own, Block, Document};
        let mut d = Document::default();
        d.push(Block::Heading(
            2,
            vec![own(format!(
                "Group thresholds by {} ({:?}, maximising {:?}): analysis only",
                self.by.join(" x "),
                self.constraint,
                self.objective
            ))],
        ));
        d.push(Block::Paragraph(vec![vec![own(self.warning)]]));
        d.push(Block::Paragraph(vec![vec![own(format!(
            "Expected accuracy {:.4} with group thresholds against {:.4} with the single threshold {}.",
            self.accuracy, self.baseline_accuracy, self.baseline_threshold
        ))]]));
        let f = |v: Option<f64>| v.map_or("undefined".into(), |x| format!("{x:.4}"));
        let t = |r: &ThresholdRule| {
            if r.threshold.is_finite() {
                format!("s > {}", r.threshold)
            } else if r.threshold > 0.0 {
                "nobody".into()
            } else {
                "everybody".into()
            }
        };
        let head = [
            "group",
            "n",
            "rule",
            "selection rate (baseline)",
            "TPR (baseline)",
            "FPR (baseline)",
        ]
        .map(|h| vec![own(h)])
        .to_vec();
        let rows = self
            .groups
            .iter()
            .map(|g| {
                let mut rule = format!("{} w.p. {:.4}, else {}", t(&g.rule0), g.p0, t(&g.rule1));
                if g.p_ignore != 0.0 {
                    rule = format!(
                        "w.p. {:.4} positive with probability {:.4}; otherwise {rule}",
                        g.p_ignore, g.prediction_constant
                    );
                }
                vec![
                    vec![data(g.group.clone())],
                    vec![own(g.n.to_string())],
                    vec![own(rule)],
                    vec![own(format!(
                        "{:.4} ({:.4})",
                        g.expected.selection_rate, g.baseline.selection_rate
                    ))],
                    vec![own(format!(
                        "{} ({})",
                        f(g.expected.tpr),
                        f(g.baseline.tpr)
                    ))],
                    vec![own(format!(
                        "{} ({})",
                        f(g.expected.fpr),
                        f(g.baseline.fpr)
                    ))],
                ]
            })
            .collect();
        d.push(Block::Table { head, rows });
        d
    }
}

impl Render for HardtResult {
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

/// Writes the applied group rules, one line per row: the id (or `row`, from 1), the group,
/// the score, P(positive) and the decision drawn (`u < P`, `u` = [`uniform`]`(seed, row)`),
/// after a first line `# WARNING ...` carrying the legal warning.
pub fn write_decisions(
    r: &HardtResult,
    table: &Table,
    p: &[f64],
    out: impl std::io::Write,
) -> Result<(), MitigateError> {
    let io = |e: csv::Error| MitigateError::Io(crate::output::csv_io(e));
    let score = table
        .score()
        .ok_or(MitigateError::MissingRole(Role::Score))?;
    let grouping = Grouping::of(table, &r.by)?;
    let id = table.with_role(Role::Id).next();
    let mut out = out;
    writeln!(out, "# {}", r.warning)?;
    let mut w = crate::output::CsvWriter::new(out, crate::output::CsvCells::Guarded);
    w.write_record([
        id.map_or("row", |c| c.name.as_str()),
        "group",
        "score",
        "probability",
        "decision",
    ])
    .map_err(io)?;
    for i in 0..table.n_rows() {
        let g = grouping.name(grouping.of_row[i]);
        let pi = r.probability(&g, score[i])?;
        debug_assert!((pi - p[i]).abs() < 1e-15);
        let u = uniform(r.seed, i as u64);
        w.write_record([
            match id.and_then(|c| c.as_text()) {
                Some(t) => t.get(i).unwrap_or_default().to_string(),
                None => (i + 1).to_string(),
            },
            g,
            format!("{}", score[i]),
            format!("{pi}"),
            if u < pi { "1" } else { "0" }.to_string(),
        ])
        .map_err(io)?;
    }
    w.flush()?;
    Ok(())
}
