//! A PostgreSQL connection's settings found as libpq finds them ([`resolve`]), so that a
//! connection string that works with `psql` works with fairgate:
//!
//! 1. the connection string itself (a `postgresql://` URL or `key=value` pairs);
//! 2. its service, `service=NAME` (or `PGSERVICE`): the `[NAME]` section of the user's
//!    service file (`PGSERVICEFILE`, else `~/.pg_service.conf`), else of the system's
//!    (`PGSYSCONFDIR/pg_service.conf`, else `/etc/postgresql-common/pg_service.conf`);
//! 3. the environment: `PGHOST`, `PGHOSTADDR`, `PGPORT`, `PGDATABASE`, `PGUSER`,
//!    `PGSSLMODE`, `PGCONNECT_TIMEOUT`, `PGAPPNAME`, `PGOPTIONS`;
//! 4. defaults: the user is `USER`, the host the Unix socket folder `/var/run/postgresql`
//!    when it exists, then `localhost`.
//!
//! Each setting comes from the first of these that has it. The password: the connection
//! string's, then the one given apart (`--password-file`), the service's, `PGPASSWORD`, and
//! the first matching line of the password file (`PGPASSFILE`, else `~/.pgpass`; as libpq,
//! ignored when others than its owner may read it).

use std::path::{Path, PathBuf};

use postgres::config::{Host, SslMode};
use postgres::Config;

use super::AuditError;

/// Where to look for files and settings: the process's environment, or a test's.
pub(super) trait Env {
    /// The variable `name`, when set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process's environment.
pub(super) struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// The settings of `conninfo` (see the module docs); `password` is one given apart.
pub(super) fn resolve(
    conninfo: &str,
    password: Option<&str>,
    env: &dyn Env,
) -> Result<Config, AuditError> {
    let (rest, service) = take_service(conninfo)?;
    let mut config: Config = rest.parse().map_err(|e| {
        AuditError::Warehouse(format!(
            "the PostgreSQL connection string is not valid: {e}"
        ))
    })?;
    if config.get_password().is_none() {
        if let Some(p) = password {
            config.password(p);
        }
    }
    if let Some(name) = service.or_else(|| env.var("PGSERVICE")) {
        let pairs = service_pairs(&name, env)?;
        fill(
            &mut config,
            &from_pairs(&pairs, &format!("service \"{name}\""))?,
        );
    }
    let from_env: Vec<(String, String)> = [
        ("PGHOST", "host"),
        ("PGHOSTADDR", "hostaddr"),
        ("PGPORT", "port"),
        ("PGDATABASE", "dbname"),
        ("PGUSER", "user"),
        ("PGSSLMODE", "sslmode"),
        ("PGCONNECT_TIMEOUT", "connect_timeout"),
        ("PGAPPNAME", "application_name"),
        ("PGOPTIONS", "options"),
        ("PGPASSWORD", "password"),
    ]
    .into_iter()
    .filter_map(|(var, key)| env.var(var).map(|v| (key.to_string(), v)))
    .collect();
    fill(&mut config, &from_pairs(&from_env, "the PG* environment")?);
    if config.get_user().is_none() {
        if let Some(u) = env.var("USER") {
            config.user(&u);
        }
    }
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        let socket = Path::new("/var/run/postgresql");
        if socket.is_dir() {
            config.host_path(socket);
        }
        config.host("localhost");
    }
    if config.get_password().is_none() {
        if let Some(p) = pgpass_password(&config, env) {
            config.password(p);
        }
    }
    Ok(config)
}

