//! Decoding one block of CSV records into typed columns, independently of every other block,
//! so that blocks can be decoded on several threads. Anything that depends on earlier blocks
//! (the global codes of categorical values, which label value is the negative one under
//! `--positive`) is left local here and resolved when [`super::reader`] merges blocks in
//! order.
//!
//! Each row is checked field by field first, and committed to the columns only if every field
//! is acceptable, so a rejected row adds no level and no value.
//!
//! A block without quotes is read in batches of records, each decoded column by column when
//! every record of the batch is committed with values the block has seen (the common case);
//! any other batch is read record by record, by the same path as a block with quotes.

use std::any::Any;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::columns::{ColumnValues, TextValues};
use super::error::{quote_found, DataError, InvalidValue, Position, ValueProblem};
use super::fold::{BatchColumn, Field, FoldSlot, RowBatch, RowSink, SinkFactory};
use super::records::{is_plain, CsvRecords, PlainBatch, PlainRecords, Record};
use super::schema::{ColumnDef, ColumnKind, MISSING_CODE};
use super::spec::Role;
use super::split::Block;
use super::value::{parse_bool, parse_f64};
use crate::time::parse_timestamp;

/// Why a row is not used: the reason word and the column (schema position) it concerns.
pub(crate) type RejectKey = (&'static str, Option<usize>);

/// How one column's fields are decoded.
#[derive(Clone, Debug)]
pub(crate) enum Decoder {
    Number {
        min: f64,
        max: f64,
        expected: String,
    },
    Category,
    Flag,
    /// The label: booleans, or with `--positive`, local categories resolved at merge.
    Label,
    Time,
    Text,
}

/// One column to decode.
#[derive(Clone, Debug)]
pub(crate) struct ColPlan {
    pub def: ColumnDef,
    pub inferred: bool,
    pub decoder: Decoder,
    /// A missing value rejects the row.
    pub missing_rejects: bool,
}

/// Everything needed to decode a block: shared, read-only, by every worker.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub origin: String,
    pub delimiter: u8,
    pub n_fields: usize,
    pub header: Vec<String>,
    pub cols: Vec<ColPlan>,
    pub na: Vec<Vec<u8>>,
    pub na_empty: bool,
    pub skip: bool,
    pub max_field: usize,
    /// The `--positive` label value, when given.
    pub positive: Option<Vec<u8>>,
    /// When set, committed rows are folded into a sink instead of stored in columns.
    pub fold: FoldSlot,
    /// `--filter`: the field index and the value a row must have there to be used.
    pub filter: Option<(usize, Vec<u8>)>,
    /// A Parquet file's row groups: the first row (from 0) of each; empty for CSV.
    pub group_starts: Vec<u64>,
    /// Arrow batches from memory: rows are named by their position from 0.
    pub frame: bool,
}

impl Plan {
    /// The storage a column has inside a block: with `--positive` the label is kept as local
    /// categories until the merge decides which value is negative.
    pub fn block_kind(&self, ci: usize) -> ColumnKind {
        match self.cols[ci].decoder {
            Decoder::Label if self.positive.is_some() => ColumnKind::Categorical,
            _ => self.cols[ci].def.kind,
        }
    }

    /// Where `line` and the field at index `field` are: in a Parquet file, with the row's row
    /// group (see [`Position`]).
    pub fn position(&self, line: u64, field: Option<usize>) -> Position {
        if self.frame {
            return Position::in_frame(&self.origin, line, field);
        }
        Position::in_rows(&self.origin, &self.group_starts, line, field)
    }

    fn is_na(&self, raw: &[u8]) -> bool {
        if raw.is_empty() {
            return self.na_empty;
        }
        self.na.iter().any(|m| m.as_slice() == raw)
    }
}

/// A decoded block.
pub(crate) struct BlockOut {
    /// Data records in the block.
    pub rows_read: u64,
    /// Rows committed.
    pub n_rows: usize,
    /// Rows left out by the filter (neither committed nor rejected).
    pub filtered: u64,
    /// One per plan column; categorical columns hold local codes.
    pub columns: Vec<ColumnValues>,
    /// Per column, the local levels in order of first appearance, with the line of that first
    /// appearance (empty for non-categorical columns).
    pub levels: Vec<Vec<(String, u64)>>,
    /// Without `--positive`: the first spelling of the negative and the positive label.
    pub spelled: [Option<String>; 2],
    /// Rows rejected in the block: count and first line, by reason.
    pub rejected: BTreeMap<RejectKey, (u64, u64)>,
    /// The first invalid value under `on-invalid = "error"`; rows before it are committed.
    pub error: Option<DataError>,
    /// When the rows were folded (see [`super::fold`]): the sink's result; `columns` are then
    /// empty and `missing` and `labels` hold their counts.
    pub folded: Option<Box<dyn Any + Send>>,
    /// Folded blocks: missing values per column.
    pub missing: Vec<u64>,
    /// Folded blocks: negative and positive labels.
    pub labels: [u64; 2],
}

