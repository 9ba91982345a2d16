"""Generate ``tests/data/tf_get_seed.json``: the seed pairs TensorFlow's ``get_seed`` returns.

Run with a Python that has TensorFlow installed (TensorFlow is never a dependency of seedkit or
of its tests; this script only records reference values)::

    /tmp/tfvenv/bin/python scripts/make_tf_fixtures.py [--out tests/data]

Each case sets a global seed (or leaves it unset, or sets it to ``None``), then asks
``tf.compat.v1.get_seed`` for a list of op seeds in order, recording every result. Unseeded
requests (``null``) draw from TF's eager op-seed stream, so the order matters and is recorded.
An entry ``{"set_seed": value}`` in a call list means ``set_seed(value)`` was called again there.
"""

from __future__ import annotations

import platform

import _tf_reference as common
import numpy as np
import tensorflow as tf
from tensorflow.python.framework import config as tf_config  # disable_op_determinism is not public

# Op seeds asked after each global seed; None entries draw from the op-seed stream, the others
# must not advance it (their position between draws checks that).
OP_SEEDS = [
    None,
    None,
    0,
    None,
    1,
    -1,
    7,
    2**31 - 2,
    2**31 - 1,
    2**31,
    2**40,
    -(2**40),
    2**63 - 1,
    -(2**63),
    None,
    None,
]

GLOBAL_SEEDS = [
    0,
    1,
    -1,
    5,
    -5,
    42,
    1234,
    87654321,
    2**31 - 2,
    2**31 - 1,
    2**31,
    2**32 + 7,
    2**40,
    -(2**40),
    2**63 - 1,
    -(2**63),
]

NUMPY_GLOBAL_SEEDS = [("int64", 1234), ("int64", -5), ("int64", 2**40), ("int32", 7), ("uint32", 2**32 - 1)]


def _pair(seeds):
    return [None if s is None else int(s) for s in seeds]


def _calls(op_seeds):
    return [{"op_seed": op, "result": _pair(tf.compat.v1.get_seed(op))} for op in op_seeds]


def main() -> None:
    out_dir = common.parse_out_dir(__doc__)
    cases = []
    # A fresh program: no global seed has ever been set (must run before any set_seed).
    cases.append({"global_seed": "unset", "calls": _calls([5, 0, 1, 2**31 - 1, -3, None])})
    for g in GLOBAL_SEEDS:
        tf.random.set_seed(g)
        cases.append({"global_seed": g, "numpy_dtype": None, "calls": _calls(OP_SEEDS)})
    for dtype, value in NUMPY_GLOBAL_SEEDS:
        tf.random.set_seed(np.dtype(dtype).type(value))
        cases.append({"global_seed": value, "numpy_dtype": dtype, "calls": _calls(OP_SEEDS)})
    # Re-setting the same seed restarts the op-seed stream.
    tf.random.set_seed(1234)
    first = _calls([None, None])
    tf.random.set_seed(1234)
    calls = [*first, {"set_seed": 1234}, *_calls([None, None])]
    cases.append({"global_seed": 1234, "numpy_dtype": None, "calls": calls})
    # set_seed(None) goes back to "no global seed".
    tf.random.set_seed(1234)
    tf.random.set_seed(None)
    cases.append({"global_seed": None, "numpy_dtype": None, "calls": _calls([None, 3, 0, None])})

    # Op determinism: neither seed raises RuntimeError; anything else is unaffected.
    determinism = []
    tf.config.experimental.enable_op_determinism()
    try:
        for g, op in [(None, None), (None, 4), (1234, None)]:
            tf.random.set_seed(g)
            try:
                determinism.append(
                    {"global_seed": g, "op_seed": op, "result": _pair(tf.compat.v1.get_seed(op))}
                )
            except RuntimeError as e:
                determinism.append({"global_seed": g, "op_seed": op, "raises": type(e).__name__})
    finally:
        tf_config.disable_op_determinism()

    data = {
        "generator": "scripts/make_tf_fixtures.py",
        "tensorflow_version": tf.__version__,
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "cases": cases,
        "determinism": determinism,
    }
    common.write_fixture(out_dir, "tf_get_seed.json", data, indent=1)


if __name__ == "__main__":
    main()
