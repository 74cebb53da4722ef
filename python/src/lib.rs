//! The Python binding of fairgate (`fairgate._fairgate`): a thin layer over the library, as
//! the CLI is. Data arrives as an Arrow C stream (any object with `__arrow_c_stream__`:
//! pyarrow, polars, pandas through pyarrow, DuckDB results), is read without a copy, and is
//! audited by [`fairgate::audit::audit_arrow`]; options arrive as JSON in the shapes the
//! library's config files use. Results go back as the CLI's JSON, which the Python side
//! (`python/fairgate/__init__.py`) wraps.
//!
//! Every library error becomes a `FairgateError` carrying `row` (from 0, as `iloc` counts),
//! `column` (its name) and `reason` (the rejection reason, as in the audit's `rejected`)
//! when the error has them.

use std::collections::BTreeMap;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use serde::Deserialize;

use fairgate::audit::{audit_arrow, AuditError, AuditParams, Binning};
use fairgate::data::{DataError, DataSpec};

create_exception!(
    _fairgate,
    FairgateError,
    PyException,
    "An input or option fairgate cannot use: the message says where and what was expected; \
     `row` (from 0), `column` and `reason` are set when the error points at a value."
);

/// The audit's options, as `fairgate audit`'s flags and a pipeline's `[audit]` name them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditOptions {
    threshold: Option<f64>,
    min_group_size: Option<u64>,
    confidence: Option<f64>,
    #[serde(default)]
    reference: BTreeMap<String, String>,
    #[serde(default)]
    intersect: Vec<Vec<String>>,
    bins: Option<String>,
    bootstrap: Option<usize>,
    seed: Option<u64>,
    max_groups: Option<usize>,
}

impl AuditOptions {
    fn params(self) -> Result<AuditParams, String> {
        let d = AuditParams::default();
        let binning = match &self.bins {
            None => d.binning,
            Some(b) => Binning::parse(b).ok_or_else(|| {
                format!("bins: expected a number of bins or \"quantile:K\", found \"{b}\"")
            })?,
        };
        Ok(AuditParams {
            threshold: self.threshold.unwrap_or(d.threshold),
            min_group_size: self.min_group_size.unwrap_or(d.min_group_size),
            confidence: self.confidence.unwrap_or(d.confidence),
            reference: self.reference,
            intersections: self.intersect,
            binning,
            bootstrap: self.bootstrap.unwrap_or(d.bootstrap),
            seed: self.seed.unwrap_or(d.seed),
            max_groups: self.max_groups.unwrap_or(d.max_groups),
        })
    }
}

/// A `FairgateError` with `message`, and `row`, `column` and `reason` when known.
fn error(
    py: Python<'_>,
    message: String,
    row: Option<u64>,
    column: Option<String>,
    reason: Option<&str>,
) -> PyErr {
    let err = FairgateError::new_err(python_names(&message));
    let value = err.value(py);
    // Setting an attribute on a fresh exception object cannot fail in practice; if it did,
    // the message still says it all.
    let _ = value.setattr("row", row);
    let _ = value.setattr("column", column);
    let _ = value.setattr("reason", reason);
    err
}

/// The CLI's flags that library messages name, with this package's argument for each.
const FLAG_NAMES: [(&str, &str); 22] = [
    ("--as-of", "as_of"),
    ("--bins", "bins"),
    ("--categorical", "categorical"),
    ("--confidence", "confidence"),
    ("--consent-timestamp", "consent_timestamp"),
    ("--consent", "consent"),
    ("--exclude", "exclude"),
    ("--features", "features"),
    ("--filter", "filter"),
    ("--id", "id"),
    ("--label", "label"),
    ("--max-groups", "max_groups"),
    ("--max-rejected", "max_rejected"),
    ("--min-group-size", "min_group_size"),
    ("--na", "na"),
    ("--positive", "positive"),
    ("--prediction", "prediction"),
    ("--protected", "protected"),
    ("--score", "score"),
    ("--threshold", "threshold"),
    ("--timestamp", "timestamp"),
    ("--weight", "weight"),
];

