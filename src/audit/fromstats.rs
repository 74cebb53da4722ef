//! Audits of statistics ([`audit_statistics`]) and the statistics of a data file
//! ([`statistics_file`], [`Statistics::of_reader`]): the two ends of the statistics file of
//! [`super::statsfile`].

use std::collections::{BTreeMap, BTreeSet};

use super::engine::pack;
use super::output::{AuditColumns, AuditInput, StatsInput};
use super::segments::Auditor;
use super::stats::{score_key, Count};
use super::statsfile::{sorted_cells, Statistics, StatsCount, StatsKey, MAX_ROWS};
use super::{AuditError, AuditParams, AuditReport};
use crate::data::{Rejection, Role, TableReader, MISSING_CODE};
use crate::params::{Checked, InvalidParam};

impl Statistics {
    /// The statistics of a data stream (the same roles, validation and rejections as the
    /// audit of it), described as made from `source`.
    pub fn of_reader(mut reader: TableReader) -> Result<Statistics, AuditError> {
        use crate::data::ColumnValues as V;
        let cols = reader.schema().columns.clone();
        let find = |role: Role| cols.iter().position(|c| c.role == role);
        let label = find(Role::Label).ok_or(AuditError::MissingRole(Role::Label))?;
        let (score, prediction, weight) = (
            find(Role::Score),
            find(Role::Prediction),
            find(Role::Weight),
        );
        if score.is_none() && prediction.is_none() {
            return Err(AuditError::NoDecisions);
        }
        let protected: Vec<usize> = (0..cols.len())
            .filter(|&i| cols[i].role == Role::Protected)
            .collect();
        if protected.is_empty() {
            return Err(AuditError::MissingRole(Role::Protected));
        }
        type CodeKey = (Vec<u32>, bool, Option<u64>, Option<bool>);
        let mut counts: rustc_hash::FxHashMap<CodeKey, StatsCount> = Default::default();
        // Up to four codes below 65535 pack into one word: no allocation per row.
        type PackedKey = (u64, bool, Option<u64>, Option<bool>);
        let mut packed: rustc_hash::FxHashMap<PackedKey, StatsCount> = Default::default();
        while let Some(chunk) = reader.next_chunk()? {
            let c = &chunk.columns;
            let bools = |i: usize| match &c[i] {
                V::Boolean(v) => Some(v.as_slice()),
                _ => None,
            };
            let nums = |i: usize| match &c[i] {
                V::Numeric(v) => Some(v.as_slice()),
                _ => None,
            };
            let attrs: Vec<&[u32]> = protected
                .iter()
                .filter_map(|&i| match &c[i] {
                    V::Categorical(v) => Some(v.as_slice()),
                    _ => None,
                })
                .collect();
            let labels = bools(label).unwrap_or_default();
            let scores = score.and_then(nums);
            let predictions = prediction.and_then(bools);
            let weights = weight.and_then(nums);
            for r in 0..labels.len() {
                let (label, score, prediction) = (
                    labels[r] == Some(true),
                    scores.map(|s| score_key(s[r])),
                    predictions.map(|p| p[r] == Some(true)),
                );
                let w = weights.map(|w| Count {
                    w: w[r],
                    w2: w[r] * w[r],
                });
                let one = StatsCount { rows: 1, weight: w };
                match pack(attrs.len(), attrs.iter().map(|a| a[r])) {
                    Some(p) => packed
                        .entry((p, label, score, prediction))
                        .or_default()
                        .add(one),
                    None => counts
                        .entry((
                            attrs.iter().map(|a| a[r]).collect(),
                            label,
                            score,
                            prediction,
                        ))
                        .or_default()
                        .add(one),
                }
            }
        }
        let levels: Vec<Vec<String>> = protected
            .iter()
            .map(|&i| reader.levels(i).to_vec())
            .collect();
        let summary = reader.finish()?;
        let name = |i: Option<usize>| i.map(|i| cols[i].name.clone());
        let k = protected.len();
        let unpacked = packed
            .into_iter()
            .map(|((p, label, score, prediction), n)| {
                let codes: Vec<u32> = (0..k)
                    .map(|j| match (p >> (16 * j)) & 0xFFFF {
                        0 => MISSING_CODE,
                        v => v as u32 - 1,
                    })
                    .collect();
                ((codes, label, score, prediction), n)
            });
        let mut entries: Vec<(StatsKey, StatsCount)> = Vec::with_capacity(counts.len());
        for ((codes, label, score, prediction), n) in counts.into_iter().chain(unpacked) {
            let values = codes
                .iter()
                .zip(&levels)
                .map(|(&c, l)| {
                    (c != MISSING_CODE)
                        .then(|| l.get(c as usize).cloned())
                        .flatten()
                })
                .collect();
            let key = StatsKey {
                values,
                label,
                score,
                prediction,
            };
            entries.push((key, n));
        }
        let cells = sorted_cells(entries);
        let mut rejected = BTreeMap::new();
        for r in &summary.rejected {
            *rejected
                .entry((r.reason.clone(), r.column.clone()))
                .or_insert(0) += r.rows;
        }
        Ok(Statistics {
            protected: protected.iter().map(|&i| cols[i].name.clone()).collect(),
            label: cols[label].name.clone(),
            score: name(score),
            prediction: name(prediction),
            weight: name(weight),
            cells,
            rejected,
            sources: vec![StatsInput {
                path: String::new(),
                sha256: String::new(),
                made_by: vec![format!(
                    "fairgate {} stats of {} (sha256 {}, {} rows read)",
                    crate::version::VERSION,
                    summary.source,
                    summary.sha256,
                    summary.rows_read
                )],
            }],
        })
    }
}

