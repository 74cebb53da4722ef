//! L2-regularised logistic regression by Newton's method, with row weights.
//!
//! The objective is scikit-learn's `LogisticRegression(C=c)` (and linfa-logistic's with
//! `alpha = 1/c`):
//!
//! ```text
//! f(w, b) = Σ_i s_i · [log(1 + exp(z_i)) − y_i z_i] + ‖w‖² / (2c),   z_i = x_i·w + b
//! ```
//!
//! with row weights `s_i` (1 unless given) and the intercept `b` not penalised. Its gradient
//! is `Xᵀ s(p − y) + w/c` and its Hessian `Xᵀ diag(s p(1 − p)) X + I/c` (the intercept's row and
//! column unpenalised), with `p = σ(z)`. Each iteration solves the Newton system by Cholesky
//! and halves the step until the objective decreases enough (Armijo); one pass over the rows
//! computes the objective, gradient and Hessian at the full step together (the Hessian by
//! blocked matrix products). It stops when the largest step is below the tolerance. Rows are cut into a fixed number of stripes summed in a fixed order, so the
//! result is the same bit for bit whatever the number of threads.

use ndarray::{linalg::general_mat_mul, s, Array1, Array2, ArrayView2};

use super::TrainError;

/// Settings of [`fit_logistic`].
#[derive(Clone, Debug)]
pub struct LogisticParams {
    /// Inverse regularisation strength, scikit-learn's `C` (`f64::INFINITY`: none).
    pub c: f64,
    /// Fit an (unpenalised) intercept.
    pub fit_intercept: bool,
    /// Stop when the largest Newton step in any coefficient is below this.
    pub tolerance: f64,
    /// Most Newton iterations.
    pub max_iterations: usize,
    /// Worker threads (0: the machine's available parallelism).
    pub threads: usize,
    /// Where Newton starts: the coefficients then the intercept (a warm start from a nearby
    /// problem's solution); `None` or a wrong length: zero coefficients at the
    /// intercept-only optimum. The optimum does not depend on it (the objective is strictly
    /// convex); the iterations do.
    pub start: Option<Vec<f64>>,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            c: 1.0,
            fit_intercept: true,
            tolerance: 1e-10,
            max_iterations: 100,
            threads: 0,
            start: None,
        }
    }
}

/// A fitted logistic regression and how the fit went.
#[derive(Clone, Debug, PartialEq)]
pub struct LogisticFit {
    /// One coefficient per column of the design.
    pub coef: Array1<f64>,
    /// The intercept (0 without one).
    pub intercept: f64,
    /// Newton iterations taken.
    pub iterations: usize,
    /// Whether the step fell below the tolerance within the iteration limit.
    pub converged: bool,
    /// The largest absolute gradient component at the solution.
    pub gradient_max: f64,
    /// The objective at the solution.
    pub objective: f64,
    /// Hessian passes made.
    pub hessian_passes: usize,
}

impl LogisticFit {
    /// P(positive) for each row of `x`: σ(x·coef + intercept).
    pub fn predict(&self, x: ArrayView2<f64>) -> Array1<f64> {
        x.dot(&self.coef).mapv(|z| sigmoid(z + self.intercept))
    }
}

/// The logistic function, computed without overflow.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// σ(z) and log(1 + exp(z)) from one exponential, without overflow.
#[inline]
fn sigmoid_and_softplus(z: f64) -> (f64, f64) {
    let e = (-z.abs()).exp();
    let softplus = z.max(0.0) + (1.0 + e).ln();
    let p = if z >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    (p, softplus)
}

/// log(1 + exp(z)) without overflow: the same bits as [`sigmoid_and_softplus`]'s second value.
#[inline]
fn softplus(z: f64) -> f64 {
    // ln(1 + e) rather than ln_1p(e): half the cost, and the absolute error (below 1e-16
    // per row) is under the rounding of the objective's sum.
    z.max(0.0) + (1.0 + (-z.abs()).exp()).ln()
}

/// Stripes the rows are cut into; fixed, so sums do not depend on the thread count.
const STRIPES: usize = 32;

