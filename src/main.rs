//! The `fairgate` binary: parse the command line, run, map the outcome to an exit code
//! (0 ok, 1 gate failed, 2 usage or input error). Errors go to stderr, printed once.
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(status) => status.into(),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(0),
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "fairgate: error: {}",
                    fairgate::text::escape_terminal(&message(&e))
                );
            }
            cli::ExitStatus::Error.into()
        }
    }
}

/// The error and its causes, each once: a cause whose text its parent already includes
/// (`{path}: cannot read: {source}`) is not repeated. A parameter the library names by its
/// field (`min_group_size: expected ...`) is shown as its flag (`--min-group-size: ...`).
fn message(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    let mut text = parts.join(": ");
    for p in e
        .chain()
        .filter_map(|c| c.downcast_ref::<fairgate::params::InvalidParam>())
    {
        text = text.replace(&p.to_string(), &p.shown_as(&cli::flag_of(p.name)));
    }
    // A missing column is shown with the flag that gives it.
    for c in e.chain() {
        let flag = match (
            c.downcast_ref::<fairgate::audit::AuditError>(),
            c.downcast_ref::<fairgate::train::TrainError>(),
        ) {
            (Some(fairgate::audit::AuditError::MissingRole(role)), _)
            | (_, Some(fairgate::train::TrainError::MissingRole(role))) => role.flag().to_string(),
            (Some(fairgate::audit::AuditError::NoDecisions), _) => "--score or --prediction".into(),
            _ => continue,
        };
        let said = c.to_string();
        text = text.replace(&said, &format!("{said} ({flag})"));
    }
    text
}

/// A closed stdout (`fairgate ... | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<fairgate::Error>().is_some_and(|f| {
                matches!(f, fairgate::Error::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}
