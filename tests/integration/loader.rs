//! The loader on valid but awkward input.

use fairgate::data::{
    ColumnKind, DataError, DataSpec, MissingNumeric, ReadOptions, Role, Table, TableReader,
    MISSING_CODE,
};

use crate::util::{all_columns, label_score, load, load_with};

#[test]
fn bom_crlf_and_quoted_delimiters() -> Result<(), DataError> {
    let input = "\u{FEFF}y;score;city\r\n1;0,5 is not a number here;\"Paris; France\"\r\n"
        .replace("0,5 is not a number here", "0.5")
        + "0;0.25;\"Lyon \"\"centre\"\"\"\r\n";
    let spec = DataSpec {
        protected: Some(vec!["city".into()]),
        ..label_score("y", "score")
    };
    let t = load(input.as_bytes(), &spec)?;
    let s = t.summary();
    assert!(s.byte_order_mark);
    assert_eq!((s.delimiter.as_str(), s.delimiter_detected), (";", true));
    assert_eq!(t.label(), Some(vec![true, false]));
    assert_eq!(t.score(), Some(&[0.5, 0.25][..]));
    let city = t.column("city").ok_or(DataError::Spec("no city".into()))?;
    assert_eq!(city.level_of(0), Some("Paris; France"));
    assert_eq!(city.level_of(1), Some("Lyon \"centre\""));
    Ok(())
}

#[test]
fn each_delimiter_is_detected_or_taken_as_given() -> Result<(), DataError> {
    for (d, word) in [(",", ","), (";", ";"), ("\t", "tab"), ("|", "|")] {
        let input = format!("y{d}score{d}g\n1{d}0.5{d}a\n0{d}0.25{d}b\n");
        let t = load(input.as_bytes(), &label_score("y", "score"))?;
        assert_eq!(t.summary().delimiter, word);
        assert_eq!(t.n_rows(), 2);
        let given = DataSpec {
            delimiter: Some(if d == "\t" { "tab".into() } else { d.into() }),
            ..label_score("y", "score")
        };
        let t = load(input.as_bytes(), &given)?;
        assert!(!t.summary().delimiter_detected);
        assert_eq!(t.score(), Some(&[0.5, 0.25][..]));
    }
    Ok(())
}

#[test]
fn quoted_newlines_keep_line_numbers_right() {
    // The record at line 2 spans lines 2-3, so the bad score is on line 4.
    let input = b"y,score,note\n1,0.5,\"two\nlines\"\n0,oops,x\n";
    let e = load(input, &label_score("y", "score"))
        .err()
        .map(|e| e.to_string());
    assert!(
        e.as_deref().is_some_and(|e| e.starts_with("t.csv:4:2:")),
        "{e:?}"
    );
}

#[test]
fn label_values_and_positive() -> Result<(), DataError> {
    for (values, positive, want) in [
        (["yes", "no", "YES"], None, [true, false, true]),
        (["true", "false", "False"], None, [true, false, false]),
        (["1", "0", "1"], None, [true, false, true]),
        (["won", "lost", "won"], Some("won"), [true, false, true]),
        (["lost", "won", "lost"], Some("won"), [false, true, false]),
        (["1", "0", "0"], Some("0"), [false, true, true]),
    ] {
        let input = format!(
            "y,score\n{},0.1\n{},0.2\n{},0.3\n",
            values[0], values[1], values[2]
        );
        let spec = DataSpec {
            positive: positive.map(String::from),
            ..label_score("y", "score")
        };
        let t = load(input.as_bytes(), &spec)?;
        assert_eq!(
            t.label(),
            Some(want.to_vec()),
            "{values:?} with {positive:?}"
        );
        let lab = t.summary().label.clone();
        let n_pos = want.iter().filter(|b| **b).count() as u64;
        assert_eq!(
            lab.map(|l| (l.positives, l.negatives)),
            Some((n_pos, 3 - n_pos))
        );
    }
    Ok(())
}