/// What a pass over the rows computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// The objective only (a line search's trial point).
    Objective,
    /// The objective, gradient and Hessian.
    Hessian,
}

/// Objective, gradient (empty with [`Need::Objective`]) and Hessian (with [`Need::Hessian`])
/// at one point.
struct Eval {
    objective: f64,
    gradient: Array1<f64>,
    hessian: Option<Array2<f64>>,
}

/// Fits the model to `x` (rows x features), labels `y` and optional row weights. Columns
/// should be on comparable scales (standardised) for a well-conditioned Hessian.
pub fn fit_logistic(
    x: ArrayView2<f64>,
    y: &[bool],
    weights: Option<&[f64]>,
    params: &LogisticParams,
) -> Result<LogisticFit, TrainError> {
    let (n, p) = x.dim();
    if y.len() != n || weights.is_some_and(|w| w.len() != n) {
        return Err(TrainError::Shape(format!(
            "{n} rows of features but {} labels{}",
            y.len(),
            weights.map_or(String::new(), |w| format!(" and {} weights", w.len()))
        )));
    }
    if n == 0 {
        return Err(TrainError::NoRows("no training rows".into()));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(TrainError::Shape(
            "the design has a missing or infinite value".into(),
        ));
    }
    if params.c.is_nan() || params.c <= 0.0 {
        return Err(crate::params::InvalidParam::new("c", "a positive number", params.c).into());
    }
    let threads = match params.threads {
        0 => std::thread::available_parallelism().map_or(1, |t| t.get()),
        t => t,
    };
    let dim = p + usize::from(params.fit_intercept);
    let mut beta = Array1::<f64>::zeros(dim);
    if params.fit_intercept {
        // Start at the intercept-only optimum: log-odds of the (weighted) positive share.
        let (mut pos, mut all) = (0.0, 0.0);
        for (i, &yi) in y.iter().enumerate() {
            let s_i = weights.map_or(1.0, |w| w[i]);
            all += s_i;
            if yi {
                pos += s_i;
            }
        }
        if pos > 0.0 && pos < all {
            beta[p] = (pos / (all - pos)).ln();
        }
    }
    if let Some(start) = params.start.as_ref().filter(|s| s.len() == dim) {
        beta = Array1::from(start.clone());
    }
    let eval =
        |beta: &Array1<f64>, need: Need| evaluate(x, y, weights, beta, params, threads, need);
    let mut at = eval(&beta, Need::Hessian);
    let mut hessian = at.hessian.take().unwrap_or_else(|| Array2::eye(dim));
    let mut hessian_passes = 1;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < params.max_iterations {
        iterations += 1;
        let step = solve(&hessian, &at.gradient).ok_or_else(|| {
            TrainError::Singular(
                "the Hessian is singular: a feature is constant or duplicates others, or the classes are perfectly separated without regularisation".into(),
            )
        })?;
        let slope = -at.gradient.dot(&step);
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let candidate = &beta - &(&step * t);
            // The full step is nearly always taken: its pass computes the gradient and
            // Hessian too; shorter steps are judged on the objective alone.
            let need = if t == 1.0 {
                Need::Hessian
            } else {
                Need::Objective
            };
            let next = eval(&candidate, need);
            hessian_passes += usize::from(need == Need::Hessian);
            if next.objective <= at.objective + 1e-4 * t * slope || t * max_abs(&step) < 1e-15 {
                accepted = Some((candidate, next, need));
                break;
            }
            t *= 0.5;
        }
        let Some((candidate, next, need)) = accepted else {
            break;
        };
        let moved = t * max_abs(&step);
        beta = candidate;
        // A damped step's pass had the objective only: one more pass at the accepted point
        // gives its gradient and Hessian (and the same objective, bit for bit).
        at = if need == Need::Hessian {
            next
        } else {
            hessian_passes += 1;
            eval(&beta, Need::Hessian)
        };
        if let Some(h) = at.hessian.take() {
            hessian = h;
        }
        if moved < params.tolerance {
            converged = true;
            break;
        }
    }
    let (coef, intercept) = if params.fit_intercept {
        (beta.slice(s![..p]).to_owned(), beta[p])
    } else {
        (beta, 0.0)
    };
    Ok(LogisticFit {
        coef,
        intercept,
        iterations,
        converged,
        gradient_max: max_abs(&at.gradient),
        objective: at.objective,
        hessian_passes,
    })
}

