"""Keys and seeds both ways (issue 15, item 4).

* ``seedkit.key(s)`` takes an integer: it is the key of the seed pair ``(s, 0)``.
* A typed threefry key is a seed of the stateless ops: it holds the derived key, so
  ``op(..., seed=seedkit.key(x)) == op(..., seed=x)`` bit for bit, eagerly, under ``jit`` and,
  one key per row, under ``vmap``.
* ``Generator.from_key(seedkit.key(x))`` is ``Generator.from_seed(x)``.
* Typed keys where they cannot be used (philox, other JAX implementations, integer-only
  arguments, Generator states) raise ``TypeError`` naming the argument, and change nothing.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import seedkit
from seedkit.generator import Generator

SEEDS = [(1, 2), (0, 0), (-1, 5), (2**63 - 1, -(2**63)), (12345, 2**40)]

OPS = {
    "uniform": lambda s: seedkit.stateless_uniform([3, 4], s),
    "uniform_f16": lambda s: seedkit.stateless_uniform([5], s, dtype=jnp.float16),
    "uniform_bf16": lambda s: seedkit.stateless_uniform([5], s, dtype=jnp.bfloat16),
    "uniform_int": lambda s: seedkit.stateless_uniform([7], s, minval=-3, maxval=9, dtype=jnp.int32),
    "uniform_full": lambda s: seedkit.stateless_uniform([7], s, minval=None, maxval=None, dtype=jnp.uint32),
    "normal": lambda s: seedkit.stateless_normal([5], s, mean=1.0, stddev=2.0),
    "normal_bf16": lambda s: seedkit.stateless_normal([5], s, dtype=jnp.bfloat16),
    "truncated_normal": lambda s: seedkit.stateless_truncated_normal([5], s),
    "ptn": lambda s: seedkit.stateless_parameterized_truncated_normal([5], s, 1.0, 2.0, 0.0, 3.0),
    "categorical": lambda s: seedkit.stateless_categorical(jnp.log(jnp.array([[0.2, 0.3, 0.5]] * 2)), 6, s),
    "gamma": lambda s: seedkit.stateless_gamma([4, 2], s, alpha=[0.5, 3.0], beta=2.0),
    "gamma_f16": lambda s: seedkit.stateless_gamma([4], s, alpha=1.5, dtype=jnp.float16),
    "poisson": lambda s: seedkit.stateless_poisson([4, 2], s, lam=[2.0, 40.0]),
    "binomial": lambda s: seedkit.stateless_binomial([6], s, counts=20.0, probs=0.3),
    "shuffle": lambda s: seedkit.stateless_shuffle(jnp.arange(10), s),
    "index_shuffle": lambda s: seedkit.index_shuffle(jnp.arange(8), s, max_index=99),
    "split": lambda s: seedkit.stateless_split(s, 3),
    "fold_in": lambda s: seedkit.stateless_fold_in(s, 5),
    "dropout": lambda s: seedkit.nn.stateless_dropout(jnp.ones([4, 5]), 0.5, s),
}


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# ----------------------------------------------------------------------------- seedkit.key
@pytest.mark.parametrize("s", [0, 1, -7, 2**31, 2**63 - 1, -(2**63)])
def test_int_key_is_the_key_of_the_pair_s_0(s):
    assert bool(seedkit.key(s) == seedkit.key((s, 0)))
    assert bool(seedkit.key(s) != seedkit.key((s, 1)))


@pytest.mark.parametrize(
    "scalar", [np.int64(-9), np.int32(-9), np.uint32(9), np.array(-9), jnp.int32(-9), jnp.uint32(9)]
)
def test_numpy_and_jax_integer_scalars_are_int_seeds(scalar):
    assert bool(seedkit.key(scalar) == seedkit.key((int(scalar), 0)))


@pytest.mark.parametrize("dtype", [jnp.int32, jnp.uint32])
def test_traced_int_seed_gives_the_eager_key(dtype):
    values = np.array([0, 5, 2**31 - 1] if dtype == jnp.int32 else [0, 5, 2**32 - 1]).astype(dtype)
    if dtype == jnp.int32:
        values = np.concatenate([values, np.array([-1, -(2**31)], np.int32)])
    jitted = jax.jit(lambda s: jax.random.key_data(seedkit.key(s)))
    batched = jax.vmap(lambda s: jax.random.key_data(seedkit.key(s)))(jnp.asarray(values))
    for i, v in enumerate(values.tolist()):
        eager = jax.random.key_data(seedkit.key(v))
        assert _same(jitted(jnp.asarray(v, dtype)), eager)
        assert _same(batched[i], eager)


def test_int_key_is_seedkits_derivation_not_jax_random_key():
    # seedkit.key hashes the seed (stream stability is seedkit's own); jax.random.key(0) is [0, 0]
    assert not bool(seedkit.key(0) == jax.random.key(0))
    assert jax.random.key_impl(seedkit.key(0)) == jax.random.key_impl(jax.random.key(0))


@pytest.mark.parametrize(
    ("bad", "exc"),
    [(2**63, ValueError), (-(2**63) - 1, ValueError), (1.5, TypeError), (True, TypeError),
     (None, TypeError), ("7", TypeError), (np.float32(1), TypeError), ((1, 2, 3), ValueError)],
)  # fmt: skip
def test_bad_int_seeds_raise_naming_seed(bad, exc):
    with pytest.raises(exc, match="`seed`"):
        seedkit.key(bad)


def test_traced_float_scalar_raises():
    with pytest.raises(TypeError, match="`seed`"):
        jax.jit(seedkit.key)(jnp.float32(1))


def test_key_of_a_key_is_that_key():
    k = seedkit.key((3, 4))
    assert seedkit.key(k) is k
    j = jax.random.key(5)
    assert bool(seedkit.key(j) == j)
    with pytest.raises(TypeError, match=r"`seed`.*'rbg'"):
        seedkit.key(jax.random.key(0, impl="rbg"))


# ------------------------------------------------------------- typed keys as stateless seeds
@pytest.mark.parametrize("op", sorted(OPS))
def test_typed_key_draws_what_its_seed_draws(op):
    f = OPS[op]
    outs = []
    for seed in SEEDS:
        expected = f(seed)
        got = f(seedkit.key(seed))
        assert _same(got, expected), (op, seed)
        outs.append(np.asarray(got).tobytes())
    assert len(set(outs)) > 1 or op == "dropout"  # the key matters (dropout may repeat masks)
    # an int key stands for (s, 0), and a JAX-array seed's key for that seed
    assert _same(f(seedkit.key(77)), f((77, 0)))
    assert _same(f(seedkit.key(jnp.array([-3, 9], jnp.int32))), f(jnp.array([-3, 9], jnp.int32)))


@pytest.mark.parametrize(
    "op", ["uniform", "normal", "categorical", "gamma", "shuffle", "binomial", "dropout"]
)
def test_typed_key_under_jit(op):
    f = OPS[op]
    compiled = jax.jit(f)
    for seed in SEEDS[:3]:
        assert _same(compiled(seedkit.key(seed)), f(seed)), seed
    # the key is derived inside the compiled function too
    seeds = jnp.array([[1, 2], [-1, 5]], jnp.int32)
    derive_and_draw = jax.jit(lambda s: f(seedkit.key(s)))
    for s in seeds:
        assert _same(derive_and_draw(s), f(s))


def _same_as_eager(op, batched, eager):
    if op == "gamma":  # XLA's batched gamma rounds a few ulps differently, for seeds too
        np.testing.assert_allclose(batched, eager, rtol=1e-6)
    else:
        assert _same(batched, eager)


@pytest.mark.parametrize("op", ["uniform", "uniform_int", "normal", "categorical", "gamma", "poisson", "shuffle",
                                "split", "dropout"])  # fmt: skip
def test_typed_keys_under_vmap_each_row_its_own_key(op):
    f = OPS[op]
    seeds = jnp.array([[1, 2], [-1, 5], [7, 7], [0, 0]], jnp.int32)
    keys = jax.vmap(seedkit.key)(seeds)
    assert keys.shape == (4,)
    by_seed = jax.vmap(f)(seeds)
    for batched in (jax.vmap(f)(keys), jax.jit(jax.vmap(f))(keys)):
        assert _same(batched, by_seed)
        for i in range(4):
            _same_as_eager(op, batched[i], f(seeds[i]))
    # keys from jax.random.split: each row is what that key draws alone, rows differ
    split = jax.random.split(seedkit.key((1, 2)), 3)
    rows = jax.vmap(f)(split)
    for i in range(3):
        _same_as_eager(op, rows[i], f(split[i]))
    if op != "dropout":
        assert len({np.asarray(r).tobytes() for r in rows}) == 3


def test_int_keys_under_vmap_match_the_pair_seeds():
    ints = jnp.arange(5, dtype=jnp.int32) - 2
    got = jax.vmap(lambda s: seedkit.stateless_normal([3], seed=seedkit.key(s)))(ints)
    for i, s in enumerate(ints.tolist()):
        assert _same(got[i], seedkit.stateless_normal([3], seed=(s, 0)))


def test_gradients_through_a_keyed_gamma_match_the_seeded_ones():
    def mean(a, seed):
        return seedkit.stateless_gamma([64], seed, a).mean()

    assert _same(jax.grad(mean)(2.5, seedkit.key((1, 2))), jax.grad(mean)(2.5, (1, 2)))


def test_raw_uint32_keys_are_seeds_not_keys():
    # jax.random.PRNGKey-style uint32[2] arrays are ordinary shape-[2] seeds (hashed again)
    k = seedkit.key((1, 2))
    raw = jax.random.key_data(k)
    assert raw.dtype == jnp.uint32 and raw.shape == (2,)
    by_raw = seedkit.stateless_uniform([4], seed=raw)
    assert _same(by_raw, seedkit.stateless_uniform([4], seed=np.asarray(raw)))
    assert not _same(by_raw, seedkit.stateless_uniform([4], seed=k))
    legacy = jax.random.PRNGKey(3)
    assert _same(seedkit.stateless_uniform([4], seed=legacy), seedkit.stateless_uniform([4], seed=(0, 3)))


def test_split_and_fold_in_of_a_key_give_int32_seeds():
    k = seedkit.key((1, 2))
    assert seedkit.stateless_split(k, 2).dtype == jnp.int32
    assert seedkit.stateless_fold_in(k, 3).dtype == jnp.int32


# ------------------------------------------------------------------ refusals (stateless)
def test_typed_key_under_philox_raises_naming_seed(philox_default):
    k = seedkit.key((1, 2))
    for alg in ("philox", seedkit.Algorithm.PHILOX, "auto_select"):
        with pytest.raises(TypeError, match=r"`seed` is a typed JAX key.*'philox'.*shape-\[2\] integer seed"):
            seedkit.stateless_uniform([2], seed=k, alg=alg)
    with pytest.raises(TypeError, match=r"`seed`.*'philox'"):
        jax.jit(lambda key: seedkit.stateless_normal([2], seed=key, alg="philox"))(k)
    with pytest.raises(TypeError, match=r"`seed`.*'philox'"):
        seedkit.nn.stateless_dropout(jnp.ones(3), 0.5, k, rng_alg="philox")
    # an explicit threefry still takes it while the default is philox
    assert _same(
        seedkit.stateless_uniform([2], k, alg="threefry"),
        seedkit.stateless_uniform([2], (1, 2), alg="threefry"),
    )


@pytest.mark.parametrize("impl", ["rbg", "unsafe_rbg"])
def test_keys_of_other_jax_implementations_raise_naming_seed(impl):
    k = jax.random.key(0, impl=impl)
    with pytest.raises(TypeError, match=f"`seed` is a typed JAX key of implementation '{impl}'"):
        seedkit.stateless_uniform([2], seed=k)
    with pytest.raises(TypeError, match="`seed`"):
        jax.vmap(lambda key: seedkit.stateless_uniform([2], seed=key))(jax.random.split(k, 2))


def test_a_batch_of_keys_without_vmap_raises():
    with pytest.raises(ValueError, match=r"`seed` must be a single typed key.*jax.vmap"):
        seedkit.stateless_uniform([2], seed=jax.random.split(seedkit.key(1), 3))


@pytest.mark.parametrize("seed", [0, 7, np.int64(7), jnp.int32(7)])
def test_stateless_ops_still_refuse_scalar_seeds_as_tf_does(seed):
    with pytest.raises(ValueError, match=r"`seed` must have shape \[2\].*seedkit.key\(s\)"):
        seedkit.stateless_uniform([2], seed=seed)


def test_integer_only_seeds_refuse_typed_keys(unseeded):
    k = seedkit.key(1)
    seedkit.set_seed(3)
    expected = seedkit.uniform([2], seed=1)
    seedkit.set_seed(3)
    with pytest.raises(TypeError, match="`seed` must be a Python or NumPy integer; got a typed JAX key"):
        seedkit.set_seed(k)
    with pytest.raises(TypeError, match="`seed` must be a Python or NumPy integer; got a typed JAX key"):
        seedkit.uniform([2], seed=k)
    assert _same(seedkit.uniform([2], seed=1), expected)  # neither call moved a seed or counter


# ------------------------------------------------------------------------------ Generator
@pytest.mark.parametrize("seed", [42, -1, 2**63 - 1, (1, 2), (2**63 - 1, -(2**63))])
def test_from_key_of_a_seeds_key_is_from_seed(seed):
    a, b = Generator.from_key(seedkit.key(seed)), Generator.from_seed(seed)
    assert a.algorithm == seedkit.Algorithm.THREEFRY
    assert np.asarray(a.state).tolist() == np.asarray(b.state).tolist()
    assert _same(a.normal([3]), b.normal([3]))
    assert _same(a.uniform([2]), b.uniform([2]))
    assert np.asarray(a.state).tolist()[:2] == [2, 0]


def test_from_key_is_not_the_keys_words_as_generator_key():
    # documented: from_key_counter(key_data(k), 0) is the key's words unhashed: another stream
    k = seedkit.key(5)
    a = Generator.from_key(k)
    b = Generator.from_key_counter(jax.random.key_data(k), [0, 0], "threefry")
    assert np.asarray(a.key).tolist() != np.asarray(b.key).tolist()


def test_from_key_under_jit_and_vmap():
    k = seedkit.key((3, 4))
    eager = Generator.from_key(k)
    traced = jax.jit(lambda key: Generator.from_key(key).state)(k)
    assert _same(traced, eager.state)

    @jax.jit
    def draw(key):
        g = Generator.from_key(key)
        return g, g.normal([2])

    g, x = draw(k)
    assert _same(x, Generator.from_key(k).normal([2]))
    assert np.asarray(g.state).tolist()[:2] == [1, 0]

    keys = jax.random.split(k, 3)
    states = jax.vmap(lambda key: Generator.from_key(key).state)(keys)
    for i in range(3):
        assert _same(states[i], Generator.from_key(keys[i]).state)
    assert len({np.asarray(s).tobytes() for s in states}) == 3


def test_from_key_with_traced_int_key_matches_from_seed():
    got = jax.jit(lambda s: Generator.from_key(seedkit.key(s)).state)(jnp.int32(-5))
    assert _same(got, Generator.from_seed(-5).state)


@pytest.mark.parametrize(
    ("bad", "exc", "message"),
    [
        (3, TypeError, "`key` must be a typed JAX key.*Generator.from_seed"),
        ((1, 2), TypeError, "`key` must be a typed JAX key"),
        (jax.random.PRNGKey(0), TypeError, "`key` must be a typed JAX key"),
        (jax.random.key(0, impl="rbg"), TypeError, "`key` is a typed JAX key of implementation 'rbg'"),
        (jax.random.split(jax.random.key(0), 2), ValueError, "`key` must be a single typed key"),
    ],
)
def test_from_key_refusals_name_key(bad, exc, message):
    with pytest.raises(exc, match=message):
        Generator.from_key(bad)


def test_from_key_refuses_philox():
    k = seedkit.key(1)
    with pytest.raises(TypeError, match=r"`key` is a typed JAX key.*'philox'"):
        Generator.from_key(k, alg="philox")


def test_from_key_under_default_philox_raises(philox_default):
    with pytest.raises(TypeError, match=r"`key`.*'philox'"):
        Generator.from_key(seedkit.key(1))
    assert Generator.from_key(seedkit.key(1), alg="threefry").algorithm == seedkit.Algorithm.THREEFRY


@pytest.mark.parametrize("alg", ["threefry", "philox"])
def test_from_seed_refuses_a_typed_key_pointing_at_from_key(alg):
    k = seedkit.key(1)
    with pytest.raises(TypeError, match=r"`seed` is a typed JAX key.*Generator.from_key"):
        Generator.from_seed(k, alg=alg)
    with pytest.raises(TypeError, match=r"`seed` is a typed JAX key.*Generator.from_key"):
        jax.jit(lambda key: Generator.from_seed(key, alg=alg).state)(k)


@pytest.mark.parametrize("alg", ["threefry", "philox"])
def test_failed_generator_calls_leave_the_state_unchanged(alg):
    g = Generator.from_seed(9, alg=alg)
    g.uniform([2])
    before = np.asarray(g.state).tolist()
    k = seedkit.key(1)
    calls = [
        (lambda: g.reset_from_seed(k), "`seed` is a typed JAX key"),
        (lambda: g.reset(k), "`state`.*typed JAX key.*key_data"),
        (lambda: g.reset_from_key_counter(k, 0), "`key`.*typed JAX key.*key_data"),
        (lambda: g.reset_from_key_counter(1, k), "`counter`.*typed JAX key"),
    ]
    for call, message in calls:
        with pytest.raises(TypeError, match=message):
            call()
        assert np.asarray(g.state).tolist() == before
    after = g.uniform([2])
    g2 = Generator.from_state(np.asarray(before, np.uint32), alg)
    assert _same(after, g2.uniform([2]))


def test_other_constructors_refuse_typed_keys_naming_the_argument():
    k = seedkit.key(1)
    with pytest.raises(TypeError, match=r"`key`.*jax.random.key_data"):
        Generator.from_key_counter(k, 0, "threefry")
    with pytest.raises(TypeError, match=r"`state`.*jax.random.key_data"):
        Generator.from_state(k, "threefry")
    with pytest.raises(TypeError, match="`state`"):
        Generator(state=k, alg="threefry")
