//! Reductions (Agarwal et al. 2018): fairness constraints as weighted classification, as
//! Fairlearn's `GridSearch`: one ordinary logistic model, fitted with the weighted Newton
//! solver on relabelled rows, chosen from a grid of Lagrange multipliers. Deterministic; the
//! protected attribute is used at training only.
//!
//! **Moments** (Fairlearn's `UtilityParity`, difference form): events `e` (demographic
//! parity: one event, every row; TPR parity: `y = 1`; FPR parity: `y = 0`; equalized odds:
//! both) and groups `a`. With `P(e) = n_e / n` and `P(e, a) = n_ea / n` over the rows,
//!
//! `U_i(+, e, a) = 1[e_i = e] / P(e) − 1[e_i = e, a_i = a] / P(e, a)`, `U_i(−, e, a) = −U_i(+, e, a)`;
//!
//! `γ(+, e, a) = E[h | e, a] − E[h | e]` and `γ(−, e, a) = −γ(+, e, a)` for a classifier `h`.
//!
//! **Grid** (`_GridGenerator`): a basis of one column per (event, group) for every event in
//! order of first appearance and every group in order of first appearance but the last; with
//! `d` basis columns, `n_units = max(0, ⌊(grid_size / 2^d)^(1/d) − 1⌋)`, raised by one until the
//! integer vectors of L1 norm at most `n_units` (enumerated lexicographically, each coordinate
//! from `−m` to `m` where `m` is what the earlier coordinates left) number at least
//! `grid_size`; the first `grid_size` of them, times `grid_limit / n_units`, are the points; a
//! coordinate `c` sets `λ(+, e, a) = max(c, 0)` and `λ(−, e, a) = max(−c, 0)`.
//!
//! **Fits**: per point, the signed weight of row `i` is `w_i = Σ_k λ_k U_i(k) + (2 y_i − 1)`
//! (the constraint's weights plus the error rate's); the row is relabelled `ỹ_i = 1[w_i > 0]`
//! and weighted `|w_i|` (not normalised), and a logistic model is fitted with those weights
//! (a constant classifier when every `ỹ` is the same). Its hard predictions
//! `h_i = 1[p_i > 0.5]` give the error `Σ |y_i − h_i| / n` and `max_k γ_k`; the chosen model is
//! the first minimising `(1 − w) · error + w · max γ`, `w` the constraint weight (0.5).
//!
//! Deviations: none in the arithmetic; rows with a prior weight are refused (Fairlearn's
//! moments take none), and the chosen model decides `p >= threshold` like every fairgate
//! model.

use serde::{Deserialize, Serialize};

use super::{Constraint, Grouping, MitigateError};
use crate::data::{Column, ColumnKind, ColumnValues, DataSpec, Role, Table};
use crate::params::{Checked, InvalidParam};
use crate::train::{table_scores, train_with_split, Model, TrainParams};

/// Settings of [`grid_search`].
#[derive(Clone, Debug)]
pub struct GridSearchParams {
    /// The protected attributes whose groups (their intersection when several) are
    /// constrained.
    pub by: Vec<String>,
    /// Demographic parity, TPR parity, FPR parity or equalized odds.
    pub constraint: Constraint,
    /// Grid points. Defaults to 10, as Fairlearn.
    pub grid_size: usize,
    /// The largest multiplier. Defaults to 2, as Fairlearn.
    pub grid_limit: f64,
    /// The weight of the constraint in the selection loss, in [0, 1]. Defaults to 0.5.
    pub constraint_weight: f64,
}

impl Default for GridSearchParams {
    fn default() -> Self {
        GridSearchParams {
            by: Vec::new(),
            constraint: Constraint::DemographicParity,
            grid_size: 10,
            grid_limit: 2.0,
            constraint_weight: 0.5,
        }
    }
}

impl GridSearchParams {
    /// Checks the constraint (one Fairlearn's reductions support), the grid and the weight.
    pub fn check(self) -> Result<Checked<GridSearchParams>, MitigateError> {
        if matches!(
            self.constraint,
            Constraint::TrueNegativeRateParity | Constraint::FalseNegativeRateParity
        ) {
            return Err(InvalidParam::new(
                "constraint",
                "demographic_parity, true_positive_rate_parity, false_positive_rate_parity or equalized_odds (the reductions' moments)",
                self.constraint.name(),
            )
            .into());
        }
        if self.grid_size < 2 {
            return Err(
                InvalidParam::new("grid_size", "at least 2", self.grid_size.to_string()).into(),
            );
        }
        if !(self.grid_limit > 0.0 && self.grid_limit.is_finite()) {
            return Err(InvalidParam::new(
                "grid_limit",
                "a positive number",
                self.grid_limit.to_string(),
            )
            .into());
        }
        if !(0.0..=1.0).contains(&self.constraint_weight) {
            return Err(InvalidParam::new(
                "constraint_weight",
                "a number in [0, 1]",
                self.constraint_weight.to_string(),
            )
            .into());
        }
        Ok(Checked::after_check(self))
    }
}

