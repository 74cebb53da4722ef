//! The streaming table reader: decodes CSV records into typed column chunks according to a
//! [`Schema`], applying each role's missing-value rule and the `on-invalid` policy, and keeps
//! the [`LoadSummary`]. A chunk holds at most `chunk_rows` rows, so a file larger than memory
//! can be processed chunk by chunk; [`super::Table::load`] collects all chunks.
//!
//! Threaded (the default), worker threads take turns to read, hash and cut the input into
//! blocks of whole records, each decoding the block it cut ([`super::decode`]), and this thread
//! merges them in file order: it gives categorical values their global codes in order of first
//! appearance, decides the label's negative value under `--positive`, and reports the first
//! error in file order. The result is the same, byte for byte, for any number of threads and
//! any chunk size.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use csv::ByteRecord;
use rustc_hash::FxHashMap;

use super::columns::{Chunk, ColumnValues};
use super::decode::{
    decode_block, fold_stored, invalid, missing_policy, retain_rows, BlockOut, ColPlan, Decoder,
    Plan, RejectKey,
};
use super::error::{quote_found, DataError, Position, UnknownColumn, ValueProblem};
use super::fold::{FoldSlot, Folded, SinkFactory};
use super::parquet::ParquetFile;
use super::pipeline::{spawn, Done, Feed};
use super::records::Record;
use super::schema::{ColumnKind, Schema, Unlisted, MISSING_CODE};
use super::source::{is_parquet, Blocks, DigestSlot, Opened, Source};
use super::spec::{DataSpec, MissingNumeric, OnInvalid, Role};
use super::split::Block;
use super::summary::{ColumnSummary, LabelSummary, LoadSummary, Rejection};
use crate::params::InvalidParam;

/// A record as text, with its line number: see [`TableReader::find_records`].
pub type RawRecord = (u64, Vec<String>);

/// Reading options that are not about the data itself.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Rows per chunk (and per parsing batch). Defaults to 8,192.
    pub chunk_rows: usize,
    /// What columns with no role become. Defaults to [`Unlisted::Ignore`].
    pub unlisted: Unlisted,
    /// Parse on a second thread while decoding on this one. Defaults to `true`; the output is
    /// the same either way.
    pub threaded: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            chunk_rows: 8192,
            unlisted: Unlisted::Ignore,
            threaded: true,
        }
    }
}

/// The least a data record may hold before the reader gives up on it (see
/// [`TableReader::new`]).
const RECORD_FLOOR: usize = 16 << 20;

/// The most a data record may hold, unless one field may hold more (see
/// [`TableReader::new`]).
const RECORD_CEILING: usize = 256 << 20;

/// Reads a CSV input chunk by chunk. See the module docs.
pub struct TableReader {
    plan: Arc<Plan>,
    schema: Schema,
    feed: Feed,
    digest: DigestSlot,
    delimiter: u8,
    delimiter_detected: bool,
    bom: bool,
    /// Whether the input is batches (Parquet or Arrow), not CSV text.
    parquet: bool,
    /// What the input is.
    kind: InputKind,
    missing_numeric: MissingNumeric,
    chunk_rows: usize,
    /// Global levels of each categorical column, and their lookup.
    levels: Vec<Vec<String>>,
    lookup: Vec<FxHashMap<String, u32>>,
    /// Under `--positive`: the label's other value, once seen.
    negative: Option<String>,
    spelled: [Option<String>; 2],
    positives: u64,
    negatives: u64,
    missing: Vec<u64>,
    rows_read: u64,
    rows_used: u64,
    /// Rows left out by `--filter`.
    rows_filtered: u64,
    /// `--filter` as given.
    filter_text: Option<String>,
    /// The group limit, with the protected columns and intersections (schema positions) it
    /// applies to ([`TableReader::limit_groups`]).
    group_limit: Option<(usize, Vec<Vec<usize>>)>,
    rejected: BTreeMap<RejectKey, (u64, u64)>,
    /// The largest share of rejected rows ([`DataSpec::max_rejected`]).
    max_rejected: f64,
}

impl TableReader {
    /// Opens a file by path; `-` reads standard input. A file that begins with Parquet's
    /// magic bytes is read as Parquet (`docs/input.md` says how), anything else as CSV.
    pub fn from_path(
        path: &std::path::Path,
        spec: &DataSpec,
        options: &ReadOptions,
    ) -> Result<TableReader, DataError> {
        let origin = crate::output::shown(path);
        if path.as_os_str() == "-" {
            return TableReader::new(Box::new(std::io::stdin()), &origin, spec, options);
        }
        if is_parquet(path) {
            let file = ParquetFile::open(path, &origin, true)?;
            return TableReader::build(Opened::Parquet(file), &origin, spec, options);
        }
        let file = std::fs::File::open(path).map_err(|source| {
            DataError::from(crate::file_error::FileError::read(origin.clone(), source))
        })?;
        TableReader::new(Box::new(file), &origin, spec, options)
    }

