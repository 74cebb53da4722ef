//! Segments and their accumulation: every protected attribute is a segmentation of the rows
//! into groups (its values, plus `unknown` for rows without one), and so is every requested
//! intersection (every combination of its columns' values). [`Auditor`] adds rows chunk by
//! chunk into one [`SegmentStats`] per group and, at the end, turns them into metrics,
//! reference groups, disparate impact and summaries.

use super::key;
use std::collections::BTreeMap;

use super::accum::{with_grids, Acc};
use super::bootstrap::{percentile, Bootstrap, BATCH};
use super::calibration::{median, reliability};
use super::curves::{roc, score_distribution};
use super::engine::{block_sinks, pack, BlockCells, BlockLayout};
use super::grid::GridCounts;
use super::groups::{AttributeAudit, GroupAudit, Rows};
use super::inference::{holm, newcombe, selection_test, theil};
use super::interval::z_for;
use super::metrics::{count_metrics, metrics_and_bins, segment_metrics, MetricContext};
use super::scorelog::ScoreLogs;
use super::stats::{CellTally, Count, SegmentStats};
use super::summary::{disparate_impact, summarize};
use super::{AuditError, AuditParams, MetricValue, UNKNOWN_GROUP};
use rustc_hash::FxHashMap;

use std::borrow::Cow;

use crate::data::{Folded, Role, SinkFactory, MISSING_CODE};
use crate::params::{Checked, InvalidParam};

/// A segmentation: the protected columns (positions) whose value combinations are its groups.
struct Segmentation {
    columns: Vec<usize>,
}

/// Accumulates rows into per-group statistics. See the module docs.
///
/// Rows are accumulated once, into the cell of the finest partition (the combination of every
/// protected attribute's code); every group of every segmentation is a union of cells and is
/// built from them at the end. So the cost per row does not grow with the number of
/// segmentations.
pub struct Auditor {
    params: AuditParams,
    names: Vec<String>,
    segs: Vec<Segmentation>,
    cell_index: FxHashMap<Vec<u32>, usize>,
    /// The same cells by packed key (see [`Auditor::add`]).
    packed_index: FxHashMap<u64, usize>,
    cells: Vec<(Vec<u32>, Acc)>,
    boot: Option<Bootstrap>,
    rows: u64,
    weighted: bool,
    /// The unit every weight is divided by ([`weight_unit_of`] the first positive weight): 1
    /// for ordinary weights, a power of two for extreme ones, so that the audit does not
    /// depend on the weights' scale (weights of 1e155 would overflow the sums of squares,
    /// weights of 1e-170 underflow them). Dividing by a power of two is exact, so every ratio
    /// is the one of the weights as given, however the rows are split. Reported weight sums
    /// are multiplied back.
    weight_unit: Option<f64>,
    /// Cells with a grid of counts (at most [`MAX_GRID_CELLS`]).
    grid_cells: usize,
}

/// The most cells of the whole sample that keep a grid of counts (160 KB each).
const MAX_GRID_CELLS: usize = 64;

impl Auditor {
    /// An auditor for the protected attributes `names` (in the order rows will give them) and
    /// the intersections in `params`.
    pub fn new(names: &[String], params: &Checked<AuditParams>) -> Result<Auditor, AuditError> {
        if names.is_empty() {
            return Err(AuditError::MissingRole(Role::Protected));
        }
        let mut segs: Vec<Segmentation> = (0..names.len())
            .map(|i| Segmentation { columns: vec![i] })
            .collect();
        for inter in &params.intersections {
            let mut columns = Vec::new();
            for c in inter {
                let i = names.iter().position(|n| n == c).ok_or_else(|| {
                    InvalidParam::new(
                        "intersections",
                        format!("protected attributes ({})", names.join(", ")),
                        format!("column \"{c}\", which is not one"),
                    )
                })?;
                if columns.contains(&i) {
                    return Err(InvalidParam::new(
                        "intersections",
                        "each column once",
                        format!("column \"{c}\" twice"),
                    )
                    .into());
                }
                columns.push(i);
            }
            if columns.len() < 2 {
                return Err(InvalidParam::new(
                    "intersections",
                    "at least two columns",
                    inter.join(","),
                )
                .into());
            }
            segs.push(Segmentation { columns });
        }
        let seg_names: Vec<String> = segs
            .iter()
            .map(|s| {
                s.columns
                    .iter()
                    .map(|&c| names[c].as_str())
                    .collect::<Vec<_>>()
                    .join(" x ")
            })
            .collect();
        for (name, reference) in &params.reference {
            if !seg_names.contains(name) {
                return Err(InvalidParam::new(
                    "reference",
                    format!(
                        "an audited attribute or intersection ({})",
                        seg_names.join(", ")
                    ),
                    format!("\"{name}\" (reference \"{reference}\")"),
                )
                .into());
            }
        }
        Ok(Auditor {
            params: AuditParams::clone(params),
            names: names.to_vec(),
            segs,
            cell_index: FxHashMap::default(),
            packed_index: FxHashMap::default(),
            cells: Vec::new(),
            boot: (params.bootstrap > 0).then(|| Bootstrap::new(params.bootstrap, params.seed)),
            rows: 0,
            weighted: false,
            weight_unit: None,
            grid_cells: 0,
        })
    }

