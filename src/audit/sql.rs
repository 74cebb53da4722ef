//! The query that computes an audit's statistics where the data lives ([`statistics_query`]):
//! run by PostgreSQL, DuckDB, Spark SQL, BigQuery or Snowflake, its result is a statistics
//! file (docs/statistics.md) that `fairgate audit --from-stats` audits. It applies the
//! reading rules of a data file: values trimmed of ASCII whitespace; SQL NULL and the
//! missing-value spellings (`--na`, by default the empty value) are missing; labels are the
//! boolean words (or `--positive VALUE` and one other value), scores numbers in [0, 1],
//! decisions boolean words, weights non-negative finite numbers. A row that fails is counted
//! under the first failing column's reason (label, score, prediction, weight, in that order),
//! never dropped. Column and table names are quoted as identifiers of the dialect; values the
//! user gave (the positive label, the missing-value spellings, names written into the result)
//! are written as string literals of the dialect, escaped; only `--query` is SQL the user
//! meant as SQL.

use super::AuditError;
use crate::params::InvalidParam;

/// An SQL dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL (12 or later).
    Postgres,
    /// DuckDB.
    DuckDb,
    /// Apache Spark SQL (3.x and 4.x; ANSI mode on or off).
    Spark,
    /// Google BigQuery (GoogleSQL).
    BigQuery,
    /// Snowflake.
    Snowflake,
}

impl Dialect {
    /// The dialect of a name: `postgres`, `duckdb`, `spark`, `bigquery`, `snowflake`.
    pub fn parse(name: &str) -> Option<Dialect> {
        Some(match name {
            "postgres" | "postgresql" => Dialect::Postgres,
            "duckdb" => Dialect::DuckDb,
            "spark" => Dialect::Spark,
            "bigquery" => Dialect::BigQuery,
            "snowflake" => Dialect::Snowflake,
            _ => return None,
        })
    }

