//! One threshold for everyone: the trade-off curve of a scored file over every distinct score,
//! and the threshold that maximises an objective subject to a policy, judged by the gate.
//!
//! Candidates are every distinct score `t` (decision `score >= t`, as the audit decides) and
//! `+inf` (nobody selected). One sort by score and cumulative (weighted) counts per group give,
//! for every candidate, each group's selection rate `(TP + FP) / n`, TPR `TP / P`, FPR
//! `FP / N` and accuracy `(TP + TN) / n`, and overall:
//!
//! - accuracy `(TP + TN) / n`; balanced accuracy `(TPR + TNR) / 2`;
//! - value `v_tp · TP + v_fp · FP` (a value per true and per false positive, `v_fp` usually
//!   negative), in rows (or weight);
//! - capacity: accuracy among the thresholds selecting at most a share `r` of the rows;
//! - over the groups with at least the minimum group size: the demographic-parity difference
//!   `max sr − min sr`, the equalized-odds difference `max(TPR range, FPR range)` and the
//!   lowest impact ratio `min sr / max sr` (point estimates, for the curve).
//!
//! The policy is judged as the gate judges it, on intervals: for a candidate, the audit of the
//! data at that threshold (the same audit `fairgate audit` computes, made by
//! [`ThresholdAudits`] from one read of the rows) is judged by [`crate::policy::evaluate`].
//! Candidates are judged in order of their objective (ties: the
//! larger threshold first) until one passes: that one is the best threshold meeting the
//! policy. The number of gate judgements is bounded (`max_evaluations`); past it, or when no
//! candidate passes, a spread of thresholds over the whole range is judged too, and the answer
//! says "infeasible" with the closest candidate (fewest blocking checks, then the best
//! objective) and whether the search was exhaustive.

use serde::Serialize;

use super::{labels_and_weights, Character, Grouping, MitigateError, MITIGATE_SCHEMA_VERSION};
use crate::audit::{AuditParams, AuditReport, ThresholdAudits};
use crate::data::{LoadSummary, Role, Table};
use crate::doc::Render;
use crate::policy::{Evidence, Policy, Status};
use crate::provenance::{FileRef, PolicyRef};

/// What a threshold should maximise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Objective {
    /// Overall accuracy.
    Accuracy,
    /// Balanced accuracy, `(TPR + TNR) / 2`.
    BalancedAccuracy,
    /// `tp · TP + fp · FP`: a value per true positive and per false positive.
    Value {
        /// Value of a true positive.
        tp: f64,
        /// Value of a false positive (a cost: usually negative).
        fp: f64,
    },
    /// Accuracy among thresholds selecting at most this share of the rows.
    Capacity(f64),
}

impl Objective {
    /// Parses `accuracy`, `balanced-accuracy`, `value:TP,FP` or `capacity:SHARE`.
    pub fn parse(s: &str) -> Option<Objective> {
        match s {
            "accuracy" => Some(Objective::Accuracy),
            "balanced-accuracy" => Some(Objective::BalancedAccuracy),
            _ => {
                if let Some(v) = s.strip_prefix("value:") {
                    let (a, b) = v.split_once(',')?;
                    let (tp, fp) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                    [tp, fp]
                        .iter()
                        .all(|x: &f64| x.is_finite())
                        .then_some(Objective::Value { tp, fp })
                } else {
                    let r: f64 = s.strip_prefix("capacity:")?.trim().parse().ok()?;
                    (r > 0.0 && r <= 1.0).then_some(Objective::Capacity(r))
                }
            }
        }
    }

    /// In words.
    pub fn describe(&self) -> String {
        match self {
            Objective::Accuracy => "accuracy".into(),
            Objective::BalancedAccuracy => "balanced accuracy".into(),
            Objective::Value { tp, fp } => {
                format!("value ({tp} per true positive, {fp} per false positive)")
            }
            Objective::Capacity(r) => format!("accuracy, selecting at most {r} of the rows"),
        }
    }
}

