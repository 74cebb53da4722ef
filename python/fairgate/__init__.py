"""fairgate in Python: audit scoring models for bias on pandas, polars and Arrow data.

The same engine as the ``fairgate`` command line, without a CSV in between: the data is
handed over through the Arrow C stream interface (read without a copy where the types
allow), validated with the CLI's rules and messages, and audited; the result is the CLI's
audit JSON (``Audit.to_dict()``), with the same ``schema_version``.

    >>> import fairgate, pandas as pd
    >>> leads = pd.read_csv("datasets/leads_demo.csv")
    >>> a = fairgate.audit(leads, label="converted", score="vendor_score",
    ...                    protected=["gender", "age_band"], threshold=0.2)
    >>> fairgate.gate(a).passed
    False

Errors in the data or the options raise :class:`FairgateError`, whose ``row`` (from 0, as
``iloc`` counts), ``column`` and ``reason`` say where and what, when the error points at a
value.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ._fairgate import FairgateError
from ._fairgate import audit_json as _audit_json
from ._fairgate import explain_json as _explain_json
from ._fairgate import gate_json as _gate_json
from ._fairgate import model_check as _model_check
from ._fairgate import render as _render
from ._fairgate import report_write as _report_write
from ._fairgate import score_json as _score_json
from ._fairgate import train_json as _train_json
from ._fairgate import version as _version

__all__ = ["Audit", "Explanation", "FairgateError", "Gate", "Model", "audit",
           "audit_estimator", "explain", "gate", "report", "train", "__version__"]

__version__: str = _version()

# Defaults, so that every FairgateError has them (the native side sets them when known).
FairgateError.row = None
FairgateError.column = None
FairgateError.reason = None

#: The name an in-memory table has in messages and in the audit's ``input.path``.
_ORIGIN = "DataFrame"


def _column_list(value: Union[str, Sequence[str], None]) -> Optional[List[str]]:
    if value is None:
        return None
    if isinstance(value, str):
        return [c.strip() for c in value.split(",") if c.strip()]
    return [str(c) for c in value]


def _arrow_data(data: Any) -> Any:
    """An object with ``__arrow_c_stream__`` holding ``data``'s columns.

    pyarrow tables, polars DataFrames and pandas DataFrames (2.2 and later) export the
    stream themselves; older pandas DataFrames and dicts of columns (lists, numpy arrays,
    pandas Series) are converted with pyarrow, without a copy where the types allow.
    """
    if hasattr(data, "__arrow_c_stream__") and not _is_pandas_frame(data):
        return data
    try:
        import pyarrow as pa
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise FairgateError(
            f"{type(data).__name__} is not Arrow data and pyarrow, which would convert it, "
            "is not installed: pip install pyarrow"
        ) from e
    if _is_pandas_frame(data):
        try:
            return pa.Table.from_pandas(data, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # An object column of mixed values (numbers and a stray string, say) has no
            # Arrow type: such columns go as text, as a CSV would carry them, so that the
            # reader names the bad value's row and column as it does for a file.
            return pa.Table.from_pandas(_mixed_as_text(data), preserve_index=False)
    if isinstance(data, Mapping):
        return pa.table({str(k): _arrow_column(v) for k, v in data.items()})
    raise FairgateError(
        f"expected a table (a pandas or polars DataFrame, a pyarrow Table, or a dict of "
        f"columns), found {type(data).__name__}"
    )


def _is_pandas_frame(data: Any) -> bool:
    return type(data).__module__.startswith("pandas") and hasattr(data, "columns")


def _mixed_as_text(frame: Any) -> Any:
    """``frame`` with every object column that pyarrow cannot type as text (missing values
    stay missing)."""
    import pyarrow as pa

    out = frame.copy(deep=False)
    for name in frame.columns:
        column = frame[name]
        if column.dtype != object:
            continue
        try:
            pa.Array.from_pandas(column)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            out[name] = column.map(lambda v: None if _is_missing(v) else str(v))
    return out


def _is_missing(v: Any) -> bool:
    """None, NaN, pandas' NA or NaT."""
    import pandas as pd

    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # a list or an array: a value, not missing
        return False


