//! Parquet in a build without the `parquet` feature: a Parquet file is recognised by its magic
//! bytes and refused with a message that says how to read it. The types exist so that the
//! reader has one shape either way; none of them can be made.

use std::io;
use std::path::Path;

use super::error::DataError;

/// Never made: opening refuses.
pub(crate) struct ParquetFile {
    pub header: Vec<String>,
    pub group_starts: Vec<u64>,
    pub digest: Option<(String, u64)>,
    never: Never,
}

/// No value: this build reads no Parquet.
#[derive(Clone, Copy)]
pub(crate) enum Never {}

/// Never made.
pub(crate) struct Blocks(Never);

/// Never made.
pub(crate) struct Batch(Never);

/// Never made.
pub(crate) struct Fields(Never);

/// Never made.
pub(crate) struct Row<'a>(Never, std::marker::PhantomData<&'a ()>);

impl ParquetFile {
    /// Refuses: this build has no Parquet support.
    pub fn open(_path: &Path, origin: &str, _hash: bool) -> Result<ParquetFile, DataError> {
        Err(DataError::Parquet {
            origin: origin.to_string(),
            message: "a Parquet file, and this fairgate was built without the `parquet` feature: rebuild it with default features, or convert the file to CSV".to_string(),
        })
    }

    pub fn blocks(self, _needed: &[usize], _rows: usize) -> Result<Blocks, DataError> {
        match self.never {}
    }
}

impl Blocks {
    pub fn next_block(&mut self) -> io::Result<Option<(u64, u64, Batch)>> {
        match self.0 {}
    }
}

impl Batch {
    pub fn rows(&self) -> usize {
        match self.0 {}
    }
    pub fn fields(&self) -> Fields {
        match self.0 {}
    }
}

impl Fields {
    pub fn row(&self, _row: usize) -> Row<'_> {
        match self.0 {}
    }
}

impl Row<'_> {
    pub fn width(&self) -> usize {
        match self.0 {}
    }
    pub fn field(&self, _i: usize) -> Option<&[u8]> {
        match self.0 {}
    }
}
