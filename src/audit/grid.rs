//! Counting scores that lie on a grid of 10⁻⁴ in place. Exported scores are often rounded
//! (vendor deciles, or probabilities to 2-4 decimals); a score `s` is on the grid when
//! `s == k / 10⁴` in f64 for an integer `k` in `0..=10⁴`. Such a score needs no sort: a
//! folded block counts its rows in a dense array indexed by `k` ([`BlockGrid`]), and the
//! auditor adds the blocks' arrays into one per cell ([`GridCounts`]). The key of a grid score
//! is recovered exactly at the end, because `k / 10⁴` is computed the same way, so the result
//! is the same histogram, bit for bit, that sorting the rows' keys gives. Scores off the grid
//! (full precision) take the sorted path, and the two parts have disjoint keys.

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

/// One block cell's rows on the grid: per index, negatives in the low 16 bits and positives
/// in the high 16 bits (one memory access per row). It takes at most [`BlockGrid::CAPACITY`]
/// rows, so neither half can overflow; the caller counts further rows another way.
pub(crate) struct BlockGrid {
    counts: Vec<u32>,
    rows: u32,
}

impl BlockGrid {
    /// The most rows a block grid takes.
    pub(crate) const CAPACITY: u32 = u16::MAX as u32;

    /// An empty grid.
    pub(crate) fn new() -> BlockGrid {
        BlockGrid {
            counts: vec![0; GRID_LEN],
            rows: 0,
        }
    }

    /// Counts a row with score `s` and returns `true`, or returns `false` (counting nothing)
    /// when `s` is off the grid or the grid is full.
    #[inline]
    pub(crate) fn add(&mut self, s: f64, positive: bool) -> bool {
        match grid_index(s) {
            Some(k) if self.rows < Self::CAPACITY => {
                self.rows += 1;
                if let Some(c) = self.counts.get_mut(k) {
                    *c += 1 << (16 * u32::from(positive));
                }
                true
            }
            _ => false,
        }
    }

    /// Rows counted.
    pub(crate) fn rows(&self) -> u32 {
        self.rows
    }

    /// Negatives and positives at grid index `k`, for every `k`.
    fn entries(&self) -> impl Iterator<Item = [u64; 2]> + '_ {
        self.counts.iter().map(|&c| unpack(c))
    }
}

#[inline]
fn unpack(c: u32) -> [u64; 2] {
    [u64::from(c & 0xFFFF), u64::from(c >> 16)]
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
        for (c, b) in self.counts.iter_mut().zip(block.entries()) {
            c[0] += b[0];
            c[1] += b[1];
        }
    }

    /// Whether no block has been added.
    pub(crate) fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The rows as a tally sorted by score key (grid scores ascend with their index), without
    /// empty entries.
    pub(crate) fn tally(&self) -> Vec<Tally> {
        tally_of(self.counts.iter().copied())
    }
}

/// A block grid's rows as a tally sorted by score key.
pub(crate) fn block_tally(block: &BlockGrid) -> Vec<Tally> {
    tally_of(block.entries())
}

fn tally_of(entries: impl Iterator<Item = [u64; 2]>) -> Vec<Tally> {
    entries
        .enumerate()
        .filter(|(_, c)| c[0] + c[1] > 0)
        .map(|(k, c)| (score_key(grid_score(k)), c))
        .collect()
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
    fn a_block_grid_counts_by_label_and_stops_when_full() {
        let mut g = BlockGrid::new();
        assert!(g.add(0.25, true));
        assert!(g.add(0.25, false));
        assert!(g.add(0.25, true));
        assert!(!g.add(0.123456, true));
        assert_eq!(block_tally(&g), vec![(score_key(0.25), [1, 2])]);
        for _ in 3..BlockGrid::CAPACITY {
            assert!(g.add(1.0, true));
        }
        assert_eq!(g.rows(), BlockGrid::CAPACITY);
        assert!(!g.add(1.0, true));
        let t = block_tally(&g);
        assert_eq!(
            t[1],
            (score_key(1.0), [0, u64::from(BlockGrid::CAPACITY) - 3])
        );
        let mut sum = GridCounts::default();
        assert!(sum.is_empty());
        sum.add(&g);
        sum.add(&g);
        assert_eq!(
            sum.tally(),
            vec![
                (score_key(0.25), [2, 4]),
                (
                    score_key(1.0),
                    [0, 2 * (u64::from(BlockGrid::CAPACITY) - 3)]
                )
            ]
        );
    }
}
