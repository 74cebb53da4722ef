//! Fitting L2 logistic regression on 1,000,000 rows x 20 numeric features: fairgate's Newton
//! solver (all cores, and one thread), and linfa-logistic (with `FAIRGATE_BENCH_LINFA=1`; it
//! takes seconds per fit). benches/peer_train.py fits scikit-learn on the same data: it writes
//! the data to a file and runs this bench on it through `FAIRGATE_TRAIN_DATA`. Results in
//! benches/RESULTS.md.
//!
//! `FAIRGATE_BENCH_ROWS` overrides the row count of generated data.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use fairgate::train::{fit_linfa, fit_logistic, sigmoid, LogisticParams};
use ndarray::Array2;
use rand::{Rng, SeedableRng};

const FEATURES: usize = 20;

/// Standard normal features; labels from coefficients spaced evenly in [-0.8, 0.8] and an
/// intercept of -0.7 (as in ../shared/rust-stack.md's comparison).
fn generate(n: usize) -> (Array2<f64>, Vec<bool>) {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(42);
    let mut normal = || {
        // Box-Muller.
        let (u, v): (f64, f64) = (rng.gen::<f64>().max(1e-300), rng.gen());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let x = Array2::from_shape_fn((n, FEATURES), |_| normal());
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(43);
    let y = (0..n)
        .map(|i| {
            let z: f64 = (0..FEATURES)
                .map(|j| x[[i, j]] * (-0.8 + 1.6 * j as f64 / (FEATURES - 1) as f64))
                .sum::<f64>()
                - 0.7;
            rng.gen::<f64>() < sigmoid(z)
        })
        .collect();
    (x, y)
}

/// Raw little-endian: u64 rows, u64 columns, rows x columns f64 (row-major), rows u8 labels.
fn read(path: &str) -> Option<(Array2<f64>, Vec<bool>)> {
    let bytes = std::fs::read(path).ok()?;
    let word = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    let (n, p) = (word(0) as usize, word(1) as usize);
    let x: Vec<f64> = (0..n * p).map(|k| f64::from_bits(word(2 + k))).collect();
    let y = bytes[(2 + n * p) * 8..].iter().map(|&b| b == 1).collect();
    Some((Array2::from_shape_vec((n, p), x).ok()?, y))
}

fn bench_train(c: &mut Criterion) {
    let (x, y) = match std::env::var("FAIRGATE_TRAIN_DATA") {
        Ok(path) => read(&path).expect("FAIRGATE_TRAIN_DATA is a file written by peer_train.py"),
        Err(_) => {
            let n = std::env::var("FAIRGATE_BENCH_ROWS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1_000_000);
            generate(n)
        }
    };
    let n = x.nrows();
    let mut g = c.benchmark_group("train");
    g.sample_size(10);
    g.bench_function(format!("newton_{n}x{}", x.ncols()), |b| {
        b.iter(|| black_box(fit_logistic(x.view(), &y, None, &LogisticParams::default())))
    });
    let one = LogisticParams {
        threads: 1,
        ..LogisticParams::default()
    };
    g.bench_function(format!("newton_1thread_{n}x{}", x.ncols()), |b| {
        b.iter(|| black_box(fit_logistic(x.view(), &y, None, &one)))
    });
    if std::env::var("FAIRGATE_BENCH_LINFA").is_ok() {
        g.bench_function(format!("linfa_{n}x{}", x.ncols()), |b| {
            b.iter(|| black_box(fit_linfa(x.view(), &y, 1.0)))
        });
    }
    g.finish();
    if let Ok(fit) = fit_logistic(x.view(), &y, None, &LogisticParams::default()) {
        println!(
            "newton: {} iterations, {} Hessian passes, converged {}, max |gradient| {:.1e}, intercept {:.6}, coef[0] {:.6}",
            fit.iterations, fit.hessian_passes, fit.converged, fit.gradient_max, fit.intercept, fit.coef[0]
        );
    }
}

criterion_group!(benches, bench_train);
criterion_main!(benches);
