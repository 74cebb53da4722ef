"""Golden values for `fairgate train`: scikit-learn LogisticRegression(C, lbfgs) fitted on the
same design fairgate documents (src/train/design.rs), built here independently with pandas:

- rows: consent == true and consent_timestamp <= as-of (when the data has consent);
- numeric features: missing values filled with the training mean, then standardised with
  the training mean and population standard deviation (1 when it is 0);
- categorical features (text columns): one 0/1 column per training level, levels sorted,
  a missing value is the level "(missing)", an unseen value is all zeros.

Writes tests/oracle/golden/train_*.json. Run through make_golden.sh (pinned versions), or
directly with a Python that has numpy, pandas and scikit-learn:
    python tests/oracle/train_golden.py [--adult DIR]
"""

import argparse
import json
import pathlib

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def read(path):
    # Everything as text first, so that the kind of a column is decided as fairgate does:
    # numeric when every non-empty value parses as a number.
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return df


def kinds(df, features):
    out = {}
    for c in features:
        v = df[c][df[c] != ""]
        try:
            v.astype(float)
            out[c] = "numeric"
        except ValueError:
            out[c] = "categorical"
    return out


def design_fit(df, features, kind):
    enc = []
    for c in features:
        if kind[c] == "numeric":
            x = pd.to_numeric(df[c].replace("", np.nan))
            fill = x.mean()
            x = x.fillna(fill)
            mean = x.mean()
            sd = x.std(ddof=0)
            enc.append((c, "numeric", (fill, mean, sd if sd > 0 else 1.0)))
        else:
            levels = sorted(set(df[c].replace("", "(missing)")))
            enc.append((c, "categorical", levels))
    return enc


def design_apply(df, enc):
    cols, names = [], []
    for c, k, info in enc:
        if k == "numeric":
            fill, mean, sd = info
            x = pd.to_numeric(df[c].replace("", np.nan)).fillna(fill)
            cols.append(((x - mean) / sd).to_numpy())
            names.append(c)
        else:
            v = df[c].replace("", "(missing)").to_numpy()
            for level in info:
                cols.append((v == level).astype(float))
                names.append(f"{c}={level}")
    return np.column_stack(cols), names


def fit(x, y, c, balanced):
    m = LogisticRegression(
        C=c,
        solver="lbfgs",
        tol=1e-12,
        max_iter=100000,
        class_weight="balanced" if balanced else None,
    )
    m.fit(x, y)
    return m


