"""``Generator(alg="philox")`` draws against TensorFlow's own ``tf.random.Generator``: values bit
for bit and the state after every draw. The reference is ``tests/data/tf_generator_philox.json``,
written by ``scripts/make_tf_generator_fixtures.py`` (TensorFlow 2.21, CPU, eager), which also
records ``make_seeds`` and ``split`` after the draws."""

from __future__ import annotations

import json
import pathlib

import jax.numpy as jnp
import numpy as np
import pytest

import seedkit
from seedkit.generator import Generator
from tests._tf_fixtures import hex_bits

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "tf_generator_philox.json").read_text())
CASES = DATA["cases"]


def _tf_state(g: Generator) -> list[int]:
    """seedkit's uint32[6] philox state as TF's three signed int64 values."""
    w = [int(v) for v in np.asarray(g.state)]
    out = []
    for i in range(0, 6, 2):
        v = w[i] | (w[i + 1] << 32)
        out.append(v - 2**64 if v >= 2**63 else v)
    return out


def _make(case) -> Generator:
    ctor, arg = case["ctor"], case["arg"]
    if ctor == "from_key_counter":
        return Generator.from_key_counter(arg[0], arg[1], alg="philox")
    if ctor == "from_state":
        return Generator.from_state(np.array(arg, np.int64), alg="philox")
    return Generator.from_seed(arg, alg="philox")


@pytest.mark.parametrize("case", CASES, ids=[f"{c['ctor']}({c['arg']})" for c in CASES])
def test_draw_sequence_matches_tensorflow(case):
    g = _make(case)
    for i, step in enumerate(case["steps"]):
        x = getattr(g, step["method"])(step["shape"], **step["kwargs"])
        where = f"draw {i}: {step['method']}{step['shape']} {step['kwargs']}"
        assert np.asarray(x).dtype.name == step["dtype"], where
        assert hex_bits(x) == step["bits"], where
        assert _tf_state(g) == step["state_after"], where


def test_skip_then_draw_equals_draws():
    # TF: a draw of shape S moves the counter by 256 * |S|; skip(n) by 256 * n.
    a = Generator.from_seed(77, alg="philox")
    b = Generator.from_seed(77, alg="philox")
    a.normal([6])
    b.skip(6)
    np.testing.assert_array_equal(a.uniform([4]), b.uniform([4]))


def test_draw_equals_stateless_philox_with_tfs_seed_rule():
    # A fresh from_seed(s) Generator has counter (s, 0) and key 0. Its first draw is TF's
    # stateless kernel on that key/counter, which seedkit reaches through key_from_state.
    from seedkit._algorithms import _philox
    from seedkit.stateless import _sample_from_key

    g = Generator.from_seed(5, alg="philox")
    key = _philox.key_from_state([5, 0, 0])
    ref = _sample_from_key("uniform_float", "philox", ((3,), np.dtype("float32")), key, None, (0.0, 1.0))
    np.testing.assert_array_equal(g.uniform([3]), ref)


def _after_draws(case) -> Generator:
    g = _make(case)
    for step in case["steps"]:
        getattr(g, step["method"])(step["shape"], **step["kwargs"])
    return g


@pytest.mark.parametrize("case", CASES, ids=[f"{c['ctor']}({c['arg']})" for c in CASES])
def test_make_seeds_matches_tensorflow(case):
    # TF's make_seeds is int64 (keys = uniform_full_int([count], int64) over zeros): x64 only.
    import jax

    g = _after_draws(case)
    with jax.enable_x64(True):
        seeds = g.make_seeds(3)
    assert seeds.dtype == np.int64
    assert np.asarray(seeds).tolist() == case["streams"]["make_seeds"]
    assert _tf_state(g) == case["streams"]["state_after_make_seeds"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['ctor']}({c['arg']})" for c in CASES])
def test_split_matches_tensorflow(case):
    # split needs no 64-bit types: the children's keys stay as uint32 words.
    g = _after_draws(case)
    g.skip(3)  # where TF's make_seeds(3) left the state
    children = g.split(2)
    assert _tf_state(g) == case["streams"]["state_after_split"]
    for child, ref in zip(children, case["streams"]["children"], strict=True):
        assert child.algorithm == seedkit.Algorithm.PHILOX
        assert _tf_state(child) == ref["state"]
        assert hex_bits(child.uniform([3])) == ref["uniform3"]


def test_make_seeds_without_x64_raises_and_leaves_state():
    g = Generator.from_seed(3, alg="philox")
    before = np.asarray(g.state).copy()
    with pytest.raises(ValueError, match="jax_enable_x64"):
        g.make_seeds(2)
    np.testing.assert_array_equal(g.state, before)


def test_unimplemented_philox_draws_raise_and_leave_state():
    g = Generator.from_seed(3, alg="philox")
    before = np.asarray(g.state).copy()
    with pytest.raises(NotImplementedError, match="philox"):
        g.categorical(jnp.zeros((1, 3)), 2)
    np.testing.assert_array_equal(g.state, before)


def test_threefry_is_still_the_default():
    assert Generator.from_seed(1).algorithm == seedkit.Algorithm.THREEFRY


def test_functional_use_under_jit_matches_eager():
    import jax

    def step(g):
        return g.normal([5]), g

    eager = Generator.from_seed(11, alg="philox")
    x_eager, _ = step(eager)
    x_jit, g_jit = jax.jit(step)(Generator.from_seed(11, alg="philox"))
    np.testing.assert_array_equal(x_jit, x_eager)
    np.testing.assert_array_equal(g_jit.state, eager.state)