def _csv_frame(text: str, types: Any) -> Any:
    """The CLI's CSV ``text`` as a pandas DataFrame: ``types(header)`` gives each column's
    dtype; text columns keep their values as written, an empty field being missing."""
    import csv
    import io

    import pandas as pd

    header = next(csv.reader(io.StringIO(text)), [])
    dtypes = types(header)
    # Exact numbers: pandas 3 parses them exactly by default (and deprecates the option);
    # before it, the round-trip parser does.
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(io.StringIO(text), dtype=dtypes, keep_default_na=False,
                       na_values={c: [""] for c, t in dtypes.items() if t == "string"},
                       **exact)


def _arrow_column(values: Any) -> Any:
    import pyarrow as pa

    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    if type(values).__module__.startswith("pandas"):
        return pa.Array.from_pandas(values)
    if hasattr(values, "__arrow_c_array__") or hasattr(values, "__arrow_c_stream__"):
        return pa.array(values)
    return pa.array(values, from_pandas=True)


class _JsonResult:
    """A result that is one of fairgate's JSON files: kept as its exact text."""

    def __init__(self, text: str) -> None:
        self._json = text
        self._dict = json.loads(text)

    def to_json(self) -> str:
        """The JSON, byte for byte what the CLI writes for the same result."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        """The JSON as a dict (a fresh copy)."""
        return json.loads(self._json)

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the JSON (UTF-8, byte for byte ``to_json()``) to ``path``: the file the CLI
        would write, which ``fairgate gate``, ``report`` and ``compare`` read."""
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(self._json)


class Audit(_JsonResult):
    """An audit: the CLI's audit JSON (``fairgate audit --format json``), with views of it.

    ``to_dict()`` is that JSON parsed; ``to_json()`` its exact text; ``to_frame()`` a tidy
    pandas DataFrame; ``summary()`` the terminal table; in Jupyter the audit renders as HTML.
    """

    @property
    def attributes(self) -> List[str]:
        """The audited attributes and intersections, by name."""
        return [a["name"] for a in self._dict["attributes"]]

    @property
    def rejected(self) -> List[Dict[str, Any]]:
        """Rows left out as invalid, by reason and column (with ``on_invalid="skip"``): each
        with ``rows`` and ``first_row``, the first such row's position from 0."""
        out = []
        for r in self._dict["input"].get("rejected", []):
            r = dict(r)
            line = r.pop("first_line", None)
            r["first_row"] = None if line is None else line - 2
            out.append(r)
        return out

    def to_frame(self) -> Any:
        """A tidy pandas DataFrame: one row per attribute, group and metric, with columns
        ``attribute, group, metric, value, ci_low, ci_high, undefined_reason``; the
        attribute's summary metrics (differences and ratios between groups) have ``group``
        None. An undefined value is None with its reason, never NaN without one."""
        import pandas as pd

        rows = []
        for a in self._dict["attributes"]:
            for g in a["groups"]:
                for name, m in g["metrics"].items():
                    rows.append((a["name"], g["group"], name, m["value"], m["ci_low"],
                                 m["ci_high"], m["undefined_reason"]))
            for name, m in a["summary"].items():
                rows.append((a["name"], None, name, m["value"], m["ci_low"], m["ci_high"],
                             m["undefined_reason"]))
        columns = ["attribute", "group", "metric", "value", "ci_low", "ci_high",
                   "undefined_reason"]
        frame = pd.DataFrame(rows, columns=columns)
        for c in ("value", "ci_low", "ci_high"):
            frame[c] = frame[c].astype("float64")
        return frame

    def summary(self) -> str:
        """The audit as ``fairgate audit --wide`` prints it: every column, no width limit."""
        return _render("audit", self._json, "table")

    def to_markdown(self) -> str:
        """The audit as ``fairgate audit --format markdown`` writes it."""
        return _render("audit", self._json, "markdown")

    def _repr_html_(self) -> str:
        import html

        parts = [f"<div class=\"fairgate-audit\"><p><b>fairgate audit</b> of "
                 f"{html.escape(str(self._dict['input'].get('rows_used')))} rows "
                 f"(threshold {html.escape(str(self._dict['options']['threshold']))})</p>"]
        for a in self._dict["attributes"]:
            parts.append(f"<h4>{html.escape(a['name'])}</h4><table><thead><tr><th>group</th>"
                         "<th>n</th><th>selection rate</th><th>TPR</th><th>FPR</th>"
                         "<th>disparate impact</th></tr></thead><tbody>")
            for g in a["groups"]:
                cells = [html.escape(str(g["group"])), str(g["n"])]
                for metric in ("selection_rate", "tpr", "fpr", "disparate_impact"):
                    cells.append(html.escape(_shown(g["metrics"].get(metric))))
                note = " (small)" if g.get("small") else ""
                cells[0] += note
                parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            parts.append("</tbody></table><p>")
            parts.append(", ".join(
                f"{html.escape(k)}: {html.escape(_shown(v))}" for k, v in a["summary"].items()))
            parts.append("</p>")
        parts.append("</div>")
        return "".join(parts)

    def __repr__(self) -> str:
        return (f"<fairgate.Audit: {len(self._dict['attributes'])} attributes, "
                f"{self._dict['input'].get('rows_used')} rows>")


