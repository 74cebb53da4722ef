//! Per-person reason codes and counterfactuals for 1,000,000 generated leads in one streaming
//! pass (`fairgate::explain::reasons`, the path behind `fairgate explain --reasons`), with a
//! model trained on the demo data. Results in benches/RESULTS.md.
//!
//! `FAIRGATE_BENCH_ROWS` overrides the row count.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fairgate::data::{self, synth, DataSpec, ReadOptions, Unlisted};
use fairgate::explain::{reasons, ExplainParams};
use fairgate::train::{train, TrainParams};

fn bench_reasons(c: &mut Criterion) {
    let n: usize = std::env::var("FAIRGATE_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.csv");
    let file = std::fs::File::create(&path).expect("bench file");
    synth::generate(
        &synth::SynthParams::new(n, 7).check().expect("valid"),
        std::io::BufWriter::new(file),
    )
    .expect("generated");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = DataSpec::from_config_file(&root.join("datasets/demo.toml")).expect("demo config");
    let options = ReadOptions {
        unlisted: Unlisted::AsFeatures,
        ..ReadOptions::default()
    };
    let table = data::load(&spec, &options).expect("demo data");
    let params = TrainParams {
        threshold: 0.2,
        created: Some(0),
        ..TrainParams::default()
    };
    let params = params.check().expect("valid parameters");
    let model = train(&table, &spec, &params).expect("trained");
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    let mut g = c.benchmark_group("explain");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    let explain_params = ExplainParams::default().check().expect("valid parameters");
    g.bench_function(format!("reasons_top3_{n}"), |b| {
        b.iter(|| {
            let mut sink = std::io::sink();
            black_box(reasons(
                &model,
                path.as_path().into(),
                &explain_params,
                Some(&mut sink),
                None,
            ))
        })
    });
    g.finish();
    println!("input {bytes} bytes");
}

criterion_group!(benches, bench_reasons);
criterion_main!(benches);
