//! Reading Parquet files (the `parquet` feature, on by default): only the columns a command
//! needs, a batch of rows at a time, with the same roles, validation and messages as CSV.
//!
//! Each batch's values are given to the CSV decoder as the text a CSV export of the file
//! would hold: strings as they are (no copy), numbers in their shortest form that reads back
//! to the same value (`0.1`, `1e-7`), booleans as `true`/`false`, dates and timestamps as
//! ISO 8601 UTC (to the second, as fairgate reads timestamps), decimals in their exact decimal
//! form. So a Parquet file and its CSV export give the same audit, by construction, and every
//! rule (ranges, labels, missing values, `--na`, `--positive`) has one implementation. A null
//! is an empty field: missing, whatever `--na` says, as an empty CSV field is by default.
//!
//! Rows are numbered as the lines of that CSV export (the header is line 1, the first row line
//! 2), so rejection counts and their first lines agree with the CSV audit; error messages name
//! the row, its row group and its offset in the group instead.
//!
//! The file's SHA-256 covers all its bytes, read once when it is opened.

use std::fs::File;
use std::io::{self, Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Date64Type, Decimal128Type, Decimal256Type, Decimal32Type,
    Decimal64Type, DecimalType, Float16Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BinaryViewArray, FixedSizeBinaryArray, LargeBinaryArray,
    LargeStringArray, PrimitiveArray, RecordBatch, StringArray, StringViewArray,
};
use arrow_schema::{ArrowError, DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use sha2::{Digest, Sha256};

use super::error::DataError;
use crate::time::format_timestamp;

/// An opened Parquet file: its columns and row groups are known, no row is read yet.
pub(crate) struct ParquetFile {
    origin: String,
    builder: ParquetRecordBatchReaderBuilder<File>,
    /// The top-level column names, in file order.
    pub header: Vec<String>,
    /// The first row (from 0) of each row group.
    pub group_starts: Vec<u64>,
    /// SHA-256 (hex) and size of the whole file, when asked for.
    pub digest: Option<(String, u64)>,
}

/// Record batches from a Parquet reader or from memory.
pub(crate) type BatchIter = Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>> + Send>;

/// The batches of the columns a read needs, in file order.
pub(crate) struct Blocks {
    reader: BatchIter,
    /// What the rows are, in messages (`Parquet rows`).
    what: &'static str,
    /// For each header position, the batch column that holds it (read columns only).
    columns: Arc<[Option<usize>]>,
    seq: u64,
    next_row: u64,
}

/// One batch of rows, as a block's payload.
pub(crate) struct Batch {
    batch: RecordBatch,
    columns: Arc<[Option<usize>]>,
}

/// A batch's values as fields, by header position (`None`: a column not read).
pub(crate) struct Fields(Vec<Option<Cells>>);

/// One row of a [`Fields`], as the decoder reads a record.
pub(crate) struct Row<'a> {
    cells: &'a Fields,
    row: usize,
}

thread_local! {
    /// Whether this thread is inside [`guarded`], whose panics are reported as errors.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A Parquet error (or a panic of the Parquet reader, which a malformed file must never turn
/// into a crash) as a message. The panic hook is wrapped once so that a panic caught here
/// prints nothing; any other panic is reported as before.
fn guarded<T, E: std::fmt::Display>(f: impl FnOnce() -> Result<T, E>) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let was = GUARDED.with(|g| g.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    match outcome {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!(
            "the Parquet reader failed on it ({}): the file is damaged or not written by a Parquet writer",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "no message".to_string())
        )),
    }
}

impl ParquetFile {
    /// Opens `path`, hashes it (if `hash`) and reads its footer (the schema and the row
    /// groups).
    pub fn open(path: &Path, origin: &str, hash: bool) -> Result<ParquetFile, DataError> {
        let read_err = |source| {
            DataError::from(crate::file_error::FileError::read(
                origin.to_string(),
                source,
            ))
        };
        let digest = match hash {
            true => Some(hash_file(path).map_err(read_err)?),
            false => None,
        };
        let file = File::open(path).map_err(read_err)?;
        let builder = guarded(|| ParquetRecordBatchReaderBuilder::try_new(file)).map_err(|e| {
            DataError::Parquet {
                origin: origin.to_string(),
                message: format!("not a readable Parquet file: {e}"),
            }
        })?;
        let header = builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let mut group_starts = Vec::new();
        let mut start = 0u64;
        for g in builder.metadata().row_groups() {
            group_starts.push(start);
            start = start.saturating_add(u64::try_from(g.num_rows()).unwrap_or(0));
        }
        Ok(ParquetFile {
            origin: origin.to_string(),
            builder,
            header,
            group_starts,
            digest,
        })
    }