    /// The dialect's name.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::DuckDb => "duckdb",
            Dialect::Spark => "spark",
            Dialect::BigQuery => "bigquery",
            Dialect::Snowflake => "snowflake",
        }
    }

    /// An identifier, quoted: `"a""b"` (PostgreSQL, DuckDB, Snowflake) or `` `a``b` `` (Spark),
    /// `` `a\`b` `` (BigQuery).
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::DuckDb | Dialect::Snowflake => {
                format!("\"{}\"", name.replace('"', "\"\""))
            }
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::BigQuery => format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`")),
        }
    }

    /// A string literal: quotes doubled (DuckDB, whose strings take backslashes as they are;
    /// PostgreSQL too, but a value with a backslash becomes an escape string `E'...'` with the
    /// backslash doubled, whatever the server's `standard_conforming_strings`), or quotes and
    /// backslashes escaped with a backslash (Spark, BigQuery, Snowflake). Control characters
    /// are escaped where the dialect has escapes.
    pub fn literal(self, value: &str) -> String {
        match self {
            // A backslash means the same whatever `standard_conforming_strings` says only in
            // an escape string (E'...'), where it is doubled.
            Dialect::Postgres if value.contains('\\') => {
                format!("E'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
            }
            Dialect::Postgres | Dialect::DuckDb => format!("'{}'", value.replace('\'', "''")),
            Dialect::Spark | Dialect::BigQuery | Dialect::Snowflake => {
                let mut out = String::from("'");
                for c in value.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\'"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
        }
    }

    /// The text type.
    fn text(self) -> &'static str {
        match self {
            Dialect::Postgres => "TEXT",
            Dialect::DuckDb | Dialect::Snowflake => "VARCHAR",
            Dialect::Spark | Dialect::BigQuery => "STRING",
        }
    }

    /// The double type.
    fn double(self) -> &'static str {
        match self {
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::BigQuery => "FLOAT64",
            _ => "DOUBLE",
        }
    }

    /// The 64-bit integer type.
    fn int(self) -> &'static str {
        match self {
            Dialect::BigQuery => "INT64",
            _ => "BIGINT",
        }
    }

    /// `expr` as text with leading and trailing ASCII whitespace removed.
    fn trimmed(self, expr: &str) -> String {
        let text = format!("CAST({expr} AS {})", self.text());
        match self {
            Dialect::Postgres => {
                format!("BTRIM({text}, ' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13))")
            }
            Dialect::DuckDb => format!(
                "TRIM({text}, ' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13))"
            ),
            Dialect::Spark => format!(
                "TRIM(BOTH ' ' || CHAR(9) || CHAR(10) || CHAR(11) || CHAR(12) || CHAR(13) FROM {text})"
            ),
            Dialect::BigQuery => format!(
                "TRIM({text}, ' ' || CODE_POINTS_TO_STRING([9, 10, 11, 12, 13]))"
            ),
            Dialect::Snowflake => format!(
                "TRIM({text}, ' ' || CHR(9) || CHR(10) || CHR(11) || CHR(12) || CHR(13))"
            ),
        }
    }

    /// Whether the text `expr` matches the whole of `pattern` (a regular expression without
    /// backslashes, the same in every dialect's engine).
    fn matches(self, expr: &str, pattern: &str) -> String {
        let anchored = self.literal(&format!("^({pattern})$"));
        match self {
            Dialect::Postgres => format!("({expr} ~ {anchored})"),
            Dialect::DuckDb => format!("REGEXP_MATCHES({expr}, {anchored})"),
            Dialect::Spark => format!("({expr} RLIKE {anchored})"),
            Dialect::BigQuery => format!("REGEXP_CONTAINS({expr}, {anchored})"),
            Dialect::Snowflake => format!("REGEXP_LIKE({expr}, {anchored})"),
        }
    }

    /// `expr` (text known to be a finite decimal number) as a double.
    fn to_double(self, expr: &str) -> String {
        format!("CAST({expr} AS {})", self.double())
    }
}

/// A finite decimal number, as Rust and the CSV reader accept it.
const NUMBER: &str = "[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?";

/// Not-a-number and the infinities, in any case.
const NOT_FINITE: &str = "[+-]?([nN][aA][nN]|[iI][nN][fF]([iI][nN][iI][tT][yY])?)";

/// The boolean words for true, in any case.
const TRUE_WORDS: &str = "1|[tT][rR][uU][eE]|[yY][eE][sS]|[tT]|[yY]";

/// The boolean words for false, in any case.
const FALSE_WORDS: &str = "0|[fF][aA][lL][sS][eE]|[nN][oO]|[fF]|[nN]";

/// Whether the text in `var` is none of the boolean words.
fn not_boolean(d: Dialect, var: &str) -> String {
    format!(
        "NOT {} AND NOT {}",
        d.matches(var, TRUE_WORDS),
        d.matches(var, FALSE_WORDS)
    )
}

/// The boolean word in `var` as 1 (a true word) or 0.
fn as_bit(d: Dialect, var: &str) -> String {
    format!("CASE WHEN {} THEN 1 ELSE 0 END", d.matches(var, TRUE_WORDS))
}

/// Adds the checks of a number held as text in `var` (column `col`): missing, not finite,
/// not a number, out of `range` (a condition on the number).
fn number_checks<'c>(
    checks: &mut Vec<(String, &'static str, &'c str)>,
    d: Dialect,
    var: &str,
    col: &'c str,
    range: String,
) {
    checks.push((format!("{var} IS NULL"), "missing_value", col));
    checks.push((d.matches(var, NOT_FINITE), "not_finite", col));
    checks.push((
        format!("NOT {}", d.matches(var, NUMBER)),
        "not_a_number",
        col,
    ));
    checks.push((format!("NOT ({range})"), "out_of_range", col));
}

/// The checks of a number the engine holds natively as a double (PostgreSQL) in `var`:
/// missing, not finite (NaN and the infinities, which PostgreSQL compares as values), out of
/// `range`; it cannot fail to be a number.
fn native_checks<'c>(
    checks: &mut Vec<(String, &'static str, &'c str)>,
    var: &str,
    col: &'c str,
    range: String,
) {
    checks.push((format!("{var} IS NULL"), "missing_value", col));
    checks.push((
        format!(
            "{var} IN (CAST('NaN' AS DOUBLE PRECISION), CAST('Infinity' AS DOUBLE PRECISION), CAST('-Infinity' AS DOUBLE PRECISION))"
        ),
        "not_finite",
        col,
    ));
    checks.push((format!("NOT ({range})"), "out_of_range", col));
}

/// Where the rows are: a table (its name's parts, e.g. schema and table) or a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A table, by the parts of its qualified name (each quoted as an identifier).
    Table(Vec<String>),
    /// A query, written as given (SQL the user meant as SQL).
    Query(String),
}

/// What the query reads: the columns by role, the missing-value spellings and the positive
/// label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SqlSpec {
    /// The label column.
    pub label: String,
    /// The positive label's value (`None`: the boolean words).
    pub positive: Option<String>,
    /// The score column.
    pub score: Option<String>,
    /// The decision column.
    pub prediction: Option<String>,
    /// The protected columns.
    pub protected: Vec<String>,
    /// The weight column.
    pub weight: Option<String>,
    /// Values that mean missing, trimmed (`None`: only the empty value).
    pub na: Option<Vec<String>>,
    /// Only the rows whose column (trimmed) is exactly this value (`--filter COLUMN=VALUE`);
    /// the others are left out, not rejected.
    pub filter: Option<(String, String)>,
    /// Columns the engine holds as exact numbers (PostgreSQL's `smallint`, `integer`, `bigint`,
    /// `numeric`, `double precision`): a score or weight among them is checked as a number,
    /// without the text round trip (the same result, as the text of such a number reads back
    /// to the same double). Only used for PostgreSQL.
    pub numeric: Vec<String>,
}

/// The query computing the statistics of `source` in `dialect` (see the module docs). Its
/// result has the columns of a statistics file, in the order fairgate writes them.
pub fn statistics_query(
    dialect: Dialect,
    source: &Source,
    spec: &SqlSpec,
) -> Result<String, AuditError> {
    let d = dialect;
    if spec.protected.is_empty() {
        return Err(AuditError::MissingRole(crate::data::Role::Protected));
    }
    if spec.score.is_none() && spec.prediction.is_none() {
        return Err(AuditError::NoDecisions);
    }
    let from = match source {
        Source::Table(parts) if !parts.is_empty() && parts.iter().all(|p| !p.is_empty()) => parts
            .iter()
            .map(|p| d.ident(p))
            .collect::<Vec<_>>()
            .join("."),
        Source::Table(parts) => {
            return Err(InvalidParam::new(
                "table",
                "a table name (parts separated by dots, none empty)",
                format!("\"{}\"", parts.join(".")),
            )
            .into())
        }
        Source::Query(q) => format!(
            "(\n{}\n) AS fairgate_query",
            q.trim_end_matches(|c: char| c == ';' || c.is_whitespace())
        ),
    };
    let na: Vec<String> = spec
        .na
        .clone()
        .unwrap_or_else(|| vec![String::new()])
        .iter()
        .map(|v| d.literal(v.trim_matches(|c: char| c.is_ascii_whitespace())))
        .collect();
    // A column's value: trimmed text, NULL when missing.
    let cleaned = |col: &str| {
        let t = d.trimmed(&d.ident(col));
        format!(
            "CASE WHEN {t} IN ({}) THEN NULL ELSE {t} END",
            // No spelling at all: an impossible value (`IN ()` is not SQL).
            if na.is_empty() {
                "NULL".to_string()
            } else {
                na.join(", ")
            }
        )
    };
    let k = spec.protected.len();
    let mut select = vec![format!("{} AS l_t", cleaned(&spec.label))];
    // Numbers held natively (PostgreSQL): no missing-value spelling may be a number.
    let native = |col: &str| {
        d == Dialect::Postgres
            && spec.numeric.iter().any(|c| c == col)
            && spec
                .na
                .iter()
                .flatten()
                .all(|v| v.trim().parse::<f64>().is_err())
    };
    for (name, col) in [
        ("s_t", &spec.score),
        ("p_t", &spec.prediction),
        ("w_t", &spec.weight),
    ] {
        if let Some(c) = col {
            if name != "p_t" && native(c) {
                select.push(format!("{} AS {name}", d.to_double(&d.ident(c))));
            } else {
                select.push(format!("{} AS {name}", cleaned(c)));
            }
        }
    }
    for (i, c) in spec.protected.iter().enumerate() {
        select.push(format!("{} AS g{}", cleaned(c), i + 1));
    }
    // The checks, in order: (condition, reason, column).
    let mut checks: Vec<(String, &'static str, &str)> =
        vec![("l_t IS NULL".into(), "missing_value", &spec.label)];
    let label_value = match &spec.positive {
        None => {
            checks.push((not_boolean(d, "l_t"), "bad_label", &spec.label));
            as_bit(d, "l_t")
        }
        Some(p) => {
            let p = d.literal(p.trim_matches(|c: char| c.is_ascii_whitespace()));
            // The negative value: the one other value (the smallest, when there are more;
            // the rows of the others are rejected).
            checks.push((
                format!(
                    "l_t <> {p} AND l_t <> (SELECT MIN(l_t) FROM fairgate_src WHERE l_t <> {p})"
                ),
                "too_many_label_values",
                &spec.label,
            ));
            format!("CASE WHEN l_t = {p} THEN 1 ELSE 0 END")
        }
    };
    if let Some(s) = &spec.score {
        let v = d.to_double("s_t");
        let range = format!("{v} >= 0 AND {v} <= 1");
        if native(s) {
            native_checks(&mut checks, "s_t", s, range);
        } else {
            number_checks(&mut checks, d, "s_t", s, range);
        }
    }
    if let Some(p) = &spec.prediction {
        checks.push(("p_t IS NULL".into(), "missing_value", p));
        checks.push((not_boolean(d, "p_t"), "not_a_boolean", p));
    }
    if let Some(w) = &spec.weight {
        let v = d.to_double("w_t");
        if native(w) {
            native_checks(&mut checks, "w_t", w, format!("{v} >= 0"));
        } else {
            number_checks(&mut checks, d, "w_t", w, format!("{v} >= 0"));
        }
    }
    let bad = {
        let mut s = String::from("CASE");
        for (i, (cond, _, _)) in checks.iter().enumerate() {
            s.push_str(&format!("\n      WHEN {cond} THEN {}", i + 1));
        }
        s.push_str("\n      ELSE 0 END");
        s
    };
    let int = d.int();
    let dbl = d.double();
    let txt = d.text();
    let q = |name: &str| d.ident(name);
    let gs: Vec<String> = (1..=k).map(|i| format!("g{i}")).collect();
    let typed_label = format!("CASE WHEN bad = 0 THEN {label_value} END AS l");
    let typed_score = match &spec.score {
        Some(_) => format!("CASE WHEN bad = 0 THEN {} END AS s", d.to_double("s_t")),
        None => format!("CAST(NULL AS {dbl}) AS s"),
    };
    let typed_pred = match &spec.prediction {
        Some(_) => format!("CASE WHEN bad = 0 THEN {} END AS p", as_bit(d, "p_t")),
        None => format!("CAST(NULL AS {int}) AS p"),
    };
    let typed_weight = match &spec.weight {
        Some(_) => format!("CASE WHEN bad = 0 THEN {} END AS w", d.to_double("w_t")),
        None => format!("CAST(NULL AS {dbl}) AS w"),
    };
    // One line of the result: kind, name, column, rows, weight, weight2, label, score,
    // prediction, g1..gK, each cast to the file's types.
    let line = |kind: &str, name: &str, column: &str, rows: &str, rest: [&str; 5], g: &[String]| {
        let mut v = vec![
            format!("{kind} AS {}", q("kind")),
            format!("CAST({name} AS {txt}) AS {}", q("name")),
            format!("CAST({column} AS {txt}) AS {}", q("column")),
            format!("CAST({rows} AS {int}) AS {}", q("rows")),
            format!("CAST({} AS {dbl}) AS {}", rest[0], q("weight")),
            format!("CAST({} AS {dbl}) AS {}", rest[1], q("weight2")),
            format!("CAST({} AS {int}) AS {}", rest[2], q("label")),
            format!("CAST({} AS {dbl}) AS {}", rest[3], q("score")),
            format!("CAST({} AS {int}) AS {}", rest[4], q("prediction")),
        ];
        v.extend(
            g.iter()
                .enumerate()
                .map(|(i, x)| format!("CAST({x} AS {txt}) AS {}", q(&format!("g{}", i + 1)))),
        );
        format!("SELECT {}", v.join(", "))
    };
    let nulls: Vec<String> = vec!["NULL".to_string(); k];
    let weighted = spec.weight.is_some();
    let mut parts = Vec::new();
    parts.push(format!(
        "{}\nFROM fairgate_typed WHERE bad = 0\nGROUP BY l, s, p, {}",
        line(
            &d.literal("cell"),
            "NULL",
            "NULL",
            "COUNT(*)",
            [
                if weighted { "SUM(w)" } else { "NULL" },
                if weighted { "SUM(w * w)" } else { "NULL" },
                "l",
                "s",
                "p"
            ],
            &gs
        ),
        gs.join(", ")
    ));
    let reason = {
        let mut s = String::from("CASE bad");
        for (i, (_, r, _)) in checks.iter().enumerate() {
            s.push_str(&format!(" WHEN {} THEN {}", i + 1, d.literal(r)));
        }
        s.push_str(" END");
        s
    };
    let column = {
        let mut s = String::from("CASE bad");
        for (i, (_, _, c)) in checks.iter().enumerate() {
            s.push_str(&format!(" WHEN {} THEN {}", i + 1, d.literal(c)));
        }
        s.push_str(" END");
        s
    };
    parts.push(format!(
        "{}\nFROM fairgate_typed WHERE bad > 0\nGROUP BY bad",
        line(
            &d.literal("rejected"),
            &reason,
            &column,
            "COUNT(*)",
            ["NULL"; 5],
            &nulls
        )
    ));
    let meta = |kind: &str, name: &str, column: &str, rows: &str| {
        line(
            &d.literal(kind),
            &d.literal(name),
            &if column.is_empty() {
                "NULL".to_string()
            } else {
                d.literal(column)
            },
            rows,
            ["NULL"; 5],
            &nulls,
        )
    };
    parts.push(meta(
        "version",
        &super::STATS_VERSION.to_string(),
        "",
        "NULL",
    ));
    parts.push(meta("role", "label", &spec.label, "NULL"));
    for (role, col) in [
        ("score", &spec.score),
        ("prediction", &spec.prediction),
        ("weight", &spec.weight),
    ] {
        if let Some(c) = col {
            parts.push(meta("role", role, c, "NULL"));
        }
    }
    for (i, c) in spec.protected.iter().enumerate() {
        parts.push(meta("role", "protected", c, &(i + 1).to_string()));
    }
    let mut described = match source {
        Source::Table(p) => format!("table {}", p.join(".")),
        Source::Query(_) => "a query".to_string(),
    };
    if let Some((col, value)) = &spec.filter {
        described.push_str(&format!(", only the rows with {col}={value}"));
    }
    parts.push(meta(
        "source",
        &format!(
            "fairgate {} sql --dialect {} of {described}",
            crate::version::VERSION,
            d.name()
        ),
        "",
        "NULL",
    ));
    let checked = format!("*, {bad} AS bad");
    Ok(format!(
        "-- fairgate {} statistics query ({}): the result is a statistics file (docs/statistics.md)\n\
         WITH fairgate_src AS (\n  SELECT {}\n  FROM {from}{}\n),\n\
         fairgate_typed AS (\n  SELECT {}, {typed_label}, {typed_score}, {typed_pred}, {typed_weight}\n  FROM (SELECT {} FROM fairgate_src) AS fairgate_checked\n)\n\
         {}\n",
        crate::version::VERSION,
        d.name(),
        select.join(",\n    "),
        match &spec.filter {
            None => String::new(),
            Some((col, value)) => format!(
                "\n  WHERE {} = {}",
                d.trimmed(&d.ident(col)),
                d.literal(value.trim_matches(|c: char| c.is_ascii_whitespace()))
            ),
        },
        ["bad".to_string()]
            .into_iter()
            .chain(gs.iter().cloned())
            .collect::<Vec<_>>()
            .join(", "),
        checked,
        parts.join("\nUNION ALL\n"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIALECTS: [Dialect; 5] = [
        Dialect::Postgres,
        Dialect::DuckDb,
        Dialect::Spark,
        Dialect::BigQuery,
        Dialect::Snowflake,
    ];

    #[test]
    fn identifiers_and_literals_are_quoted_per_dialect() {
        let name = "x\"; DROP TABLE t; -- `a` 'b' \\";
        assert_eq!(
            Dialect::Postgres.ident(name),
            "\"x\"\"; DROP TABLE t; -- `a` 'b' \\\""
        );
        assert_eq!(
            Dialect::Spark.ident(name),
            "`x\"; DROP TABLE t; -- ``a`` 'b' \\`"
        );
        assert_eq!(
            Dialect::BigQuery.ident(name),
            "`x\"; DROP TABLE t; -- \\`a\\` 'b' \\\\`"
        );
        assert_eq!(Dialect::Postgres.literal("it's"), "'it''s'");
        assert_eq!(Dialect::Postgres.literal("it's \\"), "E'it''s \\\\'");
        assert_eq!(Dialect::Spark.literal("it's \\"), "'it\\'s \\\\'");
        assert_eq!(Dialect::Snowflake.literal("a\nb"), "'a\\nb'");
    }

    /// Every column name reaches the query only quoted: with each dialect's quoted forms of
    /// the hostile names taken out, no trace of them is left.
    #[test]
    fn hostile_names_appear_only_quoted() -> Result<(), AuditError> {
        let hostile = [
            "x\"; DROP TABLE t; --",
            "y`; DROP TABLE t; --",
            "z'; DROP TABLE t; --",
        ];
        for d in DIALECTS {
            let spec = SqlSpec {
                label: hostile[0].into(),
                positive: Some("w'on".into()),
                score: Some(hostile[1].into()),
                prediction: None,
                protected: vec![hostile[2].into()],
                weight: None,
                na: Some(vec!["NA".into(), "".into()]),
                filter: Some((hostile[2].into(), "x'y".into())),
                numeric: vec![hostile[1].into()],
            };
            let q = statistics_query(
                d,
                &Source::Table(vec!["s".into(), hostile[0].into()]),
                &spec,
            )?;
            let mut rest = q.clone();
            for h in hostile {
                rest = rest.replace(&d.ident(h), "I").replace(&d.literal(h), "L");
            }
            let described = format!(
                "fairgate {} sql --dialect {} of table s.{}, only the rows with {}=x'y",
                crate::version::VERSION,
                d.name(),
                hostile[0],
                hostile[2]
            );
            rest = rest.replace(&d.literal(&described), "L");
            assert!(!rest.contains("DROP"), "{}: {rest}", d.name());
            assert!(q.contains(&d.literal("w'on")), "{}", d.name());
        }
        Ok(())
    }

    #[test]
    fn the_query_needs_roles_and_a_table_name() {
        let spec = SqlSpec {
            label: "y".into(),
            score: Some("s".into()),
            protected: vec!["g".into()],
            ..SqlSpec::default()
        };
        let empty = statistics_query(
            Dialect::Postgres,
            &Source::Table(vec![String::new()]),
            &spec,
        );
        assert!(matches!(empty, Err(AuditError::Param(_))));
        let no_groups = SqlSpec {
            protected: vec![],
            ..spec.clone()
        };
        assert!(statistics_query(
            Dialect::Spark,
            &Source::Query("select 1".into()),
            &no_groups
        )
        .is_err());
        let no_decisions = SqlSpec {
            score: None,
            ..spec
        };
        assert!(matches!(
            statistics_query(
                Dialect::Spark,
                &Source::Query("select 1".into()),
                &no_decisions
            ),
            Err(AuditError::NoDecisions)
        ));
    }
}