/// A block's codes of one column's values. Most categorical columns have a few short values
/// (a gender, an age band, a region): a value of at most seven bytes, packed into one word, is
/// found in a 64-slot table indexed by a multiplicative hash of the word (one multiply and one
/// comparison); values that are longer, or whose slot is taken, are found by hashing the bytes.
struct Dict {
    /// Packed value and code + 1 (0: an empty slot).
    slots: Vec<(u64, u32)>,
    long: FxHashMap<Box<[u8]>, u32>,
}

impl Default for Dict {
    fn default() -> Self {
        Dict {
            slots: vec![(0, 0); 1 << Self::SLOT_BITS],
            long: FxHashMap::default(),
        }
    }
}

impl Dict {
    const SLOT_BITS: u32 = 6;

    /// A value of at most seven bytes as one word, its length in the top byte. Overlapping
    /// loads instead of a loop or a copy (a variable-length copy is a call to memcpy): the
    /// bytes that two loads both cover are the same bytes, so or-ing them is harmless.
    #[inline(always)]
    fn pack(raw: &[u8]) -> Option<u64> {
        let n = raw.len();
        let len = (n as u64) << 56;
        let word = |at: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&raw[at..at + 4]);
            u64::from(u32::from_le_bytes(w))
        };
        match n {
            0 => Some(len),
            1..=3 => Some(
                len | u64::from(raw[0])
                    | u64::from(raw[n / 2]) << (8 * (n / 2))
                    | u64::from(raw[n - 1]) << (8 * (n - 1)),
            ),
            4..=7 => Some(len | word(0) | word(n - 4) << (8 * (n - 4))),
            _ => None,
        }
    }

    #[inline]
    fn slot(p: u64) -> usize {
        (p.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::SLOT_BITS)) as usize
    }

    #[inline(always)]
    fn get(&self, raw: &[u8]) -> Option<u32> {
        if let Some(p) = Self::pack(raw) {
            let (k, c) = self.slots[Self::slot(p)];
            if k == p && c != 0 {
                return Some(c - 1);
            }
        }
        if self.long.is_empty() {
            return None;
        }
        self.long.get(raw).copied()
    }

    fn insert(&mut self, raw: &[u8], code: u32) {
        if let Some(p) = Self::pack(raw) {
            let slot = &mut self.slots[Self::slot(p)];
            if slot.1 == 0 && code < u32::MAX {
                *slot = (p, code + 1);
                return;
            }
        }
        self.long.insert(raw.into(), code);
    }
}

/// One decoded field: known, or a category value the block has not seen yet.
#[derive(Clone, Copy)]
enum Cell {
    Known(Field),
    NewLevel,
}

/// Records decoded together on the fast path of a plain block (see [`BlockDecoder::batch`]).
const BATCH_ROWS: usize = 256;

/// Decodes a block.
pub(crate) fn decode_block(plan: &Plan, block: &Block) -> BlockOut {
    let mut dec = BlockDecoder::new(plan, block);
    if let Some(batch) = &block.batch {
        // A Parquet batch: its rows as records, one by one.
        let fields = batch.fields();
        for r in 0..batch.rows() {
            if !dec.row(&fields.row(r), r as u64 + 1) {
                break;
            }
        }
        return dec.finish();
    }
    let bytes = &block.bytes[..];
    if is_plain(bytes, plan.delimiter) {
        let mut records = PlainRecords::new(bytes, plan.delimiter);
        let mut batch = records.batch();
        'batches: while records.fill(&mut batch, BATCH_ROWS) > 0 {
            if dec.batch(&batch) {
                continue;
            }
            for r in 0..batch.len() {
                if !dec.row(&batch.record(r), batch.line(r)) {
                    break 'batches;
                }
            }
        }
    } else {
        let mut records = CsvRecords::new(bytes, plan.delimiter);
        while let Some(line) = records.advance() {
            if !dec.row(records.record(), line) {
                break;
            }
        }
    }
    dec.finish()
}