def _shown(m: Optional[Mapping[str, Any]]) -> str:
    if m is None:
        return ""
    if m.get("value") is None:
        return f"undefined ({m.get('undefined_reason')})"
    text = f"{m['value']:.4f}"
    if m.get("ci_low") is not None and m.get("ci_high") is not None:
        text += f" [{m['ci_low']:.4f}, {m['ci_high']:.4f}]"
    return text


class Gate(_JsonResult):
    """A policy's verdict on an audit (``fairgate gate``'s JSON): ``passed`` and ``rules``."""

    @property
    def passed(self) -> bool:
        """True when no rule blocks."""
        return bool(self._dict["passed"])

    @property
    def rules(self) -> List[Dict[str, Any]]:
        """Every rule with its status, in policy order."""
        return json.loads(self._json)["rules"]

    def summary(self) -> str:
        """The verdict as ``fairgate gate`` prints it, the table unlimited in width."""
        return _render("gate", self._json, "table")

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"<fairgate.Gate: {'PASS' if self.passed else 'FAIL'}, {len(self._dict['rules'])} rules>"


def audit(
    data: Any,
    *,
    label: str,
    score: Optional[str] = None,
    prediction: Optional[str] = None,
    protected: Union[str, Sequence[str], None] = None,
    sensitive_features: Union[str, Sequence[str], None] = None,
    intersect: Iterable[Union[str, Sequence[str]]] = (),
    threshold: Optional[float] = None,
    reference: Optional[Mapping[str, str]] = None,
    weight: Optional[str] = None,
    positive: Optional[str] = None,
    na: Optional[Sequence[str]] = None,
    on_invalid: str = "error",
    max_rejected: Optional[float] = None,
    filter: Optional[str] = None,
    min_group_size: Optional[int] = None,
    confidence: Optional[float] = None,
    bins: Union[int, str, None] = None,
    bootstrap: int = 0,
    seed: int = 0,
    max_groups: Optional[int] = None,
) -> Audit:
    """Audits the scores (or 0/1 decisions) in ``data`` across protected groups.

    ``data`` is a pandas or polars DataFrame, a pyarrow Table, anything with
    ``__arrow_c_stream__``, or a dict of columns. The arguments are ``fairgate audit``'s
    flags: ``label`` (0/1, true/false, yes/no, or two values with ``positive``), ``score``
    (numbers in [0, 1]) or ``prediction`` (0/1), ``protected`` (``sensitive_features`` is
    Fairlearn's name for it: column names), ``intersect`` (lists of protected columns),
    ``threshold`` (default 0.5), ``reference`` ({attribute: group}), ``weight``, ``na``
    (values meaning missing; a null is always missing), ``on_invalid`` ("error": the first
    invalid value raises; "skip": such rows are counted by reason, up to ``max_rejected``),
    ``filter`` ("COLUMN=VALUE"), ``min_group_size`` (default 30), ``confidence`` (0.95),
    ``bins`` (10, or "quantile:K"), ``bootstrap`` replicates with ``seed``, ``max_groups``.

    Returns an :class:`Audit` whose ``to_dict()`` equals the CLI's audit of the same data
    written as CSV, apart from ``input`` (which names the data ``DataFrame`` and has no
    file hash). Raises :class:`FairgateError` on a missing column, an invalid value (with
    its row and column) or an option out of range.
    """
    if protected is not None and sensitive_features is not None:
        raise FairgateError("give protected or sensitive_features, not both")
    spec: Dict[str, Any] = {"label": label, "on-invalid": on_invalid}
    for key, value in (("score", score), ("prediction", prediction), ("weight", weight),
                       ("positive", positive), ("filter", filter),
                       ("max-rejected", max_rejected)):
        if value is not None:
            spec[key] = value
    columns = _column_list(protected if protected is not None else sensitive_features)
    if columns is not None:
        spec["protected"] = columns
    if na is not None:
        spec["na"] = [na] if isinstance(na, str) else list(na)
    options: Dict[str, Any] = {
        "intersect": [_column_list(i) for i in intersect],
        "reference": dict(reference or {}),
        "bootstrap": int(bootstrap),
        "seed": int(seed),
    }
    for key, value in (("threshold", threshold), ("min_group_size", min_group_size),
                       ("confidence", confidence), ("max_groups", max_groups)):
        if value is not None:
            options[key] = value
    if bins is not None:
        options["bins"] = str(bins)
    stream = _arrow_data(data)
    return Audit(_audit_json(stream, json.dumps(spec), json.dumps(options), _ORIGIN))


