//! What the user says about an input file: which column plays which role, how to read it, and
//! what to do with missing and invalid values. The same names serve as CLI flags
//! (`--label converted`) and as keys of the `[data]` table of a TOML config
//! (`label = "converted"`); flags override the file.
//!
//! This module only holds and merges the settings; [`super::schema`] checks them against a
//! header.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::DataError;
use crate::file_error::FileError;
use crate::params::InvalidParam;

/// The part a column plays. A column has at most one role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The observed outcome (two values; see [`DataSpec::positive`]).
    Label,
    /// A model's score, a number in [0, 1].
    Score,
    /// A model's 0/1 decision.
    Prediction,
    /// A record identifier (pseudonymised before it reaches any report).
    Id,
    /// A protected or sensitive attribute: kept for the audit, never a model feature.
    Protected,
    /// A model input.
    Feature,
    /// The consent (lawful basis) flag.
    Consent,
    /// A date or date-time (ISO 8601), such as the consent timestamp.
    Timestamp,
    /// A non-negative row weight.
    Weight,
}

impl Role {
    /// The CLI flag that assigns this role, e.g. `--score`.
    pub fn flag(self) -> &'static str {
        match self {
            Role::Label => "--label",
            Role::Score => "--score",
            Role::Prediction => "--prediction",
            Role::Id => "--id",
            Role::Protected => "--protected",
            Role::Feature => "--features",
            Role::Consent => "--consent",
            Role::Timestamp => "--timestamp",
            Role::Weight => "--weight",
        }
    }

    /// The role's name in summaries and errors.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Label => "label",
            Role::Score => "score",
            Role::Prediction => "prediction",
            Role::Id => "id",
            Role::Protected => "protected",
            Role::Feature => "feature",
            Role::Consent => "consent",
            Role::Timestamp => "timestamp",
            Role::Weight => "weight",
        }
    }
}

/// What happens to a value that is present but invalid (not a number where one is needed,
/// a score outside [0, 1], a third label value, a ragged row, ...).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnInvalid {
    /// Stop at the first one with an error naming its line and column (the default: a corrupt
    /// file should not be audited by accident).
    #[default]
    Error,
    /// Reject the row, count it by reason (with the first line where it happened) and go on.
    Skip,
}

/// What a missing numeric feature value becomes. Missing label, score, prediction and weight
/// values always reject the row; a missing protected attribute or categorical feature is its
/// own group, `(missing)`; a missing consent flag counts as no consent.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MissingNumeric {
    /// Replaced, when a model is fitted, by the mean of the training rows (the default).
    #[default]
    Mean,
    /// Replaced by the median of the training rows.
    Median,
    /// Replaced by zero.
    Zero,
    /// The row is rejected and counted.
    Reject,
}

impl MissingNumeric {
    /// The policy stated in words, for summaries.
    pub fn describe(self) -> &'static str {
        match self {
            MissingNumeric::Mean => "imputed with the training mean",
            MissingNumeric::Median => "imputed with the training median",
            MissingNumeric::Zero => "imputed with zero",
            MissingNumeric::Reject => "row rejected",
        }
    }
}

