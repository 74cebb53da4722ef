//! Resolving a [`DataSpec`] against a file's header: which field is which column, the role
//! and storage kind of each, and the checks that need only the header (unknown, duplicate and
//! doubly-assigned columns). Type inference for features that were not declared happens here
//! too, on a sample of rows the reader passes in.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::{DataError, Position, UnknownColumn, ValueProblem};
use super::spec::{DataSpec, Role};
use super::value::{parse_bool, parse_f64};

/// How a column's values are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// f64; a missing value is stored as NaN (input NaN is rejected, so NaN always means
    /// missing).
    Numeric,
    /// Interned text: u32 codes into a list of levels; missing is [`MISSING_CODE`].
    Categorical,
    /// `Option<bool>`; `None` is missing.
    Boolean,
    /// Seconds since 1970-01-01T00:00:00Z as f64; missing is NaN.
    Timestamp,
    /// Raw text, one value per row, not interned (identifiers); missing is the empty string.
    Text,
}

/// The code of a missing categorical value.
pub const MISSING_CODE: u32 = u32::MAX;

/// The display name of the group of rows whose protected attribute is missing; a value spelled
/// exactly so is in that group too (two groups with one name could not be told apart).
pub const UNKNOWN_GROUP: &str = "unknown";

/// The code of the level spelled [`UNKNOWN_GROUP`] among a column's `levels`, if any: its rows
/// are in the unknown group, as rows with the value missing are.
pub fn unknown_level(levels: &[String]) -> Option<u32> {
    levels
        .iter()
        .position(|l| l == UNKNOWN_GROUP)
        .and_then(|u| u32::try_from(u).ok())
}

/// What the columns with no role become.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unlisted {
    /// They are not read (the default: read only what the task needs).
    #[default]
    Ignore,
    /// They are features, unless listed in `exclude` (when `features` is not given).
    AsFeatures,
}

/// One column that will be read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnDef {
    /// Its header name.
    pub name: String,
    /// Its field index in the file, from 0.
    pub index: usize,
    /// Its role.
    pub role: Role,
    /// How it is stored.
    pub kind: ColumnKind,
}

/// The resolved layout of a file: the header and the columns to read, in file order.
#[derive(Clone, Debug)]
pub struct Schema {
    /// Every header name, in file order.
    pub header: Vec<String>,
    /// The columns that will be read, in file order.
    pub columns: Vec<ColumnDef>,
    /// Header columns with no role (not read).
    pub ignored: Vec<String>,
}

impl Schema {
    /// Matches the spec's column names to the header and gives each a role. Feature kinds
    /// are provisional ([`ColumnKind::Numeric`] unless declared categorical) until
    /// the reader has inferred them from the first rows. `header_line` places errors: 1 for a
    /// CSV header, 0 for a Parquet file's schema.
    pub fn resolve(
        header: Vec<String>,
        spec: &DataSpec,
        unlisted: Unlisted,
        origin: &str,
        header_line: u64,
    ) -> Result<Schema, DataError> {
        let header_pos = |column: Option<usize>| Position::header(origin, header_line, column);
        let mut first_seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            if let Some(&first) = first_seen.get(name.as_str()) {
                return Err(DataError::DuplicateColumn {
                    pos: header_pos(Some(i + 1)),
                    name: name.clone(),
                    first: first + 1,
                });
            }
            first_seen.insert(name, i);
        }
        let lookup = |name: &str, role: &str| -> Result<usize, DataError> {
            if let Some(&i) = first_seen.get(name) {
                return Ok(i);
            }
            if header.iter().any(|h| parse_f64(h.as_bytes()).is_ok()) {
                let found = header
                    .iter()
                    .take(4)
                    .map(|h| format!("\"{h}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(DataError::MissingHeader {
                    pos: header_pos(None),
                    found,
                });
            }
            Err(DataError::UnknownColumn(Box::new(UnknownColumn {
                pos: header_pos(None),
                name: name.to_string(),
                role: role.to_string(),
                hint: suggest(name, &header)
                    .map(|s| format!("; did you mean \"{s}\"?"))
                    .unwrap_or_default(),
                available: list_names(&header),
            })))
        };

