//! Calibration of scores within a segment, computed from its score histogram.
//!
//! Binning follows scikit-learn's `calibration_curve` exactly. Uniform edges are numpy's
//! `linspace(0, 1, K + 1)`: edge i is `i * (1 / K)` in f64, and the last edge is exactly 1, so
//! for K = 10 one edge is 0.30000000000000004. A score goes to the bin given by the number of
//! interior edges strictly below it (`searchsorted(edges[1:-1], s)`), so bins are right-closed:
//! [0, e1], (e1, e2], .... Quantile edges are numpy's linear-interpolation percentiles of the
//! segment's own scores, and use the same assignment rule.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::interval::wilson_p;
use super::scorelog::{LogCursor, ScoreLogs};
use super::stats::SegmentStats;
use super::value::{MetricValue, Undefined};

/// How scores are binned for reliability, ECE, MCE and Hosmer-Lemeshow.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case", tag = "strategy", content = "bins")]
pub enum Binning {
    /// K equal-width bins on [0, 1].
    Uniform(usize),
    /// K bins with edges at the segment's score quantiles.
    Quantile(usize),
}

impl Binning {
    /// Parses `10` (uniform) or `quantile:10`.
    pub fn parse(text: &str) -> Option<Binning> {
        match text.split_once(':') {
            Some(("quantile", k)) => k.trim().parse().ok().map(Binning::Quantile),
            Some(("uniform", k)) => k.trim().parse().ok().map(Binning::Uniform),
            None => text.trim().parse().ok().map(Binning::Uniform),
            _ => None,
        }
    }
}

impl Default for Binning {
    fn default() -> Self {
        Binning::Uniform(10)
    }
}

/// In words: `10 uniform` or `10 quantile`.
impl std::fmt::Display for Binning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Binning::Uniform(k) => write!(f, "{k} uniform"),
            Binning::Quantile(k) => write!(f, "{k} quantile"),
        }
    }
}

/// One bin of a reliability table.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ReliabilityBin {
    /// Lower edge.
    pub low: f64,
    /// Upper edge.
    pub high: f64,
    /// Rows in the bin.
    pub count: u64,
    /// Mean score in the bin (null when empty).
    pub mean_score: Option<f64>,
    /// Observed positive rate, with its Wilson interval (null when empty).
    pub observed: MetricValue,
}

/// The bin edges for a segment.
pub fn edges(binning: Binning, s: &SegmentStats) -> Vec<f64> {
    match binning {
        Binning::Uniform(k) => {
            let step = 1.0 / k as f64;
            let mut e: Vec<f64> = (0..=k).map(|i| i as f64 * step).collect();
            if let Some(last) = e.last_mut() {
                *last = 1.0;
            }
            e
        }
        Binning::Quantile(k) => {
            let step = 1.0 / k as f64;
            let mut qs: Vec<f64> = (0..=k).map(|i| i as f64 * step).collect();
            if let Some(last) = qs.last_mut() {
                *last = 1.0;
            }
            // scikit-learn calls np.percentile(s, q * 100), which divides by 100 again:
            // the round trip can move q by an ulp, and with it an edge.
            qs.iter()
                .map(|&q| percentile(s, q * 100.0 / 100.0))
                .collect()
        }
    }
}

