//! linfa-logistic as the reference solver, and fairgate's Newton solver behind linfa's `Fit`
//! trait, so either can be used where linfa models are.
//!
//! Two properties of linfa-logistic 0.8 matter here:
//! - its loss is summed over rows, so scikit-learn's `C` is `1/alpha` exactly;
//! - its gradient tolerance is absolute (on the summed gradient), so it is scaled with the
//!   row count, and it labels as "positive" whichever class its ordering picks, so the sign
//!   is flipped when that is not the positive label.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ArrayView2};

use super::solver::{fit_logistic, LogisticFit, LogisticParams};
use super::TrainError;

/// Fits with linfa-logistic (L-BFGS), `alpha = 1/c`, a gradient tolerance of `1e-7 × n`
/// and at most 1000 iterations. Returns the coefficients of P(`y` = true).
pub fn fit_linfa(x: ArrayView2<f64>, y: &[bool], c: f64) -> Result<LogisticFit, TrainError> {
    let n = x.nrows();
    if y.len() != n {
        return Err(TrainError::Shape(format!(
            "{n} rows but {} labels",
            y.len()
        )));
    }
    let alpha = if c.is_finite() { 1.0 / c } else { 0.0 };
    let targets: Array1<bool> = y.iter().copied().collect();
    let dataset = Dataset::new(x.to_owned(), targets);
    let model = LogisticRegression::default()
        .alpha(alpha)
        .gradient_tolerance(1e-7 * n.max(1) as f64)
        .max_iterations(1000)
        .fit(&dataset)?;
    let flip = if model.labels().pos.class { 1.0 } else { -1.0 };
    let coef = model.params().mapv(|v| v * flip);
    let intercept = model.intercept() * flip;
    // Objective, gradient and Hessian at linfa's solution, from the same pass Newton uses.
    let at = LogisticParams {
        c,
        max_iterations: 0,
        ..LogisticParams::default()
    };
    let mut start = Array1::zeros(coef.len() + 1);
    start.slice_mut(ndarray::s![..coef.len()]).assign(&coef);
    start[coef.len()] = intercept;
    let state = super::solver::evaluate_at(x, y, None, &start, &at);
    Ok(LogisticFit {
        coef,
        intercept,
        iterations: 0,
        converged: false,
        gradient_max: state.0,
        objective: state.1,
        hessian_passes: 0,
    })
}

/// fairgate's Newton solver as a linfa algorithm: `params.fit(&dataset)` on a dataset of
/// features and boolean targets gives P(target = true).
impl Fit<Array2<f64>, Array1<bool>, TrainError> for LogisticParams {
    type Object = LogisticFit;

    fn fit(
        &self,
        dataset: &DatasetBase<Array2<f64>, Array1<bool>>,
    ) -> Result<LogisticFit, TrainError> {
        let y: Vec<bool> = dataset.targets().iter().copied().collect();
        fit_logistic(dataset.records().view(), &y, None, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn newton_agrees_with_linfa_both_label_orders() -> Result<(), TrainError> {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let x = Array2::from_shape_fn((3000, 3), |_| rng.gen::<f64>() * 2.0 - 1.0);
        // Mostly positives, then mostly negatives: linfa's "positive" class changes.
        for bias in [1.5, -1.5] {
            let y: Vec<bool> = (0..3000)
                .map(|i| {
                    let z = bias + x[[i, 0]] - 2.0 * x[[i, 1]] + 0.5 * x[[i, 2]];
                    rng.gen::<f64>() < super::super::solver::sigmoid(z)
                })
                .collect();
            let dataset = Dataset::new(x.clone(), y.iter().copied().collect::<Array1<bool>>());
            let newton = LogisticParams {
                c: 0.5,
                ..LogisticParams::default()
            }
            .fit(&dataset)?;
            let reference = fit_linfa(x.view(), &y, 0.5)?;
            for (a, b) in newton.coef.iter().zip(&reference.coef) {
                assert!((a - b).abs() < 1e-4, "bias {bias}: {a} vs {b}");
            }
            assert!((newton.intercept - reference.intercept).abs() < 1e-4);
            assert!(newton.intercept.signum() == bias.signum());
        }
        Ok(())
    }
}
