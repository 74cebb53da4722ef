//! DPIA evidence (`dpia.md`), structured after GDPR Art. 35(7), the UK ICO template and the
//! EDPB template. Each field is computed from the evidence, declared by the user in
//! `context.toml`, drafted by the tool for a person to confirm, or left to a person. A field
//! that needs a person and is not declared shows as an OPEN ITEM, never invented, and the
//! document stays a draft until the sign-off fields are all given.

use crate::audit::key;
use std::path::Path;

use serde::Deserialize;

use super::{Finding, Level, Report, ReportError};
use crate::doc::{code, data, data_line, join, own_line, spans, strong, Block, Document, Line};
use crate::file_error::FileError;

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
    /// Who is scored (the data subjects), in words.
    pub data_subjects: Option<String>,
    /// What the score estimates, as the notice to people puts it ("how likely you are to
    /// ..."): the notice's wording is a person's, never fairgate's.
    pub modelled_outcome: Option<String>,
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
    /// What a person declares that fairgate cannot compute from the files it was given (the
    /// `[declared]` table): for a model trained elsewhere, its features, consent coverage,
    /// AUC and proxy figures. Shown and judged as declared, never as computed.
    #[serde(default)]
    pub declared: crate::policy::Declared,
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
        if let Err(message) = context.declared.check() {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with("[declared]"))
                .map_or(1, |i| i + 1);
            return Err(FileError::invalid(origin, Some(line), message).into());
        }
        Ok(context)
    }

    /// Whether every sign-off field is given.
    fn signed_off(&self) -> bool {
        self.decision.is_some() && self.approved_by.is_some() && self.approved_on.is_some()
    }
}

/// Record ages against the declared retention, in words.
fn storage_limitation(r: &Report, ctx: &Context) -> Line {
    let Some(ages) = r.model.as_ref().and_then(|m| m.data.record_ages.as_ref()) else {
        return spans![
            "record ages [computed]: ",
            strong(own_line("OPEN ITEM")),
            ": the model records no ages (train with a consent timestamp column and an as-of date)."
        ];
    };
    let spread = spans![
        "record ages at ",
        data(crate::text::prefix(&ages.as_of, 10)),
        format!(
            " [computed]: median {} days, 90th percentile {} days, oldest {} days",
            ages.quantile(0.5).unwrap_or(0),
            ages.quantile(0.9).unwrap_or(0),
            ages.days.last().map_or(0, |d| d.0)
        )
    ];
    match ctx.retention_days {
        Some(days) => {
            let old = ages.older_than(days);
            spans![
                spread,
                format!(
                    "; {old} of {} training records ({:.1}%) are older than the retention",
                    ages.total(),
                    100.0 * old as f64 / ages.total().max(1) as f64,
                ),
                if old > 0 {
                    spans![
                        ": ",
                        strong(own_line("they should have been deleted or anonymised")),
                        " [person: confirm]"
                    ]
                } else {
                    Vec::new()
                },
                "."
            ]
        }
        None => spans![
            spread,
            "; without a declared retention they cannot be judged."
        ],
    }
}

/// An item only a person can declare, not declared (the DPIA and the model card).
pub(super) fn open(field: &str) -> Line {
    spans![
        strong(own_line("OPEN ITEM")),
        ": to be declared by a person (",
        code(field),
        " in context.toml)"
    ]
}

/// A declared value, or the open item for its field.
pub(super) fn given(v: &Option<String>, field: &str) -> Line {
    v.as_deref().map_or_else(|| open(field), data_line)
}

/// A declared list, joined by "; ", or the open item for its field.
pub(super) fn given_list(v: &Option<Vec<String>>, field: &str) -> Line {
    v.as_ref()
        .map_or_else(|| open(field), |p| data_line(p.join("; ")))
}

/// What is known about the model's input features.
pub(super) enum Features<'a> {
    /// From the model file.
    Computed(Vec<String>),
    /// Declared in context.toml (a model trained elsewhere).
    Declared(&'a [String]),
    /// Neither: no claim about them can be made.
    Unknown,
}

impl Features<'_> {
    /// The features, when known.
    fn list(&self) -> Option<&[String]> {
        match self {
            Features::Computed(f) => Some(f),
            Features::Declared(f) => Some(f),
            Features::Unknown => None,
        }
    }
}

