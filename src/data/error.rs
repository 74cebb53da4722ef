//! Errors of the data layer: every one that comes from the input names the file, the line and,
//! where there is one, the column, and says what was expected and what was found.
//!
//! Structural problems (no header, an unknown column, a bad config) and, under the default
//! `on-invalid = "error"` policy, the first invalid value are errors. Rows that are merely
//! unusable (a missing label, say) are not errors: they are counted in
//! [`LoadSummary`](super::LoadSummary).

use std::fmt;

/// Where in an input file something is: the file's display name, a line (from 1) and
/// optionally a column (from 1, counted in fields, not characters).
///
/// In a Parquet file, `line` is the line the row would have in a CSV export with a header
/// (the first row is line 2), `row_group` says where the row is in the file, and line 0 is
/// the file's schema (its column names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The file's display name (its path as given, or `<stdin>`, or a test label).
    pub origin: String,
    /// Line number, from 1. The header is line 1.
    pub line: u64,
    /// Field number within the row, from 1, when the problem is in one field.
    pub column: Option<usize>,
    /// In a Parquet file: the row's row group and offset in it (boxed: errors stay small).
    pub row_group: Option<Box<RowGroupAt>>,
    /// In an in-memory table (a DataFrame handed over as Arrow data): `line` - 2 is the row's
    /// position from 0, as `iloc` counts, and the position is shown as `row N`.
    pub in_frame: bool,
}

/// Where a row of a Parquet file is: its row group (from 0, as pyarrow's `read_row_group`
/// numbers them) and its offset within the group (from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowGroupAt {
    /// The row group, from 0.
    pub group: usize,
    /// The row's offset in the group, from 0.
    pub offset: u64,
}

impl Position {
    /// The position of `line` (and the field at index `field`) in a file whose row groups
    /// begin at the rows `group_starts` (from 0; empty for a CSV file, whose positions are
    /// lines).
    pub fn in_rows(
        origin: &str,
        group_starts: &[u64],
        line: u64,
        field: Option<usize>,
    ) -> Position {
        let row = line.saturating_sub(2);
        let row_group = match group_starts.partition_point(|&s| s <= row) {
            0 => None,
            g => Some(Box::new(RowGroupAt {
                group: g - 1,
                offset: row - group_starts[g - 1],
            })),
        };
        Position {
            origin: origin.to_string(),
            line,
            column: field.map(|i| i + 1),
            row_group,
            in_frame: false,
        }
    }

    /// The position of `line` (the first row is line 2, as in a CSV export) and the field at
    /// index `field` in an in-memory table, whose rows are counted from 0.
    pub fn in_frame(origin: &str, line: u64, field: Option<usize>) -> Position {
        Position {
            origin: origin.to_string(),
            line,
            column: field.map(|i| i + 1),
            row_group: None,
            in_frame: true,
        }
    }

    /// The row (from 0) of a position in an in-memory table or a Parquet file; `None` in a
    /// CSV file's header or a Parquet file's schema.
    pub fn row(&self) -> Option<u64> {
        self.line.checked_sub(2)
    }

    /// The position without the file's name: `row 1042 (row group 2, offset 18), column 5`
    /// in a Parquet file, `column 3` in its schema, `line 1043, column 5` in a CSV file.
    pub fn place(&self) -> String {
        let column = self.column.map(|c| format!("column {c}"));
        if self.in_frame {
            let at = self.row().map(|r| format!("row {r} (from 0)"));
            return at.into_iter().chain(column).collect::<Vec<_>>().join(", ");
        }
        let at = match (self.row_group.as_deref(), self.line) {
            (Some(g), line) => Some(format!(
                "row {} (row group {}, offset {})",
                line.saturating_sub(1),
                g.group,
                g.offset
            )),
            (None, 0) => None,
            (None, line) => Some(format!("line {line}")),
        };
        at.into_iter().chain(column).collect::<Vec<_>>().join(", ")
    }

    /// A position in a header (line 1), or in a Parquet file's schema (line 0).
    pub fn header(origin: &str, line: u64, column: Option<usize>) -> Position {
        Position {
            origin: origin.to_string(),
            line,
            column,
            row_group: None,
            in_frame: false,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (
            self.row_group.is_some() || self.in_frame,
            self.line,
            self.column,
        ) {
            (true, _, _) | (false, 0, Some(_)) => write!(f, "{}: {}", self.origin, self.place()),
            (false, 0, None) => write!(f, "{}", self.origin),
            (false, line, Some(c)) => write!(f, "{}:{}:{}", self.origin, line, c),
            (false, line, None) => write!(f, "{}:{}", self.origin, line),
        }
    }
}

/// What kind of thing a bad value failed to be. Kept separate from the message so that callers
/// (and tests) can match on the kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ValueProblem {
    /// Not a number at all.
    NotANumber,
    /// `NaN` or an infinity.
    NotFinite,
    /// A number outside the allowed range.
    OutOfRange,
    /// A value that is not one of the recognised boolean words.
    NotABoolean,
    /// A label value that is not one of the accepted label values.
    BadLabel,
    /// A label column with more than two distinct values.
    TooManyLabelValues,
    /// A timestamp that could not be parsed.
    NotATimestamp,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// A field longer than the configured limit.
    FieldTooLong,
}