def gate(audit: Union[Audit, str, Mapping[str, Any]], policy: Optional[str] = None) -> Gate:
    """Judges an audit against a policy, as ``fairgate gate --policy``: a built-in one by name
    (``"four-fifths"``, ``"gdpr-strict"``; a file of that name wins) or a policy file (TOML);
    the four-fifths rule when ``policy`` is None. ``audit`` is an :class:`Audit`, an audit's
    JSON text, or its dict."""
    if isinstance(audit, Audit):
        text = audit.to_json()
    elif isinstance(audit, str):
        text = audit
    else:
        text = json.dumps(audit)
    if policy is not None:
        policy = os.fspath(policy)
        # Python spellings of the built-in names (four_fifths), when no such file exists.
        dashed = policy.replace("_", "-")
        if dashed in ("four-fifths", "gdpr-strict") and not os.path.isfile(policy):
            policy = dashed
    return Gate(_gate_json(text, policy, "audit (Python)"))


def audit_estimator(
    model: Any,
    X: Any,
    y: Any,
    *,
    sensitive: Any = None,
    sensitive_features: Any = None,
    threshold: float = 0.5,
    **options: Any,
) -> Audit:
    """Audits a fitted scikit-learn classifier on ``X``: its ``predict_proba`` for
    ``model.classes_[1]`` is the score, ``y`` the label, and ``sensitive`` (or Fairlearn's
    ``sensitive_features``) the protected attributes: a DataFrame, a Series, a dict of
    columns, or column names of ``X``. Other keyword arguments go to :func:`audit`."""
    import pyarrow as pa

    if sensitive is not None and sensitive_features is not None:
        raise FairgateError("give sensitive or sensitive_features, not both")
    groups = sensitive if sensitive is not None else sensitive_features
    if groups is None:
        raise FairgateError("audit_estimator needs the protected attributes: sensitive=...")
    classes = list(getattr(model, "classes_", []))
    if len(classes) != 2:
        raise FairgateError(
            f"audit_estimator needs a binary classifier (model.classes_ of two values), "
            f"found {classes}")
    scores = model.predict_proba(X)[:, 1]
    columns: Dict[str, Any] = {}
    if isinstance(groups, str) or (isinstance(groups, Sequence)
                                   and all(isinstance(g, str) for g in groups)):
        for name in _column_list(groups) or []:
            columns[name] = _arrow_column(X[name])
    elif hasattr(groups, "columns"):
        for name in groups.columns:
            columns[str(name)] = _arrow_column(groups[name])
    elif isinstance(groups, Mapping):
        for name, values in groups.items():
            columns[str(name)] = _arrow_column(values)
    else:
        name = str(getattr(groups, "name", None) or "sensitive_feature_0")
        columns[name] = _arrow_column(groups)
    protected = list(columns)
    label = "__label__"
    score = "__score__"
    while label in columns or score in columns:
        label, score = "_" + label, "_" + score
    y_column = _arrow_column(y)
    positive = None
    if not set(classes) <= {0, 1, True, False}:
        y_column = y_column.cast(pa.string())
        positive = str(classes[1])
    columns[label] = y_column
    columns[score] = pa.array(scores, type=pa.float64())
    return audit(pa.table(columns), label=label, score=score, protected=protected,
                 positive=positive, threshold=threshold, **options)


