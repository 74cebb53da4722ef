//! The model card (`model_card.md`), after Mitchell et al. (2019): model details, intended
//! use, factors, metrics, evaluation and training data, disaggregated analyses,
//! explainability, ethical considerations, caveats and compliance links. Written when the
//! report is given the model; what only people can state is an OPEN ITEM unless declared in
//! the context file.

use std::fmt::Write as _;

use super::dpia::proxy_list;
use super::Report;
use crate::text::escape_markdown as md;
use crate::train::{Model, ModelKind, Scores};

fn open(field: &str) -> String {
    format!("**OPEN ITEM**: to be declared by a person (`{field}` in context.toml)")
}

fn scores(s: &Option<Scores>) -> String {
    match s {
        Some(x) => format!(
            "n {}, ROC AUC {}, log loss {:.4}, Brier {:.4}",
            x.n,
            x.auc
                .map_or("undefined (one class)".into(), |a| format!("{a:.4}")),
            x.log_loss,
            x.brier
        ),
        None => "not computed".into(),
    }
}

/// The model card as Markdown.
pub fn render(r: &Report, m: &Model) -> String {
    let mut s = String::new();
    let ctx = &r.context;
    let model_hash = r
        .inputs
        .iter()
        .find(|f| f.role == "model")
        .map_or("-".to_string(), |f| f.sha256.clone());
    let _ = writeln!(
        s,
        "# Model card: {}\n",
        ctx.processing
            .as_deref()
            .map_or_else(|| "scoring model".into(), md)
    );

    s.push_str("## 1. Model details\n\n");
    let kind = match m.kind {
        ModelKind::Logistic => format!(
            "logistic regression, L2 penalty C = {}, class weight {}, solver {}, {} design columns from {} features",
            m.options.c.unwrap_or(1.0),
            m.options.class_weight,
            m.fit.solver,
            m.coefficients.len(),
            m.feature_columns().len()
        ),
        ModelKind::Points => format!(
            "points rules ({}) with a logistic calibration of the total",
            m.rules.as_ref().map_or(0, |r| r.rule.len())
        ),
    };
    let _ = writeln!(s, "- Type: {kind}");
    let _ = writeln!(
        s,
        "- Trained {} with fairgate {}; model file sha256 {model_hash}",
        md(&m.created),
        md(&m.fairgate_version)
    );
    let _ = writeln!(s, "- Decision: score >= {}", m.threshold);
    let _ = writeln!(
        s,
        "- Owner and contact: {}\n",
        ctx.controller
            .as_deref()
            .map_or_else(|| open("controller"), md)
    );

    s.push_str("## 2. Intended use\n\n");
    let _ = writeln!(
        s,
        "- Purposes: {}",
        ctx.purposes
            .as_ref()
            .map_or_else(|| open("purposes"), |p| md(&p.join("; ")))
    );
    let _ = writeln!(
        s,
        "- Degree of automation: {}",
        ctx.automation
            .as_deref()
            .map_or_else(|| open("automation"), md)
    );
    let _ = writeln!(
        s,
        "- Out-of-scope uses: {}\n",
        ctx.out_of_scope
            .as_ref()
            .map_or_else(|| open("out-of-scope"), |p| md(&p.join("; ")))
    );

    s.push_str("## 3. Factors\n\n| attribute | groups | rows with unknown value | small groups (counts only) |\n|---|---|---|---|\n");
    for a in &r.audit.attributes {
        let unknown: u64 = a
            .groups
            .iter()
            .filter(|g| g.group == crate::audit::UNKNOWN_GROUP)
            .map(|g| g.n)
            .sum();
        let small: Vec<String> = a
            .groups
            .iter()
            .filter(|g| g.small && g.n > 0)
            .map(|g| format!("{} ({})", md(&g.group), g.n))
            .collect();
        let _ = writeln!(
            s,
            "| {} | {} | {unknown} | {} |",
            md(&a.name),
            a.groups.iter().filter(|g| g.n > 0).count(),
            if small.is_empty() {
                "none".into()
            } else {
                small.join(", ")
            }
        );
    }
    s.push('\n');

    s.push_str("## 4. Metrics\n\nPerformance: ROC AUC, log loss, Brier score. Fairness: selection rate and impact ratio against a reference group (four-fifths rule), TPR and FPR (equalized odds), calibration error per group. Uncertainty: Wilson intervals for rates, Katz log intervals for impact ratios, Newcombe intervals for differences, Fisher or chi-square tests with Holm's correction.\n\n");

    s.push_str("## 5. Evaluation data\n\n");
    let i = &r.audit.input;
    let _ = writeln!(
        s,
        "{} (sha256 {}): {} rows audited of {}.\n",
        md(&i.path),
        i.sha256,
        i.rows_used,
        i.rows_read
    );

    s.push_str("## 6. Training data\n\n");
    let d = &m.data;
    let ex = &d.excluded;
    let _ = writeln!(s, "{} (sha256 {}): {} rows read, {} used ({} training, {} validation); excluded for want of consent: {} refused, {} no consent value, {} consent after the as-of date, {} no consent timestamp.\n", md(&d.file), d.sha256, d.rows_read, d.rows_used, d.train_rows, d.validation_rows, ex.consent_refused, ex.consent_missing, ex.consent_after_as_of, ex.consent_timestamp_missing);

    s.push_str("## 7. Quantitative analyses\n\n");
    let _ = writeln!(s, "- Training: {}", scores(&m.train_scores));
    let _ = writeln!(s, "- Validation: {}", scores(&m.validation));
    if let Some(cv) = &m.cross_validation {
        let _ = writeln!(
            s,
            "- Cross-validation ({} folds): AUC mean {}, sd {}",
            cv.folds,
            cv.auc.mean.map_or("-".into(), |v| format!("{v:.4}")),
            cv.auc.sd.map_or("-".into(), |v| format!("{v:.4}"))
        );
    }
    s.push_str("\nDisaggregated (see report.md for intervals):\n\n| attribute | group | n | AUC | selection rate | TPR | FPR | ECE |\n|---|---|---|---|---|---|---|---|\n");
    for a in &r.audit.attributes {
        for g in a.groups.iter().filter(|g| !g.small) {
            let v = |k: &str| {
                g.metrics
                    .get(k)
                    .and_then(|x| x.value)
                    .map_or("undefined".into(), |x| format!("{x:.3}"))
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                md(&a.name),
                md(&g.group),
                g.n,
                v("auc"),
                v("selection_rate"),
                v("tpr"),
                v("fpr"),
                v("ece")
            );
        }
    }
    s.push('\n');

    s.push_str("## 8. Explainability\n\n");
    match m.kind {
        ModelKind::Logistic => {
            let mut coef: Vec<_> = m.coefficients.iter().collect();
            coef.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
            s.push_str("Largest coefficients (log-odds per standard deviation, or for the category against the training mix):\n\n| term | coefficient | odds ratio |\n|---|---|---|\n");
            for c in coef.iter().take(10) {
                let _ = writeln!(
                    s,
                    "| {} | {:.4} | {:.4} |",
                    md(&c.name),
                    c.value,
                    c.value.exp()
                );
            }
            s.push_str("\nPer-person reason codes are the features with the largest contributions β(x − training mean), which add up to the person's log-odds (`fairgate explain --reasons`).\n\n");
        }
        ModelKind::Points => {
            s.push_str("| rule | training rows it fired for |\n|---|---|\n");
            for f in &m.rule_firing {
                let _ = writeln!(s, "| {} | {} |", md(&f.id), f.rows);
            }
            s.push('\n');
        }
    }

    s.push_str("## 9. Ethical considerations\n\n");
    let _ = writeln!(
        s,
        "- Protected attributes ({}) are never model features; they are kept for this audit only.",
        m.roles
            .protected
            .iter()
            .map(|p| md(p))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(e) = &r.explain {
        let proxies = proxy_list(e);
        let _ = writeln!(
            s,
            "- Likely proxies: {}.",
            if proxies.is_empty() {
                "none flagged".to_string()
            } else {
                proxies.join("; ")
            }
        );
    }
    let _ = writeln!(
        s,
        "- Consent: {} of {} training records had a lawful basis.\n",
        d.rows_used, d.rows_read
    );

    s.push_str("## 10. Caveats and recommendations\n\n- Groups below the minimum size are reported with counts only; their metrics are too uncertain to judge.\n- When base rates differ between groups, calibration within groups and equal error rates cannot all hold at once; choose and document which criterion has priority.\n- Scores are calibrated to the training period's outcomes; re-audit when the data drift.\n- Compare the evaluation file's hash with the training file's: when they are the same file, the disaggregated analyses include the training rows and are optimistic; audit held-out data for the final word.\n\n");

    s.push_str("## 11. Compliance links\n\nDPIA evidence: dpia.md. Evidence manifest with every input and output hash: evidence.json. Findings: report.md / report.html.\n");
    s
}
