//! The synthetic lead generator: byte-identical output per seed (and the committed demo file
//! is what the documented seed gives), and every injected effect of the datasheet
//! (datasets/README.md) present at its documented level in generated data.

use std::collections::BTreeMap;
use std::io::Cursor;

use fairgate::data::synth::{generate, truth, SynthParams};
use fairgate::data::{DataSpec, ReadOptions, Table, Unlisted};

use crate::util::root;

fn gen(rows: usize, seed: u64, with_truth: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let params = SynthParams {
        rows,
        seed,
        with_truth,
    };
    generate(&params.check().expect("valid"), &mut out).expect("generation into memory succeeds");
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    assert_eq!(gen(2_000, 7, true), gen(2_000, 7, true));
    assert_ne!(gen(2_000, 7, false), gen(2_000, 8, false));
    // The truth columns are added without changing the random stream.
    let plain = String::from_utf8(gen(500, 3, false)).unwrap_or_default();
    let truth = String::from_utf8(gen(500, 3, true)).unwrap_or_default();
    for (a, b) in plain.lines().zip(truth.lines()).skip(1) {
        assert!(b.starts_with(a), "{a} / {b}");
    }
}

#[test]
fn the_committed_demo_file_is_what_its_seed_generates() {
    // The demo is documented as `--rows 20000 --seed 20260630`: regenerating it on this
    // platform must give the committed bytes (cross-platform determinism).
    let committed = std::fs::read(root().join("datasets/leads_demo.csv")).unwrap_or_default();
    assert!(
        !committed.is_empty(),
        "datasets/leads_demo.csv is committed"
    );
    assert!(
        gen(20_000, 20_260_630, false) == committed,
        "regenerated demo differs"
    );
}

/// A generated table with every column, loaded through fairgate itself.
fn table(rows: usize) -> Table {
    let bytes = gen(rows, 11, true);
    let spec = DataSpec {
        categorical: Some(vec!["converted_true".into()]),
        ..fairgate::data::synth::spec()
    };
    let options = ReadOptions {
        unlisted: Unlisted::AsFeatures,
        ..ReadOptions::default()
    };
    Table::from_reader(Box::new(Cursor::new(bytes)), "synth.csv", &spec, &options)
        .expect("generated data loads without error")
}

fn text(t: &Table, col: &str) -> Vec<String> {
    let c = t.column(col).expect("column exists");
    (0..t.n_rows())
        .map(|i| c.level_of(i).unwrap_or("").to_string())
        .collect()
}

fn nums(t: &Table, col: &str) -> Vec<f64> {
    t.column(col)
        .and_then(|c| c.as_f64())
        .expect("numeric column")
        .to_vec()
}

fn share(mask: impl Iterator<Item = bool>) -> f64 {
    let (mut k, mut n) = (0usize, 0usize);
    for m in mask {
        k += usize::from(m);
        n += 1;
    }
    k as f64 / n as f64
}

/// Cramer's V of two categorical columns: sqrt(chi2 / (n (min(r, c) - 1))).
fn cramers_v(a: &[String], b: &[String]) -> f64 {
    let mut cells: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    let mut ra: BTreeMap<&str, f64> = BTreeMap::new();
    let mut rb: BTreeMap<&str, f64> = BTreeMap::new();
    for (x, y) in a.iter().zip(b) {
        *cells.entry((x, y)).or_default() += 1.0;
        *ra.entry(x).or_default() += 1.0;
        *rb.entry(y).or_default() += 1.0;
    }
    let n = a.len() as f64;
    let mut chi2 = 0.0;
    for (x, nx) in &ra {
        for (y, ny) in &rb {
            let e = nx * ny / n;
            let o = cells.get(&(*x, *y)).copied().unwrap_or(0.0);
            chi2 += (o - e) * (o - e) / e;
        }
    }
    let k = (ra.len().min(rb.len()) - 1) as f64;
    (chi2 / (n * k)).sqrt()
}

