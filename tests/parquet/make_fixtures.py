"""Writes the Parquet fixtures of fairgate's tests (tests/parquet/*.parquet) and the CSV each
must audit the same as.

Run from the repository root with pyarrow, polars and pandas installed (versions pinned in
requirements.txt next to this file):

    python3 -m venv /tmp/pq && /tmp/pq/bin/pip install -r tests/parquet/requirements.txt
    /tmp/pq/bin/python tests/parquet/make_fixtures.py

Outputs, each deterministic for the pinned versions:

- leads_demo.pyarrow.parquet: datasets/leads_demo.csv read by pandas (its own dtypes:
  integers, floats, booleans, strings with nulls), written by pyarrow with snappy
  compression in row groups of 6,000 rows (4 row groups, the last one short).
- leads_demo.polars.parquet: the same CSV read by polars, written by polars with zstd
  compression in row groups of 7,000 rows (polars' string view and large types).
- edge.csv and edge.pyarrow.parquet: 3,000 generated rows with every type fairgate reads
  (float32 scores, boolean and integer labels, a dictionary-encoded protected column, decimal
  weights, dates and microsecond timestamps, int8 counts), nulls in every column, rows that
  must be rejected (a score of 1.5, a missing score, a NaN score, a missing label, a negative
  and a missing weight), and a list column that no role may name, in row groups of 1,000.
  edge.csv is pyarrow's CSV export of the same table (without the list column).
- stats_edge.parquet and stats_edge_parts/: the statistics file (docs/statistics.md) of
  edge.csv's label `converted01`, score `score` and protected `group`, `region`, counted
  here by a pandas group-by of the rows fairgate keeps (no weights), typed as Spark writes it
  (int64 counts and labels, double scores, nulls for the empty columns), its lines
  shuffled: as one file in row groups of 700 rows, and as a folder of three parts (the
  version and role lines in the last one) with a `_SUCCESS` marker and a `.crc` file that
  are not parts. stats_bad.parquet is the file with one score set to 1.5, and
  stats_bad.json says where (row as in a CSV export, row group, offset, column).
"""

import decimal
import json
import pathlib

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv  # noqa: F401 (pa.csv)
import pyarrow.parquet as pq

OUT = pathlib.Path(__file__).resolve().parent
DEMO = OUT.parent.parent / "datasets" / "leads_demo.csv"


def demo():
    frame = pd.read_csv(DEMO)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(
        table,
        OUT / "leads_demo.pyarrow.parquet",
        compression="snappy",
        row_group_size=6000,
    )
    pl.read_csv(DEMO).write_parquet(
        OUT / "leads_demo.polars.parquet",
        compression="zstd",
        row_group_size=7000,
        statistics=True,
    )


def edge():
    rng = np.random.default_rng(20261205)
    n = 3000
    score = rng.beta(2, 3, n).astype(np.float32)
    label = rng.random(n) < score
    weight = rng.integers(1, 400, n)
    day = rng.integers(19723, 20423, n)
    seen = 1704067200 * 10**6 + rng.integers(0, 10**14, n)

    def nulls(every, start):
        mask = np.zeros(n, dtype=bool)
        mask[start::every] = True
        return mask

    # Rows that must be rejected: a score of 1.5, a missing score, a NaN score, a missing
    # label, a negative and a missing weight.
    score[5] = 1.5
    score[29] = np.nan
    score_null = np.zeros(n, dtype=bool)
    score_null[17] = True
    label_null = np.zeros(n, dtype=bool)
    label_null[41] = True
    weight[53] = -100
    weight_null = np.zeros(n, dtype=bool)
    weight_null[65] = True
    group = rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1])
    region = rng.choice(["north", "south", "east"], n)
    other = nulls(83, 13)
    table = pa.table(
        {
            "id": pa.array([f"P{i:05d}" for i in range(n)]),
            "group": pa.array(group, mask=nulls(97, 7)).dictionary_encode(),
            "region": pa.array(region, mask=nulls(89, 11)),
            "score": pa.array(score, pa.float32(), mask=score_null),
            "converted": pa.array(label, mask=label_null),
            "converted01": pa.array(label.astype(np.int64), mask=label_null),
            "weight": pa.array(
                [decimal.Decimal(int(w)).scaleb(-2) for w in weight],
                pa.decimal128(9, 2),
                mask=weight_null,
            ),
            "visits": pa.array(rng.integers(0, 120, n).astype(np.int8), mask=other),
            "signup": pa.array(day.astype(np.int32), pa.date32(), mask=other),
            "seen": pa.array(seen, pa.timestamp("us", tz="UTC"), mask=other),
        }
    )
    # The CSV export of the same table: what the Parquet file must audit the same as.
    pa.csv.write_csv(table, OUT / "edge.csv")
    tags = pa.array([[f"t{i % 3}"] for i in range(n)], pa.list_(pa.string()))
    pq.write_table(
        table.append_column("tags", tags),
        OUT / "edge.pyarrow.parquet",
        compression="snappy",
        row_group_size=1000,
    )


