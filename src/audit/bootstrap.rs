//! The Poisson bootstrap, in the same single streaming pass as the audit.
//!
//! Each row gets, for each of B replicates, a weight drawn from Poisson(1) (Hanley &
//! MacGibbon's online bootstrap). The draw comes from a counter-based generator keyed by
//! (seed, row number, replicate), so it does not depend on chunking or threads. Per cell of
//! the finest partition and per replicate, weighted confusion counts and score sums are kept.
//! Every metric that is a function of those (all rates, balanced accuracy, F1, Brier, log
//! loss, mean score, calibration-in-the-large, disparate impact, selection-rate difference,
//! average odds difference, and the summaries) gets a percentile interval: numpy's linear
//! percentiles of its defined replicate values. Metrics that need each replicate's whole score
//! distribution (AUC, the calibration bins and fit, Hosmer-Lemeshow, the scoring rate) are
//! not bootstrapped; [`NOT_BOOTSTRAPPED`] lists them.

use super::stats::{confusion_slot, Count, SegmentStats};

/// Metrics that have no bootstrap interval.
pub const NOT_BOOTSTRAPPED: [&str; 9] = [
    "auc",
    "ece",
    "mce",
    "calibration_slope",
    "calibration_intercept",
    "hosmer_lemeshow",
    "hosmer_lemeshow_p",
    "scoring_rate",
    "ece_gap",
];

/// One replicate's statistics of one cell.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rep {
    /// tn, fn, fp, tp (weighted counts), as in the auditor's accumulator.
    pub counts: [Count; 4],
    /// Rows drawn (counting multiplicity).
    pub rows: u64,
    /// Weight of rows with a score, and the weighted sums of score, squared error and log loss.
    pub scored: f64,
    pub sum_score: f64,
    pub sum_brier: f64,
    pub sum_log_loss: f64,
}

impl Rep {
    pub fn merge(&mut self, o: &Rep) {
        for i in 0..4 {
            self.counts[i] = self.counts[i].plus(o.counts[i]);
        }
        self.rows += o.rows;
        self.scored += o.scored;
        self.sum_score += o.sum_score;
        self.sum_brier += o.sum_brier;
        self.sum_log_loss += o.sum_log_loss;
    }

    /// The counts as [`SegmentStats`] (without a score histogram).
    pub fn stats(&self) -> SegmentStats {
        SegmentStats::from_counts(self.rows, self.counts, Default::default())
    }
}

/// The replicates of every cell.
pub(crate) struct Bootstrap {
    pub replicates: usize,
    seed: u64,
    /// cells[c][b].
    pub cells: Vec<Vec<Rep>>,
}

/// Poisson(1) cumulative probabilities as thresholds on a uniform u64.
fn poisson_thresholds() -> [u64; 12] {
    let mut t = [u64::MAX; 12];
    let mut p = (-1.0f64).exp();
    let mut cdf = p;
    for (k, slot) in t.iter_mut().enumerate().take(11) {
        *slot = (cdf * 2f64.powi(64)).min(u64::MAX as f64) as u64;
        p /= (k + 1) as f64;
        cdf += p;
    }
    t
}

/// splitmix64: a counter-based generator (one 64-bit output per input).
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl Bootstrap {
    pub fn new(replicates: usize, seed: u64) -> Bootstrap {
        Bootstrap {
            replicates,
            seed,
            cells: Vec::new(),
        }
    }

    /// Adds row number `row` (from 0, in file order) of cell `cell`.
    pub fn add(
        &mut self,
        row: u64,
        cell: usize,
        score: Option<f64>,
        selected: bool,
        positive: bool,
        weight: f64,
    ) {
        thread_local! {
            static THRESHOLDS: [u64; 12] = poisson_thresholds();
        }
        while self.cells.len() <= cell {
            self.cells.push(vec![Rep::default(); self.replicates]);
        }
        let slot = confusion_slot(selected, positive);
        let key = splitmix(self.seed ^ splitmix(row));
        let terms = score.map(|s| {
            let y = if positive { 1.0 } else { 0.0 };
            let c = s.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
            (
                s,
                (s - y) * (s - y),
                -(y * c.ln() + (1.0 - y) * (1.0 - c).ln()),
            )
        });
        THRESHOLDS.with(|t| {
            for (b, rep) in self.cells[cell].iter_mut().enumerate() {
                let u = splitmix(key.wrapping_add(b as u64));
                let k = t.iter().position(|&x| u < x).unwrap_or(11);
                if k == 0 {
                    continue;
                }
                let wf = k as f64 * weight;
                rep.counts[slot].w += wf;
                rep.counts[slot].w2 += wf * wf;
                rep.rows += k as u64;
                if let Some((s, sq, ll)) = terms {
                    rep.scored += wf;
                    rep.sum_score += wf * s;
                    rep.sum_brier += wf * sq;
                    rep.sum_log_loss += wf * ll;
                }
            }
        });
    }
}

/// numpy's linear-interpolation percentile of `v` (sorted in place) at `q` in [0, 1].
pub(crate) fn percentile(v: &mut [f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    let t = pos - lo as f64;
    Some(if t >= 0.5 {
        v[hi] - (v[hi] - v[lo]) * (1.0 - t)
    } else {
        v[lo] + (v[hi] - v[lo]) * t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_weights_have_mean_and_variance_one() {
        let mut b = Bootstrap::new(1, 42);
        for row in 0..200_000 {
            b.add(row, 0, None, true, true, 1.0);
        }
        let n = b.cells[0][0].counts[3].w / 200_000.0;
        assert!((n - 1.0).abs() < 0.01, "mean weight {n}");
    }

    #[test]
    fn percentiles_match_numpy() {
        // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) = [1.075, 3.925]
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert!((percentile(&mut v, 0.025).unwrap_or(0.0) - 1.075).abs() < 1e-12);
        assert!((percentile(&mut v, 0.975).unwrap_or(0.0) - 3.925).abs() < 1e-12);
    }
}
