"""Write TensorFlow's answers to the edge-case inputs of issue 16 to tests/data/tf_inputs.json.

Run with a Python that has ``tensorflow-cpu`` installed (never a dependency of seedkit):

    python scripts/make_tf_input_fixtures.py [--out tests/data]

Eager, CPU, one fresh process (the stateful entries are drawn first, before any other op, so
their per-op counters start at zero, as after ``seedkit.set_seed(None)``). Each entry is named
after the issue's case number; floats are stored as the hex of their IEEE bits, ints as ints,
and summaries (means, counts) as plain JSON numbers where the test compares statistics.
"""

from __future__ import annotations

import _tf_reference as common
import numpy as np

tf = common.import_tensorflow()
SEED = tf.constant([1, 2], tf.int64)


def stateful() -> dict:
    """Cases 9, 1, 10, 12, 16: the stateful ops with no global seed, each op kernel fresh."""
    return {
        # 9: an op seed beyond int64 is reduced modulo 2**31 - 1 (TF's get_seed).
        "c9_uniform_seed_2_100": common.encode_array(
            tf.random.uniform([3], 0, 17, dtype=tf.int32, seed=2**100)
        ),
        # 1: a Python int beyond int32 is an int64 rate (TF reads it as double).
        "c1_poisson_2_40": [float(v) for v in tf.random.poisson([3], 2**40, seed=5).numpy()],
        "c1_gamma_2_31": [float(v) for v in tf.random.gamma([3], 2**31, seed=5).numpy()],
        # 10: an infinite rate gives infinity.
        "c10_poisson_inf": common.encode_array(tf.random.poisson([2], np.inf, seed=3)),
        # 12: alpha = 0 gives the smallest normal float.
        "c12_gamma_alpha_0": common.encode_array(tf.random.gamma([5], 0.0, beta=1.0, seed=345)),
        # 11: an empty integer range is fine for an empty shape.
        "c11_uniform_empty": common.encode_array(tf.random.uniform([0], 0, 0, dtype=tf.int32)),
        # 16: a scalar is shuffled to itself.
        "c16_shuffle_scalar": int(tf.random.shuffle(3).numpy()),
    }


def stateless() -> dict:
    """Cases 1/8, 2, 3, 4, 5: stateless ops (philox, TF's CPU kernels)."""
    ptn = tf.random.stateless_parameterized_truncated_normal([10000], SEED, 0.0, 1.0, 13.0, 14.0).numpy()
    cat = tf.random.stateless_categorical(tf.constant([[0.0, np.nan, 0.0]]), 2000, SEED).numpy()
    tn = tf.random.stateless_truncated_normal([10000], SEED, dtype=tf.bfloat16).numpy().astype(np.float32)
    half = tf.constant
    ptn16 = tf.random.stateless_parameterized_truncated_normal(
        [10000],
        SEED,
        half(0.0, tf.float16),
        half(1.0, tf.float16),
        half(-0.3, tf.float16),
        half(0.3, tf.float16),
    ).numpy()
    return {
        "c1_stateless_poisson_2_40": common.encode_array(
            tf.random.stateless_poisson([3], SEED, tf.constant(2**40, tf.int64), dtype=tf.float32)
        ),
        "c2_ptn_13_14": {"mean": float(ptn.mean()), "min": float(ptn.min()), "max": float(ptn.max())},
        "c3_fold_in_2_32": [int(v) for v in tf.random.fold_in([1, 2], 2**32).numpy()],
        "c3_fold_in_0": [int(v) for v in tf.random.fold_in([1, 2], 0).numpy()],
        "c4_categorical_nan_counts": [int((cat == k).sum()) for k in range(3)],
        # TF rounds values just inside +-2 onto the bound in bfloat16: the positions where it does.
        "c5_truncated_bf16_on_bound": [int(i) for i in np.flatnonzero(np.abs(tn) >= 2.0)],
        "c5_ptn_f16_min_max": [float(ptn16.min()), float(ptn16.max())],
        "c5_ptn_f16_on_bound": int((np.abs(ptn16.astype(np.float32)) >= np.float32(np.float16(0.3))).sum()),
    }


def _outcome(call) -> str:
    """``"ok"`` if TF accepts the call, else the name of the exception it raises."""
    try:
        call()
    except Exception as e:  # any exception: its class is the answer
        return type(e).__name__
    return "ok"


def refusals() -> dict:
    """Cases 17, 19, 20: inputs TF refuses (or accepts), by the exception class it raises."""
    s = tf.random.stateless_uniform
    calls = {
        "c17_seed_int8": lambda: s([2], tf.constant([1, 2], tf.int8)),
        "c17_seed_uint8": lambda: s([2], tf.constant([1, 2], tf.uint8)),
        "c17_seed_int16": lambda: s([2], tf.constant([1, 2], tf.int16)),
        "c17_seed_uint64": lambda: s([2], tf.constant([1, 2], tf.uint64)),
        "c17_seed_uint32": lambda: s([2], tf.constant([1, 2], tf.uint32)),
        "c17_shape_2d": lambda: s([[2, 3]], SEED),
        "c17_dtype_none": lambda: s([2], SEED, dtype=None),
        "c17_stateful_dtype_none": lambda: tf.random.uniform([2], dtype=None),
        "c19_minval_str": lambda: s([2], SEED, minval="a"),
        "c19_mean_str": lambda: tf.random.stateless_normal([2], SEED, mean="a"),
        "c19_stddev_none": lambda: tf.random.stateless_normal([2], SEED, stddev=None),
        "c19_alpha_str": lambda: tf.random.stateless_gamma([2], SEED, alpha="a"),
        "c19_alpha_none": lambda: tf.random.stateless_gamma([2], SEED, alpha=None),
        "c19_lam_str": lambda: tf.random.stateless_poisson([2], SEED, lam="a"),
        "c19_counts_str": lambda: tf.random.stateless_binomial([2], SEED, counts="a", probs=0.5),
        "c19_probs_none": lambda: tf.random.stateless_binomial([2], SEED, counts=3, probs=None),
        "c19_logits_str": lambda: tf.random.stateless_categorical([["a", "b"]], 2, SEED),
        "c19_logits_int": lambda: tf.random.stateless_categorical([[1, 2]], 2, SEED),
        "c19_stateful_gamma_alpha_none": lambda: tf.random.gamma([2], alpha=None),
        "c19_stateful_poisson_lam_str": lambda: tf.random.poisson([2], lam="a"),
        "c19_fold_in_2_70": lambda: tf.random.fold_in(SEED, 2**70),
        "c19_shuffle_str": lambda: tf.random.shuffle(["a", "b", "c"]),
    }
    return {name: _outcome(call) for name, call in calls.items()}


def main() -> None:
    out_dir = common.parse_out_dir(__doc__)
    data = {
        "meta": common.meta(__file__),
        "stateful": stateful(),
        "stateless": stateless(),
        "refusals": refusals(),
    }
    common.write_fixture(out_dir, "tf_inputs.json", data, indent=1)


if __name__ == "__main__":
    main()
