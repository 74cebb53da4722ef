//! Scoring a data file with a model, streaming: the file is read chunk by chunk and each
//! chunk's rows with a lawful basis are written out as CSV, ready for `fairgate audit`: the
//! id (when the model has one), the label (when the file has it), `score`, `decision` and the
//! protected attributes.

use std::io::Write;

use serde::Serialize;

use super::consent::consent_filter;
use super::design::FeatureColumn;
use super::model::{Exclusions, Model};
use super::TrainError;
use crate::data::{
    Chunk, ColumnValues, DataSpec, Input, ReadOptions, Rejection, TableReader, MISSING_CODE,
};

/// The columns to read to apply a model to a file, checked against the file's header.
#[derive(Clone, Debug)]
pub struct ModelInput {
    /// The spec to load the file with.
    pub spec: DataSpec,
    /// The model's feature columns, in its order.
    pub features: Vec<String>,
    /// The protected attributes to carry.
    pub protected: Vec<String>,
}

impl ModelInput {
    /// The spec for reading `input` with `model`: its features, its protected attributes (or
    /// `protected`, when given), the label and id when the file has them, and the consent
    /// columns (the model's unless `overrides` sets them). A column the model needs that the
    /// file lacks is an error naming every such column.
    pub fn resolve(
        model: &Model,
        input: Input<'_>,
        overrides: &DataSpec,
        protected: Option<&[String]>,
    ) -> Result<ModelInput, TrainError> {
        let header = input.header(overrides)?;
        let has = |c: &str| header.iter().any(|h| h == c);
        let features = model.feature_columns();
        let protected: Vec<String> =
            protected.map_or_else(|| model.roles.protected.clone(), <[String]>::to_vec);
        let consent = overrides.consent.clone().or(model.roles.consent.clone());
        let consent_timestamp = overrides
            .consent_timestamp
            .clone()
            .or(model.roles.consent_timestamp.clone());
        let missing: Vec<String> = features
            .iter()
            .chain(&protected)
            .chain(&consent)
            .chain(&consent_timestamp)
            .filter(|c| !has(c))
            .map(|c| format!("\"{c}\""))
            .collect();
        // An id column asked for by name must be there; the model's own is used when present.
        let id_missing = overrides.id.as_ref().filter(|c| !has(c));
        let missing: Vec<String> = missing
            .into_iter()
            .chain(id_missing.map(|c| format!("\"{c}\" (the id column asked for)")))
            .collect();
        if !missing.is_empty() {
            return Err(TrainError::Model(format!(
                "{}: the model needs column(s) {} that the {} does not have (features, protected attributes and consent columns must all be present)",
                input.name(),
                missing.join(", "),
                match input {
                    Input::Path(_) => "file",
                    #[cfg(feature = "parquet")]
                    Input::Arrow { .. } => "data",
                }
            )));
        }
        let label = Some(model.label.column.clone()).filter(|c| has(c));
        let id = overrides
            .id
            .clone()
            .or(model.roles.id.clone())
            .filter(|c| has(c));
        let spec = DataSpec {
            path: match input {
                Input::Path(p) => Some(p.to_path_buf()),
                #[cfg(feature = "parquet")]
                Input::Arrow { .. } => None,
            },
            label,
            positive: model.label.positive.clone(),
            id,
            protected: Some(protected.clone()),
            features: Some(features.clone()),
            consent,
            consent_timestamp: consent_timestamp.clone(),
            as_of: overrides.as_of.clone().or(model.roles.as_of.clone()),
            categorical: Some(model.categorical_columns()),
            numeric: model.numeric_columns(),
            missing_numeric: model.encoder.as_ref().map(|e| e.missing_numeric),
            ..overrides.clone()
        };
        if consent_timestamp.is_some() != spec.as_of.is_some() {
            return Err(super::consent_pair());
        }
        Ok(ModelInput {
            spec,
            features,
            protected,
        })
    }
}

/// A model's input file opened for streaming: the reader, where the model's columns are,
/// and the consent rule. The scorer and the per-person explanations share it.
pub struct ModelReader {
    /// The reader.
    pub reader: TableReader,
    /// The resolved input.
    pub input: ModelInput,
    features: Vec<usize>,
    consent: Option<usize>,
    stamp: Option<usize>,
    as_of: Option<i64>,
}