pub use crate::train::Multiplier;

/// One grid point's fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridPoint {
    /// Its nonzero multipliers.
    pub lambda: Vec<Multiplier>,
    /// Error rate of the hard predictions on the rows.
    pub error: f64,
    /// Largest constraint violation `max γ`.
    pub gamma_max: f64,
    /// The selection loss.
    pub loss: f64,
    /// Whether every relabelled row had the same label (a constant classifier).
    pub constant: Option<bool>,
}

/// Makes `model` (trained on `split` of `table`, the same transform) the grid search's chosen
/// model: its coefficients and intercept, the fit record, the grid search recorded in its
/// options, and its training and validation scores recomputed. A constant classifier cannot
/// be a logistic model: an error.
pub fn into_model(
    model: &mut Model,
    r: &GridSearchResult,
    params: &GridSearchParams,
    table: &Table,
    split: &crate::train::RowSplit,
) -> Result<(), MitigateError> {
    let chosen = r.model.as_ref().ok_or_else(|| {
        MitigateError::Data(format!(
            "the grid search chose a constant classifier (point {}: every relabelled row had the same label), which is no logistic model",
            r.best
        ))
    })?;
    if chosen.encoder != model.encoder {
        return Err(MitigateError::Data(
            "the grid search's design differs from the model's (both must see the same training rows)".into(),
        ));
    }
    model.coefficients = chosen.coefficients.clone();
    model.intercept = chosen.intercept;
    model.fit = chosen.fit.clone();
    model.options.grid_search = Some(crate::train::GridSearchRecord {
        by: params.by.clone(),
        constraint: params.constraint.name().into(),
        grid_size: params.grid_size,
        grid_limit: params.grid_limit,
        constraint_weight: params.constraint_weight,
        chosen: r.best,
        multipliers: r.points[r.best].lambda.clone(),
    });
    let p = table_scores(model, table)?;
    let y = table
        .label()
        .ok_or(MitigateError::MissingRole(Role::Label))?;
    let scores = |rows: &[usize]| {
        let pr: Vec<f64> = rows.iter().map(|&i| p[i]).collect();
        let yr: Vec<bool> = rows.iter().map(|&i| y[i]).collect();
        crate::train::Scores::of(&pr, &yr)
    };
    model.train_scores = scores(&split.training);
    model.validation = if split.validation.is_empty() {
        None
    } else {
        scores(&split.validation)
    };
    Ok(())
}

/// The grid search's result.
#[derive(Clone, Debug)]
pub struct GridSearchResult {
    /// Every point, in grid order.
    pub points: Vec<GridPoint>,
    /// The chosen point.
    pub best: usize,
    /// The chosen model (`None` when it is a constant classifier).
    pub model: Option<Model>,
    /// The chosen classifier's P(positive) for every row of the table.
    pub scores: Vec<f64>,
}

/// The events of a constraint for a label.
fn event_of(c: Constraint, y: bool) -> Option<&'static str> {
    match (c, y) {
        (Constraint::DemographicParity, _) => Some("all"),
        (Constraint::TruePositiveRateParity, true) | (Constraint::EqualizedOdds, true) => {
            Some("label=1")
        }
        (Constraint::FalsePositiveRateParity, false) | (Constraint::EqualizedOdds, false) => {
            Some("label=0")
        }
        _ => None,
    }
}

/// The moments of the rows: each row's event and group, and the probabilities.
pub(super) struct Moments {
    /// Events in order of first appearance.
    pub(super) events: Vec<&'static str>,
    /// Groups in order of first appearance (names).
    pub(super) groups: Vec<String>,
    /// Each row's event index.
    pub(super) event: Vec<Option<usize>>,
    /// Each row's group index.
    pub(super) group: Vec<usize>,
    /// P(e).
    pub(super) p_e: Vec<f64>,
    /// P(e, a), 0 when the pair has no row.
    pub(super) p_ea: Vec<Vec<f64>>,
    pub(super) n: f64,
}