    /// The cell of a key, created when new.
    fn cell_for(&mut self, key: &[u32]) -> usize {
        match self.cell_index.get(key) {
            Some(&c) => c,
            None => {
                self.cells.push((key.to_vec(), Acc::default()));
                self.cell_index.insert(key.to_vec(), self.cells.len() - 1);
                self.cells.len() - 1
            }
        }
    }

    /// Adds a run of rows.
    pub fn add(&mut self, rows: &Rows<'_>) -> Result<(), AuditError> {
        if rows.score.is_none() && rows.prediction.is_none() {
            return Err(AuditError::NoDecisions);
        }
        let n = rows.label.len();
        self.weighted |= rows.weight.is_some();
        let threshold = self.params.threshold;
        let selected: Vec<bool> = (0..n)
            .map(|i| match rows.prediction {
                Some(p) => p[i] == Some(true),
                None => rows
                    .score
                    .is_some_and(|s| crate::decision::positive(s[i], threshold)),
            })
            .collect();
        let mut key = Vec::with_capacity(rows.attributes.len());
        let mut last: Option<(u64, usize)> = None;
        for i in 0..n {
            // Up to four attributes with codes below 65535 pack into one u64 (missing, u32::MAX,
            // becomes 0); otherwise the codes themselves are the key.
            let packed = pack(rows.attributes.len(), rows.attributes.iter().map(|c| c[i]));
            let c = match (packed, last) {
                // Consecutive rows often share a cell; skip the lookup then.
                (Some(p), Some((lp, c))) if p == lp => c,
                (Some(p), _) => match self.packed_index.get(&p) {
                    Some(&c) => c,
                    None => {
                        key.clear();
                        key.extend(rows.attributes.iter().map(|codes| codes[i]));
                        let c = self.cell_for(&key);
                        self.packed_index.insert(p, c);
                        c
                    }
                },
                (None, _) => {
                    key.clear();
                    key.extend(rows.attributes.iter().map(|codes| codes[i]));
                    self.cell_for(&key)
                }
            };
            last = packed.map(|p| (p, c));
            let (score, positive) = (rows.score.map(|s| s[i]), rows.label[i] == Some(true));
            let weight = match rows.weight {
                None => 1.0,
                Some(w) => {
                    if self.weight_unit.is_none() && w[i] > 0.0 {
                        self.weight_unit = Some(weight_unit_of(w[i]));
                    }
                    let relative = w[i] / self.weight_unit.unwrap_or(1.0);
                    if !relative.is_finite() {
                        return Err(InvalidParam::new(
                            "weight",
                            "weights within a factor of 1e308 of each other",
                            format!(
                                "{} after a first weight of {}",
                                w[i],
                                self.weight_unit.unwrap_or(1.0)
                            ),
                        )
                        .into());
                    }
                    relative
                }
            };
            self.cells[c].1.add(score, selected[i], positive, weight);
            if let Some(b) = &mut self.boot {
                b.add(self.rows, c, score, selected[i], positive, weight);
            }
            self.rows += 1;
        }
        Ok(())
    }

    /// Adds `count` rows of one cell, label, score and decision at once (an audit of
    /// statistics, see [`super::statsfile`]): `codes` are the protected attributes' codes
    /// (in the order given to [`Auditor::new`]), `weight` the rows' weight sum and sum of
    /// squares when weighted. The decision is `prediction`, or `score >= threshold`.
    pub(super) fn add_counts(
        &mut self,
        codes: &[u32],
        positive: bool,
        score: Option<f64>,
        prediction: Option<bool>,
        rows: u64,
        weight: Option<Count>,
    ) -> Result<(), AuditError> {
        let threshold = self.params.threshold;
        let selected = match (prediction, score) {
            (Some(p), _) => p,
            (None, Some(s)) => crate::decision::positive(s, threshold),
            (None, None) => return Err(AuditError::NoDecisions),
        };
        let count = match weight {
            None => Count {
                w: rows as f64,
                w2: rows as f64,
            },
            Some(w) => {
                self.weighted = true;
                if self.weight_unit.is_none() && w.w > 0.0 && rows > 0 {
                    self.weight_unit = Some(weight_unit_of(w.w / rows as f64));
                }
                let unit = self.weight_unit.unwrap_or(1.0);
                let relative = Count {
                    w: w.w / unit,
                    w2: w.w2 / unit / unit,
                };
                if !(relative.w.is_finite() && relative.w2.is_finite()) {
                    return Err(InvalidParam::new(
                        "weight",
                        "weight sums within a factor of 1e308 of each other",
                        format!("{} after a first weight of {unit}", w.w),
                    )
                    .into());
                }
                relative
            }
        };
        let c = self.cell_for(codes);
        self.cells[c]
            .1
            .add_many(score, selected, positive, rows, count);
        self.rows += rows;
        Ok(())
    }

