//! The model card (`model_card.md`), after Mitchell et al. (2019): model details, intended
//! use, factors, metrics, evaluation and training data, disaggregated analyses,
//! explainability, ethical considerations, caveats and compliance links. Written when the
//! report is given the model; what only people can state is an OPEN ITEM unless declared in
//! the context file.

use super::dpia::{given, given_list, proxy_list};
use super::Report;
use crate::audit::key;
use crate::doc::{code, data, data_line, join, own_line, spans, Document, Line};
use crate::train::{Model, ModelKind, Scores};

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
    document(r, m).markdown()
}

/// The model card: sections 1 to 11.
pub fn document(r: &Report, m: &Model) -> Document {
    let mut d = Document::new();
    let ctx = &r.context;
    d.heading(
        1,
        spans![
            "Model card: ",
            ctx.processing
                .as_deref()
                .map_or_else(|| own_line("scoring model"), data_line)
        ],
    );
    details(&mut d, r, m);
    d.heading(2, own_line("2. Intended use"));
    d.list(vec![
        spans!["Purposes: ", given_list(&ctx.purposes, "purposes")],
        spans![
            "Degree of automation: ",
            given(&ctx.automation, "automation")
        ],
        spans![
            "Out-of-scope uses: ",
            given_list(&ctx.out_of_scope, "out-of-scope")
        ],
    ]);
    factors(&mut d, r);
    d.heading(2, own_line("4. Metrics"));
    d.paragraph(own_line("Performance: ROC AUC, log loss, Brier score. Fairness: selection rate and impact ratio against a reference group (four-fifths rule), TPR and FPR (equalized odds), calibration error per group. Uncertainty: Wilson intervals for rates, Katz log intervals for impact ratios, Newcombe intervals for differences, Fisher or chi-square tests with Holm's correction."));
    d.heading(2, own_line("5. Evaluation data"));
    let i = &r.audit.input;
    d.paragraph(spans![
        data(&i.path),
        " (sha256 ",
        data(crate::provenance::shown_digest(&i.sha256)),
        format!("): {} rows audited of {}. ", i.rows_used, i.rows_read),
        data(r.audited_rows())
    ]);
    d.heading(2, own_line("6. Training data"));
    let data_rec = &m.data;
    let ex = &data_rec.excluded;
    d.paragraph(spans![
        data(&data_rec.file),
        " (sha256 ",
        data(crate::provenance::shown_digest(&data_rec.sha256)),
        format!("): {} rows read, {} used ({} training, {} validation); excluded for want of consent: {} refused, {} no consent value, {} consent after the as-of date, {} no consent timestamp.", data_rec.rows_read, data_rec.rows_used, data_rec.train_rows, data_rec.validation_rows, ex.consent_refused, ex.consent_missing, ex.consent_after_as_of, ex.consent_timestamp_missing)
    ]);
    analyses(&mut d, r, m);
    explainability(&mut d, m);
    d.heading(2, own_line("9. Ethical considerations"));
    let mut items = vec![spans![
        "Protected attributes (",
        join(m.roles.protected.iter().map(data_line), ", "),
        ") are never model features; they are kept for this audit only."
    ]];
    if let Some(e) = &r.explain {
        let proxies = proxy_list(e);
        items.push(spans![
            "Likely proxies: ",
            if proxies.is_empty() {
                own_line("none flagged")
            } else {
                join(proxies, "; ")
            },
            "."
        ]);
    }
    items.push(own_line(format!(
        "Consent: {} of {} training records had a lawful basis.",
        data_rec.rows_used, data_rec.rows_read
    )));
    d.list(items);
    d.heading(2, own_line("10. Caveats and recommendations"));
    d.list(vec![
        own_line("Groups below the minimum size are reported with counts only; their metrics are too uncertain to judge."),
        own_line("When base rates differ between groups, calibration within groups and equal error rates cannot all hold at once; choose and document which criterion has priority."),
        own_line("Scores are calibrated to the training period's outcomes; re-audit when the data drift."),
        own_line("Compare the evaluation file's hash with the training file's: when they are the same file, the disaggregated analyses include the training rows and are optimistic; audit held-out data for the final word."),
    ]);
    d.heading(2, own_line("11. Compliance links"));
    d.paragraph(own_line("DPIA evidence: dpia.md. Evidence manifest with every input and output hash: evidence.json. Findings: report.md / report.html."));
    d
}

