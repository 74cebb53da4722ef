"""In memory, side by side: `fairgate.audit` on a DataFrame against Fairlearn's MetricFrame,
Aequitas' Group crosstabs and AIF360's ClassificationMetric, on the same 1M-row DataFrame;
then the memory `fairgate.audit` adds on a 10M-row table (pyarrow, polars, pandas).

The data: N rows (default 1,000,000) with a 0/1 label, a score (4 decimals), attribute `a`
(4 groups) and `b` (3 groups), made with numpy (seed 0), as benches/peer_audit.py makes its
file. Every tool computes the decision metrics at threshold 0.5 for `a`, `b` and `a x b`
(selection rate, TPR, FPR, FNR, TNR, PPV, NPV, accuracy); Fairlearn also the score metrics
(AUC, Brier, log loss, mean score) that fairgate's audit includes, with its intervals and
tests, which none of the others computes. Needs the installed fairgate wheel (python/test.sh
or docs/python.md), pandas, polars, pyarrow, Fairlearn, AIF360 and Aequitas:

    python benches/peer_python.py [N] [--memory-rows M]

Prints medians of 3 runs of fairgate (1 of each peer, 50-300 times slower) and ratios from the same run;
benches/RESULTS.md records them. Memory is measured in a child process per library: the
peak RSS during the audit (VmHWM, reset just before it through /proc/self/clear_refs) minus
the RSS with the table built.
"""

import argparse
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

import fairgate

warnings.filterwarnings("ignore")


def make(n, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.choice(["north", "south", "east", "west"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    b = rng.choice(["x", "y", "z"], size=n, p=[0.5, 0.3, 0.2])
    score = np.round(rng.beta(2, 5, size=n), 4)
    label = (rng.random(n) < score).astype(np.int64)
    return pd.DataFrame({"label": label, "score": score, "a": a, "b": b})


def run_fairgate(df):
    return fairgate.audit(df, label="label", score="score", protected=["a", "b"],
                          intersect=[["a", "b"]], threshold=0.5)


def run_fairlearn(df):
    from fairlearn.metrics import (MetricFrame, false_negative_rate, false_positive_rate,
                                   selection_rate, true_negative_rate, true_positive_rate)
    from sklearn.metrics import (accuracy_score, brier_score_loss, log_loss, precision_score,
                                 roc_auc_score)

    y, s = df["label"], df["score"]
    p = (s >= 0.5).astype(int)

    def npv(t, q):
        tn = ((t == 0) & (q == 0)).sum()
        fn = ((t == 1) & (q == 0)).sum()
        return tn / (tn + fn) if tn + fn else np.nan

    decision = {"selection_rate": selection_rate, "tpr": true_positive_rate,
                "fpr": false_positive_rate, "fnr": false_negative_rate,
                "tnr": true_negative_rate,
                "ppv": lambda t, q: precision_score(t, q, zero_division=np.nan),
                "npv": npv, "accuracy": accuracy_score}
    scored = {"auc": roc_auc_score, "brier": brier_score_loss,
              "log_loss": lambda t, q: log_loss(t, q, labels=[0, 1]),
              "mean_score": lambda t, q: float(np.mean(q))}
    for features in [df[["a"]], df[["b"]], df[["a", "b"]]]:
        MetricFrame(metrics=decision, y_true=y, y_pred=p, sensitive_features=features).by_group
        MetricFrame(metrics=scored, y_true=y, y_pred=s, sensitive_features=features).by_group


def run_aequitas(df):
    from aequitas.group import Group

    d = pd.DataFrame({"score": (df["score"] >= 0.5).astype(int),
                      "label_value": df["label"], "a": df["a"], "b": df["b"],
                      "a_b": df["a"] + "|" + df["b"]})
    Group().get_crosstabs(d, attr_cols=["a", "b", "a_b"])


def run_aif360(df):
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric

    d = pd.DataFrame({"label": df["label"].astype(float)})
    codes = {}
    for col in ["a", "b"]:
        cat = pd.Categorical(df[col])
        d[col] = cat.codes.astype(float)
        codes[col] = range(len(cat.categories))
    ab = pd.Categorical(df["a"] + "|" + df["b"])
    d["ab"] = ab.codes.astype(float)
    codes["ab"] = range(len(ab.categories))
    truth = BinaryLabelDataset(df=d, label_names=["label"],
                               protected_attribute_names=["a", "b", "ab"])
    pred = truth.copy()
    pred.labels = (df["score"].to_numpy() >= 0.5).astype(float).reshape(-1, 1)
    for col, values in codes.items():
        for v in values:
            m = ClassificationMetric(truth, pred, unprivileged_groups=[{col: v}],
                                     privileged_groups=[{col: (v + 1) % len(values)}])
            for f in (m.selection_rate, m.true_positive_rate, m.false_positive_rate,
                      m.false_negative_rate, m.true_negative_rate,
                      m.positive_predictive_value, m.negative_predictive_value, m.accuracy):
                f(privileged=False)


def timed(f, df, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f(df)
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), max(times)


MEMORY_CHILD = r"""
import resource, sys, numpy as np, pandas as pd, pyarrow as pa, polars as pl, fairgate
sys.path.insert(0, sys.argv[3])
from peer_python import make
n, kind = int(sys.argv[1]), sys.argv[2]
df = make(n)
if kind == "pyarrow":
    data = pa.Table.from_pandas(df, preserve_index=False)
elif kind == "polars":
    data = pl.from_pandas(df)
else:
    data = df.astype({"a": "category", "b": "category"})
del df
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()
if kind == "pyarrow":
    columns = data.nbytes
elif kind == "polars":
    columns = data.estimated_size()
else:
    columns = int(data.memory_usage(deep=True).sum())
def hwm():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
before = rss()
# Reset the peak resident set size (VmHWM) to the current one: only the audit's peak counts.
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
fairgate.audit(data, label="label", score="score", protected=["a", "b"], threshold=0.5)
print(columns, before, hwm())
"""


def memory(n):
    import pathlib

    here = str(pathlib.Path(__file__).resolve().parent)
    out = []
    for kind in ["pyarrow", "polars", "pandas (category columns)"]:
        r = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(n), kind.split()[0], here],
                           capture_output=True, text=True, check=True)
        columns, before, peak = map(int, r.stdout.split())
        out.append((kind, columns, before, peak))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--memory-rows", type=int, default=10_000_000)
    a = ap.parse_args()
    df = make(a.n)
    run_fairgate(df)  # warm-up: imports, thread pool
    results = {"fairgate.audit": timed(run_fairgate, df, 3),
               "Fairlearn MetricFrame": timed(run_fairlearn, df, 1),
               "Aequitas Group crosstabs": timed(run_aequitas, df, 1),
               "AIF360 ClassificationMetric": timed(run_aif360, df, 1)}
    base = results["fairgate.audit"][0]
    print(f"{a.n:,} rows in memory (pandas DataFrame), audit of a, b and a x b:")
    for name, (med, lo, hi) in results.items():
        print(f"  {name:28s} {med:8.3f} s ({lo:.3f}-{hi:.3f})  {med / base:7.1f}x fairgate")
    if a.memory_rows:
        print(f"\nMemory, {a.memory_rows:,} rows (peak RSS during the audit minus RSS before):")
        for kind, columns, before, peak in memory(a.memory_rows):
            print(f"  {kind:26s} columns {columns / 2**20:7.1f} MiB, "
                  f"added by the audit {(peak - before) / 2**20:7.1f} MiB "
                  f"({(peak - before) / columns:.2f}x the columns)")


if __name__ == "__main__":
    main()