/// `message` with the CLI's flags (`--max-groups`) named as this package's arguments
/// (`max_groups`): the library's messages name flags, which a Python caller does not type.
/// Only the flags in [`FLAG_NAMES`], as whole words after a space, a parenthesis or the
/// start, are renamed: a column or value that merely starts with `--` is left as it is.
fn python_names(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("--") {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let prev = before.chars().last().or_else(|| out.chars().last());
        let at_word = matches!(prev, None | Some(' ' | '('));
        let word_end = after[2..]
            .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
            .map_or(after.len(), |e| e + 2);
        let name = FLAG_NAMES
            .iter()
            .find(|(flag, _)| *flag == &after[..word_end])
            .map(|(_, name)| *name);
        match name {
            Some(name) if at_word => {
                out.push_str(name);
                rest = &after[word_end..];
            }
            _ => {
                out.push_str("--");
                rest = &after[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A library data error as a `FairgateError`, with the value's row and column.
fn data_error(py: Python<'_>, e: &DataError) -> PyErr {
    let row = e
        .position()
        .filter(|p| p.in_frame)
        .and_then(fairgate::data::Position::row);
    match e {
        DataError::InvalidValue(v) => error(
            py,
            e.to_string(),
            row,
            Some(v.column.clone()),
            Some(v.problem.as_str()),
        ),
        DataError::UnknownColumn(u) => error(py, e.to_string(), None, Some(u.name.clone()), None),
        _ => error(py, e.to_string(), row, None, None),
    }
}

/// The Arrow C stream of `data` (an object with `__arrow_c_stream__`), imported without a
/// copy of its buffers.
fn arrow_stream(data: &Bound<'_, PyAny>) -> PyResult<RecordBatchStreamReader> {
    let py = data.py();
    if !data.hasattr("__arrow_c_stream__")? {
        return Err(error(
            py,
            format!(
                "expected Arrow data (an object with __arrow_c_stream__: a pyarrow Table, a polars or pandas DataFrame), found {}",
                data.get_type().name()?
            ),
            None,
            None,
            None,
        ));
    }
    let capsule = data.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
        error(
            py,
            "__arrow_c_stream__ did not return a PyCapsule".to_string(),
            None,
            None,
            None,
        )
    })?;
    let pointer = capsule
        .pointer_checked(Some(c"arrow_array_stream"))
        .map_err(|e| {
            error(
                py,
                format!("__arrow_c_stream__ did not return an Arrow stream capsule: {e}"),
                None,
                None,
                None,
            )
        })?
        .as_ptr()
        .cast::<FFI_ArrowArrayStream>();
    // SAFETY: the capsule is named "arrow_array_stream", so by the Arrow PyCapsule interface
    // it holds a valid, aligned FFI_ArrowArrayStream; from_raw moves it out and leaves a
    // released stream behind, which the capsule's destructor then does not release again.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer) };
    RecordBatchStreamReader::try_new(stream).map_err(|e| {
        error(
            py,
            format!("cannot read the Arrow stream: {e}"),
            None,
            None,
            None,
        )
    })
}

/// Audits `data` (Arrow stream) with the data options `spec` (JSON, `[data]`'s keys) and
/// the audit options `options` (JSON); returns the audit as the CLI's JSON. `origin` names
/// the data in messages and in the audit's `input.path`.
#[pyfunction]
fn audit_json(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    spec: &str,
    options: &str,
    origin: &str,
) -> PyResult<String> {
    let spec: DataSpec = serde_json::from_str(spec)
        .map_err(|e| error(py, format!("data options: {e}"), None, None, None))?;
    let options: AuditOptions = serde_json::from_str(options)
        .map_err(|e| error(py, format!("audit options: {e}"), None, None, None))?;
    let params = options
        .params()
        .map_err(|m| error(py, m, None, None, None))?
        .check()
        .map_err(|e| error(py, e.to_string(), None, None, None))?;
    let batches = batches(data)?;
    let origin = origin.to_string();
    let result = py.detach(move || audit_arrow(batches, &origin, &spec, &params));
    match result {
        Ok(report) => Ok(report.to_json()),
        Err(AuditError::Data(e)) => Err(data_error(py, &e)),
        Err(e) => Err(error(py, e.to_string(), None, None, None)),
    }
}

/// The training options, as `fairgate train`'s flags name them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainOptions {
    model: Option<String>,
    rules: Option<std::path::PathBuf>,
    c: Option<f64>,
    class_weight: Option<String>,
    test_size: Option<f64>,
    cv: Option<usize>,
    seed: Option<u64>,
    max_levels: Option<usize>,
    threshold: Option<f64>,
    created: Option<i64>,
    #[serde(default)]
    reweigh: Vec<String>,
}

/// The Arrow batches of `data`, ready for the library's reader.
fn batches(data: &Bound<'_, PyAny>) -> PyResult<fairgate::data::ArrowBatches> {
    let reader = arrow_stream(data)?;
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    Ok(fairgate::data::ArrowBatches::new(schema, reader))
}

/// A library training error as a `FairgateError` (a data error with its row and column).
fn train_error(py: Python<'_>, e: fairgate::train::TrainError) -> PyErr {
    match e {
        fairgate::train::TrainError::Data(d) => data_error(py, &d),
        other => error(py, other.to_string(), None, None, None),
    }
}

/// Trains a model on `data` (Arrow stream) with the data options `spec` (JSON, `[data]`'s
/// keys) and the training options `options` (JSON); returns the model file's JSON, as
/// `fairgate train` writes it.
#[pyfunction]
fn train_json(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    spec: &str,
    options: &str,
    origin: &str,
) -> PyResult<String> {
    use fairgate::train::{ModelKind, RuleSet, Solver, TrainParams};
    let fail = |m: String| error(py, m, None, None, None);
    let mut spec: DataSpec =
        serde_json::from_str(spec).map_err(|e| fail(format!("data options: {e}")))?;
    let o: TrainOptions =
        serde_json::from_str(options).map_err(|e| fail(format!("training options: {e}")))?;
    let rules = match &o.rules {
        Some(p) => Some(RuleSet::from_path(p).map_err(|e| train_error(py, e))?),
        None => None,
    };
    let d = TrainParams::default();
    let kind = match o.model.as_deref() {
        None | Some("logistic") => ModelKind::Logistic,
        Some("points") => ModelKind::Points,
        Some(other) => {
            return Err(fail(format!(
                "model: expected \"logistic\" or \"points\", found \"{other}\""
            )))
        }
    };
    let balanced = match o.class_weight.as_deref() {
        None | Some("none") => false,
        Some("balanced") => true,
        Some(other) => {
            return Err(fail(format!(
                "class_weight: expected None or \"balanced\", found \"{other}\""
            )))
        }
    };
    let read = fairgate::train::reading(&mut spec, rules.as_ref());
    let params = TrainParams {
        kind,
        rules,
        c: o.c.unwrap_or(d.c),
        balanced,
        test_size: o.test_size.unwrap_or(d.test_size),
        cv: o.cv.unwrap_or(d.cv),
        seed: o.seed.unwrap_or(d.seed),
        solver: Solver::Newton,
        max_levels: o.max_levels.unwrap_or(d.max_levels),
        threshold: o.threshold.unwrap_or(d.threshold),
        created: o.created,
        reweigh: o.reweigh,
        ..d
    }
    .check()
    .map_err(|e| train_error(py, e))?;
    let batches = batches(data)?;
    let origin = origin.to_string();
    let result = py.detach(move || {
        let reader = fairgate::data::TableReader::from_arrow(batches, &origin, &spec, &read)?;
        let table = fairgate::data::Table::collect(reader)?;
        fairgate::train::train(&table, &spec, &params)
    });
    result.map(|m| m.to_json()).map_err(|e| train_error(py, e))
}

/// `data` as an [`fairgate::data::Input`] that can be read more than once: each pass calls
/// its `__arrow_c_stream__` afresh (under the GIL, which the reading itself does not hold).
fn reopen(
    data: Py<PyAny>,
    origin: String,
) -> impl Fn() -> Result<fairgate::data::ArrowBatches, DataError> + Sync {
    move || {
        Python::attach(|py| batches(data.bind(py))).map_err(|e| DataError::Parquet {
            origin: origin.clone(),
            message: format!("cannot read the data: {e}"),
        })
    }
}

/// A model file's JSON as a model, with the checks `fairgate score` makes.
fn model_of(py: Python<'_>, model: &str) -> PyResult<fairgate::train::Model> {
    fairgate::train::Model::from_json(model, "model").map_err(|e| train_error(py, e))
}

/// Scores `data` (Arrow stream) with `model` (a model file's JSON), with the data options
/// `spec` (JSON: `id`, `consent`, `consent-timestamp`, `as-of`, `na`, `on-invalid`, ...
/// override the model's). Returns the scored CSV, as `fairgate score` writes it (with cells
/// as they are), and the scoring summary's JSON (`fairgate score --summary`).
#[pyfunction]
fn score_json(
    py: Python<'_>,
    model: &str,
    data: &Bound<'_, PyAny>,
    spec: &str,
    origin: &str,
) -> PyResult<(String, String)> {
    let model = model_of(py, model)?;
    let spec: DataSpec = serde_json::from_str(spec)
        .map_err(|e| error(py, format!("data options: {e}"), None, None, None))?;
    let open = reopen(data.clone().unbind(), origin.to_string());
    let origin = origin.to_string();
    let result = py.detach(move || {
        let mut out = Vec::new();
        let input = fairgate::data::Input::Arrow {
            origin: &origin,
            open: &open,
        };
        let summary = fairgate::train::score(
            &model,
            input,
            &spec,
            &mut out,
            fairgate::output::CsvCells::Raw,
        )?;
        Ok::<_, fairgate::train::TrainError>((out, summary))
    });
    let (csv, summary) = result.map_err(|e| train_error(py, e))?;
    let csv =
        String::from_utf8(csv).map_err(|e| error(py, format!("scores: {e}"), None, None, None))?;
    let summary = serde_json::to_string_pretty(&summary)
        .map_err(|e| error(py, format!("scores: {e}"), None, None, None))?;
    Ok((csv, summary))
}

/// The explanation's options, as `fairgate explain`'s flags name them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainOptions {
    top: Option<usize>,
    repeats: Option<usize>,
    seed: Option<u64>,
    protected: Option<Vec<String>>,
    #[serde(default)]
    immutable: Vec<String>,
    minimisation_tolerance: Option<f64>,
    proxy_association: Option<f64>,
    proxy_auc: Option<f64>,
    min_group_size: Option<u64>,
}

/// Explains `model` (a model file's JSON) on `data` (Arrow stream, read twice: once whole
/// for the global explanation, once streamed for the per-person reasons) with the options
/// `options` (JSON). Returns the explanation's JSON (`fairgate explain --format json`) and,
/// when asked, the reasons and contributions CSVs (`--reasons`, `--contributions`; cells as
/// they are).
#[pyfunction]
fn explain_json(
    py: Python<'_>,
    model: &str,
    data: &Bound<'_, PyAny>,
    options: &str,
    origin: &str,
    reasons: bool,
    contributions: bool,
) -> PyResult<(String, Option<String>, Option<String>)> {
    use fairgate::explain::{ExplainError, ExplainParams};
    let model = model_of(py, model)?;
    let o: ExplainOptions = serde_json::from_str(options)
        .map_err(|e| error(py, format!("explain options: {e}"), None, None, None))?;
    let d = ExplainParams::default();
    let params = ExplainParams {
        top: o.top.unwrap_or(d.top),
        repeats: o.repeats.unwrap_or(d.repeats),
        seed: o.seed.unwrap_or(d.seed),
        protected: o.protected,
        immutable: o.immutable,
        minimisation_tolerance: o.minimisation_tolerance.unwrap_or(d.minimisation_tolerance),
        proxy_association: o.proxy_association.unwrap_or(d.proxy_association),
        proxy_auc: o.proxy_auc.unwrap_or(d.proxy_auc),
        min_group_size: o.min_group_size.unwrap_or(d.min_group_size),
        csv_cells: fairgate::output::CsvCells::Raw,
    }
    .check()
    .map_err(|e| error(py, e.to_string(), None, None, None))?;
    let open = reopen(data.clone().unbind(), origin.to_string());
    let origin = origin.to_string();
    let result = py.detach(move || {
        let (mut r, mut c) = (Vec::new(), Vec::new());
        let input = fairgate::data::Input::Arrow {
            origin: &origin,
            open: &open,
        };
        let e = fairgate::explain::explain(
            &model,
            input,
            &params,
            reasons.then_some(&mut r as &mut dyn std::io::Write),
            contributions.then_some(&mut c as &mut dyn std::io::Write),
        )?;
        Ok::<_, ExplainError>((e.to_json(), r, c))
    });
    let (json, r, c) = result.map_err(|e| match e {
        ExplainError::Model(t) => train_error(py, t),
        ExplainError::Data(d) => data_error(py, &d),
        other => error(py, other.to_string(), None, None, None),
    })?;
    let text = |bytes: Vec<u8>, asked: bool| -> PyResult<Option<String>> {
        if !asked {
            return Ok(None);
        }
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|e| error(py, format!("explanation: {e}"), None, None, None))
    };
    Ok((json, text(r, reasons)?, text(c, contributions)?))
}

