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
            max_rejected: Some(1.0),
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

/// One field of a generated table: `valid` gives usable values (for the columns where a
/// missing value does not reject the row, missing ones too: empty, an NA word, blank), values
/// padded with spaces and values that may be new to a block; otherwise missing or invalid
/// values.
fn field_value(column: usize, valid: bool) -> impl Strategy<Value = &'static str> {
    let pool: &[&'static str] = match (column, valid) {
        // y: the label.
        (0, true) => &["1", "0", "1", "0", "yes", "no", " 1"],
        (0, false) => &["maybe", "", "NA"],
        // s: the score.
        (1, true) => &["0.5", "0.25", "0.7376", "1", "0", " 0.75 ", "1e-3"],
        (1, false) => &["x", "2", "", "NA"],
        // g: a protected category.
        (2, true) => &[
            "a",
            "b",
            "c",
            "north",
            "a much longer value",
            " a",
            "",
            "NA",
            "\u{e9}t\u{e9}",
        ],
        (2, false) => &["\u{e9}t\u{e9}"],
        // id: an identifier (text).
        (3, _) => &["r1", "r2", "", "NA", "an id"],
        // t: a timestamp.
        (4, true) => &["2024-01-01", "2024-03-01T09:30:00", ""],
        (4, false) => &["bad"],
        // x: a numeric feature.
        (_, true) => &["1.5", "-2", "1e9", "", "NaN"],
        (_, false) => &["abc"],
    };
    prop::sample::select(pool)
}

/// Rows of six fields, mostly usable (so that whole batches are), with rare ragged rows,
/// blank lines and bad values.
fn table_rows() -> impl Strategy<Value = Vec<Vec<&'static str>>> {
    let valid = (
        (
            field_value(0, true),
            field_value(1, true),
            field_value(2, true),
        ),
        (
            field_value(3, true),
            field_value(4, true),
            field_value(5, true),
        ),
    );
    let bad = (
        (
            field_value(0, false),
            field_value(1, false),
            field_value(2, false),
        ),
        (
            field_value(3, false),
            field_value(4, false),
            field_value(5, false),
        ),
    );
    let row = (valid, bad, 0..6usize, 0..1000u16).prop_map(
        |(((y, s, g), (id, t, x)), ((by, bs, bg), (bid, bt, bx)), col, shape)| {
            let mut r = vec![y, s, g, id, t, x];
            match shape {
                0 => {
                    r.pop();
                }
                1 => r.push("extra"),
                2 => r.clear(),
                3..=12 => r[col] = [by, bs, bg, bid, bt, bx][col],
                _ => {}
            }
            r
        },
    );
    prop::collection::vec(row, 0..1200)
}

/// Everything a load gives, as text: the error, or the summary (without the input's hash and
/// size, which depend on the quoting) and every column's values.
fn load_outcome(bytes: &[u8], spec: &DataSpec, chunk_rows: usize, fold: bool) -> String {
    use fairgate::data::{Field, RowSink, TableReader};
    let options = ReadOptions {
        chunk_rows,
        unlisted: Unlisted::Ignore,
        threaded: true,
    };
    let blank = |mut s: fairgate::data::LoadSummary| {
        s.sha256.clear();
        s.bytes = 0;
        format!("{s:?}")
    };
    if !fold {
        return match load_with(bytes, spec, &options) {
            Ok(t) => format!(
                "{}\n{:?}",
                blank(t.summary().clone()),
                t.columns().iter().map(|c| &c.values).collect::<Vec<_>>()
            ),
            Err(e) => e.to_string(),
        };
    }
    struct Keep(Vec<Vec<Field>>);
    impl RowSink for Keep {
        fn row(&mut self, fields: &[Field]) {
            self.0.push(fields.to_vec());
        }
        fn finish(self: Box<Self>) -> Box<dyn std::any::Any + Send> {
            Box::new(self.0)
        }
    }
    let read = || -> Result<String, fairgate::data::DataError> {
        let mut reader = TableReader::new(
            Box::new(std::io::Cursor::new(bytes.to_vec())),
            "t.csv",
            spec,
            &options,
        )?;
        reader.set_fold(std::sync::Arc::new(|| Box::new(Keep(Vec::new()))));
        let mut rows = Vec::new();
        while let Some(mut block) = reader.next_folded::<Vec<Vec<Field>>>()? {
            for row in block.partial.take().unwrap_or_default() {
                let global: Vec<Field> = row
                    .iter()
                    .enumerate()
                    .map(|(c, f)| match f {
                        Field::Code(code) => Field::Code(block.global(c, *code)),
                        f => *f,
                    })
                    .collect();
                rows.push(global);
            }
        }
        // Rows a reader does not fold (under --positive) are stored instead.
        while let Some(chunk) = reader.next_chunk()? {
            rows.push(vec![Field::Num(chunk.n_rows as f64)]);
        }
        let levels: Vec<Vec<String>> = (0..reader.schema().columns.len())
            .map(|c| reader.levels(c).to_vec())
            .collect();
        Ok(format!("{levels:?}\n{rows:?}\n{}", blank(reader.finish()?)))
    };
    read().unwrap_or_else(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A block without quotes is decoded a batch of records at a time, column by column;
    /// quoting every field sends the same table through csv_core and the decoder's
    /// record-by-record path. Both must give the same rows, levels, rejections, missing
    /// counts, labels and errors.
    #[test]
    fn quoting_every_field_changes_nothing(rows in table_rows(), chunk in prop::sample::select(vec![7usize, 300, 8192])) {
        let mut plain = String::from("y,s,g,id,t,x\n");
        let mut quoted = plain.clone();
        for r in &rows {
            plain.push_str(&r.join(","));
            plain.push('\n');
            let q: Vec<String> = r.iter().map(|f| format!("\"{f}\"")).collect();
            quoted.push_str(&q.join(","));
            quoted.push('\n');
        }
        let full = DataSpec {
            label: Some("y".into()),
            score: Some("s".into()),
            protected: Some(vec!["g".into()]),
            id: Some("id".into()),
            timestamp: Some(vec!["t".into()]),
            features: Some(vec!["x".into()]),
            on_invalid: Some(OnInvalid::Skip),
            max_rejected: Some(1.0),
            na: Some(vec!["".into(), "NA".into()]),
            ..DataSpec::default()
        };
        let specs = [
            full.clone(),
            DataSpec { on_invalid: None, ..full.clone() },
            DataSpec { na: None, max_field_bytes: Some(8), ..full.clone() },
            // No category, so that a block's first batch needs no new level.
            DataSpec { protected: None, ..full.clone() },
            DataSpec { positive: Some("yes".into()), ..full },
        ];
        for spec in &specs {
            for fold in [false, true] {
                prop_assert_eq!(
                    load_outcome(plain.as_bytes(), spec, chunk, fold),
                    load_outcome(quoted.as_bytes(), spec, chunk, fold),
                    "fold {}", fold
                );
            }
        }
    }
}
