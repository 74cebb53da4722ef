"""Scale evidence for the pushed-down audit: one generated data set of N rows (default
10,000,000) audited four ways, timed, and checked equal (the audit JSON apart from `input`):

1. `fairgate audit` of the CSV (the reference);
2. `fairgate audit --postgres` on a local PostgreSQL holding the same rows (the query runs on
   the server; only aggregates come back);
3. `fairgate sql --dialect spark` run by a local Spark (docs/spark/fairgate_stats.py) on the
   same CSV, then `fairgate audit --from-stats`;
4. `fairgate stats` of the CSV in 4 shards, then `fairgate audit --from-stats` of the four.

For each it prints the wall time and the bytes of statistics that came back. The data: a label,
a score rounded to 4 decimals (as exported scores usually are), a decision, gender (3 values),
age band (6) and region (4 with missing), numpy seed 0.

    cargo build --release
    # PostgreSQL: a server you can reach (PGURL, default postgresql://fairgate@127.0.0.1:54329/postgres)
    # Spark: a Python with pyspark (SPARK_PYTHON, default ~/.cache/fairgate/spark-venv/bin/python)
    python3 benches/pushdown_scale.py [N]

Needs numpy (the oracle venv has it). benches/RESULTS.md records the output.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
FAIRGATE = str(ROOT / "target" / "release" / "fairgate")
PGURL = os.environ.get("PGURL", "postgresql://fairgate@127.0.0.1:54329/postgres")
SPARK_PYTHON = os.environ.get(
    "SPARK_PYTHON", os.path.expanduser("~/.cache/fairgate/spark-venv/bin/python"))
ROLES = ["--label", "y", "--score", "s", "--protected", "gender,age_band,region"]
AUDIT = ["--threshold", "0.3", "--intersect", "gender,age_band"]


def make(path, n):
    rng = np.random.default_rng(0)
    gender = rng.choice(np.array(["female", "male", "non_binary"]), n, p=[0.48, 0.48, 0.04])
    age = rng.choice(np.array(["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]), n)
    region = rng.choice(np.array(["north", "south", "east", "west", ""]), n,
                        p=[0.3, 0.3, 0.2, 0.15, 0.05])
    s = np.round(rng.beta(2, 5, n), 4)
    y = (rng.random(n) < s).astype(np.int8)
    with open(path, "w") as f:
        f.write("y,s,gender,age_band,region\n")
        step = 1_000_000
        for i in range(0, n, step):
            j = min(n, i + step)
            rows = zip(y[i:j].tolist(), s[i:j].tolist(), gender[i:j], age[i:j], region[i:j])
            f.write("".join(f"{a},{b},{c},{d},{e}\n" for a, b, c, d, e in rows))


def timed(args, **kw):
    t = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"{args[:3]}: {p.stderr}")
    return wall, p


def audit_json(path):
    with open(path) as f:
        d = json.load(f)
    d.pop("input")
    return d


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "rows.csv")
        t = time.perf_counter()
        make(data, n)
        print(f"rows {n:,}, CSV {os.path.getsize(data) / 1e6:.0f} MB "
              f"(made in {time.perf_counter() - t:.0f} s)")
        ref = os.path.join(tmp, "ref.json")
        wall, _ = timed([FAIRGATE, "audit", "--data", data, *ROLES, *AUDIT,
                         "--format", "json", "--out", ref])
        print(f"{wall:8.2f} s  audit of the CSV (reference)")
        expected = audit_json(ref)

        # PostgreSQL.
        psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", PGURL]
        subprocess.run(psql + ["-c", "DROP TABLE IF EXISTS scale_rows; CREATE TABLE scale_rows "
                               "(y integer, s double precision, gender text, age_band text, "
                               "region text)"], check=True, capture_output=True)
        t = time.perf_counter()
        subprocess.run(psql + ["-c", f"\\copy scale_rows FROM '{data}' CSV HEADER"], check=True)
        subprocess.run(psql + ["-c", "VACUUM ANALYZE scale_rows"], check=True)
        print(f"{time.perf_counter() - t:8.2f} s  (loading PostgreSQL, not counted)")
        out = os.path.join(tmp, "pg.json")
        wall, _ = timed([FAIRGATE, "audit", "--postgres", PGURL, "--table", "scale_rows",
                         *ROLES, *AUDIT, "--format", "json", "--out", out])
        sql = subprocess.run([FAIRGATE, "sql", "--dialect", "postgres", "--table", "scale_rows",
                              *ROLES], check=True, capture_output=True, text=True).stdout
        back = subprocess.run(psql + ["-c", f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"],
                              check=True, capture_output=True).stdout
        same = audit_json(out) == expected
        lines_back = back.count(b"\n") - 1
        print(f"{wall:8.2f} s  audit --postgres: {len(back):,} bytes of statistics came back "
              f"({lines_back:,} lines); equal to the reference: {same}")

        # Spark.
        q = os.path.join(tmp, "spark.sql")
        subprocess.run([FAIRGATE, "sql", "--dialect", "spark", "--table", "rows", *ROLES,
                        "--out", q], check=True)
        stats = os.path.join(tmp, "spark.stats.csv")
        wall, _ = timed([SPARK_PYTHON, str(ROOT / "docs" / "spark" / "fairgate_stats.py"),
                         "--input", f"rows={data}", "--run", f"{q}={stats}"])
        out = os.path.join(tmp, "spark.json")
        wall2, _ = timed([FAIRGATE, "audit", "--from-stats", stats, *AUDIT,
                          "--format", "json", "--out", out])
        print(f"{wall:8.2f} s  Spark (local[*], session start included) + {wall2:.2f} s "
              f"audit --from-stats: {os.path.getsize(stats):,} bytes; equal: "
              f"{audit_json(out) == expected}")

        # Shards through `fairgate stats`.
        with open(data) as f:
            header = f.readline()
            lines = f.readlines()
        k = 4
        per = (len(lines) + k - 1) // k
        files = []
        total = 0.0
        for i in range(k):
            shard = os.path.join(tmp, f"shard{i}.csv")
            with open(shard, "w") as f:
                f.write(header)
                f.writelines(lines[i * per:(i + 1) * per])
            st = os.path.join(tmp, f"shard{i}.stats.csv")
            wall, _ = timed([FAIRGATE, "stats", "--data", shard, *ROLES, "--out", st])
            total += wall
            files.append(st)
        del lines
        out = os.path.join(tmp, "shards.json")
        wall, _ = timed([FAIRGATE, "audit", "--from-stats", *files, *AUDIT,
                         "--format", "json", "--out", out])
        size = sum(os.path.getsize(f) for f in files)
        print(f"{total:8.2f} s  stats of 4 shards (sequential) + {wall:.2f} s audit of their "
              f"{size:,} bytes of statistics; equal: {audit_json(out) == expected}")


if __name__ == "__main__":
    main()