    /// Adds a block folded on a decoding thread by a sink from [`Auditor::sink_factory`];
    /// `protected` are the schema positions of the protected columns (in the order given to
    /// [`Auditor::new`]).
    ///
    /// A block that folded no row adds nothing.
    pub(super) fn add_folded(
        &mut self,
        mut folded: Folded<BlockCells>,
        protected: &[usize],
    ) -> Result<(), AuditError> {
        let Some(block) = folded.partial.take() else {
            return Ok(());
        };
        let mut key = Vec::with_capacity(protected.len());
        for cell in block.into_cells() {
            key.clear();
            key.extend(
                cell.key
                    .iter()
                    .zip(protected)
                    .map(|(&code, &col)| folded.global(col, code)),
            );
            let c = self.cell_for(&key);
            self.rows += cell.rows;
            let may_grid = self.grid_cells < MAX_GRID_CELLS;
            let acc = &mut self.cells[c].1;
            let had_grid = !acc.grid.is_empty();
            acc.add_block(
                cell.rows,
                cell.counts,
                cell.tally,
                cell.grid.as_ref(),
                may_grid,
            );
            if !had_grid && !acc.grid.is_empty() {
                self.grid_cells += 1;
            }
        }
        Ok(())
    }

    /// A factory of sinks that fold rows into per-cell statistics on the reader's decoding
    /// threads (see [`crate::data::TableReader::set_fold`]), for unweighted rows without a
    /// bootstrap; `None` otherwise. Column arguments are schema positions.
    pub fn sink_factory(
        &self,
        label: usize,
        score: Option<usize>,
        prediction: Option<usize>,
        protected: &[usize],
    ) -> Option<SinkFactory> {
        if self.boot.is_some() || (score.is_none() && prediction.is_none()) {
            return None;
        }
        Some(block_sinks(BlockLayout {
            label,
            score,
            prediction,
            protected: protected.to_vec(),
            threshold: self.params.threshold,
        }))
    }

    /// The metrics of every group, reference groups, disparate impact and summaries.
    /// `levels[i]` names the codes of protected attribute `i`. Fails when a reference given in
    /// the parameters names no group of its attribute or intersection.
    pub fn finish(mut self, levels: Vec<Vec<String>>) -> Result<Vec<AttributeAudit>, AuditError> {
        let boot = self.boot.take();
        let (prepared, logs) = self.prepare(levels, false)?;
        let (mut out, references) = prepared.decide(None)?;
        if let Some(mut boot) = boot {
            let cell_keys: Vec<&Vec<u32>> = prepared.cell_keys.iter().collect();
            let layout: Vec<(Vec<Vec<u32>>, Option<usize>)> = prepared
                .members
                .iter()
                .zip(references)
                .map(|(m, r)| (m.iter().map(|(k, _)| k.clone()).collect(), r))
                .collect();
            bootstrap_intervals(
                &mut boot,
                &cell_keys,
                &prepared.segs,
                &layout,
                &mut out,
                &prepared.params,
                logs.as_ref(),
            );
        }
        Ok(out)
    }