    /// Reads Arrow batches from memory (`origin` names them in messages: `DataFrame`, say):
    /// the same roles, validation and summary as a file, rows named by their position from
    /// 0, no digest (the bytes of memory are not a file).
    #[cfg(feature = "parquet")]
    pub fn from_arrow(
        batches: super::ArrowBatches,
        origin: &str,
        spec: &DataSpec,
        options: &ReadOptions,
    ) -> Result<TableReader, DataError> {
        TableReader::build(Opened::Arrow(batches), origin, spec, options)
    }

    /// The column names of a file's header (of a Parquet file: its schema), without reading
    /// further than its first block (its footer).
    pub fn header_of(path: &std::path::Path, spec: &DataSpec) -> Result<Vec<String>, DataError> {
        let origin = path.display().to_string();
        if is_parquet(path) {
            return Ok(ParquetFile::open(path, &origin, false)?.header);
        }
        let file = std::fs::File::open(path).map_err(|source| {
            DataError::from(crate::file_error::FileError::read(origin.clone(), source))
        })?;
        let source = Source::open(Box::new(file), &origin, spec.delimiter_byte()?)?;
        header_names(&source.header, &origin)
    }

    /// The header and the records of `path` whose field in `column` equals `value` exactly
    /// (after trimming spaces), as text, each with its line number (in a Parquet file, the
    /// line it would have in a CSV export). Reads the whole file but keeps only the matches.
    pub fn find_records(
        path: &std::path::Path,
        spec: &DataSpec,
        column: &str,
        value: &str,
    ) -> Result<(Vec<String>, Vec<RawRecord>), DataError> {
        let origin = path.display().to_string();
        let read_err =
            |source| DataError::from(crate::file_error::FileError::read(origin.clone(), source));
        let (header, mut blocks, delimiter) = if is_parquet(path) {
            let file = ParquetFile::open(path, &origin, false)?;
            let header = file.header.clone();
            let all: Vec<usize> = (0..header.len()).collect();
            (header, Blocks::Parquet(file.blocks(&all, 8192)?), b',')
        } else {
            let file = std::fs::File::open(path).map_err(read_err)?;
            let source = Source::open(Box::new(file), &origin, spec.delimiter_byte()?)?;
            let header = header_names(&source.header, &origin)?;
            (header, Blocks::Csv(source.splitter), source.delimiter)
        };
        let at = header.iter().position(|h| h == column).ok_or_else(|| {
            DataError::Spec(format!("{origin}: no column \"{column}\" in the header"))
        })?;
        let mut found = Vec::new();
        while let Some(block) = blocks.next_block(8192).map_err(read_err)? {
            for (line, rec) in block_records(&block, delimiter) {
                let hit = rec
                    .get(at)
                    .is_some_and(|f| f.trim_ascii() == value.as_bytes());
                if hit {
                    let fields = rec
                        .iter()
                        .map(|f| String::from_utf8_lossy(f.trim_ascii()).into_owned())
                        .collect();
                    found.push((line, fields));
                }
            }
        }
        Ok((header, found))
    }

    /// Opens any reader of CSV; `origin` names it in messages.
    pub fn new(
        input: Box<dyn Read + Send>,
        origin: &str,
        spec: &DataSpec,
        options: &ReadOptions,
    ) -> Result<TableReader, DataError> {
        let source = Source::open(input, origin, spec.delimiter_byte()?)?;
        TableReader::build(Opened::Csv(source), origin, spec, options)
    }

