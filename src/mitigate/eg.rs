//! Fairlearn's `ExponentiatedGradient` (Agarwal et al. 2018) around the weighted Newton fit:
//! a randomised mixture of logistic models that meets a constraint on the training rows. The
//! protected attribute is used at training only; the mixture is scored without it.
//!
//! The moments are those of [`super::reductions`] (against the overall rate per event) with
//! the bound `difference_bound` on every `γ(±, e, a)`; the Lagrangian
//! `L(Q, λ) = err(Q) + λ·(γ(Q) − bound)`, `λ >= 0`, `|λ|_1 <= B = 1 / eps`. Per iteration `t`:
//!
//! - `λ_t = B exp(θ_t) / (1 + Σ exp(θ_t))` (`θ_0 = 0`); the best response `h_t` is a logistic
//!   model fitted on the rows relabelled `1[c_i > 0]` with weights `n |c_i| / Σ|c|`, where
//!   `c_i = (2 y_i − 1) + Σ_k λ_k U_i(k)`, its hard predictions `decision > 0`; a new `h` is
//!   kept only when its Lagrangian value is below the best stored one's by more than 1e-8;
//! - at `t = 0`: `ν = 0.5 · sd(|h_0 − y|, ddof 1) / √n` and `η = η_0 / B`;
//! - `Q_EG` = the frequencies of the `h` picked so far, `λ̂` = the mean of `λ_0..λ_t`;
//!   the gap `max(L − L_low, L_high − L)` with `L_high = err + B max(0, max_k(γ_k − bound))`
//!   and `L_low` the lowest `L(best_h(m λ̂), λ̂)` over `m` in 1, 2, 5, 10 (stopping once the
//!   gap exceeds `ν + 1e-8`); `L` with `λ` projected (per event, shifted by the
//!   `P(a | e)`-weighted median of `λ⁺ − λ⁻` over `P(a | e)`);
//! - from `t = 1`, the LP over the stored `h`: `min err·Q + B z` s.t. `(Γ − bound) Q <= z`,
//!   `Σ Q = 1`, and its dual for `λ` ([`super::lp`]); whichever of EG and LP has the smaller
//!   gap is this iteration's;
//! - stop when the gap is below `ν` and `t >= 5`; from `t >= 1.6 ×` the last check (the first
//!   at 5), when the best EG gap exceeds 0.8 × the previous check's, `η *= 0.8`;
//!   `θ += η (γ(h_t) − bound)`.
//!
//! The result is the `Q` of the last iteration whose gap is within 1e-8 of the smallest. The
//! mixture's P(1 | x) = `Σ_j Q_j h_j(x)` is deterministic; a decision needs a draw (seeded:
//! [`super::hardt::uniform`]). The LP's vertex may differ from HiGHS's on degenerate LPs, so
//! the mixture itself is not Fairlearn's; its accuracy and disparity agree to about 2e-3.

use ndarray::{Array1, Array2, ArrayView2};

use super::lp::{self, Bound, Outcome};
use super::reductions::Moments;
use super::{Constraint, MitigateError};
use crate::data::{DataSpec, Role, Table};
use crate::params::{Checked, InvalidParam};
use crate::train::{fit_logistic, Encoder, FeatureColumn, LogisticParams, TrainParams};

/// Settings of [`exponentiated_gradient`].
#[derive(Clone, Debug)]
pub struct EgParams {
    /// The protected attributes (their intersection when several).
    pub by: Vec<String>,
    /// Demographic parity, TPR parity, FPR parity or equalized odds.
    pub constraint: Constraint,
    /// The bound on every `γ` (Fairlearn's `difference_bound`, default 0.01).
    pub difference_bound: f64,
    /// Fairlearn's `eps` (default 0.01): `B = 1 / eps`.
    pub eps: f64,
    /// Most iterations (default 50).
    pub max_iter: usize,
    /// Initial step (default 2.0).
    pub eta0: f64,
}

impl Default for EgParams {
    fn default() -> Self {
        EgParams {
            by: Vec::new(),
            constraint: Constraint::DemographicParity,
            difference_bound: 0.01,
            eps: 0.01,
            max_iter: 50,
            eta0: 2.0,
        }
    }
}

