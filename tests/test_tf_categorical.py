"""seedkit._tf._categorical against TensorFlow's own ``tf.random.stateless_categorical``.

The fixture (tests/data/tf_philox_categorical.json) comes from scripts/make_tf_categorical_fixtures.py
run with TensorFlow (version in the file) on one intra-op thread, TF's single-shard behaviour,
which is what the sampler reproduces. With ``jax_enable_x64`` every sample must be identical.
Without it the sampler runs in float32, an approximation: the test bounds the share of samples
that differ from TF's (measured: 0 of this fixture's samples; 18 of 1.73e6 random-logits
samples, most of them with 1000 classes) and requires them to move by at most a few classes.
"""

from __future__ import annotations

import functools
import json
import pathlib

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest

from seedkit._algorithms._philox import PHILOX
from seedkit._tf._categorical import categorical
from tests._tf_fixtures import philox_key

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "tf_philox_categorical.json").read_text())
CASES = DATA["cases"]
F32_MAX_MISMATCH_SHARE = 0.002
F32_MAX_CLASS_DIFF = 3
_NP = {"bfloat16": ml_dtypes.bfloat16}


@functools.cache
def _compiled(num_samples: int, dtype: str, x64: bool):
    return jax.jit(lambda key, logits: categorical(PHILOX, key, num_samples, np.dtype(dtype), logits))


def _logits(c: dict, r: dict, x64: bool) -> np.ndarray:
    a = np.array([float.fromhex(v) for v in r["logits"]], np.float64).reshape(c["batch"], c["classes"])
    dt = _NP.get(c["logits_dtype"], np.dtype(c["logits_dtype"]))
    if not x64 and dt == np.float64:
        dt = np.float32
    return a.astype(dt)


def _runs(c: dict, x64: bool):
    f = _compiled(c["num_samples"], c["dtype"], x64)
    for r in c["runs"]:
        expected = np.array(r["out"], np.dtype(c["dtype"])).reshape(c["batch"], c["num_samples"])
        yield r, np.asarray(f(philox_key(r["seed"]), jnp.asarray(_logits(c, r, x64)))), expected


def _id(c: dict) -> str:
    return f"{c['batch']}x{c['classes']}-{c['logits_dtype']}-n{c['num_samples']}-{c['dtype']}"


@pytest.mark.parametrize("c", CASES, ids=_id)
def test_matches_tf_exactly_with_x64(c):
    with jax.enable_x64(True):
        for r, ours, expected in _runs(c, True):
            assert ours.dtype == expected.dtype and ours.shape == expected.shape
            bad = np.argwhere(ours != expected)
            assert bad.size == 0, (
                f"seed {r['seed']}: {len(bad)}/{ours.size} differ, first at {bad[:5].tolist()}"
            )


def test_float32_mode_is_close_to_tf():
    total = differ = 0
    with jax.enable_x64(False):
        for c in CASES:
            if c["dtype"] == "int64":
                c = {**c, "dtype": "int32"}  # 64-bit outputs need x64
            for _, ours, expected in _runs(c, False):
                assert ours.shape == expected.shape
                total += ours.size
                differ += int((ours != expected).sum())
                assert np.abs(ours.astype(np.int64) - expected).max(initial=0) <= F32_MAX_CLASS_DIFF
    print(f"float32 mode: {differ}/{total} samples differ from TF")
    assert total > 5000
    assert differ <= F32_MAX_MISMATCH_SHARE * total, f"{differ}/{total} differ from TF"


def test_fixture_covers_the_brief():
    # batch sizes 1..5, num_samples 0..17, -inf logits, all-equal rows, every logits dtype
    assert {c["batch"] for c in CASES} >= set(range(1, 6))
    assert {c["num_samples"] for c in CASES} >= set(range(18))
    logits = [v for c in CASES for r in c["runs"] for v in r["logits"]]
    assert "-inf" in logits and "inf" in logits and "nan" in logits
    assert {c["logits_dtype"] for c in CASES} == {"float16", "bfloat16", "float32", "float64"}


@pytest.mark.parametrize("x64", [True, False])
def test_corner_cases(x64):
    key = philox_key((1, 2))
    inf = np.inf
    logits = np.array(
        [[-inf, -inf, -inf], [0.0, inf, 1.0], [np.nan, 0.0, 0.0], [5.0, 5.0, 5.0], [-inf, 2.0, -inf]],
        np.float32,
    )
    with jax.enable_x64(x64):
        x = np.asarray(_compiled(40, "int32", x64)(key, jnp.asarray(logits)))
        assert x.dtype == np.int32 and x.shape == (5, 40)
        assert np.all(x[0] == 3)  # no finite logit: TF's out-of-range index `classes`
        assert set(x[1]) <= {0, 2} and set(x[2]) <= {1, 2}  # +inf / NaN classes never drawn
        assert set(x[3]) == {0, 1, 2} and np.all(x[4] == 1)
        assert categorical(PHILOX, key, 0, np.int32, logits).shape == (5, 0)
        assert categorical(PHILOX, key, 3, np.int32, np.zeros((0, 4), np.float32)).shape == (0, 3)
        # vmap over keys equals one call per key
        keys = jnp.stack([philox_key((i, 9)) for i in range(3)])
        f = jax.jit(
            jax.vmap(lambda k, lg: categorical(PHILOX, k, 7, np.dtype("int32"), lg), in_axes=(0, None))
        )
        y = np.asarray(f(keys, jnp.asarray(logits)))
        one = _compiled(7, "int32", x64)
        for i in range(3):
            np.testing.assert_array_equal(y[i], np.asarray(one(keys[i], jnp.asarray(logits))))


def test_float32_mode_statistics():
    p = np.array([0.05, 0.2, 0.5, 0.25])
    with jax.enable_x64(False):
        x = np.asarray(
            _compiled(20000, "int32", False)(philox_key((4, 4)), jnp.asarray(np.log(p)[None], jnp.float32))
        )
    freq = np.bincount(x[0], minlength=4) / x.size
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / x.size))


def test_public_api_gives_tfs_values():
    # The sampler is wired into alg="philox": seedkit.stateless_categorical returns TF's values.
    import seedkit

    cases = [c for c in CASES if c["num_samples"] > 2 and c["batch"] > 1][:3]
    assert cases
    with jax.enable_x64(True):
        for c in cases:
            r = c["runs"][0]
            got = seedkit.stateless_categorical(
                _logits(c, r, True), c["num_samples"], r["seed"], dtype=c["dtype"], alg="philox"
            )
            expected = np.array(r["out"], np.dtype(c["dtype"])).reshape(c["batch"], c["num_samples"])
            np.testing.assert_array_equal(got, expected)
