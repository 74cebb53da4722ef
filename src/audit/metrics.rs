//! Per-segment metrics from [`SegmentStats`]. Each function's doc gives the formula and when it
//! is undefined. Notation: TP, FP, TN, FN are the confusion counts at the threshold (a score
//! equal to the threshold is selected), n = TP + FP + TN + FN, P = TP + FN, N = FP + TN.

use super::key;
use std::collections::BTreeMap;

use super::calibration::{self, Binning};
use super::interval::wilson_p;
use super::scorelog::{LogCursor, ScoreLogs};
use super::stats::{Count, SegmentStats};
use super::value::{MetricValue, Undefined};

/// A weighted proportion Σw(k)/Σw(n) with its Wilson interval on Kish's effective sample
/// size of the denominator (the row count when unweighted); undefined for `reason` when the
/// denominator is empty.
fn rate(k: Count, n: Count, z: f64, reason: Undefined) -> MetricValue {
    if n.w <= 0.0 {
        return MetricValue::undefined(reason);
    }
    let p = k.w / n.w;
    MetricValue::with_ci(p, wilson_p(p, n.n_eff(), z))
}

/// All per-segment metrics, keyed by their JSON names (in an empty segment every one is
/// undefined with `empty_segment`, and uniform calibration bins are listed with no rows):
///
/// - `selection_rate` = (TP + FP) / n; `base_rate` = P / n; `accuracy` = (TP + TN) / n;
///   undefined for an empty segment.
/// - `tpr` = TP / P, `fnr` = FN / P (undefined with no positives); `tnr` = TN / N,
///   `fpr` = FP / N (undefined with no negatives).
/// - `ppv` = TP / (TP + FP), `fdr` = FP / (TP + FP) (undefined when none is selected);
///   `npv` = TN / (TN + FN), `for` = FN / (TN + FN) (undefined when all are selected).
/// - `balanced_accuracy` = (TPR + TNR) / 2 (undefined with one class);
///   `f1` = 2 TP / (2 TP + FP + FN) (undefined when the denominator is 0; scikit-learn
///   returns 0 there).
/// - With scores: `auc` = P(score of a random positive > score of a random negative) +
///   ½ P(tie), the Mann-Whitney form, equal to scikit-learn's `roc_auc_score`, undefined with
///   one class; `brier` = mean (s - y)²; `log_loss` = -mean (y ln s' + (1 - y) ln(1 - s'))
///   with s' = s clipped to [ε, 1 - ε], ε = f64::EPSILON (scikit-learn 1.9); `mean_score`.
///
/// - `scoring_rate`: the share of the segment scoring strictly above the median score of the
///   whole sample (NYC Local Law 144 bias audits), with a Wilson interval.
/// - Calibration (see the `calibration` module): `ece`, `mce`, `calibration_in_the_large`
///   (= observed positive rate - mean score), `calibration_slope` and
///   `calibration_intercept`, `hosmer_lemeshow` and `hosmer_lemeshow_p`.
///
/// Every rate carries a Wilson interval at the given z.
pub fn segment_metrics(s: &SegmentStats, ctx: &MetricContext) -> BTreeMap<String, MetricValue> {
    metrics_and_bins(s, ctx).0
}