/// numpy's `quantile(scores, q)` (over rows, unweighted) with its default linear method: virtual index (n - 1) q,
/// then its `_lerp`, from the histogram.
fn percentile(s: &SegmentStats, q: f64) -> f64 {
    let n: u64 = s.score_rows().map(|(_, c)| c).sum();
    if n == 0 {
        return f64::NAN;
    }
    let pos = q * (n - 1) as f64;
    let lo = pos.floor() as u64;
    let t = pos - lo as f64;
    let a = order_stat(s, lo);
    let b = order_stat(s, (lo + 1).min(n - 1));
    // numpy's _lerp: a + (b - a) t, computed from the nearer end.
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

/// numpy's `median` over rows (unweighted): the middle score, or the mean of the two middle
/// scores.
pub fn median(s: &SegmentStats) -> Option<f64> {
    let n: u64 = s.score_rows().map(|(_, c)| c).sum();
    if n == 0 {
        return None;
    }
    let (a, b) = (order_stat(s, (n - 1) / 2), order_stat(s, n / 2));
    Some((a + b) / 2.0)
}

/// The k-th smallest score (from 0).
fn order_stat(s: &SegmentStats, k: u64) -> f64 {
    let mut seen = 0;
    for (score, c) in s.score_rows() {
        seen += c;
        if seen > k {
            return score;
        }
    }
    f64::NAN
}

/// Bin index of a score: the number of interior edges strictly below it.
pub(crate) fn bin_of(edges: &[f64], score: f64) -> usize {
    let interior = &edges[1..edges.len() - 1];
    interior.partition_point(|&e| e < score)
}

/// A segment's bin edges and per-bin sums, computed once for ECE, MCE and Hosmer-Lemeshow.
pub struct Bins {
    edges: Vec<f64>,
    sums: BinSums,
}

impl Bins {
    /// Bins the segment's scores.
    pub fn new(binning: Binning, s: &SegmentStats) -> Bins {
        let edges = edges(binning, s);
        let sums = bin_sums(&edges, s);
        Bins { edges, sums }
    }
}

/// The bins of scores taken in ascending order: the same bin as [`bin_of`], found by moving
/// forward over the edges instead of a search per score.
pub(crate) struct BinCursor<'a> {
    edges: &'a [f64],
    at: usize,
}

impl<'a> BinCursor<'a> {
    /// A cursor over `edges` (at least two), at the first bin.
    pub(crate) fn new(edges: &'a [f64]) -> Self {
        BinCursor { edges, at: 0 }
    }

    /// The bin of `score`, which is not below any score asked before.
    #[inline]
    pub(crate) fn bin(&mut self, score: f64) -> usize {
        let interior = &self.edges[1..self.edges.len() - 1];
        while self.at < interior.len() && interior[self.at] < score {
            self.at += 1;
        }
        debug_assert_eq!(self.at, bin_of(self.edges, score));
        self.at
    }
}

/// Per-bin sums: rows, weight, squared weight, positive weight, weighted score sum.
struct BinSums {
    rows: Vec<u64>,
    w: Vec<f64>,
    w2: Vec<f64>,
    pos: Vec<f64>,
    score: Vec<f64>,
}

fn bin_sums(e: &[f64], s: &SegmentStats) -> BinSums {
    let k = e.len() - 1;
    let mut b = BinSums {
        rows: vec![0; k],
        w: vec![0.0; k],
        w2: vec![0.0; k],
        pos: vec![0.0; k],
        score: vec![0.0; k],
    };
    let mut cursor = BinCursor::new(e);
    for (score, c) in s.score_cells() {
        let i = cursor.bin(score);
        let w = c.weight[0] + c.weight[1];
        b.rows[i] += c.rows[0] + c.rows[1];
        b.w[i] += w;
        b.w2[i] += c.weight2;
        b.pos[i] += c.weight[1];
        b.score[i] += score * w;
    }
    b
}

/// The reliability table: every bin with its rows, (weighted) mean score and observed rate
/// with a Wilson interval on the bin's effective size.
pub fn reliability(bins: &Bins, z: f64) -> Vec<ReliabilityBin> {
    let Bins { edges: e, sums: b } = bins;
    (0..e.len() - 1)
        .map(|i| {
            let filled = b.rows[i] > 0 && b.w[i] > 0.0;
            let p = b.pos[i] / b.w[i];
            let n_eff = super::stats::Count {
                w: b.w[i],
                w2: b.w2[i],
            }
            .n_eff();
            ReliabilityBin {
                low: e[i],
                high: e[i + 1],
                count: b.rows[i],
                mean_score: filled.then(|| b.score[i] / b.w[i]),
                observed: if filled {
                    MetricValue::with_ci(p, wilson_p(p, n_eff, z))
                } else {
                    MetricValue::undefined(Undefined::EmptySegment)
                },
            }
        })
        .collect()
}