class Model(_JsonResult):
    """A trained model: the model file's JSON, as ``fairgate train`` writes it. ``save``
    writes it for the CLI; ``Model.load`` reads one; ``score`` scores a DataFrame with it."""

    def __init__(self, text: str, origin: str = "model") -> None:
        _model_check(text, origin)
        super().__init__(text)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Model":
        """Reads a model file (``fairgate train``'s), with the checks ``fairgate score``
        makes (schema version, consistency)."""
        with open(path, encoding="utf-8") as f:
            return cls(f.read(), os.fspath(path))

    @property
    def threshold(self) -> float:
        """The decision threshold: a score at or above it is a positive decision."""
        return float(self._dict["threshold"])

    def score(
        self,
        data: Any,
        *,
        id: Optional[str] = None,
        consent: Optional[str] = None,
        consent_timestamp: Optional[str] = None,
        as_of: Optional[str] = None,
        na: Optional[Sequence[str]] = None,
        on_invalid: str = "error",
        max_rejected: Optional[float] = None,
    ) -> Any:
        """Scores ``data`` as ``fairgate score`` scores a file: a pandas DataFrame with the
        columns ``fairgate score`` writes (the id when the model or ``id`` names one, the
        label when ``data`` has it, ``score``, ``decision``, the protected attributes), one
        row per row with a lawful basis, in ``data``'s order. Rows without consent (the
        model's consent columns, or ``consent``/``consent_timestamp``/``as_of``) are left
        out, so give an ``id`` column to join the scores back. ``attrs["fairgate"]`` holds
        the account (``fairgate score --summary``): rows read, rejected by reason, excluded
        for consent, scored, positive decisions, unseen categories.

        Ready to audit: ``fairgate.audit(scored, label=..., score="score", protected=...)``.
        """
        spec: Dict[str, Any] = {"on-invalid": on_invalid}
        for key, value in (("id", id), ("consent", consent),
                           ("consent-timestamp", consent_timestamp), ("as-of", as_of),
                           ("max-rejected", max_rejected)):
            if value is not None:
                spec[key] = value
        if na is not None:
            spec["na"] = [na] if isinstance(na, str) else list(na)
        csv, summary = _score_json(self._json, _arrow_data(data), json.dumps(spec), _ORIGIN)
        account = json.loads(summary)
        label = self._dict["label"]["column"]

        def types(header: List[str]) -> Dict[str, str]:
            # id, label, score, decision, then the protected attributes: by position, as a
            # protected column may share a name with none of them.
            dtypes = {c: "string" for c in header}
            for i, c in enumerate(header):
                if c == "score":
                    dtypes[c] = "float64"
                    if i + 1 < len(header):
                        dtypes[header[i + 1]] = "int64"
                    if i >= 1 and header[i - 1] == label:
                        dtypes[label] = "int64"
                    break
            return dtypes

        frame = _csv_frame(csv, types)
        frame.attrs["fairgate"] = account
        return frame

    def __repr__(self) -> str:
        return f"<fairgate.Model: {self._dict.get('kind')}, threshold {self._dict.get('threshold')}>"


class Explanation(_JsonResult):
    """A model's explanation (``fairgate explain --format json``): its terms, feature
    importance, proxies, data-minimisation candidates and score gaps; with ``reasons``, the
    reason codes and counterfactuals per person, and with ``contributions`` every feature's
    contribution per person (pandas DataFrames)."""

    def __init__(self, text: str, reasons: Any = None, contributions: Any = None) -> None:
        super().__init__(text)
        self.reasons = reasons
        self.contributions = contributions

    def summary(self) -> str:
        """The explanation as ``fairgate explain`` prints it on a terminal."""
        return _render("explanation", self._json, "table")

    def to_markdown(self) -> str:
        """The explanation as ``fairgate explain --format markdown`` writes it."""
        return _render("explanation", self._json, "markdown")

    def __repr__(self) -> str:
        rows = self._dict.get("rows", {})
        return f"<fairgate.Explanation: {rows.get('explained')} rows explained>"


