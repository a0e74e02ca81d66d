"""The Model Lab sample network rebuilt for the Python peers, from the weights network.ts exported.

With scikit-learn it is a Pipeline(StandardScaler, MLPClassifier) whose fitted attributes are set to the
ONNX weights (the two softmax logits become one logistic unit: softmax([a, b])[1] == sigmoid(b - a)), so
the peers run what a data scientist would deploy. Without scikit-learn it is the same arithmetic in numpy
and says so (KIND).
"""
import json

import numpy as np


def load(path):
    with open(path, encoding="utf-8") as handle:
        w = json.load(handle)
    mean = np.asarray(w["mean"], dtype=np.float64)
    std = np.asarray(w["std"], dtype=np.float64)
    coefs = [np.asarray(layer["weight"], dtype=np.float64).T for layer in w["layers"]]
    biases = [np.asarray(layer["bias"], dtype=np.float64) for layer in w["layers"]]
    # Two-class softmax as one logistic unit, the form MLPClassifier uses for binary targets.
    coefs[-1] = (coefs[-1][:, 1] - coefs[-1][:, 0]).reshape(-1, 1)
    biases[-1] = np.asarray([biases[-1][1] - biases[-1][0]])
    try:
        return "sklearn", sklearn_pipeline(mean, std, coefs, biases), w
    except ImportError:
        return "numpy", NumpyMlp(mean, std, coefs, biases), w


def sklearn_pipeline(mean, std, coefs, biases):
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler()
    scaler.mean_, scaler.scale_, scaler.var_ = mean, std, std * std
    scaler.n_features_in_, scaler.n_samples_seen_ = len(mean), 1
    mlp = MLPClassifier(hidden_layer_sizes=tuple(c.shape[1] for c in coefs[:-1]), activation="relu")
    mlp.coefs_, mlp.intercepts_ = coefs, biases
    mlp.n_features_in_, mlp.n_layers_, mlp.n_outputs_ = len(mean), len(coefs) + 1, 1
    mlp.out_activation_, mlp.classes_, mlp.n_iter_ = "logistic", np.asarray([0, 1]), 1
    return Pipeline([("scale", scaler), ("mlp", mlp)])


class NumpyMlp:
    def __init__(self, mean, std, coefs, biases):
        self.mean, self.std, self.coefs, self.biases = mean, std, coefs, biases

    def predict_proba(self, x):
        h = (x - self.mean) / self.std
        for c, b in zip(self.coefs[:-1], self.biases[:-1]):
            h = np.maximum(h @ c + b, 0)
        p = 1 / (1 + np.exp(-(h @ self.coefs[-1] + self.biases[-1])))
        return np.hstack([1 - p, p])


def infer_response(model, name, output_name, data, shape):
    """An OIP v2 response for one FP32 input, as Model Lab answers it."""
    x = np.asarray(data, dtype=np.float32).reshape(shape)
    p = model.predict_proba(x).astype(np.float32)
    return {
        "model_name": name,
        "outputs": [{"name": output_name, "shape": list(p.shape), "datatype": "FP32", "data": p.ravel().tolist()}],
    }


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
