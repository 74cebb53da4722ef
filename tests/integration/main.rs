//! fairgate's integration tests, one binary. Table of contents:

/// Shared helpers: loading bytes, the binary under test, temp dirs.
mod util;

// The library's layering, read from its source.
mod architecture;

/// The loader on malformed input: each case's error kind, line and column.
mod malformed;

/// The loader on valid but awkward input: BOM, CRLF, quotes, delimiters, missing values,
/// skip mode accounting, streaming and threading giving the same result.
mod loader;

/// Property tests: arbitrary bytes never panic; generated tables round-trip.
mod properties;

/// The synthetic lead generator: determinism and every documented injected effect.
mod synth;

/// The audit: streaming equals in-memory, intersections, unknown group, undefined metrics.
mod audit;

/// Audit metrics against the committed scikit-learn / Fairlearn / statsmodels goldens.
mod oracle;

/// The binary end to end: exit codes, error text, generate, inspect, the demo output.
mod cli;

/// The output files' JSON Schemas: committed as printed, and real outputs valid by the reference
/// validator.
mod schema;

/// Training and scoring against the scikit-learn goldens; consent accounting; the CLI chain.
mod train;

/// Explanations against shap / numpy / scipy goldens, counterfactuals, the subject export.
mod explain;

/// The report: escaping, no external resources, suppression, manifest, determinism.
mod report;

/// Evidence a reviewer can trust: the report states the gate's verdicts, default references,
/// claims only from evidence or declarations, declared evidence, `report --verify`.
mod evidence;

/// report.html in headless Chromium: no console errors, no requests, renders.
mod browser;

/// The gate: policy errors with their line, interval-aware outcomes, exit codes, JUnit XML.
mod gate;

/// Comparing audits over time and running the whole pipeline from one file.
mod compare;

/// Outputs never destroy an input or another file; staged, locked pipeline runs; quoting.
mod safety;

/// Mitigation against AIF360, Fairlearn and scikit-learn goldens; the chosen threshold
/// against the gate; bad input.
mod mitigate;

/// The search for less discriminatory alternatives against each candidate applied by hand.
mod lda;

/// Audits pushed down: statistics files (`fairgate stats`, `audit --from-stats`) equal the
/// row-level audit, shards merge, bad statistics files are refused with their line.
mod pushdown;

/// Parquet input: pyarrow and polars files audit, train, score and explain as their CSV;
/// errors name the row group; damaged files are refused, never a crash.
mod parquet;
