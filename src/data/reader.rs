//! The streaming table reader: decodes CSV records into typed column chunks according to a
//! [`Schema`], applying each role's missing-value rule and the `on-invalid` policy, and keeps
//! the [`LoadSummary`]. A chunk holds at most `chunk_rows` rows, so a file larger than memory
//! can be processed chunk by chunk; [`super::Table::load`] collects all chunks.
//!
//! Each row is decoded in two phases: every field is checked first, and only a row whose
//! fields are all acceptable is committed to the chunk (and may add categorical levels or the
//! label's negative value). A rejected row leaves no trace but its count.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::io::Read;

use csv::ByteRecord;

use super::error::{quote_found, DataError, InvalidValue, Position, ValueProblem};
use super::schema::{ColumnDef, ColumnKind, Schema, Unlisted, MISSING_CODE};
use super::source::Source;
use super::spec::{DataSpec, MissingNumeric, OnInvalid, Role};
use super::summary::{ColumnSummary, LabelSummary, LoadSummary, Rejection};
use super::value::{parse_bool, parse_f64, parse_timestamp};

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

/// The values of one column for a run of rows.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnValues {
    /// Numbers and timestamps; NaN is missing.
    Numeric(Vec<f64>),
    /// Codes into the column's levels; [`MISSING_CODE`] is missing.
    Categorical(Vec<u32>),
    /// Booleans; `None` is missing.
    Boolean(Vec<Option<bool>>),
    /// Text values (identifiers); the empty string is missing.
    Text(TextValues),
}

/// Text values stored end to end in one buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextValues {
    bytes: String,
    ends: Vec<usize>,
}

impl TextValues {
    /// The value of row `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.bytes.get(start..end)
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// All values in row order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    fn push(&mut self, s: &str) {
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
    }
}