        let mut roles: BTreeMap<usize, Role> = BTreeMap::new();
        let mut assign = |name: &str, role: Role| -> Result<(), DataError> {
            let i = lookup(name, role.flag())?;
            match roles.insert(i, role) {
                Some(prev) if prev != role => Err(DataError::Spec(format!(
                    "column \"{name}\" is given two roles, {} ({}) and {} ({}); a column can have only one",
                    prev.as_str(),
                    prev.flag(),
                    role.as_str(),
                    role.flag()
                ))),
                Some(_) => Err(DataError::Spec(format!(
                    "column \"{name}\" is listed twice for {}",
                    role.flag()
                ))),
                None => Ok(()),
            }
        };
        let singles = [
            (&spec.label, Role::Label),
            (&spec.score, Role::Score),
            (&spec.prediction, Role::Prediction),
            (&spec.id, Role::Id),
            (&spec.consent, Role::Consent),
            (&spec.weight, Role::Weight),
        ];
        for (name, role) in singles {
            if let Some(name) = name {
                assign(name, role)?;
            }
        }
        let lists = [
            (&spec.protected, Role::Protected),
            (&spec.timestamp, Role::Timestamp),
            (&spec.features, Role::Feature),
        ];
        for (names, role) in lists {
            for name in names.iter().flatten() {
                assign(name, role)?;
            }
        }
        if let Some(name) = &spec.consent_timestamp {
            let listed = spec.timestamp.iter().flatten().any(|t| t == name);
            if !listed {
                assign(name, Role::Timestamp)?;
            }
        }
        let mut excluded = Vec::new();
        for name in spec.exclude.iter().flatten() {
            let i = lookup(name, "--exclude")?;
            if roles.get(&i) == Some(&Role::Feature) {
                return Err(DataError::Spec(format!(
                    "column \"{name}\" is both in --features and in --exclude"
                )));
            }
            excluded.push(i);
        }
        if spec.features.is_none() && unlisted == Unlisted::AsFeatures {
            for i in 0..header.len() {
                if !roles.contains_key(&i) && !excluded.contains(&i) {
                    roles.insert(i, Role::Feature);
                }
            }
        }
        let mut categorical = Vec::new();
        for name in spec.categorical.iter().flatten() {
            categorical.push(lookup(name, "--categorical")?);
        }

