//! The JSON names of the metrics, written once: the audit writes them, and the checks, the
//! gate, the comparison and the report read them through these constants, so a misspelt name
//! is a compile error rather than a metric silently missing. Each metric's definition is on
//! the function that computes it (`audit/metrics.rs`, `audit/summary.rs`).

/// Share of the group with a positive decision.
pub const SELECTION_RATE: &str = "selection_rate";
/// Share of the group with a positive label.
pub const BASE_RATE: &str = "base_rate";
/// Share of the group scoring above the whole sample's median (NYC Local Law 144).
pub const SCORING_RATE: &str = "scoring_rate";
/// True positive rate.
pub const TPR: &str = "tpr";
/// False positive rate.
pub const FPR: &str = "fpr";
/// True negative rate.
pub const TNR: &str = "tnr";
/// False negative rate.
pub const FNR: &str = "fnr";
/// Positive predictive value.
pub const PPV: &str = "ppv";
/// Negative predictive value.
pub const NPV: &str = "npv";
/// False discovery rate.
pub const FDR: &str = "fdr";
/// False omission rate.
pub const FOR: &str = "for";
/// Accuracy.
pub const ACCURACY: &str = "accuracy";
/// Balanced accuracy.
pub const BALANCED_ACCURACY: &str = "balanced_accuracy";
/// F1 score.
pub const F1: &str = "f1";
/// ROC AUC.
pub const AUC: &str = "auc";
/// Brier score.
pub const BRIER: &str = "brier";
/// Log loss.
pub const LOG_LOSS: &str = "log_loss";
/// Mean score.
pub const MEAN_SCORE: &str = "mean_score";
/// Expected calibration error.
pub const ECE: &str = "ece";
/// Maximum calibration error.
pub const MCE: &str = "mce";
/// Calibration slope.
pub const CALIBRATION_SLOPE: &str = "calibration_slope";
/// Calibration intercept.
pub const CALIBRATION_INTERCEPT: &str = "calibration_intercept";
/// Calibration-in-the-large.
pub const CALIBRATION_IN_THE_LARGE: &str = "calibration_in_the_large";
/// The Hosmer-Lemeshow statistic.
pub const HOSMER_LEMESHOW: &str = "hosmer_lemeshow";
/// The Hosmer-Lemeshow p-value.
pub const HOSMER_LEMESHOW_P: &str = "hosmer_lemeshow_p";
/// Selection rate over the reference group's (disparate impact, the impact ratio).
pub const DISPARATE_IMPACT: &str = "disparate_impact";
/// Selection rate minus the reference group's.
pub const SELECTION_RATE_DIFFERENCE: &str = "selection_rate_difference";
/// Mean of the FPR and TPR differences from the reference group.
pub const AVERAGE_ODDS_DIFFERENCE: &str = "average_odds_difference";
/// Range of the selection rates across groups.
pub const DEMOGRAPHIC_PARITY_DIFFERENCE: &str = "demographic_parity_difference";
/// Smallest over largest selection rate across groups.
pub const DEMOGRAPHIC_PARITY_RATIO: &str = "demographic_parity_ratio";
/// The larger of the TPR and FPR ranges across groups.
pub const EQUALIZED_ODDS_DIFFERENCE: &str = "equalized_odds_difference";
/// The smaller of the TPR and FPR min/max ratios across groups.
pub const EQUALIZED_ODDS_RATIO: &str = "equalized_odds_ratio";
/// Range of the TPR across groups.
pub const EQUAL_OPPORTUNITY_DIFFERENCE: &str = "equal_opportunity_difference";
/// Range of the PPV across groups.
pub const PREDICTIVE_PARITY_DIFFERENCE: &str = "predictive_parity_difference";
/// Range of the ECE across groups.
pub const ECE_GAP: &str = "ece_gap";
/// The generalized entropy index (alpha = 1) of the whole sample.
pub const THEIL_INDEX: &str = "theil_index";