#[test]
fn missing_value_rules_per_role() -> Result<(), DataError> {
    let input = b"id,y,score,g,x,c,consent,t\n\
        a,1,0.5,f,1.5,u,yes,2024-01-01\n\
        b,0,,m,2.5,v,no,\n\
        c,,0.2,m,3.5,u,,\n\
        ,1,0.9,,,,,2024-02-01\n\
        e,0,0.1,NA,4.5,v,1,\n";
    let spec = DataSpec {
        id: Some("id".into()),
        protected: Some(vec!["g".into()]),
        features: Some(vec!["x".into(), "c".into()]),
        consent: Some("consent".into()),
        timestamp: Some(vec!["t".into()]),
        na: Some(vec!["".into(), "NA".into()]),
        // Two of five rows are rejected here, far more than the default 1% allows.
        max_rejected: Some(1.0),
        ..label_score("y", "score")
    };
    let t = load(input, &spec)?;
    let s = t.summary();
    // A missing score (line 3) and a missing label (line 4) reject their rows.
    assert_eq!((s.rows_read, s.rows_used), (5, 3));
    let missing: Vec<(&str, u64, &str)> = s
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.missing, c.missing_policy.as_str()))
        .collect();
    assert_eq!(
        missing,
        vec![
            ("id", 1, "kept; the record has no identifier"),
            ("y", 0, "row rejected"),
            ("score", 0, "row rejected"),
            ("g", 2, "kept as its own group, (missing)"),
            ("x", 1, "imputed with the training mean"),
            ("c", 1, "kept as its own category, (missing)"),
            ("consent", 1, "treated as no consent"),
            ("t", 1, "kept as unknown"),
        ]
    );
    let g = t
        .column("g")
        .and_then(|c| c.as_codes())
        .map(<[u32]>::to_vec);
    assert_eq!(g, Some(vec![0, MISSING_CODE, MISSING_CODE]));
    let x = t.column("x").and_then(|c| c.as_f64()).map(<[f64]>::to_vec);
    assert!(x.is_some_and(|x| x[0] == 1.5 && x[1].is_nan() && x[2] == 4.5));
    let consent = t
        .column("consent")
        .and_then(|c| c.as_bool())
        .map(<[_]>::to_vec);
    assert_eq!(consent, Some(vec![Some(true), None, Some(true)]));

    // With `missing-numeric = reject`, the row missing x is rejected too.
    let spec = DataSpec {
        missing_numeric: Some(MissingNumeric::Reject),
        ..spec
    };
    let t = load(input, &spec)?;
    assert_eq!(t.n_rows(), 2);
    assert_eq!(t.summary().columns[4].missing_policy, "row rejected");
    Ok(())
}

#[test]
fn feature_kinds_are_inferred() -> Result<(), DataError> {
    let input = b"y,score,n,b,c,e\n1,0.5,1,yes,a,\n0,0.5,2.5,no,3,\n";
    let t = load_with(input, &label_score("y", "score"), &all_columns(8192, true))?;
    let kinds: Vec<(&str, ColumnKind)> = t
        .with_role(Role::Feature)
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("n", ColumnKind::Numeric),
            ("b", ColumnKind::Boolean),
            ("c", ColumnKind::Categorical),
            ("e", ColumnKind::Categorical),
        ]
    );
    Ok(())
}

/// A file of `n` rows with every kind of column and a few bad rows.
fn mixed_file(n: usize) -> Vec<u8> {
    let mut s = String::from("id,y,score,g,x,c,t\n");
    for i in 0..n {
        let score = if i % 97 == 5 {
            "x".to_string()
        } else {
            format!("{:.3}", (i % 1000) as f64 / 1000.0)
        };
        s.push_str(&format!(
            "r{i},{},{score},g{},{},c{},2024-01-{:02}\n",
            i % 3 == 0,
            i % 7,
            i as f64 * 0.5,
            i % 11,
            1 + i % 28
        ));
    }
    s.into_bytes()
}

