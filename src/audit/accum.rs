//! A cell's accumulator ([`Acc`]): confusion counts and a sorted histogram of scores, built
//! from rows or from blocks folded on the decoding threads, merged in sorted runs.

use super::grid::{block_tally, BlockGrid, GridCounts, Tally};
use super::stats::{confusion_slot, merge_sorted, score_key, Count, ScoreCell, SegmentStats};

/// A cell's accumulator: confusion counts and a sorted histogram of scores. Scores are first
/// buffered and then folded into the histogram in sorted batches: sequential work instead of a
/// hash lookup (and a cache miss) per row. The batch size grows with the histogram, so the total
/// cost stays O(n log n) even when every score is distinct. Flushes depend only on the number
/// of rows the cell has seen, so the result does not depend on chunking.
#[derive(Default)]
pub(super) struct Acc {
    rows: u64,
    counts: [Count; 4],
    /// Distinct score keys, ascending, with their cells.
    hist: Vec<(u64, ScoreCell)>,
    /// Rows not yet folded in: (score key, positive, weight).
    buf: Vec<(u64, bool, f64)>,
    /// Sorted tallies of folded blocks not yet merged in, each at most half the size of the
    /// one before (a binary counter), so merging stays O(n log blocks).
    runs: Vec<Vec<Tally>>,
    /// Folded blocks' rows with scores on the grid (see [`super::grid`]).
    pub(super) grid: GridCounts,
    /// Counted rows ([`Acc::add_many`]), in the order added.
    many: Vec<(u64, ScoreCell)>,
}

impl Acc {
    #[inline]
    pub(super) fn add(&mut self, score: Option<f64>, selected: bool, positive: bool, weight: f64) {
        self.rows += 1;
        self.counts[confusion_slot(selected, positive)].add(weight);
        if let Some(s) = score {
            self.buf.push((score_key(s), positive, weight));
            if self.buf.len() >= 4096.max(self.hist.len() / 2) {
                self.flush();
            }
        }
    }

    /// Adds `rows` rows with one score (if any), decision and label, whose weights sum to
    /// `count` (an audit of statistics).
    pub(super) fn add_many(
        &mut self,
        score: Option<f64>,
        selected: bool,
        positive: bool,
        rows: u64,
        count: Count,
    ) {
        self.rows += rows;
        let slot = &mut self.counts[confusion_slot(selected, positive)];
        *slot = slot.plus(count);
        if let Some(s) = score {
            let mut cell = ScoreCell::default();
            cell.weight[usize::from(positive)] = count.w;
            cell.rows[usize::from(positive)] = rows;
            cell.weight2 = count.w2;
            self.many.push((score_key(s), cell));
        }
    }

    /// Folds the buffer into the histogram.
    fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        // Rows with one score are summed in an order fixed by the rows alone (the buffer's
        // contents do not depend on chunking), so the result is deterministic.
        self.buf.sort_unstable_by_key(|e| e.0);
        let mut runs: Vec<(u64, ScoreCell)> = Vec::new();
        for &(key, positive, weight) in &self.buf {
            match runs.last_mut() {
                Some((k, cell)) if *k == key => cell.add(positive, weight),
                _ => {
                    let mut cell = ScoreCell::default();
                    cell.add(positive, weight);
                    runs.push((key, cell));
                }
            }
        }
        self.buf.clear();
        let old = std::mem::take(&mut self.hist);
        let mut merged = Vec::with_capacity(old.len() + runs.len());
        let (mut a, mut b) = (old.into_iter().peekable(), runs.into_iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    let (k, mut cell) = a.next().unwrap_or_default();
                    if let Some((_, other)) = b.next() {
                        cell.merge(&other);
                    }
                    (k, cell)
                }
                (Some(x), Some(y)) if x.0 < y.0 => a.next().unwrap_or_default(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next().unwrap_or_default(),
                (Some(_), None) => a.next().unwrap_or_default(),
                (None, None) => break,
            };
            merged.push(next);
        }
        self.hist = merged;
    }

    /// Adds a folded block's cell: its rows, confusion counts, sorted tally and grid
    /// (unweighted). The grid's rows join this cell's grid when it has one or `may_grid`;
    /// otherwise they join the tally.
    pub(super) fn add_block(
        &mut self,
        rows: u64,
        counts: [u64; 4],
        mut run: Vec<Tally>,
        grid: Option<&BlockGrid>,
        may_grid: bool,
    ) {
        self.rows += rows;
        for (c, n) in self.counts.iter_mut().zip(counts) {
            *c = c.plus(Count {
                w: n as f64,
                w2: n as f64,
            });
        }
        if let Some(g) = grid.filter(|g| g.rows() > 0) {
            if may_grid || !self.grid.is_empty() {
                self.grid.add(g);
            } else {
                // The run may hold grid scores too (a cell's first rows in a block are
                // sorted): the merge adds the counts of keys in both.
                run = merge_tallies(&run, &block_tally(g));
            }
        }
        // Keys the largest run already has take the counts in place: once a cell has seen
        // most of its distinct scores, a block adds to them without copying anything.
        let run = match self.runs.first_mut() {
            Some(largest) => absorb(largest, run),
            None => run,
        };
        if run.is_empty() {
            return;
        }
        self.runs.push(run);
        while let [.., a, b] = self.runs.as_slice() {
            if a.len() > 2 * b.len() {
                break;
            }
            let b = self.runs.pop().unwrap_or_default();
            let a = self.runs.pop().unwrap_or_default();
            self.runs.push(merge_tallies(&a, &b));
        }
    }

    /// The cell's statistics, except the rows on its grid (see [`with_grids`]).
    pub(super) fn finish(&mut self) -> SegmentStats {
        self.flush();
        let mut hist = std::mem::take(&mut self.hist);
        // The sorted runs together, smallest first.
        let mut tally = self.runs.pop().unwrap_or_default();
        while let Some(run) = self.runs.pop() {
            tally = merge_tallies(&run, &tally);
        }
        let n = tally.len();
        let mut folded = with_tally(tally.into_iter(), n, &[]);
        if !self.many.is_empty() {
            // Sorted by key (stably: cells of one key are added in the order given).
            let mut many = std::mem::take(&mut self.many);
            many.sort_by_key(|e| e.0);
            let mut counted: Vec<(u64, ScoreCell)> = Vec::with_capacity(many.len());
            for (key, cell) in many {
                match counted.last_mut() {
                    Some((k, c)) if *k == key => c.merge(&cell),
                    _ => counted.push((key, cell)),
                }
            }
            folded = merge_sorted(folded, &counted);
        }
        if !folded.is_empty() {
            hist = if hist.is_empty() {
                folded
            } else {
                merge_sorted(hist, &folded)
            };
        }
        SegmentStats::from_counts(self.rows, self.counts, hist)
    }
}

