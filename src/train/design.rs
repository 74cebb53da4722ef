//! Feature preparation: the fitted transform from loaded feature columns to the design matrix
//! a model is fitted on. It is part of the model artifact, so scoring applies exactly the
//! transform that training fitted.
//!
//! - A numeric (or boolean, read as 1/0) feature: a missing value is replaced by the fill
//!   value (the training mean or median, or zero, as `--missing-numeric` says), then
//!   standardised: `(x − mean) / scale`, where mean and scale (the population standard
//!   deviation, 1 when it is 0, as scikit-learn's `StandardScaler`) come from the training
//!   rows after filling.
//! - A categorical feature: one 0/1 column per level seen in the training rows, levels in
//!   sorted order (a missing value is the level `(missing)`). A value not seen in training
//!   falls in the unseen bucket: every one of the feature's columns is 0, as with
//!   scikit-learn's `OneHotEncoder(handle_unknown="ignore")`. Such values are counted.

use std::collections::BTreeSet;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::TrainError;
use crate::data::{ColumnValues, MissingNumeric, MISSING_CODE};

/// The level a missing categorical value becomes.
pub const MISSING_LEVEL: &str = "(missing)";

/// One feature column as loaded: its name, values and (for a categorical one) levels.
#[derive(Clone, Copy, Debug)]
pub struct FeatureColumn<'a> {
    /// Header name.
    pub name: &'a str,
    /// Values of the rows.
    pub values: &'a ColumnValues,
    /// Levels the codes of a categorical column point into.
    pub levels: &'a [String],
}

/// The fitted encoding of one feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureEncoding {
    /// Filled and standardised.
    Numeric {
        /// Column name.
        name: String,
        /// The training mean after filling.
        mean: f64,
        /// The training standard deviation after filling (1 when it is 0).
        scale: f64,
        /// The value a missing entry becomes.
        fill: f64,
        /// Whether the column holds booleans (read as 1 and 0).
        #[serde(default)]
        boolean: bool,
        /// Whether every training value is a whole number (a count, a number of days): its
        /// counterfactuals are whole numbers. Absent (false) in model files from before it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        integer: bool,
        /// The smallest training value (after filling).
        min: f64,
        /// The largest training value (after filling).
        max: f64,
    },
    /// One-hot over the training levels.
    Categorical {
        /// Column name.
        name: String,
        /// Levels seen in training, sorted; each is one design column.
        levels: Vec<String>,
    },
}

impl FeatureEncoding {
    /// The feature's column name.
    pub fn name(&self) -> &str {
        match self {
            FeatureEncoding::Numeric { name, .. } | FeatureEncoding::Categorical { name, .. } => {
                name
            }
        }
    }

    /// Number of design columns.
    pub fn width(&self) -> usize {
        match self {
            FeatureEncoding::Numeric { .. } => 1,
            FeatureEncoding::Categorical { levels, .. } => levels.len(),
        }
    }
}

/// The fitted transform of every feature, in design column order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Encoder {
    /// Each feature's encoding.
    pub features: Vec<FeatureEncoding>,
    /// The rule for missing numeric values.
    pub missing_numeric: MissingNumeric,
}

/// A design matrix and what the transform noticed.
#[derive(Debug)]
pub struct Design {
    /// Rows x design columns.
    pub x: Array2<f64>,
    /// Per feature, the rows whose categorical value was not seen in training.
    pub unseen: Vec<u64>,
}

