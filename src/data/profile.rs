//! A profile of a loaded table for `fairgate inspect`: the load summary plus the size of each
//! protected group, rendered as JSON or a readable table. Counts and names only.

use crate::doc::TextLayout;
use serde::Serialize;

use super::schema::MISSING_CODE;
use super::spec::Role;
use super::summary::LoadSummary;
use super::table::{Column, Table};

/// The version of the JSON layout of [`Profile`].
pub const PROFILE_SCHEMA_VERSION: u32 = 1;

/// Size of one group of a protected attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupCount {
    /// The group's value; `(missing)` for rows without one.
    pub group: String,
    /// Used rows in the group.
    pub rows: u64,
}

/// The groups of one protected attribute, largest first (ties by name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttributeGroups {
    /// The column.
    pub attribute: String,
    /// Its groups.
    pub groups: Vec<GroupCount>,
}

/// What `fairgate inspect` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Profile {
    /// Layout version of this JSON.
    pub schema_version: u32,
    /// The fairgate version that wrote it.
    pub fairgate_version: String,
    /// The load summary.
    pub load: LoadSummary,
    /// Group sizes of each protected attribute.
    pub protected_groups: Vec<AttributeGroups>,
    /// Used rows whose id appeared on an earlier row, when there is an id column.
    pub duplicate_ids: Option<u64>,
}

impl Profile {
    /// Profiles a loaded table.
    pub fn of(table: &Table) -> Profile {
        let protected_groups = table
            .with_role(Role::Protected)
            .filter_map(|c| {
                let codes = c.as_codes()?;
                let mut counts = vec![0u64; c.levels.len()];
                let mut missing = 0u64;
                for &code in codes {
                    match counts.get_mut(code as usize) {
                        Some(n) => *n += 1,
                        None if code == MISSING_CODE => missing += 1,
                        None => {}
                    }
                }
                let mut groups: Vec<GroupCount> = c
                    .levels
                    .iter()
                    .zip(counts)
                    .map(|(g, rows)| GroupCount {
                        group: g.clone(),
                        rows,
                    })
                    .collect();
                if missing > 0 {
                    groups.push(GroupCount {
                        group: "(missing)".into(),
                        rows: missing,
                    });
                }
                groups.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.group.cmp(&b.group)));
                Some(AttributeGroups {
                    attribute: c.name.clone(),
                    groups,
                })
            })
            .collect();
        let duplicate_ids = table
            .with_role(Role::Id)
            .find_map(Column::as_text)
            .map(|ids| {
                let mut seen = std::collections::HashSet::with_capacity(ids.len());
                ids.iter()
                    .filter(|id| !id.is_empty() && !seen.insert(*id))
                    .count() as u64
            });
        Profile {
            duplicate_ids,
            schema_version: PROFILE_SCHEMA_VERSION,
            fairgate_version: crate::version::VERSION.to_string(),
            load: table.summary().clone(),
            protected_groups,
        }
    }

    /// Pretty JSON with a trailing newline; the same profile gives the same bytes.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// A readable account for a terminal.
    pub fn to_text(&self) -> String {
        self.to_text_in(TextLayout::FULL)
    }

    /// [`Profile::to_text`] laid out for a terminal: tables fitted to `layout.width` (cells
    /// wrap inside their column), the lines around them wrapped to it.
    pub fn to_text_in(&self, layout: TextLayout) -> String {
        let para = |s: String| match layout.width {
            Some(w) => crate::text::wrap(&s, usize::from(w)),
            None => s,
        };
        let new_table = |header: &[&str]| {
            let mut t = layout.table();
            t.set_header(header.to_vec());
            t
        };
        let l = &self.load;
        let mut out = String::new();
        let format = match l.format.as_deref() {
            Some(f) => format!("{} file", f.to_uppercase()),
            None => format!(
                "delimiter {:?}{}{}",
                l.delimiter,
                if l.delimiter_detected {
                    " (detected)"
                } else {
                    " (given)"
                },
                if l.byte_order_mark {
                    ", UTF-8 byte-order mark skipped"
                } else {
                    ""
                }
            ),
        };
        out.push_str(&para(format!(
            "{}: {} bytes, sha256 {}\n{format}\nrows: {} read, {} used, {} rejected\n",
            l.source, l.bytes, l.sha256, l.rows_read, l.rows_used, l.rows_rejected
        )));
        if !l.rejected.is_empty() {
            let mut t = new_table(&["rejected because", "column", "rows", "first line"]);
            for r in &l.rejected {
                t.add_row([
                    r.reason.clone(),
                    r.column.clone().unwrap_or_default(),
                    r.rows.to_string(),
                    r.first_line.to_string(),
                ]);
            }
            out.push_str(&format!("{t}\n"));
        }
        let mut t = new_table(&[
            "column",
            "role",
            "kind",
            "missing",
            "when missing",
            "levels",
        ]);
        for c in &l.columns {
            let kind = serde_json::to_value(c.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            t.add_row([
                c.name.clone(),
                c.role.as_str().to_string(),
                if c.inferred {
                    format!("{kind} (inferred)")
                } else {
                    kind
                },
                c.missing.to_string(),
                c.missing_policy.clone(),
                c.levels.map(|n| n.to_string()).unwrap_or_default(),
            ]);
        }
        out.push_str(&format!("{t}\n"));
        if !l.ignored_columns.is_empty() {
            out.push_str(&para(format!(
                "not read (no role): {}\n",
                l.ignored_columns.join(", ")
            )));
        }
        if let Some(lab) = &l.label {
            out.push_str(&format!(
                "label: positive {} ({} rows), negative {} ({} rows)\n",
                lab.positive
                    .as_deref()
                    .map_or("(none seen)".into(), |s| format!("{s:?}")),
                lab.positives,
                lab.negative
                    .as_deref()
                    .map_or("(none seen)".into(), |s| format!("{s:?}")),
                lab.negatives
            ));
        }
        if let Some(d) = self.duplicate_ids {
            out.push_str(&format!("duplicate ids: {d}\n"));
        }
        for a in &self.protected_groups {
            let mut t = new_table(&[a.attribute.as_str(), "rows"]);
            for g in &a.groups {
                t.add_row([g.group.clone(), g.rows.to_string()]);
            }
            out.push_str(&format!("{t}\n"));
        }
        out
    }
}