/// The largest gradient component, the objective and the Hessian (penalty included) at
/// `beta`: the coefficients, then the intercept when `params.fit_intercept`. The Hessian is
/// the Fisher information of the fit, for standard errors.
pub fn hessian_at(
    x: ArrayView2<f64>,
    y: &[bool],
    beta: &Array1<f64>,
    params: &LogisticParams,
) -> (f64, f64, Array2<f64>) {
    evaluate_at(x, y, None, beta, params)
}

/// [`hessian_at`] with row weights.
pub(crate) fn evaluate_at(
    x: ArrayView2<f64>,
    y: &[bool],
    weights: Option<&[f64]>,
    beta: &Array1<f64>,
    params: &LogisticParams,
) -> (f64, f64, Array2<f64>) {
    let e = evaluate(x, y, weights, beta, params, 1, Need::Hessian);
    let dim = beta.len();
    (
        max_abs(&e.gradient),
        e.objective,
        e.hessian.unwrap_or_else(|| Array2::zeros((dim, dim))),
    )
}

fn max_abs(v: &Array1<f64>) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// One pass: the stripes are shared among `threads` workers and summed in stripe order.
fn evaluate(
    x: ArrayView2<f64>,
    y: &[bool],
    weights: Option<&[f64]>,
    beta: &Array1<f64>,
    params: &LogisticParams,
    threads: usize,
    need: Need,
) -> Eval {
    let n = x.nrows();
    let dim = beta.len();
    let stripe_rows = n.div_ceil(STRIPES).max(1);
    let stripes: Vec<(usize, usize)> = (0..n)
        .step_by(stripe_rows)
        .map(|a| (a, (a + stripe_rows).min(n)))
        .collect();
    let workers = threads.clamp(1, stripes.len().max(1));
    let mut parts: Vec<Option<Eval>> = (0..stripes.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for w in 0..workers {
            let stripes = &stripes;
            handles.push(scope.spawn(move || {
                (w..stripes.len())
                    .step_by(workers)
                    .map(|i| {
                        let (a, b) = stripes[i];
                        (i, stripe(x, y, weights, beta, params, a, b, need))
                    })
                    .collect::<Vec<_>>()
            }));
        }
        for h in handles {
            // A worker cannot panic on valid shapes; if it did, its stripes stay None and
            // are re-done below on this thread.
            if let Ok(done) = h.join() {
                for (i, e) in done {
                    parts[i] = Some(e);
                }
            }
        }
    });
    let mut total = Eval {
        objective: 0.0,
        gradient: Array1::zeros(dim),
        hessian: (need == Need::Hessian).then(|| Array2::zeros((dim, dim))),
    };
    for (i, part) in parts.into_iter().enumerate() {
        let e = part.unwrap_or_else(|| {
            let (a, b) = stripes[i];
            stripe(x, y, weights, beta, params, a, b, need)
        });
        total.objective += e.objective;
        total.gradient += &e.gradient;
        if let (Some(t), Some(h)) = (total.hessian.as_mut(), e.hessian.as_ref()) {
            *t += h;
        }
    }
    // The penalty on the coefficients (not the intercept).
    if params.c.is_finite() {
        let p = x.ncols();
        let w = beta.slice(s![..p]);
        total.objective += w.dot(&w) / (2.0 * params.c);
        for j in 0..p {
            total.gradient[j] += w[j] / params.c;
            if let Some(h) = total.hessian.as_mut() {
                h[[j, j]] += 1.0 / params.c;
            }
        }
    }
    total
}

/// Rows per block of the Hessian's matrix product.
const BLOCK: usize = 1024;