/// The state of decoding one block.
struct BlockDecoder<'p> {
    plan: &'p Plan,
    first_line: u64,
    out: BlockOut,
    sink: Option<Box<dyn RowSink>>,
    dicts: Vec<Dict>,
    ops: Vec<Op>,
    scratch: Scratch,
    /// The label's position in the plan.
    label: Option<usize>,
    /// A batch's decoded fields, per column (see [`BlockDecoder::batch`]).
    columns: Vec<BatchColumn>,
    /// A batch's missing values, per column.
    batch_missing: Vec<u64>,
}

impl<'p> BlockDecoder<'p> {
    fn new(plan: &'p Plan, block: &Block) -> Self {
        let n = plan.cols.len();
        BlockDecoder {
            plan,
            first_line: block.first_line,
            out: BlockOut {
                rows_read: 0,
                n_rows: 0,
                filtered: 0,
                columns: (0..n)
                    .map(|ci| ColumnValues::new(plan.block_kind(ci), 0))
                    .collect(),
                levels: vec![Vec::new(); n],
                spelled: [None, None],
                rejected: BTreeMap::new(),
                error: None,
                folded: None,
                missing: vec![0; n],
                labels: [0; 2],
            },
            sink: plan.fold.get().map(|make| make()),
            dicts: (0..n).map(|_| Dict::default()).collect(),
            ops: (0..n).map(|ci| Op::of(plan, ci)).collect(),
            scratch: Scratch {
                row: Vec::with_capacity(n),
                new_levels: Vec::new(),
                missing: Vec::new(),
                na_words: plan.na.iter().any(|m| !m.is_empty()),
            },
            label: plan
                .cols
                .iter()
                .position(|c| matches!(c.decoder, Decoder::Label)),
            columns: (0..n)
                .map(|ci| match plan.block_kind(ci) {
                    ColumnKind::Numeric | ColumnKind::Timestamp => BatchColumn::Num(Vec::new()),
                    ColumnKind::Categorical => BatchColumn::Code(Vec::new()),
                    ColumnKind::Boolean => BatchColumn::Bool(Vec::new()),
                    ColumnKind::Text => BatchColumn::Text,
                })
                .collect(),
            batch_missing: vec![0; n],
        }
    }

    /// Reads one record at `rec_line` within the block: commits it, or counts its rejection;
    /// `false` after an error that stops the block.
    fn row(&mut self, rec: &impl Record, rec_line: u64) -> bool {
        let plan = self.plan;
        let out = &mut self.out;
        let scratch = &mut self.scratch;
        let line = self.first_line + rec_line - 1;
        out.rows_read += 1;
        if let Some((field, want)) = &plan.filter {
            // A ragged row is left to check_row, which reports it.
            if rec.len() == plan.n_fields && trim(rec.get(*field).unwrap_or_default()) != want {
                out.filtered += 1;
                return true;
            }
        }
        match check_row(plan, &self.ops, rec, line, &self.dicts, scratch) {
            Ok(None) => {
                let new_levels = &scratch.new_levels;
                let row = &mut scratch.row;
                commit_row(
                    plan,
                    rec,
                    line,
                    new_levels,
                    self.label,
                    &mut self.dicts,
                    out,
                    row,
                );
                match &mut self.sink {
                    Some(sink) => {
                        // Counted here as count_row would, without another pass.
                        for &ci in &scratch.missing {
                            out.missing[ci] += 1;
                        }
                        if let Some(Field::Bool(Some(b))) = self.label.map(|li| row[li]) {
                            out.labels[usize::from(b)] += 1;
                        }
                        sink.row(row);
                    }
                    None => store_row(rec, plan, row, &mut out.columns),
                }
                out.n_rows += 1;
                true
            }
            Ok(Some(key)) => {
                out.rejected.entry(key).or_insert((0, line)).0 += 1;
                true
            }
            Err(e) => {
                out.error = Some(e);
                false
            }
        }
    }

