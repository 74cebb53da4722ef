"""Side-by-side timing of the exponentiated gradient on the same leads: Fairlearn's
`ExponentiatedGradient(LogisticRegression(), DemographicParity())` by gender, every row a
training row, against fairgate's (`cargo bench --bench mitigate` with FAIRGATE_BENCH_EG=1 on
the same file). Both use the design of tests/oracle/train_golden.py (every column but the
id, consent, label, score and protected ones and the two high-cardinality text columns
job_title and postcode_district; numbers mean-filled and standardised, categories one-hot). scikit-learn runs with its defaults (lbfgs, tol 1e-4), as a Fairlearn
user would, and with the exact newton-cholesky solver fairgate's Newton fit matches.

    cargo build --release
    tests/oracle/.venv/bin/python benches/peer_eg.py [ROWS]

Prints the timings and each side's expected accuracy and largest violation; benches/RESULTS.md
records them.
"""

import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
from fairlearn.reductions import DemographicParity, ExponentiatedGradient
from sklearn.linear_model import LogisticRegression

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "oracle"))
from train_golden import design_apply, design_fit, kinds, read  # noqa: E402

# The two high-cardinality text columns are left out (as in ../shared/mitigation-spec.md's
# speed table: a design of about 26 columns); the bench leaves out the same.
ROLES = {"lead_id", "converted", "vendor_score", "gender", "age_band", "ethnicity", "region",
         "consent", "consent_timestamp", "job_title", "postcode_district"}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "leads.csv")
        subprocess.run([str(ROOT / "target" / "release" / "fairgate"), "datasets", "generate",
                        "--rows", str(n), "--seed", "1", "--out", path], check=True,
                       stderr=subprocess.DEVNULL)
        df = read(path)
        features = [c for c in df.columns if c not in ROLES]
        x, _ = design_apply(df, design_fit(df, features, kinds(df, features)))
        y = df["converted"].astype(int).to_numpy()
        g = df["gender"].to_numpy()
        print(f"rows {n}, design {x.shape[1]} columns")
        for name, est in [("lbfgs (default)", LogisticRegression()),
                          ("newton-cholesky", LogisticRegression(solver="newton-cholesky"))]:
            eg = ExponentiatedGradient(est, constraints=DemographicParity())
            wall, cpu = time.perf_counter(), time.process_time()
            eg.fit(x, y, sensitive_features=g)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            p = eg._pmf_predict(x)[:, 1]
            acc = float(np.mean(y * p + (1 - y) * (1 - p)))
            rates = [p[g == a].mean() for a in sorted(set(g))]
            viol = max(abs(r - p.mean()) for r in rates)
            print(f"Fairlearn EG + {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
                  f"{eg.n_oracle_calls_} fits, accuracy {acc:.4f}, violation {viol:.4f}")
        env = dict(os.environ, FAIRGATE_MITIGATE_DATA=path, FAIRGATE_BENCH_EG="1")
        out = subprocess.run(["cargo", "bench", "--bench", "mitigate", "--",
                              "no-criterion-bench-matches-this", "--noplot"], env=env,
                             capture_output=True, text=True, check=True, cwd=ROOT)
        for line in (out.stdout + out.stderr).splitlines():
            if "exponentiated gradient:" in line:
                print("fairgate", line.strip())

if __name__ == "__main__":
    main()