/// Judges an audit (the CLI's audit JSON) against a policy: a policy file's path, or
/// `None` for the built-in four-fifths rule. Returns the gate's JSON (`fairgate gate`'s).
/// `audit_name` names the audit in the result.
#[pyfunction]
#[pyo3(signature = (audit, policy, audit_name))]
fn gate_json(
    py: Python<'_>,
    audit: &str,
    policy: Option<std::path::PathBuf>,
    audit_name: &str,
) -> PyResult<String> {
    let fail = |m: String| error(py, m, None, None, None);
    let report: fairgate::audit::AuditReport =
        serde_json::from_str(audit).map_err(|e| fail(format!("not a fairgate audit: {e}")))?;
    let policy = match policy {
        Some(p) => fairgate::policy::Policy::load(&p).map_err(|e| fail(e.to_string()))?,
        None => fairgate::policy::Policy::four_fifths(),
    };
    let file = fairgate::provenance::FileRef {
        path: audit_name.to_string(),
        sha256: fairgate::text::sha256_hex(audit.as_bytes()),
    };
    let evidence = fairgate::policy::Evidence::new(report, file, None, None)
        .map_err(|e| fail(e.to_string()))?;
    let result = fairgate::policy::evaluate(&policy, &evidence).map_err(|e| fail(e.to_string()))?;
    Ok(result.to_json())
}