def newton(x, y, c, balanced):
    """The same problem solved by scikit-learn's exact Newton solver: lbfgs stops where the
    objective stops decreasing by more than its ftol, which leaves the direction shared by
    the intercept and a full one-hot block (flat but for the penalty) about 1e-4 short."""
    m = LogisticRegression(
        C=c,
        solver="newton-cholesky",
        tol=1e-14,
        max_iter=1000,
        class_weight="balanced" if balanced else None,
    )
    m.fit(x, y)
    return {"coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0])}


def objective(x, y, coef, intercept, c, balanced):
    """sklearn's objective C * sum(s_i * loss_i) + |w|^2 / 2, in fairgate's scaling (/ C)."""
    z = x @ np.asarray(coef) + intercept
    s = np.ones(len(y))
    if balanced:
        n, p = len(y), y.sum()
        s = np.where(y == 1, n / (2 * p), n / (2 * (n - p)))
    loss = np.sum(s * (np.logaddexp(0, z) - y * z))
    pen = 0.0 if np.isinf(c) else np.dot(coef, coef) / (2 * c)
    return float(loss + pen)


def scores(p, y):
    return {
        "auc": roc_auc_score(y, p),
        "log_loss": log_loss(y, p),
        "brier": brier_score_loss(y, p),
    }


def leads_cases():
    df = read(ROOT / "datasets" / "leads_demo.csv")
    ok = (df["consent"] == "true") & (df["consent_timestamp"] != "") & (
        df["consent_timestamp"] <= "2026-06-30"
    )
    df = df[ok].reset_index(drop=True)
    roles = {
        "lead_id", "converted", "vendor_score", "gender", "age_band", "ethnicity", "region",
        "consent", "consent_timestamp",
    }
    features = [c for c in df.columns if c not in roles]
    kind = kinds(df, features)
    enc = design_fit(df, features, kind)
    x, names = design_apply(df, enc)
    y = df["converted"].astype(int).to_numpy()
    out = []
    for name, c, balanced in [("c1", 1.0, False), ("c0.05", 0.05, False), ("balanced", 1.0, True)]:
        m = fit(x, y, c, balanced)
        out.append({
            "case": name,
            "c": c,
            "balanced": balanced,
            "rows": int(len(y)),
            "columns": names,
            "coef": m.coef_[0].tolist(),
            "intercept": float(m.intercept_[0]),
            "objective": objective(x, y, m.coef_[0], m.intercept_[0], c, balanced),
            "newton": newton(x, y, c, balanced),
            "train": scores(m.predict_proba(x)[:, 1], y),
        })
    out.append(points_case(df, y))
    return out


def rule_points(df, rule):
    """One rule's points per row, from the semantics in src/train/points.rs's docs."""
    v = df[rule["column"]]
    missing = v == ""
    if rule.get("missing"):
        return np.where(missing, rule["points"], 0.0)
    if "contains" in rule:
        low = v.str.lower()
        hit = np.zeros(len(v), dtype=bool)
        for w in rule["contains"]:
            hit |= low.str.contains(w.lower(), regex=False).to_numpy()
        return np.where(hit & ~missing, rule["points"], 0.0)
    if "in" in rule:
        return np.where(v.isin(rule["in"]) & ~missing, rule["points"], 0.0)
    x = pd.to_numeric(v.replace("", np.nan))
    if "per" in rule:
        p = rule["per"] * x
        if "max" in rule:
            p = p.clip(-rule["max"], rule["max"])
        return p.fillna(0.0).to_numpy()
    hit = ~x.isna()
    if "at-least" in rule:
        hit &= x >= rule["at-least"]
    if "below" in rule:
        hit &= x < rule["below"]
    return np.where(hit, rule["points"], 0.0)


def points_case(df, y):
    import tomllib

    rules = tomllib.loads((ROOT / "datasets" / "points.toml").read_text())["rule"]
    total = sum(rule_points(df, r) for r in rules)
    m = LogisticRegression(C=np.inf, solver="lbfgs", tol=1e-12, max_iter=100000)
    m.fit(total.reshape(-1, 1), y)
    p = m.predict_proba(total.reshape(-1, 1))[:, 1]
    exact = newton(total.reshape(-1, 1), y, np.inf, False)
    return {
        "case": "points",
        "rows": int(len(y)),
        "fired": [int((rule_points(df, r) != 0).sum()) for r in rules],
        "intercept": float(m.intercept_[0]),
        "slope": float(m.coef_[0][0]),
        "newton": {"intercept": exact["intercept"], "slope": exact["coef"][0]},
        "train": scores(p, y),
    }


def adult_case(adult_dir):
    train = read(adult_dir / "adult_train.csv")
    test = read(adult_dir / "adult_test.csv")
    features = [c for c in train.columns if c not in {"label", "sex", "race"}]
    kind = kinds(train, features)
    enc = design_fit(train, features, kind)
    x, names = design_apply(train, enc)
    xt, _ = design_apply(test, enc)
    y = train["label"].astype(int).to_numpy()
    yt = test["label"].astype(int).to_numpy()
    m = fit(x, y, 1.0, False)
    return {
        "objective": objective(x, y, m.coef_[0], m.intercept_[0], 1.0, False),
        "newton": newton(x, y, 1.0, False),
        "case": "adult",
        "c": 1.0,
        "balanced": False,
        "rows": int(len(y)),
        "columns": names,
        "coef": m.coef_[0].tolist(),
        "intercept": float(m.intercept_[0]),
        "train": scores(m.predict_proba(x)[:, 1], y),
        "test": scores(m.predict_proba(xt)[:, 1], yt),
        "test_rows": int(len(yt)),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--adult", default=str(ROOT.parent / "shared" / "datasets" / "adult"))
    args = ap.parse_args()
    meta = {"sklearn": sklearn.__version__, "numpy": np.__version__, "pandas": pd.__version__}
    golden = HERE / "golden"
    golden.mkdir(exist_ok=True)
    leads = {"oracle": meta, "cases": leads_cases()}
    (golden / "train_leads_demo.json").write_text(json.dumps(leads, indent=1) + "\n")
    adult_dir = pathlib.Path(args.adult)
    if (adult_dir / "adult_train.csv").exists():
        adult = {"oracle": meta, "cases": [adult_case(adult_dir)]}
        (golden / "train_adult.json").write_text(json.dumps(adult, indent=1) + "\n")
    else:
        print(f"skipped Adult: {adult_dir} not found")


if __name__ == "__main__":
    main()
