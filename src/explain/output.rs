//! What `explain` finds ([`Explanation`] and its parts) and the named parts of a subject
//! export. The parts that schema version 1 wrote as positional arrays read both shapes (see
//! [`crate::provenance`]).

use serde::{Deserialize, Serialize};

use super::EXPLAIN_SCHEMA_VERSION;
use crate::provenance::FileRef;
use crate::train::ModelKind;

/// The model an explanation is of: its creation time and kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "ModelRefRepr")]
// The schema is of what is written; the older forms read back are not part of it.
#[schemars(!from)]
pub struct ModelRef {
    /// When the model was trained (its `created`).
    pub created: String,
    /// Logistic regression or points.
    pub kind: ModelKind,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ModelRefRepr {
    Named { created: String, kind: ModelKind },
    Pair(String, ModelKind),
}

impl From<ModelRefRepr> for ModelRef {
    fn from(r: ModelRefRepr) -> Self {
        match r {
            ModelRefRepr::Named { created, kind } | ModelRefRepr::Pair(created, kind) => {
                ModelRef { created, kind }
            }
        }
    }
}

/// The rows of an explanation.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(from = "RowsRepr")]
// The schema is of what is written; the older forms read back are not part of it.
#[schemars(!from)]
pub struct ExplainedRows {
    /// Data rows read.
    pub read: u64,
    /// Rows explained: those with a lawful basis.
    pub explained: u64,
    /// Rows excluded for want of consent.
    pub excluded_for_consent: u64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RowsRepr {
    Named {
        read: u64,
        explained: u64,
        excluded_for_consent: u64,
    },
    Triple(u64, u64, u64),
}

impl From<RowsRepr> for ExplainedRows {
    fn from(r: RowsRepr) -> Self {
        match r {
            RowsRepr::Named {
                read,
                explained,
                excluded_for_consent,
            }
            | RowsRepr::Triple(read, explained, excluded_for_consent) => ExplainedRows {
                read,
                explained,
                excluded_for_consent,
            },
        }
    }
}

/// How many people below the threshold have a counterfactual (a single change that would
/// reach it).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(from = "CoverageRepr")]
// The schema is of what is written; the older forms read back are not part of it.
#[schemars(!from)]
pub struct Coverage {
    /// People scored below the threshold.
    pub below_threshold: u64,
    /// Of those, people with at least one counterfactual.
    pub with_counterfactual: u64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CoverageRepr {
    Named {
        below_threshold: u64,
        with_counterfactual: u64,
    },
    Pair(u64, u64),
}

impl From<CoverageRepr> for Coverage {
    fn from(r: CoverageRepr) -> Self {
        match r {
            CoverageRepr::Named {
                below_threshold,
                with_counterfactual,
            }
            | CoverageRepr::Pair(below_threshold, with_counterfactual) => Coverage {
                below_threshold,
                with_counterfactual,
            },
        }
    }
}

/// The person a subject export is about: the identifier column and its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubjectId {
    /// The identifier column.
    pub column: String,
    /// The person's identifier.
    pub value: String,
}

/// Where a record is stored: the file and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordSource {
    /// The data file as named.
    pub path: String,
    /// The 1-based line the record starts on.
    pub line: u64,
}

/// One stored field of a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordField {
    /// The column.
    pub column: String,
    /// The value as stored.
    pub value: String,
}

/// The model a subject export's score comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ModelVersion {
    /// When the model was trained.
    pub created: String,
    /// The fairgate version that trained it.
    pub fairgate_version: String,
}

/// One design column of a logistic model, with inference from the Fisher information.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct GlobalTerm {
    /// `feature` or `feature=level`.
    pub name: String,
    /// The coefficient (per standard deviation for numeric features).
    pub coefficient: f64,
    /// `exp(coefficient)`.
    pub odds_ratio: f64,
    /// Standard error: the square root of the diagonal of the inverse of the penalised
    /// Fisher information `Xᵀ diag(p(1−p)) X + I/C` at the fit, over the explained rows.
    pub std_error: f64,
    /// Wald interval at 95%: coefficient ± 1.96 standard errors.
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Two-sided Wald p-value, `2 (1 − Φ(|β / se|))`.
    pub p_value: f64,
}

