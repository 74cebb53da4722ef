//! Reading statistics files (docs/statistics.md): CSV or Parquet, one file or a folder of
//! parts, as Spark and other engines write a table (`part-00000-....parquet`; names that
//! begin with `.` or `_`, such as `_SUCCESS` and checksums, are not parts). A folder's parts
//! are one table: its version and role lines may be in any part. Parquet values are read as
//! the text a CSV export would hold (a null is empty), so both formats follow one set of
//! rules. Errors name the file, and its line and column (CSV) or row, row group and column
//! (Parquet), and say what was expected.

use std::collections::BTreeMap;
use std::path::Path;

use super::output::StatsInput;
use super::stats::{score_key, Count};
use super::statsfile::{
    sorted_cells, Statistics, StatsCount, StatsKey, MAX_ROWS, STATS_COLUMNS, STATS_VERSION,
};
use crate::data::{read_parquet_text, DataError, ParquetText};
use crate::file_error::FileError;

/// One file of a statistics table.
struct Part {
    /// The file, as shown in messages.
    shown: String,
    header: Vec<String>,
    /// Each line with its number as in a CSV file (the header is line 1).
    lines: Vec<(usize, csv::StringRecord)>,
    /// A Parquet file's row groups, for positions (its rows moved to `lines`).
    parquet: Option<ParquetText>,
    sha256: String,
}

impl Part {
    /// A CSV statistics file's bytes.
    fn csv(bytes: &[u8], shown: &str) -> Result<Part, FileError> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes);
        let header = r
            .headers()
            .map_err(|e| FileError::invalid(shown, Some(1), e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut lines = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize);
                FileError::invalid(shown, line, format!("not CSV: {e}"))
            })?;
            lines.push((rec.position().map_or(0, |p| p.line() as usize), rec));
        }
        Ok(Part {
            shown: shown.to_string(),
            header,
            lines,
            parquet: None,
            sha256: crate::text::sha256_hex(bytes),
        })
    }

    /// A file, CSV or Parquet (by its first bytes, as data files are told apart).
    fn read(path: &Path, shown: &str) -> Result<Part, FileError> {
        if !crate::data::is_parquet(path) {
            let bytes = std::fs::read(path).map_err(|e| FileError::read(shown, e))?;
            return Part::csv(&bytes, shown);
        }
        let mut table = read_parquet_text(path, shown).map_err(|e| match e {
            DataError::File(f) => f,
            DataError::Parquet { origin, message } => FileError::invalid(origin, None, message),
            other => FileError::invalid(shown, None, other.to_string()),
        })?;
        let lines = std::mem::take(&mut table.rows)
            .into_iter()
            .enumerate()
            .map(|(i, row)| (i + 2, csv::StringRecord::from(row)))
            .collect();
        Ok(Part {
            shown: shown.to_string(),
            header: std::mem::take(&mut table.header),
            lines,
            sha256: table.sha256.clone(),
            parquet: Some(table),
        })
    }

    /// The index of the column `name`.
    fn at(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// A problem in the header (a CSV file's line 1, a Parquet file's schema).
    fn header_error(&self, message: String) -> FileError {
        let line = self.parquet.is_none().then_some(1);
        FileError::invalid(&self.shown, line, message)
    }

    /// A problem at `line` in the column `name` (the first column when there is none).
    fn bad(&self, line: usize, name: &str, message: String) -> FileError {
        let field = self.at(name).unwrap_or(0);
        match &self.parquet {
            None => FileError::invalid_at(&self.shown, line, field + 1, message),
            Some(t) => FileError::invalid(
                &self.shown,
                None,
                format!(
                    "{}: {message}",
                    t.position(line as u64, Some(field)).place()
                ),
            ),
        }
    }
}

/// One line of a part: the part's index, the line's number and its fields.
type Line = (usize, usize, csv::StringRecord);

impl Statistics {
    /// Reads a statistics file (CSV or Parquet) or a folder of parts (see the module docs).
    /// The input it records is the file with its SHA-256, or the folder with the SHA-256 of
    /// its parts' listing as `sha256sum` prints it (`<sha256>  <name>` and a newline per
    /// part, in name order).
    pub fn read(path: &Path) -> Result<Statistics, FileError> {
        let shown = path.display().to_string();
        let (parts, sha256) = if path.is_dir() {
            let names = part_names(path).map_err(|e| FileError::read(&shown, e))?;
            if names.is_empty() {
                return Err(FileError::invalid(
                    &shown,
                    None,
                    "a folder with no statistics file in it (parts are the files whose names do not begin with `.` or `_`)",
                ));
            }
            let mut parts = Vec::with_capacity(names.len());
            let mut listing = String::new();
            for name in names {
                let part = Part::read(&path.join(&name), &format!("{shown}/{name}"))?;
                listing.push_str(&format!("{}  {name}\n", part.sha256));
                parts.push(part);
            }
            (parts, crate::text::sha256_hex(listing.as_bytes()))
        } else {
            let part = Part::read(path, &shown)?;
            let sha256 = part.sha256.clone();
            (vec![part], sha256)
        };
        let mut stats = from_parts(&parts, &shown)?;
        stats.sources = vec![StatsInput {
            path: shown,
            sha256,
            made_by: std::mem::take(&mut stats.sources)
                .into_iter()
                .flat_map(|s| s.made_by)
                .collect(),
        }];
        Ok(stats)
    }

