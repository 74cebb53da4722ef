//! Reweighing (Kamiran & Calders 2012, as AIF360's scikit-learn `Reweighing`): a weight per
//! (group, label) cell so that, once weighted, every group has the overall base rate.
//!
//! With `N` the total prior weight of the rows, `N_g` a group's, `N_c` a label's and `N_gc` a
//! cell's (sums of prior weights; counts without them):
//!
//! ```text
//! W(g, c) = N_g · N_c / (N · N_gc)        new weight = prior weight · W(g, c)
//! ```
//!
//! Groups are every combination of the chosen protected attributes' values (intersections),
//! the `unknown` group (a missing value) a group like any other. Weighted, each group's base
//! rate is then `N_c / N` and its total weight unchanged. A cell with no weight has no factor
//! (it holds no row): its group cannot be balanced, and the result says so. A cell with fewer
//! rows than the minimum cell size gets its factor (so the weights stay AIF360's) but is
//! flagged: its factor rests on a handful of people and can be extreme.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::{Column, MISSING_CODE, UNKNOWN_GROUP};

/// One (group, label) cell of a reweighing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReweighCell {
    /// The group's values, one per attribute (`unknown` for a missing value).
    pub group: Vec<String>,
    /// The label of the cell.
    pub label: bool,
    /// Rows in the cell.
    pub rows: u64,
    /// The cell's total prior weight (its rows without prior weights).
    pub weight: f64,
    /// `W(g, c)`; `None` for an empty cell (no row gets it).
    pub factor: Option<f64>,
    /// Why the cell needs a reader's attention: empty (the group cannot be balanced) or
    /// below the minimum cell size (an extreme factor from a handful of rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A reweighing: the cells, their factors and what could not be balanced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Reweighing {
    /// The protected attributes whose value combinations are the groups.
    pub attributes: Vec<String>,
    /// Rows reweighed.
    pub rows: u64,
    /// Their total prior weight.
    pub total_weight: f64,
    /// Whether prior row weights were multiplied in.
    pub prior_weights: bool,
    /// Cells with fewer rows are flagged.
    pub min_cell_size: u64,
    /// Every (group, label) cell of every group seen, groups in order of their values.
    pub cells: Vec<ReweighCell>,
    /// Groups with an empty cell: their base rate cannot be moved to the overall one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unbalanced_groups: Vec<String>,
    /// Cells below the minimum cell size.
    #[serde(default)]
    pub small_cells: u64,
}

/// The default minimum cell size: cells with fewer rows are flagged.
pub const DEFAULT_MIN_CELL: u64 = 10;

