"""FastAPI + uvicorn peer: OIP v2 infer for the sample network, written as a FastAPI user would
(pydantic request model, sync handler in the thread pool). Usage: fastapi_peer.py WEIGHTS.json MODEL_NAME"""
import json
import sys
from typing import List, Optional

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

import mlp

KIND, MODEL, WEIGHTS = mlp.load(sys.argv[1])
NAME = sys.argv[2]


class InferInput(BaseModel):
    name: str
    shape: List[int]
    datatype: str
    data: List[float]


class InferRequest(BaseModel):
    id: Optional[str] = None
    inputs: List[InferInput]


app = FastAPI()


@app.get("/v2/health/ready")
def ready():
    return {}


@app.post(f"/v2/models/{NAME}/infer")
def infer(request: InferRequest):
    tensor = request.inputs[0]
    return mlp.infer_response(MODEL, NAME, WEIGHTS["outputName"], tensor.data, tensor.shape)


if __name__ == "__main__":
    port = mlp.free_port()
    print(json.dumps({"event": "ready", "url": f"http://127.0.0.1:{port}", "model": KIND}), flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
