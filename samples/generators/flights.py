"""flights: synthetic flight-delay data and a sklearn Pipeline(ColumnTransformer(OneHotEncoder, StandardScaler),
LogisticRegression), written node by node in the shape skl2onnx emits for per-column inputs.

Each feature is its own [None, 1] input (carrier, origin strings; distance float; dep_hour, day_of_week
int64), so the names come from the graph itself. Class names are in metadata_props["class_names"].
This is the model `npm start` serves.
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .common import expected_document, probability_map_sequence, sample_path, save_model, set_metadata, tensor_value, write_csv, write_json

CLASS_NAMES = ["on_time", "delayed"]
COLUMNS = ["carrier", "origin", "distance", "dep_hour", "day_of_week"]
TARGET = "delayed"
OPSETS = [helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)]

# carrier -> (share of flights, effect on the delay log-odds). Low-cost carriers run late more often.
CARRIERS = {"AA": (0.16, 0.10), "DL": (0.17, -0.35), "UA": (0.14, 0.05), "WN": (0.18, 0.15),
            "B6": (0.07, 0.35), "AS": (0.07, -0.40), "NK": (0.06, 0.60), "F9": (0.05, 0.50),
            "G4": (0.05, 0.40), "HA": (0.05, -0.50)}
NEW_CARRIER = ("MQ", 0.12, 0.45)  # (code, share in current.csv, effect): never seen in reference.csv
# origin airport -> effect on the delay log-odds (congested hubs run late)
ORIGINS = {"ATL": 0.05, "ORD": 0.35, "DFW": 0.10, "DEN": 0.15, "LAX": 0.10, "JFK": 0.30, "SFO": 0.25,
           "SEA": -0.10, "LAS": 0.00, "MCO": 0.05, "BOS": 0.20, "PHX": -0.20, "MIA": 0.15, "EWR": 0.40,
           "CLT": -0.05}
WEEKDAY_EFFECT = [0.0, -0.15, -0.1, 0.1, 0.3, -0.1, 0.25]  # 0 = Monday ... 6 = Sunday
MORNING_HOURS = np.arange(5, 24)


def hour_weights(evening_heavy):
    weights = np.where((MORNING_HOURS >= 6) & (MORNING_HOURS <= 9), 1.6, 1.0)
    weights = weights + np.where((MORNING_HOURS >= 16) & (MORNING_HOURS <= 20), 0.6, 0.0)
    if evening_heavy:
        weights = weights + np.where(MORNING_HOURS >= 17, 2.5, 0.0)
    return weights / weights.sum()


def simulate(rng, rows, drifted):
    """Returns (records as an object array [rows, 5], delayed 0/1). `drifted` makes current.csv."""
    codes = list(CARRIERS)
    shares = np.array([CARRIERS[c][0] for c in codes])
    effects = {c: e for c, (_, e) in CARRIERS.items()}
    if drifted:
        code, share, effect = NEW_CARRIER
        codes, shares = codes + [code], np.append(shares * (1 - share), share)
        effects[code] = effect
    carrier = rng.choice(codes, size=rows, p=shares / shares.sum())
    origin = rng.choice(list(ORIGINS), size=rows)
    scale = 1.35 if drifted else 1.0  # current.csv: longer routes
    distance = np.clip(np.round(rng.lognormal(np.log(750 * scale), 0.55, size=rows)), 80, 2900)
    dep_hour = rng.choice(MORNING_HOURS, size=rows, p=hour_weights(drifted))
    day_of_week = rng.integers(0, 7, size=rows)
    logit = (-1.55 + np.array([effects[c] for c in carrier]) + np.array([ORIGINS[o] for o in origin])
             + 0.11 * (dep_hour - 12) + 0.0003 * (distance - 750) + np.array(WEEKDAY_EFFECT)[day_of_week])
    delayed = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    records = np.empty((rows, 5), dtype=object)
    records[:, 0], records[:, 1], records[:, 2] = carrier, origin, distance
    records[:, 3], records[:, 4] = dep_hour.astype(np.int64), day_of_week.astype(np.int64)
    return records, delayed


def fit(records, delayed):
    features = ColumnTransformer([
        ("categorical", OneHotEncoder(handle_unknown="ignore"), [0, 1]),
        ("numeric", StandardScaler(), [2, 3, 4]),
    ])
    return Pipeline([("features", features), ("classifier", LogisticRegression(max_iter=1000))]).fit(records, delayed)


def one_hot_nodes(column, categories):
    """skl2onnx: ai.onnx.ml OneHotEncoder gives [N, 1, K]; a Reshape makes it [N, K]. zeros=1 is
    handle_unknown='ignore': an unseen category becomes all zeros instead of an error."""
    shape = numpy_helper.from_array(np.array([-1, len(categories)], dtype=np.int64), f"{column}_shape")
    nodes = [
        helper.make_node("OneHotEncoder", [column], [f"{column}_onehot3d"], name=f"OneHotEncoder_{column}",
                         domain="ai.onnx.ml", cats_strings=[str(c) for c in categories], zeros=1),
        helper.make_node("Reshape", [f"{column}_onehot3d", f"{column}_shape"], [f"{column}_onehot"],
                         name=f"Reshape_{column}"),
    ]
    return nodes, shape


def build_graph(pipeline):
    encoder = pipeline.named_steps["features"].named_transformers_["categorical"]
    scaler = pipeline.named_steps["features"].named_transformers_["numeric"]
    classifier = pipeline.named_steps["classifier"]
    nodes, initializers = [], []
    for column, categories in zip(["carrier", "origin"], encoder.categories_):
        column_nodes, shape = one_hot_nodes(column, categories)
        nodes += column_nodes
        initializers.append(shape)
    nodes += [
        helper.make_node("Cast", ["dep_hour"], ["dep_hour_float"], name="Cast_dep_hour", to=TensorProto.FLOAT),
        helper.make_node("Cast", ["day_of_week"], ["day_of_week_float"], name="Cast_day_of_week",
                         to=TensorProto.FLOAT),
        helper.make_node("Concat", ["distance", "dep_hour_float", "day_of_week_float"], ["numeric"],
                         name="Concat_numeric", axis=1),
        # Scaler computes (x - offset) * scale, i.e. StandardScaler with scale = 1 / std.
        helper.make_node("Scaler", ["numeric"], ["numeric_scaled"], name="Scaler", domain="ai.onnx.ml",
                         offset=scaler.mean_.astype(np.float32).tolist(),
                         scale=(1 / scaler.scale_).astype(np.float32).tolist()),
        helper.make_node("Concat", ["carrier_onehot", "origin_onehot", "numeric_scaled"], ["transformed"],
                         name="Concat_features", axis=1),
    ]
    # Binary logistic regression the skl2onnx way: two score rows (-w, w) with LOGISTIC post-transform,
    # so the two probabilities are sigmoid(-z) and sigmoid(z).
    coef = classifier.coef_.astype(np.float32).flatten()
    bias = float(classifier.intercept_[0])
    nodes += [
        helper.make_node("LinearClassifier", ["transformed"], ["label", "probabilities"], name="LinearClassifier",
                         domain="ai.onnx.ml", coefficients=(-coef).tolist() + coef.tolist(),
                         intercepts=[-bias, bias], multi_class=0, post_transform="LOGISTIC",
                         classlabels_ints=[0, 1]),
        helper.make_node("Cast", ["label"], ["output_label"], name="Cast_label", to=TensorProto.INT64),
        helper.make_node("ZipMap", ["probabilities"], ["output_probability"], name="ZipMap",
                         domain="ai.onnx.ml", classlabels_int64s=[0, 1]),
    ]
    probability_map = probability_map_sequence(TensorProto.INT64)
    input_types = [TensorProto.STRING, TensorProto.STRING, TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT64]
    graph = helper.make_graph(
        nodes, "flights_delay_pipeline",
        inputs=[helper.make_tensor_value_info(c, t, [None, 1]) for c, t in zip(COLUMNS, input_types)],
        outputs=[helper.make_tensor_value_info("output_label", TensorProto.INT64, [None]),
                 helper.make_value_info("output_probability", probability_map)],
        initializer=initializers,
    )
    model = helper.make_model(graph, opset_imports=OPSETS, producer_name="model-lab make_samples.py",
                              producer_version="1")
    model.ir_version = 8
    model.doc_string = ("Will a flight leave 15+ minutes late? Synthetic data; sklearn OneHotEncoder + "
                        "StandardScaler + LogisticRegression in skl2onnx layout.")
    set_metadata(model, {"class_names": CLASS_NAMES})
    return model


def make():
    print("flights")
    rng = np.random.default_rng(20240501)
    reference, reference_delayed = simulate(rng, 2000, drifted=False)
    current, current_delayed = simulate(rng, 1000, drifted=True)
    pipeline = fit(reference, reference_delayed)
    print(f"  delay rate reference {reference_delayed.mean():.2f}, current {current_delayed.mean():.2f}; "
          f"training accuracy {pipeline.score(reference, reference_delayed):.3f}")

    save_model(build_graph(pipeline), sample_path("flights", "flights.onnx"), strict_shapes=False)
    header = COLUMNS + [TARGET]
    write_csv(sample_path("flights", "reference.csv"), header,
              (list(r) + [d] for r, d in zip(reference, reference_delayed)))
    write_csv(sample_path("flights", "current.csv"), header,
              (list(r) + [d] for r, d in zip(current, current_delayed)))

    first = reference[:5]
    new_carrier_row = current[next(i for i in range(len(current)) if current[i, 0] == NEW_CARRIER[0])]
    rows = np.vstack([first, new_carrier_row[None, :]])
    probabilities = pipeline.predict_proba(rows)
    labels = pipeline.predict(rows)
    column_tensor = {
        "carrier": ("string", lambda v: str(v)), "origin": ("string", lambda v: str(v)),
        "distance": ("float32", float), "dep_hour": ("int64", int), "day_of_week": ("int64", int),
    }
    write_json(sample_path("flights", "expected.json"), expected_document(
        "flights.onnx",
        "reference.csv data rows 1-5, then the first current.csv row with the unseen carrier "
        f"{NEW_CARRIER[0]} (one-hot all zeros, as handle_unknown='ignore'); outputs from sklearn (float64)",
        records=[dict(zip(COLUMNS, row)) for row in rows],
        inputs={c: tensor_value(dtype, [len(rows), 1], [[convert(v)] for v in rows[:, j]])
                for j, (c, (dtype, convert)) in enumerate(column_tensor.items())},
        outputs={"output_label": tensor_value("int64", [len(rows)], labels),
                 "output_probability": {"type": "sequence<map<int64,float32>>",
                                        "data": [{0: p[0], 1: p[1]} for p in probabilities]}},
        predictions=[{"label": CLASS_NAMES[int(label)], "probabilities": dict(zip(CLASS_NAMES, p)),
                      "actual": CLASS_NAMES[int(actual)] if i < 5 else None}
                     for i, (label, p, actual) in enumerate(zip(labels, probabilities,
                                                                list(reference_delayed[:5]) + [None]))],
    ))
