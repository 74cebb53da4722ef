//! The loader on malformed input. Each case states the error kind it must produce and the
//! line and column the message must name (`t.csv:LINE:COL`), or the file alone when the
//! problem is the whole file.

use fairgate::data::{DataError, DataSpec, OnInvalid, ReadOptions, ValueProblem};

use crate::util::{label_score, load, load_with};

/// What a case expects.
#[derive(Debug)]
enum Kind {
    Empty,
    NoRows,
    NoUsableRows,
    MissingHeader,
    UnknownColumn,
    DuplicateColumn,
    Ragged,
    Value(ValueProblem),
    Spec,
    /// A reading option out of range, named by its field.
    Param(&'static str),
}

fn kind_of(e: &DataError) -> Option<Kind> {
    Some(match e {
        DataError::Empty { .. } => Kind::Empty,
        DataError::NoRows { .. } => Kind::NoRows,
        DataError::NoUsableRows { .. } => Kind::NoUsableRows,
        DataError::MissingHeader { .. } => Kind::MissingHeader,
        DataError::UnknownColumn(_) => Kind::UnknownColumn,
        DataError::DuplicateColumn { .. } => Kind::DuplicateColumn,
        DataError::RaggedRow { .. } => Kind::Ragged,
        DataError::InvalidValue(v) => Kind::Value(v.problem),
        DataError::Spec(_) => Kind::Spec,
        DataError::Param(p) => Kind::Param(p.name),
        _ => return None,
    })
}

struct Case {
    name: &'static str,
    input: Vec<u8>,
    spec: DataSpec,
    kind: Kind,
    /// `t.csv:LINE` or `t.csv:LINE:COL` that the message must start with; `None` for
    /// whole-file problems, whose message must start with `t.csv:`.
    at: Option<&'static str>,
    /// Words the message must contain.
    says: &'static [&'static str],
}

fn ls() -> DataSpec {
    label_score("y", "score")
}

fn with(f: impl FnOnce(&mut DataSpec)) -> DataSpec {
    let mut s = ls();
    f(&mut s);
    s
}

