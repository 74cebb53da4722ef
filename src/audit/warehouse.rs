//! The audit's statistics computed by a PostgreSQL server ([`postgres_statistics`]): the
//! query of [`super::statistics_query`] runs on the server, only its aggregates come back, and
//! they are read as a statistics file would be (the same checks). The connection takes a
//! libpq-style URL or key=value string, completed as libpq does (a service file, the `PG*`
//! environment, `~/.pgpass`: see pgconf.rs); the password is never written anywhere: the statistics' `source` names the server, database,
//! user, table (or the query's SHA-256) and the time, not the password. TLS is rustls with the
//! system's root certificates and always verifies the server's certificate: `sslmode=disable`
//! connects without TLS, `prefer` (the default) uses TLS when the server offers it, `require`
//! refuses a server without it; unlike libpq, neither falls back to an unverified connection
//! when the certificate does not verify (a self-signed certificate fails).

use std::sync::Arc;

use super::sql::{statistics_query, Dialect, Source, SqlSpec};
use super::statsfile::Statistics;
use super::AuditError;

/// Where and how to connect. Its `Debug` shows no password.
#[derive(Clone, Default)]
pub struct PostgresParams {
    /// A `postgresql://` URL or a `key=value` connection string.
    pub url: String,
    /// The password, when given apart (from a file); `PGPASSWORD` is used when neither this
    /// nor the URL has one.
    pub password: Option<String>,
}

impl std::fmt::Debug for PostgresParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = match self.url.parse::<postgres::Config>() {
            Ok(c) => describe(&c),
            Err(_) => "(not a valid connection string)".to_string(),
        };
        f.debug_struct("PostgresParams")
            .field("url", &url)
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .finish()
    }
}

