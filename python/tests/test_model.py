"""Scoring, explaining and reporting from Python against the CLI they mirror: the CLI's
files are read with Python's own csv and json modules (not the package's parsers), and
every value must be equal: scores to the last bit, decisions, ids, groups, the scoring
account, the explanation's JSON, the reasons and contributions, and the report folder.

The CLI binary is FAIRGATE_BIN, or the repository's target/debug/fairgate.
"""

import csv
import json
import os
import pathlib
import subprocess
from datetime import datetime, timezone

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import fairgate

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "leads_demo.csv"
MODEL = ROOT / "reports" / "demo-model.json"


def cli(*args, ok=(0,), cwd=None):
    path = os.environ.get("FAIRGATE_BIN") or str(ROOT / "target" / "debug" / "fairgate")
    if not pathlib.Path(path).exists():
        pytest.fail(f"no fairgate binary at {path}: run cargo build first or set FAIRGATE_BIN")
    out = subprocess.run([path, *map(str, args)], capture_output=True, text=True, cwd=cwd)
    assert out.returncode in ok, out.stderr
    return out


def read_csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def demo_frames():
    """The demo file as pandas (categories as strings, ids as strings), polars and pyarrow
    read it: three libraries' own readers, three sets of column types."""
    table = pacsv.read_csv(DEMO, convert_options=pacsv.ConvertOptions(
        column_types={"lead_id": pa.string()}, strings_can_be_null=True))
    return {
        "pyarrow": table,
        "pandas": pd.read_csv(DEMO, dtype={"lead_id": str}),
        "polars": pl.read_csv(DEMO, schema_overrides={"lead_id": pl.Utf8}),
    }


@pytest.fixture(scope="module")
def cli_scores(tmp_path_factory):
    d = tmp_path_factory.mktemp("score")
    cli("score", "--model", MODEL, "--data", DEMO, "--out", d / "scored.csv",
        "--summary", d / "summary.json", "--raw-csv")
    return d / "scored.csv", json.loads((d / "summary.json").read_text())


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_model_score_equals_cli_score(kind, cli_scores):
    scored_csv, summary = cli_scores
    summary = dict(summary)
    model = fairgate.Model.load(MODEL)
    frame = model.score(demo_frames()[kind])
    same_frame(frame, scored_csv)
    account = frame.attrs["fairgate"]
    for key in ("file", "sha256"):
        summary.pop(key)
        account.pop(key)
    assert account == summary
    # The model's consent rule left rows out, and they are counted, not lost.
    assert account["rows_scored"] + sum(account["excluded"].values()) == account["rows_read"]
    assert sum(account["excluded"].values()) > 0


def test_scores_audit_as_the_cli_audits_them(cli_scores, tmp_path):
    scored_csv, _ = cli_scores
    frame = fairgate.Model.load(MODEL).score(demo_frames()["pandas"])
    ours = fairgate.audit(frame, label="converted", score="score",
                          protected=["gender", "age_band"])
    out = cli("audit", "--data", scored_csv, "--label", "converted", "--score", "score",
              "--protected", "gender,age_band", "--format", "json")
    theirs = json.loads(out.stdout)
    mine = ours.to_dict()
    mine.pop("input")
    theirs.pop("input")
    assert mine == theirs


def test_a_model_trained_in_python_scores_as_the_cli_scores_with_it(tmp_path):
    frames = demo_frames()
    model = fairgate.train(frames["polars"], label="converted", id="lead_id",
                           protected=["gender", "age_band", "ethnicity", "region"],
                           consent="consent", consent_timestamp="consent_timestamp",
                           as_of="2026-06-30", created=0)
    model.save(tmp_path / "model.json")
    again = fairgate.Model.load(tmp_path / "model.json")
    assert again.to_json() == model.to_json()
    cli("score", "--model", tmp_path / "model.json", "--data", DEMO, "--out",
        tmp_path / "scored.csv", "--raw-csv")
    same_frame(model.score(frames["pandas"]), tmp_path / "scored.csv")


