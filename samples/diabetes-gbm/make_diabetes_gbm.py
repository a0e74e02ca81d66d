#!/usr/bin/python3
"""diabetes-gbm: xgboost gradient boosting (100 trees, depth ≤ 6, reg:squarederror) on sklearn's diabetes
data, converted to an ONNX TreeEnsembleRegressor by ./xgboost_to_onnx.py. The sample behind TreeSHAP
(server/explain): its truth is xgboost's own `pred_contribs` (test/fixtures/explain/make_fixtures.py).

    /usr/bin/python3 samples/diabetes-gbm/make_diabetes_gbm.py   # needs Debian's python3-xgboost, -sklearn, -onnx

Single-threaded `exact` tree method with fixed seeds: a re-run writes the same files. reference.csv is the
training data, so counting its rows through each node gives xgboost's cover (hessian = 1 per row).
"""
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402
import xgboost  # noqa: E402
from sklearn.datasets import load_diabetes  # noqa: E402

from generators.common import expected_document, sample_path, save_model, tensor_value, write_csv, write_json  # noqa: E402
from xgboost_to_onnx import booster_to_onnx  # noqa: E402

TARGET = "progression"
PARAMS = {"objective": "reg:squarederror", "max_depth": 6, "eta": 0.1, "tree_method": "exact", "nthread": 1,
          "seed": 0, "min_child_weight": 1.0}
ROUNDS = 100


def train():
    data = load_diabetes(scaled=False)
    names = [str(n) for n in data.feature_names]
    x, y = data.data, data.target
    base_score = float(np.float32(y.mean()))
    matrix = xgboost.DMatrix(x.astype(np.float32), label=y, feature_names=None)
    booster = xgboost.train({**PARAMS, "base_score": base_score}, matrix, num_boost_round=ROUNDS)
    return names, x, y, booster, base_score


def main():
    print("diabetes-gbm")
    names, x, y, booster, base_score = train()
    model = booster_to_onnx(booster, len(names), base_score)
    model.doc_string = "Diabetes progression one year after baseline (xgboost, 100 trees of depth ≤ 6)."
    save_model(model, sample_path("diabetes-gbm", "diabetes_gbm.onnx"))
    write_json(sample_path("diabetes-gbm", "diabetes_gbm.signature.json"), {
        "features": [{"name": n} for n in names],
        "outputs": {"variable": {"role": "value", "names": [TARGET]}},
        "task": "regression",
        "target": TARGET,
    }, round_floats=False)
    write_csv(sample_path("diabetes-gbm", "reference.csv"), names + [TARGET], (list(r) + [t] for r, t in zip(x, y)))
    first = x[:5]
    values = booster.predict(xgboost.DMatrix(first.astype(np.float32))).reshape(-1, 1)
    write_json(sample_path("diabetes-gbm", "expected.json"), expected_document(
        "diabetes_gbm.onnx", "reference.csv data rows 1-5, outputs from xgboost (float32)",
        records=[dict(zip(names, row)) for row in first],
        inputs={"float_input": tensor_value("float32", first.shape, first)},
        outputs={"variable": tensor_value("float32", values.shape, values)},
        predictions=[{"value": {TARGET: v[0]}, "actual": t} for v, t in zip(values, y[:5])],
    ))


if __name__ == "__main__":
    main()