fn cases() -> Vec<Case> {
    let long_field = {
        let mut v = b"y,score,note\n1,0.5,ok\n0,0.2,".to_vec();
        v.extend(std::iter::repeat_n(b'x', 1 << 20));
        v.extend(b"\n1,0.9,ok\n");
        v
    };
    let unbalanced = {
        let mut v = b"y,score,note\n1,0.5,\"starts a quote\n".to_vec();
        for _ in 0..4000 {
            v.extend(b"0,0.25,filler text that the open quote swallows\n");
        }
        v
    };
    let c = |name, input: &[u8], spec, kind, at, says| Case {
        name,
        input: input.to_vec(),
        spec,
        kind,
        at,
        says,
    };
    vec![
        c(
            "empty file",
            b"",
            ls(),
            Kind::Empty,
            None,
            &["empty", "header"],
        ),
        c(
            "only a BOM and blank lines",
            b"\xEF\xBB\xBF\n\n",
            ls(),
            Kind::Empty,
            None,
            &["empty"],
        ),
        c(
            "header only",
            b"y,score\n",
            ls(),
            Kind::NoRows,
            None,
            &["no data rows"],
        ),
        c(
            "header only, CRLF",
            b"y,score\r\n",
            ls(),
            Kind::NoRows,
            None,
            &["no data rows"],
        ),
        c(
            "missing header",
            b"1,0.5\n0,0.2\n",
            ls(),
            Kind::MissingHeader,
            Some("t.csv:1"),
            &["expected a header row"],
        ),
        c(
            "unknown column",
            b"y,scores\n1,0.5\n",
            ls(),
            Kind::UnknownColumn,
            Some("t.csv:1"),
            &[
                "no column named \"score\"",
                "--score",
                "did you mean \"scores\"",
            ],
        ),
        c(
            "duplicate column names",
            b"y,score,score\n1,0.5,0.5\n",
            ls(),
            Kind::DuplicateColumn,
            Some("t.csv:1:3"),
            &["duplicate column name \"score\"", "also column 2"],
        ),
        c(
            "ragged row, too few fields",
            b"y,score,g\n1,0.5,a\n0,0.2\n",
            ls(),
            Kind::Ragged,
            Some("t.csv:3"),
            &["expected 3 fields", "found 2"],
        ),
        c(
            "ragged row, too many fields",
            b"y,score\n1,0.5\n0,0.2,x\n",
            ls(),
            Kind::Ragged,
            Some("t.csv:3"),
            &["expected 2 fields", "found 3"],
        ),
        c(
            "non-numeric score",
            b"y,score\n1,0.5\n0,n/a\n",
            ls(),
            Kind::Value(ValueProblem::NotANumber),
            Some("t.csv:3:2"),
            &[
                "column \"score\"",
                "expected a number in [0, 1]",
                "found \"n/a\"",
            ],
        ),
        c(
            "score above 1",
            b"y,score\n1,1.5\n",
            ls(),
            Kind::Value(ValueProblem::OutOfRange),
            Some("t.csv:2:2"),
            &["expected a number in [0, 1]", "found \"1.5\""],
        ),
        c(
            "negative score",
            b"y,score\n1,-0.01\n",
            ls(),
            Kind::Value(ValueProblem::OutOfRange),
            Some("t.csv:2:2"),
            &["found \"-0.01\""],
        ),
        c(
            "NaN score",
            b"y,score\n1,0.3\n0,NaN\n",
            ls(),
            Kind::Value(ValueProblem::NotFinite),
            Some("t.csv:3:2"),
            &["found \"NaN\""],
        ),
        c(
            "infinite score",
            b"score,y\ninf,1\n",
            ls(),
            Kind::Value(ValueProblem::NotFinite),
            Some("t.csv:2:1"),
            &["found \"inf\""],
        ),
        c(
            "NaN feature",
            b"y,score,x\n1,0.5,1.0\n0,0.5,nan\n",
            with(|s| s.features = Some(vec!["x".into()])),
            Kind::Value(ValueProblem::NotFinite),
            Some("t.csv:3:3"),
            &["column \"x\"", "pass --na nan"],
        ),
        c(
            "label with three values",
            b"y,score\nwon,0.5\nlost,0.2\nopen,0.1\n",
            with(|s| s.positive = Some("won".into())),
            Kind::Value(ValueProblem::TooManyLabelValues),
            Some("t.csv:4:1"),
            &["\"won\" (positive) and \"lost\"", "found \"open\""],
        ),
        c(
            "label 0/1/2",
            b"y,score\n0,0.5\n1,0.2\n2,0.1\n",
            ls(),
            Kind::Value(ValueProblem::BadLabel),
            Some("t.csv:4:1"),
            &["0/1, true/false or yes/no", "--positive"],
        ),
        c(
            "invalid UTF-8 in a field",
            b"y,score,g\n1,0.5,a\n0,0.2,\xff\xfe\n",
            with(|s| s.protected = Some(vec!["g".into()])),
            Kind::Value(ValueProblem::InvalidUtf8),
            Some("t.csv:3:3"),
            &["UTF-8"],
        ),
        c(
            "invalid UTF-8 in the header",
            b"y,score,\xc3\x28\n1,0.5,a\n",
            ls(),
            Kind::Value(ValueProblem::InvalidUtf8),
            Some("t.csv:1:3"),
            &["UTF-8"],
        ),
        Case {
            name: "1 MB field",
            input: long_field,
            spec: ls(),
            kind: Kind::Value(ValueProblem::FieldTooLong),
            at: Some("t.csv:3:3"),
            says: &["1048576 bytes", "at most 65536 bytes"],
        },
        Case {
            name: "unbalanced quote",
            input: unbalanced,
            spec: ls(),
            kind: Kind::Value(ValueProblem::FieldTooLong),
            at: Some("t.csv:2:3"),
            says: &["unbalanced quote"],
        },
        c(
            "bad timestamp",
            b"y,score,t\n1,0.5,2024-02-30\n",
            with(|s| s.timestamp = Some(vec!["t".into()])),
            Kind::Value(ValueProblem::NotATimestamp),
            Some("t.csv:2:3"),
            &["ISO 8601"],
        ),
        c(
            "bad consent flag",
            b"y,score,c\n1,0.5,maybe\n",
            with(|s| s.consent = Some("c".into())),
            Kind::Value(ValueProblem::NotABoolean),
            Some("t.csv:2:3"),
            &["a boolean"],
        ),
        c(
            "negative weight",
            b"y,score,w\n1,0.5,-2\n",
            with(|s| s.weight = Some("w".into())),
            Kind::Value(ValueProblem::OutOfRange),
            Some("t.csv:2:3"),
            &["non-negative"],
        ),
        c(
            "bad prediction",
            b"y,p\n1,yes\n0,2\n",
            DataSpec {
                label: Some("y".into()),
                prediction: Some("p".into()),
                ..DataSpec::default()
            },
            Kind::Value(ValueProblem::NotABoolean),
            Some("t.csv:3:2"),
            &["column \"p\""],
        ),
        c(
            "every label missing",
            b"y,score\n,0.5\n,0.2\n",
            ls(),
            Kind::NoUsableRows,
            None,
            &[
                "2 data rows read",
                "missing_value in \"y\": 2 rows (first at line 2)",
            ],
        ),
        c(
            "one column given two roles",
            b"y,score,g\n1,0.5,a\n",
            with(|s| {
                s.protected = Some(vec!["g".into()]);
                s.features = Some(vec!["g".into()]);
            }),
            Kind::Spec,
            None,
            &["two roles"],
        ),
        c(
            "bad delimiter option",
            b"y,score\n1,0.5\n",
            with(|s| s.delimiter = Some("::".into())),
            Kind::Param("delimiter"),
            None,
            &["one ASCII character", "\"::\""],
        ),
    ]
}