    /// The fast path of a plain block: decodes a batch of records column by column, with
    /// each column's step chosen once for the batch instead of per field. It handles only
    /// the common case, where every record is committed with values the block has seen:
    /// it returns `false`, having changed nothing, when a record has the wrong number of
    /// fields or too many bytes, a value is invalid or new to the block, or a missing value
    /// rejects its row, and the batch is then read record by record ([`BlockDecoder::row`]).
    /// When it returns `true`, the block's state is what reading the records one by one
    /// would have made it.
    fn batch(&mut self, batch: &PlainBatch<'_>) -> bool {
        let plan = self.plan;
        if plan.filter.is_some() {
            // Filtered reads take the record path, which leaves rows out one by one.
            return false;
        }
        let (n, nf) = (batch.len(), plan.n_fields);
        if batch
            .uniform(nf)
            .is_none_or(|widest| widest > plan.max_field)
        {
            return false;
        }
        let na_words = self.scratch.na_words;
        for (ci, op) in self.ops.iter().enumerate() {
            let dict = &self.dicts[ci];
            let na = MissingRule { plan, na_words };
            // One loop per kind, so that each is compiled with its own decoding inlined.
            let missing = match (op.kind, &mut self.columns[ci]) {
                (OpKind::Number { min, max }, BatchColumn::Num(col)) => {
                    fill_column(col, batch, nf, op, na, f64::NAN, |raw| {
                        parse_f64(raw).ok().filter(|v| *v >= min && *v <= max)
                    })
                }
                (OpKind::Time, BatchColumn::Num(col)) => {
                    fill_column(col, batch, nf, op, na, f64::NAN, |raw| {
                        parse_timestamp(raw).map(|s| s as f64)
                    })
                }
                (OpKind::Category, BatchColumn::Code(col)) => {
                    fill_column(col, batch, nf, op, na, MISSING_CODE, |raw| dict.get(raw))
                }
                (OpKind::Flag | OpKind::Label, BatchColumn::Bool(col)) => {
                    fill_column(col, batch, nf, op, na, None, |raw| {
                        parse_bool(raw).map(Some)
                    })
                }
                (OpKind::Text, BatchColumn::Text) => {
                    let mut checked = Vec::new();
                    fill_column(&mut checked, batch, nf, op, na, (), |raw| {
                        std::str::from_utf8(raw).ok().map(|_| ())
                    })
                }
                // Not made by BlockDecoder::new.
                _ => None,
            };
            match missing {
                Some(m) => self.batch_missing[ci] = m,
                None => return false,
            }
        }
        let out = &mut self.out;
        out.rows_read += n as u64;
        out.n_rows += n;
        let labels = match self.label.map(|li| (li, &self.columns[li])) {
            Some((li, BatchColumn::Bool(v))) => Some((li, v)),
            _ => None,
        };
        if let Some((li, labels)) = labels {
            for b in [false, true] {
                let s = &mut out.spelled[usize::from(b)];
                if s.is_none() {
                    if let Some(r) = labels.iter().position(|l| *l == Some(b)) {
                        let raw = trim(batch.field(nf, r, plan.cols[li].def.index));
                        *s = Some(String::from_utf8_lossy(raw).into_owned());
                    }
                }
            }
        }
        match &mut self.sink {
            Some(sink) => {
                for (total, m) in out.missing.iter_mut().zip(&self.batch_missing) {
                    *total += m;
                }
                if let Some((_, labels)) = labels {
                    let positives = labels.iter().filter(|l| **l == Some(true)).count();
                    let negatives = labels.iter().filter(|l| **l == Some(false)).count();
                    out.labels[0] += negatives as u64;
                    out.labels[1] += positives as u64;
                }
                sink.rows(&RowBatch {
                    columns: &self.columns,
                    len: n,
                });
            }
            None => {
                for (ci, (dst, src)) in out.columns.iter_mut().zip(&self.columns).enumerate() {
                    match (dst, src) {
                        (ColumnValues::Numeric(d), BatchColumn::Num(s)) => d.extend_from_slice(s),
                        (ColumnValues::Categorical(d), BatchColumn::Code(s)) => {
                            d.extend_from_slice(s)
                        }
                        (ColumnValues::Boolean(d), BatchColumn::Bool(s)) => d.extend_from_slice(s),
                        (ColumnValues::Text(d), BatchColumn::Text) => {
                            for raw in batch.column(nf, plan.cols[ci].def.index) {
                                d.push(std::str::from_utf8(raw.trim_ascii()).unwrap_or_default());
                            }
                        }
                        _ => debug_assert!(false, "batch and block columns agree by construction"),
                    }
                }
            }
        }
        true
    }