/// Reweighs `rows` (table positions) of the given protected columns with labels `y` and
/// optional prior weights (indexed by table position). Returns the reweighing and the new
/// weight of each of `rows`, in order (prior weight times its cell's factor).
pub fn reweigh(
    columns: &[&Column],
    y: &[bool],
    prior: Option<&[f64]>,
    rows: &[usize],
    min_cell_size: u64,
) -> (Reweighing, Vec<f64>) {
    let codes: Vec<(&[u32], Option<u32>)> = columns
        .iter()
        .map(|c| {
            (
                c.as_codes().unwrap_or_default(),
                crate::data::unknown_level(&c.levels),
            )
        })
        .collect();
    let key_of = |i: usize| -> Vec<u32> {
        codes
            .iter()
            .map(|(v, unknown)| match v.get(i).copied() {
                Some(c) if Some(c) != *unknown => c,
                _ => MISSING_CODE,
            })
            .collect()
    };
    let prior_of = |i: usize| prior.map_or(1.0, |w| w[i]);
    // Per group: [negatives, positives] as (rows, weight); summed in row order.
    let mut cells: BTreeMap<Vec<u32>, [(u64, f64); 2]> = BTreeMap::new();
    let (mut total, mut by_label) = (0.0, [0.0f64; 2]);
    for &i in rows {
        let w = prior_of(i);
        let c = &mut cells.entry(key_of(i)).or_default()[usize::from(y[i])];
        c.0 += 1;
        c.1 += w;
        total += w;
        by_label[usize::from(y[i])] += w;
    }
    let name = |key: &[u32]| -> Vec<String> {
        key.iter()
            .zip(columns)
            .map(|(&code, col)| {
                if code == MISSING_CODE {
                    UNKNOWN_GROUP.to_string()
                } else {
                    col.levels
                        .get(code as usize)
                        .cloned()
                        .unwrap_or_else(|| UNKNOWN_GROUP.to_string())
                }
            })
            .collect()
    };
    let mut factors: BTreeMap<(Vec<u32>, bool), f64> = BTreeMap::new();
    let mut out_cells = Vec::new();
    let mut unbalanced = Vec::new();
    let mut small = 0;
    for (key, pair) in &cells {
        let group_weight = pair[0].1 + pair[1].1;
        let group = name(key);
        let mut empty = false;
        for label in [false, true] {
            let (n, w) = pair[usize::from(label)];
            let factor =
                (w > 0.0).then(|| group_weight * by_label[usize::from(label)] / (total * w));
            if let Some(f) = factor {
                factors.insert((key.clone(), label), f);
            }
            let note = if w <= 0.0 {
                empty = true;
                Some(format!(
                    "no {} row{}: this group's base rate cannot be balanced",
                    if label { "positive" } else { "negative" },
                    if n > 0 { " with weight" } else { "" }
                ))
            } else if n < min_cell_size {
                small += 1;
                Some(format!(
                    "{n} row{} (under the minimum cell size {min_cell_size}): the factor rests on a handful of people",
                    if n == 1 { "" } else { "s" }
                ))
            } else {
                None
            };
            out_cells.push(ReweighCell {
                group: group.clone(),
                label,
                rows: n,
                weight: w,
                factor,
                note,
            });
        }
        if empty {
            unbalanced.push(group.join(", "));
        }
    }
    // Groups in order of their values (the codes are in order of first appearance).
    out_cells.sort_by(|a, b| a.group.cmp(&b.group).then(a.label.cmp(&b.label)));
    unbalanced.sort();
    let weights = rows
        .iter()
        .map(|&i| {
            // A row's own cell always has weight unless the row's prior weight is 0, in which
            // case its new weight is 0 too.
            let f = factors.get(&(key_of(i), y[i])).copied().unwrap_or(0.0);
            prior_of(i) * f
        })
        .collect();
    (
        Reweighing {
            attributes: columns.iter().map(|c| c.name.clone()).collect(),
            rows: rows.len() as u64,
            total_weight: total,
            prior_weights: prior.is_some(),
            min_cell_size,
            cells: out_cells,
            unbalanced_groups: unbalanced,
            small_cells: small,
        },
        weights,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{ColumnKind, ColumnValues, Role};

    fn col(name: &str, codes: Vec<u32>, levels: &[&str]) -> Column {
        Column {
            name: name.into(),
            role: Role::Protected,
            kind: ColumnKind::Categorical,
            values: ColumnValues::Categorical(codes),
            levels: levels.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn every_group_gets_the_overall_base_rate_and_keeps_its_weight() {
        // Group a: 3 positives of 4; group b: 1 of 4; one missing value (unknown) with a
        // positive and a negative.
        let g = col(
            "g",
            vec![0, 0, 0, 0, 1, 1, 1, 1, MISSING_CODE, MISSING_CODE],
            &["a", "b"],
        );
        let y = [
            true, true, true, false, true, false, false, false, true, false,
        ];
        let rows: Vec<usize> = (0..10).collect();
        let (r, w) = reweigh(&[&g], &y, None, &rows, 1);
        assert_eq!(r.cells.len(), 6);
        assert!(r.unbalanced_groups.is_empty());
        for group in [0u32, 1, MISSING_CODE] {
            let members: Vec<usize> = rows
                .iter()
                .copied()
                .filter(|&i| g.as_codes().unwrap()[i] == group)
                .collect();
            let total: f64 = members.iter().map(|&i| w[i]).sum();
            let pos: f64 = members.iter().filter(|&&i| y[i]).map(|&i| w[i]).sum();
            assert!((total - members.len() as f64).abs() < 1e-12);
            assert!(
                (pos / total - 0.5).abs() < 1e-12,
                "{group}: {}",
                pos / total
            );
        }
        // W(a, +) = N_a N_+ / (N N_a+) = 4 * 5 / (10 * 3).
        assert!((w[0] - 20.0 / 30.0).abs() < 1e-15);
    }

    #[test]
    fn an_empty_cell_is_reported_not_a_nan() {
        let g = col("g", vec![0, 0, 1, 1], &["a", "b"]);
        let y = [true, false, false, false];
        let (r, w) = reweigh(&[&g], &y, None, &[0, 1, 2, 3], 10);
        assert_eq!(r.unbalanced_groups, vec!["b".to_string()]);
        assert!(w.iter().all(|v| v.is_finite() && *v > 0.0));
        let empty = r
            .cells
            .iter()
            .find(|c| c.group == ["b"] && c.label)
            .unwrap();
        assert_eq!(empty.factor, None);
        assert!(empty
            .note
            .as_deref()
            .unwrap()
            .contains("cannot be balanced"));
        assert_eq!(r.small_cells, 3);
    }
}
