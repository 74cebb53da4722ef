//! The account of a load: rows read, used and rejected by reason, what each column held and
//! which missing-value rule applied. It goes into every report, so nothing is dropped
//! silently; it holds counts and names only, never a raw value of a record.

use serde::Serialize;

use super::schema::ColumnKind;
use super::spec::Role;

/// Rows rejected for one reason in one column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Rejection {
    /// Why, as a stable snake_case word: `missing_value`, `not_a_number`, `out_of_range`,
    /// `ragged_row`, ...
    pub reason: String,
    /// The column, where the reason is about one.
    pub column: Option<String>,
    /// How many rows.
    pub rows: u64,
    /// The line of the first such row, so it can be looked at.
    pub first_line: u64,
}

/// What one read column held.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColumnSummary {
    /// Header name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Storage kind.
    pub kind: ColumnKind,
    /// Whether the kind was inferred from the data (features only) rather than given by the
    /// role or `--categorical`.
    pub inferred: bool,
    /// Missing values among the used rows.
    pub missing: u64,
    /// What a missing value means for this column, in words.
    pub missing_policy: String,
    /// Distinct values, for categorical columns.
    pub levels: Option<usize>,
}

/// How the label's values were read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LabelSummary {
    /// The value read as positive, as first spelled in the file.
    pub positive: Option<String>,
    /// The value read as negative, as first spelled in the file.
    pub negative: Option<String>,
    /// Used rows with a positive label.
    pub positives: u64,
    /// Used rows with a negative label.
    pub negatives: u64,
}

/// The full account of one load.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadSummary {
    /// The file's display name.
    pub source: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// `parquet` for a Parquet file (absent for CSV, whose delimiter follows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The delimiter, as a word for tab (empty for Parquet).
    pub delimiter: String,
    /// Whether the delimiter was detected rather than given.
    pub delimiter_detected: bool,
    /// Whether the file began with a UTF-8 byte-order mark (which was skipped).
    pub byte_order_mark: bool,
    /// Data rows read (not counting the header).
    pub rows_read: u64,
    /// Rows kept.
    pub rows_used: u64,
    /// Rows rejected; always `rows_read - rows_used - rows_filtered`.
    pub rows_rejected: u64,
    /// Rows left out by `--filter` (not rejected: they are not the rows asked for).
    #[serde(skip_serializing_if = "is_zero")]
    pub rows_filtered: u64,
    /// `--filter COLUMN=VALUE`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Rejected rows by reason and column, sorted.
    pub rejected: Vec<Rejection>,
    /// The columns that were read, in file order.
    pub columns: Vec<ColumnSummary>,
    /// Header columns that were not read because they have no role.
    pub ignored_columns: Vec<String>,
    /// How the label was read, when there is one.
    pub label: Option<LabelSummary>,
}

impl LoadSummary {
    /// The rejection reasons in one line, e.g. `missing_value in "score": 3 rows (first at
    /// line 17)`.
    pub fn rejection_text(&self) -> String {
        if self.rejected.is_empty() {
            return "none".to_string();
        }
        self.rejected
            .iter()
            .map(|r| {
                let col = r
                    .column
                    .as_ref()
                    .map(|c| format!(" in \"{c}\""))
                    .unwrap_or_default();
                // Arrow data from memory has rows from 0, not lines (the header is line 1).
                let first = if self.format.as_deref() == Some("arrow") {
                    format!("row {} from 0", r.first_line.saturating_sub(2))
                } else {
                    format!("line {}", r.first_line)
                };
                format!(
                    "{}{col}: {} row{} (first at {first})",
                    r.reason,
                    r.rows,
                    if r.rows == 1 { "" } else { "s" },
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