/// ECE = Σ over non-empty bins of (n_b / n) |mean score_b - observed_b|; MCE = the largest
/// |mean score_b - observed_b|. With weights, n_b is the bin's weight.
pub fn ece_mce(bins: &Bins) -> (MetricValue, MetricValue) {
    let b = &bins.sums;
    let n: f64 = b.w.iter().sum();
    if n <= 0.0 {
        let u = MetricValue::undefined(Undefined::NoScores);
        return (u, u);
    }
    let (mut ece, mut mce) = (0.0, 0.0f64);
    for i in 0..b.w.len() {
        if b.rows[i] > 0 && b.w[i] > 0.0 {
            let gap = (b.score[i] / b.w[i] - b.pos[i] / b.w[i]).abs();
            ece += b.w[i] / n * gap;
            mce = mce.max(gap);
        }
    }
    (MetricValue::of(ece), MetricValue::of(mce))
}

/// Hosmer-Lemeshow over the bins: H = Σ (O_b - E_b)² / (E_b (1 - E_b / n_b)), with O_b the
/// positives and E_b the sum of scores in bin b; p = 1 - F_chi2(H; G - 2) (the survival
/// function, so tiny p-values keep their precision), G the number of
/// bins used. Empty bins, and bins where E_b is 0 or n_b (no variance), are left out.
/// Undefined with fewer than 3 bins used. With weights, n_b, E_b and O_b are weighted sums and
/// H is multiplied by rows / Σw (the weights normalised to sum to the segment's row count),
/// so that H is on the scale of the sample, not of the weights' unit.
pub fn hosmer_lemeshow(bins: &Bins) -> (MetricValue, MetricValue) {
    let b = &bins.sums;
    let rows: f64 = b.rows.iter().map(|&r| r as f64).sum();
    let weight: f64 = b.w.iter().sum();
    // Exactly 1 unweighted (the weights are the row counts).
    let normalise = if weight > 0.0 { rows / weight } else { 1.0 };
    let (mut h, mut g) = (0.0, 0usize);
    for i in 0..b.w.len() {
        let (nb, eb, ob) = (b.w[i], b.score[i], b.pos[i]);
        if b.rows[i] == 0 || nb <= 0.0 {
            continue;
        }
        let var = eb * (1.0 - eb / nb);
        if var <= 0.0 {
            continue;
        }
        h += (ob - eb) * (ob - eb) / var;
        g += 1;
    }
    if g < 3 {
        let u = MetricValue::undefined(Undefined::TooFewBins);
        return (u, u);
    }
    let h = h * normalise;
    let p = ChiSquared::new((g - 2) as f64).map(|c| c.sf(h)).map_or(
        MetricValue::undefined(Undefined::TooFewBins),
        MetricValue::of,
    );
    (MetricValue::of(h), p)
}

