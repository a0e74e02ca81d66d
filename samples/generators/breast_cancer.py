"""breast-cancer: a PyTorch MLP on sklearn's Wisconsin breast cancer data, exported with torch.onnx.

The ONNX file carries no feature names on purpose: the server must take them from reference.csv's header
(the "csv" signature source). Class names are in metadata_props["class_names"].
"""
import io

import numpy as np
import onnx
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from .common import expected_document, sample_path, save_model, set_metadata, tensor_value, write_csv, write_json

CLASS_NAMES = ["malignant", "benign"]  # sklearn's target 0 = malignant, 1 = benign
TARGET = "diagnosis"

# Drift applied to current.csv: (column, multiply, add). Chosen to be visible but plausible.
DRIFT = [
    ("mean radius", 1.15, 0.0),
    ("mean texture", 1.0, 3.0),
    ("worst area", 1.25, 0.0),
    ("mean concavity", 1.3, 0.0),
]


class BreastCancerNet(torch.nn.Module):
    """Standardisation is a pair of buffers inside the graph, so callers send raw measurements."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(30, 128), torch.nn.ReLU(),
            torch.nn.Linear(128, 64), torch.nn.ReLU(),
            torch.nn.Linear(64, 2),
        )

    def logits(self, x):
        return self.layers((x - self.mean) / self.std)

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def train(x_train, y_train):
    torch.manual_seed(0)
    net = BreastCancerNet(x_train.mean(axis=0), x_train.std(axis=0))
    optimiser = torch.optim.Adam(net.parameters(), lr=3e-3, weight_decay=1e-4)
    features = torch.tensor(x_train, dtype=torch.float32)
    labels = torch.tensor(y_train, dtype=torch.int64)
    for _ in range(200):  # full-batch: deterministic and quick (~0.5 s)
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(net.logits(features), labels)
        loss.backward()
        optimiser.step()
    return net.eval()


def export(net):
    buffer = io.BytesIO()
    torch.onnx.export(
        net, torch.zeros(1, 30), buffer,
        input_names=["input"], output_names=["probabilities"],
        dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}},
        opset_version=13, do_constant_folding=True,
    )
    model = onnx.load_from_string(buffer.getvalue())
    model.doc_string = "Breast cancer diagnosis from 30 cell-nucleus measurements (PyTorch MLP)."
    set_metadata(model, {"class_names": CLASS_NAMES})
    return model


def predict(net, x):
    with torch.no_grad():
        return net(torch.tensor(x, dtype=torch.float32)).numpy()


def make():
    print("breast-cancer")
    data = load_breast_cancer()
    names = [str(n) for n in data.feature_names]
    x, y = data.data, data.target
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    net = train(x_train, y_train)
    accuracy = float((predict(net, x_test).argmax(axis=1) == y_test).mean())
    print(f"  test accuracy {accuracy:.3f} on {len(y_test)} held-out rows")

    save_model(export(net), sample_path("breast-cancer", "breast_cancer.onnx"))
    header = names + [TARGET]
    write_csv(sample_path("breast-cancer", "reference.csv"), header,
              (list(row) + [CLASS_NAMES[label]] for row, label in zip(x_train, y_train)))

    rng = np.random.default_rng(1)
    picks = rng.integers(0, len(x_test), size=300)
    drifted = x_test[picks].copy()
    for column, multiply, add in DRIFT:
        j = names.index(column)
        drifted[:, j] = drifted[:, j] * multiply + add
    drifted = np.round(drifted, 4)
    write_csv(sample_path("breast-cancer", "current.csv"), header,
              (list(row) + [CLASS_NAMES[label]] for row, label in zip(drifted, y_test[picks])))

    first = x_train[:5]
    probabilities = predict(net, first)
    write_json(sample_path("breast-cancer", "expected.json"), expected_document(
        "breast_cancer.onnx", "reference.csv data rows 1-5, outputs from torch (float32, CPU)",
        records=[dict(zip(names, row)) for row in first],
        inputs={"input": tensor_value("float32", first.shape, first)},
        outputs={"probabilities": tensor_value("float32", probabilities.shape, probabilities)},
        predictions=[
            {"label": CLASS_NAMES[int(p.argmax())], "probabilities": dict(zip(CLASS_NAMES, p)),
             "actual": CLASS_NAMES[int(label)]}
            for p, label in zip(probabilities, y_train[:5])
        ],
    ))
