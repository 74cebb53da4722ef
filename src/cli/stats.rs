//! `fairgate stats` (a data file's statistics) and `fairgate audit --from-stats`.

use std::path::PathBuf;

use anyhow::Context;
use fairgate::audit::{AuditParams, AuditReport, Statistics};
use fairgate::params::Checked;

use super::args::{DialectArg, SqlArgs, StatsArgs};
use super::{data_spec_for, write_output, ExitStatus};

/// Writes the statistics of the data file the flags describe.
pub fn write(a: &StatsArgs) -> anyhow::Result<ExitStatus> {
    let spec = data_spec_for(&a.data, super::args::SCORED_UNUSED)?;
    let stats = match &spec.postgres {
        Some(_) => postgres_statistics(&spec)?,
        None => fairgate::audit::statistics_file(spec.input_file()?, &spec, a.max_groups)?,
    };
    write_output(a.out.as_deref(), |w| Ok(stats.write_csv(w)?))?;
    Ok(ExitStatus::Ok)
}

/// The audit of statistics files, added together in the order given, with the data file's
/// rules on invalid rows (`--on-invalid`, `--max-rejected`).
pub fn audit(
    files: &[PathBuf],
    spec: &fairgate::data::DataSpec,
    params: &Checked<AuditParams>,
) -> anyhow::Result<AuditReport> {
    let mut all: Option<Statistics> = None;
    for f in files {
        let s = Statistics::read(f)?;
        match &mut all {
            None => all = Some(s),
            Some(a) => a
                .merge(s)
                .with_context(|| format!("{}: other columns than the first file", f.display()))?,
        }
    }
    let stats = all.context("--from-stats needs at least one file")?;
    let origin = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    check_rejections(&stats, &origin, spec)?;
    Ok(fairgate::audit::audit_statistics(&stats, params)?)
}

/// The data spec's roles as the statistics query takes them.
fn sql_spec(spec: &fairgate::data::DataSpec) -> anyhow::Result<fairgate::audit::SqlSpec> {
    Ok(fairgate::audit::SqlSpec {
        label: spec.label.clone().context("needs --label COLUMN")?,
        positive: spec.positive.clone(),
        score: spec.score.clone(),
        prediction: spec.prediction.clone(),
        protected: spec.protected.clone().unwrap_or_default(),
        weight: spec.weight.clone(),
        na: spec.na.clone(),
        numeric: Vec::new(),
        filter: match &spec.filter {
            None => None,
            Some(f) => {
                let (c, v) = f
                    .split_once('=')
                    .with_context(|| format!("--filter: expected COLUMN=VALUE, found \"{f}\""))?;
                Some((c.trim().to_string(), v.to_string()))
            }
        },
    })
}

/// The rows' source: the table or query of the flags or the [data] table.
fn source_of(spec: &fairgate::data::DataSpec) -> anyhow::Result<fairgate::audit::Source> {
    use fairgate::audit::Source;
    Ok(match (&spec.table, &spec.query) {
        (Some(t), _) => Source::Table(t.split('.').map(str::to_string).collect()),
        (None, Some(q)) => Source::Query(q.clone()),
        (None, None) => anyhow::bail!(
            "needs --table NAME or --query SQL (or table or query in the [data] table of --config)"
        ),
    })
}

/// The statistics of the rows on the PostgreSQL server the spec names.
fn postgres_statistics(spec: &fairgate::data::DataSpec) -> anyhow::Result<Statistics> {
    let password = match &spec.password_file {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("{}: cannot read the password file", p.display()))?
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
        ),
        None => None,
    };
    let pg = fairgate::audit::PostgresParams {
        url: spec
            .postgres
            .as_ref()
            .map(|c| c.0.clone())
            .unwrap_or_default(),
        password,
    };
    Ok(fairgate::audit::postgres_statistics(
        &pg,
        &source_of(spec)?,
        &sql_spec(spec)?,
    )?)
}

/// The audit of a table on a PostgreSQL server.
pub fn audit_postgres(
    spec: &fairgate::data::DataSpec,
    params: &Checked<AuditParams>,
) -> anyhow::Result<AuditReport> {
    let stats = postgres_statistics(spec)?;
    let origin = stats
        .sources
        .first()
        .map(|s| s.path.clone())
        .unwrap_or_default();
    check_rejections(&stats, &origin, spec)?;
    Ok(fairgate::audit::audit_statistics(&stats, params)?)
}

/// Prints the statistics query the flags describe.
pub fn sql(a: &SqlArgs) -> anyhow::Result<ExitStatus> {
    use fairgate::audit::Dialect;
    let spec = data_spec_for(&a.data, super::args::SQL_UNUSED)?;
    let dialect = match a.dialect {
        DialectArg::Postgres => Dialect::Postgres,
        DialectArg::Duckdb => Dialect::DuckDb,
        DialectArg::Spark => Dialect::Spark,
        DialectArg::Bigquery => Dialect::BigQuery,
        DialectArg::Snowflake => Dialect::Snowflake,
    };
    let spec = spec.overridden_by(fairgate::data::DataSpec {
        table: a.table.clone(),
        query: a.query.clone(),
        ..Default::default()
    });
    let source = source_of(&spec)?;
    let sql_spec = sql_spec(&spec)?;
    let query = fairgate::audit::statistics_query(dialect, &source, &sql_spec)?;
    write_output(a.out.as_deref(), |w| Ok(w.write_all(query.as_bytes())?))?;
    Ok(ExitStatus::Ok)
}

/// The data file's rules on invalid rows, applied to statistics.
fn check_rejections(
    stats: &Statistics,
    origin: &str,
    spec: &fairgate::data::DataSpec,
) -> anyhow::Result<()> {
    Ok(stats.check_rejections(
        origin,
        spec.on_invalid == Some(fairgate::data::OnInvalid::Skip),
        spec.max_rejected.unwrap_or(0.01),
    )?)
}