/// AUC of `score` separating `positive` rows from the rest (Mann-Whitney, ties count half).
fn auc(score: &[f64], positive: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..score.len()).collect();
    idx.sort_by(|&i, &j| score[i].total_cmp(&score[j]));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && score[idx[j]] == score[idx[i]] {
            j += 1;
        }
        let mid = (i + j + 1) as f64 / 2.0;
        rank_sum += idx[i..j].iter().filter(|&&k| positive[k]).count() as f64 * mid;
        i = j;
    }
    let np = positive.iter().filter(|p| **p).count() as f64;
    let nn = positive.len() as f64 - np;
    (rank_sum - np * (np + 1.0) / 2.0) / (np * nn)
}

#[test]
fn auc_helper_matches_a_hand_count() {
    // Pairs (pos, neg): (0.8>0.1) (0.8>0.4) (0.4=0.4 half) (0.4>0.1) = 3.5 of 4.
    assert_eq!(
        auc(&[0.8, 0.4, 0.4, 0.1], &[true, true, false, false]),
        0.875
    );
}

#[test]
fn documented_effects_are_present() {
    let t = table(100_000);
    let n = t.n_rows();
    assert_eq!(n, 100_000);
    let gender = text(&t, "gender");
    let age = text(&t, "age_band");
    let eth = text(&t, "ethnicity");
    let district = text(&t, "postcode_district");
    let affl = nums(&t, "postcode_affluence");
    let observed = t.label().expect("label");
    let truth_y: Vec<bool> = text(&t, "converted_true")
        .iter()
        .map(|v| v == "1")
        .collect();
    let propensity = nums(&t, "true_propensity");
    let score = t.score().expect("score").to_vec();
    let idx = || 0..n;

    // The small group.
    let nb = share(gender.iter().map(|g| g == "non_binary"));
    assert!(
        (nb - truth::NON_BINARY_SHARE).abs() < 0.0015,
        "non-binary share {nb}"
    );

    // The proxy: postcode district and affluence carry ethnicity.
    let v = cramers_v(&district, &eth);
    assert!(v >= 0.22, "Cramer's V(postcode_district, ethnicity) = {v}");
    let minority: Vec<bool> = eth.iter().map(|e| e != "White").collect();
    let neg_affl: Vec<f64> = affl.iter().map(|a| -a).collect();
    let a = auc(&neg_affl, &minority);
    assert!(
        a >= 0.65,
        "AUC of low affluence for minority ethnicity = {a}"
    );

    // Ethnicity has no effect on the true propensity...
    let mean = |f: &dyn Fn(usize) -> bool, v: &[f64]| {
        let (s, k) = idx()
            .filter(|&i| f(i))
            .fold((0.0, 0), |(s, k), i| (s + v[i], k + 1));
        s / f64::from(k)
    };
    let p_min = mean(&|i| minority[i], &propensity);
    let p_white = mean(&|i| !minority[i], &propensity);
    assert!(
        (p_min / p_white - 1.0).abs() < 0.05,
        "true propensity {p_min} vs {p_white}"
    );
    // ...but the vendor score selects minorities at less than four fifths of the White rate.
    let sel = |f: &dyn Fn(usize) -> bool| share(idx().filter(|&i| f(i)).map(|i| score[i] >= 0.2));
    let di = sel(&|i| minority[i]) / sel(&|i| !minority[i]);
    assert!(di < 0.7, "vendor score disparate impact at 0.2 = {di}");

    // Base rates differ by age band (through seniority).
    let rate = |band: &str| share(idx().filter(|&i| age[i] == band).map(|i| observed[i]));
    assert!(
        rate("18-24") / rate("45-54") < 0.8,
        "{} vs {}",
        rate("18-24"),
        rate("45-54")
    );

    // Follow-up loss in low-affluence districts, among leads with the base flip rate.
    let base_flip = |i: usize| age[i] != "65+" && gender[i] != "non_binary";
    let loss = share(
        idx()
            .filter(|&i| base_flip(i) && truth_y[i] && affl[i] < truth::LOW_AFFLUENCE)
            .map(|i| !observed[i]),
    );
    let want = truth::FOLLOW_UP_LOSS * (1.0 - truth::FLIP_BASE)
        + (1.0 - truth::FOLLOW_UP_LOSS) * truth::FLIP_BASE;
    assert!(
        (loss - want).abs() < 0.03,
        "follow-up loss {loss}, expected {want}"
    );

    // Label noise by group, where there is no follow-up loss.
    let flips = |f: &dyn Fn(usize) -> bool| {
        share(
            idx()
                .filter(|&i| affl[i] >= truth::LOW_AFFLUENCE && f(i))
                .map(|i| observed[i] != truth_y[i]),
        )
    };
    let f65 = flips(&|i| age[i] == "65+");
    let fnb = flips(&|i| age[i] != "65+" && gender[i] == "non_binary");
    let fbase = flips(&base_flip);
    assert!((f65 - truth::FLIP_65_PLUS).abs() < 0.02, "65+ flips {f65}");
    assert!(
        (fnb - truth::FLIP_NON_BINARY).abs() < 0.035,
        "non-binary flips {fnb}"
    );
    assert!(
        (fbase - truth::FLIP_BASE).abs() < 0.005,
        "base flips {fbase}"
    );

    // Consent and missing values.
    let consent = t
        .column("consent")
        .and_then(|c| c.as_bool())
        .expect("consent")
        .to_vec();
    let c_missing = share(consent.iter().map(Option::is_none));
    let c_refused = share(consent.iter().map(|c| *c == Some(false)));
    assert!(
        (c_missing - truth::CONSENT_MISSING).abs() < 0.002,
        "consent missing {c_missing}"
    );
    assert!(
        (c_refused - truth::CONSENT_REFUSED).abs() < 0.005,
        "consent refused {c_refused}"
    );
    let stamps = nums(&t, "consent_timestamp");
    let as_of = 1_782_777_600.0; // 2026-06-30T00:00:00Z
    let late = share(
        idx()
            .filter(|&i| consent[i] == Some(true))
            .map(|i| stamps[i] > as_of),
    );
    assert!(
        (late - truth::CONSENT_LATE).abs() < 0.0015,
        "late consent {late}"
    );
    assert!(idx().all(|i| (consent[i] == Some(true)) != stamps[i].is_nan()));
    let summary = t.summary();
    let missing = |c: &str| {
        summary
            .columns
            .iter()
            .find(|s| s.name == c)
            .map_or(0, |s| s.missing) as f64
            / n as f64
    };
    assert!((missing("company_size") - truth::MISSING_COMPANY_SIZE).abs() < 0.002);
    assert!((missing("industry") - truth::MISSING_INDUSTRY).abs() < 0.002);
    assert!((missing("days_since_last_activity") - truth::MISSING_DAYS).abs() < 0.0015);

    // Women are under-represented among directors and executives.
    let senior = text(&t, "job_seniority");
    let top = |g: &str| {
        share(
            idx()
                .filter(|&i| gender[i] == g)
                .map(|i| senior[i] == "director" || senior[i] == "executive"),
        )
    };
    assert!(
        top("female") < 0.85 * top("male"),
        "{} vs {}",
        top("female"),
        top("male")
    );
}

#[test]
fn demo_config_gives_the_generator_roles() -> Result<(), fairgate::data::DataError> {
    let demo = DataSpec::from_config_file(&root().join("datasets/demo.toml"))?;
    let roles_only = DataSpec {
        path: None,
        on_invalid: None,
        missing_numeric: None,
        ..demo
    };
    assert_eq!(roles_only, fairgate::data::synth::spec());
    Ok(())
}