impl EgParams {
    /// Checks the constraint and the ranges.
    pub fn check(self) -> Result<Checked<EgParams>, MitigateError> {
        if matches!(
            self.constraint,
            Constraint::TrueNegativeRateParity | Constraint::FalseNegativeRateParity
        ) {
            return Err(InvalidParam::new(
                "constraint",
                "demographic_parity, true_positive_rate_parity, false_positive_rate_parity or equalized_odds",
                self.constraint.name(),
            )
            .into());
        }
        for (name, v) in [
            ("difference_bound", self.difference_bound),
            ("eps", self.eps),
            ("eta0", self.eta0),
        ] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(InvalidParam::new(name, "a positive number", v.to_string()).into());
            }
        }
        if self.max_iter == 0 {
            return Err(InvalidParam::new("max_iter", "at least 1", "0").into());
        }
        Ok(Checked::after_check(self))
    }
}

/// One classifier of the mixture: a logistic model's hard prediction `x·coef + intercept > 0`,
/// or a constant.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    /// Coefficients, one per design column.
    pub coef: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
    /// A constant classifier's prediction (every relabelled row had the same label).
    pub constant: Option<bool>,
}

impl Component {
    fn predict(&self, x: ArrayView2<'_, f64>) -> Vec<bool> {
        match self.constant {
            Some(c) => vec![c; x.nrows()],
            None => {
                let coef = Array1::from(self.coef.clone());
                x.dot(&coef)
                    .iter()
                    .map(|z| z + self.intercept > 0.0)
                    .collect()
            }
        }
    }
}

/// The fitted mixture.
#[derive(Clone, Debug)]
pub struct EgResult {
    /// The design transform fitted on the training rows.
    pub encoder: Encoder,
    /// Every classifier found.
    pub components: Vec<Component>,
    /// The mixture's weight of each (sums to 1).
    pub weights: Vec<f64>,
    /// The iteration whose mixture was kept.
    pub best_iter: usize,
    /// The last iteration run.
    pub last_iter: usize,
    /// Its gap.
    pub best_gap: f64,
    /// ν.
    pub nu: f64,
    /// Fits made (including constant classifiers).
    pub oracle_calls: usize,
}

impl EgResult {
    /// The mixture's P(1 | x) for the given rows of `table` (its feature columns).
    pub fn probability(&self, table: &Table, rows: &[usize]) -> Result<Vec<f64>, MitigateError> {
        let cols = features(table)?;
        let design = self.encoder.transform(&cols, Some(rows))?;
        let mut p = vec![0.0; rows.len()];
        for (c, &w) in self.components.iter().zip(&self.weights) {
            if w != 0.0 {
                for (pi, h) in p.iter_mut().zip(c.predict(design.x.view())) {
                    if h {
                        *pi += w;
                    }
                }
            }
        }
        Ok(p)
    }
}

fn features(table: &Table) -> Result<Vec<FeatureColumn<'_>>, MitigateError> {
    let cols: Vec<FeatureColumn<'_>> = table
        .with_role(Role::Feature)
        .map(|c| FeatureColumn {
            name: &c.name,
            values: &c.values,
            levels: &c.levels,
        })
        .collect();
    if cols.is_empty() {
        return Err(MitigateError::Data(
            "no feature columns for the exponentiated gradient's models".into(),
        ));
    }
    Ok(cols)
}

const PRECISION: f64 = 1e-8;

#[derive(Clone, Debug)]
struct Gap {
    l: f64,
    l_low: f64,
    l_high: f64,
}

impl Gap {
    fn gap(&self) -> f64 {
        (self.l - self.l_low).max(self.l_high - self.l)
    }
}

struct Lagrangian<'a> {
    x: ArrayView2<'a, f64>,
    y: Vec<bool>,
    m: Moments,
    /// The (event, group) pairs with rows, sorted by event then group name; constraint `k <
    /// K` is `(+, pair k)`, `k >= K` is `(−, pair k − K)`.
    pairs: Vec<(usize, usize)>,
    b: f64,
    bound: f64,
    c: f64,
    hs: Vec<Component>,
    errors: Vec<f64>,
    gammas: Vec<Vec<f64>>,
    oracle_calls: usize,
    last_lp: Option<(usize, Vec<f64>, Vec<f64>, Gap)>,
    /// The last logistic fit's coefficients and intercept, where the next fit starts.
    last_fit: Option<Vec<f64>>,
}

