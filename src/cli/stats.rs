//! `fairgate stats` (a data file's statistics) and `fairgate audit --from-stats`.

use std::path::PathBuf;

use anyhow::Context;
use fairgate::audit::{AuditParams, AuditReport, Statistics};
use fairgate::params::Checked;

use super::args::{DialectArg, SqlArgs, StatsArgs};
use super::{data_spec, write_output, ExitStatus};

/// Writes the statistics of the data file the flags describe.
pub fn write(a: &StatsArgs) -> anyhow::Result<ExitStatus> {
    let spec = data_spec(&a.data)?;
    let path = spec
        .path
        .clone()
        .context("no input file: pass --data FILE or set path in the [data] table of --config")?;
    let stats = fairgate::audit::statistics_file(&path, &spec, a.max_groups)?;
    write_output(a.out.as_deref(), |w| Ok(stats.write_csv(w)?))?;
    Ok(ExitStatus::Ok)
}

/// The audit of statistics files, added together in the order given.
pub fn audit(files: &[PathBuf], params: &Checked<AuditParams>) -> anyhow::Result<AuditReport> {
    let mut all: Option<Statistics> = None;
    for f in files {
        let s = Statistics::read_csv(f)?;
        match &mut all {
            None => all = Some(s),
            Some(a) => a
                .merge(s)
                .with_context(|| format!("{}: other columns than the first file", f.display()))?,
        }
    }
    let stats = all.context("--from-stats needs at least one file")?;
    Ok(fairgate::audit::audit_statistics(&stats, params)?)
}

/// Prints the statistics query the flags describe.
pub fn sql(a: &SqlArgs) -> anyhow::Result<ExitStatus> {
    use fairgate::audit::{Dialect, Source, SqlSpec};
    let spec = data_spec(&a.data)?;
    let dialect = match a.dialect {
        DialectArg::Postgres => Dialect::Postgres,
        DialectArg::Duckdb => Dialect::DuckDb,
        DialectArg::Spark => Dialect::Spark,
        DialectArg::Bigquery => Dialect::BigQuery,
        DialectArg::Snowflake => Dialect::Snowflake,
    };
    let source = match (&a.table, &a.query) {
        (Some(t), _) => Source::Table(t.split('.').map(str::to_string).collect()),
        (None, Some(q)) => Source::Query(q.clone()),
        (None, None) => anyhow::bail!("fairgate sql needs --table NAME or --query SQL"),
    };
    let sql_spec = SqlSpec {
        label: spec
            .label
            .clone()
            .context("fairgate sql needs --label COLUMN")?,
        positive: spec.positive.clone(),
        score: spec.score.clone(),
        prediction: spec.prediction.clone(),
        protected: spec.protected.clone().unwrap_or_default(),
        weight: spec.weight.clone(),
        na: spec.na.clone(),
    };
    let query = fairgate::audit::statistics_query(dialect, &source, &sql_spec)?;
    write_output(a.out.as_deref(), |w| Ok(w.write_all(query.as_bytes())?))?;
    Ok(ExitStatus::Ok)
}
