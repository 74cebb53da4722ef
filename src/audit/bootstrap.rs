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
    /// runs[c]: the cell's runs of rows with one score key, as (key, end of the run in
    /// cells[c]), in key order; rows after the last run have no score. Set by `prepare`.
    runs: Vec<Vec<(u64, usize)>>,
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
            runs: Vec::new(),
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

    /// Sorts each cell's rows by score (stably, so ties keep file order) and finds the runs
    /// of equal scores.
    pub fn prepare(&mut self) {
        self.runs = self
            .cells
            .iter_mut()
            .map(|rows| {
                rows.sort_by_key(|r| r.key);
                let mut runs: Vec<(u64, usize)> = Vec::new();
                for (i, r) in rows.iter().enumerate() {
                    if r.key == u64::MAX {
                        break;
                    }
                    match runs.last_mut() {
                        Some((key, end)) if *key == r.key => *end = i + 1,
                        _ => runs.push((r.key, i + 1)),
                    }
                }
                runs
            })
            .collect();
    }

    /// Every cell's statistics in replicate `b` (cells in the auditor's order; `n_cells` of
    /// them, including cells with no kept row).
    #[cfg(test)]
    pub fn replicate(&self, b: usize, n_cells: usize) -> Vec<SegmentStats> {
        self.replicates_from(b, 1, n_cells)
            .pop()
            .unwrap_or_default()
    }

    /// Replicates `first`, `first + 1`, ... (`count` of them, at most [`BATCH`]), each as
    /// [`Bootstrap::replicate`] gives it, from one pass over the rows: a row is read once
    /// for the whole batch.
    ///
    /// Each row's Poisson count is found without a branch (the count of thresholds its draw
    /// reaches), and a row drawn 0 times adds zeros, which leave every sum as it was: the
    /// statistics equal those of skipping such rows. A score key enters a replicate's
    /// histogram when at least one of its rows was drawn in it.
    pub fn replicates_from(
        &self,
        first: usize,
        count: usize,
        n_cells: usize,
    ) -> Vec<Vec<SegmentStats>> {
        thread_local! {
            static THRESHOLDS: [u64; 12] = poisson_thresholds();
        }
        let count = count.min(BATCH);
        let mut out: Vec<Vec<SegmentStats>> =
            (0..count).map(|_| Vec::with_capacity(n_cells)).collect();
        THRESHOLDS.with(|t| {
            let mut limits = [0u64; 11];
            limits.copy_from_slice(&t[..11]);
            for c in 0..n_cells {
                let rows_of = self.cells.get(c).map_or(&[][..], Vec::as_slice);
                let runs = self.runs.get(c).map_or(&[][..], Vec::as_slice);
                let mut rows = [0u64; BATCH];
                let mut counts = [[Count::default(); 4]; BATCH];
                let mut hists: Vec<Vec<(u64, ScoreCell)>> =
                    (0..count).map(|_| Vec::with_capacity(runs.len())).collect();
                let mut draw = |r: &BootRow, mut cells: Option<&mut [ScoreCell; BATCH]>| {
                    for j in 0..count {
                        let u = splitmix(r.stream.wrapping_add((first + j) as u64));
                        let k = limits.iter().map(|&x| u64::from(u >= x)).sum::<u64>();
                        let w = k as f64 * r.weight;
                        rows[j] += k;
                        let c = &mut counts[j][usize::from(r.slot)];
                        c.w += w;
                        c.w2 += w * w;
                        if let Some(cells) = cells.as_deref_mut() {
                            cells[j].add_n(r.positive, w, k);
                        }
                    }
                };
                let mut start = 0;
                for &(key, end) in runs {
                    let mut cells = [ScoreCell::default(); BATCH];
                    for r in &rows_of[start..end] {
                        draw(r, Some(&mut cells));
                    }
                    for (hist, cell) in hists.iter_mut().zip(cells) {
                        if cell.rows[0] + cell.rows[1] > 0 {
                            hist.push((key, cell));
                        }
                    }
                    start = end;
                }
                for r in &rows_of[start..] {
                    draw(r, None);
                }
                for (j, hist) in hists.into_iter().enumerate() {
                    out[j].push(SegmentStats::from_counts(rows[j], counts[j], hist));
                }
            }
        });
        out
    }
}

/// Replicates computed in one pass over the rows ([`Bootstrap::replicates_from`]).
pub(crate) const BATCH: usize = 4;

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

    /// The replicate as first written: a row drawn 0 times is skipped, the Poisson count is
    /// the first threshold the draw is under, and a key's cell is made by its first drawn
    /// row. The branch-free [`Bootstrap::replicate`] must give the same statistics, bit for
    /// bit.
    fn replicate_by_skipping(boot: &Bootstrap, b: usize, n_cells: usize) -> Vec<SegmentStats> {
        let t = poisson_thresholds();
        (0..n_cells)
            .map(|c| {
                let mut rows = 0u64;
                let mut counts = [Count::default(); 4];
                let mut hist: Vec<(u64, ScoreCell)> = Vec::new();
                for r in boot.cells.get(c).map_or(&[][..], Vec::as_slice) {
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
    }

    #[test]
    fn branch_free_replicates_equal_the_skipping_ones_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        for case in 0..40 {
            let mut boot = Bootstrap::new(3, case);
            let cells = rng.gen_range(1..5);
            let n = rng.gen_range(0..3000);
            // Few distinct scores (long runs), many, or none; weights of 1, fractional or 0.
            let levels = [2u32, 50, 100_000][case as usize % 3];
            for row in 0..n {
                let score = (rng.gen_range(0..10) > 0)
                    .then(|| f64::from(rng.gen_range(0..levels)) / f64::from(levels));
                let weight = match case % 4 {
                    0 => 1.0,
                    1 => rng.gen_range(0.0..3.0),
                    2 => f64::from(rng.gen_range(0..3u8)),
                    _ => rng.gen_range(0.0..1e6),
                };
                boot.add(
                    row,
                    rng.gen_range(0..cells),
                    score,
                    rng.gen(),
                    rng.gen(),
                    weight,
                );
            }
            boot.prepare();
            for b in 0..3 {
                // One cell more than holds rows: an empty cell.
                let fast = boot.replicate(b, cells + 1);
                let slow = replicate_by_skipping(&boot, b, cells + 1);
                assert_eq!(
                    format!("{fast:?}"),
                    format!("{slow:?}"),
                    "case {case}, b {b}"
                );
            }
            // In batches of every size, from any first replicate.
            for count in 1..=BATCH {
                let first = rng.gen_range(0..5);
                let batch = boot.replicates_from(first, count, cells + 1);
                assert_eq!(batch.len(), count);
                for (j, fast) in batch.iter().enumerate() {
                    let slow = replicate_by_skipping(&boot, first + j, cells + 1);
                    assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "case {case}");
                }
            }
        }
    }

    #[test]
    fn percentiles_match_numpy() {
        // numpy.percentile([1, 2, 3, 4], [2.5, 97.5]) = [1.075, 3.925]
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert!((percentile(&mut v, 0.025).unwrap_or(0.0) - 1.075).abs() < 1e-12);
        assert!((percentile(&mut v, 0.975).unwrap_or(0.0) - 3.925).abs() < 1e-12);
    }
}
