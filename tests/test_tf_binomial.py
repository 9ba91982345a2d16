"""TF's own binomial sampler (seedkit/_tf/_binomial.py) against TensorFlow 2.21.

The reference is tests/data/tf_philox_binomial.json, written by
scripts/make_tf_binomial_fixtures.py (CPU, eager): ``tf.random.stateless_binomial`` over seeds,
shapes, parameter dtypes and every branch, and ``tf.random.Generator.binomial`` draws with the
state before and after each. With ``jax_enable_x64`` the values must be TF's bit for bit; without
it (float32 arithmetic) close, within the bounds measured in the module docstring. The
generator draws reuse the stateless cases' shapes and parameter shapes, so each compiles once.
"""

from __future__ import annotations

import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seedkit._algorithms._philox import PHILOX, key_from_state
from seedkit._tf import _accounting
from seedkit._tf import _binomial as _tf_binomial
from seedkit._words import scaled_index
from tests._tf_fixtures import philox_key

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "tf_philox_binomial.json").read_text())
STATELESS = DATA["stateless"]
GENERATOR = DATA["generator"]
_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}
_binomial = jax.jit(_tf_binomial.binomial, static_argnums=(0, 2, 3))


def decode(enc: dict) -> np.ndarray:
    dt = np.dtype(enc["dtype"])
    if dt.kind == "f":
        a = np.array([int(v, 16) for v in enc["values"]], _UINT[dt.itemsize]).view(dt)
    else:
        a = np.array(enc["values"], dt)
    return a.reshape(enc["shape"])


def param(enc: dict):
    """Float32 parameters as users pass them to TF, which gives them its default float32: a
    Python float, or a list of floats when short (under ``jit``: weakly typed scalars, a list
    of them); anything else as an array of its recorded dtype."""
    a = decode(enc)
    if a.dtype == np.float32 and a.size <= 16 and a.ndim <= 1:
        return float(a) if a.ndim == 0 else [float(v) for v in a]
    return a


def draw(shape, dtype, counts, probs, key) -> np.ndarray:
    return np.asarray(_binomial(PHILOX, key, tuple(shape), dtype, counts, probs))


