"""What the ``make_tf_*.py`` scripts share: importing TensorFlow, seeds, bit encoders, writing JSON.

Private to scripts/ (not a package): ``python scripts/make_tf_X.py`` puts scripts/ on ``sys.path``,
so the scripts ``import _tf_reference`` as a sibling module.
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# (seed, seed dtype): zero, small, negative (sign extension), a high word, the int64 extremes.
# Each script takes these, or a subset, in this order (its runs, and slices of them, follow it).
BASE_SEEDS = [
    ((0, 0), "int64"),
    ((1, 2), "int32"),
    ((-1, -2), "int32"),
    ((-3, 5), "int64"),
    ((7, 17), "int64"),
    ((INT64_MAX, INT64_MIN), "int64"),
    ((INT64_MIN, INT64_MAX), "int64"),
    ((12345, 2**40 + 7), "int64"),
]
DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "data")


def import_tensorflow():
    """``tensorflow``, imported with no C++ log noise and no GPU: TF reads both variables at its
    first import, and the references are TF's CPU kernels (what seedkit's ``alg="philox"`` matches)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import tensorflow as tf

    return tf


def meta(script: str, device: str = "CPU, eager") -> dict:
    """A file's ``"meta"``: TF's version, where it ran, and the writing script (its ``__file__``)."""
    tf = import_tensorflow()
    return {"tensorflow": tf.__version__, "device": device, "script": f"scripts/{os.path.basename(script)}"}


def encode_bits(a) -> list:
    """``a`` (an array or an eager tensor) flat, C order: floats as hex strings of their IEEE bits
    (bfloat16 too, whose NumPy kind is not ``"f"``), integers as ints."""
    a = np.asarray(a)
    if a.dtype.kind == "f" or a.dtype.name == "bfloat16":
        width = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
        return [hex(int(v)) for v in a.view(width).reshape(-1)]
    return [int(v) for v in a.reshape(-1)]


def encode_array(a) -> dict:
    a = np.asarray(a)
    return {"dtype": a.dtype.name, "shape": list(a.shape), "out": encode_bits(a)}


def parse_out_dir(doc: str) -> str:
    """``--out DIR`` (default tests/data); ``doc``'s first line describes the script in ``--help``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", default=DATA_DIR)
    return parser.parse_args().out


def write_fixture(out_dir: str, name: str, data: dict, indent: int | None = None) -> None:
    """Write ``data`` as JSON (compact unless ``indent``) and a newline to ``out_dir/name``."""
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name)
    with open(path, "w") as f:
        json.dump(data, f, indent=indent, separators=(",", ":") if indent is None else None)
        f.write("\n")
    print(f"wrote {path}: {os.path.getsize(path)} bytes")