/// One of fairgate's JSON results (`kind`: `audit`, `explanation` or `gate`) as the CLI
/// prints it: `format` is `table` (the terminal's text) or `markdown`.
#[pyfunction]
fn render(py: Python<'_>, kind: &str, text: &str, format: &str) -> PyResult<String> {
    use fairgate::doc::Render;
    fn parse<T: serde::de::DeserializeOwned + Render + 'static>(
        text: &str,
        what: &str,
    ) -> Result<Box<dyn Render>, String> {
        serde_json::from_str::<T>(text)
            .map(|r| Box::new(r) as Box<dyn Render>)
            .map_err(|e| format!("not a fairgate {what}: {e}"))
    }
    let parsed = match kind {
        "audit" => parse::<fairgate::audit::AuditReport>(text, "audit"),
        "explanation" => fairgate::explain::Explanation::from_json(text.as_bytes())
            .map(|r| Box::new(r) as Box<dyn Render>),
        "gate" => parse::<fairgate::policy::GateResult>(text, "gate result"),
        other => Err(format!(
            "kind: expected audit, explanation or gate, found \"{other}\""
        )),
    }
    .map_err(|m| error(py, m, None, None, None))?;
    match format {
        "table" => Ok(parsed.to_text()),
        "markdown" => Ok(parsed.to_markdown()),
        other => Err(error(
            py,
            format!("format: expected \"table\" or \"markdown\", found \"{other}\""),
            None,
            None,
            None,
        )),
    }
}

