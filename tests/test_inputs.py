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


# --- 19 / 20: Generators and sizes (TF's side is in test_tf_inputs.py) ----------------------------
_HUGE = np.broadcast_to(np.zeros((1,), np.float32), (2**40,))  # 4 TiB if materialised; costs nothing


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda g: g.uniform([2], minval="a"), TypeError, "`minval` must be a real number"),
        (lambda g: g.normal([2], stddev=None), TypeError, "`stddev` must be a number"),
        (lambda g: g.gamma([2], alpha=None), TypeError, "`alpha` must be a number"),
        (lambda g: g.poisson([2], lam="a"), TypeError, "`lam` must be a real number"),
        (lambda g: g.binomial([2], counts="a", probs=0.5), TypeError, "`counts` must be a real"),
        (lambda g: g.categorical([["a", "b"]], 2), TypeError, "`logits` must be an array of numbers"),
        (lambda g: g.shuffle("abc"), TypeError, "`value` must be an array of numbers"),
        (lambda g: g.uniform([[2, 3]]), ValueError, "`shape` must be a 1-D"),
        (lambda g: g.normal([2], dtype=None), TypeError, "`dtype` must be one of"),
        (lambda g: g.permutation(2**40), ValueError, r"at most 2\*\*31 - 1 rows"),
        (lambda g: g.shuffle(_HUGE), ValueError, r"at most 2\*\*31 - 1 rows"),
    ],
)
@pytest.mark.parametrize("alg", ["threefry", "philox"])
def test_c19_c20_generator_refuses_and_keeps_its_state(call, error, match, alg):
    g = seedkit.Generator.from_seed(3, alg=alg)
    before = np.asarray(g.state).copy()
    with pytest.raises(error, match=match):
        call(g)
    np.testing.assert_array_equal(np.asarray(g.state), before)


@pytest.mark.usefixtures("isolated_rng")
def test_c20_shuffles_check_the_size_before_allocating():
    _next_draw_unchanged_by(lambda: seedkit.shuffle(_HUGE), ValueError, r"2\*\*31 - 1 rows.*index_shuffle")
    with pytest.raises(ValueError, match=r"`value` asks for a shuffle of 1099511627776 rows"):
        seedkit.stateless_shuffle(_HUGE, SEED)
    with pytest.raises(TypeError, match="`index` must be an array of numbers"):
        seedkit.index_shuffle("a", SEED, 5)


# --- 15: a traced scalar seed for Generator.from_seed ----------------------------------------------
@pytest.mark.usefixtures("isolated_rng")
@pytest.mark.parametrize("alg", ["threefry", "philox"])
@pytest.mark.parametrize("value", [0, 5, -7, 2**31 - 1, -(2**31)])
def test_c15_from_seed_of_a_traced_scalar_is_the_eager_generator(alg, value):
    @seedkit.function
    def draw(s):
        g = seedkit.Generator.from_seed(s, alg=alg)
        return g.state, g.normal([3])

    state, x = draw(jnp.int32(value))
    eager = seedkit.Generator.from_seed(value, alg=alg)
    np.testing.assert_array_equal(state, eager.state)
    np.testing.assert_array_equal(x, eager.normal([3]))


@pytest.mark.parametrize("alg", ["threefry", "philox"])
def test_c15_traced_scalar_seeds_of_every_integer_width(alg):
    cases = [
        (jnp.uint32, 2**32 - 1),
        (jnp.int64, -(2**40) - 3),
        (jnp.int64, 2**62 + 11),
        (jnp.uint64, 2**40 + 5),
    ]
    with jax.enable_x64(True):
        for dtype, value in cases:
            traced = jax.jit(lambda s: seedkit.Generator.from_seed(s, alg=alg).state)(
                jnp.asarray(value, dtype)
            )
            eager = seedkit.Generator.from_seed(np.asarray(value, dtype), alg=alg).state
            np.testing.assert_array_equal(traced, eager, err_msg=f"{dtype} {value}")
        with pytest.raises(TypeError, match="`seed` must be an integer scalar"):
            jax.jit(lambda s: seedkit.Generator.from_seed(s, alg=alg))(jnp.float32(1.0))


# --- found by the fuzz: positions that do not fit the index dtype -----------------------------
@pytest.mark.parametrize("alg", ["threefry", "philox"])
def test_index_shuffle_refuses_a_max_index_beyond_the_index_dtype(alg):
    # int32 indices with max_index >= 2**31 wrapped to negative positions (TF refuses them)
    with pytest.raises(ValueError, match=r"`max_index`=4294967295 does not fit `index`'s dtype int32"):
        seedkit.index_shuffle(jnp.arange(5), SEED, 2**32 - 1, alg=alg)
    out = np.asarray(seedkit.index_shuffle(jnp.arange(5, dtype=jnp.uint32), SEED, 2**32 - 1, alg=alg))
    assert out.dtype == np.uint32 and len(set(out.tolist())) == 5
    assert np.asarray(seedkit.index_shuffle(jnp.arange(5), SEED, 2**31 - 1, alg=alg)).min() >= 0
