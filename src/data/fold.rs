//! Folding rows on the decoding threads: a consumer that only needs per-block aggregates (the
//! audit's per-cell statistics) gives the reader a [`RowSink`] factory; each block's rows are
//! then fed to a fresh sink on the thread that decoded the block, and the caller receives the
//! finished sinks in file order ([`Folded`]), with the map from each block's local category
//! codes to the reader's global codes. No column is materialised or copied.

use std::any::Any;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// One decoded field of a row given to a [`RowSink`], in schema order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Field {
    /// A number or a timestamp (epoch seconds); NaN is missing.
    Num(f64),
    /// A boolean (the label, a flag); `None` is missing.
    Bool(Option<bool>),
    /// A category's code, local to the block (see [`Folded::global`]); [`super::MISSING_CODE`]
    /// is missing.
    Code(u32),
    /// Text (an identifier); its value is not passed on.
    Text,
}

/// One column of a [`RowBatch`]: the payloads of one kind of [`Field`], one per row.
#[derive(Clone, Debug, PartialEq)]
pub enum BatchColumn {
    /// Numbers and timestamps ([`Field::Num`]).
    Num(Vec<f64>),
    /// Booleans ([`Field::Bool`]).
    Bool(Vec<Option<bool>>),
    /// Category codes ([`Field::Code`]).
    Code(Vec<u32>),
    /// Text ([`Field::Text`]), whose values are not passed on.
    Text,
}

impl BatchColumn {
    /// Row `r`'s field (`r` below the batch's length).
    #[inline]
    pub fn field(&self, r: usize) -> Field {
        match self {
            BatchColumn::Num(v) => Field::Num(v[r]),
            BatchColumn::Bool(v) => Field::Bool(v[r]),
            BatchColumn::Code(v) => Field::Code(v[r]),
            BatchColumn::Text => Field::Text,
        }
    }
}

/// Committed rows given to a sink together, column by column: `columns[c].field(r)` is field
/// `c` (schema order) of row `r`, and every column but text has `len` values.
pub struct RowBatch<'a> {
    /// The rows' fields, one column per schema column.
    pub columns: &'a [BatchColumn],
    /// The number of rows.
    pub len: usize,
}

/// Accumulates the rows of one block.
pub trait RowSink: Send {
    /// Adds one committed row (rejected rows never reach the sink).
    fn row(&mut self, fields: &[Field]);
    /// Adds committed rows given column by column, in order: the same as [`RowSink::row`]
    /// on each row in turn, which is what the default does.
    fn rows(&mut self, batch: &RowBatch<'_>) {
        let mut row = Vec::with_capacity(batch.columns.len());
        for r in 0..batch.len {
            row.clear();
            row.extend(batch.columns.iter().map(|c| c.field(r)));
            self.row(&row);
        }
    }
    /// The block's result, handed back to the caller as [`Folded::partial`] (the reader
    /// checks that it is the type the caller asks for).
    fn finish(self: Box<Self>) -> Box<dyn Any + Send>;
}

/// Makes one sink per block; called on the decoding threads.
pub type SinkFactory = Arc<dyn Fn() -> Box<dyn RowSink> + Send + Sync>;

/// Where the reader's decoding threads find the factory once the caller sets it.
#[derive(Clone, Default)]
pub(crate) struct FoldSlot(Arc<OnceLock<SinkFactory>>);

impl FoldSlot {
    pub(crate) fn get(&self) -> Option<&SinkFactory> {
        self.0.get()
    }

    pub(crate) fn set(&self, factory: SinkFactory) -> bool {
        self.0.set(factory).is_ok()
    }
}

impl fmt::Debug for FoldSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "FoldSlot(set)"
        } else {
            "FoldSlot(unset)"
        })
    }
}

/// One block's folded result, in file order, typed as the sink's result `T` (see
/// [`crate::data::TableReader::next_folded`]).
pub struct Folded<T> {
    /// What the block's sink returned from [`RowSink::finish`]; `None` for a block that
    /// folded no row.
    pub partial: Option<T>,
    /// Per schema column, local code to global code (empty for columns that are not
    /// categorical).
    pub(crate) codes: Vec<Vec<u32>>,
}

impl<T> Folded<T> {
    /// The reader's global code of a block-local code of column `col` (schema position);
    /// [`super::MISSING_CODE`] stays missing.
    #[inline]
    pub fn global(&self, col: usize, local: u32) -> u32 {
        self.codes
            .get(col)
            .and_then(|c| c.get(local as usize))
            .copied()
            .unwrap_or(super::MISSING_CODE)
    }
}