    /// Starts reading the columns at header positions `needed`, `rows` rows per batch. A
    /// needed column of a type fairgate cannot read as a value (a list, a struct, a time of
    /// day...) is an error naming it.
    pub fn blocks(self, needed: &[usize], rows: usize) -> Result<Blocks, DataError> {
        let fields = self.builder.schema().fields().clone();
        let mut needed: Vec<usize> = needed.to_vec();
        needed.sort_unstable();
        needed.dedup();
        check_readable(&fields, &needed, &self.origin, "Parquet/Arrow")?;
        let mut columns = vec![None; fields.len()];
        for (at, &i) in needed.iter().enumerate() {
            if let Some(slot) = columns.get_mut(i) {
                *slot = Some(at);
            }
        }
        let mask = ProjectionMask::roots(self.builder.parquet_schema(), needed.iter().copied());
        let origin = self.origin;
        let builder = self.builder;
        let reader = guarded(|| {
            builder
                .with_projection(mask)
                .with_batch_size(rows.max(1))
                .build()
        })
        .map_err(|e| DataError::Parquet {
            origin: origin.clone(),
            message: format!("cannot read the file's row groups: {e}"),
        })?;
        Ok(Blocks::new(Box::new(reader), "Parquet rows", columns))
    }
}

/// Refuses a needed column (a header position in `needed`) of a type fairgate cannot read as
/// a value: `what` names the input's kind of type (`Parquet/Arrow`).
pub(crate) fn check_readable(
    fields: &arrow_schema::Fields,
    needed: &[usize],
    origin: &str,
    what: &str,
) -> Result<(), DataError> {
    for &i in needed {
        let Some(field) = fields.get(i) else { continue };
        if !readable(field.data_type()) {
            return Err(DataError::Parquet {
                origin: origin.to_string(),
                message: format!(
                    "column {} (\"{}\") has the {what} type {}, which fairgate does not read as a value (it reads strings, numbers, booleans, decimals, dates and timestamps): give the column no role, or store it as one of those",
                    i + 1,
                    field.name(),
                    field.data_type()
                ),
            });
        }
    }
    Ok(())
}

impl Blocks {
    /// Blocks of the batches `reader` yields (`what` names its rows in messages), where
    /// `columns[i]` is the batch column that holds header position `i` (`None`: not read).
    pub fn new(reader: BatchIter, what: &'static str, columns: Vec<Option<usize>>) -> Blocks {
        Blocks {
            reader,
            what,
            columns: columns.into(),
            seq: 0,
            next_row: 0,
        }
    }

    /// The next batch with its position and first line, or `None` at the end. A batch that cannot be read (a corrupt
    /// page, a codec error) is an I/O error of kind `InvalidData` naming the rows.
    pub fn next_block(&mut self) -> io::Result<Option<(u64, u64, Batch)>> {
        let reader = &mut self.reader;
        let next = guarded(|| reader.next().transpose());
        let batch = match next {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(None),
            Err(e) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "the {} from row {} on cannot be read: {e}",
                        self.what,
                        self.next_row + 1
                    ),
                ))
            }
        };
        let rows = batch.num_rows() as u64;
        // Its position, and its first line as the lines of a CSV export (the header is 1).
        let out = (
            self.seq,
            self.next_row + 2,
            Batch {
                batch,
                columns: Arc::clone(&self.columns),
            },
        );
        self.seq += 1;
        self.next_row += rows;
        Ok(Some(out))
    }
}

impl Batch {
    /// Rows in the batch.
    pub fn rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// The batch's values as fields.
    pub fn fields(&self) -> Fields {
        Fields(
            self.columns
                .iter()
                .map(|c| c.and_then(|at| self.batch.columns().get(at)).map(Cells::of))
                .collect(),
        )
    }
}

impl Fields {
    /// Row `row` (from 0).
    pub fn row(&self, row: usize) -> Row<'_> {
        Row { cells: self, row }
    }
}

