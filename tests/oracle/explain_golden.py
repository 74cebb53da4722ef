"""Golden values for `fairgate explain`, computed independently on the demo leads (consented
rows, the design of train_golden.py, a model fitted on all of them with C = 1):

- standard errors: sqrt(diag(inv(X1' diag(p(1-p)) X1 + P/C))) at scikit-learn's exact
  (newton-cholesky) fit, X1 the design with an intercept column, P the identity without the
  intercept (numpy);
- per-person contributions: the `shap` package's LinearExplainer with an Independent masker
  holding every training row (so the background mean is the training mean), summed over each
  feature's design columns, for the first 500 rows; and its expected value (the base value);
- proxy measures per (feature, protected attribute): Cramér's V with
  scipy.stats.contingency.association, the correlation ratio with numpy, and the largest
  one-against-the-rest ROC AUC with scikit-learn over the groups of at least 30 rows.

Writes tests/oracle/golden/explain_leads_demo.json.
"""

import json
import pathlib

import numpy as np
import pandas as pd
import scipy
import shap
import sklearn
from scipy.stats.contingency import association
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

import train_golden as tg

HERE = pathlib.Path(__file__).resolve().parent
PROTECTED = ["gender", "age_band", "ethnicity", "region"]


def corr_ratio(x, g):
    m = x.mean()
    between = sum(len(x[g == k]) * (x[g == k].mean() - m) ** 2 for k in np.unique(g))
    return float(np.sqrt(between / ((x - m) ** 2).sum()))


MIN_GROUP = 30


def best_auc(score, g):
    best = None
    for k in np.unique(g):
        if (g == k).sum() < MIN_GROUP:
            continue
        a = roc_auc_score(g == k, score)
        a = max(a, 1 - a)
        if best is None or a > best[0]:
            best = (a, k)
        if len(np.unique(g)) == 2:
            break
    return best


def main():
    df = tg.read(tg.ROOT / "datasets" / "leads_demo.csv")
    ok = (df["consent"] == "true") & (df["consent_timestamp"] != "") & (
        df["consent_timestamp"] <= "2026-06-30"
    )
    df = df[ok].reset_index(drop=True)
    roles = {"lead_id", "converted", "vendor_score", "consent", "consent_timestamp", *PROTECTED}
    features = [c for c in df.columns if c not in roles]
    kind = tg.kinds(df, features)
    enc = tg.design_fit(df, features, kind)
    x, names = tg.design_apply(df, enc)
    y = df["converted"].astype(int).to_numpy()
    m = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-14, max_iter=1000).fit(x, y)

    # Standard errors from the penalised Fisher information.
    x1 = np.column_stack([x, np.ones(len(x))])
    p = m.predict_proba(x)[:, 1]
    h = x1.T @ (x1 * (p * (1 - p))[:, None])
    pen = np.eye(x1.shape[1])
    pen[-1, -1] = 0.0
    cov = np.linalg.inv(h + pen / 1.0)
    se = np.sqrt(np.diag(cov))[:-1]

    # Linear SHAP against the training mean.
    explainer = shap.LinearExplainer(m, shap.maskers.Independent(x, max_samples=len(x)))
    rows = 500
    sv = explainer.shap_values(x[:rows])
    spans, at = [], 0
    for c, k, info in enc:
        w = 1 if k == "numeric" else len(info)
        spans.append((c, at, w))
        at += w
    per_feature = [[float(sv[i, a:a + w].sum()) for (_, a, w) in spans] for i in range(rows)]

    proxies = []
    for attr in PROTECTED:
        g = df[attr].to_numpy()
        for c in features:
            if kind[c] == "categorical":
                f = df[c].replace("", "(missing)").to_numpy()
                table = pd.crosstab(f, g).to_numpy()
                v = float(association(table, method="cramer"))
                share = pd.crosstab(f, g, normalize="index")
                best = None
                for k in np.unique(g):
                    if (g == k).sum() < MIN_GROUP:
                        continue
                    score = share[k].reindex(f).to_numpy()
                    a = roc_auc_score(g == k, score)
                    a = max(a, 1 - a)
                    if best is None or a > best[0]:
                        best = (a, k)
                proxies.append({"feature": c, "attribute": attr, "association": v,
                                "auc": best[0], "auc_group": best[1]})
            else:
                xv = pd.to_numeric(df[c].replace("", np.nan)).to_numpy()
                keep = ~np.isnan(xv)
                a, k = best_auc(xv[keep], g[keep])
                proxies.append({"feature": c, "attribute": attr,
                                "association": corr_ratio(xv[keep], g[keep]),
                                "auc": a, "auc_group": k})

    out = {
        "oracle": {"sklearn": sklearn.__version__, "shap": shap.__version__,
                   "scipy": scipy.__version__, "numpy": np.__version__},
        "rows": int(len(y)),
        "columns": names,
        "coef": m.coef_[0].tolist(),
        "std_error": se.tolist(),
        "expected_value": float(np.ravel(explainer.expected_value)[0]),
        "features": [s[0] for s in spans],
        "contributions_first_rows": per_feature,
        "ids_first_rows": df["lead_id"].iloc[:rows].tolist(),
        "proxies": proxies,
    }
    (HERE / "golden" / "explain_leads_demo.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
