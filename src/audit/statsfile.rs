//! The audit's statistics file (docs/statistics.md): the sufficient statistics of an audit,
//! one line per (protected values, label, score, decision) with the count of rows (and with
//! weights their sum and sum of squares), the rows rejected by reason, and the roles of the
//! columns. Any engine that can `GROUP BY` can make it (`fairgate sql` prints the query); files
//! from shards are merged by adding the counts of equal keys; `audit_statistics`
//! (fromstats.rs) audits them and gives the audit of the rows themselves.
//!
//! A file is CSV (or Parquet, or a folder of parts: statsread.rs reads them) with a header
//! naming its columns (any order): `kind`, `name`, `column`,
//! `rows`, `weight`, `weight2`, `label`, `score`, `prediction`, `g1` ... `gK`. Lines by `kind`:
//! - `version`: `name` is the format's version (1).
//! - `role`: `name` is a role (`label`, `score`, `prediction`, `weight`, `protected`),
//!   `column` the data's column; for `protected`, `rows` is its position (1 for `g1`, ...).
//! - `source`: `name` says how the file was made (free text, kept in the audit's input).
//! - `cell`: `g1`..`gK` the protected values (empty: missing, the `unknown` group), `label`
//!   0 or 1, `score` in [0, 1] and/or `prediction` 0 or 1, `rows` the count, `weight` and
//!   `weight2` the weights' sum and sum of squares (empty when unweighted).
//! - `rejected`: `name` the reason (as the data account words it), `column` the column it is
//!   about (may be empty), `rows` the count.

use std::collections::BTreeMap;
use std::io::Write;

use super::output::StatsInput;
use super::stats::Count;
use super::AuditError;
use crate::params::InvalidParam;

/// The version of the statistics format this fairgate writes and reads.
pub const STATS_VERSION: u32 = 1;

/// The columns of a statistics file, in the order fairgate writes them (then `g1`, `g2`...).
pub const STATS_COLUMNS: [&str; 9] = [
    "kind",
    "name",
    "column",
    "rows",
    "weight",
    "weight2",
    "label",
    "score",
    "prediction",
];

/// The key of a statistics line: the protected values (`None`: missing), the label, the score
/// (as the bits of the double, -0 as +0, so numeric order) and the decision.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatsKey {
    /// One value per protected column, `None` when missing.
    pub values: Vec<Option<String>>,
    /// Whether the label is positive.
    pub label: bool,
    /// The score's bits, when there is a score.
    pub score: Option<u64>,
    /// The decision, when decisions were given.
    pub prediction: Option<bool>,
}

/// The rows of a key: their count and, when weighted, the weights' sum and sum of squares.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StatsCount {
    /// Rows.
    pub rows: u64,
    /// Σ w and Σ w² (`None` unweighted).
    pub weight: Option<Count>,
}

/// The most rows statistics may count in all: counts stay exact in f64.
pub(super) const MAX_ROWS: u64 = 1 << 53;

impl StatsCount {
    /// Adds another count (rows saturating; weight sums added in the order given).
    pub(super) fn add(&mut self, o: StatsCount) {
        self.rows = self.rows.saturating_add(o.rows);
        self.weight = match (self.weight, o.weight) {
            (Some(a), Some(b)) => Some(a.plus(b)),
            (a, b) => a.or(b),
        };
    }
}

/// An audit's statistics: the column roles, the counts by key, the rejected rows by reason,
/// and the files they came from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Statistics {
    /// The protected columns, in order (`g1`, `g2`, ...).
    pub protected: Vec<String>,
    /// The label column.
    pub label: String,
    /// The score column, if audited by score.
    pub score: Option<String>,
    /// The decision column, if decisions were given.
    pub prediction: Option<String>,
    /// The weight column, if weighted.
    pub weight: Option<String>,
    /// Counts by key, in key order.
    pub cells: BTreeMap<StatsKey, StatsCount>,
    /// Rejected rows by (reason, column).
    pub rejected: BTreeMap<(String, Option<String>), u64>,
    /// Where they came from: each file read, and how each was made.
    pub sources: Vec<StatsInput>,
}

impl Statistics {
    /// Rows counted in the cells.
    pub fn rows_used(&self) -> u64 {
        self.cells
            .values()
            .fold(0u64, |n, c| n.saturating_add(c.rows))
    }

    /// Rows rejected.
    pub fn rows_rejected(&self) -> u64 {
        self.rejected
            .values()
            .fold(0u64, |n, &r| n.saturating_add(r))
    }

