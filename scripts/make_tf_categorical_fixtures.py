"""Write TensorFlow's own ``tf.random.stateless_categorical`` numbers to tests/data/tf_philox_categorical.json.

Run with a Python that has ``tensorflow-cpu`` installed (never a dependency of seedkit):

    python scripts/make_tf_categorical_fixtures.py [--out tests/data]

Eager, CPU, with **one intra-op thread** (``tf.config.threading.set_intra_op_parallelism_threads(1)``,
set before TF starts): TF's CPU multinomial kernel shards its rows over threads and every shard
restarts the stream at its own offset, so its numbers depend on the thread count for inputs large
enough to be split (the ``[64, 50]`` case below is one). With one thread every row continues one
stream, which is what seedkit reproduces. The other cases are small enough to be single-shard at
any thread count (checked: identical with 16 threads).
``alg="philox"``: the raw ``StatelessMultinomial`` kernel keyed by ``GenerateKey``.

A *case* fixes what seedkit compiles for (``logits`` shape and dtype, ``num_samples``, output
dtype) and holds *runs* over seeds and logits. Outputs are ints; logits are ``float.hex`` of their
exact values in ``logits_dtype`` (``"-inf"``, ``"inf"``, ``"nan"`` included).
"""

from __future__ import annotations

import _tf_reference as common
import numpy as np

tf = common.import_tensorflow()
tf.config.threading.set_intra_op_parallelism_threads(1)

SEEDS = [s for s in common.BASE_SEEDS if s[0] not in ((7, 17), (common.INT64_MIN, common.INT64_MAX))]
INF = np.inf
LOGIT_DTYPES = ["float32", "float64", "float16", "bfloat16"]


def _np_dtype(name: str):
    return tf.as_dtype(name).as_numpy_dtype


def encode_logits(a: np.ndarray) -> list:
    return [float(v).hex() for v in np.asarray(a, np.float64).reshape(-1)]


def special_rows(classes: int) -> list:
    """Rows that exercise TF's handling of non-finite and tied logits."""
    c = np.arange(classes, dtype=np.float64)
    rows = [np.zeros(classes)]  # all equal
    if classes >= 2:
        r = np.log1p(c) - 1.0
        r[::2] = -INF  # -inf classes are never drawn
        rows.append(r)
        rows.append(np.where(c == classes - 1, 0.0, -INF))  # one finite class
    if classes >= 3:
        r = c * 0.3
        r[1] = INF  # +inf and NaN add nothing to the cdf either
        r[2] = np.nan
        rows.append(r)
    rows.append(np.full(classes, -INF))  # no finite logit: TF returns `classes` for every sample
    rows.append(c * 7.0 - 30.0)  # sharp
    return rows


def case(batch, classes, num_samples, logits_dtype, dtype, rng, seeds=SEEDS) -> dict:
    runs = []
    rows = special_rows(classes)
    for i, seed in enumerate(seeds):
        logits = rng.normal(size=(batch, classes)) * (0.5 + i)
        # mix in the special rows, a different one in each run
        for b in range(batch):
            if (b + i) % 2 == 0:
                logits[b] = rows[(b + i) % len(rows)]
        runs.append((seed, logits))
    return _case(runs, num_samples, logits_dtype, dtype)


def fixed_case(logits, num_samples, seeds, logits_dtype="float32", dtype="int64") -> dict:
    return _case([(seed, logits) for seed in seeds], num_samples, logits_dtype, dtype)


def _case(runs, num_samples, logits_dtype, dtype) -> dict:
    """``runs``: ``((seed, seed_dtype), logits)`` pairs, all logits of one ``[batch, classes]`` shape."""
    out = []
    for (seed, sdt), logits in runs:
        logits = np.asarray(logits).astype(_np_dtype(logits_dtype))
        x = tf.random.stateless_categorical(
            tf.constant(logits), num_samples, tf.constant(seed, tf.as_dtype(sdt)), dtype=tf.as_dtype(dtype)
        )
        out.append(
            {
                "seed": list(seed),
                "seed_dtype": sdt,
                "logits": encode_logits(logits),
                "out": x.numpy().tolist(),
            }
        )
    batch, classes = logits.shape
    return {
        "batch": batch,
        "classes": classes,
        "num_samples": num_samples,
        "logits_dtype": logits_dtype,
        "dtype": dtype,
        "runs": out,
    }


def cases() -> list:
    rng = np.random.default_rng(20240601)
    out = []
    # num_samples 0..17 (odd counts end inside a block), batch sizes 1..5, a few class counts,
    # every logits dtype, both output dtypes
    class_counts = [1, 2, 3, 4, 5, 7, 10, 33]
    for ns in range(18):
        out.append(
            case(
                batch=1 + ns % 5,
                classes=class_counts[ns % len(class_counts)],
                num_samples=ns,
                logits_dtype=LOGIT_DTYPES[ns % len(LOGIT_DTYPES)],
                dtype="int32" if ns % 3 else "int64",
                rng=rng,
                seeds=SEEDS if ns in (0, 1, 5, 8, 17) else SEEDS[:3],
            )
        )
    # every special row at once (all -inf, one finite class, +inf and NaN, all equal, sharp)
    out.append(fixed_case(np.stack(special_rows(5)), 17, SEEDS[:3], dtype="int32"))
    # TF's documented example and TF's own testMatchMultinomial logits
    out.append(fixed_case(np.log([[0.1, 0.25, 0.5, 0.15]]), 8, SEEDS))
    out.append(
        fixed_case([[0.5, 0.5], [0.8, 0.2], [0.25, 0.75]], 10, [((7, 17), "int64"), ((11, 5), "int64")])
    )
    # TF's testNegativeMinLogits pattern: many float32-min logits and one 0 (always the 0 class)
    out.append(fixed_case([[np.finfo(np.float32).min] * 99 + [0.0]], 5, SEEDS[:2]))
    # Rows that TF would shard over threads (hence one thread here): one continuing stream.
    out.append(fixed_case(rng.normal(size=(64, 50)), 100, SEEDS[1:2], dtype="int32"))
    return out


def main() -> None:
    out_dir = common.parse_out_dir(__doc__)
    data = {"meta": common.meta(__file__, "CPU, eager, intra_op_parallelism_threads=1"), "cases": cases()}
    common.write_fixture(out_dir, "tf_philox_categorical.json", data)


if __name__ == "__main__":
    main()