impl ModelReader {
    /// Opens `input` for `model` (see [`ModelInput::resolve`]).
    pub fn open(
        model: &Model,
        input: Input<'_>,
        overrides: &DataSpec,
        protected: Option<&[String]>,
    ) -> Result<ModelReader, TrainError> {
        let source = input;
        let input = ModelInput::resolve(model, source, overrides, protected)?;
        let as_of = input.spec.as_of_seconds()?;
        let reader = source.reader(&input.spec, &ReadOptions::default())?;
        let features = input
            .features
            .iter()
            .filter_map(|f| reader.schema().columns.iter().position(|d| &d.name == f))
            .collect();
        let mut r = ModelReader {
            reader,
            input,
            features,
            consent: None,
            stamp: None,
            as_of,
        };
        r.consent = r.column(r.input.spec.consent.as_deref());
        r.stamp = r.column(r.input.spec.consent_timestamp.as_deref());
        Ok(r)
    }

    /// The schema position of a column, if it was read.
    pub fn column(&self, name: Option<&str>) -> Option<usize> {
        let name = name?;
        self.reader
            .schema()
            .columns
            .iter()
            .position(|d| d.name == name)
    }

    /// The model's feature columns in a chunk, in the model's order.
    pub fn features<'a>(&'a self, chunk: &'a Chunk) -> Vec<FeatureColumn<'a>> {
        self.features
            .iter()
            .zip(&self.input.features)
            .map(|(&i, name)| FeatureColumn {
                name,
                values: &chunk.columns[i],
                levels: self.reader.levels(i),
            })
            .collect()
    }

    /// Which rows of a chunk have a lawful basis, and why the others do not.
    pub fn consent(&self, chunk: &Chunk) -> (Vec<bool>, Exclusions) {
        let flags = match self.consent.map(|i| &chunk.columns[i]) {
            Some(ColumnValues::Boolean(v)) => Some(v.as_slice()),
            _ => None,
        };
        let stamps = match self.stamp.map(|i| &chunk.columns[i]) {
            Some(ColumnValues::Numeric(v)) => Some(v.as_slice()),
            _ => None,
        };
        consent_filter(chunk.n_rows, flags, stamps, self.as_of)
    }
}

/// The account of a scoring run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoreSummary {
    /// The scored file.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Data rows in the file.
    pub rows_read: u64,
    /// Rows the loader rejected, by reason.
    pub rejected: Vec<Rejection>,
    /// Rows excluded for want of a lawful basis.
    pub excluded: Exclusions,
    /// Rows written.
    pub rows_scored: u64,
    /// Rows written with a positive decision.
    pub positive_decisions: u64,
    /// Per feature, rows whose category was not seen in training (scored in the unseen
    /// bucket); only features with such rows.
    pub unseen_categories: Vec<(String, u64)>,
}

/// The model's P(positive label) for every row of a loaded table (which has the model's
/// feature columns).
pub fn table_scores(model: &Model, table: &crate::data::Table) -> Result<Vec<f64>, TrainError> {
    let names = model.feature_columns();
    let mut features = Vec::with_capacity(names.len());
    for name in &names {
        let c = table.column(name).ok_or_else(|| {
            TrainError::Model(format!("the table has no feature column \"{name}\""))
        })?;
        features.push(FeatureColumn {
            name,
            values: &c.values,
            levels: &c.levels,
        });
    }
    Ok(model.predict(&features)?.0)
}

/// Writes the rows of `table` that trained or validated `model` (`split`, from
/// [`super::train_with_split`] on the same table), in table order, as `score` writes a scored
/// file plus a `split` column after `decision`: `train` or `validation`. Auditing it with
/// `--filter split=validation` audits only the rows the model did not train on. Returns the
/// rows written.
pub fn write_scored_table(
    model: &Model,
    table: &crate::data::Table,
    split: &super::RowSplit,
    out: impl Write,
    cells: crate::output::CsvCells,
) -> Result<u64, TrainError> {
    let p = table_scores(model, table)?;
    let id = model.roles.id.as_deref().and_then(|c| table.column(c));
    let label = table.column(&model.label.column).and_then(|c| c.as_bool());
    let protected: Vec<&crate::data::Column> = model
        .roles
        .protected
        .iter()
        .filter_map(|c| table.column(c))
        .collect();
    let write_err = |e: csv::Error| TrainError::Io(crate::output::csv_io(e));
    let mut w = crate::output::CsvWriter::new(out, cells);
    let mut head: Vec<&str> = Vec::new();
    head.extend(id.map(|c| c.name.as_str()));
    head.extend(label.map(|_| model.label.column.as_str()));
    head.extend(["score", "decision", "split"]);
    head.extend(protected.iter().map(|c| c.name.as_str()));
    w.write_record(&head).map_err(write_err)?;
    let mut rows: Vec<(usize, &str)> = split
        .training
        .iter()
        .map(|&r| (r, "train"))
        .chain(split.validation.iter().map(|&r| (r, "validation")))
        .collect();
    rows.sort_unstable();
    let mut record: Vec<String> = Vec::new();
    for &(row, part) in &rows {
        let score = *p
            .get(row)
            .ok_or_else(|| TrainError::Model(format!("row {row} is not in the table")))?;
        record.clear();
        if let Some(t) = id.and_then(|c| c.as_text()) {
            record.push(t.get(row).unwrap_or_default().to_string());
        }
        if let Some(l) = label {
            record.push(if l[row] == Some(true) { "1" } else { "0" }.into());
        }
        let person = id.and_then(|c| c.as_text()).and_then(|t| t.get(row));
        let decision = model.decide(score, person, row as u64);
        record.push(format!("{score}"));
        record.push(if decision { "1" } else { "0" }.into());
        record.push(part.into());
        for c in &protected {
            record.push(c.level_of(row).unwrap_or_default().to_string());
        }
        w.write_record(&record).map_err(write_err)?;
    }
    w.flush()?;
    Ok(rows.len() as u64)
}

