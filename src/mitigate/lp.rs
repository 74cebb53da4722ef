//! A small dense linear-program solver for the exponentiated gradient's LP step: minimise
//! `c·x` subject to `A_ub x <= b_ub`, `A_eq x = b_eq`, each variable `>= 0` or free. Two-phase
//! simplex on a dense tableau with Bland's rule (no cycling); exact enough for the tens of
//! variables and constraints the step has. Deterministic.

/// A variable's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// `x >= 0`.
    NonNegative,
    /// Unbounded.
    Free,
}

/// The outcome of [`solve`].
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// An optimal point and its objective.
    Optimal {
        /// The variables.
        x: Vec<f64>,
        /// `c·x`.
        objective: f64,
    },
    /// No point satisfies the constraints.
    Infeasible,
    /// The objective decreases without bound.
    Unbounded,
}

const EPS: f64 = 1e-11;

/// The tableau: `rows` constraint rows and the objective row last; the right-hand side is
/// the last column.
struct Tableau {
    t: Vec<Vec<f64>>,
    basis: Vec<usize>,
    cols: usize,
}

impl Tableau {
    fn pivot(&mut self, r: usize, c: usize) {
        let p = self.t[r][c];
        self.t[r].iter_mut().for_each(|v| *v /= p);
        let row = self.t[r].clone();
        for (i, other) in self.t.iter_mut().enumerate() {
            if i != r {
                let f = other[c];
                if f != 0.0 {
                    other.iter_mut().zip(&row).for_each(|(v, w)| *v -= f * w);
                }
            }
        }
        self.basis[r] = c;
    }

    /// Minimises the objective row over the columns `allowed`; false when unbounded.
    fn optimise(&mut self, allowed: usize) -> bool {
        let m = self.basis.len();
        let rhs = self.cols;
        loop {
            // Bland: the entering column is the first with a negative reduced cost.
            let Some(c) = (0..allowed).find(|&j| self.t[m][j] < -EPS) else {
                return true;
            };
            // The leaving row: the smallest ratio, ties by the smallest basic index.
            let mut best: Option<(usize, f64)> = None;
            for i in 0..m {
                let a = self.t[i][c];
                if a > EPS {
                    let ratio = self.t[i][rhs] / a;
                    best = match best {
                        Some((b, r))
                            if r < ratio - EPS
                                || ((r - ratio).abs() <= EPS && self.basis[b] < self.basis[i]) =>
                        {
                            Some((b, r))
                        }
                        _ => Some((i, ratio)),
                    };
                }
            }
            match best {
                Some((r, _)) => self.pivot(r, c),
                None => return false,
            }
        }
    }
}

