//! Rule-based points models, as marketers write them in marketing-automation tools: a
//! `points.toml` lists rules, each adding points to a lead. The total maps to a probability
//! by a logistic calibration fitted on labelled rows, `P = σ(a + b · points)`, so a
//! hand-written model is audited exactly like a fitted one.
//!
//! ```toml
//! [[rule]]
//! id = "senior-title"
//! description = "job title names a director or head of department"
//! column = "job_title"
//! contains = ["director", "head of"]   # case-insensitive; any of them
//! points = 10
//!
//! [[rule]]
//! id = "webinars"
//! column = "webinars_attended"
//! per = 5                              # points per unit of the column
//! max = 20                             # optional cap on what the rule adds (or takes)
//!
//! [[rule]]
//! id = "inactive"
//! column = "days_since_last_activity"
//! at-least = 90                        # with `below`, a range [at-least, below)
//! points = -20
//! ```
//!
//! A rule has `points` and exactly one kind of condition, or `per`:
//! - `contains = [..]`: a categorical value containing any of the strings (any case);
//! - `in = [..]`: a categorical value equal to one of them;
//! - `at-least = x` and/or `below = y`: a numeric value in `[x, y)`;
//! - `missing = true`: the value is missing;
//! - `per = k` (numeric columns): `k × value` points, capped at `max` in absolute value.
//!
//! A condition on a missing value does not fire (except `missing`), and `per` adds nothing.

use serde::{Deserialize, Serialize};

use super::design::FeatureColumn;
use super::TrainError;
use crate::data::{ColumnValues, MISSING_CODE};
use crate::file_error::FileError;

/// A rules file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// The rules, in file order.
    #[serde(default)]
    pub rule: Vec<Rule>,
}

/// One rule. See the module docs for its forms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Rule {
    /// A short unique name.
    pub id: String,
    /// Plain words for reason codes and reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The column it reads.
    pub column: String,
    /// Points when the condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// Holds when the value contains any of these (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Vec<String>>,
    /// Holds when the value is one of these.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    /// Holds when the value is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    /// Holds when the value is below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// Holds when the value is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<bool>,
    /// Points per unit of the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<f64>,
    /// Cap on the absolute points of a `per` rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// The file form, which keeps each rule's position for errors.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<toml::Spanned<Rule>>,
}

impl RuleSet {
    /// Parses and checks a rules file's text; errors name `origin` and the line.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<RuleSet, TrainError> {
        let file: RuleFile = toml::from_str(text).map_err(|e| FileError::toml(origin, text, &e))?;
        if file.rule.is_empty() {
            return Err(FileError::invalid(
                origin,
                None,
                "no [[rule]] tables; see the example in datasets/points.toml",
            )
            .into());
        }
        let mut ids = std::collections::BTreeSet::new();
        for spanned in &file.rule {
            let line = Some(line_of(text, spanned.span().start));
            let rule = spanned.get_ref();
            rule.check().map_err(|m| {
                FileError::invalid(origin, line, format!("rule \"{}\": {m}", rule.id))
            })?;
            if !ids.insert(rule.id.clone()) {
                return Err(FileError::invalid(
                    origin,
                    line,
                    format!("rule id \"{}\" is used twice", rule.id),
                )
                .into());
            }
        }
        Ok(RuleSet {
            rule: file
                .rule
                .into_iter()
                .map(toml::Spanned::into_inner)
                .collect(),
        })
    }

    /// Reads a rules file.
    pub fn from_path(path: &std::path::Path) -> Result<RuleSet, TrainError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(origin.clone(), e))?;
        RuleSet::from_toml_str(&text, &origin)
    }

    /// The columns the rules read, in first-use order.
    pub fn columns(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rule {
            if !out.contains(&r.column) {
                out.push(r.column.clone());
            }
        }
        out
    }

    /// Each row's points total. `columns` are the columns of [`RuleSet::columns`], in order.
    /// Also returns, per rule, the rows where it added points, among the rows `counted` marks
    /// (all rows when `None`).
    pub fn points(
        &self,
        columns: &[FeatureColumn<'_>],
        counted: Option<&[bool]>,
    ) -> Result<(Vec<f64>, Vec<u64>), TrainError> {
        let n = columns.first().map_or(0, |c| c.values.len());
        let mut total = vec![0.0; n];
        let mut fired = vec![0u64; self.rule.len()];
        for (r, rule) in self.rule.iter().enumerate() {
            let col = columns
                .iter()
                .find(|c| c.name == rule.column)
                .ok_or_else(|| {
                    TrainError::Rules(format!("column \"{}\" was not loaded", rule.column))
                })?;
            for (i, t) in total.iter_mut().enumerate() {
                let add = rule.points_for(col, i)?;
                if add != 0.0 {
                    if counted.is_none_or(|c| c.get(i) == Some(&true)) {
                        fired[r] += 1;
                    }
                    *t += add;
                }
            }
        }
        Ok((total, fired))
    }
}

