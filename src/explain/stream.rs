//! Per-person explanations in one streaming pass over a file: for each row with a lawful
//! basis, its score, decision, reason codes and counterfactuals (one CSV), and its
//! contributions (another). Memory does not grow with the number of rows.

use crate::params::Checked;
use std::io::Write;

use super::local::{counterfactuals, reason_codes, signed, LinearView};
use super::ExplainParams;
use crate::data::{ColumnValues, DataSpec, Input};
use crate::decision::positive;
use crate::output::CsvWriter;
use crate::train::{sigmoid, Model, ModelReader, RuleSet};

/// Streams `input` and writes the reasons CSV (`id,score,decision,reason_1..k,counterfactuals`)
/// and the contributions CSV (`id,base,<feature>...,logit`; logistic models) where given.
/// Returns (people below the threshold, of whom with at least one counterfactual).
pub fn local(
    model: &Model,
    input: Input<'_>,
    params: &Checked<ExplainParams>,
    reasons: Option<&mut dyn Write>,
    contributions: Option<&mut dyn Write>,
) -> Result<(u64, u64), super::ExplainError> {
    let io = |e: csv::Error| super::ExplainError::Io(crate::output::csv_io(e));
    let mut mr = ModelReader::open(
        model,
        input,
        &DataSpec::default(),
        params.protected.as_deref(),
    )?;
    let id_idx = mr.column(mr.input.spec.id.as_deref());
    let view = LinearView::of(model);
    let t = model.threshold.clamp(1e-12, 1.0 - 1e-12);
    let target = (t / (1.0 - t)).ln();

    let mut rw = reasons.map(|w| CsvWriter::new(w, params.csv_cells));
    if let Some(w) = rw.as_mut() {
        let mut head = vec!["id".to_string(), "score".into(), "decision".into()];
        head.extend((1..=params.top).map(|k| format!("reason_{k}")));
        head.push("counterfactuals".into());
        w.write_record(&head).map_err(io)?;
    }
    let mut cw = match (&view, contributions) {
        (Some(_), Some(c)) => Some(CsvWriter::new(c, params.csv_cells)),
        _ => None,
    };
    if let Some(w) = cw.as_mut() {
        let mut head = vec!["id".to_string(), "base".into()];
        head.extend(mr.input.features.iter().cloned());
        head.push("logit".into());
        w.write_record(&head).map_err(io)?;
    }
    let single_rules: Vec<RuleSet> = model
        .rules
        .iter()
        .flat_map(|r| r.rule.iter())
        .map(|r| RuleSet {
            rule: vec![r.clone()],
        })
        .collect();

    let mut below = (0u64, 0u64);
    let step = crate::progress::step("reasons and counterfactuals: rows", 0);
    while let Some(chunk) = mr.reader.next_chunk()? {
        step.inc(chunk.n_rows as u64);
        let cols = &chunk.columns;
        let fcols = mr.features(&chunk);
        let (keep, _) = mr.consent(&chunk);
        let id_of = |r: usize| match id_idx.map(|i| &cols[i]) {
            Some(ColumnValues::Text(t)) => t.get(r).unwrap_or_default().to_string(),
            _ => String::new(),
        };
        match (&view, model.encoder.as_ref()) {
            (Some(view), Some(encoder)) => {
                let x = encoder.transform(&fcols, None)?.x;
                for r in (0..chunk.n_rows).filter(|&r| keep[r]) {
                    let row = x.row(r).to_vec();
                    let contrib = view.contributions(&row);
                    let logit = view.base + contrib.iter().sum::<f64>();
                    let p = sigmoid(logit);
                    let cfs = if !positive(p, model.threshold) {
                        let c = counterfactuals(
                            view,
                            &fcols,
                            &row,
                            r,
                            logit,
                            target,
                            &params.immutable,
                        );
                        below.0 += 1;
                        below.1 += u64::from(!c.is_empty());
                        c
                    } else {
                        Vec::new()
                    };
                    if let Some(w) = rw.as_mut() {
                        let mut rec = vec![
                            id_of(r),
                            format!("{p}"),
                            u8::from(positive(p, model.threshold)).to_string(),
                        ];
                        let mut codes = reason_codes(view, &fcols, &contrib, r, params.top);
                        codes.resize(params.top, String::new());
                        rec.extend(codes);
                        rec.push(
                            cfs.iter()
                                .map(|c| format!("{}: {} -> {}", c.feature, c.from, c.to))
                                .collect::<Vec<_>>()
                                .join("; "),
                        );
                        w.write_record(&rec).map_err(io)?;
                    }
                    if let Some(w) = cw.as_mut() {
                        let mut rec = vec![id_of(r), format!("{}", view.base)];
                        rec.extend(contrib.iter().map(|c| format!("{c}")));
                        rec.push(format!("{logit}"));
                        w.write_record(&rec).map_err(io)?;
                    }
                }
            }
            _ => {
                // A points model: the reasons are the rules that fired, largest effect first.
                let (p, _) = model.predict(&fcols)?;
                let slope = model.slope.unwrap_or(0.0);
                let mut fired: Vec<Vec<f64>> = Vec::new();
                for one in &single_rules {
                    fired.push(one.points(&fcols, None)?.0);
                }
                for r in (0..chunk.n_rows).filter(|&r| keep[r]) {
                    below.0 += u64::from(!positive(p[r], model.threshold));
                    if let Some(w) = rw.as_mut() {
                        let mut effects: Vec<(f64, String)> = single_rules
                            .iter()
                            .zip(&fired)
                            .filter(|(_, pts)| pts[r] != 0.0)
                            .map(|(one, pts)| {
                                let d = one.rule.first().map(|x| x.describe()).unwrap_or_default();
                                (
                                    slope * pts[r],
                                    format!(
                                        "{}: {d} ({:+} points)",
                                        signed(slope * pts[r]),
                                        pts[r]
                                    ),
                                )
                            })
                            .collect();
                        effects.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
                        let mut rec = vec![
                            id_of(r),
                            format!("{}", p[r]),
                            u8::from(positive(p[r], model.threshold)).to_string(),
                        ];
                        let mut codes: Vec<String> =
                            effects.into_iter().take(params.top).map(|e| e.1).collect();
                        codes.resize(params.top, String::new());
                        rec.extend(codes);
                        rec.push(String::new());
                        w.write_record(&rec).map_err(io)?;
                    }
                }
            }
        }
    }
    mr.reader.finish()?;
    if let Some(w) = rw.as_mut() {
        w.flush()?;
    }
    if let Some(w) = cw.as_mut() {
        w.flush()?;
    }
    Ok(below)
}