/// Settings of [`threshold_curve`].
#[derive(Clone, Debug)]
pub struct CurveParams {
    /// The protected attributes whose groups (their intersection when several) the curve
    /// reports.
    pub by: Vec<String>,
    /// What to maximise.
    pub objective: Objective,
    /// The audit settings the gate judges each candidate's audit with (its threshold is the
    /// candidate's; the baseline is this threshold).
    pub audit: AuditParams,
    /// Most candidates judged by the gate in objective order. Defaults to 200.
    pub max_evaluations: usize,
}

/// One point of the curve.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurvePoint {
    /// The threshold (`score >= threshold` selected); `None`: `+inf`, nobody selected.
    pub threshold: Option<f64>,
    /// Share selected.
    pub selected: f64,
    /// Accuracy.
    pub accuracy: f64,
    /// Balanced accuracy; `None` with one label class.
    pub balanced_accuracy: Option<f64>,
    /// The objective's value; `None` when the threshold is outside a capacity target.
    pub objective: Option<f64>,
    /// Demographic-parity difference over the groups not small; `None` with fewer than two.
    pub dp_difference: Option<f64>,
    /// Equalized-odds difference over those groups; `None` when undefined.
    pub eo_difference: Option<f64>,
    /// Lowest impact ratio over those groups; `None` when nobody is selected.
    pub min_impact_ratio: Option<f64>,
}

/// One group's rates at a threshold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupRates {
    /// The group.
    pub group: String,
    /// Rows.
    pub n: u64,
    /// Selection rate.
    pub selection_rate: Option<f64>,
    /// TPR; `None` without positives.
    pub tpr: Option<f64>,
    /// FPR; `None` without negatives.
    pub fpr: Option<f64>,
    /// Accuracy.
    pub accuracy: Option<f64>,
}

/// What the gate said of a candidate.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct GateVerdict {
    /// Whether no error rule blocks.
    pub passed: bool,
    /// Blocking checks (FAIL, or INCONCLUSIVE when the policy blocks on it).
    pub blocking_checks: u64,
    /// Rules by status word.
    pub counts: std::collections::BTreeMap<String, u64>,
    /// The blocking checks, as `rule: subject STATUS`.
    pub blocking: Vec<String>,
}

/// A judged candidate: its point, its groups' rates and the gate's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// The point on the curve.
    pub point: CurvePoint,
    /// Each group's rates.
    pub groups: Vec<GroupRates>,
    /// The gate's verdict on the audit at this threshold.
    pub gate: GateVerdict,
}

/// The single-threshold search.
#[derive(Clone, Debug, Serialize)]
pub struct CurveResult {
    /// The JSON layout's version.
    pub schema_version: u32,
    /// fairgate's version.
    pub fairgate_version: String,
    /// The method.
    pub method: &'static str,
    /// How it uses the protected attribute.
    pub character: Character,
    /// What was read.
    pub input: LoadSummary,
    /// The attributes whose groups the curve reports.
    pub by: Vec<String>,
    /// The objective, in words.
    pub objective: String,
    /// The policy judged.
    pub policy: PolicyRef,
    /// Candidate thresholds (distinct scores and `+inf`).
    pub candidates: u64,
    /// `feasible` (a threshold meets the policy) or `infeasible`.
    pub verdict: &'static str,
    /// Whether every candidate that could have beaten the answer was judged.
    pub exhaustive: bool,
    /// Candidates judged by the gate.
    pub gate_evaluations: u64,
    /// The audit's own threshold, judged.
    pub baseline: Candidate,
    /// The best threshold meeting the policy.
    pub chosen: Option<Candidate>,
    /// When none does: the candidate with the fewest blocking checks (then the best
    /// objective).
    pub closest: Option<Candidate>,
    /// The curve, thinned to at most [`CURVE_POINTS`] points spread over the candidates
    /// (every candidate is in [`CurveResult::all`], written by `--curve`).
    pub points: Vec<CurvePoint>,
    /// Every candidate, from `+inf` down.
    #[serde(skip)]
    pub all: Vec<CurvePoint>,
}

/// Points of the curve kept in the JSON.
pub const CURVE_POINTS: usize = 200;

/// Per-group cumulative counts down the sorted scores.
struct Sweep {
    /// Distinct scores, descending.
    thresholds: Vec<f64>,
    /// Per candidate (`+inf` first), per group: (TP, FP) weight selected.
    at: Vec<Vec<(f64, f64)>>,
    /// Per group: (positives, negatives, rows) weight, and rows.
    totals: Vec<(f64, f64, u64)>,
}