    fn finish(mut self) -> BlockOut {
        self.out.folded = self.sink.map(RowSink::finish);
        self.out
    }
}

/// `raw` without leading and trailing ASCII whitespace (`trim_ascii`), with one comparison
/// per end for the usual field that has none.
#[inline(always)]
fn trim(raw: &[u8]) -> &[u8] {
    match raw {
        [first, .., last] if *first > b' ' && *last > b' ' => raw,
        [only] if *only > b' ' => raw,
        _ => raw.trim_ascii(),
    }
}

/// Which values are missing: empty ones when the plan says so, and the plan's words.
#[derive(Clone, Copy)]
struct MissingRule<'p> {
    plan: &'p Plan,
    /// Whether any missing-value word is not empty.
    na_words: bool,
}

impl MissingRule<'_> {
    #[inline(always)]
    fn is_missing(self, raw: &[u8]) -> bool {
        if raw.is_empty() {
            self.plan.na_empty
        } else {
            self.na_words && self.plan.is_na(raw)
        }
    }
}

/// Decodes field `op.index` of a batch's records into `col` with `decode`, handling
/// missing values as [`check_row`] does; returns the missing values counted, or `None` when a
/// value cannot be decoded here or a missing value rejects its row. Not inlined: each kind's
/// loop is compiled on its own, with its registers to itself.
#[inline(never)]
fn fill_column<T: Copy>(
    col: &mut Vec<T>,
    batch: &PlainBatch<'_>,
    nf: usize,
    op: &Op,
    na: MissingRule<'_>,
    absent: T,
    decode: impl Fn(&[u8]) -> Option<T>,
) -> Option<u64> {
    col.clear();
    let mut missing = 0;
    for raw in batch.column(nf, op.index) {
        let raw = trim(raw);
        if na.is_missing(raw) {
            if op.missing_rejects {
                return None;
            }
            col.push(absent);
            // Text is missing when empty (see check_row).
            missing += u64::from(!matches!(op.absent, Field::Text) || raw.is_empty());
            continue;
        }
        col.push(decode(raw)?);
    }
    Some(missing)
}

/// Folds a block decoded into columns (before the caller set a sink factory) as the decoding
/// thread would have.
pub(crate) fn fold_stored(plan: &Plan, out: &mut BlockOut, factory: &SinkFactory) {
    let mut sink = factory();
    let columns = std::mem::take(&mut out.columns);
    // Text values do not reach the sink: their missing (empty) ones are counted here.
    for (ci, c) in columns.iter().enumerate() {
        if let ColumnValues::Text(_) = c {
            out.missing[ci] += c.count_missing();
        }
    }
    let mut row = Vec::with_capacity(columns.len());
    for r in 0..out.n_rows {
        row.clear();
        row.extend(columns.iter().map(|c| match c {
            ColumnValues::Numeric(v) => Field::Num(v[r]),
            ColumnValues::Categorical(v) => Field::Code(v[r]),
            ColumnValues::Boolean(v) => Field::Bool(v[r]),
            ColumnValues::Text(_) => Field::Text,
        }));
        count_row(plan, &row, out);
        sink.row(&row);
    }
    out.columns = (0..plan.cols.len())
        .map(|ci| ColumnValues::new(plan.block_kind(ci), 0))
        .collect();
    out.folded = Some(sink.finish());
}

/// Counts a folded row's missing values and label.
fn count_row(plan: &Plan, row: &[Field], out: &mut BlockOut) {
    for (ci, f) in row.iter().enumerate() {
        let missing = match *f {
            Field::Num(x) => x.is_nan(),
            Field::Code(c) => c == MISSING_CODE,
            Field::Bool(None) => true,
            Field::Bool(Some(b)) => {
                if matches!(plan.cols[ci].decoder, Decoder::Label) {
                    out.labels[usize::from(b)] += 1;
                }
                false
            }
            Field::Text => false,
        };
        out.missing[ci] += u64::from(missing);
    }
}