/// The loss part of objective, gradient and Hessian (as `need` asks) over rows `a..b`.
/// Each row gives `z`, its loss term and its gradient term in one visit; the Hessian of a
/// block of rows is one matrix product of the rows scaled by `sqrt(s p (1 - p))`. An
/// objective-only pass computes the loss terms exactly as a full pass does (the same sum in
/// the same order, so the same bits), and nothing else.
#[allow(clippy::too_many_arguments)]
fn stripe(
    x: ArrayView2<f64>,
    y: &[bool],
    weights: Option<&[f64]>,
    beta: &Array1<f64>,
    params: &LogisticParams,
    a: usize,
    b: usize,
    need: Need,
) -> Eval {
    let p = x.ncols();
    let dim = beta.len();
    let with_hessian = need == Need::Hessian;
    let coef: Vec<f64> = beta.slice(s![..p]).to_vec();
    let b0 = if params.fit_intercept { beta[p] } else { 0.0 };
    let mut objective = 0.0;
    let mut gradient = vec![0.0; dim];
    let mut hessian = with_hessian.then(|| Array2::<f64>::zeros((dim, dim)));
    let mut scaled = Array2::<f64>::zeros((if with_hessian { BLOCK } else { 0 }, dim));
    let mut copy = vec![0.0; p];
    let mut start = a;
    while start < b {
        let end = (start + BLOCK).min(b);
        for i in start..end {
            let view = x.row(i);
            let row: &[f64] = match view.as_slice() {
                Some(r) => r,
                None => {
                    copy.iter_mut().zip(view.iter()).for_each(|(c, v)| *c = *v);
                    &copy
                }
            };
            let zi = dot(row, &coef) + b0;
            let s_i = weights.map_or(1.0, |w| w[i]);
            let yi = if y[i] { 1.0 } else { 0.0 };
            if !with_hessian {
                objective += s_i * (softplus(zi) - yi * zi);
                continue;
            }
            let (pi, softplus) = sigmoid_and_softplus(zi);
            objective += s_i * (softplus - yi * zi);
            let r = s_i * (pi - yi);
            gradient[..p]
                .iter_mut()
                .zip(row)
                .for_each(|(g, v)| *g += r * v);
            if params.fit_intercept {
                gradient[p] += r;
            }
            let root = (s_i * pi * (1.0 - pi)).sqrt();
            let mut out = scaled.row_mut(i - start);
            for j in 0..p {
                out[j] = row[j] * root;
            }
            if params.fit_intercept {
                out[p] = root;
            }
        }
        if let Some(h) = hessian.as_mut() {
            let block = scaled.slice(s![..end - start, ..]);
            general_mat_mul(1.0, &block.t(), &block, 1.0, h);
        }
        start = end;
    }
    Eval {
        objective,
        gradient: Array1::from(gradient),
        hessian,
    }
}

/// `Σ a_j b_j` with four independent accumulators (so it vectorises), in a fixed order.
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Solves `h · d = g` for a symmetric positive definite `h` by Cholesky; `None` when `h` is
/// not positive definite.
pub fn solve(h: &Array2<f64>, g: &Array1<f64>) -> Option<Array1<f64>> {
    let l = cholesky(h)?;
    let n = g.len();
    let mut z = Array1::<f64>::zeros(n);
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[[i, k]] * z[k]).sum();
        z[i] = (g[i] - s) / l[[i, i]];
    }
    let mut d = Array1::<f64>::zeros(n);
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[[k, i]] * d[k]).sum();
        d[i] = (z[i] - s) / l[[i, i]];
    }
    Some(d)
}

/// The lower Cholesky factor of a symmetric positive definite matrix.
pub fn cholesky(h: &Array2<f64>) -> Option<Array2<f64>> {
    let n = h.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    let scale = (0..n).fold(0.0f64, |m, i| m.max(h[[i, i]].abs()));
    for j in 0..n {
        let d = h[[j, j]] - (0..j).map(|k| l[[j, k]] * l[[j, k]]).sum::<f64>();
        if d.is_nan() || d <= scale * 1e-13 {
            return None;
        }
        let djj = d.sqrt();
        l[[j, j]] = djj;
        for i in j + 1..n {
            let s = h[[i, j]] - (0..j).map(|k| l[[i, k]] * l[[j, k]]).sum::<f64>();
            l[[i, j]] = s / djj;
        }
    }
    Some(l)
}

