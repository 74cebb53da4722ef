//! Counting scores that lie on a grid of 10⁻⁴ in place. Exported scores are often rounded
//! (vendor deciles, or probabilities to 2-4 decimals); a score `s` is on the grid when
//! `s == k / 10⁴` in f64 for an integer `k` in `0..=10⁴`. Such a score needs no sort: a
//! folded block counts its rows in a dense array indexed by `k` ([`BlockGrid`]), and the
//! auditor adds the blocks' arrays into one per cell ([`GridCounts`]). The key of a grid score
//! is recovered exactly at the end, because `k / 10⁴` is computed the same way, so the result
//! is the same histogram, bit for bit, that sorting the rows' keys gives. Scores off the grid
//! (full precision) take the sorted path, and so do a cell's first rows in a block and the
//! rows of cells beyond the caps (see `segments`); where both paths hold a score, their
//! counts, integers, are added.

use super::stats::score_key;

/// Grid steps per unit score: the grid is `k / GRID_STEPS` for `k` in `0..=GRID_STEPS`.
pub(crate) const GRID_STEPS: u32 = 10_000;

/// Entries of a grid array: one per grid score.
pub(crate) const GRID_LEN: usize = GRID_STEPS as usize + 1;

/// Unweighted rows at one score key: negatives and positives.
pub(crate) type Tally = (u64, [u64; 2]);

/// The grid index `k` of a score `s` with `s == k / 10⁴` exactly in f64, or `None` for a score
/// off the grid (or out of `[0, 1]`, or NaN).
#[inline]
pub(crate) fn grid_index(s: f64) -> Option<usize> {
    // The nearest k (the cast saturates, and NaN becomes 0); the division checks it exactly.
    let k = (s * f64::from(GRID_STEPS) + 0.5) as u32;
    (k <= GRID_STEPS && f64::from(k) / f64::from(GRID_STEPS) == s).then_some(k as usize)
}

/// The score at grid index `k`.
#[inline]
fn grid_score(k: usize) -> f64 {
    k as f64 / f64::from(GRID_STEPS)
}

/// One block cell's rows on the grid: a byte per grid index and label (negatives, positives),
/// so that the array a decoding thread updates at random stays small (20 KB), and the slots
/// whose byte wrapped around to 0, once per wrap (each is 256 more rows).
pub(crate) struct BlockGrid {
    counts: Vec<[u8; 2]>,
    wraps: Vec<(u32, u8)>,
    rows: u64,
}

impl BlockGrid {
    /// An empty grid.
    pub(crate) fn new() -> BlockGrid {
        BlockGrid {
            counts: vec![[0; 2]; GRID_LEN],
            wraps: Vec::new(),
            rows: 0,
        }
    }

    /// Counts a row with score `s` and returns `true`, or returns `false` (counting nothing)
    /// when `s` is off the grid.
    #[inline]
    pub(crate) fn add(&mut self, s: f64, positive: bool) -> bool {
        let Some(k) = grid_index(s) else {
            return false;
        };
        let label = usize::from(positive);
        if let Some(c) = self.counts.get_mut(k) {
            c[label] = c[label].wrapping_add(1);
            if c[label] == 0 {
                self.wraps.push((k as u32, label as u8));
            }
        }
        self.rows += 1;
        true
    }

    /// Rows counted.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }
}

/// A cell's rows on the grid, added up over blocks.
#[derive(Default)]
pub(crate) struct GridCounts {
    /// Negatives and positives per grid index; empty until a block brings rows.
    counts: Vec<[u64; 2]>,
}

impl GridCounts {
    /// Adds a block's grid.
    pub(crate) fn add(&mut self, block: &BlockGrid) {
        if self.counts.is_empty() {
            self.counts = vec![[0; 2]; GRID_LEN];
        }
        for (c, b) in self.counts.iter_mut().zip(&block.counts) {
            c[0] += u64::from(b[0]);
            c[1] += u64::from(b[1]);
        }
        for &(k, label) in &block.wraps {
            if let Some(c) = self.counts.get_mut(k as usize) {
                c[usize::from(label)] += 256;
            }
        }
    }