/// Scores `input` (a file's path, or Arrow data in memory) with `model` and writes the CSV to `out`. `overrides` may set the
/// delimiter, missing-value words, the invalid-value policy, and the consent columns and
/// as-of date (by default the model's). `cells` says how cells are written (by default,
/// [`crate::output::CsvCells::Guarded`], formula-like cells from the data are neutralised for spreadsheets).
pub fn score<'a>(
    model: &Model,
    input: impl Into<Input<'a>>,
    overrides: &DataSpec,
    out: impl Write,
    cells: crate::output::CsvCells,
) -> Result<ScoreSummary, TrainError> {
    let mut mr = ModelReader::open(model, input.into(), overrides, None)?;
    let spec = mr.input.spec.clone();
    let (features, protected) = (mr.input.features.clone(), mr.input.protected.clone());
    let (label, id) = (spec.label.clone(), spec.id.clone());
    let protected_idx: Vec<usize> = protected
        .iter()
        .filter_map(|p| mr.column(Some(p)))
        .collect();
    let label_idx = mr.column(label.as_deref());
    let id_idx = mr.column(id.as_deref());

    let write_err = |e: csv::Error| TrainError::Io(crate::output::csv_io(e));
    let mut w = crate::output::CsvWriter::new(out, cells);
    let mut head: Vec<&str> = Vec::new();
    head.extend(id.as_deref());
    head.extend(label.as_deref());
    head.extend(["score", "decision"]);
    head.extend(protected.iter().map(String::as_str));
    w.write_record(&head).map_err(write_err)?;

    let mut excluded = Exclusions::default();
    let mut unseen = vec![0u64; features.len()];
    let (mut scored, mut positive) = (0u64, 0u64);
    let mut record: Vec<String> = Vec::new();
    while let Some(chunk) = mr.reader.next_chunk()? {
        let cols = &chunk.columns;
        let (p, chunk_unseen) = model.predict(&mr.features(&chunk))?;
        let bools = |i: Option<usize>| match i.map(|i| &cols[i]) {
            Some(ColumnValues::Boolean(v)) => Some(v.as_slice()),
            _ => None,
        };
        let (keep, ex) = mr.consent(&chunk);
        excluded.add(&ex);
        for (u, c) in unseen.iter_mut().zip(&chunk_unseen) {
            *u += c;
        }
        let labels = bools(label_idx);
        for row in (0..chunk.n_rows).filter(|&r| keep[r]) {
            record.clear();
            if let Some(ColumnValues::Text(t)) = id_idx.map(|i| &cols[i]) {
                record.push(t.get(row).unwrap_or_default().to_string());
            }
            if let Some(l) = labels {
                record.push(if l[row] == Some(true) { "1" } else { "0" }.into());
            }
            let person = match id_idx.map(|i| &cols[i]) {
                Some(ColumnValues::Text(t)) => t.get(row),
                _ => None,
            };
            let decision = model.decide(p[row], person, scored);
            scored += 1;
            positive += u64::from(decision);
            record.push(format!("{}", p[row]));
            record.push(if decision { "1" } else { "0" }.into());
            for &i in &protected_idx {
                let v = match &cols[i] {
                    ColumnValues::Categorical(c) if c[row] != MISSING_CODE => mr
                        .reader
                        .levels(i)
                        .get(c[row] as usize)
                        .cloned()
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                record.push(v);
            }
            w.write_record(&record).map_err(write_err)?;
        }
    }
    w.flush()?;
    let summary = mr.reader.finish()?;
    Ok(ScoreSummary {
        file: summary.source,
        sha256: summary.sha256,
        rows_read: summary.rows_read,
        rejected: summary.rejected,
        excluded,
        rows_scored: scored,
        positive_decisions: positive,
        unseen_categories: features
            .into_iter()
            .zip(unseen)
            .filter(|(_, n)| *n > 0)
            .collect(),
    })
}
