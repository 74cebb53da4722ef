//! The block-folding engine: on the reader's decoding threads, each block's rows are folded
//! into a table of cells keyed by the protected attributes' block-local codes ([`BlockCells`],
//! a [`crate::data::RowSink`]); the auditor then merges the blocks' cells in file order. The
//! audit's meaning (groups, metrics, references) does not depend on it: a block folded here
//! gives the cells the same rows added one by one would.

use super::grid::{BlockGrid, Tally};
use super::stats::{confusion_slot, score_key};
use rustc_hash::FxHashMap;

use std::any::Any;
use std::sync::Arc;

use crate::data::{BatchColumn, Field, RowBatch, RowSink, SinkFactory, MISSING_CODE};

/// A folded block's cell starts counting grid scores in place once it has this many scores
/// (a grid pays for itself only over many rows).
const GRID_AFTER: usize = 64;

/// The most cells of a folded block that count grid scores in place (20 KB each, so that the
/// arrays a decoding thread writes at random stay near its cache's size).
const MAX_BLOCK_GRIDS: usize = 16;

/// Up to four codes below 65535 packed into one key (missing, `u32::MAX`, becomes 0); `None`
/// when they do not fit.
#[inline]
pub(super) fn pack(n: usize, codes: impl Iterator<Item = u32>) -> Option<u64> {
    if n > 4 {
        return None;
    }
    let mut acc = 0u64;
    for (j, code) in codes.enumerate() {
        let v = code.wrapping_add(1);
        if v >= 0xFFFF {
            return None;
        }
        acc |= u64::from(v) << (16 * j);
    }
    Some(acc)
}

/// Bits of a [`small_key`].
const SMALL_KEY_BITS: usize = 12;

/// Up to three codes, each below `2^(12 / n) - 1`, as an index below 4096 (missing,
/// `u32::MAX`, becomes 0); `None` when they do not fit. The direct table this indexes finds
/// the cell of the usual few-valued attributes without hashing.
#[inline]
fn small_key(n: usize, codes: impl Iterator<Item = u32>) -> Option<usize> {
    // 12 / n (12 for none), without a division per row.
    const BITS: [usize; 4] = [
        SMALL_KEY_BITS,
        SMALL_KEY_BITS,
        SMALL_KEY_BITS / 2,
        SMALL_KEY_BITS / 3,
    ];
    let bits = *BITS.get(n)?;
    let mut ix = 0usize;
    for (j, code) in codes.enumerate() {
        let v = code.wrapping_add(1) as usize;
        if v >> bits != 0 {
            return None;
        }
        ix |= v << (bits * j);
    }
    Some(ix)
}

/// Where a folding sink finds its columns (schema positions) and the threshold.
pub(super) struct BlockLayout {
    /// The label column.
    pub(super) label: usize,
    /// The score column, if any.
    pub(super) score: Option<usize>,
    /// The prediction column, if any.
    pub(super) prediction: Option<usize>,
    /// The protected columns, in the auditor's order.
    pub(super) protected: Vec<usize>,
    /// The decision threshold.
    pub(super) threshold: f64,
}

/// A factory of [`BlockCells`] sinks for the reader's decoding threads.
pub(super) fn block_sinks(layout: BlockLayout) -> SinkFactory {
    let layout = Arc::new(layout);
    Arc::new(move || -> Box<dyn RowSink> {
        Box::new(BlockCells {
            layout: Arc::clone(&layout),
            table: CellTable {
                direct: vec![u32::MAX; 1 << SMALL_KEY_BITS],
                packed: FxHashMap::default(),
                index: FxHashMap::default(),
                cells: Vec::new(),
                grids: 0,
            },
        })
    })
}