impl Row<'_> {
    /// The number of fields (the file's columns).
    pub fn width(&self) -> usize {
        self.cells.0.len()
    }

    /// Field `i`: empty for a column not read or a null.
    #[inline]
    pub fn field(&self, i: usize) -> Option<&[u8]> {
        Some(
            self.cells
                .0
                .get(i)?
                .as_ref()
                .map_or(&[][..], |c| c.get(self.row)),
        )
    }
}

/// One column's values as text fields.
enum Cells {
    Str(StringArray),
    LargeStr(LargeStringArray),
    StrView(StringViewArray),
    Bin(BinaryArray),
    LargeBin(LargeBinaryArray),
    BinView(BinaryViewArray),
    FixedBin(FixedSizeBinaryArray),
    /// Values rendered as text: value `r` is `bytes[ends[r - 1]..ends[r]]` (from 0 for the
    /// first); a null is empty.
    Text {
        bytes: Vec<u8>,
        ends: Vec<usize>,
    },
    /// A dictionary's values, indexed by its keys.
    Dict {
        keys: Vec<usize>,
        /// The dictionary array, for its nulls.
        array: ArrayRef,
        values: Box<Cells>,
    },
}

/// Whether fairgate reads a column of this type (see [`Cells::of`]).
fn readable(t: &DataType) -> bool {
    use DataType as D;
    match t {
        D::Null
        | D::Boolean
        | D::Int8
        | D::Int16
        | D::Int32
        | D::Int64
        | D::UInt8
        | D::UInt16
        | D::UInt32
        | D::UInt64
        | D::Float16
        | D::Float32
        | D::Float64
        | D::Timestamp(..)
        | D::Date32
        | D::Date64
        | D::Binary
        | D::FixedSizeBinary(_)
        | D::LargeBinary
        | D::BinaryView
        | D::Utf8
        | D::LargeUtf8
        | D::Utf8View
        | D::Decimal32(..)
        | D::Decimal64(..)
        | D::Decimal128(..)
        | D::Decimal256(..) => true,
        D::Dictionary(_, values) => readable(values),
        _ => false,
    }
}

impl Cells {
    /// The fields of `array` (of a type [`readable`] accepts; any other gives empty fields,
    /// which the caller has refused before reading).
    fn of(array: &ArrayRef) -> Cells {
        use DataType as D;
        let a = array.as_ref();
        match a.data_type() {
            D::Utf8 => Cells::Str(a.as_string::<i32>().clone()),
            D::LargeUtf8 => Cells::LargeStr(a.as_string::<i64>().clone()),
            D::Utf8View => Cells::StrView(a.as_string_view().clone()),
            D::Binary => Cells::Bin(a.as_binary::<i32>().clone()),
            D::LargeBinary => Cells::LargeBin(a.as_binary::<i64>().clone()),
            D::BinaryView => Cells::BinView(a.as_binary_view().clone()),
            D::FixedSizeBinary(_) => Cells::FixedBin(a.as_fixed_size_binary().clone()),
            D::Boolean => {
                let b = a.as_boolean();
                text(a, |out, r| {
                    out.extend_from_slice(if b.value(r) { b"true" } else { b"false" })
                })
            }
            D::Int8 => number::<Int8Type>(a),
            D::Int16 => number::<Int16Type>(a),
            D::Int32 => number::<Int32Type>(a),
            D::Int64 => number::<Int64Type>(a),
            D::UInt8 => number::<UInt8Type>(a),
            D::UInt16 => number::<UInt16Type>(a),
            D::UInt32 => number::<UInt32Type>(a),
            D::UInt64 => number::<UInt64Type>(a),
            // Debug: the shortest digits that read back to the same value, with an exponent
            // where Display would write hundreds of zeros.
            D::Float16 => {
                let p = a.as_primitive::<Float16Type>();
                text(a, |out, r| write_debug(out, p.value(r).to_f32()))
            }
            D::Float32 => number_debug::<Float32Type>(a),
            D::Float64 => number_debug::<Float64Type>(a),
            D::Decimal32(..) => decimal::<Decimal32Type>(a),
            D::Decimal64(..) => decimal::<Decimal64Type>(a),
            D::Decimal128(..) => decimal::<Decimal128Type>(a),
            D::Decimal256(..) => decimal::<Decimal256Type>(a),
            D::Date32 => {
                let p = a.as_primitive::<Date32Type>();
                text(a, |out, r| {
                    time(out, i64::from(p.value(r)).saturating_mul(86_400))
                })
            }
            D::Date64 => {
                let p = a.as_primitive::<Date64Type>();
                text(a, |out, r| time(out, p.value(r).div_euclid(1000)))
            }
            D::Timestamp(unit, _) => {
                let per_second: i64 = match unit {
                    TimeUnit::Second => 1,
                    TimeUnit::Millisecond => 1_000,
                    TimeUnit::Microsecond => 1_000_000,
                    TimeUnit::Nanosecond => 1_000_000_000,
                };
                let value = |r: usize| match unit {
                    TimeUnit::Second => a.as_primitive::<TimestampSecondType>().value(r),
                    TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(r),
                    TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(r),
                    TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(r),
                };
                text(a, |out, r| time(out, value(r).div_euclid(per_second)))
            }
            D::Dictionary(..) => match a.as_any_dictionary_opt() {
                Some(d) if !d.values().is_empty() => Cells::Dict {
                    keys: d.normalized_keys(),
                    array: Arc::clone(array),
                    values: Box::new(Cells::of(d.values())),
                },
                // No values: every key is null.
                _ => text(a, |_, _| {}),
            },
            // Null, and types refused before reading: every field empty.
            _ => text(a, |_, _| {}),
        }
    }

