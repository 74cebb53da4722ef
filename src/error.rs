//! The crate-level error: one variant per module error, so that `?` works across modules and
//! callers can still match on the module's own error.

use crate::audit::AuditError;
use crate::data::DataError;
use crate::train::TrainError;

/// Any error fairgate's library returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or validating input data.
    #[error(transparent)]
    Data(#[from] DataError),
    /// Auditing.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// Writing the report.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// A policy or the evidence it judges.
    #[error(transparent)]
    Policy(#[from] crate::policy::PolicyError),
    /// Comparing audits.
    #[error(transparent)]
    Compare(#[from] crate::compare::CompareError),
    /// A pipeline file.
    #[error(transparent)]
    Pipeline(#[from] crate::pipeline::PipelineError),
    /// Explaining a model.
    #[error(transparent)]
    Explain(#[from] crate::explain::ExplainError),
    /// Training or scoring.
    #[error(transparent)]
    Train(#[from] TrainError),
    /// An output that would replace an input, or could not be written.
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    /// An I/O error with no file to name (a stream the caller handed in).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Writing an output file.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with fairgate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
