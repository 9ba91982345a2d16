"""Write TensorFlow's own binomial numbers to tests/data/tf_philox_binomial.json.

Run with a Python that has ``tensorflow-cpu`` installed (never a dependency of seedkit):

    python scripts/make_tf_binomial_fixtures.py [--out tests/data]

Everything is computed eagerly on the CPU (TF's ``StatelessRandomBinomial`` and
``StatefulRandomBinomial`` kernels, tensorflow/core/kernels/random_binomial_op.cc), which is what
``seedkit._tf._binomial`` matches. Two groups:

* ``stateless``: ``tf.random.stateless_binomial(shape, seed, counts, probs, output_dtype)``
  over seeds (zero, negative, int64 extremes), shapes (scalar, empty, odd, a few hundred
  elements, multi-axis batches), parameters in every branch of TF's sampler (inversion,
  BTRS, ``p > 0.5`` mirrored, edge values) and parameter dtypes ``T`` (float16/32/64).
* ``generator``: ``tf.random.Generator.from_seed(s, alg="philox")`` (or ``from_state``) making a
  sequence of ``binomial`` draws, with the state before and after each.

Values: integer outputs as ints, float outputs and float parameters as hex bit patterns
(``0x...`` of the IEEE bits in the dtype). Elements whose value TF leaves undefined (a NaN
probability with an integer output: the kernel's ``static_cast`` of NaN is undefined behaviour
and TF returns stale memory) are never stored.
"""

from __future__ import annotations

import _tf_reference as common
import numpy as np

tf = common.import_tensorflow()

SEEDS = [s for s in common.BASE_SEEDS if s[0] != (7, 17)]


def encode(a: np.ndarray) -> dict:
    return {"dtype": a.dtype.name, "shape": list(a.shape), "values": common.encode_bits(a)}


def param(value, dtype: str) -> np.ndarray:
    return np.asarray(value, dtype=np.float64).astype(dtype)


