"""The Python package against the CLI it mirrors: the audit of a DataFrame (pandas, polars,
pyarrow) equals the CLI's audit of the same data written as CSV, byte for byte apart from
`input`; errors are FairgateError with the row and column, and the interpreter survives.

The CLI binary is FAIRGATE_BIN, or the repository's target/debug/fairgate (built by
`cargo test`/`cargo build`).
"""

import json
import os
import pathlib
import subprocess

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import fairgate

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "leads_demo.csv"


def cli_bin():
    path = os.environ.get("FAIRGATE_BIN") or str(ROOT / "target" / "debug" / "fairgate")
    if not pathlib.Path(path).exists():
        pytest.fail(f"no fairgate binary at {path}: run cargo build first or set FAIRGATE_BIN")
    return path


def cli_audit(csv, *args):
    out = subprocess.run([cli_bin(), "audit", "--data", str(csv), "--format", "json", *args],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def without_input(text):
    d = json.loads(text)
    d.pop("input")
    return json.dumps(d, indent=2, sort_keys=False)


def awkward(tmp_path):
    """3,000 rows: labels as 0/1, 3-decimal scores, 0/1 decisions, integer weights, a group
    with missing values and `unknown`, and 7 rows every audit rejects (a score of 1.5 or
    n/a, a missing label, `maybe`, a negative weight, a decision of 2)."""
    lines = ["y,s,d,g,h,w"]
    for i in range(3000):
        g = ["a", "b", "", "c"][i % 4]
        h = ["x", "y", "unknown", "z"][(i % 4 + i % 3) % 4]
        s = ((i * 7919) % 1000) / 1000
        y = ["1", "0", "1", "0", "0"][(i * 31) % 7 % 5]
        d = int(s > 0.4 and i % 5 != 0)
        w = 3 - i % 3
        lines.append(f"{y},{s},{d},{g},{h},{w}")
    lines += ["1,1.5,1,a,x,1", ",0.3,0,b,y,1", "0,0.2,0,a,x,-1", "1,n/a,1,a,x,1",
              "maybe,0.2,1,a,x,1", "1,0.2,2,a,x,1"]
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def frames(csv):
    """The CSV as each library reads it, every column as text where a number would change
    what is written (so that each frame holds the same data as the file)."""
    text = {c: str for c in ["y", "s", "d", "g", "h", "w"]}
    return {
        "pandas": pd.read_csv(csv, dtype=text, keep_default_na=False, na_values=[""]),
        "polars": pl.read_csv(csv, infer_schema=False),
        "pyarrow": pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in text}, null_values=[""],
            strings_can_be_null=True)),
    }


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
def test_the_demo_audit_equals_the_cli_audit(library):
    data = {"pandas": lambda: pd.read_csv(DEMO), "polars": lambda: pl.read_csv(DEMO),
            "pyarrow": lambda: pacsv.read_csv(DEMO)}[library]()
    a = fairgate.audit(data, label="converted", score="vendor_score",
                       protected=["gender", "age_band", "ethnicity"],
                       intersect=[["gender", "age_band"]], threshold=0.2)
    cli = cli_audit(DEMO, "--label", "converted", "--score", "vendor_score", "--protected",
                    "gender,age_band,ethnicity", "--intersect", "gender,age_band",
                    "--threshold", "0.2")
    assert without_input(a.to_json()) == without_input(cli)
    assert a.to_dict()["schema_version"] == json.loads(cli)["schema_version"]
    assert a.to_dict()["input"]["path"] == "DataFrame"


CASES = [
    (dict(score="s"), ["--score", "s"], {}),
    (dict(prediction="d", weight="w"), ["--prediction", "d", "--weight", "w"], {}),
    (dict(score="s", weight="w"), ["--score", "s", "--weight", "w", "--min-group-size", "20",
                                   "--bootstrap", "30", "--seed", "7"],
     dict(min_group_size=20, bootstrap=30, seed=7)),
]


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_scores_decisions_weights_missing_and_rejections_equal_the_cli(tmp_path, library, case):
    csv = awkward(tmp_path)
    roles, flags, options = CASES[case]
    data = frames(csv)[library]
    a = fairgate.audit(data, label="y", protected=["g", "h"], on_invalid="skip",
                       max_rejected=1, **roles, **options)
    cli = cli_audit(csv, "--label", "y", "--protected", "g,h", "--on-invalid", "skip",
                    "--max-rejected", "1", *flags)
    assert without_input(a.to_json()) == without_input(cli)
    # The rejections agree by reason, column, count and first row.
    assert json.loads(a.to_json())["input"]["rejected"] == json.loads(cli)["input"]["rejected"]
    # The score 1.5 (or, by decision, the decision 2) is rejected at its row from 0.
    reason, row = ("out_of_range", 3000) if "score" in roles else ("not_a_boolean", 3005)
    assert any(r["reason"] == reason and r["first_row"] == row for r in a.rejected), a.rejected


