"""Scores UCI Adult's test set with a scikit-learn logistic regression, for the audit oracle.

Trained on ../shared/datasets/adult/adult_train.csv without sex and race (they are kept for the
audit only); features: the numeric columns standardised, the categorical ones one-hot encoded
(missing as its own category). Writes tests/oracle/data/adult_test_scored.csv with the label,
the score (full precision), the audited attributes sex, race and an age band, and the
census sampling weight fnlwgt as `weight` (for the weighted audit's oracle). Only derived
values are committed, never the data set itself.
"""

import pathlib

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = pathlib.Path(__file__).resolve().parents[2]
ADULT = ROOT.parent / "shared" / "datasets" / "adult"
NUMERIC = ["age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CATEGORICAL = ["workclass", "education", "marital_status", "occupation", "relationship", "native_country"]


def load(name):
    d = pd.read_csv(ADULT / name, keep_default_na=False, na_values=[""])
    for c in CATEGORICAL:
        d[c] = d[c].fillna("(missing)")
    return d


def main():
    train, test = load("adult_train.csv"), load("adult_test.csv")
    model = make_pipeline(
        ColumnTransformer(
            [
                ("num", StandardScaler(), NUMERIC),
                ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
            ]
        ),
        LogisticRegression(C=1.0, max_iter=2000),
    )
    model.fit(train[NUMERIC + CATEGORICAL], train["label"])
    score = model.predict_proba(test[NUMERIC + CATEGORICAL])[:, 1]
    bands = pd.cut(test["age"], [0, 24, 34, 44, 54, 64, 200], labels=["17-24", "25-34", "35-44", "45-54", "55-64", "65+"])
    out = pd.DataFrame(
        {
            "label": test["label"],
            "score": [repr(float(s)) for s in score],
            "sex": test["sex"],
            "race": test["race"],
            "age_band": bands.astype(str),
            "weight": test["fnlwgt"],
        }
    )
    path = ROOT / "tests" / "oracle" / "data" / "adult_test_scored.csv"
    out.to_csv(path, index=False)
    print(f"wrote {path}: {len(out)} rows")


if __name__ == "__main__":
    main()
