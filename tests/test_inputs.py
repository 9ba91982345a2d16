"""Issue 16: seedkit's own algorithm (threefry) at the input edges, and clear errors.

TF's answers live in tests/test_tf_inputs.py; these are properties TF does not define.
"""

from __future__ import annotations

import collections
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import seedkit

SEED = (1, 2)


# --- 7: threefry index_shuffle --------------------------------------------------------------
def _orders(n: int, seeds: int) -> collections.Counter:
    f = jax.jit(jax.vmap(lambda s: seedkit.index_shuffle(jnp.arange(n), s, n - 1)))
    s = jnp.stack([jnp.arange(seeds, dtype=jnp.int32), jnp.full(seeds, 7, jnp.int32)], axis=1)
    return collections.Counter(map(tuple, np.asarray(f(s)).tolist()))


@pytest.mark.parametrize("n", [2, 3, 5])
def test_c7_index_shuffle_is_uniform_over_permutations(n):
    perms = math.factorial(n)
    counts = _orders(n, 200 * perms)
    assert len(counts) == perms
    chi2 = sum((c - 200) ** 2 / 200 for c in counts.values())
    # df = perms - 1; the bound is p < 1e-6 for 119 degrees of freedom, looser for fewer.
    assert chi2 < 200, (n, chi2)


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8, 11, 12, 13, 16, 18])
def test_c7_index_shuffle_is_a_bijection_at_every_size(k):
    for size in {2**k - 1, 2**k, 2**k + 1} - {0, 1}:
        out = np.asarray(seedkit.index_shuffle(jnp.arange(size), SEED, size - 1))
        assert np.array_equal(np.sort(out), np.arange(size)), size


# --- 18: clear errors, state unchanged ------------------------------------------------------
def _next_draw_unchanged_by(call, error, match):
    """``call`` raises ``error`` and the next unseeded draw is what it would have been."""
    seedkit.set_seed(11)
    state = seedkit.get_state()
    expected = np.asarray(seedkit.uniform([3]))
    seedkit.set_state(state)
    with pytest.raises(error, match=match):
        call()
    np.testing.assert_array_equal(np.asarray(seedkit.uniform([3])), expected)


@pytest.mark.usefixtures("isolated_rng")
@pytest.mark.parametrize("dtype", ["float77", 3])
def test_c18_stateful_uniform_unknown_dtype(dtype):
    _next_draw_unchanged_by(lambda: seedkit.uniform([3], dtype=dtype), TypeError, "`dtype` must be one of")

    @seedkit.function
    def f():
        return seedkit.uniform([3], dtype=dtype)

    with pytest.raises(TypeError, match="`dtype` must be one of"):
        f()