/// What a feature does to the scores.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct FeatureImportance {
    /// The feature.
    pub feature: String,
    /// Standardised importance: the standard deviation of its contribution to the logit
    /// across the explained rows.
    pub contribution_sd: f64,
    /// Mean drop in ROC AUC when its values are permuted among the rows (needs labels).
    pub permutation_auc_drop: Option<f64>,
    /// Sample standard deviation of that drop over the repeats.
    pub permutation_auc_drop_sd: Option<f64>,
    /// How often it is a person's top reason code.
    pub top_reason_share: f64,
}

/// A feature's association with one protected attribute.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ProxyFinding {
    /// The feature.
    pub feature: String,
    /// The protected attribute.
    pub attribute: String,
    /// `cramers_v` (categorical feature) or `correlation_ratio` (numeric).
    pub measure: String,
    /// Its value; `None` when undefined (a constant column).
    pub association: Option<f64>,
    /// The largest one-against-the-rest AUC of the feature alone for a group.
    pub auc: Option<f64>,
    /// The group of that AUC.
    pub auc_group: Option<String>,
    /// Whether either measure reaches its threshold.
    pub likely_proxy: bool,
}

/// The score gap between the highest- and lowest-scoring groups of an attribute, split by
/// feature (differences in mean contribution; they add up to the gap in mean logit).
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ScoreGap {
    /// The protected attribute.
    pub attribute: String,
    /// The group with the highest mean logit.
    pub high_group: String,
    /// The group with the lowest mean logit.
    pub low_group: String,
    /// Mean logit difference.
    pub logit_gap: f64,
    /// Per feature, its share of the gap, largest first.
    pub by_feature: Vec<FeatureGap>,
}

/// A refit without one feature.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct MinimisationFinding {
    /// The feature left out.
    pub feature: String,
    /// Validation AUC of the refit without it.
    pub auc_without: Option<f64>,
    /// Validation AUC lost (full model minus refit).
    pub auc_loss: Option<f64>,
    /// Whether the loss is below the tolerance: a candidate to stop collecting.
    pub candidate: bool,
}

/// The data-minimisation evidence.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Minimisation {
    /// Validation AUC of the refitted full model.
    pub auc_full: Option<f64>,
    /// Rows the refits were fitted on and validated on.
    pub train_rows: u64,
    /// Rows validated on.
    pub validation_rows: u64,
    /// The tolerance.
    pub tolerance: f64,
    /// Per feature.
    pub features: Vec<MinimisationFinding>,
}

/// How often a points rule fires in each group of an attribute.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RuleFiringByGroup {
    /// The rule.
    pub rule: String,
    /// Its points in words.
    pub description: String,
    /// The attribute.
    pub attribute: String,
    /// Per group: its rows and the share of them where the rule fires.
    pub groups: Vec<GroupFiring>,
}

/// Everything `explain` finds.
#[derive(Clone, Debug, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Explanation {
    /// [`EXPLAIN_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// fairgate's version.
    pub fairgate_version: String,
    /// The explained file and its SHA-256.
    pub input: FileRef,
    /// The model file's creation time and kind.
    pub model: ModelRef,
    /// Rows read, rows explained (with a lawful basis), rows excluded for consent.
    pub rows: ExplainedRows,
    /// The base value of the contributions (logistic models).
    pub base_value: Option<f64>,
    /// Coefficients with inference (logistic models).
    pub terms: Vec<GlobalTerm>,
    /// Per feature importance.
    pub importance: Vec<FeatureImportance>,
    /// Points rules by group (points models).
    pub rules_by_group: Vec<RuleFiringByGroup>,
    /// Proxy findings, per feature and attribute.
    pub proxies: Vec<ProxyFinding>,
    /// Score gaps per attribute.
    pub score_gaps: Vec<ScoreGap>,
    /// Data-minimisation refits (logistic models with labels).
    pub minimisation: Option<Minimisation>,
    /// People below the threshold, and how many of them have a counterfactual.
    pub counterfactual_coverage: Coverage,
}

impl Explanation {
    /// Reads an explanation written by `fairgate explain --format json` and checks it before the
    /// gate or the report relies on it: every field typed (a renamed or missing field is an
    /// error, never a silent default), and each proxy's `association` and `auc` absent or in
    /// [0, 1]. The error names the field.
    pub fn from_json(bytes: &[u8]) -> Result<Explanation, String> {
        let e: Explanation = serde_json::from_slice(bytes).map_err(|err| {
            format!(
                "line {}, column {}: not a fairgate explanation JSON (fairgate explain --format json): {err}",
                err.line(),
                err.column()
            )
        })?;
        if !(1..=EXPLAIN_SCHEMA_VERSION).contains(&e.schema_version) {
            return Err(format!(
                "schema_version {}: this fairgate reads explanation versions 1 to {EXPLAIN_SCHEMA_VERSION}",
                e.schema_version
            ));
        }
        e.check()?;
        // Read into the current layout, so it is written back (in evidence.json) as one.
        let mut e = e;
        e.schema_version = EXPLAIN_SCHEMA_VERSION;
        Ok(e)
    }

