//! Per-segment sufficient statistics that merge: confusion counts at the threshold and a
//! histogram of distinct scores with label counts. Everything else (rates, AUC, Brier, log
//! loss, calibration) is computed from them, so one mechanism serves a single pass, parallel
//! chunks and shards, and the result does not depend on how rows were split: counts are
//! integers and sums are taken over the sorted histogram.

use std::collections::BTreeMap;

/// The statistics of one segment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SegmentStats {
    /// Rows.
    pub n: u64,
    /// Selected with a positive label.
    pub tp: u64,
    /// Selected with a negative label.
    pub fp: u64,
    /// Not selected with a negative label.
    pub tn: u64,
    /// Not selected with a positive label.
    pub fn_: u64,
    /// Distinct score (as f64 bits; scores are non-negative, so bit order is numeric order)
    /// to `[negatives, positives]`. Empty when only decisions were given.
    pub scores: BTreeMap<u64, [u64; 2]>,
}

impl SegmentStats {
    /// Adds one row: its score (if any), decision and label.
    pub fn add(&mut self, score: Option<f64>, selected: bool, positive: bool) {
        self.n += 1;
        match (selected, positive) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, false) => self.tn += 1,
            (false, true) => self.fn_ += 1,
        }
        if let Some(s) = score {
            // +0.0 and -0.0 are one score.
            let s = if s == 0.0 { 0.0 } else { s };
            self.scores.entry(s.to_bits()).or_default()[usize::from(positive)] += 1;
        }
    }

    /// Adds another segment's statistics.
    pub fn merge(&mut self, other: &SegmentStats) {
        self.n += other.n;
        self.tp += other.tp;
        self.fp += other.fp;
        self.tn += other.tn;
        self.fn_ += other.fn_;
        for (k, c) in &other.scores {
            let e = self.scores.entry(*k).or_default();
            e[0] += c[0];
            e[1] += c[1];
        }
    }

    /// Rows with a positive label.
    pub fn positives(&self) -> u64 {
        self.tp + self.fn_
    }

    /// Rows with a negative label.
    pub fn negatives(&self) -> u64 {
        self.fp + self.tn
    }

    /// Selected rows.
    pub fn selected(&self) -> u64 {
        self.tp + self.fp
    }

    /// Whether scores were recorded.
    pub fn has_scores(&self) -> bool {
        !self.scores.is_empty()
    }

    /// Distinct scores in ascending order with `[negatives, positives]`.
    pub fn score_counts(&self) -> impl Iterator<Item = (f64, [u64; 2])> + '_ {
        self.scores.iter().map(|(k, c)| (f64::from_bits(*k), *c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::segment_metrics;
    use rand::{Rng, SeedableRng};

    #[test]
    fn merged_chunks_give_the_same_metrics_bit_for_bit() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let rows: Vec<(f64, bool)> = (0..5_000)
            .map(|_| {
                let s = (rng.gen::<f64>() * 1000.0).round() / 1000.0;
                (s, rng.gen_bool(s))
            })
            .collect();
        let mut whole = SegmentStats::default();
        for &(s, y) in &rows {
            whole.add(Some(s), s >= 0.5, y);
        }
        for chunk in [1, 7, 100, 4_999] {
            let mut merged = SegmentStats::default();
            for part in rows.rchunks(chunk) {
                let mut p = SegmentStats::default();
                for &(s, y) in part {
                    p.add(Some(s), s >= 0.5, y);
                }
                merged.merge(&p);
            }
            assert_eq!(merged, whole);
            let ctx = crate::audit::MetricContext {
                z: 1.96,
                median: Some(0.5),
                binning: crate::audit::Binning::Quantile(7),
            };
            assert_eq!(
                segment_metrics(&merged, &ctx),
                segment_metrics(&whole, &ctx)
            );
        }
    }
}
