//! Mitigation on 1,000,000 generated leads (`synth::generate`, the demo's generator), as
//! library calls on the loaded table: one audit (the reference), reweighing by gender x age
//! band, the single-threshold curve by age band (one gate judgement: a policy of one warn
//! rule), group thresholds by age band (demographic parity and equalized odds), and with
//! `FAIRGATE_BENCH_EG=1` Fairlearn's exponentiated gradient by gender (demographic parity,
//! every row a training row). benches/peer_mitigate.py and benches/peer_eg.py time the peers;
//! results in benches/RESULTS.md.
//!
//! `FAIRGATE_BENCH_ROWS` overrides the row count; `FAIRGATE_MITIGATE_DATA` reads a leads CSV
//! instead (peer_eg.py passes the file it fits Fairlearn on).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fairgate::audit::AuditParams;
use fairgate::data::{DataSpec, ReadOptions, Table, Unlisted};
use fairgate::mitigate::{self, Constraint, CurveParams, HardtParams, Objective};
use fairgate::policy::Policy;
use fairgate::train::TrainParams;

fn rows() -> usize {
    std::env::var("FAIRGATE_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn spec(path: &std::path::Path) -> DataSpec {
    DataSpec {
        path: Some(path.to_path_buf()),
        label: Some("converted".into()),
        score: Some("vendor_score".into()),
        protected: Some(
            ["gender", "age_band", "ethnicity", "region"]
                .map(String::from)
                .to_vec(),
        ),
        // The two high-cardinality text columns left out, as benches/peer_eg.py does.
        exclude: Some(
            [
                "lead_id",
                "consent",
                "consent_timestamp",
                "job_title",
                "postcode_district",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ..DataSpec::default()
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = match std::env::var("FAIRGATE_MITIGATE_DATA") {
        Ok(p) => std::path::PathBuf::from(p),
        Err(_) => {
            let p = dir.path().join("leads.csv");
            let f = std::fs::File::create(&p).expect("the file is created");
            let params = fairgate::data::synth::SynthParams {
                rows: rows(),
                seed: 1,
                with_truth: false,
            }
            .check()
            .expect("valid");
            fairgate::data::synth::generate(&params, std::io::BufWriter::new(f))
                .expect("the leads are written");
            p
        }
    };
    let spec = spec(&path);
    let table = Table::load(
        &path,
        &spec,
        &ReadOptions {
            unlisted: Unlisted::AsFeatures,
            ..ReadOptions::default()
        },
    )
    .expect("the leads load");
    let n = table.n_rows();
    let by = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut g = c.benchmark_group("mitigate");
    g.sample_size(10);
    let audit = AuditParams {
        threshold: 0.2,
        ..AuditParams::default()
    }
    .check()
    .expect("valid");
    g.bench_function(format!("audit_{n}"), |b| {
        b.iter(|| black_box(fairgate::audit::audit(&table, &audit)))
    });
    let cells = by(&["gender", "age_band"]);
    g.bench_function(format!("reweigh_{n}"), |b| {
        b.iter(|| black_box(mitigate::reweigh_table(&table, &spec, &cells, 10)))
    });
    let lenient = {
        let f = dir.path().join("lenient.toml");
        std::fs::write(
            &f,
            "[policy]\nname = \"size only\"\n\n[[rule]]\nid = \"size\"\nseverity = \"warn\"\nmessage = \"m\"\nmetric = \"n\"\nmin = 30\n",
        )
        .expect("the policy is written");
        Policy::from_path(&f).expect("the policy reads")
    };
    let curve = CurveParams {
        by: by(&["age_band"]),
        objective: Objective::Accuracy,
        audit: AuditParams {
            threshold: 0.2,
            ..AuditParams::default()
        },
        max_evaluations: 1,
    };
    g.bench_function(format!("threshold_curve_{n}"), |b| {
        b.iter(|| black_box(mitigate::threshold_curve(&table, &curve, &lenient)))
    });
    for con in [Constraint::DemographicParity, Constraint::EqualizedOdds] {
        let hp = HardtParams {
            by: by(&["age_band"]),
            constraint: con,
            ..HardtParams::default()
        };
        g.bench_function(format!("group_thresholds_{}_{n}", con.name()), |b| {
            b.iter(|| black_box(mitigate::group_thresholds(&table, &hp, 0.2)))
        });
    }
    if std::env::var("FAIRGATE_BENCH_EG").is_ok() {
        let train = TrainParams {
            test_size: 0.0,
            ..TrainParams::default()
        }
        .check()
        .expect("valid");
        let all: Vec<usize> = (0..n).collect();
        let ep = mitigate::EgParams {
            by: by(&["gender"]),
            ..mitigate::EgParams::default()
        }
        .check()
        .expect("valid");
        // Tens of seconds per fit at 1 M rows: timed once (criterion takes ten samples).
        let t = std::time::Instant::now();
        let r = mitigate::exponentiated_gradient(&table, &spec, &train, &all, &ep, &mut |_, _| {})
            .expect("the fit runs");
        let secs = t.elapsed().as_secs_f64();
        let p = r.probability(&table, &all).expect("the mixture scores");
        let y = table.label().expect("a label");
        let acc = y
            .iter()
            .zip(&p)
            .map(|(&yi, &pi)| if yi { pi } else { 1.0 - pi })
            .sum::<f64>()
            / n as f64;
        eprintln!(
            "exponentiated gradient: {secs:.1} s, {} fits, best iteration {} of {}, expected accuracy {acc:.4}",
            r.oracle_calls, r.best_iter, r.last_iter
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