def assert_same(got: np.ndarray, expected: np.ndarray, what: str = "") -> None:
    assert got.shape == expected.shape and got.dtype == expected.dtype, what
    if got.dtype.kind == "f":
        nan = np.isnan(expected)
        np.testing.assert_array_equal(np.isnan(got), nan, err_msg=what)
        uint = _UINT[got.dtype.itemsize]
        np.testing.assert_array_equal(got[~nan].view(uint), expected[~nan].view(uint), err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


def _case_id(case) -> str:
    return f"{case['name']}-{case['output_dtype']}"


@pytest.mark.parametrize("case", STATELESS, ids=_case_id)
def test_stateless_bit_exact_with_x64(case):
    with jax.enable_x64(True):
        counts, probs = param(case["counts"]), param(case["probs"])
        for run in case["runs"]:
            got = draw(case["shape"], case["output_dtype"], counts, probs, philox_key(run["seed"]))
            assert_same(got, decode(run["out"]), f"seed {run['seed']}")


@pytest.mark.parametrize("case", GENERATOR, ids=lambda c: f"{c['start']}-{c['value']}")
def test_generator_binomial_is_stateless_on_the_state_with_tfs_advance(case):
    """``Generator.binomial``: the stateless sampler with the state's key and counter as they
    are (no seed scrambling), then the counter moves on by ``stateful_blocks``."""
    with jax.enable_x64(True):
        for step in case["steps"]:
            before, after = step["state_before"], step["state_after"]
            counts, probs = param(step["counts"]), param(step["probs"])
            got = draw(
                step["shape"], step["output_dtype"], counts, probs, jnp.asarray(key_from_state(before))
            )
            assert_same(got, decode(step["out"]), f"step {step['shape']} from {before}")
            assert after[2] == before[2]
            counter = [(v % 2**64) for v in before[:2]]
            new = (
                counter[0]
                + (counter[1] << 64)
                + _accounting.binomial_stateful_blocks(step["shape"], counts, probs)
            ) % 2**128
            assert [new % 2**64, new >> 64] == [v % 2**64 for v in after[:2]]


@pytest.mark.parametrize("name", ["sweep", "sweep_samples"])
def test_float32_mode_is_close(name):
    """Without x64: the same words and algorithm in float32. Measured (module docstring) about
    4e-5 of values differ, by at most 5 standard deviations; the fixture's sweeps allow 0.5 %
    and 6 standard deviations."""
    case = next(c for c in STATELESS if c["name"] == name)
    with jax.enable_x64(False):
        counts, probs = decode(case["counts"]), decode(case["probs"])
        sd = np.sqrt(np.maximum(counts * probs * (1 - probs), 1.0))
        differ = total = 0
        for run in case["runs"]:
            got = draw(case["shape"], case["output_dtype"], counts, probs, philox_key(run["seed"]))
            expected = decode(run["out"])
            assert got.shape == expected.shape and got.dtype == expected.dtype
            ne = got != expected
            differ, total = differ + int(ne.sum()), total + ne.size
            excess = np.abs(got.astype(np.float64) - expected) / np.broadcast_to(sd, got.shape)
            assert np.all(excess[ne] <= 6.0), (run["seed"], excess.max())
        assert differ <= 0.005 * total, (differ, total)


def test_float32_mode_generator_matches_small_counts():
    """Inversion and small-count BTRS agree exactly in float32 too (measured: 0 of 2 000 000)."""
    with jax.enable_x64(False):
        for case in GENERATOR[:2]:
            step = case["steps"][-1]  # (400,) draw: counts 1..400, every branch
            got = draw(
                step["shape"],
                step["output_dtype"],
                decode(step["counts"]),
                decode(step["probs"]),
                jnp.asarray(key_from_state(step["state_before"])),
            )
            np.testing.assert_array_equal(got, decode(step["out"]))


def test_edges_nan_count_and_nan_prob_do_not_hang():
    """TF loops forever on a NaN count and returns stale memory for a NaN probability with an
    integer output; here both give -1 (NaN for float outputs)."""
    counts = np.array([np.nan, np.nan, np.nan, 5, 5, 0, np.inf, 30], np.float32)
    probs = np.array([0.3, 0.7, 1.0, np.nan, 0.0, np.nan, 0.5, 0.5], np.float32)
    with jax.enable_x64(True):
        got = draw((3, 8), "int32", counts, probs, philox_key((1, 2)))
    assert (got[:, :2] == -1).all() and (got[:, 3] == -1).all()
    assert (got[:, 2] == np.iinfo(np.int32).min).all()  # NaN count, p >= 1: TF's cast of NaN
    assert (got[:, 4:6] == 0).all() and (got[:, 6] == np.iinfo(np.int32).min).all()
    assert ((got[:, 7] >= 0) & (got[:, 7] <= 30)).all()


def test_int_conversion_is_x86_static_cast():
    value = jnp.array([np.inf, -np.inf, np.nan, 2.0**31, 2.0**31 - 128, -(2.0**31), 3.7, -3.7], jnp.float32)
    got = _tf_binomial._to_int(value, jnp.zeros(value.shape, bool), jnp.dtype(jnp.int32))
    lo = np.iinfo(np.int32).min
    assert got.tolist() == [lo, lo, lo, lo, 2**31 - 128, lo, 3, -3]
    invalid = _tf_binomial._to_int(value, jnp.ones(value.shape, bool), jnp.dtype(jnp.int32))
    assert (invalid == -1).all()


def test_stream_start_is_the_64_bit_product():
    o = np.array([0, 1, 0xFFFF, 0x10000, 0x12345678, 2**32 - 1], np.uint32)
    for stride in (42, 256):
        lo, hi = scaled_index(jnp.asarray(o), stride)
        got = [int(a) | (int(b) << 32) for a, b in zip(np.asarray(lo), np.asarray(hi), strict=True)]
        assert got == [stride * int(v) for v in o]


def test_parameter_dtype_follows_tf_conversion():
    with jax.enable_x64(True):
        pd = _tf_binomial._param_dtype
        assert pd(20.0, 0.3) == jnp.float32  # Python numbers: TF's float32 hint
        assert pd([1.0, 2.0], [0.1, 0.2]) == jnp.float32
        assert pd(np.array([1, 2]), 0.3) == jnp.float32  # integer counts follow probs
        assert pd(np.float64(5.0), np.array([0.5])) == jnp.float64
        assert pd(5.0, np.float16(0.5)) == jnp.float16
        assert pd(np.float32(5.0), np.float32(0.5)) == jnp.float32
        assert pd(np.float64(5.0), np.float64(0.5)) == jnp.float64  # NumPy scalars keep theirs


def test_stateful_blocks_formula():
    # 256 * (num_batches * 200 * (samples_per_batch + 3) // 4)
    assert _accounting.binomial_stateful_blocks((5,), 10.0, 0.3) == 256 * 400
    assert _accounting.binomial_stateful_blocks((0,), 10.0, 0.3) == 256 * 150
    assert (
        _accounting.binomial_stateful_blocks((2, 3, 2), [[40.0, 2.5]], [[0.5], [0.8], [0.01]]) == 256 * 1500
    )
    assert _accounting.binomial_stateful_blocks((2, 0, 3), [1.0, 2.0, 3.0], 0.5) == 256 * 450


@pytest.mark.parametrize("case", GENERATOR, ids=lambda c: f"{c['start']}-{c['value']}")
def test_public_generator_binomial_gives_tfs_values_and_state(case):
    import seedkit

    with jax.enable_x64(True):
        g = seedkit.Generator.from_state(np.array(case["steps"][0]["state_before"], np.int64), "philox")
        for step in case["steps"]:
            got = g.binomial(
                step["shape"], param(step["counts"]), param(step["probs"]), dtype=step["output_dtype"]
            )
            assert_same(np.asarray(got), decode(step["out"]), f"step {step['shape']}")
            state = np.asarray(g.state).view(np.int64).tolist()
            assert state == step["state_after"]


def test_public_stateless_binomial_gives_tfs_values():
    import seedkit

    case = next(c for c in STATELESS if np.prod(c["shape"]) > 8)
    with jax.enable_x64(True):
        run = case["runs"][0]
        got = seedkit.stateless_binomial(
            case["shape"],
            run["seed"],
            param(case["counts"]),
            param(case["probs"]),
            output_dtype=case["output_dtype"],
            alg="philox",
        )
    assert_same(np.asarray(got), decode(run["out"]))
