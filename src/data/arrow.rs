//! Arrow data from memory (a pandas, polars or pyarrow table handed over through the Arrow C
//! stream interface, say): read as a Parquet file's batches are, with the same roles,
//! validation and messages, only the needed columns converted, a slice of rows at a time.
//!
//! The batches are not copied: a batch larger than the reader's chunk is cut into slices
//! that share its buffers. A row is named by its position from 0 (as `iloc` counts), and a
//! null is an empty field: missing, whatever `na` says.

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, SchemaRef};

use super::error::DataError;
use super::parquet::{check_readable, BatchIter, Blocks};

/// A stream of Arrow record batches with one schema, not yet read.
pub struct ArrowBatches {
    schema: SchemaRef,
    batches: BatchIter,
}

impl ArrowBatches {
    /// Batches that all have `schema` (as an Arrow stream guarantees); a batch whose columns
    /// differ is an error when it is reached.
    pub fn new(
        schema: SchemaRef,
        batches: impl Iterator<Item = Result<RecordBatch, ArrowError>> + Send + 'static,
    ) -> ArrowBatches {
        ArrowBatches {
            schema,
            batches: Box::new(batches),
        }
    }

    /// The column names, in order.
    pub fn header(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// The blocks of the columns at header positions `needed`, at most `rows` rows each.
    pub(crate) fn blocks(
        self,
        needed: &[usize],
        rows: usize,
        origin: &str,
    ) -> Result<Blocks, DataError> {
        let fields = self.schema.fields().clone();
        check_readable(&fields, needed, origin, "Arrow")?;
        let width = fields.len();
        let columns = (0..width)
            .map(|i| needed.contains(&i).then_some(i))
            .collect();
        let rows = rows.max(1);
        let sliced = self.batches.flat_map(move |batch| {
            let slices: Vec<Result<RecordBatch, ArrowError>> = match batch {
                Err(e) => vec![Err(e)],
                Ok(b) if b.num_columns() != width => vec![Err(ArrowError::SchemaError(format!(
                    "a batch has {} columns where the schema has {width}",
                    b.num_columns()
                )))],
                Ok(b) => (0..b.num_rows())
                    .step_by(rows)
                    .map(|at| Ok(b.slice(at, rows.min(b.num_rows() - at))))
                    .collect(),
            };
            slices
        });
        Ok(Blocks::new(Box::new(sliced), "rows", columns))
    }
}