/// One cell of a folded block: block-local codes, rows, confusion counts by slot, the rows
/// whose scores are on the grid (from its [`GRID_AFTER`]-th score, for at most
/// [`MAX_BLOCK_GRIDS`] cells), and each other row's score key shifted left by one with the
/// label in the low bit (scores lie in [0, 1], so the key's top bit is free); at the end of
/// the block, on the decoding thread, the keys become the cell's sorted tally.
pub(super) struct BlockCell {
    /// The protected attributes' block-local codes.
    pub(super) key: Vec<u32>,
    /// Rows in the cell.
    pub(super) rows: u64,
    /// Confusion counts by slot.
    pub(super) counts: [u64; 4],
    /// Rows whose scores are counted on the grid, if the cell has one.
    pub(super) grid: Option<BlockGrid>,
    scores: Vec<u64>,
    /// The other rows' scores: sorted keys with negatives and positives.
    pub(super) tally: Vec<Tally>,
}

impl BlockCells {
    /// The block's cells, each with its tally built.
    pub(super) fn into_cells(self) -> Vec<BlockCell> {
        self.table.cells
    }
}

impl BlockCell {
    /// Sorts the packed keys into the tally.
    fn build_tally(&mut self) {
        let mut scores = std::mem::take(&mut self.scores);
        scores.sort_unstable();
        for packed in scores {
            let (key, positive) = (packed >> 1, usize::from(packed & 1 == 1));
            match self.tally.last_mut() {
                Some((k, c)) if *k == key => c[positive] += 1,
                _ => {
                    let mut c = [0; 2];
                    c[positive] = 1;
                    self.tally.push((key, c));
                }
            }
        }
    }
}

/// A sink folding one block's rows into [`BlockCell`]s on a decoding thread.
pub(super) struct BlockCells {
    layout: Arc<BlockLayout>,
    table: CellTable,
}

/// A block's cells, found by [`small_key`] (`u32::MAX` for none yet), by packed key, and by
/// codes when they do not pack.
struct CellTable {
    direct: Vec<u32>,
    packed: FxHashMap<u64, usize>,
    index: FxHashMap<Vec<u32>, usize>,
    cells: Vec<BlockCell>,
    /// Cells given a grid.
    grids: usize,
}

impl CellTable {
    /// Adds one row: its protected attributes' codes, label, score and decision (`None`:
    /// from the score at the layout's threshold).
    #[inline(always)]
    fn add(
        &mut self,
        layout: &BlockLayout,
        codes: impl Iterator<Item = u32> + Clone,
        positive: bool,
        score: Option<f64>,
        predicted: Option<bool>,
    ) {
        let n = layout.protected.len();
        let small = small_key(n, codes.clone());
        let direct = small.map(|ix| self.direct[ix]).filter(|&c| c != u32::MAX);
        let c = match direct {
            Some(c) => c as usize,
            None => {
                let packed = pack(n, codes.clone());
                let key: Vec<u32> = codes.collect();
                let next = self.cells.len();
                let c = *self.index.entry(key.clone()).or_insert(next);
                if c == next {
                    self.cells.push(BlockCell {
                        key,
                        rows: 0,
                        counts: [0; 4],
                        grid: None,
                        scores: Vec::new(),
                        tally: Vec::new(),
                    });
                }
                if let Some(p) = packed {
                    self.packed.insert(p, c);
                }
                if let Some(ix) = small {
                    self.direct[ix] = c as u32;
                }
                c
            }
        };
        let selected = predicted.unwrap_or_else(|| {
            score.is_some_and(|s| crate::decision::positive(s, layout.threshold))
        });
        let cell = &mut self.cells[c];
        cell.rows += 1;
        cell.counts[confusion_slot(selected, positive)] += 1;
        if let Some(s) = score {
            if !cell.grid.as_mut().is_some_and(|g| g.add(s, positive)) {
                cell.scores.push((score_key(s) << 1) | u64::from(positive));
                if cell.scores.len() == GRID_AFTER
                    && cell.grid.is_none()
                    && self.grids < MAX_BLOCK_GRIDS
                {
                    cell.grid = Some(BlockGrid::new());
                    self.grids += 1;
                }
            }
        }
    }
}