    /// Adds another cell's grid.
    pub(crate) fn add_counts(&mut self, other: &GridCounts) {
        if other.counts.is_empty() {
            return;
        }
        if self.counts.is_empty() {
            self.counts = other.counts.clone();
            return;
        }
        for (c, o) in self.counts.iter_mut().zip(&other.counts) {
            c[0] += o[0];
            c[1] += o[1];
        }
    }

    /// Distinct scores with rows.
    pub(crate) fn distinct(&self) -> usize {
        self.counts.iter().filter(|c| c[0] + c[1] > 0).count()
    }

    /// Whether no block has been added.
    pub(crate) fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The rows as a tally sorted by score key (grid scores ascend with their index), without
    /// empty entries; with their number.
    pub(crate) fn tally(&self) -> (usize, impl Iterator<Item = Tally> + '_) {
        let n = self.distinct();
        let entries = self
            .counts
            .iter()
            .enumerate()
            .filter(|(_, c)| c[0] + c[1] > 0)
            .map(|(k, &c)| (score_key(grid_score(k)), c));
        (n, entries)
    }
}

/// A block grid's rows as a tally sorted by score key.
pub(crate) fn block_tally(block: &BlockGrid) -> Vec<Tally> {
    let mut counts = GridCounts::default();
    counts.add(block);
    let tally = counts.tally().1.collect();
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_up_to_four_are_on_the_grid_and_give_back_their_own_bits() {
        for k in 0..=GRID_STEPS {
            // The text a vendor writes, parsed as the reader parses it.
            let text = format!("{}", f64::from(k) / 1e4);
            let s: f64 = text.parse().unwrap_or(f64::NAN);
            let i = grid_index(s);
            assert_eq!(i, Some(k as usize), "{text}");
            assert_eq!(grid_score(k as usize).to_bits(), s.to_bits(), "{text}");
        }
        for text in ["0.1", "0.30", "0.3000", "1", "1.0", "0", "0.0001", "0.9999"] {
            let s: f64 = text.parse().unwrap_or(f64::NAN);
            assert!(grid_index(s).is_some(), "{text}");
        }
        // Off the grid: more decimals, out of range, NaN. -0.0 is 0 (score_key folds it).
        for s in [
            0.00005,
            0.12345,
            0.30000000000000004,
            1.0001,
            -0.0001,
            2.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(grid_index(s), None, "{s}");
        }
        assert_eq!(grid_index(-0.0), Some(0));
    }

    #[test]
    fn a_block_grid_counts_by_label_past_what_a_byte_holds() {
        let mut g = BlockGrid::new();
        assert!(g.add(0.25, true));
        assert!(g.add(0.25, false));
        assert!(g.add(0.25, true));
        assert!(!g.add(0.123456, true));
        assert_eq!(g.rows(), 3);
        assert_eq!(block_tally(&g), vec![(score_key(0.25), [1, 2])]);
        // 70,000 rows at one score and label wrap its byte 273 times.
        for _ in 0..70_000 {
            assert!(g.add(1.0, false));
        }
        assert!(g.add(0.0, true));
        let expected = vec![
            (score_key(0.0), [0, 1]),
            (score_key(0.25), [1, 2]),
            (score_key(1.0), [70_000, 0]),
        ];
        assert_eq!(block_tally(&g), expected);
        let mut sum = GridCounts::default();
        assert!(sum.is_empty());
        sum.add(&g);
        sum.add(&g);
        let doubled: Vec<Tally> = expected
            .iter()
            .map(|&(k, c)| (k, [2 * c[0], 2 * c[1]]))
            .collect();
        let (n, tally) = sum.tally();
        assert_eq!(n, doubled.len());
        assert_eq!(tally.collect::<Vec<_>>(), doubled);
    }
}