/// Checks a model file's JSON as `fairgate score` would read it.
#[pyfunction]
fn model_check(py: Python<'_>, model: &str, origin: &str) -> PyResult<()> {
    fairgate::train::Model::from_json(model, origin)
        .map(|_| ())
        .map_err(|e| train_error(py, e))
}

/// Writes the report folder `out` (report.html, report.md, dpia.md, model_card.md with a
/// model, evidence.json) from the files `fairgate report` takes; `created` is seconds since
/// 1970. Returns the written files as (name, SHA-256) pairs.
#[pyfunction]
#[pyo3(signature = (out, audit, explanation, model, context, gate, previous, mitigation, created))]
#[allow(clippy::too_many_arguments)]
fn report_write(
    py: Python<'_>,
    out: std::path::PathBuf,
    audit: std::path::PathBuf,
    explanation: Option<std::path::PathBuf>,
    model: Option<std::path::PathBuf>,
    context: Option<std::path::PathBuf>,
    gate: Option<std::path::PathBuf>,
    previous: Option<std::path::PathBuf>,
    mitigation: Option<std::path::PathBuf>,
    created: i64,
) -> PyResult<Vec<(String, String)>> {
    let result = py.detach(move || {
        let created = fairgate::data::format_timestamp(created);
        let mut r = fairgate::report::Report::load(
            &audit,
            explanation.as_deref(),
            model.as_deref(),
            context.as_deref(),
            created,
        )?;
        if let Some(g) = &gate {
            r = r.with_gate(g)?;
        }
        if let Some(p) = &previous {
            r = r.with_previous(p, &audit)?;
        }
        if let Some(m) = &mitigation {
            r = r.with_mitigation(m)?;
        }
        r.write(&out)
    });
    let written = result.map_err(|e| error(py, e.to_string(), None, None, None))?;
    Ok(written.into_iter().map(|f| (f.path, f.sha256)).collect())
}