/// The model's features: the model file's, else the declared ones, else unknown.
pub(super) fn features<'a>(r: &Report, ctx: &'a Context) -> Features<'a> {
    match (&r.model, &ctx.declared.features) {
        (Some(m), _) => Features::Computed(m.feature_columns()),
        (None, Some(f)) => Features::Declared(f),
        (None, None) => Features::Unknown,
    }
}

/// What the evidence says about whether the model uses the protected attributes `names`.
fn protected_use(r: &Report, ctx: &Context, names: &[&str]) -> Line {
    let f = features(r, ctx);
    let Some(list) = f.list() else {
        return spans![
            " (whether the model uses them is unknown: ",
            strong(own_line("OPEN ITEM")),
            ", give ",
            code("--model"),
            " or declare ",
            code("[declared] features"),
            " in context.toml)"
        ];
    };
    let used: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| list.iter().any(|f| f == n))
        .collect();
    let tag = match f {
        Features::Computed(_) => "[computed]",
        _ => "[declared]",
    };
    if used.is_empty() {
        own_line(format!(
            " (not among the model's features {tag}: held for the audit only)"
        ))
    } else {
        spans![
            " (",
            strong(own_line("used as model features")),
            format!(" {tag}: "),
            join(used.iter().map(|n| data_line(*n)), ", "),
            ")"
        ]
    }
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
    document(r, ctx, findings).markdown()
}

/// The DPIA evidence: sections 0 to 7.
pub fn document(r: &Report, ctx: &Context, findings: &[Finding]) -> Document {
    let mut d = Document::new();
    let status = if ctx.signed_off() {
        "signed off"
    } else {
        "DRAFT (not signed off)"
    };
    d.heading(
        1,
        spans![
            "DPIA evidence: ",
            ctx.processing
                .as_deref()
                .map_or_else(|| own_line("scoring model"), data_line)
        ],
    );
    d.paragraph(spans![
        "Status: ",
        strong(own_line(status)),
        format!(". Generated by fairgate {} on ", crate::version::VERSION),
        data(&r.created),
        ". Marks: [computed] from the evidence, [declared] in context.toml, [draft] written by the tool for a person to confirm, [person] only a person can decide."
    ]);
    cover(&mut d, r, ctx);
    screening(&mut d, r, ctx);
    description(&mut d, r, ctx);
    necessity(&mut d, r, ctx);
    risks(&mut d, r, findings);
    measures(&mut d, r, ctx);
    sign_off(&mut d, ctx);
    review(&mut d, r, ctx);
    d
}

/// 0. Cover and provenance.
fn cover(d: &mut Document, r: &Report, ctx: &Context) {
    let audit = &r.audit;
    d.heading(2, own_line("0. Cover and provenance"));
    d.list(vec![
        spans![
            "Controller [declared]: ",
            given(&ctx.controller, "controller")
        ],
        spans!["DPO [declared]: ", given(&ctx.dpo, "dpo")],
        spans![
            "DPIA owner [declared]: ",
            given(&ctx.dpia_owner, "dpia-owner")
        ],
        own_line("Inputs [computed]:"),
    ]);
    let mut rows: Vec<Vec<Line>> = r
        .inputs
        .iter()
        .map(|f| {
            vec![
                data_line(&f.role),
                data_line(&f.path),
                data_line(crate::provenance::shown_digest(&f.sha256)),
            ]
        })
        .collect();
    rows.push(vec![
        own_line("audited data"),
        data_line(&audit.input.path),
        data_line(crate::provenance::shown_digest(&audit.input.sha256)),
    ]);
    if let Some(m) = &r.model {
        rows.push(vec![
            own_line("training data"),
            data_line(&m.data.file),
            data_line(crate::provenance::shown_digest(&m.data.sha256)),
        ]);
    }
    if let Some(g) = &r.gate {
        rows.push(vec![
            own_line("gate policy"),
            data_line(&g.policy.path),
            data_line(&g.policy.sha256),
        ]);
    }
    d.table(
        vec![own_line("role"), own_line("file"), own_line("sha256")],
        rows,
    );
    d.paragraph(own_line(
        "The outputs and their hashes are listed in evidence.json.",
    ));
}

