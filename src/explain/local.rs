//! Per-person explanations of a logistic model.
//!
//! - **Contributions** (linear SHAP values against the training mean, as the `shap` package's
//!   `LinearExplainer` with an independent masker over the training rows): for design column
//!   `j`, `φ_j = β_j (x_j − μ_j)`, with `μ_j` the column's training mean. A feature's
//!   contribution is the sum over its design columns. With the base value
//!   `φ_0 = β_0 + Σ β_j μ_j` they add up to the person's logit exactly.
//! - **Reason codes**: the `k` features with the largest absolute contributions, in words:
//!   `+0.80: webinars_attended = 3 (training average 0.9)`.
//! - **Counterfactuals**: for a person below the threshold, per actionable feature, the
//!   smallest change of that feature alone that lifts the logit to `logit(threshold)`. A
//!   numeric feature moves by `(logit(t) − logit) · scale / β`, offered only when the new
//!   value lies within the training range; a categorical one switches to the level whose
//!   coefficient gains the least while still crossing. Protected attributes
//!   are never features, and features marked immutable are never offered.

use serde::Serialize;

use crate::data::{ColumnValues, MISSING_CODE};
use crate::train::{FeatureColumn, FeatureEncoding, Model, MISSING_LEVEL};

/// Where each feature's design columns are, and what the model says about them.
pub struct LinearView<'m> {
    /// The model.
    pub model: &'m Model,
    /// Per feature, its first design column and width.
    pub spans: Vec<(usize, usize)>,
    /// Coefficients by design column.
    pub coef: Vec<f64>,
    /// The base value `β_0 + Σ β_j μ_j`.
    pub base: f64,
}

impl<'m> LinearView<'m> {
    /// The view of a logistic model; `None` for a points model.
    pub fn of(model: &'m Model) -> Option<LinearView<'m>> {
        let encoder = model.encoder.as_ref()?;
        let mut spans = Vec::new();
        let mut at = 0;
        for f in &encoder.features {
            spans.push((at, f.width()));
            at += f.width();
        }
        let coef: Vec<f64> = model.coefficients.iter().map(|c| c.value).collect();
        if model.background.len() != coef.len() || coef.len() != at {
            return None;
        }
        let base = model.intercept
            + coef
                .iter()
                .zip(&model.background)
                .map(|(b, m)| b * m)
                .sum::<f64>();
        Some(LinearView {
            model,
            spans,
            coef,
            base,
        })
    }

    /// Each feature's contribution for one design row.
    pub fn contributions(&self, row: &[f64]) -> Vec<f64> {
        self.spans
            .iter()
            .map(|&(a, w)| {
                (a..a + w)
                    .map(|j| self.coef[j] * (row[j] - self.model.background[j]))
                    .sum()
            })
            .collect()
    }
}

/// One counterfactual: a single feature's change that lifts the score to the threshold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Counterfactual {
    /// The feature.
    pub feature: String,
    /// Its value now.
    pub from: String,
    /// The value that reaches the threshold.
    pub to: String,
}

/// The person's value of feature `f` (row `i` of its loaded column), in words.
pub fn value_text(col: &FeatureColumn<'_>, i: usize) -> String {
    match col.values {
        ColumnValues::Numeric(v) if v[i].is_nan() => "missing".into(),
        ColumnValues::Numeric(v) => format_number(v[i]),
        ColumnValues::Boolean(v) => v[i].map_or("missing".into(), |b| b.to_string()),
        ColumnValues::Categorical(c) if c[i] == MISSING_CODE => MISSING_LEVEL.into(),
        ColumnValues::Categorical(c) => col.levels.get(c[i] as usize).cloned().unwrap_or_default(),
        ColumnValues::Text(t) => t.get(i).unwrap_or_default().to_string(),
    }
}

/// A contribution rounded to 2 decimals with its sign, e.g. `+0.56`.
pub fn signed(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 {
        "0".into()
    } else {
        format!("{r:+}")
    }
}

/// A number rounded to at most 4 decimals, without trailing zeros (the shortest text of the
/// rounded value).
pub fn format_number(v: f64) -> String {
    let r = (v * 1e4).round() / 1e4;
    if r == 0.0 {
        "0".into()
    } else if r.abs() < 1e15 {
        format!("{r}")
    } else {
        format!("{r:e}")
    }
}