/// Appends a committed row to the block's columns.
fn store_row(rec: &impl Record, plan: &Plan, row: &[Field], columns: &mut [ColumnValues]) {
    for ((col, f), dst) in plan.cols.iter().zip(row).zip(columns.iter_mut()) {
        match (dst, *f) {
            (ColumnValues::Numeric(v), Field::Num(x)) => v.push(x),
            (ColumnValues::Boolean(v), Field::Bool(b)) => v.push(b),
            (ColumnValues::Categorical(v), Field::Code(c)) => v.push(c),
            (ColumnValues::Text(v), Field::Text) => {
                let raw = rec.get(col.def.index).unwrap_or_default().trim_ascii();
                v.push(std::str::from_utf8(raw).unwrap_or_default());
            }
            _ => debug_assert!(false, "cell and column kinds agree by construction"),
        }
    }
}

/// Per-row buffers of [`check_row`].
struct Scratch {
    /// The decoded row.
    row: Vec<Field>,
    /// Columns whose value is new to the block, for [`commit_row`].
    new_levels: Vec<usize>,
    /// Columns whose value is missing.
    missing: Vec<usize>,
    /// Whether any missing-value word is not empty (otherwise only empty fields are missing).
    na_words: bool,
}

/// One column's decoding step, compact and precomputed per block.
#[derive(Clone, Copy)]
struct Op {
    /// The field's position in the record.
    index: usize,
    kind: OpKind,
    /// A missing value rejects the row.
    missing_rejects: bool,
    /// The field of a missing value.
    absent: Field,
}

#[derive(Clone, Copy)]
enum OpKind {
    Number { min: f64, max: f64 },
    Category,
    Flag,
    Label,
    Time,
    Text,
}

impl Op {
    fn of(plan: &Plan, ci: usize) -> Op {
        let col = &plan.cols[ci];
        let kind = match &col.decoder {
            Decoder::Number { min, max, .. } => OpKind::Number {
                min: *min,
                max: *max,
            },
            Decoder::Category => OpKind::Category,
            Decoder::Label if plan.positive.is_some() => OpKind::Category,
            Decoder::Label => OpKind::Label,
            Decoder::Flag => OpKind::Flag,
            Decoder::Time => OpKind::Time,
            Decoder::Text => OpKind::Text,
        };
        Op {
            index: col.def.index,
            kind,
            missing_rejects: col.missing_rejects,
            absent: match plan.block_kind(ci) {
                ColumnKind::Numeric | ColumnKind::Timestamp => Field::Num(f64::NAN),
                ColumnKind::Categorical => Field::Code(MISSING_CODE),
                ColumnKind::Boolean => Field::Bool(None),
                ColumnKind::Text => Field::Text,
            },
        }
    }
}

/// Decodes a row into `scratch.row`, or says why it is rejected. Values new to the block are
/// left for [`commit_row`] (their columns listed in `scratch.new_levels`), so that a rejected
/// row adds no level.
fn check_row(
    plan: &Plan,
    ops: &[Op],
    rec: &impl Record,
    line: u64,
    dicts: &[Dict],
    scratch: &mut Scratch,
) -> Result<Option<RejectKey>, DataError> {
    let row = &mut scratch.row;
    row.clear();
    scratch.new_levels.clear();
    scratch.missing.clear();
    let pos = |field: Option<usize>| plan.position(line, field);
    if rec.len() != plan.n_fields {
        if plan.skip {
            return Ok(Some(("ragged_row", None)));
        }
        return Err(DataError::RaggedRow {
            pos: pos(None),
            expected: plan.n_fields,
            found: rec.len(),
        });
    }
    if rec.field_bytes() > plan.max_field {
        for (i, f) in rec.fields().enumerate() {
            if f.len() > plan.max_field {
                if plan.skip {
                    return Ok(Some((ValueProblem::FieldTooLong.as_str(), None)));
                }
                return Err(invalid(
                    pos(Some(i)),
                    plan.header.get(i).map_or("", String::as_str),
                    ValueProblem::FieldTooLong,
                    &format!("a field of at most {} bytes", plan.max_field),
                    format!("{} bytes", f.len()),
                    "; an unbalanced quote may have joined the lines after it, or raise --max-field-bytes",
                ));
            }
        }
    }
    for (ci, op) in ops.iter().enumerate() {
        let raw = trim(rec.get(op.index).unwrap_or_default());
        let na = MissingRule {
            plan,
            na_words: scratch.na_words,
        };
        if na.is_missing(raw) {
            if op.missing_rejects {
                return Ok(Some(("missing_value", Some(ci))));
            }
            row.push(op.absent);
            // As the columns count it: text is missing when empty (an identifier kept as
            // written otherwise).
            if !matches!(op.absent, Field::Text) || raw.is_empty() {
                scratch.missing.push(ci);
            }
            continue;
        }
        match decode(op.kind, raw, &dicts[ci]) {
            Ok(Cell::Known(field)) => row.push(field),
            Ok(Cell::NewLevel) => {
                scratch.new_levels.push(ci);
                row.push(Field::Code(MISSING_CODE));
            }
            Err(problem) => {
                if plan.skip {
                    return Ok(Some((problem.as_str(), Some(ci))));
                }
                let col = &plan.cols[ci];
                let (expected, hint) = describe(col, raw, problem);
                return Err(invalid(
                    pos(Some(col.def.index)),
                    &col.def.name,
                    problem,
                    &expected,
                    quote_found(raw),
                    &hint,
                ));
            }
        }
    }
    Ok(None)
}

