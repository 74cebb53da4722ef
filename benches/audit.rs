//! `fairgate audit` end to end as a library call (read the CSV, accumulate, every metric,
//! JSON) on 1,000,000 rows with two protected attributes (4 and 3 groups) and their
//! intersection, against the bare `csv` crate parse of the same file. Results in
//! benches/RESULTS.md; benches/peer_audit.py compares with pandas + Fairlearn.
//!
//! `FAIRGATE_BENCH_ROWS` overrides the row count.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use fairgate::audit::AuditParams;
use fairgate::data::DataSpec;
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
    let params = params.check().expect("valid parameters");
    fairgate::audit::audit_file(path, &spec, &params)
        .expect("audits")
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

/// The ratio measured with the two runs interleaved: on a shared machine the load drifts
/// between criterion's two groups (the same bare parse has taken 46 to 82 ms in different
/// minutes), so each audit is timed next to a bare parse, in alternating order, and the
/// median of the pairs' ratios is reported with the medians and minimums of both. Each
/// timed run follows an untimed run of the same work, so that neither is timed right after
/// the other (whose threads, memory and caches it would otherwise inherit).
fn interleaved() {
    let n = rows();
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join("audit.csv");
    if write_file(&path, n).is_err() {
        return;
    }
    let time = |f: &dyn Fn() -> usize| {
        black_box(f());
        let start = std::time::Instant::now();
        black_box(f());
        start.elapsed().as_secs_f64() * 1e3
    };
    let bare = || bare_parse(&path) as usize;
    let full = || audit(&path);
    let (mut b, mut a, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..31 {
        let (tb, ta) = if i % 2 == 0 {
            let tb = time(&bare);
            (tb, time(&full))
        } else {
            let ta = time(&full);
            (time(&bare), ta)
        };
        b.push(tb);
        a.push(ta);
        ratios.push(ta / tb);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mb, ma, mr) = (median(&mut b), median(&mut a), median(&mut ratios));
    println!(
        "audit/interleaved/{n}: bare parse median {mb:.1} ms (min {:.1}), audit median {ma:.1} ms (min {:.1}); ratio of medians {:.2}, median of the 31 pairs' ratios {mr:.2}, ratio of minimums {:.2}",
        b[0],
        a[0],
        ma / mb,
        a[0] / b[0]
    );
}

criterion_group!(benches, bench_audit);

fn main() {
    benches();
    interleaved();
    Criterion::default().configure_from_args().final_summary();
}