fn sweep(score: &[f64], y: &[bool], w: Option<&[f64]>, groups: &Grouping) -> Sweep {
    let k = groups.len();
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    let weight = |i: usize| w.map_or(1.0, |w| w[i]);
    let mut totals = vec![(0.0, 0.0, 0u64); k];
    for i in 0..score.len() {
        let t = &mut totals[groups.of_row[i]];
        if y[i] {
            t.0 += weight(i);
        } else {
            t.1 += weight(i);
        }
        t.2 += 1;
    }
    let mut cur = vec![(0.0, 0.0); k];
    let mut at = vec![cur.clone()];
    let mut thresholds = Vec::new();
    let mut j = 0;
    while j < order.len() {
        let s = score[order[j]];
        while j < order.len() && score[order[j]] == s {
            let i = order[j];
            let c = &mut cur[groups.of_row[i]];
            if y[i] {
                c.0 += weight(i);
            } else {
                c.1 += weight(i);
            }
            j += 1;
        }
        thresholds.push(s);
        at.push(cur.clone());
    }
    Sweep {
        thresholds,
        at,
        totals,
    }
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

impl Sweep {
    fn threshold(&self, c: usize) -> Option<f64> {
        c.checked_sub(1).map(|k| self.thresholds[k])
    }

    fn groups(&self, c: usize, grouping: &Grouping) -> Vec<GroupRates> {
        self.at[c]
            .iter()
            .zip(&self.totals)
            .enumerate()
            .map(|(g, (&(tp, fp), &(p, n, rows)))| GroupRates {
                group: grouping.name(g),
                n: rows,
                selection_rate: ratio(tp + fp, p + n),
                tpr: ratio(tp, p),
                fpr: ratio(fp, n),
                accuracy: ratio(tp + n - fp, p + n),
            })
            .collect()
    }

    fn point(&self, c: usize, objective: Objective, min_group: u64) -> CurvePoint {
        let (mut tp, mut fp, mut p, mut n) = (0.0, 0.0, 0.0, 0.0);
        for (&(a, b), &(pp, nn, _)) in self.at[c].iter().zip(&self.totals) {
            tp += a;
            fp += b;
            p += pp;
            n += nn;
        }
        let all = p + n;
        let selected = if all > 0.0 { (tp + fp) / all } else { 0.0 };
        let accuracy = if all > 0.0 { (tp + n - fp) / all } else { 0.0 };
        let balanced = match (ratio(tp, p), ratio(n - fp, n)) {
            (Some(a), Some(b)) => Some(0.5 * (a + b)),
            _ => None,
        };
        let objective_value = match objective {
            Objective::Accuracy => Some(accuracy),
            Objective::BalancedAccuracy => balanced,
            Objective::Value { tp: vt, fp: vf } => Some(vt * tp + vf * fp),
            Objective::Capacity(r) => (selected <= r + 1e-12).then_some(accuracy),
        };
        let big: Vec<usize> = (0..self.totals.len())
            .filter(|&g| self.totals[g].2 >= min_group)
            .collect();
        let range = |f: &dyn Fn(usize) -> Option<f64>| -> Option<(f64, f64)> {
            let v: Vec<f64> = big.iter().filter_map(|&g| f(g)).collect();
            (v.len() >= 2 && v.len() == big.len()).then(|| {
                (
                    v.iter().copied().fold(f64::INFINITY, f64::min),
                    v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                )
            })
        };
        let sr = |g: usize| {
            let (a, b) = self.at[c][g];
            let (pp, nn, _) = self.totals[g];
            ratio(a + b, pp + nn)
        };
        let tpr = |g: usize| ratio(self.at[c][g].0, self.totals[g].0);
        let fpr = |g: usize| ratio(self.at[c][g].1, self.totals[g].1);
        let dp = range(&sr);
        let eo = match (range(&tpr), range(&fpr)) {
            (Some(a), Some(b)) => Some((a.1 - a.0).max(b.1 - b.0)),
            _ => None,
        };
        CurvePoint {
            threshold: self.threshold(c),
            selected,
            accuracy,
            balanced_accuracy: balanced,
            objective: objective_value,
            dp_difference: dp.map(|(lo, hi)| hi - lo),
            eo_difference: eo,
            min_impact_ratio: dp.and_then(|(lo, hi)| ratio(lo, hi)),
        }
    }
}

/// Each group's rates (of the groups of `by`) when `score >= t` is selected.
pub fn rates_at(table: &Table, by: &[String], t: f64) -> Result<Vec<GroupRates>, MitigateError> {
    let score = table
        .score()
        .ok_or(MitigateError::MissingRole(Role::Score))?;
    let (y, w) = labels_and_weights(table)?;
    let grouping = Grouping::of(table, by)?;
    let sw = sweep(score, &y, w, &grouping);
    let c = sw
        .thresholds
        .iter()
        .rposition(|&s| s >= t)
        .map_or(0, |k| k + 1);
    Ok(sw.groups(c, &grouping))
}

/// Judges the audit of `table` at threshold `t` with `policy`.
fn judge(
    table: &Table,
    audits: &ThresholdAudits<'_>,
    t: f64,
    policy: &Policy,
) -> Result<GateVerdict, MitigateError> {
    let params = audits.params_at(t)?;
    let attributes = audits.at(t)?;
    let report = AuditReport::new(table.summary(), &params, attributes);
    gate_verdict(report, policy)
}

/// The gate's verdict on an audit made in this process.
pub(crate) fn gate_verdict(
    report: AuditReport,
    policy: &Policy,
) -> Result<GateVerdict, MitigateError> {
    Ok(verdict_of(&gate_result(report, policy)?, policy))
}

/// The gate's full result on an audit made in this process.
pub(crate) fn gate_result(
    report: AuditReport,
    policy: &Policy,
) -> Result<crate::policy::GateResult, MitigateError> {
    let ev = Evidence {
        audit: report,
        audit_file: FileRef {
            path: "(audit of a candidate, in memory)".into(),
            sha256: String::new(),
        },
        model: None,
        explain: None,
        declared: Default::default(),
    };
    Ok(crate::policy::evaluate(policy, &ev)?)
}

/// The verdict of a gate result: whether it passed and its blocking checks.
pub(crate) fn verdict_of(g: &crate::policy::GateResult, policy: &Policy) -> GateVerdict {
    let mut blocking = Vec::new();
    for r in g.rules.iter().filter(|r| r.blocking) {
        for c in &r.checks {
            if c.status == Status::Fail
                || (c.status == Status::Inconclusive && policy.inconclusive_blocks)
            {
                blocking.push(format!("{}: {} {}", r.id, c.subject, c.status.word()));
            }
        }
    }
    GateVerdict {
        passed: g.passed,
        blocking_checks: blocking.len() as u64,
        counts: g
            .counts
            .iter()
            .map(|(k, v)| (k.clone(), *v as u64))
            .collect(),
        blocking,
    }
}

/// Computes the curve over every distinct score of `table` (label and score columns, the
/// protected attributes, optional weights) and searches it for the best threshold meeting
/// `policy`.
pub fn threshold_curve(
    table: &Table,
    params: &CurveParams,
    policy: &Policy,
) -> Result<CurveResult, MitigateError> {
    let score = table
        .score()
        .ok_or(MitigateError::MissingRole(Role::Score))?;
    if table.with_role(Role::Prediction).next().is_some() {
        return Err(MitigateError::Data(
            "a threshold needs scores, not decisions: give --score, not --prediction".into(),
        ));
    }
    let (y, w) = labels_and_weights(table)?;
    if table.n_rows() == 0 {
        return Err(MitigateError::Data("no usable rows".into()));
    }
    let grouping = Grouping::of(table, &params.by)?;
    let sw = sweep(score, &y, w, &grouping);
    let min_group = params.audit.min_group_size;
    let all: Vec<CurvePoint> = (0..sw.at.len())
        .map(|c| sw.point(c, params.objective, min_group))
        .collect();
    // Candidates in objective order (ties: the larger threshold first, +inf largest).
    let mut order: Vec<usize> = (0..all.len())
        .filter(|&c| all[c].objective.is_some() && all[c].threshold.is_some())
        .collect();
    order.sort_by(|&a, &b| {
        let (oa, ob) = (
            all[a].objective.unwrap_or(0.0),
            all[b].objective.unwrap_or(0.0),
        );
        ob.total_cmp(&oa).then(a.cmp(&b))
    });
    let candidate = |c: usize, gate: GateVerdict| Candidate {
        point: all[c].clone(),
        groups: sw.groups(c, &grouping),
        gate,
    };
    // The rows are read once; each candidate's audit is then its counts at its threshold.
    let audits = ThresholdAudits::new(table, &params.audit.clone().check()?)?;
    let mut judged: Vec<(usize, GateVerdict)> = Vec::new();
    // Judged in order; a batch of candidates at a time over the cores, keeping only those up
    // to the first that passes, so the result is the sequential one.
    let judge_in_order = |cands: &[usize], judged: &mut Vec<(usize, GateVerdict)>| {
        let batch = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        for chunk in cands.chunks(batch.max(1)) {
            let verdicts = crate::par::par_map(chunk.len(), |i| {
                judge(
                    table,
                    &audits,
                    all[chunk[i]].threshold.unwrap_or(1.0),
                    policy,
                )
            });
            for (&c, v) in chunk.iter().zip(verdicts) {
                let v = v?;
                let passed = v.passed;
                judged.push((c, v));
                if passed {
                    return Ok::<Option<usize>, MitigateError>(Some(c));
                }
            }
        }
        Ok(None)
    };
    let first: Vec<usize> = order
        .iter()
        .take(params.max_evaluations.max(1))
        .copied()
        .collect();
    let mut chosen = judge_in_order(&first, &mut judged)?;
    let exhaustive = chosen.is_some() || judged.len() == order.len();
    if chosen.is_none() && !exhaustive {
        // A spread over the whole range, in objective order: the best that passes among them.
        let step = (order.len() / 40).max(1);
        let mut spread: Vec<usize> = order
            .iter()
            .skip(judged.len())
            .step_by(step)
            .copied()
            .collect();
        spread.sort_by(|&a, &b| {
            let (oa, ob) = (
                all[a].objective.unwrap_or(0.0),
                all[b].objective.unwrap_or(0.0),
            );
            ob.total_cmp(&oa).then(a.cmp(&b))
        });
        chosen = judge_in_order(&spread, &mut judged)?;
    }
    let gate_evaluations = judged.len() as u64;
    let closest = if chosen.is_none() {
        judged
            .iter()
            .min_by(|a, b| {
                a.1.blocking_checks.cmp(&b.1.blocking_checks).then(
                    all[b.0]
                        .objective
                        .unwrap_or(f64::NEG_INFINITY)
                        .total_cmp(&all[a.0].objective.unwrap_or(f64::NEG_INFINITY)),
                )
            })
            .map(|(c, v)| candidate(*c, v.clone()))
    } else {
        None
    };
    let chosen = chosen.and_then(|c| {
        judged
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(k, v)| candidate(*k, v.clone()))
    });
    // The baseline: the audit's own threshold (selected: score >= t), the candidate at the
    // smallest distinct score at or above it.
    let base_t = params.audit.threshold;
    let base_c = sw
        .thresholds
        .iter()
        .rposition(|&s| s >= base_t)
        .map_or(0, |k| k + 1);
    debug_assert!(base_c == 0 || sw.thresholds[base_c - 1] >= base_t);
    let baseline = candidate(base_c, judge(table, &audits, base_t, policy)?);
    let step = all.len().div_ceil(CURVE_POINTS).max(1);
    let points = all.iter().step_by(step).cloned().collect();
    Ok(CurveResult {
        schema_version: MITIGATE_SCHEMA_VERSION,
        fairgate_version: crate::version::VERSION.to_string(),
        method: "single-threshold",
        character: Character::NoAttribute,
        input: table.summary().clone(),
        by: params.by.clone(),
        objective: params.objective.describe(),
        policy: PolicyRef {
            name: policy.name.clone(),
            path: policy.path.clone(),
            sha256: policy.sha256.clone(),
        },
        candidates: all.len() as u64,
        verdict: if chosen.is_some() {
            "feasible"
        } else {
            "infeasible"
        },
        exhaustive,
        gate_evaluations,
        baseline,
        chosen,
        closest,
        points,
        all,
    })
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("undefined".into(), |x| format!("{x:.4}"))
}