    /// Everything of the audit that does not depend on the decisions' threshold: the cells'
    /// statistics, every group's metrics at the audit's own threshold and its counts, the
    /// whole sample's Theil index; with `tallies` (and no weights), each cell's scores with
    /// cumulative label counts, so that [`Prepared::decide`] can audit at any threshold. Also
    /// returns the whole sample's shared score logarithms (for the bootstrap).
    pub(super) fn prepare(
        mut self,
        levels: Vec<Vec<String>>,
        tallies: bool,
    ) -> Result<(Prepared, Option<ScoreLogs>), AuditError> {
        let z = z_for(self.params.confidence);
        // A value spelled as the unknown group's name is that group: two groups both shown
        // as "unknown" could not be told apart (see UNKNOWN_GROUP).
        for (i, names) in levels.iter().enumerate() {
            if let Some(u) = super::unknown_level(names) {
                for (key, _) in &mut self.cells {
                    if key.get(i) == Some(&u) {
                        key[i] = MISSING_CODE;
                    }
                }
            }
        }
        // Groups in the order of their values (byte order; `unknown` last), whatever the
        // order of the rows: the codes become ranks of the sorted values.
        let mut sorted_levels = Vec::with_capacity(levels.len());
        for (i, names) in levels.into_iter().enumerate() {
            let mut order: Vec<usize> = (0..names.len()).collect();
            order.sort_by(|&a, &b| names[a].as_bytes().cmp(names[b].as_bytes()));
            let mut rank = vec![0u32; names.len()];
            for (r, &code) in order.iter().enumerate() {
                rank[code] = r as u32;
            }
            for (key, _) in &mut self.cells {
                if let Some(code) = key.get_mut(i) {
                    if let Some(&r) = rank.get(*code as usize) {
                        *code = r;
                    }
                }
            }
            let mut names = names;
            let sorted: Vec<String> = order
                .iter()
                .map(|&c| std::mem::take(&mut names[c]))
                .collect();
            sorted_levels.push(sorted);
        }
        let levels = sorted_levels;
        // Every row is in exactly one group of each segmentation: the first one's groups
        // together are the whole sample.
        let cells: Vec<(&Vec<u32>, SegmentStats)> = {
            // Cells are independent: their runs are merged in parallel.
            let accs: Vec<std::sync::Mutex<&mut Acc>> = self
                .cells
                .iter_mut()
                .map(|(_, a)| std::sync::Mutex::new(a))
                .collect();
            let stats: Vec<SegmentStats> = crate::par::par_map(accs.len(), |i| {
                // A lock is only poisoned by a panic, which par_map re-raises.
                accs[i].lock().map(|mut a| a.finish()).unwrap_or_default()
            });
            self.cells.iter().map(|(k, _)| k).zip(stats).collect()
        };
        let grids: Vec<&GridCounts> = self.cells.iter().map(|(_, a)| &a.grid).collect();
        let (total, median_score, theil_all, logs) = whole_sample(&cells, &grids);
        let ctx = MetricContext {
            z,
            median: median_score,
            binning: self.params.binning,
            logs: logs.as_ref(),
        };
        // Every group of every segmentation is one piece of parallel work: its cells are
        // merged, its metrics computed, and its merged histogram dropped, keeping only its
        // counts (for the comparison with the reference). So the pieces balance across
        // segmentations, and at most one merged histogram per thread is held at a time.
        let members: Vec<Vec<(Vec<u32>, Vec<usize>)>> = self
            .segs
            .iter()
            .map(|seg| group_members(&seg.columns, &cells))
            .collect();
        let tasks: Vec<&Vec<usize>> = members.iter().flatten().map(|(_, m)| m).collect();
        let mut audited = crate::par::par_map(tasks.len(), |t| {
            let s = group_of(tasks[t], &cells, &grids);
            let (metrics, bins) = metrics_and_bins(&s, &ctx);
            let audit = GroupAudit {
                group: String::new(),
                values: Vec::new(),
                n: s.rows,
                // In the weights' own unit again; left out if that overflows.
                weight: self
                    .weighted
                    .then(|| s.n().w * self.weight_unit.unwrap_or(1.0))
                    .filter(|w| w.is_finite()),
                small: s.rows < self.params.min_group_size,
                under_2_percent: (s.rows as f64) < 0.02 * total as f64,
                metrics,
                reliability: bins.map(|b| reliability(&b, z)).unwrap_or_default(),
                roc: roc(&s),
                // In the weights' own unit (a power of two: exact).
                score_distribution: score_distribution(&s)
                    .into_iter()
                    .map(|mut b| {
                        let unit = self.weight_unit.unwrap_or(1.0);
                        b.negatives *= unit;
                        b.positives *= unit;
                        b
                    })
                    .collect(),
            };
            (audit, s.clone_counts())
        })
        .into_iter();
        let mut groups = Vec::new();
        let mut group_counts = Vec::new();
        for (seg, members) in self.segs.iter().zip(&members) {
            let name_of = |col: usize, code: u32| -> String {
                levels
                    .get(col)
                    .and_then(|l| l.get(code as usize))
                    .cloned()
                    .unwrap_or_else(|| UNKNOWN_GROUP.to_string())
            };
            let (mut gs, stats): (Vec<GroupAudit>, Vec<SegmentStats>) =
                audited.by_ref().take(members.len()).unzip();
            for (g, (key, _)) in gs.iter_mut().zip(members) {
                g.values = key
                    .iter()
                    .zip(&seg.columns)
                    .map(|(&code, &c)| name_of(c, code))
                    .collect();
                g.group = g.values.join(", ");
            }
            groups.push(gs);
            group_counts.push(stats);
        }
        let tallies = (tallies && !self.weighted).then(|| {
            crate::par::par_map(cells.len(), |i| {
                let full = with_grids(&[&cells[i].1], &[grids[i]]);
                CellTally::new(&full)
            })
        });
        let cell_keys = cells.iter().map(|(k, _)| (*k).clone()).collect();
        let prepared = Prepared {
            z,
            cell_keys,
            members,
            groups,
            group_counts,
            theil_all,
            tallies,
            names: std::mem::take(&mut self.names),
            segs: std::mem::take(&mut self.segs),
            params: self.params,
        };
        Ok((prepared, logs))
    }
}