def sweep(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Parameters across both branches and both halves of p: counts log-uniform in [1, 1e7],
    probs uniform, with a share of small ``n*p`` (inversion) and of ``p > 0.5``."""
    counts = np.floor(10 ** rng.uniform(0, 7, size))
    probs = rng.uniform(0, 1, size)
    small = rng.uniform(size=size) < 0.4
    probs = np.where(small, np.minimum(rng.uniform(0, 12, size) / counts, 0.5), probs)
    flip = rng.uniform(size=size) < 0.5
    probs = np.where(small & flip, 1 - probs, probs)
    return counts, probs


def stateless_cases() -> list:
    rng = np.random.default_rng(20261125)
    sc, sp = sweep(rng, 400)
    mc, mp = sweep(rng, 4)
    nan = float("nan")
    inf = float("inf")
    # (name, shape, counts, probs, T, output dtypes)
    # One compiled signature each in the tests: (shape, parameter shapes, T, output dtype).
    specs = [
        ("scalar_inversion", (), 20.0, 0.3, "float32", "int32"),
        ("empty", (0,), 5.0, 0.3, "float32", "int32"),
        ("empty_inner", (2, 0, 3), [1.0, 2.0, 3.0], 0.3, "float32", "int32"),
        ("inversion", (7,), 5.0, 0.3, "float32", "int64"),
        ("btrs", (13,), 100.0, 0.25, "float32", "float32"),
        # The third: 22 * (1 - p) rounds to 10 in float32 (BTRS), not in double (9.9999996).
        (
            "mixed_batches",
            (5, 3),
            [10.0, 1000.0, 22.0],
            [0.95, 0.6, 0.5454545617103577],
            "float32",
            "float16",
        ),
        # n*p = 1e4; mirrored with a fractional count; n*p exactly 10 (BTRS); a count near 2**31;
        # 23 * p rounds to 10 in float32 (BTRS in TF) but is 9.99999967 in double.
        (
            "boundaries",
            (50, 5),
            [1e6, 7.5, 40.0, 2e9, 23.0],
            [0.01, 0.7, 0.25, 0.5, 0.43478259444236755],
            "float32",
            "int64",
        ),
        ("batch_axes", (3, 2, 5), [[30.0], [4.0]], [0.05, 0.2, 0.5, 0.8, 0.97], "float32", "int32"),
        # count <= 0, p <= 0, p >= 1, an infinite count, a result above int32's range.
        (
            "edges",
            (3, 8),
            [0.0, -3.0, 5.0, 5.0, 5.0, 5.0, inf, 3e9],
            [0.5, 0.5, 0.0, -0.1, 1.0, 1.5, 0.3, 0.9],
            "float32",
            "int32",
        ),
        (
            "edges_float",
            (2, 6),
            [5.0, 50.0, 0.0, inf, 3e9, -1.0],
            [0.3, nan, nan, 0.3, 0.9, 0.5],
            "float32",
            "float64",
        ),
        # The third: 25 * p is 10 in float16 (BTRS), 9.9976 exactly.
        (
            "half_params",
            (6, 4),
            [7.0, 120.0, 25.0, 1000.0],
            [0.3, 0.6, 0.39990234375, 0.995],
            "float16",
            "int32",
        ),
        ("sweep", (400,), sc, sp, "float32", "int32"),
        ("sweep_double", (400,), sc, sp, "float64", "float64"),
        ("sweep_samples", (75, 4), mc, mp, "float32", "int32"),
    ]
    cases = []
    for name, shape, counts, probs, t, odt in specs:
        c, p = param(counts, t), param(probs, t)
        runs = []
        for seed, sdt in SEEDS:
            x = tf.random.stateless_binomial(
                shape,
                tf.constant(seed, tf.as_dtype(sdt)),
                tf.constant(c),
                tf.constant(p),
                tf.as_dtype(odt),
            )
            runs.append({"seed": list(seed), "seed_dtype": sdt, "out": encode(x.numpy())})
        cases.append(
            {
                "name": name,
                "shape": list(shape),
                "counts": encode(c),
                "probs": encode(p),
                "output_dtype": odt,
                "runs": runs,
            }
        )
    return cases


def state_list(g: tf.random.Generator) -> list:
    return [int(v) for v in g.state.numpy()]


def generator_cases() -> list:
    # Shapes, parameter shapes and dtypes as in stateless cases (tests compile each once).
    draws = [
        ((7,), 10.0, 0.3, "int64"),
        ((5, 3), [20.0, 200.0, 5.0], [0.5, 0.1, 0.9], "float16"),
        ((0,), 5.0, 0.5, "int32"),
        ((2, 0, 3), [1.0, 2.0, 3.0], 0.5, "int32"),
        ((3, 8), [3.0, 30.0, 300.0, 3000.0, 1.0, 50.0, 9.0, 1e5], [0.45] * 7 + [0.999], "int32"),
        ((13,), 1e4, 0.999, "float32"),
        ((), 7.0, 0.6, "int32"),
        ((400,), np.arange(1.0, 401.0), np.linspace(0.001, 0.999, 400), "int32"),
    ]
    starts = [
        ("seed", 0),
        ("seed", 1234),
        ("seed", -1),
        ("seed", common.INT64_MAX),
        ("state", [-300, 5, 77]),  # the low counter word wraps within the draws (carry)
        ("state", [-2, -1, 123456789]),  # the whole 128-bit counter wraps
    ]
    cases = []
    for kind, s in starts:
        g = (
            tf.random.Generator.from_seed(s, alg="philox")
            if kind == "seed"
            else tf.random.Generator.from_state(tf.constant(s, tf.int64), alg="philox")
        )
        steps = []
        for shape, counts, probs, odt in draws:
            before = state_list(g)
            x = g.binomial(shape, counts, probs, dtype=tf.as_dtype(odt))
            steps.append(
                {
                    "shape": list(shape),
                    "counts": encode(param(counts, "float32")),
                    "probs": encode(param(probs, "float32")),
                    "output_dtype": odt,
                    "state_before": before,
                    "state_after": state_list(g),
                    "out": encode(x.numpy()),
                }
            )
        cases.append({"start": kind, "value": s, "steps": steps})
    return cases


def main() -> None:
    out_dir = common.parse_out_dir(__doc__)
    data = {"meta": common.meta(__file__), "stateless": stateless_cases(), "generator": generator_cases()}
    common.write_fixture(out_dir, "tf_philox_binomial.json", data)


if __name__ == "__main__":
    main()