/// 1. Screening against the WP248 criteria.
fn screening(d: &mut Document, r: &Report, ctx: &Context) {
    let audit = &r.audit;
    let rows = audit.input.rows_used;
    let special: Vec<&str> = audit
        .attributes
        .iter()
        .filter(|a| a.columns.len() == 1)
        .map(|a| a.name.as_str())
        .filter(|n| SPECIAL.iter().any(|k| n.to_lowercase().contains(k)))
        .collect();
    let large = rows >= 10_000;
    let automated = r.model.is_some();
    d.heading(2, own_line("1. Screening (WP248 criteria)"));
    let mut detected = 1; // evaluation or scoring: this is a scoring model
    let mut table = vec![
        vec![
            own_line("evaluation or scoring, including profiling"),
            own_line("yes: people are scored by a model"),
            own_line("[computed]"),
        ],
        vec![
            own_line("automated decision with legal or similar effect"),
            own_line(if automated {
                "a decision threshold turns scores into decisions"
            } else {
                "decisions at a threshold were audited"
            }),
            spans!["[person]: ", given(&ctx.automation, "automation")],
        ],
        vec![
            own_line("sensitive or special-category data"),
            if special.is_empty() {
                own_line("none among the audited attributes")
            } else {
                detected += 1;
                spans![
                    "yes: ",
                    join(special.iter().map(|n| data_line(*n)), ", "),
                    protected_use(r, ctx, &special)
                ]
            },
            own_line("[computed]"),
        ],
        vec![
            own_line("large scale"),
            own_line(if large {
                detected += 1;
                format!("{rows} records")
            } else {
                format!("no: {rows} records")
            }),
            own_line(
                "[computed], the threshold of 10,000 rows is fairgate's signal, not a legal line",
            ),
        ],
    ];
    for c in [
        "systematic monitoring",
        "matching or combining data sets",
        "vulnerable data subjects",
        "innovative technology",
        "prevents exercising a right or using a service",
    ] {
        table.push(vec![
            own_line(c),
            own_line("not detectable from the data"),
            own_line("[person]"),
        ]);
    }
    d.table(
        vec![
            own_line("criterion"),
            own_line("signal found"),
            own_line("mark"),
        ],
        table,
    );
    d.paragraph(own_line(format!(
        "Conclusion [draft]: {} WP248 criteria are signalled by the evidence; {}. A person must confirm.",
        detected,
        if detected >= 2 {
            "with two or more criteria, a DPIA is required"
        } else {
            "a DPIA is advisable for profiling"
        }
    )));
}

