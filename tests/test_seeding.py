"""Issue 15 item 7: seeds for the code around seedkit (Python's random, NumPy, data loaders,
processes and devices), derived from seedkit's state."""

from __future__ import annotations

import random

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import seedkit

pytestmark = pytest.mark.usefixtures("isolated_rng")


def test_set_random_seed_seeds_python_numpy_and_seedkit():
    def draws():
        return random.random(), np.random.random(), np.asarray(seedkit.uniform([2])).tolist()

    seedkit.set_random_seed(11)
    first = draws()
    seedkit.set_random_seed(11)
    assert draws() == first
    seedkit.set_seed(11)  # seedkit alone: Python's and NumPy's generators are left where they are
    python_state, numpy_state = random.getstate(), np.random.get_state()[1].copy()
    seedkit.set_seed(12)
    assert random.getstate() == python_state and np.array_equal(np.random.get_state()[1], numpy_state)
    seedkit.set_random_seed(2**40 + 3)  # beyond NumPy's 32-bit range: taken modulo 2**32
    with pytest.raises(TypeError, match="`seed`"):
        seedkit.set_random_seed("x")


def test_int_seed_is_the_next_op_seed_of_the_stream():
    seedkit.set_seed(5)
    a, b = seedkit.int_seed(), seedkit.int_seed()
    seedkit.set_seed(5)
    assert [seedkit.get_seed(None)[1], seedkit.get_seed(None)[1]] == [a, b]
    assert a != b and all(type(v) is int and 0 <= v < 2**31 - 1 for v in (a, b))
    # it consumes the op seed: the next unseeded op draws what it would draw after two ops
    seedkit.set_seed(5)
    seedkit.int_seed()
    x = np.asarray(seedkit.uniform([3]))
    seedkit.set_seed(5)
    seedkit.get_seed(None)
    np.testing.assert_array_equal(seedkit.uniform([3]), x)


def test_int_seed_without_a_global_seed():
    values = {seedkit.int_seed() for _ in range(20)}
    assert len(values) == 20 and all(0 <= v < 2**31 for v in values)
    seedkit.enable_op_determinism()
    try:
        with pytest.raises(RuntimeError, match="require a seed"):
            seedkit.int_seed()
    finally:
        seedkit.disable_op_determinism()


def test_fold_in_process_and_axis():
    np.testing.assert_array_equal(seedkit.fold_in_process((1, 2)), seedkit.stateless_fold_in((1, 2), 0))
    rows = jax.vmap(lambda _: seedkit.fold_in_axis((1, 2), "i"), axis_name="i")(jnp.zeros(4))
    expected = np.stack([np.asarray(seedkit.stateless_fold_in((1, 2), i)) for i in range(4)])
    np.testing.assert_array_equal(rows, expected)
    draws = jax.vmap(
        lambda _: seedkit.stateless_uniform([2], seedkit.fold_in_axis((1, 2), "i")), axis_name="i"
    )(jnp.zeros(4))
    assert len({tuple(r) for r in np.asarray(draws).tolist()}) == 4
