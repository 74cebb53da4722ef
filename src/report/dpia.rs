//! DPIA evidence (`dpia.md`), structured after GDPR Art. 35(7), the UK ICO template and the
//! EDPB template. Each field is computed from the evidence, declared by the user in
//! `context.toml`, drafted by the tool for a person to confirm, or left to a person. A field
//! that needs a person and is not declared shows as an OPEN ITEM, never invented, and the
//! document stays a draft until the sign-off fields are all given.

use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use super::{Finding, Level, Report, ReportError};
use crate::file_error::FileError;
use crate::text::escape_markdown as md;

/// What only people can declare or decide, read from `context.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Context {
    /// The name of the processing.
    pub processing: Option<String>,
    /// The controller.
    pub controller: Option<String>,
    /// The data protection officer's contact.
    pub dpo: Option<String>,
    /// Who owns the DPIA.
    pub dpia_owner: Option<String>,
    /// The purposes of the processing.
    pub purposes: Option<Vec<String>>,
    /// Uses the model is not meant for (model card).
    pub out_of_scope: Option<Vec<String>>,
    /// The lawful basis (Art. 6) per purpose, in words.
    pub lawful_basis: Option<String>,
    /// Retention of the records, in days.
    pub retention_days: Option<u64>,
    /// Recipients, processors and transfers.
    pub recipients: Option<Vec<String>>,
    /// How people can contest a decision and get human review.
    pub human_review: Option<String>,
    /// Whether decisions are solely automated with legal or similarly significant effects
    /// (Art. 22), in words.
    pub automation: Option<String>,
    /// Security measures.
    pub security: Option<String>,
    /// The DPO's advice and whether it was followed.
    pub dpo_advice: Option<String>,
    /// Data subjects' or their representatives' views.
    pub consultation: Option<String>,
    /// Residual risk after measures, as judged by the owner.
    pub residual_risk: Option<String>,
    /// The decision: approve, approve with conditions, reject, or consult the authority.
    pub decision: Option<String>,
    /// Who signed off.
    pub approved_by: Option<String>,
    /// When (ISO 8601 date).
    pub approved_on: Option<String>,
    /// The next review date.
    pub next_review: Option<String>,
}

impl Context {
    /// Reads a context file; errors name the file and line.
    pub fn from_path(path: &Path) -> Result<Context, ReportError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| FileError::read(origin.clone(), e))?;
        let context: Context =
            toml::from_str(&text).map_err(|e| FileError::toml(origin.clone(), &text, &e))?;
        // A sign-off is evidence: its date must be a real date, and not one still to come.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        for (key, value, past) in [
            ("approved-on", &context.approved_on, true),
            ("next-review", &context.next_review, false),
        ] {
            let Some(v) = value else { continue };
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(key))
                .map_or(1, |i| i + 1);
            let at = |message: String| {
                ReportError::from(FileError::invalid(
                    origin.clone(),
                    Some(line),
                    format!("{key}: {message}"),
                ))
            };
            match crate::time::parse_timestamp(v.trim().as_bytes()) {
                None => {
                    return Err(at(format!(
                        "expected a date such as 2026-06-30 (ISO 8601), found \"{}\"",
                        crate::text::escape_terminal(v)
                    )))
                }
                Some(t) if past && t > now => {
                    return Err(at(format!(
                        "{v} is in the future: a sign-off cannot be dated after today"
                    )))
                }
                Some(_) => {}
            }
        }
        Ok(context)
    }

    /// Whether every sign-off field is given.
    fn signed_off(&self) -> bool {
        self.decision.is_some() && self.approved_by.is_some() && self.approved_on.is_some()
    }
}