impl RowSink for BlockCells {
    fn row(&mut self, f: &[Field]) {
        let l = &*self.layout;
        let code = |i: usize| match f.get(i) {
            Some(Field::Code(c)) => *c,
            _ => MISSING_CODE,
        };
        let positive = matches!(f.get(l.label), Some(Field::Bool(Some(true))));
        let score = l.score.and_then(|i| match f.get(i) {
            Some(Field::Num(x)) => Some(*x),
            _ => None,
        });
        let predicted = l
            .prediction
            .map(|p| matches!(f.get(p), Some(Field::Bool(Some(true)))));
        self.table.add(
            l,
            l.protected.iter().map(|&i| code(i)),
            positive,
            score,
            predicted,
        );
    }

    fn rows(&mut self, batch: &RowBatch<'_>) {
        let l = &*self.layout;
        let n = batch.len;
        // Each column's values as a slice of its kind, checked once for the batch.
        let column = |i: usize| batch.columns.get(i);
        let codes: Option<Vec<&[u32]>> = l
            .protected
            .iter()
            .map(|&i| match column(i) {
                Some(BatchColumn::Code(v)) if v.len() == n => Some(&v[..]),
                _ => None,
            })
            .collect();
        let bools = |i: usize| match column(i) {
            Some(BatchColumn::Bool(v)) if v.len() == n => Some(&v[..]),
            _ => None,
        };
        let label = bools(l.label);
        let score = match l.score.map(column) {
            None => Some(None),
            Some(Some(BatchColumn::Num(v))) if v.len() == n => Some(Some(&v[..])),
            Some(_) => None,
        };
        let prediction = match l.prediction {
            None => Some(None),
            Some(p) => bools(p).map(Some),
        };
        match (codes, label, score, prediction) {
            (Some(codes), Some(label), Some(score), Some(prediction)) => {
                for r in 0..n {
                    self.table.add(
                        l,
                        codes.iter().map(|c| c[r]),
                        label[r] == Some(true),
                        score.map(|s| s[r]),
                        prediction.map(|p| p[r] == Some(true)),
                    );
                }
            }
            // Columns of other kinds than the reader gives: one row at a time.
            _ => {
                let mut row = Vec::with_capacity(batch.columns.len());
                for r in 0..n {
                    row.clear();
                    row.extend(batch.columns.iter().map(|c| c.field(r)));
                    self.row(&row);
                }
            }
        }
    }

    fn finish(mut self: Box<Self>) -> Box<dyn Any + Send> {
        for cell in &mut self.table.cells {
            cell.build_tally();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::small_key;
    use crate::data::MISSING_CODE;
    use std::collections::HashSet;

    #[test]
    fn small_keys_are_distinct_below_4096_and_refuse_what_does_not_fit() {
        for n in 1..=3usize {
            let top = (1u32 << (12 / n)) - 1; // codes 0..top-1 and missing fit
            let values: Vec<u32> = (0..top).chain([MISSING_CODE]).collect();
            let mut seen = HashSet::new();
            let mut combos = vec![vec![]];
            for _ in 0..n {
                combos = combos
                    .into_iter()
                    .flat_map(|c: Vec<u32>| {
                        values.iter().map(move |&v| {
                            let mut c = c.clone();
                            c.push(v);
                            c
                        })
                    })
                    .collect();
            }
            for c in &combos {
                let ix = small_key(n, c.iter().copied()).expect("fits");
                assert!(ix < 4096);
                assert!(seen.insert(ix), "{c:?} collides");
            }
            let mut too_big = vec![0; n];
            too_big[n - 1] = top;
            assert_eq!(small_key(n, too_big.into_iter()), None);
        }
        assert_eq!(small_key(4, [0, 0, 0, 0].into_iter()), None);
    }
}