/// 2. Systematic description: purposes, recipients, scope, the model and its data inventory.
fn description(d: &mut Document, r: &Report, ctx: &Context) {
    let audit = &r.audit;
    d.heading(2, own_line("2. Systematic description"));
    let mut items = vec![
        spans![
            "Purposes [declared]: ",
            given_list(&ctx.purposes, "purposes")
        ],
        spans![
            "Data subjects [declared]: ",
            given(&ctx.data_subjects, "data-subjects")
        ],
        spans![
            "Recipients, processors, transfers [declared]: ",
            given_list(&ctx.recipients, "recipients")
        ],
        spans![
            format!(
                "Scope [computed]: {} rows read, {} audited. ",
                audit.input.rows_read, audit.input.rows_used
            ),
            data(r.audited_rows()),
            match r.model.as_ref().and_then(|m| m.data.record_ages.as_ref()) {
                Some(a) => spans![
                    " Training records dated (by ",
                    data(&a.column),
                    ") from ",
                    data(crate::text::prefix(&a.earliest, 10)),
                    " to ",
                    data(crate::text::prefix(&a.latest, 10)),
                    "."
                ],
                None => Vec::new(),
            }
        ],
    ];
    let Some(m) = &r.model else {
        items.push(spans![
            "Model: no model file was given to the report; give ",
            code("--model"),
            " for the inventory and the decision logic."
        ]);
        items.push(match &ctx.declared.features {
            Some(f) => spans![
                "Model features [declared]: ",
                join(f.iter().map(data_line), ", "),
                " (declared in context.toml",
                ctx.declared
                    .source
                    .as_ref()
                    .map_or_else(Vec::new, |s| spans!["; source: ", data(s)]),
                "; fairgate did not see the model)"
            ],
            None => spans![
                "Model features: unknown, ",
                strong(own_line("OPEN ITEM")),
                ": declare them (",
                code("[declared] features"),
                " in context.toml) or give ",
                code("--model"),
                "."
            ],
        });
        d.list(items);
        return;
    };
    items.push(spans![
        format!("Model [computed]: {:?}, trained ", m.kind),
        data(&m.created),
        " on ",
        data(&m.data.file),
        format!(
            " ({} rows used of {}), decision at score >= {}.",
            m.data.rows_used, m.data.rows_read, m.threshold
        )
    ]);
    d.list(items);
    d.paragraph(own_line("Data inventory [computed]:"));
    let mut rows: Vec<Vec<Line>> = m
        .feature_columns()
        .into_iter()
        .map(|f| vec![data_line(f), own_line("feature"), own_line("yes")])
        .collect();
    for p in &m.roles.protected {
        rows.push(vec![
            data_line(p),
            own_line("protected attribute"),
            own_line("no: audit only"),
        ]);
    }
    rows.push(vec![
        data_line(&m.label.column),
        own_line("label"),
        own_line("no: training target"),
    ]);
    for (role, c) in [
        ("identifier", &m.roles.id),
        ("consent flag", &m.roles.consent),
        ("consent timestamp", &m.roles.consent_timestamp),
    ] {
        if let Some(c) = c {
            rows.push(vec![data_line(c), own_line(role), own_line("no")]);
        }
    }
    d.table(
        vec![
            own_line("column"),
            own_line("role"),
            own_line("used by the model"),
        ],
        rows,
    );
}

/// 3. Necessity and proportionality, and the drafted notice.
fn necessity(d: &mut Document, r: &Report, ctx: &Context) {
    let audit = &r.audit;
    d.heading(2, own_line("3. Necessity and proportionality"));
    let mut items = vec![spans![
        "Lawful basis [declared]: ",
        given(&ctx.lawful_basis, "lawful-basis")
    ]];
    if let Some(m) = &r.model {
        let ex = &m.data.excluded;
        let share = m.data.rows_used as f64 / m.data.rows_read.max(1) as f64;
        items.push(own_line(format!("Consent coverage [computed]: {} of {} training records ({:.1}%) had a lawful basis; excluded: {} refused, {} no consent value, {} consent after the as-of date, {} no consent timestamp.", m.data.rows_used, m.data.rows_read, 100.0 * share, ex.consent_refused, ex.consent_missing, ex.consent_after_as_of, ex.consent_timestamp_missing)));
    }
    match &r.explain {
        Some(e) => {
            let proxies = proxy_list(e);
            let candidates: Vec<Line> = e.minimisation_candidates().map(data_line).collect();
            items.push(spans![
                "Proxy screen [computed]: ",
                if proxies.is_empty() {
                    own_line("no feature flagged")
                } else {
                    spans!["likely proxies: ", join(proxies, "; ")]
                }
            ]);
            items.push(spans![
                "Data minimisation [computed]: ",
                if candidates.is_empty() {
                    own_line("every feature adds validation AUC above the tolerance")
                } else {
                    spans![
                        "each of ",
                        join(candidates, ", "),
                        " can be dropped alone at little cost in validation AUC"
                    ]
                },
                "; conclusion [person]."
            ]);
        }
        None => items.push(spans![
            "Proxy and minimisation evidence: no explanation was given to the report (",
            code("--explain"),
            ")."
        ]),
    }
    items.push(own_line(format!(
        "Data quality [computed]: {} of {} audited rows were rejected as invalid.",
        audit.input.rows_rejected, audit.input.rows_read
    )));
    items.push(spans![
        "Storage limitation: retention [declared] ",
        ctx.retention_days.map_or_else(
            || open("retention-days"),
            |days| own_line(format!("{days} days"))
        ),
        "; ",
        storage_limitation(r, ctx)
    ]);
    items.push(spans![
        "Human review and contest route [declared]: ",
        given(&ctx.human_review, "human-review")
    ]);
    items.push(own_line(
        "Notice on the logic involved (Art. 13(2)(f), 14(2)(g)) [draft]:",
    ));
    d.list(items);
    let factors: Vec<Line> = r
        .explain
        .as_ref()
        .map(|e| {
            let mut imp: Vec<(f64, &str)> = e
                .importance
                .iter()
                .map(|f| (f.contribution_sd, f.feature.as_str()))
                .collect();
            imp.sort_by(|a, b| b.0.total_cmp(&a.0));
            imp.into_iter().take(3).map(|x| data_line(x.1)).collect()
        })
        .unwrap_or_default();
    let factors = if factors.is_empty() {
        own_line("the information we hold about you")
    } else {
        join(factors, ", ")
    };
    // "The model does not use ..." only where the features are known and exclude them.
    let protected: Vec<&str> = audit
        .attributes
        .iter()
        .filter(|a| a.columns.len() == 1)
        .map(|a| a.name.as_str())
        .collect();
    let unused: Line = match features(r, ctx).list() {
        Some(list) => {
            let unused: Vec<Line> = protected
                .iter()
                .filter(|p| !list.iter().any(|f| f == *p))
                .map(|p| data_line(*p))
                .collect();
            if unused.is_empty() {
                Vec::new()
            } else {
                spans![" The model does not use ", join(unused, ", "), "."]
            }
        }
        None => spans![
            " [",
            strong(own_line("OPEN ITEM")),
            ": which personal characteristics the model does not use, once its features are known]"
        ],
    };
    d.push(Block::Quote(spans![
        "We use an automated model to estimate ",
        given(&ctx.modelled_outcome, "modelled-outcome"),
        " (the modelled outcome). It combines information such as ",
        factors,
        " into a score; scores at or above a threshold lead to a positive decision.",
        unused,
        " You can ask for a human to review a decision, and for the main reasons behind your score."
    ]));
}