/// Adds the counts of `run`'s keys that `into` has to `into` (both sorted by key), and returns
/// the rest of `run`, still sorted, in `run`'s own buffer. Each key is found by galloping
/// forward from the previous one, so a run of k keys costs O(k log(gap)).
fn absorb(into: &mut [Tally], mut run: Vec<Tally>) -> Vec<Tally> {
    let (mut i, mut kept) = (0, 0);
    for r in 0..run.len() {
        let (key, counts) = run[r];
        // The first position at or after i whose key is not below `key`.
        let mut bound = 1;
        while i + bound <= into.len() && into[i + bound - 1].0 < key {
            bound *= 2;
        }
        let lo = i + bound / 2;
        let hi = (i + bound).min(into.len());
        i = lo + into[lo..hi].partition_point(|e| e.0 < key);
        match into.get_mut(i) {
            Some((k, c)) if *k == key => {
                c[0] += counts[0];
                c[1] += counts[1];
            }
            _ => {
                run[kept] = (key, counts);
                kept += 1;
            }
        }
    }
    run.truncate(kept);
    run
}

/// A tally sorted by key (of `a_len` entries) and a histogram merged, adding the cells of
/// equal keys. The tally's counts are rows of weight 1.
fn with_tally(
    a: impl Iterator<Item = Tally>,
    a_len: usize,
    b: &[(u64, ScoreCell)],
) -> Vec<(u64, ScoreCell)> {
    let mut out = Vec::with_capacity(a_len + b.len());
    let mut b = b.iter().copied().peekable();
    for (key, rows) in a {
        let weight = rows.map(|r| r as f64);
        let mut cell = ScoreCell {
            weight,
            rows,
            weight2: weight[0] + weight[1],
        };
        while let Some(&(k, c)) = b.peek() {
            if k > key {
                break;
            }
            if k == key {
                cell.merge(&c);
            } else {
                out.push((k, c));
            }
            b.next();
        }
        out.push((key, cell));
    }
    out.extend(b);
    out
}

/// The statistics of cells together (their sorted parts as [`SegmentStats::merged`] merges
/// them), with the rows of their grids added. Grid rows are unweighted, so every sum at a key
/// is a sum of integers, the same in any order.
pub(super) fn with_grids(parts: &[&SegmentStats], grids: &[&GridCounts]) -> SegmentStats {
    let mut out = SegmentStats::merged(parts);
    let grids: Vec<&GridCounts> = grids.iter().copied().filter(|g| !g.is_empty()).collect();
    let sum;
    let grid = match grids.as_slice() {
        [] => return out,
        [one] => *one,
        several => {
            sum = several.iter().fold(GridCounts::default(), |mut sum, g| {
                sum.add_counts(g);
                sum
            });
            &sum
        }
    };
    let (n, entries) = grid.tally();
    out.scores = with_tally(entries, n, &out.scores);
    out
}

/// Merges two tallies sorted by key, adding the counts of equal keys.
fn merge_tallies(a: &[Tally], b: &[Tally]) -> Vec<Tally> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x.0 < y.0 {
            out.push(x);
            i += 1;
        } else if y.0 < x.0 {
            out.push(y);
            j += 1;
        } else {
            out.push((x.0, [x.1[0] + y.1[0], x.1[1] + y.1[1]]));
            i += 1;
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::{absorb, merge_tallies, Tally};

    #[test]
    fn absorbing_then_merging_equals_merging() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let sorted = |rng: &mut rand_xoshiro::Xoshiro256PlusPlus, n: usize, span: u64| {
            let mut keys: Vec<u64> = (0..n).map(|_| rng.gen_range(0..span)).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.into_iter()
                .map(|k| (k, [rng.gen_range(0..5), rng.gen_range(0..5)]))
                .collect::<Vec<Tally>>()
        };
        for _ in 0..2000 {
            let span = rng.gen_range(1..400);
            let (na, nb) = (rng.gen_range(0..200), rng.gen_range(0..200));
            let a = sorted(&mut rng, na, span);
            let b = sorted(&mut rng, nb, span);
            let expected = merge_tallies(&a, &b);
            let mut into = a.clone();
            let rest = absorb(&mut into, b.clone());
            assert!(rest.windows(2).all(|w| w[0].0 < w[1].0));
            assert!(rest.iter().all(|r| a.iter().all(|e| e.0 != r.0)));
            assert_eq!(merge_tallies(&into, &rest), expected);
        }
    }
}
