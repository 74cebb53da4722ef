//! A whole file in memory as typed columns: the chunks of a [`TableReader`] put together, with
//! the load summary. Use the reader directly to process a file larger than memory.

use std::path::Path;

use ndarray::Array2;

use super::columns::{ColumnValues, TextValues};
use super::reader::{ReadOptions, TableReader};
use super::schema::{ColumnKind, MISSING_CODE};
use super::spec::{DataSpec, Role};
use super::summary::LoadSummary;
use super::DataError;

/// One column of a [`Table`].
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Header name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Storage kind.
    pub kind: ColumnKind,
    /// The values.
    pub values: ColumnValues,
    /// For categorical columns, the level of each code, in order of first appearance.
    pub levels: Vec<String>,
}

impl Column {
    /// The numbers of a numeric or timestamp column (NaN is missing).
    pub fn as_f64(&self) -> Option<&[f64]> {
        match &self.values {
            ColumnValues::Numeric(v) => Some(v),
            _ => None,
        }
    }

    /// The booleans of a boolean column (label, prediction, consent, boolean feature).
    pub fn as_bool(&self) -> Option<&[Option<bool>]> {
        match &self.values {
            ColumnValues::Boolean(v) => Some(v),
            _ => None,
        }
    }

    /// The codes of a categorical column ([`MISSING_CODE`] is missing).
    pub fn as_codes(&self) -> Option<&[u32]> {
        match &self.values {
            ColumnValues::Categorical(v) => Some(v),
            _ => None,
        }
    }

    /// The values of a text (identifier) column.
    pub fn as_text(&self) -> Option<&TextValues> {
        match &self.values {
            ColumnValues::Text(v) => Some(v),
            _ => None,
        }
    }

    /// The text of row `row`'s value in a categorical column, `None` when missing or not
    /// categorical.
    pub fn level_of(&self, row: usize) -> Option<&str> {
        let code = *self.as_codes()?.get(row)?;
        if code == MISSING_CODE {
            return None;
        }
        self.levels.get(code as usize).map(String::as_str)
    }
}

/// A loaded file: its columns (those with a role) and the account of the load.
#[derive(Clone, Debug)]
pub struct Table {
    columns: Vec<Column>,
    n_rows: usize,
    summary: LoadSummary,
}

impl Table {
    /// Loads a CSV file; `-` reads standard input.
    ///
    /// ```
    /// use fairgate::data::{DataSpec, ReadOptions, Table};
    /// let csv = "id,score,converted\na,0.9,yes\nb,0.2,no\nc,,no\n";
    /// // One row in three is rejected: more than the default --max-rejected of 1% allows.
    /// let spec = DataSpec { label: Some("converted".into()), score: Some("score".into()), max_rejected: Some(0.5), ..DataSpec::default() };
    /// let table = Table::from_reader(Box::new(std::io::Cursor::new(csv)), "leads.csv", &spec, &ReadOptions::default())?;
    /// assert_eq!(table.n_rows(), 2);
    /// assert_eq!(table.summary().rows_rejected, 1); // the missing score, counted
    /// # Ok::<(), fairgate::Error>(())
    /// ```
    pub fn load(path: &Path, spec: &DataSpec, options: &ReadOptions) -> Result<Table, DataError> {
        Table::collect(TableReader::from_path(path, spec, options)?)
    }

    /// Loads from any reader; `origin` names it in messages.
    pub fn from_reader(
        input: Box<dyn std::io::Read + Send>,
        origin: &str,
        spec: &DataSpec,
        options: &ReadOptions,
    ) -> Result<Table, DataError> {
        Table::collect(TableReader::new(input, origin, spec, options)?)
    }