def test_a_dict_of_numpy_arrays_and_a_pandas_frame_with_nan_scores():
    rng = np.random.default_rng(3)
    n = 5000
    y = rng.integers(0, 2, n)
    s = np.clip(rng.normal(0.4 + 0.2 * y, 0.15), 0, 1)
    g = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]
    by_dict = fairgate.audit({"y": y, "s": s, "g": g}, label="y", score="s", protected="g")
    by_frame = fairgate.audit(pd.DataFrame({"y": y, "s": s, "g": g}), label="y", score="s",
                              protected="g")
    assert by_dict.to_json() == by_frame.to_json()
    # A NaN score in pandas is a missing value (pandas writes it to CSV as an empty field):
    # the row is counted as rejected, as the CLI counts an empty score.
    s2 = s.copy()
    s2[17] = np.nan
    a = fairgate.audit(pd.DataFrame({"y": y, "s": s2, "g": g}), label="y", score="s",
                       protected="g")
    assert a.rejected == [{"reason": "missing_value", "column": "s", "rows": 1, "first_row": 17}]
    # In polars a NaN stays NaN: not a finite number.
    with pytest.raises(fairgate.FairgateError) as e:
        fairgate.audit(pl.DataFrame({"y": y, "s": s2, "g": g}), label="y", score="s",
                       protected="g")
    assert (e.value.row, e.value.column, e.value.reason) == (17, "s", "not_finite"), str(e.value)
    assert "row 17 (from 0)" in str(e.value)


def test_errors_name_the_column_and_row_and_the_interpreter_survives():
    df = pd.read_csv(DEMO)
    with pytest.raises(fairgate.FairgateError) as e:
        fairgate.audit(df, label="converted", score="vendor_scor", protected="gender")
    assert e.value.column == "vendor_scor" and "did you mean \"vendor_score\"" in str(e.value)
    bad = df.copy()
    bad["vendor_score"] = bad["vendor_score"].astype(str)
    bad.loc[42, "vendor_score"] = "high"
    with pytest.raises(fairgate.FairgateError) as e:
        fairgate.audit(bad, label="converted", score="vendor_score", protected="gender")
    assert (e.value.row, e.value.column, e.value.reason) == (42, "vendor_score", "not_a_number")
    three = df.copy()
    three["converted"] = three["converted"].astype(str)
    three.loc[7, "converted"] = "2"
    with pytest.raises(fairgate.FairgateError) as e:
        fairgate.audit(three, label="converted", score="vendor_score", protected="gender")
    assert (e.value.row, e.value.column) == (7, "converted"), str(e.value)
    with pytest.raises(fairgate.FairgateError, match="threshold"):
        fairgate.audit(df, label="converted", score="vendor_score", protected="gender",
                       threshold=1.5)
    with pytest.raises(fairgate.FairgateError, match="expected a table") as e:
        fairgate.audit([1, 2, 3], label="converted", score="vendor_score", protected="gender")
    assert e.value.row is None and e.value.column is None
    # After all that, the same process still audits.
    ok = fairgate.audit(df, label="converted", score="vendor_score", protected="gender")
    assert ok.to_dict()["input"]["rows_used"] == len(df)


@pytest.mark.parametrize("policy", ["policy-four-fifths.toml", "policy-gdpr-strict.toml",
                                    "four-fifths", "gdpr-strict", "gdpr_strict"])
def test_the_gate_judges_as_the_cli_does(tmp_path, policy):
    df = pd.read_csv(DEMO)
    a = fairgate.audit(df, label="converted", score="vendor_score",
                       protected=["gender", "age_band"], threshold=0.2)
    path = tmp_path / "audit.json"
    path.write_text(a.to_json())
    # A file by path, or a built-in policy by name (as the command line takes it).
    policy_file = str(ROOT / "datasets" / policy) if policy.endswith(".toml") else policy
    g = fairgate.gate(a, policy=policy_file)
    cli_policy = policy_file if policy.endswith(".toml") else policy.replace("_", "-")
    cli = subprocess.run([cli_bin(), "gate", "--policy", cli_policy, "--audit", str(path),
                          "--format", "json"], capture_output=True, text=True)
    assert cli.returncode in (0, 1), cli.stderr
    assert g.passed is (cli.returncode == 0)
    strip = lambda rules: [{k: v for k, v in r.items()} for r in rules]  # noqa: E731
    assert strip(g.rules) == strip(json.loads(cli.stdout)["rules"])
    assert bool(g) is g.passed and ("PASS" in g.summary() or "FAIL" in g.summary())
    # The demo's injected age bias fails the four-fifths rule, built in or from the file.
    assert fairgate.gate(a).passed is False


