//! Property tests: no input makes the loader panic, and typed values round-trip.

use fairgate::data::{DataSpec, OnInvalid, ReadOptions, Unlisted};
use proptest::prelude::*;

use crate::util::load_with;

fn specs() -> Vec<DataSpec> {
    let base = DataSpec {
        label: Some("y".into()),
        score: Some("s".into()),
        ..DataSpec::default()
    };
    vec![
        DataSpec::default(),
        base.clone(),
        DataSpec {
            protected: Some(vec!["g".into()]),
            id: Some("id".into()),
            timestamp: Some(vec!["t".into()]),
            consent: Some("c".into()),
            weight: Some("w".into()),
            on_invalid: Some(OnInvalid::Skip),
            max_field_bytes: Some(16),
            ..base.clone()
        },
        DataSpec {
            positive: Some("a".into()),
            delimiter: Some(";".into()),
            na: Some(vec!["NA".into()]),
            ..base
        },
    ]
}

/// Bytes that look a little like CSV, so the interesting paths are reached.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let header = prop::sample::select(vec![
        &b"y,s,g,id,t,c,w\n"[..],
        b"y;s;g\n",
        b"\xEF\xBB\xBFy,s\r\n",
        b"",
    ]);
    let body = prop::collection::vec(
        prop::sample::select(vec![
            &b"1"[..],
            b"0",
            b"0.5",
            b",",
            b";",
            b"\"",
            b"\n",
            b"\r\n",
            b"NaN",
            b"inf",
            b"-1",
            b"a",
            b"yes",
            b"2024-01-01",
            b"\xff",
            b"\xEF\xBB\xBF",
            b"\t",
            b"|",
            b"NA",
            b"  ",
        ]),
        0..200,
    );
    (header, body).prop_map(|(h, b)| {
        let mut v = h.to_vec();
        for piece in b {
            v.extend_from_slice(piece);
        }
        v
    })
}

fn try_all(bytes: &[u8]) {
    for spec in specs() {
        for (threaded, chunk_rows) in [(true, 3), (false, 8192)] {
            for unlisted in [Unlisted::Ignore, Unlisted::AsFeatures] {
                let options = ReadOptions {
                    chunk_rows,
                    unlisted,
                    threaded,
                };
                // Ok or Err are both fine; a panic fails the test. When it loads, the
                // accounting must add up.
                if let Ok(t) = load_with(bytes, &spec, &options) {
                    let s = t.summary();
                    assert_eq!(s.rows_used + s.rows_rejected, s.rows_read);
                    assert_eq!(s.rows_used as usize, t.n_rows());
                    assert!(t.columns().iter().all(|c| c.values.len() == t.n_rows()));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        try_all(&bytes);
    }

    #[test]
    fn csv_like_bytes_never_panic(bytes in csvish()) {
        try_all(&bytes);
    }

    #[test]
    fn numbers_and_categories_round_trip(
        rows in prop::collection::vec((any::<bool>(), 0.0f64..=1.0, "[a-zA-Z ;,\"]{0,12}", -1e12f64..1e12), 1..60)
    ) {
        let mut csv = String::from("y,s,g,x\n");
        for (y, s, g, x) in &rows {
            let g = format!("\"{}\"", g.replace('"', "\"\""));
            csv.push_str(&format!("{},{s:?},{g},{x:?}\n", u8::from(*y)));
        }
        let spec = DataSpec {
            label: Some("y".into()),
            score: Some("s".into()),
            protected: Some(vec!["g".into()]),
            features: Some(vec!["x".into()]),
            ..DataSpec::default()
        };
        let t = load_with(csv.as_bytes(), &spec, &ReadOptions::default());
        prop_assert!(t.is_ok(), "{:?}", t.err());
        let Ok(t) = t else { return Ok(()) };
        let labels: Vec<bool> = rows.iter().map(|r| r.0).collect();
        prop_assert_eq!(t.label(), Some(labels));
        let scores: Vec<f64> = rows.iter().map(|r| r.1).collect();
        prop_assert_eq!(t.score().map(<[f64]>::to_vec), Some(scores));
        let xs: Vec<f64> = rows.iter().map(|r| r.3).collect();
        prop_assert_eq!(t.column("x").and_then(|c| c.as_f64()).map(<[f64]>::to_vec), Some(xs));
        let g = t.column("g");
        for (i, r) in rows.iter().enumerate() {
            // Fields are trimmed; an all-blank value is missing.
            let want = r.2.trim();
            let got = g.and_then(|c| c.level_of(i));
            prop_assert_eq!(got, (!want.is_empty()).then_some(want));
        }
    }
}