impl ValueProblem {
    /// A stable snake_case name, used as the rejection reason in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueProblem::NotANumber => "not_a_number",
            ValueProblem::NotFinite => "not_finite",
            ValueProblem::OutOfRange => "out_of_range",
            ValueProblem::NotABoolean => "not_a_boolean",
            ValueProblem::BadLabel => "bad_label",
            ValueProblem::TooManyLabelValues => "too_many_label_values",
            ValueProblem::NotATimestamp => "not_a_timestamp",
            ValueProblem::InvalidUtf8 => "invalid_utf8",
            ValueProblem::FieldTooLong => "field_too_long",
        }
    }
}

/// An error of the data layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The data file or a config file cannot be read, or a config file cannot be parsed (the
    /// message names the line, column and key).
    #[error(transparent)]
    File(#[from] crate::file_error::FileError),
    /// A Parquet file cannot be read: its footer is not valid, or a needed column has a type
    /// fairgate does not read (or this build has no Parquet support).
    #[error("{origin}: {message}")]
    Parquet {
        /// The file's display name.
        origin: String,
        /// What is wrong, and what to do.
        message: String,
    },
    /// An invariant of the reader does not hold (a bug, reported rather than hidden).
    #[error("{origin}: internal error: {message}")]
    Internal {
        /// The file's display name.
        origin: String,
        /// What went wrong.
        message: String,
    },
    /// A protected attribute, or an intersection, has more groups than allowed.
    #[error("{origin}: {attribute} has {groups} groups {how}, more than --max-groups {max} (a protected column with this many values is usually an identifier or free text, and an intersection this large has groups too small to judge): audit coarser columns, or raise --max-groups if this many groups is meant")]
    TooManyGroups {
        /// The file's display name.
        origin: String,
        /// The column, or the intersection (`a x b`).
        attribute: String,
        /// Its groups so far (an intersection: the product of its columns' values).
        groups: usize,
        /// How they were counted.
        how: String,
        /// The limit.
        max: usize,
    },
    /// More rows were rejected than `max-rejected` allows.
    #[error("{origin}: {rejected} of {read} rows ({share:.1}%) were rejected as invalid, more than --max-rejected {max} allows: the rows left would not be the data{hint}. Rejected: {reasons}")]
    TooManyRejected {
        /// The file's display name.
        origin: String,
        /// Rows rejected.
        rejected: u64,
        /// Rows read.
        read: u64,
        /// The rejected share in percent.
        share: f64,
        /// The limit (a share from 0 to 1).
        max: f64,
        /// What most likely went wrong, when it can be told (a score column in percent).
        hint: String,
        /// The rejections by reason and column.
        reasons: String,
    },
    /// The file has no bytes (or only a byte-order mark and blank lines).
    #[error("{origin}: the file is empty: expected a header row naming the columns")]
    Empty {
        /// The file's display name.
        origin: String,
    },
    /// The first line looks like data, not like a header.
    #[error("{pos}: expected a header row naming the columns, found a row of values ({found}); add a header line")]
    MissingHeader {
        /// Line 1 of the file.
        pos: Position,
        /// The first few header fields, quoted.
        found: String,
    },
    /// Two columns of the header have the same name.
    #[error("{pos}: duplicate column name \"{name}\" (also column {first}); column names must be unique")]
    DuplicateColumn {
        /// The second occurrence.
        pos: Position,
        /// The repeated name.
        name: String,
        /// Field number (from 1) of the first occurrence.
        first: usize,
    },
    /// A role names a column that the header does not have.
    #[error("{0}")]
    UnknownColumn(Box<UnknownColumn>),
    /// A row has more or fewer fields than the header.
    #[error("{pos}: expected {expected} fields (as in the header), found {found}")]
    RaggedRow {
        /// The row's first line.
        pos: Position,
        /// Number of header fields.
        expected: usize,
        /// Number of fields in this row.
        found: usize,
    },
    /// A field's value is not what its column's role and type require.
    #[error("{0}")]
    InvalidValue(Box<InvalidValue>),
    /// The CSV parser could not read a record.
    #[error("{pos}: cannot parse CSV: {message}")]
    Csv {
        /// Where the parser stopped.
        pos: Position,
        /// The parser's message.
        message: String,
    },
    /// The data had rows but none was usable.
    #[error("{origin}: no usable rows: {read} data rows read, none used ({reasons})")]
    NoUsableRows {
        /// The file's display name.
        origin: String,
        /// Data rows read.
        read: u64,
        /// The rejection reasons with counts.
        reasons: String,
    },
    /// The header is there but there are no data rows.
    #[error("{origin}: the file has a header but no data rows")]
    NoRows {
        /// The file's display name.
        origin: String,
    },
    /// The column roles or read options are inconsistent or out of range.
    #[error("{0}")]
    Spec(String),
    /// A parameter is out of range.
    #[error("{0}")]
    Param(#[from] crate::params::InvalidParam),
    /// A stream the caller handed in (the generated data's CSV) cannot be written.
    #[error("i/o error: {0}")]
    Write(#[source] std::io::Error),
}

impl DataError {
    /// The input position the error points at, when it has one.
    pub fn position(&self) -> Option<&Position> {
        match self {
            DataError::MissingHeader { pos, .. }
            | DataError::DuplicateColumn { pos, .. }
            | DataError::RaggedRow { pos, .. }
            | DataError::Csv { pos, .. } => Some(pos),
            DataError::UnknownColumn(u) => Some(&u.pos),
            DataError::InvalidValue(v) => Some(&v.pos),
            _ => None,
        }
    }
}

/// A role names a column that the header does not have.
#[derive(Debug, thiserror::Error)]
#[error("{pos}: no column named \"{name}\" (given for {role}){hint}; the header has: {available}")]
pub struct UnknownColumn {
    /// Line 1 of the file.
    pub pos: Position,
    /// The name that was asked for.
    pub name: String,
    /// The role it was given for, as the flag spells it (e.g. `--score`).
    pub role: String,
    /// `; did you mean "x"?`, or empty.
    pub hint: String,
    /// The header's column names, comma-separated (shortened when long).
    pub available: String,
}

/// A field's value is not what its column's role and type require.
#[derive(Debug, thiserror::Error)]
#[error("{pos}: column \"{column}\": expected {expected}, found {found}{hint}")]
pub struct InvalidValue {
    /// Line and column of the field.
    pub pos: Position,
    /// The column's name.
    pub column: String,
    /// What kind of problem it is.
    pub problem: ValueProblem,
    /// What was expected, in words.
    pub expected: String,
    /// What was found, quoted and shortened.
    pub found: String,
    /// A suggested fix, starting with `; `, or empty.
    pub hint: String,
}

/// Quotes a raw field for an error message: at most 40 characters, control characters and
/// quotes escaped, invalid UTF-8 shown as `\xNN`.
pub(crate) fn quote_found(raw: &[u8]) -> String {
    const MAX: usize = 40;
    let text = String::from_utf8_lossy(raw);
    let mut out = String::from("\"");
    for (n, ch) in text.chars().enumerate() {
        if n == MAX {
            out.push_str(&format!("…\" ({} bytes)", raw.len()));
            return out;
        }
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{FFFD}' => out.push_str("\\u{fffd}"),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_formats_like_an_editor_link() {
        let p = Position {
            origin: "leads.csv".into(),
            line: 1043,
            column: Some(5),
            row_group: None,
            in_frame: false,
        };
        assert_eq!(p.to_string(), "leads.csv:1043:5");
        let p = Position { column: None, ..p };
        assert_eq!(p.to_string(), "leads.csv:1043");
    }

    #[test]
    fn parquet_positions_name_the_row_and_its_row_group() {
        let p = Position {
            origin: "leads.parquet".into(),
            line: 1043,
            column: Some(5),
            row_group: Some(Box::new(RowGroupAt {
                group: 2,
                offset: 18,
            })),
            in_frame: false,
        };
        assert_eq!(
            p.to_string(),
            "leads.parquet: row 1042 (row group 2, offset 18), column 5"
        );
        let p = Position { column: None, ..p };
        assert_eq!(
            p.to_string(),
            "leads.parquet: row 1042 (row group 2, offset 18)"
        );
        assert_eq!(
            Position::header("leads.parquet", 0, Some(3)).to_string(),
            "leads.parquet: column 3"
        );
    }

    #[test]
    fn found_values_are_quoted_escaped_and_shortened() {
        assert_eq!(quote_found(b"n/a"), "\"n/a\"");
        assert_eq!(quote_found(b"a\"b\n"), "\"a\\\"b\\n\"");
        let long = vec![b'x'; 100];
        let q = quote_found(&long);
        assert!(q.ends_with("…\" (100 bytes)"), "{q}");
        assert!(quote_found(&[0xff, b'a']).contains("\\u{fffd}"));
    }
}