    /// Writes the file: the version, roles and sources, then the cells in key order, then
    /// the rejections.
    pub fn write_csv(&self, out: impl Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let k = self.protected.len();
        let mut header: Vec<String> = STATS_COLUMNS.iter().map(|s| s.to_string()).collect();
        header.extend((1..=k).map(|i| format!("g{i}")));
        w.write_record(&header)?;
        let blank = |n: usize| vec![String::new(); n];
        let line = |kind: &str, name: &str, column: &str, rows: String| {
            let mut v = vec![kind.to_string(), name.to_string(), column.to_string(), rows];
            v.extend(blank(5 + k));
            v
        };
        w.write_record(line(
            "version",
            &STATS_VERSION.to_string(),
            "",
            String::new(),
        ))?;
        let roles = [
            ("label", Some(&self.label)),
            ("score", self.score.as_ref()),
            ("prediction", self.prediction.as_ref()),
            ("weight", self.weight.as_ref()),
        ];
        for (role, column) in roles {
            if let Some(c) = column {
                w.write_record(line("role", role, c, String::new()))?;
            }
        }
        for (i, c) in self.protected.iter().enumerate() {
            w.write_record(line("role", "protected", c, (i + 1).to_string()))?;
        }
        for s in &self.sources {
            for m in &s.made_by {
                w.write_record(line("source", m, "", String::new()))?;
            }
        }
        let num = |x: f64| format!("{x}");
        for (key, n) in &self.cells {
            let mut v = vec![
                "cell".to_string(),
                String::new(),
                String::new(),
                n.rows.to_string(),
                n.weight.map(|c| num(c.w)).unwrap_or_default(),
                n.weight.map(|c| num(c.w2)).unwrap_or_default(),
                u8::from(key.label).to_string(),
                key.score
                    .map(|s| num(f64::from_bits(s)))
                    .unwrap_or_default(),
                key.prediction
                    .map(|p| u8::from(p).to_string())
                    .unwrap_or_default(),
            ];
            v.extend(key.values.iter().map(|x| x.clone().unwrap_or_default()));
            w.write_record(&v)?;
        }
        for ((reason, column), rows) in &self.rejected {
            w.write_record(line(
                "rejected",
                reason,
                column.as_deref().unwrap_or(""),
                rows.to_string(),
            ))?;
        }
        w.flush()
    }
}

impl Statistics {
    /// Adds another file's statistics (a shard of the same data): counts of equal keys are
    /// added. Fails when the roles differ.
    pub fn merge(&mut self, other: Statistics) -> Result<(), InvalidParam> {
        let roles = |s: &Statistics| {
            (
                s.protected.clone(),
                s.label.clone(),
                s.score.clone(),
                s.prediction.clone(),
                s.weight.clone(),
            )
        };
        if roles(self) != roles(&other) {
            return Err(InvalidParam::new(
                "from_stats",
                format!(
                    "statistics of the same columns as the first file ({:?})",
                    roles(self)
                ),
                format!("{:?}", roles(&other)),
            ));
        }
        for (k, n) in other.cells {
            self.cells.entry(k).or_default().add(n);
        }
        for (k, n) in other.rejected {
            let r = self.rejected.entry(k).or_insert(0);
            *r = r.saturating_add(n);
        }
        self.sources.extend(other.sources);
        Ok(())
    }
}

/// Cells in key order, the counts of equal keys added (in the order given): one sort instead
/// of a search per line.
pub(super) fn sorted_cells(
    mut entries: Vec<(StatsKey, StatsCount)>,
) -> BTreeMap<StatsKey, StatsCount> {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut merged: Vec<(StatsKey, StatsCount)> = Vec::with_capacity(entries.len());
    for (key, n) in entries {
        match merged.last_mut() {
            Some((k, c)) if *k == key => c.add(n),
            _ => merged.push((key, n)),
        }
    }
    merged.into_iter().collect()
}

impl Statistics {
    /// The rejections in one line, e.g. `out_of_range in "score": 3 rows`.
    pub fn rejection_text(&self) -> String {
        if self.rejected.is_empty() {
            return "none".to_string();
        }
        self.rejected
            .iter()
            .map(|((reason, column), rows)| {
                let col = column
                    .as_ref()
                    .map(|c| format!(" in \"{c}\""))
                    .unwrap_or_default();
                format!(
                    "{reason}{col}: {rows} row{}",
                    if *rows == 1 { "" } else { "s" }
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Applies a data file's rules on invalid rows to statistics (computed from rows read
    /// elsewhere, a database, or by `fairgate stats`): without `skip`, any rejected row is an error (as the first
    /// invalid value of a file is); with it, more than `max_rejected` (a share) is; and so
    /// are statistics without a usable row. `origin` names where the rows are.
    pub fn check_rejections(
        &self,
        origin: &str,
        skip: bool,
        max_rejected: f64,
    ) -> Result<(), AuditError> {
        use crate::data::DataError;
        if !(0.0..=1.0).contains(&max_rejected) {
            return Err(
                InvalidParam::new("max_rejected", "a share from 0 to 1", max_rejected).into(),
            );
        }
        let (used, rejected) = (self.rows_used(), self.rows_rejected());
        let read = used.saturating_add(rejected);
        if used == 0 {
            return Err(DataError::NoUsableRows {
                origin: origin.to_string(),
                read,
                reasons: self.rejection_text(),
            }
            .into());
        }
        if rejected > 0 && !skip {
            return Err(AuditError::Warehouse(format!(
                "{origin}: {rejected} of {read} rows are invalid ({}): with --on-invalid skip they are counted and left out, up to --max-rejected",
                self.rejection_text()
            )));
        }
        let share = rejected as f64 / read.max(1) as f64;
        if share > max_rejected {
            return Err(DataError::TooManyRejected {
                origin: origin.to_string(),
                rejected,
                read,
                share: share * 100.0,
                max: max_rejected,
                hint: String::new(),
                reasons: self.rejection_text(),
            }
            .into());
        }
        Ok(())
    }
}
