"""Threefry-2x32 (20 rounds), seedkit's default algorithm.

The hash itself is JAX's ``threefry2x32`` primitive (Salmon et al., "Parallel random numbers: as
easy as 1, 2, 3", SC 2011). Everything around it is seedkit's own and part of its stream-stability
promise (changing any of it changes every number seedkit produces):

* **Key derivation.** A seed ``(s0, s1)`` is four words ``(lo0, hi0, lo1, hi1)``; its key is
  ``threefry2x32(key=(lo0, hi0), counter=(lo1, hi1))``.
* **Streams.** Generators and per-op counters draw stream ``n`` of a key, whose key is
  ``threefry2x32(key, (hi(n), lo(n)))``.
* **Counter layout.** An output of shape ``(..., n)`` whose elements take ``w`` words is filled
  from a grid of blocks of shape ``(..., ceil(n * w / 2))``. The block at row-major position ``i``
  of that grid hashes the counter ``(0, i)`` and contributes both of its output words, in order,
  to two consecutive words of the last axis. Every block is computed from its own position, so a
  sharded output needs no communication, and no output word is thrown away.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax.extend.random import threefry2x32_p

_MAX_BLOCKS = 2**32


def _hash(k0, k1, x0, x1):
    x0, x1 = jnp.broadcast_arrays(x0, x1)
    k0 = jnp.broadcast_to(k0, x0.shape)
    k1 = jnp.broadcast_to(k1, x0.shape)
    return threefry2x32_p.bind(k0, k1, x0, x1)


def _grid_index(grid: tuple[int, ...]) -> jax.Array:
    """Row-major position of every cell of ``grid``, as uint32, built from iotas so that each
    shard of a partitioned grid computes its own positions."""
    index = jnp.zeros(grid, jnp.uint32)
    stride = 1
    for axis in range(len(grid) - 1, -1, -1):
        index = index + jax.lax.broadcasted_iota(jnp.uint32, grid, axis) * jnp.uint32(stride)
        stride *= grid[axis]
    return index


class _Threefry:
    name = "threefry"

    def key_from_words(self, words: jax.Array) -> jax.Array:
        y0, y1 = _hash(words[0], words[1], words[2], words[3])
        return jnp.stack([y0, y1])

    def with_counter(self, key: jax.Array, counter: jax.Array) -> jax.Array:
        """Stream ``n = counter`` (uint32 ``[lo, hi]``) under ``key`` has the key
        ``threefry2x32(key, (hi, lo))``: a fold-in of the 64-bit counter."""
        return jnp.stack(self.block(key, counter[1], counter[0]))

    def block(self, key, x0, x1):
        return _hash(key[0], key[1], x0, x1)

    def random_bits(self, key: jax.Array, shape: tuple[int, ...], words: int) -> jax.Array:
        out_shape = tuple(shape) + ((words,) if words > 1 else ())
        if math.prod(out_shape) == 0:
            return jnp.zeros(out_shape, jnp.uint32)
        flat = out_shape if out_shape else (1,)
        last = flat[-1]
        grid = flat[:-1] + ((last + 1) // 2,)
        if math.prod(grid) > _MAX_BLOCKS:
            raise ValueError(
                f"shape {tuple(shape)} needs {math.prod(grid)} threefry blocks; at most 2**32 "
                "are supported per call. Generate it in pieces with stateless_split seeds."
            )
        y0, y1 = self.block(key, jnp.zeros((), jnp.uint32), _grid_index(grid))
        bits = jnp.stack([y0, y1], axis=-1).reshape(flat[:-1] + (2 * grid[-1],))
        if 2 * grid[-1] != last:
            bits = bits[..., :last]
        return bits.reshape(out_shape)


THREEFRY = _Threefry()