    /// Parses the bytes of a CSV statistics file named `shown`.
    pub(super) fn parse(bytes: &[u8], shown: &str) -> Result<Statistics, FileError> {
        from_parts(&[Part::csv(bytes, shown)?], shown)
    }
}

/// The names of a folder's parts, in byte order.
fn part_names(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.starts_with(['.', '_']) && entry.path().is_file() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The statistics of a table made of `parts` (one for a file), shown as `shown`.
fn from_parts(parts: &[Part], shown: &str) -> Result<Statistics, FileError> {
    for part in parts {
        for required in ["kind", "name", "column", "rows"] {
            if part.at(required).is_none() {
                return Err(part.header_error(format!(
                    "expected a statistics file with a header naming the columns {} (and g1, g2, ... for the protected values), found no \"{required}\"",
                    STATS_COLUMNS.join(", ")
                )));
            }
        }
    }
    let mut version = None;
    let mut stats = Statistics::default();
    let mut protected: BTreeMap<usize, String> = BTreeMap::new();
    let mut label = None;
    let mut lines: Vec<Line> = Vec::new();
    for (p, part) in parts.iter().enumerate() {
        for (line, rec) in &part.lines {
            let line = *line;
            let field = |name: &str| part.at(name).and_then(|i| rec.get(i)).unwrap_or("");
            let bad = |name: &str, message: String| part.bad(line, name, message);
            match field("kind") {
                "version" => {
                    let v = field("name");
                    if v != STATS_VERSION.to_string() {
                        return Err(bad(
                            "name",
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
                                bad("rows", format!("expected the protected column's position (1, 2, ...) in \"rows\", found \"{}\"", field("rows")))
                            })?;
                            if protected.insert(pos, column).is_some() {
                                return Err(bad("rows", format!("protected position {pos} given twice")));
                            }
                            continue;
                        }
                        other => {
                            return Err(bad(
                                "name",
                                format!("expected a role (label, score, prediction, weight, protected), found \"{other}\""),
                            ))
                        }
                    };
                    if slot.replace(column).is_some() {
                        return Err(bad("name", format!("role {} given twice", field("name"))));
                    }
                }
                "source" => stats.sources.push(StatsInput {
                    path: String::new(),
                    sha256: String::new(),
                    made_by: vec![field("name").to_string()],
                }),
                "cell" | "rejected" => lines.push((p, line, rec.clone())),
                other => {
                    return Err(bad(
                        "kind",
                        format!("expected a kind (version, role, source, cell, rejected), found \"{other}\""),
                    ))
                }
            }
        }
    }
    if version.is_none() {
        return Err(FileError::invalid(
            shown,
            None,
            format!("no version line: expected a line of kind \"version\" naming version {STATS_VERSION}"),
        ));
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
    // Each part's columns of the protected values.
    let mut g: Vec<Option<Vec<usize>>> = vec![None; parts.len()];
    let mut cells: Vec<(StatsKey, StatsCount)> = Vec::new();
    for (p, line, rec) in lines {
        let part = &parts[p];
        if g[p].is_none() {
            g[p] = Some(
                (1..=k)
                    .map(|i| {
                        part.at(&format!("g{i}")).ok_or_else(|| {
                            part.header_error(format!(
                                "no column g{i} for the protected column \"{}\"",
                                stats.protected[i - 1]
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?,
            );
        }
        let g = g[p].as_deref().unwrap_or_default();
        let field = |name: &str| part.at(name).and_then(|i| rec.get(i)).unwrap_or("");
        let bad = |name: &str, message: String| part.bad(line, name, message);
        let rows: u64 = field("rows")
            .parse()
            .ok()
            .filter(|&n| n > 0 && n <= MAX_ROWS)
            .ok_or_else(|| {
                bad(
                    "rows",
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
                    name,
                    format!("expected 0 or 1 in \"{name}\", found \"{other}\""),
                )),
            }
        };
        let label = flag("label")?.ok_or_else(|| {
            bad(
                "label",
                "expected 0 or 1 in \"label\", found nothing".into(),
            )
        })?;
        let prediction = flag("prediction")?;
        if stats.prediction.is_some() != prediction.is_some() {
            return Err(bad(
                "prediction",
                "a decision on every cell when the prediction role is given, and none otherwise"
                    .into(),
            ));
        }
        let score = match field("score") {
            "" => None,
            s => Some(
                s.parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..=1.0).contains(x))
                    .ok_or_else(|| {
                        bad(
                            "score",
                            format!("expected a score in [0, 1], found \"{s}\""),
                        )
                    })?,
            ),
        };
        if stats.score.is_some() != score.is_some() {
            return Err(bad(
                "score",
                "a score on every cell when the score role is given, and none otherwise".into(),
            ));
        }
        let number = |name: &str| -> Result<f64, FileError> {
            field(name).parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(|| {
                bad(name, format!("expected a non-negative number in \"{name}\" (the data is weighted), found \"{}\"", field(name)))
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
