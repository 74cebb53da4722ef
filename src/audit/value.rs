//! A metric's value: a number with an optional interval, or undefined with a reason. Never
//! NaN: a rate with a zero denominator is [`Undefined`], serialized as
//! `{"value": null, "undefined_reason": "no_positives"}`.

use serde::Serialize;

/// Which test produced a p-value.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// Fisher's exact test (two-sided).
    Fisher,
    /// Pearson's chi-square test without continuity correction.
    ChiSquare,
}

/// Why a metric has no value.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Undefined {
    /// The segment has no rows.
    EmptySegment,
    /// No row has a positive label (TPR, FNR).
    NoPositives,
    /// No row has a negative label (FPR, TNR).
    NoNegatives,
    /// No row was selected (PPV, FDR).
    NoneSelected,
    /// Every row was selected (NPV, FOR).
    AllSelected,
    /// Only one label class is present (AUC, balanced accuracy).
    SingleClass,
    /// The metric needs scores and only decisions were given.
    NoScores,
    /// A ratio's denominator is zero.
    ZeroDenominator,
    /// Fewer than two groups have the rate defined.
    TooFewGroups,
    /// F1 with no true positives, false positives or false negatives.
    NoRelevantRows,
    /// Fewer than three usable calibration bins (Hosmer-Lemeshow).
    TooFewBins,
    /// A fitted quantity does not exist (e.g. logistic recalibration under separation).
    NotEstimable,
}

/// A metric value with its interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct MetricValue {
    /// The estimate; `None` when undefined.
    pub value: Option<f64>,
    /// Lower end of the confidence interval, when there is one.
    pub ci_low: Option<f64>,
    /// Upper end of the confidence interval, when there is one.
    pub ci_high: Option<f64>,
    /// Why the value is missing.
    pub undefined_reason: Option<Undefined>,
    /// For comparisons with the reference group: the two-sided p-value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// The p-value after Holm's adjustment across the groups of the attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value_holm: Option<f64>,
    /// The test behind the p-value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<Test>,
    /// Lower end of the bootstrap percentile interval (with `--bootstrap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_low: Option<f64>,
    /// Upper end of the bootstrap percentile interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_high: Option<f64>,
}

impl MetricValue {
    /// No value, no interval, no reason: the base the constructors fill in.
    const BLANK: MetricValue = MetricValue {
        value: None,
        ci_low: None,
        ci_high: None,
        undefined_reason: None,
        p_value: None,
        p_value_holm: None,
        test: None,
        boot_low: None,
        boot_high: None,
    };

    /// A defined value without an interval.
    pub fn of(v: f64) -> MetricValue {
        MetricValue {
            value: Some(v),
            ..MetricValue::BLANK
        }
    }

    /// A defined value with an interval.
    pub fn with_ci(v: f64, (lo, hi): (f64, f64)) -> MetricValue {
        MetricValue {
            value: Some(v),
            ci_low: Some(lo),
            ci_high: Some(hi),
            ..MetricValue::BLANK
        }
    }

    /// An undefined value.
    pub fn undefined(reason: Undefined) -> MetricValue {
        MetricValue {
            undefined_reason: Some(reason),
            ..MetricValue::BLANK
        }
    }

    /// `num / den`, or undefined for `reason` when `den` is zero.
    pub fn ratio(num: f64, den: f64, reason: Undefined) -> MetricValue {
        if den == 0.0 {
            MetricValue::undefined(reason)
        } else {
            MetricValue::of(num / den)
        }
    }
}
