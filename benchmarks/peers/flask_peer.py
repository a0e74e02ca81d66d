"""Flask peer: OIP v2 infer for the sample network on Flask's own threaded server (werkzeug; gunicorn is
not a Debian-packaged Python module here). Usage: flask_peer.py WEIGHTS.json MODEL_NAME"""
import json
import logging
import sys

from flask import Flask, jsonify, request

import mlp

KIND, MODEL, WEIGHTS = mlp.load(sys.argv[1])
NAME = sys.argv[2]
app = Flask(__name__)


@app.get("/v2/health/ready")
def ready():
    return jsonify({})


@app.post(f"/v2/models/{NAME}/infer")
def infer():
    tensor = request.get_json()["inputs"][0]
    return jsonify(mlp.infer_response(MODEL, NAME, WEIGHTS["outputName"], tensor["data"], tensor["shape"]))


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = mlp.free_port()
    print(json.dumps({"event": "ready", "url": f"http://127.0.0.1:{port}", "model": KIND}), flush=True)
    app.run(host="127.0.0.1", port=port, threaded=True)