def test_score_consent_override_and_unseen_categories(tmp_path):
    table = demo_frames()["pyarrow"]
    # Everyone consented now: a consent column of the caller's choosing overrides the model's.
    everyone = table.append_column("ok", pa.array([True] * table.num_rows))
    industries = table.column("industry").to_pylist()
    industries[:5] = ["alchemy"] * 5
    everyone = everyone.set_column(everyone.schema.get_field_index("industry"), "industry",
                                   pa.array(industries))
    frame = fairgate.Model.load(MODEL).score(everyone, consent="ok",
                                             consent_timestamp="consent_timestamp")
    account = frame.attrs["fairgate"]
    assert account["excluded"]["consent_refused"] == 0
    assert account["excluded"]["consent_missing"] == 0
    pacsv.write_csv(everyone, tmp_path / "everyone.csv")
    cli("score", "--model", MODEL, "--data", tmp_path / "everyone.csv", "--consent", "ok",
        "--consent-timestamp", "consent_timestamp", "--out", tmp_path / "s.csv",
        "--summary", tmp_path / "s.json", "--raw-csv")
    same_frame(frame, tmp_path / "s.csv")
    theirs = json.loads((tmp_path / "s.json").read_text())
    assert account["unseen_categories"] == theirs["unseen_categories"] == [["industry", 5]]
    assert account["excluded"] == theirs["excluded"]


def test_score_errors_name_the_column_and_row():
    model = fairgate.Model.load(MODEL)
    frame = pd.read_csv(DEMO, dtype={"lead_id": str})
    with pytest.raises(fairgate.FairgateError) as e:
        model.score(frame.drop(columns=["email_clicks", "region"]))
    assert "email_clicks" in str(e.value) and "region" in str(e.value)
    bad = frame.astype({"email_clicks": "object"})
    bad.loc[42, "email_clicks"] = "many"
    with pytest.raises(fairgate.FairgateError) as e:
        model.score(bad)
    assert e.value.row == 42 and e.value.column == "email_clicks"
    assert e.value.reason == "not_a_number"
    # The interpreter is fine and the model scores again.
    assert len(model.score(frame)) > 0


def test_a_broken_model_file_is_a_fairgate_error(tmp_path):
    broken = json.loads(MODEL.read_text())
    broken["schema_version"] = 999
    (tmp_path / "m.json").write_text(json.dumps(broken))
    with pytest.raises(fairgate.FairgateError, match="schema version 999"):
        fairgate.Model.load(tmp_path / "m.json")
    (tmp_path / "n.json").write_text("{not json")
    with pytest.raises(fairgate.FairgateError, match="not a fairgate model"):
        fairgate.Model.load(tmp_path / "n.json")


@pytest.fixture(scope="module")
def cli_explanation(tmp_path_factory):
    d = tmp_path_factory.mktemp("explain")
    out = cli("explain", "--model", MODEL, "--data", DEMO, "--format", "json",
              "--reasons", d / "reasons.csv", "--contributions", d / "contrib.csv",
              "--raw-csv", "--immutable", "company_size")
    return json.loads(out.stdout), d / "reasons.csv", d / "contrib.csv"


def same_frame(frame, csv_path):
    """The DataFrame equals the CLI's CSV, value for value: numbers exactly, text as
    written, an empty field as missing."""
    rows = read_csv_rows(csv_path)
    header, body = rows[0], rows[1:]
    assert list(frame.columns) == header
    assert len(frame) == len(body)
    for name, column in zip(header, zip(*body)):
        got = frame[name].tolist()
        if frame[name].dtype == "float64":
            assert got == [float(v) for v in column], name
        elif frame[name].dtype == "int64":
            assert got == [int(v) for v in column], name
        else:
            assert [None if v is pd.NA else v for v in got] == \
                [v if v != "" else None for v in column], name


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_explain_equals_cli_explain(kind, cli_explanation):
    theirs, reasons, contributions = cli_explanation
    e = fairgate.explain(MODEL, demo_frames()[kind], contributions=True,
                         immutable=["company_size"])
    mine = e.to_dict()
    assert mine["input"]["path"] == "DataFrame"
    mine.pop("input")
    theirs = dict(theirs)
    theirs.pop("input")
    assert mine == theirs
    same_frame(e.reasons, reasons)
    same_frame(e.contributions, contributions)
    assert "proxies" in e.to_markdown().lower() or "proxy" in e.to_markdown().lower()
    assert e.summary().strip()


