//! Mitigation: from a failed gate to the less discriminatory alternatives and what each
//! costs. Each method says which legal character it has ([`Character`]): whether the protected
//! attribute is used not at all, at training only, or at decision time.
//!
//! - [`reweigh`]: Kamiran & Calders reweighing (the weights; `fairgate train --reweigh` fits
//!   with them), as AIF360's scikit-learn `Reweighing`.
//! - [`curve`]: one threshold for everyone: the whole trade-off curve over every distinct
//!   score, and the threshold that maximises an objective subject to a policy, judged by the
//!   gate itself.
//! - [`hardt`]: group thresholds (Hardt, Price & Srebro), as Fairlearn's
//!   `ThresholdOptimizer`: analysis by default, since it uses the attribute at decision time.
//! - [`reductions`]: Fairlearn's `GridSearch` (Agarwal et al.): one logistic model fitted on
//!   relabelled, reweighted rows, chosen from a grid of Lagrange multipliers.
//! - [`eg`]: Fairlearn's `ExponentiatedGradient`: a randomised mixture of logistic models
//!   (with [`lp`], the small LP solver of its LP step).
//! - [`lda`]: the search for less discriminatory alternatives: the baseline and each
//!   candidate judged on held-out rows by the audit and the gate, and the one that meets the
//!   policy at least cost.

pub mod curve;
pub mod eg;
pub mod hardt;
pub mod lda;
pub mod lp;
pub mod reductions;
pub mod reweigh;

use serde::Serialize;

use crate::data::{Column, Role, Table, MISSING_CODE, UNKNOWN_GROUP};

pub use curve::{threshold_curve, CurveParams, CurveResult, Objective};
pub use eg::{exponentiated_gradient, into_model, EgParams, EgResult};
pub use hardt::{group_thresholds, Constraint, HardtObjective, HardtParams, HardtResult};
pub use lda::{search, LdaCandidate, LdaResult, Method, SearchParams};
pub use reductions::{grid_search, GridSearchParams, GridSearchResult};
pub use reweigh::{reweigh_table, ReweighResult};

/// The schema version of the mitigation JSON outputs.
pub const MITIGATE_SCHEMA_VERSION: u32 = 1;