def stats():
    d = pd.read_csv(
        OUT / "edge.csv",
        dtype={"group": str, "region": str, "converted01": "Int64"},
        keep_default_na=False,
        na_values=[""],
    )
    score = pd.to_numeric(d["score"], errors="coerce")
    keep = score.between(0, 1) & d["converted01"].notna()
    d = d[keep].assign(score=score[keep])
    cells = (
        d.groupby(["group", "region", "converted01", "score"], dropna=False)
        .size()
        .reset_index(name="rows")
    )
    cells = cells.sample(frac=1.0, random_state=20261205).reset_index(drop=True)
    n = len(cells)
    head = [
        ("version", "1", None, None),
        ("role", "label", "converted01", None),
        ("role", "score", "score", None),
        ("role", "protected", "group", 1),
        ("role", "protected", "region", 2),
        ("source", "pandas group-by of tests/parquet/edge.csv by make_fixtures.py", None, None),
    ]

    def table(lines, cell_rows):
        def col(values, kind):
            return pa.array(values, kind)

        def text(v):
            return None if pd.isna(v) else str(v)

        k = len(lines) + len(cell_rows)
        return pa.table(
            {
                "kind": col([l[0] for l in lines] + ["cell"] * len(cell_rows), pa.string()),
                "name": col([l[1] for l in lines] + [None] * len(cell_rows), pa.string()),
                "column": col([l[2] for l in lines] + [None] * len(cell_rows), pa.string()),
                "rows": col([l[3] for l in lines] + list(cell_rows["rows"]), pa.int64()),
                "weight": col([None] * k, pa.float64()),
                "weight2": col([None] * k, pa.float64()),
                "label": col([None] * len(lines) + [int(v) for v in cell_rows["converted01"]], pa.int64()),
                "score": col([None] * len(lines) + list(cell_rows["score"]), pa.float64()),
                "prediction": col([None] * k, pa.int64()),
                "g1": col([None] * len(lines) + [text(v) for v in cell_rows["group"]], pa.string()),
                "g2": col([None] * len(lines) + [text(v) for v in cell_rows["region"]], pa.string()),
            }
        )

    whole = table(head, cells)
    pq.write_table(whole, OUT / "stats_edge.parquet", compression="zstd", row_group_size=700)
    parts = OUT / "stats_edge_parts"
    parts.mkdir(exist_ok=True)
    for old in parts.iterdir():
        old.unlink()
    third = n // 3
    pieces = [([], cells[:third]), ([], cells[third : 2 * third]), (head, cells[2 * third :])]
    for i, (lines, rows) in enumerate(pieces):
        pq.write_table(table(lines, rows), parts / f"part-{i:05d}.snappy.parquet", compression="snappy")
    (parts / "_SUCCESS").write_bytes(b"")
    (parts / ".part-00000.snappy.parquet.crc").write_bytes(b"not a part")
    # One score out of range, in the second row group.
    at = 700 + 123
    scores = whole.column("score").to_pylist()
    scores[at] = 1.5
    bad = whole.set_column(whole.schema.get_field_index("score"), "score", pa.array(scores, pa.float64()))
    pq.write_table(bad, OUT / "stats_bad.parquet", compression="zstd", row_group_size=700)
    where = {"row": at + 1, "row_group": 1, "offset": 123, "column": whole.schema.get_field_index("score") + 1}
    (OUT / "stats_bad.json").write_text(json.dumps(where) + "\n")


if __name__ == "__main__":
    demo()
    edge()
    stats()
