//! The exit status contract: 0 ok or pass, 1 a gate failed, 2 usage or input error.

use std::process::ExitCode;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success, or every gate passed.
    Ok,
    /// A gate failed (used by `gate` and `run`).
    #[allow(dead_code)]
    GateFailed,
    /// Bad usage or bad input.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        match s {
            ExitStatus::Ok => ExitCode::from(0),
            ExitStatus::GateFailed => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}
