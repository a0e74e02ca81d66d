"""iris: sklearn LogisticRegression written node by node in the shape skl2onnx emits for a classifier with
string labels: LinearClassifier -> Normalizer -> ZipMap, plus an Identity for the label.

Feature names are in metadata_props["feature_names"] (the "metadata" signature source).
"""
import numpy as np
from onnx import TensorProto, helper
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from .common import expected_document, probability_map_sequence, sample_path, save_model, set_metadata, tensor_value, write_csv, write_json

TARGET = "species"
OPSETS = [helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)]


def build_graph(classifier, feature_names):
    classes = [str(c) for c in classifier.classes_]
    nodes = [
        # multi_class=1 + SOFTMAX is how skl2onnx marks sklearn's multinomial logistic regression.
        helper.make_node(
            "LinearClassifier", ["float_input"], ["label", "probability_tensor"], name="LinearClassifier",
            domain="ai.onnx.ml",
            coefficients=classifier.coef_.astype(np.float32).flatten().tolist(),
            intercepts=classifier.intercept_.astype(np.float32).tolist(),
            multi_class=1, post_transform="SOFTMAX", classlabels_strings=classes,
        ),
        # skl2onnx always re-normalises multiclass probabilities so they sum to exactly 1.
        helper.make_node("Normalizer", ["probability_tensor"], ["probabilities"], name="Normalizer",
                         domain="ai.onnx.ml", norm="L1"),
        helper.make_node("Identity", ["label"], ["output_label"], name="Identity"),
        helper.make_node("ZipMap", ["probabilities"], ["output_probability"], name="ZipMap",
                         domain="ai.onnx.ml", classlabels_strings=classes),
    ]
    probability_map = probability_map_sequence(TensorProto.STRING)
    graph = helper.make_graph(
        nodes, "iris_logistic_regression",
        inputs=[helper.make_tensor_value_info("float_input", TensorProto.FLOAT, [None, len(feature_names)])],
        outputs=[
            helper.make_tensor_value_info("output_label", TensorProto.STRING, [None]),
            helper.make_value_info("output_probability", probability_map),
        ],
    )
    model = helper.make_model(graph, opset_imports=OPSETS, producer_name="model-lab make_samples.py",
                              producer_version="1")
    model.ir_version = 8
    model.doc_string = "Iris species from sepal and petal sizes (sklearn LogisticRegression, skl2onnx layout)."
    set_metadata(model, {"feature_names": feature_names})
    return model


def make():
    print("iris")
    data = load_iris()
    names = [str(n) for n in data.feature_names]
    species = np.array([str(data.target_names[t]) for t in data.target])
    # Shuffled so that the first rows (the UI's "fill from sample") are not all setosa.
    order = np.random.default_rng(0).permutation(len(species))
    x, y = data.data[order], species[order]
    classifier = LogisticRegression(max_iter=1000).fit(x, y)
    print(f"  training accuracy {classifier.score(x, y):.3f}; classes {list(classifier.classes_)}")

    save_model(build_graph(classifier, names), sample_path("iris", "iris.onnx"), strict_shapes=False)
    header = names + [TARGET]
    write_csv(sample_path("iris", "reference.csv"), header, (list(r) + [t] for r, t in zip(x, y)))

    # current.csv: a later batch measured with larger petals and narrower sepals.
    rng = np.random.default_rng(2)
    picks = rng.integers(0, len(y), size=200)
    drifted = x[picks].copy()
    drifted[:, 2] = drifted[:, 2] * 1.2 + 0.3  # petal length (cm)
    drifted[:, 1] = drifted[:, 1] - 0.4       # sepal width (cm)
    drifted = np.round(drifted + rng.normal(0, 0.05, drifted.shape), 1)
    write_csv(sample_path("iris", "current.csv"), header, (list(r) + [t] for r, t in zip(drifted, y[picks])))

    first = x[:5]
    probabilities = classifier.predict_proba(first)
    labels = classifier.predict(first)
    classes = [str(c) for c in classifier.classes_]
    write_json(sample_path("iris", "expected.json"), expected_document(
        "iris.onnx", "reference.csv data rows 1-5, outputs from sklearn LogisticRegression (float64)",
        records=[dict(zip(names, row)) for row in first],
        inputs={"float_input": tensor_value("float32", first.shape, first)},
        outputs={
            "output_label": tensor_value("string", [5], labels),
            "output_probability": {"type": "sequence<map<string,float32>>",
                                   "data": [dict(zip(classes, p)) for p in probabilities]},
        },
        predictions=[{"label": label, "probabilities": dict(zip(classes, p)), "actual": actual}
                     for label, p, actual in zip(labels, probabilities, y[:5])],
    ))