/// Logistic recalibration: the maximum-likelihood fit of logit P(y = 1) = a + b logit(s'),
/// s' = s clipped to [ε, 1 - ε] (ε = f64::EPSILON), by Newton's method on the histogram
/// (statsmodels `Logit(y, [1, logit(s')])`). Returns (slope b, intercept a); undefined when
/// the fit does not exist (one class, one distinct score, or separation).
///
/// The first step starts from a = 0, b = 1, where the fitted probability is s' itself, so it
/// needs no `exp`. A step of 0.5 or more (far from the optimum, where a full Newton step can
/// overshoot and diverge) is halved until the log-likelihood does not fall. Newton's method
/// converges quadratically near the optimum: once a step δ_k is small (below 1e-6), the next
/// one is about C δ_k² with C ≈ δ_k / δ_(k-1)², and the fit stops when that predicted step,
/// δ_k³ / δ_(k-1)², is below 1e-16 (or when a step is below 1e-12): what is left is below the
/// resolution of the result. `logs` holds the logits of the
/// whole sample's scores (see [`ScoreLogs`]); without it they are computed here.
pub fn recalibration(s: &SegmentStats, logs: Option<&ScoreLogs>) -> (MetricValue, MetricValue) {
    let undefined = |r| (MetricValue::undefined(r), MetricValue::undefined(r));
    if !s.has_scores() {
        return undefined(Undefined::NoScores);
    }
    if s.positives().w <= 0.0 || s.negatives().w <= 0.0 {
        return undefined(Undefined::SingleClass);
    }
    let mut cursor = LogCursor::new(logs);
    // Per distinct score: logit(s'), weight, positive weight, s'.
    let data: Vec<[f64; 4]> = s
        .scores
        .iter()
        .map(|(key, c)| {
            let l = cursor.get(*key);
            [l.logit, c.weight[0] + c.weight[1], c.weight[1], l.clamped]
        })
        .collect();
    if separated(s, &data) {
        return undefined(Undefined::NotEstimable);
    }
    let (mut a, mut b) = (0.0f64, 1.0f64);
    let mut last_step = f64::INFINITY;
    for it in 0..200 {
        let [g0, g1, h00, h01, h11] = if it == 0 {
            newton_sums(&data, |_, p| p)
        } else {
            newton_sums(&data, |x, _| 1.0 / (1.0 + (-(a + b * x)).exp()))
        };
        let det = h00 * h11 - h01 * h01;
        if !(det.is_finite() && det > 1e-300) {
            return undefined(Undefined::NotEstimable);
        }
        let (mut da, mut db) = ((h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det);
        if da.abs().max(db.abs()) >= 0.5 {
            // Far from the optimum a full step can overshoot it and diverge: halve the step
            // until the log-likelihood does not fall.
            let before = log_likelihood(&data, a, b);
            let mut t = 1.0;
            while t > 1e-10 && log_likelihood(&data, a + t * da, b + t * db) < before {
                t *= 0.5;
            }
            (da, db) = (t * da, t * db);
        }
        a += da;
        b += db;
        if !(a.is_finite() && b.is_finite()) || a.abs() > 1e6 || b.abs() > 1e6 {
            return undefined(Undefined::NotEstimable);
        }
        let step = da.abs().max(db.abs());
        let converged =
            step < 1e-12 || (step < 1e-6 && step * step * step < 1e-16 * last_step * last_step);
        if converged {
            return (MetricValue::of(b), MetricValue::of(a));
        }
        last_step = step;
    }
    undefined(Undefined::NotEstimable)
}

/// Whether the classes are separated on the logit (completely or quasi-completely): some
/// threshold has every positive at or above it and every negative at or below it, or the
/// other way round. The maximum-likelihood fit then does not exist (its slope grows without
/// bound; Albert and Anderson, 1984); otherwise, with an intercept and one covariate, it does.
/// Newton's method cannot be trusted to notice: once every fitted probability rounds to 0 or
/// 1 the gradient is exactly zero and the iteration stands still at an arbitrary point.
/// `data` is the fit's (logit, weight, positive weight, s') per distinct score of `s`.
fn separated(s: &SegmentStats, data: &[[f64; 4]]) -> bool {
    let (mut neg, mut pos) = (
        (f64::INFINITY, f64::NEG_INFINITY),
        (f64::INFINITY, f64::NEG_INFINITY),
    );
    for ((_, c), &[x, ..]) in s.scores.iter().zip(data) {
        for (range, w) in [(&mut neg, c.weight[0]), (&mut pos, c.weight[1])] {
            if w > 0.0 {
                range.0 = range.0.min(x);
                range.1 = range.1.max(x);
            }
        }
    }
    // Overlap: a positive below the highest negative and a negative below the highest positive.
    !(pos.0 < neg.1 && neg.0 < pos.1)
}

/// The log-likelihood Σ y η - n ln(1 + e^η), η = a + b x, over `data` (logit x, weight n,
/// positive weight y, s').
fn log_likelihood(data: &[[f64; 4]], a: f64, b: f64) -> f64 {
    data.iter()
        .map(|&[x, n, y, _]| {
            let eta = a + b * x;
            // ln(1 + e^η) without overflow.
            let softplus = eta.max(0.0) + (-eta.abs()).exp().ln_1p();
            y * eta - n * softplus
        })
        .sum()
}

/// The gradient (g0, g1) and Hessian (h00, h01, h11) of the log-likelihood over `data`
/// (logit x, weight n, positive weight y, s'), with `prob(x, s')` the fitted probability.
#[inline(always)]
fn newton_sums(data: &[[f64; 4]], prob: impl Fn(f64, f64) -> f64) -> [f64; 5] {
    let (mut g0, mut g1, mut h00, mut h01, mut h11) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &[x, n, y, s] in data {
        let p = prob(x, s);
        let w = n * p * (1.0 - p);
        g0 += y - n * p;
        g1 += (y - n * p) * x;
        h00 += w;
        h01 += w * x;
        h11 += w * x * x;
    }
    [g0, g1, h00, h01, h11]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_edges_are_numpy_linspace() {
        let e = edges(Binning::Uniform(10), &SegmentStats::default());
        assert_eq!(e[3], 0.30000000000000004);
        assert_eq!(e[10], 1.0);
        // Right-closed bins: a score on an edge goes to the bin below it.
        assert_eq!(bin_of(&e, 0.0), 0);
        assert_eq!(bin_of(&e, 0.1), 0);
        assert_eq!(bin_of(&e, 0.3), 2); // 0.3 < 0.30000000000000004
        assert_eq!(bin_of(&e, 0.30000000000000004), 2);
        assert_eq!(bin_of(&e, 1.0), 9);
    }

    /// The early stop leaves the fit where Newton's method run to a standstill ends: a plain
    /// reference fit (exp in every step, started 0.01 away from the answer, stopped only when
    /// a step is below 1e-15 or after 200 steps) agrees to 1e-12 on random samples, calibrated
    /// and not (some far enough from calibration that an undamped fit from a = 0, b = 1
    /// diverges). Where the fit is undefined, the classes' scores must not overlap.
    #[test]
    fn stopping_early_gives_the_converged_fit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let mut separated = 0;
        for case in 0..300 {
            let mut s = SegmentStats::default();
            let (shift, tilt) = (rng.gen_range(-3.0..3.0), rng.gen_range(-1.0..4.0));
            let decimals = [2, 4, 6][case % 3];
            for _ in 0..rng.gen_range(50..3_000) {
                let x: f64 = rng.gen_range(-4.0..4.0);
                let score = 1.0 / (1.0 + (-x).exp());
                let score = (score * 10f64.powi(decimals)).round() / 10f64.powi(decimals);
                let p = 1.0 / (1.0 + (-(shift + tilt * x)).exp());
                let weight = if case % 2 == 0 {
                    1.0
                } else {
                    rng.gen_range(0.1..3.0)
                };
                s.add(Some(score), score >= 0.5, rng.gen::<f64>() < p, weight);
            }
            let (slope, intercept) = recalibration(&s, None);
            let (Some(slope), Some(intercept)) = (slope.value, intercept.value) else {
                // The fit exists unless the classes' scores do not overlap (separation).
                let range = |label: usize| {
                    let seen = s.score_cells().filter(|(_, c)| c.rows[label] > 0);
                    let scores: Vec<f64> = seen.map(|(sc, _)| sc).collect();
                    (scores[0], scores[scores.len() - 1])
                };
                let ((lo0, hi0), (lo1, hi1)) = (range(0), range(1));
                assert!(!(lo1 < hi0 && lo0 < hi1), "case {case}: {slope:?}");
                separated += 1;
                continue;
            };
            // The same sums as the fit (the oracle goldens check those against statsmodels);
            // what differs is the iteration: exp in every step, no damping, no early stop.
            let data: Vec<[f64; 4]> = s
                .score_weights()
                .map(|(sc, [w0, w1])| {
                    let p = sc.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
                    [(p / (1.0 - p)).ln(), w0 + w1, w1, p]
                })
                .collect();
            let (mut a, mut b) = (intercept + 0.01, slope - 0.01);
            for _ in 0..200 {
                let [g0, g1, h00, h01, h11] =
                    newton_sums(&data, |x, _| 1.0 / (1.0 + (-(a + b * x)).exp()));
                let det = h00 * h11 - h01 * h01;
                let da = (h11 * g0 - h01 * g1) / det;
                let db = (h00 * g1 - h01 * g0) / det;
                a += da;
                b += db;
                if da.abs().max(db.abs()) < 1e-15 {
                    break;
                }
            }
            assert!(
                (slope - b).abs() < 1e-12,
                "case {case}: slope {slope} vs {b}"
            );
            assert!(
                (intercept - a).abs() < 1e-12,
                "case {case}: {intercept} vs {a}"
            );
        }
        assert!(separated < 30, "{separated} of 300 samples were separated");
    }

    /// On small samples, where separation is common, the fit is undefined exactly when the
    /// classes' scores do not overlap, and otherwise solves the likelihood equations
    /// Σ (y - n p) = 0 and Σ (y - n p) logit(s) = 0. Three rows from the bank-marketing data
    /// (negatives at 0.03 and 0.036, a positive at 0.58) once gave slope 31 and intercept 26,
    /// where Newton's method stood still after every probability had rounded to 0 or 1.
    #[test]
    fn the_fit_is_undefined_exactly_when_the_classes_are_separated() {
        use rand::{Rng, SeedableRng};
        let mut s = SegmentStats::default();
        for (score, y) in [(0.03, false), (0.036, false), (0.58, true)] {
            s.add(Some(score), true, y, 1.0);
        }
        let (slope, intercept) = recalibration(&s, None);
        assert_eq!(slope.undefined_reason, Some(Undefined::NotEstimable));
        assert_eq!(intercept.undefined_reason, Some(Undefined::NotEstimable));
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let (mut fitted, mut separated) = (0, 0);
        for case in 0..2_000 {
            let mut s = SegmentStats::default();
            for _ in 0..rng.gen_range(2..12) {
                let score = f64::from(rng.gen_range(1..100u32)) / 100.0;
                let weight = if case % 2 == 0 {
                    1.0
                } else {
                    rng.gen_range(0.5..2.0)
                };
                s.add(Some(score), true, rng.gen_bool(score), weight);
            }
            if s.positives().w == 0.0 || s.negatives().w == 0.0 {
                continue;
            }
            let range = |label: usize| {
                let scores: Vec<f64> = s
                    .score_cells()
                    .filter(|(_, c)| c.rows[label] > 0)
                    .map(|(sc, _)| sc)
                    .collect();
                (scores[0], scores[scores.len() - 1])
            };
            let ((lo0, hi0), (lo1, hi1)) = (range(0), range(1));
            let overlap = lo1 < hi0 && lo0 < hi1;
            let (slope, intercept) = recalibration(&s, None);
            match (slope.value, intercept.value) {
                (Some(b), Some(a)) => {
                    assert!(
                        overlap,
                        "case {case}: a fit ({a}, {b}) of separated classes"
                    );
                    let (mut g0, mut g1, mut n) = (0.0, 0.0, 0.0);
                    for (sc, [w0, w1]) in s.score_weights() {
                        let x = (sc / (1.0 - sc)).ln();
                        let p = 1.0 / (1.0 + (-(a + b * x)).exp());
                        g0 += w1 - (w0 + w1) * p;
                        g1 += (w1 - (w0 + w1) * p) * x;
                        n += w0 + w1;
                    }
                    assert!(g0.abs().max(g1.abs()) < 1e-9 * n, "case {case}: {g0} {g1}");
                    fitted += 1;
                }
                _ => {
                    assert!(!overlap, "case {case}: overlapping classes without a fit");
                    separated += 1;
                }
            }
        }
        assert!(
            fitted > 300 && separated > 300,
            "{fitted} fitted, {separated} separated"
        );
    }

    #[test]
    fn perfectly_calibrated_bins_have_zero_ece() {
        // Ten rows at score 0.5, five of them positive.
        let mut s = SegmentStats::default();
        for k in 0..10 {
            s.add(Some(0.5), true, k < 5, 1.0);
        }
        let (ece, mce) = ece_mce(&Bins::new(Binning::Uniform(10), &s));
        assert_eq!((ece.value, mce.value), (Some(0.0), Some(0.0)));
        assert_eq!(
            recalibration(&s, None).0.undefined_reason,
            Some(Undefined::NotEstimable)
        );
    }
}