/// An audit's part that does not depend on the threshold ([`Auditor::prepare`]), from which
/// [`Prepared::decide`] makes the audit at its own threshold or (unweighted) at any other.
pub(super) struct Prepared {
    params: AuditParams,
    names: Vec<String>,
    segs: Vec<Segmentation>,
    z: f64,
    cell_keys: Vec<Vec<u32>>,
    /// Per segmentation: its groups' keys and member cells.
    members: Vec<Vec<(Vec<u32>, Vec<usize>)>>,
    /// Per segmentation: its groups, named, with every metric at the audit's own threshold.
    groups: Vec<Vec<GroupAudit>>,
    /// Per segmentation: its groups' counts at the audit's own threshold.
    group_counts: Vec<Vec<SegmentStats>>,
    theil_all: MetricValue,
    /// Per cell, for deciding at other thresholds (`None`: weighted, or not asked for).
    tallies: Option<Vec<CellTally>>,
}

impl Prepared {
    /// Whether [`Prepared::decide`] can audit at other thresholds than the audit's own.
    pub(super) fn rethresholds(&self) -> bool {
        self.tallies.is_some()
    }

    /// The audit with decisions `score >= t` (`None`: the audit's own decisions), and each
    /// segmentation's reference group. At another threshold, the counts come from the cells'
    /// tallies and only the metrics that depend on them are recomputed ([`count_metrics`]);
    /// the counts are integers, so the result is the audit of the rows at `t`, bit for bit.
    /// Fails when a reference given in the parameters names no group, or (`Some(t)`) when
    /// the audit was prepared without tallies.
    pub(super) fn decide(
        &self,
        at: Option<f64>,
    ) -> Result<(Vec<AttributeAudit>, Vec<Option<usize>>), AuditError> {
        let recounted = match at {
            None => None,
            Some(t) => {
                let tallies = self.tallies.as_ref().ok_or_else(|| {
                    InvalidParam::new(
                        "threshold",
                        "the audit's own threshold (weighted audits are not re-decided)",
                        t.to_string(),
                    )
                })?;
                let cells: Vec<SegmentStats> = tallies.iter().map(|c| c.at(t)).collect();
                let empty = SegmentStats::default();
                let all = SegmentStats::merged(
                    &std::iter::once(&empty).chain(&cells).collect::<Vec<_>>(),
                );
                Some((cells, theil(all.tp, all.fp, all.tn, all.fn_)))
            }
        };
        let theil_all = recounted.as_ref().map_or(self.theil_all, |r| r.1);
        let mut out = Vec::new();
        let mut references = Vec::new();
        for (si, seg) in self.segs.iter().enumerate() {
            let mut groups = self.groups[si].clone();
            let fresh: Vec<SegmentStats>;
            let counts: &[SegmentStats] = match &recounted {
                None => &self.group_counts[si],
                Some((cells, _)) => {
                    fresh = self.members[si]
                        .iter()
                        .map(|(_, m)| {
                            SegmentStats::merged(&m.iter().map(|&i| &cells[i]).collect::<Vec<_>>())
                        })
                        .collect();
                    for (g, s) in groups.iter_mut().zip(&fresh) {
                        g.metrics.extend(count_metrics(s, self.z));
                    }
                    &fresh
                }
            };
            let stats: Vec<&SegmentStats> = counts.iter().collect();
            let columns: Vec<String> = seg.columns.iter().map(|&c| self.names[c].clone()).collect();
            let name = columns.join(" x ");
            let reference = reference_of(&self.params, &name, &groups)?;
            if let Some(r) = reference {
                compare_with_reference(&mut groups, &stats, r, &self.params, self.z);
            }
            let (summary, excluded_from_summary) = summary_of(&groups, theil_all);
            references.push(reference);
            out.push(AttributeAudit {
                name,
                columns,
                reference_group: reference.map(|r| groups[r].group.clone()),
                groups,
                summary,
                excluded_from_summary,
            });
        }
        Ok((out, references))
    }
}

/// The unit weights are divided by, from the first positive, finite weight `w`: 1 for
/// weights within 2^±100 (so sums, score distributions and the Hosmer-Lemeshow statistic are
/// in the weights' own units), otherwise the power of two at or below `w` (`w` itself when
/// subnormal), which keeps the sums of squares finite and, being a power of two, every ratio
/// exact.
fn weight_unit_of(w: f64) -> f64 {
    if (2f64.powi(-100)..=2f64.powi(100)).contains(&w) {
        return 1.0;
    }
    let p = f64::from_bits(w.to_bits() & 0xFFF0_0000_0000_0000);
    if p > 0.0 {
        p
    } else {
        w
    }
}

