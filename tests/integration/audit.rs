//! The audit's structure: streaming equals in-memory for any chunk size and thread count;
//! intersections, the unknown group, small and under-2% flags; undefined metrics.

use std::io::Cursor;

use fairgate::audit::{audit, audit_stream, AuditParams, Undefined};
use fairgate::data::{synth, DataSpec, ReadOptions, Table, TableReader, Unlisted};

use crate::util::{label_score, load};

fn demo() -> Vec<u8> {
    let mut v = Vec::new();
    if let Ok(p) = synth::SynthParams::new(6_000, 99).check() {
        synth::generate(&p, &mut v).unwrap_or_default();
    }
    v
}

/// Audits `bytes` in memory and streaming with several chunk sizes, threaded and inline; the
/// audits and the load summaries must be identical. Without a bootstrap or weights, the
/// streaming audit folds rows on the decoding threads; with a bootstrap it does not.
fn assert_streaming_matches(
    bytes: &[u8],
    spec: &DataSpec,
    params: &AuditParams,
    unlisted: Unlisted,
) -> Result<(), Box<dyn std::error::Error>> {
    let options = |chunk_rows, threaded| ReadOptions {
        chunk_rows,
        threaded,
        unlisted,
    };
    let table = Table::from_reader(
        Box::new(Cursor::new(bytes.to_vec())),
        "d.csv",
        spec,
        &options(8192, true),
    )?;
    let whole = serde_json::to_string(&audit(&table, &params.clone().check()?)?)?;
    for (chunk, threaded) in [(1, false), (97, true), (1000, false), (100_000, true)] {
        let reader = TableReader::new(
            Box::new(Cursor::new(bytes.to_vec())),
            "d.csv",
            spec,
            &options(chunk, threaded),
        )?;
        let (streamed, summary) = audit_stream(reader, &params.clone().check()?)?;
        assert_eq!(
            serde_json::to_string(&streamed)?,
            whole,
            "chunk {chunk}, threaded {threaded}"
        );
        assert_eq!(
            &summary,
            table.summary(),
            "chunk {chunk}, threaded {threaded}"
        );
    }
    Ok(())
}

#[test]
fn streaming_and_in_memory_audits_agree_for_any_chunking() -> Result<(), Box<dyn std::error::Error>>
{
    let bytes = demo();
    for bootstrap in [0, 30] {
        let params = AuditParams {
            threshold: 0.2,
            intersections: vec![vec!["gender".into(), "ethnicity".into()]],
            bootstrap,
            seed: 11,
            ..AuditParams::default()
        };
        assert_streaming_matches(&bytes, &synth::spec(), &params, Unlisted::AsFeatures)?;
    }
    Ok(())
}

#[test]
fn folded_streaming_keeps_rejections_missing_groups_and_decisions(
) -> Result<(), Box<dyn std::error::Error>> {
    // Rejected rows (bad score, missing label), missing protected values, a third attribute
    // and 0/1 decisions besides the score.
    let mut csv = String::from("y,score,pred,g,h,k\n");
    for i in 0..3000u32 {
        let g = ["a", "b", "", "c"][(i % 4) as usize];
        let h = ["x", "y", "z"][(i % 3) as usize];
        let k = if i % 7 == 0 {
            ""
        } else {
            ["p", "q"][(i % 2) as usize]
        };
        let score = match i % 101 {
            5 => "high".to_string(),
            _ => format!("{:.3}", f64::from((i * 37) % 1000) / 1000.0),
        };
        let y = if i % 97 == 3 {
            String::new()
        } else {
            ((i * 13) % 5 < 2).to_string()
        };
        csv.push_str(&format!("{y},{score},{},{g},{h},{k}\n", i % 3 == 0));
    }
    let base = DataSpec {
        protected: Some(vec!["g".into(), "h".into(), "k".into()]),
        on_invalid: Some(fairgate::data::OnInvalid::Skip),
        max_rejected: Some(1.0),
        ..label_score("y", "score")
    };
    let params = AuditParams {
        threshold: 0.4,
        intersections: vec![vec!["g".into(), "h".into(), "k".into()]],
        ..AuditParams::default()
    };
    assert_streaming_matches(csv.as_bytes(), &base, &params, Unlisted::Ignore)?;
    let decisions = DataSpec {
        score: None,
        prediction: Some("pred".into()),
        ..base
    };
    assert_streaming_matches(csv.as_bytes(), &decisions, &params, Unlisted::Ignore)
}