impl Rule {
    /// Checks that the rule has one well-formed condition.
    fn check(&self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("id is empty".into());
        }
        let conditions = [
            self.contains.is_some(),
            self.one_of.is_some(),
            self.at_least.is_some() || self.below.is_some(),
            self.missing.is_some(),
            self.per.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if conditions != 1 {
            return Err("needs exactly one of contains, in, at-least/below, missing or per".into());
        }
        if self.per.is_some() == self.points.is_some() {
            return Err(if self.per.is_some() {
                "a per rule takes no points (it gives per x value)".into()
            } else {
                "needs points".into()
            });
        }
        if self.max.is_some() && self.per.is_none() {
            return Err("max applies only to a per rule".into());
        }
        let finite = [self.points, self.at_least, self.below, self.per, self.max];
        if finite.iter().flatten().any(|v| !v.is_finite()) {
            return Err("numbers must be finite".into());
        }
        if self.max.is_some_and(|m| m < 0.0) {
            return Err("max must be at least 0".into());
        }
        if let (Some(a), Some(b)) = (self.at_least, self.below) {
            if a >= b {
                return Err(format!("at-least {a} must be below {b}"));
            }
        }
        if self.missing == Some(false) {
            return Err("missing = false never differs from no rule; use missing = true".into());
        }
        for list in [&self.contains, &self.one_of].into_iter().flatten() {
            if list.is_empty() {
                return Err("the list of values is empty".into());
            }
        }
        Ok(())
    }

    /// The points this rule gives row `i`.
    fn points_for(&self, col: &FeatureColumn<'_>, i: usize) -> Result<f64, TrainError> {
        let points = self.points.unwrap_or(0.0);
        let wrong = |want: &str| {
            TrainError::Rules(format!(
                "rule \"{}\": column \"{}\" is not {want}",
                self.id, self.column
            ))
        };
        let value = match col.values {
            ColumnValues::Numeric(v) => Value::Number(Some(v[i]).filter(|x| !x.is_nan())),
            ColumnValues::Boolean(v) => Value::Number(v[i].map(|b| if b { 1.0 } else { 0.0 })),
            ColumnValues::Categorical(c) => Value::Text(
                (c[i] != MISSING_CODE)
                    .then(|| col.levels.get(c[i] as usize).map(String::as_str))
                    .flatten(),
            ),
            ColumnValues::Text(t) => Value::Text(t.get(i).filter(|s| !s.is_empty())),
        };
        if self.missing == Some(true) {
            let is_missing = matches!(value, Value::Number(None) | Value::Text(None));
            return Ok(if is_missing { points } else { 0.0 });
        }
        Ok(match value {
            Value::Number(v) => {
                if self.contains.is_some() || self.one_of.is_some() {
                    return Err(wrong("text (contains and in need a categorical column)"));
                }
                let Some(v) = v else { return Ok(0.0) };
                if let Some(k) = self.per {
                    let p = k * v;
                    match self.max {
                        Some(m) => p.clamp(-m, m),
                        None => p,
                    }
                } else {
                    let lo = self.at_least.is_none_or(|a| v >= a);
                    let hi = self.below.is_none_or(|b| v < b);
                    if lo && hi {
                        points
                    } else {
                        0.0
                    }
                }
            }
            Value::Text(t) => {
                if self.per.is_some() || self.at_least.is_some() || self.below.is_some() {
                    return Err(wrong("numeric (per, at-least and below need numbers)"));
                }
                let Some(t) = t else { return Ok(0.0) };
                let hit = if let Some(words) = &self.contains {
                    let lower = t.to_lowercase();
                    words.iter().any(|w| lower.contains(&w.to_lowercase()))
                } else {
                    self.one_of.iter().flatten().any(|w| w == t)
                };
                if hit {
                    points
                } else {
                    0.0
                }
            }
        })
    }