def explain(
    model: Union[Model, str, "os.PathLike[str]"],
    data: Any,
    *,
    top: Optional[int] = None,
    repeats: Optional[int] = None,
    seed: Optional[int] = None,
    protected: Union[str, Sequence[str], None] = None,
    immutable: Union[str, Sequence[str], None] = None,
    minimisation_tolerance: Optional[float] = None,
    proxy_association: Optional[float] = None,
    proxy_auc: Optional[float] = None,
    min_group_size: Optional[int] = None,
    reasons: bool = True,
    contributions: bool = False,
) -> Explanation:
    """Explains ``model`` (a :class:`Model` or a model file's path) on ``data`` as ``fairgate
    explain`` explains it on a file: coefficients with intervals, permutation importance
    (``repeats``, ``seed``), proxies for the protected attributes (``protected`` overrides
    the model's; flagged from ``proxy_association`` and ``proxy_auc``), data-minimisation
    candidates, score gaps between groups of at least ``min_group_size``; ``top`` reason
    codes per person, with counterfactuals that never change ``immutable`` features. Rows
    without consent are left out. ``data`` is read twice (whole, then streamed), so it
    must be readable twice: a DataFrame or Table is; a one-shot pyarrow RecordBatchReader
    is read into a Table first."""
    if not isinstance(model, Model):
        model = Model.load(model)
    options: Dict[str, Any] = {"immutable": _column_list(immutable) or []}
    cols = _column_list(protected)
    if cols is not None:
        options["protected"] = cols
    for key, value in (("top", top), ("repeats", repeats), ("seed", seed),
                       ("minimisation_tolerance", minimisation_tolerance),
                       ("proxy_association", proxy_association), ("proxy_auc", proxy_auc),
                       ("min_group_size", min_group_size)):
        if value is not None:
            options[key] = value
    table = _arrow_data(data)
    if type(table).__name__ == "RecordBatchReader":
        table = table.read_all()
    text, reason_csv, contribution_csv = _explain_json(
        model.to_json(), table, json.dumps(options), _ORIGIN, bool(reasons), bool(contributions))

    def reasons_types(header: List[str]) -> Dict[str, str]:
        # id, score, decision, reason_1..k, counterfactuals.
        dtypes = {c: "string" for c in header}
        dtypes["score"] = "float64"
        dtypes["decision"] = "int64"
        return dtypes

    def contribution_types(header: List[str]) -> Dict[str, str]:
        # id, base, one column per feature, logit: all numbers but the id.
        dtypes = {c: "float64" for c in header}
        if header:
            dtypes[header[0]] = "string"
        return dtypes

    def frame(csv: Optional[str], types: Any) -> Any:
        return None if csv is None else _csv_frame(csv, types)

    return Explanation(text, frame(reason_csv, reasons_types),
                       frame(contribution_csv, contribution_types))


_PathLike = Union[str, "os.PathLike[str]"]


def report(
    out: _PathLike,
    audit: Union[Audit, _PathLike],
    *,
    model: Union[Model, _PathLike, None] = None,
    explanation: Union[Explanation, _PathLike, None] = None,
    gate: Union[Gate, _PathLike, None] = None,
    context: Optional[_PathLike] = None,
    previous: Optional[_PathLike] = None,
    mitigation: Optional[_PathLike] = None,
    created: Union[int, str, None] = None,
) -> Dict[str, str]:
    """Writes the report folder ``out`` as ``fairgate report`` does: report.html, report.md,
    dpia.md, model_card.md (with a model) and evidence.json, which lists every input and
    output with its SHA-256.

    ``audit``, ``model``, ``explanation`` and ``gate`` are results from this package or
    paths of the CLI's files. A result is first saved into ``out/inputs/`` (audit.json,
    model.json, explanation.json, gate.json), so that the evidence names a file that
    ``fairgate report --verify out`` can check. ``context`` (the people's declarations,
    context.toml), ``previous`` (the previous audit) and ``mitigation`` (``fairgate mitigate
    --config`` JSON) are paths. ``created`` (seconds since 1970, or an ISO 8601 date or
    date-time as ``fairgate report --created`` takes; default ``SOURCE_DATE_EPOCH``, else
    now) makes the folder reproducible. Saved inputs are named in ``evidence.json`` by
    their path as given here (relative paths from the current folder, as the CLI records
    them), so verify from the same folder.

    Returns the written files' names with their SHA-256, evidence.json's included. Data audited from memory is listed
    in the evidence as in memory, without a digest: save it to a file and audit the file
    when the evidence must pin the data itself.
    """
    import time

    folder = os.fspath(out)
    inputs = os.path.join(folder, "inputs")

    def path_of(value: Any, name: str) -> Optional[str]:
        if value is None:
            return None
        if isinstance(value, _JsonResult):
            os.makedirs(inputs, exist_ok=True)
            target = os.path.join(inputs, name)
            value.save(target)
            return target
        return os.fspath(value)

    if created is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        created = int(epoch) if epoch and epoch.strip().isdigit() else int(time.time())
    elif isinstance(created, str):
        from datetime import datetime, timezone

        try:
            when = datetime.fromisoformat(created.strip().replace("Z", "+00:00"))
        except ValueError as e:
            raise FairgateError(
                f"created: expected an ISO 8601 date or date-time, found {created!r}") from e
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        created = int(when.timestamp())
    written = _report_write(
        folder, path_of(audit, "audit.json"), path_of(explanation, "explanation.json"),
        path_of(model, "model.json"), None if context is None else os.fspath(context),
        path_of(gate, "gate.json"), None if previous is None else os.fspath(previous),
        None if mitigation is None else os.fspath(mitigation), int(created))
    import hashlib

    out_files = dict(written)
    with open(os.path.join(folder, "evidence.json"), "rb") as f:
        out_files["evidence.json"] = hashlib.sha256(f.read()).hexdigest()
    return out_files