impl Lagrangian<'_> {
    fn k(&self) -> usize {
        self.pairs.len()
    }

    /// Error and `γ` of hard predictions.
    fn moments_of(&self, h: &[bool]) -> (f64, Vec<f64>) {
        let n = self.m.n;
        let error = h.iter().zip(&self.y).filter(|(a, b)| a != b).count() as f64 / n;
        let ne = self.m.events.len();
        let na = self.m.groups.len();
        let (mut sum_e, mut sum_ea) = (vec![0.0; ne], vec![vec![0.0; na]; ne]);
        for (i, &hi) in h.iter().enumerate() {
            if let (true, Some(e)) = (hi, self.m.event[i]) {
                sum_e[e] += 1.0;
                sum_ea[e][self.m.group[i]] += 1.0;
            }
        }
        let plus: Vec<f64> = self
            .pairs
            .iter()
            .map(|&(e, a)| sum_ea[e][a] / (n * self.m.p_ea[e][a]) - sum_e[e] / (n * self.m.p_e[e]))
            .collect();
        let mut gamma = plus.clone();
        gamma.extend(plus.iter().map(|g| -g));
        (error, gamma)
    }

    fn oracle(&mut self, lambda: &[f64]) -> Result<Component, MitigateError> {
        let k = self.k();
        let n = self.y.len();
        let mut signed = Vec::with_capacity(n);
        for i in 0..n {
            let mut w = if self.y[i] { 1.0 } else { -1.0 };
            for (p, &(e, a)) in self.pairs.iter().enumerate() {
                let l = lambda[p] - lambda[k + p];
                if l != 0.0 {
                    w += l * self.m.u(i, e, a);
                }
            }
            signed.push(w);
        }
        self.oracle_calls += 1;
        let y: Vec<bool> = signed.iter().map(|&w| w > 0.0).collect();
        if y.iter().all(|&v| v) || y.iter().all(|&v| !v) {
            return Ok(Component {
                coef: Vec::new(),
                intercept: 0.0,
                constant: Some(y[0]),
            });
        }
        let total: f64 = signed.iter().map(|w| w.abs()).sum();
        let w: Vec<f64> = signed.iter().map(|s| n as f64 * s.abs() / total).collect();
        // Warm-started from the previous fit: consecutive best responses are close.
        let fit = fit_logistic(
            self.x,
            &y,
            Some(&w),
            &LogisticParams {
                c: self.c,
                start: self.last_fit.take(),
                ..LogisticParams::default()
            },
        )?;
        let mut start = fit.coef.to_vec();
        start.push(fit.intercept);
        self.last_fit = Some(start);
        Ok(Component {
            coef: fit.coef.to_vec(),
            intercept: fit.intercept,
            constant: None,
        })
    }

    fn value(&self, j: usize, lambda: &[f64]) -> f64 {
        self.errors[j]
            + self.gammas[j]
                .iter()
                .zip(lambda)
                .map(|(g, l)| g * l)
                .sum::<f64>()
    }

    fn best_h(&mut self, lambda: &[f64]) -> Result<usize, MitigateError> {
        let comp = self.oracle(lambda)?;
        let (error, gamma) = self.moments_of(&comp.predict(self.x));
        let h_value = error + gamma.iter().zip(lambda).map(|(g, l)| g * l).sum::<f64>();
        let mut best: Option<(usize, f64)> = None;
        for j in 0..self.hs.len() {
            let v = self.value(j, lambda);
            if best.is_none_or(|(_, b)| v < b) {
                best = Some((j, v));
            }
        }
        let best_value = best.map_or(f64::INFINITY, |b| b.1);
        if h_value < best_value - PRECISION {
            self.hs.push(comp);
            self.errors.push(error);
            self.gammas.push(gamma);
            return Ok(self.hs.len() - 1);
        }
        Ok(best.map_or(0, |b| b.0))
    }

    /// λ projected: per event, `λ⁺ − λ⁻` shifted by its `P(a | e)`-weighted median.
    fn project(&self, lambda: &[f64]) -> Vec<f64> {
        let k = self.k();
        let mut signed: Vec<f64> = (0..k).map(|p| lambda[p] - lambda[k + p]).collect();
        for e in 0..self.m.events.len() {
            let members: Vec<usize> = (0..k).filter(|&p| self.pairs[p].0 == e).collect();
            let prob: Vec<f64> = members
                .iter()
                .map(|&p| {
                    let (e, a) = self.pairs[p];
                    self.m.p_ea[e][a] / self.m.p_e[e]
                })
                .collect();
            let normalized: Vec<f64> = members
                .iter()
                .zip(&prob)
                .map(|(&p, q)| signed[p] / q)
                .collect();
            let mut order: Vec<usize> = (0..members.len()).collect();
            order.sort_by(|&a, &b| normalized[a].total_cmp(&normalized[b]));
            let half = prob.iter().sum::<f64>() / 2.0;
            let mut cum = 0.0;
            let mut pos = order.len() - 1;
            for (i, &o) in order.iter().enumerate() {
                cum += prob[o];
                if cum >= half {
                    pos = i;
                    break;
                }
            }
            let shift = normalized[order[pos]];
            for (i, &p) in members.iter().enumerate() {
                signed[p] -= prob[i] * shift;
            }
        }
        let mut out: Vec<f64> = signed.iter().map(|s| s.max(0.0)).collect();
        out.extend(signed.iter().map(|s| (-s).max(0.0)));
        out
    }

    /// `(L, L_high, γ, error)` of the mixture `q` (indexed like the stored `h`).
    fn eval(&self, q: &[f64], lambda: &[f64]) -> (f64, f64, Vec<f64>, f64) {
        let kk = 2 * self.k();
        let mut error = 0.0;
        let mut gamma = vec![0.0; kk];
        for (j, &w) in q.iter().enumerate() {
            error += self.errors[j] * w;
            for (g, hg) in gamma.iter_mut().zip(&self.gammas[j]) {
                *g += hg * w;
            }
        }
        let lp = self.project(lambda);
        let l = error
            + lp.iter()
                .zip(&gamma)
                .map(|(l, g)| l * (g - self.bound))
                .sum::<f64>();
        let max_c = gamma
            .iter()
            .map(|g| g - self.bound)
            .fold(f64::NEG_INFINITY, f64::max);
        let l_high = error + if max_c > 0.0 { self.b * max_c } else { 0.0 };
        (l, l_high, gamma, error)
    }

    fn eval_gap(&mut self, q: &[f64], lambda_hat: &[f64], nu: f64) -> Result<Gap, MitigateError> {
        let (l, l_high, _, _) = self.eval(q, lambda_hat);
        let mut r = Gap {
            l,
            l_low: l,
            l_high,
        };
        for mul in [1.0, 2.0, 5.0, 10.0] {
            let scaled: Vec<f64> = lambda_hat.iter().map(|v| v * mul).collect();
            let j = self.best_h(&scaled)?;
            let mut one = vec![0.0; self.hs.len()];
            one[j] = 1.0;
            let (low, _, _, _) = self.eval(&one, lambda_hat);
            if low < r.l_low {
                r.l_low = low;
            }
            if r.gap() > nu + PRECISION {
                break;
            }
        }
        Ok(r)
    }

    fn solve_linprog(&mut self, nu: f64) -> Result<(Vec<f64>, Vec<f64>, Gap), MitigateError> {
        let n_hs = self.hs.len();
        if let Some((n, q, l, g)) = &self.last_lp {
            if *n == n_hs {
                return Ok((q.clone(), l.clone(), g.clone()));
            }
        }
        let kk = 2 * self.k();
        let mut c = self.errors.clone();
        c.push(self.b);
        let a_ub: Vec<Vec<f64>> = (0..kk)
            .map(|k| {
                let mut row: Vec<f64> = (0..n_hs).map(|j| self.gammas[j][k] - self.bound).collect();
                row.push(-1.0);
                row
            })
            .collect();
        let mut eq = vec![1.0; n_hs];
        eq.push(0.0);
        let failed = |what: &str| {
            MitigateError::Data(format!(
                "the exponentiated gradient's {what} LP has no optimum"
            ))
        };
        let q = match lp::solve(
            &c,
            &a_ub,
            &vec![0.0; kk],
            &[eq],
            &[1.0],
            &vec![Bound::NonNegative; n_hs + 1],
        ) {
            Outcome::Optimal { x, .. } => x[..n_hs].to_vec(),
            _ => return Err(failed("primal")),
        };
        let mut dc = vec![0.0; kk];
        dc.push(-1.0);
        let mut da: Vec<Vec<f64>> = (0..n_hs)
            .map(|j| {
                let mut row: Vec<f64> =
                    (0..kk).map(|k| -(self.gammas[j][k] - self.bound)).collect();
                row.push(1.0);
                row
            })
            .collect();
        let mut last = vec![1.0; kk];
        last.push(0.0);
        da.push(last);
        let mut bounds = vec![Bound::NonNegative; kk];
        bounds.push(Bound::Free);
        let lambda = match lp::solve(&dc, &da, &c, &[], &[], &bounds) {
            Outcome::Optimal { x, .. } => x[..kk].to_vec(),
            _ => return Err(failed("dual")),
        };
        let gap = self.eval_gap(&q, &lambda, nu)?;
        self.last_lp = Some((n_hs, q.clone(), lambda.clone(), gap.clone()));
        Ok((q, lambda, gap))
    }
}