/// The whole sample (every cell merged): its rows, median score and Theil index, and the
/// shared score logarithms when scores repeat across cells.
fn whole_sample(
    cells: &[(&Vec<u32>, SegmentStats)],
    grids: &[&GridCounts],
) -> (u64, Option<f64>, MetricValue, Option<ScoreLogs>) {
    let empty = SegmentStats::default();
    let parts: Vec<&SegmentStats> = std::iter::once(&empty)
        .chain(cells.iter().map(|(_, st)| st))
        .collect();
    let all = with_grids(&parts, grids);
    // The shared logarithms pay when scores repeat across cells (each would be taken
    // once per group holding it); with mostly distinct scores (full precision) each
    // group takes its own, in parallel, and no table is held. (A key in both a cell's
    // grid and its sorted rows counts twice here: the choice only affects speed, since
    // a lookup gives exactly what computing gives.)
    let per_cell: usize = cells.iter().map(|(_, st)| st.scores.len()).sum::<usize>()
        + grids.iter().map(|g| g.distinct()).sum::<usize>();
    let logs = (2 * all.scores.len() <= per_cell).then(|| ScoreLogs::new(&all));
    (
        all.rows,
        median(&all),
        theil(all.tp, all.fp, all.tn, all.fn_),
        logs,
    )
}

/// The reference group of a segmentation named `name`: the one the parameters give (an
/// error when it has no rows or does not exist), or by default the group with the highest
/// selection rate among those neither small nor unknown.
fn reference_of(
    params: &AuditParams,
    name: &str,
    groups: &[GroupAudit],
) -> Result<Option<usize>, AuditError> {
    let rate_of = |g: &GroupAudit| {
        g.metrics
            .get(key::SELECTION_RATE)
            .and_then(|m| m.value)
            .unwrap_or(f64::NEG_INFINITY)
    };
    Ok(match params.reference.get(name) {
        Some(r) => match groups.iter().position(|g| &g.group == r) {
            // An empty reference would make every ratio undefined, and a gate that
            // treats undefined as inconclusive would then pass.
            Some(i) if groups[i].n == 0 || groups[i].weight.is_some_and(|w| w <= 0.0) => {
                let names: Vec<&str> = groups
                    .iter()
                    .filter(|g| g.n > 0 && g.weight.is_none_or(|w| w > 0.0))
                    .map(|g| g.group.as_str())
                    .collect();
                return Err(InvalidParam::new(
                    "reference",
                    format!(
                        "a group of {name} with rows to compare with (groups with rows: {})",
                        names.join("; ")
                    ),
                    format!("\"{r}\", which has no rows (or only rows of weight 0)"),
                )
                .into());
            }
            Some(i) => Some(i),
            // A reference that names no group would silently leave out disparate
            // impact and its tests.
            None => {
                let names: Vec<&str> = groups.iter().map(|g| g.group.as_str()).collect();
                return Err(InvalidParam::new(
                    "reference",
                    format!("a group of {name} (its groups: {})", names.join("; ")),
                    format!("\"{r}\""),
                )
                .into());
            }
        },
        None => groups
            .iter()
            .enumerate()
            .filter(|(_, g)| default_reference_candidate(g))
            .max_by(|a, b| rate_of(a.1).total_cmp(&rate_of(b.1)).then(b.0.cmp(&a.0)))
            .map(|(i, _)| i),
    })
}

/// Whether a group may be the default reference: not small, at least 2% of the rows and not
/// the unknown group. The most selected such group is the reference (the four-fifths rule's
/// and NYC Local Law 144's "most selected category"); a noisy small group never is, and when
/// no group qualifies there is no reference rather than a noisy one.
pub fn default_reference_candidate(g: &GroupAudit) -> bool {
    !g.small && !g.under_2_percent && g.values.iter().all(|v| v != UNKNOWN_GROUP)
}