impl Moments {
    pub(super) fn of(y: &[bool], grouping: &Grouping, rows: &[usize], c: Constraint) -> Moments {
        let mut events: Vec<&'static str> = Vec::new();
        let mut groups: Vec<usize> = Vec::new();
        let mut event = Vec::with_capacity(rows.len());
        let mut group = Vec::with_capacity(rows.len());
        for &r in rows {
            let g = grouping.of_row[r];
            let gi = groups.iter().position(|&x| x == g).unwrap_or_else(|| {
                groups.push(g);
                groups.len() - 1
            });
            group.push(gi);
            event.push(event_of(c, y[r]).map(|e| {
                events.iter().position(|&x| x == e).unwrap_or_else(|| {
                    events.push(e);
                    events.len() - 1
                })
            }));
        }
        let n = rows.len() as f64;
        let mut p_e = vec![0.0; events.len()];
        let mut p_ea = vec![vec![0.0; groups.len()]; events.len()];
        for (e, &g) in event.iter().zip(&group) {
            if let Some(e) = e {
                p_e[*e] += 1.0;
                p_ea[*e][g] += 1.0;
            }
        }
        p_e.iter_mut().for_each(|p| *p /= n);
        p_ea.iter_mut().flatten().for_each(|p| *p /= n);
        Moments {
            events,
            groups: groups.iter().map(|&g| grouping.name(g)).collect(),
            event,
            group,
            p_e,
            p_ea,
            n,
        }
    }

    /// The labels of every row of `table` and the moments of `rows` grouped by `by`, for
    /// the reduction named `what`: no row weights (Fairlearn's moments take none), two
    /// groups or more.
    pub(super) fn load(
        table: &Table,
        by: &[String],
        rows: &[usize],
        c: Constraint,
        what: &str,
    ) -> Result<(Vec<bool>, Moments), MitigateError> {
        if table.with_role(Role::Weight).next().is_some() {
            return Err(MitigateError::Data(format!(
                "{what} takes no row weights (Fairlearn's moments have none): leave out --weight"
            )));
        }
        let y = table
            .label()
            .ok_or(MitigateError::MissingRole(Role::Label))?;
        let grouping = Grouping::of(table, by)?;
        let m = Moments::of(&y, &grouping, rows, c);
        if m.groups.len() < 2 {
            return Err(MitigateError::Data(format!(
                "{what} needs two groups or more of {}; the rows have {}",
                by.join(" x "),
                m.groups.len()
            )));
        }
        Ok((y, m))
    }

    /// `U_i(+, e, a)`.
    pub(super) fn u(&self, i: usize, e: usize, a: usize) -> f64 {
        match self.event[i] {
            Some(ei) if ei == e => {
                let mut v = 1.0 / self.p_e[e];
                if self.group[i] == a {
                    v -= 1.0 / self.p_ea[e][a];
                }
                v
            }
            _ => 0.0,
        }
    }

    /// `max_k γ_k` of hard predictions `h` (one per row, in row order).
    fn gamma_max(&self, h: &[bool]) -> f64 {
        let mut max = f64::NEG_INFINITY;
        for e in 0..self.events.len() {
            // −(1/n) Σ_i U_i(+, e, a) h_i for each group present with the event.
            for a in 0..self.groups.len() {
                if self.p_ea[e][a] == 0.0 {
                    continue;
                }
                let s: f64 = (0..h.len())
                    .filter(|&i| h[i])
                    .map(|i| self.u(i, e, a))
                    .sum();
                let g = -s / self.n;
                max = max.max(g).max(-g);
            }
        }
        max
    }
}

/// The integer points of `_GridGenerator` (no forced L1 norm; negatives allowed).
fn integer_grid(dim: usize, grid_size: usize) -> (Vec<Vec<i64>>, i64) {
    fn accumulate(index: usize, max: i64, entry: &mut Vec<i64>, out: &mut Vec<Vec<i64>>) {
        if index == entry.len() {
            out.push(entry.clone());
            return;
        }
        for v in -max..=max {
            entry[index] = v;
            accumulate(index + 1, max - v.abs(), entry, out);
        }
    }
    let units = (grid_size as f64 / 2f64.powi(dim as i32)).powf(1.0 / dim as f64) - 1.0;
    let mut n_units = (units.floor() as i64).max(0);
    loop {
        let mut out = Vec::new();
        accumulate(0, n_units, &mut vec![0; dim], &mut out);
        if out.len() >= grid_size {
            out.truncate(grid_size);
            return (out, n_units);
        }
        n_units += 1;
    }
}

