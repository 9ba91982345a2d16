"""Uses of seedkit's public API that mypy must reject: each line marked ``# E: CODE`` must give
a mypy error of that code, and no other line an error (tests/test_typing.py). Each of them also
fails at run time; the types say so before it runs.

The examples are bodies of functions that nothing calls: pytest's doctest collection imports
this module, and importing it draws nothing.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

import seedkit
from seedkit import Generator


def seeds() -> None:
    seedkit.stateless_uniform([2], seed="abc")  # E: arg-type
    seedkit.stateless_uniform([2], seed=1.5)  # E: arg-type
    seedkit.stateless_normal([2], seed=[1.0, 2.0])  # E: list-item
    seedkit.set_seed(1.5)  # E: arg-type
    seedkit.set_seed("1234")  # E: arg-type
    seedkit.uniform([2], seed=0.5)  # E: arg-type
    Generator.from_seed(1.5)  # E: arg-type
    Generator.from_key((1, 2))  # E: arg-type
    seedkit.key("seed")  # E: arg-type


def shapes() -> None:
    Generator.from_seed(1).normal(shape=1.5)  # E: arg-type
    seedkit.stateless_uniform("2", seed=(1, 2))  # E: arg-type
    seedkit.uniform([2.0, 3.0])  # E: list-item
    seedkit.nn.dropout(jnp.ones(4), 0.5, noise_shape=4.0)  # E: arg-type


def other_arguments() -> None:
    seedkit.stateless_uniform([2], seed=(1, 2), dtype=3)  # E: arg-type
    seedkit.stateless_uniform([2], seed=(1, 2), alg=2.0)  # E: arg-type
    seedkit.set_default_algorithm(None)  # E: arg-type
    seedkit.stateless_split((1, 2), num=2.5)  # E: arg-type
    seedkit.nn.dropout(jnp.ones(4), rate="half")  # E: arg-type
    seedkit.function(lambda: None, vmap_randomness="each")  # E: call-overload
    Generator.from_seed(1).split(1.5)  # E: arg-type


def results() -> tuple[object, ...]:
    x: int = seedkit.uniform([2])  # E: assignment
    g: Generator = seedkit.stateless_split((1, 2))  # E: assignment
    seed: jax.Array = seedkit.stateless_fold_in((1, 2), 7)  # E: assignment
    first, _ = seedkit.get_seed(None)
    total: int = first + 1  # E: operator
    return x, g, seed, total
