//! Per-segment sufficient statistics that merge: confusion counts at the threshold and a
//! histogram of distinct scores with label counts. Everything else (rates, AUC, Brier, log
//! loss, calibration) is computed from them, so one mechanism serves a single pass, parallel
//! chunks and shards, and the result does not depend on how rows were split: counts are
//! integers and sums are taken over the sorted histogram.

/// A weighted count: the sum of the rows' weights and of their squares. Unweighted rows have
/// weight 1, so both are the row count, exactly (f64 holds integers exactly up to 2^53).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Count {
    /// Σ w.
    pub w: f64,
    /// Σ w².
    pub w2: f64,
}

impl Count {
    /// Adds a row of weight `w`.
    #[inline]
    pub fn add(&mut self, w: f64) {
        self.w += w;
        self.w2 += w * w;
    }

    /// The sum of two counts.
    pub fn plus(self, o: Count) -> Count {
        Count {
            w: self.w + o.w,
            w2: self.w2 + o.w2,
        }
    }

    /// Kish's effective sample size (Σw)² / Σw²; the row count when every weight is 1.
    pub fn n_eff(self) -> f64 {
        if self.w2 == self.w {
            self.w
        } else if self.w2 > 0.0 {
            self.w * self.w / self.w2
        } else {
            0.0
        }
    }
}

/// The statistics of one segment. Counts are weighted ([`Count`]); with no weight column every
/// weight is 1 and every count is exact.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SegmentStats {
    /// Rows (unweighted).
    pub rows: u64,
    /// Selected with a positive label.
    pub tp: Count,
    /// Selected with a negative label.
    pub fp: Count,
    /// Not selected with a negative label.
    pub tn: Count,
    /// Not selected with a positive label.
    pub fn_: Count,
    /// Distinct score (as f64 bits; scores are non-negative, so bit order is numeric order)
    /// to the weight of `[negatives, positives]` and their row counts, ascending by key and
    /// without repeats. Empty when only decisions were given.
    pub scores: Vec<(u64, ScoreCell)>,
}

/// The rows at one distinct score.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScoreCell {
    /// Weight of negatives and positives.
    pub weight: [f64; 2],
    /// Rows (unweighted) of negatives and positives.
    pub rows: [u64; 2],
    /// Σ w² over the cell's rows.
    pub weight2: f64,
}

impl ScoreCell {
    /// Adds a row of weight `weight`.
    #[inline]
    pub fn add(&mut self, positive: bool, weight: f64) {
        self.weight[usize::from(positive)] += weight;
        self.rows[usize::from(positive)] += 1;
        self.weight2 += weight * weight;
    }

    /// Adds `n` rows of one label with total weight `weight` (a bootstrap replicate's
    /// multiplicity).
    #[inline]
    pub fn add_n(&mut self, positive: bool, weight: f64, n: u64) {
        self.weight[usize::from(positive)] += weight;
        self.rows[usize::from(positive)] += n;
        self.weight2 += weight * weight;
    }

    /// Adds another cell's rows.
    pub fn merge(&mut self, o: &ScoreCell) {
        for i in 0..2 {
            self.weight[i] += o.weight[i];
            self.rows[i] += o.rows[i];
        }
        self.weight2 += o.weight2;
    }
}

