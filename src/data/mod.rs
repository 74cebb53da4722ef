//! Reading scoring data: CSV with a header, delimiter detection, quoted fields, CRLF and BOM,
//! or Parquet (only the columns needed, a batch at a time),
//! into typed columns with roles (label, score, prediction, id, protected attribute, feature,
//! consent, timestamp, weight), streamed in chunks.
//!
//! Every input error names the file, line and column; rows that cannot be used are counted by
//! reason in a [`LoadSummary`], never dropped silently. [`synth`] generates the synthetic
//! lead-scoring data that the demo and the tests use.

#[cfg(feature = "parquet")]
mod arrow;
mod columns;
mod decode;
mod error;
mod fold;
mod input;
#[cfg(feature = "parquet")]
mod parquet;
#[cfg(not(feature = "parquet"))]
#[path = "parquet_off.rs"]
mod parquet;
mod parquet_text;
mod pipeline;
mod profile;
mod reader;
mod records;
mod schema;
mod sniff;
mod source;
mod spec;
mod split;
mod summary;
pub mod synth;
mod table;
mod value;

pub use crate::time::{format_timestamp, parse_timestamp};
#[cfg(feature = "parquet")]
pub use arrow::ArrowBatches;
pub use columns::{Chunk, ColumnValues, TextValues};
pub use error::{DataError, InvalidValue, Position, RowGroupAt, UnknownColumn, ValueProblem};
// The fold interface between the reader and the audit engine: public for the integration
// tests, not a supported API.
pub use fold::{BatchColumn, Field, Folded, RowBatch, RowSink, SinkFactory};
#[cfg(feature = "parquet")]
pub use input::ArrowOpener;
pub use input::Input;
pub use parquet_text::{read_parquet_text, ParquetText};
pub use profile::{AttributeGroups, GroupCount, Profile, PROFILE_SCHEMA_VERSION};
pub use reader::{RawRecord, ReadOptions, TableReader};
pub use schema::{
    unknown_level, ColumnDef, ColumnKind, Schema, Unlisted, MISSING_CODE, UNKNOWN_GROUP,
};
pub use sniff::{detect_delimiter, CANDIDATES as DELIMITER_CANDIDATES};
#[doc(hidden)]
pub(crate) use source::is_parquet;
pub use spec::{ConfigFile, Conninfo, DataSpec, ExplainSection, MissingNumeric, OnInvalid, Role};
pub use summary::{ColumnSummary, LabelSummary, LoadSummary, Rejection};
pub use table::{load, Column, Table};
