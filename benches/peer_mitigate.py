"""Side-by-side timing of mitigation on the same 1M-row file: fairgate's `mitigate reweigh`,
`mitigate threshold` and `mitigate group-thresholds` (end to end: read the CSV, compute,
write JSON) against one `fairgate audit` of the file, AIF360's scikit-learn `Reweighing` and
Fairlearn's `ThresholdOptimizer` (prefit on the score, fit + predict, as the spec measured
it), each with the file already in memory for the Python side (pandas.read_csv timed
apart).

The file: N rows (default 1,000,000): a label, a score (6 decimals, so ~10^6 distinct
values), attribute `a` (4 groups) and `b` (3 groups), numpy seed 0. Run from the repository
root with the oracle venv (pandas, Fairlearn, AIF360):

    cargo build --release
    tests/oracle/.venv/bin/python benches/peer_mitigate.py [N]

Prints wall-clock medians of 3 runs (Python: CPU seconds too); benches/RESULTS.md records
them.
"""

import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from aif360.sklearn.preprocessing import Reweighing
from fairlearn.postprocessing import ThresholdOptimizer
from sklearn.base import BaseEstimator, ClassifierMixin

ROOT = pathlib.Path(__file__).resolve().parents[1]
FAIRGATE = ROOT / "target" / "release" / "fairgate"


def make(path, n):
    rng = np.random.default_rng(0)
    a = rng.choice(["north", "south", "east", "west"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    b = rng.choice(["x", "y", "z"], size=n, p=[0.5, 0.3, 0.2])
    shift = np.where(a == "west", 0.05, 0.0)
    score = np.round(np.clip(rng.beta(2, 5, size=n) + shift, 0, 1), 6)
    label = (rng.random(n) < score).astype(int)
    pd.DataFrame({"label": label, "score": score, "a": a, "b": b}).to_csv(path, index=False)


class Scores(BaseEstimator, ClassifierMixin):
    """A prefit 'estimator' whose probability is the score column."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        s = np.asarray(X, dtype=float)[:, 0]
        return np.column_stack([1 - s, s])

    def predict(self, X):
        return (np.asarray(X, dtype=float)[:, 0] >= 0.5).astype(int)


def median(f, k=3):
    walls, cpus = [], []
    for _ in range(k):
        w, c = time.perf_counter(), time.process_time()
        f()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return sorted(walls)[k // 2], sorted(cpus)[k // 2]


def run(args):
    subprocess.run([str(FAIRGATE)] + args, check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.csv")
        make(path, n)
        data = ["--data", path, "--label", "label", "--score", "score", "--protected", "a,b"]
        out = ["--format", "json", "--out", os.path.join(tmp, "o.json")]
        rows = []
        audit, _ = median(lambda: run(["audit"] + data + ["--threshold", "0.3"] + out))
        rows.append(("fairgate audit (a, b; the reference)", audit))
        rw, _ = median(lambda: run(["mitigate", "reweigh", "--by", "a,b"] + data + out))
        rows.append(("fairgate mitigate reweigh --by a,b", rw))
        for k in (1, 20):
            th, _ = median(lambda: run(["mitigate", "threshold", "--by", "a", "--threshold", "0.3",
                                        "--max-evaluations", str(k)] + data + out))
            rows.append((f"fairgate mitigate threshold --by a (curve + at most {k} gate judgements)", th))
        for con in ("demographic_parity", "equalized_odds"):
            gt, _ = median(lambda: run(["mitigate", "group-thresholds", "--by", "a", "--constraint", con,
                                        "--threshold", "0.3"] + data + out))
            rows.append((f"fairgate mitigate group-thresholds --by a --constraint {con}", gt))
        t = time.perf_counter()
        d = pd.read_csv(path)
        read = time.perf_counter() - t
        rows.append(("pandas.read_csv (Python side, apart)", read))
        X = pd.DataFrame({"one": np.ones(n)}, index=pd.MultiIndex.from_frame(d[["a", "b"]]))
        y = pd.Series(d["label"].to_numpy(), index=X.index)
        w, c = median(lambda: Reweighing(prot_attr=["a", "b"]).fit_transform(X, y))
        rows.append((f"AIF360 Reweighing(prot_attr=[a, b]) (CPU {c:.2f} s)", w))
        xs = d[["score"]]
        for con in ("demographic_parity", "equalized_odds"):
            def to():
                m = ThresholdOptimizer(estimator=Scores().fit(None, None), constraints=con,
                                       prefit=True, predict_method="predict_proba")
                m.fit(xs, d["label"], sensitive_features=d["a"])
                m.predict(xs, sensitive_features=d["a"], random_state=0)
            w, c = median(to)
            rows.append((f"Fairlearn ThresholdOptimizer {con} fit + predict (CPU {c:.2f} s)", w))
        print(f"rows {n}, file {os.path.getsize(path) / 1e6:.1f} MB")
        for name, s in rows:
            print(f"{s:8.3f} s  {name}")


if __name__ == "__main__":
    main()
