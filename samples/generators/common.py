"""Helpers shared by the sample generators: deterministic CSV/JSON/PNG writers and ONNX saving.

Every writer produces byte-identical output for identical input, so re-running make_samples.py on the
same machine leaves `git status` clean.
"""
import csv
import json
import os
import struct
import zlib

import numpy as np
import onnx

SAMPLES_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Expected values are computed in float64 (sklearn) or float32 (torch on CPU); onnxruntime computes in
# float32 with other kernels, so tests should accept |actual - expected| <= tolerance * max(1, |expected|).
EXPECTED_TOLERANCE = 1e-4


def sample_path(*parts):
    path = os.path.join(SAMPLES_DIR, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def report(path):
    rel = os.path.relpath(path, os.path.dirname(SAMPLES_DIR))
    print(f"  wrote {rel} ({os.path.getsize(path):,} bytes)")


def format_cell(value):
    """Shortest text that parses back to exactly the same float64 (integers without a trailing '.0')."""
    if isinstance(value, (str, np.str_)):
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def write_csv(path, header, rows):
    """rows: iterable of sequences aligned with header. Unix newlines, minimal quoting."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([format_cell(v) for v in row])
    report(path)


def to_jsonable(value, round_floats=True):
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, round_floats) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, round_floats) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist(), round_floats)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        # 9 significant digits round-trip a float32 and keep expected outputs readable; configuration
        # (sidecars) keeps every digit, e.g. scale = 1/255.
        return float(f"{float(value):.9g}") if round_floats else float(value)
    if isinstance(value, np.str_):
        return str(value)
    return value


def write_json(path, data, round_floats=True):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(to_jsonable(data, round_floats), handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    report(path)


def set_metadata(model, entries):
    """Adds metadata_props; values that are not strings are stored as JSON."""
    for key, value in entries.items():
        prop = model.metadata_props.add()
        prop.key = key
        prop.value = value if isinstance(value, str) else json.dumps(value)


def save_model(model, path, strict_shapes=True):
    """Checks (including shape inference) and saves; fails loudly rather than writing a broken file.

    onnx 1.12's shape inference cannot merge ZipMap's seq(map) output type ("type case unsupported"), so
    graphs ending in a ZipMap pass strict_shapes=False and get the structural check only; the TypeScript
    test test/fixtures/models/onnx-files.test.ts then runs them in onnxruntime."""
    onnx.checker.check_model(model)
    if strict_shapes:
        onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    data = model.SerializeToString()
    if len(data) > 1_000_000:
        raise ValueError(f"{path}: {len(data)} bytes, samples must stay under 1 MB")
    with open(path, "wb") as handle:
        handle.write(data)
    report(path)


def tensor_value(dtype, shape, data):
    """The tensor form used in expected.json: dtype in onnxruntime-node spelling, shape, nested data."""
    return {"dtype": dtype, "shape": list(shape), "data": data}


def expected_document(model_file, source, records, inputs, outputs, predictions, notes=None):
    """Common layout of expected.json (see samples/README.md)."""
    doc = {
        "model": model_file,
        "source": source,
        "tolerance": EXPECTED_TOLERANCE,
        "records": records,
        "inputs": inputs,
        "outputs": outputs,
        "predictions": predictions,
    }
    if notes:
        doc["notes"] = notes
    return doc


def write_png_rgb(path, pixels):
    """pixels: uint8 array [height, width, 3]. Plain zlib + struct: no imaging library needed."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width, _ = pixels.shape

    def chunk(kind, body):
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    # Filter type 0 (None) on every scanline keeps the encoder trivial and the output deterministic.
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as handle:
        handle.write(png)
    report(path)


def probability_map_sequence(key_type):
    """The type skl2onnx gives a ZipMap output: seq(map(key_type, float)). onnx 1.12 has no helper for maps."""
    from onnx import TensorProto, TypeProto, helper

    map_type = TypeProto()
    map_type.map_type.key_type = key_type
    map_type.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    return helper.make_sequence_type_proto(map_type)