/// Fits Fairlearn's grid search on `rows` of `table` (loaded with `spec`: label, features,
/// the protected attributes of `params.by`), each fit as `train` says (on those rows only).
/// `progress` is called after each fit with (fits done, fits in all).
pub fn grid_search(
    table: &Table,
    spec: &DataSpec,
    train: &Checked<TrainParams>,
    rows: &[usize],
    params: &Checked<GridSearchParams>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<GridSearchResult, MitigateError> {
    let (y, m) = Moments::load(
        table,
        &params.by,
        rows,
        params.constraint,
        "the grid search",
    )?;
    // The basis: (event, group) for each event and every group but the last to appear.
    let basis: Vec<(usize, usize)> = (0..m.events.len())
        .flat_map(|e| (0..m.groups.len() - 1).map(move |a| (e, a)))
        .collect();
    let (grid, n_units) = integer_grid(basis.len(), params.grid_size);
    let scale = params.grid_limit / n_units.max(1) as f64;
    let fit_params = TrainParams {
        test_size: 0.0,
        cv: 0,
        reweigh: Vec::new(),
        ..TrainParams::clone(train)
    }
    .check()?;
    let keep: Vec<Role> = [
        Role::Score,
        Role::Prediction,
        Role::Id,
        Role::Protected,
        Role::Feature,
        Role::Consent,
        Role::Timestamp,
    ]
    .to_vec();
    let label_name = table
        .with_role(Role::Label)
        .next()
        .map_or_else(|| "label".to_string(), |c| c.name.clone());
    let mut points = Vec::with_capacity(grid.len());
    let mut fits: Vec<(Option<Model>, Option<bool>)> = Vec::with_capacity(grid.len());
    for (k, coefs) in grid.iter().enumerate() {
        // λ(+) − λ(−) per basis column; every other multiplier is 0.
        let lambda: Vec<f64> = coefs.iter().map(|&c| c as f64 * scale).collect();
        let mut relabel = Vec::with_capacity(rows.len());
        let mut weight = Vec::with_capacity(rows.len());
        for (i, &r) in rows.iter().enumerate() {
            let mut w = if y[r] { 1.0 } else { -1.0 };
            for (&(e, a), &l) in basis.iter().zip(&lambda) {
                if l != 0.0 && m.p_ea[e][a] > 0.0 {
                    w += l * m.u(i, e, a);
                }
            }
            relabel.push(Some(w > 0.0));
            weight.push(w.abs());
        }
        let constant = match (
            relabel.iter().all(|v| *v == Some(true)),
            relabel.iter().all(|v| *v == Some(false)),
        ) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        let (model, h): (Option<Model>, Vec<bool>) = match constant {
            Some(c) => (None, vec![c; rows.len()]),
            None => {
                let sub = table.subset(
                    rows,
                    &keep,
                    vec![
                        Column {
                            name: label_name.clone(),
                            role: Role::Label,
                            kind: ColumnKind::Boolean,
                            values: ColumnValues::Boolean(relabel),
                            levels: Vec::new(),
                        },
                        Column {
                            name: "reduction_weight".into(),
                            role: Role::Weight,
                            kind: ColumnKind::Numeric,
                            values: ColumnValues::Numeric(weight),
                            levels: Vec::new(),
                        },
                    ],
                );
                let (model, _) = train_with_split(&sub, spec, &fit_params)?;
                let p = table_scores(&model, &sub)?;
                (Some(model), p.iter().map(|&p| p > 0.5).collect())
            }
        };
        let error = rows.iter().zip(&h).filter(|(&r, &hi)| y[r] != hi).count() as f64 / m.n;
        let gamma_max = m.gamma_max(&h);
        let loss = (1.0 - params.constraint_weight) * error + params.constraint_weight * gamma_max;
        let mut multipliers = Vec::new();
        for (&(e, a), &l) in basis.iter().zip(&lambda) {
            if l != 0.0 && m.p_ea[e][a] > 0.0 {
                multipliers.push(Multiplier {
                    sign: if l > 0.0 { "+" } else { "-" }.into(),
                    event: m.events[e].into(),
                    group: m.groups[a].clone(),
                    value: l.abs(),
                });
            }
        }
        points.push(GridPoint {
            lambda: multipliers,
            error,
            gamma_max,
            loss,
            constant,
        });
        fits.push((model, constant));
        progress(k + 1, grid.len());
    }
    let best = points
        .iter()
        .enumerate()
        .fold(0, |b, (i, p)| if p.loss < points[b].loss { i } else { b });
    let (model, constant) = fits.swap_remove(best);
    let scores = match (&model, constant) {
        (Some(model), _) => table_scores(model, table)?,
        (None, c) => vec![if c == Some(true) { 1.0 } else { 0.0 }; table.n_rows()],
    };
    Ok(GridSearchResult {
        points,
        best,
        model,
        scores,
    })
}
