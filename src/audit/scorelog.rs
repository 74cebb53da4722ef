//! The logarithms that log loss and the calibration fit take of each score, computed once per
//! distinct score of the whole sample and shared by every group (and every bootstrap
//! replicate), instead of once per group. The audit builds the table only when scores repeat
//! across its cells; a lookup gives exactly what computing gives, so results do not depend on
//! it.

use super::stats::SegmentStats;

/// The logarithms of a score s clamped to s' in [ε, 1 - ε] (ε = `f64::EPSILON`, as
/// scikit-learn's `log_loss` clips): ln(1 - s'), ln(s') and the logit ln(s' / (1 - s')).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreLog {
    /// ln(1 - s').
    pub ln_not: f64,
    /// ln(s').
    pub ln: f64,
    /// ln(s' / (1 - s')).
    pub logit: f64,
    /// s' itself.
    pub clamped: f64,
}

impl ScoreLog {
    /// The logarithms of score `s`.
    pub fn of(s: f64) -> ScoreLog {
        let eps = f64::EPSILON;
        let p = s.clamp(eps, 1.0 - eps);
        ScoreLog {
            ln_not: (1.0 - p).ln(),
            ln: p.ln(),
            logit: (p / (1.0 - p)).ln(),
            clamped: p,
        }
    }
}

/// [`ScoreLog`] of every distinct score of a sample, by histogram key, ascending.
#[derive(Clone, Debug, Default)]
pub struct ScoreLogs {
    keys: Vec<u64>,
    logs: Vec<ScoreLog>,
}

impl ScoreLogs {
    /// The logarithms of every distinct score of `s` (the whole sample: every group's scores
    /// are among them).
    pub fn new(s: &SegmentStats) -> ScoreLogs {
        const PIECE: usize = 16_384;
        let keys: Vec<u64> = s.scores.iter().map(|(k, _)| *k).collect();
        // In pieces, on every core.
        let pieces = crate::par::par_map(keys.len().div_ceil(PIECE), |p| {
            keys[p * PIECE..keys.len().min((p + 1) * PIECE)]
                .iter()
                .map(|k| ScoreLog::of(f64::from_bits(*k)))
                .collect::<Vec<_>>()
        });
        ScoreLogs {
            logs: pieces.concat(),
            keys,
        }
    }
}

/// Looks up [`ScoreLog`]s for keys given in ascending order (a histogram's), each found by
/// galloping forward from the previous one; a key the table does not have (or no table) is
/// computed on the spot, so the answer never depends on the table.
pub struct LogCursor<'a> {
    table: Option<&'a ScoreLogs>,
    at: usize,
}

impl<'a> LogCursor<'a> {
    /// A cursor at the start of `table`.
    pub fn new(table: Option<&'a ScoreLogs>) -> Self {
        LogCursor { table, at: 0 }
    }

    /// The logarithms of the score with histogram key `key` (keys ascending between calls).
    #[inline]
    pub fn get(&mut self, key: u64) -> ScoreLog {
        if let Some(t) = self.table {
            let keys = &t.keys[self.at.min(t.keys.len())..];
            // The first position not below `key`: gallop, then search the last stretch.
            let mut bound = 1;
            while bound <= keys.len() && keys[bound - 1] < key {
                bound *= 2;
            }
            let lo = bound / 2;
            let hi = bound.min(keys.len());
            let i = lo + keys[lo..hi].partition_point(|&k| k < key);
            self.at += i;
            if keys.get(i) == Some(&key) {
                if let Some(l) = t.logs.get(self.at) {
                    return *l;
                }
            }
        }
        ScoreLog::of(f64::from_bits(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn the_table_gives_what_computing_gives() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let mut all = SegmentStats::default();
        for _ in 0..2_000 {
            let s = f64::from(rng.gen_range(0..=1000)) / 1000.0;
            all.add(Some(s), s >= 0.5, rng.gen(), 1.0);
        }
        // Extremes the clamp changes.
        all.add(Some(0.0), false, false, 1.0);
        all.add(Some(1.0), true, true, 1.0);
        let table = ScoreLogs::new(&all);
        for case in 0..200 {
            // Keys ascending: a sample of the table's, with some it does not have.
            let mut keys: Vec<u64> = all
                .scores
                .iter()
                .map(|(k, _)| *k)
                .filter(|_| rng.gen_range(0..4) == 0)
                .collect();
            if case % 2 == 0 {
                keys.push(0.12345f64.to_bits());
                keys.push(0.5000001f64.to_bits());
                keys.sort_unstable();
                keys.dedup();
            }
            let mut cursor = LogCursor::new(Some(&table));
            for &k in &keys {
                let want = ScoreLog::of(f64::from_bits(k));
                assert_eq!(cursor.get(k), want, "{}", f64::from_bits(k));
            }
        }
        let mut none = LogCursor::new(None);
        assert_eq!(none.get(0.25f64.to_bits()), ScoreLog::of(0.25));
    }
}