def train(
    data: Any,
    *,
    label: str,
    protected: Union[str, Sequence[str], None] = None,
    features: Union[str, Sequence[str], None] = None,
    exclude: Union[str, Sequence[str], None] = None,
    categorical: Union[str, Sequence[str], None] = None,
    timestamp: Union[str, Sequence[str], None] = None,
    consent: Optional[str] = None,
    consent_timestamp: Optional[str] = None,
    as_of: Optional[str] = None,
    id: Optional[str] = None,
    weight: Optional[str] = None,
    positive: Optional[str] = None,
    na: Optional[Sequence[str]] = None,
    on_invalid: str = "error",
    max_rejected: Optional[float] = None,
    missing_numeric: Optional[str] = None,
    model: str = "logistic",
    rules: Optional[str] = None,
    c: Optional[float] = None,
    class_weight: Optional[str] = None,
    test_size: Optional[float] = None,
    cv: Optional[int] = None,
    seed: Optional[int] = None,
    max_levels: Optional[int] = None,
    threshold: Optional[float] = None,
    created: Optional[int] = None,
    reweigh: Union[str, Sequence[str], None] = None,
) -> Model:
    """Trains a model on ``data`` as ``fairgate train`` trains on a file: a logistic
    regression (``c``, ``class_weight="balanced"``, ``test_size``, ``cv``, ``seed``) or a
    points model (``model="points"``, ``rules=`` a rules file), with the protected
    attributes never features, only consented rows (``consent``), and the model's threshold.
    ``created`` (seconds since 1970) makes the file reproducible. Returns a :class:`Model`
    whose JSON equals the CLI's for the same data as CSV, apart from what names the input."""
    spec: Dict[str, Any] = {"label": label, "on-invalid": on_invalid}
    for key, value in (("consent", consent), ("consent-timestamp", consent_timestamp),
                       ("as-of", as_of), ("id", id), ("weight", weight),
                       ("positive", positive), ("max-rejected", max_rejected),
                       ("missing-numeric", missing_numeric)):
        if value is not None:
            spec[key] = value
    for key, value in (("protected", protected), ("features", features),
                       ("exclude", exclude), ("categorical", categorical),
                       ("timestamp", timestamp)):
        columns = _column_list(value)
        if columns is not None:
            spec[key] = columns
    if na is not None:
        spec["na"] = [na] if isinstance(na, str) else list(na)
    options: Dict[str, Any] = {"model": model, "reweigh": _column_list(reweigh) or []}
    for key, value in (("rules", rules), ("c", c), ("class_weight", class_weight),
                       ("test_size", test_size), ("cv", cv), ("seed", seed),
                       ("max_levels", max_levels), ("threshold", threshold),
                       ("created", created)):
        if value is not None:
            options[key] = value
    return Model(_train_json(_arrow_data(data), json.dumps(spec), json.dumps(options),
                             _ORIGIN))