/// The column roles and read options for one input file, as given by flags or a config file.
///
/// Every field is optional so that a config file and the command line can be merged; see
/// [`DataSpec::overridden_by`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DataSpec {
    /// The CSV file. In a config file, relative to the config file's folder.
    pub path: Option<PathBuf>,
    /// The field delimiter: one ASCII character, or `tab`. Detected among `,` `;` tab `|`
    /// when not given.
    pub delimiter: Option<String>,
    /// The label column.
    pub label: Option<String>,
    /// The label value that counts as positive. Without it the label must be 0/1, true/false
    /// or yes/no (any case).
    pub positive: Option<String>,
    /// The score column (numbers in [0, 1]).
    pub score: Option<String>,
    /// The 0/1 prediction (decision) column.
    pub prediction: Option<String>,
    /// The identifier column.
    pub id: Option<String>,
    /// Protected attribute columns.
    pub protected: Option<Vec<String>>,
    /// Feature columns. When not given, commands that need features use every column without
    /// another role, minus [`DataSpec::exclude`].
    pub features: Option<Vec<String>>,
    /// Columns never to use as features.
    pub exclude: Option<Vec<String>>,
    /// The consent flag column.
    pub consent: Option<String>,
    /// The column holding when consent was given (a timestamp). With [`DataSpec::as_of`], a
    /// consent given after the as-of date does not count.
    pub consent_timestamp: Option<String>,
    /// The as-of date of the data (ISO 8601): consent timestamps after it do not count.
    pub as_of: Option<String>,
    /// Timestamp columns (ISO 8601 dates or date-times).
    pub timestamp: Option<Vec<String>>,
    /// The row weight column.
    pub weight: Option<String>,
    /// Feature columns to read as categories even when their values look numeric.
    pub categorical: Option<Vec<String>>,
    /// Feature columns never read as categories, whatever their first rows hold: numbers, or
    /// booleans when the first rows hold only boolean words; any other value is then an
    /// invalid value, named by line (or row) and column, and a column of missing values is
    /// numeric. Set when a model's numeric features are read
    /// ([`crate::train::ModelInput`]); not a config key.
    #[serde(skip)]
    pub numeric: Vec<String>,
    /// Field values that mean "missing". Defaults to the empty field only, so that `n/a` in a
    /// score column is an error rather than a silently missing value.
    pub na: Option<Vec<String>>,
    /// What to do with invalid values.
    pub on_invalid: Option<OnInvalid>,
    /// What a missing numeric feature value becomes.
    pub missing_numeric: Option<MissingNumeric>,
    /// The longest field accepted, in bytes. Defaults to 65,536: a longer field is almost
    /// always an unbalanced quote that swallowed the lines after it.
    pub max_field_bytes: Option<usize>,
    /// The largest share of the rows read that `on-invalid = skip` may reject, from 0 to 1.
    /// Defaults to 0.01: past it, the rows left are not the data any more (a score column in
    /// percent keeps only its lowest scores), and reading fails saying what was rejected.
    pub max_rejected: Option<f64>,
    /// `COLUMN=VALUE`: only rows whose COLUMN is exactly VALUE (after trimming) are used; the
    /// others are counted as filtered out, never rejected. `split=validation` audits the rows
    /// a model did not train on (the `split` column of `fairgate train --scored`).
    pub filter: Option<String>,
    /// A PostgreSQL server holding the rows, instead of a file: a `postgresql://` URL or a
    /// `key=value` string. Only the audit reads it (the statistics query runs on the server;
    /// `fairgate audit --postgres`). Never shown: see [`Conninfo`].
    pub postgres: Option<Conninfo>,
    /// With `postgres`: the table (`schema.table`).
    pub table: Option<String>,
    /// With `postgres`: a query giving the rows (used as a sub-query), instead of a table.
    pub query: Option<String>,
    /// With `postgres`: a file whose first line is the password. In a config file, relative
    /// to the config file's folder.
    pub password_file: Option<PathBuf>,
}

/// A database connection string (`postgres` in `[data]`). It may hold a password, so neither
/// its `Debug` form nor its serialized form shows it: both are `(hidden)`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Conninfo(pub String);

impl std::fmt::Debug for Conninfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Conninfo(hidden)")
    }
}

impl Serialize for Conninfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("(hidden)")
    }
}

/// The top level of a fairgate TOML config file. Later sections (training, audit, policy)
/// sit beside `[data]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfigFile {
    /// The `[data]` table.
    #[serde(default)]
    pub data: DataSpec,
    /// The `[explain]` table.
    #[serde(default)]
    pub explain: ExplainSection,
    /// The pipeline's tables, read by `fairgate run` (see [`crate::pipeline`]); other
    /// commands accept and ignore them.
    pub train: Option<toml::Table>,
    /// See `train`.
    pub model: Option<toml::Table>,
    /// See `train`.
    pub audit: Option<toml::Table>,
    /// See `train`.
    pub report: Option<toml::Table>,
    /// See `train`.
    pub gate: Option<toml::Table>,
    /// See `train` (read by `fairgate mitigate --config` too).
    pub mitigate: Option<toml::Table>,
    /// See `train`.
    pub run: Option<toml::Table>,
}

