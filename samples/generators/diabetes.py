"""diabetes: sklearn StandardScaler + Ridge folded into one MatMul + Add, in plain ONNX.

The ONNX file says nothing about its inputs beyond `X` [N, 10]; feature names, descriptions and the
target name come from the sidecar diabetes.signature.json (the "sidecar" signature source).
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .common import expected_document, sample_path, save_model, tensor_value, write_csv, write_json

TARGET = "progression"

# From sklearn's load_diabetes DESCR (Efron et al., 2004), with scaled=False the raw units below.
DESCRIPTIONS = {
    "age": "age in years",
    "sex": "sex, coded 1 or 2",
    "bmi": "body mass index (kg/m²)",
    "bp": "average blood pressure (mm Hg)",
    "s1": "tc, total serum cholesterol",
    "s2": "ldl, low-density lipoproteins",
    "s3": "hdl, high-density lipoproteins",
    "s4": "tch, total cholesterol / HDL",
    "s5": "ltg, possibly log of serum triglycerides level",
    "s6": "glu, blood sugar level",
}


def fold(pipeline):
    """Rewrites ((x - mean) / scale) · w + b as x · (w / scale) + (b - Σ w·mean/scale)."""
    scaler, ridge = pipeline.named_steps["standardscaler"], pipeline.named_steps["ridge"]
    weights = ridge.coef_ / scaler.scale_
    bias = ridge.intercept_ - float(np.sum(weights * scaler.mean_))
    return weights, bias


def build_graph(weights, bias):
    coef = numpy_helper.from_array(weights.astype(np.float32).reshape(-1, 1), "coef")
    intercept = numpy_helper.from_array(np.array([bias], dtype=np.float32), "intercept")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "coef"], ["multiplied"], name="MatMul"),
         helper.make_node("Add", ["multiplied", "intercept"], ["variable"], name="Add")],
        "diabetes_ridge",
        inputs=[helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 10])],
        outputs=[helper.make_tensor_value_info("variable", TensorProto.FLOAT, ["N", 1])],
        initializer=[coef, intercept],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="model-lab make_samples.py", producer_version="1")
    model.ir_version = 8
    model.doc_string = "Diabetes progression one year after baseline (sklearn StandardScaler + Ridge)."
    return model


def sidecar(names):
    return {
        "features": [{"name": n, "description": DESCRIPTIONS[n]} for n in names],
        "outputs": {"variable": {"role": "value", "names": [TARGET]}},
        "task": "regression",
        "target": TARGET,
    }


def make():
    print("diabetes")
    data = load_diabetes(scaled=False)
    names = [str(n) for n in data.feature_names]
    x, y = data.data, data.target
    pipeline = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(x, y)
    print(f"  training R² {pipeline.score(x, y):.3f}")
    weights, bias = fold(pipeline)
    assert np.allclose(x @ weights + bias, pipeline.predict(x)), "folding changed the predictions"

    save_model(build_graph(weights, bias), sample_path("diabetes", "diabetes.onnx"))
    write_json(sample_path("diabetes", "diabetes.signature.json"), sidecar(names), round_floats=False)
    header = names + [TARGET]
    write_csv(sample_path("diabetes", "reference.csv"), header, (list(r) + [t] for r, t in zip(x, y)))

    # current.csv: an older, heavier cohort with higher blood pressure.
    rng = np.random.default_rng(3)
    picks = rng.integers(0, len(y), size=300)
    drifted = x[picks].copy()
    drifted[:, names.index("age")] = np.clip(drifted[:, names.index("age")] + 8, 19, 90)
    drifted[:, names.index("bmi")] = np.round(drifted[:, names.index("bmi")] * 1.1, 1)
    drifted[:, names.index("bp")] = np.round(drifted[:, names.index("bp")] + 6, 2)
    write_csv(sample_path("diabetes", "current.csv"), header, (list(r) + [t] for r, t in zip(drifted, y[picks])))

    first = x[:5]
    values = pipeline.predict(first).reshape(-1, 1)
    write_json(sample_path("diabetes", "expected.json"), expected_document(
        "diabetes.onnx", "reference.csv data rows 1-5, outputs from sklearn StandardScaler + Ridge (float64)",
        records=[dict(zip(names, row)) for row in first],
        inputs={"X": tensor_value("float32", first.shape, first)},
        outputs={"variable": tensor_value("float32", values.shape, values)},
        predictions=[{"value": {TARGET: v[0]}, "actual": t} for v, t in zip(values, y[:5])],
    ))
