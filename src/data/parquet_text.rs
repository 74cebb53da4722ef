//! A small Parquet file read whole, every column as text ([`read_parquet_text`]): a statistics
//! file, or a part of a folder of them that Spark wrote. Values are the text a CSV export
//! would hold, exactly as the data reader gives them to its decoder (a null is empty), so a
//! table means the same in either format.

use std::path::Path;

use super::error::{DataError, Position};
use super::parquet::ParquetFile;

/// A Parquet file's columns and rows as text.
#[derive(Clone, Debug)]
pub struct ParquetText {
    /// The file's display name.
    pub origin: String,
    /// The column names, in file order.
    pub header: Vec<String>,
    /// The rows, each with one field per column (empty: null).
    pub rows: Vec<Vec<String>>,
    /// SHA-256 (hex) of the whole file.
    pub sha256: String,
    group_starts: Vec<u64>,
}

/// Rows read per batch.
const BATCH: usize = 8192;

/// Reads every column of the Parquet file `path` (shown as `origin`). A column of a type that
/// has no text (a list, a struct...), or a value that is not UTF-8, is an error naming it.
pub fn read_parquet_text(path: &Path, origin: &str) -> Result<ParquetText, DataError> {
    let file = ParquetFile::open(path, origin, true)?;
    let header = file.header.clone();
    let group_starts = file.group_starts.clone();
    let sha256 = file
        .digest
        .as_ref()
        .map(|(h, _)| h.clone())
        .unwrap_or_default();
    let all: Vec<usize> = (0..header.len()).collect();
    let mut blocks = file.blocks(&all, BATCH)?;
    let mut out = ParquetText {
        origin: origin.to_string(),
        header,
        rows: Vec::new(),
        sha256,
        group_starts,
    };
    while let Some((_, _, batch)) = blocks.next_block().map_err(|e| DataError::Parquet {
        origin: origin.to_string(),
        message: e.to_string(),
    })? {
        let fields = batch.fields();
        for r in 0..batch.rows() {
            let row = fields.row(r);
            let line = out.rows.len() as u64 + 2;
            let mut values = Vec::with_capacity(row.width());
            for i in 0..row.width() {
                let bytes = row.field(i).unwrap_or_default();
                let text = std::str::from_utf8(bytes).map_err(|_| DataError::Parquet {
                    origin: origin.to_string(),
                    message: format!(
                        "{}: expected text (UTF-8), found bytes that are not",
                        out.position(line, Some(i)).place()
                    ),
                })?;
                values.push(text.to_string());
            }
            out.rows.push(values);
        }
    }
    Ok(out)
}

impl ParquetText {
    /// Where the row at `line` (as in a CSV export: the first row is line 2) and the field
    /// at index `field` are.
    pub fn position(&self, line: u64, field: Option<usize>) -> Position {
        Position::in_rows(&self.origin, &self.group_starts, line, field)
    }
}