    /// A reader of an opened input: resolves the schema, chooses the columns to read, infers
    /// undeclared feature kinds from the first block and starts decoding.
    fn build(
        opened: Opened,
        origin: &str,
        spec: &DataSpec,
        options: &ReadOptions,
    ) -> Result<TableReader, DataError> {
        let chunk_rows = options.chunk_rows.max(1);
        let max_field = spec.max_field_bytes.unwrap_or(64 * 1024);
        if max_field == 0 {
            return Err(
                InvalidParam::new("max_field_bytes", "a positive number of bytes", 0).into(),
            );
        }
        let max_rejected = spec.max_rejected.unwrap_or(0.01);
        if !(0.0..=1.0).contains(&max_rejected) {
            return Err(
                InvalidParam::new("max_rejected", "a share from 0 to 1", max_rejected).into(),
            );
        }
        let (header, header_line) = match &opened {
            Opened::Csv(source) => (header_names(&source.header, origin)?, 1),
            Opened::Parquet(file) => (file.header.clone(), 0),
            #[cfg(feature = "parquet")]
            Opened::Arrow(batches) => (batches.header(), 0),
        };
        let mut schema = Schema::resolve(header, spec, options.unlisted, origin, header_line)?;
        let filter = match &spec.filter {
            None => None,
            Some(f) => Some(filter_of(f, &schema.header, origin, header_line)?),
        };
        let format = match opened {
            Opened::Csv(mut source) => {
                // A record holds at most one full field per column, quoted (each quote
                // doubled) and delimited; at least 16 MiB, so that a single overlong field is
                // still reported by the decoder with its line and column. At most 256 MiB
                // (or one field, if --max-field-bytes is larger), so that a header with many
                // columns does not lift the bound out of reach.
                let width = schema.columns.len().max(1);
                let field = max_field.saturating_mul(2).saturating_add(3);
                source.splitter.set_max_record(
                    width
                        .saturating_mul(field)
                        .min(RECORD_CEILING.max(field))
                        .max(RECORD_FLOOR),
                );
                Format {
                    blocks: Blocks::Csv(source.splitter),
                    delimiter: source.delimiter,
                    delimiter_detected: source.delimiter_detected,
                    bom: source.bom,
                    digest: source.digest,
                    group_starts: Vec::new(),
                    kind: InputKind::Csv,
                }
            }
            #[cfg(feature = "parquet")]
            Opened::Arrow(batches) => {
                let mut needed: Vec<usize> = schema.columns.iter().map(|c| c.index).collect();
                needed.extend(filter.as_ref().map(|f| f.0));
                Format {
                    blocks: Blocks::Parquet(batches.blocks(&needed, chunk_rows, origin)?),
                    delimiter: b',',
                    delimiter_detected: false,
                    bom: false,
                    digest: Arc::new(std::sync::Mutex::new(None)),
                    group_starts: Vec::new(),
                    kind: InputKind::Arrow,
                }
            }
            Opened::Parquet(file) => {
                // Only the columns with a role, and the filter's.
                let mut needed: Vec<usize> = schema.columns.iter().map(|c| c.index).collect();
                needed.extend(filter.as_ref().map(|f| f.0));
                let digest: DigestSlot = Arc::new(std::sync::Mutex::new(file.digest.clone()));
                let group_starts = file.group_starts.clone();
                Format {
                    blocks: Blocks::Parquet(file.blocks(&needed, chunk_rows)?),
                    delimiter: b',',
                    delimiter_detected: false,
                    bom: false,
                    digest,
                    group_starts,
                    kind: InputKind::Parquet,
                }
            }
        };
        let Format {
            mut blocks,
            delimiter,
            delimiter_detected,
            bom,
            digest,
            group_starts,
            kind,
        } = format;
        let parquet = kind != InputKind::Csv;
        let mut na: Vec<Vec<u8>> = match &spec.na {
            Some(list) => list.iter().map(|s| s.trim().as_bytes().to_vec()).collect(),
            None => vec![Vec::new()],
        };
        if parquet && !na.iter().any(Vec::is_empty) {
            // A Parquet null is an empty field: always missing.
            na.push(Vec::new());
        }
        let io_err = |source| {
            DataError::from(crate::file_error::FileError::read(
                origin.to_string(),
                source,
            ))
        };
        // The first block decides the kinds of features that were not declared: it is read
        // here, before the threads start, only when some feature's kind is left to inference
        // (an audit reads none, and its decoding threads then read the first block themselves).
        let undeclared = schema.columns.iter().any(|c| {
            c.role == Role::Feature
                && !spec
                    .categorical
                    .iter()
                    .flatten()
                    .any(|name| name == &c.name)
        });
        let first = if undeclared {
            blocks.next_block(chunk_rows).map_err(io_err)?
        } else {
            None
        };
        let sample: Option<Vec<ByteRecord>> = first
            .as_ref()
            .map(|b| block_records(b, delimiter).map(|(_, r)| r).collect());
        let sample_rows = sample.as_ref().map_or(0, Vec::len);
        if let Some(recs) = &sample {
            schema.infer_feature_kinds(
                spec,
                recs.len(),
                |r, i| recs[r].get(i).map(<[u8]>::trim_ascii),
                |v| na.iter().any(|m| m.as_slice() == v),
            );
        }
        let missing_numeric = spec.missing_numeric.unwrap_or_default();
        let declared: Vec<&String> = spec.categorical.iter().flatten().collect();
        let cols: Vec<ColPlan> = schema
            .columns
            .iter()
            .map(|def| {
                let inferred = def.role == Role::Feature
                    && !declared.contains(&&def.name)
                    && !spec.numeric.contains(&def.name);
                let decoder = match (def.role, def.kind) {
                    (Role::Label, _) => Decoder::Label,
                    (Role::Score, _) => Decoder::Number {
                        min: 0.0,
                        max: 1.0,
                        expected: "a number in [0, 1]".into(),
                    },
                    (Role::Weight, _) => Decoder::Number {
                        min: 0.0,
                        max: f64::MAX,
                        expected: "a non-negative finite number".into(),
                    },
                    (_, ColumnKind::Numeric) => Decoder::Number {
                        min: f64::NEG_INFINITY,
                        max: f64::INFINITY,
                        expected: if inferred {
                            format!("a number (the column was read as numeric from its first {sample_rows} rows)")
                        } else {
                            "a number".into()
                        },
                    },
                    (_, ColumnKind::Categorical) => Decoder::Category,
                    (_, ColumnKind::Boolean) => Decoder::Flag,
                    (_, ColumnKind::Timestamp) => Decoder::Time,
                    (_, ColumnKind::Text) => Decoder::Text,
                };
                let missing_rejects = match def.role {
                    Role::Label | Role::Score | Role::Prediction | Role::Weight => true,
                    Role::Feature => {
                        def.kind == ColumnKind::Numeric && missing_numeric == MissingNumeric::Reject
                    }
                    _ => false,
                };
                ColPlan {
                    def: def.clone(),
                    inferred,
                    decoder,
                    missing_rejects,
                }
            })
            .collect();
        let n_cols = cols.len();
        let plan = Arc::new(Plan {
            origin: origin.to_string(),
            delimiter,
            n_fields: schema.header.len(),
            header: schema.header.clone(),
            cols,
            na_empty: na.iter().any(Vec::is_empty),
            na,
            skip: spec.on_invalid.unwrap_or_default() == OnInvalid::Skip,
            max_field,
            positive: spec.positive.as_ref().map(|p| p.trim().as_bytes().to_vec()),
            fold: FoldSlot::default(),
            filter,
            group_starts,
            frame: kind == InputKind::Arrow,
        });
        let feed = if options.threaded {
            spawn(blocks, first, &plan, chunk_rows)
        } else {
            Feed::Inline {
                splitter: blocks,
                first,
                ended: false,
            }
        };
        Ok(TableReader {
            plan,
            schema,
            feed,
            digest,
            delimiter,
            delimiter_detected,
            bom,
            parquet,
            kind,
            missing_numeric,
            chunk_rows,
            levels: vec![Vec::new(); n_cols],
            lookup: vec![FxHashMap::default(); n_cols],
            negative: None,
            spelled: [None, None],
            positives: 0,
            negatives: 0,
            missing: vec![0; n_cols],
            rows_read: 0,
            rows_used: 0,
            rows_filtered: 0,
            filter_text: spec.filter.clone(),
            rejected: BTreeMap::new(),
            group_limit: None,
            max_rejected,
        })
    }

