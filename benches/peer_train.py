"""Side-by-side fit timing: scikit-learn LogisticRegression(lbfgs) against fairgate's Newton
solver on the same 1,000,000 x 20 design.

The data (standard normal features; labels from coefficients evenly spaced in [-0.8, 0.8] and
intercept -0.7) is generated here with numpy and written as raw little-endian bytes; the Rust
bench (benches/train.rs) reads the same file through FAIRGATE_TRAIN_DATA, so both fit
identical data. Prints the timings and the largest coefficient difference.

    python benches/peer_train.py [--rows 1000000] [--repeat 5]
(needs numpy and scikit-learn, e.g. tests/oracle/.venv; run from the project root)
"""

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import tempfile
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    n, p = args.rows, args.features
    rng = np.random.default_rng(42)
    x = rng.standard_normal((n, p))
    coef = np.linspace(-0.8, 0.8, p)
    y = (rng.random(n) < 1 / (1 + np.exp(-(x @ coef - 0.7)))).astype(np.uint8)

    tmp = pathlib.Path(tempfile.mkdtemp()) / "train.bin"
    with open(tmp, "wb") as f:
        f.write(np.array([n, p], dtype="<u8").tobytes())
        f.write(x.astype("<f8").tobytes())
        f.write(y.tobytes())

    results = {"rows": n, "features": p, "sklearn": sklearn.__version__}
    for label, tol in [("sklearn_lbfgs_default_tol", 1e-4), ("sklearn_lbfgs_tol_1e-10", 1e-10)]:
        times = []
        for _ in range(args.repeat):
            m = LogisticRegression(C=1.0, solver="lbfgs", tol=tol, max_iter=1000)
            t = time.perf_counter()
            m.fit(x, y)
            times.append(time.perf_counter() - t)
        results[label] = {"median_s": statistics.median(times), "min_s": min(times), "n_iter": int(m.n_iter_[0])}
        results[label + "_coef"] = [float(m.intercept_[0])] + m.coef_[0].tolist()

    env = dict(os.environ, FAIRGATE_TRAIN_DATA=str(tmp))
    out = subprocess.run(
        ["cargo", "bench", "--bench", "train", "--", "--noplot"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    name = None
    for line in out.splitlines():
        head = re.match(r"^(train/\S+)", line)
        if head:
            name = head.group(1)
        m = re.search(r"time:\s+\[(\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\]", line)
        if m and name:
            unit = {"ms": 1e-3, "s": 1.0, "µs": 1e-6}[m.group(4)]
            results["fairgate " + name] = {"median_s": float(m.group(3)) * unit}
        if line.startswith("newton:"):
            results["fairgate_newton_fit"] = line
    tmp.unlink()
    print(json.dumps({k: v for k, v in results.items() if not k.endswith("_coef")}, indent=1))


if __name__ == "__main__":
    main()