/// Merges two histograms sorted by key (adding the cells of equal keys), in linear time.
pub fn merge_sorted(a: Vec<(u64, ScoreCell)>, b: &[(u64, ScoreCell)]) -> Vec<(u64, ScoreCell)> {
    if b.is_empty() {
        return a;
    }
    if a.is_empty() {
        return b.to_vec();
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let mut cell = a[i].1;
                cell.merge(&b[j].1);
                out.push((a[i].0, cell));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The histogram key of a score: its bits, with -0.0 folded into +0.0.
#[inline]
pub fn score_key(s: f64) -> u64 {
    if s == 0.0 {
        0
    } else {
        s.to_bits()
    }
}

/// The confusion cell of a row: 0 = TN, 1 = FN, 2 = FP, 3 = TP.
#[inline]
pub fn confusion_slot(selected: bool, positive: bool) -> usize {
    usize::from(selected) * 2 + usize::from(positive)
}

impl SegmentStats {
    /// Statistics from counts indexed by confusion slot (0 = TN, 1 = FN, 2 = FP, 3 = TP) and a
    /// score histogram.
    pub fn from_counts(
        rows: u64,
        counts: [Count; 4],
        scores: Vec<(u64, ScoreCell)>,
    ) -> SegmentStats {
        SegmentStats {
            rows,
            tn: counts[0],
            fn_: counts[1],
            fp: counts[2],
            tp: counts[3],
            scores,
        }
    }

    /// Adds one row: its score (if any), decision, label and weight (the tests build statistics
    /// this way; the auditor accumulates through its cells).
    #[cfg(test)]
    pub fn add(&mut self, score: Option<f64>, selected: bool, positive: bool, weight: f64) {
        self.rows += 1;
        let count = match confusion_slot(selected, positive) {
            0 => &mut self.tn,
            1 => &mut self.fn_,
            2 => &mut self.fp,
            _ => &mut self.tp,
        };
        count.add(weight);
        if let Some(s) = score {
            let key = score_key(s);
            match self.scores.binary_search_by_key(&key, |e| e.0) {
                Ok(i) => self.scores[i].1.add(positive, weight),
                Err(i) => {
                    let mut cell = ScoreCell::default();
                    cell.add(positive, weight);
                    self.scores.insert(i, (key, cell));
                }
            }
        }
    }

    /// Adds another segment's statistics.
    pub fn merge(&mut self, other: &SegmentStats) {
        self.rows += other.rows;
        self.tp = self.tp.plus(other.tp);
        self.fp = self.fp.plus(other.fp);
        self.tn = self.tn.plus(other.tn);
        self.fn_ = self.fn_.plus(other.fn_);
        self.scores = merge_sorted(std::mem::take(&mut self.scores), &other.scores);
    }

    /// The statistics of `parts` together: the same as cloning the first and merging each
    /// later one in turn ([`SegmentStats::merge`], so weighted sums are added in the same
    /// order), with one pass over all the histograms instead of one per part.
    pub fn merged(parts: &[&SegmentStats]) -> SegmentStats {
        let Some((first, rest)) = parts.split_first() else {
            return SegmentStats::default();
        };
        let mut out = SegmentStats {
            scores: Vec::new(),
            ..(*first).clone_counts()
        };
        for p in rest {
            out.rows += p.rows;
            out.tp = out.tp.plus(p.tp);
            out.fp = out.fp.plus(p.fp);
            out.tn = out.tn.plus(p.tn);
            out.fn_ = out.fn_.plus(p.fn_);
        }
        let longest = parts.iter().map(|p| p.scores.len()).max().unwrap_or(0);
        out.scores.reserve(longest);
        let mut heads = vec![0usize; parts.len()];
        loop {
            let smallest = parts
                .iter()
                .zip(&heads)
                .filter_map(|(p, &h)| p.scores.get(h).map(|(k, _)| *k))
                .min();
            let Some(key) = smallest else {
                break;
            };
            // The cells at this key, added in part order.
            let mut cell: Option<ScoreCell> = None;
            for (p, h) in parts.iter().zip(heads.iter_mut()) {
                if let Some((k, c)) = p.scores.get(*h) {
                    if *k == key {
                        match &mut cell {
                            Some(acc) => acc.merge(c),
                            None => cell = Some(*c),
                        }
                        *h += 1;
                    }
                }
            }
            out.scores.push((key, cell.unwrap_or_default()));
        }
        out
    }

    /// A copy of the counts, without the histogram.
    pub(crate) fn clone_counts(&self) -> SegmentStats {
        SegmentStats {
            rows: self.rows,
            tp: self.tp,
            fp: self.fp,
            tn: self.tn,
            fn_: self.fn_,
            scores: Vec::new(),
        }
    }

    /// All rows.
    pub fn n(&self) -> Count {
        self.tp.plus(self.fp).plus(self.tn).plus(self.fn_)
    }

    /// Rows with a positive label.
    pub fn positives(&self) -> Count {
        self.tp.plus(self.fn_)
    }

    /// Rows with a negative label.
    pub fn negatives(&self) -> Count {
        self.fp.plus(self.tn)
    }

    /// Selected rows.
    pub fn selected(&self) -> Count {
        self.tp.plus(self.fp)
    }

    /// Rows not selected.
    pub fn rejected(&self) -> Count {
        self.tn.plus(self.fn_)
    }

    /// Whether scores were recorded.
    pub fn has_scores(&self) -> bool {
        !self.scores.is_empty()
    }

    /// Distinct scores in ascending order with the weight of `[negatives, positives]`.
    pub fn score_weights(&self) -> impl Iterator<Item = (f64, [f64; 2])> + '_ {
        self.scores
            .iter()
            .map(|(k, c)| (f64::from_bits(*k), c.weight))
    }

    /// Distinct scores in ascending order with their cells.
    pub fn score_cells(&self) -> impl Iterator<Item = (f64, &ScoreCell)> + '_ {
        self.scores.iter().map(|(k, c)| (f64::from_bits(*k), c))
    }

    /// Distinct scores in ascending order with the rows (unweighted) at each.
    pub fn score_rows(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.scores
            .iter()
            .map(|(k, c)| (f64::from_bits(*k), c.rows[0] + c.rows[1]))
    }
}

