//! The Poisson bootstrap, from the same single pass over the input.
//!
//! Each row gets, for each of B replicates, a weight drawn from Poisson(1) (Hanley &
//! MacGibbon's online bootstrap). The draw comes from a counter-based generator keyed by
//! (seed, row number, replicate), so it can be recomputed at will and does not depend on
//! chunking or threads. Under `--bootstrap`, each cell of the finest partition keeps its rows'
//! score, label, decision and weight (about 32 bytes a row). Each replicate rebuilds every
//! cell's [`SegmentStats`] with the replicate's weights, and every metric and summary is
//! computed from them by the same functions as the point estimate. The interval is numpy's
//! linear percentiles of the metric's defined replicate values.

use super::stats::{confusion_slot, Count, ScoreCell, SegmentStats};

/// One row kept for the bootstrap.
#[derive(Clone, Copy, Debug)]
struct BootRow {
    /// Score key, or `u64::MAX` without a score.
    key: u64,
    /// The row's random stream: a hash of (seed, row number); replicate b's draw hashes
    /// stream + b.
    stream: u64,
    weight: f64,
    slot: u8,
    positive: bool,
}

/// The rows of every cell.
pub(crate) struct Bootstrap {
    pub replicates: usize,
    seed: u64,
    /// cells[c]: the cell's rows, sorted by score key once [`Bootstrap::prepare`] ran.
    cells: Vec<Vec<BootRow>>,
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

    /// Keeps row number `row` (from 0, in file order) of cell `cell`.
    pub fn add(
        &mut self,
        row: u64,
        cell: usize,
        score: Option<f64>,
        selected: bool,
        positive: bool,
        weight: f64,
    ) {
        while self.cells.len() <= cell {
            self.cells.push(Vec::new());
        }
        self.cells[cell].push(BootRow {
            key: score.map_or(u64::MAX, super::stats::score_key),
            stream: splitmix(self.seed ^ splitmix(row)),
            weight,
            slot: confusion_slot(selected, positive) as u8,
            positive,
        });
    }

    /// Sorts each cell's rows by score (stably, so ties keep file order).
    pub fn prepare(&mut self) {
        for rows in &mut self.cells {
            rows.sort_by_key(|r| r.key);
        }
    }

    /// Every cell's statistics in replicate `b` (cells in the auditor's order; `n_cells` of
    /// them, including cells with no kept row).
    pub fn replicate(&self, b: usize, n_cells: usize) -> Vec<SegmentStats> {
        thread_local! {
            static THRESHOLDS: [u64; 12] = poisson_thresholds();
        }
        THRESHOLDS.with(|t| {
            (0..n_cells)
                .map(|c| {
                    let mut rows = 0u64;
                    let mut counts = [Count::default(); 4];
                    let mut hist: Vec<(u64, ScoreCell)> = Vec::new();
                    for r in self.cells.get(c).map_or(&[][..], Vec::as_slice) {
                        let u = splitmix(r.stream.wrapping_add(b as u64));
                        let k = t.iter().position(|&x| u < x).unwrap_or(11) as u64;
                        if k == 0 {
                            continue;
                        }
                        let w = k as f64 * r.weight;
                        rows += k;
                        let count = &mut counts[usize::from(r.slot)];
                        count.w += w;
                        count.w2 += w * w;
                        if r.key != u64::MAX {
                            match hist.last_mut() {
                                Some((key, cell)) if *key == r.key => cell.add_n(r.positive, w, k),
                                _ => {
                                    let mut cell = ScoreCell::default();
                                    cell.add_n(r.positive, w, k);
                                    hist.push((r.key, cell));
                                }
                            }
                        }
                    }
                    SegmentStats::from_counts(rows, counts, hist)
                })
                .collect()
        })
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
    fn poisson_weights_have_mean_one_and_are_recomputable() {
        let mut b = Bootstrap::new(2, 42);
        for row in 0..200_000 {
            b.add(row, 0, None, true, true, 1.0);
        }
        b.prepare();
        let r0 = b.replicate(0, 1);
        let mean = r0[0].tp.w / 200_000.0;
        assert!((mean - 1.0).abs() < 0.01, "mean weight {mean}");
        assert_eq!(b.replicate(0, 1), r0);
        assert_ne!(b.replicate(1, 1), r0);
    }

    #[test]
    fn percentiles_match_numpy() {
        // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) = [1.075, 3.925]
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert!((percentile(&mut v, 0.025).unwrap_or(0.0) - 1.075).abs() < 1e-12);
        assert!((percentile(&mut v, 0.975).unwrap_or(0.0) - 3.925).abs() < 1e-12);
    }
}