    /// The rule in plain words, e.g. `+10 when job_title contains "director"`.
    pub fn describe(&self) -> String {
        if let Some(d) = &self.description {
            return d.clone();
        }
        let c = &self.column;
        let p = self.points.unwrap_or(0.0);
        let quoted = |v: &Vec<String>| {
            v.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        if let Some(k) = self.per {
            let cap = self.max.map_or(String::new(), |m| format!(", at most {m}"));
            format!("{k:+} per unit of {c}{cap}")
        } else if let Some(w) = &self.contains {
            format!("{p:+} when {c} contains {}", quoted(w))
        } else if let Some(w) = &self.one_of {
            format!("{p:+} when {c} is {}", quoted(w))
        } else if self.missing == Some(true) {
            format!("{p:+} when {c} is missing")
        } else {
            match (self.at_least, self.below) {
                (Some(a), Some(b)) => format!("{p:+} when {a} <= {c} < {b}"),
                (Some(a), None) => format!("{p:+} when {c} >= {a}"),
                (None, Some(b)) => format!("{p:+} when {c} < {b}"),
                (None, None) => format!("{p:+}"),
            }
        }
    }
}

enum Value<'a> {
    Number(Option<f64>),
    Text(Option<&'a str>),
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
[[rule]]
id = "title"
column = "title"
contains = ["Director", "head of"]
points = 10

[[rule]]
id = "web"
column = "webinars"
per = 5
max = 12

[[rule]]
id = "idle"
column = "idle"
at-least = 90
points = -20
"#;

    #[test]
    fn rules_add_up_per_row() -> Result<(), TrainError> {
        let rules = RuleSet::from_toml_str(RULES, "p.toml")?;
        assert_eq!(rules.columns(), ["title", "webinars", "idle"]);
        let title = ColumnValues::Categorical(vec![0, 1, MISSING_CODE]);
        let levels = vec!["Marketing director".to_string(), "Analyst".to_string()];
        let web = ColumnValues::Numeric(vec![1.0, 4.0, f64::NAN]);
        let idle = ColumnValues::Numeric(vec![90.0, 89.0, 200.0]);
        let cols = [
            FeatureColumn {
                name: "title",
                values: &title,
                levels: &levels,
            },
            FeatureColumn {
                name: "webinars",
                values: &web,
                levels: &[],
            },
            FeatureColumn {
                name: "idle",
                values: &idle,
                levels: &[],
            },
        ];
        let (points, fired) = rules.points(&cols, None)?;
        assert_eq!(points, [10.0 + 5.0 - 20.0, 12.0, -20.0]);
        assert_eq!(fired, [1, 2, 2]);
        Ok(())
    }

    #[test]
    fn bad_rules_name_the_line() {
        let two = "[[rule]]\nid = \"a\"\ncolumn = \"x\"\nmissing = true\npoints = 1\n\n[[rule]]\nid = \"b\"\ncolumn = \"x\"\npoints = 2\nper = 3\n";
        let err = RuleSet::from_toml_str(two, "p.toml")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.starts_with("p.toml:7: rule \"b\"")),
            "{err:?}"
        );
        let unknown = "[[rule]]\nid = \"a\"\ncolumn = \"x\"\npoints = 1\nabove = 3\n";
        let err = RuleSet::from_toml_str(unknown, "p.toml")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.starts_with("p.toml:5:") && e.contains("above")),
            "{err:?}"
        );
        let dup = "[[rule]]\nid = \"a\"\ncolumn = \"x\"\nmissing = true\npoints = 1\n[[rule]]\nid = \"a\"\ncolumn = \"y\"\nmissing = true\npoints = 1\n";
        assert!(RuleSet::from_toml_str(dup, "p.toml").is_err());
        assert!(RuleSet::from_toml_str("", "p.toml").is_err());
    }
}
