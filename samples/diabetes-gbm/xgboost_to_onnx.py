"""Converts an xgboost regression Booster to an ONNX `ai.onnx.ml` TreeEnsembleRegressor, with the `onnx`
package only (onnxmltools is not a Debian package).

Each tree of the booster's model JSON (`save_raw("json")`) becomes nodes of one ensemble:
- a split on feature 3 at 12.5 is mode BRANCH_LT with threshold 12.5 (xgboost goes left when x < threshold,
  both in float32), the left child the true one, the right child the false one, NaN going left when
  `default_left` (nodes_missing_value_tracks_true);
- a leaf is mode LEAF with one target weight;
- base_score is the ensemble's base value, so the graph's output equals `booster.predict` (margin =
  prediction for reg:squarederror).

Only regression boosters (reg:squarederror) are converted: that is what the diabetes-gbm sample needs.
"""
import json

from onnx import TensorProto, helper


def _tree_nodes(tree, tree_id, out):
    """One tree of the model JSON: parallel arrays, node i a leaf when left_children[i] == -1."""
    for node_id, left in enumerate(tree["left_children"]):
        value = float(tree["split_conditions"][node_id])  # a leaf's value for leaves, the threshold otherwise
        if left == -1:
            out["ids"].append((tree_id, node_id, 0, 0.0, "LEAF", 0, 0, 0))
            out["leaves"].append((tree_id, node_id, value))
            continue
        right = tree["right_children"][node_id]
        out["ids"].append((tree_id, node_id, int(tree["split_indices"][node_id]), value, "BRANCH_LT", left, right,
                           int(tree["default_left"][node_id])))


def booster_to_onnx(booster, n_features, base_score, input_name="float_input", output_name="variable"):
    out = {"ids": [], "leaves": []}
    # The model JSON, not get_dump: the dump prints thresholds rounded, the model keeps every float32 bit.
    trees = json.loads(booster.save_raw(raw_format="json"))["learner"]["gradient_booster"]["model"]["trees"]
    for tree_id, tree in enumerate(trees):
        _tree_nodes(tree, tree_id, out)
    nodes = sorted(out["ids"], key=lambda n: (n[0], n[1]))
    leaves = sorted(out["leaves"], key=lambda n: (n[0], n[1]))
    node = helper.make_node(
        "TreeEnsembleRegressor", [input_name], [output_name], name="TreeEnsembleRegressor", domain="ai.onnx.ml",
        n_targets=1,
        base_values=[float(base_score)],
        post_transform="NONE",
        aggregate_function="SUM",
        nodes_treeids=[n[0] for n in nodes],
        nodes_nodeids=[n[1] for n in nodes],
        nodes_featureids=[n[2] for n in nodes],
        nodes_values=[n[3] for n in nodes],
        nodes_modes=[n[4] for n in nodes],
        nodes_truenodeids=[n[5] for n in nodes],
        nodes_falsenodeids=[n[6] for n in nodes],
        nodes_missing_value_tracks_true=[n[7] for n in nodes],
        nodes_hitrates=[1.0 for _ in nodes],
        target_treeids=[leaf[0] for leaf in leaves],
        target_nodeids=[leaf[1] for leaf in leaves],
        target_ids=[0 for _ in leaves],
        target_weights=[leaf[2] for leaf in leaves],
    )
    graph = helper.make_graph(
        [node], "xgboost_regressor",
        inputs=[helper.make_tensor_value_info(input_name, TensorProto.FLOAT, [None, n_features])],
        outputs=[helper.make_tensor_value_info(output_name, TensorProto.FLOAT, [None, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)],
                              producer_name="model-lab samples/diabetes-gbm/xgboost_to_onnx.py", producer_version="1")
    model.ir_version = 8
    return model
