"""Typed uses of seedkit's public API that must type-check (tests/test_typing.py runs mypy on
this file; pyproject.toml's [tool.mypy] names it too). ``assert_type`` pins the return types.

The examples are bodies of functions that nothing calls: pytest's doctest collection imports
this module, and importing it draws nothing.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from typing_extensions import assert_type

import seedkit
import seedkit.nnx
from seedkit import Generator
from seedkit.function import Function
from seedkit.typing import AlgLike, ArrayLike, DTypeLike, IntLike, IntSeedLike, SeedLike, ShapeLike


def stateless_ops(seed: SeedLike) -> None:
    assert_type(seedkit.stateless_uniform([2, 3], seed=(1, 2)), jax.Array)
    seedkit.stateless_uniform((2,), seed=[1, 2], minval=0, maxval=10, dtype="int32")
    seedkit.stateless_uniform(4, seed=np.array([1, 2], np.int64), dtype=jnp.float64)
    seedkit.stateless_uniform([4], seed=jnp.array([1, 2]), minval=None, maxval=None, dtype=np.uint32)
    seedkit.stateless_uniform([2], seed=seedkit.key(7), alg="threefry")
    seedkit.stateless_uniform([2], seed=jax.random.key(0), alg=seedkit.Algorithm.THREEFRY)
    seedkit.stateless_uniform([2], seed=(np.int64(1), 2), alg=1)
    seedkit.stateless_normal([2], seed, mean=[0.0, 1.0], stddev=jnp.ones(2))
    seedkit.stateless_truncated_normal(np.array([3]), seed, dtype=jnp.bfloat16)
    seedkit.stateless_parameterized_truncated_normal(
        [2, 100], seed, means=[[0.0], [5.0]], minvals=[[-1.0], [4.0]], maxvals=[[1.0], [9.0]]
    )
    seedkit.stateless_gamma([10, 2], seed, alpha=[0.5, 1.5], beta=2.0)
    seedkit.stateless_poisson([10], seed, lam=5.0, dtype=jnp.int32)
    seedkit.stateless_binomial([5], seed, counts=10, probs=0.5, output_dtype=jnp.float32)
    seedkit.stateless_categorical(jnp.log(jnp.array([[0.5, 0.5]])), 5, seed, dtype=jnp.int32)
    seedkit.stateless_shuffle(jnp.arange(5), seed)
    seedkit.index_shuffle(jnp.arange(10), seed, max_index=9)
    assert_type(seedkit.stateless_split(seed, num=3), jax.Array)
    folded = seedkit.stateless_fold_in(seed, 7)  # a NumPy array for 64-bit data without x64
    assert_type(folded, jax.Array | np.ndarray)
    seedkit.stateless_normal([2], seed=folded)  # and a seed either way
    assert_type(seedkit.key(7), jax.Array)
    seedkit.key((1, 2), alg="threefry")
    seedkit.nn.stateless_dropout(jnp.ones(8), 0.5, seed, noise_shape=[8])
    seedkit.nn.stateless_dropout(
        jnp.ones((2, 8)), jnp.float32(0.1), seed, rng_alg="philox", noise_shape=[None, 8]
    )


def stateful_ops() -> None:
    seedkit.set_seed(1234)
    seedkit.set_seed(np.int64(5))
    seedkit.set_seed(None)
    assert_type(seedkit.get_seed(None), tuple[int | None, int | None])
    assert_type(seedkit.uniform([2]), jax.Array)
    seedkit.uniform([2], minval=1, maxval=5, dtype=jnp.int32, seed=3)
    seedkit.normal((2, 3), mean=1.0, stddev=2.0, seed=np.int32(1))
    seedkit.truncated_normal([2])
    seedkit.gamma([10], alpha=[1.0, 2.0])
    seedkit.poisson([10], lam=[5.0, 15.0], seed=1)
    seedkit.categorical([[0.0, 0.0]], 3)
    seedkit.shuffle([0, 1, 2, 3], seed=5)
    seedkit.nn.dropout(jnp.ones(8), 0.5)
    with seedkit.fork_rng(99):
        seedkit.uniform([2])
    with seedkit.fork_rng():
        seedkit.uniform([2])
    state: seedkit.RandomState = seedkit.get_state()
    seedkit.set_state(state)
    seedkit.set_state(state.to_json())
    seedkit.enable_op_determinism()
    seedkit.disable_op_determinism()
    assert_type(seedkit.is_op_determinism_enabled(), bool)
    seedkit.set_random_seed(3)
    assert_type(seedkit.int_seed(), int)
    assert_type(seedkit.fold_in_process((1, 2)), jax.Array)
    assert_type(seedkit.fold_in_axis((1, 2), "i"), jax.Array)


def generators() -> None:
    g = Generator.from_seed(1234)
    assert_type(g, Generator)
    Generator.from_seed((1, 2), alg="philox")
    Generator.from_key(seedkit.key(3))
    Generator.from_key_counter(1234, [5678, 0], alg="philox")
    Generator.from_state(np.asarray(g.state), "threefry")
    Generator(copy_from=g)
    Generator(state=g.state, alg=seedkit.Algorithm.THREEFRY)
    assert_type(g.normal([2, 3]), jax.Array)
    g.uniform([4], minval=0, maxval=10, dtype="int32")
    g.uniform_full_int([2], dtype=jnp.uint32)
    g.truncated_normal([2], mean=[0.0, 1.0])
    g.binomial([3], counts=10, probs=0.5)
    g.categorical([[0.0, 0.0]], 2)
    g.gamma([2], alpha=1.0)
    g.poisson([2], lam=3.0)
    g.shuffle(jnp.arange(4))
    g.permutation(4)
    g.skip(2)
    g.reset(g.state)
    g.reset_from_seed(7)
    g.reset_from_key_counter(1, 0)
    assert_type(g.make_seeds(3), jax.Array)
    a, _ = g.split(2)
    assert_type(a, Generator)
    assert_type(g.state, jax.Array)
    assert_type(g.key, jax.Array)
    seedkit.set_global_generator(g)
    assert_type(seedkit.get_global_generator(), Generator)
    seedkit.set_global_generator(None)


def algorithms() -> None:
    seedkit.set_default_algorithm("philox")
    seedkit.set_default_algorithm(seedkit.Algorithm.THREEFRY)
    algorithm = seedkit.get_default_algorithm()
    seedkit.stateless_normal([2], (1, 2), alg=algorithm)


def compiled() -> None:
    @seedkit.function
    def step(x: jax.Array) -> jax.Array:
        return x + seedkit.uniform([2])

    @seedkit.function(static_argnums=0, vmap_randomness="same")
    def sized(n: int) -> jax.Array:
        return seedkit.normal([n])

    assert_type(step, Function)
    step(jnp.zeros(2))
    sized(3)
    noisy = seedkit.nnx.jit(lambda x: seedkit.nn.dropout(x, 0.5))
    assert_type(noisy, seedkit.nnx.Jit)


# Wrappers typed with seedkit's aliases.
def wrapper(
    shape: ShapeLike, seed: SeedLike, dtype: DTypeLike = jnp.float32, alg: AlgLike = "auto_select"
) -> jax.Array:
    return seedkit.stateless_normal(shape, seed, dtype=dtype, alg=alg)


def more_wrappers(seed: IntSeedLike, count: IntLike, values: ArrayLike) -> Generator:
    seedkit.stateless_shuffle(values, seed=(1, 2))
    g = Generator.from_seed(seed)
    g.skip(count)
    return g
