//! Disparity across the groups of one attribute (or intersection), computed over the groups
//! that are not small and where the rate is defined. Fairlearn counts an undefined TPR or FPR
//! as 0; fairgate leaves such a group out of that rate and says so (`excluded`).

use super::key;
use std::collections::BTreeMap;

use super::interval::z_for;
use super::stats::Count;
use super::value::{MetricValue, Undefined};

/// The spread of one rate over groups: max - min and min / max (Fairlearn's `between_groups`).
fn spread(values: &[f64]) -> (MetricValue, MetricValue) {
    if values.len() < 2 {
        let u = MetricValue::undefined(Undefined::TooFewGroups);
        return (u, u);
    }
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    (
        MetricValue::of(max - min),
        MetricValue::ratio(min, max, Undefined::ZeroDenominator),
    )
}

/// The summary keys of one attribute:
///
/// - `demographic_parity_difference` = max - min selection rate over groups;
///   `demographic_parity_ratio` = min / max (Fairlearn).
/// - `equalized_odds_difference` = max(TPR spread, FPR spread);
///   `equalized_odds_ratio` = min(TPR ratio, FPR ratio) (Fairlearn's default `agg="worst_case"`).
/// - `equal_opportunity_difference` = max - min TPR.
/// - `predictive_parity_difference` = max - min PPV; `ece_gap` = max - min ECE.
/// - `average_odds_difference`: the group value furthest from 0, where a group's value is
///   AIF360's ½ ((FPR_g - FPR_ref) + (TPR_g - TPR_ref)) against the reference group.
///
/// Every summary is undefined (`too_few_groups`) over fewer than two groups with the rate
/// defined.
///
/// `groups` holds each (non-small) group's metrics. Returns the summary and, per rate, the
/// groups left out because the rate was undefined there.
pub fn summarize(
    groups: &[(&str, &BTreeMap<String, MetricValue>)],
) -> (BTreeMap<String, MetricValue>, BTreeMap<String, Vec<String>>) {
    let mut excluded: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut defined = |key: &str| -> Vec<f64> {
        let mut v = Vec::new();
        for (name, m) in groups {
            match m.get(key).and_then(|x| x.value) {
                Some(x) => v.push(x),
                None => excluded
                    .entry(key.to_string())
                    .or_default()
                    .push(name.to_string()),
            }
        }
        v
    };
    let (dp_d, dp_r) = spread(&defined(key::SELECTION_RATE));
    let (tpr_d, tpr_r) = spread(&defined(key::TPR));
    let (fpr_d, fpr_r) = spread(&defined(key::FPR));
    let worst = |a: MetricValue, b: MetricValue, pick: fn(f64, f64) -> f64| match (a.value, b.value)
    {
        (Some(x), Some(y)) => MetricValue::of(pick(x, y)),
        _ => MetricValue::undefined(
            a.undefined_reason
                .or(b.undefined_reason)
                .unwrap_or(Undefined::TooFewGroups),
        ),
    };
    let mut s = BTreeMap::new();
    s.insert(key::DEMOGRAPHIC_PARITY_DIFFERENCE.into(), dp_d);
    s.insert(key::DEMOGRAPHIC_PARITY_RATIO.into(), dp_r);
    s.insert(
        key::EQUALIZED_ODDS_DIFFERENCE.into(),
        worst(tpr_d, fpr_d, f64::max),
    );
    s.insert(
        key::EQUALIZED_ODDS_RATIO.into(),
        worst(tpr_r, fpr_r, f64::min),
    );
    s.insert(key::EQUAL_OPPORTUNITY_DIFFERENCE.into(), tpr_d);
    s.insert(
        key::PREDICTIVE_PARITY_DIFFERENCE.into(),
        spread(&defined(key::PPV)).0,
    );
    s.insert(key::ECE_GAP.into(), spread(&defined(key::ECE)).0);
    // The group furthest from the reference in average odds (signed); like every summary,
    // undefined with fewer than two groups (the reference alone compares with nothing).
    let aod = defined(key::AVERAGE_ODDS_DIFFERENCE);
    s.insert(
        key::AVERAGE_ODDS_DIFFERENCE.into(),
        aod.iter()
            .copied()
            .max_by(|a, b| a.abs().total_cmp(&b.abs()))
            .filter(|_| aod.len() >= 2)
            .map_or(
                MetricValue::undefined(Undefined::TooFewGroups),
                MetricValue::of,
            ),
    );
    (s, excluded)
}

/// A group's disparate impact against the reference (AIF360: selection rate of the group /
/// selection rate of the reference), with the Katz log interval
/// `exp(ln RR ± z sqrt(1/a - 1/n1 + 1/c - 1/n2))`, where a of n1 group rows and c of n2
/// reference rows were selected (effective counts when rows are weighted). Undefined when the
/// group is empty (`empty_segment`) or the reference selects nobody (`zero_denominator`); the
/// interval is left out when a or c is 0.
pub fn disparate_impact(a: Count, n1: Count, c: Count, n2: Count, confidence: f64) -> MetricValue {
    if n1.w <= 0.0 {
        // An empty group: like its every other metric.
        return MetricValue::undefined(Undefined::EmptySegment);
    }
    if n2.w <= 0.0 || c.w <= 0.0 {
        return MetricValue::undefined(Undefined::ZeroDenominator);
    }
    let (p1, p2) = (a.w / n1.w, c.w / n2.w);
    let rr = p1 / p2;
    if a.w <= 0.0 {
        return MetricValue::of(rr);
    }
    let (n1e, n2e) = (n1.n_eff(), n2.n_eff());
    let (ae, ce) = if a.w2 == a.w && n1.w2 == n1.w && c.w2 == c.w && n2.w2 == n2.w {
        (a.w, c.w)
    } else {
        (p1 * n1e, p2 * n2e)
    };
    let se = (1.0 / ae - 1.0 / n1e + 1.0 / ce - 1.0 / n2e).sqrt();
    let z = z_for(confidence);
    MetricValue::with_ci(rr, ((rr.ln() - z * se).exp(), (rr.ln() + z * se).exp()))
}
