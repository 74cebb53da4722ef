//! Validation scores of a fitted model, and the train/validation splits they come from.
//!
//! - ROC AUC: the probability that a random positive scores above a random negative, ties
//!   counting one half (`Σ_pos (#neg below + ½ #neg tied) / (P·N)`), as scikit-learn's
//!   `roc_auc_score`; undefined with one class.
//! - Log loss: `−(1/n) Σ [y log p + (1 − y) log(1 − p)]` with `p` clipped to
//!   `[ε, 1 − ε]`, ε = 2⁻⁵² (scikit-learn's `log_loss` for float64).
//! - Brier score: `(1/n) Σ (p − y)²`.
//!
//! With row weights `w_i` (scikit-learn's `sample_weight`), each row counts `w_i` times: the
//! AUC's pairs are weighted `w_pos · w_neg`, and the means are `Σ w_i loss_i / Σ w_i`.

use rand::{seq::SliceRandom, SeedableRng};
use serde::{Deserialize, Serialize};

/// Scores of predictions against labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Scores {
    /// Rows scored.
    pub n: u64,
    /// Rows with a positive label.
    pub positives: u64,
    /// ROC AUC; `None` when undefined (see `auc_undefined`).
    pub auc: Option<f64>,
    /// Why the AUC is undefined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auc_undefined: Option<String>,
    /// Mean log loss.
    pub log_loss: f64,
    /// Brier score.
    pub brier: f64,
}

impl Scores {
    /// Scores `p` (probabilities) against `y`. `None` when there are no rows.
    pub fn of(p: &[f64], y: &[bool]) -> Option<Scores> {
        Scores::weighted(p, y, None)
    }

    /// Scores `p` against `y` with optional row weights (scikit-learn's `sample_weight`).
    /// `None` when there are no rows or the weights sum to zero.
    pub fn weighted(p: &[f64], y: &[bool], w: Option<&[f64]>) -> Option<Scores> {
        let n = p.len().min(y.len());
        let weight = |i: usize| w.map_or(1.0, |w| w[i]);
        let total: f64 = (0..n).map(weight).sum();
        if n == 0 || total <= 0.0 {
            return None;
        }
        let positives = y[..n].iter().filter(|b| **b).count() as u64;
        let auc = weighted_auc(&p[..n], &y[..n], w);
        let eps = f64::EPSILON;
        let mut log_loss = 0.0;
        let mut brier = 0.0;
        for (i, (&pi, &yi)) in p.iter().zip(y).enumerate().take(n) {
            let q = pi.clamp(eps, 1.0 - eps);
            let wi = weight(i);
            log_loss -= wi * if yi { q.ln() } else { (1.0 - q).ln() };
            let t = if yi { 1.0 } else { 0.0 };
            brier += wi * (pi - t) * (pi - t);
        }
        Some(Scores {
            n: n as u64,
            positives,
            auc,
            auc_undefined: auc
                .is_none()
                .then(|| "only one label class among these rows".to_string()),
            log_loss: log_loss / total,
            brier: brier / total,
        })
    }
}

/// ROC AUC with ties counted one half; `None` with one class.
pub fn auc(p: &[f64], y: &[bool]) -> Option<f64> {
    weighted_auc(p, y, None)
}

/// Weighted ROC AUC (`Σ_pos w_pos (W_neg below + ½ W_neg tied) / (W_pos · W_neg)`, as
/// scikit-learn's `roc_auc_score` with `sample_weight`); `None` when a class has no weight.
pub fn weighted_auc(p: &[f64], y: &[bool], w: Option<&[f64]>) -> Option<f64> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let (mut neg_below, mut twice_wins) = (0.0f64, 0.0f64);
    let (mut pos_total, mut neg_total) = (0.0f64, 0.0f64);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        let (mut pos, mut neg) = (0.0, 0.0);
        while j < order.len() && p[order[j]] == p[order[i]] {
            let wj = w.map_or(1.0, |w| w[order[j]]);
            if y[order[j]] {
                pos += wj;
            } else {
                neg += wj;
            }
            j += 1;
        }
        twice_wins += pos * (2.0 * neg_below + neg);
        neg_below += neg;
        pos_total += pos;
        neg_total += neg;
        i = j;
    }
    (pos_total > 0.0 && neg_total > 0.0).then(|| twice_wins / (2.0 * pos_total * neg_total))
}

/// A seeded shuffle of each class's row indices (so splits keep the class balance).
fn shuffled_by_class(y: &[bool], seed: u64) -> [Vec<usize>; 2] {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut classes = [Vec::new(), Vec::new()];
    for (i, &b) in y.iter().enumerate() {
        classes[usize::from(b)].push(i);
    }
    for c in &mut classes {
        c.shuffle(&mut rng);
    }
    classes
}

/// A stratified split: `round(test_size × class size)` rows of each class go to validation.
/// Returns (training rows, validation rows), each in ascending order.
pub fn stratified_split(y: &[bool], test_size: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut train = Vec::new();
    let mut valid = Vec::new();
    for class in shuffled_by_class(y, seed) {
        let k = ((class.len() as f64) * test_size).round() as usize;
        valid.extend_from_slice(&class[..k.min(class.len())]);
        train.extend_from_slice(&class[k.min(class.len())..]);
    }
    train.sort_unstable();
    valid.sort_unstable();
    (train, valid)
}

/// Stratified k-fold: each class's shuffled rows are dealt to the folds in turn. Returns,
/// per fold, its held-out rows (ascending); the other folds are its training rows.
pub fn stratified_folds(y: &[bool], k: usize, seed: u64) -> Vec<Vec<usize>> {
    let k = k.max(1);
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for class in shuffled_by_class(y, seed) {
        for i in class {
            folds[next % k].push(i);
            next += 1;
        }
    }
    for f in &mut folds {
        f.sort_unstable();
    }
    folds
}

/// Mean, sample standard deviation and values of a metric over folds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Spread {
    /// Mean over the folds where it is defined.
    pub mean: Option<f64>,
    /// Sample standard deviation (n − 1) over those folds; `None` with fewer than two.
    pub sd: Option<f64>,
    /// Per fold (`None` where undefined).
    pub values: Vec<Option<f64>>,
}

impl Spread {
    /// The spread of `values`.
    pub fn of(values: Vec<Option<f64>>) -> Spread {
        let v: Vec<f64> = values.iter().flatten().copied().collect();
        let mean = (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
        let sd = mean.filter(|_| v.len() > 1).map(|m| {
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
        });
        Spread { mean, sd, values }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        // Pairs: (0.8+ vs 0.2-) win, (0.5+ vs 0.5-) tie, (0.5+ vs 0.2-) win, (0.8+ vs 0.5-) win.
        let p = [0.2, 0.5, 0.5, 0.8];
        let y = [false, false, true, true];
        assert_eq!(auc(&p, &y), Some(3.5 / 4.0));
        assert_eq!(auc(&p, &[true; 4]), None);
    }

    #[test]
    fn splits_keep_class_balance_and_cover_every_row() {
        let y: Vec<bool> = (0..1000).map(|i| i % 5 == 0).collect();
        let (train, valid) = stratified_split(&y, 0.3, 7);
        assert_eq!(train.len() + valid.len(), 1000);
        assert_eq!(valid.iter().filter(|&&i| y[i]).count(), 60);
        let folds = stratified_folds(&y, 5, 7);
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        for f in &folds {
            assert_eq!(f.iter().filter(|&&i| y[i]).count(), 40);
        }
        assert_eq!(stratified_split(&y, 0.3, 7), (train, valid));
    }
}