    /// Reads every chunk of `reader` into one table.
    pub fn collect(mut reader: TableReader) -> Result<Table, DataError> {
        let mut values = reader.empty_columns(0);
        let mut n_rows = 0;
        while let Some(n) = reader.next_rows_into(&mut values)? {
            n_rows += n;
        }
        let levels: Vec<Vec<String>> = (0..reader.schema().columns.len())
            .map(|i| reader.levels(i).to_vec())
            .collect();
        let defs = reader.schema().columns.clone();
        let summary = reader.finish()?;
        let columns = defs
            .into_iter()
            .zip(values)
            .zip(levels)
            .map(|((def, values), levels)| Column {
                name: def.name,
                role: def.role,
                kind: def.kind,
                values,
                levels,
            })
            .collect();
        Ok(Table {
            columns,
            n_rows,
            summary,
        })
    }

    /// Number of used rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The account of the load.
    pub fn summary(&self) -> &LoadSummary {
        &self.summary
    }

    /// All read columns, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column with this header name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The columns with this role, in file order.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(move |c| c.role == role)
    }

    /// The label as booleans (true = positive). Label values are never missing in a table:
    /// rows without one are rejected.
    pub fn label(&self) -> Option<Vec<bool>> {
        let c = self.with_role(Role::Label).next()?;
        Some(c.as_bool()?.iter().map(|b| *b == Some(true)).collect())
    }

    /// The score column's values.
    pub fn score(&self) -> Option<&[f64]> {
        self.with_role(Role::Score).next()?.as_f64()
    }

    /// The rows `rows` (table positions, in that order) as a new table, with the columns of
    /// `roles` only (every column when empty) followed by `extra` (each `rows.len()` values
    /// long). The load summary is kept (it describes the file the rows came from), with
    /// `rows_used` the new count. Used to audit or search a subset in memory: the held-out
    /// rows with a candidate's scores.
    pub fn subset(&self, rows: &[usize], roles: &[Role], extra: Vec<Column>) -> Table {
        let mut columns: Vec<Column> = self
            .columns
            .iter()
            .filter(|c| roles.is_empty() || roles.contains(&c.role))
            .map(|c| Column {
                name: c.name.clone(),
                role: c.role,
                kind: c.kind,
                values: c.values.select(rows),
                levels: c.levels.clone(),
            })
            .collect();
        columns.extend(extra);
        let mut summary = self.summary.clone();
        summary.rows_used = rows.len() as u64;
        Table {
            columns,
            n_rows: rows.len(),
            summary,
        }
    }

    /// The named numeric columns as a rows x columns matrix (missing stays NaN).
    pub fn numeric_matrix(&self, names: &[&str]) -> Result<Array2<f64>, DataError> {
        let mut m = Array2::zeros((self.n_rows, names.len()));
        for (j, name) in names.iter().enumerate() {
            let col = self.column(name).and_then(Column::as_f64).ok_or_else(|| {
                DataError::Spec(format!("column \"{name}\" is not a loaded numeric column"))
            })?;
            m.column_mut(j)
                .iter_mut()
                .zip(col)
                .for_each(|(d, s)| *d = *s);
        }
        Ok(m)
    }
}

/// Loads `spec.path` with `options`; a missing path is an error naming `--data`.
pub fn load(spec: &DataSpec, options: &ReadOptions) -> Result<Table, DataError> {
    Table::load(spec.input_file()?, spec, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_matrix_keeps_rows_and_missing_values() -> Result<(), DataError> {
        let csv = "y,s,a,b,g\n1,0.5,1.5,,x\n0,0.25,-2,4,y\n";
        let spec = DataSpec {
            label: Some("y".into()),
            score: Some("s".into()),
            features: Some(vec!["a".into(), "b".into(), "g".into()]),
            ..DataSpec::default()
        };
        let t = Table::from_reader(
            Box::new(std::io::Cursor::new(csv)),
            "t.csv",
            &spec,
            &ReadOptions::default(),
        )?;
        let m = t.numeric_matrix(&["b", "a"])?;
        assert_eq!(m.shape(), &[2, 2]);
        assert!(m[[0, 0]].is_nan());
        assert_eq!((m[[1, 0]], m[[0, 1]], m[[1, 1]]), (4.0, 1.5, -2.0));
        // A categorical or absent column is an error, not a panic.
        assert!(t.numeric_matrix(&["g"]).is_err());
        assert!(t.numeric_matrix(&["nope"]).is_err());
        Ok(())
    }
}
