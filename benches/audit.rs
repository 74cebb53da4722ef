//! `fairgate audit` end to end as a library call (read the CSV, accumulate, every metric,
//! JSON) on 1,000,000 rows with two protected attributes (4 and 3 groups) and their
//! intersection, against the bare `csv` crate parse of the same file. Results in
//! benches/RESULTS.md; benches/peer_audit.py compares with pandas + Fairlearn.
//!
//! `FAIRGATE_BENCH_ROWS` overrides the row count.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fairgate::audit::{audit_stream, AuditParams, AuditReport};
use fairgate::data::{DataSpec, ReadOptions, TableReader};
use rand::{Rng, SeedableRng};

fn rows() -> usize {
    std::env::var("FAIRGATE_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

/// label, score (4 decimals), a (4 groups), b (3 groups), like benches/peer_audit.py.
fn write_file(path: &Path, n: usize) -> std::io::Result<()> {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "label,score,a,b")?;
    let a = ["north", "south", "east", "west"];
    let b = ["x", "y", "z"];
    for _ in 0..n {
        let score: f64 = rng.gen::<f64>().powf(1.8);
        let label = u8::from(rng.gen::<f64>() < score);
        let ga = a[rng.gen_range(0..4)];
        let gb = b[rng.gen_range(0..3)];
        writeln!(w, "{label},{score:.4},{ga},{gb}")?;
    }
    w.flush()
}

fn bare_parse(path: &Path) -> u64 {
    let mut rdr = csv::Reader::from_path(path).expect("bench file opens");
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while rdr.read_byte_record(&mut rec).unwrap_or(false) {
        n += rec.len() as u64;
    }
    n
}

fn audit(path: &Path) -> usize {
    let spec = DataSpec {
        label: Some("label".into()),
        score: Some("score".into()),
        protected: Some(vec!["a".into(), "b".into()]),
        ..DataSpec::default()
    };
    let params = AuditParams {
        intersections: vec![vec!["a".into(), "b".into()]],
        ..AuditParams::default()
    };
    let options = ReadOptions {
        chunk_rows: fairgate::audit::STREAM_CHUNK_ROWS,
        ..ReadOptions::default()
    };
    let reader = TableReader::from_path(path, &spec, &options).expect("opens");
    let (attributes, summary) = audit_stream(reader, &params).expect("audits");
    AuditReport::new(&summary, &params, attributes)
        .to_json()
        .len()
}

fn bench_audit(c: &mut Criterion) {
    let n = rows();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("audit.csv");
    write_file(&path, n).expect("bench file");
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    let mut g = c.benchmark_group("audit");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_with_input(BenchmarkId::new("csv_bare_parse", n), &path, |b, p| {
        b.iter(|| black_box(bare_parse(p)))
    });
    g.bench_with_input(
        BenchmarkId::new("fairgate_audit_end_to_end", n),
        &path,
        |b, p| b.iter(|| black_box(audit(p))),
    );
    g.finish();
}

criterion_group!(benches, bench_audit);
criterion_main!(benches);