#[test]
fn scores_on_and_off_the_grid_give_the_audit_of_sorted_rows(
) -> Result<(), Box<dyn std::error::Error>> {
    // Folded blocks count scores with up to four decimals in place (see fairgate::audit's
    // grid) and sort the others. The in-memory audit sorts every row. First 66,000 rows of
    // one cell at score 0 with label 0: many times what a grid's byte counts before it wraps
    // (in one block of 100,000 rows). Then 80 cells in runs of 80 rows, each mixing
    // scores on and off the grid: more cells than a block (in one block) or the whole sample
    // (in blocks of 1,000 rows) keeps grids for.
    let mut csv = String::from("y,score,g,h\n");
    for _ in 0..66_000 {
        csv.push_str("0,0,g0,x\n");
    }
    for i in 0..6_400u32 {
        let u = (f64::from(i) * 0.618_033_988_749_895).fract();
        let score = match i % 4 {
            0 => format!("{u}"),
            1 => format!("{u:.4}"),
            2 => format!("{u:.2}"),
            _ => ["0", "1", "0.5", "1.0000", "0.0001"][(i / 4 % 5) as usize].to_string(),
        };
        let y = u32::from((i * 7919) % 10 < 3 + (i % 4));
        let cell = i / 80;
        let (g, h) = (cell % 40, ["x", "y"][(cell / 40) as usize]);
        csv.push_str(&format!("{y},{score},g{g},{h}\n"));
    }
    let spec = DataSpec {
        protected: Some(vec!["g".into(), "h".into()]),
        ..label_score("y", "score")
    };
    let params = AuditParams {
        intersections: vec![vec!["g".into(), "h".into()]],
        min_group_size: 1,
        ..AuditParams::default()
    };
    assert_streaming_matches(csv.as_bytes(), &spec, &params, Unlisted::Ignore)
}

#[test]
fn intersections_unknown_and_flags() -> Result<(), Box<dyn std::error::Error>> {
    // 40 rows of a/x, 40 of b/y, 2 of b/x, 3 with g missing.
    let mut csv = String::from("y,score,g,h\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "{},{},a,x\n",
            i % 2,
            if i % 4 == 0 { 0.9 } else { 0.1 }
        ));
        csv.push_str(&format!(
            "{},{},b,y\n",
            i % 2,
            if i % 3 == 0 { 0.9 } else { 0.1 }
        ));
    }
    csv.push_str("1,0.9,b,x\n0,0.2,b,x\n1,0.9,,x\n0,0.1,,y\n1,0.6,,y\n");
    let spec = DataSpec {
        protected: Some(vec!["g".into(), "h".into()]),
        ..label_score("y", "score")
    };
    let t = load(csv.as_bytes(), &spec)?;
    let params = AuditParams {
        intersections: vec![vec!["g".into(), "h".into()]],
        ..AuditParams::default()
    };
    let r = audit(&t, &params.clone().check()?)?;
    assert_eq!(r.len(), 3);
    let g = &r[0];
    let names: Vec<(&str, u64, bool)> = g
        .groups
        .iter()
        .map(|x| (x.group.as_str(), x.n, x.small))
        .collect();
    assert_eq!(
        names,
        vec![("a", 40, false), ("b", 42, false), ("unknown", 3, true)]
    );
    // 3 of 85 rows is 3.5%: not under 2%.
    assert!(!g.groups[2].under_2_percent);
    let h = &r[1];
    assert!(h.groups.iter().any(|x| x.group == "unknown" && x.n == 0));
    let gh = &r[2];
    assert_eq!(gh.name, "g x h");
    assert_eq!(gh.columns, vec!["g".to_string(), "h".into()]);
    let got: Vec<(&str, u64)> = gh.groups.iter().map(|x| (x.group.as_str(), x.n)).collect();
    // Ordered by each column's first-appearance order, then unknown.
    assert_eq!(
        got,
        vec![
            ("a, x", 40),
            ("b, x", 2),
            ("b, y", 40),
            ("unknown, x", 1),
            ("unknown, y", 2)
        ]
    );
    // The small b/x group is shown but left out of the summary and of the reference choice.
    let bx = &gh.groups[1];
    assert!(bx.small);
    assert_ne!(gh.reference_group.as_deref(), Some("b, x"));
    Ok(())
}