/// [`segment_metrics`], and the calibration bins they used (`None` without scores), which the
/// reliability table reuses.
pub(crate) fn metrics_and_bins(
    s: &SegmentStats,
    ctx: &MetricContext,
) -> (BTreeMap<String, MetricValue>, Option<calibration::Bins>) {
    use Undefined::*;
    let z = ctx.z;
    let mut m = count_metrics(s, z);
    let mut put = |k: &str, v: MetricValue| {
        m.insert(k.to_string(), v);
    };
    let (p, n) = (s.positives(), s.n());
    let empty = s.rows == 0 || n.w <= 0.0;
    let scored = |v: Option<f64>| match v {
        _ if !s.has_scores() => MetricValue::undefined(if empty { EmptySegment } else { NoScores }),
        Some(v) => MetricValue::of(v),
        None => MetricValue::undefined(SingleClass),
    };
    put(key::AUC, scored(auc(s)));
    let means = score_means(s, ctx.logs);
    put(key::BRIER, scored(means.as_ref().map(|m| m.brier)));
    put(key::LOG_LOSS, scored(means.as_ref().map(|m| m.log_loss)));
    put(
        key::MEAN_SCORE,
        scored(means.as_ref().map(|m| m.mean_score)),
    );
    let scoring = match ctx.median {
        _ if !s.has_scores() => MetricValue::undefined(if empty { EmptySegment } else { NoScores }),
        Some(med) => {
            let above: f64 = s
                .score_weights()
                .filter(|(sc, _)| *sc > med)
                .map(|(_, c)| c[0] + c[1])
                .sum();
            // The interval uses the denominator's effective size.
            rate(
                Count {
                    w: above,
                    w2: above,
                },
                n,
                z,
                EmptySegment,
            )
        }
        None => MetricValue::undefined(NoScores),
    };
    put(key::SCORING_RATE, scoring);
    let mut used_bins = None;
    if s.has_scores() {
        let bins = calibration::Bins::new(ctx.binning, s);
        let (ece, mce) = calibration::ece_mce(&bins);
        put(key::ECE, ece);
        put(key::MCE, mce);
        let citl = means.as_ref().map(|m| p.w / n.w - m.mean_score);
        put(key::CALIBRATION_IN_THE_LARGE, scored(citl));
        let (slope, intercept) = calibration::recalibration(s, ctx.logs);
        put(key::CALIBRATION_SLOPE, slope);
        put(key::CALIBRATION_INTERCEPT, intercept);
        let (hl, hl_p) = calibration::hosmer_lemeshow(&bins);
        put(key::HOSMER_LEMESHOW, hl);
        put(key::HOSMER_LEMESHOW_P, hl_p);
        used_bins = Some(bins);
    } else {
        let u = MetricValue::undefined(if empty { EmptySegment } else { NoScores });
        for k in [
            key::ECE,
            key::MCE,
            key::CALIBRATION_IN_THE_LARGE,
            key::CALIBRATION_SLOPE,
            key::CALIBRATION_INTERCEPT,
            key::HOSMER_LEMESHOW,
            key::HOSMER_LEMESHOW_P,
        ] {
            put(k, u);
        }
        // An empty segment still shows the table's uniform bins, each with no rows (quantile
        // bins have no edges without scores).
        // (Only when scores were audited: an audit of decisions has no calibration tables.)
        if empty && ctx.median.is_some() && matches!(ctx.binning, Binning::Uniform(_)) {
            used_bins = Some(calibration::Bins::new(ctx.binning, s));
        }
    }
    (m, used_bins)
}

/// The metrics of [`segment_metrics`] that depend on the decisions (the confusion counts at
/// the threshold), and only on them: `selection_rate`, `base_rate`, `accuracy`, `tpr`, `fnr`,
/// `tnr`, `fpr`, `ppv`, `fdr`, `npv`, `for`, `balanced_accuracy`, `f1`. The others depend on
/// the scores and labels alone, so an audit at another threshold recomputes only these.
pub(crate) fn count_metrics(s: &SegmentStats, z: f64) -> BTreeMap<String, MetricValue> {
    use Undefined::*;
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: MetricValue| {
        m.insert(k.to_string(), v);
    };
    let (p, neg, n) = (s.positives(), s.negatives(), s.n());
    // No rows, or rows that all weigh 0.
    let empty = s.rows == 0 || n.w <= 0.0;
    // An empty segment's every metric is undefined for that one reason (not "no positives"
    // and "all selected" at once).
    let why = |reason: Undefined| if empty { EmptySegment } else { reason };
    put(key::SELECTION_RATE, rate(s.selected(), n, z, EmptySegment));
    put(key::BASE_RATE, rate(p, n, z, EmptySegment));
    put(key::ACCURACY, rate(s.tp.plus(s.tn), n, z, EmptySegment));
    put(key::TPR, rate(s.tp, p, z, why(NoPositives)));
    put(key::FNR, rate(s.fn_, p, z, why(NoPositives)));
    put(key::TNR, rate(s.tn, neg, z, why(NoNegatives)));
    put(key::FPR, rate(s.fp, neg, z, why(NoNegatives)));
    put(key::PPV, rate(s.tp, s.selected(), z, why(NoneSelected)));
    put(key::FDR, rate(s.fp, s.selected(), z, why(NoneSelected)));
    put(key::NPV, rate(s.tn, s.rejected(), z, why(AllSelected)));
    put(key::FOR, rate(s.fn_, s.rejected(), z, why(AllSelected)));
    put(
        key::BALANCED_ACCURACY,
        if p.w <= 0.0 || neg.w <= 0.0 {
            MetricValue::undefined(if empty { EmptySegment } else { SingleClass })
        } else {
            MetricValue::of((s.tp.w / p.w + s.tn.w / neg.w) / 2.0)
        },
    );
    let f1_den = 2.0 * s.tp.w + s.fp.w + s.fn_.w;
    put(
        key::F1,
        MetricValue::ratio(2.0 * s.tp.w, f1_den, why(NoRelevantRows)),
    );
    m
}

