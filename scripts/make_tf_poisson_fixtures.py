"""Write TensorFlow's own ``tf.random.stateless_poisson`` numbers to tests/data/tf_philox_poisson.json.

Run with a Python that has ``tensorflow-cpu`` installed (never a dependency of seedkit):

    python scripts/make_tf_poisson_fixtures.py [--out tests/data]

Eager, CPU. ``stateless_poisson`` has no ``alg`` argument: it is the raw ``StatelessRandomPoisson``
kernel, keyed by ``GenerateKey`` (Philox), which is what seedkit's ``alg="philox"`` matches. The
sampler gives each output its own stream (``256 * o`` blocks), so its numbers do not depend on the
thread count.

A *case* fixes what seedkit compiles for (output shape and dtype, ``lam``'s shape and dtype) and
holds *runs* over seeds and rate values. Integer outputs are stored as ints, float outputs as the
hex of their IEEE bits (``"0x41880000"``); ``lam`` values as ``float.hex`` of the exact value in
``lam_dtype`` (ints as ints).

Rates cover both branches (Knuth below 10, PTRS from 10 on) and their edges: 0, negative (TF
gives 0), tiny, 9.99/10, large (up to 1e9), ``+inf`` (TF gives ``inf`` for float outputs, 0 for
integer ones). Not covered because TF never returns: NaN rates, and rates beyond what the output
dtype holds (e.g. float16 with 1e9: TF retries forever).
"""

from __future__ import annotations

import _tf_reference as common
import numpy as np

tf = common.import_tensorflow()

SEEDS = [s for s in common.BASE_SEEDS if s[0] != (common.INT64_MIN, common.INT64_MAX)]
INF = float("inf")
# Both branches and their edges.
ALL_RATES = [0.0, -1.0, 1e-3, 0.5, 3.0, 9.99, 10.0, 10.5, 17.3, 100.0, 1234.5, 1e5, 1e9, INF, -INF]
MAIN_RATES = [0.5, 3.0, 9.99, 10.0, 17.3, 1234.5, 1e5]
HALF_RATES = [0.0, 2.5, 9.99, 10.0, 55.5, 3000.0, INF]  # float16 outputs hold every proposal


def encode_lam(lam: np.ndarray) -> list:
    a = np.asarray(lam).reshape(-1)
    if a.dtype.kind in "iu":
        return [int(v) for v in a]
    return [float(v).hex() for v in a]


def sample(shape, seed, sdt, lam, dtype) -> np.ndarray:
    x = tf.random.stateless_poisson(shape, tf.constant(seed, tf.as_dtype(sdt)), lam, dtype=tf.as_dtype(dtype))
    return x.numpy()


def case(shape, dtype, lam_dtype, runs_spec) -> dict:
    """``runs_spec``: ``[(seed, seed_dtype, lam), ...]`` with ``lam`` a NumPy array of ``lam_dtype``."""
    lam_shape = list(np.shape(runs_spec[0][2]))
    runs = []
    for seed, sdt, lam in runs_spec:
        lam = np.asarray(lam, lam_dtype)
        out = sample(shape, seed, sdt, tf.constant(lam), dtype)
        runs.append(
            {"seed": list(seed), "seed_dtype": sdt, "lam": encode_lam(lam), "out": common.encode_bits(out)}
        )
    return {
        "shape": list(shape),
        "dtype": dtype,
        "lam_shape": lam_shape,
        "lam_dtype": lam_dtype,
        "runs": runs,
    }


def scalar_runs(rates, seeds=SEEDS) -> list:
    return [(s, sdt, np.float64(r)) for s, sdt in seeds for r in rates]


def cases() -> list:
    out = [
        # Every rate edge, each seed: a scalar, a short vector, a matrix per output dtype.
        case((), "int32", "float64", scalar_runs(ALL_RATES)),
        case((5,), "int64", "float64", scalar_runs(ALL_RATES)),
        case((3, 7), "float32", "float64", scalar_runs(ALL_RATES)),
        case((3, 7), "float64", "float64", scalar_runs([0.0, 3.0, 10.0, 100.0, 1e9, INF])),
        case((3, 7), "float16", "float64", scalar_runs(HALF_RATES, SEEDS[:3])),
        # A few hundred elements, a size that is not a multiple of anything.
        case((301,), "int32", "float64", scalar_runs(MAIN_RATES, SEEDS[:3])),
        # Empty outputs.
        case((0,), "int32", "float64", scalar_runs([3.0], SEEDS[:1])),
        case((2, 0, 3), "float32", "float64", [(SEEDS[0][0], SEEDS[0][1], np.array([1.0, 2.0, 30.0]))]),
        # lam with a shape: samples are rate-major in the stream, rate-minor in the output.
        case(
            (4, 3),
            "int32",
            "float64",
            [
                (s, sdt, np.array(lam))
                for (s, sdt), lam in zip(
                    SEEDS,
                    [[0.5, 12.0, 1e4], [9.99, 10.0, 3.0], [0.0, 1e6, 7.5], [50.0, 2.0, INF]] * 2,
                    strict=False,
                )
            ],
        ),
        case(
            (5, 2, 3),
            "int64",
            "float64",
            [(s, sdt, np.array([[0.7, 12.0, 5.5], [250.0, 9.0, 33.3]])) for s, sdt in SEEDS[:4]],
        ),
        case((101, 2), "float32", "float64", [(s, sdt, np.array([3.0, 250.0])) for s, sdt in SEEDS[:3]]),
    ]
    # Every rate dtype is read as a double (2.21): the tests pass these rates as float64 (exact)
    # and expect TF's counts for the original dtype.
    for lam_dtype, lam in (
        ("float16", [0.7, 12.3]),
        ("float32", [17.3, 4.1]),
        ("int32", [3, 40]),
        ("int64", [9, 10000]),
    ):
        out.append(case((7, 2), "int32", lam_dtype, [(s, sdt, np.array(lam)) for s, sdt in SEEDS[:3]]))
    return out


def main() -> None:
    out_dir = common.parse_out_dir(__doc__)
    common.write_fixture(out_dir, "tf_philox_poisson.json", {"meta": common.meta(__file__), "cases": cases()})


if __name__ == "__main__":
    main()