    /// Field `r`: empty for a null.
    #[inline]
    fn get(&self, r: usize) -> &[u8] {
        fn opt<'a, A: Array>(a: &'a A, r: usize, v: impl FnOnce(&'a A) -> &'a [u8]) -> &'a [u8] {
            if r >= a.len() || a.is_null(r) {
                &[]
            } else {
                v(a)
            }
        }
        match self {
            Cells::Str(a) => opt(a, r, |a| a.value(r).as_bytes()),
            Cells::LargeStr(a) => opt(a, r, |a| a.value(r).as_bytes()),
            Cells::StrView(a) => opt(a, r, |a| a.value(r).as_bytes()),
            Cells::Bin(a) => opt(a, r, |a| a.value(r)),
            Cells::LargeBin(a) => opt(a, r, |a| a.value(r)),
            Cells::BinView(a) => opt(a, r, |a| a.value(r)),
            Cells::FixedBin(a) => opt(a, r, |a| a.value(r)),
            Cells::Text { bytes, ends } => {
                let start = match r {
                    0 => 0,
                    _ => ends.get(r - 1).copied().unwrap_or(0),
                };
                let end = ends.get(r).copied().unwrap_or(start);
                bytes.get(start..end).unwrap_or_default()
            }
            Cells::Dict {
                keys,
                array,
                values,
            } => match keys.get(r) {
                Some(&k) if !array.is_null(r) => values.get(k),
                _ => &[],
            },
        }
    }
}

/// Renders each non-null value of `a` with `write`; a null is an empty field.
fn text(a: &dyn Array, mut write: impl FnMut(&mut Vec<u8>, usize)) -> Cells {
    let n = a.len();
    let mut bytes = Vec::with_capacity(n * 8);
    let mut ends = Vec::with_capacity(n);
    let nulls = a.logical_nulls();
    for r in 0..n {
        if !nulls.as_ref().is_some_and(|nb| nb.is_null(r)) {
            write(&mut bytes, r);
        }
        ends.push(bytes.len());
    }
    Cells::Text { bytes, ends }
}

fn number<T: ArrowPrimitiveType>(a: &dyn Array) -> Cells
where
    T::Native: std::fmt::Display,
{
    let p: &PrimitiveArray<T> = a.as_primitive::<T>();
    text(a, |out, r| {
        let _ = write!(out, "{}", p.value(r));
    })
}

fn number_debug<T: ArrowPrimitiveType>(a: &dyn Array) -> Cells
where
    T::Native: std::fmt::Debug,
{
    let p: &PrimitiveArray<T> = a.as_primitive::<T>();
    text(a, |out, r| write_debug(out, p.value(r)))
}

fn write_debug(out: &mut Vec<u8>, v: impl std::fmt::Debug) {
    let _ = write!(out, "{v:?}");
}

fn decimal<T: DecimalType + ArrowPrimitiveType>(a: &dyn Array) -> Cells {
    let p: &PrimitiveArray<T> = a.as_primitive::<T>();
    text(a, |out, r| {
        out.extend_from_slice(p.value_as_string(r).as_bytes())
    })
}

fn time(out: &mut Vec<u8>, secs: i64) {
    out.extend_from_slice(format_timestamp(secs).as_bytes());
}

/// SHA-256 (hex) and size of the file at `path`.
fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, bytes))
}
