//! Loading a 1,000,000-row generated lead file from disk (page cache): fairgate's typed,
//! validated, hashed load with three sets of roles, against the bare `csv` crate parse of the
//! same file (records into a reused `ByteRecord`, no conversion). Results and the machine are
//! recorded in benches/RESULTS.md.
//!
//! `FAIRGATE_BENCH_ROWS` overrides the row count (e.g. for a quick run).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fairgate::data::{synth, DataSpec, ReadOptions, Table, Unlisted};

fn rows() -> usize {
    std::env::var("FAIRGATE_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

fn bare_parse(path: &Path) -> u64 {
    let mut rdr = csv::ReaderBuilder::new()
        .from_path(path)
        .expect("bench file opens");
    let mut rec = csv::ByteRecord::new();
    let mut fields = 0u64;
    while rdr.read_byte_record(&mut rec).unwrap_or(false) {
        fields += rec.len() as u64;
    }
    fields
}

fn load(path: &Path, spec: &DataSpec, unlisted: Unlisted, threaded: bool) -> usize {
    let options = ReadOptions {
        unlisted,
        threaded,
        ..ReadOptions::default()
    };
    Table::load(path, spec, &options)
        .expect("bench data loads")
        .n_rows()
}

fn bench_load(c: &mut Criterion) {
    let n = rows();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.csv");
    let file = std::fs::File::create(&path).expect("bench file");
    synth::generate(&synth::SynthParams::new(n, 1).check().expect("valid"), file)
        .expect("generation succeeds");
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());

    // An audit's columns: label, score and the four protected attributes.
    let audit = DataSpec {
        id: None,
        consent: None,
        timestamp: None,
        ..synth::spec()
    };
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_with_input(BenchmarkId::new("csv_bare_parse", n), &path, |b, p| {
        b.iter(|| black_box(bare_parse(p)))
    });
    let cases = [
        ("fairgate_audit_columns", audit, Unlisted::Ignore, true),
        ("fairgate_demo_roles", synth::spec(), Unlisted::Ignore, true),
        (
            "fairgate_all_columns",
            synth::spec(),
            Unlisted::AsFeatures,
            true,
        ),
        (
            "fairgate_all_columns_one_thread",
            synth::spec(),
            Unlisted::AsFeatures,
            false,
        ),
    ];
    for (name, spec, unlisted, threaded) in cases {
        g.bench_with_input(BenchmarkId::new(name, n), &path, |b, p| {
            b.iter(|| black_box(load(p, &spec, unlisted, threaded)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
