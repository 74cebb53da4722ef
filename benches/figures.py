"""The README's performance table, measured in one run on this machine, side by side with
the peers: every figure in the README's "Performance" section comes from this script.

    cargo build --release
    python benches/figures.py [--quick] [--no-scale] [--out FILE.md]

Needs numpy, pandas, scikit-learn and Fairlearn (e.g. ~/.cache/fairgate/py-venv or
tests/oracle/.venv). It generates its data (numpy, fixed seeds) in a temporary folder and
times the release binary (target/release/fairgate, or FAIRGATE_BIN):

- the audit: 1,000,000 rows of label, score (4 decimals), `a` (4 groups), `b` (3 groups);
  `a`, `b` and `a x b` with every metric, JSON out (median of 5), against pandas.read_csv +
  Fairlearn MetricFrame computing 14 metrics over the same three segmentations on the same
  file (one run: it takes minutes at 1M rows; `--quick` runs both at 100,000 rows);
- the bootstrap: the same audit with `--bootstrap 200` (median of 3);
- training end to end, CSV in to model out: `fairgate train` on 1,000,000 x 20 numeric
  features (70/30 split, Newton to the exact optimum) against pandas.read_csv +
  LogisticRegression(C=1, lbfgs, default tolerance) fitted on all rows (median of 3);
- the scale curve (unless `--no-scale`): the audit and training at 100k, 1M and 10M rows
  (audit) / 100k and 1M and 3M rows (training), time and peak RSS, one run each.

Ratios are of times measured in this run. Prints a Markdown table (and writes it to --out).
"""

import argparse
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[1]
FAIRGATE = os.environ.get("FAIRGATE_BIN") or str(ROOT / "target" / "release" / "fairgate")
sys.path.insert(0, str(ROOT / "benches"))
# The audit file of benches/peer_audit.py: label, score (4 decimals), a (4 groups), b (3).
from peer_audit import fairlearn_audit, make as audit_file  # noqa: E402


def train_file(path, n, p=20):
    rng = np.random.default_rng(42)
    x = rng.standard_normal((n, p)).round(6)
    coef = np.linspace(-0.8, 0.8, p)
    y = (rng.random(n) < 1 / (1 + np.exp(-(x @ coef - 0.7)))).astype(int)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(p)])
    frame.insert(0, "y", y)
    frame["g"] = np.where(rng.random(n) < 0.5, "p", "q")
    frame.to_csv(path, index=False, float_format="%.6f")


def run(args):
    """Wall time and peak RSS (MB) of one run of a command."""
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + args, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed: {out.stderr}")
    return wall, int(out.stderr.strip().splitlines()[-1]) / 1024


def median_run(args, k):
    runs = [run(args) for _ in range(k)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def audit_args(path, out, *extra):
    return [FAIRGATE, "audit", "--data", path, "--label", "label", "--score", "score",
            "--protected", "a,b", "--intersect", "a,b", "--format", "json", "--out", out, *extra]


def train_args(path, out):
    return [FAIRGATE, "train", "--data", path, "--label", "y", "--protected", "g",
            "--created", "2026-01-01", "--out", out]


def sklearn_train(path):
    from sklearn.linear_model import LogisticRegression

    d = pd.read_csv(path)
    x = d[[c for c in d.columns if c.startswith("x")]].to_numpy()
    LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000).fit(x, d["y"].to_numpy())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="peers at 100,000 rows")
    ap.add_argument("--no-scale", action="store_true", help="skip the scale curve")
    ap.add_argument("--out", help="also write the table here")
    o = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        t = pathlib.Path(tmp)
        n = 1_000_000
        audit_csv = str(t / "audit.csv")
        audit_file(audit_csv, n)
        fg, fg_rss = median_run(audit_args(audit_csv, str(t / "a.json")), 5)
        rows.append(("audit, 1M rows, a/b/a x b, every metric, JSON", f"{fg:.3f} s",
                     f"{fg_rss:.0f} MB", ""))
        peer_n = 100_000 if o.quick else n
        peer_csv = audit_csv
        if peer_n != n:
            peer_csv = str(t / "audit-small.csv")
            audit_file(peer_csv, peer_n)
            fg_small, _ = median_run(audit_args(peer_csv, str(t / "s.json")), 5)
        else:
            fg_small = fg
        fl = timed(lambda: fairlearn_audit(peer_csv))
        rows.append((f"pandas.read_csv + Fairlearn MetricFrame, {peer_n:,} rows, 14 metrics x 3 "
                     "segmentations", f"{fl:.2f} s", "",
                     f"fairgate {fl / fg_small:,.0f}x faster ({fg_small:.3f} s)"))
        boot, boot_rss = median_run(audit_args(audit_csv, str(t / "b.json"), "--bootstrap",
                                               "200"), 3)
        rows.append(("audit --bootstrap 200, 1M rows", f"{boot:.2f} s", f"{boot_rss:.0f} MB", ""))

        train_csv = str(t / "train.csv")
        train_file(train_csv, n)
        tr, tr_rss = median_run(train_args(train_csv, str(t / "m.json")), 3)
        sk = statistics.median(timed(lambda: sklearn_train(train_csv)) for _ in range(3))
        rows.append(("train end to end, CSV to model, 1M x 20 (70% fitted)", f"{tr:.2f} s",
                     f"{tr_rss:.0f} MB", ""))
        rows.append(("pandas.read_csv + LogisticRegression(lbfgs).fit, same CSV, all rows",
                     f"{sk:.2f} s", "", f"fairgate {sk / tr:.2f}x as fast"))

        scale = []
        if not o.no_scale:
            curves = [("audit", (100_000, n, 10_000_000), audit_file, audit_csv, audit_args),
                      ("train", (100_000, n, 3_000_000), train_file, train_csv, train_args)]
            for what, sizes, make, made, args in curves:
                for size in sizes:
                    path = made if size == n else str(t / f"{what}-{size}.csv")
                    if size != n:
                        make(path, size)
                    wall, rss = run(args(path, str(t / "x.json")))
                    scale.append((what, size, wall, rss))
                    if size != n:
                        os.unlink(path)

    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [f"Machine: {os.cpu_count()} cores ({cpu}), {platform.system()}; "
             f"{time.strftime('%Y-%m-%d')}; `python benches/figures.py"
             f"{' --quick' if o.quick else ''}`.", "",
             "| what | time | peak RSS | side by side |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    if scale:
        lines += ["", "| scale | rows | time | peak RSS | time per million rows |",
                  "|---|---|---|---|---|"]
        lines += [f"| {what} | {size:,} | {wall:.2f} s | {rss:.0f} MB | {wall / size * 1e6:.2f} s |"
                  for what, size, wall, rss in scale]
    text = "\n".join(lines) + "\n"
    print(text)
    if o.out:
        pathlib.Path(o.out).write_text(text)


if __name__ == "__main__":
    main()
