//! Decoded column storage: the values of one column for a run of rows, and chunks of them.

use super::schema::{ColumnKind, MISSING_CODE};

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

    pub(crate) fn push(&mut self, s: &str) {
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
    }

    fn append(&mut self, other: TextValues) {
        let base = self.bytes.len();
        self.bytes.push_str(&other.bytes);
        self.ends.extend(other.ends.into_iter().map(|e| e + base));
    }
}

impl ColumnValues {
    pub(crate) fn new(kind: ColumnKind, cap: usize) -> ColumnValues {
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

    /// Appends `other`, which must be of the same variant.
    pub(crate) fn append(&mut self, other: ColumnValues) {
        match (self, other) {
            (ColumnValues::Numeric(a), ColumnValues::Numeric(b)) => a.extend(b),
            (ColumnValues::Categorical(a), ColumnValues::Categorical(b)) => a.extend(b),
            (ColumnValues::Boolean(a), ColumnValues::Boolean(b)) => a.extend(b),
            (ColumnValues::Text(a), ColumnValues::Text(b)) => a.append(b),
            _ => debug_assert!(false, "merged blocks have the reader's column kinds"),
        }
    }

    /// The values of the given rows, in that order.
    pub fn select(&self, rows: &[usize]) -> ColumnValues {
        match self {
            ColumnValues::Numeric(v) => ColumnValues::Numeric(rows.iter().map(|&i| v[i]).collect()),
            ColumnValues::Categorical(v) => {
                ColumnValues::Categorical(rows.iter().map(|&i| v[i]).collect())
            }
            ColumnValues::Boolean(v) => ColumnValues::Boolean(rows.iter().map(|&i| v[i]).collect()),
            ColumnValues::Text(v) => {
                let mut out = TextValues::default();
                for &i in rows {
                    out.push(v.get(i).unwrap_or_default());
                }
                ColumnValues::Text(out)
            }
        }
    }

    /// How many values are missing.
    pub(crate) fn count_missing(&self) -> u64 {
        (match self {
            ColumnValues::Numeric(v) => v.iter().filter(|x| x.is_nan()).count(),
            ColumnValues::Categorical(v) => v.iter().filter(|c| **c == MISSING_CODE).count(),
            ColumnValues::Boolean(v) => v.iter().filter(|b| b.is_none()).count(),
            ColumnValues::Text(v) => v.iter().filter(|s| s.is_empty()).count(),
        }) as u64
    }
}

/// A run of decoded rows: one [`ColumnValues`] per column of the schema, in schema order.
#[derive(Clone, Debug)]
pub struct Chunk {
    /// Number of rows.
    pub n_rows: usize,
    /// One entry per [`super::Schema::columns`] entry.
    pub columns: Vec<ColumnValues>,
}