impl CurveResult {
    /// Writes every candidate as CSV: threshold (`inf` for nobody), selected, accuracy,
    /// balanced accuracy, objective, and the disparity summaries (empty when undefined).
    pub fn write_curve(&self, out: impl std::io::Write) -> Result<(), MitigateError> {
        let io = |e: csv::Error| MitigateError::Io(crate::output::csv_io(e));
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "threshold",
            "selected",
            "accuracy",
            "balanced_accuracy",
            "objective",
            "dp_difference",
            "eo_difference",
            "min_impact_ratio",
        ])
        .map_err(io)?;
        let o = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
        for p in &self.all {
            w.write_record([
                p.threshold.map_or("inf".into(), |t| format!("{t}")),
                format!("{}", p.selected),
                format!("{}", p.accuracy),
                o(p.balanced_accuracy),
                o(p.objective),
                o(p.dp_difference),
                o(p.eo_difference),
                o(p.min_impact_ratio),
            ])
            .map_err(io)?;
        }
        w.flush()?;
        Ok(())
    }

    /// The result as a document (the text and Markdown outputs, and the report's section).
    pub fn document(&self) -> crate::doc::Document {
        use crate::doc::{data, own, Block, Document};
        let mut d = Document::default();
        d.push(Block::Heading(
            2,
            vec![own(format!(
                "One threshold for everyone, by {}: {}",
                self.by.join(" x "),
                self.verdict.to_uppercase()
            ))],
        ));
        d.push(Block::Paragraph(vec![vec![own(format!(
            "Maximising {} over {} candidate thresholds, subject to the policy \"{}\" judged by the gate on the audit at each threshold ({} judged{}). {}.",
            self.objective,
            self.candidates,
            self.policy.name,
            self.gate_evaluations,
            if self.exhaustive { "" } else { "; the search was not exhaustive" },
            self.character.describe()
        ))]]));
        let row = |name: &str, c: &Candidate| {
            vec![
                vec![own(name)],
                vec![own(c
                    .point
                    .threshold
                    .map_or("+inf".into(), |t| format!("{t}")))],
                vec![own(format!("{:.4}", c.point.selected))],
                vec![own(format!("{:.4}", c.point.accuracy))],
                vec![own(fmt(c.point.objective))],
                vec![own(fmt(c.point.dp_difference))],
                vec![own(fmt(c.point.eo_difference))],
                vec![own(fmt(c.point.min_impact_ratio))],
                vec![own(if c.gate.passed { "PASS" } else { "FAIL" })],
                vec![own(c.gate.blocking_checks.to_string())],
            ]
        };
        let mut rows = vec![row("baseline", &self.baseline)];
        rows.extend(self.chosen.iter().map(|c| row("chosen", c)));
        rows.extend(self.closest.iter().map(|c| row("closest", c)));
        let head = [
            "",
            "threshold",
            "selected",
            "accuracy",
            "objective",
            "DP diff",
            "EO diff",
            "min ratio",
            "gate",
            "blocking",
        ]
        .map(|h| vec![own(h)])
        .to_vec();
        d.push(Block::Table { head, rows });
        if let Some(c) = self.chosen.as_ref().or(self.closest.as_ref()) {
            if !c.gate.blocking.is_empty() {
                d.push(Block::List(
                    c.gate
                        .blocking
                        .iter()
                        .map(|b| vec![data(b.clone())])
                        .collect(),
                ));
            }
            let head = ["group", "n", "selection rate", "TPR", "FPR", "accuracy"]
                .map(|h| vec![own(h)])
                .to_vec();
            let rows = c
                .groups
                .iter()
                .map(|g| {
                    vec![
                        vec![data(g.group.clone())],
                        vec![own(g.n.to_string())],
                        vec![own(fmt(g.selection_rate))],
                        vec![own(fmt(g.tpr))],
                        vec![own(fmt(g.fpr))],
                        vec![own(fmt(g.accuracy))],
                    ]
                })
                .collect();
            d.push(Block::Table { head, rows });
        }
        d
    }
}

impl Render for CurveResult {
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