#[test]
fn threads_and_chunk_sizes_do_not_change_the_result() -> Result<(), DataError> {
    let input = mixed_file(20_000);
    let spec = DataSpec {
        id: Some("id".into()),
        protected: Some(vec!["g".into()]),
        timestamp: Some(vec!["t".into()]),
        on_invalid: Some(fairgate::data::OnInvalid::Skip),
        max_rejected: Some(1.0),
        ..label_score("y", "score")
    };
    let reference = load_with(&input, &spec, &all_columns(8192, true))?;
    let bad_scores = (0..20_000).filter(|i| i % 97 == 5).count() as u64;
    assert_eq!(reference.summary().rows_rejected, bad_scores);
    for (chunk, threaded) in [(1, false), (7, true), (1000, false), (100_000, true)] {
        let t = load_with(&input, &spec, &all_columns(chunk, threaded))?;
        assert_eq!(
            t.columns(),
            reference.columns(),
            "chunk {chunk}, threaded {threaded}"
        );
        assert_eq!(t.summary(), reference.summary());
    }
    Ok(())
}

#[test]
fn streaming_chunks_add_up_and_the_hash_covers_the_file() -> Result<(), DataError> {
    use sha2::Digest;
    let input = mixed_file(5_000);
    let spec = DataSpec {
        on_invalid: Some(fairgate::data::OnInvalid::Skip),
        max_rejected: Some(1.0),
        ..label_score("y", "score")
    };
    let options = ReadOptions {
        chunk_rows: 512,
        ..ReadOptions::default()
    };
    let mut reader = TableReader::new(
        Box::new(std::io::Cursor::new(input.clone())),
        "t.csv",
        &spec,
        &options,
    )?;
    let (mut chunks, mut rows) = (0, 0);
    while let Some(chunk) = reader.next_chunk()? {
        assert!(chunk.n_rows <= 512);
        assert!(chunk.columns.iter().all(|c| c.len() == chunk.n_rows));
        chunks += 1;
        rows += chunk.n_rows;
    }
    let s = reader.finish()?;
    assert_eq!(chunks, 10);
    assert_eq!(rows as u64, s.rows_used);
    assert_eq!(s.rows_read, 5_000);
    assert_eq!(s.rows_used + s.rows_rejected, s.rows_read);
    let expected: String = sha2::Sha256::digest(&input)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(s.sha256, expected);
    assert_eq!(s.bytes, input.len() as u64);
    Ok(())
}

#[test]
fn label_values_are_resolved_in_file_order_across_blocks() -> Result<(), DataError> {
    // With --positive won, "lost" (line 3) is the negative; "open" first appears on line 6,
    // in a later block when blocks are 2 rows. Skip mode rejects the "open" rows; the rejected
    // rows add no level to g, whose value "only-in-rejected" appears on them alone.
    let input = b"y,score,g\nwon,0.5,a\nlost,0.2,b\nwon,0.1,a\nlost,0.3,b\nopen,0.4,only-in-rejected\nwon,0.6,c\nopen,0.7,only-in-rejected\n";
    let spec = DataSpec {
        positive: Some("won".into()),
        protected: Some(vec!["g".into()]),
        on_invalid: Some(fairgate::data::OnInvalid::Skip),
        max_rejected: Some(1.0),
        ..label_score("y", "score")
    };
    let mut reference = None;
    for (chunk, threaded) in [(8192, true), (2, true), (1, false), (3, true)] {
        let t = load_with(input, &spec, &all_columns(chunk, threaded))?;
        assert_eq!(t.label(), Some(vec![true, false, true, false, true]));
        let g = t.column("g").map(|c| c.levels.clone());
        assert_eq!(g, Some(vec!["a".to_string(), "b".into(), "c".into()]));
        let s = t.summary();
        let rej: Vec<(String, u64, u64)> = s
            .rejected
            .iter()
            .map(|r| (r.reason.clone(), r.rows, r.first_line))
            .collect();
        assert_eq!(rej, vec![("too_many_label_values".to_string(), 2, 6)]);
        let lab = s
            .label
            .clone()
            .map(|l| (l.positive, l.negative, l.positives, l.negatives));
        assert_eq!(lab, Some((Some("won".into()), Some("lost".into()), 3, 2)));
        match &reference {
            None => reference = Some(t),
            Some(r) => {
                assert_eq!(t.columns(), r.columns());
                assert_eq!(t.summary(), r.summary());
            }
        }
    }
    // Under on-invalid = error, the first third value is an error at its line, whatever the
    // block size.
    let strict = DataSpec {
        on_invalid: None,
        ..spec
    };
    for (chunk, threaded) in [(8192, true), (2, true), (1, false)] {
        let e = load_with(input, &strict, &all_columns(chunk, threaded))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("t.csv:6:1: column \"y\": expected one of the two label values \"won\" (positive) and \"lost\", found \"open\"; a label must have exactly two values"),
            "chunk {chunk}"
        );
    }
    Ok(())
}

