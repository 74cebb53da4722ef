"""Side-by-side timing: `fairgate audit` against pandas.read_csv + Fairlearn MetricFrame
computing the same metric set, on the same file, plus the bare `csv` crate parse of it.

The file: N rows (default 1,000,000) with a label, a score, attribute `a` (4 groups) and
attribute `b` (3 groups), generated with numpy (seed 0). Both tools audit `a`, `b` and their
intersection. Run from the repository root with a Python that has pandas, scikit-learn and
Fairlearn (e.g. the oracle venv):

    cargo build --release --benches
    python benches/peer_audit.py [N]

Prints the timings; benches/RESULTS.md records them.
"""

import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate, false_positive_rate, false_negative_rate, true_negative_rate
from sklearn.metrics import accuracy_score, balanced_accuracy_score, brier_score_loss, f1_score, log_loss, precision_score, roc_auc_score

ROOT = pathlib.Path(__file__).resolve().parents[1]
FAIRGATE = ROOT / "target" / "release" / "fairgate"


def make(path, n):
    rng = np.random.default_rng(0)
    a = rng.choice(["north", "south", "east", "west"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    b = rng.choice(["x", "y", "z"], size=n, p=[0.5, 0.3, 0.2])
    score = np.round(rng.beta(2, 5, size=n), 4)
    label = (rng.random(n) < score).astype(int)
    pd.DataFrame({"label": label, "score": score, "a": a, "b": b}).to_csv(path, index=False)


def npv(y, p):
    tn = ((y == 0) & (p == 0)).sum()
    fn = ((y == 1) & (p == 0)).sum()
    return tn / (tn + fn)


def fairlearn_audit(path):
    d = pd.read_csv(path)
    y, s = d["label"], d["score"]
    p = (s >= 0.5).astype(int)
    decision = {
        "selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate,
        "fnr": false_negative_rate, "tnr": true_negative_rate, "ppv": lambda t, q: precision_score(t, q, zero_division=np.nan),
        "npv": npv, "accuracy": accuracy_score, "balanced_accuracy": balanced_accuracy_score, "f1": f1_score,
    }
    scored = {"auc": roc_auc_score, "brier": brier_score_loss, "log_loss": lambda t, q: log_loss(t, q, labels=[0, 1]), "mean_score": lambda t, q: float(np.mean(q))}
    for features in [d[["a"]], d[["b"]], d[["a", "b"]]]:
        MetricFrame(metrics=decision, y_true=y, y_pred=p, sensitive_features=features).by_group
        MetricFrame(metrics=scored, y_true=y, y_pred=s, sensitive_features=features).by_group


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.csv")
        make(path, n)
        size = os.path.getsize(path)
        args = [str(FAIRGATE), "audit", "--data", path, "--label", "label", "--score", "score",
                "--protected", "a,b", "--intersect", "a,b", "--format", "json", "--out", os.path.join(tmp, "a.json")]
        runs = sorted(timed(lambda: subprocess.run(args, check=True)) for _ in range(5))
        fg = runs[2]
        rss = subprocess.run(["/usr/bin/time", "-f", "%M"] + args, check=True, capture_output=True, text=True).stderr.strip().splitlines()[-1]
        fl = timed(lambda: fairlearn_audit(path))
        print(f"rows {n}, file {size / 1e6:.1f} MB")
        print(f"fairgate audit end to end: median of 5 {fg * 1000:.0f} ms, peak RSS {int(rss) / 1024:.0f} MB")
        print(f"pandas.read_csv + Fairlearn MetricFrame (14 metrics x 3 segmentations): {fl:.2f} s")
        print(f"speed-up: {fl / fg:.0f}x")


if __name__ == "__main__":
    main()