/// A protected value spelled `unknown` (the bank-marketing data's own word for a missing
/// value) is the unknown group: auditing the file equals auditing it with those values left
/// blank, one group of each attribute or intersection is shown as "unknown", and it is never
/// the default reference, even with the highest selection rate.
#[test]
fn a_value_spelled_unknown_is_the_unknown_group() -> Result<(), Box<dyn std::error::Error>> {
    let mut spelled = String::from("y,score,g,h\n");
    for i in 0..300 {
        let g = ["unknown", "a", "", "b"][i % 4];
        let score = if g.is_empty() || g == "unknown" {
            0.95
        } else {
            (i % 10) as f64 / 10.0
        };
        spelled.push_str(&format!(
            "{},{score},{g},{}\n",
            i % 3 % 2,
            ["x", "y"][i % 5 % 2]
        ));
    }
    let blank = spelled.replace(",unknown,", ",,");
    assert_ne!(blank, spelled);
    let spec = DataSpec {
        protected: Some(vec!["g".into(), "h".into()]),
        ..label_score("y", "score")
    };
    let params = AuditParams {
        intersections: vec![vec!["g".into(), "h".into()]],
        ..AuditParams::default()
    };
    let r = audit(&load(spelled.as_bytes(), &spec)?, &params.clone().check()?)?;
    assert_eq!(
        serde_json::to_string(&r)?,
        serde_json::to_string(&audit(
            &load(blank.as_bytes(), &spec)?,
            &params.clone().check()?
        )?)?
    );
    let g: Vec<(&str, u64)> = r[0]
        .groups
        .iter()
        .map(|x| (x.group.as_str(), x.n))
        .collect();
    assert_eq!(g, vec![("a", 75), ("b", 75), ("unknown", 150)]);
    // Every unknown row is selected; a and b tie (3 in 5), and the first of a tie is taken.
    assert_eq!(r[0].groups[2].metrics["selection_rate"].value, Some(1.0));
    assert_eq!(r[0].reference_group.as_deref(), Some("a"));
    let gh: Vec<&str> = r[2].groups.iter().map(|x| x.group.as_str()).collect();
    assert_eq!(gh.iter().filter(|x| x.starts_with("unknown, ")).count(), 2);
    assert_streaming_matches(spelled.as_bytes(), &spec, &params, Unlisted::Ignore)
}

#[test]
fn undefined_metrics_are_null_with_a_reason() -> Result<(), Box<dyn std::error::Error>> {
    // Group c has only negatives: TPR and AUC are undefined there, and c is left out of the
    // TPR-based summaries (Fairlearn would count its TPR as 0).
    let mut csv = String::from("y,score,g\n");
    for i in 0..60 {
        csv.push_str(&format!("{},{:.2},a\n", i % 2, (i % 10) as f64 / 10.0));
        csv.push_str(&format!("0,{:.2},c\n", (i % 10) as f64 / 10.0));
    }
    let spec = DataSpec {
        protected: Some(vec!["g".into()]),
        ..label_score("y", "score")
    };
    let r = audit(
        &load(csv.as_bytes(), &spec)?,
        &AuditParams::default().check()?,
    )?;
    let c = r[0].groups.iter().find(|g| g.group == "c").ok_or("no c")?;
    assert_eq!(c.metrics["tpr"].value, None);
    assert_eq!(
        c.metrics["tpr"].undefined_reason,
        Some(Undefined::NoPositives)
    );
    assert_eq!(
        c.metrics["auc"].undefined_reason,
        Some(Undefined::SingleClass)
    );
    assert_eq!(
        r[0].excluded_from_summary.get("tpr"),
        Some(&vec!["c".to_string()])
    );
    assert_eq!(
        r[0].summary["equal_opportunity_difference"].undefined_reason,
        Some(Undefined::TooFewGroups)
    );
    let json = serde_json::to_string(&r)?;
    assert!(!json.contains("NaN"));
    Ok(())
}