impl ColumnValues {
    fn new(kind: ColumnKind, cap: usize) -> ColumnValues {
        match kind {
            ColumnKind::Numeric | ColumnKind::Timestamp => {
                ColumnValues::Numeric(Vec::with_capacity(cap))
            }
            ColumnKind::Categorical => ColumnValues::Categorical(Vec::with_capacity(cap)),
            ColumnKind::Boolean => ColumnValues::Boolean(Vec::with_capacity(cap)),
            ColumnKind::Text => ColumnValues::Text(TextValues::default()),
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::Numeric(v) => v.len(),
            ColumnValues::Categorical(v) => v.len(),
            ColumnValues::Boolean(v) => v.len(),
            ColumnValues::Text(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A run of decoded rows: one [`ColumnValues`] per column of the schema, in schema order.
#[derive(Clone, Debug)]
pub struct Chunk {
    /// Number of rows.
    pub n_rows: usize,
    /// One entry per [`Schema::columns`] entry.
    pub columns: Vec<ColumnValues>,
}

/// How one column's fields are decoded.
enum Decoder {
    Number {
        min: f64,
        max: f64,
        expected: String,
    },
    Category {
        dict: HashMap<Box<[u8]>, u32>,
        levels: Vec<String>,
    },
    Flag,
    Label(LabelState),
    Time,
    Text,
}

#[derive(Default)]
struct LabelState {
    /// The value named by `--positive`, when given.
    positive: Option<Vec<u8>>,
    /// With `--positive`: the one other value, once seen.
    negative: Option<Vec<u8>>,
    spelled_pos: Option<String>,
    spelled_neg: Option<String>,
    positives: u64,
    negatives: u64,
}

/// One field after the check phase.
#[derive(Clone, Copy)]
enum Cell {
    Num(f64),
    Bool(Option<bool>),
    Code(u32),
    /// A categorical value not seen before: interned at commit.
    NewLevel,
    /// The label's second value under `--positive`: remembered at commit.
    NewNegative,
    /// Text checked as UTF-8: copied at commit.
    Text,
}

struct Col {
    def: ColumnDef,
    inferred: bool,
    decoder: Decoder,
    missing: u64,
    /// A missing value rejects the row.
    missing_rejects: bool,
}

/// Why a row is not used: the reason word and the column it concerns.
type RejectKey = (&'static str, Option<usize>);

/// Reads a CSV input chunk by chunk. See the module docs.
pub struct TableReader {
    origin: String,
    source: Source,
    schema: Schema,
    cols: Vec<Col>,
    na: Vec<Vec<u8>>,
    na_empty: bool,
    on_invalid: OnInvalid,
    max_field: usize,
    chunk_rows: usize,
    /// The first batch, read early for type inference.
    first: Option<super::source::Batch>,
    cells: Vec<Cell>,
    rows_read: u64,
    rows_used: u64,
    rejected: BTreeMap<RejectKey, (u64, u64)>,
    missing_numeric: MissingNumeric,
}

impl TableReader {
    /// Opens a file by path; `-` reads standard input.
    pub fn from_path(
        path: &std::path::Path,
        spec: &DataSpec,
        options: &ReadOptions,
    ) -> Result<TableReader, DataError> {
        let origin = path.display().to_string();
        let input: Box<dyn Read + Send> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(path).map_err(|source| DataError::Io {
                origin: origin.clone(),
                source,
            })?)
        };
        TableReader::new(input, &origin, spec, options)
    }

    /// Opens any reader; `origin` names it in messages.
    pub fn new(
        input: Box<dyn Read + Send>,
        origin: &str,
        spec: &DataSpec,
        options: &ReadOptions,
    ) -> Result<TableReader, DataError> {
        let chunk_rows = options.chunk_rows.max(1);
        let max_field = spec.max_field_bytes.unwrap_or(64 * 1024);
        if max_field == 0 {
            return Err(DataError::Spec(
                "--max-field-bytes: expected a positive number of bytes, found 0".into(),
            ));
        }
        let mut source = Source::open(
            input,
            origin,
            spec.delimiter_byte()?,
            chunk_rows,
            options.threaded,
        )?;
        let mut header = Vec::with_capacity(source.header.len());
        for (i, raw) in source.header.iter().enumerate() {
            let name = std::str::from_utf8(raw.trim_ascii()).map_err(|_| {
                invalid(
                    Position {
                        origin: origin.to_string(),
                        line: 1,
                        column: Some(i + 1),
                    },
                    "(header)",
                    ValueProblem::InvalidUtf8,
                    "a column name in UTF-8",
                    raw,
                    "",
                )
            })?;
            header.push(name.to_string());
        }
        let mut schema = Schema::resolve(header, spec, options.unlisted, origin)?;
        let na: Vec<Vec<u8>> = match &spec.na {
            Some(list) => list.iter().map(|s| s.trim().as_bytes().to_vec()).collect(),
            None => vec![Vec::new()],
        };
        let first = source.next_batch()?;
        if let Some(batch) = &first {
            let recs = &batch.records[..batch.len];
            schema.infer_feature_kinds(
                spec,
                recs.len(),
                |r, i| recs[r].get(i).map(<[u8]>::trim_ascii),
                |v| na.iter().any(|m| m.as_slice() == v),
            );
        }
        let sample = first.as_ref().map_or(0, |b| b.len);
        let missing_numeric = spec.missing_numeric.unwrap_or_default();
        let positive = spec.positive.as_ref().map(|p| p.trim().as_bytes().to_vec());
        let declared: Vec<&String> = spec.categorical.iter().flatten().collect();
        let cols = schema
            .columns
            .iter()
            .map(|def| {
                let inferred = def.role == Role::Feature && !declared.contains(&&def.name);
                let decoder = match (def.role, def.kind) {
                    (Role::Label, _) => Decoder::Label(LabelState {
                        positive: positive.clone(),
                        ..LabelState::default()
                    }),
                    (Role::Score, _) => Decoder::Number {
                        min: 0.0,
                        max: 1.0,
                        expected: "a number in [0, 1]".into(),
                    },
                    (Role::Weight, _) => Decoder::Number {
                        min: 0.0,
                        max: f64::INFINITY,
                        expected: "a non-negative number".into(),
                    },
                    (_, ColumnKind::Numeric) => Decoder::Number {
                        min: f64::NEG_INFINITY,
                        max: f64::INFINITY,
                        expected: if inferred {
                            format!("a number (the column was read as numeric from its first {sample} rows)")
                        } else {
                            "a number".into()
                        },
                    },
                    (_, ColumnKind::Categorical) => Decoder::Category {
                        dict: HashMap::default(),
                        levels: Vec::new(),
                    },
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
                Col {
                    def: def.clone(),
                    inferred,
                    decoder,
                    missing: 0,
                    missing_rejects,
                }
            })
            .collect::<Vec<_>>();
        Ok(TableReader {
            origin: origin.to_string(),
            source,
            cells: Vec::with_capacity(cols.len()),
            na_empty: na.iter().any(Vec::is_empty),
            schema,
            cols,
            na,
            on_invalid: spec.on_invalid.unwrap_or_default(),
            max_field,
            chunk_rows,
            first,
            rows_read: 0,
            rows_used: 0,
            rejected: BTreeMap::new(),
            missing_numeric,
        })
    }

    /// The resolved schema: the columns read, their roles and kinds.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The levels of the categorical column at schema position `col` seen so far; codes in
    /// chunks index into this list. Empty for other kinds.
    pub fn levels(&self, col: usize) -> &[String] {
        match self.cols.get(col).map(|c| &c.decoder) {
            Some(Decoder::Category { levels, .. }) => levels,
            _ => &[],
        }
    }

    /// Decodes the next chunk of rows, or `None` at end of input. A chunk may hold fewer rows
    /// than were read, when some were rejected, and may even be empty.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, DataError> {
        let mut columns = self.empty_columns(self.chunk_rows);
        Ok(self
            .next_rows_into(&mut columns)?
            .map(|n_rows| Chunk { n_rows, columns }))
    }

    /// Empty columns of this reader's kinds, with room for `cap` rows.
    pub fn empty_columns(&self, cap: usize) -> Vec<ColumnValues> {
        self.cols
            .iter()
            .map(|c| ColumnValues::new(c.def.kind, cap))
            .collect()
    }

    /// Decodes the next batch of rows and appends them to `out` (as made by
    /// [`TableReader::empty_columns`]); returns how many rows were appended, or `None` at end
    /// of input.
    pub fn next_rows_into(&mut self, out: &mut [ColumnValues]) -> Result<Option<usize>, DataError> {
        let batch = match self.first.take() {
            Some(b) => b,
            None => match self.source.next_batch()? {
                Some(b) => b,
                None => return Ok(None),
            },
        };
        let mut n_rows = 0;
        for rec in &batch.records[..batch.len] {
            self.rows_read += 1;
            match self.check_row(rec)? {
                None => {
                    self.commit_row(rec, out);
                    n_rows += 1;
                }
                Some(key) => {
                    let line = line_of(rec);
                    let e = self.rejected.entry(key).or_insert((0, line));
                    e.0 += 1;
                }
            }
        }
        self.rows_used += n_rows as u64;
        self.source.recycle(batch);
        Ok(Some(n_rows))
    }

    /// Checks every field of a row. `Ok(None)`: the row is usable and `self.cells` holds its
    /// values; `Ok(Some(reason))`: it is rejected; `Err`: an invalid value under
    /// `on-invalid = "error"`.
    fn check_row(&mut self, rec: &ByteRecord) -> Result<Option<RejectKey>, DataError> {
        self.cells.clear();
        let skip = self.on_invalid == OnInvalid::Skip;
        if rec.len() != self.schema.header.len() {
            if skip {
                return Ok(Some(("ragged_row", None)));
            }
            return Err(DataError::RaggedRow {
                pos: self.pos(rec, None),
                expected: self.schema.header.len(),
                found: rec.len(),
            });
        }
        if rec.as_slice().len() > self.max_field {
            for (i, f) in rec.iter().enumerate() {
                if f.len() > self.max_field {
                    if skip {
                        return Ok(Some((ValueProblem::FieldTooLong.as_str(), None)));
                    }
                    let name = self.schema.header.get(i).cloned().unwrap_or_default();
                    let hint = "; an unbalanced quote may have joined the lines after it, or raise --max-field-bytes";
                    return Err(invalid(
                        self.pos(rec, Some(i)),
                        &name,
                        ValueProblem::FieldTooLong,
                        &format!("a field of at most {} bytes", self.max_field),
                        &f[..f.len().min(40)],
                        hint,
                    )
                    .with_found(format!("{} bytes", f.len())));
                }
            }
        }
        for ci in 0..self.cols.len() {
            let col = &self.cols[ci];
            let raw = rec.get(col.def.index).unwrap_or_default().trim_ascii();
            if self.is_na(raw) {
                if col.missing_rejects {
                    return Ok(Some(("missing_value", Some(ci))));
                }
                self.cells.push(match col.def.kind {
                    ColumnKind::Numeric | ColumnKind::Timestamp => Cell::Num(f64::NAN),
                    ColumnKind::Categorical => Cell::Code(MISSING_CODE),
                    ColumnKind::Boolean => Cell::Bool(None),
                    ColumnKind::Text => Cell::Text,
                });
                continue;
            }
            match decode(col, raw) {
                Ok(cell) => self.cells.push(cell),
                Err((problem, expected, hint)) => {
                    if skip {
                        return Ok(Some((problem.as_str(), Some(ci))));
                    }
                    return Err(invalid(
                        self.pos(rec, Some(col.def.index)),
                        &col.def.name,
                        problem,
                        &expected,
                        raw,
                        &hint,
                    ));
                }
            }
        }
        Ok(None)
    }

    /// Appends the checked row to the chunk's columns.
    fn commit_row(&mut self, rec: &ByteRecord, out: &mut [ColumnValues]) {
        for (ci, col) in self.cols.iter_mut().enumerate() {
            let cell = self.cells[ci];
            let raw = || rec.get(col.def.index).unwrap_or_default().trim_ascii();
            let is_missing = match (&mut out[ci], cell) {
                (ColumnValues::Numeric(v), Cell::Num(x)) => {
                    v.push(x);
                    x.is_nan()
                }
                (ColumnValues::Boolean(v), Cell::Bool(b)) => {
                    if let Decoder::Label(state) = &mut col.decoder {
                        state.count(b == Some(true), raw());
                    }
                    v.push(b);
                    b.is_none()
                }
                (ColumnValues::Boolean(v), Cell::NewNegative) => {
                    if let Decoder::Label(state) = &mut col.decoder {
                        state.negative = Some(raw().to_vec());
                        state.count(false, raw());
                    }
                    v.push(Some(false));
                    false
                }
                (ColumnValues::Categorical(v), Cell::Code(c)) => {
                    v.push(c);
                    c == MISSING_CODE
                }
                (ColumnValues::Text(v), Cell::Text) => {
                    // Checked as UTF-8 in the check phase.
                    let s = std::str::from_utf8(raw()).unwrap_or_default();
                    v.push(s);
                    s.is_empty()
                }
                (ColumnValues::Categorical(v), Cell::NewLevel) => {
                    if let Decoder::Category { dict, levels } = &mut col.decoder {
                        let code = levels.len() as u32;
                        let bytes = raw();
                        // Checked as UTF-8 in the check phase.
                        levels.push(String::from_utf8_lossy(bytes).into_owned());
                        dict.insert(bytes.into(), code);
                        v.push(code);
                    }
                    false
                }
                _ => {
                    debug_assert!(false, "cell and column kinds agree by construction");
                    false
                }
            };
            col.missing += u64::from(is_missing);
        }
    }

    fn is_na(&self, raw: &[u8]) -> bool {
        if raw.is_empty() {
            return self.na_empty;
        }
        self.na.iter().any(|m| m.as_slice() == raw)
    }

    fn pos(&self, rec: &ByteRecord, field: Option<usize>) -> Position {
        Position {
            origin: self.origin.clone(),
            line: line_of(rec),
            column: field.map(|i| i + 1),
        }
    }

    /// Ends the read and returns the summary. Reads any rows not yet taken as chunks first,
    /// so the hash covers the whole file. Zero data rows, or zero usable rows, is an error.
    pub fn finish(mut self) -> Result<LoadSummary, DataError> {
        let mut sink = self.empty_columns(0);
        while self.next_rows_into(&mut sink)?.is_some() {
            sink = self.empty_columns(0);
        }
        if self.rows_read == 0 {
            return Err(DataError::NoRows {
                origin: self.origin.clone(),
            });
        }
        let summary = self.summary();
        if summary.rows_used == 0 {
            return Err(DataError::NoUsableRows {
                origin: self.origin.clone(),
                read: summary.rows_read,
                reasons: summary.rejection_text(),
            });
        }
        Ok(summary)
    }

    /// The summary so far (complete once [`TableReader::next_chunk`] has returned `None`).
    pub fn summary(&self) -> LoadSummary {
        let (sha256, bytes) = self.source.digest().unwrap_or_default();
        let rejected = self
            .rejected
            .iter()
            .map(|(&(reason, col), &(rows, first_line))| Rejection {
                reason: reason.to_string(),
                column: col.map(|c| self.cols[c].def.name.clone()),
                rows,
                first_line,
            })
            .collect();
        let columns = self
            .cols
            .iter()
            .map(|c| ColumnSummary {
                name: c.def.name.clone(),
                role: c.def.role,
                kind: c.def.kind,
                inferred: c.inferred,
                missing: c.missing,
                missing_policy: missing_policy(c, self.missing_numeric).to_string(),
                levels: match &c.decoder {
                    Decoder::Category { levels, .. } => Some(levels.len()),
                    _ => None,
                },
            })
            .collect();
        let label = self.cols.iter().find_map(|c| match &c.decoder {
            Decoder::Label(s) => Some(LabelSummary {
                positive: s.spelled_pos.clone(),
                negative: s.spelled_neg.clone(),
                positives: s.positives,
                negatives: s.negatives,
            }),
            _ => None,
        });
        LoadSummary {
            source: self.origin.clone(),
            sha256,
            bytes,
            delimiter: match self.source.delimiter {
                b'\t' => "tab".to_string(),
                d => char::from(d).to_string(),
            },
            delimiter_detected: self.source.delimiter_detected,
            byte_order_mark: self.source.bom,
            rows_read: self.rows_read,
            rows_used: self.rows_used,
            rows_rejected: self.rows_read - self.rows_used,
            rejected,
            columns,
            ignored_columns: self.schema.ignored.clone(),
            label,
        }
    }
}

impl LabelState {
    fn count(&mut self, positive: bool, raw: &[u8]) {
        let (n, spelled) = if positive {
            (&mut self.positives, &mut self.spelled_pos)
        } else {
            (&mut self.negatives, &mut self.spelled_neg)
        };
        *n += 1;
        if spelled.is_none() {
            *spelled = Some(String::from_utf8_lossy(raw).into_owned());
        }
    }
}

type DecodeError = (ValueProblem, String, String);

/// Decodes one non-missing, trimmed field.
fn decode(col: &Col, raw: &[u8]) -> Result<Cell, DecodeError> {
    let plain = |p: ValueProblem, expected: &str| (p, expected.to_string(), String::new());
    match &col.decoder {
        Decoder::Number { min, max, expected } => match parse_f64(raw) {
            Ok(v) if v >= *min && v <= *max => Ok(Cell::Num(v)),
            Ok(_) => Err(plain(ValueProblem::OutOfRange, expected)),
            Err(p) => {
                let hint = match p {
                    ValueProblem::NotANumber if col.inferred => format!(
                        "; to read it as categories, pass --categorical {}",
                        col.def.name
                    ),
                    ValueProblem::NotFinite => format!(
                        "; if {} means a missing value, pass --na {}",
                        quote_found(raw),
                        String::from_utf8_lossy(raw)
                    ),
                    _ => String::new(),
                };
                Err((p, expected.clone(), hint))
            }
        },
        Decoder::Category { dict, .. } => match dict.get(raw) {
            Some(&code) => Ok(Cell::Code(code)),
            None if std::str::from_utf8(raw).is_ok() => Ok(Cell::NewLevel),
            None => Err(plain(ValueProblem::InvalidUtf8, "UTF-8 text")),
        },
        Decoder::Text => std::str::from_utf8(raw)
            .map(|_| Cell::Text)
            .map_err(|_| plain(ValueProblem::InvalidUtf8, "UTF-8 text")),
        Decoder::Flag => parse_bool(raw).map(|b| Cell::Bool(Some(b))).ok_or_else(|| {
            plain(
                ValueProblem::NotABoolean,
                "a boolean (1/0, true/false or yes/no)",
            )
        }),
        Decoder::Time => parse_timestamp(raw)
            .map(|s| Cell::Num(s as f64))
            .ok_or_else(|| {
                plain(
                    ValueProblem::NotATimestamp,
                    "an ISO 8601 date or date-time such as 2024-03-01 or 2024-03-01T09:30:00Z",
                )
            }),
        Decoder::Label(state) => match (&state.positive, &state.negative) {
            (Some(p), _) if p.as_slice() == raw => Ok(Cell::Bool(Some(true))),
            (Some(_), Some(n)) if n.as_slice() == raw => Ok(Cell::Bool(Some(false))),
            (Some(_), None) => Ok(Cell::NewNegative),
            (Some(p), Some(n)) => Err((
                ValueProblem::TooManyLabelValues,
                format!(
                    "one of the two label values \"{}\" (positive) and \"{}\"",
                    String::from_utf8_lossy(p),
                    String::from_utf8_lossy(n)
                ),
                "; a label must have exactly two values".into(),
            )),
            (None, _) => parse_bool(raw).map(|b| Cell::Bool(Some(b))).ok_or_else(|| {
                (
                    ValueProblem::BadLabel,
                    "a label of 0/1, true/false or yes/no".into(),
                    "; for other label values pass --positive VALUE".into(),
                )
            }),
        },
    }
}

fn missing_policy(c: &Col, numeric: MissingNumeric) -> &'static str {
    match (c.def.role, c.def.kind) {
        (Role::Label | Role::Score | Role::Prediction | Role::Weight, _) => "row rejected",
        (Role::Consent, _) => "treated as no consent",
        (Role::Id, _) => "kept; the record has no identifier",
        (Role::Protected, _) => "kept as its own group, (missing)",
        (Role::Timestamp, _) => "kept as unknown",
        (Role::Feature, ColumnKind::Numeric) => numeric.describe(),
        (Role::Feature, _) => "kept as its own category, (missing)",
    }
}

fn line_of(rec: &ByteRecord) -> u64 {
    rec.position().map_or(0, csv::Position::line)
}

fn invalid(
    pos: Position,
    column: &str,
    problem: ValueProblem,
    expected: &str,
    raw: &[u8],
    hint: &str,
) -> DataError {
    DataError::InvalidValue(Box::new(InvalidValue {
        pos,
        column: column.to_string(),
        problem,
        expected: expected.to_string(),
        found: quote_found(raw),
        hint: hint.to_string(),
    }))
}

impl DataError {
    fn with_found(mut self, text: String) -> DataError {
        if let DataError::InvalidValue(v) = &mut self {
            v.found = text;
        }
        self
    }
}