def test_explain_reads_a_one_shot_stream():
    table = demo_frames()["pyarrow"]
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=3000))
    e = fairgate.explain(fairgate.Model.load(MODEL), reader, reasons=False, repeats=0)
    assert e.reasons is None
    assert e.to_dict()["rows"]["explained"] > 0


def test_report_from_python_equals_the_cli_report_and_verifies(tmp_path):
    frames = demo_frames()
    model = fairgate.Model.load(MODEL)
    scored = model.score(frames["pandas"])
    a = fairgate.audit(scored, label="converted", score="score",
                       protected=["gender", "age_band"], threshold=model.threshold)
    g = fairgate.gate(a)
    e = fairgate.explain(model, frames["pandas"], reasons=False)
    out, inputs = tmp_path / "out", tmp_path / "out" / "inputs"
    written = fairgate.report(out, a, model=model, explanation=e, gate=g,
                              context=ROOT / "datasets" / "context.toml", created=1780000000)
    assert set(written) == {"report.html", "report.md", "dpia.md", "model_card.md",
                            "evidence.json"}
    for name in ("audit.json", "model.json", "explanation.json", "gate.json"):
        assert (inputs / name).exists()
    # From the repository, where the model's training data (datasets/...) is.
    verified = cli("report", "--verify", out, cwd=ROOT)
    assert "NO DIGEST" in verified.stdout and "not checked" in verified.stdout
    # The CLI's report from the saved files is the same folder, byte for byte.
    cli("report", "--audit", inputs / "audit.json", "--model", inputs / "model.json",
        "--explain", inputs / "explanation.json", "--gate", inputs / "gate.json",
        "--context", ROOT / "datasets" / "context.toml",
        "--created", datetime.fromtimestamp(1780000000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "--out", tmp_path / "cli")
    for name in ("report.html", "report.md", "dpia.md", "model_card.md", "evidence.json"):
        assert (out / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    md = (out / "report.md").read_text()
    assert "data handed over in memory" in md
    # A changed input fails verification.
    (inputs / "gate.json").write_text("{}")
    cli("report", "--verify", out, ok=(1,), cwd=ROOT)


def test_report_accepts_the_cli_files(tmp_path):
    written = fairgate.report(tmp_path / "r", ROOT / "reports" / "demo-audit.json",
                              model=MODEL, created=0)
    assert "model_card.md" in written
    cli("report", "--verify", tmp_path / "r", cwd=ROOT)
    assert not (tmp_path / "r" / "inputs").exists()


def test_messages_name_this_packages_arguments_not_the_clis_flags():
    frame = pd.read_csv(DEMO)
    with pytest.raises(fairgate.FairgateError) as e:
        fairgate.audit(frame, label="converted", score="vendor_scroe", protected="gender")
    assert "(given for score)" in str(e.value) and "--" not in str(e.value)
    with pytest.raises(fairgate.FairgateError) as e:
        fairgate.audit(frame, label="converted", score="vendor_score", protected="lead_id",
                       max_groups=50)
    assert "max_groups 50" in str(e.value) and "--max-groups" not in str(e.value)
    # Every row rejected: the reasons name rows from 0, not file lines.
    bad = frame.assign(vendor_score="high")
    with pytest.raises(fairgate.FairgateError) as e:
        fairgate.audit(bad, label="converted", score="vendor_score", protected="gender",
                       on_invalid="skip", max_rejected=1.0)
    assert "first at row 0 from 0" in str(e.value), str(e.value)


def small_model(tmp_path):
    """A model trained by the CLI on 400 rows: `n` numeric, `b` 0/1 (read as a number),
    `f` true/false (a boolean feature), `c` a category; `g` protected."""
    rows = ["y,n,b,f,c,g"]
    for i in range(400):
        n = (i * 37) % 101
        b = (i * 7) % 3 == 0
        f = i % 5 < 2
        y = int((n > 50) ^ b ^ (i % 7 == 0))
        rows.append(f"{y},{n},{int(b)},{str(f).lower()},{'pqr'[i % 3]},{'gh'[i % 2]}")
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")
    cli("train", "--data", tmp_path / "train.csv", "--label", "y", "--protected", "g",
        "--created", "2026-01-01", "--out", tmp_path / "m.json")
    return fairgate.Model.load(tmp_path / "m.json")


def test_numeric_features_take_booleans_and_all_missing_columns_as_the_cli_does(tmp_path):
    model = small_model(tmp_path)
    frame = pd.read_csv(tmp_path / "train.csv")
    cases = {
        # The 0/1 feature arriving as true/false, and the boolean one as 0/1.
        "swapped": frame.assign(b=frame["b"].astype(bool), f=frame["f"].astype(int)),
        # A numeric feature with no value at all: filled as in training.
        "empty": frame.assign(n=pd.array([pd.NA] * len(frame), dtype="Int64")),
    }
    for name, data in cases.items():
        scored = model.score(data)
        path = tmp_path / f"{name}.csv"
        data.to_csv(path, index=False)
        cli("score", "--model", tmp_path / "m.json", "--data", path, "--out",
            tmp_path / f"{name}-scored.csv", "--raw-csv")
        same_frame(scored, tmp_path / f"{name}-scored.csv")
    # A word among the numbers is an invalid value at its row, whatever the first rows hold.
    bad = frame.astype({"n": object})
    bad.loc[3, "n"] = pd.NA
    bad.loc[300, "n"] = "lots"
    with pytest.raises(fairgate.FairgateError) as e:
        model.score(bad)
    assert (e.value.row, e.value.column, e.value.reason) == (300, "n", "not_a_number")


def test_score_keeps_awkward_column_names_and_text_values(tmp_path):
    frame = pd.read_csv(DEMO, dtype={"lead_id": str})
    # A protected column whose name holds a comma and a quote, with values like numbers.
    odd = 'region, "as told"'
    frame[odd] = ["0" + str(i % 3) for i in range(len(frame))]
    frame.loc[5, odd] = None
    model = json.loads(MODEL.read_text())
    model["roles"]["protected"] = model["roles"]["protected"] + [odd]
    (tmp_path / "m.json").write_text(json.dumps(model))
    m = fairgate.Model.load(tmp_path / "m.json")
    scored = m.score(frame)
    assert scored[odd].dtype == "string"
    assert scored[odd].iloc[0] == "00" and scored[odd].isna().sum() <= 1
    frame.to_csv(tmp_path / "odd.csv", index=False)
    cli("score", "--model", tmp_path / "m.json", "--data", tmp_path / "odd.csv", "--out",
        tmp_path / "odd-scored.csv", "--raw-csv")
    same_frame(scored, tmp_path / "odd-scored.csv")


def test_a_misspelled_id_and_pandas_na_in_a_mixed_column_are_errors_not_surprises():
    model = fairgate.Model.load(MODEL)
    frame = pd.read_csv(DEMO, dtype={"lead_id": str})
    with pytest.raises(fairgate.FairgateError, match="lead_idd"):
        model.score(frame, id="lead_idd")
    mixed = frame.astype({"email_clicks": object})
    mixed.loc[42, "email_clicks"] = "oops"
    mixed.loc[3, "email_clicks"] = pd.NA
    with pytest.raises(fairgate.FairgateError) as e:
        model.score(mixed)
    assert (e.value.row, e.value.column) == (42, "email_clicks")


def test_columns_named_like_flags_keep_their_names_in_messages():
    frame = pd.DataFrame({"y": [0, 1] * 50, "d": [1, 0] * 50,
                          "--grp": [f"g{i}" for i in range(100)]})
    with pytest.raises(fairgate.FairgateError) as e:
        fairgate.audit(frame, label="y", prediction="d", protected="--grp", max_groups=5)
    assert "--grp" in str(e.value) and "max_groups 5" in str(e.value)


def test_report_takes_an_iso_date(tmp_path):
    a = fairgate.audit(pd.read_csv(DEMO), label="converted", score="vendor_score",
                       protected="gender")
    fairgate.report(tmp_path / "one", a, created="2026-05-28T20:26:40Z")
    fairgate.report(tmp_path / "two", a, created=1780000000)
    created = [json.loads((tmp_path / d / "evidence.json").read_text())["created"]
               for d in ("one", "two")]
    assert created == ["2026-05-28T20:26:40Z"] * 2
    with pytest.raises(fairgate.FairgateError, match="ISO 8601"):
        fairgate.report(tmp_path / "three", a, created="yesterday")
