//! The explanation as JSON (the machine-readable contract) and as Markdown tables (for
//! terminals, pull requests and wikis). Names from the data are escaped for Markdown.

use crate::text::escape_markdown as md;

use std::fmt::Write as _;

use super::Explanation;

/// The version of the explanation JSON layout. Version 2 names the fields version 1 wrote as
/// arrays (`input`, `model`, `rows`, `counterfactual_coverage`); version 1 files still read.
pub const EXPLAIN_SCHEMA_VERSION: u32 = 2;

fn num(v: Option<f64>) -> String {
    v.map_or("undefined".into(), |x| format!("{x:.4}"))
}

impl Explanation {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Markdown tables: coefficients, importance, proxies, score gaps, minimisation.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let (file, sha) = (&self.input.path, &self.input.sha256);
        let _ = writeln!(
            s,
            "# Explanation\n\n{} (sha256 `{sha}`): {} rows read, {} explained, {} excluded without a lawful basis.\n",
            md(file),
            self.rows.read,
            self.rows.explained,
            self.rows.excluded_for_consent
        );
        if let Some(base) = self.base_value {
            let _ = writeln!(
                s,
                "Base value (log-odds at the training means): {base:.4}\n"
            );
        }
        if !self.terms.is_empty() {
            s.push_str("## Coefficients\n\n| term | coefficient | odds ratio | std. error | 95% interval | p-value |\n|---|---|---|---|---|---|\n");
            for t in &self.terms {
                let _ = writeln!(
                    s,
                    "| {} | {:.4} | {:.4} | {:.4} | [{:.4}, {:.4}] | {:.3e} |",
                    md(&t.name),
                    t.coefficient,
                    t.odds_ratio,
                    t.std_error,
                    t.ci_low,
                    t.ci_high,
                    t.p_value
                );
            }
            s.push('\n');
        }
        if !self.importance.is_empty() {
            s.push_str("## Feature importance\n\n| feature | sd of contribution | permutation AUC drop | top reason share |\n|---|---|---|---|\n");
            for f in &self.importance {
                let drop = match (f.permutation_auc_drop, f.permutation_auc_drop_sd) {
                    (Some(d), Some(sd)) => format!("{d:.4} ± {sd:.4}"),
                    (Some(d), None) => format!("{d:.4}"),
                    _ => "no labels".into(),
                };
                let _ = writeln!(
                    s,
                    "| {} | {:.4} | {drop} | {:.1}% |",
                    md(&f.feature),
                    f.contribution_sd,
                    100.0 * f.top_reason_share
                );
            }
            s.push('\n');
        }
        if !self.rules_by_group.is_empty() {
            s.push_str("## Points rules by group\n\n| rule | attribute | group | rows | fires |\n|---|---|---|---|---|\n");
            for r in &self.rules_by_group {
                for super::GroupFiring {
                    group: g,
                    rows: n,
                    share,
                } in &r.groups
                {
                    let _ = writeln!(
                        s,
                        "| {} ({}) | {} | {} | {n} | {:.1}% |",
                        md(&r.rule),
                        md(&r.description),
                        md(&r.attribute),
                        md(g),
                        100.0 * share
                    );
                }
            }
            s.push('\n');
        }
        if !self.proxies.is_empty() {
            s.push_str("## Proxy check\n\n| feature | attribute | association | AUC (group) | likely proxy |\n|---|---|---|---|---|\n");
            for p in &self.proxies {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} {} | {} ({}) | {} |",
                    md(&p.feature),
                    md(&p.attribute),
                    p.measure,
                    num(p.association),
                    num(p.auc),
                    md(p.auc_group.as_deref().unwrap_or("-")),
                    if p.likely_proxy { "**yes**" } else { "no" }
                );
            }
            s.push('\n');
        }
        for g in &self.score_gaps {
            let _ = writeln!(
                s,
                "## Score gap by {}: {} vs {}\n\nMean log-odds gap {:.4}, by feature (differences in mean contribution):\n\n| feature | share of the gap |\n|---|---|",
                md(&g.attribute),
                md(&g.high_group),
                md(&g.low_group),
                g.logit_gap
            );
            for super::FeatureGap {
                feature: f,
                logit_gap: v,
            } in &g.by_feature
            {
                let _ = writeln!(s, "| {} | {v:+.4} |", md(f));
            }
            s.push('\n');
        }
        if let Some(m) = &self.minimisation {
            let _ = writeln!(
                s,
                "## Data minimisation\n\nRefits on {} rows, validated on {}; full model validation AUC {}. A feature whose removal loses less than {} AUC is a candidate to stop collecting.\n\n| feature | AUC without | AUC lost | candidate |\n|---|---|---|---|",
                m.train_rows,
                m.validation_rows,
                num(m.auc_full),
                m.tolerance
            );
            for f in &m.features {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    md(&f.feature),
                    num(f.auc_without),
                    num(f.auc_loss),
                    if f.candidate { "**yes**" } else { "no" }
                );
            }
            s.push('\n');
        }
        let (below, with) = (
            self.counterfactual_coverage.below_threshold,
            self.counterfactual_coverage.with_counterfactual,
        );
        if below > 0 {
            let _ = writeln!(
                s,
                "Counterfactuals: {with} of the {below} people below the threshold can reach it by changing one actionable feature.\n"
            );
        }
        s
    }
}

/// A terminal shows the explanation's Markdown tables.
impl crate::doc::Render for Explanation {
    fn to_json(&self) -> String {
        Explanation::to_json(self)
    }
    /// The Markdown's tables drawn with box characters (see [`crate::doc::text_of_markdown`]).
    fn to_text(&self) -> String {
        self.to_text_in(crate::doc::TextLayout::FULL)
    }
    /// The Markdown's tables drawn for the terminal and fitted to its width.
    fn to_text_in(&self, layout: crate::doc::TextLayout) -> String {
        crate::doc::text_of_markdown(&Explanation::to_markdown(self), layout)
    }
    fn to_markdown(&self) -> String {
        Explanation::to_markdown(self)
    }
}