    /// Stops reading with [`DataError::TooManyGroups`] as soon as a protected column has more
    /// than `max` distinct values, or an intersection of protected columns (named in
    /// `intersections`) more than `max` possible groups (the product of its columns' numbers of
    /// values): an identifier audited as a protected attribute would otherwise make a group
    /// per row, and an intersection of several columns a group per combination.
    pub fn limit_groups(&mut self, max: usize, intersections: &[Vec<String>]) {
        let protected = |name: &str| {
            self.schema
                .columns
                .iter()
                .position(|c| c.role == Role::Protected && c.name == name)
        };
        let mut sets: Vec<Vec<usize>> = self
            .schema
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.role == Role::Protected)
            .map(|(i, _)| vec![i])
            .collect();
        sets.extend(
            intersections
                .iter()
                .filter_map(|names| {
                    names
                        .iter()
                        .map(|n| protected(n))
                        .collect::<Option<Vec<_>>>()
                })
                .filter(|set| set.len() > 1),
        );
        self.group_limit = Some((max, sets));
    }

    /// Checks the group limit against the values seen so far.
    fn check_groups(&self) -> Result<(), DataError> {
        let Some((max, sets)) = &self.group_limit else {
            return Ok(());
        };
        for set in sets {
            let counts: Vec<usize> = set
                .iter()
                .map(|&i| self.levels.get(i).map_or(0, Vec::len))
                .collect();
            let groups = counts
                .iter()
                .try_fold(1usize, |p, &n| p.checked_mul(n.max(1)))
                .unwrap_or(usize::MAX);
            if groups > *max {
                let names: Vec<&str> = set
                    .iter()
                    .map(|&i| self.schema.columns[i].name.as_str())
                    .collect();
                let how = if set.len() == 1 {
                    "(distinct values read so far)".to_string()
                } else {
                    format!(
                        "(the product of its columns' values so far: {})",
                        counts
                            .iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(" x ")
                    )
                };
                return Err(DataError::TooManyGroups {
                    origin: self.plan.origin.clone(),
                    attribute: names.join(" x "),
                    groups,
                    how,
                    max: *max,
                });
            }
        }
        Ok(())
    }

    /// The resolved schema: the columns read, their roles and kinds.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The levels of the categorical column at schema position `col` seen so far; codes in
    /// chunks index into this list. Empty for other kinds.
    pub fn levels(&self, col: usize) -> &[String] {
        self.levels.get(col).map_or(&[], Vec::as_slice)
    }

    /// Decodes the next chunk of rows, or `None` at end of input. A chunk may hold fewer rows
    /// than were read, when some were rejected, and may even be empty.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, DataError> {
        let mut columns = self.empty_columns(0);
        Ok(self
            .next_rows_into(&mut columns)?
            .map(|n_rows| Chunk { n_rows, columns }))
    }

    /// Empty columns of this reader's kinds, with room for `cap` rows.
    pub fn empty_columns(&self, cap: usize) -> Vec<ColumnValues> {
        self.plan
            .cols
            .iter()
            .map(|c| ColumnValues::new(c.def.kind, cap))
            .collect()
    }

    /// Decodes the next block of rows and appends them to `out` (as made by
    /// [`TableReader::empty_columns`]); returns how many rows were appended, or `None` at end
    /// of input.
    pub fn next_rows_into(&mut self, out: &mut [ColumnValues]) -> Result<Option<usize>, DataError> {
        match self.next_block()? {
            Some(mut block) => {
                if let Some(partial) = block.folded.take() {
                    // Folding was set, but this caller wants rows: nothing can be given back.
                    drop(partial);
                    return Err(DataError::Internal {
                        origin: self.plan.origin.clone(),
                        message: "rows were requested from a reader that folds its blocks"
                            .to_string(),
                    });
                }
                self.merge(block, out).map(Some)
            }
            None => Ok(None),
        }
    }

    /// From now on, folds every block's rows into a sink made by `factory` on the thread that
    /// decodes it (see [`super::RowSink`]); read the results with [`TableReader::next_folded`].
    /// Returns `false`, and changes nothing, when the reader cannot fold: under `--positive`
    /// (the label's values are only resolved in file order) or when a factory is already set.
    #[doc(hidden)]
    pub fn set_fold(&mut self, factory: SinkFactory) -> bool {
        self.plan.positive.is_none() && self.plan.fold.set(factory)
    }

    /// The next block's folded result in file order, typed as the sink's result `T`, or
    /// `None` at end of input. Counts, levels and rejections are kept as
    /// [`TableReader::next_chunk`] keeps them. A result that is not a `T` (the sink set with
    /// [`TableReader::set_fold`] makes another type) is an error, never a block dropped.
    #[doc(hidden)]
    pub fn next_folded<T: std::any::Any + Send>(&mut self) -> Result<Option<Folded<T>>, DataError> {
        let Some((partial, codes)) = self.next_folded_block()? else {
            return Ok(None);
        };
        let partial = match partial.map(|p| p.downcast::<T>()) {
            None => None,
            Some(Ok(t)) => Some(*t),
            Some(Err(_)) => {
                return Err(DataError::Internal {
                    origin: self.plan.origin.clone(),
                    message: format!("a folded block is not a {}", std::any::type_name::<T>()),
                })
            }
        };
        Ok(Some(Folded { partial, codes }))
    }

    /// The next folded block's sink result (untyped) and code maps.
    #[allow(clippy::type_complexity)]
    fn next_folded_block(
        &mut self,
    ) -> Result<Option<(Option<Box<dyn std::any::Any + Send>>, Vec<Vec<u32>>)>, DataError> {
        let Some(factory) = self.plan.fold.get().cloned() else {
            return Err(DataError::Internal {
                origin: self.plan.origin.clone(),
                message: ("next_folded without set_fold").to_string(),
            });
        };
        let Some(mut b) = self.next_block()? else {
            return Ok(None);
        };
        if b.folded.is_none() {
            // Decoded before the factory was set.
            fold_stored(&self.plan, &mut b, &factory);
        }
        if let Some(e) = b.error {
            return Err(e);
        }
        let codes = (0..self.plan.cols.len())
            .map(|ci| self.global_codes(ci, &b.levels[ci]))
            .collect();
        self.check_groups()?;
        for (i, s) in b.spelled.into_iter().enumerate() {
            if self.spelled[i].is_none() {
                self.spelled[i] = s;
            }
        }
        for (key, (count, line)) in b.rejected {
            self.rejected.entry(key).or_insert((0, line)).0 += count;
        }
        self.negatives += b.labels[0];
        self.positives += b.labels[1];
        for (slot, m) in self.missing.iter_mut().zip(&b.missing) {
            *slot += m;
        }
        if b.folded.is_none() && b.n_rows > 0 {
            // Its rows would be counted as used and never reach the sink.
            return Err(DataError::Internal {
                origin: self.plan.origin.clone(),
                message: format!(
                    "a block of {} rows came back without being folded",
                    b.n_rows
                ),
            });
        }
        self.rows_read += b.rows_read;
        self.rows_used += b.n_rows as u64;
        self.rows_filtered += b.filtered;
        Ok(Some((b.folded, codes)))
    }

    /// Global codes of a block's local levels of column `ci`, registering new ones in order.
    fn global_codes(&mut self, ci: usize, local: &[(String, u64)]) -> Vec<u32> {
        local
            .iter()
            .map(|(name, _)| match self.lookup[ci].get(name) {
                Some(&g) => g,
                None => {
                    let g = self.levels[ci].len() as u32;
                    self.levels[ci].push(name.clone());
                    self.lookup[ci].insert(name.clone(), g);
                    g
                }
            })
            .collect()
    }

    /// The next decoded block in file order, or `None` at end of input.
    fn next_block(&mut self) -> Result<Option<BlockOut>, DataError> {
        let origin = self.plan.origin.clone();
        let chunk_rows = self.chunk_rows;
        let io_err =
            |source| DataError::from(crate::file_error::FileError::read(origin.clone(), source));
        let block = match &mut self.feed {
            Feed::Inline {
                splitter,
                first,
                ended,
            } => {
                if *ended {
                    return Ok(None);
                }
                let next = match first.take() {
                    Some(b) => Some(b),
                    None => splitter.next_block(chunk_rows).map_err(io_err)?,
                };
                match next {
                    Some(b) => decode_block(&self.plan, &b),
                    None => {
                        *ended = true;
                        return Ok(None);
                    }
                }
            }
            Feed::Threaded {
                rx,
                pending,
                next,
                ended,
            } => {
                if *ended {
                    return Ok(None);
                }
                let done = loop {
                    if let Some(d) = pending.remove(next) {
                        break d;
                    }
                    match rx.recv() {
                        Ok((seq, d)) => {
                            pending.insert(seq, d);
                        }
                        Err(_) => {
                            *ended = true;
                            return Err(DataError::Internal {
                                origin,
                                message: "a decoding thread stopped unexpectedly".to_string(),
                            });
                        }
                    }
                };
                *next += 1;
                match done {
                    Done::Block(b) => b,
                    Done::Fail(e) => {
                        *ended = true;
                        return Err(e);
                    }
                    Done::End => {
                        *ended = true;
                        return Ok(None);
                    }
                }
            }
        };
        Ok(Some(block))
    }

    /// Puts a decoded block into `out` in file order: resolves the label under `--positive`,
    /// drops the rows that resolution rejects, gives categorical values their global codes,
    /// and updates the counts. Returns the rows appended.
    fn merge(&mut self, b: BlockOut, out: &mut [ColumnValues]) -> Result<usize, DataError> {
        let mut cols = b.columns;
        let label = self
            .plan
            .cols
            .iter()
            .position(|c| matches!(c.decoder, Decoder::Label));
        let mut keep: Option<Vec<bool>> = None;
        let mut label_bools: Option<Vec<Option<bool>>> = None;
        if let (Some(li), Some(positive)) = (label, self.plan.positive.clone()) {
            let codes = match &cols[li] {
                ColumnValues::Categorical(c) => c.as_slice(),
                _ => &[],
            };
            // Local level -> resolved value: Some(bool), or None for a third value.
            let mut resolved: Vec<Option<Option<bool>>> = vec![None; b.levels[li].len()];
            let mut bools = Vec::with_capacity(codes.len());
            let mut mask = vec![true; codes.len()];
            let mut dropped = false;
            for (r, &code) in codes.iter().enumerate() {
                let Some((level, line)) = b.levels[li].get(code as usize) else {
                    continue;
                };
                let value = match resolved[code as usize] {
                    Some(v) => v,
                    None => {
                        let v = if level.as_bytes() == positive.as_slice() {
                            Some(true)
                        } else if self.negative.is_none() {
                            self.negative = Some(level.clone());
                            Some(false)
                        } else if self.negative.as_deref() == Some(level.as_str()) {
                            Some(false)
                        } else {
                            if !self.plan.skip {
                                return Err(self.third_label_value(li, level, *line));
                            }
                            self.rejected
                                .entry(("too_many_label_values", Some(li)))
                                .or_insert((0, *line));
                            None
                        };
                        resolved[code as usize] = Some(v);
                        v
                    }
                };
                match value {
                    Some(v) => bools.push(Some(v)),
                    None => {
                        mask[r] = false;
                        dropped = true;
                        if let Some(e) = self.rejected.get_mut(&("too_many_label_values", Some(li)))
                        {
                            e.0 += 1;
                        }
                    }
                }
            }
            if dropped {
                keep = Some(mask);
            }
            label_bools = Some(bools);
        }
        if let Some(e) = b.error {
            return Err(e);
        }
        if let Some(mask) = &keep {
            retain_rows(&mut cols, mask);
        }
        if let (Some(li), Some(bools)) = (label, label_bools) {
            cols[li] = ColumnValues::Boolean(bools);
            if self.spelled[1].is_none() {
                self.spelled[1] = self
                    .plan
                    .positive
                    .as_ref()
                    .map(|p| String::from_utf8_lossy(p).into_owned());
            }
            if self.spelled[0].is_none() {
                self.spelled[0] = self.negative.clone();
            }
        }
        let n_rows = cols.first().map_or(b.n_rows, ColumnValues::len);
        for (ci, col) in cols.iter_mut().enumerate() {
            if Some(ci) == label && self.plan.positive.is_some() {
                continue;
            }
            if let ColumnValues::Categorical(codes) = col {
                let local = &b.levels[ci];
                let mut global = vec![u32::MAX; local.len()];
                for code in codes.iter_mut() {
                    if *code == MISSING_CODE {
                        continue;
                    }
                    let l = *code as usize;
                    if global[l] == u32::MAX {
                        let name = &local[l].0;
                        global[l] = match self.lookup[ci].get(name) {
                            Some(&g) => g,
                            None => {
                                let g = self.levels[ci].len() as u32;
                                self.levels[ci].push(name.clone());
                                self.lookup[ci].insert(name.clone(), g);
                                g
                            }
                        };
                    }
                    *code = global[l];
                }
            }
        }
        self.check_groups()?;
        for (i, s) in b.spelled.into_iter().enumerate() {
            if self.spelled[i].is_none() {
                self.spelled[i] = s;
            }
        }
        for (key, (count, line)) in b.rejected {
            self.rejected.entry(key).or_insert((0, line)).0 += count;
        }
        if let Some(ColumnValues::Boolean(v)) = label.and_then(|li| cols.get(li)) {
            let pos = v.iter().filter(|x| **x == Some(true)).count() as u64;
            self.positives += pos;
            self.negatives += v.len() as u64 - pos;
        }
        for ((slot, col), dst) in self.missing.iter_mut().zip(cols).zip(out.iter_mut()) {
            *slot += col.count_missing();
            dst.append(col);
        }
        self.rows_read += b.rows_read;
        self.rows_used += n_rows as u64;
        self.rows_filtered += b.filtered;
        Ok(n_rows)
    }

    fn third_label_value(&self, li: usize, level: &str, line: u64) -> DataError {
        let col = &self.plan.cols[li];
        let positive = self
            .plan
            .positive
            .as_ref()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        invalid(
            self.plan.position(line, Some(col.def.index)),
            &col.def.name,
            ValueProblem::TooManyLabelValues,
            &format!(
                "one of the two label values \"{positive}\" (positive) and \"{}\"",
                self.negative.as_deref().unwrap_or_default()
            ),
            quote_found(level.as_bytes()),
            "; a label must have exactly two values",
        )
    }

    /// Ends the read and returns the summary. Reads any rows not yet taken as chunks first,
    /// so the hash covers the whole file. Zero data rows, or zero usable rows, is an error.
    pub fn finish(mut self) -> Result<LoadSummary, DataError> {
        if self.plan.fold.get().is_some() {
            while self.next_folded_block()?.is_some() {}
        } else {
            let mut sink = self.empty_columns(0);
            while self.next_rows_into(&mut sink)?.is_some() {
                sink = self.empty_columns(0);
            }
        }
        if self.rows_read == 0 {
            return Err(DataError::NoRows {
                origin: self.plan.origin.clone(),
            });
        }
        let summary = self.summary();
        if summary.rows_used == 0 {
            let mut reasons = summary.rejection_text();
            if let Some(f) = &summary.filter {
                let filtered = format!("{} rows left out by --filter {f}", summary.rows_filtered);
                reasons = if summary.rows_rejected == 0 {
                    filtered
                } else {
                    format!("{reasons}; {filtered}")
                };
            }
            return Err(DataError::NoUsableRows {
                origin: self.plan.origin.clone(),
                read: summary.rows_read,
                reasons,
            });
        }
        let share = summary.rows_rejected as f64
            / (summary.rows_read - summary.rows_filtered).max(1) as f64;
        if share > self.max_rejected {
            // Scores out of [0, 1] in the score column: most likely percentages.
            let score = self
                .schema
                .columns
                .iter()
                .find(|c| c.role == Role::Score)
                .map(|c| c.name.clone());
            let out_of_range: u64 = summary
                .rejected
                .iter()
                .filter(|r| r.reason == "out_of_range" && r.column.is_some() && r.column == score)
                .map(|r| r.rows)
                .sum();
            let hint = match &score {
                Some(col) if out_of_range * 2 > summary.rows_rejected => format!(
                    " (most are scores in \"{col}\" outside [0, 1]: if the column holds percentages, divide it by 100)"
                ),
                _ => String::new(),
            };
            return Err(DataError::TooManyRejected {
                origin: self.plan.origin.clone(),
                rejected: summary.rows_rejected,
                read: summary.rows_read,
                share: share * 100.0,
                max: self.max_rejected,
                hint,
                reasons: summary.rejection_text(),
            });
        }
        Ok(summary)
    }

    /// The summary so far (complete once [`TableReader::next_chunk`] has returned `None`).
    pub fn summary(&self) -> LoadSummary {
        let (sha256, bytes) = self
            .digest
            .lock()
            .ok()
            .and_then(|d| d.clone())
            .unwrap_or_default();
        let cols = &self.plan.cols;
        let rejected = self
            .rejected
            .iter()
            .map(|(&(reason, col), &(rows, first_line))| Rejection {
                reason: reason.to_string(),
                column: col.map(|c| cols[c].def.name.clone()),
                rows,
                first_line,
            })
            .collect();
        let columns = cols
            .iter()
            .enumerate()
            .map(|(i, c)| ColumnSummary {
                name: c.def.name.clone(),
                role: c.def.role,
                kind: c.def.kind,
                inferred: c.inferred,
                missing: self.missing[i],
                missing_policy: missing_policy(&c.def, self.missing_numeric).to_string(),
                levels: (c.def.kind == ColumnKind::Categorical).then(|| self.levels[i].len()),
            })
            .collect();
        let label = cols
            .iter()
            .any(|c| matches!(c.decoder, Decoder::Label))
            .then(|| LabelSummary {
                positive: self.spelled[1].clone(),
                negative: self.spelled[0].clone(),
                positives: self.positives,
                negatives: self.negatives,
            });
        LoadSummary {
            source: self.plan.origin.clone(),
            sha256,
            bytes,
            format: match self.kind {
                InputKind::Csv => None,
                InputKind::Parquet => Some("parquet".to_string()),
                InputKind::Arrow => Some("arrow".to_string()),
            },
            delimiter: match self.delimiter {
                _ if self.parquet => String::new(),
                b'\t' => "tab".to_string(),
                d => char::from(d).to_string(),
            },
            delimiter_detected: self.delimiter_detected,
            byte_order_mark: self.bom,
            rows_read: self.rows_read,
            rows_used: self.rows_used,
            rows_rejected: self.rows_read - self.rows_used - self.rows_filtered,
            rows_filtered: self.rows_filtered,
            filter: self.filter_text.clone(),
            rejected,
            columns,
            ignored_columns: self.schema.ignored.clone(),
            label,
        }
    }
}

