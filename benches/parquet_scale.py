"""Parquet input at scale: the data set of pushdown_scale.py (N rows, default 10,000,000)
as CSV and as Parquet written by pyarrow (snappy, and zstd), each audited by fairgate three
times; prints the median wall time, the file sizes, and whether each audit equals the CSV
audit (the JSON apart from `input`).

    cargo build --release
    python3 benches/parquet_scale.py [N]      # needs numpy and pyarrow

benches/RESULTS.md records the output.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from pushdown_scale import AUDIT, FAIRGATE, ROLES, make


def audit(data, out):
    times = []
    for _ in range(3):
        t = time.perf_counter()
        p = subprocess.run([FAIRGATE, "audit", "--data", data, *ROLES, *AUDIT,
                            "--format", "json", "--out", out], capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if p.returncode != 0:
            raise SystemExit(p.stderr)
    with open(out) as f:
        d = json.load(f)
    d.pop("input")
    return statistics.median(times), min(times), max(times), d


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    with tempfile.TemporaryDirectory() as tmp:
        csv = os.path.join(tmp, "rows.csv")
        make(csv, n)
        # Strings stay strings (the region's empty value is null in Parquet, as the CSV's
        # empty field is missing).
        table = pcsv.read_csv(csv, convert_options=pcsv.ConvertOptions(
            column_types={"gender": "string", "age_band": "string", "region": "string"}))
        files = {"CSV": csv}
        for codec in ["snappy", "zstd"]:
            path = os.path.join(tmp, f"rows.{codec}.parquet")
            pq.write_table(table, path, compression=codec)
            files[f"Parquet ({codec})"] = path
        del table
        ref = None
        for name, path in files.items():
            med, lo, hi, d = audit(path, os.path.join(tmp, "out.json"))
            ref = d if ref is None else ref
            print(f"{name:18} {os.path.getsize(path) / 1e6:8.1f} MB  audit {med:6.2f} s "
                  f"({lo:.2f}-{hi:.2f})  equal to the CSV audit: {d == ref}")


if __name__ == "__main__":
    main()