/// The audit of statistics: the same audit as of the rows they count (byte for byte for
/// counts; with weights, up to the rounding of the weight sums, which is exact for integer or
/// dyadic weights). The bootstrap needs rows, so `params.bootstrap` must be 0.
pub fn audit_statistics(
    stats: &Statistics,
    params: &Checked<AuditParams>,
) -> Result<AuditReport, AuditError> {
    if params.bootstrap > 0 {
        return Err(InvalidParam::new(
            "bootstrap",
            "0 with statistics (the bootstrap resamples rows, which statistics do not hold; the analytic intervals work from them)",
            params.bootstrap.to_string(),
        )
        .into());
    }
    if stats.rows_used().saturating_add(stats.rows_rejected()) > MAX_ROWS {
        return Err(InvalidParam::new(
            "from_stats",
            "statistics of at most 2^53 rows (counts exact in floating point)",
            format!(
                "{} rows used and {} rejected",
                stats.rows_used(),
                stats.rows_rejected()
            ),
        )
        .into());
    }
    let k = stats.protected.len();
    let mut levels: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); k];
    for key in stats.cells.keys() {
        for (set, v) in levels.iter_mut().zip(&key.values) {
            if let Some(v) = v {
                set.insert(v.as_str());
            }
        }
    }
    if params.max_groups > 0 {
        // As a data file bounds them: each attribute's values, and each intersection's
        // product of its columns' values.
        let mut sets: Vec<Vec<usize>> = (0..k).map(|i| vec![i]).collect();
        sets.extend(params.intersections.iter().filter_map(|names| {
            names
                .iter()
                .map(|n| stats.protected.iter().position(|p| p == n))
                .collect::<Option<Vec<_>>>()
        }));
        for set in sets {
            let counts: Vec<usize> = set.iter().map(|&i| levels[i].len()).collect();
            let groups = counts
                .iter()
                .try_fold(1usize, |p, &n| p.checked_mul(n.max(1)))
                .unwrap_or(usize::MAX);
            if groups > params.max_groups {
                let names: Vec<&str> = set.iter().map(|&i| stats.protected[i].as_str()).collect();
                return Err(InvalidParam::new(
                    "max_groups",
                    format!(
                        "at most {} groups in \"{}\" (a protected column with more values is usually an identifier or free text)",
                        params.max_groups,
                        names.join(" x ")
                    ),
                    format!(
                        "{} ({})",
                        groups,
                        counts.iter().map(usize::to_string).collect::<Vec<_>>().join(" x ")
                    ),
                )
                .into());
            }
        }
    }
    let levels: Vec<Vec<String>> = levels
        .into_iter()
        .map(|s| s.into_iter().map(str::to_string).collect())
        .collect();
    if let Some(key) = stats.cells.keys().find(|key| key.values.len() != k) {
        return Err(AuditError::Internal(format!(
            "a statistics key with {} protected values for {k} protected columns",
            key.values.len()
        )));
    }
    let mut auditor = Auditor::new(&stats.protected, params)?;
    let mut codes = Vec::with_capacity(k);
    let mut last: Option<&Vec<Option<String>>> = None;
    for (key, n) in &stats.cells {
        // Cells come in key order: neighbours mostly share their values.
        if last != Some(&key.values) {
            codes.clear();
            for (v, l) in key.values.iter().zip(&levels) {
                codes.push(match v {
                    None => MISSING_CODE,
                    Some(v) => l.binary_search(v).map_or(MISSING_CODE, |i| i as u32),
                });
            }
            last = Some(&key.values);
        }
        auditor.add_counts(
            &codes,
            key.label,
            key.score.map(f64::from_bits),
            key.prediction,
            n.rows,
            n.weight,
        )?;
    }
    let attributes = auditor.finish(levels)?;
    let (used, rejected) = (stats.rows_used(), stats.rows_rejected());
    let input = AuditInput {
        path: stats
            .sources
            .iter()
            .map(|s| s.path.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        sha256: if stats.sources.len() == 1 {
            stats.sources[0].sha256.clone()
        } else {
            String::new()
        },
        rows_read: used + rejected,
        rows_used: used,
        rows_rejected: rejected,
        rows_filtered: 0,
        filter: None,
        rejected: stats
            .rejected
            .iter()
            .map(|((reason, column), rows)| Rejection {
                reason: reason.clone(),
                column: column.clone(),
                rows: *rows,
                first_line: 0,
            })
            .collect(),
        statistics: stats.sources.clone(),
    };
    let columns = AuditColumns {
        label: Some(stats.label.clone()),
        score: stats.score.clone(),
        prediction: stats.prediction.clone(),
        weight: stats.weight.clone(),
    };
    Ok(AuditReport::from_parts(input, columns, params, attributes))
}

/// The statistics of a data file (`-` reads standard input), streamed as
/// [`super::audit_file`] streams it, with the protected attributes' groups bounded by
/// `max_groups` (0: no bound).
pub fn statistics_file(
    path: &std::path::Path,
    spec: &crate::data::DataSpec,
    max_groups: usize,
) -> Result<Statistics, AuditError> {
    let mut reader = TableReader::from_path(
        path,
        spec,
        &crate::data::ReadOptions {
            chunk_rows: super::STREAM_CHUNK_ROWS,
            ..crate::data::ReadOptions::default()
        },
    )?;
    if max_groups > 0 {
        reader.limit_groups(max_groups, &[]);
    }
    Statistics::of_reader(reader)
}