/// Fits Fairlearn's exponentiated gradient on `rows` of `table` (loaded with `spec`: label,
/// features, the protected attributes of `params.by`): the design transform as `train` fits
/// it on those rows, each best response a logistic model with `train`'s C. `progress` is
/// called after each iteration with (iteration, most iterations).
pub fn exponentiated_gradient(
    table: &Table,
    spec: &DataSpec,
    train: &Checked<TrainParams>,
    rows: &[usize],
    params: &Checked<EgParams>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<EgResult, MitigateError> {
    let (y_all, m) = Moments::load(
        table,
        &params.by,
        rows,
        params.constraint,
        "the exponentiated gradient",
    )?;
    let cols = features(table)?;
    let encoder = Encoder::fit(
        &cols,
        Some(rows),
        spec.missing_numeric.unwrap_or_default(),
        train.max_levels,
    )?;
    let x: Array2<f64> = encoder.transform(&cols, Some(rows))?.x;
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for e in 0..m.events.len() {
        for a in 0..m.groups.len() {
            if m.p_ea[e][a] > 0.0 {
                pairs.push((e, a));
            }
        }
    }
    pairs.sort_by(|p, q| (m.events[p.0], &m.groups[p.1]).cmp(&(m.events[q.0], &m.groups[q.1])));
    let y: Vec<bool> = rows.iter().map(|&r| y_all[r]).collect();
    let n = y.len() as f64;
    let mut lag = Lagrangian {
        x: x.view(),
        y,
        m,
        pairs,
        b: 1.0 / params.eps,
        bound: params.difference_bound,
        c: train.c,
        hs: Vec::new(),
        errors: Vec::new(),
        gammas: Vec::new(),
        oracle_calls: 0,
        last_lp: None,
        last_fit: None,
    };
    let kk = 2 * lag.k();
    let b = lag.b;
    let mut theta: Vec<f64> = vec![0.0; kk];
    let mut qsum: Vec<f64> = Vec::new();
    let (mut gaps_eg, mut gaps, mut qs): (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut last_checked = 5.0;
    let mut last_gap = f64::INFINITY;
    let mut lambda_sum = vec![0.0; kk];
    let mut nu = 0.0;
    let mut eta = 0.0;
    for t in 0..params.max_iter {
        let ex: Vec<f64> = theta.iter().map(|v| v.exp()).collect();
        let denom = 1.0 + ex.iter().sum::<f64>();
        let lambda: Vec<f64> = ex.iter().map(|v| b * v / denom).collect();
        lambda_sum
            .iter_mut()
            .zip(&lambda)
            .for_each(|(s, l)| *s += l);
        let lambda_eg: Vec<f64> = lambda_sum.iter().map(|s| s / (t + 1) as f64).collect();
        let h = lag.best_h(&lambda)?;
        if t == 0 {
            let pred = lag.hs[h].predict(lag.x);
            let d: Vec<f64> = pred
                .iter()
                .zip(&lag.y)
                .map(|(a, b)| if a == b { 0.0 } else { 1.0 })
                .collect();
            let mean = d.iter().sum::<f64>() / n;
            let var = d.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
            nu = 0.5 * var.sqrt() / n.sqrt();
            eta = params.eta0 / b;
        }
        if qsum.len() < lag.hs.len() {
            qsum.resize(lag.hs.len(), 0.0);
        }
        qsum[h] += 1.0;
        let gamma = lag.gammas[h].clone();
        let total: f64 = qsum.iter().sum();
        let q_eg: Vec<f64> = qsum.iter().map(|v| v / total).collect();
        let gap_eg = lag.eval_gap(&q_eg, &lambda_eg, nu)?.gap();
        gaps_eg.push(gap_eg);
        let (q_lp, gap_lp) = if t == 0 {
            (Vec::new(), f64::INFINITY)
        } else {
            let (q, _, g) = lag.solve_linprog(nu)?;
            (q, g.gap())
        };
        if gap_eg < gap_lp {
            qs.push(q_eg);
            gaps.push(gap_eg);
        } else {
            qs.push(q_lp);
            gaps.push(gap_lp);
        }
        progress(t + 1, params.max_iter);
        if gaps[t] < nu && t >= 5 {
            break;
        }
        if t as f64 >= last_checked * 1.6 {
            let best = gaps_eg.iter().copied().fold(f64::INFINITY, f64::min);
            if best > last_gap * 0.8 {
                eta *= 0.8;
            }
            last_checked = t as f64;
            last_gap = best;
        }
        for (th, g) in theta.iter_mut().zip(&gamma) {
            *th += eta * (g - lag.bound);
        }
    }
    let min = gaps.iter().copied().fold(f64::INFINITY, f64::min);
    let best_iter = gaps
        .iter()
        .rposition(|&g| g <= min + PRECISION)
        .unwrap_or(0);
    let mut weights = qs[best_iter].clone();
    weights.resize(lag.hs.len(), 0.0);
    Ok(EgResult {
        encoder,
        components: lag.hs,
        weights,
        best_iter,
        last_iter: gaps.len() - 1,
        best_gap: gaps[best_iter],
        nu,
        oracle_calls: lag.oracle_calls,
    })
}

/// Makes `model` (trained on `split` of `table` with the same transform) the mixture `r`:
/// its score becomes the mixture's expected P(positive), its decisions draws with `seed`, and
/// its training and validation scores are recomputed for the mixture. The unconstrained
/// model's coefficients stay, for reference.
pub fn into_model(
    model: &mut crate::train::Model,
    r: &EgResult,
    params: &EgParams,
    seed: u64,
    table: &Table,
    split: &crate::train::RowSplit,
) -> Result<(), MitigateError> {
    if model.encoder.as_ref() != Some(&r.encoder) {
        return Err(MitigateError::Data(
            "the mixture's design differs from the model's (train and the exponentiated gradient must see the same training rows)".into(),
        ));
    }
    let components = r
        .components
        .iter()
        .zip(&r.weights)
        .filter(|(_, &w)| w > 0.0)
        .map(|(c, &w)| crate::train::MixtureComponent {
            weight: w,
            constant: c.constant,
            coefficients: c.coef.clone(),
            intercept: c.intercept,
        })
        .collect::<Vec<_>>();
    let total: f64 = components.iter().map(|c| c.weight).sum();
    let components = components
        .into_iter()
        .map(|c| crate::train::MixtureComponent {
            weight: c.weight / total,
            ..c
        })
        .collect();
    model.mixture = Some(crate::train::Mixture {
        method: "exponentiated-gradient".into(),
        by: params.by.clone(),
        constraint: params.constraint.name().into(),
        difference_bound: params.difference_bound,
        eps: params.eps,
        seed,
        components,
    });
    let y = table
        .label()
        .ok_or(MitigateError::MissingRole(Role::Label))?;
    let scores = |rows: &[usize]| -> Result<Option<crate::train::Scores>, MitigateError> {
        if rows.is_empty() {
            return Ok(None);
        }
        let p = r.probability(table, rows)?;
        let yr: Vec<bool> = rows.iter().map(|&i| y[i]).collect();
        Ok(crate::train::Scores::of(&p, &yr))
    };
    model.train_scores = scores(&split.training)?;
    model.validation = scores(&split.validation)?;
    Ok(())
}