/// What metrics need besides a segment's statistics.
#[derive(Clone, Copy, Debug)]
pub struct MetricContext<'a> {
    /// The normal quantile of the intervals.
    pub z: f64,
    /// The median score of the whole sample (for `scoring_rate`).
    pub median: Option<f64>,
    /// The calibration binning.
    pub binning: Binning,
    /// The logarithms of the whole sample's scores, shared by every group (`None`: each
    /// group computes its own; the results are the same).
    pub logs: Option<&'a ScoreLogs>,
}

/// The Mann-Whitney AUC over the score histogram, weighted as scikit-learn's
/// `roc_auc_score(sample_weight=...)`; `None` with one class.
pub fn auc(s: &SegmentStats) -> Option<f64> {
    let (p, n) = (s.positives().w, s.negatives().w);
    if p <= 0.0 || n <= 0.0 || !s.has_scores() {
        return None;
    }
    // For each distinct score: positives there beat every negative below, and tie half of
    // the negatives at the same score. Sums of integer counts (doubled) are exact in f64.
    let mut neg_below = 0.0;
    let mut twice_wins = 0.0;
    for (_, [negs, poss]) in s.score_weights() {
        twice_wins += poss * (2.0 * neg_below + negs);
        neg_below += negs;
    }
    Some(twice_wins / (2.0 * p * n))
}

/// Weighted means over the rows of a segment's scores, in one pass over the sorted histogram:
/// Brier = Σ w (s - y)² / Σ w; log loss = -Σ w (y ln s' + (1 - y) ln(1 - s')) / Σ w with s'
/// clipped to [ε, 1 - ε] (scikit-learn's `log_loss`); mean score = Σ w s / Σ w. `None` when
/// the segment has no scored weight.
struct ScoreMeans {
    brier: f64,
    log_loss: f64,
    mean_score: f64,
}

fn score_means(s: &SegmentStats, logs: Option<&ScoreLogs>) -> Option<ScoreMeans> {
    let (mut total_w, mut brier, mut log_loss, mut score) = (0.0, 0.0, 0.0, 0.0);
    let mut cursor = LogCursor::new(logs);
    for (key, c) in &s.scores {
        let (sc, [w0, w1]) = (f64::from_bits(*key), c.weight);
        total_w += w0 + w1;
        brier += w0 * (sc * sc) + w1 * ((sc - 1.0) * (sc - 1.0));
        // A label of 0 or 1 zeroes one of the two logarithms: each row's term is exactly
        // -ln(1 - s') or -ln(s').
        let l = cursor.get(*key);
        log_loss += w0 * -l.ln_not + w1 * -l.ln;
        score += w0 * sc + w1 * sc;
    }
    (total_w > 0.0).then(|| ScoreMeans {
        brier: brier / total_w,
        log_loss: log_loss / total_w,
        mean_score: score / total_w,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> MetricContext<'static> {
        MetricContext {
            z: 1.96,
            median: Some(0.5),
            binning: Binning::default(),
            logs: None,
        }
    }

    #[test]
    fn undefined_rates_say_why() {
        let mut s = SegmentStats::default();
        s.add(Some(0.9), true, false, 1.0);
        s.add(Some(0.1), false, false, 1.0);
        let m = segment_metrics(&s, &ctx());
        assert_eq!(m["tpr"].undefined_reason, Some(Undefined::NoPositives));
        assert_eq!(m["auc"].undefined_reason, Some(Undefined::SingleClass));
        assert_eq!(
            m["balanced_accuracy"].undefined_reason,
            Some(Undefined::SingleClass)
        );
        assert_eq!(m["fpr"].value, Some(0.5));
        let empty = segment_metrics(&SegmentStats::default(), &ctx());
        assert!(empty
            .values()
            .all(|v| v.value.is_none() && v.undefined_reason.is_some()));
    }

    #[test]
    fn auc_counts_ties_as_half() {
        // Pairs (pos, neg): 0.8>0.1, 0.8>0.4, 0.4=0.4 (half), 0.4>0.1: 3.5 of 4.
        let mut s = SegmentStats::default();
        for (sc, y) in [(0.8, true), (0.4, true), (0.4, false), (0.1, false)] {
            s.add(Some(sc), sc >= 0.5, y, 1.0);
        }
        assert_eq!(auc(&s), Some(0.875));
    }
}