/// Record ages against the declared retention, in words.
fn storage_limitation(r: &Report, ctx: &Context) -> String {
    let Some(ages) = r.model.as_ref().and_then(|m| m.data.record_ages.as_ref()) else {
        return "record ages [computed]: **OPEN ITEM**: the model records no ages (train with a consent timestamp column and an as-of date).".into();
    };
    let spread = format!(
        "record ages at {} [computed]: median {} days, 90th percentile {} days, oldest {} days",
        crate::text::prefix(&ages.as_of, 10),
        ages.quantile(0.5).unwrap_or(0),
        ages.quantile(0.9).unwrap_or(0),
        ages.days.last().map_or(0, |d| d.0)
    );
    match ctx.retention_days {
        Some(days) => {
            let old = ages.older_than(days);
            format!(
                "{spread}; {old} of {} training records ({:.1}%) are older than the retention{}.",
                ages.total(),
                100.0 * old as f64 / ages.total().max(1) as f64,
                if old > 0 {
                    ": **they should have been deleted or anonymised** [person: confirm]"
                } else {
                    ""
                }
            )
        }
        None => format!("{spread}; without a declared retention they cannot be judged."),
    }
}

fn open(field: &str) -> String {
    format!("**OPEN ITEM**: to be declared by a person (`{field}` in context.toml)")
}

fn given(v: &Option<String>, field: &str) -> String {
    v.as_deref().map_or_else(|| open(field), md)
}

/// Protected attribute names that suggest special-category data (Art. 9).
const SPECIAL: &[&str] = &[
    "ethnic",
    "race",
    "religion",
    "belief",
    "health",
    "disab",
    "sexual",
    "orientation",
    "political",
    "union",
    "genetic",
    "biometric",
];