/// One cell's rows for deciding at any threshold: its distinct scores ascending, with the
/// rows (negatives, positives) scoring at or above each, and its label totals (rows without
/// a score are never selected). Unweighted rows only.
pub(super) struct CellTally {
    rows: u64,
    scores: Vec<f64>,
    /// `above[i]`: rows scoring at least `scores[i]`; one more entry, `[0, 0]`, at the end.
    above: Vec<[u64; 2]>,
    /// Negatives and positives, scored or not.
    totals: [u64; 2],
}

impl CellTally {
    /// The tally of a cell's statistics (its histogram complete, grid rows included).
    pub(super) fn new(s: &SegmentStats) -> CellTally {
        let mut above = vec![[0u64; 2]; s.scores.len() + 1];
        for (i, (_, cell)) in s.scores.iter().enumerate().rev() {
            let next = above[i + 1];
            above[i] = [next[0] + cell.rows[0], next[1] + cell.rows[1]];
        }
        CellTally {
            rows: s.rows,
            scores: s.scores.iter().map(|(k, _)| f64::from_bits(*k)).collect(),
            above,
            totals: [s.negatives().w as u64, s.positives().w as u64],
        }
    }

    /// The cell's confusion counts (no histogram) with decisions `score >= t`.
    pub(super) fn at(&self, t: f64) -> SegmentStats {
        let first = self
            .scores
            .partition_point(|&s| !crate::decision::positive(s, t));
        let selected = self.above.get(first).copied().unwrap_or_default();
        let count = |n: u64| Count {
            w: n as f64,
            w2: n as f64,
        };
        SegmentStats {
            rows: self.rows,
            tp: count(selected[1]),
            fp: count(selected[0]),
            tn: count(self.totals[0].saturating_sub(selected[0])),
            fn_: count(self.totals[1].saturating_sub(selected[1])),
            scores: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::metrics::segment_metrics;
    use rand::{Rng, SeedableRng};

    #[test]
    fn merging_many_at_once_equals_merging_in_turn_bit_for_bit() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(21);
        for case in 0..300 {
            let parts: Vec<SegmentStats> = (0..rng.gen_range(0..7))
                .map(|_| {
                    let mut st = SegmentStats::default();
                    for _ in 0..rng.gen_range(0..40) {
                        // Few distinct scores, so keys repeat across parts; uneven weights,
                        // so the order of additions shows in the last bits.
                        let score = f64::from(rng.gen_range(0..12u32)) / 11.0;
                        let weight = rng.gen_range(0.01..3.0) / 7.0;
                        st.add(Some(score), rng.gen_bool(0.5), rng.gen_bool(0.4), weight);
                    }
                    st
                })
                .collect();
            let refs: Vec<&SegmentStats> = parts.iter().collect();
            let mut turn = parts.first().cloned().unwrap_or_default();
            for p in parts.iter().skip(1) {
                turn.merge(p);
            }
            let once = SegmentStats::merged(&refs);
            // Debug text shows every digit (and the sign of zero), so equal text is equal bits.
            assert_eq!(format!("{once:?}"), format!("{turn:?}"), "case {case}");
        }
    }

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
            whole.add(Some(s), s >= 0.5, y, 1.0);
        }
        for chunk in [1, 7, 100, 4_999] {
            let mut merged = SegmentStats::default();
            for part in rows.rchunks(chunk) {
                let mut p = SegmentStats::default();
                for &(s, y) in part {
                    p.add(Some(s), s >= 0.5, y, 1.0);
                }
                merged.merge(&p);
            }
            assert_eq!(merged, whole);
            let ctx = crate::audit::metrics::MetricContext {
                z: 1.96,
                median: Some(0.5),
                binning: crate::audit::Binning::Quantile(7),
                logs: None,
            };
            assert_eq!(
                segment_metrics(&merged, &ctx),
                segment_metrics(&whole, &ctx)
            );
        }
    }
}