/// Completes a checked row: values new to the block get their block-local code, and the
/// label's first spellings are kept.
#[allow(clippy::too_many_arguments)]
fn commit_row(
    plan: &Plan,
    rec: &impl Record,
    line: u64,
    new_levels: &[usize],
    label: Option<usize>,
    dicts: &mut [Dict],
    out: &mut BlockOut,
    row: &mut [Field],
) {
    let raw = |ci: usize| {
        rec.get(plan.cols[ci].def.index)
            .unwrap_or_default()
            .trim_ascii()
    };
    for &ci in new_levels {
        let bytes = raw(ci);
        let code = out.levels[ci].len() as u32;
        // Checked as UTF-8 in the check phase.
        out.levels[ci].push((String::from_utf8_lossy(bytes).into_owned(), line));
        dicts[ci].insert(bytes, code);
        row[ci] = Field::Code(code);
    }
    if let Some(li) = label {
        if let Field::Bool(Some(b)) = row[li] {
            let s = &mut out.spelled[usize::from(b)];
            if s.is_none() {
                *s = Some(String::from_utf8_lossy(raw(li)).into_owned());
            }
        }
    }
}

/// Decodes one non-missing, trimmed field; on failure only the problem is returned (the
/// words of the error are built by [`describe`], off the hot path).
#[inline(always)]
fn decode(kind: OpKind, raw: &[u8], dict: &Dict) -> Result<Cell, ValueProblem> {
    match kind {
        OpKind::Number { min, max } => match parse_f64(raw) {
            Ok(v) if v >= min && v <= max => Ok(Cell::Known(Field::Num(v))),
            Ok(_) => Err(ValueProblem::OutOfRange),
            Err(p) => Err(p),
        },
        OpKind::Category => match dict.get(raw) {
            Some(code) => Ok(Cell::Known(Field::Code(code))),
            None if std::str::from_utf8(raw).is_ok() => Ok(Cell::NewLevel),
            None => Err(ValueProblem::InvalidUtf8),
        },
        OpKind::Text => std::str::from_utf8(raw)
            .map(|_| Cell::Known(Field::Text))
            .map_err(|_| ValueProblem::InvalidUtf8),
        OpKind::Flag => parse_bool(raw)
            .map(|b| Cell::Known(Field::Bool(Some(b))))
            .ok_or(ValueProblem::NotABoolean),
        OpKind::Time => parse_timestamp(raw)
            .map(|s| Cell::Known(Field::Num(s as f64)))
            .ok_or(ValueProblem::NotATimestamp),
        OpKind::Label => parse_bool(raw)
            .map(|b| Cell::Known(Field::Bool(Some(b))))
            .ok_or(ValueProblem::BadLabel),
    }
}

/// What was expected of a field that failed with `problem`, and a hint.
#[cold]
fn describe(col: &ColPlan, raw: &[u8], problem: ValueProblem) -> (String, String) {
    let expected = match (&col.decoder, problem) {
        (Decoder::Number { expected, .. }, _) => expected.clone(),
        (_, ValueProblem::InvalidUtf8) => "UTF-8 text".to_string(),
        (Decoder::Label, _) => "a label of 0/1, true/false or yes/no".to_string(),
        (Decoder::Flag, _) => "a boolean (1/0, true/false or yes/no)".to_string(),
        (Decoder::Time, _) => {
            "an ISO 8601 date or date-time such as 2024-03-01 or 2024-03-01T09:30:00Z".to_string()
        }
        (Decoder::Category | Decoder::Text, _) => "UTF-8 text".to_string(),
    };
    let hint = match (&col.decoder, problem) {
        (Decoder::Number { .. }, ValueProblem::NotANumber) if col.inferred => format!(
            "; to read it as categories, pass --categorical {}",
            col.def.name
        ),
        (Decoder::Number { .. }, ValueProblem::NotFinite) => format!(
            "; if {} means a missing value, pass --na {}",
            quote_found(raw),
            String::from_utf8_lossy(raw)
        ),
        (Decoder::Label, ValueProblem::BadLabel) => {
            "; for other label values pass --positive VALUE".to_string()
        }
        _ => String::new(),
    };
    (expected, hint)
}