#[test]
fn the_first_error_in_file_order_is_reported_whatever_the_threads() {
    // Errors on lines 400 and 9000: with small blocks decoded in parallel, a later block may
    // fail first, but the error reported is always line 400's.
    let mut s = String::from("y,score\n");
    for i in 2..=10_000 {
        let score = match i {
            400 => "bad",
            9000 => "2",
            _ => "0.5",
        };
        s.push_str(&format!("1,{score}\n"));
    }
    for chunk in [7, 64, 8192] {
        let e = load_with(
            s.as_bytes(),
            &label_score("y", "score"),
            &all_columns(chunk, true),
        )
        .err()
        .and_then(|e| e.position().map(|p| p.line));
        assert_eq!(e, Some(400), "chunk {chunk}");
    }
}

/// A sink that keeps the rows it is given, for comparison with the stored columns.
struct Keep(Vec<Vec<fairgate::data::Field>>);

impl fairgate::data::RowSink for Keep {
    fn row(&mut self, fields: &[fairgate::data::Field]) {
        self.0.push(fields.to_vec());
    }
    fn finish(self: Box<Self>) -> Box<dyn std::any::Any + Send> {
        Box::new(self.0)
    }
}

#[test]
fn a_folded_block_asked_for_as_another_type_is_an_error() -> Result<(), DataError> {
    let mut reader = TableReader::new(
        Box::new(std::io::Cursor::new(mixed_file(5))),
        "t.csv",
        &label_score("y", "score"),
        &ReadOptions::default(),
    )?;
    assert!(reader.set_fold(std::sync::Arc::new(|| Box::new(Keep(Vec::new())))));
    match reader.next_folded::<String>() {
        Err(e) => assert!(e.to_string().contains("not a alloc::string::String"), "{e}"),
        Ok(_) => panic!("a block of rows read as a String"),
    }
    Ok(())
}

