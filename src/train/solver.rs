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
//! column unpenalised), with `p = σ(z)`. Each iteration takes one pass over the rows that
//! computes the objective, the gradient and the Hessian together (the Hessian by blocked
//! matrix products), solves the Newton system by Cholesky, and halves the step until the
//! objective decreases enough (Armijo). It stops when the largest step is below the
//! tolerance. Rows are cut into a fixed number of stripes summed in a fixed order, so the
//! result is the same bit for bit whatever the number of threads.

use ndarray::{linalg::general_mat_mul, s, Array1, Array2, ArrayView2, Axis};

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
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            c: 1.0,
            fit_intercept: true,
            tolerance: 1e-10,
            max_iterations: 100,
            threads: 0,
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
    /// The Hessian at the solution (intercept last), for standard errors.
    pub hessian: Array2<f64>,
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

/// log(1 + exp(z)) without overflow.
fn log1p_exp(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Rows per block of the Hessian's matrix products.
const BLOCK: usize = 2048;
/// Stripes the rows are cut into; fixed, so sums do not depend on the thread count.
const STRIPES: usize = 32;

/// Objective, gradient and Hessian at one point.
struct Eval {
    objective: f64,
    gradient: Array1<f64>,
    hessian: Array2<f64>,
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
        return Err(TrainError::InvalidParam(format!(
            "--c: expected a positive number, found {}",
            params.c
        )));
    }
    let threads = match params.threads {
        0 => std::thread::available_parallelism().map_or(1, |t| t.get()),
        t => t,
    };
    let dim = p + usize::from(params.fit_intercept);
    let mut beta = Array1::<f64>::zeros(dim);
    let mut at = evaluate(x, y, weights, &beta, params, threads);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < params.max_iterations {
        iterations += 1;
        let step = solve(&at.hessian, &at.gradient).ok_or_else(|| {
            TrainError::Singular(
                "the Hessian is singular: a feature is constant or duplicates others, or the classes are perfectly separated without regularisation".into(),
            )
        })?;
        let slope = -at.gradient.dot(&step);
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let candidate = &beta - &(&step * t);
            let next = evaluate(x, y, weights, &candidate, params, threads);
            if next.objective <= at.objective + 1e-4 * t * slope || t * max_abs(&step) < 1e-15 {
                accepted = Some((candidate, next));
                break;
            }
            t *= 0.5;
        }
        let Some((candidate, next)) = accepted else {
            break;
        };
        let moved = t * max_abs(&step);
        beta = candidate;
        at = next;
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
        hessian: at.hessian,
    })
}

/// The largest gradient component, the objective and the Hessian at `beta` (coefficients,
/// then the intercept when `params.fit_intercept`).
pub(crate) fn evaluate_at(
    x: ArrayView2<f64>,
    y: &[bool],
    weights: Option<&[f64]>,
    beta: &Array1<f64>,
    params: &LogisticParams,
) -> (f64, f64, Array2<f64>) {
    let e = evaluate(x, y, weights, beta, params, 1);
    (max_abs(&e.gradient), e.objective, e.hessian)
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
                        (i, stripe(x, y, weights, beta, params, a, b))
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
        hessian: Array2::zeros((dim, dim)),
    };
    for (i, part) in parts.into_iter().enumerate() {
        let e = part.unwrap_or_else(|| {
            let (a, b) = stripes[i];
            stripe(x, y, weights, beta, params, a, b)
        });
        total.objective += e.objective;
        total.gradient += &e.gradient;
        total.hessian += &e.hessian;
    }
    // The penalty on the coefficients (not the intercept).
    if params.c.is_finite() {
        let p = x.ncols();
        let w = beta.slice(s![..p]);
        total.objective += w.dot(&w) / (2.0 * params.c);
        for j in 0..p {
            total.gradient[j] += w[j] / params.c;
            total.hessian[[j, j]] += 1.0 / params.c;
        }
    }
    total
}

/// The loss part of objective, gradient and Hessian over rows `a..b`.
fn stripe(
    x: ArrayView2<f64>,
    y: &[bool],
    weights: Option<&[f64]>,
    beta: &Array1<f64>,
    params: &LogisticParams,
    a: usize,
    b: usize,
) -> Eval {
    let p = x.ncols();
    let dim = beta.len();
    let coef = beta.slice(s![..p]);
    let b0 = if params.fit_intercept { beta[p] } else { 0.0 };
    let mut objective = 0.0;
    let mut gradient = Array1::<f64>::zeros(dim);
    let mut hessian = Array2::<f64>::zeros((dim, dim));
    let mut scaled = Array2::<f64>::zeros((BLOCK, dim));
    let mut start = a;
    while start < b {
        let end = (start + BLOCK).min(b);
        let rows = end - start;
        let xb = x.slice(s![start..end, ..]);
        let z = xb.dot(&coef);
        let mut resid = Array1::<f64>::zeros(rows);
        let mut block = scaled.slice_mut(s![..rows, ..]);
        for (k, (row, mut out)) in xb
            .axis_iter(Axis(0))
            .zip(block.axis_iter_mut(Axis(0)))
            .enumerate()
        {
            let i = start + k;
            let zi = z[k] + b0;
            let s_i = weights.map_or(1.0, |w| w[i]);
            let yi = if y[i] { 1.0 } else { 0.0 };
            let pi = sigmoid(zi);
            objective += s_i * (log1p_exp(zi) - yi * zi);
            resid[k] = s_i * (pi - yi);
            let root = (s_i * pi * (1.0 - pi)).sqrt();
            for j in 0..p {
                out[j] = row[j] * root;
            }
            if params.fit_intercept {
                out[p] = root;
            }
        }
        let g = xb.t().dot(&resid);
        gradient.slice_mut(s![..p]).zip_mut_with(&g, |a, b| *a += b);
        if params.fit_intercept {
            gradient[p] += resid.sum();
        }
        let block = scaled.slice(s![..rows, ..]);
        general_mat_mul(1.0, &block.t(), &block, 1.0, &mut hessian);
        start = end;
    }
    Eval {
        objective,
        gradient,
        hessian,
    }
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