/// Settings `config` lacks, taken from `from`.
fn fill(config: &mut Config, from: &Config) {
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        for h in from.get_hosts() {
            match h {
                Host::Tcp(name) => config.host(name),
                Host::Unix(path) => config.host_path(path),
            };
        }
        for a in from.get_hostaddrs() {
            config.hostaddr(*a);
        }
    }
    if config.get_ports().is_empty() {
        for p in from.get_ports() {
            config.port(*p);
        }
    }
    let text = |get: fn(&Config) -> Option<&str>| get(from).map(str::to_string);
    if config.get_user().is_none() {
        if let Some(v) = text(Config::get_user) {
            config.user(&v);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(v) = text(Config::get_dbname) {
            config.dbname(&v);
        }
    }
    if config.get_options().is_none() {
        if let Some(v) = text(Config::get_options) {
            config.options(&v);
        }
    }
    if config.get_application_name().is_none() {
        if let Some(v) = text(Config::get_application_name) {
            config.application_name(&v);
        }
    }
    if config.get_password().is_none() {
        if let Some(p) = from.get_password() {
            config.password(p);
        }
    }
    // `prefer` is also the default: a setting found later may change it.
    if matches!(config.get_ssl_mode(), SslMode::Prefer) {
        config.ssl_mode(from.get_ssl_mode());
    }
    if config.get_connect_timeout().is_none() {
        if let Some(t) = from.get_connect_timeout() {
            config.connect_timeout(*t);
        }
    }
}

/// Settings from `key`, `value` pairs (`what` names them in errors).
fn from_pairs(pairs: &[(String, String)], what: &str) -> Result<Config, AuditError> {
    let text = pairs
        .iter()
        .map(|(k, v)| format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect::<Vec<_>>()
        .join(" ");
    text.parse()
        .map_err(|e| AuditError::Warehouse(format!("{what}: not valid settings: {e}")))
}

/// The connection string without its `service` setting, and that setting.
fn take_service(conninfo: &str) -> Result<(String, Option<String>), AuditError> {
    let bad = |what: String| {
        AuditError::Warehouse(format!(
            "the PostgreSQL connection string is not valid: {what}"
        ))
    };
    if conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://") {
        let Some((base, query)) = conninfo.split_once('?') else {
            return Ok((conninfo.to_string(), None));
        };
        let mut service = None;
        let mut kept = Vec::new();
        for param in query.split('&') {
            match param.split_once('=') {
                Some((k, v)) if percent_decoded(k).as_deref() == Some("service") => {
                    service = Some(
                        percent_decoded(v).ok_or_else(|| bad(format!("cannot decode {v:?}")))?,
                    );
                }
                _ => kept.push(param),
            }
        }
        let rest = match kept.is_empty() {
            true => base.to_string(),
            false => format!("{base}?{}", kept.join("&")),
        };
        return Ok((rest, service));
    }
    let mut pairs = key_values(conninfo).map_err(bad)?;
    let service = pairs
        .iter()
        .rposition(|(k, _)| k == "service")
        .map(|i| pairs.remove(i).1);
    pairs.retain(|(k, _)| k != "service");
    let rest = pairs
        .iter()
        .map(|(k, v)| format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect::<Vec<_>>()
        .join(" ");
    Ok((rest, service))
}

/// The pairs of a `key=value` connection string, as libpq reads it: values bare (a
/// backslash escapes the next character) or in single quotes (`\'` and `\\` inside).
fn key_values(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(format!("expected \"=\" after \"{key}\""));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err(format!("the value of \"{key}\" has no closing quote")),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                match c {
                    '\\' => value.extend(chars.next()),
                    c => value.push(c),
                }
            }
        }
        out.push((key, value));
    }
}

/// `%XX` escapes decoded (`None`: a bad escape, or not UTF-8).
fn percent_decoded(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The user's home folder.
fn home(env: &dyn Env) -> Option<PathBuf> {
    env.var("HOME").map(PathBuf::from)
}

/// The settings of service `name`: its section in the user's service file, else the
/// system's. Not found is an error naming the files looked in.
fn service_pairs(name: &str, env: &dyn Env) -> Result<Vec<(String, String)>, AuditError> {
    let user = env
        .var("PGSERVICEFILE")
        .map(PathBuf::from)
        .or_else(|| home(env).map(|h| h.join(".pg_service.conf")));
    let system = env
        .var("PGSYSCONFDIR")
        .map(|d| PathBuf::from(d).join("pg_service.conf"))
        .unwrap_or_else(|| PathBuf::from("/etc/postgresql-common/pg_service.conf"));
    let mut looked = Vec::new();
    for file in user.into_iter().chain([system]) {
        looked.push(file.display().to_string());
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(AuditError::Warehouse(format!(
                    "{}: cannot read the service file: {e}",
                    file.display()
                )))
            }
        };
        if let Some(pairs) = service_section(&text, name, &file.display().to_string())? {
            return Ok(pairs);
        }
    }
    Err(AuditError::Warehouse(format!(
        "PostgreSQL service \"{name}\" not found (looked in {})",
        looked.join(", ")
    )))
}