/// fairgate's version.
#[pyfunction]
fn version() -> &'static str {
    fairgate::version::VERSION
}

/// The native part of the `fairgate` package.
#[pymodule]
fn _fairgate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("FairgateError", m.py().get_type::<FairgateError>())?;
    m.add_function(wrap_pyfunction!(audit_json, m)?)?;
    m.add_function(wrap_pyfunction!(gate_json, m)?)?;
    m.add_function(wrap_pyfunction!(train_json, m)?)?;
    m.add_function(wrap_pyfunction!(score_json, m)?)?;
    m.add_function(wrap_pyfunction!(explain_json, m)?)?;
    m.add_function(wrap_pyfunction!(report_write, m)?)?;
    m.add_function(wrap_pyfunction!(render, m)?)?;
    m.add_function(wrap_pyfunction!(model_check, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::python_names;

    #[test]
    fn flags_become_argument_names_and_other_text_stays() {
        assert_eq!(
            python_names("no column named \"scroe\" (given for --score); did you mean"),
            "no column named \"scroe\" (given for score); did you mean"
        );
        assert_eq!(
            python_names("more than --max-groups 50: raise --max-groups"),
            "more than max_groups 50: raise max_groups"
        );
        assert_eq!(python_names("--na"), "na");
        assert_eq!(python_names("--consent-timestamp x"), "consent_timestamp x");
        // Columns, values and commands that are not these flags stay as they are.
        assert_eq!(
            python_names("column \"--x\" and a--b"),
            "column \"--x\" and a--b"
        );
        assert_eq!(
            python_names("grp --grp has 2 groups"),
            "grp --grp has 2 groups"
        );
        assert_eq!(
            python_names("(fairgate audit --format json)"),
            "(fairgate audit --format json)"
        );
        assert_eq!(python_names("a --scores b"), "a --scores b");
        assert_eq!(python_names("ends with --"), "ends with --");
    }
}
