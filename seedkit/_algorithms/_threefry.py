"""Threefry-2x32 (20 rounds), seedkit's default algorithm.

The hash is Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers: as easy as
1, 2, 3", SC 2011), the function behind JAX's ``threefry2x32`` keys, checked against Random123's
known answers and ``jax.extend.random.threefry_2x32`` in the tests. It is written out here as
unrolled elementwise uint32 arithmetic rather than calling JAX's primitive: on the CPU that
primitive lowers to a rolled loop that keeps five full-size arrays live, while the unrolled form
fuses into one pass (about ten times faster, no temporary memory) and partitions trivially.
Everything around the hash is seedkit's own and part of its stream-stability promise (changing
any of it changes every number seedkit produces):

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
import numpy as np

from seedkit._algorithms._base import Algorithm, RandomAlgorithm
from seedkit._grid import row_major_index
from seedkit._seeds import int_or_pair_words
from seedkit._words import check_units

# Threefry-2x32 rotation distances and key-schedule parity constant (Salmon et al. 2011, Table 4;
# Random123's threefry.h).
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA


def _rotl(x: jax.Array, r: int) -> jax.Array:
    return (x << jnp.uint32(r)) | (x >> jnp.uint32(32 - r))


def _hash(k0, k1, x0, x1) -> tuple[jax.Array, jax.Array]:
    """Threefry-2x32-20 of the counter ``(x0, x1)`` under the key ``(k0, k1)``, elementwise with
    broadcasting: five groups of four rounds, with a key injection after each group."""
    k0, k1, x0, x1 = (jnp.asarray(v, jnp.uint32) for v in (k0, k1, x0, x1))
    x0, x1 = jnp.broadcast_arrays(x0, x1)
    ks = (k0, k1, k0 ^ k1 ^ jnp.uint32(_PARITY))
    x0, x1 = x0 + ks[0], x1 + ks[1]
    for group in range(5):
        for r in _ROTATIONS[group % 2]:
            x0 = x0 + x1
            x1 = _rotl(x1, r) ^ x0
        x0 = x0 + ks[(group + 1) % 3]
        x1 = x1 + ks[(group + 2) % 3] + jnp.uint32(group + 1)
    return x0, x1


class _Threefry(RandomAlgorithm):
    """seedkit's own algorithm: Threefry bits, seedkit's conversions, and a counter model in
    which a position counts calls (ops) or draws (Generators)."""

    name = "threefry"
    public = Algorithm.THREEFRY
    jax_prng_impl = "threefry2x32"  # a threefry key is a jax.random threefry2x32 key

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
        check_units(math.prod(grid), shape, "blocks")
        y0, y1 = self.block(key, jnp.zeros((), jnp.uint32), row_major_index(grid))
        bits = jnp.stack([y0, y1], axis=-1).reshape(flat[:-1] + (2 * grid[-1],))
        if 2 * grid[-1] != last:
            bits = bits[..., :last]
        return bits.reshape(out_shape)

    # -------------------------------------------------------------- counter model
    # Stateful ops: the n-th call of an op draws stream n of its seed pair's key (an unseeded op
    # after set_seed draws at 2**63 + k for the k-th unseeded draw, storing nothing).
    def op_advance(self, dist: str, static: tuple, params: tuple) -> int:
        return 1

    def op_state(self, words, position):
        return jnp.concatenate([words, position[:2]])

    def host_op_state(self, words, position):
        return np.array([*words, position & 0xFFFFFFFF, (position >> 32) & 0xFFFFFFFF], np.uint32)

    def op_key(self, state):
        return self.key_from_words(state[:4]), state[4:6]

    # Generators: state [counter lo, counter hi, key 0, key 1]; every draw moves the counter by
    # one, whatever its shape; split children are [0, 0, k0, k1] with keys from one draw.
    state_layout = (2, 2)

    def generator_key(self, state):
        return state[2:4], state[0:2]

    def draw_advance(self, dist: str, static: tuple, params: tuple) -> int:
        return 1

    def skip_advance(self, draws: int) -> int:
        return draws

    def seed_state(self, seed):
        # An int s acts as the seed (s, 0); the state is [0, 0, k] with k the seed's stateless
        # key hashed once more under a "from_seed" domain constant.
        return _seeded(int_or_pair_words(seed))

    def key_seed_state(self, key):
        # from_key(k) is from_seed(x) for k = seedkit.key(x): k is what _seeded derives first.
        return _keyed(key)

    def split(self, state, count: int):
        keys = self.random_bits(self.with_counter(state[2:4], state[0:2]), (count, 2), 1)
        children = jnp.concatenate([jnp.zeros((count, 2), jnp.uint32), keys], axis=1)
        return children, self.advance(state, 1)


# from_seed's keys are a domain of their own: without it, from_seed(s) had the key of the seed
# pair (s, 0), and drew exactly what set_seed(s) + the op with op seed 0 draws.
_FROM_SEED_DOMAIN = (0x66726F6D, 0x73656564)  # "from", "seed"


def _domain_state(key: jax.Array) -> jax.Array:
    y0, y1 = THREEFRY.block(key, jnp.uint32(_FROM_SEED_DOMAIN[0]), jnp.uint32(_FROM_SEED_DOMAIN[1]))
    return jnp.concatenate([jnp.zeros((2,), jnp.uint32), jnp.stack([y0, y1])])


@jax.jit
def _seeded(words: jax.Array) -> jax.Array:
    return _domain_state(THREEFRY.key_from_words(words))


@jax.jit
def _keyed(key: jax.Array) -> jax.Array:
    return _domain_state(jnp.asarray(key, jnp.uint32))


THREEFRY = _Threefry()
