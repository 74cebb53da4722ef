//! The named parts of an explanation and of a subject export that schema version 1 wrote as
//! positional arrays. Each reads both shapes (see [`crate::provenance`]).

use serde::{Deserialize, Serialize};

use crate::train::ModelKind;

/// The model an explanation is of: its creation time and kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "ModelRefRepr")]
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RowsRepr")]
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CoverageRepr")]
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
        assert_eq!((c.below_threshold, c.with_counterfactual), (5, 3));
        let m: ModelRef = serde_json::from_str(r#"["2026-06-30", "logistic"]"#)?;
        assert_eq!(m.created, "2026-06-30");
        assert!(serde_json::from_str::<ExplainedRows>("[10, 8]").is_err());
        Ok(())
    }
}
