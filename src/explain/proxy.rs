//! Association between a feature and a protected attribute, to find proxies.
//!
//! - Cramér's V (categorical feature): `V = sqrt(χ² / (n · (min(r, c) − 1)))`, with `χ²` the
//!   Pearson statistic of the r x c contingency table (no continuity correction), as
//!   `scipy.stats.contingency.association(method="cramer")`.
//! - Correlation ratio (numeric feature): `η = sqrt(Σ_g n_g (m_g − m)² / Σ_i (x_i − m)²)`,
//!   the share of the feature's spread explained by the groups; with two groups it equals the
//!   absolute point-biserial correlation.
//! - Proxy AUC: how well the feature alone picks out each group (one group against the rest):
//!   a numeric feature's value is the score; a categorical feature's score is the group's share
//!   among rows with the same value. Each AUC is oriented to be at least 0.5 and the largest
//!   over the groups with at least the minimum group size is reported (a group of five is
//!   picked out by almost any feature by chance).

use std::collections::BTreeMap;

use crate::train::auc;

/// Cramér's V of paired codes; `None` when either side has one value.
pub fn cramers_v(a: &[u32], b: &[u32]) -> Option<f64> {
    let mut table: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    let mut ra: BTreeMap<u32, f64> = BTreeMap::new();
    let mut rb: BTreeMap<u32, f64> = BTreeMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *table.entry((x, y)).or_default() += 1.0;
        *ra.entry(x).or_default() += 1.0;
        *rb.entry(y).or_default() += 1.0;
    }
    let n = a.len().min(b.len()) as f64;
    let k = ra.len().min(rb.len());
    if k < 2 {
        return None;
    }
    let mut chi2 = 0.0;
    for (x, nx) in &ra {
        for (y, ny) in &rb {
            let expected = nx * ny / n;
            let observed = table.get(&(*x, *y)).copied().unwrap_or(0.0);
            chi2 += (observed - expected) * (observed - expected) / expected;
        }
    }
    Some((chi2 / (n * (k - 1) as f64)).sqrt())
}

/// The correlation ratio η of values `x` over groups `g`; `None` when `x` is constant.
pub fn correlation_ratio(x: &[f64], g: &[u32]) -> Option<f64> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let mut groups: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    for (&v, &k) in x.iter().zip(g) {
        let e = groups.entry(k).or_default();
        e.0 += 1.0;
        e.1 += v;
    }
    let total: f64 = x.iter().map(|v| (v - mean) * (v - mean)).sum();
    if total <= 0.0 {
        return None;
    }
    let between: f64 = groups
        .values()
        .map(|(c, s)| c * (s / c - mean) * (s / c - mean))
        .sum();
    Some((between / total).sqrt().min(1.0))
}

/// The groups of `g` with at least `min` rows (the ones an AUC is reported for; a tiny group
/// is trivially easy to pick out by chance).
fn sized_groups(g: &[u32], min: u64) -> std::collections::BTreeSet<u32> {
    let mut n: BTreeMap<u32, u64> = BTreeMap::new();
    for &k in g {
        *n.entry(k).or_default() += 1;
    }
    n.into_iter()
        .filter(|(_, c)| *c >= min)
        .map(|(k, _)| k)
        .collect()
}

/// The largest one-against-the-rest AUC over the groups of `g` with at least `min` rows,
/// oriented to be at least 0.5, and the group it was found for. `score` is the feature's
/// value for a numeric feature.
pub fn proxy_auc(score: &[f64], g: &[u32], min: u64) -> Option<(f64, u32)> {
    let all: std::collections::BTreeSet<u32> = g.iter().copied().collect();
    let groups = sized_groups(g, min);
    if all.len() < 2 || groups.is_empty() {
        return None;
    }
    let mut best: Option<(f64, u32)> = None;
    for &k in &groups {
        let y: Vec<bool> = g.iter().map(|&x| x == k).collect();
        if let Some(a) = auc(score, &y) {
            let a = a.max(1.0 - a);
            if best.is_none_or(|(b, _)| a > b) {
                best = Some((a, k));
            }
        }
        if all.len() == 2 {
            break; // the other group gives the same oriented AUC
        }
    }
    best
}

/// The largest one-against-the-rest AUC of a categorical feature `f` over the groups with at
/// least `min` rows: each row's score for group `k` is the share of `k` among rows with the
/// same value of `f`.
pub fn proxy_auc_categorical(f: &[u32], g: &[u32], min: u64) -> Option<(f64, u32)> {
    let all: std::collections::BTreeSet<u32> = g.iter().copied().collect();
    let groups = sized_groups(g, min);
    if all.len() < 2 || groups.is_empty() {
        return None;
    }
    let mut count: BTreeMap<u32, f64> = BTreeMap::new();
    let mut joint: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    for (&v, &k) in f.iter().zip(g) {
        *count.entry(v).or_default() += 1.0;
        *joint.entry((v, k)).or_default() += 1.0;
    }
    let mut best: Option<(f64, u32)> = None;
    for &k in &groups {
        let score: Vec<f64> = f
            .iter()
            .map(|v| joint.get(&(*v, k)).copied().unwrap_or(0.0) / count[v])
            .collect();
        let y: Vec<bool> = g.iter().map(|&x| x == k).collect();
        if let Some(a) = auc(&score, &y) {
            let a = a.max(1.0 - a);
            if best.is_none_or(|(b, _)| a > b) {
                best = Some((a, k));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_absent_association() {
        let a = [0, 0, 1, 1, 2, 2];
        assert!((cramers_v(&a, &a).unwrap_or(0.0) - 1.0).abs() < 1e-12);
        let b = [0, 1, 0, 1, 0, 1];
        assert!(cramers_v(&a, &b).unwrap_or(1.0).abs() < 1e-12);
        assert_eq!(cramers_v(&[0, 0], &[0, 1]), None);
        let x = [1.0, 1.0, 5.0, 5.0];
        let g = [0, 0, 1, 1];
        assert!((correlation_ratio(&x, &g).unwrap_or(0.0) - 1.0).abs() < 1e-12);
        assert_eq!(proxy_auc(&x, &g, 1), Some((1.0, 0)));
        assert_eq!(proxy_auc(&x, &g, 3), None);
        assert_eq!(
            proxy_auc_categorical(&[7, 7, 8, 8], &g, 2).map(|r| r.0),
            Some(1.0)
        );
    }
}