/// Errors of mitigation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MitigateError {
    /// A parameter is out of range, or parameters conflict.
    #[error("{0}")]
    Param(#[from] crate::params::InvalidParam),
    /// The data lacks a column of this role.
    #[error("mitigation needs a {} column", .0.as_str())]
    MissingRole(Role),
    /// A named protected attribute is not one of the data's.
    #[error("\"{0}\" is not a protected attribute of the data (give it with --protected)")]
    UnknownAttribute(String),
    /// The data cannot be used as it is (no rows, one label class in a group, ...).
    #[error("{0}")]
    Data(String),
    /// A group at decision time that the fit never saw.
    #[error("group \"{0}\" was not seen when the group thresholds were fitted; it has no threshold (an unseen group is never silently given a negative decision)")]
    UnseenGroup(String),
    /// The data cannot be read.
    #[error(transparent)]
    Load(#[from] crate::data::DataError),
    /// The audit of a candidate failed.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// The policy cannot judge a candidate.
    #[error(transparent)]
    Policy(#[from] crate::policy::PolicyError),
    /// Training failed.
    #[error(transparent)]
    Train(#[from] crate::train::TrainError),
    /// An output cannot be written.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// How a method uses the protected attribute: the question counsel asks first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Character {
    /// The attribute is used only to measure (the audit's role), never by the model or the
    /// decision.
    NoAttribute,
    /// The attribute shapes the model at training (special-category data processed under
    /// GDPR Art. 9(2) / AI Act Art. 10(5)); the deployed model neither takes nor needs it.
    AttributeAtTraining,
    /// The decision depends on the attribute (different cut-offs by group): disparate
    /// treatment in US employment (42 U.S.C. 2000e-2(l)) and credit (ECOA/Regulation B) law,
    /// special-category data at every decision (GDPR Art. 9).
    AttributeAtDecision,
}

impl Character {
    /// In words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Character::NoAttribute => "no protected attribute in the model or the decision (used only to measure)",
            Character::AttributeAtTraining => "protected attribute used at training only (GDPR Art. 9(2) condition needed; AI Act Art. 10(5)); not needed at scoring",
            Character::AttributeAtDecision => "protected attribute used at decision time: disparate treatment under US employment (42 U.S.C. 2000e-2(l)) and credit (ECOA/Regulation B) law, special-category data at every decision (GDPR Art. 9); analysis only unless counsel approves",
        }
    }
}

/// The legal warning carried by every output of a decision-time method.
pub const DECISION_TIME_WARNING: &str = "WARNING: group thresholds use the protected attribute at decision time (different cut-offs by group). This is disparate treatment under US employment law (42 U.S.C. 2000e-2(l) forbids different cut-off scores by race, colour, religion, sex or national origin) and credit law (ECOA/Regulation B), needs every person's special-category data at scoring (GDPR Art. 9), and randomised rules give identical people different outcomes (GDPR Art. 22 explanations). Shown as analysis: what group thresholds would buy, at what cost. Do not deploy without legal review.";

/// Rows grouped by the combination of some protected attributes: a code per row and the
/// groups' names (values joined with ", ", as the audit names intersections; `unknown` for
/// a missing value).
#[derive(Clone, Debug)]
pub struct Grouping {
    /// The attributes.
    pub attributes: Vec<String>,
    /// The group of each row (an index into `names`).
    pub of_row: Vec<usize>,
    /// Each group's values.
    pub values: Vec<Vec<String>>,
}

impl Grouping {
    /// Groups the rows of `table` by `attributes` (protected columns), groups in order of
    /// their values.
    pub fn of(table: &Table, attributes: &[String]) -> Result<Grouping, MitigateError> {
        let cols = protected_columns(table, attributes)?;
        let names = |i: usize| -> Vec<String> {
            cols.iter()
                .map(|c| {
                    c.level_of(i)
                        .map_or_else(|| UNKNOWN_GROUP.to_string(), str::to_string)
                })
                .collect()
        };
        let codes: Vec<&[u32]> = cols.iter().filter_map(|c| c.as_codes()).collect();
        let unknown: Vec<Option<u32>> = cols
            .iter()
            .map(|c| crate::data::unknown_level(&c.levels))
            .collect();
        // Each distinct code combination gets an index in order of appearance (a level
        // spelled "unknown" and a missing value are one group), then the groups are sorted by
        // their values and the rows renumbered.
        let mut index: rustc_hash::FxHashMap<Vec<u32>, usize> = Default::default();
        let mut found: Vec<Vec<String>> = Vec::new();
        let mut first_of_row = Vec::with_capacity(table.n_rows());
        let mut code: Vec<u32> = Vec::with_capacity(codes.len());
        for i in 0..table.n_rows() {
            code.clear();
            code.extend(codes.iter().zip(&unknown).map(|(v, u)| match v[i] {
                c if Some(c) == *u => MISSING_CODE,
                c => c,
            }));
            let g = match index.get(&code) {
                Some(&g) => g,
                None => {
                    let g = found.len();
                    found.push(names(i));
                    index.insert(code.clone(), g);
                    g
                }
            };
            first_of_row.push(g);
        }
        let mut order: Vec<usize> = (0..found.len()).collect();
        order.sort_by(|&a, &b| found[a].cmp(&found[b]));
        let mut rank = vec![0; found.len()];
        for (r, &g) in order.iter().enumerate() {
            rank[g] = r;
        }
        let of_row = first_of_row.iter().map(|&g| rank[g]).collect();
        let values: Vec<Vec<String>> = order.iter().map(|&g| found[g].clone()).collect();
        Ok(Grouping {
            attributes: attributes.to_vec(),
            of_row,
            values,
        })
    }

    /// A group's display name.
    pub fn name(&self, g: usize) -> String {
        self.values[g].join(", ")
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The protected columns named, in order; an error names one that is not protected.
pub fn protected_columns<'t>(
    table: &'t Table,
    attributes: &[String],
) -> Result<Vec<&'t Column>, MitigateError> {
    if attributes.is_empty() {
        return Err(MitigateError::Data(
            "no protected attribute named: give one or more (--by ATTR[,ATTR...])".into(),
        ));
    }
    attributes
        .iter()
        .map(|a| {
            table
                .column(a)
                .filter(|c| c.role == Role::Protected && c.as_codes().is_some())
                .ok_or_else(|| MitigateError::UnknownAttribute(a.clone()))
        })
        .collect()
}

/// The labels (required) and the optional row weights of a table.
pub(crate) fn labels_and_weights(
    table: &Table,
) -> Result<(Vec<bool>, Option<&[f64]>), MitigateError> {
    let y = table
        .label()
        .ok_or(MitigateError::MissingRole(Role::Label))?;
    let w = table
        .with_role(Role::Weight)
        .next()
        .and_then(|c| c.as_f64());
    Ok((y, w))
}