/// Disparate impact (with its test, Holm-adjusted), the selection-rate difference (Newcombe)
/// and the average odds difference of every group against the reference group `r`.
fn compare_with_reference(
    groups: &mut [GroupAudit],
    stats: &[&SegmentStats],
    r: usize,
    params: &AuditParams,
    z: f64,
) {
    let rs = stats[r];
    let mut tested: Vec<(usize, f64)> = Vec::new();
    for (i, (g, s)) in groups.iter_mut().zip(stats).enumerate() {
        let mut di = disparate_impact(
            s.selected(),
            s.n(),
            rs.selected(),
            rs.n(),
            params.confidence,
        );
        if i != r {
            if let Some((p, test)) = selection_test(s.selected(), s.n(), rs.selected(), rs.n()) {
                di.p_value = Some(p);
                di.test = Some(test);
                tested.push((i, p));
            }
        }
        g.metrics.insert(key::DISPARATE_IMPACT.into(), di);
        g.metrics.insert(
            key::SELECTION_RATE_DIFFERENCE.into(),
            newcombe(s.selected(), s.n(), rs.selected(), rs.n(), z),
        );
        let m = |k: &str, st: &SegmentStats| -> Option<f64> {
            let (num, den) = match k {
                key::TPR => (st.tp, st.positives()),
                _ => (st.fp, st.negatives()),
            };
            (den.w > 0.0).then(|| num.w / den.w)
        };
        let aod = match (
            m(key::FPR, s),
            m(key::FPR, rs),
            m(key::TPR, s),
            m(key::TPR, rs),
        ) {
            (Some(f), Some(fr), Some(t), Some(tr)) => MetricValue::of(0.5 * ((f - fr) + (t - tr))),
            _ if s.rows == 0 || s.n().w <= 0.0 => {
                MetricValue::undefined(super::Undefined::EmptySegment)
            }
            (None, ..) | (_, None, ..) => MetricValue::undefined(super::Undefined::NoNegatives),
            _ => MetricValue::undefined(super::Undefined::NoPositives),
        };
        g.metrics.insert(key::AVERAGE_ODDS_DIFFERENCE.into(), aod);
    }
    let adjusted = holm(&tested.iter().map(|t| t.1).collect::<Vec<_>>());
    for ((i, _), adj) in tested.iter().zip(adjusted) {
        if let Some(di) = groups[*i].metrics.get_mut(key::DISPARATE_IMPACT) {
            di.p_value_holm = Some(adj);
        }
    }
}

/// The groups of a segmentation (its columns' positions), each with the positions of its cells
/// in `cells`, in key order; a single attribute always has its unknown group.
fn group_members(
    columns: &[usize],
    cells: &[(&Vec<u32>, SegmentStats)],
) -> Vec<(Vec<u32>, Vec<usize>)> {
    let mut members: BTreeMap<Vec<u32>, Vec<usize>> = BTreeMap::new();
    if columns.len() == 1 {
        // The unknown group is always reported, even when empty.
        members.insert(vec![MISSING_CODE], Vec::new());
    }
    for (i, (key, _)) in cells.iter().enumerate() {
        let k: Vec<u32> = columns.iter().map(|&c| key[c]).collect();
        members.entry(k).or_default().push(i);
    }
    members.into_iter().collect()
}

/// A group's statistics from its cells (positions in `cells`, with their grids in `grids`
/// when they have any), merged in cell order (so weighted sums are added in a fixed order). A
/// group of one cell without a grid (every group of the intersection of all the attributes,
/// usually) is that cell's statistics, borrowed.
fn group_of<'c>(
    members: &[usize],
    cells: &'c [(&Vec<u32>, SegmentStats)],
    grids: &[&GridCounts],
) -> Cow<'c, SegmentStats> {
    let grids: Vec<&GridCounts> = members
        .iter()
        .filter_map(|&i| grids.get(i).copied())
        .filter(|g| !g.is_empty())
        .collect();
    match members {
        [one] if grids.is_empty() => Cow::Borrowed(&cells[*one].1),
        several => {
            let parts: Vec<&SegmentStats> = several.iter().map(|&i| &cells[i].1).collect();
            Cow::Owned(with_grids(&parts, &grids))
        }
    }
}

/// The groups of a segmentation from the cells' statistics, merged in parallel.
fn group_stats<'c>(
    columns: &[usize],
    cells: &'c [(&Vec<u32>, SegmentStats)],
) -> BTreeMap<Vec<u32>, Cow<'c, SegmentStats>> {
    let members = group_members(columns, cells);
    let stats = crate::par::par_map(members.len(), |g| group_of(&members[g].1, cells, &[]));
    members.into_iter().map(|(k, _)| k).zip(stats).collect()
}