/// 1. Model details.
fn details(d: &mut Document, r: &Report, m: &Model) {
    let model_hash = r
        .inputs
        .iter()
        .find(|f| f.role == "model")
        .map_or("-".to_string(), |f| f.sha256.clone());
    d.heading(2, own_line("1. Model details"));
    let kind = match m.kind {
        ModelKind::Logistic if m.mixture.is_some() => {
            let mx = m.mixture.as_ref().map_or(0, |x| x.components.len());
            format!(
                "a randomised mixture of {mx} logistic models (exponentiated gradient: the score is the expected probability, each decision a reproducible draw), L2 penalty C = {}, {} design columns from {} features",
                m.options.c.unwrap_or(1.0),
                m.coefficients.len(),
                m.feature_columns().len()
            )
        }
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
    d.list(vec![
        spans!["Type: ", data(kind)],
        spans![
            "Trained ",
            data(&m.created),
            " with fairgate ",
            data(&m.fairgate_version),
            "; model file sha256 ",
            data(model_hash)
        ],
        own_line(format!("Decision: score >= {}", m.threshold)),
        spans![
            "Owner and contact: ",
            given(&r.context.controller, "controller")
        ],
    ]);
}

/// 3. Factors: the audited attributes, their groups and small groups.
fn factors(d: &mut Document, r: &Report) {
    d.heading(2, own_line("3. Factors"));
    let rows = r
        .audit
        .attributes
        .iter()
        .map(|a| {
            let unknown: u64 = a
                .groups
                .iter()
                .filter(|g| g.group == crate::audit::UNKNOWN_GROUP)
                .map(|g| g.n)
                .sum();
            let small: Vec<Line> = a
                .groups
                .iter()
                .filter(|g| g.small && g.n > 0)
                .map(|g| spans![data(&g.group), format!(" ({})", g.n)])
                .collect();
            vec![
                data_line(&a.name),
                own_line(a.groups.iter().filter(|g| g.n > 0).count().to_string()),
                own_line(unknown.to_string()),
                if small.is_empty() {
                    own_line("none")
                } else {
                    join(small, ", ")
                },
            ]
        })
        .collect();
    d.table(
        vec![
            own_line("attribute"),
            own_line("groups"),
            own_line("rows with unknown value"),
            own_line("small groups (counts only)"),
        ],
        rows,
    );
}

/// 7. Quantitative analyses: overall scores and the disaggregated table.
fn analyses(d: &mut Document, r: &Report, m: &Model) {
    d.heading(2, own_line("7. Quantitative analyses"));
    let mut items = vec![
        own_line(format!("Training: {}", scores(&m.train_scores))),
        own_line(format!("Validation: {}", scores(&m.validation))),
    ];
    if let Some(cv) = &m.cross_validation {
        items.push(own_line(format!(
            "Cross-validation ({} folds): AUC mean {}, sd {}",
            cv.folds,
            cv.auc.mean.map_or("-".into(), |v| format!("{v:.4}")),
            cv.auc.sd.map_or("-".into(), |v| format!("{v:.4}"))
        )));
    }
    d.list(items);
    d.paragraph(own_line("Disaggregated (see report.md for intervals):"));
    let mut rows = Vec::new();
    for a in &r.audit.attributes {
        for g in a.groups.iter().filter(|g| !g.small) {
            let v = |k: &str| {
                own_line(
                    g.metrics
                        .get(k)
                        .and_then(|x| x.value)
                        .map_or("undefined".into(), |x| format!("{x:.3}")),
                )
            };
            rows.push(vec![
                data_line(&a.name),
                data_line(&g.group),
                own_line(g.n.to_string()),
                v(key::AUC),
                v(key::SELECTION_RATE),
                v(key::TPR),
                v(key::FPR),
                v(key::ECE),
            ]);
        }
    }
    d.table(
        [
            "attribute",
            "group",
            "n",
            "AUC",
            "selection rate",
            "TPR",
            "FPR",
            "ECE",
        ]
        .map(own_line)
        .to_vec(),
        rows,
    );
}

/// 8. Explainability: the largest coefficients, or how often each points rule fired.
fn explainability(d: &mut Document, m: &Model) {
    d.heading(2, own_line("8. Explainability"));
    match m.kind {
        ModelKind::Logistic => {
            let mut coef: Vec<_> = m.coefficients.iter().collect();
            coef.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
            d.paragraph(own_line("Largest coefficients (log-odds per standard deviation, or for the category against the training mix):"));
            d.table(
                ["term", "coefficient", "odds ratio"].map(own_line).to_vec(),
                coef.iter()
                    .take(10)
                    .map(|c| {
                        vec![
                            data_line(&c.name),
                            own_line(format!("{:.4}", c.value)),
                            own_line(format!("{:.4}", c.value.exp())),
                        ]
                    })
                    .collect(),
            );
            d.paragraph(spans![
                "Per-person reason codes are the features with the largest contributions β(x − training mean), which add up to the person's log-odds (",
                code("fairgate explain --reasons"),
                ")."
            ]);
        }
        ModelKind::Points => {
            d.table(
                ["rule", "training rows it fired for"]
                    .map(own_line)
                    .to_vec(),
                m.rule_firing
                    .iter()
                    .map(|f| vec![data_line(&f.id), own_line(f.rows.to_string())])
                    .collect(),
            );
        }
    }
}
