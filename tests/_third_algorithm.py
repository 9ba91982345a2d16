"""A test-only third algorithm, to prove the algorithm seam: TF's Philox hash, key and counter
layout, seedkit's own conversions (no ``samplers`` family), streams by hashing the stream number
into a new key (no block accounting), and threefry-like Generator states of 2 + 2 words.

Nothing in seedkit knows about it: registering it is all that makes it work everywhere.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from seedkit._algorithms import RandomAlgorithm
from seedkit._algorithms._philox import PHILOX, philox4x32
from seedkit._seeds import scalar_seed_int, seed_words

_STREAM_DOMAIN = (0x73747265, 0x616D2121)  # "stre", "am!!"


class PhiloxFoldIn(RandomAlgorithm):
    name = "philox_fold_in"
    # no `samplers`: seedkit's own conversions

    def __init__(self) -> None:
        self.public = self

    # bits: Philox's, with a stream number hashed into a fresh key
    def key_from_words(self, words):
        return PHILOX.key_from_words(words)

    def random_bits(self, key, shape, words):
        return PHILOX.random_bits(key, shape, words)

    def block(self, key, x0, x1):
        return PHILOX.block(key, x0, x1)

    def with_counter(self, key, counter):
        counter = jnp.asarray(counter, jnp.uint32)
        y = philox4x32(
            jnp.stack([counter[0], counter[1], key[0] ^ key[4], key[1] ^ key[5]]),
            jnp.stack([key[2] ^ jnp.uint32(_STREAM_DOMAIN[0]), key[3] ^ jnp.uint32(_STREAM_DOMAIN[1])]),
        )
        zero = jnp.uint32(0)
        return jnp.stack([y[0], y[1], zero, zero, y[2], y[3]])

    # stateful ops: a position counts calls
    op_table_prefix = ("philox_fold_in",)

    def op_advance(self, dist, static, params):
        return 1

    def op_state(self, words, position):
        return jnp.concatenate([words, position[:2]])

    def op_key(self, state):
        return self.key_from_words(state[:4]), state[4:6]

    # compiled code: per-element numbers under vmap, every op counting its own executions
    per_element_vmap = True
    staged_counter = "per_op"

    # Generators: [counter lo, counter hi, k0, k1], one stream per draw
    state_layout = (2, 2)

    def generator_key(self, state):
        zero = jnp.zeros((2,), jnp.uint32)
        return jnp.concatenate([state[2:4], zero, zero]), state[0:2]

    def draw_advance(self, dist, static, params):
        return 1

    def skip_advance(self, draws):
        return draws

    def seed_state(self, seed):
        scalar = np.ndim(seed) == 0
        words = seed_words((scalar_seed_int(seed), 0)) if scalar else seed_words(seed)
        key = self.key_from_words(jnp.asarray(words))
        return jnp.concatenate([jnp.zeros((2,), jnp.uint32), key[0:2] ^ key[4:6]])

    def split(self, state, count):
        key, counter = self.generator_key(state)
        keys = self.random_bits(self.with_counter(key, counter), (count, 2), 1)
        return jnp.concatenate([jnp.zeros((count, 2), jnp.uint32), keys], axis=1), self.advance(state, 1)


THIRD = PhiloxFoldIn()