/// The `[explain]` table of a config file.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExplainSection {
    /// Features a person cannot change: never offered as counterfactuals.
    pub immutable: Option<Vec<String>>,
    /// Reason codes per person, for `fairgate run`.
    pub top: Option<usize>,
    /// Permutations per feature, for `fairgate run`.
    pub repeats: Option<usize>,
    /// Seed of the permutations, for `fairgate run`.
    pub seed: Option<u64>,
    /// Whether `fairgate run` writes the per-person reasons CSV (default true).
    pub reasons: Option<bool>,
}

impl ConfigFile {
    /// Reads a whole config file; errors name the file, line and key.
    pub fn from_path(path: &Path) -> Result<ConfigFile, DataError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| {
            DataError::from(crate::file_error::FileError::read(origin.clone(), source))
        })?;
        toml::from_str(&text).map_err(|e| toml_error(&origin, &text, &e))
    }
}

impl DataSpec {
    /// Reads the `[data]` table of a TOML config file. A relative `path` is resolved against
    /// the config file's folder. Errors name the file, line and key.
    pub fn from_config_file(path: &Path) -> Result<DataSpec, DataError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| {
            DataError::from(crate::file_error::FileError::read(origin.clone(), source))
        })?;
        let mut spec = DataSpec::from_toml_str(&text, &origin)?;
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        for p in [&mut spec.path, &mut spec.password_file]
            .into_iter()
            .flatten()
        {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
        Ok(spec)
    }

    /// Parses the `[data]` table from TOML text; `origin` names it in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<DataSpec, DataError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| toml_error(origin, text, &e))?;
        Ok(file.data)
    }

    /// The input file, or an error saying how to give one (and, when the rows are on a
    /// PostgreSQL server, that only the audit and `fairgate stats` compute there).
    pub fn input_file(&self) -> Result<&Path, DataError> {
        match (&self.path, &self.postgres) {
            (Some(p), _) => Ok(p),
            (None, Some(_)) => Err(DataError::Spec(
                "this command reads the rows themselves, and the data is on a PostgreSQL server (`postgres` in [data], or --postgres): only `fairgate audit` and `fairgate stats` compute on the server; give a file with --data FILE".into(),
            )),
            (None, None) => Err(DataError::Spec(
                "no input file: pass --data FILE or set path in the [data] table of --config".into(),
            )),
        }
    }

    /// This spec with every field that `over` sets replaced by `over`'s value (flags override
    /// a config file).
    pub fn overridden_by(self, over: DataSpec) -> DataSpec {
        // The source is one choice: a file given over a server drops the server, and the
        // other way round; a table given over a query drops the query, and the other way.
        let (file, server) = (over.path.is_some(), over.postgres.is_some());
        let (table, query) = (over.table.is_some(), over.query.is_some());
        let keep = |given_instead: bool, v: Option<String>| v.filter(|_| !given_instead);
        DataSpec {
            path: over.path.or(self.path.filter(|_| !server)),
            postgres: over.postgres.or(self.postgres.filter(|_| !file)),
            table: over.table.or(keep(file || query, self.table)),
            query: over.query.or(keep(file || table, self.query)),
            password_file: over.password_file.or(self.password_file.filter(|_| !file)),
            delimiter: over.delimiter.or(self.delimiter),
            label: over.label.or(self.label),
            positive: over.positive.or(self.positive),
            score: over.score.or(self.score),
            prediction: over.prediction.or(self.prediction),
            id: over.id.or(self.id),
            protected: over.protected.or(self.protected),
            features: over.features.or(self.features),
            exclude: over.exclude.or(self.exclude),
            consent: over.consent.or(self.consent),
            consent_timestamp: over.consent_timestamp.or(self.consent_timestamp),
            as_of: over.as_of.or(self.as_of),
            timestamp: over.timestamp.or(self.timestamp),
            weight: over.weight.or(self.weight),
            categorical: over.categorical.or(self.categorical),
            numeric: if over.numeric.is_empty() {
                self.numeric
            } else {
                over.numeric
            },
            na: over.na.or(self.na),
            on_invalid: over.on_invalid.or(self.on_invalid),
            missing_numeric: over.missing_numeric.or(self.missing_numeric),
            max_field_bytes: over.max_field_bytes.or(self.max_field_bytes),
            max_rejected: over.max_rejected.or(self.max_rejected),
            filter: over.filter.or(self.filter),
        }
    }

    /// The as-of date as seconds since the epoch, if one was given.
    pub fn as_of_seconds(&self) -> Result<Option<i64>, DataError> {
        let Some(text) = &self.as_of else {
            return Ok(None);
        };
        crate::time::parse_timestamp(text.trim().as_bytes())
            .map(Some)
            .ok_or_else(|| {
                DataError::from(InvalidParam::new(
                    "as_of",
                    "a date such as 2026-06-30 (ISO 8601)",
                    format!("\"{text}\""),
                ))
            })
    }

    /// The delimiter byte, if one was given. `tab` and `\t` mean a tab.
    pub fn delimiter_byte(&self) -> Result<Option<u8>, DataError> {
        let Some(d) = &self.delimiter else {
            return Ok(None);
        };
        match d.as_str() {
            "tab" | "\\t" | "\t" => Ok(Some(b'\t')),
            s if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => {
                Ok(Some(s.as_bytes()[0]))
            }
            _ => Err(InvalidParam::new(
                "delimiter",
                "one ASCII character other than a quote or line break, or \"tab\"",
                format!("\"{d}\""),
            )
            .into()),
        }
    }
}