/// Solves `min c·x` s.t. `a_ub x <= b_ub`, `a_eq x = b_eq`, with `bounds` per variable.
pub fn solve(
    c: &[f64],
    a_ub: &[Vec<f64>],
    b_ub: &[f64],
    a_eq: &[Vec<f64>],
    b_eq: &[f64],
    bounds: &[Bound],
) -> Outcome {
    let n = c.len();
    // Free variables split into a positive and a negative part.
    let mut map: Vec<(usize, Option<usize>)> = Vec::with_capacity(n);
    let mut width = 0;
    for b in bounds {
        match b {
            Bound::NonNegative => {
                map.push((width, None));
                width += 1;
            }
            Bound::Free => {
                map.push((width, Some(width + 1)));
                width += 2;
            }
        }
    }
    let expand = |row: &[f64]| -> Vec<f64> {
        let mut out = vec![0.0; width];
        for (j, &(p, neg)) in map.iter().enumerate() {
            out[p] = row[j];
            if let Some(q) = neg {
                out[q] = -row[j];
            }
        }
        out
    };
    // Rows: each `<=` gets a slack; a row with a negative right-hand side is negated (its
    // slack then enters with -1) and, like every equality, gets an artificial variable.
    let m = a_ub.len() + a_eq.len();
    let slacks = a_ub.len();
    let mut rows: Vec<(Vec<f64>, f64, Option<f64>)> = Vec::with_capacity(m);
    for (r, &b) in a_ub.iter().zip(b_ub) {
        rows.push((expand(r), b, Some(1.0)));
    }
    for (r, &b) in a_eq.iter().zip(b_eq) {
        rows.push((expand(r), b, None));
    }
    let needs_artificial: Vec<bool> = rows
        .iter()
        .map(|(_, b, slack)| slack.is_none() || *b < 0.0)
        .collect();
    let n_art = needs_artificial.iter().filter(|&&x| x).count();
    let cols = width + slacks + n_art;
    let mut t = vec![vec![0.0; cols + 1]; m + 1];
    let mut basis = vec![0; m];
    let mut art = width + slacks;
    for (i, (row, b, slack)) in rows.iter().enumerate() {
        let sign = if *b < 0.0 { -1.0 } else { 1.0 };
        for j in 0..width {
            t[i][j] = sign * row[j];
        }
        if slack.is_some() {
            t[i][width + i] = sign;
        }
        t[i][cols] = sign * b;
        if needs_artificial[i] {
            t[i][art] = 1.0;
            basis[i] = art;
            art += 1;
        } else {
            basis[i] = width + i;
        }
    }
    let mut tab = Tableau { t, basis, cols };
    if n_art > 0 {
        // Phase 1: minimise the sum of the artificials.
        for (i, &artificial) in needs_artificial.iter().enumerate() {
            if artificial {
                let row = tab.t[i].clone();
                tab.t[m].iter_mut().zip(&row).for_each(|(o, v)| *o -= v);
            }
        }
        for j in width + slacks..cols {
            tab.t[m][j] = 0.0;
        }
        tab.optimise(cols);
        if -tab.t[m][cols] > 1e-9 {
            return Outcome::Infeasible;
        }
        // Drive artificials out of the basis where a real column can replace them.
        for i in 0..m {
            if tab.basis[i] >= width + slacks {
                if let Some(j) = (0..width + slacks).find(|&j| tab.t[i][j].abs() > EPS) {
                    tab.pivot(i, j);
                }
            }
        }
    }
    // Phase 2: the real objective, in terms of the non-basic columns.
    let mut obj = vec![0.0; cols + 1];
    obj[..width].copy_from_slice(&expand(c));
    for i in 0..m {
        let b = tab.basis[i];
        let f = obj[b];
        if f != 0.0 {
            obj.iter_mut().zip(&tab.t[i]).for_each(|(o, v)| *o -= f * v);
        }
    }
    tab.t[m] = obj;
    // Artificials may not re-enter.
    if !tab.optimise(width + slacks) {
        return Outcome::Unbounded;
    }
    let mut y = vec![0.0; width];
    for i in 0..m {
        if tab.basis[i] < width {
            y[tab.basis[i]] = tab.t[i][cols];
        }
    }
    let x: Vec<f64> = map
        .iter()
        .map(|&(p, neg)| y[p] - neg.map_or(0.0, |q| y[q]))
        .collect();
    let objective = x.iter().zip(c).map(|(a, b)| a * b).sum();
    Outcome::Optimal { x, objective }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random number in [-1, 1).
    fn r(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    /// The exponentiated gradient's LP and its dual, on random instances: both feasible, the
    /// objectives equal (strong duality certifies that both are optimal), the constraints
    /// met.
    #[test]
    fn the_lp_step_and_its_dual_meet_strong_duality() {
        let mut seed = 7;
        for _ in 0..200 {
            let hs = 2 + (r(&mut seed).abs() * 8.0) as usize;
            let k = 2 + (r(&mut seed).abs() * 10.0) as usize;
            let big_b = 100.0;
            let errors: Vec<f64> = (0..hs).map(|_| 0.1 + 0.3 * r(&mut seed).abs()).collect();
            // gamma - bound, per constraint and classifier.
            let g: Vec<Vec<f64>> = (0..k)
                .map(|_| (0..hs).map(|_| 0.2 * r(&mut seed)).collect())
                .collect();
            // Primal: min errors.Q + B z s.t. g Q - z <= 0, sum Q = 1.
            let mut c = errors.clone();
            c.push(big_b);
            let a_ub: Vec<Vec<f64>> = g
                .iter()
                .map(|row| {
                    let mut v = row.clone();
                    v.push(-1.0);
                    v
                })
                .collect();
            let mut eq = vec![1.0; hs];
            eq.push(0.0);
            let bounds = vec![Bound::NonNegative; hs + 1];
            let Outcome::Optimal { x, objective: p } =
                solve(&c, &a_ub, &vec![0.0; k], &[eq], &[1.0], &bounds)
            else {
                panic!("the primal is feasible and bounded");
            };
            assert!((x[..hs].iter().sum::<f64>() - 1.0).abs() < 1e-9);
            assert!(x.iter().all(|v| *v >= -1e-9));
            for row in &a_ub {
                assert!(row.iter().zip(&x).map(|(a, b)| a * b).sum::<f64>() <= 1e-9);
            }
            // Dual: min -mu s.t. -g^T lambda + mu <= errors, sum lambda <= B, lambda >= 0.
            let mut dc = vec![0.0; k];
            dc.push(-1.0);
            let mut da: Vec<Vec<f64>> = (0..hs)
                .map(|j| {
                    let mut v: Vec<f64> = (0..k).map(|i| -g[i][j]).collect();
                    v.push(1.0);
                    v
                })
                .collect();
            let mut last = vec![1.0; k];
            last.push(0.0);
            da.push(last);
            let mut db = errors.clone();
            db.push(big_b);
            let mut dbounds = vec![Bound::NonNegative; k];
            dbounds.push(Bound::Free);
            let Outcome::Optimal { x: y, objective: d } = solve(&dc, &da, &db, &[], &[], &dbounds)
            else {
                panic!("the dual is feasible and bounded");
            };
            assert!((p + d).abs() < 1e-8, "primal {p}, dual {}", -d);
            for (row, b) in da.iter().zip(&db) {
                assert!(row.iter().zip(&y).map(|(a, v)| a * v).sum::<f64>() <= b + 1e-9);
            }
        }
    }

    #[test]
    fn infeasible_and_unbounded_are_said() {
        // x <= -1 with x >= 0.
        let o = solve(
            &[1.0],
            &[vec![1.0]],
            &[-1.0],
            &[],
            &[],
            &[Bound::NonNegative],
        );
        assert_eq!(o, Outcome::Infeasible);
        // min -x with x >= 0 and nothing else.
        let o = solve(
            &[-1.0],
            &[vec![-1.0]],
            &[0.0],
            &[],
            &[],
            &[Bound::NonNegative],
        );
        assert_eq!(o, Outcome::Unbounded);
    }
}
