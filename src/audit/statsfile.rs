//! The audit's statistics file (docs/statistics.md): the sufficient statistics of an audit,
//! one line per (protected values, label, score, decision) with the count of rows (and with
//! weights their sum and sum of squares), the rows rejected by reason, and the roles of the
//! columns. Any engine that can `GROUP BY` can make it (`fairgate sql` prints the query); files
//! from shards are merged by adding the counts of equal keys; `audit_statistics`
//! (fromstats.rs) audits them and gives the audit of the rows themselves.
//!
//! A file is CSV with a header naming its columns (any order): `kind`, `name`, `column`,
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
use super::stats::{score_key, Count};
use super::AuditError;
use crate::file_error::FileError;
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

    /// Reads a statistics file. Errors name the file, line and column and say what was
    /// expected.
    pub fn read_csv(path: &std::path::Path) -> Result<Statistics, FileError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| FileError::read(&shown, e))?;
        let mut stats = Statistics::parse(&bytes, &shown)?;
        stats.sources = vec![StatsInput {
            path: shown,
            sha256: crate::text::sha256_hex(&bytes),
            made_by: std::mem::take(&mut stats.sources)
                .into_iter()
                .flat_map(|s| s.made_by)
                .collect(),
        }];
        Ok(stats)
    }

    /// Parses the bytes of a statistics file named `shown`.
    pub(super) fn parse(bytes: &[u8], shown: &str) -> Result<Statistics, FileError> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes);
        let bad =
            |line: usize, col: usize, msg: String| FileError::invalid_at(shown, line, col, msg);
        let header: Vec<String> = r
            .headers()
            .map_err(|e| FileError::invalid(shown, Some(1), e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let at = |name: &str| header.iter().position(|h| h == name);
        for required in ["kind", "name", "column", "rows"] {
            if at(required).is_none() {
                return Err(FileError::invalid(
                    shown,
                    Some(1),
                    format!(
                        "expected a statistics file with a header naming the columns {} (and g1, g2, ... for the protected values), found no \"{required}\"",
                        STATS_COLUMNS.join(", ")
                    ),
                ));
            }
        }
        let col = |name: &str| at(name);
        let mut version = None;
        let mut stats = Statistics::default();
        // Lines as they come; one stable sort (linear on a file already in key order, as
        // fairgate writes them) then adds the counts of equal keys.
        let mut cells: Vec<(StatsKey, StatsCount)> = Vec::new();
        let mut protected: BTreeMap<usize, String> = BTreeMap::new();
        let mut label = None;
        let mut lines: Vec<(usize, csv::StringRecord)> = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize);
                FileError::invalid(shown, line, format!("not CSV: {e}"))
            })?;
            let line = rec.position().map_or(0, |p| p.line() as usize);
            let field = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("");
            let column_no = |name: &str| col(name).map_or(1, |i| i + 1);
            match field("kind") {
                "version" => {
                    let v = field("name");
                    if v != STATS_VERSION.to_string() {
                        return Err(bad(
                            line,
                            column_no("name"),
                            format!("statistics version {v}; this fairgate reads version {STATS_VERSION}"),
                        ));
                    }
                    version = Some(());
                }
                "role" => {
                    let column = field("column").to_string();
                    let slot = match field("name") {
                        "label" => &mut label,
                        "score" => &mut stats.score,
                        "prediction" => &mut stats.prediction,
                        "weight" => &mut stats.weight,
                        "protected" => {
                            let pos: usize = field("rows").parse().ok().filter(|&p| p >= 1).ok_or_else(|| {
                                bad(line, column_no("rows"), format!("expected the protected column's position (1, 2, ...) in \"rows\", found \"{}\"", field("rows")))
                            })?;
                            if protected.insert(pos, column).is_some() {
                                return Err(bad(line, column_no("rows"), format!("protected position {pos} given twice")));
                            }
                            continue;
                        }
                        other => {
                            return Err(bad(
                                line,
                                column_no("name"),
                                format!("expected a role (label, score, prediction, weight, protected), found \"{other}\""),
                            ))
                        }
                    };
                    if slot.replace(column).is_some() {
                        return Err(bad(line, column_no("name"), format!("role {} given twice", field("name"))));
                    }
                }
                "source" => stats.sources.push(StatsInput {
                    path: String::new(),
                    sha256: String::new(),
                    made_by: vec![field("name").to_string()],
                }),
                "cell" | "rejected" => lines.push((line, rec)),
                other => {
                    return Err(bad(
                        line,
                        column_no("kind"),
                        format!("expected a kind (version, role, source, cell, rejected), found \"{other}\""),
                    ))
                }
            }
        }
        if version.is_none() {
            return Err(FileError::invalid(shown, None, format!("no version line: expected a line of kind \"version\" naming version {STATS_VERSION}")));
        }
        stats.label = label.ok_or_else(|| {
            FileError::invalid(
                shown,
                None,
                "no label role: expected a line `role,label,COLUMN`",
            )
        })?;
        if stats.score.is_none() && stats.prediction.is_none() {
            return Err(FileError::invalid(shown, None, "no score or prediction role: expected a line `role,score,COLUMN` or `role,prediction,COLUMN`"));
        }
        let k = protected.len();
        if k == 0 || protected.keys().copied().ne(1..=k) {
            return Err(FileError::invalid(
                shown,
                None,
                format!(
                    "the protected roles must be at positions 1 to {k}, found {:?}",
                    protected.keys().collect::<Vec<_>>()
                ),
            ));
        }
        stats.protected = protected.into_values().collect();
        let g: Vec<usize> = (1..=k)
            .map(|i| {
                col(&format!("g{i}")).ok_or_else(|| {
                    FileError::invalid(
                        shown,
                        Some(1),
                        format!(
                            "no column g{i} for the protected column \"{}\"",
                            stats.protected[i - 1]
                        ),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        for (line, rec) in lines {
            let field = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("");
            let column_no = |name: &str| col(name).map_or(1, |i| i + 1);
            let rows: u64 = field("rows")
                .parse()
                .ok()
                .filter(|&n| n > 0 && n <= MAX_ROWS)
                .ok_or_else(|| {
                    bad(
                        line,
                        column_no("rows"),
                        format!(
                            "expected a count of rows (1 to 2^53), found \"{}\"",
                            field("rows")
                        ),
                    )
                })?;
            if field("kind") == "rejected" {
                let column = Some(field("column").to_string()).filter(|c| !c.is_empty());
                let n = stats
                    .rejected
                    .entry((field("name").to_string(), column))
                    .or_insert(0);
                *n = n.saturating_add(rows);
                continue;
            }
            let flag = |name: &str| -> Result<Option<bool>, FileError> {
                match field(name) {
                    "" => Ok(None),
                    "0" => Ok(Some(false)),
                    "1" => Ok(Some(true)),
                    other => Err(bad(
                        line,
                        column_no(name),
                        format!("expected 0 or 1 in \"{name}\", found \"{other}\""),
                    )),
                }
            };
            let label = flag("label")?.ok_or_else(|| {
                bad(
                    line,
                    column_no("label"),
                    "expected 0 or 1 in \"label\", found nothing".into(),
                )
            })?;
            let prediction = flag("prediction")?;
            if stats.prediction.is_some() != prediction.is_some() {
                return Err(bad(line, column_no("prediction"), "a decision on every cell when the prediction role is given, and none otherwise".into()));
            }
            let score = match field("score") {
                "" => None,
                s => Some(
                    s.parse::<f64>()
                        .ok()
                        .filter(|x| (0.0..=1.0).contains(x))
                        .ok_or_else(|| {
                            bad(
                                line,
                                column_no("score"),
                                format!("expected a score in [0, 1], found \"{s}\""),
                            )
                        })?,
                ),
            };
            if stats.score.is_some() != score.is_some() {
                return Err(bad(
                    line,
                    column_no("score"),
                    "a score on every cell when the score role is given, and none otherwise".into(),
                ));
            }
            let number = |name: &str| -> Result<f64, FileError> {
                field(name).parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(|| {
                    bad(line, column_no(name), format!("expected a non-negative number in \"{name}\" (the data is weighted), found \"{}\"", field(name)))
                })
            };
            let weight = match stats.weight {
                Some(_) => Some(Count {
                    w: number("weight")?,
                    w2: number("weight2")?,
                }),
                None => None,
            };
            let values = g
                .iter()
                .map(|&i| Some(rec.get(i).unwrap_or("").to_string()).filter(|v| !v.is_empty()))
                .collect();
            let key = StatsKey {
                values,
                label,
                score: score.map(score_key),
                prediction,
            };
            cells.push((key, StatsCount { rows, weight }));
        }
        stats.cells = sorted_cells(cells);
        Ok(stats)
    }

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
