"""TF's shuffles: ``StatelessShuffle`` (shuffle_common.h) and ``index_shuffle``
(random_index_shuffle.cc).

Example:
    >>> import numpy as np
    >>> from seedkit._algorithms._philox import PHILOX
    >>> key = PHILOX.key_from_words(np.array([1, 0, 2, 0], np.uint32))
    >>> sorted(shuffle(PHILOX, key, np.arange(5)).tolist())
    [0, 1, 2, 3, 4]
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

# The constant TF's index_shuffle wrapper prepends to the seed (stateless_random_ops.py).
_INDEX_SHUFFLE_PAD = 498247692


def shuffle(gen, key, value) -> jax.Array:
    """TF's ``StatelessShuffle``: forward Fisher–Yates over the first axis, ``i`` swapped with
    ``i + w_i % (n - i)`` for the words ``w_0, w_1, ...`` of the stream."""
    value = jnp.asarray(value)
    if value.ndim == 0 or value.size <= 1 or value.shape[0] <= 1:
        return value
    n = value.shape[0]
    i = jnp.arange(n - 1, dtype=jnp.uint32)
    w = gen.random_bits(key, (n - 1,), 1)
    j = (i + w % (jnp.uint32(n) - i)).astype(jnp.int32)

    def swap(t, perm):
        a, b = perm[t], perm[j[t]]
        return perm.at[t].set(b).at[j[t]].set(a)

    perm = lax.fori_loop(0, n - 1, swap, jnp.arange(n, dtype=jnp.int32))
    return value[perm]


def _rotl(x: jax.Array, r: int, bits: int, mask: jax.Array) -> jax.Array:
    return ((x << r) | (x >> (bits - r))) & mask


def _rotr(x: jax.Array, r: int, bits: int, mask: jax.Array) -> jax.Array:
    return ((x >> r) | (x << (bits - r))) & mask


_INDEX_SHUFFLE_TF_ROUNDS = 4  # what tf.random.experimental.index_shuffle passes to the kernel


def index_shuffle_key(gen: Any, key: jax.Array) -> list[jax.Array]:
    """TF's 3-word index-shuffle key from a stateless philox key: the constant TF prepends,
    then the low words of the two seed values (``gen.seed_words`` recovers them from the key)."""
    words = gen.seed_words(key)
    return [jnp.uint32(_INDEX_SHUFFLE_PAD), words[0], words[2]]


def _simon_index_shuffle(index: jax.Array, key3: list, max_index: int, rounds: int) -> jax.Array:
    """TF's ``random::index_shuffle``: a Simon-style Feistel cipher on the smallest even block
    of at least 16 bits covering ``max_index`` (``ceil(log2(max_index))`` bits), repeated until
    the value is within ``[0, max_index]``."""
    x = jnp.asarray(index).astype(jnp.uint32)
    if max_index == 0:
        return jnp.zeros_like(x)
    block = math.ceil(math.log2(max_index))
    block = max(block + block % 2, 16)
    half = block // 2
    mask = jnp.uint32((1 << half) - 1)
    # Key schedule: constants c and z from random_index_shuffle.cc, truncated to `half` bits.
    c = jnp.uint32(0xFFFFFFFC & ((1 << half) - 1))
    z = 0x7369F885192C0EF5 & ((1 << half) - 1)
    rk = [k & mask for k in key3]
    for i in range(3, rounds):
        rk.append(
            c
            ^ jnp.uint32(z & 1)
            ^ rk[i - 3]
            ^ _rotr(rk[i - 1], 3, half, mask)
            ^ _rotr(rk[i - 1], 4, half, mask)
        )
        z >>= 1

    def f(v):
        return (_rotl(v, 1, half, mask) & _rotl(v, 8, half, mask)) ^ _rotl(v, 2, half, mask)

    def encrypt(v):
        left, right = (v >> half) & mask, v & mask
        for i in range(0, len(rk), 2):
            left = left ^ f(right) ^ rk[i]
            right = right ^ f(left) ^ rk[i + 1]
        return (left << half) | right

    limit = jnp.uint32(max_index)
    x = encrypt(x)
    return lax.while_loop(lambda v: jnp.any(v > limit), lambda v: jnp.where(v > limit, encrypt(v), v), x)


def index_shuffle(gen, key, max_index, index) -> jax.Array:
    return _simon_index_shuffle(index, index_shuffle_key(gen, key), max_index, _INDEX_SHUFFLE_TF_ROUNDS)