/// 4. Risks to individuals.
fn risks(d: &mut Document, r: &Report, findings: &[Finding]) {
    d.heading(2, own_line("4. Risks to individuals"));
    let fails = findings.iter().filter(|f| f.level == Level::Fail).count();
    let unclear = findings
        .iter()
        .filter(|f| f.level == Level::Inconclusive)
        .count();
    let warns = findings.iter().filter(|f| f.level == Level::Warn).count();
    let likelihood = if fails > 0 {
        "likely"
    } else if warns + unclear > 0 {
        "possible"
    } else {
        "remote"
    };
    let ece: Vec<Line> = r
        .audit
        .attributes
        .iter()
        .filter_map(|a| {
            a.summary
                .get(key::ECE_GAP)
                .and_then(|m| m.value)
                .map(|v| spans![data(&a.name), format!(" {v:.3}")])
        })
        .collect();
    let opacity = r.explain.as_ref().map_or_else(
        || "no explanation was given".to_string(),
        |e| {
            format!(
                "reason codes for every scored person; {} of {} people below the threshold have a single-change counterfactual",
                e.counterfactual_coverage.with_counterfactual,
                e.counterfactual_coverage.below_threshold
            )
        },
    );
    d.table(
        vec![
            own_line("risk"),
            own_line("evidence [computed]"),
            own_line("likelihood (suggested)"),
            own_line("severity (suggested)"),
        ],
        vec![
            vec![
                own_line("discrimination"),
                own_line(format!("{fails} FAIL, {unclear} INCONCLUSIVE and {warns} WARN findings in the report's summary (the policy's checks on intervals, proxies, data protection)")),
                own_line(likelihood),
                own_line("significant"),
            ],
            vec![
                own_line("inaccurate inferences"),
                spans![
                    "calibration error gaps: ",
                    if ece.is_empty() {
                        own_line("none computed")
                    } else {
                        join(ece, ", ")
                    },
                    ". When base rates differ between groups, calibration and equal error rates cannot all hold at once (Kleinberg et al. 2016; Chouldechova 2017): a person must choose which to prioritise"
                ],
                own_line("possible"),
                own_line("significant"),
            ],
            vec![
                own_line("opacity"),
                own_line(opacity),
                own_line("remote"),
                own_line("limited"),
            ],
        ],
    );
    d.paragraph(own_line(
        "Likelihood and severity are suggestions from the evidence, on the ICO scale; a person decides [person].",
    ));
}