/// A TOML error as `line L, column C: message`, from the error's byte span.
fn toml_error(origin: &str, text: &str, e: &toml::de::Error) -> DataError {
    FileError::toml(origin, text, e).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_keys_are_the_flag_names() -> Result<(), Box<dyn std::error::Error>> {
        let spec = DataSpec::from_toml_str(
            "[data]\nlabel = \"converted\"\nprotected = [\"gender\", \"age_band\"]\non-invalid = \"skip\"\nmissing-numeric = \"median\"\n",
            "t.toml",
        )?;
        assert_eq!(spec.label.as_deref(), Some("converted"));
        assert_eq!(spec.protected.as_ref().map(Vec::len), Some(2));
        assert_eq!(spec.on_invalid, Some(OnInvalid::Skip));
        assert_eq!(spec.missing_numeric, Some(MissingNumeric::Median));
        Ok(())
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let err = DataSpec::from_toml_str("[data]\nlabel = \"y\"\nscroe = \"s\"\n", "c.toml")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("c.toml:3:1: "), "{err}");
        assert!(err.contains("scroe"), "{err}");
    }

    #[test]
    fn flags_override_the_file() {
        let file = DataSpec {
            label: Some("a".into()),
            score: Some("s".into()),
            ..DataSpec::default()
        };
        let flags = DataSpec {
            label: Some("b".into()),
            ..DataSpec::default()
        };
        let merged = file.overridden_by(flags);
        assert_eq!(merged.label.as_deref(), Some("b"));
        assert_eq!(merged.score.as_deref(), Some("s"));
    }

    #[test]
    fn delimiter_words() {
        let d = |s: &str| {
            DataSpec {
                delimiter: Some(s.into()),
                ..DataSpec::default()
            }
            .delimiter_byte()
        };
        assert_eq!(d("tab").ok().flatten(), Some(b'\t'));
        assert_eq!(d(";").ok().flatten(), Some(b';'));
        assert!(d("ab").is_err());
        assert!(d("\"").is_err());
    }
}