/// A connection problem or a server error, with the server's message and every cause;
/// never the password (neither the client's nor the server's messages hold it).
fn warehouse(what: &str, e: impl std::error::Error) -> AuditError {
    let mut text = format!("{what}: {e}");
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.ends_with(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    AuditError::Warehouse(text)
}

/// The statistics of `source` on the server `params` names (see the module docs).
pub fn postgres_statistics(
    params: &PostgresParams,
    source: &Source,
    spec: &SqlSpec,
) -> Result<Statistics, AuditError> {
    let mut config = super::pgconf::resolve(
        &params.url,
        params.password.as_deref(),
        &super::pgconf::ProcessEnv,
    )?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(30));
    }
    let server = describe(&config);
    let mut client = match config.get_ssl_mode() {
        postgres::config::SslMode::Disable => config.connect(postgres::NoTls),
        _ => config.connect(tls()?),
    }
    .map_err(|e| warehouse(&format!("cannot connect to {server}"), e))?;
    // The session's settings that change what the query means: backslashes in literals as
    // written, and doubles as text with every digit (a role may set other defaults).
    client
        .batch_execute("SET standard_conforming_strings = on; SET extra_float_digits = 1")
        .map_err(|e| warehouse(&format!("cannot set up the session on {server}"), e))?;
    // A table's exact-number columns are checked as numbers (no text round trip).
    let mut spec = spec.clone();
    if let Source::Table(parts) = source {
        let name = parts
            .iter()
            .map(|p| Dialect::Postgres.ident(p))
            .collect::<Vec<_>>()
            .join(".");
        let columns = client
            .query(
                "SELECT CAST(a.attname AS text), format_type(a.atttypid, a.atttypmod) \
                 FROM pg_attribute a WHERE a.attrelid = CAST(CAST($1 AS text) AS regclass) \
                 AND a.attnum > 0 AND NOT a.attisdropped",
                &[&name],
            )
            .map_err(|e| warehouse(&format!("cannot read the columns of {name} on {server}"), e))?;
        for row in &columns {
            let (column, kind): (String, String) = (
                row.try_get(0)
                    .map_err(|e| warehouse("unexpected column list", e))?,
                row.try_get(1)
                    .map_err(|e| warehouse("unexpected column list", e))?,
            );
            let exact = ["smallint", "integer", "bigint", "double precision"]
                .contains(&kind.as_str())
                || kind.starts_with("numeric");
            if exact {
                spec.numeric.push(column);
            }
        }
    }
    let query = statistics_query(Dialect::Postgres, source, &spec)?;
    let started = crate::time::format_timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    );
    let rows = client
        .query(query.as_str(), &[])
        .map_err(|e| warehouse(&format!("the statistics query failed on {server}"), e))?;
    // The aggregates as a statistics file, read with the file's checks.
    let mut csv = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut csv);
        let k = spec.protected.len();
        let mut header: Vec<String> = super::STATS_COLUMNS.iter().map(|s| s.to_string()).collect();
        header.extend((1..=k).map(|i| format!("g{i}")));
        w.write_record(&header)
            .map_err(|e| warehouse("cannot hold the result", e))?;
        for row in &rows {
            let text = |i: usize| -> Result<String, AuditError> {
                row.try_get::<_, Option<String>>(i)
                    .map(Option::unwrap_or_default)
                    .map_err(|e| warehouse("unexpected result", e))
            };
            let int = |i: usize| -> Result<String, AuditError> {
                row.try_get::<_, Option<i64>>(i)
                    .map(|v| v.map(|x| x.to_string()).unwrap_or_default())
                    .map_err(|e| warehouse("unexpected result", e))
            };
            let num = |i: usize| -> Result<String, AuditError> {
                row.try_get::<_, Option<f64>>(i)
                    .map(|v| v.map(|x| format!("{x}")).unwrap_or_default())
                    .map_err(|e| warehouse("unexpected result", e))
            };
            let mut fields = vec![
                text(0)?,
                text(1)?,
                text(2)?,
                int(3)?,
                num(4)?,
                num(5)?,
                int(6)?,
                num(7)?,
                int(8)?,
            ];
            for i in 0..k {
                fields.push(text(9 + i)?);
            }
            w.write_record(&fields)
                .map_err(|e| warehouse("cannot hold the result", e))?;
        }
        w.flush()
            .map_err(|e| warehouse("cannot hold the result", e))?;
    }
    let shown = match source {
        Source::Table(parts) => format!("{server} (table {})", parts.join(".")),
        Source::Query(q) => format!(
            "{server} (query sha256 {})",
            crate::text::sha256_hex(q.as_bytes())
        ),
    };
    let mut stats = Statistics::parse(&csv, &shown)?;
    // The hash of the statistics in key order: the server's row order varies between runs.
    let mut canonical = Vec::new();
    stats
        .write_csv(&mut canonical)
        .map_err(|e| warehouse("cannot hold the result", e))?;
    let made_by: Vec<String> = stats
        .sources
        .drain(..)
        .flat_map(|s| s.made_by)
        .chain([format!("run on {shown} at {started}")])
        .collect();
    stats.sources = vec![super::StatsInput {
        path: shown,
        sha256: crate::text::sha256_hex(&canonical),
        made_by,
    }];
    Ok(stats)
}

/// `postgresql://user@host:port/database`, from the configuration (no password).
fn describe(config: &postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgresql://{}@{host}:{port}/{}",
        config.get_user().unwrap_or(""),
        config
            .get_dbname()
            .or(config.get_user())
            .unwrap_or("postgres")
    )
}

/// TLS with rustls (ring) and the system's root certificates.
// ring's provider is deprecated in rustls 0.23.48 for lacking post-quantum key exchange, which
// needs aws-lc-rs and a CMake build; ring keeps the build to Rust and a C compiler (TLS 1.2
// and 1.3, X25519, the usual cipher suites).
#[allow(deprecated)]
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, AuditError> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(found.certs);
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| warehouse("TLS cannot be set up", e))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}