def test_frame_summary_and_html():
    df = pd.read_csv(DEMO)
    a = fairgate.audit(df, label="converted", score="vendor_score",
                       protected=["gender", "age_band"], threshold=0.2)
    frame = a.to_frame()
    assert list(frame.columns) == ["attribute", "group", "metric", "value", "ci_low",
                                   "ci_high", "undefined_reason"]
    d = a.to_dict()
    female = d["attributes"][0]["groups"][0]
    row = frame[(frame.attribute == "gender") & (frame.group == female["group"])
                & (frame.metric == "tpr")].iloc[0]
    assert row.value == female["metrics"]["tpr"]["value"]
    # An undefined value is None with its reason, never a bare NaN.
    undefined = frame[frame.value.isna()]
    assert undefined.undefined_reason.notna().all()
    assert a.summary().startswith("DataFrame: 20000 rows audited, 0 rejected; threshold 0.2")
    assert "gender" in a.summary() and "<table>" in a._repr_html_()
    md = a.to_markdown()
    assert "gender" in md and "\n|" in md


def test_audit_estimator_equals_the_audit_of_its_scores():
    from sklearn.linear_model import LogisticRegression

    df = pd.read_csv(DEMO)
    X = df[["email_opens", "email_clicks", "page_visits", "webinars_attended"]]
    model = LogisticRegression(max_iter=1000).fit(X, df["converted"])
    a = fairgate.audit_estimator(model, X, df["converted"],
                                 sensitive_features=df[["gender", "age_band"]], threshold=0.2)
    scored = pd.DataFrame({"converted": df["converted"],
                           "p": model.predict_proba(X)[:, 1],
                           "gender": df["gender"], "age_band": df["age_band"]})
    b = fairgate.audit(scored, label="converted", score="p", protected=["gender", "age_band"],
                       threshold=0.2)
    da, db = a.to_dict(), b.to_dict()
    assert da["attributes"] == db["attributes"]
    # Word labels: the positive class is model.classes_[1].
    words = df["converted"].map({1: "won", 0: "lost"})
    model_w = LogisticRegression(max_iter=1000).fit(X, words)
    w = fairgate.audit_estimator(model_w, X, words, sensitive=df["gender"], threshold=0.2)
    assert w.to_dict()["input"]["rows_used"] == len(df)


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_train_equals_the_cli_model_apart_from_the_input_name(tmp_path, library):
    data = {"pandas": pd.read_csv, "polars": pl.read_csv}[library](DEMO)
    roles = dict(label="converted", protected=["gender", "age_band", "ethnicity", "region"],
                 consent="consent", id="lead_id",
                 exclude=["vendor_score", "consent_timestamp", "postcode_district"])
    m = fairgate.train(data, created=0, class_weight="balanced", **roles)
    out = tmp_path / "model.json"
    cli = subprocess.run([cli_bin(), "train", "--data", str(DEMO), "--label", "converted",
                          "--protected", "gender,age_band,ethnicity,region", "--consent",
                          "consent", "--id", "lead_id", "--exclude",
                          "vendor_score,consent_timestamp,postcode_district",
                          "--class-weight", "balanced",
                          "--created", "1970-01-01T00:00:00Z", "--out", str(out)],
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    want, got = json.loads(out.read_text()), m.to_dict()
    assert (got["data"].pop("file"), got["data"].pop("sha256")) == ("DataFrame", "")
    want["data"].pop("file")
    want["data"].pop("sha256")
    assert got == want
    m.save(str(tmp_path / "py.json"))
    assert json.loads((tmp_path / "py.json").read_text())["coefficients"] == want["coefficients"]
    with pytest.raises(fairgate.FairgateError, match="class_weight"):
        fairgate.train(data, class_weight="heavy", **roles)


def _rss_and_reset_peak():
    """The resident set size now, after resetting the peak (VmHWM) to it (Linux)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))


def _peak():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))


@pytest.mark.skipif(not os.path.exists("/proc/self/clear_refs"), reason="Linux /proc only")
@pytest.mark.parametrize("library", ["pyarrow", "polars"])
def test_the_columns_are_not_copied(library):
    # 2,000,000 rows (label, score, two string groups): the audit's peak memory above what
    # the process held before stays under half of the columns' own size, where one copy of
    # them would add their whole size (benches/peer_python.py measures 10,000,000 rows).
    # Scores have 4 decimals: the audit keeps the exact (score, label) histogram of each
    # group, which grows with the distinct scores (2,000,000 distinct doubles: about 145 MiB),
    # as the CLI's audit of a file does; that is its statistics, not a copy of the data.
    rng = np.random.default_rng(0)
    n = 2_000_000
    columns = {"label": rng.integers(0, 2, n), "score": np.round(rng.random(n), 4),
               "a": rng.choice(["north", "south", "east", "west"], n),
               "b": rng.choice(["x", "y", "z"], n)}
    data = pa.table(columns) if library == "pyarrow" else pl.DataFrame(columns)
    del columns
    size = data.nbytes if library == "pyarrow" else data.estimated_size()
    fairgate.audit(data, label="label", score="score", protected=["a", "b"])  # warm-up
    before = _rss_and_reset_peak()
    fairgate.audit(data, label="label", score="score", protected=["a", "b"])
    added = _peak() - before
    assert added < size / 2, f"the audit added {added / 2**20:.1f} MiB to {size / 2**20:.1f} MiB of columns"