/// The `key=value` lines of section `[name]` of a service file's `text`, if it has one.
fn service_section(
    text: &str,
    name: &str,
    shown: &str,
) -> Result<Option<Vec<(String, String)>>, AuditError> {
    let mut found: Option<Vec<(String, String)>> = None;
    let mut inside = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if found.is_some() && inside {
                break;
            }
            inside = section == name;
            if inside {
                found = Some(Vec::new());
            }
            continue;
        }
        if !inside {
            continue;
        }
        let (k, v) = line.split_once('=').ok_or_else(|| {
            AuditError::Warehouse(format!(
                "{shown}:{}: expected key=value in service \"{name}\", found \"{line}\"",
                n + 1
            ))
        })?;
        if let Some(pairs) = found.as_mut() {
            pairs.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(found)
}

/// The password of the first line of the password file that matches the connection's first
/// host, port, database and user (`*` matches anything; `\:` and `\\` are a colon and a
/// backslash). libpq's rules: a Unix socket host matches `localhost`; a file others than its
/// owner can read is not used.
fn pgpass_password(config: &Config, env: &dyn Env) -> Option<String> {
    let file = env
        .var("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| home(env).map(|h| h.join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(&file).ok()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(_)) => "localhost".to_string(),
        None => config
            .get_hostaddrs()
            .first()
            .map(|a| a.to_string())
            .unwrap_or_else(|| "localhost".to_string()),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default();
    let dbname = config.get_dbname().unwrap_or(user);
    let want = [host.as_str(), port.as_str(), dbname, user];
    for line in text.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let fields = pgpass_fields(line);
        if fields.len() < 5 {
            continue;
        }
        let matches = want.iter().zip(&fields).all(|(w, f)| f == "*" || f == w);
        if matches {
            return Some(fields[4].clone());
        }
    }
    None
}