impl Encoder {
    /// Fits the transform on the given rows (all rows when `rows` is `None`). A categorical
    /// feature with more than `max_levels` training levels is an error.
    pub fn fit(
        columns: &[FeatureColumn<'_>],
        rows: Option<&[usize]>,
        missing_numeric: MissingNumeric,
        max_levels: usize,
    ) -> Result<Encoder, TrainError> {
        // Features are independent: fitted on the cores side by side, kept in order.
        let features = crate::par::par_map(columns.len(), |f| {
            let col = &columns[f];
            let n = len(col.values);
            let pick = |f: &mut dyn FnMut(usize)| match rows {
                Some(r) => r.iter().for_each(|&i| f(i)),
                None => (0..n).for_each(f),
            };
            let encoding = match col.values {
                ColumnValues::Numeric(_) | ColumnValues::Boolean(_) => {
                    let mut present = Vec::new();
                    let mut missing = 0usize;
                    pick(&mut |i| match number(col.values, i) {
                        Some(v) => present.push(v),
                        None => missing += 1,
                    });
                    if present.is_empty() {
                        return Err(TrainError::Feature(format!(
                            "feature \"{}\" has no value in the training rows; drop it with --exclude {}",
                            col.name, col.name
                        )));
                    }
                    let fill = match missing_numeric {
                        MissingNumeric::Mean | MissingNumeric::Reject => mean(&present),
                        MissingNumeric::Median => median(&mut present.clone()),
                        MissingNumeric::Zero => 0.0,
                    };
                    let total = (present.len() + missing) as f64;
                    let m = (present.iter().sum::<f64>() + fill * missing as f64) / total;
                    let var = (present.iter().map(|v| (v - m) * (v - m)).sum::<f64>()
                        + (fill - m) * (fill - m) * missing as f64)
                        / total;
                    let sd = var.sqrt();
                    let (lo, hi) = present
                        .iter()
                        .chain((missing > 0).then_some(&fill))
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                            (a.min(*v), b.max(*v))
                        });
                    FeatureEncoding::Numeric {
                        min: lo,
                        max: hi,
                        name: col.name.to_string(),
                        mean: m,
                        scale: if sd > 0.0 { sd } else { 1.0 },
                        fill,
                        boolean: matches!(col.values, ColumnValues::Boolean(_)),
                        integer: matches!(col.values, ColumnValues::Numeric(_))
                            && present.iter().all(|v| v.fract() == 0.0),
                    }
                }
                ColumnValues::Categorical(codes) => {
                    let mut seen = BTreeSet::new();
                    pick(&mut |i| {
                        seen.insert(level(codes[i], col.levels));
                    });
                    if seen.len() > max_levels {
                        return Err(TrainError::Feature(format!(
                            "feature \"{}\" has {} distinct values in the training rows, more than --max-levels {max_levels}; it is probably an identifier or free text: drop it with --exclude {}, or raise --max-levels",
                            col.name,
                            seen.len(),
                            col.name
                        )));
                    }
                    FeatureEncoding::Categorical {
                        name: col.name.to_string(),
                        levels: seen.into_iter().map(str::to_string).collect(),
                    }
                }
                ColumnValues::Text(_) => {
                    return Err(TrainError::Feature(format!(
                        "column \"{}\" is text and cannot be a feature",
                        col.name
                    )))
                }
            };
            Ok(encoding)
        })
        .into_iter()
        .collect::<Result<Vec<_>, TrainError>>()?;
        Ok(Encoder {
            features,
            missing_numeric,
        })
    }

    /// The design column names: a numeric feature's name, or `name=level`.
    pub fn column_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for f in &self.features {
            match f {
                FeatureEncoding::Numeric { name, .. } => out.push(name.clone()),
                FeatureEncoding::Categorical { name, levels } => {
                    out.extend(levels.iter().map(|l| format!("{name}={l}")))
                }
            }
        }
        out
    }

    /// Number of design columns.
    pub fn width(&self) -> usize {
        self.features.iter().map(FeatureEncoding::width).sum()
    }

    /// The design for the given rows (all when `None`). `columns` are the features in the
    /// encoder's order; a column of the wrong kind is an error naming it. Rows are filled a
    /// block at a time (every feature of a block before the next block), the blocks shared
    /// among the cores; each value depends on its own cell only, so the design is the same
    /// whatever the thread count.
    pub fn transform(
        &self,
        columns: &[FeatureColumn<'_>],
        rows: Option<&[usize]>,
    ) -> Result<Design, TrainError> {
        if columns.len() != self.features.len() {
            return Err(TrainError::Shape(format!(
                "{} feature columns given, the model has {}",
                columns.len(),
                self.features.len()
            )));
        }
        let n = match rows {
            Some(r) => r.len(),
            None => columns.first().map_or(0, |c| len(c.values)),
        };
        let fills = self
            .features
            .iter()
            .zip(columns)
            .enumerate()
            .map(|(f, (enc, col))| Fill::of(f, enc, col))
            .collect::<Result<Vec<_>, _>>()?;
        let width = self.width();
        let mut x = Array2::<f64>::zeros((n, width));
        let mut unseen = vec![0u64; self.features.len()];
        if let (Some(cells), true) = (x.as_slice_mut(), width > 0) {
            let threads = std::thread::available_parallelism()
                .map_or(1, std::num::NonZeroUsize::get)
                .clamp(1, n.div_ceil(TRANSFORM_BLOCK).max(1));
            let per = n.div_ceil(threads).max(1);
            let counts: Vec<Vec<u64>> = std::thread::scope(|scope| {
                let handles: Vec<_> = cells
                    .chunks_mut(per * width)
                    .enumerate()
                    .map(|(part, cells)| {
                        let fills = &fills;
                        scope.spawn(move || fill_rows(fills, rows, part * per, cells, width))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            });
            for part in counts {
                unseen.iter_mut().zip(part).for_each(|(u, c)| *u += c);
            }
        }
        Ok(Design { x, unseen })
    }
}

/// Rows per block of [`Encoder::transform`]: a block's design rows stay in cache while every
/// feature writes its column of them.
const TRANSFORM_BLOCK: usize = 256;

/// How one feature fills its design columns.
enum Fill<'a> {
    /// `(v - mean) / scale`, a missing value (NaN) taken as `fill`.
    Numeric {
        values: &'a [f64],
        mean: f64,
        scale: f64,
        fill: f64,
    },
    /// The same with true as 1 and false as 0.
    Boolean {
        values: &'a [Option<bool>],
        mean: f64,
        scale: f64,
        fill: f64,
    },
    /// A 1 in the column of the row's level; none for a level not seen in training.
    Categorical {
        codes: &'a [u32],
        /// The column's level codes to design offsets.
        offset: Vec<Option<usize>>,
        /// The offset of the missing level, when training saw it.
        missing: Option<usize>,
        /// The design columns (training levels).
        width: usize,
    },
}

impl<'a> Fill<'a> {
    /// The fill of feature `f` (0-based) from its encoding and the given column; an error
    /// when the column's name or kind is not the encoding's.
    fn of(
        f: usize,
        enc: &FeatureEncoding,
        col: &FeatureColumn<'a>,
    ) -> Result<Fill<'a>, TrainError> {
        if enc.name() != col.name {
            return Err(TrainError::Shape(format!(
                "feature {} is \"{}\" in the model but \"{}\" was given",
                f + 1,
                enc.name(),
                col.name
            )));
        }
        Ok(match (enc, col.values) {
            (
                FeatureEncoding::Numeric {
                    mean, scale, fill, ..
                },
                ColumnValues::Numeric(values),
            ) => Fill::Numeric {
                values,
                mean: *mean,
                scale: *scale,
                fill: *fill,
            },
            (
                FeatureEncoding::Numeric {
                    mean, scale, fill, ..
                },
                ColumnValues::Boolean(values),
            ) => Fill::Boolean {
                values,
                mean: *mean,
                scale: *scale,
                fill: *fill,
            },
            (FeatureEncoding::Categorical { levels, .. }, ColumnValues::Categorical(codes)) => {
                Fill::Categorical {
                    codes,
                    offset: col
                        .levels
                        .iter()
                        .map(|l| levels.binary_search(l).ok())
                        .collect(),
                    missing: levels
                        .binary_search_by(|l| l.as_str().cmp(MISSING_LEVEL))
                        .ok(),
                    width: levels.len(),
                }
            }
            (enc, _) => {
                let want = match enc {
                    FeatureEncoding::Numeric { .. } => "numeric",
                    FeatureEncoding::Categorical { .. } => "categorical",
                };
                return Err(TrainError::Feature(format!(
                    "feature \"{}\" was {want} when the model was trained, but its values here are not",
                    col.name
                )));
            }
        })
    }
}