#[test]
fn bootstrap_intervals_agree_with_the_analytic_ones_on_large_groups(
) -> Result<(), Box<dyn std::error::Error>> {
    // For large groups the bootstrap percentile interval of a proportion and the Wilson
    // interval estimate the same thing; with 200 replicates they agree to about 0.015.
    let table = Table::load(
        &crate::util::root().join("datasets/leads_demo.csv"),
        &synth::spec(),
        &ReadOptions::default(),
    )?;
    let params = AuditParams {
        threshold: 0.2,
        bootstrap: 200,
        seed: 7,
        ..AuditParams::default()
    };
    let r = audit(&table, &params.clone().check()?)?;
    let mut compared = 0;
    for a in &r {
        for g in a.groups.iter().filter(|g| g.n >= 2_000) {
            for key in ["selection_rate", "tpr", "fpr", "ppv"] {
                let m = &g.metrics[key];
                let (Some(lo), Some(hi), Some(blo), Some(bhi)) =
                    (m.ci_low, m.ci_high, m.boot_low, m.boot_high)
                else {
                    return Err(format!("{} {key}: missing interval", g.group).into());
                };
                assert!(
                    (lo - blo).abs() < 0.015 && (hi - bhi).abs() < 0.015,
                    "{} {key}: wilson [{lo}, {hi}], bootstrap [{blo}, {bhi}]",
                    g.group
                );
                compared += 1;
            }
        }
        // Score-distribution metrics are bootstrapped too, and their intervals bracket the
        // point estimate.
        for g in a.groups.iter().filter(|g| g.n >= 2_000) {
            for key in ["auc", "ece", "calibration_slope", "scoring_rate", "brier"] {
                let m = &g.metrics[key];
                let (Some(v), Some(lo), Some(hi)) = (m.value, m.boot_low, m.boot_high) else {
                    return Err(format!("{} {key}: no bootstrap interval", g.group).into());
                };
                assert!(
                    lo <= v && v <= hi,
                    "{} {key}: {v} outside [{lo}, {hi}]",
                    g.group
                );
            }
        }
    }
    assert!(compared >= 40, "{compared}");
    Ok(())
}

#[test]
fn decisions_without_scores_audit_the_rates_and_say_why_the_rest_is_missing(
) -> Result<(), Box<dyn std::error::Error>> {
    // A 0/1 prediction column instead of a score: rates, tests and summaries are computed;
    // score-based metrics are undefined with reason no_scores.
    let mut csv = String::from("y,pred,g\n");
    // Expected selection rates, counted while generating.
    let (mut sel, mut n) = ([0u32; 2], [0u32; 2]);
    for i in 0..200 {
        let g = usize::from(i % 4 == 0);
        let pred = if g == 0 { i % 2 == 0 } else { i % 8 == 0 };
        sel[g] += u32::from(pred);
        n[g] += 1;
        csv.push_str(&format!(
            "{},{},{}\n",
            i % 3 % 2,
            u8::from(pred),
            ["a", "b"][g]
        ));
    }
    let spec = DataSpec {
        label: Some("y".into()),
        prediction: Some("pred".into()),
        protected: Some(vec!["g".into()]),
        ..DataSpec::default()
    };
    let r = audit(
        &load(csv.as_bytes(), &spec)?,
        &AuditParams::default().check()?,
    )?;
    let a = r[0].groups.iter().find(|g| g.group == "a").ok_or("a")?;
    let b = r[0].groups.iter().find(|g| g.group == "b").ok_or("b")?;
    let rate = |g: usize| f64::from(sel[g]) / f64::from(n[g]);
    assert_eq!(a.metrics["selection_rate"].value, Some(rate(0)));
    assert_eq!(b.metrics["selection_rate"].value, Some(rate(1)));
    for key in ["auc", "brier", "ece", "calibration_slope", "scoring_rate"] {
        assert_eq!(
            a.metrics[key].undefined_reason,
            Some(Undefined::NoScores),
            "{key}"
        );
    }
    assert!(a.reliability.is_empty());
    assert_eq!(
        r[0].summary["demographic_parity_difference"].value,
        Some((rate(0) - rate(1)).abs())
    );
    Ok(())
}