/// Bootstrap percentile intervals for every metric and summary: each replicate's cells give
/// its groups, whose metrics come from the same functions as the point estimates (with the
/// point estimate's groups, small flags and reference).
fn bootstrap_intervals(
    boot: &mut Bootstrap,
    cell_keys: &[&Vec<u32>],
    segs: &[Segmentation],
    layout: &[(Vec<Vec<u32>>, Option<usize>)],
    out: &mut [AttributeAudit],
    params: &AuditParams,
    logs: Option<&ScoreLogs>,
) {
    boot.prepare();
    let boot: &Bootstrap = boot;
    let out_groups: Vec<Vec<GroupAudit>> = out.iter().map(|a| a.groups.clone()).collect();
    let z = z_for(params.confidence);
    // One replicate: per segmentation, the (group, metric, value) and (summary key, value)
    // samples.
    type Values = Vec<(Vec<(usize, String, f64)>, Vec<(String, f64)>)>;
    let one = |stats: Vec<SegmentStats>| -> Values {
        let cells: Vec<(&Vec<u32>, SegmentStats)> = cell_keys.iter().copied().zip(stats).collect();
        let mut all = SegmentStats::default();
        for (_, st) in &cells {
            all.merge(st);
        }
        let ctx = MetricContext {
            z,
            median: median(&all),
            binning: params.binning,
            logs,
        };
        segs.iter()
            .enumerate()
            .map(|(si, seg)| {
                let (keys, reference) = &layout[si];
                let mut groups_b = group_stats(&seg.columns, &cells);
                // Borrowed where a group is one cell (no copy of its histogram).
                let stats: Vec<Cow<'_, SegmentStats>> = keys
                    .iter()
                    .map(|k| groups_b.remove(k).unwrap_or_default())
                    .collect();
                let mut groups: Vec<GroupAudit> = out_groups[si]
                    .iter()
                    .zip(&stats)
                    .map(|(g, s)| GroupAudit {
                        metrics: segment_metrics(s, &ctx),
                        reliability: Vec::new(),
                        roc: Vec::new(),
                        score_distribution: Vec::new(),
                        ..g.clone()
                    })
                    .collect();
                if let Some(r) = reference {
                    let refs: Vec<&SegmentStats> = stats.iter().map(|s| &**s).collect();
                    compare_with_reference(&mut groups, &refs, *r, params, z);
                }
                let mut values = Vec::new();
                for (g, group) in groups.iter().enumerate() {
                    for (k, v) in &group.metrics {
                        if let Some(x) = v.value {
                            values.push((g, k.clone(), x));
                        }
                    }
                }
                let (summary, _) = summary_of(&groups, theil(all.tp, all.fp, all.tn, all.fn_));
                let sums = summary
                    .into_iter()
                    .filter_map(|(k, v)| v.value.map(|x| (k, x)))
                    .collect();
                (values, sums)
            })
            .collect()
    };
    // Replicates are independent: spread them over the cores. Percentiles do not depend on
    // the order samples arrive in, so the result does not depend on the thread count.
    // A few replicates per pass over the rows (each row read once for the batch).
    let batches = boot.replicates.div_ceil(BATCH);
    let step = crate::progress::step("bootstrap replicates", boot.replicates as u64);
    let results: Vec<Values> = crate::par::par_map(batches, |i| {
        let first = i * BATCH;
        let count = BATCH.min(boot.replicates - first);
        let values = boot
            .replicates_from(first, count, cell_keys.len())
            .into_iter()
            .map(&one)
            .collect::<Vec<Values>>();
        step.inc(count as u64);
        values
    })
    .into_iter()
    .flatten()
    .collect();
    let mut group_samples: Vec<BTreeMap<(usize, String), Vec<f64>>> =
        vec![BTreeMap::new(); segs.len()];
    let mut summary_samples: Vec<BTreeMap<String, Vec<f64>>> = vec![BTreeMap::new(); segs.len()];
    for replicate in results {
        for (si, (values, sums)) in replicate.into_iter().enumerate() {
            for (g, k, x) in values {
                group_samples[si].entry((g, k)).or_default().push(x);
            }
            for (k, x) in sums {
                summary_samples[si].entry(k).or_default().push(x);
            }
        }
    }
    let alpha = (1.0 - params.confidence) / 2.0;
    let fill = |mv: &mut MetricValue, v: &mut Vec<f64>| {
        mv.boot_low = percentile(v, alpha);
        mv.boot_high = percentile(v, 1.0 - alpha);
    };
    for (si, attr) in out.iter_mut().enumerate() {
        for ((g, k), mut v) in std::mem::take(&mut group_samples[si]) {
            if let Some(mv) = attr.groups.get_mut(g).and_then(|gr| gr.metrics.get_mut(&k)) {
                fill(mv, &mut v);
            }
        }
        for (k, mut v) in std::mem::take(&mut summary_samples[si]) {
            if let Some(mv) = attr.summary.get_mut(&k) {
                fill(mv, &mut v);
            }
        }
    }
}

/// The summary over the groups that are not small, with the whole sample's Theil index.
fn summary_of(
    groups: &[GroupAudit],
    theil_index: MetricValue,
) -> (BTreeMap<String, MetricValue>, BTreeMap<String, Vec<String>>) {
    let eligible: Vec<(&str, &BTreeMap<String, MetricValue>)> = groups
        .iter()
        .filter(|g| !g.small)
        .map(|g| (g.group.as_str(), &g.metrics))
        .collect();
    let (mut summary, excluded) = summarize(&eligible);
    summary.insert(key::THEIL_INDEX.into(), theil_index);
    (summary, excluded)
}
