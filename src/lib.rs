//! fairgate audits scoring models (lead scoring, account scoring, credit-style scoring) for
//! bias and writes the evidence that privacy and fairness reviews ask for.
//!
//! The pipeline: [`data`] reads a CSV of records into typed columns with roles (label, score,
//! protected attributes, features, consent, ...) and accounts for every row it cannot use;
//! [`train`] fits consent-aware models, [`audit`] measures groups and disparities with
//! intervals, [`explain`] explains a model, [`report`] writes the evidence, [`policy`] is the
//! pass/fail gate, [`compare`] compares audits over time and [`pipeline`] plans a whole run
//! from one file.
//!
//! ```
//! use fairgate::data::{synth, DataSpec, ReadOptions, Table};
//! let mut csv = Vec::new();
//! synth::generate(&synth::SynthParams::new(500, 7).check()?, &mut csv)?;
//! let spec = DataSpec {
//!     label: Some("converted".into()),
//!     score: Some("vendor_score".into()),
//!     protected: Some(vec!["gender".into()]),
//!     ..DataSpec::default()
//! };
//! let table = Table::from_reader(Box::new(std::io::Cursor::new(csv)), "leads.csv", &spec, &ReadOptions::default())?;
//! assert_eq!(table.n_rows(), 500);
//! # Ok::<(), fairgate::Error>(())
//! ```
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(
        clippy::unwrap_used,
        clippy::print_stdout,
        clippy::print_stderr,
        clippy::dbg_macro
    )
)]

pub mod audit;
pub mod compare;
pub mod data;
pub mod decision;
pub mod doc;
mod error;
pub mod explain;
pub mod file_error;
pub mod mitigate;
pub mod output;
mod par;
pub mod params;
pub mod pipeline;
pub mod policy;
pub mod progress;
pub mod provenance;
pub mod report;
pub mod schema;
pub mod text;
pub mod time;
pub mod train;
pub mod version;

pub use error::{Error, Result};

pub use version::VERSION;