pub(crate) fn invalid(
    pos: Position,
    column: &str,
    problem: ValueProblem,
    expected: &str,
    found: String,
    hint: &str,
) -> DataError {
    DataError::InvalidValue(Box::new(InvalidValue {
        pos,
        column: column.to_string(),
        problem,
        expected: expected.to_string(),
        found,
        hint: hint.to_string(),
    }))
}

/// The missing-value rule of a column, in words.
pub(crate) fn missing_policy(
    def: &ColumnDef,
    numeric: super::spec::MissingNumeric,
) -> &'static str {
    match (def.role, def.kind) {
        (Role::Label | Role::Score | Role::Prediction | Role::Weight, _) => "row rejected",
        (Role::Consent, _) => "treated as no consent",
        (Role::Id, _) => "kept; the record has no identifier",
        (Role::Protected, _) => "kept as its own group, (missing)",
        (Role::Timestamp, _) => "kept as unknown",
        (Role::Feature, ColumnKind::Numeric) => numeric.describe(),
        (Role::Feature, _) => "kept as its own category, (missing)",
    }
}

/// Keeps the rows where `keep` is true.
pub(crate) fn retain_rows(columns: &mut [ColumnValues], keep: &[bool]) {
    fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
        let mut i = 0;
        v.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    for c in columns {
        match c {
            ColumnValues::Numeric(v) => filter(v, keep),
            ColumnValues::Categorical(v) => filter(v, keep),
            ColumnValues::Boolean(v) => filter(v, keep),
            ColumnValues::Text(v) => {
                let mut kept = TextValues::default();
                for (i, s) in v.iter().enumerate() {
                    if keep[i] {
                        kept.push(s);
                    }
                }
                *v = kept;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Dict;

    #[test]
    fn packing_a_short_value_puts_each_byte_in_its_place() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(8);
        for _ in 0..20_000 {
            let v: Vec<u8> = (0..rng.gen_range(0..=8)).map(|_| rng.gen()).collect();
            let naive = (v.len() <= 7).then(|| {
                v.iter()
                    .enumerate()
                    .fold((v.len() as u64) << 56, |w, (j, &b)| {
                        w | u64::from(b) << (8 * j)
                    })
            });
            assert_eq!(Dict::pack(&v), naive, "{v:?}");
        }
    }

    #[test]
    fn dict_finds_values_in_slots_after_collisions_and_in_the_map() {
        // 40 values: 35 short ones (some sharing a prefix, one empty), more than the 64 slots
        // hold without a collision, and long ones.
        let mut values: Vec<Vec<u8>> = (0..30).map(|i| format!("v{i}").into_bytes()).collect();
        values.push(Vec::new());
        values.push(b"abcdefg".to_vec());
        values.push(b"abcdefgh".to_vec());
        values.push(b"abcdef".to_vec());
        values.push("é".as_bytes().to_vec());
        values.extend((0..5).map(|i| format!("a much longer value {i}").into_bytes()));
        let mut d = Dict::default();
        for (code, v) in values.iter().enumerate() {
            assert_eq!(d.get(v), None, "{v:?} before insertion");
            d.insert(v, code as u32);
        }
        // Some short values found their slot taken and went to the map, with the long ones.
        assert!(
            d.long.keys().any(|k| k.len() <= 7),
            "no slot collision exercised"
        );
        assert!(d.long.keys().any(|k| k.len() > 7));
        for (code, v) in values.iter().enumerate() {
            assert_eq!(d.get(v), Some(code as u32), "{v:?}");
        }
        for absent in [
            &b"v30"[..],
            b"abcdefgi",
            b"v",
            b"V1",
            b"a much longer value 9",
        ] {
            assert_eq!(d.get(absent), None, "{absent:?}");
        }
    }
}
