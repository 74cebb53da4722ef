//! Where a table comes from: a file (CSV or Parquet, `-` for standard input), or Arrow data
//! in memory (a DataFrame handed over from Python) that can be read again. Whatever reads a
//! model's input (scoring, explaining) takes an [`Input`], so a file and a DataFrame are read
//! with the same roles, rules and messages.

use std::path::Path;

use super::error::DataError;
use super::reader::{ReadOptions, TableReader};
use super::spec::DataSpec;

/// Opens Arrow data in memory afresh, for each pass over it.
#[cfg(feature = "parquet")]
pub type ArrowOpener<'a> = &'a (dyn Fn() -> Result<super::ArrowBatches, DataError> + Sync);

/// A table's source, borrowed: a file by path, or Arrow data in memory that
/// can be opened more than once (an explanation reads its input twice).
#[derive(Clone, Copy)]
pub enum Input<'a> {
    /// A file (CSV or Parquet; `-` is standard input).
    Path(&'a Path),
    /// Arrow data in memory.
    #[cfg(feature = "parquet")]
    Arrow {
        /// How messages name it (`DataFrame`).
        origin: &'a str,
        /// Opens the data for one pass.
        open: ArrowOpener<'a>,
    },
}

impl<'a> From<&'a Path> for Input<'a> {
    fn from(path: &'a Path) -> Input<'a> {
        Input::Path(path)
    }
}

impl<'a> From<&'a std::path::PathBuf> for Input<'a> {
    fn from(path: &'a std::path::PathBuf) -> Input<'a> {
        Input::Path(path)
    }
}

impl Input<'_> {
    /// How messages and outputs name the input: the file's path as shown, or the origin.
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => crate::output::shown(p),
            #[cfg(feature = "parquet")]
            Input::Arrow { origin, .. } => (*origin).to_string(),
        }
    }

    /// Its column names, in order (reading no further than a file's header or footer).
    pub fn header(&self, spec: &DataSpec) -> Result<Vec<String>, DataError> {
        match self {
            Input::Path(p) => TableReader::header_of(p, spec),
            #[cfg(feature = "parquet")]
            Input::Arrow { open, .. } => Ok(open()?.header()),
        }
    }

    /// Opens it for one pass, with the roles of `spec`.
    pub fn reader(&self, spec: &DataSpec, options: &ReadOptions) -> Result<TableReader, DataError> {
        match self {
            Input::Path(p) => TableReader::from_path(p, spec, options),
            #[cfg(feature = "parquet")]
            Input::Arrow { origin, open } => {
                TableReader::from_arrow(open()?, origin, spec, options)
            }
        }
    }
}