/// The inverse of a symmetric positive definite matrix (for standard errors).
pub fn inverse(h: &Array2<f64>) -> Option<Array2<f64>> {
    let n = h.nrows();
    let mut inv = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let mut e = Array1::<f64>::zeros(n);
        e[j] = 1.0;
        inv.column_mut(j).assign(&solve(h, &e)?);
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Axis;
    use rand::{Rng, SeedableRng};

    fn data(n: usize, p: usize, seed: u64) -> (Array2<f64>, Vec<bool>) {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        let x = Array2::from_shape_fn((n, p), |_| rng.gen::<f64>() * 2.0 - 1.0);
        let y = (0..n)
            .map(|i| {
                let z: f64 = (0..p).map(|j| x[[i, j]] * (j as f64 - 1.0)).sum::<f64>() - 0.3;
                rng.gen::<f64>() < sigmoid(z)
            })
            .collect();
        (x, y)
    }

    #[test]
    fn gradient_vanishes_and_threads_do_not_change_bits() -> Result<(), TrainError> {
        let (x, y) = data(5000, 4, 1);
        let one = fit_logistic(
            x.view(),
            &y,
            None,
            &LogisticParams {
                threads: 1,
                ..LogisticParams::default()
            },
        )?;
        let three = fit_logistic(
            x.view(),
            &y,
            None,
            &LogisticParams {
                threads: 3,
                ..LogisticParams::default()
            },
        )?;
        assert!(one.converged && one.iterations < 15, "{one:?}");
        assert!(one.gradient_max < 1e-8, "{}", one.gradient_max);
        assert_eq!(one, three);
        Ok(())
    }

    #[test]
    fn an_objective_pass_gives_the_full_pass_objective_bit_for_bit() {
        // The line search judges trial points by objective-only passes; the accepted point's
        // objective then comes from a full pass: the two must agree exactly.
        let (x, y) = data(3000, 5, 11);
        let w: Vec<f64> = (0..3000).map(|i| 0.25 + (i % 7) as f64 * 0.5).collect();
        let params = LogisticParams::default();
        for (k, weights) in [None, Some(&w[..])].into_iter().enumerate() {
            let beta = Array1::from_iter((0..6).map(|j| (j as f64 - 2.5) * 0.37 + k as f64));
            for threads in [1, 3] {
                let pass = |need| evaluate(x.view(), &y, weights, &beta, &params, threads, need);
                let (full, lean) = (pass(Need::Hessian), pass(Need::Objective));
                assert_eq!(full.objective.to_bits(), lean.objective.to_bits());
                assert!(full.hessian.is_some() && lean.hessian.is_none());
            }
        }
    }

    #[test]
    fn integer_weights_equal_repeated_rows() -> Result<(), TrainError> {
        let (x, y) = data(400, 3, 2);
        let w: Vec<f64> = (0..400).map(|i| (i % 3) as f64).collect();
        let mut rows = Vec::new();
        for i in 0..400 {
            for _ in 0..(i % 3) {
                rows.push(i);
            }
        }
        let xr = x.select(Axis(0), &rows);
        let yr: Vec<bool> = rows.iter().map(|&i| y[i]).collect();
        let params = LogisticParams::default();
        let a = fit_logistic(x.view(), &y, Some(&w), &params)?;
        let b = fit_logistic(xr.view(), &yr, None, &params)?;
        for (u, v) in a.coef.iter().zip(&b.coef) {
            assert!((u - v).abs() < 1e-9, "{u} vs {v}");
        }
        assert!((a.intercept - b.intercept).abs() < 1e-9);
        Ok(())
    }

    #[test]
    fn bad_inputs_are_errors() {
        let x = Array2::from_elem((3, 1), 1.0);
        let params = LogisticParams {
            c: f64::INFINITY,
            ..LogisticParams::default()
        };
        // A constant column duplicates the intercept: singular without a penalty.
        assert!(fit_logistic(x.view(), &[true, false, true], None, &params).is_err());
        assert!(fit_logistic(x.view(), &[true], None, &params).is_err());
        let nan = Array2::from_elem((2, 1), f64::NAN);
        assert!(fit_logistic(nan.view(), &[true, false], None, &params).is_err());
    }
}