#[test]
fn an_attributes_results_do_not_depend_on_the_other_attributes(
) -> Result<(), Box<dyn std::error::Error>> {
    // Five protected attributes take the unpacked cell-key path, one takes the packed path;
    // gender's audit must be the same either way.
    let bytes = demo();
    let load_with_protected = |cols: &[&str]| {
        let spec = DataSpec {
            protected: Some(cols.iter().map(|c| c.to_string()).collect()),
            ..synth::spec()
        };
        Table::from_reader(
            Box::new(Cursor::new(bytes.clone())),
            "d.csv",
            &spec,
            &ReadOptions::default(),
        )
    };
    let params = AuditParams {
        threshold: 0.2,
        ..AuditParams::default()
    };
    let alone = audit(&load_with_protected(&["gender"])?, &params.clone().check()?)?;
    let five = audit(
        &load_with_protected(&[
            "gender",
            "age_band",
            "ethnicity",
            "region",
            "postcode_district",
        ])?,
        &params.clone().check()?,
    )?;
    assert_eq!(five.len(), 5);
    assert_eq!(
        serde_json::to_string(&alone[0])?,
        serde_json::to_string(&five[0])?
    );
    Ok(())
}

/// Every metric object in `v` either has a value or says why not, and intervals come whole.
fn assert_no_silent_nulls(v: &serde_json::Value, path: &str, problems: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if m.contains_key("value") && m.contains_key("undefined_reason") {
                if m["value"].is_null() && m["undefined_reason"].is_null() {
                    problems.push(format!("{path}: null value without a reason"));
                }
                if m["ci_low"].is_null() != m["ci_high"].is_null() {
                    problems.push(format!("{path}: half an interval"));
                }
            }
            for (k, x) in m {
                assert_no_silent_nulls(x, &format!("{path}/{k}"), problems);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                assert_no_silent_nulls(x, &format!("{path}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

#[test]
fn edge_inputs_never_give_a_silent_nan() -> Result<(), Box<dyn std::error::Error>> {
    // serde_json writes NaN as null, so a NaN would show up as a null without a reason.
    let inputs = [
        "y,s,g,w\n0,0.5,a,1\n0,0.5,b,0\n0,0.5,a,2\n", // one class, equal scores, a zero weight
        "y,s,g,w\n1,0.3,a,1\n",                       // one row
        "y,s,g,w\n1,0,a,0\n0,1,a,0\n1,1,b,0\n0,0,b,0\n", // every weight zero
        "y,s,g,w\n1,1,a,1\n0,0,a,1\n1,1,b,1\n0,0,b,1\n1,0,a,1\n", // scores of exactly 0 and 1
    ];
    for (i, csv) in inputs.iter().enumerate() {
        for weighted in [false, true] {
            for binning in [
                fairgate::audit::Binning::Uniform(10),
                fairgate::audit::Binning::Quantile(4),
            ] {
                let spec = DataSpec {
                    protected: Some(vec!["g".into()]),
                    weight: weighted.then(|| "w".to_string()),
                    ..label_score("y", "s")
                };
                let params = AuditParams {
                    binning,
                    bootstrap: 10,
                    seed: 1,
                    ..AuditParams::default()
                };
                let v = serde_json::to_value(audit(
                    &load(csv.as_bytes(), &spec)?,
                    &params.clone().check()?,
                )?)?;
                let mut problems = Vec::new();
                assert_no_silent_nulls(&v, "", &mut problems);
                assert!(
                    problems.is_empty(),
                    "input {i}, weighted {weighted}: {problems:?}"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn roc_points_and_score_distributions_match_direct_counts() -> Result<(), Box<dyn std::error::Error>>
{
    // The demo leads' vendor score by gender; every point is recounted from the CSV.
    let path = crate::util::root().join("datasets/leads_demo.csv");
    let mut rows: Vec<(String, f64, bool)> = Vec::new();
    let mut rdr = csv::Reader::from_path(&path)?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).ok_or("column");
    let (g, s, y) = (col("gender")?, col("vendor_score")?, col("converted")?);
    for rec in rdr.records() {
        let rec = rec?;
        rows.push((rec[g].to_string(), rec[s].parse()?, &rec[y] == "1"));
    }
    let spec = DataSpec {
        protected: Some(vec!["gender".into()]),
        ..label_score("converted", "vendor_score")
    };
    let table = Table::load(&path, &spec, &ReadOptions::default())?;
    let result = audit(&table, &AuditParams::default().check()?)?;
    let mut checked = 0;
    for group in result[0].groups.iter().filter(|g| g.n > 0) {
        let mine: Vec<&(String, f64, bool)> = rows.iter().filter(|r| r.0 == group.group).collect();
        let pos = mine.iter().filter(|r| r.2).count() as f64;
        let neg = mine.len() as f64 - pos;
        let roc = &group.roc;
        assert!(roc.len() >= 10, "{}: {} points", group.group, roc.len());
        assert_eq!((roc[0].fpr, roc[0].tpr), (0.0, 0.0));
        assert!(mine.iter().all(|r| r.1 < roc[0].threshold));
        let last = roc[roc.len() - 1];
        assert_eq!((last.fpr, last.tpr), (1.0, 1.0));
        for (i, p) in roc.iter().enumerate().skip(1) {
            let tp = mine.iter().filter(|r| r.2 && r.1 >= p.threshold).count() as f64;
            let fp = mine.iter().filter(|r| !r.2 && r.1 >= p.threshold).count() as f64;
            assert_eq!(
                (p.fpr, p.tpr),
                (fp / neg, tp / pos),
                "{} point {i}",
                group.group
            );
            // Thinning: each kept point moves at least 1/50 from the one before, but the last.
            let prev = roc[i - 1];
            assert!(
                i == roc.len() - 1 || p.fpr - prev.fpr >= 0.02 || p.tpr - prev.tpr >= 0.02,
                "{} point {i} kept without moving",
                group.group
            );
            assert!(p.threshold < prev.threshold);
            checked += 1;
        }
        let dist = &group.score_distribution;
        assert_eq!(dist.len(), 20);
        for (b, bin) in dist.iter().enumerate() {
            // Right-closed bins: [0, 0.05], (0.05, 0.1], ...
            let inside = |r: &&&(String, f64, bool)| {
                let below = (1..20).filter(|&k| (k as f64) * (1.0 / 20.0) < r.1).count();
                below == b
            };
            let n_pos = mine.iter().filter(|r| r.2).filter(inside).count() as f64;
            let n_neg = mine.iter().filter(|r| !r.2).filter(inside).count() as f64;
            assert_eq!(
                (bin.negatives, bin.positives),
                (n_neg, n_pos),
                "{} bin {b}",
                group.group
            );
        }
        let total: f64 = dist.iter().map(|b| b.negatives + b.positives).sum();
        assert_eq!(total, group.n as f64);
    }
    assert!(checked > 50);
    Ok(())
}

#[test]
fn parameters_are_checked_once_and_named_by_field_not_flag() {
    use fairgate::audit::AuditError;
    for (params, name) in [
        (
            AuditParams {
                threshold: 1.5,
                ..AuditParams::default()
            },
            "threshold",
        ),
        (
            AuditParams {
                confidence: 1.0,
                ..AuditParams::default()
            },
            "confidence",
        ),
        (
            AuditParams {
                binning: fairgate::audit::Binning::Uniform(0),
                ..AuditParams::default()
            },
            "binning",
        ),
    ] {
        match params.check() {
            Err(AuditError::Param(p)) => {
                assert_eq!(p.name, name);
                assert!(!p.to_string().contains("--"), "{p}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(AuditParams::default().check().is_ok());
}

/// The threshold search's audits ([`ThresholdAudits::at`]: the rows read once, each threshold
/// a re-count from the cells' score tallies) are the audit of the rows at that threshold, byte
/// for byte: on the synthetic leads (missing protected values, an intersection, a given
/// reference, small groups) at thresholds from below every score to above every score,
/// including thresholds equal to a score (a tie is selected) and between scores; on a small
/// file whose groups become all-selected or none-selected; and with weights (a full audit per
/// threshold) and with a bootstrap.
#[test]
fn audits_at_other_thresholds_equal_the_audit_at_that_threshold(
) -> Result<(), Box<dyn std::error::Error>> {
    use fairgate::audit::ThresholdAudits;
    let bytes = demo();
    let leads = Table::from_reader(
        Box::new(Cursor::new(bytes)),
        "d.csv",
        &synth::spec(),
        &ReadOptions::default(),
    )?;
    let mut scores: Vec<f64> = leads.score().map(<[f64]>::to_vec).unwrap_or_default();
    scores.sort_by(f64::total_cmp);
    assert!(scores.len() > 1000);
    let mut ts = vec![0.0, 1.0, 0.2, 0.5];
    for q in [0, 1, 17, 500, 2999, scores.len() - 1] {
        ts.push(scores[q]);
        ts.push((scores[q] + scores[(q + 1).min(scores.len() - 1)]) / 2.0);
    }
    let leads_params = [
        AuditParams {
            threshold: 0.3,
            intersections: vec![vec!["gender".into(), "age_band".into()]],
            ..AuditParams::default()
        },
        AuditParams {
            reference: [("gender".into(), "female".into())].into(),
            min_group_size: 400,
            ..AuditParams::default()
        },
    ];
    let mut small = String::from("y,score,g,w\n");
    for i in 0..60 {
        let g = ["a", "b", "c", ""][i % 4];
        // Group c's scores are all high and group b's all low.
        let s = match g {
            "c" => 0.8 + (i % 5) as f64 / 100.0,
            "b" => 0.1 + (i % 3) as f64 / 100.0,
            _ => (i % 10) as f64 / 10.0,
        };
        small.push_str(&format!("{},{s},{g},{}\n", (i / 4) % 2, 1 + i % 3));
    }
    let unweighted = DataSpec {
        protected: Some(vec!["g".into()]),
        ..label_score("y", "score")
    };
    let weighted = DataSpec {
        weight: Some("w".into()),
        ..unweighted.clone()
    };
    let small_ts = [0.0, 0.1, 0.12, 0.5, 0.8, 0.84, 0.9, 1.0];
    let mut cases: Vec<(Table, AuditParams, Vec<f64>)> = leads_params
        .into_iter()
        .map(|p| (leads.clone(), p, ts.clone()))
        .collect();
    for spec in [&unweighted, &weighted] {
        for bootstrap in [0, 25] {
            let p = AuditParams {
                min_group_size: 5,
                bootstrap,
                seed: 3,
                ..AuditParams::default()
            };
            cases.push((load(small.as_bytes(), spec)?, p, small_ts.to_vec()));
        }
    }
    for (table, params, ts) in &cases {
        let audits = ThresholdAudits::new(table, &params.clone().check()?)?;
        for &t in ts {
            let at_t = AuditParams {
                threshold: t,
                ..params.clone()
            }
            .check()?;
            assert_eq!(
                serde_json::to_string(&audits.at(t)?)?,
                serde_json::to_string(&audit(table, &at_t)?)?,
                "threshold {t}, params {params:?}"
            );
        }
    }
    Ok(())
}

/// The audit does not depend on the order of the rows: groups are listed in the byte order of
/// their values (`unknown` last), so the synthetic leads reversed, or with every other row
/// moved to the end, give the same JSON, and the groups are sorted.
#[test]
fn the_audit_does_not_depend_on_the_order_of_the_rows() -> Result<(), Box<dyn std::error::Error>> {
    let bytes = demo();
    let text = String::from_utf8(bytes)?;
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let reversed: Vec<&str> = lines.iter().rev().copied().collect();
    let odd = lines.iter().skip(1).step_by(2);
    let interleaved: Vec<&str> = odd.chain(lines.iter().step_by(2)).copied().collect();
    let params = AuditParams {
        intersections: vec![vec!["gender".into(), "ethnicity".into()]],
        ..AuditParams::default()
    }
    .check()?;
    let audit_of = |rows: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
        let csv = format!("{header}\n{}\n", rows.join("\n"));
        let table = load(csv.as_bytes(), &synth::spec())?;
        Ok(serde_json::to_string(&audit(&table, &params)?)?)
    };
    let original = audit_of(&lines)?;
    assert_eq!(audit_of(&reversed)?, original);
    assert_eq!(audit_of(&interleaved)?, original);
    let table = load(text.as_bytes(), &synth::spec())?;
    for attribute in audit(&table, &params)? {
        let names: Vec<&Vec<String>> = attribute.groups.iter().map(|g| &g.values).collect();
        let known: Vec<&&Vec<String>> = names
            .iter()
            .filter(|v| v.iter().all(|x| x != "unknown"))
            .collect();
        assert!(
            known.windows(2).all(|w| w[0] < w[1]),
            "{}: {names:?}",
            attribute.name
        );
    }
    Ok(())
}

#[test]
fn undefined_values_are_consistent_for_one_group_and_for_an_empty_group(
) -> Result<(), Box<dyn std::error::Error>> {
    // Attribute `g` has one group ("a") besides its empty `unknown`; `h` has two groups.
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("one.csv");
    let mut csv = String::from("label,score,g,h\n");
    for i in 0..400 {
        let score = (i * 37 % 100) as f64 / 100.0;
        let label = u8::from((i * 11 % 100) as f64 / 100.0 < score);
        let h = if i % 3 == 0 { "x" } else { "y" };
        csv.push_str(&format!("{label},{score},a,{h}\n"));
    }
    std::fs::write(&data, csv)?;
    let o = crate::util::fairgate(&[
        "audit",
        "--data",
        &data.to_string_lossy(),
        "--label",
        "label",
        "--score",
        "score",
        "--protected",
        "g,h",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)?;
    let attrs = v["attributes"].as_array().ok_or("attributes")?;
    let attr = |name: &str| attrs.iter().find(|a| a["name"] == name).ok_or("attribute");
    // Over one group every between-groups summary is undefined, for the same reason.
    let g = attr("g")?;
    let summary = g["summary"].as_object().ok_or("summary")?;
    for (k, m) in summary.iter().filter(|(k, _)| *k != "theil_index") {
        assert!(m["value"].is_null(), "{k}: {m}");
        assert_eq!(m["undefined_reason"], "too_few_groups", "{k}");
    }
    assert!(summary.contains_key("average_odds_difference"));
    // Over two groups they are defined.
    let h = attr("h")?;
    assert!(h["summary"]["average_odds_difference"]["value"].is_number());
    assert!(h["summary"]["demographic_parity_difference"]["value"].is_number());
    // The empty `unknown` group: every metric undefined as an empty segment, and the
    // calibration table's uniform bins listed with no rows.
    for a in [g, h] {
        let unknown = a["groups"]
            .as_array()
            .and_then(|gs| gs.iter().find(|x| x["group"] == "unknown"))
            .ok_or("unknown group")?;
        assert_eq!(unknown["n"], 0);
        let metrics = unknown["metrics"].as_object().ok_or("metrics")?;
        assert!(metrics.len() > 20);
        for (k, m) in metrics {
            assert!(m["value"].is_null(), "{k}: {m}");
            assert_eq!(m["undefined_reason"], "empty_segment", "{k}");
        }
        let bins = unknown["reliability"].as_array().ok_or("reliability")?;
        assert_eq!(bins.len(), 10);
        for (i, b) in bins.iter().enumerate() {
            assert_eq!(b["count"], 0);
            assert_eq!(b["observed"]["undefined_reason"], "empty_segment");
            assert!((b["low"].as_f64().unwrap_or(-1.0) - i as f64 / 10.0).abs() < 1e-12);
        }
    }
    Ok(())
}