/// The reason codes of one person: the `top` largest absolute contributions in words.
pub fn reason_codes(
    view: &LinearView<'_>,
    columns: &[FeatureColumn<'_>],
    contributions: &[f64],
    i: usize,
    top: usize,
) -> Vec<String> {
    let mut order: Vec<usize> = (0..contributions.len()).collect();
    order.sort_by(|&a, &b| {
        contributions[b]
            .abs()
            .total_cmp(&contributions[a].abs())
            .then(a.cmp(&b))
    });
    let encoder = view.model.encoder.as_ref();
    order
        .into_iter()
        .take(top)
        .filter(|&f| contributions[f] != 0.0)
        .map(|f| {
            let col = &columns[f];
            let what = match encoder.and_then(|e| e.features.get(f)) {
                Some(FeatureEncoding::Numeric { mean, fill, .. }) => {
                    let v = value_text(col, i);
                    if v == "missing" {
                        format!("{} missing (read as {})", col.name, format_number(*fill))
                    } else {
                        format!(
                            "{} = {v} (training average {})",
                            col.name,
                            format_number(*mean)
                        )
                    }
                }
                _ => format!("{} is {}", col.name, value_text(col, i)),
            };
            format!("{}: {what}", signed(contributions[f]))
        })
        .collect()
}

/// The counterfactuals of a person with logit `logit` below `target` (the threshold's logit):
/// per actionable feature, the smallest single change that reaches the target.
pub fn counterfactuals(
    view: &LinearView<'_>,
    columns: &[FeatureColumn<'_>],
    row: &[f64],
    i: usize,
    logit: f64,
    target: f64,
    immutable: &[String],
) -> Vec<Counterfactual> {
    let need = target - logit;
    let mut out = Vec::new();
    let Some(encoder) = view.model.encoder.as_ref() else {
        return out;
    };
    if need <= 0.0 {
        return out;
    }
    for (f, enc) in encoder.features.iter().enumerate() {
        if immutable.iter().any(|m| m == enc.name()) {
            continue;
        }
        let (a, _) = view.spans[f];
        match enc {
            FeatureEncoding::Numeric {
                name,
                mean,
                scale,
                boolean,
                integer,
                min,
                max,
                ..
            } => {
                let per_unit = view.coef[a] / scale;
                if per_unit == 0.0 {
                    continue;
                }
                let now = row[a] * scale + mean;
                if *boolean {
                    // The only change is the flip; it must gain enough.
                    let flipped = if now > 0.5 { 0.0 } else { 1.0 };
                    if per_unit * (flipped - now) >= need {
                        out.push(Counterfactual {
                            feature: name.clone(),
                            from: value_text(&columns[f], i),
                            to: (flipped > 0.5).to_string(),
                        });
                    }
                    continue;
                }
                let to = now + need / per_unit;
                // Only values seen in training are offered (no negative day counts).
                if to < *min || to > *max {
                    continue;
                }
                // Shown to 4 decimals (a whole-number feature: to a whole number), rounded
                // away from the current value so that the shown value still reaches the
                // threshold.
                let unit = if *integer { 1.0 } else { 1e4 };
                let shown = if to > now {
                    (to * unit).ceil() / unit
                } else {
                    (to * unit).floor() / unit
                };
                // Rounding can pass a training bound with more decimals: a decimal value is
                // kept at the bound (which still reaches the target, as `to` is inside).
                let shown = match (*integer, shown.clamp(*min, *max)) {
                    (true, kept) if kept != shown => continue,
                    (_, kept) => kept,
                };
                out.push(Counterfactual {
                    feature: name.clone(),
                    from: value_text(&columns[f], i),
                    to: format_number(shown),
                });
            }
            FeatureEncoding::Categorical { name, levels } => {
                let current = (0..levels.len()).find(|&k| row[a + k] == 1.0);
                let now = current.map_or(0.0, |k| view.coef[a + k]);
                let best = (0..levels.len())
                    .filter(|&k| Some(k) != current)
                    .map(|k| (view.coef[a + k] - now, k))
                    .filter(|(gain, _)| *gain >= need)
                    .min_by(|x, y| x.0.total_cmp(&y.0));
                if let Some((_, k)) = best {
                    out.push(Counterfactual {
                        feature: name.clone(),
                        from: value_text(&columns[f], i),
                        to: levels[k].clone(),
                    });
                }
            }
        }
    }
    out
}
