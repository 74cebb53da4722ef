//! `fairgate mitigate reweigh`: Kamiran & Calders reweighing of a data file's rows (the
//! formula and its rules in [`crate::train::reweigh`]), written as a weight per row.

use std::io::Write;

use serde::Serialize;

use super::{labels_and_weights, protected_columns, MitigateError, MITIGATE_SCHEMA_VERSION};
use crate::data::{DataSpec, LoadSummary, Role, Table};
use crate::doc::Render;
use crate::train::{Exclusions, Reweighing};

/// The reweighing of a data file.
#[derive(Clone, Debug, Serialize)]
pub struct ReweighResult {
    /// The JSON layout's version.
    pub schema_version: u32,
    /// fairgate's version.
    pub fairgate_version: String,
    /// What was read: the file, its SHA-256 and the row account.
    pub input: LoadSummary,
    /// Rows left out for want of a lawful basis (with a consent column), by reason.
    pub excluded: Exclusions,
    /// The cells, their factors and what could not be balanced.
    pub reweighing: Reweighing,
    /// The legal character of reweighing.
    pub character: super::Character,
    /// The rows reweighed (table positions), in order, with their new weights.
    #[serde(skip)]
    pub rows: Vec<usize>,
    /// The new weight of each of `rows`.
    #[serde(skip)]
    pub weights: Vec<f64>,
}

/// Reweighs the rows of `table` with a lawful basis (every row without a consent column) by
/// the (group, label) cells of `attributes`; prior weights (the weight column) multiply.
pub fn reweigh_table(
    table: &Table,
    spec: &DataSpec,
    attributes: &[String],
    min_cell_size: u64,
) -> Result<ReweighResult, MitigateError> {
    let cols = protected_columns(table, attributes)?;
    let (y, prior) = labels_and_weights(table)?;
    let consent = table.with_role(Role::Consent).next();
    let stamp = match &spec.consent_timestamp {
        Some(name) => table.column(name).and_then(|c| c.as_f64()),
        None => None,
    };
    let as_of = spec.as_of_seconds()?;
    let (keep, excluded) = crate::train::consent_filter(
        table.n_rows(),
        consent.and_then(|c| c.as_bool()),
        stamp,
        as_of,
    );
    let rows: Vec<usize> = (0..table.n_rows()).filter(|&i| keep[i]).collect();
    if rows.is_empty() {
        return Err(MitigateError::Data(
            "no row to reweigh: none has a lawful basis".into(),
        ));
    }
    let (reweighing, weights) = crate::train::reweigh(&cols, &y, prior, &rows, min_cell_size);
    Ok(ReweighResult {
        schema_version: MITIGATE_SCHEMA_VERSION,
        fairgate_version: crate::version::VERSION.to_string(),
        input: table.summary().clone(),
        excluded,
        reweighing,
        character: super::Character::AttributeAtTraining,
        rows,
        weights,
    })
}

impl ReweighResult {
    /// Writes one CSV line per reweighed row: the id (or `row`, the row's position among the
    /// rows loaded, from 1), the label, the group and the new weight (shortest round-trip
    /// decimal), ready to be given to `fairgate train --weight weight`.
    pub fn write_weights(
        &self,
        table: &Table,
        out: impl Write,
        cells: crate::output::CsvCells,
    ) -> Result<(), MitigateError> {
        let io = |e: csv::Error| MitigateError::Io(crate::output::csv_io(e));
        let id = table.with_role(Role::Id).next();
        let (y, _) = labels_and_weights(table)?;
        let cols = protected_columns(table, &self.reweighing.attributes)?;
        let mut w = crate::output::CsvWriter::new(out, cells);
        let mut head = vec![id.map_or("row".to_string(), |c| c.name.clone())];
        head.push("label".into());
        head.extend(cols.iter().map(|c| c.name.clone()));
        head.push("weight".into());
        w.write_record(&head).map_err(io)?;
        for (&i, weight) in self.rows.iter().zip(&self.weights) {
            let mut rec = vec![match id.and_then(|c| c.as_text()) {
                Some(t) => t.get(i).unwrap_or_default().to_string(),
                None => (i + 1).to_string(),
            }];
            rec.push(if y[i] { "1" } else { "0" }.into());
            for c in &cols {
                rec.push(
                    c.level_of(i)
                        .unwrap_or(crate::data::UNKNOWN_GROUP)
                        .to_string(),
                );
            }
            rec.push(format!("{weight}"));
            w.write_record(&rec).map_err(io)?;
        }
        w.flush()?;
        Ok(())
    }

    fn document(&self) -> crate::doc::Document {
        use crate::doc::{own, Block, Document};
        let r = &self.reweighing;
        let mut d = Document::default();
        d.push(Block::Heading(
            2,
            vec![own(format!(
                "Reweighing by {} ({} rows{})",
                r.attributes.join(" x "),
                r.rows,
                if r.prior_weights {
                    ", prior weights multiplied"
                } else {
                    ""
                }
            ))],
        ));
        let head = ["group", "label", "rows", "weight", "factor", "note"]
            .map(|h| vec![own(h)])
            .to_vec();
        let fixed = |v: f64, d: usize| format!("{v:.d$}");
        let body = r
            .cells
            .iter()
            .map(|c| {
                vec![
                    vec![crate::doc::data(c.group.join(", "))],
                    vec![own(if c.label { "1" } else { "0" })],
                    vec![own(c.rows.to_string())],
                    vec![own(fixed(c.weight, 3))],
                    vec![own(c.factor.map_or("none".into(), |f| fixed(f, 6)))],
                    vec![own(c.note.clone().unwrap_or_default())],
                ]
            })
            .collect();
        d.push(Block::Table { head, rows: body });
        let mut notes = Vec::new();
        if !r.unbalanced_groups.is_empty() {
            notes.push(format!(
                "{} group(s) have an empty cell and cannot be balanced: {}",
                r.unbalanced_groups.len(),
                r.unbalanced_groups.join("; ")
            ));
        }
        if r.small_cells > 0 {
            notes.push(format!(
                "{} cell(s) have fewer than {} rows: their factors rest on a handful of people",
                r.small_cells, r.min_cell_size
            ));
        }
        notes.push(self.character.describe().to_string());
        for n in notes {
            d.push(Block::Paragraph(vec![vec![own(n)]]));
        }
        d
    }
}

impl Render for ReweighResult {
    fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
    fn to_text(&self) -> String {
        self.document().text()
    }
    fn to_text_in(&self, layout: crate::doc::TextLayout) -> String {
        self.document().text_in(layout)
    }
    fn to_markdown(&self) -> String {
        self.document().markdown()
    }
}