/// The DPIA evidence as Markdown.
pub fn render(r: &Report, ctx: &Context, findings: &[Finding]) -> String {
    let mut s = String::new();
    let status = if ctx.signed_off() {
        "signed off"
    } else {
        "DRAFT (not signed off)"
    };
    let audit = &r.audit;
    let rows = audit.input.rows_used;
    let _ = writeln!(
        s,
        "# DPIA evidence: {}\n",
        ctx.processing
            .as_deref()
            .map_or_else(|| "scoring model".into(), md)
    );
    let _ = writeln!(s, "Status: **{status}**. Generated by fairgate {} on {}. Marks: [computed] from the evidence, [declared] in context.toml, [draft] written by the tool for a person to confirm, [person] only a person can decide.\n", crate::version::VERSION, md(&r.created));

    // 0. Cover and provenance.
    s.push_str("## 0. Cover and provenance\n\n");
    let _ = writeln!(
        s,
        "- Controller [declared]: {}",
        given(&ctx.controller, "controller")
    );
    let _ = writeln!(s, "- DPO [declared]: {}", given(&ctx.dpo, "dpo"));
    let _ = writeln!(
        s,
        "- DPIA owner [declared]: {}",
        given(&ctx.dpia_owner, "dpia-owner")
    );
    s.push_str("- Inputs [computed]:\n\n| role | file | sha256 |\n|---|---|---|\n");
    for f in &r.inputs {
        let _ = writeln!(s, "| {} | {} | {} |", f.role, md(&f.path), f.sha256);
    }
    let _ = writeln!(
        s,
        "| audited data | {} | {} |",
        md(&audit.input.path),
        audit.input.sha256
    );
    if let Some(m) = &r.model {
        let _ = writeln!(
            s,
            "| training data | {} | {} |",
            md(&m.data.file),
            m.data.sha256
        );
    }
    if let Some(g) = &r.gate {
        let _ = writeln!(
            s,
            "| gate policy | {} | {} |",
            md(&g.policy.path),
            g.policy.sha256
        );
    }
    s.push('\n');
    s.push_str("The outputs and their hashes are listed in evidence.json.\n\n");

    // 1. Screening.
    let special: Vec<&str> = audit
        .attributes
        .iter()
        .filter(|a| a.columns.len() == 1)
        .map(|a| a.name.as_str())
        .filter(|n| SPECIAL.iter().any(|k| n.to_lowercase().contains(k)))
        .collect();
    let large = rows >= 10_000;
    let automated = r.model.is_some();
    s.push_str(
        "## 1. Screening (WP248 criteria)\n\n| criterion | signal found | mark |\n|---|---|---|\n",
    );
    let mut detected = 1; // evaluation or scoring: this is a scoring model
    let _ = writeln!(s, "| evaluation or scoring, including profiling | yes: people are scored by a model | [computed] |");
    let _ = writeln!(
        s,
        "| automated decision with legal or similar effect | {} | [person]: {} |",
        if automated {
            "a decision threshold turns scores into decisions"
        } else {
            "decisions at a threshold were audited"
        },
        given(&ctx.automation, "automation")
    );
    let _ = writeln!(
        s,
        "| sensitive or special-category data | {} | [computed] |",
        if special.is_empty() {
            "none among the audited attributes".to_string()
        } else {
            detected += 1;
            format!(
                "yes: {} (held for the audit only, never a model feature)",
                special.iter().map(|n| md(n)).collect::<Vec<_>>().join(", ")
            )
        }
    );
    let _ = writeln!(s, "| large scale | {} | [computed], the threshold of 10,000 rows is fairgate's signal, not a legal line |", if large { detected += 1; format!("{rows} records") } else { format!("no: {rows} records") });
    for c in [
        "systematic monitoring",
        "matching or combining data sets",
        "vulnerable data subjects",
        "innovative technology",
        "prevents exercising a right or using a service",
    ] {
        let _ = writeln!(s, "| {c} | not detectable from the data | [person] |");
    }
    let _ = writeln!(s, "\nConclusion [draft]: {} WP248 criteria are signalled by the evidence; {}. A person must confirm.\n", detected, if detected >= 2 { "with two or more criteria, a DPIA is required" } else { "a DPIA is advisable for profiling" });

    // 2. Systematic description.
    s.push_str("## 2. Systematic description\n\n");
    let _ = writeln!(
        s,
        "- Purposes [declared]: {}",
        ctx.purposes
            .as_ref()
            .map_or_else(|| open("purposes"), |p| md(&p.join("; ")))
    );
    let _ = writeln!(
        s,
        "- Recipients, processors, transfers [declared]: {}",
        ctx.recipients
            .as_ref()
            .map_or_else(|| open("recipients"), |p| md(&p.join("; ")))
    );
    let _ = writeln!(
        s,
        "- Scope [computed]: {} rows read, {} audited.{}",
        audit.input.rows_read,
        rows,
        match r.model.as_ref().and_then(|m| m.data.record_ages.as_ref()) {
            Some(a) => format!(
                " Training records dated (by {}) from {} to {}.",
                md(&a.column),
                crate::text::prefix(&a.earliest, 10),
                crate::text::prefix(&a.latest, 10)
            ),
            None => String::new(),
        }
    );
    if let Some(m) = &r.model {
        let _ = writeln!(s, "- Model [computed]: {:?}, trained {} on {} ({} rows used of {}), decision at score >= {}.", m.kind, md(&m.created), md(&m.data.file), m.data.rows_used, m.data.rows_read, m.threshold);
        s.push_str("\nData inventory [computed]:\n\n| column | role | used by the model |\n|---|---|---|\n");
        for f in m.feature_columns() {
            let _ = writeln!(s, "| {} | feature | yes |", md(&f));
        }
        for p in &m.roles.protected {
            let _ = writeln!(s, "| {} | protected attribute | no: audit only |", md(p));
        }
        let _ = writeln!(
            s,
            "| {} | label | no: training target |",
            md(&m.label.column)
        );
        for (role, c) in [
            ("identifier", &m.roles.id),
            ("consent flag", &m.roles.consent),
            ("consent timestamp", &m.roles.consent_timestamp),
        ] {
            if let Some(c) = c {
                let _ = writeln!(s, "| {} | {role} | no |", md(c));
            }
        }
        s.push('\n');
    } else {
        s.push_str("- Model: no model file was given to the report; give `--model` for the inventory and the decision logic.\n\n");
    }

    // 3. Necessity and proportionality.
    s.push_str("## 3. Necessity and proportionality\n\n");
    let _ = writeln!(
        s,
        "- Lawful basis [declared]: {}",
        given(&ctx.lawful_basis, "lawful-basis")
    );
    if let Some(m) = &r.model {
        let ex = &m.data.excluded;
        let share = m.data.rows_used as f64 / m.data.rows_read.max(1) as f64;
        let _ = writeln!(s, "- Consent coverage [computed]: {} of {} training records ({:.1}%) had a lawful basis; excluded: {} refused, {} no consent value, {} consent after the as-of date, {} no consent timestamp.", m.data.rows_used, m.data.rows_read, 100.0 * share, ex.consent_refused, ex.consent_missing, ex.consent_after_as_of, ex.consent_timestamp_missing);
    }
    match &r.explain {
        Some(e) => {
            let proxies = proxy_list(e);
            let candidates: Vec<String> = e.minimisation_candidates().map(md).collect();
            let _ = writeln!(s, "- Proxy screen [computed]: {}", if proxies.is_empty() { "no feature flagged".to_string() } else { format!("likely proxies: {}", proxies.join("; ")) });
            let _ = writeln!(s, "- Data minimisation [computed]: {}; conclusion [person].", if candidates.is_empty() { "every feature adds validation AUC above the tolerance".to_string() } else { format!("each of {} can be dropped alone at little cost in validation AUC", candidates.join(", ")) });
        }
        None => s.push_str("- Proxy and minimisation evidence: no explanation was given to the report (`--explain`).\n"),
    }
    let _ = writeln!(
        s,
        "- Data quality [computed]: {} of {} audited rows were rejected as invalid.",
        audit.input.rows_rejected, audit.input.rows_read
    );
    let _ = writeln!(
        s,
        "- Storage limitation: retention [declared] {}; {}",
        ctx.retention_days
            .map_or_else(|| open("retention-days"), |d| format!("{d} days")),
        storage_limitation(r, ctx)
    );
    let _ = writeln!(
        s,
        "- Human review and contest route [declared]: {}",
        given(&ctx.human_review, "human-review")
    );
    s.push_str("- Notice on the logic involved (Art. 13(2)(f), 14(2)(g)) [draft]:\n\n");
    let factors: Vec<String> = r
        .explain
        .as_ref()
        .map(|e| {
            let mut imp: Vec<(f64, String)> = e
                .importance
                .iter()
                .map(|f| (f.contribution_sd, f.feature.clone()))
                .collect();
            imp.sort_by(|a, b| b.0.total_cmp(&a.0));
            imp.into_iter().take(3).map(|x| md(&x.1)).collect()
        })
        .unwrap_or_default();
    let factors = if factors.is_empty() {
        "the information we hold about you".to_string()
    } else {
        factors.join(", ")
    };
    let unused: Vec<String> = audit
        .attributes
        .iter()
        .filter(|a| a.columns.len() == 1)
        .map(|a| md(&a.name))
        .collect();
    let unused = if unused.is_empty() {
        "protected characteristics".to_string()
    } else {
        unused.join(", ")
    };
    let _ = writeln!(s, "  > We use an automated model to estimate how likely you are to respond to our offers (the modelled outcome). It combines information such as {factors} into a score; scores at or above a threshold lead to a positive decision. The model does not use {unused}. You can ask for a human to review a decision, and for the main reasons behind your score.\n");

    // 4. Risks.
    s.push_str("## 4. Risks to individuals\n\n| risk | evidence [computed] | likelihood (suggested) | severity (suggested) |\n|---|---|---|---|\n");
    let fails = findings.iter().filter(|f| f.level == Level::Fail).count();
    let warns = findings.iter().filter(|f| f.level == Level::Warn).count();
    let likelihood = if fails > 0 {
        "likely"
    } else if warns > 0 {
        "possible"
    } else {
        "remote"
    };
    let _ = writeln!(s, "| discrimination | {fails} FAIL and {warns} WARN findings in the report (four-fifths on intervals, error-rate and calibration gaps, proxies) | {likelihood} | significant |");
    let ece: Vec<String> = audit
        .attributes
        .iter()
        .filter_map(|a| {
            a.summary
                .get("ece_gap")
                .and_then(|m| m.value)
                .map(|v| format!("{} {v:.3}", md(&a.name)))
        })
        .collect();
    let _ = writeln!(s, "| inaccurate inferences | calibration error gaps: {}. When base rates differ between groups, calibration and equal error rates cannot all hold at once (Kleinberg et al. 2016; Chouldechova 2017): a person must choose which to prioritise | possible | significant |", if ece.is_empty() { "none computed".into() } else { ece.join(", ") });
    let opacity = r.explain.as_ref().map(|e| {
        let (below, with) = (
            e.counterfactual_coverage.below_threshold,
            e.counterfactual_coverage.with_counterfactual,
        );
        format!("reason codes for every scored person; {with} of {below} people below the threshold have a single-change counterfactual")
    }).unwrap_or_else(|| "no explanation was given".into());
    let _ = writeln!(s, "| opacity | {opacity} | remote | limited |");
    s.push_str("\nLikelihood and severity are suggestions from the evidence, on the ICO scale; a person decides [person].\n\n");

    // 5. Measures.
    s.push_str("## 5. Measures and residual risk\n\n");
    s.push_str("- Protective defaults in effect [computed]: records without a lawful basis are excluded from training and scoring; protected attributes are never model features; groups below the minimum size are suppressed in reports; no personal record appears in any report.\n");
    match &r.gate {
        Some(g) => {
            let blocking: Vec<String> = g.rules.iter().filter(|x| x.blocking).map(|x| md(&x.id)).collect();
            let _ = writeln!(
                s,
                "- Gate policy and result [computed]: policy {} ({}, sha256 {}): **{}**{}. Rules: {}.",
                md(&g.policy.name),
                md(&g.policy.path),
                g.policy.sha256,
                if g.passed { "PASSED" } else { "FAILED" },
                if blocking.is_empty() { String::new() } else { format!(", blocked by {}", blocking.join(", ")) },
                g.rules.iter().map(|x| format!("{} {}", md(&x.id), x.status.word())).collect::<Vec<_>>().join("; ")
            );
        }
        None => s.push_str("- Gate policy and result: **OPEN ITEM**: no gate result was given to this report (`fairgate gate --json FILE`, then `report --gate FILE`).\n"),
    }
    let _ = writeln!(
        s,
        "- Security measures [declared]: {}",
        given(&ctx.security, "security")
    );
    let _ = writeln!(
        s,
        "- Residual risk [person]: {}\n",
        given(&ctx.residual_risk, "residual-risk")
    );

    // 6. Consultation and sign-off.
    s.push_str("## 6. Consultation, DPO advice and sign-off\n\n");
    let _ = writeln!(
        s,
        "- DPO advice [person]: {}",
        given(&ctx.dpo_advice, "dpo-advice")
    );
    let _ = writeln!(
        s,
        "- Views of data subjects [person]: {}",
        given(&ctx.consultation, "consultation")
    );
    let _ = writeln!(
        s,
        "- Decision [person]: {}",
        given(&ctx.decision, "decision")
    );
    let _ = writeln!(
        s,
        "- Approved by [person]: {} on {}\n",
        given(&ctx.approved_by, "approved-by"),
        given(&ctx.approved_on, "approved-on")
    );

    // 7. Review.
    s.push_str("## 7. Review\n\n");
    match &r.previous {
        Some(c) => {
            let changes = c.changes();
            let _ = writeln!(
                s,
                "- Difference from the previous audit [computed] ({}): {} change(s) beyond sampling noise or in the groups, {} regression(s){}",
                md(c.audits.first().map_or("", |a| a.path.as_str())),
                changes.len(),
                c.regressions,
                if changes.is_empty() { ".".to_string() } else { format!(": {}.", changes.iter().map(|x| md(x)).collect::<Vec<_>>().join("; ")) }
            );
        }
        None => {
            let _ = writeln!(
                s,
                "- Difference from the previous audit: no previous audit was given to this report (`report --previous OLD_AUDIT.json`)."
            );
        }
    }
    let _ = writeln!(
        s,
        "- Next review [declared]: {}",
        given(&ctx.next_review, "next-review")
    );
    s
}

/// The likely proxies of an explanation as escaped "feature for attribute" phrases (the DPIA
/// and the model card list them).
pub(super) fn proxy_list(e: &crate::explain::Explanation) -> Vec<String> {
    e.likely_proxies()
        .map(|p| format!("{} for {}", md(&p.feature), md(&p.attribute)))
        .collect()
}