#[test]
fn folded_blocks_give_the_rows_and_summary_of_stored_chunks() -> Result<(), DataError> {
    use fairgate::data::{ColumnValues, Field};
    // Levels of g first appear in a different order in each block, so local codes differ from
    // global ones.
    let input = String::from_utf8_lossy(&mixed_file(3_000))
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let g = format!(",g{},", (i + i / 97) % 7);
            let mut f: Vec<&str> = line.split(',').collect();
            if i > 0 {
                f[3] = &g[1..g.len() - 1];
                // Missing identifiers, empty or an NA word: counted alike by both paths.
                if i % 13 == 0 {
                    f[0] = "";
                } else if i % 17 == 0 {
                    f[0] = "NA";
                }
            }
            f.join(",") + "\n"
        })
        .collect::<String>()
        .into_bytes();
    let spec = DataSpec {
        on_invalid: Some(fairgate::data::OnInvalid::Skip),
        max_rejected: Some(1.0),
        protected: Some(vec!["g".into()]),
        id: Some("id".into()),
        timestamp: Some(vec!["t".into()]),
        na: Some(vec!["".into(), "NA".into()]),
        ..label_score("y", "score")
    };
    for threaded in [false, true] {
        let options = ReadOptions {
            chunk_rows: 256,
            threaded,
            ..ReadOptions::default()
        };
        let open = || {
            TableReader::new(
                Box::new(std::io::Cursor::new(input.clone())),
                "t.csv",
                &spec,
                &options,
            )
        };
        // Stored: rows as fields with global codes.
        let mut stored = Vec::new();
        let mut reader = open()?;
        while let Some(chunk) = reader.next_chunk()? {
            for r in 0..chunk.n_rows {
                stored.push(
                    chunk
                        .columns
                        .iter()
                        .map(|c| match c {
                            ColumnValues::Numeric(v) => Field::Num(v[r]),
                            ColumnValues::Categorical(v) => Field::Code(v[r]),
                            ColumnValues::Boolean(v) => Field::Bool(v[r]),
                            ColumnValues::Text(_) => Field::Text,
                        })
                        .collect::<Vec<_>>(),
                );
            }
        }
        let g = reader
            .schema()
            .columns
            .iter()
            .position(|c| c.name == "g")
            .ok_or(DataError::Spec("no g".into()))?;
        let stored_levels = reader.levels(g).to_vec();
        let stored_summary = reader.finish()?;
        // Folded: the same rows once local codes are made global.
        let mut reader = open()?;
        assert!(reader.set_fold(std::sync::Arc::new(|| Box::new(Keep(Vec::new())))));
        assert!(
            !reader.set_fold(std::sync::Arc::new(|| Box::new(Keep(Vec::new())))),
            "a second factory is refused"
        );
        let mut folded = Vec::new();
        while let Some(mut block) = reader.next_folded::<Vec<Vec<Field>>>()? {
            for mut row in block.partial.take().unwrap_or_default() {
                if let Field::Code(c) = row[g] {
                    row[g] = Field::Code(block.global(g, c));
                }
                folded.push(row);
            }
        }
        assert_eq!(folded.len(), stored.len());
        for (a, b) in folded.iter().zip(&stored) {
            // NaN != NaN: compare the debug text.
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
        assert_eq!(reader.levels(g), stored_levels.as_slice());
        assert_eq!(reader.finish()?, stored_summary, "threaded {threaded}");
    }
    // Under --positive the label is resolved in file order: no folding.
    let spec = DataSpec {
        positive: Some("1".into()),
        ..label_score("y", "score")
    };
    let mut reader = TableReader::new(
        Box::new(std::io::Cursor::new(input.clone())),
        "t.csv",
        &spec,
        &ReadOptions::default(),
    )?;
    assert!(!reader.set_fold(std::sync::Arc::new(|| Box::new(Keep(Vec::new())))));
    Ok(())
}

/// A reader that gives its bytes and then fails.
struct FailsAfter(std::io::Cursor<Vec<u8>>);

impl std::io::Read for FailsAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(std::io::Error::other("the disk went away")),
            n => Ok(n),
        }
    }
}

#[test]
fn a_read_error_after_many_blocks_is_reported_and_nothing_hangs() {
    // The decoding threads take turns to read: the one that meets the error hands it on in
    // stream order, the others stop, and the reader reports it (threaded or not).
    let mut csv = String::from("y,score\n");
    for i in 0..50_000u32 {
        csv.push_str(&format!("{},0.{:04}\n", i % 2, i % 10_000));
    }
    for (chunk_rows, threaded) in [(1_000, true), (1_000, false), (65_536, true)] {
        let options = ReadOptions {
            chunk_rows,
            threaded,
            ..ReadOptions::default()
        };
        let input = Box::new(FailsAfter(std::io::Cursor::new(csv.clone().into_bytes())));
        let result = Table::from_reader(input, "t.csv", &label_score("y", "score"), &options);
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            message, "t.csv: cannot read: the disk went away",
            "chunk {chunk_rows}, threaded {threaded}"
        );
    }
}
