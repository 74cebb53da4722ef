//! Interval helpers shared by the metrics, the calibration curve and the tests: the normal
//! quantile for a confidence level and the Wilson score interval.

use statrs::distribution::{ContinuousCDF, Normal};

/// The normal quantile z for a two-sided interval at `confidence` (e.g. 1.96 at 0.95).
pub fn z_for(confidence: f64) -> f64 {
    Normal::standard().inverse_cdf(1.0 - (1.0 - confidence) / 2.0)
}

/// Wilson score interval for `k` successes in `n` trials:
/// `(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)` with p = k/n
/// (statsmodels `proportion_confint(method="wilson")`).
pub fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    wilson_p(k as f64 / n as f64, n as f64, z)
}

/// The Wilson interval for a proportion `p` observed on `n` (possibly effective) trials.
pub fn wilson_p(p: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    (center - half, center + half)
}