        let columns = roles
            .iter()
            .map(|(&index, &role)| ColumnDef {
                name: header[index].clone(),
                index,
                role,
                kind: match role {
                    Role::Label | Role::Prediction | Role::Consent => ColumnKind::Boolean,
                    Role::Score | Role::Weight => ColumnKind::Numeric,
                    Role::Id => ColumnKind::Text,
                    Role::Protected => ColumnKind::Categorical,
                    Role::Timestamp => ColumnKind::Timestamp,
                    Role::Feature if categorical.contains(&index) => ColumnKind::Categorical,
                    Role::Feature => ColumnKind::Numeric,
                },
            })
            .collect();
        let ignored = header
            .iter()
            .enumerate()
            .filter(|(i, _)| !roles.contains_key(i))
            .map(|(_, h)| h.clone())
            .collect();
        Ok(Schema {
            header,
            columns,
            ignored,
        })
    }

    /// Decides the kind of each feature not declared categorical from a sample of rows: numeric
    /// if every non-missing value is a number (NaN and infinities count, to be rejected later), boolean if every one is a boolean word,
    /// categorical otherwise (and when all are missing). `field(row, index)` gives a trimmed
    /// field of a sample row; `is_missing` says whether it counts as missing.
    pub(crate) fn infer_feature_kinds<'a>(
        &mut self,
        spec: &DataSpec,
        sample_rows: usize,
        field: impl Fn(usize, usize) -> Option<&'a [u8]>,
        is_missing: impl Fn(&[u8]) -> bool,
    ) {
        let declared: Vec<&str> = spec
            .categorical
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        for col in &mut self.columns {
            if col.role != Role::Feature || declared.contains(&col.name.as_str()) {
                continue;
            }
            let forced = spec.numeric.contains(&col.name);
            let (mut numeric, mut boolean, mut seen) = (true, true, false);
            for r in 0..sample_rows {
                let Some(v) = field(r, col.index) else {
                    continue;
                };
                if is_missing(v) {
                    continue;
                }
                seen = true;
                // NaN and infinities look numeric: the column is numeric and they are errors
                // (or missing, with --na), not categories.
                numeric &= matches!(parse_f64(v), Ok(_) | Err(ValueProblem::NotFinite));
                boolean &= parse_bool(v).is_some();
                if !numeric && !boolean {
                    break;
                }
            }
            col.kind = match (seen, numeric, boolean) {
                (true, true, _) => ColumnKind::Numeric,
                (true, false, true) => ColumnKind::Boolean,
                // A column that must be numbers (or booleans) is never read as categories:
                // a word in it is an invalid value, and all missing is numeric.
                _ if forced => ColumnKind::Numeric,
                _ => ColumnKind::Categorical,
            };
        }
    }
}

/// The header names as a readable list, shortened after 30.
fn list_names(header: &[String]) -> String {
    let mut s: Vec<String> = header.iter().take(30).map(|h| format!("\"{h}\"")).collect();
    if header.len() > 30 {
        s.push(format!("and {} more", header.len() - 30));
    }
    s.join(", ")
}

/// The header name closest to `name`: a case-insensitive match, or one within a small edit
/// distance.
fn suggest<'h>(name: &str, header: &'h [String]) -> Option<&'h str> {
    let lower = name.to_lowercase();
    if let Some(h) = header.iter().find(|h| h.to_lowercase() == lower) {
        return Some(h);
    }
    let limit = (name.chars().count() / 3).max(2);
    header
        .iter()
        .map(|h| (edit_distance(&lower, &h.to_lowercase()), h))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, h)| h.as_str())
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn roles_are_assigned_in_file_order() -> Result<(), DataError> {
        let spec = DataSpec {
            label: Some("y".into()),
            score: Some("s".into()),
            protected: Some(vec!["g".into()]),
            ..DataSpec::default()
        };
        let schema = Schema::resolve(
            header(&["g", "x", "s", "y"]),
            &spec,
            Unlisted::Ignore,
            "f",
            1,
        )?;
        let names: Vec<_> = schema.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["g", "s", "y"]);
        assert_eq!(schema.ignored, ["x"]);
        let schema = Schema::resolve(
            header(&["g", "x", "s", "y"]),
            &spec,
            Unlisted::AsFeatures,
            "f",
            1,
        )?;
        assert_eq!(schema.columns[1].role, Role::Feature);
        Ok(())
    }

    #[test]
    fn two_roles_for_one_column_is_an_error() {
        let spec = DataSpec {
            protected: Some(vec!["g".into()]),
            features: Some(vec!["g".into()]),
            ..DataSpec::default()
        };
        let e = Schema::resolve(header(&["g"]), &spec, Unlisted::Ignore, "f", 1)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("two roles, protected (--protected) and feature (--features)"),
            "{e}"
        );
    }

    #[test]
    fn unknown_column_suggests_the_nearest() {
        let spec = DataSpec {
            score: Some("scroe".into()),
            ..DataSpec::default()
        };
        let e = Schema::resolve(
            header(&["id", "score"]),
            &spec,
            Unlisted::Ignore,
            "f.csv",
            1,
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert_eq!(
            e,
            "f.csv:1: no column named \"scroe\" (given for --score); did you mean \"score\"?; the header has: \"id\", \"score\""
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
