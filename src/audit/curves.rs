//! Curves for the report's charts, computed from a group's score histogram: the ROC curve and
//! the score distribution by label.

use serde::{Deserialize, Serialize};

use super::calibration::{edges, BinCursor, Binning};
use super::stats::SegmentStats;

/// Bins of the score distribution: uniform over [0, 1], with the calibration binning rule.
pub const DISTRIBUTION_BINS: usize = 20;

/// At most about this many points are kept on a ROC curve.
pub const ROC_POINTS: usize = 50;

/// One point of a ROC curve: the decision `score >= threshold`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RocPoint {
    /// The threshold (a distinct score of the group; above every score for the first point).
    pub threshold: f64,
    /// False positive rate, FP / negatives (weighted).
    pub fpr: f64,
    /// True positive rate, TP / positives (weighted).
    pub tpr: f64,
}

/// One bin of the score distribution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScoreBin {
    /// Lower edge.
    pub low: f64,
    /// Upper edge.
    pub high: f64,
    /// Weight (rows when unweighted) of negatives with a score in the bin.
    pub negatives: f64,
    /// Weight of positives with a score in the bin.
    pub positives: f64,
}

/// The ROC curve of a group: for each distinct score `t`, from the highest down, the point
/// (FPR, TPR) of the decision `score >= t`, after the point (0, 0) of a threshold above every
/// score (scikit-learn's `roc_curve` with `drop_intermediate=False`, whose first threshold is
/// `inf`; here it is written as the highest score's successor, because JSON has no infinity).
/// To keep reports small, a point is kept only when FPR or TPR moved at least
/// `1 / ROC_POINTS` since the last kept point; the first and last points are always kept.
/// Empty when the group has no positives or no negatives (the curve is undefined).
pub fn roc(s: &SegmentStats) -> Vec<RocPoint> {
    let (p, n) = (s.positives().w, s.negatives().w);
    if p <= 0.0 || n <= 0.0 || !s.has_scores() {
        return Vec::new();
    }
    let scores: Vec<(f64, [f64; 2])> = s.score_weights().collect();
    let top = scores.last().map_or(1.0, |(sc, _)| *sc);
    let mut out = vec![RocPoint {
        threshold: f64::from_bits(top.to_bits() + 1),
        fpr: 0.0,
        tpr: 0.0,
    }];
    let step = 1.0 / ROC_POINTS as f64;
    let (mut fp, mut tp) = (0.0, 0.0);
    let last = scores.len().saturating_sub(1);
    for (i, (score, [neg, pos])) in scores.iter().rev().enumerate() {
        fp += neg;
        tp += pos;
        let point = RocPoint {
            threshold: *score,
            fpr: fp / n,
            tpr: tp / p,
        };
        let prev = out[out.len() - 1];
        if i == last || point.fpr - prev.fpr >= step || point.tpr - prev.tpr >= step {
            out.push(point);
        }
    }
    out
}

/// The score distribution of a group by label over [`DISTRIBUTION_BINS`] uniform bins (a
/// score goes to the bin given by the number of interior edges strictly below it, as in the
/// reliability table). Empty when only decisions were audited.
pub fn score_distribution(s: &SegmentStats) -> Vec<ScoreBin> {
    if !s.has_scores() {
        return Vec::new();
    }
    let e = edges(Binning::Uniform(DISTRIBUTION_BINS), s);
    let mut bins: Vec<ScoreBin> = e
        .windows(2)
        .map(|w| ScoreBin {
            low: w[0],
            high: w[1],
            negatives: 0.0,
            positives: 0.0,
        })
        .collect();
    let mut cursor = BinCursor::new(&e);
    for (score, [neg, pos]) in s.score_weights() {
        if let Some(b) = bins.get_mut(cursor.bin(score)) {
            b.negatives += neg;
            b.positives += pos;
        }
    }
    bins
}