/// `--filter COLUMN=VALUE` as the field index of COLUMN in `header` and VALUE's bytes
/// (trimmed, as fields are compared).
fn filter_of(
    filter: &str,
    header: &[String],
    origin: &str,
    header_line: u64,
) -> Result<(usize, Vec<u8>), DataError> {
    let Some((column, value)) = filter.split_once('=') else {
        return Err(InvalidParam::new(
            "filter",
            "COLUMN=VALUE, such as split=validation",
            format!("\"{filter}\""),
        )
        .into());
    };
    let column = column.trim();
    match header.iter().position(|h| h == column) {
        Some(i) => Ok((i, value.trim().as_bytes().to_vec())),
        None => Err(DataError::UnknownColumn(Box::new(UnknownColumn {
            pos: Position::header(origin, header_line, None),
            name: column.to_string(),
            role: "--filter".to_string(),
            hint: String::new(),
            available: header.join(", "),
        }))),
    }
}

/// The records of a block (CSV bytes or a Parquet batch) with their lines, as raw fields.
fn block_records(block: &Block, delimiter: u8) -> Box<dyn Iterator<Item = (u64, ByteRecord)> + '_> {
    match &block.batch {
        Some(batch) => {
            let fields = batch.fields();
            let first = block.first_line;
            Box::new((0..batch.rows()).map(move |r| {
                let mut rec = ByteRecord::new();
                for f in fields.row(r).fields() {
                    rec.push_field(f);
                }
                (first + r as u64, rec)
            }))
        }
        None => {
            // The decoder's own record reader, so that lines are counted as it counts them.
            let mut recs = super::records::CsvRecords::new(&block.bytes[..], delimiter);
            let first = block.first_line;
            Box::new(std::iter::from_fn(move || {
                recs.advance()
                    .map(|line| (first + line - 1, recs.record().clone()))
            }))
        }
    }
}

/// The parts of an opened input the reader keeps.
struct Format {
    blocks: Blocks,
    delimiter: u8,
    delimiter_detected: bool,
    bom: bool,
    digest: DigestSlot,
    group_starts: Vec<u64>,
    kind: InputKind,
}

/// What an input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InputKind {
    /// CSV text.
    Csv,
    /// A Parquet file.
    Parquet,
    /// Arrow batches from memory.
    Arrow,
}

/// The header row's names, trimmed; a name that is not UTF-8 is an error naming its column.
fn header_names(raw_header: &csv::ByteRecord, origin: &str) -> Result<Vec<String>, DataError> {
    let mut header = Vec::with_capacity(raw_header.len());
    for (i, raw) in raw_header.iter().enumerate() {
        let name = std::str::from_utf8(raw.trim_ascii()).map_err(|_| {
            invalid(
                Position::header(origin, 1, Some(i + 1)),
                "(header)",
                ValueProblem::InvalidUtf8,
                "a column name in UTF-8",
                quote_found(raw),
                "",
            )
        })?;
        header.push(name.to_string());
    }
    Ok(header)
}
