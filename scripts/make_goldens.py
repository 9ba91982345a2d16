"""Regenerate tests/data/goldens.json: the first values of every stateless function and dtype.

These pin seedkit's stream-stability promise (a seed gives the same numbers in every seedkit 0.2.x
release and with every supported JAX version). Run this ONLY when a change to the numbers is
intended (a major release), and say so in the commit:

    python scripts/make_goldens.py

Each case records the call (function name and keyword arguments, JSON-friendly) and its output
as exact bit patterns, so tests/test_goldens.py can replay it and compare bit for bit.
"""

from __future__ import annotations

import json
import pathlib
import sys

import jax
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import seedkit  # noqa: E402

SEEDS = [(1, 2), (0, 0), (-1, 2**63 - 1)]
LOGITS = [[0.1, 0.25, 0.5, 0.15], [-1.0, 0.0, 1.0, 2.0]]

CASES: list[tuple[str, dict]] = []
for seed in SEEDS:
    for dtype in ["float32", "float16", "bfloat16"]:
        CASES.append(("stateless_uniform", {"shape": [5], "seed": seed, "dtype": dtype}))
        CASES.append(("stateless_normal", {"shape": [5], "seed": seed, "dtype": dtype}))
        CASES.append(("stateless_truncated_normal", {"shape": [5], "seed": seed, "dtype": dtype}))
    CASES.append(("stateless_uniform", {"shape": [2, 3], "seed": seed, "minval": -2.0, "maxval": 5.0}))
    CASES.append(
        ("stateless_uniform", {"shape": [7], "seed": seed, "minval": -5, "maxval": 1000, "dtype": "int32"})
    )
    CASES.append(
        ("stateless_uniform", {"shape": [6], "seed": seed, "minval": None, "maxval": None, "dtype": "int32"})
    )
    CASES.append(
        ("stateless_uniform", {"shape": [6], "seed": seed, "minval": None, "maxval": None, "dtype": "uint32"})
    )
    CASES.append(
        (
            "stateless_uniform",
            {"shape": [4], "seed": seed, "minval": 0, "maxval": 2**32 - 1, "dtype": "uint32"},
        )
    )
    CASES.append(("stateless_normal", {"shape": [3], "seed": seed, "mean": 2.0, "stddev": 3.0}))
    CASES.append(
        (
            "stateless_parameterized_truncated_normal",
            {"shape": [2, 3], "seed": seed, "means": 1.0, "stddevs": 2.0, "minvals": 0.5, "maxvals": 4.0},
        )
    )
    CASES.append(
        ("stateless_categorical", {"logits": LOGITS, "num_samples": 6, "seed": seed, "dtype": "int32"})
    )
    CASES.append(("stateless_gamma", {"shape": [6], "seed": seed, "alpha": 2.0}))
    CASES.append(
        ("stateless_gamma", {"shape": [3, 2], "seed": seed, "alpha": [0.5, 7.0], "beta": [1.0, 2.0]})
    )
    CASES.append(("stateless_poisson", {"shape": [6], "seed": seed, "lam": 4.0}))
    CASES.append(("stateless_poisson", {"shape": [4], "seed": seed, "lam": 300.0}))
    CASES.append(("stateless_binomial", {"shape": [6], "seed": seed, "counts": 20.0, "probs": 0.3}))
    CASES.append(("stateless_binomial", {"shape": [4], "seed": seed, "counts": 1000.0, "probs": 0.4}))
    CASES.append(("stateless_shuffle", {"value": list(range(10)), "seed": seed}))
    CASES.append(("index_shuffle", {"index": list(range(10)), "seed": seed, "max_index": 9}))
    CASES.append(("index_shuffle", {"index": [0, 1, 2, 1000, 123456], "seed": seed, "max_index": 2**31 + 5}))
    CASES.append(("stateless_split", {"seed": seed, "num": 3}))
    CASES.append(("stateless_fold_in", {"seed": seed, "data": 7}))


def encode(x: np.ndarray) -> dict:
    """Exact bit patterns: floats as their unsigned-integer views, ints as ints."""
    x = np.asarray(x)
    dtype = str(x.dtype)
    if x.dtype.kind == "f" or dtype == "bfloat16":
        view = {2: np.uint16, 4: np.uint32, 8: np.uint64}[x.dtype.itemsize]
        data = x.view(view).reshape(-1).tolist()
    else:
        data = x.reshape(-1).tolist()
    return {"dtype": dtype, "shape": list(x.shape), "bits": data}


def call(name: str, kwargs: dict):
    kw = dict(kwargs)
    for k in ("seed",):
        kw[k] = tuple(kw[k])
    for k in ("value", "index", "logits"):
        if k in kw:
            dtype = np.float32 if k == "logits" else np.int32
            if k == "index" and kw.get("max_index", 0) >= 2**31:
                dtype = np.uint32  # positions up to max_index must fit the index dtype (as TF)
            kw[k] = np.asarray(kw[k], dtype)
    return getattr(seedkit, name)(**kw)


def main() -> None:
    out = {
        "generated_by": "scripts/make_goldens.py",
        "seedkit": seedkit.__version__,
        "jax": jax.__version__,
        "cases": [{"fn": name, "kwargs": kw, "out": encode(call(name, kw))} for name, kw in CASES],
    }
    path = ROOT / "tests" / "data" / "goldens.json"
    path.write_text(json.dumps(out, indent=0) + "\n")
    print(f"wrote {len(out['cases'])} cases to {path}")


if __name__ == "__main__":
    main()
