"""seedkit._tf._poisson against TensorFlow's own ``tf.random.stateless_poisson``.

The fixture (tests/data/tf_philox_poisson.json) comes from scripts/make_tf_poisson_fixtures.py run
with TensorFlow (version in the file). With ``jax_enable_x64`` every value must be bit-identical.
Without it the sampler runs in float32, an approximation: the test bounds the share of values
that differ from TF's (measured: 0 of this fixture's 9 930 32-bit values; 60 of 1.8e6 samples
with rates 0.5 .. 1e7, most at 1e7) and how far they move.
"""

from __future__ import annotations

import functools
import json
import math
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seedkit._algorithms._philox import PHILOX
from seedkit._tf._poisson import poisson
from tests._tf_fixtures import philox_key

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "tf_philox_poisson.json").read_text())
CASES = DATA["cases"]
# float32 mode: at most this share of the fixture's values may differ from TF's ...
F32_MAX_MISMATCH_SHARE = 0.002
# ... and a differing count may move by at most this much (a changed rejection path can move
# a PTRS sample by a few standard deviations of the rate; Knuth samples move by 1).
F32_MAX_ABS_DIFF = 10


def _decode_out(values: list, dtype: str, shape: list) -> np.ndarray:
    dt = np.dtype(dtype)
    if dt.kind in "iu":
        return np.array(values, dt).reshape(shape)
    udt = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dt.itemsize]
    return np.array([int(v, 16) for v in values], udt).view(dt).reshape(shape)


def _decode_lam(values: list, lam_dtype: str, lam_shape: list) -> np.ndarray:
    dt = np.dtype(lam_dtype)
    vals = values if dt.kind in "iu" else [float.fromhex(v) for v in values]
    return np.array(vals, dt).reshape(lam_shape)


@functools.cache
def _compiled(shape: tuple, dtype: str, x64: bool):
    # one compiled program per case and mode (the key and lam are traced)
    return jax.jit(lambda key, lam: poisson(PHILOX, key, shape, np.dtype(dtype), lam))


def _run_case(c: dict, x64: bool):
    """Yield ``(run, ours, tf)`` for every run of case ``c``."""
    shape = tuple(c["shape"])
    f = _compiled(shape, c["dtype"], x64)
    for r in c["runs"]:
        # TF reads every rate dtype as a double: pass the exact value as float64 (float32 mode:
        # rounded to float32), so that all rate dtypes share one compiled program
        lam = _decode_lam(r["lam"], c["lam_dtype"], c["lam_shape"]).astype(np.float64 if x64 else np.float32)
        expected = _decode_out(r["out"], c["dtype"], shape)
        yield r, np.asarray(f(philox_key(r["seed"]), jnp.asarray(lam))), expected


def _bits(a: np.ndarray) -> np.ndarray:
    return a if a.dtype.kind in "iu" else a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


@pytest.mark.parametrize(
    "c", CASES, ids=lambda c: f"{c['dtype']}{c['shape']}-lam{c['lam_dtype']}{c['lam_shape']}"
)
def test_matches_tf_bit_for_bit_with_x64(c):
    with jax.enable_x64(True):
        for r, ours, expected in _run_case(c, True):
            assert ours.dtype == expected.dtype and ours.shape == expected.shape
            bad = np.flatnonzero(_bits(ours) != _bits(expected))
            assert bad.size == 0, (
                f"seed {r['seed']} lam {r['lam']}: {bad.size}/{ours.size} differ, first at {bad[:5]}: "
                f"{ours.reshape(-1)[bad[:5]]} vs TF {expected.reshape(-1)[bad[:5]]}"
            )


def test_float32_mode_is_close_to_tf():
    total = differ = 0
    with jax.enable_x64(False):
        for c in CASES:
            if np.dtype(c["dtype"]).itemsize == 8:
                continue  # 64-bit outputs need x64
            for _, ours, expected in _run_case(c, False):
                assert ours.dtype == expected.dtype and ours.shape == expected.shape
                a, b = ours.astype(np.float64), expected.astype(np.float64)
                same = (a == b) | (np.isnan(a) & np.isnan(b))
                total += ours.size
                differ += int((~same).sum())
                diff = np.abs(a[~same] - b[~same])
                assert diff.size == 0 or diff.max() <= F32_MAX_ABS_DIFF, diff.max()
    assert total > 5000
    print(f"float32 mode: {differ}/{total} values differ from TF")
    assert differ <= F32_MAX_MISMATCH_SHARE * total, f"{differ}/{total} differ from TF"


@pytest.mark.parametrize("x64", [True, False])
def test_corner_cases(x64):
    key = philox_key((1, 2))
    # NaN: TF never returns; here NaN / -1. +inf: TF's numeric_limits<U>::infinity(). int32
    # cannot hold Poisson(3e9): TF retries forever; here -1, at once (float32 holds it).
    lam = np.array([np.nan, np.inf, -np.inf, -2.0, 0.0, 3e9])
    with jax.enable_x64(x64):
        ints = np.asarray(_compiled((3, 6), "int32", x64)(key, jnp.asarray(lam)))
        floats = np.asarray(_compiled((3, 6), "float32", x64)(key, jnp.asarray(lam)))
        np.testing.assert_array_equal(ints, np.tile([-1, 0, 0, 0, 0, -1], (3, 1)))
        np.testing.assert_array_equal(
            floats[:, :5], np.tile([np.nan, np.inf, 0, 0, 0], (3, 1)).astype(np.float32)
        )
        assert np.all(np.abs(floats[:, 5] - 3e9) < 10 * math.sqrt(3e9))
        assert poisson(PHILOX, key, (0, 3), np.int32, jnp.ones(3)).shape == (0, 3)


def test_jit_and_vmap_over_keys():
    keys = jnp.stack([philox_key((i, 0)) for i in range(3)])
    with jax.enable_x64(True):
        f = jax.jit(jax.vmap(lambda k, lam: poisson(PHILOX, k, (5,), np.int32, lam), in_axes=(0, None)))
        x = np.asarray(f(keys, 25.0))
        one = _compiled((5,), "int32", True)
        for i in range(3):
            np.testing.assert_array_equal(x[i], np.asarray(one(keys[i], jnp.float64(25.0))))


def test_float32_mode_statistics():
    # the float32 approximation is still Poisson: mean and variance of 20 000 draws
    with jax.enable_x64(False):
        f = _compiled((20000,), "float32", False)
        for lam in (2.5, 40.0, 1e6):
            x = np.asarray(f(philox_key((9, 9)), jnp.float32(lam)), np.float64)
            tol = 5 * math.sqrt(lam / x.size)
            assert abs(x.mean() - lam) < tol
            assert abs(x.var() / lam - 1) < 0.05


def test_public_api_gives_tfs_values():
    # The sampler is wired into alg="philox": seedkit.stateless_poisson returns TF's values.
    import seedkit

    cases = [c for c in CASES if c["lam_shape"] and np.prod(c["shape"]) > 4][:3]
    assert cases
    with jax.enable_x64(True):
        for c in cases:
            r = c["runs"][0]
            lam = _decode_lam(r["lam"], c["lam_dtype"], c["lam_shape"])
            got = seedkit.stateless_poisson(c["shape"], r["seed"], lam, dtype=c["dtype"], alg="philox")
            expected = _decode_out(r["out"], c["dtype"], c["shape"])
            assert np.array_equal(_bits(np.asarray(got)), _bits(expected)), c["shape"]
