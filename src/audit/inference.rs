//! Significance and intervals for comparisons with the reference group.
//!
//! - Each group's selection against the reference's: a two-sided test on the 2x2 table
//!   [[selected, not selected] of the group, [selected, not selected] of the reference].
//!   Fisher's exact test when any expected count is below 5, Pearson's chi-square (1 degree of
//!   freedom, no continuity correction) otherwise. p-values are Holm-adjusted across the
//!   groups of an attribute.
//! - The difference of selection rates with Newcombe's hybrid score interval (his method 10,
//!   built from the two Wilson intervals).

use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

use super::interval::wilson_p;
use super::stats::Count;
use super::value::{MetricValue, Test, Undefined};

/// A two-sided test of independence on [[a, b], [c, d]]. Returns the p-value and the test;
/// `None` when a margin is zero (nothing to test).
pub fn two_by_two(a: u64, b: u64, c: u64, d: u64) -> Option<(f64, Test)> {
    let (r1, r2, c1, c2) = (a + b, c + d, a + c, b + d);
    let n = r1 + r2;
    if r1 == 0 || r2 == 0 || c1 == 0 || c2 == 0 {
        return None;
    }
    let expected_min = [r1 * c1, r1 * c2, r2 * c1, r2 * c2]
        .iter()
        .map(|&x| x as f64 / n as f64)
        .fold(f64::INFINITY, f64::min);
    if expected_min < 5.0 {
        return Some((fisher(a, r1, c1, n), Test::Fisher));
    }
    let (nf, af, bf, cf, df) = (n as f64, a as f64, b as f64, c as f64, d as f64);
    let num = nf * (af * df - bf * cf).powi(2);
    let chi2 = num / (r1 as f64 * r2 as f64 * c1 as f64 * c2 as f64);
    let p = ChiSquared::new(1.0).map(|x| x.sf(chi2)).ok()?;
    Some((p, Test::ChiSquare))
}

/// Fisher's exact two-sided p-value: the probability, under the hypergeometric law with these
/// margins, of every table no more likely than the observed one (within a relative 1e-7, as
/// scipy does).
fn fisher(a: u64, r1: u64, c1: u64, n: u64) -> f64 {
    let ln_choose = |n: u64, k: u64| {
        ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
    };
    let ln_total = ln_choose(n, c1);
    let pmf = |x: u64| (ln_choose(r1, x) + ln_choose(n - r1, c1 - x) - ln_total).exp();
    let lo = c1.saturating_sub(n - r1);
    let hi = r1.min(c1);
    let observed = pmf(a);
    let mut p = 0.0;
    for x in lo..=hi {
        let px = pmf(x);
        if px <= observed * (1.0 + 1e-7) {
            p += px;
        }
    }
    p.min(1.0)
}

/// Holm's step-down adjustment of `p` (in the given order), as statsmodels'
/// `multipletests(method="holm")`.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let mut out = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        let adj = ((m - rank) as f64 * p[i]).min(1.0);
        running = running.max(adj);
        out[i] = running;
    }
    out
}

/// The difference of two proportions k1/n1 - k2/n2 with Newcombe's hybrid score interval:
/// d - sqrt((p1 - l1)² + (u2 - p2)²) to d + sqrt((u1 - p1)² + (p2 - l2)²), where (l, u) are
/// the Wilson intervals (statsmodels `confint_proportions_2indep(method="newcomb")`), on the
/// effective sizes of the two denominators when rows are weighted.
pub fn newcombe(k1: Count, n1: Count, k2: Count, n2: Count, z: f64) -> MetricValue {
    if n1.w <= 0.0 || n2.w <= 0.0 {
        return MetricValue::undefined(Undefined::EmptySegment);
    }
    let (p1, p2) = (k1.w / n1.w, k2.w / n2.w);
    let (l1, u1) = wilson_p(p1, n1.n_eff(), z);
    let (l2, u2) = wilson_p(p2, n2.n_eff(), z);
    let d = p1 - p2;
    MetricValue::with_ci(
        d,
        (
            d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
            d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt(),
        ),
    )
}

/// AIF360's Theil index (generalized entropy with α = 1) of b_i = ŷ_i - y_i + 1 over all
/// rows: (1/n) Σ (b_i/μ) ln(b_i/μ), μ = mean b, with 0 ln 0 = 0. From the confusion counts:
/// b = 0 for false negatives, 1 for correct decisions, 2 for false positives. With weights,
/// every mean is weighted.
pub fn theil(tp: Count, fp: Count, tn: Count, fn_: Count) -> MetricValue {
    let n = tp.w + fp.w + tn.w + fn_.w;
    if n <= 0.0 {
        return MetricValue::undefined(Undefined::EmptySegment);
    }
    let mu = (tp.w + tn.w + 2.0 * fp.w) / n;
    if mu == 0.0 {
        return MetricValue::undefined(Undefined::ZeroDenominator);
    }
    let term = |b: f64| {
        if b == 0.0 {
            0.0
        } else {
            b / mu * (b / mu).ln()
        }
    };
    MetricValue::of(((tp.w + tn.w) * term(1.0) + fp.w * term(2.0)) / n)
}

/// The group-versus-reference test on selection: the 2x2 table of selected and not selected
/// rows ([`two_by_two`]), from effective counts rounded to whole rows when rows are weighted.
pub fn selection_test(sel: Count, n: Count, ref_sel: Count, ref_n: Count) -> Option<(f64, Test)> {
    let eff = |k: Count, n: Count| -> (u64, u64) {
        if n.w <= 0.0 {
            return (0, 0);
        }
        if k.w2 == k.w && n.w2 == n.w {
            // Unweighted: the counts themselves.
            return (k.w as u64, (n.w - k.w) as u64);
        }
        let ne = n.n_eff();
        let ke = (k.w / n.w * ne).round();
        (ke as u64, (ne.round() - ke).max(0.0) as u64)
    };
    let (a, b) = eff(sel, n);
    let (c, d) = eff(ref_sel, ref_n);
    two_by_two(a, b, c, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_matches_the_textbook_example() {
        // p = (0.01, 0.04, 0.03, 0.005), m = 4: sorted 0.005, 0.01, 0.03, 0.04 ->
        // 0.02, 0.03, 0.06, 0.06 (monotone), back in input order.
        let adj = holm(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
    }

    #[test]
    fn nothing_to_test_without_both_margins() {
        assert_eq!(two_by_two(0, 10, 0, 12), None);
        assert_eq!(two_by_two(3, 0, 4, 0), None);
    }
}