    /// The proxy findings flagged as likely proxies.
    pub fn likely_proxies(&self) -> impl Iterator<Item = &ProxyFinding> {
        self.proxies.iter().filter(|p| p.likely_proxy)
    }

    /// The features that are data-minimisation candidates.
    pub fn minimisation_candidates(&self) -> impl Iterator<Item = &str> {
        self.minimisation
            .iter()
            .flat_map(|m| &m.features)
            .filter(|f| f.candidate)
            .map(|f| f.feature.as_str())
    }

    /// The range checks of [`Explanation::from_json`].
    pub fn check(&self) -> Result<(), String> {
        for (i, p) in self.proxies.iter().enumerate() {
            for (key, v) in [("association", p.association), ("auc", p.auc)] {
                // Computed in floating point: 1 may come out a few ulps above.
                if let Some(x) = v.filter(|x| !(-1e-9..=1.0 + 1e-9).contains(x)) {
                    return Err(format!(
                        "proxies[{i}] ({} for {}).{key}: expected a number from 0 to 1, found {x}",
                        p.feature, p.attribute
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A feature's part of a score gap between two groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "FeatureGapRepr")]
// The schema is of what is written; the older forms read back are not part of it.
#[schemars(!from)]
pub struct FeatureGap {
    /// The feature.
    pub feature: String,
    /// Its contribution to the gap in mean log-odds.
    pub logit_gap: f64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FeatureGapRepr {
    Named { feature: String, logit_gap: f64 },
    Pair(String, f64),
}

impl From<FeatureGapRepr> for FeatureGap {
    fn from(r: FeatureGapRepr) -> Self {
        match r {
            FeatureGapRepr::Named { feature, logit_gap }
            | FeatureGapRepr::Pair(feature, logit_gap) => FeatureGap { feature, logit_gap },
        }
    }
}

/// How often a points rule fires in one group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "GroupFiringRepr")]
// The schema is of what is written; the older forms read back are not part of it.
#[schemars(!from)]
pub struct GroupFiring {
    /// The group.
    pub group: String,
    /// Its rows.
    pub rows: u64,
    /// The share of its rows where the rule fires.
    pub share: f64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum GroupFiringRepr {
    Named {
        group: String,
        rows: u64,
        share: f64,
    },
    Triple(String, u64, f64),
}

impl From<GroupFiringRepr> for GroupFiring {
    fn from(r: GroupFiringRepr) -> Self {
        match r {
            GroupFiringRepr::Named { group, rows, share }
            | GroupFiringRepr::Triple(group, rows, share) => GroupFiring { group, rows, share },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Coverage, ExplainedRows, ModelRef};

    #[test]
    fn version_1_arrays_read_as_the_named_fields() -> serde_json::Result<()> {
        let rows: ExplainedRows = serde_json::from_str("[10, 8, 2]")?;
        let named: ExplainedRows =
            serde_json::from_str(r#"{"read": 10, "explained": 8, "excluded_for_consent": 2}"#)?;
        assert_eq!(rows, named);
        assert_eq!(rows.excluded_for_consent, 2);
        let c: Coverage = serde_json::from_str("[5, 3]")?;
        let g: super::FeatureGap = serde_json::from_str(r#"["email_opens", 0.25]"#)?;
        assert_eq!((g.feature.as_str(), g.logit_gap), ("email_opens", 0.25));
        let f: super::GroupFiring = serde_json::from_str(r#"["65+", 40, 0.5]"#)?;
        assert_eq!((f.group.as_str(), f.rows, f.share), ("65+", 40, 0.5));
        assert_eq!((c.below_threshold, c.with_counterfactual), (5, 3));
        let m: ModelRef = serde_json::from_str(r#"["2026-06-30", "logistic"]"#)?;
        assert_eq!(m.created, "2026-06-30");
        assert!(serde_json::from_str::<ExplainedRows>("[10, 8]").is_err());
        Ok(())
    }
}