#[test]
fn every_malformed_input_gets_its_error_kind_and_position() {
    let cases = cases();
    assert!(
        cases.len() >= 20,
        "the acceptance asks for at least 20 cases"
    );
    let mut failures = Vec::new();
    for case in cases {
        for threaded in [true, false] {
            let options = ReadOptions {
                threaded,
                ..ReadOptions::default()
            };
            let err = match load_with(&case.input, &case.spec, &options) {
                Ok(t) => {
                    failures.push(format!(
                        "{}: loaded {} rows, expected an error",
                        case.name,
                        t.n_rows()
                    ));
                    continue;
                }
                Err(e) => e,
            };
            let msg = err.to_string();
            let kind_ok = matches!(
                (kind_of(&err), &case.kind),
                (Some(Kind::Empty), Kind::Empty)
                    | (Some(Kind::NoRows), Kind::NoRows)
                    | (Some(Kind::NoUsableRows), Kind::NoUsableRows)
                    | (Some(Kind::MissingHeader), Kind::MissingHeader)
                    | (Some(Kind::UnknownColumn), Kind::UnknownColumn)
                    | (Some(Kind::DuplicateColumn), Kind::DuplicateColumn)
                    | (Some(Kind::Ragged), Kind::Ragged)
                    | (Some(Kind::Spec), Kind::Spec)
            ) || matches!((kind_of(&err), &case.kind), (Some(Kind::Value(a)), Kind::Value(b)) if a == *b)
                || matches!((kind_of(&err), &case.kind), (Some(Kind::Param(a)), Kind::Param(b)) if a == *b);
            if !kind_ok {
                failures.push(format!(
                    "{}: expected {:?}, got {:?}: {msg}",
                    case.name, case.kind, err
                ));
            }
            match case.at {
                Some(at) => {
                    let prefix = format!("{at}:");
                    if !msg.starts_with(&prefix) {
                        failures.push(format!(
                            "{}: message should start with {prefix:?}: {msg}",
                            case.name
                        ));
                    }
                    let pos = err.position().map(ToString::to_string);
                    if pos.as_deref() != Some(at) {
                        failures.push(format!("{}: position {pos:?}, expected {at}", case.name));
                    }
                }
                None if !matches!(case.kind, Kind::Spec | Kind::Param(_))
                    && !msg.starts_with("t.csv:") =>
                {
                    failures.push(format!(
                        "{}: message should name the file: {msg}",
                        case.name
                    ));
                }
                None => {}
            }
            for word in case.says {
                if !msg.contains(word) {
                    failures.push(format!(
                        "{}: message should contain {word:?}: {msg}",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn skip_mode_counts_instead_of_failing() -> Result<(), DataError> {
    // Five bad rows of different kinds among good ones: each is counted once, by reason, with
    // the first line where it happened; the good rows load.
    let input =
        b"y,score,w\n1,0.5,1\n0,n/a,1\n1,1.5,1\n0,0.2\n1,0.3,1\n,0.4,1\n0,0.1,1\n1,0.2,-1\n";
    let spec = DataSpec {
        on_invalid: Some(OnInvalid::Skip),
        max_rejected: Some(1.0),
        weight: Some("w".into()),
        ..label_score("y", "score")
    };
    let t = load(input, &spec)?;
    let s = t.summary();
    assert_eq!((s.rows_read, s.rows_used, s.rows_rejected), (8, 3, 5));
    let got: Vec<(String, Option<String>, u64, u64)> = s
        .rejected
        .iter()
        .map(|r| (r.reason.clone(), r.column.clone(), r.rows, r.first_line))
        .collect();
    let col = |c: &str| Some(c.to_string());
    assert_eq!(
        got,
        vec![
            ("missing_value".into(), col("y"), 1, 7),
            ("not_a_number".into(), col("score"), 1, 3),
            ("out_of_range".into(), col("score"), 1, 4),
            ("out_of_range".into(), col("w"), 1, 9),
            ("ragged_row".into(), None, 1, 5),
        ]
    );
    assert_eq!(t.score(), Some(&[0.5, 0.3, 0.1][..]));
    Ok(())
}

#[test]
fn skip_mode_with_nothing_usable_is_still_an_error() {
    let spec = DataSpec {
        on_invalid: Some(OnInvalid::Skip),
        max_rejected: Some(1.0),
        ..label_score("y", "score")
    };
    let e = load(b"y,score\n1,x\n0,2\n", &spec)
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("t.csv: no usable rows: 2 data rows read, none used (not_a_number in \"score\": 1 row (first at line 2); out_of_range in \"score\": 1 row (first at line 3))")
    );
}

#[test]
fn a_feature_read_as_numeric_that_turns_textual_says_how_to_fix_it() {
    // The first chunk (4 rows) decides that x is numeric; row 7 holds text.
    let input = b"y,score,x\n1,0.5,1\n0,0.5,2\n1,0.5,3\n0,0.5,4\n1,0.5,5\n0,0.5,six\n";
    let spec = DataSpec {
        features: Some(vec!["x".into()]),
        ..label_score("y", "score")
    };
    let options = ReadOptions {
        chunk_rows: 4,
        ..ReadOptions::default()
    };
    let e = load_with(input, &spec, &options)
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("t.csv:7:3: column \"x\": expected a number (the column was read as numeric from its first 4 rows), found \"six\"; to read it as categories, pass --categorical x")
    );
    let spec = DataSpec {
        categorical: Some(vec!["x".into()]),
        ..spec
    };
    let t = load_with(input, &spec, &options);
    assert_eq!(
        t.map(|t| t.column("x").map(|c| c.levels.len()))
            .ok()
            .flatten(),
        Some(6)
    );
}