/// Fills design rows `first..` (as many as `cells` holds, `width` cells each) a block at a
/// time; returns per feature the rows whose level was not seen in training.
fn fill_rows(
    fills: &[Fill<'_>],
    rows: Option<&[usize]>,
    first: usize,
    cells: &mut [f64],
    width: usize,
) -> Vec<u64> {
    let mut unseen = vec![0u64; fills.len()];
    let row = |k: usize| rows.map_or(k, |r| r[k]);
    for (b, block) in cells.chunks_mut(TRANSFORM_BLOCK * width).enumerate() {
        let start = first + b * TRANSFORM_BLOCK;
        let mut at = 0;
        for (f, fill) in fills.iter().enumerate() {
            let lines = block.chunks_exact_mut(width).enumerate();
            match fill {
                Fill::Numeric {
                    values,
                    mean,
                    scale,
                    fill,
                    ..
                } => {
                    for (k, line) in lines {
                        let v = values[row(start + k)];
                        let v = if v.is_nan() { *fill } else { v };
                        line[at] = (v - mean) / scale;
                    }
                    at += 1;
                }
                Fill::Boolean {
                    values,
                    mean,
                    scale,
                    fill,
                    ..
                } => {
                    for (k, line) in lines {
                        let v = values[row(start + k)].map_or(*fill, |b| if b { 1.0 } else { 0.0 });
                        line[at] = (v - mean) / scale;
                    }
                    at += 1;
                }
                Fill::Categorical {
                    codes,
                    offset,
                    missing,
                    width: levels,
                } => {
                    for (k, line) in lines {
                        let code = codes[row(start + k)];
                        let slot = if code == MISSING_CODE {
                            *missing
                        } else {
                            offset.get(code as usize).copied().flatten()
                        };
                        match slot {
                            Some(j) => line[at + j] = 1.0,
                            None => unseen[f] += 1,
                        }
                    }
                    at += levels;
                }
            }
        }
    }
    unseen
}

fn len(values: &ColumnValues) -> usize {
    values.len()
}

/// A numeric or boolean value as a number; `None` when missing.
fn number(values: &ColumnValues, i: usize) -> Option<f64> {
    match values {
        ColumnValues::Numeric(v) => Some(v[i]).filter(|x| !x.is_nan()),
        ColumnValues::Boolean(v) => v[i].map(|b| if b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn level(code: u32, levels: &[String]) -> &str {
    if code == MISSING_CODE {
        MISSING_LEVEL
    } else {
        levels
            .get(code as usize)
            .map_or(MISSING_LEVEL, String::as_str)
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The median (mean of the middle two for an even count), as numpy's.
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_on_training_rows_and_buckets_unseen_levels() -> Result<(), TrainError> {
        let num = ColumnValues::Numeric(vec![1.0, f64::NAN, 3.0, 100.0]);
        let cat = ColumnValues::Categorical(vec![1, 0, MISSING_CODE, 2]);
        let levels = vec!["b".to_string(), "a".to_string(), "c".to_string()];
        let cols = [
            FeatureColumn {
                name: "n",
                values: &num,
                levels: &[],
            },
            FeatureColumn {
                name: "g",
                values: &cat,
                levels: &levels,
            },
        ];
        // Train on the first three rows only: row 3 (100, "c") is unseen data.
        let enc = Encoder::fit(&cols, Some(&[0, 1, 2]), MissingNumeric::Mean, 10)?;
        assert_eq!(enc.column_names(), ["n", "g=(missing)", "g=a", "g=b"]);
        let d = enc.transform(&cols, None)?;
        // Fill 2 (mean of 1 and 3); after filling the values are 1, 2, 3: mean 2, sd sqrt(2/3).
        let sd = (2.0f64 / 3.0).sqrt();
        assert!((d.x[[0, 0]] + 1.0 / sd).abs() < 1e-12);
        assert_eq!(d.x[[1, 0]], 0.0);
        assert!((d.x[[3, 0]] - 98.0 / sd).abs() < 1e-9);
        assert_eq!(d.x.row(0).to_vec()[1..], [0.0, 1.0, 0.0]);
        assert_eq!(d.x.row(2).to_vec()[1..], [1.0, 0.0, 0.0]);
        assert_eq!(d.x.row(3).to_vec()[1..], [0.0, 0.0, 0.0]);
        assert_eq!(d.unseen, [0, 1]);
        Ok(())
    }

    #[test]
    fn too_many_levels_and_wrong_kinds_are_errors() {
        let cat = ColumnValues::Categorical(vec![0, 1, 2]);
        let levels = vec!["x".to_string(), "y".to_string(), "z".to_string()];
        let col = FeatureColumn {
            name: "id_like",
            values: &cat,
            levels: &levels,
        };
        let err = Encoder::fit(&[col], None, MissingNumeric::Mean, 2).err();
        assert!(err.is_some_and(|e| e.to_string().contains("--max-levels")));
        let num = ColumnValues::Numeric(vec![1.0, 2.0, 3.0]);
        let ncol = FeatureColumn {
            name: "id_like",
            values: &num,
            levels: &[],
        };
        let enc = Encoder::fit(&[ncol], None, MissingNumeric::Zero, 2);
        let changed = enc.and_then(|e| e.transform(&[col], None));
        assert!(changed.is_err_and(|e| e.to_string().contains("was numeric")));
    }

    /// The design cell by cell from the encodings' definitions: the reference the blocked,
    /// threaded transform must equal bit for bit.
    fn cell_by_cell(enc: &Encoder, cols: &[FeatureColumn<'_>], rows: &[usize]) -> Array2<f64> {
        let mut x = Array2::zeros((rows.len(), enc.width()));
        let mut at = 0;
        for (e, col) in enc.features.iter().zip(cols) {
            for (k, &i) in rows.iter().enumerate() {
                match e {
                    FeatureEncoding::Numeric {
                        mean, scale, fill, ..
                    } => x[[k, at]] = (number(col.values, i).unwrap_or(*fill) - mean) / scale,
                    FeatureEncoding::Categorical { levels, .. } => {
                        let ColumnValues::Categorical(codes) = col.values else {
                            panic!("not categorical")
                        };
                        let name = level(codes[i], col.levels);
                        if let Ok(j) = levels.binary_search_by(|l| l.as_str().cmp(name)) {
                            x[[k, at + j]] = 1.0;
                        }
                    }
                }
            }
            at += e.width();
        }
        x
    }

    #[test]
    fn blocked_transform_equals_the_cell_by_cell_design() -> Result<(), TrainError> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        // More rows than a block and than a thread's share, not a multiple of either.
        let n = 3 * TRANSFORM_BLOCK * 4 + 37;
        let num = ColumnValues::Numeric(
            (0..n)
                .map(|_| match rng.gen_range(0..10) {
                    0 => f64::NAN,
                    _ => rng.gen_range(-50.0..50.0),
                })
                .collect(),
        );
        let flag = ColumnValues::Boolean(
            (0..n)
                .map(|_| match rng.gen_range(0..5) {
                    0 => None,
                    k => Some(k % 2 == 0),
                })
                .collect(),
        );
        let cat = ColumnValues::Categorical(
            (0..n)
                .map(|_| match rng.gen_range(0..8) {
                    0 => MISSING_CODE,
                    k => k % 4,
                })
                .collect(),
        );
        let levels: Vec<String> = ["d", "b", "a", "c"].map(String::from).to_vec();
        let cols = [
            FeatureColumn {
                name: "n",
                values: &num,
                levels: &[],
            },
            FeatureColumn {
                name: "g",
                values: &cat,
                levels: &levels,
            },
            FeatureColumn {
                name: "f",
                values: &flag,
                levels: &[],
            },
        ];
        // Training rows without level "c" (code 3): it is unseen in the rest.
        let train: Vec<usize> = (0..n)
            .filter(|&i| matches!(&cat, ColumnValues::Categorical(c) if c[i] != 3))
            .filter(|i| i % 3 != 0)
            .collect();
        for missing in [
            MissingNumeric::Mean,
            MissingNumeric::Median,
            MissingNumeric::Zero,
        ] {
            let enc = Encoder::fit(&cols, Some(&train), missing, 10)?;
            let all: Vec<usize> = (0..n).collect();
            for rows in [&train[..], &all[..], &all[5..6], &[]] {
                let d = enc.transform(&cols, Some(rows))?;
                let want = cell_by_cell(&enc, &cols, rows);
                assert_eq!(d.x.dim(), want.dim());
                assert!(d
                    .x
                    .iter()
                    .zip(&want)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
                let unseen = rows
                    .iter()
                    .filter(|&&i| matches!(&cat, ColumnValues::Categorical(c) if c[i] == 3))
                    .count() as u64;
                assert_eq!(d.unseen, [0, unseen, 0]);
            }
            let d = enc.transform(&cols, None)?;
            assert_eq!(d.x, cell_by_cell(&enc, &cols, &all));
        }
        Ok(())
    }
}