/// 5. Measures and residual risk.
fn measures(d: &mut Document, r: &Report, ctx: &Context) {
    d.heading(2, own_line("5. Measures and residual risk"));
    let mut items = vec![if r.model.is_some() {
        own_line("Protective defaults in effect [computed]: records without a lawful basis are excluded from training and scoring; protected attributes are never model features; groups below the minimum size are suppressed in reports; no personal record appears in any report.")
    } else {
        own_line("Protective defaults in effect [computed]: groups below the minimum size are suppressed in reports; no personal record appears in any report. The model was not trained by fairgate: its consent filtering and features are the model owner's to show.")
    }];
    items.push(match &r.gate {
        Some(g) => {
            let blocking: Vec<Line> = g
                .rules
                .iter()
                .filter(|x| x.blocking)
                .map(|x| data_line(&x.id))
                .collect();
            spans![
                "Gate policy and result [computed]: policy ",
                data(&g.policy.name),
                " (",
                data(&g.policy.path),
                ", sha256 ",
                data(&g.policy.sha256),
                "): ",
                strong(own_line(if g.passed { "PASSED" } else { "FAILED" })),
                if blocking.is_empty() {
                    Vec::new()
                } else {
                    spans![", blocked by ", join(blocking, ", ")]
                },
                ". Rules: ",
                join(
                    g.rules
                        .iter()
                        .map(|x| spans![data(&x.id), format!(" {}", x.status.word())]),
                    "; "
                ),
                "."
            ]
        }
        None => spans![
            "Gate policy and result: ",
            strong(own_line("OPEN ITEM")),
            ": no gate result was given to this report (",
            code("fairgate gate --json FILE"),
            ", then ",
            code("report --gate FILE"),
            ")."
        ],
    });
    items.push(spans![
        "Security measures [declared]: ",
        given(&ctx.security, "security")
    ]);
    items.push(spans![
        "Residual risk [person]: ",
        given(&ctx.residual_risk, "residual-risk")
    ]);
    d.list(items);
}

/// 6. Consultation, DPO advice and sign-off.
fn sign_off(d: &mut Document, ctx: &Context) {
    d.heading(2, own_line("6. Consultation, DPO advice and sign-off"));
    d.list(vec![
        spans![
            "DPO advice [person]: ",
            given(&ctx.dpo_advice, "dpo-advice")
        ],
        spans![
            "Views of data subjects [person]: ",
            given(&ctx.consultation, "consultation")
        ],
        spans!["Decision [person]: ", given(&ctx.decision, "decision")],
        spans![
            "Approved by [person]: ",
            given(&ctx.approved_by, "approved-by"),
            " on ",
            given(&ctx.approved_on, "approved-on")
        ],
    ]);
}

/// 7. Review: the change since the previous audit and the next review.
fn review(d: &mut Document, r: &Report, ctx: &Context) {
    d.heading(2, own_line("7. Review"));
    let previous = match &r.previous {
        Some(c) => {
            let changes = c.changes();
            spans![
                "Difference from the previous audit [computed] (",
                data(c.audits.first().map_or("", |a| a.path.as_str())),
                format!(
                    "): {} change(s) beyond sampling noise or in the groups, {} regression(s)",
                    changes.len(),
                    c.regressions
                ),
                if changes.is_empty() {
                    own_line(".")
                } else {
                    spans![": ", join(changes.into_iter().map(data_line), "; "), "."]
                }
            ]
        }
        None => spans![
            "Difference from the previous audit: no previous audit was given to this report (",
            code("report --previous OLD_AUDIT.json"),
            ")."
        ],
    };
    d.list(vec![
        previous,
        spans![
            "Next review [declared]: ",
            given(&ctx.next_review, "next-review")
        ],
    ]);
}

/// The likely proxies of an explanation as "feature for attribute" phrases (the DPIA and the
/// model card list them).
pub(super) fn proxy_list(e: &crate::explain::Explanation) -> Vec<Line> {
    e.likely_proxies()
        .map(|p| spans![data(&p.feature), " for ", data(&p.attribute)])
        .collect()
}
