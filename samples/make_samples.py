#!/usr/bin/python3
"""Regenerates every sample model, CSV and expected-output file under samples/.

Run with Debian's python (torch 1.13, sklearn 1.2, onnx 1.12, numpy), offline:

    /usr/bin/python3 samples/make_samples.py            # all samples
    /usr/bin/python3 samples/make_samples.py iris digits  # some of them

Seeds are fixed and training runs single-threaded, so a re-run rewrites byte-identical files.
"""
import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the samples folder
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from generators import breast_cancer, diabetes, digits, flights, iris  # noqa: E402

GENERATORS = {
    "breast-cancer": breast_cancer.make,
    "iris": iris.make,
    "diabetes": diabetes.make,
    "digits": digits.make,
    "flights": flights.make,
}


def main(argv):
    # One thread: multi-threaded float reductions can change the last bits of trained weights.
    torch.set_num_threads(1)
    wanted = argv or list(GENERATORS)
    unknown = [name for name in wanted if name not in GENERATORS]
    if unknown:
        sys.exit(f"unknown sample(s) {', '.join(unknown)}; choose from {', '.join(GENERATORS)}")
    for name in wanted:
        GENERATORS[name]()
    print("done")


if __name__ == "__main__":
    main(sys.argv[1:])