/// A password file line's fields: split at `:`, with `\:` and `\\` escaped.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(f)) = (chars.next(), fields.last_mut()) {
                    f.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Vars(HashMap<String, String>);

    impl Env for Vars {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
    }

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        Vars(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn tcp(c: &Config) -> Vec<String> {
        c.get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(s) => s.clone(),
                Host::Unix(p) => p.display().to_string(),
            })
            .collect()
    }

    #[test]
    fn key_values_read_quotes_and_escapes_as_libpq() -> Result<(), String> {
        let p = key_values(r"host=db port = 5433 user=a\ b name='x \' y \\'")?;
        assert_eq!(
            p,
            vec![
                ("host".into(), "db".into()),
                ("port".into(), "5433".into()),
                ("user".into(), "a b".into()),
                ("name".into(), r"x ' y \".into()),
            ]
        );
        assert!(key_values("host").is_err());
        assert!(key_values("host='db").is_err());
        Ok(())
    }

    #[test]
    fn the_service_setting_is_taken_out_of_urls_and_pairs() -> Result<(), AuditError> {
        assert_eq!(
            take_service("postgresql://u@h/db?sslmode=require&service=crm%20ro")?,
            (
                "postgresql://u@h/db?sslmode=require".to_string(),
                Some("crm ro".to_string())
            )
        );
        assert_eq!(
            take_service("postgres://h/db?service=x")?,
            ("postgres://h/db".to_string(), Some("x".to_string()))
        );
        assert_eq!(take_service("postgresql://h/db")?.1, None);
        let (rest, service) = take_service("service='crm' dbname=a\\'b")?;
        assert_eq!(service.as_deref(), Some("crm"));
        assert_eq!(rest, r"dbname='a\'b'");
        Ok(())
    }

    #[test]
    fn settings_come_from_the_string_then_the_service_then_the_environment(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let user_file = dir.path().join("user.conf");
        std::fs::write(
            &user_file,
            "# services\n[other]\nhost=elsewhere\n\n[crm]\nhost = db.internal\nport=6543\ndbname=crm\nsslmode=require\npassword=from-service\n",
        )?;
        let sys = dir.path().join("sys");
        std::fs::create_dir(&sys)?;
        std::fs::write(
            sys.join("pg_service.conf"),
            "[wide]\nhost=system-host\nuser=sys\n",
        )?;
        let file = user_file.to_string_lossy().to_string();
        let sys_s = sys.to_string_lossy().to_string();
        let env = vars(&[
            ("PGSERVICEFILE", &file),
            ("PGSYSCONFDIR", &sys_s),
            ("PGUSER", "env-user"),
            ("PGDATABASE", "env-db"),
            ("PGPASSWORD", "from-env"),
            ("HOME", "/nonexistent"),
        ]);
        // The string's own settings win; the service fills the rest; then the environment.
        let c = resolve("service=crm dbname=mine", None, &env)?;
        assert_eq!(tcp(&c), ["db.internal"]);
        assert_eq!(c.get_ports(), [6543]);
        assert_eq!(c.get_dbname(), Some("mine"));
        assert_eq!(c.get_user(), Some("env-user"));
        assert!(matches!(c.get_ssl_mode(), SslMode::Require));
        assert_eq!(c.get_password(), Some(&b"from-service"[..]));
        // A password given apart beats the service's; the URL's beats both.
        let c = resolve("postgresql://h/db?service=crm", Some("apart"), &env)?;
        assert_eq!(tcp(&c), ["h"]);
        assert_eq!(c.get_password(), Some(&b"apart"[..]));
        let c = resolve("postgresql://u:inurl@h/db", Some("apart"), &env)?;
        assert_eq!(c.get_password(), Some(&b"inurl"[..]));
        // PGSERVICE; the system file when the user's has no such service.
        let mut with_service = vars(&[("PGSERVICEFILE", &file), ("PGSYSCONFDIR", &sys_s)]);
        with_service.0.insert("PGSERVICE".into(), "wide".into());
        let c = resolve("", None, &with_service)?;
        assert_eq!(tcp(&c), ["system-host"]);
        assert_eq!(c.get_user(), Some("sys"));
        // Not found: the files looked in are named.
        let e = resolve("service=nope", None, &env)
            .err()
            .map(|e| e.to_string());
        let e = e.unwrap_or_default();
        assert!(e.contains("service \"nope\" not found"), "{e}");
        assert!(e.contains(&file) && e.contains(&sys_s), "{e}");
        // A line that is not key=value names its line.
        std::fs::write(&user_file, "[crm]\nhost\n")?;
        let e = resolve("service=crm", None, &env)
            .err()
            .map(|e| e.to_string());
        assert!(e
            .unwrap_or_default()
            .contains("user.conf:2: expected key=value"));
        Ok(())
    }

    #[test]
    fn the_password_file_matches_host_port_database_and_user(
    ) -> Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let pass = dir.path().join("pgpass");
        std::fs::write(
            &pass,
            "# comment\nother:5432:*:*:wrong\ndb\\:1:5433:crm:ann:p\\:w\\\\d\n*:*:*:bob:bobs\nlocalhost:5432:*:*:local\n",
        )?;
        std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o600))?;
        let p = pass.to_string_lossy().to_string();
        let env = vars(&[("PGPASSFILE", &p)]);
        let password = |conninfo: &str| -> Result<Option<String>, AuditError> {
            Ok(resolve(conninfo, None, &env)?
                .get_password()
                .map(|p| String::from_utf8_lossy(p).to_string()))
        };
        assert_eq!(
            password("host='db:1' port=5433 dbname=crm user=ann")?.as_deref(),
            Some(r"p:w\d")
        );
        assert_eq!(password("host=x user=bob")?.as_deref(), Some("bobs"));
        assert_eq!(password("host=x user=carol")?, None);
        // A Unix socket matches localhost; the database defaults to the user.
        assert_eq!(password("host=/tmp user=dan")?.as_deref(), Some("local"));
        // Readable by others: not used, as libpq.
        std::fs::set_permissions(&pass, std::fs::Permissions::from_mode(0o644))?;
        assert_eq!(password("host=x user=bob")?, None);
        Ok(())
    }
}
